//! The parser never panics: real listings from `test_data/listings`, mutated
//! deterministically, and every input a fuzz target ever crashed on.
//!
//! Each mutant is a window of lines of one real listing with a few edits:
//! byte flips, truncation after each kind of character, insertion of
//! multibyte characters, `$`, `,`, digits and long numbers, deleted,
//! duplicated and swapped lines, lines spliced in from other listings.
//! A seeded generator picks them, so every run tries the same mutants.

use std::path::{Path, PathBuf};

use gostack_listing::parse;
use gostack_mutants::{Alphabet, Failures, Rng, catch, lines, mutate};

/// How many mutants one run parses: about five seconds in a debug build.
const MUTANTS: usize = 60_000;

#[test]
fn mutated_listings_never_panic() {
    let corpus = corpus();
    let mut rng = Rng(0x5eed_6057_ac4b_1157);
    let mut failures = Failures::new();
    for n in 0..MUTANTS {
        let (text, edits) = mutant(&corpus, &mut rng);
        failures.record(n, &edits, &text, check(&text));
    }
    failures.assert_none(&format!("{} listings", corpus.len()));
}

/// Inputs that once made the parser panic, each with the lines it must
/// report as diagnostics: the mutation test and the fuzz targets found them.
const REGRESSIONS: &[(&str, &[u32])] = &[
    // A TEXT line cut after `, $`: the frame was sliced from an empty string.
    (
        "main.f STEXT size=1 args=0x0 locals=0x0\n\t0x0000 00000 (main.go:3)\tTEXT\tmain.f(SB), ABIInternal, $\n",
        &[2],
    ),
    // A multibyte character right after `$`: sliced inside the character.
    (
        "main.f STEXT size=1 args=0x0 locals=0x0\n\t0x0000 00000 (main.go:3)\tTEXT\tmain.f(SB), ABIInternal, $é-8\n",
        &[2],
    ),
    (
        "main.f STEXT size=1\n\t0x0000 00000 (main.go:3)\tTEXT\tmain.f(SB), $€\n\t0x0000 c3    .\n",
        &[2],
    ),
    // The listing fuzz target's first crash: bytes that are not UTF-8 after `$`, read lossily.
    (
        "main.add1 STEXT size=55 args=0x8 locals=0x8 funcid=0x0 align=0x0\n\t0x0000 00000 (main.go:11)\tTEXT\tmain.add1(SB), ABIInternal, $\u{fffd}\u{fffd}\u{fffd}48-8\n",
        &[2],
    ),
];

#[test]
fn inputs_that_once_panicked_give_diagnostics() {
    for (text, lines) in REGRESSIONS {
        if let Err(failure) = check(text) {
            panic!("{text:?}: {failure}");
        }
        let found: Vec<u32> = parse(text).diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(&found, lines, "{text:?}");
    }
}

/// Parses `text`, catching a panic; checks that every diagnostic names a line of the input.
fn check(text: &str) -> Result<(), String> {
    let parsed = catch(|| parse(text))?;
    let lines = text.lines().count();
    for d in &parsed.diagnostics {
        if d.line == 0 || d.line as usize > lines {
            return Err(format!(
                "diagnostic on line {} of {lines}: {}",
                d.line, d.message
            ));
        }
    }
    for sym in &parsed.listing.symbols {
        if sym.line == 0 || sym.line as usize > lines {
            return Err(format!(
                "symbol {:?} on line {} of {lines}",
                sym.name, sym.line
            ));
        }
    }
    Ok(())
}

/// Every real listing, split into lines (line endings kept).
fn corpus() -> Vec<Vec<String>> {
    let mut files = Vec::new();
    collect(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test_data/listings"),
        &mut files,
    );
    files.sort();
    assert!(files.len() >= 200, "the real listings are missing");
    files
        .iter()
        .map(|file| lines(&std::fs::read_to_string(file).unwrap()))
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "s") {
            files.push(path);
        }
    }
}

/// What mutations insert: multibyte characters, the listing's own punctuation,
/// digits and numbers too large for any integer type.
const INSERTS: &[&str] = &[
    "é",
    "€",
    "𝄞",
    "\u{fffd}",
    "\u{0301}",
    "$",
    ",",
    ", $",
    "$-",
    "-",
    "+",
    "0",
    "7",
    "0x",
    "0xffffffffffffffffff",
    "99999999999999999999",
    "-9223372036854775809",
    "(",
    ")",
    ")\t",
    "\t",
    " ",
    "=",
    ":",
    "(SP)",
    "(FP)",
    "rel ",
    "t=",
    "|",
    "\r",
    "\n",
    "\t0x",
    " STEXT ",
    "size=",
];

/// Characters after (or before) which a line is cut.
const CUT_AFTER: &[char] = &[
    '$', ',', ' ', '\t', '-', '+', '(', ')', ':', '=', 'x', '|', '.', '0',
];

/// The listing's mutations: the first four inserts are multibyte characters.
const ALPHABET: Alphabet = Alphabet {
    inserts: INSERTS,
    multibyte: 4,
    syntax: CUT_AFTER,
};

/// A window of one listing with one to four mutations, and what they were.
fn mutant(corpus: &[Vec<String>], rng: &mut Rng) -> (String, String) {
    let file = &corpus[rng.below(corpus.len())];
    let len = if rng.below(2) == 0 {
        1 + rng.below(8)
    } else {
        1 + rng.below(64)
    };
    // Windows start on a symbol header half of the time, so a function's TEXT line is often in them.
    let mut start = rng.below(file.len());
    if rng.below(2) == 0 {
        while start > 0 && file[start].starts_with('\t') {
            start -= 1;
        }
    }
    let mut lines: Vec<String> = file[start..(start + len).min(file.len())].to_vec();
    let mut edits = Vec::new();
    for _ in 0..1 + rng.below(4) {
        edits.push(mutate(&mut lines, corpus, &ALPHABET, rng));
    }
    (lines.concat(), edits.join(", "))
}
