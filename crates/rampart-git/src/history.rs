//! Every blob of a repository's history, each once, with the commit that introduced it.
//!
//! Two phases. Opening reads only commits: it finds every commit reachable from a ref and
//! orders them parents first, oldest first, so that the first commit to reach a blob is the
//! one that introduced it. Iterating then walks each commit's tree, skipping every tree and
//! blob already met: an unchanged directory is one id, so the walk costs the number of distinct
//! trees and entries in the history, not commits times tree size. Blob content is read only
//! when the iterator is asked for it, so memory holds ids, never the blobs.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::path::Path;

use gix::bstr::{BStr, ByteSlice};
use gix::hashtable::{HashMap, HashSet};
use gix::objs::{CommitRef, Find, Kind, TreeRefIter};
use gix::ObjectId;
use rampart_core::{Commit, Diagnostic, Origin, SourceItem};

use crate::object::{read_blob, unreadable};
use crate::{describe, rfc3339_utc, GitError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Blobs larger than this many bytes are reported as too large and not read.
    pub max_blob_size: u64,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            max_blob_size: rampart_core::walk::DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// Every blob reachable from any ref (branches, tags, remote-tracking branches, stashes and
/// `HEAD`), each exactly once, attributed to the commit that first introduced it and the path it
/// first appeared at.
///
/// "First" is the order commits are walked in: parents before children and, among commits
/// whose parents have all been walked, the oldest commit time first (then the smallest id, so
/// the order never depends on anything but the repository). Submodule and symlink entries are
/// skipped. `repo` may be a work tree, any directory inside one, or a bare repository.
///
/// Fails only when the repository cannot be opened or its refs cannot be listed; objects that
/// are missing or damaged become [`SourceItem::Unreadable`] items and the walk goes on.
pub fn history(repo: &Path, options: &HistoryOptions) -> Result<History, GitError> {
    let mut handle = crate::open(repo)?;
    use_delta_base_cache(&mut handle);
    let mut queued = VecDeque::new();
    let tips = tips(&handle, repo, &mut queued)?;
    let commits = commit_order(&handle, &tips, &mut queued);
    Ok(History {
        repo: handle,
        max_blob_size: options.max_blob_size,
        commits: commits.into_iter(),
        queued,
        origin: Origin::default(),
        trees: Vec::new(),
        blobs: VecDeque::new(),
        seen_trees: HashSet::default(),
        seen_blobs: HashSet::default(),
        buf: Vec::new(),
        commits_walked: 0,
        blobs_seen: 0,
    })
}

/// Git's default `core.deltaBaseCacheLimit`.
const DELTA_BASE_CACHE_BYTES: usize = 96 << 20;

/// Walking history decodes long delta chains of trees and blobs, each object shortly after its
/// base. gix's default delta-base cache is a 64-entry list searched linearly; a hash map capped
/// like git's makes the walk about three times faster on delta-heavy packs. A limit the
/// repository configures is left to gix.
fn use_delta_base_cache(repo: &mut gix::Repository) {
    if repo
        .config_snapshot()
        .integer("core.deltaBaseCacheLimit")
        .is_none()
    {
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                DELTA_BASE_CACHE_BYTES,
            ))
        });
    }
}

/// The blobs of a repository's history as a stream of [`SourceItem`]s; see [`history`].
///
/// Every blob item's origin is [`Origin::Commit`]. The iterator holds the repository's object
/// ids already met, never blob content, and reads each blob only when asked for it.
pub struct History {
    repo: gix::Repository,
    max_blob_size: u64,
    /// Commits still to walk, in attribution order.
    commits: std::vec::IntoIter<ObjectId>,
    /// What went wrong while listing refs or commits, or in the last tree: said before going on.
    queued: VecDeque<SourceItem>,
    /// The commit being walked, given to every blob it introduces.
    origin: Origin,
    /// Trees of the current commit still to walk, with their path; last is next.
    trees: Vec<(ObjectId, String)>,
    /// New blobs of the tree walked last, in tree order.
    blobs: VecDeque<(ObjectId, String)>,
    seen_trees: HashSet<ObjectId>,
    seen_blobs: HashSet<ObjectId>,
    /// Reused for every tree and commit, which are read and parsed in place.
    buf: Vec<u8>,
    commits_walked: u64,
    blobs_seen: u64,
}

// Callers may walk history on a thread of its own while others scan.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<History>();
};

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("git_dir", &self.repo.git_dir())
            .field("max_blob_size", &self.max_blob_size)
            .field("commits_walked", &self.commits_walked)
            .field("blobs_seen", &self.blobs_seen)
            .finish_non_exhaustive()
    }
}

