//! SSE2 packed integer instructions on XMM registers: lane-wise arithmetic,
//! comparisons, shifts, shuffles, unpacks and inserts, as the runtime's
//! memory, hashing and random-number code uses them.

use iced_x86::{Mnemonic, OpKind};

use crate::decode::Decoded;
use crate::exec::{Exec, Halt, Machine};

/// The 128 bits of operand `i`: an XMM register or 16 bytes of memory (less for narrow forms).
fn read(m: &mut Machine<'_>, d: &Decoded, i: u32) -> Result<u128, Halt> {
    let ins = &d.ins;
    match ins.op_kind(i) {
        OpKind::Register if ins.op_register(i).is_xmm() => {
            Ok(m.cpu.xmm[ins.op_register(i).number()])
        }
        OpKind::Memory => {
            let a = m.ea(d);
            match ins.memory_size().size() {
                16 => m.mem.read128(a).map_err(|f| m.fault(f)),
                size => Ok(u128::from(m.load(a, size)?)),
            }
        }
        _ => Ok(u128::from(m.read_op(d, i)?)),
    }
}

/// Writes all 128 bits of XMM operand 0.
fn set(m: &mut Machine<'_>, d: &Decoded, v: u128) -> Exec {
    let r = d.ins.op_register(0);
    if !r.is_xmm() {
        return Err(m.unsupported(d));
    }
    m.cpu.xmm[r.number()] = v;
    Ok(())
}

/// Splits `v` into lanes of `bits` bits.
fn lanes(v: u128, bits: u32) -> Vec<u64> {
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    (0..128 / bits)
        .map(|i| (v >> (i * bits)) as u64 & mask)
        .collect()
}

/// Joins lanes of `bits` bits.
fn join(lanes: &[u64], bits: u32) -> u128 {
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    lanes.iter().enumerate().fold(0, |acc, (i, &l)| {
        acc | u128::from(l & mask) << (i as u32 * bits)
    })
}

/// Applies `f` lane by lane to operands 0 and 1 and writes the result to operand 0.
fn lanewise(m: &mut Machine<'_>, d: &Decoded, bits: u32, f: impl Fn(u64, u64) -> u64) -> Exec {
    let a = lanes(read(m, d, 0)?, bits);
    let b = lanes(read(m, d, 1)?, bits);
    let r: Vec<u64> = a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect();
    set(m, d, join(&r, bits))
}

/// Sign-extends a lane of `bits` bits.
fn signed(v: u64, bits: u32) -> i64 {
    ((v << (64 - bits)) as i64) >> (64 - bits)
}

