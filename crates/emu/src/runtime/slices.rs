//! Slices and allocation: `makeslice`, `growslice`, `newobject`, `convT`,
//! with Go's growth rule and its allocator's size classes, so capacities
//! come out as the real program's do.

use super::types;
use crate::Stop;
use crate::exec::{Exec, Machine};

/// The allocator's size classes up to 32 KiB (`runtime/sizeclasses.go`).
const SIZE_CLASSES: [u64; 68] = [
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320,
    352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
    2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
    10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672,
    32768,
];
const PAGE: u64 = 8192;
/// Objects with pointers larger than this carry an 8-byte malloc header (Go 1.22 on).
const MIN_SIZE_FOR_MALLOC_HEADER: u64 = 512;

/// The size `mallocgc` really allocates for a request of `size` bytes.
pub(crate) fn roundupsize(m: &Machine<'_>, size: u64, noscan: bool) -> u64 {
    let header_size = if m.go_minor >= 22 { 8 } else { 0 };
    if size <= 32768 - header_size {
        let header = if !noscan && size > MIN_SIZE_FOR_MALLOC_HEADER {
            header_size
        } else {
            0
        };
        let want = size + header;
        let class = SIZE_CLASSES
            .iter()
            .copied()
            .find(|&c| c >= want)
            .unwrap_or(32768);
        return class - header;
    }
    size.div_ceil(PAGE) * PAGE
}

/// Go's capacity growth for appending to a slice of capacity `old_cap` up to `new_len`.
fn nextslicecap(new_len: u64, old_cap: u64) -> u64 {
    let double = old_cap * 2;
    if new_len > double {
        return new_len;
    }
    const THRESHOLD: u64 = 256;
    if old_cap < THRESHOLD {
        return double;
    }
    let mut cap = old_cap;
    while cap < new_len {
        cap += (cap + 3 * THRESHOLD) >> 2;
    }
    cap
}

/// `makeslice(et *_type, len, cap int) unsafe.Pointer`.
pub(crate) fn makeslice(m: &mut Machine<'_>) -> Exec {
    let et = m.arg(0)?;
    let w = m.arch.word() as usize;
    let len = crate::exec::sign_extend(m.arg(1)?, w);
    let cap = crate::exec::sign_extend(m.arg(2)?, w);
    let info = types::info(m, et)?;
    // As the runtime checks: a size past maxAlloc (or negative) is out of
    // range; the length is blamed when it is, else the capacity.
    let max_alloc: u128 = match m.arch {
        crate::Arch::Amd64 => 1 << 48,
        crate::Arch::I386 => (1 << 32) - 1,
    };
    let too_big = |n: i64| n < 0 || u128::from(info.size) * u128::from(n as u64) > max_alloc;
    if too_big(cap) || len < 0 || len > cap {
        let (key, message) = if too_big(len) {
            ("runtime.makeslice:len", "makeslice: len out of range")
        } else {
            ("runtime.makeslice:cap", "makeslice: cap out of range")
        };
        return Err(super::panic::from_call(m, key, message, false));
    }
    let p = m.alloc(info.size * cap as u64)?;
    m.set_result(3, 0, p)?;
    m.model_return()
}

/// `growslice(oldPtr, newLen, oldCap, num int, et *_type) []T` (Go 1.20 on).
pub(crate) fn growslice(m: &mut Machine<'_>) -> Exec {
    if m.go_minor < 20 {
        return Err(Box::new(Stop::Unsupported {
            what: format!("runtime.growslice of Go 1.{}", m.go_minor),
            at: m.call_site(),
        }));
    }
    let (old_ptr, new_len, old_cap, num, et) =
        (m.arg(0)?, m.arg(1)?, m.arg(2)?, m.arg(3)?, m.arg(4)?);
    let info = types::info(m, et)?;
    let old_len = new_len - num;
    let mut cap = nextslicecap(new_len, old_cap);
    let noscan = info.ptrdata == 0;
    let capmem = if info.size == 0 {
        0
    } else {
        let mem = roundupsize(m, cap * info.size, noscan);
        cap = mem / info.size;
        cap * info.size
    };
    let p = if info.size == 0 {
        m.image.addr("runtime.zerobase").unwrap_or(0)
    } else {
        m.alloc(capmem)?
    };
    let bytes = m.load_bytes(old_ptr, (old_len * info.size) as usize)?;
    m.store_bytes(p, &bytes)?;
    m.set_result(5, 0, p)?;
    m.set_result(5, 1, new_len)?;
    m.set_result(5, 2, cap)?;
    m.model_return()
}

/// `newobject(typ *_type) unsafe.Pointer`.
pub(crate) fn newobject(m: &mut Machine<'_>) -> Exec {
    let typ = m.arg(0)?;
    let info = types::info(m, typ)?;
    let p = m.alloc(info.size)?;
    m.set_result(1, 0, p)?;
    m.model_return()
}

/// `convT(t *_type, v unsafe.Pointer) unsafe.Pointer` and `convTnoptr`: box a copy of `*v`.
pub(crate) fn convt(m: &mut Machine<'_>) -> Exec {
    let (typ, v) = (m.arg(0)?, m.arg(1)?);
    let info = types::info(m, typ)?;
    let p = m.alloc(info.size)?;
    let bytes = m.load_bytes(v, info.size as usize)?;
    m.store_bytes(p, &bytes)?;
    m.set_result(2, 0, p)?;
    m.model_return()
}

#[cfg(test)]
mod tests {
    use super::nextslicecap;

    #[test]
    fn growth_doubles_then_slows() {
        assert_eq!(nextslicecap(1, 0), 1);
        assert_eq!(nextslicecap(5, 4), 8);
        assert_eq!(nextslicecap(20, 3), 20);
        assert_eq!(nextslicecap(257, 256), 512);
        assert_eq!(nextslicecap(513, 512), 832);
    }
}
