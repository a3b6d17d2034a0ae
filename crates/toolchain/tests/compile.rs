//! Compiles the sample programs with the installed Go and checks the listings, the errors and the caches.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use gostack_toolchain::{Arch, Cache, CompileRequest, Compiled, Error, Go, compile, compile_file};
use tempfile::TempDir;

const SAMPLES: [&str; 6] = ["sum", "add", "swap", "defer", "manyargs", "recursion"];

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples")
}

fn go() -> Go {
    Go::find().unwrap_or_else(|err| panic!("the tests need Go: {err}"))
}

/// A cache in a fresh directory that records every progress message.
fn recording_cache(dir: &TempDir) -> (Cache, Arc<Mutex<Vec<String>>>) {
    let messages = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&messages);
    let cache = Cache::new(dir.path())
        .with_progress(move |message| sink.lock().unwrap().push(message.to_string()));
    (cache, messages)
}

fn taken(messages: &Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *messages.lock().unwrap())
}

fn check_listing(compiled: &Compiled, file_name: &str, what: &str) {
    let listing = &compiled.listing;
    assert!(
        listing.contains("main.main STEXT"),
        "{what}: no main.main in\n{listing}"
    );
    assert!(
        listing.contains(&format!("({file_name}:")),
        "{what}: no ({file_name}: positions in\n{listing}"
    );
    assert!(
        !listing.contains("gostack-"),
        "{what}: the temporary directory shows in\n{listing}"
    );
    let goroot = Go::find().unwrap().goroot().to_string();
    assert!(
        !listing.contains(&format!("({goroot}/")),
        "{what}: a position under GOROOT is not written as $GOROOT in\n{listing}"
    );
    for line in listing
        .lines()
        .filter(|line| line.contains(&format!("{file_name}:")))
    {
        assert!(
            !line.contains(&format!("/{file_name}:")),
            "{what}: an absolute position in {line}"
        );
    }
}

/// Compiles every sample with and without `-N -l` into one cache, then again from the cache.
fn compile_every_sample(arch: Arch) {
    let go = go();
    let cache_dir = TempDir::new().unwrap();
    let cache = Cache::new(cache_dir.path());
    let flag_sets: [Vec<String>; 2] = [Vec::new(), vec!["-N".into(), "-l".into()]];
    let mut first = Vec::new();
    for sample in SAMPLES {
        let path = samples_dir().join(sample).join("main.go");
        for flags in &flag_sets {
            let what = format!("{sample} {arch} {flags:?}");
            let compiled = compile_file(&go, &path, arch, flags, &cache)
                .unwrap_or_else(|err| panic!("{what}: {err}"));
            assert!(
                !compiled.cache_hit,
                "{what}: a new sample or new flags must miss the cache"
            );
            assert_eq!(compiled.arch, arch);
            assert_eq!(&compiled.flags, flags);
            assert_eq!(compiled.go_version, go.version().raw);
            check_listing(&compiled, "main.go", &what);
            first.push(compiled);
        }
    }
    for (sample, flags, before) in SAMPLES
        .iter()
        .flat_map(|sample| flag_sets.iter().map(move |flags| (sample, flags)))
        .zip(&first)
        .map(|((sample, flags), before)| (sample, flags, before))
    {
        let path = samples_dir().join(sample).join("main.go");
        let again = compile_file(&go, &path, arch, flags, &cache).unwrap();
        assert!(
            again.cache_hit,
            "{sample} {arch} {flags:?}: the second compile must hit the cache"
        );
        assert_eq!(again.listing, before.listing, "{sample} {arch} {flags:?}");
    }
    let optimised = &first[4].listing;
    let unoptimised = &first[5].listing;
    assert_ne!(
        optimised, unoptimised,
        "-N -l changes the defer sample's code"
    );
}

#[test]
fn every_sample_compiles_for_amd64() {
    compile_every_sample(Arch::Amd64);
}

