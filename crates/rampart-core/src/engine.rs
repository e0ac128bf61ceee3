//! The engine between scanners and reports. It hands each blob to every scanner that wants it,
//! then turns raw findings into findings: located (line, column, snippet), fingerprinted,
//! redacted, filtered by configuration and inline comments, and deduplicated so that the same
//! secret seen in many places is one finding with every location.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::cache::{Entry, ResultCache};
use crate::config::RuleIgnore;
use crate::diagnostic::Diagnostic;
use crate::finding::{Finding, Location};
use crate::fingerprint::Fingerprint;
use crate::lines::LineIndex;
use crate::redact::redact;
use crate::report::Stats;
use crate::rule::{id_matches, RuleMeta};
use crate::scanner::{Blob, Origin, OwnedBlob, RawFinding, Scanner};
use crate::suppress::is_suppressed;

/// How many bytes at the start of a blob are checked for a NUL byte to call it binary.
const BINARY_SNIFF: usize = 8 * 1024;
/// Snippets longer than this are cut around the finding (minified files have huge lines).
const SNIPPET_MAX: usize = 160;

#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Rule ids or `prefix*` patterns that never run.
    pub disabled: Vec<String>,
    /// Rules ignored under some paths.
    pub ignores: Vec<RuleIgnore>,
    /// Print secrets in full instead of redacting them.
    pub show_secrets: bool,
    /// Where scanners that can ([`Scanner::cache_key`]) keep results between runs.
    pub cache: Option<std::path::PathBuf>,
}

/// Counters a progress bar can read while the scan runs.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
}

pub struct Engine {
    scanners: Vec<Box<dyn Scanner>>,
    rules: HashMap<String, (usize, RuleMeta)>,
    disabled: Vec<String>,
    ignores: Vec<(Vec<String>, GlobSet)>,
    show_secrets: bool,
    cache: Option<ResultCache>,
    /// Each scanner's cache key, asked once.
    cache_keys: Vec<Option<String>>,
    pub progress: Arc<Progress>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid path pattern `{pattern}` in [[rules.ignore]]: {message}")]
pub struct PatternError {
    pub pattern: String,
    pub message: String,
}

/// Findings, diagnostics and counts gathered by one worker; workers' accumulators merge.
#[derive(Debug, Default)]
pub struct Accumulator {
    findings: HashMap<Fingerprint, Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}

impl Accumulator {
    pub fn merge(&mut self, other: Accumulator) {
        for (fp, f) in other.findings {
            self.insert(fp, f);
        }
        self.diagnostics.extend(other.diagnostics);
        self.stats.add(&other.stats);
    }

    /// Drops every finding that `before` also has: what remains is new relative to `before`
    /// (used to report only what staged changes add).
    pub fn subtract(&mut self, before: &Accumulator) {
        self.findings
            .retain(|fp, _| !before.findings.contains_key(fp));
    }

    fn insert(&mut self, fp: Fingerprint, finding: Finding) {
        match self.findings.get_mut(&fp) {
            Some(existing) => existing.locations.extend(finding.locations),
            None => {
                self.findings.insert(fp, finding);
            }
        }
    }

    /// The findings in report order, each with its locations sorted and unique, and the
    /// diagnostics sorted: the same input always gives the same output.
    pub fn finish(self) -> (Vec<Finding>, Vec<Diagnostic>, Stats) {
        let mut findings: Vec<Finding> = self
            .findings
            .into_values()
            .map(|mut f| {
                f.locations.sort_by(|a, b| {
                    (&a.path, a.line, a.column, &a.commit)
                        .cmp(&(&b.path, b.line, b.column, &b.commit))
                });
                f.locations.dedup();
                f
            })
            .collect();
        findings.sort_by(|a, b| {
            a.sort_key()
                .cmp(&b.sort_key())
                .then(a.fingerprint.cmp(&b.fingerprint))
        });
        let mut diagnostics = self.diagnostics;
        diagnostics.sort();
        diagnostics.dedup();
        (findings, diagnostics, self.stats)
    }
}

impl Engine {
    pub fn new(
        scanners: Vec<Box<dyn Scanner>>,
        options: EngineOptions,
    ) -> Result<Engine, PatternError> {
        let mut rules = HashMap::new();
        for (i, s) in scanners.iter().enumerate() {
            for r in s.rules() {
                rules.insert(r.id.clone(), (i, r.clone()));
            }
        }
        let mut ignores = Vec::new();
        for ig in &options.ignores {
            let mut set = GlobSetBuilder::new();
            for p in &ig.paths {
                for pattern in glob_forms(p) {
                    let glob = Glob::new(&pattern).map_err(|e| PatternError {
                        pattern: p.clone(),
                        message: e.kind().to_string(),
                    })?;
                    set.add(glob);
                }
            }
            let set = set.build().map_err(|e| PatternError {
                pattern: ig.paths.join(", "),
                message: e.to_string(),
            })?;
            ignores.push((ig.rules.clone(), set));
        }
        let cache_keys = scanners
            .iter()
            .map(|s| s.cache_key().map(|k| format!("{}/{k}", s.name())))
            .collect();
        Ok(Engine {
            scanners,
            rules,
            disabled: options.disabled,
            ignores,
            show_secrets: options.show_secrets,
            cache: options.cache.map(ResultCache::new),
            cache_keys,
            progress: Arc::new(Progress::default()),
        })
    }

