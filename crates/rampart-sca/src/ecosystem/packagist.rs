//! Packagist (Composer) version ordering: PHP's `version_compare` applied to versions as Composer
//! writes them.
//!
//! A leading `v` or `V` before a digit is dropped, as Composer drops it. The rest splits into
//! parts at `.`, `-`, `_`, `+` and any other character that is neither alphanumeric nor `#`, and
//! between a digit and a non-digit, so `1.0rc1` is `1 0 rc 1`. Parts compare in turn:
//!
//! - two numbers compare numerically;
//! - any other part is a special form, ranked by its prefix: anything unrecognised `<` `dev` `<`
//!   `alpha` = `a` `<` `beta` = `b` `<` `RC` = `rc` `<` `#` `<` `pl` = `p`, where a number ranks
//!   as `#`; the prefixes are case-sensitive, so `Beta` and `ALPHA` are unrecognised.
//!
//! When one version runs out of parts, the other's next part decides: a number makes it greater,
//! a special form compares with `#`, and one ranking equal to `#` defers to the part after it.
//! So `1.0 < 1.0.0`, `1.0rc1 < 1.0 < 1.0pl1`, and `1.0.# = 1.0`. A part left empty by separators
//! at the start or end, as in `1.`, ranks as unrecognised.
//!
//! Because `#` equals any number yet a missing part does not, equality is not transitive:
//! `1.0.# = 1.0` and `1.0.# = 1.0.1`, but `1.0 < 1.0.1`.
//!
//! `version_compare` accepts any string, and so does this module. It departs from PHP in two ways:
//! numbers of any length compare by value (PHP saturates them at the largest integer), and `#` is
//! a part of its own, standing for any number, rather than a separator.

use std::cmp::Ordering;
use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// The rank of a number among special forms.
const NUMBER_RANK: i8 = 4;

/// The rank of text that is no special form.
const UNRECOGNISED: i8 = -1;

/// A version part.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Digits without leading zeros; empty for zero.
    Number(String),
    /// A special form, by rank: -1 for unrecognised text, 0 `dev` up to 5 `pl`.
    Special(i8),
}

impl Part {
    fn special(text: &str) -> Self {
        // Order matters: `alpha` before `a`, `pl` before `p`.
        const FORMS: [(&str, i8); 10] = [
            ("dev", 0),
            ("alpha", 1),
            ("a", 1),
            ("beta", 2),
            ("b", 2),
            ("RC", 3),
            ("rc", 3),
            ("#", NUMBER_RANK),
            ("pl", 5),
            ("p", 5),
        ];
        let rank = FORMS
            .iter()
            .find(|(form, _)| text.starts_with(form))
            .map_or(UNRECOGNISED, |&(_, rank)| rank);
        Part::Special(rank)
    }

    fn rank(&self) -> i8 {
        match self {
            Part::Number(_) => NUMBER_RANK,
            Part::Special(rank) => *rank,
        }
    }
}

