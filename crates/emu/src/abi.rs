//! The register file's numbering and the registers Go's calling
//! conventions use: said once here for every crate that reads a [`crate::Cpu`].

use crate::Arch;

/// Carry flag.
pub const CF: u64 = 1 << 0;
/// Parity flag.
pub const PF: u64 = 1 << 2;
/// Auxiliary carry flag.
pub const AF: u64 = 1 << 4;
/// Zero flag.
pub const ZF: u64 = 1 << 6;
/// Sign flag.
pub const SF: u64 = 1 << 7;
/// Direction flag.
pub const DF: u64 = 1 << 10;
/// Overflow flag.
pub const OF: u64 = 1 << 11;
/// The ID flag: a program that can toggle it knows CPUID exists.
pub const ID: u64 = 1 << 21;
/// The arithmetic flags an ALU instruction may change.
pub const ARITH: u64 = CF | PF | AF | ZF | SF | OF;
/// The arithmetic flags with their names, in bit order.
pub const ARITH_NAMES: [(u64, &str); 6] = [
    (CF, "CF"),
    (PF, "PF"),
    (AF, "AF"),
    (ZF, "ZF"),
    (SF, "SF"),
    (OF, "OF"),
];

/// `AT_RANDOM` in Linux's auxiliary vector: the address of 16 random bytes.
pub const AT_RANDOM: u64 = 25;
/// `nanosleep`'s system call number on amd64.
pub const AMD64_SYS_NANOSLEEP: u64 = 35;
/// `nanosleep`'s system call number on 386.
pub const I386_SYS_NANOSLEEP: u64 = 162;

/// `nanosleep`'s system call number on `arch`: the runtime's `usleep`, where sysmon sleeps.
pub fn sys_nanosleep(arch: crate::Arch) -> u64 {
    match arch {
        crate::Arch::Amd64 => AMD64_SYS_NANOSLEEP,
        crate::Arch::I386 => I386_SYS_NANOSLEEP,
    }
}

/// RAX (EAX): index in [`crate::Cpu::gpr`], in the hardware's numbering.
pub const RAX: usize = 0;
/// RCX (ECX).
pub const RCX: usize = 1;
/// RDX (EDX).
pub const RDX: usize = 2;
/// RBX (EBX).
pub const RBX: usize = 3;
/// RSP (ESP).
pub const RSP: usize = 4;
/// RBP (EBP).
pub const RBP: usize = 5;
/// RSI (ESI).
pub const RSI: usize = 6;
/// RDI (EDI).
pub const RDI: usize = 7;
/// R14: the current goroutine's `g` in Go's amd64 register ABI.
pub const R14: usize = 14;

/// Names of the general registers as Go's assembler spells them.
pub const GPR_NAMES: [&str; 16] = [
    "AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI", "R8", "R9", "R10", "R11", "R12", "R13", "R14",
    "R15",
];

/// Integer argument and result registers of Go's amd64 register ABI, in order.
pub const AMD64_INT_ARGS: [usize; 9] = [RAX, RBX, RCX, RDI, RSI, 8, 9, 10, 11];

/// The registers a picture of the stack shows, in order: on amd64 the first
/// integer argument and result registers (AX, BX, CX, DI, SI), DX (a
/// closure's context), SP and BP; on 386, where arguments live on the
/// stack, AX, BX, CX, DX and SP.
pub fn shown_registers(arch: Arch) -> &'static [usize] {
    match arch {
        Arch::Amd64 => &[RAX, RBX, RCX, RDI, RSI, RDX, RSP, RBP],
        Arch::I386 => &[RAX, RBX, RCX, RDX, RSP],
    }
}

/// The register a DWARF register number names: the System V numbering on
/// amd64 (0 RAX, 1 RDX, 2 RCX, 3 RBX, 4 RSI, 5 RDI, 6 RBP, 7 RSP, 8-15
/// R8-R15, 17-32 XMM0-15), the i386 one on 386 (the hardware's order for
/// the eight general registers, 21-28 XMM0-7).
pub fn dwarf_register(arch: Arch, n: u16) -> Option<crate::Reg> {
    use crate::Reg;
    match arch {
        Arch::Amd64 => match n {
            0 => Some(Reg::Gpr(RAX)),
            1 => Some(Reg::Gpr(RDX)),
            2 => Some(Reg::Gpr(RCX)),
            3 => Some(Reg::Gpr(RBX)),
            4 => Some(Reg::Gpr(RSI)),
            5 => Some(Reg::Gpr(RDI)),
            6 => Some(Reg::Gpr(RBP)),
            7 => Some(Reg::Gpr(RSP)),
            8..=15 => Some(Reg::Gpr(usize::from(n))),
            17..=32 => Some(Reg::Xmm(usize::from(n - 17))),
            _ => None,
        },
        Arch::I386 => match n {
            0..=7 => Some(Reg::Gpr(usize::from(n))),
            21..=28 => Some(Reg::Xmm(usize::from(n - 21))),
            _ => None,
        },
    }
}
