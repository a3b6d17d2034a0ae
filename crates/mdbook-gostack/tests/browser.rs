//! Built pages in a real browser: headless Chromium at a 1280x800 viewport.
//! The shipped pages carry no test hook: the test writes a copy of a page
//! beside it with a probe script added, which presses the widget's own
//! buttons or measures what is drawn and writes the result into the page,
//! and reads it back from `--dump-dom`.
//!
//! It checks that every figure's text renders at 12 px or more in the
//! notes (each chapter and `print.html`, light and coal themes), that
//! panels too wide to sit side by side wrap below each other, and that
//! the step-through shows at each step the frame picture of the static
//! figure at that step, and screenshots every chapter in the light and the
//! coal theme (in `target/tmp/screenshots/chapters`, to be looked at).

use std::path::{Path, PathBuf};
use std::process::Command;

use gostack_diagram::RowKind;
use gostack_diagram::steps::{Picture, PictureRow};
use mdbook_driver::MDBook;
use serde_json::Value;

/// The smallest text a figure may show, in CSS pixels.
const MIN_TEXT_PX: f64 = 12.0;

fn chromium() -> PathBuf {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(|name| which::which(name).ok())
        .expect("no Chromium found: install Debian's `chromium` package (.ci/run does)")
}

fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("book-cache")
}

/// A book of one chapter with two step-throughs of `add` from `add1 entry`
/// to `after call add1`.
fn steps_book(theme: &str) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../go-samples")
        .canonicalize()
        .unwrap();
    std::fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"t\"\n\n[preprocessor.gostack]\nsamples = {:?}\ncache-dir = {:?}\n\n[output.html]\ndefault-theme = \"{theme}\"\npreferred-dark-theme = \"{theme}\"\n",
            samples.display().to_string(),
            cache_dir().display().to_string()
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

/// Helpers every probe has: `report(value)` writes the result into the
/// page as ASCII-only JSON, so no character turns into an HTML entity.
const PROBE_LIB: &str = r#"
function report(value) {
  var pre = document.createElement('pre');
  pre.id = 'gostack-probe';
  pre.textContent = JSON.stringify(value).replace(/[^\x20-\x7e]|[<>&]/g, function (c) {
    return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
  });
  document.body.appendChild(pre);
}
"#;

