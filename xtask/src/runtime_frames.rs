//! `cargo xtask runtime-frames`: measures the Go runtime's own frames, per Go
//! version and GOARCH, and writes them to `crates/emu/src/runtime/measured.rs`
//! (see `crates/emu/src/runtime/facts.rs` for what each figure means).
//!
//! For each version it builds small probe programs for amd64 and 386, runs
//! each under gdb (`runtime_frames.py`) to the first instruction of a package
//! function or a deferred closure, and reads the stack there. The work
//! directory is `target/runtime-frames/`, kept between runs for Go's build cache.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

use crate::project_root;

/// The gdb script that does the measuring.
const SCRIPT: &str = include_str!("runtime_frames.py");

/// The file `--write` writes, relative to the repository root.
const OUTPUT: &str = "crates/emu/src/runtime/measured.rs";

/// The GOARCHes measured, in table order, with their name in `gostack_listing::Arch`.
const ARCHES: [(&str, &str); 2] = [("amd64", "Amd64"), ("386", "I386")];

/// Packages whose import may leave the stack bigger when `main.main` starts,
/// with the first minor version that has them.
const PACKAGES: &[(&str, u32)] = &[
    ("bufio", 0),
    ("bytes", 0),
    ("errors", 0),
    ("fmt", 0),
    ("io", 0),
    ("maps", 21),
    ("math", 0),
    ("math/rand", 0),
    ("os", 0),
    ("slices", 21),
    ("sort", 0),
    ("strconv", 0),
    ("strings", 0),
    ("sync", 0),
    ("time", 0),
    ("unicode", 0),
    ("unicode/utf8", 0),
];

/// A program that imports nothing: `main.main` is where the stack is read.
const MAIN: &str = "func main() { println(\"main\") }\n";

/// A program with an init function (the compiler names it `main.init.0`).
const INIT: &str = "func init() { println(\"init\") }\n\nfunc main() { println(\"main\") }\n";

/// The chains, in `Facts` order: each program's `f` reaches the runtime with
/// a deferred closure (`main.f.func1`) pending, which the runtime then calls.
const CHAINS: [(&str, &str); 6] = [
    (
        "deferreturn",
        "func f() {\n\tdefer func() { println(\"deferred\") }()\n\tprintln(\"f\")\n}\n",
    ),
    (
        "panic",
        "func f() {\n\tdefer func() { recover() }()\n\tpanic(\"x\")\n}\n",
    ),
    (
        "divide",
        "var zero = 0\n\nfunc f() int {\n\tdefer func() { recover() }()\n\ta := 1\n\treturn a / zero\n}\n",
    ),
    (
        "nil",
        "var p *int\n\nfunc f() int {\n\tdefer func() { recover() }()\n\treturn *p\n}\n",
    ),
    (
        "index",
        "var s = []int{1, 2, 3}\nvar i = 5\n\nfunc f() int {\n\tdefer func() { recover() }()\n\treturn s[i]\n}\n",
    ),
    (
        "slice",
        "var s = []int{1, 2, 3}\nvar n = 5\n\nfunc f() []int {\n\tdefer func() { recover() }()\n\treturn s[:n]\n}\n",
    ),
];

/// Runtime functions that package code calls and that panic, keyed as the
/// emulator looks them up (the function the listing calls, and for
/// `makeslice` which of its panics): each program's `f` makes the call with a
/// deferred closure (`main.f.func1`) pending.
const CALLS: [(&str, &str); 7] = [
    (
        "runtime.panicshift",
        "var k = -1\n\nfunc f() int {\n\tdefer func() { recover() }()\n\treturn 1 << k\n}\n",
    ),
    (
        "runtime.makeslice:len",
        "var n = -1\n\nfunc f() []int {\n\tdefer func() { recover() }()\n\treturn make([]int, n)\n}\n",
    ),
    (
        "runtime.makeslice:cap",
        "var n = 2\n\nfunc f() []int {\n\tdefer func() { recover() }()\n\treturn make([]int, n, 1)\n}\n",
    ),
    (
        "runtime.mapassign_faststr",
        "var m map[string]int\n\nfunc f() {\n\tdefer func() { recover() }()\n\tm[\"a\"] = 1\n}\n",
    ),
    (
        "runtime.mapassign_fast64",
        "var m map[int64]int\n\nfunc f() {\n\tdefer func() { recover() }()\n\tm[1] = 1\n}\n",
    ),
    (
        "runtime.mapassign_fast32",
        "var m map[int32]int\n\nfunc f() {\n\tdefer func() { recover() }()\n\tm[1] = 1\n}\n",
    ),
    (
        "runtime.mapassign",
        "var m map[[3]int]int\n\nfunc f() {\n\tdefer func() { recover() }()\n\tm[[3]int{1, 2, 3}] = 1\n}\n",
    ),
];

