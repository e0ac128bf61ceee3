//! Every CVSS vector in the real advisories of `../shared/conformance/osv/*.zip` (the
//! `severity[]` entries at the top level and under `affected[]`) parses, is recognised as the
//! version its `type` announces, and scores within 0.0..=10.0.
//! Skipped, with a message, when the conformance folder is not beside the project.

use std::io::Read;
use std::path::Path;

use rampart_sca::cvss::{self, Version};

fn zip_files() -> Option<Vec<std::path::PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/osv");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "zip"))
        .collect();
    files.sort();
    Some(files)
}

fn collect_scores(value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    let Some(list) = value.get("severity").and_then(|s| s.as_array()) else {
        return;
    };
    for entry in list {
        if let (Some(kind), Some(score)) = (
            entry.get("type").and_then(|t| t.as_str()),
            entry.get("score").and_then(|s| s.as_str()),
        ) {
            if kind.starts_with("CVSS_") {
                out.push((kind.to_string(), score.to_string()));
            }
        }
    }
}

#[test]
fn every_cvss_vector_in_real_advisories_parses_and_scores_in_range() {
    let Some(files) = zip_files() else {
        eprintln!("skipped: ../shared/conformance/osv not found");
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in files {
        let file = std::fs::File::open(&path).expect("readable zip");
        let mut archive = zip::ZipArchive::new(file).expect("a zip archive");
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).expect("entry");
            let name = entry
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| format!("entry {i}"));
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("readable entry");
            let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                continue;
            };
            let mut scores = Vec::new();
            collect_scores(&json, &mut scores);
            for affected in json
                .get("affected")
                .and_then(|a| a.as_array())
                .into_iter()
                .flatten()
            {
                collect_scores(affected, &mut scores);
            }
            for (kind, vector) in scores {
                checked += 1;
                let where_ = format!("{}/{name}", path.display());
                match cvss::parse(&vector) {
                    Ok(c) => {
                        let version_ok = match kind.as_str() {
                            "CVSS_V2" => c.version == Version::V2,
                            "CVSS_V3" => matches!(c.version, Version::V3_0 | Version::V3_1),
                            "CVSS_V4" => c.version == Version::V4_0,
                            _ => true,
                        };
                        if !version_ok {
                            failures
                                .push(format!("{where_}: {kind} but {vector} is {}", c.version));
                        }
                        if !(0.0..=10.0).contains(&c.base_score) {
                            failures.push(format!("{where_}: {vector} scored {}", c.base_score));
                        }
                    }
                    Err(e) => failures.push(format!("{where_}: {vector}: {e}")),
                }
            }
        }
    }
    eprintln!("checked {checked} CVSS vectors");
    assert!(
        checked > 0,
        "no CVSS vectors found in the conformance advisories"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
