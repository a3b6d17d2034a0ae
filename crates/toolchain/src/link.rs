//! Building one Go program as `go build` does: the compile of [`compile`](crate::compile), then `go tool link`.

use std::fmt;
use std::fs;

use crate::compile::{Work, listing_key};
use crate::{Cache, CompileRequest, Compiled, Error, Go};

/// A compiled and linked program: the listing and the executable made from the same compile.
#[derive(Clone, PartialEq, Eq)]
pub struct Built {
    /// The listing, exactly as [`compile`](crate::compile) returns it. Its `cache_hit` is true
    /// only when the listing and the executable both came from the cache, and no `go` command ran.
    pub compiled: Compiled,
    /// The statically linked ELF executable for linux and the request's GOARCH.
    pub executable: Vec<u8>,
}

/// Compiles `req` as [`compile`](crate::compile) does and links the object file into an executable,
/// or returns both from the cache (the executable keyed as the listing is).
///
/// After the compile, runs `go tool link -importcfg importcfg.link -buildmode=exe -o prog main.o`
/// in the same temporary directory, with an import config that names every package in the program.
/// The same request gives the same bytes, and no path of the temporary directory is in them.
pub fn build(go: &Go, req: &CompileRequest, cache: &Cache) -> Result<Built, Error> {
    req.check()?;
    let key = listing_key(go, req);
    if let (Some(listing), Some(executable)) =
        (cache.read_listing(&key), cache.read_executable(&key))
    {
        return Ok(Built {
            compiled: Compiled::new(go, req, listing, true),
            executable,
        });
    }
    let work = Work::compile(go, req, cache, &key, true)?;

    let mut command = go.command(req.arch, &work.dir);
    command.args([
        "tool",
        "link",
        "-importcfg",
        "importcfg.link",
        "-buildmode=exe",
        "-o",
        "prog",
    ]);
    if !work.godebug.is_empty() {
        command.arg(format!("-X=runtime.godebugDefault={}", work.godebug));
    }
    command.arg("main.o");
    let output = go.output(&mut command)?;
    if !output.status.success() {
        return Err(Error::Link {
            stderr: work.messages(&output),
            status: output.status.code(),
        });
    }
    let path = work.dir.join("prog");
    let executable = fs::read(&path).map_err(|cause| Error::Io {
        action: "read",
        path,
        cause,
    })?;
    cache.write_executable(&key, &executable)?;
    Ok(Built {
        compiled: Compiled::new(go, req, work.listing, false),
        executable,
    })
}

impl fmt::Debug for Built {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Built")
            .field("compiled", &self.compiled)
            .field(
                "executable",
                &format_args!("<{} bytes>", self.executable.len()),
            )
            .finish()
    }
}
