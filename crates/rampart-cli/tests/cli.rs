//! The rampart command line, end to end: formats, exit codes, configuration, suppression,
//! baselines, stdin, and bad input.

mod common;

use common::{fixture, fixture_db, json, rampart, sca_fixtures, token};
use predicates::prelude::*;

fn scan_fixture(format: &str) -> String {
    let out = rampart()
        .current_dir(fixture("project"))
        .args([
            "scan",
            ".",
            "--format",
            format,
            "--fail-on",
            "none",
            "--color",
            "never",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8 output")
}

fn settings() -> insta::Settings {
    // Snapshots do not change with every release: the tool's own version is masked.
    let mut s = insta::Settings::clone_current();
    let version = env!("CARGO_PKG_VERSION").replace('.', r"\.");
    s.add_filter(&format!(r#""{version}""#), r#""[version]""#);
    s
}

#[test]
fn every_format_renders_the_fixture_project() {
    for format in ["table", "json", "sarif", "junit", "markdown"] {
        let out = scan_fixture(format);
        settings().bind(|| insta::assert_snapshot!(format!("project_{format}"), out));
    }
}

#[test]
fn the_same_secret_in_three_places_is_one_finding() {
    let report = json(scan_fixture("json").as_bytes());
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report:#}");
    let f = &findings[0];
    assert_eq!(f["rule_id"], "secret.github-pat-classic");
    let places: Vec<(String, u64)> = f["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| {
            (
                l["path"].as_str().unwrap_or_default().to_string(),
                l["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        places,
        vec![
            ("config/deploy.yaml".into(), 3),
            ("config/deploy.yaml".into(), 10),
            ("src/app.py".into(), 7)
        ]
    );
    assert_eq!(f["locations"][1]["note"], "decoded from base64");
    // Redacted everywhere, in the finding and in every snippet.
    let text = report.to_string();
    assert!(!text.contains("ghp_Zx81qLmN4oPw7RtY2uVb6cDe9fGh3JkA5sT0"));
    assert_eq!(f["secret"], "ghp_*****");
    // Three suppression styles on one file, all honoured and counted.
    assert_eq!(report["stats"]["suppressed_inline"], 3);
}

#[test]
fn show_secrets_prints_them() {
    rampart()
        .current_dir(fixture("project"))
        .args([
            "scan",
            ".",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--show-secrets",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "ghp_Zx81qLmN4oPw7RtY2uVb6cDe9fGh3JkA5sT0",
        ));
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    let run = |jobs: &str| {
        rampart()
            .current_dir(fixture("project"))
            .args([
                "scan",
                ".",
                "--format",
                "sarif",
                "--fail-on",
                "none",
                "-j",
                jobs,
            ])
            .output()
            .expect("runs")
            .stdout
    };
    assert_eq!(run("1"), run("4"));
}

#[test]
fn exit_codes_say_what_happened() {
    // Gate failed.
    rampart()
        .current_dir(fixture("project"))
        .args(["scan", ".", "-q"])
        .assert()
        .code(1);
    // Threshold above every finding.
    rampart()
        .current_dir(fixture("project"))
        .args(["scan", ".", "-q", "--fail-on", "none"])
        .assert()
        .code(0);
    // Usage error.
    rampart()
        .args(["scan", "--fail-on", "severe", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--fail-on"));
    rampart().args(["scan", "--bogus"]).assert().code(2);
    rampart()
        .args(["scan", "--format", "yaml", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("yaml"));
    // Runtime error: the target does not exist.
    rampart()
        .args(["scan", "/definitely/not/here"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("/definitely/not/here"));
}

#[test]
fn several_formats_go_to_their_own_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("r.sarif");
    let md = dir.path().join("r.md");
    rampart()
        .current_dir(fixture("project"))
        .args([
            "scan",
            ".",
            "--fail-on",
            "none",
            "--format",
            "json",
            "--format",
            "sarif",
            "--output",
        ])
        .arg(&sarif)
        .args(["--format", "markdown", "--output"])
        .arg(&md)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("{"));
    assert!(std::fs::read_to_string(&sarif)
        .expect("sarif written")
        .contains("\"2.1.0\""));
    assert!(std::fs::read_to_string(&md)
        .expect("markdown written")
        .contains("secret.github-pat-classic"));
    rampart()
        .args(["scan", ".", "--format", "json", "--format", "sarif"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("standard output"));
}

#[test]
fn stdin_is_a_target() {
    let out = rampart()
        .args(["scan", "secrets", "-", "--format", "json"])
        .write_stdin(format!("export GH={}\n", token(7)))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["findings"][0]["locations"][0]["path"], "stdin");
    assert_eq!(report["findings"][0]["locations"][0]["column"], 11);
}

#[test]
fn config_is_discovered_and_flags_win() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nested = dir.path().join("app/src");
    std::fs::create_dir_all(&nested).expect("mkdir");
    std::fs::write(
        nested.join("main.rs"),
        format!("const T: &str = \"{}\";\n", token(1)),
    )
    .expect("write");
    std::fs::write(
        nested.join("test_data.rs"),
        format!("const T: &str = \"{}\";\n", token(2)),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("rampart.toml"),
        "[gate]\nfail_on = \"none\"\n\n[[rules.ignore]]\nrules = [\"secret.*\"]\npaths = [\"**/test_data.rs\"]\nreason = \"fixtures\"\n",
    )
    .expect("write");
    // The config above the target is found: gate off, one file ignored.
    let out = rampart()
        .arg("scan")
        .arg(&nested)
        .args(["--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["stats"]["suppressed_config"], 1);
    // A flag overrides the file.
    rampart()
        .arg("scan")
        .arg(&nested)
        .args(["-q", "--fail-on", "high"])
        .assert()
        .code(1);
    // Excludes from the command line.
    rampart()
        .arg("scan")
        .arg(&nested)
        .args(["-q", "--fail-on", "high", "--exclude", "main.rs"])
        .assert()
        .code(0);
}

#[test]
fn a_bad_config_names_the_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("rampart.toml"),
        "[scan]\nexclude = []\n\n[gate]\nfial_on = \"high\"\n",
    )
    .expect("write");
    rampart()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("rampart.toml:5:").and(predicate::str::contains("fial_on")),
        );
}

#[test]
fn a_custom_rule_file_with_a_bad_regex_names_the_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("custom.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"secret.internal\"\ntitle = \"Internal token\"\nseverity = \"high\"\nconfidence = \"high\"\nkeywords = [\"int_\"]\npattern = '''int_[a-z{3'''\ndescription = \"d\"\nremediation = \"r\"\n",
    )
    .expect("write");
    rampart()
        .arg("scan")
        .arg(dir.path())
        .arg("--rules")
        .arg(&rules)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("custom.toml:7:")
                .and(predicate::str::contains("invalid pattern")),
        );
}

#[test]
fn custom_rules_find_internal_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("custom.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"secret.acme-internal\"\ntitle = \"ACME internal token\"\nseverity = \"medium\"\nconfidence = \"high\"\nkeywords = [\"acme_\"]\npattern = '''\\b(?P<secret>acme_[a-z0-9]{24})\\b'''\ndescription = \"An ACME token.\"\nremediation = \"Rotate it.\"\n",
    )
    .expect("write");
    let target = dir.path().join("src");
    std::fs::create_dir_all(&target).expect("mkdir");
    std::fs::write(target.join("a.txt"), "t = acme_0123456789abcdefghijklmn\n").expect("write");
    let out = rampart()
        .arg("scan")
        .arg(&target)
        .arg("--rules")
        .arg(&rules)
        .args(["--format", "json", "--fail-on", "medium"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&out)["findings"][0]["rule_id"], "secret.acme-internal");
}

#[test]
fn baseline_gates_only_on_new_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("old.py"), format!("T = '{}'\n", token(10))).expect("write");
    let baseline = dir.path().join("baseline.json");
    rampart()
        .arg("baseline")
        .arg("create")
        .arg(&src)
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .success();
    let text = std::fs::read_to_string(&baseline).expect("baseline written");
    assert!(!text.contains(&token(10)), "a baseline never holds secrets");
    assert!(text.contains("secret.github-pat-classic"));

    rampart()
        .arg("scan")
        .arg(&src)
        .arg("--baseline")
        .arg(&baseline)
        .arg("-q")
        .assert()
        .code(0);
    // Moving the old secret to other lines or files keeps it known.
    std::fs::write(
        src.join("old.py"),
        format!("\n\n# moved\nT = '{}'\n", token(10)),
    )
    .expect("write");
    rampart()
        .arg("scan")
        .arg(&src)
        .arg("--baseline")
        .arg(&baseline)
        .arg("-q")
        .assert()
        .code(0);
    // A new secret fails the gate, and only it is reported.
    std::fs::write(src.join("new.py"), format!("U = '{}'\n", token(11))).expect("write");
    let out = rampart()
        .arg("scan")
        .arg(&src)
        .arg("--baseline")
        .arg(&baseline)
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["findings"][0]["locations"][0]["path"], "new.py");
    assert_eq!(report["stats"]["in_baseline"], 1);
    // A broken baseline is a usage error, not a silent pass.
    std::fs::write(&baseline, "{not json").expect("write");
    rampart()
        .arg("scan")
        .arg(&src)
        .arg("--baseline")
        .arg(&baseline)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("baseline"));
}

