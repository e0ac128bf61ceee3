//! `rampart db import`: OSV advisories from `all.zip` files (as the OSV project publishes them,
//! one `<ID>.json` per advisory) or directories of OSV JSON, into the database. The ecosystems
//! an import brings replace those ecosystems' old data; every other ecosystem is kept.
//!
//! Archives are hostile input: entries are read in memory (never written to disk, so paths in
//! the archive cannot escape anywhere), each bounded in size and in compression ratio, and the
//! whole import bounded in total bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Database, DbError, EcosystemInfo, Writer};
use crate::ecosystem::Ecosystem;
use crate::osv::Advisory;

#[derive(Debug, Clone)]
pub struct ImportLimits {
    /// Largest advisory accepted, uncompressed.
    pub max_entry: u64,
    /// Largest uncompressed-to-compressed ratio accepted for an archive entry.
    pub max_ratio: u64,
    /// Most uncompressed bytes one import reads.
    pub max_total: u64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_entry: 16 << 20,
            max_ratio: 200,
            max_total: 16 << 30,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Advisories imported per ecosystem.
    pub imported: BTreeMap<String, u64>,
    pub withdrawn: u64,
    /// Entries passed over, each with the reason.
    pub skipped: Vec<String>,
    /// Ecosystems kept from the previous database.
    pub kept: Vec<String>,
}

