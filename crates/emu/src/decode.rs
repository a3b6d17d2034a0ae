//! Instructions decoded once at load, with their handler chosen and their
//! operands resolved, so the step loop does no decoding work.

use iced_x86::{ConditionCode, Instruction, InstructionInfoFactory, OpKind, Register};

use crate::Arch;
use crate::cpu::{Cpu, gpr_slot};
use crate::exec::{Exec, Machine, Next, size_mask};
use crate::ops;

/// Executes one decoded instruction; `rip` already points past it.
pub(crate) type Handler = fn(&mut Machine<'_>, &Decoded) -> Exec;

/// Executes one decoded instruction as the step loop calls it (`rip`
/// already points past it) and says where the next one is (see [`Next`]).
pub(crate) type Step = fn(&mut Machine<'_>, &Decoded) -> Next;

/// One instruction of the package, ready to execute. The fields a step
/// reads come first, so that most steps touch only the first cache lines.
#[derive(Debug, Clone)]
#[repr(C)]
pub(crate) struct Decoded {
    /// What the step loop calls: the step of a frequent instruction, or
    /// [`ops::general`] or [`ops::settled`] around its handler `inner`.
    pub(crate) exec: Step,
    /// Its address.
    pub(crate) ip: u64,
    /// Address of the next instruction.
    pub(crate) next: u64,
    /// Target of a near branch or call.
    pub(crate) target: u64,
    /// Index in the decoded code of the instruction at `next`, or
    /// [`NOWHERE`]: the step loop goes on there without a lookup.
    pub(crate) next_index: u32,
    /// Index in the decoded code of the instruction at `target`, or [`NOWHERE`].
    pub(crate) target_index: u32,
    /// What the plain step loop calls: `exec`, or the step of the group of
    /// instructions this one begins (see [`Group`]).
    pub(crate) fast: Step,
    /// For a group: the address after its last instruction.
    pub(crate) then: u64,
    /// For [`Group::Entry`]: the address of its PUSH; for
    /// [`Group::Entry386`], of its CMP.
    pub(crate) group_at: u64,
    /// For [`Group::Entry`] and [`Group::Entry386`]: its SUB's immediate,
    /// the frame's size.
    pub(crate) group_imm: u64,
    /// The memory operand, when there is one.
    pub(crate) mem: MemRef,
    /// The first three operands, as integer operands.
    pub(crate) ops: [Operand; 3],
    /// Its handler in [`crate::ops`], when `exec` is not its step itself.
    pub(crate) inner: Handler,
    /// The condition of a Jcc, SETcc or CMOVcc, or of the Jcc that ends its group.
    pub(crate) cc: ConditionCode,
    /// The group of instructions this one begins, run as one by the plain step loop.
    pub(crate) group: Group,
    /// Whether an operand is an XMM register.
    pub(crate) xmm: bool,
    /// The decoder's instruction, for the rarer handlers and for messages.
    pub(crate) ins: Instruction,
}

/// No instruction: an index past the decoded code.
pub(crate) const NOWHERE: u32 = u32::MAX;

/// The forms of an integer operand. Hot handlers are instantiated for the
/// forms of their operands, so reading one does not branch on its form.
pub(crate) mod form {
    /// A general register.
    pub(crate) const GPR: u8 = 0;
    /// The memory operand, 1 or 2 bytes wide (its size read when the step runs).
    pub(crate) const MEM: u8 = 1;
    /// The memory operand, 4 bytes wide.
    pub(crate) const MEM4: u8 = 4;
    /// The memory operand, 8 bytes wide.
    pub(crate) const MEM8: u8 = 5;
    /// An immediate.
    pub(crate) const IMM: u8 = 2;
    /// Anything else (XMM or segment registers, branch targets, string
    /// operands, wide memory): read through the decoder's instruction. As a
    /// handler's form parameter: any form, looked up when the step runs.
    pub(crate) const ANY: u8 = 3;
}

/// An integer operand, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operand {
    /// One of the [`form`] constants.
    pub(crate) form: u8,
    /// Size in bytes (see [`operand_size`]).
    pub(crate) size: u16,
    /// The register, for [`form::GPR`].
    pub(crate) gpr: Gpr,
    /// The value of an immediate, masked to the operand size, for [`form::IMM`].
    pub(crate) imm: u64,
}

/// A general register of some width at bit 0: `AL`, `AX`, `EAX` or `RAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gpr {
    /// Index in [`Cpu::gpr`]; always below 16, and masked with 15 where it
    /// indexes so the step needs no bounds check.
    pub(crate) n: u8,
    /// All ones in the value's width.
    mask: u64,
    /// The bits a write replaces: the whole register for 32- and 64-bit
    /// writes (a 32-bit write clears the upper half), else the value's bits.
    clear: u64,
}

