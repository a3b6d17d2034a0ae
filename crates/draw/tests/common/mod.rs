//! What the picture tests share: a sample of `go-samples`, drawn with the
//! installed Go through a cache in the target directory.

use std::path::Path;

use gostack_diagram::StackDiagram;
use gostack_draw::{Request, stack_figure};
use gostack_toolchain::{Cache, Go};

/// The panels `request` draws of the sample `sample` (its `source` is the sample's).
pub(crate) fn panels(sample: &str, request: Request) -> Vec<StackDiagram> {
    let go = Go::find().expect("Go is installed");
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../go-samples")
            .join(sample)
            .join("main.go"),
    )
    .unwrap();
    let cache = Cache::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("gostack-cache"));
    stack_figure(&go, &cache, &Request { source, ..request })
        .unwrap()
        .panels
}
