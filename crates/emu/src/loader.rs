//! Lays a listing out in memory at fixed addresses and applies its relocations.
//!
//! The package's own code and data come from the listing's bytes. Every
//! symbol the listing refers to but does not define is external: a function
//! gets a stub address in an unmapped range (executing it runs the runtime
//! model of that name), a data object gets memory if the runtime model knows
//! its contents, and otherwise an address in an unmapped range, so reading it
//! stops the run with its name instead of returning a guess.

use std::collections::HashMap;

use gostack_listing::{Listing, SymKind};
use iced_x86::{Decoder, DecoderOptions, Instruction};

use crate::Arch;
use crate::decode::{Decoded, decode};
use crate::mem::Memory;
use crate::runtime::facts::Facts;

/// Where external functions' stubs live: `STUB_BASE + i * STUB_SPACING`.
pub(crate) const STUB_BASE: u64 = 0x0010_0000;
/// Distance between two stubs; return addresses into a model use the offsets in between.
pub(crate) const STUB_SPACING: u64 = 0x1000;
/// The package's code.
pub(crate) const TEXT_BASE: u64 = 0x0040_0000;
/// The package's data, read-only data first.
pub(crate) const DATA_BASE: u64 = 0x0060_0000;
/// External data whose contents the runtime model provides.
pub(crate) const EXT_BASE: u64 = 0x0080_0000;
/// External data whose contents are not modelled: never mapped.
pub(crate) const OPAQUE_BASE: u64 = 0x0090_0000;
const OPAQUE_SPACING: u64 = 0x100;

/// The loaded program: addresses of every symbol and the decoded code.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    /// Every symbol with an address, sorted by address.
    pub(crate) symbols: Vec<Sym>,
    /// Address of each symbol by name.
    pub(crate) by_name: HashMap<String, u64>,
    /// Names of external functions by stub number.
    pub(crate) stubs: Vec<String>,
    /// The package's instructions, decoded once.
    pub(crate) code: std::sync::Arc<[Decoded]>,
    /// For each byte of the text range, the index in `code` of the instruction starting there.
    pub(crate) code_index: Vec<u32>,
    /// Start of the decoded text: where `code_index` begins.
    pub(crate) text_base: u64,
    /// End of the decoded text.
    pub(crate) text_end: u64,
}

/// What a symbol with an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SymClass {
    /// A function of the package.
    Func,
    /// Data of the package.
    Data,
    /// A function outside the package: runs a runtime model.
    Stub,
    /// Data outside the package whose contents the runtime model provides.
    ExtData,
    /// Data outside the package whose contents are not modelled.
    Opaque,
}

/// A named address.
#[derive(Debug, Clone)]
pub(crate) struct Sym {
    pub(crate) name: String,
    pub(crate) addr: u64,
    pub(crate) size: u64,
    pub(crate) class: SymClass,
    /// Index in the listing's symbols, for the package's own symbols.
    pub(crate) listing_index: Option<usize>,
}

/// A reason the listing cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// A relocation type the loader does not apply.
    #[error("relocation {kind} at {symbol}+{offset} (to {target}) is not supported")]
    UnsupportedReloc {
        /// The symbol holding the relocation.
        symbol: String,
        /// Offset of the field.
        offset: u32,
        /// The relocation type.
        kind: String,
        /// Its target.
        target: String,
    },
    /// The runtime of this Go version and GOARCH has not been measured.
    #[error(
        "the runtime of Go 1.{go_minor} for {arch} has not been measured, so its frames cannot be laid out: \
         run `cargo xtask runtime-frames --write` with a Go 1.{go_minor} version added"
    )]
    RuntimeNotMeasured {
        /// The Go minor version of the listing.
        go_minor: u32,
        /// The GOARCH.
        arch: Arch,
    },
    /// The executable is not an ELF file this emulator can run.
    #[error("the executable cannot be loaded: {0}")]
    BadExecutable(String),
    /// The listing has no `main.main`.
    #[error("the listing has no main.main: gostack runs whole programs of package main")]
    NoMain,
}

/// External data objects whose contents the runtime model provides, with their sizes.
fn modelled_data_size(name: &str, arch: Arch) -> Option<u64> {
    let word = arch.word();
    Some(match name {
        "runtime.writeBarrier" => 16,
        "runtime.zerobase" => 8,
        "runtime.staticuint64s" => 256 * 8,
        "os.Stdout" | "os.Stderr" | "os.Stdin" => word,
        "runtime.x86HasPOPCNT" | "runtime.x86HasSSE41" | "runtime.x86HasFMA" => 1,
        "internal/cpu.X86" => 64,
        // Run-time error values and errors.New/fmt.Errorf results: their type
        // descriptors (the header only) and the itab that makes them an error.
        "runtime.zeroVal" => 1024,
        crate::runtime::errors::RUNTIME_ERROR_TYPE
        | crate::runtime::errors::PLAIN_ERROR_TYPE
        | crate::runtime::errors::ERROR_STRING_TYPE
        | crate::runtime::errors::WRAP_ERROR_TYPE => crate::runtime::types::header_size(arch),
        crate::runtime::errors::ERROR_STRING_ITAB | crate::runtime::errors::WRAP_ERROR_ITAB => {
            4 * word
        }
        name if crate::runtime::errors::static_error(name).is_some() => {
            let text = crate::runtime::errors::static_error(name).unwrap_or_default();
            2 * word + text.len() as u64
        }
        _ => return None,
    })
}

