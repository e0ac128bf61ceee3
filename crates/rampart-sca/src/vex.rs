//! VEX (Vulnerability Exploitability eXchange) documents: statements by a product's authors that
//! a vulnerability does or does not affect a package, so a finding the authors have analysed
//! as `not_affected` can be suppressed with their justification shown instead.
//!
//! Two formats are read, recognised by their content:
//!
//! * OpenVEX (<https://github.com/openvex/spec>), v0.2.0 (`@context`
//!   `https://openvex.dev/ns/v0.2.0`) and the earlier drafts (`https://openvex.dev/ns`), where a
//!   vulnerability may be a plain string and products and subcomponents plain purls.
//! * CycloneDX VEX (JSON, `specVersion` 1.4 to 1.7): `vulnerabilities[]` with an `analysis`, the
//!   affected components named by `affects[].ref`, either a `bom-ref` of the document's own
//!   (possibly nested) `components`, a purl, or a BOM-Link (`urn:cdx:serial/version#bom-ref`).
//!
//! rampart scans a project's dependencies, so a statement applies to a finding when it names the
//! dependency's purl: as an OpenVEX product, as an OpenVEX subcomponent (a statement "product P
//! is not affected by the vulnerability in its subcomponent S" covers S wherever it is found),
//! or as a CycloneDX affected component.
//!
//! Documents are hostile input: malformed JSON, unknown formats and fields of the wrong type
//! are a [`VexError`] naming the file (and, for JSON, the line and column), never a panic.
//! Problems that do not make the document unusable (a reference that cannot be resolved, a
//! product without a purl, an unknown justification) are kept as [`VexDiagnostic`]s.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::ecosystem::Ecosystem;

/// The largest VEX document read. An SBOM with embedded vulnerabilities may be large, but a
/// document beyond this is not one a person or a tool meant as VEX.
pub const MAX_DOCUMENT: usize = 128 << 20;

/// Diagnostics kept per document; past this only their number is reported.
const MAX_DIAGNOSTICS: usize = 100;

/// Why a document could not be read as VEX.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VexError {
    #[error("{source_name}: not valid JSON (line {line}, column {column}): {message}")]
    Json {
        source_name: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{source_name}: not an OpenVEX or CycloneDX VEX document: {reason}")]
    UnknownFormat { source_name: String, reason: String },
    #[error("{source_name}: unsupported {format} version `{version}`")]
    UnsupportedVersion {
        source_name: String,
        format: &'static str,
        version: String,
    },
    #[error("{source_name}: malformed {format} document at {path}: {message}")]
    Malformed {
        source_name: String,
        format: &'static str,
        path: String,
        message: String,
    },
    #[error("{source_name}: {size} bytes is more than a VEX document may have ({limit} bytes)")]
    TooLarge {
        source_name: String,
        size: usize,
        limit: usize,
    },
}

/// The VEX formats rampart reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexFormat {
    OpenVex,
    CycloneDx,
}

impl VexFormat {
    pub fn name(self) -> &'static str {
        match self {
            VexFormat::OpenVex => "OpenVEX",
            VexFormat::CycloneDx => "CycloneDX",
        }
    }
}

impl fmt::Display for VexFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The status a statement gives a vulnerability in its products: OpenVEX's four labels and
/// CycloneDX's six `analysis.state` values (`not_affected` is shared).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VexStatus {
    /// OpenVEX and CycloneDX: the product is not affected.
    NotAffected,
    /// OpenVEX: the product is affected.
    Affected,
    /// OpenVEX: the product contains a fix.
    Fixed,
    /// OpenVEX: the authors do not know yet.
    UnderInvestigation,
    /// CycloneDX: the finding is wrong.
    FalsePositive,
    /// CycloneDX: the vulnerability has been remediated.
    Resolved,
    /// CycloneDX: remediated, with pedigree recording how.
    ResolvedWithPedigree,
    /// CycloneDX: the product is affected and the vulnerability can be exploited.
    Exploitable,
    /// CycloneDX: under analysis.
    InTriage,
}

impl VexStatus {
    /// The label as the format spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
            VexStatus::FalsePositive => "false_positive",
            VexStatus::Resolved => "resolved",
            VexStatus::ResolvedWithPedigree => "resolved_with_pedigree",
            VexStatus::Exploitable => "exploitable",
            VexStatus::InTriage => "in_triage",
        }
    }

    /// Whether a finding this status is the latest word on is suppressed: only `not_affected`
    /// and CycloneDX's `false_positive`.
    pub fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::FalsePositive)
    }

    fn openvex(s: &str) -> Option<VexStatus> {
        Some(match s {
            "not_affected" => VexStatus::NotAffected,
            "affected" => VexStatus::Affected,
            "fixed" => VexStatus::Fixed,
            "under_investigation" => VexStatus::UnderInvestigation,
            _ => return None,
        })
    }

    fn cyclonedx(s: &str) -> Option<VexStatus> {
        Some(match s {
            "not_affected" => VexStatus::NotAffected,
            "false_positive" => VexStatus::FalsePositive,
            "resolved" => VexStatus::Resolved,
            "resolved_with_pedigree" => VexStatus::ResolvedWithPedigree,
            "exploitable" => VexStatus::Exploitable,
            "in_triage" => VexStatus::InTriage,
            _ => return None,
        })
    }
}

