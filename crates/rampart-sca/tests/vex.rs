//! VEX documents in both formats suppress what they analysed as not affected (and nothing
//! else), the latest statement about a vulnerability and package decides, and hostile
//! documents are errors, never panics.

use std::path::Path;

use rampart_sca::ecosystem::Ecosystem;
use rampart_sca::purl::purl;
use rampart_sca::vex::{parse, VexDocument, VexError, VexFormat, VexIndex, VexStatus};

fn fixture(name: &str) -> VexDocument {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vex")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    parse(name, &bytes).unwrap()
}

fn index(names: &[&str]) -> VexIndex {
    VexIndex::from_documents(names.iter().map(|n| fixture(n)))
}

#[test]
fn openvex_statements_are_read_with_products_and_subcomponents() {
    let doc = fixture("openvex.json");
    assert_eq!(doc.format, VexFormat::OpenVex);
    assert_eq!(
        doc.author.as_deref(),
        Some("Demo Security Team <security@example.com>")
    );
    assert_eq!(doc.statements.len(), 8);
    let django = &doc.statements[2];
    assert_eq!(django.vulnerability, "CVE-2024-27351");
    assert_eq!(django.aliases, ["GHSA-vm8q-m57g-pff3", "PYSEC-2024-47"]);
    assert_eq!(
        django.products,
        [
            "pkg:oci/demo-app@sha256%3A0123456789abcdef?repository_url=registry.example.com",
            "pkg:pypi/Django@4.2.10",
            "pkg:pypi/Django_REST.framework@3.14.0",
        ]
    );
    // No timestamp of its own: the document's.
    assert_eq!(django.timestamp.as_deref(), Some("2024-01-10T09:00:00Z"));
    assert_eq!(django.source, "openvex.json");
    let log4j = &doc.statements[6];
    assert_eq!(
        log4j.products,
        ["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"]
    );
    // The product without a purl is reported, not fatal.
    assert!(doc
        .diagnostics
        .iter()
        .any(|d| d.path == "$.statements[6].products[1]" && d.message.contains("no purl")));
    assert_eq!(
        doc.statements[1].action.as_deref(),
        Some("Upgrade lodash to 4.17.21.")
    );
}

#[test]
fn a_versionless_product_covers_every_version_until_a_later_statement_says_otherwise() {
    let idx = index(&["openvex.json"]);
    let lodash = |v: &str| purl(Ecosystem::Npm, "lodash", v);
    // 4.17.21: only the versionless not_affected applies.
    let s = idx
        .not_affected(&["GHSA-35jh-r3h4-6jhm"], &lodash("4.17.21"))
        .expect("suppressed");
    assert_eq!(s.status, VexStatus::NotAffected);
    assert_eq!(
        s.reason(),
        "not_affected: vulnerable_code_not_in_execute_path — The template function is never \
         called with user input. (openvex.json)"
    );
    // 4.17.20: a later `affected` statement names that version exactly.
    assert_eq!(
        idx.not_affected(&["CVE-2021-23337"], &lodash("4.17.20")),
        None
    );
    assert_eq!(
        idx.decision(&["cve-2021-23337"], &lodash("4.17.20"))
            .map(|s| s.status),
        Some(VexStatus::Affected)
    );
    // Another vulnerability or another package: nothing applies.
    assert_eq!(idx.decision(&["CVE-2021-99999"], &lodash("4.17.21")), None);
    assert_eq!(
        idx.decision(
            &["CVE-2021-23337"],
            &purl(Ecosystem::Npm, "lodash-es", "4.17.21")
        ),
        None
    );
    // A package without a version is only covered by a versionless product.
    assert!(idx
        .not_affected(&["CVE-2021-23337"], "pkg:npm/lodash")
        .is_some());
}

