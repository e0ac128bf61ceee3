//! Dockerfiles, read the way BuildKit reads them.
//!
//! - Parser directives (`# syntax=…`, `# escape=…`, `# check=…`) are read from the top of the
//!   file until the first line that is not one (a comment, a blank line, an instruction);
//!   `# escape=`` ` makes the backtick the escape character, as Windows Dockerfiles do.
//! - A line ending in the escape character continues on the next; comment lines and blank lines
//!   inside a continuation are dropped, and the pieces are joined as written.
//! - Instruction names are case-insensitive (kept upper case here). Flags (`--from=…`,
//!   `--mount=…`, `--link`, …) are read off the front of the arguments, as BuildKit does.
//! - `RUN`, `CMD`, `ENTRYPOINT` and `SHELL` are in exec form when their arguments are a JSON
//!   array of strings, in shell form otherwise (an invalid JSON array is shell form, as Docker
//!   treats it). `ENV`, `LABEL` and `ARG` give key/value pairs, quotes removed (the legacy
//!   `ENV key value` form included); everything else gives words split as BuildKit splits them.
//! - Heredocs (`RUN <<EOF`, `<<-EOF`, quoted delimiters, several on one line, `COPY <<EOF /x`)
//!   take the lines after the instruction, up to their delimiter, as their body.
//! - `FROM image[:tag|@digest] [AS name]` starts a stage; the reference is resolved with the
//!   `ARG`s declared before the first `FROM` (their defaults), and a `FROM` naming an earlier
//!   stage is marked as such.
//!
//! Parsing never fails: what Docker would reject becomes a diagnostic, and the rest of the file
//! is still read. No step is worse than linear in the size of the file.

use std::collections::HashMap;
use std::iter::Peekable;
use std::str::Chars;

use crate::model::{Node, Span, Value};

/// The escape character when no `# escape=` directive says otherwise.
pub const DEFAULT_ESCAPE: char = '\\';

/// The flag an `ARG` instruction carries, once per name, for each name declared without a
/// default (`ARG NAME`, as opposed to `ARG NAME=`): `("no-default", Some(name))`. Its pair's
/// value is empty.
pub const ARG_NO_DEFAULT: &str = "no-default";

/// How deeply `${a:-${b:-…}}` substitutions may nest before a reference counts as unresolvable.
const MAX_SUBSTITUTION_DEPTH: u32 = 16;

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct Dockerfile {
    /// One per `FROM`, in order.
    pub stages: Vec<Stage>,
    /// Every instruction, in order (`FROM`s included).
    pub instructions: Vec<Instruction>,
    /// What Docker would reject or warn about: line and message.
    pub diagnostics: Vec<(u32, String)>,
    /// The escape character (`\`, or `` ` `` after `# escape=``).
    pub escape: char,
    /// The comment lines outside instructions (parser directives included), with the text
    /// after the `#`, trimmed. Comments inside a continuation or a heredoc are not here.
    pub comments: Vec<(u32, String)>,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// Upper case: `RUN`, `COPY`, …
    pub name: String,
    /// `--name=value` is `("name", Some("value"))`, `--link` is `("link", None)`; quotes in
    /// values removed. Repeated flags (`--mount`) appear once each, in order.
    pub flags: Vec<(String, Option<String>)>,
    pub args: Args,
    /// The text after the instruction name, flags included, continuations joined.
    pub raw: String,
    /// First and last line (the last line of the last heredoc, if any).
    pub line: u32,
    pub end_line: u32,
    /// The stage the instruction belongs to; `None` before the first `FROM`.
    pub stage: Option<usize>,
    pub heredocs: Vec<Heredoc>,
    /// For `ONBUILD`, the instruction it wraps (which holds the heredocs, if any).
    pub onbuild: Option<Box<Instruction>>,
}

/// The arguments of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// `RUN`/`CMD`/`ENTRYPOINT`/`SHELL` written as a JSON array of strings.
    Exec(Vec<String>),
    /// `RUN`/`CMD`/`ENTRYPOINT`/`SHELL` in shell form: the command as written.
    Shell(String),
    /// `ENV`, `LABEL` and `ARG`: names and values, quotes and escapes removed, variables not
    /// expanded. An `ARG` name without a default has an empty value and an
    /// [`ARG_NO_DEFAULT`] flag.
    Pairs(Vec<(String, String)>),
    /// Everything else, split as BuildKit splits it: `FROM`, `EXPOSE`, and `COPY`/`ADD`/`VOLUME`
    /// not in JSON form on whitespace (quotes kept); the items of a JSON array for
    /// `COPY`/`ADD`/`VOLUME`; one word for `USER`, `WORKDIR`, `STOPSIGNAL`, `MAINTAINER` and
    /// `ONBUILD` (the wrapped instruction's text); `HEALTHCHECK` as its type (`CMD`, `NONE`)
    /// followed by the command's exec items or its shell text.
    Words(Vec<String>),
}

/// A heredoc body attached to `RUN`, `COPY` or `ADD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter, quotes removed.
    pub delimiter: String,
    /// The lines up to the delimiter, each ending in a newline; with `<<-`, leading tabs removed.
    pub body: String,
    /// The line of the body's first line.
    pub line: u32,
    /// Whether variables in the body are expanded (the delimiter was not quoted).
    pub expand: bool,
}

/// A build stage, started by a `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// The name after `AS`, as written.
    pub name: Option<String>,
    /// The image reference without tag and digest (`registry:5000/ns/app`, `scratch`); an
    /// earlier stage's name; or, when the reference uses a variable that cannot be resolved,
    /// the reference as written (tag and digest then `None`).
    pub image: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    /// The `--platform` value, with the global `ARG`s substituted when they resolve it.
    pub platform: Option<String>,
    pub line: u32,
    /// The earlier stage this one builds on (`FROM builder`).
    pub from_stage: Option<usize>,
}

