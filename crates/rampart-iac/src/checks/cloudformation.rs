//! CloudFormation templates: the AWS resource settings the CIS AWS Foundations Benchmark and
//! AWS's own security guidance ask for (S3, security groups, RDS, EBS, IAM, CloudTrail).
//!
//! A property whose value is an intrinsic function (`Ref`, `Fn::If`, `Fn::Sub`, ...) or that the
//! loader could not know is undecidable: it is never reported, and never counted as passing a
//! check that would otherwise report its absence.

use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.aws.s3-public-acl", s3_public_acl),
    ("iac.aws.s3-public-access-block", s3_public_access_block),
    ("iac.aws.s3-no-default-encryption", s3_no_encryption),
    ("iac.aws.sg-admin-ports-open", sg_admin_ports_open),
    ("iac.aws.rds-publicly-accessible", rds_public),
    ("iac.aws.rds-storage-not-encrypted", rds_not_encrypted),
    ("iac.aws.ebs-not-encrypted", ebs_not_encrypted),
    ("iac.aws.iam-full-admin-policy", iam_full_admin),
    ("iac.aws.iam-role-trusts-anyone", iam_trusts_anyone),
    (
        "iac.aws.cloudtrail-not-multi-region",
        cloudtrail_multi_region,
    ),
    (
        "iac.aws.cloudtrail-log-validation-off",
        cloudtrail_validation,
    ),
];

/// An intrinsic function written in place of a value: an object with a single `Ref`,
/// `Condition` or `Fn::*` key.
fn is_intrinsic(node: &Node) -> bool {
    match node.as_object() {
        Some([(key, _)]) => key == "Ref" || key == "Condition" || key.starts_with("Fn::"),
        _ => false,
    }
}

/// The value when the template decides it: `None` for unknown values and intrinsics.
fn decided(node: &Node) -> Option<&Node> {
    node.known().filter(|n| !is_intrinsic(n))
}

/// A resource of the template: its logical id, the resource and its `Properties` (a null node
/// when absent).
struct Resource<'a> {
    id: &'a str,
    node: &'a Node,
    props: &'a Node,
}

impl<'a> Resource<'a> {
    /// Where a finding about a missing property points: the resource's `Type`.
    fn anchor(&self) -> &'a Node {
        self.node.get("Type").unwrap_or(self.node)
    }

    /// A property, `Err(())` when it is written but undecidable.
    fn prop(&self, key: &str) -> Result<Option<&'a Node>, ()> {
        match self.props.get(key) {
            None => Ok(None),
            Some(v) => decided(v).map(Some).ok_or(()),
        }
    }
}

/// The resources of the given types whose properties the template decides.
fn resources<'a>(doc: &'a Document, types: &[&str]) -> Vec<Resource<'a>> {
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
fn must_be_true(r: &Resource, key: &str, what: &str) -> Option<Hit> {
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

fn push(hits: &mut Vec<Hit>, hit: Option<Hit>, identity: &str) {
    if let Some(hit) = hit {
        hits.push(hit.with_identity(identity));
    }
}

const PUBLIC_ACLS: &[&str] = &["PublicRead", "PublicReadWrite", "AuthenticatedRead"];

fn s3_public_acl(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::S3::Bucket"]) {
        let Ok(Some(acl)) = r.prop("AccessControl") else {
            continue;
        };
        if let Some(name) = acl.as_str().filter(|a| PUBLIC_ACLS.contains(a)) {
            let who = if name == "AuthenticatedRead" {
                "every AWS account"
            } else {
                "anyone on the internet"
            };
            let hit = Hit::at(
                acl,
                format!(
                    "bucket `{}` grants {who} access with the `{name}` ACL",
                    r.id
                ),
            );
            hits.push(hit.with_identity(r.id));
        }
    }
}

const BLOCK_FLAGS: &[&str] = &[
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
];

fn s3_public_access_block(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::S3::Bucket"]) {
        let cfg = match r.prop("PublicAccessBlockConfiguration") {
            Err(()) => continue,
            Ok(None) => {
                let hit = Hit::at(
                    r.anchor(),
                    format!(
                        "bucket `{}` has no PublicAccessBlockConfiguration: nothing in the template stops a later ACL or bucket policy from making it public",
                        r.id
                    ),
                );
                hits.push(hit.with_identity(r.id));
                continue;
            }
            Ok(Some(cfg)) => cfg,
        };
        let mut off = Vec::new();
        let mut anchor = None;
        for flag in BLOCK_FLAGS {
            match cfg.get(flag) {
                None => off.push(*flag),
                Some(v) => {
                    let Some(v) = decided(v) else { continue };
                    if v.as_bool() != Some(true) {
                        off.push(*flag);
                        anchor.get_or_insert(v);
                    }
                }
            }
        }
        if !off.is_empty() {
            let hit = Hit::at(
                anchor.unwrap_or(cfg),
                format!(
                    "bucket `{}` does not turn on {} (an unset flag is false)",
                    r.id,
                    off.join(", ")
                ),
            );
            hits.push(hit.with_identity(r.id));
        }
    }
}

fn s3_no_encryption(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::S3::Bucket"]) {
        if r.props.get("BucketEncryption").is_none() {
            let hit = Hit::at(
                r.anchor(),
                format!(
                    "bucket `{}` sets no BucketEncryption: it gets S3-managed keys (SSE-S3) only, with no key policy of its own",
                    r.id
                ),
            );
            hits.push(hit.with_identity(r.id));
        }
    }
}

