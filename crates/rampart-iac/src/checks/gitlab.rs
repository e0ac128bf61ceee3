//! GitLab CI pipelines (`.gitlab-ci.yml`): untrusted merge request text re-parsed by a shell,
//! images and includes that can change under the pipeline, credentials written into the file,
//! downloads piped into a shell, and settings that expose secrets or weaken the jobs (debug
//! traces, Docker-in-Docker without TLS, certificate checks turned off, shared caches,
//! credential files kept as artifacts, scanners switched off).

use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.gitlab.script-injection", script_injection),
    ("iac.gitlab.image-unpinned", image_unpinned),
    ("iac.gitlab.include-unpinned", include_unpinned),
    ("iac.gitlab.secret-in-variables", secret_in_variables),
    ("iac.gitlab.curl-pipe-shell", curl_pipe_shell),
    ("iac.gitlab.debug-trace", debug_trace),
    ("iac.gitlab.docker-tls-disabled", docker_tls_disabled),
    (
        "iac.gitlab.tls-verification-disabled",
        tls_verification_disabled,
    ),
    (
        "iac.gitlab.artifact-sensitive-files",
        artifact_sensitive_files,
    ),
    ("iac.gitlab.security-scan-disabled", security_scan_disabled),
    ("iac.gitlab.cache-unprotected", cache_unprotected),
    (
        "iac.gitlab.docker-login-password-argument",
        docker_password_argument,
    ),
    ("iac.gitlab.component-unpinned", component_unpinned),
];

/// Top-level keys that configure the pipeline rather than name a job.
const RESERVED: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// The jobs of a pipeline: top-level mappings with a `script`, other than the reserved keys and
/// hidden (`.name`) templates.
fn jobs(root: &Node) -> Vec<(&str, &Node)> {
    root.as_object()
        .unwrap_or_default()
        .iter()
        .filter(|(name, body)| {
            !RESERVED.contains(&name.as_str())
                && !name.starts_with('.')
                && body.get("script").is_some()
        })
        .map(|(name, body)| (name.as_str(), body))
        .collect()
}

/// The shell lines of a `script`-like value: a string, or a list of strings and nested lists
/// (what `!reference` produces); each line with the node it was written in.
fn lines_of<'a>(value: &'a Node, out: &mut Vec<(&'a Node, &'a str)>, depth: usize) {
    if depth > 8 {
        return;
    }
    if let Some(text) = value.as_str() {
        for line in text.lines() {
            out.push((value, line));
        }
        return;
    }
    for item in value.as_array().unwrap_or_default() {
        lines_of(item, out, depth + 1);
    }
}

/// Every shell line the pipeline runs, with who runs it (a job, `default` or the global
/// `before_script`/`after_script`).
fn shell_lines(root: &Node) -> Vec<(String, &Node, &str)> {
    let keys = ["before_script", "script", "after_script"];
    let mut owners: Vec<(String, &Node)> = vec![("(global)".to_string(), root)];
    if let Some(default) = root.get("default") {
        owners.push(("default".to_string(), default));
    }
    for (name, body) in jobs(root) {
        owners.push((format!("job `{name}`"), body));
    }
    let mut out = Vec::new();
    for (owner, body) in owners {
        for key in keys {
            // The global `script` is not a thing; only the two hooks are global.
            if owner == "(global)" && key == "script" {
                continue;
            }
            let mut lines = Vec::new();
            if let Some(value) = body.get(key) {
                lines_of(value, &mut lines, 0);
            }
            out.extend(lines.into_iter().map(|(n, l)| (owner.clone(), n, l)));
        }
    }
    out
}

/// Predefined variables whose value is free text written by whoever opens the merge request or
/// writes the commit: spaces, quotes, `;`, `$(...)` and globs are all possible.
const FREE_TEXT: &[&str] = &[
    "CI_MERGE_REQUEST_TITLE",
    "CI_MERGE_REQUEST_DESCRIPTION",
    "CI_COMMIT_MESSAGE",
    "CI_COMMIT_TITLE",
    "CI_COMMIT_DESCRIPTION",
    "CI_COMMIT_AUTHOR",
];