impl History {
    /// Commits whose tree has been walked so far (all reachable commits once the iterator ends).
    pub fn commits_walked(&self) -> u64 {
        self.commits_walked
    }

    /// Distinct blobs met so far: each becomes one item, whether read, too large or unreadable.
    pub fn blobs_seen(&self) -> u64 {
        self.blobs_seen
    }

    fn start_commit(&mut self, id: ObjectId) {
        self.commits_walked += 1;
        let object_hash = self.repo.object_hash();
        let data = match self.repo.objects.try_find(&id, &mut self.buf) {
            Ok(Some(data)) if data.kind == Kind::Commit => data,
            // The commit was read while ordering, so failing now means the repository changed
            // under us; say so and go on with the next commit.
            Ok(_) => {
                self.queued.push_back(unreadable(
                    "",
                    format!("commit {id} disappeared during the scan"),
                ));
                return;
            }
            Err(e) => {
                self.queued.push_back(unreadable(
                    "",
                    format!("commit {id} could not be read: {}", describe(&e)),
                ));
                return;
            }
        };
        let commit = match CommitRef::from_bytes(data.data, object_hash) {
            Ok(commit) => commit,
            Err(e) => {
                self.queued.push_back(unreadable(
                    "",
                    format!("commit {id} is malformed: {}", describe(&e)),
                ));
                return;
            }
        };
        let (author, email, seconds) = match commit.author() {
            Ok(sig) => (
                sig.name.to_str_lossy().into_owned(),
                sig.email.to_str_lossy().into_owned(),
                sig.time().map(|t| t.seconds).unwrap_or_default(),
            ),
            Err(_) => (
                String::new(),
                String::new(),
                commit.time().map(|t| t.seconds).unwrap_or_default(),
            ),
        };
        self.origin = Origin::Commit(Commit {
            id: id.to_string(),
            author,
            email,
            date: rfc3339_utc(seconds),
        });
        let tree = commit.tree();
        if self.seen_trees.insert(tree) {
            self.trees.push((tree, String::new()));
        }
    }

    /// Queues the new blobs of one tree and pushes its new subtrees, so that the blobs of a
    /// directory come before those of its subdirectories, each level in tree order.
    fn expand_tree(&mut self, id: ObjectId, path: String) {
        let object_hash = self.repo.object_hash();
        let data = match self.repo.objects.try_find(&id, &mut self.buf) {
            Ok(Some(data)) if data.kind == Kind::Tree => data,
            Ok(Some(data)) => {
                self.queued.push_back(unreadable(
                    path,
                    format!("object {id} is a {}, not a tree", data.kind),
                ));
                return;
            }
            Ok(None) => {
                self.queued.push_back(unreadable(
                    path,
                    format!("tree {id} is missing from the repository"),
                ));
                return;
            }
            Err(e) => {
                self.queued.push_back(unreadable(
                    path,
                    format!("tree {id} could not be read: {}", describe(&e)),
                ));
                return;
            }
        };
        let subtrees_from = self.trees.len();
        for entry in TreeRefIter::from_bytes(data.data, object_hash) {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.queued.push_back(unreadable(
                        path.clone(),
                        format!("tree {id} is malformed: {}", describe(&e)),
                    ));
                    break;
                }
            };
            // Submodules are commits of another repository and symlinks hold only a target
            // path: neither is content of this history.
            if entry.mode.is_tree() {
                let tree = entry.oid.to_owned();
                if self.seen_trees.insert(tree) {
                    self.trees.push((tree, join(&path, entry.filename)));
                }
            } else if entry.mode.is_blob() {
                let blob = entry.oid.to_owned();
                if self.seen_blobs.insert(blob) {
                    self.blobs_seen += 1;
                    self.blobs.push_back((blob, join(&path, entry.filename)));
                }
            }
        }
        self.trees[subtrees_from..].reverse();
    }
}

/// A blob the walk has reached but not read yet, or something to say straight away.
#[derive(Debug, Clone)]
pub enum Pending {
    Ready(SourceItem),
    Blob {
        id: ObjectId,
        path: String,
        origin: Origin,
    },
}

impl History {
    /// The next blob id (or diagnostic) in attribution order, without reading the blob.
    fn next_pending(&mut self) -> Option<Pending> {
        loop {
            if let Some(item) = self.queued.pop_front() {
                return Some(Pending::Ready(item));
            }
            if let Some((id, path)) = self.blobs.pop_front() {
                return Some(Pending::Blob {
                    id,
                    path,
                    origin: self.origin.clone(),
                });
            }
            if let Some((id, path)) = self.trees.pop() {
                self.expand_tree(id, path);
                continue;
            }
            let commit = self.commits.next()?;
            self.start_commit(commit);
        }
    }

