//! The comparison: walks the emulator's trace and the real program in
//! lockstep, one package instruction at a time, and compares what the
//! program has defined and what each instruction reads.
//!
//! Definedness is tracked on the emulator's side, from the decoded
//! instruction and the trace's changes: a register or flag written by
//! package code is compared at every later step until code outside the
//! package runs (Go's calling convention keeps only SP, BP and R14 across a
//! call); a stack word written by the program or a runtime model is compared
//! while it is live (at or above SP), except the spill slots a called
//! runtime function may fill at the bottom of its caller's frame. Whatever
//! an instruction reads, registers, flags or memory, is compared whether
//! defined or not: a value the program uses must agree.

use std::collections::{BTreeMap, BTreeSet};

use gostack_emu::{Change, GPR_NAMES, Layout, Run, Snapshot, Stop};
use iced_x86::{
    Decoder, DecoderOptions, Instruction, InstructionInfoFactory, Mnemonic, OpAccess, Register,
    RflagsBits,
};

use crate::canon::{self, Value};
use crate::real::{RealStep, Symbols, Tracer};
use crate::{Difference, Error, Report};

/// The arithmetic flags, in RFLAGS: CF PF AF ZF SF OF.
const ARITH: u64 = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x800;
/// The flags an address comparison decides the same way in both runs: CF and ZF.
const CF_ZF: u64 = 0x1 | 0x40;
/// SP, BP and R14: kept across calls.
const KEPT: [usize; 3] = [4, 5, 14];
/// Runtime functions whose result is a bool in AL: the rest of RAX is
/// whatever the real function left there, so only its low byte is compared
/// until package code writes the register.
const BOOL_IN_AL: [&str; 2] = ["runtime.ifaceeq", "runtime.efaceeq"];
/// The most steps one side may take alone while the other's stack grows.
const GROWTH_STEPS: usize = 64;

