//! The 386 software floating point helpers (`GO386=softfloat`, as Debian's
//! Go 1.19 builds): IEEE 754 arithmetic on the bits, which is what Go's own
//! `runtime/softfloat64.go` computes.

use crate::Stop;
use crate::exec::{Exec, Machine};

/// Runs the helper `name`; `None` when it is not one of them.
pub(crate) fn call(m: &mut Machine<'_>, name: &str) -> Option<Exec> {
    let helper = name.strip_prefix("runtime.")?;
    let f64_arg = |m: &mut Machine<'_>, word: usize| m.arg64(word).map(f64::from_bits);
    let result = (|| -> Exec {
        match helper {
            "fadd64" | "fsub64" | "fmul64" | "fdiv64" => {
                let (x, y) = (f64_arg(m, 0)?, f64_arg(m, 2)?);
                let r = match helper {
                    "fadd64" => x + y,
                    "fsub64" => x - y,
                    "fmul64" => x * y,
                    _ => x / y,
                };
                set64(m, 4, r.to_bits())
            }
            "fneg64" => {
                let x = m.arg64(0)?;
                set64(m, 2, x ^ (1 << 63))
            }
            "fint32to64" => {
                let x = m.arg(0)? as u32 as i32;
                set64(m, 1, f64::from(x).to_bits())
            }
            "fint64to64" => {
                let x = m.arg64(0)? as i64;
                set64(m, 2, (x as f64).to_bits())
            }
            "f32to64" => {
                let x = f32::from_bits(m.arg(0)? as u32);
                set64(m, 1, f64::from(x).to_bits())
            }
            "f64to32" => {
                let x = f64_arg(m, 0)?;
                m.set_result(2, 0, u64::from((x as f32).to_bits()))
            }
            "f64toint64" => {
                let x = f64_arg(m, 0)?;
                set64(m, 2, x as i64 as u64)
            }
            "fint32to32" => {
                let x = m.arg(0)? as u32 as i32;
                m.set_result(1, 0, u64::from((x as f32).to_bits()))
            }
            "fcmp64" => {
                // (cmp int32, isnan bool)
                let (x, y) = (f64_arg(m, 0)?, f64_arg(m, 2)?);
                let (cmp, nan) = match x.partial_cmp(&y) {
                    None => (0i64, true),
                    Some(o) => (o as i64, false),
                };
                m.set_result(4, 0, cmp as u64 & 0xffff_ffff)?;
                super::strings::set_bool_result(m, 5, nan)
            }
            _ => Err(Box::new(Stop::Unsupported {
                what: format!("runtime function {name}"),
                at: m.call_site(),
            })),
        }
    })();
    Some(result.and_then(|()| m.model_return()))
}

/// Sets a 64-bit result after `nargs` words of arguments.
fn set64(m: &mut Machine<'_>, nargs: usize, v: u64) -> Exec {
    m.set_result(nargs, 0, v & 0xffff_ffff)?;
    m.set_result(nargs, 1, v >> 32)
}
