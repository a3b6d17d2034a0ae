//! The emulator against the real thing: every program in `go-samples` and in
//! `test_data/programs`, on amd64 and 386, optimised and with `-N -l`, prints
//! what `go run` prints and exits as it does.

use std::path::{Path, PathBuf};
use std::process::Command;

use gostack_emu::{Arch, Config, Stop};
use gostack_toolchain::{Cache, Go, compile_file};

const FLAG_SETS: [&[&str]; 2] = [&[], &["-N", "-l"]];

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples")
}

fn programs_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("main.go").is_file())
        .collect();
    out.sort();
    out
}

/// The samples of the notes, then the programs that exercise what the notes do not.
fn samples() -> Vec<PathBuf> {
    let mut out = programs_in(&samples_dir());
    assert!(
        out.len() >= 6,
        "go-samples holds the six programs of the notes"
    );
    let extra = programs_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/programs"));
    assert!(
        extra.len() >= 9,
        "test_data/programs holds the extra programs"
    );
    out.extend(extra);
    out
}

fn expected(dir: &Path, stream: &str) -> Vec<u8> {
    std::fs::read(dir.join(format!("expected.{stream}"))).unwrap_or_default()
}

/// The exit status `go run`'s program ends with: `expected.status`, or 0.
///
/// A program that dies of a panic prints a traceback with absolute paths and
/// argument words no two machines share; its `expected.stderr` holds what
/// comes before them: through `goroutine 1 [running]:`, or up to the faulting
/// pc of a `[signal SIGSEGV ...]` line.
fn expected_status(dir: &Path) -> i32 {
    std::fs::read_to_string(dir.join("expected.status")).map_or(0, |s| s.trim().parse().unwrap())
}

fn cache() -> Cache {
    Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"))
}

/// The committed `expected.*` files are what the installed Go prints, for both arches and flag sets.
#[test]
fn expected_output_is_what_go_run_prints() {
    let go = Go::find().expect("Go is installed");
    for dir in samples() {
        for arch in Arch::ALL {
            for flags in FLAG_SETS {
                let out = Command::new(go.path())
                    .args(["run", &format!("-gcflags={}", flags.join(" ")), "main.go"])
                    .current_dir(&dir)
                    .env("GOARCH", arch.as_goarch())
                    .env("GOTOOLCHAIN", "local")
                    .env("GOFLAGS", "")
                    .output()
                    .unwrap();
                let what = format!("{} {arch} {flags:?}", dir.display());
                assert_eq!(
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&expected(&dir, "stdout")),
                    "{what}"
                );
                let stderr = String::from_utf8_lossy(&out.stderr);
                let want_stderr = String::from_utf8_lossy(&expected(&dir, "stderr")).into_owned();
                match expected_status(&dir) {
                    0 => {
                        assert_eq!(stderr, want_stderr, "{what}");
                        assert!(out.status.success(), "{what}");
                    }
                    status => {
                        // go run reports the program's status on its last line and exits 1.
                        assert!(stderr.starts_with(&want_stderr), "{what}: {stderr}");
                        let last = format!("exit status {status}\n");
                        assert!(stderr.ends_with(&last), "{what}: {stderr}");
                    }
                }
            }
        }
    }
}

/// The emulator prints exactly the expected output and exits with the expected status.
#[test]
fn emulator_output_equals_go_run() {
    let go = Go::find().expect("Go is installed");
    let cache = cache();
    let mut failures = Vec::new();
    for dir in samples() {
        for arch in Arch::ALL {
            for flags in FLAG_SETS {
                let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
                let compiled =
                    compile_file(&go, &dir.join("main.go"), arch, &flags, &cache).unwrap();
                let parsed = gostack_listing::parse(&compiled.listing);
                let config = Config::new(arch, go.version().minor);
                let run = gostack_emu::run(&parsed.listing, &config).unwrap();
                let what = format!(
                    "{} {arch} {flags:?}",
                    dir.file_name().unwrap().to_string_lossy()
                );
                let status = expected_status(&dir);
                let stderr_ok = if status == 0 {
                    run.stderr == expected(&dir, "stderr")
                } else {
                    run.stderr.starts_with(&expected(&dir, "stderr"))
                };
                if run.stop != Stop::Exited(status) {
                    failures.push(format!("{what}: {}", run.stop));
                } else if run.stdout != expected(&dir, "stdout") || !stderr_ok {
                    failures.push(format!(
                        "{what}: printed {:?} / {:?}",
                        String::from_utf8_lossy(&run.stdout),
                        String::from_utf8_lossy(&run.stderr)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The formatting cases the emulator's `fmt` model is held to are what the installed Go prints.
#[test]
fn gofmt_cases_are_what_go_prints() {
    let go = Go::find().expect("Go is installed");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/gofmt");
    let out = Command::new(go.path())
        .args(["run", "cases.go"])
        .current_dir(&dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}
