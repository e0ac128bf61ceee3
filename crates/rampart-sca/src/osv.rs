//! OSV advisories (<https://ossf.github.io/osv-schema/>) and the question every dependency
//! scan asks of them: is this version of this package affected?
//!
//! Parsing is lenient where the schema lets producers differ (unknown fields, `null` lists)
//! and matching follows the schema's evaluation rules exactly:
//! - `SEMVER` ranges order versions by SemVer 2.0.0, `ECOSYSTEM` ranges by the package's own
//!   ecosystem; `GIT` ranges name commits and are not evaluated against package versions;
//! - events written as `introduced` / `fixed` (or `last_affected`) pairs, as producers write
//!   them, are read as intervals `[introduced, fixed)` (`last_affected` inclusive): real data
//!   has touching, overlapping and empty intervals that only the pairing tells apart; other
//!   events are sorted by version (`introduced: "0"` first) and walked as the schema describes,
//!   `introduced` turning affected on, `fixed` and `last_affected` off; `limit` events bound
//!   the range above;
//! - a version listed in `versions` is affected whatever the ranges say;
//! - withdrawn advisories affect nothing.

use std::cmp::Ordering;

use serde::{Deserialize, Deserializer, Serialize};

use crate::ecosystem::{Ecosystem, ParsedVersion};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub related: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<SeverityScore>,
    #[serde(default, deserialize_with = "nullable")]
    pub affected: Vec<Affected>,
    #[serde(default, deserialize_with = "nullable")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// A severity as OSV gives it: a type (`CVSS_V3`, `CVSS_V4`, `Ubuntu`...) and a score, which for
/// CVSS is the vector string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityScore {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<Package>,
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<SeverityScore>,
    #[serde(default, deserialize_with = "nullable")]
    pub ranges: Vec<Range>,
    #[serde(default, deserialize_with = "nullable")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub events: Vec<Event>,
}

/// One event of a range: exactly one of the fields is set in a valid advisory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

fn nullable<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

impl Advisory {
    /// Parses one advisory in OSV JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Advisory, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The advisory as the database keeps it: what matching and reports read, without the
    /// bulk a lookup would otherwise parse on every scan (full details, references, related
    /// ids, `GIT` ranges, ecosystem-specific data such as Go's symbol lists). An advisory with
    /// no summary keeps the first sentence of its details as one.
    pub fn slimmed(mut self) -> Advisory {
        if self.summary.as_deref().is_none_or(|s| s.trim().is_empty()) {
            self.summary = self
                .details
                .as_deref()
                .map(first_sentence)
                .filter(|s| !s.is_empty());
        }
        self.details = None;
        self.references.clear();
        self.related.clear();
        self.database_specific = self
            .database_specific
            .as_ref()
            .and_then(|d| d.get("informational"))
            .filter(|v| !v.is_null())
            .map(|v| serde_json::json!({ "informational": v }));
        for a in &mut self.affected {
            a.ecosystem_specific = None;
            a.database_specific = None;
            a.ranges.retain(|r| r.ordering().is_some());
            // A version is affected when it is listed or in a range, so a listed version the
            // ranges already cover says nothing more: PYSEC lists every release its ranges
            // cover, hundreds per advisory, which every lookup would otherwise read.
            let ecosystem = a
                .package
                .as_ref()
                .and_then(|p| p.ecosystem.parse::<Ecosystem>().ok());
            if let (Some(ecosystem), false) = (ecosystem, a.ranges.is_empty()) {
                let ranges: Vec<RangeMatcher> = a
                    .ranges
                    .iter()
                    .filter_map(|r| RangeMatcher::new(r, ecosystem))
                    .collect();
                a.versions.retain(|v| {
                    let candidate = Candidate::new(ecosystem, v);
                    !ranges.iter().any(|r| r.affects(&candidate))
                });
            }
        }
        self
    }

    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.is_some()
    }

    /// The `affected` entries for a package, its name compared as the ecosystem compares names.
    pub fn entries_for<'a>(
        &'a self,
        ecosystem: Ecosystem,
        name: &str,
    ) -> impl Iterator<Item = &'a Affected> + 'a {
        let wanted = ecosystem.normalize_name(name);
        self.affected.iter().filter(move |a| {
            a.package.as_ref().is_some_and(|p| {
                p.ecosystem.parse::<Ecosystem>().ok() == Some(ecosystem)
                    && ecosystem.normalize_name(&p.name) == wanted
            })
        })
    }

    /// Whether this version of the package is affected (never, if the advisory is withdrawn).
    pub fn affects(&self, ecosystem: Ecosystem, name: &str, version: &str) -> bool {
        Matcher::new(self, ecosystem, name).affects(&Candidate::new(ecosystem, version))
    }
}

