//! The frames of a panic from a nil dereference, on a real run of the
//! nilpanic sample: the signal path through runtime.sigpanic, the deferred
//! call on top of the panicking frames, and after recover the remaining
//! deferred call run from the recovered frame.

use gostack_diagram::{RowKind, StackDiagram};
use gostack_draw::{Frames, Request};
use gostack_emu::Arch;

mod common;

fn diagrams(at: &str, nth: usize) -> Vec<StackDiagram> {
    let request = Request {
        arches: vec![Arch::Amd64, Arch::I386],
        flags: vec!["-N".into(), "-l".into()],
        at: at.into(),
        nth,
        frames: Frames::All,
        ..Request::default()
    };
    common::panels("nilpanic", request)
}

fn funcs(d: &StackDiagram) -> Vec<&str> {
    d.frames.iter().map(|f| f.func.as_str()).collect()
}

/// The return address a frame's callee left, as shown.
fn return_to<'a>(d: &'a StackDiagram, callee: &str) -> &'a str {
    let frame = d.frames.iter().find(|f| f.func == callee).unwrap();
    let row = frame
        .rows
        .iter()
        .find(|r| r.kind == RowKind::ReturnAddr)
        .unwrap();
    &row.value
}

#[test]
fn a_nil_dereference_panics_through_sigpanic_at_the_faulting_line() {
    for d in diagrams("safe.func1 entry", 2) {
        let arch = &d.caption.goarch;
        let frames = funcs(&d);
        let at = |f: &str| {
            frames
                .iter()
                .position(|g| *g == f)
                .unwrap_or_else(|| panic!("{arch}: no {f} in {frames:?}"))
        };
        assert!(at("main.safe") < at("main.getX"), "{arch}");
        assert_eq!(
            at("runtime.sigpanic"),
            at("main.getX") + 1,
            "{arch}: {frames:?}"
        );
        assert!(at("runtime.gopanic") > at("runtime.sigpanic"), "{arch}");
        assert_eq!(*frames.last().unwrap(), "main.safe.func1", "{arch}");
        // sigpanic's "return address" is the faulting instruction itself,
        // on the line of `return p.x`, not the line before it.
        let fault = return_to(&d, "runtime.sigpanic");
        assert!(
            fault.starts_with("main.getX+") && fault.ends_with("(main.go:9)"),
            "{arch}: {fault}"
        );
    }
}

#[test]
fn after_recover_the_remaining_deferred_call_runs_from_the_recovered_frame() {
    for d in diagrams("note entry", 2) {
        let arch = &d.caption.goarch;
        let frames = funcs(&d);
        let tail: Vec<&str> =
            frames[frames.iter().position(|f| *f == "main.safe").unwrap()..].to_vec();
        assert_eq!(
            tail,
            [
                "main.safe",
                "runtime.deferreturn",
                "main.safe.deferwrap1",
                "main.note"
            ],
            "{arch}"
        );
        // The named result: in safe's frame on amd64, in its caller's on 386.
        let n = d
            .frames
            .iter()
            .flat_map(|f| f.rows.iter().map(move |r| (f.func.as_str(), r)))
            .find(|(f, r)| (*f == "main.safe" && r.label == "n") || r.label == "safe.n")
            .map(|(_, r)| r)
            .unwrap_or_else(|| panic!("{arch}: no n"));
        assert_eq!(n.value, "-1", "{arch}: recover set the result");
    }
}

/// The call that panicked and recovered returns to main like any other,
/// though on 386 the panic grew the goroutine's stack on the way, moving
/// it: `after call safe` happens twice on both arches, each time in main
/// at the line of the call.
#[test]
fn after_a_call_that_recovered_even_when_the_stack_moved() {
    for flags in [vec![], vec!["-N".to_string(), "-l".to_string()]] {
        let request = Request {
            arches: vec![Arch::Amd64, Arch::I386],
            flags: flags.clone(),
            at: "after call safe".into(),
            nth: 2,
            ..Request::default()
        };
        for d in common::panels("nilpanic", request) {
            assert_eq!(
                d.caption.line, "main.go:31",
                "{flags:?} {}",
                d.caption.goarch
            );
            assert!(
                d.caption.instruction.starts_with("main.main+"),
                "{}",
                d.caption.instruction
            );
        }
    }
}
