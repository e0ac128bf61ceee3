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
    /// Other files the scanner read to get there (through [`read_input`]), each with the
    /// digest of what it read (empty when the file was absent): the entry holds only while
    /// every one still reads the same.
    #[serde(default)]
    pub inputs: Vec<(std::path::PathBuf, String)>,
}

/// Files larger than this are not read as inputs.
const MAX_INPUT: u64 = 25 << 20;

thread_local! {
    static RECORDING: std::cell::RefCell<Option<Vec<(PathBuf, String)>>> =
        const { std::cell::RefCell::new(None) };
}

fn digest(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => String::new(),
        Some(b) => Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect(),
    }
}

fn read_file(path: &Path) -> Option<Vec<u8>> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    crate::walk::read_limited(path, MAX_INPUT).ok().flatten()
}

/// Reads a file a scanner needs besides the blob it was given (an included requirements
/// file, a parent POM), as text; `None` when it is absent, not a regular file, or too large.
/// While the engine records a scan for the cache, the file and what was read are noted, so a
/// cached result is only reused while the file reads the same.
pub fn read_input(path: &Path) -> Option<String> {
    let bytes = read_file(path);
    RECORDING.with(|r| {
        if let Some(inputs) = r.borrow_mut().as_mut() {
            inputs.push((path.to_path_buf(), digest(bytes.as_deref())));
        }
    });
    bytes.map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Runs `scan` while noting every [`read_input`] it makes on this thread.
pub(crate) fn recording(scan: impl FnOnce()) -> Vec<(PathBuf, String)> {
    RECORDING.with(|r| *r.borrow_mut() = Some(Vec::new()));
    scan();
    let mut inputs = RECORDING
        .with(|r| r.borrow_mut().take())
        .unwrap_or_default();
    inputs.sort();
    inputs.dedup();
    inputs
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
        let bytes = crate::walk::read_limited(&self.path(scanner, blob), MAX_ENTRY)
            .ok()
            .flatten()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        entry
            .inputs
            .iter()
            .all(|(path, seen)| digest(read_file(path).as_deref()) == *seen)
            .then_some(entry)
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
            inputs: Vec::new(),
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

    #[test]
    fn an_entry_holds_only_while_its_inputs_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ResultCache::new(dir.path().join("cache"));
        let included = dir.path().join("base.txt");
        let absent = dir.path().join("absent.txt");
        std::fs::write(&included, "flask==2.0.0\n").unwrap();
        let inputs = recording(|| {
            assert_eq!(read_input(&included).as_deref(), Some("flask==2.0.0\n"));
            assert_eq!(read_input(&absent), None);
        });
        assert_eq!(inputs.len(), 2);
        let b = blob("requirements.txt", b"-r base.txt\n-r absent.txt\n");
        let entry = Entry {
            inputs,
            ..Entry::default()
        };
        cache.put("deps", &b, &entry);
        assert_eq!(cache.get("deps", &b), Some(entry.clone()));
        std::fs::write(&included, "flask==2.3.0\n").unwrap();
        assert_eq!(cache.get("deps", &b), None, "an input changed");
        std::fs::write(&included, "flask==2.0.0\n").unwrap();
        assert_eq!(cache.get("deps", &b), Some(entry));
        std::fs::write(&absent, "x==1\n").unwrap();
        assert_eq!(cache.get("deps", &b), None, "an absent input appeared");
        assert!(recording(|| {}).is_empty());
        assert_eq!(
            read_input(&included).as_deref(),
            Some("flask==2.0.0\n"),
            "outside a recording"
        );
    }
}
