//! The names oracle over every sample, every program of the names tests
//! and every emulator test program, amd64 and 386, optimised and with `-N -l`:
//! at each package function's entry, after each of its calls and at each
//! `RET`, every variable Delve places must be where the stack view names
//! it, and no word may carry the name of a variable Delve places
//! elsewhere. Needs Delve (`.ci/run` builds it into the cache first).

use std::path::{Path, PathBuf};

use gostack_oracle::{Arch, Moments, NamesReport, verify_names};
use gostack_toolchain::{Cache, Go};

fn programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for dir in [
        "go-samples",
        "crates/draw/test_data/words",
        "crates/emu/test_data/programs",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path().join("main.go");
            if path.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_name_agrees_with_delve() {
    let go = Go::find().expect("Go is installed");
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-cache"));
    let mut total = NamesReport::default();
    for path in programs() {
        for (arch, flags) in [Arch::Amd64, Arch::I386]
            .into_iter()
            .flat_map(|a| [vec![], vec!["-N".to_string(), "-l".to_string()]].map(|f| (a, f)))
        {
            let r = verify_names(
                &go,
                &cache,
                &path,
                Arch::Amd64,
                &flags,
                Moments::CallsAndLines,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy();
            println!(
                "{name} {arch} {flags:?}: {}",
                r.to_string().lines().next().unwrap()
            );
            total.absorb(&format!("{name} {arch} {flags:?}"), &r);
        }
    }
    println!("in all: {total}");
    assert!(total.moments > 1000 && total.compared > 2000, "{total}");
    assert!(
        total.disagreements.is_empty(),
        "{}",
        total.disagreements.join("\n")
    );
}
