//! Exploit intelligence for ranking findings: how likely a CVE is to be exploited soon (FIRST's
//! EPSS) and whether it is known to be exploited already (CISA's Known Exploited
//! Vulnerabilities catalog).
//!
//! Both are imported from the files their publishers distribute, the daily EPSS CSV
//! (`epss_scores-YYYY-MM-DD.csv`, plain or gzip-compressed) and
//! `known_exploited_vulnerabilities.json`, into one file next to the vulnerability database
//! ([`intel_path`]). Importing one part keeps the other. Writes go to a temporary file renamed
//! over the old one, so an interrupted import leaves the previous file whole. Two imports
//! running at once are not coordinated: the one that finishes last wins.
//!
//! # File layout
//!
//! ```text
//! "RMPRTIN1"                      8-byte magic
//! header length                   u32, little-endian
//! header                          JSON: format, per-part status, section lengths, checksum
//! EPSS section                    14-byte records sorted by CVE:
//!                                   year u16 BE, number u32 BE,
//!                                   score u32 BE, percentile u32 BE (both in units of 1e-9)
//! KEV section                     UTF-8 lines sorted by CVE, fields separated by tabs
//! ```
//!
//! A scan opens the file on every run, so opening reads it and checks its length and checksum
//! but parses no EPSS row: an EPSS lookup is a binary search over the fixed-width records.
//! The KEV part, about a thousand and a half lines, is parsed at open.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

const MAGIC: &[u8; 8] = b"RMPRTIN1";
const FORMAT_VERSION: u32 = 1;
const EPSS_RECORD: usize = 14;
/// A header larger than this is not one rampart wrote.
const MAX_HEADER: usize = 1 << 20;
/// The largest EPSS or KEV file read, after decompression.
pub const MAX_INPUT: u64 = 512 << 20;
/// Bad rows quoted in an [`ImportSummary`]; the rest are only counted.
const MAX_BAD_EXAMPLES: usize = 5;
/// Probabilities are stored as integers in these units.
const SCALE: f64 = 1e9;

/// Why exploit intelligence could not be imported or opened.
#[derive(Debug, thiserror::Error)]
pub enum IntelError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the exploit intelligence file {path} is damaged ({message}): import EPSS and KEV again"
    )]
    Corrupt { path: PathBuf, message: String },
    #[error("{path}: more than {limit} bytes, too large for {what}")]
    TooLarge {
        path: PathBuf,
        what: &'static str,
        limit: u64,
    },
    #[error("{path}: not an EPSS CSV: {message}")]
    NotEpss { path: PathBuf, message: String },
    #[error("{path}: not a CISA KEV catalog: {message}")]
    NotKev { path: PathBuf, message: String },
    #[error("{path}: not valid JSON (line {line}, column {column}): {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: no valid {part} rows ({bad} bad{}{})", if examples.is_empty() { "" } else { ": " }, examples.join("; "))]
    NothingValid {
        path: PathBuf,
        part: IntelPart,
        bad: u64,
        examples: Vec<String>,
    },
}

/// The two parts of the intelligence file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IntelPart {
    Epss,
    Kev,
}

impl std::fmt::Display for IntelPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IntelPart::Epss => "EPSS",
            IntelPart::Kev => "KEV",
        })
    }
}

/// Where the EPSS part came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpssInfo {
    /// The imported file's name.
    pub source: String,
    /// The model that produced the scores (`v2025.03.14`), from the CSV's comment line.
    pub model_version: Option<String>,
    /// When the scores were computed, from the comment line or else the file name.
    pub score_date: Option<String>,
    pub rows: u64,
    /// When it was imported, seconds since the Unix epoch.
    pub imported: u64,
}

/// Where the KEV part came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevInfo {
    /// The imported file's name.
    pub source: String,
    /// The catalog's `catalogVersion` (`2026.11.20`).
    pub catalog_version: Option<String>,
    /// The catalog's `dateReleased`.
    pub date_released: Option<String>,
    pub rows: u64,
    /// When it was imported, seconds since the Unix epoch.
    pub imported: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Header {
    format: u32,
    epss: Option<EpssInfo>,
    kev: Option<KevInfo>,
    epss_bytes: u64,
    kev_bytes: u64,
    /// Of both sections, in hex.
    checksum: String,
}

