//! Rempart's REST API for incident handlers and team leads.
//!
//! [`Application::build`] binds the listener (port 0 in tests) and returns the server
//! ready to run, as in zero-to-production. Every route is declared once, in
//! [`routes::ROUTES`], which registers it with actix and lets a test check that the
//! OpenAPI document describes it.

pub mod auth;
pub mod error;
pub mod guard;
pub mod metrics;
pub mod number;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod sealed;
pub mod state;
pub mod time;

use crate::problem::ProblemType;
use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use error::ApiError;
use rempart_store::DbPool;
use std::net::TcpListener;

pub use state::{ApiConfig, AppState, HelplineKeyInfo};

/// A bound, ready-to-run API server.
pub struct Application {
    port: u16,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("port", &self.port).finish_non_exhaustive()
    }
}

impl Application {
    /// Loads the signing key and binds `config.bind`. Migrations are the caller's job.
    pub fn build(config: ApiConfig, pool: DbPool) -> anyhow::Result<Self> {
        Self::build_with(config, pool, |_| {})
    }

    /// Like [`Application::build`], with more routes beside the API's (the web console at
    /// `/`): they share its state, its request span and its security headers.
    pub fn build_with(
        config: ApiConfig,
        pool: DbPool,
        more: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    ) -> anyhow::Result<Self> {
        let listener =
            TcpListener::bind(&config.bind).map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
        Self::build_on(config, pool, more, listener)
    }

    /// Like [`Application::build_with`], on a listener already bound (a sealed start kept it
    /// while it waited to be unlocked).
    pub fn build_on(
        config: ApiConfig,
        pool: DbPool,
        more: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let keys = auth::JwtKeys::load(config.jwt_secret.as_deref(), &config.data_dir)?;
        let port = listener.local_addr()?.port();
        let limits = auth::LoginLimits::new(config.login_max_failures, config.login_window);
        let json_limit = config.json_limit_bytes;
        let state = web::Data::new(AppState { pool, keys, config, limits, metrics: Default::default() });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(json_config(json_limit))
                .app_data(web::PathConfig::default().error_handler(|e, _| ApiError::bad_request(e.to_string()).into()))
                .app_data(web::QueryConfig::default().error_handler(|e, _| ApiError::bad_request(e.to_string()).into()))
                .wrap_fn(|req, srv| {
                    use actix_web::dev::Service;
                    use tracing::Instrument;
                    let state = req.app_data::<web::Data<AppState>>().cloned();
                    let method = req.method().to_string();
                    let start = std::time::Instant::now();
                    // One span per request: its route (the pattern, never the ids in the
                    // path) and, once authenticated, its user.
                    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
                    let span = tracing::info_span!("request", %method, %route, user = tracing::field::Empty);
                    let fut = srv.call(req).instrument(span);
                    async move {
                        let res = fut.await?;
                        if let Some(state) = state {
                            let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
                            state.metrics.observe(&method, &route, res.status().as_u16(), start.elapsed());
                        }
                        Ok(res)
                    }
                })
                .wrap(actix_web::middleware::from_fn(guard::edge))
                .wrap(
                    // Case data must not linger in caches between the service and the handler.
                    actix_web::middleware::DefaultHeaders::new()
                        .add((actix_web::http::header::CACHE_CONTROL, "no-store"))
                        .add((actix_web::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
                )
                .wrap(actix_web::middleware::Compress::default())
                .wrap(actix_web::middleware::NormalizePath::trim())
                .configure(routes::configure)
                .configure(more.clone())
                .default_service(web::to(not_found))
        })
        // Answers leave at once: without TCP_NODELAY, a compressed page written in parts
        // waited for the client's delayed acknowledgement (40 ms on Linux) before its end.
        .on_connect(|conn, _| {
            if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
                let _ = tcp.set_nodelay(true);
            }
        })
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM (actix handles both with a graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

pub(crate) fn json_config(limit: usize) -> web::JsonConfig {
    use actix_web::error::JsonPayloadError;
    web::JsonConfig::default().limit(limit).content_type_required(true).error_handler(|err, _req| {
        let api = match &err {
            JsonPayloadError::ContentType => {
                ApiError::of(ProblemType::UnsupportedMediaType, "send the body as application/json")
            }
            JsonPayloadError::Overflow { limit } | JsonPayloadError::OverflowKnownLength { limit, .. } => {
                json_too_large(*limit)
            }
            JsonPayloadError::Deserialize(e) if e.is_data() => {
                let message = e.to_string();
                let field =
                    message.split('`').nth(1).filter(|_| message.contains("field")).unwrap_or("body").to_owned();
                ApiError::validation(field, message)
            }
            other => ApiError::bad_request(format!("malformed JSON: {other}")),
        };
        api.into()
    })
}

/// A JSON body over `server.json_limit_bytes`.
pub(crate) fn json_too_large(limit: usize) -> ApiError {
    ApiError::of(ProblemType::PayloadTooLarge, format!("the body is larger than {limit} bytes"))
}

/// No route took the request: 405 with `Allow` when the path is known under other
/// methods (RFC 9110 15.5.6), else 404.
async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    let allowed = routes::methods_of(req.path());
    if allowed.is_empty() {
        return Err(ApiError::not_found("route"));
    }
    let allow = allowed.join(", ");
    let error = ApiError::of(ProblemType::MethodNotAllowed, format!("this resource answers {allow}"));
    let mut response = actix_web::ResponseError::error_response(&error);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(actix_web::http::header::ALLOW, value);
    }
    Ok(response)
}

/// Creates the first administrator when the database has no user. Returns the one-time
/// password to show once to whoever started the service; it must be changed at first login.
pub fn ensure_first_admin(pool: &DbPool, email: &rempart_core::EmailAddress) -> anyhow::Result<Option<String>> {
    use rempart_store::users::{NewUser, User};
    let mut conn = pool.get()?;
    if User::count(&mut conn)? > 0 {
        return Ok(None);
    }
    let password = routes::users::one_time_password();
    let hash = rempart_auth::hash_password(&rempart_auth::Password::new(&password)?)?;
    User::create(
        &mut conn,
        NewUser {
            email: email.clone(),
            display_name: "Administrator".to_owned(),
            role: rempart_core::Role::Admin,
            languages: rempart_core::Languages::default(),
            password_hash: hash,
            must_change_password: true,
        },
        None,
    )?;
    Ok(Some(password))
}

/// Builds and runs the server on its own actix system until SIGINT or SIGTERM;
/// `on_ready` gets the bound port first.
pub fn serve_blocking(
    config: ApiConfig,
    pool: DbPool,
    more: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    on_ready: impl FnOnce(u16) + 'static,
) -> anyhow::Result<()> {
    let listener =
        TcpListener::bind(&config.bind).map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    serve_blocking_on(config, pool, more, listener, on_ready)
}

/// [`serve_blocking`] on a listener already bound.
pub fn serve_blocking_on(
    config: ApiConfig,
    pool: DbPool,
    more: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    listener: TcpListener,
    on_ready: impl FnOnce(u16) + 'static,
) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build_on(config, pool, more, listener)?;
        let port = app.port();
        // Tell the world only once the server's own start-up tasks (which install the
        // SIGTERM handler) have run: they were spawned first.
        actix_web::rt::spawn(async move {
            tokio::task::yield_now().await;
            on_ready(port);
        });
        app.run_until_stopped().await?;
        Ok(())
    })
}
