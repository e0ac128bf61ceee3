//! Maven's `pom.xml`: the artifacts a project declares in `dependencies` and pins in
//! `dependencyManagement`, named `groupId:artifactId`.
//!
//! A POM is not a lockfile: versions are often `${property}` references, inherited from a parent
//! POM, or left out for `dependencyManagement` (this POM's or a parent's) to supply. Those are
//! resolved from `<properties>`, the `project.*` values and the parent POMs that
//! `<parent><relativePath>` finds in the checkout (a bounded number of levels). A version that
//! stays unresolved, or is a range such as `[1.0,2.0)`, is not one exact version and is skipped.
//! Everything a POM declares is one of the project's own dependencies, so `direct` is true.
//! Dependencies inside `<profiles>` (used only when a profile is activated) and those of build
//! plugins (tools run by the build, not part of the artifact) are not read.

use std::collections::{HashMap, HashSet};

use roxmltree::{Document, Node, ParsingOptions};

use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

/// Parent POMs followed at most: real hierarchies are three or four deep.
const MAX_PARENTS: usize = 8;
/// Property references followed at most through other properties.
const MAX_INTERPOLATION_DEPTH: usize = 16;
/// A resolved value longer than this is refused: no coordinate is, and it stops references that
/// double at every level from growing without bound.
const MAX_VALUE_LEN: usize = 1024;
/// XML nodes read at most, so a hostile POM cannot exhaust memory.
const NODES_LIMIT: u32 = 2_000_000;

const SUPPORTED_MODEL_VERSIONS: [&str; 2] = ["4.0.0", "4.1.0"];

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let model = read_model(input.text)?;
    let ancestors = ancestors(&model, input.read_relative);
    let mut resolver = Resolver::new(&model, &ancestors);

    // Versions `dependencyManagement` supplies, this POM's before its parents'.
    let mut managed: HashMap<String, String> = HashMap::new();
    for dependency in std::iter::once(&model)
        .chain(&ancestors)
        .flat_map(|m| &m.managed)
    {
        if let (Some(name), Some(version)) =
            (resolver.name(dependency), dependency.version.as_deref())
        {
            if let Some(version) = resolver.interpolate(version, 0) {
                managed.entry(name).or_insert(version);
            }
        }
    }

    let mut declared: Vec<&Dependency> = model.managed.iter().chain(&model.dependencies).collect();
    declared.sort_by_key(|d| d.line);
    let mut packages = Vec::new();
    for dependency in declared {
        // A `system` dependency is a jar at a path on the build machine, not from a repository.
        if dependency.system {
            continue;
        }
        let Some(name) = resolver.name(dependency) else {
            continue;
        };
        let version = match dependency.version.as_deref() {
            Some(version) => resolver.interpolate(version, 0),
            None => managed.get(&name).cloned(),
        };
        let Some(version) = version else { continue };
        if !is_exact(&version) {
            continue;
        }
        packages.push(Package::new(Ecosystem::Maven, name, version, dependency.line).direct(true));
    }
    Ok(super::dedup(packages))
}

/// Whether a version names one release: not a range (`[1.0,2.0)`, `(,1.0]`, `1.0,2.0`) and not
/// the `LATEST`/`RELEASE` placeholders.
fn is_exact(version: &str) -> bool {
    !version.is_empty()
        && !version.starts_with(['[', '('])
        && !version.contains([',', ' ', '$', '{', '}'])
        && version != "LATEST"
        && version != "RELEASE"
}

/// What this reader needs of one POM.
#[derive(Debug, Default)]
struct Model {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    parent: Option<Parent>,
    properties: Vec<(String, String)>,
    managed: Vec<Dependency>,
    dependencies: Vec<Dependency>,
}

#[derive(Debug, Clone)]
struct Parent {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    /// Where the parent POM is in the checkout; `None` for `<relativePath/>`, which says to take
    /// it from a repository only.
    relative_path: Option<String>,
}

