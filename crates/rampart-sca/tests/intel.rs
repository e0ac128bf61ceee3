//! Exploit intelligence: EPSS and KEV files in their publishers' formats import into one
//! file, each part replacing only itself; lookups find a CVE in any case; a damaged file is a
//! clear error.

use std::io::Write;
use std::path::{Path, PathBuf};

use rampart_sca::intel::{import_epss, import_kev, intel_path, Intel, IntelError, IntelPart};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/intel")
        .join(name)
}

const EPSS: &str = "epss_scores-2026-11-21.csv";
const KEV: &str = "known_exploited_vulnerabilities.json";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn the_file_sits_beside_the_database() {
    assert_eq!(
        intel_path(Path::new("/data/rampart/osv.rdb")),
        Path::new("/data/rampart/osv.intel")
    );
    assert_eq!(intel_path(Path::new("osv")), Path::new("osv.intel"));
}

#[test]
fn epss_import_counts_bad_rows_and_looks_up_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = intel_path(&dir.path().join("osv.rdb"));
    assert!(Intel::open(&path).unwrap().is_none());

    let summary = import_epss(&path, &fixture(EPSS), 1_700_000_000).unwrap();
    assert_eq!(summary.part, IntelPart::Epss);
    assert_eq!(summary.source, EPSS);
    assert_eq!(summary.rows, 6);
    assert_eq!(summary.bad_rows, 8);
    assert_eq!(summary.version.as_deref(), Some("2026-11-21T12:55:00Z"));
    assert_eq!(summary.kept, None);
    assert_eq!(summary.bad_examples.len(), 5);
    assert!(summary.bad_examples[0].starts_with("line 8: `CVE-2021-123` is not a CVE id"));
    assert!(summary.bad_examples[1].starts_with("line 9: "));
    assert!(summary.bad_examples[4].starts_with("line 12: CVE-2020-1938"));

    let intel = Intel::open(&path).unwrap().unwrap();
    let info = intel.epss_info().unwrap();
    assert_eq!(info.model_version.as_deref(), Some("v2025.03.14"));
    assert_eq!(info.score_date.as_deref(), Some("2026-11-21T12:55:00Z"));
    assert_eq!((info.rows, info.imported), (6, 1_700_000_000));
    assert!(intel.kev_info().is_none());

    for id in ["CVE-2021-44228", "cve-2021-44228", " Cve-2021-44228 "] {
        let e = intel.epss(id).unwrap();
        // The first of the duplicated rows is kept.
        assert!(
            close(e.score, 0.94358) && close(e.percentile, 0.99957),
            "{e:?}"
        );
    }
    let first = intel.epss("CVE-1999-0001").unwrap();
    assert!(close(first.score, 0.0113) && close(first.percentile, 0.7791));
    assert!(intel.epss("CVE-2021-45046").is_some());
    for absent in [
        "CVE-2021-44229",
        "CVE-2022-22965",
        "GHSA-jfh8-c2jp-5v3q",
        "",
        "CVE-",
    ] {
        assert!(intel.epss(absent).is_none(), "{absent}");
        assert!(intel.lookup(absent).is_none(), "{absent}");
    }
    let found = intel.lookup("CVE-2014-0160").unwrap();
    assert!(found.kev.is_none());
    assert!(close(found.epss.unwrap().score, 0.94468));
}

