//! What a stack picture leaves out: the callers above the program's own
//! frames (`runtime.main` above `main.main`, `runtime.goexit` under a
//! goroutine's first function), and on request runs of words the source
//! does not name (the compiler's temporaries, words nothing names) that
//! the shown step did not write. What is left out is not
//! dropped silently: it becomes one folded row that names it.

use std::fmt;
use std::str::FromStr;

use gostack_diagram::{FrameBox, Row, RowKind, StackDiagram};

/// Which frames a stack picture draws.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Frames {
    /// From the outermost frame of package main down (`main.main`, or a
    /// goroutine's first function): the callers above it fold into one row.
    /// Runtime frames between package frames (`deferreturn`, `gopanic`,
    /// `morestack`) stay.
    #[default]
    Focus,
    /// Every frame up to the top of the goroutine's stack.
    All,
    /// Only the frames of these functions (`add1` or `main.add1`); each run
    /// of other frames folds into one row.
    Only(Vec<String>),
}

impl FromStr for Frames {
    type Err = String;

    /// `focus`, `all`, or functions separated by commas: `add1,main.add2`.
    fn from_str(s: &str) -> Result<Frames, String> {
        match s.trim() {
            "focus" => Ok(Frames::Focus),
            "all" => Ok(Frames::All),
            "" => Err("`frames`: write `focus`, `all` or a list of functions".to_string()),
            list => Ok(Frames::Only(
                list.split(',').map(|f| f.trim().to_string()).collect(),
            )),
        }
    }
}

impl fmt::Display for Frames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Frames::Focus => f.write_str("focus"),
            Frames::All => f.write_str("all"),
            Frames::Only(funcs) => f.write_str(&funcs.join(",")),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Frames {
    /// `frames = "all"` or `frames = ["add1", "add2"]` in a block.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Frames, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Written {
            One(String),
            Many(Vec<String>),
        }
        match Written::deserialize(d)? {
            Written::One(s) => s.parse().map_err(serde::de::Error::custom),
            Written::Many(funcs) if funcs.is_empty() => Err(serde::de::Error::custom(
                "`frames`: name at least one function",
            )),
            Written::Many(funcs) => Ok(Frames::Only(funcs)),
        }
    }
}

/// Whether `func` is one of `names` (`add1` names `main.add1`).
fn named(func: &str, names: &[String]) -> bool {
    names
        .iter()
        .any(|n| n == func || func.strip_prefix("main.") == Some(n.as_str()))
}

/// Leaves out the frames `frames` does not ask for, each run of them folded
/// into one row; with `fold`, also folds each run of two or more words the
/// source does not name (see [`quiet`]).
pub fn focus(d: &mut StackDiagram, frames: &Frames, fold: bool) {
    let keep: Vec<bool> = match frames {
        Frames::All => vec![true; d.frames.len()],
        Frames::Focus => {
            let first = d
                .frames
                .iter()
                .position(|f| gostack_emu::in_package_main(&f.func));
            (0..d.frames.len())
                .map(|i| first.is_none_or(|first| i >= first))
                .collect()
        }
        Frames::Only(names) => d.frames.iter().map(|f| named(&f.func, names)).collect(),
    };
    let word = if d.caption.goarch == "386" { 4 } else { 8 };
    let mut out: Vec<FrameBox> = Vec::new();
    let mut folded: Vec<FrameBox> = Vec::new();
    for (frame, keep) in std::mem::take(&mut d.frames).into_iter().zip(keep) {
        if keep {
            let below = frame.rows.first().map(|r| r.addr);
            out.extend(fold_frames(&mut folded, word, below));
            out.push(frame);
        } else {
            folded.push(frame);
        }
    }
    out.extend(fold_frames(&mut folded, word, None));
    d.frames = out;
    if fold {
        for frame in &mut d.frames {
            frame.rows = fold_unnamed(std::mem::take(&mut frame.rows));
        }
    }
}

/// One box for the frames in `run` (callers first), which it empties;
/// `below` is the top word of the frame drawn below them, where theirs end.
fn fold_frames(run: &mut Vec<FrameBox>, word: u64, below: Option<u64>) -> Option<FrameBox> {
    if run.is_empty() {
        return None;
    }
    let frames = std::mem::take(run);
    let funcs: Vec<&str> = frames.iter().map(|f| f.func.as_str()).collect();
    let rows: Vec<&Row> = frames.iter().flat_map(|f| &f.rows).collect();
    let top = rows.first()?;
    // A runtime frame's own words are one row: count the words the frames span.
    let words = match below {
        Some(b) => ((top.addr - b) / word) as usize,
        None => ((top.addr - rows.iter().map(|r| r.addr).min()?) / word + 1) as usize,
    };
    let value = format!(
        "({} frame{} not shown: {}; {words} word{})",
        funcs.len(),
        if funcs.len() == 1 { "" } else { "s" },
        funcs.join(", "),
        if words == 1 { "" } else { "s" },
    );
    let row = Row {
        addr: top.addr,
        sp_offset: top.sp_offset,
        bp_offset: None,
        label: String::new(),
        value,
        kind: RowKind::Folded,
        changed: rows.iter().any(|r| r.changed),
        stale: false,
        arrows: rows.iter().flat_map(|r| r.arrows.iter().cloned()).collect(),
    };
    Some(FrameBox {
        func: funcs.last().map(|f| f.to_string()).unwrap_or_default(),
        rows: vec![row],
    })
}

/// Whether `row` is a word the source does not name (a compiler temporary
/// `.autotmp_N`, or a word nothing names) that the step did not write and
/// no register points at.
pub(crate) fn quiet(row: &Row) -> bool {
    let unnamed = match row.kind {
        RowKind::Unnamed => true,
        RowKind::Local | RowKind::Arg => {
            row.label.is_empty()
                || row.label.starts_with(".autotmp_")
                || row.label.starts_with("unused")
        }
        _ => false,
    };
    unnamed && !row.changed && row.arrows.is_empty()
}

/// `rows` with each run of two or more [`quiet`] words as one row.
fn fold_unnamed(rows: Vec<Row>) -> Vec<Row> {
    let mut out = Vec::new();
    let mut run: Vec<Row> = Vec::new();
    let flush = |run: &mut Vec<Row>, out: &mut Vec<Row>| {
        if run.len() >= 2 {
            let top = &run[0];
            out.push(Row {
                addr: top.addr,
                sp_offset: top.sp_offset,
                bp_offset: None,
                label: String::new(),
                value: format!(
                    "({} words the source does not name: compiler temporaries, unchanged)",
                    run.len()
                ),
                kind: RowKind::Folded,
                changed: false,
                stale: false,
                arrows: Vec::new(),
            });
            run.clear();
        } else {
            out.append(run);
        }
    };
    for row in rows {
        if quiet(&row) {
            run.push(row);
        } else {
            flush(&mut run, &mut out);
            out.push(row);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_written_as_a_word_or_a_list() {
        assert_eq!("all".parse::<Frames>(), Ok(Frames::All));
        assert_eq!("focus".parse::<Frames>(), Ok(Frames::Focus));
        assert_eq!(
            "add1, main.add2".parse::<Frames>(),
            Ok(Frames::Only(vec!["add1".into(), "main.add2".into()]))
        );
        assert!("".parse::<Frames>().is_err());
        assert!(named("main.add1", &["add1".into()]));
        assert!(!named("main.add10", &["add1".into()]));
    }
}
