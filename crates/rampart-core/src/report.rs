use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::finding::Finding;
use crate::rule::RuleMeta;
use crate::severity::{FailOn, Severity};

/// The version of the JSON report format (`rampart schema report` prints its JSON Schema).
/// Bumped on any change that could break a reader.
pub const REPORT_SCHEMA_VERSION: &str = "1.0";

/// The result of one run: what was scanned, what was found, what could not be read, and the
/// gate decision. It holds no timestamps or durations, so the same input gives the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    /// What was scanned, as given on the command line.
    pub target: String,
    pub scanners: Vec<String>,
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
    /// The documentation of every rule that has a finding, sorted by id.
    pub rules: Vec<RuleMeta>,
    /// The exceptions in the configuration and what became of each: active, stale, expired.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<crate::exception::ExceptionUse>,
    pub gate: Gate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: crate::TOOL_NAME.to_string(),
            version: crate::TOOL_VERSION.to_string(),
        }
    }
}

/// Counts of what the run read, skipped and set aside.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    /// Files not scanned because they look binary (a NUL byte near the start).
    pub skipped_binary: u64,
    /// Files not scanned because they exceed the size limit.
    pub skipped_too_large: u64,
    /// Files that could not be read (permissions, vanished, I/O errors).
    pub unreadable: u64,
    /// Findings silenced by an inline `rampart:ignore` (or peer) comment.
    pub suppressed_inline: u64,
    /// Findings silenced by `[rules]` ignores in the configuration.
    pub suppressed_config: u64,
    /// Findings already recorded in the baseline.
    pub in_baseline: u64,
}

impl Stats {
    pub fn add(&mut self, o: &Stats) {
        self.files_scanned += o.files_scanned;
        self.bytes_scanned += o.bytes_scanned;
        self.skipped_binary += o.skipped_binary;
        self.skipped_too_large += o.skipped_too_large;
        self.unreadable += o.unreadable;
        self.suppressed_inline += o.suppressed_inline;
        self.suppressed_config += o.suppressed_config;
        self.in_baseline += o.in_baseline;
    }
}

/// The gate decision: whether any finding is at or above the threshold and, with a gate
/// policy, what the policy denies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    pub fail_on: FailOn,
    pub passed: bool,
    /// How many findings are at or above the threshold (suppressed ones never count).
    pub failing_findings: usize,
    /// The gate policy's decision, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyDecision>,
}

impl Gate {
    pub fn decide(fail_on: FailOn, findings: &[Finding]) -> Gate {
        let failing = findings
            .iter()
            .filter(|f| f.suppressed.is_none() && fail_on.fails(f.severity))
            .count();
        Gate {
            fail_on,
            passed: failing == 0,
            failing_findings: failing,
            policy: None,
        }
    }

    /// Adds a gate policy's decision: any `deny` message, or a policy that could not be
    /// evaluated, fails the gate.
    pub fn with_policy(mut self, decision: PolicyDecision) -> Gate {
        self.passed = self.passed && decision.denies.is_empty() && decision.errors.is_empty();
        self.policy = Some(decision);
        self
    }
}

/// What a gate policy (Rego `deny` and `warn` rules over the report) decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDecision {
    /// The policy files, and the SHA-256 of their contents in order.
    pub files: Vec<String>,
    pub digest: String,
    /// Messages of `deny` rules: each fails the gate.
    pub denies: Vec<PolicyMessage>,
    /// Messages of `warn` rules: shown, never failing.
    pub warnings: Vec<PolicyMessage>,
    /// Rules that could not be evaluated (an error, the time limit): they fail the gate.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyMessage {
    /// The rule, `package.name`.
    pub rule: String,
    pub message: String,
    /// The fingerprints of the findings behind the message, when the policy names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

impl Report {
    /// Findings that count (not suppressed) per severity, every severity present (zero when
    /// none), highest first.
    pub fn counts_by_severity(&self) -> Vec<(Severity, usize)> {
        let mut counts: BTreeMap<Severity, usize> = Severity::ALL.iter().map(|s| (*s, 0)).collect();
        for f in self.findings.iter().filter(|f| f.suppressed.is_none()) {
            *counts.entry(f.severity).or_default() += 1;
        }
        counts.into_iter().rev().collect()
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }
}
