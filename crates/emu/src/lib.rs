//! Runs a linked Go executable, amd64 or 386, Go runtime included, on an
//! imitation of Linux, and records what every step did.
//!
//! [`run`] loads the ELF executable ([`elf`]), decodes every function once
//! with the `iced-x86` decoder, lays out the initial stack as the kernel
//! does, and executes from the entry point to `exit_group`: the CPU in
//! [`ops`], Linux for one process (system calls, threads, futexes, signals,
//! a virtual clock) in [`os`]. Everything is deterministic: the same
//! executable gives the same run, byte for byte. An instruction or system
//! call that is not implemented stops the run with [`Stop::Unsupported`]
//! naming it, the function and the Go line, never a guess.

pub mod abi;
mod cpu;
mod debuginfo;
mod decode;
mod elf;
mod exec;
mod frames;
mod history;
mod image;
mod mem;
mod ops;
mod os;
pub mod rtype;
mod trace;
mod watch;

use std::fmt;

pub use gostack_listing::{Arch, in_package_main};
use gostack_listing::{Listing, Pos};

pub use abi::GPR_NAMES;
pub use cpu::Cpu;
pub use frames::{
    Frame, Layout, NumberHasher, NumberMap, Reg, RegVar, Region, Slot, Snapshot, StackView,
    WordRole,
};
pub use history::{Alloc, Call, History};
pub use image::LoadError;
pub use os::{Folder, RLIMITS, Rlimit, WorkDir, World, at_random};
pub use trace::{Addr, Change, Cursor, Event, Step, Trace};
pub use watch::{Boundary, Seen, Watch};

/// The decoder's bitness for `arch`.
fn bitness(arch: Arch) -> u32 {
    match arch {
        Arch::Amd64 => 64,
        Arch::I386 => 32,
    }
}

/// How `gostack run` begins the line on standard error that says a mapping
/// past the memory limit failed ([`Run::memory_refused`]).
pub const MEMORY_REFUSED: &str =
    "gostack: the program asked for more memory than the emulator gives";

/// How to run a program.
#[derive(Debug, Clone)]
pub struct Config {
    /// The GOARCH of the executable.
    pub arch: Arch,
    /// Stop after this many steps.
    pub max_steps: u64,
    /// Record every step.
    pub trace: bool,
    /// The most memory the program may map, in bytes.
    pub memory_limit: u64,
    /// Where the run says how far it has got, and learns it is cancelled.
    pub progress: Option<std::sync::Arc<Progress>>,
}

/// How far a run has got, shared with a thread that watches it and may
/// cancel it; the run looks every few thousand steps.
#[derive(Debug, Default)]
pub struct Progress {
    steps: std::sync::atomic::AtomicU64,
    cancelled: std::sync::atomic::AtomicBool,
}

