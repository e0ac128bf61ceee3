//! go.mod: directives one per line (`require path version`) or grouped in a parenthesized
//! block (`require (` ... `)`), with `//` comments. A requirement marked `// indirect` is one
//! the main module does not import itself.
//!
//! `replace` directives change what is built: a replaced module is reported under the
//! replacement's path and version, at the `replace` line that chose them, and a module replaced
//! by a local directory is skipped, since that is code in the repository rather than a
//! published module version. The `toolchain` directive (or, without one, the `go` directive)
//! names the Go release the module builds with, reported as the `stdlib` package the way OSV's
//! Go advisories name the standard library.

use super::dedup;
use super::{Input, LockfileError, Package};
use crate::ecosystem::Ecosystem;

pub fn parse(input: &Input<'_>) -> Result<Vec<Package>, LockfileError> {
    let mut file = GoMod::default();
    let mut block: Option<(String, u32)> = None;
    for (index, raw) in input.text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let (tokens, comment) = lex(raw, number)?;
        let Some(first) = tokens.first() else {
            continue;
        };
        if let Some((verb, _)) = &block {
            if tokens.len() == 1 && first.is(")") {
                block = None;
                continue;
            }
            if tokens.iter().any(|t| t.is("(") || t.is(")")) {
                return Err(LockfileError::new(
                    number,
                    format!("unexpected parenthesis in the `{verb}` block"),
                ));
            }
            file.directive(verb, &tokens, comment, number);
            continue;
        }
        if first.is(")") {
            return Err(LockfileError::new(number, "`)` without a block to close"));
        }
        let args = &tokens[1..];
        match args {
            [open] if open.is("(") => {
                block = Some((first.text.clone(), number));
                continue;
            }
            [open, close] if open.is("(") && close.is(")") => continue,
            _ => {}
        }
        if args.iter().any(|t| t.is("(") || t.is(")")) {
            return Err(LockfileError::new(number, "unexpected parenthesis"));
        }
        file.directive(&first.text, args, comment, number);
    }
    if let Some((verb, line)) = block {
        return Err(LockfileError::new(
            line,
            format!("unclosed `{verb} (` block"),
        ));
    }
    Ok(file.packages())
}

#[derive(Default)]
struct GoMod {
    requires: Vec<Require>,
    replaces: Vec<Replace>,
    go: Option<(String, u32)>,
    toolchain: Option<(String, u32)>,
}

struct Require {
    path: String,
    version: String,
    indirect: bool,
    line: u32,
}

struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    /// `None` when the replacement is a directory.
    new_version: Option<String>,
    line: u32,
}

impl GoMod {
    /// One directive; a malformed one is skipped, as is any directive a scan has no use for
    /// (`module`, `exclude`, `retract`, `tool`, `godebug`, and ones newer Go releases add).
    fn directive(&mut self, verb: &str, args: &[Token], comment: Option<&str>, line: u32) {
        let texts: Vec<&str> = args.iter().map(|t| t.text.as_str()).collect();
        match (verb, texts.as_slice()) {
            ("require", [path, version]) if is_version(version) => self.requires.push(Require {
                path: path.to_string(),
                version: version.to_string(),
                indirect: comment.is_some_and(is_indirect),
                line,
            }),
            ("replace", _) => {
                let Some(arrow) = args.iter().position(|t| t.is("=>")) else {
                    return;
                };
                let (old, new) = (&texts[..arrow], &texts[arrow + 1..]);
                let (old, old_version) = match old {
                    [path] => (path, None),
                    [path, version] if is_version(version) => (path, Some(version.to_string())),
                    _ => return,
                };
                let (new, new_version) = match new {
                    [path] => (path, None),
                    [path, version] if is_version(version) => (path, Some(version.to_string())),
                    _ => return,
                };
                self.replaces.push(Replace {
                    old: old.to_string(),
                    old_version,
                    new: new.to_string(),
                    new_version,
                    line,
                });
            }
            ("go", [version, ..]) => self.go = Some((version.to_string(), line)),
            ("toolchain", [name, ..]) => self.toolchain = Some((name.to_string(), line)),
            _ => {}
        }
    }

