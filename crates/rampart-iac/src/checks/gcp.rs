//! Terraform (google provider): the misconfigurations attackers look for first. Each document
//! is one resource, `{"address", "type", "name", "mode", "config"}`, with `config` evaluated
//! (nested blocks as arrays of objects); unknown values are never judged.

use super::terraform::{block, resource, setting, Setting};
use crate::check::{CheckFn, Hit};
use crate::model::{Document, Kind, Node};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.gcp.bucket-public", bucket_public),
    ("iac.gcp.bucket-no-uniform-access", bucket_no_uniform_access),
    ("iac.gcp.firewall-open-admin-port", firewall_open_admin_port),
    ("iac.gcp.sql-open-to-internet", sql_open_to_internet),
    ("iac.gcp.sql-no-ssl", sql_no_ssl),
    ("iac.gcp.default-sa-full-scope", default_sa_full_scope),
    ("iac.gcp.gke-legacy-abac", gke_legacy_abac),
    ("iac.gcp.project-ssh-keys", project_ssh_keys),
    ("iac.gcp.bucket-no-versioning", bucket_no_versioning),
    ("iac.gcp.sql-no-backup", sql_no_backup),
    (
        "iac.gcp.sql-postgres-no-connection-logging",
        sql_postgres_no_connection_logging,
    ),
    (
        "iac.gcp.sql-postgres-logs-statements",
        sql_postgres_logs_statements,
    ),
    ("iac.gcp.sql-postgres-no-pgaudit", sql_postgres_no_pgaudit),
    ("iac.gcp.sql-mysql-local-infile", sql_mysql_local_infile),
    (
        "iac.gcp.sql-sqlserver-cross-db-ownership-chaining",
        sql_sqlserver_cross_db_ownership_chaining,
    ),
    (
        "iac.gcp.sql-sqlserver-contained-db-auth",
        sql_sqlserver_contained_db_auth,
    ),
    ("iac.gcp.gke-legacy-client-auth", gke_legacy_client_auth),
    ("iac.gcp.gke-public-nodes", gke_public_nodes),
    (
        "iac.gcp.gke-no-master-authorized-networks",
        gke_no_master_authorized_networks,
    ),
    ("iac.gcp.gke-no-network-policy", gke_no_network_policy),
    (
        "iac.gcp.gke-node-metadata-exposed",
        gke_node_metadata_exposed,
    ),
    (
        "iac.gcp.gke-legacy-metadata-endpoints",
        gke_legacy_metadata_endpoints,
    ),
    (
        "iac.gcp.gke-shielded-nodes-disabled",
        gke_shielded_nodes_disabled,
    ),
    (
        "iac.gcp.gke-auto-upgrade-disabled",
        gke_auto_upgrade_disabled,
    ),
    ("iac.gcp.gke-logging-disabled", gke_logging_disabled),
    (
        "iac.gcp.gke-default-service-account",
        gke_default_service_account,
    ),
    ("iac.gcp.compute-public-ip", compute_public_ip),
    (
        "iac.gcp.compute-serial-port-enabled",
        compute_serial_port_enabled,
    ),
    (
        "iac.gcp.compute-os-login-disabled",
        compute_os_login_disabled,
    ),
    ("iac.gcp.compute-ip-forwarding", compute_ip_forwarding),
    (
        "iac.gcp.compute-shielded-vm-disabled",
        compute_shielded_vm_disabled,
    ),
    (
        "iac.gcp.firewall-open-database-port",
        firewall_open_database_port,
    ),
    ("iac.gcp.subnet-no-flow-logs", subnet_no_flow_logs),
    ("iac.gcp.ssl-policy-weak-tls", ssl_policy_weak_tls),
    ("iac.gcp.dns-no-dnssec", dns_no_dnssec),
    ("iac.gcp.dns-rsasha1", dns_rsasha1),
    ("iac.gcp.kms-key-rotation", kms_key_rotation),
    ("iac.gcp.kms-key-public", kms_key_public),
    ("iac.gcp.bigquery-dataset-public", bigquery_dataset_public),
    ("iac.gcp.function-public-invoker", function_public_invoker),
    ("iac.gcp.cloud-run-public-invoker", cloud_run_public_invoker),
    ("iac.gcp.iam-public-access", iam_public_access),
    ("iac.gcp.iam-basic-role", iam_basic_role),
    (
        "iac.gcp.iam-service-account-impersonation",
        iam_service_account_impersonation,
    ),
    ("iac.gcp.iam-service-account-key", iam_service_account_key),
    ("iac.gcp.dataproc-public-ip", dataproc_public_ip),
    ("iac.gcp.sql-public-ip", sql_public_ip),
    ("iac.gcp.redis-no-auth", redis_no_auth),
    (
        "iac.gcp.redis-no-transit-encryption",
        redis_no_transit_encryption,
    ),
    (
        "iac.gcp.wif-provider-unrestricted",
        wif_provider_unrestricted,
    ),
    ("iac.gcp.project-default-network", project_default_network),
    ("iac.gcp.notebook-public-ip", notebook_public_ip),
    ("iac.gcp.audit-log-exemptions", audit_log_exemptions),
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

/// A firewall that is enabled, admits ingress and whose sources are the whole internet: its
/// address, body and `source_ranges`.
fn world_ingress(doc: &Document) -> Option<(&str, &Node, &Node)> {
    let (addr, config) = resource(doc, &["google_compute_firewall"])?;
    let direction = config.get("direction");
    if direction.is_some_and(|d| d.is_unknown())
        || direction
            .and_then(Node::as_str)
            .is_some_and(|d| !d.eq_ignore_ascii_case("INGRESS"))
    {
        return None;
    }
    if config
        .get("disabled")
        .is_some_and(|d| d.is_unknown() || d.as_bool() == Some(true))
    {
        return None;
    }
    let ranges = config.get("source_ranges")?;
    (open_to_world(ranges) == Some(true)).then_some((addr, config, ranges))
}

fn firewall_open_admin_port(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config, ranges)) = world_ingress(doc) else {
        return;
    };
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

