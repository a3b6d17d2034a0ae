//! Inline SVG that follows the mdBook theme: colours come from the theme's
//! CSS variables (`--fg`, `--bg`, `--quote-bg`, `--links`,
//! `--table-border-color`), with fallbacks for a page without them, so the
//! same figure reads in the light and the dark themes. Text is monospace in
//! the reader's own fonts; every text from the program is escaped.
//!
//! Every `<svg>` carries its size in pixels and is never scaled: its text is
//! 13 px wherever it is shown. A row text or table cell too long for a book's
//! column is shortened with an ellipsis, its full text in a `<title>` (the
//! tooltip). [`render`] is one standalone SVG document with the panels side
//! by side; [`panel`] draws one panel alone, for a page that lays panels out
//! itself ([`crate::html::figure`] wraps them below each other when the
//! column is too narrow).

use std::fmt::Write as _;

use crate::ascii::{offsets, row_text};
use crate::{Figure, Row, RowKind, StackDiagram};

const CHAR_W: f64 = 7.8;
const ROW_H: f64 = 20.0;
const FONT: &str = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
const GAP: f64 = 32.0;
/// The most characters of a row's text drawn in a box; longer ones are shortened.
pub const MAX_ROW_CHARS: usize = 44;
/// The most characters of a function's name drawn beside its box.
const MAX_NAME_CHARS: usize = 24;
/// The most characters of a table cell.
pub const MAX_CELL_CHARS: usize = 40;
/// The most characters of a caption line.
const MAX_CAPTION_CHARS: usize = 80;

/// The styles of a stack picture; every rule is scoped to `.gostack`.
const STYLE: &str = concat!(
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
);

/// What a standalone document adds to [`STYLE`]: the theme's colours, light,
/// and dark when the reader's system prefers it, and a background of its own,
/// since no page around it gives them.
const STANDALONE_STYLE: &str = concat!(
    "<style>",
    "svg.gostack{--fg:#333;--bg:#fff;--quote-bg:#f5f5f5;--links:#4183c4;--table-border-color:#ccc}",
    "@media (prefers-color-scheme:dark){svg.gostack{--fg:#ddd;--bg:#1f2124;--quote-bg:#2c2f33;--links:#6cb3f2;--table-border-color:#4a4d52}}",
    ".gostack .page{fill:var(--bg,#fff)}",
    "</style>"
);

/// `text` cut to `max` characters, the last of them an ellipsis, and whether it was cut.
pub fn shorten(text: &str, max: usize) -> (String, bool) {
    if text.chars().count() <= max {
        return (text.to_string(), false);
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('\u{2026}');
    (short, true)
}

/// A `<text>` element with `attrs`, its text shortened to `max` characters;
/// when shortened, in a group whose `<title>` holds the whole text.
fn text_el(out: &mut String, attrs: &str, text: &str, max: usize) {
    let (shown, cut) = shorten(text, max);
    if cut {
        write!(
            out,
            "<g><title>{}</title><text {attrs}>{}</text></g>",
            escape(text),
            escape(&shown)
        )
        .unwrap();
    } else {
        write!(out, "<text {attrs}>{}</text>", escape(text)).unwrap();
    }
}

/// The width in pixels of `n` characters, at most `max`.
fn chars_w(n: usize, max: usize) -> f64 {
    n.min(max) as f64 * CHAR_W
}

/// The opening tag of an unscaled `<svg>` of `width` by `height` pixels, its title and styles.
fn open(out: &mut String, width: f64, height: f64, title: &str, style: &str) {
    write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gostack\" role=\"img\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"{FONT}\" font-size=\"13\">",
    )
    .unwrap();
    write!(out, "<title>{}</title>", escape(title)).unwrap();
    out.push_str(style);
}

