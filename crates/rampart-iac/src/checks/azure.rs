//! Terraform (azurerm provider): the misconfigurations attackers look for first. Each document
//! is one resource, `{"address", "type", "name", "mode", "config"}`, with `config` evaluated
//! (nested blocks as arrays of objects); unknown values are never judged.

use super::terraform::{block, resource};
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Kind, Node};

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
    (
        "iac.azure.storage-network-default-allow",
        storage_network_default_allow,
    ),
    ("iac.azure.keyvault-network-open", keyvault_network_open),
    ("iac.azure.keyvault-key-no-expiry", keyvault_key_no_expiry),
    (
        "iac.azure.keyvault-secret-no-expiry",
        keyvault_secret_no_expiry,
    ),
    (
        "iac.azure.db-public-network-access",
        db_public_network_access,
    ),
    ("iac.azure.db-ssl-not-enforced", db_ssl_not_enforced),
    ("iac.azure.db-weak-tls", db_weak_tls),
    ("iac.azure.appservice-https-only", appservice_https_only),
    ("iac.azure.appservice-weak-tls", appservice_weak_tls),
    ("iac.azure.appservice-plain-ftp", appservice_plain_ftp),
    (
        "iac.azure.appservice-remote-debugging",
        appservice_remote_debugging,
    ),
    (
        "iac.azure.appservice-cors-any-origin",
        appservice_cors_any_origin,
    ),
    ("iac.azure.sql-no-entra-admin", sql_no_entra_admin),
    ("iac.azure.sql-auditing-weak", sql_auditing_weak),
    ("iac.azure.sql-threat-alerts-off", sql_threat_alerts_off),
    ("iac.azure.postgres-logging-off", postgres_logging_off),
    ("iac.azure.aks-rbac-disabled", aks_rbac_disabled),
    ("iac.azure.aks-no-network-policy", aks_no_network_policy),
    ("iac.azure.aks-local-accounts", aks_local_accounts),
    ("iac.azure.aks-node-public-ip", aks_node_public_ip),
    ("iac.azure.acr-admin-user", acr_admin_user),
    ("iac.azure.acr-anonymous-pull", acr_anonymous_pull),
    ("iac.azure.cosmosdb-open-network", cosmosdb_open_network),
    (
        "iac.azure.redis-insecure-transport",
        redis_insecure_transport,
    ),
    ("iac.azure.nsg-open-service-port", nsg_open_service_port),
    ("iac.azure.nsg-open-udp", nsg_open_udp),
    ("iac.azure.custom-role-wildcard", custom_role_wildcard),
    ("iac.azure.messaging-weak-tls", messaging_weak_tls),
    ("iac.azure.defender-free-tier", defender_free_tier),
    (
        "iac.azure.security-contact-alerts-off",
        security_contact_alerts_off,
    ),
    ("iac.azure.flow-log-retention", flow_log_retention),
    ("iac.azure.waf-off-or-detecting", waf_off_or_detecting),
    ("iac.azure.frontdoor-http-allowed", frontdoor_http_allowed),
    (
        "iac.azure.storage-no-blob-soft-delete",
        storage_no_blob_soft_delete,
    ),
    (
        "iac.azure.db-firewall-azure-services",
        db_firewall_azure_services,
    ),
    ("iac.azure.sql-tde-disabled", sql_tde_disabled),
    (
        "iac.azure.keyvault-access-policies",
        keyvault_access_policies,
    ),
    (
        "iac.azure.vm-automatic-updates-off",
        vm_automatic_updates_off,
    ),
    ("iac.azure.apim-weak-tls", apim_weak_tls),
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

/// Firewall rules of the database services.
const DB_FIREWALL_RULES: &[&str] = &[
    "azurerm_mssql_firewall_rule",
    "azurerm_sql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
    "azurerm_synapse_firewall_rule",
];

fn db_firewall_open(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, DB_FIREWALL_RULES) else {
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

/// How a setting stands in a resource.
enum State<'a> {
    /// Written with the value at fault.
    Bad(&'a Node),
    /// Not written at all (or written as null): the provider default applies.
    Unset,
    /// Written with another value, or not known.
    Fine,
}

/// Whether `key` is left unset: absent from a configuration, or null or an empty list. A plan
/// leaves out values that are known only after apply, so there an absent key is not judged.
fn unset(doc: &Document, config: &Node, key: &str) -> bool {
    match config.get(key) {
        None => doc.kind == Kind::Terraform,
        Some(v) => v.is_null() || v.as_array().is_some_and(|a| a.is_empty()),
    }
}

/// How the boolean setting `key` stands, `bad` being the value at fault.
fn bool_state<'a>(doc: &Document, config: &'a Node, key: &str, bad: bool) -> State<'a> {
    if unset(doc, config, key) {
        return State::Unset;
    }
    match config.get(key).and_then(Node::known) {
        Some(v) if v.as_bool() == Some(bad) => State::Bad(v),
        _ => State::Fine,
    }
}