/// The first block of a nested block type of `node` (a plan lists unset blocks as empty
/// arrays and leaves out those computed at apply).
fn nested<'a>(doc: &Document, node: &'a Node, name: &str) -> Setting<'a> {
    match node.get(name) {
        None if doc.kind == Kind::TerraformPlan => Setting::Unknown,
        None => Setting::Unset,
        Some(v) if v.is_unknown() => Setting::Unknown,
        Some(v) => match v.items().into_iter().next() {
            None => Setting::Unset,
            Some(b) if b.is_unknown() => Setting::Unknown,
            Some(b) => Setting::Set(b),
        },
    }
}

fn bucket_no_versioning(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_storage_bucket"]) else {
        return;
    };
    // Object versioning and a retention policy are alternatives: a bucket with a retention
    // policy keeps its objects anyway.
    match nested(doc, config, "retention_policy") {
        Setting::Unset => {}
        _ => return,
    }
    let message = format!(
        "{addr} does not keep noncurrent object versions: an overwrite or delete destroys the data"
    );
    match nested(doc, config, "versioning") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Setting::Set(b) => match setting(doc, b, "enabled") {
            Setting::Set(v) if v.as_bool() == Some(false) => {
                hits.push(Hit::at(v, message).with_identity(addr.to_string()))
            }
            Setting::Unset => hits.push(Hit::at(b, message).with_identity(addr.to_string())),
            _ => {}
        },
    }
}

/// A Cloud SQL instance: its address, engine (`POSTGRES_15` ...) and `settings` block.
fn sql_instance(doc: &Document) -> Option<(&str, &str, &Node)> {
    let (addr, config) = resource(doc, &["google_sql_database_instance"])?;
    let engine = known_str(config, "database_version")?;
    let settings = block(config, "settings")?.known()?;
    Some((addr, engine, settings))
}

/// A database flag of a Cloud SQL `settings` block.
enum Flag<'a> {
    Unknown,
    Absent,
    Value(&'a Node),
}

fn db_flag<'a>(settings: &'a Node, name: &str) -> Flag<'a> {
    let Some(flags) = settings.get("database_flags") else {
        return Flag::Absent;
    };
    if flags.is_unknown() {
        return Flag::Unknown;
    }
    let mut unknown = false;
    let mut found = None;
    for flag in flags.items() {
        match flag.get("name") {
            _ if flag.is_unknown() => unknown = true,
            Some(n) if n.is_unknown() => unknown = true,
            Some(n) if n.as_str() == Some(name) => found = flag.get("value"),
            _ => {}
        }
    }
    match found {
        Some(v) if v.is_unknown() => Flag::Unknown,
        Some(v) => Flag::Value(v),
        None if unknown => Flag::Unknown,
        None => Flag::Absent,
    }
}

/// A flag value that is on (`on`, `true`), for flags that enable something.
fn flag_on(value: &Node) -> bool {
    value.as_bool() == Some(true)
}

fn sql_no_backup(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, _, settings)) = sql_instance(doc) else {
        return;
    };
    let config = doc.root.field("config");
    // Read replicas take no backups of their own.
    match setting(doc, config, "master_instance_name") {
        Setting::Unset => {}
        _ => return,
    }
    let message = format!("{addr} takes no automated backups: a deletion, corruption or ransomware leaves nothing to restore");
    match nested(doc, settings, "backup_configuration") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Setting::Set(b) => match setting(doc, b, "enabled") {
            Setting::Set(v) if v.as_bool() == Some(false) => {
                hits.push(Hit::at(v, message).with_identity(addr.to_string()))
            }
            Setting::Unset => hits.push(Hit::at(b, message).with_identity(addr.to_string())),
            _ => {}
        },
    }
}

fn sql_postgres_no_connection_logging(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, engine, settings)) = sql_instance(doc) else {
        return;
    };
    if !engine.starts_with("POSTGRES") {
        return;
    }
    let mut off = Vec::new();
    let mut at = None;
    for name in ["log_connections", "log_disconnections"] {
        match db_flag(settings, name) {
            Flag::Unknown => return,
            Flag::Absent => off.push(name),
            Flag::Value(v) if !flag_on(v) => {
                off.push(name);
                at = at.or(Some(v));
            }
            Flag::Value(_) => {}
        }
    }
    if off.is_empty() {
        return;
    }
    let list = off
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    hits.push(
        Hit::at(
            at.unwrap_or(&doc.root),
            format!("{addr} does not log PostgreSQL sessions: {list} not set to on"),
        )
        .with_identity(addr.to_string()),
    );
}

fn sql_postgres_logs_statements(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, engine, settings)) = sql_instance(doc) else {
        return;
    };
    if !engine.starts_with("POSTGRES") {
        return;
    }
    if let Flag::Value(v) = db_flag(settings, "log_min_duration_statement") {
        if let Some(ms) = v.as_f64().filter(|ms| *ms >= 0.0) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} writes the full text of statements running {ms} ms or longer to its logs (`log_min_duration_statement`)"),
                )
                .with_identity(addr.to_string()),
            );
        }
    }
}

fn sql_postgres_no_pgaudit(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, engine, settings)) = sql_instance(doc) else {
        return;
    };
    if !engine.starts_with("POSTGRES") {
        return;
    }
    let message = format!("{addr} does not enable pgAudit (`cloudsql.enable_pgaudit`): database activity is not audit-logged");
    match db_flag(settings, "cloudsql.enable_pgaudit") {
        Flag::Unknown => {}
        Flag::Absent => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Flag::Value(v) if !flag_on(v) => {
            hits.push(Hit::at(v, message).with_identity(addr.to_string()))
        }
        Flag::Value(_) => {}
    }
}

/// Reports a flag of the given engine family explicitly turned on.
fn sql_flag_on(doc: &Document, hits: &mut Vec<Hit>, family: &str, flag: &str, what: &str) {
    let Some((addr, engine, settings)) = sql_instance(doc) else {
        return;
    };
    if !engine.starts_with(family) {
        return;
    }
    if let Flag::Value(v) = db_flag(settings, flag) {
        if flag_on(v) {
            hits.push(
                Hit::at(v, format!("{addr} turns on `{flag}`: {what}"))
                    .with_identity(format!("{addr}/{flag}")),
            );
        }
    }
}

