//! Runs the fib(30) benchmark program, for profiling the step loop and for
//! measuring memory: `fib_untraced [steps]` traces the first `steps` steps.

use std::path::Path;

use gostack_emu::{Arch, Config};
use gostack_toolchain::{Cache, Go, compile_file};

fn main() {
    let go = Go::find().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fib.go");
    let compiled = compile_file(&go, &path, Arch::Amd64, &[], &Cache::disabled()).unwrap();
    let listing = gostack_listing::parse(&compiled.listing).listing;
    let mut config = Config::new(Arch::Amd64, go.version().minor);
    config.max_steps = u64::MAX;
    if let Some(steps) = std::env::args().nth(1).and_then(|a| a.parse().ok()) {
        config.max_steps = steps;
        config.trace = true;
    }
    let run = gostack_emu::run(&listing, &config).unwrap();
    println!("{} steps", run.steps);
}