/// Walks both runs and compares them; `first` is the real program's first package step.
/// Also says whether both runs were followed to their end.
pub(crate) fn compare(
    run: &Run,
    tracer: &mut Tracer,
    first: Option<RealStep>,
    syms: &Symbols,
    max_steps: u64,
) -> Result<(Report, bool), Error> {
    let mut report = Report {
        steps_compared: 0,
        steps_equal: 0,
        first_difference: None,
        notes: Vec::new(),
    };
    let Some(trace) = run.trace.as_ref() else {
        return Err(Error::Unsupported(
            "the emulator's run was not traced".into(),
        ));
    };
    let layout = &run.layout;
    let mut st = State::new();
    let mut cursor = trace.cursor();
    let mut real = first;
    let mut g = real.as_ref().map_or(0, |r| r.regs[14]);
    let mut ended_early = false;
    // The goroutine's stacks so far on each side, the current one last.
    let mut emu_stacks: Vec<(u64, u64)> = Vec::new();
    let mut real_stacks: Vec<(u64, u64)> = Vec::new();
    loop {
        let i = cursor.step();
        let Some(step) = trace.steps.get(i) else {
            break;
        };
        if !is_package(layout, step.pc()) {
            st.outside(trace.changes_of(i), cursor.snapshot());
            if BOOL_IN_AL.contains(&layout.location(step.pc()).func.as_str()) {
                st.narrow[0] = 1;
            }
            if !cursor.advance() {
                break;
            }
            continue;
        }
        let Some(rs) = real.take() else {
            report.first_difference.get_or_insert_with(|| Difference {
                step: report.steps_compared,
                location: layout.location(step.pc()).to_string(),
                what: "steps of package main".into(),
                emulator: "goes on".into(),
                real: "the program has ended".into(),
            });
            ended_early = true;
            break;
        };
        if report.steps_compared >= max_steps {
            report.notes.push(format!(
                "stopped comparing after {max_steps} steps (the step limit)"
            ));
            ended_early = true;
            break;
        }
        g = if g == 0 { rs.regs[14] } else { g };
        let snap = cursor.snapshot();
        for (stacks, now) in [
            (&mut emu_stacks, canon::emu_stack(snap)),
            (&mut real_stacks, rs.stack),
        ] {
            if stacks.last() != Some(&now) {
                stacks.push(now);
            }
        }
        let emu_pc = canon::emu(step.pc(), &emu_stacks, layout);
        let real_pc = canon::real(rs.pc, g, &real_stacks, syms, |_| false);
        if !emu_pc.agrees(&real_pc) {
            // A stack check decided differently: one side grows its stack here.
            if let Some((check, tail)) = st.stack_check.take() {
                let sizes = format!(
                    "stack sizes: emulator {}, real {}",
                    size(emu_stacks.last()),
                    size(Some(&rs.stack))
                );
                if emu_pc.agrees(&tail)
                    && let Some(n) = realign(&mut cursor, trace, layout, &real_pc)
                {
                    report.notes.push(format!(
                        "{check}: the emulator grows its stack here and the real program does not: \
                         the stacks had grown at other depths ({sizes}; {n} emulator steps passed over)"
                    ));
                    st.reentered();
                    real = Some(rs);
                    continue;
                }
                if real_pc.agrees(&tail)
                    && let (n, Some(next)) = realign_real(tracer, &emu_pc, g, syms)?
                {
                    report.notes.push(format!(
                        "{check}: the real program grows its stack here and the emulator does not: \
                         the stacks had grown at other depths ({sizes}; {n} real steps passed over)"
                    ));
                    st.reentered();
                    real = Some(next);
                    continue;
                }
            }
            report.first_difference.get_or_insert_with(|| Difference {
                step: report.steps_compared,
                location: layout.location(step.pc()).to_string(),
                what: "pc".into(),
                emulator: emu_pc.to_string(),
                real: real_pc.to_string(),
            });
            report.steps_compared += 1;
            ended_early = true;
            break;
        }
        if report.steps_compared == 0 {
            let (emu_size, real_size) = (size(emu_stacks.last()), size(real_stacks.last()));
            if emu_size != real_size {
                report.notes.push(format!(
                    "the goroutine's stack is {real_size} bytes on the real CPU when the package's \
                     code starts ({}), {emu_size} in the emulator: the runtime's start and the \
                     imported packages' init functions grew it",
                    layout.location(step.pc()).func
                ));
            }
            // The first frame's return address, which the runtime (or its model) wrote.
            let (_, hi) = canon::emu_stack(snap);
            st.words.insert(hi.wrapping_sub(snap.cpu.gpr[4]), 0xff);
        }
        let ins_emu = decode(step.pc(), |a| snap.read(a, 8));
        let ins_real = tracer
            .code(rs.pc)
            .map(|bytes| decode_bytes(rs.pc, bytes))
            .unwrap_or_default();
        let side = Sides {
            layout,
            syms,
            snap,
            tracer,
            rs: &rs,
            g,
            emu_stacks: &emu_stacks,
            real_stacks: &real_stacks,
        };
        let found = st.check(&side, &ins_emu, &ins_real, &mut report.notes);
        report.steps_compared += 1;
        match found {
            None => report.steps_equal += 1,
            Some((what, emulator, real)) => {
                report.first_difference.get_or_insert_with(|| Difference {
                    step: report.steps_compared - 1,
                    location: layout.location(step.pc()).to_string(),
                    what,
                    emulator,
                    real,
                });
            }
        }
        let ran_runtime = trace.event(i).is_some();
        st.after(&ins_emu, trace.changes_of(i), snap, layout, ran_runtime);
        st.stack_check = is_stack_check(&ins_emu, st.prev_guard_cmp).then(|| {
            let tail = canon::emu(ins_emu.near_branch_target(), &[], layout);
            (layout.location(step.pc()).to_string(), tail)
        });
        st.prev_guard_cmp = is_guard_compare(&ins_emu);
        if !cursor.advance() {
            break;
        }
        real = tracer.advance()?;
    }
    let finished = !ended_early && real.is_none() && matches!(run.stop, Stop::Exited(_));
    if !ended_early && let Some(rs) = real {
        let loc = canon::real(rs.pc, g, &[rs.stack], syms, |_| false);
        match &run.stop {
            Stop::Exited(_) => {
                report.first_difference.get_or_insert_with(|| Difference {
                    step: report.steps_compared,
                    location: "the end of the emulator's run".into(),
                    what: "steps of package main".into(),
                    emulator: format!("the program has ended ({})", run.stop),
                    real: format!("goes on at {loc}"),
                });
            }
            stop => report.notes.push(format!("the emulator stopped: {stop}")),
        }
    }
    if let Stop::Unsupported { .. } | Stop::Fault { .. } = run.stop {
        report.first_difference.get_or_insert_with(|| Difference {
            step: report.steps_compared,
            location: "the end of the emulator's run".into(),
            what: "the emulator's stop".into(),
            emulator: run.stop.to_string(),
            real: "runs on".into(),
        });
    }
    Ok((report, finished))
}

