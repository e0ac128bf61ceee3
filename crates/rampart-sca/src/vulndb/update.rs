//! `rampart db update`: the OSV project's per-ecosystem `all.zip` files, downloaded only when
//! they changed, kept beside the database and imported with [`import_paths`].
//!
//! The cache is `<database folder>/osv-cache/`: one `<ecosystem>.zip` per ecosystem and
//! `state.json` with each file's `ETag` and `Last-Modified`, sent back as `If-None-Match` and
//! `If-Modified-Since` so that an unchanged file costs one `304 Not Modified`. A download goes to
//! a temporary file and replaces the cached zip only when it is complete and reads as a zip; the
//! database is rebuilt from every cached zip only when one of them changed. Servers are not
//! trusted: sizes and times are bounded, and a failure leaves the cached zips and the database
//! as they were.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{import_paths, Database, DbError, ImportLimits, ImportReport};
use crate::ecosystem::Ecosystem;

/// The OSV project's public bucket: `<mirror>/<ecosystem>/all.zip`.
pub const DEFAULT_MIRROR: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The ecosystems rampart's lockfile parsers produce: what `rampart db update` fetches unless
/// told otherwise.
pub const DEFAULT_ECOSYSTEMS: [Ecosystem; 10] = [
    Ecosystem::CratesIo,
    Ecosystem::Npm,
    Ecosystem::Go,
    Ecosystem::PyPI,
    Ecosystem::Maven,
    Ecosystem::NuGet,
    Ecosystem::Packagist,
    Ecosystem::Pub,
    Ecosystem::RubyGems,
    Ecosystem::Hex,
];

const STATE_FILE: &str = "state.json";
/// A state file larger than this is not one rampart wrote.
const MAX_STATE: u64 = 1 << 20;
/// Header values longer than this are not kept for the next request.
const MAX_VALIDATOR: usize = 1024;

/// How to update.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Base URL holding `<ecosystem>/all.zip`.
    pub mirror: String,
    /// The ecosystems to fetch.
    pub ecosystems: Vec<Ecosystem>,
    /// Largest download accepted, per file.
    pub max_download: u64,
    /// Longest one request may take, from connecting to the last byte.
    pub timeout: Duration,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest the server may stay silent while it sends its answer.
    pub read_timeout: Duration,
    /// Tries per file on connection errors and server errors (5xx).
    pub attempts: u32,
    /// Wait before the second try; it doubles for each further one.
    pub backoff: Duration,
    /// Limits for the import of the downloaded files.
    pub limits: ImportLimits,
    /// The time to record, seconds since the Unix epoch.
    pub now: u64,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            mirror: DEFAULT_MIRROR.to_string(),
            ecosystems: DEFAULT_ECOSYSTEMS.to_vec(),
            max_download: 2 << 30,
            timeout: Duration::from_secs(30 * 60),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            attempts: 3,
            backoff: Duration::from_millis(500),
            limits: ImportLimits::default(),
            now: 0,
        }
    }
}

/// What happened to one ecosystem's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The server said the cached file is current.
    Unchanged,
    /// A new file was downloaded into the cache.
    Downloaded { bytes: u64 },
}

/// Reported while an update runs.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A try failed and another follows.
    Retrying {
        ecosystem: Ecosystem,
        attempt: u32,
        attempts: u32,
        reason: &'a str,
    },
    /// One ecosystem is done.
    Fetched {
        ecosystem: Ecosystem,
        fetched: &'a Fetched,
    },
    /// The database is being rebuilt from these cached files.
    Importing { sources: &'a [PathBuf] },
}

/// What an update did.
#[derive(Debug, Clone)]
pub struct UpdateReport {
    pub fetched: Vec<(Ecosystem, Fetched)>,
    /// The import, or `None` when nothing changed and the database was kept as it was.
    pub import: Option<ImportReport>,
    /// The cache directory.
    pub cache: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// Bad options: the mirror URL or the ecosystem list.
    #[error("{0}")]
    Usage(String),
    #[error("cannot reach {url}: {message}; {}; use `rampart db import` with downloaded all.zip files for offline machines", unchanged(db))]
    Unreachable {
        url: String,
        message: String,
        db: PathBuf,
    },
    /// Some ecosystems could not be fetched (each message names its ecosystem and URL).
    #[error("{}; {}", failures.join("; "), unchanged(db))]
    Failed { failures: Vec<String>, db: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

fn unchanged(db: &Path) -> String {
    if db.exists() {
        format!("the existing database at {} is unchanged", db.display())
    } else {
        format!("no database was written to {}", db.display())
    }
}

/// The cache state: what was downloaded, and the validators to ask the server with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheState {
    #[serde(default)]
    pub ecosystems: BTreeMap<String, CachedFile>,
    /// A cached zip changed since the database was last built from the cache.
    #[serde(default)]
    pub pending_import: bool,
}

/// One ecosystem's cached `all.zip`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedFile {
    pub url: String,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    #[serde(default)]
    pub bytes: u64,
    /// When it was downloaded, seconds since the Unix epoch.
    #[serde(default)]
    pub downloaded: u64,
    /// When the server was last asked about it, seconds since the Unix epoch.
    #[serde(default)]
    pub checked: u64,
}

