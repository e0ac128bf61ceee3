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
    ("iac.docker.sudo", sudo),
    (
        "iac.docker.tls-verification-disabled",
        tls_verification_disabled,
    ),
    ("iac.docker.unsigned-packages", unsigned_packages),
    ("iac.docker.secret-file-copied", secret_file_copied),
    ("iac.docker.chmod-world-writable", chmod_world_writable),
    (
        "iac.docker.copy-from-unknown-stage",
        copy_from_unknown_stage,
    ),
    ("iac.docker.duplicate-stage-name", duplicate_stage_name),
    ("iac.docker.pip-unpinned", pip_unpinned),
    ("iac.docker.npm-unpinned", npm_unpinned),
    ("iac.docker.gem-unpinned", gem_unpinned),
    ("iac.docker.apk-unpinned", apk_unpinned),
    ("iac.docker.rpm-unpinned", rpm_unpinned),
    ("iac.docker.apt-lists-not-removed", apt_lists_not_removed),
    (
        "iac.docker.apt-install-recommends",
        apt_no_install_recommends,
    ),
    ("iac.docker.apt-command", apt_command),
    ("iac.docker.apt-update-alone", apt_update_alone),
    ("iac.docker.apk-cache", apk_no_cache),
    ("iac.docker.pip-cache", pip_cache),
    ("iac.docker.rpm-cache", rpm_cache),
    ("iac.docker.workdir-relative", workdir_relative),
    ("iac.docker.run-cd", run_cd),
    ("iac.docker.pointless-command", pointless_command),
    ("iac.docker.add-local-file", add_local_file),
    ("iac.docker.shell-form-cmd", shell_form_cmd),
    ("iac.docker.multiple-cmd", multiple_cmd),
    ("iac.docker.multiple-entrypoint", multiple_entrypoint),
    ("iac.docker.pipefail", pipefail),
    ("iac.docker.wget-and-curl", wget_and_curl),
    ("iac.docker.maintainer", maintainer),
    ("iac.docker.expose-invalid-port", expose_invalid_port),
    ("iac.docker.expose-ssh", expose_ssh),
    ("iac.docker.from-platform", from_platform),
    ("iac.docker.copy-multiple-sources", copy_multiple_sources),
    ("iac.docker.multiple-healthcheck", multiple_healthcheck),
    ("iac.docker.shell-symlink", shell_symlink),
    ("iac.docker.chpasswd", chpasswd),
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

/// Programs that execute what they read on standard input (or from `-c "$(…)"`).
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "zsh", "ash", "dash", "ksh", "python", "python2", "python3", "perl", "ruby",
    "node", "php",
];

