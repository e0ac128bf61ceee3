//! Package URLs (<https://github.com/package-url/purl-spec>): the identity of a package that
//! SBOMs and advisories share, `pkg:type/namespace/name@version`.

use crate::ecosystem::Ecosystem;

/// The purl of a package version. Names are split into namespace and name the way each purl
/// type defines (npm scopes, Maven `group:artifact`, Go module paths, Composer `vendor/name`)
/// and percent-encoded where the spec requires.
pub fn purl(ecosystem: Ecosystem, name: &str, version: &str) -> String {
    let (kind, namespace, name) = match ecosystem {
        Ecosystem::CratesIo => ("cargo", None, name.to_string()),
        Ecosystem::Npm => match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, n)) => ("npm", Some(format!("@{scope}")), n.to_string()),
            None => ("npm", None, name.to_string()),
        },
        Ecosystem::Go => match name.rsplit_once('/') {
            Some((ns, n)) => ("golang", Some(ns.to_string()), n.to_string()),
            None => ("golang", None, name.to_string()),
        },
        Ecosystem::PyPI => (
            "pypi",
            None,
            Ecosystem::PyPI.normalize_name(name).replace('_', "-"),
        ),
        Ecosystem::Maven => match name.split_once(':') {
            Some((group, artifact)) => ("maven", Some(group.to_string()), artifact.to_string()),
            None => ("maven", None, name.to_string()),
        },
        Ecosystem::NuGet => ("nuget", None, name.to_string()),
        Ecosystem::Packagist => match name.split_once('/') {
            Some((vendor, n)) => (
                "composer",
                Some(vendor.to_ascii_lowercase()),
                n.to_ascii_lowercase(),
            ),
            None => ("composer", None, name.to_ascii_lowercase()),
        },
        Ecosystem::Pub => ("pub", None, name.to_ascii_lowercase()),
        Ecosystem::RubyGems => ("gem", None, name.to_string()),
        Ecosystem::Hex => ("hex", None, name.to_ascii_lowercase()),
        Ecosystem::Debian => ("deb", Some("debian".to_string()), name.to_string()),
        Ecosystem::Ubuntu => ("deb", Some("ubuntu".to_string()), name.to_string()),
        Ecosystem::Alpine => ("apk", Some("alpine".to_string()), name.to_string()),
        Ecosystem::RedHat | Ecosystem::AlmaLinux | Ecosystem::RockyLinux | Ecosystem::OpenSuse => (
            "rpm",
            Some(ecosystem.osv_name().to_ascii_lowercase().replace(' ', "")),
            name.to_string(),
        ),
        Ecosystem::Cran => ("cran", None, name.to_string()),
        Ecosystem::Hackage => ("hackage", None, name.to_string()),
    };
    let mut out = format!("pkg:{kind}/");
    if let Some(ns) = namespace {
        for segment in ns.split('/') {
            out.push_str(&encode(segment));
            out.push('/');
        }
    }
    out.push_str(&encode(&name));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&encode(version));
    }
    out
}

/// Percent-encodes everything but unreserved characters (and `:`, which the spec allows
/// unencoded in versions and names).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_follow_each_type() {
        assert_eq!(
            purl(Ecosystem::CratesIo, "serde", "1.0.200"),
            "pkg:cargo/serde@1.0.200"
        );
        assert_eq!(
            purl(Ecosystem::Npm, "@babel/core", "7.24.0"),
            "pkg:npm/%40babel/core@7.24.0"
        );
        assert_eq!(
            purl(Ecosystem::Npm, "lodash", "4.17.21"),
            "pkg:npm/lodash@4.17.21"
        );
        assert_eq!(
            purl(Ecosystem::PyPI, "Django_REST.framework", "3.15.1"),
            "pkg:pypi/django-rest-framework@3.15.1"
        );
        assert_eq!(
            purl(
                Ecosystem::Maven,
                "org.apache.logging.log4j:log4j-core",
                "2.14.1"
            ),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        assert_eq!(
            purl(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.9.1"),
            "pkg:golang/github.com/gin-gonic/gin@v1.9.1"
        );
        assert_eq!(
            purl(Ecosystem::Packagist, "Symfony/Console", "v6.4.0"),
            "pkg:composer/symfony/console@v6.4.0"
        );
        assert_eq!(
            purl(Ecosystem::RubyGems, "rails", "7.1.3"),
            "pkg:gem/rails@7.1.3"
        );
        assert_eq!(
            purl(Ecosystem::PyPI, "x", "1.0+local space"),
            "pkg:pypi/x@1.0%2Blocal%20space"
        );
    }
}
