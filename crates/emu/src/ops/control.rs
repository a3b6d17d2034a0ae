//! Control transfer: CALL, RET, JMP, Jcc, and the trapping INT3 and UD2.

use iced_x86::{Instruction, Mnemonic, OpKind};

use super::condition;
use crate::exec::{Exec, Halt, Machine};

/// Executes one control-transfer instruction; `rip` already points past it.
pub(crate) fn exec(m: &mut Machine<'_>, ins: &Instruction) -> Exec {
    match ins.mnemonic() {
        // CALL: Call Procedure.
        Mnemonic::Call => {
            let target = target(m, ins)?;
            m.push(ins.next_ip())?;
            m.cpu.rip = target;
            Ok(())
        }
        // RET: Return from Procedure (with an optional count of bytes to pop).
        Mnemonic::Ret => {
            let to = m.pop()?;
            if ins.op_count() == 1 {
                let n = ins.immediate(0);
                m.cpu.gpr[crate::cpu::RSP] = m.sp().wrapping_add(n) & m.mask();
            }
            m.cpu.rip = to;
            Ok(())
        }
        // JMP: Jump.
        Mnemonic::Jmp => {
            m.cpu.rip = target(m, ins)?;
            Ok(())
        }
        // INT3 and UD2 only appear where the compiler marks unreachable code.
        Mnemonic::Int3 | Mnemonic::Ud2 => Err(m.unsupported(ins)),
        // Jcc: Jump if Condition Is Met.
        _ => {
            if condition(&m.cpu, ins.condition_code()) {
                m.cpu.rip = ins.near_branch_target();
            }
            Ok(())
        }
    }
}

fn target(m: &mut Machine<'_>, ins: &Instruction) -> Result<u64, Halt> {
    match ins.op_kind(0) {
        OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => {
            Ok(ins.near_branch_target())
        }
        _ => m.read_op(ins, 0),
    }
}