impl Affected {
    pub fn affects(&self, ecosystem: Ecosystem, version: &str) -> bool {
        EntryMatcher::new(self, ecosystem).affects(&Candidate::new(ecosystem, version))
    }

    /// Every `fixed` version named by the ranges that can be evaluated.
    pub fn fixed_versions(&self) -> impl Iterator<Item = &str> {
        self.ranges
            .iter()
            .filter(|r| r.ordering().is_some())
            .flat_map(|r| r.events.iter().filter_map(|e| e.fixed.as_deref()))
    }
}

impl Range {
    /// Whether versions in this range order by SemVer (`Some(true)`) or by the ecosystem
    /// (`Some(false)`); `None` for ranges over something else (`GIT` commits).
    fn ordering(&self) -> Option<bool> {
        match self.kind.as_str() {
            "SEMVER" => Some(true),
            "ECOSYSTEM" => Some(false),
            _ => None,
        }
    }

    /// Whether `version` falls in this range; `GIT` and unknown range types never match a
    /// package version.
    pub fn affects(&self, ecosystem: Ecosystem, version: &str) -> bool {
        RangeMatcher::new(self, ecosystem)
            .is_some_and(|r| r.affects(&Candidate::new(ecosystem, version)))
    }
}

/// A package version about to be matched, parsed once by each ordering it meets.
pub struct Candidate {
    text: String,
    lead: String,
    ecosystem: ParsedVersion,
    semver: std::sync::OnceLock<ParsedVersion>,
}