/// The known string value of `key`.
fn known_str<'a>(config: &'a Node, key: &str) -> Option<(&'a Node, &'a str)> {
    let v = config.get(key)?.known()?;
    Some((v, v.as_str()?))
}

/// Whether `key` is known to be false (a switch that turns the rest off).
fn known_false(config: &Node, key: &str) -> bool {
    known_bool(config, key, false).is_some()
}

fn storage_network_default_allow(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_storage_account",
            "azurerm_storage_account_network_rules",
        ],
    ) else {
        return;
    };
    let rules = match doc.root.field("type").as_str() {
        Some("azurerm_storage_account") => {
            if known_false(config, "public_network_access_enabled") {
                return;
            }
            match block(config, "network_rules") {
                Some(rules) => rules,
                None => return,
            }
        }
        _ => config,
    };
    if let Some((v, action)) = known_str(rules, "default_action") {
        if action.eq_ignore_ascii_case("Allow") {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} accepts connections from every network (`default_action = \"{action}\"`): its IP and virtual network rules restrict nothing"),
                )
                .with_identity(format!("{addr}/default_action")),
            );
        }
    }
}

fn keyvault_network_open(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_key_vault"]) else {
        return;
    };
    if known_false(config, "public_network_access_enabled") {
        return;
    }
    if unset(doc, config, "network_acls") {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} accepts connections from every network: it has no `network_acls` block and public network access is not disabled"),
            )
            .with_identity(format!("{addr}/network_acls")),
        );
        return;
    }
    let Some(acls) = block(config, "network_acls") else {
        return;
    };
    if let Some((v, action)) = known_str(acls, "default_action") {
        if action.eq_ignore_ascii_case("Allow") {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} accepts connections from every network (`network_acls {{ default_action = \"{action}\" }}`)"),
                )
                .with_identity(format!("{addr}/network_acls")),
            );
        }
    }
}

/// Reports a Key Vault key or secret written without an expiration date.
fn no_expiry(doc: &Document, hits: &mut Vec<Hit>, kind: &str, what: &str) {
    let Some((addr, config)) = resource(doc, &[kind]) else {
        return;
    };
    if unset(doc, config, "expiration_date") {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} never expires: set `expiration_date` so the {what} is rotated"),
            )
            .with_identity(format!("{addr}/expiration_date")),
        );
    }
}

fn keyvault_key_no_expiry(doc: &Document, hits: &mut Vec<Hit>) {
    no_expiry(doc, hits, "azurerm_key_vault_key", "key");
}

fn keyvault_secret_no_expiry(doc: &Document, hits: &mut Vec<Hit>) {
    no_expiry(doc, hits, "azurerm_key_vault_secret", "secret");
}

fn db_public_network_access(doc: &Document, hits: &mut Vec<Hit>) {
    // Servers whose public endpoint is on unless it is turned off.
    let open_by_default = [
        "azurerm_mssql_server",
        "azurerm_postgresql_server",
        "azurerm_mysql_server",
        "azurerm_mariadb_server",
    ];
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_mssql_server",
            "azurerm_postgresql_server",
            "azurerm_mysql_server",
            "azurerm_mariadb_server",
            "azurerm_postgresql_flexible_server",
        ],
    ) else {
        return;
    };
    let key = "public_network_access_enabled";
    match bool_state(doc, config, key, true) {
        State::Bad(v) => hits.push(
            Hit::at(
                v,
                format!("{addr} has a public endpoint (`{key} = true`): its login is reachable from the internet wherever a firewall rule admits the source"),
            )
            .with_identity(format!("{addr}/{key}")),
        ),
        State::Unset
            if open_by_default.contains(&doc.root.field("type").as_str().unwrap_or("")) =>
        {
            hits.push(
                Hit::at(
                    &doc.root,
                    format!("{addr} has a public endpoint: `{key}` is not set and defaults to true"),
                )
                .with_identity(format!("{addr}/{key}")),
            )
        }
        _ => {}
    }
}

/// The name (lower-cased) and value of a server parameter resource
/// (`azurerm_postgresql_flexible_server_configuration` and the like).
fn server_parameter(config: &Node) -> Option<(String, &Node, &str)> {
    let (_, name) = known_str(config, "name")?;
    let (node, value) = known_str(config, "value")?;
    Some((name.to_ascii_lowercase(), node, value.trim()))
}

const SERVER_PARAMETERS: &[&str] = &[
    "azurerm_postgresql_configuration",
    "azurerm_postgresql_flexible_server_configuration",
    "azurerm_mysql_configuration",
    "azurerm_mysql_flexible_server_configuration",
    "azurerm_mariadb_configuration",
];

