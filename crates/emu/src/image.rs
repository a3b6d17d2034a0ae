//! The loaded program: every symbol of the executable with its address,
//! and its functions decoded once.

use std::collections::HashMap;

use gostack_listing::{Func, Listing, Pos};

use crate::debuginfo::DebugInfo;
use iced_x86::{Decoder, DecoderOptions, Instruction};

use crate::Arch;
use crate::decode::{Decoded, NOWHERE, stub};
use crate::mem::Memory;

/// The loaded program: addresses of every symbol and the decoded code.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    /// Every symbol with an address, sorted by address.
    pub(crate) symbols: Vec<Sym>,
    /// Address of each symbol by name.
    pub(crate) by_name: HashMap<String, u64>,
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
    /// A function.
    Func,
    /// Data.
    Data,
}

/// A named address.
#[derive(Debug, Clone)]
pub(crate) struct Sym {
    pub(crate) name: String,
    pub(crate) addr: u64,
    pub(crate) size: u64,
    pub(crate) class: SymClass,
    /// Index in the listing's symbols, for package main's own symbols.
    pub(crate) listing_index: Option<usize>,
}

impl Sym {
    /// The listing's name and code of this symbol when it is a function of
    /// package main: what tells package code from the runtime's.
    pub(crate) fn package_func<'l>(&self, listing: &'l Listing) -> Option<(&'l str, &'l Func)> {
        let s = &listing.symbols[self.listing_index?];
        Some((&s.name, s.func.as_ref()?))
    }
}

/// A reason the listing cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The executable is not an ELF file this emulator can run.
    #[error("the executable cannot be loaded: {0}")]
    BadExecutable(String),
    /// The executable has no `main.main`.
    #[error("the executable has no main.main: gostack runs whole programs of package main")]
    NoMain,
    /// The arguments and environment are more than Linux would start a program with.
    #[error("the program cannot start: its arguments and environment are too big (E2BIG): {0}")]
    TooBig(String),
}

impl Image {
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
                code.push(stub(ins));
            }
        }
        for d in &mut code {
            d.next_index = self.index_of(d.next);
            d.target_index = self.index_of(d.target);
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

    /// The index in `code` of the instruction at `pc`, or [`NOWHERE`].
    #[inline]
    pub(crate) fn index_of(&self, pc: u64) -> u32 {
        let off = pc.wrapping_sub(self.text_base);
        self.code_index
            .get(off as usize)
            .copied()
            .unwrap_or(NOWHERE)
    }

    /// The decoded instruction at `pc` in the package's code.
    #[inline]
    pub(crate) fn instr(&self, pc: u64) -> Option<&Instruction> {
        let off = pc.checked_sub(self.text_base)? as usize;
        let i = *self.code_index.get(off)?;
        self.code.get(i as usize).map(|d| &d.ins)
    }
}

impl crate::Location {
    /// Where `pc` is in the loaded program: the symbol holding it, and the
    /// line and assembly text `listed` gives for a package instruction
    /// (its symbol and offset), else the DWARF line.
    pub(crate) fn of(
        image: &Image,
        debug: &DebugInfo,
        pc: u64,
        listed: impl FnOnce(&Sym, u64) -> Option<(Option<Pos>, String)>,
    ) -> crate::Location {
        let Some(sym) = image.symbol_at(pc) else {
            return crate::Location {
                pc,
                func: format!("{pc:#x}"),
                offset: 0,
                pos: None,
                asm: String::new(),
            };
        };
        let offset = pc - sym.addr;
        let (mut pos, asm) = listed(sym, offset).unwrap_or_default();
        if pos.is_none() {
            pos = debug.line(pc).map(|(file, line)| Pos { file, line });
        }
        crate::Location {
            pc,
            func: sym.name.clone(),
            offset,
            pos,
            asm,
        }
    }
}
