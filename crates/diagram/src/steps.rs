//! The step-through's data: the frame picture of each step ([`StackDiagram`],
//! the static figure's model) sent as what changed since the step before,
//! and read back. The widget's script ([`crate::html`]) reads the deltas as
//! [`pictures`] does.

use std::collections::BTreeMap;

use crate::ascii::{offsets, row_text};
use crate::{RowKind, StackDiagram, StepDelta, StepRow, Steps};

/// Turns the pictures of consecutive steps into [`StepDelta`]s.
#[derive(Debug, Default)]
pub struct Encoder {
    started: bool,
    /// The rows drawn at the step before, by address: text, offsets, kind.
    rows: BTreeMap<u64, (String, String, RowKind)>,
    frames: Vec<(String, u64)>,
    arrows: BTreeMap<u64, String>,
    regs: BTreeMap<String, String>,
}

/// `addr`'s distance from `sp`.
fn rel(addr: u64, sp: u64) -> i64 {
    addr.wrapping_sub(sp) as i64
}

/// The address `off` bytes from `sp`.
fn abs(off: i64, sp: u64) -> u64 {
    sp.wrapping_add(off as u64)
}

impl Encoder {
    /// An encoder before the first step.
    pub fn new() -> Encoder {
        Encoder::default()
    }

    /// The delta of the next step: `row` and `at` say where it is (see
    /// [`StepDelta`]), `sp` is its stack pointer and `picture` its stack as
    /// the static figure draws it.
    pub fn step(
        &mut self,
        row: Option<usize>,
        at: String,
        sp: u64,
        picture: &StackDiagram,
    ) -> StepDelta {
        let first = !self.started;
        self.started = true;
        let mut rows = BTreeMap::new();
        let mut arrows = BTreeMap::new();
        let mut changed = Vec::new();
        let live = picture.frames.iter().flat_map(|f| f.rows.iter());
        for r in live.chain(&picture.dead) {
            // One row per address: a second one could not be told apart.
            if rows.contains_key(&r.addr) {
                continue;
            }
            rows.insert(r.addr, (row_text(r), offsets(r), r.kind));
            if r.changed {
                changed.push(rel(r.addr, sp));
            }
            if !r.arrows.is_empty() {
                arrows.insert(r.addr, r.arrows.join(", "));
            }
        }
        let frames: Vec<(String, u64)> = picture
            .frames
            .iter()
            .filter_map(|f| Some((f.func.clone(), f.rows.first()?.addr)))
            .collect();
        let frames_delta = (first || frames != self.frames).then(|| {
            let keep = frames
                .iter()
                .zip(&self.frames)
                .take_while(|(a, b)| a == b)
                .count();
            let after = frames[keep..]
                .iter()
                .map(|(f, top)| (f.clone(), rel(*top, sp)))
                .collect();
            (keep, after)
        });
        let new_rows: Vec<StepRow> = rows
            .iter()
            .rev()
            .filter(|(a, r)| self.rows.get(a) != Some(r))
            .map(|(a, (text, off, kind))| StepRow(rel(*a, sp), text.clone(), off.clone(), *kind))
            .collect();
        let gone: Vec<i64> = self
            .rows
            .keys()
            .rev()
            .filter(|a| !rows.contains_key(a))
            .map(|a| rel(*a, sp))
            .collect();
        let mut moved: Vec<(i64, String)> = arrows
            .iter()
            .rev()
            .filter(|(a, t)| self.arrows.get(a) != Some(t))
            .map(|(a, t)| (rel(*a, sp), t.clone()))
            .collect();
        moved.extend(
            self.arrows
                .keys()
                .rev()
                .filter(|a| !arrows.contains_key(a))
                .map(|a| (rel(*a, sp), String::new())),
        );
        let mut regs = Vec::new();
        for r in &picture.registers {
            let shown = r.shown();
            if r.changed || self.regs.get(&r.name) != Some(&shown) {
                regs.push((r.name.clone(), shown.clone()));
            }
            self.regs.insert(r.name.clone(), shown);
        }
        self.rows = rows;
        self.frames = frames;
        self.arrows = arrows;
        StepDelta {
            row,
            at,
            sp,
            words: Vec::new(),
            regs,
            frames: frames_delta,
            rows: new_rows,
            gone,
            changed,
            arrows: moved,
        }
    }
}

/// One row of a [`Picture`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureRow {
    /// The word's address.
    pub addr: u64,
    /// Its text in the box.
    pub text: String,
    /// Its offsets.
    pub offsets: String,
    /// Its kind.
    pub kind: RowKind,
    /// Whether the step before wrote it.
    pub changed: bool,
    /// The register arrows pointing at it, e.g. `SP, BP`; empty for none.
    pub arrows: String,
}

/// A step's frame picture as the step-through draws it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picture {
    /// The frames, caller first: function and rows, highest address first.
    pub frames: Vec<(String, Vec<PictureRow>)>,
    /// The popped words below SP, highest address first.
    pub dead: Vec<PictureRow>,
    /// The registers shown and their values, in order.
    pub registers: Vec<(String, String)>,
}

impl Picture {
    /// What a step-through shows of `d`: the same frames, rows and arrows.
    pub fn of(d: &StackDiagram) -> Picture {
        let row = |r: &crate::Row| PictureRow {
            addr: r.addr,
            text: row_text(r),
            offsets: offsets(r),
            kind: r.kind,
            changed: r.changed,
            arrows: r.arrows.join(", "),
        };
        Picture {
            frames: d
                .frames
                .iter()
                .filter(|f| !f.rows.is_empty())
                .map(|f| (f.func.clone(), f.rows.iter().map(row).collect()))
                .collect(),
            dead: d.dead.iter().map(row).collect(),
            registers: d
                .registers
                .iter()
                .map(|r| (r.name.clone(), r.shown()))
                .collect(),
        }
    }
}