/// Predefined variables holding a branch name the merge request's author chose (in a fork, any
/// name). Git forbids spaces and glob characters in them, but not `;`, `|`, `$`, `(`, quotes
/// or backquotes: harmless as a plain argument, code once a shell parses the text again.
const BRANCH_NAMES: &[&str] = &[
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_REF_NAME",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME",
];

/// A `$NAME` or `${NAME…}` reference the shell expands (not inside single quotes).
struct Reference<'a> {
    name: &'a str,
    /// Byte offset of the `$`.
    at: usize,
    double_quoted: bool,
}

fn references(line: &str) -> Vec<Reference<'_>> {
    #[derive(PartialEq)]
    enum Quote {
        None,
        Single,
        Double,
    }
    let bytes = line.as_bytes();
    let mut quote = Quote::None;
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match (&quote, b) {
            (Quote::Single, b'\'') => quote = Quote::None,
            (Quote::Single, _) => {}
            (_, b'\\') => i += 1,
            (Quote::None, b'\'') => quote = Quote::Single,
            (Quote::None, b'"') => quote = Quote::Double,
            (Quote::Double, b'"') => quote = Quote::None,
            (_, b'$') => {
                let braced = bytes.get(i + 1) == Some(&b'{');
                let start = if braced { i + 2 } else { i + 1 };
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                if end > start && !bytes[start].is_ascii_digit() {
                    out.push(Reference {
                        name: &line[start..end],
                        at: i,
                        double_quoted: quote == Quote::Double,
                    });
                }
                i = end.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Programs that run their argument as code: shells with `-c`, interpreters with `-c`/`-e`.
const INTERPRETERS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ash",
    "ksh",
    "python",
    "python3",
    "node",
    "ruby",
    "perl",
    "pwsh",
    "powershell",
];

/// Whether the text before a reference makes a shell or interpreter parse the expanded value
/// as code: `eval …`, `bash -c "…"`, `python -c "…"`.
fn reparsed(before: &str) -> bool {
    let words: Vec<&str> = before
        .split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|' || c == '(')
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        let base = w.rsplit('/').next().unwrap_or(w);
        if base == "eval" {
            return true;
        }
        // The flag right after the program: `bash -c`, `sh -ec`, `python3 -c`, `node -e`.
        INTERPRETERS.contains(&base)
            && words.get(i + 1).is_some_and(|flag| {
                (flag.starts_with('-')
                    && !flag.starts_with("--")
                    && flag.len() <= 4
                    && (flag.contains('c') || flag.contains('e')))
                    || flag.eq_ignore_ascii_case("-Command")
            })
    })
}

fn script_injection(doc: &Document, hits: &mut Vec<Hit>) {
    for (owner, node, line) in shell_lines(&doc.root) {
        let first_word = line.split_whitespace().next().unwrap_or_default();
        for r in references(line) {
            let free_text = FREE_TEXT.contains(&r.name);
            if !free_text && !BRANCH_NAMES.contains(&r.name) {
                continue;
            }
            let message = if reparsed(&line[..r.at]) {
                format!(
                    "{owner}: `${}` is written by the merge request's author and this line has a shell or interpreter parse it as code",
                    r.name
                )
            } else if free_text && !r.double_quoted && first_word != "echo" {
                format!(
                    "{owner}: `${}` is used unquoted: the merge request's author controls the words and glob patterns it expands to (quote it: \"${}\")",
                    r.name, r.name
                )
            } else {
                continue;
            };
            hits.push(Hit::at(node, message).with_identity(format!("{owner}/{}", r.name)));
        }
    }
}

