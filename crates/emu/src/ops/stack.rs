//! Stack instructions: PUSH and POP.

use crate::decode::Decoded;
use crate::exec::{Exec, Machine};

/// PUSH: Push Word, Doubleword or Quadword Onto the Stack.
pub(crate) fn push(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let v = m.read_op(d, 0)?;
    m.push(v)
}

/// POP: Pop a Value from the Stack. The stack pointer moves before the write.
pub(crate) fn pop(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let v = m.pop()?;
    m.write_op(d, 0, v)
}