    pub fn scanners(&self) -> &[Box<dyn Scanner>] {
        &self.scanners
    }

    /// Every rule of every scanner, enabled or not, sorted by id.
    pub fn all_rules(&self) -> Vec<&RuleMeta> {
        let mut all: Vec<&RuleMeta> = self.rules.values().map(|(_, r)| r).collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.get(id).map(|(_, r)| r)
    }

    pub fn is_disabled(&self, rule_id: &str) -> bool {
        self.disabled.iter().any(|p| id_matches(p, rule_id))
    }

    fn is_ignored_at(&self, rule_id: &str, path: &str) -> bool {
        self.ignores.iter().any(|(rules, set)| {
            (rules.is_empty() || rules.iter().any(|p| id_matches(p, rule_id))) && set.is_match(path)
        })
    }

    /// Whether any scanner wants this path; sources skip reading files nobody wants.
    pub fn wants(&self, path: &str) -> bool {
        self.scanners.iter().any(|s| s.wants(path))
    }

    /// Scans one blob with every scanner that wants it. Binary content is counted and skipped.
    pub fn scan_blob(&self, blob: &Blob<'_>, acc: &mut Accumulator) {
        self.progress.files.fetch_add(1, Ordering::Relaxed);
        self.progress
            .bytes
            .fetch_add(blob.bytes.len() as u64, Ordering::Relaxed);
        if is_binary(blob.bytes) {
            acc.stats.skipped_binary += 1;
            return;
        }
        acc.stats.files_scanned += 1;
        acc.stats.bytes_scanned += blob.bytes.len() as u64;

        let mut raw = Vec::new();
        for (scanner, key) in self.scanners.iter().zip(&self.cache_keys) {
            if !scanner.wants(blob.path) {
                continue;
            }
            let (Some(cache), Some(key)) = (&self.cache, key) else {
                scanner.scan(blob, &mut raw, &mut acc.diagnostics);
                continue;
            };
            let entry = match cache.get(key, blob) {
                Some(hit) => hit,
                None => {
                    let mut fresh = Entry::default();
                    fresh.inputs = crate::cache::recording(|| {
                        scanner.scan(blob, &mut fresh.findings, &mut fresh.diagnostics)
                    });
                    cache.put(key, blob, &fresh);
                    fresh
                }
            };
            raw.extend(entry.findings);
            acc.diagnostics.extend(entry.diagnostics);
        }
        if raw.is_empty() {
            return;
        }
        let index = LineIndex::new(blob.bytes);
        for r in raw {
            self.admit(blob, &index, r, acc);
        }
    }

