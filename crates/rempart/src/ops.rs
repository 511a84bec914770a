//! Operations on the whole database: encrypted backups, restores, and the move from one
//! engine to the other.

use crate::settings::Settings;
use anyhow::{Context, bail};
use rempart_store::DbConn;
use rempart_store::export::{self, Summary};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub summary: Summary,
    pub recipients: Vec<String>,
    pub seconds: f64,
}

fn open(url: &str, settings: &Settings) -> anyhow::Result<DbConn> {
    Ok(DbConn::open(url, settings.pool_options())?)
}

/// Writes an encrypted, signed snapshot of the database (evidence files included) to `out`.
/// The file appears only once complete (written beside it, then renamed), readable by its
/// owner only; an existing file is never replaced.
pub fn backup(
    settings: &Settings,
    out: &Path,
    extra_recipients: &[PathBuf],
    only_to_the_helpline_key: bool,
) -> anyhow::Result<BackupReport> {
    let started = Instant::now();
    if settings.backup.recipients.is_empty() && extra_recipients.is_empty() && !only_to_the_helpline_key {
        bail!(
            "no backup key off this server: a backup encrypted only to the helpline key, which lives on this \
             server, is lost with it and read by whoever takes it. Set backup.recipients to the public keys \
             of people who keep their secret keys offline, or pass --recipient CERT; \
             --only-to-the-helpline-key writes it anyway"
        );
    }
    let keyring = crate::mail::load_keyring(settings)?.with_context(|| {
        format!(
            "no helpline key at {}: a backup is encrypted to it and signed by it (rempart keys init)",
            settings.mail.key_file.display()
        )
    })?;
    let mut recipients = Vec::new();
    for path in settings.backup.recipients.iter().chain(extra_recipients) {
        let bytes = std::fs::read(path).with_context(|| format!("reading backup key {}", path.display()))?;
        let cert = rempart_mail::pgp::parse_certificate(&bytes)
            .with_context(|| format!("backup key {} is not an OpenPGP certificate", path.display()))?;
        recipients.push(cert);
    }
    if out.exists() {
        bail!("{} already exists; refusing to replace it", out.display());
    }
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file = create_private(&partial)?;
    let result = (|| -> anyhow::Result<Summary> {
        let mut conn = open(&settings.database.url, settings)?;
        let writer = rempart_mail::pgp::encrypting_writer(BufWriter::new(file), &recipients, &keyring)?;
        let mut writer = BufWriter::with_capacity(1 << 20, writer);
        // The master key rides inside the encryption, before the export: whoever can decrypt
        // the backup (the helpline key, a keeper's) can open what it seals, and no one else.
        write_master_key(&mut writer)?;
        let summary = export::export(&mut conn, &mut writer)?;
        let writer = writer.into_inner().map_err(|e| anyhow::anyhow!("writing the backup: {}", e.error()))?;
        writer.finalize().context("finishing the encrypted backup")?;
        Ok(summary)
    })();
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, out).with_context(|| format!("renaming to {}", out.display()))?;
    let fingerprints =
        std::iter::once(keyring.fingerprint()).chain(recipients.iter().map(|c| c.fingerprint().to_hex())).collect();
    Ok(BackupReport {
        path: out.to_owned(),
        bytes: std::fs::metadata(out)?.len(),
        summary,
        recipients: fingerprints,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The first line of a backup's plain stream: the master key that wrapped its data keys
/// (before the export's own header line, which an older backup starts with).
#[derive(serde::Serialize, serde::Deserialize)]
struct MasterKeyLine {
    rempart_master_key: String,
}

fn write_master_key(out: &mut impl Write) -> anyhow::Result<()> {
    let key = rempart_vault::current()?;
    let line = MasterKeyLine { rempart_master_key: key.to_file_text().to_string() };
    let text = zeroize::Zeroizing::new(serde_json::to_string(&line)?);
    drop(line);
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Reads the master key line a backup starts with, if it has one; the rest of the stream
/// (the export) is left to read.
fn read_master_key(input: &mut dyn BufRead) -> anyhow::Result<(Option<rempart_vault::MasterKey>, Vec<u8>)> {
    let mut first = Vec::new();
    input.read_until(b'\n', &mut first).context("reading the backup")?;
    if !first.starts_with(b"{\"rempart_master_key\"") {
        return Ok((None, first));
    }
    let line: MasterKeyLine = serde_json::from_slice(&first).context("the backup's master key line")?;
    let first = zeroize::Zeroizing::new(first);
    drop(first);
    let text = zeroize::Zeroizing::new(line.rempart_master_key);
    Ok((Some(rempart_vault::MasterKey::from_file_text(&text).context("the backup's master key")?), Vec::new()))
}

fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).with_context(|| format!("creating {}", path.display()))
}

/// What a restore read.
#[derive(Debug)]
pub struct RestoreReport {
    pub imported: export::Imported,
    /// False when the file was a plain export (decrypted elsewhere, e.g. with an offline
    /// backup key and gpg), so no signature could be checked here.
    pub verified: bool,
    /// The backup's master key, made this configuration's (its own did not open the backup).
    pub adopted: Option<crate::vault::Adopted>,
    pub seconds: f64,
}

/// Restores a backup (`-` for standard input) into the configured database, which must be
/// empty. An encrypted backup must be signed by the helpline key; a plain export (what
/// `gpg --decrypt` gives with a backup key) is accepted as such.
pub fn restore(settings: &Settings, file: &Path) -> anyhow::Result<RestoreReport> {
    let started = Instant::now();
    let source: Box<dyn Read + Send + Sync> = if file == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?)
    };
    let mut source = BufReader::with_capacity(1 << 20, source);
    let plain = source.fill_buf().context("reading the backup")?.first() == Some(&b'{');
    let _lock = crate::serve::single_instance_lock(&rempart_store::DatabaseUrl::parse(&settings.database.url)?)?;
    let mut conn = open(&settings.database.url, settings)?;
    let mut read = |input: &mut dyn BufRead| -> anyhow::Result<(export::Imported, Option<rempart_vault::MasterKey>)> {
        let (carried, first) = read_master_key(input)?;
        let mut rest = BufReader::new(std::io::Cursor::new(first).chain(input));
        Ok((export::import(&mut conn, &mut rest)?, carried))
    };
    let (imported, carried) = if plain {
        read(&mut source)?
    } else {
        let keyring = crate::mail::load_keyring(settings)?.with_context(|| {
            format!(
                "no helpline key at {}: install it first (rempart keys import), or decrypt the backup \
                 with a backup key (gpg --decrypt FILE | rempart restore -)",
                settings.mail.key_file.display()
            )
        })?;
        let reader = rempart_mail::pgp::decrypting_reader(source, &keyring).context("opening the backup")?;
        read(&mut BufReader::with_capacity(1 << 20, reader))?
    };
    // The backup carries its data keys wrapped by the master key of the database it came
    // from, and (since protection level 2) that key: this configuration adopts it when its
    // own did not wrap them (a new server, a keeper's restore).
    let wrapped_by = rempart_store::sealing::master_ids(&mut conn)?;
    let ours = rempart_vault::current()?.id();
    let mut adopted = None;
    if !wrapped_by.is_empty()
        && !wrapped_by.contains(&ours)
        && let Some(key) = carried.filter(|k| wrapped_by.contains(&k.id()))
    {
        adopted = Some(crate::vault::adopt(settings, key)?);
    }
    if !wrapped_by.is_empty() && adopted.is_none() && !wrapped_by.contains(&ours) {
        bail!(
            "restored, but the backup's data keys were wrapped by master key {} and this configuration's is {ours}: \
             put that master key file at vault.key_file ({}) before starting serve",
            wrapped_by.join(", "),
            settings.master_key_file().display()
        );
    }
    Ok(RestoreReport { imported, verified: !plain, adopted, seconds: started.elapsed().as_secs_f64() })
}

