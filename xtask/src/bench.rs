//! `cargo xtask bench`: the emulator's speed as a user meets it, beside a
//! Unicorn anchor measured in the same script.
//!
//! - Untraced: `gostack run --stats` on a recursive fib(30) (about 40
//!   million steps, Go runtime included): steps per second of the run as
//!   `--stats` times it (loading the executable, its DWARF, decoding, running).
//! - Traced: `gostack stack --at "main.main ret"` on fib(25) (about 4
//!   million steps), timed as a whole process: the listing and executable
//!   from the cache, loading, the traced run, finding the moment, drawing.
//!   Its steps are those `gostack run --stats` counts for the same program.
//!   Memory: the trace's bytes per step, and the process's peak resident
//!   memory per step.
//! - Events: `gostack events` on fib(30), the list thrown away, timed as a
//!   whole process (as `stack`), with its peak resident memory: the list
//!   streams, so memory stays flat.
//! - The anchor (`xtask/bench/anchor.c`): Unicorn running a hand-written
//!   x86-64 recursive fib(30) with a `UC_HOOK_CODE` hook counting every
//!   instruction, built against the library of the `unicorn` Python wheel
//!   (`pip install unicorn`); skipped, saying so, when that is missing.
//!
//! Each figure is the best of three runs. Nothing here runs in `cargo test`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use gostack_emu::{Arch, Config, World};
use gostack_toolchain::{Cache, CompileRequest, Go};

use crate::project_root;

/// Runs of each measurement; the best counts.
const RUNS: usize = 3;

pub(crate) fn run() -> Result<()> {
    let root = project_root();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "-p", "gostack"])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("cargo build --release -p gostack failed");
    }
    let gostack = target.join("release/gostack");
    let benches = root.join("crates/emu/benches");
    let fib30 = benches.join("fib.go");
    let fib25 = benches.join("fib25.go");
    println!("gostack, best of {RUNS} runs:");
    for arch in ["amd64", "386"] {
        let (steps, seconds) = best(|| stats(&gostack, arch, &fib30))?;
        println!(
            "  untraced {arch:5}  fib(30), gostack run --stats: {steps} steps in {seconds:.3} s = {:.1}M steps/s",
            steps as f64 / seconds / 1e6
        );
    }
    for arch in ["amd64", "386"] {
        let (steps, _) = stats(&gostack, arch, &fib25)?;
        let (peak, seconds) = best(|| stack(&gostack, arch, &fib25))?;
        let trace = trace_bytes(arch, &fib25)?;
        println!(
            "  traced   {arch:5}  fib(25), gostack stack --at \"main.main ret\", whole process: {steps} steps in {seconds:.3} s = {:.1}M steps/s; trace {:.1} bytes/step, peak resident {:.1} bytes/step",
            steps as f64 / seconds / 1e6,
            trace as f64 / steps as f64,
            peak as f64 / steps as f64,
        );
    }
    for arch in ["amd64", "386"] {
        let (steps, _) = stats(&gostack, arch, &fib30)?;
        let (peak, seconds) = best(|| events(&gostack, arch, &fib30))?;
        println!(
            "  events   {arch:5}  fib(30), gostack events, whole process, list thrown away: {steps} steps in {seconds:.3} s = {:.1}M steps/s; peak resident {:.1} MB",
            steps as f64 / seconds / 1e6,
            peak as f64 / 1e6,
        );
    }
    match anchor(&root, &target) {
        Ok((steps, hooked, plain)) => println!(
            "Unicorn anchor: hand-written x86-64 recursive fib(30), UC_HOOK_CODE counting every instruction: {steps} instructions in {hooked:.3} s = {:.1}M steps/s (without the hook: {plain:.3} s)",
            steps as f64 / hooked / 1e6
        ),
        Err(e) => println!("Unicorn anchor: not run ({e:#})"),
    }
    Ok(())
}

/// The best (lowest-seconds) of [`RUNS`] measurements.
fn best<T>(mut measure: impl FnMut() -> Result<(T, f64)>) -> Result<(T, f64)> {
    let mut best = measure()?;
    for _ in 1..RUNS {
        let m = measure()?;
        if m.1 < best.1 {
            best = m;
        }
    }
    Ok(best)
}

