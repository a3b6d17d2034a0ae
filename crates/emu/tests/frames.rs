//! The stack explained at chosen steps of real runs: frames, named slots,
//! spill slots, return addresses, saved BPs, and stack growth.

use std::path::Path;

use gostack_emu::{Arch, Run, Slot, StackView, Stop};
use gostack_toolchain::Go;

mod common;

fn traced_run(sample: &str, arch: Arch, flags: &[&str]) -> Run {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../go-samples")
        .join(sample)
        .join("main.go");
    let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    let (_, run) = common::traced(&path, arch, &flags);
    assert_eq!(run.stop, Stop::Exited(0));
    run
}

/// The first step whose instruction is `asm` (e.g. `RET`) in `func`.
fn step_at(run: &Run, func: &str, asm: &str) -> usize {
    let trace = run.trace.as_ref().unwrap();
    (0..trace.steps.len())
        .find(|&i| {
            let loc = run.layout.location(trace.steps[i].pc());
            loc.func == func && loc.asm.starts_with(asm)
        })
        .unwrap_or_else(|| panic!("no {asm} in {func}"))
}

/// The value of the word labelled `slot`.
fn value_of(view: &StackView, slot: &Slot) -> u64 {
    view.words
        .iter()
        .find(|(_, _, labels)| labels.contains(slot))
        .unwrap_or_else(|| panic!("no slot {slot:?} in {view:#?}"))
        .1
}

fn named(func: &str, name: &str, offset: i64) -> Slot {
    Slot::Named {
        func: func.into(),
        name: name.into(),
        offset,
    }
}

fn arg(callee: &str, name: &str) -> Slot {
    Slot::Arg {
        callee: callee.into(),
        name: name.into(),
    }
}

