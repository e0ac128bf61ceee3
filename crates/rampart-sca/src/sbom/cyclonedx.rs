//! CycloneDX JSON: writes 1.5, reads 1.2–1.6.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use rampart_core::fingerprint::content_uuid;

use super::{is_unsupported, package_from_purl, parse_json};
use super::{Component, SbomError, SbomMeta};
use crate::ecosystem::Ecosystem;
use crate::lockfile::Package;

const LOCKFILE: &str = "rampart:lockfile";
const LINE: &str = "rampart:line";
const DIRECT: &str = "rampart:direct";
/// The root component's reference; no purl can equal it, so it never collides.
const ROOT_REF: &str = "rampart:project";

/// A CycloneDX 1.5 JSON document listing `components` as libraries of the project.
pub fn write(components: &[Component], meta: &SbomMeta) -> String {
    let mut used: HashSet<String> = HashSet::new();
    let mut entries = Vec::with_capacity(components.len());
    let mut direct_refs = Vec::new();
    let mut any_direct_known = false;
    for (i, c) in components.iter().enumerate() {
        let purl = c.package.purl();
        // A bom-ref must be unique in the document; the same package pinned by two
        // lockfiles keeps its purl in `purl` and gets a distinct reference.
        let bom_ref = if used.contains(&purl) {
            format!("{purl}#rampart-{i}")
        } else {
            purl.clone()
        };
        used.insert(bom_ref.clone());
        let (group, name) = group_and_name(&c.package);
        let mut entry = Map::new();
        entry.insert("type".into(), json!("library"));
        entry.insert("bom-ref".into(), json!(bom_ref));
        if let Some(group) = group {
            entry.insert("group".into(), json!(group));
        }
        entry.insert("name".into(), json!(name));
        if !c.package.version.is_empty() {
            entry.insert("version".into(), json!(c.package.version));
        }
        entry.insert("purl".into(), json!(purl));
        let mut properties = vec![json!({"name": LOCKFILE, "value": c.lockfile})];
        if c.package.line > 0 {
            properties.push(json!({"name": LINE, "value": c.package.line.to_string()}));
        }
        if let Some(direct) = c.package.direct {
            any_direct_known = true;
            properties.push(json!({"name": DIRECT, "value": direct.to_string()}));
            if direct {
                direct_refs.push(bom_ref);
            }
        }
        entry.insert("properties".into(), Value::Array(properties));
        entries.push(Value::Object(entry));
    }

    let mut metadata = Map::new();
    if let Some(ts) = &meta.timestamp {
        metadata.insert("timestamp".into(), json!(ts));
    }
    metadata.insert(
        "tools".into(),
        json!({"components": [{
            "type": "application",
            "name": rampart_core::TOOL_NAME,
            "version": rampart_core::TOOL_VERSION,
        }]}),
    );
    metadata.insert(
        "component".into(),
        json!({"type": "application", "bom-ref": ROOT_REF, "name": meta.project}),
    );

    let mut doc = Map::new();
    doc.insert("bomFormat".into(), json!("CycloneDX"));
    doc.insert("specVersion".into(), json!("1.5"));
    doc.insert("version".into(), json!(1));
    doc.insert("metadata".into(), Value::Object(metadata));
    doc.insert("components".into(), Value::Array(entries));
    if any_direct_known {
        doc.insert(
            "dependencies".into(),
            json!([{"ref": ROOT_REF, "dependsOn": direct_refs}]),
        );
    }
    let content = Value::Object(doc.clone()).to_string();
    doc.insert(
        "serialNumber".into(),
        json!(format!("urn:uuid:{}", content_uuid(content.as_bytes()))),
    );
    let mut out = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default();
    out.push('\n');
    out
}

