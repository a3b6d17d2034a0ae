//! Temporary stand-in.
#![allow(dead_code, missing_docs)]
pub(crate) enum Value {
    Int {
        v: i64,
        ty: &'static str,
    },
    Uint {
        v: u64,
        ty: &'static str,
    },
    Float {
        v: f64,
        bits: u8,
    },
    Bool(bool),
    Str(Vec<u8>),
    Nil,
    Pointer {
        addr: u64,
        ty: String,
    },
    Struct {
        ty: String,
        fields: Vec<(String, Value)>,
    },
    Slice {
        ty: String,
        elems: Vec<Value>,
    },
    Error(Vec<u8>),
}
fn one(v: &Value) -> String {
    match v {
        Value::Int { v, .. } => v.to_string(),
        Value::Uint { v, .. } => v.to_string(),
        Value::Float { v, .. } => v.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => String::from_utf8_lossy(s).into_owned(),
        Value::Nil => "<nil>".into(),
        Value::Pointer { addr, .. } => format!("{addr:#x}"),
        Value::Error(e) => String::from_utf8_lossy(e).into_owned(),
        Value::Slice { elems, .. } => {
            format!("[{}]", elems.iter().map(one).collect::<Vec<_>>().join(" "))
        }
        Value::Struct { fields, .. } => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|f| one(&f.1))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}
pub(crate) fn sprintln(args: &[Value]) -> Vec<u8> {
    let mut s = args.iter().map(one).collect::<Vec<_>>().join(" ");
    s.push('\n');
    s.into_bytes()
}
pub(crate) fn sprint(args: &[Value]) -> Vec<u8> {
    args.iter().map(one).collect::<String>().into_bytes()
}
pub(crate) fn sprintf(_f: &[u8], args: &[Value]) -> Vec<u8> {
    sprint(args)
}
