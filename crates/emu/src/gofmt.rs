//! Go's `fmt` printing, byte for byte: `Sprint`, `Sprintln`, `Sprintf` and the message of `Errorf`.
//!
//! This is a port of Go's `fmt/print.go` and `fmt/format.go` (Go 1.26) with
//! the parts of `strconv` they use: the float layouts, quoting and `IsPrint`.
//! It works on [`Value`], a model of the operands fmt receives, and knows
//! nothing of the emulator that decodes them from memory.
//!
//! Float digits come from Rust's formatting, which gives the same shortest
//! round-trip digits as Go's `strconv` (`{:e}`) and the same correctly
//! rounded digits, ties to even, for an explicit precision (`{:.*e}`, `{:.*}`);
//! they are then laid out as `strconv` lays them out. `%v` of a float is
//! `%g` with the shortest digits, so the exponent form starts below 1e-4 and
//! from 1e+06 on (`1e+06`, `123456`, `1.23456789e+08`).
//!
//! Operands fmt would print through a method are modelled by their method's
//! text ([`Value::Error`], [`Value::Stringer`], [`Value::Method`]): the text
//! is printed for `%v %s %q %x %X`, the value underneath for the other verbs
//! and for `%#v`, as Go does. Nothing here panics, whatever the format.

use std::borrow::Cow;

/// A Go value as fmt receives it in an `any` operand, decoded from the program's memory.
///
/// Named types print as their kind does, with their name where fmt shows a
/// type (`%T`, `%#v`, `%!d(main.T=…)`). A struct field that is not exported
/// must be given as its raw value, not as a [`Value::Method`], since fmt does
/// not call methods through unexported fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A signed integer and its type's name: `int`, `int8` … `int64`, or a named type.
    Int { v: i64, ty: &'static str },
    /// An unsigned integer and its type's name: `uint`, `uint8` … `uint64`, `uintptr`.
    Uint { v: u64, ty: &'static str },
    /// A float of 32 or 64 bits; a float32 is widened exactly and printed with float32's shortest digits.
    Float { v: f64, bits: u8 },
    /// A complex number: `bits` 64 for complex64 (float32 parts; 32 is taken the same way), else complex128.
    #[allow(dead_code, reason = "the decoder does not make these yet")]
    Complex { re: f64, im: f64, bits: u8 },
    /// A bool.
    Bool(bool),
    /// A Go string: any bytes, not necessarily UTF-8.
    Str(Vec<u8>),
    /// An untyped nil interface operand; inside a composite, a nil `interface {}`.
    Nil,
    /// A pointer (or `unsafe.Pointer`) and its type's name, e.g. `*int`; printed as its address.
    Pointer { addr: u64, ty: String },
    /// A struct: its type's name (`main.point`) and its fields, in order (an embedded field is named by its type).
    Struct {
        ty: String,
        fields: Vec<(String, Value)>,
    },
    /// A slice or array: its type's name (`[]int`, `[3]uint8`) and its elements.
    Slice { ty: String, elems: Vec<Value> },
    /// An error made by `errors.New` or `fmt.Errorf` without `%w`: a `*errors.errorString` whose `Error` returned these bytes (its address is not known and prints as 0x0).
    Error(Vec<u8>),
    /// A value whose `String` method returned these bytes; what lies under it is not known, so the verbs that bypass the method see the text as a `string`.
    #[allow(dead_code, reason = "the decoder does not make these yet")]
    Stringer(Vec<u8>),
    /// A map: its type's name and its entries in the order fmt prints them (sorted by key, see [`key_order`]).
    Map {
        ty: String,
        entries: Vec<(Value, Value)>,
    },
    /// A non-nil pointer to a struct, array, slice or map: `&{1 2}` as an operand, its address inside a composite.
    Ref {
        addr: u64,
        ty: String,
        target: Box<Value>,
    },
    /// A value whose type has an `Error` method (`error: true`) or a `String` method that returned `text`.
    Method {
        text: Vec<u8>,
        error: bool,
        value: Box<Value>,
    },
    /// A nil interface of the named type (`error`, `interface {}`) inside a struct, slice or map.
    #[allow(dead_code, reason = "the decoder does not make these yet")]
    NilInterface { ty: String },
}

impl Value {
    /// The type's name as `%T` and the error forms print it.
    fn type_name(&self) -> String {
        match self {
            Value::Int { ty, .. } | Value::Uint { ty, .. } => (*ty).to_string(),
            Value::Float { bits, .. } => float_size(*bits).type_name().into(),
            Value::Complex { bits, .. } => if complex_part_size(*bits) == FloatSize::F32 {
                "complex64"
            } else {
                "complex128"
            }
            .into(),
            Value::Bool(_) => "bool".into(),
            Value::Str(_) | Value::Stringer(_) => "string".into(),
            Value::Nil => NIL_ANGLE.into(),
            Value::Error(_) => "*errors.errorString".into(),
            Value::Method { value, .. } => value.type_name(),
            Value::Pointer { ty, .. }
            | Value::Ref { ty, .. }
            | Value::Struct { ty, .. }
            | Value::Slice { ty, .. }
            | Value::Map { ty, .. }
            | Value::NilInterface { ty } => ty.clone(),
        }
    }

    /// The value fmt prints when it does not call a method on it.
    fn underlying(&self) -> Cow<'_, Value> {
        match self {
            Value::Method { value, .. } => value.underlying(),
            Value::Error(text) => Cow::Owned(Value::Ref {
                addr: 0,
                ty: "*errors.errorString".into(),
                target: Box::new(Value::Struct {
                    ty: "errors.errorString".into(),
                    fields: vec![("s".into(), Value::Str(text.clone()))],
                }),
            }),
            Value::Stringer(text) => Cow::Owned(Value::Str(text.clone())),
            _ => Cow::Borrowed(self),
        }
    }

    /// The text of the value's `Error` or `String` method, and whether it is `Error`.
    fn method_text(&self) -> Option<(&[u8], bool)> {
        match self {
            Value::Method { text, error, .. } => Some((text, *error)),
            Value::Error(text) => Some((text, true)),
            Value::Stringer(text) => Some((text, false)),
            _ => None,
        }
    }

    /// Whether the value is of a string kind, which `Sprint` puts no spaces beside.
    fn is_string(&self) -> bool {
        matches!(*self.underlying(), Value::Str(_))
    }

    /// The bytes of a slice or array whose elements are of kind uint8, which `%s %q %x %X` print as a string.
    fn bytes(&self) -> Option<Vec<u8>> {
        let Value::Slice { ty, elems } = self else {
            return None;
        };
        if elems.is_empty() {
            return (ty.ends_with("]uint8") || ty.ends_with("]byte")).then(Vec::new);
        }
        elems
            .iter()
            .map(|e| match e {
                Value::Uint { v, ty } if *ty == "uint8" || *ty == "byte" => u8::try_from(*v).ok(),
                _ => None,
            })
            .collect()
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

/// `fmt.Sprintln`: the operands as `%v` prints them, separated by spaces, then a newline.
///
/// `sprintln(&[Value::Str(b"x".to_vec()), Value::Float { v: 1e6, bits: 64 }])` is `x 1e+06\n`.
pub(crate) fn sprintln(args: &[Value]) -> Vec<u8> {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(b' ');
        }
        p.print_arg(arg, 'v');
    }
    p.buf.push(b'\n');
    p.buf
}

/// `fmt.Sprint`: the operands as `%v` prints them, with a space between two operands when neither is a string.
pub(crate) fn sprint(args: &[Value]) -> Vec<u8> {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = arg.is_string();
        if i > 0 && !is_string && !prev_string {
            p.buf.push(b' ');
        }
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// `fmt.Sprintf`: the format with its verbs replaced by the operands, and Go's error forms (`%!d(string=hi)`, `%!d(MISSING)`, `%!(EXTRA int=1)`).
pub(crate) fn sprintf(format: &[u8], args: &[Value]) -> Vec<u8> {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.buf
}

/// The message of `fmt.Errorf`: as [`sprintf`], except that `%w` prints an error operand as `%v` does.
pub(crate) fn errorf(format: &[u8], args: &[Value]) -> Vec<u8> {
    let mut p = Printer {
        wrap_errs: true,
        ..Printer::default()
    };
    p.do_printf(format, args);
    p.buf
}

/// What fmt prints for a nil operand.
const NIL_ANGLE: &str = "<nil>";

/// The largest width, precision or argument number fmt parses (Go's `tooLarge`).
const TOO_LARGE: i64 = 1_000_000;

/// The flags, width and precision of the verb being printed (Go's `fmtFlags`, `wid` and `prec`).
#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    /// A width was given.
    wid_present: bool,
    /// A precision was given.
    prec_present: bool,
    /// `-`: pad on the right.
    minus: bool,
    /// `+`: always a sign; `%+q` ASCII only.
    plus: bool,
    /// `#`: the alternate form.
    sharp: bool,
    /// ` `: a space for the sign; `% x` spaces between bytes.
    space: bool,
    /// `0`: pad with zeros after the sign.
    zero: bool,
    /// `%+v`: field names.
    plus_v: bool,
    /// `%#v`: Go syntax.
    sharp_v: bool,
    /// The width.
    wid: i64,
    /// The precision.
    prec: i64,
}

/// The state of one printing call (Go's `pp` with its `fmt`).
#[derive(Debug, Default)]
struct Printer {
    /// The output so far.
    buf: Vec<u8>,
    /// The current verb's flags.
    f: Flags,
    /// Printing the operand of a bad verb, where methods are not called.
    erroring: bool,
    /// `Errorf`: `%w` takes an error.
    wrap_errs: bool,
    /// An explicit argument index was seen, which turns off the `EXTRA` report.
    reordered: bool,
    /// The current verb's argument index is valid.
    good_arg_num: bool,
}

