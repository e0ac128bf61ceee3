//! AWS logging and detection: CloudTrail, Config, GuardDuty, flow and access logs. Each check
//! reads Terraform and CloudFormation alike: its `tf_` function the one, its `cfn_` function
//! the other.

use super::super::cloudformation::{must_be_true, push, resources};
use crate::check::{CheckFn, Hit};
use crate::model::Document;

pub(in crate::checks) const CHECKS: &[(&str, CheckFn)] = &[
    (
        "iac.aws.cloudtrail-not-multi-region",
        cfn_cloudtrail_multi_region,
    ),
    (
        "iac.aws.cloudtrail-log-validation-off",
        cfn_cloudtrail_validation,
    ),
];

fn cfn_cloudtrail_multi_region(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::CloudTrail::Trail"]) {
        let hit = must_be_true(
            &r,
            "IsMultiRegionTrail",
            "activity in other regions is not recorded",
        );
        push(hits, hit, r.id);
    }
}

fn cfn_cloudtrail_validation(doc: &Document, hits: &mut Vec<Hit>) {
    for r in resources(doc, &["AWS::CloudTrail::Trail"]) {
        let hit = must_be_true(
            &r,
            "EnableLogFileValidation",
            "log files can be altered or deleted without detection",
        );
        push(hits, hit, r.id);
    }
}
