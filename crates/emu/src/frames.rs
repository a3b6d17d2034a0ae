//! The stack at one step, explained: the live frames from the innermost
//! out, and every stack word with what it is (a named slot, an argument
//! spill slot the caller reserved, a saved BP, a return address, or nothing
//! known).
//!
//! How far each function's frame is built at a pc comes from the
//! executable's DWARF call frame information (see [`crate::debuginfo`]), for
//! the runtime's functions as for the package's; the package's named slots
//! come from its listing.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use gostack_listing::{Base, Listing, Pos};
use iced_x86::{Mnemonic, OpKind, Register};

use crate::debuginfo::vars as debuginfo_vars;
use crate::image::{Image, SymClass};
use crate::{Arch, Cpu};

pub(crate) mod assign;
mod names;

/// What the listing says of a package function for the stack pictures.
#[derive(Debug, Clone, Default)]
pub(crate) struct FuncInfo {
    /// Bytes the body's frame takes below the return address (saved BP included on amd64).
    pub(crate) frame_size: u64,
    /// Named slots: name, offset from the body's SP.
    pub(crate) slots: Vec<(String, i64)>,
    /// Source position and assembly text of each instruction offset.
    pub(crate) lines: BTreeMap<u64, (Option<Pos>, String)>,
    /// Where the function has saved BP (amd64 functions with a frame): the
    /// pc just after its prologue's `PUSHQ BP` or `MOVQ BP, k(SP)`.
    pub(crate) bp_saved_from: Option<u64>,
    /// Its closure contexts, deferred-call records, stack objects and calls.
    pub(crate) facts: names::Facts,
}

/// Works out each package function's frame facts from its listing and code.
fn analyse(image: &Image, listing: &Listing, arch: Arch) -> BTreeMap<u64, FuncInfo> {
    let mut out = BTreeMap::new();
    for sym in image.symbols.iter().filter(|s| s.class == SymClass::Func) {
        let Some((name, func)) = sym.package_func(listing) else {
            continue;
        };
        let frame_size = func.frame_size.max(0) as u64;
        let mut info = FuncInfo {
            frame_size,
            bp_saved_from: (arch == Arch::Amd64)
                .then(|| bp_saved_from(image, sym.addr))
                .flatten(),
            facts: names::facts(listing, name, func, arch),
            ..FuncInfo::default()
        };
        for instr in func.instrs.iter().filter(|i| !i.is_pseudo()) {
            info.lines
                .insert(u64::from(instr.pc), (instr.pos.clone(), instr.text()));
            for op in &instr.stack_operands {
                // Both are offsets from the hardware SP at the instruction:
                // the compiler prints a parameter of a frameless function
                // as `main.nums+8(FP)` for SP+8, the word above the return
                // address.
                let offset = match op.base {
                    Base::Sp | Base::Fp => op.offset,
                };
                if !info
                    .slots
                    .iter()
                    .any(|(n, o)| *n == op.name && *o == offset)
                {
                    info.slots.push((op.name.clone(), offset));
                }
            }
        }
        out.insert(sym.addr, info);
    }
    out
}

/// Memory and registers at one step of a run.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The registers.
    pub cpu: Cpu,
    /// The pages written, by page number: their index in `pages`.
    index: NumberMap<u64, u32>,
    pages: Vec<Box<[u8; PAGE]>>,
    /// The page written last and its index in `pages`: writes come in runs on one page.
    last: Option<(u64, u32)>,
}

const PAGE: usize = 4096;

impl PartialEq for Snapshot {
    /// The same registers and the same bytes in every page written.
    fn eq(&self, other: &Snapshot) -> bool {
        self.cpu == other.cpu
            && self.index.len() == other.index.len()
            && self.index.iter().all(|(n, &i)| {
                other
                    .index
                    .get(n)
                    .is_some_and(|&j| self.pages[i as usize] == other.pages[j as usize])
            })
    }
}

