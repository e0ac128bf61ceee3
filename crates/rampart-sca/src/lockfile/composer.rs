//! Composer's `composer.lock`: a JSON object whose `packages` and `packages-dev` arrays hold one
//! object per installed package (`name`, `version`, `source`, `dist`, ...). Which packages the
//! project requires directly is in the sibling `composer.json` (`require`, `require-dev`), read
//! when available.

use std::collections::HashSet;

use super::json::{self, Node, Value};
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    // A byte-order mark from an editor is not part of the JSON.
    let doc = json::parse(
        input.text.strip_prefix('\u{feff}').unwrap_or(input.text),
        false,
    )?;
    if !matches!(doc.value, Value::Object(_)) {
        return Err(LockfileError::new(
            doc.line,
            "composer.lock must be a JSON object",
        ));
    }
    let direct = (input.read_relative)("composer.json").and_then(|text| required_names(&text));

    let mut packages = Vec::new();
    let mut found = false;
    for key in ["packages", "packages-dev"] {
        let Some(list) = doc.get(key) else { continue };
        found = true;
        match &list.value {
            Value::Array(_) => {}
            // `composer update --no-dev` in Composer 1 wrote `"packages-dev": null`.
            Value::Null => continue,
            _ => {
                return Err(LockfileError::new(
                    list.line,
                    format!("`{key}` must be an array"),
                ))
            }
        }
        for entry in list.items() {
            if let Some(package) = package(entry) {
                let name = package.name.to_ascii_lowercase();
                packages.push(match &direct {
                    Some(set) => package.direct(set.contains(&name)),
                    None => package,
                });
            }
        }
    }
    if !found {
        return Err(LockfileError::new(
            doc.line,
            "not a composer.lock: no `packages` array",
        ));
    }
    Ok(super::dedup(packages))
}

/// One entry of `packages`, at the line of its `name`; `None` for an entry that is not a registry
/// release.
fn package(entry: &Node) -> Option<Package> {
    let name_node = entry.get("name")?;
    let name = name_node.as_str()?.trim();
    let version = entry.get("version")?.as_text()?.trim();
    if name.is_empty() || version.is_empty() {
        return None;
    }
    // A path repository symlinks a directory of the project itself: nothing on Packagist.
    let kind = |key: &str| {
        entry
            .get(key)
            .and_then(|n| n.get("type"))
            .and_then(Node::as_str)
    };
    if kind("dist") == Some("path") || kind("source") == Some("path") {
        return None;
    }
    // `dev-main` and `2.x-dev` are branches checked out from version control, not releases.
    if version.starts_with("dev-") || version.ends_with("-dev") {
        return None;
    }
    Some(Package::new(
        Ecosystem::Packagist,
        name,
        version,
        name_node.line,
    ))
}

/// The lowercased package names `composer.json` requires, or `None` when it does not parse.
fn required_names(text: &str) -> Option<HashSet<String>> {
    let doc = json::parse(text.strip_prefix('\u{feff}').unwrap_or(text), false).ok()?;
    if !matches!(doc.value, Value::Object(_)) {
        return None;
    }
    let mut names = HashSet::new();
    for key in ["require", "require-dev"] {
        if let Some(section) = doc.get(key) {
            names.extend(section.members().iter().map(|m| m.key.to_ascii_lowercase()));
        }
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = include_str!("../../tests/fixtures/lockfiles/composer/composer.lock");
    const MANIFEST: &str = include_str!("../../tests/fixtures/lockfiles/composer/composer.json");

    fn pkg(name: &str, version: &str, line: u32) -> Package {
        Package::new(Ecosystem::Packagist, name, version, line)
    }

    #[test]
    fn packages_and_dev_packages_with_direct_from_composer_json() {
        let read = |path: &str| (path == "composer.json").then(|| MANIFEST.to_string());
        let input = Input {
            path: "composer.lock",
            text: LOCK,
            read_relative: &read,
        };
        assert_eq!(
            parse(&input).unwrap(),
            vec![
                pkg("monolog/monolog", "3.5.0", 10).direct(true),
                pkg("psr/log", "3.0.0", 30).direct(false),
                pkg("Symfony/Console", "v6.4.3", 49).direct(true),
                pkg("phpunit/phpunit", "10.5.10", 100).direct(true),
            ]
        );
    }

    #[test]
    fn without_composer_json_direct_is_unknown() {
        let packages = parse(&Input::alone("composer.lock", LOCK)).unwrap();
        assert_eq!(packages.len(), 4);
        assert!(packages.iter().all(|p| p.direct.is_none()));
        assert_eq!(packages[2], pkg("Symfony/Console", "v6.4.3", 49));
    }

    #[test]
    fn null_dev_packages_and_odd_entries() {
        let text = "{\n\"packages\": [\n{\"name\": \"psr/container\", \"version\": \"2.0.2\"},\n{\"name\": 7},\n{\"version\": \"1.0.0\"}\n],\n\"packages-dev\": null\n}";
        assert_eq!(
            parse(&Input::alone("composer.lock", text)).unwrap(),
            vec![pkg("psr/container", "2.0.2", 3)]
        );
    }

    #[test]
    fn malformed_files_are_errors_with_lines() {
        let truncated =
            include_str!("../../tests/fixtures/lockfiles/composer/truncated.composer.lock");
        let e = parse(&Input::alone("composer.lock", truncated)).unwrap_err();
        assert_eq!(e.line, 12);
        assert!(e.message.contains("JSON"), "{e}");

        let e = parse(&Input::alone("composer.lock", "{\n  \"packages\": {}\n}")).unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "`packages` must be an array")
        );

        let e = parse(&Input::alone("composer.lock", "{\"content-hash\": \"x\"}")).unwrap_err();
        assert!(e.message.contains("no `packages`"), "{e}");

        let e = parse(&Input::alone("composer.lock", "[]")).unwrap_err();
        assert_eq!(e.line, 1);
    }
}
