//! The `rampart` binary: wiring only. Scanners find, the engine assembles, renderers format;
//! this crate turns flags and `rampart.toml` into settings, runs them, and maps the outcome to
//! an exit code: 0 pass, 1 gate failed, 2 usage or configuration error, 3 runtime error.

/// `print!` and `println!` for standard output that end the process quietly when the reader
/// has gone (`rampart rules list | head`), instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => { $crate::terminal::write_stdout(&format!($($arg)*)) };
}
macro_rules! outln {
    () => { $crate::terminal::write_stdout("\n") };
    ($($arg:tt)*) => { $crate::terminal::write_stdout(&format!("{}\n", format_args!($($arg)*))) };
}

mod cli;
mod commands;
mod settings;
mod terminal;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use rampart_sca::intel::IntelPart;

use crate::cli::{
    AttestCommand, BaselineCommand, Cli, Command, DbCommand, ExceptionCommand, KeyCommand,
    PolicyCommand, ReportCommand, RulesCommand, ScanCommand, SchemaCommand,
};

/// Why a run did not pass, and so its exit code.
#[derive(Debug)]
pub enum Failure {
    /// The gate failed: findings at or above the threshold.
    Gate,
    /// Usage or configuration error.
    Usage(String),
    /// The target could not be scanned.
    Runtime(String),
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::Gate => 1,
            Failure::Usage(_) => 2,
            Failure::Runtime(_) => 3,
        }
    }
}

pub type Outcome = Result<(), Failure>;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let outcome = match cli.command {
        Command::Scan { scanner, args } => {
            let (only, args, sub) = match scanner {
                Some(ScanCommand::Secrets(a)) => (Some("secrets"), a, Some("secrets")),
                Some(ScanCommand::Deps(a)) => (Some("deps"), a, Some("deps")),
                Some(ScanCommand::Iac(a)) => (Some("iac"), a, Some("iac")),
                None => (None, *args, None),
            };
            let scan_matches = matches
                .subcommand_matches("scan")
                .map(|m| sub.and_then(|s| m.subcommand_matches(s)).unwrap_or(m));
            // `--sbom FILE` scans that file, with the scanner that reads SBOMs.
            let (args, only) = match &args.sbom {
                Some(file) => {
                    let mut a = args.clone();
                    a.path = file.clone();
                    (a, Some("deps"))
                }
                None => (args, only),
            };
            commands::scan::run(&args, only, scan_matches)
        }
        Command::Rules(RulesCommand::List { format }) => commands::rules::list(format),
        Command::Rules(RulesCommand::Explain { id }) => commands::rules::explain(&id),
        Command::Baseline(BaselineCommand::Create(args)) => commands::baseline::create(&args),
        Command::Sbom(args) => commands::sbom::run(&args),
        Command::Gate(args) => commands::gate::run(&args),
        Command::Key(KeyCommand::Generate { out }) => commands::attest::generate(&out),
        Command::Attest(AttestCommand::Verify { file, key }) => {
            commands::attest::verify(&file, &key)
        }
        Command::Policy(PolicyCommand::Test { dirs }) => commands::gate::test(&dirs),
        Command::Exception(ExceptionCommand::Add(args)) => commands::exception::add(&args),
        Command::Exception(ExceptionCommand::List { file }) => commands::exception::list(file),
        Command::Db(DbCommand::Import { paths, db }) => commands::db::import(&paths, db),
        Command::Db(DbCommand::Update {
            mirror,
            ecosystems,
            db,
        }) => commands::db::update(mirror, &ecosystems, db),
        Command::Db(DbCommand::Status { db }) => commands::db::status(db),
        Command::Db(DbCommand::ImportEpss { file, db }) => {
            commands::db::import_intel(&file, db, IntelPart::Epss)
        }
        Command::Db(DbCommand::ImportKev { file, db }) => {
            commands::db::import_intel(&file, db, IntelPart::Kev)
        }
        Command::Schema(SchemaCommand::Report) => {
            out!("{}", rampart_report::report_schema());
            Ok(())
        }
        Command::Schema(SchemaCommand::Compliance) => {
            out!("{}", rampart_report::compliance::compliance_schema());
            Ok(())
        }
        Command::Report(ReportCommand::Compliance(args)) => commands::report::compliance(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            match &failure {
                Failure::Gate => {}
                Failure::Usage(m) => eprintln!("rampart: error: {m}"),
                Failure::Runtime(m) => eprintln!("rampart: error: {m}"),
            }
            ExitCode::from(failure.code())
        }
    }
}
