//! RubyGems ordering, as `Gem::Version#<=>` defines it.
//!
//! A version is digits followed by `.`-separated runs of letters and digits, optionally followed
//! by `-` and a label (`1.2.3`, `1.0.0.rc1`, `2.0-beta.1`); surrounding whitespace is dropped and
//! an empty string means `0`. Each `-` counts as `.pre.`, so `1.0-rc1` is `1.0.pre.rc1`.
//!
//! The text is split into segments at dots and at every change between letters and digits
//! (`1.0.rc1` is `1`, `0`, `rc`, `1`). A version with any letter is a prerelease. Trailing zero
//! segments do not count, separately for the numbers before the first letter segment and for the
//! rest (`1.0.a.0` is `1`, `a`). Segments then compare pairwise, the shorter list padded with
//! zeros: numbers by value (no size limit), letter runs byte by byte, and a letter run below any
//! number, so `1.0.a` < `1.0` < `1.0.1`.
//!
//! A string `Gem::Version` rejects orders before every valid version. Among themselves such
//! strings are split and compared the same way (with any other character acting as a separator),
//! then by their bytes, so distinct invalid strings never compare equal.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::semver::Number;

/// Orders two versions the way RubyGems does; see the module documentation for invalid input.
pub fn compare(a: &str, b: &str) -> Ordering {
    super::valid_first(a, b, str::parse::<Version>, order_invalid)
}

/// How two strings that are not gem versions order: by their lenient segments, then text.
pub(crate) fn order_invalid(a: &str, b: &str) -> Ordering {
    let lenient = |s: &str| canonical_segments(&normalize(s));
    compare_segments(&lenient(a), &lenient(b)).then_with(|| a.cmp(b))
}

/// A valid gem version.
#[derive(Debug, Clone)]
pub struct Version {
    /// The text as RubyGems keeps it: trimmed, with each `-` spelled `.pre.`.
    text: String,
    /// The segments that take part in comparison, trailing zeros removed.
    canonical: Vec<Segment>,
}

/// A run of digits or of ASCII letters. Letter runs sort before numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    Letters(Box<str>),
    Number(Number),
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Segment::Number(n) if n.is_zero())
    }
}

/// Why a string is not a gem version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseVersionError {
    reason: &'static str,
}

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed gem version: {}", self.reason)
    }
}

impl std::error::Error for ParseVersionError {}

impl Version {
    pub fn parse(input: &str) -> Result<Version, ParseVersionError> {
        check_grammar(input.trim_matches(is_ruby_space))
            .map_err(|reason| ParseVersionError { reason })?;
        let text = normalize(input);
        let canonical = canonical_segments(&text);
        Ok(Version { text, canonical })
    }

    /// The version text as RubyGems stores it (`-` written `.pre.`, `0` for an empty string).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The segments that take part in comparison, trailing zeros removed.
    pub fn canonical_segments(&self) -> &[Segment] {
        &self.canonical
    }

    pub fn is_prerelease(&self) -> bool {
        self.text.bytes().any(|b| b.is_ascii_alphabetic())
    }
}

impl FromStr for Version {
    type Err = ParseVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_segments(&self.canonical, &other.canonical)
    }
}

// Equality is the ordering's: versions that compare equal are the same version.
super::ordered_by_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What Ruby's `\s` and `String#strip` agree on.
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r')
}

/// Checks `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`, or nothing at all.
fn check_grammar(s: &str) -> Result<(), &'static str> {
    if s.is_empty() {
        return Ok(());
    }
    let (release, label) = match s.split_once('-') {
        Some((release, label)) => (release, Some(label)),
        None => (s, None),
    };
    let mut parts = release.split('.');
    let first = parts.next().unwrap_or_default();
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err("does not start with a number");
    }
    if !parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return Err("empty segment or character outside [0-9A-Za-z.-]");
    }
    // Every `-` after the first belongs to the label, whose dot-separated parts may contain `-`.
    if let Some(label) = label {
        let valid = label
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        if !valid {
            return Err("empty label part or character outside [0-9A-Za-z.-]");
        }
    }
    Ok(())
}

/// The text RubyGems keeps: trimmed, `0` when empty, each `-` spelled `.pre.`.
fn normalize(input: &str) -> String {
    let trimmed = input.trim_matches(is_ruby_space);
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.replace('-', ".pre.")
    }
}

