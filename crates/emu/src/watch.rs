//! A watched run: the steps a caller asked for, reported as they happen,
//! none recorded, so memory stays flat however long the run.

use crate::decode::NOWHERE;
use crate::exec::Machine;
use crate::image::SymClass;
use iced_x86::Mnemonic;

use crate::Location;

/// Which steps a watched run reports, and to whom.
pub struct Watch<'w> {
    /// Report package main's boundaries: each function's first
    /// instruction, each `RET`, and the first step back in package code
    /// after steps elsewhere (where another goroutine may have taken over:
    /// package code never switches goroutines itself).
    pub package: bool,
    /// The first instruction of these functions too, e.g. `runtime.goexit1`.
    pub entries: Vec<String>,
    /// Called just before each such step runs; `false` ends the run
    /// there, before the step, as the step limit does
    /// ([`crate::Stop::StepLimit`]).
    pub report: &'w mut dyn FnMut(&Seen<'_>) -> bool,
}

/// A step of a watched run, just before it runs.
#[derive(Debug)]
pub struct Seen<'s> {
    /// Its number: the steps of every thread before it, counted from 0,
    /// as a traced run's [`crate::Trace`] numbers them.
    pub step: u64,
    /// Where it is.
    pub location: &'s Location,
    /// Why it is reported.
    pub boundary: Boundary,
    /// The id (`g.goid`) of the goroutine running it; none on a thread
    /// that runs no goroutine.
    pub goroutine: Option<u64>,
}

/// Why a watched step is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    /// A function's first instruction.
    Entry,
    /// A `RET`.
    Return,
    /// The first step in package code after steps elsewhere (or after the
    /// emulator switched threads).
    Arrival,
}

/// A [`Watch`] made ready for a loaded program.
pub(crate) struct Watcher<'w> {
    /// For each decoded instruction, its place in `watched`, with
    /// [`ALWAYS`] set for an entry or a return; [`NOWHERE`] for an
    /// instruction outside package code and not an entry asked for.
    marks: Vec<u32>,
    /// Where each watched instruction is, and what it is.
    watched: Vec<(Location, Boundary)>,
    /// Offset and size of `goid` in `runtime.g`.
    goid: Option<(u64, u64)>,
    /// The memory regions of the thread's `g` slot and of the `g` read last.
    hints: [usize; 2],
    report: &'w mut dyn FnMut(&Seen<'_>) -> bool,
}

/// The bit of a mark that says: report every time.
pub(crate) const ALWAYS: u32 = 1 << 31;

impl<'w> Watcher<'w> {
    /// Marks the instructions `watch` asks for in the loaded program.
    pub(crate) fn new(m: &Machine<'_>, watch: Watch<'w>) -> Watcher<'w> {
        let image = &m.image;
        let mut marks = vec![NOWHERE; image.code.len()];
        let mut watched = Vec::new();
        for sym in image.symbols.iter().filter(|s| s.class == SymClass::Func) {
            let package = watch.package && sym.package_func(m.listing).is_some();
            // By address: an assembly function's ABI wrapper has its name too.
            let entry = package
                || watch
                    .entries
                    .iter()
                    .any(|f| image.addr(f) == Some(sym.addr));
            if !entry {
                continue;
            }
            let end = if package {
                sym.addr + sym.size
            } else {
                sym.addr + 1
            };
            for pc in sym.addr..end {
                let at = image.index_of(pc);
                let Some(mark) = marks.get_mut(at as usize) else {
                    continue;
                };
                let boundary = if pc == sym.addr && entry {
                    Boundary::Entry
                } else if image.code[at as usize].ins.mnemonic() == Mnemonic::Ret {
                    Boundary::Return
                } else {
                    Boundary::Arrival
                };
                *mark = watched.len() as u32;
                if boundary != Boundary::Arrival {
                    *mark |= ALWAYS;
                }
                watched.push((m.location(pc), boundary));
            }
        }
        Watcher {
            marks,
            watched,
            goid: m.debug.member("runtime.g", "goid"),
            hints: [0; 2],
            report: watch.report,
        }
    }

    /// The mark of the decoded instruction `at`, when it is watched.
    #[inline(always)]
    pub(crate) fn mark(&self, at: u32) -> Option<u32> {
        self.marks
            .get(at as usize)
            .copied()
            .filter(|&m| m != NOWHERE)
    }
}

impl Machine<'_> {
    /// Reports step `step`, at the watched instruction of mark `mark`,
    /// before it runs; `false` when the run is to end there.
    #[inline(never)]
    pub(crate) fn report(&mut self, mark: u32, step: u64) -> bool {
        let goroutine = self.goroutine();
        let Some(w) = &mut self.watch else {
            return true;
        };
        let (location, boundary) = &w.watched[(mark & !ALWAYS) as usize];
        let seen = Seen {
            step,
            location,
            boundary: *boundary,
            goroutine,
        };
        let go_on = (w.report)(&seen);
        if !go_on {
            self.max_steps = step;
        }
        go_on
    }

    /// The running goroutine's id, a field of its `g`.
    fn goroutine(&mut self) -> Option<u64> {
        let w = self.watch.as_mut()?;
        let (off, size) = w.goid?;
        let [slot, at] = &mut w.hints;
        let word = self.arch.word();
        let g = self
            .mem
            .peek(self.cpu.g_slot(self.arch), word as usize, slot)?;
        if g == 0 {
            return None;
        }
        self.mem.peek(g + off, size.min(8) as usize, at)
    }
}
