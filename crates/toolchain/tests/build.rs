//! Builds programs into executables with the installed Go, runs them, and checks the executables' cache.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use gostack_toolchain::{Arch, Built, Cache, CompileRequest, Compiled, Error, Go, build, compile};
use tempfile::TempDir;

const HELLO: &str = "package main

import (
\t\"fmt\"
\t\"runtime\"
)

func main() {
\tfmt.Println(\"hello from\", runtime.GOARCH, 6*7)
}
";

fn go() -> Go {
    Go::find().unwrap_or_else(|err| panic!("the tests need Go: {err}"))
}

/// Writes the executable to a file in a fresh directory, runs it, and returns its stdout.
fn run(built: &Built) -> String {
    use std::os::unix::fs::PermissionsExt;

    let dir = TempDir::new().unwrap();
    let path = dir.path().join("prog");
    fs::write(&path, &built.executable).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let output = Command::new(&path).output().unwrap();
    assert!(
        output.status.success(),
        "{path:?} exited with {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// No path of this machine's temporary directories, cache or checkout is in the executable.
fn check_no_local_paths(built: &Built, cache_dir: &Path, what: &str) {
    let workspace: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let workspace = workspace.canonicalize().unwrap();
    let bytes = &built.executable;
    assert!(
        !contains(bytes, "gostack-"),
        "{what}: the temporary directory shows"
    );
    for path in [
        std::env::temp_dir(),
        cache_dir.to_path_buf(),
        cache_dir.canonicalize().unwrap(),
        workspace,
    ] {
        let path = path.display().to_string();
        assert!(!contains(bytes, &path), "{what}: {path} shows");
    }
}

fn build_and_run(arch: Arch) {
    let go = go();
    let cache_dir = TempDir::new().unwrap();
    let cache = Cache::new(cache_dir.path());
    let req = CompileRequest::new(HELLO, arch);
    let what = format!("hello {arch}");

    let built = build(&go, &req, &cache).unwrap_or_else(|err| panic!("{what}: {err}"));
    assert!(!built.compiled.cache_hit, "{what}: a new program must miss");
    assert!(built.executable.starts_with(b"\x7fELF"), "{what}");
    assert_eq!(
        run(&built),
        format!("hello from {} 42\n", arch.as_goarch()),
        "{what}"
    );
    check_no_local_paths(&built, cache_dir.path(), &what);

    // The listing is the one `compile` gives, from the same cache entry.
    let compiled = compile(&go, &req, &cache).unwrap();
    assert!(compiled.cache_hit, "{what}: build caches the listing");
    let expected = Compiled {
        cache_hit: true,
        ..built.compiled.clone()
    };
    assert!(compiled == expected, "{what}: compile and build differ");

    let again = build(&go, &req, &cache).unwrap();
    assert!(
        again.compiled.cache_hit,
        "{what}: the second build must hit"
    );
    assert_eq!(again.compiled.listing, built.compiled.listing, "{what}");
    assert!(
        again.executable == built.executable,
        "{what}: cached bytes differ"
    );

    // Another cache, another temporary directory: the same bytes.
    let other_dir = TempDir::new().unwrap();
    let fresh = build(&go, &req, &Cache::new(other_dir.path())).unwrap();
    assert!(!fresh.compiled.cache_hit);
    assert!(
        fresh.executable == built.executable,
        "{what}: two builds of one program differ"
    );
}

#[test]
fn a_program_builds_and_runs_on_amd64() {
    build_and_run(Arch::Amd64);
}

#[test]
fn a_program_builds_and_runs_on_386() {
    build_and_run(Arch::I386);
}

#[test]
fn a_program_without_imports_links_the_runtime() {
    let go = go();
    let source = "package main\n\nfunc main() {\n\tprintln(\"to stderr\")\n}\n";
    for arch in Arch::ALL {
        let built = build(&go, &CompileRequest::new(source, arch), &Cache::disabled())
            .unwrap_or_else(|err| panic!("{arch}: {err}"));
        assert!(!built.compiled.cache_hit);
        assert_eq!(run(&built), "", "{arch}: println writes to stderr");
    }
}

#[test]
fn a_cached_executable_that_is_missing_or_damaged_is_rebuilt() {
    let go = go();
    let cache_dir = TempDir::new().unwrap();
    let cache = Cache::new(cache_dir.path());
    let req = CompileRequest::new(HELLO, Arch::Amd64).with_flags(["-N", "-l"]);
    let first = build(&go, &req, &cache).unwrap();
    let listings = cache_dir.path().join("listings");
    let executables: Vec<PathBuf> = fs::read_dir(&listings)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "exe"))
        .collect();
    assert_eq!(executables.len(), 1, "{executables:?}");
    let exe = &executables[0];
    assert!(
        listings
            .join(exe.file_stem().unwrap())
            .with_extension("s")
            .is_file()
    );

    fs::write(exe, b"#!/bin/sh\necho damaged\n").unwrap();
    let rebuilt = build(&go, &req, &cache).unwrap();
    assert!(
        !rebuilt.compiled.cache_hit,
        "a damaged executable is a miss"
    );
    assert!(rebuilt.executable == first.executable);
    assert!(
        fs::read(exe).unwrap() == first.executable,
        "and is replaced"
    );

    fs::remove_file(exe).unwrap();
    let rebuilt = build(&go, &req, &cache).unwrap();
    assert!(
        !rebuilt.compiled.cache_hit,
        "a missing executable is a miss"
    );
    assert!(rebuilt.executable == first.executable);
    assert!(build(&go, &req, &cache).unwrap().compiled.cache_hit);
}

/// A cache hit runs no `go` at all: a `go` that only answers `go env` gets the same executable.
#[test]
fn a_cache_hit_runs_no_go_command() {
    use std::os::unix::fs::PermissionsExt;

    let go = go();
    let cache_dir = TempDir::new().unwrap();
    let cache = Cache::new(cache_dir.path());
    let req = CompileRequest::new(HELLO, Arch::I386);
    let built = build(&go, &req, &cache).unwrap();

    let fake_dir = TempDir::new().unwrap();
    let env = fake_dir.path().join("env");
    let ran = fake_dir.path().join("ran");
    let answers = [
        go.version().raw.as_str(),
        go.goroot(),
        go.goamd64(),
        go.go386(),
        go.goexperiment(),
    ];
    fs::write(&env, answers.join("\n") + "\n").unwrap();
    let fake = fake_dir.path().join("go");
    fs::write(
        &fake,
        format!(
            "#!/bin/sh\nif [ \"$1\" = env ]; then cat '{}'; exit 0; fi\necho \"$@\" >> '{}'\nexit 1\n",
            env.display(),
            ran.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let fake_go = Go::at(&fake).unwrap();
    assert_eq!(fake_go.version().raw, go.version().raw);

    let hit = build(&fake_go, &req, &cache).unwrap();
    assert!(hit.compiled.cache_hit);
    assert!(hit.executable == built.executable);
    assert!(!ran.exists(), "{}", fs::read_to_string(&ran).unwrap());
}

#[test]
fn link_errors_carry_the_linkers_own_message() {
    let go = go();
    let cache_dir = TempDir::new().unwrap();
    // A function without a body compiles (its body could be in assembly) but does not link.
    let source = "package main\n\nfunc f()\n\nfunc main() {\n\tf()\n}\n";
    for arch in Arch::ALL {
        let req = CompileRequest::new(source, arch);
        let err = build(&go, &req, &Cache::new(cache_dir.path())).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("go tool link") && message.contains("main.f not defined"),
            "{arch}: {message}"
        );
        assert!(!message.contains("gostack-"), "{message}");
        assert!(
            matches!(err, Error::Link { status: Some(code), .. } if code != 0),
            "{err:?}"
        );
        // The compile itself succeeded: its listing is there, no executable is.
        assert!(
            compile(&go, &req, &Cache::new(cache_dir.path()))
                .unwrap()
                .cache_hit
        );
    }
    let executables = fs::read_dir(cache_dir.path().join("listings"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension().unwrap() == "exe")
        .count();
    assert_eq!(executables, 0, "failed links are not cached");
}

#[test]
fn compile_errors_stop_a_build_before_the_link() {
    let go = go();
    let source = "package main\n\nfunc main() {\n\tx = 2\n}\n";
    let err = build(
        &go,
        &CompileRequest::new(source, Arch::Amd64),
        &Cache::disabled(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Compile { .. }), "{err:?}");
    assert!(err.to_string().contains("main.go:4:2"), "{err}");
}