impl fmt::Display for VexStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const OPENVEX_JUSTIFICATIONS: [&str; 5] = [
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

const CYCLONEDX_JUSTIFICATIONS: [&str; 9] = [
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];

/// One statement: a vulnerability's status in a set of packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    /// The vulnerability's main id (OpenVEX `vulnerability.name`, CycloneDX `id`).
    pub vulnerability: String,
    /// Other ids of the same vulnerability (OpenVEX `aliases`, CycloneDX `references[].id`).
    pub aliases: Vec<String>,
    /// The purls the statement covers: OpenVEX products and their subcomponents, CycloneDX
    /// affected components.
    pub products: Vec<String>,
    /// CycloneDX `affects[].ref` values that name no purl rampart could find; the statement
    /// does not apply to them.
    pub unresolved: Vec<String>,
    pub status: VexStatus,
    /// The machine-readable justification label, as the document spells it.
    pub justification: Option<String>,
    /// Free text on why (OpenVEX `impact_statement`, CycloneDX `analysis.detail`).
    pub detail: Option<String>,
    /// What to do about it (OpenVEX `action_statement`, CycloneDX `analysis.response[]`).
    pub action: Option<String>,
    /// The name of the document the statement comes from.
    pub source: String,
    /// When the statement was made (its own timestamp, else its document's), as written.
    pub timestamp: Option<String>,
}

impl VexStatement {
    /// Every id the statement names: the vulnerability, then its aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.vulnerability.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// A one-line human-readable account, e.g. `not_affected:
    /// vulnerable_code_not_in_execute_path — the parser is never called (openvex.json)`.
    /// Control characters a document might carry are replaced, and runs of white space
    /// collapse to one space, so the text is safe to print to a terminal.
    pub fn reason(&self) -> String {
        let mut out = self.status.as_str().to_string();
        if let Some(j) = self
            .justification
            .as_deref()
            .map(clean)
            .filter(|j| !j.is_empty())
        {
            out.push_str(": ");
            out.push_str(&j);
        }
        if let Some(d) = self.detail.as_deref().map(clean).filter(|d| !d.is_empty()) {
            out.push_str(" — ");
            out.push_str(&d);
        }
        out.push_str(" (");
        out.push_str(&clean(&self.source));
        out.push(')');
        out
    }
}

/// Text with control characters replaced and white space collapsed.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Something in a document that rampart could not use but that does not make the document
/// unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexDiagnostic {
    /// Where in the document, as a JSON path (`$.statements[2].products[0]`).
    pub path: String,
    pub message: String,
}

impl fmt::Display for VexDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A parsed VEX document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexDocument {
    /// The name the document was read under (a file name).
    pub source: String,
    pub format: VexFormat,
    /// OpenVEX `author`; CycloneDX `metadata.authors[0].name` or `metadata.manufacturer.name`.
    pub author: Option<String>,
    /// The document's own timestamp.
    pub timestamp: Option<String>,
    pub statements: Vec<VexStatement>,
    /// Non-fatal problems: at most a hundred, then one that counts the rest.
    pub diagnostics: Vec<VexDiagnostic>,
}

/// Collects diagnostics up to a bound.
struct Diagnostics {
    kept: Vec<VexDiagnostic>,
    dropped: usize,
}

impl Diagnostics {
    fn new() -> Self {
        Diagnostics {
            kept: Vec::new(),
            dropped: 0,
        }
    }

    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        if self.kept.len() < MAX_DIAGNOSTICS {
            self.kept.push(VexDiagnostic {
                path: path.into(),
                message: message.into(),
            });
        } else {
            self.dropped += 1;
        }
    }

    fn finish(mut self) -> Vec<VexDiagnostic> {
        if self.dropped > 0 {
            self.kept.push(VexDiagnostic {
                path: "$".into(),
                message: format!("{} more diagnostics not shown", self.dropped),
            });
        }
        self.kept
    }
}

