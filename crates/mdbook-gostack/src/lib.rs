//! An mdBook preprocessor that replaces every ```` ```gostack ```` block of a
//! chapter with the call-stack diagram it describes, drawn from the
//! installed Go's real compiler output: inline SVG for the HTML renderer,
//! the boxed ASCII picture in a code block for the others.
//!
//! A block is TOML:
//!
//! ```toml
//! sample = "add"        # <samples>/add/main.go; or source = """..."""
//! arch = ["amd64", "386"]
//! flags = "-N -l"
//! at = "main.add2 ret"  # or "add1 entry", "after call add2", "main.go:14", "main.add1+0x2e"
//! nth = 1
//! beside = "after call main.add2"  # a second moment drawn beside the first
//! goroutine = 1           # only moments on this goroutine count (default: any)
//! view = "stack"        # stack | frame | trace | asm | steps (with `to`)
//! ```
//!
//! Settings in `book.toml` under `[preprocessor.gostack]`: `samples` (the
//! samples directory, relative to the book; a block's `sample` must stay
//! inside it), `go` (the go binary), `cache-dir`, `diagrams` (where
//! committed copies of the diagrams live, used when no Go is installed), and
//! `on-failure = "bail" | "continue"`. Add `after = ["links"]` there too, so
//! mdBook expands `{{#include}}` first and included blocks are drawn (a
//! preprocessor cannot ask for its order; run before `links`, this one stops
//! at an include that brings in a block). Errors name the file and line the
//! block is written at, an included file's own. Blocks are drawn in
//! parallel; nothing is written into the book's `src/`.

pub mod block;
mod include;

use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use gostack_draw::{Drawing, Format, Request};
use gostack_emu::Arch;
use gostack_toolchain::{Cache, Go};
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

pub use block::{Block, Spec, find_blocks, parse_spec};

/// The preprocessor, named `gostack`.
#[derive(Debug, Default, Clone)]
pub struct Gostack;

/// How the preprocessor is set up for one book.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The book's root directory.
    pub root: PathBuf,
    /// The samples directory.
    pub samples: PathBuf,
    /// Where committed copies of the diagrams live.
    pub diagrams: PathBuf,
    /// The go binary, if set.
    pub go: Option<PathBuf>,
    /// The listing cache directory.
    pub cache_dir: PathBuf,
    /// Render an error box instead of failing the build.
    pub keep_going: bool,
}

impl Settings {
    /// Reads `[preprocessor.gostack]` of the book's configuration.
    pub fn from_context(ctx: &PreprocessorContext) -> Result<Settings> {
        let root = ctx.root.clone();
        let get = |key: &str| -> Result<Option<String>> {
            ctx.config
                .get::<String>(&format!("preprocessor.gostack.{key}"))
        };
        let keep_going = match get("on-failure")?.as_deref() {
            None | Some("bail") => false,
            Some("continue") => true,
            Some(other) => bail!(
                "book.toml: preprocessor.gostack.on-failure = {other:?}: use \"bail\" or \"continue\""
            ),
        };
        Ok(Settings {
            samples: root.join(get("samples")?.unwrap_or_else(|| "../go-samples".into())),
            diagrams: root.join(get("diagrams")?.unwrap_or_else(|| "diagrams".into())),
            go: get("go")?.map(PathBuf::from),
            cache_dir: get("cache-dir")?.map_or_else(Cache::default_dir, |d| root.join(d)),
            keep_going,
            root,
        })
    }
}

/// One block of one chapter, with where it came from.
#[derive(Debug, Clone)]
pub struct Job {
    /// The chapter's source file, relative to the book's `src/`.
    pub chapter: PathBuf,
    /// The block's number in its chapter, from 1.
    pub index: usize,
    /// The block.
    pub block: Block,
    /// The file the block is written in, relative to the book's root:
    /// `src/<chapter>`, or the file a `{{#include}}` brought it from.
    pub file: PathBuf,
    /// The line of its opening fence in that file.
    pub line: usize,
}

impl Job {
    /// The name of the block's committed copy: `chapters_add-2`.
    pub fn id(&self) -> String {
        let stem = self
            .chapter
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\'], "_");
        format!("{stem}-{}", self.index)
    }

