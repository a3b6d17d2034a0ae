//! The variables of a function and the shapes of their types, from
//! `.debug_info` and its location lists.
//!
//! Go writes a `DW_TAG_subprogram` for every function it compiled, with a
//! `DW_TAG_formal_parameter` per argument and result (in the order
//! declared; `DW_AT_variable_parameter` is 1 for a result) and a
//! `DW_TAG_variable` per local, each with its `DW_AT_type` and
//! `DW_AT_location`: a frame-base offset (`DW_OP_fbreg n`, or
//! `DW_OP_call_frame_cfa` for offset 0; the frame base is the CFA), or a
//! location list whose entries say, per pc range, where each piece of the
//! variable is (a register or a frame offset). A closure's captured
//! variables carry their offset in the closure's context
//! (`DW_AT_go_closure_offset`, from Go 1.23). The compiler's temporaries
//! (`.autotmp_N`) have no entry.
//!
//! Types: strings, slices and interfaces are structs (`str`/`len`,
//! `array`/`len`/`cap`, `_type`/`data` or `tab`/`data`), so one walk of
//! struct members, array elements and typedefs gives every scalar of a type
//! with its path (`.len`, `[1]._type`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gimli::{
    AttributeValue, DebugInfoOffset, DwAt, EndianSlice, Operation, Reader, RunTimeEndian,
    SectionId, UnitOffset,
};

/// `DW_AT_go_closure_offset`: a captured variable's offset in its closure's context.
const DW_AT_GO_CLOSURE_OFFSET: DwAt = DwAt(0x2907);

/// What a variable is to its function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarRole {
    /// An argument.
    Arg,
    /// A result.
    Result,
    /// A local variable (a closure's captured variables included).
    Local,
}

/// A variable of a function as its DWARF entry gives it.
#[derive(Debug, Clone)]
pub(crate) struct Variable {
    /// As Go names it: `a`, `~r0`, `&x` for a variable a closure captured by reference.
    pub(crate) name: String,
    /// Argument, result or local.
    pub(crate) role: VarRole,
    /// Its type's shape, when DWARF gives the type.
    pub(crate) shape: Option<Arc<Shape>>,
    /// Where it lives in stack memory: per pc range (`None`: everywhere in the function).
    pub(crate) homes: Vec<Home>,
    /// Its offset in the closure's context, for a captured variable.
    pub(crate) closure_offset: Option<u64>,
    /// The pcs of the lexical block it is declared in, when it is in one:
    /// outside them the name means another variable, or none.
    pub(crate) scope: Option<Vec<(u64, u64)>>,
}

impl Variable {
    /// Whether its name is in scope at `pc`.
    pub(crate) fn in_scope(&self, pc: u64) -> bool {
        self.scope
            .as_ref()
            .is_none_or(|r| r.iter().any(|&(a, b)| (a..b).contains(&pc)))
    }
}

/// Where a variable is over a range of pcs: its pieces in stack memory and in registers.
#[derive(Debug, Clone)]
pub(crate) struct Home {
    /// The pcs `[start, end)` this holds for; `None` for the whole function.
    pub(crate) pcs: Option<(u64, u64)>,
    /// Offset in the variable, size (`None`: the rest of it) and offset from the CFA, per piece.
    pub(crate) pieces: Vec<(u64, Option<u64>, i64)>,
    /// Offset in the variable, size (`None`: the rest of it) and DWARF register number, per piece.
    pub(crate) regs: Vec<(u64, Option<u64>, u16)>,
}

/// The layout of a type: its size, its alignment and every scalar in it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// Bytes.
    pub(crate) size: u64,
    /// Bytes: the largest scalar's, at most a word.
    pub(crate) align: u64,
    /// The scalars in order of offset.
    pub(crate) leaves: Vec<Leaf>,
    /// Whether the register ABI may pass it in registers: no array of more than one element.
    pub(crate) in_registers: bool,
}

/// A scalar of a type: a number, a pointer, a bool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leaf {
    /// Bytes from the start of the type.
    pub(crate) offset: u64,
    /// Bytes.
    pub(crate) size: u64,
    /// How to reach it: `""` for the type itself, `.len`, `[1]._type`, `.p.x`.
    pub(crate) path: String,
    /// A floating-point number (passed in an X register by the register ABI).
    pub(crate) float: bool,
    /// A complex number: two floating-point numbers, real and imaginary.
    pub(crate) complex: bool,
}