/// Reads a VEX document, OpenVEX or CycloneDX, whichever its content says it is.
/// `source_name` names it in errors, diagnostics and every statement's [`VexStatement::source`].
pub fn parse(source_name: &str, bytes: &[u8]) -> Result<VexDocument, VexError> {
    if bytes.len() > MAX_DOCUMENT {
        return Err(VexError::TooLarge {
            source_name: source_name.to_string(),
            size: bytes.len(),
            limit: MAX_DOCUMENT,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // serde_json refuses nesting deeper than 128 levels, which bounds every recursive walk
    // below as well.
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| json_error(source_name, &e))?;
    let unknown = |reason: &str| VexError::UnknownFormat {
        source_name: source_name.to_string(),
        reason: reason.to_string(),
    };
    let Some(obj) = doc.as_object() else {
        return Err(unknown("the top-level value is not a JSON object"));
    };
    if is_openvex(obj) {
        return Parser::new(source_name, VexFormat::OpenVex).openvex(obj);
    }
    if let Some(format) = obj.get("bomFormat") {
        if format.as_str() != Some("CycloneDX") {
            return Err(unknown("`bomFormat` is not \"CycloneDX\""));
        }
        return Parser::new(source_name, VexFormat::CycloneDx).cyclonedx(obj);
    }
    if obj
        .get("document")
        .and_then(|d| d.get("csaf_version"))
        .is_some()
    {
        return Err(unknown("CSAF documents are not supported"));
    }
    Err(unknown(
        "no `@context` naming https://openvex.dev/ns and no `bomFormat`",
    ))
}

fn json_error(source_name: &str, e: &serde_json::Error) -> VexError {
    let (line, column) = (e.line(), e.column());
    let text = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
    VexError::Json {
        source_name: source_name.to_string(),
        line,
        column,
        message,
    }
}

fn is_openvex(obj: &Map<String, Value>) -> bool {
    let names_openvex = |v: &Value| {
        v.as_str().is_some_and(|s| {
            let s = s.trim().to_ascii_lowercase();
            s.starts_with("https://openvex.dev/ns") || s.starts_with("http://openvex.dev/ns")
        })
    };
    match obj.get("@context") {
        Some(Value::Array(items)) => items.iter().any(names_openvex),
        Some(v) => names_openvex(v),
        None => false,
    }
}

/// The reader of one document: its name and format for errors, and the diagnostics so far.
struct Parser<'a> {
    source: &'a str,
    format: VexFormat,
    diagnostics: Diagnostics,
}

impl<'a> Parser<'a> {
    fn new(source: &'a str, format: VexFormat) -> Self {
        Parser {
            source,
            format,
            diagnostics: Diagnostics::new(),
        }
    }

    fn malformed(&self, path: &str, message: &str) -> VexError {
        VexError::Malformed {
            source_name: self.source.to_string(),
            format: self.format.name(),
            path: path.to_string(),
            message: message.to_string(),
        }
    }

    /// An optional string field: absent and `null` are `None`, anything but a string is an
    /// error.
    fn string<'v>(
        &self,
        obj: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<&'v str>, VexError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.malformed(&format!("{path}.{key}"), "expected a string")),
        }
    }

    /// An optional array field: absent and `null` are empty.
    fn array<'v>(
        &self,
        obj: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<&'v [Value], VexError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(self.malformed(&format!("{path}.{key}"), "expected an array")),
        }
    }

    fn object<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Map<String, Value>, VexError> {
        v.as_object()
            .ok_or_else(|| self.malformed(path, "expected an object"))
    }

    fn check_timestamp(&mut self, ts: Option<&str>, path: &str) {
        if let Some(ts) = ts {
            if parse_time(ts).is_none() {
                self.diagnostics.push(
                    path,
                    format!("`{ts}` is not an RFC 3339 time; the statement counts as the oldest"),
                );
            }
        }
    }

    fn check_justification(&mut self, j: Option<&str>, path: &str) {
        let known: &[&str] = match self.format {
            VexFormat::OpenVex => &OPENVEX_JUSTIFICATIONS,
            VexFormat::CycloneDx => &CYCLONEDX_JUSTIFICATIONS,
        };
        if let Some(j) = j {
            if !known.contains(&j) {
                self.diagnostics.push(
                    path,
                    format!("`{j}` is not a {} justification", self.format.name()),
                );
            }
        }
    }

    // ---- OpenVEX ----

    fn openvex(mut self, doc: &Map<String, Value>) -> Result<VexDocument, VexError> {
        let author = self.string(doc, "author", "$")?.map(str::to_string);
        let timestamp = self.string(doc, "timestamp", "$")?.map(str::to_string);
        self.check_timestamp(timestamp.as_deref(), "$.timestamp");
        let statements = match doc.get("statements") {
            Some(Value::Array(a)) => a.as_slice(),
            None | Some(Value::Null) => {
                return Err(self.malformed("$.statements", "missing"));
            }
            Some(_) => return Err(self.malformed("$.statements", "expected an array")),
        };
        let mut out = Vec::with_capacity(statements.len());
        for (i, s) in statements.iter().enumerate() {
            let path = format!("$.statements[{i}]");
            let s = self.object(s, &path)?;
            out.push(self.openvex_statement(s, &path, timestamp.as_deref())?);
        }
        Ok(VexDocument {
            source: self.source.to_string(),
            format: VexFormat::OpenVex,
            author,
            timestamp,
            statements: out,
            diagnostics: self.diagnostics.finish(),
        })
    }

    fn openvex_statement(
        &mut self,
        s: &Map<String, Value>,
        path: &str,
        doc_timestamp: Option<&str>,
    ) -> Result<VexStatement, VexError> {
        let (vulnerability, aliases) = match s.get("vulnerability") {
            // Drafts before v0.2.0 named the vulnerability with a plain string.
            Some(Value::String(name)) => (name.trim().to_string(), Vec::new()),
            Some(Value::Object(v)) => {
                let vpath = format!("{path}.vulnerability");
                let name = self
                    .string(v, "name", &vpath)?
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| self.malformed(&format!("{vpath}.name"), "missing"))?;
                let mut aliases = Vec::new();
                for (j, a) in self.array(v, "aliases", &vpath)?.iter().enumerate() {
                    let a = a.as_str().ok_or_else(|| {
                        self.malformed(&format!("{vpath}.aliases[{j}]"), "expected a string")
                    })?;
                    if !a.trim().is_empty() {
                        aliases.push(a.trim().to_string());
                    }
                }
                (name.to_string(), aliases)
            }
            None | Some(Value::Null) => {
                return Err(self.malformed(&format!("{path}.vulnerability"), "missing"))
            }
            Some(_) => {
                return Err(self.malformed(
                    &format!("{path}.vulnerability"),
                    "expected an object or a string",
                ))
            }
        };
        if vulnerability.is_empty() {
            return Err(self.malformed(&format!("{path}.vulnerability"), "empty"));
        }
        let status_text = self
            .string(s, "status", path)?
            .ok_or_else(|| self.malformed(&format!("{path}.status"), "missing"))?;
        let status = VexStatus::openvex(status_text).ok_or_else(|| {
            self.malformed(
                &format!("{path}.status"),
                &format!(
                    "`{status_text}` is not one of not_affected, affected, fixed, under_investigation"
                ),
            )
        })?;
        let justification = self.string(s, "justification", path)?.map(str::to_string);
        self.check_justification(justification.as_deref(), &format!("{path}.justification"));
        let detail = self
            .string(s, "impact_statement", path)?
            .map(str::to_string);
        let action = self
            .string(s, "action_statement", path)?
            .map(str::to_string);
        if status == VexStatus::NotAffected && justification.is_none() && detail.is_none() {
            self.diagnostics.push(
                path,
                "a not_affected statement must give a justification or an impact_statement",
            );
        }
        let own_timestamp = self.string(s, "timestamp", path)?;
        self.check_timestamp(own_timestamp, &format!("{path}.timestamp"));
        let timestamp = own_timestamp.or(doc_timestamp).map(str::to_string);

        let mut products = Vec::new();
        for (j, p) in self.array(s, "products", path)?.iter().enumerate() {
            let ppath = format!("{path}.products[{j}]");
            self.openvex_component(p, &ppath, &mut products)?;
            if let Value::Object(p) = p {
                for (k, sub) in self.array(p, "subcomponents", &ppath)?.iter().enumerate() {
                    self.openvex_component(
                        sub,
                        &format!("{ppath}.subcomponents[{k}]"),
                        &mut products,
                    )?;
                }
            }
        }
        // Drafts before v0.2.0 listed subcomponents beside the products.
        for (j, sub) in self.array(s, "subcomponents", path)?.iter().enumerate() {
            self.openvex_component(sub, &format!("{path}.subcomponents[{j}]"), &mut products)?;
        }
        if products.is_empty() {
            self.diagnostics.push(
                path,
                "the statement names no product purl; it applies to nothing",
            );
        }
        dedup(&mut products);
        Ok(VexStatement {
            vulnerability,
            aliases,
            products,
            unresolved: Vec::new(),
            status,
            justification,
            detail,
            action,
            source: self.source.to_string(),
            timestamp,
        })
    }

    /// The purls of one OpenVEX product or subcomponent: its `@id` when that is a purl, and
    /// `identifiers.purl`.
    fn openvex_component(
        &mut self,
        c: &Value,
        path: &str,
        out: &mut Vec<String>,
    ) -> Result<(), VexError> {
        let before = out.len();
        let id = match c {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => {
                let id = self.string(o, "@id", path)?;
                match o.get("identifiers") {
                    None | Some(Value::Null) => {}
                    Some(Value::Object(ids)) => {
                        if let Some(p) = self.string(ids, "purl", &format!("{path}.identifiers"))? {
                            if is_purl(p) {
                                out.push(p.trim().to_string());
                            }
                        }
                    }
                    Some(_) => {
                        return Err(
                            self.malformed(&format!("{path}.identifiers"), "expected an object")
                        )
                    }
                }
                id
            }
            _ => return Err(self.malformed(path, "expected an object or a string")),
        };
        if let Some(id) = id {
            if is_purl(id) {
                out.push(id.trim().to_string());
            }
        }
        if out.len() == before {
            let what = id.map_or(String::new(), |id| format!(" (`{id}`)"));
            self.diagnostics
                .push(path, format!("no purl{what}; rampart cannot match it"));
        }
        Ok(())
    }

    // ---- CycloneDX ----

    fn cyclonedx(mut self, doc: &Map<String, Value>) -> Result<VexDocument, VexError> {
        let version = self
            .string(doc, "specVersion", "$")?
            .ok_or_else(|| self.malformed("$.specVersion", "missing"))?;
        if !matches!(version, "1.4" | "1.5" | "1.6" | "1.7") {
            return Err(VexError::UnsupportedVersion {
                source_name: self.source.to_string(),
                format: "CycloneDX",
                version: version.to_string(),
            });
        }
        let vulnerabilities = match doc.get("vulnerabilities") {
            Some(Value::Array(a)) => a.as_slice(),
            None | Some(Value::Null) => {
                return Err(VexError::UnknownFormat {
                    source_name: self.source.to_string(),
                    reason: "a CycloneDX document without `vulnerabilities` is an SBOM, not VEX"
                        .into(),
                })
            }
            Some(_) => return Err(self.malformed("$.vulnerabilities", "expected an array")),
        };
        let serial = self
            .string(doc, "serialNumber", "$")?
            .map(|s| s.trim().to_ascii_lowercase());
        let serial = serial
            .as_deref()
            .map(|s| s.strip_prefix("urn:uuid:").unwrap_or(s).to_string());
        let metadata = match doc.get("metadata") {
            None | Some(Value::Null) => None,
            Some(m) => Some(self.object(m, "$.metadata")?),
        };
        let timestamp = match metadata {
            Some(m) => self
                .string(m, "timestamp", "$.metadata")?
                .map(str::to_string),
            None => None,
        };
        self.check_timestamp(timestamp.as_deref(), "$.metadata.timestamp");
        let author = metadata.and_then(cyclonedx_author);

        let mut refs: HashMap<String, Option<String>> = HashMap::new();
        if let Some(root) = metadata.and_then(|m| m.get("component")) {
            self.collect_refs(
                std::slice::from_ref(root),
                "$.metadata.component",
                &mut refs,
            )?;
        }
        if let Some(components) = doc.get("components") {
            let components = components
                .as_array()
                .ok_or_else(|| self.malformed("$.components", "expected an array"))?;
            self.collect_refs(components, "$.components", &mut refs)?;
        }

        let mut statements = Vec::with_capacity(vulnerabilities.len());
        for (i, v) in vulnerabilities.iter().enumerate() {
            let path = format!("$.vulnerabilities[{i}]");
            let v = self.object(v, &path)?;
            if let Some(s) =
                self.cyclonedx_statement(v, &path, &refs, serial.as_deref(), timestamp.as_deref())?
            {
                statements.push(s);
            }
        }
        Ok(VexDocument {
            source: self.source.to_string(),
            format: VexFormat::CycloneDx,
            author,
            timestamp,
            statements,
            diagnostics: self.diagnostics.finish(),
        })
    }

    /// Maps every `bom-ref` of `components` and their nested components to the component's
    /// purl (`None` when it has none). The first component with a reference keeps it.
    fn collect_refs(
        &mut self,
        components: &[Value],
        path: &str,
        refs: &mut HashMap<String, Option<String>>,
    ) -> Result<(), VexError> {
        for (i, c) in components.iter().enumerate() {
            let here = if path == "$.metadata.component" {
                path.to_string()
            } else {
                format!("{path}[{i}]")
            };
            let c = self.object(c, &here)?;
            let purl = self.string(c, "purl", &here)?;
            if let Some(r) = self.string(c, "bom-ref", &here)? {
                refs.entry(r.to_string())
                    .or_insert_with(|| purl.map(|p| p.trim().to_string()));
            }
            if let Some(nested) = c.get("components") {
                let nested = nested.as_array().ok_or_else(|| {
                    self.malformed(&format!("{here}.components"), "expected an array")
                })?;
                self.collect_refs(nested, &format!("{here}.components"), refs)?;
            }
        }
        Ok(())
    }

    fn cyclonedx_statement(
        &mut self,
        v: &Map<String, Value>,
        path: &str,
        refs: &HashMap<String, Option<String>>,
        serial: Option<&str>,
        doc_timestamp: Option<&str>,
    ) -> Result<Option<VexStatement>, VexError> {
        let id = self
            .string(v, "id", path)?
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let mut aliases = Vec::new();
        for (j, r) in self.array(v, "references", path)?.iter().enumerate() {
            let rpath = format!("{path}.references[{j}]");
            let r = self.object(r, &rpath)?;
            if let Some(a) = self.string(r, "id", &rpath)?.map(str::trim) {
                if !a.is_empty() && Some(a) != id && !aliases.iter().any(|x| x == a) {
                    aliases.push(a.to_string());
                }
            }
        }
        let vulnerability = match id {
            Some(id) => id.to_string(),
            None if !aliases.is_empty() => aliases.remove(0),
            None => {
                self.diagnostics
                    .push(path, "the vulnerability has no id; it is ignored");
                return Ok(None);
            }
        };
        let analysis = match v.get("analysis") {
            None | Some(Value::Null) => None,
            Some(a) => Some(self.object(a, &format!("{path}.analysis"))?),
        };
        let apath = format!("{path}.analysis");
        let state = match analysis {
            Some(a) => self.string(a, "state", &apath)?,
            None => None,
        };
        let Some(state) = state else {
            self.diagnostics.push(
                path,
                format!("`{vulnerability}` has no analysis.state; it says nothing as VEX"),
            );
            return Ok(None);
        };
        let status = VexStatus::cyclonedx(state).ok_or_else(|| {
            self.malformed(
                &format!("{apath}.state"),
                &format!("`{state}` is not a CycloneDX impact analysis state"),
            )
        })?;
        let (mut justification, mut detail, mut action, mut own_timestamp) =
            (None, None, None, None);
        if let Some(a) = analysis {
            justification = self.string(a, "justification", &apath)?.map(str::to_string);
            detail = self.string(a, "detail", &apath)?.map(str::to_string);
            let mut responses = Vec::new();
            for (j, r) in self.array(a, "response", &apath)?.iter().enumerate() {
                let r = r.as_str().ok_or_else(|| {
                    self.malformed(&format!("{apath}.response[{j}]"), "expected a string")
                })?;
                responses.push(r);
            }
            if !responses.is_empty() {
                action = Some(responses.join(", "));
            }
            let last = self.string(a, "lastUpdated", &apath)?;
            let first = self.string(a, "firstIssued", &apath)?;
            self.check_timestamp(last, &format!("{apath}.lastUpdated"));
            self.check_timestamp(first, &format!("{apath}.firstIssued"));
            own_timestamp = last.or(first);
        }
        self.check_justification(justification.as_deref(), &format!("{apath}.justification"));
        let timestamp = own_timestamp.or(doc_timestamp).map(str::to_string);

        let mut products = Vec::new();
        let mut unresolved = Vec::new();
        for (j, a) in self.array(v, "affects", path)?.iter().enumerate() {
            let fpath = format!("{path}.affects[{j}]");
            let a = self.object(a, &fpath)?;
            let Some(r) = self.string(a, "ref", &fpath)?.map(str::trim) else {
                return Err(self.malformed(&format!("{fpath}.ref"), "missing"));
            };
            match resolve_ref(r, refs, serial) {
                Ok(purl) => products.push(purl),
                Err(why) => {
                    self.diagnostics
                        .push(format!("{fpath}.ref"), format!("`{r}`: {why}"));
                    unresolved.push(r.to_string());
                }
            }
        }
        if products.is_empty() && unresolved.is_empty() {
            self.diagnostics.push(
                path,
                "the vulnerability affects nothing; it applies to nothing",
            );
        }
        dedup(&mut products);
        Ok(Some(VexStatement {
            vulnerability,
            aliases,
            products,
            unresolved,
            status,
            justification,
            detail,
            action,
            source: self.source.to_string(),
            timestamp,
        }))
    }
}

