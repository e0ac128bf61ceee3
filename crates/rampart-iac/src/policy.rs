//! Custom checks in Rego, with conftest's conventions, so existing conftest policies run
//! unchanged: every `.rego` file of the policy directories (test files, `*_test.rego`, are
//! left out) is loaded; in the chosen namespaces (`main` unless told otherwise) the rules
//! named `deny`, `violation` or `warn`, alone or with a `_suffix`, are evaluated for each
//! document, and each message they produce (a string, or an object with a `msg`) is a
//! finding. `deny` and `violation` findings are high severity (they fail the default gate),
//! `warn` findings low.
//!
//! The input is the document as conftest gives it: a YAML or JSON document as written, a
//! Dockerfile as conftest's list of `{Cmd, Flags, Value, ...}` instructions, a Terraform
//! file as `{"resource": {type: {name: body}}, "data": {...}}` with the bodies evaluated
//! (variables and locals resolved; nested blocks as lists, as conftest's HCL parser gives).
//! Policies written for Rego v1 or, failing that, the older v0 syntax both load. Evaluation
//! is bounded in time.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use rampart_core::{Confidence, RuleMeta, Severity, Taxonomy};
use rampart_policy::bundle::{Bundle, Files};

pub use rampart_policy::BundleError as PolicyError;

/// The level conftest gives a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Deny,
    Warn,
}

/// One rule a policy set evaluates: `data.<namespace>.<name>`.
#[derive(Debug, Clone)]
pub struct PolicyRule {
    pub namespace: String,
    pub name: String,
    pub level: Level,
    pub meta: RuleMeta,
}

/// A message a rule produced for a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub rule: String,
    pub message: String,
}

/// Loaded policies, ready to evaluate.
pub struct PolicySet {
    bundle: Bundle,
    rules: Vec<PolicyRule>,
}

/// Whether a rule name is one conftest evaluates.
fn level_of(name: &str) -> Option<Level> {
    let base = name.split('_').next().unwrap_or(name);
    match base {
        "deny" | "violation" => Some(Level::Deny),
        "warn" => Some(Level::Warn),
        _ => None,
    }
}

impl PolicySet {
    /// Loads every policy under `dirs` and finds the rules of `namespaces` (every namespace
    /// when empty).
    pub fn load(dirs: &[PathBuf], namespaces: &[String]) -> Result<PolicySet, PolicyError> {
        let bundle = Bundle::load(dirs, Files::Policies)?;
        let mut rules = Vec::new();
        let mut seen = BTreeSet::new();
        for namespace in bundle.packages() {
            if !namespaces.is_empty() && !namespaces.contains(&namespace) {
                continue;
            }
            for name in bundle.rule_names(&namespace) {
                let Some(level) = level_of(&name) else {
                    continue;
                };
                if seen.insert((namespace.clone(), name.clone())) {
                    let meta = rule_meta(&namespace, &name, level, &bundle.files());
                    rules.push(PolicyRule {
                        namespace: namespace.clone(),
                        name,
                        level,
                        meta,
                    });
                }
            }
        }
        rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        Ok(PolicySet { bundle, rules })
    }

    pub fn rules(&self) -> &[PolicyRule] {
        &self.rules
    }

    /// Bounds each rule's evaluation on a document (default five seconds).
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.bundle.set_time_limit(limit);
    }

    pub fn files(&self) -> Vec<&std::path::Path> {
        self.bundle.files()
    }

    /// Every message the rules produce for one input document. A rule that fails to
    /// evaluate (a runtime error, the time limit) is reported as such, not skipped silently.
    pub fn evaluate(&self, input: &serde_json::Value) -> (Vec<Violation>, Vec<String>) {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        let mut evaluation = match self.bundle.with_input(input) {
            Ok(e) => e,
            Err(e) => return (found, vec![e]),
        };
        for rule in &self.rules {
            match evaluation.messages(&rule.namespace, &rule.name) {
                Ok(messages) => found.extend(messages.into_iter().map(|m| Violation {
                    rule: rule.meta.id.clone(),
                    message: m.text,
                })),
                Err(e) => errors.push(format!("policy {}.{}: {e}", rule.namespace, rule.name)),
            }
        }
        (found, errors)
    }
}