/// The `group` and `name` CycloneDX tools use for a package: Maven's groupId, an npm scope
/// and a Composer vendor are the group; everything else is the whole name.
fn group_and_name(p: &Package) -> (Option<&str>, &str) {
    let split = match p.ecosystem {
        Ecosystem::Maven => p.name.split_once(':'),
        Ecosystem::Npm if p.name.starts_with('@') => p.name.split_once('/'),
        Ecosystem::Packagist => p.name.split_once('/'),
        _ => None,
    };
    match split {
        Some((group, name)) if !group.is_empty() && !name.is_empty() => (Some(group), name),
        _ => (None, &p.name),
    }
}

/// The packages of a CycloneDX JSON document, nested components included. Components
/// without a purl (files, applications, operating systems) or with a purl type rampart does
/// not match are skipped; a malformed purl or a field of the wrong type is an error.
pub fn read(text: &str) -> Result<Vec<Component>, SbomError> {
    read_value(&parse_json(text)?)
}

pub(crate) fn read_value(doc: &Value) -> Result<Vec<Component>, SbomError> {
    let doc = doc
        .as_object()
        .ok_or_else(|| SbomError::malformed("$", "expected an object"))?;
    if doc.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(SbomError::malformed(
            "$.bomFormat",
            "expected \"CycloneDX\"",
        ));
    }
    let version = doc
        .get("specVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| SbomError::malformed("$.specVersion", "expected a string"))?;
    if !matches!(version, "1.2" | "1.3" | "1.4" | "1.5" | "1.6") {
        return Err(SbomError::UnsupportedVersion {
            format: "CycloneDX",
            version: version.to_string(),
        });
    }
    let direct = root_dependencies(doc)?;
    let mut out = Vec::new();
    if let Some(components) = doc.get("components") {
        walk(components, "$.components", &direct, &mut out)?;
    }
    Ok(out)
}

/// The bom-refs the root component depends on, when the document says.
fn root_dependencies(doc: &Map<String, Value>) -> Result<Option<HashSet<String>>, SbomError> {
    let Some(root) = doc
        .get("metadata")
        .and_then(|m| m.get("component"))
        .and_then(|c| c.get("bom-ref"))
        .and_then(Value::as_str)
    else {
        return Ok(None);
    };
    let Some(deps) = doc.get("dependencies") else {
        return Ok(None);
    };
    let deps = deps
        .as_array()
        .ok_or_else(|| SbomError::malformed("$.dependencies", "expected an array"))?;
    let mut by_ref: HashMap<&str, &Value> = HashMap::new();
    for d in deps {
        if let Some(r) = d.get("ref").and_then(Value::as_str) {
            by_ref.insert(r, d);
        }
    }
    let Some(entry) = by_ref.get(root) else {
        return Ok(None);
    };
    let refs = match entry.get("dependsOn") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(_) => {
            return Err(SbomError::malformed(
                "$.dependencies[].dependsOn",
                "expected an array",
            ))
        }
    };
    Ok(Some(refs.into_iter().map(str::to_string).collect()))
}

fn walk(
    components: &Value,
    path: &str,
    direct: &Option<HashSet<String>>,
    out: &mut Vec<Component>,
) -> Result<(), SbomError> {
    let components = components
        .as_array()
        .ok_or_else(|| SbomError::malformed(path, "expected an array"))?;
    for (i, c) in components.iter().enumerate() {
        let here = format!("{path}[{i}]");
        let c = c
            .as_object()
            .ok_or_else(|| SbomError::malformed(&here, "expected an object"))?;
        if let Some(component) = component(c, &here, direct)? {
            out.push(component);
        }
        if let Some(nested) = c.get("components") {
            walk(nested, &format!("{here}.components"), direct, out)?;
        }
    }
    Ok(())
}

