//! The offline vulnerability database: OSV advisories imported once, looked up by (ecosystem,
//! package name) in microseconds.
//!
//! One file, written once by an import and only read afterwards:
//!
//! ```text
//! magic "RMPRTDB2" | meta offset, meta length | index offset, index length   (5 × 8 bytes, LE)
//! records: one advisory in OSV JSON after another, slimmed to what matching and reports read
//! meta: JSON, the format version and per-ecosystem counts, sources and import times
//! index: u32 count | count × u32 entry offsets | entries, sorted by key:
//!        u16 key length | key (`ecosystem \0 normalised name`) | u32 n | n × (u64 offset, u32 length)
//! ```
//!
//! Opening reads the meta and the index block and parses neither beyond the entry count: a
//! lookup is a binary search over the index bytes and then reads and parses only that package's
//! records, so no scan ever parses the whole database (the choice by measurement: a JSON index
//! cost more to parse and free than the whole rest of a 5,000-package scan's lookups). Every
//! number read from the file is checked before use, so a damaged file is an error, never a
//! panic. Writes go to a temporary file renamed over the old one, so an interrupted import
//! leaves the previous database whole.

mod import;
mod update;

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::ecosystem::Ecosystem;
use crate::osv::{Advisory, Matcher};

pub use import::{import_paths, ImportLimits, ImportReport};
pub use update::{
    cache_dir, cache_state, update, CacheState, CachedFile, Fetched, Progress, UpdateError,
    UpdateOptions, UpdateReport, DEFAULT_ECOSYSTEMS, DEFAULT_MIRROR,
};

const MAGIC: &[u8; 8] = b"RMPRTDB2";
/// The magic of the previous format, which only needs a fresh import.
const OLD_MAGIC: &[u8; 8] = b"RMPRTDB1";
const FIXED: usize = 40;
const FORMAT_VERSION: u32 = 2;
/// Meta or index blocks larger than this are not ones rampart wrote.
const MAX_BLOCK: u64 = 1 << 30;
/// A single advisory record larger than this is not one rampart wrote.
const MAX_RECORD: u32 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no vulnerability database at {0}: run `rampart db import` with OSV all.zip files (or `rampart db update`)")]
    Missing(PathBuf),
    #[error("the vulnerability database at {path} is damaged ({message}): import it again with `rampart db import`")]
    Corrupt { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Import(String),
}

/// What the header says about one ecosystem's data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcosystemInfo {
    pub advisories: u64,
    pub withdrawn_skipped: u64,
    /// Where the data came from (a file name or URL).
    pub source: String,
    /// When it was imported, seconds since the Unix epoch.
    pub imported: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Meta {
    format: u32,
    ecosystems: BTreeMap<String, EcosystemInfo>,
}

/// The index block, kept as read: see the module documentation for its layout.
struct Index {
    bytes: Vec<u8>,
    count: usize,
}

impl Index {
    fn u32_at(&self, at: usize) -> Option<u32> {
        let b = self.bytes.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes(b.try_into().ok()?))
    }

    /// Entry `i`: its key and where its list of records starts.
    fn entry(&self, i: usize) -> Option<(&[u8], usize)> {
        let at = self.u32_at(4 + 4 * i)? as usize;
        let len = u16::from_le_bytes(self.bytes.get(at..at + 2)?.try_into().ok()?) as usize;
        let key = self.bytes.get(at + 2..at + 2 + len)?;
        Some((key, at + 2 + len))
    }

    /// The (offset, length) records of the entry whose list starts at `at`.
    fn records(&self, at: usize) -> Option<Vec<(u64, u32)>> {
        let n = self.u32_at(at)? as usize;
        let list = self.bytes.get(at + 4..at + 4 + n.checked_mul(12)?)?;
        Some(
            list.chunks_exact(12)
                .map(|r| {
                    let (o, l) = r.split_at(8);
                    (
                        u64::from_le_bytes(o.try_into().unwrap_or_default()),
                        u32::from_le_bytes(l.try_into().unwrap_or_default()),
                    )
                })
                .collect(),
        )
    }

    /// The position of `key`, by binary search; `Err` when absent or when the index is damaged.
    fn find(&self, key: &[u8]) -> Result<Option<usize>, ()> {
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (k, _) = self.entry(mid).ok_or(())?;
            match k.cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(Some(mid)),
            }
        }
        Ok(None)
    }
}

