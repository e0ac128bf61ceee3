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
    ("iac.k8s.seccomp-profile-not-set", seccomp_profile_not_set),
    ("iac.k8s.volume-type-not-allowed", volume_type_not_allowed),
    ("iac.k8s.git-repo-volume", git_repo_volume),
    ("iac.k8s.selinux-custom-options", selinux_custom_options),
    ("iac.k8s.windows-host-process", windows_host_process),
    ("iac.k8s.share-process-namespace", share_process_namespace),
    ("iac.k8s.root-group", root_group),
    ("iac.k8s.low-user-id", low_user_id),
    ("iac.k8s.no-liveness-probe", no_liveness_probe),
    ("iac.k8s.no-readiness-probe", no_readiness_probe),
    ("iac.k8s.no-resource-requests", no_resource_requests),
    ("iac.k8s.default-namespace", default_namespace),
    (
        "iac.k8s.default-service-account-automount",
        default_service_account_automount,
    ),
    ("iac.k8s.secret-env-reference", secret_env_reference),
    ("iac.k8s.rbac-read-secrets", rbac_read_secrets),
    ("iac.k8s.rbac-pod-exec", rbac_pod_exec),
    ("iac.k8s.rbac-escalate-bind", rbac_escalate_bind),
    ("iac.k8s.rbac-impersonate", rbac_impersonate),
    ("iac.k8s.rbac-create-workloads", rbac_create_workloads),
    ("iac.k8s.rbac-nodes-proxy", rbac_nodes_proxy),
    (
        "iac.k8s.rbac-serviceaccount-token",
        rbac_serviceaccount_token,
    ),
    ("iac.k8s.rbac-admission-config", rbac_admission_config),
    ("iac.k8s.binding-to-public-group", binding_to_public_group),
    ("iac.k8s.service-external-ips", service_external_ips),
    ("iac.k8s.service-node-port", service_node_port),
    (
        "iac.k8s.load-balancer-open-to-all",
        load_balancer_source_ranges,
    ),
    ("iac.k8s.ingress-without-tls", ingress_without_tls),
    ("iac.k8s.removed-api-version", removed_api_version),
    ("iac.k8s.rbac-approve-csr", rbac_approve_csr),
    (
        "iac.k8s.default-service-account-binding",
        default_service_account_binding,
    ),
    (
        "iac.k8s.namespace-without-pod-security",
        namespace_without_pod_security,
    ),
    (
        "iac.k8s.rbac-create-persistent-volumes",
        rbac_create_persistent_volumes,
    ),
    ("iac.k8s.long-lived-token-secret", long_lived_token_secret),
];

/// A workload: its name for messages (`Deployment api`), the object itself and the pod
/// template it runs (the Pod itself for a Pod).
struct Workload<'a> {
    name: String,
    object: &'a Node,
    template: &'a Node,
}

/// The pod template of every workload (a Pod itself, the template of a controller or a
/// CronJob), with the workload's name for messages; `List` documents are looked into.
fn templates(root: &Node) -> Vec<(String, &Node)> {
    workloads(root)
        .into_iter()
        .map(|w| (w.name, w.template))
        .collect()
}

fn workloads(root: &Node) -> Vec<Workload<'_>> {
    let mut out = Vec::new();
    collect(root, &mut out, 0);
    out
}

fn collect<'a>(root: &'a Node, out: &mut Vec<Workload<'a>>, depth: usize) {
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
        out.push(Workload {
            name,
            object: root,
            template,
        });
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

/// The pod spec of a workload, when it has one.
fn spec_of<'a>(w: &Workload<'a>) -> Option<&'a Node> {
    w.template.get("spec").filter(|s| s.as_object().is_some())
}

/// Where a finding about a whole workload points: its name, else the object.
fn workload_anchor<'a>(w: &Workload<'a>) -> &'a Node {
    w.object.path(&["metadata", "name"]).unwrap_or(w.object)
}

/// Jobs and CronJobs run to completion: probes and the like mean little for them.
fn runs_to_completion(w: &Workload) -> bool {
    matches!(
        w.object.field("kind").as_str(),
        Some("Job") | Some("CronJob")
    )
}

/// A known string value.
fn text(n: Option<&Node>) -> Option<&str> {
    n.and_then(Node::known).and_then(Node::as_str)
}

/// The pod annotations of a workload (its template's).
fn pod_annotation<'a>(w: &Workload<'a>, key: &str) -> Option<&'a Node> {
    w.template.path(&["metadata", "annotations", key])
}

fn seccomp_profile_not_set(doc: &Document, hits: &mut Vec<Hit>) {
    for w in workloads(&doc.root) {
        let Some(spec) = spec_of(&w) else { continue };
        // Seccomp is a Linux feature: the standard exempts Windows pods.
        let windows = |n: Option<&Node>| n.and_then(Node::as_str) == Some("windows");
        if windows(spec.path(&["os", "name"]))
            || windows(spec.path(&["nodeSelector", "kubernetes.io/os"]))
        {
            continue;
        }
        // Any pod-level setting decides for every container without its own; `Unconfined`
        // is iac.k8s.seccomp-unconfined's finding.
        if let Some(t) = spec.path(&["securityContext", "seccompProfile", "type"]) {
            if t.known().is_none() || !t.is_null() {
                continue;
            }
        }
        if pod_annotation(&w, "seccomp.security.alpha.kubernetes.io/pod").is_some() {
            continue;
        }
        let mut missing = Vec::new();
        for (cname, c) in containers(spec) {
            let own = c.path(&["securityContext", "seccompProfile", "type"]);
            if own.is_some_and(|t| !t.is_null()) {
                continue;
            }
            let key = format!("container.seccomp.security.alpha.kubernetes.io/{cname}");
            if pod_annotation(&w, &key).is_some() {
                continue;
            }
            missing.push(format!("`{cname}`"));
        }
        if !missing.is_empty() {
            hits.push(
                Hit::at(
                    workload_anchor(&w),
                    format!(
                        "{}: no seccomp profile for {} {}, so {} unconfined unless the node's kubelet defaults to RuntimeDefault",
                        w.name,
                        if missing.len() == 1 { "container" } else { "containers" },
                        missing.join(", "),
                        if missing.len() == 1 { "it runs" } else { "they run" },
                    ),
                )
                .with_identity(format!("{}/seccompProfile", w.name)),
            );
        }
    }
}

