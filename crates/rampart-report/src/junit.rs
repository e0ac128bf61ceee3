//! JUnit XML for the test tab of CI systems: a test suite per scanner, a test case per rule that
//! ran, and a failure per place a rule found something. Rules without findings pass, so the tab
//! shows what was checked as well as what failed.

use std::collections::BTreeMap;
use std::fmt::Write;

use rampart_core::{Finding, Location, Report, RuleMeta};

use crate::text;

const FIX_CHARS: usize = 200;

struct Case<'a> {
    id: &'a str,
    title: &'a str,
    findings: Vec<&'a Finding>,
}

pub fn render(report: &Report, rules: &[RuleMeta]) -> String {
    let rules = if rules.is_empty() {
        &report.rules
    } else {
        rules
    };

    // scanner -> rule id -> case; BTreeMaps give the deterministic order.
    let mut suites: BTreeMap<&str, BTreeMap<&str, Case>> = BTreeMap::new();
    for scanner in &report.scanners {
        suites.entry(scanner).or_default();
    }
    for rule in rules {
        suites
            .entry(&rule.scanner)
            .or_default()
            .entry(&rule.id)
            .or_insert_with(|| Case {
                id: &rule.id,
                title: &rule.title,
                findings: Vec::new(),
            });
    }
    // A finding whose rule is missing from the list still fails its own case; a suppressed
    // one (VEX, accepted risk) fails nothing.
    for finding in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        suites
            .entry(&finding.scanner)
            .or_default()
            .entry(&finding.rule_id)
            .or_insert_with(|| Case {
                id: &finding.rule_id,
                title: &finding.title,
                findings: Vec::new(),
            })
            .findings
            .push(finding);
    }

    let tests: usize = suites.values().map(BTreeMap::len).sum();
    let failures = count_failed(suites.values().flat_map(BTreeMap::values));

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">",
        escape(&report.tool.name)
    );
    for (scanner, cases) in &suites {
        let _ = write!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\"",
            escape(scanner),
            cases.len(),
            count_failed(cases.values())
        );
        if cases.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        for case in cases.values() {
            write_case(&mut out, report, scanner, case);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn count_failed<'a, 'b: 'a>(cases: impl Iterator<Item = &'a Case<'b>>) -> usize {
    cases.filter(|c| !c.findings.is_empty()).count()
}

fn write_case(out: &mut String, report: &Report, scanner: &str, case: &Case) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        escape(scanner),
        escape(&format!("{}: {}", case.id, case.title))
    );
    if case.findings.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    let fix = report
        .rule(case.id)
        .map(|r| text::first_sentence(&r.remediation, FIX_CHARS))
        .filter(|f| !f.is_empty());
    for finding in &case.findings {
        if finding.locations.is_empty() {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">(no location)</failure>",
                escape(&finding.message),
                finding.severity
            );
        }
        for location in &finding.locations {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&finding.message),
                finding.severity,
                escape_text(&failure_text(location, fix.as_deref()))
            );
        }
    }
    out.push_str("    </testcase>\n");
}

fn failure_text(location: &Location, fix: Option<&str>) -> String {
    let mut s = format!("{}:{}:{}", location.path, location.line, location.column);
    if let Some(snippet) = &location.snippet {
        let _ = write!(s, "\n{snippet}");
    }
    if let Some(commit) = &location.commit {
        let _ = write!(s, "\n{}", text::describe_commit(commit));
    }
    if let Some(fix) = fix {
        let _ = write!(s, "\nfix: {fix}");
    }
    s
}

/// Escapes an attribute value. Line breaks and tabs become character references, which keep
/// them where a parser would otherwise fold them to spaces.
fn escape(s: &str) -> String {
    escape_xml(s, true)
}

/// Escapes element content; line breaks stay as they are so the raw file reads well.
fn escape_text(s: &str) -> String {
    escape_xml(s, false)
}

/// Escapes every markup character (quotes too, so one function serves both contexts), and drops
/// the characters XML 1.0 cannot carry at all (most C0 controls and U+FFFE/U+FFFF).
fn escape_xml(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' if !attribute => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_handles_markup_and_drops_forbidden_characters() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&apos;");
        assert_eq!(escape("a\u{0}b\u{1b}c\u{fffe}d"), "abcd");
        assert_eq!(escape("l1\nl2\tx"), "l1&#10;l2&#9;x");
        assert_eq!(escape("ü 🦀"), "ü 🦀");
        assert_eq!(escape_text("l1\nl2\r\t<"), "l1\nl2&#13;\t&lt;");
    }
}