#[test]
fn every_sample_compiles_for_386() {
    compile_every_sample(Arch::I386);
}

#[test]
fn the_version_is_what_go_env_says() {
    let go = go();
    let output = Command::new(go.path())
        .args(["env", "GOVERSION"])
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    let expected = String::from_utf8(output.stdout).unwrap();
    let version = go.version();
    assert_eq!(version.raw, expected.trim());
    assert!(
        version
            .raw
            .starts_with(&format!("go{}.{}", version.major, version.minor))
            || version.devel
    );
    assert!(version.is_at_least(1, 19));
    assert!(!go.goroot().is_empty());
}

#[test]
fn import_configs_are_built_once_reused_extended_and_rebuilt() {
    let go = go();
    let cache_dir = TempDir::new().unwrap();
    let (cache, messages) = recording_cache(&cache_dir);
    let importcfg_dir = cache_dir.path().join("importcfg");
    let program = |imports: &str, body: &str| {
        format!("package main\n\n{imports}\n\nfunc main() {{\n\t{body}\n}}\n")
    };
    let run = |source: String| {
        let compiled = compile(&go, &CompileRequest::new(source, Arch::Amd64), &cache).unwrap();
        check_listing(&compiled, "main.go", "import config test");
        compiled
    };

    // A program without imports needs no import config at all.
    run(program("", "println(1)"));
    assert_eq!(taken(&messages), Vec::<String>::new());
    assert!(!importcfg_dir.exists());
    // Importing only unsafe needs none either.
    run(program("import \"unsafe\"", "println(unsafe.Sizeof(1))"));
    assert_eq!(taken(&messages), Vec::<String>::new());

    // The first program that imports fmt builds one.
    run(program("import \"fmt\"", "fmt.Println(1)"));
    let first = taken(&messages);
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(
        first[0].contains("(first run)") && first[0].contains("/amd64"),
        "{first:?}"
    );
    let files: Vec<_> = fs::read_dir(&importcfg_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let config = &files[0];
    let lines_before = fs::read_to_string(config).unwrap().lines().count();

    // os is among fmt's dependencies: the config is reused without `go list -export`.
    run(program("import \"os\"", "os.Exit(0)"));
    assert_eq!(taken(&messages), Vec::<String>::new());

    // net/url is not: it is added, and the file grows.
    run(program(
        "import (\n\t\"fmt\"\n\t\"net/url\"\n)",
        "fmt.Println(url.PathEscape(\"a b\"))",
    ));
    let added = taken(&messages);
    assert!(
        added.len() == 1 && added[0].contains("adding net/url"),
        "{added:?}"
    );
    let text = fs::read_to_string(config).unwrap();
    assert!(text.lines().count() > lines_before);
    assert!(text.contains("packagefile net/url="));
    assert!(text.contains("packagefile fmt="));

    // When Go trims its build cache, an export file disappears: the config is rebuilt.
    let broken = text.replacen(
        "packagefile fmt=",
        "packagefile fmt=/nonexistent/gostack-test/",
        1,
    );
    fs::write(config, broken).unwrap();
    run(program("import \"fmt\"", "fmt.Println(2)"));
    let rebuilt = taken(&messages);
    assert!(
        rebuilt.len() == 1 && rebuilt[0].contains("rebuilding"),
        "{rebuilt:?}"
    );
    let text = fs::read_to_string(config).unwrap();
    assert!(!text.contains("/nonexistent/"));
    for line in text
        .lines()
        .filter_map(|line| line.strip_prefix("packagefile "))
    {
        let (_, file) = line.split_once('=').unwrap();
        assert!(Path::new(file).is_file(), "{line}");
    }
}

#[test]
fn compile_errors_carry_the_compilers_own_message() {
    let go = go();
    let cache_dir = TempDir::new().unwrap();
    let source = "package main\n\nfunc main() {\n\t_ = 1\n\tx = 2\n}\n";
    for arch in Arch::ALL {
        let req = CompileRequest::new(source, arch);
        let err = compile(&go, &req, &Cache::new(cache_dir.path())).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("main.go:5:2") && message.contains("undefined: x"),
            "{message}"
        );
        assert!(!message.contains("gostack-"), "{message}");
        match err {
            Error::Compile { status, .. } => assert!(matches!(status, Some(code) if code != 0)),
            other => panic!("expected a compile error, got {other:?}"),
        }
    }
    assert!(
        !cache_dir.path().join("listings").exists(),
        "errors are not cached"
    );
}

