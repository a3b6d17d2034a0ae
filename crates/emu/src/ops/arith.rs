//! Integer arithmetic and logic with the flags they set: ADD, ADC, SUB, SBB,
//! CMP, AND, OR, XOR, TEST, INC, DEC, NEG, NOT, the shifts and rotates,
//! multiply and divide, bit tests and scans, XADD and CMPXCHG.
//!
//! Handlers with form parameters are instantiated for their operands' forms
//! (see [`crate::decode::form`]).

use iced_x86::{Mnemonic, OpKind};

use crate::cpu::{AF, ARITH, CF, Cpu, OF, PF, RAX, RDX, SF, ZF, lazy, parity};
use crate::decode::{Decoded, form};
use crate::exec::{Exec, Halt, Machine, sign_extend, size_mask};

/// ADD: Add. Its flags wait in [`crate::cpu::Lazy`], as SUB's, CMP's and the logical operations' do.
#[inline(always)]
pub(crate) fn add<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<A, B>(m, d)?;
    m.cpu.set_lazy(lazy::ADD, a, b, size);
    m.write::<A>(d, 0, a.wrapping_add(b) & size_mask(size))
}

/// ADC: Add with Carry. Its flags wait as ADD's, or ADD1's with the carry set.
#[inline(always)]
pub(crate) fn adc<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<A, B>(m, d)?;
    let carry = m.cpu.carry();
    m.cpu
        .set_lazy(if carry { lazy::ADD1 } else { lazy::ADD }, a, b, size);
    let r = a.wrapping_add(b).wrapping_add(u64::from(carry));
    m.write::<A>(d, 0, r & size_mask(size))
}

/// SUB: Subtract.
#[inline(always)]
pub(crate) fn sub<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<A, B>(m, d)?;
    m.cpu.set_lazy(lazy::SUB, a, b, size);
    m.write::<A>(d, 0, a.wrapping_sub(b) & size_mask(size))
}

/// SBB: Integer Subtraction with Borrow. Its flags wait as SUB's, or SUB1's with the borrow set.
#[inline(always)]
pub(crate) fn sbb<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<A, B>(m, d)?;
    let borrow = m.cpu.carry();
    m.cpu
        .set_lazy(if borrow { lazy::SUB1 } else { lazy::SUB }, a, b, size);
    let r = a.wrapping_sub(b).wrapping_sub(u64::from(borrow));
    m.write::<A>(d, 0, r & size_mask(size))
}

/// CMP: Compare Two Operands.
#[inline(always)]
pub(crate) fn cmp<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<A, B>(m, d)?;
    m.cpu.set_lazy(lazy::SUB, a, b, size);
    Ok(())
}

/// AND: Logical AND; CF and OF cleared.
#[inline(always)]
pub(crate) fn and<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<A, B>(m, d)?;
    m.cpu.set_lazy(lazy::LOGIC, a & b, 0, size);
    m.write::<A>(d, 0, a & b)
}

/// OR: Logical Inclusive OR; CF and OF cleared.
#[inline(always)]
pub(crate) fn or<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<A, B>(m, d)?;
    m.cpu.set_lazy(lazy::LOGIC, a | b, 0, size);
    m.write::<A>(d, 0, a | b)
}

/// XOR: Logical Exclusive OR; CF and OF cleared.
#[inline(always)]
pub(crate) fn xor<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<A, B>(m, d)?;
    m.cpu.set_lazy(lazy::LOGIC, a ^ b, 0, size);
    m.write::<A>(d, 0, a ^ b)
}

/// TEST: Logical Compare; CF and OF cleared.
#[inline(always)]
pub(crate) fn test<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<A, B>(m, d)?;
    m.cpu.set_lazy(lazy::LOGIC, a & b, 0, size);
    Ok(())
}

/// The two operands of a two-operand instruction, and its size.
#[inline(always)]
fn operands<const A: u8, const B: u8>(
    m: &mut Machine<'_>,
    d: &Decoded,
) -> Result<(u64, u64, usize), Halt> {
    let size = m.op_size(d, 0);
    let a = m.read::<A>(d, 0)?;
    let b = m.read::<B>(d, 1)?;
    Ok((a, b, size))
}