fn sql_mysql_local_infile(doc: &Document, hits: &mut Vec<Hit>) {
    sql_flag_on(
        doc,
        hits,
        "MYSQL",
        "local_infile",
        "`LOAD DATA LOCAL INFILE` lets the server read files from client machines",
    );
}

fn sql_sqlserver_cross_db_ownership_chaining(doc: &Document, hits: &mut Vec<Hit>) {
    sql_flag_on(
        doc,
        hits,
        "SQLSERVER",
        "cross db ownership chaining",
        "objects owned by one login can reach every database it owns without permission checks",
    );
}

fn sql_sqlserver_contained_db_auth(doc: &Document, hits: &mut Vec<Hit>) {
    sql_flag_on(
        doc,
        hits,
        "SQLSERVER",
        "contained database authentication",
        "database-level users can log in without a server login",
    );
}

fn is_true(node: &Node) -> bool {
    node.as_bool() == Some(true)
}

/// A GKE cluster in Autopilot mode, where Google manages nodes and their settings (`None`
/// when unknown).
fn autopilot(doc: &Document, config: &Node) -> Option<bool> {
    match setting(doc, config, "enable_autopilot") {
        Setting::Unknown => None,
        Setting::Unset => Some(false),
        Setting::Set(v) => Some(is_true(v)),
    }
}

fn gke_legacy_client_auth(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_container_cluster"]) else {
        return;
    };
    let Setting::Set(auth) = nested(doc, config, "master_auth") else {
        return;
    };
    if let Setting::Set(cert) = nested(doc, auth, "client_certificate_config") {
        if let Setting::Set(v) = setting(doc, cert, "issue_client_certificate") {
            if is_true(v) {
                hits.push(
                    Hit::at(v, format!("{addr} issues a long-lived client certificate for the Kubernetes API that cannot be revoked"))
                        .with_identity(format!("{addr}/client-certificate")),
                );
            }
        }
    }
    for key in ["username", "password"] {
        if let Setting::Set(v) = setting(doc, auth, key) {
            if v.as_str().is_some_and(|u| !u.is_empty()) {
                hits.push(
                    Hit::at(v, format!("{addr} enables basic authentication to the Kubernetes API (`master_auth.{key}`)"))
                        .with_identity(format!("{addr}/basic-auth")),
                );
                break;
            }
        }
    }
}

fn gke_public_nodes(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_container_cluster"]) else {
        return;
    };
    let message = format!("{addr} gives its nodes public IP addresses: set `private_cluster_config {{ enable_private_nodes = true }}`");
    match nested(doc, config, "private_cluster_config") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Setting::Set(p) => match setting(doc, p, "enable_private_nodes") {
            Setting::Set(v) if v.as_bool() == Some(false) => {
                hits.push(Hit::at(v, message).with_identity(addr.to_string()))
            }
            Setting::Unset => hits.push(Hit::at(p, message).with_identity(addr.to_string())),
            _ => {}
        },
    }
}

fn is_world(cidr: &Node) -> bool {
    matches!(cidr.as_str(), Some("0.0.0.0/0") | Some("::/0"))
}

fn gke_no_master_authorized_networks(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_container_cluster"]) else {
        return;
    };
    // A control plane reachable only at its private endpoint is not exposed.
    match nested(doc, config, "private_cluster_config") {
        Setting::Unknown => return,
        Setting::Set(p) => match setting(doc, p, "enable_private_endpoint") {
            Setting::Unknown => return,
            Setting::Set(v) if v.as_bool() != Some(false) => return,
            _ => {}
        },
        Setting::Unset => {}
    }
    // Nor is one whose public endpoint is turned off.
    if let Setting::Set(endpoints) = nested(doc, config, "control_plane_endpoints_config") {
        match nested(doc, endpoints, "ip_endpoints_config") {
            Setting::Unknown => return,
            Setting::Set(ip) => match setting(doc, ip, "enabled") {
                Setting::Unknown => return,
                Setting::Set(v) if v.as_bool() == Some(false) => return,
                _ => {}
            },
            Setting::Unset => {}
        }
    }
    match nested(doc, config, "master_authorized_networks_config") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} accepts connections to its Kubernetes API from any address: `master_authorized_networks_config` is not set"),
            )
            .with_identity(addr.to_string()),
        ),
        Setting::Set(m) => {
            let world = m
                .field("cidr_blocks")
                .items()
                .into_iter()
                .filter_map(|b| b.get("cidr_block"))
                .find(|c| is_world(c));
            if let Some(cidr) = world {
                hits.push(
                    Hit::at(
                        cidr,
                        format!("{addr} authorizes the whole internet to reach its Kubernetes API"),
                    )
                    .with_identity(addr.to_string()),
                );
            }
        }
    }
}

fn gke_no_network_policy(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_container_cluster"]) else {
        return;
    };
    if autopilot(doc, config) != Some(false) {
        return;
    }
    // GKE Dataplane V2 enforces network policies without the add-on.
    match setting(doc, config, "datapath_provider") {
        Setting::Unknown => return,
        Setting::Set(v) if v.as_str() != Some("LEGACY_DATAPATH") => return,
        _ => {}
    }
    let message = format!(
        "{addr} does not enforce Kubernetes network policies: every pod can reach every other pod"
    );
    match nested(doc, config, "network_policy") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Setting::Set(n) => match setting(doc, n, "enabled") {
            Setting::Set(v) if v.as_bool() == Some(false) => {
                hits.push(Hit::at(v, message).with_identity(addr.to_string()))
            }
            _ => {}
        },
    }
}

/// The `node_config` blocks that define node settings: a node pool's, or a cluster's own and
/// those of its inline `node_pool` blocks.
fn node_configs(config: &Node) -> Vec<&Node> {
    let mut out: Vec<&Node> = config.field("node_config").items();
    for pool in config.field("node_pool").items() {
        out.extend(pool.field("node_config").items());
    }
    out
}

