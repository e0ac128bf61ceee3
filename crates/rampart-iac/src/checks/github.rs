//! GitHub Actions workflows: the ways attackers get code or credentials out of CI (template
//! injection, dangerous triggers, mutable action references, broad tokens).

use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.gha.template-injection", template_injection),
    ("iac.gha.unpinned-action", unpinned_action),
    (
        "iac.gha.pull-request-target-checkout",
        pull_request_target_checkout,
    ),
    ("iac.gha.write-all-permissions", write_all),
    (
        "iac.gha.checkout-persists-credentials",
        persisted_credentials,
    ),
    ("iac.gha.secrets-inherit", secrets_inherit),
    (
        "iac.gha.self-hosted-runner-on-pull-request",
        self_hosted_on_pull_request,
    ),
    ("iac.gha.secret-in-run", secret_in_run),
];

/// Every step of every job, with the job's id.
fn steps(root: &Node) -> Vec<(&str, &Node)> {
    let mut out = Vec::new();
    for (job, body) in root.field("jobs").as_object().unwrap_or_default() {
        for step in body.field("steps").items() {
            out.push((job.as_str(), step));
        }
    }
    // A composite action's steps.
    for step in root
        .path(&["runs", "steps"])
        .map(Node::items)
        .unwrap_or_default()
    {
        out.push(("(action)", step));
    }
    out
}

/// Contexts an outside contributor controls: an issue or pull request title and body, branch
/// names, commit messages, review and comment text.
const UNTRUSTED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.message",
    "github.head_ref",
];

/// The `${{ … }}` expressions of a text.
fn expressions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else {
            break;
        };
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    out
}

fn untrusted_in(expression: &str) -> Option<&'static str> {
    let e = expression.replace(' ', "");
    UNTRUSTED
        .iter()
        .copied()
        .find(|u| e.contains(u))
        .or_else(|| {
            (e.contains("github.event.commits")
                && (e.contains(".message") || e.contains(".author")))
            .then_some("github.event.commits.*.message")
        })
}

fn template_injection(doc: &Document, hits: &mut Vec<Hit>) {
    for (job, step) in steps(&doc.root) {
        let script = step.get("run").or_else(|| {
            // actions/github-script runs its `script` input as JavaScript.
            step.field("uses")
                .as_str()
                .filter(|u| u.starts_with("actions/github-script"))
                .and_then(|_| step.path(&["with", "script"]))
        });
        let Some(script) = script else { continue };
        let Some(text) = script.as_str() else {
            continue;
        };
        for e in expressions(text) {
            if let Some(source) = untrusted_in(e) {
                hits.push(
                    Hit::at(script, format!("job `{job}` expands `${{{{ {e} }}}}` into a script: {source} is attacker-controlled"))
                        .with_identity(format!("{job}/{e}")),
                );
            }
        }
    }
}

fn unpinned_action(doc: &Document, hits: &mut Vec<Hit>) {
    let mut uses: Vec<(&str, &Node)> = steps(&doc.root)
        .into_iter()
        .filter_map(|(job, s)| s.get("uses").map(|u| (job, u)))
        .collect();
    // Reusable workflows called by a job.
    for (job, body) in doc.root.field("jobs").as_object().unwrap_or_default() {
        if let Some(u) = body.get("uses") {
            uses.push((job.as_str(), u));
        }
    }
    for (job, node) in uses {
        let Some(text) = node.as_str() else { continue };
        if text.starts_with("./") || text.starts_with('.') {
            continue;
        }
        if let Some(image) = text.strip_prefix("docker://") {
            if !image.contains("@sha256:") {
                hits.push(
                    Hit::at(
                        node,
                        format!("job `{job}` runs image `{image}` by a mutable tag"),
                    )
                    .with_identity(format!("{job}/{text}")),
                );
            }
            continue;
        }
        let Some((action, reference)) = text.rsplit_once('@') else {
            hits.push(
                Hit::at(node, format!("job `{job}` uses `{text}` without a version"))
                    .with_identity(format!("{job}/{text}")),
            );
            continue;
        };
        let pinned = reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit());
        if !pinned {
            hits.push(
                Hit::at(node, format!("job `{job}` uses `{action}` at `{reference}`, a ref its owner can move; pin the full commit SHA"))
                    .with_identity(format!("{job}/{action}")),
            );
        }
    }
}

