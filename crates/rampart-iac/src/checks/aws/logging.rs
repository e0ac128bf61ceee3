//! AWS logging and detection: CloudTrail, Config, GuardDuty, flow and access logs. Each check
//! reads Terraform and CloudFormation alike: its `tf_` function the one, its `cfn_` function
//! the other.

use super::super::cloudformation::{decided, must_be_true, push, resources, scalar, Resource};
use super::super::terraform::{block, flag_off, resource};
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub(in crate::checks) const CHECKS: &[(&str, CheckFn)] = &[
    (
        "iac.aws.cloudtrail-not-multi-region",
        tf_cloudtrail_multi_region,
    ),
    (
        "iac.aws.cloudtrail-not-multi-region",
        cfn_cloudtrail_multi_region,
    ),
    (
        "iac.aws.cloudtrail-log-validation-off",
        tf_cloudtrail_validation,
    ),
    (
        "iac.aws.cloudtrail-log-validation-off",
        cfn_cloudtrail_validation,
    ),
    ("iac.aws.cloudtrail-no-kms", tf_cloudtrail_no_kms),
    ("iac.aws.cloudtrail-no-kms", cfn_cloudtrail_no_kms),
    (
        "iac.aws.cloudtrail-no-cloudwatch",
        tf_cloudtrail_no_cloudwatch,
    ),
    (
        "iac.aws.cloudtrail-no-cloudwatch",
        cfn_cloudtrail_no_cloudwatch,
    ),
    ("iac.aws.cloudtrail-logging-off", tf_cloudtrail_logging_off),
    ("iac.aws.cloudtrail-logging-off", cfn_cloudtrail_logging_off),
    (
        "iac.aws.cloudtrail-global-events-off",
        tf_cloudtrail_global_events_off,
    ),
    (
        "iac.aws.cloudtrail-global-events-off",
        cfn_cloudtrail_global_events_off,
    ),
    ("iac.aws.cloudwatch-log-group-no-kms", tf_log_group_no_kms),
    ("iac.aws.cloudwatch-log-group-no-kms", cfn_log_group_no_kms),
    ("iac.aws.vpc-flow-log-partial-traffic", tf_flow_log_traffic),
    ("iac.aws.vpc-flow-log-partial-traffic", cfn_flow_log_traffic),
    (
        "iac.aws.config-recorder-partial",
        tf_config_recorder_partial,
    ),
    (
        "iac.aws.config-recorder-partial",
        cfn_config_recorder_partial,
    ),
    (
        "iac.aws.config-recorder-stopped",
        tf_config_recorder_stopped,
    ),
    ("iac.aws.guardduty-detector-disabled", tf_guardduty_disabled),
    (
        "iac.aws.guardduty-detector-disabled",
        cfn_guardduty_disabled,
    ),
];

const TRAIL_TF: &[&str] = &["aws_cloudtrail"];
const TRAIL_CFN: &[&str] = &["AWS::CloudTrail::Trail"];

/// A Terraform attribute that must be set (to anything): a hit at the resource when absent.
fn tf_missing(doc: &Document, hits: &mut Vec<Hit>, types: &[&str], key: &str, what: &str) {
    let Some((addr, config)) = resource(doc, types) else {
        return;
    };
    if config.get(key).is_none_or(Node::is_null) {
        hits.push(
            Hit::at(&doc.root, format!("{addr} {what} (`{key}` is not set)"))
                .with_identity(addr.to_string()),
        );
    }
}

/// A CloudFormation property that must be set: a hit at the resource's type when absent.
fn cfn_missing(r: &Resource, key: &str, what: &str) -> Option<Hit> {
    match r.props.get(key) {
        Some(_) => None,
        None => Some(Hit::at(
            r.anchor(),
            format!("`{}` {what} ({key} is not set)", r.id),
        )),
    }
}

/// A Terraform boolean written false where the default is true.
fn tf_written_false(doc: &Document, hits: &mut Vec<Hit>, types: &[&str], key: &str, what: &str) {
    let Some((addr, config)) = resource(doc, types) else {
        return;
    };
    if let Some(v) = config.get(key).and_then(Node::known) {
        if v.as_bool() == Some(false) {
            hits.push(
                Hit::at(v, format!("{addr} sets `{key} = false`: {what}"))
                    .with_identity(addr.to_string()),
            );
        }
    }
}

/// A CloudFormation boolean property written false.
fn cfn_written_false(r: &Resource, key: &str, what: &str) -> Option<Hit> {
    let v = r.prop(key).ok()??;
    (v.as_bool() == Some(false))
        .then(|| Hit::at(v, format!("`{}` sets {key} to false: {what}", r.id)))
}

fn tf_cloudtrail_multi_region(doc: &Document, hits: &mut Vec<Hit>) {
    flag_off(
        doc,
        hits,
        TRAIL_TF,
        "is_multi_region_trail",
        "records one region only: activity in other regions is not recorded",
    );
}

fn cfn_cloudtrail_multi_region(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, TRAIL_CFN) {
        let hit = must_be_true(
            &r,
            "IsMultiRegionTrail",
            "activity in other regions is not recorded",
        );
        push(hits, hit, r.id);
    }
}

fn tf_cloudtrail_validation(doc: &Document, hits: &mut Vec<Hit>) {
    flag_off(
        doc,
        hits,
        TRAIL_TF,
        "enable_log_file_validation",
        "does not validate its log files: they can be altered or deleted without detection",
    );
}

fn cfn_cloudtrail_validation(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, TRAIL_CFN) {
        let hit = must_be_true(
            &r,
            "EnableLogFileValidation",
            "log files can be altered or deleted without detection",
        );
        push(hits, hit, r.id);
    }
}

