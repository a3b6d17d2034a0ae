//! `cargo xtask gotests`: how many of Go's own `// run` test programs (from
//! `$(go env GOROOT)/test`) the emulator runs exactly like the real binary.
//!
//! What is measured: for each selected test file and each configuration
//! (amd64, 386, amd64 with `-N -l`), the real program is built with
//! `go build -gcflags=<flags>` (GOARCH set, GOFLAGS empty, CGO off, in a
//! temporary directory) and run with no arguments, empty stdin and a 10 s
//! timeout; its stdout, stderr and exit status are the expected result,
//! cached under `target/gotests-cache/` by a hash of the Go version, the
//! configuration and the file's content, so a second run builds nothing.
//! Then `target/release/gostack run FILE --arch .. --flags ..`
//! (built once at the start with `cargo build --release -p gostack`) runs
//! the same file in the emulator, 60 s at most, two programs at a time.
//!
//! A program is *equal* when stdout and exit status are the same and stderr
//! is the same up to the first line that starts with `goroutine ` or
//! `[signal ` (the traceback, which legitimately differs), each side cut at
//! its own such line; the whole stderr is compared when neither has one.
//! gostack's own progress lines on stderr (`gostack: ...` but for
//! `gostack: error:`) are not part of the program's output and are dropped
//! first. A program that is not equal is, in this order: *timeout* (gostack
//! ran out of its 60 s), *stopped* (exit 125: gostack reported an error, such
//! as an instruction or system call it does not implement), *crashed*
//! (exit 101, a panic of gostack, or killed by a signal), or *differ*.
//! Programs whose real build fails or whose real run times out are skipped
//! and counted apart.
//!
//! Which files: those directly in the chosen directories of the test tree
//! whose first line, after blank lines and `//go:build` lines, is exactly
//! `// run` (not `// run -gcflags=..`, not `// runoutput`), whose
//! `//go:build` constraint holds for linux and the configuration's GOARCH
//! with cgo off (the tags are the go command's own: release tags, tool and
//! experiment tags), and which do not import "C". The test tree is only
//! read, never copied.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Read as _;
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use sha2::{Digest as _, Sha256};

use crate::project_root;

/// The help of `cargo xtask gotests`.
pub(crate) const HELP: &str = "\
usage: cargo xtask gotests [OPTIONS]

Measures how many of Go's own `// run` test programs in $(go env GOROOT)/test
the emulator runs exactly like the real binary: same stdout, same exit status,
same stderr up to the goroutine traceback. Each program is built and run for
real (cached in target/gotests-cache/), then run with the release build of
`gostack run`; prints a table per configuration on stdout, progress on stderr.

options:
  --dir NAME        a directory of the test tree to take the files of (`ken`,
                    `fixedbugs`, `.` for test/ itself), or NAME* for the files
                    of test/ itself whose names start with NAME; repeatable.
                    Default: abi, ken, defer*, recover*, closure*, escape*,
                    stack*, append*, string*
  --all             every directory of the test tree, test/ itself and every
                    directory below it (about 1,000 `// run` programs)
  --filter SUBSTR   only files whose path (e.g. ken/chan.go) contains SUBSTR;
                    repeatable (any of them)
  --config NAME     amd64, 386 or amd64-N-l (amd64 with -N -l); repeatable.
                    Default: all three
  --list            also print every program that is not equal, with its class
                    and gostack's error or the first line that differs
  --min PERCENT     exit 1 if a configuration has fewer than PERCENT % equal
                    (otherwise the exit status is 0 whatever the figures)
  --jobs N          programs run at the same time (default: 2)
  -h, --help        print this help

classes: equal; differ (ran, output or status not the same); stopped (gostack
exit 125: it reported an error, e.g. something it does not implement); crashed
(gostack exit 101 or killed by a signal); timeout (gostack over 60 s).
Programs whose real build fails or whose real run takes over 10 s are skipped.";

/// The directories and name prefixes taken when no `--dir` is given.
const DEFAULT_DIRS: [&str; 9] = [
    "abi", "ken", "defer*", "recover*", "closure*", "escape*", "stack*", "append*", "string*",
];

/// How long the real program may run.
const REAL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `go build` may take.
const BUILD_TIMEOUT: Duration = Duration::from_secs(300);
/// How long gostack may take for one program.
const GOSTACK_TIMEOUT: Duration = Duration::from_secs(60);

/// gostack's exit status when it reports an error.
const EXIT_STOPPED: i32 = 125;
/// A Rust program's exit status after a panic.
const EXIT_PANIC: i32 = 101;

/// A way to compile the programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Config {
    name: &'static str,
    goarch: &'static str,
    flags: &'static str,
}