/// An error the compiler finds after printing the listing (`//go:embed`
/// with nothing supplied to embed: a program is `main.go` alone) comes
/// without the listing.
#[test]
fn a_late_compile_error_comes_without_the_listing() {
    let source = "package main\n\nimport _ \"embed\"\n\n//go:embed main.go\nvar s string\n\nfunc main() { println(len(s)) }\n";
    let err = compile(
        &go(),
        &CompileRequest::new(source, Arch::Amd64),
        &Cache::disabled(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string().lines().rfind(|l| !l.is_empty()),
        Some("main.go:5:3: invalid go:embed: build system did not supply embed configuration"),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        !message.contains("STEXT") && !message.contains("SDWARFVAR") && !message.contains("\t0x"),
        "{message}"
    );
}

#[test]
fn an_import_that_does_not_exist_is_a_compile_error() {
    let go = go();
    let source = "package main\n\nimport \"nosuch/pkg\"\n\nfunc main() { pkg.F() }\n";
    let err = compile(
        &go,
        &CompileRequest::new(source, Arch::Amd64),
        &Cache::disabled(),
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, Error::Compile { status: None, .. }),
        "{err:?}"
    );
    assert!(
        message.contains("main.go:3:8") && message.contains("nosuch/pkg"),
        "{message}"
    );
}

#[test]
fn syntax_errors_name_the_line_and_column() {
    let go = go();
    let source = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(1\n}\n";
    let err = compile(
        &go,
        &CompileRequest::new(source, Arch::I386),
        &Cache::disabled(),
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("main.go:6:"), "{message}");
    assert!(message.contains("syntax error"), "{message}");
}

#[test]
fn positions_use_the_requested_file_name() {
    let go = go();
    let source = fs::read_to_string(samples_dir().join("add/main.go")).unwrap();
    let req = CompileRequest::new(source, Arch::I386)
        .with_flags(["-N", "-l"])
        .with_file_name("add.go");
    let compiled = compile(&go, &req, &Cache::disabled()).unwrap();
    assert_eq!(compiled.file_name, "add.go");
    check_listing(&compiled, "add.go", "add.go");
    assert!(!compiled.listing.contains("(main.go:"));

    let bad = req.clone().with_file_name("../add.go");
    assert!(matches!(
        compile(&go, &bad, &Cache::disabled()),
        Err(Error::BadFileName { .. })
    ));
}

#[test]
fn a_disabled_cache_always_runs_the_compiler() {
    let go = go();
    let path = samples_dir().join("sum/main.go");
    let cache = Cache::disabled();
    let first = compile_file(&go, &path, Arch::Amd64, &[], &cache).unwrap();
    let second = compile_file(&go, &path, Arch::Amd64, &[], &cache).unwrap();
    assert!(!first.cache_hit && !second.cache_hit);
    assert_eq!(first.listing, second.listing);
}

