//! Error values the runtime and `fmt` make: run-time error panics
//! (`runtime.errorString`, whose `Error` prefixes "runtime error: ") and the
//! `*errors.errorString` that `fmt.Errorf` returns, with the itab that makes
//! it an `error` and a model of its `Error` method.

use super::types::{self, kind};
use crate::Stop;
use crate::exec::{Exec, Halt, Machine};

/// The type of run-time error panic values.
pub(crate) const RUNTIME_ERROR_TYPE: &str = "type:runtime.errorString";
/// The type of the runtime's plain panics, whose text has no "runtime error: " prefix.
pub(crate) const PLAIN_ERROR_TYPE: &str = "type:runtime.plainError";
/// The type `errors.New` and `fmt.Errorf` (without `%w`) return.
pub(crate) const ERROR_STRING_TYPE: &str = "type:*errors.errorString";
/// The itab of `*errors.errorString` as an `error`.
pub(crate) const ERROR_STRING_ITAB: &str = "go:itab.*errors.errorString,error";
/// The `Error` method the itab points at.
pub(crate) const ERROR_METHOD: &str = "errors.(*errorString).Error";
/// The type `fmt.Errorf` returns for one `%w`: `*fmt.wrapError{msg string, err error}`.
pub(crate) const WRAP_ERROR_TYPE: &str = "type:*fmt.wrapError";
/// Its itab as an `error`.
pub(crate) const WRAP_ERROR_ITAB: &str = "go:itab.*fmt.wrapError,error";
/// Its `Error` method (the message is the first field, as errorString's is).
pub(crate) const WRAP_ERROR_METHOD: &str = "fmt.(*wrapError).Error";

/// The errors the runtime panics with from static data (`panicdivide`'s
/// `divideError`, `panicmem`'s `memoryError`, `panicshift`'s `shiftError`,
/// and constant errors such as makeslice's and a nil map's, which the
/// compiler puts in read-only static temporaries, `..stmp_`), by the name the
/// emulator gives the object and the text; the object holds the string
/// header, then the text. Only bounds errors are made when raised.
pub(crate) const STATIC_ERRORS: [(&str, &str); 6] = [
    ("runtime.divideError", "integer divide by zero"),
    (
        "runtime.memoryError",
        "invalid memory address or nil pointer dereference",
    ),
    ("runtime.shiftError", "negative shift amount"),
    ("runtime..stmp_makesliceLen", "makeslice: len out of range"),
    ("runtime..stmp_makesliceCap", "makeslice: cap out of range"),
    ("runtime..stmp_nilMap", "assignment to entry in nil map"),
];

/// The text of the static run-time error `name`.
pub(crate) fn static_error(name: &str) -> Option<&'static str> {
    STATIC_ERRORS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// `abi.Type`'s flag on the kind byte: the value is stored in the interface word itself.
const KIND_DIRECT_IFACE: u64 = 1 << 5;

/// Fills in the modelled descriptors and the itab.
pub(crate) fn init(m: &mut Machine<'_>) {
    let w = m.arch.word();
    let kind_at = types::kind_offset(m.arch);
    let put = |m: &mut Machine<'_>, addr: u64, size: usize, v: u64| {
        m.mem
            .write_bytes(addr, &v.to_le_bytes()[..size])
            .expect("runtime data is mapped");
    };
    // The descriptors' headers: size, pointer bytes and kind.
    let string_backed = (2 * w, w, u64::from(kind::STRING));
    let pointer = (w, w, u64::from(kind::POINTER) | KIND_DIRECT_IFACE);
    for (name, (size, ptrdata, kind)) in [
        (PLAIN_ERROR_TYPE, string_backed),
        (RUNTIME_ERROR_TYPE, string_backed),
        (ERROR_STRING_TYPE, pointer),
        (WRAP_ERROR_TYPE, pointer),
    ] {
        if let Some(t) = m.image.addr(name) {
            put(m, t, w as usize, size);
            put(m, t + w, w as usize, ptrdata);
            put(m, t + kind_at, 1, kind);
        }
    }
    for (name, text) in STATIC_ERRORS {
        if let Some(at) = m.image.addr(name) {
            put(m, at, w as usize, at + 2 * w);
            put(m, at + w, w as usize, text.len() as u64);
            m.mem
                .write_bytes(at + 2 * w, text.as_bytes())
                .expect("runtime data is mapped");
        }
    }
    for (itab, typ, method) in [
        (ERROR_STRING_ITAB, ERROR_STRING_TYPE, ERROR_METHOD),
        (WRAP_ERROR_ITAB, WRAP_ERROR_TYPE, WRAP_ERROR_METHOD),
    ] {
        if let (Some(itab), Some(t), Some(method)) = (
            m.image.addr(itab),
            m.image.addr(typ),
            m.image.stub_addr(method),
        ) {
            put(m, itab + w, w as usize, t);
            put(m, itab + 3 * w, w as usize, method);
        }
    }
}

