//! NuGet version ordering, as `NuGet.Versioning` orders `NuGetVersion`s: SemVer 2.0 extended with
//! a fourth, revision, number.
//!
//! A version is `major[.minor[.patch[.revision]]][-release][+metadata]`. Missing numbers are zero,
//! so `1.0 = 1.0.0.0`, and leading zeros are allowed (`1.01 = 1.1`). The numbers compare first; then
//! a version without a release label sorts after any with one. Release labels compare identifier by
//! identifier (split at `.`): identifiers that are integers compare numerically and sort before the
//! others, which compare ordinally ignoring ASCII case; a label that runs out first sorts first.
//! Build metadata never affects the order.
//!
//! As in NuGet, a release identifier counts as an integer only if it fits a 32-bit signed integer
//! (an optional `-` and digits); a longer digit run compares as text. Version numbers themselves
//! may have any number of digits here and compare by value, without overflow.
//!
//! A string NuGet would reject (no numbers, more than four, an empty or non-`[0-9A-Za-z-]`
//! identifier, …) orders before every valid version, and invalid strings order among themselves
//! by their text.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A release-label identifier.
#[derive(Debug, Clone)]
enum Identifier {
    Numeric(i32),
    Text(String),
}

impl Identifier {
    fn parse(s: &str) -> Self {
        let digits = s.strip_prefix('-').unwrap_or(s);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = s.parse::<i32>() {
                return Identifier::Numeric(n);
            }
        }
        Identifier::Text(s.to_owned())
    }
}

impl Ord for Identifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => a.cmp(b),
            (Identifier::Numeric(_), Identifier::Text(_)) => Ordering::Less,
            (Identifier::Text(_), Identifier::Numeric(_)) => Ordering::Greater,
            (Identifier::Text(a), Identifier::Text(b)) => a
                .bytes()
                .map(|c| c.to_ascii_uppercase())
                .cmp(b.bytes().map(|c| c.to_ascii_uppercase())),
        }
    }
}

impl PartialOrd for Identifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Identifier {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Identifier {}

/// Why a string is not a NuGet version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    input: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a NuGet version", self.input)
    }
}

impl std::error::Error for ParseError {}

/// A valid NuGet version. Equality and order ignore build metadata.
#[derive(Debug, Clone)]
pub struct Version {
    original: String,
    /// Major, minor, patch and revision, as digit strings without leading zeros.
    numbers: [String; 4],
    release: Vec<Identifier>,
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Version {
    /// Parses a NuGet version, rejecting what NuGet rejects.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let err = || ParseError {
            input: s.to_owned(),
        };
        let (rest, metadata) = match s.split_once('+') {
            Some((rest, metadata)) => (rest, Some(metadata)),
            None => (s, None),
        };
        if let Some(metadata) = metadata {
            if !metadata.split('.').all(is_identifier) {
                return Err(err());
            }
        }
        let (core, label) = match rest.split_once('-') {
            Some((core, label)) => (core, Some(label)),
            None => (rest, None),
        };
        let release = match label {
            Some(label) if label.split('.').all(is_identifier) => {
                label.split('.').map(Identifier::parse).collect()
            }
            Some(_) => return Err(err()),
            None => Vec::new(),
        };

