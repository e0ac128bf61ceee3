//! Mix's `mix.lock`: one Elixir map literal from each dependency's app name to a tuple saying
//! where it came from:
//!
//! ```text
//! %{
//!   "plug": {:hex, :plug, "1.15.3", "<inner hash>", [:mix], [{:mime, "~> 1.0 or ~> 2.0", [hex: :mime, repo: "hexpm", optional: false]}], "hexpm", "<outer hash>"},
//!   "my_fork": {:git, "https://github.com/acme/my_fork.git", "5c1d2b7", [branch: "main"]},
//! }
//! ```
//!
//! Read with a small tokenizer and parser for the literal subset of Elixir's term syntax mix
//! writes (maps, tuples, lists, keyword lists, strings, atoms, numbers, booleans); evaluating
//! the file as code is never an option. Nothing in the lock says which dependencies `mix.exs`
//! declares itself, so `direct` is unknown.

use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

/// Nesting deeper than this is refused: a real lock nests four or five levels.
const MAX_DEPTH: usize = 64;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    // A byte-order mark from an editor is not part of the term.
    let tokens = tokenize(input.text.strip_prefix('\u{feff}').unwrap_or(input.text))?;
    let mut parser = TermParser {
        tokens: &tokens,
        at: 0,
    };
    let root = parser.term(0)?;
    if let Some(extra) = parser.tokens.get(parser.at) {
        return Err(LockfileError::new(
            extra.line,
            "unexpected text after the mix.lock map",
        ));
    }
    let Term::Map(entries) = root.term else {
        return Err(LockfileError::new(
            root.line,
            "mix.lock must be a map literal `%{...}`",
        ));
    };

    let mut packages = Vec::new();
    for (key, value) in &entries {
        if !matches!(key.term, Term::Str(_) | Term::Atom(_)) {
            continue;
        }
        if let Some((name, version)) = hex_package(value) {
            packages.push(Package::new(Ecosystem::Hex, name, version, key.line));
        }
    }
    Ok(super::dedup(packages))
}

/// The Hex package name and version of a lock entry; `None` for `:git` and `:path` entries
/// (a repository checkout or a local directory, not a Hex release), for packages from a Hex
/// repository other than the public one (a private organization's `"hexpm:acme"` or a self-hosted
/// repository, whose names mean something else than on hex.pm), and for malformed entries.
fn hex_package(value: &Node) -> Option<(&str, &str)> {
    let Term::Tuple(items) = &value.term else {
        return None;
    };
    match items.first().map(|n| &n.term) {
        Some(Term::Atom(kind)) if kind == "hex" => {}
        _ => return None,
    }
    // The second element is the package's name on Hex, which the map key (the app name a
    // dependency is installed as) need not equal.
    let Some(Term::Atom(name)) = items.get(1).map(|n| &n.term) else {
        return None;
    };
    let Some(Term::Str(version)) = items.get(2).map(|n| &n.term) else {
        return None;
    };
    // Locks written before Hex 0.16 end after the checksum, without a repository: hex.pm.
    match items.get(6).map(|n| &n.term) {
        None => {}
        Some(Term::Str(repo)) if repo == "hexpm" => {}
        Some(_) => return None,
    }
    let (name, version) = (name.trim(), version.trim());
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// `%{`
    MapOpen,
    Open(char),
    Close(char),
    Comma,
    /// `=>`
    Arrow,
    Str(String),
    Atom(String),
    /// A keyword key, `name:` or `"name":`.
    Key(String),
    /// A number, `true`, `false`, `nil`.
    Word(String),
}

#[derive(Debug)]
struct Token {
    tok: Tok,
    line: u32,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '@'
}

