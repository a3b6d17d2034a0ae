//! The compiler's own words: every stack operand of package code in the
//! listing (`MOVQ AX, main.x+8(SP)`) names the word it touches, so just
//! before that instruction runs, the word at SP+8 must carry the name `x`
//! in the stack view. Checked at the first run of every such instruction of
//! every sample and every program of the names tests, on amd64 and 386,
//! optimised and with `-N -l`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gostack_emu::{Arch, History, Slot, Stop, WordRole};

mod common;

/// The programs: the notes' samples and the names tests' programs.
fn programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for dir in [
        root.join("go-samples"),
        root.join("crates/draw/test_data/words"),
    ] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path().join("main.go");
            if path.exists() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Checks one program in one configuration: the operands checked, and
/// every disagreement as a line of text.
fn check(path: &Path, arch: Arch, flags: &[String]) -> (usize, Vec<String>) {
    let (listing, run) = common::traced(path, arch, flags);
    assert!(
        matches!(run.stop, Stop::Exited(_)),
        "{path:?}: {:?}",
        run.stop
    );
    // Every instruction of package code with stack operands, by pc: its
    // function, its text, and each operand's name and offset.
    type Operands = (String, String, Vec<(String, i64)>);
    let mut operands: HashMap<u64, Operands> = HashMap::new();
    for sym in &listing.symbols {
        let (Some(func), Some(addr)) = (&sym.func, run.layout.addr(&sym.name)) else {
            continue;
        };
        for ins in func.instrs.iter().filter(|i| !i.stack_operands.is_empty()) {
            let ops = ins
                .stack_operands
                .iter()
                .map(|o| (o.name.clone(), o.offset))
                .collect();
            operands.insert(
                addr + u64::from(ins.pc),
                (sym.name.clone(), ins.text(), ops),
            );
        }
    }
    let w = run.layout.word();
    let trace = run.trace.as_ref().unwrap();
    let mut history = History::new(&run);
    let (mut checked, mut wrong) = (0, Vec::new());
    for i in 0..trace.steps.len() {
        let pc = trace.steps[i].pc();
        let Some((func, text, ops)) = operands.remove(&pc) else {
            continue;
        };
        history.advance_to(i);
        let view = history.stack();
        let sp = history.cursor().snapshot().cpu.gpr[gostack_emu::abi::RSP];
        for (name, off) in ops {
            let addr = sp.wrapping_add(off as u64);
            let word = addr - addr % w;
            let labels = view
                .words
                .iter()
                .find(|(a, _, _)| *a == word)
                .map(|(_, _, l)| l.as_slice())
                .unwrap_or_default();
            // The variable's own name, in the function the instruction is
            // in; a temporary may be named by what it holds (a closure's
            // context, a deferred call's record).
            let carries = labels.iter().any(|l| match l {
                Slot::Word {
                    func: f, var, role, ..
                } => {
                    // A variable the compiler split into its parts names
                    // them `s.ptr`, `s.len`: the part of `s`.
                    let whole = name.strip_prefix('.').map_or_else(
                        || name.split('.').next().unwrap_or(&name).to_string(),
                        |_| name.clone(),
                    );
                    *f == func
                        && (*var == name
                            || *var == whole
                            || (name.starts_with(".autotmp_")
                                && matches!(role, WordRole::Local | WordRole::Defer)
                                && (var == "closure" || var == "_defer")))
                }
                _ => false,
            });
            checked += 1;
            if !carries {
                let names: Vec<String> = labels
                    .iter()
                    .filter_map(|l| match l {
                        Slot::Word { func, name, .. } => Some(format!("{func}: {name}")),
                        _ => None,
                    })
                    .collect();
                wrong.push(format!(
                    "{} {arch} {flags:?} {func} `{text}`: SP{off:+} is {names:?}, not {name}",
                    path.parent()
                        .unwrap()
                        .file_name()
                        .unwrap()
                        .to_string_lossy(),
                ));
            }
        }
    }
    (checked, wrong)
}

#[test]
fn every_stack_operand_names_its_word() {
    let (mut checked, mut wrong) = (0, Vec::new());
    for path in programs() {
        for arch in [Arch::Amd64, Arch::I386] {
            for flags in [vec![], vec!["-N".to_string(), "-l".to_string()]] {
                let (c, w) = check(&path, arch, &flags);
                checked += c;
                wrong.extend(w);
            }
        }
    }
    println!("{checked} operands checked, {} disagree", wrong.len());
    assert!(checked > 1000, "{checked}");
    assert!(
        wrong.is_empty(),
        "{} of {checked}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
