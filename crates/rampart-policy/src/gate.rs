//! The security gate as policy. A bundle's rules named `deny` or `warn` (alone or with a
//! `_suffix`), in every package, are evaluated once over the whole report: each `deny` message
//! fails the gate, each `warn` message is shown. A message is a string, or an object with
//! `msg` and, to name the findings behind it, `findings` (fingerprints, or findings as the
//! input gives them).
//!
//! The input is the JSON report (`rampart schema report`), each finding also carrying what a
//! policy usually asks about it: `rule` (the rule's documentation: scanner, title, severity,
//! taxonomy with CWE and control ids), `fixable` (a fixed version exists),
//! `known_exploited` (in CISA KEV), `accepted` (an exception or VEX statement covers it) and
//! `new` (not in the baseline: a baseline removes the findings it holds before the gate).

use std::path::PathBuf;

use rampart_core::report::{PolicyDecision, PolicyMessage};
use rampart_core::Report;
use sha2::{Digest, Sha256};

use crate::bundle::{Bundle, BundleError, Files};

/// A gate policy, loaded.
pub struct GatePolicy {
    bundle: Bundle,
    /// (package, rule, denies?)
    rules: Vec<(String, String, bool)>,
    digest: String,
}

fn level(name: &str) -> Option<bool> {
    match name.split('_').next().unwrap_or(name) {
        "deny" | "violation" => Some(true),
        "warn" => Some(false),
        _ => None,
    }
}

impl GatePolicy {
    pub fn load(dirs: &[PathBuf]) -> Result<GatePolicy, BundleError> {
        GatePolicy::new(Bundle::load(dirs, Files::Policies)?)
    }

    pub fn new(bundle: Bundle) -> Result<GatePolicy, BundleError> {
        let mut rules = Vec::new();
        for package in bundle.packages() {
            for name in bundle.rule_names(&package) {
                if let Some(denies) = level(&name) {
                    rules.push((package.clone(), name, denies));
                }
            }
        }
        if rules.is_empty() {
            return Err(BundleError::Empty(format!(
                "{} (no `deny` or `warn` rule)",
                bundle
                    .files()
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut hasher = Sha256::new();
        for (path, text) in bundle.sources() {
            hasher.update(path.display().to_string().as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        let digest = format!("sha256:{:x}", hasher.finalize());
        Ok(GatePolicy {
            bundle,
            rules,
            digest,
        })
    }

    pub fn set_time_limit(&mut self, limit: std::time::Duration) {
        self.bundle.set_time_limit(limit);
    }

    /// Evaluates the policy over a report.
    pub fn decide(&self, report: &Report) -> PolicyDecision {
        let mut decision = PolicyDecision {
            files: self
                .bundle
                .files()
                .iter()
                .map(|f| f.display().to_string())
                .collect(),
            digest: self.digest.clone(),
            ..PolicyDecision::default()
        };
        let mut evaluation = match self.bundle.with_input(&input(report)) {
            Ok(e) => e,
            Err(e) => {
                decision.errors.push(e);
                return decision;
            }
        };
        for (package, name, denies) in &self.rules {
            match evaluation.messages(package, name) {
                Ok(messages) => {
                    for m in messages {
                        let message = PolicyMessage {
                            rule: format!("{package}.{name}"),
                            message: m.text,
                            findings: fingerprints(&m.details),
                        };
                        if *denies {
                            decision.denies.push(message);
                        } else {
                            decision.warnings.push(message);
                        }
                    }
                }
                Err(e) => decision.errors.push(format!("{package}.{name}: {e}")),
            }
        }
        decision
    }
}

/// The findings a message names: `findings` (or `finding`), as fingerprints or as findings.
fn fingerprints(details: &serde_json::Value) -> Vec<String> {
    let named = match (details.get("findings"), details.get("finding")) {
        (Some(serde_json::Value::Array(items)), _) => items.clone(),
        (_, Some(one)) => vec![one.clone()],
        _ => Vec::new(),
    };
    let mut out: Vec<String> = named
        .iter()
        .filter_map(|f| {
            f.as_str()
                .or_else(|| f.get("fingerprint").and_then(|v| v.as_str()))
                .map(str::to_string)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The report as policies read it: the JSON report, each finding with its rule's
/// documentation and the facts policies usually ask about.
pub fn input(report: &Report) -> serde_json::Value {
    let mut json = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    if let Some(findings) = json
        .get_mut("findings")
        .and_then(serde_json::Value::as_array_mut)
    {
        for (f, finding) in findings.iter_mut().zip(&report.findings) {
            let Some(obj) = f.as_object_mut() else {
                continue;
            };
            let rule = report.rule(&finding.rule_id);
            let v = finding.vulnerability.as_ref();
            obj.insert(
                "rule".into(),
                rule.and_then(|r| serde_json::to_value(r).ok())
                    .unwrap_or(serde_json::Value::Null),
            );
            obj.insert(
                "fixable".into(),
                v.is_some_and(|v| v.fixed.is_some()).into(),
            );
            obj.insert(
                "known_exploited".into(),
                v.is_some_and(|v| v.kev.is_some()).into(),
            );
            obj.insert("accepted".into(), finding.suppressed.is_some().into());
            obj.insert("new".into(), true.into());
        }
    }
    json
}
