//! CVSS vector strings, as OSV advisories carry them in `severity[].score`, and their base scores.
//!
//! Scores follow the FIRST specifications: v2.0 (base equation), v3.0 and v3.1 (each with its own
//! Roundup, which is why the two versions can disagree by 0.1 on the same metrics) and v4.0 (the
//! MacroVector lookup plus severity-distance interpolation of FIRST's reference calculator).
//!
//! Only the base metric group feeds `base_score`. Threat, temporal, environmental and
//! supplemental metrics are validated (a bad value still makes the vector invalid) but ignored,
//! so that one advisory's score does not depend on how much context its author added.

use std::collections::HashMap;
use std::fmt;

/// The CVSS version a vector string was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    V2,
    V3_0,
    V3_1,
    V4_0,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::V2 => "2.0",
            Version::V3_0 => "3.0",
            Version::V3_1 => "3.1",
            Version::V4_0 => "4.0",
        })
    }
}

/// A parsed vector with its base score (0.0 to 10.0, one decimal).
#[derive(Debug, Clone, PartialEq)]
pub struct Cvss {
    pub version: Version,
    /// The vector as given, without surrounding whitespace or the parentheses some v2 sources add.
    pub vector: String,
    pub base_score: f64,
}

/// Why a vector string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CVSS vector: {message}")]
pub struct CvssError {
    pub message: String,
}

impl CvssError {
    fn new(message: impl Into<String>) -> Self {
        CvssError {
            message: message.into(),
        }
    }
}

/// Parses a CVSS v2, v3.0, v3.1 or v4.0 vector string and computes its base score.
///
/// v3 and v4 vectors carry their `CVSS:x.y/` prefix; v2 vectors have none and may be wrapped in
/// parentheses, as NVD used to print them.
pub fn parse(vector: &str) -> Result<Cvss, CvssError> {
    let trimmed = vector.trim();
    if trimmed.is_empty() {
        return Err(CvssError::new("empty vector"));
    }
    let unwrapped = match trimmed.strip_prefix('(') {
        Some(rest) => rest
            .strip_suffix(')')
            .ok_or_else(|| CvssError::new("unbalanced parenthesis"))?
            .trim(),
        None => trimmed,
    };

    let (version, body) = if let Some(rest) = unwrapped.strip_prefix("CVSS:") {
        let (ver, body) = rest
            .split_once('/')
            .ok_or_else(|| CvssError::new("no metrics after the version prefix"))?;
        let version = match ver {
            "3.0" => Version::V3_0,
            "3.1" => Version::V3_1,
            "4.0" => Version::V4_0,
            other => return Err(CvssError::new(format!("unsupported CVSS version {other}"))),
        };
        (version, body)
    } else {
        (Version::V2, unwrapped)
    };

    let base_score = match version {
        Version::V2 => score_v2(&metrics(body, V2_METRICS)?),
        Version::V3_0 | Version::V3_1 => score_v3(version, &metrics(body, V3_METRICS)?),
        Version::V4_0 => {
            let m = metrics(body, V4_METRICS)?;
            // Keep only the base group so threat/environmental values fall back to "X".
            let base: HashMap<&str, &str> =
                m.into_iter().filter(|(k, _)| V4_BASE.contains(k)).collect();
            score_v4(&base)
        }
    };

    Ok(Cvss {
        version,
        vector: unwrapped.to_string(),
        base_score,
    })
}

/// Qualitative severity rating of the v3.x/v4.0 scale (also applied to v2 scores, which have no
/// official rating of their own in OSV).
pub fn severity(score: f64) -> &'static str {
    // NaN falls here too: an unusable score is not evidence of severity.
    if score.is_nan() || score <= 0.0 {
        "none"
    } else if score < 4.0 {
        "low"
    } else if score < 7.0 {
        "medium"
    } else if score < 9.0 {
        "high"
    } else {
        "critical"
    }
}

