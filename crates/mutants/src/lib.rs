//! Deterministic mutants of real text, for the tests that hold a parser to
//! its promise of never panicking: a seeded generator, line mutations over
//! an alphabet of the format's own syntax, and a quiet catch of panics.
//!
//! The listing parser's and the block parser's mutation tests share it; it
//! is a dev-dependency only.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::panic;
use std::sync::Once;
use std::time::Instant;

/// SplitMix64: small, seeded, the same sequence on every machine.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next number of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must not be zero.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// What a format's mutations insert and where they cut.
#[derive(Debug, Clone, Copy)]
pub struct Alphabet {
    /// Texts to insert; the first `multibyte` of them are multibyte characters.
    pub inserts: &'static [&'static str],
    /// How many of `inserts`, from the first, are multibyte characters.
    pub multibyte: usize,
    /// Characters of the format's syntax to cut after, or to put a
    /// multibyte character right after.
    pub syntax: &'static [char],
}

/// Applies one mutation to `lines` (line endings kept in each): a bit flip,
/// a cut, an insertion, a multibyte character after syntax, deleted bytes,
/// a deleted, duplicated or spliced line (from `corpus`); returns its name.
pub fn mutate(
    lines: &mut Vec<String>,
    corpus: &[Vec<String>],
    alphabet: &Alphabet,
    rng: &mut Rng,
) -> &'static str {
    if lines.is_empty() {
        lines.push(String::new());
    }
    let i = rng.below(lines.len());
    let line = &mut lines[i];
    let syntax = alphabet.syntax;
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
            let c = syntax[rng.below(syntax.len())];
            let places: Vec<usize> = line.match_indices(c).map(|(k, _)| k).collect();
            if let Some(&k) = places.get(rng.below(places.len().max(1))) {
                line.truncate(k + c.len_utf8() * rng.below(2));
            }
            "cut at a character"
        }
        3 | 4 => {
            let insert = alphabet.inserts[rng.below(alphabet.inserts.len())];
            let at = boundary(line, rng.below(line.len() + 1));
            line.insert_str(at, insert);
            "insertion"
        }
        5 => {
            // A multibyte character right after a piece of syntax, replacing what followed.
            let c = syntax[rng.below(syntax.len())];
            let places: Vec<usize> = line.match_indices(c).map(|(k, _)| k).collect();
            if let Some(&k) = places.get(rng.below(places.len().max(1))) {
                let after = k + c.len_utf8();
                let end = boundary(line, after + rng.below(4));
                line.replace_range(after..end, alphabet.inserts[rng.below(alphabet.multibyte)]);
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
            let other = &corpus[rng.below(corpus.len())];
            let spliced = other[rng.below(other.len())].clone();
            lines.insert(rng.below(lines.len() + 1), spliced);
            "spliced line"
        }
    }
}

/// The char boundary at or before `at`, within `s`.
pub fn boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `text` split into lines, each with its line ending.
pub fn lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_string).collect()
}

/// Runs `f`, turning a panic into `Err("panicked at <file>:<line>: <message>")`;
/// a panic caught here is recorded, not printed, so thousands of them stay
/// readable, and panics elsewhere print as usual.
pub fn catch<T>(f: impl FnOnce() -> T + panic::UnwindSafe) -> Result<T, String> {
    install_quiet_hook();
    QUIET.with(|q| q.set(true));
    let result = panic::catch_unwind(f);
    QUIET.with(|q| q.set(false));
    result.map_err(|_| format!("panicked at {}", LAST_PANIC.with(|p| p.borrow().clone())))
}

/// The mutants that failed, counted by where they failed.
#[derive(Debug)]
pub struct Failures {
    started: Instant,
    tried: usize,
    list: Vec<String>,
    places: BTreeMap<String, usize>,
}

impl Default for Failures {
    fn default() -> Failures {
        Failures::new()
    }
}

impl Failures {
    /// None yet; the clock starts now.
    pub fn new() -> Failures {
        Failures {
            started: Instant::now(),
            tried: 0,
            list: Vec::new(),
            places: BTreeMap::new(),
        }
    }

    /// Counts mutant `n` (made by `edits`) with what checking `text` gave.
    pub fn record(&mut self, n: usize, edits: &str, text: &str, checked: Result<(), String>) {
        self.tried += 1;
        if let Err(failure) = checked {
            let place = failure.split(": ").next().unwrap_or_default().to_string();
            *self.places.entry(place).or_insert(0) += 1;
            self.list
                .push(format!("mutant {n} ({edits}): {failure}\n{text:?}"));
        }
    }

    /// Says how the run went (`of` names what was mutated) and fails,
    /// showing the first few, if any mutant failed.
    pub fn assert_none(&self, of: &str) {
        let (tried, places) = (self.tried, &self.places);
        eprintln!(
            "{tried} mutants of {of} in {:.1?}: {} failures {places:?}",
            self.started.elapsed(),
            self.list.len()
        );
        assert!(
            self.list.is_empty(),
            "{} of {tried} mutants failed ({places:?}); the first ones:\n{}",
            self.list.len(),
            self.list[..self.list.len().min(5)].join("\n\n")
        );
    }
}

thread_local! {
    /// Whether a panic on this thread is expected and caught: recorded, not printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic on this thread happened, recorded by the quiet hook.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_makes_the_same_mutants() {
        const ALPHABET: Alphabet = Alphabet {
            inserts: &["é", "$", ","],
            multibyte: 1,
            syntax: &['$', ','],
        };
        let corpus = vec![lines("a, $1\nb, $2\n"), lines("c\n")];
        let run = |seed| {
            let mut rng = Rng(seed);
            let mut lines = corpus[0].clone();
            let names: Vec<&str> = (0..50)
                .map(|_| mutate(&mut lines, &corpus, &ALPHABET, &mut rng))
                .collect();
            (lines.concat(), names)
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert_eq!(boundary("aé", 2), 1);
        assert!(catch(|| panic!("caught")).unwrap_err().contains("caught"));
        assert_eq!(catch(|| 3), Ok(3));
    }
}