fn db_ssl_not_enforced(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some((addr, config)) = resource(doc, SERVER_PARAMETERS) {
        if let Some((name, v, value)) = server_parameter(config) {
            if name == "require_secure_transport"
                && matches!(value.to_ascii_lowercase().as_str(), "off" | "0")
            {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} turns `require_secure_transport` off: clients may connect without TLS"),
                    )
                    .with_identity(format!("{addr}/require_secure_transport")),
                );
            }
        }
        return;
    }
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_postgresql_server",
            "azurerm_mysql_server",
            "azurerm_mariadb_server",
        ],
    ) else {
        return;
    };
    if let Some(v) = known_bool(config, "ssl_enforcement_enabled", false) {
        hits.push(
            Hit::at(
                v,
                format!(
                    "{addr} accepts connections without TLS (`ssl_enforcement_enabled = false`)"
                ),
            )
            .with_identity(format!("{addr}/ssl_enforcement_enabled")),
        );
    }
    if let Some((v, value)) = known_str(config, "ssl_enforcement") {
        if value.eq_ignore_ascii_case("Disabled") {
            hits.push(
                Hit::at(
                    v,
                    format!(
                        "{addr} accepts connections without TLS (`ssl_enforcement = \"{value}\"`)"
                    ),
                )
                .with_identity(format!("{addr}/ssl_enforcement")),
            );
        }
    }
}

/// Whether a TLS version setting admits TLS 1.0 or 1.1 (or no TLS floor at all).
fn weak_tls(value: &str) -> bool {
    value.split(',').map(str::trim).any(|v| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "1.0"
                | "1.1"
                | "tls1_0"
                | "tls1_1"
                | "tlsv1"
                | "tlsv1.0"
                | "tlsv1.1"
                | "tls1.0"
                | "tls1.1"
                | "tlsenforcementdisabled"
        )
    })
}

fn db_weak_tls(doc: &Document, hits: &mut Vec<Hit>) {
    if let Some((addr, config)) = resource(doc, SERVER_PARAMETERS) {
        if let Some((name, v, value)) = server_parameter(config) {
            if matches!(name.as_str(), "ssl_min_protocol_version" | "tls_version")
                && weak_tls(value)
            {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} lets clients use TLS below 1.2 (`{name}` is `{value}`)"),
                    )
                    .with_identity(format!("{addr}/{name}")),
                );
            }
        }
        return;
    }
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_mssql_server",
            "azurerm_postgresql_server",
            "azurerm_mysql_server",
            "azurerm_mariadb_server",
        ],
    ) else {
        return;
    };
    for key in ["minimum_tls_version", "ssl_minimal_tls_version_enforced"] {
        if let Some((v, value)) = known_str(config, key) {
            if weak_tls(value) || value.eq_ignore_ascii_case("Disabled") {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} lets clients use TLS below 1.2 (`{key} = \"{value}\"`)"),
                    )
                    .with_identity(format!("{addr}/{key}")),
                );
            }
        }
    }
}

/// App Service web apps and function apps, current and legacy, with their deployment slots.
const APP_SERVICES: &[&str] = &[
    "azurerm_linux_web_app",
    "azurerm_windows_web_app",
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
    "azurerm_linux_web_app_slot",
    "azurerm_windows_web_app_slot",
    "azurerm_linux_function_app_slot",
    "azurerm_windows_function_app_slot",
    "azurerm_app_service",
    "azurerm_app_service_slot",
    "azurerm_function_app",
    "azurerm_function_app_slot",
];

fn appservice_https_only(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, APP_SERVICES) else {
        return;
    };
    match bool_state(doc, config, "https_only", false) {
        State::Bad(v) => hits.push(
            Hit::at(
                v,
                format!("{addr} serves plain HTTP (`https_only = false`)"),
            )
            .with_identity(format!("{addr}/https_only")),
        ),
        State::Unset => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} serves plain HTTP: `https_only` is not set and defaults to false"),
            )
            .with_identity(format!("{addr}/https_only")),
        ),
        State::Fine => {}
    }
}

fn appservice_weak_tls(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, APP_SERVICES) else {
        return;
    };
    let Some(site) = block(config, "site_config") else {
        return;
    };
    for key in [
        "minimum_tls_version",
        "min_tls_version",
        "scm_minimum_tls_version",
        "scm_min_tls_version",
    ] {
        if let Some((v, value)) = known_str(site, key) {
            if weak_tls(value) {
                hits.push(
                    Hit::at(
                        v,
                        format!(
                            "{addr} accepts TLS {value}, below 1.2 (`site_config {{ {key} }}`)"
                        ),
                    )
                    .with_identity(format!("{addr}/{key}")),
                );
            }
        }
    }
}

fn appservice_plain_ftp(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, APP_SERVICES) else {
        return;
    };
    let Some(site) = block(config, "site_config") else {
        return;
    };
    if let Some((v, value)) = known_str(site, "ftps_state") {
        if value.eq_ignore_ascii_case("AllAllowed") {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} accepts deployments over plain FTP (`ftps_state = \"{value}\"`): the deployment credentials cross the network in clear text"),
                )
                .with_identity(format!("{addr}/ftps_state")),
            );
        }
    }
}