/// `gostack run --stats`: the steps and the seconds it reports.
fn stats(gostack: &Path, arch: &str, program: &Path) -> Result<(u64, f64)> {
    let out = Command::new(gostack)
        .args(["run", "--stats", "--arch", arch])
        .arg(program)
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("gostack: stats: "))
        .with_context(|| format!("no stats from gostack run: {stderr}"))?;
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(name))
            .with_context(|| format!("no {name} in `{line}`"))
    };
    Ok((field("steps=")?.parse()?, field("seconds=")?.parse()?))
}

/// `gostack stack` at the last moment of main: its peak resident bytes and its wall-clock seconds.
fn stack(gostack: &Path, arch: &str, program: &Path) -> Result<(u64, f64)> {
    whole_process(
        Command::new(gostack)
            .args(["stack", "--arch", arch, "--at", "main.main ret"])
            .arg(program),
    )
}

/// `gostack events`, its list thrown away: its peak resident bytes and its wall-clock seconds.
fn events(gostack: &Path, arch: &str, program: &Path) -> Result<(u64, f64)> {
    whole_process(
        Command::new(gostack)
            .args(["events", "--arch", arch])
            .arg(program),
    )
}

/// Runs `command` with its output thrown away: its peak resident bytes and its wall-clock seconds.
fn whole_process(command: &mut Command) -> Result<(u64, f64)> {
    let start = Instant::now();
    let mut child = command.stdout(Stdio::null()).spawn()?;
    // The kernel's high-water mark of resident memory, read until the process ends.
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Some(kb) = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        }) {
            peak = peak.max(kb * 1024);
        }
        std::thread::sleep(Duration::from_micros(500));
    };
    let seconds = start.elapsed().as_secs_f64();
    if !status.success() {
        bail!("{command:?} failed");
    }
    Ok((peak, seconds))
}

/// The bytes the trace of `program` takes, run in this process.
fn trace_bytes(arch: &str, program: &Path) -> Result<usize> {
    let go = Go::find()?;
    let arch = match arch {
        "386" => Arch::I386,
        _ => Arch::Amd64,
    };
    let request = CompileRequest::from_file(program, arch, &[])?;
    let built = gostack_toolchain::build(&go, &request, &Cache::new(Cache::default_dir()))?;
    let listing = gostack_listing::parse(&built.compiled.listing).listing;
    let mut config = Config::new(arch);
    config.trace = true;
    let world = World {
        args: vec!["main".into()],
        ..World::default()
    };
    let run = gostack_emu::run(&listing, &built.executable, &config, &world)?;
    Ok(run.trace.as_ref().map_or(0, |t| t.size()))
}

/// Builds and runs the Unicorn anchor: (instructions, seconds hooked, seconds without the hook).
fn anchor(root: &Path, target: &Path) -> Result<(u64, f64, f64)> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, unicorn; print(os.path.dirname(unicorn.__file__))",
        ])
        .output()
        .context("python3 is needed to find the unicorn wheel")?;
    if !out.status.success() {
        bail!("the `unicorn` Python wheel is not installed (pip install unicorn)");
    }
    let wheel = PathBuf::from(String::from_utf8(out.stdout)?.trim());
    let lib = wheel.join("lib");
    let exe = target.join("unicorn-anchor");
    let status = Command::new("cc")
        .arg("-O2")
        .arg("-I")
        .arg(wheel.join("include"))
        .arg(root.join("xtask/bench/anchor.c"))
        .arg("-o")
        .arg(&exe)
        .arg(lib.join("libunicorn.so.2"))
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .status()
        .context("a C compiler (cc) is needed to build the anchor")?;
    if !status.success() {
        bail!("the anchor did not compile");
    }
    let out = Command::new(&exe).output()?;
    let text = String::from_utf8(out.stdout)?;
    let mut words = text.split_whitespace();
    match (
        words.next(),
        words.next(),
        words.next(),
        words.next(),
        words.next(),
    ) {
        (Some("hooked"), Some(steps), Some(hooked), Some("unhooked"), Some(plain)) => {
            Ok((steps.parse()?, hooked.parse()?, plain.parse()?))
        }
        _ => bail!(
            "the anchor failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
