//! The register file: general registers, flags, XMM registers, and how
//! iced-x86's register names map onto them.

use iced_x86::Register;

use crate::Arch;

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
    /// The arithmetic flags the last flag-setting instruction left, not
    /// computed yet: while `lazy.op` is not [`lazy::NONE`], they are
    /// these rather than `flags`' (see [`Cpu::settle`]).
    pub(crate) lazy: Lazy,
}

/// An operation whose flags are computed only when something reads them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Lazy {
    /// One of the [`lazy`] constants.
    pub(crate) op: u8,
    /// The operands' size in bytes.
    pub(crate) size: u8,
    /// The first operand, or for [`lazy::LOGIC`] the result.
    pub(crate) a: u64,
    /// The second operand.
    pub(crate) b: u64,
}

/// The operations whose flags wait in [`Lazy`].
///
/// Only the step loop and the handlers of a few frequent instructions
/// (moves, the stack, branches, ADD, SUB, CMP, AND, OR, XOR, TEST, INC,
/// DEC) see flags
/// that wait: every other instruction, a fault, a traced step's record and
/// the end of a run of steps settle them first (see [`crate::ops::settled`]).
pub(crate) mod lazy {
    /// The flags are in `Cpu::flags`.
    pub(crate) const NONE: u8 = 0;
    /// `a + b`.
    pub(crate) const ADD: u8 = 1;
    /// `a - b` (SUB, CMP).
    pub(crate) const SUB: u8 = 2;
    /// A logical operation with result `a`: CF, OF and AF clear.
    pub(crate) const LOGIC: u8 = 3;
    /// `a + 1`, CF kept as `b` (0 or 1).
    pub(crate) const INC: u8 = 4;
    /// `a - 1`, CF kept as `b` (0 or 1).
    pub(crate) const DEC: u8 = 5;
    /// A shift (SHL, SHR, SAR by a count that is not 0) with result `a`:
    /// CF is bit 0 of `b`, OF bit 1, AF clear.
    pub(crate) const SHIFT: u8 = 6;
    /// `a + b + 1` (ADC with CF set; with CF clear it is [`ADD`]).
    pub(crate) const ADD1: u8 = 7;
    /// `a - b - 1` (SBB with CF set; with CF clear it is [`SUB`]).
    pub(crate) const SUB1: u8 = 8;
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

    /// Where the running goroutine's `g` is kept: the word below the
    /// thread's TLS base (FS on amd64, GS on 386).
    pub(crate) fn g_slot(&self, arch: Arch) -> u64 {
        let base = match arch {
            Arch::Amd64 => self.fs_base,
            Arch::I386 => self.gs_base,
        };
        base.wrapping_sub(arch.word())
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

    /// Records the flags of `op` on `a` and `b` in `size` bytes, to be computed when read.
    #[inline(always)]
    pub(crate) fn set_lazy(&mut self, op: u8, a: u64, b: u64, size: usize) {
        self.lazy = Lazy {
            op,
            size: size as u8,
            a,
            b,
        };
    }

    /// Computes the flags that wait in `lazy` into `flags`.
    #[inline(always)]
    pub(crate) fn settle(&mut self) {
        if self.lazy.op != lazy::NONE {
            self.settle_now();
        }
    }

    #[inline(never)]
    fn settle_now(&mut self) {
        let Lazy { op, size, a, b } = std::mem::take(&mut self.lazy);
        let size = usize::from(size);
        match op {
            lazy::ADD => {
                crate::ops::arith::add_flags(self, a, b, 0, size);
            }
            lazy::SUB => {
                crate::ops::arith::sub_flags(self, a, b, 0, size);
            }
            lazy::INC | lazy::DEC => {
                if op == lazy::INC {
                    crate::ops::arith::add_flags(self, a, 1, 0, size);
                } else {
                    crate::ops::arith::sub_flags(self, a, 1, 0, size);
                }
                self.set_flag(CF, b != 0);
            }
            lazy::ADD1 => {
                crate::ops::arith::add_flags(self, a, b, 1, size);
            }
            lazy::SUB1 => {
                crate::ops::arith::sub_flags(self, a, b, 1, size);
            }
            lazy::SHIFT => {
                crate::ops::arith::logic_flags(self, a, size);
                self.flags |= if b & 1 != 0 { CF } else { 0 } | if b & 2 != 0 { OF } else { 0 };
            }
            _ => crate::ops::arith::logic_flags(self, a, size),
        }
    }

    /// CF, whether or not the flags wait.
    #[inline]
    pub(crate) fn carry(&self) -> bool {
        let Lazy { op, size, a, b } = self.lazy;
        let mask = crate::exec::size_mask(usize::from(size));
        match op {
            lazy::NONE => self.flag(CF),
            lazy::ADD => a.wrapping_add(b) & mask < a & mask,
            lazy::SUB => a & mask < b & mask,
            lazy::INC | lazy::DEC => b != 0,
            lazy::ADD1 => u128::from(a & mask) + u128::from(b & mask) + 1 > u128::from(mask),
            lazy::SUB1 => a & mask <= b & mask,
            lazy::SHIFT => b & 1 != 0,
            _ => false,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// CF read from flags that wait is CF of the settled flags.
    #[test]
    fn carry_is_the_settled_carry() {
        let values = [
            0u64,
            1,
            0x7f,
            0x80,
            0xff,
            0xffff,
            0x8000_0000,
            0xffff_ffff,
            u64::MAX,
        ];
        for size in [1usize, 2, 4, 8] {
            let ops = [
                lazy::ADD,
                lazy::SUB,
                lazy::LOGIC,
                lazy::INC,
                lazy::DEC,
                lazy::SHIFT,
                lazy::ADD1,
                lazy::SUB1,
            ];
            for op in ops {
                for &a in &values {
                    for &b in &values {
                        let b = match op {
                            lazy::INC | lazy::DEC => b & 1,
                            lazy::SHIFT => b & 3,
                            _ => b,
                        };
                        let mut cpu = Cpu::default();
                        cpu.set_lazy(op, a, b, size);
                        let carry = cpu.carry();
                        cpu.settle();
                        assert_eq!(carry, cpu.flag(CF), "{op} {a:#x} {b:#x} size {size}");
                    }
                }
            }
        }
    }
}
