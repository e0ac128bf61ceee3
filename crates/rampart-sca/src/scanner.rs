//! The `deps` scanner: every lockfile the walk meets is parsed, each package looked up in the
//! vulnerability database, and each vulnerability (advisories that are aliases of each other
//! count once) becomes a finding on the package's line, with the smallest upgrade that clears
//! every advisory against that package.

use std::collections::BTreeSet;
use std::path::Path;

use rampart_core::priority::severity_of_score;
use rampart_core::{
    Blob, Confidence, Cvss, Diagnostic, RawFinding, RuleMeta, Scanner, Severity, Taxonomy,
    Vulnerability,
};

use crate::ecosystem::Ecosystem;
use crate::lockfile::{format_for, Input, Package};
use crate::osv::{first_sentence, Candidate};
use crate::vulndb::{Database, PackageAdvisory};

pub const RULE_ID: &str = "sca.vulnerable-dependency";

pub struct DepsScanner {
    db: Option<Database>,
    /// Why there is no database, said once per blob that needed it (the engine folds repeats).
    missing: Option<String>,
    rules: Vec<RuleMeta>,
    /// Read every file handed over as a lockfile or SBOM, whatever its name (`--sbom FILE`).
    any_name: bool,
    /// Threads a big lockfile may be checked on.
    threads: usize,
}

/// The documentation of the deps scanner's rule, without opening a database.
pub fn rule() -> RuleMeta {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    RuleMeta {
        id: RULE_ID.to_string(),
        scanner: "deps".to_string(),
        title: "Dependency with a known vulnerability".to_string(),
        severity: Severity::High,
        confidence: Confidence::High,
        description:
            "A package version pinned by a lockfile is named by a published advisory (OSV, \
            GitHub, RustSec, PyPI, Go). Attackers scan for known-vulnerable versions because the \
            advisory tells them what to exploit. The finding's severity comes from the advisory's \
            CVSS base score; advisories without a score count as high, informational ones \
            (unmaintained, unsound) as low."
                .to_string(),
        remediation:
            "Upgrade the package to the fixed version the finding names (the smallest one \
            that clears every advisory against it), regenerate the lockfile, and run the tests. If \
            no fix exists, remove or replace the dependency, or record an exception with a reason \
            and an expiry."
                .to_string(),
        references: vec!["https://ossf.github.io/osv-schema/".to_string()],
        taxonomy: Taxonomy {
            cwe: v(&["CWE-1395"]),
            owasp: v(&["A06:2021"]),
            nist_800_53: v(&["RA-5", "SI-2", "SA-22"]),
            cis: v(&["CIS-Controls-v8-7.4"]),
            iso_27001: v(&["A.8.8"]),
            pci_dss: v(&["6.3.3"]),
            hipaa: v(&["164.308(a)(1)(ii)(A)"]),
        },
    }
}

impl DepsScanner {
    /// A scanner over the database at `db`; without one it still reads lockfiles and says once
    /// how to get a database.
    pub fn new(db: &Path) -> DepsScanner {
        let (db, missing) = match Database::open(db) {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(e.to_string())),
        };
        DepsScanner {
            db,
            missing,
            rules: vec![rule()],
            any_name: false,
            threads: 1,
        }
    }

    /// Checks a big lockfile's packages on up to `threads` threads.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Reads whatever file it is given as an SBOM when its name is not a lockfile's.
    pub fn reading_any_name(mut self) -> Self {
        self.any_name = true;
        self
    }

    pub fn database(&self) -> Option<&Database> {
        self.db.as_ref()
    }
}

impl Scanner for DepsScanner {
    fn name(&self) -> &'static str {
        "deps"
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    fn wants(&self, path: &str) -> bool {
        self.any_name || format_for(Path::new(path)).is_some() || is_sbom(path)
    }

    /// Findings depend on the lockfile and the database only; without a database there is
    /// nothing worth keeping.
    fn cache_key(&self) -> Option<String> {
        let db = self.db.as_ref()?;
        Some(format!("{}/{}", db.identity(), self.any_name))
    }