/// A stack's size, for notes: `emulator 0x800`.
fn size(stack: Option<&(u64, u64)>) -> String {
    stack.map_or_else(
        || "unknown".into(),
        |(lo, hi)| format!("{:#x}", hi.wrapping_sub(*lo)),
    )
}

/// Whether `pc` is in a function of package main, by the emulator's layout.
fn is_package(layout: &Layout, pc: u64) -> bool {
    layout
        .symbolize(pc)
        .is_some_and(|(name, _)| name.starts_with("main."))
        && layout.region(pc) == gostack_emu::Region::Code
}

/// Passes over the emulator's steps on its own stack-growth path until it reaches `target`.
fn realign(
    cursor: &mut gostack_emu::Cursor<'_>,
    trace: &gostack_emu::Trace,
    layout: &Layout,
    target: &Value,
) -> Option<usize> {
    let mut probe = cursor.clone();
    for n in 0..GROWTH_STEPS {
        let step = trace.steps.get(probe.step())?;
        if is_package(layout, step.pc()) && canon::emu(step.pc(), &[], layout).agrees(target) {
            *cursor = probe;
            return Some(n);
        }
        if !probe.advance() {
            return None;
        }
    }
    None
}

/// Passes over the real program's steps on its stack-growth path until it reaches `target`.
fn realign_real(
    tracer: &mut Tracer,
    target: &Value,
    g: u64,
    syms: &Symbols,
) -> Result<(usize, Option<RealStep>), Error> {
    for n in 1..=GROWTH_STEPS {
        let Some(next) = tracer.advance()? else {
            return Ok((n, None));
        };
        if target.agrees(&canon::real(next.pc, g, &[], syms, |_| false)) {
            return Ok((n, Some(next)));
        }
    }
    Ok((GROWTH_STEPS, None))
}

/// Decodes the instruction at `pc` from 8-byte reads.
fn decode(pc: u64, read: impl Fn(u64) -> u64) -> Instruction {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&read(pc).to_le_bytes());
    bytes[8..].copy_from_slice(&read(pc + 8).to_le_bytes());
    decode_bytes(pc, &bytes)
}

fn decode_bytes(pc: u64, bytes: &[u8]) -> Instruction {
    Decoder::with_ip(64, bytes, pc, DecoderOptions::NONE).decode()
}

/// `CMPQ SP, 16(R14)` or `CMPQ R12, 16(R14)`: a prologue comparing with `g.stackguard0`.
fn is_guard_compare(ins: &Instruction) -> bool {
    ins.mnemonic() == Mnemonic::Cmp
        && (0..ins.op_count()).any(|i| ins.op_kind(i) == iced_x86::OpKind::Memory)
        && ins.memory_base() == Register::R14
        && ins.memory_displacement64() == 16
}

/// The branch of a stack check: `JLS` right after the guard comparison.
fn is_stack_check(ins: &Instruction, after_guard_cmp: bool) -> bool {
    after_guard_cmp && matches!(ins.mnemonic(), Mnemonic::Jbe | Mnemonic::Jb)
}

/// Go's nil check, `TESTB AX, (DX)`: only the load matters, not the register or the flags.
fn is_nil_check(ins: &Instruction) -> bool {
    ins.mnemonic() == Mnemonic::Test
        && ins.op_count() == 2
        && ins.op_kind(0) == iced_x86::OpKind::Memory
        && ins.op_kind(1) == iced_x86::OpKind::Register
}

