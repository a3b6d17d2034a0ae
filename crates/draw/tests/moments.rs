//! The moment language on a real run: a step number, before a call, a
//! call made by a given caller, a method by its short name, and the errors
//! that say what a name could be.

use std::path::Path;

use gostack_draw::{Request, stack_figure};
use gostack_emu::Arch;
use gostack_toolchain::{Cache, Go};

fn source(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The step and the instruction the moment `at` is drawn at, in funcvalues
/// built with `-N -l`, or the error.
fn at(file: &str, at: &str, nth: usize) -> Result<(u64, String), String> {
    let go = Go::find().unwrap();
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"));
    let request = Request {
        source: source(file),
        file_name: "main.go".into(),
        arches: vec![Arch::Amd64],
        flags: vec!["-N".into(), "-l".into()],
        at: at.into(),
        nth,
        ..Request::default()
    };
    let figure = stack_figure(&go, &cache, &request).map_err(|e| e.to_string())?;
    let caption = &figure.panels[0].caption;
    Ok((caption.step, caption.instruction.clone()))
}

const FUNCVALUES: &str = "../../go-samples/funcvalues/main.go";

#[test]
fn a_step_number_is_the_moment_events_printed_it_for() {
    let (entry, instruction) = at(FUNCVALUES, "main.(*counter).add entry", 1).unwrap();
    assert!(
        instruction.starts_with("main.(*counter).add+0x0 "),
        "{instruction}"
    );
    let (step, same) = at(FUNCVALUES, &format!("step {entry}"), 1).unwrap();
    assert_eq!((step, same), (entry, instruction));
    let err = at(FUNCVALUES, "step 999999999", 1).unwrap_err();
    assert!(err.contains("`step 999999999` never happens"), "{err}");
}

#[test]
fn before_a_call_is_the_call_instruction_one_step_before_the_entry() {
    let (entry, _) = at(FUNCVALUES, "main.(*counter).add entry", 1).unwrap();
    let (step, instruction) = at(FUNCVALUES, "before call main.(*counter).add", 1).unwrap();
    assert_eq!(step + 1, entry);
    assert!(instruction.starts_with("main.dynamic+"), "{instruction}");
    assert!(instruction.contains(" CALL "), "{instruction}");
}

#[test]
fn in_names_the_caller() {
    // add is called by dynamic first, then by the method value's wrapper.
    let (first, _) = at(FUNCVALUES, "main.(*counter).add entry", 1).unwrap();
    let (second, _) = at(FUNCVALUES, "main.(*counter).add entry", 2).unwrap();
    assert_eq!(
        at(FUNCVALUES, "main.(*counter).add entry in dynamic", 1)
            .unwrap()
            .0,
        first
    );
    assert_eq!(
        at(
            FUNCVALUES,
            "main.(*counter).add entry in main.(*counter).add-fm",
            1
        )
        .unwrap()
        .0,
        second
    );
    let (after, instruction) = at(
        FUNCVALUES,
        "after call main.(*counter).add in main.(*counter).add-fm",
        1,
    )
    .unwrap();
    assert!(after > second, "{after} {second}");
    assert!(
        instruction.starts_with("main.(*counter).add-fm+"),
        "{instruction}"
    );
    // runtime.newobject is first called by the runtime itself, long before main.
    let (anywhere, instruction) = at(FUNCVALUES, "after call runtime.newobject", 1).unwrap();
    assert!(!instruction.starts_with("main."), "{instruction}");
    let (in_main, instruction) =
        at(FUNCVALUES, "after call runtime.newobject in main.total", 1).unwrap();
    assert!(in_main > anywhere);
    assert!(instruction.starts_with("main.total+"), "{instruction}");
    let err = at(FUNCVALUES, "main.go:9 in main.main", 1).unwrap_err();
    assert!(err.contains("is not a moment"), "{err}");
}

#[test]
fn a_method_is_named_by_its_short_name_when_only_one_has_it() {
    let full = at(FUNCVALUES, "main.(*counter).add entry", 1).unwrap();
    assert_eq!(at(FUNCVALUES, "add entry", 1).unwrap(), full);
    let err = at("../emu/test_data/programs/methods/main.go", "area entry", 1).unwrap_err();
    assert!(
        err.contains("`area` names several functions: main.(*square).area, main.rect.area"),
        "{err}"
    );
}
