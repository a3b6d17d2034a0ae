//! The machine: CPU, memory and loaded image, the step loop, operand access,
//! and the dispatch from each instruction to its handler in [`crate::ops`].

use gostack_listing::Listing;
use iced_x86::OpKind;

use crate::cpu::{Cpu, RSP};
use crate::debuginfo::DebugInfo;
use crate::decode::{Decoded, UsedRegisters, form, is_immediate, operand_size};
use crate::frames::{Layout, Region, Snapshot, Whole};
use crate::image::{Image, LATER};
use crate::mem::{Fault, Memory};
use crate::os;
use crate::trace::TraceBuilder;
use crate::watch::{ALWAYS, Watch, Watcher};
use crate::{Arch, Config, LoadError, Location, Run, Stop};

/// The step loop's modes: nothing recorded, every step recorded, the
/// watched steps reported; or nothing recorded and groups of instructions
/// run as one (see [`crate::decode::Group`]).
const PLAIN: u8 = 0;
const TRACED: u8 = 1;
const WATCHED: u8 = 2;
const GROUPED: u8 = 3;

/// A stopped run, boxed to keep results small.
pub(crate) type Halt = Box<Stop>;

/// A handler's result: `Err` ends the run.
pub(crate) type Exec = Result<(), Halt>;

/// What a step tells the step loop: the index in the decoded code of the
/// instruction to run next in the low 32 bits, and the steps it took in
/// the high bits. An index past the code ([`LOOKUP`],
/// [`crate::decode::NOWHERE`], [`LATER`]) has the loop look `rip` up;
/// [`HALTED`] says the step failed, with its stop in `Machine::halted`.
pub(crate) type Next = u64;

/// The next instruction is wherever `rip` is: the loop looks it up.
pub(crate) const LOOKUP: u32 = u32::MAX - 2;
/// The step failed: its stop waits in `Machine::halted`.
pub(crate) const HALTED: u32 = u32::MAX - 3;

/// One step, going on at `index`.
#[inline(always)]
pub(crate) fn one_step(index: u32) -> Next {
    1 << 32 | u64::from(index)
}

/// Everything the emulator knows about a running program.
pub(crate) struct Machine<'a> {
    pub(crate) arch: Arch,
    pub(crate) cpu: Cpu,
    pub(crate) mem: Memory,
    pub(crate) image: Image,
    pub(crate) listing: &'a Listing,
    pub(crate) trace: Option<TraceBuilder>,
    /// The steps reported as they happen, when watched.
    pub(crate) watch: Option<Watcher<'a>>,
    pub(crate) steps: u64,
    /// Address of the instruction being executed.
    pub(crate) pc: u64,
    /// Set when a failing step sent the program to a signal handler: the
    /// run goes on there.
    pub(crate) redirected: bool,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    pub(crate) max_steps: u64,
    /// Linux (see [`crate::os`]); taken out only while a system call runs.
    pub(crate) os: Option<Box<os::Linux>>,
    /// A stop a system call decided on, on its way to the step loop.
    pub(crate) stop: Option<Stop>,
    /// The stop of the step that failed, on its way to the step loop (see [`HALTED`]).
    pub(crate) halted: Option<Halt>,
    /// The most memory the program may map.
    pub(crate) memory_limit: u64,
    /// Where the run says how far it has got.
    progress: Option<std::sync::Arc<crate::Progress>>,
    /// The executable's debug facts: frames and lines.
    pub(crate) debug: DebugInfo,
    /// The registers each instruction may change, for a trace.
    used: UsedRegisters,
    /// Instructions decoded when first executed, to be put in the code when
    /// the step loop is not running ([`crate::ops::undecoded`]).
    pub(crate) decoded_late: DecodedLate,
}

/// Instructions decoded since the code was last brought up to date.
#[derive(Default)]
pub(crate) struct DecodedLate {
    /// By index in the code (grown when first used).
    pub(crate) by_index: Vec<Option<Box<Decoded>>>,
    /// The indices that hold one.
    pub(crate) indices: Vec<u32>,
}

