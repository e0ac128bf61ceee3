//! Dart and Flutter's `pubspec.lock`: YAML whose `packages` mapping holds one entry per package,
//! with its `version`, `source` (`hosted`, `git`, `path`, `sdk`), `description` (for a hosted
//! package, the server's `url`) and `dependency` (`direct main`, `direct dev`,
//! `direct overridden` or `transitive`).

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScanError, Span};

use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

/// Nesting deeper than this is refused: a real lock nests three levels.
const MAX_DEPTH: usize = 64;

/// Hosts of the public registry: pub.dev, and its former name.
const PUBLIC_HOSTS: [&str; 2] = ["pub.dev", "pub.dartlang.org"];

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let root = load(input.text)?;
    let Yaml::Map(_) = root.value else {
        return Err(LockfileError::new(
            root.line,
            "pubspec.lock must be a YAML mapping",
        ));
    };
    let Some(packages_node) = root.get("packages") else {
        return Err(LockfileError::new(
            root.line,
            "not a pubspec.lock: no `packages` mapping",
        ));
    };
    let entries = match &packages_node.value {
        Yaml::Map(entries) => entries.as_slice(),
        // `packages:` with nothing under it: a project without dependencies.
        Yaml::Scalar(s) if s.is_empty() || s == "~" || s == "null" => &[],
        _ => {
            return Err(LockfileError::new(
                packages_node.line,
                "`packages` must be a mapping",
            ))
        }
    };

    let mut packages = Vec::new();
    for (name, line, entry) in entries {
        // Git, path and SDK packages are a repository checkout, a local directory or part of
        // the Flutter/Dart SDK, not a release on pub.dev.
        if entry.get("source").and_then(YNode::as_str) != Some("hosted") {
            continue;
        }
        // A hosted package from another server (a private repository) is not the pub.dev
        // package of the same name.
        let url = entry
            .get("description")
            .and_then(|d| d.get("url"))
            .and_then(YNode::as_str);
        if let Some(url) = url {
            let host = url
                .split_once("://")
                .map_or(url, |(_, rest)| rest)
                .trim_end_matches('/');
            if !PUBLIC_HOSTS.contains(&host) {
                continue;
            }
        }
        let Some(version) = entry.get("version").and_then(YNode::as_str).map(str::trim) else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || version.is_empty() {
            continue;
        }
        let mut package = Package::new(Ecosystem::Pub, name, version, *line);
        package.direct = match entry.get("dependency").and_then(YNode::as_str) {
            Some(d) if d.starts_with("direct") => Some(true),
            Some("transitive") => Some(false),
            _ => None,
        };
        packages.push(package);
    }
    Ok(super::dedup(packages))
}

/// A YAML node and the line it starts on. Aliases stay unexpanded, so a document's size bounds
/// its tree's.
#[derive(Debug)]
struct YNode {
    line: u32,
    value: Yaml,
}

#[derive(Debug)]
enum Yaml {
    Scalar(String),
    /// Entries with scalar keys, each with its key's line; other keys are dropped.
    Map(Vec<(String, u32, YNode)>),
    Seq,
    Alias,
}

