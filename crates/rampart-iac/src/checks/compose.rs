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
    (
        "iac.compose.security-opt-unconfined",
        security_opt_unconfined,
    ),
    ("iac.compose.no-new-privileges", no_new_privileges),
    ("iac.compose.read-only-rootfs", read_only_rootfs),
    ("iac.compose.user-root", user_root),
    ("iac.compose.image-unpinned", image_unpinned),
    ("iac.compose.database-port-exposed", database_port_exposed),
    ("iac.compose.sensitive-host-mount", sensitive_host_mount),
    ("iac.compose.host-device", host_device),
    ("iac.compose.healthcheck-disabled", healthcheck_disabled),
    ("iac.compose.userns-host", userns_host),
    ("iac.compose.cgroup-host", cgroup_host),
    (
        "iac.compose.shared-mount-propagation",
        shared_mount_propagation,
    ),
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
    !v.is_empty() && !v.contains("${") && (!v.starts_with('$') || v.starts_with("$$"))
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

/// The `security_opt` entries of a service that are written in the file, lower case, with
/// `:` read as `=` (Docker accepts both separators).
fn security_opts(s: &Node) -> Vec<(&Node, String)> {
    s.field("security_opt")
        .items()
        .into_iter()
        .filter_map(|o| {
            let text = o.known()?.as_str()?;
            let text = text.trim().to_ascii_lowercase();
            let normal = match text.split_once([':', '=']) {
                Some((k, v)) => format!("{}={}", k.trim(), v.trim()),
                None => text,
            };
            Some((o, normal))
        })
        .collect()
}

fn security_opt_unconfined(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        // A privileged service runs unconfined anyway, and is reported as privileged.
        if s.field("privileged").as_bool() == Some(true) {
            continue;
        }
        for (o, opt) in security_opts(s) {
            let what = match opt.as_str() {
                "seccomp=unconfined" => "seccomp system call filtering",
                "apparmor=unconfined" => "the AppArmor profile",
                "label=disable" => "SELinux labelling",
                "systempaths=unconfined" => "the masking of /proc and /sys paths",
                _ => continue,
            };
            hits.push(
                Hit::at(
                    o,
                    format!("service `{name}` turns off {what} (security_opt: {opt})"),
                )
                .with_identity(format!("{name}/security_opt/{opt}")),
            );
        }
    }
}

fn no_new_privileges(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        // A privileged service gets reported as such; this setting would not help it.
        if s.field("privileged").as_bool() == Some(true) {
            continue;
        }
        if s.get("security_opt").is_some_and(Node::is_unknown)
            || s.field("security_opt")
                .items()
                .iter()
                .any(|o| o.is_unknown() || o.as_str().is_some_and(interpolated))
        {
            continue;
        }
        let mut set = None;
        for (o, opt) in security_opts(s) {
            match opt.as_str() {
                "no-new-privileges" | "no-new-privileges=true" => set = Some((o, true)),
                "no-new-privileges=false" => set = Some((o, false)),
                _ => {}
            }
        }
        match set {
            Some((_, true)) => {}
            Some((o, false)) => hits.push(
                Hit::at(
                    o,
                    format!("service `{name}` lets its processes gain privileges through setuid binaries (no-new-privileges is false)"),
                )
                .with_identity(format!("{name}/no-new-privileges")),
            ),
            None => hits.push(
                Hit::at(
                    s,
                    format!("service `{name}` does not set no-new-privileges, so setuid binaries in the image can raise a process's privileges"),
                )
                .with_identity(format!("{name}/no-new-privileges")),
            ),
        }
    }
}

fn read_only_rootfs(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        match s.get("read_only") {
            None => hits.push(
                Hit::at(
                    s,
                    format!(
                        "service `{name}` has a writable root filesystem (read_only is not set)"
                    ),
                )
                .with_identity(format!("{name}/read_only")),
            ),
            Some(v) => {
                let Some(v) = v.known() else { continue };
                if v.as_bool() == Some(false) {
                    hits.push(
                        Hit::at(
                            v,
                            format!("service `{name}` has a writable root filesystem (read_only: false)"),
                        )
                        .with_identity(format!("{name}/read_only")),
                    );
                }
            }
        }
    }
}

/// A value written in the file rather than filled in from the environment.
fn interpolated(value: &str) -> bool {
    value.contains('$') && !value.contains("$$")
}

fn user_root(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        let Some(u) = s.get("user").and_then(Node::known) else {
            continue;
        };
        let text = match &u.value {
            Value::String(t) | Value::Number(t) => t.trim(),
            _ => continue,
        };
        if interpolated(text) {
            continue;
        }
        let who = text.split(':').next().unwrap_or_default().trim();
        if who == "root" || who == "0" {
            hits.push(
                Hit::at(u, format!("service `{name}` runs as root (user: {text})"))
                    .with_identity(format!("{name}/user")),
            );
        }
    }
}

