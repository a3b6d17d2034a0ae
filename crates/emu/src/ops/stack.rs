//! Stack instructions: PUSH and POP.
//!
//! Handlers with form parameters are instantiated for their operands' forms
//! (see [`crate::decode::form`]).

use crate::decode::Decoded;
use crate::exec::{Exec, Machine};

/// PUSH: Push Word, Doubleword or Quadword Onto the Stack.
pub(crate) fn push<const A: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let v = m.read::<A>(d, 0)?;
    m.push(v)
}

/// POP: Pop a Value from the Stack. The stack pointer moves before the write.
pub(crate) fn pop<const A: u8>(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let v = m.pop()?;
    m.write::<A>(d, 0, v)
}

/// PUSHF/PUSHFD/PUSHFQ: Push the Flags Register onto the Stack.
pub(crate) fn pushf(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    // Bit 1 always reads as one; IF is set.
    let flags = m.cpu.flags | 0x202;
    m.push(flags)
}

/// POPF/POPFD/POPFQ: Pop Stack into the Flags Register (the arithmetic flags and DF).
pub(crate) fn popf(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    let v = m.pop()?;
    m.cpu.flags = v & (crate::cpu::ARITH | crate::cpu::DF);
    Ok(())
}
