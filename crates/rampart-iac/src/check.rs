//! Built-in checks: documentation as data (`checks/*.toml`), logic as code (one function per
//! check, registered by id in [`crate::checks`]).
//!
//! A check file holds `[[check]]` tables:
//!
//! ```toml
//! [[check]]
//! id = "iac.k8s.privileged-container"      # namespaced, stable
//! title = "Privileged container"
//! severity = "high"                        # critical | high | medium | low | info
//! confidence = "high"                      # optional, default high
//! kinds = ["kubernetes"]                   # the documents it reads
//! description = "Why it matters."
//! remediation = "How to fix it."
//! references = ["https://..."]
//! peers = ["CKV_K8S_16", "KSV017"]          # the same check in other tools: their
//!                                          # suppression comments name these ids
//! [check.taxonomy]                         # cwe, owasp, nist_800_53, cis, iso_27001, pci_dss, hipaa
//! cwe = ["CWE-250"]
//! [[check.example]]                        # run by tests/check_examples.rs
//! file = "pod.yaml"                        # decides how the text is loaded
//! fails = true                             # must report (at `line`, when given)
//! line = 9
//! text = """..."""
//! ```
//!
//! A check reports [`Hit`]s: the value at fault (its span is the finding's line) and a
//! message. A value the loader could not know is never a hit and never a pass: checks read
//! through [`Node::known`] and skip what they cannot decide.

use std::collections::HashMap;

use rampart_core::{Confidence, RuleMeta, Severity, Taxonomy};
use serde::Deserialize;

use crate::model::{Document, Kind, Node, Span};

/// One problem a check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub span: Span,
    pub message: String,
    /// What makes the finding itself across edits (a resource address and attribute path),
    /// for its fingerprint; the line's text when absent.
    pub identity: Option<String>,
}

impl Hit {
    pub fn at(node: &Node, message: impl Into<String>) -> Hit {
        Hit {
            span: node.span,
            message: message.into(),
            identity: None,
        }
    }

    pub fn with_identity(mut self, identity: impl Into<String>) -> Hit {
        self.identity = Some(identity.into());
        self
    }
}

pub type CheckFn = fn(&Document, &mut Vec<Hit>);

/// A check: its documentation, the kinds of document it reads, its peers' ids and its logic.
#[derive(Clone)]
pub struct Check {
    pub meta: RuleMeta,
    pub kinds: Vec<Kind>,
    pub peers: Vec<String>,
    pub examples: Vec<Example>,
    /// The logic, one function per language the check reads (Terraform and CloudFormation
    /// for the AWS checks, say); each skips documents that are not its own.
    pub implementations: Vec<CheckFn>,
}

impl Check {
    /// Runs the check on a document of one of its kinds.
    pub fn run(&self, doc: &Document, hits: &mut Vec<Hit>) {
        for f in &self.implementations {
            f(doc, hits);
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub file: String,
    pub fails: bool,
    #[serde(default)]
    pub line: Option<u32>,
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    check: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    title: String,
    severity: Severity,
    #[serde(default = "high")]
    confidence: Confidence,
    kinds: Vec<String>,
    description: String,
    remediation: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    peers: Vec<String>,
    #[serde(default)]
    taxonomy: Taxonomy,
    #[serde(default)]
    example: Vec<Example>,
}

fn high() -> Confidence {
    Confidence::High
}

fn kind(name: &str) -> Option<Kind> {
    [
        Kind::Terraform,
        Kind::TerraformPlan,
        Kind::CloudFormation,
        Kind::Kubernetes,
        Kind::Dockerfile,
        Kind::Compose,
        Kind::GithubWorkflow,
        Kind::GithubAction,
        Kind::GitlabCi,
    ]
    .into_iter()
    .find(|k| k.as_str() == name)
}

/// The check files built into the binary.
pub const FILES: &[(&str, &str)] = &[
    (
        "checks/kubernetes.toml",
        include_str!("../checks/kubernetes.toml"),
    ),
    (
        "checks/dockerfile.toml",
        include_str!("../checks/dockerfile.toml"),
    ),
    (
        "checks/compose.toml",
        include_str!("../checks/compose.toml"),
    ),
    ("checks/github.toml", include_str!("../checks/github.toml")),
    ("checks/gitlab.toml", include_str!("../checks/gitlab.toml")),
    (
        "checks/aws/storage.toml",
        include_str!("../checks/aws/storage.toml"),
    ),
    (
        "checks/aws/network.toml",
        include_str!("../checks/aws/network.toml"),
    ),
    (
        "checks/aws/identity.toml",
        include_str!("../checks/aws/identity.toml"),
    ),
    (
        "checks/aws/logging.toml",
        include_str!("../checks/aws/logging.toml"),
    ),
    ("checks/azure.toml", include_str!("../checks/azure.toml")),
    ("checks/gcp.toml", include_str!("../checks/gcp.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// Reads check files and joins each entry to its implementation. An entry without one, an
/// implementation without an entry, a duplicate id or an unknown kind is an error: the
/// built-in set is tested to load.
pub fn load(
    files: &[(&str, &str)],
    implementations: &HashMap<&'static str, Vec<CheckFn>>,
) -> Result<Vec<Check>, CheckError> {
    let mut checks: Vec<Check> = Vec::new();
    for (name, text) in files {
        let invalid = |message: String| CheckError::Invalid {
            file: name.to_string(),
            message,
        };
        let parsed: File = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        for e in parsed.check {
            let run = implementations
                .get(e.id.as_str())
                .cloned()
                .ok_or_else(|| invalid(format!("check {} has no implementation", e.id)))?;
            if checks.iter().any(|c| c.meta.id == e.id) {
                return Err(invalid(format!("check {} is defined twice", e.id)));
            }
            let kinds = e
                .kinds
                .iter()
                .map(|k| {
                    kind(k).ok_or_else(|| invalid(format!("check {}: unknown kind `{k}`", e.id)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            checks.push(Check {
                meta: RuleMeta {
                    id: e.id,
                    scanner: "iac".to_string(),
                    title: e.title,
                    severity: e.severity,
                    confidence: e.confidence,
                    description: e.description,
                    remediation: e.remediation,
                    references: e.references,
                    taxonomy: e.taxonomy,
                },
                kinds,
                peers: e.peers,
                examples: e.example,
                implementations: run,
            });
        }
    }
    if let Some(orphan) = implementations
        .keys()
        .find(|id| !checks.iter().any(|c| c.meta.id == **id))
    {
        return Err(CheckError::Invalid {
            file: "(built in)".into(),
            message: format!("check {orphan} is implemented but not documented"),
        });
    }
    checks.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    Ok(checks)
}
