//! Settings of one run: flags first, then the nearest `rampart.toml`, then defaults.

use std::path::{Path, PathBuf};

use rampart_core::config::Config;
use rampart_core::exception::ExceptionSet;
use rampart_core::severity::FailOn;
use rampart_core::walk::{default_jobs, WalkOptions, DEFAULT_MAX_FILE_SIZE};
use rampart_core::EngineOptions;
use rampart_report::Format;
use rampart_secrets::SecretsOptions;

use crate::cli::{ColorChoice, ScanArgs};
use crate::Failure;

pub struct Settings {
    pub target: PathBuf,
    pub fail_on: FailOn,
    pub walk: WalkOptions,
    pub baseline: Option<PathBuf>,
    pub engine: EngineOptions,
    pub secrets: SecretsOptions,
    pub outputs: Vec<(Format, Option<PathBuf>)>,
    pub quiet: bool,
    pub color: ColorChoice,
    /// The vulnerability database for the deps scanner.
    pub db: PathBuf,
    /// The target is an SBOM given with `--sbom`.
    pub sbom_input: bool,
    /// VEX documents to apply to dependency findings.
    pub vex: Vec<PathBuf>,
    /// Terraform variable files for every root module.
    pub var_files: Vec<PathBuf>,
    /// Rego policy directories, and the namespaces to evaluate (empty: all).
    pub policies: Vec<PathBuf>,
    pub namespaces: Vec<String>,
    /// The name standard input is read as.
    pub stdin_name: String,
    /// Gate policy directories.
    pub gate_policies: Vec<PathBuf>,
    /// Accepted risks: from `[[exception]]` in the configuration and from
    /// `rampart-exceptions.toml` beside it (or in the scanned directory without one).
    pub exceptions: ExceptionSet,
    history: bool,
    staged: bool,
}

impl Settings {
    /// `formats` pairs each --format with the --output that follows it (from the parser's
    /// argument positions); `None` when the caller has no output flags (e.g. `baseline create`).
    pub fn resolve(
        args: &ScanArgs,
        outputs: Vec<(Format, Option<PathBuf>)>,
    ) -> Result<Settings, Failure> {
        let config_file = match &args.config {
            Some(file) => Some(file.clone()),
            None if args.path == Path::new("-") => Config::discover(Path::new(".")),
            None => Config::discover(&args.path),
        };
        let config = match &config_file {
            Some(file) => Config::load(file).map_err(|e| Failure::Usage(e.to_string()))?,
            None => Config::default(),
        };

        let fail_on = match &args.fail_on {
            Some(s) => s
                .parse::<FailOn>()
                .map_err(|e| Failure::Usage(format!("--fail-on: {e}")))?,
            // With a gate policy and no threshold given, the policy alone decides.
            None if config.gate.fail_on.is_none()
                && !(args.gate_policies.is_empty() && config.gate.policy.is_empty()) =>
            {
                FailOn::None
            }
            None => config.gate.fail_on.unwrap_or_default(),
        };
        let jobs = args.jobs.or(config.scan.jobs).unwrap_or_else(default_jobs);
        if jobs == 0 {
            return Err(Failure::Usage("--jobs must be at least 1".into()));
        }
        let mut excludes = config.scan.exclude.clone();
        excludes.extend(args.exclude.iter().cloned());
        let walk = WalkOptions {
            excludes,
            no_ignore: args.no_ignore || config.scan.no_ignore,
            max_file_size: args
                .max_file_size
                .or(config.scan.max_file_size)
                .unwrap_or(DEFAULT_MAX_FILE_SIZE),
            jobs,
        };
        let mut disabled = config.rules.disable.clone();
        disabled.extend(args.disable_rules.iter().cloned());
        let engine = EngineOptions {
            disabled: disabled.clone(),
            ignores: config.rules.ignore.clone(),
            show_secrets: args.show_secrets,
            cache: if args.no_cache {
                None
            } else {
                rampart_core::cache::default_dir()
            },
        };
        let mut extra_rule_files = config.secrets.rules.clone();
        extra_rule_files.extend(args.rule_files.iter().cloned());
        let secrets = SecretsOptions {
            extra_rule_files,
            disabled,
            decode_base64: config.secrets.decode_base64 && !args.no_decode,
        };
        Ok(Settings {
            target: args.path.clone(),
            fail_on,
            walk,
            baseline: args.baseline.clone().or(config.gate.baseline.clone()),
            engine,
            secrets,
            outputs,
            quiet: args.quiet,
            color: args.color,
            db: args
                .db
                .clone()
                .unwrap_or_else(rampart_sca::vulndb::default_path),
            sbom_input: args.sbom.is_some(),
            vex: args.vex.clone(),
            var_files: args
                .var_files
                .iter()
                .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
                .collect(),
            policies: args.policies.clone(),
            namespaces: if args.all_namespaces {
                Vec::new()
            } else if args.namespaces.is_empty() {
                vec!["main".to_string()]
            } else {
                args.namespaces.clone()
            },
            stdin_name: args.stdin_name.clone(),
            gate_policies: if args.gate_policies.is_empty() {
                config.gate.policy.clone()
            } else {
                args.gate_policies.clone()
            },
            exceptions: load_exceptions(&config, config_file.as_deref(), &args.path)?,
            history: args.history,
            staged: args.staged,
        })
    }

