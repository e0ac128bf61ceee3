mod common;

use common::{blobs, unreadable_messages, Repo, Seen};
use rampart_core::{Origin, SourceItem};
use rampart_git::{staged, GitError};

const LIMIT: u64 = 1 << 20;

fn seen(path: &str, content: &str, origin: Origin) -> Seen {
    Seen {
        path: path.into(),
        content: content.into(),
        origin,
    }
}

#[test]
fn new_and_modified_files_are_staged_with_the_head_version_beside() {
    let repo = Repo::init();
    repo.write("unchanged.txt", "same\n");
    repo.write("src/modified.txt", "old\n");
    repo.write("deleted.txt", "going\n");
    repo.write("worktree-only.txt", "committed\n");
    repo.commit("one", "2024-01-01T00:00:00Z");

    repo.write("src/modified.txt", "new\n");
    repo.write("added.txt", "fresh\n");
    repo.git(&["add", "src/modified.txt", "added.txt"]);
    repo.git(&["rm", "-q", "deleted.txt"]);
    // Changed in the work tree but not staged: not part of the commit.
    repo.write("worktree-only.txt", "edited, not staged\n");

    let s = staged(repo.path(), LIMIT).unwrap();
    assert_eq!(
        blobs(&s.staged),
        vec![
            seen("added.txt", "fresh\n", Origin::Staged),
            seen("src/modified.txt", "new\n", Origin::Staged),
        ]
    );
    assert_eq!(
        blobs(&s.head),
        vec![seen("src/modified.txt", "old\n", Origin::File)]
    );
    assert_eq!(s.staged.len(), 2);
    assert_eq!(s.head.len(), 1);
}

#[test]
fn a_repository_with_no_commits_stages_every_entry() {
    let repo = Repo::init();
    repo.write("a.txt", "alpha\n");
    repo.write("dir/b.txt", "bravo\n");
    repo.write("untracked.txt", "not added\n");
    repo.git(&["add", "a.txt", "dir/b.txt"]);

    let s = staged(repo.path(), LIMIT).unwrap();
    assert_eq!(
        blobs(&s.staged),
        vec![
            seen("a.txt", "alpha\n", Origin::Staged),
            seen("dir/b.txt", "bravo\n", Origin::Staged),
        ]
    );
    assert!(s.head.is_empty());

    let empty = Repo::init();
    let s = staged(empty.path(), LIMIT).unwrap();
    assert!(s.staged.is_empty() && s.head.is_empty());
}

#[test]
fn works_from_a_subdirectory_and_reports_repository_paths() {
    let repo = Repo::init();
    repo.write("sub/dir/a.txt", "one\n");
    repo.commit("one", "2024-01-01T00:00:00Z");
    repo.write("sub/dir/a.txt", "two\n");
    repo.git(&["add", "-A"]);

    let s = staged(&repo.path().join("sub/dir"), LIMIT).unwrap();
    assert_eq!(
        blobs(&s.staged),
        vec![seen("sub/dir/a.txt", "two\n", Origin::Staged)]
    );
    assert_eq!(
        blobs(&s.head),
        vec![seen("sub/dir/a.txt", "one\n", Origin::File)]
    );
}

#[test]
fn symlinks_intent_to_add_and_mode_changes_are_not_content() {
    let repo = Repo::init();
    repo.write("script.sh", "echo hi\n");
    repo.commit("one", "2024-01-01T00:00:00Z");

    repo.git(&["update-index", "--chmod=+x", "script.sh"]);
    std::os::unix::fs::symlink("script.sh", repo.path().join("link")).unwrap();
    repo.git(&["add", "link"]);
    repo.write("later.txt", "intent only\n");
    repo.git(&["add", "-N", "later.txt"]);

    let s = staged(repo.path(), LIMIT).unwrap();
    assert!(s.staged.is_empty(), "{:#?}", s.staged);
    assert!(s.head.is_empty(), "{:#?}", s.head);
}

#[test]
fn too_large_staged_content_is_not_read() {
    let repo = Repo::init();
    repo.write("big.txt", "0123456789A");
    repo.write("small.txt", "0123456789");
    repo.git(&["add", "-A"]);

    let s = staged(repo.path(), 10).unwrap();
    assert!(matches!(
        &s.staged[0],
        SourceItem::TooLarge { path, size: 11, limit: 10 } if path == "big.txt"
    ));
    assert_eq!(
        blobs(&s.staged),
        vec![seen("small.txt", "0123456789", Origin::Staged)]
    );
}

#[test]
fn a_missing_staged_blob_is_unreadable() {
    let repo = Repo::init();
    repo.write("a.txt", "alpha\n");
    repo.write("b.txt", "bravo\n");
    repo.git(&["add", "-A"]);
    let id = repo.git(&["rev-parse", ":b.txt"]);
    std::fs::remove_file(repo.loose_object(&id)).unwrap();

    let s = staged(repo.path(), LIMIT).unwrap();
    assert_eq!(
        blobs(&s.staged),
        vec![seen("a.txt", "alpha\n", Origin::Staged)]
    );
    let problems = unreadable_messages(&s.staged);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("b.txt: ") && problems[0].contains(&id),
        "{problems:?}"
    );
}

#[test]
fn errors_name_the_path() {
    let dir = tempfile::TempDir::new().unwrap();
    let err = staged(dir.path(), LIMIT).unwrap_err();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err:?}");
    assert!(err.to_string().contains(&dir.path().display().to_string()));

    let repo = Repo::init();
    repo.write("a.txt", "alpha\n");
    repo.git(&["add", "-A"]);
    std::fs::write(repo.path().join(".git/index"), b"DIRC garbage").unwrap();
    let err = staged(repo.path(), LIMIT).unwrap_err();
    assert!(matches!(err, GitError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("index"), "{err}");
}
