//! Cargo.lock, versions 1 to 4: one `[[package]]` table per crate, each with `name`,
//! `version`, an optional `source` and a `dependencies` list of `"name"`, `"name version"` or
//! `"name version (source)"` strings.
//!
//! Also home to the small TOML helpers the other TOML lockfile parsers share (poetry.lock,
//! uv.lock, pdm.lock): the `toml` crate's span-keeping document type gives byte offsets, which
//! [`LineIndex`] turns into lines.

use std::collections::HashSet;

use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

const SUPPORTED_VERSIONS: std::ops::RangeInclusive<i64> = 1..=4;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let lines = LineIndex::new(input.text);
    let doc = parse_toml(input.text, &lines)?;

    // Versions 1 and 2 carry no marker; 3 and later say so at the top.
    if let Some(version) = doc.get("version") {
        let line = lines.line_of(version);
        match int(version) {
            Some(v) if SUPPORTED_VERSIONS.contains(&v) => {}
            _ => {
                return Err(LockfileError::new(
                    line,
                    format!(
                        "unsupported Cargo.lock version {}: supported versions are 1 to 4",
                        show(version)
                    ),
                ))
            }
        }
    }

    let entries = array_of_tables(&doc, "package", &lines)?;

    // Crates without a `source` are the workspace's own (members and path dependencies), so
    // what they depend on is what the project depends on directly. The oldest v1 files also
    // name the root crate in a `[root]` table.
    let mut roots = 0usize;
    let mut direct = DirectDeps::default();
    let mut local = |table: &DeTable<'_>| {
        roots += 1;
        for dep in array(table, "dependencies") {
            if let Some((name, version)) = dep.get_ref().as_str().and_then(dependency) {
                direct.add(name, version);
            }
        }
    };
    if let Some(root) = doc.get("root").and_then(|r| r.get_ref().as_table()) {
        local(root);
    }

    let mut found = Vec::new();
    for entry in entries {
        let Some(table) = entry.get_ref().as_table() else {
            continue;
        };
        let (Some(name), Some(version)) = (string(table, "name"), string(table, "version")) else {
            continue;
        };
        match string(table, "source") {
            None => local(table),
            // A registry (through its git or sparse index) publishes immutable versions; git
            // sources are a commit of someone's repository, which advisories do not describe.
            Some(source) if source.starts_with("registry+") || source.starts_with("sparse+") => {
                found.push((name, version, lines.line_of(entry)));
            }
            Some(_) => {}
        }
    }

    let packages = found
        .into_iter()
        .map(|(name, version, line)| {
            let package = Package::new(Ecosystem::CratesIo, name, version, line);
            if roots == 0 {
                return package;
            }
            let is_direct = direct.contains(name, version);
            package.direct(is_direct)
        })
        .collect();
    Ok(super::dedup(packages))
}

/// A `dependencies` entry: `name`, `name version` or `name version (source)`.
fn dependency(text: &str) -> Option<(&str, Option<&str>)> {
    let mut words = text.split_whitespace();
    let name = words.next()?;
    Some((name, words.next()))
}

/// What the project's own packages depend on: names, each with the versions it names when the
/// lock names one (a name alone matches every version).
#[derive(Default)]
pub(super) struct DirectDeps(std::collections::HashMap<String, Vec<Option<String>>>);

impl DirectDeps {
    pub(super) fn add(&mut self, name: &str, version: Option<&str>) {
        let versions = self.0.entry(name.to_string()).or_default();
        let version = version.map(str::to_string);
        if !versions.contains(&version) {
            versions.push(version);
        }
    }

    pub(super) fn contains(&self, name: &str, version: &str) -> bool {
        self.0
            .get(name)
            .is_some_and(|vs| vs.iter().any(|v| v.as_deref().is_none_or(|v| v == version)))
    }
}

/// Byte offsets to 1-based lines.
pub(super) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(super) fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        LineIndex { starts }
    }

    pub(super) fn line(&self, offset: usize) -> u32 {
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        u32::try_from(line).unwrap_or(u32::MAX)
    }

    /// The line a TOML value starts on; for an `[[array]]` table, its header's.
    pub(super) fn line_of<T>(&self, value: &Spanned<T>) -> u32 {
        self.line(value.span().start)
    }
}

/// Parses a TOML document; the parser bounds nesting, so hostile depth is an error too.
pub(super) fn parse_toml<'a>(
    text: &'a str,
    lines: &LineIndex,
) -> Result<DeTable<'a>, LockfileError> {
    match DeTable::parse(text) {
        Ok(doc) => Ok(doc.into_inner()),
        Err(e) => {
            let line = e.span().map_or(1, |span| lines.line(span.start));
            Err(LockfileError::new(
                line,
                format!("invalid TOML: {}", e.message().trim()),
            ))
        }
    }
}

/// The `[[key]]` tables of a document: none when absent, an error when `key` is something else.
pub(super) fn array_of_tables<'a, 'i>(
    doc: &'a DeTable<'i>,
    key: &str,
    lines: &LineIndex,
) -> Result<&'a [Spanned<DeValue<'i>>], LockfileError> {
    match doc.get(key) {
        None => Ok(&[]),
        Some(value) => match value.get_ref() {
            DeValue::Array(items) => Ok(items),
            _ => Err(LockfileError::new(
                lines.line_of(value),
                format!("`{key}` should be an array of tables"),
            )),
        },
    }
}