    /// `src/chapters/add.md:12`, for messages.
    pub fn place(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// Every block of every chapter of `book`, in book order.
pub fn jobs(book: &Book) -> Vec<Job> {
    let mut jobs = Vec::new();
    for item in book.iter() {
        let BookItem::Chapter(ch) = item else {
            continue;
        };
        let Some(path) = &ch.source_path else {
            continue;
        };
        for (i, block) in find_blocks(&ch.content).into_iter().enumerate() {
            jobs.push(Job {
                chapter: path.clone(),
                index: i + 1,
                file: Path::new("src").join(path),
                line: block.line,
                block,
            });
        }
    }
    jobs
}

/// Says where each job's block is written, when `{{#include}}` brought
/// it into its chapter: reads the chapter's file under `root`/`src` and
/// the files it includes, and finds each block's text there, in order.
/// A block found nowhere (its text was pieced together by an include inside
/// its fence) keeps its line in the chapter as the preprocessor sees it.
pub fn locate(jobs: &mut [Job], root: &Path, src: &Path) {
    for chapter in jobs.chunk_by_mut(|a, b| a.chapter == b.chapter) {
        let chapter_file = src.join(&chapter[0].chapter);
        let written = include::written_blocks(root, &chapter_file);
        let mut next = 0;
        for job in chapter.iter_mut() {
            job.file = include::normalize(&chapter_file);
            // The same text, or a block its include pieced together.
            let found = (next..written.len())
                .find(|&k| written[k].body == job.block.body)
                .or_else(|| {
                    (next..written.len()).find(|&k| !include::includes(&written[k].body).is_empty())
                });
            if let Some(k) = found {
                job.file = written[k].file.clone();
                job.line = written[k].line;
                next = k + 1;
            }
        }
    }
}

/// Draws one block, with the installed Go or, without one, from its committed copy.
pub fn draw(job: &Job, settings: &Settings, go: Option<&Go>, cache: &Cache) -> Result<Drawing> {
    let Some(go) = go else {
        let spec =
            parse_spec(&job.block.body).map_err(|e| anyhow::anyhow!("{}: {e}", job.place()))?;
        if let Some(name) = &spec.sample {
            sample_file(&settings.samples, name)
                .map_err(|e| anyhow::anyhow!("{}: key `sample`: {e}", job.place()))?;
        }
        return read_copy(job, settings);
    };
    let planned = plan(job, settings, go)?;
    draw_planned(job, settings, cache, &planned)
}

/// The program of `sample = "<name>"`: `<samples>/<name>/main.go`, which
/// must stay inside the samples folder: a name is a relative path of plain
/// folder names, and the file it reaches through symbolic links is inside
/// the folder too. The path returned is the real one, links resolved.
fn sample_file(samples: &Path, name: &str) -> Result<PathBuf, String> {
    let relative = Path::new(name);
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !plain
        || !relative
            .components()
            .any(|c| matches!(c, Component::Normal(_)))
    {
        return Err(format!(
            "`{name}` is not a folder inside the samples folder {}: name one of its folders \
             (`sample = \"add\"` reads add/main.go there), or give the program itself as `source`",
            samples.display()
        ));
    }
    let file = samples.join(relative).join("main.go");
    match (samples.canonicalize(), file.canonicalize()) {
        (Ok(folder), Ok(real)) if !real.starts_with(&folder) => Err(format!(
            "`{name}` leads out of the samples folder {} through a symbolic link (to {}): \
             copy the program into the samples folder, or give it as `source`",
            samples.display(),
            real.display()
        )),
        (Ok(_), Ok(real)) => Ok(real),
        // Missing: reading it says so.
        _ => Ok(file),
    }
}

/// A block made ready to draw: what to ask for, and its cache key.
struct Planned {
    request: Request,
    /// The Go toolchains to draw with, side by side.
    gos: Vec<Go>,
    /// Hash of the tool, the Go toolchain, the block and the program.
    key: String,
}

/// Reads the block's spec and program and works out its cache key.
fn plan(job: &Job, settings: &Settings, go: &Go) -> Result<Planned> {
    let spec = parse_spec(&job.block.body).map_err(|e| anyhow::anyhow!("{}: {e}", job.place()))?;
    let (source, file_name) = match (&spec.sample, &spec.source) {
        (Some(name), _) => {
            let path = sample_file(&settings.samples, name)
                .map_err(|e| anyhow::anyhow!("{}: key `sample`: {e}", job.place()))?;
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!(
                    "{}: sample `{name}`: cannot read {}",
                    job.place(),
                    path.display()
                )
            })?;
            (text, "main.go".to_string())
        }
        (None, Some(text)) => (text.clone(), "main.go".to_string()),
        (None, None) => unreachable!("parse_spec requires one"),
    };
    let arches = match &spec.arch {
        None => vec!["amd64".to_string()],
        Some(block::Arches::One(a)) => vec![a.clone()],
        Some(block::Arches::Many(a)) => a.clone(),
    };
    let arches = arches
        .iter()
        .map(|a| {
            a.parse::<Arch>()
                .map_err(|e| anyhow::anyhow!("{}: key `arch`: {e}", job.place()))
        })
        .collect::<Result<Vec<_>>>()?;
    let gos = match &spec.go {
        None => vec![go.clone()],
        Some(versions) => versions
            .list()
            .iter()
            .map(|v| go.fetch(v, &|message| eprintln!("gostack: {message}")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("{}: key `go`: {e}", job.place()))?,
    };
    let request = Request {
        source,
        file_name,
        arches,
        flags: spec.flags.split_whitespace().map(str::to_string).collect(),
        at: spec.at.clone(),
        nth: spec.nth.unwrap_or(1),
        beside: spec.beside.clone(),
        goroutine: spec.goroutine,
        view: spec.view,
        to: spec.to.clone(),
        frames: spec.frames.clone(),
        fold: spec.fold,
        heap: spec.heap,
        ..Request::default()
    };
    // A drawing depends only on the tool, the Go toolchains, the block and the program.
    let key = drawing_key(&gos, &job.block.body, &request.source);
    Ok(Planned { request, gos, key })
}

/// Draws a planned block, or takes the drawing from the cache.
fn draw_planned(
    job: &Job,
    settings: &Settings,
    cache: &Cache,
    planned: &Planned,
) -> Result<Drawing> {
    let cached = cached_path(settings, &planned.key, "json");
    if let Some(d) = std::fs::read_to_string(&cached)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
    {
        return Ok(d);
    }
    let drawing = gostack_draw::draw(&planned.gos, cache, &planned.request)
        .map_err(|e| anyhow::anyhow!("{}: {e}", job.place()))?;
    store(&cached, &serde_json::to_string(&drawing)?);
    Ok(drawing)
}

/// A cache file of the drawing keyed `key`.
fn cached_path(settings: &Settings, key: &str, extension: &str) -> PathBuf {
    settings
        .cache_dir
        .join("drawings")
        .join(format!("{key}.{extension}"))
}

/// The block as the chapter shows it for `renderer` (see [`render`]); a
/// warm build reads it back from the cache without drawing or rendering.
pub fn draw_rendered(
    job: &Job,
    settings: &Settings,
    go: Option<&Go>,
    cache: &Cache,
    renderer: &str,
) -> Result<String> {
    let Some(go) = go else {
        let drawing = draw(job, settings, None, cache)?;
        check_claims(job, &drawing)?;
        return Ok(render(&drawing, renderer, &job.id()));
    };
    let planned = plan(job, settings, go)?;
    let drawing = draw_planned(job, settings, cache, &planned)?;
    check_claims(job, &drawing)?;
    // The id is part of the text (the step-through widget's element ids).
    let path = cached_path(settings, &planned.key, &format!("{}.{renderer}", job.id()));
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(text);
    }
    let text = render(&drawing, renderer, &job.id());
    store(&path, &text);
    Ok(text)
}

