//! Runs the fib(30) benchmark program, for profiling the step loop and for
//! measuring memory: `fib [steps]` traces the first `steps` steps.

use std::path::Path;

use gostack_emu::{Arch, Config, World};
use gostack_toolchain::{Cache, CompileRequest, Go, build};

fn main() {
    let go = Go::find().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fib.go");
    let req = CompileRequest::from_file(&path, Arch::Amd64, &[]).unwrap();
    let built = build(&go, &req, &Cache::disabled()).unwrap();
    let listing = gostack_listing::parse(&built.compiled.listing).listing;
    let mut config = Config::new(Arch::Amd64);
    config.max_steps = u64::MAX;
    if let Some(steps) = std::env::args().nth(1).and_then(|a| a.parse().ok()) {
        config.max_steps = steps;
        config.trace = true;
    }
    let world = World {
        args: vec!["fib".into()],
        ..World::default()
    };
    let run = gostack_emu::run(&listing, &built.executable, &config, &world).unwrap();
    println!("{} steps", run.steps);
}
