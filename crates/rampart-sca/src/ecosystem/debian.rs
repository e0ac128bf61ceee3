//! Debian package version ordering, as `dpkg --compare-versions` and Debian Policy §5.6.12
//! define it; Ubuntu uses the same rules.
//!
//! A version is `[epoch:]upstream_version[-debian_revision]`. The epoch is the digits before the
//! first colon and defaults to 0; the revision is everything after the *last* hyphen, so the
//! upstream version may itself contain hyphens, and a missing revision compares like `0`.
//! Epochs compare as numbers; upstream version and revision then compare with dpkg's
//! `verrevcmp`: each string alternates a run of non-digits and a run of digits, starting with
//! non-digits (possibly empty). Non-digit runs compare character by character with the modified
//! ASCII order in which `~` sorts before everything, even the end of the run, then the end of the
//! run, then letters, then every other character; so `1.0~rc1` < `1.0` < `1.0a` < `1.0+b1`.
//! Digit runs compare by numeric value (an empty run is 0). Numbers have no size limit, so an
//! epoch beyond what dpkg stores still orders by its value.
//!
//! Bytes outside ASCII rank after every ASCII character in a non-digit run, by byte value.
//!
//! Invalid versions: a string dpkg refuses outright (empty after trimming surrounding
//! whitespace, whitespace inside, an empty or non-numeric epoch, nothing after the epoch's colon,
//! an empty upstream version, or a hyphen with no revision after it) orders before every valid
//! version, and such strings order among themselves by their bytes. Strings dpkg only warns about
//! (an upstream version not starting with a digit, or characters outside `[A-Za-z0-9.+~-:]`)
//! are compared by the rules above, as dpkg compares them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Orders two Debian versions; see the module documentation for invalid input.
pub fn compare(a: &str, b: &str) -> Ordering {
    super::valid_first(a, b, Version::parse, super::by_text)
}

/// A parsed Debian version. Equality follows the ordering, so `1:1.0` equals `01:1.0-0`.
#[derive(Debug, Clone)]
pub struct Version {
    text: Box<str>,
    /// Decimal digits without leading zeros; empty means 0.
    epoch: Box<str>,
    upstream: Box<str>,
    revision: Box<str>,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, ParseVersionError> {
        let text = s.trim_matches(|c: char| c.is_ascii_whitespace());
        if text.is_empty() {
            return Err(ParseVersionError::Empty);
        }
        if text.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(ParseVersionError::EmbeddedWhitespace);
        }
        let (epoch, rest) = match text.split_once(':') {
            Some((epoch, rest)) => {
                if epoch.is_empty() || !epoch.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ParseVersionError::BadEpoch);
                }
                if rest.is_empty() {
                    return Err(ParseVersionError::NothingAfterEpoch);
                }
                (epoch.trim_start_matches('0'), rest)
            }
            None => ("", text),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err(ParseVersionError::EmptyRevision),
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(ParseVersionError::EmptyUpstream);
        }
        Ok(Version {
            text: text.into(),
            epoch: epoch.into(),
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }

    /// The epoch's digits without leading zeros (`"0"` when there is none).
    pub fn epoch(&self) -> &str {
        if self.epoch.is_empty() {
            "0"
        } else {
            &self.epoch
        }
    }

    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The Debian revision, empty when the version has none.
    pub fn revision(&self) -> &str {
        &self.revision
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
        super::compare_digits(self.epoch.as_bytes(), other.epoch.as_bytes())
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

// Equality is the ordering's: versions that compare equal are the same version.
super::ordered_by_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why dpkg would refuse a version string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseVersionError {
    Empty,
    EmbeddedWhitespace,
    BadEpoch,
    NothingAfterEpoch,
    EmptyUpstream,
    EmptyRevision,
}

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseVersionError::Empty => "version string is empty",
            ParseVersionError::EmbeddedWhitespace => "version string has embedded whitespace",
            ParseVersionError::BadEpoch => "epoch is empty or not a number",
            ParseVersionError::NothingAfterEpoch => "nothing after the epoch's colon",
            ParseVersionError::EmptyUpstream => "upstream version is empty",
            ParseVersionError::EmptyRevision => "revision is empty",
        })
    }
}

impl std::error::Error for ParseVersionError {}

