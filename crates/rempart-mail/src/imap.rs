//! The IMAP fetcher: reads new messages from the helpline's mailbox, takes each through the
//! gateway, and marks it seen (or moves it to a processed folder) only after the commit.
//! IDLE when the server offers it, polling otherwise.

use crate::error::MailError;
use crate::gateway::{Gateway, Outcome};
use async_imap::Session;
use futures_util::TryStreamExt;
use rempart_store::DbPool;
use serde::Deserialize;
use std::fmt::Debug;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ImapTls {
    /// Plain IMAP: a server on loopback only.
    None,
    /// Port 143 upgraded with STARTTLS.
    Starttls,
    /// Implicit TLS, port 993.
    Tls,
}

#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub tls: ImapTls,
    pub username: String,
    pub password: String,
    /// Where new mail arrives.
    pub mailbox: String,
    /// Where processed mail goes; empty: it stays in `mailbox`, marked \Seen.
    pub processed_mailbox: String,
    /// Longest wait between two looks when IDLE is not available or stays silent.
    pub poll_secs: u64,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &"***")
            .field("mailbox", &self.mailbox)
            .finish_non_exhaustive()
    }
}

fn imap_error(context: &str) -> impl Fn(async_imap::error::Error) -> MailError + '_ {
    move |e| MailError::Imap(format!("{context}: {e}"))
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pass {
    pub stored: usize,
    pub duplicates: usize,
    pub quarantined: usize,
}

#[derive(Debug, Clone)]
pub struct ImapFetcher {
    pub config: ImapConfig,
    pub pool: DbPool,
    pub gateway: Gateway,
}

impl ImapFetcher {
    /// Connects, logs in and selects nothing yet.
    pub async fn connect(&self) -> Result<ImapSession, MailError> {
        let c = &self.config;
        let tcp = tokio::time::timeout(Duration::from_secs(30), TcpStream::connect((c.host.as_str(), c.port)))
            .await
            .map_err(|_| MailError::Imap(format!("connecting to {}:{}: timed out", c.host, c.port)))?
            .map_err(|e| MailError::Imap(format!("connecting to {}:{}: {e}", c.host, c.port)))?;
        let tls = || -> Result<tokio_native_tls::TlsConnector, MailError> {
            let connector = native_tls_connector().map_err(|e| MailError::Imap(format!("TLS setup: {e}")))?;
            Ok(tokio_native_tls::TlsConnector::from(connector))
        };
        match c.tls {
            ImapTls::None => Ok(ImapSession::Plain(login(async_imap::Client::new(tcp), c).await?)),
            ImapTls::Tls => {
                let stream = tls()?
                    .connect(&c.host, tcp)
                    .await
                    .map_err(|e| MailError::Imap(format!("TLS with {}: {e}", c.host)))?;
                Ok(ImapSession::Tls(login(async_imap::Client::new(stream), c).await?))
            }
            ImapTls::Starttls => {
                let mut client = async_imap::Client::new(tcp);
                client.read_response().await.map_err(|e| MailError::Imap(format!("greeting: {e}")))?;
                client.run_command_and_check_ok("STARTTLS", None).await.map_err(imap_error("STARTTLS"))?;
                let stream = tls()?
                    .connect(&c.host, client.into_inner())
                    .await
                    .map_err(|e| MailError::Imap(format!("TLS with {}: {e}", c.host)))?;
                let client = async_imap::Client::new(stream);
                let session = client
                    .login(&c.username, &c.password)
                    .await
                    .map_err(|(e, _)| MailError::Imap(format!("login as {}: {e}", c.username)))?;
                Ok(ImapSession::Tls(session))
            }
        }
    }

    /// One pass over the mailbox. A message is marked (or moved) only once its outcome is
    /// committed; when the database is unreachable the pass stops and the message stays
    /// unseen for the next one.
    pub async fn fetch_once(&self, session: &mut ImapSession) -> Result<Pass, MailError> {
        match session {
            ImapSession::Plain(s) => self.pass(s).await,
            ImapSession::Tls(s) => self.pass(s).await,
        }
    }

