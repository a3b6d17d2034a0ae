//! The debugger oracle: runs a program's real machine code under gdb, one
//! instruction at a time through the functions of package main, and
//! compares every step with the emulator's trace of the same program.
//!
//! Values cannot be compared raw, since the two runs place code, stacks and
//! heaps at different addresses; both sides map each value to a canonical
//! form first: a stack address becomes its distance below the goroutine's
//! stack top, a code or data address its symbol (and offset, inside the
//! package), a heap address `heap`, `g` itself `g`; other values stay
//! numbers. Only what the program defined is compared: registers and flags
//! written since the last call out of the package (a runtime function leaves
//! the others as it likes), and stack words the program has written.
//!
//! amd64 only; the real program is built with `go build -gcflags=<flags>`,
//! which compiles package main exactly as the emulator's listing does.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use std::process::Command;

use gostack_emu::{Change, GPR_NAMES, Region, Run};
use gostack_toolchain::{Cache, Go};

/// The gdb script that single-steps the real program.
const TRACER: &str = include_str!("trace.py");

/// At most this many real steps are traced (gdb steps about a thousand a second).
pub const MAX_REAL_STEPS: usize = 20_000;

/// The flags compared: CF and ZF, the outcome of every comparison. The
/// others depend on the raw bits of the operands, and many operands are
/// addresses, which differ between the two runs.
const FLAGS: u64 = 0x1 | 0x40;

/// Words above a return address that a called runtime function may use as
/// its register arguments' spill slots.
const SPILL_WORDS: u64 = 16;

/// How to verify a program.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Compiler flags, e.g. `-N -l`.
    pub flags: Vec<String>,
}

/// What the comparison found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Steps in package main compared.
    pub steps_compared: usize,
    /// Of those, steps with nothing different.
    pub steps_equal: usize,
    /// Steps the emulator ran in package main.
    pub emulator_steps: usize,
    /// Steps the real CPU ran in package main.
    pub real_steps: usize,
    /// The first step that differs.
    pub first_difference: Option<Difference>,
    /// Where the paths legitimately part and meet again (a stack grown at another depth).
    pub notes: Vec<String>,
}

/// One difference between the two runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Step number among the package's steps.
    pub step: usize,
    /// `main.add1+0x2e (main.go:14) ADDQ $10, AX`.
    pub location: String,
    /// What differs: `pc`, a register name, `flags` or `stack top - 0x48`.
    pub what: String,
    /// The emulator's value.
    pub emulator: String,
    /// The real CPU's value.
    pub real: String,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "steps compared: {} (emulator {}, real CPU {}), equal: {}",
            self.steps_compared, self.emulator_steps, self.real_steps, self.steps_equal
        )?;
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        match &self.first_difference {
            None => write!(f, "no difference"),
            Some(d) => write!(
                f,
                "first difference at step {}: {}\n  {}: emulator {} / real CPU {}",
                d.step, d.location, d.what, d.emulator, d.real
            ),
        }
    }
}

