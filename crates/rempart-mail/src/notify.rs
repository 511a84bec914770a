//! The escalation notifier: raises what the timers say is due, then tells people. Staff
//! e-mail and the webhook carry the case reference and the reason, never case content
//! (staff addresses have no OpenPGP key here).

use crate::error::MailError;
use crate::outbound::{SendError, SmtpSender};
use lettre::message::Mailbox;
use rempart_rota::Policy;
use rempart_store::DbPool;
use rempart_store::escalations::{Escalation, Notification, Outgoing};
use std::time::Duration;

/// Where the webhook goes, and the secret sent as a bearer token.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook").field("url", &self.url).field("secret", &"***").finish()
    }
}

#[derive(Debug, Clone)]
pub struct Notifier {
    pub pool: DbPool,
    pub policy: Policy,
    /// None: e-mail notifications wait (queued) until SMTP is configured.
    pub smtp: Option<SmtpSender>,
    pub from: Option<Mailbox>,
    pub webhook: Option<Webhook>,
    pub worker_id: String,
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tick {
    pub raised: usize,
    pub sent: usize,
    pub failed_attempts: usize,
}

impl Notifier {
    /// Raises the escalations due at `at` (the clock is an argument, for tests), then
    /// delivers the queued notifications.
    pub fn tick(&self, at: chrono::NaiveDateTime) -> Result<Tick, MailError> {
        let mut conn = self.pool.get()?;
        let webhook = self.webhook.as_ref().map(|w| w.url.as_str());
        let raised = Escalation::raise_due(&mut conn, at, &self.policy, webhook)?.len();
        let mut tick = Tick { raised, ..Tick::default() };
        let due = Notification::claim(&mut conn, &self.worker_id, 50, chrono::Duration::minutes(2))?;
        for outgoing in due {
            let result = match outgoing.notification.channel.as_str() {
                "email" => self.email(&outgoing),
                "webhook" => self.post(&outgoing),
                other => Err(format!("unknown channel {other}")),
            };
            match &result {
                Ok(()) => tick.sent += 1,
                Err(e) => {
                    tick.failed_attempts += 1;
                    tracing::warn!(notification = %outgoing.notification.id, error = %e, "notification not delivered");
                }
            }
            Notification::finish(&mut conn, &outgoing.notification.id, &self.worker_id, result.err())?;
        }
        Ok(tick)
    }

    fn email(&self, n: &Outgoing) -> Result<(), String> {
        let (Some(smtp), Some(from)) = (&self.smtp, &self.from) else {
            return Err("no SMTP server configured".into());
        };
        let to: Mailbox = n.notification.recipient.parse().map_err(|e| format!("recipient: {e}"))?;
        let (subject, body) = match &n.case_reference {
            Some(reference) => (
                format!("[Rempart] {reference} escalated: {}", n.reason),
                format!(
                    "Case {reference} was escalated to the {} ({}): {}.\r\n\r\nOpen it in Rempart. This message carries no case content.\r\n",
                    n.level, n.kind, n.reason
                ),
            ),
            None => (
                "[Rempart] intake check-in".to_owned(),
                format!("{}.\r\n\r\nSee the on-call view in Rempart (GET /api/v1/rota/now).\r\n", n.reason),
            ),
        };
        let message = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|e| e.to_string())?;
        smtp.send(&message).map_err(|e| match e {
            SendError::Transient(e) | SendError::Permanent(e) => e,
        })
    }

    fn post(&self, n: &Outgoing) -> Result<(), String> {
        let Some(webhook) = &self.webhook else { return Err("no webhook configured".into()) };
        let payload = serde_json::json!({
            "event": if n.case_id.is_some() { "case.escalated" } else { "shift.escalated" },
            "case_id": n.case_id,
            "case_reference": n.case_reference,
            "kind": n.kind,
            "level": n.level,
            "reason": n.reason,
        });
        let client =
            reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().map_err(|e| e.to_string())?;
        let mut request = client.post(&webhook.url).json(&payload);
        if !webhook.secret.is_empty() {
            request = request.bearer_auth(&webhook.secret);
        }
        let response = request.send().map_err(|e| e.to_string())?;
        if response.status().is_success() { Ok(()) } else { Err(format!("webhook answered {}", response.status())) }
    }

    /// Ticks forever: every `every`, and at once whenever `waker` is woken (a new
    /// imminent-risk, critical or unassignable case must not wait for the next tick).
    pub fn run(self, every: Duration, waker: Waker) {
        loop {
            match self.tick(rempart_store::now()) {
                Ok(t) if t != Tick::default() => tracing::info!(?t, "escalation tick"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "escalation tick failed; retrying"),
            }
            waker.wait(every);
        }
    }
}

/// Wakes the notifier from another thread of the same process (the API, the mailgate
/// socket): what must reach the leads now is raised and sent within the moment, not at
/// the next poll.
#[derive(Debug, Clone, Default)]
pub struct Waker(std::sync::Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>);

impl Waker {
    /// Asks for a tick now.
    pub fn wake(&self) {
        let (woken, signal) = &*self.0;
        *woken.lock().unwrap_or_else(|p| p.into_inner()) = true;
        signal.notify_all();
    }

    /// Waits until woken, or `timeout` at the most.
    pub fn wait(&self, timeout: Duration) {
        let (woken, signal) = &*self.0;
        let guard = woken.lock().unwrap_or_else(|p| p.into_inner());
        let (mut guard, _) = signal.wait_timeout_while(guard, timeout, |w| !*w).unwrap_or_else(|p| p.into_inner());
        *guard = false;
    }
}