fn tokenize(text: &str) -> Result<Vec<Token>, LockfileError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut line: u32 = 1;
    let err =
        |line: u32, message: &str| LockfileError::new(line, format!("invalid mix.lock: {message}"));

    while let Some((_, c)) = chars.next() {
        let start = line;
        let tok = match c {
            '\n' => {
                line = line.saturating_add(1);
                continue;
            }
            c if c.is_whitespace() => continue,
            '#' => {
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
                continue;
            }
            '%' => match chars.next() {
                Some((_, '{')) => Tok::MapOpen,
                _ => return Err(err(line, "expected `{` after `%`")),
            },
            '{' | '[' => Tok::Open(c),
            '}' | ']' => Tok::Close(c),
            ',' => Tok::Comma,
            '=' => match chars.next() {
                Some((_, '>')) => Tok::Arrow,
                _ => return Err(err(line, "expected `=>`")),
            },
            '"' => {
                let s = string(&mut chars, &mut line)
                    .ok_or_else(|| err(start, "unterminated or interpolated string"))?;
                // `"name": value` is a keyword key; mix writes its map this way.
                if chars.next_if(|&(_, c)| c == ':').is_some() {
                    Tok::Key(s)
                } else {
                    Tok::Str(s)
                }
            }
            ':' => match chars.peek().map(|&(_, c)| c) {
                Some('"') => {
                    chars.next();
                    Tok::Atom(
                        string(&mut chars, &mut line)
                            .ok_or_else(|| err(start, "unterminated atom"))?,
                    )
                }
                Some(c) if is_ident(c) => {
                    let mut atom = String::new();
                    while let Some((_, c)) = chars.next_if(|&(_, c)| is_ident(c)) {
                        atom.push(c);
                    }
                    if let Some((_, c)) = chars.next_if(|&(_, c)| c == '?' || c == '!') {
                        atom.push(c);
                    }
                    Tok::Atom(atom)
                }
                _ => return Err(err(line, "expected an atom after `:`")),
            },
            c if is_ident(c) || c == '-' => {
                let mut word = String::from(c);
                while let Some((_, c)) = chars.next_if(|&(_, c)| is_ident(c) || c == '.') {
                    word.push(c);
                }
                if let Some((_, c)) = chars.next_if(|&(_, c)| c == '?' || c == '!') {
                    word.push(c);
                }
                // `name: value` is a keyword key, `name:` directly followed by a space.
                let key = chars.peek().map(|&(_, c)| c) == Some(':')
                    && chars.clone().nth(1).is_none_or(|(_, c)| c.is_whitespace());
                if key {
                    chars.next();
                    Tok::Key(word)
                } else {
                    Tok::Word(word)
                }
            }
            other => return Err(err(line, &format!("unexpected character `{other}`"))),
        };
        tokens.push(Token { tok, line: start });
    }
    Ok(tokens)
}

/// The rest of a string literal after its opening quote, with escapes applied; `None` when it
/// does not end or interpolates (`#{...}`), which a lockfile never does.
fn string(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    line: &mut u32,
) -> Option<String> {
    let mut out = String::new();
    loop {
        let (_, c) = chars.next()?;
        match c {
            '"' => return Some(out),
            '\n' => {
                *line = line.saturating_add(1);
                out.push(c);
            }
            '#' if chars.peek().map(|&(_, c)| c) == Some('{') => return None,
            '\\' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '\n' => {
                        *line = line.saturating_add(1);
                        continue;
                    }
                    other => other,
                });
            }
            c => out.push(c),
        }
    }
}

#[derive(Debug)]
enum Term {
    Map(Vec<(Node, Node)>),
    Tuple(Vec<Node>),
    List(Vec<Node>),
    Str(String),
    Atom(String),
    Word,
}

#[derive(Debug)]
struct Node {
    line: u32,
    term: Term,
}