/// The digits of an uppercase or lowercase hexadecimal number, with the `x` of its prefix last.
const LDIGITS: &[u8; 17] = b"0123456789abcdefx";
/// The uppercase counterpart of [`LDIGITS`].
const UDIGITS: &[u8; 17] = b"0123456789ABCDEFX";

/// Go's `parsenum`: a decimal number at `start`, whether there was one, and the index after it.
///
/// A number that grows too large is no number, and the whole rest of the format is consumed.
fn parse_num(s: &[u8], start: usize) -> (i64, bool, usize) {
    let mut num: i64 = 0;
    let mut is_num = false;
    let mut i = start;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        if !(-TOO_LARGE..=TOO_LARGE).contains(&num) {
            return (0, false, s.len());
        }
        num = num * 10 + i64::from(c - b'0');
        is_num = true;
        i += 1;
    }
    (num, is_num, i)
}

/// Go's `parseArgNumber` on a format starting with `[`: the zero-based index, the bytes consumed, and whether it parsed.
fn parse_arg_number(format: &[u8]) -> (i64, usize, bool) {
    if format.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..format.len() {
        if format[i] == b']' {
            let (width, ok, newi) = parse_num(&format[..i], 1);
            if !ok || newi != i {
                return (0, i + 1, false);
            }
            return (width - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

/// Go's `intFromArg`: the operand at `arg` as a width or precision, whether it is an integer, and the next operand.
fn int_from_arg(args: &[Value], arg: usize) -> (i64, bool, usize) {
    let Some(a) = args.get(arg) else {
        return (0, false, arg);
    };
    let (num, is_int) = match &*a.underlying() {
        Value::Int { v, .. } => (*v, true),
        Value::Uint { v, .. } => match i64::try_from(*v) {
            Ok(n) => (n, true),
            Err(_) => (0, false),
        },
        _ => (0, false),
    };
    if !(-TOO_LARGE..=TOO_LARGE).contains(&num) {
        return (0, false, arg + 1);
    }
    (num, is_int, arg + 1)
}

impl Printer {
    /// Go's `doPrintf`.
    fn do_printf(&mut self, format: &[u8], args: &[Value]) {
        let end = format.len();
        let mut arg_num: usize = 0;
        let mut after_index;
        self.reordered = false;
        let mut i = 0;
        'format: while i < end {
            self.good_arg_num = true;
            let last = i;
            while i < end && format[i] != b'%' {
                i += 1;
            }
            self.buf.extend_from_slice(&format[last..i]);
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            // Flags, and the fast path for a lowercase verb straight after them.
            while i < end {
                let c = format[i];
                match c {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = true,
                    b'+' => self.f.plus = true,
                    b'-' => self.f.minus = true,
                    b' ' => self.f.space = true,
                    _ => {
                        if c.is_ascii_lowercase() && arg_num < args.len() {
                            if c == b'v' || c == b'w' {
                                self.move_v_flags();
                            }
                            self.print_arg(&args[arg_num], char::from(c));
                            arg_num += 1;
                            i += 1;
                            continue 'format;
                        }
                        break;
                    }
                }
                i += 1;
            }
            (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());
            if i < end && format[i] == b'*' {
                i += 1;
                (self.f.wid, self.f.wid_present, arg_num) = int_from_arg(args, arg_num);
                if !self.f.wid_present {
                    self.buf.extend_from_slice(b"%!(BADWIDTH)");
                }
                if self.f.wid < 0 {
                    self.f.wid = -self.f.wid;
                    self.f.minus = true;
                    self.f.zero = false;
                }
                after_index = false;
            } else {
                (self.f.wid, self.f.wid_present, i) = parse_num(format, i);
                if after_index && self.f.wid_present {
                    self.good_arg_num = false;
                }
            }
            if i + 1 < end && format[i] == b'.' {
                i += 1;
                if after_index {
                    self.good_arg_num = false;
                }
                (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());
                if i < end && format[i] == b'*' {
                    i += 1;
                    (self.f.prec, self.f.prec_present, arg_num) = int_from_arg(args, arg_num);
                    if self.f.prec < 0 {
                        self.f.prec = 0;
                        self.f.prec_present = false;
                    }
                    if !self.f.prec_present {
                        self.buf.extend_from_slice(b"%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    (self.f.prec, self.f.prec_present, i) = parse_num(format, i);
                    if !self.f.prec_present {
                        self.f.prec = 0;
                        self.f.prec_present = true;
                    }
                }
            }
            if !after_index {
                (arg_num, i, _) = self.arg_number(arg_num, format, i, args.len());
            }
            if i >= end {
                self.buf.extend_from_slice(b"%!(NOVERB)");
                break;
            }
            let (verb, size) = decode_rune(&format[i..]);
            i += size;
            match (verb, args.get(arg_num)) {
                ('%', _) => self.buf.push(b'%'),
                _ if !self.good_arg_num => self.bad_arg(verb, "(BADINDEX)"),
                (_, None) => self.bad_arg(verb, "(MISSING)"),
                (_, Some(arg)) => {
                    if verb == 'v' || verb == 'w' {
                        self.move_v_flags();
                    }
                    self.print_arg(arg, verb);
                    arg_num += 1;
                }
            }
        }
        if !self.reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.buf.extend_from_slice(b"%!(EXTRA ");
            for (k, arg) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.buf.extend_from_slice(b", ");
                }
                if matches!(arg, Value::Nil | Value::NilInterface { .. }) {
                    self.buf.extend_from_slice(NIL_ANGLE.as_bytes());
                } else {
                    self.buf.extend_from_slice(arg.type_name().as_bytes());
                    self.buf.push(b'=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(b')');
        }
    }

    /// For `%v`, `+` and `#` ask for field names and Go syntax rather than a sign and a prefix.
    fn move_v_flags(&mut self) {
        self.f.sharp_v = std::mem::take(&mut self.f.sharp);
        self.f.plus_v = std::mem::take(&mut self.f.plus);
    }

    /// Go's `argNumber`: an explicit `[n]` index at `i`, the index after it, and whether one was found.
    fn arg_number(
        &mut self,
        arg_num: usize,
        format: &[u8],
        i: usize,
        num_args: usize,
    ) -> (usize, usize, bool) {
        if format.get(i) != Some(&b'[') {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let (index, wid, ok) = parse_arg_number(&format[i..]);
        if ok
            && let Ok(index) = usize::try_from(index)
            && index < num_args
        {
            return (index, i + wid, true);
        }
        self.good_arg_num = false;
        (arg_num, i + wid, ok)
    }

    /// A verb with a bad index or no operand: `%!d(BADINDEX)`, `%!d(MISSING)`.
    fn bad_arg(&mut self, verb: char, what: &str) {
        self.buf.extend_from_slice(b"%!");
        push_rune(&mut self.buf, verb);
        self.buf.extend_from_slice(what.as_bytes());
    }

    /// Go's `badVerb`: `%!z(int=1)`, or `%!z(<nil>)` for no value.
    fn bad_verb(&mut self, verb: char, value: Option<&Value>) {
        self.erroring = true;
        self.buf.extend_from_slice(b"%!");
        push_rune(&mut self.buf, verb);
        self.buf.push(b'(');
        match value {
            Some(v) => {
                self.buf.extend_from_slice(v.type_name().as_bytes());
                self.buf.push(b'=');
                self.print_value(v, 'v', 0);
            }
            None => self.buf.extend_from_slice(NIL_ANGLE.as_bytes()),
        }
        self.buf.push(b')');
        self.erroring = false;
    }

    /// Go's `printArg`: one operand with one verb.
    fn print_arg(&mut self, arg: &Value, verb: char) {
        if matches!(arg, Value::Nil | Value::NilInterface { .. }) {
            match verb {
                'T' | 'v' => self.pad(NIL_ANGLE.as_bytes()),
                _ => self.bad_verb(verb, None),
            }
            return;
        }
        match verb {
            'T' => {
                self.fmt_s(arg.type_name().as_bytes());
                return;
            }
            'p' => {
                self.fmt_pointer(&arg.underlying(), 'p');
                return;
            }
            _ => {}
        }
        match arg {
            Value::Bool(_)
            | Value::Int { .. }
            | Value::Uint { .. }
            | Value::Float { .. }
            | Value::Complex { .. }
            | Value::Str(_) => self.print_value(arg, verb, 0),
            Value::Slice { ty, .. } if ty == "[]uint8" => match arg.bytes() {
                Some(bytes) => self.fmt_bytes(&bytes, verb, "[]byte", arg),
                None => self.print_value(arg, verb, 0),
            },
            _ => {
                if !self.handle_methods(arg, verb) {
                    self.print_value(arg, verb, 0);
                }
            }
        }
    }

    /// Go's `handleMethods`: prints the text of an `Error` or `String` method where fmt calls it, and says whether it did.
    fn handle_methods(&mut self, arg: &Value, verb: char) -> bool {
        if self.erroring {
            return false;
        }
        let method = arg.method_text();
        let mut verb = verb;
        if verb == 'w' {
            if !self.wrap_errs || !matches!(method, Some((_, true))) {
                match &*arg.underlying() {
                    Value::Nil | Value::NilInterface { .. } => self.bad_verb('w', None),
                    shown => self.bad_verb('w', Some(shown)),
                }
                return true;
            }
            verb = 'v';
        }
        if self.f.sharp_v {
            return false;
        }
        match (verb, method) {
            ('v' | 's' | 'x' | 'X' | 'q', Some((text, _))) => {
                self.fmt_string(text, verb, arg);
                true
            }
            _ => false,
        }
    }

    /// Go's `printValue`: a value with one verb, `depth` levels inside the operand.
    fn print_value(&mut self, value: &Value, verb: char, depth: usize) {
        if depth > 0 && self.handle_methods(value, verb) {
            return;
        }
        let u = value.underlying();
        match &*u {
            Value::Nil | Value::NilInterface { .. } => {
                if self.f.sharp_v {
                    let ty = match &*u {
                        Value::NilInterface { ty } => ty.as_str(),
                        _ => "interface {}",
                    };
                    self.buf.extend_from_slice(ty.as_bytes());
                    self.buf.extend_from_slice(b"(nil)");
                } else {
                    self.buf.extend_from_slice(NIL_ANGLE.as_bytes());
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { b"true" } else { b"false" }),
                _ => self.bad_verb(verb, Some(&u)),
            },
            Value::Int { v, .. } => self.fmt_integer(*v as u64, true, verb, &u),
            Value::Uint { v, .. } => self.fmt_integer(*v, false, verb, &u),
            Value::Float { v, bits } => self.fmt_float(*v, float_size(*bits), verb, &u),
            Value::Complex { re, im, bits } => {
                self.fmt_complex(*re, *im, complex_part_size(*bits), verb, &u);
            }
            Value::Str(s) => self.fmt_string(s, verb, &u),
            Value::Map { ty, entries } => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(ty.as_bytes());
                    self.buf.push(b'{');
                } else {
                    self.buf.extend_from_slice(b"map[");
                }
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.separator();
                    }
                    self.print_value(k, verb, depth + 1);
                    self.buf.push(b':');
                    self.print_value(v, verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { b'}' } else { b']' });
            }
            Value::Struct { ty, fields } => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(ty.as_bytes());
                }
                self.buf.push(b'{');
                for (i, (name, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.separator();
                    }
                    if (self.f.plus_v || self.f.sharp_v) && !name.is_empty() {
                        self.buf.extend_from_slice(name.as_bytes());
                        self.buf.push(b':');
                    }
                    self.print_value(v, verb, depth + 1);
                }
                self.buf.push(b'}');
            }
            Value::Slice { ty, elems } => {
                if matches!(verb, 's' | 'q' | 'x' | 'X')
                    && let Some(bytes) = u.bytes()
                {
                    self.fmt_bytes(&bytes, verb, ty, &u);
                    return;
                }
                if self.f.sharp_v {
                    self.buf.extend_from_slice(ty.as_bytes());
                    self.buf.push(b'{');
                } else {
                    self.buf.push(b'[');
                }
                for (i, e) in elems.iter().enumerate() {
                    if i > 0 {
                        self.separator();
                    }
                    self.print_value(e, verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { b'}' } else { b']' });
            }
            Value::Ref { target, .. }
                if depth == 0
                    && matches!(
                        *target.underlying(),
                        Value::Struct { .. } | Value::Slice { .. } | Value::Map { .. }
                    ) =>
            {
                self.buf.push(b'&');
                self.print_value(target, verb, depth + 1);
            }
            Value::Ref { .. } | Value::Pointer { .. } => self.fmt_pointer(&u, verb),
            // The underlying value is never a method's wrapper.
            Value::Error(_) | Value::Stringer(_) | Value::Method { .. } => {}
        }
    }

    /// The separator of elements and fields: `, ` in Go syntax, else a space.
    fn separator(&mut self) {
        if self.f.sharp_v {
            self.buf.extend_from_slice(b", ");
        } else {
            self.buf.push(b' ');
        }
    }

    /// Go's `fmtPointer`: a pointer's address with `%p`, `%v` and the integer verbs.
    fn fmt_pointer(&mut self, value: &Value, verb: char) {
        let (addr, ty) = match value {
            Value::Pointer { addr, ty } | Value::Ref { addr, ty, .. } => (*addr, ty.as_str()),
            // Slices and maps are pointers to fmt, but their addresses are not in the model.
            Value::Slice { ty, .. } | Value::Map { ty, .. } => (0, ty.as_str()),
            _ => {
                self.bad_verb(verb, Some(value));
                return;
            }
        };
        match verb {
            'v' => {
                if self.f.sharp_v {
                    self.buf.push(b'(');
                    self.buf.extend_from_slice(ty.as_bytes());
                    self.buf.extend_from_slice(b")(");
                    if addr == 0 {
                        self.buf.extend_from_slice(b"nil");
                    } else {
                        self.fmt_0x64(addr, true);
                    }
                    self.buf.push(b')');
                } else if addr == 0 {
                    self.pad(NIL_ANGLE.as_bytes());
                } else {
                    self.fmt_0x64(addr, !self.f.sharp);
                }
            }
            'p' => self.fmt_0x64(addr, !self.f.sharp),
            'b' | 'o' | 'd' | 'x' | 'X' => self.fmt_integer(addr, false, verb, value),
            _ => self.bad_verb(verb, Some(value)),
        }
    }

    /// Go's `fmt0x64`: hexadecimal, with or without the `0x`.
    fn fmt_0x64(&mut self, v: u64, leading_0x: bool) {
        let sharp = self.f.sharp;
        self.f.sharp = leading_0x;
        self.fmt_int_base(v, 16, false, 'v', LDIGITS);
        self.f.sharp = sharp;
    }

    /// Go's `pp.fmtInteger`: an integer with one verb.
    fn fmt_integer(&mut self, v: u64, signed: bool, verb: char, value: &Value) {
        match verb {
            'v' if self.f.sharp_v && !signed => self.fmt_0x64(v, true),
            'v' | 'd' => self.fmt_int_base(v, 10, signed, verb, LDIGITS),
            'b' => self.fmt_int_base(v, 2, signed, verb, LDIGITS),
            'o' | 'O' => self.fmt_int_base(v, 8, signed, verb, LDIGITS),
            'x' => self.fmt_int_base(v, 16, signed, verb, LDIGITS),
            'X' => self.fmt_int_base(v, 16, signed, verb, UDIGITS),
            'c' => {
                let mut b = Vec::new();
                push_rune(&mut b, rune_of(v));
                self.pad(&b);
            }
            'q' => {
                let q = quote_rune(rune_of(v), self.f.plus);
                self.pad(&q);
            }
            'U' => self.fmt_unicode(v),
            _ => self.bad_verb(verb, Some(value)),
        }
    }

    /// Go's `fmtBytes`: a `[]byte` or another slice or array of bytes.
    fn fmt_bytes(&mut self, v: &[u8], verb: char, type_string: &str, value: &Value) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    self.buf.extend_from_slice(type_string.as_bytes());
                    self.buf.push(b'{');
                    for (i, &c) in v.iter().enumerate() {
                        if i > 0 {
                            self.buf.extend_from_slice(b", ");
                        }
                        self.fmt_0x64(u64::from(c), true);
                    }
                    self.buf.push(b'}');
                } else {
                    self.buf.push(b'[');
                    for (i, &c) in v.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(b' ');
                        }
                        self.fmt_int_base(u64::from(c), 10, false, verb, LDIGITS);
                    }
                    self.buf.push(b']');
                }
            }
            's' => {
                let t = self.truncate(v);
                self.pad(t);
            }
            'x' => self.fmt_sbx(v, LDIGITS),
            'X' => self.fmt_sbx(v, UDIGITS),
            'q' => self.fmt_q(v),
            // Other verbs print the elements one by one.
            _ => self.print_value(value, verb, 0),
        }
    }

    /// Go's `fmtString`: a string with one verb.
    fn fmt_string(&mut self, s: &[u8], verb: char, value: &Value) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sbx(s, LDIGITS),
            'X' => self.fmt_sbx(s, UDIGITS),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, Some(value)),
        }
    }

    /// Go's `pp.fmtFloat`: a float with one verb and its default precision.
    fn fmt_float(&mut self, v: f64, size: FloatSize, verb: char, value: &Value) {
        match verb {
            'v' => self.fmt_float_with(v, size, b'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_with(v, size, verb as u8, -1),
            'f' | 'e' | 'E' => self.fmt_float_with(v, size, verb as u8, 6),
            'F' => self.fmt_float_with(v, size, b'f', 6),
            _ => self.bad_verb(verb, Some(value)),
        }
    }

    /// Go's `fmtComplex`: `(re+imi)`, each part formatted with the verb, the imaginary one always signed.
    fn fmt_complex(&mut self, re: f64, im: f64, size: FloatSize, verb: char, value: &Value) {
        match verb {
            'v' | 'b' | 'g' | 'G' | 'x' | 'X' | 'f' | 'F' | 'e' | 'E' => {
                let old_plus = self.f.plus;
                self.buf.push(b'(');
                self.fmt_float(re, size, verb, value);
                self.f.plus = true;
                self.fmt_float(im, size, verb, value);
                self.buf.extend_from_slice(b"i)");
                self.f.plus = old_plus;
            }
            _ => self.bad_verb(verb, Some(value)),
        }
    }

    /// Go's `writePadding`: `n` bytes of padding, zeros when zero padding applies.
    fn write_padding(&mut self, n: i64) {
        if n <= 0 {
            return;
        }
        let byte = if self.f.zero && !self.f.minus {
            b'0'
        } else {
            b' '
        };
        self.buf
            .extend(std::iter::repeat_n(byte, usize::try_from(n).unwrap_or(0)));
    }

    /// Go's `pad`: `b` padded to the width on the left, or on the right with `-`.
    fn pad(&mut self, b: &[u8]) {
        if !self.f.wid_present || self.f.wid == 0 {
            self.buf.extend_from_slice(b);
            return;
        }
        let width = self.f.wid - rune_count(b) as i64;
        if self.f.minus {
            self.buf.extend_from_slice(b);
            self.write_padding(width);
        } else {
            self.write_padding(width);
            self.buf.extend_from_slice(b);
        }
    }

    /// Go's `fmtUnicode`: `U+0078`, or `U+0078 'x'` with `#`.
    fn fmt_unicode(&mut self, u: u64) {
        let mut prec = 4;
        if self.f.prec_present && self.f.prec > 4 {
            prec = self.f.prec;
        }
        let hex = format!("{u:X}");
        let mut out = b"U+".to_vec();
        out.extend(std::iter::repeat_n(
            b'0',
            usize::try_from(prec - hex.len() as i64).unwrap_or(0),
        ));
        out.extend_from_slice(hex.as_bytes());
        if self.f.sharp
            && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
            && is_print(c)
        {
            out.extend_from_slice(b" '");
            push_rune(&mut out, c);
            out.push(b'\'');
        }
        let old_zero = self.f.zero;
        self.f.zero = false;
        self.pad(&out);
        self.f.zero = old_zero;
    }

    /// Go's `fmt.fmtInteger`: an integer in a base, with precision, prefixes, sign and padding.
    fn fmt_int_base(&mut self, u: u64, base: u64, signed: bool, verb: char, digits: &[u8; 17]) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative { u.wrapping_neg() } else { u };
        let mut prec: i64 = 0;
        if self.f.prec_present {
            prec = self.f.prec;
            // A precision of 0 and a value of 0 print nothing but the padding.
            if prec == 0 && u == 0 {
                let old_zero = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid);
                self.f.zero = old_zero;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid_present {
            prec = self.f.wid;
            if negative || self.f.plus || self.f.space {
                prec -= 1;
            }
        }
        // The digits, least significant first.
        let mut rev = Vec::new();
        loop {
            rev.push(digits[(u % base) as usize]);
            u /= base;
            if u == 0 {
                break;
            }
        }
        while (rev.len() as i64) < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => rev.extend_from_slice(&[digits[16], b'0']),
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        // Zero padding was done above as a precision, or is ignored beside an explicit one.
        let old_zero = self.f.zero;
        self.f.zero = false;
        self.pad(&rev);
        self.f.zero = old_zero;
    }

    /// Go's `truncate`: `s` cut to the precision, counted in runes.
    fn truncate<'a>(&self, s: &'a [u8]) -> &'a [u8] {
        if self.f.prec_present {
            let mut n = self.f.prec;
            let mut i = 0;
            while i < s.len() {
                n -= 1;
                if n < 0 {
                    return &s[..i];
                }
                i += decode_rune(&s[i..]).1;
            }
        }
        s
    }

    /// Go's `fmtS`: a string cut to the precision and padded.
    fn fmt_s(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        self.pad(s);
    }

    /// Go's `fmtSbx`: the bytes in hexadecimal, with `#` prefixes and `' '` separators.
    fn fmt_sbx(&mut self, s: &[u8], digits: &[u8; 17]) {
        let mut length = s.len() as i64;
        if self.f.prec_present && self.f.prec < length {
            length = self.f.prec;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if self.f.wid_present {
                self.write_padding(self.f.wid);
            }
            return;
        }
        if self.f.wid_present && self.f.wid > width && !self.f.minus {
            self.write_padding(self.f.wid - width);
        }
        if self.f.sharp {
            self.buf.extend_from_slice(&[b'0', digits[16]]);
        }
        for (i, &c) in s
            .iter()
            .take(usize::try_from(length).unwrap_or(0))
            .enumerate()
        {
            if self.f.space && i > 0 {
                self.buf.push(b' ');
                if self.f.sharp {
                    self.buf.extend_from_slice(&[b'0', digits[16]]);
                }
            }
            self.buf
                .extend_from_slice(&[digits[usize::from(c >> 4)], digits[usize::from(c & 0xf)]]);
        }
        if self.f.wid_present && self.f.wid > width && self.f.minus {
            self.write_padding(self.f.wid - width);
        }
    }

    /// Go's `fmtQ`: a double-quoted Go string, or a raw one with `#` where it can be.
    fn fmt_q(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        if self.f.sharp && can_backquote(s) {
            let mut q = vec![b'`'];
            q.extend_from_slice(s);
            q.push(b'`');
            self.pad(&q);
            return;
        }
        let q = quote(s, self.f.plus);
        self.pad(&q);
    }

    /// Go's `fmt.fmtFloat`: a float laid out by `strconv` in format `verb`, then signed, completed by `#` and padded.
    fn fmt_float_with(&mut self, v: f64, size: FloatSize, verb: u8, prec: i64) {
        let prec = if self.f.prec_present {
            self.f.prec
        } else {
            prec
        };
        let s = format_float(v, verb, prec, size);
        let mut num = if matches!(s.first(), Some(b'-' | b'+')) {
            s
        } else {
            let mut n = vec![b'+'];
            n.extend_from_slice(&s);
            n
        };
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        // Infinities and NaN are not numbers to pad with zeros; NaN has a sign only when asked.
        if matches!(num.get(1), Some(b'I' | b'N')) {
            let old_zero = self.f.zero;
            self.f.zero = false;
            if num.get(1) == Some(&b'N') && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad(&num);
            self.f.zero = old_zero;
            return;
        }
        // `#` keeps a decimal point and the trailing zeros `%g` would drop.
        if self.f.sharp && verb != b'b' {
            let mut digits: i64 = 0;
            if matches!(verb, b'v' | b'g' | b'G' | b'x') {
                digits = if prec == -1 { 6 } else { prec };
            }
            let mut tail = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                    }
                    b'e' | b'E' if verb != b'x' && verb != b'X' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_point {
                // A lone leading zero counts as a digit.
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend_from_slice(&tail);
        }
        if self.f.plus || num[0] != b'+' {
            // With zero padding the sign goes before the zeros.
            if self.f.zero && !self.f.minus && self.f.wid_present && self.f.wid > num.len() as i64 {
                self.buf.push(num[0]);
                self.write_padding(self.f.wid - num.len() as i64);
                self.buf.extend_from_slice(&num[1..]);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }
}

/// The size of a float: which shortest digits it has, and how `%b` and `%x` see its bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FloatSize {
    /// float32.
    F32,
    /// float64.
    F64,
}

