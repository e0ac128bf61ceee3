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
];

/// A workload's pod spec, with the workload's name for messages: Pods, the controllers that
/// template pods, and CronJobs; `List` documents are looked into.
fn pod_specs(root: &Node) -> Vec<(String, &Node)> {
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
    let spec = match kind {
        "Pod" => root.get("spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => root.path(&["spec", "template", "spec"]),
        "CronJob" => root.path(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    };
    if let Some(spec) = spec.filter(|s| s.as_object().is_some()) {
        out.push((name, spec));
    }
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
