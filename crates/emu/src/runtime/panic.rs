//! Panics: `runtime.gopanic` runs the deferred calls of each frame from the
//! panicking one up (open-coded ones from the frame's defer bits, linked
//! ones from `g._defer`), `runtime.gorecover` stops the panic when called by
//! one of them, and recovery resumes the recovering frame at its
//! `deferreturn` call. A panic nobody recovers prints Go's message on stderr
//! and exits with status 2.

use super::facts::{self, Frame};
use super::{errors, g};
use crate::cpu::{RAX, RBP, RDX, RSP};
use crate::exec::{Exec, Halt, Machine};
use crate::loader::SymClass;
use crate::trace::Event;
use crate::{Arch, Stop};

/// A panic in progress.
#[derive(Debug, Clone)]
pub(crate) struct Panic {
    /// The panic value, an `any`: type and data words.
    value: (u64, u64),
    /// Set by `gorecover`.
    recovered: bool,
    /// The frame whose defers run now: a return address into it and its SP.
    frame: (u64, u64),
    /// The frame's open-coded defer bits and closure slots, while any are left.
    open: Option<(u64, u64)>,
    /// For a linked defer being run: the pc after its `deferprocStack` call.
    linked_pc: Option<u64>,
    /// The slot where the panic's calls of deferred functions put their return address.
    call_slot: u64,
    /// That return address.
    call_ret: u64,
}

/// A panic whose runtime frames were not measured for this Go version: the run stops.
pub(crate) fn unmeasured(m: &Machine<'_>, what: &str) -> Halt {
    Box::new(Stop::Unsupported {
        what: format!(
            "the runtime's frames of {what} on Go 1.{} {} (not measured)",
            m.go_minor, m.arch
        ),
        at: if m.image.stub_at(m.current_pc()).is_some() {
            m.call_site()
        } else {
            m.location(m.current_pc())
        },
    })
}

/// A run-time error panic such as `integer divide by zero`, raised by the
/// instruction or model running now, through the runtime frames of `chain`.
///
/// The step that raised it ends here: the returned halt either ends the run
/// (nobody recovers) or, with `redirected` set, tells the step loop that
/// execution goes on in a deferred call.
pub(crate) fn runtime_error(m: &mut Machine<'_>, message: &str, chain: &'static [Frame]) -> Halt {
    let started = start_runtime_panic(m, message, chain);
    redirect(m, started)
}

/// Ends the step that started a panic: the run goes on in a deferred call
/// (`redirected`), or stops with what stopped the panic.
fn redirect(m: &mut Machine<'_>, started: Exec) -> Halt {
    match started {
        Ok(()) => {
            m.rt.redirected = true;
            Box::new(Stop::Exited(-1))
        }
        Err(halt) => halt,
    }
}

/// A panic raised by the runtime function the package called (`key`, as
/// [`Facts::call`] knows it) with the run-time error `message`, or with a
/// plain error (no "runtime error: " prefix) when `plain`.
pub(crate) fn from_call(m: &mut Machine<'_>, key: &str, message: &str, plain: bool) -> Halt {
    let Some(chain) = m.facts().call(key) else {
        return unmeasured(m, key);
    };
    let value = if plain {
        errors::error_value(m, errors::PLAIN_ERROR_TYPE, message)
    } else {
        errors::runtime_error_value(m, message)
    };
    let started = value.and_then(|v| gopanic_with(m, v, chain));
    redirect(m, started)
}

/// A nil pointer dereference: a fault in the first page, which the signal
/// handler turns into a call of `runtime.sigpanic` from the faulting instruction.
pub(crate) fn nil_dereference(m: &mut Machine<'_>, addr: u64) -> Halt {
    if m.image.stub_at(m.current_pc()).is_some() {
        // A model dereferenced nil: the real fault would be in a runtime function's frame.
        return unmeasured(m, "a nil dereference in a runtime function");
    }
    // Go's signal handler reports the fault with the faulting address and pc.
    m.rt.signal = Some((addr, m.current_pc()));
    let chain = m.facts().nil;
    runtime_error(
        m,
        "invalid memory address or nil pointer dereference",
        chain,
    )
}

/// Starts a run-time error panic from inside an instruction or a model.
///
/// A model (panicdivide, panicIndex...) was called: its return address is on
/// the stack. An instruction faulted: the signal handler pushes its pc, as if
/// it had called `runtime.sigpanic`.
fn start_runtime_panic(m: &mut Machine<'_>, message: &str, chain: &'static [Frame]) -> Exec {
    let value = errors::runtime_error_value(m, message)?;
    let pc = m.current_pc();
    if m.image.stub_at(pc).is_none() {
        m.push(pc)?;
    }
    gopanic_with(m, value, chain)
}

/// `runtime.gopanic(e any)`.
pub(crate) fn gopanic(m: &mut Machine<'_>) -> Exec {
    let value = (m.arg(0)?, m.arg(1)?);
    let chain = m.facts().panic;
    gopanic_with(m, value, chain)
}

