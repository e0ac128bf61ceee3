//! Risk acceptance: `[[exception]]` entries (in `rampart.toml` or `rampart-exceptions.toml`)
//! that accept findings for a time, with a reason, an approver and an expiry date.
//!
//! A finding an exception matches is still reported, marked accepted (`suppressed` of kind
//! `exception`), and does not count against the gate. From its expiry date on an exception
//! matches nothing and the run says so; an exception that matches no finding is reported as
//! stale, so the list does not outlive the code it was written for.

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::finding::{Finding, Suppression};
use crate::rule::id_matches;

/// The file beside `rampart.toml` that may hold exceptions on their own.
pub const FILE_NAME: &str = "rampart-exceptions.toml";

/// One accepted risk. `rule` is required; every other selector given must match too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// A rule id, or a prefix ending in `*`.
    pub rule: String,
    /// One finding, by its fingerprint (as reports and baselines print it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Files, by glob (`services/legacy/**`), matched against every location of the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A dependency, by package name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// A vulnerability, by any of its ids (CVE, GHSA, OSV...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who accepted it.
    pub approver: String,
    /// Where the decision is recorded (an issue or ticket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The first day it no longer applies.
    pub expires: Date,
}

/// The file format of `rampart-exceptions.toml`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionFile {
    #[serde(default, rename = "exception")]
    pub exceptions: Vec<Exception>,
}

