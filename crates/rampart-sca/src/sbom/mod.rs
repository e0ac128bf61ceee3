//! SBOMs in and out: CycloneDX 1.5 and SPDX 2.3 JSON documents of the packages a scan found,
//! and the packages of an SBOM someone else wrote (CycloneDX 1.2–1.6, SPDX 2.2/2.3), read
//! through their purls so they can be matched like a lockfile's.
//!
//! Writing is deterministic: the same components and metadata give the same bytes, so an SBOM
//! can be committed, diffed and signed. Identifiers that must look unique (the CycloneDX serial
//! number, the SPDX namespace) are derived from a hash of the content, and no clock is read:
//! the timestamp is whatever the caller passes. Reading treats the document as hostile:
//! malformed JSON, wrong types or unknown purls are a [`SbomError`], never a panic.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::ecosystem::Ecosystem;
use crate::lockfile::Package;
use crate::purl::{self, PurlError};

pub mod cyclonedx;
pub mod spdx;

/// A package and the lockfile (a path relative to the scanned root) it was found in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Component {
    pub package: Package,
    /// Empty when an SBOM read back does not say.
    pub lockfile: String,
}

/// What an SBOM says about the whole document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SbomMeta {
    /// The name of the scanned project, the SBOM's root component.
    pub project: String,
    /// An RFC 3339 time for the document; `None` leaves it out where the format allows.
    pub timestamp: Option<String>,
}

/// The SBOM formats rampart reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomFormat {
    CycloneDx,
    Spdx,
}

impl FromStr for SbomFormat {
    type Err = SbomError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cyclonedx" => Ok(SbomFormat::CycloneDx),
            "spdx" => Ok(SbomFormat::Spdx),
            _ => Err(SbomError::UnknownFormatName(s.to_string())),
        }
    }
}

impl fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SbomFormat::CycloneDx => "cyclonedx",
            SbomFormat::Spdx => "spdx",
        })
    }
}

/// Why an SBOM could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SbomError {
    #[error("the SBOM is not valid JSON: {0}")]
    Json(String),
    #[error("not a CycloneDX or SPDX JSON document (no `bomFormat` or `spdxVersion`)")]
    UnknownDocument,
    #[error("unknown SBOM format `{0}` (expected `cyclonedx` or `spdx`)")]
    UnknownFormatName(String),
    #[error("unsupported {format} version `{version}`")]
    UnsupportedVersion {
        format: &'static str,
        version: String,
    },
    #[error("malformed SBOM at {path}: {message}")]
    Malformed { path: String, message: String },
    #[error("{path}: {source}")]
    Purl {
        path: String,
        #[source]
        source: PurlError,
    },
}

impl SbomError {
    pub(crate) fn malformed(path: impl Into<String>, message: impl Into<String>) -> Self {
        SbomError::Malformed {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Writes `components` in `format`.
pub fn write(format: SbomFormat, components: &[Component], meta: &SbomMeta) -> String {
    match format {
        SbomFormat::CycloneDx => cyclonedx::write(components, meta),
        SbomFormat::Spdx => spdx::write(components, meta),
    }
}

/// Reads the components of a CycloneDX or SPDX JSON document, whichever it is.
pub fn read_any(text: &str) -> Result<Vec<Component>, SbomError> {
    let doc = parse_json(text)?;
    if doc.get("bomFormat").is_some() {
        cyclonedx::read_value(&doc)
    } else if doc.get("spdxVersion").is_some() {
        spdx::read_value(&doc)
    } else {
        Err(SbomError::UnknownDocument)
    }
}

/// Parses JSON. serde_json refuses nesting deeper than 128 levels, which bounds every
/// recursive walk over the document too.
pub(crate) fn parse_json(text: &str) -> Result<Value, SbomError> {
    serde_json::from_str(text).map_err(|e| SbomError::Json(e.to_string()))
}

/// The package a purl names, spelled as the SBOM's own `name` spells it when that spelling
/// gives the same purl (a purl normalises PyPI and lower-cases Composer names; the lockfile's
/// spelling is the better one to report).
pub(crate) fn package_from_purl(
    text: &str,
    spelled: Option<String>,
    fallback_version: Option<&str>,
    path: &str,
) -> Result<Package, SbomError> {
    let (ecosystem, name, version) = purl::parse(text).map_err(|source| SbomError::Purl {
        path: path.to_string(),
        source,
    })?;
    let version = match (version.is_empty(), fallback_version) {
        (true, Some(v)) => v.to_string(),
        _ => version,
    };
    let name = match spelled {
        Some(s) if s != name && same_purl(ecosystem, &s, &name, &version) => s,
        _ => name,
    };
    Ok(Package::new(ecosystem, name, version, 0))
}

fn same_purl(ecosystem: Ecosystem, a: &str, b: &str, version: &str) -> bool {
    purl::purl(ecosystem, a, version) == purl::purl(ecosystem, b, version)
}

/// Whether a purl names a package type rampart knows; SBOMs also list files, operating
/// systems and packages of ecosystems rampart cannot match, which a reader skips.
pub(crate) fn is_unsupported(err: &PurlError) -> bool {
    matches!(
        err,
        PurlError::UnknownType(_) | PurlError::UnknownNamespace { .. }
    )
}

/// Keeps only `[A-Za-z0-9.-]`, the characters an SPDX identifier may hold.
pub(crate) fn sanitize_id(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