impl Gpr {
    /// Resolves iced's register name, widths as [`Cpu::reg`] reads them;
    /// none for AH..BH, which are not at bit 0 of their register (their
    /// operands are read through the decoder's instruction).
    pub(crate) fn new(r: Register) -> Option<Gpr> {
        let (n, size, high) = gpr_slot(r);
        let mask = size_mask(size);
        (!high).then_some(Gpr {
            n: n as u8,
            mask,
            clear: if matches!(size, 4 | 8) {
                u64::MAX
            } else {
                mask
            },
        })
    }

    /// Reads the register, zero-extended.
    #[inline]
    pub(crate) fn get(self, cpu: &Cpu) -> u64 {
        cpu.gpr[usize::from(self.n) & 15] & self.mask
    }

    /// Writes the register; a 32-bit write clears the upper half, as on hardware.
    #[inline]
    pub(crate) fn set(self, cpu: &mut Cpu, value: u64) {
        let r = &mut cpu.gpr[usize::from(self.n) & 15];
        *r = (*r & !self.clear) | (value & self.mask);
    }
}

/// No segment base: the address is used as it is.
pub(crate) const SEG_NONE: u8 = 0;
/// Relative to the FS base (amd64 thread-local storage).
pub(crate) const SEG_FS: u8 = 1;
/// Relative to the GS base (386 thread-local storage).
pub(crate) const SEG_GS: u8 = 2;

/// A memory operand's address parts, resolved so that the address is
/// computed without a branch: `disp + (base & base_mask) + ((index &
/// index_mask) << shift)`, plus the segment's base, masked to the address
/// width. A missing base or index has a zero mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MemRef {
    /// The displacement; for a RIP-relative operand, the whole address.
    pub(crate) disp: u64,
    /// All ones in the base register's width, or 0 when there is none.
    pub(crate) base_mask: u64,
    /// All ones in the index register's width, or 0 when there is none.
    pub(crate) index_mask: u64,
    /// All ones in an address: 32 or 64 bits.
    pub(crate) addr_mask: u64,
    /// The base register's number (0 when there is none).
    pub(crate) base: u8,
    /// The index register's number (0 when there is none).
    pub(crate) index: u8,
    /// The scale as a shift: 0 to 3.
    pub(crate) shift: u8,
    /// The segment whose base the address is relative to: [`SEG_NONE`], [`SEG_FS`] or [`SEG_GS`].
    pub(crate) seg: u8,
    /// Whether the address is the base and the displacement alone (no
    /// index, no segment), as most are.
    pub(crate) simple: bool,
}

impl MemRef {
    fn new(ins: &Instruction, arch: Arch) -> MemRef {
        let base = ins.memory_base();
        let index = ins.memory_index();
        let rip = base == Register::RIP || base == Register::EIP;
        let reg = |r: Register| {
            if r == Register::None || rip && r == base {
                (0, 0)
            } else {
                let (n, size, _) = gpr_slot(r);
                (n as u8, size_mask(size))
            }
        };
        let (base, base_mask) = reg(base);
        let (index, index_mask) = reg(index);
        let seg = match ins.memory_segment() {
            Register::FS => SEG_FS,
            Register::GS => SEG_GS,
            _ => SEG_NONE,
        };
        MemRef {
            disp: ins.memory_displacement64(),
            base_mask,
            index_mask,
            addr_mask: match arch {
                Arch::Amd64 => u64::MAX,
                Arch::I386 => 0xffff_ffff,
            },
            base,
            index,
            shift: ins.memory_index_scale().trailing_zeros() as u8,
            seg,
            simple: index_mask == 0 && seg == SEG_NONE,
        }
    }