/// The document's author: the first named author, else the manufacturer or supplier.
fn cyclonedx_author(metadata: &Map<String, Value>) -> Option<String> {
    let named = |v: &Value| {
        v.get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    metadata
        .get("authors")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find_map(named))
        .or_else(|| metadata.get("manufacturer").and_then(named))
        .or_else(|| metadata.get("supplier").and_then(named))
}

/// The purl an `affects[].ref` names, or why it names none.
fn resolve_ref(
    r: &str,
    refs: &HashMap<String, Option<String>>,
    serial: Option<&str>,
) -> Result<String, String> {
    if let Some(found) = refs.get(r) {
        return match found {
            Some(purl) if is_purl(purl) => Ok(purl.clone()),
            _ => Err("the component it names has no purl".into()),
        };
    }
    if is_purl(r) {
        return Ok(r.to_string());
    }
    if let Some(rest) = r
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("urn:cdx:"))
        .and_then(|_| r.get(8..))
    {
        // BOM-Link: urn:cdx:<serial number>/<version>#<percent-encoded bom-ref>
        let Some((bom, fragment)) = rest.split_once('#') else {
            return Err("a BOM-Link to a whole BOM names no component".into());
        };
        let bom_ref = decode(fragment).ok_or("the BOM-Link's bom-ref is badly encoded")?;
        let link_serial = bom.split('/').next().unwrap_or(bom).to_ascii_lowercase();
        if serial == Some(link_serial.as_str()) {
            if let Some(Some(purl)) = refs.get(&bom_ref) {
                if is_purl(purl) {
                    return Ok(purl.clone());
                }
            }
        }
        // Most tools use the purl as the bom-ref, which names the package wherever the
        // component is.
        if is_purl(&bom_ref) {
            return Ok(bom_ref);
        }
        return Err("a BOM-Link into another BOM that this document cannot resolve".into());
    }
    Err("no component of this document has that bom-ref, and it is not a purl".into())
}

