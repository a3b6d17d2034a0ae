//! Models of the Go runtime and library functions the package calls.
//!
//! An external function has a stub address (see [`crate::loader`]); when the
//! program jumps there, [`enter`] runs the model of that name. A model reads
//! its arguments as the calling convention places them (registers on amd64,
//! the stack on 386), does what the real function does, sets the results and
//! returns to the caller. A model that calls back into the program (a
//! deferred closure) pushes a return address inside its own stub range and
//! continues when the program returns there. A function with no model stops
//! the run, naming it and the Go line that called it.

pub(crate) mod bounds;
pub(crate) mod defer;
pub(crate) mod duff;
pub(crate) mod errors;
pub(crate) mod facts;
pub(crate) mod fmt;
pub(crate) mod maps;
mod measured;
pub(crate) mod panic;
pub(crate) mod slices;
pub(crate) mod softfloat;
pub(crate) mod stack;
pub(crate) mod strings;
pub(crate) mod types;

use crate::cpu::{R14, RAX, RBP, RBX, RCX, RDI, RSI, RSP};
use crate::exec::{Exec, Halt, Machine};
use crate::loader::STUB_SPACING;
use crate::trace::Event;
use crate::{Arch, Location, Stop};
use facts::Facts;

/// The runtime's own memory: `g`, the TLS block and the `os.File` values.
const RT_BASE: u64 = 0x00a0_0000;
const RT_SIZE: usize = 0x1000;
pub(crate) const G_ADDR: u64 = RT_BASE;
pub(crate) const TLS_ADDR: u64 = RT_BASE + 0x800;
const FILE_STDOUT: u64 = RT_BASE + 0x900;
const FILE_STDERR: u64 = RT_BASE + 0x910;
/// The heap: a bump allocator from here.
pub(crate) const HEAP_BASE: u64 = 0x0c00_0000;
/// The heap is mapped in chunks of at least this size, as it grows.
const HEAP_CHUNK: u64 = 1 << 20;
/// The most heap a run may use.
const HEAP_LIMIT: u64 = 1 << 30;
/// Goroutine stacks are allocated upwards from here, each at a new address.
pub(crate) const STACK_BASE: u64 = 0x4000_0000;
/// `stackGuard` on Linux: how far above `stack.lo` the guard sits.
pub(crate) const STACK_GUARD: u64 = 928;
/// Integer argument registers of Go's amd64 register ABI, in order.
const INT_ARGS: [usize; 9] = [RAX, RBX, RCX, RDI, RSI, 8, 9, 10, 11];

/// State the runtime models keep between calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    /// Next free heap address.
    pub(crate) heap_next: u64,
    /// End of the mapped heap.
    pub(crate) heap_end: u64,
    /// Number of heap objects allocated so far.
    pub(crate) heap_objects: u64,
    /// Where the next goroutine stack goes.
    pub(crate) next_stack: u64,
    /// Frames that `runtime.deferreturn` is running defers for: the caller's SP.
    pub(crate) deferreturn_sps: Vec<u64>,
    /// A `println` in progress holds the print lock (nothing to model but the pairing).
    pub(crate) print_locked: bool,
    /// Panics in progress, innermost last.
    pub(crate) panics: Vec<panic::Panic>,
    /// Set when a run-time error started a panic that goes on in a deferred call.
    pub(crate) redirected: bool,
    /// The package's init functions still to run before `main.main`, in order.
    pub(crate) inits: Vec<u64>,
    /// Maps by the address of their header.
    pub(crate) maps: std::collections::BTreeMap<u64, maps::MapModel>,
    /// State of `runtime.rand`.
    pub(crate) rand: u64,
    /// fmt calls of the program's `String` and `Error` methods in progress, innermost last.
    pub(crate) fmt_callbacks: Vec<fmt::Callbacks>,
    /// The methods' results for the fmt call about to finish: operand index and text.
    pub(crate) fmt_done: Option<Vec<(u64, Vec<u8>)>>,
    /// The measured runtime of the program's Go version and GOARCH.
    pub(crate) facts: Option<&'static Facts>,
    /// The faulting address and pc of the nil dereference being reported.
    pub(crate) signal: Option<(u64, u64)>,
}

