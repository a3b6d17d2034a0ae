//! x87 floating point, the part the 386 runtime's conversions use: loads and
//! stores of integers and doubles, the control word, rounding, compares.
//!
//! Arithmetic (add, subtract, multiply, divide, square root) is computed in
//! doubles only where that is exact: the registers are 80 bits wide, but
//! with the precision control at 53 bits (the control word the Go runtime
//! loads, `runtime·controlWord64`) each result is rounded to a double's
//! significand, as SSE2 rounds it. What stays different is the exponent's
//! range, so a result that would overflow, or be subnormal or zero from an
//! underflow, in a double stops the run, as does any other precision.

use iced_x86::{Mnemonic, OpKind, Register};

use crate::cpu::{CF, Fpu, PF, RAX, ZF};
use crate::decode::Decoded;
use crate::exec::{Exec, Machine};

impl Fpu {
    fn st(&self, i: u8) -> f64 {
        f64::from_bits(self.regs[usize::from((self.top + i) & 7)])
    }

    fn set_st(&mut self, i: u8, v: f64) {
        self.regs[usize::from((self.top + i) & 7)] = v.to_bits();
    }

    fn push(&mut self, v: f64) {
        self.top = (self.top + 7) & 7;
        self.set_st(0, v);
    }

    fn pop(&mut self) -> f64 {
        let v = self.st(0);
        self.top = (self.top + 1) & 7;
        v
    }

    /// Rounds to an integer as the control word's rounding field says.
    fn round(&self, v: f64) -> f64 {
        match (self.control >> 10) & 3 {
            0 => v.round_ties_even(),
            1 => v.floor(),
            2 => v.ceil(),
            _ => v.trunc(),
        }
    }
}

/// The float32 or float64 the memory operand holds, exactly as a double.
fn load_real(m: &mut Machine<'_>, d: &Decoded, size: usize) -> Result<f64, crate::exec::Halt> {
    let a = m.ea(d);
    let v = m.load(a, size)?;
    match size {
        4 => Ok(f64::from(f32::from_bits(v as u32))),
        8 => Ok(f64::from_bits(v)),
        _ => Err(m.unsupported(d)),
    }
}

/// The ST register number of operand `i`.
fn st_index(d: &Decoded, i: u32) -> u8 {
    (d.ins.op_register(i).number() & 7) as u8
}

