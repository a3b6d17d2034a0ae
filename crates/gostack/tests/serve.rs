//! `gostack serve` as a writer and as a stranger meet it: the real server,
//! driven over HTTP and in headless Chromium through the DevTools protocol.
//!
//! The page is loaded, a program with a compile error is shown at its
//! line, the sample is built, an instruction and an event are clicked,
//! the stack is stepped, and the block the page offers is built in a real
//! book, whose figure must be the page's. Another origin, a request without
//! the token, a compile that does not end and a program that allocates
//! without end are each refused, and the page goes on working. Screenshots
//! land in `target/tmp/screenshots/serve`, to be looked at.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// A running `gostack serve`, killed when dropped.
struct Served {
    child: Child,
    port: u16,
    token: String,
}

impl Served {
    fn start(extra: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gostack"))
            .arg("serve")
            .args(extra)
            .env(
                "GOSTACK_CACHE",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
            )
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("gostack: the explorer is at http://127.0.0.1:")
            .unwrap_or_else(|| panic!("{line}"));
        let (port, token) = url.split_once("/?token=").unwrap();
        Served {
            child,
            port: port.parse().unwrap(),
            token: token.to_string(),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.port, self.token)
    }

    /// Sends `head` (request line and headers, without the final blank
    /// line) and `body`; the status and the body of the answer.
    fn http(&self, head: &str, body: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let request = format!(
            "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        (status, body.to_string())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sample_source() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples/add/main.go"),
    )
    .unwrap()
}

#[test]
fn another_origin_another_host_and_a_missing_token_are_refused() {
    let served = Served::start(&[]);
    let port = served.port;
    let host = format!("Host: 127.0.0.1:{port}");
    let body = json!({"source": sample_source(), "arch": "amd64"}).to_string();
    let token = format!("x-gostack-token: {}", served.token);

    let (status, page) = served.http(
        &format!("GET /?token={} HTTP/1.1\r\n{host}", served.token),
        "",
    );
    assert_eq!(status, 200);
    assert!(page.contains("gostack explorer"));
    let (status, page) = served.http(&format!("GET / HTTP/1.1\r\n{host}"), "");
    assert_eq!(status, 403);
    assert!(!page.contains(&served.token), "{page}");
    // A name rebound to 127.0.0.1 reaches the port with another Host.
    let (status, _) = served.http(
        &format!(
            "GET /?token={} HTTP/1.1\r\nHost: rebound.example:{port}",
            served.token
        ),
        "",
    );
    assert_eq!(status, 403);
    let (status, _) = served.http(&format!("POST /api/build HTTP/1.1\r\n{host}"), &body);
    assert_eq!(status, 403);
    let (status, refusal) = served.http(
        &format!("POST /api/build HTTP/1.1\r\n{host}\r\n{token}\r\nOrigin: http://evil.example"),
        &body,
    );
    assert_eq!(status, 403, "{refusal}");
    // The preflight another origin's browser sends first is not granted.
    let (status, _) = served.http(
        &format!(
            "OPTIONS /api/build HTTP/1.1\r\n{host}\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: x-gostack-token"
        ),
        "",
    );
    assert_eq!(status, 403);
    // The page's own request is answered.
    let (status, built) = served.http(
        &format!(
            "POST /api/build HTTP/1.1\r\n{host}\r\n{token}\r\nOrigin: http://127.0.0.1:{port}"
        ),
        &body,
    );
    assert_eq!(status, 200, "{built}");
    let built: Value = serde_json::from_str(&built).unwrap();
    assert_eq!(built["ended"], "exit status 0");
    // A flag that would write a file is refused, as the book refuses it.
    let flagged = json!({"source": sample_source(), "arch": "amd64", "flags": "-o /tmp/x"});
    let (status, refusal) = served.http(
        &format!("POST /api/build HTTP/1.1\r\n{host}\r\n{token}"),
        &flagged.to_string(),
    );
    assert_eq!(status, 422);
    assert!(refusal.contains("-o"), "{refusal}");
    // A program is main.go alone: `//go:embed` has nothing to name.
    let embedding = json!({"arch": "amd64", "source":
        "package main\n\nimport _ \"embed\"\n\n//go:embed main.go\nvar s string\n\nfunc main() { println(s) }\n"});
    let (status, refusal) = served.http(
        &format!("POST /api/build HTTP/1.1\r\n{host}\r\n{token}"),
        &embedding.to_string(),
    );
    assert_eq!(status, 422);
    assert!(
        refusal.contains("main.go:5:3: invalid go:embed"),
        "{refusal}"
    );
}