/// Whether an image reference names a movable version: no tag, or `latest`. `None` when the
/// reference is pinned, or built from variables the file does not set.
pub(super) fn unpinned_image(image: &str) -> Option<&'static str> {
    if image.contains('$') || image.contains("@sha256:") || image.trim().is_empty() {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':').map(|(_, tag)| tag) {
        None => Some("has no tag, so it means `latest`"),
        Some("latest") => Some("uses the mutable `latest` tag"),
        Some(_) => None,
    }
}

fn image_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    let root = &doc.root;
    let mut owners: Vec<(String, &Node)> = vec![("the pipeline".to_string(), root)];
    if let Some(default) = root.get("default") {
        owners.push(("default".to_string(), default));
    }
    for (name, body) in jobs(root) {
        owners.push((format!("job `{name}`"), body));
    }
    for (owner, body) in owners {
        let mut images: Vec<(&str, &Node)> = Vec::new();
        if let Some(image) = body.get("image") {
            images.push(("image", image));
        }
        for service in body.field("services").items() {
            images.push(("service", service));
        }
        for (what, node) in images {
            // `image: name` or `image: {name: …, entrypoint: …}`.
            let node = node.get("name").unwrap_or(node);
            let Some(text) = node.known().and_then(Node::as_str) else {
                continue;
            };
            if let Some(why) = unpinned_image(text) {
                hits.push(
                    Hit::at(node, format!("{owner}: {what} `{text}` {why}"))
                        .with_identity(format!("{owner}/{what}/{text}")),
                );
            }
        }
    }
}

fn is_commit_sha(reference: &str) -> bool {
    matches!(reference.len(), 40 | 64) && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

fn include_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    for item in doc.root.field("include").items() {
        if let Some(text) = item.as_str() {
            if text.starts_with("https://") || text.starts_with("http://") {
                hits.push(
                    Hit::at(item, format!("includes `{text}`, whatever that server returns when the pipeline starts"))
                        .with_identity(format!("include/{text}")),
                );
            }
            continue;
        }
        if let Some(remote) = item.get("remote") {
            if item.get("integrity").is_none() {
                let url = remote.as_str().unwrap_or("?");
                hits.push(
                    Hit::at(remote, format!("includes remote `{url}` without an `integrity` hash, so whatever that server returns runs"))
                        .with_identity(format!("include/{url}")),
                );
            }
            continue;
        }
        let Some(project) = item.get("project") else {
            continue;
        };
        let name = project.as_str().unwrap_or("?");
        // The project's own configuration, at the pipeline's commit.
        if name.contains("$CI_PROJECT_PATH") {
            continue;
        }
        match item.get("ref") {
            None => hits.push(
                Hit::at(project, format!("includes project `{name}` without a `ref`, so its default branch, as it is when each pipeline starts"))
                    .with_identity(format!("include/{name}")),
            ),
            Some(r) => {
                let Some(text) = r.known().and_then(Node::as_str) else {
                    continue;
                };
                if !text.contains('$') && !is_commit_sha(text) {
                    hits.push(
                        Hit::at(r, format!("includes project `{name}` at `{text}`, a branch or tag its maintainers can move; pin a commit SHA"))
                            .with_identity(format!("include/{name}")),
                    );
                }
            }
        }
    }
}

fn secret_in_variables(doc: &Document, hits: &mut Vec<Hit>) {
    let root = &doc.root;
    let mut owners: Vec<(String, &Node)> = vec![("the pipeline".to_string(), root)];
    for (name, body) in jobs(root) {
        owners.push((format!("job `{name}`"), body));
    }
    for (owner, body) in owners {
        for (var, value) in body.field("variables").as_object().unwrap_or_default() {
            // GitLab's own secret detection settings, not secrets.
            if !super::kubernetes::looks_secret(var) || var.starts_with("SECRET_DETECTION_") {
                continue;
            }
            // `NAME: value` or `NAME: {value: …, description: …}`.
            let value = value.get("value").unwrap_or(value);
            let Some(text) = value.known().and_then(Node::as_str) else {
                continue;
            };
            let text = text.trim();
            let literal = !text.is_empty()
                && !text.contains('$')
                && !matches!(text.to_ascii_lowercase().as_str(), "true" | "false");
            if literal {
                hits.push(
                    Hit::at(
                        value,
                        format!("{owner} sets `{var}` to a literal value in the pipeline file"),
                    )
                    .with_identity(format!("{owner}/variables/{var}")),
                );
            }
        }
    }
}

