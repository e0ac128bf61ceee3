//! AWS identity and keys: IAM policies, roles and their trust, KMS and secrets. Each check
//! reads Terraform and CloudFormation alike: its `tf_` function the one, its `cfn_` function
//! the other.

use super::super::cloudformation::{decided, resources, Resource};
use super::super::terraform::resource;
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};
use crate::terraform::decode_json_attribute;

pub(in crate::checks) const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.aws.iam-full-admin-policy", tf_iam_full_admin),
    ("iac.aws.iam-full-admin-policy", cfn_iam_full_admin),
    ("iac.aws.iam-role-trusts-anyone", cfn_iam_trusts_anyone),
];

fn has_star(node: &Node) -> bool {
    node.items().into_iter().any(|x| x.as_str() == Some("*"))
}

fn tf_iam_full_admin(doc: &Document, hits: &mut Vec<Hit>) {
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

/// The policy documents a resource carries, each with a name for messages and identities.
fn policy_documents<'a>(r: &Resource<'a>) -> Vec<(String, &'a Node)> {
    let mut out = Vec::new();
    if let Ok(Some(doc)) = r.prop("PolicyDocument") {
        out.push(("PolicyDocument".to_string(), doc));
    }
    if let Ok(Some(policies)) = r.prop("Policies") {
        for (i, p) in policies.items().into_iter().enumerate() {
            let Some(p) = decided(p) else { continue };
            let name = p
                .get("PolicyName")
                .and_then(Node::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("Policies[{i}]"));
            if let Some(doc) = p.get("PolicyDocument").and_then(decided) {
                out.push((name, doc));
            }
        }
    }
    out
}

/// The `Allow` statements of a policy document, each with its `Sid` or index.
fn allow_statements(policy: &Node) -> Vec<(String, &Node)> {
    policy
        .field("Statement")
        .items()
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let s = decided(s)?;
            let effect = s.get("Effect").and_then(decided)?.as_str()?;
            (effect == "Allow").then(|| {
                let sid = s
                    .get("Sid")
                    .and_then(Node::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string());
                (sid, s)
            })
        })
        .collect()
}

/// The first item of a list (or single value) that is decidedly `*`.
fn star(node: Option<&Node>) -> Option<&Node> {
    node.and_then(decided)?
        .items()
        .into_iter()
        .filter_map(decided)
        .find(|v| v.as_str().is_some_and(|s| s.trim() == "*"))
}

fn cfn_iam_full_admin(doc: &Document, hits: &mut Vec<Hit>) {
    let types = [
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Role",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::RolePolicy",
        "AWS::IAM::UserPolicy",
        "AWS::IAM::GroupPolicy",
    ];
    for r in resources(doc, &types) {
        for (name, policy) in policy_documents(&r) {
            for (sid, s) in allow_statements(policy) {
                let (Some(action), Some(_)) = (star(s.get("Action")), star(s.get("Resource")))
                else {
                    continue;
                };
                hits.push(
                    Hit::at(
                        action,
                        format!(
                            "`{}` ({name}) allows every action on every resource: full administrator access",
                            r.id
                        ),
                    )
                    .with_identity(format!("{}/{name}/{sid}", r.id)),
                );
            }
        }
    }
}

fn cfn_iam_trusts_anyone(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::IAM::Role"]) {
        let Ok(Some(policy)) = r.prop("AssumeRolePolicyDocument") else {
            continue;
        };
        for (sid, s) in allow_statements(policy) {
            if s.get("Condition").is_some() {
                continue;
            }
            let Some(principal) = s.get("Principal").and_then(decided) else {
                continue;
            };
            let anyone = if principal.as_str().is_some_and(|p| p.trim() == "*") {
                Some(principal)
            } else {
                star(principal.get("AWS"))
            };
            if let Some(at) = anyone {
                hits.push(
                    Hit::at(
                        at,
                        format!(
                            "role `{}` can be assumed by any AWS principal, in any account, without a condition",
                            r.id
                        ),
                    )
                    .with_identity(format!("{}/{sid}", r.id)),
                );
            }
        }
    }
}
