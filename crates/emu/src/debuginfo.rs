//! The debug facts of a linked Go executable: how big each frame is at every
//! pc (`.debug_frame`), which Go line each pc belongs to (`.debug_line`), and
//! the layout of its struct types (`.debug_info`).
//!
//! `go tool link` writes both for every function of the program, the
//! runtime's assembly included, zlib-compressed (`SHF_COMPRESSED`). Its
//! call-frame information is the function's pcsp table restated: "CFA = SP +
//! (pcsp + one word)" at every pc, the return address just below the CFA, and
//! nothing else (no `DW_CFA_undefined` for the outermost frames on x86, no
//! expressions). So where the runtime's assembly switches stacks
//! (`morestack`, `systemstack`, `mcall`) or moves SP by hand (`rt0_go`'s
//! `SUBQ`/`ANDQ`), DWARF says what pcsp says, not where the caller's frame is;
//! a walker has to stop at those functions as Go's traceback does.
//!
//! The frame table is read at load (about a millisecond for a `fmt` hello
//! world, optimised) into sorted rows; the line table, five times the work,
//! on the first [`DebugInfo::line`]. Lookups are binary searches.
//!
//! The struct types (Go writes `runtime.g` as a `DW_TAG_structure_type`
//! with a `DW_TAG_member` per field, each at a constant
//! `DW_AT_data_member_location`) and the functions' variables come from one
//! index of `.debug_info`, the largest section, read on the first lookup
//! ([`vars`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use gimli::{
    AttributeValue, BaseAddresses, CfaRule, DebugFrame, DebugLine, DebugLineOffset, DebugLineStr,
    DebugStr, DwTag, EndianSlice, LineInstruction, LineProgramHeader, RunTimeEndian, UnwindContext,
    UnwindSection,
};
use object::{CompressedData, CompressionFormat, Object, ObjectSection};

pub(crate) mod vars;

/// Facts from a linked executable's DWARF, loaded once per run.
#[derive(Debug, Clone, Default)]
pub(crate) struct DebugInfo {
    /// One per FDE with a non-empty range, sorted by start; ranges do not overlap.
    functions: Vec<FunctionRows>,
    /// Every FDE's rows, each FDE's consecutive and sorted by pc.
    rows: Vec<FrameRow>,
    /// What the line table and the type table are built from.
    source: Option<Sections>,
    /// The line table, built on the first lookup.
    lines: OnceLock<LineTable>,
    /// The functions' variables and the types' shapes, indexed on the first lookup.
    vars: OnceLock<std::sync::Arc<vars::VarTable>>,
}

/// An FDE: the function it covers and where its rows are in [`DebugInfo::rows`].
#[derive(Debug, Clone, Copy)]
struct FunctionRows {
    start: u64,
    end: u64,
    first_row: u32,
    row_count: u32,
}

/// From `pc` to the next row's pc (or the FDE's end): CFA - SP, when the CFA is SP-based.
#[derive(Debug, Clone, Copy)]
struct FrameRow {
    pc: u64,
    extent: Option<u64>,
}

/// Every line program's rows in one table.
#[derive(Debug, Clone, Default)]
struct LineTable {
    /// Sorted by pc; each sequence ends with a row whose file is [`NO_FILE`].
    rows: Vec<LineRow>,
    /// File names as the binary records them, indexed by [`LineRow::file`].
    files: Vec<String>,
}

/// From `pc` to the next row's pc: the position in `file` and `line`.
#[derive(Debug, Clone, Copy)]
struct LineRow {
    pc: u64,
    file: u32,
    line: u32,
}

/// The file of a row that ends a sequence: no line from there on.
const NO_FILE: u32 = u32::MAX;

/// The sections the line table and the variables and types are read from, as the file holds them.
#[derive(Debug, Clone)]
struct Sections {
    endian: RunTimeEndian,
    address_size: u8,
    debug_line: Option<RawSection>,
    debug_line_str: Option<RawSection>,
    debug_str: Option<RawSection>,
    debug_info: Option<RawSection>,
    debug_abbrev: Option<RawSection>,
    /// The sections only the variables need: location lists and what they refer to.
    others: Vec<(gimli::SectionId, RawSection)>,
}

impl Sections {
    /// The section `id`'s bytes, decompressed (empty when the file lacks it).
    fn section(&self, id: gimli::SectionId) -> Vec<u8> {
        let raw = match id {
            gimli::SectionId::DebugInfo => self.debug_info.as_ref(),
            gimli::SectionId::DebugAbbrev => self.debug_abbrev.as_ref(),
            gimli::SectionId::DebugStr => self.debug_str.as_ref(),
            gimli::SectionId::DebugLineStr => self.debug_line_str.as_ref(),
            gimli::SectionId::DebugLine => self.debug_line.as_ref(),
            _ => self.others.iter().find(|(i, _)| *i == id).map(|(_, r)| r),
        };
        RawSection::contents(raw).into_owned()
    }
}

/// A section's bytes, still compressed if the file compresses them.
#[derive(Debug, Clone)]
struct RawSection {
    format: CompressionFormat,
    data: Vec<u8>,
    uncompressed_size: u64,
}

impl RawSection {
    /// The named section (or its `.zdebug_` form), if the file has it.
    fn read(file: &object::File<'_>, name: &str) -> Option<RawSection> {
        let compressed = file.section_by_name(name)?.compressed_data().ok()?;
        Some(RawSection {
            format: compressed.format,
            data: compressed.data.to_vec(),
            uncompressed_size: compressed.uncompressed_size,
        })
    }