/// The claims of the block's `expect` that `drawing` breaks.
pub fn broken_claims(job: &Job, drawing: &Drawing) -> Result<Vec<gostack_draw::claims::Broken>> {
    let spec = parse_spec(&job.block.body).map_err(|e| anyhow::anyhow!("{}: {e}", job.place()))?;
    let claims = gostack_draw::claims::parse_all(&spec.expect)
        .map_err(|e| anyhow::anyhow!("{}: key `expect`: {e}", job.place()))?;
    Ok(gostack_draw::claims::check(&claims, drawing))
}

/// Fails, naming the block and each claim, when the drawing breaks a claim of its `expect`.
fn check_claims(job: &Job, drawing: &Drawing) -> Result<()> {
    let broken = broken_claims(job, drawing)?;
    if broken.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = broken.iter().map(|b| format!("  {b}")).collect();
    bail!(
        "{}: {} of the block's `expect` claims do not hold in its figure:\n{}\n\
         change the text and its claim to what the figure shows, or the block to draw what the text says",
        job.place(),
        broken.len(),
        lines.join("\n")
    )
}

/// The cache key of a drawing.
fn drawing_key(gos: &[Go], block: &str, source: &str) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    // The running build: a rebuilt gostack may draw differently even at the same version.
    let build = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{}:{:?}", m.len(), m.modified().ok()))
        .unwrap_or_default();
    let toolchains = gos.iter().flat_map(|go| {
        [
            go.version().raw.as_str(),
            go.goroot(),
            go.goamd64(),
            go.go386(),
        ]
    });
    for part in [env!("CARGO_PKG_VERSION"), &build]
        .into_iter()
        .chain(toolchains)
        .chain([block, source])
    {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a cache file atomically; a cache that cannot be written is only slower.
fn store(path: &Path, text: &str) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
        use std::io::Write as _;
        if tmp.write_all(text.as_bytes()).is_ok() {
            let _ = tmp.persist(path);
        }
    }
}