/// Remote administration ports: SSH and RDP.
const ADMIN_PORTS: &[(u32, &str)] = &[(22, "SSH"), (3389, "RDP")];

/// The text of a scalar (protocols are written both as strings and as numbers).
fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        crate::model::Value::String(s) | crate::model::Value::Number(s) => {
            Some(s.trim().to_ascii_lowercase())
        }
        _ => None,
    }
}

/// Why an ingress rule exposes administration to the world, and where to point.
fn open_admin_rule(rule: &Node) -> Option<(&Node, String, String)> {
    let rule = decided(rule)?;
    let cidr = ["CidrIp", "CidrIpv6"]
        .iter()
        .filter_map(|k| rule.get(k).and_then(decided))
        .find(|c| {
            c.as_str()
                .is_some_and(|c| matches!(c.trim(), "0.0.0.0/0" | "::/0" | "::0/0"))
        })?;
    let cidr_text = cidr.as_str().unwrap_or_default().trim();
    let protocol = scalar(rule.get("IpProtocol").and_then(decided)?)?;
    let ports: &[u32] = match protocol.as_str() {
        "-1" | "all" => {
            return Some((
                cidr,
                format!("allows all traffic from {cidr_text}, SSH and RDP included"),
                format!("{cidr_text}/all"),
            ))
        }
        "tcp" | "6" => &[22, 3389],
        "udp" | "17" => &[3389],
        _ => return None,
    };
    let port = |k: &str| rule.get(k).and_then(decided).and_then(Node::as_f64);
    let (from, to) = (port("FromPort")?, port("ToPort")?);
    let (from, to) = if from < 0.0 || to < 0.0 {
        (0.0, 65535.0)
    } else {
        (from, to)
    };
    let open: Vec<String> = ADMIN_PORTS
        .iter()
        .filter(|(p, _)| ports.contains(p) && from <= f64::from(*p) && f64::from(*p) <= to)
        .map(|(p, name)| format!("{p} ({name})"))
        .collect();
    (!open.is_empty()).then(|| {
        (
            cidr,
            format!(
                "allows {protocol} port {} from {cidr_text}",
                open.join(" and ")
            ),
            format!("{cidr_text}/{protocol}/{from}-{to}"),
        )
    })
}

fn sg_admin_ports_open(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(
        doc,
        &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"],
    ) {
        let is_group = r.node.field("Type").as_str() == Some("AWS::EC2::SecurityGroup");
        let rules = if is_group {
            match r.prop("SecurityGroupIngress") {
                Ok(Some(rules)) => rules.items(),
                _ => continue,
            }
        } else {
            vec![r.props]
        };
        for rule in rules {
            if let Some((at, why, key)) = open_admin_rule(rule) {
                let what = if is_group {
                    "security group"
                } else {
                    "ingress rule"
                };
                hits.push(
                    Hit::at(at, format!("{what} `{}` {why}", r.id))
                        .with_identity(format!("{}/{key}", r.id)),
                );
            }
        }
    }
}

fn rds_public(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::RDS::DBInstance"]) {
        if let Ok(Some(v)) = r.prop("PubliclyAccessible") {
            if v.as_bool() == Some(true) {
                let hit = Hit::at(
                    v,
                    format!(
                        "database `{}` is publicly accessible: its endpoint resolves to a public address",
                        r.id
                    ),
                );
                hits.push(hit.with_identity(r.id));
            }
        }
    }
}

fn rds_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::RDS::DBInstance"]) {
        // Aurora members take encryption from their cluster; replicas and restores take it
        // from their source.
        let inherited = [
            "DBClusterIdentifier",
            "SourceDBInstanceIdentifier",
            "DBSnapshotIdentifier",
            "SourceDBClusterIdentifier",
        ]
        .iter()
        .any(|k| r.props.get(k).is_some());
        let engine = r.props.field("Engine");
        if inherited || engine.is_unknown() || is_intrinsic(engine) {
            continue;
        }
        if engine
            .as_str()
            .is_some_and(|e| e.to_ascii_lowercase().starts_with("aurora"))
        {
            continue;
        }
        let hit = must_be_true(
            &r,
            "StorageEncrypted",
            "its storage, backups and snapshots are not encrypted",
        );
        push(hits, hit, r.id);
    }
}

fn ebs_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::EC2::Volume"]) {
        // A volume made from a snapshot is encrypted when the snapshot is.
        if r.props.get("Encrypted").is_none() && r.props.get("SnapshotId").is_some() {
            continue;
        }
        let hit = must_be_true(
            &r,
            "Encrypted",
            "it is encrypted only if the account turns on EBS encryption by default",
        );
        push(hits, hit, r.id);
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

fn iam_full_admin(doc: &Document, hits: &mut Vec<Hit>) {
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

fn iam_trusts_anyone(doc: &Document, hits: &mut Vec<Hit>) {
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

fn cloudtrail_multi_region(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::CloudTrail::Trail"]) {
        let hit = must_be_true(
            &r,
            "IsMultiRegionTrail",
            "activity in other regions is not recorded",
        );
        push(hits, hit, r.id);
    }
}

fn cloudtrail_validation(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::CloudTrail::Trail"]) {
        let hit = must_be_true(
            &r,
            "EnableLogFileValidation",
            "log files can be altered or deleted without detection",
        );
        push(hits, hit, r.id);
    }
}