/// Volume types the restricted Pod Security Standard allows.
const RESTRICTED_VOLUME_TYPES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Each volume of a pod spec with its type (the key beside `name`).
fn volumes(spec: &Node) -> Vec<(&str, &str, &Node)> {
    let mut out = Vec::new();
    for v in spec.field("volumes").items() {
        let Some(entries) = v.as_object() else {
            continue;
        };
        if let Some((kind, _)) = entries
            .iter()
            .find(|(k, val)| k != "name" && !val.is_null())
        {
            out.push((name(v), kind.as_str(), v));
        }
    }
    out
}

fn volume_type_not_allowed(doc: &Document, hits: &mut Vec<Hit>) {
    for (w, spec) in pod_specs(&doc.root) {
        for (vname, kind, v) in volumes(spec) {
            // hostPath and gitRepo have checks of their own.
            if RESTRICTED_VOLUME_TYPES.contains(&kind) || kind == "hostPath" || kind == "gitRepo" {
                continue;
            }
            hits.push(
                Hit::at(
                    v.get("name").unwrap_or(v),
                    format!(
                        "{w}: volume `{vname}` is of type `{kind}`, which the restricted Pod Security Standard does not allow"
                    ),
                )
                .with_identity(format!("{w}/volumes/{vname}")),
            );
        }
    }
}

fn git_repo_volume(doc: &Document, hits: &mut Vec<Hit>) {
    for (w, spec) in pod_specs(&doc.root) {
        for (vname, kind, v) in volumes(spec) {
            if kind != "gitRepo" {
                continue;
            }
            let repo = v.field("gitRepo");
            let at = repo.get("repository").unwrap_or(repo);
            hits.push(
                Hit::at(
                    at,
                    format!(
                        "{w}: volume `{vname}` is a gitRepo volume, which the kubelet clones with git on the node"
                    ),
                )
                .with_identity(format!("{w}/volumes/{vname}")),
            );
        }
    }
}

/// SELinux types the baseline Pod Security Standard allows.
const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn selinux_findings(options: &Node, whose: &str, identity: &str, hits: &mut Vec<Hit>) {
    if let Some(t) = text(options.get("type")) {
        if !t.is_empty() && !SELINUX_TYPES.contains(&t) {
            hits.push(
                Hit::at(
                    options.field("type"),
                    format!("{whose} runs with the custom SELinux type `{t}`"),
                )
                .with_identity(format!("{identity}/seLinuxOptions/type")),
            );
        }
    }
    for key in ["user", "role"] {
        if let Some(v) = text(options.get(key)) {
            if !v.is_empty() {
                hits.push(
                    Hit::at(
                        options.field(key),
                        format!("{whose} sets the SELinux {key} `{v}`"),
                    )
                    .with_identity(format!("{identity}/seLinuxOptions/{key}")),
                );
            }
        }
    }
}

fn selinux_custom_options(doc: &Document, hits: &mut Vec<Hit>) {
    for (w, spec) in pod_specs(&doc.root) {
        if let Some(options) = spec.path(&["securityContext", "seLinuxOptions"]) {
            selinux_findings(options, &format!("{w}: the pod"), &w, hits);
        }
        for (cname, c) in containers(spec) {
            if let Some(options) = c.path(&["securityContext", "seLinuxOptions"]) {
                selinux_findings(
                    options,
                    &format!("{w}: container `{cname}`"),
                    &format!("{w}/{cname}"),
                    hits,
                );
            }
        }
    }
}

fn windows_host_process(doc: &Document, hits: &mut Vec<Hit>) {
    fn on(n: Option<&Node>) -> Option<&Node> {
        n.and_then(Node::known)
            .filter(|v| v.as_bool() == Some(true))
    }
    for (w, spec) in pod_specs(&doc.root) {
        if let Some(v) = on(spec.path(&["securityContext", "windowsOptions", "hostProcess"])) {
            hits.push(
                Hit::at(
                    v,
                    format!("{w} runs its containers as Windows HostProcess containers"),
                )
                .with_identity(format!("{w}/hostProcess")),
            );
        }
        for (cname, c) in containers(spec) {
            if let Some(v) = on(c.path(&["securityContext", "windowsOptions", "hostProcess"])) {
                hits.push(
                    Hit::at(
                        v,
                        format!("{w}: container `{cname}` is a Windows HostProcess container"),
                    )
                    .with_identity(format!("{w}/{cname}/hostProcess")),
                );
            }
        }
    }
}