    /// The contents of an optional section; empty if it is missing or does not decompress.
    fn contents(section: Option<&RawSection>) -> Cow<'_, [u8]> {
        section.map_or(Cow::Borrowed(&[][..]), RawSection::decompress)
    }

    /// The section's contents; empty if they do not decompress.
    fn decompress(&self) -> Cow<'_, [u8]> {
        CompressedData {
            format: self.format,
            data: &self.data,
            uncompressed_size: self.uncompressed_size,
        }
        .decompress()
        .unwrap_or(Cow::Borrowed(&[]))
    }
}

impl DebugInfo {
    /// Reads the executable's `.debug_frame`, and keeps its `.debug_line` to
    /// read on the first [`line`](Self::line) and its `.debug_info` to read on
    /// the first [`member`](Self::member) or [`type_size`](Self::type_size).
    /// A binary without them
    /// (linked with `-s -w`, or not an x86 ELF file at all) gives an empty
    /// `DebugInfo`: every lookup is `None`. Malformed parts are skipped,
    /// never a panic.
    pub(crate) fn load(executable: &[u8]) -> DebugInfo {
        let Ok(file) = object::File::parse(executable) else {
            return DebugInfo::default();
        };
        let endian = if file.is_little_endian() {
            RunTimeEndian::Little
        } else {
            RunTimeEndian::Big
        };
        let address_size: u8 = if file.is_64() { 8 } else { 4 };
        // DWARF's number for the stack pointer: rsp is 7 on amd64, esp 4 on 386.
        let sp = match file.architecture() {
            object::Architecture::X86_64 => gimli::X86_64::RSP,
            object::Architecture::I386 => gimli::X86::ESP,
            _ => return DebugInfo::default(),
        };
        let mut info = DebugInfo::default();
        if let Some(frame) = RawSection::read(&file, ".debug_frame") {
            info.read_frames(&frame.decompress(), endian, address_size, sp);
        }
        info.source = Some(Sections {
            endian,
            address_size,
            debug_line: RawSection::read(&file, ".debug_line"),
            debug_line_str: RawSection::read(&file, ".debug_line_str"),
            debug_str: RawSection::read(&file, ".debug_str"),
            debug_info: RawSection::read(&file, ".debug_info"),
            debug_abbrev: RawSection::read(&file, ".debug_abbrev"),
            others: [
                gimli::SectionId::DebugStrOffsets,
                gimli::SectionId::DebugAddr,
                gimli::SectionId::DebugLoc,
                gimli::SectionId::DebugLocLists,
                gimli::SectionId::DebugRanges,
                gimli::SectionId::DebugRngLists,
            ]
            .into_iter()
            .filter_map(|id| Some((id, RawSection::read(&file, id.name())?)))
            .collect(),
        });
        info
    }

    /// At `pc`: how many bytes the function's frame occupies between SP and
    /// the caller's SP, return address included (CFA - SP). At a function's
    /// entry that is one word; after amd64's `PUSHQ BP` two; after the
    /// prologue's `SUB $n, SP` n more; at a `RET` one again. `None` outside
    /// any FDE (the padding between functions, data, unmapped addresses), or
    /// where the CFA is not SP plus an offset (Go never writes that).
    pub(crate) fn frame_extent(&self, pc: u64) -> Option<u64> {
        let f = self.function_at(pc)?;
        let rows = &self.rows[f.first_row as usize..][..f.row_count as usize];
        let i = rows.partition_point(|r| r.pc <= pc).checked_sub(1)?;
        rows[i].extent
    }

    /// The entry (its FDE's start) and the end (exclusive) of the function
    /// holding `pc`: the ELF symbol's address and address plus size.
    // Not called yet outside the tests.
    #[allow(dead_code)]
    pub(crate) fn function_range(&self, pc: u64) -> Option<(u64, u64)> {
        self.function_at(pc).map(|f| (f.start, f.end))
    }

    /// The Go source position of `pc`: the file as the binary records it
    /// (`<autogenerated>`, or `main.go` for a package compiled with
    /// `-trimpath`), a file of the Go tree named from `$GOROOT` as the
    /// listing names them (`$GOROOT/src/runtime/proc.go`, the same wherever
    /// Go is installed), and the line. Code inlined
    /// from another function has that function's position, as in
    /// `go tool objdump`. The first call reads the line table.
    pub(crate) fn line(&self, pc: u64) -> Option<(String, u32)> {
        let table = self.lines.get_or_init(|| {
            self.source
                .as_ref()
                .map(LineTable::read)
                .unwrap_or_default()
        });
        let i = table.rows.partition_point(|r| r.pc <= pc).checked_sub(1)?;
        let row = table.rows[i];
        let file = table.files.get(row.file as usize)?;
        Some((in_goroot(file), row.line))
    }

    /// The offset of `member` in the struct type named `type_name` (as DWARF
    /// names it: `runtime.g`, `runtime._defer`, `runtime.stack`), and the
    /// member's size: its type's `DW_AT_byte_size`, through typedefs, or one
    /// word for a pointer. `None` for a type that is not a struct of the
    /// binary, a member it does not have, or a member whose size DWARF does
    /// not give. An embedded field is a member named by its type
    /// (`runtime.hchan`'s `lock`, `sync.Mutex`'s `_`: as Go's DWARF names
    /// it); its members are not lifted into the outer struct. The first call
    /// reads the type table.
    pub(crate) fn member(&self, type_name: &str, member: &str) -> Option<(u64, u64)> {
        self.vars().member(type_name, member)
    }

