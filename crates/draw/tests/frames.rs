//! Choosing frames: a name that is no function is an error that lists the
//! functions, and a function drawn without its caller keeps the words its
//! caller holds for it (the spill slots of its register arguments).

use std::path::Path;

use gostack_draw::{Frames, Request, stack_figure};
use gostack_emu::Arch;
use gostack_toolchain::{Cache, Go};

fn figure(frames: &str) -> Result<gostack_diagram::Figure, String> {
    let go = Go::find().unwrap();
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples/sum/main.go");
    let request = Request {
        source: std::fs::read_to_string(path).unwrap(),
        file_name: "main.go".into(),
        arches: vec![Arch::Amd64],
        flags: vec!["-N".into(), "-l".into()],
        at: "sum ret".into(),
        nth: 1,
        frames: frames.parse::<Frames>().unwrap(),
        ..Request::default()
    };
    stack_figure(&go, &cache, &request).map_err(|e| e.to_string())
}

#[test]
fn a_frame_name_that_is_no_function_lists_the_functions() {
    let err = figure("sum,nosuch").unwrap_err();
    assert_eq!(
        err,
        "`frames`: `nosuch` is no function of the program; the program's functions: main.main, main.sum"
    );
}

#[test]
fn a_callee_drawn_alone_keeps_its_arguments_words_in_the_folded_caller() {
    let alone = figure("sum").unwrap();
    let frames = &alone.panels[0].frames;
    let funcs: Vec<&str> = frames.iter().map(|f| f.func.as_str()).collect();
    assert_eq!(funcs, ["main.main", "main.sum"]);
    let folded: Vec<&str> = frames[0].rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(folded, ["", "sum.b (spill)", "sum.a (spill)"]);
    assert!(
        frames[0].rows[0]
            .value
            .starts_with("(2 frames not shown: runtime.main, main.main; "),
        "{}",
        frames[0].rows[0].value
    );
    // Drawn with its caller, the words are the caller's as always.
    let both = figure("main,sum").unwrap();
    let main: Vec<&str> = both.panels[0].frames[1]
        .rows
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    assert!(
        main.ends_with(&["sum.b (spill)", "sum.a (spill)"]),
        "{main:?}"
    );
}