/// Loads a copy of `page` with `script` added at the end of its body
/// (run at the page's `load` event), and returns what it reported; or
/// takes a screenshot of a window `height` pixels tall (1280 wide).
fn probe(page: &Path, script: &str, screenshot: Option<(&Path, u32)>) -> Value {
    let html = std::fs::read_to_string(page).unwrap();
    let at = html.rfind("</body>").expect("a whole page");
    let copy = page.with_file_name(format!(
        "probe-{}",
        page.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(
        &copy,
        format!(
            "{}<script>{PROBE_LIB}\nwindow.addEventListener('load', function () {{\n{script}\n}});</script>{}",
            &html[..at],
            &html[at..]
        ),
    )
    .unwrap();
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--virtual-time-budget=10000",
    ]);
    match screenshot {
        Some((png, height)) => cmd.args([
            format!("--window-size=1280,{height}"),
            format!("--screenshot={}", png.display()),
        ]),
        None => cmd.args(["--window-size=1280,800", "--dump-dom"]),
    };
    let out = cmd
        .arg(format!("file://{}", copy.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if screenshot.is_some() {
        return Value::Null;
    }
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("<pre id=\"gostack-probe\">")
        .unwrap_or_else(|| panic!("the probe did not report on {}", page.display()))
        + "<pre id=\"gostack-probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    serde_json::from_str(&dom[start..end]).unwrap()
}

/// Measures every figure text on the page in the theme it opens with and
/// in `coal`: the font size times the SVG's scale on screen, and whether a
/// figure's panels wrap where they do not fit side by side.
const MEASURE: &str = r#"
function texts() {
  var out = [];
  document.querySelectorAll('svg.gostack text').forEach(function (t) {
    var m = t.getScreenCTM();
    var scale = m ? Math.hypot(m.a, m.b) : 0;
    out.push([parseFloat(getComputedStyle(t).fontSize) * scale, t.textContent]);
  });
  document.querySelectorAll('.gostack-steps *').forEach(function (e) {
    var own = Array.prototype.some.call(e.childNodes, function (n) {
      return n.nodeType === 3 && n.textContent.trim();
    });
    if (own) out.push([parseFloat(getComputedStyle(e).fontSize), e.textContent]);
  });
  return out;
}
var html = document.documentElement, result = {themes: {}, figures: []};
['start', 'coal'].forEach(function (theme) {
  if (theme === 'coal') {
    ['light', 'rust', 'navy', 'ayu'].forEach(function (c) { html.classList.remove(c); });
    html.classList.add('coal');
  }
  var first = document.querySelector('svg.gostack text');
  result.themes[theme] = {
    texts: texts(),
    fill: first ? getComputedStyle(first).fill : null
  };
});
document.querySelectorAll('.gostack-panels').forEach(function (f) {
  var boxes = Array.prototype.map.call(f.querySelectorAll('svg'), function (s) {
    var r = s.getBoundingClientRect();
    return [r.left, r.top, r.width];
  });
  result.figures.push({column: f.clientWidth, panels: boxes});
});
result.overflow = html.scrollWidth - html.clientWidth;
report(result);
"#;

/// The notes of `book/`, built into a temporary directory, opening in `theme`.
fn notes(theme: &str) -> tempfile::TempDir {
    let out = tempfile::TempDir::new().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book");
    let mut md = MDBook::load(&root).unwrap();
    md.config.build.build_dir = out.path().to_path_buf();
    md.config
        .set(
            "preprocessor.gostack.cache-dir",
            cache_dir().display().to_string(),
        )
        .unwrap();
    md.config.set("output.html.default-theme", theme).unwrap();
    md.with_preprocessor(mdbook_gostack::Gostack);
    md.build().unwrap();
    out
}

/// The pages of built notes: each chapter and `print.html`.
fn pages(dir: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.ends_with(".html")
                && !name.starts_with("probe-")
                && name != "404.html"
                && name != "toc.html"
        })
        .collect();
    pages.sort();
    assert!(pages.iter().any(|p| p.ends_with("print.html")));
    pages
}

#[test]
fn every_figure_text_is_readable_at_book_width() {
    let dir = notes("light");
    let pages = pages(dir.path());
    let (mut texts, mut wrapped) = (0, 0);
    for page in &pages {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        let result = probe(page, MEASURE, None);
        let fills: Vec<&Value> = ["start", "coal"]
            .iter()
            .map(|t| &result["themes"][t]["fill"])
            .collect();
        if !fills[0].is_null() {
            assert_ne!(fills[0], fills[1], "{name}: text follows the theme");
        }
        for theme in ["start", "coal"] {
            for t in result["themes"][theme]["texts"].as_array().unwrap() {
                let px = t[0].as_f64().unwrap();
                assert!(
                    px >= MIN_TEXT_PX,
                    "{name} ({theme}): {:?} renders at {px:.1} px",
                    t[1]
                );
                texts += 1;
            }
        }
        for f in result["figures"].as_array().unwrap() {
            let column = f["column"].as_f64().unwrap();
            let panels = f["panels"].as_array().unwrap();
            let total: f64 = panels.iter().map(|p| p[2].as_f64().unwrap()).sum();
            if panels.len() > 1 && total > column {
                wrapped += 1;
                let tops: Vec<f64> = panels.iter().map(|p| p[1].as_f64().unwrap()).collect();
                assert!(
                    tops.windows(2).all(|w| w[1] > w[0]),
                    "{name}: panels {total} px wide in a {column} px column wrap below each other: {panels:?}"
                );
            }
        }
        assert!(
            result["overflow"].as_f64().unwrap() <= 0.0,
            "{name}: the page does not scroll sideways"
        );
    }
    assert!(texts > 1000, "the figures were measured: {texts} texts");
    assert!(wrapped > 0, "the side-by-side figures wrap at this width");
}

