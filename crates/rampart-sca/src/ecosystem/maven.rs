//! Maven version ordering: the algorithm of `ComparableVersion` (maven-artifact), in the form the
//! POM reference specifies and OSV applies to Maven advisories.
//!
//! A version is lower-cased and split into items at `.`, at `-` and at every transition between
//! digits and non-digits. A `-` or a transition opens a nested list, so `1.0-rc1` is
//! `[1, 0, [rc, [1]]]`. Trailing "null" items (`0`, and the release qualifier `""` with its
//! aliases `ga`, `final`, `release`) are dropped from every list, and a nested list left without
//! items of its own is replaced by the list nested in it, so `1.0.0 = 1 = 1-ga` and
//! `1-ga-1 = 1-1`. Items then compare as follows:
//!
//! - numbers compare numerically and sort after everything else (`1.1 > 1-1 > 1-sp`);
//! - qualifiers order `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release
//!   < sp`, then every other qualifier, lexically; `a`, `b` and `m` directly followed by a digit
//!   stand for `alpha`, `beta` and `milestone`;
//! - a nested list sorts after a qualifier and before a number, so a qualifier after `.` sorts
//!   before the same qualifier after `-` (`1.rc1 < 1-rc1`);
//! - a missing item compares as a null item: a number must be `0` to equal it, `sp` and unknown
//!   qualifiers sort after it, other known qualifiers before it, and a nested list by its first
//!   item that is not null.
//!
//! maven-artifact itself departs from the POM reference twice: since 3.9 it also nests a qualifier
//! that follows a `.` (making `1.rc1 = 1-rc1`), and it keeps an emptied list, so that
//! `1-ga-1 < 1-1`. This module follows the POM reference, as OSV's own tooling does when it
//! matches advisories.
//!
//! Like Maven's, this order is not transitive when separators are mixed: `2-rc1 < 2 < 2.sp1`, yet
//! `2.sp1 < 2-rc1`, since a qualifier sorts before a nested list. Range checks, which compare
//! pairwise, are unaffected, but sorting such versions gives no meaningful order, and Rust's
//! sorts may panic on it.
//!
//! As in Maven, a number's width decides its type before its value does: once leading zeros are
//! stripped, up to 9 digits is an `int`, up to 18 a `long`, longer a `BigInteger`, and a wider
//! type always sorts higher. This only matters for a zero written with ten or more digits, which
//! Maven keeps unstripped. Only ASCII digits count as digits; any other character, `+` and `_`
//! included, is part of a qualifier, since Maven splits at nothing else.
//!
//! Maven rejects no version, so neither does this module: every string parses, the empty string
//! as the empty version, which equals `0`.

use std::cmp::Ordering;
use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// Position of the empty (release) qualifier in [`KNOWN_QUALIFIERS`].
const RELEASE: u8 = 5;

/// Known qualifiers, lowest first.
const KNOWN_QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// Integer width class, mirroring Maven's `IntItem`, `LongItem` and `BigIntegerItem`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Width {
    Int,
    Long,
    Big,
}

/// A numeric item: its width class, then its digits without leading zeros (empty for zero).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Number {
    width: Width,
    digits: String,
}

impl Number {
    fn parse(raw: &str) -> Self {
        let stripped = raw.trim_start_matches('0');
        // Maven strips leading zeros only when a non-zero digit follows, so an all-zero run keeps
        // its full width.
        let width_len = if stripped.is_empty() {
            raw.len()
        } else {
            stripped.len()
        };
        let width = match width_len {
            0..=9 => Width::Int,
            10..=18 => Width::Long,
            _ => Width::Big,
        };
        Number {
            width,
            digits: stripped.to_owned(),
        }
    }

    fn zero() -> Self {
        Number {
            width: Width::Int,
            digits: String::new(),
        }
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        self.width
            .cmp(&other.width)
            .then_with(|| self.digits.len().cmp(&other.digits.len()))
            .then_with(|| self.digits.cmp(&other.digits))
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A qualifier item, already lower-cased and with aliases resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Qualifier {
    /// Index into [`KNOWN_QUALIFIERS`].
    Known(u8),
    Other(String),
}

impl Qualifier {
    fn new(text: &str, followed_by_digit: bool) -> Self {
        let text = match text {
            "a" if followed_by_digit => "alpha",
            "b" if followed_by_digit => "beta",
            "m" if followed_by_digit => "milestone",
            "cr" => "rc",
            "ga" | "final" | "release" => "",
            other => other,
        };
        match KNOWN_QUALIFIERS.iter().position(|k| *k == text) {
            Some(i) => Qualifier::Known(i as u8),
            None => Qualifier::Other(text.to_owned()),
        }
    }

    fn is_release(&self) -> bool {
        *self == Qualifier::Known(RELEASE)
    }

    /// How this qualifier compares with a missing item, which stands for the release qualifier.
    fn cmp_missing(&self) -> Ordering {
        match self {
            Qualifier::Known(i) => i.cmp(&RELEASE),
            Qualifier::Other(_) => Ordering::Greater,
        }
    }
}

impl Ord for Qualifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Qualifier::Known(a), Qualifier::Known(b)) => a.cmp(b),
            (Qualifier::Known(_), Qualifier::Other(_)) => Ordering::Less,
            (Qualifier::Other(_), Qualifier::Known(_)) => Ordering::Greater,
            // Java compares strings by UTF-16 code unit.
            (Qualifier::Other(a), Qualifier::Other(b)) => a.encode_utf16().cmp(b.encode_utf16()),
        }
    }
}

