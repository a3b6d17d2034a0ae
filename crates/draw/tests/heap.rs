//! The heap drawn beside the stack (`heap = true`): each object the frames
//! point to, with the type the runtime was given for it and its parts, and
//! the words pointing there. The values are checked against what the real
//! binary prints; every format draws the objects.

use std::path::Path;

use gostack_diagram::{Figure, StackDiagram};
use gostack_draw::claims::{Claim, check};
use gostack_draw::{Drawing, Format, Request};
use gostack_emu::Arch;

mod common;

fn escape(arch: Arch, at: &str, heap: bool) -> StackDiagram {
    let request = Request {
        arches: vec![arch],
        at: at.into(),
        fold: true,
        heap,
        ..Request::default()
    };
    common::panels("escape", request).pop().unwrap()
}

fn broken(d: &StackDiagram, claims: &[&str]) -> Vec<String> {
    let claims: Vec<Claim> = claims.iter().map(|c| Claim::parse(c).unwrap()).collect();
    let drawing = Drawing::Figure(Figure {
        panels: vec![d.clone()],
    });
    check(&claims, &drawing)
        .into_iter()
        .map(|b| b.to_string())
        .collect()
}

/// What the real program prints (`expected.stdout`, which the samples
/// test holds to `go run`): `a p.y b s label`.
fn real_output() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples/escape/expected.stdout"),
    )
    .unwrap()
}

/// At the `fmt.Println` line every object main points to is drawn with its
/// runtime type, and holds what the real binary then prints.
#[test]
fn objects_main_points_to_hold_what_the_program_prints() {
    assert_eq!(real_output(), "3 4 9 [0 1 4] n=2\n");
    for arch in [Arch::Amd64, Arch::I386] {
        let d = escape(arch, "main.go:66", true);
        let types: Vec<&str> = d.heap.iter().map(|o| o.type_name.as_str()).collect();
        assert_eq!(
            types,
            [
                "main.point",
                "[3]int",
                "int",
                "struct { F uintptr; X0 *int }",
                "bytes"
            ],
            "{arch:?}"
        );
        let none: Vec<String> = Vec::new();
        assert_eq!(
            broken(
                &d,
                &[
                    "*p.x = 3",
                    "*p.y = 4",
                    "*s.array[0] = 0",
                    "*s.array[1] = 1",
                    "*s.array[2] = 4",
                    "*next.F = main.counter.func1",
                    "*label.str = \"n=2\"",
                ]
            ),
            none,
            "{arch:?}"
        );
        // The closure's context points at the captured n, which the
        // second call left at 2.
        let context = &d.heap[3];
        let n = &d.heap[2];
        assert_eq!(context.rows[1].value, n.name, "{arch:?}");
        assert_eq!(n.rows[0].value, "2", "{arch:?}");
        let w = if arch == Arch::I386 { 4 } else { 8 };
        assert_eq!(
            d.heap.iter().map(|o| o.size).collect::<Vec<_>>(),
            [2 * w, 3 * w, w, 2 * w, 3]
        );
    }
}

/// A result returned in a register points at its object too; a register
/// that holds `&p` names the object `p`.
#[test]
fn a_register_result_points_at_its_object() {
    let d = escape(Arch::Amd64, "newPoint ret", true);
    assert_eq!(d.heap.len(), 1);
    assert_eq!(d.heap[0].type_name, "main.point");
    assert_eq!(
        broken(&d, &["*~r0.x = 3", "*AX.y = 4", "p.x = 3"]),
        Vec::<String>::new()
    );
    let text = gostack_diagram::ascii::render(&Figure {
        panels: vec![d.clone()],
    });
    assert!(
        text.contains(&format!(
            "{}: main.point, 16 bytes  <- AX (~r0, &p)",
            d.heap[0].name
        )),
        "{text}"
    );
}

/// Without `heap`, no object is drawn; a frame that points to none draws none.
#[test]
fn only_asked_for_and_only_what_frames_point_to() {
    assert!(escape(Arch::Amd64, "main.go:66", false).heap.is_empty());
    // squares' slice never leaves its frame: its array is a stack variable.
    let d = escape(Arch::Amd64, "squares ret", true);
    assert!(
        d.heap.iter().all(|o| o.type_name != "[4]int"),
        "{:?}",
        d.heap
    );
}

/// ASCII, SVG (with a curve for each pointer from a frame word or an
/// object), PNG and JSON all carry the objects.
#[test]
fn every_format_draws_the_heap() {
    let d = escape(Arch::Amd64, "main.go:66", true);
    let drawing = Drawing::Figure(Figure {
        panels: vec![d.clone()],
    });
    let ascii = gostack_draw::render(&drawing, Format::Ascii, "h");
    for o in &d.heap {
        assert!(ascii.contains(&o.title()), "{ascii}");
    }
    assert!(ascii.contains("+0x10  [2] = 4"), "{ascii}");
    let svg = gostack_draw::render(&drawing, Format::Svg, "h");
    let drawn_pointers: usize = (0..d.heap.len())
        .flat_map(|k| d.pointers_to(k))
        .filter(|(p, _)| !matches!(p, gostack_diagram::Pointer::Register(_)))
        .count();
    assert!(drawn_pointers >= 5, "{drawn_pointers}");
    assert_eq!(svg.matches("class=\"ptr\"").count(), drawn_pointers);
    assert!(svg.contains("struct { F uintptr; X0 *int }, 16 bytes"));
    let png = gostack_draw::png(&drawing).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let json = gostack_draw::render(&drawing, Format::Json, "h");
    let back: Figure = serde_json::from_str(&json).unwrap();
    assert_eq!(back.panels[0].heap, d.heap);
}
