//! Instruction handlers, grouped by kind as the Intel manual groups them,
//! and the choice of handler for each decoded instruction.

pub(crate) mod arith;
pub(crate) mod control;
pub(crate) mod mov;
pub(crate) mod simd;
pub(crate) mod sse;
pub(crate) mod stack;
pub(crate) mod system;
pub(crate) mod x87;

use iced_x86::{ConditionCode, FlowControl, Instruction, Mnemonic, OpKind};

use crate::Arch;
use crate::cpu::{CF, Cpu, OF, PF, SF, ZF, parity};
use crate::decode::{Decoded, Group, Handler, Operand, Step, is_near_branch};
use crate::exec::{Exec, LOOKUP, Machine, Next, one_step};

/// The instance of a handler for the form of operand 0 (see
/// [`crate::decode::form`]), with a further generic argument when given.
macro_rules! by_form {
    ($m:ident :: $f:ident, $ops:expr, [$($form:ident),*]) => {{
        use crate::decode::form::*;
        match $ops[0].form {
            $($form => $m::$f::<$form>,)*
            MEM4 => $m::$f::<MEM4>,
            MEM8 => $m::$f::<MEM8>,
            _ => $m::$f::<ANY>,
        }
    }};
    ($m:ident :: $f:ident, $ops:expr, [$($form:ident),*], $more:literal) => {{
        use crate::decode::form::*;
        match $ops[0].form {
            $($form => $m::$f::<$form, $more>,)*
            MEM4 => $m::$f::<MEM4, $more>,
            MEM8 => $m::$f::<MEM8, $more>,
            _ => $m::$f::<ANY, $more>,
        }
    }};
}

/// The instance of a handler for the word size of `arch` (4 or 8 bytes),
/// and for the form of operand 0 when forms are given.
macro_rules! by_word {
    ($arch:expr, $m:ident :: $f:ident) => {
        match $arch {
            Arch::Amd64 => $m::$f::<8>,
            Arch::I386 => $m::$f::<4>,
        }
    };
    ($arch:expr, $m:ident :: $f:ident, $ops:expr, [$($form:ident),*]) => {
        match $arch {
            Arch::Amd64 => by_form!($m::$f, $ops, [$($form),*], 8),
            Arch::I386 => by_form!($m::$f, $ops, [$($form),*], 4),
        }
    };
}

/// The instance of a two-operand handler for the forms of operands 0 and 1.
macro_rules! by_forms {
    ($m:ident :: $f:ident, $ops:expr) => {{
        use crate::decode::form::*;
        match ($ops[0].form, $ops[1].form) {
            (GPR, GPR) => $m::$f::<GPR, GPR>,
            (GPR, MEM) => $m::$f::<GPR, MEM>,
            (GPR, MEM4) => $m::$f::<GPR, MEM4>,
            (GPR, MEM8) => $m::$f::<GPR, MEM8>,
            (GPR, IMM) => $m::$f::<GPR, IMM>,
            (MEM, GPR) => $m::$f::<MEM, GPR>,
            (MEM4, GPR) => $m::$f::<MEM4, GPR>,
            (MEM8, GPR) => $m::$f::<MEM8, GPR>,
            (MEM, IMM) => $m::$f::<MEM, IMM>,
            (MEM4, IMM) => $m::$f::<MEM4, IMM>,
            (MEM8, IMM) => $m::$f::<MEM8, IMM>,
            _ => $m::$f::<ANY, ANY>,
        }
    }};
}

/// The instance of a compare-and-branch step for operand forms `A` and
/// `B` and the Jcc's condition `cc`.
macro_rules! by_cc {
    ($m:ident :: $f:ident, $a:ident, $b:ident, $cc:expr) => {{
        use iced_x86::ConditionCode as C;
        match $cc {
            C::o => $m::$f::<$a, $b, { C::o as u8 }>,
            C::no => $m::$f::<$a, $b, { C::no as u8 }>,
            C::b => $m::$f::<$a, $b, { C::b as u8 }>,
            C::ae => $m::$f::<$a, $b, { C::ae as u8 }>,
            C::e => $m::$f::<$a, $b, { C::e as u8 }>,
            C::ne => $m::$f::<$a, $b, { C::ne as u8 }>,
            C::be => $m::$f::<$a, $b, { C::be as u8 }>,
            C::a => $m::$f::<$a, $b, { C::a as u8 }>,
            C::s => $m::$f::<$a, $b, { C::s as u8 }>,
            C::ns => $m::$f::<$a, $b, { C::ns as u8 }>,
            C::p => $m::$f::<$a, $b, { C::p as u8 }>,
            C::np => $m::$f::<$a, $b, { C::np as u8 }>,
            C::l => $m::$f::<$a, $b, { C::l as u8 }>,
            C::ge => $m::$f::<$a, $b, { C::ge as u8 }>,
            C::le => $m::$f::<$a, $b, { C::le as u8 }>,
            C::g => $m::$f::<$a, $b, { C::g as u8 }>,
            // A group's Jcc always has a condition; this one always jumps.
            C::None => $m::$f::<$a, $b, 0>,
        }
    }};
}

