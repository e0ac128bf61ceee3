//! AWS data stores: S3, RDS, EBS and the other services that hold data. Each check reads
//! Terraform and CloudFormation alike: its `tf_` function the one, its `cfn_` function the other.

use super::super::cloudformation::{decided, is_intrinsic, must_be_true, push, resources};
use super::super::terraform::{flag_off, resource};
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub(in crate::checks) const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.aws.s3-public-acl", tf_s3_public_acl),
    ("iac.aws.s3-public-acl", cfn_s3_public_acl),
    ("iac.aws.s3-public-access-block", cfn_s3_public_access_block),
    ("iac.aws.s3-no-default-encryption", cfn_s3_no_encryption),
    ("iac.aws.rds-publicly-accessible", tf_rds_public),
    ("iac.aws.rds-publicly-accessible", cfn_rds_public),
    ("iac.aws.rds-storage-not-encrypted", tf_rds_not_encrypted),
    ("iac.aws.rds-storage-not-encrypted", cfn_rds_not_encrypted),
    ("iac.aws.ebs-not-encrypted", tf_ebs_not_encrypted),
    ("iac.aws.ebs-not-encrypted", cfn_ebs_not_encrypted),
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

fn cfn_rds_public(doc: &Document, hits: &mut Vec<Hit>) {
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

fn tf_rds_not_encrypted(doc: &Document, hits: &mut Vec<Hit>) {
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
