//! GitHub Actions workflows and composite actions: the ways attackers get code or credentials
//! out of CI (template injection, dangerous triggers and what flows through them, mutable
//! action and image references, broad tokens, leaked or over-shared secrets, poisoned caches)
//! and conditions that do not check what they seem to.

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
    ("iac.gha.dangerous-trigger", dangerous_trigger),
    (
        "iac.gha.hardcoded-container-credentials",
        hardcoded_container_credentials,
    ),
    ("iac.gha.insecure-commands", insecure_commands),
    ("iac.gha.overprovisioned-secrets", overprovisioned_secrets),
    ("iac.gha.unredacted-secrets", unredacted_secrets),
    ("iac.gha.unpinned-container-image", unpinned_container_image),
    ("iac.gha.unsound-contains", unsound_contains),
    ("iac.gha.unsound-condition", unsound_condition),
    ("iac.gha.spoofable-bot-condition", bot_condition),
    ("iac.gha.github-env-injection", github_env),
    ("iac.gha.cache-poisoning", cache_poisoning),
    ("iac.gha.default-token-permissions", default_permissions),
    (
        "iac.gha.workflow-level-write-permissions",
        workflow_level_write,
    ),
    ("iac.gha.use-trusted-publishing", trusted_publishing),
    (
        "iac.gha.artifact-with-credentials",
        artifact_with_credentials,
    ),
    ("iac.gha.input-injection", input_injection),
    ("iac.gha.action-input-injection", action_input_injection),
    ("iac.gha.curl-pipe-shell", curl_pipe_shell),
    (
        "iac.gha.secret-to-unpinned-action",
        secret_to_unpinned_action,
    ),
    (
        "iac.gha.comment-triggered-checkout",
        comment_triggered_checkout,
    ),
    ("iac.gha.artifact-poisoning", artifact_poisoning),
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
        if !is_repository_reference(text) {
            // Not `owner/repo[/path][@ref]`: an expression or a placeholder, not judged.
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

/// Whether `uses:` names a repository: `owner/repo`, then an optional path and `@ref`.
fn is_repository_reference(text: &str) -> bool {
    let name = text.split('@').next().unwrap_or_default();
    let mut parts = name.split('/');
    let owner = parts.next().unwrap_or_default();
    let repo = parts.next().unwrap_or_default();
    !owner.is_empty()
        && owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !repo.is_empty()
        && repo
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
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

/// The jobs of a workflow, by id.
fn jobs(root: &Node) -> &[(String, Node)] {
    root.field("jobs").as_object().unwrap_or_default()
}

/// Every string value of a document, in order (bounded in depth), with its path of keys and
/// indexes (`jobs/deploy/steps/0/env/TOKEN`).
fn strings(node: &Node) -> Vec<(String, &Node)> {
    fn walk<'a>(node: &'a Node, path: String, out: &mut Vec<(String, &'a Node)>, depth: usize) {
        if depth > 64 {
            return;
        }
        if node.as_str().is_some() {
            out.push((path, node));
        } else if let Some(items) = node.as_array() {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{path}/{i}"), out, depth + 1);
            }
        } else if let Some(entries) = node.as_object() {
            for (k, v) in entries {
                walk(v, format!("{path}/{k}"), out, depth + 1);
            }
        }
    }
    let mut out = Vec::new();
    walk(node, String::new(), &mut out, 0);
    out
}

/// The trigger nodes of a workflow with their event names: the item of `on: [a, b]` or
/// `on: a`, or the value under `on: {a: …}`.
fn trigger_nodes(root: &Node) -> Vec<(&str, &Node)> {
    let on = root.field("on");
    match on.as_object() {
        Some(entries) => entries
            .iter()
            .map(|(k, v)| (k.as_str(), if v.span.line > 0 { v } else { on }))
            .collect(),
        None => on
            .items()
            .into_iter()
            .filter_map(|n| n.as_str().map(|s| (s, n)))
            .collect(),
    }
}

/// Whether a workflow runs with the base repository's secrets and token for events an outside
/// contributor can cause.
fn privileged_trigger(root: &Node) -> Option<&'static str> {
    let all = triggers(root);
    ["pull_request_target", "workflow_run"]
        .into_iter()
        .find(|t| all.contains(t))
}

fn dangerous_trigger(doc: &Document, hits: &mut Vec<Hit>) {
    for (event, node) in trigger_nodes(&doc.root) {
        let why = match event {
            "pull_request_target" => "runs for pull requests from forks with the base repository's secrets and a token that can have write access",
            "workflow_run" => "runs with the repository's secrets and a token that can have write access, after workflows that pull requests from forks can trigger",
            _ => continue,
        };
        hits.push(
            Hit::at(
                node,
                format!("the workflow is triggered by `{event}`, which {why}"),
            )
            .with_identity(format!("on/{event}")),
        );
    }
}

/// Every container a job runs in: its `container` and its `services`, with a label.
fn job_containers(root: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    for (job, body) in jobs(root) {
        if let Some(c) = body.get("container") {
            out.push((format!("job `{job}` container"), c));
        }
        for (name, service) in body.field("services").as_object().unwrap_or_default() {
            out.push((format!("job `{job}` service `{name}`"), service));
        }
    }
    out
}

