//! The record of a run: every step with what it changed, and the events the
//! system reports (the program's exit).
//!
//! A step keeps its pc in four bytes; what it changed is encoded in a byte
//! stream, each change as small as it goes: a register as the difference
//! from its value before, the flags as the bits that flipped, a memory
//! write's address relative to SP or to the last write, its value as it is
//! or relative to its address, all as variable-length integers. Every
//! [`MARK`] steps a mark keeps where the stream is and the registers it is
//! decoded against, so any step's changes are found without reading the
//! stream from its start.

use crate::Cpu;
use crate::abi::RSP;
use crate::frames::Snapshot;

/// Every step of a run, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Registers and memory before the first step.
    pub initial: Snapshot,
    /// The steps.
    pub steps: Vec<Step>,
    /// What the steps changed, encoded step after step (see the module's doc).
    bytes: Vec<u8>,
    /// Where every [`MARK`]th step's changes start, and the registers before it.
    marks: Vec<Mark>,
    /// What the system did, by step number, in step order.
    pub events: Vec<(u32, Event)>,
}

/// Steps between two marks.
const MARK: usize = 256;

impl Trace {
    /// A trace of `steps`, each its pc and its changes in the order they
    /// were made, from `initial`, with the system's `events` by step.
    pub fn new(
        initial: Snapshot,
        steps: &[(u64, Vec<Change>)],
        events: Vec<(u32, Event)>,
    ) -> Trace {
        let mut regs = Regs {
            gpr: initial.cpu.gpr,
            flags: initial.cpu.flags,
            last: 0,
        };
        let mut trace = Trace {
            initial,
            events,
            ..Trace::default()
        };
        for (i, (pc, changes)) in steps.iter().enumerate() {
            if i.is_multiple_of(MARK) {
                trace.marks.push(Mark {
                    at: trace.bytes.len() as u64,
                    regs,
                });
            }
            for change in changes {
                encode(&mut trace.bytes, &mut regs, change);
            }
            trace.bytes.push(END);
            trace.steps.push(Step { pc: *pc as u32 });
        }
        trace
    }

    /// Registers and memory just before step `step` runs (`step == steps.len()`: after the last).
    pub fn snapshot(&self, step: usize) -> Snapshot {
        let mut cursor = self.cursor();
        cursor.advance_to(step);
        cursor.into_snapshot()
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
            pos: 0,
            last: 0,
        }
    }

    /// The changes made by step `i`, in the order they were made.
    pub fn changes_of(&self, i: usize) -> Vec<Change> {
        let mark = &self.marks[i / MARK];
        let mut decoder = Decoder {
            bytes: &self.bytes,
            pos: mark.at as usize,
            regs: mark.regs,
        };
        for _ in 0..i % MARK {
            while decoder.next().is_some() {}
        }
        std::iter::from_fn(|| decoder.next()).collect()
    }

    /// What the system did in step `i`, if anything.
    pub fn event(&self, i: usize) -> Option<&Event> {
        let k = self.events.partition_point(|(s, _)| (*s as usize) < i);
        self.events
            .get(k)
            .filter(|(s, _)| *s as usize == i)
            .map(|(_, e)| e)
    }

    /// Bytes the trace holds beyond its initial snapshot: steps, changes,
    /// marks and events, as allocated.
    pub fn size(&self) -> usize {
        self.steps.capacity() * size_of::<Step>()
            + self.bytes.capacity()
            + self.marks.capacity() * size_of::<Mark>()
            + self.events.capacity() * size_of::<(u32, Event)>()
    }
}

/// One executed instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Address of the instruction: executables are linked low, so code
    /// addresses fit in 32 bits.
    pc: u32,
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

/// A memory address in six bytes: user space addresses have at most 47
/// bits on amd64 (32 on 386).
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

/// Something the system did at a step, beside what the step changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The program exited (`exit_group`, or its last thread's `exit`).
    Exit {
        /// Exit status.
        code: i32,
    },
}

// The encoding. A change starts with a tag byte; a step's changes end with END.

