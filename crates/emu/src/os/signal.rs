//! Signals: handlers, masks, alternate stacks, and the frames the kernel
//! builds to run a handler and reads back on `rt_sigreturn`, laid out as
//! Linux lays them out for amd64 and for 386 programs.

use super::{Linux, Thread, with};
use crate::Arch;
use crate::Stop;
use crate::cpu::{RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP};
use crate::exec::{Exec, Halt, Machine};

pub(crate) const SIGFPE: u32 = 8;
pub(crate) const SIGSEGV: u32 = 11;
const SIGCHLD: u32 = 17;
const SIGURG: u32 = 23;
const SIGWINCH: u32 = 28;
/// `si_code` of a fault at an unmapped address.
pub(crate) const SEGV_MAPERR: i32 = 1;
/// `si_code` of an integer divide by zero.
pub(crate) const FPE_INTDIV: i32 = 1;
/// `si_code` of a signal sent by `tgkill`.
const SI_TKILL: i32 = -6;
pub(crate) const SS_ONSTACK: u32 = 1;
pub(crate) const SS_DISABLE: u32 = 2;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_NODEFER: u64 = 0x4000_0000;
const SA_RESETHAND: u64 = 0x8000_0000;
const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;

/// What a signal does: `rt_sigaction`'s record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Action {
    pub(crate) handler: u64,
    pub(crate) flags: u64,
    pub(crate) restorer: u64,
    pub(crate) mask: u64,
}

/// The process's signal actions, for signals 1 to 64.
#[derive(Debug, Clone)]
pub(crate) struct Signals {
    pub(crate) actions: [Action; 65],
}

impl Default for Signals {
    fn default() -> Signals {
        Signals {
            actions: [Action::default(); 65],
        }
    }
}

/// The bit of signal `sig` in a mask.
pub(crate) fn bit(sig: u32) -> u64 {
    1 << (sig - 1)
}

/// The GS base of a 386 thread: the descriptor its GS selector names.
pub(crate) fn gs_base(t: &Thread) -> u64 {
    let entry = usize::from(t.gs_selector >> 3);
    entry
        .checked_sub(12)
        .and_then(|i| t.tls.get(i))
        .map_or(0, |&b| u64::from(b))
}

/// A fault or trap raised by the running instruction: delivered at once
/// to the program's handler. The halt it returns tells the step loop to go
/// on at the handler, or ends the run when the program has no handler.
pub(crate) fn fault_signal(m: &mut Machine<'_>, sig: u32, code: i32, addr: u64) -> Halt {
    // The faulting instruction has not completed: the handler sees its address.
    m.cpu.rip = m.pc;
    match with(m, |os, m| deliver(os, m, sig, code, addr)) {
        Ok(()) => {
            m.redirected = true;
            Box::new(Stop::Killed(sig as i32))
        }
        Err(halt) => halt,
    }
}

/// Delivers the running thread's pending signals that are not blocked.
pub(crate) fn deliver_pending(os: &mut Linux, m: &mut Machine<'_>) -> Exec {
    loop {
        let t = os.thread();
        let ready = t.pending & !t.sigmask;
        if ready == 0 {
            return Ok(());
        }
        let sig = ready.trailing_zeros() + 1;
        t.pending &= !bit(sig);
        deliver(os, m, sig, SI_TKILL, 0)?;
    }
}