/// Parses a Dockerfile. Never fails: problems are in [`Dockerfile::diagnostics`].
pub fn parse(text: &str) -> Dockerfile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    if text.is_empty() || text.ends_with('\n') {
        lines.pop();
    }
    let mut parser = Parser {
        out: Dockerfile {
            stages: Vec::new(),
            instructions: Vec::new(),
            diagnostics: Vec::new(),
            escape: DEFAULT_ESCAPE,
            comments: Vec::new(),
        },
        directives_done: false,
        directives_seen: Vec::new(),
        global_args: HashMap::new(),
        stage_names: HashMap::new(),
    };
    parser.run(&lines);
    if parser.out.instructions.is_empty() {
        parser
            .out
            .diagnostics
            .push((1, "file with no instructions".to_string()));
    }
    parser.out
}

/// Global `ARG`s: a name's default, or `None` when it has none (or it cannot be resolved).
type Vars = HashMap<String, Option<String>>;

struct Parser {
    out: Dockerfile,
    directives_done: bool,
    directives_seen: Vec<String>,
    global_args: Vars,
    /// Stage names, lower case, to their index.
    stage_names: HashMap<String, usize>,
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index.saturating_add(1)).unwrap_or(u32::MAX)
}

/// The whitespace BuildKit splits instruction lines on.
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0b' | '\x0c' | '\r')
}

/// A piece of hostile text short enough for a message.
fn short(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The line without its continuation character, and whether it continues: the escape
/// character is the last one before trailing blanks, and not itself escaped.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    if let Some(before) = trimmed.strip_suffix(escape) {
        match before.chars().next_back() {
            None => return ("", true),
            Some(c) if c != escape => return (before, true),
            Some(_) => {}
        }
    }
    (line, false)
}

/// The first word (up to BuildKit's whitespace) and what follows it, leading blanks removed.
fn split_first_word(text: &str) -> (&str, &str) {
    match text.find(is_ws) {
        Some(at) => (&text[..at], text[at..].trim_start_matches(is_ws)),
        None => (text, ""),
    }
}