    /// The byte size of the struct type named `type_name` (only struct
    /// types are kept: `runtime.g`, or a slice or string header such as
    /// `[]uint8` or `string`, which Go's DWARF also writes as structs).
    /// The first call reads the type table.
    // Not called yet outside the tests.
    #[allow(dead_code)]
    pub(crate) fn type_size(&self, type_name: &str) -> Option<u64> {
        self.vars().struct_size(type_name)
    }

    /// The variables of functions and the shapes of types, indexed on the first call.
    pub(crate) fn vars(&self) -> &vars::VarTable {
        self.vars.get_or_init(|| {
            std::sync::Arc::new(
                self.source
                    .as_ref()
                    .map_or_else(vars::VarTable::default, |s| {
                        vars::VarTable::read(s.endian, u64::from(s.address_size), |id| {
                            s.section(id)
                        })
                    }),
            )
        })
    }

    /// The FDE whose range holds `pc`.
    fn function_at(&self, pc: u64) -> Option<&FunctionRows> {
        let i = self
            .functions
            .partition_point(|f| f.start <= pc)
            .checked_sub(1)?;
        let f = &self.functions[i];
        (pc < f.end).then_some(f)
    }

    /// Unwinds every FDE's rows once.
    fn read_frames(
        &mut self,
        data: &[u8],
        endian: RunTimeEndian,
        address_size: u8,
        sp: gimli::Register,
    ) {
        let mut debug_frame = DebugFrame::new(data, endian);
        // A version 1 or 3 CIE does not say its address size.
        debug_frame.set_address_size(address_size);
        let bases = BaseAddresses::default();
        let mut ctx = UnwindContext::new();
        let mut entries = debug_frame.entries(&bases);
        // An error in one entry ends the walk: the section cannot be followed past it.
        while let Ok(Some(entry)) = entries.next() {
            let gimli::CieOrFde::Fde(partial) = entry else {
                continue;
            };
            let Ok(fde) = partial.parse(DebugFrame::cie_from_offset) else {
                continue;
            };
            let (start, end) = (fde.initial_address(), fde.end_address());
            if start >= end {
                continue;
            }
            let first_row = self.rows.len();
            let complete = (|| -> gimli::Result<()> {
                let mut table = fde.rows(&debug_frame, &bases, &mut ctx)?;
                while let Some(row) = table.next_row()? {
                    // Go writes `advance_loc 0` after a one-byte function's only row: an empty row.
                    if row.start_address() >= row.end_address() {
                        continue;
                    }
                    let extent = match *row.cfa() {
                        CfaRule::RegisterAndOffset { register, offset } if register == sp => {
                            u64::try_from(offset).ok()
                        }
                        _ => None,
                    };
                    self.rows.push(FrameRow {
                        pc: row.start_address(),
                        extent,
                    });
                }
                Ok(())
            })();
            if complete.is_err() || self.rows.len() == first_row {
                self.rows.truncate(first_row);
                continue;
            }
            self.functions.push(FunctionRows {
                start,
                end,
                first_row: first_row as u32,
                row_count: (self.rows.len() - first_row) as u32,
            });
        }
        self.functions.sort_by_key(|f| f.start);
        // Should two FDEs overlap, the earlier one ends where the later one starts.
        for i in 1..self.functions.len() {
            let next_start = self.functions[i].start;
            let prev = &mut self.functions[i - 1];
            prev.end = prev.end.min(next_start);
        }
        self.functions.retain(|f| f.start < f.end);
    }
}

