//! Each word is named by what lives there at that moment: the findings of
//! reading pictures of programs the notes do not draw, each checked on the
//! real compiler's output and the emulated run (`test_data/words/`).

use std::path::Path;

use gostack_diagram::{Row, RowKind, StackDiagram};
use gostack_draw::{Frames, Request};
use gostack_emu::Arch;

mod common;

fn panel(program: &str, arch: Arch, flags: &str, at: &str) -> StackDiagram {
    let request = Request {
        arches: vec![arch],
        flags: flags.split_whitespace().map(str::to_string).collect(),
        at: at.into(),
        ..Request::default()
    };
    common::panels_of(&Path::new("test_data/words").join(program), request)
        .pop()
        .unwrap()
}

/// The row of frame `func` at `sp_offset` from that frame's SP.
fn row<'a>(d: &'a StackDiagram, func: &str, sp_offset: i64) -> &'a Row {
    d.frames
        .iter()
        .filter(|f| f.func == func)
        .flat_map(|f| &f.rows)
        .find(|r| r.sp_offset == sp_offset)
        .unwrap_or_else(|| panic!("no row +{sp_offset} in {func}: {d:#?}"))
}

fn shown(r: &Row) -> String {
    format!(
        "{} = {}{}",
        r.label,
        r.value,
        if r.stale { " (stale)" } else { "" }
    )
}

/// A result the register ABI puts on the stack (a struct of ten words; the
/// tenth of ten ints) is named as that result, and the spill slot of the
/// register argument lies above the results (`abi-internal.md`).
#[test]
fn stack_assigned_results_are_named_as_results() {
    for flags in ["", "-N -l"] {
        let d = panel("results", Arch::Amd64, flags, "makeBig ret");
        assert_eq!(
            shown(row(&d, "main.main", 0)),
            "makeBig.~r0.A = 7",
            "{flags:?}"
        );
        assert_eq!(
            shown(row(&d, "main.main", 72)),
            "makeBig.~r0.J = 70",
            "{flags:?}"
        );
        assert_eq!(
            row(&d, "main.main", 80).label,
            "makeBig.n (spill)",
            "{flags:?}"
        );
        let d = panel("results", Arch::Amd64, flags, "ten ret");
        assert_eq!(shown(row(&d, "main.main", 0)), "ten.~r9 = 10", "{flags:?}");
        assert_eq!(row(&d, "main.main", 8).label, "ten.n (spill)", "{flags:?}");
    }
    // On 386 every argument, then every result, is on the stack.
    let d = panel("results", Arch::I386, "", "ten ret");
    assert_eq!(shown(row(&d, "main.main", 0)), "ten.n = 1");
    assert_eq!(shown(row(&d, "main.main", 40)), "ten.~r9 = 10");
}

/// Arguments the registers could not take are stack arguments, not spill slots.
#[test]
fn stack_assigned_arguments_are_not_spill_slots() {
    let d = common::panels(
        "manyargs",
        Request {
            arches: vec![Arch::Amd64],
            at: "many entry".into(),
            ..Request::default()
        },
    )
    .pop()
    .unwrap();
    assert_eq!(shown(row(&d, "main.main", 0)), "many.a10 = 10");
    assert_eq!(shown(row(&d, "main.main", 16)), "many.a12 = 12");
    assert_eq!(row(&d, "main.main", 24).label, "many.a1 (spill)");
}

/// After `y := g(2)` the popped words are g's: its return address (the one
/// its CALL pushed) and its result, not f's from the call before.
#[test]
fn the_popped_words_are_those_of_the_last_frame_there() {
    let d = panel("twocalls", Arch::Amd64, "-N -l", "after call g");
    let dead: Vec<String> = d.dead.iter().map(shown).collect();
    let ret = format!(
        "return addr = {}",
        d.caption.instruction.split(' ').next().unwrap()
    );
    assert!(dead.contains(&ret), "{dead:#?} lacks {ret}");
    assert!(dead.contains(&"g.~r0 = 200".to_string()), "{dead:#?}");
    assert!(!dead.iter().any(|r| r.starts_with("f.")), "{dead:#?}");
}

/// Argument words left by an earlier call are stale until this call fills
/// them; the words the last call used keep its names.
#[test]
fn leftover_argument_words_are_stale() {
    // The spill slots of Scale's receiver and k hold what earlier calls
    // left: Scale's arguments are in registers, and the optimised Scale
    // never spills them.
    let d = panel("receivers", Arch::Amd64, "", "Small.Scale entry");
    for off in [0, 8, 16] {
        let r = row(&d, "main.main", off);
        assert!(r.label.starts_with("Small.Scale."), "{}", shown(r));
        assert!(r.stale, "{}", shown(r));
    }
    // Inside g, before g spills its argument, the spill slot holds f's.
    let d = panel("twocalls", Arch::Amd64, "-N -l", "g+0x8");
    assert_eq!(shown(row(&d, "main.main", 0)), "g.a (spill) = 1 (stale)");
    let d = panel("twocalls", Arch::Amd64, "-N -l", "g ret");
    assert_eq!(shown(row(&d, "main.main", 0)), "g.a (spill) = 2");
    // After the call, the words are still the last call's.
    let d = panel("twocalls", Arch::Amd64, "-N -l", "after call g");
    assert_eq!(shown(row(&d, "main.main", 0)), "g.a (spill) = 2");
}

