//! Strings: concatenation, conversions to and from byte slices and runes,
//! comparison, and the memory equality helpers.

use crate::Stop;
use crate::exec::{Exec, Halt, Machine};

/// Size of the stack buffer (`tmpBuf`) a non-escaping result may use.
const TMP_BUF: u64 = 32;

/// Reads `n` strings passed as (ptr, len) word pairs starting at argument `first`.
fn string_args(m: &mut Machine<'_>, first: usize, n: usize) -> Result<Vec<(u64, u64)>, Halt> {
    (0..n)
        .map(|i| Ok((m.arg(first + 2 * i)?, m.arg(first + 2 * i + 1)?)))
        .collect()
}

/// `concatstring2` to `concatstring5(buf *tmpBuf, a0, ... string) string` and
/// `concatstrings(buf *tmpBuf, a []string) string`.
pub(crate) fn concat(m: &mut Machine<'_>, name: &str) -> Exec {
    let buf = m.arg(0)?;
    let (parts, nargs) = if name == "runtime.concatstrings" {
        let (ptr, len) = (m.arg(1)?, m.arg(2)?);
        let w = m.arch.word();
        let mut parts = Vec::new();
        for i in 0..len {
            parts.push((
                m.load_word(ptr + 2 * w * i)?,
                m.load_word(ptr + 2 * w * i + w)?,
            ));
        }
        (parts, 4)
    } else {
        let n = name
            .trim_start_matches("runtime.concatstring")
            .parse::<usize>()
            .unwrap_or(2);
        (string_args(m, 1, n)?, 1 + 2 * n)
    };
    let non_empty: Vec<(u64, u64)> = parts.iter().copied().filter(|&(_, len)| len > 0).collect();
    let total: u64 = non_empty.iter().map(|&(_, len)| len).sum();
    // One non-empty string is returned as it is, unless it lives on the stack and the result escapes.
    let (ptr, len) = if non_empty.len() == 1 && (buf != 0 || !on_stack(m, non_empty[0].0)) {
        non_empty[0]
    } else if total == 0 {
        (0, 0)
    } else {
        let p = if buf != 0 && total <= TMP_BUF {
            buf
        } else {
            m.alloc(total)?
        };
        let mut at = p;
        for (sp, sl) in non_empty {
            let bytes = m.load_bytes(sp, sl as usize)?;
            m.store_bytes(at, &bytes)?;
            at += sl;
        }
        (p, total)
    };
    m.set_result(nargs, 0, ptr)?;
    m.set_result(nargs, 1, len)?;
    m.model_return()
}

fn on_stack(m: &Machine<'_>, addr: u64) -> bool {
    m.mem.region_name(addr) == Some("stack")
}

/// `slicebytetostring(buf *tmpBuf, ptr *byte, n int) string`.
pub(crate) fn slicebytetostring(m: &mut Machine<'_>) -> Exec {
    let (buf, ptr, n) = (m.arg(0)?, m.arg(1)?, m.arg(2)?);
    let p = if n == 0 {
        0
    } else if buf != 0 && n <= TMP_BUF {
        buf
    } else {
        m.alloc(n)?
    };
    let bytes = m.load_bytes(ptr, n as usize)?;
    if n > 0 {
        m.store_bytes(p, &bytes)?;
    }
    m.set_result(3, 0, p)?;
    m.set_result(3, 1, n)?;
    m.model_return()
}

/// `stringtoslicebyte(buf *tmpBuf, s string) []byte`.
pub(crate) fn stringtoslicebyte(m: &mut Machine<'_>) -> Exec {
    let (buf, ptr, n) = (m.arg(0)?, m.arg(1)?, m.arg(2)?);
    let (p, cap) = if buf != 0 && n <= TMP_BUF {
        (buf, TMP_BUF)
    } else {
        let cap = super::slices::roundupsize(m, n, true);
        (m.alloc(cap)?, cap)
    };
    let bytes = m.load_bytes(ptr, n as usize)?;
    m.store_bytes(p, &bytes)?;
    m.set_result(3, 0, p)?;
    m.set_result(3, 1, n)?;
    m.set_result(3, 2, cap)?;
    m.model_return()
}