/// The state of the first widget after pressing its "next" button up to
/// each count of `PLAN`, then "last" and "previous" (the step before the
/// last), and the step the second widget is at.
const STEP_THROUGH: &str = r#"
function state(root) {
  var full = function (td) { return td.title || td.textContent; };
  var current = root.querySelector('.gs-listing tr.gs-current');
  var frames = [], dead = [];
  root.querySelectorAll('.gs-stack tbody').forEach(function (tb) {
    var rows = Array.prototype.map.call(tb.rows, function (tr) {
      var c = tr.cells;
      return {
        addr: +tr.dataset.addr,
        kind: tr.className.replace(' gs-changed', '').replace('gs-', ''),
        text: full(c[1]),
        offsets: c[2].textContent,
        arrows: c[3].textContent.replace(/^\u2190 /, ''),
        changed: tr.classList.contains('gs-changed')
      };
    });
    if (tb.className === 'gs-dead') dead = rows;
    else frames.push({func: tb.rows[0].cells[0].textContent, rows: rows});
  });
  return {
    step: +root.dataset.step,
    current: current ? current.cells[0].textContent : null,
    frames: frames,
    dead: dead,
    regs: Array.prototype.map.call(root.querySelectorAll('.gs-regs span'), function (s) {
      return s.textContent;
    })
  };
}
var widgets = document.querySelectorAll('.gostack-steps'), root = widgets[0];
var n = JSON.parse(root.querySelector('script[type="application/json"]').textContent).steps.length;
var states = [state(root)];
for (var i = 1; i < n; i++) {
  root.querySelector('.gs-next').click();
  states.push(state(root));
}
root.querySelector('.gs-first').click();
root.querySelector('.gs-last').click();
root.querySelector('.gs-prev').click();
report({states: states, back: state(root), second: +widgets[1].dataset.step});
"#;

fn row_of(v: &Value) -> PictureRow {
    let kind: RowKind =
        serde_json::from_value(Value::String(v["kind"].as_str().unwrap().to_string())).unwrap();
    PictureRow {
        addr: v["addr"].as_u64().unwrap(),
        text: v["text"].as_str().unwrap().to_string(),
        offsets: v["offsets"].as_str().unwrap().to_string(),
        kind,
        changed: v["changed"].as_bool().unwrap(),
        arrows: v["arrows"].as_str().unwrap().to_string(),
    }
}

