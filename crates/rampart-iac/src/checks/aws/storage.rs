//! AWS data stores: S3, RDS, EBS and the other services that hold data. Each check reads
//! Terraform and CloudFormation alike: its `tf_` function the one, its `cfn_` function the other.

use super::super::cloudformation::{
    decided, is_intrinsic, must_be_true, push, resources, scalar, Resource,
};
use super::super::terraform::{block, flag_off, resource, setting, Setting};
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Kind, Node, Value};
use crate::terraform::decode_json_attribute;

pub(in crate::checks) const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.aws.s3-public-acl", tf_s3_public_acl),
    ("iac.aws.s3-public-acl", cfn_s3_public_acl),
    ("iac.aws.s3-public-access-block", tf_s3_public_access_block),
    ("iac.aws.s3-public-access-block", cfn_s3_public_access_block),
    ("iac.aws.s3-no-default-encryption", cfn_s3_no_encryption),
    ("iac.aws.rds-publicly-accessible", tf_rds_public),
    ("iac.aws.rds-publicly-accessible", cfn_rds_public),
    ("iac.aws.rds-storage-not-encrypted", tf_rds_not_encrypted),
    ("iac.aws.rds-storage-not-encrypted", cfn_rds_not_encrypted),
    ("iac.aws.ebs-not-encrypted", tf_ebs_not_encrypted),
    ("iac.aws.ebs-not-encrypted", cfn_ebs_not_encrypted),
    (
        "iac.aws.s3-versioning-suspended",
        tf_s3_versioning_suspended,
    ),
    (
        "iac.aws.s3-versioning-suspended",
        cfn_s3_versioning_suspended,
    ),
    ("iac.aws.s3-policy-public", tf_s3_policy_public),
    ("iac.aws.s3-policy-public", cfn_s3_policy_public),
    ("iac.aws.s3-policy-allows-http", tf_s3_policy_allows_http),
    ("iac.aws.s3-policy-allows-http", cfn_s3_policy_allows_http),
    ("iac.aws.rds-backups-disabled", tf_rds_backups_disabled),
    ("iac.aws.rds-backups-disabled", cfn_rds_backups_disabled),
    (
        "iac.aws.rds-deletion-protection-off",
        tf_rds_deletion_protection,
    ),
    (
        "iac.aws.rds-deletion-protection-off",
        cfn_rds_deletion_protection,
    ),
    ("iac.aws.rds-iam-auth-off", tf_rds_iam_auth),
    ("iac.aws.rds-iam-auth-off", cfn_rds_iam_auth),
    ("iac.aws.rds-auto-minor-upgrade-off", tf_rds_minor_upgrade),
    ("iac.aws.rds-auto-minor-upgrade-off", cfn_rds_minor_upgrade),
    (
        "iac.aws.rds-cluster-storage-not-encrypted",
        tf_rds_cluster_not_encrypted,
    ),
    (
        "iac.aws.rds-cluster-storage-not-encrypted",
        cfn_rds_cluster_not_encrypted,
    ),
    ("iac.aws.rds-snapshot-public", tf_rds_snapshot_public),
    (
        "iac.aws.docdb-storage-not-encrypted",
        tf_docdb_not_encrypted,
    ),
    (
        "iac.aws.docdb-storage-not-encrypted",
        cfn_docdb_not_encrypted,
    ),
    (
        "iac.aws.neptune-storage-not-encrypted",
        tf_neptune_not_encrypted,
    ),
    (
        "iac.aws.neptune-storage-not-encrypted",
        cfn_neptune_not_encrypted,
    ),
    ("iac.aws.dynamodb-pitr-off", tf_dynamodb_pitr),
    ("iac.aws.dynamodb-pitr-off", cfn_dynamodb_pitr),
    ("iac.aws.efs-not-encrypted", tf_efs_not_encrypted),
    ("iac.aws.efs-not-encrypted", cfn_efs_not_encrypted),
    (
        "iac.aws.ebs-default-encryption-off",
        tf_ebs_default_encryption,
    ),
    (
        "iac.aws.elasticache-at-rest-not-encrypted",
        tf_elasticache_at_rest,
    ),
    (
        "iac.aws.elasticache-at-rest-not-encrypted",
        cfn_elasticache_at_rest,
    ),
    (
        "iac.aws.elasticache-in-transit-not-encrypted",
        tf_elasticache_in_transit,
    ),
    (
        "iac.aws.elasticache-in-transit-not-encrypted",
        cfn_elasticache_in_transit,
    ),
    ("iac.aws.elasticache-no-auth", tf_elasticache_no_auth),
    ("iac.aws.elasticache-no-auth", cfn_elasticache_no_auth),
    ("iac.aws.redshift-not-encrypted", tf_redshift_not_encrypted),
    ("iac.aws.redshift-not-encrypted", cfn_redshift_not_encrypted),
    ("iac.aws.redshift-publicly-accessible", tf_redshift_public),
    ("iac.aws.redshift-publicly-accessible", cfn_redshift_public),
    ("iac.aws.redshift-ssl-not-required", tf_redshift_ssl),
    ("iac.aws.redshift-ssl-not-required", cfn_redshift_ssl),
    (
        "iac.aws.opensearch-not-encrypted-at-rest",
        tf_opensearch_at_rest,
    ),
    (
        "iac.aws.opensearch-not-encrypted-at-rest",
        cfn_opensearch_at_rest,
    ),
    (
        "iac.aws.opensearch-node-to-node-not-encrypted",
        tf_opensearch_node_to_node,
    ),
    (
        "iac.aws.opensearch-node-to-node-not-encrypted",
        cfn_opensearch_node_to_node,
    ),
    ("iac.aws.opensearch-https-not-enforced", tf_opensearch_https),
    (
        "iac.aws.opensearch-https-not-enforced",
        cfn_opensearch_https,
    ),
    ("iac.aws.opensearch-weak-tls-policy", tf_opensearch_tls),
    ("iac.aws.opensearch-weak-tls-policy", cfn_opensearch_tls),
    (
        "iac.aws.opensearch-policy-public",
        tf_opensearch_policy_public,
    ),
    (
        "iac.aws.opensearch-policy-public",
        cfn_opensearch_policy_public,
    ),
    ("iac.aws.sqs-not-encrypted", tf_sqs_not_encrypted),
    ("iac.aws.sqs-not-encrypted", cfn_sqs_not_encrypted),
    ("iac.aws.sqs-policy-public", tf_sqs_policy_public),
    ("iac.aws.sqs-policy-public", cfn_sqs_policy_public),
    ("iac.aws.sns-not-encrypted", tf_sns_not_encrypted),
    ("iac.aws.sns-not-encrypted", cfn_sns_not_encrypted),
    ("iac.aws.sns-policy-public", tf_sns_policy_public),
    ("iac.aws.sns-policy-public", cfn_sns_policy_public),
    (
        "iac.aws.kinesis-stream-not-encrypted",
        tf_kinesis_not_encrypted,
    ),
    (
        "iac.aws.kinesis-stream-not-encrypted",
        cfn_kinesis_not_encrypted,
    ),
    ("iac.aws.firehose-not-encrypted", tf_firehose_not_encrypted),
    ("iac.aws.firehose-not-encrypted", cfn_firehose_not_encrypted),
    ("iac.aws.ecr-scan-on-push-off", tf_ecr_scan_on_push),
    ("iac.aws.ecr-scan-on-push-off", cfn_ecr_scan_on_push),
    ("iac.aws.ecr-mutable-tags", tf_ecr_mutable_tags),
    ("iac.aws.ecr-mutable-tags", cfn_ecr_mutable_tags),
    ("iac.aws.ecr-policy-public", tf_ecr_policy_public),
    ("iac.aws.ecr-policy-public", cfn_ecr_policy_public),
    (
        "iac.aws.athena-workgroup-not-enforced",
        tf_athena_not_enforced,
    ),
    (
        "iac.aws.athena-workgroup-not-enforced",
        cfn_athena_not_enforced,
    ),
    (
        "iac.aws.glue-catalog-not-encrypted",
        tf_glue_catalog_not_encrypted,
    ),
    (
        "iac.aws.glue-catalog-not-encrypted",
        cfn_glue_catalog_not_encrypted,
    ),
    (
        "iac.aws.sagemaker-notebook-direct-internet",
        tf_sagemaker_internet,
    ),
    (
        "iac.aws.sagemaker-notebook-direct-internet",
        cfn_sagemaker_internet,
    ),
    ("iac.aws.sagemaker-notebook-root-access", tf_sagemaker_root),
    ("iac.aws.sagemaker-notebook-root-access", cfn_sagemaker_root),
    ("iac.aws.msk-plaintext-in-transit", tf_msk_plaintext),
    ("iac.aws.msk-plaintext-in-transit", cfn_msk_plaintext),
    ("iac.aws.mq-publicly-accessible", tf_mq_public),
    ("iac.aws.mq-publicly-accessible", cfn_mq_public),
    ("iac.aws.dms-publicly-accessible", tf_dms_public),
    ("iac.aws.dms-publicly-accessible", cfn_dms_public),
    ("iac.aws.dax-not-encrypted", tf_dax_not_encrypted),
    ("iac.aws.dax-not-encrypted", cfn_dax_not_encrypted),
    ("iac.aws.efs-policy-public", tf_efs_policy_public),
    ("iac.aws.efs-policy-public", cfn_efs_policy_public),
    ("iac.aws.docdb-tls-disabled", tf_docdb_tls_disabled),
    ("iac.aws.docdb-tls-disabled", cfn_docdb_tls_disabled),
    (
        "iac.aws.workspaces-volume-not-encrypted",
        tf_workspaces_not_encrypted,
    ),
    (
        "iac.aws.workspaces-volume-not-encrypted",
        cfn_workspaces_not_encrypted,
    ),
    ("iac.aws.memorydb-tls-off", tf_memorydb_tls_off),
    ("iac.aws.memorydb-tls-off", cfn_memorydb_tls_off),
    ("iac.aws.rds-proxy-tls-not-required", tf_rds_proxy_tls),
    ("iac.aws.rds-proxy-tls-not-required", cfn_rds_proxy_tls),
    (
        "iac.aws.elasticache-user-no-password",
        tf_elasticache_user_nopass,
    ),
    (
        "iac.aws.elasticache-user-no-password",
        cfn_elasticache_user_nopass,
    ),
    ("iac.aws.msk-unauthenticated-access", tf_msk_unauthenticated),
    (
        "iac.aws.msk-unauthenticated-access",
        cfn_msk_unauthenticated,
    ),
    ("iac.aws.msk-public-access", tf_msk_public),
    ("iac.aws.msk-public-access", cfn_msk_public),
    ("iac.aws.s3-object-public-acl", tf_s3_object_public_acl),
    ("iac.aws.opensearch-anonymous-auth", tf_opensearch_anonymous),
    (
        "iac.aws.opensearch-anonymous-auth",
        cfn_opensearch_anonymous,
    ),
    ("iac.aws.opensearch-serverless-public", tf_aoss_public),
    ("iac.aws.opensearch-serverless-public", cfn_aoss_public),
    ("iac.aws.dms-endpoint-no-ssl", tf_dms_endpoint_ssl),
    ("iac.aws.dms-endpoint-no-ssl", cfn_dms_endpoint_ssl),
];

