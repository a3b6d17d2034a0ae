//! The block parser never panics: the book's chapters and their `gostack`
//! blocks, mutated deterministically, and every input a fuzz target ever
//! crashed on.
//!
//! Each mutant is a chapter of `book/src` (read with `find_blocks`, then every
//! block with `parse_spec`) or one block's body (read with `parse_spec`), with
//! a few edits: byte flips, cuts after each kind of character, insertions of
//! multibyte characters and of TOML and Markdown syntax, deleted, duplicated
//! and swapped lines, lines spliced in from other chapters. A seeded generator
//! picks them, so every run tries the same mutants.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::panic;
use std::path::Path;
use std::sync::Once;
use std::time::Instant;

use mdbook_gostack::{find_blocks, parse_spec};

/// How many mutants one run reads: a few seconds in a debug build.
const MUTANTS: usize = 20_000;

#[test]
fn mutated_chapters_and_blocks_never_panic() {
    let chapters = chapters();
    let bodies: Vec<Vec<String>> = chapters
        .iter()
        .flat_map(|chapter| find_blocks(&chapter.concat()))
        .map(|block| lines(&block.body))
        .collect();
    assert!(bodies.len() >= 10, "the book's blocks are missing");
    let mut rng = Rng(0xb10c_6057_ac4b_1157);
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut places = BTreeMap::new();
    for n in 0..MUTANTS {
        // Half the mutants are whole chapters, half are block bodies.
        let seeds = if n % 2 == 0 { &chapters } else { &bodies };
        let mut text = seeds[rng.below(seeds.len())].clone();
        let mut edits = Vec::new();
        for _ in 0..1 + rng.below(4) {
            edits.push(mutate(&mut text, &chapters, &mut rng));
        }
        let text = text.concat();
        if let Err(failure) = check(&text) {
            let place = failure.split(": ").next().unwrap_or_default().to_string();
            *places.entry(place).or_insert(0) += 1;
            failures.push(format!(
                "mutant {n} ({}): {failure}\n{text:?}",
                edits.join(", ")
            ));
        }
    }
    eprintln!(
        "{MUTANTS} mutants of {} chapters and {} blocks in {:.1?}: {} failures {places:?}",
        chapters.len(),
        bodies.len(),
        started.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {MUTANTS} mutants failed ({places:?}); the first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(5)].join("\n\n")
    );
}

/// Reads `text` as a chapter and as a block body, catching a panic; checks
/// that every block found lies within the chapter and names one of its lines.
fn check(text: &str) -> Result<(), String> {
    install_quiet_hook();
    QUIET.with(|q| q.set(true));
    let read = panic::catch_unwind(|| {
        let _ = parse_spec(text);
        let blocks = find_blocks(text);
        for block in &blocks {
            let _ = parse_spec(&block.body);
        }
        blocks
    });
    QUIET.with(|q| q.set(false));
    let blocks =
        read.map_err(|_| format!("panicked at {}", LAST_PANIC.with(|p| p.borrow().clone())))?;
    let lines = text.lines().count().max(1);
    for block in &blocks {
        let range = &block.range;
        if range.start > range.end || text.get(range.clone()).is_none() {
            return Err(format!("block range {range:?} of {} bytes", text.len()));
        }
        if block.line == 0 || block.line > lines {
            return Err(format!("block on line {} of {lines}", block.line));
        }
    }
    Ok(())
}

thread_local! {
    /// Whether a panic on this thread is expected and caught: recorded, not printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic on this thread happened, recorded by the quiet hook.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Wraps the panic hook: a panic inside [`check`] is recorded instead of
/// printed, so thousands of caught panics stay readable; others print as usual.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let print = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                return print(info);
            }
            let place = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = format!("{place}: {message}"));
        }));
    });
}

/// Every chapter of the book, split into lines (line endings kept).
fn chapters() -> Vec<Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/src");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| lines(&std::fs::read_to_string(file).unwrap()))
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_string).collect()
}

