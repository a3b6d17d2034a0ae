//! The calls and returns of a run, listed as the run goes: where a writer
//! finds a moment to draw. Nothing is recorded, so the list starts at
//! once and memory stays flat however long the run; each line's step
//! number is the one a traced run gives the same step (`step N`), and
//! each `[nth N]` counts as a moment's `nth` does.

use std::collections::HashMap;
use std::fmt;

use gostack_emu::{Boundary, Location, NumberMap, Run, Seen, Stop, Watch};
use gostack_toolchain::{Cache, CompileRequest, Go};

use crate::Error;

/// Which events to list: a range of steps and, when any are named, the
/// functions whose calls and returns to list; by default, everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The first step listed.
    pub from: u64,
    /// The last step listed; the run ends after it.
    pub to: Option<u64>,
    /// Functions of package main as the moment language names them
    /// (`add1`, `main.add1`, a method by its short name); empty: all.
    pub funcs: Vec<String>,
}

/// What happens at a listed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What<'a> {
    /// A goroutine runs package code for the first time.
    Starts,
    /// Another goroutine ran in between.
    RunsAgain,
    /// The goroutine's first function returned (`runtime.goexit1`).
    Ends,
    /// A package function's first instruction, the `nth` time.
    Entry(&'a Location, usize),
    /// A package function's `RET`, the `nth` time in that function.
    Ret(&'a Location, usize),
}

/// One listed event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// The step, numbered as `step N` names it.
    pub step: u64,
    /// The goroutine (0 on a thread that runs none).
    pub goroutine: u64,
    /// Calls open on that goroutine, in package functions, before this one.
    pub depth: usize,
    /// What happens.
    pub what: What<'a>,
}

impl fmt::Display for Event<'_> {
    /// `  205824    main.fib entry (fib.go:4)  [nth 1]`: the step, then the
    /// event indented by depth. Written piece by piece: a list can have
    /// millions of lines, and `write!` with padding costs more than the run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut digits = Digits::default();
        let step = digits.of(self.step);
        pad(f, 8usize.saturating_sub(step.len()))?;
        f.write_str(step)?;
        f.write_str("  ")?;
        let (loc, kind, nth) = match self.what {
            What::Starts | What::RunsAgain | What::Ends => {
                f.write_str("goroutine ")?;
                f.write_str(digits.of(self.goroutine))?;
                return f.write_str(match self.what {
                    What::Starts => " starts",
                    What::RunsAgain => " runs again",
                    _ => " ends",
                });
            }
            What::Entry(loc, nth) => (loc, " entry", nth),
            What::Ret(loc, nth) => (loc, " ret", nth),
        };
        pad(f, 2 * self.depth)?;
        f.write_str(&loc.func)?;
        f.write_str(kind)?;
        if let Some(pos) = &loc.pos {
            f.write_str(" (")?;
            f.write_str(&pos.file)?;
            f.write_str(":")?;
            f.write_str(digits.of(u64::from(pos.line)))?;
            f.write_str(")")?;
        }
        f.write_str("  [nth ")?;
        f.write_str(digits.of(nth as u64))?;
        f.write_str("]")
    }
}

/// Writes `n` spaces.
fn pad(f: &mut fmt::Formatter<'_>, mut n: usize) -> fmt::Result {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        f.write_str(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
}

/// A number's decimal digits, without the formatter's machinery.
#[derive(Default)]
struct Digits([u8; 20]);

