//! What can go wrong in the gateway. Each inbound failure has a stable code: it names the
//! quarantine reason and the problem type of the API.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum MailError {
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("cannot decrypt: {0}")]
    Undecryptable(String),
    #[error("{what} exceeds the limit of {limit} bytes")]
    TooLarge { limit: usize, what: &'static str },
    #[error("no usable key for the recipient: {0}")]
    NoUsableKey(String),
    #[error("helpline key: {0}")]
    Key(String),
    #[error("OpenPGP: {0}")]
    Pgp(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("IMAP: {0}")]
    Imap(String),
    /// The spool folder of a sealed service could not be written or read.
    #[error("spool: {0}")]
    Spool(String),
    #[error(transparent)]
    Store(#[from] rempart_store::StoreError),
}

impl MailError {
    /// A closure for `map_err` that keeps the context of a sequoia error.
    pub(crate) fn pgp<E: std::fmt::Display>(context: &'static str) -> impl Fn(E) -> MailError {
        move |e| MailError::Pgp(format!("{context}: {e}"))
    }

    /// Stable machine-readable code (quarantine reason).
    pub fn code(&self) -> &'static str {
        match self {
            MailError::Malformed(_) => "malformed",
            MailError::Undecryptable(_) => "undecryptable",
            MailError::TooLarge { .. } => "too_large",
            MailError::NoUsableKey(_) => "no_usable_key",
            MailError::Key(_) => "helpline_key",
            MailError::Pgp(_) => "pgp",
            MailError::Smtp(_) => "smtp",
            MailError::Imap(_) => "imap",
            MailError::Spool(_) => "spool",
            MailError::Store(_) => "store",
        }
    }

    /// Whether retrying later may succeed (the database or the SMTP server was unreachable),
    /// as opposed to a property of the message itself.
    pub fn is_transient(&self) -> bool {
        match self {
            MailError::Store(e) => e.is_unavailable(),
            MailError::Smtp(_) | MailError::Imap(_) => true,
            _ => false,
        }
    }
}

impl From<rempart_store::DieselError> for MailError {
    fn from(e: rempart_store::DieselError) -> Self {
        MailError::Store(rempart_store::StoreError::from(e))
    }
}

impl From<rempart_store::PoolError> for MailError {
    fn from(e: rempart_store::PoolError) -> Self {
        MailError::Store(rempart_store::StoreError::from(e))
    }
}
