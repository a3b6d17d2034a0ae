//! The names oracle: the words a picture names, checked against Delve.
//!
//! The same executable runs in the emulator and, natively, under Delve
//! ([`crate::delve`]). Both stop at every moment a writer names most: the
//! entry of each function of package main, just after each of its calls,
//! and at each of its `RET`s, the first time each runs. At each, Delve
//! lists every package frame's arguments, locals and results with where
//! they are (an address, or a register), and each one it places is looked
//! for in the emulator's stack view of the same step (the model every
//! picture is drawn from, [`gostack_emu::History::stack`]):
//!
//! - a variable in stack memory must be carried by the word at its address
//!   (stack addresses are mapped by the two runs' distance between their
//!   stack pointers), by name, in that function, at its bytes; where the
//!   picture does not call the word stale, its value must be Delve's;
//! - a variable of the innermost frame in a register must be named in the
//!   view's registers;
//! - no word the view names after one of Delve's variables (not stale, and
//!   not a spill slot, which is the slot's name) may lie where Delve does
//!   not place that variable.
//!
//! What Delve cannot place (optimised code without a location there, a
//! popped frame's variables below SP, a variable on the heap) is counted
//! as skipped, never guessed.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use gostack_emu::{Arch, History, Reg, Slot, StackView, WordRole, World, in_package_main};
use gostack_toolchain::{Built, Cache, CompileRequest, Go};
use serde_json::Value;

use crate::delve::{Session, delve};
use crate::{ARGS, ENV, Error};

/// What the names oracle found in one program.
#[derive(Debug, Clone, Default)]
pub struct NamesReport {
    /// The moments both runs stopped at.
    pub moments: usize,
    /// The variables Delve placed that were compared.
    pub compared: usize,
    /// The variables Delve could not place, or placed where no picture draws (popped, heap).
    pub skipped: usize,
    /// The moments the emulator reached and the real run did not (the
    /// goroutines ran in another order: the program ended first), or
    /// reached first in another call (the runtime preempted the real run
    /// elsewhere, so its stack grew at another depth): the package frames
    /// on the two stacks differ.
    pub unreached: usize,
    /// Every disagreement, one line each.
    pub disagreements: Vec<String>,
}

impl NamesReport {
    /// Adds `other`'s counts and disagreements, each disagreement prefixed with `what`.
    pub fn absorb(&mut self, what: &str, other: &NamesReport) {
        self.moments += other.moments;
        self.compared += other.compared;
        self.skipped += other.skipped;
        self.unreached += other.unreached;
        self.disagreements
            .extend(other.disagreements.iter().map(|d| format!("{what}: {d}")));
    }
}

impl fmt::Display for NamesReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} moments ({} the real run did not reach in the same call), {} variables compared with Delve {}, {} it could not place or that no picture draws, {} disagreements",
            self.moments,
            self.unreached,
            self.compared,
            crate::delve::DELVE_VERSION,
            self.skipped,
            self.disagreements.len()
        )?;
        for d in &self.disagreements {
            write!(f, "\n{d}")?;
        }
        Ok(())
    }
}

/// Which moments the names oracle stops at, the first time each runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moments {
    /// Each package function's entry, each return from its calls, each `RET`.
    Calls,
    /// Those, and the first instruction of each source line (`main.go:14`).
    CallsAndLines,
}

/// Builds `program` for `arch` with `flags` and checks the names at
/// `moments` of its package functions against Delve.
pub fn verify_names(
    go: &Go,
    cache: &Cache,
    program: &Path,
    arch: Arch,
    flags: &[String],
    moments: Moments,
) -> Result<NamesReport, Error> {
    crate::native_only()?;
    let request = CompileRequest::from_file(program, arch, flags)?;
    let built = gostack_toolchain::build(go, &request, cache)?;
    names_of_built(go, &built, arch, moments)
}

