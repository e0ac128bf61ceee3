//! Version ordering, one module per ecosystem, each implementing that ecosystem's own rules.
//!
//! Every comparator is total: any two strings compare, including versions the ecosystem would
//! reject, so a malformed version in a lockfile or an advisory can never panic a scan. How an
//! invalid version orders is documented per module.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

pub mod alpine;
pub mod cran;
pub mod debian;
pub mod hackage;
pub mod maven;
pub mod nuget;
pub mod packagist;
pub mod pep440;
pub mod pub_dart;
pub mod rpm;
pub mod rubygems;
pub mod semver;

/// Orders two version strings by their parsed form: every valid version after every invalid
/// one, and two invalid ones by `invalid` (their text, unless the ecosystem says otherwise).
pub(crate) fn valid_first<V: Ord, E>(
    a: &str,
    b: &str,
    parse: impl Fn(&str) -> Result<V, E>,
    invalid: fn(&str, &str) -> Ordering,
) -> Ordering {
    order_parsed(&parse(a).ok(), &parse(b).ok(), a, b, invalid)
}

/// [`valid_first`] over versions already parsed (`None` for invalid text).
fn order_parsed<V: Ord>(
    a: &Option<V>,
    b: &Option<V>,
    text_a: &str,
    text_b: &str,
    invalid: fn(&str, &str) -> Ordering,
) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => invalid(text_a, text_b),
    }
}

/// A version parsed once by an ordering's rules, to be compared many times: matching a
/// lockfile against advisories compares the same few strings thousands of times. Ordering two
/// parsed versions gives exactly what [`Ecosystem::compare`] gives for their text (which is
/// implemented through it); versions parsed for different orderings compare by text.
#[derive(Debug, Clone)]
pub struct ParsedVersion {
    text: Box<str>,
    form: Form,
}

#[derive(Debug, Clone)]
enum Form {
    Semver(Option<semver::Version>),
    Pep440(Option<pep440::Version>),
    Maven(maven::Version),
    NuGet(Option<nuget::Version>),
    Packagist(packagist::Version),
    Pub(Option<pub_dart::Version>),
    RubyGems(Option<rubygems::Version>),
    Debian(Option<debian::Version>),
    Rpm(rpm::Version),
    Alpine(alpine::Version),
    Cran(Option<cran::Version>),
    Hackage(Option<hackage::Version>),
}

impl ParsedVersion {
    /// A version under SemVer 2.0.0 precedence, whatever the ecosystem (OSV `SEMVER` ranges).
    pub fn semver(text: &str) -> ParsedVersion {
        ParsedVersion {
            text: text.into(),
            form: Form::Semver(semver::Version::parse(text).ok()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this is a version under SemVer precedence.
    pub(crate) fn is_semver(&self) -> bool {
        matches!(self.form, Form::Semver(_))
    }
}

impl Ord for ParsedVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        use Form::*;
        let (a, b) = (&*self.text, &*other.text);
        match (&self.form, &other.form) {
            (Semver(x), Semver(y)) => order_parsed(x, y, a, b, by_text),
            (Pep440(x), Pep440(y)) => order_parsed(x, y, a, b, pep440::order_invalid),
            (Maven(x), Maven(y)) => x.cmp(y),
            (NuGet(x), NuGet(y)) => order_parsed(x, y, a, b, by_text),
            (Packagist(x), Packagist(y)) => x.cmp(y),
            (Pub(x), Pub(y)) => order_parsed(x, y, a, b, by_text),
            (RubyGems(x), RubyGems(y)) => order_parsed(x, y, a, b, rubygems::order_invalid),
            (Debian(x), Debian(y)) => order_parsed(x, y, a, b, by_text),
            (Rpm(x), Rpm(y)) => x.cmp(y),
            (Alpine(x), Alpine(y)) => x.cmp(y),
            (Cran(x), Cran(y)) => order_parsed(x, y, a, b, by_text),
            (Hackage(x), Hackage(y)) => order_parsed(x, y, a, b, by_text),
            _ => a.cmp(b),
        }
    }
}

ordered_by_cmp!(ParsedVersion);

/// `PartialOrd`, `PartialEq` and `Eq` from a type's `Ord`, so that equality always agrees with
/// the ecosystem's ordering (`1.0` equals `1.0.0` where the ecosystem says so).
macro_rules! ordered_by_cmp {
    ($t:ty) => {
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == std::cmp::Ordering::Equal
            }
        }

        impl Eq for $t {}
    };
}
pub(crate) use ordered_by_cmp;