/// A panel's caption in two lines: the moment and what made it, then the instruction.
fn caption_lines(c: &crate::Caption) -> [String; 2] {
    let flags = if c.flags.is_empty() {
        "optimised"
    } else {
        &c.flags
    };
    let line = if c.line.is_empty() {
        String::new()
    } else {
        format!(" ({})", c.line)
    };
    [
        format!("{} \u{b7} {} {} {flags}", c.event, c.go_version, c.goarch),
        format!("{}{line}", c.instruction),
    ]
}

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
        let heap_text = d
            .heap
            .iter()
            .flat_map(|o| o.rows.iter().map(heap_row_text))
            .map(|t| t.chars().count())
            .max()
            .unwrap_or(0);
        let heap_offset = d
            .heap
            .iter()
            .flat_map(|o| o.rows.iter().map(|r| format!("+{:#x}", r.offset).len()))
            .max()
            .unwrap_or(0);
        let name = chars_w(
            d.frames
                .iter()
                .map(|f| f.func.chars().count())
                .max()
                .unwrap_or(0)
                .max(8),
            MAX_NAME_CHARS,
        ) + 12.0;
        let text = chars_w(
            rows.iter()
                .map(|r| row_text(r).chars().count())
                .max()
                .unwrap_or(0)
                .max(20)
                .max(heap_text),
            MAX_ROW_CHARS,
        ) + 16.0;
        let offset = chars_w(
            rows.iter()
                .map(|r| offsets(r).chars().count())
                .max()
                .unwrap_or(0)
                .max(heap_offset),
            usize::MAX,
        ) + 12.0;
        let mut arrows = arrow_labels_w(&rows);
        // The caption's lines fit too.
        let caption = caption_lines(&d.caption)
            .iter()
            .map(|l| chars_w(l.chars().count(), MAX_CAPTION_CHARS))
            .fold(0.0, f64::max)
            + 8.0;
        // Room for the curves of the pointers into heap objects.
        let pointers: usize = (0..d.heap.len())
            .flat_map(|k| d.pointers_to(k))
            .filter(|(p, _)| !matches!(p, crate::Pointer::Register(_)))
            .count();
        if pointers > 0 {
            arrows += 16.0 + POINTER_STEP * pointers as f64;
        }
        let sum = name + text + offset + arrows;
        if caption > sum {
            arrows += caption - sum;
        }
        Columns {
            name,
            text,
            offset,
            arrows,
        }
    }

    fn width(&self) -> f64 {
        self.name + self.text + self.offset + self.arrows
    }
}

/// The width the register arrows beside the rows take (`<- SP(main)`).
fn arrow_labels_w(rows: &[&Row]) -> f64 {
    chars_w(
        rows.iter()
            // The arrow glyph may come from a wider fallback font: room for two more.
            .map(|r| r.arrows.join(", ").chars().count() + 5)
            .max()
            .unwrap_or(0),
        usize::MAX,
    ) + 8.0
}

/// Renders a figure as one standalone `<svg>` document, panels side by side,
/// that reads right opened on its own: light, or dark where the reader's
/// system prefers dark.
pub fn render(figure: &Figure) -> String {
    let columns: Vec<Columns> = figure.panels.iter().map(Columns::of).collect();
    let heights: Vec<f64> = figure.panels.iter().map(panel_height).collect();
    let width = columns.iter().map(Columns::width).sum::<f64>()
        + GAP * (figure.panels.len().max(1) - 1) as f64;
    let height = heights.iter().copied().fold(0.0, f64::max);
    let title = figure
        .panels
        .iter()
        .map(|p| p.caption.one_line())
        .collect::<Vec<_>>()
        .join(" | ");
    let mut out = String::new();
    open(&mut out, width, height, &title, STYLE);
    out.push_str(STANDALONE_STYLE);
    write!(
        out,
        "<rect class=\"page\" width=\"{width:.0}\" height=\"{height:.0}\"/>"
    )
    .unwrap();
    let mut x = 0.0;
    for (panel, cols) in figure.panels.iter().zip(&columns) {
        render_panel(&mut out, panel, cols, x);
        x += cols.width() + GAP;
    }
    out.push_str("</svg>");
    out
}

/// Renders one panel as its own `<svg>` element.
pub fn panel(d: &StackDiagram) -> String {
    let cols = Columns::of(d);
    let mut out = String::new();
    open(
        &mut out,
        cols.width(),
        panel_height(d),
        &d.caption.one_line(),
        STYLE,
    );
    render_panel(&mut out, d, &cols, 0.0);
    out.push_str("</svg>");
    out
}

/// The most characters of one register's `AX = value`.
const MAX_REGISTER_CHARS: usize = 32;

