//! Compiling one Go program with `go tool compile -S` in a fresh temporary directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use tempfile::TempDir;

use crate::cache::Key;
use crate::flags::check_flags;
use crate::importcfg::{import_configs, list_imports};
use crate::{Arch, Cache, Error, Go};

/// One program to compile: its source, the name its positions use, the target and the compiler flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileRequest {
    /// The Go program text; it must be `package main`.
    pub source: String,
    /// The file name that positions in the listing use, such as `main.go` in `(main.go:7)`.
    pub file_name: String,
    /// The target architecture.
    pub arch: Arch,
    /// Flags for `go tool compile`, such as `["-N", "-l"]`: only those of
    /// [`allowed_flags`](crate::allowed_flags) unless `any_flags` is set.
    pub flags: Vec<String>,
    /// Pass `flags` to the compiler without checking them against the allowlist.
    pub any_flags: bool,
}

/// The result of a compile: the listing and what produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    /// What `go tool compile -S` printed on stdout.
    pub listing: String,
    /// The Go version that compiled it, as `go env GOVERSION` prints it.
    pub go_version: String,
    /// The target architecture.
    pub arch: Arch,
    /// The compiler flags used.
    pub flags: Vec<String>,
    /// The file name that positions in the listing use.
    pub file_name: String,
    /// Whether the listing came from the cache without running the compiler.
    pub cache_hit: bool,
}

impl CompileRequest {
    /// A request for `source` as `main.go` on `arch`, with no flags.
    pub fn new(source: impl Into<String>, arch: Arch) -> CompileRequest {
        CompileRequest {
            source: source.into(),
            file_name: "main.go".to_string(),
            arch,
            flags: Vec::new(),
            any_flags: false,
        }
    }

    /// The same request with these compiler flags.
    pub fn with_flags<S: Into<String>>(
        mut self,
        flags: impl IntoIterator<Item = S>,
    ) -> CompileRequest {
        self.flags = flags.into_iter().map(Into::into).collect();
        self
    }

    /// The same request, its flags checked against the allowlist or not.
    pub fn with_any_flags(mut self, any_flags: bool) -> CompileRequest {
        self.any_flags = any_flags;
        self
    }

    /// Refuses a request whose file name the compiler would not take as the
    /// program, or whose flags are not allowed.
    pub(crate) fn check(&self) -> Result<(), Error> {
        check_file_name(&self.file_name)?;
        if self.any_flags {
            Ok(())
        } else {
            check_flags(&self.flags)
        }
    }

    /// The same request with positions reading `file_name` instead of `main.go`.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> CompileRequest {
        self.file_name = file_name.into();
        self
    }
}

/// Compiles `req` with `go`, or returns the listing cached for the same toolchain, flags, file name and source.
///
/// Runs, in a fresh temporary directory holding only the source:
/// `go tool compile -p main -trimpath <dir> -importcfg <dir>/importcfg -o <dir>/main.o [flags...] -S <file>`,
/// with GOOS=linux and GOARCH set. Nothing is written anywhere else but the cache.
pub fn compile(go: &Go, req: &CompileRequest, cache: &Cache) -> Result<Compiled, Error> {
    req.check()?;
    let key = listing_key(go, req);
    if let Some(listing) = cache.read_listing(&key) {
        return Ok(Compiled::new(go, req, listing, true));
    }
    let work = Work::compile(go, req, cache, &key, false)?;
    Ok(Compiled::new(go, req, work.listing, false))
}

impl Compiled {
    /// The result of compiling `req` with `go`.
    pub(crate) fn new(go: &Go, req: &CompileRequest, listing: String, cache_hit: bool) -> Compiled {
        Compiled {
            listing,
            go_version: go.version().raw.clone(),
            arch: req.arch,
            flags: req.flags.clone(),
            file_name: req.file_name.clone(),
            cache_hit,
        }
    }
}

/// A compile that ran in a temporary directory, which lives as long as this does.
pub(crate) struct Work {
    /// The directory, removed on drop.
    temp: TempDir,
    /// The same directory with symbolic links resolved, as the tools see it;
    /// it holds the source, `importcfg`, `main.o` and, when asked for, `importcfg.link`.
    pub(crate) dir: PathBuf,
    /// The listing, with the directory and GOROOT taken out of positions.
    pub(crate) listing: String,
    /// The GODEBUG defaults the link sets (`-X=runtime.godebugDefault=`), as `go build` does.
    pub(crate) godebug: String,
}

