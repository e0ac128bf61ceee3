//! The human-readable listing for a terminal: findings grouped by file.

use std::collections::BTreeMap;
use std::fmt::Write;

use rampart_core::priority::Level;
use rampart_core::report::Gate;
use rampart_core::severity::FailOn;
use rampart_core::{Commit, Finding, Location, Report, Severity};

use crate::text;

const FIX_CHARS: usize = 200;

pub fn render(report: &Report, color: bool) -> String {
    if report.findings.is_empty() {
        return "No findings.\n".to_string();
    }
    let ansi = Ansi(color);
    let mut out = String::new();

    // A finding is listed under every file it was seen in. One without any location (only a
    // hand-edited report has that) still gets listed, under an empty path.
    let mut by_path: BTreeMap<&str, Vec<(&Finding, Option<&Location>)>> = BTreeMap::new();
    for finding in &report.findings {
        if finding.locations.is_empty() {
            by_path.entry("").or_default().push((finding, None));
        }
        for location in &finding.locations {
            by_path
                .entry(location.path.as_str())
                .or_default()
                .push((finding, Some(location)));
        }
    }
    for entries in by_path.values_mut() {
        entries.sort_by(|a, b| entry_key(a.0, a.1).cmp(&entry_key(b.0, b.1)));
    }

    // One width for the whole listing keeps every file's columns aligned.
    let position =
        |l: Option<&Location>| l.map_or("-".to_string(), |l| format!("{}:{}", l.line, l.column));
    let width = by_path
        .values()
        .flatten()
        .map(|(_, l)| position(*l).len())
        .max()
        .unwrap_or(0);
    let indent = " ".repeat(2 + width + 2);
    for (path, entries) in &by_path {
        let header = if path.is_empty() {
            "(no location)".to_string()
        } else {
            clean(path)
        };
        let _ = writeln!(out, "{}", ansi.paint(BOLD_UNDERLINE, &header));
        for (finding, location) in entries {
            let at = position(*location);
            write_entry(
                &mut out, report, finding, *location, &at, width, &indent, ansi,
            );
        }
        out.push('\n');
    }

    let files = by_path.keys().filter(|p| !p.is_empty()).count();
    write_summary(&mut out, report, files, ansi);
    out
}

/// Within a file: the most urgent first, then by position.
fn entry_key<'a>(
    finding: &'a Finding,
    location: Option<&'a Location>,
) -> (Option<Level>, u32, u32, &'a str, Option<&'a Commit>) {
    let (line, column) = location.map_or((0, 0), |l| (l.line, l.column));
    (
        finding.priority.as_ref().map(|p| p.level),
        line,
        column,
        &finding.rule_id,
        location.and_then(|l| l.commit.as_ref()),
    )
}

#[allow(clippy::too_many_arguments)]
fn write_entry(
    out: &mut String,
    report: &Report,
    finding: &Finding,
    location: Option<&Location>,
    position: &str,
    width: usize,
    indent: &str,
    ansi: Ansi,
) {
    let label = format!("{:<8}", finding.severity.as_str().to_ascii_uppercase());
    let _ = writeln!(
        out,
        "  {position:<width$}  {}  {} {}",
        ansi.paint(severity_style(finding.severity), &label),
        clean(&finding.title),
        ansi.paint(DIM, &format!("[{}]", clean(&finding.rule_id))),
    );
    // The label column is eight wide; details line up under the title.
    let detail = format!("{indent}{}", " ".repeat(10));
    if finding.message != finding.title {
        let _ = writeln!(out, "{detail}{}", clean(&finding.message));
    }
    if let Some(s) = &finding.suppressed {
        let _ = writeln!(
            out,
            "{detail}{}",
            ansi.paint(
                BOLD_DIM,
                &format!("suppressed ({}): {}", clean(&s.kind), clean(&s.reason))
            )
        );
    }
    // Priority explains itself where it rests on more than the severity shown above.
    if let (Some(p), Some(_)) = (&finding.priority, &finding.vulnerability) {
        let _ = writeln!(
            out,
            "{detail}{} {}",
            ansi.paint(BOLD_YELLOW, "priority"),
            clean(&p.explain())
        );
    }
    if let Some(snippet) = location.and_then(|l| l.snippet.as_ref()) {
        let _ = writeln!(out, "{detail}{}", ansi.paint(CYAN, &clean(snippet)));
    }
    if let Some(commit) = location.and_then(|l| l.commit.as_ref()) {
        let _ = writeln!(
            out,
            "{detail}{}",
            ansi.paint(DIM, &clean(&text::describe_commit(commit)))
        );
    }
    if let Some(note) = location.and_then(|l| l.note.as_ref()) {
        let _ = writeln!(out, "{detail}{}", ansi.paint(DIM, &clean(note)));
    }
    if location.is_some_and(|l| l.staged) {
        let _ = writeln!(out, "{detail}{}", ansi.paint(DIM, "staged, not committed"));
    }
    let others = finding.locations.len().saturating_sub(1);
    if others > 0 {
        let _ = writeln!(
            out,
            "{detail}also in {}",
            text::count(others, "other place", "other places")
        );
    }
    if let Some(rule) = report.rule(&finding.rule_id) {
        let fix = text::first_sentence(&rule.remediation, FIX_CHARS);
        if !fix.is_empty() {
            let _ = writeln!(out, "{detail}{} {}", ansi.paint(GREEN, "fix:"), clean(&fix));
        }
    }
}

