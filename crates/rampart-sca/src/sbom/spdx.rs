//! SPDX JSON: writes 2.3, reads 2.2 and 2.3.

use serde_json::{json, Map, Value};

use rampart_core::fingerprint::content_uuid;

use super::{is_unsupported, package_from_purl, parse_json, sanitize_id};
use super::{Component, SbomError, SbomMeta};

/// SPDX requires a creation time; without one from the caller the document carries the
/// epoch rather than the clock, so it stays reproducible.
const EPOCH: &str = "1970-01-01T00:00:00Z";
const ROOT_ID: &str = "SPDXRef-Project";
const LOCKFILE: &str = "rampart:lockfile=";
const LINE: &str = "rampart:line=";
const DIRECT: &str = "rampart:direct=";

/// An SPDX 2.3 JSON document: the project as the described package, depending on each direct
/// dependency, and one package per component identified by its purl.
pub fn write(components: &[Component], meta: &SbomMeta) -> String {
    let created = meta.timestamp.as_deref().unwrap_or(EPOCH);
    let tool = format!(
        "Tool: {}-{}",
        rampart_core::TOOL_NAME,
        rampart_core::TOOL_VERSION
    );
    let mut packages = vec![json!({
        "SPDXID": ROOT_ID,
        "name": meta.project,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "APPLICATION",
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": ROOT_ID,
    })];
    for (i, c) in components.iter().enumerate() {
        let p = &c.package;
        // The index keeps identifiers unique when sanitising makes two names alike.
        let id = format!(
            "SPDXRef-Package-{i}-{}",
            sanitize_id(&format!("{}-{}", p.name, p.version))
        );
        // rampart's own facts about a package ride in annotations, which SPDX keeps per
        // package and other tools ignore.
        let mut notes = vec![format!("{LOCKFILE}{}", c.lockfile)];
        if p.line > 0 {
            notes.push(format!("{LINE}{}", p.line));
        }
        if let Some(direct) = p.direct {
            notes.push(format!("{DIRECT}{direct}"));
        }
        let annotations: Vec<Value> = notes
            .into_iter()
            .map(|comment| {
                json!({
                    "annotationType": "OTHER",
                    "annotator": tool,
                    "annotationDate": created,
                    "comment": comment,
                })
            })
            .collect();
        let mut package = Map::new();
        package.insert("SPDXID".into(), json!(id));
        package.insert("name".into(), json!(p.name));
        if !p.version.is_empty() {
            package.insert("versionInfo".into(), json!(p.version));
        }
        package.insert("downloadLocation".into(), json!("NOASSERTION"));
        package.insert("filesAnalyzed".into(), json!(false));
        package.insert(
            "externalRefs".into(),
            json!([{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl(),
            }]),
        );
        package.insert("annotations".into(), Value::Array(annotations));
        packages.push(Value::Object(package));
        if p.direct == Some(true) {
            relationships.push(json!({
                "spdxElementId": ROOT_ID,
                "relationshipType": "DEPENDS_ON",
                "relatedSpdxElement": id,
            }));
        }
    }
    let mut doc = Map::new();
    doc.insert("spdxVersion".into(), json!("SPDX-2.3"));
    doc.insert("dataLicense".into(), json!("CC0-1.0"));
    doc.insert("SPDXID".into(), json!("SPDXRef-DOCUMENT"));
    doc.insert("name".into(), json!(meta.project));
    doc.insert(
        "creationInfo".into(),
        json!({"created": created, "creators": [tool]}),
    );
    doc.insert("packages".into(), Value::Array(packages));
    doc.insert("relationships".into(), Value::Array(relationships));
    let uuid = content_uuid(Value::Object(doc.clone()).to_string().as_bytes());
    let project = sanitize_id(&meta.project);
    doc.insert(
        "documentNamespace".into(),
        json!(format!("{}/spdx/{project}-{uuid}", rampart_core::TOOL_URI)),
    );
    let mut out = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default();
    out.push('\n');
    out
}

/// The packages of an SPDX 2.2/2.3 JSON document that carry a purl external reference.
/// Packages without one (the described project, files) or with a purl type rampart does not
/// match are skipped; a malformed purl or a field of the wrong type is an error.
pub fn read(text: &str) -> Result<Vec<Component>, SbomError> {
    read_value(&parse_json(text)?)
}