impl PartialOrd for Qualifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A non-list item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Number(Number),
    Qualifier(Qualifier),
}

impl Atom {
    fn parse(text: &str, numeric: bool) -> Self {
        if numeric {
            Atom::Number(Number::parse(text))
        } else {
            Atom::Qualifier(Qualifier::new(text, false))
        }
    }

    fn is_null(&self) -> bool {
        match self {
            Atom::Number(n) => n.is_zero(),
            Atom::Qualifier(q) => q.is_release(),
        }
    }

    fn cmp_missing(&self) -> Ordering {
        match self {
            Atom::Number(n) if n.is_zero() => Ordering::Equal,
            Atom::Number(_) => Ordering::Greater,
            Atom::Qualifier(q) => q.cmp_missing(),
        }
    }
}

impl Ord for Atom {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Atom::Number(a), Atom::Number(b)) => a.cmp(b),
            (Atom::Number(_), Atom::Qualifier(_)) => Ordering::Greater,
            (Atom::Qualifier(_), Atom::Number(_)) => Ordering::Less,
            (Atom::Qualifier(a), Atom::Qualifier(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A parsed Maven version.
///
/// Maven nests a new list as the last item of the current one and never returns to the outer
/// list, so the item tree is a chain: `levels[0]` holds the top-level atoms, and `levels[i + 1]`
/// is the list that follows the atoms of `levels[i]`. Keeping the chain flat lets versions with
/// thousands of hyphens compare without deep recursion.
#[derive(Debug, Clone)]
pub struct Version {
    original: String,
    levels: Vec<Vec<Atom>>,
}

impl Version {
    /// Parses a version; every string is a Maven version.
    pub fn parse(version: &str) -> Self {
        let lower = version.to_lowercase();
        let mut levels: Vec<Vec<Atom>> = vec![Vec::new()];
        let mut numeric = false;
        let mut start = 0;

        fn current(levels: &mut [Vec<Atom>]) -> &mut Vec<Atom> {
            levels.last_mut().expect("the top level always exists")
        }

        for (i, c) in lower.char_indices() {
            match c {
                '.' | '-' => {
                    let atom = if i == start {
                        Atom::Number(Number::zero())
                    } else {
                        Atom::parse(&lower[start..i], numeric)
                    };
                    current(&mut levels).push(atom);
                    start = i + 1;
                    if c == '-' {
                        levels.push(Vec::new());
                    }
                }
                '0'..='9' => {
                    if !numeric && i > start {
                        let qualifier = Qualifier::new(&lower[start..i], true);
                        current(&mut levels).push(Atom::Qualifier(qualifier));
                        start = i;
                        levels.push(Vec::new());
                    }
                    numeric = true;
                }
                _ => {
                    if numeric && i > start {
                        current(&mut levels).push(Atom::parse(&lower[start..i], true));
                        start = i;
                        levels.push(Vec::new());
                    }
                    numeric = false;
                }
            }
        }
        if start < lower.len() {
            current(&mut levels).push(Atom::parse(&lower[start..], numeric));
        }

        // Trailing null atoms go from every list. A nested list left without atoms of its own
        // goes too, its nested list taking its place, so nulls vanish at every hyphen.
        for atoms in &mut levels {
            while atoms.last().is_some_and(Atom::is_null) {
                atoms.pop();
            }
        }
        let mut depth = 0;
        levels.retain(|atoms| {
            depth += 1;
            depth == 1 || !atoms.is_empty()
        });

        Version {
            original: version.to_owned(),
            levels,
        }
    }

    /// The version as it was written.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Compares the list at `depth` with a missing item: its first item that differs from null
    /// decides.
    fn cmp_missing_from(&self, depth: usize) -> Ordering {
        for atoms in &self.levels[depth..] {
            for atom in atoms {
                let ord = atom.cmp_missing();
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
        Ordering::Equal
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let mut depth = 0;
        loop {
            let (left, right) = (&self.levels[depth], &other.levels[depth]);
            let left_child = depth + 1 < self.levels.len();
            let right_child = depth + 1 < other.levels.len();
            for i in 0..left.len().max(right.len()) {
                let ord = match (left.get(i), right.get(i)) {
                    (Some(l), Some(r)) => l.cmp(r),
                    // The shorter list's next item is its nested list, if any: a list sorts
                    // after a qualifier and before a number.
                    (Some(l), None) if right_child => match l {
                        Atom::Number(_) => Ordering::Greater,
                        Atom::Qualifier(_) => Ordering::Less,
                    },
                    (None, Some(r)) if left_child => match r {
                        Atom::Number(_) => Ordering::Less,
                        Atom::Qualifier(_) => Ordering::Greater,
                    },
                    (Some(l), None) => l.cmp_missing(),
                    (None, Some(r)) => r.cmp_missing().reverse(),
                    (None, None) => Ordering::Equal,
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            match (left_child, right_child) {
                (true, true) => depth += 1,
                (true, false) => return self.cmp_missing_from(depth + 1),
                (false, true) => return other.cmp_missing_from(depth + 1).reverse(),
                (false, false) => return Ordering::Equal,
            }
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

/// Orders two Maven versions.
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
    fn numbers_and_padding() {
        ascending(&["0.9", "1", "1.0.1", "1.1", "1.2", "1.10", "2", "10"]);
        check("1", Ordering::Equal, "1.0.0");
        check("1.0", Ordering::Equal, "1-0");
        check("007", Ordering::Equal, "7");
        check("2.00", Ordering::Equal, "2");
    }

    #[test]
    fn qualifier_order() {
        ascending(&[
            "2-alpha",
            "2-beta",
            "2-milestone",
            "2-rc",
            "2-snapshot",
            "2",
            "2-sp",
            "2-aaa",
            "2-zzz",
            "2-1",
            "2.1",
        ]);
        check("2-cr", Ordering::Equal, "2-RC");
        check("2-GA", Ordering::Equal, "2");
        check("2.final", Ordering::Equal, "2");
        check("2-Release", Ordering::Equal, "2.0");
    }

    #[test]
    fn short_aliases_need_a_digit() {
        check("3a2", Ordering::Equal, "3-alpha-2");
        check("3b4", Ordering::Equal, "3-beta-4");
        check("3m1", Ordering::Equal, "3-milestone-1");
        // Without a digit after it `a` is an unknown qualifier, above the release.
        check("3-a", Ordering::Greater, "3");
        check("3-alpha", Ordering::Less, "3");
    }

    #[test]
    fn separators_matter() {
        // `.qualifier < -qualifier < -number < .number`
        ascending(&["4.x", "4-x", "4-1", "4.1"]);
        check("4.rc1", Ordering::Less, "4-rc1");
        check("4.rc1", Ordering::Less, "4rc1");
        check("4rc1", Ordering::Equal, "4-rc-1");
        check("4.1.beta1", Ordering::Less, "4.1-beta1");
        check("4.0-beta2", Ordering::Less, "4.0.1");
        check("4-sp", Ordering::Less, "4-1");
    }

    #[test]
    fn nested_null_trimming() {
        check("5-0.alpha", Ordering::Less, "5");
        check("5-0.beta", Ordering::Greater, "5-0.alpha");
        check("5-snapshot-1", Ordering::Less, "5");
        check("5.0-final-0", Ordering::Equal, "5");
        check("5-ga-2", Ordering::Equal, "5-2");
        check("5-0-2", Ordering::Equal, "5-2");
        check("5-sp-2", Ordering::Less, "5-ga-2");
    }

    #[test]
    fn mixed_separators_are_not_transitive() {
        check("2-rc1", Ordering::Less, "2");
        check("2", Ordering::Less, "2.sp1");
        check("2.sp1", Ordering::Less, "2-rc1");
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        check(
            "99999999999999999999999.1",
            Ordering::Greater,
            "99999999999999999999998.2",
        );
        check(
            "1.12345678901234567890",
            Ordering::Greater,
            "1.999999999999999999",
        );
        check("1.1234567890", Ordering::Greater, "1.999999999");
        check("00000000000000000000000001", Ordering::Equal, "1");
    }

    #[test]
    fn odd_input_is_total() {
        let odd = [
            "", "-", ".", "--..--", "v", "ä1", "1.ü", "日本", "1..2", "-1", "+", "_-_", "١٢٣",
        ];
        for a in odd {
            assert_eq!(compare(a, a), Ordering::Equal, "{a}");
            for b in odd {
                assert_eq!(compare(a, b), compare(b, a).reverse(), "{a} vs {b}");
            }
        }
        check("", Ordering::Equal, "0");
        check("", Ordering::Less, "1");
        check("", Ordering::Greater, "snapshot");
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let deep = "1-".repeat(100_000);
        let deeper = format!("{deep}1");
        check(&deep, Ordering::Less, &deeper);
        check(&deep, Ordering::Greater, "1-1");
    }

    #[test]
    fn parses_through_from_str() {
        let v: Version = "1.2-RC1".parse().unwrap();
        assert_eq!(v.to_string(), "1.2-RC1");
        assert!(v < Version::parse("1.2"));
    }
}
