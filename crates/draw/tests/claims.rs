//! Claims a text makes about a figure hold when the figure shows them and
//! are reported, with what the figure shows instead, when it does not:
//! checked on real drawings of the samples.

use gostack_diagram::Figure;
use gostack_draw::claims::{Claim, check};
use gostack_draw::{Drawing, Request, View};
use gostack_emu::Arch;

mod common;

fn figure(sample: &str, arches: &[Arch], flags: &str, at: &str) -> Drawing {
    let request = Request {
        arches: arches.to_vec(),
        flags: flags.split_whitespace().map(str::to_string).collect(),
        at: at.into(),
        fold: true,
        ..Request::default()
    };
    Drawing::Figure(Figure {
        panels: common::panels(sample, request),
    })
}

/// The claims of `texts` that `drawing` breaks, as `claim: what it shows`.
fn broken(drawing: &Drawing, texts: &[&str]) -> Vec<String> {
    let claims: Vec<Claim> = texts.iter().map(|t| Claim::parse(t).unwrap()).collect();
    check(&claims, drawing)
        .into_iter()
        .map(|b| format!("{}: {}", b.claim, b.shows))
        .collect()
}

#[test]
fn what_the_figure_shows_holds() {
    let d = figure("defer", &[Arch::Amd64], "-N -l", "incr1.func1 entry");
    let none: Vec<String> = Vec::new();
    assert_eq!(
        broken(
            &d,
            &[
                "~r0 = 1",
                "incr1.~r0 = 1",
                "main.incr1.~r0 = 1",
                "b = 1",
                "b at +16(SP)",
                "incr1.b at -88(BP)",
                "closure.F = main.incr1.func1",
                "_defer.pc = main.incr1+0x71",
                "frames: main.main, main.incr1, runtime.deferreturn, main.incr1.func1",
                "frames: main, incr1, runtime.deferreturn, incr1.func1",
                "DX = &incr1.closure",
                "no main.add2",
                "no incr2.b",
                "text: closure.&b = &incr1.b",
                "amd64: b = 1",
                "go1: b = 1",
                "panel 1: b = 1",
            ]
        ),
        none
    );
}

#[test]
fn what_it_does_not_show_is_reported_with_what_it_shows() {
    let d = figure("defer", &[Arch::Amd64], "-N -l", "incr1.func1 entry");
    let got = broken(
        &d,
        &[
            "incr1.~r0 = 2",
            "b at +8(SP)",
            "frames: main.main, main.incr1",
            "no b",
            "no runtime.deferreturn",
            "text: deferprocStack(SB)",
            "386: b = 1",
            "panel 2: b = 1",
            "DX = 0",
            "nothing = 1",
            "b = 1 (stale)",
        ],
    );
    let expected = [
        "incr1.~r0 = 2: the figure: it shows ~r0 = 1 (main.incr1 +8(SP))",
        "b at +8(SP): the figure: `b` is at main.main +24(SP), main.incr1 +16(SP)",
        "frames: main.main, main.incr1: the figure: its frames are main.main, main.incr1, runtime.deferreturn, main.incr1.func1",
        "no b: the figure: it shows b = 0 (main.main +24(SP)), b = 1 (main.incr1 +16(SP))",
        "no runtime.deferreturn: the figure: it draws a frame of `runtime.deferreturn`",
        "text: deferprocStack(SB): the figure: its text does not contain `deferprocStack(SB)`",
        "386: b = 1: the drawing has no such panel: its panels are go1.26.8 amd64",
        "panel 2: b = 1: the drawing has no such panel: its panels are go1.26.8 amd64",
        "DX = 0: the figure: it shows DX = &incr1.closure",
        "nothing = 1: the figure: nothing named `nothing` is drawn",
        "b = 1 (stale): the figure: it shows b = 0 (main.main +24(SP)), b = 1 (main.incr1 +16(SP))",
    ];
    assert_eq!(got, expected.map(str::to_string));
}

/// Without a prefix a claim holds in every panel; a prefix picks panels.
#[test]
fn claims_hold_in_every_panel_unless_they_name_one() {
    let d = figure("add", &[Arch::Amd64, Arch::I386], "", "add2 entry");
    // add2's argument: AX on amd64 (a register holding the innermost
    // frame's `a`), the stack word add1 stored on 386.
    assert_eq!(
        broken(
            &d,
            &[
                "add2.a = 11",
                "amd64: AX = 11",
                "386: add2.a at +0(SP)",
                "panel 2: add1.a = 1"
            ]
        ),
        Vec::<String>::new()
    );
    let got = broken(&d, &["AX = 11 (a)", "add1.a = 1"]);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].contains("panel 1 (go1.26") || got[0].contains("panel 1"),
        "{got:?}"
    );
    assert!(
        got[1].starts_with("add1.a = 1: panel 1 (") && !got[1].contains("panel 2"),
        "only the amd64 panel spills add1.a: {got:?}"
    );
}

/// Sub-word variables answer by name, each with its own value.
#[test]
fn sub_word_rows_answer_by_each_name() {
    let request = Request {
        arches: vec![Arch::Amd64],
        flags: vec!["-N".into(), "-l".into()],
        at: "mix+0x69".into(),
        ..Request::default()
    };
    let d = Drawing::Figure(Figure {
        panels: common::panels_of(std::path::Path::new("test_data/words/subword"), request),
    });
    let text = gostack_draw::render(&d, gostack_draw::Format::Ascii, "t");
    assert!(text.contains("x@0 v@1 z@2 w@4 = 1 3 4 6"), "{text}");
    assert_eq!(
        broken(
            &d,
            &[
                "x = 1",
                "v = 3",
                "z = 4",
                "w = 6",
                "y = 2",
                "mix.a = 0",
                "mix.d = 3"
            ]
        ),
        Vec::<String>::new()
    );
    assert_eq!(broken(&d, &["v = 1"]).len(), 1);
}

/// Tables take `text:` claims only, and say so for others.
#[test]
fn tables_take_text_claims() {
    let go = gostack_toolchain::Go::find().expect("Go is installed");
    let cache = gostack_toolchain::Cache::new(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"),
    );
    let request = Request {
        source: std::fs::read_to_string("../../go-samples/add/main.go").unwrap(),
        file_name: "main.go".into(),
        arches: vec![Arch::Amd64],
        at: "add2 entry".into(),
        view: View::Asm,
        ..Request::default()
    };
    let d = gostack_draw::draw(&[go], &cache, &request).unwrap();
    assert_eq!(broken(&d, &["text: ADDQ $10, AX"]), Vec::<String>::new());
    let got = broken(&d, &["text: PUSHQ BP", "a = 11"]);
    assert_eq!(
        got,
        [
            "text: PUSHQ BP: the figure: its text does not contain `PUSHQ BP`",
            "a = 11: the figure: this view draws a table: only `text:` claims can be checked on it",
        ]
    );
}

#[test]
fn malformed_claims_say_which_forms_there_are() {
    for bad in ["b is one", "frames:", "panel 0: a = 1", "text:", " = 1"] {
        let err = Claim::parse(bad).unwrap_err();
        assert!(err.contains(&format!("`{}`", bad.trim())), "{bad}: {err}");
    }
    assert!(
        Claim::parse("b is one")
            .unwrap_err()
            .contains("NAME = VALUE")
    );
}
