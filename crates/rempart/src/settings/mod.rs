//! Configuration: `config/default.toml` (built in), an optional file, `REMPART_*`
//! environment variables (and `*_FILE` secrets), then command-line flags.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

pub const DEFAULT_TOML: &str = include_str!("../../../../config/default.toml");
pub const ENV_PREFIX: &str = "REMPART_";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub server: ServerSettings,
    pub auth: AuthSettings,
    pub log: LogSettings,
    pub mail: MailSettings,
    pub escalation: EscalationSettings,
    pub rota: RotaSettings,
    pub backup: BackupSettings,
    pub retention: RetentionSettings,
    pub stats: StatsSettings,
    pub indicators: IndicatorSettings,
    pub vault: VaultSettings,
    /// Every key as loaded, secrets masked, with its origin (the console's read-only view).
    #[serde(skip)]
    pub effective: Vec<rempart_web::ConfigEntry>,
}

/// Where the master key comes from (see `crate::vault`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultSettings {
    /// The key file; empty: master.key in the data folder. A systemd credential is a file
    /// too (`%d/master.key`), decrypted by systemd when it is an encrypted one.
    pub key_file: PathBuf,
}

impl Settings {
    /// The master key file: `vault.key_file`, or master.key in the data folder.
    pub fn master_key_file(&self) -> PathBuf {
        if self.vault.key_file.as_os_str().is_empty() {
            self.server.data_dir.join("master.key")
        } else {
            self.vault.key_file.clone()
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSettings {
    pub default_region: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSettings {
    pub recipients: Vec<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    pub closed_case_days: u32,
    pub run_every_minutes: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsSettings {
    pub min_cell: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotaSettings {
    pub weight_critical: u32,
    pub weight_high: u32,
    pub weight_medium: u32,
    pub weight_low: u32,
    pub critical_cap_per_week: u32,
    pub check_in_grace_minutes: i64,
    pub max_shift_hours: i64,
    pub balance_target_gini: f64,
    pub balance_target_max_over_mean: f64,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationSettings {
    pub poll_secs: u64,
    pub urgent_priority: rempart_core::Priority,
    pub first_response_leads_minutes: i64,
    pub first_response_admins_minutes: i64,
    pub webhook_url: String,
    pub webhook_secret: String,
}

impl std::fmt::Debug for EscalationSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EscalationSettings")
            .field("poll_secs", &self.poll_secs)
            .field("webhook_url", &self.webhook_url)
            .field("webhook_secret", &if self.webhook_secret.is_empty() { "" } else { "***" })
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The rota's rules from `[rota]` and the first-response thresholds of `[escalation]`.
    pub fn policy(&self) -> rempart_rota::Policy {
        let (r, e) = (&self.rota, &self.escalation);
        rempart_rota::Policy {
            weights: rempart_rota::Weights {
                critical: r.weight_critical,
                high: r.weight_high,
                medium: r.weight_medium,
                low: r.weight_low,
            },
            critical_cap_per_week: r.critical_cap_per_week,
            check_in_grace: chrono::Duration::minutes(r.check_in_grace_minutes),
            max_shift: chrono::Duration::hours(r.max_shift_hours),
            first_response_leads: chrono::Duration::minutes(e.first_response_leads_minutes),
            first_response_admins: chrono::Duration::minutes(e.first_response_admins_minutes),
            urgent_priority: e.urgent_priority,
            balance_target: rempart_rota::BalanceTarget {
                gini_hundredths: hundredths(r.balance_target_gini),
                max_over_mean_hundredths: hundredths(r.balance_target_max_over_mean),
            },
        }
    }
}

/// A ratio in hundredths (validated before: finite, between 0 and 100).
fn hundredths(value: f64) -> u32 {
    (value * 100.0).round().clamp(0.0, 10_000.0) as u32
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub key_file: PathBuf,
    pub from: String,
    pub max_message_bytes: usize,
    pub max_decrypted_bytes: usize,
    pub no_key_policy: rempart_mail::worker::NoKeyPolicy,
    pub outbox_poll_secs: u64,
    pub outbox_lease_secs: u64,
    pub smtp: SmtpSettings,
    pub imap: rempart_mail::imap::ImapConfig,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: rempart_mail::outbound::SmtpTls,
    pub username: String,
    pub password: String,
    pub timeout_secs: u64,
    pub concurrency: usize,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &if self.password.is_empty() { "" } else { "***" })
            .finish_non_exhaustive()
    }
}

impl MailSettings {
    pub fn limits(&self) -> rempart_mail::Limits {
        rempart_mail::Limits {
            max_message_bytes: self.max_message_bytes,
            max_decrypted_bytes: self.max_decrypted_bytes,
            ..Default::default()
        }
    }

    /// The IMAP mailbox, when one is configured.
    pub fn imap_config(&self) -> Option<rempart_mail::imap::ImapConfig> {
        (!self.imap.host.is_empty()).then(|| self.imap.clone())
    }

    /// The SMTP server, when one is configured.
    pub fn smtp_config(&self) -> Option<rempart_mail::outbound::SmtpConfig> {
        let s = &self.smtp;
        (!s.host.is_empty()).then(|| rempart_mail::outbound::SmtpConfig {
            host: s.host.clone(),
            port: s.port,
            tls: s.tls,
            username: Some(s.username.clone()).filter(|u| !u.is_empty()),
            password: Some(s.password.clone()).filter(|p| !p.is_empty()),
            timeout_secs: s.timeout_secs,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub data_dir: PathBuf,
    pub json_limit_bytes: usize,
    pub evidence_limit_bytes: usize,
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub jwt_secret: String,
    /// Bearer token that reads /metrics; empty: /metrics is off.
    pub metrics_token: String,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    pub login_max_failures: u32,
    pub login_window_secs: u64,
    pub initial_admin_email: String,
    /// A console session unused this long ends.
    pub console_idle_timeout_secs: u64,
    /// A console session ends this long after sign-in.
    pub console_session_lifetime_secs: u64,
    /// Mark the console's cookie `Secure` (`__Host-`) even with no trusted proxy listed.
    pub console_secure_cookies: bool,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("jwt_secret", &if self.jwt_secret.is_empty() { "" } else { "***" })
            .field("metrics_token", &if self.metrics_token.is_empty() { "" } else { "***" })
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
    pub sqlite_busy_timeout_ms: u64,
}

impl std::fmt::Debug for DatabaseSettings {
    /// The URL may hold a password: it is shown redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url =
            rempart_store::DatabaseUrl::parse(&self.url).map(|u| u.redacted()).unwrap_or_else(|_| "<invalid>".into());
        f.debug_struct("DatabaseSettings")
            .field("url", &url)
            .field("pool_size", &self.pool_size)
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("sqlite_busy_timeout_ms", &self.sqlite_busy_timeout_ms)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// A configuration that cannot be used; the message names the key and where its value
/// came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    ReadFile { path: PathBuf, source: std::io::Error },
    #[error("configuration file {path} is not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("cannot read {variable} (the file named by {variable}): {source}")]
    SecretFile { variable: String, source: std::io::Error },
    #[error("{variable} is not a configuration key: keys have a section, as in REMPART_DATABASE__URL")]
    NotAKey { variable: String },
    #[error("configuration key `{key}` (from {origin}): {message}")]
    Invalid { key: String, origin: String, message: String },
}

/// Overrides given on the command line.
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    pub config_file: Option<PathBuf>,
    pub database_url: Option<String>,
}

impl Settings {
    /// Loads the layers from the process environment.
    pub fn load(cli: &CliOverrides) -> Result<Self, ConfigError> {
        Self::load_from(cli, std::env::vars())
    }

    /// Loads the layers with an explicit environment (tests).
    pub fn load_from(cli: &CliOverrides, env: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        let mut origins: BTreeMap<String, String> = BTreeMap::new();
        let mut table = parse_toml(DEFAULT_TOML, "built-in defaults")?;
        let defaults = table.clone();
        record_origins(&table, "", "config/default.toml", &mut origins);

        if let Some(path) = &cli.config_file {
            let text =
                std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile { path: path.clone(), source })?;
            let file = parse_toml(&text, &path.display().to_string())?;
            record_origins(&file, "", &format!("file {}", path.display()), &mut origins);
            merge(&mut table, file);
        }

        let mut env: Vec<(String, String)> = env.into_iter().filter(|(k, _)| k.starts_with(ENV_PREFIX)).collect();
        env.sort();
        for (variable, raw) in env {
            let name = &variable[ENV_PREFIX.len()..];
            if !name.contains("__") {
                // Every key has a section, so a REMPART_* variable without `__` is not a
                // configuration key (tests use REMPART_TEST_POSTGRES_URL, for one). A
                // misspelt section does contain `__` and fails below as an unknown key.
                continue;
            }
            // `REMPART_MAIL__KEY_FILE` sets `mail.key_file` (a key of its own); only a
            // `_FILE` suffix that names no key reads another key's value from a file.
            let is_key = |name: &str| {
                let path: Vec<String> = name.split("__").map(str::to_ascii_lowercase).collect();
                has_path(&defaults, &path)
            };
            let (name, value) = match name.strip_suffix("_FILE").filter(|_| !is_key(name)) {
                Some(base) => {
                    let content = std::fs::read_to_string(&raw)
                        .map_err(|source| ConfigError::SecretFile { variable: variable.clone(), source })?;
                    let content = content.strip_suffix('\n').unwrap_or(&content);
                    let content = content.strip_suffix('\r').unwrap_or(content);
                    (base, Value::String(content.to_owned()))
                }
                None => (name, env_value(&raw)),
            };
            let path: Vec<String> = name.split("__").map(str::to_ascii_lowercase).collect();
            if path.iter().any(String::is_empty) {
                return Err(ConfigError::NotAKey { variable });
            }
            origins.insert(path.join("."), format!("environment variable {variable}"));
            set_path(&mut table, &path, value);
        }

        if let Some(url) = &cli.database_url {
            origins.insert("database.url".into(), "--database".into());
            set_path(&mut table, &["database".into(), "url".into()], Value::String(url.clone()));
        }

        let origin_of = |key: &str| {
            origins
                .iter()
                .filter(|(k, _)| {
                    key == k.as_str() || key.starts_with(&format!("{k}.")) || k.starts_with(&format!("{key}."))
                })
                .map(|(_, v)| v.clone())
                .next_back()
                .unwrap_or_else(|| "configuration".to_owned())
        };
        let effective = crate::effective::entries(&table, &origins);
        let mut settings: Settings = serde_path_to_error::deserialize(Value::Table(table)).map_err(|e| {
            let mut key = e.path().to_string();
            // The TOML deserialiser appends "in `key`" on another line: the key is named already.
            let mut message = e.inner().to_string().lines().next().unwrap_or_default().trim().to_owned();
            // For an unknown key, serde's path stops at the table: name the key itself.
            if let Some(field) = message.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
                if key == "." {
                    key = field.to_owned();
                } else if key.rsplit('.').next() != Some(field) {
                    key = format!("{key}.{field}");
                }
                message = "no such key".to_owned();
            }
            ConfigError::Invalid { origin: origin_of(&key), key, message }
        })?;
        settings.validate(&origin_of)?;
        settings.effective = effective;
        Ok(settings)
    }

    fn validate(&self, origin_of: &dyn Fn(&str) -> String) -> Result<(), ConfigError> {
        let invalid =
            |key: &str, message: String| ConfigError::Invalid { key: key.into(), origin: origin_of(key), message };
        rempart_store::DatabaseUrl::parse(&self.database.url).map_err(|e| invalid("database.url", e.to_string()))?;
        if self.database.pool_size == 0 {
            return Err(invalid("database.pool_size", "must be at least 1".into()));
        }
        if self.database.connect_timeout_secs == 0 {
            return Err(invalid("database.connect_timeout_secs", "must be at least 1".into()));
        }
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(invalid("server.bind", "expected ADDRESS:PORT such as 127.0.0.1:8080".into()));
        }
        if !self.auth.metrics_token.is_empty() && self.auth.metrics_token.len() < 32 {
            return Err(invalid(
                "auth.metrics_token",
                "must have at least 32 characters (or be empty: metrics off)".into(),
            ));
        }
        if !self.auth.jwt_secret.is_empty() && self.auth.jwt_secret.len() < 32 {
            return Err(invalid("auth.jwt_secret", "must have at least 32 characters (or be empty)".into()));
        }
        for (key, value) in [
            ("auth.access_token_ttl_secs", self.auth.access_token_ttl_secs),
            ("auth.refresh_token_ttl_secs", self.auth.refresh_token_ttl_secs),
            ("auth.login_window_secs", self.auth.login_window_secs),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1".into()));
            }
        }
        rempart_core::EmailAddress::parse(&self.auth.initial_admin_email)
            .map_err(|e| invalid("auth.initial_admin_email", e.to_string()))?;
        if !self.mail.from.is_empty() && self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid("mail.from", "expected an address such as \"Helpline <help@example.org>\"".into()));
        }
        if self.mail.max_message_bytes == 0 || self.mail.max_decrypted_bytes == 0 {
            return Err(invalid("mail.max_message_bytes", "limits must be at least 1".into()));
        }
        if !(1..=32).contains(&self.mail.smtp.concurrency) {
            return Err(invalid("mail.smtp.concurrency", "must be between 1 and 32".into()));
        }
        if !(1..=24).contains(&self.rota.max_shift_hours) {
            return Err(invalid("rota.max_shift_hours", "between 1 and 24".into()));
        }
        if !(0.0..=1.0).contains(&self.rota.balance_target_gini) {
            return Err(invalid("rota.balance_target_gini", "between 0 and 1".into()));
        }
        if !(1.0..=100.0).contains(&self.rota.balance_target_max_over_mean) {
            return Err(invalid("rota.balance_target_max_over_mean", "between 1 and 100".into()));
        }
        if self.rota.check_in_grace_minutes < 0 {
            return Err(invalid("rota.check_in_grace_minutes", "cannot be negative".into()));
        }
        if self.escalation.poll_secs == 0 {
            return Err(invalid("escalation.poll_secs", "must be at least 1".into()));
        }
        if self.escalation.first_response_leads_minutes < 1
            || self.escalation.first_response_admins_minutes < self.escalation.first_response_leads_minutes
        {
            return Err(invalid(
                "escalation.first_response_admins_minutes",
                "the thresholds must be at least 1 minute, the admins' no earlier than the leads'".into(),
            ));
        }
        if !self.escalation.webhook_url.is_empty() && url::Url::parse(&self.escalation.webhook_url).is_err() {
            return Err(invalid("escalation.webhook_url", "not a URL".into()));
        }
        if !(1..=86_400).contains(&self.mail.outbox_lease_secs) {
            return Err(invalid("mail.outbox_lease_secs", "must be between 1 and 86400".into()));
        }
        if self.mail.outbox_poll_secs == 0 {
            return Err(invalid("mail.outbox_poll_secs", "must be at least 1".into()));
        }
        self.indicator_rules().map_err(|e| invalid("indicators.default_region", e.to_string()))?;
        tracing_subscriber::EnvFilter::try_new(&self.log.level)
            .map_err(|e| invalid("log.level", format!("not a log filter: {e}")))?;
        Ok(())
    }

