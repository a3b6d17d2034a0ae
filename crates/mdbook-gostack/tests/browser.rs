//! The step-through in a real browser: headless Chromium loads a built page,
//! presses "next" N times through the widget's own buttons, and the page
//! then shows the instruction and stack words of step N of the trace.

use std::path::{Path, PathBuf};
use std::process::Command;

use mdbook_driver::MDBook;

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::var("PATH").unwrap_or_default().split(':') {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("no Chromium found: install Debian's `chromium` package (.ci/run does)");
}

fn book(theme: &str) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../go-samples")
        .canonicalize()
        .unwrap();
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("book-cache");
    std::fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"t\"\n\n[preprocessor.gostack]\nsamples = {:?}\ncache-dir = {:?}\n\n[output.html]\ndefault-theme = \"{theme}\"\npreferred-dark-theme = \"{theme}\"\n",
            samples.display().to_string(),
            cache.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n- [Steps](steps.md)\n",
    )
    .unwrap();
    let block = "```gostack\nsample = \"add\"\nflags = \"-N -l\"\nat = \"add1 entry\"\nto = \"after call add1\"\nview = \"steps\"\n```\n";
    std::fs::write(
        root.join("src/steps.md"),
        format!("# Steps\n\n{block}\nSecond one:\n\n{block}"),
    )
    .unwrap();
    let mut md = MDBook::load(root).unwrap();
    md.with_preprocessor(mdbook_gostack::Gostack);
    md.build().unwrap();
    dir
}

fn dump_dom(page: &Path, query: &str) -> String {
    let out = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("file://{}{query}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of the first element with `class` inside the first widget, cells joined by `|`.
fn rows_of(dom: &str, table_class: &str) -> Vec<String> {
    let start = dom.find(&format!("class=\"{table_class}\"")).unwrap();
    let end = start + dom[start..].find("</table>").unwrap();
    dom[start..end]
        .split("<tr")
        .skip(1)
        .map(|tr| {
            let current = tr.starts_with(" class=\"gs-current\"")
                || tr.starts_with(" data-row") && tr.contains("class=\"gs-current\"");
            let cells: Vec<String> = tr
                .split("<td>")
                .skip(1)
                .map(|td| {
                    td.split("</td>")
                        .next()
                        .unwrap()
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&")
                })
                .collect();
            format!("{}{}", if current { "> " } else { "" }, cells.join("|"))
        })
        .collect()
}

#[test]
fn next_n_times_shows_step_n() {
    let dir = book("light");
    let page = dir.path().join("book/steps.html");
    // What step N must show, from the trace directly (no deltas).
    let go = gostack_toolchain::Go::find().unwrap();
    let cache =
        gostack_toolchain::Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("book-cache"));
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples/add/main.go"),
    )
    .unwrap();
    let request = gostack_toolchain::CompileRequest::new(source, gostack_emu::Arch::Amd64)
        .with_flags(["-N", "-l"]);
    let traced = gostack_draw::trace(
        &go,
        &cache,
        &request,
        gostack_draw::TRACED_MAX_STEPS,
        gostack_emu::Config::DEFAULT_MEMORY_LIMIT,
    )
    .unwrap();
    let from = gostack_draw::Moment::parse("add1 entry")
        .unwrap()
        .resolve(&traced.run, 1, None)
        .unwrap();
    for n in [0usize, 1, 5, 11] {
        let dom = dump_dom(&page, &format!("?gostack-press=gostack-steps-1-0:{n}"));
        let expected = gostack_draw::views::steps(&traced.run, from + n, from + n, "");
        let state = &expected.steps[0];
        // The highlighted instruction.
        let listing = rows_of(&dom, "gs-listing");
        let current: Vec<&String> = listing.iter().filter(|r| r.starts_with("> ")).collect();
        let want_row = &expected.listing[state.row.unwrap()];
        assert_eq!(
            current.len(),
            1,
            "step {n}: one highlighted row in {listing:#?}"
        );
        assert!(
            current[0].starts_with(&format!("> {}|", want_row.at)),
            "step {n}: {} != {}",
            current[0],
            want_row.at
        );
        // Every stack word at or above SP, with its label and value.
        let stack = rows_of(&dom, "gs-stack");
        let mut want: Vec<(u64, String, String)> = state
            .words
            .iter()
            .filter(|w| w.0 >= state.sp)
            .cloned()
            .collect();
        want.sort_by_key(|w| std::cmp::Reverse(w.0));
        assert_eq!(stack.len(), want.len(), "step {n}: {stack:#?}");
        for (row, (addr, label, value)) in stack.iter().zip(&want) {
            let off = addr - state.sp;
            assert!(
                row.starts_with(&format!("+{off}(SP)|{label}|{value}|")),
                "step {n}: {row} vs {label} = {value}"
            );
        }
        // The second widget on the page did not move.
        let second = &dom[dom.rfind("class=\"gostack-steps\"").unwrap()..];
        assert!(
            second.contains("data-step=\"0\""),
            "widgets are independent"
        );
    }
}

#[test]
fn screenshots_in_light_and_dark_themes() {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for theme in ["light", "coal"] {
        let dir = book(theme);
        let page = dir.path().join("book/steps.html");
        let png = shots.join(format!("steps-{theme}.png"));
        let out = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1300,900",
            ])
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!(
                "file://{}?gostack-press=gostack-steps-1-0:8",
                page.display()
            ))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let size = std::fs::metadata(&png).unwrap().len();
        assert!(
            size > 20_000,
            "{theme}: a real screenshot, not a blank page ({size} bytes)"
        );
    }
}
