mod fixture;

use std::path::Path;

use fixture::{
    assert_valid, empty_report, hostile_report, many_findings_report, quiet_rules, sample_report,
    HOSTILE,
};
use rampart_core::Report;
use rampart_report::{render, report_schema, Format, RenderOptions};
use serde_json::Value;

fn plain(report: &Report, format: Format) -> String {
    render(report, format, &RenderOptions::default())
}

// ---- snapshots ----

#[test]
fn table_snapshot() {
    insta::assert_snapshot!("table", plain(&sample_report(), Format::Table));
}

#[test]
fn table_colour_snapshot() {
    let options = RenderOptions {
        color: true,
        rules: &[],
    };
    insta::assert_snapshot!(
        "table_color",
        render(&sample_report(), Format::Table, &options)
    );
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!("json", plain(&sample_report(), Format::Json));
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!("sarif", plain(&sample_report(), Format::Sarif));
}

#[test]
fn junit_snapshot() {
    let rules = all_rules();
    let options = RenderOptions {
        color: false,
        rules: &rules,
    };
    insta::assert_snapshot!("junit", render(&sample_report(), Format::Junit, &options));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("markdown", plain(&sample_report(), Format::Markdown));
}

#[test]
fn empty_report_snapshots() {
    let report = empty_report();
    for format in Format::ALL {
        insta::assert_snapshot!(format!("empty_{format}"), plain(&report, format));
    }
}

#[test]
fn output_is_deterministic() {
    let rules = all_rules();
    let options = RenderOptions {
        color: true,
        rules: &rules,
    };
    for format in Format::ALL {
        let a = render(&sample_report(), format, &options);
        let b = render(&sample_report(), format, &options);
        assert_eq!(a, b, "{format} output differs between two renders");
    }
}

fn all_rules() -> Vec<rampart_core::RuleMeta> {
    let mut rules = sample_report().rules;
    rules.extend(quiet_rules());
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules
}

// ---- table ----

#[test]
fn table_has_no_escape_codes_without_colour() {
    let out = plain(&sample_report(), Format::Table);
    assert!(!out.contains('\x1b'));
    let coloured = render(
        &sample_report(),
        Format::Table,
        &RenderOptions {
            color: true,
            rules: &[],
        },
    );
    assert!(coloured.contains("\x1b[1;31mCRITICAL"));
    assert!(coloured.contains("\x1b[1;33mMEDIUM"));
    assert!(coloured.contains("\x1b[1;34mLOW"));
}

#[test]
fn table_lists_a_finding_under_each_of_its_files() {
    let out = plain(&sample_report(), Format::Table);
    assert_eq!(out.matches("[secret.aws-access-key-id]").count(), 2);
    assert_eq!(out.matches("also in 1 other place\n").count(), 2);
    assert!(out.contains("commit 9fceb02 by Jane Doe on 2024-03-01"));
    assert!(out.contains("fix: Deactivate the key in IAM and create a new one.\n"));
    assert!(
        !out.contains("invalid regex"),
        "diagnostics are not the table's"
    );
}

#[test]
fn table_keeps_escape_sequences_from_files_off_the_terminal() {
    let out = render(
        &hostile_report(),
        Format::Table,
        &RenderOptions {
            color: true,
            rules: &[],
        },
    );
    assert!(!out.contains("\u{1b}[31m"));
    assert!(out.contains("\\u{1b}[31m"));
    assert!(!out.contains('\0'));
}

#[test]
fn empty_table_says_so() {
    assert_eq!(plain(&empty_report(), Format::Table), "No findings.\n");
}

// ---- json ----