/// Whether a shell line pipes a download into a shell or interpreter.
pub(super) fn pipes_download_into_shell(line: &str) -> bool {
    let fetch = line.contains("curl ") || line.contains("wget ");
    fetch
        && line.split('|').skip(1).any(|part| {
            let mut words = part.split_whitespace();
            let mut first = words.next().unwrap_or_default();
            if first == "sudo" {
                first = words.find(|w| !w.starts_with('-')).unwrap_or_default();
            }
            let first = first.rsplit('/').next().unwrap_or(first);
            matches!(
                first,
                "sh" | "bash" | "zsh" | "ash" | "dash" | "python" | "python3" | "perl" | "ruby"
            )
        })
}

fn curl_pipe_shell(doc: &Document, hits: &mut Vec<Hit>) {
    for (owner, node, line) in shell_lines(&doc.root) {
        if pipes_download_into_shell(line) {
            hits.push(
                Hit::at(
                    node,
                    format!("{owner} pipes a download straight into a shell: whoever controls the URL runs code in the job, with its CI/CD variables"),
                )
                .with_identity(format!("{owner}/{}", line.trim())),
            );
        }
    }
}

/// Everything that can carry `variables`, `services` or `cache`: the pipeline itself,
/// `default`, every job, and hidden (`.name`) templates that jobs extend.
fn configurables(root: &Node) -> Vec<(String, &Node)> {
    let mut out: Vec<(String, &Node)> = vec![("the pipeline".to_string(), root)];
    if let Some(default) = root.get("default") {
        out.push(("default".to_string(), default));
    }
    for (name, body) in root.as_object().unwrap_or_default() {
        if RESERVED.contains(&name.as_str()) || body.as_object().is_none() {
            continue;
        }
        let what = if name.starts_with('.') {
            "template"
        } else {
            "job"
        };
        out.push((format!("{what} `{name}`"), body));
    }
    out
}

/// A variable's value node: `NAME: value` or `NAME: {value: …}`.
fn variable<'a>(body: &'a Node, name: &str) -> Option<&'a Node> {
    let v = body.path(&["variables", name])?;
    let v = v.get("value").unwrap_or(v);
    v.known()
}

/// A variable value the runner reads as true (Go's `strconv.ParseBool`, and `yes`).
fn truthy(value: &Node) -> bool {
    match &value.value {
        crate::model::Value::Bool(b) => *b,
        crate::model::Value::Number(n) => n.trim() == "1",
        crate::model::Value::String(s) => matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "true" | "1" | "t" | "yes"
        ),
        _ => false,
    }
}

fn debug_trace(doc: &Document, hits: &mut Vec<Hit>) {
    for (owner, body) in configurables(&doc.root) {
        for name in ["CI_DEBUG_TRACE", "CI_DEBUG_SERVICES"] {
            let Some(value) = variable(body, name) else {
                continue;
            };
            if truthy(value) {
                hits.push(
                    Hit::at(
                        value,
                        format!("{owner} sets {name}, so the job log prints every CI/CD variable, masked and protected ones included"),
                    )
                    .with_identity(format!("{owner}/{name}")),
                );
            }
        }
    }
}

/// Whether a service or image entry names Docker-in-Docker.
fn is_dind(service: &Node) -> bool {
    let name = service.get("name").unwrap_or(service);
    name.as_str().is_some_and(|n| n.contains("dind"))
}