#[test]
fn the_cache_key_covers_arch_flags_and_source() {
    let go = go();
    let cache_dir = TempDir::new().unwrap();
    let cache = Cache::new(cache_dir.path());
    let source = fs::read_to_string(samples_dir().join("sum/main.go")).unwrap();
    let base = CompileRequest::new(source.clone(), Arch::Amd64);
    assert!(!compile(&go, &base, &cache).unwrap().cache_hit);
    assert!(compile(&go, &base, &cache).unwrap().cache_hit);
    let variants = [
        CompileRequest {
            arch: Arch::I386,
            ..base.clone()
        },
        base.clone().with_flags(["-N"]),
        base.clone().with_flags(["-N", "-l"]),
        base.clone().with_file_name("sum.go"),
        CompileRequest {
            source: source.replace("a + b", "b + a"),
            ..base.clone()
        },
    ];
    for req in &variants {
        let compiled = compile(&go, req, &cache).unwrap_or_else(|err| panic!("{req:?}: {err}"));
        assert!(!compiled.cache_hit, "{req:?} must miss");
    }
    let listings = fs::read_dir(cache_dir.path().join("listings"))
        .unwrap()
        .count();
    assert_eq!(listings, 1 + variants.len());
}

#[test]
fn a_missing_source_file_is_named() {
    let go = go();
    let path = samples_dir().join("no-such-sample/main.go");
    let message = compile_file(&go, &path, Arch::Amd64, &[], &Cache::disabled())
        .unwrap_err()
        .to_string();
    assert!(message.contains("no-such-sample/main.go"), "{message}");
}

#[test]
fn unknown_arch_names_are_errors() {
    let err: Error = "arm64".parse::<Arch>().unwrap_err().into();
    assert!(matches!(err, Error::UnknownArch(_)));
    assert!(err.to_string().contains("arm64"));
}

#[test]
fn a_go_binary_that_is_not_there_says_what_to_do() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bin/go");
    let err = Go::at(&path).unwrap_err();
    assert!(matches!(&err, Error::GoMissing { path: missing } if *missing == path));
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains("GOSTACK_GO") && message.contains("go.dev/dl") && message.contains("PATH"),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn a_binary_that_is_not_go_is_rejected() {
    // `true` prints nothing for `go env`: there is no version to read.
    let err = Go::at("/bin/true").unwrap_err();
    assert!(matches!(err, Error::BadGoVersion { .. }), "{err:?}");
    // `false` fails: the error names the command.
    let err = Go::at("/bin/false").unwrap_err();
    assert!(matches!(err, Error::GoCommand { .. }), "{err:?}");
    assert!(err.to_string().contains("go env"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_go_older_than_1_19_is_too_old() {
    use std::os::unix::fs::PermissionsExt;

    // No Go 1.18 is installed here: a script answers `go env` the way Go 1.18.10 does.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("go");
    fs::write(
        &path,
        "#!/bin/sh\nprintf 'go1.18.10\\n/usr/lib/go-1.18\\nv1\\n\\n\\n'\n",
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let err = Go::at(&path).unwrap_err();
    assert!(
        matches!(&err, Error::GoTooOld { found, minimum } if found == "go1.18.10" && minimum == "go1.19"),
        "{err:?}"
    );
    assert!(err.to_string().contains("go.dev/dl"), "{err}");
}

/// A second `find_cached` answers from the cache, with the same Go.
#[test]
fn find_cached_remembers_go_env() {
    let dir = TempDir::new().unwrap();
    let cache = Cache::new(dir.path());
    let first = Go::find_cached(&cache).unwrap();
    let stored: Vec<_> = fs::read_dir(dir.path().join("go-env"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(stored.len(), 1, "one remembered go env");
    assert_eq!(first.version().raw, Go::find().unwrap().version().raw);
    // Mark the remembered GOROOT, keeping every other field (empty ones too,
    // as an unset GOEXPERIMENT leaves them): the second call must answer
    // from the file, not from another `go env`.
    let text = fs::read_to_string(&stored[0]).unwrap();
    let marked = text.replacen(first.goroot(), "/remembered/goroot", 1);
    assert_ne!(text, marked);
    fs::write(&stored[0], marked).unwrap();
    let second = Go::find_cached(&cache).unwrap();
    assert_eq!(first.version().raw, second.version().raw);
    assert_eq!(second.goroot(), "/remembered/goroot");
}