/// The fmt functions whose calls of a package type's `String` or `Error`
/// method are measured, with how the probe calls them on `x`.
const FMT_CALLS: [(&str, &str); 10] = [
    ("fmt.Print", "fmt.Print(x)"),
    ("fmt.Println", "fmt.Println(x)"),
    ("fmt.Printf", "fmt.Printf(\"%v\", x)"),
    ("fmt.Sprint", "_ = fmt.Sprint(x)"),
    ("fmt.Sprintln", "_ = fmt.Sprintln(x)"),
    ("fmt.Sprintf", "_ = fmt.Sprintf(\"%v\", x)"),
    ("fmt.Errorf", "_ = fmt.Errorf(\"%v\", x)"),
    ("fmt.Fprint", "fmt.Fprint(os.Stdout, x)"),
    ("fmt.Fprintln", "fmt.Fprintln(os.Stdout, x)"),
    ("fmt.Fprintf", "fmt.Fprintf(os.Stdout, \"%v\", x)"),
];

/// One measured call of package code into a runtime or library function
/// that comes back into package code: the key the emulator looks it up by,
/// the probe's declarations and `f`, and the function reached.
struct Call {
    key: String,
    program: String,
    target: String,
}

/// Every call measured: the panicking runtime functions (reaching
/// `main.f.func1`, the deferred closure), then fmt calling `String` and
/// `Error` methods (reaching `main.(*T).String` or `.Error`).
fn calls() -> Vec<Call> {
    let mut out: Vec<Call> = CALLS
        .iter()
        .map(|(key, program)| Call {
            key: key.to_string(),
            program: program.to_string(),
            target: "main.f.func1".into(),
        })
        .collect();
    for method in ["String", "Error"] {
        for (func, call) in FMT_CALLS {
            out.push(Call {
                key: format!("{func}:{method}"),
                program: format!(
                    "import (\n\t\"fmt\"\n\t\"os\"\n)\n\nvar _ = os.Stdout\n\ntype T struct{{ n int }}\n\n\
                     func (t *T) {method}() string {{ return \"t\" }}\n\nvar x = &T{{1}}\n\nfunc f() {{\n\t{call}\n}}\n"
                ),
                target: format!("main.(*T).{method}"),
            });
        }
    }
    out
}

/// The directory (and binary) name of the probe for the call keyed `key`.
fn call_dir(key: &str) -> String {
    format!("call-{}", key.replace(['.', ':'], "-"))
}

/// Measures the given Go versions (or the installed Go) and prints the table,
/// or with `write` writes it to `measured.rs`.
pub(crate) fn run(write: bool, versions: &[String]) -> Result<()> {
    let work = project_root().join("target/runtime-frames");
    std::fs::create_dir_all(&work)?;
    let script = work.join("runtime_frames.py");
    std::fs::write(&script, SCRIPT)?;

    let mut table = Vec::new();
    let gos: Vec<Option<&str>> = if versions.is_empty() {
        vec![None]
    } else {
        versions.iter().map(|v| Some(v.as_str())).collect()
    };
    for version in gos {
        let go = Go::find(version, &work)?;
        for (goarch, arch) in ARCHES {
            let facts = measure(&go, goarch, &work, &script)
                .with_context(|| format!("measuring go{} {goarch}", go.version))?;
            table.push((go.minor, arch, render(&go, arch, &facts)));
        }
    }
    table.sort_by_key(|(minor, arch, _)| (*minor, *arch != "Amd64"));

    let source = rustfmt(&module(&versions.join(" "), &table))?;
    if write {
        let path = project_root().join(OUTPUT);
        std::fs::write(&path, source).with_context(|| format!("writing {OUTPUT}"))?;
        eprintln!("wrote {OUTPUT}");
    } else {
        print!("{source}");
    }
    Ok(())
}