/// Digit runs and ASCII letter runs, in order; anything else only separates them.
fn segments(text: &str) -> Vec<Segment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let class = |b: u8| {
            if b.is_ascii_digit() {
                Some(true)
            } else if b.is_ascii_alphabetic() {
                Some(false)
            } else {
                None
            }
        };
        let Some(digit) = class(bytes[i]) else {
            i += 1;
            continue;
        };
        let start = i;
        while i < bytes.len() && class(bytes[i]) == Some(digit) {
            i += 1;
        }
        // Both runs are ASCII, so `start..i` lies on character boundaries.
        let run = &text[start..i];
        out.push(if digit {
            Segment::Number(Number::from_digits(run))
        } else {
            Segment::Letters(run.into())
        });
    }
    out
}

/// Drops trailing zeros from the numbers before the first letter run and from the rest.
fn canonical_segments(text: &str) -> Vec<Segment> {
    let mut all = segments(text);
    let split = all
        .iter()
        .position(|s| matches!(s, Segment::Letters(_)))
        .unwrap_or(all.len());
    let mut label = all.split_off(split);
    while label.last().is_some_and(Segment::is_zero) {
        label.pop();
    }
    while all.last().is_some_and(Segment::is_zero) {
        all.pop();
    }
    all.append(&mut label);
    all
}

/// Pairwise, the shorter list padded with zeros.
fn compare_segments(a: &[Segment], b: &[Segment]) -> Ordering {
    let zero = Segment::Number(Number::from_digits("0"));
    (0..a.len().max(b.len()))
        .map(|i| a.get(i).unwrap_or(&zero).cmp(b.get(i).unwrap_or(&zero)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
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

    #[test]
    fn release_and_prerelease_chain() {
        let chain = [
            "0.9",
            "1.0.a",
            "1.0.a.1",
            "1.0.a2",
            "1.0.a10",
            "1.0.b1",
            "1.0.pre",
            "1.0.rc1",
            "1.0",
            "1.0.0.1",
            "1.0.1",
            "1.1.0.RC1",
            "1.1.0.rc1",
            "1.1",
            "1.10",
            "2",
        ];
        for (i, a) in chain.iter().enumerate() {
            for b in &chain[i + 1..] {
                assert_order(a, b);
            }
            assert_same(a, a);
        }
    }

    #[test]
    fn trailing_zeros_do_not_count() {
        assert_same("1", "1.0.0");
        assert_same("1.0.rc1", "1.0.0.rc1");
        assert_same("1.0.rc1.0", "1.0.rc1");
        assert_same("1.a", "1.0.0.a.0.0");
        assert_same("", "0");
        assert_same("  ", "0.0");
        assert_same(" 1.2 ", "1.2");
        assert_order("1.0.a.0.1", "1.0.a.1");
    }

    #[test]
    fn letters_and_digits_split_without_dots() {
        assert_same("1.0.rc1", "1.0.rc.1");
        assert_same("1.0.beta2", "1.0.beta.2");
        assert_order("1.0.rc1a", "1.0.rc1");
        assert_order("1.0.rc.1a", "1.0.rc.1.0.1");
    }

    #[test]
    fn dash_reads_as_pre() {
        assert_same("1.0-rc1", "1.0.pre.rc1");
        assert_same("1.0-1", "1.0.pre.1");
        assert_order("1.0-1", "1.0");
        assert_eq!(
            Version::parse("2.0-beta-2").unwrap().to_string(),
            "2.0.pre.beta.pre.2"
        );
        assert!(Version::parse("1.0-rc1").unwrap().is_prerelease());
        assert!(!Version::parse("1.0.1").unwrap().is_prerelease());
    }

    #[test]
    fn numbers_of_any_size() {
        let big = "9".repeat(300);
        assert_order(&format!("1.{big}"), &format!("1.1{big}"));
        assert_order(&format!("{big}.a"), &big);
        assert_same("1.007", "1.7");
    }

    #[test]
    fn invalid_versions_order_first_then_leniently() {
        for bad in [
            "a", "1beta", "1..2", "1.", ".1", "1.0-", "1.0-a..b", "1_0", "1.0 2", "v1.0", "1.0+b",
            "1.ü", "\u{0}1",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be rejected");
            assert_order(bad, "0.a");
            assert_same(bad, bad);
        }
        assert_order("1beta", "2beta");
        assert_order("2beta", "10beta");
        assert_order("v1.0", "v1.0.1");
        assert_order("1_0", "1__0");
        assert_order("v1.0", "1_0");
    }
}