fn curl_pipe_shell(doc: &Document, hits: &mut Vec<Hit>) {
    let fetches = |c: &Command| matches!(c.program(), "curl" | "wget");
    for run in runs(doc) {
        let commands = &run.commands;
        let piped = commands.iter().enumerate().any(|(n, c)| {
            if !c.pipe_out || !fetches(c) {
                return false;
            }
            // The next command of the same script is the other end of the pipe.
            commands[n + 1..]
                .iter()
                .find(|next| next.depth == c.depth)
                .is_some_and(|next| INTERPRETERS.contains(&next.program()))
        });
        // `sh -c "$(curl …)"`: the download is the script.
        let substituted = commands.iter().any(|c| {
            INTERPRETERS.contains(&c.program())
                && c.args().iter().any(|a| {
                    ["$(curl ", "$(wget ", "`curl ", "`wget "]
                        .iter()
                        .any(|p| a.starts_with(p))
                })
        });
        if piped || substituted {
            hits.push(
                Hit::at(
                    run.node,
                    "RUN pipes a download straight into a shell: whoever controls the URL controls the build",
                )
                .with_identity(script(run.node)),
            );
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

// ---------------------------------------------------------------------------------------
// RUN scripts, read as a POSIX shell reads them: quotes, escapes, `&&`, `||`, `;`, `|`,
// subshells, redirections and heredocs, and the scripts of `sh -c '…'` inside them.
// ---------------------------------------------------------------------------------------

/// How deeply `sh -c '… sh -c …'` scripts are followed.
const MAX_SHELL_DEPTH: u8 = 4;

/// Shells whose `-c` argument (or standard input) is a script in the same language.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"];

/// One simple command of a RUN script: its words with quotes removed (variables left as
/// written), without the reserved words and `NAME=value` assignments in front of it.
#[derive(Debug, Clone, Default)]
struct Command {
    words: Vec<String>,
    /// `NAME=value` words written before the command, or given to `export`.
    assignments: Vec<String>,
    /// Whether the command's output goes into a pipe (`a | b`).
    pipe_out: bool,
    /// 0 for the RUN's own shell, 1 inside its `sh -c '…'`, and so on.
    depth: u8,
}

impl Command {
    /// The program and its arguments, past `sudo`, `env`, `exec`, `nohup`, `nice`, ….
    fn argv(&self) -> &[String] {
        strip_wrappers(&self.words).0
    }

    /// The program's name without its directory (`/usr/bin/apt-get` is `apt-get`).
    fn program(&self) -> &str {
        self.argv().first().map(|w| base(w)).unwrap_or_default()
    }

    fn args(&self) -> &[String] {
        self.argv().get(1..).unwrap_or_default()
    }

    /// The command as written, shortened for a message.
    fn text(&self) -> String {
        const MAX: usize = 80;
        let text = self.words.join(" ");
        match text.char_indices().nth(MAX) {
            Some((at, _)) => format!("{}…", &text[..at]),
            None => text,
        }
    }
}

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The command past the wrappers that run another command, and whether `sudo` (or `doas`)
/// was one of them.
fn strip_wrappers(words: &[String]) -> (&[String], bool) {
    const SUDO_VALUED: &[&str] = &[
        "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group",
    ];
    let mut i = 0;
    let mut sudo = false;
    while let Some(w) = words.get(i) {
        match base(w) {
            "sudo" | "doas" => {
                sudo = true;
                i += 1;
                while let Some(o) = words.get(i).filter(|o| o.starts_with('-')) {
                    i += if SUDO_VALUED.contains(&o.as_str()) {
                        2
                    } else {
                        1
                    };
                }
            }
            "env" => {
                i += 1;
                while let Some(o) = words
                    .get(i)
                    .filter(|o| o.starts_with('-') || is_assignment(o))
                {
                    i += if matches!(o.as_str(), "-u" | "-C" | "-S") {
                        2
                    } else {
                        1
                    };
                }
            }
            "nice" => {
                i += 1;
                while let Some(o) = words.get(i).filter(|o| o.starts_with('-')) {
                    i += if o == "-n" { 2 } else { 1 };
                }
            }
            "exec" | "nohup" | "command" | "builtin" | "time" | "stdbuf" => {
                i += 1;
                while words.get(i).is_some_and(|o| o.starts_with('-')) {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    (words.get(i..).unwrap_or_default(), sudo)
}

/// Words that start a command without being one.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac",
];

struct Lexer {
    words: Vec<String>,
    word: String,
    in_word: bool,
    /// The next word is a redirection's target.
    skip_word: bool,
    /// Heredocs opened on the current line: delimiter, and whether tabs are stripped.
    heredocs: Vec<(String, bool)>,
    depth: u8,
}

impl Lexer {
    fn end_word(&mut self) {
        if self.in_word {
            let word = std::mem::take(&mut self.word);
            if self.skip_word {
                self.skip_word = false;
            } else {
                self.words.push(word);
            }
        }
        self.word.clear();
        self.in_word = false;
    }

    fn end_command(&mut self, pipe_out: bool, out: &mut Vec<Command>) {
        self.end_word();
        self.skip_word = false;
        let words = std::mem::take(&mut self.words);
        if words.is_empty() {
            return;
        }
        let mut start = 0;
        let mut assignments = Vec::new();
        while let Some(w) = words.get(start) {
            if RESERVED.contains(&w.as_str()) {
                start += 1;
            } else if is_assignment(w) {
                assignments.push(w.clone());
                start += 1;
            } else {
                break;
            }
        }
        let words: Vec<String> = words.get(start..).unwrap_or_default().to_vec();
        match words.first().map(String::as_str) {
            Some("for" | "case" | "select" | "function") => return,
            Some("export" | "readonly" | "declare" | "typeset" | "local") => {
                assignments.extend(words.iter().skip(1).filter(|w| is_assignment(w)).cloned());
            }
            _ => {}
        }
        if words.is_empty() && assignments.is_empty() {
            return;
        }
        let command = Command {
            words,
            assignments,
            pipe_out,
            depth: self.depth,
        };
        let inner = shell_c_script(&command);
        out.push(command);
        if let Some(script) = inner {
            if self.depth < MAX_SHELL_DEPTH {
                shell_commands(&script, self.depth + 1, out);
            }
        }
    }
}

/// The script of `sh -c 'script'`, `bash -euxo pipefail -c "…"`.
fn shell_c_script(command: &Command) -> Option<String> {
    let argv = command.argv();
    let program = base(argv.first()?);
    if !SHELLS.contains(&program) {
        return None;
    }
    let mut has_c = false;
    let mut i = 1;
    if program == "busybox" {
        // `busybox sh -c …`
        if argv.get(1).map(String::as_str) != Some("sh") {
            return None;
        }
        i = 2;
    }
    while let Some(arg) = argv.get(i) {
        if arg == "-o" || arg == "+o" {
            i += 2;
            continue;
        }
        if arg == "--" {
            i += 1;
            break;
        }
        if let Some(letters) = arg.strip_prefix('-').filter(|l| !l.starts_with('-')) {
            has_c |= letters.contains('c');
            i += 1;
            continue;
        }
        if arg.starts_with("--") {
            i += 1;
            continue;
        }
        break;
    }
    if has_c {
        argv.get(i).cloned()
    } else {
        None
    }
}

/// The index just past the bracket that closes the one at `open` (`(` or `{`), quotes
/// inside skipped; the end of the text when it is never closed.
fn closing(chars: &[char], open: usize) -> usize {
    let (o, c) = match chars.get(open) {
        Some('{') => ('{', '}'),
        _ => ('(', ')'),
    };
    let mut depth = 0usize;
    let mut i = open;
    while let Some(&ch) = chars.get(i) {
        match ch {
            '\\' => i += 1,
            '\'' => {
                i += 1;
                while chars.get(i).is_some_and(|&q| q != '\'') {
                    i += 1;
                }
            }
            _ if ch == o => depth += 1,
            _ if ch == c => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// The simple commands of a shell script, in order (the commands of `sh -c` scripts right
/// after the `sh` command that runs them).
fn shell_commands(script: &str, depth: u8, out: &mut Vec<Command>) {
    let chars: Vec<char> = script.chars().collect();
    let mut lx = Lexer {
        words: Vec::new(),
        word: String::new(),
        in_word: false,
        skip_word: false,
        heredocs: Vec::new(),
        depth,
    };
    let len = chars.len();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        match c {
            '\\' => {
                if let Some(n) = next.filter(|n| *n != '\n') {
                    lx.word.push(n);
                    lx.in_word = true;
                }
                i += 2;
            }
            '\'' => {
                lx.in_word = true;
                i += 1;
                while let Some(&q) = chars.get(i).filter(|q| **q != '\'') {
                    lx.word.push(q);
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                lx.in_word = true;
                i += 1;
                while let Some(&q) = chars.get(i).filter(|q| **q != '"') {
                    if q == '\\' {
                        match chars.get(i + 1) {
                            Some(&n) if matches!(n, '$' | '`' | '"' | '\\') => {
                                lx.word.push(n);
                                i += 2;
                                continue;
                            }
                            Some('\n') => {
                                i += 2;
                                continue;
                            }
                            _ => {}
                        }
                    }
                    lx.word.push(q);
                    i += 1;
                }
                i += 1;
            }
            '`' => {
                let mut j = i + 1;
                while chars.get(j).is_some_and(|q| *q != '`') {
                    j += if chars.get(j) == Some(&'\\') { 2 } else { 1 };
                }
                let end = (j + 1).min(len);
                lx.word.extend(&chars[i..end]);
                lx.in_word = true;
                i = end;
            }
            '$' if matches!(next, Some('(' | '{')) => {
                let end = closing(&chars, i + 1).min(len);
                lx.word.extend(&chars[i..end]);
                lx.in_word = true;
                i = end;
            }
            '#' if !lx.in_word => {
                while chars.get(i).is_some_and(|q| *q != '\n') {
                    i += 1;
                }
            }
            ' ' | '\t' | '\r' => {
                lx.end_word();
                i += 1;
            }
            '\n' => {
                lx.end_command(false, out);
                i += 1;
                for (delimiter, strip) in std::mem::take(&mut lx.heredocs) {
                    // The body: lines up to the delimiter.
                    while i < len {
                        let end = chars[i..]
                            .iter()
                            .position(|q| *q == '\n')
                            .map_or(len, |p| i + p);
                        let line: String = chars[i..end].iter().collect();
                        i = (end + 1).min(len);
                        let line = line.trim_end_matches('\r');
                        let line = if strip {
                            line.trim_start_matches('\t')
                        } else {
                            line
                        };
                        if line == delimiter {
                            break;
                        }
                    }
                }
            }
            ';' | '(' | ')' => {
                lx.end_command(false, out);
                i += 1;
            }
            '&' => {
                if next == Some('>') {
                    lx.end_word();
                    i += 2;
                    if chars.get(i) == Some(&'>') {
                        i += 1;
                    }
                    lx.skip_word = true;
                } else {
                    lx.end_command(false, out);
                    i += if next == Some('&') { 2 } else { 1 };
                }
            }
            '|' => {
                if next == Some('|') {
                    lx.end_command(false, out);
                    i += 2;
                } else {
                    lx.end_command(true, out);
                    i += if next == Some('&') { 2 } else { 1 };
                }
            }
            '>' | '<' => {
                if lx.in_word && !lx.word.is_empty() && lx.word.chars().all(|d| d.is_ascii_digit())
                {
                    lx.word.clear();
                    lx.in_word = false;
                } else {
                    lx.end_word();
                }
                if c == '<' && next == Some('<') {
                    if chars.get(i + 2) == Some(&'<') {
                        i += 3;
                        lx.skip_word = true;
                        continue;
                    }
                    i += 2;
                    let strip = chars.get(i) == Some(&'-');
                    if strip {
                        i += 1;
                    }
                    while chars.get(i).is_some_and(|q| matches!(q, ' ' | '\t')) {
                        i += 1;
                    }
                    let mut delimiter = String::new();
                    while let Some(&q) = chars.get(i) {
                        if q.is_whitespace() || matches!(q, ';' | '&' | '|' | ')' | '<' | '>') {
                            break;
                        }
                        if !matches!(q, '\'' | '"' | '\\') {
                            delimiter.push(q);
                        }
                        i += 1;
                    }
                    if !delimiter.is_empty() {
                        lx.heredocs.push((delimiter, strip));
                    }
                    continue;
                }
                i += 1;
                while chars.get(i).is_some_and(|q| matches!(q, '>' | '&' | '|')) {
                    i += 1;
                }
                lx.skip_word = true;
            }
            _ => {
                lx.word.push(c);
                lx.in_word = true;
                i += 1;
            }
        }
    }
    lx.end_command(false, out);
}

/// A RUN instruction and what it executes.
struct Run<'a> {
    node: &'a Node,
    stage: &'a Node,
    stage_index: usize,
    commands: Vec<Command>,
    /// The stage's SHELL sets `-o pipefail` (or is not a POSIX shell).
    pipefail_shell: bool,
}

impl Run<'_> {
    /// Whether a `--mount=type=cache` keeps `dir` (or a directory under it) out of the layer.
    fn caches(&self, dir: &str) -> bool {
        self.node.path(&["flags", "mount"]).is_some_and(|m| {
            m.items().into_iter().filter_map(Node::as_str).any(|spec| {
                let fields: Vec<(&str, &str)> = spec
                    .split(',')
                    .filter_map(|f| f.split_once('='))
                    .map(|(k, v)| (k.trim(), v.trim()))
                    .collect();
                fields.iter().any(|(k, v)| *k == "type" && *v == "cache")
                    && fields.iter().any(|(k, v)| {
                        matches!(*k, "target" | "dst" | "destination")
                            && (v.starts_with(dir) || dir.starts_with(v.trim_end_matches('/')))
                    })
            })
        })
    }

    fn identity(&self, what: &str) -> String {
        format!("{}/{what}", stage_label(self.stage, self.stage_index))
    }
}

fn stage_label(stage: &Node, index: usize) -> String {
    match stage.field("name").as_str() {
        Some(name) => name.to_string(),
        None => format!("stage {}", index + 1),
    }
}

fn index_of(node: &Node) -> Option<usize> {
    node.as_f64()
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map(|n| n as usize)
}

fn non_posix(shell: &[String]) -> bool {
    shell.first().is_some_and(|s| {
        let s = base(&s.replace('\\', "/")).to_ascii_lowercase();
        matches!(
            s.as_str(),
            "pwsh" | "pwsh.exe" | "powershell" | "powershell.exe" | "cmd" | "cmd.exe"
        )
    })
}

fn sets_pipefail(words: &[String]) -> bool {
    words.windows(2).any(|w| {
        w[1] == "pipefail"
            && w[0].starts_with('-')
            && !w[0].starts_with("--")
            && w[0].ends_with('o')
    })
}

/// An instruction's arguments without the flags in front (`--mount=…`, `--network=none`),
/// read off as BuildKit reads them: words starting with `--`, quotes respected, up to `--`.
fn without_flags(text: &str) -> &str {
    let mut rest = text.trim_start();
    while let Some(flag) = rest.strip_prefix("--") {
        let mut quote = None;
        let mut end = flag.len();
        for (at, c) in flag.char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c.is_whitespace() => {
                    end = at;
                    break;
                }
                None => {}
            }
        }
        let word = &flag[..end];
        rest = flag[end..].trim_start();
        if word.is_empty() {
            break;
        }
    }
    rest
}

/// The commands of one RUN, given the stage's shell; `None` when the shell is not a POSIX
/// shell (PowerShell, cmd), whose scripts these checks do not read.
fn run_commands(i: &Node, shell: &[String]) -> Option<Vec<Command>> {
    let mut out = Vec::new();
    if i.field("json").as_bool() == Some(true) {
        let words: Vec<String> = i
            .field("value")
            .items()
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let command = Command {
            words,
            ..Command::default()
        };
        let inner = shell_c_script(&command);
        out.push(command);
        if let Some(script) = inner {
            shell_commands(&script, 1, &mut out);
        }
        return Some(out);
    }
    if non_posix(shell) {
        return None;
    }
    shell_commands(without_flags(original(i)), 0, &mut out);
    // A heredoc is the script when the RUN line is only the heredoc, or a shell reading
    // it; with a shebang, BuildKit runs it with that interpreter.
    let reads_script = match out.as_slice() {
        [] => true,
        [only] => SHELLS.contains(&only.program()) && shell_c_script(only).is_none(),
        _ => false,
    };
    if reads_script {
        for h in i.field("heredocs").items() {
            let body = h.field("body").as_str().unwrap_or_default();
            if let Some(shebang) = body.strip_prefix("#!") {
                let line = shebang.lines().next().unwrap_or_default();
                let mut parts = line.split_whitespace();
                let mut interpreter = parts.next().map(base).unwrap_or_default();
                if interpreter == "env" {
                    interpreter = parts.next().unwrap_or_default();
                }
                if !SHELLS.contains(&interpreter) {
                    continue;
                }
            }
            shell_commands(body, 0, &mut out);
        }
    }
    Some(out)
}

/// Every RUN of every stage, with the commands it executes.
fn runs(doc: &Document) -> Vec<Run<'_>> {
    let default_shell = vec!["/bin/sh".to_string(), "-c".to_string()];
    let all = stages(&doc.root);
    let mut final_shells: Vec<Vec<String>> = Vec::with_capacity(all.len());
    let mut out = Vec::new();
    for (index, stage) in all.iter().enumerate() {
        let mut shell = stage
            .get("from_stage")
            .and_then(index_of)
            .and_then(|p| final_shells.get(p).cloned())
            .unwrap_or_else(|| default_shell.clone());
        for i in instructions(stage) {
            match cmd(i) {
                "SHELL" => {
                    let words: Vec<String> = i
                        .field("value")
                        .items()
                        .into_iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                    if !words.is_empty() {
                        shell = words;
                    }
                }
                "RUN" => {
                    if let Some(commands) = run_commands(i, &shell) {
                        out.push(Run {
                            node: i,
                            stage,
                            stage_index: index,
                            commands,
                            pipefail_shell: sets_pipefail(&shell) || non_posix(&shell),
                        });
                    }
                }
                _ => {}
            }
        }
        final_shells.push(shell);
    }
    out
}

/// Which stages end up in the image the Dockerfile builds by default: the last stage and
/// the stages it is built `FROM`.
fn shipped(doc: &Document) -> Vec<bool> {
    let all = stages(&doc.root);
    let mut out = vec![false; all.len()];
    let mut at = all.len().checked_sub(1);
    while let Some(i) = at {
        match out.get_mut(i) {
            Some(seen) if !*seen => *seen = true,
            _ => break,
        }
        at = all
            .get(i)
            .and_then(|s| s.get("from_stage"))
            .and_then(index_of)
            .filter(|p| *p < i);
    }
    out
}

/// A subcommand and its operands: `apt-get -q install -y a b=1` gives `("install", ["a",
/// "b=1"], ["-q", "-y"])`; `valued` are the options that take the next word as their value.
fn subcommand<'a>(
    args: &'a [String],
    valued: &[&str],
) -> Option<(&'a str, Vec<&'a str>, Vec<&'a str>)> {
    let mut sub = None;
    let mut operands = Vec::new();
    let mut options = Vec::new();
    let mut i = 0;
    let mut only_operands = false;
    while let Some(a) = args.get(i) {
        i += 1;
        if !only_operands && a == "--" {
            only_operands = true;
            continue;
        }
        if !only_operands && a.starts_with('-') && a.len() > 1 {
            options.push(a.as_str());
            if valued.contains(&a.as_str()) {
                if let Some(v) = args.get(i) {
                    options.push(v.as_str());
                }
                i += 1;
            }
            continue;
        }
        if sub.is_none() {
            sub = Some(a.as_str());
        } else {
            operands.push(a.as_str());
        }
    }
    sub.map(|s| (s, operands, options))
}

const APT_VALUED: &[&str] = &[
    "-o",
    "-c",
    "-t",
    "-a",
    "--option",
    "--config-file",
    "--target-release",
    "--host-architecture",
];

/// `apt-get`/`apt` commands: the subcommand, operands and options.
fn apt(c: &Command) -> Option<(&str, Vec<&str>, Vec<&str>)> {
    if !matches!(c.program(), "apt-get" | "apt") {
        return None;
    }
    subcommand(c.args(), APT_VALUED)
}

/// A package operand whose value is not known (a variable) or that is a local file.
fn undecidable(word: &str) -> bool {
    word.contains('$') || word.contains('/') || word.is_empty()
}

fn list(items: &[&str]) -> String {
    const MAX: usize = 5;
    let mut shown: Vec<String> = items.iter().take(MAX).map(|s| format!("`{s}`")).collect();
    if items.len() > MAX {
        shown.push(format!("and {} more", items.len() - MAX));
    }
    shown.join(", ")
}

fn apt_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        for c in &run.commands {
            let Some(("install", packages, _)) = apt(c) else {
                continue;
            };
            let unpinned: Vec<&str> = packages
                .into_iter()
                .filter(|p| !undecidable(p) && !p.contains('=') && !p.ends_with(".deb"))
                .collect();
            if !unpinned.is_empty() {
                hits.push(
                    Hit::at(
                        run.node,
                        format!(
                            "{} installs {} without a pinned version",
                            c.program(),
                            list(&unpinned)
                        ),
                    )
                    .with_identity(format!("apt/{}", unpinned.join(","))),
                );
            }
        }
    }
}

fn words_of(i: &Node) -> Vec<&str> {
    i.field("value")
        .items()
        .into_iter()
        .filter_map(Node::as_str)
        .collect()
}

fn unquoted(word: &str) -> &str {
    word.trim_matches(|c| c == '"' || c == '\'')
}

fn sudo(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        if let Some(c) = run.commands.iter().find(|c| strip_wrappers(&c.words).1) {
            hits.push(
                Hit::at(
                    run.node,
                    format!(
                        "RUN uses sudo (`{}`); build steps already run as the USER in effect",
                        c.text()
                    ),
                )
                .with_identity(run.identity(&c.text())),
            );
        }
    }
}

