mod common;

use common::{blobs, commit, unreadable_messages, Repo, Seen, EMAIL, NAME};
use rampart_core::SourceItem;
use rampart_git::{history, GitError, HistoryOptions};

fn all(repo: &std::path::Path) -> (Vec<SourceItem>, u64, u64) {
    let mut h = history(repo, &HistoryOptions::default()).unwrap();
    let items: Vec<SourceItem> = h.by_ref().collect();
    (items, h.commits_walked(), h.blobs_seen())
}

fn find<'a>(seen: &'a [Seen], content: &str) -> Vec<&'a Seen> {
    seen.iter().filter(|s| s.content == content).collect()
}

#[test]
fn every_version_once_with_the_commit_that_introduced_it() {
    let repo = Repo::init();
    repo.write("config/secret.txt", "password=v1\n");
    repo.write("README", "hello\n");
    let c1 = repo.commit("add", "2024-05-01T12:00:00Z");
    repo.write("config/secret.txt", "password=v2\n");
    // A negative offset: the date must come out in UTC, on the next day, in a leap year.
    let c2 = repo.commit_as(
        "change",
        "2024-02-29T22:30:00-05:00",
        "Bob Builder",
        "bob@example.org",
    );
    repo.remove("config/secret.txt");
    repo.commit("delete", "2024-05-03T08:00:00+02:00");

    let (items, commits, blobs_seen) = all(repo.path());
    let seen = blobs(&items);
    assert_eq!(
        find(&seen, "password=v1\n"),
        vec![&Seen {
            path: "config/secret.txt".into(),
            content: "password=v1\n".into(),
            origin: commit(&c1, NAME, EMAIL, "2024-05-01T12:00:00Z"),
        }]
    );
    assert_eq!(
        find(&seen, "password=v2\n"),
        vec![&Seen {
            path: "config/secret.txt".into(),
            content: "password=v2\n".into(),
            origin: commit(
                &c2,
                "Bob Builder",
                "bob@example.org",
                "2024-03-01T03:30:00Z"
            ),
        }]
    );
    assert_eq!(find(&seen, "hello\n").len(), 1);
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert_eq!(items.len(), 3, "nothing but the three blobs: {items:#?}");
    assert_eq!(commits, 3);
    assert_eq!(blobs_seen, 3);
}

#[test]
fn same_content_at_two_paths_or_re_added_is_yielded_once_from_the_earliest_commit() {
    let repo = Repo::init();
    repo.write("a.txt", "token=same\n");
    let c1 = repo.commit("one", "2024-01-01T00:00:00Z");
    repo.write("deep/er/b.txt", "token=same\n");
    repo.commit("two", "2024-01-02T00:00:00Z");
    repo.remove("a.txt");
    repo.remove("deep/er/b.txt");
    repo.commit("three", "2024-01-03T00:00:00Z");
    repo.write("c.txt", "token=same\n");
    repo.commit("four", "2024-01-04T00:00:00Z");

    let (items, commits, blobs_seen) = all(repo.path());
    let seen = blobs(&items);
    assert_eq!(
        seen,
        vec![Seen {
            path: "a.txt".into(),
            content: "token=same\n".into(),
            origin: commit(&c1, NAME, EMAIL, "2024-01-01T00:00:00Z"),
        }]
    );
    assert_eq!(commits, 4);
    assert_eq!(blobs_seen, 1);
}

#[test]
fn the_oldest_commit_across_branches_introduces_a_blob() {
    let repo = Repo::init();
    repo.write("base.txt", "base\n");
    repo.commit("base", "2024-01-01T00:00:00Z");
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side/copy.txt", "shared secret\n");
    let side = repo.commit("side", "2024-02-01T00:00:00Z");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main/copy.txt", "shared secret\n");
    repo.commit("main", "2024-03-01T00:00:00Z");

    let (items, commits, _) = all(repo.path());
    let seen = blobs(&items);
    let shared = find(&seen, "shared secret\n");
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].path, "side/copy.txt");
    assert_eq!(
        shared[0].origin,
        commit(&side, NAME, EMAIL, "2024-02-01T00:00:00Z")
    );
    assert_eq!(commits, 3);
}

#[test]
fn parents_come_before_children_even_when_the_clock_says_otherwise() {
    let repo = Repo::init();
    repo.write("a.txt", "first\n");
    let c1 = repo.commit("one", "2024-06-01T00:00:00Z");
    // A child dated before its parent (a skewed clock) still cannot introduce the parent's blob.
    repo.write("b.txt", "second\n");
    let c2 = repo.commit("two", "2020-01-01T00:00:00Z");

    let (items, _, _) = all(repo.path());
    let seen = blobs(&items);
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].content, "first\n");
    assert_eq!(seen[0].origin.commit().unwrap().id, c1);
    assert_eq!(seen[1].content, "second\n");
    assert_eq!(seen[1].origin.commit().unwrap().id, c2);
}