impl Work {
    /// Compiles `req` in a fresh temporary directory and caches the listing under `key`;
    /// with `link`, also writes `importcfg.link`, the import config for linking `main.o`.
    pub(crate) fn compile(
        go: &Go,
        req: &CompileRequest,
        cache: &Cache,
        key: &str,
        link: bool,
    ) -> Result<Work, Error> {
        let temp = TempDir::with_prefix("gostack-").map_err(|cause| Error::Io {
            action: "create a temporary directory in",
            path: std::env::temp_dir(),
            cause,
        })?;
        // The compiler sees the directory with symbolic links resolved; trim both spellings.
        let dir = fs::canonicalize(temp.path()).unwrap_or_else(|_| temp.path().to_path_buf());
        let mut work = Work {
            temp,
            dir,
            listing: String::new(),
            godebug: String::new(),
        };
        let dir = &work.dir;
        work.write(&req.file_name, &req.source)?;

        // With cgo off, `go list` sees no Go file at all in a cgo program,
        // and runtime/cgo has none of its declarations.
        if let Some(package) = cgo_import(&req.source) {
            return Err(Error::Cgo { package });
        }
        let imports =
            list_imports(go, req.arch, dir, &req.file_name).map_err(|err| work.strip_error(err))?;
        work.godebug = imports.godebug.clone();
        let configs = import_configs(go, req.arch, &imports, link, cache, dir)
            .map_err(|err| work.strip_error(err))?;
        work.write("importcfg", &configs.compile)?;
        if let Some(config) = &configs.link {
            work.write("importcfg.link", config)?;
        }

        let mut trimpath = dir.display().to_string();
        if work.temp.path() != dir {
            trimpath = format!("{trimpath};{}", work.temp.path().display());
        }
        let mut command = go.command(req.arch, dir);
        command
            .args([
                "tool",
                "compile",
                "-p",
                "main",
                "-trimpath",
                &trimpath,
                "-importcfg",
            ])
            .arg(dir.join("importcfg"))
            .arg("-o")
            .arg(dir.join("main.o"))
            .args(&req.flags)
            .args(["-S", &req.file_name]);
        let output = go.output(&mut command)?;
        if !output.status.success() {
            // The compiler prints its messages about the program on stdout, usage and internal errors on stderr.
            return Err(Error::Compile {
                stderr: without_listing(&work.messages(&output)),
                status: output.status.code(),
            });
        }
        let listing = work.strip(&String::from_utf8_lossy(&output.stdout));
        // Positions of inlined standard library code come from its export data with
        // absolute paths; they read `$GOROOT/src/fmt/print.go:294`, the same on every machine.
        let listing = if go.goroot().is_empty() {
            listing
        } else {
            listing.replace(&format!("({}/", go.goroot()), "($GOROOT/")
        };
        cache.write_listing(key, &listing)?;
        Ok(Work { listing, ..work })
    }

    /// Writes `text` to the file `name` in the directory.
    fn write(&self, name: &str, text: &str) -> Result<(), Error> {
        let path = self.dir.join(name);
        fs::write(&path, text).map_err(|cause| Error::Io {
            action: "write",
            path,
            cause,
        })
    }

    /// `text` with the directory taken out of paths, in both its spellings.
    pub(crate) fn strip(&self, text: &str) -> String {
        strip_dir(&strip_dir(text, &self.dir), self.temp.path())
    }

    /// What a failed tool printed on stdout and stderr, in that order, with the directory taken out.
    pub(crate) fn messages(&self, output: &Output) -> String {
        let messages: Vec<String> = [&output.stdout, &output.stderr]
            .into_iter()
            .map(|bytes| String::from_utf8_lossy(bytes).trim_end().to_string())
            .filter(|text| !text.is_empty())
            .collect();
        self.strip(&messages.join("\n"))
    }

    /// Takes the directory out of the messages of a failed `go` command.
    fn strip_error(&self, err: Error) -> Error {
        match err {
            Error::GoCommand {
                command,
                status,
                stderr,
            } => Error::GoCommand {
                command,
                status,
                stderr: self.strip(&stderr),
            },
            other => other,
        }
    }
}

/// Compiles the program in the file at `path`; positions in the listing use its file name.
pub fn compile_file(
    go: &Go,
    path: &Path,
    arch: Arch,
    flags: &[String],
    cache: &Cache,
) -> Result<Compiled, Error> {
    compile(go, &CompileRequest::from_file(path, arch, flags)?, cache)
}

impl CompileRequest {
    /// A request for the program in the file at `path`, its positions naming the file.
    pub fn from_file(path: &Path, arch: Arch, flags: &[String]) -> Result<CompileRequest, Error> {
        let source = fs::read_to_string(path).map_err(|cause| Error::Io {
            action: "read",
            path: path.to_path_buf(),
            cause,
        })?;
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(CompileRequest {
            source,
            file_name,
            arch,
            flags: flags.to_vec(),
            any_flags: false,
        })
    }
}

/// Removes `dir` from paths in `text`, so that `/tmp/gostack-x/main.go:5:2` reads `main.go:5:2`.
pub(crate) fn strip_dir(text: &str, dir: &Path) -> String {
    let dir = dir.display().to_string();
    if dir.is_empty() {
        return text.to_string();
    }
    text.replace(&format!("{dir}/"), "").replace(&dir, ".")
}