/// An advisory as a lookup returns it: with what it says about the package looked up,
/// compiled for matching, and its worst CVSS score.
#[derive(Debug, Clone)]
pub struct PackageAdvisory {
    pub advisory: Advisory,
    pub matcher: Matcher,
    /// The highest CVSS base score among the advisory's vectors, with that vector.
    pub cvss: Option<(f64, String)>,
}

impl PackageAdvisory {
    pub fn new(advisory: Advisory, ecosystem: Ecosystem, name: &str) -> PackageAdvisory {
        let matcher = Matcher::new(&advisory, ecosystem, name);
        let cvss = advisory
            .severity
            .iter()
            .chain(advisory.affected.iter().flat_map(|x| x.severity.iter()))
            .filter_map(|s| {
                Some((
                    crate::cvss::parse(&s.score).ok()?.base_score,
                    s.score.clone(),
                ))
            })
            .fold(
                None,
                |best: Option<(f64, String)>, (score, vector)| match best {
                    Some((b, _)) if b >= score => best,
                    _ => Some((score, vector)),
                },
            );
        PackageAdvisory {
            advisory,
            matcher,
            cvss,
        }
    }
}

/// An open database.
pub struct Database {
    path: PathBuf,
    file: Mutex<std::fs::File>,
    meta: Meta,
    index: Index,
    /// Where the records end: no record may reach past it.
    records_end: u64,
    /// A digest of the block positions and the meta (which holds every import time): another
    /// import is another identity.
    identity: String,
    /// Advisories already read, by index position: a repository's lockfiles name the same
    /// packages again and again.
    cache: Mutex<std::collections::HashMap<usize, std::sync::Arc<Vec<PackageAdvisory>>>>,
}

fn key(ecosystem: Ecosystem, name: &str) -> String {
    format!(
        "{}\0{}",
        ecosystem.osv_name(),
        ecosystem.normalize_name(name)
    )
}

/// Where the database lives unless told otherwise: `$RAMPART_DB`, else the user's data
/// directory (`$XDG_DATA_HOME/rampart/osv.rdb`, `~/.local/share/rampart/osv.rdb`).
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("RAMPART_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("rampart").join("osv.rdb")
}