fn is_purl(s: &str) -> bool {
    purl_key(s).is_some()
}

fn dedup(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

// ---- Matching ----

/// The parts of a purl a statement is matched on, normalised per type.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PurlKey {
    kind: String,
    namespace: String,
    name: String,
    /// Empty when the purl has no version.
    version: String,
}

/// Splits and normalises a purl: the type is lower-cased, names compare as their ecosystem
/// compares them (PyPI per PEP 503, Cargo ignoring case and `-`/`_`, NuGet and Composer
/// ignoring case), a Go version loses its leading `v`; qualifiers and subpath are dropped.
/// `None` for anything that is not a purl.
fn purl_key(s: &str) -> Option<PurlKey> {
    let text = s.trim();
    let rest = match text.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("pkg:") => &text[4..],
        _ => return None,
    };
    let rest = rest.trim_start_matches('/');
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
    let (kind, path) = rest.split_once('/')?;
    if kind.is_empty()
        || !kind
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return None;
    }
    let kind = kind.to_ascii_lowercase();
    let mut segments: Vec<&str> = path.split('/').filter(|seg| !seg.is_empty()).collect();
    let last = segments.pop()?;
    let (name, version) = last.rsplit_once('@').unwrap_or((last, ""));
    let mut name = decode(name)?;
    let mut version = decode(version)?;
    if name.is_empty() {
        return None;
    }
    let mut namespace = segments
        .iter()
        .map(|seg| decode(seg))
        .collect::<Option<Vec<_>>>()?
        .join("/");
    let ecosystem = match kind.as_str() {
        "pypi" => Some(Ecosystem::PyPI),
        "cargo" => Some(Ecosystem::CratesIo),
        "nuget" => Some(Ecosystem::NuGet),
        "composer" => Some(Ecosystem::Packagist),
        _ => None,
    };
    if let Some(e) = ecosystem {
        name = e.normalize_name(&name);
        namespace = e.normalize_name(&namespace);
    }
    match kind.as_str() {
        "golang" => {
            if let Some(v) = version.strip_prefix('v') {
                version = v.to_string();
            }
        }
        "pub" | "hex" => name = name.to_ascii_lowercase(),
        "deb" | "apk" | "rpm" => namespace = namespace.to_ascii_lowercase(),
        _ => {}
    }
    Some(PurlKey {
        kind,
        namespace,
        name,
        version,
    })
}

