//! Control transfer: CALL, RET, JMP and Jcc. Each is a step of its own
//! (see [`crate::decode::Step`]): it knows where the next instruction is.

use iced_x86::OpKind;

use super::lazy_condition;
use crate::decode::Decoded;
use crate::exec::{Halt, LOOKUP, Machine, Next, one_step};

/// CALL: Call Procedure (`W`, the word size, bytes).
pub(crate) fn call<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Next {
    let target = match target(m, d) {
        Ok(target) => target,
        Err(stop) => return m.halt(stop),
    };
    if let Err(stop) = m.push_word::<W>(d.next) {
        return m.halt(stop);
    }
    m.cpu.rip = target;
    one_step(at(d, target))
}

/// RET: Return from Procedure (with an optional count of bytes to pop).
pub(crate) fn ret<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Next {
    let to = match m.pop_word::<W>() {
        Ok(to) => to,
        Err(stop) => return m.halt(stop),
    };
    if d.ins.op_count() == 1 {
        let n = d.ins.immediate(0);
        m.cpu.gpr[crate::cpu::RSP] = m.sp().wrapping_add(n) & m.mask();
    }
    m.cpu.rip = to;
    one_step(LOOKUP)
}

/// JMP: Jump.
pub(crate) fn jmp(m: &mut Machine<'_>, d: &Decoded) -> Next {
    match target(m, d) {
        Ok(target) => {
            m.cpu.rip = target;
            one_step(at(d, target))
        }
        Err(stop) => m.halt(stop),
    }
}

/// Jcc: Jump if Condition Is Met, instantiated per condition (`CC`, a
/// [`iced_x86::ConditionCode`] as a number).
pub(crate) fn jcc<const CC: u8>(m: &mut Machine<'_>, d: &Decoded) -> Next {
    if lazy_condition(&mut m.cpu, CC) {
        m.cpu.rip = d.target;
        one_step(d.target_index)
    } else {
        one_step(d.next_index)
    }
}

fn target(m: &mut Machine<'_>, d: &Decoded) -> Result<u64, Halt> {
    match d.ins.op_kind(0) {
        OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => Ok(d.target),
        _ => m.read_op(d, 0),
    }
}

/// The index of the instruction at `target`, without a lookup when it is
/// the instruction's own branch target.
#[inline]
fn at(d: &Decoded, target: u64) -> u32 {
    if target == d.target {
        d.target_index
    } else {
        LOOKUP
    }
}
