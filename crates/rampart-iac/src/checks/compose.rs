//! Docker Compose files: the container isolation the CIS Docker Benchmark asks for, and
//! credentials written into the file.

use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node, Value};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.compose.privileged", privileged),
    ("iac.compose.host-namespace", host_namespace),
    ("iac.compose.docker-socket", docker_socket),
    ("iac.compose.added-capabilities", added_capabilities),
    ("iac.compose.secret-in-environment", secret_in_environment),
];

/// Every service, with its name.
fn services(doc: &Document) -> Vec<(&str, &Node)> {
    doc.root
        .get("services")
        .and_then(Node::as_object)
        .map(|all| {
            all.iter()
                .filter(|(_, s)| s.as_object().is_some())
                .map(|(name, s)| (name.as_str(), s))
                .collect()
        })
        .unwrap_or_default()
}

fn privileged(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        if let Some(v) = s.get("privileged").and_then(Node::known) {
            if v.as_bool() == Some(true) {
                hits.push(
                    Hit::at(v, format!("service `{name}` runs privileged")).with_identity(name),
                );
            }
        }
    }
}

fn host_namespace(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        for (key, what) in [
            ("network_mode", "network"),
            ("pid", "process"),
            ("ipc", "IPC"),
        ] {
            let Some(v) = s.get(key).and_then(Node::known) else {
                continue;
            };
            if v.as_str().is_some_and(|m| m.trim() == "host") {
                hits.push(
                    Hit::at(
                        v,
                        format!(
                            "service `{name}` shares the host's {what} namespace ({key}: host)"
                        ),
                    )
                    .with_identity(format!("{name}/{key}")),
                );
            }
        }
    }
}

/// A path that is the Docker (or Podman) API socket, or the Docker engine's Windows pipe.
fn is_socket(path: &str) -> bool {
    let p = path.trim().trim_end_matches('}').to_ascii_lowercase();
    p.ends_with("/docker.sock")
        || p.ends_with("/podman.sock")
        || p.ends_with("pipe/docker_engine")
        || p.ends_with("pipe\\docker_engine")
}

fn docker_socket(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        for v in s.field("volumes").items() {
            let Some(v) = v.known() else { continue };
            let found = match v.as_str() {
                // Short syntax: SOURCE:TARGET[:MODE]; a read-only mount of the socket still
                // gives full use of the API.
                Some(short) => short.split(':').any(is_socket).then_some(v),
                None => ["source", "target"]
                    .iter()
                    .filter_map(|k| v.get(k).and_then(Node::known))
                    .find(|p| p.as_str().is_some_and(is_socket)),
            };
            if let Some(at) = found {
                hits.push(
                    Hit::at(
                        at,
                        format!("service `{name}` mounts the container engine's API socket"),
                    )
                    .with_identity(format!("{name}/volumes")),
                );
            }
        }
    }
}

/// Capabilities that are safe to add: binding ports below 1024.
const ALLOWED_ADD: &[&str] = &["NET_BIND_SERVICE"];

fn added_capabilities(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        let Some(add) = s.get("cap_add").and_then(Node::known) else {
            continue;
        };
        let bad: Vec<&str> = add
            .items()
            .into_iter()
            .filter_map(Node::as_str)
            .filter(|cap| {
                let cap = cap.trim().to_ascii_uppercase();
                let cap = cap.trim_start_matches("CAP_");
                !ALLOWED_ADD.contains(&cap)
            })
            .collect();
        if !bad.is_empty() {
            hits.push(
                Hit::at(
                    add,
                    format!("service `{name}` adds capabilities {}", bad.join(", ")),
                )
                .with_identity(name),
            );
        }
    }
}

/// A value written in the file: not empty and not filled in from the environment (`${VAR}`).
fn literal(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && !v.contains("${") && !(v.starts_with('$') && !v.starts_with("$$"))
}

fn secret_in_environment(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        let env = s.field("environment");
        let mut found: Vec<(&Node, String)> = Vec::new();
        match &env.value {
            // Map form: KEY: value (a null value passes the host's variable through).
            Value::Object(entries) => {
                for (key, v) in entries {
                    let text = match &v.value {
                        Value::String(t) | Value::Number(t) => t.as_str(),
                        _ => continue,
                    };
                    if super::kubernetes::looks_secret(key) && literal(text) {
                        found.push((v, key.clone()));
                    }
                }
            }
            // List form: KEY=value (KEY alone passes the host's variable through).
            Value::Array(items) => {
                for item in items {
                    let Some((key, text)) = item.as_str().and_then(|t| t.split_once('=')) else {
                        continue;
                    };
                    let key = key.trim();
                    if super::kubernetes::looks_secret(key) && literal(text) {
                        found.push((item, key.to_string()));
                    }
                }
            }
            _ => {}
        }
        for (at, key) in found {
            hits.push(
                Hit::at(
                    at,
                    format!("service `{name}` sets `{key}` to a literal value"),
                )
                .with_identity(format!("{name}/environment/{key}")),
            );
        }
    }
}
