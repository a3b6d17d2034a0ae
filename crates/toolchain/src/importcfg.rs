//! The import config `go tool compile` needs since Go 1.20: which export data file holds each imported package.
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
    command.args(["list", "-e", "-f", LIST_TEMPLATE, "--", file_name]);
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

/// The import config text for a program with `imports`, or `None` when it imports nothing that has export data.
///
/// Uses the cached config when it already holds every package the program depends on,
/// and otherwise runs `go list -export -deps` in `dir` and adds its answer to the cache.
pub(crate) fn import_config(
    go: &Go,
    arch: Arch,
    imports: &Imports,
    cache: &Cache,
    dir: &Path,
) -> Result<Option<String>, Error> {
    let needs_export = |package: &&String| !NO_EXPORT.contains(&package.as_str());
    if !imports.direct.iter().any(|package| needs_export(&package)) {
        return Ok(None);
    }
    let required: BTreeSet<&String> = imports
        .direct
        .iter()
        .chain(&imports.deps)
        .filter(needs_export)
        .collect();

    let cached = cache.read_importcfg(go, arch);
    if let Some(packages) = &cached {
        if required
            .iter()
            .all(|package| packages.contains_key(*package))
        {
            return Ok(Some(format_importcfg(packages, required)));
        }
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
                .filter(|package| needs_export(package) && !packages.contains_key(*package))
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
    command.args(&required);
    let output = go.checked_output(&mut command, "go list -export -deps")?;
    let built = parse_importcfg(&String::from_utf8_lossy(&output.stdout));

    let mut packages: BTreeMap<String, String> = cached.unwrap_or_default();
    packages.extend(built);
    cache.write_importcfg(go, arch, &packages)?;
    Ok(Some(format_importcfg(&packages, required)))
}