/// Ends a step's changes.
const END: u8 = 0xff;
/// `REG | r`: register `r`, then the zigzag difference from its value before.
const REG: u8 = 0x00;
/// The flags, then the bits that flipped.
const FLAGS: u8 = 0x10;
/// `XMM | r` (`XMM_HIGH | r` for the upper half): then the half's eight bytes.
const XMM: u8 = 0x20;
const XMM_HIGH: u8 = 0x30;
/// The FS base (`SEG | 1`: GS), then its value.
const SEG: u8 = 0x40;
/// `MEM | size - 1`, with [`MEM_AT_SP`] and [`MEM_NEAR`]: then the address
/// as a zigzag distance from SP or from the last write's address, and the
/// value, as it is or as a zigzag distance from the address.
const MEM: u8 = 0x80;
const MEM_AT_SP: u8 = 0x10;
const MEM_NEAR: u8 = 0x08;

/// The registers a step's changes are decoded against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Regs {
    gpr: [u64; 16],
    flags: u64,
    /// The address of the last memory write.
    last: u64,
}

/// Where a step's changes start in the stream, and the registers before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    at: u64,
    regs: Regs,
}

#[inline]
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline]
fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Bytes of `v` as a variable-length integer.
#[inline]
fn varint_len(v: u64) -> u32 {
    (64 - (v | 1).leading_zeros()).div_ceil(7)
}

#[inline]
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends `change` to the stream, encoded against `regs`, which it updates.
#[inline]
fn encode(bytes: &mut Vec<u8>, regs: &mut Regs, change: &Change) {
    match *change {
        Change::Reg { reg, new } => {
            let r = usize::from(reg & 15);
            bytes.push(REG | reg);
            put_varint(bytes, zigzag(new.wrapping_sub(regs.gpr[r]) as i64));
            regs.gpr[r] = new;
        }
        Change::Flags { new } => {
            bytes.push(FLAGS);
            put_varint(bytes, regs.flags ^ new);
            regs.flags = new;
        }
        Change::Xmm { reg, high, new } => {
            bytes.push(if high { XMM_HIGH } else { XMM } | reg);
            bytes.extend_from_slice(&new.to_le_bytes());
        }
        Change::SegBase { gs, new } => {
            bytes.push(SEG | u8::from(gs));
            put_varint(bytes, new);
        }
        Change::Mem { addr, size, new } => {
            let addr = addr.get();
            let from_sp = zigzag(addr.wrapping_sub(regs.gpr[RSP]) as i64);
            let from_last = zigzag(addr.wrapping_sub(regs.last) as i64);
            let near = zigzag(new.wrapping_sub(addr) as i64);
            let mut tag = MEM | (size - 1);
            let at = if from_sp <= from_last {
                tag |= MEM_AT_SP;
                from_sp
            } else {
                from_last
            };
            let value = if varint_len(near) < varint_len(new) {
                tag |= MEM_NEAR;
                near
            } else {
                new
            };
            bytes.push(tag);
            put_varint(bytes, at);
            put_varint(bytes, value);
            regs.last = addr;
        }
    }
}

/// Reads the changes of the stream one after another.
struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    regs: Regs,
}

impl Decoder<'_> {
    #[inline]
    fn byte(&mut self) -> u8 {
        let b = self.bytes[self.pos];
        self.pos += 1;
        b
    }

    #[inline]
    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    /// The next change of the step, or `None` past its end (the decoder then stands at the next step).
    #[inline]
    fn next(&mut self) -> Option<Change> {
        let tag = self.byte();
        Some(match tag {
            END => return None,
            t if t & MEM != 0 => {
                let size = (t & 7) + 1;
                let from = if t & MEM_AT_SP != 0 {
                    self.regs.gpr[RSP]
                } else {
                    self.regs.last
                };
                let addr = from.wrapping_add(unzigzag(self.varint()) as u64);
                let v = self.varint();
                let new = if t & MEM_NEAR != 0 {
                    addr.wrapping_add(unzigzag(v) as u64)
                } else {
                    v
                };
                self.regs.last = addr;
                Change::Mem {
                    addr: Addr::new(addr),
                    size,
                    new,
                }
            }
            t if t < FLAGS => {
                let r = usize::from(t);
                let new = self.regs.gpr[r].wrapping_add(unzigzag(self.varint()) as u64);
                self.regs.gpr[r] = new;
                Change::Reg { reg: t, new }
            }
            FLAGS => {
                self.regs.flags ^= self.varint();
                Change::Flags {
                    new: self.regs.flags,
                }
            }
            t if t & 0xe0 == XMM => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&self.bytes[self.pos..self.pos + 8]);
                self.pos += 8;
                Change::Xmm {
                    reg: t & 0x0f,
                    high: t & 0x10 != 0,
                    new: u64::from_le_bytes(b),
                }
            }
            t => Change::SegBase {
                gs: t & 1 != 0,
                new: self.varint(),
            },
        })
    }
}