fn docker_tls_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let owners = configurables(&doc.root);
    let dind = owners
        .iter()
        .any(|(_, body)| body.field("services").items().into_iter().any(is_dind));
    if !dind {
        return;
    }
    for (owner, body) in owners {
        // Variables of the job, and of its dind service.
        let mut scopes = vec![body];
        scopes.extend(
            body.field("services")
                .items()
                .into_iter()
                .filter(|s| is_dind(s) && s.get("variables").is_some()),
        );
        for scope in scopes {
            let certdir = variable(scope, "DOCKER_TLS_CERTDIR")
                .filter(|v| v.as_str().is_some_and(|s| s.trim().is_empty()));
            let plain_host = variable(scope, "DOCKER_HOST").filter(|v| {
                v.as_str().is_some_and(|h| {
                    h.starts_with("tcp://") && h.trim_end_matches('/').ends_with(":2375")
                })
            });
            if let Some(node) = certdir.or(plain_host) {
                hits.push(
                    Hit::at(
                        node,
                        format!("{owner} runs Docker-in-Docker without TLS: the privileged daemon listens unauthenticated on port 2375, where other containers on the runner's network can take it over"),
                    )
                    .with_identity(format!("{owner}/dind-tls")),
                );
            }
        }
    }
}

/// Variables that turn off certificate checks, with the value that does it.
fn disables_tls_by_variable(name: &str, value: &Node) -> bool {
    let text = match &value.value {
        crate::model::Value::String(s) => s.trim().to_ascii_lowercase(),
        crate::model::Value::Number(n) => n.trim().to_string(),
        crate::model::Value::Bool(b) => b.to_string(),
        _ => return false,
    };
    match name {
        "GIT_SSL_NO_VERIFY" => truthy(value),
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => text == "0",
        "NPM_CONFIG_STRICT_SSL" | "npm_config_strict_ssl" => text == "false",
        _ => false,
    }
}

/// A shell line that turns off certificate checks: what it does.
fn disables_tls_in_script(line: &str) -> Option<&'static str> {
    let lower = line.to_ascii_lowercase();
    if lower.contains("http.sslverify false") || lower.contains("http.sslverify=false") {
        return Some("turns off git's certificate checks");
    }
    if lower.contains("strict-ssl false") || lower.contains("strict-ssl=false") {
        return Some("turns off npm's certificate checks");
    }
    for command in line.split(['|', ';', '&']) {
        let words: Vec<&str> = command.split_whitespace().collect();
        let Some(program) = words.first() else {
            continue;
        };
        let program = program.rsplit('/').next().unwrap_or(program);
        let flags = &words[1..];
        if program == "curl"
            && flags.iter().any(|f| {
                *f == "--insecure"
                    || (f.starts_with('-') && !f.starts_with("--") && f.contains('k'))
            })
        {
            return Some("runs curl with certificate checks off (`-k`)");
        }
        if program == "wget" && flags.contains(&"--no-check-certificate") {
            return Some("runs wget with `--no-check-certificate`");
        }
    }
    None
}

fn tls_verification_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    for (owner, body) in configurables(&doc.root) {
        for name in [
            "GIT_SSL_NO_VERIFY",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "PYTHONHTTPSVERIFY",
            "NPM_CONFIG_STRICT_SSL",
            "npm_config_strict_ssl",
        ] {
            let Some(value) = variable(body, name) else {
                continue;
            };
            if disables_tls_by_variable(name, value) {
                hits.push(
                    Hit::at(
                        value,
                        format!("{owner} sets {name}, which turns off certificate checks: anyone on the network path can impersonate the server and feed the job code or steal what it sends"),
                    )
                    .with_identity(format!("{owner}/{name}")),
                );
            }
        }
    }
    for (owner, node, line) in shell_lines(&doc.root) {
        if let Some(what) = disables_tls_in_script(line) {
            hits.push(
                Hit::at(
                    node,
                    format!(
                        "{owner} {what}: anyone on the network path can impersonate the server"
                    ),
                )
                .with_identity(format!("{owner}/{}", line.trim())),
            );
        }
    }
}

