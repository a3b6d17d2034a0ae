//! `gostack serve`: the explorer page, on 127.0.0.1. The page (`serve.html`)
//! sends a program; the server compiles it, lists its functions and its
//! events, and draws the stack at the moment the reader clicks, through the
//! same `Request` and `render` as the command line and the book.
//!
//! It compiles and runs what it is sent, so it answers its own page only:
//! - the `Host` must be this address (a DNS name rebound to 127.0.0.1 is
//!   refused), and an `Origin`, when a browser sends one, this origin;
//! - the page needs the token printed at start (`/?token=...`), each API
//!   call the token in `x-gostack-token` (a header another origin cannot
//!   send without a CORS preflight, which is never granted);
//! - a program is `main.go` alone in a directory of its own (`//go:embed`
//!   finds nothing), compiled with the allowlisted flags within a time
//!   limit, run within a step and a memory cap, two at a time.

use std::collections::HashMap;
use std::io::Read as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, Result};
use gostack_draw::events::{Event, Filter, What};
use gostack_draw::{Bounds, Drawing, Format, Frames, Moment, Request, View};
use gostack_emu::{Arch, Progress};
use gostack_toolchain::{Cache, CompileRequest, Go};
use serde::{Deserialize, Serialize};
use tiny_http::{Header, Method, Response, Server};

/// What the server may spend on one request.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// Longest compile or link.
    pub(crate) compile: Duration,
    /// Most steps of a run.
    pub(crate) max_steps: u64,
    /// Most memory a program may map, in bytes.
    pub(crate) max_memory: u64,
}

/// The most events a build lists; the page says when there were more.
const MAX_EVENTS: usize = 20_000;

/// The biggest request body taken.
const MAX_BODY: usize = 1 << 20;

/// Compiles and runs at once, at most: each traced run holds its steps.
const MAX_RUNNING: usize = 2;

/// The page, with `{{TOKEN}}`, `{{SOURCE}}` and `{{GO}}` filled in.
const PAGE: &str = include_str!("serve.html");

struct State {
    go: Go,
    cache: Cache,
    limits: Limits,
    token: String,
    /// `127.0.0.1:PORT` and `localhost:PORT`.
    hosts: [String; 2],
    /// The program the page opens with.
    source: String,
    running: AtomicUsize,
    /// The runs going on, by the job name the page gave each.
    jobs: Mutex<HashMap<String, Arc<Progress>>>,
    /// Go versions fetched for a request, by what the request named.
    fetched: Mutex<Vec<(String, Go)>>,
}

/// Serves the explorer on 127.0.0.1:`port` (0: any free port) until killed;
/// `ready` gets the address to open, token included.
pub(crate) fn serve(
    go: Go,
    cache: Cache,
    port: u16,
    source: String,
    limits: Limits,
    ready: impl FnOnce(&str),
) -> Result<()> {
    let server = Server::http(("127.0.0.1", port))
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = server
        .server_addr()
        .to_ip()
        .context("listening on an IP address")?
        .port();
    let state = Arc::new(State {
        go,
        cache,
        limits,
        token: token(),
        hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
        source,
        running: AtomicUsize::new(0),
        jobs: Mutex::new(HashMap::new()),
        fetched: Mutex::new(Vec::new()),
    });
    ready(&format!("http://127.0.0.1:{port}/?token={}", state.token));
    for request in server.incoming_requests() {
        let state = Arc::clone(&state);
        std::thread::spawn(move || answer(&state, request));
    }
    Ok(())
}

/// 128 bits from the operating system's randomness, in hex: std's hash
/// maps are keyed from it, afresh for each `RandomState`.
fn token() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    (0..2)
        .map(|i| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(i);
            format!("{:016x}", h.finish())
        })
        .collect()
}

