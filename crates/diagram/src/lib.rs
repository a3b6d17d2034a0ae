//! The call-stack diagram: one model of what a writer wants to see at one
//! instruction, and its renderers, siblings that each draw the same model:
//! [`ascii`] (boxed text for terminals and non-HTML books), [`svg`] (inline
//! SVG that follows the mdBook theme's colours) and [`json`].
//!
//! The crate knows nothing of x86 or of how the model was computed: every
//! text in it (names, values, registers) arrives ready to show, and every
//! renderer escapes what it must. Same model, byte-identical output.

pub mod ascii;
pub mod html;
pub mod json;
pub mod png;
pub mod steps;
pub mod svg;

use serde::{Deserialize, Serialize};

/// A figure: one or more stack pictures side by side (amd64 and 386, or two moments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// The pictures, left to right.
    pub panels: Vec<StackDiagram>,
}

/// The stack at one step of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackDiagram {
    /// What is shown: Go version, GOARCH, flags, instruction and line.
    pub caption: Caption,
    /// Live frames, caller first (highest addresses at the top).
    pub frames: Vec<FrameBox>,
    /// Words just below SP that the last steps popped or released: shown as dead.
    pub dead: Vec<Row>,
    /// Registers worth showing (argument and result registers, SP, BP), in order.
    pub registers: Vec<Register>,
    /// Objects of the heap that the frames drawn point to, in the order the
    /// run allocated them (drawn only when asked for).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heap: Vec<HeapBox>,
}

/// An object of the heap, with its type and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapBox {
    /// Its name in values: `heap#23`.
    pub name: String,
    /// Its type as Go prints it (`main.point`, `[4]int`), or `bytes` for
    /// memory allocated without a type (a string's bytes).
    pub type_name: String,
    /// Its address.
    pub addr: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Its parts, lowest offset first: fields, elements, or bytes.
    pub rows: Vec<HeapRow>,
}

/// One part of a heap object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapRow {
    /// Its offset in the object.
    pub offset: u64,
    /// Its name: a field (`x`, `X0`), an element (`[2]`), empty for bytes.
    pub label: String,
    /// Its value as shown.
    pub value: String,
}

/// A word that points into a heap object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointer {
    /// Row `row` of frame `frame` (indices into [`StackDiagram::frames`]).
    Frame {
        /// The frame.
        frame: usize,
        /// The row.
        row: usize,
    },
    /// A register that holds a variable, argument or result (an index into
    /// [`StackDiagram::registers`]).
    Register(usize),
    /// Row `row` of the heap object `object` (indices into [`StackDiagram::heap`]).
    Heap {
        /// The object.
        object: usize,
        /// The row.
        row: usize,
    },
}

impl StackDiagram {
    /// The words that point into heap object `k` (an index into
    /// [`StackDiagram::heap`]), with the offset each points at: frame words
    /// that hold a value of this step (stale ones left out), registers that
    /// hold a variable, then parts of other objects.
    pub fn pointers_to(&self, k: usize) -> Vec<(Pointer, u64)> {
        let name = &self.heap[k].name;
        let mut out = Vec::new();
        for (fi, f) in self.frames.iter().enumerate() {
            for (ri, r) in f.rows.iter().enumerate() {
                if let Some(off) = points_into(&r.value, name).filter(|_| !r.stale) {
                    out.push((Pointer::Frame { frame: fi, row: ri }, off));
                }
            }
        }
        for (i, r) in self.registers.iter().enumerate() {
            if let Some(off) = points_into(&r.value, name).filter(|_| !r.holds.is_empty()) {
                out.push((Pointer::Register(i), off));
            }
        }
        for (oi, o) in self.heap.iter().enumerate() {
            for (ri, r) in o.rows.iter().enumerate() {
                if let Some(off) = points_into(&r.value, name) {
                    out.push((
                        Pointer::Heap {
                            object: oi,
                            row: ri,
                        },
                        off,
                    ));
                }
            }
        }
        out
    }