/// INC, DEC (`DOWN`): Increment or Decrement by 1; CF unchanged. Their flags wait in [`crate::cpu::Lazy`].
#[inline(always)]
pub(crate) fn inc_dec<const A: u8, const DOWN: bool>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let a = m.read::<A>(d, 0)?;
    let carry = u64::from(m.cpu.carry());
    let (op, r) = if DOWN {
        (lazy::DEC, a.wrapping_sub(1))
    } else {
        (lazy::INC, a.wrapping_add(1))
    };
    m.cpu.set_lazy(op, a, carry, size);
    m.write::<A>(d, 0, r & size_mask(size))
}

/// NEG: Two's Complement Negation.
pub(crate) fn neg(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let a = m.read_op(d, 0)?;
    let r = sub_flags(&mut m.cpu, 0, a, 0, size);
    m.write_op(d, 0, r)
}

/// NOT: One's Complement Negation; flags unchanged.
pub(crate) fn not(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let a = m.read_op(d, 0)?;
    m.write_op(d, 0, !a & size_mask(size))
}

/// IMUL: Signed Multiply, two- and three-operand forms.
pub(crate) fn imul(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let (a, b) = if d.ins.op_count() == 3 {
        (m.read_op(d, 1)?, m.read_op(d, 2)?)
    } else {
        (m.read_op(d, 0)?, m.read_op(d, 1)?)
    };
    let full = i128::from(sign_extend(a, size)) * i128::from(sign_extend(b, size));
    let r = (full as u64) & size_mask(size);
    let overflow = i128::from(sign_extend(r, size)) != full;
    set_mul_flags(&mut m.cpu, r, size, overflow);
    m.write_op(d, 0, r)
}

/// MUL/IMUL: Unsigned and Signed Multiply, one-operand forms into DX:AX.
pub(crate) fn mul(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let a = m.cpu.gpr[RAX] & size_mask(size);
    let b = m.read_op(d, 0)?;
    let bits = size * 8;
    let (lo, hi, overflow) = if d.ins.mnemonic() == Mnemonic::Mul {
        let full = u128::from(a) * u128::from(b);
        let hi = (full >> bits) as u64 & size_mask(size);
        (full as u64 & size_mask(size), hi, hi != 0)
    } else {
        let full = i128::from(sign_extend(a, size)) * i128::from(sign_extend(b, size));
        let lo = full as u64 & size_mask(size);
        (
            (lo),
            (full >> bits) as u64 & size_mask(size),
            i128::from(sign_extend(lo, size)) != full,
        )
    };
    if size == 1 {
        m.cpu.set_reg(iced_x86::Register::AX, lo | (hi << 8));
    } else {
        set_acc(&mut m.cpu, RAX, size, lo);
        set_acc(&mut m.cpu, RDX, size, hi);
    }
    set_mul_flags(&mut m.cpu, lo, size, overflow);
    Ok(())
}

/// BT, BTS, BTR: Bit Test (and Set, and Reset).
pub(crate) fn bt(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let bits = size as u64 * 8;
    let offset = m.read_op(d, 1)?;
    let mnemonic = d.ins.mnemonic();
    let change = |a: u64, bit: u64| match mnemonic {
        Mnemonic::Bts => Some(a | (1 << bit)),
        Mnemonic::Btr => Some(a & !(1 << bit)),
        Mnemonic::Btc => Some(a ^ (1 << bit)),
        _ => None,
    };
    if d.ins.op_kind(0) == OpKind::Memory && d.ins.op_kind(1) == OpKind::Register {
        // A register offset addresses a bit string: it may reach beyond the operand, either way.
        let offset = sign_extend(offset, m.op_size(d, 1));
        let addr = m
            .ea(d)
            .wrapping_add((offset.div_euclid(bits as i64) * size as i64) as u64)
            & m.mask();
        let bit = offset.rem_euclid(bits as i64) as u64;
        let a = m.load(addr, size)?;
        m.cpu.set_flag(CF, (a >> bit) & 1 == 1);
        return match change(a, bit) {
            Some(v) => m.store(addr, size, v),
            None => Ok(()),
        };
    }
    let a = m.read_op(d, 0)?;
    let bit = offset % bits;
    m.cpu.set_flag(CF, (a >> bit) & 1 == 1);
    match change(a, bit) {
        Some(v) => m.write_op(d, 0, v),
        None => Ok(()),
    }
}

