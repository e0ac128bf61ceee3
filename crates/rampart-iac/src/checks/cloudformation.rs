//! Reading CloudFormation templates for the AWS checks.
//!
//! A property whose value is an intrinsic function (`Ref`, `Fn::If`, `Fn::Sub`, ...) or that the
//! loader could not know is undecidable: it is never reported, and never counted as passing a
//! check that would otherwise report its absence.

use crate::check::Hit;
use crate::model::{Document, Kind, Node};

/// An intrinsic function written in place of a value: an object with a single `Ref`,
/// `Condition` or `Fn::*` key.
pub(in crate::checks) fn is_intrinsic(node: &Node) -> bool {
    match node.as_object() {
        Some([(key, _)]) => key == "Ref" || key == "Condition" || key.starts_with("Fn::"),
        _ => false,
    }
}

/// The value when the template decides it: `None` for unknown values and intrinsics.
pub(in crate::checks) fn decided(node: &Node) -> Option<&Node> {
    node.known().filter(|n| !is_intrinsic(n))
}

/// A resource of the template: its logical id, the resource and its `Properties` (a null node
/// when absent).
pub(in crate::checks) struct Resource<'a> {
    pub id: &'a str,
    pub node: &'a Node,
    pub props: &'a Node,
}

impl<'a> Resource<'a> {
    /// Where a finding about a missing property points: the resource's `Type`.
    pub fn anchor(&self) -> &'a Node {
        self.node.get("Type").unwrap_or(self.node)
    }

    /// A property, `Err(())` when it is written but undecidable.
    pub fn prop(&self, key: &str) -> Result<Option<&'a Node>, ()> {
        match self.props.get(key) {
            None => Ok(None),
            Some(v) => decided(v).map(Some).ok_or(()),
        }
    }
}

/// The resources of the given types whose properties the template decides.
pub(in crate::checks) fn resources<'a>(doc: &'a Document, types: &[&str]) -> Vec<Resource<'a>> {
    if doc.kind != Kind::CloudFormation {
        return Vec::new();
    }
    let Some(all) = doc.root.get("Resources").and_then(Node::as_object) else {
        return Vec::new();
    };
    all.iter()
        .filter(|(_, r)| {
            r.get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| types.contains(&t))
        })
        .filter_map(|(id, node)| {
            let props = node.field("Properties");
            decided(props).map(|props| Resource {
                id: id.as_str(),
                node,
                props,
            })
        })
        .collect()
}

/// A boolean property that must be true: a hit when it is absent or decidedly not true.
pub(in crate::checks) fn must_be_true(r: &Resource, key: &str, what: &str) -> Option<Hit> {
    match r.prop(key) {
        Err(()) => None,
        Ok(None) => Some(Hit::at(
            r.anchor(),
            format!("`{}` does not set {key}, so {what}", r.id),
        )),
        Ok(Some(v)) => (v.as_bool() != Some(true))
            .then(|| Hit::at(v, format!("`{}` sets {key} to false, so {what}", r.id))),
    }
}

/// Adds a hit, when there is one, with its identity.
pub(in crate::checks) fn push(hits: &mut Vec<Hit>, hit: Option<Hit>, identity: &str) {
    if let Some(hit) = hit {
        hits.push(hit.with_identity(identity));
    }
}

/// The text of a scalar (protocols are written both as strings and as numbers).
pub(in crate::checks) fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        crate::model::Value::String(s) | crate::model::Value::Number(s) => {
            Some(s.trim().to_ascii_lowercase())
        }
        _ => None,
    }
}