/// A type entry, as much as shaping a type needs.
#[derive(Debug, Clone)]
struct TypeNode {
    tag: gimli::DwTag,
    size: Option<u64>,
    target: Option<usize>,
    float: bool,
    complex: bool,
    /// Members of a struct: name, offset, type.
    members: Vec<(String, u64, Option<usize>)>,
    /// Elements of an array.
    count: Option<u64>,
}

/// The sections, decompressed, and an index of functions and types; the
/// variables and shapes asked for are kept.
#[derive(Debug, Default)]
pub(crate) struct VarTable {
    endian: Option<RunTimeEndian>,
    word: u64,
    sections: HashMap<SectionId, Vec<u8>>,
    /// Each function's entry: its unit's offset and the entry's offset in the unit.
    funcs: HashMap<String, (usize, usize)>,
    types: HashMap<usize, TypeNode>,
    /// Named types (the first of a name).
    named: HashMap<String, usize>,
    variables: Mutex<HashMap<String, Arc<[Variable]>>>,
    shapes: Mutex<HashMap<usize, Arc<Shape>>>,
}

impl VarTable {
    /// Reads the index of `.debug_info`; `section` gives a section's decompressed bytes.
    pub(crate) fn read(
        endian: RunTimeEndian,
        word: u64,
        mut section: impl FnMut(SectionId) -> Vec<u8>,
    ) -> VarTable {
        let ids = [
            SectionId::DebugInfo,
            SectionId::DebugAbbrev,
            SectionId::DebugStr,
            SectionId::DebugLine,
            SectionId::DebugLineStr,
            SectionId::DebugStrOffsets,
            SectionId::DebugAddr,
            SectionId::DebugLoc,
            SectionId::DebugLocLists,
            SectionId::DebugRanges,
            SectionId::DebugRngLists,
        ];
        let mut table = VarTable {
            endian: Some(endian),
            word,
            sections: ids.into_iter().map(|id| (id, section(id))).collect(),
            ..VarTable::default()
        };
        // What was read before an error is kept.
        let _ = table.index();
        table
    }

