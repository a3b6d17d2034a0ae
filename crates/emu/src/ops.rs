//! Instruction handlers, grouped by kind as the Intel manual groups them.

pub(crate) mod arith;
pub(crate) mod control;
pub(crate) mod mov;
pub(crate) mod sse;
pub(crate) mod stack;

use iced_x86::ConditionCode;

use crate::cpu::{CF, Cpu, OF, PF, SF, ZF};

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
