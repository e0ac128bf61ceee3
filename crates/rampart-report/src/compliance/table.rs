//! The assessment for a terminal: failed controls first with the findings behind them, then the
//! controls that passed, a line per family, and the totals. Controls nothing tested are counted,
//! not listed: in a catalog of hundreds they would bury the rest.

use std::fmt::Write;

use rampart_core::compliance::{Assessment, ControlResult, Status};

use crate::table::{clean, Ansi, BOLD_GREEN, BOLD_RED, BOLD_UNDERLINE, DIM};
use crate::text;

/// Findings listed under a failed control before "and N more".
const FINDINGS_SHOWN: usize = 5;

pub fn render(a: &Assessment, color: bool) -> String {
    let ansi = Ansi(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}\n",
        ansi.paint(BOLD_UNDERLINE, &clean(&a.framework.heading())),
        clean(&a.target)
    );

    let width = a.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for status in [Status::Fail, Status::Pass] {
        for c in a.controls.iter().filter(|c| c.status == status) {
            write_control(&mut out, c, width, ansi);
        }
    }

    if !a.families.is_empty() {
        let _ = writeln!(out, "\n{}", ansi.paint(BOLD_UNDERLINE, "By family"));
        let fwidth = a.families.iter().map(|f| f.id.len()).max().unwrap_or(0);
        for f in &a.families {
            let _ = writeln!(
                out,
                "  {:fwidth$}  {:>4} fail {:>4} pass {:>4} not tested  {}",
                f.id,
                f.counts.fail,
                f.counts.pass,
                f.counts.not_tested,
                clean(&f.title)
            );
        }
    }

    let s = &a.summary;
    let _ = writeln!(
        out,
        "\n{}: {} failed, {} passed, {} not tested. {} open, {} accepted.",
        text::count(s.counts.controls, "control", "controls"),
        s.counts.fail,
        s.counts.pass,
        s.counts.not_tested,
        text::count(s.open_findings, "finding", "findings"),
        s.accepted_findings
    );
    let _ = writeln!(
        out,
        "{}",
        ansi.paint(
            DIM,
            "A pass means rampart's rules for the control found nothing; not tested means none of them ran."
        )
    );
    out
}

fn write_control(out: &mut String, c: &ControlResult, width: usize, ansi: Ansi) {
    let status = match c.status {
        Status::Fail => ansi.paint(BOLD_RED, "FAIL"),
        Status::Pass => ansi.paint(BOLD_GREEN, "PASS"),
        Status::NotTested => "----".to_string(),
    };
    let _ = writeln!(
        out,
        "{status}  {:width$}  {}  {}",
        c.id,
        clean(&c.title),
        ansi.paint(
            DIM,
            &format!("({})", text::count(c.rules_run.len(), "rule", "rules"))
        )
    );
    for f in c.findings.iter().take(FINDINGS_SHOWN) {
        let _ = writeln!(
            out,
            "        {} {}:{} {}",
            f.severity,
            clean(&f.path),
            f.line,
            clean(&f.title)
        );
    }
    if c.findings.len() > FINDINGS_SHOWN {
        let _ = writeln!(
            out,
            "        and {} more",
            c.findings.len() - FINDINGS_SHOWN
        );
    }
    for x in &c.accepted {
        let _ = writeln!(
            out,
            "        accepted{}: {}:{} {} ({})",
            clean(&x.by.by_until()),
            clean(&x.finding.path),
            x.finding.line,
            clean(&x.finding.title),
            clean(&x.by.reason)
        );
    }
}
