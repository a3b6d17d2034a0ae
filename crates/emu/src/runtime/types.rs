//! Type descriptors: what the models need to know of a `*_type` argument.
//!
//! A descriptor of the package's own types is in its data, so its size,
//! pointer bytes and kind are read from memory (`abi.Type`: size, ptrdata,
//! hash, tflag, align, fieldAlign, kind, ...). The predeclared and runtime
//! types live in the runtime, outside the listing; they are known by name.

use crate::Arch;
use crate::Stop;
use crate::exec::{Exec, Halt, Machine};
use crate::loader::SymClass;

/// Go's `abi.Kind` values.
pub(crate) mod kind {
    pub(crate) const BOOL: u8 = 1;
    pub(crate) const INT: u8 = 2;
    pub(crate) const INT64: u8 = 6;
    pub(crate) const UINT: u8 = 7;
    pub(crate) const UINTPTR: u8 = 12;
    pub(crate) const FLOAT32: u8 = 13;
    pub(crate) const FLOAT64: u8 = 14;
    pub(crate) const ARRAY: u8 = 17;
    pub(crate) const CHAN: u8 = 18;
    pub(crate) const FUNC: u8 = 19;
    pub(crate) const INTERFACE: u8 = 20;
    pub(crate) const MAP: u8 = 21;
    pub(crate) const POINTER: u8 = 22;
    pub(crate) const SLICE: u8 = 23;
    pub(crate) const STRING: u8 = 24;
    pub(crate) const STRUCT: u8 = 25;
    pub(crate) const UNSAFE_POINTER: u8 = 26;
}

/// What a type descriptor says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeInfo {
    /// The Go name, e.g. `int`, `*main.node`, `main.point`.
    pub(crate) name: String,
    /// The `abi.Kind`.
    pub(crate) kind: u8,
    /// `Size_`.
    pub(crate) size: u64,
    /// `PtrBytes`: 0 when values hold no pointers.
    pub(crate) ptrdata: u64,
    /// Whether the descriptor's bytes are in the package's data.
    pub(crate) local: bool,
    /// Where the descriptor is, when the program refers to it.
    pub(crate) addr: Option<u64>,
}

/// A type: by its descriptor's address, or by name for a runtime type the
/// program never refers to (the element type of an external `[]int`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeRef {
    /// The descriptor at this address.
    Addr(u64),
    /// The predeclared or runtime type of this name.
    Name(String),
}

/// Bytes of the `abi.Type` header that every descriptor starts with.
pub(crate) fn header_size(arch: Arch) -> u64 {
    kind_offset(arch) + 1 + 2 * arch.word() + 8
}

/// What `t` says.
pub(crate) fn resolve(m: &mut Machine<'_>, t: &TypeRef) -> Result<TypeInfo, Halt> {
    match t {
        TypeRef::Addr(a) => info(m, *a),
        TypeRef::Name(n) => {
            if let Some(a) = m
                .image
                .addr(&format!("type:{n}"))
                .or_else(|| m.image.addr(&format!("type.{n}")))
            {
                return info(m, a);
            }
            match by_name(n, m.arch) {
                Some((kind, size, ptrdata)) => Ok(TypeInfo {
                    name: n.clone(),
                    kind,
                    size,
                    ptrdata,
                    local: false,
                    addr: None,
                }),
                None => Err(unknown(m, n)),
            }
        }
    }
}

/// The element type of a slice, array or pointer type, and an array's length.
pub(crate) fn elem(m: &mut Machine<'_>, t: &TypeInfo) -> Result<(TypeRef, u64), Halt> {
    if t.local
        && let Some(a) = t.addr
    {
        let w = m.arch.word();
        let at = a + header_size(m.arch);
        let elem = m.load_word(at)?;
        let len = if t.kind == kind::ARRAY {
            m.load_word(at + 2 * w)?
        } else {
            0
        };
        return Ok((TypeRef::Addr(elem), len));
    }
    let name = &t.name;
    let rest = name.strip_prefix("[]").or_else(|| name.strip_prefix('*'));
    match rest {
        Some(rest) => Ok((TypeRef::Name(rest.to_string()), 0)),
        None => Err(unknown(m, name)),
    }
}

fn unknown(m: &Machine<'_>, name: &str) -> Halt {
    Box::new(Stop::Unsupported {
        what: format!("the runtime type {name}, whose descriptor is not modelled"),
        at: m.call_site(),
    })
}

/// Offset of `Kind_` in `abi.Type`: after size, ptrdata, hash, tflag, align, fieldAlign.
pub(crate) fn kind_offset(arch: Arch) -> u64 {
    2 * arch.word() + 4 + 3
}

