//! npm's `package-lock.json` and `npm-shrinkwrap.json` (the same format under two names).
//!
//! - lockfileVersion 1 (npm 5 and 6): a tree of `dependencies` objects keyed by the name the
//!   package is installed under, nested where npm could not hoist a version.
//! - lockfileVersion 2 (npm 7 and 8): the flat `packages` object keyed by install path
//!   (`node_modules/a/node_modules/b`), plus the v1 tree for older npm; `packages` is read.
//! - lockfileVersion 3 (npm 9 and later): `packages` only.
//!
//! Also home to the helpers the other npm-ecosystem lockfiles (yarn, pnpm, bun) share.

use std::collections::HashSet;

use super::json::{self, Node, Value};
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

/// The dependency sections of a package.json that npm installs.
const MANIFEST_SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
];

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    // A byte-order mark is not JSON, but editors on Windows add one.
    let doc = json::parse(
        input.text.strip_prefix('\u{feff}').unwrap_or(input.text),
        false,
    )?;
    if !matches!(doc.value, Value::Object(_)) {
        return Err(LockfileError::new(
            doc.line,
            "expected a JSON object at the top level",
        ));
    }
    let version = match doc.get("lockfileVersion") {
        Some(node) => match node.as_text() {
            Some("1") => 1,
            Some("2") => 2,
            Some("3") => 3,
            other => {
                return Err(LockfileError::new(
                    node.line,
                    format!(
                        "unsupported lockfileVersion {}; supported versions are 1, 2 and 3",
                        other.unwrap_or("(not a number)")
                    ),
                ))
            }
        },
        // Shrinkwraps written before npm 5 have no version but already use the v1 layout.
        None if doc.get("dependencies").is_some() => 1,
        None => {
            return Err(LockfileError::new(
                doc.line,
                "missing lockfileVersion; supported versions are 1, 2 and 3",
            ))
        }
    };

    let packages = match doc.get("packages") {
        Some(node) if version >= 2 => {
            if !matches!(node.value, Value::Object(_)) {
                return Err(LockfileError::new(
                    node.line,
                    "`packages` must be an object",
                ));
            }
            packages_v2(node)
        }
        _ if version == 3 => {
            return Err(LockfileError::new(
                doc.line,
                "lockfileVersion 3 without a `packages` object",
            ));
        }
        _ => {
            let direct = read_manifest(input).map(|m| {
                manifest_dependencies(&m, &MANIFEST_SECTIONS)
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect::<HashSet<_>>()
            });
            let mut out = Vec::new();
            if let Some(deps) = doc.get("dependencies") {
                dependencies_v1(deps, true, direct.as_ref(), &mut out);
            }
            out
        }
    };
    Ok(super::dedup(packages))
}

/// The v1 tree. A top-level entry is direct when package.json names it; a nested one never is
/// (npm nests only what some other package needs in a version the top level does not have).
fn dependencies_v1(
    deps: &Node,
    top: bool,
    direct: Option<&HashSet<String>>,
    out: &mut Vec<Package>,
) {
    for member in deps.members() {
        let entry = &member.value;
        if let Some((name, version)) = entry
            .get("version")
            .and_then(Node::as_str)
            .and_then(|v| v1_name_version(&member.key, v))
        {
            let mut package = Package::new(Ecosystem::Npm, name, version, member.key_line);
            if let Some(direct) = direct {
                package = package.direct(top && direct.contains(&member.key));
            }
            out.push(package);
        }
        // A git or file dependency is not itself reported, but what it pulled in from the
        // registry is still installed.
        if let Some(nested) = entry.get("dependencies") {
            dependencies_v1(nested, false, direct, out);
        }
    }
}

/// The real name and version of a v1 entry: an alias records `npm:real-name@version`, and a
/// git, file or tarball dependency records its source instead of a version, so it has none.
fn v1_name_version<'a>(key: &'a str, version: &'a str) -> Option<(&'a str, &'a str)> {
    let (name, version) = match version.strip_prefix("npm:") {
        Some(aliased) => split_name_version(aliased)?,
        None => (key, version),
    };
    (!name.is_empty() && is_registry_version(version)).then_some((name, version))
}