/// A CVE's EPSS score: the probability of exploitation activity in the next 30 days, and the
/// share of all scored CVEs with a score no higher.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Epss {
    pub score: f64,
    pub percentile: f64,
}

/// A CVE's entry in the KEV catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    /// Upper case, `CVE-2021-44228`.
    pub cve: String,
    pub vendor: String,
    pub product: String,
    /// The catalog's `vulnerabilityName`.
    pub name: String,
    /// When CISA added it, `YYYY-MM-DD`.
    pub date_added: String,
    /// When U.S. federal agencies must have remediated it, `YYYY-MM-DD`.
    pub due_date: String,
    /// Whether it is known to be used in ransomware campaigns.
    pub ransomware: bool,
    pub required_action: String,
}

/// Everything known about one CVE.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CveIntel<'a> {
    pub epss: Option<Epss>,
    pub kev: Option<&'a KevEntry>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub part: IntelPart,
    /// The imported file's name.
    pub source: String,
    /// Rows imported.
    pub rows: u64,
    /// Rows passed over (malformed, out of range, duplicated).
    pub bad_rows: u64,
    /// The first few bad rows, each with its line number (EPSS) or position (KEV).
    pub bad_examples: Vec<String>,
    /// The EPSS score date or the KEV catalog version.
    pub version: Option<String>,
    /// The other part, when it was kept from the existing file.
    pub kept: Option<IntelPart>,
    /// Things worth telling that did not stop the import.
    pub warnings: Vec<String>,
}

/// The intelligence file that belongs to a vulnerability database: beside it, with the
/// extension `intel` (`osv.rdb` → `osv.intel`).
pub fn intel_path(db: &Path) -> PathBuf {
    db.with_extension("intel")
}

/// An open intelligence file.
pub struct Intel {
    path: PathBuf,
    header: Header,
    /// The whole file; the EPSS records are `bytes[epss_at..epss_at + header.epss_bytes]`.
    bytes: Vec<u8>,
    epss_at: usize,
    /// Sorted by key.
    kev: Vec<(CveKey, KevEntry)>,
}

impl std::fmt::Debug for Intel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intel")
            .field("path", &self.path)
            .field("epss", &self.header.epss)
            .field("kev", &self.header.kev)
            .finish_non_exhaustive()
    }
}

impl Intel {
    /// Opens the file at `path`; `None` when there is none. A file that is not one rampart
    /// wrote, or that was truncated or altered, is [`IntelError::Corrupt`].
    pub fn open(path: &Path) -> Result<Option<Intel>, IntelError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(IntelError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Intel::from_bytes(path, bytes).map(Some)
    }

    fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Intel, IntelError> {
        let corrupt = |message: String| IntelError::Corrupt {
            path: path.to_path_buf(),
            message,
        };
        if bytes.get(..8) != Some(MAGIC.as_slice()) {
            return Err(corrupt("not a rampart exploit intelligence file".into()));
        }
        let header_len = bytes
            .get(8..12)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| corrupt("shorter than its header".into()))?
            as usize;
        if header_len > MAX_HEADER {
            return Err(corrupt("the header length is implausible".into()));
        }
        let header_bytes = bytes
            .get(12..12 + header_len)
            .ok_or_else(|| corrupt("truncated header".into()))?;
        let header: Header =
            serde_json::from_slice(header_bytes).map_err(|e| corrupt(format!("header: {e}")))?;
        if header.format != FORMAT_VERSION {
            return Err(corrupt(format!(
                "unsupported format version {}",
                header.format
            )));
        }
        let epss_at = 12 + header_len;
        let expected = u64::try_from(epss_at)
            .ok()
            .and_then(|n| n.checked_add(header.epss_bytes))
            .and_then(|n| n.checked_add(header.kev_bytes));
        if expected != Some(bytes.len() as u64) {
            return Err(corrupt(format!(
                "{} bytes where the header describes {}",
                bytes.len(),
                expected.map_or_else(|| "more than can exist".into(), |n| n.to_string())
            )));
        }
        // Both lengths fit in the file, so in usize.
        let epss_len = header.epss_bytes as usize;
        let epss_rows = header.epss.as_ref().map_or(0, |e| e.rows);
        if usize::try_from(epss_rows)
            .ok()
            .and_then(|rows| rows.checked_mul(EPSS_RECORD))
            != Some(epss_len)
        {
            return Err(corrupt(
                "the EPSS section does not hold the rows the header counts".into(),
            ));
        }
        let sections = &bytes[epss_at..];
        if format!("{:016x}", checksum(sections)) != header.checksum {
            return Err(corrupt("checksum mismatch".into()));
        }
        let kev_text = std::str::from_utf8(&sections[epss_len..])
            .map_err(|_| corrupt("the KEV section is not UTF-8".into()))?;
        let kev = read_kev_lines(kev_text).ok_or_else(|| corrupt("unreadable KEV line".into()))?;
        if kev.len() as u64 != header.kev.as_ref().map_or(0, |k| k.rows) {
            return Err(corrupt(
                "the KEV section does not hold the rows the header counts".into(),
            ));
        }
        Ok(Intel {
            path: path.to_path_buf(),
            header,
            bytes,
            epss_at,
            kev,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The EPSS part's status; `None` when none was imported.
    pub fn epss_info(&self) -> Option<&EpssInfo> {
        self.header.epss.as_ref()
    }

    /// The KEV part's status; `None` when none was imported.
    pub fn kev_info(&self) -> Option<&KevInfo> {
        self.header.kev.as_ref()
    }

    fn epss_records(&self) -> &[u8] {
        let end = self.epss_at + self.header.epss_bytes as usize;
        self.bytes.get(self.epss_at..end).unwrap_or(&[])
    }

    /// The CVE's EPSS score (`cve` in any case); `None` when it has none or is not a CVE id.
    pub fn epss(&self, cve: &str) -> Option<Epss> {
        let key = parse_cve(cve)?.bytes();
        let records = self.epss_records();
        let (mut lo, mut hi) = (0, records.len() / EPSS_RECORD);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let record = records.get(mid * EPSS_RECORD..(mid + 1) * EPSS_RECORD)?;
            match record[..6].cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let n = |at: usize| {
                        let b: [u8; 4] = record[at..at + 4].try_into().unwrap_or_default();
                        f64::from(u32::from_be_bytes(b)) / SCALE
                    };
                    return Some(Epss {
                        score: n(6),
                        percentile: n(10),
                    });
                }
            }
        }
        None
    }

    /// The CVE's KEV entry (`cve` in any case); `None` when it is not in the catalog.
    pub fn kev(&self, cve: &str) -> Option<&KevEntry> {
        let key = parse_cve(cve)?;
        self.kev
            .binary_search_by(|(k, _)| k.cmp(&key))
            .ok()
            .map(|i| &self.kev[i].1)
    }

    /// Everything known about the CVE; `None` when nothing is.
    pub fn lookup(&self, cve: &str) -> Option<CveIntel<'_>> {
        let found = CveIntel {
            epss: self.epss(cve),
            kev: self.kev(cve),
        };
        (found.epss.is_some() || found.kev.is_some()).then_some(found)
    }
}

// ---- CVE ids ----

/// A CVE id as (year, number): orders as the ids do and packs into six bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct CveKey(u16, u32);

impl CveKey {
    fn bytes(self) -> [u8; 6] {
        let mut out = [0u8; 6];
        out[..2].copy_from_slice(&self.0.to_be_bytes());
        out[2..].copy_from_slice(&self.1.to_be_bytes());
        out
    }
}

impl std::fmt::Display for CveKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CVE-{:04}-{:04}", self.0, self.1)
    }
}

/// `CVE-YYYY-NNNN…` in any case, the number of at least four digits.
fn parse_cve(s: &str) -> Option<CveKey> {
    let s = s.trim();
    let rest = s
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("CVE-"))
        .and_then(|_| s.get(4..))?;
    let (year, number) = rest.split_once('-')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if year.len() != 4 || !digits(year) || number.len() < 4 || number.len() > 10 || !digits(number)
    {
        return None;
    }
    let year: u16 = year.parse().ok()?;
    if year < 1999 {
        return None;
    }
    Some(CveKey(year, number.parse().ok()?))
}