fn split_ws(text: &str) -> Vec<String> {
    text.split(is_ws)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

impl Parser {
    fn diag(&mut self, line: u32, message: impl Into<String>) {
        self.out.diagnostics.push((line, message.into()));
    }

    fn run(&mut self, lines: &[&str]) {
        let mut i = 0;
        while i < lines.len() {
            let line = line_no(i);
            let first = lines[i].trim_start();
            i += 1;
            if !self.directives_done {
                self.directive(first, line);
            }
            if let Some(comment) = first.strip_prefix('#') {
                self.out.comments.push((line, comment.trim().to_string()));
                continue;
            }
            if first.is_empty() {
                continue;
            }
            let (piece, mut more) = trim_continuation(first, self.out.escape);
            let mut joined = piece.to_string();
            while more && i < lines.len() {
                let next = lines[i];
                i += 1;
                let t = next.trim_start();
                if t.starts_with('#') || t.is_empty() {
                    continue;
                }
                let (piece, m) = trim_continuation(next, self.out.escape);
                joined.push_str(piece);
                more = m;
            }
            self.instruction(&joined, line, lines, &mut i);
        }
    }

    /// A parser directive, while they are still allowed: `# name=value`.
    fn directive(&mut self, line: &str, line_no: u32) {
        let Some((key, value)) = directive_parts(line) else {
            self.directives_done = true;
            return;
        };
        if !matches!(key.as_str(), "syntax" | "escape" | "check") {
            // An unknown directive is a comment, and ends the directives.
            self.directives_done = true;
            return;
        }
        if self.directives_seen.contains(&key) {
            self.diag(
                line_no,
                format!("only one {key} parser directive can be used"),
            );
            return;
        }
        if key == "escape" {
            match value {
                "`" => self.out.escape = '`',
                "\\" => self.out.escape = '\\',
                other => self.diag(
                    line_no,
                    format!(
                        "invalid escape token '{}' does not match ` or \\",
                        short(other)
                    ),
                ),
            }
        }
        self.directives_seen.push(key);
    }

    /// One logical line (continuations joined), then the heredoc bodies that follow it.
    fn instruction(&mut self, text: &str, line: u32, lines: &[&str], i: &mut usize) {
        let end_line = line_no(i.saturating_sub(1));
        let Some(mut ins) = self.build(text, line, end_line, 0) else {
            return;
        };
        let wants_heredocs = match &ins.onbuild {
            Some(inner) => inner.takes_heredocs(),
            None => ins.takes_heredocs(),
        };
        if wants_heredocs {
            let mut docs = Vec::new();
            for (delimiter, chomp, expand) in heredocs_in_line(text) {
                let body_line = line_no(*i);
                let mut body = String::new();
                let mut terminated = false;
                while *i < lines.len() {
                    let l = lines[*i];
                    *i += 1;
                    let candidate = if chomp { l.trim_start_matches('\t') } else { l };
                    if candidate == delimiter {
                        terminated = true;
                        break;
                    }
                    body.push_str(if chomp { l.trim_start_matches('\t') } else { l });
                    body.push('\n');
                }
                if !terminated {
                    self.diag(
                        line,
                        format!("unterminated heredoc: no line `{}`", short(&delimiter)),
                    );
                }
                docs.push(Heredoc {
                    delimiter,
                    body,
                    line: body_line,
                    expand,
                });
            }
            let end_line = line_no(i.saturating_sub(1));
            ins.end_line = end_line;
            match &mut ins.onbuild {
                Some(inner) => {
                    inner.end_line = end_line;
                    inner.heredocs = docs;
                }
                None => ins.heredocs = docs,
            }
        }
        self.place(ins);
    }

    /// An instruction from its logical line; `None` for a blank one. `depth` is 1 inside
    /// `ONBUILD`.
    fn build(&mut self, text: &str, line: u32, end_line: u32, depth: u8) -> Option<Instruction> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let (word, rest) = split_first_word(text);
        let name = word.to_ascii_uppercase();
        let raw = rest.trim().to_string();
        let (flag_words, args_text) = extract_flags(&raw);
        let args_text = args_text.trim();
        let mut flags: Vec<(String, Option<String>)> =
            flag_words.iter().map(|w| split_flag(w)).collect();
        let known = KNOWN.contains(&name.as_str());
        if known {
            self.check_flags(&name, &flags, line);
            if args_text.is_empty() {
                self.diag(line, format!("{name} requires at least one argument"));
            }
        } else {
            self.diag(line, format!("unknown instruction: {}", short(word)));
        }
        let escape = self.out.escape;
        let mut onbuild = None;
        let args = match name.as_str() {
            "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" => {
                let args = match json_array(args_text) {
                    JsonArgs::Strings(items) => Args::Exec(items),
                    JsonArgs::NotStrings => {
                        self.diag(
                            line,
                            "when using JSON array syntax, arrays must be comprised of strings only",
                        );
                        Args::Shell(args_text.to_string())
                    }
                    JsonArgs::Invalid => Args::Shell(args_text.to_string()),
                };
                if name == "SHELL" && !matches!(args, Args::Exec(_)) {
                    self.diag(line, "SHELL requires the arguments to be in JSON form");
                }
                args
            }
            "ADD" | "COPY" | "VOLUME" => match json_array(args_text) {
                JsonArgs::Strings(items) => Args::Words(items),
                JsonArgs::NotStrings => {
                    self.diag(
                        line,
                        "when using JSON array syntax, arrays must be comprised of strings only",
                    );
                    Args::Words(split_ws(args_text))
                }
                JsonArgs::Invalid => Args::Words(split_ws(args_text)),
            },
            "FROM" | "EXPOSE" => Args::Words(split_ws(args_text)),
            "USER" | "WORKDIR" | "STOPSIGNAL" | "MAINTAINER" => {
                Args::Words(if args_text.is_empty() {
                    Vec::new()
                } else {
                    vec![args_text.to_string()]
                })
            }
            "HEALTHCHECK" => Args::Words(self.healthcheck(args_text, line)),
            "ENV" | "LABEL" => {
                let (pairs, error) = raw_name_val(&name, args_text, escape);
                if let Some(error) = error {
                    self.diag(line, error);
                }
                Args::Pairs(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (unquote(&k, escape), unquote(&v, escape)))
                        .collect(),
                )
            }
            "ARG" => {
                let mut pairs = Vec::new();
                for word in parse_words(args_text, escape) {
                    match word.split_once('=') {
                        Some((k, v)) => pairs.push((k.to_string(), unquote(v, escape))),
                        None => {
                            flags.push((ARG_NO_DEFAULT.to_string(), Some(word.clone())));
                            pairs.push((word, String::new()));
                        }
                    }
                }
                Args::Pairs(pairs)
            }
            "ONBUILD" => {
                if depth > 0 {
                    self.diag(line, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
                } else if !args_text.is_empty() {
                    let trigger = split_first_word(args_text).0.to_ascii_uppercase();
                    match trigger.as_str() {
                        "ONBUILD" => {
                            self.diag(line, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
                        }
                        "FROM" | "MAINTAINER" => self.diag(
                            line,
                            format!("{trigger} isn't allowed as an ONBUILD trigger"),
                        ),
                        _ => {
                            onbuild = self.build(args_text, line, end_line, 1).map(Box::new);
                        }
                    }
                }
                Args::Words(if args_text.is_empty() {
                    Vec::new()
                } else {
                    vec![args_text.to_string()]
                })
            }
            _ => Args::Words(split_ws(args_text)),
        };
        Some(Instruction {
            name,
            flags,
            args,
            raw,
            line,
            end_line,
            stage: None,
            heredocs: Vec::new(),
            onbuild,
        })
    }

    /// `HEALTHCHECK NONE` or `HEALTHCHECK [flags] CMD command`: the type, then the command.
    fn healthcheck(&mut self, args: &str, line: u32) -> Vec<String> {
        if args.is_empty() {
            return Vec::new();
        }
        let (kind, command) = split_first_word(args);
        let mut words = vec![kind.to_string()];
        match kind.to_ascii_uppercase().as_str() {
            "NONE" => {
                if !command.trim().is_empty() {
                    self.diag(line, "HEALTHCHECK NONE takes no arguments");
                }
            }
            "CMD" => match json_array(command) {
                JsonArgs::Strings(items) => words.extend(items),
                _ if command.trim().is_empty() => {
                    self.diag(line, "missing command after HEALTHCHECK CMD");
                }
                _ => words.push(command.trim().to_string()),
            },
            _ => {
                self.diag(
                    line,
                    format!("unknown type for HEALTHCHECK: {}", short(kind)),
                );
                words.extend(split_ws(command));
            }
        }
        words
    }

    fn check_flags(&mut self, name: &str, flags: &[(String, Option<String>)], line: u32) {
        let allowed: &[&str] = match name {
            "FROM" => &["platform"],
            "RUN" => &["mount", "network", "security", "device"],
            "COPY" => &["from", "chown", "chmod", "link", "parents", "exclude"],
            "ADD" => &[
                "chown",
                "chmod",
                "link",
                "keep-git-dir",
                "checksum",
                "exclude",
                "unpack",
                "parents",
            ],
            "HEALTHCHECK" => &[
                "interval",
                "timeout",
                "start-period",
                "start-interval",
                "retries",
            ],
            _ => &[],
        };
        const BOOLEAN: &[&str] = &["link", "keep-git-dir", "parents", "unpack"];
        for (flag, value) in flags {
            if !allowed.contains(&flag.as_str()) {
                self.diag(line, format!("unknown flag for {name}: --{}", short(flag)));
            } else if value.is_none() && !BOOLEAN.contains(&flag.as_str()) {
                self.diag(line, format!("--{flag} requires a value"));
            }
        }
    }

    /// Files the instruction: stages, global `ARG`s, the stage it belongs to.
    fn place(&mut self, mut ins: Instruction) {
        if ins.name == "FROM" {
            self.start_stage(&ins);
        } else if self.out.stages.is_empty() {
            if ins.name == "ARG" {
                self.global_arg(&ins);
            } else if KNOWN.contains(&ins.name.as_str()) {
                self.diag(
                    ins.line,
                    format!(
                        "{} before the first FROM: only ARG may come first",
                        ins.name
                    ),
                );
            }
        }
        let stage = self.out.stages.len().checked_sub(1);
        if ins.name == "COPY" {
            if let (Some(current), Some(from)) = (stage, flag_value(&ins.flags, "from")) {
                if let Ok(n) = from.parse::<usize>() {
                    if n >= current {
                        self.diag(
                            ins.line,
                            format!("COPY --from={n} does not name an earlier stage"),
                        );
                    }
                }
            }
        }
        ins.stage = stage;
        if let Some(inner) = &mut ins.onbuild {
            inner.stage = stage;
        }
        self.out.instructions.push(ins);
    }

    fn global_arg(&mut self, ins: &Instruction) {
        let escape = self.out.escape;
        for word in parse_words(ins.args_text(), escape) {
            match word.split_once('=') {
                Some((name, value)) => {
                    let value = expand(value, escape, &self.global_args, 0);
                    self.global_args.insert(name.to_string(), value);
                }
                None => {
                    self.global_args.entry(word).or_insert(None);
                }
            }
        }
    }

    fn start_stage(&mut self, ins: &Instruction) {
        let index = self.out.stages.len();
        let words: &[String] = match &ins.args {
            Args::Words(words) => words,
            _ => &[],
        };
        let (reference, name) = match words {
            [reference] => (reference.as_str(), None),
            [reference, as_, name] if as_.eq_ignore_ascii_case("as") => {
                (reference.as_str(), Some(name.clone()))
            }
            [] => ("", None),
            [reference, ..] => {
                self.diag(
                    ins.line,
                    "FROM requires either one or three arguments: FROM image [AS name]",
                );
                let name = match words {
                    [_, as_, name, ..] if as_.eq_ignore_ascii_case("as") => Some(name.clone()),
                    _ => None,
                };
                (reference.as_str(), name)
            }
        };
        let escape = self.out.escape;
        let (image, tag, digest, from_stage) = match expand(reference, escape, &self.global_args, 0)
        {
            Some(resolved) => match self.stage_names.get(&resolved.to_ascii_lowercase()) {
                Some(&earlier) => (resolved, None, None, Some(earlier)),
                None => {
                    let (image, tag, digest) = split_image(&resolved);
                    (image, tag, digest, None)
                }
            },
            None => (reference.to_string(), None, None, None),
        };
        let platform = flag_value(&ins.flags, "platform").map(|written| {
            expand(written, escape, &self.global_args, 0).unwrap_or_else(|| written.to_string())
        });
        if let Some(name) = &name {
            let key = name.to_ascii_lowercase();
            if self.stage_names.contains_key(&key) {
                self.diag(ins.line, format!("duplicate stage name {}", short(name)));
            } else {
                self.stage_names.insert(key, index);
            }
        }
        self.out.stages.push(Stage {
            index,
            name,
            image,
            tag,
            digest,
            platform,
            line: ins.line,
            from_stage,
        });
    }
}

/// The instructions Docker knows.
const KNOWN: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// `# name = value`: the lower-case name and the value, for a line that has that shape.
fn directive_parts(line: &str) -> Option<(String, &str)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let value = rest[name_len..].trim_start().strip_prefix('=')?.trim();
    if value.is_empty() {
        return None;
    }
    Some((name.to_ascii_lowercase(), value))
}

