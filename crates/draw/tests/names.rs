//! Every word of a package function's frame has a name, and no two words
//! of one frame share one: at the moments the notes draw, on both arches.

use std::collections::HashMap;

use gostack_diagram::{Figure, RowKind};
use gostack_draw::Request;
use gostack_emu::Arch;

mod common;

fn figure(sample: &str, arch: Arch, flags: &str, at: &str) -> Figure {
    let request = Request {
        arches: vec![arch],
        flags: flags.split_whitespace().map(str::to_string).collect(),
        at: at.into(),
        ..Request::default()
    };
    Figure {
        panels: common::panels(sample, request),
    }
}

/// Each package frame's words: frame, label, value, kind.
fn package_words(fig: &Figure) -> Vec<(String, String, String, RowKind)> {
    fig.panels
        .iter()
        .flat_map(|p| &p.frames)
        .filter(|f| gostack_emu::in_package_main(&f.func))
        .flat_map(|f| {
            f.rows
                .iter()
                .map(|r| (f.func.clone(), r.label.clone(), r.value.clone(), r.kind))
        })
        .collect()
}

const MOMENTS: [(&str, &str, &str); 3] = [
    ("defer", "-N -l", "incr1.func1 entry"),
    ("defer", "", "incr1.func1 entry"),
    ("swap", "-N -l", "swapPtr ret"),
];

#[test]
fn every_word_of_a_package_frame_has_its_own_name() {
    for arch in [Arch::Amd64, Arch::I386] {
        for (sample, flags, at) in MOMENTS {
            let words = package_words(&figure(sample, arch, flags, at));
            assert!(
                words.len() > 10,
                "{arch} {sample} {flags:?} {at}: {words:?}"
            );
            let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
            for (func, label, _, _) in &words {
                assert!(
                    !label.is_empty() && !label.starts_with("unused"),
                    "{arch} {sample} {flags:?} {at}: a word of {func} has no name: {words:#?}"
                );
                *seen.entry((func, label)).or_default() += 1;
            }
            let shared: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
            assert!(
                shared.is_empty(),
                "{arch} {sample} {flags:?} {at}: {shared:?}"
            );
        }
    }
}

/// The label and value of the word of `func` labelled `label`.
fn word<'a>(
    words: &'a [(String, String, String, RowKind)],
    func: &str,
    label: &str,
) -> &'a (String, String, String, RowKind) {
    words
        .iter()
        .find(|(f, l, _, _)| f == func && l == label)
        .unwrap_or_else(|| panic!("no {label} in {func}: {words:#?}"))
}

#[test]
fn composite_words_are_named_by_field() {
    for arch in [Arch::Amd64, Arch::I386] {
        let spill = if arch == Arch::Amd64 { " (spill)" } else { "" };
        for flags in ["-N -l", ""] {
            let words = package_words(&figure("defer", arch, flags, "incr1.func1 entry"));
            // The deferred closure's context: its function, then the captured a and b by reference.
            assert_eq!(
                word(&words, "main.incr1", "closure.F").2,
                "main.incr1.func1"
            );
            assert_eq!(word(&words, "main.incr1", "closure.&a").2, "&incr1.a");
            assert_eq!(word(&words, "main.incr1", "closure.&b").2, "&incr1.b");
            // fmt.Println's argument, a []any, in main's outgoing area: array, len, cap.
            let callee = if flags.is_empty() {
                "fmt.Fprintln"
            } else {
                "fmt.Println"
            };
            let (_, _, _, kind) = word(&words, "main.main", &format!("{callee}.a.cap{spill}"));
            assert_eq!(*kind, RowKind::Arg);
            if flags.is_empty() {
                continue;
            }
            // The deferred call's record, popped but still in incr1's frame.
            let (_, _, pc, kind) = word(&words, "main.incr1", "_defer.pc");
            assert!(pc.starts_with("main.incr1+0x"), "{arch}: {pc}");
            assert_eq!(*kind, RowKind::Defer);
            assert_eq!(word(&words, "main.incr1", "_defer.fn").2, "0");
            word(&words, "main.incr1", "_defer.sp");
            word(&words, "main.incr1", "_defer.link");
            // The record's address, passed to deferprocStack: in a spill slot on amd64, an argument on 386.
            word(
                &words,
                "main.incr1",
                &format!("runtime.deferprocStack.d{spill}"),
            );
            // The result: incr1's own on amd64, in main's frame on 386.
            let result = match arch {
                Arch::Amd64 => word(&words, "main.incr1", "~r0"),
                Arch::I386 => word(&words, "main.main", "incr1.~r0"),
            };
            assert_eq!(result.2, "1");
        }
        let words = package_words(&figure("swap", arch, "-N -l", "swapPtr ret"));
        assert_eq!(word(&words, "main.main", "a").2, "2");
        assert_eq!(
            word(&words, "main.main", &format!("swapPtr.a{spill}")).2,
            "&main.a"
        );
        assert_eq!(
            word(&words, "main.main", &format!("swapPtr.b{spill}")).2,
            "&main.b"
        );
        assert_eq!(
            word(&words, "main.swapPtr", "return addr").3,
            RowKind::ReturnAddr
        );
    }
}
