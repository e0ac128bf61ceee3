//! Rego unit tests, as `opa test` runs them: every rule whose name starts with `test_`, in
//! every package of a bundle loaded with its `*_test.rego` files, passes when it evaluates
//! to `true`.

use std::path::PathBuf;

use crate::bundle::{Bundle, BundleError, Files};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// `package.test_name`.
    pub name: String,
    pub passed: bool,
    /// Why it failed: the value it had instead of `true`, or the evaluation error.
    pub failure: Option<String>,
}

/// Loads the policies and tests under `dirs` and runs every test.
pub fn run(dirs: &[PathBuf]) -> Result<Vec<TestResult>, BundleError> {
    let bundle = Bundle::load(dirs, Files::WithTests)?;
    Ok(run_bundle(&bundle))
}

pub fn run_bundle(bundle: &Bundle) -> Vec<TestResult> {
    let mut out = Vec::new();
    for package in bundle.packages() {
        for name in bundle
            .rule_names(&package)
            .into_iter()
            .filter(|n| n.starts_with("test_"))
        {
            let full = format!("{package}.{name}");
            let result = bundle
                .with_input(&serde_json::Value::Null)
                .and_then(|mut e| e.rule(&package, &name));
            out.push(match result {
                Ok(serde_json::Value::Bool(true)) => TestResult {
                    name: full,
                    passed: true,
                    failure: None,
                },
                Ok(other) => TestResult {
                    name: full,
                    passed: false,
                    failure: Some(format!("evaluated to {other}, not true")),
                },
                Err(e) => TestResult {
                    name: full,
                    passed: false,
                    failure: Some(e),
                },
            });
        }
    }
    out
}