    /// The API's settings, with `bind` overriding `server.bind` when given.
    pub fn api_config(&self, bind: Option<&str>) -> rempart_api::ApiConfig {
        use std::time::Duration;
        rempart_api::ApiConfig {
            bind: bind.unwrap_or(&self.server.bind).to_owned(),
            data_dir: self.server.data_dir.clone(),
            jwt_secret: Some(self.auth.jwt_secret.clone()).filter(|s| !s.is_empty()),
            metrics_token: Some(self.auth.metrics_token.clone()).filter(|s| !s.is_empty()),
            access_token_ttl: Duration::from_secs(self.auth.access_token_ttl_secs),
            refresh_token_ttl: Duration::from_secs(self.auth.refresh_token_ttl_secs),
            login_max_failures: self.auth.login_max_failures,
            login_window: Duration::from_secs(self.auth.login_window_secs),
            json_limit_bytes: self.server.json_limit_bytes,
            evidence_limit_bytes: self.server.evidence_limit_bytes,
            trusted_proxies: self.server.trusted_proxies.clone(),
            stats_min_cell: self.stats.min_cell,
            helpline_key: None,
            indicator_rules: self.indicator_rules().unwrap_or_default(),
            policy: self.policy(),
            escalation_waker: None,
        }
    }

    /// The web console's settings: its cookie is `Secure` behind a trusted (TLS) proxy.
    pub fn console_config(&self) -> rempart_web::ConsoleConfig {
        use std::time::Duration;
        rempart_web::ConsoleConfig {
            idle_timeout: Duration::from_secs(self.auth.console_idle_timeout_secs.max(60)),
            absolute_lifetime: Duration::from_secs(self.auth.console_session_lifetime_secs.max(300)),
            secure_cookies: self.auth.console_secure_cookies || !self.server.trusted_proxies.is_empty(),
            effective_config: std::sync::Arc::new(self.effective.clone()),
            backup_recipients: self.backup.recipients.iter().map(|p| p.display().to_string()).collect(),
        }
    }