/// What executes an instruction: a step of its own (the frequent
/// instructions), or a handler the step loop calls through [`general`] or
/// [`settled`].
pub(crate) enum Chosen {
    Step(Step),
    Handler(Handler),
}

/// What executes `ins`, whose operands are `ops`, chosen once when the
/// code is loaded, for `arch`.
pub(crate) fn handler(ins: &Instruction, ops: &[Operand; 3], arch: Arch) -> Chosen {
    use Mnemonic as M;
    let step = match ins.mnemonic() {
        M::Push => Some(by_word!(arch, steps::push, ops, [GPR, IMM, MEM])),
        M::Pop => Some(by_word!(arch, steps::pop, ops, [GPR, MEM])),
        M::Call if is_near_branch(ins) => Some(by_word!(arch, control::call)),
        M::Call => Some(by_word!(arch, control::call_indirect)),
        M::Ret if ins.op_count() == 0 => Some(by_word!(arch, control::ret)),
        M::Ret => Some(by_word!(arch, control::ret_pop)),
        M::Jmp if is_near_branch(ins) => Some(control::jmp as Step),
        M::Jmp => Some(control::jmp_indirect as Step),
        _ if ins.condition_code() != ConditionCode::None
            && ins.flow_control() == FlowControl::ConditionalBranch =>
        {
            Some(jcc(ins.condition_code()))
        }
        M::Nop | M::Pause | M::Lfence | M::Mfence | M::Sfence => Some(steps::nop as Step),
        M::Mov | M::Movzx if !names_segment(ins) => Some(by_forms!(steps::mov, ops)),
        M::Lea => Some(by_form!(steps::lea, ops, [GPR])),
        M::Add => Some(by_forms!(steps::add, ops)),
        M::Sub => Some(by_forms!(steps::sub, ops)),
        M::Cmp => Some(by_forms!(steps::cmp, ops)),
        M::And => Some(by_forms!(steps::and, ops)),
        M::Or => Some(by_forms!(steps::or, ops)),
        M::Xor => Some(by_forms!(steps::xor, ops)),
        M::Test => Some(by_forms!(steps::test, ops)),
        M::Adc => Some(by_forms!(steps::adc, ops)),
        M::Sbb => Some(by_forms!(steps::sbb, ops)),
        M::Shl => Some(by_form!(steps::shift, ops, [GPR, MEM], 0)),
        M::Shr => Some(by_form!(steps::shift, ops, [GPR, MEM], 1)),
        M::Sar => Some(by_form!(steps::shift, ops, [GPR, MEM], 2)),
        M::Inc => Some(by_form!(steps::inc_dec, ops, [GPR, MEM], false)),
        M::Dec => Some(by_form!(steps::inc_dec, ops, [GPR, MEM], true)),
        _ => None,
    };
    match step {
        Some(step) => Chosen::Step(step),
        None => Chosen::Handler(other(ins)),
    }
}

/// Whether one of the instruction's operands is a segment register.
fn names_segment(ins: &Instruction) -> bool {
    (0..2).any(|i| ins.op_kind(i) == OpKind::Register && ins.op_register(i).is_segment_register())
}