/// One request, checked, answered.
fn answer(state: &State, mut request: tiny_http::Request) {
    let header = |name: &str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_string())
    };
    let host_ok = header("Host").is_some_and(|h| state.hosts.contains(&h));
    let origin_ok =
        header("Origin").is_none_or(|o| state.hosts.iter().any(|h| o == format!("http://{h}")));
    if !host_ok || !origin_ok {
        let _ = request.respond(text(403, "gostack serve answers its own page only"));
        return;
    }
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let response = match (request.method(), path) {
        (Method::Get, "/") => {
            let token_ok = query
                .split('&')
                .any(|kv| kv.strip_prefix("token=") == Some(state.token.as_str()));
            if token_ok {
                page(state)
            } else {
                text(
                    403,
                    "open the address `gostack serve` printed when it started: it holds the page's token",
                )
            }
        }
        (
            Method::Post,
            "/api/build" | "/api/draw" | "/api/png" | "/api/progress" | "/api/cancel",
        ) => {
            if header("x-gostack-token").as_deref() != Some(state.token.as_str()) {
                text(403, "the request lacks this server's token")
            } else {
                let mut body = Vec::new();
                let read = request
                    .as_reader()
                    .take(MAX_BODY as u64 + 1)
                    .read_to_end(&mut body);
                if read.is_err() || body.len() > MAX_BODY {
                    text(413, "the request is larger than 1 MiB")
                } else {
                    api(state, path, &body)
                }
            }
        }
        _ => text(404, "no such page"),
    };
    let _ = request.respond(response);
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn text(status: u16, message: &str) -> Reply {
    Response::from_string(message)
        .with_status_code(status)
        .with_header(content_type("text/plain; charset=utf-8"))
}

fn json(value: &impl Serialize) -> Reply {
    Response::from_data(serde_json::to_vec(value).unwrap_or_default())
        .with_header(content_type("application/json"))
}

fn content_type(value: &str) -> Header {
    Header::from_bytes("Content-Type", value).expect("a valid header")
}

/// The page, its token and first program in it.
fn page(state: &State) -> Reply {
    let html = PAGE
        .replace("{{TOKEN}}", &state.token)
        .replace("{{GO}}", &html_escape(&state.go.version().raw))
        .replace("{{SOURCE}}", &html_escape(&state.source));
    Response::from_data(html.into_bytes())
        .with_header(content_type("text/html; charset=utf-8"))
        .with_header(
            Header::from_bytes(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'",
            )
            .expect("a valid header"),
        )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What the page sends: the program and how to build it, and for a
/// drawing the moment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    source: String,
    /// One GOARCH, or two (`amd64 386`) drawn side by side.
    arch: String,
    #[serde(default)]
    flags: String,
    /// A Go version to fetch and use, or two drawn side by side; empty: the installed one.
    #[serde(default)]
    go: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    nth: Option<usize>,
    /// `focus` or `all`.
    #[serde(default)]
    frames: String,
    /// A name the page gives the run, to ask how far it has got and to cancel it.
    #[serde(default)]
    job: String,
}

/// A question about a job: how far it has got, or to cancel it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobAsk {
    job: String,
}

/// How far a job has got.
#[derive(Debug, Serialize)]
struct JobState {
    /// Whether it runs (or compiles).
    running: bool,
    /// Steps run so far.
    steps: u64,
}

#[derive(Debug, Serialize)]
struct Failure {
    error: String,
}

/// A build: the functions' listings and the events of a run.
#[derive(Debug, Serialize)]
struct Built {
    go: String,
    functions: Vec<Function>,
    events: Vec<Listed>,
    /// More events happened than were listed.
    more: bool,
    /// How the run ended: its exit status, or why it stopped.
    ended: String,
    /// What the program wrote to standard error, its first 4 KiB.
    stderr: String,
}

#[derive(Debug, Serialize)]
struct Function {
    name: String,
    instrs: Vec<Instr>,
}

