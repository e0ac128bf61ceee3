//! Kubernetes workloads: the Pod Security Standards (baseline and restricted) and the
//! hardening the CIS Kubernetes Benchmark asks of pod specs.

use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.k8s.privileged-container", privileged),
    ("iac.k8s.host-network", host_network),
    ("iac.k8s.host-pid", host_pid),
    ("iac.k8s.host-ipc", host_ipc),
    ("iac.k8s.host-path-volume", host_path),
    ("iac.k8s.privilege-escalation", privilege_escalation),
    ("iac.k8s.run-as-root", run_as_root),
    ("iac.k8s.added-capabilities", added_capabilities),
    ("iac.k8s.capabilities-not-dropped", capabilities_not_dropped),
    ("iac.k8s.no-resource-limits", no_limits),
    ("iac.k8s.image-without-digest-or-tag", image_tag),
    ("iac.k8s.secret-in-env", secret_in_env),
    ("iac.k8s.service-account-token", service_account_token),
    ("iac.k8s.writable-root-filesystem", writable_root),
    ("iac.k8s.host-port", host_port),
    ("iac.k8s.unmasked-proc-mount", unmasked_proc_mount),
    ("iac.k8s.seccomp-unconfined", seccomp_unconfined),
    ("iac.k8s.apparmor-unconfined", apparmor_unconfined),
    ("iac.k8s.unsafe-sysctls", unsafe_sysctls),
    ("iac.k8s.rbac-wildcard", rbac_wildcard),
    ("iac.k8s.cluster-admin-binding", cluster_admin_binding),
];

/// The pod template of every workload (a Pod itself, the template of a controller or a
/// CronJob), with the workload's name for messages; `List` documents are looked into.
fn templates(root: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    collect(root, &mut out, 0);
    out
}

fn collect<'a>(root: &'a Node, out: &mut Vec<(String, &'a Node)>, depth: usize) {
    let kind = root.field("kind").as_str().unwrap_or_default();
    if kind == "List" && depth < 4 {
        for item in root.field("items").items() {
            collect(item, out, depth + 1);
        }
        return;
    }
    let name = format!(
        "{kind} {}",
        root.path(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or("(unnamed)")
    );
    let template = match kind {
        "Pod" => Some(root),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => root.path(&["spec", "template"]),
        "CronJob" => root.path(&["spec", "jobTemplate", "spec", "template"]),
        _ => None,
    };
    if let Some(template) = template {
        out.push((name, template));
    }
}

/// Every workload's pod spec.
fn pod_specs(root: &Node) -> Vec<(String, &Node)> {
    templates(root)
        .into_iter()
        .filter_map(|(name, t)| {
            t.get("spec")
                .filter(|s| s.as_object().is_some())
                .map(|s| (name, s))
        })
        .collect()
}

/// Every container of a pod spec (init and ephemeral containers too), with its name.
fn containers(spec: &Node) -> Vec<(String, &Node)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|k| spec.field(k).items())
        .filter(|c| c.as_object().is_some())
        .map(|c| {
            let name = c.field("name").as_str().unwrap_or("(unnamed)").to_string();
            (name, c)
        })
        .collect()
}

/// The node a container's finding points at: its `name`, else the container itself.
fn anchor(container: &Node) -> &Node {
    container.get("name").unwrap_or(container)
}

fn each_container(
    doc: &Document,
    hits: &mut Vec<Hit>,
    f: impl Fn(&str, &Node, &Node) -> Option<Hit>,
) {
    for (workload, spec) in pod_specs(&doc.root) {
        for (name, c) in containers(spec) {
            if let Some(hit) = f(&workload, spec, c) {
                hits.push(hit.with_identity(format!("{workload}/{name}")));
            }
        }
    }
}

fn privileged(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        let p = c.path(&["securityContext", "privileged"])?.known()?;
        (p.as_bool() == Some(true))
            .then(|| Hit::at(p, format!("{w}: container `{}` runs privileged", name(c))))
    });
}

fn name(c: &Node) -> &str {
    c.field("name").as_str().unwrap_or("(unnamed)")
}

fn host_flag(doc: &Document, hits: &mut Vec<Hit>, key: &str) {
    for (w, spec) in pod_specs(&doc.root) {
        if let Some(v) = spec.get(key).and_then(Node::known) {
            if v.as_bool() == Some(true) {
                hits.push(
                    Hit::at(v, format!("{w} sets {key}: true")).with_identity(format!("{w}/{key}")),
                );
            }
        }
    }
}

fn host_network(doc: &Document, hits: &mut Vec<Hit>) {
    host_flag(doc, hits, "hostNetwork");
}

fn host_pid(doc: &Document, hits: &mut Vec<Hit>) {
    host_flag(doc, hits, "hostPID");
}

