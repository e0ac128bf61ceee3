use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// rampart: security checks for every commit. Secrets, vulnerable dependencies and
/// misconfigured infrastructure and pipelines, in one scan, report and gate.
#[derive(Debug, Parser)]
#[command(name = "rampart", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory, a file, git history, staged changes or stdin with every scanner that
    /// applies, write the report, and gate on the findings.
    #[command(args_conflicts_with_subcommands = true)]
    Scan {
        #[command(subcommand)]
        scanner: Option<ScanCommand>,
        #[command(flatten)]
        args: Box<ScanArgs>,
    },
    /// Built-in rules: list them or explain one.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Accept today's findings so the gate fails only on new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// The offline vulnerability database (OSV advisories) that dependency scanning reads.
    #[command(subcommand)]
    Db(DbCommand),
    /// Decide the gate on a saved JSON report (`scan --format json`), so a later pipeline
    /// stage can gate on an earlier scan: by --fail-on and, with --gate-policy, by Rego.
    Gate(GateArgs),
    /// Rego policies: run their unit tests.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Signing keys for attestations.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Signed attestations: check one.
    #[command(subcommand)]
    Attest(AttestCommand),
    /// Accepted risks: record one with its reason, approver and expiry, or list them.
    #[command(subcommand)]
    Exception(ExceptionCommand),
    /// Write a software bill of materials of every lockfile under PATH.
    Sbom(SbomArgs),
    /// Reports made from a scan: compliance with a framework, control by control.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Print a JSON Schema of one of rampart's formats.
    #[command(subcommand)]
    Schema(SchemaCommand),
}

