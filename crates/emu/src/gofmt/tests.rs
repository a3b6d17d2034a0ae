//! Every case of `test_data/gofmt/cases.go`, built here as values and formatted, equals what Go printed (`expected.txt`).

use super::{Value, errorf, sprint, sprintf, sprintln};

/// What Go printed: `<id>\t<hex>` lines.
const EXPECTED: &str = include_str!("../../test_data/gofmt/expected.txt");
/// The formats applied to the value sets, shared with cases.go.
const FORMATS: &str = include_str!("../../test_data/gofmt/formats.txt");

/// An `int`.
fn int(v: i64) -> Value {
    Value::Int { v, ty: "int" }
}

/// A signed integer of another type.
fn int_of(ty: &'static str, v: i64) -> Value {
    Value::Int { v, ty }
}

/// An unsigned integer.
fn uint_of(ty: &'static str, v: u64) -> Value {
    Value::Uint { v, ty }
}

/// A float64.
fn f64v(v: f64) -> Value {
    Value::Float { v, bits: 64 }
}

/// A float32.
fn f32v(v: f32) -> Value {
    Value::Float {
        v: f64::from(v),
        bits: 32,
    }
}

/// A complex128.
fn c128(re: f64, im: f64) -> Value {
    Value::Complex { re, im, bits: 128 }
}

/// A string.
fn s(text: &str) -> Value {
    Value::Str(text.as_bytes().to_vec())
}

/// A string of any bytes.
fn sb(bytes: &[u8]) -> Value {
    Value::Str(bytes.to_vec())
}

/// A slice or array.
fn slice(ty: &str, elems: Vec<Value>) -> Value {
    Value::Slice {
        ty: ty.into(),
        elems,
    }
}

/// A slice or array of ints.
fn ints(ty: &str, v: &[i64]) -> Value {
    slice(ty, v.iter().map(|&n| int(n)).collect())
}

/// A slice or array of bytes.
fn bytes(ty: &str, v: &[u8]) -> Value {
    slice(
        ty,
        v.iter().map(|&b| uint_of("uint8", u64::from(b))).collect(),
    )
}

/// A struct.
fn strukt(ty: &str, fields: Vec<(&str, Value)>) -> Value {
    Value::Struct {
        ty: ty.into(),
        fields: fields.into_iter().map(|(n, v)| (n.into(), v)).collect(),
    }
}

/// A map, its entries in fmt's order.
fn map(ty: &str, entries: Vec<(Value, Value)>) -> Value {
    Value::Map {
        ty: ty.into(),
        entries,
    }
}

/// A pointer that is printed, never followed.
fn ptr(ty: &str, addr: u64) -> Value {
    Value::Pointer {
        addr,
        ty: ty.into(),
    }
}

/// A pointer to a composite.
fn reference(ty: &str, target: Value) -> Value {
    Value::Ref {
        addr: 0xc000010000,
        ty: ty.into(),
        target: Box::new(target),
    }
}

/// A nil interface inside a composite.
fn nil_iface(ty: &str) -> Value {
    Value::NilInterface { ty: ty.into() }
}

/// An `errors.New` error.
fn err(text: &str) -> Value {
    Value::Error(text.as_bytes().to_vec())
}

/// A value with a `String` method.
fn stringer(text: &str, value: Value) -> Value {
    Value::Method {
        text: text.as_bytes().to_vec(),
        error: false,
        value: Box::new(value),
    }
}

/// A value with an `Error` method.
fn error_method(text: &str, value: Value) -> Value {
    Value::Method {
        text: text.as_bytes().to_vec(),
        error: true,
        value: Box::new(value),
    }
}

/// `main.point{X, Y, S}`.
fn point(x: i64, y: i64, text: &str) -> Value {
    strukt(
        "main.point",
        vec![("X", int(x)), ("Y", int(y)), ("S", s(text))],
    )
}

/// `main.color`, a named int whose `String` names it.
fn color(n: i64) -> Value {
    let text = match n {
        0 => "red",
        1 => "green",
        2 => "blue",
        _ => "color?",
    };
    stringer(text, int_of("main.color", n))
}