/// BSF, BSR: Bit Scan Forward/Reverse; the destination is unchanged for a zero source.
pub(crate) fn bit_scan(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let a = m.read_op(d, 1)?;
    m.cpu.set_flag(ZF, a == 0);
    if a == 0 {
        return Ok(());
    }
    let r = if d.ins.mnemonic() == Mnemonic::Bsf {
        a.trailing_zeros()
    } else {
        63 - a.leading_zeros()
    };
    m.write_op(d, 0, u64::from(r))
}

/// TZCNT, LZCNT, POPCNT: count trailing zeros, leading zeros, set bits.
pub(crate) fn count(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let a = m.read_op(d, 1)?;
    let bits = size as u32 * 8;
    let r = match d.ins.mnemonic() {
        Mnemonic::Tzcnt => a.trailing_zeros().min(bits),
        Mnemonic::Lzcnt => a.leading_zeros() - (64 - bits),
        _ => a.count_ones(),
    };
    m.cpu.flags &= !ARITH;
    match d.ins.mnemonic() {
        Mnemonic::Popcnt => m.cpu.set_flag(ZF, a == 0),
        _ => {
            m.cpu.set_flag(CF, r == bits);
            m.cpu.set_flag(ZF, r == 0);
        }
    }
    m.write_op(d, 0, u64::from(r))
}

/// XADD: Exchange and Add.
pub(crate) fn xadd(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let (a, b, size) = operands::<{ form::ANY }, { form::ANY }>(m, d)?;
    let r = add_flags(&mut m.cpu, a, b, 0, size);
    m.write_op(d, 1, a)?;
    m.write_op(d, 0, r)
}

/// CMPXCHG: Compare and Exchange.
pub(crate) fn cmpxchg(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let acc = m.cpu.gpr[RAX] & size_mask(size);
    let dest = m.read_op(d, 0)?;
    sub_flags(&mut m.cpu, acc, dest, 0, size);
    if acc == dest {
        let src = m.read_op(d, 1)?;
        m.write_op(d, 0, src)
    } else {
        set_acc(&mut m.cpu, RAX, size, dest);
        Ok(())
    }
}

/// Writes the low `size` bytes of an accumulator register as an instruction of that size would.
fn set_acc(cpu: &mut Cpu, reg: usize, size: usize, value: u64) {
    cpu.gpr[reg] = match size {
        8 => value,
        4 => value & 0xffff_ffff,
        _ => (cpu.gpr[reg] & !size_mask(size)) | (value & size_mask(size)),
    };
}

fn sign_bit(size: usize) -> u64 {
    1u64 << (size * 8 - 1)
}

fn set_szp(cpu: &mut Cpu, r: u64, size: usize) {
    cpu.flags = (cpu.flags & !(ZF | SF | PF)) | szp(r, size);
}

/// ZF, SF and PF of a result, as flag bits.
#[inline]
fn szp(r: u64, size: usize) -> u64 {
    let z = u64::from(r & size_mask(size) == 0) * ZF;
    let s = u64::from(r & sign_bit(size) != 0) * SF;
    let p = u64::from(parity(r)) * PF;
    z | s | p
}

/// `a + b + carry` in `size` bytes, setting CF, OF, AF, SF, ZF, PF.
#[inline]
pub(crate) fn add_flags(cpu: &mut Cpu, a: u64, b: u64, carry: u64, size: usize) -> u64 {
    let mask = size_mask(size);
    let full = u128::from(a & mask) + u128::from(b & mask) + u128::from(carry);
    let r = full as u64 & mask;
    let cf = u64::from(full > u128::from(mask)) * CF;
    let of = u64::from((a ^ r) & (b ^ r) & sign_bit(size) != 0) * OF;
    let af = (a ^ b ^ r) & 0x10;
    cpu.flags = (cpu.flags & !ARITH) | cf | of | af | szp(r, size);
    r
}

