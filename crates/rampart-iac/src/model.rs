//! One document model for every format rampart reads: a tree of values, each carrying the
//! place it was written, so a check can point at the exact line.
//!
//! YAML (Kubernetes, CloudFormation, compose, workflows), JSON (CloudFormation, Terraform plans),
//! HCL (Terraform) and Dockerfiles all load into [`Node`]s. A value a loader could not know
//! (a Terraform reference to something not in the files, a CloudFormation `!Ref` to a
//! parameter without a default) is [`Value::Unknown`], with the reason: checks treat unknown
//! values as neither passing nor failing (see [`Node::known`]).

use serde::Serialize;

/// Where a value was written: 1-based line and column of its first character, and of the
/// position just past it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Span {
    pub fn at(line: u32, column: u32) -> Span {
        Span {
            line,
            column,
            end_line: line,
            end_column: column,
        }
    }
}

/// A value and where it was written. It serializes as the plain JSON value (objects as maps,
/// the last of repeated keys winning; unknown values as `{"unknown": "why"}`), which is what
/// policies read as `input`.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Numbers keep their text (`0755`, `1e3`, `0x1F` mean different things in different
    /// formats); [`Node::as_f64`] reads them.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Keys in the order written. Duplicate keys are kept; lookups take the last, as most
    /// loaders do.
    Object(Vec<(String, Node)>),
    /// A value that could not be known from the files: why.
    Unknown(Unknown),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unknown {
    pub unknown: String,
}

impl Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match &self.value {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => match (n.parse::<i64>(), n.parse::<f64>()) {
                (Ok(i), _) => s.serialize_i64(i),
                (_, Ok(f)) if f.is_finite() => s.serialize_f64(f),
                _ => s.serialize_str(n),
            },
            Value::String(text) => s.serialize_str(text),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(entries) => {
                let last =
                    |i: usize, k: &str| !entries[i + 1..].iter().any(|(other, _)| other == k);
                let mut map = s.serialize_map(None)?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if last(i, k) {
                        map.serialize_entry(k, v)?;
                    }
                }
                map.end()
            }
            Value::Unknown(u) => u.serialize(s),
        }
    }
}

static NULL: Node = Node {
    value: Value::Null,
    span: Span {
        line: 0,
        column: 0,
        end_line: 0,
        end_column: 0,
    },
};

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }

    pub fn string(s: impl Into<String>, span: Span) -> Node {
        Node::new(Value::String(s.into()), span)
    }

    pub fn unknown(why: impl Into<String>, span: Span) -> Node {
        Node::new(
            Value::Unknown(Unknown {
                unknown: why.into(),
            }),
            span,
        )
    }

    /// The value of `key` in an object (the last one written, when repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a path of keys; `None` as soon as one is missing.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The value of `key`, or a null node (whose span is line 0) when absent: convenient for
    /// chains of lookups.
    pub fn field(&self, key: &str) -> &Node {
        self.get(key).unwrap_or(&NULL)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.value, Value::Unknown(_))
    }

    /// `None` for an unknown value, so that `node.known()?` stops a check that cannot decide.
    pub fn known(&self) -> Option<&Node> {
        (!self.is_unknown()).then_some(self)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean, also from the strings YAML 1.1 and HCL users write (`"true"`, `"yes"`).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => Some(true),
                "false" | "no" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) | Value::String(n) => n.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            Value::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of an array, or the value itself when it is a single value (formats let one
    /// value stand for a list of one: IAM `Action`, workflow `on`).
    pub fn items(&self) -> Vec<&Node> {
        match &self.value {
            Value::Array(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => vec![self],
        }
    }

    /// The node as plain JSON, for policies written in Rego; unknown values become
    /// `{"unknown": "why"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// What kind of file a document is, which decides the checks that read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Terraform,
    TerraformPlan,
    CloudFormation,
    Kubernetes,
    Dockerfile,
    Compose,
    GithubWorkflow,
    GithubAction,
    GitlabCi,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Terraform => "terraform",
            Kind::TerraformPlan => "terraform-plan",
            Kind::CloudFormation => "cloudformation",
            Kind::Kubernetes => "kubernetes",
            Kind::Dockerfile => "dockerfile",
            Kind::Compose => "compose",
            Kind::GithubWorkflow => "github-workflow",
            Kind::GithubAction => "github-action",
            Kind::GitlabCi => "gitlab-ci",
        }
    }
}

/// One parsed document: a file, or one document of a multi-document YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: Kind,
    pub root: Node,
    /// For a document whose values were written in another file (a resource of a called
    /// module): that file, and the place in this file that brings it in (the `module`
    /// call), where findings about it are reported.
    pub via: Option<(std::path::PathBuf, Span)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            Span::at(1, 1),
        )
    }

    #[test]
    fn lookups_take_the_last_key_and_stop_on_unknowns() {
        let n = obj(vec![
            ("a", Node::string("first", Span::at(1, 4))),
            ("a", Node::string("second", Span::at(2, 4))),
            ("b", Node::unknown("var.x is not set", Span::at(3, 4))),
        ]);
        assert_eq!(n.get("a").and_then(Node::as_str), Some("second"));
        assert_eq!(n.field("a").span.line, 2);
        assert!(n.field("missing").is_null());
        assert!(n.field("b").known().is_none());
        assert_eq!(n.path(&["a"]).map(|x| x.span.line), Some(2));
        assert_eq!(
            n.to_json(),
            serde_json::json!({"a": "second", "b": {"unknown": "var.x is not set"}})
        );
    }

    #[test]
    fn scalars_read_as_formats_write_them() {
        let s = |v: &str| Node::string(v, Span::default());
        assert_eq!(s("Yes").as_bool(), Some(true));
        assert_eq!(s("false").as_bool(), Some(false));
        assert_eq!(s("maybe").as_bool(), None);
        assert_eq!(
            Node::new(Value::Number("22".into()), Span::default()).as_f64(),
            Some(22.0)
        );
        assert_eq!(s("x").items().len(), 1);
        assert!(Node::new(Value::Null, Span::default()).items().is_empty());
    }
}
