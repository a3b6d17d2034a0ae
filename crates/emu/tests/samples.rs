//! The committed outputs of every program in `go-samples` and in
//! `test_data/programs` are what `go run` prints, on amd64 and 386,
//! optimised and with `-N -l` (the emulator is held to the real binary
//! itself in `real.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use gostack_emu::Arch;
use gostack_toolchain::Go;

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