/// The number of the base register of the instruction's memory operand (16 when none).
fn base_of(ins: &Instruction) -> usize {
    gpr(ins.memory_base()).map_or(16, |(n, _, _)| n)
}

/// Both sides at one step.
struct Sides<'a> {
    layout: &'a Layout,
    syms: &'a Symbols,
    snap: &'a Snapshot,
    tracer: &'a Tracer,
    rs: &'a RealStep,
    g: u64,
    emu_stacks: &'a [(u64, u64)],
    real_stacks: &'a [(u64, u64)],
}

impl Sides<'_> {
    fn emu_stack(&self) -> (u64, u64) {
        canon::emu_stack(self.snap)
    }

    fn emu_value(&self, v: u64) -> Value {
        canon::emu(v, self.emu_stacks, self.layout)
    }

    fn real_value(&self, v: u64) -> Value {
        canon::real(v, self.g, self.real_stacks, self.syms, |a| {
            self.tracer.is_anonymous(a)
        })
    }

    /// The word of the emulator's stack `k` bytes below its top, and the real one.
    fn stack_word(&self, k: u64) -> (u64, Option<u64>) {
        let e = self.snap.read(self.emu_stack().1.wrapping_sub(k), 8);
        let r = self.tracer.read_u64(self.rs.stack.1.wrapping_sub(k), 8);
        (e, r)
    }

    /// Names a stack word for a report: `stack top - 0x48 (main.add1's a)`.
    fn name_stack_word(&self, k: u64) -> String {
        let addr = self.emu_stack().1.wrapping_sub(k);
        let view = self.layout.stack(self.snap);
        let slot = view
            .words
            .iter()
            .find(|(a, _, _)| *a == addr)
            .and_then(|(_, _, slots)| slots.first().cloned());
        let what = match slot {
            Some(gostack_emu::Slot::Named { func, name, .. }) => format!(" ({func}'s {name})"),
            Some(gostack_emu::Slot::Arg { callee, name }) => {
                format!(" ({callee}'s argument {name})")
            }
            Some(gostack_emu::Slot::ReturnAddr { .. }) => " (a return address)".into(),
            Some(gostack_emu::Slot::SavedBp { .. }) => " (a saved BP)".into(),
            Some(gostack_emu::Slot::Defer { field, index }) => {
                format!(" (field {field} of defer record {index})")
            }
            None => String::new(),
        };
        format!("stack top - {k:#x}{what}")
    }
}

/// What is defined, and what to look at next.
struct State {
    /// Bytes of each register defined, from the low end (0: undefined).
    regs: [u8; 16],
    /// Registers that hold a narrow result of a runtime call: the bytes that
    /// mean something (0: the whole register).
    narrow: [u8; 16],
    /// Arithmetic flags defined.
    flags: u64,
    /// Flags the last instruction left undefined, with its mnemonic, to note if the runs differ there.
    undefined: Option<(u64, Mnemonic)>,
    /// Stack words defined: distance of the word below the stack top -> bytes defined (bit mask).
    words: BTreeMap<u64, u8>,
    /// Words written since the last package step.
    dirty: BTreeSet<u64>,
    /// Whether code outside the package ran since the last package step.
    out: bool,
    /// When the previous step was a stack check's branch: where, and where it goes to grow the stack.
    stack_check: Option<(String, Value)>,
    /// Whether the previous step compared SP with `g.stackguard0`.
    prev_guard_cmp: bool,
    /// Mnemonics already noted for differing in flags they leave undefined.
    noted: BTreeSet<String>,
    info: InstructionInfoFactory,
}

impl State {
    fn new() -> State {
        let mut regs = [0; 16];
        for r in KEPT {
            regs[r] = 8;
        }
        State {
            regs,
            narrow: [0; 16],
            flags: 0,
            undefined: None,
            words: BTreeMap::new(),
            dirty: BTreeSet::new(),
            out: true,
            stack_check: None,
            prev_guard_cmp: false,
            noted: BTreeSet::new(),
            info: InstructionInfoFactory::new(),
        }
    }