    fn dwarf(&self) -> gimli::Dwarf<EndianSlice<'_, RunTimeEndian>> {
        let endian = self.endian.unwrap_or(RunTimeEndian::Little);
        let dwarf: Result<_, ()> = gimli::Dwarf::load(|id| {
            Ok(EndianSlice::new(
                self.sections.get(&id).map_or(&[][..], Vec::as_slice),
                endian,
            ))
        });
        dwarf.unwrap_or_default()
    }

    /// Indexes every function and every type entry.
    fn index(&mut self) -> gimli::Result<()> {
        let mut funcs = HashMap::new();
        // Functions DWARF describes only as inlined (an abstract entry with
        // the parameters' names and types): what their out-of-line copy,
        // whose own entry names nothing, is called with.
        let mut abstract_funcs = HashMap::new();
        let mut types = HashMap::new();
        let mut named = HashMap::new();
        {
            let dwarf = self.dwarf();
            let mut units = dwarf.units();
            // A unit whose header does not parse ends the scan; what was read stays.
            while let Ok(Some(header)) = units.next() {
                let Some(base) = header.offset().as_debug_info_offset() else {
                    continue;
                };
                let Ok(unit) = dwarf.unit(header) else {
                    continue;
                };
                let mut entries = unit.entries();
                let mut depth = 0isize;
                // The struct or array being read and its children's depth.
                let mut open: Option<(usize, isize)> = None;
                while let Ok(Some((delta, entry))) = entries.next_dfs() {
                    depth += delta;
                    let offset = base.0 + entry.offset().0;
                    let tag = entry.tag();
                    let ref_of = |v: AttributeValue<EndianSlice<'_, RunTimeEndian>>| match v {
                        AttributeValue::UnitRef(o) => {
                            o.to_debug_info_offset(&unit.header).map(|o| o.0)
                        }
                        AttributeValue::DebugInfoRef(o) => Some(o.0),
                        _ => None,
                    };
                    let name = || {
                        entry
                            .attr_value(gimli::DW_AT_name)
                            .ok()
                            .flatten()
                            .and_then(|v| dwarf.attr_string(&unit, v).ok())
                            .map(|s| s.to_string_lossy().into_owned())
                    };
                    if open.is_some_and(|(_, d)| d == depth) {
                        let (parent, _) = open.unwrap();
                        let Some(node) = types.get_mut(&parent) else {
                            continue;
                        };
                        let node: &mut TypeNode = node;
                        if tag == gimli::DW_TAG_member {
                            let location = entry
                                .attr_value(gimli::DW_AT_data_member_location)
                                .ok()
                                .flatten()
                                .and_then(member_location);
                            let target = entry
                                .attr_value(gimli::DW_AT_type)
                                .ok()
                                .flatten()
                                .and_then(ref_of);
                            if let (Some(n), Some(l)) = (name(), location) {
                                node.members.push((n, l, target));
                            }
                        } else if tag == gimli::DW_TAG_subrange_type {
                            let count = entry
                                .attr_value(gimli::DW_AT_count)
                                .ok()
                                .flatten()
                                .and_then(|v| v.udata_value());
                            let upper = entry
                                .attr_value(gimli::DW_AT_upper_bound)
                                .ok()
                                .flatten()
                                .and_then(|v| v.udata_value());
                            node.count = count.or(upper.map(|u| u + 1));
                        }
                        continue;
                    }
                    if open.is_some_and(|(_, d)| d > depth) {
                        open = None;
                    }
                    if tag == gimli::DW_TAG_subprogram && depth == 1 {
                        let concrete = entry
                            .attr_value(gimli::DW_AT_low_pc)
                            .ok()
                            .flatten()
                            .is_some();
                        if concrete && let Some(n) = name() {
                            funcs.entry(n).or_insert((base.0, entry.offset().0));
                        } else if let Some(n) = name() {
                            abstract_funcs
                                .entry(n)
                                .or_insert((base.0, entry.offset().0));
                        }
                        continue;
                    }
                    if !super::is_type_tag(tag) {
                        continue;
                    }
                    let node = TypeNode {
                        tag,
                        size: entry
                            .attr_value(gimli::DW_AT_byte_size)
                            .ok()
                            .flatten()
                            .and_then(|v| v.udata_value()),
                        target: entry
                            .attr_value(gimli::DW_AT_type)
                            .ok()
                            .flatten()
                            .and_then(ref_of),
                        float: matches!(
                            entry.attr_value(gimli::DW_AT_encoding).ok().flatten(),
                            Some(AttributeValue::Encoding(e)) if e == gimli::DW_ATE_float || e == gimli::DW_ATE_complex_float
                        ),
                        complex: matches!(
                            entry.attr_value(gimli::DW_AT_encoding).ok().flatten(),
                            Some(AttributeValue::Encoding(e)) if e == gimli::DW_ATE_complex_float
                        ),
                        members: Vec::new(),
                        count: None,
                    };
                    if let Some(n) = name() {
                        named.entry(n).or_insert(offset);
                    }
                    if entry.has_children() {
                        open = Some((offset, depth + 1));
                    }
                    types.insert(offset, node);
                }
            }
        }
        for (name, at) in abstract_funcs {
            funcs.entry(name).or_insert(at);
        }
        self.funcs = funcs;
        self.types = types;
        self.named = named;
        Ok(())
    }

    /// The variables of the function named `func` (`main.incr1`, `fmt.Fprintln`):
    /// its parameters in order, then its locals; empty for a function DWARF does not describe.
    pub(crate) fn variables(&self, func: &str) -> Arc<[Variable]> {
        if let Some(v) = self.variables.lock().unwrap().get(func) {
            return v.clone();
        }
        let vars: Arc<[Variable]> = self.read_variables(func).unwrap_or_default().into();
        self.variables
            .lock()
            .unwrap()
            .insert(func.to_string(), vars.clone());
        vars
    }

    fn read_variables(&self, func: &str) -> Option<Vec<Variable>> {
        let &(unit_offset, entry_offset) = self.funcs.get(func)?;
        let dwarf = self.dwarf();
        let header = dwarf
            .debug_info
            .header_from_offset(DebugInfoOffset(unit_offset))
            .ok()?;
        let unit = dwarf.unit(header).ok()?;
        let mut entries = unit.entries_at_offset(UnitOffset(entry_offset)).ok()?;
        let mut vars = Vec::new();
        let mut depth = 0isize;
        // Below an inlined call, the variables are the inlined function's.
        let mut skip_below: Option<isize> = None;
        // The lexical blocks open around the entry read: depth and pcs.
        let mut blocks: Vec<(isize, Vec<(u64, u64)>)> = Vec::new();
        let mut first = true;
        while let Ok(Some((delta, entry))) = entries.next_dfs() {
            depth += delta;
            if std::mem::take(&mut first) {
                continue;
            }
            if depth <= 0 {
                break;
            }
            if skip_below.is_some_and(|d| depth > d) {
                continue;
            }
            skip_below = None;
            let tag = entry.tag();
            blocks.retain(|(d, _)| *d < depth);
            if tag == gimli::DW_TAG_lexical_block {
                let mut pcs = Vec::new();
                if let Ok(mut ranges) = dwarf.die_ranges(&unit, entry) {
                    while let Ok(Some(r)) = ranges.next() {
                        pcs.push((r.begin, r.end));
                    }
                }
                blocks.push((depth, pcs));
                continue;
            }
            if tag == gimli::DW_TAG_inlined_subroutine {
                skip_below = Some(depth);
                continue;
            }
            let role = match tag {
                gimli::DW_TAG_formal_parameter => {
                    match entry
                        .attr_value(gimli::DW_AT_variable_parameter)
                        .ok()
                        .flatten()
                    {
                        Some(AttributeValue::Flag(true)) => VarRole::Result,
                        Some(v) if v.udata_value() == Some(1) => VarRole::Result,
                        _ => VarRole::Arg,
                    }
                }
                gimli::DW_TAG_variable => VarRole::Local,
                _ => continue,
            };
            let Some(name) = entry
                .attr_value(gimli::DW_AT_name)
                .ok()
                .flatten()
                .and_then(|v| dwarf.attr_string(&unit, v).ok())
                .map(|s| s.to_string_lossy().into_owned())
            else {
                continue;
            };
            let shape = match entry.attr_value(gimli::DW_AT_type).ok().flatten() {
                Some(AttributeValue::UnitRef(o)) => {
                    o.to_debug_info_offset(&unit.header).map(|o| o.0)
                }
                Some(AttributeValue::DebugInfoRef(o)) => Some(o.0),
                _ => None,
            }
            .and_then(|t| self.shape(t));
            let mut homes = Vec::new();
            if let Some(value) = entry.attr_value(gimli::DW_AT_location).ok().flatten() {
                if let AttributeValue::Exprloc(e) = value {
                    let (pieces, regs) = pieces(e.0, unit.encoding());
                    homes.push(Home {
                        pcs: None,
                        pieces,
                        regs,
                    });
                } else if let Ok(Some(mut list)) = dwarf.attr_locations(&unit, value) {
                    while let Ok(Some(l)) = list.next() {
                        let (pieces, regs) = pieces(l.data.0, unit.encoding());
                        homes.push(Home {
                            pcs: Some((l.range.begin, l.range.end)),
                            pieces,
                            regs,
                        });
                    }
                }
            }
            homes.retain(|h| !h.pieces.is_empty() || !h.regs.is_empty());
            // The compiler can describe one parameter twice (a result a
            // deferred closure captures, in an optimised build, comes as
            // two `b`s): a second parameter of a name is the same one, or
            // it would take the next register or slot of its own.
            if role != VarRole::Local
                && name != "_"
                && vars
                    .iter()
                    .any(|v: &Variable| v.role == role && v.name == name)
            {
                continue;
            }
            let closure_offset = entry
                .attr_value(DW_AT_GO_CLOSURE_OFFSET)
                .ok()
                .flatten()
                .and_then(|v| v.udata_value());
            vars.push(Variable {
                name,
                role,
                shape,
                homes,
                closure_offset,
                scope: blocks.last().map(|(_, pcs)| pcs.clone()),
            });
        }
        Some(vars)
    }

    /// The offset and size of member `member` of the struct type named
    /// `ty` (`runtime.g`, or a slice or string header such as `[]uint8` or
    /// `string`, which Go's DWARF writes as structs).
    pub(crate) fn member(&self, ty: &str, member: &str) -> Option<(u64, u64)> {
        let t = self.types.get(self.named.get(ty)?)?;
        if t.tag != gimli::DW_TAG_structure_type {
            return None;
        }
        let (_, offset, target) = t.members.iter().find(|m| m.0 == member)?;
        Some((*offset, self.size_of((*target)?)?))
    }

    /// The byte size of the struct type named `ty`.
    pub(crate) fn struct_size(&self, ty: &str) -> Option<u64> {
        let t = self.types.get(self.named.get(ty)?)?;
        (t.tag == gimli::DW_TAG_structure_type).then_some(t.size)?
    }

    /// The struct types by name, each with its size and its members' offsets and sizes.
    #[cfg(test)]
    #[allow(clippy::type_complexity)]
    pub(crate) fn structs(&self) -> Vec<(&str, Option<u64>, Vec<(&str, u64, Option<u64>)>)> {
        self.named
            .iter()
            .filter_map(|(name, at)| {
                let t = self.types.get(at)?;
                (t.tag == gimli::DW_TAG_structure_type).then(|| {
                    let members = t
                        .members
                        .iter()
                        .map(|(n, o, target)| {
                            (n.as_str(), *o, target.and_then(|x| self.size_of(x)))
                        })
                        .collect();
                    (name.as_str(), t.size, members)
                })
            })
            .collect()
    }

    /// The size of the type at `.debug_info` offset `offset`: its
    /// `DW_AT_byte_size`, one word for a pointer, or the size of the type a
    /// typedef or qualifier names.
    fn size_of(&self, mut offset: usize) -> Option<u64> {
        // Bounded, should typedefs form a cycle.
        for _ in 0..32 {
            let t = self.types.get(&offset)?;
            if let Some(size) = t.size {
                return Some(size);
            }
            match t.tag {
                gimli::DW_TAG_pointer_type
                | gimli::DW_TAG_reference_type
                | gimli::DW_TAG_rvalue_reference_type => return Some(self.word),
                tag if super::is_alias(tag) => offset = t.target?,
                _ => return None,
            }
        }
        None
    }

    /// The shape of the type named `name` (`runtime._defer`).
    pub(crate) fn named_shape(&self, name: &str) -> Option<Arc<Shape>> {
        self.shape(*self.named.get(name)?)
    }

    /// The shape of the type at `.debug_info` offset `offset`.
    fn shape(&self, offset: usize) -> Option<Arc<Shape>> {
        if let Some(s) = self.shapes.lock().unwrap().get(&offset) {
            return Some(s.clone());
        }
        let mut shape = Shape {
            align: 1,
            in_registers: true,
            ..Shape::default()
        };
        shape.size = self.flatten(offset, 0, String::new(), &mut shape, 0)?;
        let shape = Arc::new(shape);
        self.shapes.lock().unwrap().insert(offset, shape.clone());
        Some(shape)
    }

    /// Adds the scalars of the type at `offset`, placed at `at` with `path`, to
    /// `shape`, and gives the type's size.
    fn flatten(
        &self,
        offset: usize,
        at: u64,
        path: String,
        shape: &mut Shape,
        depth: u32,
    ) -> Option<u64> {
        if depth > 16 || shape.leaves.len() > 4096 {
            return None;
        }
        let t = self.types.get(&offset)?;
        match t.tag {
            gimli::DW_TAG_structure_type => {
                for (name, off, target) in &t.members {
                    self.flatten(
                        (*target)?,
                        at + off,
                        format!("{path}.{name}"),
                        shape,
                        depth + 1,
                    )?;
                }
                t.size
            }
            gimli::DW_TAG_array_type => {
                let count = t.count.unwrap_or(0);
                let elem = t.target?;
                if count > 1 {
                    shape.in_registers = false;
                }
                let mut size = 0;
                for i in 0..count.min(1024) {
                    size = self.flatten(
                        elem,
                        at + i * size,
                        format!("{path}[{i}]"),
                        shape,
                        depth + 1,
                    )?;
                }
                Some(t.size.unwrap_or(size * count))
            }
            tag if super::is_alias(tag)
                && (t.size.is_none()
                    || t.target.is_some_and(|x| {
                        self.types
                            .get(&x)
                            .is_some_and(|n| n.tag == gimli::DW_TAG_structure_type)
                    })) =>
            {
                self.flatten(t.target?, at, path, shape, depth + 1)
            }
            tag => {
                let size = match tag {
                    gimli::DW_TAG_pointer_type | gimli::DW_TAG_reference_type => {
                        t.size.unwrap_or(self.word)
                    }
                    _ => t.size?,
                };
                if size > 0 {
                    let align = if t.complex || (t.float && size > self.word.max(8)) {
                        size / 2
                    } else {
                        size
                    };
                    shape.align = shape.align.max(align.min(self.word));
                    shape.leaves.push(Leaf {
                        offset: at,
                        size,
                        path,
                        float: t.float,
                        complex: t.complex,
                    });
                }
                Some(size)
            }
        }
    }
}

