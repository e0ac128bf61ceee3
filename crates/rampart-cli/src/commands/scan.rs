use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::ArgMatches;
use rampart_core::baseline::Baseline;
use rampart_core::engine::SourceItem;
use rampart_core::report::{Gate, Tool, REPORT_SCHEMA_VERSION};
use rampart_core::walk::{scan_path, WalkError};
use rampart_core::{
    Accumulator, Diagnostic, Engine, Finding, Origin, OwnedBlob, Report, RuleMeta, Scanner,
};
use rampart_report::{render, RenderOptions};
use rampart_sca::intel::{intel_path, Intel};
use rampart_sca::vex::VexIndex;
use rampart_secrets::SecretsScanner;

use crate::cli::ScanArgs;
use crate::settings::{pair_outputs, Settings};
use crate::terminal::{print_diagnostics, summary, use_color, Spinner};
use crate::{Failure, Outcome};

/// `rampart scan [SCANNER] [PATH]`: scan, write every requested format, gate.
pub fn run(args: &ScanArgs, only: Option<&str>, matches: Option<&ArgMatches>) -> Outcome {
    let formats = positions::<String>(matches, "formats");
    let outputs = positions::<PathBuf>(matches, "outputs");
    let settings = Settings::resolve(args, pair_outputs(&formats, &outputs)?)?;
    let started = Instant::now();
    // The key is read before the scan: a missing key should not cost a whole scan.
    let attest_key = match (&args.attest, &args.attest_key) {
        (Some(_), Some(key)) => Some(
            rampart_attest::read_signing_key(key)
                .map_err(|e| Failure::Usage(format!("--attest-key: {e}")))?,
        ),
        (Some(_), None) => {
            return Err(Failure::Usage(
                "--attest needs a signing key: --attest-key FILE or RAMPART_ATTEST_KEY (see `rampart key generate`)".into(),
            ))
        }
        _ => None,
    };
    let (report, rules_run) = execute(&settings, only)?;
    if let (Some(file), Some(key)) = (&args.attest, &attest_key) {
        super::attest::write(file, &report, &settings.target, key)?;
    }
    if !settings.quiet {
        print_diagnostics(&report);
    }
    let options = RenderOptions {
        color: false,
        rules: &rules_run,
    };
    for (format, output) in &settings.outputs {
        match output {
            Some(file) => {
                let text = render(&report, *format, &options);
                std::fs::write(file, text).map_err(|e| {
                    Failure::Runtime(format!("cannot write {}: {e}", file.display()))
                })?;
            }
            None => {
                let color = use_color(settings.color) && *format == rampart_report::Format::Table;
                out!(
                    "{}",
                    render(&report, *format, &RenderOptions { color, ..options })
                );
            }
        }
    }
    if !settings.quiet {
        eprintln!("{}", summary(&report, started));
    }
    if report.gate.passed {
        Ok(())
    } else {
        Err(Failure::Gate)
    }
}

/// Values of a repeatable option with their positions on the command line.
fn positions<T: Clone + Send + Sync + 'static>(
    matches: Option<&ArgMatches>,
    id: &str,
) -> Vec<(usize, T)> {
    let Some(m) = matches else {
        return Vec::new();
    };
    match (m.indices_of(id), m.get_many::<T>(id)) {
        (Some(idx), Some(vals)) => idx.zip(vals.cloned()).collect(),
        _ => Vec::new(),
    }
}

