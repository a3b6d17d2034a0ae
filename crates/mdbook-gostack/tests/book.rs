//! Fixture books built through the real mdBook driver with the preprocessor in process.

use std::path::{Path, PathBuf};

use mdbook_driver::MDBook;
use tempfile::TempDir;

const ADD_BLOCK: &str = "```gostack\nsample = \"add\"\narch = [\"amd64\", \"386\"]\nflags = \"-N -l\"\nat = \"main.add2 ret\"\n```\n";

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../go-samples")
        .canonicalize()
        .unwrap()
}

/// A book with the given chapters (file name, text) and extra book.toml lines.
fn fixture(chapters: &[(&str, &str)], extra: &str) -> TempDir {
    fixture_with(chapters, &[], extra, &samples())
}

/// A book with the given chapters, other files of `src/` (path, text),
/// extra lines for `[preprocessor.gostack]` and samples folder.
fn fixture_with(
    chapters: &[(&str, &str)],
    files: &[(&str, &str)],
    extra: &str,
    samples: &Path,
) -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("book-cache");
    std::fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"t\"\n\n[preprocessor.gostack]\nsamples = {:?}\ncache-dir = {:?}\n{extra}\n",
            samples.display().to_string(),
            cache.display().to_string()
        ),
    )
    .unwrap();
    for (path, text) in files {
        let path = root.join("src").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut summary = String::from("# Summary\n\n");
    for (file, text) in chapters {
        summary.push_str(&format!("- [{file}]({file})\n"));
        std::fs::write(root.join("src").join(file), text).unwrap();
    }
    std::fs::write(root.join("src/SUMMARY.md"), summary).unwrap();
    dir
}

fn build(dir: &TempDir) -> Result<(), String> {
    let mut book = MDBook::load(dir.path()).map_err(|e| format!("{e:#}"))?;
    book.with_preprocessor(mdbook_gostack::Gostack);
    book.build().map_err(|e| format!("{e:#}"))
}

#[test]
fn blocks_become_inline_svg_and_the_rest_stays() {
    let chapter = format!(
        "# Add\n\nBefore **the** picture.\n\n{ADD_BLOCK}\nAfter it.\n\n```go\nfunc main() {{}}\n```\n"
    );
    let dir = fixture(&[("add.md", &chapter)], "");
    build(&dir).unwrap();
    let html = std::fs::read_to_string(dir.path().join("book/add.html")).unwrap();
    assert_eq!(
        html.matches("<figure class=\"gostack\">").count(),
        1,
        "one figure with both arches"
    );
    assert_eq!(
        html.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gostack\"")
            .count(),
        2,
        "each arch its own picture, so they can wrap below each other"
    );
    assert!(html.contains("<div class=\"gostack-panels\""));
    assert!(
        html.contains("main.add2+0x30 RET (main.go:7)"),
        "the caption names the instruction and line"
    );
    assert!(
        !html.contains("language-gostack"),
        "no gostack fence is left"
    );
    assert!(html.contains("Before <strong>the</strong> picture.") && html.contains("After it."));
    assert!(
        html.contains("language-go"),
        "other code blocks are untouched"
    );
    assert!(
        !dir.path().join("src").read_dir().unwrap().any(|e| e
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "svg"))
    );
}

fn error_of(block_body: &str) -> String {
    let chapter = format!("# C\n\nline three\n\n```gostack\n{block_body}\n```\n");
    let dir = fixture(&[("c.md", &chapter)], "");
    build(&dir).unwrap_err()
}

#[test]
fn bad_blocks_fail_with_file_line_and_cause() {
    let cases = [
        (
            "sample = \"nosuch\"\nat = \"main entry\"",
            "sample `nosuch`",
        ),
        ("sample = \"add\"\nat = ", "TOML"),
        (
            "sample = \"add\"\nat = \"add2 ret\"\ncolour = \"red\"",
            "colour",
        ),
        (
            "sample = \"add\"\nat = \"add3 entry\"",
            "main.add3 entry` never happens",
        ),
        (
            "source = \"package main\\n\\nfunc main() {\\n\\tx := 1\\n}\\n\"\nat = \"main entry\"",
            "main.go:4:2: declared and not used: x",
        ),
        (
            "sample = \"add\"\narch = \"arm64\"\nat = \"add2 ret\"",
            "key `arch`",
        ),
        (
            "sample = \"add\"\nat = \"add2 ret\"\nnth = 0",
            "key `nth`: 0: moments are counted from 1",
        ),
        (
            "sample = \"/etc\"\nat = \"main entry\"",
            "key `sample`: `/etc` is not a folder inside the samples folder",
        ),
        (
            "sample = \"add\"\nat = \"add2 ret\"\nexpect = [\"add2.~r0 = 21\", \"add2.~r0 = 12\", \"frames: main.main, main.add1\"]",
            "2 of the block's `expect` claims do not hold in its figure:\n  \
             the text says `add2.~r0 = 12`; the figure: it shows AX = 21\n  \
             the text says `frames: main.main, main.add1`; the figure: its frames are main.main, main.add1, main.add2",
        ),
        (
            "sample = \"add\"\nat = \"add2 ret\"\nexpect = [\"add2.~r0 is 12\"]",
            "key `expect`: claim `add2.~r0 is 12`: write `NAME = VALUE`",
        ),
        (
            "sample = \"../go-samples/add\"\nat = \"main entry\"",
            "key `sample`: `../go-samples/add` is not a folder inside the samples folder",
        ),
    ];
    for (body, want) in cases {
        let err = error_of(body);
        assert!(err.contains("src/c.md:5"), "{body}: {err}");
        assert!(
            err.to_lowercase().contains(&want.to_lowercase()),
            "{body}: {err}"
        );
    }
}