fn image_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        // With `build`, `image` names the image compose builds.
        if s.get("build").is_some() {
            continue;
        }
        let Some(image) = s.get("image").and_then(Node::known) else {
            continue;
        };
        let Some(text) = image.as_str().map(str::trim) else {
            continue;
        };
        if text.is_empty() || interpolated(text) || text.contains('@') {
            continue;
        }
        // The tag is after the last `:` that follows the last `/` (a registry port is not
        // a tag).
        let last = text.rsplit('/').next().unwrap_or(text);
        match last.split_once(':').map(|(_, tag)| tag) {
            None => hits.push(
                Hit::at(
                    image,
                    format!("service `{name}` uses `{text}` without a tag, so it runs whatever `latest` is"),
                )
                .with_identity(format!("{name}/image")),
            ),
            Some("latest") => hits.push(
                Hit::at(
                    image,
                    format!("service `{name}` uses `{text}`, a moving tag"),
                )
                .with_identity(format!("{name}/image")),
            ),
            Some(_) => {}
        }
    }
}

/// Well-known ports of databases, caches and search engines, by container port.
const DATABASE_PORTS: &[(u32, &str)] = &[
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2379, "etcd"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (7474, "Neo4j"),
    (8086, "InfluxDB"),
    (9042, "Cassandra"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (26257, "CockroachDB"),
    (27017, "MongoDB"),
];

/// A published port: host address (empty when none is given) and container port; `None`
/// for what cannot be read, including interpolated values.
fn published(port: &Node) -> Option<(String, u32)> {
    let port = port.known()?;
    match &port.value {
        Value::Number(n) => Some((String::new(), n.parse().ok()?)),
        Value::String(text) => {
            if interpolated(text) {
                return None;
            }
            let text = text.trim();
            let text = text.split('/').next()?;
            // [HOST_IP:][HOST_PORT:]CONTAINER_PORT; an IPv6 host address is in brackets.
            let (host, rest) = match text.strip_prefix('[') {
                Some(v6) => {
                    let (ip, rest) = v6.split_once(']')?;
                    (ip.to_string(), rest.trim_start_matches(':'))
                }
                None => match text.matches(':').count() {
                    2 => {
                        let (ip, rest) = text.split_once(':')?;
                        (ip.to_string(), rest)
                    }
                    _ => (String::new(), text),
                },
            };
            let container = rest.rsplit(':').next()?;
            let container = container.split('-').next()?;
            Some((host, container.trim().parse().ok()?))
        }
        Value::Object(_) => {
            let target = port.get("target")?.known()?;
            let target: u32 = match &target.value {
                Value::Number(n) | Value::String(n) => n.trim().parse().ok()?,
                _ => return None,
            };
            // Long syntax publishes only with `published`.
            port.get("published")?.known()?;
            let host = match port.get("host_ip") {
                Some(ip) => {
                    let ip = ip.known()?.as_str()?;
                    if interpolated(ip) {
                        return None;
                    }
                    ip.to_string()
                }
                None => String::new(),
            };
            Some((host, target))
        }
        _ => None,
    }
}

fn database_port_exposed(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        for port in s.field("ports").items() {
            let Some((host, target)) = published(port) else {
                continue;
            };
            let Some((_, what)) = DATABASE_PORTS.iter().find(|(p, _)| *p == target) else {
                continue;
            };
            if !matches!(host.as_str(), "" | "0.0.0.0" | "::") {
                continue;
            }
            hits.push(
                Hit::at(
                    port,
                    format!(
                        "service `{name}` publishes {what} port {target} on every interface of the host"
                    ),
                )
                .with_identity(format!("{name}/ports/{target}")),
            );
        }
    }
}

/// Host directories whose mounting gives a container control over the host or its secrets.
const SENSITIVE_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/run",
    "/var/run",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/var/lib/containerd",
    "/usr",
    "/lib",
    "/bin",
    "/sbin",
    "/home",
    "/etc/ssh",
    "/etc/shadow",
    "/etc/sudoers",
    "/etc/kubernetes",
    "/root/.ssh",
];

/// The normalized host path of a mount source, when it is an absolute path.
fn host_path(source: &str) -> Option<String> {
    let s = source.trim();
    if !s.starts_with('/') || interpolated(s) {
        return None;
    }
    let trimmed = s.trim_end_matches('/');
    Some(if trimmed.is_empty() {
        "/".to_string()
    } else {
        trimmed.to_string()
    })
}