/// Starts a panic with `value`; the return address into package code is at
/// SP, and `chain` the runtime frames between it and the deferred calls.
fn gopanic_with(m: &mut Machine<'_>, value: (u64, u64), chain: &'static [Frame]) -> Exec {
    if !m.rt.fmt_callbacks.is_empty() {
        // fmt recovers a panic in the method it called and prints it instead.
        return Err(Box::new(Stop::Unsupported {
            what: "a panic in a String or Error method called by fmt".into(),
            at: m.call_site(),
        }));
    }
    if m.rt.panics.iter().any(|p| !p.recovered) {
        return Err(Box::new(Stop::Unsupported {
            what: "a panic during a panic".into(),
            at: m.call_site(),
        }));
    }
    let message = message(m, value)?;
    m.event(Event::Panic { message });
    let ret = m.load_word(m.sp())?;
    let sp = m.sp() + m.arch.word();
    let call_slot = super::lay_out_frames(m, chain, m.sp())?;
    let call_ret = facts::calls_from(chain)
        .and_then(|(func, off)| Some(m.image.stub_addr(func)? + off))
        .ok_or_else(|| unmeasured(m, "this panic"))?;
    m.rt.panics.push(Panic {
        value,
        recovered: false,
        frame: (ret, sp),
        open: None,
        linked_pc: None,
        call_slot,
        call_ret,
    });
    enter_frame(m)?;
    next(m)
}

/// Frame size of the function holding `pc`, a return address: a package
/// function's, or a runtime frame's as measured (0 for another model's stub).
fn frame_size(m: &Machine<'_>, pc: u64) -> u64 {
    if let Some((name, off)) = m.image.stub_at(pc) {
        let w = m.arch.word();
        return m
            .facts()
            .chains()
            .flat_map(|c| c.iter())
            .find(|f| f.func == name && f.ret == off)
            .map_or(0, |f| f.size - w);
    }
    m.image
        .symbol_at(pc)
        .and_then(|s| s.listing_index)
        .and_then(|i| m.listing.symbols[i].func.as_ref())
        .map_or(0, |f| f.frame_size.max(0) as u64)
}