fn is_data_name(name: &str) -> bool {
    name.starts_with("type:")
        || name.starts_with("type.")
        || name.starts_with("go:")
        || name.starts_with("go.")
        || name.starts_with("gclocals")
        || name == "TLS"
}

impl Image {
    /// Lays out `listing` in `mem` and returns the image, with a stub for
    /// every runtime function the models call or lay frames out for.
    pub(crate) fn load(
        listing: &Listing,
        arch: Arch,
        facts: &Facts,
        mem: &mut Memory,
    ) -> Result<Image, LoadError> {
        let mut symbols = Vec::new();
        let mut by_name = HashMap::new();
        let mut text = TEXT_BASE;
        let mut data = DATA_BASE;
        let loaded = |k: &SymKind| !matches!(k, SymKind::Other(_));
        // Read-only data first, then writable data, as the linker does.
        let mut order: Vec<usize> = (0..listing.symbols.len()).collect();
        order.sort_by_key(|&i| match listing.symbols[i].kind {
            SymKind::Text => 0,
            SymKind::RoData => 1,
            _ => 2,
        });
        for i in order {
            let s = &listing.symbols[i];
            if !loaded(&s.kind) || by_name.contains_key(&s.name) {
                continue;
            }
            let size = s.size.max(s.data.len() as u64);
            let (addr, class) = if s.kind == SymKind::Text {
                let addr = text;
                text = (text + size + 31) & !31;
                (addr, SymClass::Func)
            } else {
                let align = s.align.filter(|&a| a > 0).unwrap_or(8).max(arch.word());
                data = (data + align - 1) & !(align - 1);
                let addr = data;
                data += size.max(1);
                (addr, SymClass::Data)
            };
            by_name.insert(s.name.clone(), addr);
            symbols.push(Sym {
                name: s.name.clone(),
                addr,
                size,
                class,
                listing_index: Some(i),
            });
        }
        if !by_name.contains_key("main.main") {
            return Err(LoadError::NoMain);
        }
        mem.map(TEXT_BASE, (text - TEXT_BASE).max(1) as usize, false, "text");
        mem.map(
            DATA_BASE,
            ((data - DATA_BASE + 4095) & !4095).max(4096) as usize,
            true,
            "data",
        );

        // External symbols, in order of first reference so addresses are deterministic.
        let mut stubs = Vec::new();
        let mut ext = EXT_BASE;
        let mut opaque = OPAQUE_BASE;
        let mut add_external =
            |name: &str, call: bool, symbols: &mut Vec<Sym>, by_name: &mut HashMap<String, u64>| {
                if by_name.contains_key(name) {
                    return;
                }
                let (addr, size, class) = if let Some(size) = modelled_data_size(name, arch) {
                    let addr = ext;
                    ext += (size + 15) & !15;
                    (addr, size, SymClass::ExtData)
                } else if call || !is_data_name(name) {
                    let addr = STUB_BASE + stubs.len() as u64 * STUB_SPACING;
                    stubs.push(name.to_string());
                    (addr, STUB_SPACING, SymClass::Stub)
                } else {
                    let addr = opaque;
                    opaque += OPAQUE_SPACING;
                    (addr, OPAQUE_SPACING, SymClass::Opaque)
                };
                by_name.insert(name.to_string(), addr);
                symbols.push(Sym {
                    name: name.to_string(),
                    addr,
                    size,
                    class,
                    listing_index: None,
                });
            };
        // The models call these by name even when the package does not.
        for name in [
            "runtime.main",
            "runtime.doInit1",
            "runtime.goexit",
            "runtime.gopanic",
            crate::runtime::errors::ERROR_METHOD,
        ]
        .into_iter()
        .chain(facts.functions())
        .chain([crate::runtime::errors::WRAP_ERROR_METHOD])
        {
            add_external(name, true, &mut symbols, &mut by_name);
        }
        for name in [
            "runtime.staticuint64s",
            "os.Stdout",
            "os.Stderr",
            "runtime.zeroVal",
            crate::runtime::errors::RUNTIME_ERROR_TYPE,
            crate::runtime::errors::PLAIN_ERROR_TYPE,
            crate::runtime::errors::ERROR_STRING_TYPE,
            crate::runtime::errors::ERROR_STRING_ITAB,
            crate::runtime::errors::WRAP_ERROR_TYPE,
            crate::runtime::errors::WRAP_ERROR_ITAB,
        ]
        .into_iter()
        .chain(
            crate::runtime::errors::STATIC_ERRORS
                .iter()
                .map(|(name, _)| *name),
        ) {
            add_external(name, false, &mut symbols, &mut by_name);
        }
        for s in &listing.symbols {
            if !loaded(&s.kind) {
                continue;
            }
            for r in &s.relocs {
                if !r.target.is_empty() && r.size > 0 {
                    add_external(&r.target, r.kind == "R_CALL", &mut symbols, &mut by_name);
                }
            }
        }
        mem.map(
            EXT_BASE,
            ((ext - EXT_BASE + 4095) & !4095).max(4096) as usize,
            true,
            "runtime data",
        );
        symbols.sort_by_key(|s| s.addr);

        let mut image = Image {
            symbols,
            by_name,
            stubs,
            code: std::sync::Arc::from(Vec::new()),
            code_index: Vec::new(),
            text_base: TEXT_BASE,
            text_end: text,
        };
        image.fill(listing, arch, mem)?;
        image.decode(arch, mem);
        Ok(image)
    }