impl Database {
    pub fn open(path: &Path) -> Result<Database, DbError> {
        let corrupt = |message: &str| DbError::Corrupt {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(DbError::Missing(path.to_path_buf()))
            }
            Err(source) => {
                return Err(DbError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let io = |source| DbError::Io {
            path: path.to_path_buf(),
            source,
        };
        let len = file.metadata().map_err(io)?.len();
        let mut fixed = [0u8; FIXED];
        file.read_exact(&mut fixed)
            .map_err(|_| corrupt("shorter than its header"))?;
        if &fixed[..8] == OLD_MAGIC {
            return Err(corrupt("written in an older format"));
        }
        if &fixed[..8] != MAGIC {
            return Err(corrupt("not a rampart database"));
        }
        let word =
            |i: usize| u64::from_le_bytes(fixed[8 * i..8 * i + 8].try_into().unwrap_or_default());
        let (meta_at, meta_len, index_at, index_len) = (word(1), word(2), word(3), word(4));
        if meta_len > MAX_BLOCK
            || index_len > MAX_BLOCK
            || meta_at < FIXED as u64
            || meta_at.checked_add(meta_len) != Some(index_at)
            || index_at.checked_add(index_len) != Some(len)
        {
            return Err(corrupt("its blocks are not where the file says"));
        }
        file.seek(SeekFrom::Start(meta_at)).map_err(io)?;
        let mut bytes = vec![0u8; (meta_len + index_len) as usize];
        file.read_exact(&mut bytes)
            .map_err(|_| corrupt("truncated"))?;
        let identity = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            h.update(fixed);
            h.update(&bytes[..meta_len as usize]);
            h.finalize()
                .iter()
                .take(16)
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        let index_bytes = bytes.split_off(meta_len as usize);
        let meta: Meta = serde_json::from_slice(&bytes).map_err(|e| corrupt(&e.to_string()))?;
        if meta.format != FORMAT_VERSION {
            return Err(corrupt(&format!(
                "unsupported format version {}",
                meta.format
            )));
        }
        let mut index = Index {
            bytes: index_bytes,
            count: 0,
        };
        let count = index
            .u32_at(0)
            .ok_or_else(|| corrupt("the index is truncated"))? as usize;
        if count
            .checked_mul(4)
            .and_then(|n| n.checked_add(4))
            .is_none_or(|n| n > index.bytes.len())
        {
            return Err(corrupt("the index is truncated"));
        }
        index.count = count;
        Ok(Database {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            meta,
            index,
            records_end: meta_at,
            identity,
            cache: Mutex::new(std::collections::HashMap::new()),
        })
    }

    fn corrupt(&self, message: impl Into<String>) -> DbError {
        DbError::Corrupt {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What distinguishes this database's contents from any other import's.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    pub fn ecosystems(&self) -> &BTreeMap<String, EcosystemInfo> {
        &self.meta.ecosystems
    }

    /// Number of (ecosystem, package) entries in the index.
    pub fn packages(&self) -> usize {
        self.index.count
    }

    /// The normalised names of every package of an ecosystem that some advisory names.
    pub(crate) fn package_names(&self, ecosystem: Ecosystem) -> Result<Vec<String>, DbError> {
        let prefix = key(ecosystem, "");
        let mut out = Vec::new();
        for i in 0..self.index.count {
            let (k, _) = self
                .index
                .entry(i)
                .ok_or_else(|| self.corrupt("the index is truncated"))?;
            if let Some(name) = k.strip_prefix(prefix.as_bytes()) {
                out.push(String::from_utf8_lossy(name).into_owned());
            }
        }
        Ok(out)
    }

    /// Every advisory that names the package, parsed and ready to match. A record that cannot
    /// be read or parsed is an error naming the database, since only a damaged file can hold one.
    pub fn advisories(
        &self,
        ecosystem: Ecosystem,
        name: &str,
    ) -> Result<std::sync::Arc<Vec<PackageAdvisory>>, DbError> {
        let k = key(ecosystem, name);
        let damaged = || self.corrupt("the index is damaged");
        let Some(i) = self.index.find(k.as_bytes()).map_err(|_| damaged())? else {
            return Ok(std::sync::Arc::new(Vec::new()));
        };
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&i).cloned()) {
            return Ok(hit);
        }
        let records = self
            .index
            .entry(i)
            .and_then(|(_, at)| self.index.records(at))
            .ok_or_else(damaged)?;
        let mut out = Vec::with_capacity(records.len());
        {
            let mut file = self
                .file
                .lock()
                .map_err(|_| self.corrupt("a reader crashed"))?;
            for (offset, len) in records {
                if len > MAX_RECORD || offset.saturating_add(u64::from(len)) > self.records_end {
                    return Err(damaged());
                }
                let mut bytes = vec![0u8; len as usize];
                file.seek(SeekFrom::Start(offset))
                    .and_then(|_| file.read_exact(&mut bytes))
                    .map_err(|source| DbError::Io {
                        path: self.path.clone(),
                        source,
                    })?;
                let advisory = Advisory::from_json(&bytes)
                    .map_err(|e| self.corrupt(format!("record at {offset}: {e}")))?;
                out.push(PackageAdvisory::new(advisory, ecosystem, name));
            }
        }
        let out = std::sync::Arc::new(out);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(i, out.clone());
        }
        Ok(out)
    }
}

/// Builds a database file from advisories, then renames it over `path`.
pub(crate) struct Writer {
    tmp: PathBuf,
    out: Option<std::io::BufWriter<std::fs::File>>,
    at: u64,
    index: BTreeMap<String, Vec<(u64, u32)>>,
    ecosystems: BTreeMap<String, EcosystemInfo>,
}

impl Writer {
    pub(crate) fn create(path: &Path) -> Result<Writer, DbError> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|source| DbError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        let file = std::fs::File::create(&tmp).map_err(|source| DbError::Io {
            path: tmp.clone(),
            source,
        })?;
        let mut out = std::io::BufWriter::new(file);
        let io = |source| DbError::Io {
            path: tmp.clone(),
            source,
        };
        out.write_all(MAGIC).map_err(io)?;
        out.write_all(&[0u8; FIXED - 8]).map_err(io)?;
        Ok(Writer {
            tmp,
            out: Some(out),
            at: FIXED as u64,
            index: BTreeMap::new(),
            ecosystems: BTreeMap::new(),
        })
    }

