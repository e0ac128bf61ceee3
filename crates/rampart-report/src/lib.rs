//! The output formats of a scan report.
//!
//! Every format is a pure function of the [`Report`]: no clock, no environment, no terminal
//! probing, so the same report always renders to the same bytes. Whether to colour the table is
//! decided by the caller and passed in [`RenderOptions`].
//!
//! | format | for |
//! | --- | --- |
//! | [`Format::Table`] | people at a terminal |
//! | [`Format::Json`] | machines; its JSON Schema is [`report_schema`] |
//! | [`Format::Sarif`] | GitHub code scanning and other SARIF 2.1.0 consumers |
//! | [`Format::Junit`] | the test tab of CI systems |
//! | [`Format::Markdown`] | a pull-request comment |
//!
//! A report judged against a compliance framework has formats of its own: [`compliance`].

use std::fmt;
use std::str::FromStr;

use rampart_core::{Report, RuleMeta};

pub mod compliance;
mod json;
mod junit;
mod markdown;
mod sarif;
mod table;
mod text;

/// An output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    Markdown,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Markdown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown format name; its message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown format `{}` (expected one of: ", self.0)?;
        for (i, format) in Format::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(format.as_str())?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// What the report alone does not say about how to render it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions<'a> {
    /// ANSI colours in the table; no other format uses it.
    pub color: bool,
    /// Every rule that ran, so JUnit can list the rules that passed too. When empty, the rules
    /// of the report (those with findings) are used.
    pub rules: &'a [RuleMeta],
}

/// Renders the report in the given format.
pub fn render(report: &Report, format: Format, options: &RenderOptions) -> String {
    match format {
        Format::Table => table::render(report, options.color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report, options.rules),
        Format::Markdown => markdown::render(report),
    }
}

/// The JSON Schema (draft 2020-12) of the JSON report, which is also its documentation.
pub fn report_schema() -> &'static str {
    include_str!("../schema/report.schema.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.as_str().parse::<Format>(), Ok(format));
            assert_eq!(format.to_string(), format.as_str());
        }
        assert_eq!("SARIF".parse::<Format>(), Ok(Format::Sarif));
    }

    #[test]
    fn unknown_format_lists_the_valid_names() {
        let err = "xml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown format `xml` (expected one of: table, json, sarif, junit, markdown)"
        );
    }

    #[test]
    fn report_schema_is_json_for_the_current_version() {
        let schema: serde_json::Value = serde_json::from_str(report_schema()).unwrap();
        assert_eq!(
            schema["properties"]["schema_version"]["const"],
            rampart_core::report::REPORT_SCHEMA_VERSION
        );
    }
}