/// The v2/v3 `packages` object: every installed copy keyed by its path. Keys without a
/// `node_modules/` segment are the root project (`""`) and workspace sources: the project's own
/// code, not dependencies.
fn packages_v2(packages: &Node) -> Vec<Package> {
    let paths: HashSet<&str> = packages.members().iter().map(|m| m.key.as_str()).collect();

    // A project folder's direct dependencies are the copies Node's resolution finds from it:
    // its own node_modules first, then each parent folder's.
    let mut direct_paths: HashSet<String> = HashSet::new();
    for member in packages
        .members()
        .iter()
        .filter(|m| !is_install_path(&m.key))
    {
        for (name, _) in manifest_dependencies(&member.value, &MANIFEST_SECTIONS) {
            let mut folder = member.key.as_str();
            loop {
                let candidate = if folder.is_empty() {
                    format!("node_modules/{name}")
                } else {
                    format!("{folder}/node_modules/{name}")
                };
                if paths.contains(candidate.as_str()) {
                    direct_paths.insert(candidate);
                    break;
                }
                if folder.is_empty() {
                    break;
                }
                folder = folder.rsplit_once('/').map_or("", |(parent, _)| parent);
            }
        }
    }

    let mut out = Vec::new();
    for member in packages.members() {
        let entry = &member.value;
        let Some((_, install_name)) = member.key.rsplit_once("node_modules/") else {
            continue;
        };
        // A link is a workspace (or `npm link`ed folder): the project's own code.
        if entry.get("link").and_then(Node::as_bool) == Some(true) {
            continue;
        }
        // Git and local-folder or local-tarball dependencies carry a version from their own
        // package.json that says nothing about any registry release.
        if entry
            .get("resolved")
            .and_then(Node::as_str)
            .is_some_and(is_git_or_file)
        {
            continue;
        }
        // An alias (`"x": "npm:lodash@4"`) is installed as `node_modules/x` and names the
        // real package in `name`.
        let name = entry
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or(install_name);
        let Some(version) = entry.get("version").and_then(Node::as_str) else {
            continue;
        };
        if name.is_empty() || !is_registry_version(version) {
            continue;
        }
        let direct = direct_paths.contains(member.key.as_str());
        out.push(Package::new(Ecosystem::Npm, name, version, member.key_line).direct(direct));
    }
    out
}

fn is_install_path(path: &str) -> bool {
    path.split('/').any(|segment| segment == "node_modules")
}

fn is_git_or_file(resolved: &str) -> bool {
    [
        "git+",
        "git:",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "file:",
    ]
    .iter()
    .any(|prefix| resolved.starts_with(prefix))
}

/// Whether `version` is a release version a registry could serve, as opposed to a source
/// (`file:..`, `link:..`, `github:user/repo#sha`, a tarball URL) written where a version goes.
/// Semver versions never contain `:`, `/` or `#`.
pub(super) fn is_registry_version(version: &str) -> bool {
    !version.is_empty()
        && version.len() <= 256
        && version.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !version.contains(|c: char| matches!(c, ':' | '/' | '#' | '\\') || c.is_whitespace())
}

/// Splits `name@rest` at the `@` that ends the name: a scoped name (`@babel/core`) starts with
/// one of its own.
pub(super) fn split_name_version(text: &str) -> Option<(&str, &str)> {
    let (at, _) = text.char_indices().skip(1).find(|&(_, c)| c == '@')?;
    Some((&text[..at], &text[at + 1..]))
}

/// The `(name, range)` pairs of the given dependency sections of a package.json-shaped object.
pub(super) fn manifest_dependencies(manifest: &Node, sections: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for section in sections {
        if let Some(deps) = manifest.get(section) {
            for member in deps.members() {
                let range = member.value.as_str().unwrap_or_default();
                out.push((member.key.clone(), range.to_string()));
            }
        }
    }
    out
}

