//! Terraform (google provider): the misconfigurations attackers look for first. Each document
//! is one resource, `{"address", "type", "name", "mode", "config"}`, with `config` evaluated
//! (nested blocks as arrays of objects); unknown values are never judged.

use super::terraform::{block, resource};
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.gcp.bucket-public", bucket_public),
    ("iac.gcp.bucket-no-uniform-access", bucket_no_uniform_access),
    ("iac.gcp.firewall-open-admin-port", firewall_open_admin_port),
    ("iac.gcp.sql-open-to-internet", sql_open_to_internet),
    ("iac.gcp.sql-no-ssl", sql_no_ssl),
    ("iac.gcp.default-sa-full-scope", default_sa_full_scope),
    ("iac.gcp.gke-legacy-abac", gke_legacy_abac),
    ("iac.gcp.project-ssh-keys", project_ssh_keys),
];

fn known_str<'a>(config: &'a Node, key: &str) -> Option<&'a str> {
    config.get(key).and_then(Node::known).and_then(Node::as_str)
}

const PUBLIC_PRINCIPALS: &[&str] = &["allUsers", "allAuthenticatedUsers"];

/// The public principal a member or ACL entity names (`allUsers`, `READER:allUsers`).
fn public_principal(value: &str) -> Option<&'static str> {
    let principal = value.rsplit(':').next().unwrap_or(value);
    PUBLIC_PRINCIPALS.iter().copied().find(|p| *p == principal)
}

fn bucket_public(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "google_storage_bucket_iam_binding",
            "google_storage_bucket_iam_member",
            "google_storage_bucket_access_control",
            "google_storage_default_object_access_control",
            "google_storage_bucket_acl",
        ],
    ) else {
        return;
    };
    if let Some(v) = config.get("predefined_acl").and_then(Node::known) {
        if let Some(acl) = v
            .as_str()
            .filter(|a| matches!(*a, "publicRead" | "publicReadWrite"))
        {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} applies the `{acl}` ACL: anyone can read the bucket"),
                )
                .with_identity(format!("{addr}/{acl}")),
            );
        }
    }
    for key in ["members", "member", "entity", "role_entity"] {
        let Some(value) = config.get(key).filter(|v| !v.is_unknown()) else {
            continue;
        };
        let found = value
            .items()
            .into_iter()
            .filter_map(Node::as_str)
            .find_map(public_principal);
        if let Some(principal) = found {
            let role = known_str(config, "role").unwrap_or("access");
            hits.push(
                Hit::at(
                    value,
                    format!("{addr} grants {role} on the bucket to `{principal}`"),
                )
                .with_identity(format!("{addr}/{principal}")),
            );
        }
    }
}

fn bucket_no_uniform_access(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_storage_bucket"]) else {
        return;
    };
    match config.get("uniform_bucket_level_access") {
        Some(v) if v.is_unknown() || v.as_bool() == Some(true) => {}
        Some(v) => hits.push(
            Hit::at(v, format!("{addr} keeps per-object ACLs (uniform bucket-level access is off)"))
                .with_identity(addr.to_string()),
        ),
        None => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} keeps per-object ACLs: `uniform_bucket_level_access` is not set and defaults to false"),
            )
            .with_identity(addr.to_string()),
        ),
    }
}

const ADMIN_PORTS: &[(u32, &str)] = &[(22, "SSH"), (3389, "RDP")];

/// Whether a list of source ranges includes the whole internet: `None` when unknown.
fn open_to_world(ranges: &Node) -> Option<bool> {
    if ranges.is_unknown() {
        return None;
    }
    Some(
        ranges
            .items()
            .into_iter()
            .any(|c| matches!(c.as_str(), Some("0.0.0.0/0") | Some("::/0"))),
    )
}

/// The admin port a port spec (`"22"`, `"20-25"`) exposes.
fn port_exposes(spec: &str) -> Option<String> {
    let spec = spec.trim();
    let (from, to) = match spec.split_once('-') {
        Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
        None => {
            let p = spec.parse::<u32>().ok()?;
            (p, p)
        }
    };
    ADMIN_PORTS
        .iter()
        .find(|(p, _)| from <= *p && *p <= to)
        .map(|(p, name)| format!("port {p} ({name})"))
}

/// What an `allow` block of a firewall exposes: every port, or SSH or RDP over TCP.
fn allow_exposes(allow: &Node) -> Option<String> {
    let protocol = known_str(allow, "protocol")?.to_ascii_lowercase();
    let tcp = matches!(protocol.as_str(), "tcp" | "6");
    let any_port = matches!(
        protocol.as_str(),
        "tcp" | "6" | "udp" | "17" | "sctp" | "132"
    );
    if protocol == "all" {
        return Some("every port".to_string());
    }
    let ports = match allow.get("ports") {
        Some(p) if p.is_unknown() => return None,
        Some(p) => p.items(),
        None => Vec::new(),
    };
    if ports.is_empty() {
        return any_port.then(|| format!("every {} port", protocol.to_ascii_uppercase()));
    }
    if !tcp {
        return None;
    }
    ports
        .into_iter()
        .filter_map(|p| p.known().and_then(Node::as_str))
        .find_map(port_exposes)
}