/// Where a curl, wget, pip, npm, git or yum command turns certificate checks off.
fn tls_off(c: &Command) -> Option<String> {
    let args = c.args();
    let has = |opt: &str| args.iter().any(|a| a == opt);
    let letters = |l: char| {
        args.iter().any(|a| {
            a.strip_prefix('-').is_some_and(|s| {
                !s.starts_with('-') && s.chars().all(|c| c.is_ascii_alphanumeric()) && s.contains(l)
            })
        })
    };
    match c.program() {
        "curl" if has("--insecure") || letters('k') => Some("curl --insecure".into()),
        "wget" if has("--no-check-certificate") => Some("wget --no-check-certificate".into()),
        p if p.starts_with("pip")
            && args
                .iter()
                .any(|a| a == "--trusted-host" || a.starts_with("--trusted-host=")) =>
        {
            Some(format!("{p} --trusted-host"))
        }
        p @ ("npm" | "yarn" | "pnpm") => {
            let joined: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
            let off = joined
                .windows(2)
                .any(|w| (w[0] == "strict-ssl" || w[0] == "strictssl") && w[1] == "false")
                || joined
                    .iter()
                    .any(|a| a == "strict-ssl=false" || a == "--strict-ssl=false");
            (off && joined
                .iter()
                .any(|a| a == "set" || a.starts_with("--strict-ssl")))
            .then(|| format!("{p} strict-ssl false"))
        }
        "git" => {
            let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
            let off = lower.iter().any(|a| a == "http.sslverify=false")
                || lower
                    .windows(2)
                    .any(|w| w[0] == "http.sslverify" && w[1] == "false");
            off.then(|| "git http.sslVerify=false".into())
        }
        p @ ("yum-config-manager" | "dnf" | "yum") => {
            let off = args.iter().any(|a| {
                let a = a.to_ascii_lowercase().replace(['"', '\''], "");
                a.contains("sslverify=0")
                    || a.contains("sslverify=false")
                    || a.contains("sslverify=no")
            });
            off.then(|| format!("{p} sslverify=0"))
        }
        _ => None,
    }
}