/// Builds the scanners that apply (`only` narrows to one), scans the target, and assembles the
/// report with its gate decision. Also returns every rule that ran.
pub fn execute(
    settings: &Settings,
    only: Option<&str>,
) -> Result<(Report, Vec<RuleMeta>), Failure> {
    let mut scanners: Vec<Box<dyn Scanner>> = Vec::new();
    if only.is_none() || only == Some("secrets") {
        let s =
            SecretsScanner::new(&settings.secrets).map_err(|e| Failure::Usage(e.to_string()))?;
        scanners.push(Box::new(s));
    }
    if only.is_none() || only == Some("deps") {
        let deps =
            rampart_sca::scanner::DepsScanner::new(&settings.db).with_threads(settings.walk.jobs);
        let deps = if settings.sbom_input {
            deps.reading_any_name()
        } else {
            deps
        };
        scanners.push(Box::new(deps));
    }
    let mut modules = None;
    if only.is_none() || only == Some("iac") {
        for f in &settings.var_files {
            if !f.is_file() {
                return Err(Failure::Usage(format!(
                    "--var-file {}: no such file",
                    f.display()
                )));
            }
        }
        let iac = rampart_iac::scanner::IacScanner::new()
            .map_err(|e| Failure::Runtime(e.to_string()))?
            .with_var_files(settings.var_files.clone());
        modules = Some(iac.modules());
        scanners.push(Box::new(iac));
    }
    if let (false, Some(modules)) = (settings.policies.is_empty(), modules) {
        let set = rampart_iac::policy::PolicySet::load(&settings.policies, &settings.namespaces)
            .map_err(|e| Failure::Usage(format!("--policy: {e}")))?;
        scanners.push(Box::new(rampart_iac::policy::PolicyScanner::new(
            set, modules,
        )));
    }
    let scanner_names: Vec<String> = scanners.iter().map(|s| s.name().to_string()).collect();
    let engine = Engine::new(scanners, settings.engine.clone())
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let rules_run: Vec<RuleMeta> = engine
        .all_rules()
        .into_iter()
        .filter(|r| !engine.is_disabled(&r.id))
        .cloned()
        .collect();

    let spinner = Spinner::start(engine.progress.clone(), settings.quiet);
    let collected = collect(&engine, settings);
    spinner.finish();
    let (mut findings, mut diagnostics, mut stats) = collected?.finish();
    // The scanners' tables and caches (rules, compiled advisories) live until the process
    // exits moments from now; freeing their many small allocations one by one only costs time.
    std::mem::forget(engine);

    if let Some(path) = &settings.baseline {
        let baseline = Baseline::load(path).map_err(|e| Failure::Usage(e.to_string()))?;
        stats.in_baseline = baseline.filter(&mut findings);
    }
    let mut rules: Vec<RuleMeta> = rules_run
        .iter()
        .filter(|r| findings.iter().any(|f| f.rule_id == r.id))
        .cloned()
        .collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    if only.is_none() || only == Some("deps") {
        triage(settings, &mut findings, &mut diagnostics)?;
    }
    let exceptions = settings
        .exceptions
        .apply(&mut findings, rampart_core::date::Date::today());
    for warning in exceptions.iter().filter_map(|e| e.warning()) {
        diagnostics.push(Diagnostic::warning("", warning));
    }
    rampart_core::priority::prioritise(&mut findings);
    let gate = Gate::decide(settings.fail_on, &findings);
    let mut report = Report {
        schema_version: REPORT_SCHEMA_VERSION.to_string(),
        tool: Tool::default(),
        target: settings.target.display().to_string(),
        scanners: scanner_names,
        findings,
        diagnostics,
        stats,
        rules,
        exceptions,
        gate,
    };
    if !settings.gate_policies.is_empty() {
        let policy = rampart_policy::gate::GatePolicy::load(&settings.gate_policies)
            .map_err(|e| Failure::Usage(format!("--gate-policy: {e}")))?;
        let decision = super::gate::decide(&policy, &report);
        report.gate = report.gate.clone().with_policy(decision);
    }
    Ok((report, rules_run))
}

/// What dependency findings need beyond the scan: exploit intelligence (EPSS, CISA KEV)
/// from beside the database, and the VEX documents given.
fn triage(
    settings: &Settings,
    findings: &mut [Finding],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Failure> {
    if !findings.iter().any(|f| f.vulnerability.is_some()) && settings.vex.is_empty() {
        return Ok(());
    }
    match Intel::open(&intel_path(&settings.db)) {
        Ok(Some(intel)) => {
            rampart_sca::intel::enrich(findings, &intel);
        }
        Ok(None) => {}
        Err(e) => diagnostics.push(Diagnostic::warning(
            "",
            format!("exploit intelligence not used: {e}"),
        )),
    }
    if settings.vex.is_empty() {
        return Ok(());
    }
    let mut index = VexIndex::new();
    for path in &settings.vex {
        let name = path.display().to_string();
        let bytes = read_bounded(path, rampart_sca::vex::MAX_DOCUMENT as u64)
            .map_err(|e| Failure::Usage(format!("--vex {name}: {e}")))?;
        let document = rampart_sca::vex::parse(&name, &bytes)
            .map_err(|e| Failure::Usage(format!("--vex: {e}")))?;
        for d in &document.diagnostics {
            diagnostics.push(Diagnostic::warning(&name, d.to_string()));
        }
        index.add(document);
    }
    rampart_sca::vex::apply(findings, &index);
    diagnostics.sort();
    Ok(())
}

/// A file's bytes, refusing one larger than `limit`.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("larger than {limit} bytes"));
    }
    Ok(bytes)
}

fn collect(engine: &Engine, settings: &Settings) -> Result<Accumulator, Failure> {
    let target = &settings.target;
    let jobs = settings.walk.jobs;
    let max = settings.walk.max_file_size;
    let git_error = |e: rampart_git::GitError| Failure::Runtime(e.to_string());
    if target == Path::new("-") {
        return Ok(engine.scan_stream(std::iter::once(read_stdin(max, &settings.stdin_name)?), 1));
    }
    if settings.history() {
        let history =
            rampart_git::history(target, &rampart_git::HistoryOptions { max_blob_size: max })
                .map_err(git_error)?;
        let (pending, reader) = history.into_parallel();
        return Ok(engine.scan_parallel(pending, jobs, || reader.reader()));
    }
    if settings.staged() {
        let staged = rampart_git::staged(target, max).map_err(git_error)?;
        let before = engine.scan_stream(staged.head.into_iter(), jobs);
        let mut after = engine.scan_stream(staged.staged.into_iter(), jobs);
        after.subtract(&before);
        return Ok(after);
    }
    scan_path(engine, target, &settings.walk).map_err(|e| match e {
        WalkError::NotFound(_) => Failure::Runtime(e.to_string()),
        WalkError::Pattern { .. } => Failure::Usage(e.to_string()),
    })
}

fn read_stdin(max: u64, name: &str) -> Result<SourceItem, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Runtime(format!("cannot read standard input: {e}")))?;
    if bytes.len() as u64 > max {
        return Ok(SourceItem::TooLarge {
            path: name.into(),
            size: bytes.len() as u64,
            limit: max,
        });
    }
    Ok(SourceItem::Blob(OwnedBlob {
        path: name.into(),
        origin: Origin::Stdin,
        bytes,
    }))
}
