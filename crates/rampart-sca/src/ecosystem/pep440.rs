//! PyPI ordering: PEP 440 versions as the `packaging` library parses and orders them.
//!
//! A version is `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, read leniently the way
//! `packaging.version.Version` reads it: case does not matter; surrounding whitespace and a
//! leading `v` are dropped; `-`, `_` or `.` may separate the parts (or nothing); `alpha`, `beta`,
//! `c`, `pre` and `preview` spell `a`, `b`, `rc`, `rc` and `rc`; `rev` and `r` spell `post`, and
//! `1.0-1` is `1.0.post1`; a missing pre, post or dev number is 0.
//!
//! Order: epoch, then the release numbers with trailing zeros ignored (`1.0` equals `1`), then a
//! dev release of a version without pre or post release before its alphas, alphas before betas
//! before release candidates before the final release, then post releases after that, a dev
//! release before the version it leads to, and finally the local label: no label first, then
//! segment by segment, where text segments (compared case-insensitively) sort before numeric
//! ones and numbers compare by value. Numbers have no size limit.
//!
//! A string PEP 440 rejects orders the way `packaging` (before 22.0) ordered a `LegacyVersion`,
//! with setuptools' old `parse_version` scheme: before every valid version, then by its legacy
//! key, in which the lowercased text is split into digit runs, letter runs and other text, digit
//! runs are zero-padded to eight places and compared as text, `pre`, `preview` and `rc` become
//! `c` and `dev` sorts before every other word. Two strings with the same legacy key compare
//! equal, as they did in `packaging`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::semver::Number;

/// Orders two versions the way `packaging` does; see the module documentation for invalid input.
pub fn compare(a: &str, b: &str) -> Ordering {
    super::valid_first(a, b, Version::parse, order_invalid)
}

/// How two strings that are not PEP 440 versions order: by their legacy key.
pub(crate) fn order_invalid(a: &str, b: &str) -> Ordering {
    legacy_key(a).cmp(&legacy_key(b))
}

/// A valid PEP 440 version.
#[derive(Debug, Clone)]
pub struct Version {
    epoch: Number,
    release: Vec<Number>,
    pre: Option<(PreKind, Number)>,
    post: Option<Number>,
    dev: Option<Number>,
    /// Empty when the version has no local label, which needs at least one segment.
    local: Vec<LocalSegment>,
}

/// The kind of a pre-release, in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreKind {
    Alpha,
    Beta,
    ReleaseCandidate,
}

impl PreKind {
    fn as_str(self) -> &'static str {
        match self {
            PreKind::Alpha => "a",
            PreKind::Beta => "b",
            PreKind::ReleaseCandidate => "rc",
        }
    }
}

/// One segment of a local label. Text sorts before numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LocalSegment {
    /// Lowercased.
    Text(Box<str>),
    Number(Number),
}

impl fmt::Display for LocalSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalSegment::Text(t) => f.write_str(t),
            LocalSegment::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Why a string is not a PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseVersionError {
    reason: &'static str,
}

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid PEP 440 version: {}", self.reason)
    }
}

impl std::error::Error for ParseVersionError {}

fn error(reason: &'static str) -> ParseVersionError {
    ParseVersionError { reason }
}

