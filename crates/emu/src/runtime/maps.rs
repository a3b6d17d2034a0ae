//! Maps: the runtime's map functions, modelled on a table of entries kept
//! beside the map's header, whose count field (`len(m)` reads it) is kept
//! up to date. Each value lives in its own heap slot, so the pointers
//! `mapassign` and `mapaccess` return stay valid, as Go's do until the map grows.
//!
//! Ranging over a map is not modelled: Go randomises the order, so no run
//! of the real program could be matched step for step.

use super::types::{self, TypeRef};
use crate::exec::{Exec, Halt, Machine};
use crate::{Arch, Stop};

/// The entries of one map.
#[derive(Debug, Clone, Default)]
pub(crate) struct MapModel {
    /// Key bytes (a string key's bytes; an integer key's value) and the value's slot.
    pub(crate) entries: Vec<(Vec<u8>, u64)>,
}

/// Bytes of a map header the models allocate (`hmap` and the Swiss-table `Map` both fit).
const HEADER: u64 = 48;

/// How the key arrives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    /// `_faststr`: a string, by value.
    Str,
    /// `_fast64`: a 64-bit integer, by value.
    U64,
    /// `_fast32`: a 32-bit integer, by value.
    U32,
    /// The generic functions: a pointer to the key.
    Ptr,
}

fn key_kind(name: &str) -> KeyKind {
    if name.ends_with("_faststr") {
        KeyKind::Str
    } else if name.ends_with("_fast64") || name.ends_with("_fast64ptr") {
        KeyKind::U64
    } else if name.ends_with("_fast32") || name.ends_with("_fast32ptr") {
        KeyKind::U32
    } else {
        KeyKind::Ptr
    }
}

/// Whether `name` is a map function this module models.
pub(crate) fn is_map_function(name: &str) -> bool {
    let base = name
        .trim_end_matches("_faststr")
        .trim_end_matches("_fast64")
        .trim_end_matches("_fast32");
    matches!(
        base,
        "runtime.mapassign" | "runtime.mapaccess1" | "runtime.mapaccess2" | "runtime.mapdelete"
    ) || matches!(
        name,
        "runtime.makemap_small" | "runtime.makemap" | "runtime.rand" | "runtime.mapclear"
    )
}

/// Reads the key argument starting at word 2; returns its bytes and the words it took.
fn read_key(m: &mut Machine<'_>, kind: KeyKind, key_size: u64) -> Result<(Vec<u8>, usize), Halt> {
    Ok(match kind {
        KeyKind::Str => {
            let (ptr, len) = (m.arg(2)?, m.arg(3)?);
            (m.load_bytes(ptr, len as usize)?, 2)
        }
        KeyKind::U64 => {
            let words = if m.arch == Arch::I386 { 2 } else { 1 };
            (m.arg64(2)?.to_le_bytes().to_vec(), words)
        }
        KeyKind::U32 => ((m.arg(2)? as u32).to_le_bytes().to_vec(), 1),
        KeyKind::Ptr => {
            let p = m.arg(2)?;
            (m.load_bytes(p, key_size as usize)?, 1)
        }
    })
}

/// Key and element types of a map type descriptor: `abi.Type`, then `Key *Type`, `Elem *Type`.
fn key_elem(m: &mut Machine<'_>, maptype: u64) -> Result<(types::TypeInfo, types::TypeInfo), Halt> {
    let w = m.arch.word();
    let at = maptype + types::header_size(m.arch);
    let key = m.load_word(at)?;
    let elem = m.load_word(at + w)?;
    Ok((
        types::resolve(m, &TypeRef::Addr(key))?,
        types::resolve(m, &TypeRef::Addr(elem))?,
    ))
}

