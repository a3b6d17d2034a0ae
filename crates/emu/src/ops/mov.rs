//! Data movement: MOV, MOVZX/MOVSX, LEA, XCHG, CMOVcc, SETcc, sign extension,
//! BSWAP, the string moves and stores, and NOP.
//!
//! Handlers with form parameters are instantiated for their operands' forms
//! (see [`crate::decode::form`]).

use iced_x86::{Mnemonic, Register};

use super::condition;
use crate::cpu::{DF, RAX, RCX, RDI, RDX, RSI};
use crate::decode::Decoded;
use crate::exec::{Exec, Machine, sign_extend, size_mask};

/// NOP: No Operation.
pub(crate) fn nop(_: &mut Machine<'_>, _: &Decoded) -> Exec {
    Ok(())
}

/// MOV: Move; MOVZX: Move with Zero-Extend. A 32-bit register destination clears the upper half.
#[inline(always)]
pub(crate) fn mov<const A: u8, const B: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let v = m.read::<B>(d, 1)?;
    m.write::<A>(d, 0, v)
}

/// MOVSX/MOVSXD: Move with Sign-Extension.
pub(crate) fn movsx(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 1);
    let v = sign_extend(m.read_op(d, 1)?, size) as u64;
    let dst = m.op_size(d, 0);
    m.write_op(d, 0, v & size_mask(dst))
}

/// LEA: Load Effective Address.
#[inline(always)]
pub(crate) fn lea<const A: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let a = m.ea(d);
    let size = m.op_size(d, 0);
    m.write::<A>(d, 0, a & size_mask(size))
}

/// XCHG: Exchange Register/Memory with Register (implicitly locked).
pub(crate) fn xchg(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let a = m.read_op(d, 0)?;
    let b = m.read_op(d, 1)?;
    m.write_op(d, 0, b)?;
    m.write_op(d, 1, a)
}

/// CMOVcc: Conditional Move. A 32-bit destination is zero-extended even when not moved.
pub(crate) fn cmov(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let src = m.read_op(d, 1)?;
    let v = if condition(&m.cpu, d.cc as u8) {
        src
    } else {
        m.read_op(d, 0)?
    };
    m.write_op(d, 0, v)
}

/// SETcc: Set Byte on Condition.
pub(crate) fn setcc(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let v = u64::from(condition(&m.cpu, d.cc as u8));
    m.write_op(d, 0, v)
}

/// CWD/CDQ/CQO: Convert Word to Doubleword/Quadword (sign of AX into DX).
pub(crate) fn cwd(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = match d.ins.mnemonic() {
        Mnemonic::Cwd => 2,
        Mnemonic::Cdq => 4,
        _ => 8,
    };
    let negative = sign_extend(m.cpu.gpr[RAX], size) < 0;
    let dx = if negative { size_mask(size) } else { 0 };
    let reg = match size {
        2 => Register::DX,
        4 => Register::EDX,
        _ => Register::RDX,
    };
    debug_assert_eq!(reg.full_register().number(), RDX);
    m.cpu.set_reg(reg, dx);
    Ok(())
}

/// CWDE: Convert Word to Doubleword, in AX.
pub(crate) fn cwde(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    let v = sign_extend(m.cpu.gpr[RAX], 2) as u64;
    m.cpu.set_reg(Register::EAX, v);
    Ok(())
}

/// CDQE: Convert Doubleword to Quadword, in AX.
pub(crate) fn cdqe(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    m.cpu.gpr[RAX] = sign_extend(m.cpu.gpr[RAX], 4) as u64;
    Ok(())
}

/// BSWAP: Byte Swap.
pub(crate) fn bswap(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = m.op_size(d, 0);
    let v = m.read_op(d, 0)?;
    let swapped = if size == 8 {
        v.swap_bytes()
    } else {
        u64::from((v as u32).swap_bytes())
    };
    m.write_op(d, 0, swapped)
}

/// MOVS: Move Data from String to String, with or without REP.
pub(crate) fn movs(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    string_op(m, d, true)
}

/// STOS: Store String, with or without REP.
pub(crate) fn stos(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    string_op(m, d, false)
}

/// How far a string instruction moves SI and DI per element: down when the direction flag is set.
fn string_step(m: &Machine<'_>, size: usize) -> u64 {
    if m.cpu.flag(DF) {
        (size as u64).wrapping_neg()
    } else {
        size as u64
    }
}

/// MOVS and STOS, element by element, honouring REP and the direction flag.
fn string_op(m: &mut Machine<'_>, d: &Decoded, is_move: bool) -> Exec {
    let size = d.ins.memory_size().size();
    let rep = d.ins.has_rep_prefix();
    let mask = m.mask();
    let step = string_step(m, size);
    loop {
        if rep && m.cpu.gpr[RCX] & mask == 0 {
            return Ok(());
        }
        let value = if is_move {
            let si = m.cpu.gpr[RSI] & mask;
            m.cpu.gpr[RSI] = si.wrapping_add(step) & mask;
            m.load(si, size)?
        } else {
            m.cpu.gpr[RAX] & size_mask(size)
        };
        let di = m.cpu.gpr[RDI] & mask;
        m.store(di, size, value)?;
        m.cpu.gpr[RDI] = di.wrapping_add(step) & mask;
        if !rep {
            return Ok(());
        }
        m.cpu.gpr[RCX] = (m.cpu.gpr[RCX] & mask).wrapping_sub(1);
    }
}

/// SCAS: Scan String, and CMPS: Compare String Operands, with or without
/// REPE/REPNE, honouring the direction flag. The flags are those of the
/// last comparison made.
pub(crate) fn scan_compare(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let size = d.ins.memory_size().size();
    let compare = matches!(
        d.ins.mnemonic(),
        Mnemonic::Cmpsb | Mnemonic::Cmpsw | Mnemonic::Cmpsd | Mnemonic::Cmpsq
    );
    let (repe, repne) = (d.ins.has_repe_prefix(), d.ins.has_repne_prefix());
    let mask = m.mask();
    let step = string_step(m, size);
    loop {
        if (repe || repne) && m.cpu.gpr[RCX] & mask == 0 {
            return Ok(());
        }
        let di = m.cpu.gpr[RDI] & mask;
        let right = m.load(di, size)?;
        let left = if compare {
            let si = m.cpu.gpr[RSI] & mask;
            let v = m.load(si, size)?;
            m.cpu.gpr[RSI] = si.wrapping_add(step) & mask;
            v
        } else {
            m.cpu.gpr[RAX] & size_mask(size)
        };
        m.cpu.gpr[RDI] = di.wrapping_add(step) & mask;
        super::arith::sub_flags(&mut m.cpu, left, right, 0, size);
        if !(repe || repne) {
            return Ok(());
        }
        m.cpu.gpr[RCX] = (m.cpu.gpr[RCX] & mask).wrapping_sub(1);
        let equal = m.cpu.flag(crate::cpu::ZF);
        if (repe && !equal) || (repne && equal) {
            return Ok(());
        }
    }
}
