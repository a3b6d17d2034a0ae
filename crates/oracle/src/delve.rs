//! Delve, the Go debugger, driven over its JSON-RPC API: the real
//! executable started under it, stopped at chosen addresses, and asked
//! where each variable of each frame is.
//!
//! The release is pinned ([`DELVE_VERSION`]) and built once with
//! `go install` into gostack's cache (`~/.cache/gostack/dlv/VERSION/dlv`,
//! `GOSTACK_CACHE` moves it), the way another Go toolchain is fetched;
//! `GOSTACK_DLV` names another binary.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::{Arch, Error};
use gostack_toolchain::{Cache, Go};

/// The Delve release the names oracle runs.
pub const DELVE_VERSION: &str = "v1.27.2";

/// The `dlv` binary that debugs `arch` programs: `GOSTACK_DLV` (amd64) or
/// `GOSTACK_DLV_386`, or the pinned release in the cache, built there with
/// `go install` the first time (which needs the Go module proxy). A 386
/// program needs a 386 Delve: an amd64 one cannot run it.
pub fn delve(go: &Go, arch: Arch) -> Result<PathBuf, Error> {
    let (var, name, goarch) = match arch {
        Arch::Amd64 => ("GOSTACK_DLV", "dlv", "amd64"),
        Arch::I386 => ("GOSTACK_DLV_386", "dlv-386", "386"),
    };
    if let Some(path) = std::env::var_os(var) {
        return Ok(PathBuf::from(path));
    }
    let dir = Cache::default_dir().join("dlv").join(DELVE_VERSION);
    let dlv = dir.join(name);
    if dlv.exists() {
        return Ok(dlv);
    }
    eprintln!(
        "gostack: building Delve {DELVE_VERSION} for {goarch} with go install (once; it is kept in {})",
        dir.display()
    );
    // go install puts a binary built for another GOARCH in
    // GOPATH/bin/GOOS_GOARCH and will not use GOBIN for it: it installs into
    // a GOPATH of its own that shares the module cache, and the binary is
    // copied from there.
    let gopath = tempfile::TempDir::new()
        .map_err(|e| Error::io("create", Path::new("a temporary directory"), e))?;
    let modcache = Command::new(go.path())
        .args(["env", "GOMODCACHE"])
        .output()
        .map_err(|e| Error::io("run", go.path(), e))?;
    let modcache = String::from_utf8_lossy(&modcache.stdout).trim().to_string();
    let mut cmd = Command::new(go.path());
    cmd.args([
        "install",
        &format!("github.com/go-delve/delve/cmd/dlv@{DELVE_VERSION}"),
    ])
    .env("GOPATH", gopath.path())
    .env_remove("GOBIN")
    .env_remove("GOFLAGS")
    .env_remove("GOOS")
    .env("GOARCH", goarch)
    .env("CGO_ENABLED", "0")
    .stdout(Stdio::null());
    if !modcache.is_empty() {
        cmd.env("GOMODCACHE", &modcache);
    }
    let status = cmd.status().map_err(|e| Error::io("run", go.path(), e))?;
    let built = [
        gopath.path().join("bin").join("dlv"),
        gopath.path().join(format!("bin/linux_{goarch}/dlv")),
    ]
    .into_iter()
    .find(|p| p.exists());
    if let Some(built) = &built {
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
        std::fs::copy(built, &dlv).map_err(|e| Error::io("copy", built, e))?;
    }
    if !status.success() || !dlv.exists() {
        return Err(Error::Trace(format!(
            "go install github.com/go-delve/delve/cmd/dlv@{DELVE_VERSION} (GOARCH={goarch}) failed ({status})"
        )));
    }
    Ok(dlv)
}

/// A program running under Delve, stopped.
pub(crate) struct Session {
    child: Child,
    reader: serde_json::StreamDeserializer<
        'static,
        serde_json::de::IoRead<BufReader<TcpStream>>,
        Value,
    >,
    writer: TcpStream,
    id: u64,
}