/// Runs the handler of `sig` on the running thread, or does the default action.
fn deliver(os: &mut Linux, m: &mut Machine<'_>, sig: u32, code: i32, addr: u64) -> Exec {
    let action = os.signals.actions[sig as usize];
    match action.handler {
        SIG_IGN => return Ok(()),
        SIG_DFL if matches!(sig, SIGCHLD | SIGURG | SIGWINCH) => return Ok(()),
        SIG_DFL => return Err(Box::new(Stop::Killed(sig as i32))),
        _ => {}
    }
    let arch = os.arch;
    let t = os.thread();
    let old_mask = t.sigmask;
    let (alt_base, alt_size, alt_flags) = t.altstack;
    let sp = m.cpu.gpr[RSP];
    let on_alt = alt_flags & SS_DISABLE == 0 && sp > alt_base && sp <= alt_base + alt_size;
    let mut top = if action.flags & SA_ONSTACK != 0 && alt_flags & SS_DISABLE == 0 && !on_alt {
        alt_base + alt_size
    } else if arch == Arch::Amd64 {
        sp - 128
    } else {
        sp
    };
    // The vector registers, in FXSAVE layout (XMM0 at offset 160).
    top = (top - 512) & !63;
    let fpstate = top;
    for (i, x) in m.cpu.xmm.clone().iter().enumerate() {
        put(m, fpstate + 160 + 16 * i as u64, 8, *x as u64)?;
        put(m, fpstate + 168 + 16 * i as u64, 8, (*x >> 64) as u64)?;
    }
    let stack = (
        alt_base,
        alt_flags | if on_alt { SS_ONSTACK } else { 0 },
        alt_size,
    );
    let c = m.cpu.clone();
    match arch {
        Arch::Amd64 => {
            // rt_sigframe: pretcode, ucontext (304 bytes), siginfo (128 bytes).
            let frame = ((top - 440) & !15) - 8;
            let uc = frame + 8;
            let info = frame + 312;
            put(m, frame, 8, action.restorer)?;
            for (off, v) in [
                (0, 0),
                (8, 0),
                (16, stack.0),
                (24, u64::from(stack.1)),
                (32, stack.2),
            ] {
                put(m, uc + off, 8, v)?;
            }
            let g = &c.gpr;
            let regs = [
                g[8],
                g[9],
                g[10],
                g[11],
                g[12],
                g[13],
                g[14],
                g[15],
                g[RDI],
                g[RSI],
                g[RBP],
                g[RBX],
                g[RDX],
                g[RAX],
                g[RCX],
                g[RSP],
                c.rip,
                c.flags | 0x202,
                0x33,
                0,
                if sig == SIGSEGV { 4 } else { 0 },
                0,
                addr,
            ];
            for (i, v) in regs.iter().enumerate() {
                put(m, uc + 40 + 8 * i as u64, 8, *v)?;
            }
            put(m, uc + 40 + 184, 8, fpstate)?;
            put(m, uc + 296, 8, old_mask)?;
            siginfo(m, info, sig, code, addr, 8)?;
            m.cpu.gpr[RDI] = u64::from(sig);
            m.cpu.gpr[RSI] = info;
            m.cpu.gpr[RDX] = uc;
            m.cpu.gpr[RAX] = 0;
            m.cpu.gpr[RSP] = frame;
        }
        Arch::I386 => {
            // rt_sigframe: pretcode, sig, pinfo, puc, siginfo (128), ucontext (116).
            let frame = ((top - 268) & !15) - 4;
            let info = frame + 16;
            let uc = frame + 144;
            for (off, v) in [
                (0, action.restorer),
                (4, u64::from(sig)),
                (8, info),
                (12, uc),
            ] {
                put(m, frame + off, 4, v)?;
            }
            for (off, v) in [
                (0, 0),
                (4, 0),
                (8, stack.0),
                (12, u64::from(stack.1)),
                (16, stack.2),
            ] {
                put(m, uc + off, 4, v)?;
            }
            let g = &c.gpr;
            let gs = u64::from(os.threads[os.current].gs_selector);
            let regs = [
                gs,
                0,
                0x2b,
                0x2b,
                g[RDI],
                g[RSI],
                g[RBP],
                g[RSP],
                g[RBX],
                g[RDX],
                g[RCX],
                g[RAX],
                if sig == SIGSEGV { 14 } else { 0 },
                0,
                c.rip,
                0x23,
                c.flags | 0x202,
                g[RSP],
                0x2b,
                fpstate,
                0,
                addr,
            ];
            for (i, v) in regs.iter().enumerate() {
                put(m, uc + 20 + 4 * i as u64, 4, *v)?;
            }
            put(m, uc + 108, 8, old_mask)?;
            siginfo(m, info, sig, code, addr, 4)?;
            m.cpu.gpr[RAX] = u64::from(sig);
            m.cpu.gpr[RDX] = info;
            m.cpu.gpr[RCX] = uc;
            m.cpu.gpr[RSP] = frame;
        }
    }
    m.cpu.rip = action.handler;
    m.cpu.flags &= !crate::cpu::DF;
    let t = os.thread();
    t.sigmask |= action.mask;
    if action.flags & SA_NODEFER == 0 {
        t.sigmask |= bit(sig);
    }
    if action.flags & SA_RESETHAND != 0 {
        os.signals.actions[sig as usize].handler = SIG_DFL;
    }
    Ok(())
}