impl Snapshot {
    pub(crate) fn new(cpu: Cpu) -> Snapshot {
        Snapshot {
            cpu,
            ..Snapshot::default()
        }
    }

    /// The page numbered `n`, made (zeroed) when it was never written.
    #[inline]
    fn page_mut(&mut self, n: u64) -> &mut [u8; PAGE] {
        let i = match self.last {
            Some((m, i)) if m == n => i,
            _ => {
                let pages = &mut self.pages;
                let i = *self.index.entry(n).or_insert_with(|| {
                    pages.push(Box::new([0; PAGE]));
                    (pages.len() - 1) as u32
                });
                self.last = Some((n, i));
                i
            }
        };
        &mut self.pages[i as usize]
    }

    /// Writes bytes at `addr`.
    #[inline]
    pub(crate) fn write(&mut self, addr: u64, bytes: &[u8]) {
        let off = (addr % PAGE as u64) as usize;
        if off + bytes.len() <= PAGE {
            self.page_mut(addr / PAGE as u64)[off..off + bytes.len()].copy_from_slice(bytes);
            return;
        }
        for (i, b) in bytes.iter().enumerate() {
            let a = addr + i as u64;
            self.page_mut(a / PAGE as u64)[(a % PAGE as u64) as usize] = *b;
        }
    }

    /// Reads a little-endian value of up to eight bytes (unwritten memory reads as zero).
    pub fn read(&self, addr: u64, size: usize) -> u64 {
        let mut buf = [0u8; 8];
        for (i, b) in buf.iter_mut().take(size).enumerate() {
            let a = addr + i as u64;
            if let Some(&p) = self.index.get(&(a / PAGE as u64)) {
                *b = self.pages[p as usize][(a % PAGE as u64) as usize];
            }
        }
        u64::from_le_bytes(buf)
    }
}

/// Hashes numbers (page numbers, addresses): a multiplication mixes them
/// well enough, far faster than the standard hasher.
#[derive(Debug, Default, Clone, Copy)]
pub struct NumberHasher(u64);

/// A map keyed by numbers, hashed with [`NumberHasher`].
pub type NumberMap<K, V> = HashMap<K, V, BuildHasherDefault<NumberHasher>>;

impl Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let h = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// One live frame, innermost first in [`StackView::frames`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The function, e.g. `main.add1` or `runtime.deferreturn`.
    pub func: String,
    /// Where execution is in it: the current pc for the innermost frame, the return address for the others.
    pub pc: u64,
    /// `pc` as an offset in the function.
    pub offset: u64,
    /// The Go source position of `pc`.
    pub pos: Option<Pos>,
    /// The frame's lowest address: SP while this function runs.
    pub sp: u64,
    /// The address of the slot holding this frame's return address.
    pub ret_slot: u64,
    /// The address of this frame's saved BP, when it saved one (amd64).
    pub bp_slot: Option<u64>,
}

