//! Stack instructions: PUSH and POP.
//!
//! Handlers with form parameters are instantiated for their operands' forms
//! (see [`crate::decode::form`]).

use crate::decode::Decoded;
use crate::exec::{Exec, Machine};

/// PUSH: Push Word, Doubleword or Quadword Onto the Stack (`W`, the word size, bytes).
#[inline(always)]
pub(crate) fn push<const A: u8, const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let v = m.read::<A>(d, 0)?;
    m.push_word::<W>(v)
}

/// POP: Pop a Value from the Stack. The stack pointer moves before the write.
#[inline(always)]
pub(crate) fn pop<const A: u8, const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let v = m.pop_word::<W>()?;
    m.write::<A>(d, 0, v)
}

/// PUSHF/PUSHFD/PUSHFQ: Push the Flags Register onto the Stack.
pub(crate) fn pushf(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    // Bit 1 always reads as one; IF is set.
    let flags = m.cpu.flags | 0x202;
    m.push(flags)
}

/// POPF/POPFD/POPFQ: Pop Stack into the Flags Register (the arithmetic
/// flags, DF, and ID, whose toggling tells a program CPUID exists).
pub(crate) fn popf(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    let v = m.pop()?;
    m.cpu.flags = v & (crate::cpu::ARITH | crate::cpu::DF | crate::cpu::ID);
    Ok(())
}

/// PUSHA/PUSHAD: Push All General-Purpose Registers (386), ESP as it was before.
pub(crate) fn pusha(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    let sp = m.sp();
    for r in 0..8 {
        let v = if r == crate::cpu::RSP {
            sp
        } else {
            m.cpu.gpr[r]
        };
        m.push(v)?;
    }
    Ok(())
}

/// POPA/POPAD: Pop All General-Purpose Registers (386); the saved ESP is skipped.
pub(crate) fn popa(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    for r in (0..8).rev() {
        let v = m.pop()?;
        if r != crate::cpu::RSP {
            m.cpu.gpr[r] = v;
        }
    }
    Ok(())
}
