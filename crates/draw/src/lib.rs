//! From a Go program to stack pictures: compile and link it with the
//! installed Go, run the executable traced in the emulator, find the moment the writer named, and
//! build the diagram model that the `gostack-diagram` renderers draw.
//!
//! Shared by the `gostack` command and the mdBook preprocessor, so a picture
//! in a book and one in a terminal come from the same code.

mod build;
pub mod claims;
pub mod events;
mod focus;
mod heap;
mod moment;
mod render;
pub mod views;

pub use build::{CaptionInfo, stack_diagram};
pub use focus::{Frames, focus};
pub use moment::{Moment, MomentError};
pub use render::{Format, PngError, png, render};

use gostack_diagram::Figure;
use gostack_emu::{Arch, Config, Run, Stop};
use gostack_toolchain::{Cache, CompileRequest, Go};

/// What to draw.
#[derive(Debug, Clone)]
pub struct Request {
    /// The Go program's text.
    pub source: String,
    /// Its file name, for positions (`main.go`).
    pub file_name: String,
    /// One arch, or two to draw side by side.
    pub arches: Vec<Arch>,
    /// Compiler flags.
    pub flags: Vec<String>,
    /// Pass `flags` to the compiler without checking them against the
    /// toolchain's allowlist (the command line's `--any-flags`; never a book).
    pub any_flags: bool,
    /// The moment, as written (e.g. `main.add2 ret`).
    pub at: String,
    /// Which time it happens (1-based).
    pub nth: usize,
    /// A second moment to draw beside the first (stack view), e.g. before and after a call.
    pub beside: Option<String>,
    /// The goroutine whose moments count (as Go numbers goroutines: 1 runs
    /// `main.main`); any goroutine when none is named.
    pub goroutine: Option<u64>,
    /// What to draw.
    pub view: View,
    /// For the trace and steps views: the moment to stop at (the first time
    /// it happens after `at`); by default the moment itself for a trace, the
    /// end of the run for steps.
    pub to: Option<String>,
    /// Which frames a stack picture draws.
    pub frames: Frames,
    /// Fold each run of unnamed words that the step did not write.
    pub fold: bool,
    /// Draw the heap objects the frames point to (stack view).
    pub heap: bool,
    /// What each run may spend.
    pub bounds: Bounds,
}

/// What a run may spend, and who watches how far it has got.
#[derive(Debug, Clone)]
pub struct Bounds {
    /// The most steps a run may take before it is stopped.
    pub max_steps: u64,
    /// The most bytes of memory the program may map.
    pub max_memory: u64,
    /// Where the run says how far it has got, and learns it is cancelled.
    pub progress: Option<std::sync::Arc<gostack_emu::Progress>>,
}

impl Default for Bounds {
    /// [`TRACED_MAX_STEPS`], the emulator's memory limit, nobody watching.
    fn default() -> Bounds {
        Bounds {
            max_steps: TRACED_MAX_STEPS,
            max_memory: Config::DEFAULT_MEMORY_LIMIT,
            progress: None,
        }
    }
}

impl Bounds {
    /// The emulator's configuration of a run for `arch` within these bounds.
    pub(crate) fn config(&self, arch: Arch) -> Config {
        let mut config = Config::new(arch);
        config.max_steps = self.max_steps;
        config.memory_limit = self.max_memory;
        config.progress = self.progress.clone();
        config
    }
}

/// The default step limit of a traced run: every step is kept, about 25
/// bytes each, so a traced run stops well before a step-only run would.
pub const TRACED_MAX_STEPS: u64 = 200_000_000;

impl Default for Request {
    /// A request for the first time a moment happens, on amd64, with no flags.
    fn default() -> Request {
        Request {
            source: String::new(),
            file_name: "main.go".to_string(),
            arches: vec![Arch::Amd64],
            flags: Vec::new(),
            any_flags: false,
            at: String::new(),
            nth: 1,
            beside: None,
            goroutine: None,
            view: View::Stack,
            to: None,
            frames: Frames::Focus,
            fold: false,
            heap: false,
            bounds: Bounds::default(),
        }
    }
}

impl Request {
    /// Compiles and runs the requested program for `arch`, traced.
    fn trace(&self, go: &Go, cache: &Cache, arch: Arch) -> Result<Traced, Error> {
        if self.nth == 0 {
            return Err(Error::NthZero);
        }
        let request = CompileRequest::new(self.source.clone(), arch)
            .with_file_name(self.file_name.clone())
            .with_flags(self.flags.iter().cloned())
            .with_any_flags(self.any_flags);
        trace(go, cache, &request, &self.bounds)
    }
}

