//! The emulated address space: regions that never overlap, kept sorted by address.
//!
//! A region's bytes are allocated zeroed when it is mapped; the host hands
//! out untouched zero pages lazily, so a large mapping the program never
//! touches costs address space, not memory.

/// A memory access outside every mapped region, or a write to read-only memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fault {
    pub(crate) addr: u64,
    pub(crate) write: bool,
}

/// One mapped range of addresses.
#[derive(Debug, Clone)]
pub(crate) struct Region {
    pub(crate) base: u64,
    pub(crate) data: Vec<u8>,
    pub(crate) writable: bool,
    pub(crate) name: String,
}

impl Region {
    pub(crate) fn end(&self) -> u64 {
        self.base + self.data.len() as u64
    }

    /// Whether the region holds all of `addr..addr + len`.
    fn holds(&self, addr: u64, len: usize) -> bool {
        addr >= self.base
            && addr
                .checked_add(len as u64)
                .is_some_and(|e| e <= self.end())
    }
}

/// The emulated memory: regions sorted by base that never overlap. An
/// access of 8 bytes or fewer first tries the region the last one hit,
/// kept flat in [`Hot`]; any other access looks its page up in a small
/// table of the regions pages were found in, then searches.
#[derive(Debug, Clone, Default)]
pub(crate) struct Memory {
    regions: Vec<Region>,
    /// For each page number modulo [`PAGES`], the last page met there and
    /// the index of its region: a hint, checked against the region before
    /// it is used. Empty until the first lookup.
    pages: Vec<(u64, usize)>,
    /// The region the last access hit.
    hot: Hot,
    /// The two regions read aside last ([`Memory::read_aside`]), the latest first.
    aside: [Hot; 2],
    /// Whether every write takes the long way (a traced run records them
    /// there): no region is writable as the hot one.
    cold_writes: bool,
    /// Bytes mapped in all.
    mapped: u64,
    /// The bytes of mappings made inaccessible (`mprotect(PROT_NONE)`),
    /// sorted: not mapped, so any access faults, and kept, as Linux keeps
    /// them, for when access is allowed again.
    hidden: Vec<Region>,
}

/// The region the last access hit. An access there checks only that its
/// 8 bytes lie inside the region's bytes, and moves exactly its own bytes:
/// a wider one would defeat the host's store-to-load forwarding when the
/// program reads back what it just wrote (386 stack slots are 4 bytes).
#[derive(Debug, Clone, Copy)]
struct Hot {
    base: u64,
    /// Index in `regions`, or `usize::MAX` for none.
    index: usize,
    /// `index` if the region is writable, else `usize::MAX`.
    write_index: usize,
}

impl Default for Hot {
    fn default() -> Hot {
        Hot {
            base: 0,
            index: usize::MAX,
            write_index: usize::MAX,
        }
    }
}

/// The entries of [`Memory::pages`]; a power of two.
const PAGES: usize = 512;

impl Memory {
    /// Sends every write the long way from now on.
    pub(crate) fn write_cold_always(&mut self) {
        self.cold_writes = true;
        self.cool();
    }

    /// Forgets the hot region and the page table (indexes change).
    fn cool(&mut self) {
        self.hot = Hot::default();
        self.aside = [Hot::default(); 2];
        self.pages.clear();
    }

    /// Maps `len` zero bytes at `base`, replacing whatever was mapped there.
    pub(crate) fn map(&mut self, base: u64, len: usize, writable: bool, name: &str) {
        if len == 0 {
            return;
        }
        self.unmap_range(base, len as u64);
        let at = self.regions.partition_point(|r| r.base < base);
        self.regions.insert(
            at,
            Region {
                base,
                data: vec![0; len],
                writable,
                name: name.to_string(),
            },
        );
        self.mapped += len as u64;
        self.cool();
    }

    /// The mapped regions, by address.
    pub(crate) fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Bytes mapped in all.
    pub(crate) fn mapped(&self) -> u64 {
        self.mapped
    }

    /// Unmaps every byte in `base..base + len`, cutting regions that reach
    /// into the range (their bytes outside it stay); the inaccessible bytes
    /// kept there go too.
    pub(crate) fn unmap_range(&mut self, base: u64, len: u64) {
        let gone = take_range(&mut self.regions, base, len);
        self.mapped -= gone.iter().map(|r| r.data.len() as u64).sum::<u64>();
        take_range(&mut self.hidden, base, len);
        self.cool();
    }