fn tf_s3_public_acl(doc: &Document, hits: &mut Vec<Hit>) {
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
    // Explicit grants: `grant { uri = ... }` on the bucket (provider v3 style), and
    // `access_control_policy { grant { grantee { uri = ... } } }` on the ACL resource.
    let mut grants: Vec<(&Node, &Node)> = Vec::new();
    for g in config.field("grant").items() {
        grants.push((g, g));
    }
    for policy in config.field("access_control_policy").items() {
        for g in policy.field("grant").items() {
            for grantee in g.field("grantee").items() {
                grants.push((g, grantee));
            }
        }
    }
    for (grant, grantee) in grants {
        let Some(uri) = grantee.get("uri").and_then(Node::known) else {
            continue;
        };
        let Some(group) = uri.as_str().and_then(public_group) else {
            continue;
        };
        let permission = grant
            .get("permission")
            .or_else(|| grant.get("permissions"))
            .and_then(Node::known)
            .map(|p| {
                p.items()
                    .into_iter()
                    .filter_map(Node::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        hits.push(
            Hit::at(
                uri,
                format!("{addr} grants {permission} to {group} through an explicit ACL grant"),
            )
            .with_identity(format!("{addr}.grant/{group}")),
        );
    }
}

/// The public group an S3 ACL grantee URI names: all users, or all authenticated AWS users.
fn public_group(uri: &str) -> Option<&'static str> {
    let uri = uri.trim_end_matches('/');
    if uri.ends_with("/groups/global/AllUsers") {
        Some("everyone (AllUsers)")
    } else if uri.ends_with("/groups/global/AuthenticatedUsers") {
        Some("every AWS account (AuthenticatedUsers)")
    } else {
        None
    }
}

const PUBLIC_ACLS: &[&str] = &["PublicRead", "PublicReadWrite", "AuthenticatedRead"];

fn cfn_s3_public_acl(doc: &Document, hits: &mut Vec<Hit>) {
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

fn cfn_s3_public_access_block(doc: &Document, hits: &mut Vec<Hit>) {
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

fn cfn_s3_no_encryption(doc: &Document, hits: &mut Vec<Hit>) {
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

fn tf_rds_public(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "aws_db_instance",
            "aws_rds_cluster_instance",
            "aws_rds_cluster",
        ],
    ) else {
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

fn cfn_rds_public(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"]) {
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

fn tf_rds_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    // Read replicas and restored snapshots take their encryption from the source.
    tf_flag_off_unless(
        doc,
        hits,
        &["aws_db_instance"],
        &["replicate_source_db", "snapshot_identifier"],
        "storage_encrypted",
        "stores data unencrypted",
    );
}

fn cfn_rds_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
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

fn tf_ebs_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    flag_off(
        doc,
        hits,
        &["aws_ebs_volume"],
        "encrypted",
        "is not encrypted",
    );
}

fn cfn_ebs_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
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

// Shared readers.

/// A Terraform attribute or block as set: `Ok(None)` when it is not (absent, null, an empty
/// string or block list), `Err(())` when its value is unknown or a plan leaves it out (a
/// plan lists every attribute, so a missing one is known only after apply).
fn tf_attr<'a>(doc: &Document, config: &'a Node, key: &str) -> Result<Option<&'a Node>, ()> {
    match setting(doc, config, key) {
        Setting::Unknown => Err(()),
        Setting::Unset => Ok(None),
        Setting::Set(v) => match &v.value {
            Value::String(s) if s.is_empty() => Ok(None),
            Value::Array(items) if items.is_empty() => Ok(None),
            _ => Ok(Some(v)),
        },
    }
}

/// Whether a Terraform attribute may be set: set, or not decidably absent.
fn tf_maybe_set(doc: &Document, config: &Node, key: &str) -> bool {
    !matches!(tf_attr(doc, config, key), Ok(None))
}

/// The known value of a Terraform attribute.
fn known<'a>(config: &'a Node, key: &str) -> Option<&'a Node> {
    config.get(key).and_then(Node::known)
}

/// Terraform: a boolean attribute written with the insecure value `bad` (its default is
/// secure, so an absent attribute is fine).
fn tf_bool_is(
    doc: &Document,
    hits: &mut Vec<Hit>,
    types: &[&str],
    key: &str,
    bad: bool,
    what: &str,
) {
    let Some((addr, config)) = resource(doc, types) else {
        return;
    };
    if let Some(v) = known(config, key).filter(|v| v.as_bool() == Some(bad)) {
        hits.push(
            Hit::at(v, format!("{addr} sets `{key} = {bad}`: {what}"))
                .with_identity(format!("{addr}.{key}")),
        );
    }
}

/// CloudFormation: a boolean property written with the insecure value `bad`.
fn cfn_bool_is(
    doc: &Document,
    hits: &mut Vec<Hit>,
    types: &[&str],
    key: &str,
    bad: bool,
    what: &str,
) {
    for r in resources(doc, types) {
        if let Ok(Some(v)) = r.prop(key) {
            if v.as_bool() == Some(bad) {
                hits.push(
                    Hit::at(v, format!("`{}` sets {key} to {bad}: {what}", r.id))
                        .with_identity(format!("{}/{key}", r.id)),
                );
            }
        }
    }
}

/// Terraform: a flag inside a nested block that must be true and defaults to false. A
/// missing block is reported at the resource, a missing flag at its block.
fn tf_block_flag_off(
    doc: &Document,
    hits: &mut Vec<Hit>,
    types: &[&str],
    name: &str,
    key: &str,
    what: &str,
) {
    let Some((addr, config)) = resource(doc, types) else {
        return;
    };
    let identity = format!("{addr}.{name}.{key}");
    let (at, message) = match tf_attr(doc, config, name) {
        Err(()) => return,
        Ok(None) => (
            &doc.root,
            format!("{addr} {what} (no `{name}` block, and `{key}` defaults to false)"),
        ),
        Ok(Some(b)) => match b.items().into_iter().next() {
            None => (
                &doc.root,
                format!("{addr} {what} (no `{name}` block, and `{key}` defaults to false)"),
            ),
            Some(first) if first.is_unknown() => return,
            Some(first) => match first.get(key) {
                None => (
                    first,
                    format!("{addr} {what} (`{name}.{key}` is not set and defaults to false)"),
                ),
                Some(v) if v.is_unknown() || v.as_bool() == Some(true) => return,
                Some(v) => (v, format!("{addr} {what} (`{name}.{key}` is false)")),
            },
        },
    };
    hits.push(Hit::at(at, message).with_identity(identity));
}

/// CloudFormation: a nested property. `Err(())` when a level is undecidable; otherwise the
/// value when written, with the deepest enclosing value that is (the resource's `Type`
/// when even the first level is absent), where a finding about its absence points.
fn cfn_nested<'a>(r: &Resource<'a>, path: &[&str]) -> Result<(Option<&'a Node>, &'a Node), ()> {
    let mut at = r.anchor();
    let mut current = r.props;
    for (i, key) in path.iter().enumerate() {
        let Some(v) = current.get(key) else {
            return Ok((None, at));
        };
        let v = decided(v).ok_or(())?;
        if i + 1 == path.len() {
            return Ok((Some(v), at));
        }
        at = v;
        current = v;
    }
    Ok((None, at))
}

/// CloudFormation: a nested boolean that must be true and defaults to false.
fn cfn_nested_true(r: &Resource, path: &[&str], what: &str) -> Option<Hit> {
    let name = path.join(".");
    match cfn_nested(r, path) {
        Err(()) => None,
        Ok((None, at)) => Some(Hit::at(
            at,
            format!(
                "`{}` does not set {name} (false by default), so {what}",
                r.id
            ),
        )),
        Ok((Some(v), _)) => (v.as_bool() != Some(true))
            .then(|| Hit::at(v, format!("`{}` sets {name} to false, so {what}", r.id))),
    }
}

/// The text of a known scalar, as written.
fn text(node: &Node) -> Option<&str> {
    decided(node)?.as_str()
}

// Resource policies.

/// Whether a decided `Principal` is anyone: `"*"` or `{"AWS": "*"}`.
fn is_anyone(principal: &Node) -> bool {
    let Some(p) = decided(principal) else {
        return false;
    };
    if p.as_str().is_some_and(|s| s.trim() == "*") {
        return true;
    }
    p.get("AWS").and_then(decided).is_some_and(|aws| {
        aws.items()
            .into_iter()
            .filter_map(decided)
            .any(|a| a.as_str().is_some_and(|s| s.trim() == "*"))
    })
}

/// The statements of a policy document that allow anyone, with no condition to narrow
/// them: each with a name (its `Sid` or index), its `Principal` and a summary of its actions.
fn public_grants(policy: &Node) -> Vec<(String, &Node, String)> {
    let mut out = Vec::new();
    for (i, st) in policy.field("Statement").items().into_iter().enumerate() {
        let Some(st) = decided(st) else { continue };
        if st.get("Effect").and_then(text) != Some("Allow") || st.get("Condition").is_some() {
            continue;
        }
        let Some(principal) = st.get("Principal").filter(|p| is_anyone(p)) else {
            continue;
        };
        let sid = st
            .get("Sid")
            .and_then(Node::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| i.to_string());
        let actions: Vec<&str> = st
            .field("Action")
            .items()
            .into_iter()
            .filter_map(text)
            .collect();
        let actions = match actions.as_slice() {
            [] => "some actions".to_string(),
            list if list.contains(&"*") => "every action".to_string(),
            [one] => format!("`{one}`"),
            [first, rest @ ..] => format!("`{first}` and {} more actions", rest.len()),
        };
        out.push((sid, principal, actions));
    }
    out
}

