//! What a run did before a step, walked forward to it: the last write to
//! every stack word (and the stack pointer of the step that made it), the
//! last entry of every package function at every stack pointer, and the
//! calls each package frame made. From these the names of a step's words
//! are told apart: a word that nothing wrote since its frame was entered is
//! *stale*, holding what an earlier frame (or the runtime) left there; a
//! word of a frame's outgoing area belongs to the call whose arguments or
//! results it last held.

use crate::{Change, Cursor, NumberMap, Run, StackView, abi};

/// The run walked forward to a step.
#[derive(Debug, Clone)]
pub struct History<'a> {
    run: &'a Run,
    cursor: Cursor<'a>,
    word: u64,
    /// The first instruction of each package function.
    entry_pcs: NumberMap<u64, ()>,
    /// The return address of each call instruction of package code.
    returns: NumberMap<u64, ()>,
    /// (entry pc, SP at entry: the return address's slot) -> the step that entered.
    entries: NumberMap<(u64, u64), usize>,
    /// Word address -> the last step that wrote any of its bytes, and SP before it.
    written: NumberMap<u64, (usize, u64)>,
    /// A return address's slot -> the calls of package code that pushed it: step, callee's entry.
    calls: NumberMap<u64, Vec<(usize, u64)>>,
    /// A call pushed by the step before, waiting to learn its callee: slot and step.
    pending: Option<(u64, usize)>,
    /// The allocating functions by their entry (`runtime.mallocgc`, and
    /// the size-specialised ones of Go 1.27), and the range their entries span.
    mallocs: NumberMap<u64, crate::frames::Malloc>,
    malloc_span: (u64, u64),
    /// The allocations not returned yet: return address, its slot, size,
    /// type, the function.
    allocating: Vec<(u64, u64, u64, u64, crate::frames::Malloc)>,
    /// Every object `runtime.mallocgc` gave, in order.
    allocs: Vec<Alloc>,
}

/// An object `runtime.mallocgc` gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alloc {
    /// Its address.
    pub addr: u64,
    /// The size asked for.
    pub size: u64,
    /// The runtime type it was given (`*_type`), 0 for bytes without pointers.
    pub typ: u64,
}

/// A call a package frame made: the step of its CALL and the callee's first instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// The step that ran the CALL instruction.
    pub step: usize,
    /// The callee's entry.
    pub callee: u64,
}

impl<'a> History<'a> {
    /// The history of `run` before its first step.
    ///
    /// # Panics
    ///
    /// When the run was not traced.
    pub fn new(run: &'a Run) -> History<'a> {
        let trace = run.trace.as_ref().expect("histories are of traced runs");
        let layout = &run.layout;
        History {
            run,
            cursor: trace.cursor(),
            word: layout.word(),
            entry_pcs: layout.package_entries().map(|pc| (pc, ())).collect(),
            returns: layout.call_returns().map(|pc| (pc, ())).collect(),
            entries: NumberMap::default(),
            written: NumberMap::default(),
            calls: NumberMap::default(),
            pending: None,
            mallocs: layout.mallocs().into_iter().map(|m| (m.entry, m)).collect(),
            malloc_span: layout.mallocs().iter().fold((u64::MAX, 0), |(lo, hi), m| {
                (lo.min(m.entry), hi.max(m.entry))
            }),
            allocating: Vec::new(),
            allocs: Vec::new(),
        }
    }

    /// The run.
    pub fn run(&self) -> &'a Run {
        self.run
    }

