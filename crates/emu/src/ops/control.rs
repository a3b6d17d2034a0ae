//! Control transfer: CALL, RET, JMP and Jcc. Each is a step of its own
//! (see [`crate::decode::Step`]): it knows where the next instruction is.

use super::lazy_condition;
use crate::decode::Decoded;
use crate::exec::{Machine, Next, one_step};

/// CALL: Call Procedure (`W`, the word size, bytes) to its branch target.
pub(crate) fn call<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Next {
    if let Err(stop) = m.push_word::<W>(d.next) {
        return m.halt(stop);
    }
    m.cpu.rip = d.target;
    one_step(d.target_index)
}

/// CALL: Call Procedure (`W`, the word size, bytes) to the address in a register or memory.
pub(crate) fn call_indirect<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Next {
    let target = match m.read_op(d, 0) {
        Ok(target) => target,
        Err(stop) => return m.halt(stop),
    };
    if let Err(stop) = m.push_word::<W>(d.next) {
        return m.halt(stop);
    }
    one_step(m.jump_to(target))
}

/// RET: Return from Procedure (`W`, the word size, bytes).
pub(crate) fn ret<const W: u64>(m: &mut Machine<'_>, _: &Decoded) -> Next {
    match m.pop_word::<W>() {
        Ok(to) => one_step(m.jump_to(to)),
        Err(stop) => m.halt(stop),
    }
}

/// RET imm16: Return from Procedure and pop that many bytes more.
pub(crate) fn ret_pop<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Next {
    match m.pop_word::<W>() {
        Ok(to) => {
            let n = d.ins.immediate(0);
            m.cpu.gpr[crate::cpu::RSP] = m.sp().wrapping_add(n) & m.mask();
            one_step(m.jump_to(to))
        }
        Err(stop) => m.halt(stop),
    }
}

/// JMP: Jump to its branch target.
pub(crate) fn jmp(m: &mut Machine<'_>, d: &Decoded) -> Next {
    m.cpu.rip = d.target;
    one_step(d.target_index)
}

/// JMP: Jump to the address in a register or memory.
pub(crate) fn jmp_indirect(m: &mut Machine<'_>, d: &Decoded) -> Next {
    match m.read_op(d, 0) {
        Ok(target) => one_step(m.jump_to(target)),
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