/// Collects steps while the machine runs.
#[derive(Debug, Clone)]
pub(crate) struct TraceBuilder {
    trace: Trace,
    /// The registers the step in progress compares against.
    before: Before,
    /// The registers as the stream's decoder will know them.
    regs: Regs,
    /// Whether a step is open: its changes have no END yet.
    open: bool,
}

impl TraceBuilder {
    pub(crate) fn new(initial: Snapshot) -> TraceBuilder {
        let before = Before {
            fs_base: initial.cpu.fs_base,
            gs_base: initial.cpu.gs_base,
            ..Before::default()
        };
        let regs = Regs {
            gpr: initial.cpu.gpr,
            flags: initial.cpu.flags,
            last: 0,
        };
        TraceBuilder {
            trace: Trace {
                initial,
                ..Trace::default()
            },
            before,
            regs,
            open: false,
        }
    }

    /// Opens a step: notes the XMM registers when `xmm` says the step may change them.
    ///
    /// The general registers and flags need no copy: the builder's copy is
    /// kept as the last step left them, and only steps change registers.
    #[inline]
    pub(crate) fn start_step(&mut self, cpu: &Cpu, xmm: bool) {
        debug_assert!(
            self.regs.gpr == cpu.gpr && self.regs.flags == cpu.flags,
            "registers changed outside a step, or by a step that did not compare them"
        );
        if self.trace.steps.len().is_multiple_of(MARK) {
            self.trace.marks.push(Mark {
                at: self.trace.bytes.len() as u64,
                regs: self.regs,
            });
        }
        self.open = true;
        self.before.has_xmm = xmm;
        if xmm {
            self.before.xmm = cpu.xmm;
        }
    }

    /// Reopens the last step to add changes made between steps; false when there is none.
    #[inline]
    fn reopen(&mut self) -> bool {
        if self.open {
            return true;
        }
        if self.trace.steps.is_empty() {
            return false;
        }
        let end = self.trace.bytes.pop();
        debug_assert_eq!(end, Some(END));
        true
    }

    /// Closes a step reopened by [`TraceBuilder::reopen`].
    #[inline]
    fn reclose(&mut self) {
        if !self.open {
            self.trace.bytes.push(END);
        }
    }

    /// Records a memory write of the step in progress (between steps: of the last step).
    #[inline]
    pub(crate) fn mem(&mut self, addr: u64, size: usize, new: u64) {
        debug_assert!(addr >> 48 == 0, "user addresses fit in 48 bits");
        if !self.reopen() {
            // Before the first step: part of the initial memory.
            self.trace.initial.write(addr, &new.to_le_bytes()[..size]);
            return;
        }
        let change = Change::Mem {
            addr: Addr::new(addr),
            size: size as u8,
            new,
        };
        encode(&mut self.trace.bytes, &mut self.regs, &change);
        self.reclose();
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
        self.trace.bytes.push(END);
        self.open = false;
        debug_assert!(pc <= u64::from(u32::MAX), "code addresses fit in 32 bits");
        self.trace.steps.push(Step { pc: pc as u32 });
    }

    /// Records what changed between steps (another thread given the CPU) as
    /// part of the last step, so the state before the next step is right.
    pub(crate) fn amend_last_step(&mut self, after: &Cpu) {
        if !self.reopen() {
            self.trace.initial.cpu = after.clone();
            self.regs.gpr = after.gpr;
            self.regs.flags = after.flags;
            self.before.fs_base = after.fs_base;
            self.before.gs_base = after.gs_base;
            return;
        }
        self.before.has_xmm = true;
        self.compare(after, u16::MAX);
        self.reclose();
    }