impl Candidate {
    pub fn new(ecosystem: Ecosystem, version: &str) -> Candidate {
        Candidate {
            text: version.to_string(),
            lead: leading_number(version).to_string(),
            ecosystem: ecosystem.parse_version(version),
            semver: std::sync::OnceLock::new(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The version as its ecosystem orders it.
    pub fn parsed(&self) -> &ParsedVersion {
        &self.ecosystem
    }

    fn ordered_by(&self, semver: bool) -> &ParsedVersion {
        if semver && !self.ecosystem.is_semver() {
            self.semver
                .get_or_init(|| ParsedVersion::semver(&self.text))
        } else {
            &self.ecosystem
        }
    }
}

/// What one advisory says about one package, every version in it parsed once: matching a
/// lockfile asks the same advisory about many versions.
#[derive(Debug, Clone)]
pub struct Matcher {
    entries: Vec<EntryMatcher>,
}

impl Matcher {
    /// The advisory's entries for the package (none at all when it is withdrawn).
    pub fn new(advisory: &Advisory, ecosystem: Ecosystem, name: &str) -> Matcher {
        let entries = if advisory.is_withdrawn() {
            Vec::new()
        } else {
            advisory
                .entries_for(ecosystem, name)
                .map(|a| EntryMatcher::new(a, ecosystem))
                .collect()
        };
        Matcher { entries }
    }

    pub fn affects(&self, version: &Candidate) -> bool {
        self.entries.iter().any(|e| e.affects(version))
    }
}

#[derive(Debug, Clone)]
struct EntryMatcher {
    ecosystem: Ecosystem,
    /// The explicit `versions`, each with its leading number.
    versions: Vec<(String, String)>,
    ranges: Vec<RangeMatcher>,
}

impl EntryMatcher {
    fn new(affected: &Affected, ecosystem: Ecosystem) -> EntryMatcher {
        EntryMatcher {
            ecosystem,
            versions: affected
                .versions
                .iter()
                .map(|v| (v.clone(), leading_number(v).to_string()))
                .collect(),
            ranges: affected
                .ranges
                .iter()
                .filter_map(|r| RangeMatcher::new(r, ecosystem))
                .collect(),
        }
    }

    fn affects(&self, version: &Candidate) -> bool {
        // Explicit lists run to hundreds of versions (PYSEC lists every affected release), so
        // only entries with the same leading number are compared by the ecosystem's rules:
        // versions that differ there are never equal.
        let listed = self.versions.iter().any(|(v, lead)| {
            *v == version.text
                || (*lead == version.lead && self.ecosystem.parse_version(v) == version.ecosystem)
        });
        listed || self.ranges.iter().any(|r| r.affects(version))
    }
}

/// One range's events, parsed. A bound of `None` is the `introduced: "0"` that every version is
/// at or above.
#[derive(Debug, Clone)]
struct RangeMatcher {
    semver: bool,
    rule: Rule,
    /// `limit` events (`None` for `*`); no limits means none apply.
    limits: Vec<Option<ParsedVersion>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
}

#[derive(Debug, Clone)]
enum Rule {
    /// `[from, to)` intervals, `to` inclusive when its flag is set, open above when absent:
    /// events written as introduced / fixed (or last_affected) pairs, as producers write them.
    /// Read in the order given, an interval whose bounds are equal is empty, and intervals may
    /// touch or overlap without one cancelling another, which a sort of all events cannot tell.
    Intervals(Vec<(Option<ParsedVersion>, Option<(ParsedVersion, bool)>)>),
    /// The schema's own evaluation, for events not written as pairs: sorted by version (`0`
    /// first) and walked, `introduced` turning affected on, `fixed` and `last_affected` off.
    Sweep(Vec<(Option<ParsedVersion>, EventKind)>),
}

impl RangeMatcher {
    fn new(range: &Range, ecosystem: Ecosystem) -> Option<RangeMatcher> {
        let semver = range.ordering()?;
        let parse = |v: &str| {
            if semver {
                ParsedVersion::semver(v)
            } else {
                ecosystem.parse_version(v)
            }
        };
        let bound = |v: &str| (v != "0").then(|| parse(v));
        let mut limits = Vec::new();
        let mut events = Vec::with_capacity(range.events.len());
        for e in &range.events {
            if let Some(limit) = &e.limit {
                limits.push((limit != "*").then(|| parse(limit)));
            } else if let Some(v) = &e.introduced {
                events.push((v.as_str(), EventKind::Introduced));
            } else if let Some(v) = &e.fixed {
                events.push((v.as_str(), EventKind::Fixed));
            } else if let Some(v) = &e.last_affected {
                events.push((v.as_str(), EventKind::LastAffected));
            }
        }
        let rule = match paired(&events) {
            Some(pairs) => Rule::Intervals(
                pairs
                    .into_iter()
                    .map(|(from, to)| (bound(from), to.map(|(v, inclusive)| (parse(v), inclusive))))
                    .collect(),
            ),
            None => {
                let mut sorted: Vec<(Option<ParsedVersion>, EventKind)> =
                    events.iter().map(|(v, kind)| (bound(v), *kind)).collect();
                // An insertion sort: some ecosystems' orders are not transitive (Maven,
                // Packagist), and the standard sorts may panic on such a comparator; the event
                // lists are a handful long. `None` (introduced "0") sorts first.
                for i in 1..sorted.len() {
                    let mut j = i;
                    while j > 0 && before(&sorted[j].0, &sorted[j - 1].0) {
                        sorted.swap(j, j - 1);
                        j -= 1;
                    }
                }
                Rule::Sweep(sorted)
            }
        };
        Some(RangeMatcher {
            semver,
            rule,
            limits,
        })
    }

    fn affects(&self, candidate: &Candidate) -> bool {
        let version = candidate.ordered_by(self.semver);
        let at_or_above = |from: &Option<ParsedVersion>| from.as_ref().is_none_or(|f| version >= f);
        let affected = match &self.rule {
            Rule::Intervals(pairs) => pairs.iter().any(|(from, to)| {
                at_or_above(from)
                    && match to {
                        None => true,
                        Some((v, inclusive)) => match version.cmp(v) {
                            Ordering::Less => true,
                            Ordering::Equal => *inclusive,
                            Ordering::Greater => false,
                        },
                    }
            }),
            Rule::Sweep(events) => {
                let mut affected = false;
                for (v, kind) in events {
                    match (kind, v) {
                        (EventKind::Introduced, _) => affected |= at_or_above(v),
                        (EventKind::Fixed, Some(v)) if version >= v => affected = false,
                        (EventKind::LastAffected, Some(v)) if version > v => affected = false,
                        (_, None) => affected = false,
                        _ => {}
                    }
                }
                affected
            }
        };
        affected
            && (self.limits.is_empty()
                || self
                    .limits
                    .iter()
                    .any(|l| l.as_ref().is_none_or(|l| version < l)))
    }
}

/// `a` sorts before `b` among sweep events, `None` (introduced "0") first.
fn before(a: &Option<ParsedVersion>, b: &Option<ParsedVersion>) -> bool {
    match (a, b) {
        (None, _) => b.is_some(),
        (Some(_), None) => false,
        (Some(a), Some(b)) => a < b,
    }
}

/// The first sentence of a text, on one line, at most 200 characters.
pub fn first_sentence(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    text[..end].chars().take(200).collect()
}

/// The first run of digits of a version, without a `v` prefix, a zero epoch (`0!`, `0:`) or
/// leading zeros: two versions equal in any ecosystem agree on it.
fn leading_number(version: &str) -> &str {
    let v = version.trim().trim_start_matches(['v', 'V']);
    let v = v
        .strip_prefix("0!")
        .or_else(|| v.strip_prefix("0:"))
        .unwrap_or(v);
    let digits = v
        .find(|c: char| !c.is_ascii_digit())
        .map_or(v, |end| &v[..end]);
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() && !digits.is_empty() {
        "0"
    } else {
        trimmed
    }
}

/// `[from, to)` with `to = (version, inclusive)`, or open above when `to` is `None`.
type Interval<'e> = (&'e str, Option<(&'e str, bool)>);

/// The events as intervals when they are written as introduced / end pairs.
fn paired<'e>(events: &[(&'e str, EventKind)]) -> Option<Vec<Interval<'e>>> {
    let mut out = Vec::new();
    let mut open: Option<&str> = None;
    for (v, kind) in events {
        match (open, *kind == EventKind::Introduced) {
            (None, true) => open = Some(v),
            (Some(from), false) => {
                out.push((from, Some((*v, *kind == EventKind::LastAffected))));
                open = None;
            }
            _ => return None,
        }
    }
    if let Some(from) = open {
        out.push((from, None));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(json: &str) -> Advisory {
        Advisory::from_json(json.as_bytes()).expect("valid OSV")
    }

    const TWO_RANGES: &str = r#"{
        "id": "PYSEC-0000-1",
        "aliases": null,
        "affected": [{
            "package": {"ecosystem": "PyPI", "name": "Zope"},
            "ranges": [
                {"type": "GIT", "repo": "https://example.com/zope", "events": [{"introduced": "0"}, {"fixed": "f72a18d"}]},
                {"type": "ECOSYSTEM", "events": [{"introduced": "4.0"}, {"fixed": "4.6.3"}, {"introduced": "5.0"}, {"fixed": "5.3"}]}
            ]
        }]
    }"#;