/// The handler of an instruction that has no step of its own.
fn other(ins: &Instruction) -> Handler {
    use Mnemonic as M;
    match ins.mnemonic() {
        // INT3 and UD2 only appear where the compiler marks unreachable code.
        M::Int3 | M::Ud2 => unsupported,
        // SETcc and CMOVcc move data (Jcc has a step of its own).
        _ if ins.condition_code() != ConditionCode::None => {
            if is_cmov(ins.mnemonic()) {
                mov::cmov
            } else if is_setcc(ins.mnemonic()) {
                mov::setcc
            } else {
                unsupported
            }
        }
        M::Prefetchnta | M::Prefetcht0 | M::Prefetcht1 | M::Prefetcht2 | M::Prefetchw => mov::nop,
        M::Clc | M::Stc | M::Cmc | M::Cld | M::Std => arith::flag_op,
        M::Pushf | M::Pushfd | M::Pushfq => stack::pushf,
        M::Popf | M::Popfd | M::Popfq => stack::popf,
        M::Pushad => stack::pusha,
        M::Popad => stack::popa,
        mnemonic if x87::is_x87(mnemonic) => x87::exec,
        M::Syscall => system::syscall,
        M::Int => system::int,
        M::Cpuid => system::cpuid,
        M::Rdtsc => system::rdtsc,
        M::Mov => system::mov_segment,
        M::Movsx | M::Movsxd => mov::movsx,
        M::Xchg => mov::xchg,
        M::Cwd | M::Cdq | M::Cqo => mov::cwd,
        M::Cwde => mov::cwde,
        M::Cdqe => mov::cdqe,
        M::Bswap => mov::bswap,
        M::Movsb | M::Movsd | M::Movsq
            if matches!(
                ins.op_kind(0),
                OpKind::MemoryESDI | OpKind::MemoryESEDI | OpKind::MemoryESRDI
            ) =>
        {
            mov::movs
        }
        // The SSE2 MOVSD (Move Scalar Double) shares the string move's mnemonic.
        M::Movsd => sse::exec,
        M::Movsb | M::Movsq => unsupported,
        M::Stosb | M::Stosd | M::Stosq => mov::stos,
        M::Scasb | M::Scasw | M::Scasd | M::Scasq => mov::scan_compare,
        M::Cmpsb | M::Cmpsw | M::Cmpsq => mov::scan_compare,
        M::Cmpsd if ins.op_kind(0) != OpKind::Register => mov::scan_compare,
        M::Neg => arith::neg,
        M::Not => arith::not,
        M::Rol | M::Ror => arith::rotate,
        M::Rcl | M::Rcr => arith::rotate_carry,
        M::Shld | M::Shrd => arith::double_shift,
        M::Imul if ins.op_count() > 1 => arith::imul,
        M::Imul | M::Mul => arith::mul,
        M::Div | M::Idiv => arith::divide,
        M::Bt | M::Bts | M::Btr | M::Btc => arith::bt,
        M::Bsf | M::Bsr => arith::bit_scan,
        M::Tzcnt | M::Lzcnt | M::Popcnt => arith::count,
        M::Xadd => arith::xadd,
        M::Cmpxchg => arith::cmpxchg,
        M::Cmpxchg8b => arith::cmpxchg8b,
        M::Emms => mov::nop,
        M::Movups | M::Movaps | M::Movupd | M::Movapd | M::Movdqu | M::Movdqa
            if ins.op_kind(0) == OpKind::Register
                && ins.op_register(0).is_xmm()
                && ins.op_kind(1) == OpKind::Memory =>
        {
            sse::mov128_load
        }
        M::Movups | M::Movaps | M::Movupd | M::Movapd | M::Movdqu | M::Movdqa
            if ins.op_kind(0) == OpKind::Memory
                && ins.op_kind(1) == OpKind::Register
                && ins.op_register(1).is_xmm() =>
        {
            sse::mov128_store
        }
        _ => sse::exec,
    }
}

/// Whether `ins`'s handler may run while flags wait in [`crate::cpu::Lazy`]:
/// it neither reads nor writes `Cpu::flags` (moves, the stack, calls and
/// jumps), or it sets them through `Cpu::set_lazy` (ADD, ADC, SUB, SBB, CMP,
/// AND, OR, XOR, TEST, INC, DEC, SHL, SHR, SAR; ADC and SBB read CF through
/// `Cpu::carry`), or it reads them through [`lazy_condition`] (Jcc). Every
/// other handler runs through [`settled`].
pub(crate) fn sees_lazy_flags(ins: &Instruction) -> bool {
    use Mnemonic as M;
    match ins.mnemonic() {
        M::Push | M::Pop | M::Call | M::Ret | M::Jmp | M::Lea | M::Nop => true,
        M::Add | M::Sub | M::Cmp | M::And | M::Or | M::Xor | M::Test => true,
        M::Inc | M::Dec | M::Adc | M::Sbb | M::Shl | M::Shr | M::Sar => true,
        M::Mov => !names_segment(ins),
        M::Movzx | M::Movsx | M::Movsxd => true,
        // SSE and SSE2 leave the flags alone, but for the scalar compares.
        M::Ucomisd | M::Comisd | M::Ucomiss | M::Comiss => false,
        _ if (0..ins.op_count())
            .any(|i| ins.op_kind(i) == OpKind::Register && ins.op_register(i).is_xmm()) =>
        {
            true
        }
        _ => {
            ins.condition_code() != ConditionCode::None
                && ins.flow_control() == FlowControl::ConditionalBranch
        }
    }
}