/// What a stack word is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A slot the listing names in the function owning the frame (`a`, `~r0`, `.autotmp_4`).
    Named {
        /// The function.
        func: String,
        /// The name.
        name: String,
        /// Offset from that function's SP.
        offset: i64,
    },
    /// A slot in the caller's frame that the callee names: the register ABI's
    /// spill slot for an argument, or a stack argument or result on 386.
    Arg {
        /// The callee.
        callee: String,
        /// The name.
        name: String,
    },
    /// A return address.
    ReturnAddr {
        /// Where it returns to, as `func+0x25`.
        to: String,
        /// The source line there.
        pos: Option<Pos>,
    },
    /// A saved BP, pointing at the saved BP of the frame named.
    SavedBp {
        /// The frame whose BP slot it points to.
        of: Option<String>,
    },
    /// A field of a deferred-call record (`runtime._defer`) on the goroutine's defer chain.
    Defer {
        /// `sp`, `pc`, `fn` or `link`.
        field: &'static str,
        /// Position of the record in the chain, 0 = the next to run.
        index: usize,
    },
    /// What the pictures call a word of a package function's frame, one per
    /// word, unique in its frame: the part of a variable it holds (from the
    /// executable's DWARF and the listing), the callee's parameter it passes,
    /// or, when nothing covers it, `unused +8`.
    Word {
        /// The function whose variable it is, or the callee whose parameter it is.
        func: String,
        /// The word's name: `b`, `s.len`, `closure.&a`, `_defer.fn`, `a.cap`, `.autotmp_3+8`.
        name: String,
        /// The variable or parameter (`s`, `closure`, `_defer`, `a`); empty for an unused word.
        var: String,
        /// The word's offset in its variable, in bytes: 0 for its first word.
        part: u64,
        /// What the word is for.
        role: WordRole,
        /// It holds what an earlier frame, call or the runtime left there,
        /// not a value of what names it: nothing wrote it since its frame
        /// was entered, or since the call whose argument it is was made.
        /// Known only from a run's history ([`Layout::stack_at`]).
        stale: bool,
        /// The bytes of the word it names, offset and length, when it is
        /// smaller than a word (`bool`, `int16`): a word may then hold
        /// several, each its own `Slot::Word`.
        bytes: Option<(u8, u8)>,
    },
}

/// What a [`Slot::Word`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordRole {
    /// A variable of the frame's function (a compiler's temporary included).
    Local,
    /// A field of a deferred-call record (`runtime._defer`) the function built.
    Defer,
    /// A stack-assigned argument or result of a callee (on 386 every one).
    Arg,
    /// The spill slot the caller reserves for a callee's register-assigned
    /// argument (amd64): the callee may store the register there.
    Spill,
    /// Nothing the function's variables or calls cover.
    Unused,
}

/// A register of the CPU that can hold a Go value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reg {
    /// A general register, by its index in [`crate::Cpu::gpr`] (see [`crate::GPR_NAMES`]).
    Gpr(usize),
    /// An XMM register, by its number.
    Xmm(usize),
}

/// A register that holds a variable, an argument or a result of the
/// innermost package frame at the step: at its entry its arguments as the
/// register ABI passes them, at its `RET` its results, just after a call
/// the callee's results, elsewhere what DWARF's location lists say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegVar {
    /// The register.
    pub reg: Reg,
    /// The function whose variable or parameter it is.
    pub func: String,
    /// The name of the part it holds: `a`, `p.x`, `s.len`, `~r0`, `c.real`.
    pub name: String,
    /// Bytes of the part.
    pub size: u64,
    /// A floating-point number.
    pub float: bool,
}

/// The stack at one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackView {
    /// Live frames, innermost first.
    pub frames: Vec<Frame>,
    /// Each word from SP to the top of the stack, lowest address first: address, value, what it is.
    pub words: Vec<(u64, u64, Vec<Slot>)>,
    /// The goroutine stack's bounds `[lo, hi)`.
    pub bounds: (u64, u64),
    /// The registers that hold a value of the innermost package frame.
    pub registers: Vec<RegVar>,
}

/// The name and offset of an address in a symbol, for return addresses.
pub(crate) fn code_name(image: &Image, addr: u64) -> Option<(String, u64)> {
    let sym = image.symbol_at(addr)?;
    Some((sym.name.clone(), addr - sym.addr))
}

