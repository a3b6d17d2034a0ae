//! The notes in `book/` themselves: every chapter of the summary is there,
//! the prose around the figures is long enough to teach, and every figure
//! states the claims its prose reads off it (which the build checks).

use std::path::{Path, PathBuf};

use mdbook_gostack::{find_blocks, parse_spec};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/src")
}

/// The chapters the summary lists, in order.
fn chapters() -> Vec<String> {
    let summary = std::fs::read_to_string(src().join("SUMMARY.md")).unwrap();
    summary
        .lines()
        .filter_map(|l| {
            let start = l.find("](")? + 2;
            let end = start + l[start..].find(')')?;
            Some(l[start..end].to_string())
        })
        .collect()
}

/// The Chinese characters of `markdown` outside fenced blocks.
fn prose_chars(markdown: &str) -> usize {
    let mut fenced = false;
    let mut n = 0;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            n += line
                .chars()
                .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                .count();
        }
    }
    n
}

#[test]
fn the_notes_explain_at_length() {
    let chapters = chapters();
    assert!(chapters.len() >= 17, "{chapters:?}");
    let mut total = 0;
    let mut short = Vec::new();
    for c in &chapters {
        let text = std::fs::read_to_string(src().join(c))
            .unwrap_or_else(|e| panic!("{c}: listed in SUMMARY.md: {e}"));
        let n = prose_chars(&text);
        if n < 800 {
            short.push(format!("{c}: {n}"));
        }
        total += n;
    }
    assert!(
        short.is_empty(),
        "chapters under 800 characters of prose: {short:?}"
    );
    assert!(total >= 24_000, "{total} characters of prose");
}

#[test]
fn the_counting_skips_fenced_blocks() {
    assert_eq!(prose_chars("栈帧\n```text\n返回地址\n```\n寄存器 AX\n"), 5);
}

#[test]
fn every_figure_of_the_notes_states_its_claims() {
    let mut without = Vec::new();
    let mut figures = 0;
    for c in chapters() {
        let text = std::fs::read_to_string(src().join(&c)).unwrap();
        for block in find_blocks(&text) {
            figures += 1;
            let spec =
                parse_spec(&block.body).unwrap_or_else(|e| panic!("src/{c}:{}: {e}", block.line));
            if spec.expect.is_empty() {
                without.push(format!("src/{c}:{}", block.line));
            }
        }
    }
    assert!(figures >= 100, "{figures} figures");
    assert!(without.is_empty(), "figures without `expect`: {without:?}");
}