    /// Sets every mapped byte of `base..base + len` to zero, inaccessible ones too.
    pub(crate) fn zero(&mut self, base: u64, len: u64) {
        let end = base.saturating_add(len);
        for list in [&mut self.regions, &mut self.hidden] {
            let first = list.partition_point(|r| r.end() <= base);
            for r in &mut list[first..] {
                if r.base >= end {
                    break;
                }
                let from = (base.max(r.base) - r.base) as usize;
                let to = (end.min(r.end()) - r.base) as usize;
                r.data[from..to].fill(0);
            }
        }
    }

    /// The parts of `base..base + len` that hold no bytes, accessible or
    /// not: start and length of each.
    pub(crate) fn absent(&self, base: u64, len: u64) -> Vec<(u64, u64)> {
        let end = base.saturating_add(len);
        let mut held: Vec<(u64, u64)> = self
            .regions
            .iter()
            .chain(&self.hidden)
            .filter(|r| r.base < end && r.end() > base)
            .map(|r| (r.base.max(base), r.end().min(end)))
            .collect();
        held.sort_unstable();
        let mut gaps = Vec::new();
        let mut at = base;
        for (from, to) in held {
            if from > at {
                gaps.push((at, from - at));
            }
            at = at.max(to);
        }
        if at < end {
            gaps.push((at, end - at));
        }
        gaps
    }

    /// Makes what is mapped of `base..base + len` inaccessible: every access
    /// faults until [`Memory::protect`] allows it again, and the bytes stay.
    pub(crate) fn hide(&mut self, base: u64, len: u64) {
        let pieces = take_range(&mut self.regions, base, len);
        self.mapped -= pieces.iter().map(|r| r.data.len() as u64).sum::<u64>();
        for piece in pieces {
            let at = self.hidden.partition_point(|r| r.base < piece.base);
            self.hidden.insert(at, piece);
        }
        self.cool();
    }

    /// Makes `base..base + len` read-only or writable, where it is mapped or
    /// was made inaccessible.
    pub(crate) fn protect(&mut self, base: u64, len: u64, writable: bool) {
        for piece in take_range(&mut self.hidden, base, len) {
            self.map(piece.base, piece.data.len(), writable, &piece.name);
            let i = self.regions.partition_point(|r| r.base < piece.base);
            self.regions[i].data.copy_from_slice(&piece.data);
        }
        let end = base.saturating_add(len);
        let inside: Vec<(u64, Vec<u8>, String)> = self
            .regions
            .iter()
            .filter(|r| r.base < end && r.end() > base && r.writable != writable)
            .map(|r| {
                let from = base.max(r.base);
                let to = end.min(r.end());
                let bytes = r.data[(from - r.base) as usize..(to - r.base) as usize].to_vec();
                (from, bytes, r.name.clone())
            })
            .collect();
        for (from, bytes, name) in inside {
            self.map(from, bytes.len(), writable, &name);
            let i = self.regions.partition_point(|r| r.base < from);
            self.regions[i].data.copy_from_slice(&bytes);
        }
    }

    /// The region holding all of `addr..addr + len`, by binary search.
    fn index_of(&self, addr: u64, len: usize) -> Option<usize> {
        let i = self
            .regions
            .partition_point(|r| r.base <= addr)
            .checked_sub(1)?;
        self.regions[i].holds(addr, len).then_some(i)
    }

    /// The region holding all of `addr..addr + len`: the one its page
    /// was found in last, or by binary search.
    fn find(&mut self, addr: u64, len: usize) -> Option<usize> {
        let page = addr >> 12;
        let slot = page as usize & (PAGES - 1);
        if let Some(&(p, i)) = self.pages.get(slot)
            && p == page
            && self.regions.get(i).is_some_and(|r| r.holds(addr, len))
        {
            return Some(i);
        }
        let i = self.index_of(addr, len)?;
        if self.pages.is_empty() {
            self.pages = vec![(u64::MAX, usize::MAX); PAGES];
        }
        self.pages[slot] = (page, i);
        Some(i)
    }

