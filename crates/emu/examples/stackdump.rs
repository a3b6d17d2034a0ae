//! Prints the stack before every RET of a sample: a look at what the frame analysis sees.

use gostack_emu::{Arch, Config, World};
use gostack_toolchain::{Cache, CompileRequest, Go, build};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::Path::new(&args[1]);
    let arch: Arch = args.get(2).map_or("amd64", String::as_str).parse().unwrap();
    let flags: Vec<String> = args
        .get(3)
        .map_or("-N -l", String::as_str)
        .split_whitespace()
        .map(String::from)
        .collect();
    let go = Go::find().unwrap();
    let req = CompileRequest::from_file(path, arch, &flags).unwrap();
    let built = build(&go, &req, &Cache::disabled()).unwrap();
    let listing = gostack_listing::parse(&built.compiled.listing).listing;
    let mut config = Config::new(arch);
    config.trace = true;
    let world = World {
        args: vec!["main".into()],
        ..World::default()
    };
    let run = gostack_emu::run(&listing, &built.executable, &config, &world).unwrap();
    let trace = run.trace.as_ref().unwrap();
    for (i, step) in trace.steps.iter().enumerate() {
        let loc = run.layout.location(step.pc());
        if !loc.asm.starts_with("RET") || !gostack_emu::in_package_main(&loc.func) {
            continue;
        }
        println!("== step {i}: {loc}");
        let view = run.stack(i).unwrap();
        for f in &view.frames {
            println!(
                "  frame {} +{:#x} {:?} sp={:#x} ret_slot={:#x} bp={:?}",
                f.func,
                f.offset,
                f.pos.as_ref().map(|p| p.to_string()),
                f.sp,
                f.ret_slot,
                f.bp_slot
            );
        }
        for (addr, value, slots) in view.words.iter().take(24) {
            println!("    {addr:#x}  {value:#18x}  {slots:?}");
        }
    }
}
