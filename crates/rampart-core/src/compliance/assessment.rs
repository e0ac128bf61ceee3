//! A report judged against a framework: per control, the rules that test it, whether it passed,
//! failed or was not tested, and the findings and accepted risks behind that.
//!
//! A control **fails** when a finding of one of its rules is open (not accepted by an exception or
//! a VEX statement). It **passes** when at least one of its rules ran (its scanner was part of the
//! scan) and none of them has an open finding. It is **not tested** when no rule of rampart's tests
//! it, or none of those rules ran. A pass says rampart's rules found nothing; it does not certify
//! the control, most of which also asks for processes no scanner can see.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::framework::{Control, Framework, FrameworkError};
use crate::finding::{Finding, Suppression};
use crate::report::{Report, Tool};
use crate::rule::RuleMeta;
use crate::severity::Severity;

/// The version of the assessment's JSON form (`schema/compliance.schema.json`).
pub const ASSESSMENT_SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub schema_version: String,
    pub tool: Tool,
    pub framework: FrameworkInfo,
    /// What was scanned, as the report names it.
    pub target: String,
    /// The scanners that ran: only their rules can pass a control.
    pub scanners: Vec<String>,
    pub summary: Summary,
    pub families: Vec<FamilyResult>,
    pub controls: Vec<ControlResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkInfo {
    pub id: String,
    pub title: String,
    pub version: String,
    pub url: String,
    /// The baseline that selected the controls, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

impl FrameworkInfo {
    /// `NIST SP 800-53 Revision 5 5.1.1, moderate baseline`, for headings.
    pub fn heading(&self) -> String {
        match &self.baseline {
            Some(b) => format!("{} {}, {b} baseline", self.title, self.version),
            None => format!("{} {}", self.title, self.version),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Fail,
    Pass,
    NotTested,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Pass => "pass",
            Status::NotTested => "not-tested",
        }
    }
}

/// Counts of controls by status, and of the findings behind them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub controls: usize,
    pub pass: usize,
    pub fail: usize,
    pub not_tested: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        self.controls += 1;
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::NotTested => self.not_tested += 1,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    #[serde(flatten)]
    pub counts: Counts,
    /// Distinct open findings behind failed controls.
    pub open_findings: usize,
    /// Distinct findings accepted by exceptions or VEX statements.
    pub accepted_findings: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyResult {
    pub id: String,
    pub title: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlResult {
    pub id: String,
    pub title: String,
    pub family: String,
    pub status: Status,
    /// Every rule of rampart's that tests the control.
    pub rules: Vec<String>,
    /// Those of them whose scanner ran.
    pub rules_run: Vec<String>,
    /// Open findings of those rules.
    pub findings: Vec<FindingRef>,
    /// Findings of those rules that an exception or a VEX statement accepts.
    pub accepted: Vec<AcceptedRef>,
}

/// A finding as a compliance report cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRef {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub fingerprint: String,
    pub path: String,
    pub line: u32,
}

/// An accepted finding, and who accepted it, why, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedRef {
    #[serde(flatten)]
    pub finding: FindingRef,
    #[serde(flatten)]
    pub by: Suppression,
}

impl FindingRef {
    fn of(f: &Finding) -> FindingRef {
        let l = f.primary();
        FindingRef {
            rule: f.rule_id.clone(),
            severity: f.severity,
            title: f.title.clone(),
            fingerprint: f.fingerprint.to_string(),
            path: l.path.clone(),
            line: l.line,
        }
    }
}

/// Which rules test which control, computed once per framework and rule set.
struct RuleIndex<'a> {
    by_id: HashMap<&'a str, Vec<&'a RuleMeta>>,
    by_cwe: HashMap<&'a str, Vec<&'a RuleMeta>>,
}

