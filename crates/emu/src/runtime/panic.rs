//! Panics: Go's messages on stderr and exit status 2.

use crate::Stop;
use crate::exec::{Machine, Halt};
use crate::trace::Event;

/// A run-time error panic such as `integer divide by zero`.
pub(crate) fn runtime_error(m: &mut Machine<'_>, message: &str) -> Halt {
    fatal_panic(m, &format!("runtime error: {message}"))
}

/// A nil pointer dereference: a fault in the first page.
pub(crate) fn nil_dereference(m: &mut Machine<'_>, _addr: u64) -> Halt {
    fatal_panic(m, "runtime error: invalid memory address or nil pointer dereference")
}

/// An unrecovered panic: print the message and exit with status 2.
///
/// Deferred calls run before the program dies and may recover; with any
/// pending, the run stops as not modelled rather than print a wrong story.
fn fatal_panic(m: &mut Machine<'_>, message: &str) -> Halt {
    let pending = m.load_word(m.g_field(super::g::DEFER)).unwrap_or(0);
    if pending != 0 {
        return Box::new(Stop::Unsupported {
            what: "a panic with deferred calls pending".into(),
            at: m.location(m.current_pc()),
        });
    }
    m.event(Event::Panic { message: message.to_string() });
    m.stderr.extend_from_slice(format!("panic: {message}\n\ngoroutine 1 [running]:\n").as_bytes());
    Box::new(Stop::Exited(2))
}
