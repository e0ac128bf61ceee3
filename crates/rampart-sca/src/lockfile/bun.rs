//! Bun's text lockfile `bun.lock` (Bun 1.1.39 and later; the binary `bun.lockb` is not read):
//! JSON with comments and trailing commas. `workspaces` holds each workspace project's
//! manifest (`""` is the root); `packages` maps an install path (`lodash`,
//! `wrap-ansi/string-width`, `my-workspace/lodash`) to an array whose first element is the
//! resolution, `name@version` for a registry package.

use std::collections::{HashMap, HashSet};

use super::dedup;
use super::json::{self, Node, Value};
use super::npm::{is_registry_version, manifest_dependencies, split_name_version};
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

const SUPPORTED: &str = "supported versions are 0, 1 and 2";

const WORKSPACE_SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
];

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    // A byte-order mark is not JSON, but editors on Windows add one.
    let doc = json::parse(
        input.text.strip_prefix('\u{feff}').unwrap_or(input.text),
        true,
    )?;
    if !matches!(doc.value, Value::Object(_)) {
        return Err(LockfileError::new(
            doc.line,
            "expected a JSON object at the top level",
        ));
    }
    let Some(version) = doc.get("lockfileVersion") else {
        return Err(LockfileError::new(
            doc.line,
            format!("missing lockfileVersion; {SUPPORTED}"),
        ));
    };
    if !matches!(version.as_text(), Some("0" | "1" | "2")) {
        let shown = version.as_text().unwrap_or("(not a number)");
        return Err(LockfileError::new(
            version.line,
            format!("unsupported lockfileVersion {shown}; {SUPPORTED}"),
        ));
    }

    let mut root: HashSet<String> = HashSet::new();
    let mut members: HashMap<String, HashSet<String>> = HashMap::new();
    if let Some(workspaces) = doc.get("workspaces") {
        for workspace in workspaces.members() {
            let deps: HashSet<String> =
                manifest_dependencies(&workspace.value, &WORKSPACE_SECTIONS)
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect();
            if workspace.key.is_empty() {
                root = deps;
            } else if let Some(name) = workspace.value.get("name").and_then(Node::as_str) {
                members.entry(name.to_string()).or_default().extend(deps);
            }
        }
    }

    let Some(packages) = doc.get("packages") else {
        return Ok(Vec::new());
    };
    if !matches!(packages.value, Value::Object(_)) {
        return Err(LockfileError::new(
            packages.line,
            "`packages` must be an object",
        ));
    }
    let paths: HashSet<&str> = packages.members().iter().map(|m| m.key.as_str()).collect();

    let mut out = Vec::new();
    for member in packages.members() {
        let Some(resolution) = member.value.items().first().and_then(Node::as_str) else {
            continue;
        };
        let Some((name, version)) = split_name_version(resolution) else {
            continue;
        };
        // Workspace, link, folder, tarball, git and GitHub packages resolve to a source
        // (`workspace:packages/a`, `github:user/repo#sha`), not a registry version; the
        // root resolves to `root:`.
        if !is_registry_version(version) {
            continue;
        }
        let (parent, install_name) = split_install_path(&member.key);
        let direct = if parent.is_empty() {
            // Hoisted: the root's own dependency, or a workspace project's unless that
            // project has a copy of its own.
            root.contains(install_name)
                || members.iter().any(|(workspace, deps)| {
                    deps.contains(install_name)
                        && !paths.contains(format!("{workspace}/{install_name}").as_str())
                })
        } else {
            members
                .get(parent)
                .is_some_and(|deps| deps.contains(install_name))
        };
        out.push(Package::new(Ecosystem::Npm, name, version, member.key_line).direct(direct));
    }
    Ok(dedup(out))
}

