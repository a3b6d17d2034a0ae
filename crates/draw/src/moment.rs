//! Naming a moment of a run, one grammar for the command line, blocks and
//! every other front end:
//!
//! | moment                    | the step                                        |
//! |---------------------------|-------------------------------------------------|
//! | `add1 entry`              | add1's first instruction, right after the CALL  |
//! | `add1 ret`                | a RET of add1, before it runs                   |
//! | `before call add1`        | the CALL to add1, before it runs                |
//! | `after call add1`         | the instruction the call returns to             |
//! | `main.go:14`              | the first instruction of a source line          |
//! | `main.add1+0x2e`          | an instruction by offset in its function        |
//! | `step 167983`             | a step by its number, as `gostack events` prints|
//!
//! `entry`, `ret`, `before call` and `after call` take `in F`: only the
//! calls that function F makes (`after call runtime.newobject in main.main`).
//! A function is named in full (`main.add1`, `runtime.newobject`), or in
//! package main without `main.` (`add1`), and a method by its short name
//! when only one method has it (`SumV` for `main.Big.SumV`). Each moment
//! takes an `nth`.

use std::fmt;

use gostack_emu::{Run, Trace};

/// A moment of a run, as a writer names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moment {
    /// The first instruction of a function, right after the CALL.
    Entry(String),
    /// A RET of a function, before it runs.
    Ret(String),
    /// The instruction a call to the function returns to.
    AfterCall(String),
    /// The first instruction of a source line.
    Line(String, u32),
    /// An instruction by offset in its function.
    Offset(String, u64),
    /// The CALL instruction of a call to the function, before it runs.
    BeforeCall(String),
    /// A step by its number (from 0, as `gostack events` numbers them).
    Step(usize),
    /// An entry, RET, or the step before or after a call, of the calls the
    /// named function makes.
    In(Box<Moment>, String),
}

/// A moment that cannot be read or found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MomentError {
    /// The text is not a moment.
    #[error(
        "`{0}` is not a moment: write `<func> entry`, `<func> ret`, `before call <func>`, `after call <func>` (each may end with `in <caller>`), `main.go:14`, `<func>+0x2e` or `step <n>`"
    )]
    Syntax(String),
    /// A short name that several functions have.
    #[error("`{name}` names several functions: {candidates}; write one of them")]
    Ambiguous {
        /// The name as written.
        name: String,
        /// The functions it could be.
        candidates: String,
    },
    /// The moment never happens in the run, or not that often.
    #[error("`{moment}` {found} in this run; {nearby}")]
    NotFound {
        /// The moment as written.
        moment: String,
        /// How often it happened, in words.
        found: String,
        /// What did happen, to help choose.
        nearby: String,
    },
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::Entry(func) => write!(f, "{func} entry"),
            Moment::Ret(func) => write!(f, "{func} ret"),
            Moment::AfterCall(func) => write!(f, "after call {func}"),
            Moment::Line(file, line) => write!(f, "{file}:{line}"),
            Moment::Offset(func, off) => write!(f, "{func}+{off:#x}"),
            Moment::BeforeCall(func) => write!(f, "before call {func}"),
            Moment::Step(n) => write!(f, "step {n}"),
            Moment::In(moment, caller) => write!(f, "{moment} in {caller}"),
        }
    }
}

/// `add2` -> `main.add2`; a name with a package stays.
fn full_name(name: &str) -> String {
    if gostack_emu::in_package_main(name) || name.contains('/') || name.starts_with("runtime.") {
        name.to_string()
    } else {
        format!("main.{name}")
    }
}

impl Moment {
    /// Whether the moment names the same point of the program in every
    /// build of it (another arch, another Go version): a call, a return, a
    /// source line do; an instruction's offset and a step number are one
    /// build's own.
    pub fn in_every_build(&self) -> bool {
        match self {
            Moment::Offset(..) | Moment::Step(_) => false,
            Moment::In(inner, _) => inner.in_every_build(),
            _ => true,
        }
    }

