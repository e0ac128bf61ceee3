//! uv.lock and pdm.lock: both TOML with one `[[package]]` table per locked distribution.
//!
//! uv.lock (version 1) records each package's `source` and the project itself as a package
//! with an `editable` or `virtual` source, whose `dependencies` (and optional and dev
//! dependencies) are the direct ones. pdm.lock (lock_version up to 4.x) does not record the
//! project, so direct dependencies come from `pyproject.toml` when it can be read.

use toml::de::DeTable;

use super::cargo::{
    array, array_of_tables, int, parse_toml, show, string, table, DirectDeps, LineIndex,
};
use super::dedup;
use super::poetry::pyproject_direct;
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let lines = LineIndex::new(input.text);
    let doc = parse_toml(input.text, &lines)?;
    match doc.get("version") {
        None => {
            return Err(LockfileError::new(
                1,
                "uv.lock has no `version`: supported version is 1",
            ))
        }
        Some(version) if int(version) != Some(1) => {
            return Err(LockfileError::new(
                lines.line_of(version),
                format!(
                    "unsupported uv.lock version {}: supported version is 1",
                    show(version)
                ),
            ))
        }
        Some(_) => {}
    }

    let mut roots = 0usize;
    let mut direct = DirectDeps::default();
    let mut found = Vec::new();
    for entry in array_of_tables(&doc, "package", &lines)? {
        let Some(package) = entry.get_ref().as_table() else {
            continue;
        };
        let Some(name) = string(package, "name") else {
            continue;
        };
        let Some(source) = table(package, "source") else {
            continue;
        };
        if source.contains_key("editable") || source.contains_key("virtual") {
            // The project (or a workspace member): what it depends on is direct.
            roots += 1;
            let groups = ["optional-dependencies", "dev-dependencies"]
                .into_iter()
                .filter_map(|key| table(package, key))
                .flat_map(|groups| groups.values())
                .filter_map(|list| list.get_ref().as_array())
                .flat_map(|list| list.iter());
            for dep in array(package, "dependencies").iter().chain(groups) {
                if let Some(dep) = dep.get_ref().as_table() {
                    if let Some(dep_name) = string(dep, "name") {
                        direct.add(
                            &Ecosystem::PyPI.normalize_name(dep_name),
                            string(dep, "version"),
                        );
                    }
                }
            }
            continue;
        }
        // Only index packages are releases advisories can describe; git, URL, path and
        // directory sources are someone's checkout or archive.
        if !source.contains_key("registry") {
            continue;
        }
        let Some(version) = string(package, "version") else {
            continue;
        };
        found.push(Package::new(
            Ecosystem::PyPI,
            name,
            version,
            lines.line_of(entry),
        ));
    }

    if roots > 0 {
        for package in &mut found {
            let name = Ecosystem::PyPI.normalize_name(&package.name);
            let is_direct = direct.contains(&name, &package.version);
            package.direct = Some(is_direct);
        }
    }
    Ok(dedup(found))
}