impl<'a> Machine<'a> {
    /// Loads a linked executable and prepares its first thread at the entry point.
    pub(crate) fn new(
        listing: &'a Listing,
        executable: &[u8],
        config: &Config,
        world: &os::World,
    ) -> Result<Machine<'a>, LoadError> {
        let mut mem = Memory::default();
        let (image, loaded) = crate::elf::load(executable, config.arch, listing, &mut mem)?;
        let mut m = Machine {
            arch: config.arch,
            cpu: Cpu::default(),
            mem,
            image,
            listing,
            trace: None,
            watch: None,
            steps: 0,
            pc: 0,
            redirected: false,
            stdout: Vec::new(),
            stderr: Vec::new(),
            max_steps: config.max_steps,
            os: None,
            stop: None,
            halted: None,
            memory_limit: config.memory_limit,
            progress: config.progress.clone(),
            debug: DebugInfo::load(executable),
            used: UsedRegisters::new(),
            decoded_late: DecodedLate::default(),
        };
        os::start(&mut m, loaded.entry, loaded.end, world)?;
        m.start_trace(config.trace);
        Ok(m)
    }

    /// Starts the trace from the memory as loaded, when asked for.
    fn start_trace(&mut self, traced: bool) {
        let m = self;
        if traced {
            let mut initial = Snapshot::new(m.cpu.clone());
            for region in m.mem.regions() {
                for (i, chunk) in region.data.chunks(4096).enumerate() {
                    if chunk.iter().any(|&b| b != 0) {
                        initial.write(region.base + 4096 * i as u64, chunk);
                    }
                }
            }
            m.trace = Some(TraceBuilder::new(initial));
            m.mem.write_cold_always();
        }
    }

    /// Runs until the program exits or something stops it. With Linux
    /// underneath, the loop comes back to it every [`os::TICK`] steps.
    pub(crate) fn run(&mut self) -> Stop {
        loop {
            let limit = self.max_steps.min(self.steps + os::TICK);
            let stop = self.run_to(limit);
            self.install_decoded();
            if let Some(stop) = stop {
                return stop;
            }
            if self.steps >= self.max_steps {
                return Stop::StepLimit(self.steps);
            }
            if let Some(progress) = &self.progress
                && progress.report(self.steps)
            {
                return Stop::Cancelled(self.steps);
            }
            if let Err(stop) = os::tick(self) {
                return *stop;
            }
            if let Some(t) = &mut self.trace {
                t.amend_last_step(&self.cpu);
            }
        }
    }

    /// Puts the instructions decoded since the last time into the code.
    /// The functions decoded while it ran join the code first.
    fn install_decoded(&mut self) {
        self.image.join_later();
        let late = &mut self.decoded_late;
        if late.indices.is_empty() {
            return;
        }
        let code = std::sync::Arc::make_mut(&mut self.image.code);
        for index in late.indices.drain(..) {
            if let Some(mut d) = late.by_index[index as usize].take() {
                // The links as they are now: joining may have set them since.
                let now = &code[index as usize];
                (d.next_index, d.target_index) = (now.next_index, now.target_index);
                code[index as usize] = *d;
            }
        }
    }

    /// Reports the steps `watch` asks for as the run goes; the functions
    /// whose entries it watches are decoded first, to be marked.
    pub(crate) fn start_watch(&mut self, watch: Watch<'a>) {
        for name in &watch.entries {
            if let Some(addr) = self.image.addr(name) {
                self.image.decode_function(addr, &mut self.mem);
            }
        }
        self.image.join_later();
        self.watch = Some(Watcher::new(self, watch));
    }

    /// Runs until step `limit` or a stop.
    fn run_to(&mut self, limit: u64) -> Option<Stop> {
        // While the steps run, `steps` stays at their start: what system
        // calls and RDTSC read of the clock is the same in every mode.
        let start = self.steps;
        let (end, stop) = if self.trace.is_some() {
            self.run_steps::<TRACED>(start, limit)
        } else if self.watch.is_some() {
            self.run_steps::<WATCHED>(start, limit)
        } else {
            // Groups run as one while they end by `limit`.
            let grouped = limit.saturating_sub(crate::decode::LONGEST_GROUP - 1);
            match self.run_steps::<GROUPED>(start, grouped) {
                (end, None) => self.run_steps::<PLAIN>(end, limit),
                stopped => stopped,
            }
        };
        self.steps = end;
        stop
    }

    /// The step loop: plain, traced or watched. Each step says where the
    /// next instruction is (see [`Next`]), so only a step that goes
    /// elsewhere than its next instruction or branch target (a return, an
    /// indirect jump, a system call that switched threads, a signal) has
    /// its next instruction looked up.
    #[inline(always)]
    /// From step `steps` to step `limit` or a stop; the step it ended at.
    fn run_steps<const MODE: u8>(&mut self, mut steps: u64, limit: u64) -> (u64, Option<Stop>) {
        // The decoded code is shared, so a step borrows its instruction while it changes the machine.
        let shared = std::sync::Arc::clone(&self.image.code);
        let code: &[Decoded] = &shared;
        let mut at = self.image.index_of(self.cpu.rip);
        // Watched: the step before was a watched one.
        let mut inside = false;
        let stop = loop {
            if steps >= limit {
                break None;
            }
            let next = match code.get(at as usize) {
                Some(d) => {
                    if MODE == WATCHED {
                        let mark = self.watch.as_ref().and_then(|w| w.mark(at));
                        // Each call of the loop starts afresh: between calls Linux may switch threads.
                        if let Some(mark) = mark
                            && (mark & ALWAYS != 0 || !inside)
                            && !self.report(mark, steps)
                        {
                            break None;
                        }
                        inside = mark.is_some();
                    }
                    if MODE == TRACED {
                        self.traced_step(at, Some(d))
                    } else {
                        // From the instruction, not from `rip`: the step does not wait for the last one's store.
                        debug_assert_eq!(self.cpu.rip, d.ip, "the step loop is where rip is");
                        self.pc = d.ip;
                        self.cpu.rip = d.next;
                        if MODE == GROUPED {
                            (d.fast)(self, d)
                        } else if MODE == WATCHED {
                            // A watched run settles the flags after every step, as a
                            // traced run does: the reference the plain run is held to.
                            let next = (d.exec)(self, d);
                            self.cpu.settle();
                            next
                        } else {
                            (d.exec)(self, d)
                        }
                    }
                }
                None => {
                    let found = self.look_up();
                    if code.get(found as usize).is_some() {
                        at = found;
                        continue;
                    }
                    inside = false;
                    if MODE == TRACED {
                        self.traced_step(found, None)
                    } else {
                        self.pc = self.cpu.rip;
                        self.not_in_code(self.pc)
                    }
                }
            };
            steps += next >> 32;
            at = next as u32;
            // A failed step stops the run now, even as the last step before the limit.
            if at == HALTED {
                let stop = self.halted.take().expect("a failed step leaves its stop");
                if !std::mem::take(&mut self.redirected) {
                    break Some(*stop);
                }
                at = LOOKUP;
            }
        };
        self.cpu.settle();
        (steps, stop)
    }

    /// Goes on at `to`, reached by a return or an indirect jump or call:
    /// the index of its instruction, for the step loop.
    #[inline(always)]
    pub(crate) fn jump_to(&mut self, to: u64) -> u32 {
        self.cpu.rip = to;
        self.image.index_of(to)
    }

    /// The index of the instruction at `rip`, out of the step loop's way
    /// (inlined, the lookup would be worked out before every step).
    #[cold]
    #[inline(never)]
    fn look_up(&self) -> u32 {
        self.image.index_of(self.cpu.rip)
    }

    /// The step of a failed instruction: its stop waits for the step loop.
    #[cold]
    #[inline(never)]
    pub(crate) fn halt(&mut self, stop: Halt) -> Next {
        self.halted = Some(stop);
        one_step(HALTED)
    }

    /// A step the step loop found no instruction for: in a function met
    /// for the first time (decoded now), decoded since the loop began (in
    /// [`Image::later`]), or reached by a link made before its function was
    /// decoded, the instruction runs from where it is; elsewhere there is
    /// no code, and the step faults.
    #[cold]
    #[inline(never)]
    fn not_in_code(&mut self, pc: u64) -> Next {
        if self.image.index_of(pc) == LATER {
            self.image.decode_function(pc, &mut self.mem);
        }
        let at = self.image.index_of(pc);
        let found = self
            .image
            .code
            .get(at as usize)
            .or_else(|| self.image.later(at));
        match found.cloned() {
            Some(d) => {
                self.cpu.rip = d.next;
                (d.exec)(self, &d)
            }
            None => {
                let stop = self.fault(Fault {
                    addr: pc,
                    write: false,
                });
                self.halt(stop)
            }
        }
    }

    /// A step, recorded. An instruction's step compares only the registers
    /// it uses, and XMM registers only if it has an XMM operand; a step that
    /// entered the kernel or failed (a signal delivered) compares them all.
    fn traced_step(&mut self, at: u32, decoded: Option<&Decoded>) -> Next {
        if let Some(t) = &mut self.trace {
            t.start_step(&self.cpu, decoded.is_none_or(|d| d.xmm));
        }
        let pc = self.cpu.rip;
        self.pc = pc;
        let next = match decoded {
            Some(d) => {
                self.cpu.rip = d.next;
                (d.exec)(self, d)
            }
            None => self.not_in_code(pc),
        };
        let gprs = match decoded {
            Some(d) if next as u32 != HALTED => self.used.of(at, d),
            _ => u16::MAX,
        };
        self.cpu.settle();
        if let Some(t) = &mut self.trace {
            t.finish_step(pc, &self.cpu, gprs);
        }
        next
    }

    /// Ends the run and hands back what it produced.
    pub(crate) fn finish(self, stop: Stop) -> Run {
        let regions = self
            .mem
            .regions()
            .iter()
            .map(|r| {
                let region = match r.name.as_str() {
                    "text" => Region::Code,
                    "rodata" | "data" => Region::Data,
                    "initial stack" => Region::Stack,
                    _ => Region::Heap,
                };
                (r.base, r.end(), region)
            })
            .collect();
        let rodata = self
            .mem
            .regions()
            .iter()
            .find(|r| r.name == "rodata")
            .map(|r| (r.base, r.data.clone()))
            .unwrap_or_default();
        let strings = self
            .listing
            .symbols
            .iter()
            .filter(|s| s.name.starts_with("go:string.") || s.name.starts_with("go.string."))
            .filter(|s| !s.data.is_empty())
            .map(|s| (s.name.clone(), s.data.clone()))
            .collect();
        let types = type_addresses(&self.image, self.listing);
        let layout = Layout::new(
            self.image,
            self.listing,
            self.arch,
            Whole {
                debug: self.debug,
                regions,
                rodata,
                strings,
                types,
            },
        );
        Run {
            layout,
            stdout: self.stdout,
            stderr: self.stderr,
            stop,
            steps: self.steps,
            memory_refused: self.os.as_ref().and_then(|os| os.memory_refused),
            trace: self.trace.map(TraceBuilder::build),
        }
    }

    /// Stops the run: the instruction is not implemented.
    pub(crate) fn unsupported(&self, d: &Decoded) -> Halt {
        let ins = &d.ins;
        Box::new(Stop::Unsupported {
            what: format!("instruction {:?} ({:?})", ins.mnemonic(), ins.code()),
            at: self.location(ins.ip()),
        })
    }

    /// Where `pc` is: function, offset, source line and assembly text.
    pub(crate) fn location(&self, pc: u64) -> Location {
        Location::of(&self.image, &self.debug, pc, |sym, offset| {
            let (_, func) = sym.package_func(self.listing)?;
            let instr = func.instr_at(u32::try_from(offset).ok()?)?;
            Some((instr.pos.clone(), instr.text()))
        })
    }

    /// A memory fault of the running instruction: SIGSEGV, delivered to
    /// the program's handler (which turns a nil dereference into a panic).
    #[cold]
    pub(crate) fn fault(&mut self, fault: Fault) -> Halt {
        self.cpu.settle();
        os::fault(self, fault)
    }

    /// A divide by zero or a quotient too large: SIGFPE.
    #[cold]
    pub(crate) fn divide_fault(&mut self) -> Halt {
        self.cpu.settle();
        let pc = self.pc;
        os::fault_signal(self, os::SIGFPE, os::FPE_INTDIV, pc)
    }

    // ---- memory ----

    /// Reads `size` bytes at `addr` as a little-endian integer. The hot
    /// path makes no call, so the handlers it is inlined in stay small.
    #[inline(always)]
    pub(crate) fn load(&mut self, addr: u64, size: usize) -> Result<u64, Halt> {
        match self.mem.read_hot(addr, size) {
            Some(v) => Ok(v),
            None => self.load_cold(addr, size),
        }
    }

    #[inline(never)]
    fn load_cold(&mut self, addr: u64, size: usize) -> Result<u64, Halt> {
        match self.mem.read(addr, size) {
            Ok(v) => Ok(v),
            Err(f) => Err(self.fault(f)),
        }
    }

    /// Writes the low `size` bytes of `value` at `addr`. Untraced, in the
    /// hot region, it makes no call.
    #[inline(always)]
    pub(crate) fn store(&mut self, addr: u64, size: usize, value: u64) -> Exec {
        // A traced run's memory has no writable hot region
        // (`write_cold_always`): its writes go on to be recorded.
        if self.mem.write_hot(addr, size, value) {
            return Ok(());
        }
        self.store_cold(addr, size, value)
    }

    /// Reads `size` bytes at `addr` as [`Machine::load`] does, leaving the
    /// hot region as it is: for a read beside the stack's accesses.
    #[inline(always)]
    pub(crate) fn load_aside(&mut self, addr: u64, size: usize) -> Result<u64, Halt> {
        match self.mem.read_aside(addr, size) {
            Some(v) => Ok(v),
            None => self.load(addr, size),
        }
    }

    #[inline(never)]
    fn store_cold(&mut self, addr: u64, size: usize, value: u64) -> Exec {
        match self.kernel_store(addr, size, value) {
            Ok(()) => Ok(()),
            Err(f) => Err(self.fault(f)),
        }
    }

    /// Writes for the kernel: recorded like a store, a fault returned to the caller.
    pub(crate) fn kernel_store(&mut self, addr: u64, size: usize, value: u64) -> Result<(), Fault> {
        self.mem.write(addr, size, value)?;
        if let Some(t) = &mut self.trace {
            t.mem(addr, size, value);
        }
        Ok(())
    }

    /// Writes bytes for the kernel, eight at a time so a trace records them.
    pub(crate) fn kernel_store_bytes(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Fault> {
        for (i, chunk) in bytes.chunks(8).enumerate() {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.kernel_store(addr + 8 * i as u64, chunk.len(), u64::from_le_bytes(buf))?;
        }
        Ok(())
    }

    // ---- the stack ----

    /// The stack pointer.
    #[inline]
    pub(crate) fn sp(&self) -> u64 {
        self.cpu.gpr[RSP]
    }

    /// Pushes a pointer-sized word.
    #[inline]
    pub(crate) fn push(&mut self, value: u64) -> Exec {
        match self.arch {
            Arch::Amd64 => self.push_word::<8>(value),
            Arch::I386 => self.push_word::<4>(value),
        }
    }

    /// Pops a pointer-sized word.
    #[inline]
    pub(crate) fn pop(&mut self) -> Result<u64, Halt> {
        match self.arch {
            Arch::Amd64 => self.pop_word::<8>(),
            Arch::I386 => self.pop_word::<4>(),
        }
    }

    /// Pushes a word of `W` bytes, the word size (4 or 8).
    #[inline(always)]
    pub(crate) fn push_word<const W: u64>(&mut self, value: u64) -> Exec {
        let sp = self.sp().wrapping_sub(W) & size_mask(W as usize);
        self.store(sp, W as usize, value)?;
        self.cpu.gpr[RSP] = sp;
        Ok(())
    }

    /// Pops a word of `W` bytes, the word size (4 or 8).
    #[inline(always)]
    pub(crate) fn pop_word<const W: u64>(&mut self) -> Result<u64, Halt> {
        let sp = self.sp();
        let v = self.load(sp, W as usize)?;
        self.cpu.gpr[RSP] = sp.wrapping_add(W) & size_mask(W as usize);
        Ok(v)
    }

    /// All ones in an address: 32 or 64 bits.
    #[inline]
    pub(crate) fn mask(&self) -> u64 {
        match self.arch {
            Arch::Amd64 => u64::MAX,
            Arch::I386 => 0xffff_ffff,
        }
    }

    // ---- operands ----

    /// The effective address of the memory operand.
    #[inline]
    pub(crate) fn ea(&self, d: &Decoded) -> u64 {
        d.mem.address(&self.cpu)
    }

    /// The size in bytes of operand `i`.
    #[inline]
    pub(crate) fn op_size(&self, d: &Decoded, i: u32) -> usize {
        match d.ops.get(i as usize) {
            Some(op) => usize::from(op.size),
            None => operand_size(&d.ins, i, self.arch),
        }
    }

    /// Reads integer operand `i`, zero-extended (immediates masked to the operand size).
    #[inline]
    pub(crate) fn read_op(&mut self, d: &Decoded, i: u32) -> Result<u64, Halt> {
        match d.ops.get(i as usize).map_or(form::ANY, |op| op.form) {
            form::GPR => self.read::<{ form::GPR }>(d, i),
            form::MEM | form::MEM4 | form::MEM8 => self.read::<{ form::MEM }>(d, i),
            form::IMM => self.read::<{ form::IMM }>(d, i),
            _ => self.read_other(d, i),
        }
    }

    /// Writes integer operand `i`.
    #[inline]
    pub(crate) fn write_op(&mut self, d: &Decoded, i: u32, value: u64) -> Exec {
        match d.ops.get(i as usize).map_or(form::ANY, |op| op.form) {
            form::GPR => self.write::<{ form::GPR }>(d, i, value),
            form::MEM | form::MEM4 | form::MEM8 => self.write::<{ form::MEM }>(d, i, value),
            _ => self.write_other(d, i, value),
        }
    }

    /// Reads integer operand `i`, which has form `F` (or any form, for [`form::ANY`]).
    #[inline(always)]
    pub(crate) fn read<const F: u8>(&mut self, d: &Decoded, i: u32) -> Result<u64, Halt> {
        let op = &d.ops[i as usize];
        match F {
            form::GPR => Ok(op.gpr.get(&self.cpu)),
            form::MEM | form::MEM4 | form::MEM8 => {
                let a = self.ea(d);
                self.load(a, mem_size::<F>(op))
            }
            form::IMM => Ok(op.imm),
            _ => self.read_op(d, i),
        }
    }

    /// Writes integer operand `i`, which has form `F` (or any form, for [`form::ANY`]).
    #[inline(always)]
    pub(crate) fn write<const F: u8>(&mut self, d: &Decoded, i: u32, value: u64) -> Exec {
        let op = &d.ops[i as usize];
        match F {
            form::GPR => {
                op.gpr.set(&mut self.cpu, value);
                Ok(())
            }
            form::MEM | form::MEM4 | form::MEM8 => {
                let a = self.ea(d);
                self.store(a, mem_size::<F>(op), value)
            }
            form::IMM => self.write_other(d, i, value),
            _ => self.write_op(d, i, value),
        }
    }

    /// Reads an operand the decoder did not resolve, through the decoder's instruction.
    #[cold]
    fn read_other(&mut self, d: &Decoded, i: u32) -> Result<u64, Halt> {
        let ins = &d.ins;
        match ins.op_kind(i) {
            OpKind::Register => Ok(self.cpu.reg(ins.op_register(i))),
            OpKind::Memory => {
                let a = self.ea(d);
                self.load(a, ins.memory_size().size())
            }
            kind if is_immediate(kind) => Ok(ins.immediate(i) & size_mask(self.op_size(d, i))),
            _ => Err(self.unsupported(d)),
        }
    }

    /// Writes an operand the decoder did not resolve, through the decoder's instruction.
    #[cold]
    fn write_other(&mut self, d: &Decoded, i: u32, value: u64) -> Exec {
        let ins = &d.ins;
        match ins.op_kind(i) {
            OpKind::Register => {
                self.cpu.set_reg(ins.op_register(i), value);
                Ok(())
            }
            OpKind::Memory => {
                let a = self.ea(d);
                self.store(a, ins.memory_size().size(), value)
            }
            _ => Err(self.unsupported(d)),
        }
    }
}