fn appservice_remote_debugging(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, APP_SERVICES) else {
        return;
    };
    let Some(site) = block(config, "site_config") else {
        return;
    };
    for key in ["remote_debugging_enabled", "remote_debugging"] {
        if let Some(v) = known_bool(site, key, true) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} has remote debugging turned on (`{key} = true`)"),
                )
                .with_identity(format!("{addr}/{key}")),
            );
        }
    }
}

fn appservice_cors_any_origin(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, APP_SERVICES) else {
        return;
    };
    let Some(cors) = block(config, "site_config").and_then(|s| block(s, "cors")) else {
        return;
    };
    let Some(origins) = cors.get("allowed_origins").and_then(Node::known) else {
        return;
    };
    if origins
        .items()
        .into_iter()
        .any(|o| o.as_str().is_some_and(|o| o.trim() == "*"))
    {
        hits.push(
            Hit::at(
                origins,
                format!("{addr} lets scripts of every website call it (CORS `allowed_origins` includes \"*\")"),
            )
            .with_identity(format!("{addr}/cors")),
        );
    }
}

fn sql_no_entra_admin(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_mssql_server"]) else {
        return;
    };
    if unset(doc, config, "azuread_administrator") {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} has no Microsoft Entra ID administrator: only SQL logins with passwords can administer it"),
            )
            .with_identity(format!("{addr}/azuread_administrator")),
        );
    }
}

/// Audit retention shorter than this many days is reported (0 keeps logs forever).
const MIN_RETENTION_DAYS: f64 = 90.0;

/// The retention days of `config` when known to be shorter than [`MIN_RETENTION_DAYS`].
fn short_retention<'a>(config: &'a Node, key: &str) -> Option<(&'a Node, f64)> {
    let v = config.get(key)?.known()?;
    let days = v.as_f64()?;
    (days > 0.0 && days < MIN_RETENTION_DAYS).then_some((v, days))
}

fn sql_auditing_weak(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_mssql_server_extended_auditing_policy",
            "azurerm_mssql_database_extended_auditing_policy",
            "azurerm_mssql_server",
            "azurerm_mssql_database",
        ],
    ) else {
        return;
    };
    let policies: Vec<&Node> = match doc.root.field("type").as_str() {
        Some("azurerm_mssql_server" | "azurerm_mssql_database") => {
            config.field("extended_auditing_policy").items()
        }
        _ => vec![config],
    };
    for policy in policies {
        if let Some(v) = known_bool(policy, "enabled", false) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} turns SQL auditing off (`enabled = false`)"),
                )
                .with_identity(format!("{addr}/enabled")),
            );
            continue;
        }
        if let Some((v, days)) = short_retention(policy, "retention_in_days") {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} keeps SQL audit logs for only {days} days (fewer than {MIN_RETENTION_DAYS})"),
                )
                .with_identity(format!("{addr}/retention_in_days")),
            );
        }
    }
}

fn sql_threat_alerts_off(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_mssql_server_security_alert_policy",
            "azurerm_sql_server_security_alert_policy",
        ],
    ) else {
        return;
    };
    if let Some((v, state)) = known_str(config, "state") {
        if state.eq_ignore_ascii_case("Disabled") {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} turns threat detection off (`state = \"{state}\"`): SQL injection and brute force against the server raise no alert"),
                )
                .with_identity(format!("{addr}/state")),
            );
            return;
        }
    }
    if let Some(v) = config.get("disabled_alerts").and_then(Node::known) {
        let names: Vec<&str> = v.items().into_iter().filter_map(Node::as_str).collect();
        if !names.is_empty() {
            hits.push(
                Hit::at(
                    v,
                    format!(
                        "{addr} silences threat detection alerts: {}",
                        names.join(", ")
                    ),
                )
                .with_identity(format!("{addr}/disabled_alerts")),
            );
        }
    }
}

/// PostgreSQL server parameters that record logins and checkpoints or throttle connection
/// floods, and that must stay on.
const POSTGRES_LOGGING: &[&str] = &[
    "log_checkpoints",
    "log_connections",
    "log_disconnections",
    "connection_throttling",
    "connection_throttle.enable",
];

fn postgres_logging_off(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_postgresql_configuration",
            "azurerm_postgresql_flexible_server_configuration",
        ],
    ) else {
        return;
    };
    let Some((name, v, value)) = server_parameter(config) else {
        return;
    };
    if POSTGRES_LOGGING.contains(&name.as_str())
        && matches!(value.to_ascii_lowercase().as_str(), "off" | "false" | "0")
    {
        hits.push(
            Hit::at(v, format!("{addr} turns `{name}` off"))
                .with_identity(format!("{addr}/{name}")),
        );
    }
}