/// Notes the open-coded defers of the current frame, if its function has any.
fn enter_frame(m: &mut Machine<'_>) -> Exec {
    let w = m.arch.word();
    let (pc, sp) = m.rt.panics.last().expect("a panic is running").frame;
    let Some(sym) = m.image.symbol_at(pc).filter(|s| s.class == SymClass::Func) else {
        return Ok(());
    };
    let Some(info) = m.listing.symbol(&format!("{}.opendefer", sym.name)) else {
        return Ok(());
    };
    let mut values = Vec::new();
    let mut bytes = info.data.iter();
    for _ in 0..2 {
        let (mut v, mut shift) = (0u64, 0);
        for &b in bytes.by_ref() {
            v |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        values.push(v);
    }
    // varp: the saved BP slot on amd64, the return address slot on 386.
    let frame = frame_size(m, pc);
    let varp = match m.arch {
        Arch::Amd64 => sp + frame - w,
        Arch::I386 => sp + frame,
    };
    m.rt.panics.last_mut().expect("a panic is running").open =
        Some((varp - values[0], varp - values[1]));
    Ok(())
}

/// Runs the next deferred call, frame by frame, or dies when none is left.
fn next(m: &mut Machine<'_>) -> Exec {
    let w = m.arch.word();
    loop {
        let p = m.rt.panics.last().expect("a panic is running").clone();
        if let Some((bits_at, slots)) = p.open {
            let bits = m.load(bits_at, 1)? as u8;
            if bits != 0 {
                let i = 7 - u64::from(bits.leading_zeros());
                m.store(bits_at, 1, u64::from(bits & !(1 << i)))?;
                let closure = m.load_word(slots + i * w)?;
                return call_deferred(m, closure, None);
            }
            m.rt.panics.last_mut().expect("running").open = None;
        }
        let (pc, sp) = p.frame;
        let l = super::defer::layout(m)?;
        let d = m.load_word(m.g_field(g::DEFER))?;
        if d != 0 && m.load_word(d + l.sp * w)? == sp {
            let linked_pc = m.load_word(d + l.pc * w)?;
            let closure = super::defer::pop(m, d)?;
            return call_deferred(m, closure, Some(linked_pc));
        }
        // On to the caller's frame.
        if let Some((name, off)) = m.image.stub_at(pc) {
            let facts = m.facts();
            if (name, off) == facts.main.ret || (name, off) == facts.init.ret {
                return Err(fatal(m));
            }
            if Some((name, off)) == facts::calls_from(facts.deferreturn) {
                m.rt.deferreturn_sps.pop();
            }
        }
        let top = sp + frame_size(m, pc);
        let ret = m.load_word(top)?;
        m.rt.panics.last_mut().expect("running").frame = (ret, top + w);
        enter_frame(m)?;
    }
}

/// Calls a deferred closure from the panic's innermost runtime frame.
fn call_deferred(m: &mut Machine<'_>, closure: u64, linked_pc: Option<u64>) -> Exec {
    let p = m.rt.panics.last_mut().expect("running");
    p.linked_pc = linked_pc;
    let (slot, ret) = (p.call_slot, p.call_ret);
    m.store_word(slot, ret)?;
    m.cpu.gpr[RSP] = slot;
    let code = m.load_word(closure)?;
    m.cpu.gpr[RDX] = closure;
    m.cpu.rip = code;
    let func = super::describe_code(m, code).map_or_else(|| format!("{code:#x}"), |(n, _)| n);
    m.event(Event::DeferCall { func });
    Ok(())
}

/// A deferred call run by the panic returned: recover, or go on.
pub(crate) fn resume(m: &mut Machine<'_>) -> Exec {
    let Some(p) = m.rt.panics.last().cloned() else {
        return Err(Box::new(Stop::Unsupported {
            what: "a return into runtime.gopanic".into(),
            at: m.location(m.cpu.rip),
        }));
    };
    if !p.recovered {
        return next(m);
    }
    m.rt.panics.pop();
    let (pc, sp) = p.frame;
    let frame = frame_size(m, pc);
    m.cpu.gpr[RSP] = sp;
    if m.arch == Arch::Amd64 {
        m.cpu.gpr[RBP] = sp + frame - m.arch.word();
    }
    // Up to Go 1.24, a linked defer's frame resumes after its deferprocStack
    // call, which returns 1 and so branches to the deferreturn call; later
    // versions, and open-coded defers always, go to the deferreturn call directly.
    if let (Some(after), true) = (p.linked_pc, m.go_minor <= 24) {
        m.cpu.gpr[RAX] = 1;
        m.cpu.rip = after;
        return Ok(());
    }
    let sym = m.image.symbol_at(pc).cloned();
    let deferreturn = sym.as_ref().and_then(|s| s.listing_index).and_then(|i| {
        m.listing.symbols[i]
            .relocs
            .iter()
            .find(|r| r.kind == "R_CALL" && r.target == "runtime.deferreturn")
            .map(|r| u64::from(r.offset) - 1)
    });
    match (sym, deferreturn) {
        (Some(sym), Some(off)) => {
            m.cpu.rip = sym.addr + off;
            Ok(())
        }
        _ => Err(Box::new(Stop::Unsupported {
            what: "recovering into a function without a deferreturn call".into(),
            at: m.location(pc),
        })),
    }
}

/// `runtime.gorecover`: the panic value, when called by a deferred call the panic is running.
pub(crate) fn gorecover(m: &mut Machine<'_>) -> Exec {
    let w = m.arch.word();
    // The caller's return address lies above its frame; it was called by the
    // panic when that is the slot of the panic's deferred calls.
    let caller = m.load_word(m.sp())?;
    let slot = m.sp() + w + frame_size(m, caller);
    let direct =
        m.rt.panics.last().is_some_and(|p| {
            p.call_slot == slot && m.mem.peek(slot, w as usize) == Some(p.call_ret)
        });
    let mut value = (0, 0);
    if let Some(p) = m.rt.panics.last_mut()
        && direct
        && !p.recovered
    {
        p.recovered = true;
        value = p.value;
    }
    // Go 1.26 dropped gorecover's argp argument.
    let nargs = if m.go_minor >= 26 { 0 } else { 1 };
    m.set_result(nargs, 0, value.0)?;
    m.set_result(nargs, 1, value.1)?;
    m.model_return()
}

/// What Go prints after `panic: ` for a panic value.
fn message(m: &mut Machine<'_>, (typ, data): (u64, u64)) -> Result<String, Halt> {
    if let Some(text) = errors::error_text(m, typ, data)? {
        return Ok(String::from_utf8_lossy(&text).into_owned());
    }
    let name = super::types::type_name(m, typ).unwrap_or_default();
    let w = m.arch.word();
    Ok(match name.as_str() {
        "string" => {
            let (ptr, len) = (m.load_word(data)?, m.load_word(data + w)?);
            String::from_utf8_lossy(&m.load_bytes(ptr, len as usize)?).into_owned()
        }
        "int" => (crate::exec::sign_extend(m.load_word(data)?, w as usize)).to_string(),
        _ => {
            return Err(Box::new(Stop::Unsupported {
                what: format!("printing a panic value of type {name}"),
                at: m.call_site(),
            }));
        }
    })
}

/// An unrecovered panic: print the message and exit with status 2.
fn fatal(m: &mut Machine<'_>) -> Halt {
    let p = m.rt.panics.last().expect("a panic is running").clone();
    let text = match message(m, p.value) {
        Ok(text) => text,
        Err(halt) => return halt,
    };
    let mut out = format!("panic: {text}");
    if m.rt.panics.len() > 1 {
        out.push_str(" [recovered]");
    }
    if let Some((addr, pc)) = m.rt.signal {
        out.push_str(&format!(
            "\n[signal SIGSEGV: segmentation violation code=0x1 addr={addr:#x} pc={pc:#x}]"
        ));
    }
    out.push_str("\n\ngoroutine 1 [running]:\n");
    m.stderr.extend_from_slice(out.as_bytes());
    m.event(Event::Exit { code: 2 });
    Box::new(Stop::Exited(2))
}
