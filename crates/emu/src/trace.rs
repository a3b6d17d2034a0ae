//! The record of a run: every step with what it changed, and the events the
//! runtime models report (a deferred call run, the stack grown, a panic).

use std::ops::Range;

use crate::Cpu;
use crate::frames::Snapshot;

/// Every step of a run, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Registers and memory before the first step.
    pub initial: Snapshot,
    /// The steps.
    pub steps: Vec<Step>,
    /// What the steps changed; each step names its range here.
    pub changes: Vec<Change>,
}

impl Trace {
    /// Registers and memory just before step `step` runs (`step == steps.len()`: after the last).
    pub fn snapshot(&self, step: usize) -> Snapshot {
        let mut snap = self.initial.clone();
        for i in 0..step.min(self.steps.len()) {
            for change in self.changes_of(i) {
                match *change {
                    Change::Reg { reg, new, .. } => snap.cpu.gpr[usize::from(reg)] = new,
                    Change::Flags { new, .. } => snap.cpu.flags = new,
                    Change::Xmm { reg, new, .. } => snap.cpu.xmm[usize::from(reg)] = new,
                    Change::Mem {
                        addr, size, new, ..
                    } => snap.write(addr, &new.to_le_bytes()[..usize::from(size)]),
                }
            }
        }
        if let Some(s) = self.steps.get(step) {
            snap.cpu.rip = s.pc;
        }
        snap
    }

    /// The changes made by step `i`.
    pub fn changes_of(&self, i: usize) -> &[Change] {
        let r = &self.steps[i].changes;
        &self.changes[r.start as usize..r.end as usize]
    }
}

/// One executed instruction or runtime model call.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Address of the instruction (or of the runtime function's stub).
    pub pc: u64,
    /// Range of this step's changes in [`Trace::changes`].
    pub changes: Range<u32>,
    /// What a runtime model did, for a step that ran one.
    pub event: Option<Event>,
}

/// One state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A general register (index in hardware order, see [`crate::GPR_NAMES`]).
    Reg {
        /// Register number.
        reg: u8,
        /// Value before.
        old: u64,
        /// Value after.
        new: u64,
    },
    /// The flags register.
    Flags {
        /// Value before.
        old: u64,
        /// Value after.
        new: u64,
    },
    /// An XMM register.
    Xmm {
        /// Register number.
        reg: u8,
        /// Value before.
        old: u128,
        /// Value after.
        new: u128,
    },
    /// Up to eight bytes of memory.
    Mem {
        /// Address written.
        addr: u64,
        /// Bytes written.
        size: u8,
        /// Value before.
        old: u64,
        /// Value after.
        new: u64,
    },
}

/// What a runtime model did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A runtime or library function ran as a model and returned.
    Call {
        /// Its name, e.g. `runtime.convT64`.
        func: String,
    },
    /// A deferred function was called by `runtime.deferreturn` or a panic.
    DeferCall {
        /// The closure's code.
        func: String,
    },
    /// `runtime.morestack` moved the goroutine to a larger stack.
    StackGrown {
        /// Old bounds `[lo, hi)`.
        old: (u64, u64),
        /// New bounds `[lo, hi)`.
        new: (u64, u64),
    },
    /// A panic started.
    Panic {
        /// Its message, as Go prints it after `panic: `.
        message: String,
    },
    /// The program exited.
    Exit {
        /// Exit status.
        code: i32,
    },
}

/// Collects steps while the machine runs.
#[derive(Debug, Clone)]
pub(crate) struct TraceBuilder {
    trace: Trace,
    start: u32,
    event: Option<Event>,
}

impl TraceBuilder {
    pub(crate) fn new(initial: Snapshot) -> TraceBuilder {
        TraceBuilder {
            trace: Trace {
                initial,
                ..Trace::default()
            },
            start: 0,
            event: None,
        }
    }

    /// Records a memory write of the step in progress.
    #[inline]
    pub(crate) fn mem(&mut self, addr: u64, size: usize, old: u64, new: u64) {
        self.trace.changes.push(Change::Mem {
            addr,
            size: size as u8,
            old,
            new,
        });
    }

    /// Notes what a runtime model did in the step in progress.
    pub(crate) fn event(&mut self, event: Event) {
        self.event = Some(event);
    }

    /// Closes the step: register changes are found by comparing before and after.
    pub(crate) fn finish_step(&mut self, pc: u64, before: &Cpu, after: &Cpu) {
        for (i, (old, new)) in before.gpr.iter().zip(after.gpr.iter()).enumerate() {
            if old != new {
                self.trace.changes.push(Change::Reg {
                    reg: i as u8,
                    old: *old,
                    new: *new,
                });
            }
        }
        if before.flags != after.flags {
            self.trace.changes.push(Change::Flags {
                old: before.flags,
                new: after.flags,
            });
        }
        for (i, (old, new)) in before.xmm.iter().zip(after.xmm.iter()).enumerate() {
            if old != new {
                self.trace.changes.push(Change::Xmm {
                    reg: i as u8,
                    old: *old,
                    new: *new,
                });
            }
        }
        let end = self.trace.changes.len() as u32;
        self.trace.steps.push(Step {
            pc,
            changes: self.start..end,
            event: self.event.take(),
        });
        self.start = end;
    }

    pub(crate) fn build(self) -> Trace {
        self.trace
    }
}
