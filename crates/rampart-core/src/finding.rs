use serde::{Deserialize, Serialize};

use crate::fingerprint::Fingerprint;
use crate::severity::{Confidence, Severity};

/// A problem found by a rule, with every place it was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub scanner: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    /// Stable identity across runs: survives the code moving lines (see [`Fingerprint`]).
    pub fingerprint: Fingerprint,
    /// The sensitive value, redacted unless the run asked to show secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Every place it was seen, sorted; the first is the primary location.
    pub locations: Vec<Location>,
    /// For a vulnerable dependency: the package and the vulnerability as data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability: Option<Vulnerability>,
    /// How urgent the finding is, and why (see [`crate::priority`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<crate::priority::Priority>,
    /// Why the finding is reported but does not count against the gate (a VEX statement
    /// that the product is not affected, an accepted risk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// A vulnerability in a dependency: what is installed, what names the vulnerability, and the
/// evidence that sets its priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    pub package: String,
    pub version: String,
    /// The ecosystem as OSV names it (`crates.io`, `npm`, `PyPI`...).
    pub ecosystem: String,
    pub purl: String,
    /// The advisory ids and their aliases (CVE, GHSA, RUSTSEC...), sorted.
    pub ids: Vec<String>,
    /// The smallest version that clears every advisory against the package, if published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<Cvss>,
    /// Whether the project depends on the package directly, where the lockfile tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
    /// In the CISA catalogue of known exploited vulnerabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<Kev>,
    /// The Exploit Prediction Scoring System's estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
}

impl Vulnerability {
    /// The CVE ids among the ids.
    pub fn cves(&self) -> impl Iterator<Item = &str> {
        self.ids
            .iter()
            .map(String::as_str)
            .filter(|id| id.starts_with("CVE-"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// The base score, 0.0 to 10.0.
    pub score: f64,
    /// The vector the score was computed from.
    pub vector: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kev {
    /// When CISA added it to the catalogue (YYYY-MM-DD).
    pub date_added: String,
    /// The remediation deadline for US federal agencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// Known to be used in ransomware campaigns.
    pub ransomware: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    /// The probability of exploitation activity in the next 30 days.
    pub score: f64,
    /// The share of scored vulnerabilities with a lower or equal score.
    pub percentile: f64,
}

/// Why a finding does not count against the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `vex` or `exception`.
    pub kind: String,
    /// The justification, as its source gives it.
    pub reason: String,
    /// Where it comes from (a VEX document, the configuration).
    pub source: String,
    /// For an accepted risk: who accepted it, until when, and where it is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

impl Suppression {
    /// ` by jane@example.com until 2027-01-31`, as much of it as is known, for one-line
    /// accounts of an accepted risk.
    pub fn by_until(&self) -> String {
        let mut out = String::new();
        if let Some(approver) = &self.approver {
            out.push_str(" by ");
            out.push_str(approver);
        }
        if let Some(expires) = &self.expires {
            out.push_str(" until ");
            out.push_str(expires);
        }
        out
    }
}

impl Finding {
    pub fn primary(&self) -> &Location {
        // A finding is only ever built with at least one location (see engine).
        &self.locations[0]
    }

    /// Sort key giving the deterministic order of reports: path, line, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str) {
        let l = self.primary();
        (&l.path, l.line, l.column, &self.rule_id)
    }
}

/// A place in a file: 1-based line and column (columns count Unicode scalar values), the end,
/// and the byte span. `commit` is set when the content was found in git history.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub byte_offset: u64,
    pub byte_length: u64,
    /// The line's text, trimmed, with any secret masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<Commit>,
    /// Something about this place in particular, e.g. `decoded from base64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `true` when the content is staged in the git index but not committed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub staged: bool,
}

/// The commit that first introduced a blob into history.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Commit {
    pub id: String,
    pub author: String,
    pub email: String,
    /// RFC 3339, UTC.
    pub date: String,
}