    /// A pointer as text: `main.main c`, `heap#74 X0`.
    pub fn pointer_name(&self, p: Pointer) -> String {
        match p {
            Pointer::Frame { frame, row } => {
                let f = &self.frames[frame];
                format!("{} {}", f.func, f.rows[row].label)
            }
            Pointer::Register(i) => {
                let r = &self.registers[i];
                format!("{} ({})", r.name, r.holds)
            }
            Pointer::Heap { object, row } => {
                let o = &self.heap[object];
                format!("{} {}", o.name, o.rows[row].label)
            }
        }
    }
}

impl HeapBox {
    /// The first line drawn for it: `heap#23: main.point, 16 bytes`.
    pub fn title(&self) -> String {
        format!("{}: {}, {} bytes", self.name, self.type_name, self.size)
    }
}

/// The offset into `object` (`heap#23`) that a value shown as `value` points
/// at: `heap#23` is 0, `heap#23+0x8` is 8; none for anything else.
pub fn points_into(value: &str, object: &str) -> Option<u64> {
    let rest = value.strip_prefix(object)?;
    match rest.strip_prefix("+0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None if rest.is_empty() => Some(0),
        None => None,
    }
}

/// The caption of a stack diagram: also what any drawing was made with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caption {
    /// E.g. `go1.26.8`.
    pub go_version: String,
    /// `amd64` or `386`.
    pub goarch: String,
    /// Compiler flags, e.g. `-N -l`; empty for an optimised build.
    pub flags: String,
    /// The moment as the writer named it, e.g. `main.add2 ret`.
    pub event: String,
    /// The instruction about to run, e.g. `main.add2+0x30 RET`.
    pub instruction: String,
    /// Its source line, e.g. `main.go:7`.
    pub line: String,
    /// Step number in the run (0-based).
    pub step: u64,
}

impl Caption {
    /// One line: `main.add2 ret · go1.26.8 amd64 -N -l · main.add2+0x30 RET (main.go:7)`.
    pub fn one_line(&self) -> String {
        let flags = if self.flags.is_empty() {
            "optimised".to_string()
        } else {
            self.flags.clone()
        };
        let line = if self.line.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.line)
        };
        format!(
            "{} · {} {} {} · {}{line}",
            self.event, self.go_version, self.goarch, flags, self.instruction
        )
    }
}

/// One frame: its function and its words, highest address first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameBox {
    /// The function, e.g. `main.add1`.
    pub func: String,
    /// The frame's words, highest address first.
    pub rows: Vec<Row>,
}

/// One stack word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The word's address.
    pub addr: u64,
    /// Offset from the SP of the frame the word belongs to, e.g. `+8(SP)`.
    pub sp_offset: i64,
    /// Offset from the frame's BP, when it has one.
    pub bp_offset: Option<i64>,
    /// What the word is, e.g. `a`, `add2.a (spill)`, `return addr`, `saved BP`.
    pub label: String,
    /// Its value as a reader wants it, e.g. `11`, `&add1.b`, `main.add1+0x33 (main.go:14)`.
    pub value: String,
    /// The kind of word, for styling.
    pub kind: RowKind,
    /// Whether the last step wrote it.
    pub changed: bool,
    /// Whether nothing wrote it since its frame was entered: it holds what an
    /// earlier frame left there, not a value of the function's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
    /// Register arrows pointing here, e.g. `SP`, `BP`.
    pub arrows: Vec<String>,
}

/// The kind of a stack word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A slot the function names (a local, argument copy or result).
    Local,
    /// A slot in this frame that the callee names: a register ABI spill slot,
    /// or a stack argument or result on 386.
    Arg,
    /// A return address.
    ReturnAddr,
    /// A saved frame pointer.
    SavedBp,
    /// A field of a deferred-call record.
    Defer,
    /// A word nothing names.
    Unnamed,
    /// Below SP: popped or released, no longer part of any frame.
    Dead,
    /// Words or frames not drawn one by one, summed up in the row's value:
    /// the callers above the frames in focus, or a run of words nothing
    /// names or wrote.
    Folded,
}

/// A register and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Register {
    /// Its name, e.g. `AX`.
    pub name: String,
    /// Its value as shown, e.g. `21`.
    pub value: String,
    /// Whether the last step changed it.
    pub changed: bool,
    /// What it holds, when it holds a variable, an argument or a result:
    /// `a7`, `add2.~r0`; empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub holds: String,
}