    /// Reads a moment.
    pub fn parse(text: &str) -> Result<Moment, MomentError> {
        let t = text.trim();
        let err = || MomentError::Syntax(text.to_string());
        if let Some((inner, caller)) = t.rsplit_once(" in ") {
            let inner = Moment::parse(inner).map_err(|_| err())?;
            let caller = caller.trim();
            return match inner {
                Moment::Entry(_)
                | Moment::Ret(_)
                | Moment::AfterCall(_)
                | Moment::BeforeCall(_)
                    if !caller.is_empty() && !caller.contains(char::is_whitespace) =>
                {
                    Ok(Moment::In(Box::new(inner), full_name(caller)))
                }
                _ => Err(err()),
            };
        }
        if let Some(n) = t.strip_prefix("step ") {
            return n.trim().parse().map(Moment::Step).map_err(|_| err());
        }
        if let Some(func) = t.strip_prefix("before call ") {
            return Ok(Moment::BeforeCall(full_name(func.trim())));
        }
        if let Some(func) = t.strip_prefix("after call ") {
            return Ok(Moment::AfterCall(full_name(func.trim())));
        }
        if let Some(func) = t.strip_suffix(" entry") {
            return Ok(Moment::Entry(full_name(func.trim())));
        }
        if let Some(func) = t.strip_suffix(" ret") {
            return Ok(Moment::Ret(full_name(func.trim())));
        }
        if let Some((file, line)) = t.rsplit_once(':')
            && file.ends_with(".go")
        {
            return Ok(Moment::Line(
                file.to_string(),
                line.parse().map_err(|_| err())?,
            ));
        }
        if let Some((func, off)) = t.rsplit_once('+') {
            let off = off
                .strip_prefix("0x")
                .map_or_else(|| off.parse().ok(), |h| u64::from_str_radix(h, 16).ok());
            return Ok(Moment::Offset(full_name(func.trim()), off.ok_or_else(err)?));
        }
        Err(err())
    }

    /// The step (0-based) of the `nth` (1-based) time the moment happens,
    /// on goroutine `goroutine` when one is named (as Go numbers them).
    pub fn resolve(
        &self,
        run: &Run,
        nth: usize,
        goroutine: Option<u64>,
    ) -> Result<usize, MomentError> {
        let trace = run
            .trace
            .as_ref()
            .expect("moments are found in traced runs");
        let named = self.named(run)?;
        let hits = on_goroutine(run, trace, named.hits(run, trace), goroutine);
        let on = goroutine.map_or(String::new(), |g| format!(" on goroutine {g}"));
        match hits.get(nth.max(1) - 1) {
            Some(&step) => Ok(step),
            None => Err(MomentError::NotFound {
                moment: named.to_string(),
                found: match hits.len() {
                    0 => format!("never happens{on}"),
                    1 => format!("happens once{on}, not {nth} times"),
                    n => format!("happens {n} times{on}, not {nth}"),
                },
                nearby: nearby(run, trace, &named),
            }),
        }
    }

    /// The first step after `from` at which the moment happens (on `goroutine`, when named).
    pub fn resolve_after(
        &self,
        run: &Run,
        from: usize,
        goroutine: Option<u64>,
    ) -> Result<usize, MomentError> {
        let trace = run
            .trace
            .as_ref()
            .expect("moments are found in traced runs");
        let named = self.named(run)?;
        let hits: Vec<usize> = named
            .hits(run, trace)
            .into_iter()
            .filter(|&s| s > from)
            .collect();
        on_goroutine(run, trace, hits, goroutine)
            .first()
            .copied()
            .ok_or_else(|| MomentError::NotFound {
                moment: named.to_string(),
                found: "never happens after the first moment".into(),
                nearby: nearby(run, trace, &named),
            })
    }

    /// The moment with each function named in full: a short method name
    /// (`SumV`) becomes the one package function that has it (`main.Big.SumV`).
    fn named(&self, run: &Run) -> Result<Moment, MomentError> {
        let full = |name: &String| function(run, name);
        Ok(match self {
            Moment::Entry(f) => Moment::Entry(full(f)?),
            Moment::Ret(f) => Moment::Ret(full(f)?),
            Moment::AfterCall(f) => Moment::AfterCall(full(f)?),
            Moment::BeforeCall(f) => Moment::BeforeCall(full(f)?),
            Moment::Offset(f, off) => Moment::Offset(full(f)?, *off),
            Moment::In(m, caller) => Moment::In(Box::new(m.named(run)?), full(caller)?),
            Moment::Line(..) | Moment::Step(_) => self.clone(),
        })
    }