/// Writes a `siginfo`: number, errno, code, then the fault address.
fn siginfo(m: &mut Machine<'_>, info: u64, sig: u32, code: i32, addr: u64, word: usize) -> Exec {
    for i in 0..16 {
        put(m, info + 8 * i, 8, 0)?;
    }
    put(m, info, 4, u64::from(sig))?;
    put(m, info + 8, 4, u64::from(code as u32))?;
    let addr_at = if word == 8 { 16 } else { 12 };
    put(m, info + addr_at, word, addr)
}

/// `rt_sigreturn`: restores the registers and mask saved in the frame the
/// handler returned from (the handler may have changed them).
pub(crate) fn sigreturn(os: &mut Linux, m: &mut Machine<'_>) -> Exec {
    let sp = m.cpu.gpr[RSP];
    let fpstate;
    match os.arch {
        Arch::Amd64 => {
            let uc = sp; // The frame starts 8 below: the restorer's return popped pretcode.
            let mut regs = [0u64; 23];
            for (i, r) in regs.iter_mut().enumerate() {
                *r = get(m, uc + 40 + 8 * i as u64, 8)?;
            }
            let g = &mut m.cpu.gpr;
            for (i, v) in regs[..8].iter().enumerate() {
                g[8 + i] = *v;
            }
            [
                g[RDI], g[RSI], g[RBP], g[RBX], g[RDX], g[RAX], g[RCX], g[RSP],
            ] = [
                regs[8], regs[9], regs[10], regs[11], regs[12], regs[13], regs[14], regs[15],
            ];
            m.cpu.rip = regs[16];
            m.cpu.flags = regs[17] & (crate::cpu::ARITH | crate::cpu::DF);
            fpstate = get(m, uc + 40 + 184, 8)?;
            os.thread().sigmask = get(m, uc + 296, 8)?;
        }
        Arch::I386 => {
            let uc = sp - 4 + 144;
            let mut regs = [0u64; 22];
            for (i, r) in regs.iter_mut().enumerate() {
                *r = get(m, uc + 20 + 4 * i as u64, 4)?;
            }
            let g = &mut m.cpu.gpr;
            [
                g[RDI], g[RSI], g[RBP], g[RSP], g[RBX], g[RDX], g[RCX], g[RAX],
            ] = [
                regs[4], regs[5], regs[6], regs[7], regs[8], regs[9], regs[10], regs[11],
            ];
            m.cpu.rip = regs[14];
            m.cpu.flags = regs[16] & (crate::cpu::ARITH | crate::cpu::DF);
            fpstate = regs[19];
            let t = os.thread();
            t.gs_selector = regs[0] as u16;
            m.cpu.gs_base = gs_base(os.thread());
            os.thread().sigmask = get(m, uc + 108, 8)?;
        }
    }
    if fpstate != 0 {
        for i in 0..16 {
            let lo = get(m, fpstate + 160 + 16 * i as u64, 8)?;
            let hi = get(m, fpstate + 168 + 16 * i as u64, 8)?;
            m.cpu.xmm[i] = u128::from(lo) | u128::from(hi) << 64;
        }
    }
    Ok(())
}

/// Writes `size` bytes of `value` for the kernel, recorded in the trace
/// like a store; a frame that cannot be written kills the process, as on Linux.
fn put(m: &mut Machine<'_>, addr: u64, size: usize, value: u64) -> Exec {
    m.kernel_store(addr, size, value)
        .map_err(|_| Box::new(Stop::Killed(SIGSEGV as i32)))
}

/// Reads `size` bytes for the kernel; a frame that cannot be read kills the process.
fn get(m: &mut Machine<'_>, addr: u64, size: usize) -> Result<u64, Halt> {
    m.mem
        .read(addr, size)
        .map_err(|_| Box::new(Stop::Killed(SIGSEGV as i32)))
}
