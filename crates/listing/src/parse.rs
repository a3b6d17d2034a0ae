//! The line-by-line parser from listing text to [`Listing`].

use crate::{
    Base, Diagnostic, Func, Instr, Listing, Parsed, Pos, Reloc, StackOperand, SymKind, Symbol,
};

/// Parses the output of `go tool compile -S`; never fails, never panics.
///
/// Lines that are not understood become [`Diagnostic`]s and parsing goes on.
pub fn parse(text: &str) -> Parsed {
    let mut parser = Parser::default();
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        parser.line(n, line.strip_suffix('\r').unwrap_or(line));
    }
    parser.finish()
}

#[derive(Default)]
struct Parser {
    symbols: Vec<Symbol>,
    diagnostics: Vec<Diagnostic>,
}

impl Parser {
    fn line(&mut self, n: u32, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        let result = match line.strip_prefix('\t') {
            None => self.header(n, line),
            Some(rest) => self.body(n, rest),
        };
        if let Err(message) = result {
            self.diagnostics.push(Diagnostic {
                line: n,
                message,
                text: line.to_string(),
            });
        }
    }

    fn finish(mut self) -> Parsed {
        for sym in &self.symbols {
            let len = sym.data.len() as u64;
            // The dump may stop short of `size=` (trailing zero bytes are not
            // printed), but never runs past it, except for DWARF symbols of size 0.
            if sym.size != 0 && len > sym.size {
                self.diagnostics.push(Diagnostic {
                    line: sym.line,
                    message: format!("size={} but the hex dump has {len} bytes", sym.size),
                    text: sym.name.clone(),
                });
            }
        }
        self.diagnostics.sort_by_key(|d| d.line);
        Parsed {
            listing: Listing {
                symbols: self.symbols,
            },
            diagnostics: self.diagnostics,
        }
    }

    /// `main.add1 STEXT size=84 args=0x8 locals=0x30 funcid=0x0 align=0x0`.
    ///
    /// The name may contain spaces (`type:*struct { F uintptr }`), so the line
    /// is read from the right: `key=value` fields and lower-case attributes,
    /// then the kind, then the name.
    fn header(&mut self, n: u32, line: &str) -> Result<(), String> {
        let mut end = line.len();
        let mut fields = Vec::new();
        let kind = loop {
            let start = line[..end].rfind(' ').ok_or("not a symbol header")? + 1;
            let word = &line[start..end];
            end = start - 1;
            if is_kind(word) {
                break word;
            }
            if !word.contains('=') && !word.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err("not a symbol header".into());
            }
            fields.push(word);
        };
        // A package variable's DWARF record is printed with no name at all (` SDWARFVAR size=28`).
        let name = &line[..end];
        fields.reverse();
        let mut sym = Symbol {
            name: name.to_string(),
            kind: SymKind::from_printed(kind),
            attrs: Vec::new(),
            size: 0,
            align: None,
            data: Vec::new(),
            relocs: Vec::new(),
            func: None,
            line: n,
        };
        let mut func = Func::default();
        for field in fields {
            let Some((key, value)) = field.split_once('=') else {
                sym.attrs.push(field.to_string());
                continue;
            };
            let value = parse_int(value).ok_or_else(|| format!("bad number in `{field}`"))?;
            match key {
                "size" => sym.size = value,
                "align" => sym.align = Some(value),
                "args" => func.args = value,
                "locals" => func.locals = value,
                "funcid" => func.funcid = value,
                _ => sym.attrs.push(field.to_string()),
            }
        }
        if sym.kind == SymKind::Text {
            sym.func = Some(func);
        }
        self.symbols.push(sym);
        Ok(())
    }

    fn body(&mut self, n: u32, rest: &str) -> Result<(), String> {
        let sym = self
            .symbols
            .last_mut()
            .ok_or("line before any symbol header")?;
        if let Some(rel) = rest.strip_prefix("rel ") {
            sym.relocs.push(parse_reloc(rel)?);
            return Ok(());
        }
        let (offset, after) = rest
            .strip_prefix("0x")
            .and_then(|r| r.split_once(' '))
            .ok_or("unrecognised line")?;
        let offset = u64::from_str_radix(offset, 16).map_err(|_| "bad offset")?;
        if after.starts_with(|c: char| c.is_ascii_digit())
            && after.split_once(' ').is_some_and(|(dec, _)| dec.len() > 2)
        {
            let func = sym
                .func
                .as_mut()
                .ok_or("instruction line in a data symbol")?;
            let instr = parse_instr(n, offset, after)?;
            if instr.op == "TEXT" {
                parse_text_directive(&instr.args, func)?;
            }
            func.instrs.push(instr);
            return Ok(());
        }
        if offset != sym.data.len() as u64 {
            return Err(format!(
                "hex dump at {offset:#x}, expected {:#x}",
                sym.data.len()
            ));
        }
        sym.data.extend(parse_hex_row(after)?);
        Ok(())
    }
}

