//! pnpm's `pnpm-lock.yaml`.
//!
//! - lockfileVersion 5.x (pnpm 3 to 7): `packages` keyed `/name/version`, peers appended as
//!   `_peer@1.0.0`; importer dependencies map a name to a version.
//! - lockfileVersion 6.x (pnpm 8): keys `/name@version`, peers as `(peer@1.0.0)`; importer
//!   dependencies map a name to `{specifier, version}`.
//! - lockfileVersion 9.x (pnpm 9 and later): keys `name@version` in `packages`, the peer
//!   variants in `snapshots` (not read: the same releases again); all importers under
//!   `importers`.
//!
//! The direct dependencies are what the importers (the root project, or each workspace
//! project) list. Also home to the YAML tree the yarn berry parser shares.

use std::collections::HashSet;

use saphyr_parser::{Event, Parser, ScanError};

use super::dedup;
use super::npm::{is_registry_version, split_name_version};
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

const SUPPORTED: &str = "supported versions are 5.x, 6.x and 9.0";

/// The dependency sections of an importer that pnpm installs. The env document's importer
/// holds the pnpm version and config dependencies the project itself pins.
const IMPORTER_SECTIONS: [&str; 5] = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "configDependencies",
    "packageManagerDependencies",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    V5,
    V6,
    V9,
}

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let documents = parse_yaml(input.text.strip_prefix('\u{feff}').unwrap_or(input.text))?;
    let mut out = Vec::new();
    let mut found = false;
    // pnpm 11 and later can write two documents: an "env" lockfile (pnpm itself and config
    // dependencies), then the project's. Both pin installed packages, so every one is read.
    for document in &documents {
        match &document.value {
            YamlValue::Map(_) => {
                found = true;
                out.extend(parse_document(document)?);
            }
            YamlValue::Scalar(s) if s.is_empty() => {}
            _ => {
                return Err(LockfileError::new(
                    document.line,
                    "expected a YAML mapping at the top level",
                ))
            }
        }
    }
    if !found {
        return Err(LockfileError::new(
            1,
            format!("empty pnpm-lock.yaml: missing lockfileVersion; {SUPPORTED}"),
        ));
    }
    Ok(dedup(out))
}

fn parse_document(document: &YamlNode) -> Result<Vec<Package>, LockfileError> {
    let Some(version) = document.get("lockfileVersion") else {
        return Err(LockfileError::new(
            document.line,
            format!("missing lockfileVersion; {SUPPORTED}"),
        ));
    };
    let text = version.as_str().unwrap_or_default();
    let dialect = match text.split('.').next() {
        Some("5") => Dialect::V5,
        Some("6") => Dialect::V6,
        Some("9") => Dialect::V9,
        _ => {
            return Err(LockfileError::new(
                version.line,
                format!("unsupported lockfileVersion {text:?}; {SUPPORTED}"),
            ))
        }
    };

    // Without workspaces, v5 and v6 keep the root project's sections at the top level.
    let mut importers: Vec<&YamlNode> = vec![document];
    if let Some(all) = document.get("importers") {
        importers.extend(all.entries().iter().map(|e| &e.value));
    }
    let mut direct: HashSet<(String, String)> = HashSet::new();
    for importer in importers {
        for section in IMPORTER_SECTIONS {
            let Some(deps) = importer.get(section) else {
                continue;
            };
            for entry in deps.entries() {
                let Some(name) = entry.key.as_deref() else {
                    continue;
                };
                // v5 maps a name to its version; v6 and v9 to `{specifier, version}`.
                let version = entry
                    .value
                    .as_str()
                    .or_else(|| entry.value.get("version").and_then(YamlNode::as_str));
                if let Some(resolved) = version.and_then(|v| importer_dependency(dialect, name, v))
                {
                    direct.insert(resolved);
                }
            }
        }
    }

    let mut out = Vec::new();
    if let Some(packages) = document.get("packages") {
        for entry in packages.entries() {
            // Keys that are not a registry `name@version` are git, tarball, file and link
            // dependencies (`github.com/user/repo/sha`, `name@file:../x`): no registry release.
            let Some((name, version)) = entry.key.as_deref().and_then(|k| package_key(dialect, k))
            else {
                continue;
            };
            if name.is_empty() || !is_registry_version(&version) {
                continue;
            }
            let is_direct = direct.contains(&(name.clone(), version.clone()));
            out.push(Package::new(Ecosystem::Npm, name, version, entry.key_line).direct(is_direct));
        }
    }
    Ok(out)
}