/// An instruction met for the first time: decodes it and executes it. The
/// decoded instruction is kept aside and put in the code between runs of
/// the step loop (which shares the code while it runs).
pub(crate) fn undecoded(m: &mut Machine<'_>, d: &Decoded) -> Next {
    let index = m.image.index_of(d.ins.ip()) as usize;
    let late = &mut m.decoded_late;
    if late.by_index.len() <= index {
        late.by_index
            .resize_with(m.image.code.len().max(index + 1), || None);
    }
    let full = match late.by_index[index].take() {
        Some(full) => full,
        None => {
            late.indices.push(index as u32);
            Box::new(crate::decode::decode(d, m.arch))
        }
    };
    let next = (full.exec)(m, &full);
    m.decoded_late.by_index[index] = Some(full);
    next
}

/// Runs an instruction's own handler (`Decoded::inner`), which may go anywhere.
pub(crate) fn general(m: &mut Machine<'_>, d: &Decoded) -> Next {
    let result = (d.inner)(m, d);
    went(m, d, result)
}

/// Runs an instruction's own handler (`Decoded::inner`) with the flags settled first.
pub(crate) fn settled(m: &mut Machine<'_>, d: &Decoded) -> Next {
    m.cpu.settle();
    let result = (d.inner)(m, d);
    went(m, d, result)
}

/// The `inner` of an instruction whose step does all its work: never called.
pub(crate) fn within_step(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    Err(m.unsupported(d))
}

/// Where the next instruction is after a handler that may have gone
/// anywhere: its next or branch target when `rip` is there, else looked up.
#[inline(always)]
fn went(m: &mut Machine<'_>, d: &Decoded, result: Exec) -> Next {
    match result {
        Ok(()) => {
            let rip = m.cpu.rip;
            one_step(if rip == d.next {
                d.next_index
            } else if rip == d.target {
                d.target_index
            } else {
                LOOKUP
            })
        }
        Err(stop) => m.halt(stop),
    }
}

/// Where the next instruction is after a handler that, when it succeeds,
/// always goes on to the instruction after it.
#[inline(always)]
fn straight(m: &mut Machine<'_>, d: &Decoded, result: Exec) -> Next {
    match result {
        Ok(()) => one_step(d.next_index),
        Err(stop) => m.halt(stop),
    }
}

/// The steps of the frequent instructions that always go on to the next
/// one: their handlers, for each instance, and where the next instruction is.
mod steps {
    use super::{arith, mov, stack, straight};
    use crate::decode::Decoded;
    use crate::exec::{Machine, Next, one_step};

    macro_rules! straight_steps {
        ($($name:ident = $m:ident :: $f:ident < $(const $p:ident : $t:ty),* >;)*) => {$(
            pub(crate) fn $name<$(const $p: $t),*>(m: &mut Machine<'_>, d: &Decoded) -> Next {
                let result = $m::$f::<$($p),*>(m, d);
                straight(m, d, result)
            }
        )*};
    }

    straight_steps! {
        push = stack::push<const A: u8, const W: u64>;
        pop = stack::pop<const A: u8, const W: u64>;
        mov = mov::mov<const A: u8, const B: u8>;
        lea = mov::lea<const A: u8>;
        add = arith::add<const A: u8, const B: u8>;
        sub = arith::sub<const A: u8, const B: u8>;
        cmp = arith::cmp<const A: u8, const B: u8>;
        and = arith::and<const A: u8, const B: u8>;
        or = arith::or<const A: u8, const B: u8>;
        xor = arith::xor<const A: u8, const B: u8>;
        test = arith::test<const A: u8, const B: u8>;
        adc = arith::adc<const A: u8, const B: u8>;
        sbb = arith::sbb<const A: u8, const B: u8>;
        shift = arith::shift<const A: u8, const KIND: u8>;
        inc_dec = arith::inc_dec<const A: u8, const DOWN: bool>;
    }

    /// NOP, PAUSE and the fences.
    pub(crate) fn nop(_: &mut Machine<'_>, d: &Decoded) -> Next {
        one_step(d.next_index)
    }
}

