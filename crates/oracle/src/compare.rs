//! The comparison: walks the emulator's trace and the real program in
//! lockstep, one package instruction at a time, and compares what the
//! program has defined and what each instruction reads.
//!
//! The emulator's steps outside package main (the runtime's, on any of its
//! threads) are passed over, as the real program runs them freely between
//! breakpoints; what they wrote to the program's stacks is noted. At every
//! package step both sides must be at the same pc and run the same
//! goroutine (the same `g` when the heaps agree; else paired on first
//! sight), each goroutine with its own stack words.
//!
//! Definedness is tracked on the emulator's side, from the decoded
//! instruction and the trace's changes: a register or flag written by
//! package code is compared at every later step until code outside the
//! package runs on either side (Go's calling convention keeps only SP, BP
//! and R14 across a call, and those are always compared). A stack word the
//! program wrote is compared while it is live (at or above SP) and the
//! runtime has not written it since (a value received, the time read: the
//! program's again only once it reads or writes it): right after it is
//! written, and after the runtime ran, when it lies within [`WINDOW`] bytes
//! above SP. Whatever an instruction reads, registers, flags or memory, is
//! compared whether defined or not: a value the program uses must agree.
//! Flags an instruction leaves undefined are not compared; the report notes
//! the first time the two set them differently.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use gostack_emu::{Arch, Change, GPR_NAMES, Layout, Run, Slot, Snapshot, Stop};
use iced_x86::{
    Decoder, DecoderOptions, Instruction, InstructionInfo, InstructionInfoFactory, Mnemonic,
    OpAccess, Register, RflagsBits,
};

use crate::canon::{self, Goroutine, Value};
use crate::real::{RealStep, Tracer};
use crate::{Difference, Error, Report};

use gostack_emu::abi::{ARITH, ARITH_NAMES, CF, OF, PF, R14, RBP, RSP, SF, ZF};

/// The flags an address comparison decides the same way in both runs: CF and ZF.
const CF_ZF: u64 = CF | ZF;
/// How far above SP the defined stack words are compared after code outside
/// the package ran (which may have written the caller's spill and result
/// slots, just above SP); words further up are compared when the program reads them.
const WINDOW: u64 = 2048;
/// What the comparison needs to know of the GOARCH.
#[derive(Debug, Clone, Copy)]
struct Isa {
    /// Bytes in a word (a pointer, a stack slot): 8 or 4.
    word: u64,
    /// The decoder's bitness.
    bitness: u32,
    /// The registers Go keeps across a call: SP, BP and R14 (g) on amd64; SP alone on 386,
    /// which has no frame pointer and keeps g in thread-local storage.
    kept: &'static [usize],
}

impl Isa {
    fn of(arch: Arch) -> Isa {
        match arch {
            Arch::Amd64 => Isa {
                word: 8,
                bitness: 64,
                kept: &[RSP, RBP, R14],
            },
            Arch::I386 => Isa {
                word: 4,
                bitness: 32,
                kept: &[RSP],
            },
        }
    }

    /// The offset of `g.stackguard0` in `g`, after `g.stack`'s two words.
    fn stackguard0(self) -> u64 {
        2 * self.word
    }

    /// The mask of a stack word with every byte defined.
    fn full(self) -> u8 {
        ((1u16 << self.word) - 1) as u8
    }

    /// The word holding byte `b`.
    fn word_of(self, b: u64) -> u64 {
        b & !(self.word - 1)
    }
}

/// The first pair of values of a kind that differed (the emulator's, the real one).
type FirstPair = Cell<Option<(u64, u64)>>;

/// How the walk ended.
pub(crate) struct Walked {
    /// What was compared and found.
    pub(crate) report: Report,
    /// Whether both runs were followed to their end.
    pub(crate) finished: bool,
    /// Whether the heap bases agreed (then heap pointers were compared exactly).
    pub(crate) exact_heap: bool,
}

/// The package's functions: start and end, sorted.
pub(crate) struct Package(Vec<(u64, u64)>);

impl Package {
    /// From the functions' starts and sizes.
    pub(crate) fn new(funcs: &[(u64, u64)]) -> Package {
        let mut ranges: Vec<(u64, u64)> = funcs.iter().map(|&(a, n)| (a, a + n)).collect();
        ranges.sort_unstable();
        Package(ranges)
    }

