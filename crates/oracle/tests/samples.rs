//! Every sample and every emulator test program, amd64, optimised and with
//! `-N -l`, run in the emulator and on the real CPU: every step of package
//! main must agree (where the two legitimately part, the report's notes say
//! why and the comparison goes on).

use std::path::{Path, PathBuf};
use std::time::Instant;

use gostack_oracle::{Arch, Config, verify};
use gostack_toolchain::{Cache, Go};

/// The program `name`, from the samples or the emulator's test programs.
fn program(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sample = root.join("go-samples").join(name).join("main.go");
    if sample.is_file() {
        sample
    } else {
        root.join("crates/emu/test_data/programs")
            .join(name)
            .join("main.go")
    }
}

/// Verifies `name` with `flags` and asserts that no step differs.
fn check(name: &str, flags: &[&str]) {
    let go = Go::find().expect("Go is installed");
    let start = Instant::now();
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-cache"));
    let report = verify(
        &go,
        &cache,
        &program(name),
        &Config::new(flags.iter().copied()),
    )
    .unwrap_or_else(|e| panic!("{name} {flags:?}: {e}"));
    println!(
        "{name} {flags:?} ({:.1} s): {report}",
        start.elapsed().as_secs_f64()
    );
    assert!(
        report.steps_compared > 0,
        "{name} {flags:?}: nothing compared"
    );
    assert_eq!(
        report.first_difference, None,
        "{name} {flags:?}: the emulator and the real CPU differ:\n{report}"
    );
    assert_eq!(report.steps_equal, report.steps_compared);
}

macro_rules! programs {
    ($($name:ident),* $(,)?) => {
        mod optimised {
            $(#[test] fn $name() { super::check(stringify!($name), &[]); })*
        }
        mod no_opt {
            $(#[test] fn $name() { super::check(stringify!($name), &["-N", "-l"]); })*
        }
    };
}

programs!(
    add, sum, swap, defer, manyargs, recursion, closures, crash, deep, errors, floats, init, maps,
    methods, nilderef, panics, println, recover, results, slices, strings, stringers,
);

#[test]
fn i386_is_refused_with_a_reason() {
    let go = Go::find().expect("Go is installed");
    let mut config = Config::new(Vec::<String>::new());
    config.arch = Arch::I386;
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-cache"));
    let err = verify(&go, &cache, &program("add"), &config).expect_err("386 cannot be traced");
    assert!(err.to_string().contains("only amd64"), "{err}");
}
