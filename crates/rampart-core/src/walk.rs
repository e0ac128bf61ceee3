//! Directory targets: walked in parallel with the `ignore` crate (so `.gitignore`, `.ignore` and
//! global git excludes are honoured unless asked not to), every file read once and handed to the
//! engine on the thread that read it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

use crate::diagnostic::Diagnostic;
use crate::engine::{glob_forms, too_large, Accumulator, Engine};
use crate::scanner::{Blob, Origin};

/// Files larger than this are skipped unless configured otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub excludes: Vec<String>,
    pub no_ignore: bool,
    pub max_file_size: u64,
    pub jobs: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            excludes: Vec::new(),
            no_ignore: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            jobs: default_jobs(),
        }
    }
}

pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
    #[error("invalid exclude pattern `{pattern}`: {message}")]
    Pattern { pattern: String, message: String },
}

/// Scans a file or directory. Errors are only for a target that cannot be scanned at all;
/// anything wrong below it becomes a diagnostic and the walk goes on.
pub fn scan_path(
    engine: &Engine,
    root: &Path,
    options: &WalkOptions,
) -> Result<Accumulator, WalkError> {
    if std::fs::symlink_metadata(root).is_err() {
        return Err(WalkError::NotFound(root.to_path_buf()));
    }
    let mut overrides = OverrideBuilder::new(root);
    for pattern in &options.excludes {
        for glob in glob_forms(pattern) {
            overrides
                .add(&format!("!{glob}"))
                .map_err(|e| WalkError::Pattern {
                    pattern: pattern.clone(),
                    message: e.to_string(),
                })?;
        }
    }
    let overrides = overrides.build().map_err(|e| WalkError::Pattern {
        pattern: options.excludes.join(", "),
        message: e.to_string(),
    })?;

    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .parents(!options.no_ignore)
        .ignore(!options.no_ignore)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .require_git(false)
        .follow_links(false)
        .overrides(overrides)
        .threads(options.jobs.max(1))
        .filter_entry(|e| e.file_name() != ".git");

    let root_is_file = root.is_file();
    let results = Mutex::new(Accumulator::default());
    builder.build_parallel().run(|| {
        let mut visitor = Visitor {
            engine,
            root,
            root_is_file,
            options,
            acc: Accumulator::default(),
            results: &results,
        };
        Box::new(move |entry| visitor.visit(entry))
    });
    Ok(results.into_inner().unwrap_or_else(|p| p.into_inner()))
}

struct Visitor<'a> {
    engine: &'a Engine,
    root: &'a Path,
    root_is_file: bool,
    options: &'a WalkOptions,
    acc: Accumulator,
    results: &'a Mutex<Accumulator>,
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let acc = std::mem::take(&mut self.acc);
        match self.results.lock() {
            Ok(mut r) => r.merge(acc),
            Err(p) => p.into_inner().merge(acc),
        }
    }
}

impl Visitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let (path, msg) = describe_walk_error(&err, self.root);
                self.acc.stats.unreadable += 1;
                self.acc.diagnostics.push(Diagnostic::warning(path, msg));
                return WalkState::Continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            return WalkState::Continue;
        }
        let rel = self.relative(entry.path());
        if !self.engine.wants(&rel) {
            return WalkState::Continue;
        }
        match read_limited(entry.path(), self.options.max_file_size) {
            Ok(Some(bytes)) => {
                let origin = Origin::Disk(entry.path().to_path_buf());
                self.engine.scan_blob(
                    &Blob {
                        path: &rel,
                        origin: &origin,
                        bytes: &bytes,
                    },
                    &mut self.acc,
                );
            }
            Ok(None) => {
                self.acc.stats.skipped_too_large += 1;
                let size = entry.metadata().map_or(0, |m| m.len());
                self.acc
                    .diagnostics
                    .push(too_large(rel, size, self.options.max_file_size));
            }
            Err(e) => {
                self.acc.stats.unreadable += 1;
                self.acc
                    .diagnostics
                    .push(Diagnostic::warning(rel, format!("cannot read: {e}")));
            }
        }
        WalkState::Continue
    }

    fn relative(&self, path: &Path) -> String {
        let rel = if self.root_is_file {
            path.file_name().map(Path::new).unwrap_or(path)
        } else {
            path.strip_prefix(self.root).unwrap_or(path)
        };
        to_slash(rel)
    }
}

/// A path with forward slashes, as reports and globs expect on every platform.
pub fn to_slash(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// Reads a file unless it is larger than `limit` (`Ok(None)`). The limit is checked again while
/// reading, so a file that grows, or a special file that lies about its size, cannot exhaust memory.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > limit {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some(bytes))
}

fn describe_walk_error(err: &ignore::Error, root: &Path) -> (String, String) {
    match err {
        ignore::Error::WithPath { path, err } => {
            let rel = path.strip_prefix(root).unwrap_or(path);
            (to_slash(rel), err.to_string())
        }
        ignore::Error::WithLineNumber { line, err } => {
            (String::new(), format!("line {line}: {err}"))
        }
        ignore::Error::WithDepth { err, .. } => describe_walk_error(err, root),
        ignore::Error::Loop { child, .. } => {
            let rel = child.strip_prefix(root).unwrap_or(child);
            (
                to_slash(rel),
                "symbolic link loop; not followed".to_string(),
            )
        }
        other => (String::new(), other.to_string()),
    }
}
