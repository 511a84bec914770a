//! What every handler shares: the pool, the token keys, the settings, the login limiter.

use crate::auth::{JwtKeys, LoginLimits};
use crate::error::{ApiError, ApiResult};
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
    /// Earlier keys kept to decrypt older mail (after a rotation), newest first.
    pub previous_fingerprints: Vec<String>,
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
    /// Runs blocking database work off the async workers, in the request's span. A panic
    /// in it is not hidden: it is logged with its message in that span (route, user), and
    /// the client gets a 500 problem document.
    pub async fn db<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        let job = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = pool.get()?;
            f(&mut conn)
        });
        match job.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => {
                let payload = e.into_panic();
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(no message)".to_owned());
                tracing::error!(panic = %message, "the database work of this request panicked");
                Err(ApiError::internal())
            }
            Err(e) => {
                tracing::error!(error = %e, "the database work of this request was cancelled");
                Err(ApiError::internal())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Log lines written by the code under test.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A panic in the blocking work answers 500, is logged with its message in the
    /// request's span, and leaves the server serving: the next request works.
    #[actix_web::test]
    async fn a_panic_in_database_work_is_a_500_not_a_lost_worker() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let db = rempart_test_db::TestDb::sqlite();
        let dir = tempfile::tempdir().expect("dir");
        let config = ApiConfig::new("127.0.0.1:0", dir.path());
        let state = AppState {
            pool: db.pool().clone(),
            keys: JwtKeys::load(Some(&"k".repeat(40)), dir.path()).expect("keys"),
            limits: LoginLimits::new(5, Duration::from_secs(60)),
            metrics: Default::default(),
            config,
        };
        let span = tracing::info_span!("request", route = "/api/v1/cases/{id}");
        let err = tracing::Instrument::instrument(state.db(|_| -> ApiResult<()> { panic!("a bug in a query") }), span)
            .await
            .expect_err("panicked");
        assert_eq!(actix_web::ResponseError::status_code(&err), actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
        let answer = state.db(|_| Ok(42)).await.expect("the next work runs");
        assert_eq!(answer, 42);
        let log = String::from_utf8(captured.0.lock().expect("log").clone()).expect("utf-8");
        assert!(log.contains("a bug in a query") && log.contains("/api/v1/cases/{id}"), "{log}");
    }
}