/// The name and version a `packages` key stands for, peers suffix removed.
fn package_key(dialect: Dialect, key: &str) -> Option<(String, String)> {
    match dialect {
        Dialect::V5 => {
            let path = key.strip_prefix('/')?;
            // The name is one path segment, or two for a scope; the version is the next
            // segment, up to the peers suffix.
            let split = if path.starts_with('@') {
                let slash = path.find('/')?;
                slash + 1 + path[slash + 1..].find('/')?
            } else {
                path.find('/')?
            };
            let (name, rest) = (&path[..split], &path[split + 1..]);
            let version = rest.split(['_', '/', '(']).next().unwrap_or_default();
            Some((name.to_string(), version.to_string()))
        }
        Dialect::V6 => {
            let (name, version) = split_name_version(strip_peers(key.strip_prefix('/')?))?;
            Some((name.to_string(), version.to_string()))
        }
        Dialect::V9 => {
            let (name, version) = split_name_version(strip_peers(key))?;
            Some((name.to_string(), version.to_string()))
        }
    }
}

/// The package an importer's `name: version` points at. The version is usually a plain version
/// (with peers suffix), but an alias points at another package's key, and `link:`/`file:`
/// point at folders.
fn importer_dependency(dialect: Dialect, name: &str, version: &str) -> Option<(String, String)> {
    match dialect {
        Dialect::V5 | Dialect::V6 if version.starts_with('/') => package_key(dialect, version),
        Dialect::V5 => {
            let version = version.split(['_', '(']).next().unwrap_or_default();
            is_registry_version(version).then(|| (name.to_string(), version.to_string()))
        }
        Dialect::V6 => {
            let version = strip_peers(version);
            is_registry_version(version).then(|| (name.to_string(), version.to_string()))
        }
        Dialect::V9 => {
            let version = strip_peers(version);
            if version.contains(':') {
                return None;
            }
            match split_name_version(version) {
                Some((alias_of, version)) => Some((alias_of.to_string(), version.to_string())),
                None => Some((name.to_string(), version.to_string())),
            }
        }
    }
}

/// `18.2.0(react@18.2.0)` → `18.2.0`.
fn strip_peers(text: &str) -> &str {
    text.split('(').next().unwrap_or(text)
}

/// YAML nested deeper than this is refused: no lockfile comes close, and the tree is dropped
/// recursively.
const MAX_YAML_DEPTH: usize = 128;