    /// Records the changes from the registers before to `after`: the general
    /// registers in `gprs`, the flags, the XMM registers when noted, and the
    /// segment bases when every register is compared.
    #[inline]
    fn compare(&mut self, after: &Cpu, gprs: u16) {
        let before = &mut self.before;
        let regs = &mut self.regs;
        let bytes = &mut self.trace.bytes;
        if gprs == u16::MAX {
            for (gs, old, new) in [
                (false, &mut before.fs_base, after.fs_base),
                (true, &mut before.gs_base, after.gs_base),
            ] {
                if *old != new {
                    encode(bytes, regs, &Change::SegBase { gs, new });
                    *old = new;
                }
            }
        }
        let mut left = gprs;
        while left != 0 {
            let i = left.trailing_zeros() as usize;
            left &= left - 1;
            if regs.gpr[i] != after.gpr[i] {
                let new = after.gpr[i];
                encode(bytes, regs, &Change::Reg { reg: i as u8, new });
            }
        }
        if regs.flags != after.flags {
            encode(bytes, regs, &Change::Flags { new: after.flags });
        }
        if before.has_xmm {
            for (i, (old, new)) in before.xmm.iter().zip(after.xmm.iter()).enumerate() {
                for high in [false, true] {
                    let shift = if high { 64 } else { 0 };
                    let (o, n) = ((old >> shift) as u64, (new >> shift) as u64);
                    if o != n {
                        let change = Change::Xmm {
                            reg: i as u8,
                            high,
                            new: n,
                        };
                        encode(bytes, regs, &change);
                    }
                }
            }
        }
    }

    /// The finished trace, its vectors trimmed to their length.
    pub(crate) fn build(mut self) -> Trace {
        if self.open {
            self.trace.bytes.push(END);
        }
        self.trace.steps.shrink_to_fit();
        self.trace.bytes.shrink_to_fit();
        self.trace.marks.shrink_to_fit();
        self.trace.events.shrink_to_fit();
        self.trace
    }
}

/// What a traced step compares against beside the general registers and
/// flags: the segment bases as the last step left them, the XMM registers
/// as this step found them.
#[derive(Debug, Clone, Default)]
struct Before {
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
    /// Where the changes of the step about to run start.
    pos: usize,
    /// The address of the last memory write before it.
    last: u64,
}

impl<'a> Cursor<'a> {
    /// The step about to run (`steps.len()` once past the last).
    pub fn step(&self) -> usize {
        self.step
    }