fn hardcoded_container_credentials(doc: &Document, hits: &mut Vec<Hit>) {
    for (what, container) in job_containers(&doc.root) {
        let Some(password) = container.path(&["credentials", "password"]) else {
            continue;
        };
        let literal = match &password.value {
            crate::model::Value::String(s) => !s.trim().is_empty() && !s.contains("${{"),
            crate::model::Value::Number(_) | crate::model::Value::Bool(_) => true,
            _ => false,
        };
        if literal {
            hits.push(
                Hit::at(
                    password,
                    format!("{what}: the registry password is written in the workflow"),
                )
                .with_identity(format!("{what}/credentials/password")),
            );
        }
    }
}

/// Every `env` mapping of a workflow or composite action, with whose it is.
fn envs(root: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    if let Some(env) = root.get("env") {
        out.push(("the workflow".to_string(), env));
    }
    for (job, body) in jobs(root) {
        if let Some(env) = body.get("env") {
            out.push((format!("job `{job}`"), env));
        }
    }
    for (job, step) in steps(root) {
        if let Some(env) = step.get("env") {
            let name = step
                .field("name")
                .as_str()
                .or_else(|| step.field("id").as_str())
                .map(|n| format!(" step `{n}`"))
                .unwrap_or_default();
            out.push((format!("job `{job}`{name}"), env));
        }
    }
    out
}

fn insecure_commands(doc: &Document, hits: &mut Vec<Hit>) {
    for (whose, env) in envs(&doc.root) {
        let Some(value) = env.get("ACTIONS_ALLOW_UNSECURE_COMMANDS") else {
            continue;
        };
        if value.known().and_then(Node::as_bool) == Some(true) {
            hits.push(
                Hit::at(
                    value,
                    format!("{whose} sets ACTIONS_ALLOW_UNSECURE_COMMANDS, so anything printed to the log can set environment variables and PATH"),
                )
                .with_identity(format!("{whose}/ACTIONS_ALLOW_UNSECURE_COMMANDS")),
            );
        }
    }
}

/// An expression without spaces, in lower case (functions and contexts are case-insensitive).
fn compact(expression: &str) -> String {
    expression
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn overprovisioned_secrets(doc: &Document, hits: &mut Vec<Hit>) {
    for (path, node) in strings(&doc.root) {
        let Some(text) = node.as_str() else { continue };
        for e in expressions(text) {
            let c = compact(e);
            if c == "secrets" || c.contains("tojson(secrets)") {
                if hits.iter().any(|h| h.span == node.span) {
                    continue;
                }
                hits.push(
                    Hit::at(
                        node,
                        format!("`${{{{ {e} }}}}` hands every secret the workflow can read to this step, not just the ones it uses"),
                    )
                    .with_identity(format!("{}/{c}", path.trim_start_matches('/'))),
                );
            }
        }
    }
}

fn unredacted_secrets(doc: &Document, hits: &mut Vec<Hit>) {
    for (path, node) in strings(&doc.root) {
        let Some(text) = node.as_str() else { continue };
        for e in expressions(text) {
            let c = compact(e);
            if c.contains("fromjson(secrets.") || c.contains("fromjson(secrets[") {
                if hits.iter().any(|h| h.span == node.span) {
                    continue;
                }
                hits.push(
                    Hit::at(
                        node,
                        format!("`${{{{ {e} }}}}` takes a part of a structured secret, which the runner does not mask in logs"),
                    )
                    .with_identity(format!("{}/{c}", path.trim_start_matches('/'))),
                );
            }
        }
    }
}

fn unpinned_container_image(doc: &Document, hits: &mut Vec<Hit>) {
    let mut containers = job_containers(&doc.root);
    // A Docker container action that runs a published image (`image: docker://…`).
    if let Some(image) = doc.root.path(&["runs", "image"]) {
        if image.as_str().is_some_and(|i| i.starts_with("docker://")) {
            containers.push(("the action".to_string(), image));
        }
    }
    for (what, container) in containers {
        // `container: image` or `container: {image: …}`.
        let image = container.get("image").unwrap_or(container);
        let Some(text) = image.known().and_then(Node::as_str) else {
            continue;
        };
        let text = text.strip_prefix("docker://").unwrap_or(text);
        if let Some(why) = super::gitlab::unpinned_image(text) {
            hits.push(
                Hit::at(image, format!("{what}: image `{text}` {why}"))
                    .with_identity(format!("{what}/{text}")),
            );
        }
    }
}

/// The `if` conditions of jobs and steps, with whose they are.
fn conditions(root: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    for (job, body) in jobs(root) {
        if let Some(c) = body.get("if") {
            out.push((format!("job `{job}`"), c));
        }
    }
    for (job, step) in steps(root) {
        if let Some(c) = step.get("if") {
            out.push((format!("a step of job `{job}`"), c));
        }
    }
    out
}

/// The expression text of a condition: the fenced expressions, or the whole text when it is
/// written bare (`if: github.ref == 'refs/heads/main'`).
fn condition_expressions(text: &str) -> Vec<&str> {
    if text.contains("${{") {
        expressions(text)
    } else {
        vec![text.trim()]
    }
}

/// `contains('…', needle)` calls whose first argument is a string literal and whose second
/// is not: a substring test where a list was meant.
fn unsound_contains_calls(expression: &str) -> Vec<String> {
    let lower = expression.to_ascii_lowercase();
    let bytes = expression.as_bytes();
    let mut out = Vec::new();
    for (at, _) in lower.match_indices("contains(") {
        // Not the tail of another name (`mycontains(`).
        if lower[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            continue;
        }
        let mut i = at + "contains(".len();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'\'') {
            continue;
        }
        // The literal: `''` is an escaped quote.
        let start = i;
        i += 1;
        loop {
            match bytes.get(i) {
                None => break,
                Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                Some(b'\'') => break,
                Some(_) => i += 1,
            }
        }
        if i >= bytes.len() {
            continue;
        }
        let literal = &expression[start..=i];
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b',') {
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let rest = &expression[i..];
        let end = rest.find(')').unwrap_or(rest.len());
        let needle = rest[..end].trim();
        // A context (`github.ref`, `env.BRANCH`), not another literal.
        if needle
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && !matches!(needle, "true" | "false" | "null")
        {
            out.push(format!("contains({literal}, {needle})"));
        }
    }
    out
}