fn flag_value<'a>(flags: &'a [(String, Option<String>)], name: &str) -> Option<&'a str> {
    flags
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.as_deref())
}

/// `--name=value` into its parts.
fn split_flag(word: &str) -> (String, Option<String>) {
    let word = word.strip_prefix("--").unwrap_or(word);
    match word.split_once('=') {
        Some((name, value)) => (name.to_string(), Some(value.to_string())),
        None => (word.to_string(), None),
    }
}

/// The leading `--flag` words of an instruction's arguments (quotes removed, backslash
/// escapes applied), and the rest. A lone `--` ends the flags.
fn extract_flags(line: &str) -> (Vec<String>, &str) {
    let mut words = Vec::new();
    let mut chars = line.char_indices().peekable();
    loop {
        // Between words.
        let start = loop {
            match chars.peek() {
                None => return (words, ""),
                Some(&(_, c)) if c.is_whitespace() => {
                    chars.next();
                }
                Some(&(at, _)) => break at,
            }
        };
        if !line[start..].starts_with("--") {
            return (words, &line[start..]);
        }
        let mut word = String::new();
        let mut blank_ok = false;
        let mut quote: Option<char> = None;
        let mut end = line.len();
        while let Some((at, c)) = chars.next() {
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                } else if c == '\\' {
                    match chars.next() {
                        Some((_, n)) => word.push(n),
                        None => quote = None,
                    }
                } else {
                    word.push(c);
                }
                continue;
            }
            if c.is_whitespace() {
                end = at;
                break;
            }
            match c {
                '\'' | '"' => {
                    quote = Some(c);
                    blank_ok = true;
                }
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                _ => word.push(c),
            }
        }
        if word == "--" {
            return (words, &line[end..]);
        }
        if blank_ok || !word.is_empty() {
            words.push(word);
        }
    }
}

enum JsonArgs {
    Strings(Vec<String>),
    NotStrings,
    Invalid,
}

