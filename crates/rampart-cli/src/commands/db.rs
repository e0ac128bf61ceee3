use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use rampart_sca::ecosystem::Ecosystem;
use rampart_sca::intel::{import_epss, import_kev, intel_path, Intel, IntelError, IntelPart};
use rampart_sca::vulndb::{
    cache_state, default_path, import_paths, Database, DbError, Fetched, ImportLimits,
    ImportReport, Progress, UpdateError, UpdateOptions, DEFAULT_ECOSYSTEMS, DEFAULT_MIRROR,
};

use crate::{Failure, Outcome};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `rampart db import PATH...`
pub fn import(paths: &[PathBuf], db: Option<PathBuf>) -> Outcome {
    let db = db.unwrap_or_else(default_path);
    let started = std::time::Instant::now();
    let report =
        import_paths(&db, paths, &ImportLimits::default(), now()).map_err(|e| match e {
            DbError::Io { .. } | DbError::Corrupt { .. } | DbError::Missing(_) => {
                Failure::Runtime(e.to_string())
            }
            DbError::Import(_) => Failure::Usage(e.to_string()),
        })?;
    print_import(&report, &db, started);
    Ok(())
}

/// The summary of an import, as `db import` and `db update` print it.
fn print_import(report: &ImportReport, db: &std::path::Path, started: std::time::Instant) {
    for skipped in report.skipped.iter().take(20) {
        eprintln!("rampart: skipped {skipped}");
    }
    if report.skipped.len() > 20 {
        eprintln!("rampart: … and {} more skipped", report.skipped.len() - 20);
    }
    let counts: Vec<String> = report
        .imported
        .iter()
        .map(|(e, n)| format!("{e}: {n}"))
        .collect();
    eprintln!(
        "rampart: imported {} into {} in {:.2}s ({} withdrawn skipped{})",
        counts.join(", "),
        db.display(),
        started.elapsed().as_secs_f64(),
        report.withdrawn,
        if report.kept.is_empty() {
            String::new()
        } else {
            format!("; kept {}", report.kept.join(", "))
        }
    );
}

