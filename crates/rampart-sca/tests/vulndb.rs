//! The offline database: import, lookup, replacing one ecosystem while keeping others, and
//! damaged or hostile input.

use std::path::{Path, PathBuf};

use rampart_sca::ecosystem::Ecosystem;
use rampart_sca::vulndb::{import_paths, Database, DbError, ImportLimits};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

fn conformance_zip(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/osv")
        .join(name);
    p.is_file().then_some(p)
}

#[test]
fn a_directory_of_osv_json_imports_and_answers_lookups() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    let report = import_paths(&db, &[fixtures()], &ImportLimits::default(), 1_700_000_000).unwrap();
    assert_eq!(report.imported.get("Maven"), Some(&1));
    assert_eq!(report.withdrawn, 1);
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert!(report.skipped[0].contains("truncated.json"));

    let db = Database::open(&db).unwrap();
    let found = db
        .advisories(Ecosystem::Maven, "org.apache.logging.log4j:log4j-core")
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].advisory.affects(
        Ecosystem::Maven,
        "org.apache.logging.log4j:log4j-core",
        "2.14.1"
    ));
    assert!(
        db.advisories(Ecosystem::Npm, "left-pad")
            .unwrap()
            .is_empty(),
        "withdrawn advisories are not imported"
    );
    assert!(db
        .advisories(Ecosystem::Maven, "nothing:here")
        .unwrap()
        .is_empty());
    assert_eq!(db.ecosystems()["Maven"].advisories, 1);
}

#[test]
fn a_missing_or_damaged_database_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    match Database::open(&db) {
        Err(DbError::Missing(_)) => {}
        other => panic!("{:?}", other.err()),
    }
    import_paths(&db, &[fixtures()], &ImportLimits::default(), 0).unwrap();
    let good = std::fs::read(&db).unwrap();
    for cut in [0, 5, 24, good.len() / 2, good.len() - 1] {
        std::fs::write(&db, &good[..cut]).unwrap();
        let err = Database::open(&db)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("damaged"), "cut at {cut}: {err}");
    }
    let mut flipped = good.clone();
    flipped[0] ^= 0xff;
    std::fs::write(&db, &flipped).unwrap();
    assert!(Database::open(&db).is_err());

    // Any single damaged byte (meta, index or records) gives an answer or an error, never a
    // panic, whatever is looked up afterwards.
    for at in (8..good.len()).step_by(7) {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bad = good.clone();
            bad[at] ^= mask;
            std::fs::write(&db, &bad).unwrap();
            if let Ok(opened) = Database::open(&db) {
                for (eco, name) in [
                    (Ecosystem::Maven, "org.apache.logging.log4j:log4j-core"),
                    (Ecosystem::Npm, "left-pad"),
                    (Ecosystem::PyPI, "zzz"),
                ] {
                    let _ = opened.advisories(eco, name);
                }
            }
        }
    }
}

#[test]
fn a_database_in_the_older_format_asks_for_a_fresh_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    let mut old = b"RMPRTDB1".to_vec();
    old.extend_from_slice(&[0u8; 64]);
    std::fs::write(&db, &old).unwrap();
    let err = Database::open(&db)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("older format") && err.contains("rampart db import"),
        "{err}"
    );
}

#[test]
fn a_failed_import_leaves_the_old_database_usable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    import_paths(&db, &[fixtures()], &ImportLimits::default(), 0).unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(import_paths(&db, &[empty], &ImportLimits::default(), 0).is_err());
    let db = Database::open(&db).unwrap();
    assert_eq!(
        db.advisories(Ecosystem::Maven, "org.apache.logging.log4j:log4j-core")
            .unwrap()
            .len(),
        1
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files are cleaned up");
}

#[test]
fn real_zips_import_and_reimporting_one_ecosystem_keeps_the_others() {
    let (Some(crates), Some(pypi)) = (
        conformance_zip("crates.io-all.zip"),
        conformance_zip("PyPI-all.zip"),
    ) else {
        eprintln!("skipped: ../shared/conformance not found");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    let started = std::time::Instant::now();
    let report = import_paths(&db, &[crates.clone(), pypi], &ImportLimits::default(), 0).unwrap();
    eprintln!("imported {:?} in {:?}", report.imported, started.elapsed());
    assert!(report.imported["crates.io"] > 1000);
    assert!(report.imported["PyPI"] > 2000);

    // Re-importing crates.io keeps PyPI.
    let report = import_paths(&db, &[crates], &ImportLimits::default(), 0).unwrap();
    assert_eq!(report.kept, vec!["PyPI".to_string()]);
    let db = Database::open(&db).unwrap();
    let django = db.advisories(Ecosystem::PyPI, "Django").unwrap();
    assert!(django.len() > 20, "{}", django.len());
    assert!(django
        .iter()
        .any(|a| a.advisory.affects(Ecosystem::PyPI, "django", "3.2.0")));
    let smallvec = db.advisories(Ecosystem::CratesIo, "smallvec").unwrap();
    assert!(!smallvec.is_empty());
}

#[test]
fn archive_entries_over_the_limits_are_skipped() {
    let Some(crates) = conformance_zip("crates.io-all.zip") else {
        eprintln!("skipped: ../shared/conformance not found");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    // JSON compresses more than 1:1, so every entry looks like a bomb at this ratio.
    let limits = ImportLimits {
        max_ratio: 1,
        ..ImportLimits::default()
    };
    let err = import_paths(&db, &[crates], &limits, 0).unwrap_err();
    assert!(err.to_string().contains("no OSV advisories"), "{err}");
}
