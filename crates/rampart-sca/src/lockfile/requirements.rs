//! pip requirements files (`requirements*.txt`): one requirement or option per logical line,
//! where a trailing `\` continues a line and `#` after whitespace starts a comment. Only
//! requirements pinned to one version (`name==1.2.3`, `name===1.2.3`) name a package version;
//! ranges and bare names are what pip would resolve at install time, which the file does not
//! record. Everything listed is something the project asked for, so every package is direct.
//!
//! `-r`/`--requirement` and `-c`/`--constraint` files are read through
//! [`Input::read_relative`], with paths relative to the directory of the file that names them;
//! their packages are reported at the line of the outermost include, the place in this file
//! that brings them in.
//!
//! The PEP 508 requirement grammar is also what `pyproject.toml` dependency strings use, so
//! [`parse_requirement`] serves the poetry, uv and pdm parsers too.

use std::collections::HashSet;

use super::dedup;
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

/// Includes nested deeper than this are not followed: real projects use two or three levels.
const MAX_INCLUDE_DEPTH: usize = 10;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    if let Some(at) = input.text.find('\0') {
        let line = input.text[..at].matches('\n').count() + 1;
        return Err(LockfileError::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            "not a requirements file: it contains a NUL byte",
        ));
    }
    let mut reader = Reader {
        read: input.read_relative,
        seen: HashSet::from([join("", input.file_name())]),
        packages: Vec::new(),
    };
    reader.file("", input.text, None, 0);
    Ok(dedup(reader.packages))
}

pub fn claims(file_name: &str) -> bool {
    file_name.ends_with(".txt") && file_name.starts_with("requirements")
}

struct Reader<'a> {
    read: &'a dyn Fn(&str) -> Option<String>,
    /// Every file read so far, by its path relative to the scanned file's directory: each is
    /// read once, which stops include cycles and keeps repeated includes from multiplying work.
    seen: HashSet<String>,
    packages: Vec<Package>,
}

impl Reader<'_> {
    /// Reads one file; `dir` is its directory relative to the scanned file's, and `at_line`
    /// the line of the outermost include when this is an included file.
    fn file(&mut self, dir: &str, text: &str, at_line: Option<u32>, depth: usize) {
        for (line, content) in logical_lines(text) {
            let line = at_line.unwrap_or(line);
            match classify(&content) {
                Line::Include(path) => self.include(dir, &path, line, depth),
                Line::Requirement(requirement) => {
                    if let Some(version) = requirement.pinned() {
                        self.packages.push(
                            Package::new(Ecosystem::PyPI, requirement.name, version, line)
                                .direct(true),
                        );
                    }
                }
                Line::Other => {}
            }
        }
    }

    fn include(&mut self, dir: &str, path: &str, line: u32, depth: usize) {
        // pip can also fetch a requirements file from a URL; a scan does not go online.
        if depth >= MAX_INCLUDE_DEPTH || path.is_empty() || path.contains("://") {
            return;
        }
        let path = join(dir, path);
        if !self.seen.insert(path.clone()) {
            return;
        }
        let Some(text) = (self.read)(&path) else {
            return;
        };
        if text.contains('\0') {
            return;
        }
        let dir = match path.rfind('/') {
            Some(slash) => &path[..=slash],
            None => "",
        };
        self.file(dir, &text, Some(line), depth + 1);
    }
}

/// `path` resolved against `dir` (empty or ending in `/`), with `.` and `..` folded away where
/// they can be; `..` above the scanned file's directory is kept for `read_relative` to judge.
fn join(dir: &str, path: &str) -> String {
    let path = path.replace('\\', "/");
    let (absolute, start) = match path.strip_prefix('/') {
        Some(rest) => (true, rest.to_string()),
        None => (false, format!("{dir}{path}")),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in start.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The file's logical lines with their first physical line, comments removed, as pip reads
/// them: a line ending in `\` continues on the next, unless it is a comment line, and a
/// comment line ends a continuation.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let comment = raw.trim_start().starts_with('#');
        if raw.ends_with('\\') && !comment {
            let piece = raw.trim_end_matches('\\');
            match &mut pending {
                Some((_, joined)) => joined.push_str(piece),
                None => pending = Some((number, piece.to_string())),
            }
        } else if let Some((first, mut joined)) = pending.take() {
            if !comment {
                joined.push_str(raw);
            }
            lines.push((first, joined));
        } else {
            lines.push((number, raw.to_string()));
        }
    }
    lines.extend(pending);
    for (_, line) in &mut lines {
        *line = strip_comment(line).trim().to_string();
    }
    lines
}

/// The text before a comment: `#` at the start or after whitespace (so a URL's `#egg=`
/// fragment stays).
fn strip_comment(line: &str) -> &str {
    let mut previous_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && previous_space {
            return &line[..i];
        }
        previous_space = c.is_whitespace();
    }
    line
}

enum Line<'a> {
    Include(String),
    Requirement(Requirement<'a>),
    Other,
}

