//! SARIF 2.1.0, shaped for GitHub code scanning: one result per location so that every place a
//! secret was seen gets its own alert, rule metadata with `security-severity` and tags, and
//! partial fingerprints that survive code moving.

use std::collections::BTreeMap;
use std::fmt::Write;

use rampart_core::{
    Confidence, Diagnostic, DiagnosticLevel, Finding, Location, Report, RuleMeta, Severity,
};
use serde::Serialize;

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

pub fn render(report: &Report) -> String {
    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: &report.tool.name,
                    version: &report.tool.version,
                    semantic_version: &report.tool.version,
                    information_uri: rampart_core::TOOL_URI,
                    rules: report.rules.iter().map(descriptor).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: report.diagnostics.iter().map(notification).collect(),
            }],
            results: results(report),
            column_kind: "unicodeCodePoints",
        }],
    };
    match serde_json::to_string_pretty(&log) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        Err(e) => format!(
            "{{\"error\": {}}}\n",
            serde_json::Value::String(format!("cannot serialise the SARIF log: {e}"))
        ),
    }
}

fn descriptor(rule: &RuleMeta) -> ReportingDescriptor<'_> {
    let mut tags: Vec<String> = vec!["security".to_string(), rule.scanner.clone()];
    for (framework, id) in rule.taxonomy.entries() {
        let tag = if framework == "cwe" {
            cwe_tag(id)
        } else {
            format!("{framework}:{id}")
        };
        tags.push(tag);
    }
    let mut seen = std::collections::BTreeSet::new();
    tags.retain(|t| seen.insert(t.clone()));

    ReportingDescriptor {
        id: &rule.id,
        name: &rule.id,
        short_description: Text { text: &rule.title },
        full_description: Text {
            text: &rule.description,
        },
        help_uri: rule
            .references
            .iter()
            .find(|r| r.starts_with("https://") || r.starts_with("http://"))
            .map(String::as_str),
        help: Help {
            text: help_text(rule),
            markdown: help_markdown(rule),
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: rule.severity.security_severity(),
            precision: precision(rule.confidence),
            problem_severity: problem_severity(rule.severity),
        },
    }
}

/// `CWE-798` whether the rule wrote `CWE-798`, `cwe-798` or `798`.
fn cwe_tag(id: &str) -> String {
    let number = id
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("cwe-"))
        .map_or(id, |_| &id[4..]);
    format!("CWE-{number}")
}

fn help_text(rule: &RuleMeta) -> String {
    let mut s = format!("{}\n\nRemediation: {}", rule.description, rule.remediation);
    if !rule.references.is_empty() {
        s.push_str("\n\nReferences:");
        for r in &rule.references {
            let _ = write!(s, "\n- {r}");
        }
    }
    s
}

fn help_markdown(rule: &RuleMeta) -> String {
    let mut s = format!(
        "{}\n\n## Remediation\n\n{}",
        rule.description, rule.remediation
    );
    if !rule.references.is_empty() {
        s.push_str("\n\n## References\n");
        for r in &rule.references {
            let _ = write!(s, "\n- <{r}>");
        }
    }
    s
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn problem_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "recommendation",
    }
}

fn precision(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

fn results(report: &Report) -> Vec<SarifResult<'_>> {
    let mut out = Vec::new();
    for finding in &report.findings {
        let rule_index = report
            .rules
            .binary_search_by(|r| r.id.as_str().cmp(&finding.rule_id))
            .ok();
        let others = finding.locations.len().saturating_sub(1);
        let text = if others == 0 {
            finding.message.clone()
        } else {
            format!(
                "{} (also at {})",
                finding.message,
                crate::text::count(others, "other location", "other locations")
            )
        };
        if finding.locations.is_empty() {
            out.push(SarifResult {
                rule_id: &finding.rule_id,
                rule_index,
                level: level(finding.severity),
                message: OwnedText { text: text.clone() },
                locations: Vec::new(),
                partial_fingerprints: PartialFingerprints {
                    finding: finding.fingerprint.as_str(),
                    location: None,
                },
                suppressions: suppressions(finding),
                properties: ResultProperties {
                    scanner: &finding.scanner,
                    severity: finding.severity.as_str(),
                    confidence: finding.confidence.as_str(),
                    priority: finding.priority.as_ref().map(|p| p.explain()),
                    vulnerability: finding.vulnerability.as_ref(),
                    commit: None,
                    staged: false,
                },
            });
        }
        let mut occurrences: BTreeMap<(&str, Option<&str>), u32> = BTreeMap::new();
        for location in &finding.locations {
            let commit = location.commit.as_ref().map(|c| c.id.as_str());
            let occurrence = occurrences
                .entry((location.path.as_str(), commit))
                .or_insert(0);
            *occurrence += 1;
            out.push(SarifResult {
                rule_id: &finding.rule_id,
                rule_index,
                level: level(finding.severity),
                message: OwnedText {
                    text: match &location.note {
                        Some(note) => format!("{text} ({note})"),
                        None => text.clone(),
                    },
                },
                locations: vec![ResultLocation {
                    physical_location: physical_location(&location.path, region(location)),
                }],
                partial_fingerprints: PartialFingerprints {
                    finding: finding.fingerprint.as_str(),
                    location: Some(location_hash(finding, location, *occurrence)),
                },
                suppressions: suppressions(finding),
                properties: ResultProperties {
                    scanner: &finding.scanner,
                    severity: finding.severity.as_str(),
                    confidence: finding.confidence.as_str(),
                    priority: finding.priority.as_ref().map(|p| p.explain()),
                    vulnerability: finding.vulnerability.as_ref(),
                    commit: location.commit.as_ref().map(|c| CommitInfo {
                        id: &c.id,
                        author: &c.author,
                        date: &c.date,
                    }),
                    staged: location.staged,
                },
            });
        }
    }
    out
}

