//! The register file: general registers, flags, XMM registers, and how
//! iced-x86's register names map onto them.

use iced_x86::Register;

pub(crate) use crate::abi::{
    AF, ARITH, CF, DF, ID, OF, PF, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP, SF, ZF,
};

/// The CPU state the emulator keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cpu {
    /// RAX..R15 in hardware order (AX, CX, DX, BX, SP, BP, SI, DI, R8..R15).
    pub gpr: [u64; 16],
    /// The instruction pointer.
    pub rip: u64,
    /// RFLAGS: the arithmetic flags, DF and ID.
    pub flags: u64,
    /// XMM0..XMM15.
    pub xmm: [u128; 16],
    /// MM0..MM7 (the 386 runtime moves 64-bit atomics through them).
    pub mm: [u64; 8],
    /// The x87 floating-point unit (the 386 runtime's conversions use it).
    pub fpu: Fpu,
    /// Base of the GS segment (386 thread-local storage).
    pub gs_base: u64,
    /// Base of the FS segment (amd64 thread-local storage).
    pub fs_base: u64,
}

impl Cpu {
    /// Reads a general register of any width (`AL`, `AH`, `AX`, `EAX`, `RAX`).
    #[inline]
    pub(crate) fn reg(&self, r: Register) -> u64 {
        let (n, size, high) = gpr_slot(r);
        let v = self.gpr[n];
        match size {
            8 => v,
            4 => v & 0xffff_ffff,
            2 => v & 0xffff,
            _ if high => (v >> 8) & 0xff,
            _ => v & 0xff,
        }
    }

    /// Writes a general register; a 32-bit write clears the upper half, as on hardware.
    #[inline]
    pub(crate) fn set_reg(&mut self, r: Register, value: u64) {
        let (n, size, high) = gpr_slot(r);
        let old = self.gpr[n];
        self.gpr[n] = match size {
            8 => value,
            4 => value & 0xffff_ffff,
            2 => (old & !0xffff) | (value & 0xffff),
            _ if high => (old & !0xff00) | ((value & 0xff) << 8),
            _ => (old & !0xff) | (value & 0xff),
        };
    }

    /// The base of segment `seg` (see [`crate::decode::SEG_FS`]).
    #[inline]
    pub(crate) fn seg_base(&self, seg: u8) -> u64 {
        if seg == crate::decode::SEG_FS {
            self.fs_base
        } else {
            self.gs_base
        }
    }

    /// Whether the flag bits `f` are all set.
    #[inline]
    pub(crate) fn flag(&self, f: u64) -> bool {
        self.flags & f != 0
    }

    /// Sets or clears flag bits.
    #[inline]
    pub(crate) fn set_flag(&mut self, f: u64, on: bool) {
        if on {
            self.flags |= f;
        } else {
            self.flags &= !f;
        }
    }
}

/// Which of the sixteen registers `r` names, its width, and whether it is AH..BH.
#[inline]
pub(crate) fn gpr_slot(r: Register) -> (usize, usize, bool) {
    let high = matches!(r, Register::AH | Register::CH | Register::DH | Register::BH);
    (r.full_register().number(), r.size(), high)
}

/// The x87 unit: a stack of eight registers, here holding doubles as bits
/// (the values the runtime's conversions move are doubles or integers,
/// which a double and the 80-bit format hold alike), and its control and
/// status words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fpu {
    /// ST(i) is `regs[(top + i) % 8]`, as f64 bits.
    pub regs: [u64; 8],
    /// The stack top.
    pub top: u8,
    /// The control word: rounding and precision control, exception masks.
    pub control: u16,
    /// The condition codes C0..C3 of the status word.
    pub status: u16,
}

impl Default for Fpu {
    /// The state after FNINIT, as Linux starts a process.
    fn default() -> Fpu {
        Fpu {
            regs: [0; 8],
            top: 0,
            control: 0x037f,
            status: 0,
        }
    }
}

/// Whether the low byte of `v` has an even number of set bits.
#[inline]
pub(crate) fn parity(v: u64) -> bool {
    (v as u8).count_ones().is_multiple_of(2)
}
