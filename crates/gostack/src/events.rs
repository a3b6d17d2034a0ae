//! `gostack events`: the calls and returns of a run, as moments to draw.

use std::fmt::Write as _;

use gostack_emu::Run;

/// One line per call into and return from a package function, indented by depth.
pub(crate) fn render(run: &Run) -> String {
    let Some(trace) = &run.trace else {
        return String::new();
    };
    let mut out = String::new();
    let mut depth = 0usize;
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, step) in trace.steps.iter().enumerate() {
        let loc = run.layout.location(step.pc());
        if !loc.func.starts_with("main.") {
            continue;
        }
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
                "  ".repeat(depth),
                loc.func
            )
            .unwrap();
            depth += 1;
        } else if loc.asm == "RET" || loc.asm.starts_with("RET\t") {
            depth = depth.saturating_sub(1);
            let n = seen.entry(format!("{} ret", loc.func)).or_insert(0);
            *n += 1;
            writeln!(
                out,
                "{i:>8}  {}{} ret{line}  [nth {n}]",
                "  ".repeat(depth),
                loc.func
            )
            .unwrap();
        }
    }
    out
}