#[derive(Debug, Serialize)]
struct Instr {
    /// The moment of this instruction, e.g. `main.add1+0x2e`.
    at: String,
    line: Option<u32>,
    text: String,
}

/// An event as the page lists it, with the moment that draws it.
#[derive(Debug, Serialize)]
struct Listed {
    step: u64,
    text: String,
    at: String,
    nth: usize,
}

/// A drawing: the figure for the page and the block that draws it in a book.
#[derive(Debug, Serialize)]
struct Drawn {
    html: String,
    svg: String,
    step: u64,
    caption: String,
    block: String,
    /// Why fewer builds were drawn than were asked for, if they were.
    note: String,
}

/// A request's JSON body, or the answer that refuses it (400).
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Reply> {
    serde_json::from_slice(body).map_err(|e| {
        json(&Failure {
            error: e.to_string(),
        })
        .with_status_code(400)
    })
}

/// Answers an API call, in JSON; a failure is `{"error": ...}` with 422.
fn api(state: &State, path: &str, body: &[u8]) -> Reply {
    if let "/api/progress" | "/api/cancel" = path {
        let ask: JobAsk = match parse(body) {
            Ok(ask) => ask,
            Err(refusal) => return refusal,
        };
        let progress = state.jobs.lock().unwrap().get(&ask.job).cloned();
        if path == "/api/cancel"
            && let Some(progress) = &progress
        {
            progress.cancel();
        }
        return json(&JobState {
            running: progress.is_some(),
            steps: progress.map_or(0, |p| p.steps()),
        });
    }
    let ask: Ask = match parse(body) {
        Ok(ask) => ask,
        Err(refusal) => return refusal,
    };
    if state.running.fetch_add(1, Ordering::SeqCst) >= MAX_RUNNING {
        state.running.fetch_sub(1, Ordering::SeqCst);
        return json(&Failure {
            error: format!("{MAX_RUNNING} builds are running already; try again when one ends"),
        })
        .with_status_code(503);
    }
    let progress = Arc::new(Progress::default());
    let bounds = Bounds {
        max_steps: state.limits.max_steps,
        max_memory: state.limits.max_memory,
        progress: Some(Arc::clone(&progress)),
    };
    if !ask.job.is_empty() {
        state.jobs.lock().unwrap().insert(ask.job.clone(), progress);
    }
    let result = match path {
        "/api/build" => build(state, &ask, &bounds).map(|b| json(&b)),
        // The PNG only when asked for: rasterising takes longer than drawing.
        "/api/png" => draw_png(state, &ask, bounds)
            .map(|png| Response::from_data(png).with_header(content_type("image/png"))),
        _ => draw(state, &ask, bounds).map(|d| json(&d)),
    };
    state.jobs.lock().unwrap().remove(&ask.job);
    state.running.fetch_sub(1, Ordering::SeqCst);
    result.unwrap_or_else(|e| {
        json(&Failure {
            error: format!("{e:#}"),
        })
        .with_status_code(422)
    })
}

/// The Go the request names, within the compile time limit.
fn go_for(state: &State, version: &str) -> Result<Go> {
    let go = if version.is_empty() {
        state.go.clone()
    } else {
        let known = state
            .fetched
            .lock()
            .unwrap()
            .iter()
            .find(|(v, _)| v == version)
            .map(|(_, go)| go.clone());
        match known {
            Some(go) => go,
            None => {
                let go = state.go.fetch(version, &|_| {})?;
                state
                    .fetched
                    .lock()
                    .unwrap()
                    .push((version.to_string(), go.clone()));
                go
            }
        }
    };
    Ok(go.with_time_limit(state.limits.compile))
}

/// The words of a list the page sends: `amd64 386`, `1.21.13, 1.27.4`.
fn words(list: &str) -> impl Iterator<Item = &str> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
}