/// Arguments that start with a JSON array, as BuildKit reads them (what follows the array is
/// ignored).
fn json_array(text: &str) -> JsonArgs {
    let text = text.trim_start();
    if !text.starts_with('[') {
        return JsonArgs::Invalid;
    }
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Vec<serde_json::Value>>();
    match stream.next() {
        Some(Ok(items)) => {
            let mut strings = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    serde_json::Value::String(s) => strings.push(s),
                    _ => return JsonArgs::NotStrings,
                }
            }
            JsonArgs::Strings(strings)
        }
        _ => JsonArgs::Invalid,
    }
}

/// Words as BuildKit's `ENV`/`LABEL`/`ARG` parser splits them: on whitespace outside quotes,
/// quotes and escapes kept.
fn parse_words(text: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut blank_ok = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
                word.push(c);
            } else if c == escape && q != '\'' {
                match chars.next() {
                    Some(n) => {
                        word.push(c);
                        word.push(n);
                    }
                    None => quote = None,
                }
            } else {
                word.push(c);
            }
            continue;
        }
        if c.is_whitespace() {
            if in_word && (blank_ok || !word.is_empty()) {
                words.push(std::mem::take(&mut word));
            }
            in_word = false;
            blank_ok = false;
            continue;
        }
        in_word = true;
        if c == '\'' || c == '"' {
            quote = Some(c);
            blank_ok = true;
            word.push(c);
        } else if c == escape {
            if let Some(n) = chars.next() {
                word.push(c);
                word.push(n);
            }
        } else {
            word.push(c);
        }
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// `ENV`/`LABEL` pairs, quotes kept: `KEY=value …`, or the legacy `KEY value`. Words that are
/// not pairs are skipped, with the error Docker would give.
fn raw_name_val(name: &str, text: &str, escape: char) -> (Vec<(String, String)>, Option<String>) {
    let words = parse_words(text, escape);
    let Some(first) = words.first() else {
        return (Vec::new(), None);
    };
    if !first.contains('=') {
        let (key, value) = split_first_word(text);
        if value.is_empty() {
            return (Vec::new(), Some(format!("{name} must have two arguments")));
        }
        return (vec![(key.to_string(), value.to_string())], None);
    }
    let mut pairs = Vec::new();
    let mut error = None;
    for word in words {
        match word.split_once('=') {
            Some(("", _)) => {
                error.get_or_insert_with(|| format!("{name} names can not be blank"));
            }
            Some((k, v)) => pairs.push((k.to_string(), v.to_string())),
            None => {
                error.get_or_insert_with(|| {
                    format!(
                        "syntax error - can't find = in {:?}. Must be of the form: name=value",
                        short(&word)
                    )
                });
            }
        }
    }
    (pairs, error)
}

/// The heredocs a line opens, in order: delimiter, `<<-` (chomp), expand.
fn heredocs_in_line(line: &str) -> Vec<(String, bool, bool)> {
    raw_shell_words(line)
        .into_iter()
        .filter_map(heredoc_word)
        .collect()
}

/// `[n]<<[-]WORD` with WORD possibly quoted.
fn heredoc_word(word: &str) -> Option<(String, bool, bool)> {
    let rest = word
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let delimiter = unquote(rest, '\\');
    if delimiter.is_empty() {
        return None;
    }
    let quotes = |s: &str| s.chars().filter(|c| matches!(c, '\'' | '"')).count();
    let expand = quotes(&delimiter) == quotes(rest);
    Some((delimiter, chomp, expand))
}

/// A line split into shell words, quotes and escapes kept; nothing if a quote is unterminated.
fn raw_shell_words(line: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (at, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                }
                continue;
            }
            Some(_) => {
                if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    quote = None;
                }
                continue;
            }
            None => {}
        }
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                words.push(&line[s..at]);
            }
            continue;
        }
        if start.is_none() {
            start = Some(at);
        }
        match c {
            '\\' => escaped = true,
            '\'' | '"' => quote = Some(c),
            _ => {}
        }
    }
    if quote.is_some() {
        return Vec::new();
    }
    if let Some(s) = start {
        words.push(&line[s..]);
    }
    words
}

/// A word with its quotes and escapes removed, variables left as written.
pub fn unquote(word: &str, escape: char) -> String {
    let mut lexer = Lexer {
        chars: word.chars().peekable(),
        escape,
        vars: None,
        depth: 0,
    };
    lexer.word().unwrap_or_else(|| word.to_string())
}

/// A word with quotes and escapes removed and variables substituted from `vars`; `None` when
/// it uses a variable without a known value (or a substitution this reader does not know).
fn expand(word: &str, escape: char, vars: &Vars, depth: u32) -> Option<String> {
    if depth > MAX_SUBSTITUTION_DEPTH {
        return None;
    }
    let mut lexer = Lexer {
        chars: word.chars().peekable(),
        escape,
        vars: Some(vars),
        depth,
    };
    lexer.word()
}

/// The part of BuildKit's shell lexer a Dockerfile word needs: quotes, escapes and `$NAME`,
/// `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`,
/// `${NAME:?word}`, `${NAME?word}`.
struct Lexer<'a> {
    chars: Peekable<Chars<'a>>,
    escape: char,
    /// `None`: leave variables as written.
    vars: Option<&'a Vars>,
    depth: u32,
}