    /// Registers and memory before the step about to run.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snap
    }

    /// Registers and memory before the step about to run, the cursor given up.
    pub fn into_snapshot(self) -> Snapshot {
        self.snap
    }

    /// The changes the step about to run makes (none once past the last).
    pub fn changes(&self) -> Vec<Change> {
        if self.step >= self.trace.steps.len() {
            return Vec::new();
        }
        let mut decoder = self.decoder();
        std::iter::from_fn(|| decoder.next()).collect()
    }

    fn decoder(&self) -> Decoder<'a> {
        let cpu = &self.snap.cpu;
        Decoder {
            bytes: &self.trace.bytes,
            pos: self.pos,
            regs: Regs {
                gpr: cpu.gpr,
                flags: cpu.flags,
                last: self.last,
            },
        }
    }

    /// Advances until step `step` is the one about to run, or the run ends.
    pub fn advance_to(&mut self, step: usize) {
        while self.step < step && self.advance() {}
    }

    /// Applies the current step; false when there is none left.
    pub fn advance(&mut self) -> bool {
        self.advance_with(|_| {})
    }

    /// Applies the current step, showing `seen` each change as it is made;
    /// false when there is none left.
    #[inline]
    pub fn advance_with(&mut self, mut seen: impl FnMut(&Change)) -> bool {
        if self.step >= self.trace.steps.len() {
            return false;
        }
        let mut d = self.decoder();
        let snap = &mut self.snap;
        while let Some(change) = d.next() {
            seen(&change);
            match change {
                Change::Reg { reg, new } => snap.cpu.gpr[usize::from(reg)] = new,
                Change::Flags { new } => snap.cpu.flags = new,
                Change::Xmm { reg, high, new } => {
                    let x = &mut snap.cpu.xmm[usize::from(reg)];
                    let shift = if high { 64 } else { 0 };
                    *x = (*x & !(u128::from(u64::MAX) << shift)) | (u128::from(new) << shift);
                }
                Change::SegBase { gs: false, new } => snap.cpu.fs_base = new,
                Change::SegBase { gs: true, new } => snap.cpu.gs_base = new,
                Change::Mem { addr, size, new } => {
                    snap.write(addr.get(), &new.to_le_bytes()[..usize::from(size)]);
                }
            }
        }
        self.pos = d.pos;
        self.last = d.regs.last;
        self.step += 1;
        if let Some(s) = self.trace.steps.get(self.step) {
            self.snap.cpu.rip = s.pc();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of change comes back as it was recorded, in order, from
    /// a cursor and from any step, across marks.
    #[test]
    fn changes_come_back_as_recorded() {
        let mut cpu = Cpu::default();
        cpu.gpr[RSP] = 0x00c0_0004_0000;
        let mut b = TraceBuilder::new(Snapshot::new(cpu.clone()));
        let mut expected = Vec::new();
        for i in 0..1000u64 {
            let xmm = i % 10 == 3;
            b.start_step(&cpu, xmm || i % 100 == 99);
            let mut changes = Vec::new();
            let sp = cpu.gpr[RSP];
            for (addr, size, new) in [
                (sp - 8, 8, 0x47_1234 + i),
                (0x7fff_f000_0000 + i * 24, 4, u64::from(u32::MAX) - i),
                (sp + 16, 8, sp + 40),
                (0x55_0000 + i, 1, i & 0xff),
            ]
            .into_iter()
            .take(i as usize % 5)
            {
                b.mem(addr, size, new);
                changes.push(Change::Mem {
                    addr: Addr::new(addr),
                    size: size as u8,
                    new,
                });
            }
            let old = cpu.clone();
            cpu.gpr[RSP] = sp.wrapping_sub(8 * (i % 3)) + 8;
            cpu.gpr[3] = cpu.gpr[3].wrapping_sub(i * 0x1_0000_0001);
            cpu.flags ^= i & 0x8d5;
            if xmm {
                cpu.xmm[2] ^= u128::from(i) << 70 | 5;
            }
            for r in 0..16 {
                if old.gpr[r] != cpu.gpr[r] {
                    changes.push(Change::Reg {
                        reg: r as u8,
                        new: cpu.gpr[r],
                    });
                }
            }
            if old.flags != cpu.flags {
                changes.push(Change::Flags { new: cpu.flags });
            }
            for high in [false, true] {
                let shift = if high { 64 } else { 0 };
                let (o, n) = ((old.xmm[2] >> shift) as u64, (cpu.xmm[2] >> shift) as u64);
                if o != n {
                    changes.push(Change::Xmm {
                        reg: 2,
                        high,
                        new: n,
                    });
                }
            }
            b.finish_step(0x40_1000 + i, &cpu, 1 << RSP | 1 << 3);
            if i % 100 == 99 {
                // Another thread between steps: its writes and registers join the step.
                b.mem(0x00c0_0000_0008, 8, i);
                changes.push(Change::Mem {
                    addr: Addr::new(0x00c0_0000_0008),
                    size: 8,
                    new: i,
                });
                cpu.fs_base = 0x1000 + i;
                cpu.gpr[0] = i;
                b.amend_last_step(&cpu);
                changes.push(Change::SegBase {
                    gs: false,
                    new: 0x1000 + i,
                });
                changes.push(Change::Reg { reg: 0, new: i });
            }
            expected.push(changes);
        }
        let trace = b.build();
        let steps: Vec<(u64, Vec<Change>)> = (0..expected.len())
            .map(|i| (trace.steps[i].pc(), trace.changes_of(i)))
            .collect();
        let again = Trace::new(trace.initial.clone(), &steps, trace.events.clone());
        assert_eq!(again, trace, "the same steps make the same trace");
        let mut cursor = trace.cursor();
        for (i, changes) in expected.iter().enumerate() {
            assert_eq!(trace.changes_of(i), *changes, "step {i}");
            assert_eq!(cursor.changes(), *changes, "step {i}");
            assert_eq!(trace.steps[i].pc(), 0x40_1000 + i as u64);
            assert!(cursor.advance());
        }
        assert!(!cursor.advance());
        assert_eq!(cursor.snapshot().cpu.gpr, cpu.gpr);
        assert_eq!(cursor.snapshot().cpu.xmm, cpu.xmm);
        assert_eq!(cursor.snapshot().read(0x00c0_0000_0008, 8), 999);
    }
}