/// Executes one packed integer instruction.
pub(crate) fn exec(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    use Mnemonic as M;
    let mn = d.ins.mnemonic();
    let bits_of = |mn: Mnemonic| -> u32 {
        match mn {
            M::Paddb
            | M::Psubb
            | M::Pcmpeqb
            | M::Pcmpgtb
            | M::Pminub
            | M::Pmaxub
            | M::Paddusb
            | M::Psubusb
            | M::Pavgb => 8,
            M::Paddw
            | M::Psubw
            | M::Pcmpeqw
            | M::Pcmpgtw
            | M::Psllw
            | M::Psrlw
            | M::Psraw
            | M::Pmullw
            | M::Pminsw
            | M::Pmaxsw => 16,
            M::Paddd | M::Psubd | M::Pcmpeqd | M::Pcmpgtd | M::Pslld | M::Psrld | M::Psrad => 32,
            _ => 64,
        }
    };
    match mn {
        M::Paddb | M::Paddw | M::Paddd | M::Paddq => lanewise(m, d, bits_of(mn), u64::wrapping_add),
        M::Psubb | M::Psubw | M::Psubd | M::Psubq => lanewise(m, d, bits_of(mn), u64::wrapping_sub),
        M::Pmullw => lanewise(m, d, 16, u64::wrapping_mul),
        M::Pmuludq => {
            let a = lanes(read(m, d, 0)?, 64);
            let b = lanes(read(m, d, 1)?, 64);
            let r: Vec<u64> = a
                .iter()
                .zip(&b)
                .map(|(&x, &y)| (x & 0xffff_ffff) * (y & 0xffff_ffff))
                .collect();
            set(m, d, join(&r, 64))
        }
        M::Paddusb => lanewise(m, d, 8, |x, y| (x + y).min(0xff)),
        M::Psubusb => lanewise(m, d, 8, |x, y| x.saturating_sub(y)),
        M::Pavgb => lanewise(m, d, 8, |x, y| (x + y + 1) >> 1),
        M::Pminub => lanewise(m, d, 8, u64::min),
        M::Pmaxub => lanewise(m, d, 8, u64::max),
        M::Pminsw => lanewise(
            m,
            d,
            16,
            |x, y| if signed(x, 16) < signed(y, 16) { x } else { y },
        ),
        M::Pmaxsw => lanewise(
            m,
            d,
            16,
            |x, y| if signed(x, 16) > signed(y, 16) { x } else { y },
        ),
        M::Pcmpeqb | M::Pcmpeqw | M::Pcmpeqd => {
            lanewise(m, d, bits_of(mn), |x, y| if x == y { u64::MAX } else { 0 })
        }
        M::Pcmpgtb | M::Pcmpgtw | M::Pcmpgtd => {
            let bits = bits_of(mn);
            lanewise(m, d, bits, move |x, y| {
                if signed(x, bits) > signed(y, bits) {
                    u64::MAX
                } else {
                    0
                }
            })
        }
        M::Pandn => {
            let a = read(m, d, 0)?;
            let b = read(m, d, 1)?;
            set(m, d, !a & b)
        }
        M::Psllw | M::Pslld | M::Psllq | M::Psrlw | M::Psrld | M::Psrlq | M::Psraw | M::Psrad => {
            let bits = bits_of(mn);
            let count = if d.ins.op_kind(1) == OpKind::Immediate8 {
                u64::from(d.ins.immediate8())
            } else {
                read(m, d, 1)? as u64
            };
            let arith = matches!(mn, M::Psraw | M::Psrad);
            let left = matches!(mn, M::Psllw | M::Pslld | M::Psllq);
            let a = lanes(read(m, d, 0)?, bits);
            let r: Vec<u64> = a
                .iter()
                .map(|&x| {
                    if arith {
                        (signed(x, bits) >> count.min(u64::from(bits) - 1)) as u64
                    } else if count >= u64::from(bits) {
                        0
                    } else if left {
                        x << count
                    } else {
                        x >> count
                    }
                })
                .collect();
            set(m, d, join(&r, bits))
        }
        M::Pslldq | M::Psrldq => {
            let n = u32::from(d.ins.immediate8()).min(16) * 8;
            let a = read(m, d, 0)?;
            let r = if n == 128 {
                0
            } else if mn == M::Pslldq {
                a << n
            } else {
                a >> n
            };
            set(m, d, r)
        }
        M::Pshufd => {
            let src = lanes(read(m, d, 1)?, 32);
            let imm = u32::from(d.ins.immediate8());
            let r: Vec<u64> = (0..4)
                .map(|i| src[((imm >> (2 * i)) & 3) as usize])
                .collect();
            set(m, d, join(&r, 32))
        }
        M::Pshuflw | M::Pshufhw => {
            let src = lanes(read(m, d, 1)?, 16);
            let imm = u32::from(d.ins.immediate8());
            let base = if mn == M::Pshuflw { 0 } else { 4 };
            let mut r = src.clone();
            for i in 0..4 {
                r[base + i] = src[base + ((imm >> (2 * i)) & 3) as usize];
            }
            set(m, d, join(&r, 16))
        }
        M::Shufps => {
            let a = lanes(read(m, d, 0)?, 32);
            let b = lanes(read(m, d, 1)?, 32);
            let imm = u32::from(d.ins.immediate8());
            let pick = |v: &[u64], i: u32| v[((imm >> (2 * i)) & 3) as usize];
            set(
                m,
                d,
                join(&[pick(&a, 0), pick(&a, 1), pick(&b, 2), pick(&b, 3)], 32),
            )
        }
        M::Punpcklbw
        | M::Punpcklwd
        | M::Punpckldq
        | M::Punpcklqdq
        | M::Punpckhbw
        | M::Punpckhwd
        | M::Punpckhdq
        | M::Punpckhqdq => {
            let bits = match mn {
                M::Punpcklbw | M::Punpckhbw => 8,
                M::Punpcklwd | M::Punpckhwd => 16,
                M::Punpckldq | M::Punpckhdq => 32,
                _ => 64,
            };
            let high = matches!(
                mn,
                M::Punpckhbw | M::Punpckhwd | M::Punpckhdq | M::Punpckhqdq
            );
            let a = lanes(read(m, d, 0)?, bits);
            let b = lanes(read(m, d, 1)?, bits);
            let half = a.len() / 2;
            let from = if high { half } else { 0 };
            let r: Vec<u64> = (0..half).flat_map(|i| [a[from + i], b[from + i]]).collect();
            set(m, d, join(&r, bits))
        }
        M::Pextrw => {
            let src = lanes(read(m, d, 1)?, 16);
            let v = src[usize::from(d.ins.immediate8() & 7)];
            m.write_op(d, 0, v)
        }
        M::Pinsrw => {
            let mut a = lanes(read(m, d, 0)?, 16);
            let v = read(m, d, 1)? as u64 & 0xffff;
            a[usize::from(d.ins.immediate8() & 7)] = v;
            set(m, d, join(&a, 16))
        }
        M::Movhlps | M::Movlhps => {
            let a = read(m, d, 0)?;
            let b = read(m, d, 1)?;
            let lo64 = u128::from(u64::MAX);
            let r = if mn == M::Movhlps {
                (a & !lo64) | (b >> 64)
            } else {
                (a & lo64) | (b << 64)
            };
            set(m, d, r)
        }
        M::Movhps | M::Movhpd | M::Movlps | M::Movlpd => {
            let high = matches!(mn, M::Movhps | M::Movhpd);
            if d.ins.op_kind(0) == OpKind::Memory {
                let x = read(m, d, 1)?;
                let a = m.ea(d);
                m.store(a, 8, if high { (x >> 64) as u64 } else { x as u64 })
            } else {
                let x = read(m, d, 0)?;
                let v = u128::from(read(m, d, 1)? as u64);
                let lo64 = u128::from(u64::MAX);
                set(
                    m,
                    d,
                    if high {
                        (x & lo64) | v << 64
                    } else {
                        (x & !lo64) | v
                    },
                )
            }
        }
        M::Movntdq | M::Movntps | M::Movntpd => {
            let x = read(m, d, 1)?;
            let a = m.ea(d);
            m.store(a, 8, x as u64)?;
            m.store(a + 8, 8, (x >> 64) as u64)
        }
        M::Movnti => {
            let v = m.read_op(d, 1)?;
            m.write_op(d, 0, v)
        }
        M::Movmskps | M::Movmskpd => {
            let bits = if mn == M::Movmskps { 32 } else { 64 };
            let a = lanes(read(m, d, 1)?, bits);
            let mask = a
                .iter()
                .enumerate()
                .fold(0, |acc, (i, &l)| acc | ((l >> (bits - 1)) & 1) << i);
            m.write_op(d, 0, mask)
        }
        _ => Err(m.unsupported(d)),
    }
}
