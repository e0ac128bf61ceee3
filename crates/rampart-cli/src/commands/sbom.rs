use std::sync::Arc;

use rampart_core::walk::{scan_path, WalkOptions};
use rampart_core::{DiagnosticLevel, Engine, EngineOptions};
use rampart_sca::sbom::{write, SbomFormat, SbomMeta};
use rampart_sca::scanner::InventoryScanner;

use crate::cli::SbomArgs;
use crate::{Failure, Outcome};

/// `rampart sbom [PATH]`: every package of every lockfile under PATH, as CycloneDX or SPDX.
pub fn run(args: &SbomArgs) -> Outcome {
    let format = match args.format.to_ascii_lowercase().as_str() {
        "cyclonedx" | "cdx" => SbomFormat::CycloneDx,
        "spdx" => SbomFormat::Spdx,
        other => {
            return Err(Failure::Usage(format!(
                "--format: unknown SBOM format `{other}` (expected cyclonedx or spdx)"
            )))
        }
    };
    let inventory = Arc::new(InventoryScanner::default());
    let engine = Engine::new(vec![Box::new(inventory.clone())], EngineOptions::default())
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let walk = WalkOptions {
        excludes: args.exclude.clone(),
        no_ignore: args.no_ignore,
        ..WalkOptions::default()
    };
    let acc = scan_path(&engine, &args.path, &walk).map_err(|e| Failure::Runtime(e.to_string()))?;
    let (_, diagnostics, _) = acc.finish();
    for d in diagnostics
        .iter()
        .filter(|d| d.level != DiagnosticLevel::Note)
    {
        eprintln!("rampart: {d}");
    }
    let components = inventory.components();
    let project = args
        .path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "project".to_string());
    let text = write(
        format,
        &components,
        &SbomMeta {
            project,
            timestamp: None,
        },
    );
    match &args.output {
        Some(file) => std::fs::write(file, text)
            .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", file.display())))?,
        None => out!("{text}"),
    }
    eprintln!("rampart: {} packages", components.len());
    Ok(())
}