/// File names and patterns that hold credentials.
fn sensitive_path(path: &str) -> Option<&'static str> {
    let p = path.trim().trim_start_matches("./").to_ascii_lowercase();
    let name = p.rsplit('/').next().unwrap_or(&p);
    let found = match name {
        ".env" | ".env.local" | ".env.production" => "an environment file",
        ".npmrc" | ".pypirc" | ".netrc" | ".git-credentials" | ".dockercfg" => "a credentials file",
        "id_rsa" | "id_ed25519" | "id_ecdsa" => "a private SSH key",
        "kubeconfig" => "a kubeconfig",
        "credentials.json" | "service-account.json" | "credentials" => "a credentials file",
        _ if name.ends_with(".pem")
            || name.ends_with(".key")
            || name.ends_with(".p12")
            || name.ends_with(".pfx") =>
        {
            "a private key or certificate store"
        }
        _ if name.ends_with(".tfstate") || name.ends_with(".tfstate.backup") => {
            "Terraform state, which holds secrets in clear"
        }
        _ => "",
    };
    if !found.is_empty() {
        return Some(found);
    }
    if p.ends_with(".docker/config.json") {
        return Some("Docker registry credentials");
    }
    if p.ends_with(".kube/config") {
        return Some("a kubeconfig");
    }
    None
}

fn artifact_sensitive_files(doc: &Document, hits: &mut Vec<Hit>) {
    for (owner, body) in configurables(&doc.root) {
        let artifacts = body.field("artifacts");
        // Artifacts kept from everyone (`access: none`) or limited to developers are not
        // downloadable by every reader of the project.
        let access = artifacts.field("access").as_str();
        if matches!(
            access,
            Some("none") | Some("developer") | Some("maintainer")
        ) {
            continue;
        }
        if artifacts.field("public").as_bool() == Some(false) {
            continue;
        }
        for path in artifacts.field("paths").items() {
            let Some(text) = path.known().and_then(Node::as_str) else {
                continue;
            };
            if let Some(what) = sensitive_path(text) {
                hits.push(
                    Hit::at(path, format!("{owner} keeps `{text}` ({what}) as an artifact that everyone who can see the pipeline can download"))
                        .with_identity(format!("{owner}/artifacts/{text}")),
                );
            }
        }
    }
}

/// GitLab's scanners, the variable that turns each off and the template names that add it.
const SCANNERS: &[(&str, &str, &[&str])] = &[
    ("SAST", "SAST_DISABLED", &["SAST"]),
    (
        "secret detection",
        "SECRET_DETECTION_DISABLED",
        &["Secret-Detection"],
    ),
    (
        "dependency scanning",
        "DEPENDENCY_SCANNING_DISABLED",
        &["Dependency-Scanning"],
    ),
    (
        "container scanning",
        "CONTAINER_SCANNING_DISABLED",
        &["Container-Scanning"],
    ),
    ("DAST", "DAST_DISABLED", &["DAST"]),
];

