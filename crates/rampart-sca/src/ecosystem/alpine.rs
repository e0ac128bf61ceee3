//! Alpine package version ordering, as apk-tools (`apk version -t`) compares versions.
//!
//! A version is `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`, read left to
//! right as a sequence of tokens:
//!
//! - the first number, compared by value;
//! - `.number` components. A component starting with `0` sorts below every component that does
//!   not, fewer leading zeros above more, and then by the digits after the zeros — so
//!   `1.1 > 1.09 > 1.05 > 1.0 > 1.005` — the way apk 2 weighs leading zeros;
//! - one lowercase letter, compared by byte; digits may follow it (`6.6.2p1`), as apk 2 accepts
//!   and Alpine's security data uses, and compare as a further number;
//! - `_suffix` with an optional number: `alpha < beta < pre < rc` before the release and
//!   `cvs < svn < git < hg < p` after it;
//! - `~hash`, a commit in lowercase hex, compared as text;
//! - `-rN`, the package revision; a bare `-r` is `-r0`.
//!
//! Numbers have no size limit. When two versions agree on every token up to a point where one
//! runs out or the next tokens differ in kind, the kind of the next token decides, in this
//! ascending order: pre-release suffix, invalid remainder, empty numeric component, end of
//! version, revision, commit hash, suffix number, post-release suffix, letter, number. So
//! `1.0_rc1 < 1.0 < 1.0-r1 < 1.0_p1 < 1.0a < 1.0.1`.
//!
//! Invalid versions are compared as apk compares them: up to the first thing the grammar does
//! not allow, after which nothing more is read. That point ranks as an invalid remainder, below
//! the end of a valid version, so `1.2_blah < 1.2`, `1.2-x < 1.2` and `1.2.0A < 1.2.0d`; two
//! versions that turn invalid at the same point after equal tokens are equal (`1-r0-x` equals
//! `1-r0-y`). Things the grammar does not allow include an uppercase letter, a second letter, an
//! unknown suffix, a `-` not followed by `r`, a `-r` followed by a letter (`1-ruff`), a `.`
//! after a letter or a suffix, and a suffix after the revision. A `.` (or the start of the
//! string) not followed by a digit, as in `1..2`, `1.r1` or `a`, is an empty numeric component:
//! apk 2 read it as 0, apk 3 rejects it, and here it ranks just above an invalid remainder. A
//! NUL byte ends the version, as it does for apk. Every string has a place in this order, and the
//! order is total.

use std::cmp::{Ordering, Reverse};
use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// Orders two Alpine versions; see the module documentation for invalid input.
pub fn compare(a: &str, b: &str) -> Ordering {
    Version::parse(a).cmp(&Version::parse(b))
}

/// A parsed Alpine version: its tokens, ending in [`Token::End`] or [`Token::Invalid`].
/// Equality follows the ordering, so `1.2-r1` equals `1.2-r01`.
#[derive(Debug, Clone)]
pub struct Version {
    text: Box<str>,
    tokens: Vec<Token>,
}

impl Version {
    /// Reads a version as apk does. Every string is accepted; see the module documentation for
    /// how the parts apk's grammar does not allow are ordered.
    pub fn parse(s: &str) -> Version {
        Version {
            text: s.into(),
            tokens: tokenize(s),
        }
    }

    /// Whether the whole string follows the grammar, with no empty numeric component.
    pub fn is_well_formed(&self) -> bool {
        self.tokens
            .iter()
            .all(|t| !matches!(t, Token::Invalid | Token::Empty))
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
        for (a, b) in self.tokens.iter().zip(&other.tokens) {
            let ord = a.cmp(b);
            if ord != Ordering::Equal || a.is_last() {
                return ord;
            }
        }
        // Both lists end in a last token, and equal tokens are of the same kind, so the loop
        // returns before either list runs out.
        Ordering::Equal
    }
}

// Equality is the ordering's: versions that compare equal are the same version.
super::ordered_by_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One token of a version. Digit runs are kept without leading zeros, so comparing them by
/// length and then lexically compares them by value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// `_alpha`, `_beta`, `_pre` or `_rc`, as 0 to 3.
    PreSuffix(u8),
    /// The first thing the grammar does not allow; nothing after it is read.
    Invalid,
    /// A `.`, or the start of the string, with no digits.
    Empty,
    End,
    Revision(Box<str>),
    Hash(Box<str>),
    SuffixNumber(Box<str>),
    /// `_cvs`, `_svn`, `_git`, `_hg` or `_p`, as 0 to 4.
    PostSuffix(u8),
    Letter(u8),
    /// The first number, or digits after a letter.
    Number(Box<str>),
    /// A `.number` component: its leading zeros, then the digits after them.
    Component {
        zeros: usize,
        digits: Box<str>,
    },
}