    /// The address, for the registers in `cpu`.
    #[inline(always)]
    pub(crate) fn address(&self, cpu: &Cpu) -> u64 {
        let base = cpu.gpr[usize::from(self.base) & 15] & self.base_mask;
        let a = self.disp.wrapping_add(base);
        if self.simple {
            return a & self.addr_mask;
        }
        let index = (cpu.gpr[usize::from(self.index) & 15] & self.index_mask) << (self.shift & 3);
        let mut a = a.wrapping_add(index);
        if self.seg != SEG_NONE {
            a = a.wrapping_add(cpu.seg_base(self.seg));
        }
        a & self.addr_mask
    }
}

/// Decodes an instruction for `arch` from its stub: its handler chosen,
/// its operands resolved, its links and group kept.
pub(crate) fn decode(stub: &Decoded, arch: Arch) -> Decoded {
    let ins = stub.ins;
    let ops = [0, 1, 2].map(|i| operand(&ins, i, arch));
    let (exec, inner) = match ops::handler(&ins, &ops, arch) {
        ops::Chosen::Step(step) => (step, ops::within_step as Handler),
        ops::Chosen::Handler(inner) if ops::sees_lazy_flags(&ins) => (ops::general as Step, inner),
        ops::Chosen::Handler(inner) => (ops::settled as Step, inner),
    };
    Decoded {
        exec,
        fast: ops::group_step(stub, &ops, arch).unwrap_or(exec),
        inner,
        ops,
        mem: MemRef::new(&ins, arch),
        ..stub.clone()
    }
}

/// A group of instructions the compiler emits together, run as one step
/// of the plain step loop (that counts each instruction in it as a step)
/// when the group begins where the loop is. A group may fail only in an
/// instruction whose failure the group's step gives as that of the
/// instruction alone. Traced and watched runs step through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// No group begins here.
    None,
    /// CMP or TEST, then a Jcc that is not its function's last instruction.
    CompareBranch,
    /// The frame's start: PUSH BP; MOV BP, SP.
    OpenFrame,
    /// The frame's end: ADD $n, SP; POP BP; RET.
    CloseFrame,
    /// The end of a function without a frame pointer: ADD $n, SP; RET.
    Return,
    /// A function's entry on amd64: the stack check (CMP SP, k(R14); JLS)
    /// and the frame's start (PUSH BP; MOV BP, SP; SUB $n, SP).
    Entry,
    /// A function's entry on 386: g from the thread's TLS (MOVL GS:0, CX;
    /// MOVL -4(CX), CX), the stack check (CMPL SP, 8(CX); JLS) and the
    /// frame (SUBL $n, SP).
    Entry386,
}

/// Whether two instructions start a frame: PUSH BP; MOV BP, SP.
fn opens_frame(push: &Instruction, mov: &Instruction) -> bool {
    let bp = |r: Register| r == Register::RBP || r == Register::EBP;
    let sp = |r: Register| r == Register::RSP || r == Register::ESP;
    push.mnemonic() == iced_x86::Mnemonic::Push
        && push.op_kind(0) == OpKind::Register
        && bp(push.op_register(0))
        && mov.mnemonic() == iced_x86::Mnemonic::Mov
        && mov.op_kind(0) == OpKind::Register
        && mov.op_kind(1) == OpKind::Register
        && bp(mov.op_register(0))
        && sp(mov.op_register(1))
}

/// Whether an instruction is MOVL disp(base), CX, 4 bytes without an index.
fn loads_ecx(mov: &Instruction, base: Register, disp: u32) -> bool {
    mov.mnemonic() == iced_x86::Mnemonic::Mov
        && mov.op_kind(0) == OpKind::Register
        && mov.op_register(0) == Register::ECX
        && reads_at(mov, base, Some(disp), 4)
}

/// Whether an instruction is a function's stack check: CMP SP,
/// disp(base) of `size` bytes (any displacement for `None`).
fn checks_stack(
    cmp: &Instruction,
    sp: Register,
    base: Register,
    disp: Option<u32>,
    size: usize,
) -> bool {
    cmp.mnemonic() == iced_x86::Mnemonic::Cmp
        && cmp.op_kind(0) == OpKind::Register
        && cmp.op_register(0) == sp
        && reads_at(cmp, base, disp, size)
}

/// Whether operand 1 of an instruction is `size` bytes at disp(base),
/// without an index (any displacement for `None`).
fn reads_at(ins: &Instruction, base: Register, disp: Option<u32>, size: usize) -> bool {
    ins.op_kind(1) == OpKind::Memory
        && ins.memory_base() == base
        && ins.memory_index() == Register::None
        && disp.is_none_or(|d| ins.memory_displacement32() == d)
        && ins.memory_size().size() == size
}

