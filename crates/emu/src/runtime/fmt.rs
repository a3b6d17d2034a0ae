//! Output: the `println` builtin's `runtime.print*` helpers and the `fmt`
//! printing functions, which decode their `...any` arguments through the
//! type descriptors and format them as Go does ([`crate::gofmt`]).

use crate::cpu::{RAX, RBP, RBX, RSP};

use crate::exec::{Exec, Halt, Machine, sign_extend};
use crate::gofmt::{self, Value};
use crate::trace::Event;
use crate::{Arch, Stop};

use super::types::{self, TypeRef, kind, type_name};
use super::{FILE_STDERR, FILE_STDOUT};

/// The predeclared name of an integer or float kind, for values of named types too.
fn kind_name(k: u8) -> &'static str {
    const NAMES: [&str; 15] = [
        "", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
        "uint64", "uintptr", "float32", "float64",
    ];
    NAMES.get(usize::from(k)).copied().unwrap_or("")
}

fn unsupported_type(m: &Machine<'_>, name: &str) -> Halt {
    Box::new(Stop::Unsupported {
        what: format!("formatting a value of type {name}"),
        at: m.call_site(),
    })
}

/// Decodes the value of type `typ` stored at `addr`, inside an operand: fmt
/// would call a `String` or `Error` method of it from frames not measured.
fn decode(m: &mut Machine<'_>, typ: &TypeRef, addr: u64) -> Result<Value, Halt> {
    decode_value(m, typ, addr, true)
}

/// Decodes the value of type `typ` stored at `addr`; `nested` inside an operand.
fn decode_value(
    m: &mut Machine<'_>,
    typ: &TypeRef,
    addr: u64,
    nested: bool,
) -> Result<Value, Halt> {
    let info = types::resolve(m, typ)?;
    let name = info.name.clone();
    if nested && method_of(m, &name).is_some() {
        return Err(Box::new(Stop::Unsupported {
            what: format!("fmt calling a String or Error method of {name} inside an operand"),
            at: m.call_site(),
        }));
    }
    let k = info.kind;
    let w = m.arch.word() as usize;
    let ty = kind_name(k);
    Ok(match k {
        kind::BOOL => Value::Bool(m.load(addr, 1)? != 0),
        kind::INT..=kind::INT64 => {
            let size = match k {
                kind::INT => w,
                3 => 1,
                4 => 2,
                5 => 4,
                _ => 8,
            };
            Value::Int {
                v: sign_extend(m.load(addr, size)?, size),
                ty,
            }
        }
        kind::UINT..=kind::UINTPTR => {
            let size = match k {
                kind::UINT | kind::UINTPTR => w,
                8 => 1,
                9 => 2,
                10 => 4,
                _ => 8,
            };
            Value::Uint {
                v: m.load(addr, size)?,
                ty,
            }
        }
        kind::FLOAT32 => Value::Float {
            v: f64::from(f32::from_bits(m.load(addr, 4)? as u32)),
            bits: 32,
        },
        kind::FLOAT64 => Value::Float {
            v: f64::from_bits(m.load(addr, 8)?),
            bits: 64,
        },
        kind::STRING => {
            let ptr = m.load_word(addr)?;
            let len = m.load_word(addr + w as u64)?;
            Value::Str(m.load_bytes(ptr, len as usize)?)
        }
        kind::POINTER | kind::UNSAFE_POINTER => {
            let target = m.load_word(addr)?;
            if nested && target != 0 && method_of(m, &name).is_some() {
                return Err(Box::new(Stop::Unsupported {
                    what: format!(
                        "fmt calling a String or Error method of {name} inside an operand"
                    ),
                    at: m.call_site(),
                }));
            }
            Value::Pointer {
                addr: target,
                ty: name,
            }
        }
        kind::MAP => {
            let h = m.load_word(addr)?;
            decode_map(m, &info, h)?
        }
        kind::SLICE | kind::ARRAY => {
            let (elem, array_len) = types::elem(m, &info)?;
            let elem_size = types::resolve(m, &elem)?.size;
            let (ptr, len) = if k == kind::SLICE {
                (m.load_word(addr)?, m.load_word(addr + w as u64)?)
            } else {
                (addr, array_len)
            };
            let mut elems = Vec::new();
            for i in 0..len {
                elems.push(decode(m, &elem, ptr + i * elem_size)?);
            }
            Value::Slice { ty: name, elems }
        }
        kind::STRUCT if info.local => {
            let mut fields = Vec::new();
            let Some(typ) = info.addr else {
                return Err(unsupported_type(m, &name));
            };
            for (fname, ftyp, off) in struct_fields(m, typ)? {
                fields.push((fname, decode(m, &TypeRef::Addr(ftyp), addr + off)?));
            }
            Value::Struct { ty: name, fields }
        }
        _ => return Err(unsupported_type(m, &name)),
    })
}

