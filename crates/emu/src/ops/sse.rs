//! SSE and SSE2: scalar and packed moves, float arithmetic, comparisons and
//! conversions, and the bitwise operations on XMM registers.

use iced_x86::{Mnemonic, OpKind, Register};

use crate::cpu::{AF, CF, OF, PF, SF, ZF};
use crate::decode::Decoded;
use crate::exec::{Exec, Halt, Machine, sign_extend};

fn is_xmm(r: Register) -> bool {
    r.is_xmm()
}

fn xmm_index(r: Register) -> usize {
    r.number()
}

/// Reads operand `i` as up to 128 bits: an XMM register, a general register, or memory.
fn read(m: &mut Machine<'_>, d: &Decoded, i: u32) -> Result<u128, Halt> {
    let ins = &d.ins;
    match ins.op_kind(i) {
        OpKind::Register if is_xmm(ins.op_register(i)) => {
            Ok(m.cpu.xmm[xmm_index(ins.op_register(i))])
        }
        OpKind::Register if ins.op_register(i).is_mm() => {
            Ok(u128::from(m.cpu.mm[ins.op_register(i).number() & 7]))
        }
        OpKind::Memory => {
            let a = m.ea(d);
            let size = ins.memory_size().size();
            if size == 16 {
                m.mem.read128(a).map_err(|f| m.fault(f))
            } else {
                Ok(u128::from(m.load(a, size)?))
            }
        }
        _ => Ok(u128::from(m.read_op(d, i)?)),
    }
}

/// Writes operand `i`: the low `size` bytes of an XMM register (the rest kept), memory, or a general register.
fn write(m: &mut Machine<'_>, d: &Decoded, i: u32, value: u128, size: usize) -> Exec {
    let ins = &d.ins;
    match ins.op_kind(i) {
        OpKind::Register if is_xmm(ins.op_register(i)) => {
            let x = &mut m.cpu.xmm[xmm_index(ins.op_register(i))];
            *x = if size >= 16 {
                value
            } else {
                (*x & !low_mask(size)) | (value & low_mask(size))
            };
            Ok(())
        }
        OpKind::Register if ins.op_register(i).is_mm() => {
            m.cpu.mm[ins.op_register(i).number() & 7] = value as u64;
            Ok(())
        }
        OpKind::Memory => {
            let a = m.ea(d);
            if size == 16 {
                m.store(a, 8, value as u64)?;
                m.store(a + 8, 8, (value >> 64) as u64)
            } else {
                m.store(a, size, value as u64)
            }
        }
        _ => m.write_op(d, i, value as u64),
    }
}

fn low_mask(size: usize) -> u128 {
    if size >= 16 {
        u128::MAX
    } else {
        (1u128 << (size * 8)) - 1
    }
}

fn f64_of(v: u128) -> f64 {
    f64::from_bits(v as u64)
}

fn f32_of(v: u128) -> f32 {
    f32::from_bits(v as u32)
}

/// Applies `f` to each of `lanes` lanes of `width` bytes (8: doubles, 4:
/// singles, passed widened) of `a` and `b`; `f` gives the lane's bits.
fn lanewise(a: u128, b: u128, lanes: usize, width: usize, f: impl Fn(f64, f64) -> u64) -> u128 {
    let mut r = 0u128;
    for lane in 0..lanes {
        let shift = lane * width * 8;
        let (x, y) = ((a >> shift) as u64, (b >> shift) as u64);
        let (x, y) = if width == 8 {
            (f64::from_bits(x), f64::from_bits(y))
        } else {
            (
                f64::from(f32::from_bits(x as u32)),
                f64::from(f32::from_bits(y as u32)),
            )
        };
        r |= u128::from(f(x, y) & (u64::MAX >> (64 - 8 * width))) << shift;
    }
    r
}

/// `t`, the integer `x` was rounded to, as a signed integer of `size`
/// bytes; NaN or out of range gives the "integer indefinite" value.
fn to_int(t: f64, x: f64, size: usize) -> u64 {
    let limit = if size == 8 {
        9.223_372_036_854_776e18
    } else {
        2_147_483_648.0
    };
    let indefinite = if size == 8 { 1u64 << 63 } else { 1u64 << 31 };
    let r = if x.is_nan() || t >= limit || t < -limit {
        indefinite
    } else {
        t as i64 as u64
    };
    r & crate::exec::size_mask(size)
}