/// Every word from SP to the top of the stack with what the frames say it
/// is: return addresses, saved BPs, the named slots of package functions.
fn label_words(
    image: &Image,
    funcs: &BTreeMap<u64, FuncInfo>,
    arch: Arch,
    snap: &Snapshot,
    frames: &[Frame],
    (lo, hi): (u64, u64),
) -> Vec<(u64, u64, Vec<Slot>)> {
    let w = arch.word();
    let top_sp = snap.cpu.gpr[crate::cpu::RSP];
    let mut words: Vec<(u64, u64, Vec<Slot>)> = Vec::new();
    let mut a = top_sp;
    while a + w <= hi && a >= lo {
        words.push((a, snap.read(a, w as usize), Vec::new()));
        a += w;
    }
    let count = words.len();
    let index = |addr: u64| -> Option<usize> {
        if addr < top_sp || addr % w != top_sp % w {
            return None;
        }
        let i = ((addr - top_sp) / w) as usize;
        (i < count).then_some(i)
    };
    for (k, f) in frames.iter().enumerate() {
        if let Some(i) = index(f.ret_slot) {
            let ret = words[i].1;
            let to = code_name(image, ret)
                .map_or_else(|| format!("{ret:#x}"), |(n, o)| format!("{n}+{o:#x}"));
            let pos = frames
                .get(k + 1)
                .filter(|c| c.pc == ret)
                .and_then(|c| c.pos.clone());
            words[i].2.push(Slot::ReturnAddr { to, pos });
        }
        if let Some(bp) = f.bp_slot
            && let Some(i) = index(bp)
        {
            let value = words[i].1;
            let of = frames
                .iter()
                .find(|g| g.bp_slot == Some(value))
                .map(|g| g.func.clone());
            words[i].2.push(Slot::SavedBp { of });
        }
        let Some(info) = image.symbol_at(f.pc).and_then(|s| funcs.get(&s.addr)) else {
            continue;
        };
        let body_sp = f.ret_slot.saturating_sub(info.frame_size);
        for (name, offset) in &info.slots {
            let addr = body_sp.wrapping_add(*offset as u64);
            let Some(i) = index(addr - addr % w + top_sp % w) else {
                continue;
            };
            let slot = if addr > f.ret_slot {
                Slot::Arg {
                    callee: f.func.clone(),
                    name: name.clone(),
                }
            } else {
                Slot::Named {
                    func: f.func.clone(),
                    name: name.clone(),
                    offset: *offset,
                }
            };
            if !words[i].2.contains(&slot) {
                words[i].2.push(slot);
            }
        }
    }
    words
}

/// The `g` of the thread in `snap`: the word just below the TLS base
/// (FS on amd64, GS on 386), where the runtime keeps it.
fn current_g(arch: Arch, snap: &Snapshot) -> u64 {
    snap.read(snap.cpu.g_slot(arch), arch.word() as usize)
}