fn is_kind(word: &str) -> bool {
    word.len() > 1
        && word.starts_with('S')
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn parse_int(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The byte columns of a hex dump row: up to sixteen ` xx` groups, then the ASCII column.
fn parse_hex_row(row: &str) -> Result<Vec<u8>, String> {
    // `row` starts right after the space that follows the offset.
    let row = format!(" {row}");
    let bytes = row.as_bytes();
    let mut out = Vec::with_capacity(16);
    for k in 0..16 {
        let group = &bytes[(3 * k).min(bytes.len())..(3 * k + 3).min(bytes.len())];
        match group {
            [b' ', hi, lo] if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() => {
                let s = std::str::from_utf8(&group[1..]).unwrap_or_default();
                out.push(u8::from_str_radix(s, 16).map_err(|_| "bad hex byte")?);
            }
            _ => break,
        }
    }
    if out.is_empty() {
        return Err("unrecognised line".into());
    }
    Ok(out)
}

/// `47+4 t=R_CALL main.add2+0`; the target may contain spaces and be empty.
fn parse_reloc(rel: &str) -> Result<Reloc, String> {
    let bad = || format!("bad relocation `rel {rel}`");
    let (place, rest) = rel.split_once(' ').ok_or_else(bad)?;
    let (offset, size) = place.split_once('+').ok_or_else(bad)?;
    let rest = rest.strip_prefix("t=").ok_or_else(bad)?;
    let (printed_kind, target) = rest.split_once(' ').ok_or_else(bad)?;
    let (target, addend) = target.rsplit_once('+').ok_or_else(bad)?;
    Ok(Reloc {
        offset: offset.parse().map_err(|_| bad())?,
        size: size.parse().map_err(|_| bad())?,
        kind: crate::reloc::name(printed_kind),
        printed_kind: printed_kind.to_string(),
        target: target.to_string(),
        addend: addend.parse().map_err(|_| bad())?,
    })
}

/// `00046 (main.go:14)\tCALL\tmain.add2(SB)`: the part after the hex pc.
fn parse_instr(n: u32, pc: u64, after: &str) -> Result<Instr, String> {
    let (_decimal, rest) = after.split_once(' ').ok_or("bad instruction line")?;
    let rest = rest
        .strip_prefix('(')
        .ok_or("instruction line without a position")?;
    let close = rest
        .find(")\t")
        .or_else(|| rest.strip_suffix(')').map(str::len));
    let close = close.ok_or("instruction line without a position")?;
    let pos = rest[..close].rsplit_once(':').and_then(|(file, line)| {
        Some(Pos {
            file: file.to_string(),
            line: line.parse().ok()?,
        })
    });
    let asm = rest[close + 1..].trim_start_matches('\t');
    let (op, args) = asm.split_once('\t').unwrap_or((asm, ""));
    if op.is_empty() {
        return Err("instruction line without an instruction".into());
    }
    Ok(Instr {
        pc: u32::try_from(pc).map_err(|_| "pc out of range")?,
        pos,
        op: op.to_string(),
        args: args.to_string(),
        stack_operands: stack_operands(args),
        line: n,
    })
}

/// `main.add2(SB), NOSPLIT|ABIInternal, $32-8`.
fn parse_text_directive(args: &str, func: &mut Func) -> Result<(), String> {
    let bad = || format!("bad TEXT directive `{args}`");
    let (head, frame) = args.rsplit_once(", $").ok_or_else(bad)?;
    // The frame size may be negative (`$-4-0` on some architectures), so the
    // `-` between the sizes is the first one after a leading sign.
    let sign = usize::from(frame.starts_with('-'));
    let (frame_size, arg_size) = frame[sign..]
        .split_once('-')
        .map(|(size, args)| (&frame[..sign + size.len()], args))
        .ok_or_else(bad)?;
    func.frame_size = frame_size.parse().map_err(|_| bad())?;
    func.arg_size = arg_size.parse().map_err(|_| bad())?;
    if let Some((_, flags)) = head.split_once(", ") {
        func.flags = flags.split('|').map(str::to_string).collect();
    }
    Ok(())
}

/// The named operands based on SP or FP, e.g. `main.a+40(SP)` or `$main.b-8(SP)`.
fn stack_operands(args: &str) -> Vec<StackOperand> {
    let mut out = Vec::new();
    for (at, base) in find_bases(args) {
        let start = args[..at]
            .rfind([' ', ',', '\t', '(', ')'])
            .map_or(0, |i| i + 1);
        let token = &args[start..at];
        let (address_of, token) = match token.strip_prefix('$') {
            Some(t) => (true, t),
            None => (false, token),
        };
        let (name, offset) = match token.rfind(['+', '-']) {
            Some(i)
                if token[i + 1..].bytes().all(|b| b.is_ascii_digit()) && i + 1 < token.len() =>
            {
                let Ok(off) = token[i..].parse::<i64>() else {
                    continue;
                };
                (&token[..i], off)
            }
            _ => (token, 0),
        };
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        out.push(StackOperand {
            name: short_name(name).to_string(),
            offset,
            base,
            address_of,
        });
    }
    out
}

fn find_bases(args: &str) -> Vec<(usize, Base)> {
    let mut found: Vec<(usize, Base)> = args
        .match_indices("(SP)")
        .map(|(i, _)| (i, Base::Sp))
        .chain(args.match_indices("(FP)").map(|(i, _)| (i, Base::Fp)))
        .collect();
    found.sort_by_key(|&(i, _)| i);
    found
}

/// Drops the package qualifier: `main..autotmp_4` -> `.autotmp_4`, `"".a` -> `a`.
fn short_name(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix("\"\".") {
        return rest;
    }
    let after_path = name.rfind('/').map_or(name, |i| &name[i + 1..]);
    after_path
        .split_once('.')
        .map_or(after_path, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(args: &str) -> Vec<(String, i64, Base, bool)> {
        stack_operands(args)
            .into_iter()
            .map(|o| (o.name, o.offset, o.base, o.address_of))
            .collect()
    }

    #[test]
    fn stack_operand_forms() {
        assert_eq!(
            names("AX, main.a+40(SP)"),
            [("a".into(), 40, Base::Sp, false)]
        );
        assert_eq!(
            names("$0, main.~r0(SP)"),
            [("~r0".into(), 0, Base::Sp, false)]
        );
        assert_eq!(
            names("main..autotmp_4-8(SP), X0"),
            [(".autotmp_4".into(), -8, Base::Sp, false)]
        );
        assert_eq!(
            names("$main.b-8(SP), R0"),
            [("b".into(), -8, Base::Sp, true)]
        );
        assert_eq!(
            names("main.s.ptr+8(SP), AX"),
            [("s.ptr".into(), 8, Base::Sp, false)]
        );
        assert_eq!(
            names("main.&a+16(SP), AX"),
            [("&a".into(), 16, Base::Sp, false)]
        );
        assert_eq!(
            names("\"\".a+8(FP), AX"),
            [("a".into(), 8, Base::Fp, false)]
        );
        assert_eq!(names("AX, 8(SP)"), []);
        assert_eq!(names("(CX)(TLS*2), CX"), []);
        assert_eq!(names("8(SP)(AX*8), BX"), []);
    }

    #[test]
    fn text_directive_forms() {
        let mut f = Func::default();
        parse_text_directive("main.add2(SB), NOSPLIT|ABIInternal, $32-8", &mut f).unwrap();
        assert_eq!((f.flags.len(), f.frame_size, f.arg_size), (2, 32, 8));
        let mut f = Func::default();
        parse_text_directive("main.f(SB), $-4-0", &mut f).unwrap();
        assert_eq!((f.flags.len(), f.frame_size, f.arg_size), (0, -4, 0));
        assert!(parse_text_directive("main.f(SB)", &mut Func::default()).is_err());
        for bad in [
            "main.f(SB), $",
            "main.f(SB), $-",
            "main.f(SB), $é-8",
            "main.f(SB), $8-é",
        ] {
            assert!(
                parse_text_directive(bad, &mut Func::default()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_symbol_without_a_name_keeps_its_bytes_to_itself() {
        let text = "main.global SBSS size=8\n SDWARFVAR size=2\n\t0x0000 0a 6d                                            .m\n";
        let parsed = parse(text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.listing.symbols.len(), 2);
        assert!(parsed.listing.symbols[0].data.is_empty());
        assert_eq!(parsed.listing.symbols[1].data, [0x0a, 0x6d]);
    }

    #[test]
    fn bad_lines_become_diagnostics() {
        let parsed =
            parse("\tMOVQ AX, BX\nmain.f STEXT size=1\n\t0x0000 c3  .\n\t0x0000 zz\n!!!\n");
        let lines: Vec<u32> = parsed.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [1, 4, 5]);
        assert_eq!(parsed.listing.symbols[0].data, [0xc3]);
    }
}
