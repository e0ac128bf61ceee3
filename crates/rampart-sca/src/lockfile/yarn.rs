//! Yarn's `yarn.lock`, in both of its formats:
//!
//! - v1 (Yarn classic): yarn's own indented format. Each entry is headed by the
//!   comma-separated descriptors (`name@range`) it satisfies, with `version "1.2.3"` lines
//!   under it. Direct dependencies come from the package.json beside it, when readable.
//! - berry (Yarn 2 and later, `__metadata.version` 4 to 9): YAML. Each entry is keyed by its
//!   descriptors and has a `resolution` (`name@npm:1.2.3`) and a `version`. The workspaces'
//!   own entries list their dependencies, which makes those direct.

use std::collections::HashSet;

use super::dedup;
use super::npm::{is_registry_version, manifest_dependencies, read_manifest, split_name_version};
use super::pnpm::{parse_yaml, YamlNode, YamlValue};
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

const SUPPORTED: &str =
    "supported are yarn lockfile v1 and berry lockfiles with __metadata version 4 to 9";

/// Entries nested deeper than this are refused: a v1 lockfile uses three levels.
const MAX_V1_DEPTH: usize = 16;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    // Berry always writes `__metadata` as a top-level key; v1 never has it.
    if input
        .text
        .lines()
        .any(|line| line.trim_end() == "__metadata:")
    {
        parse_berry(input)
    } else {
        parse_v1(input)
    }
}

// ---- v1 ----

/// One line's `key value` or `key:` (a block), where a block's keys may be several.
#[derive(Debug)]
struct Entry {
    keys: Vec<String>,
    line: u32,
    value: EntryValue,
}

#[derive(Debug)]
enum EntryValue {
    Text(String),
    Block(Vec<Entry>),
}

impl Entry {
    fn field(&self, key: &str) -> Option<&str> {
        match &self.value {
            EntryValue::Block(children) => children
                .iter()
                .find(|c| c.keys.iter().any(|k| k == key))
                .and_then(|c| match &c.value {
                    EntryValue::Text(text) => Some(text.as_str()),
                    EntryValue::Block(_) => None,
                }),
            EntryValue::Text(_) => None,
        }
    }
}

fn parse_v1(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let entries = parse_v1_tree(input.text.strip_prefix('\u{feff}').unwrap_or(input.text))?;

    // package.json's `name@range` pairs are exactly the descriptors yarn heads entries with.
    let manifest = read_manifest(input);
    let direct: Option<HashSet<String>> = manifest.as_ref().map(|m| {
        manifest_dependencies(
            m,
            &["dependencies", "devDependencies", "optionalDependencies"],
        )
        .into_iter()
        .map(|(name, range)| format!("{name}@{range}"))
        .collect()
    });
    // Workspace projects' package.json files are not read, so with workspaces an entry
    // the root does not name may still be some project's direct dependency.
    let has_workspaces = manifest
        .as_ref()
        .is_some_and(|m| m.get("workspaces").is_some());

    let mut out = Vec::new();
    for entry in &entries {
        let EntryValue::Block(_) = entry.value else {
            continue;
        };
        let Some(first) = entry.keys.first() else {
            continue;
        };
        let (name, _) = descriptor_name_range(first);
        // A git, tarball-URL, file or link descriptor resolves to something that is not a
        // registry release; all of an entry's descriptors share one resolution.
        if entry
            .keys
            .iter()
            .any(|k| !is_registry_range(descriptor_name_range(k).1))
        {
            continue;
        }
        let Some(version) = entry.field("version") else {
            continue;
        };
        if name.is_empty() || !is_registry_version(version) {
            continue;
        }
        let mut package = Package::new(Ecosystem::Npm, name, version, entry.line);
        if let Some(direct) = &direct {
            let is_direct = entry.keys.iter().any(|k| direct.contains(k));
            if is_direct || !has_workspaces {
                package = package.direct(is_direct);
            }
        }
        out.push(package);
    }
    Ok(dedup(out))
}