    async fn pass<T>(&self, session: &mut Session<T>) -> Result<Pass, MailError>
    where
        T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    {
        let c = &self.config;
        session.select(&c.mailbox).await.map_err(imap_error("SELECT"))?;
        // With a processed folder everything left in the mailbox is new; without one, the
        // unseen messages are.
        let query = if c.processed_mailbox.is_empty() { "UNSEEN" } else { "ALL" };
        let mut uids: Vec<u32> = session.uid_search(query).await.map_err(imap_error("SEARCH"))?.into_iter().collect();
        uids.sort_unstable();
        let mut pass = Pass::default();
        for uid in uids {
            let fetched: Vec<_> = session
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await
                .map_err(imap_error("FETCH"))?
                .try_collect()
                .await
                .map_err(imap_error("FETCH"))?;
            let Some(raw) = fetched.iter().find_map(|f| f.body()).map(<[u8]>::to_vec) else {
                continue; // expunged meanwhile (another instance moved it)
            };
            let pool = self.pool.clone();
            let gateway = self.gateway.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get()?;
                gateway.ingest(&mut conn, &raw, "imap")
            })
            .await
            .map_err(|e| MailError::Imap(format!("ingest task: {e}")))??;
            match outcome {
                Outcome::Stored { .. } => pass.stored += 1,
                Outcome::Duplicate { .. } => pass.duplicates += 1,
                Outcome::Quarantined { .. } => pass.quarantined += 1,
            }
            self.mark_processed(session, uid).await?;
        }
        Ok(pass)
    }

    async fn mark_processed<T>(&self, session: &mut Session<T>, uid: u32) -> Result<(), MailError>
    where
        T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    {
        let c = &self.config;
        if c.processed_mailbox.is_empty() {
            let _: Vec<_> = session
                .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                .await
                .map_err(imap_error("STORE"))?
                .try_collect()
                .await
                .map_err(imap_error("STORE"))?;
        } else if let Err(e) = session.uid_mv(uid.to_string(), &c.processed_mailbox).await {
            // Another instance may have moved it first: the receipt keeps it single anyway.
            tracing::warn!(uid, error = %e, "could not move a processed message");
        }
        Ok(())
    }

    /// Waits for new mail: IDLE when available, else sleeps `poll_secs`.
    async fn wait(&self, session: ImapSession) -> Result<ImapSession, MailError> {
        let poll = Duration::from_secs(self.config.poll_secs.max(1));
        match session {
            ImapSession::Plain(s) => Ok(ImapSession::Plain(idle_or_sleep(s, poll).await?)),
            ImapSession::Tls(s) => Ok(ImapSession::Tls(idle_or_sleep(s, poll).await?)),
        }
    }

    /// Fetches forever, reconnecting with a growing pause after errors.
    pub async fn run(self) {
        let mut backoff = Duration::from_secs(1);
        loop {
            let result: Result<(), MailError> = async {
                let mut session = self.connect().await?;
                tracing::info!(host = %self.config.host, mailbox = %self.config.mailbox, "IMAP connected");
                backoff = Duration::from_secs(1);
                loop {
                    let pass = self.fetch_once(&mut session).await?;
                    if pass != Pass::default() {
                        tracing::info!(?pass, "IMAP pass");
                    }
                    session = self.wait(session).await?;
                }
            }
            .await;
            if let Err(e) = result {
                tracing::warn!(error = %e, retry_in_secs = backoff.as_secs(), "IMAP fetcher interrupted");
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(300));
        }
    }
}

fn native_tls_connector() -> Result<tokio_native_tls::native_tls::TlsConnector, tokio_native_tls::native_tls::Error> {
    tokio_native_tls::native_tls::TlsConnector::builder().build()
}

async fn login<T>(mut client: async_imap::Client<T>, c: &ImapConfig) -> Result<Session<T>, MailError>
where
    T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    client.read_response().await.map_err(|e| MailError::Imap(format!("greeting: {e}")))?;
    client
        .login(&c.username, &c.password)
        .await
        .map_err(|(e, _)| MailError::Imap(format!("login as {}: {e}", c.username)))
}

async fn idle_or_sleep<T>(mut session: Session<T>, poll: Duration) -> Result<Session<T>, MailError>
where
    T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    let idle_capable = session.capabilities().await.map(|c| c.has_str("IDLE")).unwrap_or(false);
    if !idle_capable {
        tokio::time::sleep(poll).await;
        session.noop().await.map_err(imap_error("NOOP"))?;
        return Ok(session);
    }
    let mut idle = session.idle();
    idle.init().await.map_err(imap_error("IDLE"))?;
    let (wait, _stop) = idle.wait_with_timeout(poll);
    wait.await.map_err(imap_error("IDLE"))?;
    idle.done().await.map_err(imap_error("DONE"))
}

/// A logged-in session, plain or over TLS.
#[derive(Debug)]
pub enum ImapSession {
    Plain(Session<TcpStream>),
    Tls(Session<tokio_native_tls::TlsStream<TcpStream>>),
}

impl ImapSession {
    pub async fn logout(self) {
        let _ = match self {
            ImapSession::Plain(mut s) => s.logout().await,
            ImapSession::Tls(mut s) => s.logout().await,
        };
    }
}