fn unsound_contains(doc: &Document, hits: &mut Vec<Hit>) {
    for (whose, condition) in conditions(&doc.root) {
        let Some(text) = condition.as_str() else {
            continue;
        };
        for e in condition_expressions(text) {
            for call in unsound_contains_calls(e) {
                hits.push(
                    Hit::at(
                        condition,
                        format!("{whose}: `{call}` tests whether the value is a substring of the text, so any shorter value (a branch `mai` for `refs/heads/main`) passes too"),
                    )
                    .with_identity(format!("{whose}/{call}")),
                );
            }
        }
    }
}

fn unsound_condition(doc: &Document, hits: &mut Vec<Hit>) {
    for (whose, condition) in conditions(&doc.root) {
        let Some(text) = condition.as_str() else {
            continue;
        };
        if !text.contains("${{") {
            continue;
        }
        let single =
            text.starts_with("${{") && text.ends_with("}}") && text.matches("${{").count() == 1;
        if !single {
            hits.push(
                Hit::at(
                    condition,
                    format!("{whose}: the condition has text outside its `${{{{ }}}}` (often a block scalar's trailing newline), so it is a non-empty string and always true"),
                )
                .with_identity(format!("{whose}/if")),
            );
        }
    }
}

/// Triggers whose runs can be caused by someone other than the account in `github.actor`:
/// it names whoever acted last (pushed the last commit, re-ran the workflow).
const ACTOR_SPOOFABLE_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
    "issue_comment",
    "workflow_run",
];

/// `github.actor == '…[bot]'` (either way round, also `github.triggering_actor`) in a
/// compacted, lower-cased expression.
fn bot_actor_comparison(compacted: &str) -> Option<String> {
    for context in ["github.actor", "github.triggering_actor"] {
        for (at, _) in compacted.match_indices(context) {
            let after = &compacted[at + context.len()..];
            if let Some(rest) = after.strip_prefix("=='") {
                if let Some(end) = rest.find('\'') {
                    if rest[..end].ends_with("[bot]") {
                        return Some(format!("{context} == '{}'", &rest[..end]));
                    }
                }
            }
            let before = &compacted[..at];
            if let Some(rest) = before.strip_suffix("'==") {
                if let Some(start) = rest.rfind('\'') {
                    if rest[start + 1..].ends_with("[bot]") {
                        return Some(format!("{context} == '{}'", &rest[start + 1..]));
                    }
                }
            }
        }
    }
    None
}

fn bot_condition(doc: &Document, hits: &mut Vec<Hit>) {
    let all = triggers(&doc.root);
    if !ACTOR_SPOOFABLE_TRIGGERS.iter().any(|t| all.contains(t)) {
        return;
    }
    for (whose, condition) in conditions(&doc.root) {
        let Some(text) = condition.as_str() else {
            continue;
        };
        for e in condition_expressions(text) {
            if let Some(test) = bot_actor_comparison(&compact(e)) {
                hits.push(
                    Hit::at(
                        condition,
                        format!("{whose} trusts `{test}`: the actor is whoever acted last on the pull request, so anyone can get a bot's run to act on their own commits"),
                    )
                    .with_identity(format!("{whose}/{test}")),
                );
                break;
            }
        }
    }
}

/// Environment variables that a step's own runner sets: writing them to `$GITHUB_ENV` or
/// `$GITHUB_PATH` writes nothing an outsider chose.
const RUNNER_VARIABLES: &[&str] = &[
    "GITHUB_ENV",
    "GITHUB_PATH",
    "GITHUB_OUTPUT",
    "GITHUB_WORKSPACE",
    "GITHUB_ACTION_PATH",
    "GITHUB_SHA",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_NUMBER",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_REPOSITORY",
    "GITHUB_SERVER_URL",
    "RUNNER_TEMP",
    "RUNNER_TOOL_CACHE",
    "RUNNER_OS",
    "RUNNER_ARCH",
    "HOME",
    "PWD",
    "PATH",
    "env:GITHUB_ENV",
    "env:GITHUB_PATH",
];

