//! Instruction handlers, grouped by kind as the Intel manual groups them,
//! and the choice of handler for each decoded instruction.

pub(crate) mod arith;
pub(crate) mod control;
pub(crate) mod mov;
pub(crate) mod sse;
pub(crate) mod stack;

use iced_x86::{ConditionCode, FlowControl, Instruction, Mnemonic, OpKind};

use crate::cpu::{CF, Cpu, OF, PF, SF, ZF};
use crate::decode::{Decoded, Handler};
use crate::exec::{Exec, Machine};

/// The handler that executes `ins`, chosen once when the code is loaded.
pub(crate) fn handler(ins: &Instruction) -> Handler {
    use Mnemonic as M;
    match ins.mnemonic() {
        M::Push => stack::push,
        M::Pop => stack::pop,
        M::Call => control::call,
        M::Ret => control::ret,
        M::Jmp => control::jmp,
        // INT3 and UD2 only appear where the compiler marks unreachable code.
        M::Int3 | M::Ud2 => unsupported,
        // Jcc branches; SETcc and CMOVcc move data.
        _ if ins.condition_code() != ConditionCode::None => {
            if ins.flow_control() == FlowControl::ConditionalBranch {
                control::jcc
            } else if is_cmov(ins.mnemonic()) {
                mov::cmov
            } else if is_setcc(ins.mnemonic()) {
                mov::setcc
            } else {
                unsupported
            }
        }
        M::Nop => mov::nop,
        M::Mov | M::Movzx => mov::mov,
        M::Movsx | M::Movsxd => mov::movsx,
        M::Lea => mov::lea,
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
        M::Add => arith::add,
        M::Adc => arith::adc,
        M::Sub => arith::sub,
        M::Sbb => arith::sbb,
        M::Cmp => arith::cmp,
        M::And => arith::and,
        M::Or => arith::or,
        M::Xor => arith::xor,
        M::Test => arith::test,
        M::Inc | M::Dec => arith::inc_dec,
        M::Neg => arith::neg,
        M::Not => arith::not,
        M::Shl | M::Shr | M::Sar | M::Rol | M::Ror => arith::shift,
        M::Shld | M::Shrd => arith::double_shift,
        M::Imul if ins.op_count() > 1 => arith::imul,
        M::Imul | M::Mul => arith::mul,
        M::Div | M::Idiv => arith::divide,
        M::Bt | M::Bts | M::Btr => arith::bt,
        M::Bsf | M::Bsr => arith::bit_scan,
        M::Tzcnt | M::Lzcnt | M::Popcnt => arith::count,
        M::Xadd => arith::xadd,
        M::Cmpxchg => arith::cmpxchg,
        _ => sse::exec,
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
#[inline]
pub(crate) fn condition(cpu: &Cpu, cc: ConditionCode) -> bool {
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
