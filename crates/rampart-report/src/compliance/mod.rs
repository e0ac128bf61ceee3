//! The output formats of a compliance assessment (a report judged against a framework).
//!
//! | format | for |
//! | --- | --- |
//! | [`ComplianceFormat::Table`] | people at a terminal |
//! | [`ComplianceFormat::Json`] | machines; its JSON Schema is [`compliance_schema`] |
//! | [`ComplianceFormat::Html`] | auditors: one self-contained page with a chart per control family |
//! | [`ComplianceFormat::Oscal`] | GRC tools: NIST OSCAL assessment results |
//!
//! Like the report's formats these are pure: the time an assessment was made is passed in, so the
//! same assessment at the same time renders to the same bytes.

use std::fmt;
use std::str::FromStr;

use rampart_core::compliance::Assessment;

mod html;
mod oscal;
mod table;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplianceFormat {
    Table,
    Json,
    Html,
    Oscal,
}

impl ComplianceFormat {
    pub const ALL: [ComplianceFormat; 4] = [
        ComplianceFormat::Table,
        ComplianceFormat::Json,
        ComplianceFormat::Html,
        ComplianceFormat::Oscal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComplianceFormat::Table => "table",
            ComplianceFormat::Json => "json",
            ComplianceFormat::Html => "html",
            ComplianceFormat::Oscal => "oscal",
        }
    }
}

impl fmt::Display for ComplianceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ComplianceFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ComplianceFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = ComplianceFormat::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "unknown format `{s}` (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// What the assessment alone does not say about how to render it.
#[derive(Debug, Clone, Copy)]
pub struct ComplianceOptions<'a> {
    /// ANSI colours in the table.
    pub color: bool,
    /// When the assessment was made, RFC 3339 in UTC (`2026-11-23T10:00:00Z`): OSCAL requires it
    /// and the HTML page shows it.
    pub generated: &'a str,
}

pub fn render_compliance(
    assessment: &Assessment,
    format: ComplianceFormat,
    options: &ComplianceOptions,
) -> String {
    match format {
        ComplianceFormat::Table => table::render(assessment, options.color),
        ComplianceFormat::Json => crate::json::pretty(assessment, "assessment"),
        ComplianceFormat::Html => html::render(assessment, options.generated),
        ComplianceFormat::Oscal => oscal::render(assessment, options.generated),
    }
}

/// The JSON Schema (draft 2020-12) of the assessment's JSON form.
pub fn compliance_schema() -> &'static str {
    include_str!("../../schema/compliance.schema.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip_and_unknown_ones_list_the_known() {
        for format in ComplianceFormat::ALL {
            assert_eq!(format.as_str().parse::<ComplianceFormat>(), Ok(format));
        }
        let e = "pdf".parse::<ComplianceFormat>().unwrap_err();
        assert!(e.contains("table, json, html, oscal"), "{e}");
    }
}
