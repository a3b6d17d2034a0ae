//! Boxed text, in the style of the hand-drawn Go stack pictures: frames
//! stacked caller over callee, one line per word, SP and BP arrows on the
//! right, changed words marked `*`, popped words below in a dashed box.

use crate::steps::{PictureRow, pictures};
use crate::{Figure, Row, RowKind, StackDiagram, Steps};

/// The text of a word's line inside the box: `a = 1`, `return addr -> main.main+0x25`.
pub fn row_text(row: &Row) -> String {
    let text = match row.kind {
        RowKind::ReturnAddr => format!("return addr -> {}", row.value),
        RowKind::SavedBp => format!("saved BP -> {}", row.value),
        _ if row.label.is_empty() => row.value.clone(),
        _ => format!("{} = {}", row.label, row.value),
    };
    if row.stale { text + " (stale)" } else { text }
}

/// A word's offsets: `+8(SP)`, with `-16(BP)` when the frame has a BP;
/// nothing for a folded row, which stands for many.
pub fn offsets(row: &Row) -> String {
    if row.kind == RowKind::Folded {
        return String::new();
    }
    match row.bp_offset {
        Some(bp) => format!("{:+}(SP) {:+}(BP)", row.sp_offset, bp),
        None => format!("{:+}(SP)", row.sp_offset),
    }
}

/// The widest a figure's panels may be side by side, in columns: wider,
/// they go one below another, as a terminal can show them.
pub const SIDE_BY_SIDE_COLUMNS: usize = 160;