    /// Every step at which the moment happens.
    fn hits(&self, run: &Run, trace: &Trace) -> Vec<usize> {
        let layout = &run.layout;
        let mut out = Vec::new();
        let func_of = |step: usize| trace.steps.get(step).map(|s| layout.location(s.pc()).func);
        match self {
            Moment::Step(n) => {
                if *n < trace.steps.len() {
                    out.push(*n);
                }
            }
            Moment::BeforeCall(func) => {
                // The step before an entry, when it is the CALL.
                for i in Moment::Entry(func.clone()).hits(run, trace) {
                    if let Some(before) = i.checked_sub(1)
                        && layout
                            .location(trace.steps[before].pc())
                            .asm
                            .starts_with("CALL")
                    {
                        out.push(before);
                    }
                }
            }
            Moment::In(moment, caller) => {
                let caller = Some(caller.clone());
                for i in moment.hits(run, trace) {
                    // The step that is in the caller: the CALL before an
                    // entry, the step after a RET.
                    let in_caller = match **moment {
                        Moment::Entry(_) => i.checked_sub(1).and_then(func_of),
                        Moment::Ret(_) => func_of(i + 1),
                        _ => func_of(i),
                    };
                    if in_caller == caller {
                        out.push(i);
                    }
                }
            }
            Moment::Entry(func) => {
                if let Some(addr) = layout.addr(func) {
                    out.extend(
                        trace
                            .steps
                            .iter()
                            .enumerate()
                            .filter(|(_, s)| s.pc() == addr)
                            .map(|(i, _)| i),
                    );
                }
            }
            Moment::Offset(func, off) => {
                if let Some(addr) = layout.addr(func) {
                    out.extend(
                        trace
                            .steps
                            .iter()
                            .enumerate()
                            .filter(|(_, s)| s.pc() == addr + off)
                            .map(|(i, _)| i),
                    );
                }
            }
            Moment::Ret(func) => {
                let mut rets = PerPc::new(trace);
                for (i, s) in trace.steps.iter().enumerate() {
                    let k = rets.index(s.pc(), |pc| {
                        let loc = layout.location(pc);
                        &loc.func == func && is_ret(&loc.asm)
                    });
                    if *rets.fact(k) {
                        out.push(i);
                    }
                }
            }
            Moment::AfterCall(func) => {
                let Some(addr) = layout.addr(func) else {
                    return out;
                };
                let w = layout.word();
                // Each call: its return address, goroutine, and the depth
                // of SP after it returns below the top of that goroutine's
                // stack (the stack may be copied elsewhere meanwhile: a
                // panic on 386 grows it).
                let mut pending: Vec<(u64, u64, u64)> = Vec::new();
                let mut cursor = trace.cursor();
                loop {
                    let i = cursor.step();
                    let Some(step) = trace.steps.get(i) else {
                        break;
                    };
                    let snap = cursor.snapshot();
                    let sp = snap.cpu.gpr[gostack_emu::abi::RSP];
                    if pending.iter().any(|&(ret, _, _)| ret == step.pc()) {
                        let (g, top) = layout.goroutine_top(snap);
                        if let Some(k) = pending.iter().rposition(|&(ret, on, depth)| {
                            step.pc() == ret && on == g && top.wrapping_sub(sp) == depth
                        }) {
                            pending.truncate(k);
                            out.push(i);
                        }
                    }
                    if step.pc() == addr {
                        let (g, top) = layout.goroutine_top(snap);
                        pending.push((snap.read(sp, w as usize), g, top.wrapping_sub(sp + w)));
                    }
                    if !cursor.advance() {
                        break;
                    }
                }
            }
            Moment::Line(file, line) => {
                // The package's steps only: a call into the runtime and back lands on the same line.
                let mut locations = PerPc::new(trace);
                let mut previous: Option<usize> = None;
                for (i, s) in trace.steps.iter().enumerate() {
                    let k = locations.index(s.pc(), |pc| {
                        layout.in_package(pc).then(|| layout.location(pc))
                    });
                    let Some(loc) = locations.fact(k) else {
                        continue;
                    };
                    let here = loc
                        .pos
                        .as_ref()
                        .is_some_and(|p| p.file == *file && p.line == *line);
                    let before = previous.and_then(|p| locations.fact(p).as_ref());
                    let returned = before.is_some_and(|p| is_ret(&p.asm));
                    let same = before.is_some_and(|p| {
                        p.func == loc.func && p.pos.as_ref().map_or(0, |p| p.line) == *line
                    });
                    if here && !same && !returned {
                        out.push(i);
                    }
                    previous = Some(k);
                }
            }
        }
        out
    }
}

/// The function `name` names ([`gostack_listing::functions_named`]): itself
/// when the program has it, else the one package function a short name fits.
fn function(run: &Run, name: &str) -> Result<String, MomentError> {
    if run.layout.addr(name).is_some() {
        return Ok(name.to_string());
    }
    let package: Vec<(String, bool)> = run
        .layout
        .package_entries()
        .map(|pc| {
            let loc = run.layout.location(pc);
            let written = loc.pos.is_some_and(|p| p.file != "<autogenerated>");
            (loc.func, written)
        })
        .collect();
    let found = gostack_listing::functions_named(
        package.iter().map(|(f, written)| (f.as_str(), *written)),
        name,
    );
    match found.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Ok(name.to_string()),
        several => Err(MomentError::Ambiguous {
            name: name.strip_prefix("main.").unwrap_or(name).to_string(),
            candidates: several.join(", "),
        }),
    }
}

