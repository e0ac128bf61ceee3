//! A bundle of Rego policies: every `.rego` file of some directories, loaded as Rego v1 or,
//! failing that, as the older v0 syntax, with each rule's evaluation bounded in time.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regorus::Value;

/// How long one rule may evaluate on one input, unless told otherwise.
pub const TIME_LIMIT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path}: {message}")]
    Load { path: PathBuf, message: String },
    #[error("no .rego policies in {0}")]
    Empty(String),
}

/// Which files of the directories to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Files {
    /// Policies only: `*_test.rego` files are left out.
    Policies,
    /// Policies and their tests.
    WithTests,
}

/// Loaded policies, ready to evaluate.
#[derive(Clone)]
pub struct Bundle {
    engine: regorus::Engine,
    /// Each file with its text, so callers can digest what was evaluated.
    texts: Vec<(PathBuf, String)>,
}

/// A message a rule produced: a string, or an object with `msg` and, to name the findings
/// behind it, `findings` (or `finding`): fingerprints, or findings as the gate's input gives
/// them.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    /// The fingerprints of the findings it names, sorted, once each.
    pub findings: Vec<String>,
}

fn rego_files(
    dir: &Path,
    files: Files,
    out: &mut Vec<PathBuf>,
    depth: usize,
) -> Result<(), BundleError> {
    let load = |e: std::io::Error| BundleError::Load {
        path: dir.to_path_buf(),
        message: e.to_string(),
    };
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(load)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() && depth < 16 {
            rego_files(&path, files, out, depth + 1)?;
        } else if path.extension().is_some_and(|e| e == "rego")
            && (files == Files::WithTests || !path.to_string_lossy().ends_with("_test.rego"))
        {
            out.push(path);
        }
    }
    Ok(())
}

impl Bundle {
    /// Loads every policy file under `dirs` (a file stands for itself).
    pub fn load(dirs: &[PathBuf], files: Files) -> Result<Bundle, BundleError> {
        let mut paths = Vec::new();
        for dir in dirs {
            rego_files(dir, files, &mut paths, 0)?;
        }
        if paths.is_empty() {
            return Err(BundleError::Empty(
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        let mut texts = Vec::new();
        for path in &paths {
            let text = std::fs::read_to_string(path).map_err(|e| BundleError::Load {
                path: path.clone(),
                message: e.to_string(),
            })?;
            texts.push((path.clone(), text));
        }
        Bundle::from_sources(texts)
    }

    /// A bundle of policies given as (name, text).
    pub fn from_sources(texts: Vec<(PathBuf, String)>) -> Result<Bundle, BundleError> {
        let mut engine = regorus::Engine::new();
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: TIME_LIMIT,
            check_interval: std::num::NonZeroU32::MIN,
        });
        for (path, text) in &texts {
            // Rego v1 first; policies in the older syntax (`deny[msg] { ... }`) load as v0.
            let mut attempt = engine.clone();
            attempt.set_rego_v0(false);
            match attempt.add_policy(path.display().to_string(), text.clone()) {
                Ok(_) => engine = attempt,
                Err(v1) => {
                    engine.set_rego_v0(true);
                    engine
                        .add_policy(path.display().to_string(), text.clone())
                        .map_err(|v0| BundleError::Load {
                            path: path.clone(),
                            message: format!("{v1}\n(as Rego v0: {v0})"),
                        })?;
                    engine.set_rego_v0(false);
                }
            }
        }
        Ok(Bundle { engine, texts })
    }

    /// The policy files, in load order.
    pub fn files(&self) -> Vec<&Path> {
        self.texts.iter().map(|(p, _)| p.as_path()).collect()
    }

    /// The files and their text, in load order.
    pub fn sources(&self) -> &[(PathBuf, String)] {
        &self.texts
    }

    /// Bounds each rule's evaluation on an input.
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.engine
            .set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
                limit,
                check_interval: std::num::NonZeroU32::MIN,
            });
    }

    /// The packages (`a.b`, without `data.`), sorted.
    pub fn packages(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .engine
            .get_packages()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.trim_start_matches("data.").to_string())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The names of the rules a package defines, sorted (read from the parsed modules:
    /// regorus's AST as JSON).
    pub fn rule_names(&self, package: &str) -> Vec<String> {
        let Ok(json) = self.engine.get_ast_as_json() else {
            return Vec::new();
        };
        let Ok(serde_json::Value::Array(modules)) =
            serde_json::from_str::<serde_json::Value>(&json)
        else {
            return Vec::new();
        };
        let mut names = BTreeSet::new();
        for module in &modules {
            let ast = &module["ast"];
            if path_of(&ast["package"]["refr"]).join(".") != package {
                continue;
            }
            for rule in ast["rules"].as_array().into_iter().flatten() {
                let head = &rule["Spec"]["head"];
                for form in ["Set", "Compr", "Func"] {
                    if let Some(first) = path_of(&head[form]["refr"]).first() {
                        names.insert(first.clone());
                    }
                }
            }
        }
        names.into_iter().collect()
    }

    /// An engine with `input` set, for evaluating several rules on one input.
    pub fn with_input(&self, input: &serde_json::Value) -> Result<Evaluation, String> {
        Ok(self.with_engine_input(regorus::Value::from(input.clone())))
    }

    /// As [`Bundle::with_input`], with the input already in the engine's form.
    pub fn with_engine_input(&self, input: regorus::Value) -> Evaluation {
        let mut engine = self.engine.clone();
        engine.set_input(input);
        Evaluation { engine }
    }
}