/// One variable as Delve gives it.
#[derive(Debug, Clone)]
struct DelveVar {
    name: String,
    addr: u64,
    flags: u64,
    /// Its type as Go spells it, underlying: `int`, `main.point`.
    ty: String,
    value: String,
    location: String,
    unreadable: bool,
}

/// Delve's flags: the variable is in a register, or its address is not real.
const FAKE_ADDRESS: u64 = 32;
const CPU_REGISTER: u64 = 128;

/// What Delve said at one moment: the stack pointer and each frame's function and variables.
struct Stop {
    sp: u64,
    frames: Vec<(String, Vec<DelveVar>)>,
}

fn names_of_built(
    go: &Go,
    built: &Built,
    arch: Arch,
    which: Moments,
) -> Result<NamesReport, Error> {
    let args: Vec<String> = ARGS.iter().map(|s| s.to_string()).collect();
    let env: Vec<String> = ENV.iter().map(|s| s.to_string()).collect();
    let parsed = gostack_listing::parse(&built.compiled.listing);
    let mut config = gostack_emu::Config::new(arch);
    config.trace = true;
    config.max_steps = 50_000_000;
    let world = World {
        args: args.clone(),
        env: env.clone(),
        stdin: Vec::new(),
        workdir: None,
    };
    let run = gostack_emu::run(&parsed.listing, &built.executable, &config, &world)?;
    let layout = &run.layout;

    // The moments: each package function's entry, each return from its calls, each RET.
    let mut moments: Vec<u64> = Vec::new();
    for sym in parsed
        .listing
        .symbols
        .iter()
        .filter(|s| in_package_main(&s.name))
    {
        let (Some(func), Some(addr)) = (&sym.func, layout.addr(&sym.name)) else {
            continue;
        };
        moments.push(addr);
        let instrs: Vec<_> = func.instrs.iter().filter(|i| !i.is_pseudo()).collect();
        for (k, ins) in instrs.iter().enumerate() {
            let new_line = k == 0
                || instrs[k - 1].pos.as_ref().map(|p| p.line) != ins.pos.as_ref().map(|p| p.line);
            if which == Moments::CallsAndLines && new_line {
                moments.push(addr + u64::from(ins.pc));
            }
            if ins.op == "RET" {
                moments.push(addr + u64::from(ins.pc));
            }
            if ins.op == "CALL"
                && let Some(next) = instrs.get(k + 1)
            {
                moments.push(addr + u64::from(next.pc));
            }
        }
    }
    moments.sort_unstable();
    moments.dedup();
    let trace = run.trace.as_ref().expect("traced");
    let mut first: HashMap<u64, usize> = HashMap::new();
    for i in 0..trace.steps.len() {
        let pc = trace.steps[i].pc();
        if moments.binary_search(&pc).is_ok() {
            first.entry(pc).or_insert(i);
        }
    }

    // The real run under Delve: the first stop at each moment.
    let dir = tempfile::TempDir::new()
        .map_err(|e| Error::io("create", Path::new("a temporary directory"), e))?;
    let exe = dir.path().join("main");
    std::fs::write(&exe, &built.executable).map_err(|e| Error::io("write", &exe, e))?;
    make_executable(&exe)?;
    let dlv = delve(go, arch)?;
    let mut session = Session::start(&dlv, &exe, &args, &env)?;
    let mut ids: HashMap<u64, u64> = HashMap::new();
    for &pc in first.keys() {
        ids.insert(pc, session.break_at(pc)?);
    }
    let mut stops: HashMap<u64, Stop> = HashMap::new();
    while let Some((pc, thread)) = session.cont()? {
        let Some(id) = ids.remove(&pc) else {
            continue;
        };
        let sp = session.register(
            thread,
            match arch {
                Arch::Amd64 => "Rsp",
                Arch::I386 => "Esp",
            },
        )?;
        let frames = session.stack()?.iter().map(frame_vars).collect();
        stops.insert(pc, Stop { sp, frames });
        session.clear(id)?;
        if ids.is_empty() {
            break;
        }
    }
    drop(session);

    // The emulator's views of the same steps, compared in order.
    let mut report = NamesReport::default();
    let mut order: Vec<(usize, u64)> = first.iter().map(|(&pc, &i)| (i, pc)).collect();
    order.sort_unstable();
    let mut history = History::new(&run);
    for (step, pc) in order {
        let Some(stop) = stops.get(&pc) else {
            report.unreached += 1;
            continue;
        };
        history.advance_to(step);
        let view = history.stack();
        // The same moment: the same package frames on both stacks.
        let ours: Vec<&str> = view
            .frames
            .iter()
            .map(|f| f.func.as_str())
            .filter(|f| in_package_main(f))
            .collect();
        let theirs: Vec<&str> = stop
            .frames
            .iter()
            .map(|(f, _)| f.as_str())
            .filter(|f| in_package_main(f))
            .collect();
        if !theirs.iter().filter(|f| ours.contains(f)).eq(ours.iter()) {
            report.unreached += 1;
            continue;
        }
        let snap = history.cursor().snapshot();
        let here = format!("{} (step {step})", describe(layout, pc));
        compare(&here, arch, &view, snap, stop, &mut report);
        report.moments += 1;
    }
    Ok(report)
}