/// The long-running containers of a workload (not init, ephemeral or batch containers).
fn app_containers<'a>(w: &Workload<'a>) -> Vec<(String, &'a Node)> {
    if runs_to_completion(w) {
        return Vec::new();
    }
    let Some(spec) = spec_of(w) else {
        return Vec::new();
    };
    spec.field("containers")
        .items()
        .into_iter()
        .filter(|c| c.as_object().is_some())
        .map(|c| (name(c).to_string(), c))
        .collect()
}

fn missing_probe(doc: &Document, hits: &mut Vec<Hit>, key: &str, what: &str) {
    for w in workloads(&doc.root) {
        for (cname, c) in app_containers(&w) {
            if c.get(key).is_none_or(Node::is_null) {
                hits.push(
                    Hit::at(
                        anchor(c),
                        format!("{}: container `{cname}` has no {key}, so {what}", w.name),
                    )
                    .with_identity(format!("{}/{cname}/{key}", w.name)),
                );
            }
        }
    }
}

fn no_liveness_probe(doc: &Document, hits: &mut Vec<Hit>) {
    missing_probe(
        doc,
        hits,
        "livenessProbe",
        "a hung process is never restarted",
    );
}

fn no_readiness_probe(doc: &Document, hits: &mut Vec<Hit>) {
    missing_probe(
        doc,
        hits,
        "readinessProbe",
        "it receives traffic before it can serve it",
    );
}

fn no_resource_requests(doc: &Document, hits: &mut Vec<Hit>) {
    for (w, spec) in pod_specs(&doc.root) {
        // Ephemeral containers take no resources.
        for c in ["initContainers", "containers"]
            .iter()
            .flat_map(|k| spec.field(k).items())
            .filter(|c| c.as_object().is_some())
        {
            let requests = c.path(&["resources", "requests"]);
            let limits = c.path(&["resources", "limits"]);
            if requests.is_some_and(Node::is_unknown) || limits.is_some_and(Node::is_unknown) {
                continue;
            }
            // A limit without a request makes the request equal to the limit.
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| {
                    requests.and_then(|r| r.get(k)).is_none()
                        && limits.and_then(|l| l.get(k)).is_none()
                })
                .collect();
            if !missing.is_empty() {
                hits.push(
                    Hit::at(
                        anchor(c),
                        format!(
                            "{w}: container `{}` requests no {}",
                            name(c),
                            missing.join(" or ")
                        ),
                    )
                    .with_identity(format!("{w}/{}/requests", name(c))),
                );
            }
        }
    }
}

fn default_namespace(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        let Some(ns) = o.path(&["metadata", "namespace"]).and_then(Node::known) else {
            continue;
        };
        if ns.as_str() != Some("default") {
            continue;
        }
        let kind = o.field("kind").as_str().unwrap_or_default();
        let oname = o.path(&["metadata", "name"]).and_then(Node::as_str);
        // The API server's own Service and its endpoints live there.
        if matches!(kind, "Service" | "Endpoints" | "EndpointSlice") && oname == Some("kubernetes")
        {
            continue;
        }
        let who = object_name(o);
        hits.push(
            Hit::at(ns, format!("{who} is placed in the `default` namespace"))
                .with_identity(format!("{who}/namespace")),
        );
    }
}

/// A known id at `securityContext.<key>`, with its value.
fn id_at<'a>(holder: &'a Node, key: &str) -> Option<(&'a Node, f64)> {
    let v = holder.path(&["securityContext", key])?.known()?;
    Some((v, v.as_f64()?))
}

fn low_ids(setting: &[(&str, Option<(&Node, f64)>)]) -> Vec<String> {
    setting
        .iter()
        .filter_map(|(what, v)| {
            let (_, n) = (*v)?;
            (n > 0.0 && n < 10000.0).then(|| format!("{what} {n}"))
        })
        .collect()
}

fn low_user_id(doc: &Document, hits: &mut Vec<Hit>) {
    for (w, spec) in pod_specs(&doc.root) {
        let all = containers(spec);
        // The pod's settings, reported once when some container inherits them.
        let inherits = |key: &str| all.iter().any(|(_, c)| id_at(c, key).is_none());
        let pod: Vec<(&str, Option<(&Node, f64)>)> = vec![
            (
                "UID",
                id_at(spec, "runAsUser").filter(|_| inherits("runAsUser")),
            ),
            (
                "GID",
                id_at(spec, "runAsGroup").filter(|_| inherits("runAsGroup")),
            ),
        ];
        let low = low_ids(&pod);
        if !low.is_empty() {
            let at = pod.iter().find_map(|(_, v)| *v).map(|(n, _)| n);
            if let Some(at) = at {
                hits.push(
                    Hit::at(
                        at,
                        format!("{w} runs its pod as {}, below 10000", low.join(" and ")),
                    )
                    .with_identity(format!("{w}/low-ids")),
                );
            }
        }
        for (cname, c) in &all {
            let own = vec![
                ("UID", id_at(c, "runAsUser")),
                ("GID", id_at(c, "runAsGroup")),
            ];
            let low = low_ids(&own);
            if low.is_empty() {
                continue;
            }
            if let Some((at, _)) = own.iter().find_map(|(_, v)| *v) {
                hits.push(
                    Hit::at(
                        at,
                        format!(
                            "{w}: container `{cname}` runs as {}, below 10000",
                            low.join(" and ")
                        ),
                    )
                    .with_identity(format!("{w}/{cname}/low-ids")),
                );
            }
        }
    }
}