/// Offsets of `g`'s fields, in words: stack.lo, stack.hi, stackguard0, stackguard1, _panic, _defer.
pub(crate) mod g {
    pub(crate) const STACK_LO: u64 = 0;
    pub(crate) const STACK_HI: u64 = 1;
    pub(crate) const STACKGUARD0: u64 = 2;
    pub(crate) const STACKGUARD1: u64 = 3;
    pub(crate) const DEFER: u64 = 5;
}

impl Machine<'_> {
    /// What the real runtime of the program's Go version does (set up by [`start`]).
    pub(crate) fn facts(&self) -> &'static Facts {
        self.rt.facts.expect("the runtime is started")
    }

    /// Address of a field of `g`.
    pub(crate) fn g_field(&self, field: u64) -> u64 {
        G_ADDR + field * self.arch.word()
    }

    /// Integer argument `i` of a call into a model (a word on 386).
    pub(crate) fn arg(&mut self, i: usize) -> Result<u64, Halt> {
        match self.arch {
            Arch::Amd64 => Ok(self.cpu.gpr[INT_ARGS[i]]),
            Arch::I386 => self.load_word(self.sp() + 4 + 4 * i as u64),
        }
    }

    /// A 64-bit integer argument that starts at word `i` (two words on 386).
    pub(crate) fn arg64(&mut self, i: usize) -> Result<u64, Halt> {
        match self.arch {
            Arch::Amd64 => self.arg(i),
            Arch::I386 => Ok(self.arg(i)? | (self.arg(i + 1)? << 32)),
        }
    }

    /// Sets integer result `i` of a model that takes `nargs` words of arguments.
    pub(crate) fn set_result(&mut self, nargs: usize, i: usize, value: u64) -> Exec {
        match self.arch {
            Arch::Amd64 => {
                self.cpu.gpr[INT_ARGS[i]] = value;
                Ok(())
            }
            Arch::I386 => {
                let at = self.sp() + 4 + 4 * (nargs + i) as u64;
                self.store_word(at, value)
            }
        }
    }

    /// Returns from a model to its caller.
    pub(crate) fn model_return(&mut self) -> Exec {
        self.cpu.rip = self.pop()?;
        Ok(())
    }

    /// Allocates `size` zeroed bytes on the heap, aligned as Go's allocator aligns them.
    pub(crate) fn alloc(&mut self, size: u64) -> Result<u64, Halt> {
        if size == 0 {
            return Ok(self.image.addr("runtime.zerobase").unwrap_or(HEAP_BASE));
        }
        let align = if size >= 16 {
            16
        } else {
            size.next_power_of_two().max(self.arch.word())
        };
        let addr = (self.rt.heap_next + align - 1) & !(align - 1);
        let mut addr = addr;
        if addr + size > self.rt.heap_end {
            // A new chunk; an object never straddles two.
            addr = self.rt.heap_end;
            let chunk = size.div_ceil(HEAP_CHUNK) * HEAP_CHUNK;
            if addr + chunk > HEAP_BASE + HEAP_LIMIT {
                let at = self.call_site();
                return Err(Box::new(Stop::Unsupported {
                    what: format!("a heap larger than {} MiB", HEAP_LIMIT >> 20),
                    at,
                }));
            }
            self.mem.map(addr, chunk as usize, true, "heap");
            self.rt.heap_end = addr + chunk;
        }
        self.rt.heap_next = addr + size;
        self.rt.heap_objects += 1;
        Ok(addr)
    }

    /// Where the model being run was called from: the instruction before the return address.
    pub(crate) fn call_site(&self) -> Location {
        let ret = self
            .mem
            .peek(self.sp(), self.arch.word() as usize)
            .unwrap_or(0);
        let call = [5u64, 2, 3, 6, 7]
            .iter()
            .map(|&len| ret.wrapping_sub(len))
            .find(|&pc| self.image.instr(pc).is_some_and(|i| i.next_ip() == ret));
        self.location(call.unwrap_or(ret))
    }

    /// Notes what a model did, when tracing.
    pub(crate) fn event(&mut self, event: Event) {
        if let Some(t) = &mut self.trace {
            t.event(event);
        }
    }
}