impl Progress {
    /// The steps run so far.
    pub fn steps(&self) -> u64 {
        self.steps.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Ends the run ([`Stop::Cancelled`]).
    pub fn cancel(&self) {
        self.cancelled
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Records `steps`; whether the run is to end.
    pub(crate) fn report(&self, steps: u64) -> bool {
        self.steps
            .store(steps, std::sync::atomic::Ordering::Relaxed);
        self.cancelled.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Config {
    /// The default [`Config::memory_limit`]: 8 GiB, room to spare on a 24 GiB machine.
    pub const DEFAULT_MEMORY_LIMIT: u64 = 8 << 30;

    /// Defaults for `arch`: a billion steps, no trace, 8 GiB of memory.
    pub fn new(arch: Arch) -> Config {
        Config {
            arch,
            max_steps: 1_000_000_000,
            trace: false,
            memory_limit: Config::DEFAULT_MEMORY_LIMIT,
            progress: None,
        }
    }
}

/// Where in the program something happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The instruction's address.
    pub pc: u64,
    /// The function holding it, e.g. `main.add1`.
    pub func: String,
    /// Offset in that function.
    pub offset: u64,
    /// The Go source position, when the listing has one.
    pub pos: Option<Pos>,
    /// The listing's assembly text for the instruction.
    pub asm: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{:#x}", self.func, self.offset)?;
        if let Some(pos) = &self.pos {
            write!(f, " ({pos})")?;
        }
        if !self.asm.is_empty() {
            write!(f, " `{}`", self.asm.replace('\t', " "))?;
        }
        Ok(())
    }
}

/// Why a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The program exited with this status (2 after an unrecovered panic).
    Exited(i32),
    /// An instruction or system call that is not implemented.
    Unsupported {
        /// What is missing, e.g. `instruction VPADDQ` or `system call 7 (poll) on amd64`.
        what: String,
        /// Where.
        at: Location,
    },
    /// The program starts another program or process (`execve`, `fork`,
    /// looking one up in `PATH`): gostack runs one process.
    AnotherProcess {
        /// What it did, e.g. `execve /bin/sh`.
        what: String,
        /// Where.
        at: Location,
    },
    /// The step limit was reached.
    StepLimit(u64),
    /// Every thread waits for something that can never happen: the real
    /// program would hang here.
    Hung {
        /// Where the last thread to block was.
        at: Location,
    },
    /// A signal with no handler ended the program (its number).
    Killed(i32),
    /// Whoever watched the run ([`Config::progress`]) cancelled it, after
    /// this many steps.
    Cancelled(u64),
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Exited(code) => write!(f, "the program exited with status {code}"),
            Stop::Unsupported { what, at } => {
                write!(f, "{what} is not implemented, met at {at}")
            }
            Stop::AnotherProcess { what, at } => write!(
                f,
                "the program starts another program ({what}): gostack runs one process; met at {at}"
            ),
            Stop::Hung { at } => write!(
                f,
                "every thread of the program waits with no timeout, so the real program would hang (the last one blocked at {at})"
            ),
            Stop::Killed(sig) => write!(f, "the program was killed by signal {sig}"),
            Stop::Cancelled(n) => write!(f, "the run was cancelled after {n} steps"),
            Stop::StepLimit(n) => write!(
                f,
                "stopped after {n} steps (the step limit); raise it with --max-steps"
            ),
        }
    }
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Run {
    /// What the program wrote to standard output.
    pub stdout: Vec<u8>,
    /// What the program wrote to standard error.
    pub stderr: Vec<u8>,
    /// Why it ended.
    pub stop: Stop,
    /// Instructions executed, by every thread.
    pub steps: u64,
    /// The size of the first mapping refused at [`Config::memory_limit`]:
    /// the program then saw the failure a full machine gives (`ENOMEM`).
    /// `gostack run` says so in a line that starts with [`MEMORY_REFUSED`].
    pub memory_refused: Option<u64>,
    /// Every step, when [`Config::trace`] was set.
    pub trace: Option<Trace>,
    /// Symbols, code and frame facts, to explain addresses and stacks.
    pub layout: Layout,
}

impl Run {
    /// The stack just before step `step` runs, when the run was traced.
    pub fn stack(&self, step: usize) -> Option<StackView> {
        let trace = self.trace.as_ref()?;
        Some(self.layout.stack(&trace.snapshot(step)))
    }
}

/// Runs a linked executable, the Go runtime included, on the imitation of
/// Linux, from its entry point to `exit_group`. `listing` is package
/// `main`'s listing: it names the package's functions, slots and lines.
pub fn run(
    listing: &Listing,
    executable: &[u8],
    config: &Config,
    world: &World,
) -> Result<Run, LoadError> {
    let mut machine = exec::Machine::new(listing, executable, config, world)?;
    let stop = machine.run();
    Ok(machine.finish(stop))
}

/// Runs a linked executable as [`run`] does, untraced, reporting the steps
/// `watch` asks for as they happen.
pub fn watch<'a>(
    listing: &'a Listing,
    executable: &[u8],
    config: &Config,
    world: &World,
    watch: Watch<'a>,
) -> Result<Run, LoadError> {
    let mut machine = exec::Machine::new(listing, executable, config, world)?;
    machine.start_watch(watch);
    let stop = machine.run();
    Ok(machine.finish(stop))
}