impl Version {
    pub fn parse(input: &str) -> Result<Version, ParseVersionError> {
        let lower = input.trim_matches(is_python_space).to_ascii_lowercase();
        let mut c = Cursor {
            text: &lower,
            pos: 0,
        };
        c.eat(b'v');

        let epoch = c
            .attempt(|c| {
                let digits = c.digits()?;
                c.eat(b'!').then_some(digits)
            })
            .map_or_else(|| Number::from_digits("0"), Number::from_digits);

        let mut release = vec![Number::from_digits(
            c.digits().ok_or(error("no release number"))?,
        )];
        while let Some(digits) = c.attempt(|c| {
            c.eat(b'.').then_some(())?;
            c.digits()
        }) {
            release.push(Number::from_digits(digits));
        }

        let pre = c.attempt(|c| {
            c.separator();
            let kind = match c.word(&["alpha", "a", "beta", "b", "rc", "c", "preview", "pre"])? {
                "alpha" | "a" => PreKind::Alpha,
                "beta" | "b" => PreKind::Beta,
                _ => PreKind::ReleaseCandidate,
            };
            c.separator();
            Some((kind, c.number_or_zero()))
        });

        let post = c
            .attempt(|c| {
                c.eat(b'-').then_some(())?;
                c.digits().map(Number::from_digits)
            })
            .or_else(|| {
                c.attempt(|c| {
                    c.separator();
                    c.word(&["post", "rev", "r"])?;
                    c.separator();
                    Some(c.number_or_zero())
                })
            });

        let dev = c.attempt(|c| {
            c.separator();
            c.word(&["dev"])?;
            c.separator();
            Some(c.number_or_zero())
        });

        let mut local = Vec::new();
        if c.eat(b'+') {
            loop {
                let segment = c.alphanumeric().ok_or(error("empty local segment"))?;
                local.push(if segment.bytes().all(|b| b.is_ascii_digit()) {
                    LocalSegment::Number(Number::from_digits(segment))
                } else {
                    LocalSegment::Text(segment.into())
                });
                if !c.separator() {
                    break;
                }
            }
        }

        if !c.at_end() {
            return Err(error("unexpected text"));
        }
        Ok(Version {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    pub fn epoch(&self) -> &Number {
        &self.epoch
    }

    pub fn release(&self) -> &[Number] {
        &self.release
    }

    pub fn pre(&self) -> Option<(PreKind, &Number)> {
        self.pre.as_ref().map(|(kind, n)| (*kind, n))
    }

    pub fn post(&self) -> Option<&Number> {
        self.post.as_ref()
    }

    pub fn dev(&self) -> Option<&Number> {
        self.dev.as_ref()
    }

    pub fn local(&self) -> &[LocalSegment] {
        &self.local
    }

    /// A pre-release or a dev release, which installers skip unless asked.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    fn release_without_trailing_zeros(&self) -> &[Number] {
        let kept = self
            .release
            .iter()
            .rposition(|n| !n.is_zero())
            .map_or(0, |i| i + 1);
        &self.release[..kept]
    }

    fn pre_key(&self) -> PreKey<'_> {
        match (&self.pre, &self.post, &self.dev) {
            (Some((kind, n)), _, _) => PreKey::Pre(*kind, n),
            // `1.0.dev0` precedes `1.0a0`, but `1.0.post0.dev0` does not precede `1.0a0`.
            (None, None, Some(_)) => PreKey::DevOfRelease,
            (None, _, _) => PreKey::Final,
        }
    }

    fn dev_key(&self) -> DevKey<'_> {
        self.dev.as_ref().map_or(DevKey::NotDev, DevKey::Dev)
    }
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    DevOfRelease,
    Pre(PreKind, &'a Number),
    Final,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum DevKey<'a> {
    Dev(&'a Number),
    NotDev,
}

impl FromStr for Version {
    type Err = ParseVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| {
                self.release_without_trailing_zeros()
                    .cmp(other.release_without_trailing_zeros())
            })
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            .then_with(|| self.post.cmp(&other.post))
            .then_with(|| self.dev_key().cmp(&other.dev_key()))
            .then_with(|| self.local.cmp(&other.local))
    }
}

// Equality is the ordering's: versions that compare equal are the same version.
super::ordered_by_cmp!(Version);

/// The normalized form, as `str(packaging.version.Version(...))` writes it.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.epoch.is_zero() {
            write!(f, "{}!", self.epoch)?;
        }
        for (i, n) in self.release.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{n}")?;
        }
        if let Some((kind, n)) = &self.pre {
            write!(f, "{}{n}", kind.as_str())?;
        }
        if let Some(n) = &self.post {
            write!(f, ".post{n}")?;
        }
        if let Some(n) = &self.dev {
            write!(f, ".dev{n}")?;
        }
        for (i, segment) in self.local.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            write!(f, "{segment}")?;
        }
        Ok(())
    }
}