fn sensitive_host_mount(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        for v in s.field("volumes").items() {
            let Some(v) = v.known() else { continue };
            let (at, source) = match v.as_str() {
                Some(short) => (v, short.split(':').next().unwrap_or_default()),
                None => {
                    if v.get("type").and_then(Node::as_str) != Some("bind") {
                        continue;
                    }
                    let Some(src) = v.get("source").and_then(Node::known) else {
                        continue;
                    };
                    (src, src.as_str().unwrap_or_default())
                }
            };
            let Some(path) = host_path(source) else {
                continue;
            };
            // The engine socket has a check of its own.
            if is_socket(&path) || !SENSITIVE_PATHS.contains(&path.as_str()) {
                continue;
            }
            hits.push(
                Hit::at(at, format!("service `{name}` mounts the host's `{path}`"))
                    .with_identity(format!("{name}/volumes/{path}")),
            );
        }
    }
}

/// Host devices that give raw access to disks, memory or the kernel log.
fn dangerous_device(path: &str) -> bool {
    let p = path.trim();
    let name = p.strip_prefix("/dev/").unwrap_or_default();
    if name.is_empty() {
        return false;
    }
    ["mem", "kmem", "port", "kmsg"].contains(&name)
        || [
            "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "dm-", "loop", "md", "disk/", "mapper/",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

fn host_device(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        for d in s.field("devices").items() {
            let Some(d) = d.known() else { continue };
            let source = match d.as_str() {
                Some(short) => short.split(':').next().unwrap_or_default(),
                None => d.field("source").as_str().unwrap_or_default(),
            };
            if dangerous_device(source) {
                hits.push(
                    Hit::at(
                        d,
                        format!(
                            "service `{name}` is given the host device `{}`",
                            source.trim()
                        ),
                    )
                    .with_identity(format!("{name}/devices/{}", source.trim())),
                );
            }
        }
    }
}

fn healthcheck_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        let Some(hc) = s.get("healthcheck").and_then(Node::known) else {
            continue;
        };
        if let Some(d) = hc.get("disable").and_then(Node::known) {
            if d.as_bool() == Some(true) {
                hits.push(
                    Hit::at(
                        d,
                        format!("service `{name}` disables its image's health check"),
                    )
                    .with_identity(format!("{name}/healthcheck")),
                );
                continue;
            }
        }
        let Some(test) = hc.get("test").and_then(Node::known) else {
            continue;
        };
        let first = test.items().first().and_then(|t| t.as_str()).map(str::trim);
        if first.is_some_and(|t| t.eq_ignore_ascii_case("NONE")) {
            hits.push(
                Hit::at(
                    test,
                    format!("service `{name}` disables its image's health check (test: NONE)"),
                )
                .with_identity(format!("{name}/healthcheck")),
            );
        }
    }
}

fn userns_host(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        let Some(v) = s.get("userns_mode").and_then(Node::known) else {
            continue;
        };
        if v.as_str().is_some_and(|m| m.trim() == "host") {
            hits.push(
                Hit::at(
                    v,
                    format!("service `{name}` opts out of user namespace remapping (userns_mode: host), so its root is the host's root"),
                )
                .with_identity(format!("{name}/userns_mode")),
            );
        }
    }
}

fn cgroup_host(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        for key in ["cgroup", "cgroupns_mode"] {
            let Some(v) = s.get(key).and_then(Node::known) else {
                continue;
            };
            if v.as_str().is_some_and(|m| m.trim() == "host") {
                hits.push(
                    Hit::at(
                        v,
                        format!(
                            "service `{name}` shares the host's cgroup namespace ({key}: host)"
                        ),
                    )
                    .with_identity(format!("{name}/{key}")),
                );
            }
        }
    }
}

fn shared_mount_propagation(doc: &Document, hits: &mut Vec<Hit>) {
    for (name, s) in services(doc) {
        for v in s.field("volumes").items() {
            let Some(v) = v.known() else { continue };
            let found = match v.as_str() {
                // SOURCE:TARGET:OPTIONS, options comma-separated.
                Some(short) => {
                    let parts: Vec<&str> = short.split(':').collect();
                    (parts.len() >= 3)
                        .then(|| parts.last().copied())
                        .flatten()
                        .and_then(|opts| {
                            opts.split(',')
                                .map(str::trim)
                                .find(|o| matches!(*o, "shared" | "rshared"))
                        })
                        .map(|mode| (v, mode.to_string()))
                }
                None => v
                    .path(&["bind", "propagation"])
                    .and_then(Node::known)
                    .and_then(|p| {
                        let mode = p.as_str()?.trim();
                        matches!(mode, "shared" | "rshared").then(|| (p, mode.to_string()))
                    }),
            };
            if let Some((at, mode)) = found {
                hits.push(
                    Hit::at(
                        at,
                        format!("service `{name}` mounts a volume with {mode} propagation, so mounts made in the container appear on the host"),
                    )
                    .with_identity(format!("{name}/volumes/propagation")),
                );
            }
        }
    }
}