fn aks_rbac_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_kubernetes_cluster"]) else {
        return;
    };
    let mut places: Vec<(&Node, &str)> = vec![(config, "role_based_access_control_enabled")];
    for b in config.field("role_based_access_control").items() {
        places.push((b, "enabled"));
    }
    for (place, key) in places {
        if let Some(v) = known_bool(place, key, false) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} turns Kubernetes RBAC off: every authenticated identity can do anything in the cluster"),
                )
                .with_identity(format!("{addr}/rbac")),
            );
        }
    }
}

fn aks_no_network_policy(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_kubernetes_cluster"]) else {
        return;
    };
    let missing = if unset(doc, config, "network_profile") {
        true
    } else {
        match block(config, "network_profile") {
            Some(profile) if !profile.is_unknown() => unset(doc, profile, "network_policy"),
            _ => false,
        }
    };
    if missing {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} has no network policy engine (`network_profile {{ network_policy }}` is not set): every pod can reach every other pod and NetworkPolicy objects are ignored"),
            )
            .with_identity(format!("{addr}/network_policy")),
        );
    }
}

fn aks_local_accounts(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_kubernetes_cluster"]) else {
        return;
    };
    let key = "local_account_disabled";
    match bool_state(doc, config, key, false) {
        State::Bad(v) => hits.push(
            Hit::at(
                v,
                format!("{addr} keeps its local cluster-admin account (`{key} = false`)"),
            )
            .with_identity(format!("{addr}/{key}")),
        ),
        State::Unset => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} keeps its local cluster-admin account: `{key}` is not set and defaults to false"),
            )
            .with_identity(format!("{addr}/{key}")),
        ),
        State::Fine => {}
    }
}

fn aks_node_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_kubernetes_cluster",
            "azurerm_kubernetes_cluster_node_pool",
        ],
    ) else {
        return;
    };
    let pools: Vec<&Node> = match doc.root.field("type").as_str() {
        Some("azurerm_kubernetes_cluster") => config.field("default_node_pool").items(),
        _ => vec![config],
    };
    for pool in pools {
        for key in ["node_public_ip_enabled", "enable_node_public_ip"] {
            if let Some(v) = known_bool(pool, key, true) {
                let name = pool.field("name").as_str().unwrap_or("");
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} gives every node of pool `{name}` a public IP address (`{key} = true`)"),
                    )
                    .with_identity(format!("{addr}/{name}/{key}")),
                );
            }
        }
    }
}

fn acr_admin_user(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_container_registry"]) else {
        return;
    };
    if let Some(v) = known_bool(config, "admin_enabled", true) {
        hits.push(
            Hit::at(
                v,
                format!("{addr} turns on the admin user (`admin_enabled = true`): one shared username and password can push and pull every image"),
            )
            .with_identity(format!("{addr}/admin_enabled")),
        );
    }
}

fn acr_anonymous_pull(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_container_registry"]) else {
        return;
    };
    if let Some(v) = known_bool(config, "anonymous_pull_enabled", true) {
        hits.push(
            Hit::at(
                v,
                format!("{addr} lets anyone pull its images without signing in (`anonymous_pull_enabled = true`)"),
            )
            .with_identity(format!("{addr}/anonymous_pull_enabled")),
        );
    }
}

fn cosmosdb_open_network(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_cosmosdb_account"]) else {
        return;
    };
    let public = match bool_state(doc, config, "public_network_access_enabled", true) {
        State::Bad(v) => Some(v),
        State::Unset => None,
        State::Fine => return,
    };
    match bool_state(doc, config, "is_virtual_network_filter_enabled", false) {
        State::Bad(_) | State::Unset => {}
        State::Fine => return,
    }
    match config.get("ip_range_filter") {
        Some(f) if f.is_unknown() => return,
        Some(f)
            if f.items()
                .into_iter()
                .any(|r| r.is_unknown() || r.as_str().is_some_and(|s| !s.trim().is_empty())) =>
        {
            return
        }
        _ => {}
    }
    if doc.kind == Kind::TerraformPlan && public.is_none() {
        return;
    }
    hits.push(
        Hit::at(
            public.unwrap_or(&doc.root),
            format!("{addr} accepts connections from every network: public network access is on and neither `ip_range_filter` nor a virtual network filter restricts it"),
        )
        .with_identity(format!("{addr}/network")),
    );
}

fn redis_insecure_transport(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_redis_cache"]) else {
        return;
    };
    for key in ["non_ssl_port_enabled", "enable_non_ssl_port"] {
        if let Some(v) = known_bool(config, key, true) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} opens the plain-text port 6379 (`{key} = true`): the access key and data cross the network unencrypted"),
                )
                .with_identity(format!("{addr}/{key}")),
            );
        }
    }
    if let Some((v, value)) = known_str(config, "minimum_tls_version") {
        if weak_tls(value) {
            hits.push(
                Hit::at(v, format!("{addr} accepts TLS {value}, below 1.2"))
                    .with_identity(format!("{addr}/minimum_tls_version")),
            );
        }
    }
}