fn gke_node_metadata_exposed(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &["google_container_cluster", "google_container_node_pool"],
    ) else {
        return;
    };
    for node_config in node_configs(config) {
        let Setting::Set(wm) = nested(doc, node_config, "workload_metadata_config") else {
            continue;
        };
        for key in ["mode", "node_metadata"] {
            if let Setting::Set(v) = setting(doc, wm, key) {
                if let Some(mode) = v
                    .as_str()
                    .filter(|m| matches!(*m, "GCE_METADATA" | "EXPOSE" | "UNSPECIFIED"))
                {
                    hits.push(
                        Hit::at(
                            v,
                            format!("{addr} lets pods read the node's metadata server, including its service account token (`{key} = \"{mode}\"`)"),
                        )
                        .with_identity(addr.to_string()),
                    );
                    return;
                }
            }
        }
    }
    if doc.root.field("type").as_str() != Some("google_container_cluster")
        || autopilot(doc, config) != Some(false)
    {
        return;
    }
    if let Setting::Unset = nested(doc, config, "workload_identity_config") {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} does not use Workload Identity: pods can read the node's service account token from the metadata server"),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn gke_legacy_metadata_endpoints(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &["google_container_cluster", "google_container_node_pool"],
    ) else {
        return;
    };
    for node_config in node_configs(config) {
        let Some(v) = node_config
            .path(&["metadata", "disable-legacy-endpoints"])
            .and_then(Node::known)
        else {
            continue;
        };
        if v.as_bool() == Some(false) {
            hits.push(
                Hit::at(
                    v,
                    format!("{addr} re-enables the legacy metadata endpoints (v0.1, v1beta1), which answer requests without the Metadata-Flavor header"),
                )
                .with_identity(addr.to_string()),
            );
            return;
        }
    }
}

fn gke_shielded_nodes_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_container_cluster"]) else {
        return;
    };
    if let Setting::Set(v) = setting(doc, config, "enable_shielded_nodes") {
        if v.as_bool() == Some(false) {
            hits.push(
                Hit::at(v, format!("{addr} turns off Shielded GKE Nodes: a stolen node credential can impersonate a node of the cluster"))
                    .with_identity(addr.to_string()),
            );
        }
    }
}

fn gke_auto_upgrade_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &["google_container_node_pool", "google_container_cluster"],
    ) else {
        return;
    };
    let pools: Vec<&Node> = if doc.root.field("type").as_str() == Some("google_container_cluster") {
        config.field("node_pool").items()
    } else {
        vec![config]
    };
    for pool in pools {
        let Setting::Set(m) = nested(doc, pool, "management") else {
            continue;
        };
        if let Setting::Set(v) = setting(doc, m, "auto_upgrade") {
            if v.as_bool() == Some(false) {
                let name = pool.get("name").and_then(Node::as_str).unwrap_or("");
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} turns off node auto-upgrade: nodes keep unpatched Kubernetes and OS versions"),
                    )
                    .with_identity(format!("{addr}/{name}")),
                );
            }
        }
    }
}

fn gke_logging_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_container_cluster"]) else {
        return;
    };
    for (key, what) in [
        ("logging_service", "Logging"),
        ("monitoring_service", "Monitoring"),
    ] {
        if let Setting::Set(v) = setting(doc, config, key) {
            if v.as_str() == Some("none") {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} turns off Cloud {what} (`{key} = \"none\"`)"),
                    )
                    .with_identity(format!("{addr}/{key}")),
                );
            }
        }
    }
    if let Setting::Set(l) = nested(doc, config, "logging_config") {
        if let Setting::Set(v) = setting(doc, l, "enable_components") {
            if v.as_array().is_some_and(|a| a.is_empty()) {
                hits.push(
                    Hit::at(
                        v,
                        format!(
                            "{addr} collects no logs (`logging_config.enable_components` is empty)"
                        ),
                    )
                    .with_identity(format!("{addr}/logging_service")),
                );
            }
        }
    }
}

/// Whether a service account setting names the default Compute Engine account.
fn default_compute_sa(email: &str) -> bool {
    email == "default" || email.ends_with("-compute@developer.gserviceaccount.com")
}

fn gke_default_service_account(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &["google_container_cluster", "google_container_node_pool"],
    ) else {
        return;
    };
    let message = format!("{addr} runs its nodes as the default Compute Engine service account, which is usually a project Editor");
    let node_configs: Vec<(&Node, Setting)> =
        if doc.root.field("type").as_str() == Some("google_container_cluster") {
            if autopilot(doc, config) != Some(false) {
                return;
            }
            let pools = config.field("node_pool").items();
            if !pools.is_empty() {
                pools
                    .into_iter()
                    .map(|p| (p, nested(doc, p, "node_config")))
                    .collect()
            } else {
                match setting(doc, config, "remove_default_node_pool") {
                    Setting::Unset => {}
                    Setting::Set(v) if v.as_bool() == Some(false) => {}
                    _ => return,
                }
                vec![(&doc.root, nested(doc, config, "node_config"))]
            }
        } else {
            vec![(&doc.root, nested(doc, config, "node_config"))]
        };
    for (anchor, node_config) in node_configs {
        let at = match node_config {
            Setting::Unknown => continue,
            Setting::Unset => anchor,
            Setting::Set(nc) => match setting(doc, nc, "service_account") {
                Setting::Unknown => continue,
                Setting::Unset => nc,
                Setting::Set(v) if v.as_str().is_some_and(default_compute_sa) => v,
                Setting::Set(_) => continue,
            },
        };
        hits.push(Hit::at(at, message.clone()).with_identity(addr.to_string()));
        return;
    }
}

const INSTANCES: &[&str] = &[
    "google_compute_instance",
    "google_compute_instance_template",
    "google_compute_region_instance_template",
    "google_compute_instance_from_template",
];

