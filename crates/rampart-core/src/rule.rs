use serde::{Deserialize, Serialize};

use crate::severity::{Confidence, Severity};

/// Everything a rule says about itself: shown by `rampart rules explain`, carried into SARIF
/// rule descriptors, and used by compliance reports. Scanners own their rules as data; this is
/// the common shape they all produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// Stable slug namespaced by scanner, e.g. `secret.aws-access-key-id`.
    pub id: String,
    /// Which scanner owns the rule (`secrets`, `deps`, `iac`, ...).
    pub scanner: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Why it matters.
    pub description: String,
    /// How to fix it.
    pub remediation: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(default)]
    pub taxonomy: Taxonomy,
}

/// The weakness and control ids a rule maps to, per framework.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    /// MITRE CWE ids, `CWE-798`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<String>,
    /// OWASP Top 10 2021 categories, `A07:2021`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owasp: Vec<String>,
    /// NIST SP 800-53 rev5 controls, `IA-5(7)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nist_800_53: Vec<String>,
    /// CIS benchmark or CIS Controls v8 safeguards.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    /// ISO/IEC 27001:2022 Annex A controls, `A.5.17`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iso_27001: Vec<String>,
    /// PCI-DSS 4.0 requirements, `8.6.2`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pci_dss: Vec<String>,
    /// HIPAA Security Rule sections, `164.312(d)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hipaa: Vec<String>,
}

impl Taxonomy {
    pub fn is_empty(&self) -> bool {
        self.cwe.is_empty()
            && self.owasp.is_empty()
            && self.nist_800_53.is_empty()
            && self.cis.is_empty()
            && self.iso_27001.is_empty()
            && self.pci_dss.is_empty()
            && self.hipaa.is_empty()
    }

    /// The names of the lists, as catalogs and configuration write them.
    pub const NAMES: [&'static str; 7] = [
        "cwe",
        "owasp",
        "nist_800_53",
        "cis",
        "iso_27001",
        "pci_dss",
        "hipaa",
    ];

    /// One list by its name (see [`Taxonomy::NAMES`]); empty for an unknown name.
    pub fn list(&self, name: &str) -> &[String] {
        match name {
            "cwe" => &self.cwe,
            "owasp" => &self.owasp,
            "nist_800_53" => &self.nist_800_53,
            "cis" => &self.cis,
            "iso_27001" => &self.iso_27001,
            "pci_dss" => &self.pci_dss,
            "hipaa" => &self.hipaa,
            _ => &[],
        }
    }

    /// Every id with its framework, for tags and reports: `("cwe", "CWE-798")`.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let lists: [(&'static str, &Vec<String>); 7] = [
            ("cwe", &self.cwe),
            ("owasp", &self.owasp),
            ("nist-800-53", &self.nist_800_53),
            ("cis", &self.cis),
            ("iso-27001", &self.iso_27001),
            ("pci-dss", &self.pci_dss),
            ("hipaa", &self.hipaa),
        ];
        lists
            .into_iter()
            .flat_map(|(name, ids)| ids.iter().map(move |id| (name, id.as_str())))
    }
}

/// Matches rule ids against patterns from configuration and inline comments: an exact id, or a
/// prefix ending in `*` (`secret.generic-*`, `secret.*`).
pub fn id_matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_patterns_match_exactly_or_by_prefix() {
        assert!(id_matches(
            "secret.aws-access-key-id",
            "secret.aws-access-key-id"
        ));
        assert!(!id_matches("secret.aws", "secret.aws-access-key-id"));
        assert!(id_matches("secret.aws-*", "secret.aws-access-key-id"));
        assert!(id_matches("*", "iac.anything"));
    }

    #[test]
    fn taxonomy_entries_name_their_framework() {
        let t = Taxonomy {
            cwe: vec!["CWE-798".into()],
            pci_dss: vec!["8.6.2".into()],
            ..Taxonomy::default()
        };
        let got: Vec<_> = t.entries().collect();
        assert_eq!(got, vec![("cwe", "CWE-798"), ("pci-dss", "8.6.2")]);
    }
}