impl Lexer<'_> {
    fn word(&mut self) -> Option<String> {
        let mut out = String::new();
        while let Some(c) = self.chars.next() {
            if c == self.escape {
                if let Some(n) = self.chars.next() {
                    out.push(n);
                }
            } else if c == '\'' {
                for n in self.chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    out.push(n);
                }
            } else if c == '"' {
                self.double_quoted(&mut out)?;
            } else if c == '$' {
                self.dollar(&mut out)?;
            } else {
                out.push(c);
            }
        }
        Some(out)
    }

    fn double_quoted(&mut self, out: &mut String) -> Option<()> {
        while let Some(c) = self.chars.next() {
            if c == '"' {
                break;
            }
            if c == self.escape {
                match self.chars.peek() {
                    Some(&n) if n == '"' || n == '$' || n == self.escape => {
                        out.push(n);
                        self.chars.next();
                    }
                    Some(_) => out.push(c),
                    None => {}
                }
            } else if c == '$' {
                self.dollar(out)?;
            } else {
                out.push(c);
            }
        }
        Some(())
    }

    /// The text up to the `}` that closes a `${`, nested braces included.
    fn braced(&mut self) -> Option<String> {
        let mut text = String::new();
        let mut depth = 0usize;
        for c in self.chars.by_ref() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => return Some(text),
                '}' => depth -= 1,
                _ => {}
            }
            text.push(c);
        }
        None
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(&c) = self.chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                self.chars.next();
            } else {
                break;
            }
        }
        name
    }

    fn dollar(&mut self, out: &mut String) -> Option<()> {
        let Some(vars) = self.vars else {
            out.push('$');
            if self.chars.peek() == Some(&'{') {
                self.chars.next();
                out.push('{');
                match self.braced() {
                    Some(text) => {
                        out.push_str(&text);
                        out.push('}');
                    }
                    None => return None,
                }
            }
            return Some(());
        };
        let value = |name: &str| -> Option<Option<&str>> {
            vars.get(name).map(|v: &Option<String>| v.as_deref())
        };
        match self.chars.peek() {
            Some('{') => {
                self.chars.next();
                let name = self.name();
                if name.is_empty() {
                    return None;
                }
                match self.chars.next()? {
                    '}' => out.push_str(value(&name)??),
                    c => {
                        let colon = c == ':';
                        let op = if colon { self.chars.next()? } else { c };
                        let word = self.braced()?;
                        // `Some(v)`: set, to v. `None`: unset, or set without a known value.
                        let set = value(&name).flatten();
                        let sub = |w: &str| expand(w, self.escape, vars, self.depth + 1);
                        let result = match (op, set) {
                            ('-', Some(v)) if !(colon && v.is_empty()) => v.to_string(),
                            ('-', _) => sub(&word)?,
                            ('+', Some(v)) if !(colon && v.is_empty()) => sub(&word)?,
                            ('+', Some(_)) => String::new(),
                            ('?', Some(v)) if !(colon && v.is_empty()) => v.to_string(),
                            _ => return None,
                        };
                        out.push_str(&result);
                    }
                }
            }
            Some(&c) if c.is_ascii_alphanumeric() || c == '_' => {
                let name = self.name();
                out.push_str(value(&name)??);
            }
            _ => out.push('$'),
        }
        Some(())
    }
}

/// `registry:5000/ns/name:tag@sha256:…` into image, tag and digest (a registry port is not a
/// tag: the tag is after the last `/`).
fn split_image(reference: &str) -> (String, Option<String>, Option<String>) {
    let (name, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    let last = name.rfind('/').map_or(0, |at| at + 1);
    let (image, tag) = match name[last..].rfind(':') {
        Some(at) => (&name[..last + at], Some(&name[last + at + 1..])),
        None => (name, None),
    };
    let nonempty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
    (image.to_string(), nonempty(tag), nonempty(digest))
}

impl Instruction {
    /// The arguments after the flags, as written.
    pub fn args_text(&self) -> &str {
        extract_flags(&self.raw).1.trim()
    }

    /// Whether the arguments are a JSON array (exec form, or `COPY`/`ADD`/`VOLUME`/
    /// `HEALTHCHECK CMD` written as one).
    pub fn is_json(&self) -> bool {
        match (&self.args, self.name.as_str()) {
            (Args::Exec(_), _) => true,
            (Args::Words(_), "ADD" | "COPY" | "VOLUME") => {
                matches!(json_array(self.args_text()), JsonArgs::Strings(_))
            }
            (Args::Words(_), "HEALTHCHECK") => {
                let (_, command) = split_first_word(self.args_text());
                matches!(json_array(command), JsonArgs::Strings(_))
            }
            _ => false,
        }
    }

    /// The value of the last `--name=value` flag.
    pub fn flag(&self, name: &str) -> Option<&str> {
        flag_value(&self.flags, name)
    }

    /// Every value of a repeatable flag (`--mount`), in order.
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |(n, _)| n == name)
            .filter_map(|(_, v)| v.as_deref())
    }

    fn takes_heredocs(&self) -> bool {
        matches!(self.name.as_str(), "RUN" | "COPY" | "ADD") && !self.is_json()
    }

    /// The flags as written (`--from=builder`), without the `ARG` bookkeeping flag.
    fn flag_words(&self) -> Vec<String> {
        self.flags
            .iter()
            .filter(|(name, _)| !(self.name == "ARG" && name == ARG_NO_DEFAULT))
            .map(|(name, value)| match value {
                Some(v) => format!("--{name}={v}"),
                None => format!("--{name}"),
            })
            .collect()
    }

    /// The values BuildKit's parser gives (quotes kept in `ENV`/`LABEL`/`ARG`), and whether
    /// they came from JSON.
    fn buildkit_values(&self, escape: char) -> (Vec<String>, bool) {
        let json = self.is_json();
        let values = match &self.args {
            Args::Exec(items) | Args::Words(items) => items.clone(),
            Args::Shell(text) if text.is_empty() => Vec::new(),
            Args::Shell(text) => vec![text.clone()],
            Args::Pairs(_) if self.name == "ARG" => parse_words(self.args_text(), escape),
            Args::Pairs(_) => raw_name_val(&self.name, self.args_text(), escape)
                .0
                .into_iter()
                .flat_map(|(k, v)| [k, v])
                .collect(),
        };
        (values, json)
    }

    /// The instruction as a model tree: `cmd`, `flags` (`--link` is `true`; `mount` and
    /// `exclude` always arrays), `value` (the argument list; `ENV`/`LABEL` as key, value, key,
    /// value…), `original` (the arguments as written), `json`, `line`, `end_line`, `stage`,
    /// `heredocs`, and `pairs` for `ENV`/`LABEL`/`ARG` (a name without default is null),
    /// `onbuild` for `ONBUILD`. Every node points at the instruction's line.
    pub fn to_node(&self) -> Node {
        let span = Span::at(self.line, 1);
        let string = |s: &str| Node::string(s, span);
        let number = |n: usize| Node::new(Value::Number(n.to_string()), span);
        let array = |items: Vec<Node>| Node::new(Value::Array(items), span);
        let object = |entries: Vec<(&str, Node)>| {
            Node::new(
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                ),
                span,
            )
        };

        const REPEATABLE: &[&str] = &["mount", "exclude"];
        let mut flags: Vec<(String, Node)> = Vec::new();
        for (name, value) in &self.flags {
            if self.name == "ARG" && name == ARG_NO_DEFAULT {
                continue;
            }
            let value = match value {
                Some(v) => string(v),
                None => Node::new(Value::Bool(true), span),
            };
            if REPEATABLE.contains(&name.as_str()) {
                match flags.iter_mut().find(|(n, _)| n == name) {
                    Some((
                        _,
                        Node {
                            value: Value::Array(items),
                            ..
                        },
                    )) => items.push(value),
                    _ => flags.push((name.clone(), array(vec![value]))),
                }
            } else {
                flags.push((name.clone(), value));
            }
        }

        let values: Vec<Node> = match &self.args {
            Args::Exec(items) | Args::Words(items) => items.iter().map(|s| string(s)).collect(),
            Args::Shell(text) => vec![string(text)],
            Args::Pairs(pairs) => pairs
                .iter()
                .flat_map(|(k, v)| [string(k), string(v)])
                .collect(),
        };
        let heredocs = self
            .heredocs
            .iter()
            .map(|h| {
                let at = Span::at(h.line, 1);
                Node::new(
                    Value::Object(vec![
                        ("delimiter".to_string(), Node::string(&h.delimiter, at)),
                        ("body".to_string(), Node::string(&h.body, at)),
                        (
                            "line".to_string(),
                            Node::new(Value::Number(h.line.to_string()), at),
                        ),
                        ("expand".to_string(), Node::new(Value::Bool(h.expand), at)),
                    ]),
                    at,
                )
            })
            .collect();

        let mut entries = vec![
            ("cmd", string(&self.name)),
            ("flags", Node::new(Value::Object(flags), span)),
            ("value", array(values)),
            ("original", string(&self.raw)),
            ("json", Node::new(Value::Bool(self.is_json()), span)),
            ("line", number(self.line as usize)),
            ("end_line", number(self.end_line as usize)),
            (
                "stage",
                self.stage
                    .map_or_else(|| Node::new(Value::Null, span), number),
            ),
            ("heredocs", array(heredocs)),
        ];
        if let Args::Pairs(pairs) = &self.args {
            let unset = |name: &str| {
                self.name == "ARG"
                    && self
                        .flags
                        .iter()
                        .any(|(f, v)| f == ARG_NO_DEFAULT && v.as_deref() == Some(name))
            };
            let pairs = pairs
                .iter()
                .map(|(k, v)| {
                    let value = if v.is_empty() && unset(k) {
                        Node::new(Value::Null, span)
                    } else {
                        string(v)
                    };
                    (k.clone(), value)
                })
                .collect();
            entries.push(("pairs", Node::new(Value::Object(pairs), span)));
        }
        if let Some(inner) = &self.onbuild {
            entries.push(("onbuild", inner.to_node()));
        }
        object(entries)
    }
}