fn region(location: &Location) -> Option<Region<'_>> {
    // SARIF lines and columns start at 1; a location without a line (a whole file) has no region.
    if location.line == 0 {
        return None;
    }
    let column = (location.column > 0).then_some(location.column);
    let end_valid = location.end_line >= location.line && location.end_column > 0;
    Some(Region {
        start_line: location.line,
        start_column: column,
        end_line: end_valid.then_some(location.end_line),
        end_column: (end_valid && column.is_some()).then_some(location.end_column),
        snippet: location.snippet.as_deref().map(|text| Text { text }),
    })
}

fn physical_location<'a>(path: &str, region: Option<Region<'a>>) -> PhysicalLocation<'a> {
    let (uri, base) = if path.starts_with('/') {
        (format!("file://{}", encode_uri_path(path)), None)
    } else {
        (encode_uri_path(path), Some(SRCROOT))
    };
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri,
            uri_base_id: base,
        },
        region,
    }
}

/// Percent-encodes a path for a URI reference. `:` is encoded too: in the first segment of a
/// relative reference it would read as a scheme.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// 64-bit FNV-1a over the finding fingerprint, the path, the commit and the occurrence number:
/// stable across platforms and versions, which a std `Hasher` does not promise.
fn location_hash(finding: &Finding, location: &Location, occurrence: u32) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let commit = location.commit.as_ref().map_or("", |c| c.id.as_str());
    let parts: [&[u8]; 4] = [
        finding.fingerprint.as_str().as_bytes(),
        location.path.as_bytes(),
        commit.as_bytes(),
        &occurrence.to_le_bytes(),
    ];
    for part in parts {
        for b in (part.len() as u64).to_le_bytes().iter().chain(part) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn notification(diagnostic: &Diagnostic) -> Notification<'_> {
    let locations = if diagnostic.path.is_empty() {
        Vec::new()
    } else {
        let region = diagnostic.line.filter(|l| *l > 0).map(|start_line| Region {
            start_line,
            start_column: None,
            end_line: None,
            end_column: None,
            snippet: None,
        });
        vec![ResultLocation {
            physical_location: physical_location(&diagnostic.path, region),
        }]
    };
    Notification {
        level: match diagnostic.level {
            DiagnosticLevel::Error => "error",
            DiagnosticLevel::Warning => "warning",
            DiagnosticLevel::Note => "note",
        },
        message: Text {
            text: &diagnostic.message,
        },
        locations,
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation<'a>; 1],
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Text<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<ResultLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: OwnedText,
    /// Exactly one, except for a finding without any location (only a hand-edited report).
    locations: Vec<ResultLocation<'a>>,
    partial_fingerprints: PartialFingerprints<'a>,
    /// SARIF's own record of a result that is reported but suppressed (§3.27.23): code
    /// scanning shows it as dismissed, with the justification.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifSuppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

/// A VEX statement or an accepted risk lives outside the scanned code: an `external`
/// suppression, accepted.
fn suppressions(finding: &Finding) -> Vec<SarifSuppression> {
    finding
        .suppressed
        .iter()
        .map(|s| SarifSuppression {
            kind: "external",
            status: "accepted",
            justification: match (&s.approver, &s.expires) {
                (Some(who), Some(until)) => format!(
                    "{} (accepted by {who} until {until}; {}: {})",
                    s.reason, s.kind, s.source
                ),
                _ => format!("{} ({}: {})", s.reason, s.kind, s.source),
            },
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'a> {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text<'a>>,
}

#[derive(Serialize)]
struct PartialFingerprints<'a> {
    /// The finding's own fingerprint, the identity baselines and exceptions use.
    #[serde(rename = "rampart/v1")]
    finding: &'a str,
    #[serde(
        rename = "rampart/location/v1",
        skip_serializing_if = "Option::is_none"
    )]
    location: Option<String>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    scanner: &'a str,
    severity: &'static str,
    confidence: &'static str,
    /// The priority with its evidence, on one line (`P1: known exploited …`).
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<String>,
    /// For a vulnerable dependency: package, version, purl, ids, fixed version, CVSS, EPSS,
    /// KEV, as in the JSON report.
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerability: Option<&'a rampart_core::Vulnerability>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<CommitInfo<'a>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    staged: bool,
}

#[derive(Serialize)]
struct CommitInfo<'a> {
    id: &'a str,
    author: &'a str,
    date: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded_as_uri_references() {
        assert_eq!(encode_uri_path("src/main.rs"), "src/main.rs");
        assert_eq!(encode_uri_path("my dir/a#b?.txt"), "my%20dir/a%23b%3F.txt");
        assert_eq!(encode_uri_path("c:/x"), "c%3A/x");
        assert_eq!(encode_uri_path("100%/ü"), "100%25/%C3%BC");
    }

    #[test]
    fn cwe_tags_are_normalised() {
        assert_eq!(cwe_tag("CWE-798"), "CWE-798");
        assert_eq!(cwe_tag("cwe-798"), "CWE-798");
        assert_eq!(cwe_tag("798"), "CWE-798");
        assert_eq!(cwe_tag("é"), "CWE-é");
    }

    #[test]
    fn severities_map_to_sarif_levels() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
        assert_eq!(problem_severity(Severity::Low), "recommendation");
    }
}
