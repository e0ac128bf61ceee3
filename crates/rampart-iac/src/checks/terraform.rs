//! Terraform (AWS provider): the misconfigurations attackers look for first. Each document is
//! one resource, `{"address", "type", "name", "mode", "config"}`, with `config` evaluated
//! (nested blocks as arrays of objects); unknown values are never judged.

use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};
use crate::terraform::decode_json_attribute;

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.terraform.aws-s3-public-acl", s3_public_acl),
    ("iac.terraform.aws-open-admin-port", open_admin_port),
    ("iac.terraform.aws-db-public", db_public),
    ("iac.terraform.aws-db-unencrypted", db_unencrypted),
    ("iac.terraform.aws-ebs-unencrypted", ebs_unencrypted),
    ("iac.terraform.aws-imdsv1", imdsv1),
    ("iac.terraform.aws-iam-wildcard", iam_wildcard),
];

/// The resource's address and evaluated body when its type is one of `types` (a `data.`
/// prefix names a data source; managed resources otherwise).
pub(super) fn resource<'a>(doc: &'a Document, types: &[&str]) -> Option<(&'a str, &'a Node)> {
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

/// The first block of a nested block type (blocks are arrays of objects).
pub(super) fn block<'a>(config: &'a Node, name: &str) -> Option<&'a Node> {
    config.get(name)?.items().into_iter().next()
}

fn s3_public_acl(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_s3_bucket", "aws_s3_bucket_acl"]) else {
        return;
    };
    if let Some(acl) = config.get("acl").and_then(Node::known) {
        if let Some(v) = acl.as_str().filter(|v| {
            matches!(
                *v,
                "public-read" | "public-read-write" | "authenticated-read"
            )
        }) {
            hits.push(
                Hit::at(acl, format!("{addr} grants `{v}` to everyone"))
                    .with_identity(addr.to_string()),
            );
        }
    }
}

const ADMIN_PORTS: &[(u32, &str)] = &[(22, "SSH"), (3389, "RDP")];

fn open_to_world(cidrs: Option<&Node>) -> Option<bool> {
    let cidrs = cidrs?;
    if cidrs.is_unknown() {
        return None;
    }
    Some(
        cidrs
            .items()
            .into_iter()
            .any(|c| matches!(c.as_str(), Some("0.0.0.0/0") | Some("::/0"))),
    )
}

/// The admin port a rule exposes, if any: all traffic, or a range covering SSH or RDP.
fn exposed(rule: &Node) -> Option<String> {
    let protocol = rule
        .get("protocol")
        .or_else(|| rule.get("ip_protocol"))
        .and_then(Node::known);
    if protocol
        .and_then(Node::as_str)
        .is_some_and(|p| p == "-1" || p.eq_ignore_ascii_case("all"))
    {
        return Some("every port".to_string());
    }
    let from = rule.get("from_port")?.known()?.as_f64()? as u32;
    let to = rule.get("to_port")?.known()?.as_f64()? as u32;
    ADMIN_PORTS
        .iter()
        .find(|(p, _)| from <= *p && *p <= to)
        .map(|(p, name)| format!("port {p} ({name})"))
}

fn open_admin_port(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "aws_security_group",
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
        ],
    ) else {
        return;
    };
    let mut rules: Vec<&Node> = Vec::new();
    match doc.root.field("type").as_str() {
        Some("aws_security_group") => rules.extend(config.field("ingress").items()),
        Some("aws_security_group_rule") if config.field("type").as_str() == Some("ingress") => {
            rules.push(config)
        }
        Some("aws_vpc_security_group_ingress_rule") => rules.push(config),
        _ => {}
    }
    for rule in rules {
        let world = open_to_world(rule.get("cidr_blocks"))
            .or(open_to_world(rule.get("cidr_ipv4")))
            .unwrap_or(false)
            || open_to_world(rule.get("ipv6_cidr_blocks")).unwrap_or(false)
            || open_to_world(rule.get("cidr_ipv6")).unwrap_or(false);
        if !world {
            continue;
        }
        if let Some(what) = exposed(rule) {
            let at = rule
                .get("cidr_blocks")
                .or_else(|| rule.get("cidr_ipv4"))
                .unwrap_or(rule);
            hits.push(
                Hit::at(at, format!("{addr} opens {what} to the whole internet"))
                    .with_identity(format!("{addr}/{what}")),
            );
        }
    }
}

