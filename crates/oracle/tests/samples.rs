//! The emulator against the real CPU under gdb, step by step, amd64,
//! optimised and with `-N -l`, over the samples and the emulator's test programs.
//!
//! The programs listed in `AGREE` agree at every step (where the two stacks
//! grew at other depths, the comparison says so and goes on); they must stay
//! so. The others are compared too and their first difference is printed:
//! they are the emulator's known gaps, each one a step to explain.

use std::path::{Path, PathBuf};

use gostack_oracle::{Config, verify};
use gostack_toolchain::{Cache, Go};

/// Programs and flag sets in which every step agrees with the real CPU.
const AGREE: &[(&str, &str)] = &[
    ("add", ""),
    ("add", "-N -l"),
    ("sum", ""),
    ("sum", "-N -l"),
    ("swap", ""),
    ("swap", "-N -l"),
    ("manyargs", ""),
    ("manyargs", "-N -l"),
    ("recursion", ""),
    ("recursion", "-N -l"),
    ("floats", ""),
    ("results", ""),
    ("println", ""),
    ("init", "-N -l"),
];

fn programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for dir in [
        root.join("go-samples"),
        root.join("crates/emu/test_data/programs"),
    ] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path().join("main.go"))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        // deep takes 200,000 steps: gdb would need minutes for it.
        found.retain(|p| !p.ends_with("deep/main.go"));
        out.extend(found);
    }
    out
}

#[test]
fn the_emulator_agrees_with_the_real_cpu() {
    let go = Go::find().expect("Go is installed");
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-cache"));
    let mut failures = Vec::new();
    let mut compared = 0;
    let mut equal = 0;
    for program in programs() {
        let name = program
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for flags in ["", "-N -l"] {
            let config = Config {
                flags: flags.split_whitespace().map(str::to_string).collect(),
            };
            let report = verify(&go, &cache, &program, &config).unwrap();
            compared += report.steps_compared;
            equal += report.steps_equal;
            println!("{name} [{flags}]: {report}");
            if AGREE.contains(&(name.as_str(), flags)) && report.first_difference.is_some() {
                failures.push(format!("{name} [{flags}]: {report}"));
            }
        }
    }
    println!("in all: {equal} of {compared} steps compared agree");
    assert!(
        compared > 10_000,
        "the programs take more than ten thousand steps in package main"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