fn component(
    c: &Map<String, Value>,
    path: &str,
    direct: &Option<HashSet<String>>,
) -> Result<Option<Component>, SbomError> {
    let string = |key: &str| -> Result<Option<&str>, SbomError> {
        match c.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(SbomError::malformed(
                format!("{path}.{key}"),
                "expected a string",
            )),
        }
    };
    let Some(purl) = string("purl")? else {
        return Ok(None);
    };
    let name = string("name")?;
    let group = string("group")?;
    let version = string("version")?;
    let spelled = name.map(|n| match group {
        Some(g) if !g.is_empty() => {
            let sep = if purl.starts_with("pkg:maven/") {
                ":"
            } else {
                "/"
            };
            format!("{g}{sep}{n}")
        }
        _ => n.to_string(),
    });
    let mut package = match package_from_purl(purl, spelled, version, &format!("{path}.purl")) {
        Ok(p) => p,
        Err(SbomError::Purl { source, .. }) if is_unsupported(&source) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut lockfile = String::new();
    let mut direct_property = None;
    let mut from_rampart = false;
    match c.get("properties") {
        None | Some(Value::Null) => {}
        Some(Value::Array(props)) => {
            for p in props {
                let (Some(n), Some(v)) = (
                    p.get("name").and_then(Value::as_str),
                    p.get("value").and_then(Value::as_str),
                ) else {
                    continue;
                };
                from_rampart |= n.starts_with("rampart:");
                match n {
                    LOCKFILE => lockfile = v.to_string(),
                    LINE => package.line = v.parse().unwrap_or(0),
                    DIRECT => direct_property = v.parse::<bool>().ok(),
                    _ => {}
                }
            }
        }
        Some(_) => {
            return Err(SbomError::malformed(
                format!("{path}.properties"),
                "expected an array",
            ))
        }
    }
    // rampart records what it knows per component, including that it does not know; the
    // dependency graph only answers for documents other tools wrote.
    package.direct = direct_property.or_else(|| {
        if from_rampart {
            return None;
        }
        let bom_ref = c.get("bom-ref").and_then(Value::as_str)?;
        direct.as_ref().map(|d| d.contains(bom_ref))
    });
    Ok(Some(Component { package, lockfile }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Component> {
        vec![
            Component {
                package: Package::new(Ecosystem::Npm, "@babel/core", "7.24.0", 12).direct(true),
                lockfile: "package-lock.json".into(),
            },
            Component {
                package: Package::new(Ecosystem::Maven, "org.apache:log4j-core", "2.14.1", 3)
                    .direct(false),
                lockfile: "pom.xml".into(),
            },
            Component {
                package: Package::new(Ecosystem::PyPI, "Django_REST.framework", "3.15.1", 1),
                lockfile: "requirements.txt".into(),
            },
        ]
    }

    #[test]
    fn writes_groups_and_reads_back_the_same_packages() {
        let meta = SbomMeta {
            project: "demo".into(),
            timestamp: None,
        };
        let text = write(&sample(), &meta);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["components"][0]["group"], "@babel");
        assert_eq!(doc["components"][0]["name"], "core");
        assert_eq!(doc["components"][1]["group"], "org.apache");
        assert_eq!(
            doc["dependencies"][0]["dependsOn"],
            json!(["pkg:npm/%40babel/core@7.24.0"])
        );
        assert!(doc["metadata"].get("timestamp").is_none());
        assert_eq!(read(&text).unwrap(), sample());
    }

    #[test]
    fn nested_components_and_foreign_documents_are_read() {
        let text = r#"{"bomFormat":"CycloneDX","specVersion":"1.4",
          "metadata":{"component":{"bom-ref":"root","name":"app","type":"application"}},
          "dependencies":[{"ref":"root","dependsOn":["a"]}],
          "components":[
            {"type":"library","bom-ref":"a","name":"lodash","version":"4.17.21","purl":"pkg:npm/lodash@4.17.21",
             "components":[{"type":"library","name":"serde","purl":"pkg:cargo/serde@1.0.0"}]},
            {"type":"file","name":"README"},
            {"type":"library","name":"x","purl":"pkg:github/a/b@1"}]}"#;
        let got = read(text).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].package.direct, Some(true));
        assert_eq!(got[1].package.name, "serde");
        assert_eq!(got[1].package.direct, None);
    }
}