        let mut numbers: [String; 4] = Default::default();
        for (i, part) in core.split('.').enumerate() {
            let digits = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
            match numbers.get_mut(i) {
                Some(slot) if digits => *slot = part.trim_start_matches('0').to_owned(),
                _ => return Err(err()),
            }
        }
        Ok(Version {
            original: s.to_owned(),
            numbers,
            release,
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Whether the version has a release label, making it a pre-release.
    pub fn is_prerelease(&self) -> bool {
        !self.release.is_empty()
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers
            .iter()
            .zip(&other.numbers)
            .map(|(a, b)| super::compare_digits(a.as_bytes(), b.as_bytes()))
            .find(|ord| ord.is_ne())
            .unwrap_or(Ordering::Equal)
            .then_with(
                || match (self.release.is_empty(), other.release.is_empty()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => self.release.cmp(&other.release),
                },
            )
    }
}

// Equality is the ordering's: versions that compare equal are the same version.
super::ordered_by_cmp!(Version);

impl FromStr for Version {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// Orders two NuGet versions; see the module documentation for invalid ones.
pub fn compare(a: &str, b: &str) -> Ordering {
    super::valid_first(a, b, Version::parse, super::by_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, want: Ordering, b: &str) {
        assert_eq!(compare(a, b), want, "{a} vs {b}");
        assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
    }

    fn ascending(versions: &[&str]) {
        for (i, a) in versions.iter().enumerate() {
            for b in &versions[i + 1..] {
                check(a, Ordering::Less, b);
            }
        }
    }

    #[test]
    fn four_part_numbers() {
        ascending(&["0.9", "1", "1.0.0.1", "1.0.1", "1.2", "1.10", "10"]);
        check("3", Ordering::Equal, "3.0.0.0");
        check("3.2", Ordering::Equal, "3.2.0");
        check("3.02.001", Ordering::Equal, "3.2.1.0");
        check("3.0.0.1", Ordering::Greater, "3.0.0");
    }

    #[test]
    fn release_labels() {
        ascending(&[
            "2.0.0-alpha",
            "2.0.0-alpha.1",
            "2.0.0-alpha.2",
            "2.0.0-alpha.10",
            "2.0.0-alpha.beta",
            "2.0.0-beta",
            "2.0.0-beta.2",
            "2.0.0-rc.1",
            "2.0.0",
            "2.0.0.1-alpha",
            "2.0.0.1",
        ]);
        check("2.0.0-RC.1", Ordering::Equal, "2.0.0-rc.1");
        check("2.0.0-Beta", Ordering::Equal, "2.0.0-bETA");
        // An integer identifier sorts before a textual one.
        check("2.0.0-1", Ordering::Less, "2.0.0-a");
        check("2.0.0-x.7", Ordering::Less, "2.0.0-x.a7");
    }

    #[test]
    fn metadata_is_ignored() {
        check("4.1.0+abc", Ordering::Equal, "4.1.0");
        check("4.1.0-rc+abc", Ordering::Equal, "4.1.0-RC+def.1");
        check("4.1.0+zzz", Ordering::Less, "4.1.1+aaa");
    }

    #[test]
    fn integer_identifiers_are_32_bit() {
        // 2147483648 overflows an int, so it compares as text: after every integer.
        check("1.0.0-2147483647", Ordering::Greater, "1.0.0-5");
        check("1.0.0-2147483648", Ordering::Greater, "1.0.0-2147483647");
        check("1.0.0-99999999999", Ordering::Greater, "1.0.0-100000000000");
        check("1.0.0--1", Ordering::Less, "1.0.0-0");
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        check(
            "123456789012345678901234567890",
            Ordering::Greater,
            "99999999999999999999",
        );
        check("1.0000000000000000000000000002", Ordering::Equal, "1.2");
    }

    #[test]
    fn invalid_versions_sort_first_by_text() {
        for bad in [
            "",
            "a",
            "1.",
            ".1",
            "1..2",
            "1.0.0.0.0",
            "v1.0",
            "1.0-",
            "1.0-a..b",
            "1.0+",
            "1 .0",
            "1.0-ü",
            "１.0",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad}");
            check(bad, Ordering::Less, "0");
            check(bad, Ordering::Equal, bad);
        }
        check("abc", Ordering::Less, "abd");
        check("1.0-a_b", Ordering::Less, "0.0.0-a");
    }

    #[test]
    fn parses_through_from_str() {
        let v: Version = "1.2.3.4-beta+sha".parse().unwrap();
        assert!(v.is_prerelease());
        assert_eq!(v.to_string(), "1.2.3.4-beta+sha");
        assert!(v < Version::parse("1.2.3.4").unwrap());
        assert!("1.2.3.4.5".parse::<Version>().is_err());
    }
}