/// `YYYY-MM-DD`, loosely: digits where digits belong.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

// ---- Reading the publishers' files ----

/// The file's bytes, decompressed when they start with the gzip magic, bounded by
/// [`MAX_INPUT`].
fn read_input(path: &Path, what: &'static str) -> Result<Vec<u8>, IntelError> {
    let io = |source| IntelError::Io {
        path: path.to_path_buf(),
        source,
    };
    let too_large = || IntelError::TooLarge {
        path: path.to_path_buf(),
        what,
        limit: MAX_INPUT,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut raw = Vec::new();
    file.take(MAX_INPUT + 1).read_to_end(&mut raw).map_err(io)?;
    if raw.len() as u64 > MAX_INPUT {
        return Err(too_large());
    }
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(raw);
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(raw.as_slice())
        .take(MAX_INPUT + 1)
        .read_to_end(&mut out)
        .map_err(io)?;
    if out.len() as u64 > MAX_INPUT {
        return Err(too_large());
    }
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Text from a hostile file, made safe to quote on one line and short.
fn quote(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(60)
        .collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Counts bad rows and keeps the first few.
#[derive(Default)]
struct BadRows {
    count: u64,
    examples: Vec<String>,
}

impl BadRows {
    fn push(&mut self, message: String) {
        self.count += 1;
        if self.examples.len() < MAX_BAD_EXAMPLES {
            self.examples.push(message);
        }
    }
}

struct EpssParsed {
    model_version: Option<String>,
    score_date: Option<String>,
    /// Sorted by CVE, without duplicates.
    records: Vec<u8>,
    rows: u64,
    bad: BadRows,
}

/// Parses FIRST's EPSS CSV: `#model_version:…,score_date:…` comment lines, the header
/// `cve,epss,percentile` (columns in any order), then one row per CVE.
fn parse_epss(path: &Path, bytes: &[u8]) -> Result<EpssParsed, IntelError> {
    let not_epss = |message: String| IntelError::NotEpss {
        path: path.to_path_buf(),
        message,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut model_version = None;
    let mut score_date = None;
    let mut columns: Option<(usize, usize, usize)> = None;
    let mut rows: Vec<(CveKey, u32, u32, usize)> = Vec::new();
    let mut bad = BadRows::default();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Ok(line) = std::str::from_utf8(raw) else {
            if columns.is_none() {
                return Err(not_epss(format!("line {line_no} is not UTF-8 text")));
            }
            bad.push(format!("line {line_no}: not UTF-8 text"));
            continue;
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            for pair in comment.split(',') {
                if let Some((k, v)) = pair.split_once(':') {
                    let v = v.trim();
                    match k.trim() {
                        "model_version" if !v.is_empty() => model_version = Some(quote(v)),
                        "score_date" if !v.is_empty() => score_date = Some(quote(v)),
                        _ => {}
                    }
                }
            }
            continue;
        }
        let Some((cve_at, epss_at, pct_at)) = columns else {
            let names: Vec<String> = line
                .split(',')
                .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
                .collect();
            let find = |n: &str| names.iter().position(|c| c == n);
            match (find("cve"), find("epss"), find("percentile")) {
                (Some(c), Some(e), Some(p)) => columns = Some((c, e, p)),
                _ => {
                    return Err(not_epss(format!(
                        "line {line_no}: expected the header `cve,epss,percentile`, found `{}`",
                        quote(line)
                    )))
                }
            }
            continue;
        };
        let fields: Vec<&str> = line
            .split(',')
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        let field = |at: usize| fields.get(at).copied().unwrap_or("");
        let Some(key) = parse_cve(field(cve_at)) else {
            bad.push(format!(
                "line {line_no}: `{}` is not a CVE id",
                quote(field(cve_at))
            ));
            continue;
        };
        let probability = |text: &str| -> Option<u32> {
            let v: f64 = text.parse().ok()?;
            (v.is_finite() && (0.0..=1.0).contains(&v)).then(|| (v * SCALE).round() as u32)
        };
        let (Some(score), Some(pct)) = (probability(field(epss_at)), probability(field(pct_at)))
        else {
            bad.push(format!(
                "line {line_no}: {key}: `{}`, `{}` are not both numbers between 0 and 1",
                quote(field(epss_at)),
                quote(field(pct_at))
            ));
            continue;
        };
        rows.push((key, score, pct, line_no));
    }
    if columns.is_none() {
        return Err(not_epss("no header `cve,epss,percentile`".into()));
    }
    rows.sort_by_key(|r| (r.0, r.3));
    let mut records = Vec::with_capacity(rows.len() * EPSS_RECORD);
    let mut kept = 0u64;
    let mut previous: Option<(CveKey, usize)> = None;
    for (key, score, pct, line_no) in rows {
        if let Some((k, first)) = previous {
            if k == key {
                bad.push(format!(
                    "line {line_no}: {key} again (first on line {first}); the first is kept"
                ));
                continue;
            }
        }
        previous = Some((key, line_no));
        records.extend_from_slice(&key.bytes());
        records.extend_from_slice(&score.to_be_bytes());
        records.extend_from_slice(&pct.to_be_bytes());
        kept += 1;
    }
    if score_date.is_none() {
        score_date = date_in_file_name(path);
    }
    Ok(EpssParsed {
        model_version,
        score_date,
        records,
        rows: kept,
        bad,
    })
}

/// The `YYYY-MM-DD` in a file name such as `epss_scores-2026-11-21.csv.gz`.
fn date_in_file_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    (0..name.len().saturating_sub(9))
        .filter_map(|i| name.get(i..i + 10))
        .find(|s| is_date(s))
        .map(str::to_string)
}

struct KevParsed {
    catalog_version: Option<String>,
    date_released: Option<String>,
    /// Sorted by CVE, without duplicates.
    entries: Vec<(CveKey, KevEntry)>,
    bad: BadRows,
    warnings: Vec<String>,
}

/// Parses CISA's `known_exploited_vulnerabilities.json`.
fn parse_kev(path: &Path, bytes: &[u8]) -> Result<KevParsed, IntelError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let text = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        IntelError::Json {
            path: path.to_path_buf(),
            line,
            column,
            message: text.strip_suffix(&suffix).unwrap_or(&text).to_string(),
        }
    })?;
    let not_kev = |message: &str| IntelError::NotKev {
        path: path.to_path_buf(),
        message: message.to_string(),
    };
    let doc = doc
        .as_object()
        .ok_or_else(|| not_kev("the top-level value is not an object"))?;
    let vulnerabilities = match doc.get("vulnerabilities") {
        Some(Value::Array(a)) => a,
        Some(_) => return Err(not_kev("`vulnerabilities` is not an array")),
        None => return Err(not_kev("no `vulnerabilities`")),
    };
    let text = |key: &str| -> Result<Option<String>, IntelError> {
        match doc.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(quote(s.trim()))),
            Some(_) => Err(not_kev(&format!("`{key}` is not a string"))),
        }
    };
    let catalog_version = text("catalogVersion")?;
    let date_released = text("dateReleased")?;
    let mut warnings = Vec::new();
    match doc.get("count") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_u64() == Some(vulnerabilities.len() as u64) => {}
        Some(c) => warnings.push(format!(
            "the catalog says `count` {c} but lists {} vulnerabilities",
            vulnerabilities.len()
        )),
    }
    let mut bad = BadRows::default();
    let mut entries = Vec::with_capacity(vulnerabilities.len());
    for (i, v) in vulnerabilities.iter().enumerate() {
        match kev_entry(v) {
            Ok(e) => entries.push((e.0, e.1, i)),
            Err(why) => bad.push(format!("vulnerabilities[{i}]: {why}")),
        }
    }
    entries.sort_by_key(|e| (e.0, e.2));
    let mut out: Vec<(CveKey, KevEntry)> = Vec::with_capacity(entries.len());
    for (key, entry, i) in entries {
        if out.last().is_some_and(|(k, _)| *k == key) {
            bad.push(format!(
                "vulnerabilities[{i}]: {key} again; the first is kept"
            ));
            continue;
        }
        out.push((key, entry));
    }
    Ok(KevParsed {
        catalog_version,
        date_released,
        entries: out,
        bad,
        warnings,
    })
}

