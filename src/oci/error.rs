//! The errors of reaching content: the distribution spec's vocabulary (not found,
//! unauthorised, denied, unsupported, too many requests) plus what any backend
//! reports (digest mismatch, too large, unreachable). Both backends raise it, so
//! the use-cases above them handle one type; each message tells a person what to
//! do next.

use super::digest::Digest;
use std::time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "not authorised by {registry}: {detail} (log in with --username and --password-stdin, or `docker login {registry}`)"
    )]
    Unauthorized { registry: String, detail: String },
    #[error("access denied by {registry}: {detail} (your credentials do not grant this action)")]
    Denied { registry: String, detail: String },
    #[error("not found: {what}")]
    NotFound { what: String },
    #[error("{registry} does not support this operation: {detail}")]
    Unsupported { registry: String, detail: String },
    #[error("rate limited by {registry}{}; try again later", retry_hint(.retry_after))]
    RateLimited {
        registry: String,
        retry_after: Option<Duration>,
    },
    #[error(
        "digest mismatch for {what}: expected {expected}, got {actual}; the registry sent different content"
    )]
    DigestMismatch {
        what: String,
        expected: Digest,
        actual: Digest,
    },
    #[error("{what} is larger than the {limit} byte limit; refusing to read it")]
    TooLarge { what: String, limit: u64 },
    #[error("{registry} answered HTTP {status}: {detail}")]
    Http {
        registry: String,
        status: u16,
        detail: String,
    },
    #[error("unexpected response from {registry}: {detail}")]
    InvalidResponse { registry: String, detail: String },
    #[error("cannot reach {registry}: {detail}")]
    Transport { registry: String, detail: String },
    /// A name from a listing (or elsewhere) that breaks the distribution grammar:
    /// shown, never put in a URL, a token scope or a DELETE.
    #[error("{what} is not a valid {kind} name; not using it in a request")]
    InvalidName { kind: &'static str, what: String },
    #[error("{0}")]
    Config(String),
}

fn retry_hint(after: &Option<Duration>) -> String {
    match after {
        Some(d) => format!(" (it asked to wait {}s)", d.as_secs()),
        None => String::new(),
    }
}

impl Error {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// A listed name that breaks the grammar (never requested).
    pub fn is_invalid_name(&self) -> bool {
        matches!(self, Error::InvalidName { .. })
    }

    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Unauthorized { .. } | Error::Denied { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_say_how_long_was_asked() {
        let limited = |after| Error::RateLimited {
            registry: "r.io".into(),
            retry_after: after,
        };
        assert_eq!(
            limited(Some(Duration::from_secs(30))).to_string(),
            "rate limited by r.io (it asked to wait 30s); try again later"
        );
        assert_eq!(
            limited(None).to_string(),
            "rate limited by r.io; try again later"
        );
    }

    #[test]
    fn each_predicate_knows_its_kind_only() {
        let not_found = Error::NotFound { what: "x".into() };
        let invalid = Error::InvalidName {
            kind: "tag",
            what: "x".into(),
        };
        let unauthorized = Error::Unauthorized {
            registry: "r".into(),
            detail: "d".into(),
        };
        let denied = Error::Denied {
            registry: "r".into(),
            detail: "d".into(),
        };
        let other = Error::Config("c".into());
        assert!(not_found.is_not_found() && !invalid.is_not_found() && !other.is_not_found());
        assert!(invalid.is_invalid_name() && !not_found.is_invalid_name());
        assert!(unauthorized.is_auth() && denied.is_auth());
        assert!(!not_found.is_auth() && !other.is_auth());
    }
}