/// Whether an expression reads data an outsider can shape: untrusted event text, or another
/// step's or job's output (often taken from artifacts or files of the pull request).
fn untrusted_expression(expression: &str) -> bool {
    untrusted_in(expression).is_some() || compact(expression).contains(".outputs.")
}

/// Whether the data part of a line that writes to `$GITHUB_ENV`/`$GITHUB_PATH` may come from
/// outside: an untrusted expression, a command's output, a file, or a shell variable that
/// `tainted` says holds such data.
fn untrusted_data(data: &str, tainted: &dyn Fn(&str) -> bool) -> Option<String> {
    for e in expressions(data) {
        if untrusted_expression(e) {
            return Some(format!("`${{{{ {e} }}}}`"));
        }
    }
    if data.contains("$(") || data.contains('`') {
        return Some("a command's output".to_string());
    }
    let words: Vec<&str> = data.split_whitespace().collect();
    if words
        .iter()
        .any(|w| matches!(*w, "cat" | "<" | "jq" | "head" | "tail" | "sed" | "awk"))
    {
        return Some("a file's contents".to_string());
    }
    shell_variables(data)
        .into_iter()
        .find(|name| !RUNNER_VARIABLES.contains(name) && tainted(name))
        .map(|name| format!("`${name}`"))
}

/// The shell variables a text expands (`$NAME`, `${NAME}`, PowerShell's `$env:NAME`), not
/// counting `${{ }}` expressions.
fn shell_variables(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let braced = bytes.get(i + 1) == Some(&b'{');
        if braced && bytes.get(i + 2) == Some(&b'{') {
            i += 3;
            continue;
        }
        let start = if braced { i + 2 } else { i + 1 };
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b':')
        {
            end += 1;
        }
        let name = &text[start..end];
        if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(name.strip_prefix("env:").unwrap_or(name));
        }
        i = end.max(i + 1);
    }
    out
}

/// Whether a shell variable used in a step holds outside data: set in `env:` from an untrusted
/// expression, or assigned in the script from a command, a file or another variable. A
/// variable set nowhere in sight is not judged.
fn tainted_variable(root: &Node, job: &str, step: &Node, script: &str, name: &str) -> bool {
    if let Some(value) = env_value(root, job, step, name) {
        return value
            .as_str()
            .is_some_and(|v| expressions(v).into_iter().any(untrusted_expression));
    }
    script.lines().any(|line| {
        let line = line.trim_start();
        let line = line
            .strip_prefix("export ")
            .or_else(|| line.strip_prefix("local "))
            .unwrap_or(line)
            .trim_start();
        let Some(value) = line.strip_prefix(name).and_then(|r| r.strip_prefix('=')) else {
            return false;
        };
        value.contains('$') || value.contains('`') || value.contains("${{")
    })
}

fn github_env(doc: &Document, hits: &mut Vec<Hit>) {
    let Some(trigger) = privileged_trigger(&doc.root) else {
        return;
    };
    for (job, step) in steps(&doc.root) {
        let Some(run) = step.get("run") else { continue };
        let Some(text) = run.as_str() else { continue };
        for line in text.lines() {
            let Some(file) = ["GITHUB_ENV", "GITHUB_PATH"]
                .into_iter()
                .find(|f| line.contains(f))
            else {
                continue;
            };
            let writes = line.contains('>')
                || line.contains("tee ")
                || line.contains("Add-Content")
                || line.contains("Out-File")
                || line.contains("Set-Content");
            if !writes {
                continue;
            }
            let trimmed = line.trim_start();
            // The closing line of a `{ …; } >> "$GITHUB_ENV"` group or a loop: what it writes
            // was produced by the lines before it.
            let data = if trimmed.starts_with('}') || trimmed.starts_with("done") {
                Some("the output of a block of commands".to_string())
            } else {
                untrusted_data(line, &|name| {
                    tainted_variable(&doc.root, job, step, text, name)
                })
            };
            if let Some(what) = data {
                hits.push(
                    Hit::at(
                        run,
                        format!("job `{job}` writes {what} to ${file} in a `{trigger}` workflow: a value an outsider can influence becomes an environment variable or PATH entry (`LD_PRELOAD`, `BASH_ENV`) for every later step"),
                    )
                    .with_identity(format!("{job}/{file}/{}", line.trim())),
                );
            }
        }
    }
}

/// Whether a workflow publishes: it runs for releases or tag pushes, or one of its steps uses a
/// publishing action.
fn publishes(root: &Node) -> Option<String> {
    let on = root.field("on");
    if triggers(root).contains(&"release") {
        return Some("runs for releases".to_string());
    }
    if let Some(push) = on.get("push") {
        if push.get("tags").is_some() && push.get("branches").is_none() {
            return Some("runs for tag pushes".to_string());
        }
    }
    const PUBLISHERS: &[&str] = &[
        "pypa/gh-action-pypi-publish",
        "softprops/action-gh-release",
        "goreleaser/goreleaser-action",
        "ncipollo/release-action",
        "rubygems/release-gem",
        "JS-DevTools/npm-publish",
        "rust-lang/crates-io-auth-action",
    ];
    steps(root).into_iter().find_map(|(_, step)| {
        let uses = step.field("uses").as_str()?;
        let action = uses.split('@').next().unwrap_or(uses);
        PUBLISHERS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(action))
            .then(|| format!("publishes with `{action}`"))
    })
}

