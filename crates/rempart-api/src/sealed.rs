//! A sealed start: `serve` binds its port, then answers only what needs no key until a
//! lead or an administrator gives the master key's passphrase: `POST /api/v1/unlock`, the
//! console's unlock page (the binary adds it), the liveness probe. Every other API route
//! answers 503 with the `sealed` problem type. Once unlocked, this server stops and `serve`
//! continues its start on the same listener (connections wait in its backlog meanwhile).
//!
//! The rule (limits, which key) is the application layer's ([`rempart_app::unlock`]); the
//! [`Gate`] only makes one attempt at a time and hands the key over.

use crate::error::{ApiError, ApiResult, Problem};
use crate::problem::ProblemType;
use actix_web::{App, HttpResponse, HttpServer, web};
use rempart_app::unlock::{Channel, SealedMaster, UnlockError};
use rempart_store::DbPool;
use rempart_vault::MasterKey;
use serde::{Deserialize, Serialize};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

/// Where attempts to unlock meet: the sealed key file, the database (for the limit), and
/// the key once opened.
pub struct Gate {
    pool: DbPool,
    sealed: SealedMaster,
    /// One attempt at a time: scrypt is costly by design, and parallel guesses must not
    /// slip past the count.
    attempt: Mutex<()>,
    opened: Mutex<Option<(MasterKey, Zeroizing<String>)>>,
    unlocked: tokio::sync::Notify,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").field("master_ids", &self.sealed.master_ids).finish_non_exhaustive()
    }
}

impl Gate {
    pub fn new(pool: DbPool, sealed: SealedMaster) -> Arc<Self> {
        Arc::new(Self {
            pool,
            sealed,
            attempt: Mutex::new(()),
            opened: Mutex::new(None),
            unlocked: tokio::sync::Notify::new(),
        })
    }

    /// One attempt (blocking: scrypt and the database). `Ok` once the key is open.
    pub fn try_unlock(&self, passphrase: &str, channel: Channel) -> Result<(), UnlockError> {
        let _one = self.attempt.lock().unwrap_or_else(|p| p.into_inner());
        if self.is_open() {
            return Ok(());
        }
        let mut conn = self.pool.get()?;
        let key = rempart_app::unlock::unlock(&mut conn, &self.sealed, passphrase, channel, rempart_store::now())?;
        tracing::warn!(key = %key.id(), channel = ?channel, "unlocked: the service starts");
        *self.opened.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, Zeroizing::new(passphrase.to_owned())));
        self.unlocked.notify_one();
        Ok(())
    }

    pub fn is_open(&self) -> bool {
        self.opened.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// The opened key and the passphrase that opened it (taken once).
    pub fn take(&self) -> Option<(MasterKey, Zeroizing<String>)> {
        self.opened.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// The sealed key file.
    pub fn file(&self) -> &[u8] {
        &self.sealed.file
    }

    async fn wait(&self) {
        while !self.is_open() {
            self.unlocked.notified().await;
        }
    }

    /// One attempt from the network, as an API answer.
    pub async fn unlock_from_network(self: &Arc<Self>, passphrase: String) -> ApiResult<()> {
        let gate = Arc::clone(self);
        let passphrase = Zeroizing::new(passphrase);
        let result = web::block(move || gate.try_unlock(&passphrase, Channel::Network))
            .await
            .map_err(|_| ApiError::internal())?;
        result.map_err(problem_of)
    }
}

/// The API's answer to a refused attempt.
pub fn problem_of(e: UnlockError) -> ApiError {
    match e {
        UnlockError::WrongPassphrase => ApiError::of(ProblemType::InvalidCredentials, "wrong passphrase"),
        UnlockError::Wait(seconds) => ApiError::too_many_requests(seconds),
        UnlockError::NotThisDatabase(..) => ApiError::conflict(e.to_string()),
        UnlockError::Malformed(why) => {
            tracing::error!(error = %why, "the sealed master key file cannot be read");
            ApiError::internal()
        }
        UnlockError::Store(e) => e.into(),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockRequest {
    /// The master key's passphrase.
    pub passphrase: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Unlocked {
    /// `unlocked`: the service continues its start (the API answers within seconds).
    pub status: &'static str,
}

/// Unlocks a service started sealed with its master key's passphrase (no account: the
/// passphrase is the credential). Five wrong passphrases within 15 minutes, counted for the
/// whole service, make every further attempt wait (429 with Retry-After). Answers 409 when
/// the service is not sealed.
#[utoipa::path(post, path = "/api/v1/unlock", tag = "auth", request_body = UnlockRequest, responses(
    (status = 200, body = Unlocked),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "invalid-credentials: wrong passphrase"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "not sealed, or the key does not open this database"),
    (status = 429, body = Problem, content_type = "application/problem+json"),
))]
pub async fn unlock_open(_body: web::Json<UnlockRequest>) -> ApiResult<HttpResponse> {
    Err(ApiError::conflict("the service is not sealed"))
}