fn compute_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, INSTANCES) else {
        return;
    };
    for (i, nic) in config
        .field("network_interface")
        .items()
        .into_iter()
        .enumerate()
    {
        if let Setting::Set(access) = nested(doc, nic, "access_config") {
            hits.push(
                Hit::at(
                    access,
                    format!("{addr} gives network interface {i} an external IP address (`access_config`)"),
                )
                .with_identity(format!("{addr}/nic{i}")),
            );
        }
    }
}

/// A metadata key of an instance, template or project: the value's node and where to report,
/// from a `metadata` map or a `google_compute_project_metadata_item`.
fn metadata_value<'a>(doc: &'a Document, key: &str) -> Option<(&'a str, &'a Node)> {
    let mut types = INSTANCES.to_vec();
    types.push("google_compute_project_metadata");
    if let Some((addr, config)) = resource(doc, &types) {
        let v = config.path(&["metadata", key])?.known()?;
        return Some((addr, v));
    }
    let (addr, config) = resource(doc, &["google_compute_project_metadata_item"])?;
    if known_str(config, "key")? != key {
        return None;
    }
    Some((addr, config.get("value")?.known()?))
}

/// Metadata booleans as Compute Engine reads them (`TRUE`, `true`, `1`).
fn metadata_bool(value: &Node) -> Option<bool> {
    match value.as_str().map(str::trim) {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => value.as_bool(),
    }
}

fn compute_serial_port_enabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, v)) = metadata_value(doc, "serial-port-enable") else {
        return;
    };
    if metadata_bool(v) == Some(true) {
        hits.push(
            Hit::at(
                v,
                format!("{addr} enables the interactive serial console (`serial-port-enable`), which is reachable from any IP address, bypassing VPC firewall rules"),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn compute_os_login_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, v)) = metadata_value(doc, "enable-oslogin") else {
        return;
    };
    if metadata_bool(v) == Some(false) {
        hits.push(
            Hit::at(
                v,
                format!("{addr} turns OS Login off (`enable-oslogin`): SSH access falls back to keys in metadata, outside IAM"),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn compute_ip_forwarding(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, INSTANCES) else {
        return;
    };
    if let Setting::Set(v) = setting(doc, config, "can_ip_forward") {
        if is_true(v) {
            hits.push(
                Hit::at(v, format!("{addr} may send and receive packets for other addresses (`can_ip_forward = true`)"))
                    .with_identity(addr.to_string()),
            );
        }
    }
}

fn compute_shielded_vm_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, INSTANCES) else {
        return;
    };
    let Setting::Set(shielded) = nested(doc, config, "shielded_instance_config") else {
        return;
    };
    for (key, what) in [
        ("enable_secure_boot", "Secure Boot"),
        ("enable_vtpm", "the virtual TPM"),
        ("enable_integrity_monitoring", "integrity monitoring"),
    ] {
        if let Setting::Set(v) = setting(doc, shielded, key) {
            if v.as_bool() == Some(false) {
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} turns off {what} of Shielded VM (`{key} = false`)"),
                    )
                    .with_identity(format!("{addr}/{key}")),
                );
            }
        }
    }
}

const DATABASE_PORTS: &[(u32, &str)] = &[
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (7000, "Cassandra"),
    (9042, "Cassandra"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

/// The database port a TCP port spec (`"5432"`, `"5000-6000"`) exposes.
fn database_port(spec: &str) -> Option<String> {
    let spec = spec.trim();
    let (from, to) = match spec.split_once('-') {
        Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
        None => {
            let p = spec.parse::<u32>().ok()?;
            (p, p)
        }
    };
    DATABASE_PORTS
        .iter()
        .find(|(p, _)| from <= *p && *p <= to)
        .map(|(p, name)| format!("port {p} ({name})"))
}

fn firewall_open_database_port(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config, ranges)) = world_ingress(doc) else {
        return;
    };
    let allows = config.field("allow").items();
    // A rule that opens admin ports or every port is reported by firewall-open-admin-port.
    if allows.iter().any(|a| allow_exposes(a).is_some()) {
        return;
    }
    let exposed = allows.into_iter().find_map(|allow| {
        let protocol = known_str(allow, "protocol")?.to_ascii_lowercase();
        if !matches!(protocol.as_str(), "tcp" | "6") {
            return None;
        }
        allow
            .field("ports")
            .items()
            .into_iter()
            .filter_map(|p| p.known().and_then(Node::as_str))
            .find_map(database_port)
    });
    if let Some(what) = exposed {
        hits.push(
            Hit::at(
                ranges,
                format!("{addr} opens database {what} to the whole internet"),
            )
            .with_identity(format!("{addr}/{what}")),
        );
    }
}

fn subnet_no_flow_logs(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_compute_subnetwork"]) else {
        return;
    };
    // Proxy-only and Private Service Connect subnets cannot have flow logs.
    match setting(doc, config, "purpose") {
        Setting::Unknown => return,
        Setting::Set(p) if !matches!(p.as_str(), Some("PRIVATE") | Some("PRIVATE_RFC_1918")) => {
            return
        }
        _ => {}
    }
    if let Setting::Unset = nested(doc, config, "log_config") {
        hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} records no VPC flow logs: add a `log_config` block"),
            )
            .with_identity(addr.to_string()),
        );
    }
}

fn ssl_policy_weak_tls(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "google_compute_ssl_policy",
            "google_compute_region_ssl_policy",
        ],
    ) else {
        return;
    };
    match setting(doc, config, "min_tls_version") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} accepts TLS 1.0 and 1.1: `min_tls_version` is not set and defaults to TLS_1_0"),
            )
            .with_identity(addr.to_string()),
        ),
        Setting::Set(v) => {
            if let Some(version) = v
                .as_str()
                .filter(|t| matches!(*t, "TLS_1_0" | "TLS_1_1"))
            {
                hits.push(
                    Hit::at(v, format!("{addr} accepts clients down to {version}"))
                        .with_identity(addr.to_string()),
                );
            }
        }
    }
}

/// A public Cloud DNS zone (the default visibility).
fn public_zone(doc: &Document) -> Option<(&str, &Node)> {
    let (addr, config) = resource(doc, &["google_dns_managed_zone"])?;
    match setting(doc, config, "visibility") {
        Setting::Unset => Some((addr, config)),
        Setting::Set(v) if v.as_str() == Some("public") => Some((addr, config)),
        _ => None,
    }
}

