//! Inline SVG that follows the mdBook theme: colours come from the theme's
//! CSS variables (`--fg`, `--bg`, `--quote-bg`, `--links`,
//! `--table-border-color`), with fallbacks for a page without them, so the
//! same figure reads in the light and the dark themes. Text is monospace in
//! the reader's own fonts; every text from the program is escaped.

use std::fmt::Write as _;

use crate::ascii::{offsets, row_text};
use crate::{Figure, Row, RowKind, StackDiagram};

const CHAR_W: f64 = 7.8;
const ROW_H: f64 = 20.0;
const FONT: &str = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
const GAP: f64 = 32.0;

/// Escapes text for SVG/XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Widths of one panel: function names, row text, offsets, arrows.
struct Columns {
    name: f64,
    text: f64,
    offset: f64,
    arrows: f64,
}

impl Columns {
    fn of(d: &StackDiagram) -> Columns {
        let rows: Vec<&Row> = d
            .frames
            .iter()
            .flat_map(|f| f.rows.iter())
            .chain(d.dead.iter())
            .collect();
        let chars = |n: usize| n as f64 * CHAR_W;
        Columns {
            name: chars(
                d.frames
                    .iter()
                    .map(|f| f.func.chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(8),
            ) + 12.0,
            text: chars(
                rows.iter()
                    .map(|r| row_text(r).chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(20),
            ) + 16.0,
            offset: chars(
                rows.iter()
                    .map(|r| offsets(r).chars().count())
                    .max()
                    .unwrap_or(0),
            ) + 12.0,
            arrows: chars(
                rows.iter()
                    .map(|r| r.arrows.join(", ").chars().count() + 3)
                    .max()
                    .unwrap_or(0),
            ) + 8.0,
        }
    }

    fn width(&self) -> f64 {
        self.name + self.text + self.offset + self.arrows
    }
}

/// Renders a figure as one `<svg>` element, panels side by side.
pub fn render(figure: &Figure) -> String {
    let columns: Vec<Columns> = figure.panels.iter().map(Columns::of).collect();
    let heights: Vec<f64> = figure.panels.iter().map(panel_height).collect();
    let width = columns.iter().map(Columns::width).sum::<f64>()
        + GAP * (figure.panels.len().max(1) - 1) as f64;
    let height = heights.iter().copied().fold(0.0, f64::max);
    let mut out = String::new();
    write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gostack\" role=\"img\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" style=\"max-width:100%;height:auto\" font-family=\"{FONT}\" font-size=\"13\">",
    )
    .unwrap();
    let title = figure
        .panels
        .iter()
        .map(|p| p.caption.one_line())
        .collect::<Vec<_>>()
        .join(" | ");
    write!(out, "<title>{}</title>", escape(&title)).unwrap();
    out.push_str(concat!(
        "<style>",
        ".gostack text{fill:var(--fg,#333)}",
        ".gostack .box{fill:var(--bg,#fff);stroke:var(--fg,#333);stroke-width:1}",
        ".gostack .frame{fill:var(--quote-bg,#f5f5f5);stroke:var(--fg,#333);stroke-width:1}",
        ".gostack .changed{fill:var(--links,#4183c4);fill-opacity:0.22}",
        ".gostack .dead{fill:none;stroke:var(--fg,#333);stroke-dasharray:4 3;stroke-opacity:0.6}",
        ".gostack .muted{fill-opacity:0.6}",
        ".gostack .ret{font-style:italic}",
        ".gostack .arrow{fill:var(--links,#4183c4)}",
        ".gostack .sep{stroke:var(--table-border-color,#ccc);stroke-width:1}",
        "</style>"
    ));
    let mut x = 0.0;
    for (panel, cols) in figure.panels.iter().zip(&columns) {
        render_panel(&mut out, panel, cols, x);
        x += cols.width() + GAP;
    }
    out.push_str("</svg>");
    out
}

fn panel_height(d: &StackDiagram) -> f64 {
    let rows = d.frames.iter().map(|f| f.rows.len()).sum::<usize>() + d.dead.len();
    let regs = d.registers.len().div_ceil(4);
    40.0 + rows as f64 * ROW_H
        + if d.dead.is_empty() { 0.0 } else { 8.0 }
        + regs as f64 * ROW_H
        + 16.0
}

fn render_panel(out: &mut String, d: &StackDiagram, cols: &Columns, x0: f64) {
    write!(out, "<g transform=\"translate({x0:.1},0)\">").unwrap();
    write!(
        out,
        "<text x=\"0\" y=\"16\" font-weight=\"bold\">{}</text>",
        escape(&d.caption.one_line())
    )
    .unwrap();
    let box_x = cols.name;
    let box_w = cols.text + cols.offset;
    let mut y = 32.0;
    for f in &d.frames {
        let h = f.rows.len() as f64 * ROW_H;
        write!(out, "<rect class=\"frame\" x=\"{box_x:.1}\" y=\"{y:.1}\" width=\"{box_w:.1}\" height=\"{h:.1}\"/>").unwrap();
        write!(
            out,
            "<text x=\"0\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
            y + 14.0,
            escape(&f.func)
        )
        .unwrap();
        for (i, row) in f.rows.iter().enumerate() {
            if i > 0 {
                write!(out, "<line class=\"sep\" x1=\"{box_x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>", box_x + box_w).unwrap();
            }
            render_row(out, row, cols, y);
            y += ROW_H;
        }
    }
    if !d.dead.is_empty() {
        y += 8.0;
        let h = d.dead.len() as f64 * ROW_H;
        write!(out, "<rect class=\"dead\" x=\"{box_x:.1}\" y=\"{y:.1}\" width=\"{box_w:.1}\" height=\"{h:.1}\"/>").unwrap();
        write!(
            out,
            "<text class=\"muted\" x=\"0\" y=\"{:.1}\">(popped)</text>",
            y + 14.0
        )
        .unwrap();
        for row in &d.dead {
            render_row(out, row, cols, y);
            y += ROW_H;
        }
    }
    y += 16.0;
    for chunk in d.registers.chunks(4) {
        let mut rx = box_x;
        for r in chunk {
            let text = format!("{} = {}", r.name, r.value);
            if r.changed {
                let w = text.chars().count() as f64 * CHAR_W + 6.0;
                write!(out, "<rect class=\"changed\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\"/>", rx - 3.0, y - 13.0, ROW_H - 2.0).unwrap();
            }
            write!(
                out,
                "<text x=\"{rx:.1}\" y=\"{y:.1}\">{}</text>",
                escape(&text)
            )
            .unwrap();
            rx += (text.chars().count() as f64 + 3.0) * CHAR_W;
        }
        y += ROW_H;
    }
    out.push_str("</g>");
}

fn render_row(out: &mut String, row: &Row, cols: &Columns, y: f64) {
    let box_x = cols.name;
    if row.changed {
        write!(
            out,
            "<rect class=\"changed\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            box_x + 1.0,
            y + 1.0,
            cols.text + cols.offset - 2.0,
            ROW_H - 2.0
        )
        .unwrap();
    }
    let class = match row.kind {
        RowKind::Dead | RowKind::Unnamed | RowKind::Folded => " class=\"muted\"",
        RowKind::ReturnAddr | RowKind::SavedBp => " class=\"ret\"",
        _ => "",
    };
    let base = y + 14.0;
    write!(
        out,
        "<text{class} x=\"{:.1}\" y=\"{base:.1}\">{}</text>",
        box_x + 8.0,
        escape(&row_text(row))
    )
    .unwrap();
    write!(
        out,
        "<text class=\"muted\" x=\"{:.1}\" y=\"{base:.1}\" text-anchor=\"end\">{}</text>",
        box_x + cols.text + cols.offset - 8.0,
        escape(&offsets(row))
    )
    .unwrap();
    if !row.arrows.is_empty() {
        write!(
            out,
            "<text class=\"arrow\" x=\"{:.1}\" y=\"{base:.1}\">\u{2190} {}</text>",
            box_x + cols.text + cols.offset + 6.0,
            escape(&row.arrows.join(", "))
        )
        .unwrap();
    }
}

/// Renders a table as one `<svg>` element in the theme's colours.
pub fn table(t: &crate::Table) -> String {
    let n = t.columns.len();
    let widths = t.column_widths();
    let xs: Vec<f64> = widths
        .iter()
        .scan(8.0, |x, w| {
            let at = *x;
            *x += (*w as f64 + 2.0) * CHAR_W;
            Some(at)
        })
        .collect();
    let width = (widths.iter().map(|w| w + 2).sum::<usize>() as f64 * CHAR_W + 16.0)
        .max(t.caption.chars().count() as f64 * CHAR_W + 16.0);
    let height = 48.0 + (t.rows.len() + 1) as f64 * ROW_H;
    let mut out = String::new();
    write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gostack\" role=\"img\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" style=\"max-width:100%;height:auto\" font-family=\"{FONT}\" font-size=\"13\">"
    )
    .unwrap();
    write!(out, "<title>{}</title>", escape(&t.caption)).unwrap();
    out.push_str("<style>.gostack text{fill:var(--fg,#333)}.gostack .changed{fill:var(--links,#4183c4);fill-opacity:0.22}.gostack .sep{stroke:var(--table-border-color,#ccc);stroke-width:1}</style>");
    write!(
        out,
        "<text x=\"8\" y=\"16\" font-weight=\"bold\">{}</text>",
        escape(&t.caption)
    )
    .unwrap();
    let mut y = 40.0;
    for (i, c) in t.columns.iter().enumerate() {
        write!(
            out,
            "<text x=\"{:.1}\" y=\"{y:.1}\" font-weight=\"bold\">{}</text>",
            xs[i],
            escape(c)
        )
        .unwrap();
    }
    write!(
        out,
        "<line class=\"sep\" x1=\"8\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
        y + 6.0,
        width - 8.0,
        y + 6.0
    )
    .unwrap();
    for row in &t.rows {
        y += ROW_H;
        if row.highlight {
            write!(
                out,
                "<rect class=\"changed\" x=\"4\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
                y - 14.0,
                width - 8.0,
                ROW_H - 2.0
            )
            .unwrap();
        }
        for (i, cell) in row.cells.iter().enumerate().take(n) {
            write!(
                out,
                "<text x=\"{:.1}\" y=\"{y:.1}\">{}</text>",
                xs[i],
                escape(cell)
            )
            .unwrap();
        }
    }
    out.push_str("</svg>");
    out
}