/// Imports `sources` into the database at `db`, replacing the ecosystems they bring.
pub fn import_paths(
    db: &Path,
    sources: &[PathBuf],
    limits: &ImportLimits,
    now: u64,
) -> Result<ImportReport, DbError> {
    let mut writer = Writer::create(db)?;
    let mut report = ImportReport::default();
    let mut budget = limits.max_total;
    for source in sources {
        let name = source.display().to_string();
        let mut each = |entry: &str, bytes: Vec<u8>, report: &mut ImportReport| {
            add(&mut writer, &name, entry, &bytes, now, report)
        };
        if source.is_dir() {
            read_dir(source, limits, &mut budget, &mut report, &mut each)?;
        } else if source.extension().is_some_and(|e| e == "zip") {
            read_zip(source, limits, &mut budget, &mut report, &mut each)?;
        } else {
            let bytes = read_bounded(source, limits.max_entry)?;
            each(&name, bytes, &mut report)?;
        }
    }
    if report.imported.is_empty() {
        return Err(DbError::Import(format!(
            "no OSV advisories found in {}",
            sources
                .iter()
                .map(|s| s.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let replaced: BTreeSet<String> = report.imported.keys().cloned().collect();
    if let Ok(old) = Database::open(db) {
        report.kept = copy_others(&old, &mut writer, &replaced)?;
    }
    writer.finish(db)?;
    Ok(report)
}

fn add(
    writer: &mut Writer,
    source: &str,
    entry: &str,
    bytes: &[u8],
    now: u64,
    report: &mut ImportReport,
) -> Result<(), DbError> {
    let advisory = match Advisory::from_json(bytes) {
        Ok(a) => a,
        Err(e) => {
            report
                .skipped
                .push(format!("{entry}: not an OSV advisory: {e}"));
            return Ok(());
        }
    };
    let ecosystems: BTreeSet<String> = advisory
        .affected
        .iter()
        .filter_map(|a| a.package.as_ref())
        .filter_map(|p| p.ecosystem.parse::<Ecosystem>().ok())
        .map(|e| e.osv_name().to_string())
        .collect();
    if advisory.is_withdrawn() {
        report.withdrawn += 1;
        for e in &ecosystems {
            writer.note_ecosystem(
                e,
                EcosystemInfo {
                    withdrawn_skipped: 1,
                    source: source.to_string(),
                    imported: now,
                    ..Default::default()
                },
            );
        }
        return Ok(());
    }
    if ecosystems.is_empty() {
        report
            .skipped
            .push(format!("{entry}: names no package of a known ecosystem"));
        return Ok(());
    }
    let _ = bytes;
    let advisory = advisory.slimmed();
    let slim = serde_json::to_vec(&advisory).map_err(|e| DbError::Import(e.to_string()))?;
    writer.add(&advisory, &slim)?;
    for e in ecosystems {
        *report.imported.entry(e.clone()).or_default() += 1;
        writer.note_ecosystem(
            &e,
            EcosystemInfo {
                advisories: 1,
                source: source.to_string(),
                imported: now,
                ..Default::default()
            },
        );
    }
    Ok(())
}

/// Copies the records of every ecosystem not being replaced from the old database.
fn copy_others(
    old: &Database,
    writer: &mut Writer,
    replaced: &BTreeSet<String>,
) -> Result<Vec<String>, DbError> {
    let mut kept = Vec::new();
    for (name, info) in old.ecosystems() {
        if replaced.contains(name) {
            continue;
        }
        let Ok(eco) = name.parse::<Ecosystem>() else {
            continue;
        };
        kept.push(name.clone());
        writer.note_ecosystem(name, info.clone());
        let mut seen = BTreeSet::new();
        for package in old.package_names(eco)? {
            for found in old.advisories(eco, &package)?.iter() {
                let advisory = &found.advisory;
                if seen.insert(advisory.id.clone()) {
                    let raw =
                        serde_json::to_vec(advisory).map_err(|e| DbError::Import(e.to_string()))?;
                    writer.add(advisory, &raw)?;
                }
            }
        }
    }
    Ok(kept)
}

type EachEntry<'a> = dyn FnMut(&str, Vec<u8>, &mut ImportReport) -> Result<(), DbError> + 'a;

fn read_zip(
    path: &Path,
    limits: &ImportLimits,
    budget: &mut u64,
    report: &mut ImportReport,
    each: &mut EachEntry<'_>,
) -> Result<(), DbError> {
    let bad = |message: String| DbError::Import(format!("{}: {message}", path.display()));
    let file = std::fs::File::open(path).map_err(|source| DbError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| bad(format!("not a readable zip archive: {e}")))?;
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                report
                    .skipped
                    .push(format!("{}: entry {i}: {e}", path.display()));
                continue;
            }
        };
        let name = entry
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("entry {i}"));
        if entry.is_dir() || !name.ends_with(".json") {
            continue;
        }
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        if size > limits.max_entry || size / packed > limits.max_ratio {
            report.skipped.push(format!(
                "{name}: {size} bytes from {packed} compressed is over the import limits"
            ));
            continue;
        }
        if size > *budget {
            return Err(bad(format!(
                "the archive holds more than the {} byte import limit",
                limits.max_total
            )));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        // The declared size can lie: never read past it.
        if let Err(e) = (&mut entry)
            .take(limits.max_entry.min(size) + 1)
            .read_to_end(&mut bytes)
        {
            report.skipped.push(format!("{name}: {e}"));
            continue;
        }
        if bytes.len() as u64 > size {
            report
                .skipped
                .push(format!("{name}: larger than its declared size"));
            continue;
        }
        *budget -= bytes.len() as u64;
        each(&name, bytes, report)?;
    }
    Ok(())
}

fn read_dir(
    dir: &Path,
    limits: &ImportLimits,
    budget: &mut u64,
    report: &mut ImportReport,
    each: &mut EachEntry<'_>,
) -> Result<(), DbError> {
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| DbError::Io {
            path: d.clone(),
            source,
        })?;
        let mut paths: Vec<_> = entries.flatten().collect();
        paths.sort_by_key(|e| e.file_name());
        for e in paths {
            let Ok(kind) = e.file_type() else { continue };
            let p = e.path();
            if kind.is_dir() && depth < 16 {
                stack.push((p, depth + 1));
            } else if kind.is_file() && p.extension().is_some_and(|x| x == "json") {
                let bytes = match read_bounded(&p, limits.max_entry) {
                    Ok(b) => b,
                    Err(err) => {
                        report.skipped.push(err.to_string());
                        continue;
                    }
                };
                if bytes.len() as u64 > *budget {
                    return Err(DbError::Import(format!(
                        "{}: over the {} byte import limit",
                        dir.display(),
                        limits.max_total
                    )));
                }
                *budget -= bytes.len() as u64;
                each(&p.display().to_string(), bytes, report)?;
            }
        }
    }
    Ok(())
}

fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, DbError> {
    let file = std::fs::File::open(path).map_err(|source| DbError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| DbError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(DbError::Import(format!(
            "{}: larger than {limit} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}