fn kev_entry(v: &Value) -> Result<(CveKey, KevEntry), String> {
    let v = v.as_object().ok_or("not an object")?;
    let text = |key: &str| -> Result<String, String> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(one_line(s)),
            Some(_) => Err(format!("`{key}` is not a string")),
        }
    };
    let cve_text = text("cveID")?;
    let key =
        parse_cve(&cve_text).ok_or_else(|| format!("`{}` is not a CVE id", quote(&cve_text)))?;
    let date = |key: &str| -> Result<String, String> {
        let d = text(key)?;
        if is_date(&d) {
            Ok(d)
        } else {
            Err(format!("{key} `{}` is not YYYY-MM-DD", quote(&d)))
        }
    };
    let entry = KevEntry {
        cve: key.to_string(),
        vendor: text("vendorProject")?,
        product: text("product")?,
        name: text("vulnerabilityName")?,
        date_added: date("dateAdded")?,
        due_date: date("dueDate")?,
        ransomware: text("knownRansomwareCampaignUse")?.eq_ignore_ascii_case("known"),
        required_action: text("requiredAction")?,
    };
    Ok((key, entry))
}

/// Text kept on one line of the KEV section: tabs, line breaks and other control characters
/// become spaces.
fn one_line(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn write_kev_lines(entries: &[(CveKey, KevEntry)]) -> Vec<u8> {
    let mut out = String::new();
    for (_, e) in entries {
        let fields = [
            e.cve.as_str(),
            &e.date_added,
            &e.due_date,
            if e.ransomware { "1" } else { "0" },
            &e.vendor,
            &e.product,
            &e.name,
            &e.required_action,
        ];
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out.into_bytes()
}

fn read_kev_lines(text: &str) -> Option<Vec<(CveKey, KevEntry)>> {
    let mut out: Vec<(CveKey, KevEntry)> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let [cve, date_added, due_date, ransomware, vendor, product, name, action] = f[..] else {
            return None;
        };
        let key = parse_cve(cve)?;
        if out.last().is_some_and(|(k, _)| *k >= key) {
            return None;
        }
        out.push((
            key,
            KevEntry {
                cve: cve.to_string(),
                vendor: vendor.to_string(),
                product: product.to_string(),
                name: name.to_string(),
                date_added: date_added.to_string(),
                due_date: due_date.to_string(),
                ransomware: ransomware == "1",
                required_action: action.to_string(),
            },
        ));
    }
    Some(out)
}

// ---- Importing ----

/// The existing file's parts, or nothing (with a warning) when it is damaged: an import is
/// how a damaged file is replaced.
fn existing(intel: &Path, warnings: &mut Vec<String>) -> Result<Option<Intel>, IntelError> {
    match Intel::open(intel) {
        Ok(found) => Ok(found),
        Err(e @ IntelError::Corrupt { .. }) => {
            warnings.push(format!("{e}; it is replaced and its other part dropped"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Imports FIRST's EPSS CSV at `csv` (plain or gzip-compressed) into the intelligence file at
/// `intel`, replacing its EPSS part and keeping its KEV part. `now` is the import time,
/// seconds since the Unix epoch. Bad rows are counted and skipped; a file with no valid row
/// is an error and leaves the intelligence file as it was.
pub fn import_epss(intel: &Path, csv: &Path, now: u64) -> Result<ImportSummary, IntelError> {
    let bytes = read_input(csv, "an EPSS CSV")?;
    let parsed = parse_epss(csv, &bytes)?;
    drop(bytes);
    if parsed.rows == 0 {
        return Err(IntelError::NothingValid {
            path: csv.to_path_buf(),
            part: IntelPart::Epss,
            bad: parsed.bad.count,
            examples: parsed.bad.examples,
        });
    }
    let mut warnings = Vec::new();
    let old = existing(intel, &mut warnings)?;
    let info = EpssInfo {
        source: file_name(csv),
        model_version: parsed.model_version,
        score_date: parsed.score_date,
        rows: parsed.rows,
        imported: now,
    };
    let version = info.score_date.clone().or(info.model_version.clone());
    let (kev_info, kev_bytes) = match &old {
        Some(o) => (o.header.kev.clone(), write_kev_lines(&o.kev)),
        None => (None, Vec::new()),
    };
    let kept = kev_info.as_ref().map(|_| IntelPart::Kev);
    write_file(intel, Some(info), kev_info, &parsed.records, &kev_bytes)?;
    Ok(ImportSummary {
        part: IntelPart::Epss,
        source: file_name(csv),
        rows: parsed.rows,
        bad_rows: parsed.bad.count,
        bad_examples: parsed.bad.examples,
        version,
        kept,
        warnings,
    })
}

/// Imports CISA's KEV catalog at `json` (plain or gzip-compressed) into the intelligence file
/// at `intel`, replacing its KEV part and keeping its EPSS part. `now` is the import time,
/// seconds since the Unix epoch. Bad entries are counted and skipped; a catalog with no valid
/// entry is an error and leaves the intelligence file as it was.
pub fn import_kev(intel: &Path, json: &Path, now: u64) -> Result<ImportSummary, IntelError> {
    let bytes = read_input(json, "a KEV catalog")?;
    let parsed = parse_kev(json, &bytes)?;
    drop(bytes);
    if parsed.entries.is_empty() {
        return Err(IntelError::NothingValid {
            path: json.to_path_buf(),
            part: IntelPart::Kev,
            bad: parsed.bad.count,
            examples: parsed.bad.examples,
        });
    }
    let mut warnings = parsed.warnings;
    let old = existing(intel, &mut warnings)?;
    let info = KevInfo {
        source: file_name(json),
        catalog_version: parsed.catalog_version,
        date_released: parsed.date_released,
        rows: parsed.entries.len() as u64,
        imported: now,
    };
    let version = info.catalog_version.clone();
    let (epss_info, epss_bytes) = match &old {
        Some(o) => (o.header.epss.clone(), o.epss_records()),
        None => (None, &[][..]),
    };
    let kept = epss_info.as_ref().map(|_| IntelPart::Epss);
    let rows = info.rows;
    write_file(
        intel,
        epss_info,
        Some(info),
        epss_bytes,
        &write_kev_lines(&parsed.entries),
    )?;
    Ok(ImportSummary {
        part: IntelPart::Kev,
        source: file_name(json),
        rows,
        bad_rows: parsed.bad.count,
        bad_examples: parsed.bad.examples,
        version,
        kept,
        warnings,
    })
}

/// Writes the file to a temporary name beside `path`, then renames it over `path`.
fn write_file(
    path: &Path,
    epss: Option<EpssInfo>,
    kev: Option<KevInfo>,
    epss_bytes: &[u8],
    kev_bytes: &[u8],
) -> Result<(), IntelError> {
    let mut hasher = Checksum::new();
    hasher.update(epss_bytes);
    hasher.update(kev_bytes);
    let header = Header {
        format: FORMAT_VERSION,
        epss,
        kev,
        epss_bytes: epss_bytes.len() as u64,
        kev_bytes: kev_bytes.len() as u64,
        checksum: format!("{:016x}", hasher.finish()),
    };
    let header = serde_json::to_vec(&header).map_err(|e| IntelError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    let header_len = u32::try_from(header.len())
        .ok()
        .filter(|&n| n as usize <= MAX_HEADER)
        .ok_or_else(|| IntelError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("header too large"),
        })?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| IntelError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut tmp_name = path
        .file_name()
        .ok_or_else(|| IntelError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("not a file path"),
        })?
        .to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        out.write_all(MAGIC)?;
        out.write_all(&header_len.to_le_bytes())?;
        out.write_all(&header)?;
        out.write_all(epss_bytes)?;
        out.write_all(kev_bytes)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        IntelError::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// A fast 64-bit checksum over 8-byte words, to tell a damaged file from an intact one (not
/// a defence against deliberate tampering).
struct Checksum {
    state: u64,
    pending: Vec<u8>,
    len: u64,
}

impl Checksum {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    fn new() -> Self {
        Checksum {
            state: 0xCBF2_9CE4_8422_2325,
            pending: Vec::with_capacity(8),
            len: 0,
        }
    }

    fn word(&mut self, w: u64) {
        self.state = (self.state ^ w).wrapping_mul(Self::K).rotate_left(31);
    }

    fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if !self.pending.is_empty() {
            let need = 8 - self.pending.len();
            let take = need.min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() < 8 {
                return;
            }
            let w = u64::from_le_bytes(self.pending[..8].try_into().unwrap_or_default());
            self.word(w);
            self.pending.clear();
        }
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        self.pending.extend_from_slice(chunks.remainder());
    }

    fn finish(mut self) -> u64 {
        let mut last = [0u8; 8];
        last[..self.pending.len()].copy_from_slice(&self.pending);
        let len = self.len;
        self.word(u64::from_le_bytes(last));
        self.word(len);
        let h = self.state;
        (h ^ (h >> 33)).wrapping_mul(Self::K) ^ (h >> 29)
    }
}

fn checksum(data: &[u8]) -> u64 {
    let mut c = Checksum::new();
    c.update(data);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids_parse_in_any_case_and_order_numerically() {
        assert_eq!(parse_cve("cve-2021-44228"), Some(CveKey(2021, 44228)));
        assert_eq!(parse_cve(" CVE-2021-0001 "), Some(CveKey(2021, 1)));
        assert!(parse_cve("CVE-2021-9999") < parse_cve("CVE-2021-10000"));
        assert_eq!(CveKey(2021, 1).to_string(), "CVE-2021-0001");
        for bad in [
            "",
            "CVE-2021-123",
            "CVE-21-1234",
            "CVE-2021-12345678901",
            "CVE-2021-99999999999",
            "GHSA-xxxx",
            "CVE-2021-12a4",
            "CVE-1998-1234",
            "CVÉ-2021-1234",
        ] {
            assert_eq!(parse_cve(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn checksum_depends_on_every_byte_and_on_chunking_not_at_all() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let whole = checksum(&data);
        let mut parts = Checksum::new();
        parts.update(&data[..3]);
        parts.update(&data[3..501]);
        parts.update(&data[501..]);
        assert_eq!(parts.finish(), whole);
        let mut changed = data.clone();
        changed[999] ^= 1;
        assert_ne!(checksum(&changed), whole);
        assert_ne!(checksum(&data[..999]), whole);
    }

    #[test]
    fn dates_are_found_in_file_names() {
        assert_eq!(
            date_in_file_name(Path::new("/x/epss_scores-2026-11-21.csv.gz")),
            Some("2026-11-21".into())
        );
        assert_eq!(date_in_file_name(Path::new("scores.csv")), None);
        assert_eq!(date_in_file_name(Path::new("é")), None);
    }
}

/// Adds exploit intelligence to every dependency finding: the highest EPSS among its CVEs, and
/// the KEV entry of any of them. Returns how many findings gained something.
pub fn enrich(findings: &mut [rampart_core::Finding], intel: &Intel) -> usize {
    let mut enriched = 0;
    for v in findings.iter_mut().filter_map(|f| f.vulnerability.as_mut()) {
        let mut epss: Option<Epss> = None;
        let mut kev: Option<&KevEntry> = None;
        for cve in v.cves() {
            if let Some(found) = intel.lookup(cve) {
                if let Some(e) = found.epss {
                    if epss.as_ref().is_none_or(|best| e.score > best.score) {
                        epss = Some(e);
                    }
                }
                kev = kev.or(found.kev);
            }
        }
        if epss.is_none() && kev.is_none() {
            continue;
        }
        enriched += 1;
        v.epss = epss.map(|e| rampart_core::Epss {
            score: e.score,
            percentile: e.percentile,
        });
        v.kev = kev.map(|k| rampart_core::Kev {
            date_added: k.date_added.clone(),
            due_date: Some(k.due_date.clone()).filter(|d| !d.is_empty()),
            ransomware: k.ransomware,
        });
    }
    enriched
}