/// The registers in lines that fit the panel's width: each as its x, text and whether it changed.
fn register_lines(d: &StackDiagram, cols: &Columns) -> Vec<Vec<(f64, String, bool)>> {
    let mut lines: Vec<Vec<(f64, String, bool)>> = Vec::new();
    let mut x = cols.name;
    for r in &d.registers {
        let text = shorten(&format!("{} = {}", r.name, r.shown()), MAX_REGISTER_CHARS).0;
        let w = text.chars().count() as f64 * CHAR_W;
        if lines.is_empty() || (x + w > cols.width() && x > cols.name) {
            lines.push(Vec::new());
            x = cols.name;
        }
        lines.last_mut().unwrap().push((x, text, r.changed));
        x += w + 3.0 * CHAR_W;
    }
    lines
}

fn panel_height(d: &StackDiagram) -> f64 {
    let rows = d.frames.iter().map(|f| f.rows.len()).sum::<usize>() + d.dead.len();
    let regs = register_lines(d, &Columns::of(d)).len();
    let heap: f64 = d
        .heap
        .iter()
        .map(|o| HEAP_GAP + ROW_H + o.rows.len() as f64 * ROW_H)
        .sum();
    50.0 + rows as f64 * ROW_H
        + if d.dead.is_empty() { 0.0 } else { 8.0 }
        + regs as f64 * ROW_H
        + heap
        + 16.0
}

/// The space above a heap object's title.
const HEAP_GAP: f64 = 12.0;
/// How much further right each pointer's curve reaches than the one before.
const POINTER_STEP: f64 = 10.0;

/// A heap object's part as drawn in its box: `x = 1`, or the value alone.
fn heap_row_text(r: &crate::HeapRow) -> String {
    if r.label.is_empty() {
        r.value.clone()
    } else {
        format!("{} = {}", r.label, r.value)
    }
}

/// Draws the heap objects from `y` down, then every pointer into them as a
/// curve on the boxes' right, from the pointing word to the part pointed at.
fn render_heap(
    out: &mut String,
    d: &StackDiagram,
    cols: &Columns,
    mut y: f64,
    frame_rows: &[Vec<f64>],
) {
    if d.heap.is_empty() {
        return;
    }
    out.push_str(
        "<style>.gostack .ptr{fill:none;stroke:var(--links,#4183c4);stroke-width:1.2}</style>",
    );
    let box_x = cols.name;
    let box_w = cols.text + cols.offset;
    let mut heap_rows: Vec<Vec<f64>> = Vec::new();
    let mut titles: Vec<f64> = Vec::new();
    for o in &d.heap {
        y += HEAP_GAP;
        titles.push(y + ROW_H / 2.0);
        // Registers point here by name: they are drawn as text, not rows.
        let registers: Vec<String> = d
            .pointers_to(titles.len() - 1)
            .into_iter()
            .filter_map(|(p, _)| match p {
                crate::Pointer::Register(i) => Some(d.registers[i].name.clone()),
                _ => None,
            })
            .collect();
        let title = if registers.is_empty() {
            o.title()
        } else {
            format!("{} \u{2190} {}", o.title(), registers.join(", "))
        };
        text_el(
            out,
            &format!(
                "x=\"{box_x:.1}\" y=\"{:.1}\" font-weight=\"bold\"",
                y + 14.0
            ),
            &title,
            ((box_w / CHAR_W) as usize).max(MAX_NAME_CHARS),
        );
        y += ROW_H;
        let h = o.rows.len() as f64 * ROW_H;
        write!(out, "<rect class=\"box\" x=\"{box_x:.1}\" y=\"{y:.1}\" width=\"{box_w:.1}\" height=\"{h:.1}\"/>").unwrap();
        let mut ys = Vec::new();
        for (i, r) in o.rows.iter().enumerate() {
            if i > 0 {
                write!(out, "<line class=\"sep\" x1=\"{box_x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>", box_x + box_w).unwrap();
            }
            let base = y + 14.0;
            text_el(
                out,
                &format!("x=\"{:.1}\" y=\"{base:.1}\"", box_x + 8.0),
                &heap_row_text(r),
                MAX_ROW_CHARS,
            );
            write!(
                out,
                "<text class=\"muted\" x=\"{:.1}\" y=\"{base:.1}\" text-anchor=\"end\">+{:#x}</text>",
                box_x + box_w - 8.0,
                r.offset
            )
            .unwrap();
            ys.push(y + ROW_H / 2.0);
            y += ROW_H;
        }
        heap_rows.push(ys);
    }
    let right = box_x + box_w;
    // The curves pass right of the register arrows' labels.
    let labelled: Vec<&Row> = d.frames.iter().flat_map(|f| &f.rows).collect();
    let clear = right + arrow_labels_w(&labelled);
    let mut n = 0;
    for (k, o) in d.heap.iter().enumerate() {
        for (p, off) in d.pointers_to(k) {
            let from = match p {
                crate::Pointer::Frame { frame, row } => frame_rows[frame][row],
                crate::Pointer::Heap { object, row } => heap_rows[object][row],
                crate::Pointer::Register(_) => continue,
            };
            // The part it points at, or the object's title for an offset inside a part.
            let to = o
                .rows
                .iter()
                .position(|r| r.offset == off)
                .map_or(titles[k], |i| heap_rows[k][i]);
            n += 1;
            let reach = clear + POINTER_STEP * n as f64;
            write!(
                out,
                "<path class=\"ptr\" d=\"M{right:.1},{from:.1} C{reach:.1},{from:.1} {reach:.1},{to:.1} {:.1},{to:.1}\"/>",
                right + 6.0
            )
            .unwrap();
            write!(
                out,
                "<path class=\"arrow\" d=\"M{right:.1},{to:.1} l7,-4 l0,8 z\"/>"
            )
            .unwrap();
        }
    }
}

