//! Control catalogs: what a framework's controls are, how they group into families, which
//! baselines select them, and which rules test each one.
//!
//! A catalog is data (`frameworks/<id>.toml`, embedded at build time). A rule names the controls it
//! tests in its [`Taxonomy`]; a catalog says which taxonomy list holds its ids (and, where several
//! frameworks share a list, as the CIS benchmarks do, which id prefixes are its own). A control may
//! also list CWE ids, as the OWASP Top 10 does: every rule with one of those weaknesses tests it.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rule::{RuleMeta, Taxonomy};

/// The embedded catalogs, in the order `rampart report compliance` lists them.
const CATALOGS: [(&str, &str); 11] = [
    (
        "nist-800-53",
        include_str!("../../frameworks/nist-800-53.toml"),
    ),
    ("cis-aws", include_str!("../../frameworks/cis-aws.toml")),
    ("cis-azure", include_str!("../../frameworks/cis-azure.toml")),
    ("cis-gcp", include_str!("../../frameworks/cis-gcp.toml")),
    (
        "cis-kubernetes",
        include_str!("../../frameworks/cis-kubernetes.toml"),
    ),
    (
        "cis-docker",
        include_str!("../../frameworks/cis-docker.toml"),
    ),
    ("iso-27001", include_str!("../../frameworks/iso-27001.toml")),
    ("pci-dss", include_str!("../../frameworks/pci-dss.toml")),
    ("hipaa", include_str!("../../frameworks/hipaa.toml")),
    (
        "owasp-top10",
        include_str!("../../frameworks/owasp-top10.toml"),
    ),
    ("cwe", include_str!("../../frameworks/cwe.toml")),
];

/// The ids of every framework rampart knows.
pub fn framework_ids() -> impl Iterator<Item = &'static str> {
    CATALOGS.iter().map(|(id, _)| *id)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameworkError {
    #[error("unknown framework `{id}` (expected one of: {known})")]
    Unknown { id: String, known: String },
    #[error("framework `{framework}` has no baseline `{baseline}` ({known})")]
    UnknownBaseline {
        framework: String,
        baseline: String,
        known: String,
    },
    #[error("the catalog of `{id}` is malformed at line {line}: {message}")]
    Malformed {
        id: String,
        line: usize,
        message: String,
    },
}

/// A framework's catalog of controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub title: String,
    /// The edition the ids and titles follow.
    pub version: String,
    pub url: String,
    /// The taxonomy list of a rule that names this framework's controls (`nist_800_53`, `cis`...).
    pub taxonomy: String,
    /// Where frameworks share a taxonomy list: the id prefixes that are this framework's.
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Named subsets of the controls (NIST's low, moderate and high baselines).
    #[serde(default)]
    pub baselines: Vec<String>,
    #[serde(rename = "family")]
    pub families: Vec<Family>,
    #[serde(rename = "control")]
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The id exactly as rules write it in their taxonomy.
    pub id: String,
    pub title: String,
    pub family: String,
    /// The baselines that select it.
    #[serde(default)]
    pub baselines: Vec<String>,
    /// Weaknesses the framework files under this control: a rule with one of them tests it.
    #[serde(default)]
    pub cwe: Vec<String>,
}

impl Framework {
    /// The catalog of one framework.
    pub fn load(id: &str) -> Result<Framework, FrameworkError> {
        let Some((_, text)) = CATALOGS.iter().find(|(known, _)| *known == id) else {
            return Err(FrameworkError::Unknown {
                id: id.to_string(),
                known: framework_ids().collect::<Vec<_>>().join(", "),
            });
        };
        Framework::parse(id, text)
    }

    /// Every catalog.
    pub fn all() -> Result<Vec<Framework>, FrameworkError> {
        framework_ids().map(Framework::load).collect()
    }

    fn parse(id: &str, text: &str) -> Result<Framework, FrameworkError> {
        toml::from_str(text).map_err(|e| FrameworkError::Malformed {
            id: id.to_string(),
            line: crate::config::error_line(text, &e),
            message: e.message().to_string(),
        })
    }