/// `rampart db update`
pub fn update(mirror: Option<String>, ecosystems: &[String], db: Option<PathBuf>) -> Outcome {
    let db = db.unwrap_or_else(default_path);
    let mirror = mirror
        .or_else(|| {
            std::env::var("RAMPART_OSV_MIRROR")
                .ok()
                .filter(|m| !m.trim().is_empty())
        })
        .unwrap_or_else(|| DEFAULT_MIRROR.to_string());
    let ecosystems = if ecosystems.is_empty() {
        DEFAULT_ECOSYSTEMS.to_vec()
    } else {
        ecosystems
            .iter()
            .map(|name| {
                name.parse::<Ecosystem>().map_err(|_| {
                    let known: Vec<&str> = Ecosystem::ALL.iter().map(|e| e.osv_name()).collect();
                    Failure::Usage(format!(
                        "unknown ecosystem `{name}` (known: {})",
                        known.join(", ")
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let options = UpdateOptions {
        mirror,
        ecosystems,
        now: now(),
        ..UpdateOptions::default()
    };
    let started = std::time::Instant::now();
    let report = rampart_sca::vulndb::update(&db, &options, &mut |p| match p {
        Progress::Retrying {
            ecosystem,
            attempt,
            attempts,
            reason,
        } => eprintln!(
            "rampart: {ecosystem}: {reason}; trying again ({}/{attempts})",
            attempt + 1
        ),
        Progress::Fetched {
            ecosystem,
            fetched: Fetched::Unchanged,
        } => eprintln!("rampart: {ecosystem}: unchanged"),
        Progress::Fetched {
            ecosystem,
            fetched: Fetched::Downloaded { bytes },
        } => eprintln!(
            "rampart: {ecosystem}: downloaded {:.1} MB",
            *bytes as f64 / 1_000_000.0
        ),
        Progress::Importing { sources } => eprintln!(
            "rampart: importing {} cached file{}",
            sources.len(),
            if sources.len() == 1 { "" } else { "s" }
        ),
    })
    .map_err(|e| match e {
        UpdateError::Usage(_) => Failure::Usage(e.to_string()),
        _ => Failure::Runtime(e.to_string()),
    })?;
    match &report.import {
        Some(import) => print_import(import, &db, started),
        None => eprintln!(
            "rampart: nothing changed; the database at {} is up to date",
            db.display()
        ),
    }
    Ok(())
}

/// `rampart db import-epss FILE` and `rampart db import-kev FILE`
pub fn import_intel(file: &std::path::Path, db: Option<PathBuf>, part: IntelPart) -> Outcome {
    let intel = intel_path(&db.unwrap_or_else(default_path));
    let started = std::time::Instant::now();
    let summary = match part {
        IntelPart::Epss => import_epss(&intel, file, now()),
        IntelPart::Kev => import_kev(&intel, file, now()),
    }
    .map_err(|e| match e {
        IntelError::Io { .. } => Failure::Runtime(e.to_string()),
        _ => Failure::Usage(e.to_string()),
    })?;
    for warning in &summary.warnings {
        eprintln!("rampart: warning: {warning}");
    }
    for bad in &summary.bad_examples {
        eprintln!("rampart: skipped {bad}");
    }
    eprintln!(
        "rampart: imported {} {part} rows{} from {} into {} in {:.2}s{}",
        summary.rows,
        summary
            .version
            .as_deref()
            .map(|v| format!(" ({v})"))
            .unwrap_or_default(),
        summary.source,
        intel.display(),
        started.elapsed().as_secs_f64(),
        if summary.bad_rows > 0 {
            format!("; {} bad rows skipped", summary.bad_rows)
        } else {
            String::new()
        }
    );
    Ok(())
}

/// "5 minutes ago", "3 days ago".
fn ago(seconds: u64) -> String {
    let (n, unit) = match seconds {
        0..=59 => return "just now".to_string(),
        60..=3_599 => (seconds / 60, "minute"),
        3_600..=86_399 => (seconds / 3_600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// `rampart db status`
pub fn status(db: Option<PathBuf>) -> Outcome {
    let path = db.unwrap_or_else(default_path);
    let db = Database::open(&path).map_err(|e| Failure::Runtime(e.to_string()))?;
    outln!("database: {}", db.path().display());
    outln!("packages: {}", db.packages());
    let now = now();
    for (name, info) in db.ecosystems() {
        outln!(
            "{name:<12} {:>7} advisories  imported {}  from {}",
            info.advisories,
            ago(now.saturating_sub(info.imported)),
            info.source
        );
    }
    match Intel::open(&intel_path(&path)) {
        Ok(Some(intel)) => {
            if let Some(e) = intel.epss_info() {
                outln!(
                    "EPSS         {:>7} CVEs        imported {}  scores of {}  from {}",
                    e.rows,
                    ago(now.saturating_sub(e.imported)),
                    e.score_date.as_deref().unwrap_or("an unknown date"),
                    e.source
                );
            }
            if let Some(k) = intel.kev_info() {
                outln!(
                    "CISA KEV     {:>7} CVEs        imported {}  catalogue {}  from {}",
                    k.rows,
                    ago(now.saturating_sub(k.imported)),
                    k.catalog_version.as_deref().unwrap_or("of unknown version"),
                    k.source
                );
            }
        }
        Ok(None) => outln!(
            "exploit intelligence: none (`rampart db import-epss FILE`, `rampart db import-kev FILE`)"
        ),
        Err(e) => outln!("exploit intelligence: {e}"),
    }
    if let Some(state) = cache_state(&path) {
        for (name, file) in &state.ecosystems {
            outln!(
                "{name:<12} last checked {}  from {}",
                ago(now.saturating_sub(file.checked)),
                file.url
            );
        }
    }
    Ok(())
}
