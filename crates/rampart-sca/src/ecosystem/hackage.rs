//! Hackage version ordering, as Cabal orders package versions under the Haskell Package
//! Versioning Policy.
//!
//! A version is a non-empty, dot-separated list of non-negative integers, and versions compare
//! as lists: component by component, numerically, with a version that is a prefix of another
//! sorting first (`1.0 < 1.0.0 < 1.0.1`).
//!
//! Cabal accepts a component only without leading zeros (`0` itself aside) and with at most nine
//! digits. A string Cabal rejects (empty, `1.01`, `1.0-tag`, `1.`, a ten-digit component, …)
//! orders before every valid version, and invalid strings order among themselves by their text.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Cabal's limit on the digits of one version component.
const MAX_DIGITS: usize = 9;

/// Why a string is not a Hackage version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    input: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a Hackage version", self.input)
    }
}

impl std::error::Error for ParseError {}

/// A valid Hackage version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    components: Vec<u32>,
}

fn component(s: &str) -> Option<u32> {
    let well_formed = !s.is_empty()
        && s.len() <= MAX_DIGITS
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'));
    // Nine digits always fit a u32.
    well_formed.then(|| s.parse().ok()).flatten()
}

impl Version {
    /// Parses a Hackage version, rejecting what Cabal rejects.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        s.split('.')
            .map(component)
            .collect::<Option<Vec<_>>>()
            .map(|components| Version { components })
            .ok_or_else(|| ParseError {
                input: s.to_owned(),
            })
    }

    /// The version's components.
    pub fn components(&self) -> &[u32] {
        &self.components
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.components.cmp(&other.components)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Version {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for c in &self.components {
            if !first {
                f.write_str(".")?;
            }
            write!(f, "{c}")?;
            first = false;
        }
        Ok(())
    }
}

/// Orders two Hackage versions; see the module documentation for invalid ones.
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

    #[test]
    fn lists_compare_lexicographically() {
        check("2.10", Ordering::Greater, "2.9");
        check("1.0", Ordering::Less, "1.0.0");
        check("1.0.0", Ordering::Less, "1.0.0.0");
        check("1.0.0.5", Ordering::Less, "1.0.1");
        check("0", Ordering::Less, "0.0");
        check("4.2.1", Ordering::Equal, "4.2.1");
        check("999999999", Ordering::Greater, "99999999.9");
    }

    #[test]
    fn invalid_versions_sort_first_by_text() {
        for bad in [
            "",
            "a",
            "1.",
            ".1",
            "1..2",
            "1.01",
            "00",
            "1.0-tag",
            "1.0 ",
            "v1",
            "1234567890",
            "99999999999999999999999",
            "-1",
            "1.٣",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
            check(bad, Ordering::Less, "0");
            check(bad, Ordering::Equal, bad);
        }
        check("1.01", Ordering::Less, "1.02");
    }

    #[test]
    fn parses_through_from_str() {
        let v: Version = "0.10.2".parse().unwrap();
        assert_eq!(v.components(), &[0, 10, 2]);
        assert_eq!(v.to_string(), "0.10.2");
        assert!(v > "0.9.9".parse().unwrap());
    }
}