#[test]
fn kev_import_keeps_epss_and_epss_import_keeps_kev() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("osv.intel");
    import_epss(&path, &fixture(EPSS), 100).unwrap();

    let summary = import_kev(&path, &fixture(KEV), 200).unwrap();
    assert_eq!(summary.part, IntelPart::Kev);
    assert_eq!((summary.rows, summary.bad_rows), (3, 0));
    assert_eq!(summary.version.as_deref(), Some("2026.11.20"));
    assert_eq!(summary.kept, Some(IntelPart::Epss));
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);

    let intel = Intel::open(&path).unwrap().unwrap();
    let kev_info = intel.kev_info().unwrap();
    assert_eq!(kev_info.source, KEV);
    assert_eq!(kev_info.catalog_version.as_deref(), Some("2026.11.20"));
    assert_eq!(
        kev_info.date_released.as_deref(),
        Some("2026-11-20T17:01:12.6785Z")
    );
    assert_eq!((kev_info.rows, kev_info.imported), (3, 200));
    assert_eq!(intel.epss_info().unwrap().imported, 100);

    let log4j = intel.lookup("cve-2021-44228").unwrap();
    assert!(close(log4j.epss.unwrap().score, 0.94358));
    let kev = log4j.kev.unwrap();
    assert_eq!(kev.cve, "CVE-2021-44228");
    assert_eq!(
        (kev.vendor.as_str(), kev.product.as_str()),
        ("Apache", "Log4j2")
    );
    assert_eq!(
        kev.name,
        "Apache Log4j2 Remote Code Execution Vulnerability"
    );
    assert_eq!(
        (kev.date_added.as_str(), kev.due_date.as_str()),
        ("2021-12-10", "2021-12-24")
    );
    assert!(kev.ransomware);
    assert!(kev
        .required_action
        .starts_with("For all affected software assets"));
    let webp = intel.kev("CVE-2023-4863").unwrap();
    assert!(!webp.ransomware);
    assert_eq!(webp.product, "Chromium WebP");
    assert!(intel.kev("CVE-2014-0160").is_none());

    // A new EPSS file, gzip-compressed as FIRST serves it, replaces the scores only.
    let gz = dir.path().join("epss_scores-2026-11-22.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"#model_version:v2025.03.14,score_date:2026-11-22T12:55:00Z\ncve,epss,percentile\nCVE-2021-44228,0.94400,0.99960\n")
        .unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let summary = import_epss(&path, &gz, 300).unwrap();
    assert_eq!(summary.kept, Some(IntelPart::Kev));
    assert_eq!(summary.rows, 1);
    let intel = Intel::open(&path).unwrap().unwrap();
    assert!(close(intel.epss("CVE-2021-44228").unwrap().score, 0.944));
    assert!(intel.epss("CVE-2014-0160").is_none());
    assert_eq!(intel.kev_info().unwrap().imported, 200);
    assert_eq!(intel.kev("CVE-2024-3094").unwrap().vendor, "XZ Utils");
    assert_eq!(
        intel.epss_info().unwrap().source,
        "epss_scores-2026-11-22.csv.gz"
    );
}

#[test]
fn a_damaged_file_is_a_clear_error_and_an_import_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("osv.intel");
    import_epss(&path, &fixture(EPSS), 1).unwrap();
    import_kev(&path, &fixture(KEV), 2).unwrap();
    let good = std::fs::read(&path).unwrap();

    let mut damaged: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("magic only", good[..8].to_vec()),
        ("truncated header", good[..20].to_vec()),
        ("truncated body", good[..good.len() - 3].to_vec()),
        ("extra bytes", [good.as_slice(), b"x"].concat()),
        ("not ours", b"PK\x03\x04 some zip".to_vec()),
    ];
    let mut flipped = good.clone();
    let at = good.len() - 40;
    flipped[at] ^= 0x20;
    damaged.push(("a flipped byte", flipped));
    let mut huge_header = good.clone();
    huge_header[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    damaged.push(("huge header length", huge_header));
    for (what, bytes) in damaged {
        std::fs::write(&path, &bytes).unwrap();
        let err = Intel::open(&path).unwrap_err();
        assert!(matches!(err, IntelError::Corrupt { .. }), "{what}: {err}");
        assert!(err.to_string().contains("damaged"), "{what}: {err}");
    }

    // Importing over a damaged file replaces it, saying that the other part is gone.
    let summary = import_kev(&path, &fixture(KEV), 3).unwrap();
    assert_eq!(summary.kept, None);
    assert_eq!(summary.warnings.len(), 1);
    assert!(summary.warnings[0].contains("damaged"));
    let intel = Intel::open(&path).unwrap().unwrap();
    assert!(intel.epss_info().is_none());
    assert!(intel.kev("CVE-2021-44228").is_some());
}

