//! Dockerfiles, read through the model (`{"stages": [{"image", "tag", "digest", "name",
//! "instructions": [{"cmd", "flags", "value", "original"}]}]}`): what hadolint and the CIS
//! Docker Benchmark ask of images.

use crate::check::{CheckFn, Hit};
use crate::model::{Document, Node};

pub const CHECKS: &[(&str, CheckFn)] = &[
    ("iac.docker.user-root", user_root),
    ("iac.docker.latest-tag", latest_tag),
    ("iac.docker.add-from-url", add_url),
    ("iac.docker.secret-in-env", secret_env),
    ("iac.docker.curl-pipe-shell", curl_pipe_shell),
    ("iac.docker.no-healthcheck", no_healthcheck),
    ("iac.docker.apt-unpinned", apt_unpinned),
];

fn stages(root: &Node) -> Vec<&Node> {
    root.field("stages").items()
}

fn instructions(stage: &Node) -> Vec<&Node> {
    stage.field("instructions").items()
}

fn cmd(i: &Node) -> &str {
    i.field("cmd").as_str().unwrap_or_default()
}

fn original(i: &Node) -> &str {
    i.field("original").as_str().unwrap_or_default()
}

/// What a RUN executes: its arguments and the bodies of its heredocs.
fn script(i: &Node) -> String {
    let mut text = original(i).to_string();
    for h in i.field("heredocs").items() {
        text.push('\n');
        text.push_str(h.field("body").as_str().unwrap_or_default());
    }
    text
}

fn user_root(doc: &Document, hits: &mut Vec<Hit>) {
    let all = stages(&doc.root);
    let Some(last) = all.last() else { return };
    let users: Vec<&Node> = instructions(last)
        .into_iter()
        .filter(|i| cmd(i) == "USER")
        .collect();
    match users.last() {
        None => {
            let at = last.get("image").unwrap_or(last);
            hits.push(
                Hit::at(
                    at,
                    "the final stage has no USER instruction, so the container runs as root",
                )
                .with_identity("final-stage"),
            );
        }
        Some(u) => {
            let who = original(u).split(':').next().unwrap_or_default().trim();
            if who == "root" || who == "0" {
                hits.push(
                    Hit::at(u, format!("the final stage runs as `{who}`"))
                        .with_identity("final-stage"),
                );
            }
        }
    }
}

fn latest_tag(doc: &Document, hits: &mut Vec<Hit>) {
    let all = stages(&doc.root);
    let names: Vec<&str> = all
        .iter()
        .filter_map(|s| s.field("name").as_str())
        .collect();
    for stage in &all {
        let Some(image) = stage.get("image").and_then(Node::known) else {
            continue;
        };
        let Some(text) = image.as_str() else { continue };
        if text == "scratch"
            || names.iter().any(|n| n.eq_ignore_ascii_case(text))
            || text.contains('$')
        {
            continue;
        }
        if stage.field("digest").as_str().is_some() {
            continue;
        }
        match stage.field("tag").as_str() {
            None => hits.push(
                Hit::at(
                    image,
                    format!("`FROM {text}` has no tag, so it builds from whatever `latest` is"),
                )
                .with_identity(text.to_string()),
            ),
            Some("latest") => hits.push(
                Hit::at(
                    image,
                    format!("`FROM {text}:latest` builds from a moving tag"),
                )
                .with_identity(text.to_string()),
            ),
            Some(_) => {}
        }
    }
}

fn add_url(doc: &Document, hits: &mut Vec<Hit>) {
    for stage in stages(&doc.root) {
        for i in instructions(stage) {
            if cmd(i) != "ADD" {
                continue;
            }
            let remote = i
                .field("value")
                .items()
                .into_iter()
                .filter_map(Node::as_str)
                .find(|v| v.starts_with("http://") || v.starts_with("https://"));
            if let Some(url) = remote {
                hits.push(
                    Hit::at(i, format!("ADD downloads `{url}` without verifying it"))
                        .with_identity(url.to_string()),
                );
            }
        }
    }
}

fn secret_env(doc: &Document, hits: &mut Vec<Hit>) {
    // ARGs before the first FROM are global; the rest belong to a stage.
    let global = doc.root.field("global").items();
    let staged = stages(&doc.root).into_iter().flat_map(instructions);
    {
        for i in global.into_iter().chain(staged) {
            if cmd(i) != "ENV" && cmd(i) != "ARG" {
                continue;
            }
            // `value` holds `key=value` pairs as [key, value, key, value...].
            let items = i.field("value").items();
            for pair in items.chunks(2) {
                let (Some(key), Some(value)) =
                    (pair[0].as_str(), pair.get(1).and_then(|v| v.as_str()))
                else {
                    continue;
                };
                if super::kubernetes::looks_secret(key)
                    && !value.trim().is_empty()
                    && !value.starts_with('$')
                {
                    hits.push(
                        Hit::at(
                            i,
                            format!(
                                "{} `{key}` bakes a credential into the image's layers and history",
                                cmd(i)
                            ),
                        )
                        .with_identity(key.to_string()),
                    );
                }
            }
        }
    }
}

fn curl_pipe_shell(doc: &Document, hits: &mut Vec<Hit>) {
    for stage in stages(&doc.root) {
        for i in instructions(stage) {
            if cmd(i) != "RUN" {
                continue;
            }
            let text = script(i);
            let fetch = text.contains("curl ") || text.contains("wget ");
            let piped = text.split('|').skip(1).any(|part| {
                let first = part
                    .trim_start()
                    .split_whitespace()
                    .next()
                    .unwrap_or_default();
                let first = first.rsplit('/').next().unwrap_or(first);
                matches!(
                    first,
                    "sh" | "bash"
                        | "zsh"
                        | "ash"
                        | "dash"
                        | "sudo"
                        | "python"
                        | "python3"
                        | "perl"
                        | "ruby"
                )
            });
            if fetch && piped {
                hits.push(Hit::at(i, "RUN pipes a download straight into a shell: whoever controls the URL controls the build").with_identity(text.clone()));
            }
        }
    }
}

fn no_healthcheck(doc: &Document, hits: &mut Vec<Hit>) {
    let all = stages(&doc.root);
    let Some(last) = all.last() else { return };
    if !instructions(last).iter().any(|i| cmd(i) == "HEALTHCHECK") {
        let at = last.get("image").unwrap_or(last);
        hits.push(Hit::at(at, "the final stage has no HEALTHCHECK").with_identity("final-stage"));
    }
}

fn apt_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    for stage in stages(&doc.root) {
        for i in instructions(stage) {
            if cmd(i) != "RUN" {
                continue;
            }
            let text = script(i);
            for command in text.split(['&', ';', '|', '\n']) {
                let words: Vec<&str> = command.split_whitespace().collect();
                let Some(at) = words.iter().position(|w| *w == "install") else {
                    continue;
                };
                if !words[..at].iter().any(|w| *w == "apt-get" || *w == "apt") {
                    continue;
                }
                let unpinned: Vec<&str> = words[at + 1..]
                    .iter()
                    .copied()
                    .filter(|w| {
                        !w.starts_with('-') && !w.contains('=') && !w.starts_with('$') && *w != "\\"
                    })
                    .collect();
                if !unpinned.is_empty() {
                    hits.push(
                        Hit::at(
                            i,
                            format!(
                                "apt installs {} without a pinned version",
                                unpinned.join(", ")
                            ),
                        )
                        .with_identity(format!("apt/{}", unpinned.join(","))),
                    );
                }
            }
        }
    }
}