/// Explains the stack of a whole executable's run: the frames from SP up,
/// each function's extent from the debug facts, to the goroutine's first
/// frame (`runtime.goexit`) or the top of the stack the thread runs on.
fn stack_view(layout: &Layout, snap: &Snapshot, past: Option<&crate::History<'_>>) -> StackView {
    let (image, funcs, arch, whole) = (&layout.image, &layout.funcs, layout.arch, &layout.whole);
    let w = arch.word();
    let g = current_g(arch, snap);
    let sp0 = snap.cpu.gpr[crate::cpu::RSP];
    let (lo, hi) = (snap.read(g, w as usize), snap.read(g + w, w as usize));
    // On a stack the goroutine does not own (a system or signal stack), walk as far as the frames go.
    let on_g = g != 0 && sp0 >= lo && sp0 < hi;
    let (lo, mut hi) = if on_g { (lo, hi) } else { (sp0, u64::MAX) };
    let mut frames = Vec::new();
    let (mut pc, mut sp) = (snap.cpu.rip, sp0);
    let mut innermost = true;
    // The frame below was runtime.sigpanic: this frame's pc is where it
    // faulted, not a return address (the signal handler made the fault
    // look like a call to sigpanic), so it is looked up as it is.
    let mut faulted = false;
    while sp >= lo && sp < hi && frames.len() < 10_000 {
        // A return address may be just past its function's last call: look up the call.
        let at = if innermost || faulted {
            pc
        } else {
            pc.wrapping_sub(1)
        };
        let Some(sym) = image.symbol_at(at) else {
            break;
        };
        if sym.name == "runtime.goexit" {
            break;
        }
        // Where Go's own traceback stops: a thread's first frame, or a switch
        // of stacks the frame facts do not follow.
        let top = TOP_FRAMES.contains(&sym.name.as_str());
        let Some(extent) = whole.debug.frame_extent(at) else {
            break;
        };
        let offset = pc - sym.addr;
        let info = funcs.get(&sym.addr);
        let ret_slot = sp + extent - w;
        // The saved BP's slot is the frame's top word once the prologue has stored BP there.
        let saved_from = match info {
            Some(i) => i.bp_saved_from,
            None if arch == Arch::Amd64 && extent >= 2 * w => bp_saved_from(image, sym.addr),
            None => None,
        };
        let bp_slot = saved_from
            .is_some_and(|from| at >= from && extent >= 2 * w)
            .then(|| ret_slot - w);
        let pos = match info {
            Some(i) => i
                .lines
                .range(..=at - sym.addr)
                .next_back()
                .and_then(|(_, (p, _))| p.clone()),
            None => whole.debug.line(at).map(|(file, line)| Pos { file, line }),
        };
        faulted = sym.name == "runtime.sigpanic";
        frames.push(Frame {
            func: sym.name.clone(),
            pc,
            offset,
            pos,
            sp,
            ret_slot,
            bp_slot,
        });
        if !on_g {
            hi = hi.min(ret_slot.saturating_add(w).max(sp));
        }
        if top || (ret_slot + w > hi && on_g) {
            break;
        }
        pc = snap.read(ret_slot, w as usize);
        sp = ret_slot + w;
        innermost = false;
        if !on_g && image.symbol_at(pc.wrapping_sub(1)).is_none() {
            break;
        }
    }
    if !on_g {
        hi = frames.last().map_or(sp0, |f| f.ret_slot + w);
    }
    let mut words = label_words(image, funcs, arch, snap, &frames, (lo, hi));
    names::name_words(layout, &frames, &mut words, past);
    if on_g {
        label_defers(&whole.debug, arch, snap, g, &mut words);
    }
    let registers = names::register_names(layout, snap, &frames, past);
    StackView {
        frames,
        words,
        bounds: (lo, hi),
        registers,
    }
}

/// Labels the fields of the deferred-call records on the goroutine's defer
/// chain (`g._defer`, linked by `link`) that lie in the stack words: the
/// records `-N -l` code builds in its frame for `runtime.deferprocStack`.
/// The layouts come from the executable's DWARF, so they hold for any Go.
fn label_defers(
    debug: &crate::debuginfo::DebugInfo,
    arch: Arch,
    snap: &Snapshot,
    g: u64,
    words: &mut [(u64, u64, Vec<Slot>)],
) {
    let w = arch.word();
    let field = |name: &str| debug.member("runtime._defer", name).map(|(off, _)| off);
    let (Some((head, _)), Some(link)) = (debug.member("runtime.g", "_defer"), field("link")) else {
        return;
    };
    let fields: Vec<(&'static str, u64)> =
        [("sp", "sp"), ("pc", "pc"), ("fn", "fn"), ("link", "link")]
            .into_iter()
            .filter_map(|(label, name)| Some((label, field(name)?)))
            .collect();
    let mut d = snap.read(g + head, w as usize);
    let mut n = 0;
    while d != 0 && n < 1000 {
        for &(label, off) in &fields {
            let addr = d + off;
            if let Some(word) = words.iter_mut().find(|(a, _, _)| *a == addr) {
                word.2.push(Slot::Defer {
                    field: label,
                    index: n,
                });
            }
        }
        d = snap.read(d + link, w as usize);
        n += 1;
    }
}

/// Functions above which no frame is walked: a thread's first function,
/// and those that switch stacks, where the frame facts say nothing of the
/// switch (the frames above them are on another stack).
const TOP_FRAMES: &[&str] = &[
    "runtime.rt0_go",
    "runtime.mstart",
    "runtime.morestack",
    "runtime.mcall",
    "runtime.systemstack",
    "runtime.asmcgocall",
    "runtime.sigtramp",
];

/// Where a function's prologue has stored BP on the stack: the pc after
/// `PUSHQ BP` (Go 1.21 on) or `MOVQ BP, k(SP)` (Go 1.20 and before, after
/// `SUBQ $n, SP`), among its first instructions; `None` when it keeps no frame.
fn bp_saved_from(image: &Image, entry: u64) -> Option<u64> {
    let mut pc = entry;
    for _ in 0..6 {
        let ins = image.instr(pc)?;
        let pushes = ins.mnemonic() == Mnemonic::Push && ins.op_register(0) == Register::RBP;
        let stores = ins.mnemonic() == Mnemonic::Mov
            && ins.op0_kind() == OpKind::Memory
            && ins.memory_base() == Register::RSP
            && ins.memory_index() == Register::None
            && ins.op1_kind() == OpKind::Register
            && ins.op1_register() == Register::RBP;
        if pushes || stores {
            return Some(ins.next_ip());
        }
        pc = ins.next_ip();
    }
    None
}

/// Where a word-sized parameter is at a function's entry or return.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Where {
    /// In a general register.
    Gpr(usize),
    /// In the argument area, at this offset from its start.
    Stack(u64),
}

