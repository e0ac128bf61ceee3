//! The security gate as policy. A bundle's rules named `deny` or `warn` (alone or with a
//! `_suffix`), in every package, are evaluated once over the whole report: each `deny` message
//! fails the gate, each `warn` message is shown. A message is a string, or an object with
//! `msg` and, to name the findings behind it, `findings` (fingerprints, or findings as the
//! input gives them).
//!
//! The input is the JSON report (`rampart schema report`; locations without byte offsets and
//! snippets), each finding also carrying what a
//! policy usually asks about it: `rule` (the rule's id, scanner, title, severity and taxonomy
//! with CWE and control ids; its prose is in the report's `rules`), `fixable` (a fixed version exists),
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
        let mut evaluation = self.bundle.with_engine_input(engine_input(report));
        // Every rule in one evaluation: the report is prepared once, however many rules.
        let data = match evaluation.all() {
            Ok(data) => data,
            Err(e) => {
                decision.errors.push(e);
                return decision;
            }
        };
        for (package, name, denies) in &self.rules {
            let mut value = &data;
            for part in package.split('.').chain([name.as_str()]) {
                value = &value[part];
            }
            match value {
                // A rule with no message (an empty set) is absent from `data`.
                serde_json::Value::Null => {}
                value => {
                    for m in crate::bundle::messages(value) {
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

/// The report as policies read it (see the module's documentation), serialized straight from
/// the report.
#[derive(serde::Serialize)]
struct Input<'r> {
    schema_version: &'r str,
    tool: &'r rampart_core::report::Tool,
    target: &'r str,
    scanners: &'r [String],
    findings: Vec<InputFinding<'r>>,
    diagnostics: &'r [rampart_core::Diagnostic],
    stats: &'r rampart_core::Stats,
    rules: &'r [rampart_core::RuleMeta],
    exceptions: &'r [rampart_core::exception::ExceptionUse],
    gate: &'r rampart_core::report::Gate,
}

/// A finding as policies read it: the report's fields but the byte offsets and snippets of its
/// locations (what a policy never decides on, and most of a large report's size).
#[derive(serde::Serialize)]
struct InputFinding<'r> {
    rule_id: &'r str,
    scanner: &'r str,
    title: &'r str,
    severity: rampart_core::Severity,
    confidence: rampart_core::Confidence,
    message: &'r str,
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'r str>,
    locations: Vec<InputLocation<'r>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerability: Option<&'r rampart_core::Vulnerability>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<&'r rampart_core::priority::Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'r rampart_core::Suppression>,
    rule: Option<RuleFacts<'r>>,
    fixable: bool,
    known_exploited: bool,
    accepted: bool,
    new: bool,
}

#[derive(serde::Serialize)]
struct InputLocation<'r> {
    path: &'r str,
    line: u32,
    column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'r rampart_core::Commit>,
}

/// What a policy asks of a finding's rule (its prose stays in the report's `rules`, once).
#[derive(serde::Serialize)]
struct RuleFacts<'r> {
    id: &'r str,
    scanner: &'r str,
    title: &'r str,
    severity: rampart_core::Severity,
    taxonomy: &'r rampart_core::Taxonomy,
}

impl<'r> Input<'r> {
    fn of(report: &'r Report) -> Input<'r> {
        Input {
            schema_version: &report.schema_version,
            tool: &report.tool,
            target: &report.target,
            scanners: &report.scanners,
            findings: report
                .findings
                .iter()
                .map(|f| {
                    let v = f.vulnerability.as_ref();
                    InputFinding {
                        rule_id: &f.rule_id,
                        scanner: &f.scanner,
                        title: &f.title,
                        severity: f.severity,
                        confidence: f.confidence,
                        message: &f.message,
                        fingerprint: f.fingerprint.to_string(),
                        secret: f.secret.as_deref(),
                        locations: f
                            .locations
                            .iter()
                            .map(|l| InputLocation {
                                path: &l.path,
                                line: l.line,
                                column: l.column,
                                commit: l.commit.as_ref(),
                            })
                            .collect(),
                        vulnerability: f.vulnerability.as_ref(),
                        priority: f.priority.as_ref(),
                        suppressed: f.suppressed.as_ref(),
                        rule: report.rule(&f.rule_id).map(|r| RuleFacts {
                            id: &r.id,
                            scanner: &r.scanner,
                            title: &r.title,
                            severity: r.severity,
                            taxonomy: &r.taxonomy,
                        }),
                        fixable: v.is_some_and(|v| v.fixed.is_some()),
                        known_exploited: v.is_some_and(|v| v.kev.is_some()),
                        accepted: f.suppressed.is_some(),
                        new: true,
                    }
                })
                .collect(),
            diagnostics: &report.diagnostics,
            stats: &report.stats,
            rules: &report.rules,
            exceptions: &report.exceptions,
            gate: &report.gate,
        }
    }
}

/// The input as the policy engine holds it.
fn engine_input(report: &Report) -> regorus::Value {
    serde_json::to_string(&Input::of(report))
        .ok()
        .and_then(|text| regorus::Value::from_json_str(&text).ok())
        .unwrap_or(regorus::Value::Null)
}
