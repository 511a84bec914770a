//! Command-line interface.

use crate::report::print_table;
use crate::settings::{CliOverrides, ConfigError, Settings};
use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use rempart_core::{CaseStatus, EmailAddress, Languages, Role, Urgency};
use rempart_store::DbPool;
use rempart_store::cases::{CaseFilter, CaseSort};
use rempart_store::users::NewUser;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Rempart: case tracking for a digital-security helpline for civil society.
///
/// Configuration comes from config/default.toml (built in), `--config FILE`, then
/// REMPART_* environment variables (REMPART_DATABASE__URL, ...; *_FILE for secrets).
#[derive(Debug, Parser)]
#[command(name = "rempart", version, propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML) layered over the built-in defaults.
    #[arg(long, global = true, value_name = "FILE", env = "REMPART_CONFIG")]
    pub config: Option<PathBuf>,

    /// Database URL, overriding the configuration: sqlite://PATH or postgres://...
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the REST API (applies pending migrations first). On first start, with no user in
    /// the database, creates an administrator and prints its one-time password.
    Serve {
        /// ADDRESS:PORT to listen on, overriding server.bind.
        #[arg(long, value_name = "ADDR:PORT")]
        bind: Option<String>,
    },
    /// Apply pending database migrations (also done when the service starts).
    Migrate(MigrateArgs),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Look at cases.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Intake rotation and workload.
    #[command(subcommand)]
    Rota(RotaCommand),
    /// The helpline's OpenPGP key (mail.key_file).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Write an encrypted, signed backup of the whole database (evidence files included),
    /// to the helpline key and to backup.recipients. A consistent snapshot: the service
    /// may keep running.
    Backup {
        /// The file to write (refused if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// A further public key (file) to encrypt to, besides backup.recipients. Repeatable.
        #[arg(long = "recipient", value_name = "CERT")]
        recipients: Vec<PathBuf>,
        /// Write it even though no key off this server can read it (backup.recipients empty,
        /// no --recipient): it then dies with the server, or is read by whoever takes it.
        #[arg(long)]
        only_to_the_helpline_key: bool,
    },
    /// Restore a backup into the configured database, which must be empty (new). `-` reads
    /// standard input, e.g. `gpg --decrypt FILE | rempart restore -` with a backup key.
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Copy everything from one database to another, empty one (SQLite to PostgreSQL, or
    /// back), then compare row counts and content digests table by table. Stop the service
    /// first.
    MigrateData {
        /// Source database URL (sqlite://PATH or postgres://...).
        #[arg(long, value_name = "URL")]
        from: String,
        /// Target database URL; migrated here, must hold no data.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Erase a closed case's identifying content at once, on the beneficiary's request
    /// (what retention does after retention.closed_case_days). Cannot be undone.
    Erase {
        /// The case reference, e.g. RMP-2026-000042.
        #[arg(long = "case", value_name = "REF")]
        case: String,
        /// Email of the lead or administrator carrying out the request (recorded).
        #[arg(long, value_name = "EMAIL")]
        by: String,
        /// Why (recorded with the erasure; do not write identifying details here).
        #[arg(long)]
        reason: String,
    },
    /// Run the retention pass now (serve runs it every retention.run_every_minutes).
    Retention,
    /// Anonymised statistics for donors and advocacy: cases by month, service type,
    /// audience type, threat type and urgency, with median times; cells under
    /// stats.min_cell are suppressed.
    Stats {
        /// First month, YYYY-MM (default: eleven months before --to).
        #[arg(long)]
        from: Option<String>,
        /// Last month, YYYY-MM, included (default: this month).
        #[arg(long)]
        to: Option<String>,
        /// CSV (RFC 4180) instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Take one email on standard input (for an MTA pipe): exits 0 once it is committed
    /// (to a case, as a duplicate, or to the quarantine; or, while the service is sealed,
    /// spooled encrypted until the unlock), 75 when it could not be stored so that the MTA
    /// keeps it and retries.
    Mailgate,
    /// Unlock the `serve` that started sealed on this machine (through its local socket):
    /// the master key's passphrase is asked on the terminal, read from the file named by
    /// REMPART_PASSPHRASE_FILE, or else from one line of standard input.
    Unlock,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create the helpline's key (Ed25519 signing, Cv25519 encryption) in mail.key_file.
    /// Refuses to overwrite an existing key.
    Init {
        /// User ID, e.g. "Helpline <help@example.org>".
        #[arg(long)]
        uid: String,
    },
    /// Install an existing secret key (armored or binary, without passphrase) as
    /// mail.key_file. Refuses to overwrite an existing key.
    Import { file: PathBuf },
    /// Print the public key, ASCII-armored, for the website and for beneficiaries.
    Export,
    /// Create a new active key with the same user IDs; the current keys stay in the key
    /// file to decrypt what was sent to them. Restart `serve` afterwards, and publish the new
    /// public key.
    Rotate,
    /// Replace the master key (protection at rest): every data key is re-wrapped, the sealed
    /// key files re-sealed; the content is not re-encrypted. Stop `serve` first (every
    /// instance), and save the new key file off the server.
    RotateMaster,
    /// Put the master key file under a passphrase: `serve` then starts sealed and waits for
    /// a lead or an administrator to unlock it (console, or `rempart unlock`). The key does
    /// not change. The new passphrase is asked twice on the terminal, or read from one line
    /// of standard input.
    ProtectMaster {
        /// scrypt's work factor (log2 of its cost); the default takes about a second.
        #[arg(long, hide = true)]
        work_factor: Option<u8>,
    },
    /// Change the passphrase of the master key file (the key and the data do not change).
    /// The current passphrase is asked first (or read from REMPART_PASSPHRASE_FILE).
    ChangePassphrase {
        #[arg(long, hide = true)]
        work_factor: Option<u8>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RotaCommand {
    /// Run the real assignment code on synthetic arrivals and print how evenly the work is
    /// spread and how many cases waited for a fit handler. Needs no database.
    Simulate {
        #[arg(long, default_value_t = 6)]
        handlers: usize,
        #[arg(long, default_value_t = 12)]
        weeks: u32,
        #[arg(long, default_value_t = 40)]
        cases_per_week: u32,
        /// Share of check-ins answered "not fit" (0 to 1).
        #[arg(long, default_value_t = 0.0)]
        absence_rate: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Weighted capacity of each handler (critical 4, high 3, medium 2, low 1).
        #[arg(long, default_value_t = 20)]
        capacity: u32,
    },
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Revert the most recent migration instead (for a rollback of an upgrade).
    #[arg(long)]
    pub revert_last: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input when it is not a
    /// terminal (one line), otherwise prompted for twice without echo.
    Add {
        /// Login email address.
        #[arg(long)]
        email: String,
        /// Name shown to colleagues.
        #[arg(long)]
        name: String,
        /// handler, analyst, lead or admin.
        #[arg(long)]
        role: String,
        /// Languages spoken, comma-separated tags (fr,en,pt-BR).
        #[arg(long, default_value = "")]
        languages: String,
    },
    /// List accounts.
    List,
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// List cases, newest first, as a short table.
    List {
        /// Only these statuses (repeatable): new, open, waiting_beneficiary, ...
        #[arg(long = "status", value_name = "STATUS")]
        statuses: Vec<String>,
        /// Only these urgencies (repeatable): critical, high, medium, low.
        #[arg(long = "urgency", value_name = "URGENCY")]
        urgencies: Vec<String>,
        /// At most this many cases.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

/// Exit status for an unusable configuration (sysexits EX_CONFIG).
const EX_CONFIG: u8 = 78;

/// Parses the command line, loads the configuration and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    // The simulation touches no database and needs no configuration.
    if let Command::Rota(RotaCommand::Simulate { handlers, weeks, cases_per_week, absence_rate, seed, capacity }) =
        cli.command
    {
        return match crate::report::simulate(handlers, weeks, cases_per_week, absence_rate, seed, capacity) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let overrides = CliOverrides { config_file: cli.config.clone(), database_url: cli.database.clone() };
    let settings = match Settings::load(&overrides) {
        Ok(s) => s,
        Err(e) => return fail_config(&e),
    };
    crate::telemetry::init(&settings.log);
    if let Command::Mailgate = cli.command {
        return crate::mail::mailgate(&settings);
    }
    if let Command::Unlock = cli.command {
        return crate::sealed::unlock_command(&settings);
    }
    // `serve` opens the master key itself: from its file, or unlocked at a sealed start.
    if let Command::Serve { bind } = cli.command {
        return match crate::serve::serve(&settings, bind) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    // The master key first: every command reads or writes sealed values or key files. The
    // database it opens is the one whose keys it wraps (a move's source).
    let sealed_by = match &cli.command {
        Command::MigrateData { from, .. } => from.clone(),
        _ => settings.database.url.clone(),
    };
    if let Err(e) = crate::vault::unlock(&settings, &sealed_by) {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    match execute(cli.command, &settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn fail_config(e: &ConfigError) -> ExitCode {
    eprintln!("configuration error: {e}");
    ExitCode::from(EX_CONFIG)
}

pub(crate) fn connect(settings: &Settings) -> anyhow::Result<DbPool> {
    let pool = DbPool::connect(&settings.database.url, settings.pool_options())?;
    tracing::debug!(database = %pool.url().redacted(), "connected");
    Ok(pool)
}

fn execute(command: Command, settings: &Settings) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        Command::Serve { .. } => unreachable!("handled before the master key is opened"),
        Command::Migrate(args) => {
            let pool = connect(settings)?;
            if args.revert_last {
                let name = rempart_store::db::revert_last_migration(&mut *pool.get()?)?;
                writeln!(out, "reverted migration {name}")?;
            } else {
                let applied = pool.migrate()?;
                let upgraded = rempart_store::protection::upgrade(&mut *pool.get()?)?;
                let sealed_now = upgraded.sealed_values > 0 || upgraded.reindexed_cases > 0;
                if applied.is_empty() && !sealed_now {
                    writeln!(out, "database {} is up to date", pool.url().redacted())?;
                }
                for name in applied {
                    writeln!(out, "applied migration {name}")?;
                }
                if sealed_now {
                    writeln!(
                        out,
                        "protection at rest: level {} -> {}, {} stored values sealed, {} cases reindexed",
                        upgraded.from_level,
                        rempart_store::protection::LEVEL,
                        upgraded.sealed_values,
                        upgraded.reindexed_cases
                    )?;
                }
            }
        }
        Command::User(UserCommand::Add { email, name, role, languages }) => {
            let email = EmailAddress::parse(&email)?;
            let role = Role::parse(&role)?;
            let languages = Languages::parse(&languages).context("--languages")?;
            let password = read_new_password(&[email.as_str(), &name])?;
            let hash = rempart_auth::hash_password(&password)?;
            let pool = connect(settings)?;
            pool.migrate()?;
            let user = rempart_app::accounts::create_user(
                &mut *pool.get()?,
                &rempart_app::Actor::System,
                NewUser {
                    email,
                    display_name: name,
                    role,
                    languages,
                    password_hash: hash,
                    must_change_password: false,
                },
            )?;
            writeln!(out, "created {} {} ({})", user.role, user.email, user.id)?;
        }
        Command::User(UserCommand::List) => {
            let pool = connect(settings)?;
            let users = rempart_app::accounts::list_users(&mut *pool.get()?, &rempart_app::Actor::System)?;
            let rows: Vec<Vec<String>> = users
                .into_iter()
                .map(|u| {
                    vec![
                        u.email.to_string(),
                        u.role.to_string(),
                        u.languages.to_string(),
                        if u.active { "yes" } else { "no" }.to_owned(),
                        u.display_name,
                    ]
                })
                .collect();
            print_table(&mut out, &["EMAIL", "ROLE", "LANGUAGES", "ACTIVE", "NAME"], &rows, "no users")?;
        }
        Command::Rota(RotaCommand::Simulate { .. }) => unreachable!("handled before loading the configuration"),
        Command::Mailgate | Command::Unlock => unreachable!("handled before execute"),
        Command::Keys(KeysCommand::Init { uid }) => {
            let path = &settings.mail.key_file;
            if path.exists() {
                bail!("{} already exists; refusing to replace the helpline key", path.display());
            }
            let keyring = rempart_mail::Keyring::generate(&uid)?;
            keyring.save_new(path)?;
            writeln!(out, "created the helpline key {}", keyring.fingerprint())?;
            writeln!(out, "secret key: {} (back it up: without it, encrypted mail cannot be read)", path.display())?;
            writeln!(out, "publish the public key: rempart keys export")?;
        }
        Command::Keys(KeysCommand::Import { file }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let keyring = rempart_mail::Keyring::from_bytes(&bytes)?;
            keyring.save_new(&settings.mail.key_file)?;
            writeln!(out, "imported the helpline key {}", keyring.fingerprint())?;
        }
        Command::Keys(KeysCommand::Rotate) => {
            let keyring = crate::mail::load_keyring(settings)?
                .with_context(|| format!("no key at {}: run `rempart keys init`", settings.mail.key_file.display()))?;
            let rotated = keyring.rotated()?;
            rotated.save_replacing(&settings.mail.key_file)?;
            writeln!(out, "new active helpline key {}", rotated.fingerprint())?;
            for old in rotated.fingerprints().iter().skip(1) {
                writeln!(out, "kept to decrypt older mail: {old}")?;
            }
            writeln!(out, "restart `rempart serve`, then publish the new public key: rempart keys export")?;
        }
        Command::Keys(KeysCommand::RotateMaster) => {
            let pool = connect(settings)?;
            let _instance = crate::serve::single_instance_lock(pool.url())?;
            let rotated = crate::vault::rotate(settings, &mut *pool.get()?)?;
            writeln!(out, "new master key {} (was {})", rotated.new_id, rotated.old_id)?;
            writeln!(out, "{} data keys re-wrapped; the content was not re-encrypted", rotated.data_keys)?;
            for file in &rotated.secrets {
                writeln!(out, "re-sealed {}", file.display())?;
            }
            writeln!(out, "save {} off this server, then start `rempart serve`", settings.master_key_file().display())?;
        }
        Command::Keys(KeysCommand::ProtectMaster { work_factor }) => {
            let done = crate::passphrase::protect_master(settings, work_factor)?;
            if let Some(keyring) = crate::mail::load_keyring(settings)? {
                crate::spool::write_public_certificate(settings, &keyring)?;
            }
            writeln!(out, "the master key {} in {} is now under a passphrase", done.key_id, done.path.display())?;
            writeln!(out, "`rempart serve` now starts sealed: unlock it at /unlock or with `rempart unlock`")?;
            writeln!(
                out,
                "keep the passphrase with the leads and administrators; a copy of the key file is useless without it"
            )?;
        }
        Command::Keys(KeysCommand::ChangePassphrase { work_factor }) => {
            let done = crate::passphrase::change_passphrase(settings, work_factor)?;
            writeln!(out, "changed the passphrase of the master key {} ({})", done.key_id, done.path.display())?;
            writeln!(out, "copies of the key file saved elsewhere still open with the old passphrase: replace them")?;
        }
        Command::Keys(KeysCommand::Export) => {
            let keyring = crate::mail::load_keyring(settings)?
                .with_context(|| format!("no key at {}: run `rempart keys init`", settings.mail.key_file.display()))?;
            write!(out, "{}", keyring.public_armored()?)?;
        }
        Command::Backup { out: path, recipients, only_to_the_helpline_key } => {
            let report = crate::ops::backup(settings, &path, &recipients, only_to_the_helpline_key)?;
            writeln!(
                out,
                "backup written: {} ({} bytes, {} rows in {} tables, {:.1} s)",
                report.path.display(),
                report.bytes,
                report.summary.rows(),
                report.summary.tables.len(),
                report.seconds
            )?;
            writeln!(out, "encrypted to: {}", report.recipients.join(", "))?;
            writeln!(out, "content digest: {}", report.summary.digest())?;
        }
        Command::Restore { file } => {
            let report = crate::ops::restore(settings, &file)?;
            let header = &report.imported.header;
            writeln!(
                out,
                "restored {} rows from a {} backup of {} ({:.1} s){}",
                report.imported.summary.rows(),
                header.backend,
                header.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                report.seconds,
                if report.verified { ", signed by the helpline key" } else { " (plain export: no signature checked)" }
            )?;
            crate::ops::print_summary(&mut out, &report.imported.summary)?;
            if let Some(adopted) = &report.adopted {
                writeln!(
                    out,
                    "the backup's master key {} is now this configuration's ({}): save a copy off this server{}",
                    adopted.key_id,
                    settings.master_key_file().display(),
                    match &adopted.previous {
                        Some(p) => format!("; the previous key file is at {}", p.display()),
                        None => String::new(),
                    }
                )?;
            }
        }
        Command::MigrateData { from, to } => {
            let report = crate::ops::migrate_data(settings, &from, &to)?;
            crate::ops::print_summary(&mut out, &report.target)?;
            writeln!(
                out,
                "moved {} rows in {:.1} s; every table's count and digest match the source",
                report.source.rows(),
                report.seconds
            )?;
        }
        Command::Erase { case, by, reason } => {
            let done = crate::ops::erase(settings, &case, &by, &reason)?;
            writeln!(
                out,
                "erased {case}{}",
                if done.beneficiaries > 0 { " and its beneficiary (no other case)" } else { "" }
            )?;
        }
        Command::Retention => match crate::ops::retention_now(settings)? {
            Some(done) => writeln!(
                out,
                "retention: erased {} cases closed more than {} days ago and {} beneficiaries",
                done.cases, settings.retention.closed_case_days, done.beneficiaries
            )?,
            None => writeln!(out, "retention: another instance is running it now")?,
        },
        Command::Stats { from, to, csv } => {
            let (start, end) =
                rempart_core::stats::months_or_default(from.as_deref(), to.as_deref(), chrono::Utc::now().date_naive())
                    .map_err(|m| anyhow::anyhow!("--{m}"))?;
            let pool = connect(settings)?;
            let facts = rempart_store::stats::case_facts(&mut *pool.get()?, start, end)?;
            let report = rempart_core::stats::aggregate(&facts, settings.stats.min_cell);
            if csv {
                write!(out, "{}", rempart_core::stats::to_csv(&report))?;
            } else {
                let minutes = |m: Option<i64>| m.map(|m| m.to_string()).unwrap_or_else(|| "-".into());
                let rows: Vec<Vec<String>> = report
                    .cells
                    .iter()
                    .map(|c| {
                        vec![
                            c.month.clone(),
                            c.service_type.clone(),
                            c.audience_type.clone(),
                            c.threat_type.clone(),
                            c.urgency.clone(),
                            c.cases.to_string(),
                            minutes(c.median_first_response_minutes),
                            minutes(c.median_resolution_minutes),
                        ]
                    })
                    .collect();
                print_table(
                    &mut out,
                    &[
                        "MONTH",
                        "SERVICE",
                        "AUDIENCE",
                        "THREAT",
                        "URGENCY",
                        "CASES",
                        "FIRST RESPONSE (MIN)",
                        "RESOLUTION (MIN)",
                    ],
                    &rows,
                    "no cell reaches the minimum count",
                )?;
                writeln!(
                    out,
                    "{} to {}; cells under {} cases suppressed: {}",
                    start.format("%Y-%m"),
                    (end - chrono::Duration::days(1)).format("%Y-%m"),
                    report.min_cell,
                    report.suppressed_cells
                )?;
            }
        }
        Command::Case(CaseCommand::List { statuses, urgencies, limit }) => {
            let filter = CaseFilter {
                statuses: statuses.iter().map(|s| CaseStatus::parse(s)).collect::<Result<_, _>>()?,
                urgencies: urgencies.iter().map(|s| Urgency::parse(s)).collect::<Result<_, _>>()?,
                ..Default::default()
            };
            if !(1..=1000).contains(&limit) {
                bail!("--limit must be between 1 and 1000");
            }
            let pool = connect(settings)?;
            let mut conn = pool.get()?;
            let system = rempart_app::Actor::System;
            let cases = rempart_app::cases::list(&mut conn, &system, filter, CaseSort::NewestFirst, None, limit)?;
            let emails: std::collections::HashMap<String, String> =
                rempart_app::accounts::list_users(&mut conn, &system)?
                    .into_iter()
                    .map(|u| (u.id, u.email.to_string()))
                    .collect();
            let rows: Vec<Vec<String>> = cases
                .into_iter()
                .map(|c| {
                    vec![
                        c.reference.to_string(),
                        c.status.to_string(),
                        c.urgency.to_string(),
                        c.priority.to_string(),
                        c.assignee_id.and_then(|a| emails.get(&a).cloned()).unwrap_or_else(|| "-".into()),
                        c.created_at.format("%Y-%m-%d %H:%M").to_string(),
                        crate::report::truncate(&c.summary, 48),
                    ]
                })
                .collect();
            print_table(
                &mut out,
                &["REFERENCE", "STATUS", "URGENCY", "PRIO", "ASSIGNEE", "CREATED (UTC)", "SUMMARY"],
                &rows,
                "no cases",
            )?;
        }
    }
    Ok(())
}

/// A password for the account, checked as any chosen password is (length, not guessable,
/// not built on `personal`: the account's email address and name).
fn read_new_password(personal: &[&str]) -> anyhow::Result<rempart_auth::Password> {
    let stdin = std::io::stdin();
    let candidate = if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Password again: ")?;
        if first != second {
            bail!("the passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("reading the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    };
    Ok(rempart_auth::Password::chosen(&candidate, personal)?)
}