fn make_executable(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io("chmod", path, e))
}

fn describe(layout: &gostack_emu::Layout, pc: u64) -> String {
    let loc = layout.location(pc);
    format!(
        "{}+{:#x} {}",
        loc.func,
        loc.offset,
        loc.asm.replace('\t', " ")
    )
}

/// A Delve stack frame's function and its arguments and locals.
fn frame_vars(frame: &Value) -> (String, Vec<DelveVar>) {
    let func = frame["function"]["name"].as_str().unwrap_or("").to_string();
    let vars = ["Arguments", "Locals"]
        .iter()
        .flat_map(|k| frame[*k].as_array().cloned().unwrap_or_default())
        .map(|v| DelveVar {
            name: v["name"].as_str().unwrap_or("").to_string(),
            addr: v["addr"].as_u64().unwrap_or(0),
            flags: v["flags"].as_u64().unwrap_or(0),
            ty: v["realType"]
                .as_str()
                .or(v["type"].as_str())
                .unwrap_or("")
                .to_string(),
            value: v["value"].as_str().unwrap_or("").to_string(),
            location: v["LocationExpr"].as_str().unwrap_or("").to_string(),
            unreadable: !v["unreadable"].as_str().unwrap_or("").is_empty(),
        })
        .collect();
    (func, vars)
}

/// The register a Delve location expression names (`DW_OP_reg0(Rax)`), as the emulator numbers it.
fn location_register(arch: Arch, expr: &str) -> Option<Reg> {
    let n: u16 = expr
        .split("DW_OP_reg")
        .nth(1)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    gostack_emu::abi::dwarf_register(arch, n)
}

/// Delve's text for a value of the basic type `ty` (`int16`, `byte`,
/// `bool`) whose bytes are `raw`, and its size; `None` for other types.
fn scalar(ty: &str, raw: u64, word: u64) -> Option<(u64, String)> {
    let s = |bits: u32| ((raw << (64 - bits)) as i64 >> (64 - bits)).to_string();
    let u = |bits: u32| {
        (if bits == 64 {
            raw
        } else {
            raw & ((1 << bits) - 1)
        })
        .to_string()
    };
    Some(match ty {
        "bool" => (
            1,
            if raw & 0xff != 0 { "true" } else { "false" }.to_string(),
        ),
        "int" if word == 4 => (4, s(32)),
        "uint" | "uintptr" if word == 4 => (4, u(32)),
        "int" | "int64" => (8, s(64)),
        "int8" => (1, s(8)),
        "int16" => (2, s(16)),
        "int32" | "rune" => (4, s(32)),
        "uint" | "uint64" | "uintptr" => (8, u(64)),
        "uint8" | "byte" => (1, u(8)),
        "uint16" => (2, u(16)),
        "uint32" => (4, u(32)),
        _ => return None,
    })
}