fn firewall_open_admin_port(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_compute_firewall"]) else {
        return;
    };
    let direction = config.get("direction");
    if direction.is_some_and(|d| d.is_unknown())
        || direction
            .and_then(Node::as_str)
            .is_some_and(|d| !d.eq_ignore_ascii_case("INGRESS"))
    {
        return;
    }
    if config
        .get("disabled")
        .is_some_and(|d| d.is_unknown() || d.as_bool() == Some(true))
    {
        return;
    }
    let Some(ranges) = config.get("source_ranges") else {
        return;
    };
    if open_to_world(ranges) != Some(true) {
        return;
    }
    let exposed = config
        .field("allow")
        .items()
        .into_iter()
        .find_map(allow_exposes);
    if let Some(what) = exposed {
        hits.push(
            Hit::at(ranges, format!("{addr} opens {what} to the whole internet"))
                .with_identity(format!("{addr}/{what}")),
        );
    }
}

/// The `ip_configuration` block of a Cloud SQL instance (`None` when absent or unknown).
fn ip_configuration(config: &Node) -> Option<&Node> {
    let settings = block(config, "settings")?.known()?;
    block(settings, "ip_configuration")?.known()
}

fn sql_open_to_internet(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_sql_database_instance"]) else {
        return;
    };
    let Some(ip) = ip_configuration(config) else {
        return;
    };
    if ip
        .get("ipv4_enabled")
        .and_then(Node::known)
        .and_then(Node::as_bool)
        == Some(false)
    {
        return;
    }
    for network in ip.field("authorized_networks").items() {
        if let Some(value) = network
            .get("value")
            .and_then(Node::known)
            .filter(|v| matches!(v.as_str(), Some("0.0.0.0/0") | Some("::/0")))
        {
            hits.push(
                Hit::at(
                    value,
                    format!("{addr} accepts connections to its public IP from the whole internet"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

const SSL_REQUIRED: &[&str] = &["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"];

fn sql_no_ssl(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_sql_database_instance"]) else {
        return;
    };
    let Some(settings) = block(config, "settings") else {
        return;
    };
    if settings.is_unknown() {
        return;
    }
    let ip = block(settings, "ip_configuration");
    if ip.is_some_and(Node::is_unknown) {
        return;
    }
    let ssl_mode = ip.and_then(|ip| ip.get("ssl_mode"));
    let require_ssl = ip.and_then(|ip| ip.get("require_ssl"));
    if ssl_mode.is_some_and(Node::is_unknown) || require_ssl.is_some_and(Node::is_unknown) {
        return;
    }
    let mode_ok = ssl_mode
        .and_then(Node::as_str)
        .is_some_and(|m| SSL_REQUIRED.contains(&m));
    let require_ok = require_ssl.and_then(Node::as_bool) == Some(true);
    if mode_ok || require_ok {
        return;
    }
    let at = ssl_mode.or(require_ssl).or(ip).unwrap_or(settings);
    hits.push(
        Hit::at(
            at,
            format!("{addr} accepts unencrypted connections (set ssl_mode = \"ENCRYPTED_ONLY\")"),
        )
        .with_identity(addr.to_string()),
    );
}

const CLOUD_PLATFORM: &[&str] = &[
    "cloud-platform",
    "https://www.googleapis.com/auth/cloud-platform",
];

fn default_sa_full_scope(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "google_compute_instance",
            "google_compute_instance_template",
            "google_compute_region_instance_template",
        ],
    ) else {
        return;
    };
    for sa in config.field("service_account").items() {
        if sa.is_unknown() {
            continue;
        }
        let default = match sa.get("email") {
            Some(e) if e.is_unknown() => continue,
            None => true,
            Some(e) if e.is_null() => true,
            Some(e) => e.as_str().is_some_and(|e| {
                e == "default" || e.ends_with("-compute@developer.gserviceaccount.com")
            }),
        };
        if !default {
            continue;
        }
        let Some(scopes) = sa.get("scopes").filter(|s| !s.is_unknown()) else {
            continue;
        };
        if scopes
            .items()
            .into_iter()
            .any(|s| s.as_str().is_some_and(|s| CLOUD_PLATFORM.contains(&s)))
        {
            hits.push(
                Hit::at(
                    scopes,
                    format!("{addr} runs as the default Compute Engine service account with the cloud-platform scope"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn gke_legacy_abac(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_container_cluster"]) else {
        return;
    };
    if let Some(v) = config
        .get("enable_legacy_abac")
        .and_then(Node::known)
        .filter(|v| v.as_bool() == Some(true))
    {
        hits.push(
            Hit::at(v, format!("{addr} enables legacy ABAC authorization"))
                .with_identity(addr.to_string()),
        );
    }
}

fn project_ssh_keys(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "google_compute_instance",
            "google_compute_instance_template",
            "google_compute_region_instance_template",
        ],
    ) else {
        return;
    };
    let Some(metadata) = config.get("metadata") else {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} accepts project-wide SSH keys: set metadata `block-project-ssh-keys = true`"),
            )
            .with_identity(addr.to_string()),
        );
        return;
    };
    if metadata.is_unknown() {
        return;
    }
    let mut decided = false;
    for key in ["block-project-ssh-keys", "enable-oslogin"] {
        match metadata.get(key) {
            Some(v) if v.is_unknown() => return,
            Some(v) if v.as_bool() == Some(true) => decided = true,
            _ => {}
        }
    }
    if decided {
        return;
    }
    let at = metadata.get("block-project-ssh-keys").unwrap_or(metadata);
    hits.push(
        Hit::at(
            at,
            format!("{addr} accepts project-wide SSH keys: set metadata `block-project-ssh-keys = true`"),
        )
        .with_identity(addr.to_string()),
    );
}