/// Where `rampart db update` keeps its downloads for the database at `db`.
pub fn cache_dir(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("osv-cache")
}

/// The cache state beside the database at `db`, if there is a readable one.
pub fn cache_state(db: &Path) -> Option<CacheState> {
    read_state(&cache_dir(db))
}

fn read_state(cache: &Path) -> Option<CacheState> {
    let file = std::fs::File::open(cache.join(STATE_FILE)).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_STATE).read_to_end(&mut bytes).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_state(cache: &Path, state: &CacheState) -> Result<(), UpdateError> {
    let path = cache.join(STATE_FILE);
    let tmp = cache.join(format!(".{STATE_FILE}.tmp-{}", std::process::id()));
    let io = |source| UpdateError::Io {
        path: path.clone(),
        source,
    };
    let bytes = serde_json::to_vec_pretty(state).map_err(|e| io(e.into()))?;
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

/// Fetches the chosen ecosystems' `all.zip` files that changed and, if any did (or the
/// database is missing), rebuilds the database at `db` from every cached zip.
pub fn update(
    db: &Path,
    options: &UpdateOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<UpdateReport, UpdateError> {
    let base = mirror_base(&options.mirror)?;
    let mut ecosystems: Vec<Ecosystem> = Vec::new();
    for e in &options.ecosystems {
        if !ecosystems.contains(e) {
            ecosystems.push(*e);
        }
    }
    if ecosystems.is_empty() {
        return Err(UpdateError::Usage("no ecosystem to update".into()));
    }
    let cache = cache_dir(db);
    std::fs::create_dir_all(&cache).map_err(|source| UpdateError::Io {
        path: cache.clone(),
        source,
    })?;
    let mut state = read_state(&cache).unwrap_or_default();
    let agent = agent(options, &base);

    let mut fetched = Vec::new();
    let mut failures = Vec::new();
    for ecosystem in ecosystems {
        let name = ecosystem.osv_name();
        let url = format!("{base}/{}/all.zip", escape_segment(name));
        let zip = cache.join(format!("{name}.zip"));
        let known = state
            .ecosystems
            .get(name)
            .filter(|_| zip.is_file())
            .cloned();
        let job = Job {
            agent: &agent,
            ecosystem,
            url: &url,
            known: known.as_ref(),
            zip: &zip,
            cache: &cache,
            options,
        };
        match job.run(progress) {
            Ok(Got::NotModified) => {
                if let Some(entry) = state.ecosystems.get_mut(name) {
                    entry.checked = options.now;
                }
                progress(Progress::Fetched {
                    ecosystem,
                    fetched: &Fetched::Unchanged,
                });
                fetched.push((ecosystem, Fetched::Unchanged));
            }
            Ok(Got::File {
                bytes,
                etag,
                last_modified,
            }) => {
                state.ecosystems.insert(
                    name.to_string(),
                    CachedFile {
                        url: url.clone(),
                        etag,
                        last_modified,
                        bytes,
                        downloaded: options.now,
                        checked: options.now,
                    },
                );
                state.pending_import = true;
                // Recorded at once, so a later failure does not lose the download.
                write_state(&cache, &state)?;
                let done = Fetched::Downloaded { bytes };
                progress(Progress::Fetched {
                    ecosystem,
                    fetched: &done,
                });
                fetched.push((ecosystem, done));
            }
            Err(Failure {
                message,
                connection: true,
            }) => {
                write_state(&cache, &state)?;
                return Err(UpdateError::Unreachable {
                    url,
                    message,
                    db: db.to_path_buf(),
                });
            }
            Err(Failure { message, .. }) => failures.push(format!("{name}: {message}")),
        }
    }
    write_state(&cache, &state)?;
    if !failures.is_empty() {
        return Err(UpdateError::Failed {
            failures,
            db: db.to_path_buf(),
        });
    }
    if !state.pending_import && Database::open(db).is_ok() {
        return Ok(UpdateReport {
            fetched,
            import: None,
            cache,
        });
    }
    let sources: Vec<PathBuf> = state
        .ecosystems
        .keys()
        .filter(|name| name.parse::<Ecosystem>().is_ok())
        .map(|name| cache.join(format!("{name}.zip")))
        .filter(|p| p.is_file())
        .collect();
    progress(Progress::Importing { sources: &sources });
    let report = import_paths(db, &sources, &options.limits, options.now)?;
    state.pending_import = false;
    write_state(&cache, &state)?;
    Ok(UpdateReport {
        fetched,
        import: Some(report),
        cache,
    })
}

/// The mirror URL without a trailing slash, if it is an http(s) URL with a host.
fn mirror_base(mirror: &str) -> Result<String, UpdateError> {
    let base = mirror.trim().trim_end_matches('/');
    let lower = base.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(base.to_string()),
        _ => Err(UpdateError::Usage(format!(
            "the mirror `{mirror}` is not an http:// or https:// URL"
        ))),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters: `Red Hat` -> `Red%20Hat`.
fn escape_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_loopback(base: &str) -> bool {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split_once(']')
            .map_or(host, |(h, _)| h)
            .trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn agent(options: &UpdateOptions, base: &str) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .user_agent(concat!("rampart/", env!("CARGO_PKG_VERSION")))
        .timeout_global(Some(options.timeout))
        .timeout_connect(Some(options.connect_timeout))
        .timeout_per_read(Some(options.read_timeout))
        .max_redirects(5);
    if is_loopback(base) {
        // A mirror on this machine is never reached through a proxy.
        config = config.proxy(None);
    }
    config.build().into()
}

/// What one request brought.
enum Got {
    NotModified,
    File {
        bytes: u64,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Why a request failed; `connection` when the server could not be reached at all.
struct Failure {
    message: String,
    connection: bool,
}

/// One try's failure, and whether another try may help.
struct TryFailure {
    message: String,
    retry: bool,
    connection: bool,
}

impl TryFailure {
    fn fatal(message: String) -> TryFailure {
        TryFailure {
            message,
            retry: false,
            connection: false,
        }
    }

    fn transient(message: String) -> TryFailure {
        TryFailure {
            message,
            retry: true,
            connection: false,
        }
    }
}

struct Job<'a> {
    agent: &'a ureq::Agent,
    ecosystem: Ecosystem,
    url: &'a str,
    known: Option<&'a CachedFile>,
    zip: &'a Path,
    cache: &'a Path,
    options: &'a UpdateOptions,
}

impl Job<'_> {
    fn run(&self, progress: &mut dyn FnMut(Progress<'_>)) -> Result<Got, Failure> {
        let attempts = self.options.attempts.max(1);
        let mut wait = self.options.backoff;
        let mut attempt = 1;
        loop {
            let failure = match self.try_once() {
                Ok(got) => return Ok(got),
                Err(f) => f,
            };
            if !failure.retry || attempt >= attempts {
                let message = if attempt > 1 {
                    format!("{} (after {attempt} attempts)", failure.message)
                } else {
                    failure.message
                };
                return Err(Failure {
                    message,
                    connection: failure.connection,
                });
            }
            progress(Progress::Retrying {
                ecosystem: self.ecosystem,
                attempt,
                attempts,
                reason: &failure.message,
            });
            std::thread::sleep(wait);
            wait = wait.saturating_mul(2);
            attempt += 1;
        }
    }

    fn try_once(&self) -> Result<Got, TryFailure> {
        let mut request = self.agent.get(self.url);
        let mut conditional = false;
        if let Some(known) = self.known {
            if let Some(etag) = &known.etag {
                request = request.header("If-None-Match", etag.as_str());
                conditional = true;
            }
            if let Some(date) = &known.last_modified {
                request = request.header("If-Modified-Since", date.as_str());
                conditional = true;
            }
        }
        let mut response = request.call().map_err(classify)?;
        let status = response.status().as_u16();
        match status {
            200 => {}
            304 if conditional => return Ok(Got::NotModified),
            304 => {
                return Err(TryFailure::fatal(
                    "the server answered 304 Not Modified to an unconditional request".into(),
                ))
            }
            404 => {
                return Err(TryFailure::fatal(format!(
                    "{}: 404 Not Found (the mirror has no {} data)",
                    self.url, self.ecosystem
                )))
            }
            408 | 429 | 500..=599 => {
                return Err(TryFailure::transient(format!(
                    "{}: server error {status}",
                    self.url
                )))
            }
            _ => {
                return Err(TryFailure::fatal(format!(
                    "{}: unexpected HTTP status {status}",
                    self.url
                )))
            }
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.len() <= MAX_VALIDATOR)
                .map(str::to_string)
        };
        let etag = header("etag");
        let last_modified = header("last-modified");
        let max = self.options.max_download;
        if let Some(declared) = header("content-length").and_then(|v| v.parse::<u64>().ok()) {
            if declared > max {
                return Err(TryFailure::fatal(format!(
                    "{}: the file is {declared} bytes, over the {max} byte download limit",
                    self.url
                )));
            }
        }
        let mut body = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .reader()
            .take(max.saturating_add(1));
        let bytes = self.save(&mut body, max)?;
        Ok(Got::File {
            bytes,
            etag,
            last_modified,
        })
    }

    /// Writes the body to a temporary file in the cache, checks it is a zip, and renames it
    /// over the cached one.
    fn save(&self, body: &mut dyn Read, max: u64) -> Result<u64, TryFailure> {
        let tmp = Temp(self.cache.join(format!(
            ".{}.zip.part-{}",
            self.ecosystem.osv_name(),
            std::process::id()
        )));
        let local = |e: std::io::Error| TryFailure::fatal(format!("{}: {e}", tmp.0.display()));
        let mut file = std::fs::File::create(&tmp.0).map_err(local)?;
        let mut buf = vec![0u8; 64 << 10];
        let mut total: u64 = 0;
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(TryFailure::transient(format!(
                        "{}: the download broke off after {total} bytes: {e}",
                        self.url
                    )))
                }
            };
            total += n as u64;
            if total > max {
                return Err(TryFailure::fatal(format!(
                    "{}: the file is over the {max} byte download limit",
                    self.url
                )));
            }
            file.write_all(&buf[..n]).map_err(local)?;
        }
        file.sync_all().map_err(local)?;
        drop(file);
        let check = std::fs::File::open(&tmp.0).map_err(local)?;
        if let Err(e) = zip::ZipArchive::new(check) {
            return Err(TryFailure::transient(format!(
                "{}: the download ({total} bytes) is not a readable zip archive: {e}",
                self.url
            )));
        }
        std::fs::rename(&tmp.0, self.zip)
            .map_err(|e| TryFailure::fatal(format!("{}: {e}", self.zip.display())))?;
        Ok(total)
    }
}