    /// Splits the walk from the reading: the walk yields blob ids in order on one thread, and
    /// each scanning thread reads (inflates) the blobs it is handed with a [`BlobReader`] of its
    /// own, so decompression runs on every core instead of the walking one.
    pub fn into_parallel(self) -> (PendingBlobs, BlobReader) {
        let reader = BlobReader {
            repo: self.repo.clone().into_sync(),
            max_blob_size: self.max_blob_size,
        };
        (PendingBlobs(self), reader)
    }
}

/// The walk half of [`History::into_parallel`].
#[derive(Debug)]
pub struct PendingBlobs(History);

impl Iterator for PendingBlobs {
    type Item = Pending;

    fn next(&mut self) -> Option<Pending> {
        self.0.next_pending()
    }
}

/// The reading half of [`History::into_parallel`]: shareable between threads, each of which
/// makes its own [`BlobReader::reader`].
pub struct BlobReader {
    repo: gix::ThreadSafeRepository,
    max_blob_size: u64,
}

impl BlobReader {
    /// A reader for one thread, with its own object caches.
    pub fn reader(&self) -> impl FnMut(Pending) -> SourceItem {
        let mut repo = self.repo.to_thread_local();
        use_delta_base_cache(&mut repo);
        let max = self.max_blob_size;
        move |pending| match pending {
            Pending::Ready(item) => item,
            Pending::Blob { id, path, origin } => read_blob(&repo, id, path, origin, max),
        }
    }
}

impl Iterator for History {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        match self.next_pending()? {
            Pending::Ready(item) => Some(item),
            Pending::Blob { id, path, origin } => {
                Some(read_blob(&self.repo, id, path, origin, self.max_blob_size))
            }
        }
    }
}

fn join(parent: &str, name: &BStr) -> String {
    let name = name.to_str_lossy();
    if parent.is_empty() {
        name.into_owned()
    } else {
        format!("{parent}/{name}")
    }
}

/// The objects every ref points at (tags peeled), with the ref's name.
fn tips(
    repo: &gix::Repository,
    path: &Path,
    queued: &mut VecDeque<SourceItem>,
) -> Result<Vec<(ObjectId, String)>, GitError> {
    let mut tips = Vec::new();
    // A detached HEAD is reachable from no other ref.
    match repo.head() {
        Ok(head) if head.is_unborn() => {}
        Ok(head) => match head.into_peeled_id() {
            Ok(id) => tips.push((id.detach(), "HEAD".to_owned())),
            Err(e) => queued.push_back(unreadable(
                "",
                format!("HEAD could not be resolved: {}", describe(&e)),
            )),
        },
        Err(e) => queued.push_back(unreadable(
            "",
            format!("HEAD could not be read: {}", describe(&e)),
        )),
    }
    let corrupt = |e: gix::Error| GitError::Corrupt {
        path: path.to_path_buf(),
        message: format!("the refs could not be listed: {}", describe(&e)),
    };
    let platform = repo.references().map_err(corrupt)?;
    for reference in platform.all().map_err(corrupt)? {
        match reference {
            Ok(mut reference) => {
                let name = reference.name().as_bstr().to_str_lossy().into_owned();
                match reference.peel_to_id() {
                    Ok(id) => tips.push((id.detach(), name)),
                    Err(e) => queued.push_back(unreadable(
                        "",
                        format!("ref {name} could not be resolved: {}", describe(&e)),
                    )),
                }
            }
            Err(e) => queued.push_back(unreadable(
                "",
                format!("a ref could not be read: {}", describe(&e)),
            )),
        }
    }
    Ok(tips)
}

struct Node {
    id: ObjectId,
    time: i64,
    parents: Vec<ObjectId>,
}