impl Register {
    /// Its value and what it holds, as a picture shows them: `7 (a7)`, `21`.
    pub fn shown(&self) -> String {
        if self.holds.is_empty() {
            self.value.clone()
        } else {
            format!("{} ({})", self.value, self.holds)
        }
    }
}

/// A table: the steps between two moments, a frame's layout, a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// What it shows, in one line.
    pub caption: String,
    /// What it was made with (Go version, arch, flags) and at which moment.
    #[serde(default)]
    pub about: Caption,
    /// Column headings.
    pub columns: Vec<String>,
    /// The rows, each with one cell per column.
    pub rows: Vec<TableRow>,
}

impl Table {
    /// The width in characters of each column: its heading or its widest cell.
    pub fn column_widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(&row.cells) {
                *w = (*w).max(cell.chars().count());
            }
        }
        widths
    }
}

/// One row of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    /// One text per column.
    pub cells: Vec<String>,
    /// Whether the row is the one to look at (e.g. a CALL or RET).
    pub highlight: bool,
}

/// A step-through of a run between two moments: the listing, and per step
/// what changed in the frame picture and the registers since the step before
/// (deltas, not pictures; [`steps::Encoder`] makes them, [`steps::Picture`]
/// reads them back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Steps {
    /// What it shows, in one line.
    pub caption: String,
    /// What it was made with (Go version, arch, flags) and where it starts.
    #[serde(default)]
    pub about: Caption,
    /// The instructions of the functions that run, in address order.
    pub listing: Vec<ListingRow>,
    /// The steps, in order.
    pub steps: Vec<StepDelta>,
}

/// One instruction of a [`Steps`] listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingRow {
    /// `main.add1+0x2e`.
    pub at: String,
    /// `main.go:14`.
    pub line: String,
    /// The Go assembly text.
    pub asm: String,
}

/// What one step shows and changes. Its frame picture is the static
/// figure's ([`StackDiagram`]) as what changed since the step before: the
/// frames that changed, the rows that appeared, changed or went, the rows
/// the step wrote, the register arrows that moved. Rows are keyed by
/// address (one row per address in a picture), written as their distance
/// from this step's SP ([`StepDelta::sp`]) to keep them short, and drawn
/// highest address first; a row below SP is a popped word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDelta {
    /// Index in [`Steps::listing`] of the instruction about to run, or none for a runtime model.
    pub row: Option<usize>,
    /// Where execution is, e.g. `main.add1+0x2e (main.go:14)` or
    /// `runtime.deferreturn`; empty when [`StepDelta::row`] says it (the
    /// listing row's place and line).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub at: String,
    /// The stack pointer.
    pub sp: u64,
    /// Stack words by address whose text changed (address, label, value):
    /// what step-throughs carried before they drew frames. Those drawn now
    /// leave it empty and carry [`StepDelta::rows`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<(u64, String, String)>,
    /// Registers whose value changed since the previous step, or that the
    /// step before wrote (all at the first step).
    pub regs: Vec<(String, String)>,
    /// The frames, caller first, when they changed since the previous
    /// step: how many of the previous step's frames stay, then the frames
    /// after them, each as its function and the distance of its top row
    /// from SP. A frame holds its top row and those below it down to the
    /// next frame's top, or down to SP for the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frames: Option<(usize, Vec<(String, i64)>)>,
    /// Rows that appeared or changed since the previous step (all at the first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<StepRow>,
    /// The rows no longer drawn, by distance from SP.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gone: Vec<i64>,
    /// The rows the step before wrote ([`Row::changed`]), by distance from SP.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<i64>,
    /// The register arrows that moved since the previous step: a row's
    /// distance from SP and its arrows as drawn, e.g. `SP, BP`, or nothing
    /// when none points at it any more.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arrows: Vec<(i64, String)>,
}

/// One row of a step's frame picture, as the static figure draws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRow(
    /// The word's distance from the step's SP, in bytes.
    pub i64,
    /// Its text in the box: [`ascii::row_text`].
    pub String,
    /// Its offsets: [`ascii::offsets`].
    pub String,
    /// Its kind, for styling.
    pub RowKind,
);
