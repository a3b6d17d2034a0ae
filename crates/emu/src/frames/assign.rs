//! Where the calling convention puts each parameter of a Go function: in
//! registers or at an offset of the argument area the caller reserves, and
//! the spill slot it reserves for each register-assigned one.
//!
//! amd64 uses Go's register ABI (`ABIInternal`, `cmd/compile/abi-internal.md`):
//! the receiver and arguments, then the results, each assigned whole to the
//! next free registers (integers in AX, BX, CX, DI, SI, R8-R11, floats in
//! X0-X14) or, when it holds an array of more than one element or does not
//! fit in the registers left, to the stack; the registers start again for
//! the results. The argument area holds the stack-assigned arguments, then
//! the stack-assigned results, then a spill slot for every register-assigned
//! argument, each group aligned to a word. 386 passes everything on the
//! stack (`ABI0`): the same algorithm with no registers.

use crate::Arch;
use crate::abi::AMD64_INT_ARGS;
use crate::debuginfo::vars::{Shape, VarRole, Variable};

/// Floating-point argument registers of the amd64 register ABI: X0 to X14.
const AMD64_FLOAT_ARGS: usize = 15;

use super::Reg;

/// Where a parameter travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    /// In the argument area, at this offset from its start (the caller's SP,
    /// the callee's CFA).
    Stack(u64),
    /// In registers: per scalar of the parameter (by its path, `""` for the
    /// parameter itself, `.len`, `.real`), the register and the scalar's size.
    Regs(Vec<(String, Reg, u64)>),
}

/// One parameter of a function, placed.
#[derive(Debug, Clone)]
pub(crate) struct Param<'a> {
    /// The parameter as DWARF gives it: name, role (argument or result), shape.
    pub(crate) var: &'a Variable,
    /// Where it travels.
    pub(crate) place: Place,
    /// For a register-assigned argument, its spill slot's offset in the argument area.
    pub(crate) spill: Option<u64>,
}

/// Places the parameters of a function whose DWARF variables are `vars`
/// (arguments and results in order, then locals, which are passed over).
/// `None` when a parameter's type is unknown: nothing is guessed.
pub(crate) fn assign(arch: Arch, vars: &[Variable]) -> Option<Vec<Param<'_>>> {
    let w = arch.word();
    let (ni, nf) = match arch {
        Arch::Amd64 => (AMD64_INT_ARGS.len(), AMD64_FLOAT_ARGS),
        Arch::I386 => (0, 0),
    };
    let mut out: Vec<Param<'_>> = Vec::new();
    let mut stack = 0u64;
    for role in [VarRole::Arg, VarRole::Result] {
        let (mut i, mut f) = (0usize, 0usize);
        for var in vars.iter().filter(|v| v.role == role) {
            let shape = var.shape.as_deref()?;
            let regs = (shape.size > 0)
                .then(|| registers(shape, &mut i, &mut f, ni, nf))
                .flatten();
            let place = match regs {
                Some(regs) => Place::Regs(regs),
                None => {
                    stack = stack.next_multiple_of(shape.align.max(1));
                    let at = stack;
                    stack += shape.size;
                    Place::Stack(at)
                }
            };
            out.push(Param {
                var,
                place,
                spill: None,
            });
        }
        stack = stack.next_multiple_of(w);
    }
    for p in out.iter_mut() {
        if p.var.role == VarRole::Arg && matches!(p.place, Place::Regs(_)) {
            let shape = p.var.shape.as_deref()?;
            stack = stack.next_multiple_of(shape.align.max(1));
            p.spill = Some(stack);
            stack += shape.size;
        }
    }
    Some(out)
}

/// Register-assigns a value of `shape` from integer register `i` and float
/// register `f` on, or `None` (leaving `i` and `f` as they were) when it
/// cannot be: an array of more than one element, or not enough registers.
fn registers(
    shape: &Shape,
    i: &mut usize,
    f: &mut usize,
    ni: usize,
    nf: usize,
) -> Option<Vec<(String, Reg, u64)>> {
    if !shape.in_registers {
        return None;
    }
    let (mut ti, mut tf) = (*i, *f);
    let mut regs = Vec::new();
    for leaf in &shape.leaves {
        if leaf.float && leaf.complex {
            // A complex number's real and imaginary parts, one register each.
            let half = leaf.size / 2;
            for part in [".real", ".imag"] {
                regs.push((format!("{}{part}", leaf.path), Reg::Xmm(tf), half));
                tf += 1;
            }
        } else if leaf.float {
            regs.push((leaf.path.clone(), Reg::Xmm(tf), leaf.size));
            tf += 1;
        } else {
            regs.push((
                leaf.path.clone(),
                Reg::Gpr(*AMD64_INT_ARGS.get(ti).unwrap_or(&usize::MAX)),
                leaf.size,
            ));
            ti += 1;
        }
        if ti > ni || tf > nf {
            return None;
        }
    }
    (*i, *f) = (ti, tf);
    Some(regs)
}
