//! Pipfile.lock (pipfile-spec 6 and earlier): JSON with a `_meta` object and one object per
//! package category (`default`, `develop`, and any custom category), each mapping a package
//! name to `{ "version": "==1.2.3", ... }`.
//!
//! The lock lists transitive dependencies too, so which are direct comes from the `Pipfile`
//! beside it, when it can be read: its `[packages]` table is the `default` category,
//! `[dev-packages]` is `develop`, and a custom category has the same name in both.

use std::collections::{HashMap, HashSet};

use toml::de::DeTable;

use super::cargo::pypi_names;
use super::dedup;
use super::json::{self, Node, Value};
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

const NEWEST_SPEC: u32 = 6;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let doc = json::parse(input.text, false)?;
    if !matches!(doc.value, Value::Object(_)) {
        return Err(LockfileError::new(
            doc.line,
            "Pipfile.lock should be a JSON object",
        ));
    }
    if let Some(spec) = doc.get("_meta").and_then(|m| m.get("pipfile-spec")) {
        let known = spec.as_text().and_then(|s| s.parse::<u32>().ok());
        if !known.is_some_and(|v| (1..=NEWEST_SPEC).contains(&v)) {
            let shown: String = spec
                .as_text()
                .unwrap_or("(not a number)")
                .chars()
                .take(40)
                .collect();
            return Err(LockfileError::new(
                spec.line,
                format!(
                    "unsupported pipfile-spec {shown}: supported versions are 1 to {NEWEST_SPEC}"
                ),
            ));
        }
    }

    let direct = pipfile_direct(input);
    let mut packages = Vec::new();
    for category in doc.members().iter().filter(|m| m.key != "_meta") {
        for member in category.value.members() {
            let Some(version) = pinned_version(&member.value) else {
                continue;
            };
            let mut package = Package::new(
                Ecosystem::PyPI,
                member.key.as_str(),
                version,
                member.key_line,
            );
            package.direct = direct.as_ref().map(|d| {
                d.get(category.key.as_str()).is_some_and(|names| {
                    names.contains(&Ecosystem::PyPI.normalize_name(&member.key))
                })
            });
            packages.push(package);
        }
    }
    // The same package in two categories is one package, direct if either category says so.
    Ok(dedup(packages))
}

/// The version a package entry pins, or `None` for entries that are not registry versions:
/// git checkouts, local paths (editable or not) and file URLs carry no `==` version, or carry
/// one that describes the checkout rather than a release.
fn pinned_version(entry: &Node) -> Option<&str> {
    if ["git", "path", "file", "editable"]
        .iter()
        .any(|key| entry.get(key).is_some())
    {
        return None;
    }
    let version = entry.get("version")?.as_str()?.trim();
    let version = version
        .strip_prefix("===")
        .or_else(|| version.strip_prefix("=="))?
        .trim();
    (!version.is_empty() && !version.contains('*')).then_some(version)
}

/// Per lock category, the normalized names the Pipfile asks for.
fn pipfile_direct(input: &Input<'_>) -> Option<HashMap<String, HashSet<String>>> {
    let text = (input.read_relative)("Pipfile")?;
    let doc = DeTable::parse(&text).ok()?.into_inner();
    let mut categories = HashMap::new();
    for (key, value) in doc.iter() {
        let category = match key.get_ref().as_ref() {
            "packages" => "default".to_string(),
            "dev-packages" => "develop".to_string(),
            // Tables that configure pipenv rather than list packages.
            "source" | "requires" | "scripts" | "pipenv" => continue,
            other => other.to_string(),
        };
        if let Some(table) = value.get_ref().as_table() {
            categories.insert(
                category,
                pypi_names(table.keys().map(|k| k.get_ref().as_ref())),
            );
        }
    }
    Some(categories)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = include_str!("../../tests/fixtures/lockfiles/pipfile-v6/Pipfile.lock");

    fn pypi(name: &str, version: &str, line: u32, direct: Option<bool>) -> Package {
        Package {
            ecosystem: Ecosystem::PyPI,
            name: name.to_string(),
            version: version.to_string(),
            line,
            direct,
        }
    }

    #[test]
    fn categories_with_the_pipfile() {
        let read = |p: &str| {
            (p == "Pipfile").then(|| {
                include_str!("../../tests/fixtures/lockfiles/pipfile-v6/Pipfile").to_string()
            })
        };
        let input = Input {
            path: "Pipfile.lock",
            text: LOCK,
            read_relative: &read,
        };
        assert_eq!(
            parse(&input).unwrap(),
            vec![
                pypi("certifi", "2024.2.2", 23, Some(false)),
                pypi("django", "4.2.11", 30, Some(true)),
                pypi("sqlparse", "0.4.4", 37, Some(false)),
                pypi("pytest", "8.1.1", 60, Some(true)),
                pypi("mkdocs", "1.5.3", 69, Some(true)),
            ]
        );
    }

    #[test]
    fn without_the_pipfile_direct_is_unknown() {
        let packages = parse(&Input::alone("Pipfile.lock", LOCK)).unwrap();
        assert_eq!(packages.len(), 5);
        assert!(packages.iter().all(|p| p.direct.is_none()));
    }

    #[test]
    fn unknown_spec_and_malformed_json_are_errors() {
        let e = parse(&Input::alone(
            "Pipfile.lock",
            include_str!("../../tests/fixtures/lockfiles/pipfile-v6/unknown-spec.json"),
        ))
        .unwrap_err();
        assert_eq!(e.line, 6);
        assert!(
            e.message.contains("pipfile-spec 7") && e.message.contains("1 to 6"),
            "{e}"
        );
        let e = parse(&Input::alone(
            "Pipfile.lock",
            include_str!("../../tests/fixtures/lockfiles/pipfile-v6/truncated.json"),
        ))
        .unwrap_err();
        assert_eq!(e.line, 12, "{e}");
        assert_eq!(
            parse(&Input::alone("Pipfile.lock", "[]")).unwrap_err().line,
            1
        );
    }

    #[test]
    fn odd_entries_are_skipped() {
        let text = "{\"default\": {\"a\": 1, \"b\": {\"version\": 2}, \"c\": {\"version\": \">=1\"},\n \"six\": {\"version\": \"==1.16.0\"}}, \"develop\": []}";
        assert_eq!(
            parse(&Input::alone("Pipfile.lock", text)).unwrap(),
            vec![pypi("six", "1.16.0", 2, None)]
        );
    }
}