/// Every configuration, in table order.
const CONFIGS: [Config; 3] = [
    Config {
        name: "amd64",
        goarch: "amd64",
        flags: "",
    },
    Config {
        name: "386",
        goarch: "386",
        flags: "",
    },
    Config {
        name: "amd64-N-l",
        goarch: "amd64",
        flags: "-N -l",
    },
];

/// The command line of the task.
#[derive(Debug)]
struct Options {
    dirs: Vec<String>,
    /// `--all`: every directory of the tree.
    all: bool,
    filters: Vec<String>,
    configs: Vec<Config>,
    list: bool,
    min: Option<f64>,
    jobs: usize,
}

impl Options {
    /// Parses the arguments after `gotests`; `None` for `--help`.
    fn parse(args: &[String]) -> Result<Option<Options>> {
        let mut o = Options {
            dirs: Vec::new(),
            all: false,
            filters: Vec::new(),
            configs: Vec::new(),
            list: false,
            min: None,
            jobs: 2,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
                _ => (arg.as_str(), None),
            };
            let mut value = || -> Result<String> {
                match &inline {
                    Some(v) => Ok(v.clone()),
                    None => args
                        .next()
                        .cloned()
                        .with_context(|| format!("{name} needs a value\n\n{HELP}")),
                }
            };
            match name {
                "-h" | "--help" => return Ok(None),
                "--dir" => o.dirs.push(value()?),
                "--all" if inline.is_none() => o.all = true,
                "--filter" => o.filters.push(value()?),
                "--config" => {
                    let v = value()?;
                    let Some(c) = CONFIGS.iter().find(|c| c.name == v) else {
                        bail!("unknown configuration `{v}`: amd64, 386 or amd64-N-l");
                    };
                    if !o.configs.contains(c) {
                        o.configs.push(*c);
                    }
                }
                "--list" if inline.is_none() => o.list = true,
                "--min" => {
                    let v = value()?;
                    let min: f64 = v
                        .trim_end_matches('%')
                        .parse()
                        .with_context(|| format!("--min {v}: not a number"))?;
                    o.min = Some(min);
                }
                "--jobs" => {
                    let v = value()?;
                    o.jobs = v
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .with_context(|| format!("--jobs {v}: not a positive number"))?;
                }
                _ => bail!("gotests: unknown argument `{arg}`\n\n{HELP}"),
            }
        }
        if o.all && !o.dirs.is_empty() {
            bail!("--all takes every directory: leave out --dir");
        }
        if o.dirs.is_empty() && !o.all {
            o.dirs = DEFAULT_DIRS.iter().map(|d| d.to_string()).collect();
        }
        // Table order, whatever the order given.
        o.configs = if o.configs.is_empty() {
            CONFIGS.to_vec()
        } else {
            CONFIGS
                .iter()
                .filter(|c| o.configs.contains(c))
                .copied()
                .collect()
        };
        Ok(Some(o))
    }
}

