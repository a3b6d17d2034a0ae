//! The one way from a drawing to text, for the command line, the book and
//! the check: each format renders every kind of drawing.

use gostack_diagram::{ascii, html, json, svg};

use crate::Drawing;

/// How a drawing is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Boxed text; a step-through lists its steps between its first and last pictures.
    #[default]
    Ascii,
    /// SVG that follows the mdBook theme; a step-through is its HTML widget.
    Svg,
    /// The drawing as data.
    Json,
}

/// `drawing` as text in `format`; `id` names a step-through's widget on its page.
pub fn render(drawing: &Drawing, format: Format, id: &str) -> String {
    match (drawing, format) {
        (Drawing::Figure(f), Format::Ascii) => ascii::render(f),
        (Drawing::Figure(f), Format::Svg) => svg::render(f) + "\n",
        (Drawing::Figure(f), Format::Json) => json::render(f),
        (Drawing::Tables(tables), format) => tables
            .iter()
            .map(|t| match format {
                Format::Ascii => ascii::table(t),
                Format::Svg => svg::table(t) + "\n",
                Format::Json => json::table(t),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        (Drawing::Steps { steps, first, last }, Format::Ascii) => {
            let mut out = ascii::render(first);
            for s in steps {
                out.push_str(&format!("\n{}\n", s.caption));
                for (i, d) in s.steps.iter().enumerate() {
                    let words: Vec<String> = d
                        .words
                        .iter()
                        .map(|(addr, label, value)| format!("[{addr:#x}] {label} = {value}"))
                        .collect();
                    let regs: Vec<String> =
                        d.regs.iter().map(|(r, v)| format!("{r} = {v}")).collect();
                    out.push_str(&format!(
                        "step {i}: {} SP={:#x}: {}\n",
                        d.at,
                        d.sp,
                        words.into_iter().chain(regs).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
            out.push('\n');
            out + &ascii::render(last)
        }
        (Drawing::Steps { steps, .. }, Format::Svg) => steps
            .iter()
            .enumerate()
            .map(|(k, s)| html::steps(s, &format!("{id}-{k}")))
            .collect::<Vec<_>>()
            .join("\n"),
        (Drawing::Steps { .. }, Format::Json) => {
            serde_json::to_string_pretty(drawing).unwrap_or_default() + "\n"
        }
    }
}
