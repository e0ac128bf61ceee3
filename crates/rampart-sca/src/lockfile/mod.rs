//! Lockfiles and manifests: one module per format, each turning a file's text into the
//! packages it pins, with the line each package is declared on.
//!
//! Every parser is a real parser of its format (TOML, JSON, YAML, XML or the format's own
//! grammar), never a regex over the text, and every one treats its input as hostile: a
//! malformed, truncated or unknown-version file is a [`LockfileError`] with a line, never a
//! panic, and a package the parser cannot read is skipped rather than failing the file.

use std::path::Path;

use crate::ecosystem::Ecosystem;
use crate::purl::purl;

mod json;

pub mod bun;
pub mod cargo;
pub mod composer;
pub mod gemfile;
pub mod gomod;
pub mod gradle;
pub mod maven;
pub mod mix;
pub mod npm;
pub mod nuget;
pub mod pipfile;
pub mod pnpm;
pub mod poetry;
pub mod pubspec;
pub mod requirements;
pub mod uv;
pub mod yarn;

/// A package version a lockfile pins.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The name as the ecosystem spells it (npm `@scope/name`, Maven `group:artifact`, Go
    /// module path).
    pub name: String,
    pub version: String,
    /// The 1-based line of the lockfile that declares the package.
    pub line: u32,
    /// Whether the project depends on it directly; `None` when the format does not say.
    pub direct: Option<bool>,
}

impl Package {
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        line: u32,
    ) -> Self {
        Package {
            ecosystem,
            name: name.into(),
            version: version.into(),
            line,
            direct: None,
        }
    }

    pub fn direct(mut self, direct: bool) -> Self {
        self.direct = Some(direct);
        self
    }

    pub fn purl(&self) -> String {
        purl(self.ecosystem, &self.name, &self.version)
    }
}

/// Keeps the first entry of each (name, version), names compared as the ecosystem compares
/// them, on the first line it appears. A package pinned several times (for several targets,
/// platforms or workspaces) is direct if any entry says so, indirect if any says that, and
/// unknown only when none says.
pub(crate) fn dedup(packages: Vec<Package>) -> Vec<Package> {
    let mut seen: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    let mut out: Vec<Package> = Vec::with_capacity(packages.len());
    for package in packages {
        let key = (
            package.ecosystem.normalize_name(&package.name),
            package.version.clone(),
        );
        match seen.get(&key) {
            Some(&i) => {
                out[i].direct = match (out[i].direct, package.direct) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (None, None) => None,
                };
            }
            None => {
                seen.insert(key, out.len());
                out.push(package);
            }
        }
    }
    out
}

/// Why a lockfile could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LockfileError {
    pub line: u32,
    pub message: String,
}

impl LockfileError {
    pub fn new(line: u32, message: impl Into<String>) -> Self {
        LockfileError {
            line,
            message: message.into(),
        }
    }
}

/// What a parser is given: the file's path (relative to the scanned root, forward slashes), its
/// text, and a way to read a sibling file (`-r other.txt` includes, a Maven parent POM, go.sum),
/// which returns `None` when the file does not exist or is not allowed.
pub struct Input<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub read_relative: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Input<'a> {
    /// An input with no access to other files (tests, stdin).
    pub fn alone(path: &'a str, text: &'a str) -> Input<'a> {
        Input {
            path,
            text,
            read_relative: &|_| None,
        }
    }

    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

pub type Parser = fn(&Input<'_>) -> Result<Vec<Package>, LockfileError>;

/// A lockfile format: its name, which file names it claims, and its parser.
pub struct Format {
    pub name: &'static str,
    pub ecosystem: Ecosystem,
    pub claims: fn(file_name: &str) -> bool,
    pub parse: Parser,
}

/// Every supported format, tried in order.
pub const FORMATS: &[Format] = &[
    Format {
        name: "Cargo.lock",
        ecosystem: Ecosystem::CratesIo,
        claims: |f| f == "Cargo.lock",
        parse: cargo::parse,
    },
    Format {
        name: "package-lock.json",
        ecosystem: Ecosystem::Npm,
        claims: |f| f == "package-lock.json" || f == "npm-shrinkwrap.json",
        parse: npm::parse,
    },
    Format {
        name: "yarn.lock",
        ecosystem: Ecosystem::Npm,
        claims: |f| f == "yarn.lock",
        parse: yarn::parse,
    },
    Format {
        name: "pnpm-lock.yaml",
        ecosystem: Ecosystem::Npm,
        claims: |f| f == "pnpm-lock.yaml",
        parse: pnpm::parse,
    },
    Format {
        name: "bun.lock",
        ecosystem: Ecosystem::Npm,
        claims: |f| f == "bun.lock",
        parse: bun::parse,
    },
    Format {
        name: "requirements.txt",
        ecosystem: Ecosystem::PyPI,
        claims: requirements::claims,
        parse: requirements::parse,
    },
    Format {
        name: "poetry.lock",
        ecosystem: Ecosystem::PyPI,
        claims: |f| f == "poetry.lock",
        parse: poetry::parse,
    },
    Format {
        name: "Pipfile.lock",
        ecosystem: Ecosystem::PyPI,
        claims: |f| f == "Pipfile.lock",
        parse: pipfile::parse,
    },
    Format {
        name: "uv.lock",
        ecosystem: Ecosystem::PyPI,
        claims: |f| f == "uv.lock",
        parse: uv::parse,
    },
    Format {
        name: "pdm.lock",
        ecosystem: Ecosystem::PyPI,
        claims: |f| f == "pdm.lock",
        parse: uv::parse_pdm,
    },
    Format {
        name: "go.mod",
        ecosystem: Ecosystem::Go,
        claims: |f| f == "go.mod",
        parse: gomod::parse,
    },
    Format {
        name: "Gemfile.lock",
        ecosystem: Ecosystem::RubyGems,
        claims: |f| f == "Gemfile.lock" || f == "gems.locked",
        parse: gemfile::parse,
    },
    Format {
        name: "composer.lock",
        ecosystem: Ecosystem::Packagist,
        claims: |f| f == "composer.lock",
        parse: composer::parse,
    },
    Format {
        name: "pom.xml",
        ecosystem: Ecosystem::Maven,
        claims: |f| f == "pom.xml",
        parse: maven::parse,
    },
    Format {
        name: "gradle.lockfile",
        ecosystem: Ecosystem::Maven,
        claims: |f| f == "gradle.lockfile" || f.ends_with(".lockfile") && f.contains("gradle"),
        parse: gradle::parse,
    },
    Format {
        name: "packages.lock.json",
        ecosystem: Ecosystem::NuGet,
        claims: |f| f == "packages.lock.json",
        parse: nuget::parse,
    },
    Format {
        name: "mix.lock",
        ecosystem: Ecosystem::Hex,
        claims: |f| f == "mix.lock",
        parse: mix::parse,
    },
    Format {
        name: "pubspec.lock",
        ecosystem: Ecosystem::Pub,
        claims: |f| f == "pubspec.lock",
        parse: pubspec::parse,
    },
];

/// The format that claims a path, by its file name.
pub fn format_for(path: &Path) -> Option<&'static Format> {
    let name = path.file_name()?.to_str()?;
    FORMATS.iter().find(|f| (f.claims)(name))
}