/// Decodes `%XX` escapes; `None` for a bad escape or bytes that are not UTF-8.
fn decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Whether a statement's product covers a finding's package: same type, namespace and name,
/// and either no product version or the same version.
fn product_covers(product: &PurlKey, finding: &PurlKey) -> bool {
    product.kind == finding.kind
        && product.namespace == finding.namespace
        && product.name == finding.name
        && (product.version.is_empty() || product.version == finding.version)
}

/// A statement with what matching needs, computed once.
#[derive(Debug, Clone)]
struct Indexed {
    statement: VexStatement,
    products: Vec<PurlKey>,
    /// Seconds since the Unix epoch and nanoseconds; `None` (no or an unreadable timestamp)
    /// is older than every time.
    time: Option<(i64, u32)>,
}

/// The statements of several documents, looked up by vulnerability id and package purl.
///
/// When several statements cover the same vulnerability and package, the one with the latest
/// timestamp decides; between equal timestamps the one added last does (a later statement in
/// a document, or a statement of a document added later), as OpenVEX reads a document as a
/// sequence of statements each overriding the ones before.
#[derive(Debug, Clone, Default)]
pub struct VexIndex {
    statements: Vec<Indexed>,
    /// Lower-cased ids (vulnerability and aliases) to positions in `statements`.
    by_id: HashMap<String, Vec<usize>>,
}