fn root_group(doc: &Document, hits: &mut Vec<Hit>) {
    let zero = |n: &Node| n.known().and_then(Node::as_f64) == Some(0.0);
    for (w, spec) in pod_specs(&doc.root) {
        let sc = spec.field("securityContext");
        for key in ["runAsGroup", "fsGroup"] {
            if let Some(v) = sc.get(key).filter(|v| zero(v)) {
                hits.push(
                    Hit::at(v, format!("{w} sets {key}: 0 (the root group)"))
                        .with_identity(format!("{w}/{key}")),
                );
            }
        }
        if let Some(v) = sc
            .field("supplementalGroups")
            .items()
            .into_iter()
            .find(|v| zero(v))
        {
            hits.push(
                Hit::at(
                    v,
                    format!("{w} adds the root group (0) to supplementalGroups"),
                )
                .with_identity(format!("{w}/supplementalGroups")),
            );
        }
        for (cname, c) in containers(spec) {
            if let Some(v) = c
                .path(&["securityContext", "runAsGroup"])
                .filter(|v| zero(v))
            {
                hits.push(
                    Hit::at(
                        v,
                        format!("{w}: container `{cname}` sets runAsGroup: 0 (the root group)"),
                    )
                    .with_identity(format!("{w}/{cname}/runAsGroup")),
                );
            }
        }
    }
}

fn share_process_namespace(doc: &Document, hits: &mut Vec<Hit>) {
    host_flag(doc, hits, "shareProcessNamespace");
}

fn default_service_account_automount(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        if o.field("kind").as_str() != Some("ServiceAccount")
            || o.path(&["metadata", "name"]).and_then(Node::as_str) != Some("default")
        {
            continue;
        }
        let who = object_name(o);
        let ns = o
            .path(&["metadata", "namespace"])
            .and_then(Node::as_str)
            .map(|n| format!(" (namespace `{n}`)"))
            .unwrap_or_default();
        match o.get("automountServiceAccountToken") {
            Some(v) => {
                if let Some(v) = v.known() {
                    if v.as_bool() != Some(false) {
                        hits.push(
                            Hit::at(v, format!("{who}{ns} has its token mounted into every pod that does not opt out"))
                                .with_identity(who.clone()),
                        );
                    }
                }
            }
            None => {
                let at = o.path(&["metadata", "name"]).unwrap_or(o);
                hits.push(
                    Hit::at(at, format!("{who}{ns} does not set automountServiceAccountToken: false, so pods that name no service account get its token"))
                        .with_identity(who.clone()),
                );
            }
        }
    }
}

fn secret_env_reference(doc: &Document, hits: &mut Vec<Hit>) {
    each_container(doc, hits, |w, _, c| {
        let mut first: Option<&Node> = None;
        let mut what = Vec::new();
        for e in c.field("env").items() {
            if e.path(&["valueFrom", "secretKeyRef"])
                .is_some_and(|r| !r.is_null())
            {
                first.get_or_insert(e.get("name").unwrap_or(e));
                what.push(format!("`{}`", e.field("name").as_str().unwrap_or("?")));
            }
        }
        for e in c.field("envFrom").items() {
            if let Some(r) = e.get("secretRef").filter(|r| !r.is_null()) {
                first.get_or_insert(e);
                what.push(format!(
                    "every key of Secret `{}`",
                    r.field("name").as_str().unwrap_or("?")
                ));
            }
        }
        let at = first?;
        Some(Hit::at(
            at,
            format!(
                "{w}: container `{}` takes Secrets as environment variables: {}",
                name(c),
                what.join(", ")
            ),
        ))
    });
}

/// The rules of every Role and ClusterRole of a document: the role's name, the rule's index
/// and the rule.
fn role_rules(root: &Node) -> Vec<(String, usize, &Node)> {
    let mut out = Vec::new();
    for o in objects(root) {
        if !matches!(o.field("kind").as_str(), Some("Role") | Some("ClusterRole")) {
            continue;
        }
        let who = object_name(o);
        for (i, rule) in o.field("rules").items().into_iter().enumerate() {
            out.push((who.clone(), i, rule));
        }
    }
    out
}

fn rule_strings<'a>(rule: &'a Node, key: &str) -> Vec<&'a str> {
    rule.field(key)
        .items()
        .into_iter()
        .filter_map(Node::as_str)
        .collect()
}

/// What a rule grants of `verbs` on `resources` (in one of `groups`): the resources and the
/// verbs that match, `*` included. `any_resource`: a `*` resource counts. Rules limited to
/// `resourceNames`, and rules `*` on `*` (iac.k8s.rbac-wildcard's finding), grant nothing here.
fn grants<'a>(
    rule: &'a Node,
    groups: &[&str],
    resources: &[&str],
    verbs: &[&str],
    any_resource: bool,
) -> Option<(Vec<String>, Vec<&'a str>)> {
    if !rule.field("resourceNames").items().is_empty() {
        return None;
    }
    let rule_groups = rule_strings(rule, "apiGroups");
    if !rule_groups.iter().any(|g| *g == "*" || groups.contains(g)) {
        return None;
    }
    let rule_resources = rule_strings(rule, "resources");
    let rule_verbs = rule_strings(rule, "verbs");
    if rule_resources.contains(&"*") && rule_verbs.contains(&"*") {
        return None;
    }
    let matched_verbs: Vec<&str> = rule_verbs
        .iter()
        .copied()
        .filter(|v| *v == "*" || verbs.contains(v))
        .collect();
    if matched_verbs.is_empty() {
        return None;
    }
    let matches = |want: &str| {
        rule_resources.iter().any(|r| {
            *r == want
                || (any_resource && *r == "*")
                || want.split_once('/').is_some_and(|(base, sub)| {
                    *r == format!("{base}/*") || *r == format!("*/{sub}")
                })
        })
    };
    let matched: Vec<String> = if any_resource && rule_resources.contains(&"*") {
        vec!["every resource".to_string()]
    } else {
        resources
            .iter()
            .filter(|r| matches(r))
            .map(|r| r.to_string())
            .collect()
    };
    (!matched.is_empty()).then_some((matched, matched_verbs))
}

