//! `gostack events`: the calls and returns of a run, as moments to draw,
//! and which goroutine ran them.

use std::collections::HashMap;
use std::fmt::Write as _;

use gostack_emu::Run;

/// One line per call into and return from a package function, indented by
/// depth on its goroutine; a line where another goroutine takes over, and
/// where goroutines start and end.
pub(crate) fn render(run: &Run) -> String {
    let Some(trace) = &run.trace else {
        return String::new();
    };
    let layout = &run.layout;
    let goexit = layout.addr("runtime.goexit1");
    let mut out = String::new();
    let mut depth: HashMap<u64, usize> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut current: Option<u64> = None;
    let mut cursor = trace.cursor();
    loop {
        let i = cursor.step();
        let Some(step) = trace.steps.get(i) else {
            break;
        };
        let pc = step.pc();
        let package = layout.in_package(pc);
        if package || Some(pc) == goexit {
            let goid = layout.goroutine_id(cursor.snapshot()).unwrap_or(0);
            if Some(pc) == goexit {
                writeln!(out, "{i:>8}  goroutine {goid} ends").unwrap();
            } else {
                if !depth.contains_key(&goid) {
                    writeln!(out, "{i:>8}  goroutine {goid} starts").unwrap();
                } else if current != Some(goid) {
                    writeln!(out, "{i:>8}  goroutine {goid} runs again").unwrap();
                }
                current = Some(goid);
                let d = depth.entry(goid).or_insert(0);
                let loc = layout.location(pc);
                let line = loc
                    .pos
                    .as_ref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default();
                if loc.offset == 0 {
                    let n = seen.entry(format!("{} entry", loc.func)).or_insert(0);
                    *n += 1;
                    writeln!(
                        out,
                        "{i:>8}  {}{} entry{line}  [nth {n}]",
                        "  ".repeat(*d),
                        loc.func
                    )
                    .unwrap();
                    *d += 1;
                } else if loc.asm == "RET" || loc.asm.starts_with("RET\t") {
                    *d = d.saturating_sub(1);
                    let n = seen.entry(format!("{} ret", loc.func)).or_insert(0);
                    *n += 1;
                    writeln!(
                        out,
                        "{i:>8}  {}{} ret{line}  [nth {n}]",
                        "  ".repeat(*d),
                        loc.func
                    )
                    .unwrap();
                }
            }
        }
        if !cursor.advance() {
            break;
        }
    }
    out
}