#[test]
fn rules_list_and_explain_come_from_the_rule_data() {
    let out = rampart()
        .args(["rules", "list", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rules = json(&out);
    let rules = rules.as_array().expect("array");
    assert!(rules.len() >= 150, "{} rules", rules.len());
    assert!(rules
        .iter()
        .all(|r| r["description"].as_str().is_some_and(|d| !d.is_empty())));
    rampart()
        .args(["rules", "explain", "secret.github-pat-classic"])
        .assert()
        .success()
        .stdout(predicate::str::contains("How to fix it").and(predicate::str::contains("CWE-798")));
    rampart()
        .args(["rules", "explain", "secret.nope"])
        .assert()
        .code(2);
}

#[test]
fn schema_report_is_a_json_schema() {
    let out = rampart()
        .args(["schema", "report"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let schema = json(&out);
    assert!(schema["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("json-schema.org")));
    assert!(schema["properties"]["findings"].is_object());
}

#[test]
fn bad_input_is_reported_and_the_rest_is_still_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // Invalid UTF-8 around a secret: still found.
    let mut bytes = b"\xff\xfe garbage \xc3\x28 ".to_vec();
    bytes.extend_from_slice(token(20).as_bytes());
    std::fs::write(root.join("latin1.txt"), bytes).expect("write");
    // Binary: skipped and counted.
    std::fs::write(root.join("blob.bin"), [0u8, 1, 2, 3, 0, 255]).expect("write");
    // Over the size limit: skipped and counted, not read.
    std::fs::write(
        root.join("big.txt"),
        format!("{}\n{}", "a".repeat(4096), token(21)),
    )
    .expect("write");
    // A 2 GiB file (sparse, so the test costs nothing): skipped by its size, never read.
    std::fs::File::create(root.join("huge.log"))
        .and_then(|f| f.set_len(2 << 30))
        .expect("sparse file");
    // A symlink loop.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("loop"), root.join("loop")).expect("symlink");
        std::os::unix::fs::symlink(root, root.join("self")).expect("symlink");
    }
    let out = rampart()
        .arg("scan")
        .arg(root)
        .args(["--format", "json", "--max-file-size", "1024"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["findings"][0]["locations"][0]["path"], "latin1.txt");
    assert_eq!(report["stats"]["skipped_binary"], 1);
    assert_eq!(report["stats"]["skipped_too_large"], 2);
    let notes = report["diagnostics"].as_array().expect("diagnostics");
    assert!(notes.iter().any(|d| d["path"] == "big.txt"), "{notes:?}");
}

#[test]
fn an_empty_directory_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    rampart()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No findings"))
        .stderr(predicate::str::contains("scanned 0 files"));
}

#[test]
fn deps_finds_a_vulnerable_dependency_with_its_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fixture_db(dir.path());
    rampart()
        .args(["db", "status", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("Maven"));

    let project = dir.path().join("app");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("pom.xml"),
        r#"<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>1.0</version>
  <properties><log4j.version>2.14.1</log4j.version></properties>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
  </dependencies>
</project>
"#,
    )
    .expect("write");
    let out = rampart()
        .arg("scan")
        .arg(&project)
        .arg("--db")
        .arg(&db)
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let f = &report["findings"][0];
    assert_eq!(f["rule_id"], "sca.vulnerable-dependency");
    assert_eq!(f["severity"], "critical", "CVSS 3.1 base score 10.0");
    let message = f["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("CVE-2021-44228") && message.contains("upgrade to 2.15.0"),
        "{message}"
    );
    assert_eq!(f["locations"][0]["path"], "pom.xml");
    assert_eq!(
        f["vulnerability"]["purl"],
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    );
    assert_eq!(f["vulnerability"]["fixed"], "2.15.0");
    assert_eq!(f["vulnerability"]["cvss"]["score"], 10.0);
    assert_eq!(f["priority"]["level"], "P2");

    // The same lockfile against the same database is answered from the result cache, with
    // the same report; without the cache, too.
    let cache = dir.path().join("cache");
    let run = |extra: &[&str]| {
        rampart()
            .env("RAMPART_CACHE_DIR", &cache)
            .arg("scan")
            .arg(&project)
            .arg("--db")
            .arg(&db)
            .args(["--format", "json"])
            .args(extra)
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(run(&["--no-cache"]), out);
    assert!(!cache.exists(), "--no-cache writes nothing");
    assert_eq!(run(&[]), out);
    let entries = walk_files(&cache);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(run(&[]), out, "answered from the cache");
    // A damaged entry is a miss, and the report does not change.
    std::fs::write(&entries[0], b"{\"findings\": 7").expect("write");
    assert_eq!(run(&[]), out);

    // Without a database every other scanner still runs, and the run says how to get one.
    rampart()
        .arg("scan")
        .arg(&project)
        .arg("--db")
        .arg(dir.path().join("missing.rdb"))
        .assert()
        .code(0)
        .stderr(predicate::str::contains("rampart db import"));
}

#[test]
fn sbom_is_written_and_read_back_for_scanning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("svc");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("requirements.txt"),
        "Django==3.2.0\nrequests==2.31.0\n",
    )
    .expect("write");
    let bom = dir.path().join("svc.cdx.json");
    rampart()
        .arg("sbom")
        .arg(&project)
        .arg("-o")
        .arg(&bom)
        .assert()
        .success();
    let doc = json(&std::fs::read(&bom).expect("sbom written"));
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.5");
    let purls: Vec<&str> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert_eq!(
        purls,
        vec!["pkg:pypi/django@3.2.0", "pkg:pypi/requests@2.31.0"]
    );
    // The same input gives the same bytes.
    let again = dir.path().join("again.json");
    rampart()
        .arg("sbom")
        .arg(&project)
        .arg("-o")
        .arg(&again)
        .assert()
        .success();
    assert_eq!(std::fs::read(&bom).ok(), std::fs::read(&again).ok());
    let spdx = rampart()
        .arg("sbom")
        .arg(&project)
        .args(["--format", "spdx"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&spdx)["spdxVersion"], "SPDX-2.3");

    // An SBOM is a scan target: its packages are checked against the database.
    let db = dir.path().join("osv.rdb");
    let osv = dir.path().join("osv");
    std::fs::create_dir_all(&osv).expect("mkdir");
    std::fs::write(
        osv.join("PYSEC-2022-20.json"),
        r#"{"id":"PYSEC-2022-20","aliases":["CVE-2022-23833"],"details":"An issue was discovered in MultiPartParser in Django. Passing certain inputs causes an infinite loop.","affected":[{"package":{"ecosystem":"PyPI","name":"django"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"3.2"},{"fixed":"3.2.12"}]}]}]}"#,
    )
    .expect("write");
    rampart()
        .args(["db", "import"])
        .arg(&osv)
        .arg("--db")
        .arg(&db)
        .assert()
        .success();
    let out = rampart()
        .arg("scan")
        .arg("--sbom")
        .arg(&bom)
        .arg("--db")
        .arg(&db)
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1));
    let message = report["findings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with(
            "Django 3.2.0 is vulnerable (CVE-2022-23833, PYSEC-2022-20): An issue was discovered"
        ),
        "{message}"
    );
    assert!(message.ends_with("upgrade to 3.2.12"), "{message}");
}