    /// Whether `pc` is in one of them.
    fn contains(&self, pc: u64) -> bool {
        let i = self.0.partition_point(|&(start, _)| start <= pc);
        i > 0 && pc < self.0[i - 1].1
    }
}

/// Walks both runs and compares them; `first` is the real program's first
/// package step. The walk ends after `max_steps` package steps, or at the
/// emulator's step `until` (a moment: the steps before it are compared).
pub(crate) fn compare(
    run: &Run,
    package: &Package,
    tracer: &mut Tracer,
    first: Option<RealStep>,
    max_steps: u64,
    until: Option<usize>,
) -> Result<Walked, Error> {
    let mut report = Report {
        cut_short: false,
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
    let isa = Isa::of(layout.arch());
    let mut st = State::new(isa);
    let mut cursor = trace.cursor();
    let mut real = first;
    let mut exact_heap = None;
    let mut ended_early = false;
    let seen = (Cell::new(None), Cell::new(None));
    loop {
        let i = cursor.step();
        let Some(step) = trace.steps.get(i) else {
            break;
        };
        if !package.contains(step.pc()) {
            st.reentered();
            st.runtime_wrote(&cursor.changes());
            if !cursor.advance() {
                break;
            }
            continue;
        }
        if let Some(until) = until.filter(|&u| i >= u) {
            report.notes.push(format!(
                "stopped at the moment asked for, step {until} of the emulator's run: every step of package main before it compared"
            ));
            ended_early = true;
            break;
        }
        let Some(rs) = real.take() else {
            report.first_difference.get_or_insert(Difference {
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
            report.cut_short = true;
            ended_early = true;
            break;
        }
        let snap = cursor.snapshot();
        let changes = cursor.changes();
        let g = layout.goroutine(snap);
        let bounds = (
            snap.read(g, isa.word as usize),
            snap.read(g + isa.word, isa.word as usize),
        );
        let exact = *exact_heap.get_or_insert_with(|| {
            let same = g == rs.g && bounds == rs.stack;
            report.notes.push(if same {
                format!(
                    "heap addresses agree: the first goroutine is at {g:#x} with its stack at \
                     [{:#x}, {:#x}) in both runs; heap pointers are compared exactly",
                    bounds.0, bounds.1
                )
            } else {
                format!(
                    "heap addresses differ: the first goroutine is at {g:#x} (stack [{:#x}, {:#x})) \
                     in the emulator, {:#x} (stack [{:#x}, {:#x})) on the real CPU; heap pointers \
                     are compared as `heap`, stack addresses by distance below the stack top",
                    bounds.0, bounds.1, rs.g, rs.stack.0, rs.stack.1
                )
            });
            same
        });
        let Some(r) = st.goroutine(g, rs.g, exact) else {
            report.first_difference.get_or_insert(Difference {
                step: report.steps_compared,
                location: layout.location(step.pc()).to_string(),
                what: "the goroutine running package code".into(),
                emulator: format!("g at {g:#x}"),
                real: format!("g at {:#x}", rs.g),
            });
            report.steps_compared += 1;
            ended_early = true;
            break;
        };
        st.track(r, bounds);
        let routine = &mut st.routines[r];
        for (stacks, now) in [
            (&mut routine.emu_stacks, bounds),
            (&mut routine.real_stacks, rs.stack),
        ] {
            if stacks.last() != Some(&now) {
                stacks.push(now);
            }
        }
        if step.pc() != rs.pc {
            report.first_difference.get_or_insert(Difference {
                step: report.steps_compared,
                location: layout.location(step.pc()).to_string(),
                what: "pc".into(),
                emulator: layout.location(step.pc()).to_string(),
                real: layout.location(rs.pc).to_string(),
            });
            report.steps_compared += 1;
            ended_early = true;
            break;
        }
        if !routine.seen {
            // The first frame's return address, which the runtime wrote.
            routine.seen = true;
            routine
                .words
                .insert(bounds.1.wrapping_sub(snap.cpu.gpr[4]), isa.full());
        }
        let code = st.decoded(step.pc(), snap);
        let (ins, info) = (&code.0, &code.1);
        let side = Sides {
            isa,
            layout,
            snap,
            tracer,
            rs: &rs,
            g,
            exact,
            r,
            maps: std::cell::OnceCell::new(),
            seen: &seen,
        };
        let found = st.check(&side, ins, info, &mut report.notes);
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
        st.after(ins, info, &changes, snap, layout, bounds, r, exact);
        st.prev_guard_cmp = is_guard_compare(ins, isa);
        if !cursor.advance() {
            break;
        }
        real = tracer.advance()?;
    }
    if let Some((e, r)) = seen.0.get() {
        report.notes.push(format!(
            "pointers into memory the runtime mapped outside its heap arenas, where the kernel \
             chose the address, differ (first: emulator {e:#x}, real CPU {r:#x}); they are \
             compared as such"
        ));
    }
    if let Some((e, r)) = seen.1.get() {
        report.notes.push(format!(
            "pointers into the initial stack (argument and environment strings), which the \
             kernel lays out otherwise, differ (first: emulator {e:#x}, real CPU {r:#x}); they \
             are compared as such"
        ));
    }
    let finished =
        !ended_early && real.is_none() && matches!(run.stop, Stop::Exited(_) | Stop::Killed(_));
    if !ended_early {
        match (&run.stop, real) {
            (Stop::Exited(_) | Stop::Killed(_), Some(rs)) => {
                report.first_difference.get_or_insert_with(|| Difference {
                    step: report.steps_compared,
                    location: "the end of the emulator's run".into(),
                    what: "steps of package main".into(),
                    emulator: format!("the program has ended ({})", run.stop),
                    real: format!("goes on at {}", layout.location(rs.pc)),
                });
            }
            (Stop::Exited(_) | Stop::Killed(_), None) => {}
            // The emulator's run ended early (its step limit): whatever
            // came after, and how the program ended, was not compared.
            (stop, _) => {
                report.notes.push(format!(
                    "the emulator stopped before the program ended ({stop}): the rest of the run, and how it ended, were not compared"
                ));
                report.cut_short = true;
            }
        }
    }
    if let Stop::Unsupported { .. } = run.stop {
        report.first_difference.get_or_insert_with(|| Difference {
            step: report.steps_compared,
            location: "the end of the emulator's run".into(),
            what: "the emulator's stop".into(),
            emulator: run.stop.to_string(),
            real: "runs on".into(),
        });
    }
    Ok(Walked {
        report,
        finished,
        exact_heap: exact_heap.unwrap_or(false),
    })
}

/// Decodes the instruction at `pc` from 8-byte reads.
fn decode(pc: u64, isa: Isa, read: impl Fn(u64) -> u64) -> Instruction {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&read(pc).to_le_bytes());
    bytes[8..].copy_from_slice(&read(pc + 8).to_le_bytes());
    Decoder::with_ip(isa.bitness, &bytes, pc, DecoderOptions::NONE).decode()
}

/// A prologue comparing SP (or SP less the frame) with `g.stackguard0`: `CMPQ SP, 16(R14)`
/// on amd64, where R14 is g; `CMPL SP, 8(CX)` on 386, after `MOVL (TLS), CX` loaded g.
fn is_guard_compare(ins: &Instruction, isa: Isa) -> bool {
    let g = match isa.bitness {
        64 => ins.memory_base() == Register::R14,
        _ => ins.memory_base() != Register::ESP && ins.memory_base() != Register::None,
    };
    ins.mnemonic() == Mnemonic::Cmp
        && ins.op_count() == 2
        && ins.op_kind(0) == iced_x86::OpKind::Register
        && ins.op_kind(1) == iced_x86::OpKind::Memory
        && g
        && ins.memory_displacement64() == isa.stackguard0()
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

/// One goroutine that ran package code: its stacks so far on both sides,
/// and the stack words the program defined.
#[derive(Debug, Default)]
struct Routine {
    emu_stacks: Vec<(u64, u64)>,
    real_stacks: Vec<(u64, u64)>,
    /// Stack words defined: distance of the word below the stack top -> bytes defined (bit mask).
    words: BTreeMap<u64, u8>,
    /// Whether it ran a package step before.
    seen: bool,
}

/// Both sides at one step.
struct Sides<'a> {
    isa: Isa,
    layout: &'a Layout,
    snap: &'a Snapshot,
    tracer: &'a Tracer,
    rs: &'a RealStep,
    /// The emulator's goroutine.
    g: u64,
    /// Whether the heap bases agree.
    exact: bool,
    /// The goroutine's index in [`State::routines`].
    r: usize,
    /// The real program's mappings, read when first needed.
    maps: std::cell::OnceCell<Vec<(u64, u64, String)>>,
    /// The first pointers into memory the kernel placed and into the
    /// initial stack that differed: the emulator's and the real one.
    seen: &'a (FirstPair, FirstPair),
}

impl Sides<'_> {
    /// Whether the emulator's `e` and the real `r` mean the same; if not, both as text.
    fn agree(&self, routine: &Routine, e: u64, r: u64) -> Option<(String, String)> {
        if e == r {
            return None;
        }
        let (ce, cr) = (self.emu_value(routine, e), self.real_value(routine, r));
        if ce.agrees(&cr, self.exact) {
            let seen = match ce {
                Value::Mapped => Some(&self.seen.0),
                Value::InitialStack => Some(&self.seen.1),
                _ => None,
            };
            if let Some(seen) = seen
                && seen.get().is_none()
            {
                seen.set(Some((e, r)));
            }
            return None;
        }
        Some((self.show(ce, e), self.show(cr, r)))
    }

    /// A value for a report: a number with the symbol it points into, if any.
    fn show(&self, v: Value, raw: u64) -> String {
        match v {
            Value::Num(_) if raw >= 0x1_0000 => match self.layout.symbolize(raw) {
                Some((name, 0)) => format!("{raw:#x} ({name})"),
                Some((name, off)) => format!("{raw:#x} ({name}+{off:#x})"),
                None => v.to_string(),
            },
            _ => v.to_string(),
        }
    }

    fn emu_value(&self, routine: &Routine, v: u64) -> Value {
        let at = Goroutine {
            g: self.g,
            stacks: &routine.emu_stacks,
        };
        canon::emu(v, at, self.layout)
    }

    fn real_value(&self, routine: &Routine, v: u64) -> Value {
        let at = Goroutine {
            g: self.rs.g,
            stacks: &routine.real_stacks,
        };
        let maps = self.maps.get_or_init(|| self.tracer.mappings());
        canon::real(v, self.layout.arch(), at, |a| {
            maps.iter()
                .find(|(lo, hi, _)| *lo <= a && a < *hi)
                .map(|(_, _, name)| name.as_str())
        })
    }

    /// Names a stack word for a report: `stack top - 0x48 (main.add1's a)`.
    fn name_stack_word(&self, k: u64) -> String {
        let word = self.isa.word;
        let addr = self.snap.read(self.g + word, word as usize).wrapping_sub(k);
        let view = self.layout.stack(self.snap);
        let slot = view
            .words
            .iter()
            .find(|(a, _, _)| *a == addr)
            .and_then(|(_, _, slots)| slots.first().cloned());
        let what = if let Some(Slot::Named { func, name, .. }) = &slot {
            format!(" ({func}'s {name})")
        } else if let Some(Slot::Arg { callee, name }) = &slot {
            format!(" ({callee}'s argument {name})")
        } else if let Some(Slot::ReturnAddr { .. }) = &slot {
            " (a return address)".into()
        } else if let Some(Slot::SavedBp { .. }) = &slot {
            " (a saved BP)".into()
        } else {
            String::new()
        };
        format!("stack top - {k:#x}{what}")
    }
}

/// What is defined, and what to look at next.
struct State {
    isa: Isa,
    /// Bytes of each register defined, from the low end (0: undefined).
    regs: [u8; 16],
    /// Arithmetic flags defined.
    flags: u64,
    /// Flags the last instruction left undefined, with its mnemonic and pc, to note if the runs differ there.
    undefined: Option<(u64, Mnemonic, u64)>,
    /// Words written by the last package step (distances below its goroutine's stack top).
    dirty: BTreeSet<u64>,
    /// Whether code outside the package ran since the last package step.
    out: bool,
    /// Whether the previous step compared SP with `g.stackguard0`.
    prev_guard_cmp: bool,
    /// Mnemonics already noted for differing in flags they leave undefined.
    noted: BTreeSet<String>,
    /// The goroutines that ran package code.
    routines: Vec<Routine>,
    /// Their stacks in the emulator as last seen: `lo` -> `hi` and the goroutine's index.
    ranges: BTreeMap<u64, (u64, usize)>,
    /// Their indices, by the emulator's `g` and by the real one.
    by_emu: HashMap<u64, usize>,
    by_real: HashMap<u64, usize>,
    /// The package's instructions met so far, decoded, by pc.
    code: HashMap<u64, Rc<(Instruction, InstructionInfo)>>,
    info: InstructionInfoFactory,
}

impl State {
    fn new(isa: Isa) -> State {
        let mut regs = [0; 16];
        for &r in isa.kept {
            regs[r] = 8;
        }
        State {
            isa,
            regs,
            flags: 0,
            undefined: None,
            dirty: BTreeSet::new(),
            out: true,
            prev_guard_cmp: false,
            noted: BTreeSet::new(),
            routines: Vec::new(),
            ranges: BTreeMap::new(),
            by_emu: HashMap::new(),
            by_real: HashMap::new(),
            code: HashMap::new(),
            info: InstructionInfoFactory::new(),
        }
    }

    /// The goroutine running `g` in the emulator and `real_g` on the real
    /// CPU, paired on first sight; `None` when either is paired with another
    /// (or, when `exact`, when they differ).
    fn goroutine(&mut self, g: u64, real_g: u64, exact: bool) -> Option<usize> {
        if exact && g != real_g {
            return None;
        }
        match (self.by_emu.get(&g), self.by_real.get(&real_g)) {
            (Some(&a), Some(&b)) if a == b => Some(a),
            (None, None) => {
                let r = self.routines.len();
                self.routines.push(Routine::default());
                self.by_emu.insert(g, r);
                self.by_real.insert(real_g, r);
                Some(r)
            }
            _ => None,
        }
    }

    /// The instruction at `pc` and what it reads and writes.
    fn decoded(&mut self, pc: u64, snap: &Snapshot) -> Rc<(Instruction, InstructionInfo)> {
        let (info, isa) = (&mut self.info, self.isa);
        Rc::clone(self.code.entry(pc).or_insert_with(|| {
            let ins = decode(pc, isa, |a| snap.read(a, 8));
            let used = info.info(&ins).clone();
            Rc::new((ins, used))
        }))
    }

    /// Notes that goroutine `r`'s stack is at `(lo, hi)` in the emulator
    /// (forgetting its old stack, and those of others that were there before).
    fn track(&mut self, r: usize, (lo, hi): (u64, u64)) {
        if self.ranges.get(&lo) == Some(&(hi, r)) {
            return;
        }
        self.ranges
            .retain(|&l, &mut (h, o)| o != r && (h <= lo || hi <= l));
        self.ranges.insert(lo, (hi, r));
    }

    /// A step outside the package wrote `changes`: the stack words of the
    /// program's goroutines it wrote are the runtime's now (a value
    /// received, the clock read), compared only when the program reads them.
    fn runtime_wrote(&mut self, changes: &[Change]) {
        if self.ranges.is_empty() {
            return;
        }
        for c in changes {
            let Change::Mem { addr, size, .. } = *c else {
                continue;
            };
            let addr = addr.get();
            let Some((&lo, &(hi, r))) = self.ranges.range(..=addr).next_back() else {
                continue;
            };
            if addr >= hi {
                continue;
            }
            let words = &mut self.routines[r].words;
            for b in addr..(addr + u64::from(size)).min(hi) {
                debug_assert!(b >= lo);
                let word = self.isa.word_of(b);
                let k = hi - word;
                if let Some(mask) = words.get_mut(&k) {
                    *mask &= !(1 << (b - word));
                    if *mask == 0 {
                        words.remove(&k);
                    }
                }
            }
        }
    }

    /// Code outside the package ran on one side: only what calls keep stays defined.
    fn reentered(&mut self) {
        if self.out {
            return;
        }
        self.out = true;
        for (r, w) in self.regs.iter_mut().enumerate() {
            *w = if self.isa.kept.contains(&r) { 8 } else { 0 };
        }
        self.flags = 0;
        self.undefined = None;
        self.prev_guard_cmp = false;
    }

    /// What a package step defines for the next ones: the registers and
    /// flags it writes, the stack words of its goroutine (`bounds`, index `r`) it writes.
    #[allow(clippy::too_many_arguments)]
    fn after(
        &mut self,
        ins: &Instruction,
        info: &InstructionInfo,
        changes: &[Change],
        snap: &Snapshot,
        layout: &Layout,
        (lo, hi): (u64, u64),
        r: usize,
        exact: bool,
    ) {
        self.out = false;
        self.dirty.clear();
        let mut address_inputs = false;
        let own = Goroutine {
            g: 0,
            stacks: &[(lo, hi)],
        };
        let is_address = |v: u64| !exact && canon::emu(v, own, layout).is_address();
        for used in info.used_registers() {
            let Some((reg, width, high)) = gpr(used.register()) else {
                continue;
            };
            match used.access() {
                OpAccess::Write | OpAccess::ReadWrite => {
                    self.regs[reg] = if width >= 4 {
                        8
                    } else if high {
                        self.regs[reg]
                    } else {
                        self.regs[reg].max(width)
                    };
                }
                // CMOV: a 32-bit one always writes, zero-extending; otherwise the old value may stay.
                OpAccess::CondWrite | OpAccess::ReadCondWrite
                    if width >= 4 && self.regs[reg] > 0 =>
                {
                    self.regs[reg] = 8;
                }
                _ => {}
            }
            if reads(used.access())
                && u64::from(width) == self.isa.word
                && is_address(snap.cpu.gpr[reg])
            {
                address_inputs = true;
            }
        }
        for mem in info.used_memory() {
            if reads(mem.access())
                && mem.memory_size().size() as u64 == self.isa.word
                && let Some(addr) =
                    mem.virtual_address(0, |reg, _, _| reg_value(&snap.cpu.gpr, ins, reg))
                && is_address(snap.read(addr, self.isa.word as usize))
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
            // With the heaps apart, parity, adjust, sign and overflow follow the raw bits of the addresses.
            defined &= CF_ZF;
        }
        self.flags = (self.flags & !modified) | defined;
        self.undefined =
            (undefined != 0 && !address_inputs).then(|| (undefined, ins.mnemonic(), ins.ip()));
        // The goroutine's stack bytes the step wrote.
        let words = &mut self.routines[r].words;
        for c in changes {
            if let Change::Mem { addr, size, .. } = *c {
                let addr = addr.get();
                for b in addr..addr + u64::from(size) {
                    if b < lo || b >= hi {
                        continue;
                    }
                    let word = self.isa.word_of(b);
                    let k = hi - word;
                    *words.entry(k).or_insert(0) |= 1 << (b - word);
                    self.dirty.insert(k);
                }
            }
        }
    }

    /// Compares the two sides before a package step; the first thing that differs.
    fn check(
        &mut self,
        s: &Sides<'_>,
        ins: &Instruction,
        info: &InstructionInfo,
        notes: &mut Vec<String>,
    ) -> Option<(String, String, String)> {
        if s.rs.reentered {
            self.reentered();
        }
        let routine = &mut self.routines[s.r];
        let (emu_lo, hi) = *routine.emu_stacks.last()?;
        let real_lo = s.rs.stack.0;
        let real_hi = s.rs.stack.1;
        let sp = s.snap.cpu.gpr[4];
        // Words below SP are dead.
        let live = hi.wrapping_sub(sp);
        let _ = routine.words.split_off(&live.saturating_add(1));
        let routine = &self.routines[s.r];

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
        for (r, &w) in widths.iter().enumerate() {
            if w == 0 {
                continue;
            }
            let (e, v) = (s.snap.cpu.gpr[r], s.rs.regs[r]);
            if w == 8 {
                if let Some((ce, cv)) = s.agree(routine, e, v) {
                    return Some((GPR_NAMES[r].into(), ce, cv));
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
        if is_stack_check(ins, self.prev_guard_cmp) && !s.exact {
            mask = 0;
        }
        if (s.snap.cpu.flags ^ s.rs.flags) & mask != 0 {
            return Some((
                format!("flags {}", flag_names(mask)),
                flag_names(s.snap.cpu.flags & mask),
                flag_names(s.rs.flags & mask),
            ));
        }
        if let Some((undefined, mnemonic, pc)) = self.undefined.take() {
            let differ = (s.snap.cpu.flags ^ s.rs.flags) & undefined & ARITH;
            let name = format!("{mnemonic:?}").to_uppercase();
            if differ != 0 && self.noted.insert(name.clone()) {
                notes.push(format!(
                    "{name} leaves {} undefined; the emulator and the CPU set {} differently \
                     there (not compared), first at {}",
                    flag_names(undefined & ARITH),
                    flag_names(differ),
                    s.layout.location(pc)
                ));
            }
        }

        // Every memory operand the instruction reads.
        for m in info.used_memory() {
            if !reads(m.access())
                || is_nil_check(ins)
                || m.segment() == Register::FS
                || m.segment() == Register::GS
            {
                continue;
            }
            let size = m.memory_size().size();
            let (Some(ea), Some(ra)) = (
                m.virtual_address(0, |reg, _, _| reg_value(&s.snap.cpu.gpr, ins, reg)),
                m.virtual_address(0, |reg, _, _| reg_value(&s.rs.regs, ins, reg)),
            ) else {
                continue;
            };
            if size == 0 || s.layout.region(ea) == gostack_emu::Region::None {
                continue;
            }
            let mut off = 0;
            while off < size {
                let n = (size - off).min(self.isa.word as usize);
                let (e, r) = (
                    s.snap.read(ea + off as u64, n),
                    s.tracer.read_u64(ra + off as u64, n),
                );
                let at = s.show(s.emu_value(routine, ea + off as u64), ea + off as u64);
                let where_ = format!("{n} bytes read at {at}");
                let Some(r) = r else {
                    return Some((where_, format!("{e:#x}"), "unreadable".into()));
                };
                if n as u64 == self.isa.word {
                    if e != r && ea + off as u64 == s.g + self.isa.stackguard0() && !s.exact {
                        let (ce, cr) = (
                            Value::Guard(e.wrapping_sub(emu_lo)),
                            Value::Guard(r.wrapping_sub(real_lo)),
                        );
                        if !ce.agrees(&cr, false) {
                            return Some((where_, ce.to_string(), cr.to_string()));
                        }
                    } else if let Some((ce, cr)) = s.agree(routine, e, r) {
                        return Some((where_, ce, cr));
                    }
                } else if e != r {
                    return Some((where_, format!("{e:#x}"), format!("{r:#x}")));
                }
                off += n;
            }
        }

        // Stack words: after code outside the package, those defined near SP; else those just written.
        let keys: Vec<u64> = if self.out {
            let nearest = live.saturating_sub(WINDOW - 8);
            routine
                .words
                .range(nearest..=live)
                .map(|(k, _)| *k)
                .collect()
        } else {
            self.dirty
                .iter()
                .copied()
                .filter(|k| routine.words.contains_key(k))
                .collect()
        };
        let real_words = if self.out && !keys.is_empty() {
            // One read for the whole live stack.
            let rsp = s.rs.regs[4];
            s.tracer
                .read(rsp, real_hi.saturating_sub(rsp).min(WINDOW) as usize)
        } else {
            None
        };
        for k in keys {
            let mask = routine.words[&k];
            let word = self.isa.word as usize;
            let e = s.snap.read(hi.wrapping_sub(k), word);
            let at = real_hi.wrapping_sub(k);
            let r = match &real_words {
                Some(bytes) => {
                    let i = at.wrapping_sub(s.rs.regs[4]) as usize;
                    bytes.get(i..i.saturating_add(word)).map(|b| {
                        let mut w = [0u8; 8];
                        w[..word].copy_from_slice(b);
                        u64::from_le_bytes(w)
                    })
                }
                None => s.tracer.read_u64(at, word),
            };
            let Some(r) = r else {
                return Some((s.name_stack_word(k), format!("{e:#x}"), "unreadable".into()));
            };
            if mask == self.isa.full() {
                if let Some((ce, cr)) = s.agree(routine, e, r) {
                    return Some((s.name_stack_word(k), ce, cr));
                }
            } else {
                let bytes: u64 = (0..word)
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

/// A register's value for effective addresses, from general registers `gprs`.
fn reg_value(gprs: &[u64; 16], ins: &Instruction, reg: Register) -> Option<u64> {
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
        (RflagsBits::CF, CF),
        (RflagsBits::PF, PF),
        (RflagsBits::AF, gostack_emu::abi::AF),
        (RflagsBits::ZF, ZF),
        (RflagsBits::SF, SF),
        (RflagsBits::OF, OF),
    ] {
        if bits & iced != 0 {
            out |= hw;
        }
    }
    out
}

/// `CF ZF` for the set bits of `flags`, or `none`.
fn flag_names(flags: u64) -> String {
    let names: Vec<&str> = ARITH_NAMES
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