impl Token {
    /// How tokens of different kinds order against each other.
    fn rank(&self) -> u8 {
        match self {
            Token::PreSuffix(_) => 0,
            Token::Invalid => 1,
            Token::Empty => 2,
            Token::End => 3,
            Token::Revision(_) => 4,
            Token::Hash(_) => 5,
            Token::SuffixNumber(_) => 6,
            Token::PostSuffix(_) => 7,
            Token::Letter(_) => 8,
            Token::Number(_) => 9,
            Token::Component { .. } => 10,
        }
    }

    fn is_last(&self) -> bool {
        matches!(self, Token::End | Token::Invalid)
    }
}

impl Ord for Token {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Token::PreSuffix(a), Token::PreSuffix(b))
            | (Token::PostSuffix(a), Token::PostSuffix(b))
            | (Token::Letter(a), Token::Letter(b)) => a.cmp(b),
            (Token::Revision(a), Token::Revision(b))
            | (Token::SuffixNumber(a), Token::SuffixNumber(b))
            | (Token::Number(a), Token::Number(b)) => {
                super::compare_digits(a.as_bytes(), b.as_bytes())
            }
            (Token::Hash(a), Token::Hash(b)) => a.cmp(b),
            (
                Token::Component {
                    zeros: az,
                    digits: ad,
                },
                Token::Component {
                    zeros: bz,
                    digits: bd,
                },
            ) => Reverse(az)
                .cmp(&Reverse(bz))
                .then_with(|| super::compare_digits(ad.as_bytes(), bd.as_bytes())),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Token {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

/// What the previous token allows next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Numeric,
    Letter,
    Suffix,
    SuffixNumber,
    Hash,
    Revision,
}

fn tokenize(s: &str) -> Vec<Token> {
    let bytes = s.as_bytes();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let mut rest = &bytes[..end];
    let mut tokens = Vec::new();

    let first = take_digits(&mut rest);
    tokens.push(if first.is_empty() {
        Token::Empty
    } else {
        Token::Number(number(first))
    });
    let mut state = State::Numeric;

    loop {
        let Some(&c) = rest.first() else {
            tokens.push(Token::End);
            return tokens;
        };
        let token = match (state, c) {
            (State::Numeric, b'a'..=b'z') => {
                rest = &rest[1..];
                state = State::Letter;
                Token::Letter(c)
            }
            (State::Letter, b'0'..=b'9') => {
                state = State::Numeric;
                Token::Number(number(take_digits(&mut rest)))
            }
            (State::Suffix, b'0'..=b'9') => {
                state = State::SuffixNumber;
                Token::SuffixNumber(number(take_digits(&mut rest)))
            }
            (State::Numeric, b'.') => {
                rest = &rest[1..];
                let digits = take_digits(&mut rest);
                if digits.is_empty() {
                    Token::Empty
                } else {
                    let zeros = digits.iter().take_while(|&&d| d == b'0').count();
                    Token::Component {
                        zeros,
                        digits: text(&digits[zeros..]),
                    }
                }
            }
            (State::Numeric | State::Letter | State::Suffix | State::SuffixNumber, b'_') => {
                rest = &rest[1..];
                state = State::Suffix;
                suffix(&mut rest)
            }
            (State::Numeric | State::Letter | State::Suffix | State::SuffixNumber, b'~') => {
                let hex = rest[1..]
                    .iter()
                    .take_while(|d| matches!(d, b'0'..=b'9' | b'a'..=b'f'))
                    .count();
                if hex == 0 {
                    Token::Invalid
                } else {
                    let (hash, after) = rest[1..].split_at(hex);
                    rest = after;
                    state = State::Hash;
                    Token::Hash(text(hash))
                }
            }
            // "-r" then a letter is a word, not a revision marker.
            (_, b'-')
                if rest.get(1) == Some(&b'r')
                    && !rest.get(2).is_some_and(u8::is_ascii_alphabetic) =>
            {
                rest = &rest[2..];
                state = State::Revision;
                Token::Revision(number(take_digits(&mut rest)))
            }
            _ => Token::Invalid,
        };
        let last = token.is_last();
        tokens.push(token);
        if last {
            return tokens;
        }
    }
}

/// Reads a suffix name after `_`, checking the pre-release names first as apk does, so `_pre`
/// is `pre` and `_p` is `p`.
fn suffix(rest: &mut &[u8]) -> Token {
    let matches = |name: &&str| rest.starts_with(name.as_bytes());
    if let Some(i) = PRE_SUFFIXES.iter().position(matches) {
        *rest = &rest[PRE_SUFFIXES[i].len()..];
        Token::PreSuffix(i as u8)
    } else if let Some(i) = POST_SUFFIXES.iter().position(matches) {
        *rest = &rest[POST_SUFFIXES[i].len()..];
        Token::PostSuffix(i as u8)
    } else {
        Token::Invalid
    }
}

/// Splits the leading ASCII digits off `rest`.
fn take_digits<'a>(rest: &mut &'a [u8]) -> &'a [u8] {
    let n = rest.iter().take_while(|d| d.is_ascii_digit()).count();
    let (digits, after) = rest.split_at(n);
    *rest = after;
    digits
}