#[test]
fn add_on_amd64_before_add2_returns() {
    let run = traced_run("add", Arch::Amd64, &["-N", "-l"]);
    let view = run.stack(step_at(&run, "main.add2", "RET")).unwrap();
    let names: Vec<&str> = view.frames.iter().map(|f| f.func.as_str()).collect();
    assert_eq!(
        names,
        ["main.add2", "main.add1", "main.main", "runtime.main"]
    );
    // add2's frame is gone but for its return address; add1 reserved the spill slot of add2's a.
    let (sp, ret, labels) = &view.words[0];
    assert_eq!(*sp, view.frames[0].sp);
    assert_eq!(run.layout.symbolize(*ret).unwrap().0, "main.add1");
    match &labels[..] {
        [Slot::ReturnAddr { to, pos: Some(pos) }] => {
            assert!(to.starts_with("main.add1+0x"), "{to}");
            assert_eq!(pos.line, 14, "add1 calls add2 on line 14");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        value_of(&view, &arg("main.add2", "a")),
        11,
        "add2(b) with b = 1 + 10"
    );
    assert_eq!(value_of(&view, &named("main.add1", "tmp", 16)), 10);
    assert_eq!(value_of(&view, &named("main.add1", "b", 24)), 11);
    assert_eq!(value_of(&view, &arg("main.add1", "a")), 1);
    assert_eq!(value_of(&view, &named("main.main", "a", 8)), 1);
    // add1's saved BP points at main's BP slot; main's at runtime.main's.
    let saved: Vec<Option<String>> = view
        .words
        .iter()
        .flat_map(|(_, _, l)| l)
        .filter_map(|s| {
            if let Slot::SavedBp { of } = s {
                Some(of.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        saved,
        [
            Some("main.main".to_string()),
            Some("runtime.main".to_string()),
            None
        ]
    );
    assert_eq!(
        view.frames[1].bp_slot.map(|a| a + 8),
        Some(view.frames[1].ret_slot)
    );
}

/// Through add2's prologue, step by step: its top word is add2's saved BP
/// from the step after the instruction that stores BP there, and not
/// before. Go 1.21 on stores it first (`PUSHQ BP`, then `MOVQ SP, BP`);
/// Go 1.20 and before make the frame first (`SUBQ $32, SP`, then `MOVQ BP,
/// 24(SP)`), so for one step the frame has its size and no saved BP.
#[test]
fn saved_bp_is_labelled_from_the_prologue_store_on() {
    let run = traced_run("add", Arch::Amd64, &["-N", "-l"]);
    let trace = run.trace.as_ref().unwrap();
    let entry = step_at(&run, "main.add2", "");
    let mut stored = false;
    let mut seen_unstored_frame = 0;
    for step in entry..entry + 4 {
        let loc = run.layout.location(trace.steps[step].pc());
        assert_eq!(
            loc.func, "main.add2",
            "still in add2's prologue: {}",
            loc.asm
        );
        let view = run.stack(step).unwrap();
        let add2 = &view.frames[0];
        let saved_bp = |addr: u64| {
            view.words
                .iter()
                .find(|(a, _, _)| *a == addr)
                .is_some_and(|(_, _, l)| l.iter().any(|s| matches!(s, Slot::SavedBp { .. })))
        };
        let top = add2.ret_slot - 8;
        if stored {
            assert_eq!(add2.bp_slot, Some(top), "after the store, at {}", loc.asm);
            assert!(saved_bp(top), "after the store, at {}", loc.asm);
            assert_eq!(
                value_of(
                    &view,
                    &Slot::SavedBp {
                        of: Some("main.add1".into())
                    }
                ),
                view.frames[1].bp_slot.unwrap(),
                "add2's saved BP points at add1's"
            );
        } else {
            assert_eq!(add2.bp_slot, None, "before the store, at {}", loc.asm);
            if add2.sp < add2.ret_slot {
                // The old prologue's frame before its store: the top word is not a saved BP yet.
                seen_unstored_frame += 1;
                assert!(!saved_bp(top), "before the store, at {}", loc.asm);
            }
        }
        let asm: Vec<&str> = loc.asm.split_whitespace().collect();
        stored |= matches!(asm[..], ["PUSHQ", "BP"] | ["MOVQ", "BP,", _]);
    }
    assert!(stored, "add2 stores BP within its first three instructions");
    let go = Go::find().unwrap();
    let old_prologue = go.version().minor < 21;
    assert_eq!(
        seen_unstored_frame,
        usize::from(old_prologue),
        "{}",
        go.version()
    );
}

#[test]
fn add_on_386_passes_arguments_and_results_on_the_stack() {
    let run = traced_run("add", Arch::I386, &["-N", "-l"]);
    let view = run.stack(step_at(&run, "main.add2", "RET")).unwrap();
    assert_eq!(value_of(&view, &arg("main.add2", "a")), 11);
    assert_eq!(
        value_of(&view, &arg("main.add2", "~r0")),
        21,
        "the result is written into add1's frame"
    );
    assert!(
        view.frames.iter().all(|f| f.bp_slot.is_none()),
        "386 code keeps no frame pointers"
    );
    assert_eq!(view.words[1].0 - view.words[0].0, 4);
}

#[test]
fn swap_by_value_changes_only_its_own_copies() {
    let run = traced_run("swap", Arch::Amd64, &["-N", "-l"]);
    let view = run.stack(step_at(&run, "main.swap", "RET")).unwrap();
    // The caller's variables still hold 1 and 2; the callee's spill slots were swapped.
    let a = view.frames.iter().find(|f| f.func == "main.main").unwrap();
    assert!(a.sp > view.frames[0].sp);
    let main_a = view.words.iter().find(|(_, _, l)| l.iter().any(|s| matches!(s, Slot::Named { func, name, .. } if func == "main.main" && name == "a"))).unwrap().1;
    let main_b = view.words.iter().find(|(_, _, l)| l.iter().any(|s| matches!(s, Slot::Named { func, name, .. } if func == "main.main" && name == "b"))).unwrap().1;
    assert_eq!((main_a, main_b), (1, 2));
    assert_eq!(
        (
            value_of(&view, &arg("main.swap", "a")),
            value_of(&view, &arg("main.swap", "b"))
        ),
        (2, 1)
    );
}

#[test]
fn deferred_closure_runs_above_deferreturn_and_writes_the_named_result() {
    let run = traced_run("defer", Arch::Amd64, &["-N", "-l"]);
    let step = step_at(&run, "main.incr2.func1", "RET");
    let view = run.stack(step).unwrap();
    let names: Vec<&str> = view.frames.iter().map(|f| f.func.as_str()).collect();
    assert_eq!(
        names[..3],
        ["main.incr2.func1", "runtime.deferreturn", "main.incr2"]
    );
    // incr2(0): a++ makes 1, b = a is returned, then the deferred b++ makes the named result 2.
    assert_eq!(value_of(&view, &named("main.incr2", "b", 8)), 2);
}

#[test]
fn deep_recursion_grows_the_stack() {
    let run = traced_run("recursion", Arch::Amd64, &["-N", "-l"]);
    let first = run.stack(step_at(&run, "main.main", "")).unwrap();
    // When the innermost deep call returns, every frame is still there, on a grown stack.
    let view = run.stack(step_at(&run, "main.deep", "RET")).unwrap();
    let depth = view.frames.iter().filter(|f| f.func == "main.deep").count();
    assert_eq!(depth, 101, "deep(100) down to deep(0)");
    let size = |b: (u64, u64)| b.1 - b.0;
    assert!(
        size(view.bounds) > size(first.bounds),
        "the runtime copied the goroutine to a larger stack: {:x?} then {:x?}",
        first.bounds,
        view.bounds
    );
    assert!(size(view.bounds).is_power_of_two());
    assert_eq!(view.frames.last().unwrap().func, "runtime.main");
}