/// Runs the task; false when `--min` is given and a configuration is below it.
pub(crate) fn run(args: &[String]) -> Result<bool> {
    let Some(options) = Options::parse(args)? else {
        println!("{HELP}");
        return Ok(true);
    };
    let go = GoEnv::find()?;
    let test_dir = go.goroot.join("test");
    if !test_dir.is_dir() {
        bail!(
            "{} does not exist: this Go installation has no test tree",
            test_dir.display()
        );
    }

    // Which programs, per configuration.
    let files = candidates(&test_dir, &options)?;
    let mut jobs = Vec::new();
    let mut selected = Vec::new();
    for (ci, config) in options.configs.iter().enumerate() {
        let tags = go.tags(config.goarch)?;
        let chosen: Vec<usize> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.selected(&tags))
            .map(|(i, _)| i)
            .collect();
        jobs.extend(chosen.iter().map(|&fi| Job {
            file: fi,
            config: ci,
        }));
        selected.push(chosen.len());
    }
    if jobs.is_empty() {
        bail!(
            "no `// run` test selected in {} (--dir {})",
            test_dir.display(),
            options.dirs.join(" --dir ")
        );
    }

    let gostack = Gostack::build()?;
    let cache_dir = target_dir().join("gotests-cache");
    std::fs::create_dir_all(&cache_dir)
        .with_context(|| format!("creating {}", cache_dir.display()))?;
    eprintln!(
        "gotests: {} runs of {} programs ({}), {}",
        jobs.len(),
        files.iter().filter(|f| f.runnable).count(),
        options
            .configs
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", "),
        go.version,
    );

    let ctx = Context {
        go: &go,
        gostack: &gostack,
        files: &files,
        configs: &options.configs,
        cache_dir: &cache_dir,
    };
    let outcomes = run_all(&ctx, &jobs, options.jobs)?;

    // The report.
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}, {} ({})",
        go.version,
        test_dir.display(),
        options.dirs.join(" ")
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<10} {:>8} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7}",
        "config", "programs", "equal", "differ", "stopped", "crashed", "timeout", "equal %"
    );
    let mut below = false;
    let mut skipped_notes = Vec::new();
    for (ci, config) in options.configs.iter().enumerate() {
        let of_config: Vec<&Outcome> = jobs
            .iter()
            .zip(&outcomes)
            .filter(|(j, _)| j.config == ci)
            .map(|(_, o)| o)
            .collect();
        let count = |class: Class| of_config.iter().filter(|o| o.class == class).count();
        let skipped = count(Class::Skipped);
        let compared = of_config.len() - skipped;
        let equal = count(Class::Equal);
        let percent = if compared == 0 {
            0.0
        } else {
            100.0 * equal as f64 / compared as f64
        };
        if options.min.is_some_and(|min| percent < min) {
            below = true;
        }
        let _ = writeln!(
            out,
            "{:<10} {:>8} {:>6} {:>6} {:>7} {:>7} {:>7} {:>6.1}%",
            config.name,
            compared,
            equal,
            count(Class::Differ),
            count(Class::Stopped),
            count(Class::Crashed),
            count(Class::Timeout),
            percent
        );
        if skipped > 0 {
            skipped_notes.push(format!(
                "{}: {skipped} of {} skipped (the real build failed or the real run took over 10 s)",
                config.name, selected[ci]
            ));
        }
    }
    for note in skipped_notes {
        let _ = writeln!(out, "{note}");
    }
    if options.list {
        let mut rows: Vec<(usize, &str, &Outcome)> = jobs
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.class != Class::Equal)
            .map(|(j, o)| (j.config, files[j.file].rel.as_str(), o))
            .collect();
        rows.sort_by_key(|(c, rel, _)| (*c, *rel));
        if !rows.is_empty() {
            let _ = writeln!(out);
            let width = rows.iter().map(|(_, rel, _)| rel.len()).max().unwrap_or(0);
            for (c, rel, o) in rows {
                let _ = writeln!(
                    out,
                    "{:<10} {rel:<width$}  {:<7}  {}",
                    options.configs[c].name,
                    o.class.name(),
                    o.detail
                );
            }
        }
    }
    print!("{out}");
    if let Some(min) = options.min
        && below
    {
        eprintln!("gotests: a configuration has fewer than {min}% equal");
        return Ok(false);
    }
    Ok(true)
}

/// The target directory of the workspace.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => project_root().join("target"),
    }
}

/// The installed Go, as gostack finds it (`GOSTACK_GO`, else `go` on PATH).
struct GoEnv {
    cmd: PathBuf,
    /// e.g. `go1.26.8`.
    version: String,
    goroot: PathBuf,
    /// What the expected results depend on besides the configuration.
    cache_key: String,
}

impl GoEnv {
    fn find() -> Result<GoEnv> {
        let go = gostack_toolchain::Go::find()?;
        Ok(GoEnv {
            cmd: go.path().to_path_buf(),
            version: go.version().raw.clone(),
            goroot: PathBuf::from(go.goroot()),
            cache_key: [
                go.version().raw.as_str(),
                go.goroot(),
                go.goamd64(),
                go.go386(),
                go.goexperiment(),
            ]
            .join("\n"),
        })
    }

    /// A go command with the environment the builds use.
    fn command(&self, goarch: Option<&str>) -> Command {
        let mut cmd = Command::new(&self.cmd);
        cmd.env("GOFLAGS", "")
            .env("GOWORK", "off")
            .env("GOTOOLCHAIN", "local")
            .env("CGO_ENABLED", "0");
        if let Some(goarch) = goarch {
            cmd.env("GOARCH", goarch);
        }
        cmd
    }