/// Terraform: a resource policy (a JSON attribute) open to anyone.
fn tf_public_policy(doc: &Document, hits: &mut Vec<Hit>, types: &[&str], key: &str, what: &str) {
    let Some((addr, config)) = resource(doc, types) else {
        return;
    };
    let Some(attr) = config.get(key) else { return };
    let Some(policy) = decode_json_attribute(attr) else {
        return;
    };
    for (sid, _, actions) in public_grants(&policy) {
        hits.push(
            Hit::at(
                attr,
                format!(
                    "{addr} {what} policy allows {actions} to any principal (\"*\"), with no condition (statement {sid})"
                ),
            )
            .with_identity(format!("{addr}.{key}/{sid}")),
        );
    }
}

/// CloudFormation: a resource policy property open to anyone.
fn cfn_public_policy(doc: &Document, hits: &mut Vec<Hit>, types: &[&str], key: &str, what: &str) {
    for r in resources(doc, types) {
        let Ok(Some(policy)) = r.prop(key) else {
            continue;
        };
        let subject = format!("`{}` {what} policy", r.id);
        push_public_grants(hits, policy, &subject, r.id);
    }
}

/// A finding at the principal of every statement of `policy` open to anyone: "`subject`
/// allows ... to any principal".
fn push_public_grants(hits: &mut Vec<Hit>, policy: &Node, subject: &str, identity: &str) {
    for (sid, principal, actions) in public_grants(policy) {
        hits.push(
            Hit::at(
                principal,
                format!(
                    "{subject} allows {actions} to any principal (\"*\"), with no condition (statement {sid})"
                ),
            )
            .with_identity(format!("{identity}/{sid}")),
        );
    }
}

// S3.

fn tf_s3_public_access_block(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "aws_s3_bucket_public_access_block",
            "aws_s3_account_public_access_block",
        ],
    ) else {
        return;
    };
    let flags = [
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ];
    let mut off = Vec::new();
    let mut anchor = None;
    for flag in flags {
        match tf_attr(doc, config, flag) {
            Err(()) => {}
            Ok(None) => off.push(flag),
            Ok(Some(v)) if v.as_bool() == Some(true) => {}
            Ok(Some(v)) => {
                off.push(flag);
                anchor.get_or_insert(v);
            }
        }
    }
    if !off.is_empty() {
        hits.push(
            Hit::at(
                anchor.unwrap_or(&doc.root),
                format!(
                    "{addr} leaves {} off (an unset flag is false)",
                    off.join(", ")
                ),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn tf_s3_versioning_suspended(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some((addr, config)) = resource(doc, &["aws_s3_bucket_versioning"]) {
        let Some(status) = block(config, "versioning_configuration")
            .and_then(|b| b.get("status"))
            .and_then(Node::known)
        else {
            return;
        };
        if let Some(v) = status
            .as_str()
            .filter(|v| *v == "Suspended" || *v == "Disabled")
        {
            hits.push(
                Hit::at(
                    status,
                    format!("{addr} sets versioning to `{v}`: overwritten and deleted objects cannot be recovered"),
                )
                .with_identity(format!("{addr}.status")),
            );
        }
        return;
    }
    if let Some((addr, config)) = resource(doc, &["aws_s3_bucket"]) {
        let Some(enabled) = block(config, "versioning")
            .and_then(|b| b.get("enabled"))
            .and_then(Node::known)
        else {
            return;
        };
        if enabled.as_bool() == Some(false) {
            hits.push(
                Hit::at(
                    enabled,
                    format!("{addr} turns versioning off: overwritten and deleted objects cannot be recovered"),
                )
                .with_identity(format!("{addr}.versioning")),
            );
        }
    }
}

fn cfn_s3_versioning_suspended(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::S3::Bucket"]) {
        if let Ok((Some(status), _)) = cfn_nested(&r, &["VersioningConfiguration", "Status"]) {
            if status.as_str() == Some("Suspended") {
                hits.push(
                    Hit::at(
                        status,
                        format!("bucket `{}` suspends versioning: overwritten and deleted objects cannot be recovered", r.id),
                    )
                    .with_identity(format!("{}/VersioningConfiguration", r.id)),
                );
            }
        }
    }
}

fn tf_s3_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    tf_public_policy(
        doc,
        hits,
        &["aws_s3_bucket_policy", "aws_s3_bucket"],
        "policy",
        "bucket",
    );
}

fn cfn_s3_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_public_policy(
        doc,
        hits,
        &["AWS::S3::BucketPolicy"],
        "PolicyDocument",
        "bucket",
    );
}

/// Whether a policy decidedly denies requests not sent over TLS (`aws:SecureTransport`, or
/// a minimum `s3:TlsVersion`): `None` when a statement is undecidable.
fn denies_http(policy: &Node) -> Option<bool> {
    let mut found = false;
    for st in policy.get("Statement").and_then(decided)?.items() {
        let st = decided(st)?;
        let effect = decided(st.get("Effect")?)?;
        if effect.as_str() != Some("Deny") {
            continue;
        }
        let Some(conditions) = st.get("Condition") else {
            continue;
        };
        let conditions = decided(conditions)?;
        for (_, test) in conditions.as_object().unwrap_or_default() {
            let test = decided(test)?;
            for (key, _) in test.as_object().unwrap_or_default() {
                let key = key.to_ascii_lowercase();
                if key == "aws:securetransport" || key == "s3:tlsversion" {
                    found = true;
                }
            }
        }
    }
    Some(found)
}

fn tf_s3_policy_allows_http(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_s3_bucket_policy"]) else {
        return;
    };
    let Some(attr) = config.get("policy") else {
        return;
    };
    let Some(policy) = decode_json_attribute(attr) else {
        return;
    };
    if denies_http(&policy) == Some(false) {
        hits.push(
            Hit::at(
                attr,
                format!("{addr} has no statement denying requests where `aws:SecureTransport` is false, so the bucket accepts plain HTTP"),
            )
            .with_identity(format!("{addr}.policy")),
        );
    }
}

fn cfn_s3_policy_allows_http(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::S3::BucketPolicy"]) {
        let Ok(Some(policy)) = r.prop("PolicyDocument") else {
            continue;
        };
        if denies_http(policy) == Some(false) {
            hits.push(
                Hit::at(
                    policy,
                    format!("bucket policy `{}` has no statement denying requests where `aws:SecureTransport` is false, so the bucket accepts plain HTTP", r.id),
                )
                .with_identity(format!("{}/PolicyDocument", r.id)),
            );
        }
    }
}

// RDS and the other database clusters.

/// Terraform: a flag that must be true and defaults to false, unless one of `inherited` is
/// set (the resource takes the setting from a snapshot, a source or a cluster).
fn tf_flag_off_unless(
    doc: &Document,
    hits: &mut Vec<Hit>,
    types: &[&str],
    inherited: &[&str],
    key: &str,
    what: &str,
) {
    let config = doc.root.field("config");
    if inherited.iter().any(|k| tf_maybe_set(doc, config, k)) {
        return;
    }
    flag_off(doc, hits, types, key, what);
}

/// CloudFormation: a property that must be true and defaults to false, unless one of
/// `inherited` is set.
fn cfn_true_unless(
    doc: &Document,
    hits: &mut Vec<Hit>,
    types: &[&str],
    inherited: &[&str],
    key: &str,
    what: &str,
) {
    for r in resources(doc, types) {
        if inherited.iter().any(|k| r.props.get(k).is_some()) {
            continue;
        }
        let hit = must_be_true(&r, key, what);
        push(hits, hit, &format!("{}/{key}", r.id));
    }
}

/// The engine of a database resource, lowercased; `None` when not decided.
fn engine(node: Option<&Node>) -> Option<String> {
    node.and_then(text).map(str::to_ascii_lowercase)
}

fn tf_rds_backups_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_db_instance"]) else {
        return;
    };
    // Read replicas of MySQL and MariaDB legitimately keep no backups of their own.
    if tf_maybe_set(doc, config, "replicate_source_db") {
        return;
    }
    if let Some(v) = known(config, "backup_retention_period").filter(|v| v.as_f64() == Some(0.0)) {
        hits.push(
            Hit::at(
                v,
                format!("{addr} sets `backup_retention_period = 0`: automated backups and point-in-time restore are off"),
            )
            .with_identity(format!("{addr}.backup_retention_period")),
        );
    }
}

fn cfn_rds_backups_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::RDS::DBInstance"]) {
        if r.props.get("SourceDBInstanceIdentifier").is_some()
            || r.props.get("DBClusterIdentifier").is_some()
        {
            continue;
        }
        if let Ok(Some(v)) = r.prop("BackupRetentionPeriod") {
            if v.as_f64() == Some(0.0) {
                hits.push(
                    Hit::at(
                        v,
                        format!("database `{}` sets BackupRetentionPeriod to 0: automated backups and point-in-time restore are off", r.id),
                    )
                    .with_identity(format!("{}/BackupRetentionPeriod", r.id)),
                );
            }
        }
    }
}

fn tf_rds_deletion_protection(doc: &Document, hits: &mut Vec<Hit>) {
    tf_flag_off_unless(
        doc,
        hits,
        &["aws_db_instance", "aws_rds_cluster"],
        &[],
        "deletion_protection",
        "can be deleted by a single API call or a Terraform destroy",
    );
}

fn cfn_rds_deletion_protection(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_true_unless(
        doc,
        hits,
        &["AWS::RDS::DBInstance"],
        &["DBClusterIdentifier"],
        "DeletionProtection",
        "a single API call or stack deletion can delete the database",
    );
    cfn_true_unless(
        doc,
        hits,
        &["AWS::RDS::DBCluster"],
        &[],
        "DeletionProtection",
        "a single API call or stack deletion can delete the cluster",
    );
}

/// Engines that support IAM database authentication.
fn iam_auth_engine(engine: &str) -> bool {
    ["mysql", "postgres", "mariadb", "aurora"]
        .iter()
        .any(|e| engine.starts_with(e))
}

fn tf_rds_iam_auth(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((_, config)) = resource(doc, &["aws_db_instance", "aws_rds_cluster"]) else {
        return;
    };
    let is_cluster = doc.root.field("type").as_str() == Some("aws_rds_cluster");
    // The cluster engine defaults to Aurora MySQL; an instance must name its engine.
    let engine = match tf_attr(doc, config, "engine") {
        Err(()) => None,
        Ok(None) if is_cluster => Some("aurora".to_string()),
        Ok(other) => engine(other),
    };
    if !engine.as_deref().is_some_and(iam_auth_engine) {
        return;
    }
    if !is_cluster && tf_maybe_set(doc, config, "replicate_source_db") {
        return;
    }
    flag_off(
        doc,
        hits,
        &["aws_db_instance", "aws_rds_cluster"],
        "iam_database_authentication_enabled",
        "accepts database passwords only, with no IAM authentication",
    );
}