/// A run-time error value as an `any`: (type, pointer to the message string).
pub(crate) fn runtime_error_value(m: &mut Machine<'_>, message: &str) -> Result<(u64, u64), Halt> {
    error_value(m, RUNTIME_ERROR_TYPE, message)
}

/// A value of `type_name` (one of the string-backed error types) as an `any`.
pub(crate) fn error_value(
    m: &mut Machine<'_>,
    type_name: &str,
    message: &str,
) -> Result<(u64, u64), Halt> {
    let typ = m.image.addr(type_name).unwrap_or(0);
    let fixed = STATIC_ERRORS
        .iter()
        .find(|(_, text)| *text == message)
        .and_then(|(name, _)| m.image.addr(name));
    if let Some(data) = fixed {
        return Ok((typ, data));
    }
    let data = new_string_header(m, message.as_bytes())?;
    Ok((typ, data))
}

/// Allocates the bytes and a string header pointing at them; returns the header's address.
fn new_string_header(m: &mut Machine<'_>, bytes: &[u8]) -> Result<u64, Halt> {
    let w = m.arch.word();
    let ptr = if bytes.is_empty() {
        0
    } else {
        m.alloc(bytes.len() as u64)?
    };
    m.store_bytes(ptr, bytes)?;
    let header = m.alloc(2 * w)?;
    m.store_word(header, ptr)?;
    m.store_word(header + w, bytes.len() as u64)?;
    Ok(header)
}

/// The text `Error()` would return for an interface holding (`typ`, `data`), if it is a modelled error.
pub(crate) fn error_text(
    m: &mut Machine<'_>,
    typ: u64,
    data: u64,
) -> Result<Option<Vec<u8>>, Halt> {
    let w = m.arch.word();
    let read = |m: &mut Machine<'_>, header: u64| -> Result<Vec<u8>, Halt> {
        let ptr = m.load_word(header)?;
        let len = m.load_word(header + w)?;
        m.load_bytes(ptr, len as usize)
    };
    if Some(typ) == m.image.addr(RUNTIME_ERROR_TYPE) {
        let mut text = b"runtime error: ".to_vec();
        text.extend(read(m, data)?);
        return Ok(Some(text));
    }
    if Some(typ) == m.image.addr(PLAIN_ERROR_TYPE) {
        return Ok(Some(read(m, data)?));
    }
    if Some(typ) == m.image.addr(ERROR_STRING_TYPE) || Some(typ) == m.image.addr(WRAP_ERROR_TYPE) {
        return Ok(Some(read(m, data)?));
    }
    Ok(None)
}

/// `fmt.Errorf(format string, a ...any) error`, without `%w`: an `*errors.errorString`.
pub(crate) fn errorf(m: &mut Machine<'_>, text: &[u8], nargs: usize) -> Exec {
    let object = new_string_header(m, text)?;
    let itab = m.image.addr(ERROR_STRING_ITAB).unwrap_or(0);
    m.set_result(nargs, 0, itab)?;
    m.set_result(nargs, 1, object)?;
    m.model_return()
}

/// `errors.New(text string) error`: a new `*errors.errorString`.
///
/// The object holds the caller's string itself, as `&errorString{text}` does.
pub(crate) fn new(m: &mut Machine<'_>) -> Exec {
    let w = m.arch.word();
    let (ptr, len) = (m.arg(0)?, m.arg(1)?);
    let object = m.alloc(2 * w)?;
    m.store_word(object, ptr)?;
    m.store_word(object + w, len)?;
    let itab = m.image.addr(ERROR_STRING_ITAB).unwrap_or(0);
    m.set_result(2, 0, itab)?;
    m.set_result(2, 1, object)?;
    m.model_return()
}

/// `(*errors.errorString).Error() string`.
pub(crate) fn error_method(m: &mut Machine<'_>) -> Exec {
    let w = m.arch.word();
    let object = m.arg(0)?;
    if object == 0 {
        return Err(super::panic::nil_dereference(m, 0));
    }
    let ptr = m.load_word(object)?;
    let len = m.load_word(object + w)?;
    m.set_result(1, 0, ptr)?;
    m.set_result(1, 1, len)?;
    m.model_return()
}

