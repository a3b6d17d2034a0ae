//! Builds the diagram model of one step of a run from the emulator's stack view.

use std::collections::BTreeMap;

use gostack_diagram::{Caption, FrameBox, Register, Row, RowKind, StackDiagram};
use gostack_emu::{
    Arch, Change, Cursor, GPR_NAMES, History, Reg, Region, Run, Slot, Snapshot, StackView,
    WordRole, abi, in_package_main,
};

/// How many steps back to look for words popped below SP.
const DEAD_WINDOW: usize = 64;

/// What the caption says besides the step.
#[derive(Debug, Clone)]
pub struct CaptionInfo {
    /// E.g. `go1.26.8`.
    pub go_version: String,
    /// Compiler flags.
    pub flags: String,
    /// The moment as the writer named it.
    pub event: String,
}

/// The short name of a function: `main.add1` -> `add1`.
pub(crate) fn short(func: &str) -> &str {
    func.strip_prefix("main.").unwrap_or(func)
}

/// Names for values: stack addresses by their slot, heap objects by the
/// order the run allocated them (`heap#12`, `heap#12+8` inside it).
pub(crate) struct Namer<'a> {
    run: &'a Run,
    slots: BTreeMap<u64, String>,
    /// The run walked to the step: what it allocated.
    history: Option<&'a History<'a>>,
    /// The bounds of the stack drawn: a value inside points into it.
    stack: (u64, u64),
}

impl<'a> Namer<'a> {
    pub(crate) fn new(
        run: &'a Run,
        view: &StackView,
        history: Option<&'a History<'a>>,
    ) -> Namer<'a> {
        let mut slots = BTreeMap::new();
        for (addr, _, labels) in &view.words {
            let word = labels.iter().find_map(|l| match l {
                // A callee's argument slot is no variable of the frame's.
                Slot::Word {
                    role: WordRole::Unused | WordRole::Arg | WordRole::Spill,
                    ..
                } => None,
                // A pointer to a variable's first word points to the variable.
                Slot::Word {
                    func, var, part: 0, ..
                } => Some(format!("{}.{}", short(func), var)),
                Slot::Word { func, name, .. } => Some(format!("{}.{}", short(func), name)),
                _ => None,
            });
            let name = word.or_else(|| {
                labels.iter().find_map(|l| match l {
                    Slot::Named { func, name, .. } => Some(format!("{}.{}", short(func), name)),
                    Slot::Arg { callee, name } => Some(format!("{}.{}", short(callee), name)),
                    _ => None,
                })
            });
            if let Some(name) = name {
                slots.insert(*addr, name);
            }
        }
        for f in &view.frames {
            if let Some(bp) = f.bp_slot {
                slots
                    .entry(bp)
                    .or_insert_with(|| format!("{}'s frame", short(&f.func)));
            }
        }
        Namer {
            run,
            slots,
            history,
            stack: view.bounds,
        }
    }

    /// The word size.
    pub(crate) fn word(&self) -> u64 {
        self.run.layout.word()
    }

    /// Adds the names of a stack view of another step (frames popped since).
    fn learn(&mut self, view: &StackView) {
        let other = Namer::new(self.run, view, None);
        for (addr, name) in other.slots {
            self.slots.entry(addr).or_insert(name);
        }
    }

    /// A word as a reader wants it.
    pub(crate) fn value(&mut self, v: u64) -> String {
        let layout = &self.run.layout;
        let w = layout.word();
        let region = if (self.stack.0..self.stack.1).contains(&v) {
            Region::Stack
        } else {
            layout.region(v)
        };
        match region {
            Region::Stack => match self.slots.get(&v) {
                Some(name) if name.ends_with("'s frame") => {
                    name.trim_end_matches("'s frame").to_string()
                }
                Some(name) => format!("&{name}"),
                None => format!("{v:#x} (stack)"),
            },
            Region::Code => match layout.symbolize(v) {
                Some((f, 0)) => f,
                Some((f, off)) => format!("{f}+{off:#x}"),
                None => format!("{v:#x}"),
            },
            Region::Data => match layout.symbolize(v) {
                Some((s, 0)) => format!("&{s}"),
                Some((s, off)) => format!("&{s}+{off:#x}"),
                None => format!("{v:#x}"),
            },
            Region::Heap => match self.history.and_then(|h| h.heap_object(v)) {
                Some((k, 0)) => format!("heap#{k}"),
                Some((k, off)) => format!("heap#{k}+{off:#x}"),
                // Memory the runtime holds for itself (a goroutine's stack, its own structures).
                None => format!("{v:#x}"),
            },
            Region::None => {
                let signed = if w == 4 {
                    i64::from(v as u32 as i32)
                } else {
                    v as i64
                };
                if signed.unsigned_abs() < 1 << 32 {
                    signed.to_string()
                } else {
                    format!("{v:#x}")
                }
            }
        }
    }
}

