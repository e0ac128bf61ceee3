//! Git targets: the full history and the staged index, on repositories the tests create.

mod common;

use common::{json, rampart, token, Repo};

#[test]
fn history_finds_a_secret_that_was_deleted_with_its_commit() {
    let mut repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit("init");
    repo.write("src/config.py", &format!("TOKEN = '{}'\n", token(1)));
    let added = repo.commit("add config");
    repo.write("src/config.py", "TOKEN = os.environ['TOKEN']\n");
    repo.commit("remove the token");

    // The working tree is clean...
    rampart()
        .arg("scan")
        .arg(repo.path())
        .arg("-q")
        .assert()
        .code(0);
    // ...but history remembers.
    let out = rampart()
        .arg("scan")
        .arg("secrets")
        .arg(repo.path())
        .args(["--history", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report:#}");
    let loc = &findings[0]["locations"][0];
    assert_eq!(loc["path"], "src/config.py");
    assert_eq!(loc["commit"]["id"], added.as_str());
    assert_eq!(loc["commit"]["author"], "Ada Lovelace");
    assert_eq!(loc["commit"]["email"], "ada@example.com");
    assert_eq!(loc["commit"]["date"], "2024-01-02T12:00:00Z");
}

#[test]
fn history_reports_each_blob_once_even_across_branches() {
    let mut repo = Repo::new();
    repo.write("a.txt", &format!("{}\n", token(2)));
    repo.commit("one");
    repo.write("b.txt", &format!("{}\n", token(2)));
    repo.commit("copy");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("c.txt", &format!("{}\n", token(3)));
    repo.commit("feature secret");
    repo.git(&["checkout", "-q", "main"]);

    let out = rampart()
        .arg("scan")
        .arg(repo.path())
        .args(["--history", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let findings = report["findings"].as_array().expect("findings");
    // token(2) is one blob at two paths: one finding; token(3) lives only on the branch.
    assert_eq!(findings.len(), 2, "{report:#}");
    assert_eq!(report["stats"]["files_scanned"], 2);
}

#[test]
fn staged_reports_only_what_the_commit_would_add() {
    let mut repo = Repo::new();
    repo.write("old.env", &format!("OLD={}\n", token(4)));
    repo.write("clean.txt", "nothing\n");
    repo.commit("legacy secret");
    // Modify the file with the old secret, and stage a new secret elsewhere.
    repo.write("old.env", &format!("OLD={}\nMORE=1\n", token(4)));
    repo.write("new.env", &format!("NEW={}\n", token(5)));
    repo.git(&["add", "old.env", "new.env"]);
    // An unstaged secret is not part of the commit.
    repo.write("unstaged.env", &format!("U={}\n", token(6)));

    let out = rampart()
        .arg("scan")
        .arg(repo.path())
        .args(["--staged", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["locations"][0]["path"], "new.env");
    assert_eq!(findings[0]["locations"][0]["staged"], true);

    // Nothing new staged: the pre-commit hook passes.
    repo.git(&["reset", "-q", "new.env"]);
    rampart()
        .arg("scan")
        .arg(repo.path())
        .args(["--staged", "-q"])
        .assert()
        .code(0);
}

#[test]
fn a_directory_that_is_not_a_repository_is_a_runtime_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    rampart()
        .arg("scan")
        .arg(dir.path())
        .arg("--history")
        .assert()
        .code(3);
}

#[test]
fn a_corrupt_repository_is_reported_not_a_crash() {
    let mut repo = Repo::new();
    repo.write("a.txt", &format!("{}\n", token(8)));
    repo.commit("one");
    // Overwrite every loose object with garbage.
    let objects = repo.path().join(".git/objects");
    for dir in std::fs::read_dir(&objects).expect("objects").flatten() {
        if dir.file_name().len() == 2 {
            for obj in std::fs::read_dir(dir.path()).expect("dir").flatten() {
                let mut perms = std::fs::metadata(obj.path()).expect("meta").permissions();
                #[allow(clippy::permissions_set_readonly_false)]
                perms.set_readonly(false);
                std::fs::set_permissions(obj.path(), perms).expect("chmod");
                std::fs::write(obj.path(), b"not zlib").expect("corrupt");
            }
        }
    }
    let out = rampart()
        .arg("scan")
        .arg(repo.path())
        .args(["--history", "--format", "json"])
        .output()
        .expect("runs");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 3 || code == 0,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
