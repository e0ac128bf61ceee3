//! A content-addressed cache of scanner results, so that scanning the same lockfile against
//! the same database twice parses and matches it once.
//!
//! Only scanners that name what their results depend on take part ([`Scanner::cache_key`]).
//! An entry's key is a SHA-256 over the cache format, rampart's version, that name, the blob's
//! path and its bytes: any change to any of them is a different key, so an entry is never
//! stale, only unused. Entries are JSON files written to a temporary name and renamed, so a
//! reader never sees half of one; an entry that cannot be read or parsed (damaged, hostile,
//! from another version) is a miss and is written again.
//!
//! [`Scanner::cache_key`]: crate::Scanner::cache_key

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::scanner::{Blob, RawFinding};

const FORMAT: &str = "rampart-result-cache-1";
/// Entries larger than this are neither written nor read.
const MAX_ENTRY: u64 = 64 << 20;

/// What one scanner reported for one blob.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub findings: Vec<RawFinding>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
pub struct ResultCache {
    dir: PathBuf,
}

/// Where the cache lives unless told otherwise: `$RAMPART_CACHE_DIR`, else the user's cache
/// directory (`$XDG_CACHE_HOME/rampart`, `~/.cache/rampart`).
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("RAMPART_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("rampart"))
}

impl ResultCache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ResultCache { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, scanner: &str, blob: &Blob<'_>) -> PathBuf {
        let mut h = Sha256::new();
        for part in [
            FORMAT.as_bytes(),
            crate::TOOL_VERSION.as_bytes(),
            scanner.as_bytes(),
            blob.path.as_bytes(),
            blob.bytes,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(&hex[..2]).join(format!("{}.json", &hex[2..]))
    }

    /// The entry for this scanner and blob, if one was stored and reads back whole.
    pub fn get(&self, scanner: &str, blob: &Blob<'_>) -> Option<Entry> {
        let path = self.path(scanner, blob);
        let file = std::fs::File::open(path).ok()?;
        if file.metadata().ok()?.len() > MAX_ENTRY {
            return None;
        }
        serde_json::from_reader(std::io::BufReader::new(file)).ok()
    }

    /// Stores an entry; failing to (a read-only or full disk) only means no cache next time.
    pub fn put(&self, scanner: &str, blob: &Blob<'_>, entry: &Entry) {
        let path = self.path(scanner, blob);
        let Some(dir) = path.parent() else {
            return;
        };
        let Ok(bytes) = serde_json::to_vec(entry) else {
            return;
        };
        if bytes.len() as u64 > MAX_ENTRY || std::fs::create_dir_all(dir).is_err() {
            return;
        }
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let tmp = path.with_extension(format!(
            "{}-{}.tmp",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(&bytes));
        if written.is_err() || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanner::Origin;

    fn blob<'a>(path: &'a str, bytes: &'a [u8]) -> Blob<'a> {
        Blob {
            path,
            bytes,
            origin: &Origin::File,
        }
    }

    #[test]
    fn entries_round_trip_and_any_change_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ResultCache::new(dir.path());
        let entry = Entry {
            findings: vec![RawFinding::new("r", 3..9).with_message("m")],
            diagnostics: vec![Diagnostic::warning("Cargo.lock", "odd")],
        };
        let b = blob("Cargo.lock", b"[[package]]");
        assert_eq!(cache.get("deps/1", &b), None);
        cache.put("deps/1", &b, &entry);
        assert_eq!(cache.get("deps/1", &b), Some(entry.clone()));
        assert_eq!(cache.get("deps/2", &b), None, "another database");
        assert_eq!(
            cache.get("deps/1", &blob("x/Cargo.lock", b"[[package]]")),
            None
        );
        assert_eq!(
            cache.get("deps/1", &blob("Cargo.lock", b"[[package]] ")),
            None
        );
    }

    #[test]
    fn a_damaged_entry_is_a_miss_and_is_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ResultCache::new(dir.path());
        let b = blob("go.mod", b"module x");
        cache.put("deps", &b, &Entry::default());
        let path = cache.path("deps", &b);
        std::fs::write(&path, b"{\"findings\": [{\"rule_id\": 5").unwrap();
        assert_eq!(cache.get("deps", &b), None);
        cache.put("deps", &b, &Entry::default());
        assert_eq!(cache.get("deps", &b), Some(Entry::default()));
    }

    #[test]
    fn an_unwritable_directory_only_means_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"").unwrap();
        let cache = ResultCache::new(&file);
        let b = blob("go.mod", b"module x");
        cache.put("deps", &b, &Entry::default());
        assert_eq!(cache.get("deps", &b), None);
    }
}
