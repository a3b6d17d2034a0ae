//! Stack pictures of the samples at the moments the notes use, as snapshots
//! in `test_data/` (re-record with `UPDATE_EXPECT=1`), and the rules every
//! picture keeps: escaping, determinism, clear errors for moments.

use std::path::{Path, PathBuf};

use gostack_diagram::Figure;
use gostack_draw::{Error, MomentError, Request, stack_figure};
use gostack_emu::Arch;
use gostack_toolchain::{Cache, Go};

fn sample_source(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../go-samples")
        .join(name)
        .join("main.go");
    std::fs::read_to_string(path).unwrap()
}

fn cache() -> Cache {
    Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"))
}

fn request(source: String, arches: &[Arch], flags: &str, at: &str, nth: usize) -> Request {
    Request {
        source,
        file_name: "main.go".into(),
        arches: arches.to_vec(),
        flags: flags.split_whitespace().map(str::to_string).collect(),
        at: at.into(),
        nth,
        ..Request::default()
    }
}

fn figure(sample: &str, arches: &[Arch], flags: &str, at: &str, nth: usize) -> Figure {
    let go = Go::find().expect("Go is installed");
    stack_figure(
        &go,
        &cache(),
        &request(sample_source(sample), arches, flags, at, nth),
    )
    .unwrap()
}

fn snapshot(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(name)
}

/// The pictures of the notes: add1/add2 after each CALL and before each RET, both arches.
#[test]
fn add_step_by_step_on_both_arches() {
    let both = [Arch::Amd64, Arch::I386];
    for at in [
        "add1 entry",
        "add2 entry",
        "add2 ret",
        "after call add2",
        "add1 ret",
        "after call add1",
    ] {
        let fig = figure("add", &both, "-N -l", at, 1);
        let name = format!("add-{}.txt", at.replace(' ', "-"));
        expect_test::expect_file![snapshot(&name)].assert_eq(&gostack_diagram::ascii::render(&fig));
    }
}

#[test]
fn swap_defer_and_manyargs_pictures() {
    let cases = [
        ("swap", "-N -l", "swap ret", 1),
        ("swap", "-N -l", "swapPtr ret", 1),
        ("defer", "-N -l", "incr1.func1 entry", 1),
        ("defer", "-N -l", "incr2.func1 ret", 1),
        ("defer", "", "incr2 ret", 1),
        ("manyargs", "-N -l", "many entry", 1),
        ("manyargs", "", "mixed entry", 1),
        ("recursion", "-N -l", "fact entry", 5),
    ];
    for (sample, flags, at, nth) in cases {
        let fig = figure(sample, &[Arch::Amd64], flags, at, nth);
        let opt = if flags.is_empty() { "opt" } else { "Nl" };
        let name = format!("{sample}-{opt}-{}-{nth}.txt", at.replace(' ', "-"));
        expect_test::expect_file![snapshot(&name)].assert_eq(&gostack_diagram::ascii::render(&fig));
    }
}

/// Two moments of one run side by side: a call and its return.
#[test]
fn two_moments_side_by_side() {
    let go = Go::find().unwrap();
    let mut req = request(
        sample_source("add"),
        &[Arch::Amd64],
        "-N -l",
        "add2 entry",
        1,
    );
    req.beside = Some("after call add2".into());
    let fig = stack_figure(&go, &cache(), &req).unwrap();
    assert_eq!(fig.panels.len(), 2);
    assert!(fig.panels[0].caption.step < fig.panels[1].caption.step);
    expect_test::expect_file![snapshot("add-add2-entry-beside-after-call.txt")]
        .assert_eq(&gostack_diagram::ascii::render(&fig));
}

