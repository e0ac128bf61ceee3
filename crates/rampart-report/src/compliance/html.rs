//! The assessment as one self-contained HTML page: inline styles, an inline SVG chart of pass and
//! fail per control family, and every control with the findings and accepted risks behind it. It
//! loads nothing (no scripts, fonts or images), so it reads the same offline, attached to an audit
//! ticket. The markup is also well-formed XML, so a test can open it with an XML parser.

use std::fmt::Write;

use rampart_core::compliance::{Assessment, ControlResult, Counts, Status};

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
.meta { color: #57606a; margin-top: 0; }
.totals span { display: inline-block; margin-right: 1.5rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
.status { font-weight: 700; white-space: nowrap; }
.fail { color: #cf222e; }
.pass { color: #1a7f37; }
.not-tested { color: #6e7781; }
.note { color: #57606a; font-size: 0.9rem; }
ul { margin: 0.2rem 0; padding-left: 1.2rem; }
code { font-size: 0.85rem; }
";

const FAIL_COLOUR: &str = "#cf222e";
const PASS_COLOUR: &str = "#2da44e";
const UNTESTED_COLOUR: &str = "#d0d7de";

pub fn render(a: &Assessment, generated: &str) -> String {
    let heading = a.framework.heading();
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    let _ = writeln!(
        out,
        "<title>{}</title>",
        esc(&format!("{heading}: {}", a.target))
    );
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(out, "<h1>{}</h1>", esc(&heading));
    let _ = writeln!(
        out,
        "<p class=\"meta\">Target <code>{}</code>, assessed {} by {} {} with the {} scanners.</p>",
        esc(&a.target),
        esc(generated),
        esc(&a.tool.name),
        esc(&a.tool.version),
        esc(&a.scanners.join(", "))
    );
    let s = &a.summary;
    let _ = writeln!(
        out,
        "<p class=\"totals\"><span>{} controls</span><span class=\"fail\">{} failed</span>\
         <span class=\"pass\">{} passed</span><span class=\"not-tested\">{} not tested</span>\
         <span>{} open findings</span><span>{} accepted</span></p>",
        s.counts.controls,
        s.counts.fail,
        s.counts.pass,
        s.counts.not_tested,
        s.open_findings,
        s.accepted_findings
    );
    out.push_str(
        "<p class=\"note\">A pass means rampart's rules for the control found nothing in this \
         scan; not tested means none of them ran. Neither certifies the control.</p>\n",
    );

    out.push_str("<h2>By family</h2>\n");
    chart(&mut out, a);

    out.push_str(
        "<h2>Controls</h2>\n<table>\n<thead><tr><th>Control</th><th>Status</th>\
                  <th>Title</th><th>Evidence</th></tr></thead>\n<tbody>\n",
    );
    for status in [Status::Fail, Status::Pass, Status::NotTested] {
        for c in a.controls.iter().filter(|c| c.status == status) {
            row(&mut out, c);
        }
    }
    out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    out
}

/// One stacked bar per family: failed, passed and untested controls as shares of the family.
fn chart(out: &mut String, a: &Assessment) {
    const ROW: usize = 24;
    const LABEL: usize = 200;
    const BAR: f64 = 480.0;
    let height = ROW * a.families.len() + 30;
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{w}\" height=\"{height}\" \
         viewBox=\"0 0 {w} {height}\" aria-label=\"Controls failed, passed and not tested per family\">",
        w = LABEL + BAR as usize + 250
    );
    for (i, f) in a.families.iter().enumerate() {
        let y = i * ROW;
        let _ = writeln!(out, "<g class=\"family\" data-family=\"{}\">", esc(&f.id));
        let _ = writeln!(
            out,
            "<title>{}</title>",
            esc(&format!(
                "{} {}: {} failed, {} passed, {} not tested",
                f.id, f.title, f.counts.fail, f.counts.pass, f.counts.not_tested
            ))
        );
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 15,
            esc(&truncate(&format!("{} {}", f.id, f.title), 28))
        );
        let mut x = LABEL as f64;
        for (class, colour, n) in segments(&f.counts) {
            let width = BAR * n as f64 / f.counts.controls.max(1) as f64;
            let _ = writeln!(
                out,
                "<rect class=\"{class}\" data-count=\"{n}\" x=\"{x:.1}\" y=\"{}\" width=\"{width:.1}\" \
                 height=\"{}\" fill=\"{colour}\"/>",
                y + 3,
                ROW - 6
            );
            x += width;
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\">{} failed, {} passed, {} not tested</text>\n</g>",
            LABEL + BAR as usize + 10,
            y + 15,
            f.counts.fail,
            f.counts.pass,
            f.counts.not_tested
        );
    }
    let legend_y = ROW * a.families.len() + 20;
    let mut x = LABEL;
    for (label, colour) in [
        ("failed", FAIL_COLOUR),
        ("passed", PASS_COLOUR),
        ("not tested", UNTESTED_COLOUR),
    ] {
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{legend_y}\" font-size=\"12\">{label}</text>",
            legend_y - 9,
            x + 14
        );
        x += 100;
    }
    out.push_str("</svg>\n");
}

fn segments(c: &Counts) -> [(&'static str, &'static str, usize); 3] {
    [
        ("fail", FAIL_COLOUR, c.fail),
        ("pass", PASS_COLOUR, c.pass),
        ("not-tested", UNTESTED_COLOUR, c.not_tested),
    ]
}

fn row(out: &mut String, c: &ControlResult) {
    let _ = write!(
        out,
        "<tr id=\"control-{}\"><td><code>{}</code></td><td class=\"status {}\">{}</td><td>{}</td><td>",
        esc(&anchor(&c.id)),
        esc(&c.id),
        c.status.as_str(),
        c.status.as_str(),
        esc(&c.title)
    );
    if c.rules.is_empty() {
        out.push_str("<span class=\"note\">no rule tests it</span>");
    } else {
        let _ = write!(
            out,
            "<span class=\"note\">{} of {} rules ran</span>",
            c.rules_run.len(),
            c.rules.len()
        );
    }
    if !c.findings.is_empty() || !c.accepted.is_empty() {
        out.push_str("<ul>");
        for f in &c.findings {
            let _ = write!(
                out,
                "<li>{} <code>{}:{}</code> {} <span class=\"note\">{}</span></li>",
                f.severity,
                esc(&f.path),
                f.line,
                esc(&f.title),
                esc(&f.rule)
            );
        }
        for x in &c.accepted {
            let _ = write!(
                out,
                "<li>accepted ({}){}: <code>{}:{}</code> {}: {}</li>",
                esc(&x.by.kind),
                esc(&x.by.by_until()),
                esc(&x.finding.path),
                x.finding.line,
                esc(&x.finding.title),
                esc(&x.by.reason)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</td></tr>\n");
}

/// Escapes text for element content and quoted attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Not allowed in XML 1.0, and never meaningful in a report.
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// An id usable in a fragment: letters, digits, `.`, `-` and `_` only.
fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_control_characters() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{1b}b"), "a\u{fffd}b");
        assert_eq!(anchor("164.312(a)(1)"), "164.312_a__1_");
    }
}
