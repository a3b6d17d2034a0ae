//! The emulator on the committed listings of Go 1.19 to 1.27: each program
//! prints what `go run` printed with that Go version (`run-<arch>.txt`).

use std::path::Path;

use gostack_emu::{Arch, Config, Stop};

/// Runs every listing of one Go version and returns the failures.
fn run_version(dir: &Path, minor: u32) -> Vec<String> {
    let mut failures = Vec::new();
    let mut programs: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    programs.sort();
    for program in programs {
        for arch in Arch::ALL {
            let expected =
                std::fs::read_to_string(program.join(format!("run-{arch}.txt"))).unwrap();
            let (stdout, status) = expected.rsplit_once("rc=").unwrap();
            let status: i32 = status.trim().parse().unwrap();
            for flags in ["opt", "Nl"] {
                let listing =
                    std::fs::read_to_string(program.join(format!("{arch}-{flags}.s"))).unwrap();
                let parsed = gostack_listing::parse(&listing);
                let run = gostack_emu::run(&parsed.listing, &Config::new(arch, minor)).unwrap();
                let what = format!("{} {arch} {flags}", program.display());
                if run.stop != Stop::Exited(status) {
                    failures.push(format!("{what}: {}", run.stop));
                } else if String::from_utf8_lossy(&run.stdout) != stdout {
                    failures.push(format!(
                        "{what}: printed {:?}",
                        String::from_utf8_lossy(&run.stdout)
                    ));
                }
            }
        }
    }
    failures
}

#[test]
fn every_go_version_runs_like_go_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test_data/listings");
    let mut failures = Vec::new();
    let mut versions = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let Some(name) = dir.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            continue;
        };
        let Some(minor) = name
            .strip_prefix("1.")
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok())
        else {
            continue;
        };
        if minor < 19 {
            continue;
        }
        versions += 1;
        failures.extend(run_version(&dir, minor));
    }
    assert_eq!(versions, 8, "1.19 and 1.21 to 1.27");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
