//! NuGet's `packages.lock.json`: `dependencies` maps each target framework (`net8.0`, and
//! `net8.0/linux-x64` for a runtime) to the packages restored for it, each with a `type`
//! (`Direct`, `Transitive`, `CentralTransitive` under central package management, or `Project`
//! for a project reference) and the `resolved` version.

use super::json::{self, Value};
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

const SUPPORTED: &str = "1 and 2";

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    // A byte-order mark (Visual Studio writes one) is not part of the JSON.
    let doc = json::parse(
        input.text.strip_prefix('\u{feff}').unwrap_or(input.text),
        false,
    )?;
    if !matches!(doc.value, Value::Object(_)) {
        return Err(LockfileError::new(
            doc.line,
            "packages.lock.json must be a JSON object",
        ));
    }
    let Some(version) = doc.get("version") else {
        return Err(LockfileError::new(
            doc.line,
            format!("not a packages.lock.json: no `version` (supported versions: {SUPPORTED})"),
        ));
    };
    match version.as_text() {
        Some("1" | "2") => {}
        other => {
            return Err(LockfileError::new(
                version.line,
                format!(
                    "unsupported packages.lock.json version {}; supported versions: {SUPPORTED}",
                    other.unwrap_or("(not a number)")
                ),
            ));
        }
    }
    let Some(frameworks) = doc.get("dependencies") else {
        return Err(LockfileError::new(
            doc.line,
            "not a packages.lock.json: no `dependencies`",
        ));
    };
    if !matches!(frameworks.value, Value::Object(_)) {
        return Err(LockfileError::new(
            frameworks.line,
            "`dependencies` must be an object",
        ));
    }

    let mut packages = Vec::new();
    for framework in frameworks.members() {
        for entry in framework.value.members() {
            let node = &entry.value;
            let direct = match node.get("type").and_then(|t| t.as_str()) {
                Some("Direct") => Some(true),
                Some("Transitive" | "CentralTransitive") => Some(false),
                // Another project of the same solution: built from source, not restored from a
                // feed.
                Some("Project") => continue,
                _ => None,
            };
            let Some(version) = node
                .get("resolved")
                .and_then(|v| v.as_text())
                .map(str::trim)
            else {
                continue;
            };
            let name = entry.key.trim();
            if name.is_empty() || version.is_empty() {
                continue;
            }
            let mut package = Package::new(Ecosystem::NuGet, name, version, entry.key_line);
            package.direct = direct;
            packages.push(package);
        }
    }
    Ok(super::dedup(packages))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str, line: u32, direct: bool) -> Package {
        Package::new(Ecosystem::NuGet, name, version, line).direct(direct)
    }

    #[test]
    fn version_1_per_framework_with_projects_skipped() {
        let text = include_str!("../../tests/fixtures/lockfiles/nuget-v1/packages.lock.json");
        assert_eq!(
            parse(&Input::alone("packages.lock.json", text)).unwrap(),
            vec![
                pkg("Newtonsoft.Json", "13.0.3", 5, true),
                pkg("Serilog", "3.1.1", 11, true),
                pkg("System.Text.Encodings.Web", "4.7.2", 17, false),
                pkg("System.Text.Encodings.Web", "8.0.0", 39, false),
            ]
        );
    }

    #[test]
    fn version_2_with_central_transitive_pins() {
        let text = include_str!("../../tests/fixtures/lockfiles/nuget-v2/packages.lock.json");
        assert_eq!(
            parse(&Input::alone("packages.lock.json", text)).unwrap(),
            vec![
                pkg("Microsoft.Extensions.Logging", "8.0.0", 5, true),
                pkg(
                    "Microsoft.Extensions.DependencyInjection.Abstractions",
                    "8.0.0",
                    15,
                    false
                ),
                pkg("System.Text.Json", "8.0.4", 20, false),
            ]
        );
    }

    #[test]
    fn malformed_and_unknown_versions_are_errors_with_lines() {
        let e = parse(&Input::alone(
            "packages.lock.json",
            "{\n  \"version\": 3,\n  \"dependencies\": {}\n}",
        ))
        .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.message
                .contains("unsupported packages.lock.json version 3"),
            "{e}"
        );
        assert!(e.message.contains("1 and 2"), "{e}");

        let truncated =
            include_str!("../../tests/fixtures/lockfiles/nuget-v1/truncated.packages.lock.json");
        let e = parse(&Input::alone("packages.lock.json", truncated)).unwrap_err();
        assert_eq!(e.line, 8);

        let e = parse(&Input::alone(
            "packages.lock.json",
            "{\"version\": 1,\n\"dependencies\": []}",
        ))
        .unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "`dependencies` must be an object")
        );

        let bom = "\u{feff}{\"version\": 1, \"dependencies\": {\"net8.0\": {}}}";
        assert_eq!(
            parse(&Input::alone("packages.lock.json", bom)).unwrap(),
            vec![]
        );

        let e = parse(&Input::alone(
            "packages.lock.json",
            "{\"dependencies\": {}}",
        ))
        .unwrap_err();
        assert!(e.message.contains("no `version`"), "{e}");
    }
}