struct Grant<'a> {
    groups: &'a [&'a str],
    resources: &'a [&'a str],
    verbs: &'a [&'a str],
    any_resource: bool,
    tag: &'a str,
}

fn rbac_grant(
    doc: &Document,
    hits: &mut Vec<Hit>,
    g: &Grant,
    message: impl Fn(&str, &str, &str) -> String,
) {
    for (who, i, rule) in role_rules(&doc.root) {
        if let Some((resources, verbs)) =
            grants(rule, g.groups, g.resources, g.verbs, g.any_resource)
        {
            let at = rule.get("verbs").unwrap_or(rule);
            hits.push(
                Hit::at(at, message(&who, &verbs.join(", "), &resources.join(", ")))
                    .with_identity(format!("{who}/rules/{i}/{}", g.tag)),
            );
        }
    }
}

fn rbac_read_secrets(doc: &Document, hits: &mut Vec<Hit>) {
    let g = Grant {
        groups: &[""],
        resources: &["secrets"],
        verbs: &["get", "list", "watch"],
        any_resource: true,
        tag: "read-secrets",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        if res == "secrets" {
            format!("{who} can read Secrets ({verbs})")
        } else {
            format!("{who} can read every resource, Secrets included ({verbs})")
        }
    });
}

fn rbac_pod_exec(doc: &Document, hits: &mut Vec<Hit>) {
    let g = Grant {
        groups: &[""],
        resources: &["pods/exec", "pods/attach"],
        verbs: &["create", "get"],
        any_resource: false,
        tag: "pod-exec",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        format!("{who} can run commands in pods ({verbs} on {res})")
    });
    // Adding an ephemeral (debug) container to a running pod is the same access.
    let g = Grant {
        groups: &[""],
        resources: &["pods/ephemeralcontainers"],
        verbs: &["update", "patch"],
        any_resource: false,
        tag: "pod-debug",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        format!("{who} can add debug containers to running pods ({verbs} on {res})")
    });
}

fn rbac_escalate_bind(doc: &Document, hits: &mut Vec<Hit>) {
    let g = Grant {
        groups: &["rbac.authorization.k8s.io"],
        resources: &["roles", "clusterroles"],
        verbs: &["escalate", "bind"],
        any_resource: false,
        tag: "escalate-bind",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        format!("{who} can grant permissions it does not hold ({verbs} on {res})")
    });
}

fn rbac_impersonate(doc: &Document, hits: &mut Vec<Hit>) {
    let g = Grant {
        groups: &["", "authentication.k8s.io"],
        resources: &["users", "groups", "serviceaccounts", "uids"],
        verbs: &["impersonate"],
        any_resource: false,
        tag: "impersonate",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        format!("{who} can act as other identities ({verbs} on {res})")
    });
}

/// Resources whose creation runs a pod.
const WORKLOAD_RESOURCES: &[&str] = &[
    "pods",
    "deployments",
    "daemonsets",
    "statefulsets",
    "replicasets",
    "replicationcontrollers",
    "jobs",
    "cronjobs",
];

fn rbac_create_workloads(doc: &Document, hits: &mut Vec<Hit>) {
    let g = Grant {
        groups: &["", "apps", "batch", "extensions"],
        resources: WORKLOAD_RESOURCES,
        verbs: &["create", "update", "patch"],
        any_resource: false,
        tag: "create-workloads",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        format!("{who} can start pods of its choosing ({verbs} on {res})")
    });
}

fn rbac_nodes_proxy(doc: &Document, hits: &mut Vec<Hit>) {
    let g = Grant {
        groups: &[""],
        resources: &["nodes/proxy"],
        verbs: &["get", "create", "update", "patch", "delete"],
        any_resource: false,
        tag: "nodes-proxy",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        format!("{who} can reach the kubelet API through the API server ({verbs} on {res})")
    });
}

fn rbac_create_persistent_volumes(doc: &Document, hits: &mut Vec<Hit>) {
    let g = Grant {
        groups: &[""],
        resources: &["persistentvolumes"],
        verbs: &["create", "update", "patch"],
        any_resource: false,
        tag: "persistent-volumes",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        format!("{who} can define storage for the whole cluster, hostPath volumes included ({verbs} on {res})")
    });
}

fn rbac_serviceaccount_token(doc: &Document, hits: &mut Vec<Hit>) {
    let g = Grant {
        groups: &[""],
        resources: &["serviceaccounts/token"],
        verbs: &["create"],
        any_resource: false,
        tag: "serviceaccount-token",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        format!("{who} can issue tokens for service accounts ({verbs} on {res})")
    });
}

