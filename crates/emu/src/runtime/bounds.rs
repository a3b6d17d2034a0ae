//! Index and slice bounds panics, with Go's messages.
//!
//! Up to Go 1.25 the compiler calls one function per kind of check
//! (`runtime.panicIndex`, `panicSliceAlen`, ...) with the index and the bound
//! in fixed registers. From Go 1.26 it calls `runtime.panicBounds`, and the
//! `PCDATA $4` of the call says which kind it is and which registers (or
//! constants) hold the two values.

use crate::cpu::{RAX, RBX, RCX, RDX};
use crate::exec::{Exec, Machine};

/// Kinds of check, in `abi.BoundsErrorCode` order, with the message and the one used when x < 0.
const KINDS: [(&str, &str); 9] = [
    (
        "index out of range [%x] with length %y",
        "index out of range [%x]",
    ),
    (
        "slice bounds out of range [:%x] with length %y",
        "slice bounds out of range [:%x]",
    ),
    (
        "slice bounds out of range [:%x] with capacity %y",
        "slice bounds out of range [:%x]",
    ),
    (
        "slice bounds out of range [%x:%y]",
        "slice bounds out of range [%x:]",
    ),
    (
        "slice bounds out of range [::%x] with length %y",
        "slice bounds out of range [::%x]",
    ),
    (
        "slice bounds out of range [::%x] with capacity %y",
        "slice bounds out of range [::%x]",
    ),
    (
        "slice bounds out of range [:%x:%y]",
        "slice bounds out of range [:%x:]",
    ),
    (
        "slice bounds out of range [%x:%y:]",
        "slice bounds out of range [%x::]",
    ),
    (
        "cannot convert slice with length %y to array or pointer to array with length %x",
        "cannot convert slice with length %y to array or pointer to array with length %x",
    ),
];

/// The message of a bounds failure of kind `code`.
fn message(code: usize, signed: bool, x: i64, y: i64) -> String {
    let (fmt, neg) = KINDS[code.min(KINDS.len() - 1)];
    let (fmt, x) = if signed && x < 0 {
        (neg, x.to_string())
    } else {
        (fmt, (x as u64).to_string())
    };
    fmt.replace("%x", &x).replace("%y", &y.to_string())
}

/// The per-kind functions of Go 1.25 and earlier: kind, registers of x and y, and whether x is signed.
fn legacy(name: &str) -> Option<(usize, usize, usize, bool)> {
    let (base, signed) = match name.strip_suffix('U') {
        Some(b) => (b, false),
        None => (name, true),
    };
    Some(match base {
        "runtime.panicIndex" => (0, RAX, RCX, signed),
        "runtime.panicSliceAlen" => (1, RCX, RDX, signed),
        "runtime.panicSliceAcap" => (2, RCX, RDX, signed),
        "runtime.panicSliceB" => (3, RAX, RCX, signed),
        "runtime.panicSlice3Alen" => (4, RDX, RBX, signed),
        "runtime.panicSlice3Acap" => (5, RDX, RBX, signed),
        "runtime.panicSlice3B" => (6, RCX, RDX, signed),
        "runtime.panicSlice3C" => (7, RAX, RCX, signed),
        "runtime.panicSliceConvert" => (8, RDX, RBX, true),
        _ => return None,
    })
}

/// Whether `name` is a bounds panic function this module models.
pub(crate) fn is_bounds_panic(name: &str) -> bool {
    name == "runtime.panicBounds" || legacy(name).is_some()
}

/// Raises the bounds panic that `name` was called for.
pub(crate) fn call(m: &mut Machine<'_>, name: &str) -> Exec {
    let mask = m.mask();
    let w = m.arch.word() as usize;
    let reg = |m: &Machine<'_>, r: usize| m.cpu.gpr[r] & mask;
    let text = if let Some((code, xr, yr, signed)) = legacy(name) {
        let x = crate::exec::sign_extend(reg(m, xr), w);
        let y = crate::exec::sign_extend(reg(m, yr), w);
        message(code, signed, x, y)
    } else {
        let site = m.call_site();
        let func = m.listing.function(&site.func).and_then(|s| s.func.as_ref());
        // The PCDATA $4 value in effect at the call: the last one before it in the listing.
        let v = func.and_then(|f| {
            let call = f
                .instrs
                .iter()
                .position(|i| u64::from(i.pc) == site.offset && !i.is_pseudo())?;
            f.instrs[..call]
                .iter()
                .rev()
                .find(|i| i.op == "PCDATA" && i.args.starts_with("$4, $"))
                .and_then(|i| i.args.trim_start_matches("$4, $").parse::<i64>().ok())
        });
        let Some(v) = v else {
            return Err(Box::new(crate::Stop::Unsupported {
                what: "runtime.panicBounds without its PCDATA $4".into(),
                at: site,
            }));
        };
        let code = (v % 9) as usize;
        let mut c = v / 9;
        let x_is_reg = c & 1 != 0;
        c >>= 1;
        let y_is_reg = c & 1 != 0;
        c >>= 1;
        let (signed, xv) = if x_is_reg {
            let s = c & 1 != 0;
            c >>= 1;
            let x = c & 0xf;
            c >>= 4;
            (s, x)
        } else {
            let x = c & 0x1f;
            c >>= 5;
            (false, x)
        };
        let yv = if y_is_reg { c & 0xf } else { c & 0x1f };
        let x = if x_is_reg {
            crate::exec::sign_extend(reg(m, xv as usize), w)
        } else {
            xv
        };
        let y = if y_is_reg {
            crate::exec::sign_extend(reg(m, yv as usize), w)
        } else {
            yv
        };
        message(code, signed, x, y)
    };
    let facts = m.facts();
    let chain = if text.starts_with("index") {
        facts.index
    } else {
        facts.slice
    };
    // The chain was measured for one function; older Go versions have one
    // per kind of check, whose frames are measured only for that one.
    let measured = chain.first().map(|f| f.func);
    let go_side = name.replacen("runtime.panic", "runtime.goPanic", 1);
    if measured != Some(name) && measured != Some(go_side.as_str()) {
        return Err(super::panic::unmeasured(m, name));
    }
    Err(super::panic::runtime_error(m, &text, chain))
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn messages_as_go_prints_them() {
        assert_eq!(
            message(0, true, 5, 3),
            "index out of range [5] with length 3"
        );
        assert_eq!(message(0, true, -1, 3), "index out of range [-1]");
        assert_eq!(message(3, true, 4, 2), "slice bounds out of range [4:2]");
        assert_eq!(
            message(1, false, 7, 5),
            "slice bounds out of range [:7] with length 5"
        );
    }
}