/// Whether the view names two variables `var` of `func` around frame `k`
/// (two first words).
fn two_variables(view: &StackView, k: usize, func: &str, var: &str) -> bool {
    let f = &view.frames[k];
    let top = view.frames.get(k + 1).map_or(view.bounds.1, |c| c.ret_slot);
    view.words
        .iter()
        .filter(|(a, _, _)| *a >= f.sp && *a < top)
        .flat_map(|(_, _, l)| l)
        .filter(
            |l| matches!(l, Slot::Word { func: f, var: v, part: 0, .. } if f == func && v == var),
        )
        .count()
        > 1
}

/// The words of frame `k` of `view` naming its local `var` of `func`, not
/// stale: address, bytes. A parameter in the caller's argument area is
/// placed by the calling convention, which the compiler's own listing
/// bears out, not by DWARF: for a stack-assigned argument of optimised
/// code its location list can be a word off (`fbreg 8` for an argument at
/// the CFA, golang/go#61700), so those words are left to the forward check.
fn named_words(view: &StackView, k: usize, func: &str, var: &str) -> Vec<(u64, Option<(u8, u8)>)> {
    let f = &view.frames[k];
    let top = view.frames.get(k + 1).map_or(view.bounds.1, |c| c.ret_slot);
    let mut out = Vec::new();
    for (addr, _, labels) in &view.words {
        if *addr < f.sp || *addr >= top {
            continue;
        }
        for l in labels {
            if let Slot::Word {
                func: f,
                var: v,
                role: WordRole::Local,
                stale: false,
                bytes,
                ..
            } = l
                && f == func
                && v == var
            {
                out.push((*addr, *bytes));
            }
        }
    }
    out
}

