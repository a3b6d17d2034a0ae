//! A cached listing damaged on disk is compiled again, not handed on.

use std::fs;
use std::path::PathBuf;

use gostack_toolchain::{Arch, Cache, CompileRequest, Go, build, compile};
use tempfile::TempDir;

const PROGRAM: &str = "package main

func add(a, b int) int { return a + b }

func main() { println(add(1, 2)) }
";

/// The one cached listing under `dir`.
fn cached_listing(dir: &TempDir) -> PathBuf {
    let listings: Vec<PathBuf> = fs::read_dir(dir.path().join("listings"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "s"))
        .collect();
    assert_eq!(listings.len(), 1, "{listings:?}");
    listings.into_iter().next().unwrap()
}

#[test]
fn a_damaged_cached_listing_is_rebuilt() {
    let go = Go::find().unwrap_or_else(|err| panic!("the tests need Go: {err}"));
    let dir = TempDir::new().unwrap();
    let cache = Cache::new(dir.path());
    let request = CompileRequest::new(PROGRAM, Arch::Amd64);
    let first = build(&go, &request, &cache).unwrap();
    assert!(!first.compiled.cache_hit);
    assert!(build(&go, &request, &cache).unwrap().compiled.cache_hit);

    // The damage the listing parser once panicked on, then a file cut short.
    let path = cached_listing(&dir);
    let good = fs::read_to_string(&path).unwrap();
    let text_line_end = good.find(", $").unwrap() + ", $".len();
    let damaged = [
        format!("{}\u{e9}{}", &good[..text_line_end], &good[text_line_end..]),
        good[..good.len() / 2].to_string(),
    ];
    for text in damaged {
        fs::write(&path, &text).unwrap();
        let again = build(&go, &request, &cache).unwrap();
        assert!(!again.compiled.cache_hit, "a damaged listing was used");
        assert_eq!(again.compiled.listing, good);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            good,
            "the file was not replaced"
        );

        fs::write(&path, &text).unwrap();
        let compiled = compile(&go, &request, &cache).unwrap();
        assert!(!compiled.cache_hit, "a damaged listing was used");
        assert_eq!(compiled.listing, good);
    }
    assert!(build(&go, &request, &cache).unwrap().compiled.cache_hit);
}
