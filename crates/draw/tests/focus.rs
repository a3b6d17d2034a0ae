//! Which frames a picture draws, on real runs of the samples: the callers
//! above main.main fold into one row that names them, `all` draws them,
//! a list draws only its functions, and `fold` sums up runs of compiler temporaries.

use gostack_diagram::{RowKind, StackDiagram};
use gostack_draw::{Frames, Request};
use gostack_emu::Arch;

mod common;

fn diagrams(sample: &str, at: &str, frames: Frames, fold: bool) -> Vec<StackDiagram> {
    let request = Request {
        arches: vec![Arch::Amd64, Arch::I386],
        flags: vec!["-N".into(), "-l".into()],
        at: at.into(),
        frames,
        fold,
        ..Request::default()
    };
    common::panels(sample, request)
}

fn funcs(d: &StackDiagram) -> Vec<&str> {
    d.frames.iter().map(|f| f.func.as_str()).collect()
}

#[test]
fn the_callers_of_main_main_fold_into_one_row_and_runtime_frames_between_stay() {
    for (focus, all) in diagrams("defer", "incr1.func1 entry", Frames::Focus, false)
        .iter()
        .zip(diagrams("defer", "incr1.func1 entry", Frames::All, false))
    {
        let arch = &focus.caption.goarch;
        assert_eq!(
            funcs(&all),
            [
                "runtime.main",
                "main.main",
                "main.incr1",
                "runtime.deferreturn",
                "main.incr1.func1"
            ],
            "{arch}"
        );
        // The same frames but runtime.main's, which is one folded row naming it.
        assert_eq!(funcs(focus), funcs(&all), "{arch}");
        let top = &focus.frames[0];
        assert_eq!(top.rows.len(), 1, "{arch}");
        assert_eq!(top.rows[0].kind, RowKind::Folded);
        // Its words, from its return address down to main.main's (its own
        // words are one row in the full picture).
        let w = if arch == "386" { 4 } else { 8 };
        let words = (all.frames[0].rows[0].addr - all.frames[1].rows[0].addr) / w;
        assert!(words as usize > all.frames[0].rows.len(), "{arch}");
        assert_eq!(
            top.rows[0].value,
            format!("(1 frame not shown: runtime.main; {words} words)"),
            "{arch}"
        );
        assert_eq!(focus.frames[1..], all.frames[1..], "{arch}");
    }
}

#[test]
fn a_list_draws_only_its_functions() {
    let only = Frames::Only(vec!["incr1".into(), "main.incr1.func1".into()]);
    for d in diagrams("defer", "incr1.func1 entry", only, false) {
        assert_eq!(
            funcs(&d),
            [
                "main.main",
                "main.incr1",
                "runtime.deferreturn",
                "main.incr1.func1"
            ],
            "{}",
            d.caption.goarch
        );
        assert!(
            d.frames[0].rows[0]
                .value
                .starts_with("(2 frames not shown: runtime.main, main.main;")
        );
        assert!(
            d.frames[2].rows[0]
                .value
                .starts_with("(1 frame not shown: runtime.deferreturn;")
        );
        assert_eq!(d.frames[1].func, "main.incr1");
        assert!(d.frames[1].rows.len() > 3);
    }
}

#[test]
fn fold_sums_up_runs_of_compiler_temporaries_only() {
    for (folded, plain) in diagrams("defer", "incr1.func1 entry", Frames::Focus, true)
        .iter()
        .zip(diagrams("defer", "incr1.func1 entry", Frames::Focus, false))
    {
        let arch = &plain.caption.goarch;
        let rows = |d: &StackDiagram| -> Vec<gostack_diagram::Row> {
            d.frames
                .iter()
                .skip(1)
                .flat_map(|f| f.rows.clone())
                .collect()
        };
        let temporaries = |r: &gostack_diagram::Row| {
            r.label.starts_with(".autotmp_") && !r.changed && r.arrows.is_empty()
        };
        let plain_rows = rows(&plain);
        assert!(
            plain_rows.iter().filter(|r| temporaries(r)).count() >= 4,
            "{arch}: main.main holds fmt.Println's temporaries"
        );
        // Every word is still accounted for: a folded row says how many it holds.
        let folded_rows = rows(folded);
        let held: usize = folded_rows
            .iter()
            .filter(|r| r.kind == RowKind::Folded)
            .map(|r| {
                r.value
                    .trim_start_matches('(')
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        let kept = folded_rows
            .iter()
            .filter(|r| r.kind != RowKind::Folded)
            .count();
        assert_eq!(held + kept, plain_rows.len(), "{arch}");
        assert!(
            held >= 4 && kept < plain_rows.len(),
            "{arch}: something folded"
        );
        // What the source names stays, in order: variables, results, the
        // closure's words, the _defer record, return addresses, saved BPs.
        let named: Vec<&str> = plain_rows
            .iter()
            .filter(|r| !r.label.starts_with(".autotmp_"))
            .map(|r| r.label.as_str())
            .collect();
        let kept_named: Vec<&str> = folded_rows
            .iter()
            .filter(|r| r.kind != RowKind::Folded && !r.label.starts_with(".autotmp_"))
            .map(|r| r.label.as_str())
            .collect();
        assert_eq!(kept_named, named, "{arch}");
    }
}
