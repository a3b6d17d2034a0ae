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
    if let Some(t) = m.image.addr(PLAIN_ERROR_TYPE) {
        put(m, t, w as usize, 2 * w);
        put(m, t + w, w as usize, w);
        put(m, t + kind_at, 1, u64::from(kind::STRING));
    }
    if let Some(t) = m.image.addr(RUNTIME_ERROR_TYPE) {
        put(m, t, w as usize, 2 * w);
        put(m, t + w, w as usize, w);
        put(m, t + kind_at, 1, u64::from(kind::STRING));
    }
    if let Some(t) = m.image.addr(ERROR_STRING_TYPE) {
        put(m, t, w as usize, w);
        put(m, t + w, w as usize, w);
        put(
            m,
            t + kind_at,
            1,
            u64::from(kind::POINTER) | KIND_DIRECT_IFACE,
        );
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
    if let (Some(itab), Some(t), Some(method)) = (
        m.image.addr(ERROR_STRING_ITAB),
        m.image.addr(ERROR_STRING_TYPE),
        m.image.stub_addr(ERROR_METHOD),
    ) {
        put(m, itab + w, w as usize, t);
        put(m, itab + 3 * w, w as usize, method);
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
    if Some(typ) == m.image.addr(ERROR_STRING_TYPE) {
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

/// Stops for `%w`, whose `*fmt.wrapError` result is not modelled.
pub(crate) fn wrap_unsupported(m: &Machine<'_>) -> Halt {
    Box::new(Stop::Unsupported {
        what: "fmt.Errorf with %w".into(),
        at: m.call_site(),
    })
}