fn security_scan_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    let root = &doc.root;
    let includes = root.field("include").items();
    let templates: Vec<&str> = includes
        .iter()
        .filter_map(|i| i.get("template").and_then(Node::as_str))
        .collect();
    // CI/CD catalog components: `$CI_SERVER_FQDN/components/sast/sast@2`.
    let components: Vec<String> = includes
        .iter()
        .filter_map(|i| i.get("component").and_then(Node::as_str))
        .map(str::to_ascii_lowercase)
        .collect();
    let auto_devops = templates.iter().any(|t| t.contains("Auto-DevOps"));
    for (scanner, variable_name, names) in SCANNERS {
        let included = auto_devops
            || templates
                .iter()
                .any(|t| names.iter().any(|n| t.contains(n)))
            || components.iter().any(|c| {
                names
                    .iter()
                    .any(|n| c.contains(&format!("/{}/", n.to_ascii_lowercase())))
            });
        if !included {
            continue;
        }
        for (owner, body) in configurables(root) {
            let Some(value) = variable(body, variable_name) else {
                continue;
            };
            if truthy(value) {
                hits.push(
                    Hit::at(
                        value,
                        format!("{owner} sets {variable_name}, so the included {scanner} jobs do not run"),
                    )
                    .with_identity(format!("{owner}/{variable_name}")),
                );
            }
        }
    }
}

fn cache_unprotected(doc: &Document, hits: &mut Vec<Hit>) {
    for (owner, body) in configurables(&doc.root) {
        for cache in body.field("cache").items() {
            let Some(unprotect) = cache.get("unprotect") else {
                continue;
            };
            if unprotect.known().and_then(Node::as_bool) == Some(true) {
                let key = cache.field("key").as_str().unwrap_or("default");
                hits.push(
                    Hit::at(
                        unprotect,
                        format!("{owner} shares its cache (key `{key}`) between protected and unprotected branches: a pipeline of any branch can poison what protected branches and releases restore"),
                    )
                    .with_identity(format!("{owner}/cache/{key}")),
                );
            }
        }
    }
}

/// Whether a shell line logs in to a registry with the password as an argument.
fn password_argument(line: &str) -> bool {
    line.split(['|', ';', '&']).any(|command| {
        let words: Vec<&str> = command.split_whitespace().collect();
        let login = words.windows(2).any(|w| {
            let program = w[0].rsplit('/').next().unwrap_or(w[0]);
            matches!(program, "docker" | "podman" | "buildah" | "nerdctl") && w[1] == "login"
        });
        login
            && words.iter().any(|w| {
                *w == "-p"
                    || *w == "--password"
                    || w.starts_with("--password=")
                    || (w.starts_with("-p") && w.len() > 2 && !w.starts_with("--"))
            })
    })
}

fn docker_password_argument(doc: &Document, hits: &mut Vec<Hit>) {
    for (owner, node, line) in shell_lines(&doc.root) {
        if password_argument(line) {
            hits.push(
                Hit::at(node, format!("{owner} passes a registry password on the `login` command line, where other processes can read it and the client warns it is insecure"))
                    .with_identity(format!("{owner}/{}", line.trim())),
            );
        }
    }
}

/// Why a CI/CD component's version can move, if it can: missing, `~latest`, or a name that is
/// neither a release version nor a commit SHA (a branch).
fn movable_component_version(version: Option<&str>) -> Option<String> {
    let Some(version) = version else {
        return Some("has no version".to_string());
    };
    if version.contains('$') {
        return None;
    }
    if version == "~latest" {
        return Some("is at `~latest`, whatever release is published next".to_string());
    }
    let release = version
        .trim_start_matches('v')
        .split(['.', '-', '+'])
        .next()
        .is_some_and(|major| !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()));
    if release || is_commit_sha(version) {
        return None;
    }
    Some(format!(
        "is at `{version}`, a branch its maintainers can push to"
    ))
}

fn component_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    for item in doc.root.field("include").items() {
        let Some(component) = item.get("component") else {
            continue;
        };
        let Some(text) = component.known().and_then(Node::as_str) else {
            continue;
        };
        let (path, version) = match text.rsplit_once('@') {
            Some((p, v)) => (p, Some(v)),
            None => (text, None),
        };
        if let Some(why) = movable_component_version(version) {
            hits.push(
                Hit::at(component, format!("component `{path}` {why}: its jobs run with this project's CI/CD variables and token"))
                    .with_identity(format!("include/{path}")),
            );
        }
    }
}
