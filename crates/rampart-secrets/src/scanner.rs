use std::path::PathBuf;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use rampart_core::rule::id_matches;
use rampart_core::{Blob, Diagnostic, RawFinding, RuleMeta, Scanner};
use regex_automata::Input;

use crate::encoded;
use crate::entropy::shannon_entropy;
use crate::rules::{builtin_rules, load_rule_file, Rule, RuleError};

/// Placeholders that make a match an example rather than a credential, for every rule.
const PLACEHOLDERS: [&[u8]; 6] = [b"xxxxxxxx", b"********", b"<your", b"your_", b"${", b"{{"];

#[derive(Debug, Clone, Default)]
pub struct SecretsOptions {
    /// Rule files to load beside the built-in ones.
    pub extra_rule_files: Vec<PathBuf>,
    /// Rule ids or `prefix*` patterns that never run.
    pub disabled: Vec<String>,
    /// Decode base64 runs and scan their text.
    pub decode_base64: bool,
}

pub struct SecretsScanner {
    rules: Vec<Rule>,
    metas: Vec<RuleMeta>,
    keywords: AhoCorasick,
    /// For each keyword pattern, the rules that declared it.
    keyword_rules: Vec<Vec<usize>>,
    decode_base64: bool,
}

impl SecretsScanner {
    pub fn new(options: &SecretsOptions) -> Result<Self, RuleError> {
        let mut rules = builtin_rules()?;
        for path in &options.extra_rule_files {
            let text = std::fs::read_to_string(path).map_err(|e| RuleError {
                file: path.display().to_string(),
                line: 0,
                message: format!("cannot read rule file: {e}"),
            })?;
            let extra = load_rule_file(path, &text)?;
            for rule in extra {
                // A user's rule with a built-in id replaces the built-in one.
                rules.retain(|r| r.meta.id != rule.meta.id);
                rules.push(rule);
            }
        }
        rules.retain(|r| !options.disabled.iter().any(|p| id_matches(p, &r.meta.id)));
        Self::from_rules(rules, options.decode_base64)
    }