    fn packages(self) -> Vec<Package> {
        let mut packages = Vec::new();
        for require in &self.requires {
            // A replacement of one version wins over one of every version, and the later of
            // two equally specific ones (which `go` itself would refuse) over the earlier.
            let matching = |exact: bool| {
                self.replaces.iter().rev().find(|r| {
                    r.old == require.path
                        && match &r.old_version {
                            Some(v) => exact && *v == require.version,
                            None => !exact,
                        }
                })
            };
            let package = match matching(true).or_else(|| matching(false)) {
                None => Package::new(Ecosystem::Go, &require.path, &require.version, require.line),
                Some(replace) => match &replace.new_version {
                    Some(version) => {
                        Package::new(Ecosystem::Go, &replace.new, version, replace.line)
                    }
                    None => continue,
                },
            };
            packages.push(package.direct(!require.indirect));
        }
        if let Some((version, line)) = self.stdlib() {
            packages.push(Package::new(Ecosystem::Go, "stdlib", version, line));
        }
        packages.sort_by_key(|p| p.line);
        dedup(packages)
    }

    /// The Go release: `toolchain go1.21.6` (a custom build's suffix after `-` dropped), else
    /// `go 1.21`; `toolchain default` names none.
    fn stdlib(&self) -> Option<(String, u32)> {
        let from_toolchain = self.toolchain.as_ref().and_then(|(name, line)| {
            let version = name.strip_prefix("go")?;
            let version = version.split(['-', '+']).next().unwrap_or(version);
            Some((version.to_string(), *line))
        });
        from_toolchain
            .or_else(|| self.go.clone())
            .filter(|(version, _)| version.starts_with(|c: char| c.is_ascii_digit()))
    }
}

