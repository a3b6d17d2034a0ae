//! `cargo xtask book`: builds the notes in `book/`.

use anyhow::Result;

use crate::project_root;

/// Builds the notes, or says that there are none yet.
pub(crate) fn run() -> Result<()> {
    let book = project_root().join("book");
    if !book.join("book.toml").is_file() {
        println!("book/ holds no notes yet (no book/book.toml): nothing to build");
        return Ok(());
    }
    anyhow::bail!("book/book.toml exists but this xtask cannot build books yet")
}