/// Runs the map function `name`.
pub(crate) fn call(m: &mut Machine<'_>, name: &str) -> Exec {
    match name {
        "runtime.rand" => {
            // splitmix64 from a fixed seed: any value is one Go could return, and runs repeat.
            m.rt.rand = m.rt.rand.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = m.rt.rand;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            match m.arch {
                Arch::Amd64 => m.set_result(0, 0, z)?,
                Arch::I386 => {
                    m.set_result(0, 0, z & 0xffff_ffff)?;
                    m.set_result(0, 1, z >> 32)?;
                }
            }
            return m.model_return();
        }
        "runtime.makemap_small" => {
            let h = m.alloc(HEADER)?;
            m.rt.maps.insert(h, MapModel::default());
            m.set_result(0, 0, h)?;
            return m.model_return();
        }
        "runtime.makemap" => {
            // makemap(t *maptype, hint int, m *hmap) *hmap: m is a header the caller provides, or nil.
            let given = m.arg(2)?;
            let h = if given != 0 { given } else { m.alloc(HEADER)? };
            m.rt.maps.insert(h, MapModel::default());
            m.set_result(3, 0, h)?;
            return m.model_return();
        }
        _ => {}
    }
    let maptype = m.arg(0)?;
    let h = m.arg(1)?;
    let (key_t, elem_t) = key_elem(m, maptype)?;
    let kind = key_kind(name);
    if kind == KeyKind::Ptr && (key_t.ptrdata != 0 || matches!(key_t.kind, 13..=16)) {
        return Err(Box::new(Stop::Unsupported {
            what: format!(
                "a map keyed by {}, whose keys compare by more than their bytes",
                key_t.name
            ),
            at: m.call_site(),
        }));
    }
    let (key, key_words) = read_key(m, kind, key_t.size)?;
    let nargs = 2 + key_words;
    let base = name
        .trim_end_matches("_faststr")
        .trim_end_matches("_fast64")
        .trim_end_matches("_fast32");
    let zero = m.image.addr("runtime.zeroVal").unwrap_or(0);
    if h == 0 {
        return match base {
            "runtime.mapassign" => Err(super::panic::from_call(
                m,
                name,
                "assignment to entry in nil map",
                true,
            )),
            "runtime.mapaccess1" => {
                m.set_result(nargs, 0, zero)?;
                m.model_return()
            }
            "runtime.mapaccess2" => {
                m.set_result(nargs, 0, zero)?;
                super::strings::set_bool_result_at(m, nargs, 1, false)?;
                m.model_return()
            }
            _ => m.model_return(),
        };
    }
    // A map whose header the compiled code set up itself (on the stack) starts empty.
    let found =
        m.rt.maps
            .entry(h)
            .or_default()
            .entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v);
    match base {
        "runtime.mapassign" => {
            let slot = match found {
                Some(slot) => slot,
                None => {
                    let slot = m.alloc(elem_t.size.max(1))?;
                    m.rt.maps.entry(h).or_default().entries.push((key, slot));
                    store_count(m, h)?;
                    slot
                }
            };
            m.set_result(nargs, 0, slot)?;
        }
        "runtime.mapaccess1" => m.set_result(nargs, 0, found.unwrap_or(zero))?,
        "runtime.mapaccess2" => {
            m.set_result(nargs, 0, found.unwrap_or(zero))?;
            super::strings::set_bool_result_at(m, nargs, 1, found.is_some())?;
        }
        _ => {
            // mapdelete
            if let Some(model) = m.rt.maps.get_mut(&h) {
                model.entries.retain(|(k, _)| *k != key);
            }
            store_count(m, h)?;
        }
    }
    m.model_return()
}

/// Writes the entry count where `len(m)` reads it: the header's first word.
fn store_count(m: &mut Machine<'_>, h: u64) -> Exec {
    let n =
        m.rt.maps
            .get(&h)
            .map_or(0, |model| model.entries.len() as u64);
    let size = if m.go_minor >= 24 {
        8
    } else {
        m.arch.word() as usize
    };
    m.store(h, size, n)
}

/// Moves the maps whose headers lie in `[lo, hi)` by `delta` (the stack they live on moved).
pub(crate) fn relocate(m: &mut Machine<'_>, lo: u64, hi: u64, delta: u64) {
    let moved: Vec<u64> = m.rt.maps.range(lo..hi).map(|(k, _)| *k).collect();
    for k in moved {
        if let Some(model) = m.rt.maps.remove(&k) {
            m.rt.maps.insert(k.wrapping_add(delta) & m.mask(), model);
        }
    }
}