/// `intstring(buf *[4]byte, v int64) string`: the UTF-8 of a rune, or U+FFFD.
pub(crate) fn intstring(m: &mut Machine<'_>) -> Exec {
    let buf = m.arg(0)?;
    let v = m.arg64(1)? as i64;
    let nargs = if m.arch.word() == 4 { 3 } else { 2 };
    let c = u32::try_from(v)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}');
    let mut enc = [0u8; 4];
    let s = c.encode_utf8(&mut enc).as_bytes().to_vec();
    let p = if buf != 0 {
        buf
    } else {
        m.alloc(s.len() as u64)?
    };
    m.store_bytes(p, &s)?;
    m.set_result(nargs, 0, p)?;
    m.set_result(nargs, 1, s.len() as u64)?;
    m.model_return()
}

/// `decoderune(s string, k int) (r rune, pos int)`: the rune at byte `k`, as `for range` over a string reads it.
pub(crate) fn decoderune(m: &mut Machine<'_>) -> Exec {
    let (ptr, len, k) = (m.arg(0)?, m.arg(1)?, m.arg(2)?);
    let rest = m.load_bytes(ptr + k, (len - k).min(4) as usize)?;
    let (r, size) = decode_one(&rest);
    m.set_result(3, 0, u64::from(r))?;
    m.set_result(3, 1, k + size as u64)?;
    m.model_return()
}

/// Decodes one UTF-8 sequence as Go does: an invalid one is U+FFFD of width 1.
fn decode_one(bytes: &[u8]) -> (u32, usize) {
    for width in 1..=bytes.len().min(4) {
        if let Ok(s) = std::str::from_utf8(&bytes[..width])
            && let Some(c) = s.chars().next()
        {
            return (c as u32, width);
        }
    }
    (0xfffd, 1)
}

/// `cmpstring(a, b string) int`.
pub(crate) fn cmpstring(m: &mut Machine<'_>) -> Exec {
    let [(ap, al), (bp, bl)] = string_args(m, 0, 2)?[..] else {
        unreachable!("two strings were read")
    };
    let a = m.load_bytes(ap, al as usize)?;
    let b = m.load_bytes(bp, bl as usize)?;
    let r = match a.cmp(&b) {
        std::cmp::Ordering::Less => -1i64 as u64,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    };
    m.set_result(4, 0, r & m.mask())?;
    m.model_return()
}

/// `memequal(a, b unsafe.Pointer, size uintptr) bool` and the fixed-size `memequal8`..`memequal128`.
pub(crate) fn memequal(m: &mut Machine<'_>, name: &str) -> Exec {
    let (a, b) = (m.arg(0)?, m.arg(1)?);
    let (size, nargs) = match name.trim_start_matches("runtime.memequal") {
        "" => (m.arg(2)?, 3),
        bits => (
            bits.parse::<u64>().map_err(|_| {
                Box::new(Stop::Unsupported {
                    what: format!("runtime function {name}"),
                    at: m.call_site(),
                })
            })? / 8,
            2,
        ),
    };
    let eq = m.load_bytes(a, size as usize)? == m.load_bytes(b, size as usize)?;
    set_bool_result(m, nargs, eq)?;
    m.model_return()
}

/// A `bool` result: AL on amd64, a byte on the stack on 386.
pub(crate) fn set_bool_result(m: &mut Machine<'_>, nargs: usize, value: bool) -> Exec {
    set_bool_result_at(m, nargs, 0, value)
}

/// The `bool` result number `index` (counted in words of results before it).
pub(crate) fn set_bool_result_at(
    m: &mut Machine<'_>,
    nargs: usize,
    index: usize,
    value: bool,
) -> Exec {
    if index > 0 && m.arch == crate::Arch::Amd64 {
        // The second result register is BX; the runtime's Go code leaves it zero-extended.
        m.cpu.gpr[crate::cpu::RBX] = u64::from(value);
        return Ok(());
    }
    set_bool_result_first(m, nargs + index, value)
}

fn set_bool_result_first(m: &mut Machine<'_>, nargs: usize, value: bool) -> Exec {
    match m.arch {
        crate::Arch::Amd64 => {
            m.cpu.gpr[crate::cpu::RAX] = (m.cpu.gpr[crate::cpu::RAX] & !0xff) | u64::from(value);
            Ok(())
        }
        crate::Arch::I386 => {
            let at = m.sp() + 4 + 4 * nargs as u64;
            m.store(at, 1, u64::from(value))
        }
    }
}