/// Executes one x87 instruction.
pub(crate) fn exec(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    use Mnemonic as M;
    let ins = &d.ins;
    let mem = (0..ins.op_count()).any(|i| ins.op_kind(i) == OpKind::Memory);
    let size = ins.memory_size().size();
    match ins.mnemonic() {
        M::Fild => {
            let a = m.ea(d);
            let v = m.load(a, size)?;
            let v = crate::exec::sign_extend(v, size) as f64;
            m.cpu.fpu.push(v);
        }
        M::Fld if mem => {
            let v = load_real(m, d, size)?;
            m.cpu.fpu.push(v);
        }
        M::Fld => {
            let v = m.cpu.fpu.st(st_index(d, 0));
            m.cpu.fpu.push(v);
        }
        M::Fld1 => m.cpu.fpu.push(1.0),
        M::Fldz => m.cpu.fpu.push(0.0),
        M::Fst | M::Fstp if mem => {
            let v = m.cpu.fpu.st(0);
            let a = m.ea(d);
            match size {
                4 => m.store(a, 4, u64::from((v as f32).to_bits()))?,
                8 => m.store(a, 8, v.to_bits())?,
                _ => return Err(m.unsupported(d)),
            }
            if ins.mnemonic() == M::Fstp {
                m.cpu.fpu.pop();
            }
        }
        M::Fst | M::Fstp => {
            let v = m.cpu.fpu.st(0);
            m.cpu.fpu.set_st(st_index(d, 0), v);
            if ins.mnemonic() == M::Fstp {
                m.cpu.fpu.pop();
            }
        }
        M::Fist | M::Fistp | M::Fisttp => {
            let v = m.cpu.fpu.st(0);
            let r = if ins.mnemonic() == M::Fisttp {
                v.trunc()
            } else {
                m.cpu.fpu.round(v)
            };
            let bits = size as u32 * 8;
            let limit = 2f64.powi(bits as i32 - 1);
            // Out of range or NaN stores the "integer indefinite" value.
            let out = if r.is_nan() || r >= limit || r < -limit {
                1u64 << (bits - 1)
            } else {
                r as i64 as u64
            };
            let a = m.ea(d);
            m.store(a, size, out & crate::exec::size_mask(size))?;
            if ins.mnemonic() != M::Fist {
                m.cpu.fpu.pop();
            }
        }
        M::Fldcw => {
            let a = m.ea(d);
            m.cpu.fpu.control = m.load(a, 2)? as u16;
        }
        M::Fnstcw | M::Fstcw => {
            let a = m.ea(d);
            let cw = m.cpu.fpu.control;
            m.store(a, 2, u64::from(cw))?;
        }
        M::Fnstsw | M::Fstsw => {
            let sw = (m.cpu.fpu.status & 0x4700) | u16::from(m.cpu.fpu.top) << 11;
            if mem {
                let a = m.ea(d);
                m.store(a, 2, u64::from(sw))?;
            } else if ins.op_register(0) == Register::AX {
                m.cpu.gpr[RAX] = (m.cpu.gpr[RAX] & !0xffff) | u64::from(sw);
            } else {
                return Err(m.unsupported(d));
            }
        }
        mnemonic if ARITHMETIC.contains(&mnemonic) => arithmetic(m, d, mem, size)?,
        M::Fsqrt => {
            let v = m.cpu.fpu.st(0);
            if (m.cpu.fpu.control >> 8) & 3 != 2 {
                return Err(outside(m, d, "with a precision other than 53 bits"));
            }
            m.cpu.fpu.set_st(0, v.sqrt());
        }
        M::Frndint => {
            let v = m.cpu.fpu.round(m.cpu.fpu.st(0));
            m.cpu.fpu.set_st(0, v);
        }
        M::Fabs => {
            let v = m.cpu.fpu.st(0).abs();
            m.cpu.fpu.set_st(0, v);
        }
        M::Fchs => {
            let v = -m.cpu.fpu.st(0);
            m.cpu.fpu.set_st(0, v);
        }
        M::Fxch => {
            let i = if ins.op_count() > 1 {
                st_index(d, 1)
            } else {
                1
            };
            let (a, b) = (m.cpu.fpu.st(0), m.cpu.fpu.st(i));
            m.cpu.fpu.set_st(0, b);
            m.cpu.fpu.set_st(i, a);
        }
        M::Ftst => {
            let v = m.cpu.fpu.st(0);
            // C3 (bit 14), C2 (bit 10), C0 (bit 8).
            m.cpu.fpu.status = if v.is_nan() {
                0x4500
            } else if v < 0.0 {
                0x0100
            } else if v == 0.0 {
                0x4000
            } else {
                0
            };
        }
        M::Fucomi | M::Fucomip | M::Fcomi | M::Fcomip => {
            let (a, b) = (m.cpu.fpu.st(0), m.cpu.fpu.st(st_index(d, 1)));
            let (z, p, c) = if a.is_nan() || b.is_nan() {
                (true, true, true)
            } else {
                (a == b, false, a < b)
            };
            m.cpu.set_flag(ZF, z);
            m.cpu.set_flag(PF, p);
            m.cpu.set_flag(CF, c);
            if matches!(ins.mnemonic(), M::Fucomip | M::Fcomip) {
                m.cpu.fpu.pop();
            }
        }
        M::Ffree | M::Wait | M::Fninit | M::Finit | M::Fnclex | M::Fclex => {
            if matches!(ins.mnemonic(), M::Fninit | M::Finit) {
                m.cpu.fpu = Fpu::default();
            }
        }
        _ => return Err(m.unsupported(d)),
    }
    Ok(())
}