fn host_ipc(doc: &Document, hits: &mut Vec<Hit>) {
    host_flag(doc, hits, "hostIPC");
}

fn host_path(doc: &Document, hits: &mut Vec<Hit>) {
    for (w, spec) in pod_specs(&doc.root) {
        for v in spec.field("volumes").items() {
            if let Some(hp) = v.get("hostPath").filter(|h| !h.is_null()) {
                let path = hp.field("path").as_str().unwrap_or("?");
                hits.push(
                    Hit::at(
                        hp.get("path").unwrap_or(hp),
                        format!(
                            "{w} mounts the node's `{path}` (hostPath volume `{}`)",
                            name(v)
                        ),
                    )
                    .with_identity(format!("{w}/volumes/{}", name(v))),
                );
            }
        }
    }
}

fn privilege_escalation(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        match c.path(&["securityContext", "allowPrivilegeEscalation"]) {
        Some(v) => {
            let v = v.known()?;
            (v.as_bool() != Some(false)).then(|| {
                Hit::at(v, format!("{w}: container `{}` allows privilege escalation", name(c)))
            })
        }
        None => Some(Hit::at(
            anchor(c),
            format!(
                "{w}: container `{}` does not set allowPrivilegeEscalation: false (it defaults to true)",
                name(c)
            ),
        )),
    }
    });
}

fn run_as_root(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, spec, c| {
        // The container's setting wins over the pod's.
        let setting = |key: &str| {
            c.path(&["securityContext", key])
                .or_else(|| spec.path(&["securityContext", key]))
        };
        if let Some(user) = setting("runAsUser") {
            let user = user.known()?;
            if user.as_f64() == Some(0.0) {
                return Some(Hit::at(
                    user,
                    format!("{w}: container `{}` runs as user 0 (root)", name(c)),
                ));
            }
        }
        match setting("runAsNonRoot") {
            Some(v) => {
                let v = v.known()?;
                (v.as_bool() != Some(true)).then(|| {
                    Hit::at(v, format!("{w}: container `{}` may run as root", name(c)))
                })
            }
            None if setting("runAsUser").is_some_and(|u| u.as_f64().is_some_and(|n| n > 0.0)) => None,
            None => Some(Hit::at(
                anchor(c),
                format!(
                    "{w}: container `{}` sets neither runAsNonRoot: true nor a non-zero runAsUser, so it runs as the image's user, often root",
                    name(c)
                ),
            )),
        }
    });
}

/// Capabilities the restricted Pod Security Standard allows adding.
const ALLOWED_ADD: &[&str] = &["NET_BIND_SERVICE"];

fn added_capabilities(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        let add = c.path(&["securityContext", "capabilities", "add"])?;
        let bad: Vec<&str> = add
            .items()
            .into_iter()
            .filter_map(Node::as_str)
            .filter(|cap| {
                let cap = cap.trim_start_matches("CAP_").to_ascii_uppercase();
                !ALLOWED_ADD.contains(&cap.as_str())
            })
            .collect();
        (!bad.is_empty()).then(|| {
            Hit::at(
                add,
                format!(
                    "{w}: container `{}` adds capabilities {}",
                    name(c),
                    bad.join(", ")
                ),
            )
        })
    });
}

fn capabilities_not_dropped(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        let drop = c.path(&["securityContext", "capabilities", "drop"]);
        if let Some(d) = drop {
            if d.items().iter().any(|x| x.is_unknown()) {
                return None;
            }
            if d.items()
                .iter()
                .filter_map(|x| x.as_str())
                .any(|x| x.eq_ignore_ascii_case("ALL"))
            {
                return None;
            }
        }
        Some(Hit::at(
            drop.unwrap_or(anchor(c)),
            format!(
                "{w}: container `{}` does not drop ALL capabilities",
                name(c)
            ),
        ))
    });
}

fn no_limits(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        let limits = c.path(&["resources", "limits"]);
        if limits.is_some_and(Node::is_unknown) {
            return None;
        }
        let missing: Vec<&str> = ["cpu", "memory"]
            .into_iter()
            .filter(|k| limits.and_then(|l| l.get(k)).is_none())
            .collect();
        (!missing.is_empty()).then(|| {
            Hit::at(
                limits.unwrap_or(anchor(c)),
                format!(
                    "{w}: container `{}` has no {} limit",
                    name(c),
                    missing.join(" or ")
                ),
            )
        })
    });
}

