use std::path::PathBuf;

use rampart_core::baseline::Baseline;

use crate::cli::ScanArgs;
use crate::settings::Settings;
use crate::{Failure, Outcome};

const DEFAULT_FILE: &str = "rampart-baseline.json";

/// `rampart baseline create`: scan with the usual settings, but record every finding instead of
/// gating on it. The baseline holds fingerprints, rule ids and paths, never secrets.
pub fn create(args: &ScanArgs) -> Outcome {
    let mut settings = Settings::resolve(args, Vec::new())?;
    let file = settings
        .baseline
        .take()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FILE));
    let (report, _) = super::scan::execute(&settings, None)?;
    let baseline = Baseline::from_findings(&report.findings);
    std::fs::write(&file, baseline.to_json())
        .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", file.display())))?;
    if !settings.quiet {
        eprintln!(
            "rampart: wrote {} finding{} to {}",
            baseline.findings.len(),
            if baseline.findings.len() == 1 {
                ""
            } else {
                "s"
            },
            file.display()
        );
    }
    Ok(())
}
