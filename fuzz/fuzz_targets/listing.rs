//! The listing parser on any bytes: it must not panic, and every diagnostic names a line of the input.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A damaged cache file is read lossily, so every byte string is a possible input.
    let text = String::from_utf8_lossy(data);
    let parsed = gostack_listing::parse(&text);
    let lines = text.lines().count();
    for d in &parsed.diagnostics {
        assert!(
            d.line >= 1 && d.line as usize <= lines,
            "{d:?} of {lines} lines"
        );
    }
    for sym in &parsed.listing.symbols {
        assert!(sym.line >= 1 && sym.line as usize <= lines, "{sym:?}");
        // Printing the dump back must not panic either.
        let _ = sym.hex_dump();
    }
});