fn db_public(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_db_instance", "aws_rds_cluster_instance"])
    else {
        return;
    };
    if let Some(v) = config.get("publicly_accessible").and_then(Node::known) {
        if v.as_bool() == Some(true) {
            hits.push(
                Hit::at(v, format!("{addr} gets a public IP address"))
                    .with_identity(addr.to_string()),
            );
        }
    }
}

fn flag_off(doc: &Document, hits: &mut Vec<Hit>, types: &[&str], key: &str, what: &str) {
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

fn db_unencrypted(doc: &Document, hits: &mut Vec<Hit>) {
    // Instances of an Aurora cluster take their encryption from the cluster.
    if doc.root.path(&["config", "cluster_identifier"]).is_some() {
        return;
    }
    flag_off(
        doc,
        hits,
        &["aws_db_instance"],
        "storage_encrypted",
        "stores data unencrypted",
    );
}

fn ebs_unencrypted(doc: &Document, hits: &mut Vec<Hit>) {
    flag_off(
        doc,
        hits,
        &["aws_ebs_volume"],
        "encrypted",
        "is not encrypted",
    );
}

fn imdsv1(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_instance", "aws_launch_template"]) else {
        return;
    };
    match block(config, "metadata_options").and_then(|m| m.get("http_tokens")) {
        Some(t) if t.is_unknown() => {}
        Some(t) if t.as_str() == Some("required") => {}
        Some(t) => hits.push(
            Hit::at(
                t,
                format!("{addr} allows IMDSv1 (http_tokens is not \"required\")"),
            )
            .with_identity(addr.to_string()),
        ),
        None => {
            if block(config, "metadata_options")
                .is_some_and(|m| m.get("http_endpoint").and_then(Node::as_str) == Some("disabled"))
            {
                return;
            }
            hits.push(
                Hit::at(&doc.root, format!("{addr} allows IMDSv1: set metadata_options {{ http_tokens = \"required\" }}"))
                    .with_identity(addr.to_string()),
            )
        }
    }
}

fn has_star(node: &Node) -> bool {
    node.items().into_iter().any(|x| x.as_str() == Some("*"))
}

fn iam_wildcard(doc: &Document, hits: &mut Vec<Hit>) {
    let policy_types = [
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_user_policy",
        "aws_iam_group_policy",
    ];
    if let Some((addr, config)) = resource(doc, &policy_types) {
        let Some(policy) = config.get("policy").and_then(decode_json_attribute) else {
            return;
        };
        for st in policy.field("Statement").items() {
            let allow = st.field("Effect").as_str() == Some("Allow");
            if allow && has_star(st.field("Action")) && has_star(st.field("Resource")) {
                hits.push(
                    Hit::at(
                        config.get("policy").unwrap_or(st),
                        format!("{addr} allows every action on every resource"),
                    )
                    .with_identity(addr.to_string()),
                );
            }
        }
        return;
    }
    if let Some((addr, config)) = resource(doc, &["data.aws_iam_policy_document"]) {
        for st in config.field("statement").items() {
            let allow = st
                .get("effect")
                .and_then(Node::as_str)
                .is_none_or(|e| e == "Allow");
            if let Some(actions) = st.get("actions") {
                if allow && has_star(actions) && st.get("resources").is_some_and(has_star) {
                    hits.push(
                        Hit::at(
                            actions,
                            format!("{addr} allows every action on every resource"),
                        )
                        .with_identity(addr.to_string()),
                    );
                }
            }
        }
    }
}
