//! `{{#include}}` as mdBook's `links` preprocessor reads it, just far enough
//! to say where a block of an included file is written.
//!
//! The preprocessor runs after `links` (`after = ["links"]` in book.toml),
//! so a chapter's text no longer says which file each part came from. To
//! report a block at its own file and line, the chapter's file is read again
//! from disk, every file it includes (nested, as `links` resolves them:
//! relative to the including file) is read too, and the blocks of all of
//! them, in the order the includes put them, are matched to the chapter's
//! blocks by their text.

use std::path::{Component, Path, PathBuf};

use crate::block::find_blocks;

/// How deep includes nest before `links` gives up; the same limit here.
const MAX_DEPTH: usize = 10;

/// One `{{#include path}}` of a text (not `\{{#include ...}}`, which `links` prints as is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Include {
    /// Byte offset of the `{{`.
    pub(crate) offset: usize,
    /// One-based line of the `{{`.
    pub(crate) line: usize,
    /// The directive as written, e.g. `{{#include parts/add.md:2:9}}`.
    pub(crate) text: String,
    /// The file, as written (without `:lines` or `:anchor`).
    pub(crate) path: String,
}

/// Every `{{#include ...}}` of `text`, in order.
pub(crate) fn includes(text: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("{{").map(|i| from + i) {
        from = at + 2;
        if text[..at].ends_with('\\') && text[at + 2..].starts_with('#') {
            continue;
        }
        let rest = text[at + 2..].trim_start();
        let Some(rest) = rest.strip_prefix("#include") else {
            continue;
        };
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let Some(close) = rest.find('}') else {
            continue;
        };
        if !rest[close..].starts_with("}}") {
            continue;
        }
        let Some(target) = rest[..close].split_whitespace().next() else {
            continue;
        };
        let path = target.split(':').next().unwrap_or(target).to_string();
        let end = text.len() - rest.len() + close + 2;
        found.push(Include {
            offset: at,
            line: text[..at].matches('\n').count() + 1,
            text: text[at..end].to_string(),
            path,
        });
        from = end;
    }
    found
}

/// A block as written in a file of the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    /// The file, relative to the book's root (`src/parts/add.md`).
    pub(crate) file: PathBuf,
    /// One-based line of the opening fence in that file.
    pub(crate) line: usize,
    /// The block's TOML as written there.
    pub(crate) body: String,
}

/// The blocks of `file` (relative to the book's `root`) and of every file it
/// includes, in the order the includes put them into the page.
pub(crate) fn written_blocks(root: &Path, file: &Path) -> Vec<Written> {
    let mut out = Vec::new();
    collect(root, file, 0, &mut out);
    out
}

fn collect(root: &Path, file: &Path, depth: usize, out: &mut Vec<Written>) {
    let Ok(text) = std::fs::read_to_string(root.join(file)) else {
        return;
    };
    let blocks = find_blocks(&text);
    let mut blocks = blocks.into_iter().peekable();
    let dir = file.parent().unwrap_or(Path::new(""));
    for include in includes(&text) {
        let mut inside_a_block = false;
        while let Some(b) = blocks.next_if(|b| b.range.start < include.offset) {
            inside_a_block |= b.range.contains(&include.offset);
            out.push(Written {
                file: file.to_path_buf(),
                line: b.line,
                body: b.body,
            });
        }
        // An include inside a block's fence becomes part of that block.
        if !inside_a_block && depth < MAX_DEPTH {
            collect(root, &normalize(&dir.join(&include.path)), depth + 1, out);
        }
    }
    out.extend(blocks.map(|b| Written {
        file: file.to_path_buf(),
        line: b.line,
        body: b.body,
    }));
}

/// `a/b/../c` as `a/c`, without touching the disk.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_are_found_as_links_finds_them() {
        let text = "a\n{{#include parts/x.md}}\n\\{{#include not.md}}\n{{ #include  y.md:3:9 }} {{#title T}}\n{{#includes z.md}}";
        let found = includes(text);
        let paths: Vec<&str> = found.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["parts/x.md", "y.md"]);
        assert_eq!(found[0].line, 2);
        assert_eq!(found[0].text, "{{#include parts/x.md}}");
        assert_eq!(found[1].line, 4);
        assert_eq!(found[1].text, "{{ #include  y.md:3:9 }}");
    }

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(
            normalize(Path::new("src/./a/../parts/x.md")),
            Path::new("src/parts/x.md")
        );
        assert_eq!(normalize(Path::new("src/../../x.md")), Path::new("../x.md"));
    }
}
