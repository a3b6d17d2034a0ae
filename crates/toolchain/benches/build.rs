//! Prints build times (compile and link) for the `swap` sample on amd64: with an empty
//! cache directory, with the import config cached, and on a cache hit.

use std::path::Path;
use std::time::Instant;

use gostack_toolchain::{Arch, Cache, CompileRequest, Go, build};

fn main() {
    let go = Go::find().expect("Go is installed");
    let source_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples/swap/main.go");
    let source = std::fs::read_to_string(source_path).unwrap();
    let rounds = 5;
    let (mut cold, mut warm, mut hit) = (0.0, 0.0, 0.0);
    for round in 0..rounds {
        let dir = tempfile::TempDir::new().unwrap();
        let cache = Cache::new(dir.path());
        let request = CompileRequest::new(source.clone(), Arch::Amd64);
        let t = Instant::now();
        assert!(!build(&go, &request, &cache).unwrap().compiled.cache_hit);
        cold += t.elapsed().as_secs_f64();
        let changed = CompileRequest::new(format!("{source}\n// round {round}\n"), Arch::Amd64);
        let t = Instant::now();
        assert!(!build(&go, &changed, &cache).unwrap().compiled.cache_hit);
        warm += t.elapsed().as_secs_f64();
        let t = Instant::now();
        assert!(build(&go, &changed, &cache).unwrap().compiled.cache_hit);
        hit += t.elapsed().as_secs_f64();
    }
    let ms = |s: f64| s / f64::from(rounds) * 1e3;
    println!("build swap/amd64 ({}), mean of {rounds}:", go.version());
    println!(
        "  empty cache directory (import config built from Go's build cache): {:.1} ms",
        ms(cold)
    );
    println!(
        "  import config cached, listing and executable not:                   {:.1} ms",
        ms(warm)
    );
    println!(
        "  cache hit:                                                          {:.2} ms",
        ms(hit)
    );
}