/// The step of the group of instructions that begins with `stub` (see
/// [`Group`]), for its first instruction's operands `ops`; none when no
/// group begins there. A compare and branch is instantiated for its
/// condition, on the operands' usual forms.
pub(crate) fn group_step(stub: &Decoded, ops: &[Operand; 3], arch: Arch) -> Option<Step> {
    use crate::decode::form::*;
    let cc = stub.cc;
    Some(match stub.group {
        Group::None => return None,
        Group::CompareBranch if stub.ins.mnemonic() == Mnemonic::Cmp => {
            match (ops[0].form, ops[1].form) {
                (GPR, GPR) => by_cc!(groups::cmp_branch, GPR, GPR, cc),
                (GPR, IMM) => by_cc!(groups::cmp_branch, GPR, IMM, cc),
                (GPR, MEM8) => by_cc!(groups::cmp_branch, GPR, MEM8, cc),
                (GPR, MEM4) => by_cc!(groups::cmp_branch, GPR, MEM4, cc),
                (MEM8, IMM) => by_cc!(groups::cmp_branch, MEM8, IMM, cc),
                (MEM4, IMM) => by_cc!(groups::cmp_branch, MEM4, IMM, cc),
                (MEM8, GPR) => by_cc!(groups::cmp_branch, MEM8, GPR, cc),
                (MEM4, GPR) => by_cc!(groups::cmp_branch, MEM4, GPR, cc),
                _ => by_cc!(groups::cmp_branch, ANY, ANY, cc),
            }
        }
        Group::CompareBranch => match (ops[0].form, ops[1].form) {
            (GPR, GPR) => by_cc!(groups::test_branch, GPR, GPR, cc),
            (GPR, IMM) => by_cc!(groups::test_branch, GPR, IMM, cc),
            _ => by_cc!(groups::test_branch, ANY, ANY, cc),
        },
        Group::OpenFrame => by_word!(arch, groups::open_frame),
        Group::CloseFrame => by_word!(arch, groups::close_frame),
        Group::Return => by_word!(arch, groups::close_return),
        Group::Entry => groups::entry,
        Group::Entry386 => groups::entry386,
    })
}

/// The steps of groups of instructions (see [`Group`]): each does what
/// the steps of its instructions would, one after the other, and counts
/// them; one that fails gives the steps up to and with it, `pc` and `rip`
/// as its own step would have left them.
mod groups {
    use super::{arith, lazy_condition};
    use crate::cpu::{RBP, RCX, RSP};
    use crate::decode::Decoded;
    use crate::exec::{Halt, Machine, Next, size_mask};

    /// `n` steps, going on at `index`.
    #[inline(always)]
    fn steps(n: u64, index: u32) -> Next {
        n << 32 | u64::from(index)
    }

    /// The `n`th step of a group failed.
    #[inline(always)]
    fn failed(m: &mut Machine<'_>, n: u64, stop: Halt) -> Next {
        m.halt(stop) + ((n - 1) << 32)
    }

    /// CMP, then Jcc on condition `CC` (a [`iced_x86::ConditionCode`] as a number).
    pub(crate) fn cmp_branch<const A: u8, const B: u8, const CC: u8>(
        m: &mut Machine<'_>,
        d: &Decoded,
    ) -> Next {
        match arith::cmp::<A, B>(m, d) {
            Ok(()) => branch::<CC>(m, d),
            Err(stop) => m.halt(stop),
        }
    }

    /// TEST, then Jcc on condition `CC`.
    pub(crate) fn test_branch<const A: u8, const B: u8, const CC: u8>(
        m: &mut Machine<'_>,
        d: &Decoded,
    ) -> Next {
        match arith::test::<A, B>(m, d) {
            Ok(()) => branch::<CC>(m, d),
            Err(stop) => m.halt(stop),
        }
    }

    /// The Jcc after a compare: its target is the group's.
    #[inline(always)]
    fn branch<const CC: u8>(m: &mut Machine<'_>, d: &Decoded) -> Next {
        if lazy_condition(&mut m.cpu, CC) {
            m.cpu.rip = d.target;
            steps(2, d.target_index)
        } else {
            m.cpu.rip = d.then;
            steps(2, d.next_index + 1)
        }
    }

    /// PUSH BP; MOV BP, SP, as the stack steps do them (`W`, the word
    /// size, bytes).
    #[inline(always)]
    fn start_frame<const W: u64>(m: &mut Machine<'_>) -> Result<(), Halt> {
        let mask = size_mask(W as usize);
        m.push_word::<W>(m.cpu.gpr[RBP] & mask)?;
        m.cpu.gpr[RBP] = m.cpu.gpr[RSP] & mask;
        Ok(())
    }