#[test]
fn products_match_names_as_each_ecosystem_does() {
    let idx = index(&["openvex.json"]);
    // Subcomponents of a product apply to the package; PyPI names per PEP 503.
    for (name, version) in [("django", "4.2.10"), ("django-rest-framework", "3.14.0")] {
        let p = purl(Ecosystem::PyPI, name, version);
        let s = idx.not_affected(&["PYSEC-2024-47"], &p).expect(name);
        assert_eq!(s.justification.as_deref(), Some("component_not_present"));
    }
    assert!(idx
        .not_affected(
            &["CVE-2024-27351"],
            &purl(Ecosystem::PyPI, "django", "4.2.11")
        )
        .is_none());
    // Go: the leading `v` of a version does not matter, only the version does.
    let gin = |v: &str| format!("pkg:golang/github.com/gin-gonic/gin@{v}");
    assert!(idx
        .not_affected(&["GHSA-2c4m-59x9-fr2g"], &gin("v1.9.0"))
        .is_some());
    assert!(idx
        .not_affected(&["GHSA-2c4m-59x9-fr2g"], &gin("1.9.0"))
        .is_some());
    assert!(idx
        .not_affected(&["GHSA-2c4m-59x9-fr2g"], &gin("v1.9.1"))
        .is_none());
    // Maven through `identifiers.purl`; qualifiers are ignored.
    let log4j = purl(
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
        "2.14.1",
    );
    assert!(idx
        .not_affected(&["GHSA-jfh8-c2jp-5v3q"], &format!("{log4j}?type=jar"))
        .is_some());
    assert!(idx
        .not_affected(
            &["CVE-2021-44228"],
            "pkg:maven/org.apache.logging.log4j/LOG4J-core@2.14.1"
        )
        .is_none());
    // `fixed` is not `not_affected`.
    let left_pad = purl(Ecosystem::Npm, "left-pad", "1.3.0");
    assert_eq!(idx.not_affected(&["CVE-2023-0001"], &left_pad), None);
    assert_eq!(
        idx.decision(&["CVE-2023-0001"], &left_pad)
            .map(|s| s.status),
        Some(VexStatus::Fixed)
    );
}

#[test]
fn cargo_names_ignore_case_and_separators_and_a_later_investigation_wins() {
    let idx = index(&["openvex.json"]);
    let serde_json = purl(Ecosystem::CratesIo, "serde_json", "1.0.100");
    let s = idx.decision(&["RUSTSEC-2024-0001"], &serde_json).unwrap();
    assert_eq!(s.status, VexStatus::UnderInvestigation);
    assert_eq!(idx.not_affected(&["RUSTSEC-2024-0001"], &serde_json), None);
}

#[test]
fn timestamps_compare_as_times_not_text() {
    let later_by_offset = br#"{
      "@context": "https://openvex.dev/ns/v0.2.0",
      "author": "a", "timestamp": "2024-01-01T00:00:00Z",
      "statements": [
        {"vulnerability": {"name": "CVE-2024-1111"}, "products": [{"@id": "pkg:npm/a"}],
         "status": "affected", "timestamp": "2024-05-01T01:00:00+02:00"},
        {"vulnerability": {"name": "CVE-2024-1111"}, "products": [{"@id": "pkg:npm/a"}],
         "status": "not_affected", "justification": "component_not_present",
         "timestamp": "2024-04-30T23:30:00Z"}
      ]}"#;
    let idx = VexIndex::from_documents([parse("t.json", later_by_offset).unwrap()]);
    // 2024-05-01T01:00+02:00 is 2024-04-30T23:00Z, earlier than 23:30Z though its text sorts
    // later: the not_affected statement wins.
    assert!(idx
        .not_affected(&["CVE-2024-1111"], "pkg:npm/a@1.0.0")
        .is_some());
}

#[test]
fn between_equal_timestamps_the_later_statement_wins() {
    let doc = br#"{
      "@context": "https://openvex.dev/ns/v0.2.0",
      "author": "a", "timestamp": "2024-01-01T00:00:00Z",
      "statements": [
        {"vulnerability": {"name": "CVE-2024-2222"}, "products": [{"@id": "pkg:npm/a"}],
         "status": "not_affected", "justification": "component_not_present"},
        {"vulnerability": {"name": "CVE-2024-2222"}, "products": [{"@id": "pkg:npm/a"}],
         "status": "under_investigation"}
      ]}"#;
    let idx = VexIndex::from_documents([parse("t.json", doc).unwrap()]);
    assert!(idx
        .not_affected(&["CVE-2024-2222"], "pkg:npm/a@1")
        .is_none());
}

#[test]
fn statements_across_documents_combine() {
    let idx = index(&["openvex.json", "openvex-v0.0.1.json", "cyclonedx-vex.json"]);
    assert_eq!(idx.len(), 8 + 1 + 4);
    // The draft format: a plain-string vulnerability and statement-level subcomponents.
    let git = "pkg:apk/alpine/git@2.38.1-r0";
    let s = idx.not_affected(&["CVE-2023-12345"], git).unwrap();
    assert_eq!(s.source, "openvex-v0.0.1.json");
    assert_eq!(
        s.timestamp.as_deref(),
        Some("2023-01-09T21:23:03.579712389-06:00")
    );
    assert!(idx
        .not_affected(&["CVE-2021-44906"], "pkg:npm/minimist@1.2.5")
        .is_some());
}

