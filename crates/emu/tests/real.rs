//! The whole-program engine against the real binary: every program of
//! `go-samples`, `test_data/programs` and `test_data/runtime`, linked with
//! the installed Go for amd64 and 386, optimised and with `-N -l`, is run
//! natively and in the emulator with the same arguments, standard input and
//! (empty) environment. Standard output and the exit status must be equal,
//! and standard error up to the goroutine traceback, addresses aside.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gostack_emu::{Arch, Config, Stop, World};
use gostack_toolchain::{Built, Cache, CompileRequest, Go, build};

const FLAG_SETS: [&[&str]; 2] = [&[], &["-N", "-l"]];
const ARGS: [&str; 2] = ["first", "-second"];
const STDIN: &[u8] = b"one\ntwo\nthree\n";

fn programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        root.join("../../go-samples"),
        root.join("test_data/programs"),
        root.join("test_data/runtime"),
    ] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("main.go").is_file())
            .collect();
        found.sort();
        assert!(!found.is_empty(), "{} holds programs", dir.display());
        out.extend(found);
    }
    out
}

/// What a run printed and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    stdout: String,
    /// Standard error up to the goroutine traceback, hexadecimal numbers as `0x?`.
    stderr: String,
    /// The exit status, or minus the signal that killed it.
    status: i32,
}

/// Standard error as compared: up to the first line of a goroutine
/// traceback, with addresses (which differ between any two real runs) hidden.
fn comparable_stderr(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("goroutine ")
            || line.starts_with("runtime stack:")
            || line.starts_with("[signal ")
        {
            break;
        }
        out.push_str(line);
    }
    hide_hex(&out)
}

fn hide_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        let digits = rest
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len());
        if digits > 0 {
            out.push('?');
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

fn native(executable: &[u8], dir: &Path) -> Outcome {
    native_with(executable, dir, &ARGS.map(str::to_string))
        .unwrap_or_else(|e| panic!("running {}: {e}", dir.display()))
}

/// The real binary run with `args`; `Err` when Linux refuses to start it.
fn native_with(executable: &[u8], dir: &Path, args: &[String]) -> std::io::Result<Outcome> {
    let path = dir.join("prog");
    std::fs::write(&path, executable).unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&path, perms).unwrap();
    // Another thread's fork may still hold the file open for writing for a
    // moment (ETXTBSY): try again.
    let mut tries = 0;
    let mut child = loop {
        match Command::new(&path)
            .args(args)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => break child,
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    };
    // A program that exits without reading closes the pipe: that is fine.
    let _ = child.stdin.take().unwrap().write_all(STDIN);
    let out = child.wait_with_output().unwrap();
    let status = out.status.code().unwrap_or_else(|| {
        -std::os::unix::process::ExitStatusExt::signal(&out.status).unwrap_or(0)
    });
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: comparable_stderr(&out.stderr),
        status,
    })
}

/// The installed Go and the tests' cache of builds.
fn toolchain() -> (Go, Cache) {
    let go = Go::find().expect("Go is installed");
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"));
    (go, cache)
}

/// The program in `dir` compiled and linked for `arch` with `flags`.
fn built(go: &Go, cache: &Cache, dir: &Path, arch: Arch, flags: &[String]) -> Built {
    let req = CompileRequest::from_file(&dir.join("main.go"), arch, flags).unwrap();
    build(go, &req, cache).unwrap()
}

/// What the program is started with: its name and `args`, and [`STDIN`].
fn world(args: &[String]) -> World {
    World {
        args: std::iter::once("prog".to_string())
            .chain(args.iter().cloned())
            .collect(),
        env: Vec::new(),
        stdin: STDIN.to_vec(),
        workdir: None,
    }
}

/// What the program is started with: its name alone.
fn bare_world() -> World {
    World {
        args: vec!["prog".into()],
        ..World::default()
    }
}

fn emulated(listing: &str, executable: &[u8], arch: Arch) -> Result<Outcome, String> {
    emulated_with(listing, executable, arch, &ARGS.map(str::to_string))
}

fn emulated_with(
    listing: &str,
    executable: &[u8],
    arch: Arch,
    args: &[String],
) -> Result<Outcome, String> {
    let parsed = gostack_listing::parse(listing);
    let mut config = Config::new(arch);
    config.max_steps = 500_000_000;
    let run = gostack_emu::run(&parsed.listing, executable, &config, &world(args))
        .map_err(|e| e.to_string())?;
    let status = match run.stop {
        Stop::Exited(code) => code,
        Stop::Killed(sig) => -sig,
        stop => {
            return Err(format!(
                "{stop}\n  stdout: {:?}\n  stderr: {:?}",
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            ));
        }
    };
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: comparable_stderr(&run.stderr),
        status,
    })
}

