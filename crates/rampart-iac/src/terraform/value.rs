//! Helpers on evaluated values: positions, equality, numbers and JSON.

use crate::model::{Node, Span, Value};
use std::ops::Range;

/// Byte offsets to 1-based lines and columns for one file.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    text: String,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            text: text.to_string(),
        }
    }

    /// Line and column of a byte offset.
    pub(crate) fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (to_u32(line + 1), to_u32(column + 1))
    }

    pub(crate) fn span(&self, range: Option<Range<usize>>) -> Span {
        match range {
            Some(r) => {
                let (line, column) = self.position(r.start);
                let (end_line, end_column) = self.position(r.end);
                Span {
                    line,
                    column,
                    end_line,
                    end_column,
                }
            }
            None => Span::default(),
        }
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The same value with every span set to `span`: a value read through a reference is
/// reported where it is used.
pub(crate) fn respan(node: &Node, span: Span) -> Node {
    let value = match &node.value {
        Value::Array(items) => Value::Array(items.iter().map(|n| respan(n, span)).collect()),
        Value::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), respan(v, span)))
                .collect(),
        ),
        other => other.clone(),
    };
    Node::new(value, span)
}

/// Whether no part of the value is unknown.
pub(crate) fn wholly_known(node: &Node) -> bool {
    match &node.value {
        Value::Unknown(_) => false,
        Value::Array(items) => items.iter().all(wholly_known),
        Value::Object(entries) => entries.iter().all(|(_, v)| wholly_known(v)),
        _ => true,
    }
}

/// The first unknown part of a value, to carry its reason along.
pub(crate) fn first_unknown(node: &Node) -> Option<&Node> {
    match &node.value {
        Value::Unknown(_) => Some(node),
        Value::Array(items) => items.iter().find_map(first_unknown),
        Value::Object(entries) => entries.iter().find_map(|(_, v)| first_unknown(v)),
        _ => None,
    }
}

/// Equality of values, ignoring where they were written; numbers compare by value.
pub(crate) fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Number(x), Value::Number(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .rev()
                        .find(|(k2, _)| k2 == k)
                        .is_some_and(|(_, v2)| same(v, v2))
                })
        }
        (x, y) => x == y,
    }
}

/// A number as Terraform prints it: integers without a fraction.
pub(crate) fn number(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        Some(Value::Number(format!("{}", f as i64)))
    } else {
        Some(Value::Number(format!("{f}")))
    }
}

/// A JSON value as a node, every part at `span`.
pub(crate) fn from_json(json: &serde_json::Value, span: Span) -> Node {
    let value = match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.to_string()),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => {
            Value::Array(items.iter().map(|i| from_json(i, span)).collect())
        }
        serde_json::Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), from_json(v, span)))
                .collect(),
        ),
    };
    Node::new(value, span)
}

/// A short name of a value's type, for messages.
pub(crate) fn type_name(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
        Value::Unknown(_) => "unknown",
    }
}
