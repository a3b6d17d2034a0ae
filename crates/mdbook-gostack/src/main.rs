//! `mdbook-gostack`: the preprocessor as a command mdBook runs.
//!
//! `mdbook-gostack supports <renderer>` answers by exit status (every
//! renderer is supported: HTML gets SVG, the others text); otherwise it reads
//! `[context, book]` as JSON on stdin and writes the book on stdout.

use std::io;
use std::process::ExitCode;

use mdbook_gostack::Gostack;
use mdbook_preprocessor::Preprocessor as _;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("supports") => return ExitCode::SUCCESS,
        Some("-h" | "--help") => {
            println!(
                "mdbook-gostack: an mdBook preprocessor for ```gostack blocks; see its crate documentation\n\n\
                 In book.toml:\n\n\
                 [preprocessor.gostack]\n\
                 command = \"mdbook-gostack\"\n\
                 after = [\"links\"]   # so blocks that {{{{#include}}}} brings in are drawn"
            );
            return ExitCode::SUCCESS;
        }
        Some("-V" | "--version") => {
            println!("mdbook-gostack {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let result = (|| -> anyhow::Result<()> {
        let (ctx, book) = mdbook_preprocessor::parse_input(io::stdin())?;
        let book = Gostack.run(&ctx, book)?;
        serde_json::to_writer(io::stdout(), &book)?;
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mdbook-gostack: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
