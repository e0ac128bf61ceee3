use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

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

/// `rampart db status`
pub fn status(db: Option<PathBuf>) -> Outcome {
    let path = db.unwrap_or_else(default_path);
    let db = Database::open(&path).map_err(|e| Failure::Runtime(e.to_string()))?;
    println!("database: {}", db.path().display());
    println!("packages: {}", db.packages());
    let now = now();
    for (name, info) in db.ecosystems() {
        let days = now.saturating_sub(info.imported) / 86_400;
        println!(
            "{name:<12} {:>7} advisories  imported {days} day{} ago  from {}",
            info.advisories,
            if days == 1 { "" } else { "s" },
            info.source
        );
    }
    Ok(())
}
