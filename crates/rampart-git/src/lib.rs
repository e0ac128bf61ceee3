//! A git repository as streams of blobs for rampart's scanners.
//!
//! [`history`] yields every blob reachable from any ref once, attributed to the commit that
//! first introduced it; [`staged`] yields what `git commit` would add. Both yield
//! [`SourceItem`]s, so the engine scans them like any other target, and both report what they
//! could not read as items rather than failing: one damaged object must not hide the rest of
//! the history from the scan.

mod date;
mod history;
mod object;
mod staged;

use std::path::{Path, PathBuf};

pub use date::rfc3339_utc;
pub use history::{history, BlobReader, History, HistoryOptions, Pending, PendingBlobs};
pub use rampart_core::SourceItem;
pub use staged::{staged, Staged};

/// Why a repository could not be read at all. Damage confined to some objects is not an
/// error: it becomes [`SourceItem::Unreadable`] items and the rest is still read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}: not a git repository (nor inside one): {message}", path.display())]
    NotARepository { path: PathBuf, message: String },
    #[error("{}: the git repository is damaged: {message}", path.display())]
    Corrupt { path: PathBuf, message: String },
    #[error("{}: could not open the git repository: {message}", path.display())]
    Open { path: PathBuf, message: String },
}

/// Opens the repository at `path` or the one it is inside, bare or not.
fn open(path: &Path) -> Result<gix::Repository, GitError> {
    if let Err(e) = std::fs::metadata(path) {
        return Err(GitError::NotARepository {
            path: path.to_path_buf(),
            message: e.to_string(),
        });
    }
    gix::discover(path).map_err(|e| {
        let message = describe(&e);
        if e.downcast_any_ref::<gix::discover::upwards::Error>()
            .is_some()
        {
            GitError::NotARepository {
                path: path.to_path_buf(),
                message,
            }
        } else if e.is_corrupted() {
            GitError::Corrupt {
                path: path.to_path_buf(),
                message,
            }
        } else {
            GitError::Open {
                path: path.to_path_buf(),
                message,
            }
        }
    })
}

/// The whole chain of an error on one line: gix's top-level message alone often says only
/// which operation failed, not why.
fn describe(error: &gix::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in error.iter_errors() {
        let text = e.to_string();
        if text.is_empty() || parts.iter().any(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    if parts.is_empty() {
        error.to_string()
    } else {
        parts.join(": ")
    }
}

/// The commit checked out in the repository at or above `path`, as a hex id; `None` outside a
/// repository or before the first commit.
pub fn head_commit(path: &Path) -> Option<String> {
    let repo = open(path).ok()?;
    let id = repo.head_id().ok()?;
    Some(id.to_string())
}