/// Variables smaller than a word are named at their bytes, several to a
/// word, with the value of each.
#[test]
fn sub_word_variables_are_drawn_at_their_bytes() {
    // At `CMPB main.x+8(SP), $0`, after the five stores.
    let d = panel("subword", Arch::Amd64, "-N -l", "mix+0x69");
    let mix = |off| shown(row(&d, "main.mix", off));
    // The listing: x at +8, v at +9, z at +10, w at +12, y at +7.
    assert_eq!(mix(8), "x@0 v@1 z@2 w@4 = 1 3 4 6");
    assert_eq!(mix(0), "y@7 = 2");
    // The arguments' spill slots: a, b, c and d share a word of main's.
    assert_eq!(
        shown(row(&d, "main.main", 0)),
        "mix.a@0 mix.b@1 mix.c@2 mix.d@4 = 0 1 2 3"
    );
}

/// The frame view puts a frameless function's parameter at the offset the
/// listing writes it at (`main.nums+8(FP)`: SP+8 at entry).
#[test]
fn frame_view_offsets_follow_the_listing() {
    let request = Request {
        arches: vec![Arch::Amd64],
        at: "sum entry".into(),
        view: gostack_draw::View::Frame,
        ..Request::default()
    };
    let go = gostack_toolchain::Go::find().unwrap();
    let cache =
        gostack_toolchain::Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"));
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/words/variadic/main.go"),
    )
    .unwrap();
    let drawing = gostack_draw::draw(&[go], &cache, &Request { source, ..request }).unwrap();
    let gostack_draw::Drawing::Tables(tables) = drawing else {
        panic!("not a table")
    };
    let cells: Vec<&Vec<String>> = tables[0].rows.iter().map(|r| &r.cells).collect();
    assert!(
        cells.iter().any(|c| c[0] == "+8(SP)" && c[2] == "nums"),
        "{cells:#?}"
    );
}

/// The row for frames not shown counts their words.
#[test]
fn folded_frames_count_their_words() {
    let request = |frames| Request {
        arches: vec![Arch::Amd64],
        at: "makeBig ret".into(),
        frames,
        ..Request::default()
    };
    let all = common::panels_of(Path::new("test_data/words/results"), request(Frames::All));
    let top = |func: &str| {
        let f = all[0].frames.iter().find(|f| f.func == func).unwrap();
        f.rows[0].addr
    };
    // runtime.main's words: from its return address down to main.main's.
    let span = top("runtime.main") - top("main.main");
    let focused = common::panels_of(Path::new("test_data/words/results"), request(Frames::Focus));
    let folded = &focused[0].frames[0].rows[0];
    assert_eq!(folded.kind, RowKind::Folded);
    let words = span / 8;
    assert!(words > 3, "{span}");
    assert!(
        folded
            .value
            .ends_with(&format!("runtime.main; {words} words)")),
        "{} for {words} words",
        folded.value
    );
}

/// The register row shows every register that holds an argument, result
/// or variable, with its name: the sixth to ninth integer arguments in R8
/// to R11, floats in X registers, a callee's results after its call.
#[test]
fn registers_say_what_they_hold() {
    let regs = |at: &str, flags: &str| -> Vec<String> {
        let d = common::panels(
            "manyargs",
            Request {
                arches: vec![Arch::Amd64],
                flags: flags.split_whitespace().map(str::to_string).collect(),
                at: at.into(),
                ..Request::default()
            },
        )
        .pop()
        .unwrap();
        d.registers
            .iter()
            .map(|r| format!("{} = {}", r.name, r.shown()))
            .collect()
    };
    let many = regs("many entry", "");
    for want in ["AX = 1 (a1)", "SI = 5 (a5)", "R8 = 6 (a6)", "R11 = 9 (a9)"] {
        assert!(many.contains(&want.to_string()), "{many:?} lacks {want}");
    }
    let mixed = regs("mixed entry", "");
    for want in [
        "DI = 2 (p.s.len)",
        "SI = 3 (n)",
        "X0 = 1.5 (f1)",
        "X1 = 2.5 (f2)",
    ] {
        assert!(mixed.contains(&want.to_string()), "{mixed:?} lacks {want}");
    }
    // At many's RET its three results, and in main just after the call.
    let ret = regs("many ret", "-N -l");
    assert!(ret.contains(&"AX = 10 (~r0)".to_string()), "{ret:?}");
    assert!(ret.contains(&"CX = 42 (~r2)".to_string()), "{ret:?}");
    let after = regs("after call many", "-N -l");
    assert!(
        after.contains(&"BX = 26 (many.~r1)".to_string()),
        "{after:?}"
    );
}