impl YNode {
    fn get(&self, key: &str) -> Option<&YNode> {
        match &self.value {
            Yaml::Map(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match &self.value {
            Yaml::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

fn line_of(span: &Span) -> u32 {
    u32::try_from(span.start.line()).unwrap_or(u32::MAX).max(1)
}

fn scan_error(e: &ScanError) -> LockfileError {
    let line = u32::try_from(e.marker().line()).unwrap_or(u32::MAX).max(1);
    LockfileError::new(line, format!("invalid YAML: {}", e.info()))
}

struct Events<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    /// The line of the last event read, for errors at the end of the input.
    line: u32,
}

impl<'a> Events<'a> {
    fn next(&mut self) -> Result<(Event<'a>, u32), LockfileError> {
        match self.parser.next_event() {
            Some(Ok((event, span))) => {
                self.line = line_of(&span);
                Ok((event, self.line))
            }
            Some(Err(e)) => Err(scan_error(&e)),
            None => Err(LockfileError::new(
                self.line,
                "invalid YAML: unexpected end of input",
            )),
        }
    }

    fn node(&mut self, event: Event<'a>, line: u32, depth: usize) -> Result<YNode, LockfileError> {
        if depth > MAX_DEPTH {
            return Err(LockfileError::new(line, "invalid YAML: nested too deeply"));
        }
        let value = match event {
            Event::Scalar(text, ..) => Yaml::Scalar(text.into_owned()),
            Event::Alias(_) => Yaml::Alias,
            Event::SequenceStart(..) => loop {
                let (event, line) = self.next()?;
                if matches!(event, Event::SequenceEnd) {
                    break Yaml::Seq;
                }
                self.node(event, line, depth + 1)?;
            },
            Event::MappingStart(..) => {
                let mut entries = Vec::new();
                loop {
                    let (event, key_line) = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = match &event {
                        Event::Scalar(text, ..) => Some(Cow::clone(text).into_owned()),
                        _ => None,
                    };
                    self.node(event, key_line, depth + 1)?;
                    let (event, value_line) = self.next()?;
                    let value = self.node(event, value_line, depth + 1)?;
                    if let Some(key) = key {
                        entries.push((key, key_line, value));
                    }
                }
                Yaml::Map(entries)
            }
            _ => return Err(LockfileError::new(line, "invalid YAML: unexpected event")),
        };
        Ok(YNode { line, value })
    }
}

/// The first document of a YAML text.
fn load(text: &str) -> Result<YNode, LockfileError> {
    let mut events = Events {
        parser: Parser::new_from_str(text),
        line: 1,
    };
    loop {
        let (event, line) = events.next()?;
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
            Event::StreamEnd => return Err(LockfileError::new(line, "empty pubspec.lock")),
            event => {
                let node = events.node(event, line, 0)?;
                // Read on to the end of the document so a syntax error after the mapping (a
                // truncated or corrupted tail) is still reported.
                loop {
                    match events.next()?.0 {
                        Event::DocumentEnd | Event::StreamEnd => return Ok(node),
                        _ => {}
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str, line: u32, direct: bool) -> Package {
        Package::new(Ecosystem::Pub, name, version, line).direct(direct)
    }

    #[test]
    fn hosted_packages_with_direct_from_dependency_kind() {
        let text = include_str!("../../tests/fixtures/lockfiles/pubspec/pubspec.lock");
        assert_eq!(
            parse(&Input::alone("pubspec.lock", text)).unwrap(),
            vec![
                pkg("async", "2.11.0", 4, false),
                pkg("collection", "1.18.0", 12, false),
                pkg("http", "1.2.0", 49, true),
                pkg("lints", "3.0.0", 57, true),
                pkg("path", "1.9.0", 65, true),
            ]
        );
    }

    #[test]
    fn empty_packages_and_aliases() {
        let text = "packages: {}\nsdks:\n  dart: \">=3.2.0 <4.0.0\"\n";
        assert_eq!(parse(&Input::alone("pubspec.lock", text)).unwrap(), vec![]);
        let text = "packages:\nsdks:\n  dart: \">=3.2.0 <4.0.0\"\n";
        assert_eq!(parse(&Input::alone("pubspec.lock", text)).unwrap(), vec![]);
        let text = "packages:\n  meta: &m\n    dependency: transitive\n    source: hosted\n    version: \"1.11.0\"\n  other: *m\n";
        assert_eq!(
            parse(&Input::alone("pubspec.lock", text)).unwrap(),
            vec![pkg("meta", "1.11.0", 2, false)]
        );
    }

    #[test]
    fn malformed_locks_are_errors_with_lines() {
        let text = include_str!("../../tests/fixtures/lockfiles/pubspec/broken.pubspec.lock");
        let e = parse(&Input::alone("pubspec.lock", text)).unwrap_err();
        assert_eq!(e.line, 9);
        assert!(e.message.contains("invalid YAML"), "{e}");

        let e = parse(&Input::alone("pubspec.lock", "# Generated by pub\n")).unwrap_err();
        assert!(e.message.contains("empty"), "{e}");
        let e = parse(&Input::alone(
            "pubspec.lock",
            "sdks:\n  dart: \">=3.2.0\"\n",
        ))
        .unwrap_err();
        assert!(e.message.contains("no `packages`"), "{e}");
        let e = parse(&Input::alone(
            "pubspec.lock",
            "# lock\npackages:\n  - async\n",
        ))
        .unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (3, "`packages` must be a mapping")
        );
        let e = parse(&Input::alone("pubspec.lock", "- 1\n")).unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse(&Input::alone(
            "pubspec.lock",
            "packages:\n  a: {\"x\": [1, 2\n",
        ))
        .unwrap_err();
        assert!(e.message.contains("invalid YAML"), "{e}");

        let deep = format!("packages: {}", "[".repeat(100_000));
        assert!(parse(&Input::alone("pubspec.lock", &deep)).is_err());
    }
}
