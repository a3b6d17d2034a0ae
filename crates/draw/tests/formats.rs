//! Figures for pages outside mdBook, made from a real run of the add
//! sample: the standalone SVG is well-formed XML with its size on its root
//! and its own light and dark colours, and the PNG decodes to that size at
//! the PNG scale, not blank.

use gostack_diagram::{Figure, png, svg};
use gostack_draw::Request;
use gostack_emu::Arch;

mod common;

fn add2_ret() -> Figure {
    let request = Request {
        arches: vec![Arch::Amd64, Arch::I386],
        flags: vec!["-N".into(), "-l".into()],
        at: "add2 ret".into(),
        ..Request::default()
    };
    Figure {
        panels: common::panels("add", request),
    }
}

/// The root's `width` and `height` of a standalone SVG document.
fn svg_size(text: &str) -> (f32, f32) {
    let doc = roxmltree::Document::parse(text).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let number = |name: &str| {
        root.attribute(name)
            .unwrap_or_else(|| panic!("the root has a {name}"))
            .trim_end_matches("px")
            .parse::<f32>()
            .unwrap()
    };
    (number("width"), number("height"))
}

#[test]
fn the_standalone_svg_and_the_png_of_add2_ret() {
    let figure = add2_ret();
    let text = svg::render(&figure);
    let (width, height) = svg_size(&text);
    // Both panels side by side, each many words tall.
    assert!(width > 600.0 && height > 200.0, "{width}x{height}");
    for caption in ["add2 ret · go1.", " amd64 -N -l", " 386 -N -l"] {
        assert!(text.contains(caption), "{caption}");
    }
    // On its own it brings its colours, light and dark, and a background.
    assert!(text.contains("@media (prefers-color-scheme:dark)"));
    assert!(text.contains("<rect class=\"page\""));

    let bytes = png::render(&figure).unwrap();
    let decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("the PNG decodes");
    let info = reader.info();
    assert_eq!(
        (info.width, info.height),
        (
            (width * png::SCALE).ceil() as u32,
            (height * png::SCALE).ceil() as u32
        )
    );
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let pixels = &pixels[..frame.buffer_size()];
    // Not blank: the text and the boxes are drawn in dark ink on white.
    let dark = pixels.chunks(4).filter(|p| p[0] < 100 && p[3] > 0).count();
    assert!(dark > 5_000, "{dark} dark pixels");
}
