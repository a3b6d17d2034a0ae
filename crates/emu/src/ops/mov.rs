//! Data movement: MOV, MOVZX/MOVSX, LEA, XCHG, CMOVcc, SETcc, sign extension,
//! BSWAP, the string moves and stores, and NOP.

use iced_x86::{Instruction, Mnemonic, OpKind, Register};

use super::condition;
use crate::cpu::{DF, RAX, RCX, RDI, RDX, RSI};
use crate::exec::{Exec, Machine, sign_extend, size_mask};

/// Executes one data-movement instruction.
pub(crate) fn exec(m: &mut Machine<'_>, ins: &Instruction) -> Exec {
    use Mnemonic as M;
    match ins.mnemonic() {
        M::Nop => Ok(()),
        // MOV: Move. A 32-bit register destination clears the upper half.
        M::Mov => {
            let v = m.read_op(ins, 1)?;
            m.write_op(ins, 0, v)
        }
        // MOVZX: Move with Zero-Extend.
        M::Movzx => {
            let v = m.read_op(ins, 1)?;
            m.write_op(ins, 0, v)
        }
        // MOVSX/MOVSXD: Move with Sign-Extension.
        M::Movsx | M::Movsxd => {
            let size = m.op_size(ins, 1);
            let v = sign_extend(m.read_op(ins, 1)?, size) as u64;
            let dst = m.op_size(ins, 0);
            m.write_op(ins, 0, v & size_mask(dst))
        }
        // LEA: Load Effective Address.
        M::Lea => {
            let a = m.ea(ins);
            let size = m.op_size(ins, 0);
            m.write_op(ins, 0, a & size_mask(size))
        }
        // XCHG: Exchange Register/Memory with Register (implicitly locked).
        M::Xchg => {
            let a = m.read_op(ins, 0)?;
            let b = m.read_op(ins, 1)?;
            m.write_op(ins, 0, b)?;
            m.write_op(ins, 1, a)
        }
        // CMOVcc: Conditional Move. A 32-bit destination is zero-extended even when not moved.
        M::Cmove
        | M::Cmovne
        | M::Cmova
        | M::Cmovae
        | M::Cmovb
        | M::Cmovbe
        | M::Cmovg
        | M::Cmovge
        | M::Cmovl
        | M::Cmovle
        | M::Cmovs
        | M::Cmovns
        | M::Cmovo
        | M::Cmovno
        | M::Cmovp
        | M::Cmovnp => {
            let src = m.read_op(ins, 1)?;
            let v = if condition(&m.cpu, ins.condition_code()) {
                src
            } else {
                m.read_op(ins, 0)?
            };
            m.write_op(ins, 0, v)
        }
        // SETcc: Set Byte on Condition.
        M::Sete
        | M::Setne
        | M::Seta
        | M::Setae
        | M::Setb
        | M::Setbe
        | M::Setg
        | M::Setge
        | M::Setl
        | M::Setle
        | M::Sets
        | M::Setns
        | M::Seto
        | M::Setno
        | M::Setp
        | M::Setnp => {
            let v = u64::from(condition(&m.cpu, ins.condition_code()));
            m.write_op(ins, 0, v)
        }
        // CWD/CDQ/CQO: Convert Word to Doubleword/Quadword (sign of AX into DX).
        M::Cwd | M::Cdq | M::Cqo => {
            let size = match ins.mnemonic() {
                M::Cwd => 2,
                M::Cdq => 4,
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
        // CWDE/CDQE: Convert Word to Doubleword / Doubleword to Quadword, in AX.
        M::Cwde => {
            let v = sign_extend(m.cpu.gpr[RAX], 2) as u64;
            m.cpu.set_reg(Register::EAX, v);
            Ok(())
        }
        M::Cdqe => {
            m.cpu.gpr[RAX] = sign_extend(m.cpu.gpr[RAX], 4) as u64;
            Ok(())
        }
        // BSWAP: Byte Swap.
        M::Bswap => {
            let size = m.op_size(ins, 0);
            let v = m.read_op(ins, 0)?;
            let swapped = if size == 8 {
                v.swap_bytes()
            } else {
                u64::from((v as u32).swap_bytes())
            };
            m.write_op(ins, 0, swapped)
        }
        // MOVS: Move Data from String to String, with or without REP.
        M::Movsb | M::Movsd | M::Movsq
            if matches!(
                ins.op_kind(0),
                OpKind::MemoryESDI | OpKind::MemoryESEDI | OpKind::MemoryESRDI
            ) =>
        {
            string_op(m, ins, true)
        }
        // The SSE2 MOVSD (Move Scalar Double) shares the string move's mnemonic.
        M::Movsd => super::sse::exec(m, ins),
        // STOS: Store String, with or without REP.
        M::Stosb | M::Stosd | M::Stosq => string_op(m, ins, false),
        _ => Err(m.unsupported(ins)),
    }
}

/// MOVS and STOS, element by element, honouring REP and the direction flag.
fn string_op(m: &mut Machine<'_>, ins: &Instruction, is_move: bool) -> Exec {
    let size = ins.memory_size().size();
    let rep = ins.has_rep_prefix();
    let mask = m.mask();
    let step = if m.cpu.flag(DF) {
        (size as u64).wrapping_neg()
    } else {
        size as u64
    };
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