#[derive(Debug)]
struct Dependency {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    system: bool,
    line: u32,
}

fn read_model(text: &str) -> Result<Model, LockfileError> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    let lines = LineIndex::new(text);
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        let line = match e {
            // These carry no position: the first is at the end of the text, the second at the
            // DOCTYPE, which is refused so entity expansion never happens.
            roxmltree::Error::UnclosedRootNode | roxmltree::Error::UnexpectedEndOfStream => {
                lines.line(text.len())
            }
            roxmltree::Error::DtdDetected => text.find("<!DOCTYPE").map_or(1, |at| lines.line(at)),
            _ => e.pos().row.max(1),
        };
        LockfileError::new(line, format!("invalid XML: {e}"))
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "project" {
        return Err(LockfileError::new(
            lines.line(root.range().start),
            format!(
                "not a Maven POM: the root element is <{}>, not <project>",
                root.tag_name().name()
            ),
        ));
    }
    if let Some(node) = child(root, "modelVersion") {
        let version = text_of(node).unwrap_or_default();
        if !SUPPORTED_MODEL_VERSIONS.contains(&version.as_str()) {
            return Err(LockfileError::new(
                lines.line(node.range().start),
                format!(
                    "unsupported POM modelVersion `{version}`; supported versions: {}",
                    SUPPORTED_MODEL_VERSIONS.join(", ")
                ),
            ));
        }
    }

    let parent = child(root, "parent").map(|p| Parent {
        group: child_text(p, "groupId"),
        artifact: child_text(p, "artifactId"),
        version: child_text(p, "version"),
        relative_path: match child(p, "relativePath") {
            None => Some("../pom.xml".to_string()),
            Some(node) => text_of(node),
        },
    });
    let properties = child(root, "properties")
        .map(|props| {
            props
                .children()
                .filter(Node::is_element)
                .map(|p| {
                    (
                        p.tag_name().name().to_string(),
                        text_of(p).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let dependencies_of = |list: Option<Node<'_, '_>>| -> Vec<Dependency> {
        list.into_iter()
            .flat_map(|l| {
                l.children()
                    .filter(|d| d.is_element() && d.tag_name().name() == "dependency")
            })
            .map(|d| Dependency {
                group: child_text(d, "groupId"),
                artifact: child_text(d, "artifactId"),
                version: child_text(d, "version"),
                system: child_text(d, "scope").as_deref() == Some("system"),
                line: lines.line(d.range().start),
            })
            .collect()
    };

    Ok(Model {
        group: child_text(root, "groupId"),
        artifact: child_text(root, "artifactId"),
        version: child_text(root, "version"),
        parent,
        properties,
        managed: dependencies_of(
            child(root, "dependencyManagement").and_then(|m| child(m, "dependencies")),
        ),
        dependencies: dependencies_of(child(root, "dependencies")),
    })
}

/// The first child element with this local name: POMs put everything in the POM namespace
/// (or none), and the name alone is what Maven matches.
fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// An element's text (CDATA included, comments left out), trimmed; `None` when empty.
fn text_of(node: Node<'_, '_>) -> Option<String> {
    let text: String = node
        .children()
        .filter(Node::is_text)
        .filter_map(|t| t.text())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).and_then(text_of)
}

/// Byte offsets to 1-based lines, by binary search over the line starts.
struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        LineIndex {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    fn line(&self, offset: usize) -> u32 {
        u32::try_from(self.newlines.partition_point(|&nl| nl < offset) + 1).unwrap_or(u32::MAX)
    }
}

/// The parent POMs found through `relativePath`, nearest first. The chain stops at a parent
/// that is not in the checkout, does not parse, or is not the POM `<parent>` names (Maven then
/// takes the parent from a repository, which is not read here).
fn ancestors(model: &Model, read: &dyn Fn(&str) -> Option<String>) -> Vec<Model> {
    let mut out: Vec<Model> = Vec::new();
    let mut visited = HashSet::new();
    let mut dir = String::new();
    let mut next = model.parent.clone();
    while let Some(parent) = next.take() {
        if out.len() >= MAX_PARENTS {
            break;
        }
        let Some(path) = parent
            .relative_path
            .as_deref()
            .and_then(|rel| join(&dir, rel))
        else {
            break;
        };
        if !visited.insert(path.clone()) {
            break;
        }
        let Some(found) = read(&path).and_then(|text| read_model(&text).ok()) else {
            break;
        };
        let found_group = found
            .group
            .as_ref()
            .or(found.parent.as_ref().and_then(|p| p.group.as_ref()));
        let differs = |declared: &Option<String>, actual: Option<&String>| matches!((declared, actual), (Some(d), Some(a)) if d != a);
        if differs(&parent.artifact, found.artifact.as_ref()) || differs(&parent.group, found_group)
        {
            break;
        }
        dir = path
            .rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default();
        next = found.parent.clone();
        out.push(found);
    }
    out
}

/// A `relativePath` taken from the directory `dir` (both relative to the scanned POM's
/// directory), normalized; a path naming a directory gets its `pom.xml`. `None` for an absolute
/// path, which is outside what the scan may read.
fn join(dir: &str, relative: &str) -> Option<String> {
    let relative = relative.replace('\\', "/");
    if relative.starts_with('/') || relative.contains(':') {
        return None;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in dir.split('/').chain(relative.split('/')) {
        match segment {
            "" | "." => {}
            ".." if segments.last().is_some_and(|s| *s != "..") => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    if !segments.last().is_some_and(|s| s.ends_with(".xml")) {
        segments.push("pom.xml");
    }
    Some(segments.join("/"))
}

/// `${...}` references, resolved against the scanned POM's effective properties: its parents'
/// `<properties>` overridden by its own, and the `project.*` values, which take precedence.
struct Resolver {
    raw: HashMap<String, String>,
    cache: HashMap<String, Option<String>>,
}

impl Resolver {
    fn new(model: &Model, ancestors: &[Model]) -> Self {
        let mut raw = HashMap::new();
        for m in ancestors.iter().rev().chain(std::iter::once(model)) {
            for (key, value) in &m.properties {
                raw.insert(key.clone(), value.clone());
            }
        }
        let parent = model.parent.as_ref();
        let group = model
            .group
            .clone()
            .or_else(|| parent.and_then(|p| p.group.clone()));
        let version = model
            .version
            .clone()
            .or_else(|| parent.and_then(|p| p.version.clone()));
        let mut builtin = |keys: &[&str], value: Option<String>| {
            if let Some(value) = value {
                for key in keys {
                    raw.insert((*key).to_string(), value.clone());
                }
            }
        };
        builtin(&["project.groupId", "pom.groupId", "groupId"], group);
        builtin(
            &["project.artifactId", "pom.artifactId", "artifactId"],
            model.artifact.clone(),
        );
        builtin(&["project.version", "pom.version", "version"], version);
        builtin(
            &["project.parent.groupId", "parent.groupId"],
            parent.and_then(|p| p.group.clone()),
        );
        builtin(
            &["project.parent.artifactId", "parent.artifactId"],
            parent.and_then(|p| p.artifact.clone()),
        );
        builtin(
            &["project.parent.version", "parent.version"],
            parent.and_then(|p| p.version.clone()),
        );
        Resolver {
            raw,
            cache: HashMap::new(),
        }
    }

    /// `groupId:artifactId`, both resolved.
    fn name(&mut self, dependency: &Dependency) -> Option<String> {
        let group = self.interpolate(dependency.group.as_deref()?, 0)?;
        let artifact = self.interpolate(dependency.artifact.as_deref()?, 0)?;
        (!group.is_empty() && !artifact.is_empty()).then(|| format!("{group}:{artifact}"))
    }

    fn property(&mut self, key: &str, depth: usize) -> Option<String> {
        if let Some(known) = self.cache.get(key) {
            return known.clone();
        }
        let raw = self.raw.get(key)?.clone();
        // Marked unresolvable while in progress, so a reference cycle ends at once.
        self.cache.insert(key.to_string(), None);
        let value = self.interpolate(&raw, depth + 1);
        self.cache.insert(key.to_string(), value.clone());
        value
    }

    /// The text with every `${key}` replaced; `None` when a key is unknown or the references
    /// go too deep or grow too long.
    fn interpolate(&mut self, text: &str, depth: usize) -> Option<String> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return None;
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            out.push_str(&self.property(after[..end].trim(), depth)?);
            if out.len() > MAX_VALUE_LEN {
                return None;
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out.trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str, line: u32) -> Package {
        Package::new(Ecosystem::Maven, name, version, line).direct(true)
    }

    const PARENT: &str = include_str!("../../tests/fixtures/lockfiles/maven/multi/pom.xml");
    const SERVICE: &str =
        include_str!("../../tests/fixtures/lockfiles/maven/multi/service/pom.xml");

    #[test]
    fn properties_management_and_skipped_versions() {
        let text = include_str!("../../tests/fixtures/lockfiles/maven/standalone/pom.xml");
        assert_eq!(
            parse(&Input::alone("pom.xml", text)).unwrap(),
            vec![
                pkg("com.fasterxml.jackson:jackson-bom", "2.13.4", 20),
                pkg("org.yaml:snakeyaml", "1.33", 27),
                pkg("org.apache.logging.log4j:log4j-core", "2.14.1", 36),
                pkg(
                    "com.fasterxml.jackson.core:jackson-databind",
                    "2.13.4.2",
                    41
                ),
                pkg("com.acme:billing-api", "1.3.0", 50),
                pkg("junit:junit", "4.13.1", 81),
            ]
        );
    }

    #[test]
    fn parent_pom_supplies_properties_and_managed_versions() {
        let read = |path: &str| (path == "../pom.xml").then(|| PARENT.to_string());
        let input = Input {
            path: "service/pom.xml",
            text: SERVICE,
            read_relative: &read,
        };
        assert_eq!(
            parse(&input).unwrap(),
            vec![
                pkg("com.google.guava:guava", "32.1.3-jre", 15),
                pkg("io.netty:netty-handler", "4.1.108.Final", 19),
                pkg("com.acme:acme-common", "2.4.0", 23),
                pkg("com.acme:acme-model", "2.4.0", 28),
            ]
        );
    }

    #[test]
    fn without_the_parent_only_what_the_pom_itself_resolves() {
        assert_eq!(
            parse(&Input::alone("service/pom.xml", SERVICE)).unwrap(),
            vec![
                pkg("com.acme:acme-common", "2.4.0", 23),
                pkg("com.acme:acme-model", "2.4.0", 28)
            ]
        );
    }

    fn pom(parent: &str, body: &str) -> String {
        format!("<project>\n<modelVersion>4.0.0</modelVersion>\n{parent}\n{body}\n</project>\n")
    }

    #[test]
    fn parent_chain_is_followed_through_relative_paths_and_bounded() {
        let main = pom(
            "<parent><groupId>g</groupId><artifactId>mid</artifactId><version>1</version><relativePath>../mid</relativePath></parent>",
            "<artifactId>main</artifactId><dependencies><dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>${slf4j.version}</version></dependency></dependencies>",
        );
        let mid = pom(
            "<parent><groupId>g</groupId><artifactId>top</artifactId><version>1</version></parent>",
            "<artifactId>mid</artifactId>",
        );
        let top = pom("", "<groupId>g</groupId><artifactId>top</artifactId><version>1</version><properties><slf4j.version>2.0.12</slf4j.version></properties>");
        let files: HashMap<&str, &str> = [
            ("../mid/pom.xml", mid.as_str()),
            ("../pom.xml", top.as_str()),
        ]
        .into();
        let read = |path: &str| files.get(path).map(|s| s.to_string());
        let input = Input {
            path: "main/pom.xml",
            text: &main,
            read_relative: &read,
        };
        assert_eq!(
            parse(&input).unwrap(),
            vec![pkg("org.slf4j:slf4j-api", "2.0.12", 4)]
        );

        // A parent at the path that is another artifact is not the parent.
        let other = pom("", "<groupId>g</groupId><artifactId>other</artifactId><properties><slf4j.version>1.7.36</slf4j.version></properties>");
        let files: HashMap<&str, &str> = [("../mid/pom.xml", other.as_str())].into();
        let read = |path: &str| files.get(path).map(|s| s.to_string());
        let input = Input {
            path: "main/pom.xml",
            text: &main,
            read_relative: &read,
        };
        assert_eq!(parse(&input).unwrap(), vec![]);

        // A parent whose own parent is itself ends the chain instead of looping.
        let looping = pom(
            "<parent><groupId>g</groupId><artifactId>mid</artifactId><relativePath>pom.xml</relativePath></parent>",
            "<groupId>g</groupId><artifactId>mid</artifactId><properties><slf4j.version>2.0.9</slf4j.version></properties>",
        );
        let read = |path: &str| (path == "../mid/pom.xml").then(|| looping.clone());
        let input = Input {
            path: "main/pom.xml",
            text: &main,
            read_relative: &read,
        };
        assert_eq!(
            parse(&input).unwrap(),
            vec![pkg("org.slf4j:slf4j-api", "2.0.9", 4)]
        );
    }

    #[test]
    fn relative_paths_join_and_normalize() {
        assert_eq!(join("", "../pom.xml").as_deref(), Some("../pom.xml"));
        assert_eq!(join("..", "../pom.xml").as_deref(), Some("../../pom.xml"));
        assert_eq!(
            join("../parent", "../pom.xml").as_deref(),
            Some("../pom.xml")
        );
        assert_eq!(join("", "..\\build\\").as_deref(), Some("../build/pom.xml"));
        assert_eq!(
            join("a", "./b/custom.xml").as_deref(),
            Some("a/b/custom.xml")
        );
        assert_eq!(join("", "/etc/pom.xml"), None);
        assert_eq!(join("", "C:/pom.xml"), None);
    }

    #[test]
    fn doubling_references_stay_bounded() {
        let mut props = String::from("<properties><p0>x</p0>");
        for i in 1..40 {
            props.push_str(&format!("<p{i}>${{p{0}}}${{p{0}}}</p{i}>", i - 1));
        }
        props.push_str("</properties>");
        let text = pom("", &format!("{props}<dependencies><dependency><groupId>a</groupId><artifactId>b</artifactId><version>${{p39}}</version></dependency><dependency><groupId>a</groupId><artifactId>c</artifactId><version>${{p5}}</version></dependency></dependencies>"));
        assert_eq!(
            parse(&Input::alone("pom.xml", &text)).unwrap(),
            vec![pkg("a:c", &"x".repeat(32), 4)]
        );
    }

    #[test]
    fn malformed_poms_are_errors_with_lines() {
        let text = include_str!("../../tests/fixtures/lockfiles/maven/malformed/truncated.pom.xml");
        let e = parse(&Input::alone("pom.xml", text)).unwrap_err();
        assert_eq!(e.line, 11);
        assert!(e.message.contains("invalid XML"), "{e}");

        let text = include_str!("../../tests/fixtures/lockfiles/maven/malformed/model-5.pom.xml");
        let e = parse(&Input::alone("pom.xml", text)).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message.contains("unsupported POM modelVersion `5.0.0`"),
            "{e}"
        );
        assert!(e.message.contains("4.0.0, 4.1.0"), "{e}");

        let e = parse(&Input::alone(
            "pom.xml",
            "<?xml version=\"1.0\"?>\n<settings/>\n",
        ))
        .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("not a Maven POM"), "{e}");

        let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<project>&lol2;</project>";
        let e = parse(&Input::alone("pom.xml", bomb)).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse(&Input::alone("pom.xml", "")).is_err());
    }
}