/// A Go toolchain to build the probes with.
struct Go {
    /// The `go` command.
    cmd: PathBuf,
    /// Environment that selects the toolchain.
    env: Vec<(&'static str, String)>,
    /// Its version, e.g. `1.26.8`.
    version: String,
    /// Its minor version.
    minor: u32,
}

impl Go {
    /// The toolchain of `version` (through `GOTOOLCHAIN`), or the installed `go`.
    fn find(version: Option<&str>, work: &Path) -> Result<Go> {
        let mut go = Go {
            cmd: "go".into(),
            env: Vec::new(),
            version: String::new(),
            minor: 0,
        };
        if let Some(v) = version {
            go.env.push(("GOTOOLCHAIN", format!("go{v}")));
            eprintln!("go{v}: fetching the toolchain");
            // Go 1.19's go command cannot build the standard library from
            // a GOROOT inside the module cache (`import "": import of
            // unknown directory`): build with a copy of the toolchain.
            if minor_of(v)? < 20 {
                let goroot = PathBuf::from(go.output(&["env", "GOROOT"], None)?.trim());
                go = Go::copied(&goroot, &work.join(format!("go{v}")))?;
            }
        }
        let full = go.output(&["env", "GOVERSION"], None)?;
        go.version = full.trim().trim_start_matches("go").to_string();
        if let Some(v) = version
            && go.version != v
        {
            bail!("asked for go{v}, got go{}", go.version);
        }
        go.minor = minor_of(&go.version)?;
        Ok(go)
    }

    /// The toolchain in `goroot`, copied to `copy` (once).
    fn copied(goroot: &Path, copy: &Path) -> Result<Go> {
        if !copy.join("bin/go").exists() {
            eprintln!("copying {} to {}", goroot.display(), copy.display());
            let _ = std::fs::remove_dir_all(copy);
            let status = Command::new("cp")
                .arg("-R")
                .arg(goroot)
                .arg(copy)
                .status()?;
            // The module cache is read-only, and so is the copy.
            let writable = Command::new("chmod")
                .arg("-R")
                .arg("u+w")
                .arg(copy)
                .status()?;
            if !status.success() || !writable.success() {
                bail!("copying {} failed", goroot.display());
            }
        }
        Ok(Go {
            cmd: copy.join("bin/go"),
            env: vec![
                ("GOTOOLCHAIN", "local".into()),
                ("GOROOT", copy.display().to_string()),
            ],
            version: String::new(),
            minor: 0,
        })
    }

