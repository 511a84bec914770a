//! What every handler shares: the pool, the token keys, the settings, the login limiter.

use crate::auth::{JwtKeys, LoginLimits};
use crate::error::{ApiError, ApiResult};
use actix_web::web;
use rempart_store::{DbConn, DbPool};
use std::path::PathBuf;
use std::time::Duration;

/// Settings of the API, built by the binary from the configuration.
#[derive(Clone)]
pub struct ApiConfig {
    /// `ADDR:PORT`; port 0 picks a free one (tests).
    pub bind: String,
    /// Folder for the generated token-signing key.
    pub data_dir: PathBuf,
    /// HS256 secret; `None` uses (or creates) `data_dir/jwt-signing.key`.
    pub jwt_secret: Option<String>,
    /// Bearer token that reads `/metrics`; `None`: `/metrics` answers 404.
    pub metrics_token: Option<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub login_max_failures: u32,
    pub login_window: Duration,
    pub json_limit_bytes: usize,
    /// Largest evidence file accepted, in bytes.
    pub evidence_limit_bytes: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed (the login rate limit counts
    /// failures per client address, and behind a proxy every peer is the proxy).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Smallest count of cases a statistics cell may show.
    pub stats_min_cell: u32,
    /// The helpline's public OpenPGP key, when the mail gateway has one.
    pub helpline_key: Option<HelplineKeyInfo>,
    /// How indicators are read where the helpline works (the region of national phone numbers).
    pub indicator_rules: rempart_core::IndicatorRules,
    /// The rota's rules: weights, caps, grace period, shift length, escalation thresholds.
    pub policy: rempart_rota::Policy,
    /// Wakes this process's escalation notifier (`serve`): a case the leads must hear of
    /// now is not left to the next poll.
    pub escalation_waker: Option<rempart_mail::notify::Waker>,
}

/// The public side of the helpline key, served to beneficiaries (API and Web Key Directory).
#[derive(Debug, Clone)]
pub struct HelplineKeyInfo {
    pub fingerprint: String,
    pub armored: String,
    pub binary: Vec<u8>,
    /// WKD hashes of the local parts of the key's addresses.
    pub wkd_hashes: Vec<String>,
}

impl std::fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiConfig")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("access_token_ttl", &self.access_token_ttl)
            .finish_non_exhaustive()
    }
}

impl ApiConfig {
    /// Defaults for a given bind address and data folder.
    pub fn new(bind: impl Into<String>, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            bind: bind.into(),
            data_dir: data_dir.into(),
            jwt_secret: None,
            metrics_token: None,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(14 * 24 * 3600),
            login_max_failures: 5,
            login_window: Duration::from_secs(15 * 60),
            json_limit_bytes: 1024 * 1024,
            evidence_limit_bytes: 25 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            stats_min_cell: 5,
            helpline_key: None,
            indicator_rules: rempart_core::IndicatorRules::default(),
            policy: rempart_rota::Policy::default(),
            escalation_waker: None,
        }
    }
}

#[derive(Debug)]
pub struct AppState {
    pub pool: DbPool,
    pub keys: JwtKeys,
    pub config: ApiConfig,
    pub limits: LoginLimits,
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    /// Runs blocking database work off the async workers.
    pub async fn db<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|_| ApiError::internal())?
    }
}
