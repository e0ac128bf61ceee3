//! What the run says to the person at the terminal, on standard error: a progress spinner on a
//! TTY only, the diagnostics, and a one-line summary.

use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use rampart_core::engine::Progress;
use rampart_core::{DiagnosticLevel, Report};

use crate::cli::ColorChoice;

/// Whether to colour output going to a terminal: `--color`, then `NO_COLOR`, then whether
/// standard output is a terminal.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// A spinner showing files and bytes scanned; drawn only when standard error is a terminal.
pub struct Spinner {
    bar: Option<ProgressBar>,
    ticker: Option<std::thread::JoinHandle<()>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Spinner {
    pub fn start(progress: Arc<Progress>, quiet: bool) -> Spinner {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        if quiet || !std::io::stderr().is_terminal() {
            return Spinner {
                bar: None,
                ticker: None,
                stop,
            };
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(100));
        let (b, s) = (bar.clone(), stop.clone());
        let ticker = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let files = progress.files.load(Ordering::Relaxed);
                let bytes = progress.bytes.load(Ordering::Relaxed);
                b.set_message(format!("scanning: {files} files, {}", human_bytes(bytes)));
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Spinner {
            bar: Some(bar),
            ticker: Some(ticker),
            stop,
        }
    }

    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Warnings and errors one a line; notes (files skipped on purpose) as counts in the summary.
pub fn print_diagnostics(report: &Report) {
    for d in report
        .diagnostics
        .iter()
        .filter(|d| d.level != DiagnosticLevel::Note)
    {
        eprintln!("rampart: {d}");
    }
}

pub fn summary(report: &Report, elapsed: Instant) -> String {
    let s = &report.stats;
    let mut line = format!(
        "rampart: scanned {} files ({}) in {:.2}s",
        s.files_scanned,
        human_bytes(s.bytes_scanned),
        elapsed.elapsed().as_secs_f64()
    );
    let mut skipped = Vec::new();
    if s.skipped_binary > 0 {
        skipped.push(format!("{} binary", s.skipped_binary));
    }
    if s.skipped_too_large > 0 {
        skipped.push(format!("{} too large", s.skipped_too_large));
    }
    if s.unreadable > 0 {
        skipped.push(format!("{} unreadable", s.unreadable));
    }
    if !skipped.is_empty() {
        line.push_str(&format!(", skipped {}", skipped.join(", ")));
    }
    let set_aside = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let n = report.findings.len() - set_aside;
    if n == 0 {
        line.push_str("; no findings");
    } else {
        let by: Vec<String> = report
            .counts_by_severity()
            .into_iter()
            .filter(|(_, c)| *c > 0)
            .map(|(sev, c)| format!("{c} {sev}"))
            .collect();
        line.push_str(&format!(
            "; {n} finding{} ({})",
            if n == 1 { "" } else { "s" },
            by.join(", ")
        ));
    }
    let quiet = s.suppressed_inline + s.suppressed_config + s.in_baseline + set_aside as u64;
    if quiet > 0 {
        line.push_str(&format!("; {quiet} suppressed or in baseline"));
    }
    let gate = &report.gate;
    if let Some(policy) = &gate.policy {
        line.push_str(&format!(
            "; gate {} (policy: {} denied, {} warned{})",
            if gate.passed { "passed" } else { "FAILED" },
            policy.denies.len(),
            policy.warnings.len(),
            if policy.errors.is_empty() {
                String::new()
            } else {
                format!(", {} errors", policy.errors.len())
            }
        ));
    } else if gate.passed {
        line.push_str(&format!(
            "; gate passed (--fail-on {})",
            String::from(gate.fail_on)
        ));
    } else {
        line.push_str(&format!(
            "; gate FAILED: {} at or above {}",
            gate.failing_findings,
            String::from(gate.fail_on)
        ));
    }
    line
}

/// Writes to standard output; when the reader has closed the pipe, ends the process quietly
/// (exit code 0, as the output was all it asked for).
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("rampart: cannot write to standard output: {e}");
        std::process::exit(3);
    }
}