fn dns_no_dnssec(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = public_zone(doc) else {
        return;
    };
    let message = format!(
        "{addr} is a public zone without DNSSEC: resolvers cannot detect forged answers for it"
    );
    match nested(doc, config, "dnssec_config") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Setting::Set(d) => match setting(doc, d, "state") {
            Setting::Set(v) if v.as_str() == Some("off") => {
                hits.push(Hit::at(v, message).with_identity(addr.to_string()))
            }
            Setting::Unset => hits.push(Hit::at(d, message).with_identity(addr.to_string())),
            _ => {}
        },
    }
}

fn dns_rsasha1(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = public_zone(doc) else {
        return;
    };
    let Setting::Set(d) = nested(doc, config, "dnssec_config") else {
        return;
    };
    for spec in d.field("default_key_specs").items() {
        let Some(v) = spec.get("algorithm").and_then(Node::known) else {
            continue;
        };
        if v.as_str()
            .is_some_and(|a| a.eq_ignore_ascii_case("rsasha1"))
        {
            let kind = known_str(spec, "key_type").unwrap_or("key");
            hits.push(
                Hit::at(
                    v,
                    format!(
                        "{addr} signs with RSASHA1 ({kind}), which relies on the broken SHA-1 hash"
                    ),
                )
                .with_identity(format!("{addr}/{kind}")),
            );
        }
    }
}

/// Seconds of a duration written as Google APIs do (`"7776000s"`).
fn duration_seconds(text: &str) -> Option<f64> {
    text.trim().strip_suffix('s')?.parse().ok()
}

const MAX_ROTATION_SECONDS: f64 = 90.0 * 24.0 * 3600.0;

fn kms_key_rotation(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_kms_crypto_key"]) else {
        return;
    };
    // Only symmetric encryption keys rotate automatically; imported keys are rotated by
    // importing new versions.
    match setting(doc, config, "purpose") {
        Setting::Unset => {}
        Setting::Set(p) if p.as_str() == Some("ENCRYPT_DECRYPT") => {}
        _ => return,
    }
    match setting(doc, config, "import_only") {
        Setting::Unset => {}
        Setting::Set(v) if v.as_bool() == Some(false) => {}
        _ => return,
    }
    match setting(doc, config, "rotation_period") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(
            Hit::at(
                &doc.root,
                format!("{addr} is never rotated: `rotation_period` is not set"),
            )
            .with_identity(addr.to_string()),
        ),
        Setting::Set(v) => {
            if let Some(secs) = v
                .as_str()
                .and_then(duration_seconds)
                .filter(|s| *s > MAX_ROTATION_SECONDS)
            {
                let days = (secs / 86400.0).round();
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} is rotated only every {days} days (more than 90)"),
                    )
                    .with_identity(addr.to_string()),
                );
            }
        }
    }
}

/// The first public principal an IAM binding (`members`) or member (`member`) grants to,
/// with the value that names it.
fn public_grant(config: &Node) -> Option<(&Node, &'static str)> {
    ["members", "member"].into_iter().find_map(|key| {
        let value = config.get(key).filter(|v| !v.is_unknown())?;
        let principal = value
            .items()
            .into_iter()
            .filter_map(Node::as_str)
            .find_map(public_principal)?;
        Some((value, principal))
    })
}

/// Reports an IAM binding or member of one of `types` that grants a role to everyone.
fn report_public_grant(doc: &Document, hits: &mut Vec<Hit>, types: &[&str], what: &str) {
    let Some((addr, config)) = resource(doc, types) else {
        return;
    };
    if let Some((value, principal)) = public_grant(config) {
        let role = known_str(config, "role").unwrap_or("a role");
        hits.push(
            Hit::at(
                value,
                format!("{addr} grants {role} on the {what} to `{principal}`"),
            )
            .with_identity(format!("{addr}/{principal}")),
        );
    }
}

const KMS_IAM: &[&str] = &[
    "google_kms_crypto_key_iam_binding",
    "google_kms_crypto_key_iam_member",
    "google_kms_key_ring_iam_binding",
    "google_kms_key_ring_iam_member",
];

fn kms_key_public(doc: &Document, hits: &mut Vec<Hit>) {
    report_public_grant(doc, hits, KMS_IAM, "Cloud KMS key");
}

const BIGQUERY_IAM: &[&str] = &[
    "google_bigquery_dataset_iam_binding",
    "google_bigquery_dataset_iam_member",
    "google_bigquery_table_iam_binding",
    "google_bigquery_table_iam_member",
];

fn bigquery_dataset_public(doc: &Document, hits: &mut Vec<Hit>) {
    report_public_grant(doc, hits, BIGQUERY_IAM, "BigQuery data");
    let Some((addr, config)) = resource(
        doc,
        &["google_bigquery_dataset", "google_bigquery_dataset_access"],
    ) else {
        return;
    };
    let entries: Vec<&Node> = if doc.root.field("type").as_str() == Some("google_bigquery_dataset")
    {
        config.field("access").items()
    } else {
        vec![config]
    };
    for entry in entries {
        for key in ["special_group", "iam_member"] {
            let Some(v) = entry.get(key).and_then(Node::known) else {
                continue;
            };
            if let Some(principal) = v.as_str().and_then(public_principal) {
                let role = known_str(entry, "role").unwrap_or("access");
                hits.push(
                    Hit::at(
                        v,
                        format!("{addr} grants {role} on the dataset to `{principal}`"),
                    )
                    .with_identity(format!("{addr}/{principal}")),
                );
                return;
            }
        }
    }
}

const FUNCTION_IAM: &[&str] = &[
    "google_cloudfunctions_function_iam_binding",
    "google_cloudfunctions_function_iam_member",
    "google_cloudfunctions2_function_iam_binding",
    "google_cloudfunctions2_function_iam_member",
];

fn function_public_invoker(doc: &Document, hits: &mut Vec<Hit>) {
    report_public_grant(doc, hits, FUNCTION_IAM, "Cloud Function");
}