/// The arches asked for, one or two; the first is the one built and listed.
fn arches(ask: &Ask) -> Result<Vec<Arch>> {
    let arches = words(&ask.arch)
        .map(|a| a.parse())
        .collect::<Result<Vec<Arch>, _>>()
        .map_err(|e: gostack_toolchain::UnknownArch| anyhow::anyhow!("{e}"))?;
    match arches.len() {
        1 | 2 => Ok(arches),
        n => anyhow::bail!("one or two arches side by side, not {n}"),
    }
}

/// The Go versions asked for, one or two (`""`: the installed Go); the first is the one built and listed.
fn versions(ask: &Ask) -> Vec<String> {
    let versions: Vec<String> = words(&ask.go).map(str::to_string).collect();
    if versions.is_empty() {
        vec![String::new()]
    } else {
        versions
    }
}

fn flags(ask: &Ask) -> Vec<String> {
    ask.flags.split_whitespace().map(str::to_string).collect()
}

fn build(state: &State, ask: &Ask, bounds: &Bounds) -> Result<Built> {
    let go = go_for(state, &versions(ask)[0])?;
    let request = CompileRequest::new(ask.source.clone(), arches(ask)?[0]).with_flags(flags(ask));
    let built = gostack_toolchain::build(&go, &request, &state.cache)?;
    let listing = gostack_listing::parse(&built.compiled.listing).listing;
    let functions = listing
        .functions()
        .filter(|f| gostack_listing::in_package_main(&f.name))
        .filter_map(|f| {
            let func = f.func.as_ref()?;
            let instrs = func
                .instrs
                .iter()
                .filter(|i| !i.is_pseudo())
                .map(|i| Instr {
                    at: format!("{}+{:#x}", f.name, i.pc),
                    line: i.pos.as_ref().map(|p| p.line),
                    text: i.text(),
                })
                .collect();
            Some(Function {
                name: f.name.clone(),
                instrs,
            })
        })
        .collect();
    let mut events = Vec::new();
    let mut more = false;
    let mut out = |e: &Event<'_>| {
        if events.len() == MAX_EVENTS {
            more = true;
            return false;
        }
        let (at, nth) = match e.what {
            What::Entry(loc, nth) => (format!("{} entry", loc.func), nth),
            What::Ret(loc, nth) => (format!("{} ret", loc.func), nth),
            _ => (format!("step {}", e.step), 1),
        };
        events.push(Listed {
            step: e.step,
            text: e.to_string(),
            at,
            nth,
        });
        true
    };
    let listed = gostack_draw::events::events(
        &go,
        &state.cache,
        &request,
        bounds,
        &Filter::default(),
        &mut out,
    );
    let (ended, stderr) = match listed {
        Ok(run) => {
            let mut ended = match run.stop {
                gostack_emu::Stop::Exited(code) => format!("exit status {code}"),
                _ if more => format!("the first {MAX_EVENTS} events listed"),
                stop => stop.to_string(),
            };
            if let Some(size) = run.memory_refused {
                ended += &format!(
                    "; the program asked for more memory than the explorer gives ({} MiB): a mapping of {} MiB failed as on a full machine",
                    state.limits.max_memory >> 20,
                    size.div_ceil(1 << 20)
                );
            }
            let stderr = &run.stderr[..run.stderr.len().min(4096)];
            (ended, String::from_utf8_lossy(stderr).into_owned())
        }
        Err(e) => (e.to_string(), String::new()),
    };
    Ok(Built {
        go: go.version().raw.clone(),
        functions,
        events,
        more,
        ended,
        stderr,
    })
}

/// The builds a drawing at `ask`'s moment shows: every one asked for when
/// the moment is a point of the program, else the first (an instruction's
/// offset or a step number is one build's own); and why, when fewer.
fn builds(ask: &Ask) -> Result<(Vec<Arch>, Vec<String>, String)> {
    let (arches, versions) = (arches(ask)?, versions(ask));
    if arches.len() * versions.len() > 2 {
        anyhow::bail!("two builds side by side at most: two arches, or two Go versions");
    }
    if Moment::parse(&ask.at)?.in_every_build() || arches.len() * versions.len() == 1 {
        return Ok((arches, versions, String::new()));
    }
    let note = "an instruction or a step is one build's own: drawn for the first arch and Go \
                only; click an event or a line number to draw both side by side";
    Ok((arches[..1].to_vec(), versions[..1].to_vec(), note.into()))
}

