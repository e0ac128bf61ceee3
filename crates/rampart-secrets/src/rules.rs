//! The rule file format. One TOML file holds `[[rule]]` tables:
//!
//! ```toml
//! [[rule]]
//! id = "secret.example-token"          # stable, namespaced `secret.`
//! title = "Example API token"
//! severity = "high"                    # critical | high | medium | low | info
//! confidence = "high"                  # high | medium | low
//! keywords = ["exa_"]                  # literals, case-insensitive; the regex runs only if one appears
//! pattern = '''\b(?P<secret>exa_[A-Za-z0-9]{32})\b'''   # Rust regex over bytes; `secret` group marks the credential
//! entropy = 3.5                        # optional: minimum Shannon entropy (bits/byte) of the secret
//! stopwords = ["example"]              # optional: a secret containing one of these is not reported
//! window = 512                         # optional: bytes a match may reach before/after a keyword
//!                                      # occurrence (default 512; raise it for PEM blocks)
//! description = "Why it matters."
//! remediation = "How to revoke and rotate it."
//! references = ["https://..."]
//! examples = ["token = exa_..."]       # must match (checked by a test for every rule)
//! negative_examples = ["exa_short"]    # must not match
//! [rule.taxonomy]                      # optional: overrides the default CWE-798 mapping
//! cwe = ["CWE-321"]
//! ```

use std::path::Path;

use rampart_core::{Confidence, RuleMeta, Severity, Taxonomy};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::PatternID;
use serde::Deserialize;

/// The regex size limit per rule: generous for real patterns, a stop for pathological ones.
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// How far (in bytes) a match may extend on either side of the keyword that let the rule run.
/// The regex only searches that window around each keyword, not the whole file.
pub const DEFAULT_WINDOW: usize = 512;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// A rule as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub keywords: Vec<String>,
    pub pattern: toml::Spanned<String>,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Bytes a match may extend before and after its keyword (default 512); raise it for
    /// multi-line secrets such as PEM blocks.
    #[serde(default)]
    pub window: Option<usize>,
    pub description: String,
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub taxonomy: Option<Taxonomy>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: RuleMeta,
    pub keywords: Vec<String>,
    pub regex: Regex,
    /// Index of the `secret` capture group, when the pattern has one.
    pub secret_group: Option<usize>,
    pub entropy: Option<f64>,
    pub window: usize,
    /// Lower-cased stop-words.
    pub stopwords: Vec<Vec<u8>>,
    pub examples: Vec<String>,
    pub negative_examples: Vec<String>,
}

/// A rule file that cannot be used, with the file and line at fault.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses and compiles every rule in a rule file. `file` names it in errors.
pub fn load_rule_file(file: &Path, text: &str) -> Result<Vec<Rule>, RuleError> {
    let name = file.display().to_string();
    let err = |line: usize, message: String| RuleError {
        file: name.clone(),
        line,
        message,
    };
    let parsed: RuleFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        err(line, e.message().to_string())
    })?;
    let mut rules = Vec::with_capacity(parsed.rule.len());
    for spec in parsed.rule {
        let line = line_of(text, spec.pattern.span().start);
        if !spec.id.starts_with("secret.") {
            return Err(err(
                line,
                format!("rule id `{}` must start with `secret.`", spec.id),
            ));
        }
        if spec.keywords.iter().all(|k| k.trim().is_empty()) {
            return Err(err(
                line,
                format!("rule `{}` needs at least one keyword: rules without one would run on every file", spec.id),
            ));
        }
        let regex = compile(spec.pattern.get_ref()).map_err(|e| {
            err(
                line,
                format!("rule `{}` has an invalid pattern: {e}", spec.id),
            )
        })?;
        let secret_group = regex.group_info().to_index(PatternID::ZERO, "secret");
        let taxonomy = spec.taxonomy.unwrap_or_else(crate::default_taxonomy);
        rules.push(Rule {
            meta: RuleMeta {
                id: spec.id,
                scanner: "secrets".to_string(),
                title: spec.title,
                severity: spec.severity,
                confidence: spec.confidence,
                description: spec.description.trim().to_string(),
                remediation: spec.remediation.trim().to_string(),
                references: spec.references,
                taxonomy,
            },
            keywords: spec.keywords,
            regex,
            secret_group,
            entropy: spec.entropy,
            window: spec.window.unwrap_or(DEFAULT_WINDOW),
            stopwords: spec
                .stopwords
                .iter()
                .map(|s| s.to_ascii_lowercase().into_bytes())
                .collect(),
            examples: spec.examples,
            negative_examples: spec.negative_examples,
        });
    }
    Ok(rules)
}

/// Patterns match bytes with ASCII classes: `\w`, `\d`, `\s` and `\b` are ASCII, which is what
/// credential formats are made of, and it keeps every rule on the fast DFA engines.
fn compile(pattern: &str) -> Result<Regex, Box<meta::BuildError>> {
    meta::Builder::new()
        .configure(
            Regex::config()
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .utf8_empty(false),
        )
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build(pattern)
        .map_err(Box::new)
}

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Every built-in rule, compiled. Built-in rule files are checked by tests, so an error here
/// means a broken build, but it is still reported as an error rather than a crash.
pub fn builtin_rules() -> Result<Vec<Rule>, RuleError> {
    let mut all = Vec::new();
    for (name, text) in BUILTIN_RULE_FILES {
        all.extend(load_rule_file(Path::new(&format!("rules/{name}")), text)?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_regex_names_file_and_line() {
        let text = "[[rule]]\nid = \"secret.x\"\ntitle = \"t\"\nseverity = \"high\"\nconfidence = \"high\"\nkeywords = [\"x\"]\npattern = '(unclosed'\ndescription = \"d\"\nremediation = \"r\"\n";
        let e = load_rule_file(Path::new("custom.toml"), text).unwrap_err();
        assert_eq!(e.line, 7);
        assert!(
            e.to_string()
                .starts_with("custom.toml:7: rule `secret.x` has an invalid pattern"),
            "{e}"
        );
    }

    #[test]
    fn unknown_fields_and_missing_keywords_are_errors() {
        let e = load_rule_file(
            Path::new("c.toml"),
            "[[rule]]\nid = \"secret.x\"\nbogus = 1\n",
        )
        .unwrap_err();
        assert!(e.message.contains("bogus"), "{e}");
        let text = "[[rule]]\nid = \"secret.x\"\ntitle = \"t\"\nseverity = \"high\"\nconfidence = \"high\"\nkeywords = []\npattern = 'x'\ndescription = \"d\"\nremediation = \"r\"\n";
        let e = load_rule_file(Path::new("c.toml"), text).unwrap_err();
        assert!(e.message.contains("keyword"), "{e}");
    }
}