fn rbac_admission_config(doc: &Document, hits: &mut Vec<Hit>) {
    let g = Grant {
        groups: &["admissionregistration.k8s.io"],
        resources: &[
            "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations",
            "validatingadmissionpolicies",
            "validatingadmissionpolicybindings",
            "mutatingadmissionpolicies",
            "mutatingadmissionpolicybindings",
        ],
        verbs: &["create", "update", "patch", "delete", "deletecollection"],
        any_resource: false,
        tag: "admission-config",
    };
    rbac_grant(doc, hits, &g, |who, verbs, res| {
        format!("{who} can change admission control ({verbs} on {res})")
    });
}

/// Kubernetes' own bindings of everyone to harmless discovery roles.
const PUBLIC_ROLES: &[&str] = &[
    "system:public-info-viewer",
    "system:discovery",
    "system:basic-user",
    "system:service-account-issuer-discovery",
];

fn binding_to_public_group(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        if !matches!(
            o.field("kind").as_str(),
            Some("RoleBinding") | Some("ClusterRoleBinding")
        ) {
            continue;
        }
        let Some(role) = text(o.path(&["roleRef", "name"])) else {
            continue;
        };
        if PUBLIC_ROLES.contains(&role) {
            continue;
        }
        let who = object_name(o);
        for subject in o.field("subjects").items() {
            let Some(n) = subject.get("name").and_then(Node::known) else {
                continue;
            };
            let Some(sname) = n.as_str() else { continue };
            let kind = subject.field("kind").as_str().unwrap_or_default();
            let everyone = match (kind, sname) {
                ("Group", "system:unauthenticated") | ("User", "system:anonymous") => {
                    "anyone who can reach the API server, without credentials"
                }
                ("Group", "system:authenticated") => {
                    "every authenticated identity, including every service account"
                }
                _ => continue,
            };
            hits.push(
                Hit::at(
                    n,
                    format!("{who} grants `{role}` to {kind} `{sname}`: {everyone}"),
                )
                .with_identity(format!("{who}/{kind}/{sname}")),
            );
        }
    }
}

/// Every Service of a document, with its name.
fn services(root: &Node) -> Vec<(String, &Node)> {
    objects(root)
        .into_iter()
        .filter(|o| o.field("kind").as_str() == Some("Service"))
        .map(|o| (object_name(o), o))
        .collect()
}

fn service_external_ips(doc: &Document, hits: &mut Vec<Hit>) {
    for (who, o) in services(&doc.root) {
        let Some(ips) = o.path(&["spec", "externalIPs"]).and_then(Node::known) else {
            continue;
        };
        let list: Vec<&str> = ips.items().into_iter().filter_map(Node::as_str).collect();
        if list.is_empty() {
            continue;
        }
        hits.push(
            Hit::at(
                ips,
                format!(
                    "{who} claims external IPs {}: every node routes traffic for them to this Service",
                    list.join(", ")
                ),
            )
            .with_identity(format!("{who}/externalIPs")),
        );
    }
}

fn service_node_port(doc: &Document, hits: &mut Vec<Hit>) {
    for (who, o) in services(&doc.root) {
        let Some(t) = o.path(&["spec", "type"]).and_then(Node::known) else {
            continue;
        };
        if t.as_str() == Some("NodePort") {
            hits.push(
                Hit::at(
                    t,
                    format!("{who} opens a port on every node (type NodePort)"),
                )
                .with_identity(format!("{who}/type")),
            );
        }
    }
}

/// Annotations that make a cloud provider's load balancer internal.
fn internal_load_balancer(o: &Node) -> bool {
    let annotations = o.path(&["metadata", "annotations"]);
    let a = |k: &str| {
        annotations
            .and_then(|m| m.get(k))
            .and_then(|v| match v.as_bool() {
                Some(b) => Some(b.to_string()),
                None => v.as_str().map(str::to_ascii_lowercase),
            })
    };
    a("service.beta.kubernetes.io/aws-load-balancer-internal").is_some_and(|v| v != "false")
        || a("service.beta.kubernetes.io/aws-load-balancer-scheme").as_deref() == Some("internal")
        || a("networking.gke.io/load-balancer-type").as_deref() == Some("internal")
        || a("cloud.google.com/load-balancer-type").as_deref() == Some("internal")
        || a("service.beta.kubernetes.io/azure-load-balancer-internal").as_deref() == Some("true")
        || a("service.beta.kubernetes.io/oci-load-balancer-internal").as_deref() == Some("true")
        || a("service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type").as_deref()
            == Some("private")
        || a("service.beta.kubernetes.io/load-balancer-source-ranges").is_some()
}

fn load_balancer_source_ranges(doc: &Document, hits: &mut Vec<Hit>) {
    for (who, o) in services(&doc.root) {
        let Some(t) = o.path(&["spec", "type"]).and_then(Node::known) else {
            continue;
        };
        if t.as_str() != Some("LoadBalancer") || internal_load_balancer(o) {
            continue;
        }
        match o.path(&["spec", "loadBalancerSourceRanges"]) {
            Some(ranges) => {
                let Some(ranges) = ranges.known() else {
                    continue;
                };
                let items = ranges.items();
                if let Some(open) = items
                    .iter()
                    .find(|r| matches!(r.as_str(), Some("0.0.0.0/0") | Some("::/0")))
                {
                    hits.push(
                        Hit::at(
                            open,
                            format!(
                                "{who} accepts load balancer traffic from `{}`, the whole internet",
                                open.as_str().unwrap_or_default()
                            ),
                        )
                        .with_identity(format!("{who}/loadBalancerSourceRanges")),
                    );
                } else if items.is_empty() {
                    hits.push(
                        Hit::at(ranges, format!("{who} sets an empty loadBalancerSourceRanges, so the load balancer accepts every address"))
                            .with_identity(format!("{who}/loadBalancerSourceRanges")),
                    );
                }
            }
            None => hits.push(
                Hit::at(
                    t,
                    format!("{who} is a load balancer with no loadBalancerSourceRanges, open to every address"),
                )
                .with_identity(format!("{who}/loadBalancerSourceRanges")),
            ),
        }
    }
}