impl Where {
    /// The parameter's value, with the argument area starting at `args`.
    pub(crate) fn read(self, snap: &Snapshot, args: u64, w: u64) -> u64 {
        match self {
            Where::Gpr(n) => snap.cpu.gpr[n] & if w == 4 { 0xffff_ffff } else { u64::MAX },
            Where::Stack(at) => snap.read(args.wrapping_add(at), w as usize),
        }
    }
}

/// `runtime.mallocgc`: its entry, and where its size, type and object are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Malloc {
    pub(crate) entry: u64,
    pub(crate) size: Where,
    /// Its `typ`: the runtime type of the object, nil for bytes without pointers.
    pub(crate) typ: Option<Where>,
    pub(crate) result: Where,
}

/// Which part of the address space an address is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// The executable's code.
    Code,
    /// The executable's data and read-only data.
    Data,
    /// Memory the program mapped: the heap, goroutine stacks, the runtime's own.
    Heap,
    /// The main thread's stack, as the kernel set it up.
    Stack,
    /// Not an address the run uses: a plain number.
    None,
}

/// Everything needed to explain addresses after the run: symbols, decoded
/// code, the package's frames from the listing, every frame's extent from
/// the executable's debug facts, and what the run mapped.
#[derive(Debug, Clone)]
pub struct Layout {
    pub(crate) image: Image,
    pub(crate) funcs: BTreeMap<u64, FuncInfo>,
    pub(crate) arch: Arch,
    pub(crate) whole: std::sync::Arc<Whole>,
}

/// What is known of the run beyond its symbols.
#[derive(Debug)]
pub(crate) struct Whole {
    /// Frame extents and lines of every function.
    pub(crate) debug: crate::debuginfo::DebugInfo,
    /// The mapped ranges `[start, end)` at the end of the run, and what they hold.
    pub(crate) regions: Vec<(u64, u64, Region)>,
    /// The read-only data segment: its address and bytes.
    pub(crate) rodata: (u64, Vec<u8>),
    /// The package's string literals from the listing (`go:string."hi"`)
    /// with their bytes: the linker gives them no symbol of their own.
    pub(crate) strings: Vec<(String, Vec<u8>)>,
    /// The type descriptors package code refers to, by address, sorted.
    pub(crate) types: Vec<(u64, String)>,
}

impl Whole {
    /// The listing's string literal whose bytes are at `addr` in read-only data.
    fn string_at(&self, addr: u64) -> Option<&str> {
        let (base, bytes) = &self.rodata;
        let off = usize::try_from(addr.checked_sub(*base)?).ok()?;
        self.strings
            .iter()
            .find(|(_, s)| bytes.get(off..off + s.len()) == Some(s.as_slice()))
            .map(|(name, _)| name.as_str())
    }
}