/// Environment variables that turn certificate checks off, and the values that do.
fn tls_env_off(name: &str, value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    match name {
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => v == "0",
        "NPM_CONFIG_STRICT_SSL" | "npm_config_strict_ssl" => v.eq_ignore_ascii_case("false"),
        "GIT_SSL_NO_VERIFY" | "PIP_TRUSTED_HOST" => !v.is_empty() && !v.starts_with('$'),
        _ => false,
    }
}

fn tls_verification_disabled(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        let mut found: Option<String> = None;
        for c in &run.commands {
            if let Some(what) = tls_off(c) {
                found = Some(what);
                break;
            }
            if let Some((name, _)) = c
                .assignments
                .iter()
                .filter_map(|a| a.split_once('='))
                .find(|(n, v)| tls_env_off(n, v))
            {
                found = Some(name.to_string());
                break;
            }
        }
        if let Some(what) = found {
            hits.push(
                Hit::at(
                    run.node,
                    format!("RUN turns TLS certificate verification off ({what})"),
                )
                .with_identity(run.identity(&what)),
            );
        }
    }
    let global = doc.root.field("global").items();
    let staged = stages(&doc.root).into_iter().flat_map(instructions);
    for i in global.into_iter().chain(staged) {
        if cmd(i) != "ENV" && cmd(i) != "ARG" {
            continue;
        }
        let Some(pairs) = i.field("pairs").as_object() else {
            continue;
        };
        for (name, value) in pairs {
            let Some(v) = value.as_str() else { continue };
            if tls_env_off(name, v) {
                hits.push(
                    Hit::at(
                        i,
                        format!(
                            "{} `{name}={v}` turns TLS certificate verification off for every later step",
                            cmd(i)
                        ),
                    )
                    .with_identity(format!("{}/{name}", cmd(i))),
                );
            }
        }
    }
}

/// Where a package manager is told to accept packages without a valid signature.
fn unsigned(c: &Command) -> Option<String> {
    let args = c.args();
    let any = |f: &dyn Fn(&str) -> bool| args.iter().any(|a| f(a));
    match c.program() {
        p @ ("apt-get" | "apt") => {
            if any(&|a| {
                a == "--allow-unauthenticated"
                    || a == "--force-yes"
                    || a == "--allow-insecure-repositories"
            }) {
                return Some(format!("{p} --allow-unauthenticated/--force-yes"));
            }
            let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
            lower
                .iter()
                .any(|a| {
                    a.contains("allowunauthenticated=true")
                        || a.contains("allowunauthenticated=1")
                        || a.contains("allowinsecurerepositories=true")
                })
                .then(|| format!("{p} -o APT::Get::AllowUnauthenticated=true"))
        }
        "apk" if any(&|a| a == "--allow-untrusted") => Some("apk --allow-untrusted".into()),
        p @ ("yum" | "dnf" | "microdnf" | "tdnf" | "zypper") => {
            if any(&|a| a == "--nogpgcheck" || a == "--no-gpg-checks") {
                return Some(format!("{p} --nogpgcheck"));
            }
            any(&|a| {
                let a = a.to_ascii_lowercase().replace(['"', '\''], "");
                a.starts_with("--setopt=")
                    && (a.ends_with("gpgcheck=0") || a.ends_with("gpgcheck=false"))
            })
            .then(|| format!("{p} --setopt=gpgcheck=0"))
        }
        "rpm" => {
            let bad = [
                "--nosignature",
                "--nodigest",
                "--nofiledigest",
                "--noverify",
            ];
            args.iter()
                .find(|a| bad.contains(&a.as_str()))
                .map(|a| format!("rpm {a}"))
        }
        _ => None,
    }
}

fn unsigned_packages(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        if let Some(what) = run.commands.iter().find_map(unsigned) {
            hits.push(
                Hit::at(
                    run.node,
                    format!("RUN installs packages without checking their signatures ({what})"),
                )
                .with_identity(run.identity(&what)),
            );
        }
    }
}

/// Whether a file name is a credential: private keys, dotenv files, credential stores.
fn secret_file(path: &str) -> bool {
    let path = unquoted(path).trim_end_matches('/');
    let name = base(path).to_ascii_lowercase();
    let parent = path
        .rsplit('/')
        .nth(1)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if matches!(
        name.as_str(),
        "id_rsa"
            | "id_dsa"
            | "id_ecdsa"
            | "id_ed25519"
            | "id_ecdsa_sk"
            | "id_ed25519_sk"
            | ".env"
            | ".netrc"
            | "_netrc"
            | ".git-credentials"
            | ".pypirc"
            | ".pgpass"
            | ".htpasswd"
            | "credentials.json"
            | ".dockercfg"
    ) {
        return true;
    }
    if let Some(rest) = name.strip_prefix(".env.") {
        return !matches!(
            rest,
            "example" | "sample" | "template" | "dist" | "defaults" | "default" | "test"
        );
    }
    if (parent == ".aws" && name == "credentials") || (parent == ".docker" && name == "config.json")
    {
        return true;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    match ext {
        // Repository signing keys and trust stores are public.
        "key" | "p12" | "pfx" | "jks" | "keystore" | "ppk" => ![
            "pub", "gpg", "pgp", "sign", "repo", "trust", "cacert", "release",
        ]
        .iter()
        .any(|public| name.contains(public)),
        "pem" => name.contains("key") || name.contains("private") || name.contains("priv"),
        _ => false,
    }
}

fn secret_file_copied(doc: &Document, hits: &mut Vec<Hit>) {
    let ship = shipped(doc);
    for (index, stage) in stages(&doc.root).into_iter().enumerate() {
        if !ship.get(index).copied().unwrap_or(false) {
            continue;
        }
        for i in instructions(stage) {
            if cmd(i) != "COPY" && cmd(i) != "ADD" {
                continue;
            }
            let words = words_of(i);
            let Some((_, sources)) = words.split_last() else {
                continue;
            };
            for source in sources {
                if source.contains('$') || source.starts_with("<<") {
                    continue;
                }
                if secret_file(source) {
                    let source = unquoted(source);
                    hits.push(
                        Hit::at(
                            i,
                            format!(
                                "{} puts `{source}` into the image, where anyone who pulls it can read it",
                                cmd(i)
                            ),
                        )
                        .with_identity(format!("{}/{source}", stage_label(stage, index))),
                    );
                }
            }
        }
    }
}

/// Whether a chmod mode makes files writable by everyone (`777`, `o+w`, `a=rwx`); the sticky
/// bit (`1777`, shared temporary directories) excepted.
fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        let digits: Vec<u32> = mode.chars().filter_map(|c| c.to_digit(8)).collect();
        let other = digits.last().copied().unwrap_or(0);
        let sticky = digits.len() == 4 && digits[0] & 1 == 1;
        return other & 2 == 2 && !sticky;
    }
    mode.split(',').any(|clause| {
        let who: String = clause.chars().take_while(|c| "ugoa".contains(*c)).collect();
        let rest = &clause[who.len()..];
        (who.contains('o') || who.contains('a'))
            && (rest.starts_with('+') || rest.starts_with('='))
            && rest.contains('w')
            && !clause.contains('t')
    })
}

