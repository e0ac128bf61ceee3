//! SBOMs written by rampart validate against the published CycloneDX schema, read back to the
//! same packages, are byte-for-byte reproducible, and hostile documents are errors, never
//! panics.

use std::path::Path;

use rampart_sca::ecosystem::Ecosystem;
use rampart_sca::lockfile::Package;
use rampart_sca::sbom::{cyclonedx, read_any, spdx, write, Component, SbomFormat, SbomMeta};
use serde_json::Value;

fn components() -> Vec<Component> {
    let mut out = Vec::new();
    for (i, e) in Ecosystem::ALL.into_iter().enumerate() {
        let name = match e {
            Ecosystem::Npm => "@types/node",
            Ecosystem::Maven => "org.apache.logging.log4j:log4j-core",
            Ecosystem::Go => "github.com/gin-gonic/gin",
            Ecosystem::Packagist => "Symfony/Console",
            Ecosystem::PyPI => "Django_REST.framework",
            _ => "some-pkg",
        };
        let package = Package::new(e, name, format!("1:{i}.0+b~1"), i as u32 + 1);
        let package = match i % 3 {
            0 => package.direct(true),
            1 => package.direct(false),
            _ => package,
        };
        out.push(Component {
            package,
            lockfile: format!("dir {i}/lock\"file"),
        });
    }
    // The same package from a second lockfile.
    out.push(Component {
        package: Package::new(Ecosystem::Npm, "@types/node", "1:1.0+b~1", 40).direct(true),
        lockfile: "other/package-lock.json".into(),
    });
    out
}

fn meta(timestamp: Option<&str>) -> SbomMeta {
    SbomMeta {
        project: "demo <project>".into(),
        timestamp: timestamp.map(str::to_string),
    }
}

fn cyclonedx_validator() -> Option<jsonschema::Validator> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/schemas"
    ));
    let load = |name: &str| -> Option<Value> {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        Some(serde_json::from_str(&text).unwrap())
    };
    let (Some(bom), Some(spdx), Some(jsf)) = (
        load("cyclonedx-bom-1.5.schema.json"),
        load("cyclonedx-spdx.schema.json"),
        load("cyclonedx-jsf-0.82.schema.json"),
    ) else {
        eprintln!("skipped: ../shared/conformance not found");
        return None;
    };
    // The bom schema refers to its neighbours by relative name; registered under the URIs
    // those names resolve to, they are found locally and nothing is fetched.
    let registry = jsonschema::Registry::new()
        .add("http://cyclonedx.org/schema/spdx.schema.json", spdx)
        .unwrap()
        .add("http://cyclonedx.org/schema/jsf-0.82.schema.json", jsf)
        .unwrap()
        .prepare()
        .unwrap();
    // The registry is borrowed for the validator's construction only.
    Some(
        jsonschema::options()
            .with_registry(&registry)
            .should_validate_formats(true)
            .build(&bom)
            .unwrap(),
    )
}

