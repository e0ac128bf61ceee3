//! Every comparison in `../shared/conformance/versions/` (about 70,000 lines produced by each
//! ecosystem's own tooling), run through rampart's comparators. Skipped, with a message, when the
//! conformance folder is not beside the project.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use rampart_sca::ecosystem::Ecosystem;

fn conformance_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/versions");
    dir.is_dir().then_some(dir)
}

/// Which ecosystem a file's comparisons belong to, from its name.
fn ecosystem_of(file: &str) -> Option<Ecosystem> {
    let prefix = file.split('-').next()?;
    Some(match prefix {
        "alpine" => Ecosystem::Alpine,
        "cran" => Ecosystem::Cran,
        "debian" => Ecosystem::Debian,
        "hackage" => Ecosystem::Hackage,
        "maven" => Ecosystem::Maven,
        "nuget" => Ecosystem::NuGet,
        "packagist" => Ecosystem::Packagist,
        "pub" => Ecosystem::Pub,
        "pypi" => Ecosystem::PyPI,
        "redhat" => Ecosystem::RedHat,
        "rubygems" => Ecosystem::RubyGems,
        "semver" => Ecosystem::CratesIo,
        _ => return None,
    })
}

fn parse_line(line: &str) -> Option<(&str, Ordering, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") || line == "#" {
        return None;
    }
    let mut parts = line.split_whitespace();
    let a = parts.next()?;
    let op = match parts.next()? {
        "<" => Ordering::Less,
        "=" => Ordering::Equal,
        ">" => Ordering::Greater,
        _ => return None,
    };
    let b = parts.next()?;
    Some((a, op, b))
}

#[test]
fn every_conformance_comparison_holds() {
    let Some(dir) = conformance_dir() else {
        eprintln!("skipped: ../shared/conformance not found");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable conformance dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut checked = 0usize;
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Some(eco) = ecosystem_of(name) else {
            failures.push(format!("{name}: no ecosystem for this file"));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable");
        let mut file_failures = 0;
        for (n, line) in text.lines().enumerate() {
            let Some((a, want, b)) = parse_line(line) else {
                continue;
            };
            checked += 1;
            let got = eco.compare(a, b);
            // The reverse comparison must agree: ordering is antisymmetric.
            let back = eco.compare(b, a);
            if got != want || back != want.reverse() {
                file_failures += 1;
                if file_failures <= 10 {
                    failures.push(format!(
                        "{name}:{}: {a} {want:?} {b}, got {got:?} (reverse {back:?})",
                        n + 1
                    ));
                }
            }
        }
        if file_failures > 10 {
            failures.push(format!("{name}: … {} failures in all", file_failures));
        }
    }
    eprintln!("checked {checked} comparisons in {} files", files.len());
    assert!(checked > 60_000, "only {checked} comparisons read");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
