//! Every sample, every emulator test program and the runtime test programs,
//! amd64 and 386, optimised and with `-N -l`, linked and run in the emulator
//! and on the real CPU: every step of package main must agree, and the runs
//! must end alike (output and exit status). Most of the time goes to
//! `overflow` and `gc` under ptrace. `timers` is left out: its
//! package code reads the clock (`time.Now()` differs at its ninth step),
//! and, single-stepped, the real program sees about a thousand times more
//! time pass per step than the emulator's step clock, so its timers fire
//! in another order.

use std::path::{Path, PathBuf};
use std::time::Instant;

use gostack_oracle::{Arch, Config, verify};
use gostack_toolchain::{Cache, Go};

/// The program `name`, from the samples or the emulator's test programs.
fn program(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        root.join("go-samples"),
        root.join("crates/emu/test_data/programs"),
        root.join("crates/emu/test_data/runtime"),
    ]
    .iter()
    .map(|dir| dir.join(name).join("main.go"))
    .find(|p| p.is_file())
    .unwrap_or_else(|| panic!("no program {name}"))
}

/// Verifies `name` for `arch` with `flags` and asserts that no step differs.
fn check(name: &str, arch: Arch, flags: &[&str]) {
    let go = Go::find().expect("Go is installed");
    let start = Instant::now();
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-cache"));
    let mut config = Config::new(flags.iter().copied());
    config.arch = arch;
    let run = || {
        verify(&go, &cache, &program(name), &config)
            .unwrap_or_else(|e| panic!("{name} {arch} {flags:?}: {e}"))
    };
    // Which goroutine the real scheduler runs next can hang on real time
    // (a timer against a busy machine): such a difference gets two more
    // real runs, one of which must agree. Any other difference is final.
    let mut report = run();
    for _ in 0..2 {
        match &report.first_difference {
            Some(d) if d.what == "the goroutine running package code" => report = run(),
            _ => break,
        }
    }
    println!(
        "{name} {arch} {flags:?} ({:.1} s): {report}",
        start.elapsed().as_secs_f64()
    );
    assert!(
        report.steps_compared > 0,
        "{name} {arch} {flags:?}: nothing compared"
    );
    assert_eq!(
        report.first_difference, None,
        "{name} {arch} {flags:?}: the emulator and the real CPU differ:\n{report}"
    );
    assert_eq!(report.steps_equal, report.steps_compared);
    assert!(
        !report.cut_short,
        "{name} {arch} {flags:?}: compared only in part:\n{report}"
    );
}

macro_rules! programs {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {
        mod optimised {
            $($(#[$attr])* #[test] fn $name() { super::check(stringify!($name), super::Arch::Amd64, &[]); })*
        }
        mod no_opt {
            $($(#[$attr])* #[test] fn $name() { super::check(stringify!($name), super::Arch::Amd64, &["-N", "-l"]); })*
        }
        mod i386_optimised {
            $($(#[$attr])* #[test] fn $name() { super::check(stringify!($name), super::Arch::I386, &[]); })*
        }
        mod i386_no_opt {
            $($(#[$attr])* #[test] fn $name() { super::check(stringify!($name), super::Arch::I386, &["-N", "-l"]); })*
        }
    };
}

programs!(
    // go-samples
    add, defer, funcvalues, goroutines, growth, manyargs, nilpanic, recursion, sum, swap,
    // crates/emu/test_data/programs
    closures, crash, deep, errors, floats, init, maps, methods, nilderef, panics, println, recover,
    results, slices, strings, stringers, // crates/emu/test_data/runtime
    args, channels, goexit, panics2, select, signals, workers, maprange, gc, mutex, overflow,
    protect,
);

/// A run the emulator's step limit ends before the program does compares
/// only part of it, and says so: not a bare "no difference".
#[test]
fn a_run_the_emulator_cut_short_says_so() {
    let go = Go::find().expect("Go is installed");
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-cache"));
    let mut config = Config::new(Vec::<String>::new());
    // `overflow` runs some 21 million steps; its package steps start far sooner.
    config.emulator_steps = 5_000_000;
    let report = verify(&go, &cache, &program("overflow"), &config).unwrap();
    assert!(report.steps_compared > 0, "{report}");
    assert!(report.cut_short, "{report}");
    assert!(
        report.to_string().contains(
            "note: the emulator stopped before the program ended (stopped after 5000000 steps"
        ),
        "{report}"
    );
    assert!(!report.to_string().ends_with("\nno difference"), "{report}");
}