struct TermParser<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl TermParser<'_> {
    fn line(&self) -> u32 {
        match self.tokens.get(self.at).or_else(|| self.tokens.last()) {
            Some(t) => t.line,
            None => 1,
        }
    }

    fn error(&self, message: &str) -> LockfileError {
        let message = if self.at >= self.tokens.len() {
            format!("invalid mix.lock: unexpected end of file, {message}")
        } else {
            format!("invalid mix.lock: {message}")
        };
        LockfileError::new(self.line(), message)
    }

    fn next(&mut self) -> Option<&Token> {
        let t = self.tokens.get(self.at)?;
        self.at += 1;
        Some(t)
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at).map(|t| &t.tok)
    }

    fn term(&mut self, depth: usize) -> Result<Node, LockfileError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let line = self.line();
        let Some(token) = self.next() else {
            return Err(self.error("expected a term"));
        };
        let term = match &token.tok {
            Tok::MapOpen => self.map(depth)?,
            Tok::Open('{') => Term::Tuple(self.sequence('}', depth)?),
            Tok::Open(_) => Term::List(self.sequence(']', depth)?),
            Tok::Str(s) => Term::Str(s.clone()),
            Tok::Atom(a) => Term::Atom(a.clone()),
            Tok::Word(_) => Term::Word,
            _ => {
                self.at -= 1;
                return Err(self.error("expected a term"));
            }
        };
        Ok(Node { line, term })
    }

    /// After `,` or the opening bracket: whether the collection closes here (a trailing comma
    /// is allowed).
    fn closes(&mut self, close: char) -> bool {
        if self.peek() == Some(&Tok::Close(close)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// After an element: `,` and more, or the closing bracket.
    fn separator(&mut self, close: char) -> Result<bool, LockfileError> {
        match self.peek() {
            Some(Tok::Comma) => {
                self.at += 1;
                Ok(self.closes(close))
            }
            Some(Tok::Close(c)) if *c == close => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(self.error(&format!("expected `,` or `{close}`"))),
        }
    }

    fn map(&mut self, depth: usize) -> Result<Term, LockfileError> {
        let mut entries = Vec::new();
        if self.closes('}') {
            return Ok(Term::Map(entries));
        }
        loop {
            let key = match self.peek() {
                Some(Tok::Key(k)) => {
                    let node = Node {
                        line: self.line(),
                        term: Term::Atom(k.clone()),
                    };
                    self.at += 1;
                    node
                }
                _ => {
                    let key = self.term(depth + 1)?;
                    if self.peek() != Some(&Tok::Arrow) {
                        return Err(self.error("expected `=>` or a `key:` in a map"));
                    }
                    self.at += 1;
                    key
                }
            };
            let value = self.term(depth + 1)?;
            entries.push((key, value));
            if self.separator('}')? {
                return Ok(Term::Map(entries));
            }
        }
    }

    /// The elements of a tuple or list. Keyword pairs become `{:key, value}` tuples; in a tuple,
    /// trailing keyword pairs without brackets form one last keyword list, as Elixir reads them.
    fn sequence(&mut self, close: char, depth: usize) -> Result<Vec<Node>, LockfileError> {
        let mut items = Vec::new();
        let mut keywords: Option<Node> = None;
        if self.closes(close) {
            return Ok(items);
        }
        loop {
            if let Some(Tok::Key(k)) = self.peek() {
                let line = self.line();
                let key = Node {
                    line,
                    term: Term::Atom(k.clone()),
                };
                self.at += 1;
                let value = self.term(depth + 1)?;
                let pair = Node {
                    line,
                    term: Term::Tuple(vec![key, value]),
                };
                if close == ']' {
                    items.push(pair);
                } else {
                    let list = keywords.get_or_insert(Node {
                        line,
                        term: Term::List(Vec::new()),
                    });
                    if let Term::List(pairs) = &mut list.term {
                        pairs.push(pair);
                    }
                }
            } else if keywords.is_some() {
                return Err(self.error("keyword pairs must come last"));
            } else {
                items.push(self.term(depth + 1)?);
            }
            if self.separator(close)? {
                items.extend(keywords);
                return Ok(items);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str, line: u32) -> Package {
        Package::new(Ecosystem::Hex, name, version, line)
    }

    #[test]
    fn hex_entries_with_git_path_and_private_skipped() {
        let text = include_str!("../../tests/fixtures/lockfiles/mix/mix.lock");
        assert_eq!(
            parse(&Input::alone("mix.lock", text)).unwrap(),
            vec![
                pkg("castore", "1.0.5", 2),
                pkg("cowboy", "2.10.0", 3),
                pkg("decimal", "2.1.1", 4),
                pkg("jason", "1.4.1", 6),
                pkg("phoenix", "1.7.10", 7),
                pkg("plug", "1.15.3", 10),
                pkg("poison", "2.1.0", 11),
            ]
        );
    }

    #[test]
    fn arrow_maps_keyword_tuples_and_comments() {
        let text = "# an older lock\n%{\"ranch\" => {:hex, :ranch, \"1.2.1\", \"abc\"},\n  other: {:hex, :\"quoted\", \"0.1.0\", \"def\", [:mix], [], \"hexpm\", \"x\", extra: true, n: -1.5}, }";
        assert_eq!(
            parse(&Input::alone("mix.lock", text)).unwrap(),
            vec![pkg("ranch", "1.2.1", 2), pkg("quoted", "0.1.0", 3)]
        );
        assert_eq!(
            parse(&Input::alone("mix.lock", "\u{feff}%{}\n")).unwrap(),
            vec![]
        );
    }

    #[test]
    fn malformed_locks_are_errors_with_lines() {
        let text = include_str!("../../tests/fixtures/lockfiles/mix/truncated.mix.lock");
        let e = parse(&Input::alone("mix.lock", text)).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("end of file"), "{e}");

        let cases: [(&str, u32); 8] = [
            ("", 1),
            ("[1, 2]", 1),
            ("%{\n\"a\": {:hex, :a, \"1.0\"}\n\"b\": 1}", 3),
            ("%{\n\"a\": \"#{x}\"}", 2),
            ("%{\"a\": 1} %{}", 1),
            ("%{\n\n  \"a\": $}", 3),
            ("%{\"a\" 1}", 1),
            ("{:a, b: 1, :c}", 1),
        ];
        for (text, line) in cases {
            let e = parse(&Input::alone("mix.lock", text)).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
        }

        let deep = format!("%{{\"a\": {}", "[".repeat(100_000));
        assert!(parse(&Input::alone("mix.lock", &deep))
            .unwrap_err()
            .message
            .contains("deeply"));
    }
}
