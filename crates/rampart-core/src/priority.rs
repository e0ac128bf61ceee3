//! Risk priority: which findings to fix first, and why.
//!
//! Every finding gets a level (`P1` act now … `P4` routine) and the reasons behind it, so a
//! reader never has to guess why one finding sorts above another. The order is the one
//! exploitation data supports, strongest evidence first:
//!
//! 1. known exploited in the wild (CISA KEV);
//! 2. the probability of exploitation in the next 30 days (EPSS, by percentile);
//! 3. how bad exploitation would be (the CVSS base score, else the severity's band);
//! 4. whether a fix is available (a fixable finding can be closed today);
//! 5. whether the dependency is direct (the project controls its version).
//!
//! Levels: `P1` is known exploited; `P2` is in the top 10% of EPSS or scores 9.0 or more;
//! `P3` scores 7.0 or more; `P4` is everything else.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::severity::Severity;

/// How urgent a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    P1,
    P2,
    P3,
    P4,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::P1 => "P1",
            Level::P2 => "P2",
            Level::P3 => "P3",
            Level::P4 => "P4",
        }
    }
}

/// A finding's priority and the evidence for it, strongest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    pub level: Level,
    /// Each piece of evidence, e.g. `known exploited (CISA KEV, added 2021-12-10)`.
    pub reasons: Vec<String>,
}

impl Priority {
    /// One line: `P1: known exploited (…); EPSS 0.94 (top 0.1%); CVSS 10.0; fixed in 2.15.0`.
    pub fn explain(&self) -> String {
        format!("{}: {}", self.level.as_str(), self.reasons.join("; "))
    }
}

/// The score that stands for impact: the CVSS base score when the finding has one, else the
/// middle of its severity's band.
fn impact(f: &Finding) -> f64 {
    f.vulnerability
        .as_ref()
        .and_then(|v| v.cvss.as_ref())
        .map(|c| c.score)
        .unwrap_or_else(|| f.severity.security_severity().parse().unwrap_or(0.0))
}

/// The comparable evidence of a finding, in priority order (greater is more urgent).
fn evidence(f: &Finding) -> Evidence {
    let v = f.vulnerability.as_ref();
    (
        v.is_some_and(|v| v.kev.is_some()),
        v.and_then(|v| v.epss.as_ref())
            .map_or(0.0, |e| e.percentile),
        impact(f),
        v.is_some_and(|v| v.fixed.is_some()),
        v.is_some_and(|v| v.direct == Some(true)),
    )
}

/// The priority of one finding, from what it carries.
pub fn assess(f: &Finding) -> Priority {
    let (kev, percentile, score, _, _) = evidence(f);
    let mut reasons = Vec::new();
    let v = f.vulnerability.as_ref();
    if let Some(k) = v.and_then(|v| v.kev.as_ref()) {
        let ransomware = if k.ransomware {
            ", used in ransomware campaigns"
        } else {
            ""
        };
        reasons.push(format!(
            "known exploited (CISA KEV, added {}{ransomware})",
            k.date_added
        ));
    }
    if let Some(e) = v.and_then(|v| v.epss.as_ref()) {
        reasons.push(format!(
            "EPSS {:.3} (top {}%)",
            e.score,
            top_percent(e.percentile)
        ));
    }
    match v.and_then(|v| v.cvss.as_ref()) {
        Some(c) => reasons.push(format!("CVSS {:.1}", c.score)),
        None => reasons.push(format!("severity {}", f.severity)),
    }
    if let Some(v) = v {
        reasons.push(match &v.fixed {
            Some(fixed) => format!("fixed in {fixed}"),
            None => "no fix published".to_string(),
        });
        match v.direct {
            Some(true) => reasons.push("direct dependency".to_string()),
            Some(false) => reasons.push("transitive dependency".to_string()),
            None => {}
        }
    }
    let level = if kev {
        Level::P1
    } else if percentile >= 0.9 || score >= 9.0 {
        Level::P2
    } else if score >= 7.0 {
        Level::P3
    } else {
        Level::P4
    };
    Priority { level, reasons }
}