impl Layout {
    /// The layout of a run: package functions named from the listing, every
    /// other frame walked by the executable's debug facts.
    pub(crate) fn new(image: Image, listing: &Listing, arch: Arch, whole: Whole) -> Layout {
        let funcs = analyse(&image, listing, arch);
        Layout {
            image,
            funcs,
            arch,
            whole: std::sync::Arc::new(whole),
        }
    }

    /// The symbol holding `addr` and the offset in it, e.g. `("main.add1", 0x33)`.
    pub fn symbolize(&self, addr: u64) -> Option<(String, u64)> {
        code_name(&self.image, addr)
            .or_else(|| {
                let name = self.whole.string_at(addr)?;
                Some((name.to_string(), 0))
            })
            .or_else(|| {
                let types = &self.whole.types;
                let i = types.binary_search_by_key(&addr, |t| t.0).ok()?;
                Some((types[i].1.clone(), 0))
            })
    }

    /// The GOARCH of the run.
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// Bytes in a pointer.
    pub fn word(&self) -> u64 {
        self.arch.word()
    }

    /// What kind of memory `addr` is in, by what the run mapped.
    pub fn region(&self, addr: u64) -> Region {
        let regions = &self.whole.regions;
        let i = regions.partition_point(|r| r.0 <= addr);
        match i.checked_sub(1).map(|i| regions[i]) {
            Some((_, end, region)) if addr < end => region,
            _ => Region::None,
        }
    }

    /// A package function's frame: its size and its named slots (name, offset from its SP), by offset.
    pub fn frame_slots(&self, func: &str) -> Option<(u64, Vec<(String, i64)>)> {
        let info = self.funcs.get(&self.image.addr(func)?)?;
        let mut slots = info.slots.clone();
        slots.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Some((info.frame_size, slots))
    }

    /// A package function's instructions: offset, source position, assembly text.
    pub fn instructions(&self, func: &str) -> Option<Vec<(u64, Option<Pos>, String)>> {
        let info = self.funcs.get(&self.image.addr(func)?)?;
        Some(
            info.lines
                .iter()
                .map(|(off, (pos, asm))| (*off, pos.clone(), asm.clone()))
                .collect(),
        )
    }