/// The committed copy of a block's drawing.
pub fn copy_path(job: &Job, settings: &Settings) -> PathBuf {
    settings.diagrams.join(format!("{}.json", job.id()))
}

fn read_copy(job: &Job, settings: &Settings) -> Result<Drawing> {
    let path = copy_path(job, settings);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{}: no Go is installed and there is no committed copy at {}",
            job.place(),
            path.display()
        )
    })?;
    serde_json::from_str(&text)
        .with_context(|| format!("{}: reading {}", job.place(), path.display()))
}

/// A drawing as the chapter shows it: HTML for HTML (a figure's panels as
/// inline SVGs that wrap below each other in a narrow column, a table, the
/// step-through widget), boxed text otherwise; `id` names the block.
pub fn render(drawing: &Drawing, renderer: &str, id: &str) -> String {
    let id = format!("gostack-{id}");
    let out = match drawing {
        // Each panel carries its own caption (and its SVG title).
        Drawing::Figure(_) | Drawing::Tables(_) if renderer == "html" => format!(
            "<figure class=\"gostack\">{}</figure>",
            gostack_draw::render(drawing, Format::Html, &id).trim_end()
        ),
        Drawing::Steps { .. } if renderer == "html" => {
            gostack_draw::render(drawing, Format::Html, &id)
        }
        _ => format!(
            "```text\n{}```",
            gostack_draw::render(drawing, Format::Ascii, &id)
        ),
    };
    format!("\n{}\n\n", out.trim_end())
}

/// The box shown in place of a block that failed, with `on-failure = "continue"`.
fn error_box(message: &str, renderer: &str) -> String {
    if renderer == "html" {
        format!(
            "\n<div class=\"gostack-error\" style=\"border:1px solid #c00;padding:0.5em;white-space:pre-wrap\">gostack: {}</div>\n\n",
            gostack_diagram::svg::escape(message)
        )
    } else {
        format!("\n```text\ngostack: {message}\n```\n\n")
    }
}

/// Finds Go as the settings say; `None` when there is none (the copies are used then).
pub fn find_go(settings: &Settings) -> Result<Option<Go>> {
    let found = match &settings.go {
        Some(path) => Go::at(path),
        None => Go::find_cached(&Cache::new(&settings.cache_dir)),
    };
    match found {
        Ok(go) => Ok(Some(go)),
        Err(gostack_toolchain::Error::GoNotFound) if settings.go.is_none() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Draws every job, one at a time per core, keeping their order.
pub fn draw_all(
    jobs: &[Job],
    settings: &Settings,
    go: Option<&Go>,
    cache: &Cache,
) -> Vec<Result<Drawing>> {
    in_parallel(jobs, |job| draw(job, settings, go, cache))
}

/// `work` on every job, one at a time per core, the results in job order.
fn in_parallel<T: Send>(jobs: &[Job], work: impl Fn(&Job) -> Result<T> + Sync) -> Vec<Result<T>> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(jobs.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<T>>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let result = work(job);
                    *results[i].lock().expect("no worker panics") = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .expect("no worker panics")
                .expect("every job was done")
        })
        .collect()
}

