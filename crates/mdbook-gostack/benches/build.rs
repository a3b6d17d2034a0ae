//! Prints how long the notes take to build: with an empty cache, warm with
//! nothing changed, warm after editing one chapter, and a plain mdBook build
//! of the same book with the blocks taken out, for scale.

use std::path::{Path, PathBuf};
use std::time::Instant;

use mdbook_driver::MDBook;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "book") {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// Builds the book at `root`, with or without the preprocessor; seconds.
fn build(root: &Path, gostack: bool) -> f64 {
    let start = Instant::now();
    let mut book = MDBook::load(root).unwrap();
    if gostack {
        book.with_preprocessor(mdbook_gostack::Gostack);
    }
    book.build().unwrap();
    start.elapsed().as_secs_f64()
}

/// A copy of the repository's book whose preprocessor settings point at `cache` and the samples.
fn book_copy(repo: &Path, cache: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path().join("book");
    copy_dir(&repo.join("book"), &root);
    let toml = std::fs::read_to_string(root.join("book.toml")).unwrap();
    let samples = repo.join("go-samples").display().to_string();
    let toml = toml.replace(
        "samples = \"../go-samples\"",
        &format!(
            "samples = {samples:?}\ncache-dir = {:?}",
            cache.display().to_string()
        ),
    );
    std::fs::write(root.join("book.toml"), toml).unwrap();
    (dir, root)
}

/// A copy of the book without the preprocessor, each block replaced by
/// `replace(chapter file name, block number from 1)`.
fn without_preprocessor(
    repo: &Path,
    cache: &Path,
    mut replace: impl FnMut(&std::ffi::OsStr, usize) -> String,
) -> (tempfile::TempDir, PathBuf) {
    let (keep, root) = book_copy(repo, cache);
    for entry in std::fs::read_dir(root.join("src")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = text.clone();
        let blocks = mdbook_gostack::find_blocks(&text);
        for (i, b) in blocks.iter().enumerate().rev() {
            let name = path.file_name().unwrap();
            out.replace_range(b.range.clone(), &replace(name, i + 1));
        }
        std::fs::write(&path, out).unwrap();
    }
    let toml = std::fs::read_to_string(root.join("book.toml")).unwrap();
    let start = toml.find("[preprocessor.gostack]").unwrap();
    let end = toml.find("[output.html]").unwrap();
    std::fs::write(
        root.join("book.toml"),
        format!("{}{}", &toml[..start], &toml[end..]),
    )
    .unwrap();
    (keep, root)
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let cache = tempfile::TempDir::new().unwrap();
    let cache_dir = cache.path().to_path_buf();
    let (_keep, root) = book_copy(&repo, &cache_dir);
    let blocks: usize = {
        let book = MDBook::load(&root).unwrap();
        mdbook_gostack::jobs(&book.book).len()
    };

    let cold = build(&root, true);

    // The same book, every gostack block taken out, built by mdBook alone.
    let plain_root = without_preprocessor(&repo, &cache_dir, |_, _| String::new());

    // The same book with the finished diagrams already in its chapters, built
    // by mdBook alone: what the diagrams cost mdBook, without the preprocessor.
    let loaded = MDBook::load(&root).unwrap();
    let settings = mdbook_gostack::Settings {
        root: root.clone(),
        samples: repo.join("go-samples"),
        diagrams: root.join("diagrams"),
        go: None,
        cache_dir: cache_dir.clone(),
        keep_going: false,
    };
    let go = mdbook_gostack::find_go(&settings).unwrap();
    let listing_cache = gostack_toolchain::Cache::new(&cache_dir);
    let jobs = mdbook_gostack::jobs(&loaded.book);
    let spliced = without_preprocessor(&repo, &cache_dir, |chapter, index| {
        let job = jobs
            .iter()
            .find(|j| j.chapter.file_name() == Some(chapter) && j.index == index)
            .expect("every block is a job");
        let drawing = mdbook_gostack::draw(job, &settings, go.as_ref(), &listing_cache).unwrap();
        mdbook_gostack::render(&drawing, "html", &job.id())
    });

    // The four builds take turns, round after round, so that the machine's
    // drift (this one is a shared VM) weighs on each of them alike.
    let rounds = 25;
    let chapter = root.join("src/add.md");
    let (mut warm, mut edits, mut plain, mut spliced_times) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..rounds {
        plain.push(build(&plain_root.1, false));
        warm.push(build(&root, true));
        let mut text = std::fs::read_to_string(&chapter).unwrap();
        text.push_str(&format!("\n编辑 {i}。\n"));
        std::fs::write(&chapter, text).unwrap();
        edits.push(build(&root, true));
        spliced_times.push(build(&spliced.1, false));
    }
    // Each build is set against the plain build of its own round.
    let ratio =
        |times: &[f64]| -> f64 { median(times.iter().zip(&plain).map(|(t, p)| t / p).collect()) };
    println!(
        "the notes: {blocks} diagrams, {rounds} interleaved rounds; medians, and the median of each round's ratio to the plain build"
    );
    println!(
        "  plain mdBook build, blocks removed: {:.0} ms",
        median(plain.clone()) * 1e3
    );
    println!("  cold (empty gostack cache):        {:.0} ms", cold * 1e3);
    for (what, times) in [
        ("warm, nothing changed:           ", &warm),
        ("warm, one chapter edited:        ", &edits),
        ("diagrams already in the chapters:", &spliced_times),
    ] {
        println!(
            "  {what}  {:.0} ms ({:.2}x plain)",
            median(times.clone()) * 1e3,
            ratio(times)
        );
    }
    println!(
        "  (the last is mdBook alone on the chapters with the diagrams in them: their own cost, without the preprocessor)"
    );
}