/// Every program, every configuration: the emulator's outcome is the real binary's.
#[test]
fn whole_programs_run_as_the_real_binary_does() {
    let (go, cache) = toolchain();
    let temp = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    for dir in programs() {
        for arch in Arch::ALL {
            for flags in FLAG_SETS {
                jobs.push((dir.clone(), arch, flags));
            }
        }
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for worker in 0..2 {
            let (go, cache, jobs, next, failures) = (&go, &cache, &jobs, &next, &failures);
            let scratch = temp.path().join(worker.to_string());
            std::fs::create_dir_all(&scratch).unwrap();
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((dir, arch, flags)) = jobs.get(i) else {
                        break;
                    };
                    let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
                    let what = format!(
                        "{} {arch} {flags:?}",
                        dir.file_name().unwrap().to_string_lossy()
                    );
                    let built = built(go, cache, dir, *arch, &flags);
                    let got = emulated(&built.compiled.listing, &built.executable, *arch);
                    let failure = match got {
                        Err(stop) => Some(format!("{what}: {stop}")),
                        Ok(got) => {
                            // The emulator's clock is virtual; the real binary's is not, and
                            // a loaded machine can reorder a timing program's real run
                            // (timers of 10, 20 and 30 ms firing out of order). Such a
                            // program gets three real runs: one must agree.
                            let mut want = native(&built.executable, &scratch);
                            for _ in 0..2 {
                                if got == want {
                                    break;
                                }
                                want = native(&built.executable, &scratch);
                            }
                            (got != want)
                                .then(|| format!("{what}:\n  real: {want:?}\n  emulated: {got:?}"))
                        }
                    };
                    failures.lock().unwrap().extend(failure);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} runs differ:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
}

/// Arguments as big as Linux takes start the program as they do natively;
/// those it refuses with E2BIG (a string over 32 pages, or all of them over
/// a quarter of the 8 MiB stack limit) are refused before the first step.
#[test]
fn arguments_start_the_program_exactly_when_linux_would() {
    let host = std::fs::read_to_string("/proc/self/limits").unwrap();
    let stack = host
        .lines()
        .find(|l| l.starts_with("Max stack size"))
        .unwrap()
        .split_whitespace()
        .nth(3)
        .unwrap()
        .to_string();
    assert_eq!(
        stack, "8388608",
        "the host's stack limit is the one gostack gives a run"
    );
    let (go, cache) = toolchain();
    let temp = tempfile::tempdir().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/runtime/args");
    let many = |n: usize, len: usize| vec!["x".repeat(len); n];
    for (args, starts) in [
        (many(12, 100_000), true),
        (many(20, 100_000), true),
        (many(21, 100_000), false),
        (many(1, 131_071), true),
        (many(1, 131_072), false),
    ] {
        let what = format!("{} arguments of {} bytes", args.len(), args[0].len());
        let native_outcome = |executable: &[u8]| native_with(executable, temp.path(), &args);
        for arch in Arch::ALL {
            let built = built(&go, &cache, &dir, arch, &[]);
            let real = native_outcome(&built.executable);
            let got = emulated_with(&built.compiled.listing, &built.executable, arch, &args);
            match (real, got) {
                (Ok(real), Ok(got)) if starts => assert_eq!(real, got, "{what}, {arch}"),
                (Err(e), Err(stop)) if !starts => {
                    assert_eq!(e.raw_os_error(), Some(7), "{what}: E2BIG natively");
                    assert!(stop.contains("too big (E2BIG)"), "{what}, {arch}: {stop}");
                }
                (real, got) => panic!("{what}, {arch}: real {real:?}, emulated {got:?}"),
            }
        }
    }
}

/// The toolchain links as `go build` does: a `//go:debug` line's default
/// is in the executable, so both binaries print the same natively.
#[test]
fn a_program_is_linked_as_go_build_links_it() {
    let (go, cache) = toolchain();
    let temp = tempfile::tempdir().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/programs/godebug");
    for arch in Arch::ALL {
        let ours = native(&built(&go, &cache, &dir, arch, &[]).executable, temp.path());
        let exe = temp.path().join("go-build");
        let built = Command::new(go.path())
            .args(["build", "-o"])
            .arg(&exe)
            .arg("main.go")
            .current_dir(&dir)
            .env("GOARCH", arch.as_goarch())
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "")
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        let theirs = native(&std::fs::read(&exe).unwrap(), temp.path());
        assert_eq!(ours, theirs, "{arch}");
        assert_eq!(ours.stdout, "recovered nil: true\n", "{arch}");
    }
}

