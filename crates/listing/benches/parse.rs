//! Prints how long parsing the largest listing in `test_data/listings` takes.

use std::path::Path;
use std::time::Instant;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test_data/listings");
    let mut largest = (0, String::new(), String::new());
    for version in std::fs::read_dir(&dir).unwrap().flatten() {
        let Ok(programs) = std::fs::read_dir(version.path()) else {
            continue;
        };
        for program in programs.flatten() {
            let Ok(files) = std::fs::read_dir(program.path()) else {
                continue;
            };
            for file in files.flatten() {
                let path = file.path();
                if path.extension().is_some_and(|e| e == "s") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if text.len() > largest.0 {
                        let name = path.strip_prefix(&dir).unwrap().display().to_string();
                        largest = (text.len(), name, text);
                    }
                }
            }
        }
    }
    let (bytes, name, text) = largest;
    let rounds = 200;
    let start = Instant::now();
    let mut instrs = 0;
    for _ in 0..rounds {
        let parsed = gostack_listing::parse(std::hint::black_box(&text));
        instrs += parsed
            .listing
            .functions()
            .map(|f| f.func.as_ref().map_or(0, |f| f.instrs.len()))
            .sum::<usize>();
    }
    let per = start.elapsed().as_secs_f64() / f64::from(rounds);
    println!(
        "parse {name}: {bytes} bytes, {} lines, {} instruction lines: {:.3} ms per parse, {:.0} MB/s",
        text.lines().count(),
        instrs / rounds as usize,
        per * 1e3,
        bytes as f64 / per / 1e6
    );
}
