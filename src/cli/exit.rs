//! Exit codes (documented in the README and `--help`).

use crate::oci::Error;
use crate::oci::reference::ReferenceError;

pub const ERROR: u8 = 1;
pub const USAGE: u8 = 2;
pub const NOT_FOUND: u8 = 3;
pub const NOT_AUTHORISED: u8 = 4;
pub const INTERRUPTED: u8 = 130;

/// Work stopped by Ctrl-C after saying what was done (exit code 130).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);

/// A mistake in how regscope was called (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn code_for(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<UsageError>().is_some() || err.downcast_ref::<ReferenceError>().is_some()
    {
        return USAGE;
    }
    if err.downcast_ref::<Interrupted>().is_some() {
        return INTERRUPTED;
    }
    match err.downcast_ref::<Error>() {
        Some(e) if e.is_not_found() => NOT_FOUND,
        Some(e) if e.is_auth() => NOT_AUTHORISED,
        _ => ERROR,
    }
}