/// What a move between databases did.
#[derive(Debug)]
pub struct MoveReport {
    pub source: Summary,
    pub target: Summary,
    pub seconds: f64,
}

/// Copies every row from `from` to `to` (an empty database, migrated here), then reads both
/// back and compares counts and digests table by table. Neither side may have a `serve`
/// running on SQLite; on PostgreSQL, stop the service first (writes made during the move
/// would not follow).
pub fn migrate_data(settings: &Settings, from: &str, to: &str) -> anyhow::Result<MoveReport> {
    let started = Instant::now();
    let from_url = rempart_store::DatabaseUrl::parse(from).context("--from")?;
    let to_url = rempart_store::DatabaseUrl::parse(to).context("--to")?;
    if from_url == to_url {
        bail!("--from and --to name the same database");
    }
    let _source_lock = crate::serve::single_instance_lock(&from_url)?;
    let _target_lock = crate::serve::single_instance_lock(&to_url)?;
    let mut source = open(from, settings).context("--from")?;
    let mut target = open(to, settings).context("--to")?;
    let (reader, writer) = std::io::pipe()?;
    let exported = std::thread::scope(|scope| -> anyhow::Result<Summary> {
        let exporter = scope.spawn(move || {
            let mut out = BufWriter::with_capacity(1 << 20, writer);
            export::export(&mut source, &mut out)
        });
        let imported = export::import(&mut target, &mut BufReader::with_capacity(1 << 20, reader));
        let exported = exporter.join().map_err(|_| anyhow::anyhow!("the export thread panicked"))?;
        // The import's error explains more than the broken pipe it causes on the other side.
        imported.context("writing into --to")?;
        exported.context("reading --from")
    })?;
    let check = export::summarize(&mut target).context("reading --to back")?;
    let differences = exported.differences(&check);
    if !differences.is_empty() {
        bail!("the copy differs from the source: {}", differences.join("; "));
    }
    Ok(MoveReport { source: exported, target: check, seconds: started.elapsed().as_secs_f64() })
}