/// The rules of an NSG or NSG rule resource, with the resource address.
fn nsg_rules(doc: &Document) -> Option<(&str, Vec<&Node>)> {
    let (addr, config) = resource(
        doc,
        &[
            "azurerm_network_security_group",
            "azurerm_network_security_rule",
        ],
    )?;
    let rules = match doc.root.field("type").as_str() {
        Some("azurerm_network_security_group") => config.field("security_rule").items(),
        _ => vec![config],
    };
    Some((addr, rules))
}

/// The known destination port ranges of a rule; `None` when one of them is unknown.
fn destination_ranges(rule: &Node) -> Option<Vec<&str>> {
    let mut ranges: Vec<&Node> = Vec::new();
    if let Some(r) = rule.get("destination_port_range") {
        ranges.push(r);
    }
    if let Some(r) = rule.get("destination_port_ranges") {
        if r.is_unknown() {
            return None;
        }
        ranges.extend(r.items());
    }
    ranges
        .into_iter()
        .filter(|r| !r.is_null())
        .map(|r| r.known().and_then(Node::as_str))
        .collect()
}

/// The `(from, to)` ports of a range such as `"1433"` or `"5985-5986"` (`*` is every port).
fn port_bounds(range: &str) -> Option<(u32, u32)> {
    let range = range.trim();
    if range == "*" {
        return Some((0, 65535));
    }
    match range.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let p = range.parse().ok()?;
            Some((p, p))
        }
    }
}

/// The rule's protocol, lower-cased (`*` when not written).
fn rule_protocol(rule: &Node) -> Option<String> {
    match rule.get("protocol") {
        None => Some("*".to_string()),
        Some(p) => p.known()?.as_str().map(str::to_ascii_lowercase),
    }
}

/// Database, remote-management and other TCP services that must never face the internet
/// (SSH and RDP are reported by `iac.azure.nsg-open-admin-port`).
const SERVICE_PORTS: &[(u32, &str)] = &[
    (23, "Telnet"),
    (135, "RPC"),
    (445, "SMB"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2375, "Docker API"),
    (2376, "Docker API"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5900, "VNC"),
    (5985, "WinRM"),
    (5986, "WinRM"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
    (10250, "kubelet"),
    (11211, "memcached"),
    (27017, "MongoDB"),
];

fn nsg_open_service_port(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, rules)) = nsg_rules(doc) else {
        return;
    };
    for rule in rules {
        let Some(source) = internet_source(rule) else {
            continue;
        };
        if !matches!(rule_protocol(rule).as_deref(), Some("tcp" | "*")) {
            continue;
        }
        let Some(ranges) = destination_ranges(rule) else {
            continue;
        };
        // Every port, SSH and RDP are the admin-port check's findings.
        if ranges.iter().any(|r| port_range_exposes(r).is_some()) {
            continue;
        }
        let exposed: Vec<String> = SERVICE_PORTS
            .iter()
            .filter(|(p, _)| {
                ranges
                    .iter()
                    .filter_map(|r| port_bounds(r))
                    .any(|(from, to)| from <= *p && *p <= to)
            })
            .map(|(p, name)| format!("{p} ({name})"))
            .collect();
        if exposed.is_empty() {
            continue;
        }
        let name = rule.field("name").as_str().unwrap_or("");
        hits.push(
            Hit::at(
                source,
                format!(
                    "{addr} opens {} {} to the whole internet",
                    if exposed.len() == 1 { "port" } else { "ports" },
                    exposed.join(", ")
                ),
            )
            .with_identity(format!("{addr}/{name}/service-ports")),
        );
    }
}

fn nsg_open_udp(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, rules)) = nsg_rules(doc) else {
        return;
    };
    for rule in rules {
        let Some(source) = internet_source(rule) else {
            continue;
        };
        if rule_protocol(rule).as_deref() != Some("udp") {
            continue;
        }
        let Some(ranges) = destination_ranges(rule) else {
            continue;
        };
        // Every port, SSH and RDP are the admin-port check's findings.
        if ranges.is_empty() || ranges.iter().any(|r| port_range_exposes(r).is_some()) {
            continue;
        }
        let name = rule.field("name").as_str().unwrap_or("");
        hits.push(
            Hit::at(
                source,
                format!(
                    "{addr} opens UDP port {} to the whole internet",
                    ranges.join(", ")
                ),
            )
            .with_identity(format!("{addr}/{name}/udp")),
        );
    }
}

/// Actions that amount to owning the scope: all of them, or all of Microsoft.Authorization
/// (which includes writing role assignments).
fn owner_action(action: &str) -> bool {
    let a = action.trim().to_ascii_lowercase();
    a == "*" || a == "microsoft.authorization/*"
}