fn chmod_world_writable(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        for c in &run.commands {
            if c.program() != "chmod" {
                continue;
            }
            let Some(mode) = c.args().iter().find(|a| !a.starts_with('-')) else {
                continue;
            };
            let mode = mode.as_str();
            if world_writable(mode) {
                let targets: Vec<&str> = c
                    .args()
                    .iter()
                    .filter(|a| !a.starts_with('-') && a.as_str() != mode)
                    .map(String::as_str)
                    .collect();
                hits.push(
                    Hit::at(
                        run.node,
                        format!(
                            "`chmod {mode}` makes {} writable by every user in the container",
                            list(&targets)
                        ),
                    )
                    .with_identity(run.identity(&c.text())),
                );
                break;
            }
        }
    }
    for stage in stages(&doc.root) {
        for i in instructions(stage) {
            if cmd(i) != "COPY" && cmd(i) != "ADD" {
                continue;
            }
            if let Some(mode) = i.path(&["flags", "chmod"]).and_then(Node::as_str) {
                if world_writable(mode) {
                    hits.push(
                        Hit::at(
                            i,
                            format!("{} --chmod={mode} makes the copied files writable by every user in the container", cmd(i)),
                        )
                        .with_identity(format!("{}/chmod/{}", cmd(i), original(i))),
                    );
                }
            }
        }
    }
}

fn copy_from_unknown_stage(doc: &Document, hits: &mut Vec<Hit>) {
    let all = stages(&doc.root);
    for (index, stage) in all.iter().enumerate() {
        let earlier: Vec<String> = all[..index]
            .iter()
            .filter_map(|s| s.field("name").as_str())
            .map(str::to_ascii_lowercase)
            .collect();
        for i in instructions(stage) {
            if cmd(i) != "COPY" {
                continue;
            }
            let Some(from) = i.path(&["flags", "from"]).and_then(Node::as_str) else {
                continue;
            };
            // Image references (`nginx:1.27`, `ghcr.io/x/y`) and stage numbers are fine;
            // variables cannot be judged.
            if from.contains(['$', ':', '/', '@']) {
                continue;
            }
            if let Ok(n) = from.parse::<usize>() {
                if n < index {
                    continue;
                }
                hits.push(
                    Hit::at(
                        i,
                        format!("COPY --from={n} names stage {n}, which is not an earlier stage"),
                    )
                    .with_identity(format!("{}/from/{from}", stage_label(stage, index))),
                );
                continue;
            }
            if earlier.contains(&from.to_ascii_lowercase()) {
                continue;
            }
            if stage
                .field("name")
                .as_str()
                .is_some_and(|own| own.eq_ignore_ascii_case(from))
            {
                hits.push(
                    Hit::at(
                        i,
                        format!("COPY --from={from} names the stage it is in; a stage cannot copy from itself"),
                    )
                    .with_identity(format!("{}/from/{from}", stage_label(stage, index))),
                );
                continue;
            }
            hits.push(
                Hit::at(
                    i,
                    format!(
                        "COPY --from={from} names no earlier stage, so the builder pulls an image called `{from}` from Docker Hub"
                    ),
                )
                .with_identity(format!("{}/from/{from}", stage_label(stage, index))),
            );
        }
    }
}

fn duplicate_stage_name(doc: &Document, hits: &mut Vec<Hit>) {
    let mut seen: Vec<String> = Vec::new();
    for stage in stages(&doc.root) {
        let Some(name) = stage.get("name").and_then(Node::as_str) else {
            continue;
        };
        let key = name.to_ascii_lowercase();
        if seen.contains(&key) {
            hits.push(
                Hit::at(
                    stage,
                    format!("stage name `{name}` is used by an earlier FROM"),
                )
                .with_identity(format!("stage/{key}")),
            );
        } else {
            seen.push(key);
        }
    }
}

/// Reports, once per RUN, the packages a command installs without a version.
fn report_unpinned(run: &Run<'_>, c: &Command, tool: &str, unpinned: &[&str], hits: &mut Vec<Hit>) {
    if unpinned.is_empty() {
        return;
    }
    hits.push(
        Hit::at(
            run.node,
            format!(
                "{tool} installs {} without a pinned version",
                list(unpinned)
            ),
        )
        .with_identity(run.identity(&format!("{}/{}", c.program(), unpinned.join(",")))),
    );
}

const PIP_VALUED: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--cache-dir",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
    "--global-option",
    "--install-option",
    "--config-settings",
    "-C",
    "--only-binary",
    "--no-binary",
    "--report",
    "--python",
    "--root-user-action",
];

/// `pip install …` (also `pip3`, `python -m pip`): operands and options.
fn pip_install(c: &Command) -> Option<(Vec<&str>, Vec<&str>)> {
    let argv = c.argv();
    let program = base(argv.first()?);
    let pip = program == "pip"
        || program
            .strip_prefix("pip")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    let args: &[String] = if pip {
        argv.get(1..)?
    } else if program.starts_with("python")
        && argv.get(1).map(String::as_str) == Some("-m")
        && argv.get(2).map(String::as_str) == Some("pip")
    {
        argv.get(3..)?
    } else {
        return None;
    };
    match subcommand(args, PIP_VALUED)? {
        ("install", operands, options) => Some((operands, options)),
        _ => None,
    }
}

fn pip_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        for c in &run.commands {
            let Some((packages, options)) = pip_install(c) else {
                continue;
            };
            // A constraints file pins what the command line names.
            if options
                .iter()
                .any(|o| matches!(*o, "-c" | "--constraint") || o.starts_with("--constraint="))
            {
                continue;
            }
            let upgrading = options.iter().any(|o| matches!(*o, "-U" | "--upgrade"));
            let unpinned: Vec<&str> = packages
                .into_iter()
                .filter(|p| {
                    !undecidable(p)
                        && !p.contains(['=', '<', '>', '~', '@', '*'])
                        && !p.starts_with('.')
                        && !p.ends_with(".whl")
                        && !p.ends_with(".tar.gz")
                        && !p.ends_with(".zip")
                        && !(upgrading && matches!(*p, "pip" | "setuptools" | "wheel"))
                })
                .collect();
            report_unpinned(&run, c, "pip", &unpinned, hits);
        }
    }
}

fn npm_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    const NPM_VALUED: &[&str] = &[
        "--prefix",
        "--registry",
        "--cache",
        "--userconfig",
        "-w",
        "--workspace",
        "--omit",
        "--include",
        "--loglevel",
        "--tag",
        "--location",
    ];
    for run in runs(doc) {
        for c in &run.commands {
            if c.program() != "npm" {
                continue;
            }
            let Some((sub, packages, _)) = subcommand(c.args(), NPM_VALUED) else {
                continue;
            };
            if !matches!(sub, "install" | "i" | "add" | "in" | "isntall") {
                continue;
            }
            let unpinned: Vec<&str> = packages
                .into_iter()
                .filter(|p| {
                    // `name@1.2.3`, `@scope/name@1.2.3`; paths, tarballs, URLs and git
                    // references name one version already.
                    let versioned = p
                        .trim_start_matches('@')
                        .split_once('@')
                        .is_some_and(|(_, v)| !v.is_empty() && v != "latest" && v != "next");
                    !undecidable(p)
                        && !versioned
                        && !p.contains(':')
                        && !p.ends_with(".tgz")
                        && !p.starts_with('.')
                })
                .collect();
            report_unpinned(&run, c, "npm", &unpinned, hits);
        }
    }
}

fn gem_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    const GEM_VALUED: &[&str] = &[
        "-v",
        "--version",
        "-i",
        "--install-dir",
        "-n",
        "--bindir",
        "-s",
        "--source",
        "-P",
        "--trust-policy",
        "--platform",
        "-g",
        "--file",
    ];
    for run in runs(doc) {
        for c in &run.commands {
            if c.program() != "gem" {
                continue;
            }
            let Some(("install" | "i", packages, options)) = subcommand(c.args(), GEM_VALUED)
            else {
                continue;
            };
            if options
                .iter()
                .any(|o| matches!(*o, "-v" | "--version") || o.starts_with("--version="))
            {
                continue;
            }
            let unpinned: Vec<&str> = packages
                .into_iter()
                .filter(|p| !undecidable(p) && !p.contains(':') && !p.ends_with(".gem"))
                .collect();
            report_unpinned(&run, c, "gem", &unpinned, hits);
        }
    }
}

const APK_VALUED: &[&str] = &[
    "-t",
    "--virtual",
    "-X",
    "--repository",
    "-p",
    "--root",
    "--arch",
    "--repositories-file",
    "--keys-dir",
    "--cache-dir",
];

fn apk_add(c: &Command) -> Option<(Vec<&str>, Vec<&str>)> {
    if c.program() != "apk" {
        return None;
    }
    match subcommand(c.args(), APK_VALUED)? {
        ("add", packages, options) => Some((packages, options)),
        _ => None,
    }
}