/// Why a picture could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Compiling failed (the compiler's own messages) or Go is missing.
    #[error(transparent)]
    Toolchain(#[from] gostack_toolchain::Error),
    /// The listing could not be loaded.
    #[error(transparent)]
    Load(#[from] gostack_emu::LoadError),
    /// The program did not run to the end in the emulator.
    #[error("the program did not run to its end: {0}")]
    Run(Box<Stop>),
    /// The moment is not valid.
    #[error(transparent)]
    Moment(#[from] MomentError),
    /// The moment does not happen (or not that often) in one of the runs
    /// drawn, named by its Go version, GOARCH and flags.
    #[error("{build}: {what}")]
    NotInRun {
        /// The run, e.g. `go1.26.8 386 -N -l`.
        build: String,
        /// What did not happen, and what did (part of this message, not a cause below it).
        what: MomentError,
    },
    /// A moment's count was 0; the first time it happens is 1.
    #[error("nth is 0: the first time a moment happens is nth 1")]
    NthZero,
    /// A function `frames` (or `events --func`) names that the program does not have.
    #[error("`{option}`: `{name}` {why}; the program's functions: {functions}")]
    UnknownFunction {
        /// Where the name was written: `frames`, `--func`.
        option: &'static str,
        /// The name as written.
        name: String,
        /// What is wrong with it.
        why: String,
        /// The functions of package main.
        functions: String,
    },
    /// A second moment was asked of a view that draws one.
    #[error(
        "`beside` draws a second stack picture: it works with the stack view only; for `{0}` draw two figures"
    )]
    BesideNotStack(&'static str),
    /// The asm or frame view at a moment outside package main.
    #[error(
        "the moment is in {func}, which is not a function of package main: the {view} view shows the program's own functions (pick a moment in one, or use the stack or trace view)"
    )]
    NotPackageCode {
        /// The function the moment is in.
        func: String,
        /// `asm` or `frame`.
        view: &'static str,
    },
}

/// `go1.26.8 386 -N -l`: which of the runs drawn a moment was looked for in.
fn in_run(traced: &Traced, arch: Arch, request: &Request) -> impl Fn(MomentError) -> Error {
    let mut build = format!("{} {arch}", traced.go_version);
    for flag in &request.flags {
        build += " ";
        build += flag;
    }
    move |what| Error::NotInRun {
        build: build.clone(),
        what,
    }
}

/// A compiled and traced run.
#[derive(Debug)]
pub struct Traced {
    /// The run with its trace.
    pub run: Run,
    /// The Go version that compiled it.
    pub go_version: String,
}

/// Compiles, links and runs the requested program, traced, within
/// `bounds`; a run that does not end normally is an error.
pub fn trace(
    go: &Go,
    cache: &Cache,
    request: &CompileRequest,
    bounds: &Bounds,
) -> Result<Traced, Error> {
    let arch = request.arch;
    let built = gostack_toolchain::build(go, request, cache)?;
    let compiled = built.compiled;
    let listing = gostack_listing::parse(&compiled.listing).listing;
    let mut config = bounds.config(arch);
    config.trace = true;
    let run = gostack_emu::run(&listing, &built.executable, &config, &world())?;
    match run.stop {
        Stop::Exited(_) => Ok(Traced {
            run,
            go_version: compiled.go_version,
        }),
        ref stop => Err(Error::Run(Box::new(stop.clone()))),
    }
}

/// What a drawn run sees of the world: its name as its one argument, no
/// environment, no files; the same for every drawing and for `events`, so
/// a step number means the same step in both.
fn world() -> gostack_emu::World {
    gostack_emu::World {
        args: vec!["main".to_string()],
        ..Default::default()
    }
}

/// The view a request asks for: one type for the command line (`--view`)
/// and for blocks (`view = "..."`).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// The stack at the moment: every live frame.
    #[default]
    Stack,
    /// The frame layout of the function running at the moment.
    Frame,
    /// The steps from the moment to a second one (`to`).
    Trace,
    /// The listing of the function running at the moment.
    Asm,
    /// An interactive step-through from the moment to a second one (`to`).
    Steps,
}

impl View {
    /// As a block or the command line writes it: `asm`.
    pub fn name(self) -> &'static str {
        match self {
            View::Stack => "stack",
            View::Frame => "frame",
            View::Trace => "trace",
            View::Asm => "asm",
            View::Steps => "steps",
        }
    }
}

/// A drawn view: a stack figure or a table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Drawing {
    /// Stack pictures, side by side.
    Figure(Figure),
    /// A table per arch.
    Tables(Vec<gostack_diagram::Table>),
    /// A step-through per arch, with the stack at its first step (what its claims are checked against).
    Steps {
        /// One step-through per arch.
        steps: Vec<gostack_diagram::Steps>,
        /// The stack at the first step, every arch side by side.
        first: Figure,
    },
}