fn custom_role_wildcard(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_role_definition"]) else {
        return;
    };
    for permissions in config.field("permissions").items() {
        let Some(actions) = permissions.get("actions").and_then(Node::known) else {
            continue;
        };
        if let Some(action) = actions
            .items()
            .into_iter()
            .filter_map(Node::as_str)
            .find(|a| owner_action(a))
        {
            hits.push(
                Hit::at(
                    actions,
                    format!(
                        "{addr} grants `{action}`: whoever holds the role {}",
                        if action.trim() == "*" {
                            "can do everything in its scope, including granting roles"
                        } else {
                            "can write role assignments and so grant anyone any role in its scope"
                        }
                    ),
                )
                .with_identity(format!("{addr}/actions")),
            );
        }
    }
}

fn messaging_weak_tls(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &["azurerm_eventhub_namespace", "azurerm_servicebus_namespace"],
    ) else {
        return;
    };
    if let Some((v, value)) = known_str(config, "minimum_tls_version") {
        if weak_tls(value) {
            hits.push(
                Hit::at(v, format!("{addr} accepts TLS {value}, below 1.2"))
                    .with_identity(format!("{addr}/minimum_tls_version")),
            );
        }
    }
}

fn defender_free_tier(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_security_center_subscription_pricing"])
    else {
        return;
    };
    if let Some((v, tier)) = known_str(config, "tier") {
        if tier.eq_ignore_ascii_case("Free") {
            let plan = config
                .get("resource_type")
                .and_then(Node::as_str)
                .unwrap_or("VirtualMachines");
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} leaves Microsoft Defender for `{plan}` off (`tier = \"{tier}\"`): no threat detection for those resources"),
                )
                .with_identity(format!("{addr}/tier")),
            );
        }
    }
}

fn security_contact_alerts_off(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_security_center_contact"]) else {
        return;
    };
    for (key, what) in [
        (
            "alert_notifications",
            "sends no email for high-severity alerts",
        ),
        (
            "alerts_to_admins",
            "does not notify subscription owners of alerts",
        ),
    ] {
        if let Some(v) = known_bool(config, key, false) {
            hits.push(
                Hit::at(v, format!("{addr} {what} (`{key} = false`)"))
                    .with_identity(format!("{addr}/{key}")),
            );
        }
    }
}

fn flow_log_retention(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_network_watcher_flow_log"]) else {
        return;
    };
    if let Some(v) = known_bool(config, "enabled", false) {
        hits.push(
            Hit::at(
                v,
                format!("{addr} is turned off (`enabled = false`): no record of the network's traffic is kept"),
            )
            .with_identity(format!("{addr}/enabled")),
        );
        return;
    }
    let Some(policy) = block(config, "retention_policy") else {
        return;
    };
    if known_bool(policy, "enabled", true).is_none() {
        return;
    }
    if let Some((v, days)) = short_retention(policy, "days") {
        hits.push(
            Hit::at(
                v,
                format!(
                    "{addr} deletes flow logs after {days} days (fewer than {MIN_RETENTION_DAYS})"
                ),
            )
            .with_identity(format!("{addr}/retention_policy")),
        );
    }
}

fn waf_off_or_detecting(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_application_gateway",
            "azurerm_web_application_firewall_policy",
            "azurerm_cdn_frontdoor_firewall_policy",
            "azurerm_frontdoor_firewall_policy",
        ],
    ) else {
        return;
    };
    let (settings, mode_key) = match doc.root.field("type").as_str() {
        Some("azurerm_application_gateway") => {
            (config.field("waf_configuration").items(), "firewall_mode")
        }
        Some("azurerm_web_application_firewall_policy") => {
            (config.field("policy_settings").items(), "mode")
        }
        _ => (vec![config], "mode"),
    };
    for s in settings {
        if let Some(v) = known_bool(s, "enabled", false) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} turns its web application firewall off (`enabled = false`)"),
                )
                .with_identity(format!("{addr}/waf")),
            );
            continue;
        }
        if let Some((v, mode)) = known_str(s, mode_key) {
            if mode.eq_ignore_ascii_case("Detection") {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} runs its web application firewall in `Detection` mode: attacks are logged but not blocked"),
                    )
                    .with_identity(format!("{addr}/waf")),
                );
            }
        }
    }
}

fn frontdoor_http_allowed(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_cdn_frontdoor_route"]) else {
        return;
    };
    let Some(redirect) = known_bool(config, "https_redirect_enabled", false) else {
        return;
    };
    // Both `Http` and `Https` are accepted unless `supported_protocols` says otherwise.
    let serves_http = match config.get("supported_protocols") {
        None => doc.kind == Kind::Terraform,
        Some(p) => p.known().is_some_and(|p| {
            p.items()
                .into_iter()
                .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case("Http")))
        }),
    };
    if serves_http {
        hits.push(
            Hit::at(
                redirect,
                format!("{addr} serves plain HTTP: it accepts `Http` and does not redirect it to HTTPS (`https_redirect_enabled = false`)"),
            )
            .with_identity(format!("{addr}/https_redirect_enabled")),
        );
    }
}