impl Preprocessor for Gostack {
    fn name(&self) -> &str {
        "gostack"
    }

    fn run(
        &self,
        ctx: &PreprocessorContext,
        mut book: Book,
    ) -> mdbook_preprocessor::errors::Result<Book> {
        let settings = Settings::from_context(ctx)?;
        let go = find_go(&settings)?;
        if go.is_none() {
            eprintln!(
                "gostack: no Go installed: the diagrams come from the committed copies in {}",
                settings.diagrams.display()
            );
        }
        let cache = Cache::new(&settings.cache_dir);
        if !runs_after_links(ctx) {
            for problem in unexpanded_includes(&book, &ctx.root, &ctx.config.book.src) {
                if !settings.keep_going {
                    bail!(problem);
                }
                eprintln!("gostack: {problem}");
            }
        }
        let mut jobs = jobs(&book);
        locate(&mut jobs, &ctx.root, &ctx.config.book.src);
        let renderer = ctx.renderer.as_str();
        let drawings = in_parallel(&jobs, |job| {
            draw_rendered(job, &settings, go.as_ref(), &cache, renderer)
        });
        let mut replacements: std::collections::HashMap<
            PathBuf,
            Vec<(std::ops::Range<usize>, String)>,
        > = std::collections::HashMap::new();
        for (job, drawing) in jobs.iter().zip(drawings) {
            let text = match drawing {
                Ok(text) => text,
                Err(e) if settings.keep_going => {
                    eprintln!("gostack: {e:#}");
                    error_box(&format!("{e:#}"), &ctx.renderer)
                }
                Err(e) => return Err(e),
            };
            replacements
                .entry(job.chapter.clone())
                .or_default()
                .push((job.block.range.clone(), text));
        }
        book.for_each_chapter_mut(|ch| {
            let Some(path) = &ch.source_path else { return };
            let Some(list) = replacements.get(path) else {
                return;
            };
            splice(&mut ch.content, list);
        });
        Ok(book)
    }
}

