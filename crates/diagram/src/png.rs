//! A PNG of a figure, for pages that take images only: the standalone SVG
//! of [`crate::svg`] with the theme's colours fixed to their light
//! fallbacks, rasterised by `resvg` with a monospace font of the system.
//! The pixels depend on that font, so two machines may differ; the size
//! does not.

use std::sync::Arc;

use resvg::{tiny_skia, usvg};

use crate::Figure;

/// How many pixels a unit of the SVG becomes: 2 for sharp text on dense screens.
pub const SCALE: f32 = 2.0;

/// Why a PNG could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    /// No monospace font is installed for the text.
    #[error(
        "no monospace font found to draw the PNG's text: install one (on Debian: apt-get install fonts-dejavu-core), or write --format svg"
    )]
    NoFont,
    /// The SVG could not be read (a bug: it is our own).
    #[error("the figure's SVG could not be rasterised: {0}")]
    Svg(String),
}

/// The PNG of `figure`, [`SCALE`] pixels a unit of its SVG.
pub fn render(figure: &Figure) -> Result<Vec<u8>, PngError> {
    rasterize(&fixed_colours(&crate::svg::render(figure)))
}

/// `svg` with every `var(--name,fallback)` written as its fallback, the
/// light colours (the rasteriser knows neither `var` nor `@media`, whose
/// rules it drops).
fn fixed_colours(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find("var(--") {
        out.push_str(&rest[..at]);
        let inside = &rest[at + "var(".len()..];
        let Some(end) = inside.find(')') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let fallback = inside[..end].split_once(',').map_or("", |(_, f)| f.trim());
        out.push_str(fallback);
        rest = &inside[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Rasterises `svg` at [`SCALE`] with the system's monospace font.
fn rasterize(svg: &str) -> Result<Vec<u8>, PngError> {
    let mut fonts = usvg::fontdb::Database::new();
    fonts.load_system_fonts();
    let mono = fonts
        .faces()
        .filter(|face| face.monospaced)
        .filter_map(|face| face.families.first().map(|(name, _)| name.clone()))
        .min()
        .ok_or(PngError::NoFont)?;
    fonts.set_monospace_family(mono);
    let options = usvg::Options {
        fontdb: Arc::new(fonts),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| PngError::Svg(e.to_string()))?;
    let size = tree.size();
    let (width, height) = (
        (size.width() * SCALE).ceil() as u32,
        (size.height() * SCALE).ceil() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(width.max(1), height.max(1))
        .ok_or_else(|| PngError::Svg(format!("no {width}x{height} image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PngError::Svg(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_variables_become_their_fallbacks() {
        assert_eq!(
            fixed_colours(".a{fill:var(--fg,#333);stroke:var(--table-border-color, #ccc)} b"),
            ".a{fill:#333;stroke:#ccc} b"
        );
        assert_eq!(fixed_colours("no variables"), "no variables");
    }
}
