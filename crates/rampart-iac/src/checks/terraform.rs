//! Reading Terraform resources for the cloud checks (AWS, Azure, Google Cloud). Each document
//! is one resource, `{"address", "type", "name", "mode", "config"}`, with `config` evaluated
//! (nested blocks as arrays of objects); unknown values are never judged.

use crate::check::Hit;
use crate::model::{Document, Kind, Node};

/// The resource's address and evaluated body when its type is one of `types` (a `data.`
/// prefix names a data source; managed resources otherwise).
pub(in crate::checks) fn resource<'a>(
    doc: &'a Document,
    types: &[&str],
) -> Option<(&'a str, &'a Node)> {
    if !matches!(doc.kind, Kind::Terraform | Kind::TerraformPlan) {
        return None;
    }
    let root = &doc.root;
    if root.field("mode").as_str() == Some("data") && !types.iter().any(|t| t.starts_with("data."))
    {
        return None;
    }
    let kind = root.field("type").as_str()?;
    let wanted = types.iter().any(|t| t.trim_start_matches("data.") == kind);
    wanted.then(|| {
        (
            root.field("address").as_str().unwrap_or(kind),
            root.field("config"),
        )
    })
}

/// What a resource says about one of its settings.
pub(in crate::checks) enum Setting<'a> {
    /// Not knowable from the files (or, in a plan, left to be computed at apply).
    Unknown,
    /// Not written: the provider default applies.
    Unset,
    Set(&'a Node),
}

/// An attribute of `node`. In a plan an absent attribute is one computed at apply, so it is
/// unknown; in configuration it is unset.
pub(in crate::checks) fn setting<'a>(doc: &Document, node: &'a Node, key: &str) -> Setting<'a> {
    match node.get(key) {
        None if doc.kind == Kind::TerraformPlan => Setting::Unknown,
        None => Setting::Unset,
        Some(v) if v.is_unknown() => Setting::Unknown,
        Some(v) if v.is_null() => Setting::Unset,
        Some(v) => Setting::Set(v),
    }
}

/// The first block of a nested block type (blocks are arrays of objects).
pub(in crate::checks) fn block<'a>(config: &'a Node, name: &str) -> Option<&'a Node> {
    config.get(name)?.items().into_iter().next()
}

/// A boolean attribute that must be true: a hit when it is written false, or absent (its
/// default is false).
pub(in crate::checks) fn flag_off(
    doc: &Document,
    hits: &mut Vec<Hit>,
    types: &[&str],
    key: &str,
    what: &str,
) {
    let Some((addr, config)) = resource(doc, types) else {
        return;
    };
    match config.get(key) {
        Some(v) if v.is_unknown() => {}
        Some(v) if v.as_bool() == Some(true) => {}
        Some(v) => hits.push(Hit::at(v, format!("{addr} {what}")).with_identity(addr.to_string())),
        None => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} {what} (`{key}` is not set and defaults to false)"),
            )
            .with_identity(addr.to_string()),
        ),
    }
}