fn compare(
    here: &str,
    arch: Arch,
    view: &StackView,
    snap: &gostack_emu::Snapshot,
    stop: &Stop,
    report: &mut NamesReport,
) {
    let w = arch.word();
    let sp = snap.cpu.gpr[gostack_emu::abi::RSP];
    let delta = sp.wrapping_sub(stop.sp);
    let (lo, hi) = (sp, view.bounds.1);
    let innermost = view.frames.first().map(|f| f.func.as_str());
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (j, (func, vars)) in stop.frames.iter().enumerate() {
        if !in_package_main(func) {
            continue;
        }
        let k = seen.entry(func).or_default();
        let nth = *k;
        *k += 1;
        // A frame of an inlined call has none of its own in the view.
        let Some(k) = view
            .frames
            .iter()
            .enumerate()
            .filter(|(_, f)| f.func == *func)
            .nth(nth)
            .map(|(k, _)| k)
        else {
            report.skipped += vars.len();
            continue;
        };
        for v in vars {
            if v.name.is_empty() || v.unreadable {
                report.skipped += 1;
                continue;
            }
            if v.flags & (CPU_REGISTER | FAKE_ADDRESS) != 0 {
                // A register holds it: only the innermost frame's registers are the frame's own.
                let Some(reg) = location_register(arch, &v.location) else {
                    report.skipped += 1;
                    continue;
                };
                if j != 0 || innermost != Some(func.as_str()) {
                    report.skipped += 1;
                    continue;
                }
                report.compared += 1;
                let named = view.registers.iter().any(|r| {
                    r.reg == reg
                        && r.func == *func
                        && (r.name == v.name
                            || r.name.starts_with(&format!("{}.", v.name))
                            || r.name.starts_with(&format!("{}+", v.name))
                            || r.name.starts_with(&format!("{}[", v.name)))
                });
                if !named {
                    report.disagreements.push(format!(
                        "{here}: Delve has {func}'s {} in {reg:?}; the view's registers are {:?}",
                        v.name,
                        view.registers
                            .iter()
                            .map(|r| format!("{:?} {}.{}", r.reg, r.func, r.name))
                            .collect::<Vec<_>>()
                    ));
                }
                continue;
            }
            let at = v.addr.wrapping_add(delta);
            if v.addr == 0 || at < lo || at >= hi {
                // Popped below SP, or not on this stack (the heap).
                report.skipped += 1;
                continue;
            }
            report.compared += 1;
            let word = at - at % w;
            let labels = view
                .words
                .iter()
                .find(|(a, _, _)| *a == word)
                .map(|(_, _, l)| l.as_slice())
                .unwrap_or_default();
            let carried = labels.iter().find_map(|l| match l {
                Slot::Word {
                    func: f,
                    var,
                    name,
                    bytes,
                    stale,
                    ..
                } if bytes.is_none_or(|(b, _)| u64::from(b) == at % w)
                    && ((*var == v.name
                        // In its function or, for a variable a closure
                        // captured by reference, in the frame of the function
                        // that declared it.
                        && (f == func || func.starts_with(&format!("{f}."))))
                        // A captured variable in the closure's context the
                        // caller built (a method value's receiver `.this`).
                        || (*var == "closure" && name.starts_with(&format!("closure.{}", v.name)))) =>
                {
                    Some(*stale)
                }
                _ => None,
            });
            match carried {
                None => report.disagreements.push(format!(
                    "{here}: Delve has {func}'s {} at SP{:+}; the view names that word {:?}",
                    v.name,
                    at as i64 - sp as i64,
                    labels
                        .iter()
                        .filter_map(|l| match l {
                            Slot::Word { func, name, .. } => Some(format!("{func}: {name}")),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                )),
                Some(false) => {
                    if let Some((size, ours)) = scalar(&v.ty, snap.read(at, 8), w)
                        && size <= w - at % w
                        && ours != v.value
                    {
                        report.disagreements.push(format!(
                            "{here}: {func}'s {} at SP{:+}: Delve reads {}, the view {ours}",
                            v.name,
                            at as i64 - sp as i64,
                            v.value
                        ));
                    }
                }
                Some(true) => {}
            }
            // No live word named after it anywhere else. Where two variables
            // of the frame share the name (one shadows the other), Delve
            // shows one by its own rule (a local from the line after its
            // declaration): left out.
            // A variable in pieces is placed by Delve at its first piece
            // DWARF gives there, which need not be its first word: left out too.
            let shadowing = vars.iter().filter(|o| o.name == v.name).count() > 1
                || two_variables(view, k, func, &v.name)
                || v.location.contains("DW_OP_piece");
            for (addr, bytes) in named_words(view, k, func, &v.name)
                .into_iter()
                .filter(|_| !shadowing)
            {
                let start = addr + bytes.map_or(0, |(b, _)| u64::from(b));
                if start < at - at % w {
                    report.disagreements.push(format!(
                        "{here}: the view names the word at SP{:+} {func}'s {}, which Delve has at SP{:+}",
                        addr as i64 - sp as i64,
                        v.name,
                        at as i64 - sp as i64
                    ));
                }
            }
        }
        // A variable Delve has in a register (wholly) is named on no live
        // stack word. A name Delve gives two variables (one shadowing the
        // other) is left out.
        let once = |name: &str| vars.iter().filter(|v| v.name == name).count() == 1;
        for v in vars.iter().filter(|v| {
            !v.unreadable
                && v.flags & (CPU_REGISTER | FAKE_ADDRESS) != 0
                && !["DW_OP_fbreg", "DW_OP_call_frame_cfa", "DW_OP_breg"]
                    .iter()
                    .any(|m| v.location.contains(m))
                && once(&v.name)
        }) {
            for (addr, _) in named_words(view, k, func, &v.name) {
                report.disagreements.push(format!(
                    "{here}: the view names the word at SP{:+} {func}'s {}, which Delve has in a register",
                    addr as i64 - sp as i64,
                    v.name
                ));
            }
        }
    }
}