#[test]
fn deps_findings_are_prioritised_by_kev_and_epss_and_vex_suppresses_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fixture_db(dir.path());
    let sca = sca_fixtures();
    for (command, file) in [
        ("import-epss", "intel/epss_scores-2026-11-21.csv"),
        ("import-kev", "intel/known_exploited_vulnerabilities.json"),
    ] {
        rampart()
            .args(["db", command])
            .arg(sca.join(file))
            .arg("--db")
            .arg(&db)
            .assert()
            .success()
            .stderr(predicate::str::contains("imported"));
    }
    rampart()
        .args(["db", "status", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("EPSS").and(predicate::str::contains("CISA KEV")));

    let project = dir.path().join("app");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("pom.xml"),
        "<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId><artifactId>a</artifactId>\n\
         <version>1</version><dependencies><dependency><groupId>org.apache.logging.log4j</groupId>\n\
         <artifactId>log4j-core</artifactId><version>2.14.1</version></dependency></dependencies></project>\n",
    )
    .expect("write");
    let scan = |extra: &[&std::ffi::OsStr], code: i32| {
        let out = rampart()
            .arg("scan")
            .arg(&project)
            .arg("--db")
            .arg(&db)
            .args(["--format", "json"])
            .args(extra)
            .assert()
            .code(code)
            .get_output()
            .stdout
            .clone();
        json(&out)
    };
    let report = scan(&[], 1);
    let f = &report["findings"][0];
    assert_eq!(f["vulnerability"]["kev"]["date_added"], "2021-12-10");
    assert_eq!(f["vulnerability"]["epss"]["percentile"], 0.99957);
    assert_eq!(f["priority"]["level"], "P1");
    let reasons = f["priority"]["reasons"].to_string();
    assert!(
        reasons.contains("known exploited (CISA KEV, added 2021-12-10")
            && reasons.contains("EPSS 0.944"),
        "{reasons}"
    );

    let vex = dir.path().join("app.openvex.json");
    std::fs::write(
        &vex,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
            "author": "Security team", "timestamp": "2026-11-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-2021-44228"},
              "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
              "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
              "impact_statement": "JNDI lookups are disabled by configuration"}]}"#,
    )
    .expect("write");
    let report = scan(&[std::ffi::OsStr::new("--vex"), vex.as_os_str()], 0);
    let f = &report["findings"][0];
    assert_eq!(f["suppressed"]["kind"], "vex");
    let reason = f["suppressed"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("vulnerable_code_not_in_execute_path")
            && reason.contains("JNDI lookups are disabled"),
        "{reason}"
    );
    assert_eq!(report["gate"]["passed"], true);

    // A document that is not VEX is a usage error naming it.
    std::fs::write(&vex, b"{\"hello\": 1}").expect("write");
    rampart()
        .arg("scan")
        .arg(&project)
        .arg("--db")
        .arg(&db)
        .arg("--vex")
        .arg(&vex)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("app.openvex.json"));
}