/// `a - b - borrow` in `size` bytes, setting CF, OF, AF, SF, ZF, PF.
#[inline]
pub(crate) fn sub_flags(cpu: &mut Cpu, a: u64, b: u64, borrow: u64, size: usize) -> u64 {
    let mask = size_mask(size);
    let (a, b) = (a & mask, b & mask);
    let r = a.wrapping_sub(b).wrapping_sub(borrow) & mask;
    let cf = u64::from(u128::from(a) < u128::from(b) + u128::from(borrow)) * CF;
    let of = u64::from((a ^ b) & (a ^ r) & sign_bit(size) != 0) * OF;
    let af = (a ^ b ^ r) & 0x10;
    cpu.flags = (cpu.flags & !ARITH) | cf | of | af | szp(r, size);
    r
}

/// Flags of AND, OR, XOR, TEST: CF, OF and AF cleared.
#[inline]
pub(crate) fn logic_flags(cpu: &mut Cpu, r: u64, size: usize) {
    cpu.flags = (cpu.flags & !ARITH) | szp(r, size);
}

/// Flags of a multiply: CF and OF say the result did not fit; SF, ZF, PF from the low half.
fn set_mul_flags(cpu: &mut Cpu, r: u64, size: usize, overflow: bool) {
    cpu.set_flag(CF, overflow);
    cpu.set_flag(OF, overflow);
    cpu.set_flag(AF, false);
    set_szp(cpu, r, size);
}

/// The count of a shift or rotate: its immediate or CL, masked as the CPU
/// masks it (six bits for 64-bit operands, five otherwise), or 1.
fn shift_count(m: &mut Machine<'_>, d: &Decoded, size: usize) -> Result<u32, Halt> {
    let count_mask = if size == 8 { 63 } else { 31 };
    Ok(if d.ins.op_count() == 1 {
        1
    } else {
        (m.read_op(d, 1)? & count_mask) as u32
    })
}

/// SHL, SHR, SAR (`KIND` 0, 1, 2): shifts by an immediate or CL. Their
/// flags wait in [`crate::cpu::Lazy`] as [`lazy::SHIFT`]; a count of 0
/// changes nothing.
#[inline(always)]
pub(crate) fn shift<const A: u8, const KIND: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let bits = size as u32 * 8;
    let a = m.read::<A>(d, 0)?;
    let count = shift_count(m, d, size)?;
    if count == 0 {
        return Ok(());
    }
    let mask = size_mask(size);
    let (r, cf, of) = match KIND {
        0 => {
            let r = if count >= bits {
                0
            } else {
                (a << count) & mask
            };
            let cf = count <= bits && (a >> (bits - count)) & 1 == 1;
            (r, cf, (r & sign_bit(size) != 0) != cf)
        }
        1 => {
            let r = if count >= bits { 0 } else { a >> count };
            let cf = count <= bits && (a >> (count - 1)) & 1 == 1;
            (r, cf, a & sign_bit(size) != 0)
        }
        _ => {
            let s = sign_extend(a, size);
            let r = (s >> count.min(63)) as u64 & mask;
            (r, (s >> (count - 1).min(63)) & 1 == 1, false)
        }
    };
    m.cpu
        .set_lazy(lazy::SHIFT, r, u64::from(cf) | u64::from(of) << 1, size);
    m.write::<A>(d, 0, r)
}

