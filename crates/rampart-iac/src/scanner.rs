//! The `iac` scanner: each file that is infrastructure or pipeline configuration is loaded into
//! documents and every check for their kind runs on them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rampart_core::{Blob, Diagnostic, Origin, RawFinding, RuleMeta, Scanner};

use crate::check::{self, Check, CheckError, Hit};
use crate::detect::{self, Candidate};
use crate::model::{Document, Kind, Node, Value};
use crate::terraform;

pub struct IacScanner {
    checks: Vec<Check>,
    rules: Vec<RuleMeta>,
    modules: Arc<terraform::ModuleCache>,
}

impl IacScanner {
    /// The scanner with every built-in check.
    pub fn new() -> Result<IacScanner, CheckError> {
        let checks = check::load(check::FILES, &crate::checks::implementations())?;
        let rules = checks.iter().map(|c| c.meta.clone()).collect();
        Ok(IacScanner {
            checks,
            rules,
            modules: Arc::new(terraform::ModuleCache::default()),
        })
    }

    /// Variable files applied to every Terraform root module, after its own `terraform.tfvars`
    /// and `*.auto.tfvars` (as `terraform plan -var-file` does).
    pub fn with_var_files(mut self, files: Vec<PathBuf>) -> Self {
        self.modules = Arc::new(terraform::ModuleCache::new(terraform::Options {
            var_files: files,
            ..terraform::Options::default()
        }));
        self
    }

    /// The Terraform modules this scanner loads, for another scanner to share.
    pub fn modules(&self) -> Arc<terraform::ModuleCache> {
        self.modules.clone()
    }

    pub fn checks(&self) -> &[Check] {
        &self.checks
    }
}

/// The documents a file holds, with what could not be read (line, message).
pub fn load_documents(path: &str, text: &str) -> (Vec<Document>, Vec<(u32, String)>) {
    let mut problems = Vec::new();
    let candidate = detect::kind_of_path(path);
    let docs = match candidate {
        None => Vec::new(),
        Some(Candidate::Kind(Kind::Dockerfile)) => dockerfile_documents(text, &mut problems),
        // Terraform is read a module (a directory) at a time.
        Some(Candidate::Kind(Kind::Terraform)) => Vec::new(),
        Some(candidate) => match crate::yaml::load(text) {
            Ok(roots) => roots
                .into_iter()
                .filter_map(|root| {
                    let kind = match candidate {
                        Candidate::Kind(k) => Some(k),
                        Candidate::ByContent => detect::classify(path, &root),
                    }?;
                    Some((kind, root))
                })
                .flat_map(|(kind, root)| match kind {
                    Kind::TerraformPlan => plan_documents(&root),
                    _ => vec![Document {
                        kind,
                        root,
                        via: None,
                    }],
                })
                .collect(),
            Err(e) => {
                // A YAML or JSON file that is not IaC need not parse: only complain about
                // files whose name says what they are.
                if matches!(candidate, Candidate::Kind(_)) {
                    problems.push((e.line, format!("cannot read this file: {}", e.message)));
                }
                Vec::new()
            }
        },
    };
    (docs, problems)
}

impl Scanner for IacScanner {
    fn name(&self) -> &'static str {
        "iac"
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    fn wants(&self, path: &str) -> bool {
        detect::kind_of_path(path).is_some()
    }

    fn scan(
        &self,
        blob: &Blob<'_>,
        findings: &mut Vec<RawFinding>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let text = match std::str::from_utf8(blob.bytes) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(blob.bytes),
        };
        let (docs, problems) = match (detect::kind_of_path(blob.path), blob.origin) {
            (Some(Candidate::Kind(Kind::Terraform)), Origin::Disk(file)) => {
                self.terraform_documents(file)
            }
            _ => load_documents(blob.path, &text),
        };
        for (line, message) in problems {
            // A module directory is also scanned on its own, where its inputs have no values:
            // worth a note, not a warning.
            let level = if message.contains("has no value") {
                rampart_core::DiagnosticLevel::Note
            } else {
                rampart_core::DiagnosticLevel::Warning
            };
            diagnostics.push(Diagnostic::new(level, blob.path, message).at_line(line));
        }
        if docs.is_empty() {
            return;
        }
        let lines = Lines::new(&text);
        for (n, doc) in docs.iter().enumerate() {
            let template = helm_source(doc, &lines);
            // Found once per document, when it has a finding to suppress.
            let checkov_skips = std::cell::OnceCell::new();
            for check in self.checks.iter().filter(|c| c.kinds.contains(&doc.kind)) {
                let mut hits = Vec::new();
                check.run(doc, &mut hits);
                for mut hit in hits {
                    if let Some((written, call)) = &doc.via {
                        // Reported at the module call in this file, saying where the value is.
                        hit.message = format!(
                            "{} (in {}:{}, through this module call)",
                            hit.message,
                            relative_to(written, blob.origin),
                            hit.span.line
                        );
                        hit.span = *call;
                    }
                    if let Some(template) = template {
                        hit.message = format!("{} (rendered from {template})", hit.message);
                    }
                    // Module instances are reported at their call: only the call's own
                    // comments apply, not those of the module's resource.
                    let scopes = match doc.via {
                        Some(_) => Vec::new(),
                        None => scope_lines(doc, hit.span.line, &lines),
                    };
                    if scopes
                        .iter()
                        .chain([&hit.span.line])
                        .any(|line| peer_suppressed(&lines, *line, &check.peers))
                        || checkov_skips
                            .get_or_init(|| checkov_skip_lines(doc, &lines))
                            .iter()
                            .any(|line| peer_suppressed(&lines, *line, &check.peers))
                    {
                        continue;
                    }
                    let scopes = scopes.iter().map(|l| lines.span_of(*l).start).collect();
                    findings.push(finding(&check.meta.id, &lines, n, hit).with_scopes(scopes));
                }
            }
        }
    }
}