fn cfn_rds_iam_auth(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"]) {
        if r.props.get("DBClusterIdentifier").is_some()
            || r.props.get("SourceDBInstanceIdentifier").is_some()
        {
            continue;
        }
        if !engine(r.props.get("Engine")).is_some_and(|e| iam_auth_engine(&e)) {
            continue;
        }
        let hit = must_be_true(
            &r,
            "EnableIAMDatabaseAuthentication",
            "it accepts database passwords only, with no IAM authentication",
        );
        push(
            hits,
            hit,
            &format!("{}/EnableIAMDatabaseAuthentication", r.id),
        );
    }
}

fn tf_rds_minor_upgrade(doc: &Document, hits: &mut Vec<Hit>) {
    tf_bool_is(
        doc,
        hits,
        &[
            "aws_db_instance",
            "aws_rds_cluster_instance",
            "aws_rds_cluster",
        ],
        "auto_minor_version_upgrade",
        false,
        "engine security patches are not applied in the maintenance window",
    );
}

fn cfn_rds_minor_upgrade(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_bool_is(
        doc,
        hits,
        &["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"],
        "AutoMinorVersionUpgrade",
        false,
        "engine security patches are not applied in the maintenance window",
    );
}

fn tf_rds_cluster_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    tf_flag_off_unless(
        doc,
        hits,
        &["aws_rds_global_cluster"],
        &["source_db_cluster_identifier"],
        "storage_encrypted",
        "creates its clusters' storage, backups and snapshots unencrypted",
    );
    if resource(doc, &["aws_rds_cluster"]).is_none() {
        return;
    }
    // Aurora Serverless v1 is always encrypted.
    match tf_attr(doc, doc.root.field("config"), "engine_mode") {
        Err(()) => return,
        Ok(Some(m)) if m.as_str() == Some("serverless") => return,
        _ => {}
    }
    tf_flag_off_unless(
        doc,
        hits,
        &["aws_rds_cluster"],
        &[
            "snapshot_identifier",
            "replication_source_identifier",
            "global_cluster_identifier",
            "restore_to_point_in_time",
        ],
        "storage_encrypted",
        "stores data, backups and snapshots unencrypted",
    );
}

fn cfn_rds_cluster_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::RDS::DBCluster"]) {
        let mode = r.props.get("EngineMode");
        if mode.is_some_and(|m| decided(m).is_none_or(|m| m.as_str() == Some("serverless"))) {
            continue;
        }
        let inherited = [
            "SnapshotIdentifier",
            "SourceDBClusterIdentifier",
            "ReplicationSourceIdentifier",
            "GlobalClusterIdentifier",
        ];
        if inherited.iter().any(|k| r.props.get(k).is_some()) {
            continue;
        }
        let hit = must_be_true(
            &r,
            "StorageEncrypted",
            "its storage, backups and snapshots are not encrypted",
        );
        push(hits, hit, &format!("{}/StorageEncrypted", r.id));
    }
    cfn_true_unless(
        doc,
        hits,
        &["AWS::RDS::GlobalCluster"],
        &["SourceDBClusterIdentifier"],
        "StorageEncrypted",
        "its clusters' storage, backups and snapshots are not encrypted",
    );
}

fn tf_rds_snapshot_public(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_db_snapshot", "aws_db_cluster_snapshot"])
    else {
        return;
    };
    let Some(shared) = known(config, "shared_accounts") else {
        return;
    };
    if let Some(all) = shared
        .items()
        .into_iter()
        .find(|a| a.as_str().is_some_and(|s| s.eq_ignore_ascii_case("all")))
    {
        hits.push(
            Hit::at(
                all,
                format!("{addr} shares the snapshot with `all`: every AWS account can copy and restore the database"),
            )
            .with_identity(format!("{addr}.shared_accounts")),
        );
    }
}

fn tf_docdb_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    tf_flag_off_unless(
        doc,
        hits,
        &["aws_docdb_cluster"],
        &[
            "snapshot_identifier",
            "global_cluster_identifier",
            "restore_to_point_in_time",
        ],
        "storage_encrypted",
        "stores documents, backups and snapshots unencrypted",
    );
}

fn cfn_docdb_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_true_unless(
        doc,
        hits,
        &["AWS::DocDB::DBCluster"],
        &["SnapshotIdentifier", "SourceDBClusterIdentifier"],
        "StorageEncrypted",
        "its documents, backups and snapshots are not encrypted",
    );
}

fn tf_neptune_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    tf_flag_off_unless(
        doc,
        hits,
        &["aws_neptune_cluster"],
        &[
            "snapshot_identifier",
            "replication_source_identifier",
            "global_cluster_identifier",
        ],
        "storage_encrypted",
        "stores the graph, backups and snapshots unencrypted",
    );
}

fn cfn_neptune_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_true_unless(
        doc,
        hits,
        &["AWS::Neptune::DBCluster"],
        &["SnapshotIdentifier", "SourceDBClusterIdentifier"],
        "StorageEncrypted",
        "the graph, its backups and snapshots are not encrypted",
    );
}

// DynamoDB, EFS, EBS.

fn tf_dynamodb_pitr(doc: &Document, hits: &mut Vec<Hit>) {
    tf_block_flag_off(
        doc,
        hits,
        &["aws_dynamodb_table"],
        "point_in_time_recovery",
        "enabled",
        "has no point-in-time recovery: deleted or overwritten items cannot be restored",
    );
}

fn cfn_dynamodb_pitr(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::DynamoDB::Table"]) {
        let hit = cfn_nested_true(
            &r,
            &[
                "PointInTimeRecoverySpecification",
                "PointInTimeRecoveryEnabled",
            ],
            "deleted or overwritten items cannot be restored",
        );
        push(
            hits,
            hit,
            &format!("{}/PointInTimeRecoverySpecification", r.id),
        );
    }
}

fn tf_efs_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    flag_off(
        doc,
        hits,
        &["aws_efs_file_system"],
        "encrypted",
        "stores files unencrypted",
    );
}

fn cfn_efs_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::EFS::FileSystem"]) {
        let hit = must_be_true(&r, "Encrypted", "its files are stored unencrypted");
        push(hits, hit, &format!("{}/Encrypted", r.id));
    }
}

fn tf_ebs_default_encryption(doc: &Document, hits: &mut Vec<Hit>) {
    tf_bool_is(
        doc,
        hits,
        &["aws_ebs_encryption_by_default"],
        "enabled",
        false,
        "new EBS volumes and snapshot copies in this region are not encrypted unless each one asks for it",
    );
}

// ElastiCache.

/// Whether an ElastiCache engine encrypts at rest by default (Valkey does, Redis OSS does
/// not); `None` when the engine is not decided.
fn valkey(engine: Option<&Node>) -> Option<bool> {
    match engine {
        None => Some(false),
        Some(e) => text(e).map(|e| e.eq_ignore_ascii_case("valkey")),
    }
}

fn tf_elasticache_at_rest(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_elasticache_replication_group"]) else {
        return;
    };
    if tf_maybe_set(doc, config, "global_replication_group_id") {
        return;
    }
    let key = "at_rest_encryption_enabled";
    match tf_attr(doc, config, key) {
        Err(()) => {}
        Ok(Some(v)) => {
            if v.as_bool() == Some(false) {
                hits.push(
                    Hit::at(v, format!("{addr} stores cached data, backups and swap unencrypted (`{key} = false`)"))
                        .with_identity(format!("{addr}.{key}")),
                );
            }
        }
        Ok(None) => {
            let engine = tf_attr(doc, config, "engine");
            if engine.is_ok_and(|e| valkey(e) == Some(false)) {
                hits.push(
                    Hit::at(
                        &doc.root,
                        format!("{addr} stores cached data, backups and swap unencrypted (`{key}` is not set and defaults to false for Redis OSS)"),
                    )
                    .with_identity(format!("{addr}.{key}")),
                );
            }
        }
    }
}

fn cfn_elasticache_at_rest(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ElastiCache::ReplicationGroup"]) {
        if r.props.get("GlobalReplicationGroupId").is_some() {
            continue;
        }
        let key = "AtRestEncryptionEnabled";
        if r.props.get(key).is_none() && valkey(r.props.get("Engine")) != Some(false) {
            continue;
        }
        let hit = must_be_true(
            &r,
            key,
            "cached data, backups and swap are stored unencrypted",
        );
        push(hits, hit, &format!("{}/{key}", r.id));
    }
}

fn tf_elasticache_in_transit(doc: &Document, hits: &mut Vec<Hit>) {
    tf_flag_off_unless(
        doc,
        hits,
        &["aws_elasticache_replication_group"],
        &["global_replication_group_id"],
        "transit_encryption_enabled",
        "accepts plaintext connections: commands, data and AUTH passwords cross the network in clear",
    );
    // With TLS on, the `preferred` mode still accepts plaintext clients.
    let Some((addr, config)) = resource(doc, &["aws_elasticache_replication_group"]) else {
        return;
    };
    let tls = known(config, "transit_encryption_enabled").and_then(Node::as_bool);
    if let Some(mode) = known(config, "transit_encryption_mode") {
        if tls == Some(true) && mode.as_str() == Some("preferred") {
            hits.push(
                Hit::at(mode, format!("{addr} sets `transit_encryption_mode = \"preferred\"`: clients may still connect in plaintext"))
                    .with_identity(format!("{addr}.transit_encryption_mode")),
            );
        }
    }
}

fn cfn_elasticache_in_transit(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_true_unless(
        doc,
        hits,
        &["AWS::ElastiCache::ReplicationGroup"],
        &["GlobalReplicationGroupId"],
        "TransitEncryptionEnabled",
        "clients connect in plaintext and commands and data cross the network in clear",
    );
    for r in resources(doc, &["AWS::ElastiCache::ReplicationGroup"]) {
        let (Ok(Some(tls)), Ok(Some(mode))) = (
            r.prop("TransitEncryptionEnabled"),
            r.prop("TransitEncryptionMode"),
        ) else {
            continue;
        };
        if tls.as_bool() == Some(true) && mode.as_str() == Some("preferred") {
            hits.push(
                Hit::at(mode, format!("`{}` sets TransitEncryptionMode to preferred: clients may still connect in plaintext", r.id))
                    .with_identity(format!("{}/TransitEncryptionMode", r.id)),
            );
        }
    }
}