/// `fmt.Errorf` with one `%w`: a `*fmt.wrapError` holding the message and
/// the wrapped operand (`any` as type and data) as an `error`, or nil when
/// the operand is not one.
pub(crate) fn wrap(m: &mut Machine<'_>, text: &[u8], wrapped: (u64, u64), nargs: usize) -> Exec {
    let w = m.arch.word();
    let inner = match wrapped {
        (0, _) => (0, 0),
        (typ, data) => match error_itab(m, typ) {
            Some(itab) => (itab, data),
            None => {
                let name = super::types::type_name(m, typ).unwrap_or_default();
                return Err(Box::new(Stop::Unsupported {
                    what: format!(
                        "fmt.Errorf wrapping a {name}, whose itab as an error is not in the program"
                    ),
                    at: m.call_site(),
                }));
            }
        },
    };
    let header = new_string_header(m, text)?;
    let object = m.alloc(4 * w)?;
    for (i, v) in [
        m.load_word(header)?,
        m.load_word(header + w)?,
        inner.0,
        inner.1,
    ]
    .into_iter()
    .enumerate()
    {
        m.store_word(object + i as u64 * w, v)?;
    }
    let itab = m.image.addr(WRAP_ERROR_ITAB).unwrap_or(0);
    m.set_result(nargs, 0, itab)?;
    m.set_result(nargs, 1, object)?;
    m.model_return()
}

/// The itab that makes the type at `typ` an `error`: a modelled one, or the
/// program's own `go:itab.<type>,error`; none when the program has none.
fn error_itab(m: &mut Machine<'_>, typ: u64) -> Option<u64> {
    if Some(typ) == m.image.addr(ERROR_STRING_TYPE) {
        return m.image.addr(ERROR_STRING_ITAB);
    }
    if Some(typ) == m.image.addr(WRAP_ERROR_TYPE) {
        return m.image.addr(WRAP_ERROR_ITAB);
    }
    let name = super::types::type_name(m, typ)?;
    m.image.addr(&format!("go:itab.{name},error"))
}

/// What `errors.Is` and `errors.Unwrap` may look through: the error held by
/// (`itab`, `data`) unwrapped once, `None` for an error that wraps nothing.
/// A type of the program's own (which may have `Unwrap` or `Is` methods)
/// stops the run.
fn unwrap_once(
    m: &mut Machine<'_>,
    (itab, data): (u64, u64),
    func: &str,
) -> Result<Option<(u64, u64)>, Halt> {
    let w = m.arch.word();
    let typ = m.load_word(itab + w)?;
    if Some(typ) == m.image.addr(WRAP_ERROR_TYPE) {
        let inner = (m.load_word(data + 2 * w)?, m.load_word(data + 3 * w)?);
        return Ok((inner.0 != 0).then_some(inner));
    }
    let plain = [ERROR_STRING_TYPE, RUNTIME_ERROR_TYPE, PLAIN_ERROR_TYPE]
        .iter()
        .any(|t| Some(typ) == m.image.addr(t));
    if plain {
        return Ok(None);
    }
    let name = super::types::type_name(m, typ).unwrap_or_default();
    Err(Box::new(Stop::Unsupported {
        what: format!("{func} through a {name} (its Unwrap and Is methods are not called)"),
        at: m.call_site(),
    }))
}

/// `errors.Is(err, target error) bool`, for the errors the models make.
pub(crate) fn is(m: &mut Machine<'_>) -> Exec {
    let mut err = (m.arg(0)?, m.arg(1)?);
    let target = (m.arg(2)?, m.arg(3)?);
    let found = loop {
        if err.0 == 0 || target.0 == 0 {
            break err.0 == target.0;
        }
        if err == target {
            break true;
        }
        if err.0 == target.0 {
            // Same dynamic type, other data: equal values only matter for non-pointers.
            let typ = m.load_word(err.0 + m.arch.word())?;
            let t = super::types::info(m, typ)?;
            if t.kind != super::types::kind::POINTER {
                return Err(Box::new(Stop::Unsupported {
                    what: format!("errors.Is comparing two {} values", t.name),
                    at: m.call_site(),
                }));
            }
        }
        match unwrap_once(m, err, "errors.Is")? {
            Some(inner) => err = inner,
            None => break false,
        }
    };
    m.set_result(4, 0, u64::from(found))?;
    m.model_return()
}

/// `errors.Unwrap(err error) error`, for the errors the models make.
pub(crate) fn unwrap(m: &mut Machine<'_>) -> Exec {
    let err = (m.arg(0)?, m.arg(1)?);
    let inner = if err.0 == 0 {
        None
    } else {
        unwrap_once(m, err, "errors.Unwrap")?
    };
    let (itab, data) = inner.unwrap_or((0, 0));
    m.set_result(2, 0, itab)?;
    m.set_result(2, 1, data)?;
    m.model_return()
}
