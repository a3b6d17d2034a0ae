//! Repository tasks, run as `cargo xtask <task>` (see `.cargo/config.toml`).

mod bench;
mod book;
mod check;
mod gotests;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  bench           time the emulator (untraced fib(30) with `gostack run --stats`;
                  `gostack stack` on fib(25) traced, as a whole process, and its
                  bytes per step) on amd64 and 386, beside a Unicorn anchor
                  (needs `pip install unicorn` and a C compiler)
  book            build the notes in book/ (output in book/book/)
  check [--go VERSION] [--diff]
                  redraw every diagram of the notes with the installed Go (or
                  Go VERSION, fetched once), check the claims each block's
                  `expect` makes, and compare it with its committed copy in
                  book/diagrams/: first every claim that breaks (the text
                  says ...; the figure shows ...), then each changed diagram
                  in a line, classed as the program's frames, only runtime
                  frames or addresses, or only the caption (the text diff
                  follows when a claim broke, or with --diff); exit 1 on
                  drift or a broken claim
  check --bless   record the current diagrams as the committed copies
  gotests [--dir NAME] [--filter SUBSTR] [--config amd64|386|amd64-N-l]
          [--list] [--min PERCENT] [--jobs N]
                  run Go's own `// run` test programs ($(go env GOROOT)/test)
                  for real and in the emulator, and count how many the emulator
                  runs exactly alike (`cargo xtask gotests --help` for more)";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => bench::run(),
        Some("book") => book::run(),
        Some("check") => {
            let bless = args.iter().any(|a| a == "--bless");
            let go = match args.iter().position(|a| a == "--go") {
                Some(i) => Some(
                    args.get(i + 1)
                        .ok_or_else(|| anyhow::anyhow!("--go needs a version, such as 1.27.3"))?
                        .as_str(),
                ),
                None => None,
            };
            let diff = args.iter().any(|a| a == "--diff");
            if check::run(bless, diff, go)? {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
        Some("gotests") => {
            if gotests::run(&args[1..])? {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task `{other}`\n{USAGE}"),
        None => bail!("no task given\n{USAGE}"),
    }
}

/// The repository's root directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository root")
        .to_path_buf()
}