/// The size of memory operand `op`, of form `F`: known when the handler
/// is instantiated for 4 and 8 bytes.
#[inline(always)]
fn mem_size<const F: u8>(op: &crate::decode::Operand) -> usize {
    match F {
        form::MEM4 => 4,
        form::MEM8 => 8,
        _ => usize::from(op.size),
    }
}

/// All ones in the low `size` bytes.
#[inline]
pub(crate) fn size_mask(size: usize) -> u64 {
    if size >= 8 {
        u64::MAX
    } else {
        (1u64 << (size * 8)) - 1
    }
}

/// Sign-extends the low `size` bytes of `v`.
#[inline]
pub(crate) fn sign_extend(v: u64, size: usize) -> i64 {
    let shift = 64 - size * 8;
    ((v << shift) as i64) >> shift
}

/// The type descriptors package code refers to (`LEAQ type:main.point(SB), AX`),
/// by address: each relocation of a package function to a `type:` symbol
/// names the address its instruction's memory operand reaches, as linked.
/// The linker gives these no symbol of their own.
fn type_addresses(
    image: &crate::image::Image,
    listing: &gostack_listing::Listing,
) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    for sym in &listing.symbols {
        let (Some(func), Some(base)) = (&sym.func, image.addr(&sym.name)) else {
            continue;
        };
        for r in sym
            .relocs
            .iter()
            .filter(|r| r.target.starts_with("type:") && r.addend == 0)
        {
            // The instruction whose bytes hold the relocated field.
            let Some(ins) = func.instrs.iter().rev().find(|i| i.pc <= r.offset) else {
                continue;
            };
            let Some(decoded) = image.instr(base + u64::from(ins.pc)) else {
                continue;
            };
            if decoded.op_kinds().any(|k| k == iced_x86::OpKind::Memory) {
                out.push((decoded.memory_displacement64(), r.target.clone()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