/// A map's entries, sorted by key as fmt prints them.
fn decode_map(m: &mut Machine<'_>, info: &types::TypeInfo, h: u64) -> Result<Value, Halt> {
    let Some(typ) = info.addr else {
        return Err(unsupported_type(m, &info.name));
    };
    let w = m.arch.word();
    let at = typ + types::header_size(m.arch);
    let (key_t, elem_t) = (m.load_word(at)?, m.load_word(at + w)?);
    let key_info = types::resolve(m, &TypeRef::Addr(key_t))?;
    let entries =
        m.rt.maps
            .get(&h)
            .map(|model| model.entries.clone())
            .unwrap_or_default();
    let mut out = Vec::new();
    for (key_bytes, slot) in entries {
        let key = if key_info.kind == kind::STRING {
            Value::Str(key_bytes)
        } else {
            // An integer or other plain key: its bytes, decoded from a scratch copy.
            let scratch = m.alloc(key_info.size.max(1))?;
            m.store_bytes(scratch, &key_bytes)?;
            decode(m, &TypeRef::Addr(key_t), scratch)?
        };
        out.push((key, decode(m, &TypeRef::Addr(elem_t), slot)?));
    }
    out.sort_by(|a, b| gofmt::key_order(&a.0, &b.0));
    Ok(Value::Map {
        ty: info.name.clone(),
        entries: out,
    })
}

/// The method fmt calls on an operand of the type named `name`, if the
/// program defines one: `Error` before `String`, as fmt looks, and the
/// function that takes the operand's data word (a pointer: for a value
/// receiver, the compiler's `(*T)` wrapper).
fn method_of(m: &Machine<'_>, name: &str) -> Option<(&'static str, String)> {
    let base = name.strip_prefix('*').unwrap_or(name);
    let (pkg, ty) = base.split_once('.')?;
    ["Error", "String"]
        .into_iter()
        .find(|method| method_of_named(m, name, method))
        .map(|method| (method, format!("{pkg}.(*{ty}).{method}")))
}

/// The fields of a struct type: name, type descriptor and offset.
///
/// `abi.StructType` is the `abi.Type` header (`kind_offset + 1` bytes, then
/// equal, gcdata, str and ptrToThis), the package path, then the fields slice;
/// each `abi.StructField` is a name pointer, a type pointer and an offset.
fn struct_fields(m: &mut Machine<'_>, typ: u64) -> Result<Vec<(String, u64, u64)>, Halt> {
    let w = m.arch.word();
    let header = types::header_size(m.arch);
    let fields = m.load_word(typ + header + w)?;
    let n = m.load_word(typ + header + 2 * w)?;
    let mut out = Vec::new();
    for i in 0..n {
        let f = fields + i * 3 * w;
        let name_ptr = m.load_word(f)?;
        let ftyp = m.load_word(f + w)?;
        let off = m.load_word(f + 2 * w)?;
        out.push((read_name(m, name_ptr)?, ftyp, off));
    }
    Ok(out)
}

/// Reads an `abi.Name`: a flags byte, a varint length, the bytes.
fn read_name(m: &mut Machine<'_>, p: u64) -> Result<String, Halt> {
    let mut len = 0u64;
    let mut shift = 0;
    let mut at = p + 1;
    loop {
        let b = m.load(at, 1)?;
        at += 1;
        len |= (b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&m.load_bytes(at, len as usize)?).into_owned())
}