    /// `[indicators]`: the region national phone numbers are read in (none when empty).
    pub fn indicator_rules(&self) -> Result<rempart_core::IndicatorRules, rempart_core::phone::UnknownRegion> {
        let region = self.indicators.default_region.trim();
        let default_region = if region.is_empty() { None } else { Some(region.parse()?) };
        Ok(rempart_core::IndicatorRules { default_region })
    }

    pub fn pool_options(&self) -> rempart_store::PoolOptions {
        rempart_store::PoolOptions {
            max_size: self.database.pool_size,
            connect_timeout: std::time::Duration::from_secs(self.database.connect_timeout_secs),
            sqlite_busy_timeout: std::time::Duration::from_millis(self.database.sqlite_busy_timeout_ms),
        }
    }
}

fn parse_toml(text: &str, origin: &str) -> Result<Table, ConfigError> {
    text.parse::<Table>().map_err(|e| ConfigError::Syntax { path: origin.to_owned(), message: e.to_string() })
}

/// An environment value: a TOML scalar when it reads as one (`8`, `true`, `1.5`), else
/// the text as given.
fn env_value(raw: &str) -> Value {
    match format!("v = {raw}").parse::<Table>() {
        Ok(mut t) => match t.remove("v") {
            Some(v @ (Value::Integer(_) | Value::Float(_) | Value::Boolean(_) | Value::Array(_))) => v,
            _ => Value::String(raw.to_owned()),
        },
        Err(_) => Value::String(raw.to_owned()),
    }
}

fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Whether `path` names a key of `table`.
fn has_path(table: &Table, path: &[String]) -> bool {
    match path.split_first() {
        None => false,
        Some((first, [])) => table.contains_key(first),
        Some((first, rest)) => matches!(table.get(first), Some(Value::Table(t)) if has_path(t, rest)),
    }
}

fn set_path(table: &mut Table, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut current = table;
    for p in parents {
        let entry = current.entry(p.clone()).or_insert_with(|| Value::Table(Table::new()));
        if !entry.is_table() {
            *entry = Value::Table(Table::new());
        }
        let Value::Table(t) = entry else { return };
        current = t;
    }
    current.insert(last.clone(), value);
}

fn record_origins(table: &Table, prefix: &str, origin: &str, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            Value::Table(t) => record_origins(t, &key, origin, out),
            _ => {
                out.insert(key, origin.to_owned());
            }
        }
    }
}

/// The data folder holding a SQLite database, if that is the backend.
pub fn sqlite_path(url: &str) -> Option<&Path> {
    url.strip_prefix("sqlite://").map(Path::new)
}

#[cfg(test)]
mod tests;