fn write_summary(out: &mut String, report: &Report, files: usize, ansi: Ansi) {
    let counts: Vec<String> = report
        .counts_by_severity()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| ansi.paint(severity_style(s), &format!("{n} {s}")))
        .collect();
    let suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let _ = writeln!(
        out,
        "{} in {}{}{}",
        text::count(report.findings.len() - suppressed, "finding", "findings"),
        text::count(files, "file", "files"),
        if counts.is_empty() {
            String::new()
        } else {
            format!(": {}", counts.join(", "))
        },
        if suppressed > 0 {
            format!(" ({} suppressed, not counted)", suppressed)
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "{}", gate_line(&report.gate, ansi));
    if let Some(policy) = &report.gate.policy {
        let messages = [
            (&policy.denies, BOLD_RED, "deny"),
            (&policy.warnings, BOLD_YELLOW, "warn"),
        ];
        for (list, colour, label) in messages {
            for m in list {
                let _ = writeln!(
                    out,
                    "  {} {}: {}",
                    ansi.paint(colour, label),
                    m.rule,
                    m.message
                );
            }
        }
        for e in &policy.errors {
            let _ = writeln!(
                out,
                "  {} {e}",
                ansi.paint(BOLD_RED, "policy error (fails the gate):")
            );
        }
    }
}

fn gate_line(gate: &Gate, ansi: Ansi) -> String {
    if let Some(policy) = &gate.policy {
        let verdict = if gate.passed {
            ansi.paint(BOLD_GREEN, "Gate passed")
        } else {
            ansi.paint(BOLD_RED, "Gate failed")
        };
        let threshold = match gate.fail_on {
            FailOn::None => String::new(),
            FailOn::Severity(t) => format!(
                "; {} at or above {t}",
                text::count(gate.failing_findings, "finding", "findings")
            ),
        };
        return format!(
            "{verdict}: the gate policy denies {} and warns {}{threshold}.",
            policy.denies.len(),
            policy.warnings.len()
        );
    }
    match gate.fail_on {
        FailOn::None => "Gate disabled (fail-on none).".to_string(),
        FailOn::Severity(threshold) if gate.passed => format!(
            "{}: nothing at or above {threshold}.",
            ansi.paint(BOLD_GREEN, "Gate passed")
        ),
        FailOn::Severity(threshold) => format!(
            "{}: {} at or above {threshold}.",
            ansi.paint(BOLD_RED, "Gate failed"),
            text::count(gate.failing_findings, "finding", "findings")
        ),
    }
}

pub(crate) const BOLD_UNDERLINE: &str = "1;4";
pub(crate) const BOLD_RED: &str = "1;31";
pub(crate) const BOLD_GREEN: &str = "1;32";
const BOLD_YELLOW: &str = "1;33";
const BOLD_BLUE: &str = "1;34";
const BOLD_DIM: &str = "1;2";
pub(crate) const DIM: &str = "2";
const CYAN: &str = "36";
const GREEN: &str = "32";

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => BOLD_RED,
        Severity::Medium => BOLD_YELLOW,
        Severity::Low => BOLD_BLUE,
        Severity::Info => BOLD_DIM,
    }
}

/// SGR escapes, or nothing at all when colour is off.
#[derive(Clone, Copy)]
pub(crate) struct Ansi(pub(crate) bool);

impl Ansi {
    pub(crate) fn paint(self, sgr: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Scanned files are untrusted: an escape sequence in a snippet or a path must not reach the
/// terminal, and invisible bidirectional overrides (Trojan Source) must become visible.
pub(crate) fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\t' {
            out.push(' ');
        } else if c.is_control() || is_bidi_control(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_makes_escapes_and_bidi_overrides_visible() {
        assert_eq!(clean("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(clean("tab\there"), "tab here");
        assert_eq!(clean("plain ü"), "plain ü");
    }

    #[test]
    fn ansi_paints_only_when_on() {
        assert_eq!(Ansi(false).paint(BOLD_RED, "x"), "x");
        assert_eq!(Ansi(true).paint(BOLD_RED, "x"), "\x1b[1;31mx\x1b[0m");
    }
}
