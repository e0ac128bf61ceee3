//! `rampart db update` against a small HTTP/1.1 server on 127.0.0.1: conditional requests,
//! retries, and servers that fail, lie or stall, none of which may damage the cache or the
//! database.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rampart_sca::ecosystem::Ecosystem;
use rampart_sca::vulndb::{
    cache_dir, cache_state, update, Database, Fetched, UpdateError, UpdateOptions, UpdateReport,
};

// ---------------------------------------------------------------------------------------------
// The server.

#[derive(Debug, Clone)]
struct Request {
    path: String,
    headers: BTreeMap<String, String>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

enum Reply {
    /// A complete answer with a `Content-Length`.
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// Declares `declared` bytes, sends `body`, closes.
    Short { declared: usize, body: Vec<u8> },
    /// No `Content-Length`: the body ends when the connection closes.
    UntilClose { body: Vec<u8> },
    /// Accepts the request and never answers (until the server stops).
    Silent,
}

fn status(status: u16) -> Reply {
    Reply::Full {
        status,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

type Handler = Box<dyn FnMut(&Request) -> Reply + Send>;

struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<Request>>>,
    handler: Arc<Mutex<Handler>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(handler: impl FnMut(&Request) -> Reply + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Mutex<Handler>> = Arc::new(Mutex::new(Box::new(handler)));
        let thread = {
            let (stop, requests, handler) = (stop.clone(), requests.clone(), handler.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut stream) = stream else { continue };
                    let Some(request) = read_request(&mut stream) else {
                        continue;
                    };
                    requests.lock().unwrap().push(request.clone());
                    let reply = (handler.lock().unwrap())(&request);
                    answer(&mut stream, reply, &stop);
                }
            })
        };
        Server {
            addr,
            stop,
            requests,
            handler,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn set(&self, handler: impl FnMut(&Request) -> Reply + Send + 'static) {
        *self.handler.lock().unwrap() = Box::new(handler);
    }

    /// The requests so far, forgotten.
    fn take_requests(&self) -> Vec<Request> {
        std::mem::take(&mut *self.requests.lock().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 << 10 || stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Request { path, headers })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

fn answer(stream: &mut TcpStream, reply: Reply, stop: &AtomicBool) {
    let out = match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut out = format!(
                "HTTP/1.1 {status} {}\r\nConnection: close\r\nContent-Length: {}\r\n",
                reason(status),
                if status == 304 { 0 } else { body.len() }
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            let mut out = out.into_bytes();
            out.extend_from_slice(&body);
            out
        }
        Reply::Short { declared, body } => {
            let mut out = format!(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nETag: \"short\"\r\nContent-Length: {declared}\r\n\r\n"
            )
            .into_bytes();
            out.extend_from_slice(&body);
            out
        }
        Reply::UntilClose { body } => {
            let mut out = b"HTTP/1.1 200 OK\r\nConnection: close\r\nETag: \"cut\"\r\n\r\n".to_vec();
            out.extend_from_slice(&body);
            out
        }
        Reply::Silent => {
            let until = Instant::now() + Duration::from_secs(10);
            while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(10));
            }
            return;
        }
    };
    let _ = stream.write_all(&out);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Serves `<path> -> (etag, body)`, answering 304 when `If-None-Match` matches and 404 for
/// anything else.
type Files = Arc<Mutex<BTreeMap<String, (String, Vec<u8>)>>>;

fn files_handler(files: Files) -> impl FnMut(&Request) -> Reply + Send + 'static {
    move |request: &Request| {
        let files = files.lock().unwrap();
        match files.get(&request.path) {
            Some((etag, _)) if request.header("if-none-match") == Some(etag.as_str()) => {
                status(304)
            }
            Some((etag, body)) => Reply::Full {
                status: 200,
                headers: vec![
                    ("ETag", etag.clone()),
                    ("Last-Modified", "Wed, 01 May 2024 00:00:00 GMT".into()),
                    ("Content-Type", "application/zip".into()),
                ],
                body: body.clone(),
            },
            None => status(404),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

fn advisory(id: &str, ecosystem: &str, name: &str, introduced: &str, fixed: &str) -> String {
    format!(
        r#"{{"id":"{id}","modified":"2024-05-01T00:00:00Z","summary":"test advisory {id}",
"affected":[{{"package":{{"ecosystem":"{ecosystem}","name":"{name}"}},
"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"{introduced}"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
    )
}

/// An `all.zip` as the OSV project publishes it: one `<ID>.json` per advisory.
fn zip_of(advisories: &[(&str, String)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (id, json) in advisories {
        writer.start_file(format!("{id}.json"), options).unwrap();
        writer.write_all(json.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn crates_zip() -> Vec<u8> {
    zip_of(&[
        (
            "RUSTSEC-2099-0001",
            advisory(
                "RUSTSEC-2099-0001",
                "crates.io",
                "tinyvec-test",
                "0",
                "1.2.0",
            ),
        ),
        (
            "RUSTSEC-2099-0002",
            advisory(
                "RUSTSEC-2099-0002",
                "crates.io",
                "hyper-test",
                "0.14.0",
                "0.14.9",
            ),
        ),
    ])
}

fn pypi_zip(fixed: &str) -> Vec<u8> {
    zip_of(&[(
        "PYSEC-2099-1",
        advisory("PYSEC-2099-1", "PyPI", "requests-test", "0", fixed),
    )])
}

fn two_ecosystems() -> Files {
    let mut files = BTreeMap::new();
    files.insert(
        "/crates.io/all.zip".to_string(),
        ("\"c1\"".to_string(), crates_zip()),
    );
    files.insert(
        "/PyPI/all.zip".to_string(),
        ("\"p1\"".to_string(), pypi_zip("2.0.0")),
    );
    Arc::new(Mutex::new(files))
}

fn options(server: &Server, ecosystems: &[Ecosystem]) -> UpdateOptions {
    UpdateOptions {
        mirror: server.url(),
        ecosystems: ecosystems.to_vec(),
        timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        backoff: Duration::from_millis(1),
        now: 1_700_000_000,
        ..UpdateOptions::default()
    }
}

const BOTH: [Ecosystem; 2] = [Ecosystem::CratesIo, Ecosystem::PyPI];

fn run(db: &Path, options: &UpdateOptions) -> Result<UpdateReport, UpdateError> {
    update(db, options, &mut |_| {})
}

fn fetched(report: &UpdateReport, ecosystem: Ecosystem) -> Fetched {
    report
        .fetched
        .iter()
        .find(|(e, _)| *e == ecosystem)
        .map(|(_, f)| f.clone())
        .unwrap_or_else(|| panic!("{ecosystem} not in {:?}", report.fetched))
}

fn affected(db: &Path, ecosystem: Ecosystem, name: &str, version: &str) -> bool {
    Database::open(db)
        .unwrap()
        .advisories(ecosystem, name)
        .unwrap()
        .iter()
        .any(|a| a.advisory.affects(ecosystem, name, version))
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.contains("part") || name.contains("tmp")
        })
        .collect()
}

/// A database and cache made by one good update of crates.io and PyPI.
fn updated(server: &Server) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    run(&db, &options(server, &BOTH)).unwrap();
    server.take_requests();
    (dir, db)
}

// ---------------------------------------------------------------------------------------------
// Tests.

#[test]
fn first_update_imports_and_the_second_asks_with_validators_and_downloads_nothing() {
    let files = two_ecosystems();
    let server = Server::start(files_handler(files.clone()));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("osv.rdb");
    let mut events = Vec::new();

    let report = update(&db, &options(&server, &BOTH), &mut |p| {
        events.push(format!("{p:?}"))
    })
    .unwrap();
    let crates_bytes = files.lock().unwrap()["/crates.io/all.zip"].1.len() as u64;
    assert_eq!(
        fetched(&report, Ecosystem::CratesIo),
        Fetched::Downloaded {
            bytes: crates_bytes
        }
    );
    assert!(matches!(
        fetched(&report, Ecosystem::PyPI),
        Fetched::Downloaded { .. }
    ));
    let import = report.import.expect("imported");
    assert_eq!(import.imported.get("crates.io"), Some(&2));
    assert_eq!(import.imported.get("PyPI"), Some(&1));
    assert!(events.iter().any(|e| e.contains("Importing")), "{events:?}");
    assert!(affected(&db, Ecosystem::CratesIo, "tinyvec-test", "1.1.0"));
    assert!(!affected(&db, Ecosystem::CratesIo, "tinyvec-test", "1.2.0"));
    assert!(affected(&db, Ecosystem::PyPI, "Requests_Test", "1.0"));

    let cache = cache_dir(&db);
    assert_eq!(cache, dir.path().join("data/osv-cache"));
    assert!(cache.join("crates.io.zip").is_file());
    assert!(cache.join("PyPI.zip").is_file());
    let state = cache_state(&db).unwrap();
    assert_eq!(
        state.ecosystems["crates.io"].etag.as_deref(),
        Some("\"c1\"")
    );
    assert_eq!(
        state.ecosystems["PyPI"].last_modified.as_deref(),
        Some("Wed, 01 May 2024 00:00:00 GMT")
    );
    assert!(!state.pending_import);
    let first = server.take_requests();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|r| r.header("if-none-match").is_none()));

    // Unchanged: validators go out, 304s come back, the database is not rebuilt.
    let before = std::fs::read(&db).unwrap();
    let modified = std::fs::metadata(&db).unwrap().modified().unwrap();
    let mut later = options(&server, &BOTH);
    later.now += 3600;
    let report = run(&db, &later).unwrap();
    assert_eq!(fetched(&report, Ecosystem::CratesIo), Fetched::Unchanged);
    assert_eq!(fetched(&report, Ecosystem::PyPI), Fetched::Unchanged);
    assert!(report.import.is_none());
    let second = server.take_requests();
    assert_eq!(second.len(), 2);
    for r in &second {
        let expected = if r.path.starts_with("/crates.io") {
            "\"c1\""
        } else {
            "\"p1\""
        };
        assert_eq!(r.header("if-none-match"), Some(expected), "{r:?}");
        assert_eq!(
            r.header("if-modified-since"),
            Some("Wed, 01 May 2024 00:00:00 GMT")
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&db).unwrap().modified().unwrap(),
        modified
    );
    let state = cache_state(&db).unwrap();
    assert_eq!(state.ecosystems["crates.io"].checked, later.now);
    assert_eq!(state.ecosystems["crates.io"].downloaded, later.now - 3600);
    assert!(leftovers(&cache).is_empty());
}

#[test]
fn a_changed_etag_downloads_that_ecosystem_alone() {
    let files = two_ecosystems();
    let server = Server::start(files_handler(files.clone()));
    let (_dir, db) = updated(&server);
    assert!(!affected(&db, Ecosystem::PyPI, "requests-test", "2.5.0"));

    files.lock().unwrap().insert(
        "/PyPI/all.zip".to_string(),
        ("\"p2\"".to_string(), pypi_zip("3.0.0")),
    );
    let report = run(&db, &options(&server, &BOTH)).unwrap();
    assert_eq!(fetched(&report, Ecosystem::CratesIo), Fetched::Unchanged);
    assert!(matches!(
        fetched(&report, Ecosystem::PyPI),
        Fetched::Downloaded { .. }
    ));
    assert!(report.import.is_some());
    assert!(affected(&db, Ecosystem::PyPI, "requests-test", "2.5.0"));
    assert!(
        affected(&db, Ecosystem::CratesIo, "hyper-test", "0.14.3"),
        "the unchanged ecosystem is still there"
    );
    let requests = server.take_requests();
    assert_eq!(requests.len(), 2, "one request per ecosystem: {requests:?}");
    assert_eq!(
        cache_state(&db).unwrap().ecosystems["PyPI"].etag.as_deref(),
        Some("\"p2\"")
    );
}

#[test]
fn server_errors_are_retried() {
    let files = two_ecosystems();
    let mut serve = files_handler(files);
    let mut failures = 0;
    let server = Server::start(move |r: &Request| {
        if failures < 2 {
            failures += 1;
            status(500)
        } else {
            serve(r)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    let mut retries = Vec::new();
    let report = update(&db, &options(&server, &[Ecosystem::CratesIo]), &mut |p| {
        if let rampart_sca::vulndb::Progress::Retrying {
            attempt, reason, ..
        } = p
        {
            retries.push((attempt, reason.to_string()));
        }
    })
    .unwrap();
    assert!(matches!(
        fetched(&report, Ecosystem::CratesIo),
        Fetched::Downloaded { .. }
    ));
    assert_eq!(server.take_requests().len(), 3);
    assert_eq!(retries.len(), 2);
    assert!(retries[0].1.contains("500"), "{retries:?}");
    assert!(affected(&db, Ecosystem::CratesIo, "tinyvec-test", "1.0.0"));
}

#[test]
fn a_server_that_keeps_failing_leaves_the_database_alone() {
    let server = Server::start(files_handler(two_ecosystems()));
    let (dir, db) = updated(&server);
    let before = std::fs::read(&db).unwrap();
    let cached = std::fs::read(cache_dir(&db).join("crates.io.zip")).unwrap();

    server.set(|_: &Request| status(500));
    let err = run(&db, &options(&server, &BOTH)).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, UpdateError::Failed { .. }), "{err:?}");
    assert!(
        message.contains("crates.io")
            && message.contains("server error 500")
            && message.contains("after 3 attempts")
            && message.contains("database at")
            && message.contains("is unchanged"),
        "{message}"
    );
    assert_eq!(server.take_requests().len(), 6, "3 tries per ecosystem");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(
        std::fs::read(cache_dir(&db).join("crates.io.zip")).unwrap(),
        cached
    );
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn an_unreachable_mirror_says_how_to_work_offline() {
    let server = Server::start(files_handler(two_ecosystems()));
    let (_dir, db) = updated(&server);
    let before = std::fs::read(&db).unwrap();
    let mut offline = options(&server, &BOTH);
    drop(server);
    // Nothing listens on the port any more.
    let started = Instant::now();
    let err = run(&db, &offline).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, UpdateError::Unreachable { .. }), "{err:?}");
    assert!(
        message.starts_with(&format!(
            "cannot reach {}/crates.io/all.zip: ",
            offline.mirror
        )) && message.contains(&format!(
            "the existing database at {} is unchanged",
            db.display()
        )) && message.contains("rampart db import"),
        "{message}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // Without a database, the message says none was written.
    let dir = tempfile::tempdir().unwrap();
    offline.ecosystems = vec![Ecosystem::Go];
    let fresh = dir.path().join("osv.rdb");
    let message = run(&fresh, &offline).unwrap_err().to_string();
    assert!(message.contains("no database was written"), "{message}");
    assert!(!fresh.exists());
}

#[test]
fn truncated_or_corrupt_downloads_are_rejected_and_the_old_files_kept() {
    let server = Server::start(files_handler(two_ecosystems()));
    let (dir, db) = updated(&server);
    let before = std::fs::read(&db).unwrap();
    let zip_path = cache_dir(&db).join("crates.io.zip");
    let cached = std::fs::read(&zip_path).unwrap();
    let state = cache_state(&db).unwrap();
    let half = crates_zip()[..cached.len() / 2].to_vec();

    // The body ends before its Content-Length: a broken-off transfer, tried again, then given up.
    let body = half.clone();
    server.set(move |_: &Request| Reply::Short {
        declared: body.len() * 2,
        body: body.clone(),
    });
    let message = run(&db, &options(&server, &[Ecosystem::CratesIo]))
        .unwrap_err()
        .to_string();
    assert!(message.contains("broke off"), "{message}");
    assert_eq!(server.take_requests().len(), 3);

    // No Content-Length and a cut body: complete as far as HTTP knows, but not a zip.
    let body = half.clone();
    server.set(move |_: &Request| Reply::UntilClose { body: body.clone() });
    let message = run(&db, &options(&server, &[Ecosystem::CratesIo]))
        .unwrap_err()
        .to_string();
    assert!(message.contains("not a readable zip"), "{message}");

    // Bytes that are no zip at all.
    server.set(|_: &Request| Reply::Full {
        status: 200,
        headers: vec![("ETag", "\"html\"".into())],
        body: b"<html>captive portal</html>".to_vec(),
    });
    let message = run(&db, &options(&server, &[Ecosystem::CratesIo]))
        .unwrap_err()
        .to_string();
    assert!(message.contains("not a readable zip"), "{message}");

    assert_eq!(std::fs::read(&zip_path).unwrap(), cached);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(cache_state(&db).unwrap(), state, "the validators are kept");
    assert!(leftovers(&cache_dir(&db)).is_empty());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_missing_ecosystem_is_a_clear_error_and_what_did_download_is_imported_next_time() {
    let files = two_ecosystems();
    let server = Server::start(files_handler(files.clone()));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    let err = run(
        &db,
        &options(&server, &[Ecosystem::CratesIo, Ecosystem::RedHat]),
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("Red Hat:")
            && message.contains("/Red%20Hat/all.zip: 404 Not Found")
            && message.contains("no database was written"),
        "{message}"
    );
    let requests = server.take_requests();
    assert_eq!(
        requests.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        ["/crates.io/all.zip", "/Red%20Hat/all.zip"],
        "a 404 is not tried again"
    );
    assert!(!db.exists());
    assert!(cache_state(&db).unwrap().pending_import);

    // crates.io is unchanged now, but its download was never imported: it is now.
    let report = run(&db, &options(&server, &[Ecosystem::CratesIo])).unwrap();
    assert_eq!(fetched(&report, Ecosystem::CratesIo), Fetched::Unchanged);
    assert!(report.import.is_some());
    assert!(affected(&db, Ecosystem::CratesIo, "tinyvec-test", "1.0.0"));
    assert!(!cache_state(&db).unwrap().pending_import);
}

#[test]
fn oversized_and_silent_servers_are_cut_off() {
    let files = two_ecosystems();
    let server = Server::start(files_handler(files.clone()));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");

    // Declared too large: refused before reading; sent too large without a length: cut off.
    let mut small = options(&server, &[Ecosystem::CratesIo]);
    small.max_download = 100;
    let message = run(&db, &small).unwrap_err().to_string();
    assert!(
        message.contains("over the 100 byte download limit"),
        "{message}"
    );
    assert_eq!(server.take_requests().len(), 1, "not tried again");
    server.set(|_: &Request| Reply::UntilClose {
        body: vec![b'x'; 10_000],
    });
    let message = run(&db, &small).unwrap_err().to_string();
    assert!(
        message.contains("over the 100 byte download limit"),
        "{message}"
    );

    // A server that accepts and never answers.
    server.set(|_: &Request| Reply::Silent);
    let mut impatient = options(&server, &[Ecosystem::CratesIo]);
    impatient.read_timeout = Duration::from_millis(200);
    impatient.timeout = Duration::from_millis(300);
    impatient.attempts = 1;
    let started = Instant::now();
    let err = run(&db, &impatient).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(!db.exists());
    assert!(leftovers(&cache_dir(&db)).is_empty());
}

#[test]
fn a_bad_mirror_url_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let options = UpdateOptions {
        mirror: "osv.example.com".into(),
        ..UpdateOptions::default()
    };
    let err = run(&dir.path().join("osv.rdb"), &options).unwrap_err();
    assert!(matches!(err, UpdateError::Usage(_)), "{err:?}");
}

#[test]
fn the_real_crates_io_file_updates_from_a_mirror() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/osv/crates.io-all.zip");
    let Ok(body) = std::fs::read(&path) else {
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    let mut files = BTreeMap::new();
    files.insert(
        "/crates.io/all.zip".to_string(),
        ("\"real\"".to_string(), body),
    );
    let server = Server::start(files_handler(Arc::new(Mutex::new(files))));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.rdb");
    let report = run(&db, &options(&server, &[Ecosystem::CratesIo])).unwrap();
    assert!(report.import.unwrap().imported["crates.io"] > 1000);
    let smallvec = Database::open(&db)
        .unwrap()
        .advisories(Ecosystem::CratesIo, "smallvec")
        .unwrap();
    assert!(!smallvec.is_empty());
    let report = run(&db, &options(&server, &[Ecosystem::CratesIo])).unwrap();
    assert!(report.import.is_none());
}