/// Why a program could not be verified.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Compiling, drawing or running failed.
    #[error(transparent)]
    Draw(#[from] gostack_draw::Error),
    /// Building the real program, running gdb or reading its output failed.
    #[error("{0}")]
    Real(String),
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One instruction about to run on the real CPU.
#[derive(Debug, Clone, serde::Deserialize)]
struct RealState {
    pc: u64,
    regs: Vec<u64>,
    flags: u64,
    lo: u64,
    hi: u64,
    stack: Vec<u64>,
}

/// The real binary's symbols, for naming addresses.
struct Symbols {
    /// Start, end and name, sorted by start.
    table: Vec<(u64, u64, String)>,
    /// Read-only data: type descriptors, strings, itabs, static tables, mostly without symbols of their own.
    rodata: (u64, u64),
}

impl Symbols {
    fn name(&self, v: u64) -> Option<(String, u64)> {
        let i = self.table.partition_point(|s| s.0 <= v);
        let (lo, hi, name) = self.table.get(i.checked_sub(1)?)?;
        (v < (*hi).max(lo + 1)).then(|| (name.trim_end_matches(".abi0").to_string(), v - lo))
    }
}

/// A value in the form both runs can agree on.
fn canonical_code(name: &str, off: u64) -> String {
    if name.starts_with("main.") {
        format!("{name}+{off:#x}")
    } else {
        // Inside the runtime only the function is comparable: its code is not the model's.
        name.to_string()
    }
}

fn real_value(v: u64, state: &RealState, syms: &Symbols) -> String {
    let g = state.regs[14];
    if v == g {
        return "g".into();
    }
    if v >= state.lo && v <= state.hi {
        return format!("stack top - {:#x}", state.hi - v);
    }
    if v >= syms.rodata.0 && v < syms.rodata.1 {
        return "rodata".into();
    }
    if v >= 0x40_0000
        && let Some((name, off)) = syms.name(v)
    {
        return if off == 0 || !name.starts_with("main.") {
            canonical_code(&name, off)
        } else {
            format!("{name}+{off:#x}")
        };
    }
    // Go puts heaps (and other goroutines' stacks) far above the program.
    if (1 << 32..1 << 48).contains(&v) {
        return "heap".into();
    }
    v.to_string()
}

/// Whether the emulator's symbol `name` is read-only data in a linked program.
fn is_rodata(name: &str) -> bool {
    ["type:", "type.", "go:", "go.", "runtime.staticuint64s"]
        .iter()
        .any(|p| name.starts_with(p))
        || name.contains("..stmp_")
        || name.ends_with("\u{b7}f")
}

fn emu_value(v: u64, hi: u64, run: &Run) -> String {
    let layout = &run.layout;
    if layout.runtime_object(v) == Some("g") {
        return "g".into();
    }
    match layout.region(v) {
        Region::Stack if v <= hi && hi - v < 1 << 20 => format!("stack top - {:#x}", hi - v),
        // The runtime's own objects the models keep (the files behind os.Stdout) live on the heap in Go.
        Region::Heap => "heap".into(),
        Region::Runtime if layout.symbolize(v).is_none() => "heap".into(),
        Region::Code | Region::Data | Region::Runtime => match layout.symbolize(v) {
            Some((name, _)) if is_rodata(&name) => "rodata".into(),
            Some((name, off)) if off == 0 || !name.starts_with("main.") => {
                canonical_code(&name, off)
            }
            Some((name, off)) => format!("{name}+{off:#x}"),
            None => v.to_string(),
        },
        _ => v.to_string(),
    }
}

/// Builds the real program and traces it under gdb.
fn real_run(go: &Go, program: &Path, config: &Config) -> Result<(Vec<RealState>, Symbols), Error> {
    let dir = tempfile::TempDir::new()?;
    std::fs::copy(program, dir.path().join("main.go"))?;
    let built = Command::new(go.path())
        .args([
            "build",
            &format!("-gcflags={}", config.flags.join(" ")),
            "-o",
            "prog",
            "main.go",
        ])
        .current_dir(dir.path())
        .env("GOARCH", "amd64")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .output()?;
    if !built.status.success() {
        return Err(Error::Real(format!(
            "go build: {}",
            String::from_utf8_lossy(&built.stderr)
        )));
    }
    let nm = Command::new(go.path())
        .args(["tool", "nm", "-size", "-sort", "address", "prog"])
        .current_dir(dir.path())
        .output()?;
    let mut table = Vec::new();
    let mut funcs = Vec::new();
    for line in String::from_utf8_lossy(&nm.stdout).lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() < 4 {
            continue;
        }
        let (Ok(addr), Ok(size)) = (u64::from_str_radix(parts[0], 16), parts[1].parse::<u64>())
        else {
            continue;
        };
        let name = parts[3..].join(" ");
        if parts[2] == "T" && name.starts_with("main.") {
            funcs.push([addr, addr + size]);
        }
        table.push((addr, addr + size, name));
    }
    table.sort_by_key(|s| s.0);
    let marker = |n: &str| table.iter().find(|s| s.2 == n).map_or(0, |s| s.0);
    let rodata = (marker("runtime.rodata"), marker("runtime.erodata"));
    let script = dir.path().join("trace.py");
    std::fs::write(&script, TRACER)?;
    let out = dir.path().join("trace.jsonl");
    let gdb = Command::new("gdb")
        .args(["-batch", "-nx", "-x"])
        .arg(&script)
        .arg(dir.path().join("prog"))
        .env(
            "GOSTACK_FUNCS",
            serde_json::to_string(&funcs).unwrap_or_default(),
        )
        .env("GOSTACK_OUT", &out)
        .env("GODEBUG", "asyncpreemptoff=1")
        .env("GOSTACK_MAX", MAX_REAL_STEPS.to_string())
        .output()
        .map_err(|e| Error::Real(format!("running gdb (install Debian's gdb): {e}")))?;
    let text = std::fs::read_to_string(&out).map_err(|e| {
        Error::Real(format!(
            "gdb wrote no trace ({e}): {}",
            String::from_utf8_lossy(&gdb.stderr)
        ))
    })?;
    let states = text
        .lines()
        .map(|l| serde_json::from_str(l).map_err(|e| Error::Real(format!("gdb's trace: {e}"))))
        .collect::<Result<Vec<RealState>, Error>>()?;
    Ok((states, Symbols { table, rodata }))
}

