//! GitLab CI pipelines (`.gitlab-ci.yml`): untrusted merge request text re-parsed by a shell,
//! images and includes that can change under the pipeline, credentials written into the file
//! and downloads piped into a shell.

use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.gitlab.script-injection", script_injection),
    ("iac.gitlab.image-unpinned", image_unpinned),
    ("iac.gitlab.include-unpinned", include_unpinned),
    ("iac.gitlab.secret-in-variables", secret_in_variables),
    ("iac.gitlab.curl-pipe-shell", curl_pipe_shell),
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
fn unpinned_image(image: &str) -> Option<&'static str> {
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
fn pipes_download_into_shell(line: &str) -> bool {
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
