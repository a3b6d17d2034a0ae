//! The views besides the stack: the steps between two moments, a function's
//! frame layout, and its listing with the slots named.

use gostack_diagram::{Table, TableRow};
use gostack_emu::{Change, GPR_NAMES, Run};

/// Most rows a trace table shows.
pub const MAX_TRACE_ROWS: usize = 5000;

/// What changed in step `i`, e.g. `AX=21 [0x40001f48]=11`.
fn changes_text(run: &Run, i: usize) -> String {
    let trace = run.trace.as_ref().expect("traced");
    let mut parts = Vec::new();
    for c in trace.changes_of(i) {
        match c {
            Change::Reg { reg, new, .. } => {
                parts.push(format!("{}={new:#x}", GPR_NAMES[usize::from(reg)]))
            }
            Change::Flags { .. } => parts.push("flags".to_string()),
            Change::Xmm { reg, high, new, .. } => {
                parts.push(format!("X{reg}{}={new:#x}", if high { ".hi" } else { "" }));
            }
            Change::Mem { addr, new, .. } => parts.push(format!("[{:#x}]={new:#x}", addr.get())),
            Change::SegBase { gs, new } => {
                parts.push(format!("{}_base={new:#x}", if gs { "gs" } else { "fs" }))
            }
        }
    }
    // A step may write many words (a string instruction): show the first few.
    const SHOWN: usize = 6;
    if parts.len() > SHOWN {
        let more = parts.len() - SHOWN;
        parts.truncate(SHOWN);
        parts.push(format!("... {more} more"));
    }
    if let Some(e) = trace.event(i) {
        parts.push(format!("({e:?})"));
    }
    parts.join(" ")
}

