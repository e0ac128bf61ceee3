//! Terraform (azurerm provider): the misconfigurations attackers look for first. Each document
//! is one resource, `{"address", "type", "name", "mode", "config"}`, with `config` evaluated
//! (nested blocks as arrays of objects); unknown values are never judged.

use super::terraform::{block, resource};
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.azure.storage-public-access", storage_public_access),
    (
        "iac.azure.storage-insecure-transport",
        storage_insecure_transport,
    ),
    ("iac.azure.nsg-open-admin-port", nsg_open_admin_port),
    ("iac.azure.db-firewall-open", db_firewall_open),
    (
        "iac.azure.keyvault-no-purge-protection",
        keyvault_no_purge_protection,
    ),
    ("iac.azure.aks-public-api-server", aks_public_api_server),
    ("iac.azure.vm-password-auth", vm_password_auth),
];

/// The value of `key` when it is known to be `value`.
fn known_bool<'a>(config: &'a Node, key: &str, value: bool) -> Option<&'a Node> {
    config
        .get(key)
        .and_then(Node::known)
        .filter(|v| v.as_bool() == Some(value))
}

fn storage_public_access(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some((addr, config)) = resource(doc, &["azurerm_storage_account"]) {
        for key in [
            "allow_nested_items_to_be_public",
            "allow_blob_public_access",
        ] {
            if let Some(v) = known_bool(config, key, true) {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} lets its containers and blobs be read anonymously (`{key} = true`)"),
                    )
                    .with_identity(format!("{addr}/{key}")),
                );
            }
        }
        return;
    }
    if let Some((addr, config)) = resource(doc, &["azurerm_storage_container"]) {
        if let Some(v) = config.get("container_access_type").and_then(Node::known) {
            if let Some(level) = v.as_str().filter(|l| matches!(*l, "blob" | "container")) {
                hits.push(
                    Hit::at(
                        v,
                        format!(
                            "{addr} is readable by anyone on the internet (access type `{level}`)"
                        ),
                    )
                    .with_identity(addr.to_string()),
                );
            }
        }
    }
}

fn storage_insecure_transport(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_storage_account"]) else {
        return;
    };
    for key in ["https_traffic_only_enabled", "enable_https_traffic_only"] {
        if let Some(v) = known_bool(config, key, false) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} accepts unencrypted HTTP (`{key} = false`)"),
                )
                .with_identity(format!("{addr}/{key}")),
            );
        }
    }
    if let Some(v) = config.get("min_tls_version").and_then(Node::known) {
        if let Some(tls) = v.as_str().filter(|t| matches!(*t, "TLS1_0" | "TLS1_1")) {
            hits.push(
                Hit::at(v, format!("{addr} accepts {tls}, below TLS 1.2"))
                    .with_identity(format!("{addr}/min_tls_version")),
            );
        }
    }
}

const ADMIN_PORTS: &[(u32, &str)] = &[(22, "SSH"), (3389, "RDP")];

/// Source prefixes that stand for the whole internet in an NSG rule.
fn internet_prefix(prefix: &str) -> bool {
    matches!(
        prefix.to_ascii_lowercase().as_str(),
        "*" | "internet" | "any" | "0.0.0.0" | "0.0.0.0/0" | "::/0"
    )
}

/// The admin port a destination port range (`"22"`, `"20-25"`, `"*"`) exposes.
fn port_range_exposes(range: &str) -> Option<String> {
    let range = range.trim();
    if range == "*" {
        return Some("every port".to_string());
    }
    let (from, to) = match range.split_once('-') {
        Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
        None => {
            let p = range.parse::<u32>().ok()?;
            (p, p)
        }
    };
    ADMIN_PORTS
        .iter()
        .find(|(p, _)| from <= *p && *p <= to)
        .map(|(p, name)| format!("port {p} ({name})"))
}

/// The internet-facing source of an inbound allow rule, if it has one.
fn internet_source(rule: &Node) -> Option<&Node> {
    let is = |key: &str, want: &str| {
        rule.get(key)
            .and_then(Node::known)
            .and_then(Node::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(want))
    };
    if !is("direction", "Inbound") || !is("access", "Allow") {
        return None;
    }
    if rule
        .get("protocol")
        .and_then(Node::known)
        .and_then(Node::as_str)
        .is_some_and(|p| p.eq_ignore_ascii_case("Icmp"))
    {
        return None;
    }
    let single = rule
        .get("source_address_prefix")
        .and_then(Node::known)
        .filter(|p| p.as_str().is_some_and(internet_prefix));
    let many = rule.get("source_address_prefixes").filter(|p| {
        !p.is_unknown()
            && p.items()
                .into_iter()
                .any(|x| x.as_str().is_some_and(internet_prefix))
    });
    single.or(many)
}