/// A logical line is a requirement up to the first word starting with `-`, and per-requirement
/// options (`--hash=...`) after it; a line starting with `-` is options only.
fn classify(line: &str) -> Line<'_> {
    let first_option = line
        .char_indices()
        .find(|&(i, c)| c == '-' && (i == 0 || line[..i].ends_with(char::is_whitespace)))
        .map_or(line.len(), |(i, _)| i);
    let requirement = line[..first_option].trim();
    if !requirement.is_empty() {
        return match parse_requirement(requirement) {
            Some(r) => Line::Requirement(r),
            None => Line::Other,
        };
    }
    let words = shell_words(&line[first_option..]);
    let Some(option) = words.first() else {
        return Line::Other;
    };
    let value = match option.as_str() {
        "-r" | "--requirement" | "-c" | "--constraint" => words.get(1).cloned(),
        long if long.starts_with("--") => long
            .strip_prefix("--requirement=")
            .or_else(|| long.strip_prefix("--constraint="))
            .map(str::to_string),
        short => short
            .strip_prefix("-r")
            .or_else(|| short.strip_prefix("-c"))
            .map(|v| v.strip_prefix('=').unwrap_or(v).to_string()),
    };
    match value {
        Some(path) => Line::Include(path),
        None => Line::Other,
    }
}

/// Splits an option string into words the way pip does (POSIX shell quoting), so a quoted
/// include path may hold spaces.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                w.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => w.extend(chars.next()),
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// A PEP 508 requirement, as far as a scan needs it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Requirement<'a> {
    pub(super) name: &'a str,
    /// Version specifiers, operator and version, as written.
    pub(super) specifiers: Vec<(&'a str, &'a str)>,
    /// `name @ url`: a direct reference, not a registry version.
    pub(super) url: bool,
}

impl Requirement<'_> {
    /// The single version an `==` (without a wildcard) or `===` specifier pins.
    pub(super) fn pinned(&self) -> Option<&str> {
        if self.url {
            return None;
        }
        self.specifiers.iter().find_map(|&(op, version)| match op {
            "===" => Some(version),
            "==" if !version.contains('*') => Some(version),
            _ => None,
        })
    }
}