    fn admit(
        &self,
        blob: &Blob<'_>,
        index: &LineIndex<'_>,
        raw: RawFinding,
        acc: &mut Accumulator,
    ) {
        let Some((_, rule)) = self.rules.get(&raw.rule_id) else {
            acc.diagnostics.push(Diagnostic::error(
                blob.path,
                format!(
                    "internal: a scanner reported unknown rule `{}`",
                    raw.rule_id
                ),
            ));
            return;
        };
        if self.is_disabled(&rule.id) {
            return;
        }
        if self.is_ignored_at(&rule.id, blob.path) {
            acc.stats.suppressed_config += 1;
            return;
        }
        let len = blob.bytes.len();
        let start = raw.span.start.min(len);
        let end = raw.span.end.clamp(start, len);
        let (line, column) = index.position(start);
        let (end_line, end_column) = index.position(end);
        let suppressed_at = |offset: usize| {
            let (line, _) = index.position(offset.min(len));
            let above = if line > 1 { index.line(line - 1) } else { &[] };
            is_suppressed(&rule.id, index.line(line), above)
        };
        if suppressed_at(start) || raw.scopes.iter().any(|s| suppressed_at(*s)) {
            acc.stats.suppressed_inline += 1;
            return;
        }

        let shown_secret = raw.secret.as_ref().map(|s| {
            if self.show_secrets {
                s.clone()
            } else {
                redact(s)
            }
        });
        let mask = raw
            .redact
            .clone()
            .or_else(|| raw.secret.as_ref().map(|_| start..end));
        let snippet = snippet(
            index,
            line,
            mask,
            shown_secret.as_deref(),
            raw.secret.as_deref(),
        );
        let fingerprint = match &raw.secret {
            Some(secret) => Fingerprint::for_secret(&rule.id, secret),
            None => match &raw.identity {
                Some(identity) => {
                    Fingerprint::for_content(&rule.id, blob.path, identity.as_bytes())
                }
                None => Fingerprint::for_content(&rule.id, blob.path, &blob.bytes[start..end]),
            },
        };
        let location = Location {
            path: blob.path.to_string(),
            line,
            column,
            end_line,
            end_column,
            byte_offset: start as u64,
            byte_length: (end - start) as u64,
            snippet,
            note: raw.note,
            commit: blob.origin.commit().cloned(),
            staged: matches!(blob.origin, Origin::Staged),
        };
        let finding = Finding {
            rule_id: rule.id.clone(),
            scanner: rule.scanner.clone(),
            title: rule.title.clone(),
            severity: raw.severity.unwrap_or(rule.severity),
            confidence: rule.confidence,
            message: raw.message.unwrap_or_else(|| rule.title.clone()),
            fingerprint: fingerprint.clone(),
            secret: shown_secret,
            locations: vec![location],
            vulnerability: raw.vulnerability,
            priority: None,
            suppressed: None,
        };
        acc.insert(fingerprint, finding);
    }

    /// Scans blobs produced on this thread by `source` with `jobs` workers. Items that are not
    /// blobs (too large, unreadable) are counted and go straight into the result.
    pub fn scan_stream<I>(&self, source: I, jobs: usize) -> Accumulator
    where
        I: Iterator<Item = SourceItem>,
    {
        self.scan_parallel(source, jobs, || |item| item)
    }

    /// Like [`Engine::scan_stream`], for sources whose items are cheap to list but costly to
    /// load (git blobs to inflate): `source` lists them on this thread, and each worker loads
    /// the ones it is handed with its own loader, made once per worker by `loader`.
    pub fn scan_parallel<T, I, F, L>(&self, source: I, jobs: usize, loader: F) -> Accumulator
    where
        T: Send,
        I: Iterator<Item = T>,
        F: Fn() -> L + Sync,
        L: FnMut(T) -> SourceItem,
    {
        let jobs = jobs.max(1);
        let (tx, rx) = mpsc::sync_channel::<T>(jobs * 4);
        let rx = Mutex::new(rx);
        let mut total = Accumulator::default();
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..jobs)
                .map(|_| {
                    scope.spawn(|| {
                        let mut acc = Accumulator::default();
                        let mut load = loader();
                        loop {
                            let next = match rx.lock() {
                                Ok(guard) => guard.recv(),
                                Err(_) => break,
                            };
                            match next {
                                Ok(pending) => self.scan_item(load(pending), &mut acc),
                                Err(_) => break,
                            }
                        }
                        acc
                    })
                })
                .collect();
            for item in source {
                if tx.send(item).is_err() {
                    break;
                }
            }
            drop(tx);
            for w in workers {
                match w.join() {
                    Ok(acc) => total.merge(acc),
                    Err(_) => total.diagnostics.push(Diagnostic::error(
                        "",
                        "a scan worker crashed; results are incomplete",
                    )),
                }
            }
        });
        total
    }

    fn scan_item(&self, item: SourceItem, acc: &mut Accumulator) {
        match item {
            SourceItem::Blob(blob) => self.scan_blob(&blob.as_blob(), acc),
            SourceItem::TooLarge { path, size, limit } => {
                acc.stats.skipped_too_large += 1;
                acc.diagnostics.push(too_large(path, size, limit));
            }
            SourceItem::Unreadable(d) => {
                acc.stats.unreadable += 1;
                acc.diagnostics.push(d);
            }
            SourceItem::Diagnostic(d) => acc.diagnostics.push(d),
        }
    }
}

/// What a streaming source (git history, the index, stdin) yields.
#[derive(Debug, Clone)]
pub enum SourceItem {
    /// Content to scan.
    Blob(OwnedBlob),
    /// Content not read because it is over the size limit; counted and noted.
    TooLarge { path: String, size: u64, limit: u64 },
    /// Content that could not be read; counted as unreadable.
    Unreadable(Diagnostic),
    /// Anything else worth saying that does not stop the scan.
    Diagnostic(Diagnostic),
}