/// The package a v1 descriptor names and the range it asks for: `name@range`, or for an
/// alias `alias@npm:name@range`.
fn descriptor_name_range(descriptor: &str) -> (&str, &str) {
    let Some((name, range)) = split_name_version(descriptor) else {
        return (descriptor, "");
    };
    match range.strip_prefix("npm:") {
        Some(aliased) => split_name_version(aliased).unwrap_or((name, aliased)),
        None => (name, range),
    }
}

/// Semver ranges and dist-tags never contain `:` or `/`; git, URL, `file:` and `link:`
/// sources always do.
fn is_registry_range(range: &str) -> bool {
    !range.contains([':', '/'])
}

#[derive(Debug, PartialEq)]
enum Token {
    Text(String),
    Comma,
    Colon,
}

fn v1_error(line: u32, message: impl std::fmt::Display) -> LockfileError {
    LockfileError::new(line, format!("invalid yarn.lock: {message}"))
}

/// Splits one line into strings (quoted with JSON escapes, or bare), commas and colons. A bare
/// string runs to whitespace, a comma, or a colon that ends the line or precedes whitespace
/// (`resolved` URLs hold colons but are quoted; `lodash@^4.0.0:` is bare).
fn tokenize(text: &str, line: u32) -> Result<Vec<Token>, LockfileError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            ',' => {
                chars.next();
                tokens.push(Token::Comma);
            }
            ':' => {
                chars.next();
                tokens.push(Token::Colon);
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err(v1_error(line, "unterminated string")),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some('r') => s.push('\r'),
                            Some('b') => s.push('\u{8}'),
                            Some('f') => s.push('\u{c}'),
                            Some('u') => {
                                let hex: String = chars.by_ref().take(4).collect();
                                let code = u32::from_str_radix(&hex, 16)
                                    .map_err(|_| v1_error(line, "bad \\u escape"))?;
                                s.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            }
                            Some(other) => s.push(other),
                            None => return Err(v1_error(line, "unterminated string")),
                        },
                        Some(other) => s.push(other),
                    }
                }
                tokens.push(Token::Text(s));
            }
            _ => {
                let mut s = String::new();
                while let Some(&c) = chars.peek() {
                    if c == ' ' || c == '\t' || c == ',' {
                        break;
                    }
                    if c == ':' {
                        let mut ahead = chars.clone();
                        ahead.next();
                        if matches!(ahead.peek(), None | Some(' ' | '\t')) {
                            break;
                        }
                    }
                    s.push(c);
                    chars.next();
                }
                tokens.push(Token::Text(s));
            }
        }
    }
    Ok(tokens)
}

/// One line as `keys value` (a field) or `keys:` (the head of a block).
fn parse_line(
    tokens: Vec<Token>,
    line: u32,
) -> Result<(Vec<String>, Option<String>), LockfileError> {
    let mut tokens = tokens.into_iter().peekable();
    let mut keys = Vec::new();
    loop {
        match tokens.next() {
            Some(Token::Text(key)) => keys.push(key),
            _ => return Err(v1_error(line, "expected a key")),
        }
        if tokens.peek() == Some(&Token::Comma) {
            tokens.next();
        } else {
            break;
        }
    }
    let colon = tokens.peek() == Some(&Token::Colon);
    if colon {
        tokens.next();
    }
    let value = match tokens.next() {
        Some(Token::Text(value)) => Some(value),
        None if colon => None,
        None => return Err(v1_error(line, "expected a value or `:` after the key")),
        Some(_) => return Err(v1_error(line, "unexpected `,` or `:`")),
    };
    if tokens.next().is_some() {
        return Err(v1_error(line, "unexpected text after the value"));
    }
    Ok((keys, value))
}

/// A block being filled: its header, and the indentation of its children once the first one
/// is seen.
struct Frame {
    keys: Vec<String>,
    line: u32,
    indent: usize,
    child_indent: Option<usize>,
    entries: Vec<Entry>,
}

fn close(stack: &mut Vec<Frame>) {
    if stack.len() < 2 {
        return;
    }
    if let Some(frame) = stack.pop() {
        if let Some(parent) = stack.last_mut() {
            parent.entries.push(Entry {
                keys: frame.keys,
                line: frame.line,
                value: EntryValue::Block(frame.entries),
            });
        }
    }
}