    /// Code outside the package ran on one side: only what calls keep stays defined.
    fn reentered(&mut self) {
        self.out = true;
        for (r, w) in self.regs.iter_mut().enumerate() {
            *w = if KEPT.contains(&r) { 8 } else { 0 };
        }
        self.flags = 0;
        self.undefined = None;
        self.stack_check = None;
        self.prev_guard_cmp = false;
    }

    /// A step of the emulator outside the package: a runtime model ran.
    fn outside(&mut self, changes: &[Change], snap: &Snapshot) {
        self.reentered();
        self.narrow = [0; 16];
        self.record_writes(changes, snap);
    }

    /// Marks the stack bytes `changes` wrote as defined.
    fn record_writes(&mut self, changes: &[Change], snap: &Snapshot) {
        let (lo, hi) = canon::emu_stack(snap);
        for c in changes {
            if let Change::Mem { addr, size, .. } = *c {
                for b in u64::from(addr)..u64::from(addr) + u64::from(size) {
                    if b < lo || b >= hi {
                        continue;
                    }
                    let word = b & !7;
                    let k = hi - word;
                    *self.words.entry(k).or_insert(0) |= 1 << (b - word);
                    self.dirty.insert(k);
                }
            }
        }
    }

    /// What a package step defines for the next ones.
    fn after(
        &mut self,
        ins: &Instruction,
        changes: &[Change],
        snap: &Snapshot,
        layout: &Layout,
        ran_runtime: bool,
    ) {
        self.out = false;
        self.dirty.clear();
        if ran_runtime {
            // A fault that became a panic, or a call the model completed in this step.
            self.outside(changes, snap);
            return;
        }
        let info = self.info.info(ins);
        let mut address_inputs = false;
        let stack = canon::emu_stack(snap);
        // A register computed from a narrow result is as narrow (a bool moved on).
        let taint = info
            .used_registers()
            .iter()
            .filter(|u| reads(u.access()))
            .filter_map(|u| gpr(u.register()))
            .map(|(r, _, _)| self.narrow[r])
            .filter(|&n| n > 0)
            .min()
            .unwrap_or(0);
        for used in info.used_registers() {
            let Some((r, width, high)) = gpr(used.register()) else {
                continue;
            };
            if matches!(
                used.access(),
                OpAccess::Write
                    | OpAccess::ReadWrite
                    | OpAccess::CondWrite
                    | OpAccess::ReadCondWrite
            ) {
                self.narrow[r] = taint;
            }
            match used.access() {
                OpAccess::Write | OpAccess::ReadWrite => {
                    self.regs[r] = if width >= 4 {
                        8
                    } else if high {
                        self.regs[r]
                    } else {
                        self.regs[r].max(width)
                    };
                }
                // CMOV: a 32-bit one always writes, zero-extending; otherwise the old value may stay.
                OpAccess::CondWrite | OpAccess::ReadCondWrite if width >= 4 && self.regs[r] > 0 => {
                    self.regs[r] = 8;
                }
                _ => {}
            }
            if reads(used.access())
                && width == 8
                && canon::emu(snap.cpu.gpr[r], &[stack], layout).is_address()
            {
                address_inputs = true;
            }
        }
        for mem in info.used_memory() {
            if reads(mem.access())
                && mem.memory_size().size() == 8
                && let Some(addr) = mem.virtual_address(0, |reg, _, _| reg_value(snap, ins, reg))
                && canon::emu(snap.read(addr, 8), &[stack], layout).is_address()
            {
                address_inputs = true;
            }
        }
        let modified = hw_flags(ins.rflags_modified());
        let undefined = hw_flags(ins.rflags_undefined());
        let mut defined = modified & !undefined;
        if is_nil_check(ins) {
            // The flags of a nil check follow whatever the register held.
            defined = 0;
        }
        if address_inputs {
            // Parity, adjust, sign and overflow follow the raw bits of the addresses.
            defined &= CF_ZF;
        }
        self.flags = (self.flags & !modified) | defined;
        self.undefined = (undefined != 0 && !address_inputs).then(|| (undefined, ins.mnemonic()));
        self.record_writes(changes, snap);
    }