/// FADD, FSUB, FSUBR, FMUL, FDIV, FDIVR and their popping forms: `ST0 op
/// memory`, `ST0 op STi` or `STi op ST0`; the R forms swap the operands.
fn arithmetic(m: &mut Machine<'_>, d: &Decoded, mem: bool, size: usize) -> Exec {
    use Mnemonic as M;
    let ins = &d.ins;
    if (m.cpu.fpu.control >> 8) & 3 != 2 {
        return Err(outside(m, d, "with a precision other than 53 bits"));
    }
    let (dst, src) = if mem {
        (0, load_real(m, d, size)?)
    } else {
        let (i, j) = (st_index(d, 0), st_index(d, 1));
        (i, m.cpu.fpu.st(j))
    };
    let here = m.cpu.fpu.st(dst);
    let reverse = matches!(ins.mnemonic(), M::Fsubr | M::Fsubrp | M::Fdivr | M::Fdivrp);
    let (a, b) = if reverse { (src, here) } else { (here, src) };
    let (r, kind) = match ins.mnemonic() {
        M::Fadd | M::Faddp => (a + b, '+'),
        M::Fsub | M::Fsubp | M::Fsubr | M::Fsubrp => (a - b, '+'),
        M::Fmul | M::Fmulp => (a * b, '*'),
        _ => (a / b, '/'),
    };
    let finite = a.is_finite() && b.is_finite();
    let overflow = r.is_infinite() && finite && !(kind == '/' && b == 0.0);
    let subnormal = r != 0.0 && r.abs() < f64::MIN_POSITIVE;
    let underflow = r == 0.0 && finite && a != 0.0 && (kind == '/' || (kind == '*' && b != 0.0));
    if overflow || subnormal || underflow || (a.is_nan() && b.is_nan()) {
        return Err(outside(
            m,
            d,
            "whose result is outside a double's range or of two NaNs, which the 80-bit register keeps apart",
        ));
    }
    m.cpu.fpu.set_st(dst, r);
    if matches!(
        ins.mnemonic(),
        M::Faddp | M::Fsubp | M::Fsubrp | M::Fmulp | M::Fdivp | M::Fdivrp
    ) {
        m.cpu.fpu.pop();
    }
    Ok(())
}

/// The stop for x87 arithmetic that doubles cannot compute exactly.
fn outside(m: &Machine<'_>, d: &Decoded, why: &str) -> crate::exec::Halt {
    Box::new(crate::Stop::Unsupported {
        what: format!("x87 arithmetic ({:?}) {why},", d.ins.mnemonic()),
        at: m.location(d.ins.ip()),
    })
}

/// The two-operand arithmetic [`arithmetic`] computes.
const ARITHMETIC: [Mnemonic; 12] = {
    use Mnemonic as M;
    [
        M::Fadd,
        M::Faddp,
        M::Fsub,
        M::Fsubp,
        M::Fsubr,
        M::Fsubrp,
        M::Fmul,
        M::Fmulp,
        M::Fdiv,
        M::Fdivp,
        M::Fdivr,
        M::Fdivrp,
    ]
};

/// Whether `mnemonic` is one of the x87 instructions [`exec`] knows.
pub(crate) fn is_x87(mnemonic: Mnemonic) -> bool {
    use Mnemonic as M;
    ARITHMETIC.contains(&mnemonic)
        || matches!(
            mnemonic,
            M::Fild
                | M::Fld
                | M::Fld1
                | M::Fldz
                | M::Fst
                | M::Fstp
                | M::Fist
                | M::Fistp
                | M::Fisttp
                | M::Fldcw
                | M::Fnstcw
                | M::Fstcw
                | M::Fnstsw
                | M::Fstsw
                | M::Frndint
                | M::Fsqrt
                | M::Fabs
                | M::Fchs
                | M::Fxch
                | M::Ftst
                | M::Fucomi
                | M::Fucomip
                | M::Fcomi
                | M::Fcomip
                | M::Ffree
                | M::Wait
                | M::Fninit
                | M::Finit
                | M::Fnclex
                | M::Fclex
        )
}