fn triggers(root: &Node) -> Vec<&str> {
    let on = root.field("on");
    match on.as_object() {
        Some(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
        None => on.items().into_iter().filter_map(Node::as_str).collect(),
    }
}

fn pull_request_target_checkout(doc: &Document, hits: &mut Vec<Hit>) {
    let dangerous = triggers(&doc.root)
        .into_iter()
        .any(|t| t == "pull_request_target" || t == "workflow_run");
    if !dangerous {
        return;
    }
    for (job, step) in steps(&doc.root) {
        let is_checkout = step
            .field("uses")
            .as_str()
            .is_some_and(|u| u.starts_with("actions/checkout@") || u == "actions/checkout");
        if !is_checkout {
            continue;
        }
        let Some(reference) = step.path(&["with", "ref"]) else {
            continue;
        };
        let Some(text) = reference.as_str() else {
            continue;
        };
        let head = [
            "pull_request.head",
            "github.head_ref",
            "workflow_run.head",
            "refs/pull/",
        ]
        .iter()
        .any(|h| text.contains(h));
        if head {
            hits.push(
                Hit::at(reference, format!("job `{job}` checks out the pull request's code (`{text}`) in a privileged pull_request_target or workflow_run run"))
                    .with_identity(format!("{job}/checkout")),
            );
        }
    }
}

fn write_all(doc: &Document, hits: &mut Vec<Hit>) {
    let mut check = |node: &Node, whose: String| {
        if node.as_str() == Some("write-all") {
            hits.push(
                Hit::at(
                    node,
                    format!("{whose} grants the token write access to everything"),
                )
                .with_identity(whose),
            );
        }
    };
    if let Some(p) = doc.root.get("permissions") {
        check(p, "the workflow".to_string());
    }
    for (job, body) in doc.root.field("jobs").as_object().unwrap_or_default() {
        if let Some(p) = body.get("permissions") {
            check(p, format!("job `{job}`"));
        }
    }
}

fn persisted_credentials(doc: &Document, hits: &mut Vec<Hit>) {
    for (job, step) in steps(&doc.root) {
        let Some(uses) = step.get("uses") else {
            continue;
        };
        if !uses
            .as_str()
            .is_some_and(|u| u.starts_with("actions/checkout"))
        {
            continue;
        }
        match step.path(&["with", "persist-credentials"]) {
            Some(v) if v.is_unknown() || v.as_bool() == Some(false) => {}
            Some(v) => hits.push(Hit::at(v, format!("job `{job}`: checkout keeps the token in .git/config")).with_identity(format!("{job}/checkout"))),
            None => hits.push(
                Hit::at(uses, format!("job `{job}`: actions/checkout leaves the token in .git/config for every later step (set persist-credentials: false)"))
                    .with_identity(format!("{job}/checkout")),
            ),
        }
    }
}

fn secrets_inherit(doc: &Document, hits: &mut Vec<Hit>) {
    for (job, body) in doc.root.field("jobs").as_object().unwrap_or_default() {
        let Some(uses) = body.get("uses").and_then(Node::as_str) else {
            continue;
        };
        // A workflow of the same repository sees the same secrets anyway.
        if uses.starts_with("./") {
            continue;
        }
        if let Some(secrets) = body.get("secrets") {
            if secrets.as_str() == Some("inherit") {
                hits.push(
                    Hit::at(
                        secrets,
                        format!("job `{job}` passes every secret of the repository to `{uses}`"),
                    )
                    .with_identity(format!("{job}/secrets")),
                );
            }
        }
    }
}

/// The labels a job's `runs-on` names (`runs-on: x`, `[x, y]` or `{labels: …}`).
fn runner_labels(runs_on: &Node) -> Vec<&Node> {
    match runs_on.get("labels") {
        Some(labels) => labels.items(),
        None => runs_on.items(),
    }
}

fn self_hosted_on_pull_request(doc: &Document, hits: &mut Vec<Hit>) {
    let from_pull_requests = triggers(&doc.root)
        .into_iter()
        .any(|t| t == "pull_request" || t == "pull_request_target");
    if !from_pull_requests {
        return;
    }
    for (job, body) in doc.root.field("jobs").as_object().unwrap_or_default() {
        let Some(runs_on) = body.get("runs-on") else {
            continue;
        };
        for label in runner_labels(runs_on) {
            if label
                .as_str()
                .is_some_and(|l| l.eq_ignore_ascii_case("self-hosted"))
            {
                hits.push(
                    Hit::at(
                        label,
                        format!("job `{job}` runs pull request workflows on a self-hosted runner"),
                    )
                    .with_identity(format!("{job}/runs-on")),
                );
            }
        }
    }
}

fn secret_in_run(doc: &Document, hits: &mut Vec<Hit>) {
    for (job, step) in steps(&doc.root) {
        let Some(run) = step.get("run") else { continue };
        let Some(text) = run.as_str() else { continue };
        for e in expressions(text) {
            if reads_secrets(e) {
                hits.push(
                    Hit::at(
                        run,
                        format!("job `{job}` writes `${{{{ {e} }}}}` into the text of a script"),
                    )
                    .with_identity(format!("{job}/{e}")),
                );
            }
        }
    }
}

/// Whether an expression reads the `secrets` context (`secrets.X`, `secrets['X']`), not a
/// property that happens to be called `secrets` (`inputs.secrets`).
fn reads_secrets(expression: &str) -> bool {
    let compact = expression.replace(' ', "");
    compact.match_indices("secrets").any(|(at, _)| {
        let before = compact[..at].chars().next_back();
        let after = compact[at + "secrets".len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
            && matches!(after, Some('.') | Some('['))
    })
}