fn parse_v1_tree(text: &str) -> Result<Vec<Entry>, LockfileError> {
    let mut stack = vec![Frame {
        keys: Vec::new(),
        line: 0,
        indent: 0,
        child_indent: Some(0),
        entries: Vec::new(),
    }];
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let content = raw.trim_start_matches([' ', '\t']);
        let content = content.trim_end();
        if let Some(comment) = content.strip_prefix('#') {
            if let Some(version) = comment.trim().strip_prefix("yarn lockfile v") {
                if version != "1" {
                    return Err(LockfileError::new(
                        line,
                        format!("unsupported yarn lockfile v{version}; {SUPPORTED}"),
                    ));
                }
            }
            continue;
        }
        if content.is_empty() {
            continue;
        }
        if raw.starts_with('\t') {
            return Err(v1_error(line, "indentation must be spaces"));
        }
        if ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
            .iter()
            .any(|m| content.starts_with(m))
        {
            return Err(v1_error(line, "unresolved merge conflict"));
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        // Close the blocks this line is not inside of; the root block's children sit at 0.
        loop {
            let depth = stack.len();
            let Some(top) = stack.last_mut() else { break };
            match top.child_indent {
                Some(i) if i == indent => break,
                Some(i) if indent < i && depth > 1 => close(&mut stack),
                Some(_) => return Err(v1_error(line, "unexpected indentation")),
                None if indent > top.indent => {
                    top.child_indent = Some(indent);
                    break;
                }
                // The block before had nothing in it.
                None => close(&mut stack),
            }
        }
        let (keys, value) = parse_line(tokenize(content, line)?, line)?;
        match value {
            Some(value) => {
                if let Some(top) = stack.last_mut() {
                    top.entries.push(Entry {
                        keys,
                        line,
                        value: EntryValue::Text(value),
                    });
                }
            }
            None => {
                if stack.len() > MAX_V1_DEPTH {
                    return Err(v1_error(line, "nested too deeply"));
                }
                stack.push(Frame {
                    keys,
                    line,
                    indent,
                    child_indent: None,
                    entries: Vec::new(),
                });
            }
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    Ok(stack.pop().map(|root| root.entries).unwrap_or_default())
}

// ---- berry ----

fn parse_berry(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let documents = parse_yaml(input.text.strip_prefix('\u{feff}').unwrap_or(input.text))?;
    let Some(document) = documents
        .iter()
        .find(|d| !matches!(&d.value, YamlValue::Scalar(s) if s.is_empty()))
    else {
        return Err(LockfileError::new(1, "empty yarn.lock"));
    };
    if !matches!(document.value, YamlValue::Map(_)) {
        return Err(LockfileError::new(
            document.line,
            "expected a YAML mapping at the top level",
        ));
    }
    let metadata = document
        .entries()
        .iter()
        .find(|e| e.key.as_deref() == Some("__metadata"));
    let Some(version) = metadata.and_then(|m| m.value.get("version")) else {
        let line = metadata.map_or(document.line, |m| m.key_line);
        return Err(LockfileError::new(
            line,
            format!("missing __metadata.version; {SUPPORTED}"),
        ));
    };
    let text = version.as_str().unwrap_or_default();
    if !matches!(text.parse::<u32>(), Ok(4..=9)) {
        return Err(LockfileError::new(
            version.line,
            format!("unsupported __metadata version {text:?}; {SUPPORTED}"),
        ));
    }

    // The workspaces' own entries list their dependencies as descriptors; the entries headed
    // by those descriptors are the direct dependencies.
    let mut workspaces = false;
    let mut direct: HashSet<String> = HashSet::new();
    for entry in document.entries() {
        let resolution = entry
            .value
            .get("resolution")
            .and_then(YamlNode::as_str)
            .unwrap_or_default();
        if !split_name_version(resolution)
            .is_some_and(|(_, source)| source.starts_with("workspace:"))
        {
            continue;
        }
        workspaces = true;
        for section in ["dependencies", "devDependencies", "optionalDependencies"] {
            let Some(deps) = entry.value.get(section) else {
                continue;
            };
            for dep in deps.entries() {
                let (Some(name), Some(range)) = (dep.key.as_deref(), dep.value.as_str()) else {
                    continue;
                };
                direct.insert(format!("{name}@{range}"));
                // Older lockfiles leave out the default `npm:` protocol here but not in keys.
                if !range.contains(':') {
                    direct.insert(format!("{name}@npm:{range}"));
                }
            }
        }
    }

    let mut out = Vec::new();
    for entry in document.entries() {
        let Some(key) = entry.key.as_deref() else {
            continue;
        };
        if key == "__metadata" {
            continue;
        }
        let resolution = entry
            .value
            .get("resolution")
            .and_then(YamlNode::as_str)
            .unwrap_or_default();
        let Some((name, source)) = split_name_version(resolution) else {
            continue;
        };
        if !is_berry_registry_source(source) {
            continue;
        }
        let Some(version) = entry.value.get("version").and_then(YamlNode::as_str) else {
            continue;
        };
        if !is_registry_version(version) {
            continue;
        }
        let mut package = Package::new(Ecosystem::Npm, name, version, entry.key_line);
        if workspaces {
            package = package.direct(key.split(',').any(|d| direct.contains(d.trim())));
        }
        out.push(package);
    }
    Ok(dedup(out))
}

/// Whether a berry resolution's source (after `name@`) is a registry release: `npm:1.2.3`, or
/// a patch applied to one (`patch:name@npm%3A1.2.3#...`), which is still that release.
/// `workspace:`, `link:`, `portal:` and `file:` are the project's own folders; git and URL
/// sources are not registry releases either.
fn is_berry_registry_source(source: &str) -> bool {
    if source.starts_with("npm:") {
        return true;
    }
    source.strip_prefix("patch:").is_some_and(|patched| {
        let inner = patched.split('#').next().unwrap_or_default();
        split_name_version(inner)
            .is_some_and(|(_, s)| s.starts_with("npm%3A") || s.starts_with("npm:"))
    })
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

    const V1: &str = include_str!("../../tests/fixtures/lockfiles/yarn-v1/yarn.lock");
    const V1_MANIFEST: &str = include_str!("../../tests/fixtures/lockfiles/yarn-v1/package.json");

    fn with_manifest(text: &str, manifest: &'static str) -> Result<Vec<Package>, LockfileError> {
        let read = move |p: &str| (p == "package.json").then(|| manifest.to_string());
        parse(&Input {
            path: "yarn.lock",
            text,
            read_relative: &read,
        })
    }

    #[test]
    fn v1_without_package_json() {
        let packages = parse(&Input::alone("yarn.lock", V1)).unwrap();
        assert_eq!(
            packages,
            vec![
                npm("@babel/code-frame", "7.22.13", 5, None),
                npm("@babel/highlight", "7.22.20", 13, None),
                npm("chalk", "2.4.2", 21, None),
                npm("js-tokens", "4.0.0", 33, None),
                npm("lodash", "4.17.21", 38, None),
                npm("string-width", "4.2.3", 43, None),
            ]
        );
    }

    #[test]
    fn v1_with_package_json_knows_direct_dependencies() {
        let packages = with_manifest(V1, V1_MANIFEST).unwrap();
        let direct: Vec<(&str, Option<bool>)> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.direct))
            .collect();
        assert_eq!(
            direct,
            vec![
                ("@babel/code-frame", Some(true)),
                ("@babel/highlight", Some(false)),
                ("chalk", Some(false)),
                ("js-tokens", Some(false)),
                ("lodash", Some(true)),
                ("string-width", Some(true)),
            ]
        );
        // With workspaces, what the root does not name may be a workspace's.
        let packages = with_manifest(
            V1,
            r#"{"workspaces": ["packages/*"], "dependencies": {"lodash": "^4.17.21"}}"#,
        )
        .unwrap();
        assert_eq!(packages.iter().filter(|p| p.direct.is_none()).count(), 5);
        assert_eq!(packages[4].direct, Some(true));
    }

    #[test]
    fn berry() {
        let text = include_str!("../../tests/fixtures/lockfiles/yarn-berry/yarn.lock");
        let packages = parse(&Input::alone("yarn.lock", text)).unwrap();
        assert_eq!(
            packages,
            vec![
                npm("@babel/code-frame", "7.22.13", 17, Some(true)),
                npm("@babel/highlight", "7.22.20", 27, Some(false)),
                // The patched copy on line 47 is the same release.
                npm("fsevents", "2.3.3", 37, Some(false)),
                // A dependency of the @acme/ui workspace.
                npm("lodash", "4.17.21", 69, Some(true)),
                npm("string-width", "4.2.3", 87, Some(true)),
                npm("typescript", "5.3.2", 94, Some(true)),
            ]
        );
    }

    #[test]
    fn berry_v4_without_npm_protocol_in_workspace_dependencies() {
        let text = include_str!("../../tests/fixtures/lockfiles/yarn-berry/yarn-v4.lock");
        let packages = parse(&Input::alone("yarn.lock", text)).unwrap();
        assert_eq!(
            packages,
            vec![
                npm("left-pad", "1.3.0", 16, Some(true)),
                npm("ms", "2.1.3", 25, Some(false))
            ]
        );
    }

    #[test]
    fn malformed_files_are_errors_with_lines() {
        let cases: [(&str, u32, &str); 7] = [
            (
                include_str!("../../tests/fixtures/lockfiles/yarn-v1/truncated.lock"),
                9,
                "unterminated string",
            ),
            (
                include_str!("../../tests/fixtures/lockfiles/yarn-berry/unknown-version.lock"),
                5,
                "__metadata version 4 to 9",
            ),
            ("# yarn lockfile v2\n", 1, "unsupported yarn lockfile v2"),
            (
                "lodash@^4.0.0:\n  version \"4.17.21\"\n    resolved \"x\"\n",
                3,
                "unexpected indentation",
            ),
            ("lodash@^4.0.0:\n  version\n", 2, "expected a value"),
            ("lodash@^4.0.0:\n<<<<<<< HEAD\n", 2, "merge conflict"),
            (
                "__metadata:\n  cacheKey: 8\n",
                1,
                "missing __metadata.version",
            ),
        ];
        for (text, line, message) in cases {
            let error = parse(&Input::alone("yarn.lock", text)).unwrap_err();
            assert_eq!(error.line, line, "{error}");
            assert!(error.message.contains(message), "{error}");
        }
    }

    #[test]
    fn odd_entries_are_skipped() {
        let text = "no-version@^1.0.0:\n  resolved \"x\"\n\nnested@^1.0.0:\n  version:\n    a b\n\nok@^1.0.0, ok@~1.0.0:\n  version \"1.0.0\"\nok@1.0.0:\n  version \"1.0.0\"\nflat \"1\"\n";
        assert_eq!(
            parse(&Input::alone("yarn.lock", text)).unwrap(),
            vec![npm("ok", "1.0.0", 8, None)]
        );
        let deep: String = (0..100)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect();
        assert!(parse(&Input::alone("yarn.lock", &deep))
            .unwrap_err()
            .message
            .contains("deeply"));
        let bom = "\u{feff}# yarn lockfile v1\nms@^2.1.1:\n  version \"2.1.3\"\n";
        assert_eq!(
            parse(&Input::alone("yarn.lock", bom)).unwrap(),
            vec![npm("ms", "2.1.3", 2, None)]
        );
    }

    #[test]
    fn descriptors() {
        assert_eq!(
            descriptor_name_range("@babel/core@^7.0.0"),
            ("@babel/core", "^7.0.0")
        );
        assert_eq!(
            descriptor_name_range("sw@npm:string-width@^4.2.0"),
            ("string-width", "^4.2.0")
        );
        assert_eq!(
            tokenize(r#""a\"b", c@1:"#, 1).unwrap(),
            vec![
                Token::Text("a\"b".into()),
                Token::Comma,
                Token::Text("c@1".into()),
                Token::Colon
            ]
        );
        assert!(is_berry_registry_source(
            "patch:fsevents@npm%3A2.3.3#~builtin<compat/fsevents>::version=2.3.3&hash=df0bf1"
        ));
        assert!(!is_berry_registry_source("workspace:."));
        assert!(!is_berry_registry_source(
            "https://github.com/a/b.git#commit=abc"
        ));
    }
}