#[test]
fn on_failure_continue_renders_an_error_box() {
    let chapter = "# C\n\n```gostack\nsample = \"add\"\nat = \"add3 entry\"\n```\n";
    let dir = fixture(&[("c.md", chapter)], "on-failure = \"continue\"");
    build(&dir).unwrap();
    let html = std::fs::read_to_string(dir.path().join("book/c.html")).unwrap();
    assert!(html.contains("class=\"gostack-error\""));
    assert!(html.contains("never happens"));
}

/// A warm build gives the same pages as a cold one, and takes each block's
/// page text from the cache without drawing it again.
#[test]
fn a_warm_build_reads_the_rendered_blocks_back() {
    let chapter = format!("# Add\n\n{ADD_BLOCK}");
    let dir = fixture(&[("add.md", &chapter)], "");
    let cache = TempDir::new().unwrap();
    let toml_path = dir.path().join("book.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap();
    let start = toml.find("cache-dir = ").unwrap();
    let end = start + toml[start..].find('\n').unwrap();
    let toml = format!(
        "{}cache-dir = {:?}{}",
        &toml[..start],
        cache.path().display().to_string(),
        &toml[end..]
    );
    std::fs::write(&toml_path, toml).unwrap();
    let page = || std::fs::read_to_string(dir.path().join("book/add.html")).unwrap();

    build(&dir).unwrap();
    let cold = page();
    build(&dir).unwrap();
    assert_eq!(page(), cold, "a warm build changes nothing");

    // The page is made from the cached text of the block: mark it, and the mark shows.
    let rendered: Vec<PathBuf> = std::fs::read_dir(cache.path().join("drawings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".add-1.html"))
        .collect();
    assert_eq!(rendered.len(), 1, "{rendered:?}");
    let text = std::fs::read_to_string(&rendered[0]).unwrap();
    assert!(text.contains("<figure class=\"gostack\">"), "{text}");
    let marked = text.replacen(
        "<figure class=\"gostack\">",
        "<figure class=\"gostack\" data-cached>",
        1,
    );
    std::fs::write(&rendered[0], marked).unwrap();
    build(&dir).unwrap();
    assert!(
        page().contains("data-cached"),
        "the warm build read the cache"
    );
}

/// A sample folder that is a symbolic link out of the samples folder is
/// refused; one that stays inside is read.
#[cfg(unix)]
#[test]
fn samples_stay_inside_the_samples_folder() {
    let outside = TempDir::new().unwrap();
    let samples = outside.path().join("samples");
    std::fs::create_dir_all(samples.join("add")).unwrap();
    std::fs::create_dir_all(outside.path().join("private")).unwrap();
    std::fs::write(outside.path().join("private/main.go"), "package main\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("private"), samples.join("out")).unwrap();
    let chapter = "# C\n\ntext\n\n```gostack\nsample = \"out\"\nat = \"main entry\"\n```\n";
    let dir = fixture_with(&[("c.md", chapter)], &[], "", &samples);
    let err = build(&dir).unwrap_err();
    assert!(
        err.contains("src/c.md:5: key `sample`: `out` leads out of the samples folder"),
        "{err}"
    );
    assert!(
        err.contains("copy the program into the samples folder"),
        "{err}"
    );
}

/// A block inside a list item or a block quote becomes a figure inside
/// it: the list keeps its three items and the quote holds its figure.
#[test]
fn blocks_in_lists_and_quotes_stay_there() {
    let indented: String = ADD_BLOCK.lines().map(|l| format!("   {l}\n")).collect();
    let quoted: String = ADD_BLOCK.lines().map(|l| format!("> {l}\n")).collect();
    let chapter = format!(
        "# L\n\n1. first\n2. second\n\n{indented}\n3. third\n\n> Quoted:\n>\n{quoted}>\n> still quoted\n\nAfter.\n"
    );
    let dir = fixture(&[("l.md", &chapter)], "");
    build(&dir).unwrap();
    let html = std::fs::read_to_string(dir.path().join("book/l.html")).unwrap();
    let main = &html[html.find("<main>").unwrap()..html.find("</main>").unwrap()];
    assert!(!main.contains("language-gostack"), "{main}");
    assert_eq!(main.matches("<ol>").count(), 1, "one list: {main}");
    assert_eq!(main.matches("<li>").count(), 3, "{main}");
    let second = &main[main.find("second").unwrap()..main.find("third").unwrap()];
    assert_eq!(
        second.matches("<figure class=\"gostack\">").count(),
        1,
        "{main}"
    );
    assert!(second.find("<figure") < second.find("</li>"), "{main}");
    let quote = &main[main.find("<blockquote>").unwrap()..main.find("</blockquote>").unwrap()];
    assert!(
        quote.contains("Quoted:") && quote.contains("still quoted"),
        "{main}"
    );
    assert_eq!(
        quote.matches("<figure class=\"gostack\">").count(),
        1,
        "{main}"
    );
    assert!(main.contains("<p>After.</p>"), "{main}");
}

const INCLUDING: &str = "# C\n\nIntro.\n\n{{#include parts/block.md}}\n\nAfter.\n";

/// After `links`, a block that `{{#include}}` brought in is drawn.
#[test]
fn included_blocks_are_drawn_after_links() {
    let part = format!("Included text.\n\n{ADD_BLOCK}");
    let dir = fixture_with(
        &[("c.md", INCLUDING)],
        &[("parts/block.md", &part)],
        "after = [\"links\"]",
        &samples(),
    );
    build(&dir).unwrap();
    let html = std::fs::read_to_string(dir.path().join("book/c.html")).unwrap();
    assert!(
        html.contains("Included text.") && html.contains("After."),
        "{html}"
    );
    assert_eq!(
        html.matches("<figure class=\"gostack\">").count(),
        1,
        "{html}"
    );
    assert!(!html.contains("language-gostack"), "{html}");
}

/// An error in an included block names the included file and its own line;
/// one in the chapter, after an include, the chapter's own line.
#[test]
fn included_blocks_fail_at_their_own_file_and_line() {
    let bad = "```gostack\nsample = \"add\"\nat = \"add2 ret\"\ncolour = \"red\"\n```\n";
    let part = format!("Included text.\n\n{bad}");
    let dir = fixture_with(
        &[("c.md", INCLUDING)],
        &[("parts/block.md", &part)],
        "after = [\"links\"]",
        &samples(),
    );
    let err = build(&dir).unwrap_err();
    assert!(err.contains("src/parts/block.md:3:"), "{err}");
    assert!(err.contains("colour"), "{err}");

    let chapter = format!("# C\n\n{{{{#include parts/intro.md}}}}\n\n{bad}");
    let intro = "Line one.\n\nLine three.\n\nLine five.\n";
    let dir = fixture_with(
        &[("c.md", &chapter)],
        &[("parts/intro.md", intro)],
        "after = [\"links\"]",
        &samples(),
    );
    let err = build(&dir).unwrap_err();
    assert!(err.contains("src/c.md:5:"), "{err}");

    // A block whose program an include inside its fence brings in.
    let chapter = "# C\n\n{{#include parts/intro.md}}\n\n```gostack\nsource = \"\"\"\n{{#include prog.go}}\n\"\"\"\nat = \"main entry\"\ncolour = 1\n```\n";
    let dir = fixture_with(
        &[("c.md", chapter)],
        &[
            ("parts/intro.md", intro),
            ("prog.go", "package main\n\nfunc main() {}\n"),
        ],
        "after = [\"links\"]",
        &samples(),
    );
    let err = build(&dir).unwrap_err();
    assert!(
        err.contains("src/c.md:5:") && err.contains("colour"),
        "{err}"
    );
}

/// A book that runs the preprocessor before `links` is told so, at the
/// include, instead of leaving the included block as code.
#[test]
fn running_before_links_is_an_error_that_says_what_to_do() {
    let part = format!("Included text.\n\n{ADD_BLOCK}");
    let dir = fixture_with(
        &[("c.md", INCLUDING)],
        &[("parts/block.md", &part)],
        "",
        &samples(),
    );
    let err = build(&dir).unwrap_err();
    assert!(
        err.contains("src/c.md:5: `{{#include parts/block.md}}` brings in a gostack block (src/parts/block.md:3)"),
        "{err}"
    );
    assert!(
        err.contains("add `after = [\"links\"]` under `[preprocessor.gostack]`"),
        "{err}"
    );
}