    /// Runs the go command in `dir` (with `GOARCH` set if given); its stdout.
    fn output(&self, args: &[&str], in_dir: Option<(&Path, &str)>) -> Result<String> {
        let mut cmd = Command::new(&self.cmd);
        cmd.args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("CGO_ENABLED", "0")
            .env("GOWORK", "off")
            .env("GOFLAGS", "");
        if let Some((dir, goarch)) = in_dir {
            cmd.current_dir(dir).env("GOARCH", goarch);
        }
        let out = cmd
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
}

/// The minor version of a Go version like `1.26.8`.
fn minor_of(version: &str) -> Result<u32> {
    version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .with_context(|| format!("no minor version in `{version}`"))
}

/// Where the package's code starts: see `facts::Entry`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    ret: (String, u64),
    sp: u64,
    bp: u64,
}

impl Entry {
    fn show(&self) -> String {
        format!(
            "returns to {}+{:#x}, sp {:#x}, bp {:#x}",
            self.ret.0, self.ret.1, self.sp, self.bp
        )
    }
}

/// One runtime frame of a chain: see `facts::Frame`.
#[derive(Debug)]
struct Frame {
    func: String,
    size: u64,
    ret: u64,
}

impl Frame {
    fn show(&self) -> String {
        format!("{} size {:#x} ret {:#x}", self.func, self.size, self.ret)
    }
}

/// Everything measured for one version and GOARCH.
struct Measured {
    stack: u64,
    stack_after_import: Vec<(String, u64)>,
    goexit_slot: u64,
    main: Entry,
    init: Entry,
    chains: Vec<Vec<Frame>>,
    calls: Vec<Vec<Frame>>,
}

/// Builds the probes for `goarch` with `go` and measures them.
fn measure(go: &Go, goarch: &str, work: &Path, script: &Path) -> Result<Measured> {
    let tag = format!("go{} {goarch}", go.version);
    let dir = work.join(format!("go{}-{goarch}", go.version));
    let _ = std::fs::remove_dir_all(&dir);
    let packages: Vec<&str> = PACKAGES
        .iter()
        .filter(|(_, since)| go.minor >= *since)
        .map(|(p, _)| *p)
        .collect();
    let calls_list = calls();
    write_probes(&dir, &packages, &calls_list)?;
    eprintln!("{tag}: building the probes");
    let at = Some((dir.as_path(), goarch));
    go.output(&["build", "-gcflags=-N -l", "-o", "bin/", "./..."], at)?;
    go.output(&["build", "-o", "opt/", "./main", "./init"], at)?;

    let bin = |name: &str| dir.join("bin").join(name);
    let opt = |name: &str| dir.join("opt").join(name);
    let (stack, goexit_slot, main) = entry(script, &bin("main"), "main.main")?;
    eprintln!(
        "{tag} main: stack {stack:#x}, goexit slot {goexit_slot:#x}, {}",
        main.show()
    );
    // The runtime's frames do not depend on how package main was compiled.
    if entry(script, &opt("main"), "main.main")? != (stack, goexit_slot, main.clone()) {
        bail!("main.main starts elsewhere when package main is optimised");
    }
    let (_, init_goexit, init) = entry(script, &bin("init"), "main.init.0")?;
    eprintln!("{tag} init: {}", init.show());
    if init_goexit != goexit_slot {
        bail!(
            "goexit's slot moves: {init_goexit:#x} in an init function, {goexit_slot:#x} in main"
        );
    }
    if entry(script, &opt("init"), "main.init.0")?.2 != init {
        bail!("init functions start elsewhere when package main is optimised");
    }

    let mut chains = Vec::new();
    for (name, _) in CHAINS {
        let (frames, how) = chain(script, &bin(name), "main.f.func1")?;
        let shown: Vec<String> = frames.iter().map(Frame::show).collect();
        eprintln!("{tag} {name}: {how}; {}", shown.join(", "));
        chains.push(frames);
    }
    if chains[0].last().map(|f| f.func.as_str()) != Some("runtime.deferreturn") {
        bail!("the deferred closure was not called by runtime.deferreturn");
    }
    let mut calls = Vec::new();
    for Call { key, target, .. } in &calls_list {
        let (frames, how) = chain(script, &bin(&call_dir(key)), target)?;
        let called = key.split(':').next().unwrap_or(key);
        if !how.contains(&format!("<{called}>")) && !how.contains(&format!("<{called}.abi0>")) {
            bail!("the probe for {key} does not call {called}: {how}");
        }
        let shown: Vec<String> = frames.iter().map(Frame::show).collect();
        eprintln!("{tag} {key}: {how}; {}", shown.join(", "));
        calls.push(frames);
    }

    let mut stack_after_import = Vec::new();
    for p in packages {
        let (size, _, _) = entry(script, &bin(&import_dir(p)), "main.main")?;
        eprintln!("{tag} import {p}: stack {size:#x}");
        if size != stack {
            stack_after_import.push((p.to_string(), size));
        }
    }
    Ok(Measured {
        stack,
        stack_after_import,
        goexit_slot,
        main,
        init,
        chains,
        calls,
    })
}

/// The directory (and binary) name of the probe importing `package`.
fn import_dir(package: &str) -> String {
    format!("import-{}", package.replace('/', "-"))
}

/// Writes the probe module: one main package per probe.
fn write_probes(dir: &Path, packages: &[&str], calls: &[Call]) -> Result<()> {
    let mut probes = vec![("main".to_string(), MAIN.to_string())];
    probes.push(("init".into(), INIT.into()));
    for (name, f) in CHAINS {
        probes.push((name.into(), format!("{f}\nfunc main() {{ f() }}\n")));
    }
    for Call { key, program, .. } in calls {
        probes.push((call_dir(key), format!("{program}\nfunc main() {{ f() }}\n")));
    }
    for p in packages {
        probes.push((import_dir(p), format!("import _ \"{p}\"\n\n{MAIN}")));
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("go.mod"), "module probe\n\ngo 1.19\n")?;
    for (name, body) in probes {
        std::fs::create_dir_all(dir.join(&name))?;
        std::fs::write(
            dir.join(&name).join("main.go"),
            format!("package main\n\n{body}"),
        )?;
    }
    Ok(())
}

/// Runs the gdb script on `binary`; the JSON it reports.
fn gdb(script: &Path, binary: &Path, probe: &str, function: &str) -> Result<Value> {
    let out = Command::new("gdb")
        .args(["-batch", "-nx", "-iex", "set auto-load off", "-x"])
        .arg(script)
        .arg(binary)
        .env("GOSTACK_PROBE", probe)
        .env("GOSTACK_BREAK", function)
        .env("GODEBUG", "asyncpreemptoff=1")
        .stdin(Stdio::null())
        .output()
        .context("running gdb")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    match stdout.lines().find_map(|l| l.strip_prefix("RESULT ")) {
        Some(json) => Ok(serde_json::from_str(json)?),
        None => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let why: Vec<&str> = stderr
                .lines()
                .filter(|l| l.contains("runtime-frames:"))
                .collect();
            bail!(
                "gdb measured nothing in {}: {}",
                binary.display(),
                if why.is_empty() {
                    stderr.trim()
                } else {
                    why[0]
                }
            )
        }
    }
}

