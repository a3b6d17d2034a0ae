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
    /// SVG that follows the mdBook theme: a figure is one standalone SVG
    /// document with its panels side by side; a step-through is its HTML widget.
    Svg,
    /// HTML for a book page: a figure's panels as separate SVGs that wrap
    /// below each other in a narrow column, a table that scrolls sideways,
    /// a step-through's widget.
    Html,
    /// The drawing as data.
    Json,
    /// A PNG of a stack figure (see [`png`]), for pages that take images
    /// only; [`render`] gives the standalone SVG it is made from.
    Png,
}

/// `drawing` as text in `format`; `id` names a step-through's widget on its page.
pub fn render(drawing: &Drawing, format: Format, id: &str) -> String {
    match (drawing, format) {
        (Drawing::Figure(f), Format::Ascii) => ascii::render(f),
        (Drawing::Figure(f), Format::Svg | Format::Png) => svg::render(f) + "\n",
        (Drawing::Figure(f), Format::Html) => html::figure(f) + "\n",
        (Drawing::Figure(f), Format::Json) => json::render(f),
        (Drawing::Tables(tables), format) => tables
            .iter()
            .map(|t| match format {
                Format::Ascii => ascii::table(t),
                Format::Svg | Format::Png => svg::table(t) + "\n",
                Format::Html => html::table(t) + "\n",
                Format::Json => json::table(t),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        (Drawing::Steps { steps, .. }, Format::Ascii) => steps
            .iter()
            .map(ascii::steps)
            .collect::<Vec<_>>()
            .join("\n"),
        (Drawing::Steps { steps, .. }, Format::Svg | Format::Html | Format::Png) => steps
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

/// A PNG of `drawing`, which must be a stack figure (tables and
/// step-throughs have no picture of their own: write them as SVG or HTML).
pub fn png(drawing: &Drawing) -> Result<Vec<u8>, PngError> {
    match drawing {
        Drawing::Figure(f) => Ok(gostack_diagram::png::render(f)?),
        _ => Err(PngError::NotAFigure),
    }
}

/// Why a PNG could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    /// The view is a table or a step-through.
    #[error(
        "a PNG is made of a stack figure (--view stack): write other views as svg, html or json"
    )]
    NotAFigure,
    /// The rasteriser failed.
    #[error(transparent)]
    Raster(#[from] gostack_diagram::png::PngError),
}