/// A digit run without its leading zeros.
fn number(digits: &[u8]) -> Box<str> {
    let n = digits.iter().take_while(|&&d| d == b'0').count();
    text(&digits[n..])
}

/// ASCII bytes as text; callers only pass digits and letters.
fn text(ascii: &[u8]) -> Box<str> {
    ascii.iter().map(|&b| char::from(b)).collect()
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
    fn numbers_compare_by_value() {
        assert_chain(&["1", "1.2", "1.9", "1.10", "1.10.1", "2", "10"]);
        assert_same("007", "7");
        assert_order("1.99999999999999999999999", "1.100000000000000000000000");
        assert_same("99999999999999999999999", "99999999999999999999999");
    }

    #[test]
    fn leading_zeros_in_components() {
        assert_chain(&["1.000", "1.00", "1.005", "1.0", "1.05", "1.09", "1.1"]);
        assert_order("1.0.5", "1.05");
    }

    #[test]
    fn suffixes_around_the_release() {
        assert_chain(&[
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_alpha2",
            "1.0_beta",
            "1.0_pre",
            "1.0_rc1",
            "1.0",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git",
            "1.0_hg",
            "1.0_p1",
            "1.0_p2",
            "1.0a",
            "1.0.1",
        ]);
        assert_order("1.0_alpha_pre1", "1.0_alpha");
        assert_order("1.0_p1_rc1", "1.0_p1");
        assert_order("1.0_p1", "1.0_p1_cvs");
    }

    #[test]
    fn letters_and_digits_after_them() {
        assert_chain(&["1.2", "1.2a", "1.2b", "1.2z", "1.3"]);
        assert_chain(&["5.7p1", "5.7p1-r1", "5.7p2", "5.7.1"]);
        assert_order("5.7_p2", "5.7p1");
    }

    #[test]
    fn revision_is_last() {
        assert_chain(&["1.0", "1.0-r0", "1.0-r1", "1.0-r10", "1.0_p1", "1.0.1-r0"]);
        assert_same("1.0-r", "1.0-r0");
        assert_same("1.0-r02", "1.0-r2");
    }

    #[test]
    fn commit_hash_sits_between_suffix_and_revision() {
        assert_chain(&[
            "1.0",
            "1.0-r5",
            "1.0~0abc",
            "1.0~abc",
            "1.0~abc-r1",
            "1.0_p1",
        ]);
        assert_order("1.0_rc1~ff", "1.0");
        assert_order("1.0~", "1.0");
    }

    #[test]
    fn invalid_remainders_sort_below_the_end() {
        assert_order("1.2_foo", "1.2");
        assert_order("1.2_foo", "1.2_cvs");
        assert_order("1.2_rc1", "1.2_foo");
        assert_order("1.2-x", "1.2");
        assert_order("1.2B", "1.2");
        assert_order("1.2B", "1.2b");
        assert_order("1.2ab", "1.2a");
        assert_order("1.2-ruff", "1.2");
        assert_order("1.2-r1-1", "1.2-r1");
        assert_order("1.2a.1", "1.2a");
        assert_order("1.2-r1_p1", "1.2-r1");
        assert_order("1.2 ", "1.2");
        assert_order("1.2é", "1.2");
        assert_order("1.1", "1.2_foo");
    }

    #[test]
    fn versions_invalid_at_the_same_point_are_equal() {
        assert_same("1.2_foo", "1.2_bar");
        assert_same("1.2-r1-x", "1.2-r1-y");
        assert_same("1.2-r-9", "1.2-r0-1");
        assert_same("1-rx", "1-x");
        assert_same("1.2A", "1.2B");
        assert_same("1.2\0junk", "1.2");
    }

    #[test]
    fn empty_components_sort_just_above_invalid() {
        assert_chain(&["1-x", "1.", "1", "1.0"]);
        assert_order("1.r1", "1r1");
        assert_order("1..3", "1.0.3");
        assert_order("1..2", "1..3");
        assert_chain(&["", "a", "b", ".1", ".2", "0", "1"]);
        assert_order("1._p", "1_p");
    }

    #[test]
    fn well_formed_versions() {
        for good in [
            "1",
            "1.2.3",
            "1.2a",
            "1.2_rc1_p2",
            "1.2~abc-r3",
            "6.6.2p1-r0",
        ] {
            assert!(Version::parse(good).is_well_formed(), "{good}");
        }
        for bad in [
            "", "a", "1.", "1..2", "1-x", "1.2A", "1_foo", "1-r1_p1", "1~",
        ] {
            assert!(!Version::parse(bad).is_well_formed(), "{bad}");
        }
    }

    #[test]
    fn parsed_versions_order_like_compare() {
        let mut versions: Vec<Version> = ["1.0-r1", "1.0_rc1", "1.0", "1.0_p1", "1.0-x"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        versions.sort();
        let sorted: Vec<String> = versions.iter().map(ToString::to_string).collect();
        assert_eq!(sorted, ["1.0_rc1", "1.0-x", "1.0", "1.0-r1", "1.0_p1"]);
    }
}