#[test]
fn deps_follow_a_parent_pom_on_disk_and_the_cache_notices_it_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fixture_db(dir.path());
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("app")).expect("mkdir");
    let parent = |version: &str| {
        format!(
            "<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId>\n\
             <artifactId>parent</artifactId><version>1</version><packaging>pom</packaging>\n\
             <properties><log4j.version>{version}</log4j.version></properties></project>\n"
        )
    };
    std::fs::write(project.join("pom.xml"), parent("2.14.1")).expect("write");
    std::fs::write(
        project.join("app/pom.xml"),
        "<project><modelVersion>4.0.0</modelVersion>\n\
         <parent><groupId>g</groupId><artifactId>parent</artifactId><version>1</version></parent>\n\
         <artifactId>app</artifactId><dependencies><dependency>\n\
         <groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId>\n\
         <version>${log4j.version}</version></dependency></dependencies></project>\n",
    )
    .expect("write");
    let cache = dir.path().join("cache");
    let scan = || {
        let out = rampart()
            .env("RAMPART_CACHE_DIR", &cache)
            .args(["scan", "deps"])
            .arg(&project)
            .arg("--db")
            .arg(&db)
            .args(["--format", "json", "--fail-on", "none"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        json(&out)
    };
    let report = scan();
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["locations"][0]["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        ["app/pom.xml"],
        "the version comes from the parent POM"
    );
    assert_eq!(scan(), report, "from the cache");

    // The child is unchanged, but what it read is not: the cached result is not reused.
    std::fs::write(project.join("pom.xml"), parent("2.17.1")).expect("write");
    let report = scan();
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
}

#[test]
fn iac_checks_kubernetes_and_workflows_with_exact_lines_and_peer_suppressions() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(".github/workflows")).expect("mkdir");
    std::fs::write(
        dir.path().join(".github/workflows/triage.yml"),
        "on: issues\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - uses: actions/checkout@v4 # zizmor: ignore[unpinned-uses]\n        \
         with:\n          persist-credentials: false\n      \
         - run: echo \"${{ github.event.issue.title }}\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("deploy.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  \
         hostPID: true # checkov:skip=CKV_K8S_17:node exporter\n  hostNetwork: true\n  \
         automountServiceAccountToken: false\n  containers:\n    - name: app\n      \
         image: nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31\n      \
         securityContext:\n        privileged: true\n        allowPrivilegeEscalation: false\n        \
         runAsNonRoot: true\n        readOnlyRootFilesystem: true\n        \
         capabilities: {drop: [ALL]}\n      resources: {limits: {cpu: 100m, memory: 64Mi}}\n",
    )
    .expect("write");
    // Not infrastructure: never read as such.
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}").expect("write");
    let out = rampart()
        .args(["scan", "iac"])
        .arg(dir.path())
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let mut got: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["locations"][0]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["locations"][0]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    got.sort();
    let want = [
        // No `permissions:`: the job gets the repository's default token.
        (
            "iac.gha.default-token-permissions",
            ".github/workflows/triage.yml",
            3,
        ),
        (
            "iac.gha.template-injection",
            ".github/workflows/triage.yml",
            9,
        ),
        ("iac.k8s.host-network", "deploy.yaml", 7),
        ("iac.k8s.no-liveness-probe", "deploy.yaml", 10),
        ("iac.k8s.no-readiness-probe", "deploy.yaml", 10),
        ("iac.k8s.privileged-container", "deploy.yaml", 13),
        ("iac.k8s.seccomp-profile-not-set", "deploy.yaml", 4),
    ];
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "package.json is read, recognised as not IaC, and passed over silently"
    );
}

