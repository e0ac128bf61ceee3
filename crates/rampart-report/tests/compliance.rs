//! Compliance assessments: what passes, fails and goes untested, and every output format of
//! every framework checked against its schema or parser.

mod fixture;

use std::collections::BTreeSet;
use std::path::Path;

use fixture::{assert_valid, aws_rule, docker_rule, hostile_report, s3_rule, sample_report};
use rampart_core::compliance::{assess, framework_ids, Assessment, Framework, Status};
use rampart_core::{Report, RuleMeta, Suppression, Taxonomy};
use rampart_report::compliance::{
    compliance_schema, render_compliance, ComplianceFormat, ComplianceOptions,
};
use serde_json::Value;

const GENERATED: &str = "2026-11-23T10:00:00Z";

fn options() -> ComplianceOptions<'static> {
    ComplianceOptions {
        color: false,
        generated: GENERATED,
    }
}

/// The fixture's rules, with ids in every framework so each one has something to judge.
fn rules() -> Vec<RuleMeta> {
    let mut docker = docker_rule();
    docker.taxonomy = Taxonomy {
        cwe: vec!["CWE-250".into()],
        cis: vec!["CIS-Docker-4.1".into(), "CIS-Kubernetes-5.2.7".into()],
        nist_800_53: vec!["AC-6".into()],
        iso_27001: vec!["A.8.2".into()],
        hipaa: vec!["164.308(a)(4)".into()],
        ..Taxonomy::default()
    };
    let mut s3 = s3_rule();
    s3.taxonomy.nist_800_53 = vec!["CP-9".into()];
    s3.taxonomy.cis = vec![
        "CIS-AWS-2.1.1".into(),
        "CIS-Azure-4.1.1".into(),
        "CIS-GCP-5.1".into(),
    ];
    s3.taxonomy.pci_dss = vec!["10.5.1".into()];
    let mut aws = aws_rule();
    aws.taxonomy.iso_27001 = vec!["A.5.17".into()];
    aws.taxonomy.hipaa = vec!["164.312(d)".into()];
    vec![aws, docker, s3]
}

fn report() -> Report {
    let mut report = sample_report();
    report.rules = rules();
    report
}

fn assessment(framework: &str, baseline: Option<&str>, report: &Report) -> Assessment {
    let fw = Framework::load(framework).unwrap();
    assess(&fw, baseline, report, &rules()).unwrap()
}

fn control<'a>(a: &'a Assessment, id: &str) -> &'a rampart_core::compliance::ControlResult {
    a.controls
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} not in {}", a.framework.id))
}

// ---- the judgement ----

#[test]
fn a_control_fails_on_an_open_finding_and_names_it() {
    let a = assessment("nist-800-53", None, &report());
    let ia5 = control(&a, "IA-5(7)");
    assert_eq!(ia5.status, Status::Fail);
    assert_eq!(ia5.rules, vec!["secret.aws-access-key-id"]);
    assert_eq!(ia5.findings.len(), 1);
    assert_eq!(ia5.findings[0].path, "config/app settings.env");
    assert_eq!(ia5.findings[0].line, 3);
}

#[test]
fn a_control_passes_when_its_rules_ran_and_found_nothing() {
    let mut report = report();
    report
        .findings
        .retain(|f| f.rule_id != "iac.aws.s3-bucket-versioning-disabled");
    let a = assessment("nist-800-53", None, &report);
    let cp9 = control(&a, "CP-9");
    assert_eq!(cp9.status, Status::Pass);
    assert_eq!(cp9.rules_run, vec!["iac.aws.s3-bucket-versioning-disabled"]);
    assert!(cp9.findings.is_empty());
}

#[test]
fn a_control_is_not_tested_without_rules_or_when_its_scanner_did_not_run() {
    let mut report = report();
    let a = assessment("nist-800-53", None, &report);
    let pe3 = control(&a, "PE-3");
    assert_eq!((pe3.status, pe3.rules.len()), (Status::NotTested, 0));

    // Only the secrets scanner ran: the IaC rule's control is not tested, not passed.
    report.scanners = vec!["secrets".into()];
    report.findings.retain(|f| f.scanner == "secrets");
    let a = assessment("nist-800-53", None, &report);
    let cp9 = control(&a, "CP-9");
    assert_eq!(cp9.status, Status::NotTested);
    assert_eq!(cp9.rules, vec!["iac.aws.s3-bucket-versioning-disabled"]);
    assert!(cp9.rules_run.is_empty());
}

