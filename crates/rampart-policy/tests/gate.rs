//! The gate policy over real reports, the shipped policy library with its Rego unit tests, and
//! what bad policies do.

use std::path::PathBuf;
use std::time::Duration;

use rampart_core::Report;
use rampart_policy::gate::GatePolicy;
use rampart_policy::{testing, Bundle};

fn library() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies")
}

fn policy(name: &str) -> GatePolicy {
    GatePolicy::load(&[library().join(format!("{name}.rego"))]).expect("loads")
}

/// A report as `rampart scan --format json` writes it: a committed token, a critical
/// vulnerability with a fix, a known-exploited medium one accepted by an exception, and an
/// IaC finding mapped to a CIS control.
fn report() -> Report {
    let location = |path: &str, line: u32| {
        serde_json::json!({"path": path, "line": line, "column": 1, "end_line": line,
            "end_column": 10, "byte_offset": 0, "byte_length": 9})
    };
    let json = serde_json::json!({
        "schema_version": "1.0",
        "tool": {"name": "rampart", "version": "0.1.0"},
        "target": ".",
        "scanners": ["secrets", "deps", "iac"],
        "findings": [
            {"rule_id": "secret.github-pat", "scanner": "secrets", "title": "GitHub personal access token",
             "severity": "critical", "confidence": "high", "message": "GitHub token ghp_***** is committed",
             "fingerprint": "aaaa", "secret": "ghp_*****", "locations": [location("ci/deploy.sh", 4)]},
            {"rule_id": "sca.vulnerable-dependency", "scanner": "deps", "title": "Dependency with a known vulnerability",
             "severity": "critical", "confidence": "high", "message": "log4j-core 2.14.1 has CVE-2021-44228",
             "fingerprint": "bbbb", "locations": [location("pom.xml", 12)],
             "vulnerability": {"package": "log4j-core", "version": "2.14.1", "ecosystem": "Maven",
                "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                "ids": ["CVE-2021-44228"], "fixed": "2.15.0",
                "kev": {"date_added": "2021-12-10", "due_date": "2021-12-24", "ransomware": true}}},
            {"rule_id": "sca.vulnerable-dependency", "scanner": "deps", "title": "Dependency with a known vulnerability",
             "severity": "medium", "confidence": "high", "message": "lodash 4.17.20 has CVE-2021-23337",
             "fingerprint": "cccc", "locations": [location("package-lock.json", 40)],
             "vulnerability": {"package": "lodash", "version": "4.17.20", "ecosystem": "npm",
                "purl": "pkg:npm/lodash@4.17.20", "ids": ["CVE-2021-23337"],
                "kev": {"date_added": "2024-01-01", "due_date": "2024-01-22", "ransomware": false}},
             "suppressed": {"kind": "exception", "reason": "build-time only", "source": "rampart.toml",
                "approver": "sam@example.com", "expires": "2099-01-01"}},
            {"rule_id": "iac.aws.s3-public-acl", "scanner": "iac", "title": "S3 bucket with a public canned ACL",
             "severity": "high", "confidence": "high", "message": "aws_s3_bucket.site grants `public-read` to everyone",
             "fingerprint": "dddd", "locations": [location("main.tf", 3)]}
        ],
        "diagnostics": [],
        "stats": {"files_scanned": 4, "bytes_scanned": 100, "skipped_binary": 0, "skipped_too_large": 0,
                  "unreadable": 0, "suppressed_inline": 0, "suppressed_config": 0, "in_baseline": 0},
        "rules": [
            {"id": "iac.aws.s3-public-acl", "scanner": "iac", "title": "S3 bucket with a public canned ACL",
             "severity": "high", "confidence": "high", "description": "d", "remediation": "r",
             "references": [], "taxonomy": {"cwe": ["CWE-732"], "cis": ["CIS-AWS-2.1.4"]}}
        ],
        "gate": {"fail_on": "high", "passed": false, "failing_findings": 3}
    });
    serde_json::from_value(json).expect("a report")
}

#[test]
fn the_shipped_policies_pass_their_rego_unit_tests() {
    let results = testing::run(&[library()]).expect("loads");
    let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    // Every shipped policy has tests.
    for entry in std::fs::read_dir(library()).expect("dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        if let Some(stem) = name.strip_suffix(".rego").filter(|s| !s.ends_with("_test")) {
            let package = format!("rampart.gate.{stem}_test.");
            assert!(
                results
                    .iter()
                    .filter(|r| r.name.starts_with(&package))
                    .count()
                    >= 2,
                "{stem} needs Rego unit tests"
            );
        }
    }
}

#[test]
fn each_shipped_policy_decides_on_a_real_report() {
    let report = report();
    let denied = |name: &str| -> Vec<(String, Vec<String>)> {
        policy(name)
            .decide(&report)
            .denies
            .into_iter()
            .map(|d| (d.message, d.findings))
            .collect()
    };
    assert_eq!(
        denied("no_secrets"),
        [(
            "secret in the code: GitHub personal access token (secret.github-pat) at ci/deploy.sh:4"
                .to_string(),
            vec!["aaaa".to_string()]
        )]
    );
    // The accepted known-exploited lodash finding does not count; both criticals do.
    let critical = denied("no_critical_or_known_exploited");
    let behind: Vec<&str> = critical.iter().map(|(_, f)| f[0].as_str()).collect();
    assert_eq!(behind.len(), 2, "{critical:?}");
    assert!(behind.contains(&"aaaa") && behind.contains(&"bbbb"));
    assert_eq!(
        denied("fixable_criticals"),
        [(
            "log4j-core 2.14.1: CVE-2021-44228, fixed in 2.15.0".to_string(),
            vec!["bbbb".to_string()]
        )]
    );
    assert_eq!(
        denied("iac_cis"),
        [(
            "iac.aws.s3-public-acl fails CIS-AWS-2.1.4: aws_s3_bucket.site grants `public-read` to everyone at main.tf:3".to_string(),
            vec!["dddd".to_string()]
        )]
    );
    let new_high = policy("no_new_high").decide(&report);
    assert_eq!(new_high.denies.len(), 3, "{new_high:?}");
    assert!(new_high.warnings.is_empty());

    let decision = policy("no_secrets").decide(&report);
    assert!(decision.digest.starts_with("sha256:") && decision.digest.len() == 71);
    let gate = report.gate.clone();
    assert!(!gate.with_policy(decision).passed);
}