    fn output(&self, args: &[&str], goarch: Option<&str>) -> Result<String> {
        let out = self
            .command(goarch)
            .args(args)
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {}", self.cmd.display()))?;
        if !out.status.success() {
            bail!(
                "go {} failed:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The build tags that hold for linux/`goarch` with cgo off, as the go
    /// command has them (GOOS, GOARCH, tool and experiment tags, release tags).
    fn tags(&self, goarch: &str) -> Result<HashSet<String>> {
        let out = self.output(
            &[
                "list",
                "-f",
                "{{context.GOOS}} {{context.GOARCH}} {{context.Compiler}} \
                 {{join context.ToolTags \" \"}} {{join context.ReleaseTags \" \"}}",
                "runtime",
            ],
            Some(goarch),
        )?;
        let mut tags: HashSet<String> = out.split_whitespace().map(str::to_string).collect();
        const UNIX: [&str; 11] = [
            "aix",
            "android",
            "darwin",
            "dragonfly",
            "freebsd",
            "hurd",
            "illumos",
            "ios",
            "linux",
            "netbsd",
            "openbsd",
        ];
        if UNIX.iter().any(|os| tags.contains(*os)) || tags.contains("solaris") {
            tags.insert("unix".into());
        }
        Ok(tags)
    }
}

/// A test file of the tree.
struct TestFile {
    /// Its path below `test/`, e.g. `ken/chan.go`.
    rel: String,
    path: PathBuf,
    source: Vec<u8>,
    /// Its action is exactly `// run` and it does not import "C".
    runnable: bool,
    /// Its `//go:build` expressions.
    constraints: Vec<String>,
}

impl TestFile {
    /// Whether to run it where `tags` hold.
    fn selected(&self, tags: &HashSet<String>) -> bool {
        self.runnable
            && self
                .constraints
                .iter()
                .all(|c| eval_constraint(c, tags).unwrap_or(false))
    }
}

/// The `.go` files of the chosen directories that pass `--filter`, sorted by
/// path, read and classified.
fn candidates(test_dir: &Path, options: &Options) -> Result<Vec<TestFile>> {
    let mut rels = Vec::new();
    let dirs = if options.all {
        every_dir(test_dir, Path::new("."))?
    } else {
        options.dirs.clone()
    };
    for spec in &dirs {
        let (dir, prefix) = match spec.strip_suffix('*') {
            Some(prefix) => {
                let (dir, prefix) = match prefix.rsplit_once('/') {
                    Some((d, p)) => (d.to_string(), p.to_string()),
                    None => (".".to_string(), prefix.to_string()),
                };
                (dir, prefix)
            }
            None => (spec.trim_end_matches('/').to_string(), String::new()),
        };
        let full = test_dir.join(&dir);
        let entries = std::fs::read_dir(&full)
            .with_context(|| format!("--dir {spec}: reading {}", full.display()))?;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".go") || !name.starts_with(&prefix) || !entry.file_type()?.is_file()
            {
                continue;
            }
            let rel = if dir == "." {
                name
            } else {
                format!("{dir}/{name}")
            };
            if options.filters.is_empty() || options.filters.iter().any(|f| rel.contains(f)) {
                rels.push(rel);
            }
        }
    }
    rels.sort();
    rels.dedup();
    rels.into_iter()
        .map(|rel| {
            let path = test_dir.join(&rel);
            let source =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let text = String::from_utf8_lossy(&source);
            let (runnable, constraints) = classify(&text);
            Ok(TestFile {
                rel,
                path,
                source,
                runnable,
                constraints,
            })
        })
        .collect()
}

/// `dir` (relative to the test tree) and every directory below it, sorted.
fn every_dir(test_dir: &Path, dir: &Path) -> Result<Vec<String>> {
    let mut out = vec![dir.to_string_lossy().trim_start_matches("./").to_string()];
    let full = test_dir.join(dir);
    let mut subdirs: Vec<_> = std::fs::read_dir(&full)
        .with_context(|| format!("reading {}", full.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        out.extend(every_dir(test_dir, &dir.join(sub))?);
    }
    Ok(out)
}

/// Whether a test's action is exactly `// run` (and it imports no "C"), and
/// its `//go:build` expressions (those before the package clause).
fn classify(text: &str) -> (bool, Vec<String>) {
    let mut lines = text.lines().map(str::trim_end);
    let action = lines
        .by_ref()
        .find(|l| !l.trim().is_empty() && !l.starts_with("//go:build"));
    let run = action == Some("// run");
    let mut constraints = Vec::new();
    let mut in_header = true;
    let mut imports_c = false;
    for line in text.lines().map(str::trim) {
        if in_header {
            if line.starts_with("package ") {
                in_header = false;
            } else if let Some(expr) = line.strip_prefix("//go:build ") {
                constraints.push(expr.trim().to_string());
            }
            continue;
        }
        if line == "import \"C\"" || line == "\"C\"" || line.starts_with("import \"C\" ") {
            imports_c = true;
        }
    }
    (run && !imports_c, constraints)
}

/// Evaluates a `//go:build` expression; `None` when it does not parse.
fn eval_constraint(expr: &str, tags: &HashSet<String>) -> Option<bool> {
    let mut tokens = Vec::new();
    let mut rest = expr.trim();
    while !rest.is_empty() {
        let token_len = if rest.starts_with("&&") || rest.starts_with("||") {
            2
        } else if rest.starts_with(['!', '(', ')']) {
            1
        } else {
            let n = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            if n == 0 {
                return None;
            }
            n
        };
        tokens.push(&rest[..token_len]);
        rest = rest[token_len..].trim_start();
    }
    let mut parser = ConstraintParser {
        tokens: &tokens,
        at: 0,
        tags,
    };
    let value = parser.or()?;
    (parser.at == tokens.len()).then_some(value)
}

/// A recursive-descent evaluator of build constraint tokens.
struct ConstraintParser<'a> {
    tokens: &'a [&'a str],
    at: usize,
    tags: &'a HashSet<String>,
}

