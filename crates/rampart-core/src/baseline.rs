//! Baselines: today's findings, accepted, so a team can adopt the gate on a legacy codebase and
//! fail only on what is new. A baseline stores fingerprints and where they were, never secrets.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::fingerprint::Fingerprint;

pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: Fingerprint,
    pub rule_id: String,
    /// Where it was when the baseline was made, for people reading the file.
    pub path: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("baseline {path} is not a rampart baseline: {message}")]
    Parse { path: String, message: String },
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.primary().path.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: BASELINE_VERSION,
            findings: entries,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: shown.clone(),
            source,
        })?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| BaselineError::Parse {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        if baseline.version != BASELINE_VERSION {
            return Err(BaselineError::Parse {
                path: shown,
                message: format!("unsupported version {}", baseline.version),
            });
        }
        Ok(baseline)
    }

    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    pub fn fingerprints(&self) -> BTreeSet<&Fingerprint> {
        self.findings.iter().map(|e| &e.fingerprint).collect()
    }

    /// Removes the findings recorded in the baseline and returns how many there were.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> u64 {
        let known = self.fingerprints();
        let before = findings.len();
        findings.retain(|f| !known.contains(&f.fingerprint));
        (before - findings.len()) as u64
    }
}
