//! RPM package version ordering (Red Hat, AlmaLinux, Rocky Linux, openSUSE), as rpm's
//! `rpmvercmp` applied to `[epoch:]version[-release]`.
//!
//! The epoch is a run of digits (possibly empty) directly followed by a colon at the start of the
//! string; it defaults to 0 and compares as a number. A colon anywhere else is ordinary text, so
//! `1.m+e2:1` has no epoch. The release is everything after the last hyphen. Epochs compare
//! first, then versions, then releases; a version without a release sorts before the same
//! version with any release, even an empty one (`1` < `1-` < `1-0`).
//!
//! Versions and releases compare with `rpmvercmp`: each is split into segments — a run of ASCII
//! digits, a run of ASCII letters, a `~` or a `^` — and every other byte only separates segments
//! (so `1.0`, `1_0` and `1.α.0` are equal). Segments compare left to right: two numbers by value
//! (with no size limit), two letter runs by their bytes, and a number is newer than a letter run.
//! `~` sorts before anything, even the end of the string (`1.0~rc1` < `1.0`); `^` sorts after the
//! end of the string but before any other segment (`1.0` < `1.0^git1` < `1.0.1`).
//!
//! rpm rejects no version, and neither does this module: every string parses and orders by the
//! rules above, an empty string being an empty version.

use std::cmp::Ordering;
use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// Orders two RPM versions (`[epoch:]version[-release]`).
pub fn compare(a: &str, b: &str) -> Ordering {
    Version::parse(a).cmp(&Version::parse(b))
}

/// A parsed RPM version. Equality follows the ordering, so `0:1.0` equals `1.0`.
#[derive(Debug, Clone)]
pub struct Version {
    text: Box<str>,
    /// Decimal digits without leading zeros; empty means 0.
    epoch: Box<str>,
    version: Box<str>,
    release: Option<Box<str>>,
}

impl Version {
    /// Splits a string into epoch, version and release. Every string is accepted.
    pub fn parse(s: &str) -> Version {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match s[digits..].strip_prefix(':') {
            Some(rest) => (s[..digits].trim_start_matches('0'), rest),
            None => ("", s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((version, release)) => (version, Some(release.into())),
            None => (rest, None),
        };
        Version {
            text: s.into(),
            epoch: epoch.into(),
            version: version.into(),
            release,
        }
    }

    /// The epoch's digits without leading zeros (`"0"` when there is none).
    pub fn epoch(&self) -> &str {
        if self.epoch.is_empty() {
            "0"
        } else {
            &self.epoch
        }
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn release(&self) -> Option<&str> {
        self.release.as_deref()
    }
}

impl FromStr for Version {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Version::parse(s))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        super::compare_digits(self.epoch.as_bytes(), other.epoch.as_bytes())
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }
}

// Equality is the ordering's: versions that compare equal are the same version.
super::ordered_by_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One segment of a version or release, in the order rpmvercmp ranks segments of different
/// kinds; the end of the string sits between `~` and `^`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'a> {
    Tilde,
    End,
    Caret,
    Alpha(&'a [u8]),
    Numeric(&'a [u8]),
}

impl Segment<'_> {
    fn rank(&self) -> u8 {
        match self {
            Segment::Tilde => 0,
            Segment::End => 1,
            Segment::Caret => 2,
            Segment::Alpha(_) => 3,
            Segment::Numeric(_) => 4,
        }
    }
}

impl Ord for Segment<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Segment::Alpha(a), Segment::Alpha(b)) => a.cmp(b),
            (Segment::Numeric(a), Segment::Numeric(b)) => super::compare_digits(a, b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Segment<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Reads segments off the front of a version or release, skipping separators.
struct Segments<'a> {
    rest: &'a [u8],
}

impl<'a> Segments<'a> {
    fn new(s: &'a str) -> Self {
        Segments { rest: s.as_bytes() }
    }

    /// The next segment, or [`Segment::End`] once the string is used up.
    fn next_segment(&mut self) -> Segment<'a> {
        let start = self
            .rest
            .iter()
            .position(|&c| c.is_ascii_alphanumeric() || c == b'~' || c == b'^')
            .unwrap_or(self.rest.len());
        let rest = &self.rest[start..];
        let Some(&first) = rest.first() else {
            self.rest = rest;
            return Segment::End;
        };
        let len = match first {
            b'~' | b'^' => 1,
            c if c.is_ascii_digit() => rest.iter().take_while(|c| c.is_ascii_digit()).count(),
            _ => rest.iter().take_while(|c| c.is_ascii_alphabetic()).count(),
        };
        let (segment, rest) = rest.split_at(len);
        self.rest = rest;
        match first {
            b'~' => Segment::Tilde,
            b'^' => Segment::Caret,
            c if c.is_ascii_digit() => Segment::Numeric(segment),
            _ => Segment::Alpha(segment),
        }
    }
}