    /// PUSH BP; MOV BP, SP (`W`, the word size, bytes).
    pub(crate) fn open_frame<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Next {
        if let Err(stop) = start_frame::<W>(m) {
            return m.halt(stop);
        }
        m.cpu.rip = d.then;
        steps(2, d.next_index + 1)
    }

    /// A function's entry on amd64: CMP SP, k(R14); JLS; PUSH BP; MOV BP, SP; SUB $n, SP.
    pub(crate) fn entry(m: &mut Machine<'_>, d: &Decoded) -> Next {
        // CMP SP, k(R14), reading g beside the stack; JLS.
        let limit = match m.load_aside(m.ea(d), 8) {
            Ok(limit) => limit,
            Err(stop) => return m.halt(stop),
        };
        let sp = m.cpu.gpr[RSP];
        m.cpu.set_lazy(crate::cpu::lazy::SUB, sp, limit, 8);
        if sp <= limit {
            m.cpu.rip = d.target;
            return steps(2, d.target_index);
        }
        let push = d.group_at;
        (m.pc, m.cpu.rip) = (push, push + 1);
        if let Err(stop) = start_frame::<8>(m) {
            return failed(m, 3, stop);
        }
        let sp = m.cpu.gpr[RSP];
        m.cpu.set_lazy(crate::cpu::lazy::SUB, sp, d.group_imm, 8);
        m.cpu.gpr[RSP] = sp.wrapping_sub(d.group_imm);
        m.cpu.rip = d.then;
        steps(5, d.next_index + 4)
    }

    /// A function's entry on 386: MOVL GS:0, CX; MOVL -4(CX), CX;
    /// CMPL SP, 8(CX); JLS; SUBL $n, SP.
    pub(crate) fn entry386(m: &mut Machine<'_>, d: &Decoded) -> Next {
        let word = size_mask(4);
        let tls = match m.load_aside(m.ea(d), 4) {
            Ok(tls) => tls,
            Err(stop) => return m.halt(stop),
        };
        m.cpu.gpr[RCX] = tls;
        // A load that faults sets rip back to pc.
        m.pc = d.next;
        let g = match m.load_aside(tls.wrapping_sub(4) & word, 4) {
            Ok(g) => g,
            Err(stop) => return failed(m, 2, stop),
        };
        m.cpu.gpr[RCX] = g;
        m.pc = d.group_at;
        let limit = match m.load_aside(g.wrapping_add(8) & word, 4) {
            Ok(limit) => limit,
            Err(stop) => return failed(m, 3, stop),
        };
        let sp = m.cpu.gpr[RSP] & word;
        m.cpu.set_lazy(crate::cpu::lazy::SUB, sp, limit, 4);
        if sp <= limit {
            m.cpu.rip = d.target;
            return steps(4, d.target_index);
        }
        m.cpu.set_lazy(crate::cpu::lazy::SUB, sp, d.group_imm, 4);
        m.cpu.gpr[RSP] = sp.wrapping_sub(d.group_imm) & word;
        m.cpu.rip = d.then;
        steps(5, d.next_index + 4)
    }

    /// ADD $n, SP, as `arith::add` does it for the stack pointer.
    #[inline(always)]
    fn drop_frame<const W: u64>(m: &mut Machine<'_>, d: &Decoded) {
        let (sp, n) = (m.cpu.gpr[RSP], d.ops[1].imm);
        m.cpu.set_lazy(crate::cpu::lazy::ADD, sp, n, W as usize);
        m.cpu.gpr[RSP] = sp.wrapping_add(n) & size_mask(W as usize);
    }

    /// ADD $n, SP; RET (`W`, the word size, bytes).
    pub(crate) fn close_return<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Next {
        drop_frame::<W>(m, d);
        let ret = d.then;
        (m.pc, m.cpu.rip) = (ret, ret + 1);
        match m.pop_word::<W>() {
            Ok(to) => steps(2, m.jump_to(to)),
            Err(stop) => failed(m, 2, stop),
        }
    }

    /// ADD $n, SP; POP BP; RET (`W`, the word size, bytes).
    pub(crate) fn close_frame<const W: u64>(m: &mut Machine<'_>, d: &Decoded) -> Next {
        drop_frame::<W>(m, d);
        let ret = d.then;
        // The saved BP and the return address, side by side in the hot
        // region (386 code keeps no frame pointer).
        let sp = m.cpu.gpr[RSP];
        if W == 8
            && let Some((bp, to)) = m.mem.read_pair_hot(sp)
        {
            m.cpu.gpr[RBP] = bp;
            m.cpu.gpr[RSP] = sp.wrapping_add(2 * W) & size_mask(W as usize);
            m.pc = ret;
            return steps(3, m.jump_to(to));
        }
        (m.pc, m.cpu.rip) = (d.next, ret);
        match m.pop_word::<W>() {
            Ok(bp) => m.cpu.gpr[RBP] = bp,
            Err(stop) => return failed(m, 2, stop),
        }
        (m.pc, m.cpu.rip) = (ret, ret + 1);
        match m.pop_word::<W>() {
            Ok(to) => steps(3, m.jump_to(to)),
            Err(stop) => failed(m, 3, stop),
        }
    }
}

