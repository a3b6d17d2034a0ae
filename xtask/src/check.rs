//! `cargo xtask check`: redraws every diagram of the notes with the installed
//! Go and compares it with its committed copy, so a Go version that changes
//! a picture is noticed.

use gostack_listing::in_package_main;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use gostack_diagram::{Caption, Figure, RowKind};
use gostack_draw::Drawing;
use mdbook_driver::MDBook;
use mdbook_preprocessor::PreprocessorContext;
use similar::{ChangeTag, TextDiff};

use crate::project_root;

/// How a redrawn diagram differs from its committed copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    /// Only what the captions say (the Go version, the step number).
    Caption,
    /// The program's own frames and rows are the same, addresses aside:
    /// only runtime frames moved, or addresses did.
    RuntimeOrAddresses,
    /// The program's frames changed: a word moved, appeared, vanished, or
    /// changed name or value.
    Program,
}

/// What a drawing was made with: Go version, arch and flags of each
/// panel or table, as fields of the drawing.
fn made_with(d: &Drawing) -> String {
    let captions: Vec<&Caption> = match d {
        Drawing::Figure(f) => f.panels.iter().map(|p| &p.caption).collect(),
        Drawing::Steps { first, .. } => first.panels.iter().map(|p| &p.caption).collect(),
        Drawing::Tables(t) => t.iter().map(|t| &t.about).collect(),
    };
    let mut seen: Vec<String> = Vec::new();
    for c in captions {
        let flags = if c.flags.is_empty() {
            "optimised"
        } else {
            &c.flags
        };
        let one = format!("{} {} {flags}", c.go_version, c.goarch);
        if !seen.contains(&one) {
            seen.push(one);
        }
    }
    seen.join(", ")
}

/// The drawing as JSON with every caption taken out.
fn without_captions(d: &Drawing) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("caption");
                map.remove("about");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(d).unwrap_or_default();
    strip(&mut v);
    v
}