impl Dockerfile {
    /// The document as a model tree:
    /// `{"escape", "global": [instructions before the first FROM], "stages": [{"index",
    /// "name", "image", "tag", "digest", "platform", "from_stage", "line", "instructions":
    /// [...]}]}`, instructions as [`Instruction::to_node`] gives them (the stage's `FROM`
    /// first). Every node points at the line of its instruction (or stage).
    pub fn to_node(&self) -> Node {
        let mut global = Vec::new();
        let mut per_stage: Vec<Vec<Node>> = vec![Vec::new(); self.stages.len()];
        for ins in &self.instructions {
            match ins.stage.and_then(|s| per_stage.get_mut(s)) {
                Some(list) => list.push(ins.to_node()),
                None => global.push(ins.to_node()),
            }
        }
        let stages = self
            .stages
            .iter()
            .zip(per_stage)
            .map(|(stage, instructions)| {
                let span = Span::at(stage.line, 1);
                let opt = |v: &Option<String>| match v {
                    Some(s) => Node::string(s, span),
                    None => Node::new(Value::Null, span),
                };
                let num = |n: usize| Node::new(Value::Number(n.to_string()), span);
                Node::new(
                    Value::Object(vec![
                        ("index".to_string(), num(stage.index)),
                        ("name".to_string(), opt(&stage.name)),
                        ("image".to_string(), Node::string(&stage.image, span)),
                        ("tag".to_string(), opt(&stage.tag)),
                        ("digest".to_string(), opt(&stage.digest)),
                        ("platform".to_string(), opt(&stage.platform)),
                        (
                            "from_stage".to_string(),
                            stage
                                .from_stage
                                .map_or_else(|| Node::new(Value::Null, span), num),
                        ),
                        ("line".to_string(), num(stage.line as usize)),
                        (
                            "instructions".to_string(),
                            Node::new(Value::Array(instructions), span),
                        ),
                    ]),
                    span,
                )
            })
            .collect();
        let span = Span::at(1, 1);
        Node::new(
            Value::Object(vec![
                (
                    "escape".to_string(),
                    Node::string(self.escape.to_string(), span),
                ),
                ("global".to_string(), Node::new(Value::Array(global), span)),
                ("stages".to_string(), Node::new(Value::Array(stages), span)),
            ]),
            span,
        )
    }

