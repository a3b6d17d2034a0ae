//! What the picture tests share: a sample of `go-samples`, drawn with the
//! installed Go through a cache in the target directory.

use std::path::Path;

use gostack_diagram::StackDiagram;
use gostack_draw::{Request, stack_figure};
use gostack_toolchain::{Cache, Go};

/// The panels `request` draws of the sample `sample` (its `source` is the sample's).
#[allow(dead_code)]
pub(crate) fn panels(sample: &str, request: Request) -> Vec<StackDiagram> {
    panels_of(&Path::new("../../go-samples").join(sample), request)
}

/// The panels `request` draws of the program in `dir` (relative to this
/// crate), with the installed Go.
pub(crate) fn panels_of(dir: &Path, request: Request) -> Vec<StackDiagram> {
    let go = Go::find().expect("Go is installed");
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(dir)
            .join("main.go"),
    )
    .unwrap();
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"));
    stack_figure(&go, &cache, &Request { source, ..request })
        .unwrap()
        .panels
}
