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

use std::path::Path;

use gostack_mutants::{Alphabet, Failures, Rng, catch, lines, mutate};
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
    let mut failures = Failures::new();
    for n in 0..MUTANTS {
        // Half the mutants are whole chapters, half are block bodies.
        let seeds = if n % 2 == 0 { &chapters } else { &bodies };
        let mut text = seeds[rng.below(seeds.len())].clone();
        let mut edits = Vec::new();
        for _ in 0..1 + rng.below(4) {
            edits.push(mutate(&mut text, &chapters, &ALPHABET, &mut rng));
        }
        let text = text.concat();
        failures.record(n, &edits.join(", "), &text, check(&text));
    }
    failures.assert_none(&format!(
        "{} chapters and {} blocks",
        chapters.len(),
        bodies.len()
    ));
}

/// Reads `text` as a chapter and as a block body, catching a panic; checks
/// that every block found lies within the chapter and names one of its lines.
fn check(text: &str) -> Result<(), String> {
    let blocks = catch(|| {
        let _ = parse_spec(text);
        let blocks = find_blocks(text);
        for block in &blocks {
            let _ = parse_spec(&block.body);
        }
        blocks
    })?;
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

/// The book's mutations: the first five inserts are multibyte characters.
const ALPHABET: Alphabet = Alphabet {
    inserts: INSERTS,
    multibyte: 5,
    syntax: CUT_AT,
};