fn report_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(report_schema()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn json_reports_validate_against_the_report_schema() {
    let validator = report_validator();
    for (name, report) in [
        ("sample", sample_report()),
        ("empty", empty_report()),
        ("hostile", hostile_report()),
    ] {
        let json: Value = serde_json::from_str(&plain(&report, Format::Json)).unwrap();
        assert_valid(&validator, &json, name);
    }
}

#[test]
fn json_round_trips_to_the_same_report() {
    let report = sample_report();
    let back: Report = serde_json::from_str(&plain(&report, Format::Json)).unwrap();
    assert_eq!(back, report);
}

#[test]
fn report_schema_rejects_what_the_report_never_holds() {
    let validator = report_validator();
    let good: Value = serde_json::from_str(&plain(&sample_report(), Format::Json)).unwrap();

    let mut extra = good.clone();
    extra["findings"][0]["unexpected"] = Value::Bool(true);
    assert!(!validator.is_valid(&extra));

    let mut bad_severity = good.clone();
    bad_severity["findings"][0]["severity"] = Value::String("severe".into());
    assert!(!validator.is_valid(&bad_severity));

    let mut bad_version = good;
    bad_version["schema_version"] = Value::String("2.0".into());
    assert!(!validator.is_valid(&bad_version));
}

#[test]
fn every_property_of_the_report_schema_is_documented() {
    fn walk(node: &Value, path: &str, missing: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    for (name, prop) in props {
                        if prop.get("description").is_none() {
                            missing.push(format!("{path}/properties/{name}"));
                        }
                    }
                }
                if map.get("type") == Some(&Value::String("object".into())) {
                    assert_eq!(
                        map.get("additionalProperties"),
                        Some(&Value::Bool(false)),
                        "{path} allows additional properties"
                    );
                }
                for (k, v) in map {
                    walk(v, &format!("{path}/{k}"), missing);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}/{i}"), missing);
                }
            }
            _ => {}
        }
    }
    let schema: Value = serde_json::from_str(report_schema()).unwrap();
    let mut missing = Vec::new();
    walk(&schema, "#", &mut missing);
    assert!(missing.is_empty(), "undocumented: {missing:?}");
}

// ---- sarif ----

fn sarif(report: &Report) -> Value {
    serde_json::from_str(&plain(report, Format::Sarif)).unwrap()
}

#[test]
fn sarif_validates_against_the_sarif_schema() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/schemas/sarif-2.1.0.schema.json"
    ));
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("skipped: ../shared/conformance not found");
        return;
    };
    // The published schema's `language` patterns have a stray `]`, which a strict regex check
    // of the schema itself rejects. rampart never writes `language`, so the intended pattern is
    // put in their place.
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    for (name, report) in [
        ("sample", sample_report()),
        ("empty", empty_report()),
        ("hostile", hostile_report()),
    ] {
        assert_valid(&validator, &sarif(&report), name);
    }
    let mut broken = sarif(&sample_report());
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(
        !validator.is_valid(&broken),
        "the schema check is not vacuous"
    );
    let mut unencoded = sarif(&sample_report());
    unencoded["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"] = Value::from("config/app settings.env");
    assert!(!validator.is_valid(&unencoded), "URIs are checked");
}

#[test]
fn sarif_has_one_result_per_location() {
    let log = sarif(&sample_report());
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);

    let secrets: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "secret.aws-access-key-id")
        .collect();
    assert_eq!(secrets.len(), 2);
    for r in &secrets {
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["message"]["text"],
            "AWS access key ID AKIA***** is committed (also at 1 other location)"
        );
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["id"],
            "secret.aws-access-key-id"
        );
    }
    // Same finding, so the same baseline identity, but told apart per place.
    assert_eq!(
        secrets[0]["partialFingerprints"]["rampart/v1"],
        secrets[1]["partialFingerprints"]["rampart/v1"]
    );
    assert_ne!(
        secrets[0]["partialFingerprints"]["rampart/location/v1"],
        secrets[1]["partialFingerprints"]["rampart/location/v1"]
    );
    let uri = &secrets[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(uri["uri"], "config/app%20settings.env");
    assert_eq!(uri["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        secrets[1]["properties"]["commit"]["id"],
        "9fceb02d0ae598e95dc970b74767f19372d61af8"
    );
}

#[test]
fn sarif_rules_carry_what_code_scanning_reads() {
    let log = sarif(&sample_report());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let aws = rules
        .iter()
        .find(|r| r["id"] == "secret.aws-access-key-id")
        .unwrap();
    assert_eq!(aws["properties"]["security-severity"], "9.5");
    assert_eq!(aws["properties"]["problem.severity"], "error");
    assert_eq!(aws["properties"]["precision"], "high");
    assert_eq!(aws["defaultConfiguration"]["level"], "error");
    let tags: Vec<&str> = aws["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        [
            "security",
            "secrets",
            "CWE-798",
            "owasp:A07:2021",
            "nist-800-53:IA-5(7)",
            "pci-dss:8.6.2"
        ]
    );
    let help = aws["help"]["markdown"].as_str().unwrap();
    assert!(help.contains("## Remediation"));
}