    /// Reads `len` bytes at `addr`.
    #[inline]
    pub(crate) fn slice(&mut self, addr: u64, len: usize) -> Result<&[u8], Fault> {
        let i = self.find(addr, len).ok_or(Fault { addr, write: false })?;
        let r = &self.regions[i];
        let off = (addr - r.base) as usize;
        Ok(&r.data[off..off + len])
    }

    /// Copies `len` bytes at `addr`, across adjacent regions (a system
    /// call's buffer may begin in one mapping and end in the next).
    pub(crate) fn read_bytes(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, Fault> {
        if let Ok(bytes) = self.slice(addr, len) {
            return Ok(bytes.to_vec());
        }
        let end = addr
            .checked_add(len as u64)
            .ok_or(Fault { addr, write: false })?;
        let mut out = Vec::with_capacity(len);
        let mut at = addr;
        while at < end {
            let i = self.index_of(at, 1).ok_or(Fault {
                addr: at,
                write: false,
            })?;
            let r = &self.regions[i];
            let to = end.min(r.end());
            out.extend_from_slice(&r.data[(at - r.base) as usize..(to - r.base) as usize]);
            at = to;
        }
        Ok(out)
    }

    /// Reads a little-endian value of 1, 2, 4 or 8 bytes for an onlooker:
    /// none where nothing is mapped, and the hot region stays as it is.
    /// `hint` is the onlooker's own: the index of the region it read last,
    /// looked at first.
    pub(crate) fn peek(&self, addr: u64, size: usize, hint: &mut usize) -> Option<u64> {
        if !self.regions.get(*hint).is_some_and(|r| r.holds(addr, size)) {
            *hint = self.index_of(addr, size)?;
        }
        let r = &self.regions[*hint];
        let off = (addr - r.base) as usize;
        Some(get_le(&r.data[off..off + size]))
    }

    /// Reads a little-endian value of 1, 2, 4 or 8 bytes.
    #[inline]
    pub(crate) fn read(&mut self, addr: u64, size: usize) -> Result<u64, Fault> {
        match self.read_hot(addr, size) {
            Some(v) => Ok(v),
            None => self.read_cold(addr, size),
        }
    }

    /// Reads a value of 1, 2, 4 or 8 bytes in the hot region; none elsewhere.
    #[inline(always)]
    pub(crate) fn read_hot(&self, addr: u64, size: usize) -> Option<u64> {
        let off = addr.wrapping_sub(self.hot.base) as usize;
        let word = word(&self.regions.get(self.hot.index)?.data, off)?;
        Some(if size == 8 {
            u64::from_le_bytes(*word)
        } else if size == 4 {
            u64::from(u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
        } else if size == 1 {
            u64::from(word[0])
        } else if size == 2 {
            u64::from(u16::from_le_bytes([word[0], word[1]]))
        } else {
            u64::from_le_bytes(*word) & size_mask(size)
        })
    }

    /// Reads a value of 1, 2, 4 or 8 bytes without making its region hot
    /// (a function's entry reads g, and on 386 the TLS, beside its stack);
    /// none where nothing is mapped.
    #[inline(always)]
    pub(crate) fn read_aside(&mut self, addr: u64, size: usize) -> Option<u64> {
        match self.read_hot(addr, size) {
            Some(v) => Some(v),
            None => self.read_aside_cold(addr, size),
        }
    }

    /// Reads aside from the hot region: in one of the two regions read
    /// aside last, else in the region found, which becomes the first of them.
    #[inline(never)]
    fn read_aside_cold(&mut self, addr: u64, size: usize) -> Option<u64> {
        if let Some(v) = self.aside.iter().find_map(|&h| self.read_in(h, addr, size)) {
            return Some(v);
        }
        let i = self.find(addr, size)?;
        let found = Hot {
            base: self.regions[i].base,
            index: i,
            write_index: usize::MAX,
        };
        self.aside = [found, self.aside[0]];
        self.read_in(found, addr, size)
    }

    /// Reads `size` bytes at `addr` in region `h`; none outside it.
    fn read_in(&self, h: Hot, addr: u64, size: usize) -> Option<u64> {
        let off = addr.wrapping_sub(h.base) as usize;
        let data = &self.regions.get(h.index)?.data;
        Some(get_le(data.get(off..off.checked_add(size)?)?))
    }

    /// Reads two words of 8 bytes side by side in the hot region; none elsewhere.
    #[inline(always)]
    pub(crate) fn read_pair_hot(&self, addr: u64) -> Option<(u64, u64)> {
        let off = addr.wrapping_sub(self.hot.base) as usize;
        let pair: &[u8; 16] = self
            .regions
            .get(self.hot.index)?
            .data
            .get(off..)?
            .first_chunk()?;
        let (a, b) = pair.split_first_chunk::<8>()?;
        Some((
            u64::from_le_bytes(*a),
            u64::from_le_bytes(b.try_into().ok()?),
        ))
    }

    /// Reads outside the hot region, making the region found hot.
    #[inline(never)]
    fn read_cold(&mut self, addr: u64, size: usize) -> Result<u64, Fault> {
        if self.heat(addr, size)
            && let Some(v) = self.read_hot(addr, size)
        {
            return Ok(v);
        }
        match self.slice(addr, size) {
            Ok(bytes) => Ok(get_le(bytes)),
            Err(fault) => self.read_across(addr, size).ok_or(fault),
        }
    }

    /// Makes the region holding `addr..addr + size` hot; whether there is one.
    fn heat(&mut self, addr: u64, size: usize) -> bool {
        let Some(i) = self.find(addr, size) else {
            return false;
        };
        let r = &self.regions[i];
        self.hot = Hot {
            base: r.base,
            index: i,
            write_index: if r.writable && !self.cold_writes {
                i
            } else {
                usize::MAX
            },
        };
        true
    }

    /// Reads a value that spans two adjacent regions, byte by byte.
    #[cold]
    fn read_across(&self, addr: u64, size: usize) -> Option<u64> {
        let mut buf = [0u8; 8];
        for (i, b) in buf[..size].iter_mut().enumerate() {
            let a = addr.checked_add(i as u64)?;
            let r = &self.regions[self.index_of(a, 1)?];
            *b = r.data[(a - r.base) as usize];
        }
        Some(u64::from_le_bytes(buf))
    }

    /// Writes a value that spans two adjacent writable regions, byte by byte.
    #[cold]
    fn write_across(&mut self, addr: u64, size: usize, value: u64) -> Result<(), Fault> {
        let fault = Fault { addr, write: true };
        let mut places = [(0usize, 0usize); 8];
        for (i, place) in places[..size].iter_mut().enumerate() {
            let a = addr.checked_add(i as u64).ok_or(fault)?;
            let r = self.index_of(a, 1).ok_or(fault)?;
            if !self.regions[r].writable {
                return Err(fault);
            }
            *place = (r, (a - self.regions[r].base) as usize);
        }
        for (i, &(r, off)) in places[..size].iter().enumerate() {
            self.regions[r].data[off] = (value >> (8 * i)) as u8;
        }
        Ok(())
    }

    /// Writes the low `size` bytes of `value`, little-endian.
    #[inline]
    pub(crate) fn write(&mut self, addr: u64, size: usize, value: u64) -> Result<(), Fault> {
        if self.write_hot(addr, size, value) {
            return Ok(());
        }
        self.write_cold(addr, size, value)
    }

    /// Writes a value of 1, 2, 4 or 8 bytes in the hot region, if it is
    /// writable; whether it did.
    #[inline(always)]
    pub(crate) fn write_hot(&mut self, addr: u64, size: usize, value: u64) -> bool {
        let off = addr.wrapping_sub(self.hot.base) as usize;
        let Some(word) = self
            .regions
            .get_mut(self.hot.write_index)
            .and_then(|r| word_mut(&mut r.data, off))
        else {
            return false;
        };
        let bytes = value.to_le_bytes();
        if size == 8 {
            *word = bytes;
        } else if size == 4 {
            word[..4].copy_from_slice(&bytes[..4]);
        } else if size == 1 {
            word[0] = bytes[0];
        } else if size == 2 {
            word[..2].copy_from_slice(&bytes[..2]);
        } else {
            let mask = size_mask(size);
            let old = u64::from_le_bytes(*word);
            *word = ((old & !mask) | (value & mask)).to_le_bytes();
        }
        true
    }

    /// Writes outside the hot region, making the region found hot.
    #[inline(never)]
    fn write_cold(&mut self, addr: u64, size: usize, value: u64) -> Result<(), Fault> {
        if self.heat(addr, size) && self.write_hot(addr, size, value) {
            return Ok(());
        }
        let Some(i) = self.find(addr, size) else {
            return self.write_across(addr, size, value);
        };
        let r = &mut self.regions[i];
        if !r.writable {
            return Err(Fault { addr, write: true });
        }
        let off = (addr - r.base) as usize;
        put_le(&mut r.data[off..off + size], value);
        Ok(())
    }

    /// Reads 16 bytes.
    pub(crate) fn read128(&mut self, addr: u64) -> Result<u128, Fault> {
        let lo = self.read(addr, 8)?;
        let hi = self.read(addr.wrapping_add(8), 8)?;
        Ok(u128::from(lo) | u128::from(hi) << 64)
    }

    /// Writes bytes even into a read-only region (the loader fills code and rodata).
    pub(crate) fn poke(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Fault> {
        let i = self
            .find(addr, bytes.len())
            .ok_or(Fault { addr, write: true })?;
        let r = &mut self.regions[i];
        let off = (addr - r.base) as usize;
        r.data[off..off + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }
}

/// Takes the bytes in `base..base + len` out of `list` (sorted regions that
/// never overlap), cutting regions that reach into the range; the pieces
/// taken, in order.
fn take_range(list: &mut Vec<Region>, base: u64, len: u64) -> Vec<Region> {
    let end = base.saturating_add(len);
    let mut taken = Vec::new();
    let mut i = list.partition_point(|r| r.end() <= base);
    while i < list.len() && list[i].base < end {
        let r = &mut list[i];
        let (rb, re) = (r.base, r.end());
        let cut_from = (base.max(rb) - rb) as usize;
        let cut_to = (end.min(re) - rb) as usize;
        taken.push(Region {
            base: rb + cut_from as u64,
            data: r.data[cut_from..cut_to].to_vec(),
            writable: r.writable,
            name: r.name.clone(),
        });
        let tail = (end < re).then(|| Region {
            base: end,
            data: r.data[cut_to..].to_vec(),
            writable: r.writable,
            name: r.name.clone(),
        });
        if rb < base {
            r.data.truncate(cut_from);
            i += 1;
        } else {
            list.remove(i);
        }
        if let Some(tail) = tail {
            list.insert(i, tail);
            i += 1;
        }
    }
    taken
}

/// The 8 bytes at `off`, if they are all inside `data`.
#[inline(always)]
fn word(data: &[u8], off: usize) -> Option<&[u8; 8]> {
    data.get(off..)?.first_chunk()
}

/// The 8 bytes at `off`, writable, if they are all inside `data`.
#[inline(always)]
fn word_mut(data: &mut [u8], off: usize) -> Option<&mut [u8; 8]> {
    data.get_mut(off..)?.first_chunk_mut()
}

/// All ones in the low `size` bytes.
#[inline(always)]
fn size_mask(size: usize) -> u64 {
    if size >= 8 {
        u64::MAX
    } else {
        (1u64 << (size * 8)) - 1
    }
}

/// The little-endian value of up to eight bytes.
#[inline]
fn get_le(bytes: &[u8]) -> u64 {
    match *bytes {
        [a] => u64::from(a),
        [a, b] => u64::from(u16::from_le_bytes([a, b])),
        [a, b, c, d] => u64::from(u32::from_le_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => {
            let mut buf = [0u8; 8];
            buf[..bytes.len()].copy_from_slice(bytes);
            u64::from_le_bytes(buf)
        }
    }
}

/// Stores the low bytes of `value` in `bytes`, little-endian.
#[inline]
fn put_le(bytes: &mut [u8], value: u64) {
    let v = value.to_le_bytes();
    match bytes.len() {
        1 => bytes.copy_from_slice(&v[..1]),
        2 => bytes.copy_from_slice(&v[..2]),
        4 => bytes.copy_from_slice(&v[..4]),
        8 => bytes.copy_from_slice(&v),
        n => bytes.copy_from_slice(&v[..n]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seeded random reads and writes over regions that touch, leave gaps
    /// and differ in access, held against a byte-by-byte model: each
    /// access takes the hot region, one from the page table or a searched
    /// one, and every one gives the model's value or fault, also after
    /// mappings change.
    #[test]
    fn accesses_through_hot_and_cached_regions_match_a_plain_model() {
        // (base, length, writable): 0x3000 follows 0x1000 directly; 0x9000 is read-only.
        let layout = [
            (0x1000u64, 0x2000usize, true),
            (0x3000, 0x100, true),
            (0x5000, 0x1000, true),
            (0x9000, 0x800, false),
            (0xb000, 0x3000, true),
            (0x20000, 0x40, true),
        ];
        let mut mem = Memory::default();
        for &(base, len, writable) in &layout {
            mem.map(base, len, writable, "test");
        }
        let mut model: std::collections::HashMap<u64, (u8, bool)> =
            std::collections::HashMap::new();
        for &(base, len, writable) in &layout {
            for a in base..base + len as u64 {
                model.insert(a, (0, writable));
            }
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut hits, mut faults) = (0, 0);
        for step in 0..200_000 {
            if step == 100_000 {
                // Known bytes, and the regions they are in cached: the old
                // indexes of 0x9000 and 0xb000 name other regions after.
                for (a, v) in [(0x9000u64, 0u64), (0xb010, 0x1111), (0xd010, 0x2222)] {
                    if a != 0x9000 {
                        mem.write(a, 8, v).unwrap();
                        model.extend((0..8).map(|i| (a + i, ((v >> (8 * i)) as u8, true))));
                    }
                    mem.read(a, 8).unwrap();
                }
                mem.read_aside(0x9000, 8).unwrap();
                // The indexes of regions change: the cache must forget them.
                // Removing the first region moves every later one down.
                mem.unmap_range(0x1000, 0x2000);
                for a in 0x1000..0x3000 {
                    model.remove(&a);
                }
                mem.map(0x30000, 0x100, true, "late");
                for a in 0x30000..0x30100 {
                    model.insert(a, (0, true));
                }
            }
            if step == 100_000 {
                assert_eq!(mem.read_aside(0xb010, 8), Some(0x1111));
                assert_eq!(mem.read(0xb010, 8), Ok(0x1111));
            }
            let (base, len, _) = layout[(next() % layout.len() as u64) as usize];
            // Near the region, often at its ends.
            let addr = base
                .wrapping_add(next() % (len as u64 + 16))
                .wrapping_sub(8);
            let addr = if step >= 100_000 && next() % 8 == 0 {
                0x30000 + next() % 0x108
            } else {
                addr
            };
            let size = [1usize, 2, 4, 8][(next() % 4) as usize];
            let bytes: Vec<Option<(u8, bool)>> = (0..size as u64)
                .map(|i| model.get(&(addr + i)).copied())
                .collect();
            if next() % 2 == 0 {
                let value = next();
                let ok = bytes.iter().all(|b| b.is_some_and(|(_, w)| w));
                match mem.write(addr, size, value) {
                    Ok(()) => {
                        assert!(
                            ok,
                            "a write at {addr:#x} of {size} succeeded where it faults"
                        );
                        for i in 0..size as u64 {
                            model.insert(addr + i, ((value >> (8 * i)) as u8, true));
                        }
                        hits += 1;
                    }
                    Err(f) => {
                        assert!(!ok, "a write at {addr:#x} of {size} faulted");
                        assert!(f.write);
                        faults += 1;
                    }
                }
            } else {
                let want = bytes.iter().enumerate().try_fold(0u64, |v, (i, b)| {
                    b.map(|(x, _)| v | u64::from(x) << (8 * i))
                });
                // As the machine reads aside: the long way where that finds nothing.
                let got = if next() % 3 == 0 {
                    mem.read_aside(addr, size)
                        .map_or_else(|| mem.read(addr, size), Ok)
                } else {
                    mem.read(addr, size)
                };
                match (got, want) {
                    (Ok(v), Some(w)) => {
                        assert_eq!(v, w, "read at {addr:#x} of {size}");
                        hits += 1;
                    }
                    (Err(_), None) => faults += 1,
                    (got, want) => {
                        panic!("read at {addr:#x} of {size}: {got:?}, the model {want:?}")
                    }
                }
            }
        }
        // Both kinds of outcome were met many times.
        assert!(
            hits > 100_000 && faults > 1_000,
            "{hits} hits, {faults} faults"
        );
    }
}
