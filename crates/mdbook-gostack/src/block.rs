//! Finding ```` ```gostack ```` blocks in a chapter and reading their TOML.

use std::ops::Range;

use mdbook_markdown::pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde::Deserialize;

/// One `gostack` block of a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Byte range of the whole fenced block in the chapter.
    pub range: Range<usize>,
    /// One-based line of the opening fence.
    pub line: usize,
    /// The TOML body.
    pub body: String,
}

/// Finds every fenced code block whose info string is `gostack`, in order.
pub fn find_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String)> = None;
    // Blocks come in order: count lines from the previous one, so many blocks cost no more than one.
    let (mut line, mut counted) = (1, 0);
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split_whitespace().next() == Some("gostack") =>
            {
                open = Some((range.start, String::new()));
            }
            Event::Text(text) => {
                if let Some((_, body)) = &mut open {
                    body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((start, body)) = open.take() {
                    let newlines = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count();
                    let bytes = markdown.as_bytes();
                    line = match bytes.get(counted..start) {
                        Some(since) => line + newlines(since),
                        None => 1 + newlines(&bytes[..start]),
                    };
                    counted = start;
                    blocks.push(Block {
                        range: start..range.end,
                        line,
                        body,
                    });
                }
            }
            _ => {}
        }
    }
    blocks
}

/// One architecture or several, as a block writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Arches {
    /// `arch = "amd64"`.
    One(String),
    /// `arch = ["amd64", "386"]`.
    Many(Vec<String>),
}

/// The keys a block may set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Spec {
    /// A sample under the samples directory: `<samples>/<name>/main.go`.
    pub sample: Option<String>,
    /// Or the program itself.
    pub source: Option<String>,
    /// `amd64`, `386`, or both side by side.
    pub arch: Option<Arches>,
    /// Compiler flags, e.g. `-N -l`.
    #[serde(default)]
    pub flags: String,
    /// The moment, e.g. `main.add2 ret`.
    pub at: String,
    /// Which time the moment happens.
    pub nth: Option<usize>,
    /// `stack` (default), `frame`, `trace`, `asm` or `steps`.
    #[serde(default)]
    pub view: gostack_draw::View,
    /// For `view = "trace"` and `"steps"`: the moment to stop at.
    pub to: Option<String>,
    /// For `view = "stack"`: a second moment drawn beside the first.
    pub beside: Option<String>,
    /// Only moments on this goroutine count (1 runs `main.main`).
    pub goroutine: Option<u64>,
    /// Which frames to draw: `"focus"` (default), `"all"`, or a list of functions.
    #[serde(default)]
    pub frames: gostack_draw::Frames,
    /// Fold runs of words that nothing names and the step did not write.
    #[serde(default)]
    pub fold: bool,
    /// Draw the heap objects the frames point to.
    #[serde(default)]
    pub heap: bool,
    /// Go versions to draw with, side by side (`["1.22", "1.26"]`); the
    /// installed Go by default.
    pub go: Option<Versions>,
    /// The claims the chapter's prose makes about the figure (`claims.rs`):
    /// the build fails when one does not hold.
    #[serde(default)]
    pub expect: Vec<String>,
}

/// One Go version or several, as a block writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Versions {
    /// `go = "1.22"`.
    One(String),
    /// `go = ["1.22", "1.26"]`.
    Many(Vec<String>),
}

impl Versions {
    /// The versions, in the order written.
    pub fn list(&self) -> Vec<String> {
        match self {
            Versions::One(v) => vec![v.clone()],
            Versions::Many(vs) => vs.clone(),
        }
    }
}