/// Same executable, same run: byte-identical output and the same step count.
#[test]
fn runs_are_deterministic() {
    let (go, cache) = toolchain();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/runtime/timers");
    for arch in Arch::ALL {
        let built = built(&go, &cache, &dir, arch, &[]);
        let parsed = gostack_listing::parse(&built.compiled.listing);
        let config = Config::new(arch);
        let world = bare_world();
        let runs: Vec<_> = (0..2)
            .map(|_| gostack_emu::run(&parsed.listing, &built.executable, &config, &world).unwrap())
            .collect();
        assert_eq!(runs[0].stop, Stop::Exited(0), "{arch}");
        assert_eq!(runs[0].stdout, runs[1].stdout, "{arch}");
        assert_eq!(runs[0].stderr, runs[1].stderr, "{arch}");
        assert_eq!(runs[0].steps, runs[1].steps, "{arch}");
    }
}

/// The plain step loop (which runs groups of instructions as one, and
/// keeps flags waiting from one step to the next) and the step-by-step
/// loop of a watched run (which settles the flags after every step) are
/// the same run: every program, every configuration, ends alike after the
/// same steps.
#[test]
fn plain_runs_are_step_by_step_runs() {
    let (go, cache) = toolchain();
    let mut differ = Vec::new();
    let mut runs = 0;
    for dir in programs() {
        for arch in Arch::ALL {
            for flags in FLAG_SETS {
                let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
                let built = built(&go, &cache, &dir, arch, &flags);
                let parsed = gostack_listing::parse(&built.compiled.listing);
                let mut config = Config::new(arch);
                config.max_steps = 500_000_000;
                let world = world(&ARGS.map(str::to_string));
                let plain =
                    gostack_emu::run(&parsed.listing, &built.executable, &config, &world).unwrap();
                let mut report = |_: &gostack_emu::Seen<'_>| true;
                let watch = gostack_emu::Watch {
                    package: false,
                    entries: Vec::new(),
                    report: &mut report,
                };
                let stepped =
                    gostack_emu::watch(&parsed.listing, &built.executable, &config, &world, watch)
                        .unwrap();
                runs += 1;
                let ends = |r: &gostack_emu::Run| {
                    (
                        format!("{:?}", r.stop),
                        r.steps,
                        r.stdout.clone(),
                        r.stderr.clone(),
                    )
                };
                if ends(&plain) != ends(&stepped) {
                    differ.push(format!(
                        "{} {arch} {flags:?}: plain {:?} after {} steps, step by step {:?} after {}",
                        dir.display(),
                        plain.stop,
                        plain.steps,
                        stepped.stop,
                        stepped.steps
                    ));
                }
            }
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {runs} runs differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

/// A run whose step limit is exactly its last step (the exit) ends as the
/// program does, not at the limit: a step that stops the run stops it even
/// as the last step the limit allows.
#[test]
fn a_run_ending_on_its_step_limit_ends_as_the_program_does() {
    let (go, cache) = toolchain();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples/add");
    for arch in Arch::ALL {
        let built = built(&go, &cache, &dir, arch, &[]);
        let parsed = gostack_listing::parse(&built.compiled.listing);
        let world = bare_world();
        let mut config = Config::new(arch);
        let whole = gostack_emu::run(&parsed.listing, &built.executable, &config, &world).unwrap();
        assert_eq!(whole.stop, Stop::Exited(0), "{arch}");
        config.max_steps = whole.steps;
        let exact = gostack_emu::run(&parsed.listing, &built.executable, &config, &world).unwrap();
        assert_eq!(exact.stop, Stop::Exited(0), "{arch}: limit {}", whole.steps);
        assert_eq!(exact.steps, whole.steps, "{arch}");
        config.max_steps = whole.steps - 1;
        let short = gostack_emu::run(&parsed.listing, &built.executable, &config, &world).unwrap();
        assert_eq!(short.stop, Stop::StepLimit(whole.steps - 1), "{arch}");
    }
}

#[test]
fn addresses_are_hidden_but_text_is_kept() {
    assert_eq!(
        hide_hex("runtime: sp=0xc000123 stack=[0x1f, 0x2a] at 0x\n"),
        "runtime: sp=0x? stack=[0x?, 0x?] at 0x\n"
    );
    assert_eq!(
        comparable_stderr(b"panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n"),
        "panic: boom\n\n"
    );
}
