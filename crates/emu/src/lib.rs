//! Runs the machine code of a Go listing, amd64 or 386, with the Go runtime modelled.
//!
//! [`run`] loads a parsed [`Listing`] at fixed addresses, starts `main.main`
//! on a goroutine stack with a modelled `g`, and executes instruction by
//! instruction with the `iced-x86` decoder. Calls that leave the package go
//! to models of the runtime and `fmt` functions ([`runtime`]); a call or an
//! instruction with no model stops the run with [`Stop::Unsupported`] naming
//! it and the Go line, never a guess.

mod cpu;
mod debuginfo;
mod decode;
mod elf;
mod exec;
mod frames;
mod gofmt;
mod loader;
mod mem;
mod ops;
mod os;
mod runtime;
mod trace;

use std::fmt;

pub use gostack_listing::Arch;
use gostack_listing::{Listing, Pos};

pub use cpu::{Cpu, GPR_NAMES};
pub use frames::{Frame, Layout, Region, Slot, Snapshot, StackView};
pub use loader::LoadError;
pub use os::World;
pub use trace::{Change, Cursor, Event, Step, Trace};

/// The decoder's bitness for `arch`.
fn bitness(arch: Arch) -> u32 {
    match arch {
        Arch::Amd64 => 64,
        Arch::I386 => 32,
    }
}

/// How to run a program.
#[derive(Debug, Clone)]
pub struct Config {
    /// The GOARCH of the listing.
    pub arch: Arch,
    /// The Go minor version that compiled it (`26` for go1.26.8): runtime layouts differ.
    pub go_minor: u32,
    /// Stop after this many steps.
    pub max_steps: u64,
    /// Record every step.
    pub trace: bool,
    /// The most memory the program may map, in bytes.
    pub memory_limit: u64,
}

impl Config {
    /// Defaults for `arch` and Go `1.<go_minor>`: 50 million steps, no trace.
    pub fn new(arch: Arch, go_minor: u32) -> Config {
        Config {
            arch,
            go_minor,
            max_steps: 50_000_000,
            trace: false,
            memory_limit: 8 << 30,
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
    /// An instruction or runtime function with no model.
    Unsupported {
        /// What is missing, e.g. `instruction VPADDQ` or `runtime function runtime.makemap`.
        what: String,
        /// Where: for a runtime function, the call site.
        at: Location,
    },
    /// A memory access the model cannot serve (not a Go nil dereference).
    Fault {
        /// The address accessed.
        addr: u64,
        /// Which symbol or region it falls in, if known.
        near: String,
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
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Exited(code) => write!(f, "the program exited with status {code}"),
            Stop::Unsupported { what, at } => {
                write!(f, "{what} is not modelled, met at {at}")
            }
            Stop::Fault { addr, near, at } => {
                write!(
                    f,
                    "memory at {addr:#x} ({near}) is not modelled, read or written at {at}"
                )
            }
            Stop::Hung { at } => write!(
                f,
                "every thread of the program waits with no timeout, so the real program would hang (the last one blocked at {at})"
            ),
            Stop::Killed(sig) => write!(f, "the program was killed by signal {sig}"),
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
    /// Instructions and model calls executed.
    pub steps: u64,
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
/// `main`'s listing: it names the package's functions and lines.
pub fn run_executable(
    listing: &Listing,
    executable: &[u8],
    config: &Config,
    world: &World,
) -> Result<Run, LoadError> {
    let mut machine = exec::Machine::for_executable(listing, executable, config, world)?;
    let stop = machine.run();
    Ok(machine.finish(stop))
}

/// Loads `listing` and runs `main.main` to the end.
pub fn run(listing: &Listing, config: &Config) -> Result<Run, LoadError> {
    let mut machine = exec::Machine::new(listing, config)?;
    let stop = machine.run();
    Ok(machine.finish(stop))
}