impl LineTable {
    /// Reads every line program of `.debug_line` into one sorted table. The
    /// programs are walked one after the other, so `.debug_info` (the largest
    /// section) is never read: it would only give each program the
    /// compilation directory, and Go's is `.`.
    fn read(source: &Sections) -> LineTable {
        let endian = source.endian;
        let data = RawSection::contents(source.debug_line.as_ref());
        let line_str = RawSection::contents(source.debug_line_str.as_ref());
        let strs = RawSection::contents(source.debug_str.as_ref());
        let strings = Strings {
            line_str: DebugLineStr::new(&line_str, endian),
            strs: DebugStr::new(&strs, endian),
        };
        let debug_line = DebugLine::new(&data, endian);
        let mut table = LineTable::default();
        let mut interned: HashMap<String, u32> = HashMap::new();
        let mut offset = 0;
        while offset < data.len() {
            let Ok(program) =
                debug_line.program(DebugLineOffset(offset), source.address_size, None, None)
            else {
                break;
            };
            let header = program.header();
            offset += header.format().initial_length_size() as usize + header.unit_length();
            let Ok(starts) = sequence_starts(header) else {
                continue;
            };
            let mut starts = starts.into_iter();
            // Global file numbers of this program's file indexes, resolved on first use.
            let mut program_files: Vec<Option<u32>> = vec![None; header.file_names().len() + 1];
            let mut file_number = |header: &LineProgramHeader<_>, index: u64| {
                let slot = usize::try_from(index)
                    .ok()
                    .and_then(|i| program_files.get_mut(i));
                if let Some(Some(f)) = slot {
                    return *f;
                }
                let name = strings
                    .file_name(header, index)
                    .unwrap_or_else(|| "?".to_string());
                let next = table.files.len() as u32;
                let f = *interned.entry(name.clone()).or_insert(next);
                if f == next {
                    table.files.push(name);
                }
                if let Some(slot) = slot {
                    *slot = Some(f);
                }
                f
            };
            let mut rows = program.rows();
            let first = table.rows.len();
            let mut sequence_start = true;
            let complete = (|| -> gimli::Result<()> {
                while let Some((header, row)) = rows.next_row()? {
                    let pc = row.address();
                    if std::mem::take(&mut sequence_start) {
                        // Go (1.26 at least) writes no row for a function's
                        // first instructions when they are at the machine's
                        // initial position, line 1 of file 1 (as a wrapper's
                        // `<autogenerated>:1` can be): its rows start further
                        // on. From the sequence's address on, that position holds.
                        if let Some(Some(start)) = starts.next()
                            && start < pc
                        {
                            table.rows.push(LineRow {
                                pc: start,
                                file: file_number(header, 1),
                                line: 1,
                            });
                        }
                    }
                    if row.end_sequence() {
                        table.rows.push(LineRow {
                            pc,
                            file: NO_FILE,
                            line: 0,
                        });
                        sequence_start = true;
                        continue;
                    }
                    let file = file_number(header, row.file_index());
                    let line = row
                        .line()
                        .map_or(0, |l| u32::try_from(l.get()).unwrap_or(u32::MAX));
                    table.rows.push(LineRow { pc, file, line });
                }
                Ok(())
            })();
            if complete.is_err() {
                table.rows.truncate(first);
            }
        }
        // Rows of one sequence stay in order (at one pc the last row counts);
        // a sequence's end sorts before another sequence's start at the same pc.
        table.rows.sort_by_key(|r| (r.pc, r.file != NO_FILE));
        table
    }
}

/// The tags of the entries that describe types (what a `DW_AT_type` can point at).
fn is_type_tag(tag: DwTag) -> bool {
    matches!(
        tag,
        gimli::DW_TAG_base_type
            | gimli::DW_TAG_structure_type
            | gimli::DW_TAG_union_type
            | gimli::DW_TAG_class_type
            | gimli::DW_TAG_enumeration_type
            | gimli::DW_TAG_array_type
            | gimli::DW_TAG_subroutine_type
            | gimli::DW_TAG_string_type
            | gimli::DW_TAG_unspecified_type
            | gimli::DW_TAG_pointer_type
            | gimli::DW_TAG_reference_type
            | gimli::DW_TAG_rvalue_reference_type
            | gimli::DW_TAG_ptr_to_member_type
    ) || is_alias(tag)
}

/// Where each sequence of a line program starts: the address its first
/// `DW_LNE_set_address` sets before any row, if one does.
fn sequence_starts<R: gimli::Reader>(
    header: &LineProgramHeader<R>,
) -> gimli::Result<Vec<Option<u64>>> {
    let mut starts = Vec::new();
    let mut start = None;
    let mut has_row = false;
    let mut instructions = header.instructions();
    while let Some(instruction) = instructions.next_instruction(header)? {
        match instruction {
            LineInstruction::SetAddress(address) if !has_row && start.is_none() => {
                start = Some(address);
            }
            LineInstruction::Special(_) | LineInstruction::Copy => has_row = true,
            LineInstruction::EndSequence => {
                starts.push(start.take());
                has_row = false;
            }
            _ => {}
        }
    }
    Ok(starts)
}

/// The string sections a line program's file and directory names may point into.
struct Strings<'a> {
    line_str: DebugLineStr<EndianSlice<'a, RunTimeEndian>>,
    strs: DebugStr<EndianSlice<'a, RunTimeEndian>>,
}

impl<'a> Strings<'a> {
    /// A string attribute's text (Go writes them inline, `DW_FORM_string`).
    fn text(&self, value: AttributeValue<EndianSlice<'a, RunTimeEndian>>) -> Option<String> {
        let s = match value {
            AttributeValue::String(s) => s,
            AttributeValue::DebugLineStrRef(o) => self.line_str.get_str(o).ok()?,
            AttributeValue::DebugStrRef(o) => self.strs.get_str(o).ok()?,
            _ => return None,
        };
        Some(s.to_string_lossy().into_owned())
    }

    /// The path of file `index` of a line program: its directory joined with
    /// its name, unless the name is absolute or the directory is empty or the
    /// compilation directory `.` (so `main.go` stays `main.go`). Go writes
    /// a directory and a base name per file, in version 2 line tables (seen
    /// with 1.22; directory 0 is the compilation directory, not read here) or
    /// version 5 ones (seen with 1.26, DWARF 5 being the default since 1.25;
    /// directory 0 written as `.`).
    fn file_name(
        &self,
        header: &LineProgramHeader<EndianSlice<'a, RunTimeEndian>>,
        index: u64,
    ) -> Option<String> {
        let entry = header.file(index)?;
        let name = self.text(entry.path_name())?;
        if name.starts_with('/') {
            return Some(name);
        }
        let dir = entry
            .directory(header)
            .and_then(|d| self.text(d))
            .unwrap_or_default();
        Some(match dir.as_str() {
            "" | "." => name,
            _ => format!("{}/{name}", dir.trim_end_matches('/')),
        })
    }
}