/// Parses `name [extras] (specifiers | @ url) [; marker]`; markers are not evaluated, since a
/// scan cannot know the environment the project installs into. Anything else is `None`.
pub(super) fn parse_requirement(text: &str) -> Option<Requirement<'_>> {
    let mut c = Cursor {
        text: text.trim(),
        at: 0,
    };
    let name = c.identifier()?;
    c.space();
    if c.eat("[") {
        loop {
            c.space();
            if c.eat("]") {
                break;
            }
            c.identifier()?;
            c.space();
            if !c.eat(",") {
                c.space();
                if !c.eat("]") {
                    return None;
                }
                break;
            }
        }
        c.space();
    }
    if c.eat("@") {
        c.space();
        // The URL runs to the end or to a marker, which must follow whitespace after a URL.
        return (!c.rest().is_empty()).then_some(Requirement {
            name,
            specifiers: Vec::new(),
            url: true,
        });
    }
    let parenthesized = c.eat("(");
    let mut specifiers = Vec::new();
    loop {
        c.space();
        let Some(op) = c.operator() else {
            if specifiers.is_empty() {
                break;
            }
            return None;
        };
        c.space();
        let version = c.take_while(|ch| ch.is_ascii_alphanumeric() || "-_.*+!".contains(ch));
        if version.is_empty() {
            return None;
        }
        specifiers.push((op, version));
        c.space();
        if !c.eat(",") {
            break;
        }
    }
    if parenthesized {
        c.space();
        if !c.eat(")") {
            return None;
        }
    }
    c.space();
    if !c.rest().is_empty() && !c.eat(";") {
        return None;
    }
    Some(Requirement {
        name,
        specifiers,
        url: false,
    })
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn space(&mut self) {
        self.take_while(|c| c == ' ' || c == '\t');
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let end = rest.find(|c| !keep(c)).unwrap_or(rest.len());
        self.at += end;
        &rest[..end]
    }

    /// A PEP 508 name or extra: letters and digits, with `-`, `_` and `.` inside.
    fn identifier(&mut self) -> Option<&'a str> {
        let start = self.at;
        let word = self.take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if alnum(word.chars().next()) && alnum(word.chars().last()) {
            Some(word)
        } else {
            self.at = start;
            None
        }
    }

    fn operator(&mut self) -> Option<&'a str> {
        // Longest first, so `===` is not read as `==` followed by `=`.
        ["===", "==", "!=", "<=", ">=", "~=", "<", ">"]
            .into_iter()
            .find(|op| self.rest().starts_with(op))
            .map(|op| {
                let start = self.at;
                self.at += op.len();
                &self.text[start..self.at]
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIN: &str = include_str!("../../tests/fixtures/lockfiles/requirements/requirements.txt");

    fn files(path: &str) -> Option<String> {
        let text = match path {
            "base.txt" => include_str!("../../tests/fixtures/lockfiles/requirements/base.txt"),
            "constraints.txt" => {
                include_str!("../../tests/fixtures/lockfiles/requirements/constraints.txt")
            }
            "nested/more.txt" => {
                include_str!("../../tests/fixtures/lockfiles/requirements/nested/more.txt")
            }
            "requirements.txt" => MAIN,
            _ => return None,
        };
        Some(text.to_string())
    }

    fn pypi(name: &str, version: &str, line: u32) -> Package {
        Package::new(Ecosystem::PyPI, name, version, line).direct(true)
    }

    #[test]
    fn pinned_requirements_with_includes() {
        let input = Input {
            path: "app/requirements.txt",
            text: MAIN,
            read_relative: &files,
        };
        assert_eq!(
            parse(&input).unwrap(),
            vec![
                pypi("Django", "4.2.11", 3),
                pypi("requests", "2.31.0", 4),
                pypi("celery", "5.3.6", 5),
                pypi("urllib3", "1.26.18", 6),
                pypi("cryptography", "42.0.5", 9),
                pypi("zope.interface", "6.2", 14),
                pypi("python-dateutil", "2.9.0.post0", 15),
                pypi("attrs", "23.2.0", 17),
                pypi("PyYAML", "6.0.1", 22),
                pypi("Jinja2", "3.1.3", 25),
                pypi("MarkupSafe", "2.1.5", 25),
                pypi("idna", "3.6", 25),
                pypi("certifi", "2024.2.2", 27),
            ]
        );
    }

    #[test]
    fn without_access_to_other_files_includes_are_skipped() {
        let packages = parse(&Input::alone("requirements.txt", MAIN)).unwrap();
        assert_eq!(packages.len(), 9);
        assert!(packages
            .iter()
            .all(|p| p.name != "Jinja2" && p.name != "idna"));
    }

    #[test]
    fn deep_includes_stop_at_the_limit() {
        let read = |path: &str| -> Option<String> {
            let n: usize = path
                .strip_prefix("deep/f")?
                .strip_suffix(".txt")?
                .parse()
                .ok()?;
            Some(format!("-r f{}.txt\nsix==1.{n}.0\n", n + 1))
        };
        let input = Input {
            path: "requirements.txt",
            text: "-r deep/f0.txt\n",
            read_relative: &read,
        };
        let packages = parse(&input).unwrap();
        assert_eq!(packages.len(), MAX_INCLUDE_DEPTH);
        assert!(packages.iter().all(|p| p.line == 1));
    }

    #[test]
    fn a_file_including_itself_ends() {
        let read = |path: &str| {
            (path == "requirements-dev.txt").then(|| {
                "-r requirements-dev.txt\n-r ./requirements-dev.txt\npytest==8.1.1\n".to_string()
            })
        };
        let text = "-r requirements-dev.txt\n";
        let input = Input {
            path: "requirements-dev.txt",
            text,
            read_relative: &read,
        };
        assert_eq!(parse(&input).unwrap(), vec![]);
        let input = Input {
            path: "requirements.txt",
            text,
            read_relative: &read,
        };
        assert_eq!(parse(&input).unwrap(), vec![pypi("pytest", "8.1.1", 1)]);
    }

    #[test]
    fn odd_lines_are_skipped_and_binary_is_refused() {
        let text =
            include_str!("../../tests/fixtures/lockfiles/requirements/requirements-malformed.txt");
        assert_eq!(
            parse(&Input::alone("requirements-malformed.txt", text)).unwrap(),
            vec![pypi("flask", "3.0.2", 9)]
        );
        let e = parse(&Input::alone("requirements.txt", "six==1.16.0\nabc\0def\n")).unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn requirement_grammar() {
        let r =
            parse_requirement("name [fred,bar] @ http://foo.com ; python_version=='2.7'").unwrap();
        assert_eq!((r.name, r.url, r.pinned()), ("name", true, None));
        let r = parse_requirement("name (>= 1.0, == 1.2.3) ; os_name=='a'").unwrap();
        assert_eq!(r.specifiers, vec![(">=", "1.0"), ("==", "1.2.3")]);
        assert_eq!(r.pinned(), Some("1.2.3"));
        assert_eq!(parse_requirement("pip==21.*").unwrap().pinned(), None);
        assert_eq!(parse_requirement("A.B-C_D").unwrap().name, "A.B-C_D");
        for bad in [
            "",
            "-foo",
            "foo-",
            "foo==",
            "foo[bar",
            "foo (==1",
            "foo==1 bar",
            "foo>=1,",
            "git+https://x/y",
        ] {
            assert_eq!(parse_requirement(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn include_paths_resolve_against_the_including_file() {
        assert_eq!(join("", "./a/../b.txt"), "b.txt");
        assert_eq!(join("sub/", "../base.txt"), "base.txt");
        assert_eq!(join("", "../up.txt"), "../up.txt");
        assert_eq!(join("sub/", "x\\y.txt"), "sub/x/y.txt");
        assert_eq!(join("sub/", "/etc/../r.txt"), "/r.txt");
        assert_eq!(shell_words("-r 'my reqs.txt'"), vec!["-r", "my reqs.txt"]);
        assert_eq!(
            shell_words("--requirement \"a\\\"b\" x\\ y"),
            vec!["--requirement", "a\"b", "x y"]
        );
    }
}
