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
