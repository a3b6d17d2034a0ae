//! Loads a linked Go executable: its ELF segments into memory, its symbols
//! into an [`Image`], every function decoded once.

use std::collections::HashMap;

use gostack_listing::Listing;
use object::{Object, ObjectSegment, ObjectSymbol, SegmentFlags, SymbolKind};

use crate::Arch;
use crate::image::{Image, LoadError, Sym, SymClass};
use crate::mem::Memory;

/// What the loader learnt from the executable beyond its symbols.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// The ELF entry point.
    pub(crate) entry: u64,
    /// The first page above every segment: where `brk` starts.
    pub(crate) end: u64,
}

/// A page of the emulated machine.
pub(crate) const PAGE: u64 = 4096;

/// Rounds `v` up to a whole page.
pub(crate) fn page_up(v: u64) -> u64 {
    v.div_ceil(PAGE) * PAGE
}

/// Maps the executable's loadable segments into `mem` and builds the image:
/// every symbol, functions decoded, and package `main`'s functions tied to
/// their listing entries so locations show the listing's text and lines.
pub(crate) fn load(
    bytes: &[u8],
    arch: Arch,
    listing: &Listing,
    mem: &mut Memory,
) -> Result<(Image, Loaded), LoadError> {
    let bad = |what: String| LoadError::BadExecutable(what);
    let file = object::File::parse(bytes).map_err(|e| bad(e.to_string()))?;
    let expected = match arch {
        Arch::Amd64 => object::Architecture::X86_64,
        Arch::I386 => object::Architecture::I386,
    };
    if file.format() != object::BinaryFormat::Elf || file.architecture() != expected {
        return Err(bad(format!(
            "expected a Linux {arch} ELF executable, found {:?} for {:?}",
            file.format(),
            file.architecture()
        )));
    }
    let mut end = 0;
    let mut text_range = None;
    for seg in file.segments() {
        let SegmentFlags::Elf { p_flags } = seg.flags() else {
            continue;
        };
        let (addr, size) = (seg.address(), seg.size());
        if size == 0 {
            continue;
        }
        let base = addr & !(PAGE - 1);
        let len = page_up(addr + size) - base;
        let writable = p_flags & object::elf::PF_W != 0;
        let exec = p_flags & object::elf::PF_X != 0;
        let name = if exec {
            "text"
        } else if writable {
            "data"
        } else {
            "rodata"
        };
        mem.map(base, len as usize, writable, name);
        let data = seg.data().map_err(|e| bad(e.to_string()))?;
        mem.poke(addr, data)
            .map_err(|_| bad("a segment's file bytes exceed it".into()))?;
        if exec {
            text_range = Some((base, base + len));
        }
        end = end.max(base + len);
    }
    let (text_base, text_end) = text_range.ok_or_else(|| bad("no executable segment".into()))?;

    let listed: HashMap<&str, usize> = listing
        .symbols
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut symbols: Vec<Sym> = Vec::new();
    let mut by_name = HashMap::new();
    for sym in file.symbols() {
        let Ok(name) = sym.name() else { continue };
        let class = match sym.kind() {
            SymbolKind::Text => SymClass::Func,
            SymbolKind::Data => SymClass::Data,
            _ => continue,
        };
        if name.is_empty() || sym.address() == 0 {
            continue;
        }
        // Assembly functions carry their ABI in the symbol (`runtime.goexit.abi0`);
        // Go's own tracebacks name them without it.
        let name = name.strip_suffix(".abi0").unwrap_or(name);
        by_name.insert(name.to_string(), sym.address());
        symbols.push(Sym {
            name: name.to_string(),
            addr: sym.address(),
            size: sym.size(),
            class,
            listing_index: listed.get(name).copied(),
        });
    }
    // Sorted by address; of symbols at one address the one with a size first.
    symbols.sort_by(|a, b| a.addr.cmp(&b.addr).then(b.size.cmp(&a.size)));
    symbols.dedup_by_key(|s| s.addr);
    if !by_name.contains_key("main.main") {
        return Err(LoadError::NoMain);
    }
    let mut image = Image {
        symbols,
        by_name,
        code: std::sync::Arc::new(Vec::new()),
        code_index: Vec::new(),
        later: Vec::new(),
        links_later: Vec::new(),
        arch,
        text_base,
        text_end,
    };
    image.decode(arch, mem);
    Ok((
        image,
        Loaded {
            entry: file.entry(),
            end,
        },
    ))
}