/// Draws the requested view with each Go of `gos` (one or more, side by
/// side in the order given) and each arch of the request.
pub fn draw(gos: &[Go], cache: &Cache, request: &Request) -> Result<Drawing, Error> {
    if request.view == View::Stack {
        let mut panels = Vec::new();
        for go in gos {
            panels.extend(stack_figure(go, cache, request)?.panels);
        }
        return Ok(Drawing::Figure(Figure { panels }));
    }
    if request.beside.is_some() {
        return Err(Error::BesideNotStack(request.view.name()));
    }
    let moment = Moment::parse(&request.at)?;
    let end = request.to.as_deref().map(Moment::parse).transpose()?;
    let mut tables = Vec::new();
    let mut steps = Vec::new();
    let mut first = Vec::new();
    for go in gos {
        for &arch in &request.arches {
            let traced = request.trace(go, cache, arch)?;
            let run = &traced.run;
            let frames = request.frames.resolve(run)?;
            let not_in_run = in_run(&traced, arch, request);
            let step = moment
                .resolve(run, request.nth, request.goroutine)
                .map_err(&not_in_run)?;
            let about = |step: usize, event: &str| {
                let info = CaptionInfo {
                    go_version: traced.go_version.clone(),
                    flags: request.flags.join(" "),
                    event: event.to_string(),
                };
                let mut d = stack_diagram(run, step, &info);
                focus::focus(&mut d, &frames, request.fold);
                heap::keep(&mut d, request.heap);
                d
            };
            let moment_diagram = about(step, &request.at);
            let caption = format!(
                "{} · {} {} {}",
                request.at,
                traced.go_version,
                arch,
                if request.flags.is_empty() {
                    "optimised".to_string()
                } else {
                    request.flags.join(" ")
                }
            );
            if request.view == View::Steps {
                let end = match &end {
                    Some(m) => m
                        .resolve_after(run, step, request.goroutine)
                        .map_err(&not_in_run)?,
                    None => run
                        .trace
                        .as_ref()
                        .map_or(0, |t| t.steps.len().saturating_sub(1)),
                };
                let mut s = views::steps(run, step, end, &caption, &frames, request.fold);
                s.about = moment_diagram.caption.clone();
                steps.push(s);
                first.push(moment_diagram);
                continue;
            }
            let func = run
                .layout
                .location(run.trace.as_ref().map_or(0, |t| t.steps[step].pc()))
                .func;
            let table = match request.view {
                View::Trace => {
                    let last = match &end {
                        Some(m) => m
                            .resolve_after(run, step, request.goroutine)
                            .map_err(&not_in_run)?,
                        None => step,
                    };
                    Some(views::trace_table(run, step, last, &caption))
                }
                View::Frame => Some(
                    views::frame_table(run, &func, &format!("{func} · {caption}")).ok_or(
                        Error::NotPackageCode {
                            func: func.clone(),
                            view: "frame",
                        },
                    )?,
                ),
                _ => {
                    let pc = run.trace.as_ref().map_or(0, |t| t.steps[step].pc());
                    let at = run.layout.location(pc).offset;
                    Some(
                        views::asm_table(run, &func, at, &format!("{func} · {caption}")).ok_or(
                            Error::NotPackageCode {
                                func: func.clone(),
                                view: "asm",
                            },
                        )?,
                    )
                }
            };
            tables.extend(table.map(|mut t| {
                t.about = moment_diagram.caption.clone();
                t
            }));
        }
    }
    if request.view == View::Steps {
        return Ok(Drawing::Steps {
            steps,
            first: Figure { panels: first },
        });
    }
    Ok(Drawing::Tables(tables))
}

/// Draws the stack at the requested moment with `go`, one panel per arch
/// (two when the request names a moment `beside` the first).
pub fn stack_figure(go: &Go, cache: &Cache, request: &Request) -> Result<Figure, Error> {
    let moment = Moment::parse(&request.at)?;
    let beside = request.beside.as_deref().map(Moment::parse).transpose()?;
    let mut panels = Vec::new();
    for &arch in &request.arches {
        let traced = request.trace(go, cache, arch)?;
        let frames = request.frames.resolve(&traced.run)?;
        let not_in_run = in_run(&traced, arch, request);
        let step = moment
            .resolve(&traced.run, request.nth, request.goroutine)
            .map_err(&not_in_run)?;
        let diagram = |step: usize, event: String| {
            let info = CaptionInfo {
                go_version: traced.go_version.clone(),
                flags: request.flags.join(" "),
                event,
            };
            let mut d = stack_diagram(&traced.run, step, &info);
            focus::focus(&mut d, &frames, request.fold);
            heap::keep(&mut d, request.heap);
            d
        };
        let mut event = if request.nth > 1 {
            format!("{} (#{})", request.at, request.nth)
        } else {
            request.at.clone()
        };
        if let Some(g) = request.goroutine {
            event += &format!(" on goroutine {g}");
        }
        panels.push(diagram(step, event));
        // The second moment: the first time it happens after the first one.
        if let (Some(m), Some(text)) = (&beside, &request.beside) {
            let later = m
                .resolve_after(&traced.run, step, request.goroutine)
                .map_err(&not_in_run)?;
            panels.push(diagram(later, text.clone()));
        }
    }
    Ok(Figure { panels })
}