impl<'a> RuleIndex<'a> {
    fn new(framework: &Framework, rules: &[&'a RuleMeta]) -> RuleIndex<'a> {
        let mut by_id: HashMap<&str, Vec<&RuleMeta>> = HashMap::new();
        let mut by_cwe: HashMap<&str, Vec<&RuleMeta>> = HashMap::new();
        for rule in rules {
            for id in framework.ids_in(&rule.taxonomy) {
                by_id.entry(id).or_default().push(rule);
            }
            for cwe in &rule.taxonomy.cwe {
                by_cwe.entry(cwe.as_str()).or_default().push(rule);
            }
        }
        RuleIndex { by_id, by_cwe }
    }

    /// The rules testing a control, by id, once each.
    fn rules(&self, control: &Control) -> BTreeMap<&'a str, &'a RuleMeta> {
        let direct = self.by_id.get(control.id.as_str()).into_iter().flatten();
        let by_cwe = control
            .cwe
            .iter()
            .filter_map(|c| self.by_cwe.get(c.as_str()))
            .flatten();
        direct.chain(by_cwe).map(|r| (r.id.as_str(), *r)).collect()
    }
}

/// Judges a report against a framework. `rules` are every rule that could have run (the built-in
/// ones); the report's own rules (custom policies) are added to them.
pub fn assess(
    framework: &Framework,
    baseline: Option<&str>,
    report: &Report,
    rules: &[RuleMeta],
) -> Result<Assessment, FrameworkError> {
    let controls = framework.select(baseline)?;
    let known: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let all_rules: Vec<&RuleMeta> = rules
        .iter()
        .chain(
            report
                .rules
                .iter()
                .filter(|r| !known.contains(r.id.as_str())),
        )
        .collect();
    let index = RuleIndex::new(framework, &all_rules);
    let ran: BTreeSet<&str> = report.scanners.iter().map(String::as_str).collect();

    let mut findings_by_rule: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in &report.findings {
        findings_by_rule
            .entry(f.rule_id.as_str())
            .or_default()
            .push(f);
    }

    let mut results = Vec::with_capacity(controls.len());
    let mut open_seen = BTreeSet::new();
    let mut accepted_seen = BTreeSet::new();
    for control in controls {
        let rules = index.rules(control);
        let rules_run: Vec<String> = rules
            .values()
            .filter(|r| ran.contains(r.scanner.as_str()))
            .map(|r| r.id.clone())
            .collect();
        let mut open = Vec::new();
        let mut accepted = Vec::new();
        for rule in rules.keys() {
            for f in findings_by_rule.get(rule).into_iter().flatten() {
                match &f.suppressed {
                    None => {
                        open_seen.insert(f.fingerprint.to_string());
                        open.push(FindingRef::of(f));
                    }
                    Some(s) => {
                        accepted_seen.insert(f.fingerprint.to_string());
                        accepted.push(AcceptedRef {
                            finding: FindingRef::of(f),
                            by: s.clone(),
                        });
                    }
                }
            }
        }
        let status = if !open.is_empty() {
            Status::Fail
        } else if rules_run.is_empty() && accepted.is_empty() {
            Status::NotTested
        } else {
            Status::Pass
        };
        results.push(ControlResult {
            id: control.id.clone(),
            title: control.title.clone(),
            family: control.family.clone(),
            status,
            rules: rules.keys().map(|r| r.to_string()).collect(),
            rules_run,
            findings: open,
            accepted,
        });
    }

    let mut summary = Summary {
        open_findings: open_seen.len(),
        accepted_findings: accepted_seen.len(),
        ..Summary::default()
    };
    let mut families: Vec<FamilyResult> = framework
        .families
        .iter()
        .map(|f| FamilyResult {
            id: f.id.clone(),
            title: f.title.clone(),
            counts: Counts::default(),
        })
        .collect();
    for c in &results {
        summary.counts.add(c.status);
        if let Some(family) = families.iter_mut().find(|f| f.id == c.family) {
            family.counts.add(c.status);
        }
    }
    families.retain(|f| f.counts.controls > 0);

    Ok(Assessment {
        schema_version: ASSESSMENT_SCHEMA_VERSION.to_string(),
        tool: report.tool.clone(),
        framework: FrameworkInfo {
            id: framework.id.clone(),
            title: framework.title.clone(),
            version: framework.version.clone(),
            url: framework.url.clone(),
            baseline: baseline.map(str::to_ascii_lowercase),
        },
        target: report.target.clone(),
        scanners: report.scanners.clone(),
        summary,
        families,
        controls: results,
    })
}
