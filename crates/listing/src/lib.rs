//! A typed model of the assembly listing that `go tool compile -S` prints.
//!
//! The crate takes the listing as `&str` and does no IO. [`parse`] never
//! fails: it returns the model together with [`Diagnostic`]s for the lines it
//! did not understand, each with its line number, so a listing from a newer Go
//! still yields everything this crate does know.
//!
//! ```
//! let text = "\
//! main.sum STEXT nosplit size=4 args=0x10 locals=0x0 funcid=0x0 align=0x0
//! \t0x0000 00000 (main.go:4)\tTEXT\tmain.sum(SB), NOSPLIT|NOFRAME|ABIInternal, $0-16
//! \t0x0000 00000 (main.go:4)\tADDQ\tBX, AX
//! \t0x0003 00003 (main.go:4)\tRET
//! \t0x0000 48 01 d8 c3                                      H...
//! ";
//! let parsed = gostack_listing::parse(text);
//! assert!(parsed.diagnostics.is_empty());
//! let sum = parsed.listing.function("main.sum").unwrap();
//! let func = sum.func.as_ref().unwrap();
//! assert_eq!((func.frame_size, func.arg_size), (0, 16));
//! assert!(func.has_flag("NOFRAME"));
//! assert_eq!(sum.data, [0x48, 0x01, 0xd8, 0xc3]);
//! assert_eq!(func.instr_at(3).unwrap().op, "RET");
//! ```

mod arch;
mod parse;
mod reloc;

use std::fmt::Write as _;

pub use arch::{Arch, UnknownArch};
pub use parse::parse;

/// The result of [`parse`]: the model and what could not be understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Every symbol the listing defines, in listing order.
    pub listing: Listing,
    /// Lines that were not understood, kept with their line numbers.
    pub diagnostics: Vec<Diagnostic>,
}

/// A line of the listing the parser did not understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// One-based line number in the listing.
    pub line: u32,
    /// What was wrong with it.
    pub message: String,
    /// The line itself, without its line ending.
    pub text: String,
}

/// All symbols of one compiled package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Symbols in the order the compiler printed them.
    pub symbols: Vec<Symbol>,
}

impl Listing {
    /// The symbol called `name`, code or data.
    pub fn symbol(&self, name: &str) -> Option<&Symbol> {
        self.symbols.iter().find(|s| s.name == name)
    }

    /// The function called `name` (a symbol of kind `STEXT`).
    pub fn function(&self, name: &str) -> Option<&Symbol> {
        self.functions().find(|s| s.name == name)
    }

    /// All functions, in listing order.
    pub fn functions(&self) -> impl Iterator<Item = &Symbol> {
        self.symbols.iter().filter(|s| s.func.is_some())
    }
}

/// One symbol: a function or a data object, with its bytes and relocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Full name as the compiler prints it, e.g. `main.add1` or `go:itab.*os.File,io.Writer`.
    pub name: String,
    /// Section kind, e.g. `STEXT`.
    pub kind: SymKind,
    /// Lower-case attributes of the header line, e.g. `dupok`, `nosplit`, `static`.
    pub attrs: Vec<String>,
    /// `size=`: bytes of code or data.
    pub size: u64,
    /// `align=`, when printed.
    pub align: Option<u64>,
    /// The machine code or data bytes, as the hex dump shows them (relocated fields zero).
    ///
    /// It may be shorter than `size`: the compiler does not print trailing zero bytes.
    pub data: Vec<u8>,
    /// Places in `data` the linker fills in.
    pub relocs: Vec<Reloc>,
    /// Present for functions (`STEXT`): frame, flags and instructions.
    pub func: Option<Func>,
    /// One-based line number of the header line.
    pub line: u32,
}

impl Symbol {
    /// Whether the header carries the attribute `attr` (e.g. `dupok`).
    pub fn has_attr(&self, attr: &str) -> bool {
        self.attrs.iter().any(|a| a == attr)
    }

