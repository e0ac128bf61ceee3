//! Signed attestations of a scan: key generation, signing with `scan --attest`, verification,
//! and what tampering, truncation and a missing key do.

mod common;

use base64::Engine as _;
use common::{json, rampart, Repo};

#[test]
fn a_scan_attests_its_commit_and_decision_and_tampering_is_caught() {
    let mut repo = Repo::new();
    repo.write(
        "deploy/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostPID: true\n  \
         containers:\n    - name: app\n      image: app:1.0\n",
    );
    let commit = repo.commit("init");
    let keys = tempfile::tempdir().expect("tempdir");
    rampart()
        .args(["key", "generate", "--out"])
        .arg(keys.path())
        .assert()
        .success();
    let key = keys.path().join("rampart.key");
    let public = keys.path().join("rampart.pub");
    // Never overwritten.
    rampart()
        .args(["key", "generate", "--out"])
        .arg(keys.path())
        .assert()
        .code(2);

    let attestation = keys.path().join("scan.intoto.json");
    rampart()
        .args(["scan", "iac"])
        .arg(repo.path())
        .args(["--fail-on", "high", "--quiet", "--attest"])
        .arg(&attestation)
        .env("RAMPART_ATTEST_KEY", &key)
        .assert()
        .code(1);
    let out = rampart()
        .args(["attest", "verify"])
        .arg(&attestation)
        .arg("--key")
        .arg(&public)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8_lossy(&out);
    assert!(
        out.contains(&commit) && out.contains("gate:     failed"),
        "{out}"
    );

    // The statement: the commit, and the decision.
    let envelope = json(&std::fs::read(&attestation).expect("read"));
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().expect("payload"))
        .expect("base64");
    let statement = json(&payload);
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        statement["subject"][0]["digest"]["gitCommit"],
        commit.as_str()
    );
    assert_eq!(statement["predicate"]["gate"]["passed"], false);
    assert_eq!(statement["predicate"]["gate"]["fail_on"], "high");

    // The decision changed to "passed": the signature no longer verifies.
    let tampered_payload =
        String::from_utf8_lossy(&payload).replace("\"passed\":false", "\"passed\":true");
    let mut tampered = envelope.clone();
    tampered["payload"] = base64::engine::general_purpose::STANDARD
        .encode(tampered_payload)
        .into();
    let bad = keys.path().join("tampered.json");
    std::fs::write(&bad, tampered.to_string()).expect("write");
    let err = rampart()
        .args(["attest", "verify"])
        .arg(&bad)
        .arg("--key")
        .arg(&public)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&err).contains("does not verify"));

    // Truncated: not an attestation at all.
    let text = std::fs::read_to_string(&attestation).expect("read");
    std::fs::write(&bad, &text[..text.len() / 2]).expect("write");
    rampart()
        .args(["attest", "verify"])
        .arg(&bad)
        .arg("--key")
        .arg(&public)
        .assert()
        .code(2);

    // --attest without a key stops before scanning.
    let err = rampart()
        .args(["scan", "iac"])
        .arg(repo.path())
        .args(["--attest"])
        .arg(keys.path().join("x.json"))
        .env_remove("RAMPART_ATTEST_KEY")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&err).contains("--attest needs a signing key"));
}
