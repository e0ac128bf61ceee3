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
    invalid: impl Fn(&str, &str) -> Ordering,
) -> Ordering {
    match (parse(a), parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => Ordering::Greater,
        (Err(_), Ok(_)) => Ordering::Less,
        (Err(_), Err(_)) => invalid(a, b),
    }
}

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
        match self {
            Ecosystem::CratesIo | Ecosystem::Npm | Ecosystem::Go | Ecosystem::Hex => {
                semver::compare(a, b)
            }
            Ecosystem::PyPI => pep440::compare(a, b),
            Ecosystem::Maven => maven::compare(a, b),
            Ecosystem::NuGet => nuget::compare(a, b),
            Ecosystem::Packagist => packagist::compare(a, b),
            Ecosystem::Pub => pub_dart::compare(a, b),
            Ecosystem::RubyGems => rubygems::compare(a, b),
            Ecosystem::Debian | Ecosystem::Ubuntu => debian::compare(a, b),
            Ecosystem::RedHat
            | Ecosystem::AlmaLinux
            | Ecosystem::RockyLinux
            | Ecosystem::OpenSuse => rpm::compare(a, b),
            Ecosystem::Alpine => alpine::compare(a, b),
            Ecosystem::Cran => cran::compare(a, b),
            Ecosystem::Hackage => hackage::compare(a, b),
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