impl Digits {
    fn of(&mut self, mut n: u64) -> &str {
        let mut i = self.0.len();
        loop {
            i -= 1;
            self.0[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        std::str::from_utf8(&self.0[i..]).expect("ASCII digits")
    }
}

/// Compiles, links and runs the requested program untraced, as a drawing
/// runs it, within `bounds`,
/// handing each event `filter` lets through to `out` as it happens;
/// `out` returns `false` to end the run there. The run comes back (what it
/// printed, how it ended); one that ends otherwise than by exiting, by
/// `filter.to` or by `out` is an error, after the events before it.
pub fn events(
    go: &Go,
    cache: &Cache,
    request: &CompileRequest,
    bounds: &crate::Bounds,
    filter: &Filter,
    out: &mut dyn FnMut(&Event<'_>) -> bool,
) -> Result<Run, Error> {
    let built = gostack_toolchain::build(go, request, cache)?;
    let listing = gostack_listing::parse(&built.compiled.listing).listing;
    let package: Vec<(&str, bool)> = listing
        .functions()
        .filter(|f| gostack_listing::in_package_main(&f.name))
        .map(|f| (f.name.as_str(), f.is_written()))
        .collect();
    let funcs = filter
        .funcs
        .iter()
        .map(|name| crate::moment::one_function(package.iter().copied(), name, "--func"))
        .collect::<Result<Vec<_>, _>>()?;
    let max_steps = bounds.max_steps;
    let mut config = bounds.config(request.arch);
    if let Some(to) = filter.to {
        config.max_steps = config.max_steps.min(to.saturating_add(1));
    }
    let mut lister = Lister {
        filter,
        funcs,
        out,
        ended: false,
        current: None,
        depth: 0,
        depths: HashMap::new(),
        nth: NumberMap::default(),
        switched: None,
        shown: None,
    };
    let mut report = |seen: &Seen<'_>| lister.see(seen);
    let watch = Watch {
        package: true,
        entries: vec![GOEXIT.to_string()],
        report: &mut report,
    };
    let run = gostack_emu::watch(&listing, &built.executable, &config, &crate::world(), watch)?;
    match run.stop {
        Stop::Exited(_) => Ok(run),
        Stop::StepLimit(n) if lister.ended || n < max_steps => Ok(run),
        stop => Err(Error::Run(Box::new(stop))),
    }
}

/// Where a goroutine's first function returns to: the goroutine ends.
const GOEXIT: &str = "runtime.goexit1";

/// Follows the watched steps: each goroutine's depth, each function's
/// entries and returns, and which goroutine runs.
struct Lister<'f, 'o> {
    filter: &'f Filter,
    /// The functions listed, in full; empty: all.
    funcs: Vec<&'f str>,
    out: &'o mut dyn FnMut(&Event<'_>) -> bool,
    /// `out` asked to stop.
    ended: bool,
    /// The goroutine that ran the last package step, and its depth.
    current: Option<u64>,
    depth: usize,
    /// The depth of every other goroutine seen.
    depths: HashMap<u64, usize>,
    /// Times each function's entry and return were met, by twice the
    /// function's address (plus one for its returns).
    nth: NumberMap<u64, usize>,
    /// The last time another goroutine took over: where it says so.
    switched: Option<Event<'static>>,
    /// The goroutine of the last line handed out.
    shown: Option<u64>,
}

impl Lister<'_, '_> {
    /// One watched step; `false` ends the run.
    fn see(&mut self, seen: &Seen<'_>) -> bool {
        self.follow(seen).is_some()
    }

    /// One watched step; none when `out` asked to stop.
    fn follow(&mut self, seen: &Seen<'_>) -> Option<()> {
        let loc = seen.location;
        let (step, g) = (seen.step, seen.goroutine.unwrap_or(0));
        if loc.func == GOEXIT {
            if self.listed(step) && self.funcs.is_empty() {
                self.hand_out(&Event {
                    step,
                    goroutine: g,
                    depth: 0,
                    what: What::Ends,
                })?;
            }
            return Some(());
        }
        if self.current != Some(g) {
            let what = match self.current.replace(g) {
                Some(old) => {
                    self.depths.insert(old, self.depth);
                    match self.depths.remove(&g) {
                        Some(depth) => {
                            self.depth = depth;
                            What::RunsAgain
                        }
                        None => {
                            self.depth = 0;
                            What::Starts
                        }
                    }
                }
                None => What::Starts,
            };
            let switch = Event {
                step,
                goroutine: g,
                depth: 0,
                what,
            };
            self.switched = Some(switch);
            if self.listed(step) && self.funcs.is_empty() {
                self.hand_out(&switch)?;
            }
        }
        let ret = match seen.boundary {
            Boundary::Entry => false,
            Boundary::Return => true,
            Boundary::Arrival => return Some(()),
        };
        let n = self
            .nth
            .entry(2 * (loc.pc - loc.offset) + u64::from(ret))
            .or_insert(0);
        *n += 1;
        let nth = *n;
        if ret {
            self.depth = self.depth.saturating_sub(1);
        }
        let event = Event {
            step,
            goroutine: g,
            depth: self.depth,
            what: if ret {
                What::Ret(loc, nth)
            } else {
                What::Entry(loc, nth)
            },
        };
        if !ret {
            self.depth += 1;
        }
        let wanted = self.funcs.is_empty() || self.funcs.contains(&loc.func.as_str());
        if self.listed(step) && wanted {
            // A line of another goroutine than the last line's says first
            // when that goroutine took over.
            if self.shown != Some(g)
                && let Some(switch) = self.switched.filter(|s| s.goroutine == g)
            {
                self.hand_out(&switch)?;
            }
            self.hand_out(&event)?;
        }
        Some(())
    }

    /// Whether step `step` is in the range listed.
    fn listed(&self, step: u64) -> bool {
        step >= self.filter.from && self.filter.to.is_none_or(|to| step <= to)
    }

    /// Hands an event to `out`; none when it asks to stop.
    fn hand_out(&mut self, event: &Event<'_>) -> Option<()> {
        self.shown = Some(event.goroutine);
        if !(self.out)(event) {
            self.ended = true;
            return None;
        }
        Some(())
    }
}