/// Annotations with which a cloud load balancer in front of an Ingress terminates TLS.
const EXTERNAL_TLS_ANNOTATIONS: &[&str] = &[
    "alb.ingress.kubernetes.io/certificate-arn",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "networking.gke.io/managed-certificates",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
];

fn ingress_without_tls(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        if o.field("kind").as_str() != Some("Ingress") {
            continue;
        }
        let annotations = o.path(&["metadata", "annotations"]);
        if EXTERNAL_TLS_ANNOTATIONS
            .iter()
            .any(|k| annotations.and_then(|a| a.get(k)).is_some())
        {
            continue;
        }
        match o.path(&["spec", "tls"]) {
            Some(tls) if tls.known().is_none() => continue,
            Some(tls) if !tls.items().is_empty() => continue,
            _ => {}
        }
        let who = object_name(o);
        let at = o.path(&["metadata", "name"]).unwrap_or(o);
        hits.push(
            Hit::at(
                at,
                format!("{who} has no tls section, so it serves its hosts over plain HTTP"),
            )
            .with_identity(format!("{who}/tls")),
        );
    }
}

/// API versions Kubernetes removed: the group version, the kinds it served that moved (all
/// when empty), what replaces it and the release that removed it.
const REMOVED_APIS: &[(&str, &[&str], &str, &str)] = &[
    (
        "extensions/v1beta1",
        &["Ingress"],
        "networking.k8s.io/v1",
        "1.22",
    ),
    (
        "extensions/v1beta1",
        &["NetworkPolicy"],
        "networking.k8s.io/v1",
        "1.16",
    ),
    (
        "extensions/v1beta1",
        &["PodSecurityPolicy"],
        "Pod Security Admission",
        "1.25",
    ),
    ("extensions/v1beta1", &[], "apps/v1", "1.16"),
    ("apps/v1beta1", &[], "apps/v1", "1.16"),
    ("apps/v1beta2", &[], "apps/v1", "1.16"),
    (
        "networking.k8s.io/v1beta1",
        &[],
        "networking.k8s.io/v1",
        "1.22",
    ),
    ("batch/v1beta1", &[], "batch/v1", "1.25"),
    ("batch/v2alpha1", &[], "batch/v1", "1.21"),
    (
        "policy/v1beta1",
        &["PodSecurityPolicy"],
        "Pod Security Admission",
        "1.25",
    ),
    ("policy/v1beta1", &[], "policy/v1", "1.25"),
    (
        "rbac.authorization.k8s.io/v1beta1",
        &[],
        "rbac.authorization.k8s.io/v1",
        "1.22",
    ),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        &[],
        "rbac.authorization.k8s.io/v1",
        "1.22",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        &[],
        "admissionregistration.k8s.io/v1",
        "1.22",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        &[],
        "apiextensions.k8s.io/v1",
        "1.22",
    ),
    (
        "apiregistration.k8s.io/v1beta1",
        &[],
        "apiregistration.k8s.io/v1",
        "1.22",
    ),
    (
        "certificates.k8s.io/v1beta1",
        &[],
        "certificates.k8s.io/v1",
        "1.22",
    ),
    (
        "coordination.k8s.io/v1beta1",
        &[],
        "coordination.k8s.io/v1",
        "1.22",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        &[],
        "scheduling.k8s.io/v1",
        "1.22",
    ),
    (
        "storage.k8s.io/v1beta1",
        &["CSIStorageCapacity"],
        "storage.k8s.io/v1",
        "1.27",
    ),
    ("storage.k8s.io/v1beta1", &[], "storage.k8s.io/v1", "1.22"),
    ("autoscaling/v2beta1", &[], "autoscaling/v2", "1.25"),
    ("autoscaling/v2beta2", &[], "autoscaling/v2", "1.26"),
    (
        "discovery.k8s.io/v1beta1",
        &[],
        "discovery.k8s.io/v1",
        "1.25",
    ),
    ("events.k8s.io/v1beta1", &[], "events.k8s.io/v1", "1.25"),
    ("node.k8s.io/v1beta1", &[], "node.k8s.io/v1", "1.25"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        &[],
        "flowcontrol.apiserver.k8s.io/v1",
        "1.26",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        &[],
        "flowcontrol.apiserver.k8s.io/v1",
        "1.29",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        &[],
        "flowcontrol.apiserver.k8s.io/v1",
        "1.32",
    ),
];

fn removed_api_version(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        let Some(v) = o.get("apiVersion").and_then(Node::known) else {
            continue;
        };
        let Some(version) = v.as_str() else { continue };
        let kind = o.field("kind").as_str().unwrap_or_default();
        let Some((_, _, now, removed)) = REMOVED_APIS.iter().find(|(old, kinds, _, _)| {
            *old == version && (kinds.is_empty() || kinds.contains(&kind))
        }) else {
            continue;
        };
        let who = object_name(o);
        hits.push(
            Hit::at(
                v,
                format!(
                    "{who} uses `{version}`, removed in Kubernetes {removed}; use {now} instead"
                ),
            )
            .with_identity(format!("{who}/apiVersion")),
        );
    }
}