    /// The hex dump and relocation lines exactly as the compiler prints them.
    pub fn hex_dump(&self) -> String {
        let mut out = String::new();
        for (row, chunk) in self.data.chunks(16).enumerate() {
            write!(out, "\t{:#06x}", row * 16).unwrap();
            for b in chunk {
                write!(out, " {b:02x}").unwrap();
            }
            for _ in chunk.len()..16 {
                out.push_str("   ");
            }
            out.push_str("  ");
            out.extend(chunk.iter().map(|&c| {
                if (b' '..=b'~').contains(&c) {
                    c as char
                } else {
                    '.'
                }
            }));
            out.push('\n');
        }
        for r in &self.relocs {
            writeln!(
                out,
                "\trel {}+{} t={} {}+{}",
                r.offset, r.size, r.printed_kind, r.target, r.addend
            )
            .unwrap();
        }
        out
    }
}

/// The section kind of a symbol, from its header line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SymKind {
    /// `STEXT`: machine code.
    Text,
    /// `SRODATA`: read-only data (strings, type descriptors, itabs, closures).
    RoData,
    /// `SNOPTRDATA`: writable data without pointers.
    NoPtrData,
    /// `SDATA`: writable data.
    Data,
    /// `SBSS`: zeroed data.
    Bss,
    /// `SNOPTRBSS`: zeroed data without pointers.
    NoPtrBss,
    /// Any other kind, as printed (e.g. `SDWARFCUINFO`).
    Other(String),
}

impl SymKind {
    /// The kind as the compiler prints it.
    pub fn as_str(&self) -> &str {
        match self {
            SymKind::Text => "STEXT",
            SymKind::RoData => "SRODATA",
            SymKind::NoPtrData => "SNOPTRDATA",
            SymKind::Data => "SDATA",
            SymKind::Bss => "SBSS",
            SymKind::NoPtrBss => "SNOPTRBSS",
            SymKind::Other(s) => s,
        }
    }

    fn from_printed(s: &str) -> SymKind {
        match s {
            "STEXT" => SymKind::Text,
            "SRODATA" => SymKind::RoData,
            "SNOPTRDATA" => SymKind::NoPtrData,
            "SDATA" => SymKind::Data,
            "SBSS" => SymKind::Bss,
            "SNOPTRBSS" => SymKind::NoPtrBss,
            other => SymKind::Other(other.to_string()),
        }
    }
}

/// A relocation: a field of a symbol's bytes that the linker fills in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloc {
    /// Byte offset of the field within the symbol.
    pub offset: u32,
    /// Size of the field in bytes (0 for marker relocations).
    pub size: u8,
    /// The type as a name, e.g. `R_CALL`, whichever form the Go version printed.
    pub kind: String,
    /// The type exactly as printed: `7` up to Go 1.21, `R_CALL` from 1.22.
    pub printed_kind: String,
    /// Target symbol; empty for an indirect call marker.
    pub target: String,
    /// Added to the target's address.
    pub addend: i64,
}

/// What a function's `TEXT` line and instruction lines say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Func {
    /// `TEXT` flags such as `NOSPLIT`, `NOFRAME`, `NEEDCTXT`, `WRAPPER`, `ABIInternal`.
    pub flags: Vec<String>,
    /// Frame size: the `$32` of `$32-8` (includes the saved BP on amd64).
    pub frame_size: i64,
    /// Size of the stack-passed arguments and results: the `8` of `$32-8`.
    pub arg_size: i64,
    /// `args=` of the header line.
    pub args: u64,
    /// `locals=` of the header line.
    pub locals: u64,
    /// `funcid=` of the header line.
    pub funcid: u64,
    /// Every instruction line, pseudo-instructions (`TEXT`, `FUNCDATA`, `PCDATA`) included.
    pub instrs: Vec<Instr>,
}

