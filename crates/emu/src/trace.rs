//! The record of a run: every step with what it changed, and the events the
//! system reports (the program's exit).

use crate::Cpu;
use crate::frames::Snapshot;

/// Every step of a run, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Registers and memory before the first step.
    pub initial: Snapshot,
    /// The steps.
    pub steps: Vec<Step>,
    /// What the steps changed, step after step.
    pub changes: Vec<Change>,
    /// What the system did, by step number, in step order.
    pub events: Vec<(u32, Event)>,
}

impl Trace {
    /// Registers and memory just before step `step` runs (`step == steps.len()`: after the last).
    pub fn snapshot(&self, step: usize) -> Snapshot {
        let mut cursor = self.cursor();
        while cursor.step() < step && cursor.advance() {}
        cursor.snapshot().clone()
    }

    /// A cursor at the first step, to walk the run forward one step at a time.
    pub fn cursor(&self) -> Cursor<'_> {
        let mut snap = self.initial.clone();
        if let Some(s) = self.steps.first() {
            snap.cpu.rip = s.pc();
        }
        Cursor {
            trace: self,
            snap,
            step: 0,
        }
    }

    /// The changes made by step `i`.
    pub fn changes_of(&self, i: usize) -> &[Change] {
        let start = if i == 0 {
            0
        } else {
            self.steps[i - 1].end as usize
        };
        &self.changes[start..self.steps[i].end as usize]
    }

    /// What the system did in step `i`, if anything.
    pub fn event(&self, i: usize) -> Option<&Event> {
        let k = self.events.partition_point(|(s, _)| (*s as usize) < i);
        self.events
            .get(k)
            .filter(|(s, _)| *s as usize == i)
            .map(|(_, e)| e)
    }
}

/// One executed instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Address of the instruction: executables are linked low, so code
    /// addresses fit in 32 bits, which halves a step's size.
    pc: u32,
    /// End of this step's changes in [`Trace::changes`]; they start where the previous step's end.
    end: u32,
}

impl Step {
    /// Address of the instruction.
    #[inline]
    pub fn pc(&self) -> u64 {
        u64::from(self.pc)
    }
}

/// One state change: the value after the step (the value before is the
/// previous change of the same place, or the initial snapshot's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A general register (index in hardware order, see [`crate::GPR_NAMES`]).
    Reg {
        /// Register number.
        reg: u8,
        /// Value after.
        new: u64,
    },
    /// The flags register.
    Flags {
        /// Value after.
        new: u64,
    },
    /// One half of an XMM register.
    Xmm {
        /// Register number.
        reg: u8,
        /// The upper 64 bits rather than the lower.
        high: bool,
        /// Value after.
        new: u64,
    },
    /// The FS or GS segment base: thread-local storage, which changes when
    /// another thread runs.
    SegBase {
        /// GS rather than FS.
        gs: bool,
        /// Value after.
        new: u64,
    },
    /// Up to eight bytes of memory.
    Mem {
        /// Address written.
        addr: Addr,
        /// Bytes written.
        size: u8,
        /// Value after.
        new: u64,
    },
}

/// A memory address in six bytes, so that a [`Change`] takes 16: user
/// space addresses have at most 47 bits on amd64 (32 on 386).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addr([u16; 3]);

impl Addr {
    /// The address, which must fit in 48 bits.
    pub fn new(addr: u64) -> Addr {
        debug_assert!(addr >> 48 == 0, "user addresses fit in 48 bits");
        Addr([addr as u16, (addr >> 16) as u16, (addr >> 32) as u16])
    }

    /// The address.
    pub fn get(self) -> u64 {
        let [a, b, c] = self.0.map(u64::from);
        a | b << 16 | c << 32
    }
}

// A change is 16 bytes: the trace holds millions.
const _: () = assert!(std::mem::size_of::<Change>() == 16);

/// Something the system did at a step, beside what the step changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The program exited (`exit_group`, or its last thread's `exit`).
    Exit {
        /// Exit status.
        code: i32,
    },
}

/// Collects steps while the machine runs.
#[derive(Debug, Clone)]
pub(crate) struct TraceBuilder {
    trace: Trace,
    /// The registers the step in progress compares against.
    before: Before,
}

impl TraceBuilder {
    pub(crate) fn new(initial: Snapshot) -> TraceBuilder {
        let before = Before {
            gpr: initial.cpu.gpr,
            flags: initial.cpu.flags,
            fs_base: initial.cpu.fs_base,
            gs_base: initial.cpu.gs_base,
            ..Before::default()
        };
        TraceBuilder {
            trace: Trace {
                initial,
                ..Trace::default()
            },
            before,
        }
    }

    /// Opens a step: notes the XMM registers when `xmm` says the step may change them.
    ///
    /// The general registers and flags need no copy: the builder's copy is
    /// kept as the last step left them, and only steps change registers.
    #[inline]
    pub(crate) fn start_step(&mut self, cpu: &Cpu, xmm: bool) {
        debug_assert!(
            self.before.gpr == cpu.gpr && self.before.flags == cpu.flags,
            "registers changed outside a step, or by a step that did not compare them"
        );
        self.before.has_xmm = xmm;
        if xmm {
            self.before.xmm = cpu.xmm;
        }
    }