/// A YAML value with the 1-based line it starts on. Aliases are kept as such, never expanded,
/// so a billion-laughs document stays small.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct YamlNode {
    pub line: u32,
    pub value: YamlValue,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum YamlValue {
    /// A scalar's text, untyped: `1.10` stays `1.10`.
    Scalar(String),
    Seq(Vec<YamlNode>),
    Map(Vec<YamlEntry>),
    Alias,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct YamlEntry {
    /// `None` for a key that is not a scalar (a mapping or sequence used as a key).
    pub key: Option<String>,
    pub key_line: u32,
    pub value: YamlNode,
}

impl YamlNode {
    pub fn get(&self, key: &str) -> Option<&YamlNode> {
        self.entries()
            .iter()
            .find(|e| e.key.as_deref() == Some(key))
            .map(|e| &e.value)
    }

    pub fn entries(&self) -> &[YamlEntry] {
        match &self.value {
            YamlValue::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YamlValue::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

enum Frame {
    Seq(u32, Vec<YamlNode>),
    Map(u32, Vec<YamlEntry>, Option<(Option<String>, u32)>),
}

fn line_of(line: usize) -> u32 {
    u32::try_from(line.max(1)).unwrap_or(u32::MAX)
}

fn yaml_error(error: &ScanError) -> LockfileError {
    LockfileError::new(
        line_of(error.marker().line()),
        format!("invalid YAML: {}", error.info()),
    )
}

/// Every document of a YAML stream, built from the parser's events.
pub(super) fn parse_yaml(text: &str) -> Result<Vec<YamlNode>, LockfileError> {
    let mut documents = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut last_line = 1;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| yaml_error(&e))?;
        let line = line_of(span.start.line());
        last_line = line;
        let done = match event {
            Event::Scalar(value, ..) => Some(YamlNode {
                line,
                value: YamlValue::Scalar(value.into_owned()),
            }),
            Event::Alias(_) => Some(YamlNode {
                line,
                value: YamlValue::Alias,
            }),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_YAML_DEPTH {
                    return Err(LockfileError::new(line, "YAML nested too deeply"));
                }
                stack.push(match event {
                    Event::SequenceStart(..) => Frame::Seq(line, Vec::new()),
                    _ => Frame::Map(line, Vec::new(), None),
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(line, items)) => Some(YamlNode {
                    line,
                    value: YamlValue::Seq(items),
                }),
                Some(Frame::Map(line, entries, _)) => Some(YamlNode {
                    line,
                    value: YamlValue::Map(entries),
                }),
                None => {
                    return Err(LockfileError::new(
                        line,
                        "invalid YAML: unbalanced collection",
                    ))
                }
            },
            _ => None,
        };
        let Some(node) = done else { continue };
        match stack.last_mut() {
            None => documents.push(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                Some((key, key_line)) => entries.push(YamlEntry {
                    key,
                    key_line,
                    value: node,
                }),
                None => {
                    let key = match node.value {
                        YamlValue::Scalar(s) => Some(s),
                        _ => None,
                    };
                    *pending = Some((key, node.line));
                }
            },
        }
    }
    if !stack.is_empty() {
        return Err(LockfileError::new(
            last_line,
            "invalid YAML: truncated document",
        ));
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npm(name: &str, version: &str, line: u32, direct: bool) -> Package {
        Package::new(Ecosystem::Npm, name, version, line).direct(direct)
    }

    fn parse_text(text: &str) -> Result<Vec<Package>, LockfileError> {
        parse(&Input::alone("pnpm-lock.yaml", text))
    }

    #[test]
    fn v5() {
        let packages = parse_text(include_str!(
            "../../tests/fixtures/lockfiles/pnpm-v5/pnpm-lock.yaml"
        ))
        .unwrap();
        assert_eq!(
            packages,
            vec![
                npm("@babel/helper-string-parser", "7.22.5", 21, false),
                npm("@types/react", "18.2.37", 26, true),
                npm("js-tokens", "4.0.0", 34, false),
                npm("loose-envify", "1.4.0", 38, false),
                npm("react", "18.2.0", 45, true),
                npm("react-dom", "18.2.0", 52, true),
                npm("scheduler", "0.23.0", 62, false),
                // Installed as the alias `string-width-cjs`.
                npm("string-width", "4.2.3", 68, true),
            ]
        );
    }

    #[test]
    fn v6() {
        let packages = parse_text(include_str!(
            "../../tests/fixtures/lockfiles/pnpm-v6/pnpm-lock.yaml"
        ))
        .unwrap();
        assert_eq!(
            packages,
            vec![
                npm("@vitejs/plugin-react", "4.2.0", 28, true),
                npm("js-tokens", "4.0.0", 37, false),
                npm("loose-envify", "1.4.0", 41, false),
                npm("react", "18.2.0", 48, true),
                npm("react-dom", "18.2.0", 55, true),
                npm("scheduler", "0.23.0", 65, false),
                npm("vite", "5.0.2", 71, true),
            ]
        );
    }

    #[test]
    fn v9_with_workspaces() {
        let packages = parse_text(include_str!(
            "../../tests/fixtures/lockfiles/pnpm-v9/pnpm-lock.yaml"
        ))
        .unwrap();
        assert_eq!(
            packages,
            vec![
                npm("@types/node", "20.10.0", 41, true),
                npm("ms", "2.1.3", 44, false),
                // A direct dependency of the packages/logger workspace project.
                npm("debug", "4.3.4", 47, true),
                npm("react", "18.2.0", 56, true),
                npm("react-dom", "18.2.0", 60, true),
                npm("string-width", "4.2.3", 65, true),
                npm("undici-types", "5.26.5", 68, false),
            ]
        );
    }

    #[test]
    fn every_document_of_a_multi_document_lockfile() {
        let packages = parse_text(include_str!(
            "../../tests/fixtures/lockfiles/pnpm-v9/multi-document.yaml"
        ))
        .unwrap();
        assert_eq!(
            packages,
            vec![
                // The env document: the pnpm release the project pins.
                npm("pnpm", "11.0.3", 15, true),
                npm("is-number", "6.0.0", 41, false),
                npm("is-odd", "3.0.1", 45, true),
            ]
        );
        let bom = "\u{feff}lockfileVersion: '9.0'\npackages:\n  ms@2.1.3: {}\n";
        assert_eq!(parse_text(bom).unwrap(), vec![npm("ms", "2.1.3", 3, false)]);
    }

    #[test]
    fn malformed_files_are_errors_with_lines() {
        let cases: [(&str, u32, &str); 6] = [
            (
                include_str!("../../tests/fixtures/lockfiles/pnpm-malformed/unknown-version.yaml"),
                1,
                "supported versions are 5.x, 6.x and 9.0",
            ),
            (
                include_str!("../../tests/fixtures/lockfiles/pnpm-malformed/unterminated.yaml"),
                9,
                "invalid YAML",
            ),
            ("", 1, "missing lockfileVersion"),
            ("- a\n- b\n", 1, "mapping at the top level"),
            (
                "importers: {}\npackages: {}\n",
                1,
                "missing lockfileVersion",
            ),
            ("lockfileVersion: '9.0'\npackages: [\n", 3, "invalid YAML"),
        ];
        for (text, line, message) in cases {
            let error = parse_text(text).unwrap_err();
            assert_eq!(error.line, line, "{error}");
            assert!(error.message.contains(message), "{error}");
        }
    }

    #[test]
    fn odd_entries_and_hostile_yaml() {
        let text = "lockfileVersion: '9.0'\npackages:\n  ? &k [a, b]\n  : {}\n  *k : {}\n  nover@: {}\n  ok@1.0.0: &anchor {}\n  again@1.0.0: *anchor\n";
        assert_eq!(
            parse_text(text).unwrap(),
            vec![
                npm("ok", "1.0.0", 7, false),
                npm("again", "1.0.0", 8, false)
            ]
        );
        let deep = format!("lockfileVersion: '9.0'\npackages: {}", "[".repeat(10_000));
        assert!(parse_text(&deep).is_err());
        let bomb = "lockfileVersion: '9.0'\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
        assert_eq!(parse_text(bomb).unwrap(), vec![]);
    }

    #[test]
    fn keys() {
        assert_eq!(
            package_key(Dialect::V5, "/@babel/core/7.23.3_supports-color@8.1.1"),
            Some(("@babel/core".into(), "7.23.3".into()))
        );
        assert_eq!(package_key(Dialect::V5, "github.com/user/repo/abc"), None);
        assert_eq!(
            package_key(Dialect::V6, "/@babel/core@7.23.3(supports-color@8.1.1)"),
            Some(("@babel/core".into(), "7.23.3".into()))
        );
        assert_eq!(
            package_key(Dialect::V9, "react-dom@18.2.0(react@18.2.0)"),
            Some(("react-dom".into(), "18.2.0".into()))
        );
        assert_eq!(importer_dependency(Dialect::V9, "x", "link:../x"), None);
        assert_eq!(
            importer_dependency(Dialect::V9, "sw", "string-width@4.2.3"),
            Some(("string-width".into(), "4.2.3".into()))
        );
        assert_eq!(
            importer_dependency(Dialect::V5, "react-dom", "18.2.0_react@18.2.0"),
            Some(("react-dom".into(), "18.2.0".into()))
        );
    }
}