#[test]
fn blobs_only_on_another_branch_or_a_tag_are_found() {
    let repo = Repo::init();
    repo.write("main.txt", "on main\n");
    repo.commit("main", "2024-01-01T00:00:00Z");

    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature.txt", "on feature\n");
    let feature = repo.commit("feature", "2024-01-02T00:00:00Z");

    repo.git(&["checkout", "-q", "--detach", "main"]);
    repo.write("annotated.txt", "on annotated tag\n");
    let annotated = repo.commit("annotated", "2024-01-03T00:00:00Z");
    repo.git(&["tag", "-a", "-m", "release", "v1.0"]);

    repo.git(&["checkout", "-q", "--detach", "main"]);
    repo.write("light.txt", "on lightweight tag\n");
    let light = repo.commit("light", "2024-01-04T00:00:00Z");
    repo.git(&["tag", "light"]);

    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-D", "feature"]);
    // Only a remote-tracking ref keeps the feature commit alive now.
    repo.git(&["update-ref", "refs/remotes/origin/feature", &feature]);

    let (items, commits, _) = all(repo.path());
    let seen = blobs(&items);
    assert_eq!(find(&seen, "on main\n").len(), 1);
    assert_eq!(
        find(&seen, "on feature\n")[0].origin.commit().unwrap().id,
        feature
    );
    assert_eq!(
        find(&seen, "on annotated tag\n")[0]
            .origin
            .commit()
            .unwrap()
            .id,
        annotated
    );
    assert_eq!(
        find(&seen, "on lightweight tag\n")[0]
            .origin
            .commit()
            .unwrap()
            .id,
        light
    );
    assert_eq!(seen.len(), 4);
    assert_eq!(commits, 4);
}

#[test]
fn bare_repositories_and_paths_inside_a_work_tree_open() {
    let repo = Repo::init();
    repo.write("src/lib.rs", "fn main() {}\n");
    repo.commit("one", "2024-01-01T00:00:00Z");

    let (inside, _, _) = all(&repo.path().join("src"));
    assert_eq!(blobs(&inside).len(), 1);

    let bare = tempfile::TempDir::new().unwrap();
    let bare_path = bare.path().join("clone.git");
    repo.git(&["clone", "-q", "--bare", ".", bare_path.to_str().unwrap()]);
    let (items, commits, _) = all(&bare_path);
    let seen = blobs(&items);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "src/lib.rs");
    assert_eq!(commits, 1);
}

#[test]
fn packed_history_reads_the_same() {
    let repo = Repo::init();
    for i in 0..5 {
        repo.write("file.txt", &format!("line\n{}", "x\n".repeat(100 + i)));
        repo.commit("c", &format!("2024-01-0{}T00:00:00Z", i + 1));
    }
    let (loose, _, _) = all(repo.path());
    repo.git(&["gc", "-q", "--aggressive"]);
    let (packed, commits, blobs_seen) = all(repo.path());
    assert_eq!(blobs(&loose), blobs(&packed));
    assert_eq!(blobs(&packed).len(), 5);
    assert_eq!(commits, 5);
    assert_eq!(blobs_seen, 5);
}

#[test]
fn too_large_blobs_are_not_read_and_counters_add_up() {
    let repo = Repo::init();
    repo.write("small.txt", "0123456789");
    repo.write("big.txt", "0123456789A");
    repo.commit("one", "2024-01-01T00:00:00Z");
    repo.write("small.txt", "012345678");
    repo.commit("two", "2024-01-02T00:00:00Z");

    let mut h = history(repo.path(), &HistoryOptions { max_blob_size: 10 }).unwrap();
    let items: Vec<SourceItem> = h.by_ref().collect();
    let too_large: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            SourceItem::TooLarge { path, size, limit } => Some((path.as_str(), *size, *limit)),
            _ => None,
        })
        .collect();
    assert_eq!(too_large, vec![("big.txt", 11, 10)]);
    let seen = blobs(&items);
    let mut contents: Vec<&str> = seen.iter().map(|s| s.content.as_str()).collect();
    contents.sort();
    assert_eq!(contents, vec!["012345678", "0123456789"]);
    assert_eq!(items.len(), 3);
    assert_eq!(h.commits_walked(), 2);
    assert_eq!(h.blobs_seen(), 3);
}