#[test]
fn iac_evaluates_terraform_variables_from_tfvars_and_honours_tfsec_comments() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"acl\" {}\n\n\
         resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = var.acl\n}\n\n\
         resource \"aws_security_group\" \"ssh\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    \
         protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"] # tfsec:ignore:aws-ec2-no-public-ingress-sgr\n  }\n}\n\n\
         resource \"aws_ebs_volume\" \"v\" {\n  availability_zone = \"eu-west-1a\"\n  size = 8\n  \
         encrypted = var.unset\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("terraform.tfvars"),
        "acl = \"public-read\"\n",
    )
    .expect("write");
    let out = rampart()
        .args(["scan", "iac"])
        .arg(dir.path())
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let found: Vec<(String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["locations"][0]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    // The ACL comes from terraform.tfvars; the open SSH port is suppressed with tfsec's
    // comment; the volume's encryption is unknown (an undeclared variable), so it is not judged.
    assert_eq!(found, [("iac.aws.s3-public-acl".to_string(), 5)]);

    // A --var-file applies after terraform.tfvars, as `terraform plan -var-file` does.
    let prod = dir.path().join("prod.tfvars");
    std::fs::write(&prod, "acl = \"private\"\n").expect("write");
    let out = rampart()
        .args(["scan", "iac"])
        .arg(dir.path())
        .arg("--var-file")
        .arg(&prod)
        .args(["--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&out)["findings"].as_array().map(Vec::len), Some(0));
    rampart()
        .args(["scan", "iac"])
        .arg(dir.path())
        .args(["--var-file", "/nonexistent/x.tfvars"])
        .assert()
        .code(2);
}

#[test]
fn conftest_policies_run_unchanged_on_kubernetes_dockerfiles_and_terraform() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("policy");
    std::fs::create_dir_all(&policy).expect("mkdir");
    // Policies as conftest users write them: the older syntax, package main, deny and warn.
    std::fs::write(
        policy.join("kubernetes.rego"),
        r#"package main

deny[msg] {
  input.kind == "Deployment"
  not input.spec.template.spec.securityContext.runAsNonRoot
  msg := sprintf("Deployment %s must not run as root", [input.metadata.name])
}

warn[msg] {
  input.kind == "Deployment"
  not input.metadata.labels.team
  msg := "Deployments should say which team owns them"
}
"#,
    )
    .expect("write");
    std::fs::write(
        policy.join("docker.rego"),
        r#"package main

denylist := ["latest"]

deny[msg] {
  input[i].Cmd == "from"
  val := input[i].Value
  contains(val[0], denylist[_])
  msg := sprintf("unpinned base image: %s", [val[0]])
}
"#,
    )
    .expect("write");
    std::fs::write(
        policy.join("terraform.rego"),
        r#"package main
import rego.v1

deny contains msg if {
  some name
  acl := input.resource.aws_s3_bucket[name].acl
  acl != "private"
  msg := sprintf("bucket %s has acl %s", [name, acl])
}
"#,
    )
    .expect("write");
    std::fs::write(
        policy.join("kubernetes_test.rego"),
        "package main\ntest_x { true }\n",
    )
    .expect("write");
    let project = dir.path().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers: []\n",
    )
    .expect("write");
    std::fs::write(
        project.join("Dockerfile"),
        "FROM ubuntu:latest\nUSER nobody\n",
    )
    .expect("write");
    std::fs::write(
        project.join("main.tf"),
        "variable \"acl\" {\n  default = \"public-read\"\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  acl = var.acl\n}\n",
    )
    .expect("write");
    let out = rampart()
        .args(["scan", "iac"])
        .arg(&project)
        .arg("--policy")
        .arg(&policy)
        .args(["--format", "json", "--fail-on", "high"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let mut policy_findings: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["scanner"] == "policy")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["locations"][0]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    policy_findings.sort();
    let want = [
        (
            "policy.main.deny",
            "Dockerfile",
            "unpinned base image: ubuntu:latest",
        ),
        (
            "policy.main.deny",
            "deploy.yaml",
            "Deployment api must not run as root",
        ),
        (
            "policy.main.deny",
            "main.tf",
            "bucket logs has acl public-read",
        ),
        (
            "policy.main.warn",
            "deploy.yaml",
            "Deployments should say which team owns them",
        ),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(policy_findings, want);
    let warn = report["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule_id"] == "policy.main.warn"))
        .expect("warn finding");
    assert_eq!(
        warn["severity"], "low",
        "warn does not fail the default gate"
    );

    // A policy with a syntax error is a usage error that names the file.
    std::fs::write(policy.join("broken.rego"), "package main\ndeny[msg] {\n").expect("write");
    rampart()
        .args(["scan", "iac"])
        .arg(&project)
        .arg("--policy")
        .arg(&policy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.rego"));
}

#[test]
fn iac_reports_a_module_instance_at_the_call_that_makes_it_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let module = dir.path().join("modules/storage");
    std::fs::create_dir_all(&module).expect("mkdir");
    std::fs::write(
        module.join("main.tf"),
        "variable \"encrypted\" {\n  default = true\n}\n\nresource \"aws_ebs_volume\" \"data\" {\n  availability_zone = \"eu-west-1a\"\n  size              = 10\n  encrypted         = var.encrypted\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("main.tf"),
        "module \"safe\" {\n  source = \"./modules/storage\"\n}\n\nmodule \"unsafe\" {\n  source    = \"./modules/storage\"\n  encrypted = false\n}\n",
    )
    .expect("write");
    let out = rampart()
        .args(["scan", "iac"])
        .arg(dir.path())
        .args(["--format", "json", "--fail-on", "medium"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["rule_id"], "iac.aws.ebs-not-encrypted");
    assert_eq!(f["locations"][0]["path"], "main.tf");
    assert_eq!(f["locations"][0]["line"], 5, "the `module \"unsafe\"` call");
    let message = f["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("module.unsafe.aws_ebs_volume.data")
            && message.contains("modules/storage/main.tf:8"),
        "{message}"
    );
}

#[test]
fn iac_reads_terraform_plans_with_the_terraform_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The shape of `terraform show -json tfplan`, cut down.
    std::fs::write(
        dir.path().join("tfplan.json"),
        r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.5",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_db_instance.main",
          "mode": "managed",
          "type": "aws_db_instance",
          "name": "main",
          "values": {"engine": "postgres", "publicly_accessible": true, "storage_encrypted": true}
        }
      ],
      "child_modules": [
        {
          "address": "module.disks",
          "resources": [
            {
              "address": "module.disks.aws_ebs_volume.data",
              "mode": "managed",
              "type": "aws_ebs_volume",
              "name": "data",
              "values": {"availability_zone": "eu-west-1a", "size": 10, "encrypted": false}
            }
          ]
        }
      ]
    }
  }
}
"#,
    )
    .expect("write");
    let out = rampart()
        .args(["scan", "iac"])
        .arg(dir.path())
        .args(["--format", "json", "--fail-on", "none"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let mut found: Vec<(String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["locations"][0]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("iac.aws.ebs-not-encrypted".to_string(), 24),
            ("iac.aws.rds-deletion-protection-off".to_string(), 7),
            ("iac.aws.rds-publicly-accessible".to_string(), 12),
        ]
    );
}