/// Whether a type of DWARF tag `tag` only names or qualifies another type
/// (a typedef, `const`, `volatile`, ...): its size and shape are its target's.
pub(crate) fn is_alias(tag: gimli::DwTag) -> bool {
    matches!(
        tag,
        gimli::DW_TAG_typedef
            | gimli::DW_TAG_const_type
            | gimli::DW_TAG_volatile_type
            | gimli::DW_TAG_restrict_type
            | gimli::DW_TAG_atomic_type
            | gimli::DW_TAG_immutable_type
            | gimli::DW_TAG_packed_type
            | gimli::DW_TAG_shared_type
    )
}

/// `file` with the Go tree's directory written `$GOROOT`: the part before
/// the last `/src/` of an absolute path (where Go's own packages live).
fn in_goroot(file: &str) -> String {
    match file.rfind("/src/") {
        Some(i) if file.starts_with('/') => format!("$GOROOT{}", &file[i..]),
        _ => file.to_string(),
    }
}

#[cfg(test)]
mod tests {
    //! Against real executables linked by the installed Go, for amd64 and 386.

    use std::path::PathBuf;
    use std::sync::OnceLock;

    use gostack_listing::{Arch, Listing};
    use gostack_toolchain::{Cache, CompileRequest, Go, build};
    use iced_x86::{Decoder, DecoderOptions, FlowControl, Mnemonic, OpKind, Register};
    use object::{CompressionFormat, Object, ObjectSection, ObjectSymbol, SymbolKind};

    use super::{DebugInfo, RawSection, Sections, vars::VarTable};

    const SOURCE: &str = r#"package main

import "fmt"

//go:noinline
func add(a, b int) int {
	var arr [4]int
	arr[a&3] = b
	return a + b + arr[b&3]
}

func main() {
	fmt.Println("sum", add(1, 2))
}
"#;

    /// One built program: its listing, its executable's symbols and code, its debug info.
    struct Program {
        arch: Arch,
        listing: Listing,
        executable: Vec<u8>,
        debug: DebugInfo,
    }

    impl Program {
        /// Built once per GOARCH for all the tests, through the on-disk cache.
        fn get(arch: Arch) -> &'static Program {
            static PROGRAMS: [OnceLock<Program>; 2] = [OnceLock::new(), OnceLock::new()];
            let slot = match arch {
                Arch::Amd64 => &PROGRAMS[0],
                Arch::I386 => &PROGRAMS[1],
            };
            slot.get_or_init(|| {
                let go = Go::find().expect("Go is installed");
                let cache = Cache::new(target_tmp().join("gostack-cache"));
                let built = build(&go, &CompileRequest::new(SOURCE, arch), &cache).unwrap();
                let parsed = gostack_listing::parse(&built.compiled.listing);
                Program {
                    arch,
                    listing: parsed.listing,
                    debug: DebugInfo::load(&built.executable),
                    executable: built.executable,
                }
            })
        }

        fn word(&self) -> u64 {
            self.arch.word()
        }

        /// The address and size of the ELF symbol `name` (or its `.abi0` form,
        /// as the linker names assembly functions).
        fn symbol(&self, name: &str) -> (u64, u64) {
            self.find_symbol(name)
                .unwrap_or_else(|| panic!("{name} is in the symbol table"))
        }

        /// The ELF symbol `name`, if the linker kept it.
        fn find_symbol(&self, name: &str) -> Option<(u64, u64)> {
            let file = object::File::parse(&*self.executable).unwrap();
            let abi0 = format!("{name}.abi0");
            file.symbols()
                .find(|s| s.name().is_ok_and(|n| n == name || n == abi0))
                .map(|s| (s.address(), s.size()))
        }

        /// The instructions of the function at `addr`, decoded from the executable.
        fn code_at(&self, addr: u64, size: u64) -> Vec<iced_x86::Instruction> {
            let file = object::File::parse(&*self.executable).unwrap();
            let text = file.section_by_name(".text").unwrap();
            let bytes = text.data_range(addr, size).unwrap().unwrap();
            let bitness = crate::bitness(self.arch);
            Decoder::with_ip(bitness, bytes, addr, DecoderOptions::NONE)
                .into_iter()
                .collect()
        }