fn tf_elasticache_no_auth(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_elasticache_replication_group"]) else {
        return;
    };
    let tls = known(config, "transit_encryption_enabled").and_then(Node::as_bool);
    // A write-only token is always null in a plan: a plan that has the attribute cannot
    // tell whether one is set.
    let write_only = config.get("auth_token_wo");
    if doc.kind == Kind::TerraformPlan && write_only.is_some() {
        return;
    }
    let auth = write_only.is_some()
        || ["auth_token", "user_group_ids"]
            .iter()
            .any(|k| tf_maybe_set(doc, config, k));
    if tls == Some(true) && !auth {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} sets neither `auth_token` nor `user_group_ids`: any client that reaches the port can run every command without authenticating"),
            )
            .with_identity(format!("{addr}.auth_token")),
        );
    }
}

fn cfn_elasticache_no_auth(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ElastiCache::ReplicationGroup"]) {
        let Ok(Some(tls)) = r.prop("TransitEncryptionEnabled") else {
            continue;
        };
        let auth = ["AuthToken", "UserGroupIds"]
            .iter()
            .any(|k| r.props.get(k).is_some());
        if tls.as_bool() == Some(true) && !auth {
            hits.push(
                Hit::at(
                    r.anchor(),
                    format!("`{}` sets neither AuthToken nor UserGroupIds: any client that reaches the port can run every command without authenticating", r.id),
                )
                .with_identity(format!("{}/AuthToken", r.id)),
            );
        }
    }
}

// Redshift.

fn tf_redshift_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    tf_bool_is(
        doc,
        hits,
        &["aws_redshift_cluster"],
        "encrypted",
        false,
        "the warehouse, its backups and snapshots are stored unencrypted",
    );
}

fn cfn_redshift_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_bool_is(
        doc,
        hits,
        &["AWS::Redshift::Cluster"],
        "Encrypted",
        false,
        "the warehouse, its backups and snapshots are stored unencrypted",
    );
}

fn tf_redshift_public(doc: &Document, hits: &mut Vec<Hit>) {
    tf_bool_is(
        doc,
        hits,
        &["aws_redshift_cluster", "aws_redshiftserverless_workgroup"],
        "publicly_accessible",
        true,
        "the cluster endpoint gets a public address",
    );
}

fn cfn_redshift_public(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_bool_is(
        doc,
        hits,
        &[
            "AWS::Redshift::Cluster",
            "AWS::RedshiftServerless::Workgroup",
        ],
        "PubliclyAccessible",
        true,
        "the cluster endpoint gets a public address",
    );
}

fn tf_redshift_ssl(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_redshift_parameter_group"]) else {
        return;
    };
    for p in config.field("parameter").items() {
        if p.get("name").and_then(text) != Some("require_ssl") {
            continue;
        }
        let Some(v) = p.get("value").and_then(Node::known) else {
            continue;
        };
        if v.as_bool() == Some(false) || scalar(v).is_some_and(|v| v == "0") {
            hits.push(
                Hit::at(v, format!("{addr} sets `require_ssl` to false: clusters using it accept unencrypted connections"))
                    .with_identity(format!("{addr}.require_ssl")),
            );
        }
    }
}

fn cfn_redshift_ssl(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::Redshift::ClusterParameterGroup"]) {
        let Ok(Some(params)) = r.prop("Parameters") else {
            continue;
        };
        for p in params.items().into_iter().filter_map(decided) {
            if p.get("ParameterName").and_then(text) != Some("require_ssl") {
                continue;
            }
            let Some(v) = p.get("ParameterValue").and_then(decided) else {
                continue;
            };
            if v.as_bool() == Some(false) || scalar(v).is_some_and(|v| v == "0") {
                hits.push(
                    Hit::at(v, format!("parameter group `{}` sets require_ssl to false: clusters using it accept unencrypted connections", r.id))
                        .with_identity(format!("{}/require_ssl", r.id)),
                );
            }
        }
    }
}

// OpenSearch and Elasticsearch domains.

const TF_DOMAINS: &[&str] = &["aws_opensearch_domain", "aws_elasticsearch_domain"];
const CFN_DOMAINS: &[&str] = &[
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
];

fn tf_opensearch_at_rest(doc: &Document, hits: &mut Vec<Hit>) {
    tf_block_flag_off(
        doc,
        hits,
        TF_DOMAINS,
        "encrypt_at_rest",
        "enabled",
        "stores indices, logs and snapshots unencrypted",
    );
}

fn cfn_opensearch_at_rest(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, CFN_DOMAINS) {
        let hit = cfn_nested_true(
            &r,
            &["EncryptionAtRestOptions", "Enabled"],
            "its indices, logs and snapshots are stored unencrypted",
        );
        push(hits, hit, &format!("{}/EncryptionAtRestOptions", r.id));
    }
}

fn tf_opensearch_node_to_node(doc: &Document, hits: &mut Vec<Hit>) {
    tf_block_flag_off(
        doc,
        hits,
        TF_DOMAINS,
        "node_to_node_encryption",
        "enabled",
        "sends data between its nodes unencrypted",
    );
}

fn cfn_opensearch_node_to_node(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, CFN_DOMAINS) {
        let hit = cfn_nested_true(
            &r,
            &["NodeToNodeEncryptionOptions", "Enabled"],
            "data travels between its nodes unencrypted",
        );
        push(hits, hit, &format!("{}/NodeToNodeEncryptionOptions", r.id));
    }
}

fn tf_opensearch_https(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, TF_DOMAINS) else {
        return;
    };
    let Some(v) = block(config, "domain_endpoint_options")
        .and_then(|b| b.get("enforce_https"))
        .and_then(Node::known)
    else {
        return;
    };
    if v.as_bool() == Some(false) {
        hits.push(
            Hit::at(v, format!("{addr} sets `enforce_https = false`: the domain answers plain HTTP, credentials and documents included"))
                .with_identity(format!("{addr}.enforce_https")),
        );
    }
}

fn cfn_opensearch_https(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, CFN_DOMAINS) {
        if let Ok((Some(v), _)) = cfn_nested(&r, &["DomainEndpointOptions", "EnforceHTTPS"]) {
            if v.as_bool() == Some(false) {
                hits.push(
                    Hit::at(v, format!("domain `{}` sets EnforceHTTPS to false: it answers plain HTTP, credentials and documents included", r.id))
                        .with_identity(format!("{}/EnforceHTTPS", r.id)),
                );
            }
        }
    }
}

/// TLS security policies that still accept TLS 1.0 and 1.1.
fn weak_tls(policy: &str) -> bool {
    policy.starts_with("Policy-Min-TLS-1-0")
}

fn tf_opensearch_tls(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, TF_DOMAINS) else {
        return;
    };
    let Some(v) = block(config, "domain_endpoint_options")
        .and_then(|b| b.get("tls_security_policy"))
        .and_then(Node::known)
    else {
        return;
    };
    if let Some(p) = v.as_str().filter(|p| weak_tls(p)) {
        hits.push(
            Hit::at(
                v,
                format!("{addr} uses TLS policy `{p}`, which accepts TLS 1.0 and 1.1"),
            )
            .with_identity(format!("{addr}.tls_security_policy")),
        );
    }
}

fn cfn_opensearch_tls(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, CFN_DOMAINS) {
        if let Ok((Some(v), _)) = cfn_nested(&r, &["DomainEndpointOptions", "TLSSecurityPolicy"]) {
            if let Some(p) = v.as_str().filter(|p| weak_tls(p)) {
                hits.push(
                    Hit::at(
                        v,
                        format!(
                            "domain `{}` uses TLS policy `{p}`, which accepts TLS 1.0 and 1.1",
                            r.id
                        ),
                    )
                    .with_identity(format!("{}/TLSSecurityPolicy", r.id)),
                );
            }
        }
    }
}

fn tf_opensearch_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((_, config)) = resource(doc, TF_DOMAINS) else {
        return;
    };
    // Inside a VPC, or behind fine-grained access control, an open access policy is the
    // documented pattern.
    if tf_maybe_set(doc, config, "vpc_options") {
        return;
    }
    let fgac = block(config, "advanced_security_options").and_then(|b| b.get("enabled"));
    if fgac.is_some_and(|v| v.is_unknown() || v.as_bool() == Some(true)) {
        return;
    }
    tf_public_policy(doc, hits, TF_DOMAINS, "access_policies", "domain access");
}

fn cfn_opensearch_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, CFN_DOMAINS) {
        if r.props.get("VPCOptions").is_some() {
            continue;
        }
        match cfn_nested(&r, &["AdvancedSecurityOptions", "Enabled"]) {
            Err(()) => continue,
            Ok((Some(v), _)) if v.as_bool() == Some(true) => continue,
            _ => {}
        }
        let Ok(Some(policy)) = r.prop("AccessPolicies") else {
            continue;
        };
        let subject = format!("domain `{}` is outside a VPC and its access policy", r.id);
        push_public_grants(hits, policy, &subject, r.id);
    }
}

// SQS and SNS.

fn tf_sqs_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_sqs_queue"]) else {
        return;
    };
    if tf_maybe_set(doc, config, "kms_master_key_id") {
        return;
    }
    if let Some(v) = known(config, "sqs_managed_sse_enabled").filter(|v| v.as_bool() == Some(false))
    {
        hits.push(
            Hit::at(v, format!("{addr} turns off SQS-managed encryption and sets no `kms_master_key_id`: messages are stored unencrypted"))
                .with_identity(format!("{addr}.sqs_managed_sse_enabled")),
        );
    }
}

fn cfn_sqs_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::SQS::Queue"]) {
        if r.props.get("KmsMasterKeyId").is_some() {
            continue;
        }
        if let Ok(Some(v)) = r.prop("SqsManagedSseEnabled") {
            if v.as_bool() == Some(false) {
                hits.push(
                    Hit::at(v, format!("queue `{}` turns off SQS-managed encryption and sets no KmsMasterKeyId: messages are stored unencrypted", r.id))
                        .with_identity(format!("{}/SqsManagedSseEnabled", r.id)),
                );
            }
        }
    }
}

fn tf_sqs_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    tf_public_policy(
        doc,
        hits,
        &["aws_sqs_queue_policy", "aws_sqs_queue"],
        "policy",
        "queue",
    );
}