/// Headless Chromium driven over the DevTools protocol, closed when dropped.
struct Browser {
    child: Child,
    ws: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next: u64,
    _profile: tempfile::TempDir,
}

fn chromium() -> PathBuf {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(|name| which::which(name).ok())
        .expect("no Chromium found: install Debian's `chromium` package (.ci/run does)")
}

impl Browser {
    fn start() -> Browser {
        let profile = tempfile::TempDir::new().unwrap();
        let mut child = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1400,900",
                "--remote-debugging-port=0",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port: u16 = loop {
            let line = lines
                .next()
                .expect("Chromium printed its DevTools address")
                .unwrap();
            if let Some(rest) = line.strip_prefix("DevTools listening on ws://127.0.0.1:") {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Chromium goes on writing to stderr; nobody reads it after this.
        std::thread::spawn(move || lines.for_each(drop));
        let list = devtools_list(port);
        let targets: Value = serde_json::from_str(&list).unwrap();
        let page = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .expect("a page target");
        let (ws, _) = tungstenite::connect(page["webSocketDebuggerUrl"].as_str().unwrap()).unwrap();
        Browser {
            child,
            ws,
            next: 1,
            _profile: profile,
        }
    }

    /// Calls a DevTools method and waits for its answer.
    fn send(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        let message = json!({"id": id, "method": method, "params": params});
        self.ws
            .send(tungstenite::Message::text(message.to_string()))
            .unwrap();
        loop {
            let answer = self.ws.read().unwrap();
            let Ok(text) = answer.to_text() else { continue };
            let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            if value["id"] == id {
                assert!(value["error"].is_null(), "{method}: {value}");
                return value["result"].clone();
            }
        }
    }

    /// Evaluates `js` in the page, awaiting a promise; its value.
    fn eval(&mut self, js: &str) -> Value {
        let result = self.send(
            "Runtime.evaluate",
            json!({"expression": js, "awaitPromise": true, "returnByValue": true}),
        );
        assert!(result["exceptionDetails"].is_null(), "{js}: {result}");
        result["result"]["value"].clone()
    }

    /// Waits until `condition` (JavaScript) is true; gives up after two minutes.
    fn wait(&mut self, condition: &str) {
        let start = Instant::now();
        while self.eval(&format!("!!({condition})")) != Value::Bool(true) {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "waited two minutes for {condition}; status: {}; errors: {}",
                self.eval("document.getElementById('status').textContent"),
                self.eval("document.getElementById('errors').textContent"),
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn open(&mut self, url: &str) {
        self.send("Page.enable", json!({}));
        self.send("Page.navigate", json!({"url": url}));
        self.wait("document.readyState === 'complete' && document.getElementById('build')");
    }

    /// Puts `source` in the editor and builds it; waits for the answer.
    fn build(&mut self, source: &str) {
        let source = serde_json::to_string(source).unwrap();
        self.eval(&format!(
            "(() => {{ document.getElementById('status').textContent = ''; \
             const s = document.getElementById('source'); s.value = {source}; \
             s.dispatchEvent(new Event('input')); document.getElementById('build').click(); }})()"
        ));
        self.wait("/events;|failed/.test(document.getElementById('status').textContent)");
    }

    /// Clicks the element `element` (JavaScript) finds and waits for the
    /// drawing it asks for; the drawing's caption.
    fn click_and_draw(&mut self, element: &str) -> String {
        let before = self.eval("document.getElementById('caption').textContent");
        self.eval(&format!(
            "document.getElementById('status').textContent = ''; ({element}).click()"
        ));
        self.wait("/done|failed/.test(document.getElementById('status').textContent)");
        let after = self.eval("document.getElementById('caption').textContent");
        assert_ne!(after, before, "clicking {element} drew nothing new");
        after.as_str().unwrap().to_string()
    }

    fn screenshot(&mut self, name: &str) {
        let shot = self.send("Page.captureScreenshot", json!({"format": "png"}));
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots/serve");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

/// The DevTools HTTP endpoint's list of targets: the body, as long as its
/// `Content-Length` says (the connection stays open after it).
fn devtools_list(port: u16) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The instruction a caption names: `main.add2+0x4 RET (main.go:7)`.
fn caption_instruction(caption: &str) -> &str {
    caption.split(" · ").nth(2).unwrap()
}

#[test]
fn the_page_builds_draws_steps_and_gives_a_block_a_book_draws_the_same() {
    let served = Served::start(&[]);
    let mut browser = Browser::start();
    browser.open(&served.url());
    assert_eq!(
        browser.eval("document.getElementById('source').value"),
        Value::String(sample_source())
    );

    // A compile error, shown with its line marked beside the editor.
    let broken = sample_source().replacen("a := 1", "a := one", 1);
    let line = broken.lines().position(|l| l.contains("a := one")).unwrap() + 1;
    browser.build(&broken);
    let errors = browser.eval("document.getElementById('errors').textContent");
    assert!(
        errors
            .as_str()
            .unwrap()
            .contains(&format!("main.go:{line}:")),
        "{errors}"
    );
    assert_eq!(
        browser
            .eval("[...document.querySelectorAll('#gutter .bad')].map(e => e.textContent).join()"),
        Value::String(line.to_string())
    );
    browser.screenshot("compile-error");

    // The sample: its listing and its events.
    browser.build(&sample_source());
    assert_eq!(
        browser.eval("document.querySelectorAll('#gutter .bad').length"),
        json!(0)
    );
    let status = browser.eval("document.getElementById('status').textContent");
    assert!(
        status.as_str().unwrap().contains("exit status 0"),
        "{status}"
    );
    let call = browser.eval(
        "[...document.querySelectorAll('#functions .row')].find(r => r.textContent.includes('CALL') && r.dataset.at.startsWith('main.add1+')).dataset.at",
    );
    let call = call.as_str().unwrap().to_string();

    // Click the call instruction in add1: the stack just before it.
    let caption = browser.click_and_draw(&format!(
        "document.querySelector(\"#functions .row[data-at='{call}']\")"
    ));
    assert!(
        caption_instruction(&caption).starts_with(&format!("{call} CALL")),
        "{caption}"
    );
    assert_eq!(
        browser.eval("document.querySelector('#functions .row.here').dataset.at"),
        Value::String(call.clone())
    );
    assert!(browser.eval("document.querySelector('#figure svg') !== null") == Value::Bool(true));

    // One step on: add2's entry; the next call or return: add2's return.
    let caption = browser.click_and_draw("document.getElementById('next')");
    assert!(
        caption_instruction(&caption).starts_with("main.add2+0x0 "),
        "{caption}"
    );
    let caption = browser.click_and_draw("document.getElementById('nextEvent')");
    assert!(caption.starts_with("main.add2 ret · "), "{caption}");
    assert!(caption_instruction(&caption).contains(" RET"), "{caption}");
    let caption = browser.click_and_draw("document.getElementById('prev')");
    assert!(caption.starts_with("step "), "{caption}");

    // An event: add1's return. Its block, built in a book, draws the same figure.
    let caption = browser.click_and_draw(
        "[...document.querySelectorAll('#events .row')].find(r => r.textContent.includes('main.add1 ret'))",
    );
    assert!(caption.starts_with("main.add1 ret · "), "{caption}");
    browser.screenshot("add1-ret");
    let block = browser.eval("document.getElementById('block').value");
    let block = block.as_str().unwrap();
    assert!(
        block.starts_with("```gostack\n") && block.contains("at = \"main.add1 ret\""),
        "{block}"
    );
    let book = book_with(block);
    let page = std::fs::read_to_string(book.path().join("book/explored.html")).unwrap();
    let page = serde_json::to_string(&page).unwrap();
    let same = browser.eval(&format!(
        "(() => {{ const book = new DOMParser().parseFromString({page}, 'text/html').querySelector('figure.gostack svg'); \
         const here = document.querySelector('#figure svg'); \
         return book && here && book.outerHTML === here.outerHTML; }})()"
    ));
    assert_eq!(
        same,
        Value::Bool(true),
        "the book's figure differs from the page's"
    );

    // A source line, clicked beside the editor: the stack at its first instruction.
    let line = sample_source()
        .lines()
        .position(|l| l.contains("return add2(b)"))
        .unwrap()
        + 1;
    let caption = browser.click_and_draw(&format!(
        "document.querySelector(\"#gutter [data-line='{line}']\")"
    ));
    assert!(
        caption.starts_with(&format!("main.go:{line} · "))
            && caption.ends_with(&format!("(main.go:{line})")),
        "{caption}"
    );

    // The PNG of the figure drawn, made when asked for.
    browser.eval("document.getElementById('png').click()");
    browser.wait("document.getElementById('png').dataset.bytes");
    let signature = browser.eval(
        "fetch('/api/png', {method: 'POST', headers: {'content-type': 'application/json', 'x-gostack-token': TOKEN}, \
         body: JSON.stringify({...program, at: current.at, nth: current.nth, frames: 'focus'})}) \
         .then(r => r.arrayBuffer()).then(b => [...new Uint8Array(b.slice(0, 8))])",
    );
    assert_eq!(
        signature,
        json!([0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a])
    );
    let bytes: u64 = browser
        .eval("document.getElementById('png').dataset.bytes")
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(bytes > 1000, "{bytes} bytes");

    // A program opened from a file lands in the editor.
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("opened.go");
    let opened = sample_source().replace("add1", "addOne");
    std::fs::write(&file, &opened).unwrap();
    let root = browser.send("DOM.getDocument", json!({}));
    let input = browser.send(
        "DOM.querySelector",
        json!({"nodeId": root["root"]["nodeId"], "selector": "#open"}),
    );
    browser.send(
        "DOM.setFileInputFiles",
        json!({"files": [file.to_str().unwrap()], "nodeId": input["nodeId"]}),
    );
    browser.wait(&format!(
        "document.getElementById('source').value === {}",
        serde_json::to_string(&opened).unwrap()
    ));

    // Another origin's page cannot call the API: the browser's preflight is refused.
    let url = format!("http://127.0.0.1:{}/api/build", served.port);
    browser.send("Page.navigate", json!({"url": "about:blank"}));
    browser.wait("document.readyState === 'complete' && location.href === 'about:blank'");
    let refused = browser.eval(&format!(
        "fetch({url:?}, {{method: 'POST', headers: {{'x-gostack-token': {token:?}, 'content-type': 'application/json'}}, body: '{{}}'}}).then(() => 'answered', e => 'refused: ' + e)",
        token = served.token
    ));
    assert!(
        refused.as_str().unwrap().starts_with("refused"),
        "{refused}"
    );
}

/// Two arches side by side: an event draws both panels, and the block
/// names both, which a book draws the same; an instruction is one build's
/// own, drawn for the first arch with a note saying why.
#[test]
fn two_arches_draw_side_by_side_where_the_moment_is_in_both() {
    let served = Served::start(&[]);
    let mut browser = Browser::start();
    browser.open(&served.url());
    browser.eval("document.getElementById('arch').value = 'amd64 386'");
    browser.build(&sample_source());
    let caption = browser.click_and_draw(
        "[...document.querySelectorAll('#events .row')].find(r => r.textContent.includes('main.add2 ret'))",
    );
    assert!(caption.starts_with("main.add2 ret · "), "{caption}");
    assert_eq!(
        browser.eval("document.querySelectorAll('#figure svg').length"),
        json!(2)
    );
    let figure = browser.eval("document.getElementById('figure').textContent");
    let figure = figure.as_str().unwrap();
    assert!(
        figure.contains(" amd64 ") && figure.contains(" 386 "),
        "{figure}"
    );
    assert_eq!(
        browser.eval("document.getElementById('note').textContent"),
        json!("")
    );
    let block = browser.eval("document.getElementById('block').value");
    let block = block.as_str().unwrap();
    assert!(block.contains("arch = [\"amd64\", \"386\"]"), "{block}");
    let book = book_with(block);
    let page = std::fs::read_to_string(book.path().join("book/explored.html")).unwrap();
    let page = serde_json::to_string(&page).unwrap();
    let same = browser.eval(&format!(
        "(() => {{ const book = [...new DOMParser().parseFromString({page}, 'text/html').querySelectorAll('figure.gostack svg')].map(s => s.outerHTML); \
         const here = [...document.querySelectorAll('#figure svg')].map(s => s.outerHTML); \
         return book.length === 2 && JSON.stringify(book) === JSON.stringify(here); }})()"
    ));
    assert_eq!(
        same,
        Value::Bool(true),
        "the book's figures differ from the page's"
    );
    browser.screenshot("two-arches");

    // An instruction of the listing (amd64's): the first arch only, and why.
    let caption = browser.click_and_draw(
        "[...document.querySelectorAll('#functions .row')].find(r => r.textContent.includes('RET') && r.dataset.at.startsWith('main.add1+'))",
    );
    assert!(caption.contains(" amd64 "), "{caption}");
    assert_eq!(
        browser.eval("document.querySelectorAll('#figure svg').length"),
        json!(1)
    );
    let note = browser.eval("document.getElementById('note').textContent");
    assert!(note.as_str().unwrap().contains("one build's own"), "{note}");
}

/// A book of one chapter holding `block`, built with the preprocessor.
fn book_with(block: &str) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("book.toml"),
        format!(
            "[book]\ntitle = \"t\"\n\n[preprocessor.gostack]\ncache-dir = {:?}\n",
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join("cli-cache")
                .display()
                .to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n- [Explored](explored.md)\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/explored.md"),
        format!("# Explored\n\n{block}"),
    )
    .unwrap();
    let mut md = mdbook_driver::MDBook::load(root).unwrap();
    md.with_preprocessor(mdbook_gostack::Gostack);
    md.build().unwrap();
    dir
}

#[test]
fn a_compile_without_end_and_a_program_without_memory_are_refused_and_the_page_goes_on() {
    let served = Served::start(&[
        "--compile-seconds",
        "3",
        "--max-memory",
        "64",
        "--max-steps",
        "3000000000",
    ]);
    let mut browser = Browser::start();
    browser.open(&served.url());

    // Thousands of branches: the compiler takes minutes over them.
    let mut slow = String::from("package main\n\nfunc main() {\n\tvar x int\n");
    for i in 0..12_000 {
        slow += &format!("\tif x == {i} {{\n\t\tx += {i}\n\t}} else {{\n\t\tx--\n\t}}\n");
    }
    slow += "\tprintln(x)\n}\n";
    let start = Instant::now();
    browser.build(&slow);
    let errors = browser.eval("document.getElementById('errors').textContent");
    assert!(
        errors
            .as_str()
            .unwrap()
            .contains("the compile took longer than its limit of 3 s and was stopped"),
        "{errors}"
    );
    assert!(start.elapsed() < Duration::from_secs(60));

    // A program that allocates until the machine is full.
    let greedy = "package main\n\nvar kept [][]byte\n\nfunc main() {\n\tfor {\n\t\tkept = append(kept, make([]byte, 8<<20))\n\t}\n}\n";
    browser.build(greedy);
    let status = browser.eval("document.getElementById('status').textContent");
    let errors = browser.eval("document.getElementById('errors').textContent");
    assert!(
        status.as_str().unwrap().contains("exit status 2")
            && status
                .as_str()
                .unwrap()
                .contains("more memory than the explorer gives (64 MiB)"),
        "{status}"
    );
    assert!(
        errors.as_str().unwrap().contains("out of memory"),
        "{errors}"
    );
    browser.screenshot("out-of-memory");

    // A program without end: the status shows its steps as it runs, and
    // Cancel ends the run on the server.
    let endless = "package main\n\nfunc main() {\n\tx := 0\n\tfor {\n\t\tx++\n\t}\n}\n";
    browser.eval(&format!(
        "(() => {{ const s = document.getElementById('source'); s.value = {}; document.getElementById('build').click(); }})()",
        serde_json::to_string(endless).unwrap()
    ));
    browser.wait("/M steps/.test(document.getElementById('status').textContent)");
    browser.screenshot("running");
    browser.eval("document.getElementById('cancel').click()");
    browser.wait("/the run was cancelled after \\d+ steps/.test(document.getElementById('status').textContent)");
    assert_eq!(
        browser.eval("document.getElementById('cancel').disabled"),
        Value::Bool(true)
    );

    // The page still builds and draws.
    browser.build(&sample_source());
    let caption = browser.click_and_draw(
        "[...document.querySelectorAll('#events .row')].find(r => r.textContent.includes('main.add2 entry'))",
    );
    assert!(caption.starts_with("main.add2 entry · "), "{caption}");
}
