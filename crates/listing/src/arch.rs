//! The GOARCH a listing is compiled for: the architectures gostack compiles for and emulates.

use std::fmt;
use std::str::FromStr;

/// A GOARCH that gostack can emulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    /// `amd64`: x86-64 with Go's register-based calling convention.
    Amd64,
    /// `386`: 32-bit x86 with the stack-based calling convention.
    I386,
}

impl Arch {
    /// Every supported architecture, in a fixed order.
    pub const ALL: [Arch; 2] = [Arch::Amd64, Arch::I386];

    /// Bytes in a pointer: 8 or 4.
    pub fn word(self) -> u64 {
        match self {
            Arch::Amd64 => 8,
            Arch::I386 => 4,
        }
    }

    /// The name Go uses for it in GOARCH: `"amd64"` or `"386"`.
    pub fn as_goarch(self) -> &'static str {
        match self {
            Arch::Amd64 => "amd64",
            Arch::I386 => "386",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_goarch())
    }
}

impl FromStr for Arch {
    type Err = UnknownArch;

    fn from_str(s: &str) -> Result<Arch, UnknownArch> {
        match s {
            "amd64" => Ok(Arch::Amd64),
            "386" => Ok(Arch::I386),
            _ => Err(UnknownArch {
                found: s.to_string(),
            }),
        }
    }
}

/// A GOARCH name gostack does not emulate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownArch {
    /// The name given.
    pub found: String,
}

impl fmt::Display for UnknownArch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown GOARCH `{}`: use \"amd64\" or \"386\"",
            self.found
        )
    }
}

impl std::error::Error for UnknownArch {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goarch_names_round_trip() {
        for arch in Arch::ALL {
            assert_eq!(arch.as_goarch().parse::<Arch>().unwrap(), arch);
            assert_eq!(arch.to_string(), arch.as_goarch());
        }
    }

    #[test]
    fn unknown_names_are_errors_that_list_the_accepted_ones() {
        for name in ["arm64", "i386", "x86-64", "AMD64", ""] {
            let err = name.parse::<Arch>().unwrap_err();
            assert_eq!(err.found, name);
            let message = err.to_string();
            assert!(
                message.contains("\"amd64\"") && message.contains("\"386\""),
                "{message}"
            );
        }
    }
}