/// Whether an instruction makes a function's frame: SUB $n, SP.
fn grows_frame(sub: &Instruction, sp: Register) -> bool {
    sub.mnemonic() == iced_x86::Mnemonic::Sub
        && sub.op_kind(0) == OpKind::Register
        && sub.op_register(0) == sp
        && is_immediate(sub.op_kind(1))
}

/// Whether an instruction drops a frame: ADD $n, SP.
fn drops_frame(add: &Instruction) -> bool {
    add.mnemonic() == iced_x86::Mnemonic::Add
        && add.op_kind(0) == OpKind::Register
        && matches!(add.op_register(0), Register::RSP | Register::ESP)
        && is_immediate(add.op_kind(1))
}

/// Whether an instruction is a RET without a count.
fn returns(ret: &Instruction) -> bool {
    ret.mnemonic() == iced_x86::Mnemonic::Ret && ret.op_count() == 0
}

/// The most instructions a group holds ([`Group::Entry`]'s).
pub(crate) const LONGEST_GROUP: u64 = 5;

/// Marks the groups that begin in `code`, the stubs of one function in
/// order: a group's first instruction takes what its step needs of the
/// others (the Jcc's condition and target, the address after the group,
/// an entry's PUSH and frame size).
pub(crate) fn mark_groups(code: &mut [Decoded]) {
    use iced_x86::Mnemonic as M;
    let bp = |r: Register| r == Register::RBP || r == Register::EBP;
    let branches = |d: &Decoded| {
        d.cc != ConditionCode::None
            && d.ins.flow_control() == iced_x86::FlowControl::ConditionalBranch
    };
    for i in 0..code.len() {
        let found = match &code[i..] {
            [cmp, jls, push, mov, sub, _, ..]
                if checks_stack(&cmp.ins, Register::RSP, Register::R14, None, 8)
                    && branches(jls)
                    && jls.cc == ConditionCode::be
                    && opens_frame(&push.ins, &mov.ins)
                    && grows_frame(&sub.ins, Register::RSP) =>
            {
                let entry = (push.ins.ip(), sub.ins.immediate(1));
                Some((Group::Entry, jls.cc, jls.target, sub.next, entry))
            }
            [tls, g, cmp, jls, sub, _, ..]
                if loads_ecx(&tls.ins, Register::None, 0)
                    && tls.ins.memory_segment() == Register::GS
                    && loads_ecx(&g.ins, Register::ECX, 0xffff_fffc)
                    && checks_stack(&cmp.ins, Register::ESP, Register::ECX, Some(8), 4)
                    && branches(jls)
                    && jls.cc == ConditionCode::be
                    && grows_frame(&sub.ins, Register::ESP) =>
            {
                let entry = (cmp.ins.ip(), sub.ins.immediate(1));
                Some((Group::Entry386, jls.cc, jls.target, sub.next, entry))
            }
            [first, jcc, _, ..]
                if matches!(first.ins.mnemonic(), M::Cmp | M::Test) && branches(jcc) =>
            {
                Some((Group::CompareBranch, jcc.cc, jcc.target, jcc.next, (0, 0)))
            }
            [push, mov, _, ..] if opens_frame(&push.ins, &mov.ins) => {
                Some((Group::OpenFrame, ConditionCode::None, 0, mov.next, (0, 0)))
            }
            [add, pop, ret, ..]
                if drops_frame(&add.ins)
                    && pop.ins.mnemonic() == M::Pop
                    && pop.ins.op_kind(0) == OpKind::Register
                    && bp(pop.ins.op_register(0))
                    && returns(&ret.ins) =>
            {
                Some((
                    Group::CloseFrame,
                    ConditionCode::None,
                    0,
                    ret.ins.ip(),
                    (0, 0),
                ))
            }
            [add, ret, ..] if drops_frame(&add.ins) && returns(&ret.ins) => {
                Some((Group::Return, ConditionCode::None, 0, ret.ins.ip(), (0, 0)))
            }
            _ => None,
        };
        if let Some((group, cc, target, then, (at, imm))) = found {
            let first = &mut code[i];
            first.group = group;
            first.cc = cc;
            first.target = target;
            first.then = then;
            first.group_at = at;
            first.group_imm = imm;
        }
    }
}