/// The stack size, goexit's slot and the entry of `function` in `binary`.
fn entry(script: &Path, binary: &Path, function: &str) -> Result<(u64, u64, Entry)> {
    let v = gdb(script, binary, "entry", function)?;
    let entry = Entry {
        ret: func_offset(&v["ret"])?,
        sp: number(&v["sp"])?,
        bp: number(&v["bp"])?,
    };
    Ok((number(&v["stack"])?, number(&v["goexit_slot"])?, entry))
}

/// The chain from package code to `main.f.func1` in `binary`, and how the
/// package code entered the runtime.
fn chain(script: &Path, binary: &Path, target: &str) -> Result<(Vec<Frame>, String)> {
    let v = gdb(script, binary, "chain", target)?;
    let frames = v["frames"]
        .as_array()
        .context("no frames")?
        .iter()
        .map(|f| {
            Ok(Frame {
                func: f[0].as_str().context("no function")?.to_string(),
                size: number(&f[1])?,
                ret: number(&f[2])?,
            })
        })
        .collect::<Result<_>>()?;
    let (func, off) = func_offset(&v["site"])?;
    let how = format!(
        "{} at {func}+{off:#x} ({})",
        v["kind"].as_str().unwrap_or("?"),
        v["insn"].as_str().unwrap_or("?")
    );
    Ok((frames, how))
}

fn number(v: &Value) -> Result<u64> {
    v.as_u64().with_context(|| format!("`{v}` is not a number"))
}

fn func_offset(v: &Value) -> Result<(String, u64)> {
    let func = v[0]
        .as_str()
        .with_context(|| format!("`{v}` has no function"))?;
    Ok((func.to_string(), number(&v[1])?))
}

/// One `Facts { .. }` literal.
fn render(go: &Go, arch: &str, m: &Measured) -> String {
    let entry = |e: &Entry| {
        format!(
            "Entry {{ ret: ({:?}, {:#x}), sp: {:#x}, bp: {:#x} }}",
            e.ret.0, e.ret.1, e.sp, e.bp
        )
    };
    let mut s = String::new();
    let _ = writeln!(s, "Facts {{");
    let _ = writeln!(s, "go: {:?},", go.version);
    let _ = writeln!(s, "minor: {},", go.minor);
    let _ = writeln!(s, "arch: Arch::{arch},");
    let _ = writeln!(s, "stack: {:#x},", m.stack);
    let imports: Vec<String> = m
        .stack_after_import
        .iter()
        .map(|(p, size)| format!("({p:?}, {size:#x})"))
        .collect();
    let _ = writeln!(s, "stack_after_import: &[{}],", imports.join(", "));
    let _ = writeln!(s, "goexit_slot: {:#x},", m.goexit_slot);
    let _ = writeln!(s, "main: {},", entry(&m.main));
    let _ = writeln!(s, "init: {},", entry(&m.init));
    let frames = |frames: &[Frame]| {
        let frames: Vec<String> = frames
            .iter()
            .map(|f| {
                format!(
                    "Frame {{ func: {:?}, size: {:#x}, ret: {:#x} }}",
                    f.func, f.size, f.ret
                )
            })
            .collect();
        format!("&[{}]", frames.join(", "))
    };
    for ((name, _), chain) in CHAINS.iter().zip(&m.chains) {
        let _ = writeln!(s, "{name}: {},", frames(chain));
    }
    let calls: Vec<String> = calls()
        .iter()
        .zip(&m.calls)
        .map(|(call, chain)| format!("({:?}, {})", call.key, frames(chain)))
        .collect();
    let _ = writeln!(s, "calls: &[{}],", calls.join(", "));
    s.push_str("},\n");
    s
}

/// The whole `measured.rs`.
fn module(versions: &str, table: &[(u32, &str, String)]) -> String {
    let command = format!("cargo xtask runtime-frames --write {versions}");
    let mut s = format!(
        "//! The Go runtime's frames as measured from each Go version's real runtime.\n\
         //!\n\
         //! Generated by `{}`: do not edit by hand.\n\n\
         use super::facts::{{Entry, Facts, Frame}};\n\
         use crate::Arch;\n\n\
         /// Every measured Go version and GOARCH, by minor version, amd64 first.\n\
         pub(crate) const MEASURED: &[Facts] = &[\n",
        command.trim_end()
    );
    for (_, _, facts) in table {
        s.push_str(facts);
    }
    s.push_str("];\n");
    s
}

/// `source` as rustfmt lays it out.
fn rustfmt(source: &str) -> Result<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("running rustfmt")?;
    child
        .stdin
        .take()
        .context("no stdin")?
        .write_all(source.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("rustfmt failed on the generated table");
    }
    Ok(String::from_utf8(out.stdout)?)
}
