//! The gostack block parser on any chapter text: finding blocks and reading their TOML must not panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else {
        return;
    };
    // The input as a block body, then as a chapter whose blocks are read in turn.
    let _ = mdbook_gostack::parse_spec(markdown);
    for block in mdbook_gostack::find_blocks(markdown) {
        assert!(block.range.start <= block.range.end && block.range.end <= markdown.len());
        assert!(
            markdown.is_char_boundary(block.range.start)
                && markdown.is_char_boundary(block.range.end)
        );
        assert!(block.line >= 1 && block.line <= markdown.lines().count().max(1));
        let _ = mdbook_gostack::parse_spec(&block.body);
    }
});