fn image_tag(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        let image = c.get("image")?.known()?;
        let text = image.as_str()?;
        if text.contains("@sha256:") || text.contains("${") || text.contains("{{") {
            return None;
        }
        let last = text.rsplit('/').next().unwrap_or(text);
        let tag = last.split_once(':').map(|(_, t)| t);
        match tag {
            None => Some(Hit::at(
                image,
                format!("{w}: image `{text}` has no tag, so it means `latest`"),
            )),
            Some("latest") => Some(Hit::at(
                image,
                format!("{w}: image `{text}` uses the mutable `latest` tag"),
            )),
            Some(_) => None,
        }
    });
}

/// Variable names that say they hold a credential.
pub(crate) fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| n.contains(w))
        && !n.ends_with("_FILE")
        && !n.ends_with("_PATH")
}

fn secret_in_env(doc: &Document, hits: &mut Vec<Hit>) {
    for (w, spec) in pod_specs(&doc.root) {
        for (cname, c) in containers(spec) {
            for e in c.field("env").items() {
                let var = e.field("name").as_str().unwrap_or_default();
                let Some(value) = e.get("value").and_then(Node::known) else {
                    continue;
                };
                if looks_secret(var) && value.as_str().is_some_and(|v| !v.trim().is_empty()) {
                    hits.push(
                        Hit::at(
                            value,
                            format!("{w}: container `{cname}` sets `{var}` to a literal value"),
                        )
                        .with_identity(format!("{w}/{cname}/env/{var}")),
                    );
                }
            }
        }
    }
}

fn service_account_token(doc: &Document, hits: &mut Vec<Hit>) {
    for (w, spec) in pod_specs(&doc.root) {
        match spec.get("automountServiceAccountToken") {
            Some(v) => {
                if let Some(v) = v.known() {
                    if v.as_bool() != Some(false) {
                        hits.push(
                            Hit::at(v, format!("{w} mounts its service account token"))
                                .with_identity(w.clone()),
                        );
                    }
                }
            }
            None => {
                let at = doc.root.path(&["metadata", "name"]).unwrap_or(spec);
                hits.push(
                    Hit::at(at, format!("{w} does not set automountServiceAccountToken: false, so every container gets an API token"))
                        .with_identity(w.clone()),
                );
            }
        }
    }
}

fn writable_root(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        match c.path(&["securityContext", "readOnlyRootFilesystem"]) {
            Some(v) => {
                let v = v.known()?;
                (v.as_bool() != Some(true)).then(|| {
                    Hit::at(
                        v,
                        format!(
                            "{w}: container `{}` has a writable root filesystem",
                            name(c)
                        ),
                    )
                })
            }
            None => Some(Hit::at(
                anchor(c),
                format!(
                    "{w}: container `{}` does not set readOnlyRootFilesystem: true",
                    name(c)
                ),
            )),
        }
    });
}

fn host_port(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        c.field("ports").items().into_iter().find_map(|p| {
            let port = p.get("hostPort")?.known()?;
            // 0 (or unset) means no host port, which the baseline standard allows.
            (port.as_f64().is_some_and(|n| n != 0.0)).then(|| {
                Hit::at(
                    port,
                    format!(
                        "{w}: container `{}` binds host port {}",
                        name(c),
                        port.as_f64().unwrap_or_default()
                    ),
                )
            })
        })
    });
}

fn unmasked_proc_mount(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        let mount = c.path(&["securityContext", "procMount"])?.known()?;
        (mount.as_str() == Some("Unmasked")).then(|| {
            Hit::at(
                mount,
                format!("{w}: container `{}` mounts /proc unmasked", name(c)),
            )
        })
    });
}

/// The metadata of the pod a workload runs (the Pod's own, or its template's).
fn pod_metadata(root: &Node) -> Vec<(String, &Node)> {
    templates(root)
        .into_iter()
        .filter_map(|(name, t)| t.get("metadata").map(|m| (name, m)))
        .collect()
}

/// Pod annotations whose key starts with `prefix` and whose value is `value` (any case).
fn annotations_set_to<'a>(
    doc: &'a Document,
    prefix: &str,
    value: &str,
) -> Vec<(String, &'a str, &'a Node)> {
    let mut out = Vec::new();
    for (w, metadata) in pod_metadata(&doc.root) {
        for (key, v) in metadata
            .field("annotations")
            .as_object()
            .unwrap_or_default()
        {
            if key.starts_with(prefix) && v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(value))
            {
                out.push((w.clone(), key.as_str(), v));
            }
        }
    }
    out
}