impl Func {
    /// Whether the `TEXT` line carries `flag` (e.g. `NOSPLIT`).
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// The machine instruction that starts at `pc`: the last non-pseudo line with that pc.
    pub fn instr_at(&self, pc: u32) -> Option<&Instr> {
        self.instrs.iter().rfind(|i| i.pc == pc && !i.is_pseudo())
    }
}

/// One instruction line of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instr {
    /// Offset from the start of the function.
    pub pc: u32,
    /// Source position, when the compiler knows one.
    pub pos: Option<Pos>,
    /// The Go assembly mnemonic, e.g. `MOVQ`.
    pub op: String,
    /// The operand text, e.g. `AX, main.a+40(SP)`; empty when there is none.
    pub args: String,
    /// The symbolic stack operands among `args`.
    pub stack_operands: Vec<StackOperand>,
    /// One-based line number in the listing.
    pub line: u32,
}

impl Instr {
    /// Whether this line is an assembler directive with no machine code of its own.
    pub fn is_pseudo(&self) -> bool {
        matches!(self.op.as_str(), "TEXT" | "FUNCDATA" | "PCDATA")
    }

    /// The Go assembly text, e.g. `MOVQ\tAX, main.a+40(SP)`.
    pub fn text(&self) -> String {
        if self.args.is_empty() {
            self.op.clone()
        } else {
            format!("{}\t{}", self.op, self.args)
        }
    }
}

/// A source position such as `main.go:14`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    /// File as printed: `main.go`, `<autogenerated>`, `$GOROOT/src/fmt/print.go`.
    pub file: String,
    /// One-based line number.
    pub line: u32,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A named stack operand such as `main.a+40(SP)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackOperand {
    /// The Go name without its package: `a`, `~r0`, `.autotmp_4`, `&a`, `s.ptr`.
    pub name: String,
    /// Byte offset from the base register.
    pub offset: i64,
    /// `SP` (the hardware stack pointer) or `FP` (the pseudo frame pointer).
    pub base: Base,
    /// Written as `$name+off(SP)`: the operand is the slot's address.
    pub address_of: bool,
}

/// The base register of a [`StackOperand`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Base {
    /// The hardware stack pointer.
    Sp,
    /// The assembler's pseudo frame pointer.
    Fp,
}

/// Whether the function or symbol `name` is package main's (`main.add1`,
/// `main.(*T).M`, `main.main.func1`): the package a program is compiled as.
pub fn in_package_main(name: &str) -> bool {
    name.starts_with("main.")
}

/// The functions of `functions` that `name` names, as a writer may write
/// it: in full (`main.add1`, `runtime.newobject`), without `main.` (`add1`),
/// or a method by its short name (`SumV` for `main.Big.SumV` or
/// `main.(*Big).SumV`). Each function comes with whether its source is
/// written (not `<autogenerated>`): a short name prefers the written ones,
/// so `add` is the method, not the wrapper the compiler made for an
/// interface. An exact name is the only match; several matches mean the
/// short name is ambiguous.
pub fn functions_named<'a>(
    functions: impl Iterator<Item = (&'a str, bool)> + Clone,
    name: &str,
) -> Vec<&'a str> {
    let full = if in_package_main(name) || name.contains('.') {
        name.to_string()
    } else {
        format!("main.{name}")
    };
    if let Some((exact, _)) = functions.clone().find(|(f, _)| *f == name || *f == full) {
        return vec![exact];
    }
    let short = name.strip_prefix("main.").unwrap_or(name);
    let suffix = format!(".{short}");
    let mut found: Vec<(&str, bool)> = functions
        .filter(|(f, _)| in_package_main(f) && f.ends_with(&suffix))
        .collect();
    if found.iter().any(|(_, written)| *written) {
        found.retain(|(_, written)| *written);
    }
    let mut found: Vec<&str> = found.into_iter().map(|(f, _)| f).collect();
    found.sort_unstable();
    found.dedup();
    found
}
