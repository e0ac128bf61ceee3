//! SemVer 2.0.0 precedence, the ordering crates.io, npm, Go modules and Hex use.
//!
//! Precedence follows <https://semver.org/#spec-item-11>: major, minor and patch compare
//! numerically; a version with a prerelease sorts before the same version without one;
//! prerelease identifiers compare left to right, numeric ones by value and below alphanumeric
//! ones, alphanumeric ones in ASCII order, and when one list is a prefix of the other the shorter
//! sorts first. Build metadata is parsed and kept but takes no part in ordering or equality, so
//! `1.0.0+a` equals `1.0.0+b`.
//!
//! Accepted beyond the strict grammar, because these ecosystems write versions that way:
//! surrounding whitespace, a leading `=` (npm) and a leading `v` or `V` (Go), and a core of one
//! or two numbers (`v1`, `1.2`), padded with zeros as Go does. Go pseudo-versions such as
//! `v0.0.0-20200101120000-abcdef123456` need nothing special: the timestamp and commit form an
//! ordinary prerelease, and that is how `go` orders them. Numbers have no size limit.
//!
//! A string that is not a version under these rules (empty, more than three core numbers, a
//! number with a leading zero, an empty identifier, any character outside `[0-9A-Za-z-]` in an
//! identifier) orders before every valid version, as in Go's `semver.Compare`; invalid strings
//! order among themselves by their bytes.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Orders two versions by SemVer precedence; see the module documentation for invalid input.
pub fn compare(a: &str, b: &str) -> Ordering {
    super::valid_first(a, b, str::parse::<Version>, super::by_text)
}

/// A parsed semantic version. Equality and ordering ignore build metadata.
#[derive(Debug, Clone)]
pub struct Version {
    core: [Number; 3],
    pre: Vec<Identifier>,
    build: Vec<Identifier>,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, ParseVersionError> {
        let parts = parse_parts(s, NumberStyle::Strict)?;
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
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

// Equality is the ordering's: versions that compare equal are the same version.
super::ordered_by_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_parts(f, &self.core, &self.pre, &self.build)
    }
}

/// A version without a prerelease outranks every prerelease of the same core.
fn compare_prerelease(a: &[Identifier], b: &[Identifier]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.iter().cmp(b.iter()),
    }
}

/// A non-negative integer of any size, kept as its decimal digits without leading zeros so that
/// comparing by length and then lexically is comparing by value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(Box<str>);

impl Number {
    /// `digits` must be ASCII digits; leading zeros are dropped.
    pub(crate) fn from_digits(digits: &str) -> Number {
        debug_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        let trimmed = digits.trim_start_matches('0');
        Number(if trimmed.is_empty() { "0" } else { trimmed }.into())
    }

    pub fn is_zero(&self) -> bool {
        &*self.0 == "0"
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        super::compare_digits(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One dot-separated identifier of a prerelease or build. Numeric identifiers sort before
/// alphanumeric ones.
#[derive(Debug, Clone)]
pub enum Identifier {
    /// Only ASCII digits; the text is kept as written, and compared by value.
    Numeric(Box<str>),
    Alphanumeric(Box<str>),
}

impl Identifier {
    pub fn as_str(&self) -> &str {
        match self {
            Identifier::Numeric(s) | Identifier::Alphanumeric(s) => s,
        }
    }
}

impl Ord for Identifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => {
                super::compare_digits(a.as_bytes(), b.as_bytes())
            }
            (Identifier::Numeric(_), Identifier::Alphanumeric(_)) => Ordering::Less,
            (Identifier::Alphanumeric(_), Identifier::Numeric(_)) => Ordering::Greater,
            (Identifier::Alphanumeric(a), Identifier::Alphanumeric(b)) => a.cmp(b),
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

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseVersionError {
    reason: &'static str,
}

impl ParseVersionError {
    pub(crate) fn new(reason: &'static str) -> ParseVersionError {
        ParseVersionError { reason }
    }
}

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid version: {}", self.reason)
    }
}

impl std::error::Error for ParseVersionError {}

/// Whether numbers may be written with leading zeros: SemVer forbids them in the core and in
/// numeric prerelease identifiers; Dart's pub reads them as plain integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberStyle {
    Strict,
    LeadingZerosAllowed,
}

/// The pieces of a semver-shaped version, shared with the Dart ordering, which reads the same
/// grammar but orders build metadata.
pub(crate) struct Parts {
    pub(crate) core: [Number; 3],
    pub(crate) pre: Vec<Identifier>,
    pub(crate) build: Vec<Identifier>,
}

pub(crate) fn parse_parts(input: &str, style: NumberStyle) -> Result<Parts, ParseVersionError> {
    let s = input.trim();
    let s = s.strip_prefix('=').unwrap_or(s);
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    // The core never contains `-` or `+`, and a prerelease never contains `+`, so the first of
    // each marks where the next part starts.
    let (s, build) = match s.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (s, None),
    };
    let (core_text, pre) = match s.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (s, None),
    };

    let mut core = [
        Number::from_digits("0"),
        Number::from_digits("0"),
        Number::from_digits("0"),
    ];
    for (i, part) in core_text.split('.').enumerate() {
        let slot = core.get_mut(i).ok_or(ParseVersionError::new(
            "more than three numbers before the prerelease",
        ))?;
        *slot = parse_number(part, style)?;
    }

    let pre = match pre {
        Some(text) => parse_identifiers(text, style)?,
        None => Vec::new(),
    };
    // Build identifiers are free-form, leading zeros included, in every style.
    let build = match build {
        Some(text) => parse_identifiers(text, NumberStyle::LeadingZerosAllowed)?,
        None => Vec::new(),
    };
    Ok(Parts { core, pre, build })
}

