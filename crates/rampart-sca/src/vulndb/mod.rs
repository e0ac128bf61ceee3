//! The offline vulnerability database: OSV advisories imported once, looked up by (ecosystem,
//! package name) in microseconds.
//!
//! One file. After an 8-byte magic and the position of the header, the raw advisory JSON
//! records follow one after another; the header at the end (JSON) holds per-ecosystem counts and
//! sources and a sorted index from `ecosystem \0 normalised name` to the records that affect it.
//! Opening reads only the header; a lookup reads and parses only the records of one package, so
//! no scan ever parses the whole database. Writes go to a temporary file renamed over the old
//! one, so an interrupted import leaves the previous database whole.

mod import;
mod update;

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::ecosystem::Ecosystem;
use crate::osv::Advisory;

pub use import::{import_paths, ImportLimits, ImportReport};
pub use update::{
    cache_dir, cache_state, update, CacheState, CachedFile, Fetched, Progress, UpdateError,
    UpdateOptions, UpdateReport, DEFAULT_ECOSYSTEMS, DEFAULT_MIRROR,
};

const MAGIC: &[u8; 8] = b"RMPRTDB1";
const FORMAT_VERSION: u32 = 1;
/// A header larger than this is not one rampart wrote.
const MAX_HEADER: u64 = 512 << 20;
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
struct Header {
    format: u32,
    ecosystems: BTreeMap<String, EcosystemInfo>,
    /// Sorted by key; each record is (offset, length) in the file.
    index: Vec<(String, Vec<(u64, u32)>)>,
}

/// An open database.
pub struct Database {
    path: PathBuf,
    file: Mutex<std::fs::File>,
    header: Header,
    /// Advisories already read, by index position: a repository's lockfiles name the same
    /// packages again and again.
    cache: Mutex<std::collections::HashMap<usize, std::sync::Arc<Vec<Advisory>>>>,
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
        let mut fixed = [0u8; 24];
        file.read_exact(&mut fixed)
            .map_err(|_| corrupt("shorter than its header"))?;
        if &fixed[..8] != MAGIC {
            return Err(corrupt("not a rampart database"));
        }
        let offset = u64::from_le_bytes(fixed[8..16].try_into().unwrap_or_default());
        let header_len = u64::from_le_bytes(fixed[16..24].try_into().unwrap_or_default());
        if header_len > MAX_HEADER || offset.checked_add(header_len) != Some(len) {
            return Err(corrupt("the header is not where the file says"));
        }
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut bytes = vec![0u8; header_len as usize];
        file.read_exact(&mut bytes)
            .map_err(|_| corrupt("truncated header"))?;
        let header: Header = serde_json::from_slice(&bytes).map_err(|e| corrupt(&e.to_string()))?;
        if header.format != FORMAT_VERSION {
            return Err(corrupt(&format!(
                "unsupported format version {}",
                header.format
            )));
        }
        if header.index.windows(2).any(|w| w[0].0 >= w[1].0)
            || header
                .index
                .iter()
                .flat_map(|(_, r)| r)
                .any(|(o, l)| *l > MAX_RECORD || o.saturating_add(u64::from(*l)) > offset)
        {
            return Err(corrupt(
                "the index is out of order or points outside the records",
            ));
        }
        Ok(Database {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            header,
            cache: Mutex::new(std::collections::HashMap::new()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn ecosystems(&self) -> &BTreeMap<String, EcosystemInfo> {
        &self.header.ecosystems
    }

    /// Number of (ecosystem, package) entries in the index.
    pub fn packages(&self) -> usize {
        self.header.index.len()
    }

    /// Every advisory that names the package, parsed. A record that cannot be read or parsed
    /// is an error naming the database, since only a damaged file can hold one.
    pub fn advisories(
        &self,
        ecosystem: Ecosystem,
        name: &str,
    ) -> Result<std::sync::Arc<Vec<Advisory>>, DbError> {
        let k = key(ecosystem, name);
        let Ok(i) = self
            .header
            .index
            .binary_search_by(|(key, _)| key.as_str().cmp(&k))
        else {
            return Ok(std::sync::Arc::new(Vec::new()));
        };
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&i).cloned()) {
            return Ok(hit);
        }
        let mut out = Vec::new();
        {
            let mut file = self.file.lock().map_err(|_| DbError::Corrupt {
                path: self.path.clone(),
                message: "a reader crashed".into(),
            })?;
            for (offset, len) in &self.header.index[i].1 {
                let mut bytes = vec![0u8; *len as usize];
                file.seek(SeekFrom::Start(*offset))
                    .and_then(|_| file.read_exact(&mut bytes))
                    .map_err(|source| DbError::Io {
                        path: self.path.clone(),
                        source,
                    })?;
                let advisory = Advisory::from_json(&bytes).map_err(|e| DbError::Corrupt {
                    path: self.path.clone(),
                    message: format!("record at {offset}: {e}"),
                })?;
                out.push(advisory);
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
        out.write_all(&[0u8; 16]).map_err(io)?;
        Ok(Writer {
            tmp,
            out: Some(out),
            at: 24,
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
        let header = Header {
            format: FORMAT_VERSION,
            ecosystems: std::mem::take(&mut self.ecosystems),
            index: std::mem::take(&mut self.index).into_iter().collect(),
        };
        let bytes = serde_json::to_vec(&header).map_err(|e| DbError::Import(e.to_string()))?;
        let tmp = self.tmp.clone();
        let io = |source| DbError::Io {
            path: tmp.clone(),
            source,
        };
        let mut out = self
            .out
            .take()
            .ok_or_else(|| DbError::Import("the database is already written".into()))?;
        out.write_all(&bytes).map_err(io)?;
        let mut file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(SeekFrom::Start(8)).map_err(io)?;
        file.write_all(&self.at.to_le_bytes()).map_err(io)?;
        file.write_all(&(bytes.len() as u64).to_le_bytes())
            .map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(|source| DbError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // After a successful finish the temporary file has been renamed; otherwise it is
        // the debris of a failed import.
        let _ = std::fs::remove_file(&self.tmp);
    }
}