    /// Compares the two sides before a package step; the first thing that differs.
    fn check(
        &mut self,
        s: &Sides<'_>,
        ins: &Instruction,
        ins_real: &Instruction,
        notes: &mut Vec<String>,
    ) -> Option<(String, String, String)> {
        if ins.code() != ins_real.code() || ins.len() != ins_real.len() {
            return Some((
                "instruction".into(),
                format!("{:?}", ins.code()),
                format!("{:?}", ins_real.code()),
            ));
        }
        if s.rs.reentered {
            self.reentered();
        }
        let (_, hi) = s.emu_stack();
        let sp = s.snap.cpu.gpr[4];
        // Words below SP are dead.
        let live = hi.wrapping_sub(sp);
        let _ = self.words.split_off(&live.saturating_add(1));
        if self.out {
            self.drop_spill_slots(s, live);
        }
        let info = self.info.info(ins).clone();

        // Registers: those defined, and those the instruction reads at the width it reads.
        let mut widths = self.regs;
        for used in info.used_registers() {
            if let Some((r, width, high)) = gpr(used.register())
                && reads(used.access())
                && !(is_nil_check(ins) && r != base_of(ins))
            {
                widths[r] = widths[r].max(if high { 2 } else { width });
            }
        }
        for (w, &n) in widths.iter_mut().zip(&self.narrow) {
            if n > 0 {
                *w = (*w).min(n);
            }
        }
        for (r, &w) in widths.iter().enumerate() {
            if w == 0 {
                continue;
            }
            let (e, v) = (s.snap.cpu.gpr[r], s.rs.regs[r]);
            if w == 8 {
                let (ce, cv) = (s.emu_value(e), s.real_value(v));
                // Equal bits are equal values, even where one side's number looks like an address.
                if e != v && !ce.agrees(&cv) {
                    return Some((GPR_NAMES[r].into(), ce.to_string(), cv.to_string()));
                }
            } else {
                let mask = (1u64 << (8 * u32::from(w))) - 1;
                if e & mask != v & mask {
                    return Some((
                        format!("{} (low {} bytes)", GPR_NAMES[r], w),
                        format!("{:#x}", e & mask),
                        format!("{:#x}", v & mask),
                    ));
                }
            }
        }

        // Flags: those defined and those read; a stack check is judged by where it goes.
        let mut mask = (self.flags | hw_flags(ins.rflags_read())) & ARITH;
        if is_stack_check(ins, self.prev_guard_cmp) {
            mask = 0;
        }
        if (s.snap.cpu.flags ^ s.rs.flags) & mask != 0 {
            return Some((
                format!("flags {}", flag_names(mask)),
                flag_names(s.snap.cpu.flags & mask),
                flag_names(s.rs.flags & mask),
            ));
        }
        if let Some((undefined, mnemonic)) = self.undefined.take() {
            let differ = (s.snap.cpu.flags ^ s.rs.flags) & undefined & ARITH;
            let name = format!("{mnemonic:?}").to_uppercase();
            if differ != 0 && self.noted.insert(name.clone()) {
                notes.push(format!(
                    "{name} leaves {} undefined; the emulator and the CPU set {} differently there (not compared)",
                    flag_names(undefined & ARITH),
                    flag_names(differ)
                ));
            }
        }

        // Every memory operand the instruction reads.
        let info_real = self.info.info(ins_real).clone();
        let emu_stack = s.emu_stack();
        for (m, mr) in info.used_memory().iter().zip(info_real.used_memory()) {
            if !reads(m.access())
                || is_nil_check(ins)
                || m.segment() == Register::FS
                || m.segment() == Register::GS
            {
                continue;
            }
            let size = m.memory_size().size();
            let (Some(ea), Some(ra)) = (
                m.virtual_address(0, |reg, _, _| reg_value(s.snap, ins, reg)),
                mr.virtual_address(0, |reg, _, _| real_reg_value(s.rs, ins_real, reg)),
            ) else {
                continue;
            };
            if size == 0 || s.layout.region(ea) == gostack_emu::Region::None {
                continue;
            }
            let mut off = 0;
            while off < size {
                let n = (size - off).min(8);
                let (e, r) = (
                    s.snap.read(ea + off as u64, n),
                    s.tracer.read_u64(ra + off as u64, n),
                );
                let where_ = format!("{n} bytes read at {}", s.emu_value(ea + off as u64));
                let Some(r) = r else {
                    return Some((where_, format!("{e:#x}"), "unreadable".into()));
                };
                if n == 8 {
                    let (ce, cr) = if ea + off as u64 == gostack_emu::Layout::g_addr() + 16 {
                        (
                            Value::Guard(e.wrapping_sub(emu_stack.0)),
                            Value::Guard(r.wrapping_sub(s.rs.stack.0)),
                        )
                    } else {
                        (s.emu_value(e), s.real_value(r))
                    };
                    if e != r && !ce.agrees(&cr) {
                        return Some((where_, ce.to_string(), cr.to_string()));
                    }
                } else if e != r {
                    return Some((where_, format!("{e:#x}"), format!("{r:#x}")));
                }
                off += n;
            }
        }

        // Stack words: after code outside the package, every defined one; else those just written.
        let keys: Vec<u64> = if self.out {
            self.words.keys().copied().collect()
        } else {
            self.dirty
                .iter()
                .copied()
                .filter(|k| self.words.contains_key(k))
                .collect()
        };
        let real_words = if self.out && !keys.is_empty() {
            // One read for the whole live stack.
            let rsp = s.rs.regs[4];
            s.tracer
                .read(rsp, s.rs.stack.1.saturating_sub(rsp) as usize)
        } else {
            None
        };
        for k in keys {
            let mask = self.words[&k];
            let (e, r) = match &real_words {
                Some(bytes) => {
                    let e = s.snap.read(hi.wrapping_sub(k), 8);
                    let at = s.rs.stack.1.wrapping_sub(k).wrapping_sub(s.rs.regs[4]) as usize;
                    let r = bytes
                        .get(at..at.saturating_add(8))
                        .and_then(|b| <[u8; 8]>::try_from(b).ok())
                        .map(u64::from_le_bytes);
                    (e, r)
                }
                None => s.stack_word(k),
            };
            let Some(r) = r else {
                return Some((s.name_stack_word(k), format!("{e:#x}"), "unreadable".into()));
            };
            if mask == 0xff {
                let (ce, cr) = (s.emu_value(e), s.real_value(r));
                if e != r && !ce.agrees(&cr) {
                    return Some((s.name_stack_word(k), ce.to_string(), cr.to_string()));
                }
            } else {
                let bytes: u64 = (0..8)
                    .filter(|b| mask & (1 << b) != 0)
                    .map(|b| 0xffu64 << (8 * b))
                    .sum();
                if e & bytes != r & bytes {
                    return Some((
                        format!("{} (bytes {mask:#010b})", s.name_stack_word(k)),
                        format!("{:#x}", e & bytes),
                        format!("{:#x}", r & bytes),
                    ));
                }
            }
        }
        None
    }