fn apk_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        for c in &run.commands {
            let Some((packages, _)) = apk_add(c) else {
                continue;
            };
            let unpinned: Vec<&str> = packages
                .into_iter()
                .filter(|p| {
                    !undecidable(p) && !p.contains(['=', '<', '>', '~']) && !p.ends_with(".apk")
                })
                .collect();
            report_unpinned(&run, c, "apk add", &unpinned, hits);
        }
    }
}

const RPM_VALUED: &[&str] = &[
    "-c",
    "--config",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
    "-R",
    "--randomwait",
    "-x",
    "--exclude",
    "--enablerepo",
    "--disablerepo",
    "--setopt",
    "--installroot",
    "--releasever",
    "--repo",
    "--repoid",
    "--repofrompath",
    "--forcearch",
    "--downloaddir",
    "--destdir",
    "-r",
    "--from",
    "-t",
    "--type",
    "--root",
];

/// `yum`/`dnf`/`microdnf`/`zypper install …`: the tool and its operands.
fn rpm_install(c: &Command) -> Option<(&str, Vec<&str>)> {
    let program = c.program();
    if !matches!(program, "yum" | "dnf" | "microdnf" | "tdnf" | "zypper") {
        return None;
    }
    match subcommand(c.args(), RPM_VALUED)? {
        ("install" | "in", packages, _) => Some((program, packages)),
        _ => None,
    }
}

fn rpm_unpinned(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        for c in &run.commands {
            let Some((tool, packages)) = rpm_install(c) else {
                continue;
            };
            let unpinned: Vec<&str> = packages
                .into_iter()
                .filter(|p| {
                    let versioned = if tool == "zypper" {
                        p.contains(['=', '<', '>'])
                    } else {
                        // name-version: a dash followed by a digit.
                        p.match_indices('-')
                            .any(|(at, _)| p[at + 1..].starts_with(|c: char| c.is_ascii_digit()))
                    };
                    !undecidable(p)
                        && !versioned
                        && !p.ends_with(".rpm")
                        && !p.starts_with('@')
                        && !p.contains(['(', '*'])
                })
                .collect();
            report_unpinned(&run, c, &format!("{tool} install"), &unpinned, hits);
        }
    }
}

/// Whether any command of the RUN removes (or names for removal) a path under `dir`.
fn removes(run: &Run<'_>, dir: &str) -> bool {
    run.commands.iter().any(|c| {
        matches!(c.program(), "rm" | "find" | "rmdir")
            && c.args().iter().any(|a| a.starts_with(dir))
    })
}

fn apt_lists_not_removed(doc: &Document, hits: &mut Vec<Hit>) {
    let ship = shipped(doc);
    for run in runs(doc) {
        if !ship.get(run.stage_index).copied().unwrap_or(false) {
            continue;
        }
        // `apt-get update` downloads the package lists, whatever follows it.
        let updates = run
            .commands
            .iter()
            .any(|c| matches!(apt(c), Some(("update", _, _))));
        if !updates {
            continue;
        }
        if removes(&run, "/var/lib/apt/lists") || run.caches("/var/lib/apt") {
            continue;
        }
        hits.push(
            Hit::at(
                run.node,
                "RUN runs apt-get update but leaves the package lists (/var/lib/apt/lists) in the layer",
            )
            .with_identity(run.identity("apt-lists")),
        );
    }
}

fn apt_no_install_recommends(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        for c in &run.commands {
            let Some(("install", packages, options)) = apt(c) else {
                continue;
            };
            if packages.is_empty() {
                continue;
            }
            let off = options.iter().any(|o| {
                *o == "--no-install-recommends"
                    || o.to_ascii_lowercase().contains("install-recommends=false")
                    || o.to_ascii_lowercase().contains("install-recommends=0")
                    || o.to_ascii_lowercase()
                        .contains("install-recommends=\"false\"")
            });
            if !off {
                hits.push(
                    Hit::at(
                        run.node,
                        format!(
                            "{} install of {} also installs every recommended package",
                            c.program(),
                            list(&packages)
                        ),
                    )
                    .with_identity(run.identity(&c.text())),
                );
                break;
            }
        }
    }
}

fn apt_command(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        if let Some(c) = run
            .commands
            .iter()
            .find(|c| c.program() == "apt" && !c.args().is_empty())
        {
            hits.push(
                Hit::at(
                    run.node,
                    format!(
                        "RUN uses `{}`; apt's command line is not stable for scripts, use apt-get",
                        c.text()
                    ),
                )
                .with_identity(run.identity(&c.text())),
            );
        }
    }
}

fn apt_update_alone(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        let sub = |s: &str| {
            run.commands
                .iter()
                .any(|c| apt(c).is_some_and(|(x, _, _)| x == s))
        };
        if sub("update")
            && ![
                "install",
                "upgrade",
                "dist-upgrade",
                "full-upgrade",
                "build-dep",
                "source",
            ]
            .iter()
            .any(|s| sub(s))
        {
            hits.push(
                Hit::at(
                    run.node,
                    "RUN runs apt-get update without installing in the same step: a later install reuses the cached, stale package lists",
                )
                .with_identity(run.identity("apt-update")),
            );
        }
    }
}

fn apk_no_cache(doc: &Document, hits: &mut Vec<Hit>) {
    let ship = shipped(doc);
    for run in runs(doc) {
        if !ship.get(run.stage_index).copied().unwrap_or(false) {
            continue;
        }
        if run.caches("/var/cache/apk") || removes(&run, "/var/cache/apk") {
            continue;
        }
        let cached = run.commands.iter().find(|c| {
            apk_add(c).is_some_and(|(packages, options)| {
                !packages.is_empty() && !options.contains(&"--no-cache")
            })
        });
        if let Some(c) = cached {
            hits.push(
                Hit::at(
                    run.node,
                    format!(
                        "`{}` keeps the package index in the layer; add --no-cache",
                        c.text()
                    ),
                )
                .with_identity(run.identity(&c.text())),
            );
        }
    }
}

fn pip_cache(doc: &Document, hits: &mut Vec<Hit>) {
    let ship = shipped(doc);
    // `ENV PIP_NO_CACHE_DIR=…` turns the cache off for every later pip.
    let env_off = |stage: &Node, line: f64| {
        instructions(stage).into_iter().any(|i| {
            cmd(i) == "ENV"
                && i.field("line").as_f64().is_some_and(|l| l < line)
                && i.field("pairs").get("PIP_NO_CACHE_DIR").is_some()
        })
    };
    for run in runs(doc) {
        if !ship.get(run.stage_index).copied().unwrap_or(false) {
            continue;
        }
        let inline = run.commands.iter().any(|c| {
            c.assignments
                .iter()
                .any(|a| a.starts_with("PIP_NO_CACHE_DIR="))
        });
        if inline
            || run.caches("/root/.cache")
            || env_off(run.stage, run.node.field("line").as_f64().unwrap_or(0.0))
        {
            continue;
        }
        let found = run.commands.iter().find(|c| {
            pip_install(c).is_some_and(|(packages, options)| {
                !options.contains(&"--no-cache-dir")
                    && (!packages.is_empty()
                        || options.iter().any(|o| matches!(*o, "-r" | "--requirement")))
            })
        });
        if let Some(c) = found {
            hits.push(
                Hit::at(
                    run.node,
                    format!(
                        "`{}` keeps pip's download cache in the layer; add --no-cache-dir",
                        c.text()
                    ),
                )
                .with_identity(run.identity(&c.text())),
            );
        }
    }
}

fn rpm_cache(doc: &Document, hits: &mut Vec<Hit>) {
    let ship = shipped(doc);
    for run in runs(doc) {
        if !ship.get(run.stage_index).copied().unwrap_or(false) {
            continue;
        }
        let Some(tool) = run.commands.iter().find_map(|c| {
            rpm_install(c)
                .filter(|(_, p)| !p.is_empty())
                .map(|(t, _)| t)
        }) else {
            continue;
        };
        let cleaned = run.commands.iter().any(|c| {
            matches!(c.program(), "yum" | "dnf" | "microdnf" | "tdnf" | "zypper")
                && subcommand(c.args(), RPM_VALUED)
                    .is_some_and(|(s, _, _)| s == "clean" || s == "cc")
        });
        let dir = match tool {
            "zypper" => "/var/cache/zypp",
            "yum" => "/var/cache/yum",
            _ => "/var/cache/dnf",
        };
        if cleaned || removes(&run, dir) || run.caches(dir) || removes(&run, "/var/cache/yum") {
            continue;
        }
        hits.push(
            Hit::at(
                run.node,
                format!("RUN installs with {tool} but does not run `{tool} clean all`, so the package cache stays in the layer"),
            )
            .with_identity(run.identity(&format!("{tool}-clean"))),
        );
    }
}