/// The pieces of a location expression: those in the frame (offset in the
/// variable, size, offset from the CFA) and those in registers (offset in
/// the variable, size, DWARF register number).
#[allow(clippy::type_complexity)]
fn pieces(
    mut bytes: EndianSlice<'_, RunTimeEndian>,
    encoding: gimli::Encoding,
) -> (Vec<(u64, Option<u64>, i64)>, Vec<(u64, Option<u64>, u16)>) {
    let mut pieces = Vec::new();
    let mut regs = Vec::new();
    let mut at: Option<i64> = None;
    let mut reg: Option<u16> = None;
    let mut constant: Option<i64> = None;
    let mut var_offset = 0u64;
    let mut ended_with_piece = false;
    while !bytes.is_empty() {
        let Ok(op) = Operation::parse(&mut bytes, encoding) else {
            return (pieces, regs);
        };
        ended_with_piece = false;
        match op {
            Operation::CallFrameCFA => at = Some(0),
            Operation::FrameOffset { offset } => at = Some(offset),
            Operation::PlusConstant { value } => at = at.map(|a| a.wrapping_add(value as i64)),
            Operation::UnsignedConstant { value } => constant = Some(value as i64),
            Operation::SignedConstant { value } => constant = Some(value),
            Operation::Plus => at = at.zip(constant.take()).map(|(a, c)| a.wrapping_add(c)),
            Operation::Minus => at = at.zip(constant.take()).map(|(a, c)| a.wrapping_sub(c)),
            Operation::Register { register } => reg = Some(register.0),
            Operation::Piece { size_in_bits, .. } => {
                let size = size_in_bits / 8;
                if let Some(a) = at.take() {
                    pieces.push((var_offset, Some(size), a));
                }
                if let Some(r) = reg.take() {
                    regs.push((var_offset, Some(size), r));
                }
                var_offset += size;
                ended_with_piece = true;
            }
            _ => {
                at = None;
                reg = None;
            }
        }
    }
    if !ended_with_piece {
        if let Some(a) = at {
            pieces.push((var_offset, None, a));
        }
        if let Some(r) = reg {
            regs.push((var_offset, None, r));
        }
    }
    (pieces, regs)
}

/// A member's offset: a constant (what Go writes), or the DWARF 2 form
/// `DW_OP_plus_uconst n` as a block or expression.
fn member_location(value: AttributeValue<EndianSlice<'_, RunTimeEndian>>) -> Option<u64> {
    let mut bytes = match value {
        AttributeValue::Exprloc(e) => e.0,
        AttributeValue::Block(b) => b,
        AttributeValue::Sdata(n) => return u64::try_from(n).ok(),
        v => return v.udata_value(),
    };
    if bytes.read_u8().ok()? != gimli::DW_OP_plus_uconst.0 {
        return None;
    }
    let n = bytes.read_uleb128().ok()?;
    bytes.is_empty().then_some(n)
}