    /// Records a memory write of the step in progress.
    #[inline]
    pub(crate) fn mem(&mut self, addr: u64, size: usize, new: u64) {
        self.trace.changes.push(Change::Mem {
            addr: Addr::new(addr),
            size: size as u8,
            new,
        });
    }

    /// Notes what the system did in the step in progress.
    pub(crate) fn event(&mut self, event: Event) {
        let step = self.trace.steps.len() as u32;
        self.trace.events.push((step, event));
    }

    /// Closes the step: register changes are found by comparing before and
    /// after, for the general registers in `gprs` (bits by register number)
    /// and, for steps that may touch them, the XMM registers.
    #[inline]
    pub(crate) fn finish_step(&mut self, pc: u64, after: &Cpu, gprs: u16) {
        self.compare(after, gprs);
        let end = self.trace.changes.len() as u32;
        debug_assert!(pc <= u64::from(u32::MAX), "code addresses fit in 32 bits");
        self.trace.steps.push(Step { pc: pc as u32, end });
    }

    /// Records what changed between steps (another thread given the CPU) as
    /// part of the last step, so the state before the next step is right.
    pub(crate) fn amend_last_step(&mut self, after: &Cpu) {
        self.before.has_xmm = true;
        self.compare(after, u16::MAX);
        match self.trace.steps.last_mut() {
            Some(last) => last.end = self.trace.changes.len() as u32,
            None => {
                self.trace.changes.clear();
                self.trace.initial.cpu = after.clone();
            }
        }
    }

    /// Records the changes from the registers before to `after`: the general
    /// registers in `gprs`, the flags, the XMM registers when noted, and the
    /// segment bases when every register is compared.
    #[inline]
    fn compare(&mut self, after: &Cpu, gprs: u16) {
        let before = &mut self.before;
        let changes = &mut self.trace.changes;
        if gprs == u16::MAX {
            for (gs, old, new) in [
                (false, &mut before.fs_base, after.fs_base),
                (true, &mut before.gs_base, after.gs_base),
            ] {
                if *old != new {
                    changes.push(Change::SegBase { gs, new });
                    *old = new;
                }
            }
        }
        let mut left = gprs;
        while left != 0 {
            let i = left.trailing_zeros() as usize;
            left &= left - 1;
            if before.gpr[i] != after.gpr[i] {
                changes.push(Change::Reg {
                    reg: i as u8,
                    new: after.gpr[i],
                });
                before.gpr[i] = after.gpr[i];
            }
        }
        if before.flags != after.flags {
            changes.push(Change::Flags { new: after.flags });
            before.flags = after.flags;
        }
        if before.has_xmm {
            for (i, (old, new)) in before.xmm.iter().zip(after.xmm.iter()).enumerate() {
                for high in [false, true] {
                    let shift = if high { 64 } else { 0 };
                    let (o, n) = ((old >> shift) as u64, (new >> shift) as u64);
                    if o != n {
                        changes.push(Change::Xmm {
                            reg: i as u8,
                            high,
                            new: n,
                        });
                    }
                }
            }
        }
    }

    /// The finished trace, its vectors trimmed to their length.
    pub(crate) fn build(mut self) -> Trace {
        self.trace.steps.shrink_to_fit();
        self.trace.changes.shrink_to_fit();
        self.trace.events.shrink_to_fit();
        self.trace
    }
}

/// The registers a traced step compares against: the general registers and
/// flags as the last step left them, the XMM registers as this step found them.
#[derive(Debug, Clone, Default)]
struct Before {
    gpr: [u64; 16],
    flags: u64,
    fs_base: u64,
    gs_base: u64,
    /// Whether `xmm` holds the XMM registers before this step.
    has_xmm: bool,
    xmm: [u128; 16],
}

/// The state of a run just before one of its steps, moved forward step by step.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    trace: &'a Trace,
    snap: Snapshot,
    step: usize,
}

impl Cursor<'_> {
    /// The step about to run (`steps.len()` once past the last).
    pub fn step(&self) -> usize {
        self.step
    }

    /// Registers and memory before the step about to run.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snap
    }

    /// Applies the current step; false when there is none left.
    pub fn advance(&mut self) -> bool {
        if self.step >= self.trace.steps.len() {
            return false;
        }
        for change in self.trace.changes_of(self.step) {
            match *change {
                Change::Reg { reg, new, .. } => self.snap.cpu.gpr[usize::from(reg)] = new,
                Change::Flags { new, .. } => self.snap.cpu.flags = new,
                Change::Xmm { reg, high, new, .. } => {
                    let x = &mut self.snap.cpu.xmm[usize::from(reg)];
                    let shift = if high { 64 } else { 0 };
                    *x = (*x & !(u128::from(u64::MAX) << shift)) | (u128::from(new) << shift);
                }
                Change::SegBase { gs: false, new } => self.snap.cpu.fs_base = new,
                Change::SegBase { gs: true, new } => self.snap.cpu.gs_base = new,
                Change::Mem {
                    addr, size, new, ..
                } => {
                    self.snap
                        .write(addr.get(), &new.to_le_bytes()[..usize::from(size)]);
                }
            }
        }
        self.step += 1;
        if let Some(s) = self.trace.steps.get(self.step) {
            self.snap.cpu.rip = s.pc();
        }
        true
    }
}
