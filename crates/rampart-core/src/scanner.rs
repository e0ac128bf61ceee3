use std::ops::Range;

use crate::finding::Commit;
use crate::rule::RuleMeta;

/// Where a blob came from. Every target (a directory, stdin, git history, the staged index)
/// becomes a stream of blobs, so a scanner never knows or cares which one it is reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Origin {
    /// A file in the working tree (or any directory).
    #[default]
    File,
    /// A file read from disk at this path by a directory walk: scanners that follow
    /// references to sibling files (`-r` includes, parent POMs) read them from beside it,
    /// through [`crate::cache::read_input`].
    Disk(std::path::PathBuf),
    /// Standard input.
    Stdin,
    /// A blob in git history, with the commit that first introduced it.
    Commit(Commit),
    /// A blob staged in the git index, not yet committed.
    Staged,
}

impl Origin {
    /// The directory a file read from disk is in.
    pub fn directory(&self) -> Option<&std::path::Path> {
        match self {
            Origin::Disk(p) => p.parent(),
            _ => None,
        }
    }

    pub fn commit(&self) -> Option<&Commit> {
        match self {
            Origin::Commit(c) => Some(c),
            _ => None,
        }
    }
}

/// One unit of content to scan: its path relative to the target (forward slashes), where it
/// came from, and its bytes. Read once, handed to every scanner.
#[derive(Debug, Clone, Copy)]
pub struct Blob<'a> {
    pub path: &'a str,
    pub origin: &'a Origin,
    pub bytes: &'a [u8],
}

/// An owned [`Blob`], for sources that produce content on one thread and scan it on others.
#[derive(Debug, Clone)]
pub struct OwnedBlob {
    pub path: String,
    pub origin: Origin,
    pub bytes: Vec<u8>,
}

impl OwnedBlob {
    pub fn as_blob(&self) -> Blob<'_> {
        Blob {
            path: &self.path,
            origin: &self.origin,
            bytes: &self.bytes,
        }
    }
}

/// What a scanner reports: which rule matched and where, in byte offsets of the blob. The
/// engine turns it into a located, fingerprinted, redacted [`crate::Finding`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RawFinding {
    pub rule_id: String,
    /// The bytes of the blob the finding points at.
    pub span: Range<usize>,
    /// A sensitive value (a credential): it identifies the finding wherever it appears, is
    /// redacted in every output, and makes the finding one finding however many places it is in.
    /// It may differ from the span's text, e.g. when it was found inside base64.
    pub secret: Option<String>,
    /// The part of the blob to mask in snippets; defaults to `span` when a secret is present.
    pub redact: Option<Range<usize>>,
    /// A message specific to this match; the rule title is used when absent.
    pub message: Option<String>,
    /// Something about this place in particular, e.g. that the secret was base64-encoded.
    pub note: Option<String>,
    /// The severity of this finding when it is not the rule's (a vulnerability's CVSS score).
    pub severity: Option<crate::Severity>,
    /// What makes this finding itself, for its fingerprint, when the matched text alone does
    /// not (two advisories against the same lockfile line are two findings).
    pub identity: Option<String>,
    /// For a vulnerable dependency, the package and vulnerability as data.
    pub vulnerability: Option<crate::finding::Vulnerability>,
    /// Byte offsets of the first lines of the constructs that enclose the finding (a resource
    /// block, a manifest, a pipeline job), outermost first: a suppression comment on such a
    /// line, or on the line above it, applies to the finding as it does on the finding's line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<usize>,
}

impl RawFinding {
    pub fn new(rule_id: impl Into<String>, span: Range<usize>) -> Self {
        RawFinding {
            rule_id: rule_id.into(),
            span,
            secret: None,
            redact: None,
            message: None,
            note: None,
            severity: None,
            identity: None,
            vulnerability: None,
            scopes: Vec::new(),
        }
    }

    /// The constructs enclosing the finding, by the byte offset of their first line
    /// (see [`RawFinding::scopes`]).
    pub fn with_scopes(mut self, scopes: Vec<usize>) -> Self {
        self.scopes = scopes;
        self
    }

    pub fn with_vulnerability(mut self, v: crate::finding::Vulnerability) -> Self {
        self.vulnerability = Some(v);
        self
    }

    pub fn with_secret(mut self, secret: impl Into<String>, redact: Range<usize>) -> Self {
        self.secret = Some(secret.into());
        self.redact = Some(redact);
        self
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn with_severity(mut self, severity: crate::Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    pub fn with_identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// A scanner reads blobs and reports raw findings. It never prints, never exits, and never
/// fails the run: content it cannot understand is simply not a finding (or, for scanners that
/// parse, a [`crate::Diagnostic`] through [`Scanner::scan`]'s diagnostics vector).
pub trait Scanner: Send + Sync {
    /// Short name used on the command line and in reports: `secrets`, `deps`, `iac`.
    fn name(&self) -> &'static str;

    /// Every rule this scanner can report, with its documentation.
    fn rules(&self) -> &[RuleMeta];

    /// Whether the scanner wants this path at all (cheap, before the file is read).
    fn wants(&self, _path: &str) -> bool {
        true
    }

    /// Scan one blob, appending findings and diagnostics.
    fn scan(
        &self,
        blob: &Blob<'_>,
        findings: &mut Vec<RawFinding>,
        diagnostics: &mut Vec<crate::Diagnostic>,
    );

    /// For a scanner whose results depend only on a blob's path and bytes and on data it can
    /// name (its version, a database's identity): that name. The engine may then answer a
    /// blob it has seen before from the result cache (see [`crate::cache`]) instead of calling
    /// [`Scanner::scan`]. `None`, the default, never caches.
    fn cache_key(&self) -> Option<String> {
        None
    }
}

/// A shared scanner is a scanner, so a caller can keep a handle on one it gives the engine
/// (to read what it collected afterwards).
impl<S: Scanner + ?Sized> Scanner for std::sync::Arc<S> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn rules(&self) -> &[RuleMeta] {
        (**self).rules()
    }

    fn wants(&self, path: &str) -> bool {
        (**self).wants(path)
    }

    fn scan(
        &self,
        blob: &Blob<'_>,
        findings: &mut Vec<RawFinding>,
        diagnostics: &mut Vec<crate::Diagnostic>,
    ) {
        (**self).scan(blob, findings, diagnostics)
    }

    fn cache_key(&self) -> Option<String> {
        (**self).cache_key()
    }
}
