//! poetry.lock: one `[[package]]` table per locked distribution, with `name` and `version`,
//! and a `[package.source]` table for anything not from the default index. Lock versions 1.x
//! and 2.x are read (Poetry 1.0 to 2.x), and the oldest files without a `lock-version` too.
//!
//! The lock file does not say which packages the project asked for; `pyproject.toml` next to
//! it does, so [`pyproject_direct`] (shared with uv.lock and pdm.lock) reads that when it can.

use std::collections::HashSet;

use toml::de::{DeTable, DeValue};

use super::cargo::{
    array, array_of_tables, parse_toml, pypi_names, show, string, table, LineIndex,
};
use super::dedup;
use super::requirements::parse_requirement;
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let lines = LineIndex::new(input.text);
    let doc = parse_toml(input.text, &lines)?;

    if let Some(version) = doc
        .get("metadata")
        .and_then(|m| m.get_ref().as_table())
        .and_then(|m| m.get("lock-version"))
    {
        let major = version
            .get_ref()
            .as_str()
            .and_then(|v| v.split('.').next())
            .and_then(|major| major.parse::<u32>().ok());
        if !matches!(major, Some(1 | 2)) {
            return Err(LockfileError::new(
                lines.line_of(version),
                format!(
                    "unsupported poetry.lock lock-version {}: supported versions are 1.x and 2.x",
                    show(version)
                ),
            ));
        }
    }

    let direct = pyproject_direct(input);
    let mut packages = Vec::new();
    for entry in array_of_tables(&doc, "package", &lines)? {
        let Some(package) = entry.get_ref().as_table() else {
            continue;
        };
        let (Some(name), Some(version)) = (string(package, "name"), string(package, "version"))
        else {
            continue;
        };
        // `legacy` is another package index (a private mirror), so its versions are registry
        // versions; git checkouts, local directories, files and URLs are not.
        if let Some(source) = table(package, "source") {
            if string(source, "type").is_some_and(|kind| kind != "legacy") {
                continue;
            }
        }
        let mut found = Package::new(Ecosystem::PyPI, name, version, lines.line_of(entry));
        if let Some(direct) = &direct {
            found = found.direct(direct.contains(&Ecosystem::PyPI.normalize_name(name)));
        }
        packages.push(found);
    }
    Ok(dedup(packages))
}

/// The normalized names of what `pyproject.toml` asks for, in any of the places the Python
/// tools declare dependencies: PEP 621 `[project]` dependencies and extras, PEP 735
/// `[dependency-groups]`, Poetry's `[tool.poetry]` tables, PDM's and uv's dev dependencies.
/// `None` when there is no readable pyproject.toml or it declares dependencies nowhere.
pub(super) fn pyproject_direct(input: &Input<'_>) -> Option<HashSet<String>> {
    let text = (input.read_relative)("pyproject.toml")?;
    let doc = DeTable::parse(&text).ok()?.into_inner();
    let mut names = Vec::new();
    let mut declared = false;

    let mut requirement_lists = Vec::new();
    if let Some(project) = table(&doc, "project") {
        if project.contains_key("dependencies") {
            declared = true;
            requirement_lists.push(array(project, "dependencies"));
        }
        if let Some(extras) = table(project, "optional-dependencies") {
            declared = true;
            requirement_lists.extend(extras.values().map(lists));
        }
    }
    if let Some(groups) = table(&doc, "dependency-groups") {
        declared = true;
        requirement_lists.extend(groups.values().map(lists));
    }
    let tool = table(&doc, "tool");
    if let Some(pdm) = tool
        .and_then(|t| table(t, "pdm"))
        .and_then(|t| table(t, "dev-dependencies"))
    {
        declared = true;
        requirement_lists.extend(pdm.values().map(lists));
    }
    if let Some(uv) = tool
        .and_then(|t| table(t, "uv"))
        .filter(|uv| uv.contains_key("dev-dependencies"))
    {
        declared = true;
        requirement_lists.push(array(uv, "dev-dependencies"));
    }
    for list in requirement_lists {
        // `{ include-group = "..." }` entries name another group, not a package.
        names.extend(
            list.iter()
                .filter_map(|item| item.get_ref().as_str())
                .filter_map(parse_requirement)
                .map(|r| r.name.to_string()),
        );
    }

    if let Some(poetry) = tool.and_then(|t| table(t, "poetry")) {
        let mut tables: Vec<&DeTable<'_>> = ["dependencies", "dev-dependencies"]
            .into_iter()
            .filter_map(|key| table(poetry, key))
            .collect();
        if let Some(groups) = table(poetry, "group") {
            tables.extend(
                groups
                    .values()
                    .filter_map(|g| g.get_ref().as_table())
                    .filter_map(|g| table(g, "dependencies")),
            );
        }
        for deps in tables {
            declared = true;
            // `python` is the interpreter the project needs, not a package.
            names.extend(
                deps.keys()
                    .map(|k| k.get_ref().to_string())
                    .filter(|k| !k.eq_ignore_ascii_case("python")),
            );
        }
    }

    declared.then(|| pypi_names(names.iter().map(String::as_str)))
}

