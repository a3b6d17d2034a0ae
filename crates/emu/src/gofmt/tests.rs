//! Every case of `test_data/gofmt/cases.go` formatted here equals what Go printed (`expected.txt`).

// The literals are those of cases.go, 3.14159 among them.
#![allow(clippy::approx_constant)]

use super::{Value, sprint, sprintf, sprintln};

fn int(v: i64) -> Value {
    Value::Int { v, ty: "int" }
}

fn float(v: f64) -> Value {
    Value::Float { v, bits: 64 }
}

fn s(text: &str) -> Value {
    Value::Str(text.as_bytes().to_vec())
}

fn point(x: i64, y: i64, text: &str) -> Value {
    Value::Struct {
        ty: "main.point".into(),
        fields: vec![
            ("X".into(), int(x)),
            ("Y".into(), int(y)),
            ("S".into(), s(text)),
        ],
    }
}

fn ints(ty: &str, v: &[i64]) -> Value {
    Value::Slice {
        ty: ty.into(),
        elems: v.iter().map(|&n| int(n)).collect(),
    }
}

fn err(text: &str) -> Value {
    Value::Error(text.as_bytes().to_vec())
}

/// The cases, by id, as the Go program builds them.
fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let p = || point(1, -2, "hi");
    vec![
        (
            "println-mixed",
            sprintln(&[
                s("a"),
                int(1),
                Value::Bool(true),
                float(2.5),
                s("b"),
                Value::Nil,
            ]),
        ),
        (
            "print-spacing",
            sprint(&[
                s("a"),
                int(1),
                int(2),
                s("b"),
                s("c"),
                float(3.5),
                Value::Bool(true),
            ]),
        ),
        (
            "floats-v",
            sprintln(&[
                float(1e6),
                float(123456.0),
                float(1234567.0),
                float(1e20),
                float(1e21),
                float(0.0001),
                float(0.00001),
                float(100.0),
                float(3.0),
                float(1.5e-7),
                float(2.5e-310),
                float(-0.0),
                float(1.0 / 3.0),
            ]),
        ),
        (
            "floats-special",
            sprintln(&[
                float(f64::INFINITY),
                float(f64::NEG_INFINITY),
                float(f64::NAN),
            ]),
        ),
        (
            "float32",
            sprintln(&[
                Value::Float {
                    v: f64::from(0.1f32),
                    bits: 32,
                },
                Value::Float {
                    v: f64::from(16777216f32),
                    bits: 32,
                },
                Value::Float {
                    v: f64::from(1e10f32),
                    bits: 32,
                },
            ]),
        ),
        (
            "float-verbs",
            sprintf(
                b"%g %g %e %E %f %.3g %8.2f|%-8.2f|%+.1f|%08.3f|% f",
                &[
                    float(1e6),
                    float(123456.0),
                    float(123456.789),
                    float(0.000123),
                    float(1.0 / 3.0),
                    float(1234.5678),
                    float(3.14159),
                    float(2.5),
                    float(2.25),
                    float(-3.14159),
                    float(2.0),
                ],
            ),
        ),
        (
            "float-prec-v",
            sprintf(
                b"%.2v %6.3v %.0f %.1e %G",
                &[
                    float(3.14159),
                    float(2.0),
                    float(2.5),
                    float(0.0),
                    float(1e-10),
                ],
            ),
        ),
        (
            "float-inf-verbs",
            sprintf(
                b"%5.1f|%+f|% f|%08f",
                &[
                    float(f64::INFINITY),
                    float(f64::NAN),
                    float(f64::NAN),
                    float(f64::NEG_INFINITY),
                ],
            ),
        ),
        (
            "ints",
            sprintf(
                b"%d %5d %-5d| %05d %+d %x %X %#x %o %#o %O %b %c %q %U",
                &[
                    int(42),
                    int(42),
                    int(42),
                    int(-42),
                    int(7),
                    int(255),
                    int(255),
                    int(255),
                    int(8),
                    int(8),
                    int(8),
                    int(5),
                    Value::Int {
                        v: 'G' as i64,
                        ty: "int32",
                    },
                    Value::Int {
                        v: 'x' as i64,
                        ty: "int32",
                    },
                    int(0x1F600),
                ],
            ),
        ),
        (
            "int-prec",
            sprintf(
                b"%.3d|%8.3d|%.0d|% d|%#b",
                &[int(7), int(-7), int(0), int(5), int(5)],
            ),
        ),
        (
            "int-types",
            sprintln(&[
                Value::Int {
                    v: -128,
                    ty: "int8",
                },
                Value::Uint {
                    v: 255,
                    ty: "uint8",
                },
                Value::Int {
                    v: i64::MIN,
                    ty: "int64",
                },
                Value::Uint {
                    v: u64::MAX,
                    ty: "uint64",
                },
                Value::Uint {
                    v: 4096,
                    ty: "uintptr",
                },
            ]),
        ),
        (
            "strings",
            sprintf(
                b"%s|%q|%10s|%-10s|%.2s|%x|% x|%#x|%X",
                &[
                    s("go"),
                    s("a\"b\n"),
                    s("right"),
                    s("left"),
                    s("h\u{e9}llo"),
                    s("hi"),
                    s("hi"),
                    s("hi"),
                    s("Az"),
                ],
            ),
        ),
        (
            "quote-invalid",
            sprintf(
                b"%q %q",
                &[Value::Str(b"\xff\x00\xc3\xa9\t".to_vec()), s("\u{2028}")],
            ),
        ),
        (
            "bools",
            sprintf(
                b"%t %v %5t",
                &[Value::Bool(true), Value::Bool(false), Value::Bool(true)],
            ),
        ),
        ("structs", sprintf(b"%v %+v %#v", &[p(), p(), p()])),
        (
            "slices",
            sprintf(
                b"%v %d %x %#v",
                &[
                    ints("[]int", &[1, 2, 3]),
                    ints("[]int", &[4, 5]),
                    ints("[]int", &[10, 11]),
                    ints("[]int", &[1, 2]),
                ],
            ),
        ),
        (
            "nested",
            sprintln(&[
                Value::Slice {
                    ty: "[]main.point".into(),
                    elems: vec![point(1, 2, "a")],
                },
                Value::Slice {
                    ty: "[2][2]int".into(),
                    elems: vec![ints("[2]int", &[1, 2]), ints("[2]int", &[3, 4])],
                },
            ]),
        ),
        ("errors", sprintln(&[err("boom"), err("wrapped 3")])),
        (
            "error-verbs",
            sprintf(b"%v|%s|%q", &[err("e1"), err("e2"), err("e3")]),
        ),
        (
            "nil",
            sprintf(b"%v %d %s", &[Value::Nil, Value::Nil, Value::Nil]),
        ),
        (
            "bad-verb",
            sprintf(b"%d %s %t %z", &[s("hi"), int(42), int(1), int(3)]),
        ),
        ("missing", sprintf(b"%d %d", &[int(1)])),
        ("extra", sprintf(b"%d", &[int(1), s("a"), float(2.5)])),
        ("percent", sprintf(b"100%% %d%%", &[int(5)])),
        (
            "star",
            sprintf(
                b"%*d|%-*d|%.*f",
                &[int(5), int(1), int(4), int(2), int(2), float(3.14159)],
            ),
        ),
        ("index", sprintf(b"%[2]d %[1]d %d", &[int(1), int(2)])),
        (
            "type",
            sprintf(
                b"%T %T %T %T %T",
                &[
                    int(1),
                    s("s"),
                    float(2.5),
                    p(),
                    Value::Slice {
                        ty: "[]int".into(),
                        elems: vec![],
                    },
                ],
            ),
        ),
        ("noverb", sprintf(b"%", &[])),
    ]
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn every_case_prints_what_go_prints() {
    let expected = include_str!("../../test_data/gofmt/expected.txt");
    let want: Vec<(&str, Vec<u8>)> = expected
        .lines()
        .map(|l| {
            let (id, hex) = l.split_once('\t').unwrap();
            (id, unhex(hex))
        })
        .collect();
    let got = cases();
    let ids: Vec<&str> = got.iter().map(|(id, _)| *id).collect();
    let want_ids: Vec<&str> = want.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, want_ids, "the cases here and in cases.go");
    let mut failures = Vec::new();
    for ((id, got), (_, want)) in got.iter().zip(&want) {
        if got != want {
            failures.push(format!(
                "{id}:\n  want {:?}\n  got  {:?}",
                String::from_utf8_lossy(want),
                String::from_utf8_lossy(got)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