fn storage_no_blob_soft_delete(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_storage_account"]) else {
        return;
    };
    // File shares only: no blob service.
    match config.get("account_kind") {
        Some(k) if k.is_unknown() => return,
        Some(k) if k.as_str() == Some("FileStorage") => return,
        _ => {}
    }
    let missing = if unset(doc, config, "blob_properties") {
        true
    } else {
        match block(config, "blob_properties") {
            Some(props) if !props.is_unknown() => unset(doc, props, "delete_retention_policy"),
            _ => false,
        }
    };
    if missing {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} has no blob soft delete (`blob_properties {{ delete_retention_policy }}` is not set): deleted or overwritten blobs cannot be recovered"),
            )
            .with_identity(format!("{addr}/delete_retention_policy")),
        );
    }
}

fn db_firewall_azure_services(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, DB_FIREWALL_RULES) else {
        return;
    };
    let ip = |key: &str| known_str(config, key).map(|(_, v)| v.trim());
    if ip("start_ip_address") == Some("0.0.0.0") && ip("end_ip_address") == Some("0.0.0.0") {
        let at = config.get("end_ip_address").unwrap_or(&doc.root);
        hits.push(
            Hit::at(
                at,
                format!("{addr} admits every Azure service and every other Azure customer's resources (the 0.0.0.0 rule)"),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn sql_tde_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_mssql_database"]) else {
        return;
    };
    let key = "transparent_data_encryption_enabled";
    if let Some(v) = known_bool(config, key, false) {
        hits.push(
            Hit::at(
                v,
                format!("{addr} stores its data, backups and logs unencrypted (`{key} = false`)"),
            )
            .with_identity(format!("{addr}/{key}")),
        );
    }
}

fn keyvault_access_policies(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_key_vault"]) else {
        return;
    };
    let keys = ["rbac_authorization_enabled", "enable_rbac_authorization"];
    // Either name set to true (or unknown) settles it.
    if keys.iter().any(|k| {
        config
            .get(k)
            .is_some_and(|v| v.is_unknown() || v.as_bool() == Some(true))
    }) {
        return;
    }
    if let Some((key, v)) = keys
        .iter()
        .find_map(|k| known_bool(config, k, false).map(|v| (k, v)))
    {
        hits.push(
            Hit::at(
                v,
                format!("{addr} uses vault access policies (`{key} = false`): anyone who may modify the vault can grant themselves its secrets"),
            )
            .with_identity(format!("{addr}/rbac")),
        );
        return;
    }
    if keys.iter().all(|k| unset(doc, config, k)) {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} uses vault access policies (`rbac_authorization_enabled` is not set and defaults to false): anyone who may modify the vault can grant themselves its secrets"),
            )
            .with_identity(format!("{addr}/rbac")),
        );
    }
}

fn vm_automatic_updates_off(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "azurerm_windows_virtual_machine",
            "azurerm_windows_virtual_machine_scale_set",
        ],
    ) else {
        return;
    };
    for key in ["automatic_updates_enabled", "enable_automatic_updates"] {
        if let Some(v) = known_bool(config, key, false) {
            hits.push(
                Hit::at(
                    v,
                    format!(
                        "{addr} does not install Windows updates automatically (`{key} = false`)"
                    ),
                )
                .with_identity(format!("{addr}/{key}")),
            );
        }
    }
}

/// API Management `security` switches that turn on SSL 3.0, TLS 1.0 / 1.1 or 3DES, under
/// their azurerm 4 and azurerm 3 names.
const APIM_WEAK_PROTOCOLS: &[&str] = &[
    "frontend_ssl30_enabled",
    "frontend_tls10_enabled",
    "frontend_tls11_enabled",
    "backend_ssl30_enabled",
    "backend_tls10_enabled",
    "backend_tls11_enabled",
    "triple_des_ciphers_enabled",
    "enable_frontend_ssl30",
    "enable_frontend_tls10",
    "enable_frontend_tls11",
    "enable_backend_ssl30",
    "enable_backend_tls10",
    "enable_backend_tls11",
    "enable_triple_des_ciphers",
];

fn apim_weak_tls(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["azurerm_api_management"]) else {
        return;
    };
    for security in config.field("security").items() {
        for key in APIM_WEAK_PROTOCOLS {
            if let Some(v) = known_bool(security, key, true) {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} turns on a deprecated protocol or cipher (`security {{ {key} = true }}`)"),
                    )
                    .with_identity(format!("{addr}/{key}")),
                );
            }
        }
    }
}