#[test]
fn accepted_findings_are_listed_with_their_approver_and_do_not_fail_the_control() {
    let mut report = report();
    for f in &mut report.findings {
        if f.rule_id == "secret.aws-access-key-id" {
            f.suppressed = Some(Suppression {
                kind: "exception".into(),
                reason: "test credentials of the local emulator".into(),
                source: "rampart.toml".into(),
                approver: Some("security@example.com".into()),
                expires: Some("2027-01-31".into()),
                ticket: Some("SEC-42".into()),
            });
        }
    }
    let a = assessment("pci-dss", None, &report);
    let c = control(&a, "8.6.2");
    assert_eq!(c.status, Status::Pass);
    assert!(c.findings.is_empty());
    assert_eq!(c.accepted.len(), 1);
    assert_eq!(
        c.accepted[0].by.approver.as_deref(),
        Some("security@example.com")
    );
    assert_eq!(c.accepted[0].by.expires.as_deref(), Some("2027-01-31"));
    assert_eq!(a.summary.accepted_findings, 1);

    let table = render_compliance(&a, ComplianceFormat::Table, &options());
    assert!(
        table.contains("accepted by security@example.com until 2027-01-31"),
        "{table}"
    );
    let oscal: Value =
        serde_json::from_str(&render_compliance(&a, ComplianceFormat::Oscal, &options())).unwrap();
    let risks = &oscal["assessment-results"]["results"][0]["risks"];
    assert_eq!(risks[0]["status"], "deviation-approved");
    assert_eq!(
        risks[0]["statement"],
        "test credentials of the local emulator"
    );
}

#[test]
fn owasp_categories_are_tested_through_the_weaknesses_filed_under_them() {
    let mut report = report();
    for r in &mut report.rules {
        r.taxonomy.owasp.clear();
    }
    let mut rules = rules();
    for r in &mut rules {
        r.taxonomy.owasp.clear();
    }
    let fw = Framework::load("owasp-top10").unwrap();
    let a = assess(&fw, None, &report, &rules).unwrap();
    // CWE-798, hard-coded credentials, is one of A07's weaknesses.
    let a07 = control(&a, "A07:2021");
    assert_eq!(a07.status, Status::Fail);
    assert_eq!(a07.rules, vec!["secret.aws-access-key-id"]);
}

#[test]
fn baselines_select_controls_and_counts_add_up() {
    let report = report();
    let low = assessment("nist-800-53", Some("low"), &report);
    let high = assessment("nist-800-53", Some("high"), &report);
    assert_eq!(low.framework.baseline.as_deref(), Some("low"));
    assert!(low.controls.len() < high.controls.len());
    assert!(!low.controls.iter().any(|c| c.id == "AC-6(1)"));
    for a in [&low, &high] {
        let s = a.summary.counts;
        assert_eq!(s.controls, a.controls.len());
        assert_eq!(s.pass + s.fail + s.not_tested, s.controls);
        let by_family: usize = a.families.iter().map(|f| f.counts.controls).sum();
        assert_eq!(by_family, s.controls);
    }
    let fw = Framework::load("nist-800-53").unwrap();
    let e = assess(&fw, Some("extreme"), &report, &rules()).unwrap_err();
    assert!(e.to_string().contains("low, moderate, high"), "{e}");
}

// ---- every framework, every format ----

