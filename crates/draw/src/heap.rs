//! The heap objects a stack picture's frames point to, each with the type
//! `runtime.mallocgc` was given for it (the runtime's own type descriptor)
//! and its parts at that step.

use gostack_diagram::{FrameBox, HeapBox, HeapRow, Pointer, Register};
use gostack_emu::rtype::{RType, Types, kind};
use gostack_emu::{History, Run, Snapshot};

use crate::build::Namer;

/// How many pointers deep from the frames objects are drawn.
const DEPTH: usize = 3;

/// The most parts drawn of one object; the rest is summed up in a row.
const MOST_ROWS: usize = 24;

/// The objects that words of `frames` point into, in the order the run
/// allocated them.
pub(crate) fn heap_boxes(
    run: &Run,
    history: &History<'_>,
    snap: &Snapshot,
    frames: &[FrameBox],
    registers: &[Register],
    namer: &mut Namer<'_>,
) -> Vec<HeapBox> {
    let w = run.layout.word();
    let read = |addr: u64, size: usize| snap.read(addr, size);
    let types = run
        .layout
        .addr("runtime.types")
        .map(|base| Types::new(&read, base, w));
    // The objects frame words point into, then those their parts point
    // into, a few levels deep.
    let mut boxes: Vec<HeapBox> = Vec::new();
    let mut next: Vec<usize> = frames
        .iter()
        .flat_map(|f| &f.rows)
        .filter(|r| !r.stale)
        .map(|r| r.value.as_str())
        .chain(
            registers
                .iter()
                .filter(|r| !r.holds.is_empty())
                .map(|r| r.value.as_str()),
        )
        .filter_map(object_number)
        .collect();
    for _ in 0..DEPTH {
        next.sort_unstable();
        next.dedup();
        next.retain(|k| !boxes.iter().any(|b| b.name == format!("heap#{k}")));
        let found: Vec<HeapBox> = next
            .iter()
            .filter_map(|&k| object(run, history, snap, types.as_ref(), k, namer))
            .collect();
        next = found
            .iter()
            .flat_map(|b| &b.rows)
            .filter_map(|r| object_number(&r.value))
            .collect();
        boxes.extend(found);
    }
    boxes.sort_by_key(|b| object_number(&b.name));
    boxes
}

/// Heap object `k`, drawn.
fn object(
    run: &Run,
    history: &History<'_>,
    snap: &Snapshot,
    types: Option<&Types<'_>>,
    k: usize,
    namer: &mut Namer<'_>,
) -> Option<HeapBox> {
    let w = run.layout.word();
    let alloc = history.alloc(k)?;
    let typ = types.as_ref().and_then(|t| t.at(alloc.typ));
    let mut rows = Vec::new();
    let type_name = match (types, typ) {
        (Some(types), Some(t)) if t.size > 0 && alloc.size > t.size && alloc.size % t.size == 0 => {
            // `makeslice` gives the element type: an array of them.
            let n = alloc.size / t.size;
            for i in 0..n {
                let at = i * t.size;
                parts(
                    types,
                    &t,
                    alloc.addr,
                    at,
                    &format!("[{i}]"),
                    snap,
                    namer,
                    &mut rows,
                );
            }
            format!("[{n}]{}", t.name)
        }
        (Some(types), Some(t)) => {
            parts(types, &t, alloc.addr, 0, "", snap, namer, &mut rows);
            t.name
        }
        _ if alloc.typ == 0 => {
            bytes(alloc.addr, alloc.size, snap, &mut rows);
            "bytes".to_string()
        }
        // A type this cannot read: its words, and the type's address.
        _ => {
            for at in (0..alloc.size).step_by(w as usize) {
                rows.push(HeapRow {
                    offset: at,
                    label: String::new(),
                    value: namer.value(snap.read(alloc.addr + at, w as usize)),
                });
            }
            format!("the type at {:#x}", alloc.typ)
        }
    };
    if rows.len() > MOST_ROWS {
        let rest = rows[MOST_ROWS].offset;
        rows.truncate(MOST_ROWS);
        rows.push(HeapRow {
            offset: rest,
            label: String::new(),
            value: format!("({} more bytes)", alloc.size - rest),
        });
    }
    Some(HeapBox {
        name: format!("heap#{k}"),
        type_name,
        addr: alloc.addr,
        size: alloc.size,
        rows,
    })
}