    /// Adds one advisory's JSON, indexed under every package it names.
    pub(crate) fn add(&mut self, advisory: &Advisory, raw: &[u8]) -> Result<(), DbError> {
        let len = u32::try_from(raw.len()).unwrap_or(u32::MAX).min(MAX_RECORD);
        if raw.len() > len as usize {
            return Ok(());
        }
        let mut keys: Vec<String> = advisory
            .affected
            .iter()
            .filter_map(|a| a.package.as_ref())
            .filter_map(|p| Some(key(p.ecosystem.parse::<Ecosystem>().ok()?, &p.name)))
            .collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Ok(());
        }
        let tmp = &self.tmp;
        self.out
            .as_mut()
            .ok_or_else(|| DbError::Import("the database is already written".into()))?
            .write_all(raw)
            .map_err(|source| DbError::Io {
                path: tmp.clone(),
                source,
            })?;
        for k in keys {
            self.index.entry(k).or_default().push((self.at, len));
        }
        self.at += u64::from(len);
        Ok(())
    }

    pub(crate) fn note_ecosystem(&mut self, name: &str, info: EcosystemInfo) {
        let entry = self.ecosystems.entry(name.to_string()).or_default();
        entry.advisories += info.advisories;
        entry.withdrawn_skipped += info.withdrawn_skipped;
        entry.imported = info.imported;
        if !entry.source.is_empty() && !info.source.is_empty() && entry.source != info.source {
            entry.source.push_str(", ");
        }
        if entry.source != info.source {
            entry.source.push_str(&info.source);
        }
    }

    pub(crate) fn finish(mut self, path: &Path) -> Result<(), DbError> {
        let meta = Meta {
            format: FORMAT_VERSION,
            ecosystems: std::mem::take(&mut self.ecosystems),
        };
        let meta = serde_json::to_vec(&meta).map_err(|e| DbError::Import(e.to_string()))?;
        let index = encode_index(&std::mem::take(&mut self.index))?;
        let tmp = self.tmp.clone();
        let io = |source| DbError::Io {
            path: tmp.clone(),
            source,
        };
        let mut out = self
            .out
            .take()
            .ok_or_else(|| DbError::Import("the database is already written".into()))?;
        out.write_all(&meta).map_err(io)?;
        out.write_all(&index).map_err(io)?;
        let mut file = out.into_inner().map_err(|e| io(e.into_error()))?;
        let meta_at = self.at;
        let index_at = meta_at + meta.len() as u64;
        file.seek(SeekFrom::Start(8)).map_err(io)?;
        for word in [meta_at, meta.len() as u64, index_at, index.len() as u64] {
            file.write_all(&word.to_le_bytes()).map_err(io)?;
        }
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(|source| DbError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// The index block for sorted keys (see the module documentation).
fn encode_index(index: &BTreeMap<String, Vec<(u64, u32)>>) -> Result<Vec<u8>, DbError> {
    let too_big = || DbError::Import("the index is larger than the format allows".into());
    let count = u32::try_from(index.len()).map_err(|_| too_big())?;
    let mut entries = Vec::new();
    let mut offsets = Vec::with_capacity(index.len());
    let table = 4 + 4 * index.len();
    for (key, records) in index {
        offsets.push(u32::try_from(table + entries.len()).map_err(|_| too_big())?);
        let key_len = u16::try_from(key.len()).map_err(|_| too_big())?;
        entries.extend_from_slice(&key_len.to_le_bytes());
        entries.extend_from_slice(key.as_bytes());
        let n = u32::try_from(records.len()).map_err(|_| too_big())?;
        entries.extend_from_slice(&n.to_le_bytes());
        for (offset, len) in records {
            entries.extend_from_slice(&offset.to_le_bytes());
            entries.extend_from_slice(&len.to_le_bytes());
        }
    }
    let mut out = Vec::with_capacity(table + entries.len());
    out.extend_from_slice(&count.to_le_bytes());
    for o in offsets {
        out.extend_from_slice(&o.to_le_bytes());
    }
    out.extend_from_slice(&entries);
    Ok(out)
}

impl Drop for Writer {
    fn drop(&mut self) {
        // After a successful finish the temporary file has been renamed; otherwise it is
        // the debris of a failed import.
        let _ = std::fs::remove_file(&self.tmp);
    }
}