/// Renders a figure: its panels side by side when they fit in
/// [`SIDE_BY_SIDE_COLUMNS`], else one below another.
pub fn render(figure: &Figure) -> String {
    let panels: Vec<Vec<String>> = figure.panels.iter().map(panel_lines).collect();
    let height = panels.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = panels
        .iter()
        .map(|p| p.iter().map(|l| l.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    let gaps = 4 * panels.len().saturating_sub(1);
    if widths.iter().sum::<usize>() + gaps > SIDE_BY_SIDE_COLUMNS {
        for (k, panel) in panels.iter().enumerate() {
            if k > 0 {
                out.push('\n');
            }
            for line in panel {
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        return out;
    }
    for i in 0..height {
        let mut line = String::new();
        for (k, panel) in panels.iter().enumerate() {
            let text = panel.get(i).map_or("", String::as_str);
            if k + 1 < panels.len() {
                line.push_str(&format!("{text:<width$}    ", width = widths[k]));
            } else {
                line.push_str(text);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One line of a box: its text, its offsets, whether the step wrote it,
/// and the register arrows pointing at it (`SP, BP`, or empty).
struct BoxRow {
    text: String,
    offsets: String,
    changed: bool,
    arrows: String,
}

impl BoxRow {
    fn of_picture(row: &PictureRow) -> BoxRow {
        BoxRow {
            text: row.text.clone(),
            offsets: row.offsets.clone(),
            changed: row.changed,
            arrows: row.arrows.clone(),
        }
    }

    fn of(row: &Row) -> BoxRow {
        BoxRow {
            text: row_text(row),
            offsets: offsets(row),
            changed: row.changed,
            arrows: row.arrows.join(", "),
        }
    }
}

/// The lines of the frames' boxes, caller first, the popped words in a
/// dashed box below, then the registers (already written, `*` when changed),
/// four to a line.
fn box_lines(
    frames: &[(String, Vec<BoxRow>)],
    dead: &[BoxRow],
    registers: &[String],
) -> Vec<String> {
    let rows = frames.iter().flat_map(|f| f.1.iter()).chain(dead);
    let text_width = rows
        .clone()
        .map(|r| r.text.chars().count())
        .max()
        .unwrap_or(0)
        .max(20);
    let off_width = rows.map(|r| r.offsets.chars().count()).max().unwrap_or(0);
    let name_width = name_width(frames.iter().map(|f| f.0.as_str()));
    let inner = 1 + text_width + 2 + off_width + 1;
    let border = format!("{:name_width$}  +{}+", "", "-".repeat(inner));
    let dashed = format!(
        "{:name_width$}  +{}+",
        "",
        &"- ".repeat(inner / 2 + 1)[..inner]
    );
    let mut lines = Vec::new();
    let line = |name: &str, row: &BoxRow, edge: char| {
        let mark = if row.changed { '*' } else { ' ' };
        let arrows = if row.arrows.is_empty() {
            String::new()
        } else {
            format!("  <- {}", row.arrows)
        };
        format!(
            "{name:<name_width$}  {edge}{mark}{:<text_width$}  {:>off_width$} {edge}{arrows}",
            row.text, row.offsets
        )
    };
    for (func, rows) in frames {
        lines.push(border.clone());
        for (i, row) in rows.iter().enumerate() {
            lines.push(line(if i == 0 { func } else { "" }, row, '|'));
        }
    }
    lines.push(border);
    if !dead.is_empty() {
        for (i, row) in dead.iter().enumerate() {
            lines.push(line(if i == 0 { "(popped)" } else { "" }, row, ':'));
        }
        lines.push(dashed);
    }
    if !registers.is_empty() {
        lines.push(String::new());
        for chunk in registers.chunks(4) {
            lines.push(format!("{:name_width$}  {}", "", chunk.join("   ")));
        }
    }
    lines
}

/// The width of the column of function names left of the boxes.
fn name_width<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.map(|n| n.chars().count()).max().unwrap_or(0).max(6)
}

/// The lines of one stack picture.
fn panel_lines(d: &StackDiagram) -> Vec<String> {
    let frames: Vec<(String, Vec<BoxRow>)> = d
        .frames
        .iter()
        .map(|f| (f.func.clone(), f.rows.iter().map(BoxRow::of).collect()))
        .collect();
    let dead: Vec<BoxRow> = d.dead.iter().map(BoxRow::of).collect();
    let registers: Vec<String> = d
        .registers
        .iter()
        .map(|r| {
            format!(
                "{}{} = {}",
                if r.changed { "*" } else { "" },
                r.name,
                r.shown()
            )
        })
        .collect();
    let mut lines = vec![d.caption.one_line(), String::new()];
    lines.extend(box_lines(&frames, &dead, &registers));
    let name_width = name_width(d.frames.iter().map(|f| f.func.as_str()));
    for (k, object) in d.heap.iter().enumerate() {
        lines.push(String::new());
        let from: Vec<String> = d
            .pointers_to(k)
            .into_iter()
            .map(|(p, _)| d.pointer_name(p))
            .collect();
        let arrow = if from.is_empty() {
            String::new()
        } else {
            format!("  <- {}", from.join(", "))
        };
        lines.push(format!("{:name_width$}  {}{arrow}", "", object.title()));
        let off_width = object
            .rows
            .last()
            .map_or(3, |r| format!("{:#x}", r.offset).len() + 1);
        for r in &object.rows {
            let text = if r.label.is_empty() {
                r.value.clone()
            } else {
                format!("{} = {}", r.label, r.value)
            };
            lines.push(format!(
                "{:name_width$}    {:>off_width$}  {text}",
                "",
                format!("+{:#x}", r.offset)
            ));
        }
    }
    lines
}

/// How many instructions of the running function a step shows on either
/// side of the one about to run, when the function has more.
const LISTING_REACH: usize = 10;

/// The widest a step's stack and listing may be side by side, in columns:
/// a terminal's full width on a laptop screen. Wider, the listing goes below.
pub const STEP_COLUMNS: usize = 180;

/// A step-through as text, the terminal's own: at each step the stack as
/// the step-through page draws it (words the step before wrote and
/// registers it changed marked `*`), and beside it the running function's
/// listing with the instruction about to run marked `>` (below the stack
/// when the two are wider than [`STEP_COLUMNS`]).
pub fn steps(s: &Steps) -> String {
    let mut out = format!("{}\n", s.caption);
    let total = s.steps.len();
    for (i, (d, picture)) in s.steps.iter().zip(pictures(s)).enumerate() {
        let at = match d.row {
            Some(r) if d.at.is_empty() => format!("{} ({})", s.listing[r].at, s.listing[r].line),
            _ => d.at.clone(),
        };
        out.push_str(&format!("\nstep {} of {total} · {at}\n\n", i + 1));
        let frames: Vec<(String, Vec<BoxRow>)> = picture
            .frames
            .iter()
            .map(|(f, rows)| (f.clone(), rows.iter().map(BoxRow::of_picture).collect()))
            .collect();
        let dead: Vec<BoxRow> = picture.dead.iter().map(BoxRow::of_picture).collect();
        // The first step sends every register; after it, those it sends changed.
        let changed = |name: &str| i > 0 && d.regs.iter().any(|(r, _)| r == name);
        let registers: Vec<String> = picture
            .registers
            .iter()
            .map(|(name, value)| {
                format!("{}{name} = {value}", if changed(name) { "*" } else { "" })
            })
            .collect();
        let stack = box_lines(&frames, &dead, &registers);
        let listing = d.row.map(|r| listing_lines(s, r)).unwrap_or_default();
        out.push_str(&beside(&stack, &listing));
    }
    out
}

/// The running function's instructions around listing row `row`, the row marked `>`.
fn listing_lines(s: &Steps, row: usize) -> Vec<String> {
    let func = |k: usize| s.listing[k].at.rsplit_once('+').map_or("", |(f, _)| f);
    let name = func(row);
    let mut start = row;
    while start > 0 && func(start - 1) == name {
        start -= 1;
    }
    let mut end = row + 1;
    while end < s.listing.len() && func(end) == name {
        end += 1;
    }
    let (from, to) = (
        start.max(row.saturating_sub(LISTING_REACH)),
        end.min(row + LISTING_REACH + 1),
    );
    let offset = |k: usize| s.listing[k].at.rsplit_once('+').map_or("", |(_, o)| o);
    let off_width = (from..to).map(|k| offset(k).len()).max().unwrap_or(0);
    let line_width = (from..to)
        .map(|k| s.listing[k].line.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines = vec![name.to_string()];
    let more = |n: usize, side: &str| {
        let s = if n == 1 { "" } else { "s" };
        format!("  ... {n} instruction{s} {side}")
    };
    if from > start {
        lines.push(more(from - start, "before"));
    }
    for k in from..to {
        let l = &s.listing[k];
        lines.push(format!(
            "{} {:<off_width$}  {:<line_width$}  {}",
            if k == row { '>' } else { ' ' },
            offset(k),
            l.line,
            l.asm
        ));
    }
    if to < end {
        lines.push(more(end - to, "after"));
    }
    lines
}

/// `left` and `right` side by side, four columns apart, when they fit in
/// [`STEP_COLUMNS`]; else `right` below `left`.
fn beside(left: &[String], right: &[String]) -> String {
    let width = left.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let right_width = right.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    if right.is_empty() || width + 4 + right_width > STEP_COLUMNS {
        let mut lines: Vec<&str> = left.iter().map(String::as_str).collect();
        if !right.is_empty() {
            lines.push("");
            lines.extend(right.iter().map(String::as_str));
        }
        for line in lines {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        return out;
    }
    for i in 0..left.len().max(right.len()) {
        let l = left.get(i).map_or("", String::as_str);
        let line = match right.get(i) {
            Some(r) => format!("{l:<width$}    {r}"),
            None => l.to_string(),
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Renders a table with aligned columns; highlighted rows start with `>`.
pub fn table(t: &crate::Table) -> String {
    let n = t.columns.len();
    let widths = t.column_widths();
    let line = |cells: &[String], mark: char| {
        let mut s = format!("{mark} ");
        for (i, cell) in cells.iter().enumerate().take(n) {
            if i + 1 < n {
                s.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            } else {
                s.push_str(cell);
            }
        }
        s.trim_end().to_string()
    };
    let mut out = format!("{}\n\n", t.caption);
    out.push_str(&line(&t.columns, ' '));
    out.push('\n');
    out.push_str(&format!(
        "  {}\n",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    ));
    for row in &t.rows {
        out.push_str(&line(&row.cells, if row.highlight { '>' } else { ' ' }));
        out.push('\n');
    }
    out
}