/// The resources of a Terraform plan (`terraform show -json`), one document each in the shape
/// of an evaluated resource (`{"address", "type", "name", "mode", "config"}`, `config` being
/// the planned `values`, nested blocks as lists), so the Terraform checks read plans too.
///
/// What the plan only knows after apply (`resource_changes[].change.after_unknown`, absent from
/// the planned values) is marked unknown, so that no check reads it as unset.
fn plan_documents(root: &Node) -> Vec<Document> {
    let after_unknown: std::collections::HashMap<&str, &Node> = root
        .field("resource_changes")
        .items()
        .into_iter()
        .filter_map(|c| {
            let address = c.field("address").as_str()?;
            Some((address, c.path(&["change", "after_unknown"])?))
        })
        .collect();
    let mut out = Vec::new();
    let mut stack: Vec<&Node> = root
        .path(&["planned_values", "root_module"])
        .into_iter()
        .collect();
    while let Some(module) = stack.pop() {
        for r in module.field("resources").items() {
            let text = |key: &str| Node::string(r.field(key).as_str().unwrap_or_default(), r.span);
            out.push(Document {
                kind: Kind::TerraformPlan,
                root: Node::new(
                    Value::Object(vec![
                        ("address".into(), text("address")),
                        ("type".into(), text("type")),
                        ("name".into(), text("name")),
                        ("mode".into(), text("mode")),
                        ("config".into(), {
                            let mut values = r.field("values").clone();
                            let address = r.field("address").as_str().unwrap_or_default();
                            if let Some(unknown) = after_unknown.get(address) {
                                mark_unknown(&mut values, unknown, 0);
                            }
                            values
                        }),
                    ]),
                    r.span,
                ),
                via: None,
            });
        }
        // Bounded by the document's own depth, which the loader limits.
        stack.extend(module.field("child_modules").items());
    }
    out.sort_by_key(|d| d.root.span);
    out
}

/// Marks as unknown the parts of planned values that `after_unknown` flags (`true` for a value
/// known only after apply; objects and lists of flags for its parts).
fn mark_unknown(values: &mut Node, flags: &Node, depth: usize) {
    if depth > 32 {
        return;
    }
    let span = values.span;
    let unknown = || Node::unknown("known only after apply", span);
    match (&mut values.value, &flags.value) {
        (_, Value::Bool(true)) => *values = unknown(),
        (Value::Object(entries), Value::Object(flagged)) => {
            for (key, flag) in flagged {
                match entries.iter_mut().rev().find(|(k, _)| k == key) {
                    Some((_, v)) => mark_unknown(v, flag, depth + 1),
                    None if flag.as_bool() == Some(true) => {
                        entries.push((key.clone(), unknown()));
                    }
                    None => {}
                }
            }
        }
        (Value::Null, Value::Object(_) | Value::Array(_)) => *values = unknown(),
        (Value::Array(items), Value::Array(flagged)) => {
            for (i, flag) in flagged.iter().enumerate() {
                match items.get_mut(i) {
                    Some(v) => mark_unknown(v, flag, depth + 1),
                    None if flag.as_bool() == Some(true) => items.push(unknown()),
                    None => {}
                }
            }
        }
        _ => {}
    }
}

impl IacScanner {
    /// The resources a `.tf` file on disk declares, evaluated with the rest of its module.
    fn terraform_documents(&self, file: &Path) -> (Vec<Document>, Vec<(u32, String)>) {
        let Some(dir) = file.parent() else {
            return (Vec::new(), Vec::new());
        };
        let module = self.modules.get(dir);
        terraform_in_file(&module, file)
    }
}