/// Every file under `dir`, recursively.
fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn iac_suppression_comments_apply_to_the_whole_resource() {
    let dir = tempfile::tempdir().expect("tempdir");
    // rampart's comment above a Terraform resource; Checkov's anywhere inside one.
    std::fs::write(
        dir.path().join("main.tf"),
        "# rampart:ignore iac.aws.sg-admin-ports-open bastion, reviewed\n\
         resource \"aws_security_group\" \"bastion\" {\n  ingress {\n    from_port   = 22\n    \
         to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n\n\
         resource \"aws_s3_bucket\" \"site\" {\n  #checkov:skip=CKV_AWS_20:a public website\n  \
         bucket = \"site\"\n  acl    = \"public-read\"\n}\n\n\
         resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n  acl    = \"public-read\"\n}\n",
    )
    .expect("write");
    // Above a CloudFormation resource's logical id, and above a Kubernetes container.
    std::fs::write(
        dir.path().join("template.yaml"),
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  \
         # rampart:ignore iac.aws.s3-public-acl static assets\n  Assets:\n    \
         Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n  \
         Uploads:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\nspec:\n  containers:\n    \
         # rampart:ignore iac.k8s.privileged-container the node agent needs it\n    \
         - name: agent\n      image: agent:1.0\n      securityContext:\n        privileged: true\n    \
         - name: sidecar\n      image: sidecar:1.0\n      securityContext:\n        privileged: true\n",
    )
    .expect("write");
    let out = rampart()
        .args(["scan", "iac"])
        .arg(dir.path())
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let watched = [
        "iac.aws.sg-admin-ports-open",
        "iac.aws.s3-public-acl",
        "iac.k8s.privileged-container",
    ];
    let mut found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| watched.contains(&f["rule_id"].as_str().unwrap_or_default()))
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["locations"][0]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["locations"][0]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    found.sort();
    let want: Vec<(String, String, u64)> = [
        ("iac.aws.s3-public-acl", "main.tf", 19),
        ("iac.aws.s3-public-acl", "template.yaml", 11),
        ("iac.k8s.privileged-container", "pod.yaml", 15),
    ]
    .iter()
    .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
    .collect();
    assert_eq!(found, want);
}