fn cfn_sqs_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_public_policy(
        doc,
        hits,
        &["AWS::SQS::QueuePolicy", "AWS::SQS::QueueInlinePolicy"],
        "PolicyDocument",
        "queue",
    );
}

fn tf_sns_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_sns_topic"]) else {
        return;
    };
    if let Ok(None) = tf_attr(doc, config, "kms_master_key_id") {
        hits.push(
            Hit::at(&doc.root, format!("{addr} sets no `kms_master_key_id`: messages are not encrypted with a KMS key at rest"))
                .with_identity(format!("{addr}.kms_master_key_id")),
        );
    }
}

fn cfn_sns_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::SNS::Topic"]) {
        if r.props.get("KmsMasterKeyId").is_none() {
            hits.push(
                Hit::at(r.anchor(), format!("topic `{}` sets no KmsMasterKeyId: messages are not encrypted with a KMS key at rest", r.id))
                    .with_identity(format!("{}/KmsMasterKeyId", r.id)),
            );
        }
    }
}

fn tf_sns_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    tf_public_policy(
        doc,
        hits,
        &["aws_sns_topic_policy", "aws_sns_topic"],
        "policy",
        "topic",
    );
}

fn cfn_sns_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_public_policy(
        doc,
        hits,
        &["AWS::SNS::TopicPolicy", "AWS::SNS::TopicInlinePolicy"],
        "PolicyDocument",
        "topic",
    );
}

// Streams.

fn tf_kinesis_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_kinesis_stream"]) else {
        return;
    };
    let key = "encryption_type";
    match tf_attr(doc, config, key) {
        Err(()) => {}
        Ok(Some(v)) => {
            if v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("NONE")) {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} sets `{key} = \"NONE\"`: records are stored unencrypted"),
                    )
                    .with_identity(format!("{addr}.{key}")),
                );
            }
        }
        Ok(None) => hits.push(
            Hit::at(
                &doc.root,
                format!(
                    "{addr} stores records unencrypted (`{key}` is not set and defaults to NONE)"
                ),
            )
            .with_identity(format!("{addr}.{key}")),
        ),
    }
}

fn cfn_kinesis_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::Kinesis::Stream"]) {
        if let Ok(None) = r.prop("StreamEncryption") {
            hits.push(
                Hit::at(
                    r.anchor(),
                    format!(
                        "stream `{}` sets no StreamEncryption: records are stored unencrypted",
                        r.id
                    ),
                )
                .with_identity(format!("{}/StreamEncryption", r.id)),
            );
        }
    }
}

fn tf_firehose_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    // Streams reading from Kinesis or MSK rely on the source's encryption.
    let config = doc.root.field("config");
    if ["kinesis_source_configuration", "msk_source_configuration"]
        .iter()
        .any(|k| tf_maybe_set(doc, config, k))
    {
        return;
    }
    tf_block_flag_off(
        doc,
        hits,
        &["aws_kinesis_firehose_delivery_stream"],
        "server_side_encryption",
        "enabled",
        "buffers records unencrypted before delivery",
    );
}

fn cfn_firehose_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::KinesisFirehose::DeliveryStream"]) {
        let sourced = [
            "KinesisStreamSourceConfiguration",
            "MSKSourceConfiguration",
            "DatabaseSourceConfiguration",
        ]
        .iter()
        .any(|k| r.props.get(k).is_some());
        let direct = match r.prop("DeliveryStreamType") {
            Err(()) => continue,
            Ok(None) => true,
            Ok(Some(t)) => t.as_str() == Some("DirectPut"),
        };
        if sourced || !direct {
            continue;
        }
        if let Ok(None) = r.prop("DeliveryStreamEncryptionConfigurationInput") {
            hits.push(
                Hit::at(r.anchor(), format!("delivery stream `{}` sets no DeliveryStreamEncryptionConfigurationInput: records are buffered unencrypted", r.id))
                    .with_identity(format!("{}/DeliveryStreamEncryptionConfigurationInput", r.id)),
            );
        }
    }
}

// ECR.

fn tf_ecr_scan_on_push(doc: &Document, hits: &mut Vec<Hit>) {
    tf_block_flag_off(
        doc,
        hits,
        &["aws_ecr_repository"],
        "image_scanning_configuration",
        "scan_on_push",
        "does not scan images for vulnerabilities when they are pushed",
    );
}

fn cfn_ecr_scan_on_push(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ECR::Repository"]) {
        let hit = cfn_nested_true(
            &r,
            &["ImageScanningConfiguration", "ScanOnPush"],
            "pushed images are not scanned for vulnerabilities",
        );
        push(hits, hit, &format!("{}/ImageScanningConfiguration", r.id));
    }
}

/// Whether an image tag mutability setting lets tags be overwritten.
fn mutable(setting: &str) -> bool {
    setting.to_ascii_uppercase().starts_with("MUTABLE")
}

fn tf_ecr_mutable_tags(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_ecr_repository"]) else {
        return;
    };
    let key = "image_tag_mutability";
    match tf_attr(doc, config, key) {
        Err(()) => {}
        Ok(Some(v)) => {
            if let Some(m) = v.as_str().filter(|m| mutable(m)) {
                hits.push(
                    Hit::at(v, format!("{addr} sets `{key} = \"{m}\"`: a pushed tag can be replaced by a different image"))
                        .with_identity(format!("{addr}.{key}")),
                );
            }
        }
        Ok(None) => hits.push(
            Hit::at(&doc.root, format!("{addr} lets a pushed tag be replaced by a different image (`{key}` defaults to MUTABLE)"))
                .with_identity(format!("{addr}.{key}")),
        ),
    }
}

fn cfn_ecr_mutable_tags(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ECR::Repository"]) {
        let key = "ImageTagMutability";
        let hit = match r.prop(key) {
            Err(()) => None,
            Ok(None) => Some(Hit::at(
                r.anchor(),
                format!("repository `{}` does not set {key} (MUTABLE by default): a pushed tag can be replaced by a different image", r.id),
            )),
            Ok(Some(v)) => v.as_str().filter(|m| mutable(m)).map(|m| {
                Hit::at(
                    v,
                    format!("repository `{}` sets {key} to {m}: a pushed tag can be replaced by a different image", r.id),
                )
            }),
        };
        push(hits, hit, &format!("{}/{key}", r.id));
    }
}

fn tf_ecr_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    tf_public_policy(
        doc,
        hits,
        &["aws_ecr_repository_policy"],
        "policy",
        "repository",
    );
}

fn cfn_ecr_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_public_policy(
        doc,
        hits,
        &["AWS::ECR::Repository"],
        "RepositoryPolicyText",
        "repository",
    );
}

// Analytics.

fn tf_athena_not_enforced(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_athena_workgroup"]) else {
        return;
    };
    let Some(v) = block(config, "configuration")
        .and_then(|b| b.get("enforce_workgroup_configuration"))
        .and_then(Node::known)
    else {
        return;
    };
    if v.as_bool() == Some(false) {
        hits.push(
            Hit::at(v, format!("{addr} sets `enforce_workgroup_configuration = false`: each query can choose its own result location and turn result encryption off"))
                .with_identity(format!("{addr}.enforce_workgroup_configuration")),
        );
    }
}

fn cfn_athena_not_enforced(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::Athena::WorkGroup"]) {
        let path = ["WorkGroupConfiguration", "EnforceWorkGroupConfiguration"];
        if let Ok((Some(v), _)) = cfn_nested(&r, &path) {
            if v.as_bool() == Some(false) {
                hits.push(
                    Hit::at(v, format!("workgroup `{}` sets EnforceWorkGroupConfiguration to false: each query can choose its own result location and turn result encryption off", r.id))
                        .with_identity(format!("{}/EnforceWorkGroupConfiguration", r.id)),
                );
            }
        }
    }
}

fn tf_glue_catalog_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_glue_data_catalog_encryption_settings"]) else {
        return;
    };
    let Some(settings) = block(config, "data_catalog_encryption_settings") else {
        return;
    };
    if let Some(mode) = block(settings, "encryption_at_rest")
        .and_then(|b| b.get("catalog_encryption_mode"))
        .and_then(Node::known)
    {
        if mode
            .as_str()
            .is_some_and(|m| m.eq_ignore_ascii_case("DISABLED"))
        {
            hits.push(
                Hit::at(mode, format!("{addr} sets `catalog_encryption_mode = \"DISABLED\"`: table definitions and schemas are stored unencrypted"))
                    .with_identity(format!("{addr}.catalog_encryption_mode")),
            );
        }
    }
    if let Some(v) = block(settings, "connection_password_encryption")
        .and_then(|b| b.get("return_connection_password_encrypted"))
        .and_then(Node::known)
    {
        if v.as_bool() == Some(false) {
            hits.push(
                Hit::at(v, format!("{addr} sets `return_connection_password_encrypted = false`: connection passwords are returned in clear to anyone who can read the catalog"))
                    .with_identity(format!("{addr}.return_connection_password_encrypted")),
            );
        }
    }
}

fn cfn_glue_catalog_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::Glue::DataCatalogEncryptionSettings"]) {
        let root = "DataCatalogEncryptionSettings";
        if let Ok((Some(mode), _)) =
            cfn_nested(&r, &[root, "EncryptionAtRest", "CatalogEncryptionMode"])
        {
            if mode
                .as_str()
                .is_some_and(|m| m.eq_ignore_ascii_case("DISABLED"))
            {
                hits.push(
                    Hit::at(mode, format!("`{}` sets CatalogEncryptionMode to DISABLED: table definitions and schemas are stored unencrypted", r.id))
                        .with_identity(format!("{}/CatalogEncryptionMode", r.id)),
                );
            }
        }
        let path = [
            root,
            "ConnectionPasswordEncryption",
            "ReturnConnectionPasswordEncrypted",
        ];
        if let Ok((Some(v), _)) = cfn_nested(&r, &path) {
            if v.as_bool() == Some(false) {
                hits.push(
                    Hit::at(v, format!("`{}` sets ReturnConnectionPasswordEncrypted to false: connection passwords are returned in clear to anyone who can read the catalog", r.id))
                        .with_identity(format!("{}/ReturnConnectionPasswordEncrypted", r.id)),
                );
            }
        }
    }
}

// SageMaker notebooks.

