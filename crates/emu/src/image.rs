//! The loaded program: every symbol of the executable with its address,
//! and its functions, each decoded when first run.

use std::collections::HashMap;

use gostack_listing::{Func, Listing, Pos};

use crate::debuginfo::DebugInfo;
use iced_x86::{Decoder, DecoderOptions, Instruction};

use crate::Arch;
use crate::decode::{Decoded, NOWHERE, mark_groups, stub};

/// The index of every byte of a function not decoded yet: like
/// [`NOWHERE`] it is past the code, so the step loop finds no instruction
/// there, and has the function decoded.
pub(crate) const LATER: u32 = u32::MAX - 1;
use crate::mem::Memory;

/// The loaded program: addresses of every symbol and the decoded code.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    /// Every symbol with an address, sorted by address.
    pub(crate) symbols: Vec<Sym>,
    /// Address of each symbol by name.
    pub(crate) by_name: HashMap<String, u64>,
    /// The instructions of the functions decoded so far, each decoded once.
    pub(crate) code: std::sync::Arc<Vec<Decoded>>,
    /// For each byte of the text range, the index in `code` of the
    /// instruction starting there, [`NOWHERE`], or [`LATER`].
    pub(crate) code_index: Vec<u32>,
    /// Functions decoded while the code was shared: their instructions, numbered after it.
    pub(crate) later: Vec<Decoded>,
    /// The instructions whose next instruction or branch target was in a
    /// function not decoded yet, relinked as functions join the code.
    pub(crate) links_later: Vec<u32>,
    /// The GOARCH the code is decoded for.
    pub(crate) arch: Arch,
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
    /// Prepares the code: package main's functions are decoded now, every
    /// other function when the program first runs it ([`Image::decode_function`]).
    pub(crate) fn decode(&mut self, arch: Arch, mem: &mut Memory) {
        let base = self.text_base;
        let len = (self.text_end - base) as usize;
        self.arch = arch;
        self.code_index = vec![NOWHERE; len];
        for sym in self.symbols.iter().filter(|s| s.class == SymClass::Func) {
            let start = (sym.addr - base) as usize;
            if let Some(bytes) = self.code_index.get_mut(start..start + sym.size as usize) {
                bytes.fill(LATER);
            }
        }
        let package: Vec<u64> = self
            .symbols
            .iter()
            .filter(|s| s.class == SymClass::Func && s.listing_index.is_some())
            .map(|s| s.addr)
            .collect();
        for addr in package {
            self.decode_function(addr, mem);
        }
        self.join_later();
    }

    /// The instructions decoded since the code was last joined, by index:
    /// those of [`Image::later`].
    pub(crate) fn later(&self, index: u32) -> Option<&Decoded> {
        self.later
            .get((index as usize).checked_sub(self.code.len())?)
    }

    /// Puts the functions decoded since the last time at the end of the
    /// code, and links to them the instructions that lead there.
    pub(crate) fn join_later(&mut self) {
        if self.later.is_empty() {
            return;
        }
        let code = std::sync::Arc::make_mut(&mut self.code);
        code.append(&mut self.later);
        let (base, code_index) = (self.text_base, &self.code_index);
        self.links_later
            .retain(|&i| link(&mut code[i as usize], code_index, base));
    }

    /// Decodes the function holding `pc`, if it is not decoded yet: its
    /// instructions wait in `later`, numbered after the code, until
    /// [`Image::join_later`] (the step loop shares the code while it runs). A
    /// link into a function not decoded yet says [`LATER`]: the step loop
    /// looks again when it follows it. False when there is nothing to decode at `pc`.
    pub(crate) fn decode_function(&mut self, pc: u64, mem: &mut Memory) -> bool {
        let base = self.text_base;
        if self.index_of(pc) != LATER {
            return false;
        }
        let Some(sym) = self
            .symbol_at(pc)
            .filter(|s| s.class == SymClass::Func && self.index_of(s.addr) == LATER)
        else {
            // Not in a function after all: no instruction here.
            self.code_index[(pc - base) as usize] = NOWHERE;
            return false;
        };
        let (addr, size) = (sym.addr, sym.size as usize);
        let Ok(bytes) = mem.slice(addr, size).map(<[u8]>::to_vec) else {
            return false;
        };
        let start = (addr - base) as usize;
        self.code_index[start..start + size].fill(NOWHERE);
        let first = self.later.len();
        let mut decoder = Decoder::with_ip(
            crate::bitness(self.arch),
            &bytes,
            addr,
            DecoderOptions::NONE,
        );
        while decoder.can_decode() {
            let ins = decoder.decode();
            self.code_index[(ins.ip() - base) as usize] =
                (self.code.len() + self.later.len()) as u32;
            self.later.push(stub(ins));
        }
        mark_groups(&mut self.later[first..]);
        let number = self.code.len() + first;
        for (k, d) in self.later[first..].iter_mut().enumerate() {
            if link(d, &self.code_index, base) {
                self.links_later.push((number + k) as u32);
            }
        }
        true
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
        index_in(&self.code_index, self.text_base, pc)
    }

    /// The decoded instruction at `pc` in the package's code.
    #[inline]
    pub(crate) fn instr(&self, pc: u64) -> Option<&Instruction> {
        let off = pc.checked_sub(self.text_base)? as usize;
        let i = *self.code_index.get(off)?;
        self.code.get(i as usize).map(|d| &d.ins)
    }
}

/// The index in the code of the instruction at `pc`, by `code_index`
/// (which starts at `base`): [`NOWHERE`] outside it.
fn index_in(code_index: &[u32], base: u64, pc: u64) -> u32 {
    let off = pc.wrapping_sub(base);
    code_index.get(off as usize).copied().unwrap_or(NOWHERE)
}

/// Sets where `d`'s next instruction and branch target are in the code;
/// true when one of them is in a function not decoded yet.
fn link(d: &mut Decoded, code_index: &[u32], base: u64) -> bool {
    d.next_index = index_in(code_index, base, d.next);
    d.target_index = index_in(code_index, base, d.target);
    d.next_index == LATER || d.target_index == LATER
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