/// Metric name, whether it is required, and its allowed values.
type MetricSpec = (&'static str, bool, &'static [&'static str]);

const V2_METRICS: &[MetricSpec] = &[
    ("AV", true, &["L", "A", "N"]),
    ("AC", true, &["H", "M", "L"]),
    ("Au", true, &["M", "S", "N"]),
    ("C", true, &["N", "P", "C"]),
    ("I", true, &["N", "P", "C"]),
    ("A", true, &["N", "P", "C"]),
    ("E", false, &["U", "POC", "F", "H", "ND"]),
    ("RL", false, &["OF", "TF", "W", "U", "ND"]),
    ("RC", false, &["UC", "UR", "C", "ND"]),
    ("CDP", false, &["N", "L", "LM", "MH", "H", "ND"]),
    ("TD", false, &["N", "L", "M", "H", "ND"]),
    ("CR", false, &["L", "M", "H", "ND"]),
    ("IR", false, &["L", "M", "H", "ND"]),
    ("AR", false, &["L", "M", "H", "ND"]),
];

const V3_METRICS: &[MetricSpec] = &[
    ("AV", true, &["N", "A", "L", "P"]),
    ("AC", true, &["L", "H"]),
    ("PR", true, &["N", "L", "H"]),
    ("UI", true, &["N", "R"]),
    ("S", true, &["U", "C"]),
    ("C", true, &["H", "L", "N"]),
    ("I", true, &["H", "L", "N"]),
    ("A", true, &["H", "L", "N"]),
    ("E", false, &["X", "U", "P", "F", "H"]),
    ("RL", false, &["X", "O", "T", "W", "U"]),
    ("RC", false, &["X", "U", "R", "C"]),
    ("CR", false, &["X", "L", "M", "H"]),
    ("IR", false, &["X", "L", "M", "H"]),
    ("AR", false, &["X", "L", "M", "H"]),
    ("MAV", false, &["X", "N", "A", "L", "P"]),
    ("MAC", false, &["X", "L", "H"]),
    ("MPR", false, &["X", "N", "L", "H"]),
    ("MUI", false, &["X", "N", "R"]),
    ("MS", false, &["X", "U", "C"]),
    ("MC", false, &["X", "N", "L", "H"]),
    ("MI", false, &["X", "N", "L", "H"]),
    ("MA", false, &["X", "N", "L", "H"]),
];

const V4_BASE: &[&str] = &[
    "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
];

const V4_METRICS: &[MetricSpec] = &[
    ("AV", true, &["N", "A", "L", "P"]),
    ("AC", true, &["L", "H"]),
    ("AT", true, &["N", "P"]),
    ("PR", true, &["N", "L", "H"]),
    ("UI", true, &["N", "P", "A"]),
    ("VC", true, &["H", "L", "N"]),
    ("VI", true, &["H", "L", "N"]),
    ("VA", true, &["H", "L", "N"]),
    ("SC", true, &["H", "L", "N"]),
    ("SI", true, &["H", "L", "N"]),
    ("SA", true, &["H", "L", "N"]),
    ("E", false, &["X", "A", "P", "U"]),
    ("CR", false, &["X", "H", "M", "L"]),
    ("IR", false, &["X", "H", "M", "L"]),
    ("AR", false, &["X", "H", "M", "L"]),
    ("MAV", false, &["X", "N", "A", "L", "P"]),
    ("MAC", false, &["X", "L", "H"]),
    ("MAT", false, &["X", "N", "P"]),
    ("MPR", false, &["X", "N", "L", "H"]),
    ("MUI", false, &["X", "N", "P", "A"]),
    ("MVC", false, &["X", "H", "L", "N"]),
    ("MVI", false, &["X", "H", "L", "N"]),
    ("MVA", false, &["X", "H", "L", "N"]),
    ("MSC", false, &["X", "H", "L", "N"]),
    ("MSI", false, &["X", "S", "H", "L", "N"]),
    ("MSA", false, &["X", "S", "H", "L", "N"]),
    ("S", false, &["X", "N", "P"]),
    ("AU", false, &["X", "N", "Y"]),
    ("R", false, &["X", "A", "U", "I"]),
    ("V", false, &["X", "D", "C"]),
    ("RE", false, &["X", "L", "M", "H"]),
    ("U", false, &["X", "Clear", "Green", "Amber", "Red"]),
];

/// Splits `A:B/C:D` into a map, checking names, values, duplicates and required metrics.
/// Order is not enforced: v3.0 allowed any order and real-world data is not always tidy.
fn metrics<'a>(body: &'a str, spec: &[MetricSpec]) -> Result<HashMap<&'a str, &'a str>, CvssError> {
    let mut out = HashMap::new();
    for part in body.split('/') {
        let (name, value) = part
            .split_once(':')
            .ok_or_else(|| CvssError::new(format!("malformed metric {part:?}")))?;
        let (_, _, allowed) = spec
            .iter()
            .find(|(n, _, _)| *n == name)
            .ok_or_else(|| CvssError::new(format!("unknown metric {name:?}")))?;
        if !allowed.contains(&value) {
            return Err(CvssError::new(format!(
                "unknown value {value:?} for {name}"
            )));
        }
        if out.insert(name, value).is_some() {
            return Err(CvssError::new(format!("duplicate metric {name}")));
        }
    }
    for (name, required, _) in spec {
        if *required && !out.contains_key(name) {
            return Err(CvssError::new(format!("missing metric {name}")));
        }
    }
    Ok(out)
}

/// Rounds half up to one decimal after first snapping to 5 decimals, so that binary noise such
/// as 7.449999999999999 does not move a score across a tenth.
fn round1(x: f64) -> f64 {
    let i = (x.max(0.0) * 100_000.0).round() as i64;
    ((i + 5_000) / 10_000) as f64 / 10.0
}

fn score_v2(m: &HashMap<&str, &str>) -> f64 {
    let av = match m["AV"] {
        "L" => 0.395,
        "A" => 0.646,
        _ => 1.0,
    };
    let ac = match m["AC"] {
        "H" => 0.35,
        "M" => 0.61,
        _ => 0.71,
    };
    let au = match m["Au"] {
        "M" => 0.45,
        "S" => 0.56,
        _ => 0.704,
    };
    let cia = |k: &str| -> f64 {
        match m[k] {
            "P" => 0.275,
            "C" => 0.660,
            _ => 0.0,
        }
    };
    let impact = 10.41 * (1.0 - (1.0 - cia("C")) * (1.0 - cia("I")) * (1.0 - cia("A")));
    let exploitability = 20.0 * av * ac * au;
    let f_impact = if impact == 0.0 { 0.0 } else { 1.176 };
    round1(((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact)
}

/// CVSS v3.1 Roundup (Appendix A of the 3.1 specification): works on an integer so that values
/// such as 4.000000000000001 are not pushed up to 4.1.
fn roundup_v31(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// CVSS v3.0 Roundup: the smallest one-decimal number not below the input, computed in floating
/// point as the 3.0 specification and its calculator did.
fn roundup_v30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

fn score_v3(version: Version, m: &HashMap<&str, &str>) -> f64 {
    let changed = m["S"] == "C";
    let av = match m["AV"] {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        _ => 0.2,
    };
    let ac = if m["AC"] == "L" { 0.77 } else { 0.44 };
    let pr = match (m["PR"], changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        _ => 0.5,
    };
    let ui = if m["UI"] == "N" { 0.85 } else { 0.62 };
    let cia = |k: &str| -> f64 {
        match m[k] {
            "H" => 0.56,
            "L" => 0.22,
            _ => 0.0,
        }
    };
    let iss = 1.0 - ((1.0 - cia("C")) * (1.0 - cia("I")) * (1.0 - cia("A")));
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return 0.0;
    }
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    match version {
        Version::V3_0 => roundup_v30(raw),
        _ => roundup_v31(raw),
    }
}

// ---- CVSS v4.0 ----------------------------------------------------------------------------

/// Score of each MacroVector (EQ1..EQ6 digits), from the CVSS v4.0 specification's data.
/// MacroVectors absent here do not exist (EQ3=2 only occurs with EQ6=1).
const V4_LOOKUP: &[(&str, f64)] = &[
    ("000000", 10.0),
    ("000001", 9.9),
    ("000010", 9.8),
    ("000011", 9.5),
    ("000020", 9.5),
    ("000021", 9.2),
    ("000100", 10.0),
    ("000101", 9.6),
    ("000110", 9.3),
    ("000111", 8.7),
    ("000120", 9.1),
    ("000121", 8.1),
    ("000200", 9.3),
    ("000201", 9.0),
    ("000210", 8.9),
    ("000211", 8.0),
    ("000220", 8.1),
    ("000221", 6.8),
    ("001000", 9.8),
    ("001001", 9.5),
    ("001010", 9.5),
    ("001011", 9.2),
    ("001020", 9.0),
    ("001021", 8.4),
    ("001100", 9.3),
    ("001101", 9.2),
    ("001110", 8.9),
    ("001111", 8.1),
    ("001120", 8.1),
    ("001121", 6.5),
    ("001200", 8.8),
    ("001201", 8.0),
    ("001210", 7.8),
    ("001211", 7.0),
    ("001220", 6.9),
    ("001221", 4.8),
    ("002001", 9.2),
    ("002011", 8.2),
    ("002021", 7.2),
    ("002101", 7.9),
    ("002111", 6.9),
    ("002121", 5.0),
    ("002201", 6.9),
    ("002211", 5.5),
    ("002221", 2.7),
    ("010000", 9.9),
    ("010001", 9.7),
    ("010010", 9.5),
    ("010011", 9.2),
    ("010020", 9.2),
    ("010021", 8.5),
    ("010100", 9.5),
    ("010101", 9.1),
    ("010110", 9.0),
    ("010111", 8.3),
    ("010120", 8.4),
    ("010121", 7.1),
    ("010200", 9.2),
    ("010201", 8.1),
    ("010210", 8.2),
    ("010211", 7.1),
    ("010220", 7.2),
    ("010221", 5.3),
    ("011000", 9.5),
    ("011001", 9.3),
    ("011010", 9.2),
    ("011011", 8.5),
    ("011020", 8.5),
    ("011021", 7.3),
    ("011100", 9.2),
    ("011101", 8.2),
    ("011110", 8.0),
    ("011111", 7.2),
    ("011120", 7.0),
    ("011121", 5.9),
    ("011200", 8.4),
    ("011201", 7.0),
    ("011210", 7.1),
    ("011211", 5.2),
    ("011220", 5.0),
    ("011221", 3.0),
    ("012001", 8.6),
    ("012011", 7.5),
    ("012021", 5.2),
    ("012101", 7.1),
    ("012111", 5.2),
    ("012121", 2.9),
    ("012201", 6.3),
    ("012211", 2.9),
    ("012221", 1.7),
    ("100000", 9.8),
    ("100001", 9.5),
    ("100010", 9.4),
    ("100011", 8.7),
    ("100020", 9.1),
    ("100021", 8.1),
    ("100100", 9.4),
    ("100101", 8.9),
    ("100110", 8.6),
    ("100111", 7.4),
    ("100120", 7.7),
    ("100121", 6.4),
    ("100200", 8.7),
    ("100201", 7.5),
    ("100210", 7.4),
    ("100211", 6.3),
    ("100220", 6.3),
    ("100221", 4.9),
    ("101000", 9.4),
    ("101001", 8.9),
    ("101010", 8.8),
    ("101011", 7.7),
    ("101020", 7.6),
    ("101021", 6.7),
    ("101100", 8.6),
    ("101101", 7.6),
    ("101110", 7.4),
    ("101111", 5.8),
    ("101120", 5.9),
    ("101121", 5.0),
    ("101200", 7.2),
    ("101201", 5.7),
    ("101210", 5.7),
    ("101211", 5.2),
    ("101220", 5.2),
    ("101221", 2.5),
    ("102001", 8.3),
    ("102011", 7.0),
    ("102021", 5.4),
    ("102101", 6.5),
    ("102111", 5.8),
    ("102121", 2.6),
    ("102201", 5.3),
    ("102211", 2.1),
    ("102221", 1.3),
    ("110000", 9.5),
    ("110001", 9.0),
    ("110010", 8.8),
    ("110011", 7.6),
    ("110020", 7.6),
    ("110021", 7.0),
    ("110100", 9.0),
    ("110101", 7.7),
    ("110110", 7.5),
    ("110111", 6.2),
    ("110120", 6.1),
    ("110121", 5.3),
    ("110200", 7.7),
    ("110201", 6.6),
    ("110210", 6.8),
    ("110211", 5.9),
    ("110220", 5.2),
    ("110221", 3.0),
    ("111000", 8.9),
    ("111001", 7.8),
    ("111010", 7.6),
    ("111011", 6.7),
    ("111020", 6.2),
    ("111021", 5.8),
    ("111100", 7.4),
    ("111101", 5.9),
    ("111110", 5.7),
    ("111111", 5.7),
    ("111120", 4.7),
    ("111121", 2.3),
    ("111200", 6.1),
    ("111201", 5.2),
    ("111210", 5.7),
    ("111211", 2.9),
    ("111220", 2.4),
    ("111221", 1.6),
    ("112001", 7.1),
    ("112011", 5.9),
    ("112021", 3.0),
    ("112101", 5.8),
    ("112111", 2.6),
    ("112121", 1.5),
    ("112201", 2.3),
    ("112211", 1.3),
    ("112221", 0.6),
    ("200000", 9.3),
    ("200001", 8.7),
    ("200010", 8.6),
    ("200011", 7.2),
    ("200020", 7.5),
    ("200021", 5.8),
    ("200100", 8.6),
    ("200101", 7.4),
    ("200110", 7.4),
    ("200111", 6.1),
    ("200120", 5.6),
    ("200121", 3.4),
    ("200200", 7.0),
    ("200201", 5.4),
    ("200210", 5.2),
    ("200211", 4.0),
    ("200220", 4.0),
    ("200221", 2.2),
    ("201000", 8.5),
    ("201001", 7.5),
    ("201010", 7.4),
    ("201011", 5.5),
    ("201020", 6.2),
    ("201021", 5.1),
    ("201100", 7.2),
    ("201101", 5.7),
    ("201110", 5.5),
    ("201111", 4.1),
    ("201120", 4.6),
    ("201121", 1.9),
    ("201200", 5.3),
    ("201201", 3.6),
    ("201210", 3.4),
    ("201211", 1.9),
    ("201220", 1.9),
    ("201221", 0.8),
    ("202001", 6.4),
    ("202011", 5.1),
    ("202021", 2.0),
    ("202101", 4.7),
    ("202111", 2.1),
    ("202121", 1.1),
    ("202201", 2.4),
    ("202211", 0.9),
    ("202221", 0.4),
    ("210000", 8.8),
    ("210001", 7.5),
    ("210010", 7.3),
    ("210011", 5.3),
    ("210020", 6.0),
    ("210021", 5.0),
    ("210100", 7.3),
    ("210101", 5.5),
    ("210110", 5.9),
    ("210111", 4.0),
    ("210120", 4.1),
    ("210121", 2.0),
    ("210200", 5.4),
    ("210201", 4.3),
    ("210210", 4.5),
    ("210211", 2.2),
    ("210220", 2.0),
    ("210221", 1.1),
    ("211000", 7.5),
    ("211001", 5.5),
    ("211010", 5.8),
    ("211011", 4.5),
    ("211020", 4.0),
    ("211021", 2.1),
    ("211100", 6.1),
    ("211101", 5.1),
    ("211110", 4.8),
    ("211111", 1.8),
    ("211120", 2.0),
    ("211121", 0.9),
    ("211200", 4.6),
    ("211201", 1.8),
    ("211210", 1.7),
    ("211211", 0.7),
    ("211220", 0.8),
    ("211221", 0.2),
    ("212001", 5.3),
    ("212011", 2.4),
    ("212021", 1.4),
    ("212101", 2.4),
    ("212111", 1.2),
    ("212121", 0.5),
    ("212201", 1.0),
    ("212211", 0.3),
    ("212221", 0.1),
];

fn v4_lookup(eq: [u8; 6]) -> Option<f64> {
    let key = eq.map(|d| b'0' + d);
    V4_LOOKUP
        .iter()
        .find(|(k, _)| k.as_bytes() == key)
        .map(|(_, v)| *v)
}

/// Metrics whose severity distance is measured, in the reference calculator's order. E is
/// included so that a candidate maximum from another EQ5 level can never be chosen.
const V4_DISTANCE_METRICS: [&str; 15] = [
    "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR", "E",
];

/// Severity level of a value, in steps of 0.1 (0.0 is the most severe), as in the reference
/// calculator; the binary noise these fractions add is absorbed by the final rounding.
fn v4_level(metric: &str, value: &str) -> f64 {
    match (metric, value) {
        ("AV", "N") | ("PR", "N") | ("UI", "N") | ("AC", "L") | ("AT", "N") => 0.0,
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 0.1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 0.2,
        ("AV", "P") => 0.3,
        ("VC" | "VI" | "VA", "H") => 0.0,
        ("VC" | "VI" | "VA", "L") => 0.1,
        ("VC" | "VI" | "VA", "N") => 0.2,
        ("SI" | "SA", "S") => 0.0,
        ("SC" | "SI" | "SA", "H") => 0.1,
        ("SC" | "SI" | "SA", "L") => 0.2,
        ("SC" | "SI" | "SA", "N") => 0.3,
        ("CR" | "IR" | "AR", "H") => 0.0,
        ("CR" | "IR" | "AR", "M") => 0.1,
        ("CR" | "IR" | "AR", "L") => 0.2,
        ("E", "A") => 0.0,
        ("E", "P") => 0.1,
        ("E", "U") => 0.2,
        _ => 0.0,
    }
}

/// Highest-severity vectors of each EQ level, as (metric, value) lists, from the specification's
/// data. A vector's distance is measured against the first of their combinations that is at least
/// as severe in every metric.
fn v4_max_vectors(eq: [u8; 6]) -> Vec<Vec<(&'static str, &'static str)>> {
    type Part = &'static [(&'static str, &'static str)];
    let eq1: &[Part] = match eq[0] {
        0 => &[&[("AV", "N"), ("PR", "N"), ("UI", "N")]],
        1 => &[
            &[("AV", "A"), ("PR", "N"), ("UI", "N")],
            &[("AV", "N"), ("PR", "L"), ("UI", "N")],
            &[("AV", "N"), ("PR", "N"), ("UI", "P")],
        ],
        _ => &[
            &[("AV", "P"), ("PR", "N"), ("UI", "N")],
            &[("AV", "A"), ("PR", "L"), ("UI", "P")],
        ],
    };
    let eq2: &[Part] = match eq[1] {
        0 => &[&[("AC", "L"), ("AT", "N")]],
        _ => &[&[("AC", "H"), ("AT", "N")], &[("AC", "L"), ("AT", "P")]],
    };
    let eq3eq6: &[Part] = match (eq[2], eq[5]) {
        (0, 0) => &[&[
            ("VC", "H"),
            ("VI", "H"),
            ("VA", "H"),
            ("CR", "H"),
            ("IR", "H"),
            ("AR", "H"),
        ]],
        (0, _) => &[
            &[
                ("VC", "H"),
                ("VI", "H"),
                ("VA", "L"),
                ("CR", "M"),
                ("IR", "M"),
                ("AR", "H"),
            ],
            &[
                ("VC", "H"),
                ("VI", "H"),
                ("VA", "H"),
                ("CR", "M"),
                ("IR", "M"),
                ("AR", "M"),
            ],
        ],
        (1, 0) => &[
            &[
                ("VC", "L"),
                ("VI", "H"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "H"),
                ("AR", "H"),
            ],
            &[
                ("VC", "H"),
                ("VI", "L"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "H"),
                ("AR", "H"),
            ],
        ],
        (1, _) => &[
            &[
                ("VC", "L"),
                ("VI", "H"),
                ("VA", "L"),
                ("CR", "H"),
                ("IR", "M"),
                ("AR", "H"),
            ],
            &[
                ("VC", "L"),
                ("VI", "H"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "M"),
                ("AR", "M"),
            ],
            &[
                ("VC", "H"),
                ("VI", "L"),
                ("VA", "H"),
                ("CR", "M"),
                ("IR", "H"),
                ("AR", "M"),
            ],
            &[
                ("VC", "H"),
                ("VI", "L"),
                ("VA", "L"),
                ("CR", "M"),
                ("IR", "H"),
                ("AR", "H"),
            ],
            &[
                ("VC", "L"),
                ("VI", "L"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "H"),
                ("AR", "M"),
            ],
        ],
        _ => &[&[
            ("VC", "L"),
            ("VI", "L"),
            ("VA", "L"),
            ("CR", "H"),
            ("IR", "H"),
            ("AR", "H"),
        ]],
    };
    let eq4: Part = match eq[3] {
        0 => &[("SC", "H"), ("SI", "S"), ("SA", "S")],
        1 => &[("SC", "H"), ("SI", "H"), ("SA", "H")],
        _ => &[("SC", "L"), ("SI", "L"), ("SA", "L")],
    };
    let eq5: Part = match eq[4] {
        0 => &[("E", "A")],
        1 => &[("E", "P")],
        _ => &[("E", "U")],
    };
    let mut out = Vec::new();
    for a in eq1 {
        for b in eq2 {
            for c in eq3eq6 {
                let mut v: Vec<(&str, &str)> = Vec::with_capacity(15);
                v.extend_from_slice(a);
                v.extend_from_slice(b);
                v.extend_from_slice(c);
                v.extend_from_slice(eq4);
                v.extend_from_slice(eq5);
                out.push(v);
            }
        }
    }
    out
}

/// Depth of each MacroVector level (largest severity distance inside it, plus one), in 0.1 steps.
fn v4_max_severity(eq: [u8; 6]) -> [f64; 4] {
    let eq1 = [1.0, 4.0, 5.0][eq[0] as usize];
    let eq2 = [1.0, 2.0][eq[1] as usize];
    let eq3eq6 = match (eq[2], eq[5]) {
        (0, 0) => 7.0,
        (0, _) => 6.0,
        (1, _) => 8.0,
        _ => 10.0,
    };
    let eq4 = [6.0, 5.0, 4.0][eq[3] as usize];
    [eq1 * 0.1, eq2 * 0.1, eq3eq6 * 0.1, eq4 * 0.1]
}

/// CVSS v4.0 score of a validated metric map. Absent threat/environmental metrics count as "X".
fn score_v4(m: &HashMap<&str, &str>) -> f64 {
    // Effective value: X defaults to the worst case for E and the security requirements, and a
    // defined modified metric replaces its base metric.
    let effective: HashMap<&str, &str> = [
        ("AV", "MAV"),
        ("AC", "MAC"),
        ("AT", "MAT"),
        ("PR", "MPR"),
        ("UI", "MUI"),
        ("VC", "MVC"),
        ("VI", "MVI"),
        ("VA", "MVA"),
        ("SC", "MSC"),
        ("SI", "MSI"),
        ("SA", "MSA"),
        ("E", ""),
        ("CR", ""),
        ("IR", ""),
        ("AR", ""),
        ("MSI", ""),
        ("MSA", ""),
    ]
    .into_iter()
    .map(|(metric, modified)| {
        let selected = m.get(metric).copied().unwrap_or("X");
        let value = match (metric, selected, m.get(modified).copied()) {
            ("E", "X", _) => "A",
            ("CR" | "IR" | "AR", "X", _) => "H",
            (_, _, Some(v)) if v != "X" => v,
            _ => selected,
        };
        (metric, value)
    })
    .collect();
    let eff = |metric: &str| -> &str { effective.get(metric).copied().unwrap_or("X") };

    if ["VC", "VI", "VA", "SC", "SI", "SA"]
        .iter()
        .all(|k| eff(k) == "N")
    {
        return 0.0;
    }

    let (av, pr, ui) = (eff("AV"), eff("PR"), eff("UI"));
    let eq1 = if av == "N" && pr == "N" && ui == "N" {
        0
    } else if (av == "N" || pr == "N" || ui == "N") && av != "P" {
        1
    } else {
        2
    };
    let eq2 = if eff("AC") == "L" && eff("AT") == "N" {
        0
    } else {
        1
    };
    let (vc, vi, va) = (eff("VC"), eff("VI"), eff("VA"));
    let eq3 = if vc == "H" && vi == "H" {
        0
    } else if vc == "H" || vi == "H" || va == "H" {
        1
    } else {
        2
    };
    let eq4 = if eff("MSI") == "S" || eff("MSA") == "S" {
        0
    } else if eff("SC") == "H" || eff("SI") == "H" || eff("SA") == "H" {
        1
    } else {
        2
    };
    let eq5 = match eff("E") {
        "A" => 0,
        "P" => 1,
        _ => 2,
    };
    let eq6 = if (eff("CR") == "H" && vc == "H")
        || (eff("IR") == "H" && vi == "H")
        || (eff("AR") == "H" && va == "H")
    {
        0
    } else {
        1
    };
    let eq = [eq1, eq2, eq3, eq4, eq5, eq6];
    let Some(value) = v4_lookup(eq) else {
        // Every combination of valid metrics maps to a listed MacroVector; this is a safe guard.
        return 0.0;
    };

    let bump = |i: usize| {
        let mut e = eq;
        e[i] += 1;
        e
    };
    let lower_eq1 = v4_lookup(bump(0));
    let lower_eq2 = v4_lookup(bump(1));
    let lower_eq3eq6 = match (eq3, eq6) {
        // Two MacroVectors sit directly below 00; the higher-scoring one bounds the distance.
        (0, 0) => match (v4_lookup(bump(5)), v4_lookup(bump(2))) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        },
        (1, 0) => v4_lookup(bump(5)),
        (0 | 1, 1) => v4_lookup(bump(2)),
        _ => None,
    };
    let lower_eq4 = v4_lookup(bump(3));
    let lower_eq5 = v4_lookup(bump(4));

    // Distances from the first maximal vector that dominates this one; if none does, the last
    // candidate is used, matching the reference calculator.
    let candidates = v4_max_vectors(eq);
    let mut distances: HashMap<&str, f64> = HashMap::new();
    for candidate in &candidates {
        distances = V4_DISTANCE_METRICS
            .iter()
            .map(|metric| {
                let max_value = candidate
                    .iter()
                    .find(|(k, _)| k == metric)
                    .map(|(_, v)| *v)
                    .unwrap_or("X");
                (
                    *metric,
                    v4_level(metric, eff(metric)) - v4_level(metric, max_value),
                )
            })
            .collect();
        if distances.values().all(|d| *d >= 0.0) {
            break;
        }
    }
    let d = |k: &str| distances.get(k).copied().unwrap_or(0.0);
    let current = [
        d("AV") + d("PR") + d("UI"),
        d("AC") + d("AT"),
        d("VC") + d("VI") + d("VA") + d("CR") + d("IR") + d("AR"),
        d("SC") + d("SI") + d("SA"),
    ];
    let max_severity = v4_max_severity(eq);

    let mut n_lower = 0u32;
    let mut total = 0.0;
    for (i, lower) in [lower_eq1, lower_eq2, lower_eq3eq6, lower_eq4]
        .into_iter()
        .enumerate()
    {
        if let Some(lower) = lower {
            n_lower += 1;
            total += (value - lower) * (current[i] / max_severity[i]);
        }
    }
    // EQ5 has a single value per level, so its proportional distance is always zero, but an
    // existing lower MacroVector still counts towards the mean.
    if lower_eq5.is_some() {
        n_lower += 1;
    }
    let mean = if n_lower == 0 {
        0.0
    } else {
        total / f64::from(n_lower)
    };
    // Exact ties (x.x5) round up even when binary arithmetic lands a hair below them, as the
    // specification's reference implementations settled on.
    round1((value - mean).clamp(0.0, 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(v: &str) -> f64 {
        parse(v).unwrap_or_else(|e| panic!("{v}: {e}")).base_score
    }

    fn assert_score(v: &str, expected: f64) {
        let got = score(v);
        assert!(
            (got - expected).abs() < 1e-9,
            "{v}: expected {expected}, got {got}"
        );
    }

    fn full_v4(v: &str) -> f64 {
        let body = v.strip_prefix("CVSS:4.0/").unwrap();
        score_v4(&metrics(body, V4_METRICS).unwrap())
    }

    #[test]
    fn v31_known_scores() {
        for (v, s) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
            ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1),
        ] {
            assert_score(v, s);
            assert_eq!(parse(v).unwrap().version, Version::V3_1);
        }
    }

    #[test]
    fn v3_temporal_and_environmental_metrics_are_ignored() {
        assert_score(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U/CR:L/MAV:P/MS:C",
            9.8,
        );
        assert_score(
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:X/RC:C",
            9.8,
        );
    }

    #[test]
    fn v30_scores_and_roundup() {
        assert_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
        assert_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1);
        // 3.0's floating-point ceiling turns binary noise just above a tenth into the next tenth.
        assert_eq!(roundup_v30(4.000000000000001), 4.1);
        assert_eq!(roundup_v31(4.000000000000001), 4.0);
        assert_eq!(roundup_v31(4.02), 4.1);
        assert_eq!(roundup_v31(4.0), 4.0);
        // No base vector lands on such noise: all 2592 base metric combinations score the same
        // under both versions (the difference shows in environmental scores only).
        let mut combos = vec![String::new()];
        for (name, values) in [
            ("AV", &["N", "A", "L", "P"][..]),
            ("AC", &["L", "H"]),
            ("PR", &["N", "L", "H"]),
            ("UI", &["N", "R"]),
            ("S", &["U", "C"]),
            ("C", &["H", "L", "N"]),
            ("I", &["H", "L", "N"]),
            ("A", &["H", "L", "N"]),
        ] {
            combos = combos
                .iter()
                .flat_map(|prefix| values.iter().map(move |v| format!("{prefix}/{name}:{v}")))
                .collect();
        }
        assert_eq!(combos.len(), 2592);
        for b in combos {
            assert_eq!(
                score(&format!("CVSS:3.0{b}")),
                score(&format!("CVSS:3.1{b}")),
                "{b}"
            );
        }
    }

    #[test]
    fn v2_scores() {
        assert_score("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5);
        assert_score("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3);
        assert_score("(AV:N/AC:L/Au:N/C:C/I:C/A:C)", 10.0);
        assert_score("AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0);
        assert_score("AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2);
        assert_score("AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0);
        assert_score("AV:N/AC:M/Au:S/C:P/I:P/A:P", 6.0);
        assert_score("AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:ND", 7.8);
        let parsed = parse("(AV:N/AC:L/Au:N/C:P/I:P/A:P)").unwrap();
        assert_eq!(parsed.version, Version::V2);
        assert_eq!(parsed.vector, "AV:N/AC:L/Au:N/C:P/I:P/A:P");
    }

    #[test]
    fn v4_scores() {
        for (v, s) in [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N",
                6.9,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
            ),
            (
                "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.5,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
                5.3,
            ),
            // Interpolates to exactly 8.55, which floating point puts a hair below the tie.
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H",
                8.6,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.7,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
                8.7,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
                8.7,
            ),
            (
                "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
                1.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.2,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.2,
            ),
        ] {
            assert_score(v, s);
            assert_eq!(parse(v).unwrap().version, Version::V4_0);
        }
    }

    #[test]
    fn v4_threat_and_environmental_metrics_do_not_change_the_base_score() {
        let v = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A";
        assert_score(
            v,
            score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N"),
        );
        // The full algorithm still honours them when asked (FIRST's calculator gives 8.7 here).
        assert!((full_v4(v) - 8.7).abs() < 1e-9, "{}", full_v4(v));
        for (v, s) in [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
                8.1,
            ),
            // Ties at 0.35 and 8.95 round up.
            (
                "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U",
                0.4,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H/E:P",
                9.0,
            ),
        ] {
            assert!((full_v4(v) - s).abs() < 1e-9, "{v}: {}", full_v4(v));
        }
        assert_score(
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/CR:L/MSI:S/S:P/AU:Y/R:A/V:D/RE:L/U:Red",
            9.3,
        );
    }

    #[test]
    fn v4_base_vectors_score_within_range() {
        let values: [&[&str]; 11] = [
            &["N", "A", "L", "P"],
            &["L", "H"],
            &["N", "P"],
            &["N", "L", "H"],
            &["N", "P", "A"],
            &["H", "L", "N"],
            &["H", "L", "N"],
            &["H", "L", "N"],
            &["H", "L", "N"],
            &["H", "L", "N"],
            &["H", "L", "N"],
        ];
        let mut idx = [0usize; 11];
        // Every 7th of the 104,976 base vectors: a spread over all MacroVectors that keeps the
        // debug-build test fast.
        let mut n = 0u32;
        loop {
            n += 1;
            if n.is_multiple_of(7) {
                let m: HashMap<&str, &str> = V4_BASE
                    .iter()
                    .zip(idx.iter())
                    .enumerate()
                    .map(|(i, (k, j))| (*k, values[i][*j]))
                    .collect();
                let s = score_v4(&m);
                assert!((0.0..=10.0).contains(&s), "{m:?} scored {s}");
            }
            let mut pos = 0;
            loop {
                if pos == 11 {
                    return;
                }
                idx[pos] += 1;
                if idx[pos] < values[pos].len() {
                    break;
                }
                idx[pos] = 0;
                pos += 1;
            }
        }
    }

    #[test]
    fn severity_scale() {
        assert_eq!(severity(0.0), "none");
        assert_eq!(severity(0.1), "low");
        assert_eq!(severity(3.9), "low");
        assert_eq!(severity(4.0), "medium");
        assert_eq!(severity(6.9), "medium");
        assert_eq!(severity(7.0), "high");
        assert_eq!(severity(8.9), "high");
        assert_eq!(severity(9.0), "critical");
        assert_eq!(severity(10.0), "critical");
        assert_eq!(severity(f64::NAN), "none");
    }

    #[test]
    fn errors() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("garbage", "malformed"),
            ("CVSS:3.1", "no metrics"),
            ("CVSS:3.1/", "malformed"),
            ("CVSS:9.9/AV:N", "unsupported"),
            (
                "CVSS:3.1/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "missing metric AV",
            ),
            (
                "CVSS:3.1/AV:N/AC:X/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "unknown value \"X\" for AC",
            ),
            (
                "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "duplicate metric AV",
            ),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "malformed"),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
                "unknown metric",
            ),
            (
                "CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "unknown value",
            ),
            ("AV:N/AC:L/Au:N/C:P/I:P", "missing metric A"),
            ("(AV:N/AC:L/Au:N/C:P/I:P/A:P", "unbalanced"),
            ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown metric"),
            (
                "CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                "missing metric AT",
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
                "unknown value",
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/E:A",
                "duplicate",
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:U",
                "unknown value",
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H:H",
                "unknown value",
            ),
            ("\u{0}\u{ffff}/::", "malformed"),
        ];
        for (v, needle) in cases {
            let err = parse(v).expect_err(v);
            assert!(
                err.message.contains(needle),
                "{v:?}: {:?} lacks {needle:?}",
                err.message
            );
        }
    }
}