/// What mutations insert: multibyte characters, TOML and Markdown syntax,
/// numbers too large for any integer type.
const INSERTS: &[&str] = &[
    "é",
    "€",
    "𝄞",
    "\u{fffd}",
    "\u{0301}",
    "\"",
    "\"\"\"",
    "'",
    "'''",
    "\\",
    "\\u",
    "\\U0010ffff",
    "\\ud800",
    "=",
    " = ",
    "[",
    "]",
    "[[x]]",
    "{",
    "}",
    ",",
    ".",
    "#",
    "-",
    "+",
    "0",
    "99999999999999999999",
    "-9223372036854775809",
    "1e999",
    "inf",
    "nan",
    "1979-05-27T07:32:00Z",
    "nth = 0\n",
    "arch = []\n",
    "\t",
    " ",
    "\r",
    "\n",
    "```",
    "```gostack\n",
    "~~~",
    "    ",
    "> ",
    "- ",
    "1. ",
    "<!--",
    "|",
    "*",
    "`",
];

/// Characters after (or before) which a line is cut.
const CUT_AT: &[char] = &['"', '\'', '=', '[', ']', ',', '`', ' ', '\\', '#', '>', '-'];

/// Applies one mutation to `lines`; returns its name.
fn mutate(lines: &mut Vec<String>, chapters: &[Vec<String>], rng: &mut Rng) -> &'static str {
    if lines.is_empty() {
        lines.push(String::new());
    }
    let i = rng.below(lines.len());
    let line = &mut lines[i];
    match rng.below(10) {
        0 => {
            // Flip one bit of one byte; invalid UTF-8 becomes U+FFFD, as a lossy read would make it.
            let mut bytes = std::mem::take(line).into_bytes();
            if !bytes.is_empty() {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
            *line = String::from_utf8_lossy(&bytes).into_owned();
            "bit flip"
        }
        1 => {
            let at = boundary(line, rng.below(line.len() + 1));
            line.truncate(at);
            "cut anywhere"
        }
        2 => {
            let c = CUT_AT[rng.below(CUT_AT.len())];
            let places: Vec<usize> = line.match_indices(c).map(|(k, _)| k).collect();
            if let Some(&k) = places.get(rng.below(places.len().max(1))) {
                line.truncate(k + c.len_utf8() * rng.below(2));
            }
            "cut at a character"
        }
        3 | 4 => {
            let insert = INSERTS[rng.below(INSERTS.len())];
            let at = boundary(line, rng.below(line.len() + 1));
            line.insert_str(at, insert);
            "insertion"
        }
        5 => {
            // Put a multibyte character right after a piece of syntax, replacing what followed.
            let c = CUT_AT[rng.below(CUT_AT.len())];
            let places: Vec<usize> = line.match_indices(c).map(|(k, _)| k).collect();
            if let Some(&k) = places.get(rng.below(places.len().max(1))) {
                let after = k + c.len_utf8();
                let end = boundary(line, after + rng.below(4));
                line.replace_range(after..end, INSERTS[rng.below(5)]);
            }
            "multibyte after syntax"
        }
        6 => {
            let from = boundary(line, rng.below(line.len() + 1));
            let to = boundary(line, from + rng.below(12));
            line.replace_range(from..to, "");
            "deleted bytes"
        }
        7 => {
            lines.remove(i);
            "deleted line"
        }
        8 => {
            let copy = line.clone();
            lines.insert(rng.below(lines.len() + 1), copy);
            "duplicated line"
        }
        _ => {
            let other = &chapters[rng.below(chapters.len())];
            let spliced = other[rng.below(other.len())].clone();
            lines.insert(rng.below(lines.len() + 1), spliced);
            "spliced line"
        }
    }
}

/// The char boundary at or before `at`, within `s`.
fn boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// SplitMix64: small, seeded, the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must not be zero.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