fn nsg_open_admin_port(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_network_security_group",
            "azurerm_network_security_rule",
        ],
    ) else {
        return;
    };
    let rules: Vec<&Node> = match doc.root.field("type").as_str() {
        Some("azurerm_network_security_group") => config.field("security_rule").items(),
        _ => vec![config],
    };
    for rule in rules {
        let Some(source) = internet_source(rule) else {
            continue;
        };
        let mut ranges: Vec<&Node> = Vec::new();
        if let Some(r) = rule.get("destination_port_range") {
            ranges.push(r);
        }
        if let Some(r) = rule.get("destination_port_ranges") {
            ranges.extend(r.items());
        }
        let exposed = ranges
            .into_iter()
            .filter_map(|r| r.known().and_then(Node::as_str))
            .find_map(port_range_exposes);
        if let Some(what) = exposed {
            let name = rule.field("name").as_str().unwrap_or("");
            hits.push(
                Hit::at(source, format!("{addr} opens {what} to the whole internet"))
                    .with_identity(format!("{addr}/{name}/{what}")),
            );
        }
    }
}

fn db_firewall_open(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_mssql_firewall_rule",
            "azurerm_sql_firewall_rule",
            "azurerm_postgresql_firewall_rule",
            "azurerm_postgresql_flexible_server_firewall_rule",
            "azurerm_mysql_firewall_rule",
            "azurerm_mysql_flexible_server_firewall_rule",
            "azurerm_mariadb_firewall_rule",
            "azurerm_synapse_firewall_rule",
        ],
    ) else {
        return;
    };
    let ip = |key: &str| {
        config
            .get(key)
            .and_then(Node::known)
            .and_then(Node::as_str)
            .map(str::trim)
    };
    if ip("start_ip_address") == Some("0.0.0.0") && ip("end_ip_address") == Some("255.255.255.255")
    {
        let at = config.get("end_ip_address").unwrap_or(&doc.root);
        hits.push(
            Hit::at(
                at,
                format!("{addr} lets every IPv4 address reach the database server"),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn keyvault_no_purge_protection(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_key_vault"]) else {
        return;
    };
    match config.get("purge_protection_enabled") {
        Some(v) if v.is_unknown() || v.as_bool() == Some(true) => {}
        Some(v) => hits.push(
            Hit::at(v, format!("{addr} can be purged: its keys and secrets can be destroyed for good"))
                .with_identity(addr.to_string()),
        ),
        None => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} can be purged: `purge_protection_enabled` is not set and defaults to false"),
            )
            .with_identity(addr.to_string()),
        ),
    }
}

/// Whether a list of authorized ranges restricts access: `None` when unknown.
fn restricts(ranges: &Node) -> Option<bool> {
    if ranges.is_unknown() {
        return None;
    }
    let items = ranges.items();
    if items.iter().any(|r| r.is_unknown()) {
        return None;
    }
    Some(
        !items.is_empty()
            && !items
                .iter()
                .any(|r| matches!(r.as_str(), Some("0.0.0.0/0") | Some("::/0"))),
    )
}

fn aks_public_api_server(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_kubernetes_cluster"]) else {
        return;
    };
    match config.get("private_cluster_enabled") {
        Some(v) if v.is_unknown() || v.as_bool() == Some(true) => return,
        _ => {}
    }
    let mut lists: Vec<&Node> = Vec::new();
    if let Some(profile) = block(config, "api_server_access_profile") {
        if profile.is_unknown() {
            return;
        }
        if let Some(r) = profile.get("authorized_ip_ranges") {
            lists.push(r);
        }
    }
    if let Some(r) = config.get("api_server_authorized_ip_ranges") {
        lists.push(r);
    }
    let mut open_list = None;
    for list in lists {
        match restricts(list) {
            None => return,
            Some(true) => return,
            Some(false) => open_list = open_list.or(Some(list)),
        }
    }
    let (at, why) = match open_list {
        Some(list) if !list.items().is_empty() => (list, "authorizes 0.0.0.0/0"),
        Some(list) => (list, "has an empty list of authorized IP ranges"),
        None => (&doc.root, "has no authorized IP ranges"),
    };
    hits.push(
        Hit::at(
            at,
            format!("{addr} exposes its Kubernetes API server to the whole internet: it is not private and {why}"),
        )
        .with_identity(addr.to_string()),
    );
}

fn vm_password_auth(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_linux_virtual_machine",
            "azurerm_linux_virtual_machine_scale_set",
            "azurerm_virtual_machine",
        ],
    ) else {
        return;
    };
    let mut places: Vec<&Node> = vec![config];
    places.extend(config.field("os_profile_linux_config").items());
    for place in places {
        if let Some(v) = known_bool(place, "disable_password_authentication", false) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} allows SSH password logins (`disable_password_authentication = false`)"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}