impl Ord for Part {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Part::Number(a), Part::Number(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Part {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A Packagist version, split into parts.
#[derive(Debug, Clone)]
pub struct Version {
    original: String,
    parts: Vec<Part>,
}

fn is_separator(c: char) -> bool {
    !(c.is_ascii_alphanumeric() || c == '#')
}

impl Version {
    /// Parses a version; every string is accepted.
    pub fn parse(s: &str) -> Self {
        let text = match s.strip_prefix(['v', 'V']) {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => s,
        };
        let mut parts = Vec::new();
        // PHP collapses a run of separators into one; only at either end does it leave an empty
        // part behind.
        if text.starts_with(is_separator) {
            parts.push(Part::Special(UNRECOGNISED));
        }
        for piece in text.split(is_separator).filter(|piece| !piece.is_empty()) {
            let mut rest = piece;
            while let Some(first) = rest.chars().next() {
                let numeric = first.is_ascii_digit();
                let end = rest
                    .find(|c: char| c.is_ascii_digit() != numeric)
                    .unwrap_or(rest.len());
                let (run, tail) = rest.split_at(end);
                parts.push(if numeric {
                    Part::Number(run.trim_start_matches('0').to_owned())
                } else {
                    Part::special(run)
                });
                rest = tail;
            }
        }
        if text.ends_with(is_separator) && text.contains(|c: char| !is_separator(c)) {
            parts.push(Part::Special(UNRECOGNISED));
        }
        Version {
            original: s.to_owned(),
            parts,
        }
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.original
    }
}

/// Orders the remaining parts of the longer version against the end of the shorter one.
fn cmp_tail(tail: &[Part]) -> Ordering {
    for part in tail {
        match part {
            Part::Number(_) => return Ordering::Greater,
            Part::Special(rank) => match rank.cmp(&NUMBER_RANK) {
                Ordering::Equal => continue,
                ord => return ord,
            },
        }
    }
    Ordering::Equal
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // The empty version sorts before every other.
        match (self.parts.is_empty(), other.parts.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        for (a, b) in self.parts.iter().zip(&other.parts) {
            let ord = a.cmp(b);
            if ord.is_ne() {
                return ord;
            }
        }
        let shared = self.parts.len().min(other.parts.len());
        match self.parts.len().cmp(&other.parts.len()) {
            Ordering::Equal => Ordering::Equal,
            Ordering::Greater => cmp_tail(&self.parts[shared..]),
            Ordering::Less => cmp_tail(&other.parts[shared..]).reverse(),
        }
    }
}

// Equality is the ordering's: versions that compare equal are the same version.
super::ordered_by_cmp!(Version);

impl FromStr for Version {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Version::parse(s))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// Orders two Packagist versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    Version::parse(a).cmp(&Version::parse(b))
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
    fn special_forms() {
        ascending(&[
            "2.1-dev",
            "2.1alpha",
            "2.1-alpha2",
            "2.1b1",
            "2.1.beta.3",
            "2.1RC",
            "2.1-rc2",
            "2.1",
            "2.1.0",
            "2.1-p1",
            "2.1pl2",
        ]);
        // `pl` outranks a number.
        check("2.1pl1", Ordering::Greater, "2.1.1");
        check("2.1a", Ordering::Equal, "2.1-alpha");
        check("2.1b", Ordering::Equal, "2.1_beta");
        check("2.1RC1", Ordering::Equal, "2.1rc1");
        check("2.1patch1", Ordering::Equal, "2.1pl1");
    }

    #[test]
    fn separators_and_transitions() {
        check("3.0.0-rc.1", Ordering::Equal, "3.0.0rc1");
        check("3.0.0+rc1", Ordering::Equal, "3.0.0_rc_1");
        check("3..0", Ordering::Equal, "3.0");
        check("3.0-", Ordering::Less, "3.0");
        check("3.0.", Ordering::Less, "3.0-dev");
    }

    #[test]
    fn unrecognised_text_sorts_lowest() {
        check("4.0-foo", Ordering::Less, "4.0-dev");
        // The prefixes are case-sensitive.
        check("4.0-Beta", Ordering::Less, "4.0-alpha");
        check("4.0-Beta", Ordering::Equal, "4.0-xyz");
        check("4.0-dev", Ordering::Greater, "dev-main");
    }

    #[test]
    fn hash_ranks_as_a_number() {
        check("5.0.#", Ordering::Equal, "5.0");
        check("5.0.#", Ordering::Equal, "5.0.7");
        check("5.0.#.1", Ordering::Greater, "5.0");
        check("5.0.#.rc", Ordering::Less, "5.0");
    }

    #[test]
    fn v_prefix_is_dropped() {
        check("v6.1", Ordering::Equal, "6.1");
        check("V6.1", Ordering::Equal, "v6.1");
        check("V6.1", Ordering::Less, "6.1.0");
        check("v", Ordering::Less, "dev");
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        check(
            "99999999999999999999999",
            Ordering::Greater,
            "99999999999999999999998",
        );
        check("1.000000000000000000000000000007", Ordering::Equal, "1.7");
    }

    #[test]
    fn odd_input_is_total() {
        let odd = [
            "", ".", "-", "v", "V", "#", "#1", "ü", "1ü2", "1.ü", "..", "-1", "dev", "0", "_",
        ];
        for a in odd {
            assert_eq!(compare(a, a), Ordering::Equal, "{a}");
            for b in odd {
                assert_eq!(compare(a, b), compare(b, a).reverse(), "{a} vs {b}");
            }
        }
        check("", Ordering::Less, "-");
        check("", Ordering::Less, "dev");
    }

    #[test]
    fn parses_through_from_str() {
        let v: Version = "v1.2.3-beta".parse().unwrap();
        assert_eq!(v.to_string(), "v1.2.3-beta");
        assert!(v < Version::parse("1.2.3"));
    }
}