impl Session {
    /// Starts `exe` under `dlv` (headless, on a loopback port it picks),
    /// with argument vector `args` and environment `env`, stopped before
    /// its first instruction.
    pub(crate) fn start(
        dlv: &Path,
        exe: &Path,
        args: &[String],
        env: &[String],
    ) -> Result<Session, Error> {
        let mut cmd = Command::new(dlv);
        cmd.args([
            "exec",
            "--headless",
            "--api-version=2",
            "--listen=127.0.0.1:0",
        ])
        .arg(exe)
        .arg("--")
        .args(args.iter().skip(1))
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        for kv in env {
            if let Some((k, v)) = kv.split_once('=') {
                cmd.env(k, v);
            }
        }
        let mut child = cmd.spawn().map_err(|e| Error::io("run", dlv, e))?;
        let stdout = child.stdout.take().expect("piped");
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .map_err(|e| Error::io("read from", dlv, e))?;
        // The program writes to the same pipe: keep reading it, so it never
        // meets a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let Some(addr) = line.trim().strip_prefix("API server listening at: ") else {
            let _ = child.kill();
            return Err(Error::Trace(format!("Delve did not start: {line:?}")));
        };
        let stream = TcpStream::connect(addr).map_err(|e| Error::io("connect to", dlv, e))?;
        stream.set_nodelay(true).ok();
        let writer = stream
            .try_clone()
            .map_err(|e| Error::io("connect to", dlv, e))?;
        let reader = serde_json::Deserializer::from_reader(BufReader::new(stream)).into_iter();
        Ok(Session {
            child,
            reader,
            writer,
            id: 0,
        })
    }

    /// Calls `RPCServer.<method>` with one argument and gives its result.
    fn call(&mut self, method: &str, arg: Value) -> Result<Value, Error> {
        self.id += 1;
        let request =
            json!({"method": format!("RPCServer.{method}"), "params": [arg], "id": self.id});
        let mut text = request.to_string();
        text.push('\n');
        self.writer
            .write_all(text.as_bytes())
            .map_err(|e| Error::Trace(format!("writing to Delve: {e}")))?;
        let reply = self
            .reader
            .next()
            .ok_or_else(|| Error::Trace("Delve closed the connection".into()))?
            .map_err(|e| Error::Trace(format!("reading from Delve: {e}")))?;
        match reply.get("error") {
            Some(Value::Null) | None => Ok(reply["result"].clone()),
            Some(e) => Err(Error::Trace(format!("Delve: {method}: {e}"))),
        }
    }

    /// Puts a breakpoint at `addr`; its id.
    pub(crate) fn break_at(&mut self, addr: u64) -> Result<u64, Error> {
        let out = self.call("CreateBreakpoint", json!({"Breakpoint": {"addr": addr}}))?;
        Ok(out["Breakpoint"]["id"].as_u64().unwrap_or(0))
    }

    /// Removes breakpoint `id`.
    pub(crate) fn clear(&mut self, id: u64) -> Result<(), Error> {
        self.call("ClearBreakpoint", json!({"Id": id})).map(|_| ())
    }

    /// Runs to the next breakpoint: the stopped thread's pc and id, or `None` once the program has exited.
    pub(crate) fn cont(&mut self) -> Result<Option<(u64, u64)>, Error> {
        let out = self.call("Command", json!({"name": "continue"}))?;
        let state = &out["State"];
        if state["exited"].as_bool() == Some(true) {
            return Ok(None);
        }
        let thread = &state["currentThread"];
        match (thread["pc"].as_u64(), thread["id"].as_u64()) {
            (Some(pc), Some(id)) => Ok(Some((pc, id))),
            _ => Err(Error::Trace(format!(
                "Delve stopped without a thread: {state}"
            ))),
        }
    }

    /// The stopped goroutine's frames, innermost first, with their
    /// arguments and locals (values loaded one level deep).
    pub(crate) fn stack(&mut self) -> Result<Vec<Value>, Error> {
        let cfg = json!({
            "FollowPointers": false,
            "MaxVariableRecurse": 1,
            "MaxStringLen": 64,
            "MaxArrayValues": 64,
            "MaxStructFields": -1
        });
        let out = self.call(
            "Stacktrace",
            json!({"Id": -1, "Depth": 512, "Full": true, "Cfg": cfg}),
        )?;
        Ok(out["Locations"].as_array().cloned().unwrap_or_default())
    }

    /// The value of register `name` (`Rsp`) of thread `thread`.
    pub(crate) fn register(&mut self, thread: u64, name: &str) -> Result<u64, Error> {
        let out = self.call(
            "ListRegisters",
            json!({"ThreadID": thread, "IncludeFp": false}),
        )?;
        out["Regs"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| {
                r["Name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .and_then(|r| r["Value"].as_str())
            .and_then(|v| u64::from_str_radix(v.trim_start_matches("0x"), 16).ok())
            .ok_or_else(|| Error::Trace(format!("Delve gave no register {name}")))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.call("Detach", json!({"Kill": true}));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