/// The PNG of the drawing at `ask`'s moment.
fn draw_png(state: &State, ask: &Ask, bounds: Bounds) -> Result<Vec<u8>> {
    let (arches, versions, _) = builds(ask)?;
    Ok(gostack_draw::png(&stack(
        state, ask, &arches, &versions, bounds,
    )?)?)
}

fn draw(state: &State, ask: &Ask, bounds: Bounds) -> Result<Drawn> {
    let (arches, versions, note) = builds(ask)?;
    let drawing = stack(state, ask, &arches, &versions, bounds)?;
    let Drawing::Figure(figure) = &drawing else {
        anyhow::bail!("the stack view draws a figure");
    };
    let caption = figure
        .panels
        .first()
        .map(|p| p.caption.clone())
        .context("a panel")?;
    Ok(Drawn {
        html: gostack_draw::render(&drawing, Format::Html, "explorer"),
        svg: gostack_draw::render(&drawing, Format::Svg, "explorer"),
        step: caption.step,
        caption: caption.one_line(),
        block: block(ask, &arches, &versions),
        note,
    })
}

/// The stack at the moment `ask` names, as the CLI and the book draw it.
fn stack(
    state: &State,
    ask: &Ask,
    arches: &[Arch],
    versions: &[String],
    bounds: Bounds,
) -> Result<Drawing> {
    let gos = versions
        .iter()
        .map(|v| go_for(state, v))
        .collect::<Result<Vec<Go>>>()?;
    let frames = if ask.frames == "all" {
        Frames::All
    } else {
        Frames::Focus
    };
    let request = Request {
        source: ask.source.clone(),
        file_name: "main.go".into(),
        arches: arches.to_vec(),
        flags: flags(ask),
        at: ask.at.clone(),
        nth: ask.nth.unwrap_or(1),
        view: View::Stack,
        frames,
        bounds,
        ..Request::default()
    };
    Ok(gostack_draw::draw(&gos, &state.cache, &request)?)
}

/// The `gostack` block that draws the same figure in a chapter: the
/// program last, as it is written when TOML lets it be.
fn block(ask: &Ask, arches: &[Arch], versions: &[String]) -> String {
    let one_or_many = |items: Vec<String>| -> toml::Value {
        match items.as_slice() {
            [one] => one.clone().into(),
            _ => items.into(),
        }
    };
    let mut table = toml::Table::new();
    table.insert(
        "arch".into(),
        one_or_many(arches.iter().map(|a| a.to_string()).collect()),
    );
    if !ask.flags.trim().is_empty() {
        table.insert("flags".into(), ask.flags.trim().into());
    }
    if versions.iter().any(|v| !v.is_empty()) {
        table.insert("go".into(), one_or_many(versions.to_vec()));
    }
    table.insert("at".into(), ask.at.clone().into());
    if let Some(nth) = ask.nth.filter(|&n| n > 1) {
        table.insert("nth".into(), (nth as i64).into());
    }
    if ask.frames == "all" {
        table.insert("frames".into(), "all".into());
    }
    let literal = !ask.source.contains("'''")
        && !ask
            .source
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t');
    let source = if literal {
        format!("source = '''\n{}'''\n", ask.source)
    } else {
        let mut one = toml::Table::new();
        one.insert("source".into(), ask.source.clone().into());
        toml::to_string(&one).unwrap_or_default()
    };
    format!(
        "```gostack\n{}{source}```\n",
        toml::to_string(&table).unwrap_or_default()
    )
}