/// `1 - percentile` as a short percentage: `0.1` for the 99.9th percentile.
fn top_percent(percentile: f64) -> String {
    let top = ((1.0 - percentile.clamp(0.0, 1.0)) * 100.0).max(0.0);
    let s = if top >= 10.0 || top == 0.0 {
        format!("{top:.0}")
    } else if top >= 0.1 {
        format!("{top:.1}")
    } else {
        format!("{top:.2}")
    };
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Gives every finding its priority and sorts the most urgent first; equal evidence keeps the
/// report order (path, line, rule), so the output stays the same for the same input.
pub fn prioritise(findings: &mut Vec<Finding>) {
    // Each finding's key once, then one sort of positions: comparing evidence is not free.
    let keyed: Vec<(Level, Evidence, Severity)> = findings
        .iter_mut()
        .map(|f| {
            let p = assess(f);
            let key = (p.level, evidence(f), f.severity);
            f.priority = Some(p);
            key
        })
        .collect();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&i, &j| {
        compare(&keyed[i], &keyed[j])
            .then_with(|| findings[i].sort_key().cmp(&findings[j].sort_key()))
    });
    let mut slots: Vec<Option<Finding>> = std::mem::take(findings).into_iter().map(Some).collect();
    findings.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

type Evidence = (bool, f64, f64, bool, bool);

/// More urgent first.
fn compare(a: &(Level, Evidence, Severity), b: &(Level, Evidence, Severity)) -> Ordering {
    let (la, (ka, pa, sa, fa, da), va) = a;
    let (lb, (kb, pb, sb, fb, db), vb) = b;
    la.cmp(lb)
        .then(kb.cmp(ka))
        .then(pb.total_cmp(pa))
        .then(sb.total_cmp(sa))
        .then(fb.cmp(fa))
        .then(db.cmp(da))
        .then(vb.cmp(va))
}

/// The severity a CVSS base score falls in (the CVSS v3 qualitative rating scale).
pub fn severity_of_score(score: f64) -> Severity {
    match score {
        s if s >= 9.0 => Severity::Critical,
        s if s >= 7.0 => Severity::High,
        s if s >= 4.0 => Severity::Medium,
        s if s > 0.0 => Severity::Low,
        _ => Severity::Info,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Cvss, Epss, Kev, Location, Vulnerability};
    use crate::severity::Confidence;
    use crate::Fingerprint;

    fn finding(path: &str, severity: Severity, v: Option<Vulnerability>) -> Finding {
        Finding {
            rule_id: "r".into(),
            scanner: "s".into(),
            title: "t".into(),
            severity,
            confidence: Confidence::High,
            message: "m".into(),
            fingerprint: Fingerprint::for_content("r", path, b""),
            secret: None,
            locations: vec![Location {
                path: path.into(),
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
                byte_offset: 0,
                byte_length: 0,
                snippet: None,
                commit: None,
                note: None,
                staged: false,
            }],
            vulnerability: v,
            priority: None,
            suppressed: None,
        }
    }

    fn vuln(cvss: Option<f64>, epss: Option<f64>, kev: bool, fixed: bool) -> Vulnerability {
        Vulnerability {
            package: "p".into(),
            version: "1.0.0".into(),
            ecosystem: "npm".into(),
            purl: "pkg:npm/p@1.0.0".into(),
            ids: vec!["CVE-2021-0001".into()],
            fixed: fixed.then(|| "1.0.1".to_string()),
            cvss: cvss.map(|score| Cvss {
                score,
                vector: String::new(),
            }),
            epss: epss.map(|percentile| Epss {
                score: percentile / 2.0,
                percentile,
            }),
            kev: kev.then(|| Kev {
                date_added: "2021-12-10".into(),
                due_date: None,
                ransomware: true,
            }),
            direct: Some(true),
        }
    }

    #[test]
    fn known_exploited_beats_epss_beats_cvss_beats_fix() {
        let mut fs = vec![
            finding(
                "a",
                Severity::Critical,
                Some(vuln(Some(9.8), None, false, true)),
            ),
            finding(
                "b",
                Severity::Medium,
                Some(vuln(Some(5.0), None, true, false)),
            ),
            finding(
                "c",
                Severity::High,
                Some(vuln(Some(7.5), Some(0.97), false, false)),
            ),
            finding(
                "d",
                Severity::High,
                Some(vuln(Some(7.5), None, false, true)),
            ),
            finding(
                "e",
                Severity::High,
                Some(vuln(Some(7.5), None, false, false)),
            ),
            finding("f", Severity::Low, None),
        ];
        prioritise(&mut fs);
        let order: Vec<&str> = fs.iter().map(|f| f.primary().path.as_str()).collect();
        assert_eq!(order, ["b", "c", "a", "d", "e", "f"]);
        let levels: Vec<Level> = fs
            .iter()
            .map(|f| f.priority.as_ref().unwrap().level)
            .collect();
        assert_eq!(
            levels,
            [
                Level::P1,
                Level::P2,
                Level::P2,
                Level::P3,
                Level::P3,
                Level::P4
            ]
        );
        let top = fs[0].priority.as_ref().unwrap().explain();
        assert_eq!(
            top,
            "P1: known exploited (CISA KEV, added 2021-12-10, used in ransomware campaigns); \
             CVSS 5.0; no fix published; direct dependency"
        );
        assert_eq!(
            fs[1].priority.as_ref().unwrap().reasons[0],
            "EPSS 0.485 (top 3%)"
        );
        assert_eq!(
            fs[5].priority.as_ref().unwrap().explain(),
            "P4: severity low"
        );
    }

    #[test]
    fn scores_fall_in_the_cvss_bands() {
        assert_eq!(severity_of_score(9.0), Severity::Critical);
        assert_eq!(severity_of_score(8.9), Severity::High);
        assert_eq!(severity_of_score(4.0), Severity::Medium);
        assert_eq!(severity_of_score(0.1), Severity::Low);
        assert_eq!(severity_of_score(0.0), Severity::Info);
        assert_eq!(top_percent(0.999), "0.1");
        assert_eq!(top_percent(0.5), "50");
        assert_eq!(top_percent(0.99957), "0.04");
        assert_eq!(top_percent(0.975), "2.5");
    }
}
