//! Boxed text, in the style of the hand-drawn Go stack pictures: frames
//! stacked caller over callee, one line per word, SP and BP arrows on the
//! right, changed words marked `*`, popped words below in a dashed box.

use crate::{Figure, Row, RowKind, StackDiagram};

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

/// The lines of one stack picture.
fn panel_lines(d: &StackDiagram) -> Vec<String> {
    let rows = d
        .frames
        .iter()
        .flat_map(|f| f.rows.iter())
        .chain(d.dead.iter());
    let text_width = rows
        .clone()
        .map(|r| row_text(r).chars().count())
        .max()
        .unwrap_or(0)
        .max(20);
    let off_width = rows.map(|r| offsets(r).chars().count()).max().unwrap_or(0);
    let name_width = d
        .frames
        .iter()
        .map(|f| f.func.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let inner = 1 + text_width + 2 + off_width + 1;
    let border = format!("{:name_width$}  +{}+", "", "-".repeat(inner));
    let dashed = format!(
        "{:name_width$}  +{}+",
        "",
        &"- ".repeat(inner / 2 + 1)[..inner]
    );
    let mut lines = vec![d.caption.one_line(), String::new()];
    let line = |name: &str, row: &Row, edge: char| {
        let mark = if row.changed { '*' } else { ' ' };
        let arrows = if row.arrows.is_empty() {
            String::new()
        } else {
            format!("  <- {}", row.arrows.join(", "))
        };
        format!(
            "{name:<name_width$}  {edge}{mark}{:<text_width$}  {:>off_width$} {edge}{arrows}",
            row_text(row),
            offsets(row)
        )
    };
    for f in &d.frames {
        lines.push(border.clone());
        for (i, row) in f.rows.iter().enumerate() {
            lines.push(line(if i == 0 { &f.func } else { "" }, row, '|'));
        }
    }
    lines.push(border);
    if !d.dead.is_empty() {
        for (i, row) in d.dead.iter().enumerate() {
            lines.push(line(if i == 0 { "(popped)" } else { "" }, row, ':'));
        }
        lines.push(dashed);
    }
    if !d.registers.is_empty() {
        lines.push(String::new());
        let regs: Vec<String> = d
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
        for chunk in regs.chunks(4) {
            lines.push(format!("{:name_width$}  {}", "", chunk.join("   ")));
        }
    }
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
