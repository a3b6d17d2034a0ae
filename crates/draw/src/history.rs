//! What a run wrote where, and when it entered each package frame, walked
//! forward to a step: a word of a package frame that nothing wrote since
//! the frame was entered is *stale*, holding what an earlier frame (or the
//! runtime) left there, not a value of the function's.

use std::collections::HashSet;

use gostack_emu::{Change, Cursor, NumberMap, Run, StackView, abi};

/// The run walked forward, with the last write to every word and the last
/// entry of every package function at every stack pointer.
#[derive(Debug, Clone)]
pub(crate) struct History<'a> {
    cursor: Cursor<'a>,
    word: u64,
    /// The first instruction of each package function.
    entry_pcs: NumberMap<u64, ()>,
    /// (entry pc, SP at entry: the return address's slot) -> the step that entered.
    entries: NumberMap<(u64, u64), usize>,
    /// Word address -> the last step that wrote any of its bytes.
    written: NumberMap<u64, usize>,
}

impl<'a> History<'a> {
    /// The history of `run` before its first step.
    pub(crate) fn new(run: &'a Run) -> History<'a> {
        let trace = run.trace.as_ref().expect("histories are of traced runs");
        let layout = &run.layout;
        let entry_pcs = layout.package_entries().map(|pc| (pc, ())).collect();
        History {
            cursor: trace.cursor(),
            word: layout.word(),
            entry_pcs,
            entries: NumberMap::default(),
            written: NumberMap::default(),
        }
    }

    /// The cursor, at the step the history has reached.
    pub(crate) fn cursor(&self) -> &Cursor<'a> {
        &self.cursor
    }

    /// Walks forward until `step` is the one about to run (or the run ends).
    pub(crate) fn advance_to(&mut self, step: usize) {
        let w = self.word;
        while self.cursor.step() < step {
            let i = self.cursor.step();
            let snap = self.cursor.snapshot();
            let pc = snap.cpu.rip;
            if self.entry_pcs.contains_key(&pc) {
                self.entries.insert((pc, snap.cpu.gpr[abi::RSP]), i);
            }
            let written = &mut self.written;
            let more = self.cursor.advance_with(|change| {
                if let Change::Mem { addr, size, .. } = *change {
                    let (start, end) = (addr.get(), addr.get() + u64::from(size));
                    let mut word = start - start % w;
                    while word < end {
                        written.insert(word, i);
                        word += w;
                    }
                }
            });
            if !more {
                break;
            }
        }
    }

    /// The words of the package frames of `view` (the stack at the step
    /// reached) that nothing wrote since their frame was entered. A frame
    /// whose entry the walk did not see at its present place (a stack that
    /// has been copied since) has none.
    pub(crate) fn stale(&self, run: &Run, view: &StackView) -> HashSet<u64> {
        let mut out = HashSet::new();
        for f in view.frames.iter().filter(|f| f.func.starts_with("main.")) {
            let Some(entered) = run
                .layout
                .addr(&f.func)
                .and_then(|pc| self.entries.get(&(pc, f.ret_slot)))
            else {
                continue;
            };
            let mut addr = f.sp;
            while addr < f.ret_slot {
                if self.written.get(&addr).is_none_or(|w| w < entered) {
                    out.insert(addr);
                }
                addr += self.word;
            }
        }
        out
    }
}
