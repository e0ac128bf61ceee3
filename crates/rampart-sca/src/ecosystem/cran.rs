//! CRAN version ordering, as R's `package_version` orders versions.
//!
//! A version is a sequence of non-negative integers separated by `.` or `-` (`1.2-3` is
//! `1, 2, 3`). Versions compare component by component, numerically, and a version that is a
//! prefix of another sorts first, so `1.0 < 1.0.0 < 1.0-1` and `0.9 < 0.75`. Leading zeros are
//! insignificant (`0.01 = 0.1`), and components of any length compare by value without overflow
//! (R itself would reject one beyond its 32-bit integers).
//!
//! A string R rejects (empty, a letter, an empty component as in `1..2` or `1.`, surrounding
//! spaces, …) orders before every valid version, and invalid strings order among themselves by
//! their text.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Why a string is not an R package version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    input: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an R package version", self.input)
    }
}

impl std::error::Error for ParseError {}

/// A valid R package version.
#[derive(Debug, Clone)]
pub struct Version {
    original: String,
    /// Each component's digits without leading zeros; empty for zero.
    components: Vec<String>,
}

impl Version {
    /// Parses an R package version, rejecting what R rejects.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let components = s
            .split(['.', '-'])
            .map(|c| {
                (!c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| c.trim_start_matches('0').to_owned())
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ParseError {
                input: s.to_owned(),
            })?;
        Ok(Version {
            original: s.to_owned(),
            components,
        })
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.original
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.components
            .iter()
            .zip(&other.components)
            .map(|(a, b)| a.len().cmp(&b.len()).then_with(|| a.cmp(b)))
            .find(|ord| ord.is_ne())
            .unwrap_or_else(|| self.components.len().cmp(&other.components.len()))
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

/// Orders two CRAN versions; see the module documentation for invalid ones.
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
    fn components_compare_numerically() {
        check("2.10", Ordering::Greater, "2.9");
        check("0.75", Ordering::Greater, "0.9");
        check("3.1-12", Ordering::Greater, "3.1-2");
        check("1.0-5", Ordering::Equal, "1.0.5");
        check("02.003", Ordering::Equal, "2.3");
    }

    #[test]
    fn a_prefix_sorts_first() {
        check("1.2", Ordering::Less, "1.2.0");
        check("1.2.0", Ordering::Less, "1.2-0-0");
        check("4", Ordering::Less, "4.0");
        check("1.2.0", Ordering::Less, "1.3");
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        check(
            "1.99999999999999999999999",
            Ordering::Greater,
            "1.99999999999999999999998",
        );
        check("1.000000000000000000000000000001", Ordering::Equal, "1.1");
    }

    #[test]
    fn invalid_versions_sort_first_by_text() {
        for bad in [
            "", "a", "1.", ".1", "1..2", "1.0a", "1.0 ", " 1.0", "v1.0", "1_0", "1.٣", "-",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
            check(bad, Ordering::Less, "0");
            check(bad, Ordering::Equal, bad);
        }
        check("1.0a", Ordering::Less, "1.0b");
    }

    #[test]
    fn parses_through_from_str() {
        let v: Version = "1.0-3".parse().unwrap();
        assert_eq!(v.to_string(), "1.0-3");
        assert!(v < "1.1".parse().unwrap());
        assert!("1.0-".parse::<Version>().is_err());
    }
}