/// The documents and problems of one file of a loaded module: one document per resource
/// written in it, `{"address", "type", "name", "mode", "config"}` with `config` the
/// evaluated body.
pub fn terraform_in_file(
    module: &terraform::Module,
    file: &Path,
) -> (Vec<Document>, Vec<(u32, String)>) {
    // The resources written in this file, and the instances of modules this file calls.
    let docs = module
        .resources
        .iter()
        .filter(|r| r.file == file || r.call_site.as_ref().is_some_and(|(f, _)| f == file))
        .map(|r| {
            let text = |s: &str| Node::string(s, r.span);
            let mode = match r.mode {
                terraform::Mode::Managed => "managed",
                terraform::Mode::Data => "data",
            };
            Document {
                kind: Kind::Terraform,
                root: Node::new(
                    Value::Object(vec![
                        ("address".into(), text(&r.address)),
                        ("type".into(), text(&r.kind)),
                        ("name".into(), text(&r.name)),
                        ("mode".into(), text(mode)),
                        ("config".into(), r.body.clone()),
                    ]),
                    r.span,
                ),
                via: match &r.call_site {
                    Some((_, call)) if r.file != file => Some((r.file.clone(), *call)),
                    _ => None,
                },
            }
        })
        .collect();
    let problems = module
        .diagnostics
        .iter()
        .filter(|d| d.file == file)
        .map(|d| (d.line, d.message.clone()))
        .collect();
    (docs, problems)
}

/// A path shown relative to the directory of the file being scanned, when it is below it.
fn relative_to(path: &Path, origin: &Origin) -> String {
    origin
        .directory()
        .and_then(|d| path.strip_prefix(d).ok())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn finding(rule: &str, lines: &Lines<'_>, document: usize, hit: Hit) -> RawFinding {
    let span = lines.span_of(hit.span.line);
    let raw = RawFinding::new(rule, span).with_message(hit.message);
    match hit.identity {
        Some(id) => raw.with_identity(format!("{document}\0{id}")),
        None => raw,
    }
}

/// The lines of a file, to turn a line number into a byte span and to read comments.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// The text of 1-based line `n`, without its newline; empty when out of range.
    fn line(&self, n: u32) -> &'a str {
        let Some(i) = (n as usize).checked_sub(1) else {
            return "";
        };
        let Some(&start) = self.starts.get(i) else {
            return "";
        };
        let end = self.starts.get(i + 1).map_or(self.text.len(), |e| e - 1);
        self.text.get(start..end.max(start)).unwrap_or("")
    }

    pub(crate) fn span_of(&self, n: u32) -> std::ops::Range<usize> {
        let i = (n.max(1) as usize - 1).min(self.starts.len() - 1);
        let start = self.starts[i];
        let line = self.line(i as u32 + 1);
        start..start + line.trim_end_matches('\r').len()
    }
}

/// Whether another tool's suppression comment on the line or the line above names the check
/// (so teams can move to rampart without editing every file): `checkov:skip=ID`,
/// `tfsec:ignore:ID`, `trivy:ignore:ID`, `hadolint ignore=ID[,ID]`, `zizmor: ignore[ID]`,
/// and KICS's `kics-scan ignore-line`, which silences every check on the next line.
fn peer_suppressed(lines: &Lines<'_>, line: u32, peers: &[String]) -> bool {
    let here = lines.line(line);
    let above = lines.line(line.saturating_sub(1));
    if above.contains("kics-scan ignore-line") {
        return true;
    }
    [here, above].iter().any(|text| {
        let Some(comment) = text.find('#').map(|i| &text[i..]) else {
            return false;
        };
        let named = |marker: &str, seps: &[char]| -> Vec<String> {
            let mut out = Vec::new();
            let mut rest = comment;
            while let Some(at) = rest.find(marker) {
                rest = &rest[at + marker.len()..];
                let ids: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !seps.contains(c))
                    .collect();
                out.extend(ids.split(',').map(|s| s.trim().to_string()));
            }
            out
        };
        let mut ids = named("checkov:skip=", &[':']);
        ids.extend(named("tfsec:ignore:", &[]));
        ids.extend(named("trivy:ignore:", &[]));
        ids.extend(named("hadolint ignore=", &[]));
        ids.extend(named("zizmor: ignore[", &[']']));
        ids.iter()
            .any(|id| peers.iter().any(|p| p.eq_ignore_ascii_case(id)))
    })
}