#[test]
fn cyclonedx_refs_resolve_through_nested_components_and_bom_links() {
    let doc = fixture("cyclonedx-vex.json");
    assert_eq!(doc.format, VexFormat::CycloneDx);
    assert_eq!(doc.author.as_deref(), Some("Demo Product Security"));
    // The vulnerability without an analysis says nothing as VEX.
    assert_eq!(doc.statements.len(), 4);
    assert!(doc
        .diagnostics
        .iter()
        .any(|d| d.path == "$.vulnerabilities[4]" && d.message.contains("no analysis.state")));

    let minimist = &doc.statements[0];
    assert_eq!(minimist.products, ["pkg:npm/minimist@1.2.5"]);
    assert_eq!(minimist.aliases, ["GHSA-xvch-5gv4-984h"]);
    assert_eq!(minimist.timestamp.as_deref(), Some("2024-03-02T00:00:00Z"));

    let lodash = &doc.statements[2];
    assert_eq!(lodash.products, ["pkg:npm/lodash@4.17.20"]);
    assert_eq!(
        lodash.action.as_deref(),
        Some("update, workaround_available")
    );
    // No analysis time: the document's.
    assert_eq!(lodash.timestamp.as_deref(), Some("2024-04-01T12:00:00Z"));

    let express = &doc.statements[3];
    assert_eq!(express.products, ["pkg:npm/express@4.18.2"]);
    assert_eq!(
        express.unresolved,
        [
            "urn:cdx:a2c4e6f8-0000-4000-8000-000000000001/3#some-other-ref",
            "readme"
        ]
    );
    let unresolved: Vec<_> = doc
        .diagnostics
        .iter()
        .filter(|d| d.path.starts_with("$.vulnerabilities[3].affects"))
        .collect();
    assert_eq!(unresolved.len(), 2, "{unresolved:?}");
    assert!(unresolved[0].message.contains("another BOM"));
    assert!(unresolved[1].message.contains("no purl"));
}

#[test]
fn cyclonedx_not_affected_and_false_positive_suppress_and_exploitable_does_not() {
    let idx = index(&["cyclonedx-vex.json"]);
    let s = idx
        .not_affected(
            &["GHSA-xvch-5gv4-984h"],
            &purl(Ecosystem::Npm, "minimist", "1.2.5"),
        )
        .unwrap();
    assert_eq!(
        s.reason(),
        "not_affected: code_not_reachable — minimist only parses our own fixed argument list. \
         (cyclonedx-vex.json)"
    );
    // A reference id is an alias.
    let s = idx
        .not_affected(&["CVE-2022-24999"], &purl(Ecosystem::Npm, "qs", "6.5.2"))
        .unwrap();
    assert_eq!(s.status, VexStatus::FalsePositive);
    assert!(s
        .reason()
        .starts_with("false_positive — The scanner matched qs"));

    let lodash = purl(Ecosystem::Npm, "lodash", "4.17.20");
    assert_eq!(idx.not_affected(&["CVE-2020-8203"], &lodash), None);
    assert_eq!(
        idx.decision(&["CVE-2020-8203"], &lodash).map(|s| s.status),
        Some(VexStatus::Exploitable)
    );
    // resolved_with_pedigree is not a suppression either.
    assert_eq!(
        idx.not_affected(
            &["CVE-2024-29041"],
            &purl(Ecosystem::Npm, "express", "4.18.2")
        ),
        None
    );
}

