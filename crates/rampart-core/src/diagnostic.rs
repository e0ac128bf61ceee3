use std::fmt;

use serde::{Deserialize, Serialize};

/// Something the run could not do, said where it happened. A diagnostic never stops the scan:
/// the file it names is skipped or partly read and every other file is still scanned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    pub level: DiagnosticLevel,
    /// The file concerned, relative to the target where possible; empty for the run as a whole.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    /// The scan is complete but something was passed over on purpose (a binary, a huge file).
    Note,
    /// Part of the target could not be scanned (unreadable file, bad encoding, corrupt object).
    Warning,
    /// The run could not do what was asked (bad rule, corrupt repository).
    Error,
}

impl Diagnostic {
    pub fn new(
        level: DiagnosticLevel,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level,
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(DiagnosticLevel::Warning, path, message)
    }

    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(DiagnosticLevel::Error, path, message)
    }

    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }
}

impl fmt::Display for DiagnosticLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiagnosticLevel::Note => "note",
            DiagnosticLevel::Warning => "warning",
            DiagnosticLevel::Error => "error",
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.level)?;
        if !self.path.is_empty() {
            f.write_str(&self.path)?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}