/// Signers whose certificates the API server accepts as client credentials: approving requests
/// for them mints a login for any user or group.
const CLIENT_SIGNERS: &[&str] = &[
    "kubernetes.io/kube-apiserver-client",
    "kubernetes.io/kube-apiserver-client-kubelet",
    "kubernetes.io/*",
    "*",
];

fn rbac_approve_csr(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        if !matches!(o.field("kind").as_str(), Some("Role") | Some("ClusterRole")) {
            continue;
        }
        let rules = o.field("rules").items();
        let in_group = |rule: &Node| {
            rule_strings(rule, "apiGroups")
                .iter()
                .any(|g| *g == "*" || *g == "certificates.k8s.io")
        };
        let has_verb = |rule: &Node, verbs: &[&str]| {
            rule_strings(rule, "verbs")
                .iter()
                .any(|v| *v == "*" || verbs.contains(v))
        };
        let names_resource = |rule: &Node, want: &[&str]| {
            rule_strings(rule, "resources")
                .iter()
                .any(|r| want.contains(r))
        };
        // The signers it may approve for: a rule without resourceNames covers all of them.
        let approves_client_certs = rules.iter().any(|rule| {
            if !(in_group(rule)
                && has_verb(rule, &["approve"])
                && names_resource(rule, &["signers"]))
            {
                return false;
            }
            let names = rule_strings(rule, "resourceNames");
            rule.field("resourceNames").items().is_empty()
                || names.iter().any(|n| CLIENT_SIGNERS.contains(n))
        });
        if !approves_client_certs {
            continue;
        }
        let who = object_name(o);
        for (i, rule) in rules.iter().enumerate() {
            if in_group(rule)
                && has_verb(rule, &["update", "patch"])
                && names_resource(
                    rule,
                    &[
                        "certificatesigningrequests/approval",
                        "certificatesigningrequests/*",
                    ],
                )
                && !(rule_strings(rule, "resources").contains(&"*")
                    && rule_strings(rule, "verbs").contains(&"*"))
            {
                let at = rule.get("verbs").unwrap_or(rule);
                hits.push(
                    Hit::at(
                        at,
                        format!("{who} can approve certificate signing requests for API client certificates"),
                    )
                    .with_identity(format!("{who}/rules/{i}/approve-csr")),
                );
            }
        }
    }
}

fn default_service_account_binding(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        if !matches!(
            o.field("kind").as_str(),
            Some("RoleBinding") | Some("ClusterRoleBinding")
        ) {
            continue;
        }
        let Some(role) = text(o.path(&["roleRef", "name"])) else {
            continue;
        };
        let who = object_name(o);
        let binding_ns = o.path(&["metadata", "namespace"]).and_then(Node::as_str);
        for subject in o.field("subjects").items() {
            if subject.field("kind").as_str() != Some("ServiceAccount") {
                continue;
            }
            let Some(n) = subject.get("name").and_then(Node::known) else {
                continue;
            };
            if n.as_str() != Some("default") {
                continue;
            }
            let ns = subject
                .field("namespace")
                .as_str()
                .or(binding_ns)
                .map(|n| format!(" of namespace `{n}`"))
                .unwrap_or_default();
            hits.push(
                Hit::at(
                    n,
                    format!("{who} grants `{role}` to the `default` service account{ns}, so every pod there that names no service account gets it"),
                )
                .with_identity(format!("{who}/ServiceAccount/default{ns}")),
            );
        }
    }
}

fn long_lived_token_secret(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        if o.field("kind").as_str() != Some("Secret") {
            continue;
        }
        let Some(t) = o.get("type").and_then(Node::known) else {
            continue;
        };
        if t.as_str() != Some("kubernetes.io/service-account-token") {
            continue;
        }
        let who = object_name(o);
        let account = o
            .path(&[
                "metadata",
                "annotations",
                "kubernetes.io/service-account.name",
            ])
            .and_then(Node::as_str)
            .unwrap_or("?");
        hits.push(
            Hit::at(
                t,
                format!("{who} asks for a token of service account `{account}` that never expires"),
            )
            .with_identity(format!("{who}/type")),
        );
    }
}

/// Namespaces Kubernetes itself creates and runs its components in.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

fn namespace_without_pod_security(doc: &Document, hits: &mut Vec<Hit>) {
    for o in objects(&doc.root) {
        if o.field("kind").as_str() != Some("Namespace") {
            continue;
        }
        let Some(name) = o.path(&["metadata", "name"]).and_then(Node::known) else {
            continue;
        };
        if name
            .as_str()
            .is_some_and(|n| SYSTEM_NAMESPACES.contains(&n))
        {
            continue;
        }
        let who = object_name(o);
        match o.path(&["metadata", "labels", "pod-security.kubernetes.io/enforce"]) {
            Some(level) => {
                let Some(level) = level.known() else { continue };
                if level.as_str() == Some("privileged") {
                    hits.push(
                        Hit::at(
                            level,
                            format!("{who} enforces the `privileged` Pod Security level, which allows any pod"),
                        )
                        .with_identity(format!("{who}/pod-security")),
                    );
                }
            }
            None => hits.push(
                Hit::at(
                    name,
                    format!("{who} has no `pod-security.kubernetes.io/enforce` label, so Pod Security Admission applies only the cluster's default level to it"),
                )
                .with_identity(format!("{who}/pod-security")),
            ),
        }
    }
}