    /// After a call out of the package returns, the callee may have spilled its register
    /// arguments at the bottom of the caller's frame: those words are no longer the program's.
    /// Forgets the words of the runtime frames above the function just
    /// entered from outside, up to the package frame that called the runtime.
    fn drop_runtime_frames(&mut self, s: &Sides<'_>, live: u64) {
        let view = s.layout.stack(s.snap);
        let (_, hi) = s.emu_stack();
        let Some(caller) = view
            .frames
            .iter()
            .skip(1)
            .find(|f| f.func.starts_with("main."))
        else {
            return;
        };
        // Words at [SP + 8, the caller's SP + its spill area): the runtime
        // function the caller called may have spilled its arguments there.
        let spill = spill_extent(s.layout, &caller.func);
        let (first, last) = (
            hi.saturating_sub(caller.sp + spill) + 1,
            live.saturating_sub(8),
        );
        self.forget(first, last, true);
    }

    fn drop_spill_slots(&mut self, s: &Sides<'_>, live: u64) {
        let Some((func, off)) = s.layout.symbolize(s.snap.cpu.rip) else {
            return;
        };
        if off == 0 {
            // Entered from outside (a deferred call, a method fmt calls): the
            // frames between it and the package function below are the
            // runtime's, whose code has run since the program last wrote
            // there; only what a model just wrote there is known.
            self.drop_runtime_frames(s, live);
            return;
        }
        let spill = spill_extent(s.layout, &func);
        // Words at [SP, SP + spill): distances below the top from live - spill + 8 to live.
        let first = live.saturating_sub(spill) + 1;
        self.forget(first, live, false);
    }

