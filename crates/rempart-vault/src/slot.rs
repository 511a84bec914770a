//! The process's master key: absent while the service is sealed. One per process: each
//! `serve` of a PostgreSQL deployment is unlocked on its own.

use crate::{MasterKey, VaultError, VaultResult};
use std::sync::{Arc, RwLock};

static SLOT: RwLock<Option<Arc<MasterKey>>> = RwLock::new(None);

/// Makes `key` the process's master key (at start, or when unlocked).
pub fn install(key: MasterKey) {
    let mut slot = SLOT.write().unwrap_or_else(|p| p.into_inner());
    *slot = Some(Arc::new(key));
}

/// The master key, or [`VaultError::Sealed`] while there is none.
pub fn current() -> VaultResult<Arc<MasterKey>> {
    SLOT.read().unwrap_or_else(|p| p.into_inner()).clone().ok_or(VaultError::Sealed)
}

pub fn is_unsealed() -> bool {
    SLOT.read().unwrap_or_else(|p| p.into_inner()).is_some()
}

/// Forgets the master key: the process is sealed again.
pub fn seal() {
    let mut slot = SLOT.write().unwrap_or_else(|p| p.into_inner());
    *slot = None;
}
