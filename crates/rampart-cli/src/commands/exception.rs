use std::path::{Path, PathBuf};

use rampart_core::config::Config;
use rampart_core::date::Date;
use rampart_core::exception::{self, Exception, ExceptionSet};

use crate::cli::ExceptionAddArgs;
use crate::{Failure, Outcome};

/// The exceptions file: the one given, else beside the nearest rampart.toml, else here.
fn exceptions_file(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        Config::discover(Path::new("."))
            .and_then(|c| c.parent().map(|d| d.join(exception::FILE_NAME)))
            .unwrap_or_else(|| PathBuf::from(exception::FILE_NAME))
    })
}

fn existing(file: &Path) -> Result<Vec<Exception>, Failure> {
    if !file.exists() {
        return Ok(Vec::new());
    }
    exception::read_file(file).map_err(|e| Failure::Usage(format!("{}: {e}", file.display())))
}

/// `rampart exception add`: checks the entry as the scan will, refuses an expiry that is not
/// in the future, and appends it to the exceptions file (written whole, then renamed).
pub fn add(args: &ExceptionAddArgs) -> Outcome {
    let expires: Date = args
        .expires
        .parse()
        .map_err(|e| Failure::Usage(format!("--expires: {e}")))?;
    let today = Date::today();
    if expires <= today {
        return Err(Failure::Usage(format!(
            "--expires {expires} is not in the future (today is {today}): an exception must expire"
        )));
    }
    let entry = Exception {
        rule: args.rule.trim().to_string(),
        fingerprint: args.fingerprint.clone(),
        path: args.path.clone(),
        package: args.package.clone(),
        advisory: args.advisory.clone(),
        reason: args.reason.trim().to_string(),
        approver: args.approver.trim().to_string(),
        ticket: args.ticket.clone(),
        expires,
    };
    ExceptionSet::default()
        .add(std::slice::from_ref(&entry), "--")
        .map_err(|e| match e {
            exception::ExceptionError::Invalid { message, .. } => Failure::Usage(message),
        })?;
    let file = exceptions_file(args.file.clone());
    let parse = |text: &str| {
        exception::parse(text).map_err(|e| Failure::Usage(format!("{}: {e}", file.display())))
    };
    let mut text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::from(
            "# Accepted risks: findings reported as accepted, not failing the gate, until the\n\
             # expiry date. Written by `rampart exception add`; see `rampart exception list`.\n",
        ),
        Err(e) => {
            return Err(Failure::Runtime(format!(
                "cannot read {}: {e}",
                file.display()
            )))
        }
    };
    let before = parse(&text)?.len();
    let table = entry.to_toml();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&table);
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // What is written reads back as one more valid exception.
    if parse(&text)?.len() != before + 1 {
        return Err(Failure::Runtime(format!(
            "the entry for {} would not read back",
            file.display()
        )));
    }
    let tmp = dir.join(format!(".{}.tmp", exception::FILE_NAME));
    std::fs::write(&tmp, &text)
        .and_then(|()| std::fs::rename(&tmp, &file))
        .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", file.display())))?;
    eprintln!(
        "rampart: exception for `{}` until {expires} written to {}",
        args.rule.trim(),
        file.display()
    );
    Ok(())
}

/// `rampart exception list`: each exception, in force or expired.
pub fn list(file: Option<PathBuf>) -> Outcome {
    let file = exceptions_file(file);
    let all = existing(&file)?;
    let today = Date::today();
    if all.is_empty() {
        outln!("no exceptions in {}", file.display());
        return Ok(());
    }
    for e in &all {
        let state = if today >= e.expires {
            "expired"
        } else {
            "in force"
        };
        let mut scope = Vec::new();
        for (name, value) in [
            ("path", &e.path),
            ("package", &e.package),
            ("advisory", &e.advisory),
            ("fingerprint", &e.fingerprint),
        ] {
            if let Some(v) = value {
                scope.push(format!("{name} {v}"));
            }
        }
        outln!(
            "{:<8} until {}  {}{}  approved by {}: {}{}",
            state,
            e.expires,
            e.rule,
            if scope.is_empty() {
                String::new()
            } else {
                format!(" ({})", scope.join(", "))
            },
            e.approver,
            e.reason,
            e.ticket
                .as_deref()
                .map(|t| format!(" [{t}]"))
                .unwrap_or_default()
        );
    }
    Ok(())
}