/// A heap object has one name in every figure of a run: its number in the
/// order the run allocated it.
#[test]
fn heap_objects_keep_their_number_across_figures() {
    let word = |at: &str, label: &str| -> String {
        let d = common::panels(
            "funcvalues",
            Request {
                arches: vec![Arch::Amd64],
                flags: vec!["-N".into(), "-l".into()],
                at: at.into(),
                ..Request::default()
            },
        )
        .pop()
        .unwrap();
        d.frames
            .iter()
            .filter(|f| f.func == "main.main")
            .flat_map(|f| &f.rows)
            .find(|r| r.label == label)
            .unwrap_or_else(|| panic!("no {label} at {at}"))
            .value
            .clone()
    };
    // `c := &counter{}` and `acc := total()`, seen from two later moments
    // whose figures show different sets of heap pointers.
    let c = word("bound entry", "c");
    assert!(c.starts_with("heap#"), "{c}");
    assert_eq!(word("total entry", "c"), c);
    assert_eq!(word("main.go:56", "c"), c);
    let acc = word("bound entry", "acc");
    assert!(acc.starts_with("heap#") && acc != c, "{acc} {c}");
    assert_eq!(word("main.go:56", "acc"), acc);
}

/// DWARF can describe one result twice (optimised `incr2`, whose deferred
/// closure captures its result `b`): it is one result, in AX, and BX holds
/// nothing of incr2's (Delve reads no location for the second `b`).
#[test]
fn a_parameter_described_twice_is_one_parameter() {
    let request = Request {
        arches: vec![Arch::Amd64],
        at: "incr2 ret".into(),
        ..Request::default()
    };
    let d = common::panels("defer", request).pop().unwrap();
    let holding: Vec<(String, String)> = d
        .registers
        .iter()
        .filter(|r| !r.holds.is_empty())
        .map(|r| (r.name.clone(), r.shown()))
        .collect();
    assert!(
        holding.contains(&("AX".into(), "2 (b)".into())),
        "{holding:?}"
    );
    assert!(holding.iter().all(|(r, _)| r != "BX"), "{holding:?}");
}

/// A frame's words are offsets from BP only once BP points at the frame:
/// after `PUSHQ BP` and before `MOVQ SP, BP`, BP is still the caller's.
#[test]
fn offsets_from_bp_only_once_bp_is_the_frames() {
    let at = |moment: &str| {
        let request = Request {
            arches: vec![Arch::Amd64],
            flags: vec!["-N".into(), "-l".into()],
            at: moment.into(),
            ..Request::default()
        };
        let d = common::panels("add", request).pop().unwrap();
        let f = d.frames.iter().find(|f| f.func == "main.add2").unwrap();
        f.rows.iter().map(|r| r.bp_offset).collect::<Vec<_>>()
    };
    assert_eq!(at("main.add2+0x1"), [None, None]);
    assert_eq!(at("main.add2+0x4"), [Some(8), Some(0)]);
}

/// A runtime function DWARF describes only as inlined (an abstract entry;
/// its out-of-line copy names nothing) still names its spill slot in its
/// caller's frame: `runtime.newobject(typ)` called from newPoint.
#[test]
fn a_callee_described_only_as_inlined_names_its_spill_slot() {
    let request = Request {
        arches: vec![Arch::Amd64],
        at: "main.newPoint+0x25".into(),
        ..Request::default()
    };
    let d = common::panels("escape", request).pop().unwrap();
    assert_eq!(
        row(&d, "main.newPoint", 0).label,
        "runtime.newobject.typ (spill)"
    );
}

/// A type descriptor package code refers to is named as the listing names
/// it (`LEAQ type:main.point(SB), AX`), though the linker gives it no
/// symbol: in AX on amd64, in newobject's stack argument on 386.
#[test]
fn type_descriptors_are_named_as_the_listing_names_them() {
    let panel = |arch, at: &str| {
        let request = Request {
            arches: vec![arch],
            at: at.into(),
            ..Request::default()
        };
        common::panels("escape", request).pop().unwrap()
    };
    let d = panel(Arch::Amd64, "main.newPoint+0x20");
    let ax = d.registers.iter().find(|r| r.name == "AX").unwrap();
    assert_eq!(ax.value, "&type:main.point");
    let d = panel(Arch::I386, "main.newPoint+0x1e");
    assert_eq!(
        shown(row(&d, "main.newPoint", 0)),
        "runtime.newobject.typ = &type:main.point"
    );
}