/// rpm's comparison of two version or release strings, segment by segment.
fn rpmvercmp(a: &str, b: &str) -> Ordering {
    let mut a = Segments::new(a);
    let mut b = Segments::new(b);
    loop {
        let (x, y) = (a.next_segment(), b.next_segment());
        let ord = x.cmp(&y);
        if ord != Ordering::Equal || x == Segment::End {
            return ord;
        }
    }
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

    fn assert_chain(chain: &[&str]) {
        for (i, a) in chain.iter().enumerate() {
            for b in &chain[i + 1..] {
                assert_order(a, b);
            }
        }
    }

    #[test]
    fn numbers_compare_by_value_and_beat_letters() {
        assert_chain(&["1.2", "1.9", "1.10", "1.100"]);
        assert_same("1.010", "1.10");
        assert_order("1.0a", "1.0.1");
        assert_order("2.0b", "2.0.0");
        assert_order("1.a", "1.1");
        assert_order("123456789012345678901234567", "123456789012345678901234568");
    }

    #[test]
    fn letters_compare_by_bytes() {
        assert_chain(&["1.0A", "1.0B", "1.0a", "1.0aa", "1.0b"]);
        assert_order("1.el7", "1.el8");
    }

    #[test]
    fn separators_only_separate() {
        assert_same("1.0", "1_0");
        assert_same("1.0", "1..0");
        assert_same("1.0", "1+0");
        assert_same("1a", "1.a");
        assert_same("1.1.α", "1.1.β");
        assert_same("2.0.", "2.0");
        assert_order("1.1.α", "1.1.a");
    }

    #[test]
    fn tilde_sorts_before_everything() {
        assert_chain(&[
            "1.0~~", "1.0~~a", "1.0~", "1.0~rc1", "1.0~rc2", "1.0", "1.0a",
        ]);
    }

    #[test]
    fn caret_sorts_after_the_end_only() {
        assert_chain(&[
            "1.0~rc1",
            "1.0",
            "1.0^",
            "1.0^git2",
            "1.0^20200101",
            "1.0.1",
        ]);
        assert_order("1.0^git1~pre", "1.0^git1");
        assert_order("1.0^1", "1.0a");
    }

    #[test]
    fn epoch_first_then_version_then_release() {
        assert_order("9.9-9", "1:0.1-1");
        assert_same("0:1.0-1", "1.0-1");
        assert_same("007:1.0", "7:1.0");
        assert_order("1.0-9", "1.1-1");
        assert_order("1.0-1.el7", "1.0-1.el7_1");
        assert_order("0:3.10.0-229.el7", "0:3.10.0-229.1.2.el7");
        assert_order("99999999999999999999:1", "100000000000000000000:0");
    }

    #[test]
    fn a_colon_after_other_text_is_not_an_epoch() {
        let v = Version::parse("a1:2-3");
        assert_eq!(
            (v.epoch(), v.version(), v.release()),
            ("0", "a1:2", Some("3"))
        );
        let v = Version::parse(":2");
        assert_eq!((v.epoch(), v.version()), ("0", "2"));
        assert_order("x:1", "y:1");
    }

    #[test]
    fn release_follows_the_last_hyphen_and_absence_sorts_first() {
        let v = Version::parse("1:2-3-4");
        assert_eq!(
            (v.epoch(), v.version(), v.release()),
            ("1", "2-3", Some("4"))
        );
        assert_chain(&["1", "1-", "1-0", "1-1", "1-1.1"]);
        assert_same("1-1.", "1-1");
    }

    #[test]
    fn anything_parses_without_panicking() {
        for s in ["", "-", ":", "~", "^", "--", "::", "é", "\0", "1:", "1:-"] {
            assert_same(s, s);
            let _ = compare(s, "1.0");
        }
        assert_order("", "0");
        assert_order("~", "");
    }

    #[test]
    fn parsed_versions_order_like_compare() {
        let mut versions: Vec<Version> = ["1:0.1", "1.0-1", "1.0~rc1-1", "1.0^git1-1", "1.0.1-1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        versions.sort();
        let sorted: Vec<String> = versions.iter().map(ToString::to_string).collect();
        assert_eq!(
            sorted,
            ["1.0~rc1-1", "1.0-1", "1.0^git1-1", "1.0.1-1", "1:0.1"]
        );
    }
}