    /// Forgets the stack words `first..=last` below the top, but for those
    /// written since the last package step when `keep_dirty`.
    fn forget(&mut self, first: u64, last: u64, keep_dirty: bool) {
        if first > last {
            return;
        }
        let gone: Vec<u64> = self
            .words
            .range(first..=last)
            .map(|(k, _)| *k)
            .filter(|k| !(keep_dirty && self.dirty.contains(k)))
            .collect();
        for k in gone {
            self.words.remove(&k);
        }
    }
}

/// The bytes at the bottom of `func`'s frame that no named slot of it holds:
/// the outgoing argument area a called runtime function may spill into.
fn spill_extent(layout: &Layout, func: &str) -> u64 {
    let Some((frame, slots)) = layout.frame_slots(func) else {
        return 0;
    };
    slots
        .iter()
        .filter(|(_, o)| *o >= 0 && (*o as u64) < frame)
        .map(|(_, o)| *o as u64)
        .min()
        .unwrap_or(frame)
}

/// Whether an access reads.
fn reads(access: OpAccess) -> bool {
    matches!(
        access,
        OpAccess::Read | OpAccess::CondRead | OpAccess::ReadWrite | OpAccess::ReadCondWrite
    )
}

/// A general register: its number, the bytes it covers, and whether it is AH, CH, DH or BH.
fn gpr(reg: Register) -> Option<(usize, u8, bool)> {
    if !reg.is_gpr() {
        return None;
    }
    let full = reg.full_register();
    let n = (full as usize).checked_sub(Register::RAX as usize)?;
    if n >= 16 {
        return None;
    }
    let high = matches!(
        reg,
        Register::AH | Register::CH | Register::DH | Register::BH
    );
    Some((n, reg.size() as u8, high))
}

/// A register's value on the emulator's side, for effective addresses.
fn reg_value(snap: &Snapshot, ins: &Instruction, reg: Register) -> Option<u64> {
    value_of(&snap.cpu.gpr, ins, reg)
}

/// A register's value on the real side, for effective addresses.
fn real_reg_value(rs: &RealStep, ins: &Instruction, reg: Register) -> Option<u64> {
    value_of(&rs.regs, ins, reg)
}

fn value_of(gprs: &[u64; 16], ins: &Instruction, reg: Register) -> Option<u64> {
    match reg {
        Register::None => Some(0),
        Register::RIP => Some(ins.next_ip()),
        Register::ES | Register::CS | Register::SS | Register::DS => Some(0),
        _ => {
            let (n, width, high) = gpr(reg)?;
            let v = gprs[n];
            Some(match (width, high) {
                (8, _) => v,
                (4, _) => v & 0xffff_ffff,
                (2, _) => v & 0xffff,
                (1, true) => (v >> 8) & 0xff,
                _ => v & 0xff,
            })
        }
    }
}

/// iced's flag bits as RFLAGS bits (arithmetic flags only).
fn hw_flags(bits: u32) -> u64 {
    let mut out = 0;
    for (iced, hw) in [
        (RflagsBits::CF, 0x1),
        (RflagsBits::PF, 0x4),
        (RflagsBits::AF, 0x10),
        (RflagsBits::ZF, 0x40),
        (RflagsBits::SF, 0x80),
        (RflagsBits::OF, 0x800),
    ] {
        if bits & iced != 0 {
            out |= hw;
        }
    }
    out
}

/// `CF ZF` for the set bits of `flags`, or `none`.
fn flag_names(flags: u64) -> String {
    let names: Vec<&str> = [
        (0x1, "CF"),
        (0x4, "PF"),
        (0x10, "AF"),
        (0x40, "ZF"),
        (0x80, "SF"),
        (0x800, "OF"),
    ]
    .iter()
    .filter(|(b, _)| flags & b != 0)
    .map(|(_, n)| *n)
    .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(" ")
    }
}