/// Terraform: a string setting that defaults to `Enabled` and should be `Disabled`.
fn tf_enabled_by_default(
    doc: &Document,
    hits: &mut Vec<Hit>,
    types: &[&str],
    key: &str,
    what: &str,
) {
    let Some((addr, config)) = resource(doc, types) else {
        return;
    };
    match tf_attr(doc, config, key) {
        Err(()) => {}
        Ok(Some(v)) => {
            if v.as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("Enabled"))
            {
                hits.push(
                    Hit::at(v, format!("{addr} sets `{key} = \"Enabled\"`: {what}"))
                        .with_identity(format!("{addr}.{key}")),
                );
            }
        }
        Ok(None) => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} does not set `{key}`, which defaults to Enabled: {what}"),
            )
            .with_identity(format!("{addr}.{key}")),
        ),
    }
}

/// CloudFormation: a string property that defaults to `Enabled` and should be `Disabled`.
fn cfn_enabled_by_default(
    doc: &Document,
    hits: &mut Vec<Hit>,
    types: &[&str],
    key: &str,
    what: &str,
) {
    for r in resources(doc, types) {
        let hit = match r.prop(key) {
            Err(()) => None,
            Ok(None) => Some(Hit::at(
                r.anchor(),
                format!(
                    "`{}` does not set {key}, which defaults to Enabled: {what}",
                    r.id
                ),
            )),
            Ok(Some(v)) => v
                .as_str()
                .filter(|s| s.eq_ignore_ascii_case("Enabled"))
                .map(|_| Hit::at(v, format!("`{}` sets {key} to Enabled: {what}", r.id))),
        };
        push(hits, hit, &format!("{}/{key}", r.id));
    }
}

fn tf_sagemaker_internet(doc: &Document, hits: &mut Vec<Hit>) {
    tf_enabled_by_default(
        doc,
        hits,
        &["aws_sagemaker_notebook_instance"],
        "direct_internet_access",
        "the notebook reaches the internet directly, outside the VPC's egress controls",
    );
}

fn cfn_sagemaker_internet(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_enabled_by_default(
        doc,
        hits,
        &["AWS::SageMaker::NotebookInstance"],
        "DirectInternetAccess",
        "the notebook reaches the internet directly, outside the VPC's egress controls",
    );
}

fn tf_sagemaker_root(doc: &Document, hits: &mut Vec<Hit>) {
    tf_enabled_by_default(
        doc,
        hits,
        &["aws_sagemaker_notebook_instance"],
        "root_access",
        "notebook users get root on the instance",
    );
}

fn cfn_sagemaker_root(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_enabled_by_default(
        doc,
        hits,
        &["AWS::SageMaker::NotebookInstance"],
        "RootAccess",
        "notebook users get root on the instance",
    );
}

// Brokers and migration.

fn tf_msk_plaintext(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_msk_cluster"]) else {
        return;
    };
    let Some(transit) =
        block(config, "encryption_info").and_then(|b| block(b, "encryption_in_transit"))
    else {
        return;
    };
    if let Some(v) = transit.get("client_broker").and_then(Node::known) {
        if let Some(m) = v
            .as_str()
            .filter(|m| m.to_ascii_uppercase().contains("PLAINTEXT"))
        {
            hits.push(
                Hit::at(v, format!("{addr} sets `client_broker = \"{m}\"`: clients can produce and consume over unencrypted connections"))
                    .with_identity(format!("{addr}.client_broker")),
            );
        }
    }
    if let Some(v) = transit.get("in_cluster").and_then(Node::known) {
        if v.as_bool() == Some(false) {
            hits.push(
                Hit::at(v, format!("{addr} sets `in_cluster = false`: brokers replicate data to each other unencrypted"))
                    .with_identity(format!("{addr}.in_cluster")),
            );
        }
    }
}

fn cfn_msk_plaintext(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::MSK::Cluster"]) {
        if let Ok((Some(v), _)) = cfn_nested(
            &r,
            &["EncryptionInfo", "EncryptionInTransit", "ClientBroker"],
        ) {
            if let Some(m) = v
                .as_str()
                .filter(|m| m.to_ascii_uppercase().contains("PLAINTEXT"))
            {
                hits.push(
                    Hit::at(v, format!("cluster `{}` sets ClientBroker to {m}: clients can produce and consume over unencrypted connections", r.id))
                        .with_identity(format!("{}/ClientBroker", r.id)),
                );
            }
        }
        if let Ok((Some(v), _)) =
            cfn_nested(&r, &["EncryptionInfo", "EncryptionInTransit", "InCluster"])
        {
            if v.as_bool() == Some(false) {
                hits.push(
                    Hit::at(v, format!("cluster `{}` sets InCluster to false: brokers replicate data to each other unencrypted", r.id))
                        .with_identity(format!("{}/InCluster", r.id)),
                );
            }
        }
    }
}

fn tf_mq_public(doc: &Document, hits: &mut Vec<Hit>) {
    tf_bool_is(
        doc,
        hits,
        &["aws_mq_broker"],
        "publicly_accessible",
        true,
        "the broker's console and messaging endpoints get public addresses",
    );
}

fn cfn_mq_public(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_bool_is(
        doc,
        hits,
        &["AWS::AmazonMQ::Broker"],
        "PubliclyAccessible",
        true,
        "the broker's console and messaging endpoints get public addresses",
    );
}

fn tf_dms_public(doc: &Document, hits: &mut Vec<Hit>) {
    tf_bool_is(
        doc,
        hits,
        &["aws_dms_replication_instance"],
        "publicly_accessible",
        true,
        "the replication instance, which holds credentials for the source and target databases, gets a public IP address",
    );
}

fn cfn_dms_public(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::DMS::ReplicationInstance"]) {
        let key = "PubliclyAccessible";
        let what = "the replication instance, which holds credentials for the source and target databases, gets a public IP address";
        let hit = match r.prop(key) {
            Err(()) => None,
            Ok(None) => Some(Hit::at(
                r.anchor(),
                format!(
                    "`{}` does not set {key}, which defaults to true: {what}",
                    r.id
                ),
            )),
            Ok(Some(v)) => (v.as_bool() == Some(true))
                .then(|| Hit::at(v, format!("`{}` sets {key} to true: {what}", r.id))),
        };
        push(hits, hit, &format!("{}/{key}", r.id));
    }
}

// More data stores.

fn tf_dax_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    tf_block_flag_off(
        doc,
        hits,
        &["aws_dax_cluster"],
        "server_side_encryption",
        "enabled",
        "keeps cached items unencrypted at rest",
    );
}

fn cfn_dax_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::DAX::Cluster"]) {
        let hit = cfn_nested_true(
            &r,
            &["SSESpecification", "SSEEnabled"],
            "cached items are kept unencrypted at rest",
        );
        push(hits, hit, &format!("{}/SSESpecification", r.id));
    }
}

fn tf_efs_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    tf_public_policy(
        doc,
        hits,
        &["aws_efs_file_system_policy"],
        "policy",
        "file system",
    );
}

fn cfn_efs_policy_public(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_public_policy(
        doc,
        hits,
        &["AWS::EFS::FileSystem"],
        "FileSystemPolicy",
        "file system",
    );
}

fn tf_docdb_tls_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_docdb_cluster_parameter_group"]) else {
        return;
    };
    for p in config.field("parameter").items() {
        if p.get("name").and_then(text) != Some("tls") {
            continue;
        }
        let Some(v) = p.get("value").and_then(Node::known) else {
            continue;
        };
        if v.as_str()
            .is_some_and(|v| v.eq_ignore_ascii_case("disabled"))
        {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} sets `tls` to disabled: clusters using it accept unencrypted connections"),
                )
                .with_identity(format!("{addr}.tls")),
            );
        }
    }
}

fn cfn_docdb_tls_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::DocDB::DBClusterParameterGroup"]) {
        let Ok((Some(v), _)) = cfn_nested(&r, &["Parameters", "tls"]) else {
            continue;
        };
        if v.as_str()
            .is_some_and(|v| v.eq_ignore_ascii_case("disabled"))
        {
            hits.push(
                Hit::at(
                    v,
                    format!("parameter group `{}` sets tls to disabled: clusters using it accept unencrypted connections", r.id),
                )
                .with_identity(format!("{}/tls", r.id)),
            );
        }
    }
}

fn tf_workspaces_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_workspaces_workspace"]) else {
        return;
    };
    let mut off = Vec::new();
    let mut anchor = None;
    for key in [
        "root_volume_encryption_enabled",
        "user_volume_encryption_enabled",
    ] {
        match tf_attr(doc, config, key) {
            Err(()) => {}
            Ok(Some(v)) if v.as_bool() == Some(true) => {}
            Ok(v) => {
                off.push(format!("`{key}`"));
                if let Some(v) = v {
                    anchor.get_or_insert(v);
                }
            }
        }
    }
    if !off.is_empty() {
        hits.push(
            Hit::at(
                anchor.unwrap_or(&doc.root),
                format!(
                    "{addr} leaves volumes unencrypted: {} not true (unset means false)",
                    off.join(" and ")
                ),
            )
            .with_identity(format!("{addr}.volume_encryption")),
        );
    }
}

fn cfn_workspaces_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::WorkSpaces::Workspace"]) {
        let mut off = Vec::new();
        let mut anchor = None;
        for key in ["RootVolumeEncryptionEnabled", "UserVolumeEncryptionEnabled"] {
            match r.prop(key) {
                Err(()) => {}
                Ok(Some(v)) if v.as_bool() == Some(true) => {}
                Ok(v) => {
                    off.push(key);
                    if let Some(v) = v {
                        anchor.get_or_insert(v);
                    }
                }
            }
        }
        if !off.is_empty() {
            hits.push(
                Hit::at(
                    anchor.unwrap_or(r.anchor()),
                    format!(
                        "WorkSpace `{}` leaves volumes unencrypted: {} not true (unset means false)",
                        r.id,
                        off.join(" and ")
                    ),
                )
                .with_identity(format!("{}/VolumeEncryption", r.id)),
            );
        }
    }
}

fn tf_memorydb_tls_off(doc: &Document, hits: &mut Vec<Hit>) {
    tf_bool_is(
        doc,
        hits,
        &["aws_memorydb_cluster"],
        "tls_enabled",
        false,
        "clients connect in plaintext, and commands, data and passwords cross the network in clear",
    );
}

fn cfn_memorydb_tls_off(doc: &Document, hits: &mut Vec<Hit>) {
    cfn_bool_is(
        doc,
        hits,
        &["AWS::MemoryDB::Cluster"],
        "TLSEnabled",
        false,
        "clients connect in plaintext, and commands, data and passwords cross the network in clear",
    );
}