/// Prints a summary as a table: rows and digest per table.
pub fn print_summary(out: &mut impl Write, summary: &Summary) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> =
        summary.tables.iter().map(|t| vec![t.table.clone(), t.rows.to_string(), t.digest[..16].to_owned()]).collect();
    crate::report::print_table(out, &["TABLE", "ROWS", "DIGEST"], &rows, "no tables")?;
    writeln!(out, "total: {} rows, digest {}", summary.rows(), summary.digest())
}

/// Runs the retention pass every `retention.run_every_minutes` in the background of `serve`
/// (on PostgreSQL, one instance at a time through an advisory lock).
pub fn start_retention(settings: &Settings, pool: &rempart_store::DbPool) -> anyhow::Result<()> {
    let days = settings.retention.closed_case_days;
    if days == 0 {
        tracing::info!("retention is off (retention.closed_case_days = 0): closed cases keep their content");
        return Ok(());
    }
    let every = std::time::Duration::from_secs(settings.retention.run_every_minutes.max(1) * 60);
    let pool = pool.clone();
    std::thread::Builder::new().name("retention".into()).spawn(move || {
        loop {
            match pool
                .get()
                .map_err(anyhow::Error::from)
                .and_then(|mut conn| Ok(rempart_store::retention::run(&mut conn, rempart_store::now(), days, 500)?))
            {
                Ok(Some(done)) if done.cases > 0 => {
                    tracing::info!(cases = done.cases, beneficiaries = done.beneficiaries, "retention: erased")
                }
                Ok(Some(_)) => tracing::debug!("retention: nothing due"),
                Ok(None) => tracing::debug!("retention: another instance is running it"),
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "retention run failed; retrying later"),
            }
            std::thread::sleep(every);
        }
    })?;
    Ok(())
}

/// `rempart erase --case REF`: erases one closed case on a beneficiary's request, carried
/// out in the name of an active lead or administrator (recorded and audited).
pub fn erase(
    settings: &Settings,
    reference: &str,
    by: &str,
    reason: &str,
) -> anyhow::Result<rempart_store::retention::Erased> {
    let reference: rempart_core::CaseReference = reference.parse().context("--case")?;
    let email = rempart_core::EmailAddress::parse(by).context("--by")?;
    let mut conn = open(&settings.database.url, settings)?;
    let actor = rempart_app::Actor::named(&mut conn, &email).context("--by")?;
    let (_, erased) = rempart_app::operations::erase_case(&mut conn, &actor, &reference.to_string(), reason)
        .with_context(|| format!("erasing {reference} as {email}"))?;
    Ok(erased)
}

/// `rempart retention`: one retention pass now.
pub fn retention_now(settings: &Settings) -> anyhow::Result<Option<rempart_store::retention::Erased>> {
    let days = settings.retention.closed_case_days;
    if days == 0 {
        bail!("retention is off: set retention.closed_case_days (REMPART_RETENTION__CLOSED_CASE_DAYS)");
    }
    let mut conn = open(&settings.database.url, settings)?;
    Ok(rempart_store::retention::run(&mut conn, rempart_store::now(), days, 500)?)
}
