//! `cargo xtask check`: redraws every diagram of the notes with the installed
//! Go and compares it with its committed copy, so a Go version that changes
//! a picture is noticed.

use anyhow::{Context as _, Result, bail};
use gostack_draw::Drawing;
use mdbook_driver::MDBook;
use mdbook_preprocessor::PreprocessorContext;
use similar::{ChangeTag, TextDiff};

use crate::project_root;

/// The Go version a drawing was made with.
fn go_version(d: &Drawing) -> String {
    match d {
        Drawing::Figure(f) => f
            .panels
            .first()
            .map(|p| p.caption.go_version.clone())
            .unwrap_or_default(),
        Drawing::Steps { first, .. } => first
            .panels
            .first()
            .map(|p| p.caption.go_version.clone())
            .unwrap_or_default(),
        Drawing::Tables(t) => t
            .first()
            .and_then(|t| {
                t.caption
                    .split(" · ")
                    .find(|part| part.starts_with("go"))
                    .map(|p| p.split(' ').next().unwrap_or(p).to_string())
            })
            .unwrap_or_default(),
    }
}

/// The text form of a drawing, for diffs.
fn text(d: &Drawing) -> String {
    match d {
        Drawing::Figure(f) => gostack_diagram::ascii::render(f),
        Drawing::Tables(t) => t.iter().map(gostack_diagram::ascii::table).collect(),
        Drawing::Steps { steps, first, last } => {
            let mut out = gostack_diagram::ascii::render(first);
            out.push_str(&gostack_diagram::ascii::render(last));
            for s in steps {
                for (i, d) in s.steps.iter().enumerate() {
                    out.push_str(&format!(
                        "step {i}: {} sp={:#x} {:?} {:?}\n",
                        d.at, d.sp, d.words, d.regs
                    ));
                }
            }
            out
        }
    }
}

/// Compares (or, with `bless`, records) every diagram; true when nothing drifted.
pub(crate) fn run(bless: bool) -> Result<bool> {
    let root = project_root().join("book");
    let book =
        MDBook::load(&root).with_context(|| format!("loading the book in {}", root.display()))?;
    let ctx = PreprocessorContext::new(root.clone(), book.config.clone(), "html".into());
    let settings = mdbook_gostack::Settings::from_context(&ctx)?;
    let Some(go) = mdbook_gostack::find_go(&settings)? else {
        bail!("no Go found: install Go (or set GOSTACK_GO) to redraw the diagrams");
    };
    let cache = gostack_toolchain::Cache::new(&settings.cache_dir);
    let jobs = mdbook_gostack::jobs(&book.book);
    eprintln!(
        "redrawing {} diagrams with {} ...",
        jobs.len(),
        go.version()
    );
    let drawings = mdbook_gostack::draw_all(&jobs, &settings, Some(&go), &cache);
    let mut drifted = 0;
    let mut missing = 0;
    std::fs::create_dir_all(&settings.diagrams)?;
    for (job, drawing) in jobs.iter().zip(drawings) {
        let new = drawing?;
        let path = mdbook_gostack::copy_path(job, &settings);
        let json = serde_json::to_string_pretty(&new)? + "\n";
        if bless {
            std::fs::write(&path, &json).with_context(|| format!("writing {}", path.display()))?;
            continue;
        }
        let Ok(old_json) = std::fs::read_to_string(&path) else {
            println!(
                "{}: no committed copy at {} (run `cargo xtask check --bless`)",
                job.place(),
                path.display()
            );
            missing += 1;
            continue;
        };
        if old_json == json {
            continue;
        }
        drifted += 1;
        let old: Drawing = serde_json::from_str(&old_json)
            .with_context(|| format!("reading {}", path.display()))?;
        println!(
            "{}: the diagram changed ({} -> {})",
            job.place(),
            go_version(&old),
            go_version(&new)
        );
        let (a, b) = (text(&old), text(&new));
        for change in TextDiff::from_lines(&a, &b).iter_all_changes() {
            let sign = match change.tag() {
                ChangeTag::Delete => "-",
                ChangeTag::Insert => "+",
                ChangeTag::Equal => continue,
            };
            print!("  {sign} {change}");
        }
    }
    if bless {
        eprintln!(
            "recorded {} diagrams in {}",
            jobs.len(),
            settings.diagrams.display()
        );
        return Ok(true);
    }
    eprintln!(
        "{} diagrams: {} unchanged, {drifted} changed, {missing} without a copy",
        jobs.len(),
        jobs.len() - drifted - missing
    );
    Ok(drifted == 0 && missing == 0)
}
