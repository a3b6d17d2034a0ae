//! The `gostack` command as a user runs it: real Go, real programs, exit statuses.

use std::path::Path;

mod common;

use common::{gostack, sample, text};

#[test]
fn run_prints_what_the_program_prints() {
    for arch in ["amd64", "386"] {
        let out = gostack(&[
            "run",
            sample("defer").to_str().unwrap(),
            "--arch",
            arch,
            "--flags",
            "-N -l",
        ]);
        assert_eq!(text(&out.stdout), "0 1\n0 2\n", "{arch}");
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn run_with_stats_reports_steps_last() {
    let out = gostack(&["run", sample("recursion").to_str().unwrap(), "--stats"]);
    let stderr = text(&out.stderr);
    let last = stderr.lines().last().unwrap();
    assert!(last.starts_with("gostack: stats: steps="), "{stderr}");
    let steps: u64 = last["gostack: stats: steps=".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(steps > 1000);
}

#[test]
fn a_panicking_program_exits_2_like_go() {
    let crash =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../emu/test_data/programs/crash/main.go");
    let out = gostack(&["run", crash.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("panic: runtime error: index out of range [5] with length 3\n"),
        "{stderr}"
    );
}

#[test]
fn the_step_limit_stops_a_run_with_gostacks_own_status() {
    let out = gostack(&[
        "run",
        sample("recursion").to_str().unwrap(),
        "--max-steps",
        "100",
    ]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("gostack: error: stopped after 100 steps"),
        "{}",
        text(&out.stderr)
    );
}

/// `gostack asm` of one function of the add sample, built with `-N -l`.
fn add_asm(func: &str) -> std::process::Output {
    gostack(&[
        "asm",
        sample("add").to_str().unwrap(),
        "--flags",
        "-N -l",
        "--func",
        func,
    ])
}

#[test]
fn asm_shows_source_lines_and_named_slots() {
    let out = add_asm("add2");
    let stdout = text(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("main.add2  frame=32 args=8"), "{stdout}");
    assert!(stdout.contains("main.go:6  b := a + tmp"), "{stdout}");
    assert!(stdout.contains("; tmp at +8(SP)"), "{stdout}");
    assert!(!stdout.contains("main.add1"), "only the function asked for");
}

#[test]
fn errors_name_the_problem_and_exit_125() {
    let dir = tempfile::TempDir::new().unwrap();
    let bad = dir.path().join("bad.go");
    std::fs::write(&bad, "package main\n\nfunc main() {\n\ty = 1\n}\n").unwrap();
    let out = gostack(&["run", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("bad.go:4:2: undefined: y"),
        "{}",
        text(&out.stderr)
    );

    let out = gostack(&["run", "no-such-file.go"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(text(&out.stderr).contains("no-such-file.go"));

    let out = gostack(&["run", sample("add").to_str().unwrap(), "--arch", "arm64"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("\"amd64\" or \"386\""),
        "{}",
        text(&out.stderr)
    );

    let out = gostack(&["asm", sample("add").to_str().unwrap(), "--func", "nosuch"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("main.add2, main.add1, main.main"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_and_version() {
    let out = gostack(&["--help"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("Exit status:"));
    let out = gostack(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("gostack {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn events_lists_calls_and_returns_with_their_nth() {
    let out = gostack(&[
        "events",
        sample("recursion").to_str().unwrap(),
        "--flags",
        "-N -l",
    ]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("main.fact entry (main.go:8)  [nth 5]"),
        "{stdout}"
    );
    assert!(stdout.contains("main.deep ret"), "{stdout}");
}

#[test]
fn events_takes_a_range_and_functions() {
    let recursion = sample("recursion");
    let recursion = recursion.to_str().unwrap();
    let out = gostack(&["events", recursion, "--func", "fact"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    assert!(
        lines.next().unwrap().ends_with("goroutine 1 starts"),
        "{stdout}"
    );
    assert!(lines.all(|l| l.contains(" main.fact ")), "{stdout}");
    let first = stdout.lines().nth(1).unwrap();
    let step: u64 = first.split_whitespace().next().unwrap().parse().unwrap();
    let out = gostack(&[
        "events",
        recursion,
        "--from",
        &step.to_string(),
        "--to",
        &step.to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The line at that step, after the line of the goroutine it runs on.
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert_eq!(stdout.lines().nth(1), Some(first), "{stdout}");
}

/// `gostack events | head`: the list streams, and a reader that has seen
/// enough ends the run quietly.
#[test]
fn events_stops_quietly_when_its_reader_does() {
    use std::io::{BufRead as _, BufReader};
    let fib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../emu/benches/fib.go");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gostack"))
        .args(["events", fib.to_str().unwrap()])
        .env(
            "GOSTACK_CACHE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.ends_with("goroutine 1 starts\n"), "{first}");
    drop(reader);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn stack_draws_both_arches_and_says_when_a_moment_never_happens() {
    let out = gostack(&[
        "stack",
        sample("add").to_str().unwrap(),
        "--at",
        "add2 ret",
        "--flags",
        "-N -l",
        "--arch",
        "amd64",
        "--arch",
        "386",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("go1.")
            && stdout.contains(" amd64 -N -l ")
            && stdout.contains(" 386 -N -l "),
        "{stdout}"
    );
    assert!(
        stdout.contains("add2.a (spill) = 11") && stdout.contains("add2.~r0 = 21"),
        "{stdout}"
    );
    let out = gostack(&[
        "stack",
        sample("add").to_str().unwrap(),
        "--at",
        "add9 entry",
    ]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("never happens"),
        "{}",
        text(&out.stderr)
    );
}

/// A program with goroutines: `events` says which goroutine runs what, and
/// `stack --goroutine` draws that goroutine's own stack.
#[test]
fn goroutines_are_listed_and_drawn_on_their_own_stacks() {
    let program =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../emu/test_data/runtime/workers/main.go");
    let program = program.to_str().unwrap();
    let out = gostack(&["events", program, "--flags", "-N -l"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let events = text(&out.stdout);
    assert!(events.contains("goroutine 1 starts"), "{events}");
    // Both workers start, run work and end; each on a goroutine of its own.
    let starts: Vec<&str> = events
        .lines()
        .filter(|l| l.ends_with(" starts") && !l.contains("goroutine 1 "))
        .collect();
    assert_eq!(starts.len(), 2, "{events}");
    assert_eq!(events.matches(" ends").count(), 2, "{events}");
    assert_eq!(events.matches("main.work entry").count(), 2, "{events}");
    // The goroutine of the second `work` call, as events numbered it.
    let second = events
        .lines()
        .filter(|l| l.contains(" starts") && !l.contains("goroutine 1 "))
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(2))
        .unwrap()
        .to_string();
    let out = gostack(&[
        "stack",
        program,
        "--at",
        "work ret",
        "--goroutine",
        &second,
        "--flags",
        "-N -l",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let picture = text(&out.stdout);
    assert!(
        picture.contains(&format!("on goroutine {second}")),
        "{picture}"
    );
    // The goroutine's first frame is the `go` statement's wrapper, returning to goexit; main is not on this stack.
    assert!(
        picture.contains("return addr -> runtime.goexit+0x1"),
        "{picture}"
    );
    assert!(!picture.contains("main.main "), "{picture}");
    assert!(picture.contains("main.worker"), "{picture}");
    let out = gostack(&[
        "stack",
        program,
        "--at",
        "work ret",
        "--goroutine",
        "1",
        "--flags",
        "-N -l",
    ]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("never happens on goroutine 1"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn go_versions_and_frames_are_chosen_on_the_command_line() {
    let installed = gostack_toolchain::Go::find().unwrap().version().clone();
    let release = format!(
        "{}.{}.{}",
        installed.major, installed.minor, installed.patch
    );
    let defer = sample("defer");
    let args = |extra: &[&str]| {
        let mut args = vec![
            "stack",
            defer.to_str().unwrap(),
            "--at",
            "incr1.func1 entry",
            "--flags",
            "-N -l",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let json = |extra: &[&str]| {
        let args = args(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = gostack(&args);
        assert!(out.status.success(), "{extra:?}: {}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let funcs = |figure: &serde_json::Value, panel: usize| -> Vec<String> {
        figure["panels"][panel]["frames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["func"].as_str().unwrap().to_string())
            .collect()
    };
    // One panel per Go version given, captioned with it.
    let two = json(&["--go", &release, "--go", &format!("go{release}")]);
    for panel in 0..2 {
        assert_eq!(
            two["panels"][panel]["caption"]["go_version"]
                .as_str()
                .unwrap(),
            installed.raw.split_whitespace().next().unwrap()
        );
    }
    assert!(two["panels"][2].is_null());
    // By default the callers of main.main fold into one row; `all` draws them.
    let focus = json(&[]);
    let all = json(&["--frames", "all"]);
    assert_eq!(funcs(&focus, 0), funcs(&all, 0));
    assert_eq!(focus["panels"][0]["frames"][0]["rows"][0]["kind"], "folded");
    assert_eq!(all["panels"][0]["frames"][0]["func"], "runtime.main");
    assert_ne!(all["panels"][0]["frames"][0]["rows"][0]["kind"], "folded");
    let only = json(&["--frames", "incr1,incr1.func1"]);
    assert_eq!(
        funcs(&only, 0),
        [
            "main.main",
            "main.incr1",
            "runtime.deferreturn",
            "main.incr1.func1"
        ]
    );
    // A version that names no release is refused before anything is fetched.
    let args = args(&["--go", "1.x"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = gostack(&args);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("`1.x` names no Go release"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn run_passes_the_environment_and_exits_with_the_low_byte_of_the_status() {
    let program =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../emu/test_data/programs/exitstatus/main.go");
    let program = program.to_str().unwrap();
    let out = gostack(&["run", program, "--env", "A=1", "--env", "B=x=y"]);
    assert_eq!(text(&out.stdout), "A=1 B=x=y\n");
    // os.Exit(259): Linux keeps 8 bits, so the status is 3, as the real binary's.
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));

    let out = gostack(&["run", program, "--env", "novalue"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("`novalue` is not KEY=VALUE"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn every_command_builds_with_the_go_version_asked_for() {
    let version = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/version/main.go");
    let version = version.to_str().unwrap();
    // Go 1.21.13 is in the module cache (.ci/run fetches it before the tests).
    let out = gostack(&["run", version, "--go", "1.21.13"]);
    assert_eq!(text(&out.stdout), "go1.21.13\n", "{}", text(&out.stderr));
    let out = gostack(&["asm", version, "--go", "1.21.13"]);
    assert!(
        text(&out.stdout).starts_with("# main.go GOARCH=amd64 flags=\"\" (go1.21.13)\n"),
        "{}",
        text(&out.stdout)
    );
    let installed = gostack(&["events", version]);
    let old = gostack(&["events", version, "--go", "1.21.13"]);
    assert!(old.status.success(), "{}", text(&old.stderr));
    assert_ne!(
        text(&installed.stdout),
        text(&old.stdout),
        "another runtime, other steps"
    );
    let out = gostack(&["verify", version, "--go", "1.21.13", "--max-steps", "5"]);
    let report = text(&out.stdout);
    assert!(
        report.ends_with(
            "no difference in the 5 steps compared; the program went on beyond them (raise --max-steps to compare more)\n"
        ),
        "{report}{}",
        text(&out.stderr)
    );
}

/// `verify --at`: every package step before the moment, held to the real
/// CPU, on amd64 and on 386 (a 32-bit process). From add2's entry to its
/// return the difference is add2's own instructions before its `RET`, as
/// the listing shows them.
#[test]
fn verify_at_a_moment_compares_the_steps_before_it() {
    let add = sample("add");
    let add = add.to_str().unwrap();
    for arch in ["amd64", "386"] {
        let compared = |at: &str| -> u64 {
            let out = gostack(&[
                "verify", add, "--arch", arch, "--flags", "-N -l", "--at", at,
            ]);
            let report = text(&out.stdout);
            assert!(
                out.status.success(),
                "{arch}: {report}{}",
                text(&out.stderr)
            );
            assert!(
                report.contains("\nnote: stopped at the moment asked for, step ")
                    && report.ends_with("\nno difference\n"),
                "{arch}: {report}"
            );
            report.split(' ').next().unwrap().parse().unwrap()
        };
        // A function's instructions up to the first that contains `upto` (straight-line code, its stack check not taken).
        let steps_to = |func: &str, upto: &str, inclusive: bool| -> u64 {
            let listing = text(
                &gostack(&[
                    "asm", add, "--arch", arch, "--flags", "-N -l", "--func", func,
                ])
                .stdout,
            );
            let instrs: Vec<&str> = listing
                .lines()
                .filter(|l| l.trim_start().starts_with("0x"))
                .collect();
            let at = instrs.iter().position(|l| l.contains(upto)).unwrap();
            (at + usize::from(inclusive)) as u64
        };
        // Before add2's entry: main's steps to its call of add1, and add1's to its call of add2.
        let entry = steps_to("main", "CALL    main.add1", true)
            + steps_to("add1", "CALL    main.add2", true);
        assert_eq!(compared("add2 entry"), entry, "{arch}");
        assert_eq!(
            compared("add2 ret"),
            entry + steps_to("add2", "RET", false),
            "{arch}"
        );
    }
    let out = gostack(&["verify", add, "--at", "add9 ret"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("--at: `main.add9 ret` never happens"),
        "{}",
        text(&out.stderr)
    );
}

/// Two panels too wide to sit side by side in a terminal go one below
/// the other, in order.
#[test]
fn wide_ascii_panels_go_one_below_the_other() {
    let out = gostack(&[
        "stack",
        sample("add").to_str().unwrap(),
        "--at",
        "add2 ret",
        "--arch",
        "amd64",
        "--arch",
        "386",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let picture = text(&out.stdout);
    let widest = picture.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 160, "{widest} columns:\n{picture}");
    let captions: Vec<&str> = picture
        .lines()
        .filter(|l| l.starts_with("add2 ret · "))
        .collect();
    assert_eq!(captions.len(), 2, "{picture}");
    assert!(
        captions[0].contains(" amd64 ") && captions[1].contains(" 386 "),
        "{picture}"
    );
}

/// `--view steps` in ASCII: at each step the stack, and beside it the
/// running function's listing with the instruction about to run marked;
/// after add2's `RET` its words are popped, below add1's SP.
#[test]
fn ascii_steps_show_the_listing_beside_the_stack() {
    let out = gostack(&[
        "stack",
        sample("add").to_str().unwrap(),
        "--at",
        "add2 entry",
        "--to",
        "after call add2",
        "--view",
        "steps",
        "--flags",
        "-N -l",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = text(&out.stdout);
    let steps: Vec<&str> = all.split("\nstep ").skip(1).collect();
    // add2's instructions, from its entry through its RET, then the one after the call.
    let listing = text(&add_asm("add2").stdout);
    let add2 = listing
        .lines()
        .filter(|l| l.trim_start().starts_with("0x"))
        .count();
    assert_eq!(steps.len(), add2 + 1, "{all}");
    let ret = steps[add2 - 1];
    assert!(ret.contains("· main.add2+0x30 (main.go:7)\n"), "{ret}");
    let marked: Vec<&str> = ret.lines().filter(|l| l.contains("> 0x")).collect();
    assert_eq!(marked.len(), 1, "{ret}");
    assert!(marked[0].contains("> 0x30  main.go:7  RET"), "{ret}");
    let (frame_edge, mark) = (marked[0].find('|'), marked[0].find("> 0x"));
    assert!(
        frame_edge.is_some() && frame_edge < mark,
        "the listing is beside the stack: {ret}"
    );
    let after = steps[add2];
    assert!(after.contains("· main.add1+0x33 (main.go:14)\n"), "{after}");
    let popped = after
        .lines()
        .skip_while(|l| !l.starts_with("(popped)"))
        .collect::<Vec<_>>();
    assert!(
        popped.iter().any(|l| l.contains("saved BP = add1")),
        "{after}"
    );
    assert!(
        after.contains("> 0x33  main.go:14  MOVQ AX, main..autotmp_4+32(SP)"),
        "{after}"
    );
}