/// Module versions are semantic versions with a `v`; anything else in a version position is a
/// file the `go` command would reject.
fn is_version(text: &str) -> bool {
    text.strip_prefix('v')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// The `go` command's test for an indirect requirement: the line's comment is `indirect`,
/// possibly followed by `;` and more.
fn is_indirect(comment: &str) -> bool {
    let comment = comment.trim();
    comment == "indirect" || comment.starts_with("indirect;")
}

#[derive(Debug)]
struct Token {
    text: String,
    /// Quoted text is never punctuation, even when it reads `(` or `=>`.
    quoted: bool,
}

impl Token {
    fn is(&self, punctuation: &str) -> bool {
        !self.quoted && self.text == punctuation
    }
}

/// Splits a line into tokens (words, `"interpreted"` or `` `raw` `` strings, parentheses) and
/// the text of its trailing `//` comment.
fn lex(line: &str, number: u32) -> Result<(Vec<Token>, Option<&str>), LockfileError> {
    let mut tokens = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else {
            return Ok((tokens, None));
        };
        if let Some(comment) = rest.strip_prefix("//") {
            return Ok((tokens, Some(comment)));
        }
        if rest.starts_with("/*") {
            return Err(LockfileError::new(
                number,
                "go.mod comments are `//`, not `/* */`",
            ));
        }
        match c {
            '(' | ')' => {
                tokens.push(Token {
                    text: c.to_string(),
                    quoted: false,
                });
                rest = &rest[1..];
            }
            '"' => {
                let mut text = String::new();
                let mut chars = rest[1..].char_indices();
                let end = loop {
                    match chars.next() {
                        None => {
                            return Err(LockfileError::new(number, "unterminated quoted string"))
                        }
                        Some((i, '"')) => break i + 2,
                        Some((_, '\\')) => match chars.next() {
                            Some((_, escaped)) => text.push(escaped),
                            None => {
                                return Err(LockfileError::new(
                                    number,
                                    "unterminated quoted string",
                                ))
                            }
                        },
                        Some((_, other)) => text.push(other),
                    }
                };
                tokens.push(Token { text, quoted: true });
                rest = &rest[end..];
            }
            '`' => {
                let Some(close) = rest[1..].find('`') else {
                    return Err(LockfileError::new(number, "unterminated raw string"));
                };
                tokens.push(Token {
                    text: rest[1..=close].to_string(),
                    quoted: true,
                });
                rest = &rest[close + 2..];
            }
            _ => {
                let end = rest
                    .char_indices()
                    .find(|&(i, c)| {
                        c.is_whitespace() || "()\"`".contains(c) || rest[i..].starts_with("//")
                    })
                    .map_or(rest.len(), |(i, _)| i);
                tokens.push(Token {
                    text: rest[..end].to_string(),
                    quoted: false,
                });
                rest = &rest[end..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(name: &str, version: &str, line: u32, direct: Option<bool>) -> Package {
        Package {
            ecosystem: Ecosystem::Go,
            name: name.to_string(),
            version: version.to_string(),
            line,
            direct,
        }
    }

    fn run(text: &str) -> Result<Vec<Package>, LockfileError> {
        parse(&Input::alone("go.mod", text))
    }

    #[test]
    fn requires_replaces_and_toolchain() {
        let packages = run(include_str!("../../tests/fixtures/lockfiles/gomod/go.mod")).unwrap();
        assert_eq!(
            packages,
            vec![
                go("stdlib", "1.22.4", 5, None),
                go("github.com/spf13/cobra", "v1.8.0", 7, Some(true)),
                go("github.com/gin-gonic/gin", "v1.9.1", 10, Some(true)),
                go("golang.org/x/crypto", "v0.23.0", 11, Some(true)),
                go("github.com/bytedance/sonic", "v1.11.6", 18, Some(false)),
                go(
                    "github.com/inconshreveable/mousetrap",
                    "v1.1.0",
                    19,
                    Some(false)
                ),
                go("gopkg.in/yaml.v3", "v3.0.1", 20, Some(false)),
                go("github.com/sirupsen/logrus", "v1.9.3", 31, Some(true)),
                go("github.com/golang-jwt/jwt/v4", "v4.5.1", 32, Some(true)),
            ]
        );
    }

    #[test]
    fn go_directive_without_toolchain() {
        let packages = run(include_str!(
            "../../tests/fixtures/lockfiles/gomod/go-1.16.mod"
        ))
        .unwrap();
        assert_eq!(
            packages,
            vec![
                go("stdlib", "1.16", 3, None),
                go("github.com/pkg/errors", "v0.9.1", 5, Some(true)),
                go(
                    "golang.org/x/sys",
                    "v0.0.0-20210510120138-977fb7262007",
                    6,
                    Some(false)
                ),
            ]
        );
    }

    #[test]
    fn malformed_files_are_errors_with_lines() {
        let e = run(include_str!(
            "../../tests/fixtures/lockfiles/gomod/unclosed.mod"
        ))
        .unwrap_err();
        assert_eq!(e.line, 5, "{e}");
        assert!(e.message.contains("unclosed `require (`"), "{e}");
        for (text, line) in [
            ("module x\n\nrequire \"github.com/a/b v1.0.0\n", 3),
            ("module x\n)\n", 2),
            ("require (\n  a v1.0.0 (\n)\n", 2),
            ("module x /* c */\n", 1),
            ("require `a v1.0.0\n", 1),
        ] {
            assert_eq!(run(text).unwrap_err().line, line, "{text:?}");
        }
    }

    #[test]
    fn odd_lines_are_skipped() {
        let text = "module example.com/m\ngo 1.21\ntoolchain default\nrequire (\n\tgithub.com/a/b\n\tgithub.com/c/d latest\n\t\"github.com/e/f\" v1.2.3 // indirect; kept by go mod tidy\n\tgithub.com/e/f v1.2.3\n)\nrequire ()\nreplace github.com/x => \nfrobnicate github.com/a/b v1.0.0\n";
        assert_eq!(
            run(text).unwrap(),
            vec![
                go("stdlib", "1.21", 2, None),
                go("github.com/e/f", "v1.2.3", 7, Some(true))
            ]
        );
        assert_eq!(run("").unwrap(), vec![]);
    }
}