    /// The controls a baseline selects; all of them without one.
    pub fn select(&self, baseline: Option<&str>) -> Result<Vec<&Control>, FrameworkError> {
        let Some(baseline) = baseline else {
            return Ok(self.controls.iter().collect());
        };
        let wanted = baseline.to_ascii_lowercase();
        if !self.baselines.contains(&wanted) {
            return Err(FrameworkError::UnknownBaseline {
                framework: self.id.clone(),
                baseline: baseline.to_string(),
                known: if self.baselines.is_empty() {
                    "it has no baselines".to_string()
                } else {
                    format!("its baselines: {}", self.baselines.join(", "))
                },
            });
        }
        Ok(self
            .controls
            .iter()
            .filter(|c| c.baselines.contains(&wanted))
            .collect())
    }

    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    /// The ids of this framework that a rule's taxonomy names directly.
    pub fn ids_in<'t>(
        &self,
        taxonomy: &'t Taxonomy,
    ) -> impl Iterator<Item = &'t str> + use<'t, '_> {
        taxonomy
            .list(&self.taxonomy)
            .iter()
            .map(String::as_str)
            .filter(|id| {
                self.prefixes.is_empty() || self.prefixes.iter().any(|p| id.starts_with(p.as_str()))
            })
    }

    /// Ids that rules name in this framework's list but the catalog does not hold.
    pub fn unknown_ids<'r>(&self, rules: &'r [RuleMeta]) -> BTreeSet<(&'r str, &'r str)> {
        let known: BTreeSet<&str> = self.controls.iter().map(|c| c.id.as_str()).collect();
        rules
            .iter()
            .flat_map(|r| self.ids_in(&r.taxonomy).map(move |id| (r.id.as_str(), id)))
            .filter(|(_, id)| !known.contains(id))
            .collect()
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.title, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::{Confidence, Severity};

    fn rule(id: &str, taxonomy: Taxonomy) -> RuleMeta {
        RuleMeta {
            id: id.into(),
            scanner: "iac".into(),
            title: id.into(),
            severity: Severity::High,
            confidence: Confidence::High,
            description: String::new(),
            remediation: String::new(),
            references: vec![],
            taxonomy,
        }
    }

    #[test]
    fn every_catalog_parses_and_is_consistent() {
        let all = Framework::all().unwrap();
        assert_eq!(all.len(), CATALOGS.len());
        for fw in &all {
            assert_eq!(fw.id, framework_ids().find(|id| *id == fw.id).unwrap());
            assert!(!fw.controls.is_empty(), "{} has no controls", fw.id);
            assert!(
                Taxonomy::default().list(&fw.taxonomy).is_empty()
                    && Taxonomy::NAMES.contains(&fw.taxonomy.as_str()),
                "{}: unknown taxonomy list {}",
                fw.id,
                fw.taxonomy
            );
            let mut seen = BTreeSet::new();
            for c in &fw.controls {
                assert!(seen.insert(&c.id), "{}: {} twice", fw.id, c.id);
                assert!(
                    fw.family(&c.family).is_some(),
                    "{}: {} in unknown family {}",
                    fw.id,
                    c.id,
                    c.family
                );
                assert!(
                    !c.title.trim().is_empty(),
                    "{}: {} has no title",
                    fw.id,
                    c.id
                );
                for b in &c.baselines {
                    assert!(
                        fw.baselines.contains(b),
                        "{}: {} in unknown baseline {b}",
                        fw.id,
                        c.id
                    );
                }
                if !fw.prefixes.is_empty() {
                    assert!(
                        fw.prefixes.iter().any(|p| c.id.starts_with(p.as_str())),
                        "{}: {} lacks its prefix",
                        fw.id,
                        c.id
                    );
                }
            }
            for family in &fw.families {
                assert!(
                    fw.controls.iter().any(|c| c.family == family.id),
                    "{}: family {} is empty",
                    fw.id,
                    family.id
                );
            }
        }
    }

    #[test]
    fn unknown_frameworks_and_baselines_are_errors_that_list_the_known_ones() {
        let e = Framework::load("sox").unwrap_err();
        assert!(e.to_string().contains("unknown framework `sox`"), "{e}");
        assert!(e.to_string().contains("nist-800-53"), "{e}");
        let owasp = Framework::load("owasp-top10").unwrap();
        let e = owasp.select(Some("high")).unwrap_err();
        assert!(e.to_string().contains("has no baselines"), "{e}");
    }

    #[test]
    fn malformed_catalogs_say_where() {
        let e = Framework::parse("x", "id = \"x\"\ntitle = 3\n").unwrap_err();
        assert!(
            matches!(e, FrameworkError::Malformed { line: 2, .. }),
            "{e:?}"
        );
    }

    #[test]
    fn ids_a_catalog_does_not_hold_are_reported_with_their_rule() {
        let nist = Framework::load("nist-800-53").unwrap();
        let rules = [
            rule(
                "a",
                Taxonomy {
                    nist_800_53: vec!["AC-6(1)".into(), "SA-12".into()],
                    ..Taxonomy::default()
                },
            ),
            rule(
                "b",
                Taxonomy {
                    cis: vec!["CIS-AWS-9.99".into()],
                    ..Taxonomy::default()
                },
            ),
        ];
        // SA-12 is withdrawn in Rev. 5; CIS ids are another framework's concern.
        assert_eq!(
            nist.unknown_ids(&rules).into_iter().collect::<Vec<_>>(),
            vec![("a", "SA-12")]
        );
        let aws = Framework::load("cis-aws").unwrap();
        assert_eq!(
            aws.unknown_ids(&rules).into_iter().collect::<Vec<_>>(),
            vec![("b", "CIS-AWS-9.99")]
        );
    }

    #[test]
    fn shared_lists_are_split_by_prefix() {
        let aws = Framework::load("cis-aws").unwrap();
        let t = Taxonomy {
            cis: vec!["CIS-AWS-1.16".into(), "CIS-Docker-4.1".into()],
            ..Taxonomy::default()
        };
        assert_eq!(aws.ids_in(&t).collect::<Vec<_>>(), vec!["CIS-AWS-1.16"]);
    }

    #[test]
    fn nist_baselines_nest() {
        let nist = Framework::load("nist-800-53").unwrap();
        let ids = |b| -> BTreeSet<String> {
            nist.select(Some(b))
                .unwrap()
                .iter()
                .map(|c| c.id.clone())
                .collect()
        };
        let (low, moderate, high) = (ids("low"), ids("moderate"), ids("HIGH"));
        assert!(low.is_subset(&moderate) && moderate.is_subset(&high));
        assert!(low.contains("AC-2") && !low.contains("AC-2(1)") && moderate.contains("AC-2(1)"));
    }
}
