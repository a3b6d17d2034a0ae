//! `events` lists a run as it goes, recording nothing. Its lines are held
//! to the same run traced: every step recorded, each package step's
//! goroutine read from the recorded memory, the list worked out from the
//! trace afterwards. Then the filters, and the names `--func` takes.

use std::collections::HashMap;
use std::path::Path;

use gostack_draw::events::{Event, Filter, events};
use gostack_emu::{Arch, Run};
use gostack_toolchain::{Cache, CompileRequest, Go};

fn cache() -> Cache {
    Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"))
}

fn request(program: &str, arch: Arch, flags: &[&str]) -> CompileRequest {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(program);
    let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    CompileRequest::from_file(&path, arch, &flags).unwrap()
}

/// The lines `events` hands out for `request` with `filter`.
fn listed(request: &CompileRequest, filter: &Filter) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    let mut out = |e: &Event<'_>| {
        lines.push(e.to_string());
        true
    };
    events(
        &Go::find().unwrap(),
        &cache(),
        request,
        &gostack_draw::Bounds::default(),
        filter,
        &mut out,
    )
    .map_err(|e| e.to_string())?;
    Ok(lines)
}

/// The list worked out from a traced run: at every recorded step in a
/// package function (or at `runtime.goexit1`), the goroutine from the
/// recorded memory; an entry at offset 0, a return at a `RET`.
fn from_trace(run: &Run) -> Vec<String> {
    let trace = run.trace.as_ref().unwrap();
    let layout = &run.layout;
    let goexit = layout.addr("runtime.goexit1");
    let mut lines = Vec::new();
    let mut depth: HashMap<u64, usize> = HashMap::new();
    let mut nth: HashMap<String, usize> = HashMap::new();
    let mut current = None;
    let mut cursor = trace.cursor();
    loop {
        let i = cursor.step();
        let Some(step) = trace.steps.get(i) else {
            break;
        };
        let pc = step.pc();
        if Some(pc) == goexit {
            let g = layout.goroutine_id(cursor.snapshot()).unwrap_or(0);
            lines.push(format!("{i:>8}  goroutine {g} ends"));
        } else if layout.in_package(pc) {
            let g = layout.goroutine_id(cursor.snapshot()).unwrap_or(0);
            if !depth.contains_key(&g) {
                lines.push(format!("{i:>8}  goroutine {g} starts"));
            } else if current != Some(g) {
                lines.push(format!("{i:>8}  goroutine {g} runs again"));
            }
            current = Some(g);
            let d = depth.entry(g).or_insert(0);
            let loc = layout.location(pc);
            let pos = loc
                .pos
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let kind = if loc.offset == 0 {
                Some("entry")
            } else if loc.asm == "RET" {
                Some("ret")
            } else {
                None
            };
            if let Some(kind) = kind {
                if kind == "ret" {
                    *d -= 1;
                }
                let n = nth.entry(format!("{} {kind}", loc.func)).or_insert(0);
                *n += 1;
                let indent = "  ".repeat(*d);
                lines.push(format!(
                    "{i:>8}  {indent}{} {kind}{pos}  [nth {n}]",
                    loc.func
                ));
                if kind == "entry" {
                    *d += 1;
                }
            }
        }
        if !cursor.advance() {
            break;
        }
    }
    lines
}

/// The list equals the one worked out from the trace, line for line.
fn same_as_traced(program: &str, arch: Arch, flags: &[&str]) -> Vec<String> {
    let request = request(program, arch, flags);
    let traced = gostack_draw::trace(
        &Go::find().unwrap(),
        &cache(),
        &request,
        &gostack_draw::Bounds::default(),
    )
    .unwrap();
    let expected = from_trace(&traced.run);
    let lines = listed(&request, &Filter::default()).unwrap();
    assert!(expected.len() > 10, "{expected:?}");
    for (i, (got, want)) in lines.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "line {i} of {program} {arch} {flags:?}");
    }
    assert_eq!(lines.len(), expected.len(), "{program} {arch} {flags:?}");
    lines
}

#[test]
fn goroutines_switching_are_listed_as_the_trace_shows_them() {
    for arch in [Arch::Amd64, Arch::I386] {
        let lines = same_as_traced("../emu/test_data/runtime/channels/main.go", arch, &[]);
        assert!(
            lines.iter().any(|l| l.ends_with(" runs again")),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.ends_with(" ends")), "{lines:?}");
        let lines = same_as_traced(
            "../emu/test_data/runtime/select/main.go",
            arch,
            &["-N", "-l"],
        );
        assert!(lines.iter().filter(|l| l.ends_with(" starts")).count() > 1);
    }
}

#[test]
fn calls_returns_and_panics_are_listed_as_the_trace_shows_them() {
    for arch in [Arch::Amd64, Arch::I386] {
        same_as_traced("../../go-samples/defer/main.go", arch, &["-N", "-l"]);
        same_as_traced("../../go-samples/recursion/main.go", arch, &[]);
    }
}

#[test]
fn from_to_and_func_choose_lines_and_say_whose_goroutine_runs() {
    let request = request(
        "../emu/test_data/runtime/channels/main.go",
        Arch::Amd64,
        &[],
    );
    let all = listed(&request, &Filter::default()).unwrap();
    let step = |l: &String| l.split_whitespace().next().unwrap().parse::<u64>().unwrap();
    // A range: the lines in it, and nothing after it (the run ends there).
    let (from, to) = (step(&all[all.len() / 3]), step(&all[2 * all.len() / 3]));
    let range = listed(
        &request,
        &Filter {
            from,
            to: Some(to),
            ..Filter::default()
        },
    )
    .unwrap();
    let inside: Vec<&String> = all
        .iter()
        .filter(|l| (from..=to).contains(&step(l)))
        .collect();
    // The first line may be the goroutine's (earlier) start or return, saying whose calls follow.
    let body: Vec<&String> = range.iter().filter(|l| step(l) >= from).collect();
    assert_eq!(body, inside);
    assert!(range.len() - body.len() <= 1, "{range:?}");
    if let Some(first) = range.first().filter(|l| step(l) < from) {
        assert!(
            first.contains(" goroutine ") && all.contains(first),
            "{first}"
        );
    }
    // One function: its lines only, each after the line of the goroutine running it.
    let funcs = listed(
        &request,
        &Filter {
            funcs: vec!["func1".into()],
            ..Filter::default()
        },
    );
    let funcs = funcs.unwrap();
    let calls: Vec<&String> = all
        .iter()
        .filter(|l| l.contains(" main.main.func1 "))
        .collect();
    assert_eq!(calls.len(), 16, "{all:?}");
    let got: Vec<&String> = funcs
        .iter()
        .filter(|l| !l.contains(" goroutine "))
        .collect();
    assert_eq!(got, calls);
    assert!(
        funcs[0].contains(" goroutine ") && funcs[0].ends_with(" starts"),
        "{funcs:?}"
    );
    for l in &funcs {
        assert!(all.contains(l), "{l}");
    }
}

#[test]
fn a_func_that_names_nothing_lists_the_programs_functions() {
    let request = request("../../go-samples/add/main.go", Arch::Amd64, &[]);
    let err = listed(
        &request,
        &Filter {
            funcs: vec!["nosuch".into()],
            ..Filter::default()
        },
    )
    .unwrap_err();
    assert!(
        err.starts_with(
            "`--func`: `nosuch` is no function of the program; the program's functions: "
        ) && err.contains("main.add1"),
        "{err}"
    );
}
