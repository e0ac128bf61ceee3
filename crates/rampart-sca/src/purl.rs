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

/// Why a string is not a purl rampart can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurlError {
    #[error("`{0}` is not a package URL (it must start with `pkg:`)")]
    NotAPurl(String),
    #[error("package URL `{0}` has no type")]
    MissingType(String),
    #[error("package URL `{0}` has no name")]
    MissingName(String),
    #[error("package URL `{0}` has an invalid percent-encoding")]
    BadEncoding(String),
    #[error("package URL type `{0}` is not a supported ecosystem")]
    UnknownType(String),
    #[error(
        "package URL `{purl}`: `{namespace}` is not a supported distribution for type `{kind}`"
    )]
    UnknownNamespace {
        purl: String,
        kind: String,
        namespace: String,
    },
}

/// Reads a purl back into the ecosystem, name and version [`purl`] builds it from: the inverse
/// of [`purl`] for every ecosystem, so `parse(&purl(e, n, v)) == Ok((e, n, v))` whenever `n` is
/// already spelled the way the purl type spells it (PyPI normalised, Composer lower case).
/// Qualifiers (`?…`) and a subpath (`#…`) are ignored: the package identity does not depend
/// on them. A purl without a version gives an empty version.
pub fn parse(s: &str) -> Result<(Ecosystem, String, String), PurlError> {
    let text = s.trim();
    let rest = match text.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("pkg:") => &text[4..],
        _ => return Err(PurlError::NotAPurl(s.to_string())),
    };
    // The spec tolerates `pkg://type/...` from producers that treat purls as URLs.
    let rest = rest.trim_start_matches('/');
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
    let (kind, path) = rest
        .split_once('/')
        .ok_or_else(|| PurlError::MissingName(s.to_string()))?;
    if kind.is_empty() {
        return Err(PurlError::MissingType(s.to_string()));
    }
    let kind = kind.to_ascii_lowercase();
    let mut segments: Vec<&str> = path.split('/').filter(|seg| !seg.is_empty()).collect();
    let last = segments
        .pop()
        .ok_or_else(|| PurlError::MissingName(s.to_string()))?;
    // The version follows the last `@` of the last segment only: an unencoded npm scope
    // (`pkg:npm/@babel/core`) keeps its `@` in the namespace.
    let (name, version) = match last.rsplit_once('@') {
        Some((n, v)) => (n, v),
        None => (last, ""),
    };
    let bad = || PurlError::BadEncoding(s.to_string());
    let name = decode(name).ok_or_else(bad)?;
    let version = decode(version).ok_or_else(bad)?;
    if name.is_empty() {
        return Err(PurlError::MissingName(s.to_string()));
    }
    let namespace: Vec<String> = segments
        .iter()
        .map(|seg| decode(seg).ok_or_else(bad))
        .collect::<Result<_, _>>()?;
    let joined = |sep: &str| -> String {
        if namespace.is_empty() {
            name.clone()
        } else {
            format!("{}{sep}{name}", namespace.join("/"))
        }
    };
    let distro = |ecosystems: &[Ecosystem]| -> Result<Ecosystem, PurlError> {
        let ns = namespace.first().map(|n| n.to_ascii_lowercase());
        ecosystems
            .iter()
            .copied()
            .find(|e| Some(e.osv_name().to_ascii_lowercase().replace(' ', "")) == ns)
            .ok_or_else(|| PurlError::UnknownNamespace {
                purl: s.to_string(),
                kind: kind.clone(),
                namespace: namespace.join("/"),
            })
    };
    let (ecosystem, name) = match kind.as_str() {
        "cargo" => (Ecosystem::CratesIo, joined("/")),
        "npm" => (Ecosystem::Npm, joined("/")),
        "golang" => (Ecosystem::Go, joined("/")),
        "pypi" => (Ecosystem::PyPI, joined("/")),
        "maven" => (Ecosystem::Maven, joined(":")),
        "nuget" => (Ecosystem::NuGet, joined("/")),
        "composer" => (Ecosystem::Packagist, joined("/")),
        "pub" => (Ecosystem::Pub, joined("/")),
        "gem" => (Ecosystem::RubyGems, joined("/")),
        "hex" => (Ecosystem::Hex, joined("/")),
        "cran" => (Ecosystem::Cran, joined("/")),
        "hackage" => (Ecosystem::Hackage, joined("/")),
        "deb" => (distro(&[Ecosystem::Debian, Ecosystem::Ubuntu])?, name),
        "apk" => (distro(&[Ecosystem::Alpine])?, name),
        "rpm" => (
            distro(&[
                Ecosystem::RedHat,
                Ecosystem::AlmaLinux,
                Ecosystem::RockyLinux,
                Ecosystem::OpenSuse,
            ])?,
            name,
        ),
        _ => return Err(PurlError::UnknownType(kind)),
    };
    Ok((ecosystem, name, version))
}

/// Decodes `%XX` escapes; `None` for a truncated or non-hex escape or bytes that are not
/// UTF-8.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_inverts_purl_for_every_ecosystem() {
        for e in Ecosystem::ALL {
            let name = match e {
                Ecosystem::Npm => "@types/node",
                Ecosystem::Maven => "org.apache.logging.log4j:log4j-core",
                Ecosystem::Go => "github.com/gin-gonic/gin",
                Ecosystem::Packagist => "symfony/console",
                Ecosystem::PyPI => "django-rest-framework",
                _ => "some.pkg_name",
            };
            let name = if matches!(e, Ecosystem::Pub | Ecosystem::Hex) {
                "some_pkg"
            } else {
                name
            };
            for version in ["1.2.3", "1:2.0+dfsg-1 ~b@x/y", ""] {
                let p = purl(e, name, version);
                assert_eq!(
                    parse(&p),
                    Ok((e, name.to_string(), version.to_string())),
                    "{p}"
                );
            }
        }
    }

    #[test]
    fn parse_ignores_qualifiers_and_subpaths_and_decodes() {
        assert_eq!(
            parse("pkg:npm/%40babel/core@7.24.0?arch=x#lib/index.js"),
            Ok((Ecosystem::Npm, "@babel/core".into(), "7.24.0".into()))
        );
        assert_eq!(
            parse("pkg:npm/@babel/core"),
            Ok((Ecosystem::Npm, "@babel/core".into(), String::new()))
        );
        assert_eq!(
            parse("PKG:Maven/org.example/a%20b@1.0#x"),
            Ok((Ecosystem::Maven, "org.example:a b".into(), "1.0".into()))
        );
        assert_eq!(
            parse("pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1?distro=jammy"),
            Ok((Ecosystem::Ubuntu, "openssl".into(), "3.0.2-0ubuntu1".into()))
        );
    }

    #[test]
    fn parse_rejects_what_it_cannot_read() {
        for bad in [
            "",
            "npm/lodash@1",
            "pkg:",
            "pkg:/x@1",
            "pkg:npm",
            "pkg:npm/",
            "pkg:npm/@1.0",
            "pkg:github/package-url/purl-spec@1",
            "pkg:deb/mint/x@1",
            "pkg:npm/a%2@1",
            "pkg:npm/a%ff@1",
            "pkg:npm/%e2%82@1",
            "pkg:\u{e9}/x",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

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