/// The first lines of the constructs that enclose `line` in a document, outermost first: the
/// resource block, the manifest, the job, the container entry. A construct written as the
/// value of a key alone on its line (`MyBucket:` above `Type: AWS::S3::Bucket`) starts at
/// that key's line. Dockerfiles have none: their comments apply to the next instruction only.
fn scope_lines(doc: &Document, line: u32, lines: &Lines<'_>) -> Vec<u32> {
    if doc.kind == Kind::Dockerfile {
        return Vec::new();
    }
    let mut out: Vec<u32> = Vec::new();
    let mut node = &doc.root;
    // Whether `node` is the value of a key (rather than a list item or the document).
    let mut keyed = false;
    // Loaders record where a value starts, not always where it ends: the value holding a
    // line is the last one, in the order written, that starts at or before it. Bounded by the
    // document's depth, which the loaders limit.
    loop {
        let children: Vec<&Node> = match &node.value {
            Value::Object(entries) => {
                let start = node.span.line;
                let header = if keyed {
                    key_line(lines, start, node.span.column)
                } else {
                    start
                };
                if header < line && out.last() != Some(&header) {
                    out.push(header);
                }
                entries.iter().map(|(_, v)| v).collect()
            }
            Value::Array(items) => items.iter().collect(),
            _ => break,
        };
        let parent_is_object = matches!(node.value, Value::Object(_));
        let holder = children
            .into_iter()
            .filter(|c| c.span.line <= line)
            .max_by_key(|c| {
                let container = matches!(c.value, Value::Object(_) | Value::Array(_));
                (c.span.line, container)
            });
        match holder {
            Some(child) if matches!(child.value, Value::Object(_) | Value::Array(_)) => {
                keyed = parent_is_object;
                node = child
            }
            _ => break,
        }
    }
    out
}

/// The last line any value of a node starts on.
fn last_line(node: &Node, depth: usize) -> u32 {
    let inner = match &node.value {
        _ if depth > 64 => 0,
        Value::Object(entries) => entries
            .iter()
            .map(|(_, v)| last_line(v, depth + 1))
            .max()
            .unwrap_or(0),
        Value::Array(items) => items
            .iter()
            .map(|v| last_line(v, depth + 1))
            .max()
            .unwrap_or(0),
        _ => 0,
    };
    inner.max(node.span.end_line).max(node.span.line)
}

/// The line of the key whose block value starts at `start` (column `column`): above it,
/// past blank and comment lines, a line that is only a key (`MyBucket:`) indented less than
/// the value. A value on its key's own line (Terraform, flow style) starts at `start`.
fn key_line(lines: &Lines<'_>, start: u32, column: u32) -> u32 {
    let mut n = start;
    while n > 1 && start - n < 1_000 {
        n -= 1;
        let text = lines.line(n);
        let code = text.trim_start();
        if code.is_empty() || code.starts_with('#') {
            continue;
        }
        let indent = (text.len() - code.len()) as u32;
        return if indent + 1 < column && is_key_alone(text) {
            n
        } else {
            start
        };
    }
    start
}

/// The chart template a rendered manifest came from: `helm template` writes
/// `# Source: chart/templates/x.yaml` above each document.
fn helm_source<'a>(doc: &Document, lines: &Lines<'a>) -> Option<&'a str> {
    if doc.kind != Kind::Kubernetes {
        return None;
    }
    let start = doc.root.span.line;
    (start.saturating_sub(20)..start)
        .rev()
        .map(|n| lines.line(n).trim())
        .take_while(|l| l.is_empty() || l.starts_with('#') || l.starts_with("---"))
        .find_map(|l| l.strip_prefix("# Source:").map(str::trim))
        .filter(|s| !s.is_empty())
}

/// A line that is only a YAML key opening a block (`MyBucket:`, `- build:`), comments aside.
fn is_key_alone(text: &str) -> bool {
    let code = match text.find(" #") {
        Some(i) => &text[..i],
        None => text,
    };
    let code = code.trim();
    !code.starts_with('#') && code.len() > 1 && code.ends_with(':') && !code.contains(": ")
}

/// The lines of `#checkov:skip=ID` comments inside a Terraform resource block: as in
/// Checkov, they apply to the whole resource.
fn checkov_skip_lines(doc: &Document, lines: &Lines<'_>) -> Vec<u32> {
    if doc.kind != Kind::Terraform || doc.via.is_some() {
        return Vec::new();
    }
    let first = doc.root.span.line;
    // The closing brace is not recorded: the block's last value, and the line after it.
    let last = last_line(&doc.root, 0).saturating_add(1);
    (first..=last.min(first.saturating_add(10_000)))
        .filter(|n| lines.line(*n).contains("checkov:skip="))
        .collect()
}

/// Whether a path is one the scanner reads (for callers that filter before reading).
pub fn reads(path: &Path) -> bool {
    detect::kind_of_path(&path.to_string_lossy().replace('\\', "/")).is_some()
}

fn dockerfile_documents(text: &str, problems: &mut Vec<(u32, String)>) -> Vec<Document> {
    let parsed = crate::dockerfile::parse(text);
    problems.extend(parsed.diagnostics.iter().cloned());
    vec![Document {
        kind: Kind::Dockerfile,
        root: parsed.to_node(),
        via: None,
    }]
}
