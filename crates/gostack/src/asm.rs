//! `gostack asm`: the parsed listing of the program's functions, with each
//! Go source line above the instructions compiled from it.

use std::fmt::Write as _;

use anyhow::{Result, bail};
use gostack_listing::{Base, Symbol};
use gostack_toolchain::Compiled;

/// Renders the package's functions (or the one named `only`) as text.
pub(crate) fn render(compiled: &Compiled, source: &str, only: Option<&str>) -> Result<String> {
    let parsed = gostack_listing::parse(&compiled.listing);
    let funcs: Vec<&Symbol> = parsed
        .listing
        .functions()
        .filter(|f| gostack_listing::in_package_main(&f.name))
        .collect();
    let chosen: Vec<&Symbol> = match only {
        None => funcs.clone(),
        Some(name) => {
            let found = gostack_listing::functions_named(
                funcs.iter().map(|f| (f.name.as_str(), f.is_written())),
                name,
            );
            if found.len() > 1 {
                bail!(
                    "`{name}` names several functions: {}; give one of them",
                    found.join(", ")
                );
            }
            funcs
                .iter()
                .copied()
                .filter(|f| found.contains(&f.name.as_str()))
                .collect()
        }
    };
    if chosen.is_empty() {
        let names: Vec<&str> = funcs.iter().map(|f| f.name.as_str()).collect();
        bail!(
            "no function {} in the program; it has: {}",
            only.unwrap_or("main.*"),
            names.join(", ")
        );
    }
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::new();
    writeln!(
        out,
        "# {} GOARCH={} flags={:?} ({})",
        compiled.file_name,
        compiled.arch,
        compiled.flags.join(" "),
        compiled.go_version
    )?;
    for d in &parsed.diagnostics {
        writeln!(out, "# listing line {}: {}: {}", d.line, d.message, d.text)?;
    }
    for sym in chosen {
        render_func(&mut out, sym, &lines)?;
    }
    Ok(out)
}

fn render_func(out: &mut String, sym: &Symbol, source: &[&str]) -> std::fmt::Result {
    let Some(func) = &sym.func else { return Ok(()) };
    writeln!(out)?;
    writeln!(
        out,
        "{}  frame={} args={} size={} {}",
        sym.name,
        func.frame_size,
        func.arg_size,
        sym.size,
        func.flags.join("|")
    )?;
    let mut last_line = None;
    for instr in func.instrs.iter().filter(|i| !i.is_pseudo()) {
        let pos = instr.pos.as_ref();
        let line_key = pos.map(|p| (p.file.clone(), p.line));
        if line_key != last_line {
            match pos {
                Some(p) if p.file.ends_with(".go") && !p.file.contains('/') => {
                    let text = source.get(p.line as usize - 1).map_or("", |l| l.trim());
                    writeln!(out, "  {p}  {text}")?;
                }
                Some(p) => writeln!(out, "  {p}")?,
                None => writeln!(out, "  (no source line)")?,
            }
            last_line = line_key;
        }
        let mut line = format!("    {:#06x}  {:<8}{}", instr.pc, instr.op, instr.args)
            .trim_end()
            .to_string();
        if !instr.stack_operands.is_empty() {
            let slots: Vec<String> = instr
                .stack_operands
                .iter()
                .map(|o| {
                    let base = if o.base == Base::Sp { "SP" } else { "FP" };
                    let amp = if o.address_of { "&" } else { "" };
                    format!("{amp}{} at {:+}({base})", o.name, o.offset)
                })
                .collect();
            let pad = 52usize.saturating_sub(line.chars().count());
            line.push_str(&" ".repeat(pad.max(2)));
            line.push_str("; ");
            line.push_str(&slots.join(", "));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}
