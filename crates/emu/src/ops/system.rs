//! System instructions a whole program meets: SYSCALL and INT 0x80 into
//! Linux, CPUID reporting a baseline CPU, RDTSC from the step count, moves
//! of the GS selector, and the hints and fences that change nothing on one CPU.

use iced_x86::{Mnemonic, Register};

use crate::Arch;
use crate::cpu::{RAX, RBX, RCX, RDX};
use crate::decode::Decoded;
use crate::exec::{Exec, Machine};
use crate::os;

/// SYSCALL: Fast System Call (amd64).
pub(crate) fn syscall(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    if m.arch != Arch::Amd64 {
        return Err(m.unsupported(d));
    }
    os::syscall(m)
}

/// INT: Call to Interrupt Procedure; `INT 0x80` is a 386 system call.
pub(crate) fn int(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    if m.arch != Arch::I386 || d.ins.immediate(0) != 0x80 {
        return Err(m.unsupported(d));
    }
    os::syscall(m)
}

/// CPUID: CPU Identification. A baseline CPU, the same on every run: an
/// x86-64 with SSE2 and nothing newer (GOAMD64=v1), so the runtime takes
/// its SSE2 and portable paths.
pub(crate) fn cpuid(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    let leaf = m.cpu.gpr[RAX] as u32;
    // FPU, TSC, CX8, CMOV, MMX, FXSR, SSE, SSE2.
    let features = 1 | 1 << 4 | 1 << 8 | 1 << 15 | 1 << 23 | 1 << 24 | 1 << 25 | 1 << 26;
    let long_mode = if m.arch == Arch::Amd64 { 1 << 29 } else { 0 };
    let (a, b, c, dx): (u32, u32, u32, u32) = match leaf {
        // The highest leaf, and "GenuineIntel".
        0 => (7, 0x756e_6547, 0x6c65_746e, 0x4965_6e69),
        // Family 6: stepping, model, family; one logical CPU, 64-byte CLFLUSH lines.
        1 => (0x0000_0663, 0x0001_0800, 0, features),
        0x8000_0000 => (0x8000_0001, 0, 0, 0),
        0x8000_0001 => (0, 0, 0, long_mode),
        _ => (0, 0, 0, 0),
    };
    for (r, v) in [(RAX, a), (RBX, b), (RCX, c), (RDX, dx)] {
        m.cpu.gpr[r] = u64::from(v);
    }
    Ok(())
}

/// RDTSC: Read Time-Stamp Counter, three ticks a step from a fixed start.
pub(crate) fn rdtsc(m: &mut Machine<'_>, _: &Decoded) -> Exec {
    let t = 1_000_000 + m.steps * 3;
    m.cpu.gpr[RAX] = t & 0xffff_ffff;
    m.cpu.gpr[RDX] = t >> 32;
    Ok(())
}

/// MOV to or from a segment register: only GS on 386, the thread's TLS selector.
pub(crate) fn mov_segment(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    let ins = &d.ins;
    if m.arch != Arch::I386 || ins.mnemonic() != Mnemonic::Mov {
        return Err(m.unsupported(d));
    }
    if ins.op_register(0) == Register::GS {
        let selector = m.read_op(d, 1)? as u16;
        os::with(m, |os, m| {
            os.thread().gs_selector = selector;
            m.cpu.gs_base = os::gs_base(os.thread());
        });
        Ok(())
    } else if ins.op_register(1) == Register::GS {
        let selector = os::with(m, |os, _| os.thread().gs_selector);
        m.write_op(d, 0, u64::from(selector))
    } else {
        Err(m.unsupported(d))
    }
}