/// Compares two runs of ASCII digits by value however long they are (no integer to overflow):
/// without leading zeros, the longer run is the larger number, and equal lengths compare as text.
pub(crate) fn compare_digits(a: &[u8], b: &[u8]) -> Ordering {
    let trim = |s: &[u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
    let (a, b) = (&a[trim(a)..], &b[trim(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Two invalid versions, ordered by their text.
pub(crate) fn by_text(a: &str, b: &str) -> Ordering {
    a.cmp(b)
}

/// A package ecosystem, named as OSV names it (`ecosystem` in `affected[].package`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    CratesIo,
    Npm,
    Go,
    PyPI,
    Maven,
    NuGet,
    Packagist,
    Pub,
    RubyGems,
    Hex,
    Debian,
    Ubuntu,
    RedHat,
    AlmaLinux,
    RockyLinux,
    OpenSuse,
    Alpine,
    Cran,
    Hackage,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 19] = [
        Ecosystem::CratesIo,
        Ecosystem::Npm,
        Ecosystem::Go,
        Ecosystem::PyPI,
        Ecosystem::Maven,
        Ecosystem::NuGet,
        Ecosystem::Packagist,
        Ecosystem::Pub,
        Ecosystem::RubyGems,
        Ecosystem::Hex,
        Ecosystem::Debian,
        Ecosystem::Ubuntu,
        Ecosystem::RedHat,
        Ecosystem::AlmaLinux,
        Ecosystem::RockyLinux,
        Ecosystem::OpenSuse,
        Ecosystem::Alpine,
        Ecosystem::Cran,
        Ecosystem::Hackage,
    ];

    /// The OSV ecosystem name.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::Go => "Go",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Maven => "Maven",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Pub => "Pub",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Hex => "Hex",
            Ecosystem::Debian => "Debian",
            Ecosystem::Ubuntu => "Ubuntu",
            Ecosystem::RedHat => "Red Hat",
            Ecosystem::AlmaLinux => "AlmaLinux",
            Ecosystem::RockyLinux => "Rocky Linux",
            Ecosystem::OpenSuse => "openSUSE",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::Cran => "CRAN",
            Ecosystem::Hackage => "Hackage",
        }
    }

    /// Orders two versions by this ecosystem's rules.
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        self.parse_version(a).cmp(&self.parse_version(b))
    }

    /// Parses a version by this ecosystem's rules, once, for many comparisons. Every string
    /// parses: text the ecosystem rejects orders as its module documents.
    pub fn parse_version(self, text: &str) -> ParsedVersion {
        let form = match self {
            Ecosystem::CratesIo | Ecosystem::Npm | Ecosystem::Go | Ecosystem::Hex => {
                return ParsedVersion::semver(text)
            }
            Ecosystem::PyPI => Form::Pep440(pep440::Version::parse(text).ok()),
            Ecosystem::Maven => Form::Maven(maven::Version::parse(text)),
            Ecosystem::NuGet => Form::NuGet(nuget::Version::parse(text).ok()),
            Ecosystem::Packagist => Form::Packagist(packagist::Version::parse(text)),
            Ecosystem::Pub => Form::Pub(pub_dart::Version::parse(text).ok()),
            Ecosystem::RubyGems => Form::RubyGems(rubygems::Version::parse(text).ok()),
            Ecosystem::Debian | Ecosystem::Ubuntu => {
                Form::Debian(debian::Version::parse(text).ok())
            }
            Ecosystem::RedHat
            | Ecosystem::AlmaLinux
            | Ecosystem::RockyLinux
            | Ecosystem::OpenSuse => Form::Rpm(rpm::Version::parse(text)),
            Ecosystem::Alpine => Form::Alpine(alpine::Version::parse(text)),
            Ecosystem::Cran => Form::Cran(cran::Version::parse(text).ok()),
            Ecosystem::Hackage => Form::Hackage(hackage::Version::parse(text).ok()),
        };
        ParsedVersion {
            text: text.into(),
            form,
        }
    }
}

impl Ecosystem {
    /// A package name as the ecosystem compares names, so a lockfile's spelling finds the
    /// advisory's: PyPI per PEP 503 (case and runs of `-`, `_`, `.` do not matter), crates.io
    /// (case and `-`/`_` do not matter), NuGet and Packagist (case does not matter). Everything
    /// else (npm, Maven `group:artifact`, Go module paths, RubyGems, distributions) is exact.
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut in_separator = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_separator {
                            out.push('-');
                        }
                        in_separator = true;
                    } else {
                        out.push(c.to_ascii_lowercase());
                        in_separator = false;
                    }
                }
                out
            }
            Ecosystem::CratesIo => name.trim().to_ascii_lowercase().replace('_', "-"),
            Ecosystem::NuGet | Ecosystem::Packagist => name.trim().to_ascii_lowercase(),
            _ => name.trim().to_string(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

impl FromStr for Ecosystem {
    type Err = String;

    /// Parses an OSV ecosystem name; a release suffix (`Debian:12`, `Alpine:v3.20`,
    /// `Ubuntu:22.04:LTS`) is accepted and ignored, since ordering does not depend on it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let base = s.split(':').next().unwrap_or(s);
        Ecosystem::ALL
            .into_iter()
            .find(|e| e.osv_name().eq_ignore_ascii_case(base))
            .ok_or_else(|| format!("unknown ecosystem `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_per_ecosystem() {
        assert_eq!(
            Ecosystem::PyPI.normalize_name("Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(
            Ecosystem::PyPI.normalize_name("zope..interface"),
            "zope-interface"
        );
        assert_eq!(
            Ecosystem::CratesIo.normalize_name("Serde_JSON"),
            "serde-json"
        );
        assert_eq!(
            Ecosystem::Maven.normalize_name("org.Apache:Log4j"),
            "org.Apache:Log4j"
        );
        assert_eq!(
            Ecosystem::NuGet.normalize_name("Newtonsoft.Json"),
            "newtonsoft.json"
        );
    }

    #[test]
    fn osv_names_round_trip_and_release_suffixes_are_ignored() {
        for e in Ecosystem::ALL {
            assert_eq!(e.osv_name().parse::<Ecosystem>(), Ok(e));
        }
        assert_eq!("Debian:12".parse::<Ecosystem>(), Ok(Ecosystem::Debian));
        assert_eq!("Alpine:v3.20".parse::<Ecosystem>(), Ok(Ecosystem::Alpine));
        assert!("Cobol".parse::<Ecosystem>().is_err());
    }
}