/// The package.json beside the lockfile, when it exists and is a JSON object.
pub(super) fn read_manifest(input: &Input<'_>) -> Option<Node> {
    let text = (input.read_relative)("package.json")?;
    let manifest = json::parse(&text, false).ok()?;
    matches!(manifest.value, Value::Object(_)).then_some(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npm(name: &str, version: &str, line: u32, direct: Option<bool>) -> Package {
        Package {
            ecosystem: Ecosystem::Npm,
            name: name.to_string(),
            version: version.to_string(),
            line,
            direct,
        }
    }

    fn with_manifest(
        path: &'static str,
        text: &'static str,
        manifest: &'static str,
    ) -> Result<Vec<Package>, LockfileError> {
        let read = move |p: &str| (p == "package.json").then(|| manifest.to_string());
        parse(&Input {
            path,
            text,
            read_relative: &read,
        })
    }

    const V1: &str = include_str!("../../tests/fixtures/lockfiles/npm-v1/package-lock.json");
    const V1_MANIFEST: &str = include_str!("../../tests/fixtures/lockfiles/npm-v1/package.json");

    #[test]
    fn v1_without_package_json() {
        let packages = parse(&Input::alone("package-lock.json", V1)).unwrap();
        assert_eq!(
            packages,
            vec![
                npm("debug", "2.6.9", 7, None),
                npm("ms", "2.0.0", 15, None),
                npm("express", "4.18.2", 20, None),
                npm("@babel/code-frame", "7.22.13", 28, None),
                npm("lodash", "4.17.21", 34, None),
                npm("ms", "2.1.3", 50, None),
            ]
        );
    }

    #[test]
    fn v1_with_package_json_knows_direct_dependencies() {
        let packages = with_manifest("package-lock.json", V1, V1_MANIFEST).unwrap();
        let direct: Vec<(&str, &str, Option<bool>)> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect();
        assert_eq!(
            direct,
            vec![
                ("debug", "2.6.9", Some(false)),
                ("ms", "2.0.0", Some(false)),
                ("express", "4.18.2", Some(true)),
                ("@babel/code-frame", "7.22.13", Some(true)),
                // Installed as `my-lodash`, an alias package.json names.
                ("lodash", "4.17.21", Some(true)),
                ("ms", "2.1.3", Some(false)),
            ]
        );
    }

    #[test]
    fn shrinkwrap_is_the_same_format() {
        let text = include_str!("../../tests/fixtures/lockfiles/npm-v1/npm-shrinkwrap.json");
        let packages = parse(&Input::alone("npm-shrinkwrap.json", text)).unwrap();
        assert_eq!(
            packages,
            vec![
                npm("left-pad", "1.3.0", 5, None),
                npm("minimist", "0.0.8", 9, None)
            ]
        );
    }

    #[test]
    fn v2_reads_packages_not_the_legacy_tree() {
        let text = include_str!("../../tests/fixtures/lockfiles/npm-v2/package-lock.json");
        let packages = parse(&Input::alone("package-lock.json", text)).unwrap();
        assert_eq!(
            packages,
            vec![
                npm("axios", "1.6.0", 17, Some(true)),
                npm("follow-redirects", "1.15.3", 25, Some(false)),
                npm("jest", "29.7.0", 30, Some(true)),
            ]
        );
    }

    #[test]
    fn v3_workspaces_aliases_and_nested_copies() {
        let text = include_str!("../../tests/fixtures/lockfiles/npm-v3/package-lock.json");
        let packages = parse(&Input::alone("package-lock.json", text)).unwrap();
        assert_eq!(
            packages,
            vec![
                npm("@types/node", "20.8.10", 25, Some(true)),
                // Hoisted for the @acme/utils workspace, which depends on it.
                npm("debug", "4.3.4", 31, Some(true)),
                npm("express", "4.18.2", 43, Some(true)),
                npm("debug", "2.6.9", 50, Some(false)),
                npm("ms", "2.0.0", 57, Some(false)),
                npm("ms", "2.1.2", 61, Some(false)),
                npm("string-width", "4.2.3", 65, Some(true)),
                npm("undici-types", "5.26.5", 70, Some(false)),
                npm("semver", "6.3.1", 91, Some(true)),
            ]
        );
    }

    #[test]
    fn malformed_files_are_errors_with_lines() {
        let cases: [(&str, u32, &str); 5] = [
            (
                include_str!("../../tests/fixtures/lockfiles/npm-malformed/truncated.json"),
                12,
                "invalid JSON",
            ),
            (
                include_str!("../../tests/fixtures/lockfiles/npm-malformed/unknown-version.json"),
                3,
                "supported versions are 1, 2 and 3",
            ),
            ("[1, 2]", 1, "JSON object"),
            ("{\n  \"name\": \"x\"\n}", 1, "missing lockfileVersion"),
            (
                "{\n  \"lockfileVersion\": 3,\n  \"packages\": []\n}",
                3,
                "`packages` must be an object",
            ),
        ];
        for (text, line, message) in cases {
            let error = parse(&Input::alone("package-lock.json", text)).unwrap_err();
            assert_eq!(error.line, line, "{error}");
            assert!(error.message.contains(message), "{error}");
        }
    }

    #[test]
    fn odd_entries_are_skipped() {
        let text = r#"{
  "lockfileVersion": 3,
  "packages": {
    "node_modules/a": "not an object",
    "node_modules/b": { "version": 7 },
    "node_modules/c": {},
    "node_modules/": { "version": "1.0.0" },
    "node_modules/ok": { "version": "1.0.0" },
    "node_modules/ok2": { "version": "1.0.0" },
    "node_modules/ok2/node_modules/ok": { "version": "1.0.0" }
  }
}"#;
        let packages = parse(&Input::alone("package-lock.json", text)).unwrap();
        assert_eq!(
            packages,
            vec![
                npm("ok", "1.0.0", 8, Some(false)),
                npm("ok2", "1.0.0", 9, Some(false))
            ]
        );
        let bom = "\u{feff}{\"lockfileVersion\": 3, \"packages\": {\"node_modules/ms\": {\"version\": \"2.1.3\"}}}";
        assert_eq!(
            parse(&Input::alone("package-lock.json", bom)).unwrap(),
            vec![npm("ms", "2.1.3", 1, Some(false))]
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(
            split_name_version("@babel/core@7.0.0"),
            Some(("@babel/core", "7.0.0"))
        );
        assert_eq!(split_name_version("a@npm:b@1"), Some(("a", "npm:b@1")));
        assert_eq!(split_name_version("@scope"), None);
        assert_eq!(split_name_version("é@1"), Some(("é", "1")));
        for ok in ["1.0.0", "0.0.0-beta.1+build.5", "4.17.21"] {
            assert!(is_registry_version(ok), "{ok}");
        }
        for bad in [
            "",
            "file:../x",
            "github:a/b#c",
            "https://x/y.tgz",
            "link:x",
            "^1.0.0",
            "1.0 .0",
        ] {
            assert!(!is_registry_version(bad), "{bad}");
        }
    }
}
