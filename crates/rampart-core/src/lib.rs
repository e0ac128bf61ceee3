//! The shared vocabulary of rampart: what a finding is, how it is located and fingerprinted,
//! what a rule says about itself, what a report holds, and how a target becomes a stream of
//! blobs that every scanner reads once.
//!
//! Scanners depend on this crate and on nothing else of rampart's; they never print and never
//! exit. They turn a [`Blob`] into [`RawFinding`]s, and [`engine`] turns those into located,
//! fingerprinted, suppressed and deduplicated [`Finding`]s.

pub mod baseline;
pub mod cache;
pub mod compliance;
pub mod config;
pub mod date;
pub mod diagnostic;
pub mod engine;
pub mod exception;
pub mod finding;
pub mod fingerprint;
pub mod lines;
pub mod priority;
pub mod redact;
pub mod report;
pub mod rule;
pub mod scanner;
pub mod severity;
pub mod suppress;
pub mod walk;

pub use diagnostic::{Diagnostic, DiagnosticLevel};
pub use engine::{Accumulator, Engine, EngineOptions, SourceItem};
pub use finding::{Commit, Cvss, Epss, Finding, Kev, Location, Suppression, Vulnerability};
pub use fingerprint::Fingerprint;
pub use report::{Report, Stats};
pub use rule::{RuleMeta, Taxonomy};
pub use scanner::{Blob, Origin, OwnedBlob, RawFinding, Scanner};
pub use severity::{Confidence, Severity};

/// The name and version every report and output format carries.
pub const TOOL_NAME: &str = "rampart";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const TOOL_URI: &str = "https://github.com/rampart-sec/rampart";