pub(super) fn string<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    table.get(key)?.get_ref().as_str()
}

pub(super) fn table<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    table.get(key)?.get_ref().as_table()
}

/// The items of an array value, or none when the key is absent or not an array.
pub(super) fn array<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> &'a [Spanned<DeValue<'i>>] {
    table
        .get(key)
        .and_then(|v| v.get_ref().as_array())
        .map_or(&[], DeArray::as_ref)
}

/// An integer value, whatever its radix or underscores.
pub(super) fn int(value: &Spanned<DeValue<'_>>) -> Option<i64> {
    let int = value.get_ref().as_integer()?;
    i64::from_str_radix(&int.as_str().replace('_', ""), int.radix()).ok()
}

/// A short rendering of a scalar for error messages.
pub(super) fn show(value: &Spanned<DeValue<'_>>) -> String {
    let text = match value.get_ref() {
        DeValue::String(s) => format!("{s:?}"),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        other => other.type_str().to_string(),
    };
    text.chars().take(40).collect()
}

/// Names compared as PyPI compares them.
pub(super) fn pypi_names<'a>(names: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    names
        .into_iter()
        .map(|n| Ecosystem::PyPI.normalize_name(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Vec<Package>, LockfileError> {
        parse(&Input::alone("Cargo.lock", text))
    }

    fn crate_(name: &str, version: &str, line: u32, direct: Option<bool>) -> Package {
        Package {
            ecosystem: Ecosystem::CratesIo,
            name: name.to_string(),
            version: version.to_string(),
            line,
            direct,
        }
    }

    #[test]
    fn v1_with_metadata_checksums() {
        let packages = run(include_str!(
            "../../tests/fixtures/lockfiles/cargo-v1/Cargo.lock"
        ))
        .unwrap();
        assert_eq!(
            packages,
            vec![
                crate_("cfg-if", "0.1.10", 1, Some(false)),
                crate_("log", "0.4.8", 6, Some(true)),
                crate_("serde", "1.0.104", 22, Some(true)),
            ]
        );
    }

    #[test]
    fn v2_without_version_marker() {
        let packages = run(include_str!(
            "../../tests/fixtures/lockfiles/cargo-v2/Cargo.lock"
        ))
        .unwrap();
        assert_eq!(
            packages,
            vec![
                crate_("autocfg", "1.0.1", 3, Some(false)),
                crate_("libc", "0.2.80", 9, Some(true)),
                crate_("num-traits", "0.2.14", 15, Some(true)),
            ]
        );
    }

    #[test]
    fn v3_skips_git_and_workspace_members() {
        let packages = run(include_str!(
            "../../tests/fixtures/lockfiles/cargo-v3/Cargo.lock"
        ))
        .unwrap();
        assert_eq!(
            packages,
            vec![
                crate_("itoa", "1.0.9", 5, Some(false)),
                crate_("regex", "1.9.6", 19, Some(true)),
                crate_("serde_json", "1.0.107", 25, Some(true)),
                crate_("syn", "1.0.109", 51, Some(false)),
                crate_("syn", "2.0.38", 57, Some(true)),
            ]
        );
    }

    #[test]
    fn v4_sparse_registry() {
        let packages = run(include_str!(
            "../../tests/fixtures/lockfiles/cargo-v4/Cargo.lock"
        ))
        .unwrap();
        assert_eq!(
            packages,
            vec![
                crate_("anyhow", "1.0.86", 5, Some(true)),
                crate_("once_cell", "1.19.0", 20, Some(false)),
                crate_("tokio", "1.38.0", 26, Some(true)),
            ]
        );
    }

    #[test]
    fn unknown_version_names_the_supported_ones() {
        let e = run(include_str!(
            "../../tests/fixtures/lockfiles/cargo-v4/unknown-version.lock"
        ))
        .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message.contains("version 5") && e.message.contains("1 to 4"),
            "{e}"
        );
        let e = run("version = \"four\"\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn malformed_files_are_errors_with_lines() {
        let e = run(include_str!(
            "../../tests/fixtures/lockfiles/cargo-v3/truncated.lock"
        ))
        .unwrap_err();
        assert_eq!(e.line, 8, "{e}");
        let e = run("version = 3\n\n[package]\nname = \"x\"\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let deep = format!("a = {}", "[".repeat(50_000));
        assert!(run(&deep).is_err());
    }

    #[test]
    fn oldest_v1_root_table() {
        let text = "[root]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"libc 0.2.20 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n\n[[package]]\nname = \"libc\"\nversion = \"0.2.20\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"winapi\"\nversion = \"0.2.8\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        assert_eq!(
            run(text).unwrap(),
            vec![
                crate_("libc", "0.2.20", 8, Some(true)),
                crate_("winapi", "0.2.8", 13, Some(false))
            ]
        );
    }

    #[test]
    fn odd_entries_are_skipped() {
        let text = "version = 3\n[[package]]\nname = 1\nversion = \"1.0.0\"\n\n[[package]]\nname = \"rand\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"libc\"\nversion = \"0.2.150\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"libc\"\nversion = \"0.2.150\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        assert_eq!(
            run(text).unwrap(),
            vec![crate_("libc", "0.2.150", 10, None)]
        );
        assert_eq!(run("").unwrap(), vec![]);
    }
}