/// The Go name of the type whose descriptor is at `typ`.
pub(crate) fn type_name(m: &Machine<'_>, typ: u64) -> Option<String> {
    let sym = m.image.symbol_at(typ)?;
    if sym.addr != typ {
        return None;
    }
    let name = sym
        .name
        .strip_prefix("type:")
        .or_else(|| sym.name.strip_prefix("type."))?;
    Some(name.to_string())
}

/// Kind, size and pointer bytes of a type known by name.
fn by_name(name: &str, arch: Arch) -> Option<(u8, u64, u64)> {
    let w = arch.word();
    Some(match name {
        "bool" => (kind::BOOL, 1, 0),
        "int" => (kind::INT, w, 0),
        "int8" => (3, 1, 0),
        "int16" => (4, 2, 0),
        "int32" => (5, 4, 0),
        "int64" => (kind::INT64, 8, 0),
        "uint" => (kind::UINT, w, 0),
        "uint8" => (8, 1, 0),
        "uint16" => (9, 2, 0),
        "uint32" => (10, 4, 0),
        "uint64" => (11, 8, 0),
        "uintptr" => (kind::UINTPTR, w, 0),
        "float32" => (kind::FLOAT32, 4, 0),
        "float64" => (kind::FLOAT64, 8, 0),
        "string" => (kind::STRING, 2 * w, w),
        "unsafe.Pointer" => (kind::UNSAFE_POINTER, w, w),
        "interface {}" | "error" => (kind::INTERFACE, 2 * w, 2 * w),
        // What errors.New allocates, when the compiler inlines it: struct { s string }.
        "errors.errorString" => (kind::STRUCT, 2 * w, w),
        _ if name.starts_with('*') => (kind::POINTER, w, w),
        _ if name.starts_with("[]") => (kind::SLICE, 3 * w, w),
        _ if name.starts_with("func(") => (kind::FUNC, w, w),
        _ => return None,
    })
}

/// What the descriptor at `typ` says; an unknown runtime type stops the run.
pub(crate) fn info(m: &mut Machine<'_>, typ: u64) -> Result<TypeInfo, Halt> {
    let name = type_name(m, typ).unwrap_or_else(|| format!("{typ:#x}"));
    let local = m
        .image
        .symbol_at(typ)
        .is_some_and(|s| s.class == SymClass::Data);
    if local {
        let w = m.arch.word();
        let size = m.load_word(typ)?;
        let ptrdata = m.load_word(typ + w)?;
        let kind = m.load(typ + kind_offset(m.arch), 1)? as u8 & 0x1f;
        return Ok(TypeInfo {
            name,
            kind,
            size,
            ptrdata,
            local,
            addr: Some(typ),
        });
    }
    match by_name(&name, m.arch) {
        Some((kind, size, ptrdata)) => Ok(TypeInfo {
            name,
            kind,
            size,
            ptrdata,
            local,
            addr: Some(typ),
        }),
        None => Err(unknown(m, &name)),
    }
}

/// `runtime.ifaceeq(tab *itab, x, y unsafe.Pointer) bool` and
/// `runtime.efaceeq(t *_type, x, y unsafe.Pointer) bool`: whether two
/// interface values of the same dynamic type hold equal values.
///
/// Pointer-shaped values are compared as the words themselves; integers,
/// booleans and strings by value. Other types (floats, structs, arrays) go
/// through their type's equal function, which is not modelled: the run stops.
pub(crate) fn iface_equal(m: &mut Machine<'_>, name: &str) -> Exec {
    let w = m.arch.word();
    let (tab, x, y) = (m.arg(0)?, m.arg(1)?, m.arg(2)?);
    let typ = if name == "runtime.ifaceeq" {
        if tab == 0 {
            return m.set_result(3, 0, 1).and_then(|()| m.model_return());
        }
        m.load_word(tab + w)?
    } else {
        tab
    };
    let t = info(m, typ)?;
    let equal = match t.kind {
        kind::POINTER | kind::MAP | kind::FUNC | kind::UNSAFE_POINTER | kind::CHAN => x == y,
        kind::BOOL | kind::INT..=kind::UINTPTR => {
            let size = t.size as usize;
            m.load(x, size)? == m.load(y, size)?
        }
        kind::STRING => {
            let (xp, xl) = (m.load_word(x)?, m.load_word(x + w)?);
            let (yp, yl) = (m.load_word(y)?, m.load_word(y + w)?);
            xl == yl && m.load_bytes(xp, xl as usize)? == m.load_bytes(yp, yl as usize)?
        }
        _ => {
            return Err(Box::new(Stop::Unsupported {
                what: format!("comparing interface values of type {}", t.name),
                at: m.call_site(),
            }));
        }
    };
    m.set_result(3, 0, u64::from(equal))?;
    m.model_return()
}