    /// Copies every symbol's bytes into memory and applies the relocations.
    fn fill(&self, listing: &Listing, arch: Arch, mem: &mut Memory) -> Result<(), LoadError> {
        for sym in self.symbols.iter().filter(|s| s.listing_index.is_some()) {
            let s = &listing.symbols[sym.listing_index.unwrap_or_default()];
            mem.poke(sym.addr, &s.data)
                .expect("symbol lies in its region");
            for r in s.relocs.iter().filter(|r| r.size > 0) {
                let p = sym.addr + u64::from(r.offset);
                let target = self.by_name.get(&r.target).copied().unwrap_or(0);
                let s_a = target.wrapping_add(r.addend as u64);
                let value = match r.kind.as_str() {
                    "R_ADDR" | "R_WEAKADDR" => s_a,
                    "R_CALL" | "R_PCREL" => s_a.wrapping_sub(p + u64::from(r.size)),
                    "R_ADDROFF" | "R_WEAKADDROFF" => s_a.wrapping_sub(DATA_BASE),
                    "R_METHODOFF" => s_a.wrapping_sub(TEXT_BASE),
                    // The thread-local slot of g sits just below the TLS base.
                    "R_TLS_LE" if arch == Arch::I386 => (-4i64) as u64,
                    _ => {
                        return Err(LoadError::UnsupportedReloc {
                            symbol: s.name.clone(),
                            offset: r.offset,
                            kind: r.kind.clone(),
                            target: r.target.clone(),
                        });
                    }
                };
                let bytes = value.to_le_bytes();
                mem.poke(p, &bytes[..usize::from(r.size).min(8)])
                    .expect("relocation inside its symbol");
            }
        }
        Ok(())
    }

    /// Decodes every function once.
    pub(crate) fn decode(&mut self, arch: Arch, mem: &mut Memory) {
        let base = self.text_base;
        let len = (self.text_end - base) as usize;
        self.code_index = vec![u32::MAX; len];
        let mut code = Vec::new();
        let text = mem.slice(base, len).expect("text is mapped").to_vec();
        for sym in self.symbols.iter().filter(|s| s.class == SymClass::Func) {
            let start = (sym.addr - base) as usize;
            let Some(bytes) = text.get(start..start + sym.size as usize) else {
                continue;
            };
            let mut decoder =
                Decoder::with_ip(crate::bitness(arch), bytes, sym.addr, DecoderOptions::NONE);
            while decoder.can_decode() {
                let ins = decoder.decode();
                self.code_index[(ins.ip() - base) as usize] = code.len() as u32;
                code.push(decode(ins, arch));
            }
        }
        self.code = code.into();
    }

    /// The symbol whose range holds `addr`.
    pub(crate) fn symbol_at(&self, addr: u64) -> Option<&Sym> {
        let i = self.symbols.partition_point(|s| s.addr <= addr);
        let s = self.symbols.get(i.checked_sub(1)?)?;
        (addr < s.addr + s.size.max(1)).then_some(s)
    }

    /// The address of a symbol.
    pub(crate) fn addr(&self, name: &str) -> Option<u64> {
        self.by_name.get(name).copied()
    }

    /// The index in `code` of the instruction at `pc`, if `pc` starts one of the package's.
    #[inline]
    pub(crate) fn code_at(&self, pc: u64) -> Option<usize> {
        let off = pc.wrapping_sub(self.text_base);
        match self.code_index.get(off as usize) {
            Some(&i) if i != u32::MAX => Some(i as usize),
            _ => None,
        }
    }

    /// The decoded instruction at `pc` in the package's code.
    #[inline]
    pub(crate) fn instr(&self, pc: u64) -> Option<&Instruction> {
        let off = pc.checked_sub(self.text_base)? as usize;
        let i = *self.code_index.get(off)?;
        self.code.get(i as usize).map(|d| &d.ins)
    }

    /// The external function whose stub range holds `pc`, and the offset in it.
    pub(crate) fn stub_at(&self, pc: u64) -> Option<(&str, u64)> {
        let off = pc.checked_sub(STUB_BASE)?;
        let name = self.stubs.get((off / STUB_SPACING) as usize)?;
        Some((name, off % STUB_SPACING))
    }

    /// The address of an external function's stub.
    pub(crate) fn stub_addr(&self, name: &str) -> Option<u64> {
        self.stubs
            .iter()
            .position(|s| s == name)
            .map(|i| STUB_BASE + i as u64 * STUB_SPACING)
    }
}