    fn scan(
        &self,
        blob: &Blob<'_>,
        findings: &mut Vec<RawFinding>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let Some(packages) = inventory(blob, diagnostics) else {
            return;
        };
        let Some(db) = &self.db else {
            if let Some(why) = &self.missing {
                diagnostics.push(Diagnostic::warning(
                    "",
                    format!("dependencies not checked: {why}"),
                ));
            }
            return;
        };
        let lines = line_starts(blob.bytes);
        let check = |packages: &[Package]| -> Result<Vec<RawFinding>, String> {
            let mut out = Vec::new();
            for package in packages {
                let advisories = db
                    .advisories(package.ecosystem, &package.name)
                    .map_err(|e| e.to_string())?;
                let installed = Candidate::new(package.ecosystem, &package.version);
                let affecting: Vec<&PackageAdvisory> = advisories
                    .iter()
                    .filter(|a| a.matcher.affects(&installed))
                    .collect();
                if affecting.is_empty() {
                    continue;
                }
                let fix = smallest_fix(package, &affecting);
                let span = line_span(&lines, blob.bytes.len(), package.line);
                for group in alias_groups(&affecting) {
                    out.push(finding(package, &group, fix.as_deref(), span.clone()));
                }
            }
            Ok(out)
        };
        // A big lockfile is checked on every thread the run has, in order-keeping chunks.
        let chunk = packages
            .len()
            .div_ceil(self.threads.max(1))
            .max(PACKAGES_PER_THREAD);
        let results: Vec<Result<Vec<RawFinding>, String>> = if packages.len() > chunk {
            std::thread::scope(|scope| {
                let handles: Vec<_> = packages
                    .chunks(chunk)
                    .map(|part| scope.spawn(move || check(part)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err("a matcher thread failed".into()))
                    })
                    .collect()
            })
        } else {
            vec![check(&packages)]
        };
        for result in results {
            match result {
                Ok(found) => findings.extend(found),
                Err(e) => {
                    diagnostics.push(Diagnostic::error(blob.path, e));
                    return;
                }
            }
        }
    }
}

/// Lockfiles smaller than this many packages per thread are checked on one thread.
const PACKAGES_PER_THREAD: usize = 500;

/// Whether a file name is one SBOM tools write: `bom.json`, `sbom.json`, `*.cdx.json`,
/// `*.spdx.json`, `*.bom.json`.
pub fn is_sbom(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == "bom.json"
        || name == "sbom.json"
        || [".cdx.json", ".spdx.json", ".bom.json", ".sbom.json"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// The packages a lockfile pins or an SBOM lists; `None` (with a diagnostic) when the file
/// cannot be read as one.
pub fn inventory(blob: &Blob<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<Package>> {
    // Valid UTF-8 (nearly every lockfile) is borrowed as is; the check is much cheaper than
    // the lossy conversion it saves.
    let text = match std::str::from_utf8(blob.bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(blob.bytes),
    };
    if let Some(format) = format_for(Path::new(blob.path)) {
        // Sibling files (`-r` includes, parent POMs, package.json) are read from beside a file
        // on disk; never by an absolute path, and never for stdin or git history.
        let dir = blob.origin.directory();
        let read = |relative: &str| -> Option<String> {
            let relative = Path::new(relative);
            if relative.is_absolute() || relative.has_root() {
                return None;
            }
            rampart_core::cache::read_input(&dir?.join(relative))
        };
        let input = Input {
            path: blob.path,
            text: &text,
            read_relative: &read,
        };
        return match (format.parse)(&input) {
            Ok(p) => Some(p),
            Err(e) => {
                diagnostics.push(
                    Diagnostic::warning(
                        blob.path,
                        format!("cannot read this {}: {}", format.name, e.message),
                    )
                    .at_line(e.line),
                );
                None
            }
        };
    }
    match crate::sbom::read_any(&text) {
        Ok(components) => Some(components.into_iter().map(|c| c.package).collect()),
        Err(e) => {
            diagnostics.push(Diagnostic::warning(
                blob.path,
                format!("cannot read this SBOM: {e}"),
            ));
            None
        }
    }
}

/// Collects the packages of every lockfile the walk meets, for `rampart sbom`.
#[derive(Default)]
pub struct InventoryScanner {
    found: std::sync::Mutex<Vec<crate::sbom::Component>>,
    rules: Vec<RuleMeta>,
}

impl InventoryScanner {
    /// Every component found so far, sorted by lockfile, then line.
    pub fn components(&self) -> Vec<crate::sbom::Component> {
        let mut all = match self.found.lock() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        };
        all.sort_by(|a, b| {
            (&a.lockfile, a.package.line, &a.package.name).cmp(&(
                &b.lockfile,
                b.package.line,
                &b.package.name,
            ))
        });
        all
    }
}

impl Scanner for InventoryScanner {
    fn name(&self) -> &'static str {
        "inventory"
    }

    fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    fn wants(&self, path: &str) -> bool {
        format_for(Path::new(path)).is_some()
    }

    fn scan(
        &self,
        blob: &Blob<'_>,
        _findings: &mut Vec<RawFinding>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let Some(packages) = inventory(blob, diagnostics) else {
            return;
        };
        let components = packages.into_iter().map(|package| crate::sbom::Component {
            package,
            lockfile: blob.path.to_string(),
        });
        match self.found.lock() {
            Ok(mut g) => g.extend(components),
            Err(p) => p.into_inner().extend(components),
        }
    }
}

fn finding(
    package: &Package,
    group: &[&PackageAdvisory],
    fix: Option<&str>,
    span: std::ops::Range<usize>,
) -> RawFinding {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for a in group.iter().map(|a| &a.advisory) {
        ids.insert(&a.id);
        ids.extend(a.aliases.iter().map(String::as_str));
    }
    let ids: Vec<&str> = ids.into_iter().collect();
    // PYSEC and some other databases give details but no summary: their first sentence will do.
    let summary = group
        .iter()
        .find_map(|a| {
            a.advisory
                .summary
                .as_deref()
                .filter(|s| !s.trim().is_empty())
        })
        .map(str::to_string)
        .or_else(|| {
            group
                .iter()
                .find_map(|a| a.advisory.details.as_deref().map(first_sentence))
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "known vulnerability".to_string());
    let upgrade = match fix {
        Some(v) => format!("upgrade to {v}"),
        None => "no fixed version is published".to_string(),
    };
    let message = format!(
        "{} {} is vulnerable ({}): {}; {}",
        package.name,
        package.version,
        ids.join(", "),
        summary.trim(),
        upgrade
    );
    let purl = package.purl();
    // The identity holds no line, so that a baseline or an exception survives the lockfile
    // changing around the package.
    let identity = format!("{purl}\0{}", ids.first().copied().unwrap_or_default());
    let cvss = group
        .iter()
        .filter_map(|a| a.cvss.as_ref())
        .fold(None, |best: Option<&(f64, String)>, c| match best {
            Some(b) if b.0 >= c.0 => Some(b),
            _ => Some(c),
        })
        .map(|(score, vector)| Cvss {
            score: *score,
            vector: vector.clone(),
        });
    RawFinding::new(RULE_ID, span)
        .with_message(message)
        .with_severity(severity(group))
        .with_identity(identity)
        .with_vulnerability(Vulnerability {
            package: package.name.clone(),
            version: package.version.clone(),
            ecosystem: package.ecosystem.osv_name().to_string(),
            purl,
            ids: ids.iter().map(|s| s.to_string()).collect(),
            fixed: fix.map(str::to_string),
            cvss,
            direct: package.direct,
            kev: None,
            epss: None,
        })
}

/// The worst CVSS base score among the group; informational advisories are low, unscored high.
fn severity(group: &[&PackageAdvisory]) -> Severity {
    let informational = group.iter().all(|a| {
        a.advisory
            .database_specific
            .as_ref()
            .and_then(|d| d.get("informational"))
            .is_some_and(|v| !v.is_null())
    });
    if informational {
        return Severity::Low;
    }
    let best = group
        .iter()
        .filter_map(|a| a.cvss.as_ref().map(|(score, _)| *score))
        .fold(None, |acc: Option<f64>, s| {
            Some(acc.map_or(s, |a| a.max(s)))
        });
    best.map_or(Severity::High, severity_of_score)
}

/// Advisories that name each other (an id of one among the other's aliases, or a shared alias)
/// are one vulnerability.
fn alias_groups<'a>(advisories: &[&'a PackageAdvisory]) -> Vec<Vec<&'a PackageAdvisory>> {
    let mut groups: Vec<(BTreeSet<&'a str>, Vec<&'a PackageAdvisory>)> = Vec::new();
    for a in advisories {
        let mut ids: BTreeSet<&str> = a.advisory.aliases.iter().map(String::as_str).collect();
        ids.insert(&a.advisory.id);
        let mut merged = (ids, vec![*a]);
        let mut i = 0;
        while i < groups.len() {
            if groups[i].0.intersection(&merged.0).next().is_some() {
                let (ids, members) = groups.swap_remove(i);
                merged.0.extend(ids);
                merged.1.extend(members);
            } else {
                i += 1;
            }
        }
        groups.push(merged);
    }
    let mut out: Vec<Vec<&PackageAdvisory>> = groups.into_iter().map(|(_, m)| m).collect();
    for g in &mut out {
        g.sort_by(|a, b| a.advisory.id.cmp(&b.advisory.id));
    }
    out.sort_by(|a, b| a[0].advisory.id.cmp(&b[0].advisory.id));
    out
}