/// Replaces each block's range of `markdown` by its text, from the end so
/// the earlier ranges stay valid. A block inside list items or block quotes
/// keeps its place there: every line of its text after the first gets the
/// container's prefix (`> `, the item's indent), taken from the block's
/// opening line with list markers turned into spaces.
pub fn splice(markdown: &mut String, replacements: &[(Range<usize>, String)]) {
    for (range, text) in replacements.iter().rev() {
        let line_start = markdown[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let prefix: String = markdown[line_start..range.start]
            .chars()
            .map(|c| if c == '>' || c == '\t' { c } else { ' ' })
            .collect();
        let text = if prefix.is_empty() {
            text.clone()
        } else {
            text.replace('\n', &format!("\n{prefix}"))
        };
        markdown.replace_range(range.clone(), &text);
    }
}

/// Whether the book has the preprocessor run after mdBook's `links`, which
/// expands `{{#include}}`: book.toml says `after = ["links"]` (or `links`
/// says `before = ["gostack"]`), or has no `[preprocessor.gostack]` at all
/// (a preprocessor added in process then runs last).
fn runs_after_links(ctx: &PreprocessorContext) -> bool {
    let names = |key: &str| {
        ctx.config
            .get::<Vec<String>>(key)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    !ctx.config.contains_key("preprocessor.gostack")
        || names("preprocessor.gostack.after")
            .iter()
            .any(|n| n == "links")
        || names("preprocessor.links.before")
            .iter()
            .any(|n| n == "gostack")
}

/// For a book that runs the preprocessor before `links`: every
/// `{{#include}}` still in a chapter that brings in a block, which would be
/// left on the page as code.
fn unexpanded_includes(book: &Book, root: &Path, src: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for item in book.iter() {
        let BookItem::Chapter(ch) = item else {
            continue;
        };
        let Some(path) = &ch.source_path else {
            continue;
        };
        let chapter_file = include::normalize(&src.join(path));
        let dir = chapter_file.parent().unwrap_or(Path::new(""));
        for inc in include::includes(&ch.content) {
            let included = include::normalize(&dir.join(&inc.path));
            let Some(first) = include::written_blocks(root, &included).into_iter().next() else {
                continue;
            };
            problems.push(format!(
                "{}:{}: `{}` brings in a gostack block ({}:{}), but the preprocessor ran \
                 before mdBook's `links` expanded it, so it would stay a code block: \
                 add `after = [\"links\"]` under `[preprocessor.gostack]` in book.toml",
                chapter_file.display(),
                inc.line,
                inc.text,
                first.file.display(),
                first.line
            ));
        }
        for block in find_blocks(&ch.content) {
            if let Some(inc) = include::includes(&block.body).first() {
                problems.push(format!(
                    "{}:{}: the block holds `{}`, but the preprocessor ran before mdBook's \
                     `links` expanded it: add `after = [\"links\"]` under \
                     `[preprocessor.gostack]` in book.toml",
                    chapter_file.display(),
                    block.line,
                    inc.text
                ));
            }
        }
    }
    problems
}

/// Whether `path` looks like a book root (it has a `book.toml`).
pub fn is_book(path: &Path) -> bool {
    path.join("book.toml").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdbook_markdown::pulldown_cmark::{Parser, html};

    const BLOCK: &str = "```gostack\nsample = \"add\"\nat = \"add2 ret\"\n```";
    /// What the HTML renderer puts in place of a block, in shape.
    const FIGURE: &str =
        "\n<figure class=\"gostack\"><svg>stack</svg><figcaption>add2</figcaption></figure>\n\n";
    /// What the other renderers put there.
    const TEXT: &str = "\n```text\n| a = 1 |\n| b = 2 |\n```\n\n";

    /// `markdown` with every block spliced as `text`, rendered to HTML by pulldown-cmark.
    fn spliced_html(markdown: &str, text: &str) -> String {
        let blocks = find_blocks(markdown);
        assert!(!blocks.is_empty(), "no block in {markdown:?}");
        let list: Vec<_> = blocks
            .iter()
            .map(|b| (b.range.clone(), text.to_string()))
            .collect();
        let mut out = markdown.to_string();
        splice(&mut out, &list);
        let mut page = String::new();
        html::push_html(&mut page, Parser::new(&out));
        page
    }

    /// `markdown` with each line after the first prefixed.
    fn within(prefix: &str, first: &str, markdown: &str) -> String {
        let mut lines = markdown.lines();
        let mut out = format!("{first}{}\n", lines.next().unwrap());
        for l in lines {
            out.push_str(&format!("{prefix}{l}\n"));
        }
        out
    }

    #[test]
    fn a_block_in_a_list_item_stays_in_it() {
        // Ordered and bullet lists, the item's text indented 2, 3 or 4 columns.
        for (items, indent, list) in [
            (["1. ", "2. ", "3. "], "   ", "<ol>"),
            (["1.  ", "2.  ", "3.  "], "    ", "<ol>"),
            (["- ", "- ", "- "], "  ", "<ul>"),
        ] {
            for (text, shown) in [
                (FIGURE, "<figure class=\"gostack\">"),
                (TEXT, "| a = 1 |\n| b = 2 |"),
            ] {
                let md = format!(
                    "{}first\n\n{}second\n\n{}\n{}third\n",
                    items[0],
                    items[1],
                    within(indent, indent, BLOCK),
                    items[2]
                );
                let page = spliced_html(&md, text);
                assert_eq!(page.matches(list).count(), 1, "one list:\n{md}\n{page}");
                assert_eq!(page.matches("<li>").count(), 3, "{md}\n{page}");
                let second = &page[page.find("second").unwrap()..page.find("third").unwrap()];
                assert_eq!(second.matches("</li>").count(), 1, "{page}");
                let shown_at = second.find(shown);
                assert!(
                    shown_at < second.find("</li>"),
                    "in the 2nd item:\n{md}\n{page}"
                );
            }
        }
    }

    #[test]
    fn a_block_opening_a_list_item_stays_in_it() {
        let md = format!("- first\n{}- third\n", within("  ", "- ", BLOCK));
        let page = spliced_html(&md, FIGURE);
        assert_eq!(page.matches("<ul>").count(), 1, "one list: {page}");
        assert_eq!(page.matches("<li>").count(), 3, "{page}");
        let second = &page[page.find("first").unwrap()..page.find("third").unwrap()];
        assert!(second.find("<figure") < second.rfind("</li>"), "{page}");
    }

    #[test]
    fn a_block_in_nested_lists_and_quotes_stays_in_them() {
        // A nested list: the figure in the inner item b.
        let md = format!(
            "- a\n  - b\n\n{}\n  - c\n- d\n",
            within("    ", "    ", BLOCK)
        );
        let page = spliced_html(&md, FIGURE);
        assert_eq!(page.matches("<ul>").count(), 2, "{page}");
        assert_eq!(page.matches("<li>").count(), 4, "{page}");
        let b = &page[page.find("b</p>").unwrap()..page.find("c</p>").unwrap()];
        assert!(b.find("<figure") < b.find("</li>"), "{page}");

        // A quote, a quote in a quote, a list in a quote, a quote in a list:
        // the figure, then `quoted` in the same innermost container.
        let cases = [
            (
                format!("{}>\n> quoted\n", within("> ", "> ", BLOCK)),
                "<blockquote>\n",
            ),
            (
                format!("{}> >\n> > quoted\n", within("> > ", "> > ", BLOCK)),
                "<blockquote>\n<blockquote>\n",
            ),
            (
                format!(
                    "> 1. one\n>\n{}>\n>    quoted\n> 2. two\n",
                    within(">    ", ">    ", BLOCK)
                ),
                "<blockquote>\n<ol>\n<li>\n<p>one</p>\n",
            ),
            (
                format!(
                    "1. one\n\n{}   >\n   > quoted\n2. two\n",
                    within("   > ", "   > ", BLOCK)
                ),
                "<ol>\n<li>\n<p>one</p>\n<blockquote>\n",
            ),
        ];
        for (md, opened) in cases {
            let md = format!("{md}\nafter\n");
            for (text, shown) in [(FIGURE, "<figure"), (TEXT, "| a = 1 |")] {
                let page = spliced_html(&md, text);
                let at = page.find(shown).unwrap_or_else(|| panic!("{md}\n{page}"));
                assert!(page[..at].starts_with(opened), "{md}\n{page}");
                let quoted = page.find("quoted").unwrap();
                let between = &page[at..quoted];
                assert!(
                    !between.contains("</blockquote>") && !between.contains("</li>"),
                    "the container goes on after the figure:\n{md}\n{page}"
                );
                assert_eq!(
                    page.matches("<blockquote>").count(),
                    opened.matches("<blockquote>").count(),
                    "{md}\n{page}"
                );
                assert!(page.ends_with("<p>after</p>\n"), "{md}\n{page}");
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn samples_are_folders_inside_the_samples_folder() {
        let dir = tempfile::TempDir::new().unwrap();
        let samples = dir.path().join("samples");
        for folder in ["samples/add", "samples/more/deep", "elsewhere"] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
            std::fs::write(dir.path().join(folder).join("main.go"), "package main\n").unwrap();
        }
        std::os::unix::fs::symlink(samples.join("add"), samples.join("alias")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), samples.join("out")).unwrap();
        let real = samples.canonicalize().unwrap();
        assert_eq!(sample_file(&samples, "add"), Ok(real.join("add/main.go")));
        assert_eq!(
            sample_file(&samples, "./more/deep"),
            Ok(real.join("more/deep/main.go"))
        );
        assert_eq!(sample_file(&samples, "alias"), Ok(real.join("add/main.go")));
        for name in ["/etc", "..", "../elsewhere", "add/../../elsewhere", "", "."] {
            let err = sample_file(&samples, name).unwrap_err();
            assert!(
                err.contains("is not a folder inside the samples folder"),
                "{name}: {err}"
            );
        }
        let err = sample_file(&samples, "out").unwrap_err();
        assert!(err.contains("leads out of the samples folder"), "{err}");
    }

    #[test]
    fn a_block_at_the_top_level_is_spliced_as_it_is() {
        let md = format!("# T\n\ntext\n\n{BLOCK}\n\nmore\n");
        let blocks = find_blocks(&md);
        let mut out = md.clone();
        splice(&mut out, &[(blocks[0].range.clone(), FIGURE.to_string())]);
        assert_eq!(out, format!("# T\n\ntext\n\n{FIGURE}\n\nmore\n"));
    }
}
