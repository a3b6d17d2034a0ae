//! Stack instructions: PUSH and POP.

use iced_x86::{Instruction, Mnemonic};

use crate::exec::{Exec, Machine};

/// Executes PUSH or POP.
pub(crate) fn exec(m: &mut Machine<'_>, ins: &Instruction) -> Exec {
    match ins.mnemonic() {
        // PUSH: Push Word, Doubleword or Quadword Onto the Stack.
        Mnemonic::Push => {
            let v = m.read_op(ins, 0)?;
            m.push(v)
        }
        // POP: Pop a Value from the Stack. The stack pointer moves before the write.
        Mnemonic::Pop => {
            let v = m.pop()?;
            m.write_op(ins, 0, v)
        }
        _ => Err(m.unsupported(ins)),
    }
}