/// The cache key of a listing: everything that can change what the compiler prints.
pub(crate) fn listing_key(go: &Go, req: &CompileRequest) -> String {
    // The version names the command line: a change to it must not reuse old listings.
    let mut key = Key::new("gostack-listing-v4");
    key.toolchain(go, req.arch);
    key.field(&req.flags.len().to_string());
    for flag in &req.flags {
        key.field(flag);
    }
    key.field(&req.file_name);
    key.field(&req.source);
    key.finish()
}

/// The cgo package the program imports, if any: the pseudo-package `C` or
/// `runtime/cgo`, alone (`import "C"`), in a group (a line `"C"` in
/// `import ( ... )`) or named (`import c "runtime/cgo"`).
fn cgo_import(source: &str) -> Option<&'static str> {
    source.lines().find_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("import").map_or(line, str::trim_start);
        let path = line
            .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
            .trim_start();
        ["C", "runtime/cgo"].into_iter().find(|p| {
            let quoted = format!("\"{p}\"");
            path == quoted
                || path.starts_with(&format!("{quoted} "))
                || path.starts_with(&format!("{quoted}//"))
        })
    })
}

/// Accepts a plain `.go` file name that `go list` takes as a source file of the program.
fn check_file_name(name: &str) -> Result<(), Error> {
    let plain = !name.is_empty()
        && !name.contains(['/', '\\', ';', '\0'])
        && !name.starts_with(['.', '_', '-'])
        && name.len() > ".go".len()
        && name.ends_with(".go")
        && !name.ends_with("_test.go");
    if plain {
        Ok(())
    } else {
        Err(Error::BadFileName {
            name: name.to_string(),
        })
    }
}

/// A failed compile's messages without the listing `-S` printed before the
/// error (an error found late, such as a `//go:embed` with nothing to
/// embed, comes after the code of every function): its symbol headers
/// (`main.main STEXT size=66 ...`), instruction and byte lines (`\t0x0000 ...`)
/// and relocations (`\trel ...`).
fn without_listing(messages: &str) -> String {
    let listing = |line: &str| {
        // The name may be empty: ` SDWARFVAR size=23`.
        let header = line.contains(" size=")
            && line.split_whitespace().take(2).any(|kind| {
                kind.len() > 1
                    && kind.starts_with('S')
                    && kind.chars().all(|c| c.is_ascii_uppercase())
            });
        header || line.starts_with("\t0x") || line.starts_with("\trel ")
    };
    messages
        .lines()
        .filter(|line| !listing(line))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_temporary_directory_from_messages() {
        let dir = Path::new("/tmp/gostack-abc");
        assert_eq!(
            strip_dir("/tmp/gostack-abc/main.go:5:2: undefined: x", dir),
            "main.go:5:2: undefined: x"
        );
        assert_eq!(
            strip_dir("./main.go:5:2: undefined: x", dir),
            "./main.go:5:2: undefined: x"
        );
        assert_eq!(strip_dir("in /tmp/gostack-abc", dir), "in .");
    }

    #[test]
    fn finds_an_import_of_c() {
        for (cgo, package) in [
            (
                "package main\n\n// int two() { return 2; }\nimport \"C\"\n",
                "C",
            ),
            (
                "package main\nimport (\n\t\"fmt\"\n\t\"C\" // cgo\n)\n",
                "C",
            ),
            ("package main\nimport \"runtime/cgo\"\n", "runtime/cgo"),
            (
                "package main\nimport (\n\tc \"runtime/cgo\"\n)\n",
                "runtime/cgo",
            ),
        ] {
            assert_eq!(cgo_import(cgo), Some(package), "{cgo}");
        }
        for pure in [
            "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"C\") }\n",
            "package main\nimport \"Cx\"\n",
            "package main\nimport \"runtime/cgox\"\n",
        ] {
            assert_eq!(cgo_import(pure), None, "{pure}");
        }
    }

    #[test]
    fn accepts_only_plain_go_file_names() {
        for good in ["main.go", "add.go", "swap_by_value.go", "x.go"] {
            assert!(check_file_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".go",
            "main",
            "main.c",
            "../main.go",
            "dir/main.go",
            ".hidden.go",
            "_x.go",
            "-S.go",
            "main_test.go",
        ] {
            let err = check_file_name(bad).unwrap_err();
            assert!(err.to_string().contains("main.go"), "{err}");
        }
    }

    #[test]
    fn request_builders_set_their_fields() {
        let req = CompileRequest::new("package main", Arch::I386)
            .with_flags(["-N", "-l"])
            .with_file_name("add.go");
        assert_eq!(req.flags, ["-N", "-l"]);
        assert_eq!(req.file_name, "add.go");
        assert_eq!(req.arch, Arch::I386);
    }
}
