//! Dart pub ordering, as `package:pub_semver`'s `Version.compareTo` defines it.
//!
//! The grammar and the first steps are SemVer's: major, minor and patch compare numerically, and
//! a prerelease sorts before the same version without one. Unlike SemVer, build metadata orders:
//! a version with build metadata sorts after the same version without any, and two builds
//! compare identifier by identifier like prereleases do (numbers by value and before strings,
//! strings by code unit, a prefix before the longer list). Every identifier made only of ASCII
//! digits is a number, leading zeros included (`01` equals `1`), as pub reads them with
//! `int.tryParse`; numbers have no size limit.
//!
//! As in the SemVer module, surrounding whitespace, a leading `=`, `v` or `V`, and a core of one
//! or two numbers (padded with zeros) are accepted, since versions in advisories are sometimes
//! written that way.
//!
//! A string that is still not a version (empty, more than three core numbers, an empty
//! identifier, a character outside `[0-9A-Za-z-]` in an identifier) orders before every valid
//! version; invalid strings order among themselves by their bytes.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::semver::{parse_parts, write_parts, Identifier, Number, NumberStyle, ParseVersionError};

/// Orders two versions the way pub does; see the module documentation for invalid input.
pub fn compare(a: &str, b: &str) -> Ordering {
    super::valid_first(a, b, str::parse::<Version>, super::by_text)
}

/// A parsed pub version. Equality and ordering take build metadata into account.
#[derive(Debug, Clone)]
pub struct Version {
    core: [Number; 3],
    pre: Vec<Identifier>,
    build: Vec<Identifier>,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, ParseVersionError> {
        let parts = parse_parts(s, NumberStyle::LeadingZerosAllowed)?;
        Ok(Version {
            core: parts.core,
            pre: parts.pre,
            build: parts.build,
        })
    }

    pub fn major(&self) -> &Number {
        &self.core[0]
    }

    pub fn minor(&self) -> &Number {
        &self.core[1]
    }

    pub fn patch(&self) -> &Number {
        &self.core[2]
    }

    pub fn prerelease(&self) -> &[Identifier] {
        &self.pre
    }

    pub fn build(&self) -> &[Identifier] {
        &self.build
    }

    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
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
        self.core
            .cmp(&other.core)
            .then_with(|| compare_labels(&self.pre, &other.pre, Absent::SortsLast))
            .then_with(|| compare_labels(&self.build, &other.build, Absent::SortsFirst))
    }
}

// Equality is the ordering's: versions that compare equal are the same version.
super::ordered_by_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_parts(f, &self.core, &self.pre, &self.build)
    }
}

/// Where a version without a prerelease (or without build metadata) sorts relative to one that
/// has it: a release follows its prereleases, a build follows its plain version.
#[derive(Clone, Copy)]
enum Absent {
    SortsFirst,
    SortsLast,
}

fn compare_labels(a: &[Identifier], b: &[Identifier], absent: Absent) -> Ordering {
    let without_first = match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => return a.iter().cmp(b.iter()),
    };
    match absent {
        Absent::SortsFirst => without_first,
        Absent::SortsLast => without_first.reverse(),
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

    #[test]
    fn prerelease_release_build_chain() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0-rc.1+build",
            "1.0.0",
            "1.0.0+0",
            "1.0.0+7",
            "1.0.0+12",
            "1.0.0+build",
            "1.0.0+build.1",
            "1.0.0+nightly",
            "1.0.1-dev",
            "1.0.1",
            "1.1.0",
            "2.0.0",
        ];
        for (i, a) in chain.iter().enumerate() {
            for b in &chain[i + 1..] {
                assert_order(a, b);
            }
            assert_same(a, a);
        }
    }

    #[test]
    fn builds_are_compared_not_ignored() {
        assert_order("1.2.3+a", "1.2.3+b");
        assert_order("1.2.3+b", "1.2.3+b.0");
        assert_order("1.2.3+99", "1.2.3+0a");
        assert_same("1.2.3+build.5", "1.2.3+build.5");
    }

    #[test]
    fn leading_zeros_read_as_numbers() {
        assert_same("01.2.3", "1.2.3");
        assert_same("1.2.3-beta.007", "1.2.3-beta.7");
        assert_same("1.2.3+010", "1.2.3+10");
        assert_order("1.2.3-beta.09", "1.2.3-beta.10");
    }

    #[test]
    fn lenient_prefixes_and_padding() {
        assert_same("v1.2.3", "1.2.3");
        assert_same("1.2", "1.2.0");
        assert_same("1", "v1.0.0");
        assert_eq!("v1.2+b".parse::<Version>().unwrap().to_string(), "1.2.0+b");
        let huge = "9".repeat(500);
        assert_order(&format!("{huge}.0.0"), &format!("1{huge}"));
    }

    #[test]
    fn invalid_versions_order_first_then_by_text() {
        for bad in [
            "",
            "1.2.3.4",
            "1.2.3-",
            "1.2.3+",
            "1.2.3+a..b",
            "1.2.3-β",
            "x.y.z",
            "1.2.3 4",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be rejected");
            assert_order(bad, "0.0.0-0");
            assert_same(bad, bad);
        }
        assert_order("1.2.3.4", "1.2.3.5");
    }
}