impl FloatSize {
    /// The Go type's name.
    fn type_name(self) -> &'static str {
        match self {
            FloatSize::F32 => "float32",
            FloatSize::F64 => "float64",
        }
    }
}

/// The size of a [`Value::Float`]'s `bits`: 32 is float32, anything else float64.
fn float_size(bits: u8) -> FloatSize {
    if bits == 32 {
        FloatSize::F32
    } else {
        FloatSize::F64
    }
}

/// The size of a [`Value::Complex`]'s parts: complex64 (`bits` 64, or 32) has float32 parts.
fn complex_part_size(bits: u8) -> FloatSize {
    if bits == 64 || bits == 32 {
        FloatSize::F32
    } else {
        FloatSize::F64
    }
}

/// Decimal digits with no leading or trailing zeros and the decimal point's place: `0.d × 10^dp` (Go's `decimalSlice`).
#[derive(Debug, Default)]
struct Digits {
    /// The digits, as ASCII; empty for zero.
    d: Vec<u8>,
    /// Where the decimal point goes, counted from the first digit.
    dp: i64,
}

impl Digits {
    /// The number of digits.
    fn nd(&self) -> i64 {
        self.d.len() as i64
    }

    /// The digit at `i`, `0` outside the digits.
    fn at(&self, i: i64) -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.d.get(i))
            .copied()
            .unwrap_or(b'0')
    }

    /// Parses Rust's exponent form (`1.2345e-7`) of a non-negative number.
    fn from_exp(s: &str) -> Digits {
        let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let int_len = mant.find('.').unwrap_or(mant.len()) as i64;
        Digits::from_parts(
            mant.bytes().filter(u8::is_ascii_digit).collect(),
            int_len + exp,
        )
    }

    /// Parses Rust's fixed form (`123.4500`) of a non-negative number.
    fn from_fixed(s: &str) -> Digits {
        let int_len = s.find('.').unwrap_or(s.len()) as i64;
        Digits::from_parts(s.bytes().filter(u8::is_ascii_digit).collect(), int_len)
    }

    /// Digits with the point after `dp` of them, leading and trailing zeros dropped.
    fn from_parts(mut d: Vec<u8>, mut dp: i64) -> Digits {
        let lead = d.iter().take_while(|&&c| c == b'0').count();
        d.drain(..lead);
        dp -= lead as i64;
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            dp = 0;
        }
        Digits { d, dp }
    }
}

