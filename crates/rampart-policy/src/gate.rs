//! The security gate as policy. A bundle's rules named `deny` or `warn` (alone or with a
//! `_suffix`), in every package, are evaluated once over the whole report: each `deny` message
//! fails the gate, each `warn` message is shown. A message is a string, or an object with
//! `msg` and, to name the findings behind it, `findings` (fingerprints, or findings as the
//! input gives them).
//!
//! The input is the report, as [`crate::input`] describes it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rampart_core::report::{PolicyDecision, PolicyMessage};
use rampart_core::Report;
use regorus::Value;
use sha2::{Digest, Sha256};

use crate::bundle::{field, messages, Bundle, BundleError, Files};

/// A gate policy, loaded.
pub struct GatePolicy {
    bundle: Bundle,
    /// (package, rule, denies?)
    rules: Vec<(String, String, bool)>,
    digest: String,
}

fn level(name: &str) -> Option<bool> {
    match name.split('_').next().unwrap_or(name) {
        "deny" | "violation" => Some(true),
        "warn" => Some(false),
        _ => None,
    }
}

impl GatePolicy {
    pub fn load(dirs: &[PathBuf]) -> Result<GatePolicy, BundleError> {
        GatePolicy::new(Bundle::load(dirs, Files::Policies)?)
    }

    pub fn new(bundle: Bundle) -> Result<GatePolicy, BundleError> {
        let mut rules = Vec::new();
        for package in bundle.packages() {
            for name in bundle.rule_names(&package) {
                if let Some(denies) = level(&name) {
                    rules.push((package.clone(), name, denies));
                }
            }
        }
        if rules.is_empty() {
            return Err(BundleError::Empty(format!(
                "{} (no `deny` or `warn` rule)",
                bundle
                    .files()
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut hasher = Sha256::new();
        for (path, text) in bundle.sources() {
            hasher.update(path.display().to_string().as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        let digest = format!("sha256:{:x}", hasher.finalize());
        Ok(GatePolicy {
            bundle,
            rules,
            digest,
        })
    }

    pub fn set_time_limit(&mut self, limit: std::time::Duration) {
        self.bundle.set_time_limit(limit);
    }

    /// Evaluates the policy over a report.
    pub fn decide(&self, report: &Report) -> PolicyDecision {
        self.decide_on(&crate::input::gate_input(report))
    }

    /// Evaluates the policy over a report's input ([`crate::input::gate_input`]), for callers
    /// that keep the input or choose when to free it.
    pub fn decide_on(&self, input: &Value) -> PolicyDecision {
        let mut decision = PolicyDecision {
            files: self
                .bundle
                .files()
                .iter()
                .map(|f| f.display().to_string())
                .collect(),
            digest: self.digest.clone(),
            ..PolicyDecision::default()
        };
        for (index, result) in self.evaluate(input).into_iter().enumerate() {
            let (package, name, denies) = &self.rules[index];
            let value = match result {
                Ok(value) => value,
                Err(e) => {
                    decision.errors.push(format!("{package}.{name}: {e}"));
                    continue;
                }
            };
            for m in messages(&value) {
                let message = PolicyMessage {
                    rule: format!("{package}.{name}"),
                    message: m.text,
                    findings: m.findings,
                };
                if *denies {
                    decision.denies.push(message);
                } else {
                    decision.warnings.push(message);
                }
            }
        }
        decision
    }

    /// Every deny and warn rule evaluated over the input, in the order of `self.rules`. Each
    /// package is one query, so the helper rules its deny and warn rules share are evaluated
    /// once; packages are shared among threads (one per core, each taking the next package as
    /// it finishes one), each thread with its own engine over the same input.
    fn evaluate(&self, input: &Value) -> Vec<Result<Value, String>> {
        let mut packages: Vec<&str> = self.rules.iter().map(|(p, _, _)| p.as_str()).collect();
        packages.dedup();
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
            .clamp(1, packages.len().max(1));
        let next = AtomicUsize::new(0);
        let mut values: Vec<Option<Result<Value, String>>> = vec![None; packages.len()];
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let (input, next, packages) = (input.clone(), &next, &packages);
                    scope.spawn(move || {
                        let mut evaluation = self.bundle.with_engine_input(input);
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(package) = packages.get(i) else {
                                return done;
                            };
                            done.push((i, evaluation.query(&format!("data.{package}"))));
                        }
                    })
                })
                .collect();
            for worker in workers {
                // A worker that panicked leaves its packages without a value: reported below.
                if let Ok(done) = worker.join() {
                    for (i, value) in done {
                        values[i] = Some(value);
                    }
                }
            }
        });
        self.rules
            .iter()
            .map(|(package, name, _)| {
                let i = packages.iter().position(|p| p == package).unwrap_or(0);
                match values.get(i).cloned().flatten() {
                    Some(Ok(value)) => Ok(field(&value, name).cloned().unwrap_or(Value::Undefined)),
                    Some(Err(e)) => Err(e),
                    None => Err("the evaluation stopped unexpectedly".to_string()),
                }
            })
            .collect()
    }
}
