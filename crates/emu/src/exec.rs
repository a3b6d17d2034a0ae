//! The machine: CPU, memory and loaded image, the step loop, operand access,
//! and the dispatch from each instruction to its handler in [`crate::ops`].

use gostack_listing::Listing;
use iced_x86::{Instruction, Mnemonic, OpKind, Register};

use crate::cpu::{Cpu, RSP};
use crate::frames::{Layout, Snapshot};
use crate::loader::{Image, SymClass};
use crate::mem::{Fault, Memory};
use crate::ops;
use crate::runtime;
use crate::trace::{Before, TraceBuilder};
use crate::{Arch, Config, LoadError, Location, Run, Stop};

/// A stopped run, boxed to keep results small.
pub(crate) type Halt = Box<Stop>;

/// A handler's result: `Err` ends the run.
pub(crate) type Exec = Result<(), Halt>;

/// Everything the emulator knows about a running program.
pub(crate) struct Machine<'a> {
    pub(crate) arch: Arch,
    pub(crate) go_minor: u32,
    pub(crate) cpu: Cpu,
    pub(crate) mem: Memory,
    pub(crate) image: Image,
    pub(crate) listing: &'a Listing,
    pub(crate) rt: runtime::State,
    pub(crate) trace: Option<TraceBuilder>,
    pub(crate) steps: u64,
    /// Address of the instruction (or stub) being executed.
    pub(crate) pc: u64,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    max_steps: u64,
}

