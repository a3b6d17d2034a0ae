//! What the stack tests share: a program built with the installed Go
//! (through a cache in the target directory) and run traced.

use std::path::Path;

use gostack_emu::{Arch, Config, Run, World};
use gostack_listing::Listing;
use gostack_toolchain::{Cache, CompileRequest, Go, build};

/// The program at `path`, compiled with `flags` for `arch`, linked and run
/// traced with the program's name as its only argument: its listing and run.
pub(crate) fn traced(path: &Path, arch: Arch, flags: &[String]) -> (Listing, Run) {
    let go = Go::find().expect("Go is installed");
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"));
    let req = CompileRequest::from_file(path, arch, flags).unwrap();
    let built = build(&go, &req, &cache).unwrap();
    let listing = gostack_listing::parse(&built.compiled.listing).listing;
    let mut config = Config::new(arch);
    config.trace = true;
    let world = World {
        args: vec!["main".into()],
        ..World::default()
    };
    let run = gostack_emu::run(&listing, &built.executable, &config, &world).unwrap();
    (listing, run)
}