#[test]
fn iac_reads_rendered_helm_output_from_stdin() {
    // What `helm template` prints: documents preceded by the template they came from.
    let rendered = "---\n# Source: web/templates/serviceaccount.yaml\napiVersion: v1\n\
                    kind: ServiceAccount\nmetadata:\n  name: web\n---\n\
                    # Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\n\
                    metadata:\n  name: web\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      \
                    containers:\n        - name: web\n          image: nginx:1.27\n";
    let out = rampart()
        .args(["scan", "iac", "-", "--format", "json"])
        .write_stdin(rendered)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let host = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "iac.k8s.host-network")
        .expect("the host network finding");
    assert_eq!(host["locations"][0]["path"], "stdin");
    assert_eq!(host["locations"][0]["line"], 16);
    let message = host["message"].as_str().unwrap_or_default();
    assert!(
        message.ends_with("(rendered from web/templates/deployment.yaml)"),
        "{message}"
    );

    // Named, stdin is read as that file would be.
    let out = rampart()
        .args([
            "scan",
            "iac",
            "-",
            "--stdin-name",
            "Dockerfile",
            "--format",
            "json",
        ])
        .write_stdin("FROM alpine:latest\nRUN apk add curl\n")
        .assert()
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(rules.contains(&"iac.docker.latest-tag"), "{rules:?}");
}

