//! The compiler flags a request may carry: those that change the code
//! `go tool compile` generates and write nothing.
//!
//! Books are shared and built by others, so a flag that names a file (`-o`,
//! `-asmhdr`, `-cpuprofile`, ...) or adds an input must not reach the compiler
//! from a chapter. The command line may pass any flag on request.

use crate::Error;

/// Flags taken exactly as written.
const PLAIN: &[&str] = &[
    "-N",           // no optimisation
    "-l",           // no inlining
    "-B",           // no bounds checks
    "-smallframes", // smaller limits for stack-allocated variables
];

/// Flags of the form `-name=value`, with the values each takes.
const VALUED: &[(&str, &[&str])] = &[
    ("-spectre", &["all", "index", "ret"]),
    (
        "-d",
        &[
            "checkptr",
            "checkptr=0",
            "checkptr=1",
            "checkptr=2",
            "clobberdead",
            "clobberdead=1",
            "clobberdeadreg",
            "clobberdeadreg=1",
        ],
    ),
];

/// The allowed flags, for messages: `-N, -l, ..., -d=checkptr|...`.
pub fn allowed_flags() -> String {
    let plain = PLAIN.iter().map(|flag| flag.to_string());
    let valued = VALUED
        .iter()
        .map(|(name, values)| format!("{name}={}", values.join("|")));
    plain.chain(valued).collect::<Vec<_>>().join(", ")
}

/// Accepts `flags` when each is on the allowlist; values of `-spectre` and
/// `-d` are comma-separated lists of allowed values.
pub fn check_flags(flags: &[String]) -> Result<(), Error> {
    match flags.iter().find(|flag| !allowed(flag)) {
        None => Ok(()),
        Some(flag) => Err(Error::FlagNotAllowed {
            flag: flag.clone(),
            allowed: allowed_flags(),
        }),
    }
}

fn allowed(flag: &str) -> bool {
    if PLAIN.contains(&flag) {
        return true;
    }
    let Some((name, value)) = flag.split_once('=') else {
        return false;
    };
    VALUED.iter().any(|(allowed_name, values)| {
        *allowed_name == name
            && !value.is_empty()
            && value.split(',').all(|part| values.contains(&part))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(flags: &[&str]) -> Result<(), Error> {
        check_flags(&flags.iter().map(|f| f.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn takes_flags_that_change_code_generation() {
        for flags in [
            &[][..],
            &["-N", "-l"],
            &["-l", "-l"],
            &["-B"],
            &["-spectre=all"],
            &["-spectre=index,ret"],
            &["-d=checkptr"],
            &["-d=checkptr=0,clobberdead"],
        ] {
            assert!(check(flags).is_ok(), "{flags:?}");
        }
    }

    #[test]
    fn refuses_flags_that_write_files_or_add_inputs() {
        for (flags, named) in [
            (&["-N", "-l", "-asmhdr", "/tmp/x"][..], "-asmhdr"),
            (&["-o", "out.o"], "-o"),
            (&["-cpuprofile=/tmp/p"], "-cpuprofile=/tmp/p"),
            (&["other.go"], "other.go"),
            (&["-d=ssa/all/dump"], "-d=ssa/all/dump"),
            (&["-spectre="], "-spectre="),
            (&["-spectre=all,-o"], "-spectre=all,-o"),
            (&["-N=1"], "-N=1"),
            (&["-importcfg", "x"], "-importcfg"),
        ] {
            let err = check(flags).unwrap_err().to_string();
            assert!(err.contains(&format!("`{named}`")), "{flags:?}: {err}");
            assert!(err.contains("-N, -l, -B"), "{err}");
        }
    }
}