/// An instruction not decoded yet: where it is and where it goes, as the
/// step loop needs, and the decoder's instruction; executing it decodes it
/// ([`ops::undecoded`]). A run decodes only what it executes.
pub(crate) fn stub(ins: Instruction) -> Decoded {
    let branch = is_near_branch(&ins);
    let none = Operand {
        form: form::ANY,
        size: 0,
        gpr: Gpr::new(Register::RAX).expect("a register at bit 0"),
        imm: 0,
    };
    Decoded {
        exec: ops::undecoded,
        fast: ops::undecoded,
        then: 0,
        group_at: 0,
        group_imm: 0,
        group: Group::None,
        inner: ops::within_step,
        ip: ins.ip(),
        next: ins.next_ip(),
        ops: [none; 3],
        mem: MemRef {
            disp: 0,
            base_mask: 0,
            index_mask: 0,
            addr_mask: 0,
            base: 0,
            index: 0,
            shift: 0,
            seg: SEG_NONE,
            simple: true,
        },
        target: if branch { ins.near_branch_target() } else { 0 },
        next_index: NOWHERE,
        target_index: NOWHERE,
        cc: ins.condition_code(),
        // A system call may switch threads or return from a signal: it changes anything.
        xmm: enters_kernel(&ins)
            || (0..ins.op_count())
                .any(|i| ins.op_kind(i) == OpKind::Register && ins.op_register(i).is_xmm()),
        ins,
    }
}

/// Whether the instruction's first operand is a near branch target (a
/// direct CALL, JMP or Jcc).
pub(crate) fn is_near_branch(ins: &Instruction) -> bool {
    matches!(
        ins.op_kind(0),
        OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64
    )
}

/// Whether the instruction enters the kernel (SYSCALL, INT).
fn enters_kernel(ins: &Instruction) -> bool {
    matches!(
        ins.mnemonic(),
        iced_x86::Mnemonic::Syscall | iced_x86::Mnemonic::Int
    )
}

/// The general registers each instruction may change, worked out when a
/// traced run first steps on it (only a trace needs them, and the decoder's
/// analysis of every instruction would slow every run's start).
pub(crate) struct UsedRegisters {
    info: InstructionInfoFactory,
    /// By index in the decoded code: the bits, or [`UNKNOWN`].
    known: Vec<u32>,
}

/// Not worked out yet.
const UNKNOWN: u32 = u32::MAX;

impl UsedRegisters {
    pub(crate) fn new() -> UsedRegisters {
        UsedRegisters {
            info: InstructionInfoFactory::new(),
            known: Vec::new(),
        }
    }

    /// The general registers instruction `index` (`d`) may change, a bit
    /// for each register number (see [`registers_used`]).
    pub(crate) fn of(&mut self, index: u32, d: &Decoded) -> u16 {
        let i = index as usize;
        if i >= self.known.len() {
            self.known.resize(i + 1, UNKNOWN);
        }
        if self.known[i] == UNKNOWN {
            self.known[i] = u32::from(registers_used(&d.ins, &mut self.info));
        }
        self.known[i] as u16
    }
}

/// Every register the instruction names or uses implicitly, read or
/// written, as bits by register number: a superset of the general
/// registers its handler changes when it succeeds (a handler that fails may
/// have started a panic, which changes any register). A system call may
/// switch threads or return from a signal: it changes any.
fn registers_used(ins: &Instruction, info: &mut InstructionInfoFactory) -> u16 {
    if enters_kernel(ins) {
        return u16::MAX;
    }
    let explicit = (0..ins.op_count())
        .filter(|&i| ins.op_kind(i) == OpKind::Register)
        .map(|i| ins.op_register(i));
    let implicit = info
        .info(ins)
        .used_registers()
        .iter()
        .map(|used| used.register());
    explicit
        .chain(implicit)
        .fold(0, |bits, r| bits | 1 << (r.full_register().number() & 15))
}

/// The size in bytes of operand `i`: a register's or the memory operand's
/// width; an immediate or branch target takes the first operand's size, or
/// the word size when it is the first.
pub(crate) fn operand_size(ins: &Instruction, i: u32, arch: Arch) -> usize {
    match ins.op_kind(i) {
        OpKind::Register => ins.op_register(i).size(),
        OpKind::Memory => ins.memory_size().size(),
        _ if i > 0 => operand_size(ins, 0, arch),
        _ => arch.word() as usize,
    }
}

