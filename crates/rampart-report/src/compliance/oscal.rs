//! The assessment as NIST OSCAL assessment results (JSON), the form GRC tools import.
//!
//! - Every selected control is a reviewed control.
//! - Every finding behind a tested control is an observation, made by test.
//! - Every tested control is an OSCAL finding whose target is the control's objective:
//!   `satisfied` when it passed, `not-satisfied` when it failed, with the observations behind it.
//!   A control nothing tested gets no finding: OSCAL has no state for "not assessed" other than
//!   silence.
//! - Every accepted finding is a risk with the status `deviation-approved`, carrying the reason,
//!   the approver and the expiry.
//!
//! UUIDs are derived from what they name (version 5 layout over SHA-256), so the same assessment
//! always gets the same ids and a later run keeps the ids of what did not change.

use std::collections::BTreeMap;

use rampart_core::compliance::{AcceptedRef, Assessment, FindingRef, Status};
use rampart_core::fingerprint::content_uuid;
use rampart_core::TOOL_URI;
use serde_json::{json, Value};

/// The OSCAL release whose schema the output follows.
pub const OSCAL_VERSION: &str = "1.1.3";

/// The namespace of rampart's own properties.
const NS: &str = "https://github.com/rampart-sec/rampart/ns/oscal";

pub fn render(a: &Assessment, generated: &str) -> String {
    crate::json::pretty(&document(a, generated), "OSCAL assessment results")
}

fn document(a: &Assessment, generated: &str) -> Value {
    let fw = &a.framework;
    let scope = format!(
        "{}|{}|{}",
        fw.id,
        fw.baseline.as_deref().unwrap_or(""),
        a.target
    );

    // Each distinct finding once, open or accepted, by fingerprint.
    let mut observations: BTreeMap<&str, (String, Value)> = BTreeMap::new();
    let mut risks: BTreeMap<&str, Value> = BTreeMap::new();
    for c in &a.controls {
        for f in &c.findings {
            observations
                .entry(f.fingerprint.as_str())
                .or_insert_with(|| observation(f, None, generated));
        }
        for x in &c.accepted {
            let (obs_uuid, _) = observations
                .entry(x.finding.fingerprint.as_str())
                .or_insert_with(|| observation(&x.finding, Some(x), generated))
                .clone();
            risks
                .entry(x.finding.fingerprint.as_str())
                .or_insert_with(|| risk(x, &obs_uuid));
        }
    }

    let mut findings = Vec::new();
    for c in a.controls.iter().filter(|c| c.status != Status::NotTested) {
        let state = if c.status == Status::Pass {
            "satisfied"
        } else {
            "not-satisfied"
        };
        let mut finding = json!({
            "uuid": uuid(&format!("finding|{scope}|{}", c.id)),
            "title": format!("{} {}", c.id, c.title),
            "description": describe(c.status, c.rules_run.len(), c.findings.len(), c.accepted.len()),
            "props": [prop("rules", &c.rules_run.join(" "))],
            "target": {
                "type": "objective-id",
                "target-id": format!("{}_obj", control_token(&fw.id, &c.id)),
                "status": { "state": state }
            }
        });
        let related: Vec<Value> = c
            .findings
            .iter()
            .chain(c.accepted.iter().map(|x| &x.finding))
            .filter_map(|f| observations.get(f.fingerprint.as_str()))
            .map(|(id, _)| json!({ "observation-uuid": id }))
            .collect();
        if !related.is_empty() {
            finding["related-observations"] = Value::Array(dedup(related));
        }
        if c.rules_run.is_empty() {
            // Passed on accepted findings alone: no rule's property to give.
            if let Some(obj) = finding.as_object_mut() {
                obj.remove("props");
            }
        }
        findings.push(finding);
    }

    let mut result = json!({
        "uuid": uuid(&format!("result|{scope}")),
        "title": format!("{} {} assessed by {}", fw.title, fw.version, a.tool.name),
        "description": format!(
            "Findings of {} {} ({} scanners) on {}, judged against {} {}{}. {} controls: {} failed, {} passed, {} not tested.",
            a.tool.name,
            a.tool.version,
            a.scanners.join(", "),
            a.target,
            fw.title,
            fw.version,
            fw.baseline.as_deref().map(|b| format!(" ({b} baseline)")).unwrap_or_default(),
            a.summary.counts.controls,
            a.summary.counts.fail,
            a.summary.counts.pass,
            a.summary.counts.not_tested,
        ),
        "start": generated,
        "end": generated,
        "props": [prop("framework", &fw.id)],
        "reviewed-controls": {
            "control-selections": [ selection(a) ]
        }
    });
    if !observations.is_empty() {
        result["observations"] = Value::Array(observations.into_values().map(|(_, o)| o).collect());
    }
    if !risks.is_empty() {
        result["risks"] = Value::Array(risks.into_values().collect());
    }
    if !findings.is_empty() {
        result["findings"] = Value::Array(findings);
    }

    json!({
        "assessment-results": {
            "uuid": uuid(&format!("assessment-results|{scope}")),
            "metadata": {
                "title": format!("{}: {}", fw.heading(), a.target),
                "last-modified": generated,
                "version": a.tool.version,
                "oscal-version": OSCAL_VERSION,
                "links": [{ "href": fw.url, "rel": "reference" }]
            },
            "import-ap": {
                "href": TOOL_URI,
                "remarks": "Made by an automated scan, not from an assessment plan: the plan is the set of rules that ran."
            },
            "results": [ result ]
        }
    })
}

