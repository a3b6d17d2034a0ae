//! The emulated address space: a few named regions at fixed addresses.

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
    fn end(&self) -> u64 {
        self.base + self.data.len() as u64
    }
}

/// The emulated memory: regions that never overlap, looked up through the
/// two regions used last (a goroutine's stack and its `g`, typically).
#[derive(Debug, Clone, Default)]
pub(crate) struct Memory {
    regions: Vec<Region>,
    /// Indexes of the two regions used last, the latest first.
    last: [usize; 2],
}

impl Memory {
    /// Maps `len` zero bytes at `base`.
    pub(crate) fn map(&mut self, base: u64, len: usize, writable: bool, name: &str) {
        debug_assert!(
            self.regions
                .iter()
                .all(|r| base + len as u64 <= r.base || base >= r.end())
        );
        self.regions.push(Region {
            base,
            data: vec![0; len],
            writable,
            name: name.to_string(),
        });
    }

    /// The mapped regions.
    pub(crate) fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// Removes the region that starts at `base` (a stack that was replaced).
    pub(crate) fn unmap(&mut self, base: u64) {
        self.regions.retain(|r| r.base != base);
        self.last = [0; 2];
    }

    /// The name of the region holding `addr`, if any.
    pub(crate) fn region_name(&self, addr: u64) -> Option<&str> {
        self.regions
            .iter()
            .find(|r| addr >= r.base && addr < r.end())
            .map(|r| r.name.as_str())
    }

    #[inline]
    fn find(&mut self, addr: u64, len: usize) -> Option<usize> {
        let hit = |r: &Region| addr >= r.base && addr + len as u64 <= r.end();
        let [latest, before] = self.last;
        if self.regions.get(latest).is_some_and(hit) {
            return Some(latest);
        }
        let i = if self.regions.get(before).is_some_and(hit) {
            before
        } else {
            self.regions.iter().position(hit)?
        };
        self.last = [i, latest];
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

    /// Reads a little-endian value without touching the lookup cache.
    pub(crate) fn peek(&self, addr: u64, size: usize) -> Option<u64> {
        let r = self
            .regions
            .iter()
            .find(|r| addr >= r.base && addr + size as u64 <= r.end())?;
        let off = (addr - r.base) as usize;
        let mut buf = [0u8; 8];
        buf[..size].copy_from_slice(&r.data[off..off + size]);
        Some(u64::from_le_bytes(buf))
    }

    /// Reads a little-endian value of 1, 2, 4 or 8 bytes.
    #[inline(always)]
    pub(crate) fn read(&mut self, addr: u64, size: usize) -> Result<u64, Fault> {
        self.slice(addr, size).map(get_le)
    }

    /// Writes the low `size` bytes of `value`, little-endian.
    #[inline(always)]
    pub(crate) fn write(&mut self, addr: u64, size: usize, value: u64) -> Result<(), Fault> {
        let i = self.find(addr, size).ok_or(Fault { addr, write: true })?;
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
        let bytes = self.slice(addr, 16)?;
        let mut buf = [0u8; 16];
        buf.copy_from_slice(bytes);
        Ok(u128::from_le_bytes(buf))
    }

    /// Writes bytes at `addr`, returning what was there before.
    pub(crate) fn write_bytes(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Fault> {
        let i = self
            .find(addr, bytes.len())
            .ok_or(Fault { addr, write: true })?;
        let r = &mut self.regions[i];
        if !r.writable {
            return Err(Fault { addr, write: true });
        }
        let off = (addr - r.base) as usize;
        r.data[off..off + bytes.len()].copy_from_slice(bytes);
        Ok(())
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