impl<'a> ConstraintParser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.at).copied()
    }

    fn or(&mut self) -> Option<bool> {
        let mut value = self.and()?;
        while self.peek() == Some("||") {
            self.at += 1;
            value |= self.and()?;
        }
        Some(value)
    }

    fn and(&mut self) -> Option<bool> {
        let mut value = self.unary()?;
        while self.peek() == Some("&&") {
            self.at += 1;
            value &= self.unary()?;
        }
        Some(value)
    }

    fn unary(&mut self) -> Option<bool> {
        let token = self.peek()?;
        self.at += 1;
        match token {
            "!" => Some(!self.unary()?),
            "(" => {
                let value = self.or()?;
                (self.peek() == Some(")")).then(|| self.at += 1)?;
                Some(value)
            }
            ")" | "&&" | "||" => None,
            tag => Some(self.tags.contains(tag)),
        }
    }
}

/// The release gostack binary.
struct Gostack {
    path: PathBuf,
}

impl Gostack {
    /// Builds it: `cargo build --release -p gostack`.
    fn build() -> Result<Gostack> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        eprintln!("gotests: cargo build --release -p gostack");
        let status = Command::new(cargo)
            .args(["build", "--release", "-p", "gostack"])
            .current_dir(project_root())
            .stdin(Stdio::null())
            .status()
            .context("running cargo build")?;
        if !status.success() {
            bail!("cargo build --release -p gostack failed");
        }
        Ok(Gostack {
            path: target_dir().join("release").join("gostack"),
        })
    }

    /// The command that runs `file` in the emulator.
    fn command(&self, file: &Path, config: &Config) -> Command {
        let mut cmd = Command::new(&self.path);
        // The timeout, not the step limit, decides how long a program may run.
        cmd.arg("run")
            .arg(file)
            .args(["--arch", config.goarch, "--max-steps", "1000000000000"]);
        if !config.flags.is_empty() {
            cmd.arg(format!("--flags={}", config.flags));
        }
        cmd
    }
}

/// One program in one configuration.
struct Job {
    file: usize,
    config: usize,
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Exit(i32),
    Signal(i32),
    Timeout,
}

impl Status {
    fn show(self) -> String {
        match self {
            Status::Exit(code) => format!("exit {code}"),
            Status::Signal(sig) => format!("signal {sig}"),
            Status::Timeout => "timeout".into(),
        }
    }

    fn parse(s: &str) -> Option<Status> {
        let s = s.trim();
        if s == "timeout" {
            return Some(Status::Timeout);
        }
        let (kind, n) = s.split_once(' ')?;
        let n = n.parse().ok()?;
        match kind {
            "exit" => Some(Status::Exit(n)),
            "signal" => Some(Status::Signal(n)),
            _ => None,
        }
    }
}

/// What a process printed and how it ended.
struct Output {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: Status,
}

/// The real program's result: it ran, or it did not build (with the go
/// command's messages).
enum Expected {
    Ran(Output),
    BuildFailed(String),
}

/// The class of a program's result in one configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Equal,
    Differ,
    Stopped,
    Crashed,
    Timeout,
    Skipped,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::Equal => "equal",
            Class::Differ => "differ",
            Class::Stopped => "stopped",
            Class::Crashed => "crashed",
            Class::Timeout => "timeout",
            Class::Skipped => "skipped",
        }
    }
}

/// A job's result: its class and why.
struct Outcome {
    class: Class,
    detail: String,
}

/// What every job needs.
struct Context<'a> {
    go: &'a GoEnv,
    gostack: &'a Gostack,
    files: &'a [TestFile],
    configs: &'a [Config],
    cache_dir: &'a Path,
}

/// Runs every job, `parallel` at a time, printing a line on stderr as each
/// ends; the outcomes in job order.
fn run_all(ctx: &Context<'_>, jobs: &[Job], parallel: usize) -> Result<Vec<Outcome>> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<Outcome>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    let width = jobs.len().to_string().len();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..parallel.min(jobs.len()) {
            s.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let begun = Instant::now();
                    let result = run_job(ctx, job);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    let what = match &result {
                        Ok(o) => o.class.name().to_string(),
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            format!("error: {e:#}")
                        }
                    };
                    eprintln!(
                        "[{n:>width$}/{}] {:<9} {:<30} {what} ({:.1} s)",
                        jobs.len(),
                        ctx.configs[job.config].name,
                        ctx.files[job.file].rel,
                        begun.elapsed().as_secs_f64()
                    );
                    results.lock().expect("no worker panics")[i] = Some(result);
                }
            });
        }
    });
    eprintln!("gotests: done in {:.0} s", start.elapsed().as_secs_f64());
    let results = results.into_inner().expect("no worker panics");
    let mut outcomes = Vec::with_capacity(jobs.len());
    for r in results {
        match r {
            Some(r) => outcomes.push(r?),
            None => bail!("a run failed, so the rest were not run"),
        }
    }
    Ok(outcomes)
}

