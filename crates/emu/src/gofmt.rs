//! Go's `fmt` formatting of the values the printing models decode:
//! `Sprint`, `Sprintln` and `Sprintf` with Go's verbs, flags, width and
//! precision, its float layout (shortest digits; `%v` and `%g` switch to the
//! exponent form below 1e-4 and from 1e6 (or the precision) up, as `strconv`
//! decides), and its error forms (`%!d(string=hi)`, `%!d(MISSING)`).

/// A Go value, decoded from the program's memory.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A signed integer of the named type.
    Int { v: i64, ty: &'static str },
    /// An unsigned integer of the named type.
    Uint { v: u64, ty: &'static str },
    /// A float: 32 or 64 bits (a float32 is widened exactly).
    Float { v: f64, bits: u8 },
    /// A bool.
    Bool(bool),
    /// A string's bytes.
    Str(Vec<u8>),
    /// A nil interface.
    Nil,
    /// A pointer and its type's name, e.g. `*int`.
    Pointer { addr: u64, ty: String },
    /// A struct: its type's name and its fields.
    Struct {
        ty: String,
        fields: Vec<(String, Value)>,
    },
    /// A slice or array: its type's name and its elements.
    Slice { ty: String, elems: Vec<Value> },
    /// A value whose `Error` method returns these bytes.
    Error(Vec<u8>),
    /// A map: its type's name and its entries, in the order fmt prints them (sorted by key).
    Map {
        ty: String,
        entries: Vec<(Value, Value)>,
    },
}

impl Value {
    /// The Go type name, as `%T` prints it.
    fn type_name(&self) -> String {
        match self {
            Value::Int { ty, .. } | Value::Uint { ty, .. } => (*ty).to_string(),
            Value::Float { bits, .. } => format!("float{bits}"),
            Value::Bool(_) => "bool".into(),
            Value::Str(_) => "string".into(),
            Value::Nil => "<nil>".into(),
            Value::Pointer { ty, .. }
            | Value::Struct { ty, .. }
            | Value::Slice { ty, .. }
            | Value::Map { ty, .. } => ty.clone(),
            Value::Error(_) => "error".into(),
        }
    }
}

/// The order fmt prints map keys in: numbers by value, strings by bytes, false before true.
pub(crate) fn key_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Int { v: x, .. }, Value::Int { v: y, .. }) => x.cmp(y),
        (Value::Uint { v: x, .. }, Value::Uint { v: y, .. }) => x.cmp(y),
        (Value::Float { v: x, .. }, Value::Float { v: y, .. }) => x.total_cmp(y),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    }
}

/// `fmt.Sprintln`: operands separated by spaces, then a newline.
pub(crate) fn sprintln(args: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend(format_value(a, 'v', &Spec::default()));
    }
    out.push(b'\n');
    out
}

/// `fmt.Sprint`: spaces only between operands when neither is a string.
pub(crate) fn sprint(args: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = matches!(a, Value::Str(_));
        if i > 0 && !is_str && !matches!(args[i - 1], Value::Str(_)) {
            out.push(b' ');
        }
        out.extend(format_value(a, 'v', &Spec::default()));
    }
    out
}