    pub fn from_rules(mut rules: Vec<Rule>, decode_base64: bool) -> Result<Self, RuleError> {
        rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        let mut words: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            for k in &rule.keywords {
                let k = k.to_ascii_lowercase();
                match words.iter().position(|w| *w == k) {
                    Some(p) => keyword_rules[p].push(i),
                    None => {
                        words.push(k);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&words)
            .map_err(|e| RuleError {
                file: String::new(),
                line: 0,
                message: format!("cannot build the keyword matcher: {e}"),
            })?;
        let metas = rules.iter().map(|r| r.meta.clone()).collect();
        Ok(SecretsScanner {
            rules,
            metas,
            keywords,
            keyword_rules,
            decode_base64,
        })
    }

    pub fn compiled_rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Ids of the rules that match somewhere in `text`, sorted and unique (no base64 decoding).
    pub fn matching_rule_ids(&self, text: &[u8]) -> Vec<&str> {
        let mut hits = Vec::new();
        self.matches(text, &mut hits);
        let mut ids: Vec<&str> = hits
            .iter()
            .map(|(i, _)| self.rules[*i].meta.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Every match in `bytes`, as (rule index, secret span). A rule's regex runs only in
    /// windows around the occurrences of its keywords.
    fn matches(&self, bytes: &[u8], out: &mut Vec<(usize, std::ops::Range<usize>)>) {
        let mut windows: Vec<(usize, usize, usize)> = Vec::new();
        for m in self.keywords.find_overlapping_iter(bytes) {
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                let w = self.rules[r].window;
                windows.push((
                    r,
                    m.start().saturating_sub(w),
                    (m.end() + w).min(bytes.len()),
                ));
            }
        }
        if windows.is_empty() {
            return;
        }
        windows.sort_unstable();
        let mut i = 0;
        while i < windows.len() {
            let (rule_index, lo, mut hi) = windows[i];
            i += 1;
            while i < windows.len() && windows[i].0 == rule_index && windows[i].1 <= hi {
                hi = hi.max(windows[i].2);
                i += 1;
            }
            self.search(rule_index, bytes, lo..hi, out);
        }
        self.keep_most_specific(out);
    }

    /// One secret, one finding: where the spans of several rules overlap (a generic
    /// `password = ...` rule and a provider's token rule on the same value), only the most
    /// specific rule is kept: the highest confidence, then the highest severity.
    fn keep_most_specific(&self, hits: &mut Vec<(usize, std::ops::Range<usize>)>) {
        if hits.len() < 2 {
            return;
        }
        let rank = |i: usize| {
            let m = &self.rules[i].meta;
            (m.confidence, m.severity)
        };
        hits.sort_by(|a, b| a.1.start.cmp(&b.1.start).then(rank(b.0).cmp(&rank(a.0))));
        let mut kept: Vec<(usize, std::ops::Range<usize>)> = Vec::with_capacity(hits.len());
        for (rule, span) in hits.drain(..) {
            let overlapping = kept
                .iter()
                .rposition(|(_, k)| k.start < span.end && span.start < k.end);
            match overlapping {
                Some(at) if rank(kept[at].0) >= rank(rule) => {}
                Some(at) => kept[at] = (rule, span),
                None => kept.push((rule, span)),
            }
        }
        *hits = kept;
    }

    fn search(
        &self,
        rule_index: usize,
        bytes: &[u8],
        window: std::ops::Range<usize>,
        out: &mut Vec<(usize, std::ops::Range<usize>)>,
    ) {
        let rule = &self.rules[rule_index];
        let mut caps = rule.regex.create_captures();
        let mut at = window.start;
        while at <= window.end {
            // Look-around (`\b`, `^`) sees the bytes outside the window, so a window edge is
            // never mistaken for a word or line boundary.
            let input = Input::new(bytes).span(at..window.end);
            rule.regex.search_captures(&input, &mut caps);
            let Some(m) = caps.get_match() else {
                break;
            };
            let secret = match rule.secret_group {
                Some(g) => caps.get_group(g),
                None => Some(m.span()),
            };
            if let Some(span) = secret {
                if accept(rule, &bytes[span.range()]) {
                    out.push((rule_index, span.range()));
                }
            }
            at = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
        }
    }
}

fn accept(rule: &Rule, secret: &[u8]) -> bool {
    if secret.is_empty() {
        return false;
    }
    if let Some(min) = rule.entropy {
        if shannon_entropy(secret) < min {
            return false;
        }
    }
    let lower = secret.to_ascii_lowercase();
    let contains = |needle: &[u8]| memchr_find(&lower, needle);
    !rule.stopwords.iter().any(|w| contains(w)) && !PLACEHOLDERS.iter().any(|p| contains(p))
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

impl Scanner for SecretsScanner {
    fn name(&self) -> &'static str {
        "secrets"
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.metas
    }

    fn scan(
        &self,
        blob: &Blob<'_>,
        findings: &mut Vec<RawFinding>,
        _diagnostics: &mut Vec<Diagnostic>,
    ) {
        let mut hits = Vec::new();
        self.matches(blob.bytes, &mut hits);
        for (i, span) in hits.drain(..) {
            let secret = String::from_utf8_lossy(&blob.bytes[span.clone()]).into_owned();
            findings.push(
                RawFinding::new(self.rules[i].meta.id.clone(), span.clone())
                    .with_secret(secret, span),
            );
        }
        if !self.decode_base64 {
            return;
        }
        for run in encoded::runs(blob.bytes) {
            let Some(decoded) = encoded::decode(&blob.bytes[run.clone()]) else {
                continue;
            };
            self.matches(&decoded, &mut hits);
            for (i, span) in hits.drain(..) {
                let rule = &self.rules[i].meta;
                let secret = String::from_utf8_lossy(&decoded[span]).into_owned();
                findings.push(
                    RawFinding::new(rule.id.clone(), run.clone())
                        .with_secret(secret, run.clone())
                        .with_note("decoded from base64"),
                );
            }
        }
    }
}
