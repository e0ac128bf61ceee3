//! What `git commit` would add: the index compared with `HEAD`.

use std::collections::HashMap;
use std::path::Path;

use gix::bstr::ByteSlice;
use gix::index::entry::{Flags, Mode, Stage};
use gix::objs::{Find, Kind, TreeRefIter};
use gix::ObjectId;
use rampart_core::{Origin, SourceItem};

use crate::object::{read_blob, unreadable};
use crate::{describe, GitError};

/// The staged side and the `HEAD` side of every path the index changes.
#[derive(Debug, Clone, Default)]
pub struct Staged {
    /// The index's content of each added or modified path, with [`Origin::Staged`].
    pub staged: Vec<SourceItem>,
    /// The `HEAD` content of each modified path, with [`Origin::File`]: what the caller compares
    /// against, so that only what the commit adds is reported. Problems reading `HEAD` are here
    /// too, as [`SourceItem::Unreadable`] items.
    pub head: Vec<SourceItem>,
}

/// Content staged in the index that differs from `HEAD`, in index (path) order.
///
/// For each path whose index blob differs from the blob at that path in `HEAD`'s tree (added
/// or modified; deletions add nothing), `staged` has the index content and, when the path
/// exists in `HEAD` as a file, `head` has the `HEAD` content. Unmerged paths, intent-to-add
/// entries, symlinks and submodules are skipped. In a repository with no commits yet every
/// entry is staged and `head` is empty; a bare repository has no index and stages nothing.
///
/// `repo` may be the work tree or any directory inside it; `GIT_INDEX_FILE` is honoured, as git
/// sets it for hooks run by `git commit` with paths or `-a`.
pub fn staged(repo: &Path, max_blob_size: u64) -> Result<Staged, GitError> {
    let handle = crate::open(repo)?;
    let corrupt = |what: &str, e: gix::Error| GitError::Corrupt {
        path: repo.to_path_buf(),
        message: format!("{what}: {}", describe(&e)),
    };
    let index = handle
        .index_or_empty()
        .map_err(|e| corrupt("the index could not be read", e))?;
    let head = handle
        .head()
        .map_err(|e| corrupt("HEAD could not be read", e))?;
    let mut out = Staged::default();
    let head_files = if head.is_unborn() {
        HashMap::new()
    } else {
        let mut head = head;
        let commit = head
            .peel_to_commit()
            .map_err(|e| corrupt("the HEAD commit could not be read", e))?;
        let tree = commit
            .tree_id()
            .map_err(|e| corrupt("the HEAD commit could not be read", e))?;
        files_of_tree(&handle, tree.detach(), &mut out.head)
    };

    for entry in index.entries() {
        if entry.stage() != Stage::Unconflicted
            || entry.flags.contains(Flags::INTENT_TO_ADD)
            || !(entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE)
        {
            continue;
        }
        let path = entry.path(&index);
        let in_head = head_files.get(path.as_bytes());
        if in_head.is_some_and(|(id, _)| *id == entry.id) {
            continue;
        }
        let path_text = path.to_str_lossy().into_owned();
        if let Some((id, true)) = in_head {
            out.head.push(read_blob(
                &handle,
                *id,
                path_text.clone(),
                Origin::File,
                max_blob_size,
            ));
        }
        out.staged.push(read_blob(
            &handle,
            entry.id,
            path_text,
            Origin::Staged,
            max_blob_size,
        ));
    }
    Ok(out)
}

/// Every non-tree entry of `tree` by full path, with whether it is a regular or executable file.
/// Subtrees that cannot be read are reported in `problems` and left out.
fn files_of_tree(
    repo: &gix::Repository,
    tree: ObjectId,
    problems: &mut Vec<SourceItem>,
) -> HashMap<Vec<u8>, (ObjectId, bool)> {
    let object_hash = repo.object_hash();
    let mut files = HashMap::new();
    let mut buf = Vec::new();
    let mut stack: Vec<(ObjectId, Vec<u8>)> = vec![(tree, Vec::new())];
    while let Some((id, prefix)) = stack.pop() {
        let shown = prefix.to_str_lossy().into_owned();
        let data = match repo.objects.try_find(&id, &mut buf) {
            Ok(Some(data)) if data.kind == Kind::Tree => data,
            Ok(Some(data)) => {
                problems.push(unreadable(
                    shown,
                    format!("object {id} in HEAD is a {}, not a tree", data.kind),
                ));
                continue;
            }
            Ok(None) => {
                problems.push(unreadable(
                    shown,
                    format!("tree {id} in HEAD is missing from the repository"),
                ));
                continue;
            }
            Err(e) => {
                problems.push(unreadable(
                    shown,
                    format!("tree {id} in HEAD could not be read: {}", describe(&e)),
                ));
                continue;
            }
        };
        for entry in TreeRefIter::from_bytes(data.data, object_hash) {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    problems.push(unreadable(
                        shown.clone(),
                        format!("tree {id} in HEAD is malformed: {}", describe(&e)),
                    ));
                    break;
                }
            };
            let mut path = prefix.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(entry.filename);
            if entry.mode.is_tree() {
                stack.push((entry.oid.to_owned(), path));
            } else {
                files.insert(path, (entry.oid.to_owned(), entry.mode.is_blob()));
            }
        }
    }
    files
}