/// ROL, ROR: rotates by an immediate or CL; CF and OF change, the other flags stay.
pub(crate) fn rotate(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let bits = size as u32 * 8;
    let a = m.read_op(d, 0)?;
    let count = shift_count(m, d, size)?;
    if count == 0 {
        return Ok(());
    }
    let mask = size_mask(size);
    let cpu = &mut m.cpu;
    let r = match d.ins.mnemonic() {
        Mnemonic::Rol => {
            let c = count % bits;
            let r = if c == 0 {
                a
            } else {
                ((a << c) | (a >> (bits - c))) & mask
            };
            cpu.set_flag(CF, r & 1 == 1);
            cpu.set_flag(OF, (r & sign_bit(size) != 0) != (r & 1 == 1));
            r
        }
        _ => {
            let c = count % bits;
            let r = if c == 0 {
                a
            } else {
                ((a >> c) | (a << (bits - c))) & mask
            };
            let msb = r & sign_bit(size) != 0;
            cpu.set_flag(CF, msb);
            cpu.set_flag(OF, msb != (r & (sign_bit(size) >> 1) != 0));
            r
        }
    };
    m.write_op(d, 0, r)
}

/// RCL, RCR: Rotate through Carry, by an immediate or CL.
pub(crate) fn rotate_carry(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let bits = size as u32 * 8;
    let a = m.read_op(d, 0)?;
    let count = shift_count(m, d, size)? % (bits + 1);
    if count == 0 {
        return Ok(());
    }
    // Rotate the bits+1-bit value carry:a.
    let wide = u128::from(a) | u128::from(m.cpu.flag(CF)) << bits;
    let span = bits + 1;
    let full = (1u128 << span) - 1;
    let r = if d.ins.mnemonic() == Mnemonic::Rcl {
        ((wide << count) | (wide >> (span - count))) & full
    } else {
        ((wide >> count) | (wide << (span - count))) & full
    };
    let out = (r as u64) & size_mask(size);
    let cf = (r >> bits) & 1 == 1;
    m.cpu.set_flag(CF, cf);
    let msb = out & sign_bit(size) != 0;
    let of = if d.ins.mnemonic() == Mnemonic::Rcl {
        msb != cf
    } else {
        msb != (out & (sign_bit(size) >> 1) != 0)
    };
    m.cpu.set_flag(OF, of);
    m.write_op(d, 0, out)
}

/// SHLD, SHRD: Double Precision Shift.
pub(crate) fn double_shift(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let bits = size as u32 * 8;
    let a = m.read_op(d, 0)?;
    let b = m.read_op(d, 1)?;
    let count = (m.read_op(d, 2)? & if size == 8 { 63 } else { 31 }) as u32;
    if count == 0 {
        return Ok(());
    }
    let mask = size_mask(size);
    let (r, cf) = if d.ins.mnemonic() == Mnemonic::Shld {
        let wide = (u128::from(a) << bits) | u128::from(b);
        (
            ((wide << count) >> bits) as u64 & mask,
            (a >> (bits - count)) & 1 == 1,
        )
    } else {
        let wide = (u128::from(b) << bits) | u128::from(a);
        ((wide >> count) as u64 & mask, (a >> (count - 1)) & 1 == 1)
    };
    m.cpu.set_flag(CF, cf);
    m.cpu.set_flag(OF, (r ^ a) & sign_bit(size) != 0);
    m.cpu.set_flag(AF, false);
    set_szp(&mut m.cpu, r, size);
    m.write_op(d, 0, r)
}

/// DIV, IDIV: Unsigned and Signed Divide of DX:AX; a zero divisor is Go's divide panic.
pub(crate) fn divide(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let divisor = m.read_op(d, 0)?;
    if divisor == 0 {
        return Err(m.divide_fault());
    }
    if size == 1 {
        return Err(m.unsupported(d));
    }
    let bits = size * 8;
    let mask = size_mask(size);
    let lo = m.cpu.gpr[RAX] & mask;
    let hi = m.cpu.gpr[RDX] & mask;
    let (q, r) = if d.ins.mnemonic() == Mnemonic::Div {
        let n = (u128::from(hi) << bits) | u128::from(lo);
        let q = n / u128::from(divisor);
        if q > u128::from(mask) {
            return Err(m.divide_fault());
        }
        (q as u64, (n % u128::from(divisor)) as u64)
    } else {
        let n = (((u128::from(hi) << bits) | u128::from(lo)) as i128) << (128 - 2 * bits)
            >> (128 - 2 * bits);
        let dv = i128::from(sign_extend(divisor, size));
        let q = n / dv;
        if q != i128::from(sign_extend(q as u64 & mask, size)) {
            return Err(m.divide_fault());
        }
        (q as u64 & mask, (n % dv) as u64 & mask)
    };
    set_acc(&mut m.cpu, RAX, size, q);
    set_acc(&mut m.cpu, RDX, size, r);
    Ok(())
}