/// A bundle with its input set.
pub struct Evaluation {
    engine: regorus::Engine,
}

impl Evaluation {
    /// The value of `data.<package>.<rule>` as JSON (`undefined` rules are an error).
    pub fn rule(&mut self, package: &str, rule: &str) -> Result<serde_json::Value, String> {
        let value = self
            .engine
            .eval_rule(format!("data.{package}.{rule}"))
            .map_err(|e| e.to_string())?;
        let json = value.to_json_str().map_err(|e| e.to_string())?;
        serde_json::from_str(&json).map_err(|e| e.to_string())
    }

    /// The value of a query (`data.<package>`: every rule of the package) as the engine holds
    /// it; `undefined` when it produced nothing.
    pub fn query(&mut self, query: &str) -> Result<regorus::Value, String> {
        let results = self
            .engine
            .eval_query(query.to_string(), false)
            .map_err(|e| e.to_string())?;
        Ok(results
            .result
            .into_iter()
            .next()
            .and_then(|r| r.expressions.into_iter().next())
            .map(|e| e.value)
            .unwrap_or(regorus::Value::Undefined))
    }

    /// The messages of a rule (see [`messages`]).
    pub fn messages(&mut self, package: &str, rule: &str) -> Result<Vec<Message>, String> {
        self.engine
            .eval_rule(format!("data.{package}.{rule}"))
            .map(|v| messages(&v))
            .map_err(|e| e.to_string())
    }
}

/// The names of a reference (`a.b.c`), in order.
fn path_of(refr: &serde_json::Value) -> Vec<String> {
    if let Some(name) = refr["Var"]["value"].as_str() {
        return vec![name.to_string()];
    }
    let dot = &refr["RefDot"];
    if !dot.is_null() {
        let mut out = path_of(&dot["refr"]);
        if let Some(field) = dot["field"].as_str().or_else(|| dot["field"][1].as_str()) {
            out.push(field.to_string());
        } else if let Some(field) = dot["field"]["value"].as_str() {
            out.push(field.to_string());
        }
        return out;
    }
    Vec::new()
}

/// The messages of a rule's value, as conftest reads them: a set or array of strings, or of
/// objects with `msg`; a single string.
pub fn messages(value: &Value) -> Vec<Message> {
    let items: Vec<&Value> = match value {
        Value::String(_) => vec![value],
        _ => elements(value),
    };
    items
        .into_iter()
        .filter_map(|item| match item {
            Value::String(s) => Some(Message {
                text: s.to_string(),
                findings: Vec::new(),
            }),
            Value::Object(_) => match field(item, "msg") {
                Some(Value::String(s)) => Some(Message {
                    text: s.to_string(),
                    findings: fingerprints(item),
                }),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn elements(value: &Value) -> Vec<&Value> {
    match value {
        Value::Set(items) => items.iter().collect(),
        Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// A field of an object value.
pub fn field<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    match value {
        Value::Object(o) => o.get(&Value::from(name)),
        _ => None,
    }
}

fn fingerprints(details: &Value) -> Vec<String> {
    let named: Vec<&Value> = match (field(details, "findings"), field(details, "finding")) {
        (Some(many @ (Value::Array(_) | Value::Set(_))), _) => elements(many),
        (_, Some(one)) => vec![one],
        _ => Vec::new(),
    };
    let mut out: Vec<String> = named
        .into_iter()
        .filter_map(|f| match f {
            Value::String(s) => Some(s.to_string()),
            _ => match field(f, "fingerprint") {
                Some(Value::String(s)) => Some(s.to_string()),
                _ => None,
            },
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