#[test]
fn sbom_cyclonedx_validates_against_the_1_5_schema() {
    let Some(validator) = cyclonedx_validator() else {
        return;
    };
    for (what, components, meta) in [
        ("sample", components(), meta(Some("2024-05-01T12:00:00Z"))),
        ("no timestamp", components(), meta(None)),
        ("empty", Vec::new(), meta(None)),
    ] {
        let doc: Value = serde_json::from_str(&cyclonedx::write(&components, &meta)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    }
    let mut broken: Value =
        serde_json::from_str(&cyclonedx::write(&components(), &meta(None))).unwrap();
    broken["components"][0]["type"] = Value::from("gadget");
    assert!(
        !validator.is_valid(&broken),
        "the schema check is not vacuous"
    );
    broken = serde_json::from_str(&cyclonedx::write(&components(), &meta(None))).unwrap();
    broken["serialNumber"] = Value::from("urn:uuid:not-a-uuid");
    assert!(!validator.is_valid(&broken), "the serial number is checked");
}

#[test]
fn sbom_round_trips_give_the_same_packages() {
    let expected = components();
    for format in [SbomFormat::CycloneDx, SbomFormat::Spdx] {
        let text = write(format, &expected, &meta(Some("2024-05-01T12:00:00Z")));
        assert_eq!(read_any(&text).unwrap(), expected, "{format}");
    }
    assert_eq!(
        cyclonedx::read(&cyclonedx::write(&expected, &meta(None))).unwrap(),
        expected
    );
    assert_eq!(
        spdx::read(&spdx::write(&expected, &meta(None))).unwrap(),
        expected
    );
    assert!(cyclonedx::read(&spdx::write(&expected, &meta(None))).is_err());
    assert!(spdx::read(&cyclonedx::write(&expected, &meta(None))).is_err());
}

#[test]
fn sbom_output_is_deterministic_and_content_addressed() {
    for format in [SbomFormat::CycloneDx, SbomFormat::Spdx] {
        let a = write(format, &components(), &meta(None));
        let b = write(format, &components(), &meta(None));
        assert_eq!(a, b, "{format}");
        let c = write(format, &components()[1..], &meta(None));
        let id = |text: &str| {
            let doc: Value = serde_json::from_str(text).unwrap();
            doc.get("serialNumber")
                .or_else(|| doc.get("documentNamespace"))
                .and_then(Value::as_str)
                .unwrap()
                .to_string()
        };
        assert_ne!(id(&a), id(&c), "{format}: identifiers follow the content");
    }
}

#[test]
fn sbom_formats_parse_by_name() {
    assert_eq!(
        "cyclonedx".parse::<SbomFormat>().unwrap(),
        SbomFormat::CycloneDx
    );
    assert_eq!("SPDX".parse::<SbomFormat>().unwrap(), SbomFormat::Spdx);
    let err = "swid".parse::<SbomFormat>().unwrap_err();
    assert!(err.to_string().contains("swid"));
}

#[test]
fn sbom_hostile_input_is_an_error_not_a_panic() {
    let hostile = [
        "",
        "null",
        "[]",
        "{}",
        r#"{"bomFormat":"CycloneDX"}"#,
        r#"{"bomFormat":"CycloneDX","specVersion":"9.9"}"#,
        r#"{"bomFormat":"CycloneDX","specVersion":1.5}"#,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":{}}"#,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[1]}"#,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"purl":7}]}"#,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"purl":"npm/x@1"}]}"#,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"purl":"pkg:npm/%zz@1"}]}"#,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"purl":"pkg:npm/x","components":"no"}]}"#,
        r#"{"spdxVersion":"SPDX-2.3","packages":"x"}"#,
        r#"{"spdxVersion":"SPDX-3.0","packages":[]}"#,
        r#"{"spdxVersion":"SPDX-2.3","packages":[{"name":1}]}"#,
        r#"{"spdxVersion":"SPDX-2.3","packages":[{"externalRefs":{}}]}"#,
        r#"{"spdxVersion":"SPDX-2.3","packages":[{"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:"}]}]}"#,
    ];
    for text in hostile {
        assert!(read_any(text).is_err(), "{text}");
    }
    let deep = format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":{}{}}}"#,
        r#"[{"components":"#.repeat(5000),
        "}]".repeat(5000)
    );
    assert!(read_any(&deep).is_err());

    // Components without a purl, or of a type rampart does not match, are not packages.
    let skipped = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
        {"type":"file","name":"x"},{"type":"library","name":"y","purl":"pkg:generic/y@1"}]}"#;
    assert_eq!(read_any(skipped).unwrap(), Vec::new());

    // Every truncation and byte flip of a real document fails cleanly or reads sane packages.
    for format in [SbomFormat::CycloneDx, SbomFormat::Spdx] {
        let text = write(format, &components()[..4], &meta(None));
        let bytes = text.as_bytes();
        for end in (0..bytes.len()).step_by(7) {
            if let Ok(t) = std::str::from_utf8(&bytes[..end]) {
                assert!(read_any(t).is_err(), "{format} truncated at {end}");
            }
        }
        for i in (0..bytes.len()).step_by(5) {
            let mut b = bytes.to_vec();
            b[i] = b"x\"{[]}:,@%/"[i % 11];
            if let Ok(t) = String::from_utf8(b) {
                if let Ok(read) = read_any(&t) {
                    assert!(read.len() <= 4);
                    assert!(read.iter().all(|c| !c.package.name.is_empty()));
                }
            }
        }
    }
}