/// Runs one program for real (or takes it from the cache) and in gostack,
/// and compares.
fn run_job(ctx: &Context<'_>, job: &Job) -> Result<Outcome> {
    let file = &ctx.files[job.file];
    let config = &ctx.configs[job.config];
    let expected = expected(ctx, file, config)?;
    let want = match expected {
        Expected::BuildFailed(why) => {
            return Ok(Outcome {
                class: Class::Skipped,
                detail: format!("the real build failed: {}", first_line(&why)),
            });
        }
        Expected::Ran(out) if out.status == Status::Timeout => {
            return Ok(Outcome {
                class: Class::Skipped,
                detail: "the real program took over 10 s".into(),
            });
        }
        Expected::Ran(out) => out,
    };
    // The real program ran in an empty directory of its own: so does the emulated one.
    let scratch = tempfile::TempDir::new()?;
    let mut cmd = ctx.gostack.command(&file.path, config);
    cmd.current_dir(scratch.path())
        .arg("--workdir")
        .arg(scratch.path());
    let mut got = run_with_timeout(cmd, GOSTACK_TIMEOUT)
        .with_context(|| format!("running gostack on {}", file.rel))?;
    // The error gostack reported: it follows what the program printed, which
    // may not end with a newline.
    let said = String::from_utf8_lossy(&got.stderr).into_owned();
    let error_line = said
        .rsplit_once("gostack: error: ")
        .map(|(_, rest)| rest.lines().next().unwrap_or("").to_string());
    // A mapping past the memory cap failed, as gostack said: the run went
    // on as on a full machine, which the real one is not.
    let memory_cap = said
        .lines()
        .find(|l| l.starts_with(gostack_emu::MEMORY_REFUSED))
        .map(str::to_string);
    // gostack's own progress lines (the import config) are not the program's.
    got.stderr = without_progress(&got.stderr);
    Ok(compare(&want, &got, error_line, memory_cap))
}

/// Classifies gostack's result against the real one: a run that differs
/// after gostack said why (an error, the memory cap) stopped, clearly.
fn compare(
    want: &Output,
    got: &Output,
    error_line: Option<String>,
    memory_cap: Option<String>,
) -> Outcome {
    let outcome = |class, detail: String| Outcome { class, detail };
    if got.status == Status::Timeout {
        return outcome(
            Class::Timeout,
            format!("over {} s", GOSTACK_TIMEOUT.as_secs()),
        );
    }
    let (want_err, got_err) = (
        before_traceback(&want.stderr),
        before_traceback(&got.stderr),
    );
    if want.stdout == got.stdout && want.status == got.status && want_err == got_err {
        return outcome(Class::Equal, String::new());
    }
    if let (Status::Exit(_), Some(said)) = (&got.status, memory_cap) {
        return outcome(Class::Stopped, shorten(&said, 200));
    }
    match got.status {
        Status::Exit(EXIT_STOPPED) => {
            let why = error_line.unwrap_or_else(|| {
                format!(
                    "exit 125: {}",
                    first_line(&String::from_utf8_lossy(&got.stderr))
                )
            });
            outcome(Class::Stopped, shorten(&why, 200))
        }
        Status::Exit(EXIT_PANIC) => outcome(Class::Crashed, panic_message(&got.stderr)),
        Status::Signal(sig) => outcome(Class::Crashed, format!("gostack killed by signal {sig}")),
        _ => {
            let detail = first_difference("stdout", &want.stdout, &got.stdout)
                .or_else(|| first_difference("stderr", want_err, got_err))
                .unwrap_or_else(|| format!("{}, want {}", got.status.show(), want.status.show()));
            outcome(Class::Differ, detail)
        }
    }
}

/// `stderr` without the lines gostack prints about its own work
/// (`gostack: ...`, but not `gostack: error: ...`).
fn without_progress(stderr: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(stderr.len());
    for line in stderr.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"gostack: ") && !line.starts_with(b"gostack: error: ") {
            continue;
        }
        out.extend_from_slice(line);
    }
    out
}

/// `stderr` up to its first line starting with `goroutine ` or `[signal `.
fn before_traceback(stderr: &[u8]) -> &[u8] {
    let mut at = 0;
    for line in stderr.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"goroutine ") || line.starts_with(b"[signal ") {
            return &stderr[..at];
        }
        at += line.len();
    }
    stderr
}