/// The picture a widget shows, with its registers as `AX = 21`.
fn shown(state: &Value) -> (Picture, Vec<String>) {
    let rows = |v: &Value| v.as_array().unwrap().iter().map(row_of).collect();
    let picture = Picture {
        frames: state["frames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["func"].as_str().unwrap().to_string(), rows(&f["rows"])))
            .collect(),
        dead: rows(&state["dead"]),
        registers: Vec::new(),
    };
    let regs = state["regs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    (picture, regs)
}

#[test]
fn each_step_shows_the_static_figure_of_that_step() {
    let dir = steps_book("light");
    let page = dir.path().join("book/steps.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let script = &html[html.find("window.gostackSteps").unwrap()..];
    let script = &script[..script.find("</script>").unwrap()];
    assert!(
        !script.contains("location"),
        "the shipped script reads nothing from the address: {script}"
    );
    // What each step must show, from the trace directly: the static figure.
    let go = gostack_toolchain::Go::find().unwrap();
    let cache = gostack_toolchain::Cache::new(cache_dir());
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples/add/main.go"),
    )
    .unwrap();
    let request = gostack_toolchain::CompileRequest::new(source, gostack_emu::Arch::Amd64)
        .with_flags(["-N", "-l"]);
    let traced =
        gostack_draw::trace(&go, &cache, &request, &gostack_draw::Bounds::default()).unwrap();
    let run = &traced.run;
    let from = gostack_draw::Moment::parse("add1 entry")
        .unwrap()
        .resolve(run, 1, None)
        .unwrap();
    let to = gostack_draw::Moment::parse("after call add1")
        .unwrap()
        .resolve_after(run, from, None)
        .unwrap();
    let trace = run.trace.as_ref().unwrap();
    let package: Vec<usize> = (from..=to)
        .filter(|&i| run.layout.in_package(trace.steps[i].pc()))
        .collect();
    let info = gostack_draw::CaptionInfo {
        go_version: String::new(),
        flags: String::new(),
        event: String::new(),
    };
    let expected = |i: usize| {
        let mut d = gostack_draw::stack_diagram(run, i, &info);
        gostack_draw::focus(&mut d, &gostack_draw::Frames::Focus, false);
        d
    };

    let result = probe(&page, STEP_THROUGH, None);
    let states = result["states"].as_array().unwrap();
    assert_eq!(
        states.len(),
        package.len(),
        "one widget step per package step"
    );
    assert!(states.len() > 20);
    let mut popped = 0;
    for (n, (state, &i)) in states.iter().zip(&package).enumerate() {
        assert_eq!(state["step"], n, "next pressed {n} times shows step {n}");
        let want = expected(i);
        let loc = run.layout.location(trace.steps[i].pc());
        assert_eq!(
            state["current"].as_str(),
            Some(format!("{}+{:#x}", loc.func, loc.offset).as_str()),
            "step {n}: the highlighted instruction"
        );
        let (picture, regs) = shown(state);
        let mut want_picture = Picture::of(&want);
        want_picture.registers.clear();
        assert_eq!(picture, want_picture, "step {n} (trace step {i})");
        let want_regs: Vec<String> = want
            .registers
            .iter()
            .map(|r| format!("{} = {}", r.name, r.shown()))
            .collect();
        assert_eq!(regs, want_regs, "step {n}: registers");
        popped += usize::from(!picture.dead.is_empty());
    }
    assert!(popped > 0, "some steps show popped words");
    let last = states.len() - 1;
    assert_eq!(
        shown(&result["back"]),
        shown(&states[last - 1]),
        "back from the last step"
    );
    assert_eq!(result["second"], 0, "widgets are independent");
}

/// The mean brightness of a PNG's pixels, 0 (black) to 255 (white).
fn brightness(png_file: &Path) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_file).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let rgb: Vec<f64> = pixels
        .chunks(channels)
        .map(|p| p.iter().take(3).map(|&c| f64::from(c)).sum::<f64>() / 3.0)
        .collect();
    rgb.iter().sum::<f64>() / rgb.len() as f64
}

/// Every chapter, scrolled to its first figure, in the light and the coal
/// theme: the screenshots are written to `target/tmp/screenshots/chapters`
/// to be looked at; each is a real picture in its theme's colours.
#[test]
fn every_chapter_in_light_and_coal() {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots/chapters");
    std::fs::create_dir_all(&shots).unwrap();
    let scroll = "var f = document.querySelector('figure.gostack, main h1');\
                  if (f) f.scrollIntoView();";
    let mut light = Vec::new();
    for theme in ["light", "coal"] {
        let dir = notes(theme);
        for page in pages(dir.path()) {
            let name = page.file_stem().unwrap().to_string_lossy().into_owned();
            let png_file = shots.join(format!("{name}-{theme}.png"));
            probe(&page, scroll, Some((&png_file, 2400)));
            let size = std::fs::metadata(&png_file).unwrap().len();
            assert!(
                size > 20_000,
                "{name} ({theme}): a blank page? ({size} bytes)"
            );
            let b = brightness(&png_file);
            if theme == "light" {
                assert!(b > 180.0, "{name}: the light theme is light (mean {b:.0})");
                light.push(name);
            } else {
                assert!(b < 100.0, "{name}: the coal theme is dark (mean {b:.0})");
                assert!(light.contains(&name), "{name}: a page in both themes");
            }
        }
    }
    assert!(light.len() >= 12, "every chapter: {light:?}");
}

#[test]
fn screenshots_in_light_and_dark_themes() {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for theme in ["light", "coal"] {
        let dir = steps_book(theme);
        let page = dir.path().join("book/steps.html");
        let png = shots.join(format!("steps-{theme}.png"));
        let press = "var r = document.querySelector('.gostack-steps');\
                     for (var i = 0; i < 8; i++) r.querySelector('.gs-next').click();\
                     r.scrollIntoView();";
        probe(&page, press, Some((&png, 800)));
        let size = std::fs::metadata(&png).unwrap().len();
        assert!(
            size > 20_000,
            "{theme}: a real screenshot, not a blank page ({size} bytes)"
        );
    }
}