/// Runs `program` on the real CPU and in the emulator, amd64, and compares them step by step.
pub fn verify(go: &Go, cache: &Cache, program: &Path, config: &Config) -> Result<Report, Error> {
    let source = std::fs::read_to_string(program)?;
    let traced = gostack_draw::trace(
        go,
        cache,
        &source,
        "main.go",
        gostack_emu::Arch::Amd64,
        &config.flags,
    )?;
    let run = &traced.run;
    let trace = run.trace.as_ref().expect("traced");
    let (real, syms) = real_run(go, program, config)?;

    // Definedness, as of the step being compared.
    let mut regs_defined = [false; 16];
    for r in [4, 5, 14] {
        regs_defined[r] = true;
    }
    let mut flags_defined = false;
    let mut written: HashSet<u64> = HashSet::new();
    let mut report = Report {
        steps_compared: 0,
        steps_equal: 0,
        emulator_steps: 0,
        real_steps: real.len(),
        first_difference: None,
        notes: Vec::new(),
    };
    // Steps to pass over on one side after a stack check the two runs decide differently.
    let mut skip_emu_until: Option<String> = None;
    let mut skip_real = false;
    let mut cursor = trace.cursor();
    let mut k = 0usize;
    loop {
        let i = cursor.step();
        let Some(step) = trace.steps.get(i) else {
            break;
        };
        let in_main = run
            .layout
            .symbolize(step.pc)
            .is_some_and(|(n, _)| n.starts_with("main."));
        if in_main {
            report.emulator_steps += 1;
            if skip_real {
                // The real run grew its stack here: pass over its growth path until it is back where the emulator is.
                let pc_emu = emu_value(step.pc, 0, run);
                while let Some(state) = real.get(k) {
                    if real_value(state.pc, state, &syms) == pc_emu {
                        break;
                    }
                    k += 1;
                }
                skip_real = false;
            }
            if let Some(target) = skip_emu_until.clone() {
                if emu_value(step.pc, 0, run) == target {
                    skip_emu_until = None;
                } else {
                    if !cursor.advance() {
                        break;
                    }
                    continue;
                }
            }
            if report.first_difference.is_none()
                && let Some(state) = real.get(k)
            {
                report.steps_compared += 1;
                match compare(
                    run,
                    cursor.snapshot(),
                    state,
                    &syms,
                    &regs_defined,
                    flags_defined,
                    &written,
                ) {
                    None => report.steps_equal += 1,
                    // A stack check the two runs decide differently: one grows its stack here, the other did earlier or will later.
                    Some((what, _, _)) if what == "flags" && is_stack_check(run, trace, i) => {
                        report.steps_equal += 1;
                        let emu_grows = cursor.snapshot().cpu.flags & 1 != 0;
                        let loc = run.layout.location(step.pc);
                        report.notes.push(format!(
                            "step {k}: {loc}: the {} grows its stack here and the {} does not (their stacks grew at other depths)",
                            if emu_grows { "emulator" } else { "real runtime" },
                            if emu_grows { "real runtime" } else { "emulator" },
                        ));
                        if emu_grows {
                            skip_emu_until = real.get(k + 1).map(|s| real_value(s.pc, s, &syms));
                        } else {
                            skip_real = true;
                        }
                        // Only one side ran morestack: what it left in the registers is its own.
                        regs_defined = [false; 16];
                        for r in [4, 5, 14] {
                            regs_defined[r] = true;
                        }
                        flags_defined = false;
                    }
                    Some((what, emulator, real)) => {
                        let loc = run.layout.location(step.pc);
                        report.first_difference = Some(Difference {
                            step: k,
                            location: loc.to_string(),
                            what,
                            emulator,
                            real,
                        });
                    }
                }
            }
            k += 1;
        }
        // Steps the emulator takes on a path the real run did not (its own stack growth) define nothing.
        if skip_emu_until.is_some() {
            if !cursor.advance() {
                break;
            }
            continue;
        }
        // What this step defines for the next ones.
        let hi = cursor.snapshot().read(gostack_emu::Layout::g_addr() + 8, 8);
        // A step that ran runtime code (a model, or a fault that became a panic) leaves registers as that code likes.
        if !in_main || trace.event(i).is_some() {
            regs_defined = [false; 16];
            for r in [4, 5, 14] {
                regs_defined[r] = true;
            }
            flags_defined = false;
            // The real function ran its own frames below the caller's SP, and may
            // have spilled its register arguments into the slots the caller
            // reserved above the return address: those words are its, not the program's.
            let sp = cursor.snapshot().cpu.gpr[4];
            written.retain(|&below_top| hi.wrapping_sub(below_top) >= sp + SPILL_WORDS * 8);
        }
        for c in trace.changes_of(i) {
            match *c {
                Change::Reg { reg, .. } => regs_defined[usize::from(reg)] = true,
                Change::Flags { .. } if in_main => flags_defined = true,
                Change::Mem { addr, .. } if addr <= hi && hi - addr < 1 << 20 => {
                    written.insert(hi - (addr - addr % 8));
                }
                _ => {}
            }
        }
        if !cursor.advance() {
            break;
        }
    }
    // Where the stacks grew at other depths, the runs took different numbers of steps.
    let truncated = report.real_steps >= MAX_REAL_STEPS;
    if report.first_difference.is_none()
        && report.emulator_steps != report.real_steps
        && !truncated
        && report.notes.is_empty()
    {
        report.first_difference = Some(Difference {
            step: report.steps_compared,
            location: "the end of the run".into(),
            what: "number of steps in package main".into(),
            emulator: report.emulator_steps.to_string(),
            real: report.real_steps.to_string(),
        });
    }
    Ok(report)
}