/// The steps from `from` up to and with `to`: each step of package main,
/// and each run of the runtime's steps between them as one row.
pub fn trace_table(run: &Run, from: usize, to: usize, caption: &str) -> Table {
    let trace = run.trace.as_ref().expect("traced");
    let layout = &run.layout;
    let to = to.min(trace.steps.len().saturating_sub(1));
    let mut rows = Vec::new();
    let mut i = from;
    while i <= to && rows.len() < MAX_TRACE_ROWS {
        if !layout.in_package(trace.steps[i].pc()) {
            let start = i;
            let mut funcs: Vec<String> = Vec::new();
            while i <= to && !layout.in_package(trace.steps[i].pc()) {
                let func = layout.location(trace.steps[i].pc()).func;
                if funcs.last() != Some(&func) && !funcs.contains(&func) && funcs.len() < 4 {
                    funcs.push(func);
                }
                i += 1;
            }
            let n = i - start;
            rows.push(TableRow {
                cells: vec![
                    format!("{start}-{}", i - 1),
                    funcs.first().cloned().unwrap_or_default(),
                    String::new(),
                    format!(
                        "({n} step{} in the runtime: {}{})",
                        if n == 1 { "" } else { "s" },
                        funcs.join(", "),
                        if funcs.len() == 4 { ", ..." } else { "" }
                    ),
                    String::new(),
                ],
                highlight: false,
            });
            continue;
        }
        let loc = layout.location(trace.steps[i].pc());
        let asm = loc.asm.replace('\t', " ");
        let highlight = asm.starts_with("CALL") || asm == "RET";
        rows.push(TableRow {
            cells: vec![
                i.to_string(),
                format!("{}+{:#x}", loc.func, loc.offset),
                loc.pos.map(|p| p.to_string()).unwrap_or_default(),
                asm,
                changes_text(run, i),
            ],
            highlight,
        });
        i += 1;
    }
    if i <= to {
        let left = to + 1 - i;
        rows.push(TableRow {
            cells: vec![
                format!("{i}-{to}"),
                String::new(),
                String::new(),
                format!(
                    "({left} more step{} not shown: a table stops at {MAX_TRACE_ROWS} rows; start at a later moment to see them)",
                    if left == 1 { "" } else { "s" }
                ),
                String::new(),
            ],
            highlight: false,
        });
    }
    Table {
        caption: caption.to_string(),
        about: Default::default(),
        columns: ["step", "pc", "line", "instruction", "changes"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

/// The frame of `func`: every named slot with its offsets, and what part of the frame it is in.
pub fn frame_table(run: &Run, func: &str, caption: &str) -> Option<Table> {
    let (frame, slots) = run.layout.frame_slots(func)?;
    let w = run.layout.word() as i64;
    let frame = frame as i64;
    let mut rows = Vec::new();
    for (name, off) in slots {
        let place = if off >= frame + w {
            "caller's frame: argument or result slot"
        } else if off == frame {
            "return address"
        } else {
            "own frame"
        };
        rows.push(TableRow {
            cells: vec![
                format!("{off:+}(SP)"),
                format!("{:+}(FP)", off - frame - w),
                name,
                place.to_string(),
            ],
            highlight: false,
        });
    }
    Some(Table {
        caption: format!("{caption} · frame {frame} bytes below the return address"),
        about: Default::default(),
        columns: ["offset", "from FP", "name", "where"]
            .map(String::from)
            .to_vec(),
        rows,
    })
}

/// The listing of `func`, one row per instruction, with its source line;
/// the instruction at offset `at` (the moment's, about to run) highlighted.
pub fn asm_table(run: &Run, func: &str, at: u64, caption: &str) -> Option<Table> {
    let lines = run.layout.instructions(func)?;
    let rows = lines
        .into_iter()
        .map(|(off, pos, asm)| {
            let asm = asm.replace('\t', " ");
            let highlight = off == at;
            TableRow {
                cells: vec![
                    format!("{off:#06x}"),
                    pos.map(|p| p.to_string()).unwrap_or_default(),
                    asm,
                ],
                highlight,
            }
        })
        .collect();
    Some(Table {
        caption: caption.to_string(),
        about: Default::default(),
        columns: ["pc", "line", "instruction"].map(String::from).to_vec(),
        rows,
    })
}

/// The step-through between steps `from` and `to`: the steps of package
/// main (at most [`MAX_TRACE_ROWS`]), the runtime's in between taken as one,
/// each with its frame picture as [`crate::stack_diagram`] draws it and
/// [`crate::focus`] trims it, sent as what changed since the step before.
pub fn steps(
    run: &Run,
    from: usize,
    to: usize,
    caption: &str,
    frames: &crate::Frames,
    fold: bool,
) -> gostack_diagram::Steps {
    use std::collections::BTreeMap;

    use gostack_diagram::steps::Encoder;
    use gostack_diagram::{ListingRow, Steps};

    use crate::build::{CaptionInfo, stack_diagram_from, window_start};
    use gostack_emu::History;

    let trace = run.trace.as_ref().expect("traced");
    let layout = &run.layout;
    let to = to.min(trace.steps.len().saturating_sub(1));
    // The listing: every instruction of each package function that runs, functions in order of first run.
    let mut funcs: Vec<String> = Vec::new();
    for s in &trace.steps[from..=to] {
        let loc = layout.location(s.pc());
        if gostack_emu::in_package_main(&loc.func) && !funcs.contains(&loc.func) {
            funcs.push(loc.func);
        }
    }
    let mut listing = Vec::new();
    let mut rows: BTreeMap<(String, u64), usize> = BTreeMap::new();
    for f in &funcs {
        for (off, pos, asm) in layout.instructions(f).unwrap_or_default() {
            rows.insert((f.clone(), off), listing.len());
            listing.push(ListingRow {
                at: format!("{f}+{off:#x}"),
                line: pos.map(|p| p.to_string()).unwrap_or_default(),
                asm: asm.replace('\t', " "),
            });
        }
    }
    let info = CaptionInfo {
        go_version: String::new(),
        flags: String::new(),
        event: String::new(),
    };
    let mut steps = Vec::new();
    let mut encoder = Encoder::new();
    // Two walks forward: one at the step (with what was written where), one
    // at the start of its window of popped words.
    let mut history = History::new(run);
    let mut window = trace.cursor();
    let mut caption = caption.to_string();
    for i in from..=to {
        // The runtime's own steps are not shown one by one: the next step of
        // the package shows what they did.
        if !layout.in_package(trace.steps[i].pc()) {
            continue;
        }
        if steps.len() >= MAX_TRACE_ROWS {
            caption += &format!(
                " (the first {MAX_TRACE_ROWS} steps of the program; steps {i}-{to} are left out: start at a later moment to see them)"
            );
            break;
        }
        history.advance_to(i);
        window.advance_to(window_start(i));
        let mut picture = stack_diagram_from(run, window.clone(), &history, i, &info);
        crate::focus(&mut picture, frames, fold);
        crate::heap::keep(&mut picture, false);
        let loc = layout.location(trace.steps[i].pc());
        let row = rows.get(&(loc.func.clone(), loc.offset)).copied();
        // A listing row says where the step is; only a step outside it says so itself.
        let at = match (&row, &loc.pos) {
            (Some(_), _) => String::new(),
            (None, Some(p)) => format!("{}+{:#x} ({p})", loc.func, loc.offset),
            (None, None) => loc.func.clone(),
        };
        let sp = history.cursor().snapshot().cpu.gpr[gostack_emu::abi::RSP];
        steps.push(encoder.step(row, at, sp, &picture));
    }
    Steps {
        caption,
        about: Default::default(),
        listing,
        steps,
    }
}