fn parse_number(text: &str, style: NumberStyle) -> Result<Number, ParseVersionError> {
    if text.is_empty() {
        return Err(ParseVersionError::new("empty version number"));
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseVersionError::new("version number is not all digits"));
    }
    if style == NumberStyle::Strict && text.len() > 1 && text.starts_with('0') {
        return Err(ParseVersionError::new("version number with a leading zero"));
    }
    Ok(Number::from_digits(text))
}

fn parse_identifiers(text: &str, style: NumberStyle) -> Result<Vec<Identifier>, ParseVersionError> {
    text.split('.')
        .map(|part| {
            if part.is_empty() {
                return Err(ParseVersionError::new("empty identifier"));
            }
            if !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(ParseVersionError::new(
                    "identifier with a character outside [0-9A-Za-z-]",
                ));
            }
            if part.bytes().all(|b| b.is_ascii_digit()) {
                if style == NumberStyle::Strict && part.len() > 1 && part.starts_with('0') {
                    return Err(ParseVersionError::new(
                        "numeric identifier with a leading zero",
                    ));
                }
                Ok(Identifier::Numeric(part.into()))
            } else {
                Ok(Identifier::Alphanumeric(part.into()))
            }
        })
        .collect()
}

pub(crate) fn write_parts(
    f: &mut fmt::Formatter<'_>,
    core: &[Number; 3],
    pre: &[Identifier],
    build: &[Identifier],
) -> fmt::Result {
    write!(f, "{}.{}.{}", core[0], core[1], core[2])?;
    for (i, id) in pre.iter().enumerate() {
        f.write_str(if i == 0 { "-" } else { "." })?;
        f.write_str(id.as_str())?;
    }
    for (i, id) in build.iter().enumerate() {
        f.write_str(if i == 0 { "+" } else { "." })?;
        f.write_str(id.as_str())?;
    }
    Ok(())
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
    fn spec_precedence_chain() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for (i, a) in chain.iter().enumerate() {
            for b in &chain[i + 1..] {
                assert_order(a, b);
            }
            assert_same(a, a);
        }
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_order("1.9.0", "1.10.0");
        assert_order("1.0.0-rc.9", "1.0.0-rc.10");
        assert_order("1.0.0-2", "1.0.0-10");
        assert_order("1.0.0-10", "1.0.0-1a");
        assert_order("18446744073709551615.0.0", "18446744073709551616.0.0");
        assert_order("9.0.0", "99999999999999999999999.0.0");
    }

    #[test]
    fn alphanumeric_identifiers_compare_in_ascii_order() {
        assert_order("1.0.0-Beta", "1.0.0-alpha");
        assert_order("1.0.0-a.b", "1.0.0-a-b");
        assert_order("1.0.0-x.y", "1.0.0-x.y.0");
    }

    #[test]
    fn build_metadata_is_ignored() {
        assert_same("1.0.0+20130313144700", "1.0.0");
        assert_same("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta+other");
        assert_same("1.0.0+001", "1.0.0+1");
        assert_order("1.0.0-rc.1+build.9", "1.0.0+build.1");
        let v: Version = "1.0.0+build.007".parse().unwrap();
        assert_eq!(v.build().len(), 2);
        assert_eq!(v.to_string(), "1.0.0+build.007");
    }

    #[test]
    fn prefixes_and_short_cores() {
        assert_same("v1.2.3", "1.2.3");
        assert_same("V1.2.3", "=1.2.3");
        assert_same("=v1.2.3", " 1.2.3 ");
        assert_same("1", "1.0.0");
        assert_same("v1.2", "1.2.0");
        assert_order("1.2-rc.1", "1.2");
        assert_eq!("v2".parse::<Version>().unwrap().to_string(), "2.0.0");
    }

    #[test]
    fn go_pseudo_versions_are_prereleases() {
        assert_order(
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.0.0-20200101120000-abcdef123456",
        );
        assert_order("v0.0.0-20200101120000-abcdef123456", "v0.0.1");
        assert_order("v1.2.3", "v1.2.4-0.20200101120000-abcdef123456");
        assert_order("v1.2.4-0.20200101120000-abcdef123456", "v1.2.4-pre");
        assert_order("v1.2.4-pre", "v1.2.4-pre.0.20200101120000-abcdef123456");
        assert_same("v2.0.0+incompatible", "v2.0.0");
    }

    #[test]
    fn invalid_versions_order_first_then_by_text() {
        for bad in [
            "",
            " ",
            "v",
            "=",
            "1.",
            ".1",
            "1..2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "1.2.3-a_b",
            "1.2.3+a+b",
            "1.2.3-α",
            "latest",
            "-1.2.3",
            "vv1.2.3",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be rejected");
            assert_order(bad, "0.0.0-0");
            assert_same(bad, bad);
        }
        assert_order("1.2.3.4", "1.2.3.5");
        assert_order("", "garbage");
    }

    #[test]
    fn leading_zero_is_allowed_only_alone_or_in_build() {
        assert!(Version::parse("0.0.0").is_ok());
        assert!(Version::parse("1.0.0-0.0").is_ok());
        assert!(Version::parse("1.0.0-0a").is_ok());
        assert!(Version::parse("1.0.0+00").is_ok());
    }

    #[test]
    fn huge_and_odd_input_does_not_panic() {
        let long = "9".repeat(10_000);
        assert_order(&format!("{long}.0.0"), &format!("1{long}.0.0"));
        assert_same(&format!("1.0.0-{long}"), &format!("1.0.0-{long}"));
        assert_order("ünïcödé", "0.0.0");
        assert_eq!(compare("ß.1", "ß.2"), Ordering::Less);
    }
}