fn workdir_relative(doc: &Document, hits: &mut Vec<Hit>) {
    for (index, stage) in stages(&doc.root).into_iter().enumerate() {
        for i in instructions(stage) {
            if cmd(i) != "WORKDIR" {
                continue;
            }
            let Some(dir) = words_of(i).first().map(|w| unquoted(w)) else {
                continue;
            };
            let windows = dir.len() >= 2
                && dir.as_bytes()[1] == b':'
                && dir.as_bytes()[0].is_ascii_alphabetic();
            if dir.is_empty() || dir.starts_with(['/', '\\', '$']) || windows {
                continue;
            }
            hits.push(
                Hit::at(
                    i,
                    format!("WORKDIR `{dir}` is relative, so it depends on every earlier WORKDIR"),
                )
                .with_identity(format!("{}/workdir/{dir}", stage_label(stage, index))),
            );
        }
    }
}

fn run_cd(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        if let Some(c) = run
            .commands
            .iter()
            .find(|c| c.depth == 0 && c.program() == "cd" && !c.args().is_empty())
        {
            hits.push(
                Hit::at(
                    run.node,
                    format!("RUN changes directory with `{}`; WORKDIR states it once for every later step", c.text()),
                )
                .with_identity(run.identity(&c.text())),
            );
        }
    }
}

fn pointless_command(doc: &Document, hits: &mut Vec<Hit>) {
    const POINTLESS: &[&str] = &[
        "ssh", "vim", "vi", "nano", "shutdown", "reboot", "service", "ps", "free", "top", "htop",
        "kill", "mount", "ifconfig",
    ];
    for run in runs(doc) {
        if let Some(c) = run
            .commands
            .iter()
            .find(|c| POINTLESS.contains(&c.program()))
        {
            hits.push(
                Hit::at(
                    run.node,
                    format!("`{}` does nothing useful in an image build", c.program()),
                )
                .with_identity(run.identity(c.program())),
            );
        }
    }
}

/// Whether ADD would extract the source: a local tar archive, possibly compressed.
fn archive(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tb2", ".tar.xz", ".txz",
        ".tar.zst", ".tzst", ".gz", ".bz2", ".xz", ".zst", ".lz4",
    ]
    .iter()
    .any(|ext| s.ends_with(ext))
}

fn remote(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.starts_with("git://")
        || s.starts_with("ssh://")
}

fn add_local_file(doc: &Document, hits: &mut Vec<Hit>) {
    for (index, stage) in stages(&doc.root).into_iter().enumerate() {
        for i in instructions(stage) {
            if cmd(i) != "ADD" {
                continue;
            }
            let words = words_of(i);
            let Some((_, sources)) = words.split_last() else {
                continue;
            };
            let sources: Vec<&str> = sources.iter().map(|s| unquoted(s)).collect();
            if sources.is_empty()
                || sources
                    .iter()
                    .any(|s| s.contains('$') || s.starts_with("<<") || remote(s) || archive(s))
            {
                continue;
            }
            hits.push(
                Hit::at(
                    i,
                    format!("ADD copies {}; COPY does the same without ADD's URL fetching and archive extraction", list(&sources)),
                )
                .with_identity(format!("{}/add/{}", stage_label(stage, index), sources.join(","))),
            );
        }
    }
}

fn shell_form_cmd(doc: &Document, hits: &mut Vec<Hit>) {
    for (index, stage) in stages(&doc.root).into_iter().enumerate() {
        for i in instructions(stage) {
            let name = cmd(i);
            if name != "CMD" && name != "ENTRYPOINT" {
                continue;
            }
            if i.field("json").as_bool() != Some(false) || original(i).trim().is_empty() {
                continue;
            }
            hits.push(
                Hit::at(
                    i,
                    format!(
                        "{name} `{}` is in shell form: the process runs under /bin/sh -c and does not receive stop signals",
                        original(i)
                    ),
                )
                .with_identity(format!("{}/{name}", stage_label(stage, index))),
            );
        }
    }
}

fn repeated(doc: &Document, name: &str, hits: &mut Vec<Hit>) {
    for (index, stage) in stages(&doc.root).into_iter().enumerate() {
        let all: Vec<&Node> = instructions(stage)
            .into_iter()
            .filter(|i| cmd(i) == name)
            .collect();
        let Some((last, earlier)) = all.split_last() else {
            continue;
        };
        if let Some(first) = earlier.first() {
            hits.push(
                Hit::at(
                    last,
                    format!(
                        "stage `{}` has {} {name} instructions; only this last one takes effect (the first is on line {})",
                        stage_label(stage, index),
                        all.len(),
                        first.span.line
                    ),
                )
                .with_identity(format!("{}/{name}", stage_label(stage, index))),
            );
        }
    }
}

fn multiple_cmd(doc: &Document, hits: &mut Vec<Hit>) {
    repeated(doc, "CMD", hits);
}

fn multiple_entrypoint(doc: &Document, hits: &mut Vec<Hit>) {
    repeated(doc, "ENTRYPOINT", hits);
}

fn multiple_healthcheck(doc: &Document, hits: &mut Vec<Hit>) {
    repeated(doc, "HEALTHCHECK", hits);
}

fn shell_symlink(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        let found = run.commands.iter().find(|c| {
            c.program() == "ln"
                && c.args()
                    .iter()
                    .rfind(|a| !a.starts_with('-'))
                    .is_some_and(|target| target == "/bin/sh")
        });
        if let Some(c) = found {
            hits.push(
                Hit::at(
                    run.node,
                    format!("`{}` replaces /bin/sh for every later step and program in the image; SHELL changes the shell of RUN alone", c.text()),
                )
                .with_identity(run.identity("ln-bin-sh")),
            );
        }
    }
}

fn chpasswd(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        // A password read from a build secret is not written into the image's history.
        let secret_mount = run.node.path(&["flags", "mount"]).is_some_and(|m| {
            m.items()
                .into_iter()
                .filter_map(Node::as_str)
                .any(|spec| spec.contains("type=secret"))
        });
        if secret_mount || original(run.node).contains("/run/secrets/") {
            continue;
        }
        let found = run.commands.iter().find(|c| {
            let args = c.args();
            match c.program() {
                "chpasswd" => true,
                "useradd" | "usermod" | "adduser" => args.iter().enumerate().any(|(n, a)| {
                    (a == "-p" || a == "--password")
                        && args.get(n + 1).is_some_and(|v| !v.is_empty())
                }),
                _ => false,
            }
        });
        if let Some(c) = found {
            hits.push(
                Hit::at(
                    run.node,
                    format!("RUN sets an account password with `{}`: the password is stored in the image, and the command line in its history", c.program()),
                )
                .with_identity(run.identity(c.program())),
            );
        }
    }
}

fn pipefail(doc: &Document, hits: &mut Vec<Hit>) {
    for run in runs(doc) {
        if run.pipefail_shell || run.node.field("json").as_bool() == Some(true) {
            continue;
        }
        let mut armed = false;
        for c in run.commands.iter().filter(|c| c.depth == 0) {
            if c.program() == "set" && sets_pipefail(c.args()) {
                armed = true;
            }
            if c.pipe_out && !armed {
                hits.push(
                    Hit::at(
                        run.node,
                        format!(
                            "RUN pipes `{}` into another command without `set -o pipefail`: if it fails, the step still succeeds",
                            c.text()
                        ),
                    )
                    .with_identity(run.identity("pipefail")),
                );
                break;
            }
        }
    }
}

fn wget_and_curl(doc: &Document, hits: &mut Vec<Hit>) {
    let all = runs(doc);
    let uses = |tool: &str| {
        all.iter()
            .find(|r| r.commands.iter().any(|c| c.program() == tool))
    };
    let (Some(curl), Some(wget)) = (uses("curl"), uses("wget")) else {
        return;
    };
    // Reported where the second tool first appears.
    let (at, second, first) = if wget.node.span.line > curl.node.span.line {
        (wget, "wget", "curl")
    } else {
        (curl, "curl", "wget")
    };
    hits.push(
        Hit::at(
            at.node,
            format!("RUN uses {second} although the image already uses {first} to download: one tool is enough"),
        )
        .with_identity("wget-and-curl"),
    );
}

fn maintainer(doc: &Document, hits: &mut Vec<Hit>) {
    let global = doc.root.field("global").items();
    let staged = stages(&doc.root).into_iter().flat_map(instructions);
    for i in global.into_iter().chain(staged) {
        if cmd(i) == "MAINTAINER" {
            hits.push(
                Hit::at(i, format!("MAINTAINER `{}` is deprecated", original(i)))
                    .with_identity("maintainer"),
            );
        }
    }
}