/// `text` with what a runtime change moves hidden: every hexadecimal
/// number of five digits or more (an address) written `0x?`, the numbers
/// of heap objects (`heap#3`, counted in order of appearance) written
/// `heap#?`, and offsets into runtime functions (`runtime.mallocgc+0x113`,
/// a value the runtime left in a word) written `runtime.mallocgc+?`.
fn hide_addresses(text: &str) -> String {
    let text = hide_hex(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = [rest.find("heap#"), rest.find("runtime.")]
        .into_iter()
        .flatten()
        .min()
    {
        let (marker, after) = if rest[i..].starts_with("heap#") {
            ("heap#", "?")
        } else {
            ("runtime.", "")
        };
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        if marker == "heap#" {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            out.push_str(after);
            rest = &rest[digits..];
        } else {
            let name = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            out.push_str(&rest[..name]);
            rest = &rest[name..];
            if let Some(offset) = rest.strip_prefix("+0x") {
                let digits = offset
                    .find(|c: char| !c.is_ascii_hexdigit())
                    .unwrap_or(offset.len());
                out.push_str("+?");
                rest = &offset[digits..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` with every hexadecimal number of five digits or more written `0x?`.
fn hide_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i]);
        let digits = rest[i + 2..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - i - 2);
        if digits >= 5 {
            out.push_str("0x?");
        } else {
            out.push_str(&rest[i..i + 2 + digits]);
        }
        rest = &rest[i + 2 + digits..];
    }
    out.push_str(rest);
    out
}

/// The program's own part of a drawing, addresses hidden: the frames of
/// package main, word by word (offset, name, value, kind; a return address
/// into the runtime only as such, a stale word's value not at all), the popped words, and the rows of tables
/// but for the runtime's. Registers are left out: besides arguments they
/// hold what the runtime left in them.
fn program_part(d: &Drawing) -> Vec<String> {
    let mut lines = Vec::new();
    let figure = |f: &Figure, lines: &mut Vec<String>| {
        for p in &f.panels {
            for frame in p.frames.iter().filter(|f| in_package_main(&f.func)) {
                lines.push(format!("frame {}", frame.func));
                for r in &frame.rows {
                    let value = match r.kind {
                        RowKind::ReturnAddr if !in_package_main(&r.value) => "(into the runtime)",
                        // What an earlier frame left is the runtime's business, not the program's.
                        _ if r.stale => "(stale)",
                        _ => r.value.as_str(),
                    };
                    lines.push(hide_addresses(&format!(
                        "  {:+} {} = {value} ({:?})",
                        r.sp_offset, r.label, r.kind
                    )));
                }
            }
            for r in &p.dead {
                lines.push(hide_addresses(&format!(
                    "  popped {:+} {} = {}",
                    r.sp_offset, r.label, r.value
                )));
            }
            for o in &p.heap {
                lines.push(hide_addresses(&format!(
                    "heap {}, {} bytes",
                    o.type_name, o.size
                )));
                for r in &o.rows {
                    lines.push(hide_addresses(&format!(
                        "  +{:#x} {} = {}",
                        r.offset, r.label, r.value
                    )));
                }
            }
        }
    };
    match d {
        Drawing::Figure(f) => figure(f, &mut lines),
        Drawing::Steps { steps, first } => {
            figure(first, &mut lines);
            for s in steps {
                for (d, p) in s.steps.iter().zip(gostack_diagram::steps::pictures(s)) {
                    let at = d.row.map_or(d.at.as_str(), |r| s.listing[r].at.as_str());
                    lines.push(hide_addresses(&format!("step {at}")));
                    let rows = p
                        .frames
                        .iter()
                        .filter(|(func, _)| in_package_main(func))
                        .flat_map(|(func, rows)| rows.iter().map(move |r| (func.as_str(), r)))
                        .chain(p.dead.iter().map(|r| ("popped", r)));
                    for (func, r) in rows {
                        lines.push(hide_addresses(&format!(
                            "  {func} {} {}",
                            r.offsets,
                            program_text(r)
                        )));
                    }
                }
            }
        }
        Drawing::Tables(tables) => {
            for t in tables {
                // A trace's step numbers count from the run's start: count
                // them from the table's first row instead.
                let first: Option<usize> = t
                    .rows
                    .first()
                    .and_then(|r| r.cells.first())
                    .and_then(|c| c.split('-').next()?.parse().ok());
                for r in t
                    .rows
                    .iter()
                    .filter(|r| !r.cells.iter().any(|c| c.contains("in the runtime:")))
                {
                    let mut cells = r.cells.clone();
                    if let (Some(first), Some(step)) =
                        (first, cells.first().and_then(|c| c.parse::<usize>().ok()))
                    {
                        cells[0] = format!("+{}", step - first.min(step));
                    }
                    lines.push(hide_addresses(&cells.join(" | ")));
                }
            }
        }
    }
    lines
}

/// A step-through row as the program's part: a return address into the
/// runtime only as such, a stale word without its value.
fn program_text(r: &gostack_diagram::steps::PictureRow) -> String {
    match r.text.strip_prefix("return addr -> ") {
        Some(to) if !in_package_main(to) => "return addr -> (into the runtime)".into(),
        _ if r.text.ends_with(" (stale)") => {
            let name = r.text.split_once(" = ").map_or("", |(name, _)| name);
            format!("{name} (stale)")
        }
        _ => r.text.clone(),
    }
}

/// How `new` differs from `old`, which it does.
fn classify(old: &Drawing, new: &Drawing) -> Change {
    if without_captions(old) == without_captions(new) {
        Change::Caption
    } else if program_part(old) == program_part(new) {
        Change::RuntimeOrAddresses
    } else {
        Change::Program
    }
}

/// The text form of a drawing, for diffs: as `--format ascii` shows it.
fn text(d: &Drawing) -> String {
    gostack_draw::render(d, gostack_draw::Format::Ascii, "check")
}

/// Compares (or, with `bless`, records) every diagram, drawn with the
/// installed Go or with `go_version` (fetched once), and checks each block's
/// claims against it: first the claims that break, then each changed
/// diagram in a line (with its text's diff when a claim broke, or with
/// `diff`); true when nothing drifted and every claim holds.
pub(crate) fn run(bless: bool, diff: bool, go_version: Option<&str>) -> Result<bool> {
    let root = project_root().join("book");
    let book =
        MDBook::load(&root).with_context(|| format!("loading the book in {}", root.display()))?;
    let ctx = PreprocessorContext::new(root.clone(), book.config.clone(), "html".into());
    let settings = mdbook_gostack::Settings::from_context(&ctx)?;
    let Some(go) = mdbook_gostack::find_go(&settings)? else {
        bail!("no Go found: install Go (or set GOSTACK_GO) to redraw the diagrams");
    };
    let go = match go_version {
        Some(v) => go.fetch(v, &|message| eprintln!("{message}"))?,
        None => go,
    };
    let cache = gostack_toolchain::Cache::new(&settings.cache_dir);
    let jobs = mdbook_gostack::jobs(&book.book);
    eprintln!(
        "redrawing {} diagrams with {} ...",
        jobs.len(),
        go.version()
    );
    let drawings = mdbook_gostack::draw_all(&jobs, &settings, Some(&go), &cache);
    let mut counts = [0usize; 3];
    let mut missing = 0;
    let mut undrawable = 0;
    // What the notes say that this Go breaks comes first; changes follow.
    let (mut claims_out, mut changes_out) = (Vec::new(), Vec::new());
    let (mut broken_claims, mut breaking) = (0, 0);
    std::fs::create_dir_all(&settings.diagrams)?;
    for (job, drawing) in jobs.iter().zip(drawings) {
        // A moment of one Go version (an offset such as `walk+0x7a`) may not
        // happen under another: that diagram changed most of all.
        let new = match drawing {
            Ok(new) => new,
            Err(e) if !bless => {
                let place = job.place();
                let why = format!("{e:#}");
                let why = why.strip_prefix(&format!("{place}: ")).unwrap_or(&why);
                changes_out.push(format!(
                    "{place}: cannot be drawn with {}: {why}",
                    go.version()
                ));
                undrawable += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        let broken = mdbook_gostack::broken_claims(job, &new)?;
        if !broken.is_empty() {
            breaking += 1;
            broken_claims += broken.len();
            for b in &broken {
                claims_out.push(format!("{}: under {}, {b}", job.place(), made_with(&new)));
            }
        }
        let path = mdbook_gostack::copy_path(job, &settings);
        let json = serde_json::to_string_pretty(&new)? + "\n";
        if bless {
            if !broken.is_empty() {
                let lines: Vec<String> = broken.iter().map(|b| format!("  {b}")).collect();
                bail!(
                    "{}: {} claims of its `expect` do not hold; nothing recorded:\n{}",
                    job.place(),
                    broken.len(),
                    lines.join("\n")
                );
            }
            std::fs::write(&path, &json).with_context(|| format!("writing {}", path.display()))?;
            continue;
        }
        let Ok(old_json) = std::fs::read_to_string(&path) else {
            changes_out.push(format!(
                "{}: no committed copy at {} (run `cargo xtask check --bless`)",
                job.place(),
                path.display()
            ));
            missing += 1;
            continue;
        };
        if old_json == json {
            continue;
        }
        let old: Drawing = serde_json::from_str(&old_json)
            .with_context(|| format!("reading {}", path.display()))?;
        let change = classify(&old, &new);
        counts[change as usize] += 1;
        let what = match change {
            Change::Program => "the program's frames changed",
            Change::RuntimeOrAddresses => "only runtime frames or addresses changed",
            Change::Caption => "only the caption changed",
        };
        let read = match (change, broken.len()) {
            (Change::Program, 0) => ": no claim of the text reads what changed",
            (Change::Program, _) => ": the claims above break",
            _ => "",
        };
        changes_out.push(format!(
            "{}: {what} ({} -> {}){read}",
            job.place(),
            made_with(&old),
            made_with(&new)
        ));
        if change == Change::Program && (diff || !broken.is_empty()) {
            let (a, b) = (text(&old), text(&new));
            for change in TextDiff::from_lines(&a, &b).iter_all_changes() {
                let sign = match change.tag() {
                    ChangeTag::Delete => "-",
                    ChangeTag::Insert => "+",
                    ChangeTag::Equal => continue,
                };
                changes_out.push(format!("  {sign} {}", change.to_string().trim_end()));
            }
        }
    }
    if !claims_out.is_empty() {
        println!(
            "{broken_claims} claims of the text do not hold under {}:",
            go.version()
        );
        for line in &claims_out {
            println!("{line}");
        }
        println!();
    }
    for line in &changes_out {
        println!("{line}");
    }
    // Copies of blocks that are gone (a chapter lost a block or was renamed).
    let drawn: Vec<PathBuf> = jobs
        .iter()
        .map(|job| mdbook_gostack::copy_path(job, &settings))
        .collect();
    let stale = stale_copies(&settings.diagrams, &drawn)?;
    if bless {
        for path in &stale {
            std::fs::remove_file(path).with_context(|| format!("removing {}", path.display()))?;
            eprintln!("removed {}: no block draws it", path.display());
        }
        eprintln!(
            "recorded {} diagrams in {}",
            jobs.len(),
            settings.diagrams.display()
        );
        return Ok(true);
    }
    for path in &stale {
        println!(
            "{}: a copy that no block draws any more (run `cargo xtask check --bless` to remove it)",
            path.strip_prefix(&root).unwrap_or(path).display()
        );
    }
    let [caption, runtime, program] = counts;
    let drifted = caption + runtime + program + undrawable;
    println!(
        "{} diagrams: {broken_claims} claims broken in {breaking}, {} unchanged, {undrawable} that cannot be drawn, {program} with the program's frames changed, {runtime} with only runtime frames or addresses changed, {caption} with only the caption changed, {} no longer drawn, {missing} without a copy",
        jobs.len(),
        jobs.len() - drifted - missing,
        stale.len()
    );
    Ok(drifted == 0 && missing == 0 && stale.is_empty() && broken_claims == 0)
}

/// The diagram copies (`*.json`) in `dir` that are not among `drawn`, sorted.
fn stale_copies(dir: &Path, drawn: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") && !drawn.contains(&path) {
            stale.push(path);
        }
    }
    stale.sort();
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_no_block_draws_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("defer-3.json");
        let gone = dir.path().join("defer-4.json");
        for path in [&kept, &gone, &dir.path().join("notes.txt")] {
            std::fs::write(path, "{}").unwrap();
        }
        assert_eq!(stale_copies(dir.path(), &[kept]).unwrap(), [gone]);
    }

    #[test]
    fn addresses_are_hidden_and_small_numbers_kept() {
        assert_eq!(
            hide_addresses("main.add1+0x2e (0xc000012345) = 0x10, 0xce715f68e88"),
            "main.add1+0x2e (0x?) = 0x10, 0x?"
        );
        assert_eq!(hide_addresses("0x"), "0x");
        assert_eq!(
            hide_addresses("heap#12 &runtime.m0 runtime.mallocgc+0x113 main.f+0x1a heap#"),
            "heap#? &runtime.m0 runtime.mallocgc+? main.f+0x1a heap#?"
        );
    }
}