/// Reads a block's TOML; the error names the key at fault.
pub fn parse_spec(body: &str) -> Result<Spec, String> {
    let spec: Spec =
        toml::from_str(body).map_err(|e| e.to_string().trim_end().replace('\n', " "))?;
    match (&spec.sample, &spec.source) {
        (None, None) => Err(
            "set `sample` (a program of the samples directory) or `source` (the program)".into(),
        ),
        (Some(_), Some(_)) => Err("set only one of `sample` and `source`".into()),
        _ if spec.nth == Some(0) => Err(
            "key `nth`: 0: moments are counted from 1 (`nth = 1` is the first time it happens)"
                .into(),
        ),
        _ => {
            gostack_draw::claims::parse_all(&spec.expect)
                .map_err(|e| format!("key `expect`: {e}"))?;
            Ok(spec)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_found_with_their_lines_and_ranges() {
        let md = "# T\n\ntext\n\n```gostack\nsample = \"add\"\nat = \"add2 ret\"\n```\n\n```go\nx\n```\n\n```gostack\nsample = \"sum\"\nat = \"sum entry\"\n```\n";
        let blocks = find_blocks(md);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].line, 5);
        assert_eq!(
            &md[blocks[0].range.clone()],
            "```gostack\nsample = \"add\"\nat = \"add2 ret\"\n```"
        );
        assert_eq!(blocks[1].line, 14);
        assert!(blocks[1].body.contains("sum entry"));
    }

    #[test]
    fn many_blocks_are_found_in_linear_time() {
        // Each block used to count the lines before it from the start: 10,000
        // blocks took 13 s in a debug build, 40,000 three minutes.
        let md = "```gostack\nat = 1\n```\n\n".repeat(30_000);
        let started = std::time::Instant::now();
        let blocks = find_blocks(&md);
        assert_eq!(blocks.len(), 30_000);
        assert_eq!(blocks[29_999].line, 4 * 29_999 + 1);
        assert!(blocks.iter().enumerate().all(|(i, b)| b.line == 4 * i + 1));
        let took = started.elapsed();
        assert!(took.as_secs() < 30, "{took:?}");
    }

    #[test]
    fn specs_name_what_is_wrong() {
        assert!(
            parse_spec("sample = \"add\"\nat = \"x\"\ncolour = 1")
                .unwrap_err()
                .contains("colour")
        );
        assert!(parse_spec("at = \"x\"").unwrap_err().contains("sample"));
        assert!(parse_spec("sample = \"add\"").unwrap_err().contains("at"));
        let nth0 = parse_spec("sample = \"add\"\nat = \"add2 ret\"\nnth = 0").unwrap_err();
        assert!(nth0.contains("`nth`") && nth0.contains("from 1"), "{nth0}");
        let spec =
            parse_spec("sample = \"add\"\narch = [\"amd64\", \"386\"]\nat = \"add2 ret\"").unwrap();
        assert_eq!(
            spec.arch,
            Some(Arches::Many(vec!["amd64".into(), "386".into()]))
        );
    }

    #[test]
    fn view_frames_fold_and_go_are_typed() {
        use gostack_draw::{Frames, View};
        let base = "sample = \"defer\"\nat = \"incr1.func1 entry\"\n";
        let spec = parse_spec(base).unwrap();
        assert_eq!(
            (spec.view, spec.frames, spec.fold, spec.go),
            (View::Stack, Frames::Focus, false, None)
        );
        let spec = parse_spec(&format!(
            "{base}view = \"trace\"\nframes = \"all\"\nfold = true\ngo = [\"1.22\", \"1.26.8\"]"
        ))
        .unwrap();
        assert_eq!(spec.view, View::Trace);
        assert_eq!(spec.frames, Frames::All);
        assert!(spec.fold);
        assert_eq!(spec.go.unwrap().list(), ["1.22", "1.26.8"]);
        let spec =
            parse_spec(&format!("{base}frames = [\"incr1\", \"main.incr1.func1\"]")).unwrap();
        assert_eq!(
            spec.frames,
            Frames::Only(vec!["incr1".into(), "main.incr1.func1".into()])
        );
        for (bad, named) in [
            ("view = \"picture\"", "picture"),
            ("frames = []", "frames"),
            ("frames = \"\"", "frames"),
            ("fold = \"yes\"", "fold"),
        ] {
            let err = parse_spec(&format!("{base}{bad}")).unwrap_err();
            assert!(err.contains(named), "{bad}: {err}");
        }
    }
}