/// `main.celsius`, a struct whose `String` prints it in degrees.
fn celsius(deg: f64) -> Value {
    stringer(
        &format!("{deg:.1}°C"),
        strukt("main.celsius", vec![("Deg", f64v(deg))]),
    )
}

/// `main.myErr`, a struct whose `Error` prints its code.
fn my_err(code: i64) -> Value {
    error_method(
        &format!("error {code}"),
        strukt("main.myErr", vec![("Code", int(code))]),
    )
}

/// `main.name`, a named string whose `String` wraps it.
fn name(text: &str) -> Value {
    stringer(&format!("Name({text})"), s(text))
}

/// `main.holder{P}`.
fn holder(p: Value) -> Value {
    strukt("main.holder", vec![("P", p)])
}

/// The fake `*int` of cases.go.
fn fake_int() -> Value {
    ptr("*int", 0x1234abcd)
}

/// The values of the sets formats.txt names, in cases.go's order.
fn value_set(set: &str) -> Option<Vec<(&'static str, Value)>> {
    Some(match set {
        "ints" => vec![
            ("int(0)", int(0)),
            ("int(42)", int(42)),
            ("int(-42)", int(-42)),
            ("int(255)", int(255)),
            ("int8(-128)", int_of("int8", -128)),
            ("int16(-32768)", int_of("int16", -32768)),
            ("int32(120)", int_of("int32", 120)),
            ("int32(0x1F600)", int_of("int32", 0x1F600)),
            ("int32(0x110000)", int_of("int32", 0x110000)),
            ("int32(0xD800)", int_of("int32", 0xD800)),
            ("int32(39)", int_of("int32", 39)),
            ("int64(min)", int_of("int64", i64::MIN)),
            ("int64(max)", int_of("int64", i64::MAX)),
            ("uint8(200)", uint_of("uint8", 200)),
            ("uint64(max)", uint_of("uint64", u64::MAX)),
            ("uintptr(0xc000012345)", uint_of("uintptr", 0xc000012345)),
        ],
        "floats" => vec![
            ("0.0", f64v(0.0)),
            ("-0.0", f64v(-0.0)),
            ("1.0", f64v(1.0)),
            ("-1.5", f64v(-1.5)),
            ("2.5", f64v(2.5)),
            ("3.6", f64v(3.6)),
            ("1/3", f64v(1.0 / 3.0)),
            ("100.0", f64v(100.0)),
            ("123456.0", f64v(123456.0)),
            ("1234567.0", f64v(1234567.0)),
            ("123456789.0", f64v(123456789.0)),
            ("1e6", f64v(1e6)),
            ("1e20", f64v(1e20)),
            ("1e21", f64v(1e21)),
            ("1e23", f64v(1e23)),
            ("1e-4", f64v(1e-4)),
            ("1e-5", f64v(1e-5)),
            ("1.5e-7", f64v(1.5e-7)),
            ("5e-324", f64v(5e-324)),
            ("2.5e-310", f64v(2.5e-310)),
            ("maxfloat64", f64v(f64::MAX)),
            ("minnormal64", f64v(f64::MIN_POSITIVE)),
            ("NaN", f64v(f64::NAN)),
            ("+Inf", f64v(f64::INFINITY)),
            ("-Inf", f64v(f64::NEG_INFINITY)),
            ("0.000123456", f64v(0.000123456)),
            ("2.675", f64v(2.675)),
            ("0.125", f64v(0.125)),
            ("9.5", f64v(9.5)),
            ("99.95", f64v(99.95)),
            ("float32(0.1)", f32v(0.1)),
            ("float32(1/3)", f32v(1.0 / 3.0)),
            ("float32(16777216)", f32v(16777216.0)),
            ("float32(1e10)", f32v(1e10)),
            ("float32(maxfloat32)", f32v(f32::MAX)),
            ("float32(1e-45)", f32v(1e-45)),
            ("float32(-2.5)", f32v(-2.5)),
        ],
        "strings" => vec![
            (r#""""#, s("")),
            (r#""hi""#, s("hi")),
            (r#""héllo""#, s("héllo")),
            (r#""a\"b\\c\n\t""#, s("a\"b\\c\n\t")),
            (r#""`raw`'""#, s("`raw`'")),
            (r#""\xff\xfeab""#, sb(b"\xff\xfeab")),
            (r#""\x00\x7f\a""#, s("\x00\x7f\x07")),
            (r#""日本語""#, s("日本語")),
            (r#""\u2028\u00ad\ufeff""#, s("\u{2028}\u{ad}\u{feff}")),
            (r#""🙂""#, s("🙂")),
            (r#""\xe2\x82""#, sb(b"\xe2\x82")),
            (r#""\xed\xa0\x80""#, sb(b"\xed\xa0\x80")),
            (r#""\ufffd""#, s("\u{fffd}")),
            (r#""\u0301e""#, s("\u{301}e")),
        ],
        "bools" => vec![("true", Value::Bool(true)), ("false", Value::Bool(false))],
        "composites" => vec![
            ("point", point(1, -2, "hi")),
            (
                "outer",
                strukt(
                    "main.outer",
                    vec![
                        ("P", point(3, 4, "a b")),
                        ("F", f64v(2.5)),
                        ("U", uint_of("uint8", 7)),
                        ("B", Value::Bool(true)),
                        ("E", nil_iface("error")),
                        ("A", nil_iface("interface {}")),
                    ],
                ),
            ),
            (
                "outer2",
                strukt(
                    "main.outer",
                    vec![
                        ("P", point(0, 0, "")),
                        ("F", f64v(1e21)),
                        ("U", uint_of("uint8", 255)),
                        ("B", Value::Bool(false)),
                        ("E", nil_iface("error")),
                        ("A", int(42)),
                    ],
                ),
            ),
            (
                "unexported",
                strukt(
                    "struct { a int; b string }",
                    vec![("a", int(1)), ("b", s("x"))],
                ),
            ),
            ("empty", strukt("struct {}", vec![])),
            (
                "embedded",
                strukt(
                    "main.withEmbed",
                    vec![("point", point(5, 6, "")), ("Z", int(7))],
                ),
            ),
            ("[]int", ints("[]int", &[1, 2, 3])),
            ("[]int{}", ints("[]int", &[])),
            ("[3]int", ints("[3]int", &[-1, 0, 1])),
            ("[]string", slice("[]string", vec![s("a"), s("b c"), s("")])),
            (
                "[]float64",
                slice("[]float64", vec![f64v(1.5), f64v(1e21), f64v(-0.0)]),
            ),
            (
                "[][]int",
                slice("[][]int", vec![ints("[]int", &[1]), ints("[]int", &[2, 3])]),
            ),
            ("[]byte", bytes("[]uint8", b"hi\xff")),
            ("[2]byte", bytes("[2]uint8", &[1, 2])),
            ("[]uint8{}", bytes("[]uint8", &[])),
            (
                "[]any",
                slice(
                    "[]interface {}",
                    vec![int(1), s("a"), Value::Nil, f64v(2.5), Value::Bool(true)],
                ),
            ),
            (
                "map[string]int",
                map("map[string]int", vec![(s("a"), int(1)), (s("b"), int(2))]),
            ),
            (
                "map[int]string",
                map("map[int]string", vec![(int(-1), s("y")), (int(2), s("x"))]),
            ),
            (
                "map[string][]int",
                map("map[string][]int", vec![(s("k"), ints("[]int", &[1]))]),
            ),
            ("&point", reference("*main.point", point(5, 6, "p"))),
            ("&[]int", reference("*[]int", ints("[]int", &[1, 2]))),
            (
                "bytesField",
                strukt("main.bytesField", vec![("B", bytes("[]uint8", b"ab"))]),
            ),
            ("holder", holder(ptr("*int", 0))),
            ("[]*int", slice("[]*int", vec![ptr("*int", 0), fake_int()])),
            ("[]complex128", slice("[]complex128", vec![c128(1.0, -2.0)])),
        ],
        "methods" => vec![
            ("color(1)", color(1)),
            ("celsius", celsius(21.5)),
            ("myErr", my_err(42)),
            (
                "[]color",
                slice("[]main.color", vec![color(0), color(1), color(2)]),
            ),
            (
                "paint",
                strukt("main.paint", vec![("C", color(2)), ("N", int(3))]),
            ),
            (
                "map[color]int",
                map(
                    "map[main.color]int",
                    vec![(color(0), int(5)), (color(2), int(1))],
                ),
            ),
        ],
        "errors" => vec![
            ("errors.New", err("boom")),
            ("Errorf", err("code 7")),
            (
                "[]error",
                slice("[]error", vec![err("a"), nil_iface("error")]),
            ),
            ("wrapper", strukt("main.wrapper", vec![("E", err("x"))])),
            (
                "map[string]error",
                map("map[string]error", vec![(s("k"), err("v"))]),
            ),
            ("[]myErr", slice("[]main.myErr", vec![my_err(1)])),
        ],
        "pointers" => vec![
            ("(*int)(nil)", ptr("*int", 0)),
            ("(*int)(0x1234abcd)", fake_int()),
            (
                "unsafe.Pointer(0xdeadbeef)",
                ptr("unsafe.Pointer", 0xdeadbeef),
            ),
            ("(*point)(nil)", ptr("*main.point", 0)),
        ],
        "complexes" => vec![
            ("1+2i", c128(1.0, 2.0)),
            ("-1.5-0i", c128(-1.5, -0.0)),
            ("Inf+NaNi", c128(f64::INFINITY, f64::NAN)),
            (
                "complex64(0.1+1e21i)",
                Value::Complex {
                    re: f64::from(0.1f32),
                    im: f64::from(1e21f32),
                    bits: 64,
                },
            ),
            ("0i", c128(0.0, 0.0)),
        ],
        _ => return None,
    })
}

/// The cases of formats.txt: each format applied to each value of its sets, as cases.go orders them.
fn format_cases() -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut sets: Vec<Vec<(&str, Value)>> = Vec::new();
    for line in FORMATS.split('\n') {
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        if let Some(names) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sets = names
                .split_whitespace()
                .map(|n| value_set(n).ok_or(format!("formats.txt names no value set {n}")))
                .collect::<Result<_, _>>()?;
            continue;
        }
        for set in &sets {
            for (name, value) in set {
                out.push((
                    format!("{name} {line}"),
                    sprintf(line.as_bytes(), std::slice::from_ref(value)),
                ));
            }
        }
    }
    Ok(out)
}

/// The runes of the `isprint-sample` cases: every 997th, a surrogate becoming U+FFFD as in Go.
fn rune_sample() -> Value {
    let text: String = (0..=0x10FFFF_u32)
        .step_by(997)
        .map(|r| char::from_u32(r).unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    s(&text)
}

/// The hand-written cases of cases.go, in its order.
fn hand_written() -> Vec<(&'static str, Vec<u8>)> {
    let p = || point(1, 2, "x");
    let b = || bytes("[]uint8", b"hi");
    let e = || err("boom");
    let nil = || Value::Nil;
    vec![
        (
            "println-mixed",
            sprintln(&[s("a"), int(1), Value::Bool(true), f64v(2.5), s("b"), nil()]),
        ),
        ("println-empty", sprintln(&[])),
        ("print-empty", sprint(&[])),
        (
            "print-spacing",
            sprint(&[
                s("a"),
                int(1),
                int(2),
                s("b"),
                s("c"),
                f64v(3.5),
                Value::Bool(true),
                nil(),
                nil(),
                s("d"),
            ]),
        ),
        ("print-numbers", sprint(&[int(1), int(2), int(3)])),
        ("print-strings", sprint(&[s("x"), s("y"), s("z")])),
        (
            "print-named-string",
            sprint(&[name("bob"), int(1), int(2), name("al")]),
        ),
        ("print-stringer-int", sprint(&[color(1), int(2), color(0)])),
        ("print-error", sprint(&[e(), int(1), s("s"), err("f")])),
        (
            "print-bytes",
            sprint(&[bytes("[]uint8", b"ab"), s("c"), bytes("[]uint8", b"d")]),
        ),
        ("print-nil", sprint(&[nil(), nil()])),
        (
            "println-floats",
            sprintln(&[
                f64v(1e6),
                f64v(1e20),
                f64v(1e21),
                f64v(123456789.0),
                f32v(0.1),
                f64v(3.6),
                f64v(f64::NAN),
                f64v(f64::INFINITY),
                f64v(f64::NEG_INFINITY),
                f64v(-0.0),
            ]),
        ),
        (
            "println-float32",
            sprintln(&[
                f32v(16777217.0),
                f32v(1.0 / 3.0),
                f32v(1e-45),
                f32v(f32::MAX),
            ]),
        ),
        (
            "println-composite",
            sprintln(&[
                p(),
                ints("[]int", &[1]),
                map("map[string]int", vec![(s("a"), int(1))]),
                reference("*main.point", point(3, 4, "y")),
            ]),
        ),
        (
            "println-pointer",
            sprintln(&[ptr("*int", 0), fake_int(), ptr("*main.point", 0)]),
        ),
        ("println-errors", sprintln(&[e(), err("wrapped 3")])),
        (
            "println-nested-nil",
            sprintln(&[
                slice("[]interface {}", vec![nil(), int(1)]),
                slice("[]error", vec![nil_iface("error")]),
            ]),
        ),
        (
            "println-stringers",
            sprintln(&[color(2), celsius(-3.0), my_err(5), name("x")]),
        ),
        (
            "printf-mixed",
            sprintf(
                b"%d %s %v %q %t %x",
                &[
                    int(42),
                    s("hi"),
                    f64v(2.5),
                    s("q"),
                    Value::Bool(true),
                    int(255),
                ],
            ),
        ),
        ("printf-text-only", sprintf(b"no verbs here", &[])),
        ("printf-newlines", sprintf(b"a\tb\n%d\n", &[int(1)])),
        ("printf-percent", sprintf(b"100%% %d%%", &[int(5)])),
        ("printf-percent-flags", sprintf(b"%5%|%-5%|%.2%|", &[])),
        ("missing", sprintf(b"%d %d", &[int(1)])),
        ("missing-all", sprintf(b"%s %v %5d|", &[])),
        (
            "extra",
            sprintf(
                b"%d",
                &[int(1), s("a"), f64v(2.5), nil(), e(), ints("[]int", &[1])],
            ),
        ),
        ("extra-no-verbs", sprintf(b"x", &[int(1)])),
        ("index", sprintf(b"%[2]d %[1]d %d", &[int(1), int(2)])),
        (
            "index-repeat",
            sprintf(b"%[1]d %[1]x %[1]o %#[1]x", &[int(64)]),
        ),
        (
            "index-bad",
            sprintf(b"%[3]d %[0]d %[x]d %[1]d", &[int(1), int(2)]),
        ),
        ("index-unclosed", sprintf(b"%[1d %d", &[int(1), int(2)])),
        (
            "index-star",
            sprintf(b"%[3]*.[2]*[1]f|", &[f64v(12.0), int(2), int(6)]),
        ),
        ("index-star-width", sprintf(b"%[1]*d|", &[int(5), int(6)])),
        (
            "index-after-width",
            sprintf(b"%[2]5d|%[1].2d|", &[int(1), int(2)]),
        ),
        ("index-no-extra", sprintf(b"%[1]d", &[int(1), int(2)])),
        (
            "index-then-next",
            sprintf(b"%[2]d %d %d", &[int(1), int(2), int(3)]),
        ),
        (
            "star",
            sprintf(
                b"%*d|%-*d|%.*f|%*.*f|",
                &[
                    int(5),
                    int(1),
                    int(4),
                    int(2),
                    int(2),
                    f64v(1.23456),
                    int(8),
                    int(3),
                    f64v(2.5),
                ],
            ),
        ),
        (
            "star-negative",
            sprintf(
                b"%*d|%.*d|%0*d|",
                &[int(-5), int(1), int(-1), int(7), int(-4), int(3)],
            ),
        ),
        (
            "star-bad",
            sprintf(b"%*d|%.*d|", &[s("x"), int(1), f64v(2.5), int(7)]),
        ),
        ("star-missing", sprintf(b"%*d", &[])),
        ("star-too-large", sprintf(b"%*d|", &[int(10000000), int(1)])),
        (
            "star-uint",
            sprintf(
                b"%*d|%.*s|",
                &[uint_of("uint8", 3), int(1), uint_of("uint64", 2), s("abc")],
            ),
        ),
        ("width-too-large", sprintf(b"%10000000000d|", &[int(1)])),
        ("noverb", sprintf(b"%", &[])),
        ("noverb-flags", sprintf(b"abc%-5", &[int(1)])),
        ("noverb-dot", sprintf(b"%5.", &[int(1)])),
        (
            "dot-no-digits",
            sprintf(b"%.d|%.s|%.f|%.x|", &[int(0), s("abc"), f64v(2.5), int(0)]),
        ),
        (
            "bad-verbs",
            sprintf(
                b"%d %s %t %z %e",
                &[s("hi"), int(42), int(1), int(3), Value::Bool(true)],
            ),
        ),
        (
            "bad-verb-flags",
            sprintf(b"%5z|%-8.2z|%+z|", &[int(1), f64v(2.5), int(3)]),
        ),
        (
            "nil-verbs",
            sprintf(
                b"%v %d %s %T %5v| %-6T|%#v|%+v",
                &[nil(), nil(), nil(), nil(), nil(), nil(), nil(), nil()],
            ),
        ),
        ("w-sprintf", sprintf(b"%w %w", &[e(), int(1)])),
        ("errorf-w", errorf(b"wrap: %w", &[err("inner")])),
        ("errorf-w-nonerror", errorf(b"x %w", &[int(5)])),
        (
            "errorf-w-flags",
            errorf(
                b"%#w|%+w|%10w|%-8w|",
                &[err("e"), err("f"), err("g"), my_err(3)],
            ),
        ),
        ("errorf-w-nil", errorf(b"x %w", &[nil()])),
        ("errorf-plain", errorf(b"code %d: %s", &[int(7), s("bad")])),
        (
            "error-other-verbs",
            sprintf(b"%d|%#v|%T|%10.2s|%t|", &[e(), e(), e(), e(), e()]),
        ),
        (
            "type-verbs",
            sprintf(
                b"%T %T %T %T %T %T %T",
                &[
                    int(1),
                    s("s"),
                    f64v(2.5),
                    point(0, 0, ""),
                    ints("[]int", &[]),
                    nil(),
                    map("map[string]int", vec![]),
                ],
            ),
        ),
        (
            "complex-mixed",
            sprintf(
                b"%v %.1f %T",
                &[
                    Value::Complex {
                        re: 1.0,
                        im: 2.0,
                        bits: 64,
                    },
                    c128(3.0, -4.0),
                    Value::Complex {
                        re: 0.0,
                        im: 0.0,
                        bits: 64,
                    },
                ],
            ),
        ),
        (
            "invalid-verb-utf8",
            sprintf(b"%\xff|%\xe2\x82|", &[int(1), int(2)]),
        ),
        ("format-invalid-utf8", sprintf(b"\xff%d\xfe", &[int(1)])),
        (
            "bytes-top",
            sprintf(
                b"%v|%d|%s|%q|%x|% X|%#v|%o|%c|%T|%5s|%.1x",
                &[b(), b(), b(), b(), b(), b(), b(), b(), b(), b(), b(), b()],
            ),
        ),
        (
            "bytes-nested",
            sprintf(
                b"%#v|%s|%x|%q",
                &[
                    slice("[]interface {}", vec![bytes("[]uint8", b"a")]),
                    slice("[]interface {}", vec![bytes("[]uint8", b"a")]),
                    slice(
                        "[][]uint8",
                        vec![bytes("[]uint8", &[1, 2]), bytes("[]uint8", &[3])],
                    ),
                    slice("[][]uint8", vec![bytes("[]uint8", b"q")]),
                ],
            ),
        ),
        (
            "map-verbs",
            sprintf(
                b"%v|%#v|%d|%x",
                &[
                    map("map[string]int", vec![(s("a"), int(1)), (s("z"), int(26))]),
                    map(
                        "map[int]bool",
                        vec![(int(1), Value::Bool(false)), (int(3), Value::Bool(true))],
                    ),
                    map("map[string]int", vec![(s("a"), int(10))]),
                    map("map[string]string", vec![(s("k"), s("v"))]),
                ],
            ),
        ),
        (
            "nested-pointers",
            sprintf(
                b"%v|%#v|%d|%+v",
                &[
                    slice("[]*int", vec![ptr("*int", 0), fake_int()]),
                    holder(fake_int()),
                    holder(fake_int()),
                    holder(ptr("*int", 0)),
                ],
            ),
        ),
        (
            "stringer-verbs",
            sprintf(
                b"%v|%s|%q|%x|%X|%8s|%-7v|%.2s|",
                &[
                    Value::Stringer(b"blue".to_vec()),
                    Value::Stringer(b"blue".to_vec()),
                    Value::Stringer(b"blue".to_vec()),
                    Value::Stringer(b"blue".to_vec()),
                    Value::Stringer(b"blue".to_vec()),
                    Value::Stringer(b"blue".to_vec()),
                    Value::Stringer(b"blue".to_vec()),
                    Value::Stringer(b"blue".to_vec()),
                ],
            ),
        ),
        (
            "width-unicode",
            sprintf(
                "%6s|%-6s|%6q|%.1q|%6c|".as_bytes(),
                &[
                    s("日本"),
                    s("日本"),
                    s("日本"),
                    s("日本"),
                    int_of("int32", i64::from(u32::from('日'))),
                ],
            ),
        ),
        (
            "precision-unicode",
            sprintf(
                b"%.1s|%.2s|%.3x|%.2q|",
                &[s("日本語"), sb(b"\xffabc"), s("日本"), sb(b"\xff\xfe\xfd")],
            ),
        ),
        (
            "zero-flags",
            sprintf(
                b"%06.2f|%-06d|%+06d|%06s|%06v|%06x|%06q|",
                &[
                    f64v(-1.5),
                    int(3),
                    int(3),
                    s("ab"),
                    Value::Bool(true),
                    s("ab"),
                    s("ab"),
                ],
            ),
        ),
        (
            "plus-flags",
            sprintf(
                b"%+v|%+d|%+q|%+s|%+x|",
                &[int(5), int(5), s("é"), s("é"), s("é")],
            ),
        ),
        (
            "sharp-flags",
            sprintf(
                b"%#v|%#d|%#s|%#t|%#c|%#e|",
                &[
                    int(5),
                    int(5),
                    s("s"),
                    Value::Bool(true),
                    int_of("int32", i64::from(b'c')),
                    f64v(1.0),
                ],
            ),
        ),
        (
            "space-flags",
            sprintf(
                b"% v|% d|% s|% q|% t|",
                &[int(5), int(-5), s("s"), s("q"), Value::Bool(true)],
            ),
        ),
        (
            "huge-precision",
            sprintf(
                b"%.1000f|%.60e|%.1080f|%.900e|%.800g",
                &[
                    f64v(0.1),
                    f64v(5e-324),
                    f64v(5e-324),
                    f64v(f64::MAX),
                    f64v(0.1),
                ],
            ),
        ),
        (
            "huge-precision-int",
            sprintf(b"%.100d|%.80x|", &[int(-1), int(255)]),
        ),
        (
            "huge-width",
            sprintf(b"%300d|%-100s|%0200.3f|", &[int(1), s("x"), f64v(-2.5)]),
        ),
        (
            "unicode-sharp",
            sprintf(
                b"%#U %#U %#U %#U %#U",
                &[
                    int_of("int32", i64::from(b'x')),
                    int(0x2028),
                    int(0x1F600),
                    int(-1),
                    int(0xD800),
                ],
            ),
        ),
        (
            "rune-quote",
            sprintf(
                b"%q %q %q %q %q %q %+q %+q",
                &[
                    int_of("int32", i64::from(b'\n')),
                    int_of("int32", i64::from(b'"')),
                    int_of("int32", i64::from(b'\\')),
                    int(0x7f),
                    int(0xFFFD),
                    int(0x10FFFF),
                    int_of("int32", 0xe9),
                    int(0x1F600),
                ],
            ),
        ),
        (
            "shortest-ties",
            sprintln(&[
                f32v(1555587.0 + 0.25),
                f32v(-(65455.0 + 0.8125)),
                f64v(106779538212252.0 + 0.625),
                f32v(2f32.powi(-12)),
                f64v(2f64.powi(-25)),
                f32v(2f32.powi(-54)),
            ]),
        ),
        (
            "shortest-ties-verbs",
            sprintf(
                b"%e %g %.8g",
                &[
                    f32v(1555587.0 + 0.25),
                    f64v(106779538212252.0 + 0.625),
                    f32v(1555587.0 + 0.25),
                ],
            ),
        ),
        ("isprint-sample", sprintf(b"%q", &[rune_sample()])),
        ("isprint-sample-ascii", sprintf(b"%+q", &[rune_sample()])),
    ]
}

/// Bytes as text for a report: the string if it is UTF-8, else escaped.
fn show(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("b\"{}\"", b.escape_ascii()),
    }
}

/// Decodes a hex string.
fn unhex(h: &str) -> Option<Vec<u8>> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
        .collect()
}

#[test]
fn every_case_prints_what_go_prints() {
    let mut problems = Vec::new();
    let mut want = Vec::new();
    for (n, line) in EXPECTED.lines().enumerate() {
        match line
            .split_once('\t')
            .and_then(|(id, h)| Some((id, unhex(h)?)))
        {
            Some(case) => want.push(case),
            None => problems.push(format!("expected.txt line {}: not <id>\\t<hex>", n + 1)),
        }
    }
    let mut got: Vec<(String, Vec<u8>)> = match format_cases() {
        Ok(cases) => cases,
        Err(e) => {
            problems.push(e);
            Vec::new()
        }
    };
    got.extend(
        hand_written()
            .into_iter()
            .map(|(id, out)| (id.to_string(), out)),
    );

    let mut seen = std::collections::HashSet::new();
    for (id, _) in &got {
        if !seen.insert(id.as_str()) {
            problems.push(format!("case {id:?} is defined twice here"));
        }
    }
    let want_ids: std::collections::HashSet<&str> = want.iter().map(|(id, _)| *id).collect();
    for (id, _) in &got {
        if !want_ids.contains(id.as_str()) {
            problems.push(format!("case {id:?} is not in expected.txt (cases.go)"));
        }
    }
    for (id, _) in &want {
        if !seen.contains(id) {
            problems.push(format!("case {id:?} of expected.txt is not built here"));
        }
    }
    let got_by_id: std::collections::HashMap<&str, &[u8]> = got
        .iter()
        .map(|(id, out)| (id.as_str(), out.as_slice()))
        .collect();
    let mut differ = 0;
    for (id, want) in &want {
        if let Some(got) = got_by_id.get(id)
            && got != want
        {
            differ += 1;
            problems.push(format!(
                "{id}:\n  want {}\n  got  {}",
                show(want),
                show(got)
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{differ} of {} cases differ from Go, {} problems:\n{}",
        want.len(),
        problems.len(),
        problems.join("\n")
    );
}