/// The label and kind of a stack word.
pub(crate) fn describe(labels: &[Slot], arch: Arch) -> (String, RowKind) {
    let spill = if arch == Arch::Amd64 { " (spill)" } else { "" };
    for l in labels {
        match l {
            Slot::ReturnAddr { .. } => return ("return addr".to_string(), RowKind::ReturnAddr),
            Slot::SavedBp { .. } => return ("saved BP".to_string(), RowKind::SavedBp),
            _ => {}
        }
    }
    // A word shared by variables smaller than it: each at its bytes.
    let parts = sub_words(labels);
    if parts.len() > 1 || parts.first().is_some_and(|(_, at, _)| *at > 0) {
        let label = parts
            .iter()
            .map(|(name, at, _)| format!("{name}@{at}"))
            .collect::<Vec<_>>()
            .join(" ");
        return (label, RowKind::Local);
    }
    // A word two live variables share: both names.
    let shared: Vec<&str> = labels
        .iter()
        .filter_map(|l| match l {
            Slot::Word {
                name,
                role: WordRole::Local,
                bytes: None,
                ..
            } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    if shared.len() > 1 {
        return (shared.join(", "), RowKind::Local);
    }
    // The word's name, when its frame is a package function's.
    if let Some((func, name, role)) = labels.iter().find_map(|l| match l {
        Slot::Word {
            func, name, role, ..
        } => Some((func, name, role)),
        _ => None,
    }) {
        return match role {
            WordRole::Local => (name.clone(), RowKind::Local),
            WordRole::Defer => (name.clone(), RowKind::Defer),
            WordRole::Arg => (format!("{}.{name}", short(func)), RowKind::Arg),
            WordRole::Spill => (format!("{}.{name} (spill)", short(func)), RowKind::Arg),
            WordRole::Unused => (name.clone(), RowKind::Unnamed),
        };
    }
    let mut names = Vec::new();
    let mut kind = RowKind::Unnamed;
    for l in labels {
        match l {
            Slot::Named { name, .. } => {
                names.push(name.clone());
                kind = RowKind::Local;
            }
            Slot::Arg { callee, name } => {
                names.push(format!("{}.{}{}", short(callee), name, spill));
                if kind == RowKind::Unnamed {
                    kind = RowKind::Arg;
                }
            }
            Slot::ReturnAddr { .. } | Slot::SavedBp { .. } | Slot::Word { .. } => {}
            Slot::Defer { field, index } => {
                names.push(format!("defer#{index}.{field}"));
                if kind == RowKind::Unnamed {
                    kind = RowKind::Defer;
                }
            }
        }
    }
    (names.join(" / "), kind)
}

/// The variables smaller than a word that a word holds, by their bytes:
/// name (a callee's parameter with its callee), offset, length.
fn sub_words(labels: &[Slot]) -> Vec<(String, u8, u8)> {
    let mut parts: Vec<(String, u8, u8)> = labels
        .iter()
        .filter_map(|l| match l {
            Slot::Word {
                func,
                name,
                role,
                bytes: Some((at, len)),
                ..
            } => {
                let name = match role {
                    WordRole::Arg | WordRole::Spill => format!("{}.{name}", short(func)),
                    _ => name.clone(),
                };
                Some((name, *at, *len))
            }
            _ => None,
        })
        .collect();
    parts.sort_by_key(|p| p.1);
    parts
}

/// The value of each variable smaller than a word in `value`, in the order
/// [`sub_words`] gives, as unsigned numbers of their bytes.
fn sub_values(parts: &[(String, u8, u8)], value: u64) -> String {
    parts
        .iter()
        .map(|(_, at, len)| {
            let bits = u32::from(*len) * 8;
            let v = value >> (u32::from(*at) * 8);
            let v = if bits >= 64 { v } else { v & ((1 << bits) - 1) };
            v.to_string()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stack diagram of `run` just before step `step`.
pub fn stack_diagram(run: &Run, step: usize, info: &CaptionInfo) -> StackDiagram {
    // One walk: to the start of the window the dead words are found in, then to the step.
    let mut history = History::new(run);
    history.advance_to(window_start(step));
    let window = history.cursor().clone();
    history.advance_to(step);
    stack_diagram_from(run, window, &history, step, info)
}

/// Where the window of steps that dead words are found in starts, for a diagram of `step`.
pub(crate) fn window_start(step: usize) -> usize {
    step.saturating_sub(DEAD_WINDOW)
}

/// [`stack_diagram`] from a cursor at [`window_start`]`(step)` and the
/// run's history walked to `step`, for a caller that walks the run forward
/// itself (the step-through).
pub(crate) fn stack_diagram_from<'a>(
    run: &'a Run,
    window: Cursor<'_>,
    history: &'a History<'a>,
    step: usize,
    info: &CaptionInfo,
) -> StackDiagram {
    let trace = run
        .trace
        .as_ref()
        .expect("diagrams are drawn from traced runs");
    let layout = &run.layout;
    let arch = layout.arch();
    let w = layout.word();
    debug_assert_eq!(history.cursor().step(), step);
    let snap = history.cursor().snapshot().clone();
    let view = history.stack();
    let changes: Vec<Change> = if step > 0 {
        trace.changes_of(step - 1)
    } else {
        Vec::new()
    };
    let written = |addr: u64| {
        changes.iter().any(|c| matches!(*c, Change::Mem { addr: a, size, .. } if addr < a.get() + u64::from(size) && a.get() < addr + w))
    };
    let mut namer = Namer::new(run, &view, Some(history));
    let recent = recent_views(run, window, step, &snap);
    for (old, _, _) in &recent {
        namer.learn(old);
    }
    let sp = snap.cpu.gpr[abi::RSP];
    let bp = snap.cpu.gpr[abi::RBP];
    let loc = layout.location(snap.cpu.rip);

    // Frames, caller first; each from its SP up to and with its return address.
    let mut frames = Vec::new();
    for (k, f) in view.frames.iter().enumerate().rev() {
        let runtime_frame = !in_package_main(&f.func);
        // Offsets from BP only once BP points at the frame: the innermost
        // frame between `PUSHQ BP` and `MOVQ SP, BP` has its slot, not yet its BP.
        let bp_slot = f.bp_slot.filter(|&b| k > 0 || b == bp);
        let mut rows = Vec::new();
        // A runtime frame's own words are summed up in one row, so the
        // picture keeps its true extent without the runtime's internals.
        let mut hidden: Option<(u64, u64)> = None;
        let flush = |rows: &mut Vec<Row>, hidden: &mut Option<(u64, u64)>| {
            if let Some((top, n)) = hidden.take() {
                rows.push(Row {
                    addr: top,
                    sp_offset: top as i64 - f.sp as i64,
                    bp_offset: bp_slot.map(|b| top as i64 - b as i64),
                    label: String::new(),
                    value: format!("({} bytes of {}'s own)", n * layout.word(), short(&f.func)),
                    kind: RowKind::Unnamed,
                    changed: false,
                    stale: false,
                    arrows: Vec::new(),
                });
            }
        };
        for (addr, value, labels) in view.words.iter().rev() {
            if *addr < f.sp || *addr > f.ret_slot {
                continue;
            }
            if runtime_frame && labels.is_empty() && *addr != sp {
                let (top, n) = hidden.unwrap_or((*addr, 0));
                hidden = Some((top, n + 1));
                continue;
            }
            flush(&mut rows, &mut hidden);
            let (label, kind) = describe(labels, arch);
            let shown = match labels.first() {
                Some(Slot::ReturnAddr { to, pos }) => match pos {
                    Some(p) => format!("{to} ({p})"),
                    None => to.clone(),
                },
                Some(Slot::SavedBp { of }) => match of {
                    Some(o) => short(o).to_string(),
                    None if *value == 0 => "0 (the end of the chain)".to_string(),
                    None => namer.value(*value),
                },
                _ if label.contains('@') => sub_values(&sub_words(labels), *value),
                _ => namer.value(*value),
            };
            let mut arrows = Vec::new();
            if *addr == sp {
                arrows.push("SP".to_string());
            } else if k > 0 && *addr == f.sp {
                arrows.push(format!("SP({})", short(&f.func)));
            }
            if *addr == bp && arch == Arch::Amd64 {
                arrows.push("BP".to_string());
            }
            rows.push(Row {
                addr: *addr,
                sp_offset: *addr as i64 - f.sp as i64,
                bp_offset: bp_slot.map(|b| *addr as i64 - b as i64),
                label,
                value: shown,
                kind,
                changed: written(*addr),
                stale: labels
                    .iter()
                    .any(|l| matches!(l, Slot::Word { stale: true, .. })),
                arrows,
            });
        }
        flush(&mut rows, &mut hidden);
        frames.push(FrameBox {
            func: f.func.clone(),
            rows,
        });
    }

    let registers = registers(&snap, &view, &changes, arch, &mut namer);
    StackDiagram {
        caption: Caption {
            go_version: info.go_version.clone(),
            goarch: arch_name(arch).to_string(),
            flags: info.flags.clone(),
            event: info.event.clone(),
            instruction: format!(
                "{}+{:#x} {}",
                loc.func,
                loc.offset,
                loc.asm.replace('\t', " ")
            ),
            line: loc.pos.map(|p| p.to_string()).unwrap_or_default(),
            step: step as u64,
        },
        heap: crate::heap::heap_boxes(run, history, &snap, &frames, &registers, &mut namer),
        frames,
        dead: dead_rows(run, &snap, &recent, &mut namer),
        registers,
    }
}

fn arch_name(arch: Arch) -> &'static str {
    match arch {
        Arch::Amd64 => "amd64",
        Arch::I386 => "386",
    }
}

/// The words below SP at `step` that package frames used in the steps
/// from `window` on, each with the stack view of the last step whose stack
/// still held it: a word is named by the frame that last occupied it.
/// Each view comes with the range `[lo, hi)` of words it names.
fn recent_views(
    run: &Run,
    mut window: Cursor<'_>,
    step: usize,
    snap: &Snapshot,
) -> Vec<(StackView, u64, u64)> {
    let start = window.clone();
    // Only the package's own steps on this stack: the runtime's words below SP are its business.
    let (lo, hi) = run.layout.stack(snap).bounds;
    let mut steps: Vec<(usize, u64)> = Vec::new();
    while window.step() < step {
        let s = window.snapshot();
        let sp = s.cpu.gpr[abi::RSP];
        if (lo..hi).contains(&sp) && run.layout.in_package(s.cpu.rip) {
            steps.push((window.step(), sp));
        }
        if !window.advance() {
            break;
        }
    }
    // From the latest step back: each step names the words below those named already.
    let mut covered = snap.cpu.gpr[abi::RSP];
    let mut wanted: Vec<(usize, u64, u64)> = Vec::new();
    for &(at, sp) in steps.iter().rev() {
        if sp < covered {
            wanted.push((at, sp, covered));
            covered = sp;
        }
    }
    wanted.reverse();
    let mut cursor = start;
    wanted
        .into_iter()
        .map(|(at, lo, hi)| {
            cursor.advance_to(at);
            (run.layout.stack(cursor.snapshot()), lo, hi)
        })
        .collect()
}

/// Words below SP that frames used in the last steps, with the names they
/// had in the last frame that held them, and their values now.
fn dead_rows(
    run: &Run,
    snap: &Snapshot,
    recent: &[(StackView, u64, u64)],
    namer: &mut Namer<'_>,
) -> Vec<Row> {
    let w = run.layout.word();
    // Offsets are from the lowest SP each popped frame had.
    let lowest = |ret_slot: u64| {
        recent
            .iter()
            .flat_map(|(v, _, _)| &v.frames)
            .filter(|f| f.ret_slot == ret_slot)
            .map(|f| f.sp)
            .min()
            .unwrap_or(ret_slot)
    };
    let mut rows = Vec::new();
    for (old, lo, hi) in recent.iter().rev() {
        for (addr, _, labels) in old.words.iter().rev() {
            if *addr < *lo || *addr >= *hi {
                continue;
            }
            let owner = old
                .frames
                .iter()
                .find(|f| *addr >= f.sp && *addr <= f.ret_slot);
            if owner.is_none_or(|f| !in_package_main(&f.func)) {
                continue;
            }
            let (label, _) = describe(labels, run.layout.arch());
            let value = snap.read(*addr, w as usize);
            let shown = match labels.first() {
                Some(Slot::ReturnAddr { to, .. }) => to.clone(),
                _ if label.contains('@') => sub_values(&sub_words(labels), value),
                _ => namer.value(value),
            };
            rows.push(Row {
                addr: *addr,
                sp_offset: owner.map_or(0, |f| *addr as i64 - lowest(f.ret_slot) as i64),
                bp_offset: None,
                label: match (owner, labels.first()) {
                    (_, Some(Slot::ReturnAddr { .. })) => "return addr".to_string(),
                    (_, Some(Slot::SavedBp { .. })) => "saved BP".to_string(),
                    (Some(f), _) if !label.is_empty() => format!("{}.{label}", short(&f.func)),
                    _ => label,
                },
                value: shown,
                kind: RowKind::Dead,
                changed: false,
                stale: false,
                arrows: Vec::new(),
            });
        }
    }
    rows
}

/// The argument and result registers, SP and BP, and every other register
/// that holds a value of the innermost package frame (`R8`, `X0`), each
/// with what it holds.
fn registers(
    snap: &Snapshot,
    view: &StackView,
    changes: &[Change],
    arch: Arch,
    namer: &mut Namer<'_>,
) -> Vec<Register> {
    let changed = |r: Reg| {
        changes.iter().any(|c| match (*c, r) {
            (Change::Reg { reg, .. }, Reg::Gpr(n)) => usize::from(reg) == n,
            (Change::Xmm { reg, .. }, Reg::Xmm(n)) => usize::from(reg) == n,
            _ => false,
        })
    };
    let own = view.frames.first().map(|f| f.func.as_str());
    // Every name a register holds: a result being returned and a variable, say.
    let holder = |r: Reg| {
        view.registers
            .iter()
            .filter(|v| v.reg == r)
            .map(|v| {
                if Some(v.func.as_str()) == own {
                    v.name.clone()
                } else {
                    format!("{}.{}", short(&v.func), v.name)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut shown: Vec<Reg> = abi::shown_registers(arch)
        .iter()
        .map(|&n| Reg::Gpr(n))
        .collect();
    let mut more: Vec<Reg> = view
        .registers
        .iter()
        .map(|v| v.reg)
        .filter(|r| !shown.contains(r))
        .collect();
    more.sort();
    more.dedup();
    shown.extend(more);
    shown
        .into_iter()
        .map(|r| {
            let var = view.registers.iter().find(|v| v.reg == r);
            let (name, value) = match r {
                Reg::Gpr(n) if n == abi::RSP || n == abi::RBP => {
                    (GPR_NAMES[n].to_string(), format!("{:#x}", snap.cpu.gpr[n]))
                }
                Reg::Gpr(n) => {
                    let v = snap.cpu.gpr[n];
                    // A value narrower than the register is its low bytes.
                    let v = match var.map(|v| v.size) {
                        Some(size @ 1..=7) => v & ((1u64 << (size * 8)) - 1),
                        _ => v,
                    };
                    (GPR_NAMES[n].to_string(), namer.value(v))
                }
                Reg::Xmm(n) => {
                    let bits = snap.cpu.xmm[n] as u64;
                    let value = match var.map(|v| (v.size, v.float)) {
                        Some((4, true)) => format!("{}", f32::from_bits(bits as u32)),
                        Some((8, true)) => format!("{}", f64::from_bits(bits)),
                        _ => format!("{:#x}", snap.cpu.xmm[n]),
                    };
                    (format!("X{n}"), value)
                }
            };
            Register {
                name,
                value,
                changed: changed(r),
                holds: holder(r),
            }
        })
        .collect()
}
