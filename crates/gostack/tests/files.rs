//! The run's own file system, as `gostack run` gives it: the program's
//! folder, /tmp and /dev/null, all in memory. A program that reads, writes
//! and lists files prints what the real binary prints; nothing on the host
//! is read outside the folder, and nothing is created or changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{gostack, text};

#[allow(dead_code)]
const _SHARED: fn(&str) -> PathBuf = common::sample;

fn program_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs")
        .join(name)
}

/// Every file below `dir`, by relative path, with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                todo.push(e.path());
            } else {
                out.insert(
                    e.path().strip_prefix(dir).unwrap().to_path_buf(),
                    (std::fs::read(e.path()).unwrap(), meta.modified().unwrap()),
                );
            }
        }
    }
    out
}

/// Copies the files of `from` into `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn a_program_using_files_prints_what_the_real_binary_prints() {
    let dir = program_dir("files");
    let before = snapshot(&dir);
    for arch in ["amd64", "386"] {
        // The real binary runs in a copy of the folder, which it changes and restores.
        let temp = tempfile::tempdir().unwrap();
        let work = temp.path().join("files");
        copy_dir(&dir, &work);
        let exe = temp.path().join("prog");
        let built = Command::new("go")
            .args(["build", "-o"])
            .arg(&exe)
            .arg("main.go")
            .current_dir(&work)
            .env("GOARCH", arch)
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "")
            .env("GO111MODULE", "off")
            .output()
            .unwrap();
        assert!(built.status.success(), "{}", text(&built.stderr));
        let real = Command::new(&exe).current_dir(&work).output().unwrap();
        assert!(real.status.success(), "{}", text(&real.stderr));

        let out = gostack(&["run", dir.join("main.go").to_str().unwrap(), "--arch", arch]);
        assert_eq!(out.status.code(), Some(0), "{arch}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), text(&real.stdout), "{arch}");
        assert!(text(&out.stdout).contains("read back: \"first line\\nsecond line\\n\""));
    }
    assert_eq!(snapshot(&dir), before, "the folder is as it was");
}

#[test]
fn a_run_reads_nothing_outside_its_folder_and_changes_nothing() {
    let dir = program_dir("outside");
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("secret.txt"), "host secret").unwrap();
    let host_before = snapshot(host.path());
    let folder_before = snapshot(&dir);
    let tmp_file = Path::new("/tmp/gostack-outside.txt");
    let _ = std::fs::remove_file(tmp_file);
    for arch in ["amd64", "386"] {
        let out = gostack(&[
            "run",
            dir.join("main.go").to_str().unwrap(),
            "--arch",
            arch,
            "--args",
            host.path().to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{arch}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            "read host file does not exist\n\
             climb to host file does not exist\n\
             write host file does not exist\n\
             read /etc/passwd does not exist\n\
             readlink /proc/self/exe does not exist\n\
             write /gostack.txt is not permitted\n\
             write in folder ok\n\
             change main.go ok\n\
             remove main.go ok\n\
             temp file ok\n",
            "{arch}"
        );
    }
    assert_eq!(
        snapshot(host.path()),
        host_before,
        "the host directory is untouched"
    );
    assert_eq!(
        snapshot(&dir),
        folder_before,
        "the program's folder is untouched"
    );
    assert!(!tmp_file.exists(), "nothing was written to the host's /tmp");
}

#[test]
fn starting_another_program_stops_the_run_and_says_so() {
    let program = program_dir("exec").join("main.go");
    let program = program.to_str().unwrap();
    for (arch, name, what) in [
        (
            "amd64",
            "go",
            "looks up go in /usr/bin, a directory of its PATH",
        ),
        (
            "386",
            "go",
            "looks up go in /usr/bin, a directory of its PATH",
        ),
        ("amd64", "/bin/echo", "pidfd_open"),
        ("386", "/bin/echo", "pidfd_open"),
    ] {
        let out = gostack(&["run", program, "--arch", arch, "--args", name]);
        assert_eq!(out.status.code(), Some(125), "{arch} {name}");
        assert_eq!(text(&out.stdout), "before\n", "{arch} {name}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "gostack: error: the program starts another program ({what}): gostack runs one process"
            )),
            "{arch} {name}: {stderr}"
        );
    }
}

#[test]
fn reading_gos_own_tree_stops_the_run_and_says_so() {
    let program = program_dir("goroot").join("main.go");
    let goroot = gostack_toolchain::Go::find().unwrap().goroot().to_string();
    for arch in ["amd64", "386"] {
        let out = gostack(&["run", program.to_str().unwrap(), "--arch", arch]);
        assert_eq!(out.status.code(), Some(125), "{arch}");
        assert_eq!(text(&out.stdout), "before\n", "{arch}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "gostack: error: reading {goroot}/VERSION, a file of the host ({goroot}) outside the program's folder, is not implemented"
            )),
            "{arch}: {stderr}"
        );
    }
}
