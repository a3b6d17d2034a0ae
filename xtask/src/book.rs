//! `cargo xtask book`: builds the notes in `book/` with mdBook as a library
//! and the gostack preprocessor in process.

use std::time::Instant;

use anyhow::{Context as _, Result};
use mdbook_driver::MDBook;

use crate::project_root;

/// Builds the notes; prints where the result is.
pub(crate) fn run() -> Result<()> {
    let root = project_root().join("book");
    let start = Instant::now();
    eprintln!("building the notes in {} ...", root.display());
    let mut book =
        MDBook::load(&root).with_context(|| format!("loading the book in {}", root.display()))?;
    let blocks = mdbook_gostack::jobs(&book.book).len();
    eprintln!("{blocks} gostack diagrams to draw");
    book.with_preprocessor(mdbook_gostack::Gostack);
    book.build().context("building the book")?;
    eprintln!(
        "done in {:.1} s: open {}",
        start.elapsed().as_secs_f64(),
        root.join("book").join("index.html").display()
    );
    Ok(())
}