fn tf_cloudtrail_no_kms(doc: &Document, hits: &mut Vec<Hit>) {
    tf_missing(
        doc,
        hits,
        TRAIL_TF,
        "kms_key_id",
        "writes its logs encrypted with S3-managed keys only, readable by anyone who can read the bucket",
    );
}

fn cfn_cloudtrail_no_kms(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, TRAIL_CFN) {
        let hit = cfn_missing(
            &r,
            "KMSKeyId",
            "writes its logs encrypted with S3-managed keys only, readable by anyone who can read the bucket",
        );
        push(hits, hit, r.id);
    }
}

fn tf_cloudtrail_no_cloudwatch(doc: &Document, hits: &mut Vec<Hit>) {
    tf_missing(
        doc,
        hits,
        TRAIL_TF,
        "cloud_watch_logs_group_arn",
        "does not deliver events to CloudWatch Logs, so no metric filter or alarm can watch them",
    );
}

fn cfn_cloudtrail_no_cloudwatch(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, TRAIL_CFN) {
        let hit = cfn_missing(
            &r,
            "CloudWatchLogsLogGroupArn",
            "does not deliver events to CloudWatch Logs, so no metric filter or alarm can watch them",
        );
        push(hits, hit, r.id);
    }
}

fn tf_cloudtrail_logging_off(doc: &Document, hits: &mut Vec<Hit>) {
    tf_written_false(
        doc,
        hits,
        TRAIL_TF,
        "enable_logging",
        "the trail exists but records nothing",
    );
}

fn cfn_cloudtrail_logging_off(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, TRAIL_CFN) {
        let hit = cfn_written_false(&r, "IsLogging", "the trail exists but records nothing");
        push(hits, hit, r.id);
    }
}

fn tf_cloudtrail_global_events_off(doc: &Document, hits: &mut Vec<Hit>) {
    tf_written_false(
        doc,
        hits,
        TRAIL_TF,
        "include_global_service_events",
        "IAM, STS and sign-in events are not recorded",
    );
}

fn cfn_cloudtrail_global_events_off(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, TRAIL_CFN) {
        let hit = cfn_written_false(
            &r,
            "IncludeGlobalServiceEvents",
            "IAM, STS and sign-in events are not recorded",
        );
        push(hits, hit, r.id);
    }
}

fn tf_log_group_no_kms(doc: &Document, hits: &mut Vec<Hit>) {
    tf_missing(
        doc,
        hits,
        &["aws_cloudwatch_log_group"],
        "kms_key_id",
        "is encrypted only with a key CloudWatch Logs manages, so no key policy limits who can read it",
    );
}

fn cfn_log_group_no_kms(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::Logs::LogGroup"]) {
        let hit = cfn_missing(
            &r,
            "KmsKeyId",
            "is encrypted only with a key CloudWatch Logs manages, so no key policy limits who can read it",
        );
        push(hits, hit, r.id);
    }
}

/// A traffic type that leaves part of the traffic out of the log.
fn partial_traffic(node: &Node) -> Option<String> {
    scalar(node).filter(|t| t == "accept" || t == "reject")
}

fn traffic_message(name: &str, kind: &str) -> String {
    let missing = if kind == "accept" {
        "rejected"
    } else {
        "accepted"
    };
    format!(
        "{name} logs only {} traffic: {missing} connections leave no record",
        kind.to_ascii_uppercase()
    )
}

fn tf_flow_log_traffic(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_flow_log"]) else {
        return;
    };
    let Some(v) = config.get("traffic_type").and_then(Node::known) else {
        return;
    };
    if let Some(kind) = partial_traffic(v) {
        hits.push(Hit::at(v, traffic_message(addr, &kind)).with_identity(addr.to_string()));
    }
}

fn cfn_flow_log_traffic(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::EC2::FlowLog"]) {
        let Ok(Some(v)) = r.prop("TrafficType") else {
            continue;
        };
        if let Some(kind) = partial_traffic(v) {
            let hit = Hit::at(v, traffic_message(&format!("flow log `{}`", r.id), &kind));
            push(hits, Some(hit), r.id);
        }
    }
}

fn tf_config_recorder_partial(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_config_configuration_recorder"]) else {
        return;
    };
    let Some(v) = block(config, "recording_group")
        .and_then(|g| g.get("all_supported"))
        .and_then(Node::known)
    else {
        return;
    };
    if v.as_bool() == Some(false) {
        hits.push(
            Hit::at(
                v,
                format!("{addr} records only selected resource types (`all_supported = false`): changes to the others leave no configuration history"),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn cfn_config_recorder_partial(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::Config::ConfigurationRecorder"]) {
        let Some(v) = r
            .props
            .get("RecordingGroup")
            .and_then(decided)
            .and_then(|g| g.get("AllSupported"))
            .and_then(decided)
        else {
            continue;
        };
        if v.as_bool() == Some(false) {
            let hit = Hit::at(
                v,
                format!("configuration recorder `{}` records only selected resource types (AllSupported is false): changes to the others leave no configuration history", r.id),
            );
            push(hits, Some(hit), r.id);
        }
    }
}

fn tf_config_recorder_stopped(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["aws_config_configuration_recorder_status"]) else {
        return;
    };
    if let Some(v) = config.get("is_enabled").and_then(Node::known) {
        if v.as_bool() == Some(false) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} keeps the AWS Config recorder stopped: no configuration changes are recorded"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn tf_guardduty_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    tf_written_false(
        doc,
        hits,
        &["aws_guardduty_detector"],
        "enable",
        "GuardDuty produces no findings in this region",
    );
}

fn cfn_guardduty_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::GuardDuty::Detector"]) {
        let hit = cfn_written_false(
            &r,
            "Enable",
            "GuardDuty produces no findings in this region",
        );
        push(hits, hit, r.id);
    }
}
