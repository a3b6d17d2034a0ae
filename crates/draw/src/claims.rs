//! Claims a text makes about a drawing, checked against it: `~r0 = 1`,
//! `AX = 2`, `b at +16(SP)`, `frames: main.main, main.incr1`, `no main.add2`,
//! `text: CALL runtime.deferreturn(SB)`, each optionally limited to some
//! panels (`386: a = 1`, `go1.21: ...`, `panel 2: ...`).
//!
//! A claim without a prefix must hold in every panel. A name matches a
//! word's label as drawn (`a`, `~r0`, `add2.a (spill)`, `return addr`),
//! the label qualified by its frame's function (`incr1.~r0`, with or without
//! `main.`), a part of a sub-word row (`x` of `x@0 v@1`), a register's name,
//! or a name a register holds. A value is compared as drawn, a stale word's
//! ` (stale)` included. A part of a heap object drawn with `heap = true`
//! answers to `heap#72.x`, and to `*p.x` through a word or register `p`
//! that points at the object's start (`*p` alone for an object of one
//! unnamed part, `*s.array[2]` for an element).

use gostack_diagram::{Caption, Row, RowKind, StackDiagram, Table, ascii};

use crate::Drawing;

/// One claim, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The claim as written.
    pub text: String,
    panels: Panels,
    what: What,
}

/// Which panels a claim speaks of.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Panels {
    All,
    /// `386:` / `amd64:`.
    Arch(String),
    /// `go1.21:`: a Go version, matched as a prefix of the caption's.
    Go(String),
    /// `panel 2:`, counted from 1.
    Nth(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum What {
    /// `name = value`.
    Value(String, String),
    /// `name at +16(SP)`.
    At(String, String),
    /// `frames: a, b`.
    Frames(Vec<String>),
    /// `no name`.
    Absent(String),
    /// `text: ...`.
    Text(String),
}

impl Claim {
    /// Reads a claim; the error says which forms there are.
    pub fn parse(text: &str) -> Result<Claim, String> {
        let text = text.trim();
        let mut rest = text;
        let mut panels = Panels::All;
        if let Some((head, tail)) = rest.split_once(':') {
            let head = head.trim();
            let sel = if head == "amd64" || head == "386" {
                Some(Panels::Arch(head.to_string()))
            } else if head.starts_with("go1") && !head.contains(' ') {
                Some(Panels::Go(head.to_string()))
            } else if let Some(n) = head.strip_prefix("panel ") {
                match n.trim().parse::<usize>() {
                    Ok(n) if n > 0 => Some(Panels::Nth(n)),
                    _ => {
                        return Err(format!(
                            "claim `{text}`: panels are counted from 1: `panel 1:`"
                        ));
                    }
                }
            } else {
                None
            };
            if let Some(sel) = sel {
                panels = sel;
                rest = tail.trim();
            }
        }
        let what = if let Some(list) = rest.strip_prefix("frames:") {
            What::Frames(
                list.split(',')
                    .map(|f| f.trim().to_string())
                    .filter(|f| !f.is_empty())
                    .collect(),
            )
        } else if let Some(s) = rest.strip_prefix("text:") {
            What::Text(s.trim().to_string())
        } else if let Some(name) = rest.strip_prefix("no ") {
            What::Absent(name.trim().to_string())
        } else if let Some((name, value)) = rest.split_once(" = ") {
            What::Value(name.trim().to_string(), value.trim().to_string())
        } else if let Some((name, at)) = rest.rsplit_once(" at ") {
            What::At(name.trim().to_string(), at.trim().to_string())
        } else {
            return Err(format!(
                "claim `{text}`: write `NAME = VALUE`, `NAME at +8(SP)`, `frames: F, G`, \
                 `no NAME` or `text: TEXT`, optionally after `amd64:`, `386:`, `go1.22:` or `panel 2:`"
            ));
        };
        let empty = match &what {
            What::Value(n, v) => n.is_empty() || v.is_empty(),
            What::At(n, a) => n.is_empty() || a.is_empty(),
            What::Frames(f) => f.is_empty(),
            What::Absent(n) | What::Text(n) => n.is_empty(),
        };
        if empty {
            return Err(format!("claim `{text}`: something is missing"));
        }
        Ok(Claim {
            text: text.to_string(),
            panels,
            what,
        })
    }
}

/// A claim that does not hold, with what the drawing shows instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The claim as written.
    pub claim: String,
    /// What the drawing shows, e.g. `~r0 = 0 (main.incr1 +8(SP))`.
    pub shows: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the text says `{}`; {}", self.claim, self.shows)
    }
}