impl Exception {
    /// The entry as an `[[exception]]` table, as `rampart exception add` appends it.
    pub fn to_toml(&self) -> String {
        let mut out = String::from("[[exception]]\n");
        let fields = [
            ("rule", Some(&self.rule)),
            ("fingerprint", self.fingerprint.as_ref()),
            ("path", self.path.as_ref()),
            ("package", self.package.as_ref()),
            ("advisory", self.advisory.as_ref()),
            ("reason", Some(&self.reason)),
            ("approver", Some(&self.approver)),
            ("ticket", self.ticket.as_ref()),
        ];
        for (key, value) in fields {
            if let Some(v) = value {
                out.push_str(&format!("{key} = {}\n", toml_string(v)));
            }
        }
        out.push_str(&format!("expires = {}\n", self.expires));
        out
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The exceptions of an exceptions file; errors name the line.
pub fn read_file(path: &std::path::Path) -> Result<Vec<Exception>, String> {
    parse(&std::fs::read_to_string(path).map_err(|e| e.to_string())?)
}

/// The exceptions of an exceptions file's text; errors name the line.
pub fn parse(text: &str) -> Result<Vec<Exception>, String> {
    toml::from_str::<ExceptionFile>(text)
        .map(|f| f.exceptions)
        .map_err(|e| {
            format!(
                "line {}: {}",
                crate::config::error_line(text, &e),
                e.message()
            )
        })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExceptionError {
    #[error("exception {index} (rule `{rule}`): {message}")]
    Invalid {
        index: usize,
        rule: String,
        message: String,
    },
}

impl Exception {
    /// Checks what a hand-written entry could get wrong beyond its syntax.
    pub fn validate(&self, index: usize) -> Result<Option<GlobMatcher>, ExceptionError> {
        let invalid = |message: &str| ExceptionError::Invalid {
            index,
            rule: self.rule.clone(),
            message: message.to_string(),
        };
        if self.rule.trim().is_empty() {
            return Err(invalid("`rule` is empty"));
        }
        if self.reason.trim().is_empty() {
            return Err(invalid("`reason` is empty: say why the risk is accepted"));
        }
        if self.approver.trim().is_empty() {
            return Err(invalid("`approver` is empty: say who accepted the risk"));
        }
        self.path
            .as_deref()
            .map(|p| {
                Glob::new(p)
                    .map(|g| g.compile_matcher())
                    .map_err(|e| invalid(&format!("`path`: {e}")))
            })
            .transpose()
    }

    fn matches(&self, finding: &Finding, path: Option<&GlobMatcher>) -> bool {
        if !id_matches(&self.rule, &finding.rule_id) {
            return false;
        }
        if let Some(fp) = &self.fingerprint {
            if finding.fingerprint.as_str() != fp.trim() {
                return false;
            }
        }
        if let Some(glob) = path {
            if !finding.locations.iter().any(|l| glob.is_match(&l.path)) {
                return false;
            }
        }
        let vulnerability = finding.vulnerability.as_ref();
        if let Some(package) = &self.package {
            if !vulnerability.is_some_and(|v| v.package.eq_ignore_ascii_case(package.trim())) {
                return false;
            }
        }
        if let Some(advisory) = &self.advisory {
            if !vulnerability.is_some_and(|v| {
                v.ids
                    .iter()
                    .any(|id| id.eq_ignore_ascii_case(advisory.trim()))
            }) {
                return false;
            }
        }
        true
    }
}

/// What became of an exception in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// In force, and it accepted findings.
    Active,
    /// In force, but no finding matches it.
    Stale,
    /// Past its expiry date: it accepts nothing.
    Expired,
}

/// An exception and its effect on a run, for the report, the gate and attestations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionUse {
    #[serde(flatten)]
    pub exception: Exception,
    /// Where it is written.
    pub source: String,
    pub status: Status,
    /// The findings it accepted; for an expired one, those it would have accepted.
    pub matched: usize,
}

/// The exceptions of a run, checked and ready to match.
#[derive(Debug, Default)]
pub struct ExceptionSet {
    entries: Vec<(Exception, Option<GlobMatcher>, String)>,
}

impl ExceptionSet {
    /// Adds the exceptions of one source (a file name, for messages and reports).
    pub fn add(&mut self, exceptions: &[Exception], source: &str) -> Result<(), ExceptionError> {
        for (i, e) in exceptions.iter().enumerate() {
            let glob = e.validate(i + 1)?;
            self.entries.push((e.clone(), glob, source.to_string()));
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Marks the findings an exception in force accepts (the first matching one wins; a
    /// finding another mechanism already suppressed, such as VEX, is left as it is) and says
    /// what became of each exception on `today`.
    pub fn apply(&self, findings: &mut [Finding], today: Date) -> Vec<ExceptionUse> {
        let mut matched = vec![0usize; self.entries.len()];
        for f in findings.iter_mut() {
            for (i, (e, glob, source)) in self.entries.iter().enumerate() {
                if !e.matches(f, glob.as_ref()) {
                    continue;
                }
                matched[i] += 1;
                if today >= e.expires {
                    // Counted (to say what the expiry brings back), never applied.
                    continue;
                }
                if f.suppressed.is_none() {
                    f.suppressed = Some(Suppression {
                        kind: "exception".to_string(),
                        reason: e.reason.clone(),
                        source: source.clone(),
                        approver: Some(e.approver.clone()),
                        expires: Some(e.expires.to_string()),
                        ticket: e.ticket.clone(),
                    });
                }
                break;
            }
        }
        self.entries
            .iter()
            .zip(matched)
            .map(|((e, _, source), n)| ExceptionUse {
                exception: e.clone(),
                source: source.clone(),
                status: if today >= e.expires {
                    Status::Expired
                } else if n == 0 {
                    Status::Stale
                } else {
                    Status::Active
                },
                matched: n,
            })
            .collect()
    }
}

impl ExceptionUse {
    /// A sentence for the run's diagnostics when the exception needs attention.
    pub fn warning(&self) -> Option<String> {
        let e = &self.exception;
        let what = describe(e);
        match self.status {
            Status::Active => None,
            Status::Stale => Some(format!(
                "exception for {what} (approved by {}) matches no finding: remove it",
                e.approver
            )),
            Status::Expired => Some(format!(
                "exception for {what} (approved by {}) expired on {}: {} finding(s) it accepted count again",
                e.approver, e.expires, self.matched
            )),
        }
    }
}

fn describe(e: &Exception) -> String {
    let mut parts = vec![format!("`{}`", e.rule)];
    if let Some(p) = &e.path {
        parts.push(format!("in {p}"));
    }
    if let Some(p) = &e.package {
        parts.push(format!("package {p}"));
    }
    if let Some(a) = &e.advisory {
        parts.push(a.clone());
    }
    if let Some(f) = &e.fingerprint {
        parts.push(format!("fingerprint {f}"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Exception> {
        toml::from_str::<ExceptionFile>(text).unwrap().exceptions
    }

    #[test]
    fn reads_dates_written_bare_or_quoted_and_refuses_what_is_missing() {
        let e = parse(
            "[[exception]]\nrule = \"iac.k8s.*\"\npath = \"legacy/**\"\nreason = \"being replaced\"\n\
             approver = \"sec-team\"\nexpires = 2027-03-31\n\n[[exception]]\nrule = \"x\"\n\
             reason = \"r\"\napprover = \"a\"\nexpires = \"2027-04-01\"\n",
        );
        assert_eq!(e[0].expires.to_string(), "2027-03-31");
        assert_eq!(e[1].expires.to_string(), "2027-04-01");
        assert!(toml::from_str::<ExceptionFile>(
            "[[exception]]\nrule = \"x\"\nreason = \"r\"\napprover = \"a\"\nexpires = \"2027-02-30\"\n"
        )
        .is_err());
        assert!(toml::from_str::<ExceptionFile>(
            "[[exception]]\nrule = \"x\"\napprover = \"a\"\nexpires = 2027-01-01\n"
        )
        .is_err());
        // What `exception add` writes reads back the same, whatever the text holds.
        let mut tricky = e[0].clone();
        tricky.reason = "a \"quoted\" C:\\path,\nnew line,\ttab, \u{1} and ü".into();
        tricky.ticket = Some("https://tracker.example/SEC-1?x=\"y\"".into());
        assert_eq!(parse(&tricky.to_toml()), vec![tricky.clone()]);
        let mut blank = e[1].clone();
        blank.reason = "  ".into();
        let err = ExceptionSet::default().add(&[blank], "f").unwrap_err();
        assert!(err.to_string().contains("`reason` is empty"), "{err}");
    }
}