pub fn parse_pdm(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let lines = LineIndex::new(input.text);
    let doc = parse_toml(input.text, &lines)?;
    if let Some(version) = table(&doc, "metadata").and_then(|m| m.get("lock_version")) {
        let major = version
            .get_ref()
            .as_str()
            .and_then(|v| v.split('.').next())
            .and_then(|major| major.parse::<u32>().ok());
        if !major.is_some_and(|m| (1..=4).contains(&m)) {
            return Err(LockfileError::new(
                lines.line_of(version),
                format!(
                    "unsupported pdm.lock lock_version {}: supported versions are up to 4.x",
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
        if !from_index(package) {
            continue;
        }
        let (Some(name), Some(version)) = (string(package, "name"), string(package, "version"))
        else {
            continue;
        };
        let mut found = Package::new(Ecosystem::PyPI, name, version, lines.line_of(entry));
        if let Some(direct) = &direct {
            found = found.direct(direct.contains(&Ecosystem::PyPI.normalize_name(name)));
        }
        packages.push(found);
    }
    // A package locked with extras is a second entry of the same name and version.
    Ok(dedup(packages))
}

/// pdm marks what did not come from an index with the key that says where it came from: a
/// git repository, a local path (editable or not), or a direct URL.
fn from_index(package: &DeTable<'_>) -> bool {
    !["git", "hg", "svn", "bzr", "path", "url", "editable"]
        .iter()
        .any(|key| package.contains_key(*key))
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

    #[test]
    fn uv_workspace() {
        let lock = include_str!("../../tests/fixtures/lockfiles/uv-v1/uv.lock");
        assert_eq!(
            parse(&Input::alone("uv.lock", lock)).unwrap(),
            vec![
                pypi("anyio", "4.6.2.post1", 11, Some(false)),
                pypi("fastapi", "0.115.4", 53, Some(true)),
                pypi("idna", "3.10", 62, Some(false)),
                pypi("pytest", "8.3.3", 67, Some(true)),
                pypi("sniffio", "1.3.1", 81, Some(true)),
                pypi("starlette", "0.41.2", 86, Some(false)),
                pypi("uvicorn", "0.32.0", 99, Some(true)),
            ]
        );
    }

    #[test]
    fn uv_virtual_root_and_forked_versions() {
        let lock = "version = 1\nrequires-python = \">=3.9\"\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\ndependencies = [\n    { name = \"numpy\", version = \"1.26.4\", source = { registry = \"https://pypi.org/simple\" }, marker = \"python_full_version < '3.10'\" },\n]\n\n[[package]]\nname = \"numpy\"\nversion = \"1.26.4\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"numpy\"\nversion = \"2.1.3\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        assert_eq!(
            parse(&Input::alone("uv.lock", lock)).unwrap(),
            vec![
                pypi("numpy", "1.26.4", 12, Some(true)),
                pypi("numpy", "2.1.3", 17, Some(false))
            ]
        );
    }

    #[test]
    fn uv_unknown_and_malformed_files_are_errors() {
        let e = parse(&Input::alone(
            "uv.lock",
            include_str!("../../tests/fixtures/lockfiles/uv-v1/unknown-version.lock"),
        ))
        .unwrap_err();
        assert_eq!(e.line, 1);
        assert!(
            e.message.contains("version 2") && e.message.contains("supported version is 1"),
            "{e}"
        );
        let e = parse(&Input::alone("uv.lock", "requires-python = \">=3.12\"\n")).unwrap_err();
        assert!(e.message.contains("no `version`"), "{e}");
        let e = parse(&Input::alone(
            "uv.lock",
            include_str!("../../tests/fixtures/lockfiles/uv-v1/truncated.lock"),
        ))
        .unwrap_err();
        assert_eq!(e.line, 10, "{e}");
    }

    #[test]
    fn pdm_v4_with_pyproject() {
        let lock = include_str!("../../tests/fixtures/lockfiles/pdm-v4/pdm.lock");
        let read = |p: &str| {
            (p == "pyproject.toml").then(|| {
                include_str!("../../tests/fixtures/lockfiles/pdm-v4/pyproject.toml").to_string()
            })
        };
        let input = Input {
            path: "pdm.lock",
            text: lock,
            read_relative: &read,
        };
        assert_eq!(
            parse_pdm(&input).unwrap(),
            vec![
                pypi("certifi", "2024.8.30", 13, Some(false)),
                pypi("charset-normalizer", "3.4.0", 23, Some(false)),
                pypi("idna", "3.10", 33, Some(false)),
                pypi("pytest", "8.3.3", 52, Some(true)),
                pypi("requests", "2.32.3", 62, Some(true)),
                pypi("urllib3", "2.2.3", 99, Some(false)),
            ]
        );
        let alone = parse_pdm(&Input::alone("pdm.lock", lock)).unwrap();
        assert!(alone.iter().all(|p| p.direct.is_none()));
    }

    #[test]
    fn pdm_v3() {
        let lock = include_str!("../../tests/fixtures/lockfiles/pdm-v3/pdm.lock");
        assert_eq!(
            parse_pdm(&Input::alone("pdm.lock", lock)).unwrap(),
            vec![
                pypi("click", "8.1.3", 1, None),
                pypi("colorama", "0.4.6", 10, None)
            ]
        );
    }

    #[test]
    fn pdm_unknown_and_malformed_files_are_errors() {
        let e = parse_pdm(&Input::alone(
            "pdm.lock",
            "# This file is @generated by PDM.\n[metadata]\ngroups = [\"default\"]\nlock_version = \"5.0.0\"\n",
        ))
        .unwrap_err();
        assert_eq!(e.line, 4);
        assert!(
            e.message.contains("\"5.0.0\"") && e.message.contains("4.x"),
            "{e}"
        );
        let e = parse_pdm(&Input::alone(
            "pdm.lock",
            "[[package]]\nname = \"click\"\nversion = \n",
        ))
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = parse_pdm(&Input::alone("pdm.lock", "package = \"click\"\n")).unwrap_err();
        assert_eq!(e.line, 1, "{e}");
    }
}
