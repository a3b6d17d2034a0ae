//! Control transfer: CALL, RET, JMP and Jcc.

use iced_x86::OpKind;

use super::lazy_condition;
use crate::decode::Decoded;
use crate::exec::{Exec, Halt, Machine};

/// CALL: Call Procedure (`W`, the word size, bytes).
pub(crate) fn call<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let target = target(m, d)?;
    m.push_word::<W>(d.next)?;
    m.cpu.rip = target;
    Ok(())
}

/// RET: Return from Procedure (with an optional count of bytes to pop).
pub(crate) fn ret<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let to = m.pop_word::<W>()?;
    if d.ins.op_count() == 1 {
        let n = d.ins.immediate(0);
        m.cpu.gpr[crate::cpu::RSP] = m.sp().wrapping_add(n) & m.mask();
    }
    m.cpu.rip = to;
    Ok(())
}

/// JMP: Jump.
pub(crate) fn jmp(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    m.cpu.rip = target(m, d)?;
    Ok(())
}

/// Jcc: Jump if Condition Is Met, instantiated per condition (`CC`, a
/// [`iced_x86::ConditionCode`] as a number).
pub(crate) fn jcc<const CC: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    if lazy_condition(&mut m.cpu, CC) {
        m.cpu.rip = d.target;
    }
    Ok(())
}

fn target(m: &mut Machine<'_>, d: &Decoded) -> Result<u64, Halt> {
    match d.ins.op_kind(0) {
        OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => Ok(d.target),
        _ => m.read_op(d, 0),
    }
}
