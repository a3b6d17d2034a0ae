//! The `gostack` command given hostile but fair input: it refuses with a
//! clear message, or does what Go would, and never writes a file it was not
//! asked for, nor mixes its own words into the program's output.

use std::path::{Path, PathBuf};

mod common;

use common::{gostack, gostack_with_cache, text};

fn program(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs")
        .join(name)
        .join("main.go")
}

/// A sample's path as an argument.
fn sample(name: &str) -> String {
    common::sample(name).display().to_string()
}

#[test]
fn compiler_flags_that_write_files_are_refused_unless_asked_for() {
    let dir = tempfile::TempDir::new().unwrap();
    let header = dir.path().join("x.h");
    let flags = format!("-N -l -asmhdr {}", header.display());
    for command in ["run", "asm", "events"] {
        let out = gostack(&[command, &sample("add"), "--flags", &flags]);
        assert_eq!(out.status.code(), Some(125), "{command}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("the compiler flag `-asmhdr` is not allowed")
                && stderr.contains("--any-flags"),
            "{command}: {stderr}"
        );
    }
    let out = gostack(&[
        "stack",
        &sample("add"),
        "--at",
        "add2 ret",
        "--flags",
        &flags,
    ]);
    assert_eq!(out.status.code(), Some(125));
    assert!(!header.exists(), "nothing was written");

    // Asked for, the flag reaches the compiler, which writes the header.
    let out = gostack(&[
        "asm",
        &sample("add"),
        "--flags",
        &flags,
        "--any-flags",
        "--no-cache",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(header.exists());
}

#[test]
fn a_fault_at_the_top_of_the_address_space_is_gos_own_and_keeps_earlier_output() {
    let fault =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../emu/test_data/runtime/fault/main.go");
    for arch in ["amd64", "386"] {
        let out = gostack(&["run", fault.to_str().unwrap(), "--arch", arch]);
        assert_eq!(out.status.code(), Some(2), "{arch}");
        assert_eq!(text(&out.stdout), "before the fault\n", "{arch}");
        let stderr = text(&out.stderr);
        let address = if arch == "386" {
            "0xfffffffc"
        } else {
            "0xfffffffffffffffc"
        };
        assert!(
            stderr.starts_with(&format!(
                "unexpected fault address {address}\nfatal error: fault\n"
            )),
            "{arch}: {stderr}"
        );
    }
}

#[test]
fn memory_is_capped_with_a_message_that_says_how_to_raise_the_cap() {
    let out = gostack(&[
        "run",
        program("alloc").to_str().unwrap(),
        "--max-memory",
        "3000",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "allocating\n1 GiB\n2 GiB\n");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("fatal error: runtime: out of memory\n"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "gostack: the program asked for more memory than the emulator gives (3000 MiB): a mapping of 1024 MiB failed as on a full machine; raise the cap with --max-memory\n"
        ),
        "{stderr}"
    );
    // With room, the same program goes further.
    let out = gostack(&[
        "run",
        program("alloc").to_str().unwrap(),
        "--max-memory",
        "5200",
    ]);
    assert!(
        text(&out.stdout).contains("\n4 GiB\n"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_long_trace_says_how_many_steps_it_left_out() {
    let out = gostack(&[
        "stack",
        program("loop").to_str().unwrap(),
        "--at",
        "main.main entry",
        "--to",
        "main.main ret",
        "--view",
        "trace",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let numbered = |l: &&str| {
        let first = l
            .trim_start_matches("> ")
            .split_whitespace()
            .next()
            .unwrap_or("");
        first.split('-').all(|n| n.parse::<usize>().is_ok())
    };
    let rows = stdout.lines().filter(numbered).count();
    assert_eq!(rows, 5001, "the table stops at its row limit, and says so");
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.contains("not shown"))
        .unwrap();
    let (range, message) = last.trim().split_once(' ').unwrap();
    let (first, end) = range.split_once('-').unwrap();
    let left = end.parse::<usize>().unwrap() + 1 - first.parse::<usize>().unwrap();
    assert!(
        message.trim().starts_with(&format!(
            "({left} more steps not shown: a table stops at 5000 rows"
        )),
        "{last}"
    );
}

#[test]
fn nth_zero_and_step_limits_are_taken_at_their_word() {
    let loop_go = program("loop");
    let loop_go = loop_go.to_str().unwrap();
    let out = gostack(&["stack", loop_go, "--at", "main.main entry", "--nth", "0"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("the first time a moment happens is 1"),
        "{}",
        text(&out.stderr)
    );
    for args in [
        &["events", loop_go, "--max-steps", "1000"][..],
        &[
            "stack",
            loop_go,
            "--at",
            "main.main ret",
            "--max-steps",
            "1000",
        ],
    ] {
        let out = gostack(args);
        assert_eq!(out.status.code(), Some(125), "{args:?}");
        assert!(
            text(&out.stderr).contains("stopped after 1000 steps"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn progress_never_mixes_into_the_programs_stderr() {
    // A fresh cache: the first build of a Go version makes its import config.
    let cache = tempfile::TempDir::new().unwrap();
    let panics = Path::new(env!("CARGO_MANIFEST_DIR")).join("../emu/test_data/programs/crash");
    let out = gostack_with_cache(
        &["run", panics.join("main.go").to_str().unwrap()],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let want = std::fs::read_to_string(panics.join("expected.stderr")).unwrap();
    let got = text(&out.stderr);
    assert!(!got.contains("gostack"), "{got}");
    assert_eq!(got.lines().next(), want.lines().next());
}

#[test]
fn cgo_is_named_as_unsupported() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("main.go");
    for (source, package) in [
        (
            "package main\n\n// int two(void) { return 2; }\nimport \"C\"\n\nfunc main() { println(C.two()) }\n",
            "C",
        ),
        (
            "package main\n\nimport \"runtime/cgo\"\n\nvar x cgo.Incomplete\n\nfunc main() { println(&x != nil) }\n",
            "runtime/cgo",
        ),
    ] {
        std::fs::write(&file, source).unwrap();
        let out = gostack(&["run", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(125));
        assert!(
            text(&out.stderr).contains(&format!(
                "the program imports \"{package}\": gostack runs pure Go programs only"
            )),
            "{}",
            text(&out.stderr)
        );
    }
}