impl VexIndex {
    pub fn new() -> Self {
        VexIndex::default()
    }

    /// An index of the statements of `documents`, in order.
    pub fn from_documents<I: IntoIterator<Item = VexDocument>>(documents: I) -> Self {
        let mut index = VexIndex::new();
        for d in documents {
            index.add(d);
        }
        index
    }

    /// Adds a document's statements after those already in the index.
    pub fn add(&mut self, document: VexDocument) {
        for statement in document.statements {
            self.add_statement(statement);
        }
    }

    /// Adds one statement after those already in the index.
    pub fn add_statement(&mut self, statement: VexStatement) {
        let position = self.statements.len();
        let mut ids: Vec<String> = statement
            .ids()
            .map(|id| id.trim().to_lowercase())
            .filter(|id| !id.is_empty())
            .collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            self.by_id.entry(id).or_default().push(position);
        }
        let products = statement
            .products
            .iter()
            .filter_map(|p| purl_key(p))
            .collect();
        let time = statement.timestamp.as_deref().and_then(parse_time);
        self.statements.push(Indexed {
            statement,
            products,
            time,
        });
    }

    pub fn len(&self) -> usize {
        self.statements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Every statement, in the order added.
    pub fn statements(&self) -> impl Iterator<Item = &VexStatement> {
        self.statements.iter().map(|s| &s.statement)
    }

    /// The statement that decides a finding, whatever its status: the latest of those that
    /// name one of `ids` (the finding's advisory id and aliases, compared without regard to
    /// case) and cover `purl` (the finding's package). `None` when no statement applies.
    pub fn decision(&self, ids: &[&str], purl: &str) -> Option<&VexStatement> {
        let finding = purl_key(purl)?;
        let mut candidates: Vec<usize> = ids
            .iter()
            .filter_map(|id| self.by_id.get(&id.trim().to_lowercase()))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter(|&i| {
                self.statements[i]
                    .products
                    .iter()
                    .any(|p| product_covers(p, &finding))
            })
            // Ties go to the later position: `max_by_key` keeps the last maximum.
            .max_by_key(|&i| self.statements[i].time)
            .map(|i| &self.statements[i].statement)
    }

    /// The statement that suppresses a finding: the deciding statement (see
    /// [`VexIndex::decision`]) when it says `not_affected` or `false_positive`. A later
    /// `affected`, `under_investigation`, `exploitable` (or any other status) about the same
    /// vulnerability and package overrides an earlier `not_affected`.
    pub fn not_affected(&self, ids: &[&str], purl: &str) -> Option<&VexStatement> {
        self.decision(ids, purl).filter(|s| s.status.suppresses())
    }
}