#[test]
fn a_syntax_error_names_the_file_and_a_runaway_policy_fails_the_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.rego");
    std::fs::write(
        &bad,
        "package rampart.gate\n\ndeny contains msg if {\n  msg := \n}\n",
    )
    .expect("write");
    let err = GatePolicy::load(&[dir.path().to_path_buf()])
        .err()
        .expect("a syntax error");
    assert!(err.to_string().contains("bad.rego"), "{err}");

    std::fs::write(
        &bad,
        "package rampart.gate\nimport rego.v1\ndeny contains \"x\" if {\n  some a in numbers.range(1, 4000)\n  some b in numbers.range(1, 4000)\n  some c in numbers.range(1, 4000)\n  a + b + c < 0\n}\n",
    )
    .expect("write");
    let mut slow = GatePolicy::load(&[dir.path().to_path_buf()]).expect("loads");
    slow.set_time_limit(Duration::from_millis(200));
    let decision = slow.decide(&report());
    assert!(decision.denies.is_empty());
    assert_eq!(decision.errors.len(), 1, "{decision:?}");
    let mut passing = report();
    passing.gate.passed = true;
    assert!(!passing.gate.with_policy(decision).passed);
}

#[test]
fn failing_rego_tests_are_reported_with_why() {
    let bundle = Bundle::from_sources(vec![(
        PathBuf::from("t_test.rego"),
        "package t\nimport rego.v1\ntest_ok if { 1 == 1 }\ntest_wrong if { 1 == 2 }\ntest_value := 3\n"
            .to_string(),
    )])
    .expect("loads");
    let results = testing::run_bundle(&bundle);
    let summary: Vec<(&str, bool)> = results
        .iter()
        .map(|r| (r.name.as_str(), r.passed))
        .collect();
    assert_eq!(
        summary,
        [
            ("t.test_ok", true),
            ("t.test_value", false),
            ("t.test_wrong", false)
        ]
    );
    assert!(results[1]
        .failure
        .as_deref()
        .unwrap_or_default()
        .contains("3"));
}

/// The input is the JSON report as documented: locations reduced to path, line, column and
/// commit, and each finding with its rule's facts and the four flags policies ask about.
#[test]
fn the_input_is_the_report_with_what_policies_ask_added() {
    let report = report();
    let mut expected = serde_json::to_value(&report).expect("json");
    let rules = expected["rules"].clone();
    // Always there for policies, even where the report leaves an empty list out.
    if expected.get("exceptions").is_none() {
        expected["exceptions"] = serde_json::json!([]);
    }
    for f in expected["findings"].as_array_mut().expect("findings") {
        for l in f["locations"].as_array_mut().expect("locations") {
            let kept: serde_json::Map<_, _> = l
                .as_object()
                .expect("object")
                .iter()
                .filter(|(k, _)| matches!(k.as_str(), "path" | "line" | "column" | "commit"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            *l = serde_json::Value::Object(kept);
        }
        let facts = rules
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["id"] == f["rule_id"]))
            .map(|r| {
                serde_json::json!({"id": r["id"], "scanner": r["scanner"], "title": r["title"],
                    "severity": r["severity"], "taxonomy": r["taxonomy"]})
            })
            .unwrap_or(serde_json::Value::Null);
        let vulnerability = f.get("vulnerability").cloned().unwrap_or_default();
        f["rule"] = facts;
        f["fixable"] = (!vulnerability["fixed"].is_null()).into();
        f["known_exploited"] = (!vulnerability["kev"].is_null()).into();
        f["accepted"] = f.get("suppressed").is_some().into();
        f["new"] = true.into();
    }
    let input = rampart_policy::input::gate_input(&report);
    let actual: serde_json::Value =
        serde_json::from_str(&input.to_json_str().expect("json")).expect("parses");
    assert_eq!(actual, expected);
    assert_eq!(actual["findings"][1]["fixable"], true);
    assert_eq!(actual["findings"][2]["accepted"], true);
    assert_eq!(
        actual["findings"][3]["rule"]["taxonomy"]["cis"][0],
        "CIS-AWS-2.1.4"
    );
}

/// Reports large enough to be built in parallel chunks give the same input, in order.
#[test]
fn a_large_input_keeps_every_finding_in_order() {
    let mut report = report();
    let template = report.findings[3].clone();
    report.findings = (0..5_000)
        .map(|i| {
            let mut f = template.clone();
            f.message = format!("finding {i}");
            f
        })
        .collect();
    let input = rampart_policy::input::gate_input(&report);
    let actual: serde_json::Value =
        serde_json::from_str(&input.to_json_str().expect("json")).expect("parses");
    let messages: Vec<&str> = actual["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 5_000);
    assert!(messages
        .iter()
        .enumerate()
        .all(|(i, m)| *m == format!("finding {i}")));
}