#[test]
fn malformed_and_unknown_documents_are_clear_errors() {
    let err = parse("broken.json", b"{\n  \"statements\": [\n    {,\n").unwrap_err();
    match &err {
        VexError::Json { line, column, .. } => assert_eq!((*line, *column), (3, 6)),
        other => panic!("{other:?}"),
    }
    assert!(err
        .to_string()
        .starts_with("broken.json: not valid JSON (line 3, column 6)"));

    let err = parse("x.json", br#"{"hello": "world"}"#).unwrap_err();
    assert!(matches!(err, VexError::UnknownFormat { .. }), "{err}");
    let err = parse(
        "sbom.json",
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("SBOM, not VEX"), "{err}");
    let err = parse(
        "old.json",
        br#"{"bomFormat":"CycloneDX","specVersion":"1.3","vulnerabilities":[]}"#,
    )
    .unwrap_err();
    assert!(matches!(err, VexError::UnsupportedVersion { .. }), "{err}");
    let err = parse(
        "csaf.json",
        br#"{"document":{"category":"csaf_vex","csaf_version":"2.0"}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("CSAF"), "{err}");

    let wrong_types: &[&[u8]] = &[
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":{}}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[1]}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0"}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":7,"status":"affected"}]}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"aliases":["x"]},"status":"affected"}]}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"status":"maybe"}]}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"status":"affected","products":"pkg:npm/a"}]}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"status":"affected","products":[{"@id":"pkg:npm/a","subcomponents":{}}]}]}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1","aliases":[1]},"status":"affected"}]}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"status":"affected","timestamp":5}]}"#,
        br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"status":"affected","products":[{"identifiers":[]}]}]}"#,
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":{}}"#,
        br#"{"bomFormat":"CycloneDX","specVersion":1.5,"vulnerabilities":[]}"#,
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"nope"}}]}"#,
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"in_triage"},"affects":[{}]}]}"#,
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1","analysis":"x"}]}"#,
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"components":7}],"vulnerabilities":[]}"#,
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1","references":[{"id":3}],"analysis":{"state":"in_triage"}}]}"#,
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"in_triage","response":[1]}}]}"#,
    ];
    for doc in wrong_types {
        let err = parse("bad.json", doc).unwrap_err();
        assert!(
            matches!(err, VexError::Malformed { .. }),
            "{}: {err}",
            String::from_utf8_lossy(doc)
        );
        assert!(err.to_string().contains("$."), "{err}");
    }
}

#[test]
fn odd_input_never_panics() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let mut many_refs = String::from(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected"},"affects":["#,
    );
    for i in 0..5000 {
        if i > 0 {
            many_refs.push(',');
        }
        many_refs.push_str(&format!(r#"{{"ref":"urn:cdx:é{i}/1#x"}}"#));
    }
    many_refs.push_str("]}]}");
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"   ".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"@context\"".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x7b],
        b"\xEF\xBB\xBF{}".to_vec(),
        deep.into_bytes(),
        many_refs.into_bytes(),
        br#"{"@context":["https://www.w3.org/ns","https://openvex.dev/ns/v0.2.0"],"statements":[{"vulnerability":"CVE-1","status":"not_affected","products":["pkg:npm/%","pkg:","pkg:npm/a@%e2%82","pkg:npm/a?x#y"],"timestamp":"2024-02-30T99:99:99Z"}]}"#.to_vec(),
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected"},"affects":[{"ref":"urn:cdx:"},{"ref":"urn:cdx:x/1#%zz"},{"ref":"urn:cdx:\u00e9"},{"ref":"pkg:npm/\u00e9@1"},{"ref":"urn:cdx\u00e9#x"},{"ref":"urn:cdx:\u00e9\u00e9#x"}]}]}"#.to_vec(),
    ];
    for input in inputs {
        let _ = parse("odd.json", &input);
    }
    let doc = parse(
        "many.json",
        br#"{"@context":"https://openvex.dev/ns","statements":[{"vulnerability":"CVE-1","status":"not_affected","products":["pkg:npm/%","pkg:npm/a?x#y"],"timestamp":"2024-02-30T99:99:99Z"}]}"#,
    )
    .unwrap();
    assert_eq!(doc.statements[0].products, ["pkg:npm/a?x#y"]);
    assert!(doc
        .diagnostics
        .iter()
        .any(|d| d.message.contains("RFC 3339")));
    let idx = VexIndex::from_documents([doc]);
    assert!(idx.not_affected(&["CVE-1"], "pkg:npm/a@1").is_some());
    assert!(idx.not_affected(&["CVE-1"], "not a purl").is_none());
    assert!(idx.not_affected(&[], "pkg:npm/a@1").is_none());

    let too_big = vec![b' '; rampart_sca::vex::MAX_DOCUMENT + 1];
    assert!(matches!(
        parse("big.json", &too_big),
        Err(VexError::TooLarge { .. })
    ));
}

#[test]
fn diagnostics_are_bounded() {
    let mut doc = String::from(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected"},"affects":["#,
    );
    for i in 0..1000 {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!(r#"{{"ref":"unknown-{i}"}}"#));
    }
    doc.push_str("]}]}");
    let parsed = parse("many.json", doc.as_bytes()).unwrap();
    assert_eq!(parsed.statements[0].unresolved.len(), 1000);
    assert_eq!(parsed.diagnostics.len(), 101);
    assert!(parsed.diagnostics[100].message.contains("900 more"));
}