    #[test]
    fn ecosystem_ranges_with_two_introduced_fixed_pairs() {
        let a = advisory(TWO_RANGES);
        assert!(a.aliases.is_empty());
        for (v, want) in [
            ("3.9", false),
            ("4.0", true),
            ("4.6.2", true),
            ("4.6.3", false),
            ("4.9", false),
            ("5.0", true),
            ("5.2.1", true),
            ("5.3", false),
            ("6.0", false),
        ] {
            assert_eq!(a.affects(Ecosystem::PyPI, "zope", v), want, "{v}");
        }
        assert_eq!(
            a.affected[0].fixed_versions().collect::<Vec<_>>(),
            vec!["4.6.3", "5.3"]
        );
    }

    #[test]
    fn last_affected_is_inclusive_and_introduced_zero_is_the_bottom() {
        let a = advisory(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"npm","name":"lodash"},
                "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"last_affected":"4.17.20"}]}]}]}"#,
        );
        assert!(a.affects(Ecosystem::Npm, "lodash", "0.0.1"));
        assert!(a.affects(Ecosystem::Npm, "lodash", "4.17.20"));
        assert!(!a.affects(Ecosystem::Npm, "lodash", "4.17.21"));
        assert!(
            !a.affects(Ecosystem::Npm, "Lodash", "1.0.0"),
            "npm names are exact"
        );
    }

    #[test]
    fn explicit_versions_limits_and_withdrawal() {
        let a = advisory(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"crates.io","name":"foo"},
                "versions":["0.1.3"],
                "ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"limit":"2.0.0"}]}]}]}"#,
        );
        assert!(a.affects(Ecosystem::CratesIo, "foo", "0.1.3"));
        assert!(!a.affects(Ecosystem::CratesIo, "foo", "0.1.4"));
        assert!(a.affects(Ecosystem::CratesIo, "foo", "1.5.0"));
        assert!(!a.affects(Ecosystem::CratesIo, "foo", "2.0.0"));
        let mut w = a.clone();
        w.withdrawn = Some("2024-01-01T00:00:00Z".into());
        assert!(!w.affects(Ecosystem::CratesIo, "foo", "0.1.3"));
    }

    #[test]
    fn a_package_in_another_ecosystem_is_not_matched() {
        let a = advisory(TWO_RANGES);
        assert!(!a.affects(Ecosystem::Npm, "zope", "4.1"));
        assert!(a.affects(Ecosystem::PyPI, "ZOPE", "4.1"));
    }

    #[test]
    fn pairs_are_read_as_intervals_even_when_they_touch_or_are_empty() {
        let a = advisory(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"PyPI","name":"p"},
                "ranges":[{"type":"ECOSYSTEM","events":[
                    {"introduced":"0"},{"fixed":"3.1.1"},{"introduced":"3.2.0"},{"fixed":"3.2.2"},
                    {"introduced":"3.1.1"},{"fixed":"3.2.0"},{"introduced":"4.0"},{"fixed":"4.0"}]}]}]}"#,
        );
        for (v, want) in [
            ("3.1.1", true),
            ("3.2.0", true),
            ("3.2.2", false),
            ("4.0", false),
        ] {
            assert_eq!(a.affects(Ecosystem::PyPI, "p", v), want, "{v}");
        }
    }

    #[test]
    fn unpaired_events_fall_back_to_the_sorted_sweep() {
        let a = advisory(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"npm","name":"p"},
                "ranges":[{"type":"SEMVER","events":[{"fixed":"2.0.0"},{"introduced":"1.0.0"}]}]}]}"#,
        );
        assert!(!a.affects(Ecosystem::Npm, "p", "0.9.0"));
        assert!(a.affects(Ecosystem::Npm, "p", "1.5.0"));
        assert!(!a.affects(Ecosystem::Npm, "p", "2.0.0"));
    }

    #[test]
    fn explicit_versions_match_by_ecosystem_equality() {
        let a = advisory(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"PyPI","name":"p"},"versions":["1.0", "2.0.0", "v3"]}]}"#,
        );
        for (v, want) in [
            ("1.0.0", true),
            ("1.0", true),
            ("01.0", true),
            ("2", true),
            ("3.0", true),
            ("0!2.0", true),
            ("1.0.1", false),
            ("4", false),
        ] {
            assert_eq!(a.affects(Ecosystem::PyPI, "p", v), want, "{v}");
        }
        assert_eq!(leading_number("v010.2"), "10");
        assert_eq!(leading_number("0:1.2"), "1");
        assert_eq!(leading_number("00.1"), "0");
    }

    #[test]
    fn slimming_keeps_what_matching_reads_and_drops_listed_versions_the_ranges_cover() {
        let a = advisory(
            r#"{"id":"PYSEC-X","details":"First sentence. Second one.","references":[{"type":"WEB","url":"https://x"}],
                "affected":[{"package":{"ecosystem":"PyPI","name":"p"},
                  "ranges":[{"type":"GIT","repo":"r","events":[{"introduced":"0"},{"fixed":"abc"}]},
                            {"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"2.0"}]}],
                  "versions":["1.0","1.5","1.9","2.5"],
                  "ecosystem_specific":{"x":1}}]}"#,
        );
        let slim = a.clone().slimmed();
        assert_eq!(slim.summary.as_deref(), Some("First sentence."));
        assert!(slim.details.is_none() && slim.references.is_empty());
        assert_eq!(slim.affected[0].ranges.len(), 1, "GIT ranges go");
        assert_eq!(
            slim.affected[0].versions,
            ["2.5"],
            "only what no range covers stays"
        );
        for v in ["0.9", "1.0", "1.5", "1.9", "2.0", "2.5", "3.0"] {
            assert_eq!(
                slim.affects(Ecosystem::PyPI, "p", v),
                a.affects(Ecosystem::PyPI, "p", v),
                "{v}"
            );
        }
    }

    #[test]
    fn malformed_advisories_are_errors_not_panics() {
        assert!(Advisory::from_json(b"{").is_err());
        assert!(Advisory::from_json(br#"{"id": 5}"#).is_err());
        let odd =
            advisory(r#"{"id":"X","affected":[{"ranges":[{"type":"ECOSYSTEM","events":[{}]}]}]}"#);
        assert!(!odd.affects(Ecosystem::PyPI, "x", "1.0"));
    }
}