/// What Python's `\s` matches in a `str` pattern: Unicode whitespace plus the four ASCII
/// information separators.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// A position in ASCII-lowercased version text; every step consumes ASCII bytes only, so every
/// position is a character boundary.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// One optional `-`, `_` or `.`.
    fn separator(&mut self) -> bool {
        self.eat(b'-') || self.eat(b'_') || self.eat(b'.')
    }

    fn run(&mut self, accept: impl Fn(u8) -> bool) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(&accept) {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.text[start..self.pos])
    }

    fn digits(&mut self) -> Option<&'a str> {
        self.run(|b| b.is_ascii_digit())
    }

    fn alphanumeric(&mut self) -> Option<&'a str> {
        self.run(|b| b.is_ascii_alphanumeric())
    }

    fn number_or_zero(&mut self) -> Number {
        Number::from_digits(self.digits().unwrap_or("0"))
    }

    /// The first of `words` the text continues with; a word that is a prefix of another must come
    /// after it, since no part of a version may start with the letters that would be left over.
    fn word(&mut self, words: &[&'static str]) -> Option<&'static str> {
        let rest = &self.text.as_bytes()[self.pos..];
        let found = words
            .iter()
            .copied()
            .find(|w| rest.starts_with(w.as_bytes()))?;
        self.pos += found.len();
        Some(found)
    }

    /// Runs `step`, rewinding to where it started if it finds nothing.
    fn attempt<T>(&mut self, step: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let start = self.pos;
        let found = step(self);
        if found.is_none() {
            self.pos = start;
        }
        found
    }
}

/// The key `packaging.version.LegacyVersion` sorted by, without its constant epoch of -1.
fn legacy_key(version: &str) -> Vec<String> {
    let lower = version.to_lowercase();
    let mut key: Vec<String> = Vec::new();
    for part in legacy_parts(&lower).chain(std::iter::once("*final".to_owned())) {
        if part.starts_with('*') {
            // A `-` before a pre-release word does not count.
            if part.as_str() < "*final" {
                while key.last().is_some_and(|p| p == "*final-") {
                    key.pop();
                }
            }
            // Trailing zeros of each run of numbers do not count.
            while key.last().is_some_and(|p| p == "00000000") {
                key.pop();
            }
        }
        key.push(part);
    }
    key
}

/// The lowercased text split into digit runs, runs of `a`-`z`, `.`, `-` and whatever lies
/// between those, with dots dropped, numbers padded and words marked with `*`.
fn legacy_parts(lower: &str) -> impl Iterator<Item = String> + '_ {
    let mut rest = lower;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let len = match first {
            '0'..='9' => rest.bytes().take_while(u8::is_ascii_digit).count(),
            'a'..='z' => rest.bytes().take_while(u8::is_ascii_lowercase).count(),
            '.' | '-' => 1,
            _ => rest
                .find(|c: char| {
                    c.is_ascii_digit() || c.is_ascii_lowercase() || c == '.' || c == '-'
                })
                .unwrap_or(rest.len()),
        };
        let (piece, tail) = rest.split_at(len);
        rest = tail;
        Some(piece)
    })
    .filter_map(|piece| {
        let piece = match piece {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            "." => return None,
            other => other,
        };
        Some(if piece.starts_with(|c: char| c.is_ascii_digit()) {
            format!("{piece:0>8}")
        } else {
            format!("*{piece}")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_order(smaller: &str, larger: &str) {
        assert_eq!(
            compare(smaller, larger),
            Ordering::Less,
            "{smaller} < {larger}"
        );
        assert_eq!(
            compare(larger, smaller),
            Ordering::Greater,
            "{larger} > {smaller}"
        );
    }

    fn assert_same(a: &str, b: &str) {
        assert_eq!(compare(a, b), Ordering::Equal, "{a} = {b}");
        assert_eq!(compare(b, a), Ordering::Equal, "{b} = {a}");
    }

    fn normalized(s: &str) -> String {
        Version::parse(s).unwrap().to_string()
    }

    #[test]
    fn pep_440_summary_ordering() {
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ];
        for (i, a) in chain.iter().enumerate() {
            for b in &chain[i + 1..] {
                assert_order(a, b);
            }
            assert_same(a, a);
        }
    }

    #[test]
    fn release_segments_ignore_trailing_zeros() {
        assert_same("1", "1.0.0.0");
        assert_same("0!2.0", "2");
        assert_order("1.0.0.0.1", "1.0.1");
        assert_order("1.9", "1.10");
        assert_same("1.01", "1.1");
    }

    #[test]
    fn spellings_normalise() {
        assert_eq!(normalized("1.0ALPHA1"), "1.0a1");
        assert_eq!(normalized("1.0-beta.2"), "1.0b2");
        assert_eq!(normalized("1.0c3"), "1.0rc3");
        assert_eq!(normalized("1.0.pre"), "1.0rc0");
        assert_eq!(normalized("1.0_preview_4"), "1.0rc4");
        assert_eq!(normalized("1.0-1"), "1.0.post1");
        assert_eq!(normalized("1.0.rev"), "1.0.post0");
        assert_eq!(normalized("1.0r2"), "1.0.post2");
        assert_eq!(normalized("1.0-post-3"), "1.0.post3");
        assert_eq!(normalized("1.0DEV"), "1.0.dev0");
        assert_eq!(normalized("  v1.0+Ubuntu-1_2  "), "1.0+ubuntu.1.2");
        assert_eq!(normalized("V2!1.0a-"), "2!1.0a0");
        assert_same("1.0c1", "1.0rc1");
        assert_same("1.0-1", "1.0.post1");
        assert_same("1.0+ABC", "1.0+abc");
        assert_same("1.0+1.0", "1.0+01.000");
    }

    #[test]
    fn local_labels() {
        assert_order("1.0", "1.0+0");
        assert_order("1.0+abc", "1.0+abc.0");
        assert_order("1.0+zzz", "1.0+0");
        assert_order("1.0+9", "1.0+10");
        assert_order("1.0+local", "1.0.post0");
        assert_order("1.0+1", "1.0.1");
    }

    #[test]
    fn big_numbers_compare_by_value() {
        let big = "9".repeat(400);
        assert_order(&big, &format!("1{big}"));
        assert_order(&format!("1.0a{big}"), "1.0b0");
        assert_order(&format!("1.0.post{big}"), &format!("1.0.post1{big}"));
        assert_order("18446744073709551615", "18446744073709551616");
    }

    #[test]
    fn rejected_strings() {
        for bad in [
            "",
            "1.",
            "1..0",
            "1.0-",
            "1.0+",
            "1.0+a..b",
            "1.0.dev.dev",
            "1.0 1",
            "1!",
            "a1",
            "1.0a1a2",
            "1.0.post1-2",
            "—",
            "1.0+ünï",
            "1.0a1.post1.dev1.dev",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn legacy_versions_sort_first_in_setuptools_order() {
        for legacy in [
            "1.0-final",
            "1.0.dev-x",
            "1.0-x",
            "0.9-x",
            "trunk",
            "2013-01-01",
            "x-pre",
        ] {
            assert!(
                Version::parse(legacy).is_err(),
                "{legacy:?} should be rejected"
            );
        }
        assert_order("1.0-final", "0.0.0.dev0");
        assert_order("french toast", "0");
        assert_order("1.0.dev-x", "1.0.alpha-x");
        assert_order("1.0.alpha-x", "1.0.rc-x");
        assert_order("1.0.rc-x", "1.0-x");
        assert_order("0.9-x", "0.10-x");
        assert_order("0.9-final", "0.9-patch");
        assert_order("trunk", "2013-01-01");
        assert_same("0.9.0-x", "0.9-x");
        assert_same("Foo-1", "foo-1");
        assert_same("x-pre", "x-preview");
        assert_same("", "");
        // Runs longer than the padding compare as text, as they did in setuptools.
        assert_order("1000000000-x", "900000000-x");
        assert_same("—", "—");
        assert_order("—", "😀");
    }
}