const CLOUD_RUN_IAM: &[&str] = &[
    "google_cloud_run_service_iam_binding",
    "google_cloud_run_service_iam_member",
    "google_cloud_run_v2_service_iam_binding",
    "google_cloud_run_v2_service_iam_member",
];

fn cloud_run_public_invoker(doc: &Document, hits: &mut Vec<Hit>) {
    report_public_grant(doc, hits, CLOUD_RUN_IAM, "Cloud Run service");
}

/// IAM resources whose public grants other checks report.
const PUBLIC_ELSEWHERE: &[&[&str]] = &[
    &[
        "google_storage_bucket_iam_binding",
        "google_storage_bucket_iam_member",
    ],
    KMS_IAM,
    BIGQUERY_IAM,
    FUNCTION_IAM,
    CLOUD_RUN_IAM,
];

fn iam_public_access(doc: &Document, hits: &mut Vec<Hit>) {
    let root = &doc.root;
    let Some(kind) = root.field("type").as_str() else {
        return;
    };
    if root.field("mode").as_str() == Some("data") {
        // A policy document for any `*_iam_policy` resource.
        let Some((addr, config)) = resource(doc, &["data.google_iam_policy"]) else {
            return;
        };
        for binding in config.field("binding").items() {
            if let Some((value, principal)) = public_grant(binding) {
                let role = known_str(binding, "role").unwrap_or("a role");
                hits.push(
                    Hit::at(value, format!("{addr} grants {role} to `{principal}`"))
                        .with_identity(format!("{addr}/{role}/{principal}")),
                );
            }
        }
        return;
    }
    let iam = kind.starts_with("google_")
        && (kind.ends_with("_iam_binding") || kind.ends_with("_iam_member"));
    if !iam || PUBLIC_ELSEWHERE.iter().any(|types| types.contains(&kind)) {
        return;
    }
    let what = kind
        .trim_start_matches("google_")
        .trim_end_matches("_binding")
        .trim_end_matches("_member")
        .trim_end_matches("_iam")
        .replace('_', " ");
    report_public_grant(doc, hits, &[kind], &what);
}

const RESOURCE_MANAGER_IAM: &[&str] = &[
    "google_project_iam_binding",
    "google_project_iam_member",
    "google_folder_iam_binding",
    "google_folder_iam_member",
    "google_organization_iam_binding",
    "google_organization_iam_member",
];

/// The level (`project`, `folder`, `organization`) of a resource-manager IAM grant.
fn iam_level(doc: &Document) -> &str {
    let kind = doc.root.field("type").as_str().unwrap_or("");
    kind.trim_start_matches("google_")
        .split('_')
        .next()
        .unwrap_or("project")
}

/// Who a binding or member grants to, for messages.
fn grantees(config: &Node) -> String {
    let names: Vec<&str> = ["members", "member"]
        .into_iter()
        .filter_map(|k| config.get(k))
        .flat_map(|v| v.items())
        .filter_map(Node::as_str)
        .collect();
    if names.is_empty() {
        "its members".to_string()
    } else {
        names.join(", ")
    }
}

fn iam_basic_role(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, RESOURCE_MANAGER_IAM) else {
        return;
    };
    let Some(role) = config.get("role").and_then(Node::known) else {
        return;
    };
    if let Some(name) = role
        .as_str()
        .filter(|r| matches!(*r, "roles/owner" | "roles/editor"))
    {
        let level = iam_level(doc);
        hits.push(
            Hit::at(
                role,
                format!(
                    "{addr} grants the basic role {name} on the whole {level} to {}",
                    grantees(config)
                ),
            )
            .with_identity(format!("{addr}/{name}")),
        );
    }
}

const IMPERSONATION_ROLES: &[&str] = &[
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountTokenCreator",
    "roles/iam.serviceAccountKeyAdmin",
];

fn iam_service_account_impersonation(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, RESOURCE_MANAGER_IAM) else {
        return;
    };
    let Some(role) = config.get("role").and_then(Node::known) else {
        return;
    };
    if let Some(name) = role.as_str().filter(|r| IMPERSONATION_ROLES.contains(r)) {
        let level = iam_level(doc);
        hits.push(
            Hit::at(
                role,
                format!("{addr} grants {name} on the whole {level}: {} can act as every service account in it", grantees(config)),
            )
            .with_identity(format!("{addr}/{name}")),
        );
    }
}

fn iam_service_account_key(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_service_account_key"]) else {
        return;
    };
    let uploaded = match setting(doc, config, "public_key_data") {
        Setting::Unknown => return,
        Setting::Unset => false,
        Setting::Set(_) => true,
    };
    let message = if uploaded {
        format!("{addr} registers a user-managed key for a service account: a long-lived credential outside Google's rotation")
    } else {
        format!("{addr} creates a user-managed service account key: the private key is stored in the Terraform state and never expires by default")
    };
    hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string()));
}

fn dataproc_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_dataproc_cluster"]) else {
        return;
    };
    let Setting::Set(cluster) = nested(doc, config, "cluster_config") else {
        return;
    };
    let Setting::Set(gce) = nested(doc, cluster, "gce_cluster_config") else {
        return;
    };
    if let Setting::Set(v) = setting(doc, gce, "internal_ip_only") {
        if v.as_bool() == Some(false) {
            hits.push(
                Hit::at(v, format!("{addr} gives every cluster VM an external IP address (`internal_ip_only = false`)"))
                    .with_identity(addr.to_string()),
            );
        }
    }
}

fn sql_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, _, settings)) = sql_instance(doc) else {
        return;
    };
    let message = format!("{addr} has a public IP address: its database port is reachable from the internet, guarded only by authorized networks and passwords");
    let ip = match nested(doc, settings, "ip_configuration") {
        Setting::Unknown => return,
        Setting::Unset => {
            hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string()));
            return;
        }
        Setting::Set(ip) => ip,
    };
    // An instance open to 0.0.0.0/0 is reported by sql-open-to-internet.
    if ip
        .field("authorized_networks")
        .items()
        .into_iter()
        .filter_map(|n| n.get("value"))
        .any(is_world)
    {
        return;
    }
    match setting(doc, ip, "ipv4_enabled") {
        Setting::Unknown => {}
        Setting::Set(v) if v.as_bool() == Some(false) => {}
        Setting::Set(v) => hits.push(Hit::at(v, message).with_identity(addr.to_string())),
        Setting::Unset => hits.push(Hit::at(ip, message).with_identity(addr.to_string())),
    }
}