    /// The first instruction of each function of package main.
    pub fn package_entries(&self) -> impl Iterator<Item = u64> + '_ {
        self.funcs.keys().copied()
    }

    /// Whether `pc` is in a function of package main (one the listing has).
    pub fn in_package(&self, pc: u64) -> bool {
        self.image
            .symbol_at(pc)
            .is_some_and(|s| self.funcs.contains_key(&s.addr))
    }

    /// The running goroutine's `g` and the top (`g.stack.hi`) of its
    /// stack: what a depth on it is counted from, the same after the
    /// runtime copies the stack elsewhere.
    pub fn goroutine_top(&self, snap: &Snapshot) -> (u64, u64) {
        let g = current_g(self.arch, snap);
        let w = self.arch.word();
        (
            g,
            if g == 0 {
                0
            } else {
                snap.read(g + w, w as usize)
            },
        )
    }

    /// The address of a symbol.
    pub fn addr(&self, name: &str) -> Option<u64> {
        self.image.addr(name)
    }

    /// Where `pc` is: function, offset, source position and, in the
    /// package's code, the listing's assembly text.
    pub fn location(&self, pc: u64) -> crate::Location {
        crate::Location::of(&self.image, &self.whole.debug, pc, |sym, offset| {
            self.funcs.get(&sym.addr)?.lines.get(&offset).cloned()
        })
    }

    /// The stack of `snap`, frame by frame and word by word, as far as one
    /// step tells: a word of an outgoing argument area is named by the
    /// live callee's parameters, else by the calls the code makes from
    /// here on. [`Layout::stack_at`] knows which call last used each word.
    pub fn stack(&self, snap: &Snapshot) -> StackView {
        stack_view(self, snap, None)
    }

    /// The stack at the step `history` has reached, each word of a package
    /// frame named by what the run did before it: a variable's word that
    /// nothing wrote since its frame was entered, or an argument word that
    /// no write since the call it belongs to has filled, is stale; a word of
    /// an outgoing area that no live call owns is named by the call that
    /// last used it.
    pub fn stack_at(&self, history: &crate::History<'_>) -> StackView {
        stack_view(self, history.cursor().snapshot(), Some(history))
    }

    /// The functions that allocate an object and return it: `runtime.mallocgc`,
    /// and since Go 1.27 the size-specialised ones the compiler calls
    /// directly (`runtime.mallocgcSmallScanNoHeaderSC2`, `...TinySC2`), each
    /// with where it takes its size and type and gives its object.
    pub(crate) fn mallocs(&self) -> Vec<Malloc> {
        let specialised = |name: &str| {
            name.strip_prefix("runtime.mallocgc").is_some_and(|rest| {
                rest.rsplit_once("SC")
                    .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
        };
        self.image
            .symbols
            .iter()
            .filter(|s| s.name == "runtime.mallocgc" || specialised(&s.name))
            .filter_map(|s| self.malloc_of(&s.name, s.addr))
            .collect()
    }

    /// Where allocating function `name` takes its size and type and gives its object.
    fn malloc_of(&self, name: &str, entry: u64) -> Option<Malloc> {
        let vars = self.whole.debug.vars().variables(name);
        let placed = assign::assign(self.arch, &vars)?;
        let find = |role, name: Option<&str>| {
            placed
                .iter()
                .find(|p| p.var.role == role && name.is_none_or(|n| p.var.name == n))
                .map(|p| match &p.place {
                    assign::Place::Stack(at) => Where::Stack(*at),
                    assign::Place::Regs(regs) => match regs.first() {
                        Some((_, Reg::Gpr(n), _)) => Where::Gpr(*n),
                        _ => Where::Stack(u64::MAX),
                    },
                })
        };
        Some(Malloc {
            entry,
            size: find(debuginfo_vars::VarRole::Arg, Some("size"))?,
            typ: find(debuginfo_vars::VarRole::Arg, Some("typ")),
            result: find(debuginfo_vars::VarRole::Result, None)?,
        })
    }

    /// Whether `pc` is in one of the allocating functions of [`Layout::mallocs`]
    /// or what they call: a call from there is part of an allocation already followed.
    pub(crate) fn in_malloc(&self, pc: u64) -> bool {
        self.image
            .symbol_at(pc)
            .is_some_and(|s| s.name.starts_with("runtime.mallocgc"))
    }

    /// The return address of every call instruction of package main.
    pub fn call_returns(&self) -> impl Iterator<Item = u64> + '_ {
        self.funcs.iter().flat_map(|(addr, info)| {
            let offsets: Vec<u64> = info.lines.keys().copied().collect();
            info.lines
                .iter()
                .zip(offsets.into_iter().skip(1))
                .filter(|((_, (_, asm)), _)| asm.starts_with("CALL"))
                .map(move |(_, next)| addr + next)
        })
    }

    /// The goroutine running in `snap`: its `g`, read from thread-local storage.
    pub fn goroutine(&self, snap: &Snapshot) -> u64 {
        current_g(self.arch, snap)
    }

    /// The id of the goroutine running in `snap` (`g.goid`, as Go's
    /// tracebacks number goroutines; 0 for a thread's own `g0`).
    pub fn goroutine_id(&self, snap: &Snapshot) -> Option<u64> {
        let (off, size) = self.whole.debug.member("runtime.g", "goid")?;
        let g = current_g(self.arch, snap);
        (g != 0).then(|| snap.read(g + off, size.min(8) as usize))
    }
}
