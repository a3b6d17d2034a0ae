//! Deferred calls: `runtime.deferprocStack` links a record the compiled code
//! built in its frame into `g._defer`; `runtime.deferreturn` runs the records
//! of the calling frame, newest first, each closure with its context in DX.

use super::g;
use crate::cpu::{RBP, RDX, RSP};
use crate::exec::{Exec, Halt, Machine};
use crate::trace::Event;
use crate::{Arch, Stop};

/// Word offsets of the `_defer` fields the models use: sp, pc, fn and link.
pub(crate) struct Layout {
    pub(crate) sp: u64,
    pub(crate) pc: u64,
    pub(crate) func: u64,
    pub(crate) link: u64,
}

/// The `_defer` layout of the Go version that compiled the program.
pub(crate) fn layout(m: &Machine<'_>) -> Result<Layout, Halt> {
    layout_of(m.go_minor).ok_or_else(|| {
        Box::new(Stop::Unsupported {
            what: format!("the _defer record of Go 1.{}", m.go_minor),
            at: m.call_site(),
        })
    })
}

/// The `_defer` layout of Go `1.<minor>`, for the versions modelled.
pub(crate) fn layout_of(minor: u32) -> Option<Layout> {
    // Go 1.19 to 1.21: started, heap, openDefer bools; sp; pc; fn; _panic; link; ...
    // Go 1.22 on: heap and rangefunc bools; sp; pc; fn; link; head (1.23 on).
    match minor {
        19..=21 => Some(Layout {
            sp: 1,
            pc: 2,
            func: 3,
            link: 5,
        }),
        22.. => Some(Layout {
            sp: 1,
            pc: 2,
            func: 3,
            link: 4,
        }),
        _ => None,
    }
}

/// `runtime.deferprocStack(d *_defer)`: fills in sp and pc and pushes `d` on `g._defer`.
pub(crate) fn deferproc_stack(m: &mut Machine<'_>) -> Exec {
    let d = m.arg(0)?;
    // heap = false, rangefunc (or started) = false; the compiled code set fn.
    m.store(d, 2, 0)?;
    link(m, d)
}

/// `runtime.deferproc(fn func())`: a deferred call in a loop, its record on the heap.
pub(crate) fn deferproc(m: &mut Machine<'_>) -> Exec {
    let l = layout(m)?;
    let w = m.arch.word();
    let closure = m.arg(0)?;
    // Big enough for every layout: two bools, then at most six words.
    let d = m.alloc(7 * w)?;
    // heap = true (the first bool of Go 1.22 on, the second up to 1.21).
    let heap_byte = if m.go_minor <= 21 { 1 } else { 0 };
    m.store(d + heap_byte, 1, 1)?;
    m.store_word(d + l.func * w, closure)?;
    link(m, d)
}

/// Records the caller's sp and pc in `d`, pushes it on `g._defer` and returns to the caller.
fn link(m: &mut Machine<'_>, d: u64) -> Exec {
    let l = layout(m)?;
    let w = m.arch.word();
    let caller_pc = m.load_word(m.sp())?;
    let caller_sp = m.sp() + w;
    m.store_word(d + l.sp * w, caller_sp)?;
    m.store_word(d + l.pc * w, caller_pc)?;
    let head = m.load_word(m.g_field(g::DEFER))?;
    m.store_word(d + l.link * w, head)?;
    m.store_word(m.g_field(g::DEFER), d)?;
    // Up to Go 1.24 both return 0 in AX (1 meant "recovered, go to the exit").
    if m.go_minor <= 24 {
        m.cpu.gpr[crate::cpu::RAX] = 0;
    }
    m.model_return()
}

/// `runtime.deferreturn()`: runs the deferred calls of the calling frame.
pub(crate) fn deferreturn(m: &mut Machine<'_>) -> Exec {
    let caller_sp = m.sp() + m.arch.word();
    m.rt.deferreturn_sps.push(caller_sp);
    deferreturn_next(m)
}

/// Runs the next deferred call of the frame, or returns to it when none is left.
///
/// The closures are called from deferreturn's own frame, as measured: the
/// first call lays the frame out below the return address into the package
/// function; after each closure returns, SP is back just above the call's
/// return address slot.
pub(crate) fn deferreturn_next(m: &mut Machine<'_>) -> Exec {
    let l = layout(m)?;
    let w = m.arch.word();
    let Some(&caller_sp) = m.rt.deferreturn_sps.last() else {
        return Err(Box::new(Stop::Unsupported {
            what: "a return into runtime.deferreturn".into(),
            at: m.location(m.cpu.rip),
        }));
    };
    let ret_slot = caller_sp - w;
    let chain = m.facts().deferreturn;
    let d = m.load_word(m.g_field(g::DEFER))?;
    if d != 0 && m.load_word(d + l.sp * w)? == caller_sp {
        let closure = pop(m, d)?;
        let slot = if m.sp() == ret_slot {
            super::lay_out_frames(m, chain, ret_slot)?
        } else {
            m.sp() - w
        };
        let (func, off) = super::facts::calls_from(chain).ok_or_else(|| {
            Box::new(Stop::Unsupported {
                what: format!("runtime.deferreturn of Go 1.{} (not measured)", m.go_minor),
                at: m.call_site(),
            })
        })?;
        let ret = m.image.stub_addr(func).unwrap_or(0) + off;
        m.store_word(slot, ret)?;
        m.cpu.gpr[RSP] = slot;
        let code = m.load_word(closure)?;
        m.cpu.gpr[RDX] = closure;
        m.cpu.rip = code;
        let func = super::describe_code(m, code).map_or_else(|| format!("{code:#x}"), |(n, _)| n);
        m.event(Event::DeferCall { func });
        return Ok(());
    }
    m.rt.deferreturn_sps.pop();
    m.event(Event::Call {
        func: "runtime.deferreturn".into(),
    });
    // Leave deferreturn's frame: the caller's BP back from its slot, SP at the return address.
    if m.sp() != ret_slot {
        if m.arch == Arch::Amd64 && !chain.is_empty() {
            m.cpu.gpr[RBP] = m.load_word(ret_slot - w)?;
        }
        m.cpu.gpr[RSP] = ret_slot;
    }
    m.model_return()
}

/// Takes the record `d` off `g._defer` as the runtime's `popDefer` does
/// (clearing its `fn` and `link`) and returns its closure.
pub(crate) fn pop(m: &mut Machine<'_>, d: u64) -> Result<u64, Halt> {
    let l = layout(m)?;
    let w = m.arch.word();
    let link = m.load_word(d + l.link * w)?;
    let closure = m.load_word(d + l.func * w)?;
    m.store_word(d + l.func * w, 0)?;
    m.store_word(m.g_field(g::DEFER), link)?;
    m.store_word(d + l.link * w, 0)?;
    Ok(closure)
}
