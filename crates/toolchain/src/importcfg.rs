//! The import configs `go tool compile` needs since Go 1.20 and `go tool link` always: which export
//! data file (an archive that holds the package's object code too) holds each package.
//!
//! `go list` names the program's imports and their dependencies; `go list -export -deps` builds the
//! export data (seconds the first time, as it compiles the standard library) and names the files.
//! The cache keeps a union of those answers per toolchain and GOARCH, so most programs need only the first,
//! cheap, `go list`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::cache::{format_importcfg, parse_importcfg};
use crate::compile::strip_dir;
use crate::{Arch, Cache, Error, Go};

/// Packages that have no export data: `unsafe` is built into the compiler and `C` is cgo's.
const NO_EXPORT: [&str; 2] = ["unsafe", "C"];

/// What `go list` says the program needs.
#[derive(Debug, Default)]
pub(crate) struct Imports {
    /// The packages the program imports itself.
    pub(crate) direct: Vec<String>,
    /// Every package it depends on, directly or not, including the runtime a main package links.
    pub(crate) deps: Vec<String>,
    /// The GODEBUG defaults `go build` links in (`//go:debug` lines,
    /// Go 1.21 on): `panicnil=1`, or empty.
    pub(crate) godebug: String,
}

/// Whether `package` has export data: the compiler and the linker read every package but these from a file.
fn has_export(package: &str) -> bool {
    !NO_EXPORT.contains(&package)
}

const LIST_TEMPLATE: &str = "{{with .Error}}error {{.}}\n{{end}}\
{{range .DepsErrors}}error {{.}}\n{{end}}\
{{range .IgnoredGoFiles}}ignored {{.}}\n{{end}}\
{{range .Imports}}import {{.}}\n{{end}}\
{{range .Deps}}dep {{.}}\n{{end}}";

const EXPORT_TEMPLATE: &str = "{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}";

/// Asks `go list` for the imports of `file_name` in `dir`; a missing package is an [`Error::Compile`].
pub(crate) fn list_imports(
    go: &Go,
    arch: Arch,
    dir: &Path,
    file_name: &str,
) -> Result<Imports, Error> {
    let mut command = go.command(arch, dir);
    // Go 1.21 on says which GODEBUG defaults the program's `//go:debug` lines set.
    let template = if go.version().minor >= 21 || go.version().devel {
        format!("{LIST_TEMPLATE}{{{{with .DefaultGODEBUG}}}}\ngodebug {{{{.}}}}\n{{{{end}}}}")
    } else {
        LIST_TEMPLATE.to_string()
    };
    command.args(["list", "-e", "-f", &template, "--", file_name]);
    let output = go.checked_output(&mut command, &format!("go list {file_name}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);

    let mut imports = Imports::default();
    let mut errors = Vec::new();
    for line in stdout.lines() {
        let Some((kind, value)) = line.split_once(' ') else {
            continue;
        };
        match kind {
            "error" => errors.push(strip_dir(value, dir)),
            "ignored" => errors.push(format!(
                "{value}: excluded by its build constraints for GOOS=linux GOARCH={arch} \
                 (a //go:build line, or a _GOOS or _GOARCH suffix in the file name)"
            )),
            "import" => imports.direct.push(value.to_string()),
            "dep" => imports.deps.push(value.to_string()),
            "godebug" => imports.godebug = value.to_string(),
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(Error::Compile {
            stderr: errors.join("\n"),
            status: None,
        });
    }
    Ok(imports)
}

/// The import configs of one program: for its compile and, when asked, for its link.
pub(crate) struct Configs {
    /// For `go tool compile`: the program's imports and their dependencies; empty when it
    /// imports nothing that has export data.
    pub(crate) compile: String,
    /// For `go tool link`: every package in the executable, the runtime and its dependencies included.
    pub(crate) link: Option<String>,
}

/// The import configs for a program with `imports`, the link's only when `link` is set.
///
/// Uses the cached config when it already holds every package needed,
/// and otherwise runs `go list -export -deps` in `dir` once and adds its answer to the cache.
pub(crate) fn import_configs(
    go: &Go,
    arch: Arch,
    imports: &Imports,
    link: bool,
    cache: &Cache,
    dir: &Path,
) -> Result<Configs, Error> {
    let compile_needs_one = imports.direct.iter().any(|package| has_export(package));
    if !compile_needs_one && !link {
        return Ok(Configs {
            compile: String::new(),
            link: None,
        });
    }
    // A main package's dependencies include the runtime; it is named in case a Go version does not list it.
    let runtime = "runtime".to_string();
    let required: BTreeSet<&String> = imports
        .direct
        .iter()
        .chain(&imports.deps)
        .chain([&runtime])
        .filter(|package| has_export(package))
        .collect();
    let packages = export_files(go, arch, imports, &required, cache, dir)?;
    let config = format_importcfg(&packages, required);
    Ok(Configs {
        compile: if compile_needs_one {
            config.clone()
        } else {
            String::new()
        },
        link: link.then_some(config),
    })
}

/// The export files of the `required` packages (and maybe more), from the cache or from `go list -export -deps`.
fn export_files(
    go: &Go,
    arch: Arch,
    imports: &Imports,
    required: &BTreeSet<&String>,
    cache: &Cache,
    dir: &Path,
) -> Result<BTreeMap<String, String>, Error> {
    let cached = cache.read_importcfg(go, arch);
    if cached.as_ref().is_some_and(|packages| {
        required
            .iter()
            .all(|package| packages.contains_key(*package))
    }) {
        return Ok(cached.unwrap_or_default());
    }

    let toolchain = format!(
        "{}/{arch}",
        go.version()
            .raw
            .split_whitespace()
            .next()
            .unwrap_or_default()
    );
    let message = match &cached {
        Some(packages) => {
            let missing: Vec<&str> = imports
                .direct
                .iter()
                .filter(|package| has_export(package) && !packages.contains_key(*package))
                .map(String::as_str)
                .collect();
            let what = if missing.is_empty() {
                "dependencies".to_string()
            } else {
                missing.join(", ")
            };
            format!("adding {what} to the import config for {toolchain}...")
        }
        None if cache.has_importcfg(go, arch) => {
            format!(
                "rebuilding the import config for {toolchain} (Go's build cache was trimmed)..."
            )
        }
        None if cache.dir().is_some() => {
            format!("building the import config for {toolchain} (first run)...")
        }
        None => format!("building the import config for {toolchain}..."),
    };
    cache.report(&message);

    let mut command = go.command(arch, dir);
    command.args(["list", "-export", "-deps", "-f", EXPORT_TEMPLATE, "--"]);
    command.args(required);
    let output = go.checked_output(&mut command, "go list -export -deps")?;
    let built = parse_importcfg(&String::from_utf8_lossy(&output.stdout));

    let mut packages: BTreeMap<String, String> = cached.unwrap_or_default();
    packages.extend(built);
    cache.write_importcfg(go, arch, &packages)?;
    Ok(packages)
}