    pub fn history(&self) -> bool {
        self.history
    }

    pub fn staged(&self) -> bool {
        self.staged
    }
}

/// Pairs formats with outputs by their positions on the command line: an --output belongs to
/// the closest --format before it. With no --format, an --output's extension picks the format.
pub fn pair_outputs(
    formats: &[(usize, String)],
    outputs: &[(usize, PathBuf)],
) -> Result<Vec<(Format, Option<PathBuf>)>, Failure> {
    let mut pairs: Vec<(Format, Option<PathBuf>)> = Vec::new();
    let mut positions: Vec<usize> = Vec::new();
    for (pos, f) in formats {
        let format = f
            .parse::<Format>()
            .map_err(|e| Failure::Usage(format!("--format: {e}")))?;
        pairs.push((format, None));
        positions.push(*pos);
    }
    for (pos, file) in outputs {
        match positions.iter().rposition(|p| p < pos) {
            Some(i) if pairs[i].1.is_none() => pairs[i].1 = Some(file.clone()),
            Some(_) => {
                return Err(Failure::Usage(format!(
                    "--output {} follows a --format that already has an output",
                    file.display()
                )))
            }
            None if formats.is_empty() => {
                pairs.push((format_for_extension(file), Some(file.clone())))
            }
            None => {
                return Err(Failure::Usage(format!(
                    "--output {} must follow the --format it is for",
                    file.display()
                )))
            }
        }
    }
    if pairs.is_empty() {
        pairs.push((Format::Table, None));
    }
    if pairs.iter().filter(|(_, out)| out.is_none()).count() > 1 {
        return Err(Failure::Usage(
            "only one format can go to standard output; give the others an --output FILE".into(),
        ));
    }
    Ok(pairs)
}

fn format_for_extension(file: &Path) -> Format {
    match file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "json" => Format::Json,
        "sarif" => Format::Sarif,
        "xml" => Format::Junit,
        "md" | "markdown" => Format::Markdown,
        _ => Format::Table,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_pair_with_the_format_before_them() {
        let f = vec![(1, "json".to_string()), (5, "table".to_string())];
        let o = vec![(3, PathBuf::from("r.json"))];
        let pairs = pair_outputs(&f, &o).unwrap_or_default();
        assert_eq!(
            pairs,
            vec![
                (Format::Json, Some(PathBuf::from("r.json"))),
                (Format::Table, None)
            ]
        );
    }

    #[test]
    fn bare_output_infers_format_and_two_stdout_formats_are_refused() {
        let pairs = pair_outputs(&[], &[(1, PathBuf::from("x.sarif"))]).unwrap_or_default();
        assert_eq!(pairs, vec![(Format::Sarif, Some(PathBuf::from("x.sarif")))]);
        assert!(pair_outputs(&[(1, "json".into()), (3, "sarif".into())], &[]).is_err());
        assert!(pair_outputs(&[(3, "json".into())], &[(1, PathBuf::from("a"))]).is_err());
        assert!(pair_outputs(&[(1, "yaml".into())], &[]).is_err());
    }
}

/// The exceptions of the configuration, and of the exceptions file beside it (or, without a
/// configuration, in the scanned directory or the current one).
fn load_exceptions(
    config: &Config,
    config_file: Option<&Path>,
    target: &Path,
) -> Result<ExceptionSet, Failure> {
    let mut set = ExceptionSet::default();
    let config_name = config_file
        .map(|f| f.display().to_string())
        .unwrap_or_default();
    set.add(&config.exceptions, &config_name)
        .map_err(|e| Failure::Usage(format!("{config_name}: {e}")))?;
    let dir = match config_file {
        Some(f) => f.parent().map(Path::to_path_buf),
        None if target.is_dir() => Some(target.to_path_buf()),
        None => Some(PathBuf::from(".")),
    };
    let Some(file) = dir.map(|d| d.join(rampart_core::exception::FILE_NAME)) else {
        return Ok(set);
    };
    if !file.is_file() {
        return Ok(set);
    }
    let name = file.display().to_string();
    let parsed = rampart_core::exception::read_file(&file)
        .map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
    set.add(&parsed, &name)
        .map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
    Ok(set)
}