/// The major version a `uses` reference names (`v4`, `v4.1.0`), when it is a version tag.
fn major_version(reference: &str) -> Option<u32> {
    let digits: String = reference
        .strip_prefix('v')?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Whether a step restores a cache: which action, and the input that turns it on.
fn restores_cache(step: &Node) -> Option<String> {
    let uses = step.field("uses").as_str()?;
    let (action, reference) = uses.split_once('@').unwrap_or((uses, ""));
    let action = action.to_ascii_lowercase();
    let with = step.field("with");
    let on = |key: &str| {
        with.get(key).and_then(|v| {
            let v = v.known()?;
            match (v.as_bool(), v.as_str()) {
                (Some(b), _) => Some(b),
                (None, Some(s)) => Some(!s.trim().is_empty() && !s.contains("${{")),
                _ => None,
            }
        })
    };
    match action.as_str() {
        "actions/cache" | "actions/cache/restore" => Some(action),
        "swatinem/rust-cache" => (on("lookup-only") != Some(true)).then_some(action),
        "actions/setup-node"
        | "actions/setup-python"
        | "actions/setup-java"
        | "actions/setup-dotnet" => {
            (on("cache") == Some(true)).then(|| format!("{action} with `cache`"))
        }
        "actions/setup-go" => match on("cache") {
            Some(true) => Some(format!("{action} with `cache`")),
            // Caching is on by default from v4.
            None if major_version(reference).is_some_and(|m| m >= 4) => {
                Some(format!("{action} (caches by default)"))
            }
            _ => None,
        },
        "ruby/setup-ruby" => {
            (on("bundler-cache") == Some(true)).then(|| format!("{action} with `bundler-cache`"))
        }
        "astral-sh/setup-uv" => {
            (on("enable-cache") == Some(true)).then(|| format!("{action} with `enable-cache`"))
        }
        _ => None,
    }
}

fn cache_poisoning(doc: &Document, hits: &mut Vec<Hit>) {
    let Some(why) = publishes(&doc.root) else {
        return;
    };
    for (job, step) in steps(&doc.root) {
        // A condition on the event or ref may keep the cache out of release runs: not decided.
        if step.get("if").is_some() {
            continue;
        }
        let Some(what) = restores_cache(step) else {
            continue;
        };
        hits.push(
            Hit::at(
                step.field("uses"),
                format!("job `{job}` restores a cache ({what}) in a workflow that {why}: a cache entry poisoned by any earlier run ends up in the released artifacts"),
            )
            .with_identity(format!("{job}/{what}")),
        );
    }
}

fn default_permissions(doc: &Document, hits: &mut Vec<Hit>) {
    let root = &doc.root;
    if root.get("permissions").is_some() {
        return;
    }
    // A reusable workflow runs with the permissions its caller grants.
    let all = triggers(root);
    if all.is_empty() || all.iter().all(|t| *t == "workflow_call") {
        return;
    }
    let Some(jobs_node) = root.get("jobs") else {
        return;
    };
    let without: Vec<&str> = jobs(root)
        .iter()
        .filter(|(_, body)| body.get("permissions").is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    if without.is_empty() {
        return;
    }
    let names = without
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    hits.push(
        Hit::at(
            jobs_node,
            format!("the workflow sets no `permissions`, so job(s) {names} get the repository's default token permissions, which can include write access to contents, packages and pull requests"),
        )
        .with_identity("permissions"),
    );
}

fn workflow_level_write(doc: &Document, hits: &mut Vec<Hit>) {
    let root = &doc.root;
    let Some(scopes) = root.get("permissions").and_then(Node::as_object) else {
        return;
    };
    let inheriting: Vec<&str> = jobs(root)
        .iter()
        .filter(|(_, body)| body.get("permissions").is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    // With one job, the workflow's permissions are that job's.
    if inheriting.len() < 2 {
        return;
    }
    let names = inheriting
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    for (scope, level) in scopes {
        if level.as_str() == Some("write") {
            hits.push(
                Hit::at(
                    level,
                    format!("`{scope}: write` is granted to the whole workflow, so jobs {names} all get it; grant it only to the job that needs it"),
                )
                .with_identity(format!("permissions/{scope}")),
            );
        }
    }
}

/// The value of an environment variable for a step: its own `env`, then its job's, then the
/// workflow's.
fn env_value<'a>(root: &'a Node, job: &str, step: &'a Node, name: &str) -> Option<&'a Node> {
    step.path(&["env", name])
        .or_else(|| root.path(&["jobs", job, "env", name]))
        .or_else(|| root.path(&["env", name]))
}

/// Publishing commands whose registry supports trusted publishing (OIDC), with the variables
/// that carry a long-lived token for them.
const PUBLISH_COMMANDS: &[(&str, &str, &[&str])] = &[
    ("twine upload", "PyPI", &["TWINE_PASSWORD"]),
    (
        "uv publish",
        "PyPI",
        &["UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"],
    ),
    ("poetry publish", "PyPI", &["POETRY_PYPI_TOKEN_PYPI"]),
    ("cargo publish", "crates.io", &["CARGO_REGISTRY_TOKEN"]),
    ("npm publish", "npm", &["NODE_AUTH_TOKEN", "NPM_TOKEN"]),
    ("gem push", "RubyGems", &["GEM_HOST_API_KEY"]),
];

fn trusted_publishing(doc: &Document, hits: &mut Vec<Hit>) {
    let root = &doc.root;
    // A stored secret; not the job's own GITHUB_TOKEN (GitHub Packages, which has no trusted
    // publishing).
    let from_secret = |n: &Node| {
        n.as_str()
            .is_some_and(|s| reads_secrets(s) && !compact(s).contains("secrets.github_token"))
    };
    for (job, step) in steps(root) {
        if let Some(uses) = step.field("uses").as_str() {
            if uses
                .to_ascii_lowercase()
                .starts_with("pypa/gh-action-pypi-publish@")
            {
                let custom_index = ["repository-url", "repository_url"].iter().any(|k| {
                    step.path(&["with", k])
                        .and_then(Node::as_str)
                        .is_some_and(|u| !u.contains("pypi.org"))
                });
                if let Some(password) = step.path(&["with", "password"]) {
                    if !custom_index && from_secret(password) {
                        hits.push(
                            Hit::at(password, format!("job `{job}` uploads to PyPI with a long-lived API token; PyPI supports trusted publishing, which needs no stored token"))
                                .with_identity(format!("{job}/pypi")),
                        );
                    }
                }
            }
            continue;
        }
        let Some(run) = step.get("run") else { continue };
        let Some(text) = run.as_str() else { continue };
        for (command, registry, variables) in PUBLISH_COMMANDS {
            let Some(line) = text.lines().find(|l| l.contains(command)) else {
                continue;
            };
            // Another registry than the public one.
            if *registry == "npm" && npm_registry_elsewhere(root, job) {
                continue;
            }
            if line.contains("--registry")
                || line.contains("--repository")
                || line.contains("--index")
                || line.contains("--publish-url")
            {
                continue;
            }
            let token = variables
                .iter()
                .find_map(|v| env_value(root, job, step, v).filter(|n| from_secret(n)))
                .or_else(|| {
                    (line.contains("--token")
                        || line.contains("--password")
                        || line.contains(" -p "))
                    .then_some(run)
                    .filter(|_| reads_secrets(line))
                });
            if let Some(token) = token {
                hits.push(
                    Hit::at(token, format!("job `{job}` runs `{command}` with a long-lived {registry} token from a secret; {registry} supports trusted publishing, which needs no stored token"))
                        .with_identity(format!("{job}/{command}")),
                );
            }
        }
    }
}

/// Whether a job points npm at another registry than npmjs.org (actions/setup-node's
/// `registry-url`).
fn npm_registry_elsewhere(root: &Node, job: &str) -> bool {
    root.path(&["jobs", job, "steps"])
        .map(Node::items)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|step| step.path(&["with", "registry-url"]))
        .any(|url| {
            url.as_str()
                .is_none_or(|u| !u.contains("registry.npmjs.org"))
        })
}

/// Whether an upload path covers the whole workspace (and so `.git/config`).
fn whole_workspace(path: &str) -> bool {
    path.lines().map(str::trim).any(|p| {
        let p = p.trim_end_matches('/');
        matches!(
            p,
            "." | "./" | "" | "*" | "**" | "./*" | "./**" | ".git" | "./.git"
        ) || p.replace(' ', "") == "${{github.workspace}}"
            || p.ends_with("/.git")
    }) && !path.trim().is_empty()
}

fn artifact_with_credentials(doc: &Document, hits: &mut Vec<Hit>) {
    for (job, body) in jobs(&doc.root) {
        let mut persisted = false;
        for step in body.field("steps").items() {
            let Some(uses) = step.field("uses").as_str() else {
                continue;
            };
            let (action, reference) = uses.split_once('@').unwrap_or((uses, ""));
            let action = action.to_ascii_lowercase();
            if action == "actions/checkout" {
                let persist = step
                    .path(&["with", "persist-credentials"])
                    .map(|v| v.known().and_then(Node::as_bool));
                // Absent means true; an unknown value is not decided.
                persisted |= matches!(persist, None | Some(Some(true)));
                continue;
            }
            if action != "actions/upload-artifact" || !persisted {
                continue;
            }
            let Some(path) = step.path(&["with", "path"]) else {
                continue;
            };
            let Some(text) = path.known().and_then(Node::as_str) else {
                continue;
            };
            if !whole_workspace(text) {
                continue;
            }
            // From v4.4.0 hidden files (`.git/`) are left out unless asked for.
            let hidden = step
                .path(&["with", "include-hidden-files"])
                .and_then(|v| v.known().and_then(Node::as_bool))
                == Some(true);
            let old = major_version(reference).is_some_and(|m| m <= 3)
                || ["v4.0", "v4.1", "v4.2", "v4.3"]
                    .iter()
                    .any(|v| reference == *v || reference.starts_with(&format!("{v}.")));
            if hidden || old {
                hits.push(
                    Hit::at(path, format!("job `{job}` uploads the checked-out workspace, with the token actions/checkout stored in .git/config, as an artifact anyone who can read the run can download"))
                        .with_identity(format!("{job}/upload-artifact")),
                );
            }
        }
    }
}

/// The declared inputs of a workflow (`workflow_dispatch` and `workflow_call`) that take free
/// text: type `string`, or no type (a `workflow_dispatch` input's default).
fn free_text_inputs(root: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for event in ["workflow_dispatch", "workflow_call"] {
        for (name, spec) in root
            .path(&["on", event, "inputs"])
            .and_then(Node::as_object)
            .unwrap_or_default()
        {
            let free = match spec.get("type") {
                None => event == "workflow_dispatch",
                Some(t) => t.as_str() == Some("string"),
            };
            if free {
                out.push(name.to_ascii_lowercase());
            }
        }
    }
    out
}

/// The input an expression reads (`inputs.x`, `github.event.inputs.x`), if any, in lower case.
fn input_read(expression: &str) -> Option<String> {
    let c = compact(expression);
    let at = c.find("inputs.")?;
    let before = &c[..at];
    if !(before.is_empty()
        || before.ends_with("github.event.")
        || before.ends_with(|ch: char| {
            !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' || ch == '-')
        }))
    {
        return None;
    }
    let name: String = c[at + "inputs.".len()..]
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_' || *ch == '-')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The script of a step: `run`, or the `script` of actions/github-script.
fn script_of(step: &Node) -> Option<&Node> {
    step.get("run").or_else(|| {
        step.field("uses")
            .as_str()
            .filter(|u| u.starts_with("actions/github-script"))
            .and_then(|_| step.path(&["with", "script"]))
    })
}

fn input_injection(doc: &Document, hits: &mut Vec<Hit>) {
    let free = free_text_inputs(&doc.root);
    if free.is_empty() {
        return;
    }
    for (job, step) in steps(&doc.root) {
        let Some(script) = script_of(step) else {
            continue;
        };
        let Some(text) = script.as_str() else {
            continue;
        };
        let mut seen: Vec<String> = Vec::new();
        for e in expressions(text) {
            let Some(input) = input_read(e) else { continue };
            if free.contains(&input) && !seen.contains(&input) {
                seen.push(input.clone());
                hits.push(
                    Hit::at(script, format!("job `{job}` expands the free-text input `{input}` into a script: whoever starts or calls the workflow can run commands with its token and secrets"))
                        .with_identity(format!("{job}/{input}")),
                );
            }
        }
    }
}

fn action_input_injection(doc: &Document, hits: &mut Vec<Hit>) {
    let root = &doc.root;
    let composite = root
        .path(&["runs", "using"])
        .and_then(Node::as_str)
        .is_some_and(|u| u.eq_ignore_ascii_case("composite"));
    if !composite {
        return;
    }
    let declared: Vec<String> = root
        .field("inputs")
        .as_object()
        .unwrap_or_default()
        .iter()
        .map(|(k, _)| k.to_ascii_lowercase())
        .collect();
    for step in root
        .path(&["runs", "steps"])
        .map(Node::items)
        .unwrap_or_default()
    {
        let Some(script) = script_of(step) else {
            continue;
        };
        let Some(text) = script.as_str() else {
            continue;
        };
        let mut seen: Vec<String> = Vec::new();
        for e in expressions(text) {
            let Some(input) = input_read(e) else { continue };
            if declared.contains(&input) && !seen.contains(&input) {
                seen.push(input.clone());
                hits.push(
                    Hit::at(script, format!("the action expands input `{input}` into a script: a workflow that passes it a pull request title or branch name lets that text run as commands"))
                        .with_identity(format!("action/{input}")),
                );
            }
        }
    }
}

fn curl_pipe_shell(doc: &Document, hits: &mut Vec<Hit>) {
    for (job, step) in steps(&doc.root) {
        let Some(run) = step.get("run") else { continue };
        let Some(text) = run.as_str() else { continue };
        for line in text.lines() {
            if super::gitlab::pipes_download_into_shell(line) {
                hits.push(
                    Hit::at(run, format!("job `{job}` pipes a download straight into a shell: whoever controls that URL runs code with the job's token and secrets"))
                        .with_identity(format!("{job}/{}", line.trim())),
                );
            }
        }
    }
}

/// Whether a `uses` names a third-party action by a movable ref: not GitHub's own, not local,
/// not a commit SHA.
fn third_party_unpinned(uses: &str) -> bool {
    if uses.starts_with('.') || uses.starts_with("docker://") {
        return false;
    }
    let owner = uses
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if owner == "actions" || owner == "github" {
        return false;
    }
    match uses.rsplit_once('@') {
        Some((_, r)) => !(r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())),
        None => true,
    }
}

fn secret_to_unpinned_action(doc: &Document, hits: &mut Vec<Hit>) {
    for (job, step) in steps(&doc.root) {
        let Some(uses) = step.field("uses").as_str() else {
            continue;
        };
        if !third_party_unpinned(uses) {
            continue;
        }
        for key in ["with", "env"] {
            for (name, value) in step.field(key).as_object().unwrap_or_default() {
                let Some(text) = value.as_str() else { continue };
                let secret = expressions(text).into_iter().find(|e| {
                    let c = compact(e);
                    reads_secrets(e) && !c.contains("secrets.github_token")
                });
                if let Some(e) = secret {
                    hits.push(
                        Hit::at(value, format!("job `{job}` gives `${{{{ {e} }}}}` to `{uses}`, a third-party action at a ref its owner (or whoever compromises it) can move to code that exfiltrates it"))
                            .with_identity(format!("{job}/{uses}/{name}")),
                    );
                }
            }
        }
    }
}

/// Whether a condition limits a job to trusted commenters (their association with the
/// repository, or a named account).
fn checks_commenter(condition: &str) -> bool {
    let c = compact(condition);
    c.contains("author_association") || c.contains("comment.user.login")
}

/// What in a step fetches a pull request's head, if anything: a checkout `ref`, or a script
/// that checks the pull request out.
fn fetches_pull_request(step: &Node) -> Option<&Node> {
    let uses = step.field("uses").as_str().unwrap_or_default();
    if uses.starts_with("actions/checkout@") || uses == "actions/checkout" {
        let reference = step.path(&["with", "ref"])?;
        let text = reference.as_str()?.to_ascii_lowercase();
        let head = [
            "refs/pull/",
            "head_ref",
            "head_sha",
            "head.sha",
            "head.ref",
            "pull_request.head",
        ]
        .iter()
        .any(|h| text.contains(h));
        return head.then_some(reference);
    }
    let run = step.get("run")?;
    let text = run.as_str()?;
    let fetch = text.lines().any(|l| {
        l.contains("gh pr checkout")
            || l.contains("hub pr checkout")
            || (l.contains("git fetch") && l.contains("pull/"))
    });
    fetch.then_some(run)
}

/// Whether a step checks the commenter's access before the checkout: a permission-checking
/// action, or a script asking about collaborators, permissions or the author's association.
fn checks_access(step: &Node) -> bool {
    strings(step).into_iter().any(|(_, n)| {
        n.as_str().is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.contains("collaborator")
                || t.contains("permission")
                || t.contains("author_association")
        })
    })
}