/// The first line where `got` differs from `want`, as `stdout line 3: got
/// "..", want ".."`; `None` when they are the same.
fn first_difference(what: &str, want: &[u8], got: &[u8]) -> Option<String> {
    if want == got {
        return None;
    }
    let want: Vec<&[u8]> = want.split_inclusive(|&b| b == b'\n').collect();
    let got: Vec<&[u8]> = got.split_inclusive(|&b| b == b'\n').collect();
    let i = (0..want.len().max(got.len()))
        .find(|&i| want.get(i) != got.get(i))
        .unwrap_or(0);
    let show = |l: Option<&&[u8]>| match l {
        Some(l) => format!("{:?}", shorten(&String::from_utf8_lossy(l), 70)),
        None => "nothing".into(),
    };
    Some(format!(
        "{what} line {}: got {}, want {}",
        i + 1,
        show(got.get(i)),
        show(want.get(i))
    ))
}

/// The message of a Rust panic in gostack's stderr.
fn panic_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(at) = line.find("panicked at ") {
            let place = line[at + "panicked at ".len()..].trim_end_matches(':');
            let message = lines.next().unwrap_or("");
            return shorten(&format!("panicked at {place}: {message}"), 200);
        }
    }
    format!("exit 101: {}", first_line(&text))
}

fn first_line(text: &str) -> String {
    shorten(
        text.lines().find(|l| !l.trim().is_empty()).unwrap_or(""),
        200,
    )
}

/// `s`, cut to at most `max` characters.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    }
}