#[test]
fn svg_and_json_of_one_picture() {
    let fig = figure("add", &[Arch::Amd64, Arch::I386], "-N -l", "add2 ret", 1);
    let svg = gostack_diagram::svg::render(&fig);
    expect_test::expect_file![snapshot("add-add2-ret.svg")].assert_eq(&svg);
    expect_test::expect_file![snapshot("add-add2-ret.json")]
        .assert_eq(&gostack_diagram::json::render(&fig));
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    assert!(svg.contains("var(--fg"), "colours follow the mdBook theme");
}

#[test]
fn the_same_request_draws_byte_identical_pictures() {
    let a = figure("defer", &[Arch::Amd64], "-N -l", "incr2.func1 ret", 1);
    let b = figure("defer", &[Arch::Amd64], "-N -l", "incr2.func1 ret", 1);
    assert_eq!(
        gostack_diagram::svg::render(&a),
        gostack_diagram::svg::render(&b)
    );
    assert_eq!(
        gostack_diagram::ascii::render(&a),
        gostack_diagram::ascii::render(&b)
    );
}

#[test]
fn text_from_the_program_is_escaped_in_svg() {
    let source = "package main\n\n//go:noinline\nfunc show(s string) int { return len(s) }\n\nfunc main() {\n\tshow(\"</text><script>alert(1)</script>\")\n}\n";
    let go = Go::find().unwrap();
    let fig = stack_figure(
        &go,
        &cache(),
        &request(source.into(), &[Arch::Amd64], "-N -l", "show ret", 1),
    )
    .unwrap();
    let ascii = gostack_diagram::ascii::render(&fig);
    assert!(ascii.contains("<script>"), "the string is shown: {ascii}");
    let svg = gostack_diagram::svg::render(&fig);
    assert!(!svg.contains("<script>"), "{svg}");
    assert!(svg.contains("&lt;/text&gt;&lt;script&gt;"), "{svg}");
}