/// `a/@scope/b` → (`a`, `@scope/b`): the last package name of the path (two segments when
/// scoped) and what it is nested under.
fn split_install_path(path: &str) -> (&str, &str) {
    let mut last = (0, path.len());
    let mut segments = path.split('/');
    let mut start = 0;
    while let Some(segment) = segments.next() {
        let mut end = start + segment.len();
        if segment.starts_with('@') {
            if let Some(rest) = segments.next() {
                end += 1 + rest.len();
            }
        }
        last = (start, end);
        start = end + 1;
    }
    match last {
        (0, _) => ("", path),
        (s, e) => (&path[..s - 1], &path[s..e]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npm(name: &str, version: &str, line: u32, direct: bool) -> Package {
        Package::new(Ecosystem::Npm, name, version, line).direct(direct)
    }

    fn parse_text(text: &str) -> Result<Vec<Package>, LockfileError> {
        parse(&Input::alone("bun.lock", text))
    }

    #[test]
    fn workspaces_nested_copies_and_sources() {
        let packages =
            parse_text(include_str!("../../tests/fixtures/lockfiles/bun/bun.lock")).unwrap();
        assert_eq!(
            packages,
            vec![
                npm("@types/bun", "1.1.14", 32, true),
                npm("@types/node", "20.12.14", 34, false),
                npm("bun-types", "1.1.14", 36, false),
                // The legacy workspace depends on debug, but on its own copy below.
                npm("debug", "4.3.4", 38, false),
                npm("hono", "4.6.12", 44, true),
                npm("ms", "2.1.2", 48, false),
                npm("string-width", "4.2.3", 50, true),
                npm("undici-types", "5.26.5", 54, false),
                npm("zod", "3.23.8", 56, true),
                npm("debug", "2.6.9", 58, true),
                npm("ms", "2.0.0", 60, false),
                npm("zod", "3.22.4", 62, true),
            ]
        );
    }

    #[test]
    fn version_0() {
        let text = "{\n  \"lockfileVersion\": 0,\n  \"workspaces\": { \"\": { \"dependencies\": { \"ms\": \"^2\" } } },\n  \"packages\": {\n    \"ms\": [\"ms@2.1.3\", \"\", {}, \"sha512-x\"],\n  },\n}\n";
        assert_eq!(parse_text(text).unwrap(), vec![npm("ms", "2.1.3", 5, true)]);
    }

    #[test]
    fn malformed_files_are_errors_with_lines() {
        let cases: [(&str, u32, &str); 5] = [
            (
                include_str!("../../tests/fixtures/lockfiles/bun/truncated.lock"),
                10,
                "invalid JSON",
            ),
            (
                include_str!("../../tests/fixtures/lockfiles/bun/unknown-version.lock"),
                2,
                "supported versions are 0, 1 and 2",
            ),
            ("[]", 1, "JSON object"),
            ("{\n  \"packages\": {}\n}", 1, "missing lockfileVersion"),
            (
                "{\n  \"lockfileVersion\": 1,\n  \"packages\": [],\n}",
                3,
                "`packages` must be an object",
            ),
        ];
        for (text, line, message) in cases {
            let error = parse_text(text).unwrap_err();
            assert_eq!(error.line, line, "{error}");
            assert!(error.message.contains(message), "{error}");
        }
    }

    #[test]
    fn odd_entries_are_skipped() {
        let text = "{\"lockfileVersion\": 1, \"packages\": {\n\"a\": [],\n\"b\": [7],\n\"c\": \"x\",\n\"d\": [\"@d\"],\n\"e\": [\"e@1.0.0\"],\n\"f/e\": [\"e@1.0.0\"]\n}}";
        assert_eq!(parse_text(text).unwrap(), vec![npm("e", "1.0.0", 6, false)]);
        let bom = "\u{feff}{\"lockfileVersion\": 1, \"packages\": {\"ms\": [\"ms@2.1.3\"]}}";
        assert_eq!(parse_text(bom).unwrap(), vec![npm("ms", "2.1.3", 1, false)]);
    }

    #[test]
    fn install_paths() {
        assert_eq!(split_install_path("lodash"), ("", "lodash"));
        assert_eq!(split_install_path("@types/node"), ("", "@types/node"));
        assert_eq!(
            split_install_path("wrap-ansi/string-width"),
            ("wrap-ansi", "string-width")
        );
        assert_eq!(
            split_install_path("@isaacs/cliui/@scope/x"),
            ("@isaacs/cliui", "@scope/x")
        );
        assert_eq!(split_install_path("a/b/c"), ("a/b", "c"));
        assert_eq!(split_install_path(""), ("", ""));
        assert_eq!(split_install_path("@scope"), ("", "@scope"));
    }
}