#[test]
fn unusable_inputs_are_errors_and_leave_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("osv.intel");
    import_kev(&path, &fixture(KEV), 1).unwrap();
    let before = std::fs::read(&path).unwrap();
    let write = |name: &str, text: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };

    let only_bad = write(
        "bad.csv",
        b"#model_version:v1\ncve,epss,percentile\nCVE-1,0.1,0.1\nCVE-2024-1234,2,0.5\n",
    );
    match import_epss(&path, &only_bad, 2).unwrap_err() {
        IntelError::NothingValid {
            part,
            bad,
            examples,
            ..
        } => {
            assert_eq!((part, bad), (IntelPart::Epss, 2));
            assert!(examples[0].starts_with("line 3:"), "{examples:?}");
        }
        other => panic!("{other}"),
    }
    let header_only = write("header.csv", b"cve,epss,percentile\n");
    assert!(matches!(
        import_epss(&path, &header_only, 2),
        Err(IntelError::NothingValid { .. })
    ));
    let no_header = write("noheader.csv", b"CVE-2021-44228,0.9,0.9\n");
    let err = import_epss(&path, &no_header, 2).unwrap_err();
    assert!(matches!(err, IntelError::NotEpss { .. }), "{err}");
    assert!(err.to_string().contains("line 1"), "{err}");
    let binary = write("binary.csv", &[0xff, 0xfe, 0x00, 0x01, b'\n']);
    assert!(matches!(
        import_epss(&path, &binary, 2),
        Err(IntelError::NotEpss { .. })
    ));
    let bad_gzip = write("trunc.csv.gz", &[0x1f, 0x8b, 0x08, 0x00, 0x00]);
    assert!(matches!(
        import_epss(&path, &bad_gzip, 2),
        Err(IntelError::Io { .. })
    ));
    let missing = dir.path().join("missing.csv");
    assert!(matches!(
        import_epss(&path, &missing, 2),
        Err(IntelError::Io { .. })
    ));

    let broken = write(
        "broken.json",
        b"{\n  \"vulnerabilities\": [\n    {\"cveID\": }\n",
    );
    match import_kev(&path, &broken, 2).unwrap_err() {
        IntelError::Json { line, column, .. } => assert_eq!((line, column), (3, 15)),
        other => panic!("{other}"),
    }
    for (name, text) in [
        ("array.json", &b"[]"[..]),
        ("novulns.json", br#"{"catalogVersion":"1"}"#),
        ("wrongvulns.json", br#"{"vulnerabilities":{}}"#),
        (
            "wrongversion.json",
            br#"{"catalogVersion":5,"vulnerabilities":[]}"#,
        ),
    ] {
        let err = import_kev(&path, &write(name, text), 2).unwrap_err();
        assert!(matches!(err, IntelError::NotKev { .. }), "{name}: {err}");
    }
    let all_bad = write(
        "allbad.json",
        br#"{"count": 4, "vulnerabilities":[1, {"cveID":"CVE-21-1"}, {"cveID":"CVE-2021-1234","dateAdded":"yesterday","dueDate":"2021-01-01"}, {"cveID":"CVE-2021-1234","dateAdded":"2021-01-01","dueDate":"2021-01-02","product":7}]}"#,
    );
    match import_kev(&path, &all_bad, 2).unwrap_err() {
        IntelError::NothingValid { bad, examples, .. } => {
            assert_eq!(bad, 4);
            assert!(examples[2].contains("dateAdded"), "{examples:?}");
            assert!(
                examples[3].contains("`product` is not a string"),
                "{examples:?}"
            );
        }
        other => panic!("{other}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // A count that disagrees is worth a warning, not a failure.
    let miscounted = write(
        "miscounted.json",
        br#"{"count": 9, "vulnerabilities":[{"cveID":"CVE-2021-1234","dateAdded":"2021-01-01","dueDate":"2021-01-02"}]}"#,
    );
    let summary = import_kev(&path, &miscounted, 2).unwrap();
    assert!(
        summary.warnings[0].contains("count"),
        "{:?}",
        summary.warnings
    );
    assert_eq!(summary.version, None);
}

/// Opening and looking up at the size of the real EPSS feed. Run with
/// `cargo test --release -p rampart-sca --test intel -- --ignored --nocapture`.
#[test]
#[ignore]
fn open_and_lookup_at_full_size() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("epss_scores-2026-11-21.csv");
    let mut text = String::from(
        "#model_version:v2025.03.14,score_date:2026-11-21T12:55:00Z\ncve,epss,percentile\n",
    );
    let rows = 300_000u32;
    for i in 0..rows {
        let year = 1999 + i % 27;
        text.push_str(&format!(
            "CVE-{year}-{:05},0.{:05},0.{:05}\n",
            10_000 + i,
            (i * 7) % 100_000,
            (i * 13) % 100_000
        ));
    }
    std::fs::write(&csv, &text).unwrap();
    let path = dir.path().join("osv.intel");
    let t = std::time::Instant::now();
    let summary = import_epss(&path, &csv, 0).unwrap();
    let import = t.elapsed();
    import_kev(&path, &fixture(KEV), 0).unwrap();
    assert_eq!(summary.rows, u64::from(rows));
    let size = std::fs::metadata(&path).unwrap().len();

    let runs = 20;
    let mut best_open = std::time::Duration::MAX;
    let mut best_lookups = std::time::Duration::MAX;
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let intel = Intel::open(&path).unwrap().unwrap();
        let opened = t.elapsed();
        let t = std::time::Instant::now();
        let mut hits = 0;
        for i in 0..1000u32 {
            let n = (i * 293) % (rows + 1000);
            let year = 1999 + n % 27;
            if intel
                .lookup(&format!("cve-{year}-{:05}", 10_000 + n))
                .is_some()
            {
                hits += 1;
            }
        }
        let looked = t.elapsed();
        assert!(hits > 900);
        best_open = best_open.min(opened);
        best_lookups = best_lookups.min(looked);
    }
    println!(
        "{rows} EPSS rows, file {size} bytes; import {import:?}; open {best_open:?}; 1000 lookups {best_lookups:?} (best of {runs})"
    );
}