fn render_panel(out: &mut String, d: &StackDiagram, cols: &Columns, x0: f64) {
    write!(out, "<g transform=\"translate({x0:.1},0)\">").unwrap();
    let [moment, instruction] = caption_lines(&d.caption);
    text_el(
        out,
        "x=\"0\" y=\"16\" font-weight=\"bold\"",
        &moment,
        MAX_CAPTION_CHARS,
    );
    text_el(out, "x=\"0\" y=\"34\"", &instruction, MAX_CAPTION_CHARS);
    let box_x = cols.name;
    let box_w = cols.text + cols.offset;
    let mut y = 50.0;
    let mut frame_rows: Vec<Vec<f64>> = Vec::new();
    for f in &d.frames {
        frame_rows.push(
            (0..f.rows.len())
                .map(|i| y + (i as f64 + 0.5) * ROW_H)
                .collect(),
        );
        let h = f.rows.len() as f64 * ROW_H;
        write!(out, "<rect class=\"frame\" x=\"{box_x:.1}\" y=\"{y:.1}\" width=\"{box_w:.1}\" height=\"{h:.1}\"/>").unwrap();
        text_el(
            out,
            &format!("x=\"0\" y=\"{:.1}\" font-weight=\"bold\"", y + 14.0),
            &f.func,
            MAX_NAME_CHARS,
        );
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
    for line in register_lines(d, cols) {
        for (rx, text, changed) in line {
            if changed {
                let w = text.chars().count() as f64 * CHAR_W + 6.0;
                write!(out, "<rect class=\"changed\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\"/>", rx - 3.0, y - 13.0, ROW_H - 2.0).unwrap();
            }
            write!(
                out,
                "<text x=\"{rx:.1}\" y=\"{y:.1}\">{}</text>",
                escape(&text)
            )
            .unwrap();
        }
        y += ROW_H;
    }
    render_heap(out, d, cols, y, &frame_rows);
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
        RowKind::Dead | RowKind::Unnamed | RowKind::Folded => "class=\"muted\" ",
        RowKind::ReturnAddr | RowKind::SavedBp => "class=\"ret\" ",
        _ if row.stale => "class=\"muted\" ",
        _ => "",
    };
    let base = y + 14.0;
    text_el(
        out,
        &format!("{class}x=\"{:.1}\" y=\"{base:.1}\"", box_x + 8.0),
        &row_text(row),
        MAX_ROW_CHARS,
    );
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

/// Renders a table as one `<svg>` element in the theme's colours; a cell
/// longer than [`MAX_CELL_CHARS`] is shortened, its whole text in a tooltip.
pub fn table(t: &crate::Table) -> String {
    let n = t.columns.len();
    let widths: Vec<usize> = t
        .column_widths()
        .into_iter()
        .map(|w| w.min(MAX_CELL_CHARS))
        .collect();
    let xs: Vec<f64> = widths
        .iter()
        .scan(8.0, |x, w| {
            let at = *x;
            *x += (*w as f64 + 2.0) * CHAR_W;
            Some(at)
        })
        .collect();
    let width = (widths.iter().map(|w| w + 2).sum::<usize>() as f64 * CHAR_W + 16.0)
        .max(chars_w(t.caption.chars().count(), MAX_CAPTION_CHARS) + 16.0);
    let height = 48.0 + (t.rows.len() + 1) as f64 * ROW_H;
    let mut out = String::new();
    open(
        &mut out,
        width,
        height,
        &t.caption,
        "<style>.gostack text{fill:var(--fg,#333)}.gostack .changed{fill:var(--links,#4183c4);fill-opacity:0.22}.gostack .sep{stroke:var(--table-border-color,#ccc);stroke-width:1}</style>",
    );
    text_el(
        &mut out,
        "x=\"8\" y=\"16\" font-weight=\"bold\"",
        &t.caption,
        MAX_CAPTION_CHARS,
    );
    let mut y = 40.0;
    for (i, c) in t.columns.iter().enumerate() {
        text_el(
            &mut out,
            &format!("x=\"{:.1}\" y=\"{y:.1}\" font-weight=\"bold\"", xs[i]),
            c,
            MAX_CELL_CHARS,
        );
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
            text_el(
                &mut out,
                &format!("x=\"{:.1}\" y=\"{y:.1}\"", xs[i]),
                cell,
                MAX_CELL_CHARS,
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Caption, FrameBox, Register};

    fn long_panel() -> StackDiagram {
        let value = format!("\"{}<&>\"", "x".repeat(100));
        StackDiagram {
            caption: Caption {
                event: "f ret".into(),
                ..Caption::default()
            },
            frames: vec![FrameBox {
                func: "main.f".into(),
                rows: vec![Row {
                    addr: 8,
                    sp_offset: 0,
                    bp_offset: None,
                    label: "s".into(),
                    value,
                    kind: RowKind::Local,
                    changed: false,
                    stale: false,
                    arrows: vec!["SP".into()],
                }],
            }],
            dead: Vec::new(),
            registers: (0..9)
                .map(|i| Register {
                    holds: String::new(),
                    name: format!("R{i}"),
                    value: "0x4000001234 (stack)".into(),
                    changed: i == 0,
                })
                .collect(),
            heap: Vec::new(),
        }
    }

    /// The width and height attributes of an `<svg>`'s opening tag.
    fn size(svg: &str) -> (f64, f64) {
        let attr = |name: &str| -> f64 {
            let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
        };
        (attr("width"), attr("height"))
    }

    /// A long value is shortened in the box, whole and escaped in its
    /// tooltip; the panel stays narrow enough for a book's column and is
    /// drawn at its own size; the registers wrap to its width.
    #[test]
    fn long_text_is_shortened_with_the_whole_in_a_title() {
        let d = long_panel();
        let svg = panel(&d);
        let full = escape(&row_text(&d.frames[0].rows[0]));
        assert!(
            svg.contains(&format!("<g><title>{full}</title><text ")),
            "{svg}"
        );
        let (shown, cut) = shorten(&row_text(&d.frames[0].rows[0]), MAX_ROW_CHARS);
        assert!(cut && shown.chars().count() == MAX_ROW_CHARS && shown.ends_with('\u{2026}'));
        assert!(svg.contains(&format!(">{}</text>", escape(&shown))));
        let (w, h) = size(&svg);
        assert!(w < 720.0, "{w}");
        assert!(svg.contains(&format!("viewBox=\"0 0 {w:.0} {h:.0}\"")));
        assert!(!svg.contains("max-width"), "never scaled down");
        let lines = register_lines(&d, &Columns::of(&d));
        assert!(lines.len() > 1);
        for line in &lines {
            let (x, text, _) = line.last().unwrap();
            assert!(x + text.chars().count() as f64 * CHAR_W <= w, "{line:?}");
        }
        assert!((h - panel_height(&d)).abs() < 1.0);
    }

    /// The standalone document holds every panel side by side, as wide as they are together.
    #[test]
    fn a_figure_is_one_document_with_its_panels_side_by_side() {
        let d = long_panel();
        let one = size(&panel(&d)).0;
        let fig = render(&Figure {
            panels: vec![d.clone(), d],
        });
        assert!(fig.starts_with("<svg ") && fig.ends_with("</svg>"));
        assert_eq!(fig.matches("<svg ").count(), 1);
        assert!((size(&fig).0 - (2.0 * one + GAP)).abs() < 1.5);
    }
}
