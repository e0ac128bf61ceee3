//! `rampart report compliance`: a saved report or a fresh scan of the current directory judged
//! against a framework, in every format, and what bad input does.

mod common;

use common::{json, rampart};
use predicates::prelude::*;

const DOCKERFILE: &str = "FROM python:3.12\nADD https://example.com/app.tar.gz /app/\nRUN pip install flask\nCMD [\"python\", \"/app/main.py\"]\n";

/// Runs rampart, expects success, and returns what it printed.
fn stdout(
    args: &[&str],
    extra: Option<&std::path::Path>,
    dir: Option<&std::path::Path>,
) -> Vec<u8> {
    let mut cmd = rampart();
    cmd.args(args);
    if let Some(path) = extra {
        cmd.arg(path);
    }
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.assert().success().get_output().stdout.clone()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).expect("write");
    dir
}

fn saved_report(dir: &std::path::Path) -> std::path::PathBuf {
    let report = dir.join("report.json");
    rampart()
        .args([
            "scan",
            "--quiet",
            "--fail-on",
            "none",
            "--format",
            "json",
            "--output",
        ])
        .arg(&report)
        .arg(dir)
        .assert()
        .success();
    report
}

#[test]
fn a_saved_report_is_judged_control_by_control() {
    let dir = project();
    let report = saved_report(dir.path());
    let out = stdout(
        &[
            "report",
            "compliance",
            "--framework",
            "cis-docker",
            "--format",
            "json",
        ],
        Some(&report),
        None,
    );
    let a = json(&out);
    assert_eq!(a["framework"]["id"], "cis-docker");
    let control = |id: &str| {
        a["controls"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    // No USER instruction: the container runs as root.
    let user = control("CIS-Docker-4.1");
    assert_eq!(user["status"], "fail", "{user}");
    assert_eq!(user["findings"][0]["path"], "Dockerfile");
    // No HEALTHCHECK either; but content trust is not something a Dockerfile shows.
    assert_eq!(control("CIS-Docker-4.6")["status"], "fail");
    let daemon = control("CIS-Docker-2.1");
    assert_eq!(daemon["status"], "not-tested", "{daemon}");

    let table = stdout(
        &["report", "compliance", "--framework", "cis-docker"],
        Some(&report),
        None,
    );
    let table = String::from_utf8_lossy(&table);
    assert!(table.contains("FAIL  CIS-Docker-4.1"), "{table}");
    assert!(table.contains("not tested"), "{table}");
}

#[test]
fn without_a_report_the_current_directory_is_scanned() {
    let dir = project();
    let out = stdout(
        &[
            "report",
            "compliance",
            "--framework",
            "nist-800-53",
            "--baseline",
            "moderate",
            "--format",
            "oscal",
        ],
        None,
        Some(dir.path()),
    );
    let doc = json(&out);
    let result = &doc["assessment-results"]["results"][0];
    let reviewed = result["reviewed-controls"]["control-selections"][0]["include-controls"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert_eq!(
        reviewed, 287,
        "the moderate baseline's controls and enhancements"
    );
    let failed = result["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter(|f| f["target"]["status"]["state"] == "not-satisfied")
                .count()
        })
        .unwrap_or(0);
    assert!(failed > 0, "{result}");
}

#[test]
fn html_is_written_to_a_file() {
    let dir = project();
    let report = saved_report(dir.path());
    let page = dir.path().join("iso.html");
    rampart()
        .args([
            "report",
            "compliance",
            "--framework",
            "iso-27001",
            "--format",
            "html",
            "-o",
        ])
        .arg(&page)
        .arg(&report)
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).expect("read");
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<svg"),
        "{html}"
    );
}

#[test]
fn unknown_frameworks_baselines_formats_and_reports_are_usage_errors() {
    rampart()
        .args(["report", "compliance", "--framework", "sox"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown framework `sox`")
                .and(predicate::str::contains("pci-dss")),
        );
    rampart()
        .args([
            "report",
            "compliance",
            "--framework",
            "cis-aws",
            "--baseline",
            "high",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no baseline `high`"));
    rampart()
        .args([
            "report",
            "compliance",
            "--framework",
            "cwe",
            "--format",
            "pdf",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format `pdf`"));
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("report.json");
    std::fs::write(&bad, "{\"findings\": [").expect("write");
    rampart()
        .args(["report", "compliance", "--framework", "cwe"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a rampart JSON report"));
}

#[test]
fn schema_compliance_is_a_json_schema() {
    let out = stdout(&["schema", "compliance"], None, None);
    let schema = json(&out);
    assert_eq!(schema["title"], "rampart compliance assessment");
}