pub(crate) fn read_value(doc: &Value) -> Result<Vec<Component>, SbomError> {
    let doc = doc
        .as_object()
        .ok_or_else(|| SbomError::malformed("$", "expected an object"))?;
    let version = doc
        .get("spdxVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| SbomError::malformed("$.spdxVersion", "expected a string"))?;
    if !matches!(version, "SPDX-2.2" | "SPDX-2.3") {
        return Err(SbomError::UnsupportedVersion {
            format: "SPDX",
            version: version.to_string(),
        });
    }
    let packages = match doc.get("packages") {
        None => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(SbomError::malformed("$.packages", "expected an array")),
    };
    let mut out = Vec::new();
    for (i, p) in packages.iter().enumerate() {
        let path = format!("$.packages[{i}]");
        let p = p
            .as_object()
            .ok_or_else(|| SbomError::malformed(&path, "expected an object"))?;
        if let Some(c) = package(p, &path)? {
            out.push(c);
        }
    }
    Ok(out)
}

fn package(p: &Map<String, Value>, path: &str) -> Result<Option<Component>, SbomError> {
    let string = |key: &str| -> Result<Option<&str>, SbomError> {
        match p.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(SbomError::malformed(
                format!("{path}.{key}"),
                "expected a string",
            )),
        }
    };
    let name = string("name")?;
    let version = string("versionInfo")?;
    let refs = match p.get("externalRefs") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(SbomError::malformed(
                format!("{path}.externalRefs"),
                "expected an array",
            ))
        }
    };
    let purl = refs.iter().find_map(|r| {
        let category = r.get("referenceCategory").and_then(Value::as_str)?;
        let kind = r.get("referenceType").and_then(Value::as_str)?;
        // SPDX 2.3 spells the category with `-` or `_`; 2.2 with `-`.
        let is_pm = category.eq_ignore_ascii_case("PACKAGE-MANAGER")
            || category.eq_ignore_ascii_case("PACKAGE_MANAGER");
        (is_pm && kind == "purl")
            .then(|| r.get("referenceLocator").and_then(Value::as_str))
            .flatten()
    });
    let Some(purl) = purl else {
        return Ok(None);
    };
    let where_ = format!("{path}.externalRefs");
    let mut package = match package_from_purl(purl, name.map(str::to_string), version, &where_) {
        Ok(p) => p,
        Err(SbomError::Purl { source, .. }) if is_unsupported(&source) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut lockfile = String::new();
    if let Some(Value::Array(annotations)) = p.get("annotations") {
        for a in annotations {
            let Some(comment) = a.get("comment").and_then(Value::as_str) else {
                continue;
            };
            if let Some(v) = comment.strip_prefix(LOCKFILE) {
                lockfile = v.to_string();
            } else if let Some(v) = comment.strip_prefix(LINE) {
                package.line = v.parse().unwrap_or(0);
            } else if let Some(v) = comment.strip_prefix(DIRECT) {
                package.direct = v.parse().ok();
            }
        }
    }
    Ok(Some(Component { package, lockfile }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecosystem::Ecosystem;
    use crate::lockfile::Package;

    #[test]
    fn writes_and_reads_back_the_same_packages() {
        let components = vec![
            Component {
                package: Package::new(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.9.1", 7)
                    .direct(true),
                lockfile: "go.mod".into(),
            },
            Component {
                package: Package::new(Ecosystem::Packagist, "Symfony/Console", "v6.4.0", 2),
                lockfile: "composer.lock".into(),
            },
        ];
        let meta = SbomMeta {
            project: "my project".into(),
            timestamp: None,
        };
        let text = write(&components, &meta);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["creationInfo"]["created"], EPOCH);
        let ids: Vec<&str> = doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["SPDXID"].as_str().unwrap())
            .collect();
        for id in ids {
            let rest = id.strip_prefix("SPDXRef-").unwrap();
            assert!(rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
        }
        assert!(!doc["documentNamespace"].as_str().unwrap().contains(' '));
        assert_eq!(read(&text).unwrap(), components);
    }
}
