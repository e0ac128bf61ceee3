//! Helpers shared by the CLI tests: the binary, fixture paths, and throwaway git repositories.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::Command as Cmd;

pub fn rampart() -> Cmd {
    let mut cmd = Cmd::cargo_bin("rampart").expect("the rampart binary is built");
    // Tests must not depend on the developer's terminal or environment.
    cmd.env("NO_COLOR", "1")
        .env_remove("RAMPART_CONFIG")
        .env("RAMPART_DB", "/nonexistent/rampart-test/osv.rdb")
        .env("RAMPART_CACHE_DIR", test_cache_dir());
    cmd
}

/// A result cache of this test process's own, never the developer's.
pub fn test_cache_dir() -> PathBuf {
    std::env::temp_dir().join(format!("rampart-test-cache-{}", std::process::id()))
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fake GitHub token that the built-in rule matches; `n` makes it unique.
pub fn token(n: u32) -> String {
    let alphabet: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        .chars()
        .collect();
    let mut state = 0x9E37_79B9u32.wrapping_mul(n + 1);
    let body: String = (0..36)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            alphabet[(state % 62) as usize]
        })
        .collect();
    format!("ghp_{body}")
}

/// A git repository in a temporary directory, driven by the git command line with fixed
/// identities and dates so commit ids are reproducible.
pub struct Repo {
    pub dir: tempfile::TempDir,
    clock: u32,
}

impl Repo {
    pub fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("tempdir"),
            clock: 0,
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        let date = format!("2024-01-{:02}T12:00:00Z", self.clock + 1);
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_AUTHOR_NAME", "Ada Lovelace")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada Lovelace")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path())
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn write(&self, path: &str, text: &str) {
        let p = self.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }

    pub fn commit(&mut self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.clock += 1;
        self.git(&["rev-parse", "HEAD"])
    }
}

pub fn json(output: &[u8]) -> serde_json::Value {
    serde_json::from_slice(output)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(output)))
}

/// The advisories the sca crate's tests ship (a Log4Shell advisory among them), imported into
/// `dir/osv.rdb`; returns the database's path.
pub fn fixture_db(dir: &Path) -> PathBuf {
    let db = dir.join("osv.rdb");
    let advisories = sca_fixtures().join("osv");
    rampart()
        .args(["db", "import"])
        .arg(&advisories)
        .arg("--db")
        .arg(&db)
        .assert()
        .success();
    db
}

/// The sca crate's test fixtures (advisories, EPSS and KEV files, VEX documents).
pub fn sca_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rampart-sca/tests/fixtures")
}