async fn unlock_sealed(gate: web::Data<Gate>, body: web::Json<UnlockRequest>) -> ApiResult<HttpResponse> {
    gate.into_inner().unlock_from_network(body.into_inner().passphrase).await?;
    Ok(HttpResponse::Ok().json(Unlocked { status: "unlocked" }))
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(crate::routes::health::Health { status: "sealed" })
}

/// Every other API route, and the readiness probe, while sealed.
async fn sealed_problem() -> ApiResult<HttpResponse> {
    Err(ApiError::of(
        ProblemType::Sealed,
        "the service started sealed: a lead or an administrator unlocks it with the master key's passphrase \
         (the console, or `rempart unlock` on the server)",
    ))
}

/// Where a request outside the API goes while sealed: the console's unlock page.
async fn elsewhere(req: actix_web::HttpRequest) -> ApiResult<HttpResponse> {
    if req.path().starts_with("/api/") {
        return sealed_problem().await;
    }
    Ok(HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, "/unlock")).finish())
}

/// Serves the sealed routes (and `more`: the console's unlock page) on `listener` until the
/// gate opens, then stops and returns the key with its passphrase; `None` when stopped
/// (SIGTERM) while still sealed.
pub fn serve_until_unlocked(
    listener: TcpListener,
    gate: Arc<Gate>,
    json_limit: usize,
    more: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    on_ready: impl FnOnce(u16) + 'static,
) -> anyhow::Result<Option<(MasterKey, Zeroizing<String>)>> {
    let port = listener.local_addr()?.port();
    actix_web::rt::System::new().block_on(async move {
        let data = web::Data::from(Arc::clone(&gate));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(crate::json_config(json_limit))
                .wrap(actix_web::middleware::from_fn(crate::guard::edge))
                .wrap(
                    actix_web::middleware::DefaultHeaders::new()
                        .add((actix_web::http::header::CACHE_CONTROL, "no-store"))
                        .add((actix_web::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
                )
                .wrap(actix_web::middleware::NormalizePath::trim())
                .route("/healthz", web::get().to(healthz))
                .route("/readyz", web::get().to(sealed_problem))
                .route("/api/v1/unlock", web::post().to(unlock_sealed))
                .configure(more.clone())
                .default_service(web::to(elsewhere))
        })
        .workers(1)
        .shutdown_timeout(5)
        .listen(listener)?
        .run();
        let handle = server.handle();
        let waiting = Arc::clone(&gate);
        actix_web::rt::spawn(async move {
            waiting.wait().await;
            // Lets the unlocking request's answer leave, then frees the listener.
            handle.stop(true).await;
        });
        actix_web::rt::spawn(async move {
            tokio::task::yield_now().await;
            on_ready(port);
        });
        server.await?;
        Ok(gate.take())
    })
}