fn redis_no_auth(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_redis_instance", "google_redis_cluster"])
    else {
        return;
    };
    let cluster = doc.root.field("type").as_str() == Some("google_redis_cluster");
    let (key, secure) = if cluster {
        ("authorization_mode", "AUTH_MODE_IAM_AUTH")
    } else {
        ("auth_enabled", "true")
    };
    let message = format!("{addr} accepts Redis commands from any client in the network without authentication (`{key}`)");
    match setting(doc, config, key) {
        Setting::Unknown => {}
        Setting::Unset => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Setting::Set(v) => {
            let ok = if cluster {
                v.as_str() == Some(secure)
            } else {
                is_true(v)
            };
            if !ok {
                hits.push(Hit::at(v, message).with_identity(addr.to_string()));
            }
        }
    }
}

fn redis_no_transit_encryption(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_redis_instance", "google_redis_cluster"])
    else {
        return;
    };
    let cluster = doc.root.field("type").as_str() == Some("google_redis_cluster");
    let secure = if cluster {
        "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION"
    } else {
        "SERVER_AUTHENTICATION"
    };
    let message = format!("{addr} carries Redis traffic, including AUTH strings and cached data, unencrypted: set `transit_encryption_mode = \"{secure}\"`");
    match setting(doc, config, "transit_encryption_mode") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Setting::Set(v) if v.as_str() != Some(secure) => {
            hits.push(Hit::at(v, message).with_identity(addr.to_string()))
        }
        Setting::Set(_) => {}
    }
}

/// OIDC issuers shared by every customer of a service: a provider trusting one of them
/// without a condition accepts tokens minted for anyone.
const SHARED_ISSUERS: &[(&str, &str)] = &[
    (
        "https://token.actions.githubusercontent.com",
        "any GitHub Actions workflow in any repository",
    ),
    ("https://gitlab.com", "any GitLab.com CI job of any project"),
    (
        "https://app.terraform.io",
        "any HCP Terraform run of any organization",
    ),
    ("https://accounts.google.com", "any Google account"),
];

fn wif_provider_unrestricted(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_iam_workload_identity_pool_provider"])
    else {
        return;
    };
    let Setting::Set(oidc) = nested(doc, config, "oidc") else {
        return;
    };
    let Some(issuer) = known_str(oidc, "issuer_uri") else {
        return;
    };
    let Some((_, who)) = SHARED_ISSUERS
        .iter()
        .find(|(uri, _)| issuer.trim_end_matches('/') == *uri)
    else {
        return;
    };
    let message = format!(
        "{addr} accepts tokens from {who}: no `attribute_condition` restricts it to your own"
    );
    match setting(doc, config, "attribute_condition") {
        Setting::Unset => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Setting::Set(v) if v.as_str().is_some_and(|c| c.trim().is_empty()) => {
            hits.push(Hit::at(v, message).with_identity(addr.to_string()))
        }
        _ => {}
    }
}

fn project_default_network(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(doc, &["google_project"]) else {
        return;
    };
    let message = format!("{addr} is created with the `default` network, whose firewall rules admit SSH and RDP from anywhere: set `auto_create_network = false`");
    match setting(doc, config, "auto_create_network") {
        Setting::Unknown => {}
        Setting::Unset => hits.push(Hit::at(&doc.root, message).with_identity(addr.to_string())),
        Setting::Set(v) if is_true(v) => {
            hits.push(Hit::at(v, message).with_identity(addr.to_string()))
        }
        Setting::Set(_) => {}
    }
}

fn notebook_public_ip(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &["google_workbench_instance", "google_notebooks_instance"],
    ) else {
        return;
    };
    let workbench = doc.root.field("type").as_str() == Some("google_workbench_instance");
    let (holder, key) = if workbench {
        match nested(doc, config, "gce_setup") {
            Setting::Unknown => return,
            Setting::Unset => (None, "disable_public_ip"),
            Setting::Set(gce) => (Some(gce), "disable_public_ip"),
        }
    } else {
        (Some(config), "no_public_ip")
    };
    let message =
        format!("{addr} gives the notebook VM an external IP address: set `{key} = true`");
    let found = match holder {
        Some(node) => setting(doc, node, key),
        None => Setting::Unset,
    };
    match found {
        Setting::Unknown => {}
        Setting::Unset => {
            let at = holder.filter(|_| workbench).unwrap_or(&doc.root);
            hits.push(Hit::at(at, message).with_identity(addr.to_string()))
        }
        Setting::Set(v) if v.as_bool() == Some(false) => {
            hits.push(Hit::at(v, message).with_identity(addr.to_string()))
        }
        Setting::Set(_) => {}
    }
}

fn audit_log_exemptions(doc: &Document, hits: &mut Vec<Hit>) {
    let Some((addr, config)) = resource(
        doc,
        &[
            "google_project_iam_audit_config",
            "google_folder_iam_audit_config",
            "google_organization_iam_audit_config",
        ],
    ) else {
        return;
    };
    for log in config.field("audit_log_config").items() {
        let Some(exempted) = log.get("exempted_members").and_then(Node::known) else {
            continue;
        };
        let members: Vec<&str> = exempted
            .items()
            .into_iter()
            .filter_map(Node::as_str)
            .collect();
        if members.is_empty() {
            continue;
        }
        let log_type = known_str(log, "log_type").unwrap_or("audit");
        hits.push(
            Hit::at(
                exempted,
                format!(
                    "{addr} exempts {} from {log_type} audit logging",
                    members.join(", ")
                ),
            )
            .with_identity(format!("{addr}/{log_type}")),
        );
    }
}