fn compliance_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(compliance_schema()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// OSCAL's published JSON Schema for assessment results.
fn oscal_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oscal/oscal_assessment-results_schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

#[test]
fn every_framework_renders_valid_json_oscal_html_and_a_table() {
    let json_schema = compliance_validator();
    let oscal_schema = oscal_validator();
    let reports = [("sample", report()), ("hostile", hostile_report())];
    for id in framework_ids() {
        for (name, report) in &reports {
            let a = assessment(id, None, report);
            let what = format!("{id} of the {name} report");
            assert!(a.summary.counts.controls > 0, "{what}");

            let json: Value =
                serde_json::from_str(&render_compliance(&a, ComplianceFormat::Json, &options()))
                    .unwrap();
            assert_valid(&json_schema, &json, &what);
            let back: Assessment = serde_json::from_value(json).unwrap();
            assert_eq!(back, a, "{what}: the JSON reads back");

            let oscal: Value =
                serde_json::from_str(&render_compliance(&a, ComplianceFormat::Oscal, &options()))
                    .unwrap();
            assert_valid(&oscal_schema, &oscal, &format!("OSCAL {what}"));

            let html = render_compliance(&a, ComplianceFormat::Html, &options());
            check_html(&html, &a, &what);

            let table = render_compliance(&a, ComplianceFormat::Table, &options());
            assert!(table.contains(&a.framework.title), "{what}");
            assert!(!table.contains('\u{1b}'), "{what}: escapes without colour");
        }
    }
}

#[test]
fn the_json_schema_check_is_not_vacuous() {
    let validator = compliance_validator();
    let a = assessment("cis-docker", None, &report());
    let mut json = serde_json::to_value(&a).unwrap();
    json["controls"][0]["status"] = Value::from("compliant");
    assert!(!validator.is_valid(&json));
    let oscal = oscal_validator();
    let doc: Value =
        serde_json::from_str(&render_compliance(&a, ComplianceFormat::Oscal, &options())).unwrap();
    assert!(oscal.is_valid(&doc));
    let mut bad_uuid = doc.clone();
    bad_uuid["assessment-results"]["uuid"] = Value::from("not-a-uuid");
    assert!(!oscal.is_valid(&bad_uuid));
    // Deep in the document, behind the schema's `$id` references.
    let mut bad_state = doc.clone();
    bad_state["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] =
        Value::from("compliant");
    assert!(!oscal.is_valid(&bad_state));
    let mut uncollected = doc;
    if let Some(o) =
        uncollected["assessment-results"]["results"][0]["observations"][0].as_object_mut()
    {
        o.remove("collected");
    }
    assert!(!oscal.is_valid(&uncollected));
}

/// Opens the page with an XML parser (the page is well-formed by design), and checks that it
/// loads nothing, that the chart has a bar per family with the family's counts, and that every
/// control has a row.
fn check_html(html: &str, a: &Assessment, what: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{what}");
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..roxmltree::ParsingOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{what}: the page does not parse: {e}"));
    for node in doc.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        assert!(
            !matches!(
                tag,
                "script" | "link" | "img" | "iframe" | "object" | "embed"
            ),
            "{what}: <{tag}> loads something"
        );
        for attr in ["src", "srcset"] {
            assert!(node.attribute(attr).is_none(), "{what}: {attr} on <{tag}>");
        }
    }
    let style = doc
        .descendants()
        .find(|n| n.has_tag_name("style"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "{what}"
    );

    let bars: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("family"))
        .collect();
    assert_eq!(bars.len(), a.families.len(), "{what}: one bar per family");
    for (bar, family) in bars.iter().zip(&a.families) {
        assert_eq!(bar.attribute("data-family"), Some(family.id.as_str()));
        let count = |class: &str| -> usize {
            bar.children()
                .find(|n| n.attribute("class") == Some(class))
                .and_then(|n| n.attribute("data-count"))
                .and_then(|c| c.parse().ok())
                .unwrap_or(usize::MAX)
        };
        assert_eq!(
            (count("fail"), count("pass"), count("not-tested")),
            (
                family.counts.fail,
                family.counts.pass,
                family.counts.not_tested
            ),
            "{what}: family {}",
            family.id
        );
    }
    let rows: BTreeSet<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(rows.len(), a.controls.len(), "{what}: one row per control");
    if what.contains("hostile") {
        let text: String = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(!html.contains("<script>"), "{what}");
        assert!(text.contains("<script>") || a.controls.iter().all(|c| c.findings.is_empty()));
    }
}

#[test]
fn outputs_are_deterministic() {
    let a = assessment("iso-27001", None, &report());
    for format in ComplianceFormat::ALL {
        assert_eq!(
            render_compliance(&a, format, &options()),
            render_compliance(&a, format, &options()),
            "{format}"
        );
    }
}