#[test]
fn exceptions_accept_findings_until_they_expire_and_stale_ones_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pod = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  hostNetwork: true\n  \
             containers:\n    - name: app\n      image: app:1.0\n      securityContext:\n        \
             privileged: true\n"
        )
    };
    std::fs::create_dir_all(dir.path().join("legacy")).expect("mkdir");
    std::fs::write(dir.path().join("legacy/pod.yaml"), pod("old")).expect("write");
    std::fs::write(dir.path().join("pod.yaml"), pod("new")).expect("write");
    std::fs::write(
        dir.path().join("rampart.toml"),
        "[[exception]]\nrule = \"iac.k8s.privileged-container\"\npath = \"legacy/**\"\n\
         reason = \"node agent, replaced in Q2\"\napprover = \"jane@example.com\"\n\
         expires = 2099-06-30\n\n\
         [[exception]]\nrule = \"iac.k8s.host-network\"\nreason = \"was needed once\"\n\
         approver = \"sam@example.com\"\nexpires = 2020-01-01\n",
    )
    .expect("write");
    // The separate file beside rampart.toml, as `rampart exception add` writes it.
    rampart()
        .current_dir(dir.path())
        .args([
            "exception",
            "add",
            "--rule",
            "secret.aws-access-key-id",
            "--reason",
            "documentation example key",
            "--approver",
            "kim@example.com",
            "--expires",
            "2099-01-01",
        ])
        .assert()
        .success();
    let out = rampart()
        .args(["scan", "iac"])
        .arg(dir.path())
        .args(["--format", "json", "--fail-on", "high"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let findings = report["findings"].as_array().expect("findings");
    let of = |rule: &str, path: &str| {
        findings
            .iter()
            .find(|f| f["rule_id"] == rule && f["locations"][0]["path"] == path)
            .unwrap_or_else(|| panic!("{rule} in {path}"))
    };
    let accepted = of("iac.k8s.privileged-container", "legacy/pod.yaml");
    assert_eq!(accepted["suppressed"]["kind"], "exception");
    assert_eq!(accepted["suppressed"]["approver"], "jane@example.com");
    assert_eq!(accepted["suppressed"]["expires"], "2099-06-30");
    assert!(of("iac.k8s.privileged-container", "pod.yaml")["suppressed"].is_null());
    // Expired: it accepts nothing, and the findings count again.
    assert!(of("iac.k8s.host-network", "legacy/pod.yaml")["suppressed"].is_null());
    let statuses: Vec<(&str, &str, u64)> = report["exceptions"]
        .as_array()
        .expect("exceptions")
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().unwrap_or_default(),
                e["status"].as_str().unwrap_or_default(),
                e["matched"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("iac.k8s.privileged-container", "active", 1),
            ("iac.k8s.host-network", "expired", 2),
            ("secret.aws-access-key-id", "stale", 0),
        ]
    );
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("expired on 2020-01-01")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("secret.aws-access-key-id") && m.contains("matches no finding")),
        "{messages:?}"
    );

    // A hand-written entry without a reason stops the run, naming the file.
    std::fs::write(
        dir.path().join("rampart.toml"),
        "[[exception]]\nrule = \"x\"\nreason = \"\"\napprover = \"a\"\nexpires = 2099-01-01\n",
    )
    .expect("write");
    let err = rampart()
        .args(["scan", "iac"])
        .arg(dir.path())
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&err);
    assert!(
        err.contains("rampart.toml") && err.contains("`reason` is empty"),
        "{err}"
    );
}

#[test]
fn a_gate_policy_decides_the_scan_and_a_saved_report_is_gated_later() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostPID: true\n  \
         containers:\n    - name: app\n      image: app:1.0\n",
    )
    .expect("write");
    let library =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rampart-policy/policies");
    // The IaC policy of the shipped library: a CIS-mapped finding fails the gate, and the
    // policy alone decides (no --fail-on).
    let out = rampart()
        .args(["scan", "iac"])
        .arg(&project)
        .args(["--format", "json", "--gate-policy"])
        .arg(library.join("iac_cis.rego"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let policy = &report["gate"]["policy"];
    assert_eq!(report["gate"]["fail_on"], "none");
    assert_eq!(report["gate"]["passed"], false);
    let denies = policy["denies"].as_array().expect("denies");
    assert!(
        denies
            .iter()
            .any(|d| d["rule"] == "rampart.gate.iac_cis.deny"
                && d["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("iac.k8s.host-pid fails CIS-Kubernetes-5.2.3"))),
        "{policy}"
    );
    assert!(
        !denies.iter().any(|d| d["message"]
            .as_str()
            .is_some_and(|m| m.contains("CIS-Controls"))),
        "{policy}"
    );
    let host_pid = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "iac.k8s.host-pid")
        .expect("host-pid");
    assert!(denies
        .iter()
        .any(|d| d["findings"][0] == host_pid["fingerprint"]));
    assert!(policy["digest"]
        .as_str()
        .unwrap_or_default()
        .starts_with("sha256:"));

    // A later stage: the saved report, gated again by another policy and by severity.
    let saved = dir.path().join("report.json");
    std::fs::write(&saved, &out).expect("write");
    rampart()
        .args(["gate"])
        .arg(&saved)
        .args(["--gate-policy"])
        .arg(library.join("no_secrets.rego"))
        .assert()
        .success();
    let decision = rampart()
        .args(["gate"])
        .arg(&saved)
        .args(["--fail-on", "high", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let decision = json(&decision);
    assert_eq!(decision["passed"], false);
    assert!(decision["failing_findings"].as_u64().unwrap_or_default() >= 1);
    // Not a report: a clear error.
    std::fs::write(dir.path().join("other.json"), "{\"a\": 1}").expect("write");
    let err = rampart()
        .args(["gate"])
        .arg(dir.path().join("other.json"))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&err).contains("not a rampart JSON report"));

    // The library's Rego unit tests, as `opa test` runs them; a failing test fails the run.
    let out = rampart()
        .args(["policy", "test"])
        .arg(&library)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8_lossy(&out);
    assert!(
        out.contains("PASS rampart.gate.no_secrets_test.test_a_secret_is_denied"),
        "{out}"
    );
    let tests = dir.path().join("tests");
    std::fs::create_dir_all(&tests).expect("mkdir");
    std::fs::write(
        tests.join("x_test.rego"),
        "package x\nimport rego.v1\ntest_fails if { 1 == 2 }\n",
    )
    .expect("write");
    let out = rampart()
        .args(["policy", "test"])
        .arg(&tests)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("FAIL x.test_fails"));
}
