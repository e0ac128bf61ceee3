//! A summary for a pull-request comment: the gate result first, then counts, then the findings,
//! then what each rule means, folded away.

use std::fmt::Write;

use rampart_core::report::Gate;
use rampart_core::severity::FailOn;
use rampart_core::Report;

use crate::text;

/// More rows make the comment unreadable, and GitHub caps a comment at 65,536 characters.
pub const MAX_ROWS: usize = 50;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", gate_heading(&report.gate));

    if report.findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }

    out.push_str("| Severity | Findings |\n| --- | ---: |\n");
    for (severity, n) in report.counts_by_severity() {
        let _ = writeln!(out, "| {} | {n} |", text::severity_title(severity));
    }

    out.push_str("\n### Findings\n\n");
    out.push_str(
        "| Priority | Severity | Rule | Location | Message |\n| --- | --- | --- | --- | --- |\n",
    );
    // The report lists the most urgent first, so the cap hides the least urgent; suppressed
    // findings (VEX, accepted risks) are counted below, not listed.
    let findings = report.findings.iter().filter(|f| f.suppressed.is_none());
    for finding in findings.take(MAX_ROWS) {
        let location = match finding.locations.first() {
            Some(l) => {
                let mut cell = code(&format!("{}:{}", l.path, l.line));
                let others = finding.locations.len() - 1;
                if others > 0 {
                    let _ = write!(cell, " (+{others} more)");
                }
                cell
            }
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            finding.priority.as_ref().map_or("", |p| p.level.as_str()),
            text::severity_title(finding.severity),
            code(&finding.rule_id),
            location,
            cell(&finding.message)
        );
    }
    let suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let hidden = (report.findings.len() - suppressed).saturating_sub(MAX_ROWS);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "\n… and {hidden} more (the full list is in the JSON or SARIF report)."
        );
    }
    if suppressed > 0 {
        let _ = writeln!(
            out,
            "\n{} suppressed by VEX statements or accepted risks, not counted (see the JSON report).",
            text::count(suppressed, "finding", "findings")
        );
    }

    if !report.rules.is_empty() {
        out.push_str("\n### Rules\n");
        for rule in &report.rules {
            let _ = write!(
                out,
                "\n<details>\n<summary><code>{}</code>: {}</summary>\n\n{}\n\n**Remediation:** {}\n",
                html(&rule.id),
                html(&rule.title),
                rule.description.trim(),
                rule.remediation.trim()
            );
            if !rule.references.is_empty() {
                out.push_str("\n**References:**\n\n");
                for r in &rule.references {
                    let _ = writeln!(out, "- <{r}>");
                }
            }
            out.push_str("\n</details>\n");
        }
    }
    out
}

fn gate_heading(gate: &Gate) -> String {
    match gate.fail_on {
        FailOn::None => "✅ rampart: passed (no threshold set)".to_string(),
        FailOn::Severity(threshold) if gate.passed => {
            format!("✅ rampart: passed (nothing at or above {threshold})")
        }
        FailOn::Severity(threshold) => format!(
            "❌ rampart: failed ({} at or above {threshold})",
            text::count(gate.failing_findings, "finding", "findings")
        ),
    }
}

/// Text for a table cell. Findings quote scanned files, so markdown and HTML in them must show
/// as written instead of turning into links, images or markup; `|` would end the cell and a
/// line break the row.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An inline code span for a table cell, fenced with more backticks than the text holds. Inside
/// a code span only `|` needs escaping (GFM reads the table before the code); line breaks would
/// end the row and so become spaces.
fn code(s: &str) -> String {
    let longest_run = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let body: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Text inside an HTML element such as `<summary>`.
fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_line_breaks_and_markup() {
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(cell("one\r\ntwo\nthree"), "one<br>two<br>three");
        assert_eq!(cell("![x](http://e) <b>"), "\\!\\[x\\](http://e) &lt;b&gt;");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("src/a.rs:3"), "`src/a.rs:3`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a|b\nc"), "`a\\|b c`");
    }
}