/// dpkg's comparison of an upstream version or a revision: alternating non-digit and digit
/// runs, the first pair that differs deciding.
fn verrevcmp(mut a: &[u8], mut b: &[u8]) -> Ordering {
    while !a.is_empty() || !b.is_empty() {
        let (a_text, a_rest) = split_run(a, |c| !c.is_ascii_digit());
        let (b_text, b_rest) = split_run(b, |c| !c.is_ascii_digit());
        let ord = compare_text(a_text, b_text);
        if ord != Ordering::Equal {
            return ord;
        }
        let (a_digits, a_rest) = split_run(a_rest, |c| c.is_ascii_digit());
        let (b_digits, b_rest) = split_run(b_rest, |c| c.is_ascii_digit());
        let ord = super::compare_digits(a_digits, b_digits);
        if ord != Ordering::Equal {
            return ord;
        }
        a = a_rest;
        b = b_rest;
    }
    Ordering::Equal
}

/// Splits off the longest prefix whose bytes satisfy `keep`.
fn split_run(s: &[u8], keep: impl Fn(u8) -> bool) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|&&c| keep(c)).count();
    s.split_at(n)
}

/// Compares two non-digit runs position by position; the shorter run is padded with the
/// end-of-run weight, which only `~` sorts below.
fn compare_text(a: &[u8], b: &[u8]) -> Ordering {
    let len = a.len().max(b.len());
    (0..len)
        .map(|i| weight(a.get(i).copied()).cmp(&weight(b.get(i).copied())))
        .find(|ord| ord.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// dpkg's character order: `~`, then the end of the run, then letters, then everything else.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
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
    fn policy_tilde_example() {
        // Debian Policy: `~~`, `~~a`, `~`, the empty part, `a`.
        assert_chain(&["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a"]);
    }

    #[test]
    fn letters_sort_before_other_characters() {
        assert_chain(&["1.0", "1.0a", "1.0z", "1.0+", "1.0.", "1.0.1"]);
        assert_order("1.0A", "1.0a");
        assert_order("2.7.4+reloaded2-3ubuntu1", "2.7.4+reloaded2-3+deb9u1");
    }

    #[test]
    fn digits_compare_numerically() {
        assert_chain(&["1.2", "1.9", "1.10", "1.100", "2"]);
        assert_same("1.010", "1.10");
        assert_same("1.0", "1.00");
        assert_order("99999999999999999999998", "99999999999999999999999");
        assert_order("1.99999999999999999999", "1.100000000000000000000");
        assert_same("1.000000000000000000000000001", "1.1");
    }

    #[test]
    fn epoch_is_compared_first_and_defaults_to_zero() {
        assert_order("9.9", "1:0.1");
        assert_same("0:1.0", "1.0");
        assert_same("00:1.0", "1.0");
        assert_same("01:1.0", "1:1.0");
        assert_order("2:1.0", "10:0.1");
        assert_order("99999999999999999999:1", "100000000000000000000:0");
    }

    #[test]
    fn revision_is_after_the_last_hyphen() {
        let v = Version::parse("1:2.0-beta-3").unwrap();
        assert_eq!(
            (v.epoch(), v.upstream(), v.revision()),
            ("1", "2.0-beta", "3")
        );
        assert_order("2.0-beta-3", "2.0-beta-10");
        assert_order("1.0-1", "1.0-1+deb12u1");
        assert_order("1.0-1~bpo1", "1.0-1");
        assert_same("1.0", "1.0-0");
        assert_order("1.0", "1.0-1");
        assert_order("1.0-9", "1.0.1-1");
    }

    #[test]
    fn upstream_may_contain_colons_after_the_epoch() {
        let v = Version::parse("1:2:3-4").unwrap();
        assert_eq!((v.epoch(), v.upstream(), v.revision()), ("1", "2:3", "4"));
    }

    #[test]
    fn refused_versions_sort_first_then_by_text() {
        for bad in [
            "", "   ", ":1.0", "a:1.0", "1:", "1.0-", "-1", "1:-1", "1 0",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
            assert_order(bad, "0");
            assert_order(bad, "0~");
        }
        assert_order(":1.0", "a:1.0");
        assert_same("1.0-", "1.0-");
    }

    #[test]
    fn warned_versions_still_compare() {
        assert!(Version::parse("a1.0").is_ok());
        assert_order("a1.0", "b1.0");
        assert_order("1.0_1", "1.0_2");
        assert_same(" 1.0 ", "1.0");
    }

    #[test]
    fn non_ascii_ranks_after_ascii_punctuation() {
        assert_order("1.0+", "1.0é");
        assert_order("1.0z", "1.0é");
        assert_order("1.0é", "1.0é1");
        assert_same("1.0é", "1.0é");
    }

    #[test]
    fn parsed_versions_order_like_compare() {
        let mut versions: Vec<Version> = ["1:0.1", "1.0-1", "1.0~rc1", "1.0", "1.0+b1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        versions.sort();
        let sorted: Vec<String> = versions.iter().map(ToString::to_string).collect();
        assert_eq!(sorted, ["1.0~rc1", "1.0", "1.0-1", "1.0+b1", "1:0.1"]);
    }
}