#[test]
fn a_moment_that_never_happens_says_what_did() {
    let go = Go::find().unwrap();
    let err = stack_figure(
        &go,
        &cache(),
        &request(sample_source("add"), &[Arch::Amd64], "", "add3 entry", 1),
    )
    .unwrap_err();
    match &err {
        Error::NotInRun {
            build,
            what: MomentError::NotFound { .. },
        } => assert!(build.ends_with(" amd64"), "{build}"),
        other => panic!("{other}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("main.add3 entry` never happens"),
        "{message}"
    );
    assert!(
        message.contains("main.main, main.add1, main.add2"),
        "{message}"
    );

    let err = stack_figure(
        &go,
        &cache(),
        &request(sample_source("add"), &[Arch::Amd64], "", "add2 entry", 3),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("happens once, not 3 times"),
        "{err}"
    );

    let err = stack_figure(
        &go,
        &cache(),
        &request(sample_source("add"), &[Arch::Amd64], "", "sometime", 1),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Moment(MomentError::Syntax(_))),
        "{err}"
    );
}

/// The labels of the words of `func`'s frame in the first panel, each with
/// whether it is stale.
fn staleness(f: &Figure, func: &str) -> Vec<(String, bool)> {
    f.panels[0]
        .frames
        .iter()
        .filter(|b| b.func == func)
        .flat_map(|b| b.rows.iter())
        .map(|r| (r.label.clone(), r.stale))
        .collect()
}

/// A word nothing wrote since its frame was entered is stale, on both
/// arches: add2's `b` and `tmp` before line 5 runs (its `~r0` is zeroed
/// first), none of add2's at its `return`, and add1's temporary for add2's
/// result until it is stored after the call.
#[test]
fn words_not_written_since_their_frame_was_entered_are_stale() {
    for arch in [Arch::Amd64, Arch::I386] {
        let at_line_5 = figure("add", &[arch], "-N -l", "main.go:5", 1);
        let add2 = staleness(&at_line_5, "main.add2");
        for (name, stale) in [("b", true), ("tmp", true)] {
            assert!(
                add2.contains(&(name.to_string(), stale)),
                "{arch}: add2's {name} stale = {stale}: {add2:?}"
            );
        }
        // The result: add2's own slot on amd64, in add1's frame on 386.
        let add1 = staleness(&at_line_5, "main.add1");
        let result = match arch {
            Arch::Amd64 => add2.contains(&("~r0".into(), false)),
            Arch::I386 => add1.contains(&("add2.~r0".into(), false)),
        };
        assert!(result, "{arch}: {add2:?} {add1:?}");
        assert!(
            add1.contains(&(".autotmp_4".into(), true)),
            "{arch}: {add1:?}"
        );
        assert!(add1.contains(&("b".into(), false)), "{arch}: {add1:?}");

        // `return b`: line 7, with b and tmp assigned.
        let at_line_7 = figure("add", &[arch], "-N -l", "main.go:7", 1);
        let add2 = staleness(&at_line_7, "main.add2");
        assert!(add2.len() >= 3, "{arch}: {add2:?}");
        assert!(add2.iter().all(|(_, s)| !s), "{arch}: {add2:?}");

        // Back in add1: add2's argument was written (by add1 on 386, by
        // add2's spill on amd64); the result's temporary is not stored yet.
        let after = figure("add", &[arch], "-N -l", "after call add2", 1);
        let add1 = staleness(&after, "main.add1");
        let arg: Vec<_> = add1
            .iter()
            .filter(|(l, _)| l.starts_with("add2.a"))
            .collect();
        assert!(
            !arg.is_empty() && arg.iter().all(|(_, s)| !s),
            "{arch}: {add1:?}"
        );
        assert!(
            add1.contains(&(".autotmp_4".into(), true)),
            "{arch}: {add1:?}"
        );
    }
}

/// An offset is one build's: with both GOARCHs, the one whose code has no
/// instruction there is named, with where its instructions do start.
#[test]
fn an_offset_of_one_arch_names_the_other_builds_instructions() {
    let go = Go::find().unwrap();
    // amd64's add2 (`PUSHQ BP; MOVQ SP, BP`) has an instruction at +0x4; 386's does not.
    let both = request(
        sample_source("add"),
        &[Arch::Amd64, Arch::I386],
        "-N -l",
        "add2+0x4",
        1,
    );
    let err = stack_figure(&go, &cache(), &both).unwrap_err();
    match &err {
        Error::NotInRun { build, .. } => assert!(build.ends_with(" 386 -N -l"), "{build}"),
        other => panic!("{other}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("0x4 is not where an instruction of main.add2 starts in this build"),
        "{message}"
    );
    assert!(message.contains("start at 0x0, "), "{message}");
    assert!(message.contains("`main.add2 entry`"), "{message}");
    // amd64 alone draws it.
    let amd64 = request(sample_source("add"), &[Arch::Amd64], "-N -l", "add2+0x4", 1);
    assert_eq!(stack_figure(&go, &cache(), &amd64).unwrap().panels.len(), 1);
}

/// The trace, frame and listing views of add, as tables.
#[test]
fn trace_frame_and_asm_views() {
    let go = Go::find().unwrap();
    for arch in [Arch::Amd64, Arch::I386] {
        let req = request(sample_source("add"), &[arch], "-N -l", "add1 entry", 1);
        let cases = [
            (gostack_draw::View::Trace, Some("after call add1"), "trace"),
            (gostack_draw::View::Frame, None, "frame"),
            (gostack_draw::View::Asm, None, "asm"),
        ];
        for (view, to, name) in cases {
            let req = gostack_draw::Request {
                view,
                to: to.map(str::to_string),
                ..req.clone()
            };
            let drawing = gostack_draw::draw(std::slice::from_ref(&go), &cache(), &req).unwrap();
            let gostack_draw::Drawing::Tables(tables) = drawing else {
                panic!("a table view")
            };
            let text = gostack_diagram::ascii::table(&tables[0]);
            expect_test::expect_file![snapshot(&format!("add-{name}-{arch}.txt"))].assert_eq(&text);
        }
    }
}