/// Every commit reachable from `tips`, parents before children and otherwise oldest first.
fn commit_order(
    repo: &gix::Repository,
    tips: &[(ObjectId, String)],
    queued: &mut VecDeque<SourceItem>,
) -> Vec<ObjectId> {
    let object_hash = repo.object_hash();
    // A shallow clone lacks the parents of its boundary commits by design.
    let shallow = repo.is_shallow().unwrap_or(false);
    let mut index: HashMap<ObjectId, u32> = HashMap::default();
    let mut nodes: Vec<Node> = Vec::new();
    let mut failed: HashSet<ObjectId> = HashSet::default();
    let mut buf = Vec::new();
    let mut stack: Vec<(ObjectId, Option<ObjectId>)> = Vec::new();

    for (tip, name) in tips {
        stack.push((*tip, None));
        while let Some((id, child)) = stack.pop() {
            if index.contains_key(&id) || failed.contains(&id) {
                continue;
            }
            let problem = match repo.objects.try_find(&id, &mut buf) {
                Ok(Some(data)) if data.kind == Kind::Commit => {
                    match CommitRef::from_bytes(data.data, object_hash) {
                        Ok(commit) => {
                            let parents: Vec<ObjectId> = commit.parents().collect();
                            let time = commit.time().map(|t| t.seconds).unwrap_or_default();
                            stack.extend(parents.iter().rev().map(|p| (*p, Some(id))));
                            index.insert(id, nodes.len() as u32);
                            nodes.push(Node { id, time, parents });
                            continue;
                        }
                        Err(e) => Some(unreadable(
                            "",
                            format!("commit {id} is malformed: {}", describe(&e)),
                        )),
                    }
                }
                Ok(Some(data)) => match child {
                    // Tags may point at trees or blobs; with no commit there is nothing to
                    // attribute their content to.
                    None => Some(SourceItem::Diagnostic(Diagnostic::new(
                        rampart_core::DiagnosticLevel::Note,
                        "",
                        format!(
                            "ref {name} points at {} {id}, not a commit; its content is not scanned",
                            article(data.kind)
                        ),
                    ))),
                    Some(child) => Some(unreadable(
                        "",
                        format!(
                            "parent {id} of commit {child} is {}, not a commit",
                            article(data.kind)
                        ),
                    )),
                },
                Ok(None) => match child {
                    Some(_) if shallow => None,
                    Some(child) => Some(unreadable(
                        "",
                        format!("commit {id}, parent of {child}, is missing from the repository"),
                    )),
                    None => Some(unreadable(
                        "",
                        format!("commit {id} of ref {name} is missing from the repository"),
                    )),
                },
                Err(e) => Some(unreadable(
                    "",
                    format!("commit {id} could not be read: {}", describe(&e)),
                )),
            };
            failed.insert(id);
            queued.extend(problem);
        }
    }
    topological_order(nodes, &index)
}

fn article(kind: Kind) -> &'static str {
    match kind {
        Kind::Tree => "a tree",
        Kind::Blob => "a blob",
        Kind::Commit => "a commit",
        Kind::Tag => "a tag",
    }
}

/// Kahn's algorithm with the ready commits in a min-heap on (commit time, id).
fn topological_order(nodes: Vec<Node>, index: &HashMap<ObjectId, u32>) -> Vec<ObjectId> {
    let n = nodes.len();
    let mut waiting_on = vec![0u32; n];
    let mut child_start = vec![0usize; n + 1];
    for (i, node) in nodes.iter().enumerate() {
        for parent in &node.parents {
            if let Some(&p) = index.get(parent) {
                waiting_on[i] += 1;
                child_start[p as usize + 1] += 1;
            }
        }
    }
    for i in 0..n {
        child_start[i + 1] += child_start[i];
    }
    let mut fill = child_start.clone();
    let mut children = vec![0u32; child_start[n]];
    for (i, node) in nodes.iter().enumerate() {
        for parent in &node.parents {
            if let Some(&p) = index.get(parent) {
                children[fill[p as usize]] = i as u32;
                fill[p as usize] += 1;
            }
        }
    }
    drop(fill);

    let key = |i: usize| Reverse((nodes[i].time, nodes[i].id, i));
    let mut ready: BinaryHeap<_> = (0..n).filter(|&i| waiting_on[i] == 0).map(key).collect();
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while let Some(Reverse((_, id, i))) = ready.pop() {
        order.push(id);
        done[i] = true;
        for &child in &children[child_start[i]..child_start[i + 1]] {
            let c = child as usize;
            waiting_on[c] -= 1;
            if waiting_on[c] == 0 {
                ready.push(key(c));
            }
        }
    }
    // Only a cycle, which object hashing makes impossible, leaves commits behind; they are
    // still walked rather than silently dropped.
    if order.len() < n {
        let mut rest: Vec<usize> = (0..n).filter(|&i| !done[i]).collect();
        rest.sort_by_key(|&i| (nodes[i].time, nodes[i].id));
        order.extend(rest.into_iter().map(|i| nodes[i].id));
    }
    order
}