        /// The name of the ELF symbol at `addr`.
        fn name_at(&self, addr: u64) -> String {
            let file = object::File::parse(&*self.executable).unwrap();
            file.symbols()
                .find(|s| s.address() == addr && s.kind() == SymbolKind::Text)
                .and_then(|s| s.name().ok().map(str::to_string))
                .unwrap_or_else(|| format!("{addr:#x}"))
        }
    }

    /// Cargo's `target/tmp` (what `CARGO_TARGET_TMPDIR` names for integration
    /// tests, which unit tests are not told): beside the test binary's `deps`.
    fn target_tmp() -> PathBuf {
        let exe = std::env::current_exe().unwrap();
        exe.ancestors()
            .nth(3)
            .map(|target| target.join("tmp"))
            .unwrap_or_else(std::env::temp_dir)
    }

    /// The one-based line of `SOURCE` that starts with `text`.
    fn source_line(text: &str) -> u32 {
        SOURCE
            .lines()
            .position(|l| l.starts_with(text))
            .map(|i| i as u32 + 1)
            .unwrap()
    }

    /// Follows SP through a function's instructions in address order, as the
    /// assembler's pcsp table does, and compares DWARF at every instruction:
    /// one word at entry, a word more per PUSH, `n` more after `SUB $n, SP`
    /// (or `ADD $-n, SP`), back to one word at a RET. After a RET the code goes
    /// on with the body's frame, except the stack-growth trailer (the target
    /// of the prologue's stack check), which runs on the entry frame until
    /// its jump back to the entry. Returns the body's extent, or the first
    /// instruction where DWARF says otherwise.
    fn follow_sp(p: &Program, addr: u64, size: u64) -> Result<u64, String> {
        let word = p.word();
        let sp = match p.arch {
            Arch::Amd64 => Register::RSP,
            Arch::I386 => Register::ESP,
        };
        let mut extent = word;
        let mut body = word;
        let mut trailer = None;
        for ins in p.code_at(addr, size) {
            if Some(ins.ip()) == trailer {
                extent = word;
            }
            let dwarf = p.debug.frame_extent(ins.ip());
            if dwarf != Some(extent) || (ins.mnemonic() == Mnemonic::Ret && extent != word) {
                return Err(format!(
                    "{}+{:#x} `{ins}`: DWARF says {dwarf:?}, the instructions {extent}",
                    p.name_at(addr),
                    ins.ip() - addr
                ));
            }
            let to_sp_imm = ins.op_count() == 2
                && ins.op0_kind() == OpKind::Register
                && ins.op0_register() == sp
                && matches!(
                    ins.op1_kind(),
                    OpKind::Immediate8to64
                        | OpKind::Immediate8to32
                        | OpKind::Immediate32to64
                        | OpKind::Immediate32
                        | OpKind::Immediate8
                );
            match ins.mnemonic() {
                Mnemonic::Push => {
                    extent += word;
                    body = body.max(extent);
                }
                Mnemonic::Pop => extent -= word,
                Mnemonic::Sub | Mnemonic::Add if to_sp_imm => {
                    // Sign-extended: Go allocates 128 bytes as `ADDQ $-0x80, SP`.
                    let imm = ins.immediate(1) as i64;
                    let grows = if ins.mnemonic() == Mnemonic::Sub {
                        imm
                    } else {
                        -imm
                    };
                    extent = extent.wrapping_add_signed(grows);
                    body = body.max(extent);
                }
                Mnemonic::Ret => extent = body,
                Mnemonic::Jmp
                    if trailer.is_some_and(|t| t <= ins.ip())
                        && ins.near_branch_target() == addr =>
                {
                    extent = body;
                }
                _ if ins.flow_control() == FlowControl::ConditionalBranch
                    && extent == word
                    && trailer.is_none() =>
                {
                    trailer = Some(ins.near_branch_target());
                }
                _ => {}
            }
        }
        Ok(body)
    }

    #[test]
    fn frames_of_package_functions_follow_their_instructions() {
        for arch in Arch::ALL {
            let p = Program::get(arch);
            for name in ["main.add", "main.main"] {
                let (addr, size) = p.symbol(name);
                let body = follow_sp(p, addr, size).unwrap_or_else(|e| panic!("{arch}: {e}"));
                // The listing's `$n-m`: n counts the saved BP on amd64, not the return address.
                let func = p
                    .listing
                    .symbols
                    .iter()
                    .find(|s| s.name == name)
                    .and_then(|s| s.func.as_ref())
                    .unwrap();
                assert_eq!(body, func.frame_size as u64 + p.word(), "{arch} {name}");
                assert!(body > 2 * p.word(), "{arch} {name} has locals");
                assert_eq!(
                    p.debug.frame_extent(addr),
                    Some(p.word()),
                    "{arch} {name} entry"
                );
                assert_eq!(p.debug.function_range(addr), Some((addr, addr + size)));
                assert_eq!(
                    p.debug.function_range(addr + size - 1),
                    Some((addr, addr + size))
                );
            }
        }
    }

    /// Every function compiled from Go, the runtime's and fmt's included:
    /// DWARF's extent at each instruction is what its instructions did to SP.
    #[test]
    fn frames_of_every_go_function_follow_their_instructions() {
        for arch in Arch::ALL {
            let p = Program::get(arch);
            let file = object::File::parse(&*p.executable).unwrap();
            let mut checked = 0;
            let mut failures = Vec::new();
            for sym in file.symbols() {
                let (addr, size) = (sym.address(), sym.size());
                let from_go = p
                    .debug
                    .line(addr)
                    .is_some_and(|(f, _)| f.ends_with(".go") || f == "<autogenerated>");
                if sym.kind() != SymbolKind::Text || size == 0 || !from_go {
                    continue;
                }
                checked += 1;
                failures.extend(follow_sp(p, addr, size).err());
            }
            assert!(checked > 1000, "{arch}: {checked}");
            assert!(failures.is_empty(), "{arch}:\n{}", failures.join("\n"));
        }
    }

    #[test]
    fn runtime_frames_have_extents() {
        for arch in Arch::ALL {
            let p = Program::get(arch);
            let word = p.word();
            // Every goroutine starts with goexit+1 as its return address.
            let (goexit, _) = p.symbol("runtime.goexit");
            assert_eq!(p.debug.frame_extent(goexit + 1), Some(word), "{arch}");
            let (main, size) = p.symbol("runtime.main");
            assert_eq!(p.debug.frame_extent(main), Some(word), "{arch}");
            let extents: Vec<u64> = (main..main + size)
                .map(|pc| p.debug.frame_extent(pc).unwrap())
                .collect();
            assert!(extents.iter().all(|&e| e >= word), "{arch}");
            assert!(extents.iter().any(|&e| e > 8 * word), "{arch}: {extents:?}");
            assert_eq!(
                p.debug.function_range(main + size / 2),
                Some((main, main + size))
            );
        }
    }

    /// DWARF restates pcsp: where `morestack` has switched to g0's stack, or
    /// `rt0_go` has moved SP by hand, it still says "one word". A walker must
    /// stop at these functions, as Go's traceback does.
    #[test]
    fn dwarf_does_not_follow_stack_switches() {
        for arch in Arch::ALL {
            let p = Program::get(arch);
            let (morestack, size) = p.symbol("runtime.morestack");
            for pc in morestack..morestack + size {
                assert_eq!(p.debug.frame_extent(pc), Some(p.word()), "{arch} {pc:#x}");
            }
        }
        let p = Program::get(Arch::Amd64);
        let (rt0_go, size) = p.symbol("runtime.rt0_go");
        let code = p.code_at(rt0_go, size);
        let and = code
            .iter()
            .position(|i| i.mnemonic() == Mnemonic::And && i.op0_register() == Register::RSP)
            .unwrap();
        assert_eq!(p.debug.frame_extent(code[and + 1].ip()), Some(8));
    }

    #[test]
    fn lines_are_the_listings() {
        for arch in Arch::ALL {
            let p = Program::get(arch);
            let (main, _) = p.symbol("main.main");
            assert_eq!(
                p.debug.line(main),
                Some(("main.go".to_string(), source_line("func main()"))),
                "{arch}"
            );
            // Every instruction of the package, inlined code included, at the listing's position.
            let mut checked = 0;
            for sym in &p.listing.symbols {
                let Some(func) = &sym.func else { continue };
                // A DUPOK function (`type:.eq.*`) the linker took from another package, or dropped.
                let Some((addr, _)) = p.find_symbol(&sym.name) else {
                    continue;
                };
                for ins in func.instrs.iter().filter(|i| !i.is_pseudo()) {
                    let Some(pos) = &func.instr_at(ins.pc).and_then(|i| i.pos.clone()) else {
                        continue;
                    };
                    // Both name Go's own files from $GOROOT.
                    assert_eq!(
                        p.debug.line(addr + u64::from(ins.pc)),
                        Some((pos.file.clone(), pos.line)),
                        "{arch} {}+{:#x}",
                        sym.name,
                        ins.pc
                    );
                    checked += 1;
                }
            }
            assert!(checked > 20, "{arch}: {checked}");
            let (runtime_main, _) = p.symbol("runtime.main");
            let (file, line) = p.debug.line(runtime_main).unwrap();
            // Named from $GOROOT, the same wherever Go is installed.
            assert_eq!(file, "$GOROOT/src/runtime/proc.go", "{arch}");
            assert!(line > 0);
            let (goexit, _) = p.symbol("runtime.goexit");
            let (file, _) = p.debug.line(goexit).unwrap();
            assert_eq!(file, format!("$GOROOT/src/runtime/asm_{arch}.s"), "{arch}");
        }
    }

    #[test]
    fn nothing_is_known_outside_functions() {
        for arch in Arch::ALL {
            let p = Program::get(arch);
            let file = object::File::parse(&*p.executable).unwrap();
            let data = file
                .symbols()
                .find(|s| s.name() == Ok("runtime.mainStarted"))
                .unwrap()
                .address();
            for pc in [0, 0x10, data, u64::MAX] {
                assert_eq!(p.debug.frame_extent(pc), None, "{arch} {pc:#x}");
                assert_eq!(p.debug.function_range(pc), None, "{arch} {pc:#x}");
                assert_eq!(p.debug.line(pc), None, "{arch} {pc:#x}");
            }
            // The padding after main.add, before the next function.
            let (add, size) = p.symbol("main.add");
            let next = file
                .symbols()
                .map(|s| s.address())
                .filter(|&a| a > add)
                .min()
                .unwrap();
            if add + size < next {
                assert_eq!(p.debug.frame_extent(add + size), None, "{arch}");
                assert_eq!(p.debug.line(add + size), None, "{arch}");
            }
        }
    }

    #[test]
    fn no_debug_info_gives_empty_lookups() {
        let p = Program::get(Arch::Amd64);
        let (main, _) = p.symbol("main.main");
        // The same executable with its DWARF sections renamed away, as `-w` leaves it.
        let mut stripped = p.executable.clone();
        let mut renamed = 0;
        for i in 0..stripped.len() - 7 {
            if &stripped[i..i + 7] == b".debug_" {
                stripped[i + 1] = b'x';
                renamed += 1;
            }
        }
        assert!(renamed >= 2);
        assert!(object::File::parse(&*stripped).is_ok());
        for bytes in [
            &b""[..],
            b"not an executable",
            &p.executable[..64],
            &stripped,
        ] {
            let debug = DebugInfo::load(bytes);
            assert_eq!(debug.frame_extent(main), None);
            assert_eq!(debug.function_range(main), None);
            assert_eq!(debug.line(main), None);
            assert_eq!(debug.member("runtime.g", "stack"), None);
            assert_eq!(debug.type_size("runtime.g"), None);
        }
    }

    #[test]
    fn runtime_structs_have_their_members() {
        for arch in Arch::ALL {
            let p = Program::get(arch);
            let word = p.word();
            let d = &p.debug;
            assert_eq!(d.member("runtime.stack", "lo"), Some((0, word)), "{arch}");
            assert_eq!(
                d.member("runtime.stack", "hi"),
                Some((word, word)),
                "{arch}"
            );
            assert_eq!(d.type_size("runtime.stack"), Some(2 * word), "{arch}");
            // The fields Go's assembly reaches by hard-coded offsets (`g_stackguard0` in go_asm.h).
            assert_eq!(
                d.member("runtime.g", "stack"),
                Some((0, 2 * word)),
                "{arch}"
            );
            assert_eq!(
                d.member("runtime.g", "stackguard0"),
                Some((2 * word, word)),
                "{arch}"
            );
            let g_size = d.type_size("runtime.g").unwrap();
            let (goid, goid_size) = d.member("runtime.g", "goid").unwrap();
            assert_eq!(goid_size, 8, "{arch}: goid is a uint64");
            assert!(goid + goid_size <= g_size, "{arch}");
            let defer_size = d.type_size("runtime._defer").unwrap();
            for field in ["fn", "link", "sp", "pc"] {
                let (offset, size) = d
                    .member("runtime._defer", field)
                    .unwrap_or_else(|| panic!("{arch}: _defer.{field}"));
                // A func value, a pointer, two uintptrs.
                assert_eq!(size, word, "{arch} _defer.{field}");
                assert!(offset + size <= defer_size, "{arch} _defer.{field}");
            }
            // What is not a struct of the binary, or not a member of one.
            assert_eq!(d.member("runtime.nosuchtype", "lo"), None);
            assert_eq!(d.type_size("runtime.nosuchtype"), None);
            assert_eq!(d.member("runtime.stack", "nosuchmember"), None);
            assert_eq!(d.member("runtime.g", ""), None);
            assert_eq!(d.member("", ""), None);
            // A pointer type and a typedef of a scalar are not structs.
            assert_eq!(d.type_size("*runtime.g"), None);
            assert_eq!(d.member("runtime.guintptr", "lo"), None);
        }
    }

    /// Every struct of the binary, the runtime's, fmt's and the slice and
    /// string headers: sized, and every member sized and inside it.
    #[test]
    fn every_struct_member_is_sized_and_inside_its_struct() {
        for arch in Arch::ALL {
            let p = Program::get(arch);
            let structs = p.debug.vars().structs();
            assert!(structs.len() > 300, "{arch}: {}", structs.len());
            let mut failures = Vec::new();
            for (name, size, members) in &structs {
                let Some(size) = size else {
                    failures.push(format!("{name} has no size"));
                    continue;
                };
                for (m, offset, m_size) in members {
                    match m_size {
                        Some(m_size) if offset + m_size <= *size => {}
                        _ => {
                            failures.push(format!("{name}.{m} at {offset} ({m_size:?}) in {size}"))
                        }
                    }
                }
            }
            assert!(failures.is_empty(), "{arch}:\n{}", failures.join("\n"));
            assert_eq!(
                p.debug.type_size("[]uint8"),
                Some(3 * p.word()),
                "{arch}: a slice header"
            );
            assert_eq!(p.debug.member("string", "len"), Some((p.word(), p.word())));
        }
    }

    /// A `.debug_info` cut short or garbled: whatever parses is kept, never a panic.
    #[test]
    fn damaged_debug_info_gives_what_parses() {
        let p = Program::get(Arch::Amd64);
        let source = p.debug.source.clone().unwrap();
        let info = source
            .debug_info
            .as_ref()
            .unwrap()
            .decompress()
            .into_owned();
        let abbrev = RawSection::contents(source.debug_abbrev.as_ref()).into_owned();
        let plain = |data: &[u8]| {
            Some(RawSection {
                format: CompressionFormat::None,
                data: data.to_vec(),
                uncompressed_size: data.len() as u64,
            })
        };
        let with = |info: &[u8], abbrev: &[u8]| {
            let sections = Sections {
                debug_info: plain(info),
                debug_abbrev: plain(abbrev),
                ..source.clone()
            };
            VarTable::read(source.endian, u64::from(source.address_size), |id| {
                sections.section(id)
            })
        };
        // Decompressed and stored plain, the sections give the same table.
        let whole = with(&info, &abbrev);
        assert_eq!(whole.structs().len(), p.debug.vars().structs().len());
        for (info, abbrev) in [
            (&info[..0], &abbrev[..]),
            (&info[..1], &abbrev),
            (&info[..11], &abbrev),
            (&info[..info.len() / 2], &abbrev),
            (&info[..info.len() - 1], &abbrev),
            (&info, &abbrev[..abbrev.len() / 2]),
            (&info, &[][..]),
        ] {
            let table = with(info, abbrev);
            assert!(table.structs().len() <= whole.structs().len());
        }
        let mut garbled = info.clone();
        for b in garbled.iter_mut().step_by(97) {
            *b ^= 0x5a;
        }
        with(&garbled, &abbrev);
        // The units before the cut are whole.
        assert!(!with(&info[..info.len() - 1], &abbrev).structs().is_empty());
    }
}