/// Whether an operand of this kind is an immediate (its value is `Instruction::immediate`).
pub(crate) fn is_immediate(kind: OpKind) -> bool {
    matches!(
        kind,
        OpKind::Immediate8
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64
    )
}

fn operand(ins: &Instruction, i: u32, arch: Arch) -> Operand {
    let size = operand_size(ins, i, arch) as u16;
    let mut op = Operand {
        form: form::ANY,
        size,
        gpr: Gpr::new(Register::AL).expect("a register at bit 0"),
        imm: 0,
    };
    if i >= ins.op_count() {
        return op;
    }
    match ins.op_kind(i) {
        OpKind::Register if ins.op_register(i).is_gpr() => {
            if let Some(gpr) = Gpr::new(ins.op_register(i)) {
                op.form = form::GPR;
                op.gpr = gpr;
            }
        }
        OpKind::Memory if matches!(size, 1 | 2) => op.form = form::MEM,
        OpKind::Memory if size == 4 => op.form = form::MEM4,
        OpKind::Memory if size == 8 => op.form = form::MEM8,
        kind if is_immediate(kind) => {
            op.form = form::IMM;
            op.imm = ins.immediate(i) & size_mask(usize::from(size));
        }
        _ => {}
    }
    op
}

#[cfg(test)]
mod tests {
    use iced_x86::Decoder;

    use super::*;
    use crate::cpu::{RAX, RBP, RCX, RDI, RDX, RSP};

    fn gprs(bytes: &[u8]) -> u16 {
        let ins = Decoder::new(64, bytes, 0).decode();
        registers_used(&ins, &mut InstructionInfoFactory::new())
    }

    fn bits(regs: &[usize]) -> u16 {
        regs.iter().fold(0, |b, &r| b | 1 << r)
    }

    /// A traced step compares the registers the instruction uses, implicit ones included.
    #[test]
    fn registers_used_include_implicit_ones() {
        // PUSH RBP
        assert_eq!(gprs(&[0x55]), bits(&[RSP, RBP]));
        // REP STOSQ
        assert_eq!(gprs(&[0xf3, 0x48, 0xab]), bits(&[RAX, RCX, RDI]));
        // MUL RCX
        assert_eq!(gprs(&[0x48, 0xf7, 0xe1]), bits(&[RAX, RCX, RDX]));
        // CQO
        assert_eq!(gprs(&[0x48, 0x99]), bits(&[RAX, RDX]));
        // MOVZX EAX, AH
        assert_eq!(gprs(&[0x0f, 0xb6, 0xc4]), bits(&[RAX]));
    }

    /// A register operand at bit 0 is read and written in place, each
    /// width as on hardware; AH..BH are read through the decoder's
    /// instruction, at bits 8 to 15.
    #[test]
    fn register_operands_read_and_write_their_bits() {
        let op = |bytes: &[u8], i: u32| {
            let ins = Decoder::with_ip(64, bytes, 0, 0).decode();
            operand(&ins, i, Arch::Amd64)
        };
        let mut cpu = Cpu::default();
        cpu.gpr[RAX] = 0x1122_3344_5566_7788;
        // MOV AL, CL / MOV AX, CX / MOV EAX, ECX / MOV RAX, RCX: operand 0.
        let widths = [
            (&[0x88, 0xc8][..], 0x88, 0x1122_3344_5566_77ff),
            (&[0x66, 0x89, 0xc8], 0x7788, 0x1122_3344_5566_ffff),
            (&[0x89, 0xc8], 0x5566_7788, 0xffff_ffff),
            (&[0x48, 0x89, 0xc8], 0x1122_3344_5566_7788, u64::MAX),
        ];
        for (bytes, read, written) in widths {
            let o = op(bytes, 0);
            assert_eq!(o.form, form::GPR);
            let mut c = cpu.clone();
            assert_eq!(o.gpr.get(&c), read);
            o.gpr.set(&mut c, u64::MAX);
            assert_eq!(c.gpr[RAX], written, "{bytes:x?}");
        }
        // MOV AH, CL
        let ah = op(&[0x88, 0xcc], 0);
        assert_eq!(ah.form, form::ANY);
        assert_eq!(cpu.reg(Register::AH), 0x77);
        let mut c = cpu.clone();
        c.set_reg(Register::AH, 0xab);
        assert_eq!(c.gpr[RAX], 0x1122_3344_5566_ab88);
    }
}