/// Precisions past which `{:.*e}` (significant digits) and `{:.*}` (fraction digits) of a float only add zeros.
const EXP_DIGITS_LIMIT: i64 = 800;
/// See [`EXP_DIGITS_LIMIT`]: a float64 has at most 1074 fraction digits.
const FIXED_DIGITS_LIMIT: i64 = 1100;

/// Go's `strconv.FormatFloat(v, fmt, prec, size)`.
fn format_float(v: f64, fmt: u8, prec: i64, size: FloatSize) -> Vec<u8> {
    let (bits, exp_bits, mant_bits, bias): (u64, u32, u32, i64) = match size {
        FloatSize::F32 => (u64::from((v as f32).to_bits()), 8, 23, -127),
        FloatSize::F64 => (v.to_bits(), 11, 52, -1023),
    };
    let neg = bits >> (exp_bits + mant_bits) != 0;
    let mut exp = ((bits >> mant_bits) & ((1 << exp_bits) - 1)) as i64;
    let mut mant = bits & ((1 << mant_bits) - 1);
    if exp == (1 << exp_bits) - 1 {
        let s: &[u8] = if mant != 0 {
            b"NaN"
        } else if neg {
            b"-Inf"
        } else {
            b"+Inf"
        };
        return s.to_vec();
    }
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << mant_bits;
    }
    exp += bias;
    match fmt {
        b'b' => return fmt_b(neg, mant, exp - i64::from(mant_bits)),
        b'x' | b'X' => return fmt_x(prec, fmt, neg, mant, exp, mant_bits),
        _ => {}
    }
    // The magnitude, at its own size: a float32 is exact in an f64.
    let a = match size {
        FloatSize::F32 => f64::from((v as f32).abs()),
        FloatSize::F64 => v.abs(),
    };
    let shortest = prec < 0;
    if mant == 0 {
        return format_digits(shortest, neg, &Digits::default(), prec, fmt);
    }
    let mut prec = prec;
    let digs = if shortest {
        let digs = shortest_digits(a, size);
        prec = match fmt {
            b'e' | b'E' => digs.nd() - 1,
            b'f' => (digs.nd() - digs.dp).max(0),
            _ => digs.nd(),
        };
        digs
    } else {
        match fmt {
            b'f' => Digits::from_fixed(&format!("{:.*}", clamp_prec(prec, FIXED_DIGITS_LIMIT), a)),
            b'e' | b'E' => {
                Digits::from_exp(&format!("{:.*e}", clamp_prec(prec, EXP_DIGITS_LIMIT), a))
            }
            b'g' | b'G' => {
                if prec == 0 {
                    prec = 1;
                }
                Digits::from_exp(&format!(
                    "{:.*e}",
                    clamp_prec(prec - 1, EXP_DIGITS_LIMIT),
                    a
                ))
            }
            _ => Digits::default(),
        }
    };
    format_digits(shortest, neg, &digs, prec, fmt)
}

