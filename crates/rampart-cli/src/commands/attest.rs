use std::path::Path;

use rampart_core::Report;
use sha2::{Digest, Sha256};

use crate::{Failure, Outcome};

/// `rampart key generate`.
pub fn generate(dir: &Path) -> Outcome {
    let (private, public) =
        rampart_attest::write_key_pair(dir).map_err(|e| Failure::Usage(e.to_string()))?;
    eprintln!(
        "rampart: wrote {} (keep it secret: it signs attestations) and {} (give it to verifiers)",
        private.display(),
        public.display()
    );
    Ok(())
}

/// What the attestation is about: the commit checked out at the target, else the target file's
/// digest, else the digest of the report's findings.
fn subjects(report: &Report, target: &Path) -> Vec<serde_json::Value> {
    let name = target.display().to_string();
    if let Some(commit) = rampart_git::head_commit(target) {
        return vec![serde_json::json!({"name": name, "digest": {"gitCommit": commit}})];
    }
    if target.is_file() {
        if let Ok(bytes) = std::fs::read(target) {
            return vec![
                serde_json::json!({"name": name, "digest": {"sha256": format!("{:x}", Sha256::digest(&bytes))}}),
            ];
        }
    }
    let findings = serde_json::to_vec(&report.findings).unwrap_or_default();
    vec![serde_json::json!({
        "name": format!("{name} (rampart findings)"),
        "digest": {"sha256": format!("{:x}", Sha256::digest(&findings))}
    })]
}

/// The predicate: the tool, what ran, the counts, the gate decision, the policy and the
/// exceptions used.
fn predicate(report: &Report) -> serde_json::Value {
    let counts: serde_json::Map<String, serde_json::Value> = report
        .counts_by_severity()
        .into_iter()
        .map(|(s, n)| (s.to_string(), n.into()))
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let report_json = serde_json::to_vec(report).unwrap_or_default();
    serde_json::json!({
        "tool": {"name": report.tool.name, "version": report.tool.version},
        "timestamp": rampart_git::rfc3339_utc(now),
        "target": report.target,
        "scanners": report.scanners,
        "findings": report.findings.len(),
        "accepted": report.findings.iter().filter(|f| f.suppressed.is_some()).count(),
        "counts": counts,
        "gate": {
            "passed": report.gate.passed,
            "fail_on": report.gate.fail_on,
            "failing_findings": report.gate.failing_findings,
        },
        "policy": report.gate.policy.as_ref().map(|p| serde_json::json!({
            "digest": p.digest,
            "files": p.files,
            "denies": p.denies.len(),
            "warnings": p.warnings.len(),
            "errors": p.errors.len(),
        })),
        "exceptions": report.exceptions.iter().map(|e| serde_json::json!({
            "rule": e.exception.rule,
            "approver": e.exception.approver,
            "reason": e.exception.reason,
            "expires": e.exception.expires,
            "status": e.status,
            "matched": e.matched,
        })).collect::<Vec<_>>(),
        "report_sha256": format!("{:x}", Sha256::digest(&report_json)),
    })
}

/// `scan --attest FILE`: the signed statement of this run.
pub fn write(
    file: &Path,
    report: &Report,
    target: &Path,
    key: &rampart_attest::SigningKey,
) -> Outcome {
    let statement = rampart_attest::statement(subjects(report, target), predicate(report));
    let envelope = rampart_attest::sign(&statement, key);
    let text =
        serde_json::to_string_pretty(&envelope).map_err(|e| Failure::Runtime(e.to_string()))?;
    std::fs::write(file, text + "\n")
        .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", file.display())))
}

/// `rampart attest verify FILE --key PUB`.
pub fn verify(file: &Path, key: &Path) -> Outcome {
    let public = rampart_attest::read_verifying_key(key)
        .map_err(|e| Failure::Usage(format!("--key: {e}")))?;
    let meta =
        std::fs::metadata(file).map_err(|e| Failure::Usage(format!("{}: {e}", file.display())))?;
    if meta.len() > 64 << 20 {
        return Err(Failure::Usage(format!(
            "{}: too large for an attestation",
            file.display()
        )));
    }
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::Usage(format!("{}: {e}", file.display())))?;
    match rampart_attest::verify(&text, &public) {
        Ok(statement) => {
            let p = &statement["predicate"];
            outln!(
                "verified: signed by key {}",
                rampart_attest::key_id(&public)
            );
            for s in statement["subject"].as_array().into_iter().flatten() {
                outln!(
                    "subject:  {} {}",
                    s["name"].as_str().unwrap_or_default(),
                    s["digest"]
                );
            }
            outln!(
                "scan:     {} {} at {}, {} findings ({} accepted)",
                p["tool"]["name"].as_str().unwrap_or_default(),
                p["tool"]["version"].as_str().unwrap_or_default(),
                p["timestamp"].as_str().unwrap_or_default(),
                p["findings"],
                p["accepted"]
            );
            outln!(
                "gate:     {}",
                if p["gate"]["passed"] == true {
                    "passed"
                } else {
                    "failed"
                }
            );
            if let Some(digest) = p["policy"]["digest"].as_str() {
                outln!("policy:   {digest}");
            }
            Ok(())
        }
        Err(rampart_attest::AttestError::BadSignature) => {
            eprintln!(
                "rampart: {}: {}",
                file.display(),
                rampart_attest::AttestError::BadSignature
            );
            Err(Failure::Gate)
        }
        Err(e) => Err(Failure::Usage(format!("{}: {e}", file.display()))),
    }
}