// ---- Time ----

/// An RFC 3339 date-time (or a bare date, as midnight UTC) as seconds since the Unix epoch and
/// nanoseconds, so times written with different offsets and precisions compare correctly.
/// A time without an offset is taken as UTC. `None` for anything else.
fn parse_time(s: &str) -> Option<(i64, u32)> {
    let s = s.trim().as_bytes();
    let num = |b: &[u8]| -> Option<i64> {
        if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(b).ok()?.parse().ok()
    };
    let year = num(s.get(0..4)?)?;
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(s.get(5..7)?)?;
    let day = num(s.get(8..10)?)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let rest = s.get(10..)?;
    if rest.is_empty() {
        return Some((days * 86_400, 0));
    }
    if !matches!(rest.first(), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let rest = &rest[1..];
    let hour = num(rest.get(0..2)?)?;
    if rest.get(2) != Some(&b':') {
        return None;
    }
    let minute = num(rest.get(3..5)?)?;
    let mut i = 5;
    let mut second = 0;
    let mut nanos = 0u32;
    if rest.get(5) == Some(&b':') {
        second = num(rest.get(6..8)?)?;
        i = 8;
        if rest.get(8) == Some(&b'.') {
            let digits = rest[9..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let mut scale = 100_000_000u32;
            for d in &rest[9..9 + digits] {
                nanos += u32::from(d - b'0') * scale;
                scale /= 10;
            }
            i = 9 + digits;
        }
    }
    // 60 admits a leap second.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset = match rest.get(i..)? {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let h = num(&[*h1, *h2])?;
            let m = num(&[*m1, *m2])?;
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_compare_across_offsets_and_precisions() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse_time("1970-01-02"), Some((86_400, 0)));
        assert_eq!(
            parse_time("2023-01-08T18:02:03.647787998-06:00"),
            parse_time("2023-01-09T00:02:03.647787998Z")
        );
        assert!(parse_time("2024-03-01T00:00:00+01:00") < parse_time("2024-02-29T23:30:00Z"));
        assert_eq!(
            parse_time("2024-01-01T10:00:00.5Z"),
            Some((1_704_103_200, 500_000_000))
        );
        for bad in [
            "",
            "2024",
            "2024-13-01",
            "2023-02-29",
            "2024-01-01T25:00:00Z",
            "2024-01-01T10:00:00.Z",
            "2024-01-01T10:00:00+0",
            "2024-01-01X10:00:00Z",
            "２０２４-01-01",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn purls_normalise_per_type() {
        let k = |s: &str| purl_key(s).unwrap();
        assert_eq!(
            k("pkg:pypi/Django_REST.framework@3.0").name,
            "django-rest-framework"
        );
        assert_eq!(k("pkg:cargo/Serde_JSON").name, "serde-json");
        assert_eq!(k("pkg:golang/github.com/a/b@v1.2.3").version, "1.2.3");
        assert_eq!(
            k("pkg:golang/github.com/a/b@v1.2.3").namespace,
            "github.com/a"
        );
        assert_eq!(k("PKG:NPM/%40babel/core@7.0.0?x=y#sub").namespace, "@babel");
        assert_eq!(k("pkg:npm/@babel/core@7.0.0").name, "core");
        assert_eq!(k("pkg:composer/Symfony/Console").namespace, "symfony");
        for bad in [
            "",
            "npm/x",
            "pkg:",
            "pkg:npm",
            "pkg:npm/",
            "pkg:npm/a%zz",
            "pkg:/x",
        ] {
            assert_eq!(purl_key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn reason_reads_well_and_is_safe_to_print() {
        let s = VexStatement {
            vulnerability: "CVE-1".into(),
            aliases: vec![],
            products: vec![],
            unresolved: vec![],
            status: VexStatus::NotAffected,
            justification: Some("vulnerable_code_not_in_execute_path".into()),
            detail: Some("never\n called \x1b[31m".into()),
            action: None,
            source: "openvex.json".into(),
            timestamp: None,
        };
        assert_eq!(
            s.reason(),
            "not_affected: vulnerable_code_not_in_execute_path — never called [31m (openvex.json)"
        );
        let bare = VexStatement {
            justification: None,
            detail: None,
            status: VexStatus::FalsePositive,
            ..s
        };
        assert_eq!(bare.reason(), "false_positive (openvex.json)");
    }
}

/// Marks every dependency finding that a VEX statement declares not affecting the product as
/// suppressed, with the statement's justification. Returns how many were.
pub fn apply(findings: &mut [rampart_core::Finding], index: &VexIndex) -> usize {
    let mut suppressed = 0;
    for f in findings.iter_mut() {
        let Some(v) = &f.vulnerability else {
            continue;
        };
        let ids: Vec<&str> = v.ids.iter().map(String::as_str).collect();
        if let Some(statement) = index.not_affected(&ids, &v.purl) {
            f.suppressed = Some(rampart_core::Suppression {
                kind: "vex".to_string(),
                reason: statement.reason(),
                source: statement.source.clone(),
                approver: None,
                expires: None,
                ticket: None,
            });
            suppressed += 1;
        }
    }
    suppressed
}