/// Whether condition `code` (a [`ConditionCode`] as a number) of a Jcc
/// holds, with flags that may wait: after SUB or CMP it is read from the
/// operands, otherwise from the settled flags.
#[inline(always)]
pub(crate) fn lazy_condition(cpu: &mut Cpu, code: u8) -> bool {
    use crate::cpu::lazy;
    let l = cpu.lazy;
    if l.op != lazy::SUB {
        // E, NE, S and NS after any other operation read the result alone
        // (a loop's DECQ CX; JNE).
        let group = code.wrapping_sub(1) / 2;
        if l.op != lazy::NONE && (group == 2 || group == 4) {
            let r = match l.op {
                lazy::ADD => l.a.wrapping_add(l.b),
                lazy::ADD1 => l.a.wrapping_add(l.b).wrapping_add(1),
                lazy::SUB1 => l.a.wrapping_sub(l.b).wrapping_sub(1),
                lazy::INC => l.a.wrapping_add(1),
                lazy::DEC => l.a.wrapping_sub(1),
                _ => l.a,
            };
            let shift = 64 - 8 * u32::from(l.size);
            let r = r << shift;
            let holds = if group == 2 { r == 0 } else { (r as i64) < 0 };
            return holds != (code & 1 == 0);
        }
        cpu.settle();
        return condition(cpu, code);
    }
    // Left-aligned, the operands compare and subtract in 64 bits as they do in `size` bytes.
    let shift = 64 - 8 * u32::from(l.size);
    let (a, b) = (l.a << shift, l.b << shift);
    let r = a.wrapping_sub(b);
    let (sa, sb) = (a as i64, b as i64);
    let of = sa.overflowing_sub(sb).1;
    let negate = code & 1 == 0;
    let holds = match (code.wrapping_sub(1)) / 2 {
        0 => of,
        1 => a < b,
        2 => a == b,
        3 => a <= b,
        4 => (r as i64) < 0,
        5 => parity(r >> shift),
        6 => sa < sb,
        7 => sa <= sb,
        _ => return true,
    };
    holds != negate
}

/// The Jcc step for condition `cc`, instantiated per condition.
fn jcc(cc: ConditionCode) -> Step {
    use ConditionCode as C;
    match cc {
        C::o => control::jcc::<{ C::o as u8 }>,
        C::no => control::jcc::<{ C::no as u8 }>,
        C::b => control::jcc::<{ C::b as u8 }>,
        C::ae => control::jcc::<{ C::ae as u8 }>,
        C::e => control::jcc::<{ C::e as u8 }>,
        C::ne => control::jcc::<{ C::ne as u8 }>,
        C::be => control::jcc::<{ C::be as u8 }>,
        C::a => control::jcc::<{ C::a as u8 }>,
        C::s => control::jcc::<{ C::s as u8 }>,
        C::ns => control::jcc::<{ C::ns as u8 }>,
        C::p => control::jcc::<{ C::p as u8 }>,
        C::np => control::jcc::<{ C::np as u8 }>,
        C::l => control::jcc::<{ C::l as u8 }>,
        C::ge => control::jcc::<{ C::ge as u8 }>,
        C::le => control::jcc::<{ C::le as u8 }>,
        C::g => control::jcc::<{ C::g as u8 }>,
        C::None => control::jmp,
    }
}

/// Stops the run: the instruction has no model.
fn unsupported(m: &mut Machine<'_>, d: &Decoded) -> Exec {
    Err(m.unsupported(d))
}

fn is_cmov(mnemonic: Mnemonic) -> bool {
    use Mnemonic as M;
    matches!(
        mnemonic,
        M::Cmove
            | M::Cmovne
            | M::Cmova
            | M::Cmovae
            | M::Cmovb
            | M::Cmovbe
            | M::Cmovg
            | M::Cmovge
            | M::Cmovl
            | M::Cmovle
            | M::Cmovs
            | M::Cmovns
            | M::Cmovo
            | M::Cmovno
            | M::Cmovp
            | M::Cmovnp
    )
}