#[test]
fn sarif_notifications_carry_the_diagnostics() {
    let log = sarif(&sample_report());
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    let levels: Vec<&str> = notes.iter().map(|n| n["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["note", "warning", "error"]);
    let warning = &notes[1]["locations"][0]["physicalLocation"];
    assert_eq!(warning["artifactLocation"]["uri"], "docs/legacy.txt");
    assert_eq!(warning["region"]["startLine"], 4);
    assert!(notes[2].get("locations").is_none());
}

#[test]
fn sarif_never_holds_more_of_the_secret_than_the_report() {
    let out = plain(&sample_report(), Format::Sarif);
    assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"));
}

// ---- junit ----

#[test]
fn junit_has_a_case_per_rule_and_a_failure_per_location() {
    let rules = all_rules();
    let options = RenderOptions {
        color: false,
        rules: &rules,
    };
    let xml = render(&sample_report(), Format::Junit, &options);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("name"), Some("rampart"));
    assert_eq!(root.attribute("tests"), Some("5"));
    assert_eq!(root.attribute("failures"), Some("3"));

    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    let names: Vec<_> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(names, ["iac", "secrets"]);
    assert_eq!(suites[1].attribute("tests"), Some("2"));
    assert_eq!(suites[1].attribute("failures"), Some("1"));

    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 5);
    let aws = cases
        .iter()
        .find(|c| c.attribute("name") == Some("secret.aws-access-key-id: AWS access key ID"))
        .unwrap();
    assert_eq!(aws.attribute("classname"), Some("secrets"));
    let failures: Vec<_> = aws
        .children()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0].attribute("type"), Some("critical"));
    let text = failures[0].text().unwrap();
    assert!(text.starts_with("config/app settings.env:3:19\n"));
    assert!(text.contains("\nfix: Deactivate the key"));

    let github = cases
        .iter()
        .find(|c| c.attribute("name") == Some("secret.github-token: GitHub token"))
        .unwrap();
    assert_eq!(github.children().filter(|n| n.is_element()).count(), 0);
}

#[test]
fn junit_falls_back_to_the_report_rules() {
    let xml = plain(&sample_report(), Format::Junit);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("tests"), Some("3"));
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        4
    );
}

#[test]
fn junit_escapes_hostile_text() {
    let xml = plain(&hostile_report(), Format::Junit);
    assert!(!xml.contains("<script>"));
    assert!(!xml.contains('\0'));
    assert!(!xml.contains('\u{1b}'));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("message <script>&\"'|x[31m\nnext")
    );
    assert!(failure
        .text()
        .unwrap()
        .contains("snippet <script>&\"'|x[31m\nnext"));
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert!(case.attribute("name").unwrap().contains("title <script>"));
    assert!(HOSTILE.contains('\u{0}'), "the fixture must stay hostile");
}

#[test]
fn junit_for_an_empty_report_lists_the_passing_rules() {
    let rules = all_rules();
    let options = RenderOptions {
        color: false,
        rules: &rules,
    };
    let xml = render(&empty_report(), Format::Junit, &options);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("tests"), Some("5"));
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
}

// ---- markdown ----

#[test]
fn markdown_escapes_table_cells() {
    let md = plain(&hostile_report(), Format::Markdown);
    let row = md
        .lines()
        .find(|l| l.starts_with("| P4 | Medium | `iac.docker.user-root`"))
        .unwrap();
    assert!(row.contains("message &lt;script&gt;&amp;\"'\\|x"));
    assert!(row.contains("<br>next"));
    assert!(!row.contains('\u{1b}'));
    // The pipe is escaped, so the row has exactly the table's six separators.
    assert_eq!(row.matches(" | ").count() + 2, 6);
    assert!(!md.contains("<script>"));
}

