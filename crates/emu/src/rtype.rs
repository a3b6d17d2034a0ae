//! The runtime's own type descriptors (`internal/abi.Type`, before Go 1.21
//! `runtime._type`), read from the executable's memory: a heap object's
//! type as `runtime.mallocgc` was given it, with its name and, for a
//! struct or an array, its parts.
//!
//! The header is the same in every Go this reads (1.20 to 1.27): `Size_`,
//! `PtrBytes` (words), `Hash` (4 bytes), `TFlag`, `Align_`, `FieldAlign_`,
//! `Kind_` (a byte each), `Equal`, `GCData` (words), `Str` (a 4-byte offset
//! of the name from `runtime.types`), `PtrToThis`. A struct type follows it
//! with `PkgPath` (a name pointer) and `Fields` (a slice of `{Name, Typ,
//! Offset}`, a word each); an array type with `Elem`, `Slice` and `Len`. A
//! name is a flags byte, a varint length and the bytes.

/// A kind of type, as the runtime numbers them (`internal/abi.Kind`).
pub mod kind {
    /// `bool`.
    pub const BOOL: u8 = 1;
    /// `int`; `INT8` to `INT64` follow it.
    pub const INT: u8 = 2;
    /// `int64`.
    pub const INT64: u8 = 6;
    /// `uint`; `UINT8` to `UINT64` and `UINTPTR` follow it.
    pub const UINT: u8 = 7;
    /// `uintptr`.
    pub const UINTPTR: u8 = 12;
    /// `float32`.
    pub const FLOAT32: u8 = 13;
    /// `float64`.
    pub const FLOAT64: u8 = 14;
    /// `[N]T`.
    pub const ARRAY: u8 = 17;
    /// `interface { ... }`.
    pub const INTERFACE: u8 = 20;
    /// `[]T`.
    pub const SLICE: u8 = 23;
    /// `string`.
    pub const STRING: u8 = 24;
    /// `struct { ... }`.
    pub const STRUCT: u8 = 25;
}

/// The flag that says a type's name carries an extra leading `*`.
const TFLAG_EXTRA_STAR: u8 = 1 << 1;

/// One runtime type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RType {
    /// Its address.
    pub addr: u64,
    /// Its name as Go prints it: `main.point`, `int`, `struct { F uintptr; X0 *int }`.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its kind (`kind::STRUCT`, ...).
    pub kind: u8,
}

/// Reads the runtime's type descriptors of one executable.
pub struct Types<'a> {
    /// Reads `size` bytes little-endian at an address.
    read: &'a dyn Fn(u64, usize) -> u64,
    /// `runtime.types`: names are offsets from it.
    base: u64,
    /// The word size.
    w: u64,
}

impl<'a> Types<'a> {
    /// Types whose names are offsets from `base` (the `runtime.types` symbol).
    pub fn new(read: &'a dyn Fn(u64, usize) -> u64, base: u64, word: u64) -> Types<'a> {
        Types {
            read,
            base,
            w: word,
        }
    }

    fn word(&self, addr: u64) -> u64 {
        (self.read)(addr, self.w as usize)
    }

    /// A name's bytes (flags byte, varint length, bytes); none if it does
    /// not look like one.
    fn name_at(&self, addr: u64) -> Option<String> {
        let (mut len, mut shift, mut at) = (0u64, 0, addr + 1);
        loop {
            let b = (self.read)(at, 1);
            at += 1;
            len |= (b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 21 {
                return None;
            }
        }
        if len > 4096 {
            return None;
        }
        let bytes: Vec<u8> = (0..len).map(|i| (self.read)(at + i, 1) as u8).collect();
        String::from_utf8(bytes).ok()
    }

    /// The type at `addr`.
    pub fn at(&self, addr: u64) -> Option<RType> {
        if addr == 0 {
            return None;
        }
        let w = self.w;
        let size = self.word(addr);
        let tflag = (self.read)(addr + 2 * w + 4, 1) as u8;
        let kind = (self.read)(addr + 2 * w + 7, 1) as u8 & 0x1f;
        let str_off = (self.read)(addr + 4 * w + 8, 4) as u32;
        let mut name = self.name_at(self.base + u64::from(str_off))?;
        if tflag & TFLAG_EXTRA_STAR != 0 {
            name.remove(0);
        }
        Some(RType {
            addr,
            name,
            size,
            kind,
        })
    }

    /// A struct's fields: name, type and offset.
    pub fn fields(&self, t: &RType) -> Vec<(String, RType, u64)> {
        if t.kind != kind::STRUCT {
            return Vec::new();
        }
        let w = self.w;
        let header = 4 * w + 16;
        let (ptr, len) = (
            self.word(t.addr + header + w),
            self.word(t.addr + header + 2 * w),
        );
        (0..len.min(1024))
            .filter_map(|i| {
                let f = ptr + i * 3 * w;
                let name = self.name_at(self.word(f))?;
                let typ = self.at(self.word(f + w))?;
                Some((name, typ, self.word(f + 2 * w)))
            })
            .collect()
    }

    /// An array's element type and length.
    pub fn array(&self, t: &RType) -> Option<(RType, u64)> {
        if t.kind != kind::ARRAY {
            return None;
        }
        let header = 4 * self.w + 16;
        Some((
            self.at(self.word(t.addr + header))?,
            self.word(t.addr + header + 2 * self.w),
        ))
    }
}