/// Whether an instruction's assembly text is a RET.
fn is_ret(asm: &str) -> bool {
    asm == "RET" || asm.starts_with("RET\t")
}

/// Facts about the pcs of a trace, worked out once for each distinct pc:
/// a run of millions of steps visits a few thousand instructions.
struct PerPc<T> {
    /// The lowest pc of the trace.
    base: u64,
    /// For each pc from `base`, the index of its fact, or `u32::MAX` before it is known.
    index: Vec<u32>,
    facts: Vec<T>,
}

impl<T> PerPc<T> {
    fn new(trace: &Trace) -> PerPc<T> {
        let lo = trace.steps.iter().map(|s| s.pc()).min().unwrap_or(0);
        let hi = trace.steps.iter().map(|s| s.pc()).max().unwrap_or(0);
        PerPc {
            base: lo,
            index: vec![u32::MAX; (hi + 1 - lo) as usize],
            facts: Vec::new(),
        }
    }

    /// The index of the fact of `pc` (a pc of the trace), made by `make` the first time.
    fn index(&mut self, pc: u64, make: impl FnOnce(u64) -> T) -> usize {
        let slot = &mut self.index[(pc - self.base) as usize];
        if *slot == u32::MAX {
            *slot = self.facts.len() as u32;
            self.facts.push(make(pc));
        }
        *slot as usize
    }

    /// The fact of index `k`.
    fn fact(&self, k: usize) -> &T {
        &self.facts[k]
    }
}

/// The steps of `hits` (in order) that run on goroutine `goroutine`; all of them when none is named.
fn on_goroutine(run: &Run, trace: &Trace, hits: Vec<usize>, goroutine: Option<u64>) -> Vec<usize> {
    let Some(goid) = goroutine else {
        return hits;
    };
    let mut cursor = trace.cursor();
    hits.into_iter()
        .filter(|&step| {
            while cursor.step() < step && cursor.advance() {}
            run.layout.goroutine_id(cursor.snapshot()) == Some(goid)
        })
        .collect()
}

/// What did happen: the package functions that ran, or the lines of the function.
fn nearby(run: &Run, trace: &Trace, moment: &Moment) -> String {
    // An offset that is no instruction of this build: say where they start.
    if let Moment::Offset(func, off) = moment
        && let Some(instrs) = run.layout.instructions(func)
        && !instrs.iter().any(|(o, _, _)| o == off)
    {
        let starts: Vec<String> = instrs.iter().map(|(o, _, _)| format!("{o:#x}")).collect();
        return format!(
            "{off:#x} is not where an instruction of {func} starts in this build, \
             whose instructions start at {}; offsets differ between Go versions and \
             GOARCHs, `{}` or a line such as `main.go:5` name a moment in every build",
            starts.join(", "),
            Moment::Entry(func.clone())
        );
    }
    let package = || trace.steps.iter().filter(|s| run.layout.in_package(s.pc()));
    if let Moment::Line(..) = moment {
        let mut lines: Vec<u32> = package()
            .filter_map(|s| run.layout.location(s.pc()).pos.map(|p| p.line))
            .collect();
        lines.sort_unstable();
        lines.dedup();
        let lines: Vec<String> = lines.iter().map(u32::to_string).collect();
        return format!("lines that ran: {}", lines.join(", "));
    }
    let mut funcs: Vec<String> = Vec::new();
    for s in package() {
        let loc = run.layout.location(s.pc());
        if !funcs.contains(&loc.func) {
            funcs.push(loc.func);
        }
    }
    format!("functions that ran: {}", funcs.join(", "))
}

/// The one function of `package` (each with whether its source is
/// written) that `name` names, as [`gostack_listing::functions_named`]
/// reads names; a name that names none or several is an error for
/// `option` that lists the package's functions.
pub(crate) fn one_function<'a>(
    package: impl Iterator<Item = (&'a str, bool)> + Clone,
    name: &str,
    option: &'static str,
) -> Result<&'a str, crate::Error> {
    let found = gostack_listing::functions_named(package.clone(), name);
    if let [one] = found.as_slice() {
        return Ok(one);
    }
    let mut functions: Vec<&str> = package.map(|(f, _)| f).collect();
    functions.sort_unstable();
    functions.dedup();
    Err(crate::Error::UnknownFunction {
        option,
        name: name.to_string(),
        why: if found.is_empty() {
            "is no function of the program".into()
        } else {
            format!("names several functions ({})", found.join(", "))
        },
        functions: functions.join(", "),
    })
}