/// The note for a file skipped for its size, the same for every source.
pub fn too_large(path: impl Into<String>, size: u64, limit: u64) -> Diagnostic {
    Diagnostic::new(
        crate::diagnostic::DiagnosticLevel::Note,
        path,
        format!("skipped: {size} bytes is over the {limit} byte limit (--max-file-size)"),
    )
}

pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF)]).is_some()
}

/// A gitignore-style pattern as globs: `vendor/` or `vendor` also match everything below, and a
/// pattern without a slash matches at any depth.
pub fn glob_forms(pattern: &str) -> Vec<String> {
    let p = pattern.trim_start_matches("./");
    let anchored = p.starts_with('/');
    let p = p.trim_start_matches('/').trim_end_matches('/');
    let base = if anchored || p.contains('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    vec![base.clone(), format!("{base}/**")]
}

/// The finding's line, trimmed and cut to a readable length, with the secret masked: at the
/// finding's own span and anywhere else the same secret appears on the line.
fn snippet(
    index: &LineIndex<'_>,
    line: u32,
    mask: Option<std::ops::Range<usize>>,
    shown: Option<&str>,
    secret: Option<&str>,
) -> Option<String> {
    let range = index.line_range(line);
    let bytes = index.line(line);
    let mut text = String::new();
    match (mask, shown) {
        (Some(m), Some(shown)) => {
            // Mask only the part of the secret that lies on this line.
            let ms = m.start.clamp(range.start, range.end) - range.start;
            let me = m.end.clamp(range.start, range.end) - range.start;
            text.push_str(&String::from_utf8_lossy(&bytes[..ms]));
            text.push_str(shown);
            text.push_str(&String::from_utf8_lossy(&bytes[me..]));
        }
        _ => text.push_str(&String::from_utf8_lossy(bytes)),
    }
    if let (Some(secret), Some(shown)) = (secret, shown) {
        if !secret.is_empty() && secret != shown && text.contains(secret) {
            text = text.replace(secret, shown);
        }
    }
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() <= SNIPPET_MAX {
        return Some(text.to_string());
    }
    let anchor = shown.and_then(|s| text.find(s)).unwrap_or(0);
    let start = text[..anchor]
        .char_indices()
        .rev()
        .nth(SNIPPET_MAX / 4)
        .map_or(0, |(i, _)| i);
    let cut: String = text[start..].chars().take(SNIPPET_MAX).collect();
    Some(format!("{}{}…", if start > 0 { "…" } else { "" }, cut))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::{Confidence, Severity};

    /// A scanner that flags every occurrence of `TOKEN_` followed by 8 characters as a secret.
    struct Toy(Vec<RuleMeta>);

    impl Toy {
        fn new() -> Self {
            Toy(vec![RuleMeta {
                id: "secret.toy".into(),
                scanner: "secrets".into(),
                title: "Toy token".into(),
                severity: Severity::High,
                confidence: Confidence::High,
                description: "d".into(),
                remediation: "r".into(),
                references: vec![],
                taxonomy: Default::default(),
            }])
        }
    }

    impl Scanner for Toy {
        fn name(&self) -> &'static str {
            "secrets"
        }
        fn rules(&self) -> &[RuleMeta] {
            &self.0
        }
        fn scan(&self, blob: &Blob<'_>, out: &mut Vec<RawFinding>, _: &mut Vec<Diagnostic>) {
            for (i, _) in blob
                .bytes
                .windows(6)
                .enumerate()
                .filter(|(_, w)| *w == b"TOKEN_")
            {
                let end = (i + 14).min(blob.bytes.len());
                let secret = String::from_utf8_lossy(&blob.bytes[i..end]).into_owned();
                out.push(RawFinding::new("secret.toy", i..end).with_secret(secret, i..end));
            }
        }
    }

    fn engine(options: EngineOptions) -> Engine {
        Engine::new(vec![Box::new(Toy::new())], options).unwrap()
    }

    fn scan(e: &Engine, files: &[(&str, &str)]) -> (Vec<Finding>, Stats) {
        let mut acc = Accumulator::default();
        for (path, text) in files {
            let origin = Origin::File;
            e.scan_blob(
                &Blob {
                    path,
                    origin: &origin,
                    bytes: text.as_bytes(),
                },
                &mut acc,
            );
        }
        let (f, _, s) = acc.finish();
        (f, s)
    }

    #[test]
    fn same_secret_in_many_places_is_one_finding() {
        let e = engine(EngineOptions::default());
        let (f, stats) = scan(
            &e,
            &[
                ("b.txt", "x\nkey=TOKEN_abcdefgh\n"),
                ("a.txt", "TOKEN_abcdefgh"),
            ],
        );
        assert_eq!(f.len(), 1);
        let paths: Vec<_> = f[0]
            .locations
            .iter()
            .map(|l| (l.path.as_str(), l.line, l.column))
            .collect();
        assert_eq!(paths, vec![("a.txt", 1, 1), ("b.txt", 2, 5)]);
        assert_eq!(f[0].secret.as_deref(), Some("*****"));
        assert_eq!(f[0].locations[1].snippet.as_deref(), Some("key=*****"));
        assert_eq!(stats.files_scanned, 2);
    }

    #[test]
    fn inline_and_config_suppression_are_counted() {
        let e = engine(EngineOptions {
            ignores: vec![RuleIgnore {
                rules: vec!["secret.*".into()],
                paths: vec!["tests/".into()],
                reason: None,
            }],
            ..Default::default()
        });
        let (f, stats) = scan(
            &e,
            &[
                (
                    "src/a.rs",
                    "TOKEN_aaaaaaaa // rampart:ignore secret.toy fixture",
                ),
                ("tests/b.rs", "TOKEN_bbbbbbbb"),
                ("src/c.rs", "TOKEN_cccccccc"),
            ],
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].primary().path, "src/c.rs");
        assert_eq!(stats.suppressed_inline, 1);
        assert_eq!(stats.suppressed_config, 1);
    }

    #[test]
    fn disabled_rules_and_binaries_report_nothing() {
        let e = engine(EngineOptions {
            disabled: vec!["secret.toy".into()],
            ..Default::default()
        });
        assert!(scan(&e, &[("a", "TOKEN_abcdefgh")]).0.is_empty());
        let e = engine(EngineOptions::default());
        let (f, stats) = scan(&e, &[("bin", "TOKEN_abcdefgh\0")]);
        assert!(f.is_empty());
        assert_eq!(stats.skipped_binary, 1);
    }

    #[test]
    fn every_occurrence_on_the_line_is_masked() {
        let e = engine(EngineOptions::default());
        let (f, _) = scan(&e, &[("a", "x=TOKEN_abcdefgh y=TOKEN_abcdefgh")]);
        for l in &f[0].locations {
            assert_eq!(l.snippet.as_deref(), Some("x=***** y=*****"));
        }
    }

    #[test]
    fn show_secrets_prints_them_in_full() {
        let e = engine(EngineOptions {
            show_secrets: true,
            ..Default::default()
        });
        let (f, _) = scan(&e, &[("a", "TOKEN_abcdefgh")]);
        assert_eq!(f[0].secret.as_deref(), Some("TOKEN_abcdefgh"));
    }

    #[test]
    fn stream_scanning_matches_sequential_scanning() {
        let e = engine(EngineOptions::default());
        let blobs = (0..50).map(|i| {
            SourceItem::Blob(OwnedBlob {
                path: format!("f{i}"),
                origin: Origin::File,
                bytes: format!("TOKEN_{i:08}").into_bytes(),
            })
        });
        let blobs = blobs.chain(std::iter::once(SourceItem::Unreadable(
            Diagnostic::warning("bad", "unreadable"),
        )));
        let (f, d, s) = e.scan_stream(blobs, 3).finish();
        assert_eq!(f.len(), 50);
        assert_eq!(d.len(), 1);
        assert_eq!(s.files_scanned, 50);
        assert_eq!(s.unreadable, 1);
    }

    #[test]
    fn long_lines_are_cut_around_the_secret() {
        let e = engine(EngineOptions::default());
        let text = format!("{}TOKEN_abcdefgh{}", "a".repeat(1000), "b".repeat(1000));
        let (f, _) = scan(&e, &[("min.js", &text)]);
        let snip = f[0].primary().snippet.clone().unwrap();
        assert!(snip.contains("*****"), "{snip}");
        assert!(snip.chars().count() <= SNIPPET_MAX + 2);
    }

    #[test]
    fn glob_forms_follow_gitignore_conventions() {
        assert_eq!(glob_forms("vendor/"), vec!["**/vendor", "**/vendor/**"]);
        assert_eq!(glob_forms("/build"), vec!["build", "build/**"]);
        assert_eq!(
            glob_forms("tests/fixtures/**"),
            vec!["tests/fixtures/**", "tests/fixtures/**/**"]
        );
    }
}