/// Decodes a `[]any` slice of interface values.
/// The verb each operand of `format` meets, in operand order, with whether
/// the `#` flag came with it; `None` when an argument index or a `*` width
/// or precision makes that harder to tell.
fn operand_verbs(format: &[u8]) -> Option<Vec<(bool, u8)>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < format.len() {
        if format[i] != b'%' {
            i += 1;
            continue;
        }
        i += 1;
        // Flags, width and precision, then the verb.
        let mut sharp = false;
        while i < format.len() && b"+-# 0123456789.".contains(&format[i]) {
            sharp |= format[i] == b'#';
            i += 1;
        }
        match format.get(i) {
            None => break,
            Some(b'%') => {}
            Some(b'[' | b'*') => return None,
            Some(&verb) => out.push((sharp, verb)),
        }
        i += 1;
    }
    Some(out)
}

/// A call of the program's `String` or `Error` methods on fmt's behalf: fmt
/// calls them from its own frames (as measured), one operand after another,
/// then formats with their results.
#[derive(Debug, Clone)]
pub(crate) struct Callbacks {
    /// The fmt function.
    name: String,
    /// Operands whose method is still to run, the next last: index, method, code, receiver.
    pending: Vec<(u64, &'static str, u64, u64)>,
    /// The methods' results so far: operand index and text.
    results: Vec<(u64, Vec<u8>)>,
    /// The slot holding the fmt function's return address into the package.
    ret_slot: u64,
    /// The package's BP when it called the fmt function.
    package_bp: u64,
    /// The registers then, argument registers among them, for formatting at the end.
    registers: [u64; 16],
    /// Where the method running now returns to: function and offset.
    call_ret: (&'static str, u64),
}

impl Callbacks {
    /// Where the method running now returns to.
    pub(crate) fn returns_to(&self) -> (&'static str, u64) {
        self.call_ret
    }
}

/// The operands of `name`'s call whose `String` or `Error` method fmt calls:
/// index, method, code and receiver (the operand's data word).
fn methods_called(
    m: &mut Machine<'_>,
    name: &str,
    format: Option<&[u8]>,
    ptr: u64,
    len: u64,
) -> Result<Vec<(u64, &'static str, u64, u64)>, Halt> {
    let w = m.arch.word();
    let verbs = match format {
        Some(f) => operand_verbs(f),
        None => Some(Vec::new()),
    };
    let mut out = Vec::new();
    for i in 0..len {
        let (typ, data) = (
            m.load_word(ptr + i * 2 * w)?,
            m.load_word(ptr + i * 2 * w + w)?,
        );
        if typ == 0 || super::errors::error_text(m, typ, data)?.is_some() {
            continue;
        }
        let type_name = type_name(m, typ).unwrap_or_default();
        let Some((method, func)) = method_of(m, &type_name) else {
            continue;
        };
        let Some(verbs) = &verbs else {
            return Err(Box::new(Stop::Unsupported {
                what: format!(
                    "{name} with an argument index or a * width, and a {type_name} operand"
                ),
                at: m.call_site(),
            }));
        };
        // Operands past the verbs are printed with %v, after %!(EXTRA.
        let (sharp, verb) = verbs.get(i as usize).copied().unwrap_or((false, b'v'));
        if sharp && verb == b'v' {
            if method_of_named(m, &type_name, "GoString") {
                return Err(Box::new(Stop::Unsupported {
                    what: format!("fmt calling the GoString method of {type_name}"),
                    at: m.call_site(),
                }));
            }
            continue;
        }
        let calls = matches!(verb, b'v' | b's' | b'q' | b'x' | b'X')
            || (verb == b'w' && name.eq_ignore_ascii_case("fmt.errorf"));
        if !calls {
            continue;
        }
        let info = types::info(m, typ)?;
        if !type_name.starts_with('*') && info.size == w && info.ptrdata == w {
            return Err(Box::new(Stop::Unsupported {
                what: format!(
                    "fmt calling a method of {type_name}, whose values are pointer-shaped"
                ),
                at: m.call_site(),
            }));
        }
        let Some(code) = m.image.addr(&func) else {
            return Err(Box::new(Stop::Unsupported {
                what: format!("fmt calling {func}, which the listing does not have"),
                at: m.call_site(),
            }));
        };
        out.push((i, method, code, data));
    }
    Ok(out)
}

/// Whether the program defines `method` on the type named `name` (in its method set).
fn method_of_named(m: &Machine<'_>, name: &str, method: &str) -> bool {
    let (pointer, base) = match name.strip_prefix('*') {
        Some(base) => (true, base),
        None => (false, name),
    };
    let Some((pkg, ty)) = base.split_once('.') else {
        return false;
    };
    let has = |f: String| m.listing.function(&f).is_some();
    has(format!("{pkg}.{ty}.{method}")) || (pointer && has(format!("{pkg}.(*{ty}).{method}")))
}

/// Calls the next pending method from fmt's frames, laid out as measured
/// below the fmt function's return address.
fn next_callback(m: &mut Machine<'_>) -> Exec {
    let facts = m.facts();
    let cb = m.rt.fmt_callbacks.last().expect("a callback is pending");
    let &(_, method, code, receiver) = cb.pending.last().expect("a method is pending");
    let key = format!("{}:{method}", cb.name);
    let (ret_slot, package_bp) = (cb.ret_slot, cb.package_bp);
    // Measured from this function, or (the compiler inlined its caller, as
    // Errorf into errorf) the part of a measured chain from it on.
    let chain = facts.call(&key).or_else(|| {
        facts
            .calls
            .iter()
            .filter(|(k, _)| k.ends_with(&format!(":{method}")))
            .find_map(|(_, c)| c.iter().position(|f| f.func == cb.name).map(|i| &c[i..]))
    });
    let Some(chain) = chain else {
        return Err(super::panic::unmeasured(m, &key));
    };
    let Some((func, off)) = super::facts::calls_from(chain) else {
        return Err(super::panic::unmeasured(m, &key));
    };
    m.cpu.gpr[RBP] = package_bp;
    let call_slot = super::lay_out_frames(m, chain, ret_slot)?;
    m.store_word(call_slot, m.image.stub_addr(func).unwrap_or(0) + off)?;
    match m.arch {
        Arch::Amd64 => m.cpu.gpr[RAX] = receiver,
        Arch::I386 => m.store_word(call_slot + 4, receiver)?,
    }
    m.cpu.gpr[RSP] = call_slot;
    m.cpu.rip = code;
    m.rt.fmt_callbacks.last_mut().expect("pending").call_ret = (func, off);
    Ok(())
}

/// A method fmt called returned: keep its result, call the next, or format.
pub(crate) fn resume(m: &mut Machine<'_>) -> Exec {
    let (ptr, len) = match m.arch {
        Arch::Amd64 => (m.cpu.gpr[RAX], m.cpu.gpr[RBX]),
        // The receiver at SP, then the result.
        Arch::I386 => (m.load_word(m.sp() + 4)?, m.load_word(m.sp() + 8)?),
    };
    let text = m.load_bytes(ptr, len as usize)?;
    let cb =
        m.rt.fmt_callbacks
            .last_mut()
            .expect("a callback is pending");
    let (i, ..) = cb.pending.pop().expect("a method was pending");
    cb.results.push((i, text));
    if !cb.pending.is_empty() {
        return next_callback(m);
    }
    let cb = m.rt.fmt_callbacks.pop().expect("pending");
    // Back in the fmt function's frame as the package called it (its own frames gone).
    m.cpu.gpr = cb.registers;
    m.rt.fmt_done = Some(cb.results);
    call(m, &cb.name)?;
    m.event(Event::Call { func: cb.name });
    Ok(())
}

/// The operands, decoded; those in `methods` as what their method returned over their value.
fn decode_args(
    m: &mut Machine<'_>,
    ptr: u64,
    len: u64,
    methods: &[(u64, Vec<u8>)],
) -> Result<Vec<Value>, Halt> {
    let w = m.arch.word();
    let mut out = Vec::new();
    for i in 0..len {
        let e = ptr + i * 2 * w;
        let typ = m.load_word(e)?;
        let data = m.load_word(e + w)?;
        if typ == 0 {
            out.push(Value::Nil);
            continue;
        }
        if let Some(text) = super::errors::error_text(m, typ, data)? {
            out.push(Value::Error(text));
            continue;
        }
        let name = type_name(m, typ).unwrap_or_default();
        let value = if name.starts_with("map[") {
            let info = types::info(m, typ)?;
            decode_map(m, &info, data)?
        } else if name.starts_with('*') || name == "unsafe.Pointer" {
            Value::Pointer {
                addr: data,
                ty: name.clone(),
            }
        } else {
            decode_value(m, &TypeRef::Addr(typ), data, false)?
        };
        let value = match methods.iter().find(|(k, _)| *k == i) {
            Some((_, text)) => Value::Method {
                text: text.clone(),
                error: method_of(m, &name).is_some_and(|(method, _)| method == "Error"),
                value: Box::new(value),
            },
            None => value,
        };
        out.push(value);
    }
    Ok(out)
}

/// The `fmt` printing functions.
pub(crate) fn call(m: &mut Machine<'_>, name: &str) -> Exec {
    let func = name.trim_start_matches("fmt.");
    // Arguments in words: an optional io.Writer, an optional format string, the []any slice.
    let writer = func.starts_with('F');
    let format = func.ends_with('f');
    let mut i = 0;
    let file = if writer {
        let (itab, data) = (m.arg(0)?, m.arg(1)?);
        i = 2;
        let itab_name = m
            .image
            .symbol_at(itab)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        if !itab_name.ends_with("itab.*os.File,io.Writer")
            || (data != FILE_STDOUT && data != FILE_STDERR)
        {
            return Err(Box::new(Stop::Unsupported {
                what: format!("{name} to a writer other than os.Stdout or os.Stderr"),
                at: m.call_site(),
            }));
        }
        Some(data)
    } else {
        None
    };
    let fmt_bytes = if format {
        let (ptr, len) = (m.arg(i)?, m.arg(i + 1)?);
        i += 2;
        Some(m.load_bytes(ptr, len as usize)?)
    } else {
        None
    };
    let (ptr, len) = (m.arg(i)?, m.arg(i + 1)?);
    let nargs = i + 3;
    // fmt calls the operands' String and Error methods first: back into the program.
    let methods = match m.rt.fmt_done.take() {
        Some(results) => results,
        None => {
            let wanted = methods_called(m, name, fmt_bytes.as_deref(), ptr, len)?;
            if !wanted.is_empty() {
                m.rt.fmt_callbacks.push(Callbacks {
                    name: name.to_string(),
                    pending: wanted.into_iter().rev().collect(),
                    results: Vec::new(),
                    ret_slot: m.sp(),
                    package_bp: m.cpu.gpr[RBP],
                    registers: m.cpu.gpr,
                    call_ret: ("", 0),
                });
                return next_callback(m);
            }
            Vec::new()
        }
    };
    let args = decode_args(m, ptr, len, &methods)?;
    let text = match &fmt_bytes {
        Some(f) => gofmt::sprintf(f, &args),
        None if func.ends_with("ln") => gofmt::sprintln(&args),
        None => gofmt::sprint(&args),
    };
    if func.eq_ignore_ascii_case("errorf") {
        let format = fmt_bytes.as_deref().unwrap_or_default();
        let wrapped = operand_verbs(format).map(|verbs| {
            (0..verbs.len() as u64)
                .filter(|&k| verbs[k as usize].1 == b'w')
                .collect::<Vec<u64>>()
        });
        let Some(wrapped) = wrapped else {
            return Err(Box::new(Stop::Unsupported {
                what: "fmt.Errorf with an argument index or a * width before %w".into(),
                at: m.call_site(),
            }));
        };
        let text = gofmt::errorf(format, &args);
        return match wrapped[..] {
            [] => super::errors::errorf(m, &text, nargs),
            [i] => {
                let w = m.arch.word();
                let operand = if i < len {
                    (
                        m.load_word(ptr + i * 2 * w)?,
                        m.load_word(ptr + i * 2 * w + w)?,
                    )
                } else {
                    (0, 0)
                };
                super::errors::wrap(m, &text, operand, nargs)
            }
            _ => Err(Box::new(Stop::Unsupported {
                what: "fmt.Errorf with more than one %w (a *fmt.wrapErrors)".into(),
                at: m.call_site(),
            })),
        };
    }
    if func.starts_with('S') {
        // As the runtime's slicebytetostring: no bytes for "", a one-byte
        // string from staticuint64s, a new copy otherwise.
        let p = match text[..] {
            [] => 0,
            [b] => {
                let table = m.image.addr("runtime.staticuint64s").unwrap_or(0);
                table + 8 * u64::from(b)
            }
            _ => {
                let p = m.alloc(text.len() as u64)?;
                m.store_bytes(p, &text)?;
                p
            }
        };
        m.set_result(nargs, 0, p)?;
        m.set_result(nargs, 1, text.len() as u64)?;
    } else {
        if file == Some(FILE_STDERR) {
            m.stderr.extend_from_slice(&text);
        } else {
            m.stdout.extend_from_slice(&text);
        }
        // n int, err error (a nil interface: two zero words).
        m.set_result(nargs, 0, text.len() as u64)?;
        m.set_result(nargs, 1, 0)?;
        m.set_result(nargs, 2, 0)?;
    }
    m.model_return()
}

/// The `runtime.print*` helpers of the `println` builtin, which write to stderr.
pub(crate) fn print_builtin(m: &mut Machine<'_>, name: &str) -> Exec {
    let text = match name {
        "runtime.printnl" => "\n".to_string(),
        "runtime.printsp" => " ".to_string(),
        "runtime.printint" => (m.arg64(0)? as i64).to_string(),
        "runtime.printuint" => m.arg64(0)?.to_string(),
        "runtime.printhex" => format!("{:#x}", m.arg64(0)?),
        "runtime.printpointer" => format!("{:#x}", m.arg(0)?),
        "runtime.printbool" => (if m.arg(0)? & 0xff != 0 {
            "true"
        } else {
            "false"
        })
        .to_string(),
        "runtime.printstring" => {
            let (ptr, len) = (m.arg(0)?, m.arg(1)?);
            String::from_utf8_lossy(&m.load_bytes(ptr, len as usize)?).into_owned()
        }
        _ => {
            let bits = match m.arch {
                Arch::Amd64 => m.cpu.xmm[0] as u64,
                Arch::I386 => m.arg64(0)?,
            };
            let v = f64::from_bits(bits);
            // Go 1.26 prints floats as fmt's %v does; earlier versions in a fixed exponent form.
            if m.go_minor >= 26 {
                String::from_utf8_lossy(&gofmt::sprint(&[Value::Float { v, bits: 64 }]))
                    .into_owned()
            } else {
                runtime_float(v)
            }
        }
    };
    m.stderr.extend_from_slice(text.as_bytes());
    m.model_return()
}

/// The runtime's own float format up to Go 1.25, as `println(1.5)` prints it: `+1.500000e+000`.
fn runtime_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    const DIGITS: usize = 7;
    let mut sign = '+';
    let mut e: i32 = 0;
    let mut v = v;
    if v == 0.0 {
        if v.is_sign_negative() {
            sign = '-';
        }
    } else {
        if v < 0.0 {
            v = -v;
            sign = '-';
        }
        while v >= 10.0 {
            e += 1;
            v /= 10.0;
        }
        while v < 1.0 {
            e -= 1;
            v *= 10.0;
        }
        let mut h = 5.0;
        for _ in 0..DIGITS {
            h /= 10.0;
        }
        v += h;
        if v >= 10.0 {
            e += 1;
            v /= 10.0;
        }
    }
    let mut digits = String::new();
    for _ in 0..DIGITS {
        let s = v as i64;
        digits.push(char::from(b'0' + s as u8));
        v -= s as f64;
        v *= 10.0;
    }
    let esign = if e < 0 { '-' } else { '+' };
    format!(
        "{sign}{}.{}e{esign}{:03}",
        &digits[..1],
        &digits[1..],
        e.abs()
    )
}

#[cfg(test)]
mod tests {
    use super::runtime_float;

    /// What `println` prints for these floats with Go 1.24 and 1.25.
    #[test]
    fn runtime_float_format() {
        assert_eq!(runtime_float(1.5), "+1.500000e+000");
        assert_eq!(runtime_float(-0.001), "-1.000000e-003");
        assert_eq!(runtime_float(0.0), "+0.000000e+000");
        assert_eq!(runtime_float(123456789.0), "+1.234568e+008");
        assert_eq!(runtime_float(f64::INFINITY), "+Inf");
    }
}
