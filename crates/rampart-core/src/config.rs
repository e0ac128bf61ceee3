//! `rampart.toml`: found by walking up from the target, every key also a command-line flag.
//! Unknown keys are errors that name the key and its line, so a typo never silently turns a
//! setting off.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::severity::FailOn;

pub const FILE_NAME: &str = "rampart.toml";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub scan: ScanConfig,
    #[serde(default)]
    pub gate: GateConfig,
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub secrets: SecretsConfig,
    /// Accepted risks (`[[exception]]`); see [`crate::exception`].
    #[serde(default, rename = "exception")]
    pub exceptions: Vec<crate::exception::Exception>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    /// Glob patterns (gitignore syntax) of paths never to scan.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Scan files that `.gitignore` and `.ignore` would skip.
    #[serde(default)]
    pub no_ignore: bool,
    /// Files larger than this many bytes are skipped and counted.
    pub max_file_size: Option<u64>,
    /// Worker threads; defaults to the number of cores.
    pub jobs: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateConfig {
    /// Fail the run when a finding is at or above this severity (`none` never fails).
    pub fail_on: Option<FailOn>,
    /// A baseline file: findings recorded in it are not reported or gated on.
    pub baseline: Option<PathBuf>,
    /// Gate policy directories (Rego): their `deny` rules over the report fail the gate.
    #[serde(default)]
    pub policy: Vec<PathBuf>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Rule ids (or prefixes ending in `*`) that never run.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Rules to ignore under some paths only.
    #[serde(default)]
    pub ignore: Vec<RuleIgnore>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleIgnore {
    /// Rule ids or prefixes ending in `*`; empty means every rule.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Glob patterns (gitignore syntax) the ignore applies to.
    pub paths: Vec<String>,
    /// Why, for the next reader.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// Extra rule files (same format as the built-in ones), relative to the config file.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Decode base64 blobs and scan what they hide.
    #[serde(default = "yes")]
    pub decode_base64: bool,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        SecretsConfig {
            rules: Vec::new(),
            decode_base64: true,
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// The 1-based line a TOML error points at.
pub(crate) fn error_line(text: &str, e: &toml::de::Error) -> usize {
    e.span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
        .unwrap_or(1)
}

impl Config {
    /// Parses a configuration file, with errors naming the file and line.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            line: error_line(text, &e),
            message: e.message().to_string(),
        })
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(path, &text)?;
        // Paths in a config file are relative to the file, not to wherever rampart runs.
        let dir = path.parent().unwrap_or(Path::new("."));
        for rules in &mut config.secrets.rules {
            if rules.is_relative() {
                *rules = dir.join(&*rules);
            }
        }
        for policy in &mut config.gate.policy {
            if policy.is_relative() {
                *policy = dir.join(&*policy);
            }
        }
        if let Some(baseline) = &mut config.gate.baseline {
            if baseline.is_relative() {
                *baseline = dir.join(&*baseline);
            }
        }
        Ok(config)
    }

    /// The nearest `rampart.toml` in `start` or one of its ancestors.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = start.canonicalize().ok()?;
        let mut dir = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::Severity;

    #[test]
    fn parses_every_section() {
        let text = r#"
[scan]
exclude = ["vendor/**"]
max_file_size = 1000

[gate]
fail_on = "medium"

[rules]
disable = ["secret.generic-*"]

[[rules.ignore]]
rules = ["secret.aws-access-key-id"]
paths = ["tests/fixtures/**"]
reason = "fake keys for tests"

[secrets]
decode_base64 = false
"#;
        let c = Config::parse(Path::new("rampart.toml"), text).unwrap();
        assert_eq!(c.scan.exclude, vec!["vendor/**"]);
        assert_eq!(c.gate.fail_on, Some(FailOn::Severity(Severity::Medium)));
        assert_eq!(c.rules.ignore[0].paths, vec!["tests/fixtures/**"]);
        assert!(!c.secrets.decode_base64);
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let text = "[scan]\nexclude = []\nexclud = [\"x\"]\n";
        let err = Config::parse(Path::new("rampart.toml"), text).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("rampart.toml:3:"), "{msg}");
        assert!(msg.contains("exclud"), "{msg}");
    }

    #[test]
    fn bad_values_are_errors_too() {
        let err = Config::parse(Path::new("r.toml"), "[gate]\nfail_on = \"severe\"\n").unwrap_err();
        assert!(err.to_string().contains("r.toml:2:"), "{err}");
        let err = Config::parse(Path::new("r.toml"), "[scan\n").unwrap_err();
        assert!(err.to_string().starts_with("r.toml:1:"), "{err}");
    }

    #[test]
    fn discovery_walks_up_from_the_target() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        let found = Config::discover(&nested).unwrap();
        assert_eq!(found, dir.path().canonicalize().unwrap().join(FILE_NAME));
    }
}