fn comment_triggered_checkout(doc: &Document, hits: &mut Vec<Hit>) {
    if !triggers(&doc.root).contains(&"issue_comment") {
        return;
    }
    for (job, body) in jobs(&doc.root) {
        if body.field("if").as_str().is_some_and(checks_commenter) {
            continue;
        }
        let mut guarded = false;
        for step in body.field("steps").items() {
            guarded |= step.field("if").as_str().is_some_and(checks_commenter);
            if let Some(node) = fetches_pull_request(step).filter(|_| !guarded) {
                hits.push(
                    Hit::at(node, format!("job `{job}` runs for any issue comment and fetches the pull request's code, with the repository's secrets and token, without checking who commented"))
                        .with_identity(format!("{job}/checkout")),
                );
            }
            guarded |= checks_access(step);
        }
    }
}

/// Whether a download step fetches another run's artifacts (the run that triggered this one).
fn downloads_other_run(step: &Node) -> Option<&Node> {
    let uses = step.get("uses")?;
    let text = uses.as_str()?;
    let action = text.split('@').next().unwrap_or(text).to_ascii_lowercase();
    let other_run = match action.as_str() {
        "actions/download-artifact" => step.path(&["with", "run-id"]).is_some(),
        "dawidd6/action-download-artifact" => true,
        _ => false,
    };
    other_run.then_some(uses)
}

fn artifact_poisoning(doc: &Document, hits: &mut Vec<Hit>) {
    if !triggers(&doc.root).contains(&"workflow_run") {
        return;
    }
    for (job, body) in jobs(&doc.root) {
        let steps = body.field("steps").items();
        for (i, step) in steps.iter().enumerate() {
            let Some(uses) = downloads_other_run(step) else {
                continue;
            };
            // Extracted into the workspace: over the repository's own files.
            let into_workspace = match step.path(&["with", "path"]) {
                None => true,
                Some(p) => p
                    .known()
                    .and_then(Node::as_str)
                    .is_some_and(whole_workspace),
            };
            let runs_later = steps[i + 1..].iter().any(|s| {
                s.get("run").is_some()
                    || s.field("uses")
                        .as_str()
                        .is_some_and(|u| u.starts_with("./"))
            });
            if into_workspace && runs_later {
                hits.push(
                    Hit::at(uses, format!("job `{job}` extracts artifacts of the triggering run into the workspace and then runs commands: a pull request's run can ship files that replace the scripts and configuration those commands use"))
                        .with_identity(format!("{job}/download-artifact")),
                );
            }
        }
    }
}