fn is_setcc(mnemonic: Mnemonic) -> bool {
    use Mnemonic as M;
    matches!(
        mnemonic,
        M::Sete
            | M::Setne
            | M::Seta
            | M::Setae
            | M::Setb
            | M::Setbe
            | M::Setg
            | M::Setge
            | M::Setl
            | M::Setle
            | M::Sets
            | M::Setns
            | M::Seto
            | M::Setno
            | M::Setp
            | M::Setnp
    )
}

/// Whether the condition of a Jcc, SETcc or CMOVcc holds.
///
/// iced numbers the conditions in pairs, each one followed by its negation
/// (`o`, `no`, `b`, `ae`, ...), so the flags give eight conditions and the
/// code picks one and whether to negate it, without branching.
#[inline]
pub(crate) fn condition(cpu: &Cpu, code: u8) -> bool {
    let code = u64::from(code);
    if code == 0 {
        return true;
    }
    let flag = |f: u64| u64::from(cpu.flags & f != 0);
    let (cf, zf, sf, of, pf) = (flag(CF), flag(ZF), flag(SF), flag(OF), flag(PF));
    let less = sf ^ of;
    // o, b, e, be, s, p, l, le.
    let holds =
        of | cf << 1 | zf << 2 | (cf | zf) << 3 | sf << 4 | pf << 5 | less << 6 | (zf | less) << 7;
    let (which, negate) = ((code - 1) / 2, (code - 1) & 1);
    (holds >> which) & 1 != negate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::AF;

    /// The conditions as the manual defines them.
    fn reference(cpu: &Cpu, cc: ConditionCode) -> bool {
        let f = |b| cpu.flag(b);
        match cc {
            ConditionCode::o => f(OF),
            ConditionCode::no => !f(OF),
            ConditionCode::b => f(CF),
            ConditionCode::ae => !f(CF),
            ConditionCode::e => f(ZF),
            ConditionCode::ne => !f(ZF),
            ConditionCode::be => f(CF) || f(ZF),
            ConditionCode::a => !f(CF) && !f(ZF),
            ConditionCode::s => f(SF),
            ConditionCode::ns => !f(SF),
            ConditionCode::p => f(PF),
            ConditionCode::np => !f(PF),
            ConditionCode::l => f(SF) != f(OF),
            ConditionCode::ge => f(SF) == f(OF),
            ConditionCode::le => f(ZF) || f(SF) != f(OF),
            ConditionCode::g => !f(ZF) && f(SF) == f(OF),
            ConditionCode::None => true,
        }
    }

    /// A Jcc after SUB or CMP reads the condition from the operands as the settled flags give it.
    #[test]
    fn lazy_conditions_follow_the_flags() {
        let values = [
            0u64,
            1,
            2,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0x1234_5678_9abc_def0,
            0x7fff_ffff_ffff_ffff,
            0x8000_0000_0000_0000,
            u64::MAX,
        ];
        for size in [1usize, 2, 4, 8] {
            let mask = crate::exec::size_mask(size);
            for &a in &values {
                for &b in &values {
                    let (a, b) = (a & mask, b & mask);
                    use crate::cpu::lazy::{ADD, ADD1, DEC, INC, LOGIC, SHIFT, SUB, SUB1};
                    let cases = [
                        (SUB, b),
                        (ADD, b),
                        (LOGIC, 0),
                        (INC, b & 1),
                        (DEC, b & 1),
                        (SHIFT, b & 3),
                        (ADD1, b),
                        (SUB1, b),
                    ];
                    for (op, b) in cases {
                        let mut lazy = Cpu::default();
                        lazy.set_lazy(op, a, b, size);
                        let mut settled = lazy.clone();
                        settled.settle();
                        for cc in ConditionCode::values() {
                            assert_eq!(
                                lazy_condition(&mut lazy.clone(), cc as u8),
                                condition(&settled, cc as u8),
                                "op {op} {cc:?} {a:#x} {b:#x} size {size}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn conditions_follow_the_flags() {
        let all = [CF, PF, AF, ZF, SF, OF];
        for set in 0..1u32 << all.len() {
            let flags = all
                .iter()
                .enumerate()
                .filter(|(i, _)| set & (1 << i) != 0)
                .fold(0, |acc, (_, f)| acc | f);
            let cpu = Cpu {
                flags,
                ..Cpu::default()
            };
            for cc in ConditionCode::values() {
                assert_eq!(
                    condition(&cpu, cc as u8),
                    reference(&cpu, cc),
                    "{cc:?} {flags:#x}"
                );
            }
        }
    }
}