fn lists<'a, 'i>(value: &'a toml::Spanned<DeValue<'i>>) -> &'a [toml::Spanned<DeValue<'i>>] {
    value.get_ref().as_array().map_or(&[], |a| a.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pypi(name: &str, version: &str, line: u32, direct: Option<bool>) -> Package {
        Package {
            ecosystem: Ecosystem::PyPI,
            name: name.to_string(),
            version: version.to_string(),
            line,
            direct,
        }
    }

    fn with_pyproject<'a>(path: &'a str, text: &'a str, pyproject: &'a str) -> Vec<Package> {
        let read = move |p: &str| (p == "pyproject.toml").then(|| pyproject.to_string());
        parse(&Input {
            path,
            text,
            read_relative: &read,
        })
        .unwrap()
    }

    #[test]
    fn lock_version_1_1_with_tool_poetry_dependencies() {
        let lock = include_str!("../../tests/fixtures/lockfiles/poetry-v1/poetry.lock");
        let pyproject = include_str!("../../tests/fixtures/lockfiles/poetry-v1/pyproject.toml");
        assert_eq!(
            with_pyproject("poetry.lock", lock, pyproject),
            vec![
                pypi("certifi", "2021.10.8", 1, Some(false)),
                pypi("charset-normalizer", "2.0.7", 9, Some(false)),
                pypi("idna", "3.3", 20, Some(false)),
                pypi("pytest", "6.2.5", 41, Some(true)),
                pypi("requests", "2.26.0", 49, Some(true)),
            ]
        );
        let alone = parse(&Input::alone("poetry.lock", lock)).unwrap();
        assert_eq!(alone.len(), 5);
        assert!(alone.iter().all(|p| p.direct.is_none()));
    }

    #[test]
    fn lock_version_2_0() {
        let lock = include_str!("../../tests/fixtures/lockfiles/poetry-v2.0/poetry.lock");
        assert_eq!(
            parse(&Input::alone("poetry.lock", lock)).unwrap(),
            vec![
                pypi("markupsafe", "2.1.3", 3, None),
                pypi("jinja2", "3.1.2", 14, None),
            ]
        );
    }

    #[test]
    fn lock_version_2_1_with_project_dependencies() {
        let lock = include_str!("../../tests/fixtures/lockfiles/poetry-v2.1/poetry.lock");
        let pyproject = include_str!("../../tests/fixtures/lockfiles/poetry-v2.1/pyproject.toml");
        assert_eq!(
            with_pyproject("poetry.lock", lock, pyproject),
            vec![
                pypi("blinker", "1.9.0", 3, Some(false)),
                pypi("click", "8.1.8", 14, Some(false)),
                pypi("flask", "3.1.0", 28, Some(true)),
                pypi("internal-tools", "1.4.2", 47, Some(true)),
                pypi("pytest", "8.3.4", 61, Some(true)),
            ]
        );
    }

    #[test]
    fn unknown_and_malformed_files_are_errors() {
        let e = parse(&Input::alone(
            "poetry.lock",
            include_str!("../../tests/fixtures/lockfiles/poetry-v2.1/unknown-version.lock"),
        ))
        .unwrap_err();
        assert_eq!(e.line, 9);
        assert!(
            e.message.contains("\"3.0\"") && e.message.contains("1.x and 2.x"),
            "{e}"
        );
        let e = parse(&Input::alone(
            "poetry.lock",
            include_str!("../../tests/fixtures/lockfiles/poetry-v2.1/truncated.lock"),
        ))
        .unwrap_err();
        assert_eq!(e.line, 7, "{e}");
    }

    #[test]
    fn pyproject_without_dependencies_says_nothing() {
        let lock = "[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n";
        let packages = with_pyproject("poetry.lock", lock, "[tool.black]\nline-length = 100\n");
        assert_eq!(packages, vec![pypi("six", "1.16.0", 1, None)]);
        let packages = with_pyproject("poetry.lock", lock, "[project\n");
        assert_eq!(packages, vec![pypi("six", "1.16.0", 1, None)]);
        let packages = with_pyproject(
            "poetry.lock",
            lock,
            "[dependency-groups]\ndev = [{ include-group = \"x\" }, \"Six>=1\"]\n",
        );
        assert_eq!(packages, vec![pypi("six", "1.16.0", 1, Some(true))]);
    }
}