fn tf_rds_proxy_tls(doc: &Document, hits: &mut Vec<Hit>) {
    flag_off(
        doc,
        hits,
        &["aws_db_proxy"],
        "require_tls",
        "accepts unencrypted client connections, passwords and query results included",
    );
}

fn cfn_rds_proxy_tls(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::RDS::DBProxy"]) {
        let hit = must_be_true(
            &r,
            "RequireTLS",
            "clients can connect without TLS, sending passwords and receiving query results in clear",
        );
        push(hits, hit, &format!("{}/RequireTLS", r.id));
    }
}

/// Whether an ElastiCache access string turns the user off.
fn user_off(access: Option<&Node>) -> bool {
    access
        .and_then(text)
        .is_some_and(|a| a.split_whitespace().any(|t| t == "off"))
}

fn tf_elasticache_user_nopass(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_elasticache_user"]) else {
        return;
    };
    if user_off(config.get("access_string")) {
        return;
    }
    let flag = known(config, "no_password_required").filter(|v| v.as_bool() == Some(true));
    let mode = block(config, "authentication_mode")
        .and_then(|b| b.get("type"))
        .and_then(Node::known)
        .filter(|t| t.as_str() == Some("no-password-required"));
    if let Some(at) = flag.or(mode) {
        hits.push(
            Hit::at(at, format!("{addr} needs no password: any client that reaches the cache can log in as this user"))
                .with_identity(format!("{addr}.no_password_required")),
        );
    }
}

fn cfn_elasticache_user_nopass(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::ElastiCache::User"]) {
        if user_off(r.props.get("AccessString")) {
            continue;
        }
        let flag = match r.prop("NoPasswordRequired") {
            Ok(Some(v)) if v.as_bool() == Some(true) => Some(v),
            _ => None,
        };
        let mode = match cfn_nested(&r, &["AuthenticationMode", "Type"]) {
            Ok((Some(t), _)) if t.as_str() == Some("no-password-required") => Some(t),
            _ => None,
        };
        if let Some(at) = flag.or(mode) {
            hits.push(
                Hit::at(at, format!("user `{}` needs no password: any client that reaches the cache can log in as it", r.id))
                    .with_identity(format!("{}/NoPasswordRequired", r.id)),
            );
        }
    }
}

fn tf_msk_unauthenticated(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_msk_cluster"]) else {
        return;
    };
    let Some(v) = block(config, "client_authentication")
        .and_then(|b| b.get("unauthenticated"))
        .and_then(Node::known)
    else {
        return;
    };
    if v.as_bool() == Some(true) {
        hits.push(
            Hit::at(v, format!("{addr} allows unauthenticated clients: anyone who reaches a broker can produce to and consume from every topic"))
                .with_identity(format!("{addr}.unauthenticated")),
        );
    }
}

fn cfn_msk_unauthenticated(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::MSK::Cluster"]) {
        let path = ["ClientAuthentication", "Unauthenticated", "Enabled"];
        if let Ok((Some(v), _)) = cfn_nested(&r, &path) {
            if v.as_bool() == Some(true) {
                hits.push(
                    Hit::at(v, format!("cluster `{}` allows unauthenticated clients: anyone who reaches a broker can produce to and consume from every topic", r.id))
                        .with_identity(format!("{}/Unauthenticated", r.id)),
                );
            }
        }
    }
}

fn tf_msk_public(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_msk_cluster"]) else {
        return;
    };
    let Some(v) = block(config, "broker_node_group_info")
        .and_then(|b| block(b, "connectivity_info"))
        .and_then(|b| block(b, "public_access"))
        .and_then(|b| b.get("type"))
        .and_then(Node::known)
    else {
        return;
    };
    if v.as_str() == Some("SERVICE_PROVIDED_EIPS") {
        hits.push(
            Hit::at(
                v,
                format!("{addr} gives its brokers public IP addresses (`SERVICE_PROVIDED_EIPS`)"),
            )
            .with_identity(format!("{addr}.public_access")),
        );
    }
}

fn cfn_msk_public(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::MSK::Cluster"]) {
        let path = [
            "BrokerNodeGroupInfo",
            "ConnectivityInfo",
            "PublicAccess",
            "Type",
        ];
        if let Ok((Some(v), _)) = cfn_nested(&r, &path) {
            if v.as_str() == Some("SERVICE_PROVIDED_EIPS") {
                hits.push(
                    Hit::at(v, format!("cluster `{}` gives its brokers public IP addresses (SERVICE_PROVIDED_EIPS)", r.id))
                        .with_identity(format!("{}/PublicAccess", r.id)),
                );
            }
        }
    }
}

fn tf_s3_object_public_acl(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_s3_object", "aws_s3_bucket_object"]) else {
        return;
    };
    let Some(acl) = known(config, "acl") else {
        return;
    };
    if let Some(v) = acl.as_str().filter(|v| {
        matches!(
            *v,
            "public-read" | "public-read-write" | "authenticated-read"
        )
    }) {
        let who = if v == "authenticated-read" {
            "any AWS account can read it"
        } else {
            "anyone can read it without credentials"
        };
        hits.push(
            Hit::at(acl, format!("{addr} gives the object the `{v}` ACL: {who}"))
                .with_identity(format!("{addr}.acl")),
        );
    }
}

fn tf_opensearch_anonymous(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, TF_DOMAINS) else {
        return;
    };
    let Some(v) = block(config, "advanced_security_options")
        .and_then(|b| b.get("anonymous_auth_enabled"))
        .and_then(Node::known)
    else {
        return;
    };
    if v.as_bool() == Some(true) {
        hits.push(
            Hit::at(v, format!("{addr} turns on anonymous authentication: unauthenticated requests get the permissions of the anonymous role"))
                .with_identity(format!("{addr}.anonymous_auth_enabled")),
        );
    }
}

fn cfn_opensearch_anonymous(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, CFN_DOMAINS) {
        let path = ["AdvancedSecurityOptions", "AnonymousAuthEnabled"];
        if let Ok((Some(v), _)) = cfn_nested(&r, &path) {
            if v.as_bool() == Some(true) {
                hits.push(
                    Hit::at(v, format!("domain `{}` turns on anonymous authentication: unauthenticated requests get the permissions of the anonymous role", r.id))
                        .with_identity(format!("{}/AnonymousAuthEnabled", r.id)),
                );
            }
        }
    }
}

/// The collections an OpenSearch Serverless network policy opens to the internet: the
/// resource patterns of each rule set with `AllowFromPublic: true`. `None` when the policy
/// is not a decided JSON document.
fn public_collections(policy: &Node) -> Option<Vec<String>> {
    let policy = decode_json_attribute(policy)?;
    let mut out = Vec::new();
    for set in policy.items() {
        if set.get("AllowFromPublic").and_then(Node::as_bool) != Some(true) {
            continue;
        }
        let mut names: Vec<String> = set
            .field("Rules")
            .items()
            .into_iter()
            .flat_map(|rule| rule.field("Resource").items())
            .filter_map(Node::as_str)
            .map(str::to_string)
            .collect();
        if names.is_empty() {
            names.push("its collections".to_string());
        }
        out.extend(names);
    }
    Some(out)
}

fn tf_aoss_public(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_opensearchserverless_security_policy"]) else {
        return;
    };
    if known(config, "type").and_then(Node::as_str) != Some("network") {
        return;
    }
    let Some(policy) = config.get("policy") else {
        return;
    };
    let Some(public) = public_collections(policy).filter(|p| !p.is_empty()) else {
        return;
    };
    hits.push(
        Hit::at(
            policy,
            format!(
                "{addr} allows access from the public internet to {}",
                public.join(", ")
            ),
        )
        .with_identity(format!("{addr}.policy")),
    );
}

fn cfn_aoss_public(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::OpenSearchServerless::SecurityPolicy"]) {
        let Ok(Some(kind)) = r.prop("Type") else {
            continue;
        };
        if kind.as_str() != Some("network") {
            continue;
        }
        let Ok(Some(policy)) = r.prop("Policy") else {
            continue;
        };
        let Some(public) = public_collections(policy).filter(|p| !p.is_empty()) else {
            continue;
        };
        hits.push(
            Hit::at(
                policy,
                format!(
                    "network policy `{}` allows access from the public internet to {}",
                    r.id,
                    public.join(", ")
                ),
            )
            .with_identity(format!("{}/Policy", r.id)),
        );
    }
}

/// DMS engines that connect to a database over the network and support SSL.
const DMS_SSL_ENGINES: &[&str] = &[
    "aurora",
    "aurora-postgresql",
    "babelfish",
    "db2",
    "db2-zos",
    "docdb",
    "mariadb",
    "mongodb",
    "mysql",
    "oracle",
    "postgres",
    "sqlserver",
    "sybase",
];

fn dms_ssl_engine(engine: Option<&Node>) -> bool {
    engine
        .and_then(text)
        .is_some_and(|e| DMS_SSL_ENGINES.contains(&e.to_ascii_lowercase().as_str()))
}

fn tf_dms_endpoint_ssl(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_dms_endpoint"]) else {
        return;
    };
    if !dms_ssl_engine(config.get("engine_name")) {
        return;
    }
    let key = "ssl_mode";
    let hit = match tf_attr(doc, config, key) {
        Err(()) => return,
        Ok(None) => Hit::at(
            &doc.root,
            format!("{addr} connects to its database without SSL (`{key}` is not set and defaults to none)"),
        ),
        Ok(Some(v)) if v.as_str() == Some("none") => Hit::at(
            v,
            format!("{addr} sets `{key} = \"none\"`: data and credentials travel to the database unencrypted"),
        ),
        Ok(Some(_)) => return,
    };
    hits.push(hit.with_identity(format!("{addr}.{key}")));
}

fn cfn_dms_endpoint_ssl(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::DMS::Endpoint"]) {
        if !dms_ssl_engine(r.props.get("EngineName")) {
            continue;
        }
        let key = "SslMode";
        let hit = match r.prop(key) {
            Err(()) => continue,
            Ok(None) => Hit::at(
                r.anchor(),
                format!("endpoint `{}` does not set {key} (none by default): data and credentials travel to the database unencrypted", r.id),
            ),
            Ok(Some(v)) if v.as_str() == Some("none") => Hit::at(
                v,
                format!("endpoint `{}` sets {key} to none: data and credentials travel to the database unencrypted", r.id),
            ),
            Ok(Some(_)) => continue,
        };
        hits.push(hit.with_identity(format!("{}/{key}", r.id)));
    }
}