/// A temporary file, removed when dropped (after a rename there is nothing left to remove).
struct Temp(PathBuf);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn classify(error: ureq::Error) -> TryFailure {
    let connection = |message: String| TryFailure {
        message,
        retry: true,
        connection: true,
    };
    match error {
        ureq::Error::Io(e) => connection(e.to_string()),
        ureq::Error::Timeout(t) => connection(format!("timed out ({t})")),
        ureq::Error::HostNotFound => connection("host not found".into()),
        ureq::Error::ConnectionFailed => connection("connection failed".into()),
        ureq::Error::Protocol(e) => {
            TryFailure::transient(format!("the server's answer is not valid HTTP: {e}"))
        }
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => TryFailure {
            message: error.to_string(),
            retry: false,
            connection: true,
        },
        other => TryFailure::fatal(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystem_names_are_escaped_for_the_url_path() {
        assert_eq!(escape_segment("crates.io"), "crates.io");
        assert_eq!(escape_segment("Red Hat"), "Red%20Hat");
        assert_eq!(escape_segment("a/b?c"), "a%2Fb%3Fc");
    }

    #[test]
    fn mirrors_must_be_http_urls() {
        assert_eq!(
            mirror_base("https://example.com/osv/").ok().as_deref(),
            Some("https://example.com/osv")
        );
        assert!(mirror_base("ftp://example.com").is_err());
        assert!(mirror_base("http://").is_err());
        assert!(mirror_base("example.com").is_err());
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost/x"));
        assert!(is_loopback("http://[::1]:9/"));
        assert!(!is_loopback(DEFAULT_MIRROR));
        assert!(!is_loopback("http://127.example.com"));
    }

    #[test]
    fn the_cache_is_beside_the_database() {
        assert_eq!(
            cache_dir(Path::new("/data/rampart/osv.rdb")),
            Path::new("/data/rampart/osv-cache")
        );
        assert_eq!(cache_dir(Path::new("osv.rdb")), Path::new("./osv-cache"));
    }
}
