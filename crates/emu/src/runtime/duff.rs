//! `runtime.duffzero` and `runtime.duffcopy`: Duff's devices entered part way
//! through, so the entry offset says how many blocks run.
//!
//! On amd64 a `duffzero` block is four 16-byte `MOVUPS X15` stores and
//! `LEAQ 64(DI), DI` (23 bytes of code, 16 blocks); a `duffcopy` block is
//! `MOVUPS (SI), X0; ADDQ $16, SI; MOVUPS X0, (DI); ADDQ $16, DI` (14 bytes,
//! 64 blocks). On 386 `duffzero` is 128 one-byte `STOSL`s and a `duffcopy`
//! block is `MOVL (SI), CX; ADDL $4, SI; MOVL CX, (DI); ADDL $4, DI` (10 bytes,
//! 128 blocks). The model does what the blocks from the entry on do, registers
//! and flags included.

use crate::cpu::{RAX, RCX, RDI, RSI};
use crate::exec::{Exec, Machine};
use crate::ops::arith::add_flags;
use crate::{Arch, Stop};

/// Runs the device from `offset` and returns to the caller.
pub(crate) fn call(m: &mut Machine<'_>, name: &str, offset: u64) -> Exec {
    let zero = name == "runtime.duffzero";
    let (block_len, blocks) = match (m.arch, zero) {
        (Arch::Amd64, true) => (23, 16),
        (Arch::Amd64, false) => (14, 64),
        (Arch::I386, true) => (1, 128),
        (Arch::I386, false) => (10, 128),
    };
    if !offset.is_multiple_of(block_len) || offset / block_len > blocks {
        return Err(Box::new(Stop::Unsupported {
            what: format!("an entry into {name}+{offset:#x}"),
            at: m.call_site(),
        }));
    }
    let count = blocks - offset / block_len;
    let w = m.arch.word() as usize;
    for _ in 0..count {
        match (m.arch, zero) {
            (Arch::Amd64, true) => {
                let di = m.cpu.gpr[RDI];
                let x15 = m.cpu.xmm[15];
                for k in 0..4 {
                    m.store(di + 16 * k, 8, x15 as u64)?;
                    m.store(di + 16 * k + 8, 8, (x15 >> 64) as u64)?;
                }
                m.cpu.gpr[RDI] = di + 64;
            }
            (Arch::Amd64, false) => {
                let (si, di) = (m.cpu.gpr[RSI], m.cpu.gpr[RDI]);
                let lo = m.load(si, 8)?;
                let hi = m.load(si + 8, 8)?;
                m.cpu.xmm[0] = u128::from(lo) | (u128::from(hi) << 64);
                m.cpu.gpr[RSI] = add_flags(&mut m.cpu, si, 16, 0, 8);
                m.store(di, 8, lo)?;
                m.store(di + 8, 8, hi)?;
                m.cpu.gpr[RDI] = add_flags(&mut m.cpu, di, 16, 0, 8);
            }
            (Arch::I386, true) => {
                let di = m.cpu.gpr[RDI];
                let ax = m.cpu.gpr[RAX] & 0xffff_ffff;
                m.store(di, w, ax)?;
                m.cpu.gpr[RDI] = (di + 4) & 0xffff_ffff;
            }
            (Arch::I386, false) => {
                let (si, di) = (m.cpu.gpr[RSI], m.cpu.gpr[RDI]);
                let v = m.load(si, 4)?;
                m.cpu.gpr[RCX] = v;
                m.cpu.gpr[RSI] = add_flags(&mut m.cpu, si, 4, 0, 4);
                m.store(di, 4, v)?;
                m.cpu.gpr[RDI] = add_flags(&mut m.cpu, di, 4, 0, 4);
            }
        }
    }
    m.model_return()
}
