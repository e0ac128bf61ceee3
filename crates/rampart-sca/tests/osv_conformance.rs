//! Matching on real advisories: every advisory in `../shared/conformance/osv/*-all.zip` (RustSec,
//! Go and PyPI data, as the OSV project publishes it) parses, and for every evaluable range the
//! version that introduced the problem is affected while the version that fixed it is not.
//! Skipped, with a message, when the conformance folder is not beside the project.

use std::io::Read;
use std::path::Path;

use rampart_sca::ecosystem::Ecosystem;
use rampart_sca::osv::{Advisory, Candidate, Matcher};

fn advisories(zip_name: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/osv")
        .join(zip_name);
    let file = std::fs::File::open(path).ok()?;
    let mut archive = zip::ZipArchive::new(file).expect("a zip archive");
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("readable entry");
        let name = entry
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("entry {i}"));
        out.push((name, bytes));
    }
    Some(out)
}

#[test]
fn real_advisories_parse_and_their_boundaries_match() {
    let mut checked_files = 0;
    let mut checked_bounds = 0;
    let mut checked_slim = 0;
    let mut failures = Vec::new();
    for zip_name in ["crates.io-all.zip", "Go-all.zip", "PyPI-all.zip"] {
        let Some(entries) = advisories(zip_name) else {
            eprintln!("skipped: ../shared/conformance/osv/{zip_name} not found");
            return;
        };
        for (name, bytes) in entries {
            checked_files += 1;
            let advisory = match Advisory::from_json(&bytes) {
                Ok(a) => a,
                Err(e) => {
                    failures.push(format!("{zip_name}/{name}: {e}"));
                    continue;
                }
            };
            // The database keeps advisories slimmed; they must answer every version an
            // advisory names exactly as the originals do.
            let slim = advisory.clone().slimmed();
            for affected in &advisory.affected {
                let Some(package) = &affected.package else {
                    continue;
                };
                let Ok(eco) = package.ecosystem.parse::<Ecosystem>() else {
                    continue;
                };
                let named = affected.versions.iter().map(String::as_str).chain(
                    affected.ranges.iter().flat_map(|r| {
                        r.events.iter().filter_map(|e| {
                            e.introduced
                                .as_deref()
                                .or(e.fixed.as_deref())
                                .or(e.last_affected.as_deref())
                        })
                    }),
                );
                let original = Matcher::new(&advisory, eco, &package.name);
                let slimmed = Matcher::new(&slim, eco, &package.name);
                for v in named {
                    checked_slim += 1;
                    let candidate = Candidate::new(eco, v);
                    if slimmed.affects(&candidate) != original.affects(&candidate) {
                        failures.push(format!(
                            "{}: {} {v}: the slimmed advisory answers differently",
                            advisory.id, package.name
                        ));
                    }
                }
                for range in affected.ranges.iter().filter(|r| r.kind != "GIT") {
                    let introduced: Vec<&str> = range
                        .events
                        .iter()
                        .filter_map(|e| e.introduced.as_deref())
                        .collect();
                    let ends: Vec<&str> = range
                        .events
                        .iter()
                        .filter_map(|e| e.fixed.as_deref().or(e.last_affected.as_deref()))
                        .collect();
                    for event in &range.events {
                        // An interval whose bounds are equal (introduced = fixed) is empty.
                        if let Some(v) = event
                            .introduced
                            .as_deref()
                            .filter(|v| *v != "0" && !ends.contains(v))
                        {
                            checked_bounds += 1;
                            if !range.affects(eco, v) {
                                failures.push(format!(
                                    "{}: {} {v} (introduced) not affected",
                                    advisory.id, package.name
                                ));
                            }
                        }
                        // With several intervals a fix on one branch may lie inside another
                        // branch's interval; check fixes where there is one interval.
                        if let Some(v) = event.fixed.as_deref().filter(|_| introduced.len() == 1) {
                            checked_bounds += 1;
                            if range.affects(eco, v) {
                                failures.push(format!(
                                    "{}: {} {v} (fixed) affected",
                                    advisory.id, package.name
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "checked {checked_files} advisories, {checked_bounds} range boundaries, \
         {checked_slim} versions against the slimmed advisories"
    );
    assert!(checked_files > 8000, "only {checked_files} advisories");
    let shown: Vec<_> = failures.iter().take(30).cloned().collect();
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        shown.join("\n")
    );
}