/// Flags, width and precision of one verb.
#[derive(Debug, Clone, Default)]
struct Spec {
    /// `%+v`: struct field names.
    plus_v: bool,
    /// `%#v`: Go syntax.
    sharp_v: bool,
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf`.
pub(crate) fn sprintf(format: &[u8], args: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut arg = 0;
    let mut i = 0;
    let mut reordered = false;
    while i < format.len() {
        let c = format[i];
        if c != b'%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let mut spec = Spec::default();
        while i < format.len() {
            match format[i] {
                b'+' => spec.plus = true,
                b'-' => spec.minus = true,
                b'#' => spec.sharp = true,
                b' ' => spec.space = true,
                b'0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        // An explicit argument index: %[2]d.
        let mut index = |i: &mut usize, arg: &mut usize| {
            if *i < format.len()
                && format[*i] == b'['
                && let Some(end) = format[*i..].iter().position(|&b| b == b']')
            {
                if let Ok(n) = std::str::from_utf8(&format[*i + 1..*i + end])
                    .unwrap_or("")
                    .parse::<usize>()
                {
                    *arg = n.saturating_sub(1);
                    reordered = true;
                }
                *i += end + 1;
            }
        };
        index(&mut i, &mut arg);
        if i < format.len() && format[i] == b'*' {
            i += 1;
            if let Some(Value::Int { v, .. }) = args.get(arg) {
                if *v < 0 {
                    spec.minus = true;
                }
                spec.width = Some(v.unsigned_abs() as usize);
            }
            arg += 1;
        } else {
            spec.width = number(format, &mut i);
        }
        if i < format.len() && format[i] == b'.' {
            i += 1;
            index(&mut i, &mut arg);
            if i < format.len() && format[i] == b'*' {
                i += 1;
                if let Some(Value::Int { v, .. }) = args.get(arg) {
                    spec.prec = usize::try_from(*v).ok();
                }
                arg += 1;
            } else {
                spec.prec = Some(number(format, &mut i).unwrap_or(0));
            }
        }
        index(&mut i, &mut arg);
        if i >= format.len() {
            out.extend_from_slice(b"%!(NOVERB)");
            break;
        }
        let verb = decode_char(&format[i..]);
        i += verb.len_utf8();
        if verb == '%' {
            out.push(b'%');
            continue;
        }
        if verb == 'v' {
            // For %v, + and # ask for field names and Go syntax, not signs and prefixes.
            spec.plus_v = std::mem::take(&mut spec.plus);
            spec.sharp_v = std::mem::take(&mut spec.sharp);
        }
        match args.get(arg) {
            Some(a) => out.extend(format_value(a, verb, &spec)),
            None => out.extend(format!("%!{verb}(MISSING)").into_bytes()),
        }
        arg += 1;
    }
    if !reordered && arg < args.len() {
        out.extend_from_slice(b"%!(EXTRA ");
        for (k, a) in args[arg..].iter().enumerate() {
            if k > 0 {
                out.extend_from_slice(b", ");
            }
            out.extend(a.type_name().into_bytes());
            out.push(b'=');
            out.extend(format_value(a, 'v', &Spec::default()));
        }
        out.push(b')');
    }
    out
}

fn number(format: &[u8], i: &mut usize) -> Option<usize> {
    let start = *i;
    while *i < format.len() && format[*i].is_ascii_digit() {
        *i += 1;
    }
    std::str::from_utf8(&format[start..*i]).ok()?.parse().ok()
}

fn decode_char(bytes: &[u8]) -> char {
    let end = bytes.len().min(4);
    (1..=end)
        .find_map(|n| {
            std::str::from_utf8(&bytes[..n])
                .ok()
                .and_then(|s| s.chars().next())
        })
        .unwrap_or('\u{fffd}')
}

/// Pads to the width: left, right, or with zeros after the sign.
fn pad(body: Vec<u8>, spec: &Spec, zero_ok: bool) -> Vec<u8> {
    let Some(width) = spec.width else { return body };
    let len = String::from_utf8_lossy(&body).chars().count();
    if len >= width {
        return body;
    }
    let fill = width - len;
    if spec.minus {
        let mut b = body;
        b.extend(std::iter::repeat_n(b' ', fill));
        b
    } else if spec.zero && zero_ok {
        let sign = usize::from(matches!(body.first(), Some(b'+' | b'-' | b' ')));
        let mut b = body[..sign].to_vec();
        b.extend(std::iter::repeat_n(b'0', fill));
        b.extend_from_slice(&body[sign..]);
        b
    } else {
        let mut b = vec![b' '; fill];
        b.extend(body);
        b
    }
}

/// A verb applied to a value of the wrong kind: `%!d(string=hi)`.
fn bad_verb(verb: char, v: &Value) -> Vec<u8> {
    match v {
        Value::Nil => format!("%!{verb}(<nil>)").into_bytes(),
        _ => {
            let mut out = format!("%!{verb}({}=", v.type_name()).into_bytes();
            out.extend(format_value(v, 'v', &Spec::default()));
            out.push(b')');
            out
        }
    }
}

/// Formats one value with one verb.
fn format_value(v: &Value, verb: char, spec: &Spec) -> Vec<u8> {
    if verb == 'T' {
        return pad(v.type_name().into_bytes(), spec, false);
    }
    match v {
        Value::Int { v: n, .. } => {
            format_int(i128::from(*n), verb, spec).unwrap_or_else(|| bad_verb(verb, v))
        }
        Value::Uint { v: n, .. } => {
            format_int(i128::from(*n), verb, spec).unwrap_or_else(|| bad_verb(verb, v))
        }
        Value::Float { v: f, bits } => {
            format_float(*f, *bits, verb, spec).unwrap_or_else(|| bad_verb(verb, v))
        }
        Value::Bool(b) => match verb {
            'v' | 't' => pad(b.to_string().into_bytes(), spec, false),
            _ => bad_verb(verb, v),
        },
        Value::Str(s) | Value::Error(s) => {
            format_str(s, verb, spec).unwrap_or_else(|| bad_verb(verb, v))
        }
        Value::Nil => match verb {
            'v' => pad(b"<nil>".to_vec(), spec, false),
            _ => bad_verb(verb, v),
        },
        Value::Pointer { addr, ty } => match verb {
            'v' if *addr == 0 && spec.sharp_v => {
                pad(format!("({ty})(nil)").into_bytes(), spec, false)
            }
            'v' | 'p' if *addr == 0 && verb == 'v' => pad(b"<nil>".to_vec(), spec, false),
            'v' | 'p' => pad(format!("{addr:#x}").into_bytes(), spec, false),
            'd' | 'x' | 'X' | 'o' | 'b' => {
                format_int(i128::from(*addr), verb, spec).unwrap_or_default()
            }
            _ => bad_verb(verb, v),
        },
        Value::Struct { ty, fields } => {
            let mut out = Vec::new();
            if spec.sharp_v {
                out.extend(ty.as_bytes());
            }
            out.push(b'{');
            for (i, (name, f)) in fields.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(if spec.sharp_v { b", " } else { b" " });
                }
                if spec.plus_v || spec.sharp_v {
                    out.extend(name.as_bytes());
                    out.push(b':');
                }
                let inner = Spec {
                    plus_v: spec.plus_v,
                    sharp_v: spec.sharp_v,
                    ..Spec::default()
                };
                out.extend(match f {
                    Value::Str(_) if spec.sharp_v => format_value(f, 'q', &Spec::default()),
                    _ => format_value(f, verb, &inner),
                });
            }
            out.push(b'}');
            out
        }
        Value::Map { ty, entries } => {
            let mut out = Vec::new();
            if spec.sharp_v {
                out.extend(ty.as_bytes());
                out.push(b'{');
            } else {
                out.extend_from_slice(b"map[");
            }
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(if spec.sharp_v { b", " } else { b" " });
                }
                out.extend(format_value(k, verb, spec));
                out.push(b':');
                out.extend(format_value(v, verb, spec));
            }
            out.push(if spec.sharp_v { b'}' } else { b']' });
            out
        }
        Value::Slice { ty, elems } => {
            let mut out = Vec::new();
            if spec.sharp_v {
                out.extend(ty.as_bytes());
                out.push(b'{');
            } else {
                out.push(b'[');
            }
            for (i, e) in elems.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(if spec.sharp_v { b", " } else { b" " });
                }
                out.extend(format_value(e, verb, spec));
            }
            out.push(if spec.sharp_v { b'}' } else { b']' });
            out
        }
    }
}

fn format_int(n: i128, verb: char, spec: &Spec) -> Option<Vec<u8>> {
    let neg = n < 0;
    let m = n.unsigned_abs();
    let digits = match verb {
        'v' | 'd' => m.to_string(),
        'b' => format!("{m:b}"),
        'o' | 'O' => format!("{m:o}"),
        'x' => format!("{m:x}"),
        'X' => format!("{m:X}"),
        'c' => {
            let c = u32::try_from(n)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{fffd}');
            return Some(pad(c.to_string().into_bytes(), spec, false));
        }
        'q' => {
            let c = u32::try_from(n)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{fffd}');
            return Some(pad(quote_rune(c).into_bytes(), spec, false));
        }
        'U' => return Some(pad(format!("U+{m:04X}").into_bytes(), spec, false)),
        _ => return None,
    };
    let mut digits = digits;
    if let Some(p) = spec.prec {
        if p == 0 && m == 0 {
            digits.clear();
        }
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    let prefix = match verb {
        'O' => "0o",
        'b' if spec.sharp => "0b",
        'o' if spec.sharp && !digits.starts_with('0') => "0",
        'x' if spec.sharp => "0x",
        'X' if spec.sharp => "0X",
        _ => "",
    };
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let body = format!("{sign}{prefix}{digits}").into_bytes();
    Some(pad(body, spec, spec.prec.is_none() && !spec.minus))
}

fn quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        _ => format!("'{}'", escape_char(c, '\'')),
    }
}

/// Go's escape of one character inside a quoted literal.
fn escape_char(c: char, quote: char) -> String {
    match c {
        '\x07' => "\\a".into(),
        '\x08' => "\\b".into(),
        '\x0c' => "\\f".into(),
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        '\t' => "\\t".into(),
        '\x0b' => "\\v".into(),
        '\\' => "\\\\".into(),
        c if c == quote => format!("\\{c}"),
        c if (c as u32) < 0x20 || c == '\x7f' => format!("\\x{:02x}", c as u32),
        c if !printable(c) && (c as u32) < 0x10000 => format!("\\u{:04x}", c as u32),
        c if !printable(c) => format!("\\U{:08x}", c as u32),
        c => c.to_string(),
    }
}

/// Whether Go's `strconv.IsPrint` holds, for the characters that matter here:
/// controls, spaces other than U+0020, line and paragraph separators and the
/// invisible format characters are not printable.
fn printable(c: char) -> bool {
    !(c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
}

/// Go's `strconv.Quote`: invalid UTF-8 bytes as `\x..`.
fn quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    let mut rest = s;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                valid
                    .chars()
                    .for_each(|c| out.push_str(&escape_char(c, '"')));
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                std::str::from_utf8(good)
                    .unwrap_or("")
                    .chars()
                    .for_each(|c| out.push_str(&escape_char(c, '"')));
                out.push_str(&format!("\\x{:02x}", bad[0]));
                rest = &bad[1..];
            }
        }
    }
    out.push('"');
    out
}

fn format_str(s: &[u8], verb: char, spec: &Spec) -> Option<Vec<u8>> {
    let s = match spec.prec {
        Some(p) if matches!(verb, 'v' | 's' | 'q' | 'x' | 'X') => {
            let text = String::from_utf8_lossy(s);
            let cut: String = text.chars().take(p).collect();
            if cut.len() == text.len() {
                s.to_vec()
            } else {
                cut.into_bytes()
            }
        }
        _ => s.to_vec(),
    };
    let body = match verb {
        'v' | 's' => s,
        'q' => quote(&s).into_bytes(),
        'x' | 'X' => {
            let mut out = String::new();
            for (i, b) in s.iter().enumerate() {
                if spec.space && i > 0 {
                    out.push(' ');
                }
                if spec.sharp && (spec.space || i == 0) {
                    out.push_str(if verb == 'x' { "0x" } else { "0X" });
                }
                out.push_str(&if verb == 'x' {
                    format!("{b:02x}")
                } else {
                    format!("{b:02X}")
                });
            }
            out.into_bytes()
        }
        _ => return None,
    };
    Some(pad(body, spec, false))
}

/// Decimal digits and exponent of a float: `(digits, dp)` with the value `0.digits × 10^dp`.
fn digits_of(v: f64, bits: u8, prec: Option<usize>) -> (String, i32) {
    let text = match (prec, bits) {
        (None, 32) => format!("{:e}", v as f32),
        (None, _) => format!("{v:e}"),
        (Some(p), _) => format!("{:.*e}", p.saturating_sub(1), v),
    };
    let (mant, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    if digits == "0" {
        return (digits, 1);
    }
    (digits, exp + 1)
}

/// `%e` layout of digits: `d.ddde±XX` with `prec` digits after the point.
fn layout_e(digits: &str, dp: i32, prec: usize, upper: bool) -> String {
    let mut d = digits.to_string();
    while d.len() < prec + 1 {
        d.push('0');
    }
    let exp = if digits == "0" { 0 } else { dp - 1 };
    let mut out = d[..1].to_string();
    if prec > 0 {
        out.push('.');
        out.push_str(&d[1..=prec]);
    }
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.unsigned_abs()));
    out
}

/// `%f` layout of digits with `prec` digits after the point.
fn layout_f(digits: &str, dp: i32, prec: usize) -> String {
    let mut out = String::new();
    if dp <= 0 {
        out.push('0');
    } else {
        for i in 0..dp as usize {
            out.push(digits.as_bytes().get(i).map_or('0', |&b| b as char));
        }
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec as i32 {
            let k = dp + i;
            out.push(if k < 0 {
                '0'
            } else {
                digits
                    .as_bytes()
                    .get(k as usize)
                    .map_or('0', |&b| b as char)
            });
        }
    }
    out
}

fn format_float(v: f64, bits: u8, verb: char, spec: &Spec) -> Option<Vec<u8>> {
    let sign = if v.is_sign_negative() && !v.is_nan() {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    // Infinities keep their sign and NaN shows one only when asked; neither is zero padded.
    if v.is_infinite() {
        let body = if v < 0.0 {
            "-Inf"
        } else if spec.space && !spec.plus {
            " Inf"
        } else {
            "+Inf"
        };
        return Some(pad(body.as_bytes().to_vec(), spec, false));
    }
    if v.is_nan() {
        let body = if spec.plus {
            "+NaN"
        } else if spec.space {
            " NaN"
        } else {
            "NaN"
        };
        return Some(pad(body.as_bytes().to_vec(), spec, false));
    }
    let a = v.abs();
    let body = match verb {
        'v' | 'g' | 'G' => {
            let shortest = spec.prec.is_none();
            let prec = spec.prec.map(|p| p.max(1));
            let (digits, dp) = if a == 0.0 {
                ("0".to_string(), 1)
            } else {
                digits_of(a, bits, prec)
            };
            let nd = digits.len() as i32;
            let mut eprec = prec.map_or(6, |p| p as i32);
            if !shortest && eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                layout_e(&digits, dp, (nd - 1) as usize, verb == 'G')
            } else {
                layout_f(&digits, dp, (nd - dp).max(0) as usize)
            }
        }
        'e' | 'E' => {
            let p = spec.prec.unwrap_or(6);
            let (digits, dp) = if a == 0.0 {
                ("0".to_string(), 1)
            } else {
                digits_of(a, bits, Some(p + 1))
            };
            layout_e(&digits, dp, p, verb == 'E')
        }
        'f' | 'F' => format!("{:.*}", spec.prec.unwrap_or(6), a),
        _ => return None,
    };
    Some(pad(format!("{sign}{body}").into_bytes(), spec, !spec.minus))
}

#[cfg(test)]
mod tests;
