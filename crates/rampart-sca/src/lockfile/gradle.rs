//! Gradle's dependency lock state (`gradle.lockfile`, `buildscript-gradle.lockfile`), read with
//! its own line grammar:
//!
//! ```text
//! # comment
//! group:artifact:version=configuration,configuration
//! empty=configuration,configuration
//! ```
//!
//! The per-configuration files of Gradle before 6.0 hold the same coordinates without `=...`,
//! and read the same way. The lock state does not record which modules the build script
//! declares itself, so `direct` is unknown.

use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let mut packages = Vec::new();
    // A byte-order mark from an editor is not part of the first line.
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(input.text);
    for (index, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (coordinates, configurations) = match line.split_once('=') {
            Some((c, rest)) => (c, Some(rest)),
            None => (line, None),
        };
        // Configurations that resolved to nothing.
        if coordinates == "empty" && configurations.is_some() {
            continue;
        }
        // Anything that is not `coordinates[=configurations]` means this is not lock state at
        // all (or a merge conflict), and reading on would report nonsense.
        if !coordinates.contains(':')
            || line.chars().any(char::is_whitespace)
            || configurations.is_some_and(|c| c.contains('='))
        {
            return Err(LockfileError::new(
                line_no,
                "expected `group:artifact:version=configurations` in a Gradle lockfile",
            ));
        }
        let parts: Vec<&str> = coordinates.split(':').collect();
        // Anything but exactly group, artifact and version is an odd entry, skipped.
        if let [group, artifact, version] = parts[..] {
            if !group.is_empty() && !artifact.is_empty() && !version.is_empty() {
                packages.push(Package::new(
                    Ecosystem::Maven,
                    format!("{group}:{artifact}"),
                    version,
                    line_no,
                ));
            }
        }
    }
    Ok(super::dedup(packages))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str, line: u32) -> Package {
        Package::new(Ecosystem::Maven, name, version, line)
    }

    #[test]
    fn lock_state_lines() {
        let text = include_str!("../../tests/fixtures/lockfiles/gradle/gradle.lockfile");
        assert_eq!(
            parse(&Input::alone("gradle.lockfile", text)).unwrap(),
            vec![
                pkg("com.fasterxml.jackson.core:jackson-databind", "2.16.1", 4),
                pkg("com.google.guava:guava", "33.0.0-jre", 5),
                pkg("org.apache.logging.log4j:log4j-core", "2.17.1", 7),
                pkg("org.slf4j:slf4j-api", "2.0.11", 9),
            ]
        );
    }

    #[test]
    fn legacy_per_configuration_lines() {
        let text = "\u{feff}# Legacy lock state\norg.yaml:snakeyaml:2.2\njunit:junit:4.13.2\n";
        assert_eq!(
            parse(&Input::alone("gradle.lockfile", text)).unwrap(),
            vec![
                pkg("org.yaml:snakeyaml", "2.2", 2),
                pkg("junit:junit", "4.13.2", 3)
            ]
        );
    }

    #[test]
    fn text_outside_the_grammar_is_an_error_with_its_line() {
        let text = include_str!("../../tests/fixtures/lockfiles/gradle/conflict.gradle.lockfile");
        let e = parse(&Input::alone("gradle.lockfile", text)).unwrap_err();
        assert_eq!(e.line, 4);
        let e = parse(&Input::alone("gradle.lockfile", "a:b:1=x\nplugins {\n")).unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse(&Input::alone("gradle.lockfile", "a:b:1=x=y\n")).unwrap_err();
        assert_eq!(e.line, 1);
    }
}