/// The ports an EXPOSE word names: `80`, `80/tcp`, `8000-8010/udp`; `None` for a variable
/// or text that is not a port.
fn exposed(word: &str) -> Option<(u64, u64)> {
    let port = word.split('/').next()?;
    if port.contains('$') {
        return None;
    }
    let (lo, hi) = port.split_once('-').unwrap_or((port, port));
    Some((lo.parse().ok()?, hi.parse().ok()?))
}

fn expose_invalid_port(doc: &Document, hits: &mut Vec<Hit>) {
    for (index, stage) in stages(&doc.root).into_iter().enumerate() {
        for i in instructions(stage) {
            if cmd(i) != "EXPOSE" {
                continue;
            }
            for w in words_of(i) {
                if exposed(w).is_some_and(|(lo, hi)| lo > 65535 || hi > 65535 || lo > hi) {
                    hits.push(
                        Hit::at(i, format!("EXPOSE `{w}` is not a valid port (0-65535)"))
                            .with_identity(format!("{}/expose/{w}", stage_label(stage, index))),
                    );
                }
            }
        }
    }
}

fn expose_ssh(doc: &Document, hits: &mut Vec<Hit>) {
    for (index, stage) in stages(&doc.root).into_iter().enumerate() {
        for i in instructions(stage) {
            if cmd(i) != "EXPOSE" {
                continue;
            }
            for w in words_of(i) {
                let udp = w.to_ascii_lowercase().ends_with("/udp");
                if !udp && exposed(w).is_some_and(|(lo, hi)| lo <= 22 && 22 <= hi) {
                    hits.push(
                        Hit::at(i, format!("EXPOSE `{w}` publishes the SSH port"))
                            .with_identity(format!("{}/expose/{w}", stage_label(stage, index))),
                    );
                }
            }
        }
    }
}

fn from_platform(doc: &Document, hits: &mut Vec<Hit>) {
    for (index, stage) in stages(&doc.root).into_iter().enumerate() {
        let Some(from) = instructions(stage).into_iter().find(|i| cmd(i) == "FROM") else {
            continue;
        };
        let Some(platform) = from.path(&["flags", "platform"]).and_then(Node::as_str) else {
            continue;
        };
        if platform.contains('$') {
            continue;
        }
        hits.push(
            Hit::at(
                from,
                format!("FROM --platform={platform} fixes the platform, so builds for other platforms get this one"),
            )
            .with_identity(format!("{}/platform", stage_label(stage, index))),
        );
    }
}

fn copy_multiple_sources(doc: &Document, hits: &mut Vec<Hit>) {
    for (index, stage) in stages(&doc.root).into_iter().enumerate() {
        for i in instructions(stage) {
            if cmd(i) != "COPY" && cmd(i) != "ADD" {
                continue;
            }
            if !i.field("heredocs").items().is_empty() {
                continue;
            }
            let words = words_of(i);
            let Some((dest, sources)) = words.split_last() else {
                continue;
            };
            let dest = unquoted(dest);
            if sources.len() < 2
                || dest.ends_with('/')
                || dest.ends_with('\\')
                || dest.contains('$')
            {
                continue;
            }
            hits.push(
                Hit::at(
                    i,
                    format!(
                        "{} copies {} sources to `{dest}`, which must then be a directory ending in /",
                        cmd(i),
                        sources.len()
                    ),
                )
                .with_identity(format!("{}/{}/{dest}", stage_label(stage, index), cmd(i))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(script: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        shell_commands(script, 0, &mut out);
        out.into_iter().map(|c| c.argv().to_vec()).collect()
    }

    fn doc(text: &str) -> Document {
        Document {
            kind: crate::model::Kind::Dockerfile,
            root: crate::dockerfile::parse(text).to_node(),
            via: None,
        }
    }

    #[test]
    fn scripts_split_into_commands_respecting_quotes() {
        assert_eq!(
            commands("apt-get update && apt-get install -y 'a b' \"c\\\"d\" || true; echo x|tee y"),
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b", "c\"d"],
                vec!["true"],
                vec!["echo", "x"],
                vec!["tee", "y"],
            ]
        );
        assert_eq!(
            commands("echo 'a && b' > /dev/null 2>&1 && FOO=1 sudo -u app env X=2 pip install x"),
            vec![vec!["echo", "a && b"], vec!["pip", "install", "x"]]
        );
        assert_eq!(
            commands("if [ -f x ]; then cd /tmp; fi # comment && rm -rf /\nls"),
            vec![vec!["[", "-f", "x", "]"], vec!["cd", "/tmp"], vec!["ls"]]
        );
        assert_eq!(
            commands("cat <<EOF > /etc/x\nrm -rf /\nEOF\necho $(date && id) done"),
            vec![vec!["cat"], vec!["echo", "$(date && id)", "done"]]
        );
        assert_eq!(
            commands("sh -c 'apk add curl && chmod 777 /x'"),
            vec![
                vec!["sh", "-c", "apk add curl && chmod 777 /x"],
                vec!["apk", "add", "curl"],
                vec!["chmod", "777", "/x"],
            ]
        );
        // Unterminated quotes and brackets end at the end of the text.
        assert_eq!(commands("echo 'abc"), vec![vec!["echo", "abc"]]);
        assert_eq!(commands("echo $(abc"), vec![vec!["echo", "$(abc"]]);
        assert_eq!(commands("\\"), Vec::<Vec<String>>::new());
    }

    #[test]
    fn flags_are_not_part_of_the_script() {
        assert_eq!(
            without_flags("--mount=type=cache,target=/x --network=none apk add curl"),
            "apk add curl"
        );
        assert_eq!(without_flags("--mount=type=secret,id=\"a b\" -- ls"), "ls");
        assert_eq!(without_flags("echo --x"), "echo --x");
        assert_eq!(without_flags("--"), "");
        let d = doc("FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk --update add curl\n");
        let mut hits = Vec::new();
        apk_unpinned(&d, &mut hits);
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn pipes_and_pipefail() {
        let mut out = Vec::new();
        shell_commands("a | b && c", 0, &mut out);
        assert!(out[0].pipe_out && !out[1].pipe_out && !out[2].pipe_out);
        assert!(sets_pipefail(&[
            "-eux".into(),
            "-o".into(),
            "pipefail".into()
        ]));
        assert!(sets_pipefail(&["-euxo".into(), "pipefail".into()]));
        assert!(!sets_pipefail(&["-c".into(), "pipefail".into()]));
    }

    #[test]
    fn modes_and_secret_names() {
        assert!(secret_file("tls/server.key") && !secret_file("nodesource.gpg.key"));
        assert!(world_writable("777") && world_writable("0666") && world_writable("o+w"));
        assert!(world_writable("u+x,a+rwx"));
        assert!(!world_writable("1777") && !world_writable("755") && !world_writable("+t"));
        assert!(secret_file("./deploy/id_rsa") && secret_file(".env") && secret_file(".env.prod"));
        assert!(secret_file("certs/server-key.pem") && secret_file("/root/.aws/credentials"));
        assert!(
            !secret_file(".env.example") && !secret_file("ca.pem") && !secret_file("id_rsa.pub")
        );
    }

    #[test]
    fn heredocs_with_a_shebang_are_not_read_as_shell() {
        let d = doc("FROM alpine:3.20\nRUN <<EOF\n#!/usr/bin/env python3\nimport os; os.system('sudo x')\nEOF\nRUN <<EOF\nset -e\nsudo apk add curl\nEOF\n");
        let mut hits = Vec::new();
        sudo(&d, &mut hits);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].span.line, 6);
    }

    #[test]
    fn powershell_scripts_are_not_read() {
        let d = doc("FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN curl.exe -k https://x | Out-Null\n");
        assert!(runs(&d).is_empty());
        let d = doc("FROM alpine:3.20 AS a\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nFROM a\nRUN wget -qO- x | tar -x\n");
        let mut hits = Vec::new();
        pipefail(&d, &mut hits);
        assert!(hits.is_empty());
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for text in [
            "FROM a\nRUN ((((((((((\n",
            "FROM a\nRUN \"'`$({\n",
            "FROM a\nRUN <<\n",
            "FROM a\nRUN cat <<-\tE\n\tE\nRUN x >",
            "FROM a\nRUN sh -c 'sh -c \"sh -c \\\"sh -c sh -c\\\"\"'\n",
            "FROM a\nCOPY --from=0 x y\nEXPOSE 99999999999999999999 a-b -1\nWORKDIR C:\n",
        ] {
            let d = doc(text);
            let mut hits = Vec::new();
            for (_, f) in CHECKS {
                f(&d, &mut hits);
            }
        }
    }
}