/// A pod- or container-level `securityContext.<key>.type` set to `Unconfined`.
fn unconfined_profiles(doc: &Document, hits: &mut Vec<Hit>, key: &str, what: &str) {
    for (w, spec) in pod_specs(&doc.root) {
        if let Some(t) = spec
            .path(&["securityContext", key, "type"])
            .and_then(Node::known)
        {
            if t.as_str() == Some("Unconfined") {
                hits.push(
                    Hit::at(t, format!("{w} runs its pod without {what} (Unconfined)"))
                        .with_identity(format!("{w}/{key}")),
                );
            }
        }
        for (cname, c) in containers(spec) {
            if let Some(t) = c
                .path(&["securityContext", key, "type"])
                .and_then(Node::known)
            {
                if t.as_str() == Some("Unconfined") {
                    hits.push(
                        Hit::at(
                            t,
                            format!("{w}: container `{cname}` runs without {what} (Unconfined)"),
                        )
                        .with_identity(format!("{w}/{cname}/{key}")),
                    );
                }
            }
        }
    }
}

fn seccomp_unconfined(doc: &Document, hits: &mut Vec<Hit>) {
    unconfined_profiles(doc, hits, "seccompProfile", "a seccomp profile");
    // The annotations that preceded the field (removed in Kubernetes 1.27, still written).
    for prefix in [
        "seccomp.security.alpha.kubernetes.io/pod",
        "container.seccomp.security.alpha.kubernetes.io/",
    ] {
        for (w, key, v) in annotations_set_to(doc, prefix, "unconfined") {
            hits.push(
                Hit::at(v, format!("{w}: annotation `{key}` turns seccomp off"))
                    .with_identity(format!("{w}/{key}")),
            );
        }
    }
}

fn apparmor_unconfined(doc: &Document, hits: &mut Vec<Hit>) {
    unconfined_profiles(doc, hits, "appArmorProfile", "an AppArmor profile");
    for (w, key, v) in annotations_set_to(
        doc,
        "container.apparmor.security.beta.kubernetes.io/",
        "unconfined",
    ) {
        hits.push(
            Hit::at(v, format!("{w}: annotation `{key}` turns AppArmor off"))
                .with_identity(format!("{w}/{key}")),
        );
    }
}

/// Sysctls the baseline Pod Security Standard allows: namespaced, and isolated from other pods.
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn unsafe_sysctls(doc: &Document, hits: &mut Vec<Hit>) {
    for (w, spec) in pod_specs(&doc.root) {
        for sysctl in spec
            .path(&["securityContext", "sysctls"])
            .map(Node::items)
            .unwrap_or_default()
        {
            let Some(n) = sysctl.get("name").and_then(Node::known) else {
                continue;
            };
            let Some(text) = n.as_str() else { continue };
            // `net/ipv4/...` is another way to write `net.ipv4....`.
            let normalized = text.replace('/', ".");
            if !SAFE_SYSCTLS.contains(&normalized.as_str()) {
                hits.push(
                    Hit::at(n, format!("{w} sets sysctl `{text}`, outside the safe set"))
                        .with_identity(format!("{w}/sysctls/{text}")),
                );
            }
        }
    }
}

/// The documents of a stream's top level, looking into `List`s.
fn objects(root: &Node) -> Vec<&Node> {
    if root.field("kind").as_str() == Some("List") {
        root.field("items").items()
    } else {
        vec![root]
    }
}

fn object_name(o: &Node) -> String {
    format!(
        "{} {}",
        o.field("kind").as_str().unwrap_or_default(),
        o.path(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or("(unnamed)")
    )
}

fn rbac_wildcard(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        if !matches!(o.field("kind").as_str(), Some("Role") | Some("ClusterRole")) {
            continue;
        }
        let who = object_name(o);
        for (i, rule) in o.field("rules").items().into_iter().enumerate() {
            let star = |key: &str| {
                rule.field(key)
                    .items()
                    .iter()
                    .any(|v| v.as_str() == Some("*"))
            };
            if star("verbs") && star("resources") {
                let at = rule.get("verbs").unwrap_or(rule);
                hits.push(
                    Hit::at(at, format!("{who} allows every verb on every resource"))
                        .with_identity(format!("{who}/rules/{i}")),
                );
            }
        }
    }
}

fn cluster_admin_binding(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        if o.field("kind").as_str() != Some("ClusterRoleBinding")
            || o.path(&["roleRef", "name"]).and_then(Node::as_str) != Some("cluster-admin")
            || o.path(&["roleRef", "kind"]).and_then(Node::as_str) != Some("ClusterRole")
        {
            continue;
        }
        let who = object_name(o);
        for subject in o.field("subjects").items() {
            let Some(n) = subject.get("name").and_then(Node::known) else {
                continue;
            };
            let Some(text) = n.as_str() else { continue };
            // Kubernetes' own users and groups (`system:masters`, `system:kube-controller-manager`).
            if text.starts_with("system:") {
                continue;
            }
            let kind = subject.field("kind").as_str().unwrap_or("subject");
            hits.push(
                Hit::at(n, format!("{who} makes {kind} `{text}` cluster-admin"))
                    .with_identity(format!("{who}/{kind}/{text}")),
            );
        }
    }
}
