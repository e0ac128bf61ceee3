//! Bundler's `Gemfile.lock` (also `gems.locked`), read with Bundler's own line grammar: section
//! headers at column 0 (`GEM`, `GIT`, `PATH`, `PLATFORMS`, `DEPENDENCIES`, ...), and inside a
//! source section `remote:`/`specs:` at two spaces, one `name (version[-platform])` spec at four
//! spaces and that spec's own requirements at six.
//!
//! Only the `GEM` sections' specs are packages: `GIT` and `PATH` specs come from a repository
//! checkout or a local directory, so their version is whatever the gemspec there says, not a
//! release of the gem on a registry. `DEPENDENCIES` lists what the Gemfile asks for directly.

use std::collections::HashSet;

use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let mut packages = Vec::new();
    let mut direct: Option<HashSet<String>> = None;
    let mut section: Option<&str> = None;
    let mut in_specs = false;
    let mut seen_gem_or_dependencies = false;

    // A byte-order mark from an editor is not part of the first line.
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(input.text);
    for (index, line) in text.lines().enumerate() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            continue;
        }
        if ["<<<<<<<", "=======", ">>>>>>>"]
            .iter()
            .any(|m| line.starts_with(m))
        {
            return Err(LockfileError::new(
                line_no,
                "Gemfile.lock contains merge conflict markers",
            ));
        }
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if body.starts_with('\t') {
            return Err(LockfileError::new(
                line_no,
                "Gemfile.lock is indented with spaces, found a tab",
            ));
        }
        let body = body.trim_end();

        if indent == 0 {
            if !body.chars().all(|c| c.is_ascii_uppercase() || c == ' ') {
                return Err(LockfileError::new(
                    line_no,
                    format!(
                        "expected a section header such as GEM or DEPENDENCIES, found `{}`",
                        clip(body)
                    ),
                ));
            }
            section = Some(body);
            in_specs = false;
            match body {
                "GEM" => seen_gem_or_dependencies = true,
                "DEPENDENCIES" => {
                    seen_gem_or_dependencies = true;
                    direct.get_or_insert_with(HashSet::new);
                }
                _ => {}
            }
            continue;
        }
        let Some(current) = section else {
            return Err(LockfileError::new(
                line_no,
                "indented text before the first section header",
            ));
        };

        match (current, indent) {
            ("GEM", 2) => in_specs = body == "specs:",
            ("GEM", 4) if in_specs => {
                // An entry that does not read as `name (version)` is skipped rather than failing
                // the whole file.
                if let Some((name, Some(version))) = name_and_parenthesised(body) {
                    // Bundler's own grammar takes the version up to the first `-`; what follows
                    // is the platform of a precompiled gem (`nokogiri (1.16.2-x86_64-linux)`).
                    let version = version.split('-').next().unwrap_or_default();
                    if !version.is_empty() {
                        packages.push(Package::new(Ecosystem::RubyGems, name, version, line_no));
                    }
                }
            }
            ("DEPENDENCIES", 2) => {
                if let (Some(set), Some((name, _))) =
                    (direct.as_mut(), name_and_parenthesised(body))
                {
                    // `name!` marks a gem pinned to a non-default source (git, path).
                    set.insert(name.trim_end_matches('!').to_string());
                }
            }
            _ => {}
        }
    }

    if !seen_gem_or_dependencies {
        return Err(LockfileError::new(
            1,
            "not a Gemfile.lock: no GEM or DEPENDENCIES section",
        ));
    }
    if let Some(set) = &direct {
        for package in &mut packages {
            package.direct = Some(set.contains(&package.name));
        }
    }
    Ok(super::dedup(packages))
}

/// `name` or `name (text)`: the name and what is inside the parentheses, if any. `None` when the
/// line does not fit that shape.
fn name_and_parenthesised(body: &str) -> Option<(&str, Option<&str>)> {
    let (name, rest) = match body.split_once(' ') {
        Some((name, rest)) => (name, Some(rest)),
        None => (body, None),
    };
    if name.is_empty() || name.contains(['(', ')']) {
        return None;
    }
    match rest {
        None => Some((name, None)),
        Some(rest) => {
            let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
            if inner.contains(['(', ')']) {
                return None;
            }
            Some((name, Some(inner.trim())))
        }
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gem(name: &str, version: &str, line: u32, direct: bool) -> Package {
        Package::new(Ecosystem::RubyGems, name, version, line).direct(direct)
    }

    #[test]
    fn gem_specs_with_platforms_stripped_and_direct_from_dependencies() {
        let text = include_str!("../../tests/fixtures/lockfiles/gemfile-lock/Gemfile.lock");
        let packages = parse(&Input::alone("Gemfile.lock", text)).unwrap();
        assert_eq!(
            packages,
            vec![
                gem("actionpack", "7.1.3", 18, false),
                gem("nio4r", "2.7.0", 20, false),
                gem("nokogiri", "1.16.2", 21, true),
                gem("pg", "1.5.5", 25, true),
                gem("puma", "6.4.2", 26, true),
                gem("racc", "1.7.3", 28, false),
                gem("rack", "3.0.9.1", 29, false),
                gem("sidekiq-pro", "7.2.0", 35, true),
            ]
        );
    }

    #[test]
    fn without_dependencies_section_direct_is_unknown() {
        let text = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.1.0)\n    broken (1.0\n    json (2.7.1-java)\n";
        let packages = parse(&Input::alone("Gemfile.lock", text)).unwrap();
        assert_eq!(
            packages,
            vec![
                Package::new(Ecosystem::RubyGems, "rake", "13.1.0", 4),
                Package::new(Ecosystem::RubyGems, "json", "2.7.1", 6),
            ]
        );
    }

    #[test]
    fn malformed_files_are_errors_with_lines() {
        let conflict =
            include_str!("../../tests/fixtures/lockfiles/gemfile-lock/conflict.Gemfile.lock");
        let e = parse(&Input::alone("Gemfile.lock", conflict)).unwrap_err();
        assert_eq!(e.line, 5);
        assert!(e.message.contains("merge conflict"), "{e}");

        let e = parse(&Input::alone("Gemfile.lock", "{\"not\": \"a lockfile\"}\n")).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("section header"), "{e}");

        let e = parse(&Input::alone(
            "Gemfile.lock",
            "GEM\n  specs:\n\trake (1.0)\n",
        ))
        .unwrap_err();
        assert_eq!(e.line, 3);

        let e = parse(&Input::alone("Gemfile.lock", "  rake (1.0)\n")).unwrap_err();
        assert_eq!(e.line, 1);

        let e = parse(&Input::alone("Gemfile.lock", "")).unwrap_err();
        assert!(e.message.contains("no GEM"), "{e}");
    }
}