/// The shortest digits that read back as `a` and, of those, the nearest to it, an exact tie going to the even digit as in Go.
///
/// Rust's `{:e}` gives the shortest nearest digits but breaks a tie upwards:
/// float32 1555587.25 is `1.5555873e6` there and `1.5555872e+06` in Go.
/// Go's Dragonbox breaks ties to even except at powers of two, where it
/// rounds up (float32 2^-12 is `0.00024414063`) but at float64 2^-25.
fn shortest_digits(a: f64, size: FloatSize) -> Digits {
    let digs = Digits::from_exp(&match size {
        FloatSize::F32 => format!("{:e}", a as f32),
        FloatSize::F64 => format!("{a:e}"),
    });
    let n = digs.d.len();
    // At a power of two Go, as Rust, breaks a tie upwards, except at 2^-25 in float64.
    let power_of_two = match size {
        FloatSize::F32 => (a as f32).is_normal() && (a as f32).to_bits() & 0x7f_ffff == 0,
        FloatSize::F64 => a.is_normal() && a.to_bits() & 0xf_ffff_ffff_ffff == 0,
    };
    if power_of_two && !(size == FloatSize::F64 && a == 2f64.powi(-25)) {
        return digs;
    }
    // Only an odd last digit can be the wrong side of a tie.
    if digs
        .d
        .last()
        .is_none_or(|c| matches!(c, b'0' | b'2' | b'4' | b'6' | b'8'))
    {
        return digs;
    }
    // A tie is exactly one digit more, a 5; two more digits ending in 50 come first, cheaply.
    let near = Digits::from_exp(&format!("{:.*e}", n + 1, a));
    if near.d.len() != n + 1 || near.d.last() != Some(&b'5') {
        return digs;
    }
    let exact = Digits::from_exp(&format!(
        "{:.*e}",
        clamp_prec(EXP_DIGITS_LIMIT, EXP_DIGITS_LIMIT),
        a
    ));
    if exact.d.len() != n + 1 || exact.d.last() != Some(&b'5') {
        return digs;
    }
    // The candidates on either side of the tie: the exact digits cut, and one unit more.
    let lower = exact.d[..n].to_vec();
    let mut upper = lower.clone();
    let mut upper_dp = exact.dp;
    match upper.iter().rposition(|&c| c != b'9') {
        Some(i) => {
            upper[i] += 1;
            upper.truncate(i + 1);
        }
        None => {
            upper = vec![b'1'];
            upper_dp += 1;
        }
    }
    let lower_dp = exact.dp;
    let other = if digs.d == lower && digs.dp == lower_dp {
        Digits::from_parts(upper, upper_dp)
    } else {
        Digits::from_parts(lower, lower_dp)
    };
    // The even neighbour is Go's choice only if it too reads back as the value.
    let text = format!("0.{}e{}", String::from_utf8_lossy(&other.d), other.dp);
    let reads_back = match size {
        FloatSize::F32 => text.parse::<f32>().is_ok_and(|x| x == a as f32),
        FloatSize::F64 => text.parse::<f64>().is_ok_and(|x| x == a),
    };
    if reads_back { other } else { digs }
}

/// A precision for Rust's formatting, capped where more digits would all be zeros.
fn clamp_prec(prec: i64, limit: i64) -> usize {
    usize::try_from(prec.clamp(0, limit)).unwrap_or(0)
}

/// Go's `formatDigits`: the digits laid out as `%e`, `%f` or `%g`.
fn format_digits(shortest: bool, neg: bool, digs: &Digits, prec: i64, fmt: u8) -> Vec<u8> {
    match fmt {
        b'e' | b'E' => fmt_e(neg, digs, prec, fmt),
        b'f' => fmt_f(neg, digs, prec),
        b'g' | b'G' => {
            let mut prec = prec;
            let mut eprec = prec;
            if eprec > digs.nd() && digs.nd() >= digs.dp {
                eprec = digs.nd();
            }
            // The shortest digits switch to the exponent form as %g with precision 6 would.
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            if exp < -4 || exp >= eprec {
                if prec > digs.nd() {
                    prec = digs.nd();
                }
                return fmt_e(neg, digs, prec - 1, fmt + b'e' - b'g');
            }
            if prec > digs.dp {
                prec = digs.nd();
            }
            fmt_f(neg, digs, (prec - digs.dp).max(0))
        }
        _ => vec![b'%', fmt],
    }
}

/// Go's `fmtE`: `-d.dddde±dd`.
fn fmt_e(neg: bool, digs: &Digits, prec: i64, fmt: u8) -> Vec<u8> {
    let mut out = Vec::new();
    if neg {
        out.push(b'-');
    }
    out.push(digs.at(0));
    if prec > 0 {
        out.push(b'.');
        for i in 1..=prec {
            out.push(digs.at(i));
        }
    }
    out.push(fmt);
    let exp = if digs.d.is_empty() { 0 } else { digs.dp - 1 };
    out.push(if exp < 0 { b'-' } else { b'+' });
    out.extend_from_slice(format!("{:02}", exp.unsigned_abs()).as_bytes());
    out
}

/// Go's `fmtF`: `-ddd.dddd`.
fn fmt_f(neg: bool, digs: &Digits, prec: i64) -> Vec<u8> {
    let mut out = Vec::new();
    if neg {
        out.push(b'-');
    }
    if digs.dp > 0 {
        for i in 0..digs.dp {
            out.push(digs.at(i));
        }
    } else {
        out.push(b'0');
    }
    if prec > 0 {
        out.push(b'.');
        for i in 0..prec {
            out.push(digs.at(digs.dp + i));
        }
    }
    out
}

/// Go's `fmtB`: `-ddddp±ddd`, the mantissa and binary exponent in decimal.
fn fmt_b(neg: bool, mant: u64, exp: i64) -> Vec<u8> {
    let sign = if neg { "-" } else { "" };
    let esign = if exp >= 0 { "+" } else { "" };
    format!("{sign}{mant}p{esign}{exp}").into_bytes()
}