/// MINSD, MINSS, MINPD, MINPS on one lane: the second operand when either
/// is NaN or both are zero.
fn sse_min<T: PartialOrd>(a: T, b: T) -> T {
    if a < b { a } else { b }
}

/// MAXSD and its kin on one lane, with the same rule as [`sse_min`].
fn sse_max<T: PartialOrd>(a: T, b: T) -> T {
    if a > b { a } else { b }
}

/// A packed single operation on one lane.
fn single_op(mnemonic: Mnemonic, x: f32, y: f32) -> f32 {
    use Mnemonic as M;
    match mnemonic {
        M::Addps => x + y,
        M::Subps => x - y,
        M::Mulps => x * y,
        M::Divps => x / y,
        M::Minps => sse_min(x, y),
        M::Maxps => sse_max(x, y),
        _ => y.sqrt(),
    }
}

/// MOVUPS, MOVAPS, MOVUPD, MOVAPD, MOVDQU, MOVDQA from memory to an XMM
/// register: a handler of its own, since Go clears and copies memory with them.
pub(crate) fn mov128_load(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let a = m.ea(d);
    let v = m.mem.read128(a).map_err(|f| m.fault(f))?;
    m.cpu.xmm[xmm_index(d.ins.op_register(0))] = v;
    Ok(())
}

/// The same moves from an XMM register to memory.
pub(crate) fn mov128_store(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let v = m.cpu.xmm[xmm_index(d.ins.op_register(1))];
    let a = m.ea(d);
    m.store(a, 8, v as u64)?;
    m.store(a + 8, 8, (v >> 64) as u64)
}

