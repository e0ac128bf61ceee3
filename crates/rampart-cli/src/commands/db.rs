use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use rampart_sca::intel::{import_epss, import_kev, intel_path, Intel, IntelError, IntelPart};
use rampart_sca::vulndb::{default_path, import_paths, Database, DbError, ImportLimits};

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

fn age(now: u64, then: u64) -> String {
    let days = now.saturating_sub(then) / 86_400;
    format!("{days} day{}", if days == 1 { "" } else { "s" })
}

/// `rampart db status`
pub fn status(db: Option<PathBuf>) -> Outcome {
    let path = db.unwrap_or_else(default_path);
    let db = Database::open(&path).map_err(|e| Failure::Runtime(e.to_string()))?;
    println!("database: {}", db.path().display());
    println!("packages: {}", db.packages());
    let now = now();
    for (name, info) in db.ecosystems() {
        println!(
            "{name:<12} {:>7} advisories  imported {} ago  from {}",
            info.advisories,
            age(now, info.imported),
            info.source
        );
    }
    match Intel::open(&intel_path(&path)) {
        Ok(Some(intel)) => {
            if let Some(e) = intel.epss_info() {
                println!(
                    "EPSS         {:>7} CVEs        imported {} ago  scores of {}  from {}",
                    e.rows,
                    age(now, e.imported),
                    e.score_date.as_deref().unwrap_or("an unknown date"),
                    e.source
                );
            }
            if let Some(k) = intel.kev_info() {
                println!(
                    "CISA KEV     {:>7} CVEs        imported {} ago  catalogue {}  from {}",
                    k.rows,
                    age(now, k.imported),
                    k.catalog_version.as_deref().unwrap_or("of unknown version"),
                    k.source
                );
            }
        }
        Ok(None) => println!(
            "exploit intelligence: none (`rampart db import-epss FILE`, `rampart db import-kev FILE`)"
        ),
        Err(e) => println!("exploit intelligence: {e}"),
    }
    Ok(())
}