/// Keeps, with `heap`, the objects that the frames left after
/// [`crate::focus`] point into, and those the kept ones point into; drops
/// them all without.
pub(crate) fn keep(d: &mut gostack_diagram::StackDiagram, heap: bool) {
    if !heap {
        d.heap.clear();
        return;
    }
    // Only the objects reached from the frames, through kept objects.
    let mut kept = vec![false; d.heap.len()];
    loop {
        let more: Vec<usize> = (0..d.heap.len())
            .filter(|&k| !kept[k])
            .filter(|&k| {
                d.pointers_to(k).iter().any(|(p, _)| match p {
                    Pointer::Frame { .. } | Pointer::Register(_) => true,
                    Pointer::Heap { object, .. } => kept[*object],
                })
            })
            .collect();
        if more.is_empty() {
            break;
        }
        more.into_iter().for_each(|k| kept[k] = true);
    }
    let mut k = 0;
    d.heap.retain(|_| {
        k += 1;
        kept[k - 1]
    });
}

/// The object a value shown as `heap#23` or `heap#23+0x8` points into.
fn object_number(value: &str) -> Option<usize> {
    let rest = value.strip_prefix("heap#")?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let after = &rest[digits..];
    if !(after.is_empty() || after.starts_with("+0x")) {
        return None;
    }
    rest[..digits].parse().ok()
}

/// The parts of a value of type `t` at `base + offset`, named from `prefix`:
/// a struct's fields and an array's elements one by one, a string's and a
/// slice's words by their names, anything else as one value.
#[allow(clippy::too_many_arguments)]
fn parts(
    types: &Types<'_>,
    t: &RType,
    addr: u64,
    offset: u64,
    prefix: &str,
    snap: &Snapshot,
    namer: &mut Namer<'_>,
    rows: &mut Vec<HeapRow>,
) {
    if rows.len() > MOST_ROWS {
        return;
    }
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else if name.starts_with('[') {
            format!("{prefix}{name}")
        } else {
            format!("{prefix}.{name}")
        }
    };
    let w = namer.word();
    if t.size == 0 {
        return;
    }
    match t.kind {
        kind::STRUCT => {
            for (name, ft, off) in types.fields(t) {
                parts(
                    types,
                    &ft,
                    addr,
                    offset + off,
                    &join(&name),
                    snap,
                    namer,
                    rows,
                );
            }
        }
        kind::ARRAY => {
            if let Some((elem, len)) = types.array(t) {
                for i in 0..len.min(MOST_ROWS as u64 + 1) {
                    let at = offset + i * elem.size;
                    parts(
                        types,
                        &elem,
                        addr,
                        at,
                        &join(&format!("[{i}]")),
                        snap,
                        namer,
                        rows,
                    );
                }
            }
        }
        _ if t.size > w => {
            let names: &[&str] = match t.kind {
                kind::STRING => &["ptr", "len"],
                kind::SLICE => &["ptr", "len", "cap"],
                kind::INTERFACE => &["tab", "data"],
                _ => &[],
            };
            for i in 0..t.size.div_ceil(w) {
                let name = match names.get(i as usize) {
                    Some(n) => join(n),
                    None => format!("{prefix}+{:#x}", i * w),
                };
                rows.push(HeapRow {
                    offset: offset + i * w,
                    label: name,
                    value: namer.value(snap.read(addr + offset + i * w, w as usize)),
                });
            }
        }
        _ => {
            let v = snap.read(addr + offset, t.size.clamp(1, w) as usize);
            let value = scalar(t, v, namer);
            rows.push(HeapRow {
                offset,
                label: prefix.to_string(),
                value,
            });
        }
    }
}

/// A value of a type no bigger than a word.
fn scalar(t: &RType, v: u64, namer: &mut Namer<'_>) -> String {
    let bits = t.size * 8;
    match t.kind {
        kind::BOOL => (v != 0).to_string(),
        kind::INT..=kind::INT64 => {
            let shift = 64 - bits;
            (((v << shift) as i64) >> shift).to_string()
        }
        kind::UINT..=kind::UINTPTR if t.name != "uintptr" => v.to_string(),
        kind::FLOAT32 => f32::from_bits(v as u32).to_string(),
        kind::FLOAT64 => f64::from_bits(v).to_string(),
        _ => namer.value(v),
    }
}

/// Memory allocated without a type, as text where it is printable.
fn bytes(addr: u64, size: u64, snap: &Snapshot, rows: &mut Vec<HeapRow>) {
    for at in (0..size).step_by(16) {
        let chunk: Vec<u8> = (at..size.min(at + 16))
            .map(|i| snap.read(addr + i, 1) as u8)
            .collect();
        let value = if chunk.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            format!("{:?}", String::from_utf8_lossy(&chunk))
        } else {
            chunk
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        rows.push(HeapRow {
            offset: at,
            label: String::new(),
            value,
        });
    }
}