/// Executes one SSE instruction.
pub(crate) fn exec(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    use Mnemonic as M;
    let ins = &d.ins;
    let dst_xmm = ins.op_kind(0) == OpKind::Register && is_xmm(ins.op_register(0));
    match ins.mnemonic() {
        // MOVUPS, MOVAPS, MOVUPD, MOVAPD, MOVDQU, MOVDQA: 128-bit moves.
        M::Movups | M::Movaps | M::Movupd | M::Movapd | M::Movdqu | M::Movdqa => {
            let v = read(m, d, 1)?;
            write(m, d, 0, v, 16)
        }
        // MOVSD, MOVSS: scalar moves; a load from memory clears the rest of the register.
        M::Movsd | M::Movss => {
            let size = if ins.mnemonic() == M::Movsd { 8 } else { 4 };
            let v = read(m, d, 1)?;
            let from_memory = ins.op_kind(1) == OpKind::Memory;
            write(
                m,
                d,
                0,
                v & low_mask(size),
                if dst_xmm && from_memory { 16 } else { size },
            )
        }
        // MOVQ, MOVD: move 64 or 32 bits between XMM, general registers and memory; XMM destinations are zero-extended.
        M::Movq | M::Movd => {
            let size = if ins.mnemonic() == M::Movq { 8 } else { 4 };
            let v = read(m, d, 1)? & low_mask(size);
            write(m, d, 0, v, if dst_xmm { 16 } else { size })
        }
        // XORPS, XORPD, PXOR, ANDPS, ANDPD, ANDNPS, ANDNPD, ORPS, ORPD, PAND, POR: bitwise operations.
        M::Xorps
        | M::Xorpd
        | M::Pxor
        | M::Andps
        | M::Andpd
        | M::Andnps
        | M::Andnpd
        | M::Orps
        | M::Orpd
        | M::Pand
        | M::Por => {
            let a = read(m, d, 0)?;
            let b = read(m, d, 1)?;
            let r = match ins.mnemonic() {
                M::Xorps | M::Xorpd | M::Pxor => a ^ b,
                M::Andps | M::Andpd | M::Pand => a & b,
                M::Andnps | M::Andnpd => !a & b,
                _ => a | b,
            };
            write(m, d, 0, r, 16)
        }
        // ADDSD, SUBSD, MULSD, DIVSD, MINSD, MAXSD, SQRTSD: scalar double arithmetic.
        M::Addsd | M::Subsd | M::Mulsd | M::Divsd | M::Minsd | M::Maxsd | M::Sqrtsd => {
            let a = f64_of(read(m, d, 0)?);
            let b = f64_of(read(m, d, 1)?);
            let r = match ins.mnemonic() {
                M::Addsd => a + b,
                M::Subsd => a - b,
                M::Mulsd => a * b,
                M::Divsd => a / b,
                // MINSD/MAXSD return the second operand when either is NaN or both are zero.
                M::Minsd => sse_min(a, b),
                M::Maxsd => sse_max(a, b),
                _ => b.sqrt(),
            };
            write(m, d, 0, u128::from(r.to_bits()), 8)
        }
        // ADDSS, SUBSS, MULSS, DIVSS, MINSS, MAXSS, SQRTSS: scalar single arithmetic.
        M::Addss | M::Subss | M::Mulss | M::Divss | M::Minss | M::Maxss | M::Sqrtss => {
            let a = f32_of(read(m, d, 0)?);
            let b = f32_of(read(m, d, 1)?);
            let r = match ins.mnemonic() {
                M::Addss => a + b,
                M::Subss => a - b,
                M::Mulss => a * b,
                M::Divss => a / b,
                M::Minss => sse_min(a, b),
                M::Maxss => sse_max(a, b),
                _ => b.sqrt(),
            };
            write(m, d, 0, u128::from(r.to_bits()), 4)
        }
        // CMPSD, CMPSS, CMPPD, CMPPS: compare by the predicate in imm8 (EQ, LT,
        // LE, UNORD, NEQ, NLT, NLE, ORD), each lane all ones when it holds.
        M::Cmpsd | M::Cmpss | M::Cmppd | M::Cmpps => {
            let predicate = ins.immediate(2) as u8;
            if predicate > 7 {
                return Err(m.unsupported(d));
            }
            let (a, b) = (read(m, d, 0)?, read(m, d, 1)?);
            let holds = |x: f64, y: f64| match predicate {
                0 => x == y,
                1 => x < y,
                2 => x <= y,
                3 => x.is_nan() || y.is_nan(),
                4 => x != y,
                // NLT, NLE: true when unordered too.
                5 => x >= y || x.is_nan() || y.is_nan(),
                6 => x > y || x.is_nan() || y.is_nan(),
                _ => !x.is_nan() && !y.is_nan(),
            };
            let (lanes, width) = match ins.mnemonic() {
                M::Cmpsd => (1, 8),
                M::Cmpss => (1, 4),
                M::Cmppd => (2, 8),
                _ => (4, 4),
            };
            let r = lanewise(a, b, lanes, width, |x, y| {
                u64::from(holds(x, y)).wrapping_neg()
            });
            write(m, d, 0, r, lanes * width)
        }
        // ADDPD, SUBPD, MULPD, DIVPD, MINPD, MAXPD, SQRTPD and their PS forms: packed arithmetic.
        M::Addpd
        | M::Subpd
        | M::Mulpd
        | M::Divpd
        | M::Minpd
        | M::Maxpd
        | M::Sqrtpd
        | M::Addps
        | M::Subps
        | M::Mulps
        | M::Divps
        | M::Minps
        | M::Maxps
        | M::Sqrtps => {
            let (a, b) = (read(m, d, 0)?, read(m, d, 1)?);
            let mnemonic = ins.mnemonic();
            let op = |x: f64, y: f64| match mnemonic {
                M::Addpd | M::Addps => x + y,
                M::Subpd | M::Subps => x - y,
                M::Mulpd | M::Mulps => x * y,
                M::Divpd | M::Divps => x / y,
                M::Minpd | M::Minps => sse_min(x, y),
                M::Maxpd | M::Maxps => sse_max(x, y),
                _ => y.sqrt(),
            };
            let single = matches!(
                mnemonic,
                M::Addps | M::Subps | M::Mulps | M::Divps | M::Minps | M::Maxps | M::Sqrtps
            );
            let r = if single {
                // Each single lane computed in single precision.
                lanewise(a, b, 4, 4, |x, y| {
                    u64::from(single_op(mnemonic, x as f32, y as f32).to_bits())
                })
            } else {
                lanewise(a, b, 2, 8, |x, y| op(x, y).to_bits())
            };
            write(m, d, 0, r, 16)
        }
        // CVTSD2SI, CVTSS2SI: convert rounding to nearest, ties to even (the
        // rounding MXCSR starts with); out of range gives "integer indefinite".
        M::Cvtsd2si | M::Cvtss2si => {
            let size = m.op_size(d, 0);
            let x = if ins.mnemonic() == M::Cvtsd2si {
                f64_of(read(m, d, 1)?)
            } else {
                f64::from(f32_of(read(m, d, 1)?))
            };
            m.write_op(d, 0, to_int(x.round_ties_even(), x, size))
        }
        // UCOMISD, COMISD, UCOMISS, COMISS: compare scalars and set ZF, PF, CF.
        M::Ucomisd | M::Comisd | M::Ucomiss | M::Comiss => {
            let (a, b) = if matches!(ins.mnemonic(), M::Ucomisd | M::Comisd) {
                (f64_of(read(m, d, 0)?), f64_of(read(m, d, 1)?))
            } else {
                (
                    f64::from(f32_of(read(m, d, 0)?)),
                    f64::from(f32_of(read(m, d, 1)?)),
                )
            };
            let (z, p, c) = if a.is_nan() || b.is_nan() {
                (true, true, true)
            } else if a < b {
                (false, false, true)
            } else if a == b {
                (true, false, false)
            } else {
                (false, false, false)
            };
            m.cpu.flags &= !(OF | SF | AF);
            m.cpu.set_flag(ZF, z);
            m.cpu.set_flag(PF, p);
            m.cpu.set_flag(CF, c);
            Ok(())
        }
        // CVTSI2SD, CVTSI2SS: convert a signed integer to a float.
        M::Cvtsi2sd | M::Cvtsi2ss => {
            let size = m.op_size(d, 1);
            let v = sign_extend(m.read_op(d, 1)?, size);
            if ins.mnemonic() == M::Cvtsi2sd {
                write(m, d, 0, u128::from((v as f64).to_bits()), 8)
            } else {
                write(m, d, 0, u128::from((v as f32).to_bits()), 4)
            }
        }
        // CVTTSD2SI, CVTTSS2SI: convert with truncation; out of range gives the "integer indefinite" value.
        M::Cvttsd2si | M::Cvttss2si => {
            let size = m.op_size(d, 0);
            let x = if ins.mnemonic() == M::Cvttsd2si {
                f64_of(read(m, d, 1)?)
            } else {
                f64::from(f32_of(read(m, d, 1)?))
            };
            m.write_op(d, 0, to_int(x.trunc(), x, size))
        }
        // CVTSD2SS, CVTSS2SD: convert between single and double.
        M::Cvtsd2ss => {
            let x = f64_of(read(m, d, 1)?);
            write(m, d, 0, u128::from((x as f32).to_bits()), 4)
        }
        M::Cvtss2sd => {
            let x = f32_of(read(m, d, 1)?);
            write(m, d, 0, u128::from(f64::from(x).to_bits()), 8)
        }
        // PCMPEQB: compare packed bytes for equality.
        M::Pcmpeqb => {
            let a = read(m, d, 0)?.to_le_bytes();
            let b = read(m, d, 1)?.to_le_bytes();
            let r: Vec<u8> = a
                .iter()
                .zip(b.iter())
                .map(|(x, y)| if x == y { 0xff } else { 0 })
                .collect();
            let mut buf = [0u8; 16];
            buf.copy_from_slice(&r);
            write(m, d, 0, u128::from_le_bytes(buf), 16)
        }
        // PMOVMSKB: move the byte mask into a general register.
        M::Pmovmskb => {
            let a = read(m, d, 1)?.to_le_bytes();
            let mask = a
                .iter()
                .enumerate()
                .fold(0u64, |acc, (i, b)| acc | (u64::from(b >> 7) << i));
            m.write_op(d, 0, mask)
        }
        _ => super::simd::exec(m, d),
    }
}
