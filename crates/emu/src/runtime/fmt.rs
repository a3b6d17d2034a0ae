//! Output: the `println` builtin's `runtime.print*` helpers and the `fmt`
//! printing functions, which decode their `...any` arguments through the
//! type descriptors and format them as Go does ([`crate::gofmt`]).

use crate::exec::{Exec, Halt, Machine, sign_extend};
use crate::gofmt::{self, Value};
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

/// Decodes the value of type `typ` stored at `addr`.
fn decode(m: &mut Machine<'_>, typ: &TypeRef, addr: u64) -> Result<Value, Halt> {
    let info = types::resolve(m, typ)?;
    let name = info.name.clone();
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
        kind::POINTER | kind::UNSAFE_POINTER => Value::Pointer {
            addr: m.load_word(addr)?,
            ty: name,
        },
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
            if has_format_method(m, &name) {
                return Err(Box::new(Stop::Unsupported {
                    what: format!("calling a String or Error method of {name} from fmt"),
                    at: m.call_site(),
                }));
            }
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

/// Whether the program defines `String` or `Error` on the named type.
fn has_format_method(m: &Machine<'_>, name: &str) -> bool {
    let Some((pkg, ty)) = name.split_once('.') else {
        return false;
    };
    ["String", "Error"].iter().any(|method| {
        [
            format!("{pkg}.{ty}.{method}"),
            format!("{pkg}.(*{ty}).{method}"),
        ]
        .iter()
        .any(|f| m.listing.function(f).is_some())
    })
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
/// The operands the `%w` verbs of `format` take, in order; `None` when an
/// argument index or a `*` width or precision makes that harder to tell.
fn wrapped_operands(format: &[u8]) -> Option<Vec<u64>> {
    let mut out = Vec::new();
    let mut operand = 0u64;
    let mut i = 0;
    while i < format.len() {
        if format[i] != b'%' {
            i += 1;
            continue;
        }
        i += 1;
        // Flags, width and precision, then the verb.
        while i < format.len() && b"+-# 0123456789.".contains(&format[i]) {
            i += 1;
        }
        match format.get(i) {
            None => break,
            Some(b'%') => {}
            Some(b'[' | b'*') => return None,
            Some(&verb) => {
                if verb == b'w' {
                    out.push(operand);
                }
                operand += 1;
            }
        }
        i += 1;
    }
    Some(out)
}

fn decode_args(m: &mut Machine<'_>, ptr: u64, len: u64) -> Result<Vec<Value>, Halt> {
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
                ty: name,
            }
        } else {
            decode(m, &TypeRef::Addr(typ), data)?
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
    let args = decode_args(m, ptr, len)?;
    let text = match &fmt_bytes {
        Some(f) => gofmt::sprintf(f, &args),
        None if func.ends_with("ln") => gofmt::sprintln(&args),
        None => gofmt::sprint(&args),
    };
    if func.eq_ignore_ascii_case("errorf") {
        let format = fmt_bytes.as_deref().unwrap_or_default();
        let Some(wrapped) = wrapped_operands(format) else {
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
        let p = m.alloc(text.len() as u64)?;
        m.store_bytes(p, &text)?;
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