    /// The cursor, at the step the history has reached.
    pub fn cursor(&self) -> &Cursor<'a> {
        &self.cursor
    }

    /// Walks forward until `step` is the one about to run (or the run ends).
    pub fn advance_to(&mut self, step: usize) {
        let w = self.word;
        while self.cursor.step() < step {
            let i = self.cursor.step();
            let snap = self.cursor.snapshot();
            let pc = snap.cpu.rip;
            let sp = snap.cpu.gpr[abi::RSP];
            if let Some((slot, at)) = self.pending.take() {
                self.calls.entry(slot).or_default().push((at, pc));
            }
            if self.entry_pcs.contains_key(&pc) {
                self.entries.insert((pc, sp), i);
            }
            self.allocation(pc, sp);
            let (written, returns, pending) = (&mut self.written, &self.returns, &mut self.pending);
            let more = self.cursor.advance_with(|change| {
                if let Change::Mem { addr, size, new } = *change {
                    let (start, end) = (addr.get(), addr.get() + u64::from(size));
                    // A CALL of package code pushes its return address at SP - w.
                    if u64::from(size) == w
                        && start == sp.wrapping_sub(w)
                        && returns.contains_key(&new)
                    {
                        *pending = Some((start, i));
                    }
                    let mut word = start - start % w;
                    while word < end {
                        written.insert(word, (i, sp));
                        word += w;
                    }
                }
            });
            if !more {
                break;
            }
        }
        self.settle();
    }

    /// Records what the step about to run already says: the callee of the
    /// call just made, the entry of a package function just reached.
    fn settle(&mut self) {
        let snap = self.cursor.snapshot();
        let (pc, sp) = (snap.cpu.rip, snap.cpu.gpr[abi::RSP]);
        if let Some((slot, at)) = self.pending.take() {
            self.calls.entry(slot).or_default().push((at, pc));
        }
        if self.entry_pcs.contains_key(&pc) {
            self.entries.insert((pc, sp), self.cursor.step());
        }
    }

    /// Follows the allocating functions: size and type at an entry, the
    /// object when that call returns. A call made from inside one (mallocgc
    /// passing on to a size-specialised one) is the allocation already followed.
    fn allocation(&mut self, pc: u64, sp: u64) {
        let snap = self.cursor.snapshot();
        let w = self.word;
        if (self.malloc_span.0..=self.malloc_span.1).contains(&pc)
            && let Some(&m) = self.mallocs.get(&pc)
        {
            let ret = snap.read(sp, w as usize);
            if !self.run.layout.in_malloc(ret) {
                let size = m.size.read(snap, sp + w, w);
                let typ = m.typ.map_or(0, |t| t.read(snap, sp + w, w));
                self.allocating.push((ret, sp, size, typ, m));
            }
        } else if let Some(&(ret, slot, size, typ, m)) = self.allocating.last()
            && pc == ret
            && sp == slot + w
        {
            self.allocating.pop();
            self.allocs.push(Alloc {
                addr: m.result.read(snap, sp, w),
                size,
                typ,
            });
        }
    }

    /// The object of the heap that holds `addr`, by the order the run
    /// allocated it (1 for its first `runtime.mallocgc`), and the offset in it.
    pub fn heap_object(&self, addr: u64) -> Option<(usize, u64)> {
        let i = self
            .allocs
            .iter()
            .rposition(|a| addr >= a.addr && addr < a.addr + a.size.max(1))?;
        Some((i + 1, addr - self.allocs[i].addr))
    }

    /// The `k`-th object the run allocated (1 for the first), as
    /// [`History::heap_object`] numbers them.
    pub fn alloc(&self, k: usize) -> Option<Alloc> {
        self.allocs.get(k.checked_sub(1)?).copied()
    }

    /// The step that entered the package function whose first instruction
    /// is `entry`, with its return address at `ret_slot`, most recently.
    pub fn entered(&self, entry: u64, ret_slot: u64) -> Option<usize> {
        self.entries.get(&(entry, ret_slot)).copied()
    }

    /// The last step that wrote the word at `addr`, and SP just before it.
    pub fn written(&self, addr: u64) -> Option<(usize, u64)> {
        self.written.get(&addr).copied()
    }

    /// The calls whose return address went to `slot` (a frame's SP minus a word), oldest first.
    pub fn calls(&self, slot: u64) -> impl Iterator<Item = Call> + '_ {
        self.calls
            .get(&slot)
            .into_iter()
            .flatten()
            .map(|&(step, callee)| Call { step, callee })
    }

    /// The stack at the step reached, its words named with what the walk knows.
    pub fn stack(&self) -> StackView {
        self.run.layout.stack_at(self)
    }
}