/// Sets up memory, `g` and the goroutine stack so that the package's first
/// function (an init function, or `main.main`) is about to run, with the
/// runtime's frames above it as `facts` measured them.
pub(crate) fn start(m: &mut Machine<'_>, facts: &'static Facts) {
    let w = m.arch.word();
    m.rt.facts = Some(facts);
    m.mem.map(RT_BASE, RT_SIZE, true, "runtime");
    m.rt.heap_next = HEAP_BASE;
    m.rt.heap_end = HEAP_BASE;
    m.rt.next_stack = STACK_BASE;
    let (lo, hi) = stack::allocate(m, initial_stack(m.listing, facts));
    let init = |m: &mut Machine<'_>, addr: u64, v: u64| {
        m.mem
            .write_bytes(addr, &v.to_le_bytes()[..w as usize])
            .expect("runtime memory is mapped")
    };
    init(m, m.g_field(g::STACK_LO), lo);
    init(m, m.g_field(g::STACK_HI), hi);
    init(m, m.g_field(g::STACKGUARD0), lo + STACK_GUARD);
    init(m, m.g_field(g::STACKGUARD1), m.mask());
    // Models' data: os.Stdout and os.Stderr point at two files, staticuint64s holds 0..255.
    for (name, file) in [("os.Stdout", FILE_STDOUT), ("os.Stderr", FILE_STDERR)] {
        if let Some(addr) = m.image.addr(name) {
            init(m, addr, file);
        }
    }
    if let Some(addr) = m.image.addr("runtime.staticuint64s") {
        for i in 0..256u64 {
            m.mem
                .write_bytes(addr + 8 * i, &i.to_le_bytes())
                .expect("mapped");
        }
    }
    // The goroutine's first frame ends with the return address into goexit.
    let goexit = m.image.stub_addr("runtime.goexit").unwrap_or(0);
    init(m, hi - facts.goexit_slot, goexit + 1);
    // Like runtime.main, run the package's init functions (package-level
    // variables, init()) first; runtime.doInit1 calls them, deeper down.
    m.rt.inits = init_functions(m);
    m.rt.inits.reverse();
    let first = m.rt.inits.pop();
    let (entry, target) = match first {
        Some(f) => (facts.init, f),
        None => (
            facts.main,
            m.image.addr("main.main").expect("checked by the loader"),
        ),
    };
    let sp = hi - entry.sp;
    init(
        m,
        sp,
        m.image.stub_addr(entry.ret.0).unwrap_or(0) + entry.ret.1,
    );
    m.cpu.gpr[RSP] = sp;
    if m.arch == Arch::Amd64 {
        m.cpu.gpr[RBP] = hi - entry.bp;
    }
    match m.arch {
        Arch::Amd64 => m.cpu.gpr[R14] = G_ADDR,
        Arch::I386 => {
            m.cpu.gs_base = TLS_ADDR;
            init(m, TLS_ADDR, TLS_ADDR);
            init(m, TLS_ADDR - 4, G_ADDR);
        }
    }
    errors::init(m);
    m.cpu.rip = target;
}