/// The picture of every step of `steps`, read back from the deltas.
pub fn pictures(steps: &Steps) -> Vec<Picture> {
    let mut rows: BTreeMap<u64, StepRow> = BTreeMap::new();
    let mut frames: Vec<(String, u64)> = Vec::new();
    let mut arrows: BTreeMap<u64, String> = BTreeMap::new();
    let mut regs: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for s in &steps.steps {
        for a in &s.gone {
            rows.remove(&abs(*a, s.sp));
        }
        for r in &s.rows {
            rows.insert(abs(r.0, s.sp), r.clone());
        }
        if let Some((keep, after)) = &s.frames {
            frames.truncate(*keep);
            frames.extend(after.iter().map(|(f, top)| (f.clone(), abs(*top, s.sp))));
        }
        for (a, text) in &s.arrows {
            if text.is_empty() {
                arrows.remove(&abs(*a, s.sp));
            } else {
                arrows.insert(abs(*a, s.sp), text.clone());
            }
        }
        for (name, value) in &s.regs {
            match regs.iter_mut().find(|(n, _)| n == name) {
                Some(r) => r.1 = value.clone(),
                None => regs.push((name.clone(), value.clone())),
            }
        }
        let shown = |addr: u64, r: &StepRow| PictureRow {
            addr,
            text: r.1.clone(),
            offsets: r.2.clone(),
            kind: r.3,
            changed: s.changed.contains(&rel(addr, s.sp)),
            arrows: arrows.get(&addr).cloned().unwrap_or_default(),
        };
        let mut picture = Picture {
            frames: frames
                .iter()
                .map(|(f, _)| (f.clone(), Vec::new()))
                .collect(),
            dead: Vec::new(),
            registers: regs.clone(),
        };
        for (&addr, r) in rows.iter().rev() {
            if addr < s.sp {
                picture.dead.push(shown(addr, r));
            } else if let Some(k) = frames.iter().rposition(|(_, top)| *top >= addr) {
                picture.frames[k].1.push(shown(addr, r));
            }
        }
        out.push(picture);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Caption, FrameBox, Register, Row};

    fn row(addr: u64, label: &str, value: &str, kind: RowKind) -> Row {
        Row {
            addr,
            sp_offset: 0,
            bp_offset: None,
            label: label.to_string(),
            value: value.to_string(),
            kind,
            changed: false,
            stale: false,
            arrows: Vec::new(),
        }
    }

    fn diagram(frames: Vec<(&str, Vec<Row>)>, dead: Vec<Row>, ax: &str) -> StackDiagram {
        StackDiagram {
            caption: Caption::default(),
            frames: frames
                .into_iter()
                .map(|(f, rows)| FrameBox {
                    func: f.to_string(),
                    rows,
                })
                .collect(),
            dead,
            registers: vec![Register {
                holds: String::new(),
                name: "AX".into(),
                value: ax.into(),
                changed: false,
            }],
            heap: Vec::new(),
        }
    }

    /// A call, a write, a return with its popped words: every step reads
    /// back as its picture, and an unchanged step sends almost nothing.
    #[test]
    fn deltas_read_back_as_the_pictures() {
        let ret = |a| row(a, "", "main.main+0x25", RowKind::ReturnAddr);
        let mut sp_arrow = row(0x100, "b", "1", RowKind::Local);
        sp_arrow.arrows = vec!["SP".into(), "BP".into()];
        let caller = vec![ret(0x110), row(0x108, "a", "1", RowKind::Local), sp_arrow];
        let one = diagram(vec![("main.main", caller.clone())], Vec::new(), "0");
        let mut written = caller.clone();
        written[1].value = "2".into();
        written[1].changed = true;
        let mut at_callee = row(0xf8, "", "main.main+0x40", RowKind::ReturnAddr);
        at_callee.arrows = vec!["SP".into()];
        written[2].arrows.clear();
        let two = diagram(
            vec![("main.main", written.clone()), ("main.f", vec![at_callee])],
            Vec::new(),
            "7",
        );
        let mut back = written.clone();
        back[1].changed = false;
        back[2].arrows = vec!["SP".into()];
        let three = diagram(
            vec![("main.main", back)],
            vec![row(0xf8, "return addr", "main.main+0x40", RowKind::Dead)],
            "7",
        );
        let pictures_in = [&one, &two, &three, &three];
        let mut enc = Encoder::new();
        let steps = Steps {
            caption: String::new(),
            about: Caption::default(),
            listing: Vec::new(),
            steps: pictures_in
                .iter()
                .zip([0x100, 0xf8, 0x100, 0x100])
                .map(|(d, sp)| enc.step(None, String::new(), sp, d))
                .collect(),
        };
        let back: Vec<Picture> = pictures(&steps);
        let want: Vec<Picture> = pictures_in.iter().map(|d| Picture::of(d)).collect();
        assert_eq!(back, want);
        let last = &steps.steps[3];
        assert!(
            last.rows.is_empty()
                && last.gone.is_empty()
                && last.frames.is_none()
                && last.arrows.is_empty()
                && last.regs.is_empty(),
            "nothing changed, nothing sent: {last:?}"
        );
        let call = &steps.steps[1];
        assert_eq!(call.frames, Some((1, vec![("main.f".to_string(), 0)])));
        assert_eq!(call.changed, vec![0x10], "by distance from SP");
        let ret = &steps.steps[2];
        assert_eq!(ret.frames, Some((1, Vec::new())));
        assert!(ret.gone.is_empty(), "0xf8 stays, popped");
    }
}