/// CMPXCHG8B: Compare and Exchange 8 Bytes (EDX:EAX with memory; ECX:EBX stored when equal).
pub(crate) fn cmpxchg8b(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let a = m.ea(d);
    let old = m.load(a, 8)?;
    let expected = (m.cpu.gpr[RDX] & 0xffff_ffff) << 32 | (m.cpu.gpr[RAX] & 0xffff_ffff);
    let equal = old == expected;
    if equal {
        let new = (m.cpu.gpr[crate::cpu::RCX] & 0xffff_ffff) << 32
            | (m.cpu.gpr[crate::cpu::RBX] & 0xffff_ffff);
        m.store(a, 8, new)?;
    } else {
        m.cpu.gpr[RAX] = old & 0xffff_ffff;
        m.cpu.gpr[RDX] = old >> 32;
    }
    m.cpu.set_flag(ZF, equal);
    Ok(())
}

/// CLC, STC, CMC, CLD, STD: Clear, Set or Complement the Carry Flag; Clear or Set the Direction Flag.
pub(crate) fn flag_op(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    match d.ins.mnemonic() {
        Mnemonic::Clc => m.cpu.set_flag(CF, false),
        Mnemonic::Stc => m.cpu.set_flag(CF, true),
        Mnemonic::Cmc => m.cpu.flags ^= CF,
        Mnemonic::Cld => m.cpu.set_flag(crate::cpu::DF, false),
        Mnemonic::Std => m.cpu.set_flag(crate::cpu::DF, true),
        _ => return Err(m.unsupported(d)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(cpu: &Cpu) -> String {
        [
            (CF, 'C'),
            (PF, 'P'),
            (AF, 'A'),
            (ZF, 'Z'),
            (SF, 'S'),
            (OF, 'O'),
        ]
        .iter()
        .map(|&(f, c)| if cpu.flag(f) { c } else { '-' })
        .collect()
    }

    /// Results and flags as a real CPU gives them (recorded with ADD/SUB followed by PUSHFQ).
    #[test]
    fn add_and_sub_flags() {
        let mut cpu = Cpu::default();
        let cases: [(bool, u64, u64, usize, u64, &str); 8] = [
            (true, 1, 2, 8, 3, "-P----"),
            (true, u64::MAX, 1, 8, 0, "CPAZ--"),
            (
                true,
                0x7fff_ffff_ffff_ffff,
                1,
                8,
                0x8000_0000_0000_0000,
                "-PA-SO",
            ),
            (true, 0xff, 1, 1, 0, "CPAZ--"),
            (false, 1, 2, 8, u64::MAX, "CPA-S-"),
            (false, 5, 5, 4, 0, "-P-Z--"),
            (false, 0x8000_0000, 1, 4, 0x7fff_ffff, "-PA--O"),
            (false, 0, 0x80, 1, 0x80, "C---SO"),
        ];
        for (add, a, b, size, want, want_flags) in cases {
            let r = if add {
                add_flags(&mut cpu, a, b, 0, size)
            } else {
                sub_flags(&mut cpu, a, b, 0, size)
            };
            assert_eq!(
                (r, flags(&cpu).as_str()),
                (want, want_flags),
                "{add} {a:#x} {b:#x} size {size}"
            );
        }
    }

    #[test]
    fn logic_flags_clear_carry_and_overflow() {
        let mut cpu = Cpu {
            flags: CF | OF | AF,
            ..Cpu::default()
        };
        logic_flags(&mut cpu, 0, 8);
        assert_eq!(flags(&cpu), "-P-Z--");
        logic_flags(&mut cpu, 0x80, 1);
        assert_eq!(flags(&cpu), "----S-");
    }
}