impl<'a> Machine<'a> {
    /// Loads the listing and prepares the goroutine that runs `main.main`.
    pub(crate) fn new(listing: &'a Listing, config: &Config) -> Result<Machine<'a>, LoadError> {
        let mut mem = Memory::default();
        let facts = runtime::facts::of(config.go_minor, config.arch).ok_or(
            LoadError::RuntimeNotMeasured {
                go_minor: config.go_minor,
                arch: config.arch,
            },
        )?;
        let image = Image::load(listing, config.arch, facts, &mut mem)?;
        let mut m = Machine {
            arch: config.arch,
            go_minor: config.go_minor,
            cpu: Cpu::default(),
            mem,
            image,
            listing,
            rt: runtime::State::default(),
            trace: None,
            steps: 0,
            pc: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
            max_steps: config.max_steps,
        };
        runtime::start(&mut m, facts);
        if config.trace {
            let mut initial = Snapshot::new(m.cpu.clone());
            for region in m.mem.regions() {
                for (i, chunk) in region.data.chunks(4096).enumerate() {
                    if chunk.iter().any(|&b| b != 0) {
                        initial.write(region.base + 4096 * i as u64, chunk);
                    }
                }
            }
            m.trace = Some(TraceBuilder::new(initial));
        }
        Ok(m)
    }

    /// Runs until the program exits or something stops it.
    pub(crate) fn run(&mut self) -> Stop {
        // The decoded code is shared, so a step borrows its instruction while it changes the machine.
        let code = std::sync::Arc::clone(&self.image.code);
        loop {
            if self.steps >= self.max_steps {
                return Stop::StepLimit(self.steps);
            }
            let result = if self.trace.is_some() {
                self.traced_step(&code)
            } else {
                self.step(&code)
            };
            self.steps += 1;
            if let Err(stop) = result {
                if std::mem::take(&mut self.rt.redirected) {
                    continue;
                }
                return *stop;
            }
        }
    }

    #[inline]
    fn step(&mut self, code: &[Instruction]) -> Exec {
        let pc = self.cpu.rip;
        self.pc = pc;
        let index = pc
            .checked_sub(crate::loader::TEXT_BASE)
            .and_then(|off| self.image.code_index.get(off as usize));
        match index {
            Some(&i) if i != u32::MAX => {
                let ins = &code[i as usize];
                self.cpu.rip = ins.next_ip();
                self.exec(ins)
            }
            _ => runtime::enter(self, pc),
        }
    }

    fn traced_step(&mut self, code: &[Instruction]) -> Exec {
        let pc = self.cpu.rip;
        let touches_xmm = self.image.touches_xmm(pc);
        let before = Before {
            gpr: self.cpu.gpr,
            flags: self.cpu.flags,
            xmm: touches_xmm.then_some(self.cpu.xmm),
        };
        let result = self.step(code);
        if let Some(t) = &mut self.trace {
            t.finish_step(pc, &before, &self.cpu);
        }
        result
    }

    /// Ends the run and hands back what it produced.
    pub(crate) fn finish(self, stop: Stop) -> Run {
        Run {
            layout: Layout::new(self.image, self.listing, self.arch, self.go_minor),
            stdout: self.stdout,
            stderr: self.stderr,
            stop,
            steps: self.steps,
            trace: self.trace.map(TraceBuilder::build),
        }
    }

    /// Executes one decoded instruction; `rip` already points past it.
    fn exec(&mut self, ins: &Instruction) -> Exec {
        use Mnemonic as M;
        match ins.mnemonic() {
            M::Push | M::Pop => ops::stack::exec(self, ins),
            M::Call | M::Ret | M::Jmp | M::Int3 | M::Ud2 => ops::control::exec(self, ins),
            // Jcc branches; SETcc and CMOVcc move data.
            _ if ins.condition_code() != iced_x86::ConditionCode::None => {
                if ins.flow_control() == iced_x86::FlowControl::ConditionalBranch {
                    ops::control::exec(self, ins)
                } else {
                    ops::mov::exec(self, ins)
                }
            }
            M::Mov
            | M::Movzx
            | M::Movsx
            | M::Movsxd
            | M::Lea
            | M::Xchg
            | M::Cdq
            | M::Cqo
            | M::Cdqe
            | M::Cwde
            | M::Cwd
            | M::Bswap
            | M::Movsq
            | M::Movsd
            | M::Movsb
            | M::Stosq
            | M::Stosd
            | M::Stosb
            | M::Nop => ops::mov::exec(self, ins),
            M::Add
            | M::Adc
            | M::Sub
            | M::Sbb
            | M::Cmp
            | M::And
            | M::Or
            | M::Xor
            | M::Test
            | M::Inc
            | M::Dec
            | M::Neg
            | M::Not
            | M::Shl
            | M::Shr
            | M::Sar
            | M::Rol
            | M::Ror
            | M::Imul
            | M::Mul
            | M::Div
            | M::Idiv
            | M::Bt
            | M::Bts
            | M::Btr
            | M::Bsf
            | M::Bsr
            | M::Tzcnt
            | M::Lzcnt
            | M::Popcnt
            | M::Shld
            | M::Shrd
            | M::Xadd
            | M::Cmpxchg => ops::arith::exec(self, ins),
            _ => ops::sse::exec(self, ins),
        }
    }

    /// Stops the run: `ins` has no model.
    pub(crate) fn unsupported(&self, ins: &Instruction) -> Halt {
        Box::new(Stop::Unsupported {
            what: format!("instruction {:?} ({:?})", ins.mnemonic(), ins.code()),
            at: self.location(ins.ip()),
        })
    }

    /// Where `pc` is: function, offset, source line and assembly text.
    pub(crate) fn location(&self, pc: u64) -> Location {
        let Some(sym) = self.image.symbol_at(pc) else {
            return Location {
                pc,
                func: format!("{pc:#x}"),
                offset: 0,
                pos: None,
                asm: String::new(),
            };
        };
        let offset = pc - sym.addr;
        let mut loc = Location {
            pc,
            func: sym.name.clone(),
            offset,
            pos: None,
            asm: String::new(),
        };
        if let Some(func) = sym
            .listing_index
            .and_then(|i| self.listing.symbols[i].func.as_ref())
            && let Some(instr) = u32::try_from(offset).ok().and_then(|o| func.instr_at(o))
        {
            loc.pos = instr.pos.clone();
            loc.asm = instr.text();
        }
        loc
    }

    /// Turns a memory fault into the stop or Go panic it stands for.
    pub(crate) fn fault(&mut self, fault: Fault) -> Halt {
        let pc = self.current_pc();
        if fault.addr < 0x1000 {
            return runtime::panic::nil_dereference(self, fault.addr);
        }
        let near = match self.image.symbol_at(fault.addr) {
            Some(s) if s.class == SymClass::Opaque => {
                format!("{}, whose contents are not modelled", s.name)
            }
            Some(s) => format!("{}+{:#x}", s.name, fault.addr - s.addr),
            None => self
                .mem
                .region_name(fault.addr)
                .unwrap_or("unmapped")
                .to_string(),
        };
        let near = if fault.write {
            format!("write to {near}")
        } else {
            near
        };
        Box::new(Stop::Fault {
            addr: fault.addr,
            near,
            at: self.location(pc),
        })
    }

    /// The address of the instruction being executed.
    pub(crate) fn current_pc(&self) -> u64 {
        self.pc
    }

    // ---- memory ----

    /// Reads `size` bytes at `addr` as a little-endian integer.
    #[inline]
    pub(crate) fn load(&mut self, addr: u64, size: usize) -> Result<u64, Halt> {
        match self.mem.read(addr, size) {
            Ok(v) => Ok(v),
            Err(f) => Err(self.fault(f)),
        }
    }

    /// Writes the low `size` bytes of `value` at `addr`.
    #[inline]
    pub(crate) fn store(&mut self, addr: u64, size: usize, value: u64) -> Exec {
        if let Some(t) = &mut self.trace {
            let old = self.mem.read(addr, size).unwrap_or(0);
            t.mem(addr, size, old, value);
        }
        let bytes = value.to_le_bytes();
        match self.mem.write_bytes(addr, &bytes[..size]) {
            Ok(()) => Ok(()),
            Err(f) => Err(self.fault(f)),
        }
    }

    /// Reads a byte range.
    pub(crate) fn load_bytes(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, Halt> {
        if len == 0 {
            return Ok(Vec::new());
        }
        match self.mem.slice(addr, len) {
            Ok(b) => Ok(b.to_vec()),
            Err(f) => Err(self.fault(f)),
        }
    }

    /// Writes a byte range, eight bytes at a time so a trace records it.
    pub(crate) fn store_bytes(&mut self, addr: u64, bytes: &[u8]) -> Exec {
        for (i, chunk) in bytes.chunks(8).enumerate() {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.store(addr + 8 * i as u64, chunk.len(), u64::from_le_bytes(buf))?;
        }
        Ok(())
    }

    /// Reads a pointer-sized word.
    pub(crate) fn load_word(&mut self, addr: u64) -> Result<u64, Halt> {
        self.load(addr, self.arch.word() as usize)
    }

    /// Writes a pointer-sized word.
    pub(crate) fn store_word(&mut self, addr: u64, value: u64) -> Exec {
        self.store(addr, self.arch.word() as usize, value)
    }

    // ---- the stack ----

    /// The stack pointer.
    #[inline]
    pub(crate) fn sp(&self) -> u64 {
        self.cpu.gpr[RSP]
    }

    /// Pushes a pointer-sized word.
    pub(crate) fn push(&mut self, value: u64) -> Exec {
        let sp = self.sp().wrapping_sub(self.arch.word()) & self.mask();
        self.store_word(sp, value)?;
        self.cpu.gpr[RSP] = sp;
        Ok(())
    }

    /// Pops a pointer-sized word.
    pub(crate) fn pop(&mut self) -> Result<u64, Halt> {
        let sp = self.sp();
        let v = self.load_word(sp)?;
        self.cpu.gpr[RSP] = (sp + self.arch.word()) & self.mask();
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
    pub(crate) fn ea(&self, ins: &Instruction) -> u64 {
        let base = ins.memory_base();
        let mut a = ins.memory_displacement64();
        if base == Register::RIP || base == Register::EIP {
            return a;
        }
        if base != Register::None {
            a = a.wrapping_add(self.cpu.reg(base));
        }
        let index = ins.memory_index();
        if index != Register::None {
            a = a.wrapping_add(
                self.cpu
                    .reg(index)
                    .wrapping_mul(u64::from(ins.memory_index_scale())),
            );
        }
        if ins.memory_segment() == Register::GS {
            a = a.wrapping_add(self.cpu.gs_base);
        }
        a & self.mask()
    }

    /// The size in bytes of operand `i`.
    #[inline]
    pub(crate) fn op_size(&self, ins: &Instruction, i: u32) -> usize {
        match ins.op_kind(i) {
            OpKind::Register => ins.op_register(i).size(),
            OpKind::Memory => ins.memory_size().size(),
            _ if i > 0 => self.op_size(ins, 0),
            _ => self.arch.word() as usize,
        }
    }

    /// Reads integer operand `i`, zero-extended (immediates masked to the operand size).
    #[inline]
    pub(crate) fn read_op(&mut self, ins: &Instruction, i: u32) -> Result<u64, Halt> {
        match ins.op_kind(i) {
            OpKind::Register => Ok(self.cpu.reg(ins.op_register(i))),
            OpKind::Memory => {
                let a = self.ea(ins);
                self.load(a, ins.memory_size().size())
            }
            OpKind::Immediate8
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64 => Ok(ins.immediate(i) & size_mask(self.op_size(ins, i))),
            _ => Err(self.unsupported(ins)),
        }
    }

    /// Writes integer operand `i`.
    #[inline]
    pub(crate) fn write_op(&mut self, ins: &Instruction, i: u32, value: u64) -> Exec {
        match ins.op_kind(i) {
            OpKind::Register => {
                self.cpu.set_reg(ins.op_register(i), value);
                Ok(())
            }
            OpKind::Memory => {
                let a = self.ea(ins);
                self.store(a, ins.memory_size().size(), value)
            }
            _ => Err(self.unsupported(ins)),
        }
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