/// The real program's result in `config`, from the cache or by building and
/// running it.
fn expected(ctx: &Context<'_>, file: &TestFile, config: &Config) -> Result<Expected> {
    let mut hash = Sha256::new();
    for part in [
        "gotests expected v1",
        &ctx.go.cache_key,
        config.name,
        config.goarch,
        config.flags,
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.update(&file.source);
    let key: String = hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = ctx.cache_dir.join(&key);
    if let Some(cached) = read_cached(&dir) {
        return Ok(cached);
    }
    let result = build_and_run(ctx.go, file, config)?;
    write_cached(ctx.cache_dir, &dir, &result)
        .with_context(|| format!("writing {}", dir.display()))?;
    Ok(result)
}

/// A cached result, if there is one and it reads.
fn read_cached(dir: &Path) -> Option<Expected> {
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    let stdout = std::fs::read(dir.join("stdout")).ok()?;
    let stderr = std::fs::read(dir.join("stderr")).ok()?;
    if status.trim() == "build-failed" {
        return Some(Expected::BuildFailed(
            String::from_utf8_lossy(&stderr).into_owned(),
        ));
    }
    Some(Expected::Ran(Output {
        stdout,
        stderr,
        status: Status::parse(&status)?,
    }))
}

/// Writes a result to `dir` atomically (written beside it, then renamed).
fn write_cached(cache_dir: &Path, dir: &Path, result: &Expected) -> Result<()> {
    let tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempdir_in(cache_dir)?;
    let (status, stdout, stderr) = match result {
        Expected::Ran(out) => (out.status.show(), &out.stdout[..], &out.stderr[..]),
        Expected::BuildFailed(why) => ("build-failed".to_string(), &[][..], why.as_bytes()),
    };
    std::fs::write(tmp.path().join("stdout"), stdout)?;
    std::fs::write(tmp.path().join("stderr"), stderr)?;
    std::fs::write(tmp.path().join("status"), status + "\n")?;
    let tmp = tmp.keep();
    if std::fs::rename(&tmp, dir).is_err() {
        // Another run wrote it first: keep theirs.
        let _ = std::fs::remove_dir_all(&tmp);
        if !dir.join("status").exists() {
            bail!("could not move {} to {}", tmp.display(), dir.display());
        }
    }
    Ok(())
}

/// Builds the real program in a temporary directory and runs it there.
fn build_and_run(go: &GoEnv, file: &TestFile, config: &Config) -> Result<Expected> {
    let work = tempfile::TempDir::new()?;
    let prog = work.path().join("prog");
    let mut build = go.command(Some(config.goarch));
    build
        .arg("build")
        .arg("-o")
        .arg(&prog)
        .arg(format!("-gcflags={}", config.flags))
        .arg(&file.path)
        .current_dir(work.path());
    let built =
        run_with_timeout(build, BUILD_TIMEOUT).with_context(|| format!("go build {}", file.rel))?;
    if built.status != Status::Exit(0) {
        let mut why = String::from_utf8_lossy(&built.stderr).into_owned();
        if built.status == Status::Timeout {
            why.insert_str(0, "go build timed out\n");
        }
        return Ok(Expected::BuildFailed(why));
    }
    let mut cmd = Command::new(&prog);
    cmd.current_dir(work.path());
    let ran = run_with_timeout(cmd, REAL_TIMEOUT)
        .with_context(|| format!("running the real {}", file.rel))?;
    Ok(Expected::Ran(ran))
}

/// Runs `cmd` with empty stdin in its own process group, collecting its
/// output; after `timeout` the group is killed and the status is `Timeout`.
fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Result<Output> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn()?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    let mut readers = 0;
    for (which, pipe) in [
        (
            0,
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ),
        (
            1,
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ),
    ] {
        let Some(mut pipe) = pipe else { continue };
        let tx = tx.clone();
        readers += 1;
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            let _ = tx.send((which, buf));
        });
    }
    drop(tx);
    let kill_group = || {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stderr(Stdio::null())
            .status();
    };
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break match (status.code(), status.signal()) {
                (Some(code), _) => Status::Exit(code),
                (None, Some(sig)) => Status::Signal(sig),
                (None, None) => Status::Exit(-1),
            };
        }
        if start.elapsed() > timeout {
            kill_group();
            let _ = child.kill();
            let _ = child.wait();
            break Status::Timeout;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut killed = false;
    for _ in 0..readers {
        // A process the program started may still hold the pipes open.
        let got = match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(got) => got,
            Err(_) if !killed => {
                killed = true;
                kill_group();
                rx.recv_timeout(Duration::from_secs(5))
                    .context("the program's output pipes stayed open")?
            }
            Err(_) => bail!("the program's output pipes stayed open"),
        };
        match got {
            (0, buf) => stdout = buf,
            (_, buf) => stderr = buf,
        }
    }
    Ok(Output {
        stdout,
        stderr,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run that failed after gostack said the memory cap refused a
    /// mapping stopped, clearly; the same run without the line differs.
    #[test]
    fn a_refused_mapping_said_is_a_stop_not_a_difference() {
        let want = Output {
            stdout: b"ok\n".to_vec(),
            stderr: Vec::new(),
            status: Status::Exit(0),
        };
        let got = Output {
            stdout: Vec::new(),
            stderr: b"fatal error: out of memory\n".to_vec(),
            status: Status::Exit(2),
        };
        let said = format!(
            "{} (8192 MiB): a mapping of 16384 MiB failed",
            gostack_emu::MEMORY_REFUSED
        );
        let stopped = compare(&want, &got, None, Some(said.clone()));
        assert!(
            stopped.class == Class::Stopped && stopped.detail.contains("16384 MiB"),
            "{}",
            stopped.detail
        );
        assert!(compare(&want, &got, None, None).class == Class::Differ);
    }

    fn tags(list: &[&str]) -> HashSet<String> {
        list.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn constraints() {
        let t = tags(&["linux", "amd64", "unix", "go1.21"]);
        assert_eq!(eval_constraint("!wasm", &t), Some(true));
        assert_eq!(eval_constraint("linux || darwin", &t), Some(true));
        assert_eq!(eval_constraint("cgo", &t), Some(false));
        assert_eq!(eval_constraint("amd64 && !(386 || arm)", &t), Some(true));
        assert_eq!(eval_constraint("!goexperiment.newinliner", &t), Some(true));
        assert_eq!(eval_constraint("linux &&", &t), None);
        assert_eq!(eval_constraint("(linux", &t), None);
    }

    #[test]
    fn actions() {
        assert_eq!(classify("// run\n\npackage main\n"), (true, vec![]));
        assert_eq!(
            classify("// run\n\n//go:build !wasm\n\npackage main\n"),
            (true, vec!["!wasm".to_string()])
        );
        assert_eq!(
            classify("//go:build linux\n\n// run\n\npackage main\n"),
            (true, vec!["linux".to_string()])
        );
        assert!(!classify("// run -gcflags=-d=checkptr\n\npackage main\n").0);
        assert!(!classify("// runoutput\n\npackage main\n").0);
        assert!(!classify("// errorcheck\n\npackage main\n").0);
        assert!(!classify("// run\n\npackage main\n\nimport \"C\"\n").0);
    }

    #[test]
    fn timeouts() {
        let start = Instant::now();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo hi; sleep 30 & sleep 30"]);
        let out = run_with_timeout(cmd, Duration::from_millis(300)).unwrap();
        assert_eq!(out.status, Status::Timeout);
        assert_eq!(out.stdout, b"hi\n");
        assert!(start.elapsed() < Duration::from_secs(5));

        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo oops >&2; exit 3"]);
        let out = run_with_timeout(cmd, Duration::from_secs(10)).unwrap();
        assert_eq!(out.status, Status::Exit(3));
        assert_eq!(out.stderr, b"oops\n");
    }

    #[test]
    fn tracebacks() {
        let real = b"panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n";
        let emu = b"panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t?\n";
        assert_eq!(before_traceback(real), before_traceback(emu));
        assert_eq!(before_traceback(b"a\nb"), b"a\nb");
        assert_eq!(
            before_traceback(b"panic: x\n[signal SIGSEGV]\n"),
            b"panic: x\n"
        );
        assert_eq!(
            without_progress(b"gostack: adding fmt\nhi\ngostack: error: x\n"),
            b"hi\ngostack: error: x\n"
        );
    }
}
