//! Prints emulator speed: steps per second running a recursive fib(30),
//! the whole executable with the Go runtime, untraced and traced, and the
//! size of the trace.

use std::path::Path;
use std::time::Instant;

use gostack_emu::{Arch, Config, Stop, World};
use gostack_toolchain::{Cache, CompileRequest, Go, build};

fn main() {
    let go = Go::find().expect("Go is installed");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fib.go");
    let cache =
        Cache::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/gostack-cache"));
    for arch in Arch::ALL {
        let req = CompileRequest::from_file(&path, arch, &[]).unwrap();
        let built = build(&go, &req, &cache).unwrap();
        let listing = gostack_listing::parse(&built.compiled.listing).listing;
        let mut config = Config::new(arch);
        config.max_steps = u64::MAX;
        let world = World {
            args: vec!["fib".into()],
            ..World::default()
        };
        for traced in [false, true] {
            config.trace = traced;
            let start = Instant::now();
            let run = gostack_emu::run(&listing, &built.executable, &config, &world).unwrap();
            let seconds = start.elapsed().as_secs_f64();
            assert_eq!(run.stop, Stop::Exited(0));
            assert_eq!(run.stderr, b"832040\n");
            let mut line = format!(
                "fib(30) {arch} {}: {} steps in {seconds:.3} s = {:.1} million steps/s",
                if traced { "traced  " } else { "untraced" },
                run.steps,
                run.steps as f64 / seconds / 1e6
            );
            if let Some(trace) = &run.trace {
                let bytes = trace.size();
                line += &format!(
                    ", trace {:.0} MB ({:.1} bytes/step)",
                    bytes as f64 / 1e6,
                    bytes as f64 / run.steps as f64
                );
            }
            println!("{line}");
        }
    }
}