#[derive(Debug, Subcommand)]
pub enum ScanCommand {
    /// Leaked credentials: API keys, tokens, private keys, passwords.
    Secrets(ScanArgs),
    /// Dependencies with known vulnerabilities, from lockfiles and the offline OSV database.
    Deps(ScanArgs),
    /// Infrastructure as code and pipeline configuration: Kubernetes manifests, Dockerfiles,
    /// GitHub Actions workflows (more formats to come).
    Iac(ScanArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SbomArgs {
    /// The directory (or lockfile) to inventory.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// `cyclonedx` (CycloneDX 1.5 JSON) or `spdx` (SPDX 2.3 JSON).
    #[arg(short, long, default_value = "cyclonedx")]
    pub format: String,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Skip paths matching this glob (gitignore syntax). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also read files that .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,
}

#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    /// The JSON report.
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,
    /// Fail on findings at or above this severity (default: the report's own threshold, or
    /// none with a gate policy).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// A gate policy directory (default: `[gate] policy` of rampart.toml). Repeatable.
    #[arg(long = "gate-policy", value_name = "DIR")]
    pub gate_policies: Vec<PathBuf>,
    /// Use this configuration file instead of the nearest rampart.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// `table` (a summary for people) or `json` (the gate decision).
    #[arg(long, value_name = "FORMAT", default_value = "table")]
    pub format: String,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Write a new Ed25519 key pair: `rampart.key` (PKCS#8 PEM, readable by its owner only) and
    /// `rampart.pub` (PEM). An existing key is never overwritten.
    Generate {
        /// The directory to write them in.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Check an attestation's signature with a public key and print what it attests. Exits 1
    /// when the signature does not verify (changed, or signed with another key), 2 when the
    /// file is not an attestation.
    Verify {
        /// The attestation (`scan --attest FILE`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The public key (`rampart.pub`).
        #[arg(long, value_name = "PUB")]
        key: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run the `test_` rules of Rego policies and their `*_test.rego` files, as `opa test`.
    Test {
        /// Directories (or files) of policies and tests.
        #[arg(value_name = "DIR", required = true)]
        dirs: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExceptionCommand {
    /// Record an accepted risk in rampart-exceptions.toml: which findings (a rule, narrowed by
    /// fingerprint, path, package or advisory), why, who approved it and until when. Matching
    /// findings are then reported as accepted and do not fail the gate until it expires.
    Add(ExceptionAddArgs),
    /// Every exception, with whether it is in force or expired.
    List {
        /// The exceptions file (default: rampart-exceptions.toml beside rampart.toml, else in
        /// the current directory).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ExceptionAddArgs {
    /// The rule id (or a prefix ending in `*`).
    #[arg(long, value_name = "ID")]
    pub rule: String,
    /// Only the finding with this fingerprint.
    #[arg(long, value_name = "FP")]
    pub fingerprint: Option<String>,
    /// Only findings in files matching this glob.
    #[arg(long, value_name = "GLOB")]
    pub path: Option<String>,
    /// Only this dependency (package name).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
    /// Only this vulnerability (CVE, GHSA or OSV id).
    #[arg(long, value_name = "ID")]
    pub advisory: Option<String>,
    /// Why the risk is accepted.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who accepted it.
    #[arg(long, value_name = "NAME")]
    pub approver: String,
    /// Where the decision is recorded (an issue or ticket URL).
    #[arg(long, value_name = "URL")]
    pub ticket: Option<String>,
    /// The first day it no longer applies (YYYY-MM-DD, in the future).
    #[arg(long, value_name = "DATE")]
    pub expires: String,
    /// The exceptions file to write (default: rampart-exceptions.toml beside rampart.toml,
    /// else in the current directory).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import OSV advisories: `all.zip` files as the OSV project publishes them, directories of
    /// OSV JSON, or single JSON files. The ecosystems imported replace their old data.
    Import {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The database file (default: $RAMPART_DB, else the user data directory).
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
    },
    /// Import EPSS scores (FIRST's daily `epss_scores-YYYY-MM-DD.csv`, plain or gzipped):
    /// findings are then prioritised by the probability of exploitation.
    ImportEpss {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
    },
    /// Import the CISA Known Exploited Vulnerabilities catalogue
    /// (`known_exploited_vulnerabilities.json`): findings it lists come first.
    ImportKev {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
    },
    /// Download the OSV project's `all.zip` of each ecosystem that changed since the last
    /// update (kept in `osv-cache/` beside the database) and import them. Offline machines use
    /// `rampart db import` with the same files.
    Update {
        /// Base URL of the OSV files, `<URL>/<ecosystem>/all.zip` (default: $RAMPART_OSV_MIRROR,
        /// else the OSV project's bucket).
        #[arg(long, value_name = "URL")]
        mirror: Option<String>,
        /// An OSV ecosystem to fetch, e.g. `crates.io`, `PyPI`, `Debian`. Repeatable. Default:
        /// those of the supported lockfiles (crates.io, npm, Go, PyPI, Maven, NuGet, Packagist,
        /// Pub, RubyGems, Hex).
        #[arg(long = "ecosystem", value_name = "NAME")]
        ecosystems: Vec<String>,
        /// The database file (default: $RAMPART_DB, else the user data directory).
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
    },
    /// Ecosystems, advisory counts and age of the database.
    Status {
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every built-in rule with its id, severity and title.
    List {
        /// `table` for people, `json` for tools.
        #[arg(long, default_value = "table")]
        format: ListFormat,
    },
    /// A rule's documentation: why it matters, how to fix it, the controls it maps to.
    Explain {
        /// The rule id, e.g. `secret.aws-access-key-id`.
        id: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan and write the fingerprints of every finding (never the secrets) to the baseline
    /// file: --baseline, else `[gate] baseline` in rampart.toml, else rampart-baseline.json.
    Create(ScanArgs),
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// The JSON report (`--format json`).
    Report,
    /// The compliance assessment (`report compliance --format json`).
    Compliance,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Judge a scan against a framework's controls: per control, the rules that test it,
    /// pass / fail / not tested, and the findings and accepted risks behind it.
    Compliance(ComplianceArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ComplianceArgs {
    /// A JSON report (`scan --format json`); without it the current directory is scanned.
    #[arg(value_name = "REPORT")]
    pub report: Option<PathBuf>,
    /// nist-800-53, cis-aws, cis-azure, cis-gcp, cis-kubernetes, cis-docker, iso-27001, pci-dss,
    /// hipaa, owasp-top10 or cwe.
    #[arg(long, value_name = "ID")]
    pub framework: String,
    /// Only the controls a baseline selects (NIST SP 800-53: low, moderate, high; CIS
    /// benchmarks: level1, level2).
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// `table`, `json`, `html` (a self-contained page) or `oscal` (OSCAL assessment results).
    #[arg(short, long, value_name = "FORMAT", default_value = "table")]
    pub format: String,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour the table.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// What to scan: a directory, a file, a git repository (with --history or --staged), or `-`
    /// for standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// A gate policy: a directory (or file) of Rego policies whose `deny` rules, evaluated over
    /// the whole report, fail the gate and whose `warn` rules are shown. Repeatable. With a
    /// gate policy and no --fail-on, the policy alone decides.
    #[arg(long = "gate-policy", value_name = "DIR")]
    pub gate_policies: Vec<PathBuf>,

    /// Write a signed in-toto attestation of the scan and the gate decision (a DSSE envelope,
    /// Ed25519) to FILE; check it with `rampart attest verify`.
    #[arg(long, value_name = "FILE")]
    pub attest: Option<PathBuf>,

    /// The private key that signs --attest (default: $RAMPART_ATTEST_KEY); see `rampart key
    /// generate`.
    #[arg(
        long,
        value_name = "FILE",
        env = "RAMPART_ATTEST_KEY",
        hide_env_values = true
    )]
    pub attest_key: Option<PathBuf>,

    /// The file name standard input (`-`) is read as, which decides how it is read:
    /// `Dockerfile`, `deploy.yaml`, `.env`... Without it, stdin is read by content: Kubernetes
    /// manifests (such as `helm template` or `kustomize build` output), CloudFormation,
    /// Terraform plans, and secrets in any text.
    #[arg(long, value_name = "NAME", default_value = "stdin")]
    pub stdin_name: String,

    /// Output format: table, json, sarif, junit or markdown. Repeat for several; each may be
    /// followed by its own --output.
    #[arg(short, long = "format", value_name = "FORMAT")]
    pub formats: Vec<String>,

    /// Write the preceding --format to FILE instead of standard output.
    #[arg(short, long = "output", value_name = "FILE")]
    pub outputs: Vec<PathBuf>,

    /// Fail (exit 1) when a finding is at or above this severity: critical, high, medium, low,
    /// info, or none. Default: high.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,

    /// Print nothing but the requested formats (no progress, summary or diagnostics).
    #[arg(short, long)]
    pub quiet: bool,

    /// When to use colours in the table. `NO_COLOR` turns them off for `auto`.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    /// Worker threads (default: the number of cores).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Skip paths matching this glob (gitignore syntax). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Use this configuration file instead of the nearest rampart.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Also scan files that .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip files larger than this many bytes (default 25 MiB).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,

    /// Report and gate only on findings that are not in this baseline file (for `baseline
    /// create`: the file to write).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Scan every blob in the git history of PATH, each once, with the commit that added it.
    #[arg(long, conflicts_with = "staged")]
    pub history: bool,

    /// Scan only what is staged in git's index (for pre-commit hooks); report only new secrets.
    #[arg(long)]
    pub staged: bool,

    /// Print secrets in full instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,

    /// Load extra secret rules from this file (the built-in rule format). Repeatable.
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,

    /// Turn off a rule (an id, or a prefix ending in `*`). Repeatable.
    #[arg(long = "disable-rule", value_name = "ID")]
    pub disable_rules: Vec<String>,

    /// Do not decode base64 blobs to look for secrets inside them.
    #[arg(long)]
    pub no_decode: bool,

    /// Check the packages of an existing CycloneDX or SPDX JSON SBOM instead of a directory
    /// (runs the deps scanner only).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["history", "staged"])]
    pub sbom: Option<PathBuf>,

    /// The vulnerability database for dependency scanning (default: $RAMPART_DB, else the
    /// user data directory; see `rampart db`).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// A VEX document (OpenVEX or CycloneDX VEX JSON): vulnerabilities it declares
    /// `not_affected` (or `false_positive`) for a package are reported as suppressed, with
    /// the justification, and do not fail the gate. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,

    /// A Terraform variables file applied to every root module scanned, after its own
    /// terraform.tfvars and *.auto.tfvars. Repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,

    /// A directory (or file) of Rego policies, conftest-style: `deny`, `violation` and `warn`
    /// rules run on every IaC document. Repeatable.
    #[arg(long = "policy", value_name = "DIR")]
    pub policies: Vec<PathBuf>,

    /// The policy namespaces to evaluate (repeatable; default `main`, as conftest).
    #[arg(long = "namespace", value_name = "NS")]
    pub namespaces: Vec<String>,

    /// Evaluate the rules of every policy namespace.
    #[arg(long, conflicts_with = "namespaces")]
    pub all_namespaces: bool,

    /// Do not read or write the result cache (lockfiles already checked against the same
    /// database are answered from it; default location $RAMPART_CACHE_DIR, else
    /// ~/.cache/rampart).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
