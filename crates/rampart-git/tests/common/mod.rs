#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rampart_core::{Commit, Origin, SourceItem};
use tempfile::TempDir;

pub const NAME: &str = "Alice Example";
pub const EMAIL: &str = "alice@example.com";

/// A scratch repository driven through the git CLI, isolated from the user's and the system's
/// configuration and from any repository the tests themselves run inside.
pub struct Repo {
    pub dir: TempDir,
}

impl Repo {
    pub fn init() -> Repo {
        let dir = TempDir::new().unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", NAME]);
        repo.git(&["config", "user.email", EMAIL]);
        repo.git(&["config", "core.autocrlf", "false"]);
        repo.git(&["config", "gc.auto", "0"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.args(args)
            .current_dir(self.path())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_OBJECT_DIRECTORY")
            .env_remove("GIT_AUTHOR_NAME")
            .env_remove("GIT_AUTHOR_EMAIL")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z");
        cmd
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.git_env(args, &[])
    }

    pub fn git_env(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    pub fn write(&self, path: &str, content: &str) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).unwrap();
    }

    /// Stages everything and commits it at `date` (an ISO 8601 date git accepts, with its
    /// offset), returning the new commit's id.
    pub fn commit(&self, message: &str, date: &str) -> String {
        self.commit_as(message, date, NAME, EMAIL)
    }

    pub fn commit_as(&self, message: &str, date: &str, name: &str, email: &str) -> String {
        self.git(&["add", "-A"]);
        self.git_env(
            &["commit", "-q", "--allow-empty", "-m", message],
            &[
                ("GIT_AUTHOR_DATE", date),
                ("GIT_COMMITTER_DATE", date),
                ("GIT_AUTHOR_NAME", name),
                ("GIT_AUTHOR_EMAIL", email),
            ],
        );
        self.git(&["rev-parse", "HEAD"])
    }

    /// The file holding loose object `id`.
    pub fn loose_object(&self, id: &str) -> PathBuf {
        self.path()
            .join(".git/objects")
            .join(&id[..2])
            .join(&id[2..])
    }
}

/// A blob item reduced to what tests compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub path: String,
    pub content: String,
    pub origin: Origin,
}

pub fn blobs(items: &[SourceItem]) -> Vec<Seen> {
    items
        .iter()
        .filter_map(|item| match item {
            SourceItem::Blob(b) => Some(Seen {
                path: b.path.clone(),
                content: String::from_utf8_lossy(&b.bytes).into_owned(),
                origin: b.origin.clone(),
            }),
            _ => None,
        })
        .collect()
}

pub fn unreadable_messages(items: &[SourceItem]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            SourceItem::Unreadable(d) => Some(format!("{}: {}", d.path, d.message)),
            _ => None,
        })
        .collect()
}

pub fn commit(id: &str, name: &str, email: &str, date: &str) -> Origin {
    Origin::Commit(Commit {
        id: id.to_owned(),
        author: name.to_owned(),
        email: email.to_owned(),
        date: date.to_owned(),
    })
}