#[test]
fn symlinks_and_submodules_are_skipped() {
    let repo = Repo::init();
    repo.write("real.txt", "real\n");
    std::os::unix::fs::symlink("real.txt", repo.path().join("link")).unwrap();
    repo.git(&["add", "-A"]);
    // A gitlink: a commit of another repository recorded in the tree.
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,1111111111111111111111111111111111111111,vendor/sub",
    ]);
    repo.commit("one", "2024-01-01T00:00:00Z");

    let (items, _, blobs_seen) = all(repo.path());
    let seen = blobs(&items);
    assert_eq!(seen.len(), 1, "{items:#?}");
    assert_eq!(seen[0].path, "real.txt");
    assert_eq!(items.len(), 1);
    assert_eq!(blobs_seen, 1);
}

#[test]
fn a_repository_without_commits_has_no_history() {
    let repo = Repo::init();
    repo.write("a.txt", "staged only\n");
    repo.git(&["add", "a.txt"]);
    let (items, commits, blobs_seen) = all(repo.path());
    assert!(items.is_empty(), "{items:#?}");
    assert_eq!((commits, blobs_seen), (0, 0));
}

#[test]
fn a_directory_that_is_not_a_repository_is_an_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let err = history(dir.path(), &HistoryOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&dir.path().display().to_string()),
        "names the path: {text}"
    );

    let missing = dir.path().join("nope");
    let err = history(&missing, &HistoryOptions::default()).err().unwrap();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err:?}");
}

#[test]
fn a_missing_blob_is_unreadable_and_the_walk_goes_on() {
    let repo = Repo::init();
    repo.write("a.txt", "alpha\n");
    repo.write("b.txt", "bravo\n");
    repo.commit("one", "2024-01-01T00:00:00Z");
    repo.write("c.txt", "charlie\n");
    repo.commit("two", "2024-01-02T00:00:00Z");
    let id = repo.git(&["rev-parse", "HEAD:b.txt"]);
    std::fs::remove_file(repo.loose_object(&id)).unwrap();

    let (items, commits, blobs_seen) = all(repo.path());
    let seen = blobs(&items);
    let mut contents: Vec<&str> = seen.iter().map(|s| s.content.as_str()).collect();
    contents.sort();
    assert_eq!(contents, vec!["alpha\n", "charlie\n"]);
    let problems = unreadable_messages(&items);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("b.txt: "), "{problems:?}");
    assert!(problems[0].contains(&id), "names the object: {problems:?}");
    assert_eq!(commits, 2);
    assert_eq!(blobs_seen, 3);
}

#[test]
fn damaged_loose_objects_never_panic() {
    let repo = Repo::init();
    repo.write("a.txt", "alpha\n");
    repo.write("dir/b.txt", "bravo\n");
    repo.commit("one", "2024-01-01T00:00:00Z");
    repo.write("c.txt", "charlie\n");
    repo.commit("two", "2024-01-02T00:00:00Z");

    let blob = repo.git(&["rev-parse", "HEAD:a.txt"]);
    let tree = repo.git(&["rev-parse", "HEAD~1:dir"]);
    let blob_file = repo.loose_object(&blob);
    let tree_file = repo.loose_object(&tree);
    make_writable(&blob_file);
    make_writable(&tree_file);
    std::fs::write(&blob_file, b"this is not zlib data at all").unwrap();
    let bytes = std::fs::read(&tree_file).unwrap();
    std::fs::write(&tree_file, &bytes[..bytes.len() / 2]).unwrap();

    let (items, commits, _) = all(repo.path());
    let seen = blobs(&items);
    let contents: Vec<&str> = seen.iter().map(|s| s.content.as_str()).collect();
    assert!(contents.contains(&"charlie\n"), "{items:#?}");
    let problems = unreadable_messages(&items);
    assert!(
        problems.iter().any(|p| p.contains(&blob)),
        "names the damaged blob: {problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains(&tree)),
        "names the damaged tree: {problems:?}"
    );
    assert_eq!(commits, 2);
}