/// The smallest published fixed version above the installed one that no affecting advisory
/// still affects.
fn smallest_fix(package: &Package, affecting: &[&PackageAdvisory]) -> Option<String> {
    let eco: Ecosystem = package.ecosystem;
    let installed = eco.parse_version(&package.version);
    let mut candidates: Vec<Candidate> = affecting
        .iter()
        .flat_map(|a| a.advisory.entries_for(eco, &package.name))
        .flat_map(|e| e.fixed_versions())
        .map(|v| Candidate::new(eco, v))
        .filter(|v| *v.parsed() > installed)
        .collect();
    // Insertion sort: some ecosystems' orders are not transitive, which the standard sorts may
    // reject with a panic.
    for i in 1..candidates.len() {
        let mut j = i;
        while j > 0 && candidates[j].parsed() < candidates[j - 1].parsed() {
            candidates.swap(j, j - 1);
            j -= 1;
        }
    }
    candidates
        .into_iter()
        .find(|v| !affecting.iter().any(|a| a.matcher.affects(v)))
        .map(|v| v.as_str().to_string())
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

fn line_span(starts: &[usize], len: usize, line: u32) -> std::ops::Range<usize> {
    let i = (line.max(1) as usize - 1).min(starts.len() - 1);
    let start = starts[i];
    let end = starts
        .get(i + 1)
        .map_or(len, |e| e.saturating_sub(1))
        .max(start);
    start..end
}