    /// What a Conftest policy sees as `input` for this Dockerfile: an array of
    /// `{"Cmd", "SubCmd", "JSON", "Flags", "Value", "Stage"}` objects, one per instruction,
    /// `Cmd` lower case, `Flags` as written (`--from=builder`), `Value` as BuildKit's parser
    /// gives it (quotes kept in `ENV`/`LABEL`/`ARG`; `ENV`/`LABEL` as key, value, …), `SubCmd`
    /// the instruction an `ONBUILD` wraps (whose values `Value` then holds). The comments
    /// before an instruction come first, as `{"Cmd": "comment", "Value": [text]}`.
    pub fn to_conftest_input(&self) -> serde_json::Value {
        use serde_json::json;
        let mut out = Vec::with_capacity(self.instructions.len());
        let mut comments = self.comments.iter().peekable();
        for ins in &self.instructions {
            let stage = ins.stage.unwrap_or(0);
            while let Some((_, text)) = comments.next_if(|(line, _)| *line < ins.line) {
                out.push(json!({
                    "Cmd": "comment",
                    "SubCmd": "",
                    "JSON": false,
                    "Flags": null,
                    "Value": [text],
                    "Stage": stage,
                }));
            }
            let (sub, target) = match &ins.onbuild {
                Some(inner) => (inner.name.to_ascii_lowercase(), inner.as_ref()),
                None => (String::new(), ins),
            };
            let (values, is_json) = target.buildkit_values(self.escape);
            out.push(json!({
                "Cmd": ins.name.to_ascii_lowercase(),
                "SubCmd": sub,
                "JSON": is_json,
                "Flags": ins.flag_words(),
                "Value": values,
                "Stage": stage,
            }));
        }
        serde_json::Value::Array(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, Option<&str>)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    #[test]
    fn continuation_needs_an_unescaped_escape_character() {
        assert_eq!(trim_continuation("a \\", '\\'), ("a ", true));
        assert_eq!(trim_continuation("a \\  \t", '\\'), ("a ", true));
        assert_eq!(trim_continuation("\\", '\\'), ("", true));
        assert_eq!(trim_continuation("a \\\\", '\\'), ("a \\\\", false));
        assert_eq!(trim_continuation("c:\\", '`'), ("c:\\", false));
        assert_eq!(trim_continuation("a `", '`'), ("a ", true));
    }

    #[test]
    fn flags_come_off_the_front() {
        let (flags, rest) = extract_flags("--from=builder --chown=\"a b\" --link src dst");
        assert_eq!(flags, ["--from=builder", "--chown=a b", "--link"]);
        assert_eq!(rest, "src dst");
        let (flags, rest) = extract_flags("--mount=type=cache -- --not-a-flag");
        assert_eq!(flags, ["--mount=type=cache"]);
        assert_eq!(rest.trim(), "--not-a-flag");
        assert_eq!(extract_flags("--link").0, ["--link"]);
        assert_eq!(extract_flags("-x y"), (vec![], "-x y"));
    }

    #[test]
    fn words_keep_quotes_and_unquote_removes_them() {
        assert_eq!(
            parse_words(r#"A="x y" B='z' C=\"q"#, '\\'),
            [r#"A="x y""#, "B='z'", r#"C=\"q"#]
        );
        assert_eq!(unquote(r#""x \"y\" \z""#, '\\'), r#"x "y" \z"#);
        assert_eq!(unquote("'$HOME'", '\\'), "$HOME");
        assert_eq!(unquote("${A:-\"x\"}", '\\'), "${A:-\"x\"}");
        assert_eq!(unquote("a` b", '`'), "a b");
    }

    #[test]
    fn substitution_resolves_known_defaults_only() {
        let v = vars(&[("A", Some("alpine")), ("E", Some("")), ("N", None)]);
        let e = |w: &str| expand(w, '\\', &v, 0);
        assert_eq!(e("$A:3"), Some("alpine:3".into()));
        assert_eq!(e("${A}"), Some("alpine".into()));
        assert_eq!(e("${N:-debian}"), Some("debian".into()));
        assert_eq!(e("${E:-x}"), Some("x".into()));
        assert_eq!(e("${E-x}"), Some("".into()));
        assert_eq!(e("${A:+set}"), Some("set".into()));
        assert_eq!(e("${U:-${A}}"), Some("alpine".into()));
        assert_eq!(e("\\$A"), Some("$A".into()));
        assert_eq!(e("'$A'"), Some("$A".into()));
        assert_eq!(e("$N"), None);
        assert_eq!(e("$UNDECLARED"), None);
        assert_eq!(e("${A#al}"), None);
        assert_eq!(e("${A"), None);
        let deep = format!("{}x{}", "${U:-".repeat(100), "}".repeat(100));
        assert_eq!(e(&deep), None);
    }

    #[test]
    fn image_references_split_at_the_right_colon() {
        let s = |r: &str| split_image(r);
        assert_eq!(s("alpine"), ("alpine".into(), None, None));
        assert_eq!(
            s("localhost:5000/team/app:1.2"),
            ("localhost:5000/team/app".into(), Some("1.2".into()), None)
        );
        assert_eq!(
            s("localhost:5000/app"),
            ("localhost:5000/app".into(), None, None)
        );
        assert_eq!(
            s("r.io:443/app:v1@sha256:abc"),
            (
                "r.io:443/app".into(),
                Some("v1".into()),
                Some("sha256:abc".into())
            )
        );
    }

    #[test]
    fn heredoc_words() {
        assert_eq!(heredoc_word("<<EOF"), Some(("EOF".into(), false, true)));
        assert_eq!(heredoc_word("<<-EOT"), Some(("EOT".into(), true, true)));
        assert_eq!(heredoc_word("<<'EOF'"), Some(("EOF".into(), false, false)));
        assert_eq!(heredoc_word("3<<\"X\""), Some(("X".into(), false, false)));
        assert_eq!(heredoc_word("<<"), None);
        assert_eq!(heredoc_word("<<<x"), None);
        assert_eq!(heredoc_word("a<<EOF"), None);
        assert_eq!(heredocs_in_line("RUN echo '<<EOF'"), vec![]);
    }
}
