//! The model as JSON, for other tools.

use crate::Figure;

/// The figure as pretty-printed JSON, with a trailing newline.
pub fn render(figure: &Figure) -> String {
    let mut out =
        serde_json::to_string_pretty(figure).expect("the model holds only strings and numbers");
    out.push('\n');
    out
}

/// The table as pretty-printed JSON, with a trailing newline.
pub fn table(table: &crate::Table) -> String {
    let mut out =
        serde_json::to_string_pretty(table).expect("the model holds only strings and bools");
    out.push('\n');
    out
}