/// Go's `fmtX`: `-0x1.yyyyp±dd`, a hexadecimal fraction and a binary exponent.
fn fmt_x(prec: i64, fmt: u8, neg: bool, mant: u64, exp: i64, mant_bits: u32) -> Vec<u8> {
    let mut mant = mant;
    let mut exp = if mant == 0 { 0 } else { exp };
    // The leading 1, if any, at bit 60.
    mant <<= 60 - mant_bits;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 17] = if fmt == b'X' { UDIGITS } else { LDIGITS };
    let mut out = Vec::new();
    if neg {
        out.push(b'-');
    }
    out.extend_from_slice(&[b'0', fmt, b'0' + ((mant >> 60) & 1) as u8]);
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push(b'.');
        while mant != 0 {
            out.push(hex[((mant >> 60) & 15) as usize]);
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push(b'.');
        for _ in 0..prec {
            out.push(hex[((mant >> 60) & 15) as usize]);
            mant <<= 4;
        }
    }
    out.push(if fmt == b'X' { b'P' } else { b'p' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    out.extend_from_slice(format!("{:02}", exp.unsigned_abs()).as_bytes());
    out
}

/// Go's `utf8.DecodeRune`: the first rune and its length; an invalid byte is U+FFFD of length 1.
fn decode_rune(s: &[u8]) -> (char, usize) {
    const ERROR: (char, usize) = (char::REPLACEMENT_CHARACTER, 1);
    let Some(&b0) = s.first() else {
        return (char::REPLACEMENT_CHARACTER, 0);
    };
    if b0 < 0x80 {
        return (char::from(b0), 1);
    }
    // The length and the range of the second byte, as UTF-8 allows them.
    let (len, lo, hi) = match b0 {
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0 => (3, 0xa0, 0xbf),
        0xe1..=0xec | 0xee..=0xef => (3, 0x80, 0xbf),
        0xed => (3, 0x80, 0x9f),
        0xf0 => (4, 0x90, 0xbf),
        0xf1..=0xf3 => (4, 0x80, 0xbf),
        0xf4 => (4, 0x80, 0x8f),
        _ => return ERROR,
    };
    let Some(seq) = s.get(..len) else {
        return ERROR;
    };
    if !(lo..=hi).contains(&seq[1]) || seq[2..].iter().any(|&b| !(0x80..=0xbf).contains(&b)) {
        return ERROR;
    }
    match std::str::from_utf8(seq).ok().and_then(|t| t.chars().next()) {
        Some(c) => (c, len),
        None => ERROR,
    }
}

/// Go's `utf8.RuneCount`: runes in `s`, an invalid byte counting as one.
fn rune_count(s: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < s.len() {
        i += decode_rune(&s[i..]).1;
        n += 1;
    }
    n
}

/// Appends a rune as UTF-8.
fn push_rune(out: &mut Vec<u8>, c: char) {
    let mut b = [0; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

/// The rune of an integer for `%c` and `%q`: U+FFFD when it is not a valid code point.
fn rune_of(v: u64) -> char {
    u32::try_from(v)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Go's `strconv.Quote` (or `QuoteToASCII`): a double-quoted string, invalid bytes as `\xff`.
fn quote(s: &[u8], ascii: bool) -> Vec<u8> {
    let mut out = vec![b'"'];
    let mut i = 0;
    while i < s.len() {
        let (c, width) = decode_rune(&s[i..]);
        if width == 1 && c == char::REPLACEMENT_CHARACTER {
            out.extend_from_slice(b"\\x");
            out.push(LDIGITS[usize::from(s[i] >> 4)]);
            out.push(LDIGITS[usize::from(s[i] & 0xf)]);
        } else {
            escape_rune(&mut out, c, b'"', ascii);
        }
        i += width;
    }
    out.push(b'"');
    out
}

/// Go's `strconv.QuoteRune` (or `QuoteRuneToASCII`): a single-quoted rune.
fn quote_rune(c: char, ascii: bool) -> Vec<u8> {
    let mut out = vec![b'\''];
    escape_rune(&mut out, c, b'\'', ascii);
    out.push(b'\'');
    out
}

/// Go's `appendEscapedRune`: a rune inside a quoted literal.
fn escape_rune(out: &mut Vec<u8>, c: char, quote: u8, ascii: bool) {
    if c == char::from(quote) || c == '\\' {
        out.push(b'\\');
        push_rune(out, c);
        return;
    }
    if if ascii {
        c.is_ascii() && is_print(c)
    } else {
        is_print(c)
    } {
        push_rune(out, c);
        return;
    }
    let code = u32::from(c);
    let escaped = match c {
        '\x07' => "\\a".to_string(),
        '\x08' => "\\b".to_string(),
        '\x0c' => "\\f".to_string(),
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        '\x0b' => "\\v".to_string(),
        _ if code < 0x20 || code == 0x7f => format!("\\x{code:02x}"),
        _ if code < 0x10000 => format!("\\u{code:04x}"),
        _ => format!("\\U{code:08x}"),
    };
    out.extend_from_slice(escaped.as_bytes());
}

/// Go's `strconv.CanBackquote`: whether `s` can be a raw string literal.
fn can_backquote(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() {
        let (c, width) = decode_rune(&s[i..]);
        i += width;
        if width > 1 {
            if c == '\u{feff}' {
                return false;
            }
            continue;
        }
        if c == char::REPLACEMENT_CHARACTER || (c < ' ' && c != '\t') || c == '`' || c == '\x7f' {
            return false;
        }
    }
    true
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
fn is_print(c: char) -> bool {
    let c = u32::from(c);
    let i = PRINTABLE.partition_point(|&(_, hi)| hi < c);
    PRINTABLE.get(i).is_some_and(|&(lo, _)| lo <= c)
}

/// The runes for which Go 1.26's `strconv.IsPrint` holds, as inclusive ranges in order.
///
/// Generated by running `strconv.IsPrint` over every rune and joining the runs.
#[rustfmt::skip]
const PRINTABLE: &[(u32, u32)] = &[
    (0x20, 0x7e), (0xa1, 0xac), (0xae, 0x377), (0x37a, 0x37f), (0x384, 0x38a), (0x38c, 0x38c),
    (0x38e, 0x3a1), (0x3a3, 0x52f), (0x531, 0x556), (0x559, 0x58a), (0x58d, 0x58f), (0x591, 0x5c7),
    (0x5d0, 0x5ea), (0x5ef, 0x5f4), (0x606, 0x61b), (0x61d, 0x6dc), (0x6de, 0x70d), (0x710, 0x74a),
    (0x74d, 0x7b1), (0x7c0, 0x7fa), (0x7fd, 0x82d), (0x830, 0x83e), (0x840, 0x85b), (0x85e, 0x85e),
    (0x860, 0x86a), (0x870, 0x88e), (0x898, 0x8e1), (0x8e3, 0x983), (0x985, 0x98c), (0x98f, 0x990),
    (0x993, 0x9a8), (0x9aa, 0x9b0), (0x9b2, 0x9b2), (0x9b6, 0x9b9), (0x9bc, 0x9c4), (0x9c7, 0x9c8),
    (0x9cb, 0x9ce), (0x9d7, 0x9d7), (0x9dc, 0x9dd), (0x9df, 0x9e3), (0x9e6, 0x9fe), (0xa01, 0xa03),
    (0xa05, 0xa0a), (0xa0f, 0xa10), (0xa13, 0xa28), (0xa2a, 0xa30), (0xa32, 0xa33), (0xa35, 0xa36),
    (0xa38, 0xa39), (0xa3c, 0xa3c), (0xa3e, 0xa42), (0xa47, 0xa48), (0xa4b, 0xa4d), (0xa51, 0xa51),
    (0xa59, 0xa5c), (0xa5e, 0xa5e), (0xa66, 0xa76), (0xa81, 0xa83), (0xa85, 0xa8d), (0xa8f, 0xa91),
    (0xa93, 0xaa8), (0xaaa, 0xab0), (0xab2, 0xab3), (0xab5, 0xab9), (0xabc, 0xac5), (0xac7, 0xac9),
    (0xacb, 0xacd), (0xad0, 0xad0), (0xae0, 0xae3), (0xae6, 0xaf1), (0xaf9, 0xaff), (0xb01, 0xb03),
    (0xb05, 0xb0c), (0xb0f, 0xb10), (0xb13, 0xb28), (0xb2a, 0xb30), (0xb32, 0xb33), (0xb35, 0xb39),
    (0xb3c, 0xb44), (0xb47, 0xb48), (0xb4b, 0xb4d), (0xb55, 0xb57), (0xb5c, 0xb5d), (0xb5f, 0xb63),
    (0xb66, 0xb77), (0xb82, 0xb83), (0xb85, 0xb8a), (0xb8e, 0xb90), (0xb92, 0xb95), (0xb99, 0xb9a),
    (0xb9c, 0xb9c), (0xb9e, 0xb9f), (0xba3, 0xba4), (0xba8, 0xbaa), (0xbae, 0xbb9), (0xbbe, 0xbc2),
    (0xbc6, 0xbc8), (0xbca, 0xbcd), (0xbd0, 0xbd0), (0xbd7, 0xbd7), (0xbe6, 0xbfa), (0xc00, 0xc0c),
    (0xc0e, 0xc10), (0xc12, 0xc28), (0xc2a, 0xc39), (0xc3c, 0xc44), (0xc46, 0xc48), (0xc4a, 0xc4d),
    (0xc55, 0xc56), (0xc58, 0xc5a), (0xc5d, 0xc5d), (0xc60, 0xc63), (0xc66, 0xc6f), (0xc77, 0xc8c),
    (0xc8e, 0xc90), (0xc92, 0xca8), (0xcaa, 0xcb3), (0xcb5, 0xcb9), (0xcbc, 0xcc4), (0xcc6, 0xcc8),
    (0xcca, 0xccd), (0xcd5, 0xcd6), (0xcdd, 0xcde), (0xce0, 0xce3), (0xce6, 0xcef), (0xcf1, 0xcf3),
    (0xd00, 0xd0c), (0xd0e, 0xd10), (0xd12, 0xd44), (0xd46, 0xd48), (0xd4a, 0xd4f), (0xd54, 0xd63),
    (0xd66, 0xd7f), (0xd81, 0xd83), (0xd85, 0xd96), (0xd9a, 0xdb1), (0xdb3, 0xdbb), (0xdbd, 0xdbd),
    (0xdc0, 0xdc6), (0xdca, 0xdca), (0xdcf, 0xdd4), (0xdd6, 0xdd6), (0xdd8, 0xddf), (0xde6, 0xdef),
    (0xdf2, 0xdf4), (0xe01, 0xe3a), (0xe3f, 0xe5b), (0xe81, 0xe82), (0xe84, 0xe84), (0xe86, 0xe8a),
    (0xe8c, 0xea3), (0xea5, 0xea5), (0xea7, 0xebd), (0xec0, 0xec4), (0xec6, 0xec6), (0xec8, 0xece),
    (0xed0, 0xed9), (0xedc, 0xedf), (0xf00, 0xf47), (0xf49, 0xf6c), (0xf71, 0xf97), (0xf99, 0xfbc),
    (0xfbe, 0xfcc), (0xfce, 0xfda), (0x1000, 0x10c5), (0x10c7, 0x10c7), (0x10cd, 0x10cd),
    (0x10d0, 0x1248), (0x124a, 0x124d), (0x1250, 0x1256), (0x1258, 0x1258), (0x125a, 0x125d),
    (0x1260, 0x1288), (0x128a, 0x128d), (0x1290, 0x12b0), (0x12b2, 0x12b5), (0x12b8, 0x12be),
    (0x12c0, 0x12c0), (0x12c2, 0x12c5), (0x12c8, 0x12d6), (0x12d8, 0x1310), (0x1312, 0x1315),
    (0x1318, 0x135a), (0x135d, 0x137c), (0x1380, 0x1399), (0x13a0, 0x13f5), (0x13f8, 0x13fd),
    (0x1400, 0x167f), (0x1681, 0x169c), (0x16a0, 0x16f8), (0x1700, 0x1715), (0x171f, 0x1736),
    (0x1740, 0x1753), (0x1760, 0x176c), (0x176e, 0x1770), (0x1772, 0x1773), (0x1780, 0x17dd),
    (0x17e0, 0x17e9), (0x17f0, 0x17f9), (0x1800, 0x180d), (0x180f, 0x1819), (0x1820, 0x1878),
    (0x1880, 0x18aa), (0x18b0, 0x18f5), (0x1900, 0x191e), (0x1920, 0x192b), (0x1930, 0x193b),
    (0x1940, 0x1940), (0x1944, 0x196d), (0x1970, 0x1974), (0x1980, 0x19ab), (0x19b0, 0x19c9),
    (0x19d0, 0x19da), (0x19de, 0x1a1b), (0x1a1e, 0x1a5e), (0x1a60, 0x1a7c), (0x1a7f, 0x1a89),
    (0x1a90, 0x1a99), (0x1aa0, 0x1aad), (0x1ab0, 0x1ace), (0x1b00, 0x1b4c), (0x1b50, 0x1b7e),
    (0x1b80, 0x1bf3), (0x1bfc, 0x1c37), (0x1c3b, 0x1c49), (0x1c4d, 0x1c88), (0x1c90, 0x1cba),
    (0x1cbd, 0x1cc7), (0x1cd0, 0x1cfa), (0x1d00, 0x1f15), (0x1f18, 0x1f1d), (0x1f20, 0x1f45),
    (0x1f48, 0x1f4d), (0x1f50, 0x1f57), (0x1f59, 0x1f59), (0x1f5b, 0x1f5b), (0x1f5d, 0x1f5d),
    (0x1f5f, 0x1f7d), (0x1f80, 0x1fb4), (0x1fb6, 0x1fc4), (0x1fc6, 0x1fd3), (0x1fd6, 0x1fdb),
    (0x1fdd, 0x1fef), (0x1ff2, 0x1ff4), (0x1ff6, 0x1ffe), (0x2010, 0x2027), (0x2030, 0x205e),
    (0x2070, 0x2071), (0x2074, 0x208e), (0x2090, 0x209c), (0x20a0, 0x20c0), (0x20d0, 0x20f0),
    (0x2100, 0x218b), (0x2190, 0x2426), (0x2440, 0x244a), (0x2460, 0x2b73), (0x2b76, 0x2b95),
    (0x2b97, 0x2cf3), (0x2cf9, 0x2d25), (0x2d27, 0x2d27), (0x2d2d, 0x2d2d), (0x2d30, 0x2d67),
    (0x2d6f, 0x2d70), (0x2d7f, 0x2d96), (0x2da0, 0x2da6), (0x2da8, 0x2dae), (0x2db0, 0x2db6),
    (0x2db8, 0x2dbe), (0x2dc0, 0x2dc6), (0x2dc8, 0x2dce), (0x2dd0, 0x2dd6), (0x2dd8, 0x2dde),
    (0x2de0, 0x2e5d), (0x2e80, 0x2e99), (0x2e9b, 0x2ef3), (0x2f00, 0x2fd5), (0x2ff0, 0x2ffb),
    (0x3001, 0x303f), (0x3041, 0x3096), (0x3099, 0x30ff), (0x3105, 0x312f), (0x3131, 0x318e),
    (0x3190, 0x31e3), (0x31f0, 0x321e), (0x3220, 0xa48c), (0xa490, 0xa4c6), (0xa4d0, 0xa62b),
    (0xa640, 0xa6f7), (0xa700, 0xa7ca), (0xa7d0, 0xa7d1), (0xa7d3, 0xa7d3), (0xa7d5, 0xa7d9),
    (0xa7f2, 0xa82c), (0xa830, 0xa839), (0xa840, 0xa877), (0xa880, 0xa8c5), (0xa8ce, 0xa8d9),
    (0xa8e0, 0xa953), (0xa95f, 0xa97c), (0xa980, 0xa9cd), (0xa9cf, 0xa9d9), (0xa9de, 0xa9fe),
    (0xaa00, 0xaa36), (0xaa40, 0xaa4d), (0xaa50, 0xaa59), (0xaa5c, 0xaac2), (0xaadb, 0xaaf6),
    (0xab01, 0xab06), (0xab09, 0xab0e), (0xab11, 0xab16), (0xab20, 0xab26), (0xab28, 0xab2e),
    (0xab30, 0xab6b), (0xab70, 0xabed), (0xabf0, 0xabf9), (0xac00, 0xd7a3), (0xd7b0, 0xd7c6),
    (0xd7cb, 0xd7fb), (0xf900, 0xfa6d), (0xfa70, 0xfad9), (0xfb00, 0xfb06), (0xfb13, 0xfb17),
    (0xfb1d, 0xfb36), (0xfb38, 0xfb3c), (0xfb3e, 0xfb3e), (0xfb40, 0xfb41), (0xfb43, 0xfb44),
    (0xfb46, 0xfbc2), (0xfbd3, 0xfd8f), (0xfd92, 0xfdc7), (0xfdcf, 0xfdcf), (0xfdf0, 0xfe19),
    (0xfe20, 0xfe52), (0xfe54, 0xfe66), (0xfe68, 0xfe6b), (0xfe70, 0xfe74), (0xfe76, 0xfefc),
    (0xff01, 0xffbe), (0xffc2, 0xffc7), (0xffca, 0xffcf), (0xffd2, 0xffd7), (0xffda, 0xffdc),
    (0xffe0, 0xffe6), (0xffe8, 0xffee), (0xfffc, 0xfffd), (0x10000, 0x1000b), (0x1000d, 0x10026),
    (0x10028, 0x1003a), (0x1003c, 0x1003d), (0x1003f, 0x1004d), (0x10050, 0x1005d),
    (0x10080, 0x100fa), (0x10100, 0x10102), (0x10107, 0x10133), (0x10137, 0x1018e),
    (0x10190, 0x1019c), (0x101a0, 0x101a0), (0x101d0, 0x101fd), (0x10280, 0x1029c),
    (0x102a0, 0x102d0), (0x102e0, 0x102fb), (0x10300, 0x10323), (0x1032d, 0x1034a),
    (0x10350, 0x1037a), (0x10380, 0x1039d), (0x1039f, 0x103c3), (0x103c8, 0x103d5),
    (0x10400, 0x1049d), (0x104a0, 0x104a9), (0x104b0, 0x104d3), (0x104d8, 0x104fb),
    (0x10500, 0x10527), (0x10530, 0x10563), (0x1056f, 0x1057a), (0x1057c, 0x1058a),
    (0x1058c, 0x10592), (0x10594, 0x10595), (0x10597, 0x105a1), (0x105a3, 0x105b1),
    (0x105b3, 0x105b9), (0x105bb, 0x105bc), (0x10600, 0x10736), (0x10740, 0x10755),
    (0x10760, 0x10767), (0x10780, 0x10785), (0x10787, 0x107b0), (0x107b2, 0x107ba),
    (0x10800, 0x10805), (0x10808, 0x10808), (0x1080a, 0x10835), (0x10837, 0x10838),
    (0x1083c, 0x1083c), (0x1083f, 0x10855), (0x10857, 0x1089e), (0x108a7, 0x108af),
    (0x108e0, 0x108f2), (0x108f4, 0x108f5), (0x108fb, 0x1091b), (0x1091f, 0x10939),
    (0x1093f, 0x1093f), (0x10980, 0x109b7), (0x109bc, 0x109cf), (0x109d2, 0x10a03),
    (0x10a05, 0x10a06), (0x10a0c, 0x10a13), (0x10a15, 0x10a17), (0x10a19, 0x10a35),
    (0x10a38, 0x10a3a), (0x10a3f, 0x10a48), (0x10a50, 0x10a58), (0x10a60, 0x10a9f),
    (0x10ac0, 0x10ae6), (0x10aeb, 0x10af6), (0x10b00, 0x10b35), (0x10b39, 0x10b55),
    (0x10b58, 0x10b72), (0x10b78, 0x10b91), (0x10b99, 0x10b9c), (0x10ba9, 0x10baf),
    (0x10c00, 0x10c48), (0x10c80, 0x10cb2), (0x10cc0, 0x10cf2), (0x10cfa, 0x10d27),
    (0x10d30, 0x10d39), (0x10e60, 0x10e7e), (0x10e80, 0x10ea9), (0x10eab, 0x10ead),
    (0x10eb0, 0x10eb1), (0x10efd, 0x10f27), (0x10f30, 0x10f59), (0x10f70, 0x10f89),
    (0x10fb0, 0x10fcb), (0x10fe0, 0x10ff6), (0x11000, 0x1104d), (0x11052, 0x11075),
    (0x1107f, 0x110bc), (0x110be, 0x110c2), (0x110d0, 0x110e8), (0x110f0, 0x110f9),
    (0x11100, 0x11134), (0x11136, 0x11147), (0x11150, 0x11176), (0x11180, 0x111df),
    (0x111e1, 0x111f4), (0x11200, 0x11211), (0x11213, 0x11241), (0x11280, 0x11286),
    (0x11288, 0x11288), (0x1128a, 0x1128d), (0x1128f, 0x1129d), (0x1129f, 0x112a9),
    (0x112b0, 0x112ea), (0x112f0, 0x112f9), (0x11300, 0x11303), (0x11305, 0x1130c),
    (0x1130f, 0x11310), (0x11313, 0x11328), (0x1132a, 0x11330), (0x11332, 0x11333),
    (0x11335, 0x11339), (0x1133b, 0x11344), (0x11347, 0x11348), (0x1134b, 0x1134d),
    (0x11350, 0x11350), (0x11357, 0x11357), (0x1135d, 0x11363), (0x11366, 0x1136c),
    (0x11370, 0x11374), (0x11400, 0x1145b), (0x1145d, 0x11461), (0x11480, 0x114c7),
    (0x114d0, 0x114d9), (0x11580, 0x115b5), (0x115b8, 0x115dd), (0x11600, 0x11644),
    (0x11650, 0x11659), (0x11660, 0x1166c), (0x11680, 0x116b9), (0x116c0, 0x116c9),
    (0x11700, 0x1171a), (0x1171d, 0x1172b), (0x11730, 0x11746), (0x11800, 0x1183b),
    (0x118a0, 0x118f2), (0x118ff, 0x11906), (0x11909, 0x11909), (0x1190c, 0x11913),
    (0x11915, 0x11916), (0x11918, 0x11935), (0x11937, 0x11938), (0x1193b, 0x11946),
    (0x11950, 0x11959), (0x119a0, 0x119a7), (0x119aa, 0x119d7), (0x119da, 0x119e4),
    (0x11a00, 0x11a47), (0x11a50, 0x11aa2), (0x11ab0, 0x11af8), (0x11b00, 0x11b09),
    (0x11c00, 0x11c08), (0x11c0a, 0x11c36), (0x11c38, 0x11c45), (0x11c50, 0x11c6c),
    (0x11c70, 0x11c8f), (0x11c92, 0x11ca7), (0x11ca9, 0x11cb6), (0x11d00, 0x11d06),
    (0x11d08, 0x11d09), (0x11d0b, 0x11d36), (0x11d3a, 0x11d3a), (0x11d3c, 0x11d3d),
    (0x11d3f, 0x11d47), (0x11d50, 0x11d59), (0x11d60, 0x11d65), (0x11d67, 0x11d68),
    (0x11d6a, 0x11d8e), (0x11d90, 0x11d91), (0x11d93, 0x11d98), (0x11da0, 0x11da9),
    (0x11ee0, 0x11ef8), (0x11f00, 0x11f10), (0x11f12, 0x11f3a), (0x11f3e, 0x11f59),
    (0x11fb0, 0x11fb0), (0x11fc0, 0x11ff1), (0x11fff, 0x12399), (0x12400, 0x1246e),
    (0x12470, 0x12474), (0x12480, 0x12543), (0x12f90, 0x12ff2), (0x13000, 0x1342f),
    (0x13440, 0x13455), (0x14400, 0x14646), (0x16800, 0x16a38), (0x16a40, 0x16a5e),
    (0x16a60, 0x16a69), (0x16a6e, 0x16abe), (0x16ac0, 0x16ac9), (0x16ad0, 0x16aed),
    (0x16af0, 0x16af5), (0x16b00, 0x16b45), (0x16b50, 0x16b59), (0x16b5b, 0x16b61),
    (0x16b63, 0x16b77), (0x16b7d, 0x16b8f), (0x16e40, 0x16e9a), (0x16f00, 0x16f4a),
    (0x16f4f, 0x16f87), (0x16f8f, 0x16f9f), (0x16fe0, 0x16fe4), (0x16ff0, 0x16ff1),
    (0x17000, 0x187f7), (0x18800, 0x18cd5), (0x18d00, 0x18d08), (0x1aff0, 0x1aff3),
    (0x1aff5, 0x1affb), (0x1affd, 0x1affe), (0x1b000, 0x1b122), (0x1b132, 0x1b132),
    (0x1b150, 0x1b152), (0x1b155, 0x1b155), (0x1b164, 0x1b167), (0x1b170, 0x1b2fb),
    (0x1bc00, 0x1bc6a), (0x1bc70, 0x1bc7c), (0x1bc80, 0x1bc88), (0x1bc90, 0x1bc99),
    (0x1bc9c, 0x1bc9f), (0x1cf00, 0x1cf2d), (0x1cf30, 0x1cf46), (0x1cf50, 0x1cfc3),
    (0x1d000, 0x1d0f5), (0x1d100, 0x1d126), (0x1d129, 0x1d172), (0x1d17b, 0x1d1ea),
    (0x1d200, 0x1d245), (0x1d2c0, 0x1d2d3), (0x1d2e0, 0x1d2f3), (0x1d300, 0x1d356),
    (0x1d360, 0x1d378), (0x1d400, 0x1d454), (0x1d456, 0x1d49c), (0x1d49e, 0x1d49f),
    (0x1d4a2, 0x1d4a2), (0x1d4a5, 0x1d4a6), (0x1d4a9, 0x1d4ac), (0x1d4ae, 0x1d4b9),
    (0x1d4bb, 0x1d4bb), (0x1d4bd, 0x1d4c3), (0x1d4c5, 0x1d505), (0x1d507, 0x1d50a),
    (0x1d50d, 0x1d514), (0x1d516, 0x1d51c), (0x1d51e, 0x1d539), (0x1d53b, 0x1d53e),
    (0x1d540, 0x1d544), (0x1d546, 0x1d546), (0x1d54a, 0x1d550), (0x1d552, 0x1d6a5),
    (0x1d6a8, 0x1d7cb), (0x1d7ce, 0x1da8b), (0x1da9b, 0x1da9f), (0x1daa1, 0x1daaf),
    (0x1df00, 0x1df1e), (0x1df25, 0x1df2a), (0x1e000, 0x1e006), (0x1e008, 0x1e018),
    (0x1e01b, 0x1e021), (0x1e023, 0x1e024), (0x1e026, 0x1e02a), (0x1e030, 0x1e06d),
    (0x1e08f, 0x1e08f), (0x1e100, 0x1e12c), (0x1e130, 0x1e13d), (0x1e140, 0x1e149),
    (0x1e14e, 0x1e14f), (0x1e290, 0x1e2ae), (0x1e2c0, 0x1e2f9), (0x1e2ff, 0x1e2ff),
    (0x1e4d0, 0x1e4f9), (0x1e7e0, 0x1e7e6), (0x1e7e8, 0x1e7eb), (0x1e7ed, 0x1e7ee),
    (0x1e7f0, 0x1e7fe), (0x1e800, 0x1e8c4), (0x1e8c7, 0x1e8d6), (0x1e900, 0x1e94b),
    (0x1e950, 0x1e959), (0x1e95e, 0x1e95f), (0x1ec71, 0x1ecb4), (0x1ed01, 0x1ed3d),
    (0x1ee00, 0x1ee03), (0x1ee05, 0x1ee1f), (0x1ee21, 0x1ee22), (0x1ee24, 0x1ee24),
    (0x1ee27, 0x1ee27), (0x1ee29, 0x1ee32), (0x1ee34, 0x1ee37), (0x1ee39, 0x1ee39),
    (0x1ee3b, 0x1ee3b), (0x1ee42, 0x1ee42), (0x1ee47, 0x1ee47), (0x1ee49, 0x1ee49),
    (0x1ee4b, 0x1ee4b), (0x1ee4d, 0x1ee4f), (0x1ee51, 0x1ee52), (0x1ee54, 0x1ee54),
    (0x1ee57, 0x1ee57), (0x1ee59, 0x1ee59), (0x1ee5b, 0x1ee5b), (0x1ee5d, 0x1ee5d),
    (0x1ee5f, 0x1ee5f), (0x1ee61, 0x1ee62), (0x1ee64, 0x1ee64), (0x1ee67, 0x1ee6a),
    (0x1ee6c, 0x1ee72), (0x1ee74, 0x1ee77), (0x1ee79, 0x1ee7c), (0x1ee7e, 0x1ee7e),
    (0x1ee80, 0x1ee89), (0x1ee8b, 0x1ee9b), (0x1eea1, 0x1eea3), (0x1eea5, 0x1eea9),
    (0x1eeab, 0x1eebb), (0x1eef0, 0x1eef1), (0x1f000, 0x1f02b), (0x1f030, 0x1f093),
    (0x1f0a0, 0x1f0ae), (0x1f0b1, 0x1f0bf), (0x1f0c1, 0x1f0cf), (0x1f0d1, 0x1f0f5),
    (0x1f100, 0x1f1ad), (0x1f1e6, 0x1f202), (0x1f210, 0x1f23b), (0x1f240, 0x1f248),
    (0x1f250, 0x1f251), (0x1f260, 0x1f265), (0x1f300, 0x1f6d7), (0x1f6dc, 0x1f6ec),
    (0x1f6f0, 0x1f6fc), (0x1f700, 0x1f776), (0x1f77b, 0x1f7d9), (0x1f7e0, 0x1f7eb),
    (0x1f7f0, 0x1f7f0), (0x1f800, 0x1f80b), (0x1f810, 0x1f847), (0x1f850, 0x1f859),
    (0x1f860, 0x1f887), (0x1f890, 0x1f8ad), (0x1f8b0, 0x1f8b1), (0x1f900, 0x1fa53),
    (0x1fa60, 0x1fa6d), (0x1fa70, 0x1fa7c), (0x1fa80, 0x1fa88), (0x1fa90, 0x1fabd),
    (0x1fabf, 0x1fac5), (0x1face, 0x1fadb), (0x1fae0, 0x1fae8), (0x1faf0, 0x1faf8),
    (0x1fb00, 0x1fb92), (0x1fb94, 0x1fbca), (0x1fbf0, 0x1fbf9), (0x20000, 0x2a6df),
    (0x2a700, 0x2b739), (0x2b740, 0x2b81d), (0x2b820, 0x2cea1), (0x2ceb0, 0x2ebe0),
    (0x2f800, 0x2fa1d), (0x30000, 0x3134a), (0x31350, 0x323af), (0xe0100, 0xe01ef),
];

#[cfg(test)]
mod tests;