#[test]
fn a_missing_commit_is_unreadable_not_a_panic() {
    let repo = Repo::init();
    repo.write("a.txt", "alpha\n");
    let c1 = repo.commit("one", "2024-01-01T00:00:00Z");
    repo.write("b.txt", "bravo\n");
    let c2 = repo.commit("two", "2024-01-02T00:00:00Z");
    std::fs::remove_file(repo.loose_object(&c1)).unwrap();

    let (items, commits, _) = all(repo.path());
    let seen = blobs(&items);
    // The first commit is gone, so its blob is attributed to the oldest commit still there.
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.origin.commit().unwrap().id == c2));
    let problems = unreadable_messages(&items);
    assert!(problems.iter().any(|p| p.contains(&c1)), "{problems:?}");
    assert_eq!(commits, 1);

    // With the tip itself gone there is nothing to walk, and still no panic.
    std::fs::remove_file(repo.loose_object(&c2)).unwrap();
    match history(repo.path(), &HistoryOptions::default()) {
        Ok(h) => {
            let items: Vec<SourceItem> = h.collect();
            assert!(blobs(&items).is_empty());
            assert!(!unreadable_messages(&items).is_empty());
        }
        Err(e) => assert!(matches!(e, GitError::Corrupt { .. }), "{e:?}"),
    }
}

#[test]
fn a_damaged_pack_never_panics() {
    let repo = Repo::init();
    for i in 0..20 {
        repo.write(
            &format!("f{i}.txt"),
            &format!("content {i}\n{}", "y\n".repeat(50 * i)),
        );
        repo.commit("c", "2024-01-01T00:00:00Z");
    }
    repo.git(&["gc", "-q"]);
    let pack_dir = repo.path().join(".git/objects/pack");
    let pack = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    make_writable(&pack);
    let mut bytes = std::fs::read(&pack).unwrap();
    let len = bytes.len();
    for b in &mut bytes[len / 3..len / 3 + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&pack, &bytes).unwrap();

    match history(repo.path(), &HistoryOptions::default()) {
        Ok(h) => {
            let items: Vec<SourceItem> = h.collect();
            assert!(
                !unreadable_messages(&items).is_empty(),
                "the damage is reported: {items:#?}"
            );
        }
        Err(e) => assert!(matches!(e, GitError::Corrupt { .. }), "{e:?}"),
    }
}

#[test]
fn tags_on_trees_or_blobs_are_noted_and_shallow_boundaries_are_not_damage() {
    let repo = Repo::init();
    repo.write("a.txt", "alpha\n");
    repo.commit("one", "2024-01-01T00:00:00Z");
    repo.write("b.txt", "bravo\n");
    repo.commit("two", "2024-01-02T00:00:00Z");
    let blob = repo.git(&["rev-parse", "HEAD:a.txt"]);
    repo.git(&["tag", "blob-tag", &blob]);

    let (items, commits, _) = all(repo.path());
    assert_eq!(blobs(&items).len(), 2);
    assert_eq!(commits, 2);
    let notes: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            SourceItem::Diagnostic(d) => Some(d.message.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 1, "{items:#?}");
    assert!(
        notes[0].contains("refs/tags/blob-tag") && notes[0].contains(&blob),
        "{notes:?}"
    );

    let shallow = tempfile::TempDir::new().unwrap();
    let url = format!("file://{}", repo.path().display());
    let target = shallow.path().join("shallow");
    repo.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        target.to_str().unwrap(),
    ]);
    let (items, commits, _) = all(&target);
    assert!(unreadable_messages(&items).is_empty(), "{items:#?}");
    assert_eq!(commits, 1);
    assert_eq!(blobs(&items).len(), 2);
}

fn make_writable(path: &std::path::Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}

#[test]
fn the_parallel_split_reads_the_same_blobs_in_the_same_order() {
    let repo = Repo::init();
    for i in 0..5 {
        repo.write(&format!("dir{}/f{i}.txt", i % 2), &format!("content {i}\n"));
        repo.commit(&format!("c{i}"), &format!("2024-05-0{}T12:00:00Z", i + 1));
    }
    repo.remove("dir0/f0.txt");
    repo.commit("rm", "2024-05-07T12:00:00Z");
    let (serial, _, _) = all(repo.path());

    let (pending, reader) = history(repo.path(), &HistoryOptions::default())
        .unwrap()
        .into_parallel();
    // Ids are listed on this thread; blobs are read on others, each with its own reader.
    let pending: Vec<_> = pending.collect();
    let parallel: Vec<SourceItem> = std::thread::scope(|s| {
        let half = pending.len() / 2;
        let (a, b) = pending.split_at(half);
        let ha = s.spawn(|| a.iter().cloned().map(reader.reader()).collect::<Vec<_>>());
        let hb = s.spawn(|| b.iter().cloned().map(reader.reader()).collect::<Vec<_>>());
        let mut out = ha.join().unwrap();
        out.extend(hb.join().unwrap());
        out
    });
    assert_eq!(blobs(&serial), blobs(&parallel));
    assert_eq!(blobs(&serial).len(), 5);
}