fn selection(a: &Assessment) -> Value {
    let controls: Vec<Value> = a
        .controls
        .iter()
        .map(|c| json!({ "control-id": control_token(&a.framework.id, &c.id) }))
        .collect();
    if controls.is_empty() {
        json!({ "description": "The framework selects no controls." })
    } else {
        json!({ "include-controls": controls })
    }
}

fn observation(f: &FindingRef, accepted: Option<&AcceptedRef>, collected: &str) -> (String, Value) {
    let id = uuid(&format!("observation|{}", f.fingerprint));
    let mut props = vec![
        prop("rule", &f.rule),
        prop("severity", f.severity.as_str()),
        prop("fingerprint", &f.fingerprint),
    ];
    if let Some(x) = accepted {
        props.push(prop("accepted", &x.by.kind));
    }
    let value = json!({
        "uuid": id,
        "title": f.title,
        "description": format!("{} at {}:{} ({})", f.title, f.path, f.line, f.rule),
        "props": props,
        "methods": ["TEST"],
        "types": ["finding"],
        "relevant-evidence": [{ "description": format!("{}:{}", f.path, f.line) }],
        "collected": collected
    });
    (id, value)
}

fn risk(x: &AcceptedRef, observation: &str) -> Value {
    let mut props = Vec::new();
    for (name, value) in [
        ("approver", &x.by.approver),
        ("expires", &x.by.expires),
        ("ticket", &x.by.ticket),
    ] {
        if let Some(v) = value {
            props.push(prop(name, v));
        }
    }
    let mut risk = json!({
        "uuid": uuid(&format!("risk|{}", x.finding.fingerprint)),
        "title": x.finding.title,
        "description": format!("{} at {}:{}", x.finding.title, x.finding.path, x.finding.line),
        "statement": x.by.reason,
        "status": "deviation-approved",
        "related-observations": [{ "observation-uuid": observation }]
    });
    if !props.is_empty() {
        risk["props"] = Value::Array(props);
    }
    risk
}

fn describe(status: Status, rules: usize, open: usize, accepted: usize) -> String {
    match status {
        Status::Fail => {
            format!("{open} open findings of the {rules} rules that test it; {accepted} accepted.")
        }
        _ => format!(
            "The {rules} rules that test it found nothing open; {accepted} findings accepted."
        ),
    }
}

/// A property in rampart's namespace. OSCAL values may not be empty or start or end with space.
fn prop(name: &str, value: &str) -> Value {
    let value = value.trim();
    json!({ "name": name, "ns": NS, "value": if value.is_empty() { "none" } else { value } })
}

fn dedup(mut values: Vec<Value>) -> Vec<Value> {
    let mut seen = std::collections::BTreeSet::new();
    values.retain(|v| seen.insert(v.to_string()));
    values
}

/// A control id as an OSCAL token: NIST's own form (`ac-6.10` for `AC-6(10)`), and the same
/// lower-case, dotted form for other frameworks, led by the framework's id where the control's
/// starts with a digit (tokens start with a letter or `_`).
pub fn control_token(framework: &str, id: &str) -> String {
    let mut out = String::with_capacity(id.len() + framework.len() + 1);
    for c in id.chars() {
        match c {
            '(' => out.push('.'),
            ')' => {}
            c if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') => {
                out.extend(c.to_lowercase())
            }
            _ => out.push('-'),
        }
    }
    let out = out.trim_end_matches(['.', '-']).to_string();
    if out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out
    } else {
        format!("{framework}-{out}")
    }
}

/// A name-based UUID, so the same thing keeps its id from run to run.
fn uuid(name: &str) -> String {
    content_uuid(format!("{TOOL_URI}|{name}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_become_oscal_tokens() {
        assert_eq!(control_token("nist-800-53", "AC-6(10)"), "ac-6.10");
        assert_eq!(control_token("nist-800-53", "SC-8"), "sc-8");
        assert_eq!(control_token("pci-dss", "8.6.2"), "pci-dss-8.6.2");
        assert_eq!(
            control_token("hipaa", "164.312(a)(2)(iv)"),
            "hipaa-164.312.a.2.iv"
        );
        assert_eq!(control_token("owasp-top10", "A07:2021"), "a07-2021");
        assert_eq!(control_token("iso-27001", "A.5.15"), "a.5.15");
    }

    #[test]
    fn uuids_are_stable_version_5_layout() {
        let a = uuid("x");
        assert_eq!(a, uuid("x"));
        assert_ne!(a, uuid("y"));
        let re = |s: &str| {
            let parts: Vec<&str> = s.split('-').collect();
            parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
                && parts[2].starts_with('5')
                && matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b')
        };
        assert!(re(&a), "{a}");
    }
}