#[test]
fn markdown_caps_the_findings_table() {
    let md = plain(&many_findings_report(57), Format::Markdown);
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| P4 | Low | `iac.aws"))
        .count();
    assert_eq!(rows, 50);
    assert!(md.contains("\n… and 7 more"));
    assert!(md.contains("| Low | 57 |"));
    assert!(md.starts_with("## ✅ rampart: passed"));

    let exactly = plain(&many_findings_report(50), Format::Markdown);
    assert!(!exactly.contains("… and"));
}

#[test]
fn markdown_heads_with_the_gate() {
    let md = plain(&sample_report(), Format::Markdown);
    assert!(md.starts_with("## ❌ rampart: failed (1 finding at or above high)\n"));
    assert!(md.contains("<details>\n<summary><code>secret.aws-access-key-id</code>"));
    let empty = plain(&empty_report(), Format::Markdown);
    assert!(empty.contains("No findings."));
}

// ---- robustness ----

#[test]
fn a_finding_without_location_renders_everywhere() {
    // Only a hand-edited report read back by `rampart gate` can hold one.
    let mut report = sample_report();
    let root = report
        .findings
        .iter()
        .position(|f| f.rule_id == "iac.docker.user-root")
        .unwrap();
    report.findings[root].locations.clear();
    for format in Format::ALL {
        assert!(!plain(&report, format).is_empty());
    }
    assert!(plain(&report, Format::Table).contains("(no location)\n"));
    let xml = plain(&report, Format::Junit);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 4);
    assert_eq!(
        sarif(&report)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn accepted_risks_validate_against_the_schema_and_say_who_accepted_them() {
    use rampart_core::exception::{Exception, ExceptionUse, Status};
    let mut report = sample_report();
    let exception = Exception {
        rule: report.findings[1].rule_id.clone(),
        fingerprint: None,
        path: Some("src/**".into()),
        package: None,
        advisory: None,
        reason: "test double, never deployed".into(),
        approver: "jane@example.com".into(),
        ticket: Some("https://tracker.example/SEC-7".into()),
        expires: "2099-01-31".parse().unwrap(),
    };
    report.findings[1].suppressed = Some(rampart_core::Suppression {
        kind: "exception".into(),
        reason: exception.reason.clone(),
        source: "rampart.toml".into(),
        approver: Some(exception.approver.clone()),
        expires: Some("2099-01-31".into()),
        ticket: exception.ticket.clone(),
    });
    let mut expired = exception.clone();
    expired.expires = "2020-01-01".parse().unwrap();
    report.exceptions = [
        (exception, Status::Active, 1),
        (expired, Status::Expired, 2),
    ]
    .into_iter()
    .map(|(exception, status, matched)| ExceptionUse {
        exception,
        source: "rampart.toml".into(),
        status,
        matched,
    })
    .collect();
    report.gate = report
        .gate
        .clone()
        .with_policy(rampart_core::report::PolicyDecision {
            files: vec!["policy/gate.rego".into()],
            digest: format!("sha256:{}", "0".repeat(64)),
            denies: vec![rampart_core::report::PolicyMessage {
                rule: "rampart.gate.no_secrets.deny".into(),
                message: "secret in the code".into(),
                findings: vec![report.findings[0].fingerprint.to_string()],
            }],
            warnings: Vec::new(),
            errors: Vec::new(),
        });
    let json: Value = serde_json::from_str(&plain(&report, Format::Json)).unwrap();
    assert_valid(
        &report_validator(),
        &json,
        "with exceptions and a gate policy",
    );
    assert_eq!(json["gate"]["passed"], false);
    let table = plain(&report, Format::Table);
    assert!(
        table.contains("deny rampart.gate.no_secrets.deny: secret in the code"),
        "{table}"
    );
    assert_eq!(json["exceptions"][1]["status"], "expired");
    assert_eq!(json["exceptions"][1]["expires"], "2020-01-01");
    let sarif = plain(&report, Format::Sarif);
    assert!(
        sarif.contains("accepted by jane@example.com until 2099-01-31"),
        "{sarif}"
    );
}