fn rule_meta(namespace: &str, name: &str, level: Level, files: &[&std::path::Path]) -> RuleMeta {
    let (severity, what) = match level {
        Level::Deny => (Severity::High, "denies"),
        Level::Warn => (Severity::Low, "warns about"),
    };
    RuleMeta {
        id: format!("policy.{namespace}.{name}"),
        scanner: "policy".to_string(),
        title: format!("Policy {namespace}.{name}"),
        severity,
        confidence: Confidence::High,
        description: format!(
            "A custom Rego policy (`data.{namespace}.{name}`, in {}) {what} this configuration; its message says why.",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        remediation: "Change the configuration as the policy's message asks, or, if the policy is wrong for this case, suppress the finding with a reason.".to_string(),
        references: vec!["https://www.conftest.dev/".to_string()],
        taxonomy: Taxonomy::default(),
    }
}

/// The `policy` scanner: every IaC document, as conftest would give it, through the policies.
pub struct PolicyScanner {
    set: PolicySet,
    rules: Vec<RuleMeta>,
    modules: std::sync::Arc<crate::terraform::ModuleCache>,
}

impl PolicyScanner {
    /// Policies over the documents the files hold; Terraform modules come from `modules`,
    /// which the `iac` scanner shares (see [`crate::scanner::IacScanner::modules`]).
    pub fn new(
        set: PolicySet,
        modules: std::sync::Arc<crate::terraform::ModuleCache>,
    ) -> PolicyScanner {
        let rules = set.rules().iter().map(|r| r.meta.clone()).collect();
        PolicyScanner {
            set,
            rules,
            modules,
        }
    }
}

/// The inputs conftest would evaluate for a file, each with the line it starts on.
pub fn conftest_inputs(
    path: &str,
    text: &str,
    origin: &rampart_core::Origin,
    modules: &crate::terraform::ModuleCache,
) -> Vec<(u32, serde_json::Value)> {
    use crate::detect::{kind_of_path, Candidate};
    use crate::model::Kind;
    match kind_of_path(path) {
        Some(Candidate::Kind(Kind::Dockerfile)) => {
            vec![(1, crate::dockerfile::parse(text).to_conftest_input())]
        }
        Some(Candidate::Kind(Kind::Terraform)) => {
            let rampart_core::Origin::Disk(file) = origin else {
                return Vec::new();
            };
            let Some(dir) = file.parent() else {
                return Vec::new();
            };
            let module = modules.get(dir);
            let mut input = serde_json::Map::new();
            for r in module.resources.iter().filter(|r| &r.file == file) {
                let section = match r.mode {
                    crate::terraform::Mode::Managed => "resource",
                    crate::terraform::Mode::Data => "data",
                };
                let by_type = input
                    .entry(section)
                    .or_insert_with(|| serde_json::json!({}));
                if let Some(types) = by_type.as_object_mut() {
                    let named = types
                        .entry(r.kind.clone())
                        .or_insert_with(|| serde_json::json!({}));
                    if let Some(named) = named.as_object_mut() {
                        named.insert(r.name.clone(), r.body.to_json());
                    }
                }
            }
            if input.is_empty() {
                Vec::new()
            } else {
                vec![(1, serde_json::Value::Object(input))]
            }
        }
        Some(_) => crate::scanner::load_documents(path, text)
            .0
            .into_iter()
            .map(|d| (d.root.span.line.max(1), d.root.to_json()))
            .collect(),
        None => Vec::new(),
    }
}

impl rampart_core::Scanner for PolicyScanner {
    fn name(&self) -> &'static str {
        "policy"
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    fn wants(&self, path: &str) -> bool {
        crate::detect::kind_of_path(path).is_some()
    }

    fn scan(
        &self,
        blob: &rampart_core::Blob<'_>,
        findings: &mut Vec<rampart_core::RawFinding>,
        diagnostics: &mut Vec<rampart_core::Diagnostic>,
    ) {
        let text = String::from_utf8_lossy(blob.bytes);
        let inputs = conftest_inputs(blob.path, &text, blob.origin, &self.modules);
        if inputs.is_empty() {
            return;
        }
        let lines = crate::scanner::Lines::new(&text);
        for (line, input) in inputs {
            let (found, errors) = self.set.evaluate(&input);
            for e in errors {
                diagnostics.push(rampart_core::Diagnostic::warning(blob.path, e).at_line(line));
            }
            for v in found {
                findings.push(
                    rampart_core::RawFinding::new(v.rule, lines.span_of(line))
                        .with_identity(format!("{line}\0{}", v.message))
                        .with_message(v.message),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)], namespaces: &[&str]) -> Result<PolicySet, PolicyError> {
        let dir = tempfile::tempdir().map_err(|e| PolicyError::Empty(e.to_string()))?;
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text)
                .map_err(|e| PolicyError::Empty(e.to_string()))?;
        }
        let namespaces: Vec<String> = namespaces.iter().map(|s| s.to_string()).collect();
        PolicySet::load(&[dir.path().to_path_buf()], &namespaces)
    }

    #[test]
    fn v0_and_v1_policies_load_and_their_rules_are_found() {
        let s = set(
            &[
                ("old.rego", "package main\n\ndeny[msg] {\n  input.kind == \"Pod\"\n  msg := sprintf(\"pod %s\", [input.metadata.name])\n}\n\nwarn_latest[msg] {\n  msg := \"careful\"\n}\n"),
                ("new.rego", "package main\nimport rego.v1\n\nviolation contains {\"msg\": \"no labels\"} if {\n  not input.metadata.labels\n}\n\nhelper := 1\n"),
                ("skipped_test.rego", "package main\nthis is not even rego\n"),
            ],
            &["main"],
        )
        .expect("loads");
        let ids: Vec<&str> = s.rules().iter().map(|r| r.meta.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "policy.main.deny",
                "policy.main.violation",
                "policy.main.warn_latest"
            ]
        );
        let (found, errors) =
            s.evaluate(&serde_json::json!({"kind": "Pod", "metadata": {"name": "web"}}));
        assert!(errors.is_empty(), "{errors:?}");
        let messages: Vec<&str> = found.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(messages, ["pod web", "no labels", "careful"]);
    }

    #[test]
    fn syntax_errors_name_the_file_and_namespaces_filter() {
        let err = set(&[("bad.rego", "package main\ndeny[msg] {\n")], &[])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("bad.rego"), "{err}");
        let s = set(
            &[(
                "k.rego",
                "package kubernetes.admission\nimport rego.v1\ndeny contains \"x\" if true\n",
            )],
            &["main"],
        )
        .expect("loads");
        assert!(s.rules().is_empty());
        let s = set(
            &[(
                "k.rego",
                "package kubernetes.admission\nimport rego.v1\ndeny contains \"x\" if true\n",
            )],
            &[],
        )
        .expect("loads");
        assert_eq!(s.rules()[0].meta.id, "policy.kubernetes.admission.deny");
    }

    #[test]
    fn a_policy_that_runs_too_long_is_an_error_not_a_hang() {
        let s = set(
            &[("slow.rego", "package main\nimport rego.v1\ndeny contains \"x\" if {\n  some a in numbers.range(1, 3000)\n  some b in numbers.range(1, 3000)\n  some c in numbers.range(1, 3000)\n  a + b + c < 0\n}\n")],
            &["main"],
        )
        .expect("loads");
        let mut s = s;
        s.set_time_limit(Duration::from_millis(200));
        let started = std::time::Instant::now();
        let (found, errors) = s.evaluate(&serde_json::json!({}));
        assert!(found.is_empty());
        assert!(!errors.is_empty(), "the time limit stops it");
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
