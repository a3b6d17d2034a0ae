//! Runs the installed Go compiler: finds `go`, compiles one program with `go tool compile -S`
//! (and, with [`build`], links it with `go tool link`), and caches import configs, listings and executables on disk.
//!
//! ```no_run
//! use gostack_toolchain::{Arch, Cache, CompileRequest, Go, compile};
//!
//! let go = Go::find()?;
//! let cache = Cache::new(Cache::default_dir())
//!     .with_progress(|message| eprintln!("{message}"));
//! let request = CompileRequest::new("package main\n\nfunc main() {}\n", Arch::Amd64)
//!     .with_flags(["-N", "-l"]);
//! let compiled = compile(&go, &request, &cache)?;
//! assert!(compiled.listing.contains("main.main STEXT"));
//! # Ok::<(), gostack_toolchain::Error>(())
//! ```
//!
//! The crate knows nothing of the listing's format: it returns the text the compiler printed.
//! It only asks `gostack-listing` whether a cached listing still parses; a damaged one is compiled again.

mod cache;
mod compile;
mod error;
mod fetch;
mod flags;
mod go;
mod importcfg;
mod link;

pub use cache::Cache;
pub use compile::{CompileRequest, Compiled, compile, compile_file};
pub use error::Error;
pub use flags::{allowed_flags, check_flags};
pub use go::{Go, GoVersion, MINIMUM_VERSION};
pub use gostack_listing::{Arch, UnknownArch};
pub use link::{Built, build};
