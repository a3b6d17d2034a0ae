//! The `gostack` command-line tool: compile a Go program with the installed
//! Go, show its listing, and run it in the emulator.

mod asm;
mod folder;
mod serve;

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand};
use gostack_draw::{Format, View};
use gostack_emu::{Config, Stop, World};
use gostack_toolchain::{Arch, Cache, CompileRequest, Go};

/// Exit status of gostack's own failures (bad usage, no Go, a compile error, a run the emulator cannot finish).
const EXIT_GOSTACK: u8 = 125;

/// Call-stack pictures of Go programs, drawn from real compiler output.
///
/// gostack compiles a Go program with the installed Go (`go tool compile -S`),
/// links it, runs the whole executable (Go runtime included) in an emulator
/// over an imitation of Linux, and shows what happened.
#[derive(Parser, Debug)]
#[command(name = "gostack", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const AFTER_HELP: &str = "\
Environment:
  GOSTACK_GO         the go binary to use (default: `go` on PATH)
  GOSTACK_CACHE      where listings and executables are cached (default: ~/.cache/gostack)
  GOSTACK_CACHE_MIB  the most the cached listings and executables may take (default: 4096);
                     the ones used least recently go first

Exit status:
  0    success
  125  gostack itself failed: bad usage, no Go, a compile error, or a program
       the emulator cannot run (it names the instruction or system call, the
       function and the line)
  `gostack run` otherwise exits with the program's own status (2 after a panic);
  `gostack verify` exits 1 when a step differs from the real CPU.";

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the parsed listing of the program's functions, with source lines.
    Asm {
        #[command(flatten)]
        build: BuildArgs,
        /// Show only this function (`add1` or `main.add1`).
        #[arg(long = "func", value_name = "NAME")]
        func: Option<String>,
    },
    /// Draw the stack at a moment of the run.
    Stack {
        /// The Go source file (package main).
        file: PathBuf,
        /// The moment: `add2 entry`, `main.add2 ret`, `before call add2`, `after call add2`
        /// (these four may end with `in F`: calls made by F), `main.go:14`, `main.add1+0x2e`
        /// or `step N` (as `gostack events` numbers steps); a method by its short name.
        #[arg(long, value_name = "EVENT")]
        at: String,
        /// Which time the moment happens (1 = the first).
        #[arg(long, default_value_t = 1, value_parser = parse_nth)]
        nth: usize,
        /// A second moment, drawn beside the first: the first time it happens after it.
        #[arg(long, value_name = "EVENT")]
        beside: Option<String>,
        /// Only moments on this goroutine count (as Go numbers them: 1 runs
        /// main.main; `gostack events` shows which goroutine ran what).
        #[arg(long, value_name = "N")]
        goroutine: Option<u64>,
        /// GOARCH; give it twice (`--arch amd64 --arch 386`) for both side by side.
        #[arg(long = "arch", default_value = "amd64", value_parser = parse_arch)]
        arches: Vec<Arch>,
        /// Compiler flags, e.g. "-N -l".
        #[arg(long, default_value = "", allow_hyphen_values = true)]
        flags: String,
        /// Pass --flags to the compiler even when they are not among those that only change the generated code.
        #[arg(long)]
        any_flags: bool,
        #[command(flatten)]
        limits: Limits,
        /// A Go version to draw with (`1.22.12`, or `1.22` for its newest
        /// release), fetched through the Go module proxy once; give it twice
        /// to draw two versions side by side (default: the installed Go).
        #[arg(long = "go", value_name = "VERSION")]
        go_versions: Vec<String>,
        /// Which frames to draw: `focus` (from main.main or the goroutine's
        /// first function down, the callers above folded into one row),
        /// `all`, or functions separated by commas (`add1,add2`).
        #[arg(long, value_name = "FRAMES", default_value = "focus", value_parser = parse_frames)]
        frames: gostack_draw::Frames,
        /// Fold each run of words that nothing names and the step did not write into one row.
        #[arg(long)]
        fold: bool,
        /// Draw the heap objects the frames drawn point to, with their
        /// types (the runtime's) and fields, and the words pointing there.
        #[arg(long)]
        heap: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Ascii)]
        format: Format,
        /// What to show: the stack, the running function's frame layout, the steps up to --to, its listing, or a step-through page.
        #[arg(long, value_enum, default_value_t = View::Stack)]
        view: View,
        /// For --view trace and steps: the moment to stop at (default: the moment itself for a trace, the end of the run for steps).
        #[arg(long, value_name = "EVENT")]
        to: Option<String>,
    },
    /// List the calls and returns of a run as it goes, to find a moment to
    /// draw: each line's step works as `--at "step N"`, each `[nth N]` as
    /// `--nth N` of that entry or ret.
    Events {
        #[command(flatten)]
        build: BuildArgs,
        #[command(flatten)]
        limits: Limits,
        /// List from this step on.
        #[arg(long, value_name = "STEP", default_value_t = 0)]
        from: u64,
        /// List up to this step, and end the run there.
        #[arg(long, value_name = "STEP")]
        to: Option<u64>,
        /// List only the calls and returns of this function (repeatable),
        /// named as a moment names it: `add1`, `main.add1`, a method's short name.
        #[arg(long = "func", value_name = "NAME")]
        funcs: Vec<String>,
    },
    /// Compare every step of the emulator with the real CPU, single-stepped under ptrace;
    /// with --names, the names of the stack words and registers with Delve's.
    Verify {
        /// The Go source file (package main).
        file: PathBuf,
        /// Compiler flags, e.g. "-N -l".
        #[arg(long, default_value = "", allow_hyphen_values = true)]
        flags: String,
        /// GOARCH: amd64 or 386 (a 32-bit process, for the steps and the names alike).
        #[arg(long, default_value = "amd64", value_parser = parse_arch)]
        arch: Arch,
        /// Check the names instead: stop the real program under Delve (built once with
        /// go install into the cache) at every package function's entry, after each of
        /// its calls, at each RET and at the start of each source line, and compare where Delve places each argument,
        /// local and result with the words and registers the pictures name.
        #[arg(long)]
        names: bool,
        /// The most steps of package main to compare; the report says when it stopped there.
        #[arg(long, value_name = "N", default_value_t = 1_000_000)]
        max_steps: u64,
        /// Compare every step of package main before this moment, named as
        /// `stack --at` names one (a `step N` counts in verify's own run,
        /// which gives the program GODEBUG=cpu.all=off).
        #[arg(long, value_name = "EVENT", conflicts_with = "names")]
        at: Option<String>,
        /// Which time the moment happens (1 = first).
        #[arg(long, default_value_t = 1, value_parser = parse_nth, requires = "at")]
        nth: usize,
        /// The Go version to build with (`1.22.12`, or `1.22` for its newest
        /// release), fetched through the Go module proxy once (default: the
        /// installed Go).
        #[arg(long = "go", value_name = "VERSION")]
        go_version: Option<String>,
    },
    /// Serve the explorer page on 127.0.0.1: edit a program, build it, click
    /// an instruction or an event to draw the stack there, step, and copy
    /// the block that draws it in a chapter.
    Serve {
        /// The program the page opens with (default: a small sample).
        file: Option<PathBuf>,
        /// The port (default: any free one); the address is printed, with
        /// the token the page needs.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The longest a compile or link may take, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        compile_seconds: u64,
        /// Stop each run after this many steps (a drawn run keeps each step, about 25 bytes).
        #[arg(long, value_name = "N", default_value_t = 50_000_000)]
        max_steps: u64,
        /// The most memory a program may map, in MiB.
        #[arg(long, value_name = "MIB", default_value_t = 1024)]
        max_memory: u64,
    },
    /// Run the program in the emulator: its stdout and stderr, its exit status.
    Run {
        #[command(flatten)]
        build: BuildArgs,
        /// Stop after this many steps (about a minute and a half of a recursive program).
        #[arg(long, value_name = "N", default_value_t = 20_000_000_000)]
        max_steps: u64,
        /// The most memory the program may map, in MiB; beyond it a mapping fails as on a full machine.
        #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_MEMORY_MIB)]
        max_memory: u64,
        /// Print `gostack: stats: steps=<n> seconds=<s>` on stderr at the end.
        #[arg(long)]
        stats: bool,
        /// A file whose bytes the program reads on standard input (default: none).
        #[arg(long, value_name = "FILE")]
        stdin: Option<PathBuf>,
        /// The folder the program runs in, which it sees as
        /// `/home/gopher/NAME`, read from the host and changed only in
        /// memory [default: the program's own folder].
        #[arg(long, value_name = "DIR")]
        workdir: Option<PathBuf>,
        /// A variable of the program's environment, `KEY=VALUE` (repeatable),
        /// e.g. `--env GODEBUG=gctrace=1`; it replaces a default of the same
        /// name. The defaults: HOME=/home/gopher PATH=/usr/bin:/bin.
        #[arg(long, value_name = "KEY=VALUE", value_parser = env_var)]
        env: Vec<String>,
        /// Arguments for the program, after its name in `os.Args`.
        #[arg(long, value_name = "ARG", num_args = 1.., allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// The working directory a run sees: `dir`, or the program's own folder.
fn work_dir(
    dir: Option<&std::path::Path>,
    file: &std::path::Path,
    go: &Go,
) -> Result<gostack_emu::WorkDir> {
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let folder = folder::HostFolder::new(&dir)
        .with_context(|| format!("--workdir {}: not a directory to run in", dir.display()))?;
    let name = dir
        .canonicalize()?
        .file_name()
        .map_or("work".to_string(), |n| n.to_string_lossy().into_owned());
    Ok(gostack_emu::WorkDir {
        name,
        folder: std::sync::Arc::new(folder),
        // runtime.GOROOT() names Go's own tree, which the run does not have.
        host_dirs: vec![go.goroot().to_string()],
    })
}

/// The program's environment: the defaults, then `given` (a variable
/// given replaces the default of its name).
fn environment(given: Vec<String>) -> Vec<String> {
    let key = |v: &str| v.split_once('=').map_or(v, |(k, _)| k).to_string();
    let mut env: Vec<String> = ["HOME=/home/gopher", "PATH=/usr/bin:/bin"]
        .into_iter()
        .filter(|d| !given.iter().any(|g| key(g) == key(d)))
        .map(str::to_string)
        .collect();
    env.extend(given);
    env
}

/// Checks one `--env` value: `KEY=VALUE` with a non-empty key.
fn env_var(s: &str) -> Result<String, String> {
    match s.split_once('=') {
        Some((key, _)) if !key.is_empty() && !key.contains('\0') => Ok(s.to_string()),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

/// How to compile the program.
#[derive(Args, Debug)]
struct BuildArgs {
    /// The Go source file (package main).
    file: PathBuf,
    /// GOARCH to compile for: amd64 (register ABI) or 386 (stack ABI).
    #[arg(long, default_value = "amd64", value_parser = parse_arch)]
    arch: Arch,
    /// Compiler flags, e.g. "-N -l" to turn off optimisation and inlining.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    flags: String,
    /// Pass --flags to the compiler even when they are not among those that only change the generated code.
    #[arg(long)]
    any_flags: bool,
    /// Compile without reading or writing the listing cache.
    #[arg(long)]
    no_cache: bool,
    /// The Go version to build with (`1.22.12`, or `1.22` for its newest
    /// release), fetched through the Go module proxy once (default: the
    /// installed Go).
    #[arg(long = "go", value_name = "VERSION")]
    go_version: Option<String>,
}

/// The limits of a run that draws (`stack`, which keeps every step in
/// memory) or lists what a drawing can name (`events`, the same default).
#[derive(Args, Debug)]
struct Limits {
    /// Stop the run after this many steps (`stack` keeps each step, about 25 bytes of memory).
    #[arg(long, value_name = "N", default_value_t = gostack_draw::TRACED_MAX_STEPS)]
    max_steps: u64,
    /// The most memory the program may map, in MiB; beyond it a mapping fails as on a full machine.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_MEMORY_MIB)]
    max_memory: u64,
}

impl Limits {
    /// The bounds of a run.
    fn bounds(&self) -> gostack_draw::Bounds {
        gostack_draw::Bounds {
            max_steps: self.max_steps,
            max_memory: self.max_memory << 20,
            progress: None,
        }
    }
}

/// The default of --max-memory: what the emulator maps for the program, in MiB.
const DEFAULT_MAX_MEMORY_MIB: u64 = Config::DEFAULT_MEMORY_LIMIT >> 20;

fn parse_nth(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("the first time a moment happens is 1".to_string()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_frames(s: &str) -> Result<gostack_draw::Frames, String> {
    s.parse()
}

fn parse_arch(s: &str) -> Result<Arch, String> {
    s.parse()
        .map_err(|e: gostack_toolchain::UnknownArch| e.to_string())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_GOSTACK } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gostack: error: {e:#}");
            ExitCode::from(EXIT_GOSTACK)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Asm { build, func } => {
            let (compiled, _) = compile(&build)?;
            let source = std::fs::read_to_string(&build.file).unwrap_or_default();
            let text = asm::render(&compiled, &source, func.as_deref())?;
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Stack {
            file,
            at,
            nth,
            beside,
            goroutine,
            arches,
            flags,
            any_flags,
            limits,
            go_versions,
            frames,
            fold,
            heap,
            format,
            view,
            to,
        } => {
            let go = Go::find()?;
            let gos = if go_versions.is_empty() {
                vec![go]
            } else {
                go_versions
                    .iter()
                    .map(|v| go.fetch(v, &progress))
                    .collect::<Result<Vec<_>, _>>()?
            };
            let source = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let file_name = file
                .file_name()
                .map_or("main.go".into(), |n| n.to_string_lossy().into_owned());
            let request = gostack_draw::Request {
                source,
                file_name,
                arches,
                flags: flags.split_whitespace().map(str::to_string).collect(),
                any_flags,
                at,
                nth,
                beside,
                goroutine,
                view,
                to,
                frames,
                fold,
                heap,
                bounds: limits.bounds(),
            };
            let drawing = gostack_draw::draw(&gos, &cache(false), &request)?;
            let bytes = match format {
                Format::Png => gostack_draw::png(&drawing)?,
                _ => gostack_draw::render(&drawing, format, "gostack-steps").into_bytes(),
            };
            std::io::stdout().write_all(&bytes)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Events {
            build,
            limits,
            from,
            to,
            funcs,
        } => {
            let go = build.go()?;
            let filter = gostack_draw::events::Filter { from, to, funcs };
            // Line by line to a terminal, as the run goes; in blocks to a pipe or a file.
            let mut stdout: Box<dyn std::io::Write> = if std::io::stdout().is_terminal() {
                Box::new(std::io::stdout().lock())
            } else {
                Box::new(std::io::BufWriter::with_capacity(
                    1 << 16,
                    std::io::stdout().lock(),
                ))
            };
            let mut failed = None;
            let mut line = String::new();
            let mut out = |event: &gostack_draw::events::Event<'_>| {
                line.clear();
                // Formatted into a String first: far cheaper than into the writer, piece by piece.
                let _ = writeln!(line, "{event}");
                let written = stdout.write_all(line.as_bytes());
                written.map_err(|e| failed = Some(e)).is_ok()
            };
            gostack_draw::events::events(
                &go,
                &cache(build.no_cache),
                &build.request()?,
                &limits.bounds(),
                &filter,
                &mut out,
            )?;
            match failed.map_or_else(|| stdout.flush(), Err) {
                // The reader has seen enough (`gostack events | head`).
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
                written => {
                    written?;
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        Command::Verify {
            file,
            flags,
            arch,
            names: true,
            go_version,
            ..
        } => {
            let go = go_for(go_version.as_deref())?;
            let flags: Vec<String> = flags.split_whitespace().map(str::to_string).collect();
            let report = gostack_oracle::verify_names(
                &go,
                &cache(false),
                &file,
                arch,
                &flags,
                gostack_oracle::Moments::CallsAndLines,
            )?;
            println!("{report}");
            Ok(if report.disagreements.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Verify {
            file,
            flags,
            arch,
            max_steps,
            go_version,
            at,
            nth,
            ..
        } => {
            let go = go_for(go_version.as_deref())?;
            let mut config = gostack_oracle::Config::new(flags.split_whitespace());
            config.arch = arch;
            config.max_steps = max_steps;
            if let Some(at) = at {
                let moment = gostack_draw::Moment::parse(&at)?;
                config.until = Some(gostack_oracle::Until(std::sync::Arc::new(move |run| {
                    moment
                        .resolve(run, nth, None)
                        .map_err(|e| format!("--at: {e}"))
                })));
            }
            // The runtime's start and whatever runs between package steps.
            config.emulator_steps = config
                .emulator_steps
                .max(max_steps.saturating_mul(gostack_oracle::EMULATOR_STEPS_PER_STEP));
            let report = gostack_oracle::verify(&go, &cache(false), &file, &config)?;
            println!("{report}");
            Ok(if report.first_difference.is_none() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Serve {
            file,
            port,
            compile_seconds,
            max_steps,
            max_memory,
        } => {
            let source = match &file {
                Some(path) => std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?,
                None => include_str!("../../../go-samples/add/main.go").to_string(),
            };
            let limits = serve::Limits {
                compile: std::time::Duration::from_secs(compile_seconds),
                max_steps,
                max_memory: max_memory << 20,
            };
            serve::serve(Go::find()?, cache(false), port, source, limits, |url| {
                println!("gostack: the explorer is at {url}");
                let _ = std::io::stdout().flush();
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Run {
            build,
            max_steps,
            max_memory,
            stats,
            stdin,
            workdir,
            env,
            args,
        } => {
            let go = build.go()?;
            let req = build.request()?;
            let built = gostack_toolchain::build(&go, &req, &cache(build.no_cache))
                .with_context(|| format!("building {} for {}", build.file.display(), build.arch))?;
            let parsed = gostack_listing::parse(&built.compiled.listing);
            let mut config = Config::new(build.arch);
            config.max_steps = max_steps;
            config.memory_limit = max_memory << 20;
            let program = build
                .file
                .file_stem()
                .map_or("main".into(), |s| s.to_string_lossy().into_owned());
            let world = World {
                args: std::iter::once(program).chain(args).collect(),
                env: environment(env),
                stdin: match &stdin {
                    Some(path) => std::fs::read(path)
                        .with_context(|| format!("reading {}", path.display()))?,
                    None => Vec::new(),
                },
                workdir: Some(work_dir(workdir.as_deref(), &build.file, &go)?),
            };
            let start = Instant::now();
            let run = gostack_emu::run(&parsed.listing, &built.executable, &config, &world)?;
            let seconds = start.elapsed().as_secs_f64();
            std::io::stdout().write_all(&run.stdout)?;
            std::io::stdout().flush()?;
            std::io::stderr().write_all(&run.stderr)?;
            if let Some(size) = run.memory_refused {
                eprintln!(
                    "{} ({max_memory} MiB): a mapping of {} MiB failed as on a full machine; raise the cap with --max-memory",
                    gostack_emu::MEMORY_REFUSED,
                    size.div_ceil(1 << 20)
                );
            }
            if stats {
                eprintln!("gostack: stats: steps={} seconds={seconds:.6}", run.steps);
            }
            match run.stop {
                Stop::Exited(code) => Ok(ExitCode::from((code & 0xff) as u8)),
                stop => bail!("{stop}"),
            }
        }
    }
}

/// The listing cache, reporting progress as [`progress`] does.
fn cache(disabled: bool) -> Cache {
    let cache = if disabled {
        Cache::disabled()
    } else {
        Cache::new(Cache::default_dir())
    };
    cache.with_progress(progress)
}

/// Says what takes long (a first compile, a Go download) on stderr when it
/// is a terminal: never among the program's own output that `run`
/// reproduces, nor in a log.
fn progress(message: &str) {
    if std::io::stderr().is_terminal() {
        eprintln!("gostack: {message}");
    }
}

/// The installed Go, or the release `version` names, fetched once.
fn go_for(version: Option<&str>) -> Result<Go> {
    let go = Go::find()?;
    Ok(match version {
        Some(v) => go.fetch(v, &progress)?,
        None => go,
    })
}

impl BuildArgs {
    /// The Go the program is built with.
    fn go(&self) -> Result<Go> {
        go_for(self.go_version.as_deref())
    }

    /// The compile request for the program of `build`.
    fn request(&self) -> Result<CompileRequest> {
        let flags: Vec<String> = self.flags.split_whitespace().map(str::to_string).collect();
        Ok(
            CompileRequest::from_file(&self.file, self.arch, &flags)?
                .with_any_flags(self.any_flags),
        )
    }
}

/// Compiles the program of `build` with the installed Go, through the cache.
fn compile(build: &BuildArgs) -> Result<(gostack_toolchain::Compiled, Go)> {
    let go = build.go()?;
    let cache = cache(build.no_cache);
    let compiled = gostack_toolchain::compile(&go, &build.request()?, &cache)
        .with_context(|| format!("compiling {} for {}", build.file.display(), build.arch))?;
    Ok((compiled, go))
}
