//! `rampart db update` end to end, against a small HTTP/1.1 server on 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{json, rampart};
use predicates::prelude::*;

/// Serves one file at `path` with an ETag, answering 304 to a matching `If-None-Match` and 404
/// to anything else.
struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(path: &'static str, etag: &'static str, body: Vec<u8>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(mut stream) = stream {
                        serve(&mut stream, path, etag, &body);
                    }
                }
            })
        };
        Server {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: &mut TcpStream, path: &str, etag: &str, body: &[u8]) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) if head.len() < 64 << 10 => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let requested = head.split(' ').nth(1).unwrap_or_default();
    let (status, body): (&str, &[u8]) = if requested != path.to_ascii_lowercase() {
        ("404 Not Found", b"")
    } else if head.contains(&format!("if-none-match: {etag}")) {
        ("304 Not Modified", b"")
    } else {
        ("200 OK", body)
    };
    let mut out = format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nETag: {etag}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    let _ = stream.write_all(&out);
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn crates_io_zip() -> Vec<u8> {
    let advisory = r#"{"id":"RUSTSEC-2099-0001","modified":"2024-05-01T00:00:00Z",
"summary":"Out-of-bounds write in tinyvec-test",
"affected":[{"package":{"ecosystem":"crates.io","name":"tinyvec-test"},
"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}"#;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer
        .start_file("RUSTSEC-2099-0001.json", options)
        .expect("zip entry");
    writer.write_all(advisory.as_bytes()).expect("zip write");
    writer.finish().expect("zip").into_inner()
}

fn db_update(mirror: &str, db: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = rampart();
    cmd.env_remove("RAMPART_OSV_MIRROR")
        .args([
            "db",
            "update",
            "--mirror",
            mirror,
            "--ecosystem",
            "crates.io",
            "--db",
        ])
        .arg(db);
    cmd
}

#[test]
fn db_update_downloads_imports_and_then_finds_nothing_new() {
    let server = Server::start("/crates.io/all.zip", "\"v1\"", crates_io_zip());
    let mirror = format!("http://{}", server.addr);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("osv.rdb");

    db_update(&mirror, &db)
        .assert()
        .success()
        .stderr(predicate::str::contains("crates.io: downloaded"))
        .stderr(predicate::str::contains("imported crates.io: 1 into"));
    assert!(dir.path().join("osv-cache/crates.io.zip").is_file());

    rampart()
        .args(["db", "status", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("crates.io"))
        .stdout(predicate::str::contains("last checked just now"))
        .stdout(predicate::str::contains(format!(
            "{mirror}/crates.io/all.zip"
        )));

    db_update(&mirror, &db)
        .assert()
        .success()
        .stderr(predicate::str::contains("crates.io: unchanged"))
        .stderr(predicate::str::contains("nothing changed"));

    // The database answers a scan.
    let project = dir.path().join("app");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"tinyvec-test\"\nversion = \"1.1.0\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .expect("write");
    let out = rampart()
        .args(["scan", "deps"])
        .arg(&project)
        .arg("--db")
        .arg(&db)
        .args(["--format", "json", "--fail-on", "none"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let message = report["findings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("RUSTSEC-2099-0001"), "{report}");

    // Unknown ecosystems are usage errors; an unreachable mirror is a runtime error that leaves
    // the database alone.
    rampart()
        .args(["db", "update", "--ecosystem", "Cobol", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown ecosystem `Cobol`"));
    let before = std::fs::read(&db).expect("database");
    drop(server);
    db_update(&mirror, &db)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot reach"))
        .stderr(predicate::str::contains("is unchanged"))
        .stderr(predicate::str::contains("rampart db import"));
    assert_eq!(std::fs::read(&db).expect("database"), before);
}