/// Whether step `i` is the branch of a function's stack check (`JLS` after `CMPQ SP, 16(R14)`).
fn is_stack_check(run: &Run, trace: &gostack_emu::Trace, i: usize) -> bool {
    let here = run.layout.location(trace.steps[i].pc);
    let before = i
        .checked_sub(1)
        .map(|j| run.layout.location(trace.steps[j].pc));
    here.asm.starts_with("JLS") && before.is_some_and(|b| b.asm.contains("16(R14)"))
}

/// The first thing that differs between the emulator's state and the real one, if any.
fn compare(
    run: &Run,
    snap: &gostack_emu::Snapshot,
    state: &RealState,
    syms: &Symbols,
    regs_defined: &[bool; 16],
    flags_defined: bool,
    written: &HashSet<u64>,
) -> Option<(String, String, String)> {
    let hi = snap.read(gostack_emu::Layout::g_addr() + 8, 8);
    let pc_emu = emu_value(snap.cpu.rip, hi, run);
    let pc_real = real_value(state.pc, state, syms);
    if pc_emu != pc_real {
        return Some(("pc".into(), pc_emu, pc_real));
    }
    for r in 0..16 {
        if !regs_defined[r] {
            continue;
        }
        let (e, v) = (
            emu_value(snap.cpu.gpr[r], hi, run),
            real_value(state.regs[r], state, syms),
        );
        if e != v {
            return Some((GPR_NAMES[r].to_string(), e, v));
        }
    }
    if flags_defined && snap.cpu.flags & FLAGS != state.flags & FLAGS {
        return Some((
            "flags".into(),
            format!("{:#x}", snap.cpu.flags & FLAGS),
            format!("{:#x}", state.flags & FLAGS),
        ));
    }
    let sp = snap.cpu.gpr[4];
    let mut words: BTreeMap<u64, usize> = BTreeMap::new();
    for (n, _) in state.stack.iter().enumerate() {
        words.insert(hi.wrapping_sub(sp + 8 * n as u64), n);
    }
    for (below_top, n) in words {
        if !written.contains(&below_top) {
            continue;
        }
        let e = emu_value(snap.read(hi - below_top, 8), hi, run);
        let v = real_value(state.stack[n], state, syms);
        if e != v {
            return Some((format!("stack top - {below_top:#x}"), e, v));
        }
    }
    None
}
