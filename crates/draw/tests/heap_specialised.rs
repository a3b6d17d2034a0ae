//! Objects the compiler allocates by calling a size-specialised allocator
//! directly (`runtime.mallocgcSmallNoScanSC2`, the default from Go 1.27;
//! here the installed Go with `GOEXPERIMENT=sizespecializedmalloc`) are
//! followed like those of `runtime.mallocgc`: numbered, typed, drawn.
//! A test binary of its own: the experiment is set for the whole process.

use gostack_draw::{Format, Request};
use gostack_emu::Arch;

mod common;

const EXPERIMENT: &str = "sizespecializedmalloc";

#[test]
fn objects_of_size_specialised_allocators_are_drawn() {
    // The experiment reaches the compiler through the environment: run
    // this test again in a process that has it.
    if std::env::var("GOEXPERIMENT").as_deref() != Ok(EXPERIMENT) {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "objects_of_size_specialised_allocators_are_drawn",
            ])
            .env("GOEXPERIMENT", EXPERIMENT)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("1 passed"), "{text}");
        return;
    }
    let go = gostack_toolchain::Go::find().expect("Go is installed");
    let cache = gostack_toolchain::Cache::new(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"),
    );
    let asm = Request {
        source: std::fs::read_to_string("../../go-samples/escape/main.go").unwrap(),
        file_name: "main.go".into(),
        arches: vec![Arch::Amd64],
        at: "newPoint entry".into(),
        view: gostack_draw::View::Asm,
        ..Request::default()
    };
    let listing = gostack_draw::render(
        &gostack_draw::draw(&[go], &cache, &asm).unwrap(),
        Format::Ascii,
        "asm",
    );
    assert!(
        listing.contains("CALL runtime.mallocgcSmallNoScanSC2(SB)"),
        "{listing}"
    );
    let request = Request {
        arches: vec![Arch::Amd64],
        at: "newPoint ret".into(),
        heap: true,
        ..Request::default()
    };
    let d = common::panels("escape", request).pop().unwrap();
    let ax = d.registers.iter().find(|r| r.name == "AX").unwrap();
    assert!(ax.value.starts_with("heap#"), "{ax:?}");
    assert_eq!(d.heap.len(), 1, "{:?}", d.heap);
    assert_eq!(d.heap[0].name, ax.value);
    assert_eq!(d.heap[0].type_name, "main.point");
    let text = gostack_draw::render(
        &gostack_draw::Drawing::Figure(gostack_diagram::Figure { panels: vec![d] }),
        Format::Ascii,
        "t",
    );
    assert!(text.contains("+0x8  y = 4"), "{text}");
}