/// Lays out the runtime frames of `chain` below `ret_slot`, the slot holding
/// the return address into package code: each frame's saved BP (amd64) and
/// the return address of its call into the next. Points BP at the last
/// frame's saved BP and returns the slot where that frame's own call (of a
/// deferred function) puts its return address; SP is left to the caller.
pub(crate) fn lay_out_frames(
    m: &mut Machine<'_>,
    chain: &[facts::Frame],
    ret_slot: u64,
) -> Result<u64, Halt> {
    let w = m.arch.word();
    let mut slot = ret_slot;
    let mut calls: Option<u64> = None;
    for f in chain {
        if let Some(ret) = calls {
            m.store_word(slot, ret)?;
        }
        if m.arch == Arch::Amd64 {
            m.store_word(slot - w, m.cpu.gpr[RBP])?;
            m.cpu.gpr[RBP] = slot - w;
        }
        slot -= f.size;
        calls = Some(m.image.stub_addr(f.func).unwrap_or(0) + f.ret);
    }
    Ok(slot)
}

/// The size of the goroutine's stack when the package's code starts: what
/// the runtime's start leaves, or more when a package main imports grew it
/// in its init functions (the largest such, when several do).
fn initial_stack(listing: &gostack_listing::Listing, facts: &Facts) -> u64 {
    let imports = listing
        .symbol("main..inittask")
        .map(|task| {
            task.relocs
                .iter()
                .filter_map(|r| r.target.strip_suffix("..inittask"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    facts
        .stack_after_import
        .iter()
        .filter(|(package, _)| imports.contains(package))
        .map(|&(_, size)| size)
        .fold(facts.stack, u64::max)
}

/// The package's init functions in the order `main..inittask` lists them.
fn init_functions(m: &Machine<'_>) -> Vec<u64> {
    let Some(task) = m.listing.symbol("main..inittask") else {
        return Vec::new();
    };
    let mut relocs: Vec<_> = task
        .relocs
        .iter()
        .filter(|r| r.size > 0 && m.listing.function(&r.target).is_some())
        .collect();
    relocs.sort_by_key(|r| r.offset);
    relocs
        .iter()
        .filter_map(|r| m.image.addr(&r.target))
        .collect()
}

/// An init function returned: call the next, or `main.main` from runtime.main's frame.
fn next_init(m: &mut Machine<'_>) -> Exec {
    let facts = m.facts();
    let (target, entry) = match m.rt.inits.pop() {
        Some(f) => (f, facts.init),
        None => (
            m.image.addr("main.main").expect("checked by the loader"),
            facts.main,
        ),
    };
    let hi = m.load_word(m.g_field(g::STACK_HI))?;
    m.cpu.gpr[RSP] = hi - entry.sp + m.arch.word();
    if m.arch == Arch::Amd64 {
        m.cpu.gpr[RBP] = hi - entry.bp;
    }
    m.push(m.image.stub_addr(entry.ret.0).unwrap_or(0) + entry.ret.1)?;
    m.cpu.rip = target;
    Ok(())
}

/// Runs the model for the stub at `pc`: a call (offset 0) or a return into a model.
pub(crate) fn enter(m: &mut Machine<'_>, pc: u64) -> Exec {
    let Some((name, offset)) = m.image.stub_at(pc) else {
        let at = m.location(pc);
        return Err(Box::new(Stop::Fault {
            addr: pc,
            near: "execution outside the program's code".into(),
            at,
        }));
    };
    let name = name.to_string();
    if name == "runtime.duffzero" || name == "runtime.duffcopy" {
        let result = duff::call(m, &name, offset);
        m.event(Event::Call { func: name });
        return result;
    }
    if offset != 0 {
        return resume(m, &name, offset);
    }
    let callbacks = m.rt.fmt_callbacks.len();
    let result = call(m, &name);
    // A model that called back into the program notes its call when it is done.
    if result.is_ok()
        && m.rt.fmt_callbacks.len() == callbacks
        && !matches!(
            name.as_str(),
            "runtime.deferreturn"
                | "runtime.morestack"
                | "runtime.morestack_noctxt"
                | "runtime.gopanic"
        )
    {
        m.event(Event::Call { func: name });
    }
    result
}

/// A return into a model's own stub range: where one of the runtime
/// functions the models stand for called package code, as `facts` says.
fn resume(m: &mut Machine<'_>, name: &str, offset: u64) -> Exec {
    let facts = m.facts();
    let at = (name, offset);
    if at == facts.init.ret {
        return next_init(m);
    }
    if at == facts.main.ret {
        m.event(Event::Exit { code: 0 });
        return Err(Box::new(Stop::Exited(0)));
    }
    if m.rt
        .fmt_callbacks
        .last()
        .is_some_and(|c| c.returns_to() == at)
    {
        return fmt::resume(m);
    }
    if facts::calls_from(facts.deferreturn) == Some(at) {
        return defer::deferreturn_next(m);
    }
    if facts
        .chains()
        .any(|chain| facts::calls_from(chain) == Some(at))
    {
        return panic::resume(m);
    }
    let at = m.location(m.cpu.rip);
    Err(Box::new(Stop::Unsupported {
        what: format!("a return into {name}+{offset:#x}"),
        at,
    }))
}

/// Calls the model called `name`.
fn call(m: &mut Machine<'_>, name: &str) -> Exec {
    match name {
        "runtime.morestack_noctxt" => {
            // morestack_noctxt is morestack with no closure context: it clears DX first.
            m.cpu.gpr[crate::cpu::RDX] = 0;
            stack::morestack(m)
        }
        "runtime.morestack" => stack::morestack(m),
        "runtime.deferprocStack" => defer::deferproc_stack(m),
        "runtime.deferreturn" => defer::deferreturn(m),
        "runtime.convT64" | "runtime.convT32" | "runtime.convT16" => convt_small(m, name),
        "runtime.convTstring" | "runtime.convTslice" => convt_header(m, name),
        "runtime.newobject" => slices::newobject(m),
        "runtime.makeslice" => slices::makeslice(m),
        "runtime.growslice" => slices::growslice(m),
        "runtime.convT" | "runtime.convTnoptr" => slices::convt(m),
        "runtime.concatstring2"
        | "runtime.concatstring3"
        | "runtime.concatstring4"
        | "runtime.concatstring5"
        | "runtime.concatstrings" => strings::concat(m, name),
        "runtime.slicebytetostring" => strings::slicebytetostring(m),
        "runtime.stringtoslicebyte" => strings::stringtoslicebyte(m),
        "runtime.intstring" => strings::intstring(m),
        "runtime.decoderune" => strings::decoderune(m),
        "runtime.cmpstring" => strings::cmpstring(m),
        "runtime.memequal"
        | "runtime.memequal8"
        | "runtime.memequal16"
        | "runtime.memequal32"
        | "runtime.memequal64"
        | "runtime.memequal128" => strings::memequal(m, name),
        "runtime.memmove" => {
            let (to, from, n) = (m.arg(0)?, m.arg(1)?, m.arg(2)?);
            let bytes = m.load_bytes(from, n as usize)?;
            m.store_bytes(to, &bytes)?;
            m.model_return()
        }
        "runtime.memclrNoHeapPointers" | "runtime.memclrHasPointers" => {
            let (to, n) = (m.arg(0)?, m.arg(1)?);
            m.store_bytes(to, &vec![0; n as usize])?;
            m.model_return()
        }
        "runtime.printlock" | "runtime.printunlock" => {
            m.rt.print_locked = name == "runtime.printlock";
            m.model_return()
        }
        "runtime.printint"
        | "runtime.printuint"
        | "runtime.printstring"
        | "runtime.printnl"
        | "runtime.printsp"
        | "runtime.printbool"
        | "runtime.printpointer"
        | "runtime.printhex"
        | "runtime.printfloat" => fmt::print_builtin(m, name),
        "fmt.Println" | "fmt.Print" | "fmt.Printf" | "fmt.Fprintln" | "fmt.Fprint"
        | "fmt.Fprintf" | "fmt.Sprintln" | "fmt.Sprint" | "fmt.Sprintf" => fmt::call(m, name),
        "runtime.gopanic" => panic::gopanic(m),
        "runtime.gorecover" => panic::gorecover(m),
        "fmt.Errorf" | "fmt.errorf" => fmt::call(m, name),
        "errors.New" => errors::new(m),
        "runtime.ifaceeq" | "runtime.efaceeq" => types::iface_equal(m, name),
        "runtime.deferproc" => defer::deferproc(m),
        errors::ERROR_METHOD | errors::WRAP_ERROR_METHOD => errors::error_method(m),
        "errors.Is" => errors::is(m),
        "errors.Unwrap" => errors::unwrap(m),
        _ if bounds::is_bounds_panic(name) => bounds::call(m, name),
        _ if maps::is_map_function(name) => maps::call(m, name),
        "runtime.mapiterinit"
        | "runtime.mapIterStart"
        | "runtime.mapiternext"
        | "runtime.mapIterNext" => Err(Box::new(Stop::Unsupported {
            what: "ranging over a map (Go randomises the order, so no run can be matched)".into(),
            at: m.call_site(),
        })),
        "runtime.panicdivide" => {
            let chain = m.facts().divide;
            Err(panic::runtime_error(m, "integer divide by zero", chain))
        }
        "runtime.panicshift" => Err(panic::from_call(m, name, "negative shift amount", false)),
        "runtime.panicmem" | "runtime.panicmemAddr" => Err(panic::unmeasured(m, name)),
        _ => match softfloat::call(m, name).filter(|_| m.arch == Arch::I386) {
            Some(result) => result,
            None => Err(Box::new(Stop::Unsupported {
                what: format!("runtime function {name}"),
                at: m.call_site(),
            })),
        },
    }
}

/// `convT64`, `convT32`, `convT16`: box a small integer, using `staticuint64s` for values below 256.
fn convt_small(m: &mut Machine<'_>, name: &str) -> Exec {
    let size = match name {
        "runtime.convT64" => 8,
        "runtime.convT32" => 4,
        _ => 2,
    };
    let v = if size == 8 {
        m.arg64(0)?
    } else {
        m.arg(0)? & crate::exec::size_mask(size)
    };
    let nargs = if size == 8 && m.arch == Arch::I386 {
        2
    } else {
        1
    };
    let p = match m.image.addr("runtime.staticuint64s") {
        Some(table) if v < 256 => table + 8 * v,
        _ => {
            let p = m.alloc(size as u64)?;
            m.store(p, size, v)?;
            p
        }
    };
    m.set_result(nargs, 0, p)?;
    m.model_return()
}

/// `convTstring`, `convTslice`: box a string or slice header; the empty one points at `runtime.zeroVal`.
fn convt_header(m: &mut Machine<'_>, name: &str) -> Exec {
    let words = if name == "runtime.convTstring" { 2 } else { 3 };
    let w = m.arch.word();
    let mut header = Vec::new();
    for i in 0..words {
        header.push(m.arg(i)?);
    }
    let empty = header[0] == 0;
    let p = if empty {
        m.image
            .addr("runtime.zeroVal")
            .or_else(|| m.image.addr("runtime.zerobase"))
            .unwrap_or(HEAP_BASE)
    } else {
        let p = m.alloc(w * words as u64)?;
        for (i, v) in header.iter().enumerate() {
            m.store_word(p + w * i as u64, *v)?;
        }
        p
    };
    m.set_result(words, 0, p)?;
    m.model_return()
}

/// The name and offset of a code address, for return addresses and function values.
pub(crate) fn describe_code(m: &Machine<'_>, addr: u64) -> Option<(String, u64)> {
    let sym = m.image.symbol_at(addr)?;
    let off = addr - sym.addr;
    let off = if sym.class == crate::loader::SymClass::Stub {
        off % STUB_SPACING
    } else {
        off
    };
    Some((sym.name.clone(), off))
}
