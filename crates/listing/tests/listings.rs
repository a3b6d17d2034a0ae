//! Data-driven tests over the real listings of Go 1.19 to 1.27 in `test_data/listings`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use gostack_listing::{Base, Symbol, parse};

fn listings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test_data/listings")
}

/// Every `<version>/<program>/<arch>-<flags>.s` file, sorted.
fn listing_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for version in std::fs::read_dir(listings_dir()).unwrap() {
        let version = version.unwrap().path();
        if !version.is_dir() || version.ends_with("src") {
            continue;
        }
        for program in std::fs::read_dir(&version).unwrap() {
            for file in std::fs::read_dir(program.unwrap().path()).unwrap() {
                let file = file.unwrap().path();
                if file.extension().is_some_and(|e| e == "s") {
                    files.push(file);
                }
            }
        }
    }
    files.sort();
    assert_eq!(
        files.len(),
        8 * 5 * 6,
        "expected eight versions, five programs, six listings each"
    );
    files
}

fn relative(file: &Path) -> String {
    file.strip_prefix(listings_dir())
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn every_listing_parses_without_diagnostics() {
    for file in listing_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed = parse(&text);
        assert!(
            parsed.diagnostics.is_empty(),
            "{}: {:#?}",
            relative(&file),
            parsed.diagnostics
        );
        let instr_lines = text
            .lines()
            .filter(|l| l.len() > 14 && l.starts_with("\t0x") && l.as_bytes()[14] == b'(')
            .count();
        let instrs: usize = parsed
            .listing
            .functions()
            .map(|f| f.func.as_ref().unwrap().instrs.len())
            .sum();
        assert_eq!(
            instrs,
            instr_lines,
            "{}: instruction lines lost",
            relative(&file)
        );
        for f in parsed.listing.functions() {
            assert_eq!(
                f.data.len() as u64,
                f.size,
                "{}: {}",
                relative(&file),
                f.name
            );
        }
    }
}

/// The code bytes and relocations of every symbol print back as the listing's own hex dump.
#[test]
fn hex_dumps_round_trip() {
    for file in listing_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed = parse(&text);
        let lines: Vec<&str> = text.lines().collect();
        let symbols = &parsed.listing.symbols;
        for (i, sym) in symbols.iter().enumerate() {
            let start = sym.line as usize;
            let end = symbols
                .get(i + 1)
                .map_or(lines.len(), |next| next.line as usize - 1);
            let mut expected = String::new();
            for line in &lines[start..end] {
                let is_instr = line.len() > 14 && line.as_bytes()[14] == b'(';
                if !is_instr {
                    expected.push_str(line);
                    expected.push('\n');
                }
            }
            assert_eq!(
                sym.hex_dump(),
                expected,
                "{}: {}",
                relative(&file),
                sym.name
            );
        }
    }
}

/// A summary of the package's own functions: flags, frame, named slots, relocations.
fn summary(text: &str) -> String {
    let parsed = parse(text);
    let mut out = String::new();
    let symbols = &parsed.listing.symbols;
    writeln!(
        out,
        "{} symbols, {} functions",
        symbols.len(),
        parsed.listing.functions().count()
    )
    .unwrap();
    for sym in symbols
        .iter()
        .filter(|s| gostack_listing::in_package_main(&s.name))
    {
        summarise_symbol(&mut out, sym);
    }
    out
}

fn summarise_symbol(out: &mut String, sym: &Symbol) {
    write!(out, "{} {} size={}", sym.name, sym.kind.as_str(), sym.size).unwrap();
    let Some(func) = &sym.func else {
        writeln!(out).unwrap();
        return;
    };
    writeln!(
        out,
        " {} ${}-{}",
        func.flags.join("|"),
        func.frame_size,
        func.arg_size
    )
    .unwrap();
    let mut slots: Vec<String> = Vec::new();
    for op in func.instrs.iter().flat_map(|i| &i.stack_operands) {
        let base = if op.base == Base::Sp { "SP" } else { "FP" };
        let slot = format!("{}{:+}({base})", op.name, op.offset);
        if !slots.contains(&slot) {
            slots.push(slot);
        }
    }
    if !slots.is_empty() {
        writeln!(out, "  slots: {}", slots.join(" ")).unwrap();
    }
    let lines: Vec<u32> = func
        .instrs
        .iter()
        .filter_map(|i| i.pos.as_ref())
        .map(|p| p.line)
        .collect();
    if let (Some(lo), Some(hi)) = (lines.iter().min(), lines.iter().max()) {
        writeln!(out, "  lines: {lo}-{hi}").unwrap();
    }
    for r in sym.relocs.iter().filter(|r| r.size > 0) {
        writeln!(
            out,
            "  rel {}+{} {} {}{:+}",
            r.offset, r.size, r.kind, r.target, r.addend
        )
        .unwrap();
    }
}

/// Snapshots under `test_data/` beside this crate; `UPDATE_EXPECT=1` re-records them.
#[test]
fn listing_summaries() {
    for file in listing_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let snapshot = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("test_data/summaries")
            .join(relative(&file))
            .with_extension("txt");
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
        }
        expect_test::expect_file![snapshot].assert_eq(&summary(&text));
    }
}