/// One picture a claim can speak of.
struct Panel<'a> {
    caption: &'a Caption,
    stack: Option<&'a StackDiagram>,
    table: Option<&'a Table>,
    /// The whole drawing's text, for a step-through (whose steps are no panel).
    whole: Option<&'a str>,
}

impl Panel<'_> {
    fn text(&self) -> String {
        let mut text = String::new();
        if let Some(s) = self.stack {
            text += &ascii::render(&gostack_diagram::Figure {
                panels: vec![s.clone()],
            });
        }
        if let Some(t) = self.table {
            text += &ascii::table(t);
        }
        if let Some(w) = self.whole {
            text += w;
        }
        text
    }

    /// Where it is, for messages: `the 386 picture`.
    fn name(&self, n: usize, of: usize) -> String {
        if of == 1 {
            "the figure".into()
        } else {
            format!(
                "panel {} ({} {})",
                n + 1,
                self.caption.go_version,
                self.caption.goarch
            )
        }
    }
}

/// The claims of `claims` that `drawing` breaks, in order; an empty list
/// when every one holds. A claim that names panels the drawing does not have
/// is broken too.
pub fn check(claims: &[Claim], drawing: &Drawing) -> Vec<Broken> {
    let whole;
    let panels: Vec<Panel> = match drawing {
        Drawing::Figure(f) => f
            .panels
            .iter()
            .map(|p| Panel {
                caption: &p.caption,
                stack: Some(p),
                table: None,
                whole: None,
            })
            .collect(),
        Drawing::Tables(ts) => ts
            .iter()
            .map(|t| Panel {
                caption: &t.about,
                stack: None,
                table: Some(t),
                whole: None,
            })
            .collect(),
        Drawing::Steps { first, .. } => {
            whole = crate::render(drawing, crate::Format::Ascii, "claims");
            first
                .panels
                .iter()
                .map(|p| Panel {
                    caption: &p.caption,
                    stack: Some(p),
                    table: None,
                    whole: Some(&whole),
                })
                .collect()
        }
    };
    claims
        .iter()
        .filter_map(|c| {
            let chosen: Vec<(usize, &Panel)> = panels
                .iter()
                .enumerate()
                .filter(|(i, p)| match &c.panels {
                    Panels::All => true,
                    Panels::Arch(a) => &p.caption.goarch == a,
                    Panels::Go(v) => p.caption.go_version.starts_with(v.as_str()),
                    Panels::Nth(n) => i + 1 == *n,
                })
                .collect();
            if chosen.is_empty() {
                return Some(Broken {
                    claim: c.text.clone(),
                    shows: format!(
                        "the drawing has no such panel: its panels are {}",
                        panels
                            .iter()
                            .map(|p| format!("{} {}", p.caption.go_version, p.caption.goarch))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            let wrong: Vec<String> = chosen
                .iter()
                .filter_map(|(i, p)| {
                    holds(&c.what, p)
                        .err()
                        .map(|why| format!("{}: {why}", p.name(*i, panels.len())))
                })
                .collect();
            (!wrong.is_empty()).then(|| Broken {
                claim: c.text.clone(),
                shows: wrong.join("; "),
            })
        })
        .collect()
}

/// A name a word answers to, with the value it shows under that name and
/// where it is.
struct Named {
    names: Vec<String>,
    value: String,
    /// `main.incr1 +8(SP)`; none for a register.
    place: Option<String>,
    /// `+8(SP)` and `-96(BP)`.
    offsets: Vec<String>,
}

/// Everything in a stack picture that has a name.
fn named(d: &StackDiagram) -> Vec<Named> {
    let mut out = Vec::new();
    let mut add_row = |func: Option<&str>, row: &Row| {
        if row.kind == RowKind::Folded {
            return;
        }
        let label = match row.kind {
            RowKind::ReturnAddr => "return addr",
            RowKind::SavedBp => "saved BP",
            _ => row.label.as_str(),
        };
        if label.is_empty() {
            return;
        }
        let stale = if row.stale { " (stale)" } else { "" };
        let mut offsets = vec![format!("{:+}(SP)", row.sp_offset)];
        if let Some(bp) = row.bp_offset {
            offsets.push(format!("{bp:+}(BP)"));
        }
        let place = match func {
            Some(f) => format!("{f} {}", offsets[0]),
            None => format!("popped {}", offsets[0]),
        };
        // A sub-word row: `x@0 v@1` = `1 3`.
        let parts: Vec<&str> = label.split(' ').collect();
        let values: Vec<&str> = row.value.split(' ').collect();
        let pieces: Vec<(String, String)> =
            if parts.len() == values.len() && parts.iter().all(|p| p.contains('@')) {
                parts
                    .iter()
                    .zip(&values)
                    .map(|(p, v)| {
                        let name = p.split('@').next().unwrap_or(p);
                        (name.to_string(), format!("{v}{stale}"))
                    })
                    .collect()
            } else {
                vec![(label.to_string(), format!("{}{stale}", row.value))]
            };
        for (name, value) in pieces {
            let mut names = vec![name.clone()];
            if let Some(f) = func {
                names.push(format!("{f}.{name}"));
                if let Some(short) = f.strip_prefix("main.") {
                    names.push(format!("{short}.{name}"));
                }
            }
            out.push(Named {
                names,
                value,
                place: Some(place.clone()),
                offsets: offsets.clone(),
            });
        }
    };
    for frame in &d.frames {
        for row in &frame.rows {
            add_row(Some(&frame.func), row);
        }
    }
    for row in &d.dead {
        add_row(None, row);
    }
    // A register holds the innermost frame's variables by their own names
    // (`a`) and other functions' qualified (`add2.~r0`).
    let innermost = d.frames.last().map(|f| f.func.as_str());
    for reg in &d.registers {
        let mut names = vec![reg.name.clone()];
        for held in reg.holds.split(", ").filter(|h| !h.is_empty()) {
            names.push(held.to_string());
            if let Some(f) = innermost.filter(|_| !held.contains('.')) {
                names.push(format!("{f}.{held}"));
                names.push(format!("{}.{held}", without_main(f)));
            }
        }
        out.push(Named {
            names,
            value: reg.value.clone(),
            place: None,
            offsets: Vec::new(),
        });
    }
    // A heap object's parts: `heap#72.x`, and through each frame word or
    // register that points at its start, `*p.x` (`*p` for a part without a name).
    for (k, object) in d.heap.iter().enumerate() {
        let mut bases = vec![object.name.clone()];
        for (p, off) in d.pointers_to(k) {
            if off != 0 {
                continue;
            }
            match p {
                gostack_diagram::Pointer::Frame { frame, row } => {
                    let f = &d.frames[frame];
                    let label = &f.rows[row].label;
                    bases.push(format!("*{label}"));
                    bases.push(format!("*{}.{label}", without_main(&f.func)));
                }
                gostack_diagram::Pointer::Register(i) => {
                    let r = &d.registers[i];
                    bases.push(format!("*{}", r.name));
                    // A register that holds `&p` points at the variable `p`.
                    bases.extend(r.holds.split(", ").map(|h| match h.strip_prefix('&') {
                        Some(var) => var.to_string(),
                        None => format!("*{h}"),
                    }));
                }
                gostack_diagram::Pointer::Heap { .. } => {}
            }
        }
        for r in &object.rows {
            let names = bases
                .iter()
                .map(|b| {
                    if r.label.is_empty() {
                        b.clone()
                    } else if r.label.starts_with('[') {
                        format!("{b}{}", r.label)
                    } else {
                        format!("{b}.{}", r.label)
                    }
                })
                .collect();
            out.push(Named {
                names,
                value: r.value.clone(),
                place: Some(format!("{} +{:#x}", object.name, r.offset)),
                offsets: Vec::new(),
            });
        }
    }
    out
}

/// The frames a picture draws, top to bottom, folded callers left out (a
/// folded box begins with its fold, and may go on with the words of the
/// next frame's arguments that the callers hold).
fn frames(d: &StackDiagram) -> Vec<String> {
    d.frames
        .iter()
        .filter(|f| f.rows.first().is_some_and(|r| r.kind != RowKind::Folded))
        .map(|f| f.func.clone())
        .collect()
}

fn without_main(f: &str) -> &str {
    f.strip_prefix("main.").unwrap_or(f)
}

/// Whether `what` holds in `panel`; if not, what the panel shows instead.
fn holds(what: &What, panel: &Panel) -> Result<(), String> {
    if let What::Text(t) = what {
        return if panel.text().contains(t.as_str()) {
            Ok(())
        } else {
            Err(format!("its text does not contain `{t}`"))
        };
    }
    let Some(d) = panel.stack else {
        return Err("this view draws a table: only `text:` claims can be checked on it".into());
    };
    let all = named(d);
    fn called<'a>(all: &'a [Named], name: &'a str) -> impl Iterator<Item = &'a Named> + 'a {
        all.iter()
            .filter(move |n| n.names.iter().any(|m| m == name))
    }
    let shown = |name: &str| {
        let found: Vec<String> = called(&all, name)
            .map(|n| match &n.place {
                Some(place) => format!("{} = {} ({place})", n.names[0], n.value),
                None => format!("{} = {}", n.names[0], n.value),
            })
            .collect();
        if found.is_empty() {
            format!("nothing named `{name}` is drawn")
        } else {
            format!("it shows {}", found.join(", "))
        }
    };
    match what {
        What::Value(name, value) => {
            if called(&all, name).any(|n| &n.value == value) {
                Ok(())
            } else {
                Err(shown(name))
            }
        }
        What::At(name, at) => {
            if called(&all, name).any(|n| n.offsets.iter().any(|o| o == at)) {
                Ok(())
            } else {
                let found: Vec<String> = called(&all, name)
                    .map(|n| n.place.clone().unwrap_or_else(|| n.names[0].clone()))
                    .collect();
                Err(if found.is_empty() {
                    format!("nothing named `{name}` is drawn")
                } else {
                    format!("`{name}` is at {}", found.join(", "))
                })
            }
        }
        What::Frames(want) => {
            let got = frames(d);
            let same = got.len() == want.len()
                && got
                    .iter()
                    .zip(want)
                    .all(|(g, w)| without_main(g) == without_main(w));
            if same {
                Ok(())
            } else {
                Err(format!("its frames are {}", got.join(", ")))
            }
        }
        What::Absent(name) => {
            let frame = frames(d)
                .iter()
                .any(|f| f == name || without_main(f) == name);
            if frame {
                Err(format!("it draws a frame of `{name}`"))
            } else if called(&all, name).next().is_some() {
                Err(shown(name))
            } else {
                Ok(())
            }
        }
        What::Text(_) => unreachable!("handled above"),
    }
}

/// Reads every claim of a list; the first error, naming its claim.
pub fn parse_all(texts: &[String]) -> Result<Vec<Claim>, String> {
    texts.iter().map(|t| Claim::parse(t)).collect()
}
