//! Typed registry errors whose messages tell a person what to do next.

use super::digest::Digest;
use serde::Deserialize;
use std::time::Duration;

pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
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
    #[error("{0}")]
    Config(String),
}

fn retry_hint(after: &Option<Duration>) -> String {
    match after {
        Some(d) => format!(" (it asked to wait {}s)", d.as_secs()),
        None => String::new(),
    }
}

impl RegistryError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }

    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            RegistryError::Unauthorized { .. } | RegistryError::Denied { .. }
        )
    }
}

/// The OCI distribution error body: `{"errors":[{"code","message","detail"}]}`.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub errors: Vec<ErrorEntry>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ErrorEntry {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

impl ErrorBody {
    pub fn parse(body: &[u8]) -> ErrorBody {
        serde_json::from_slice(body).unwrap_or_default()
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }

    /// A one-line summary (`CODE: message; …`), stripped of control characters.
    pub fn summary(&self) -> Option<String> {
        if self.errors.is_empty() {
            return None;
        }
        let text = self
            .errors
            .iter()
            .take(3)
            .map(|e| format!("{}: {}", e.code, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Some(crate::model::text::sanitize_line(&text, 300))
    }
}

/// Maps an error status and body to a typed error.
pub fn classify(
    registry: &str,
    status: u16,
    body: &[u8],
    what: &str,
    retry_after: Option<Duration>,
) -> RegistryError {
    let parsed = ErrorBody::parse(body);
    let detail = parsed.summary().unwrap_or_else(|| {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)]).to_string();
        let text = crate::model::text::sanitize_line(&text, 200);
        if text.is_empty() {
            format!("HTTP {status}")
        } else {
            text
        }
    });
    let registry = registry.to_string();
    let not_found_codes = ["MANIFEST_UNKNOWN", "NAME_UNKNOWN", "BLOB_UNKNOWN"];
    if status == 404 || not_found_codes.iter().any(|c| parsed.has_code(c)) {
        return RegistryError::NotFound {
            what: format!("{what} ({detail})"),
        };
    }
    match status {
        401 => RegistryError::Unauthorized { registry, detail },
        403 => RegistryError::Denied { registry, detail },
        405 => RegistryError::Unsupported { registry, detail },
        429 => RegistryError::RateLimited {
            registry,
            retry_after,
        },
        _ if parsed.has_code("UNSUPPORTED") => RegistryError::Unsupported { registry, detail },
        _ if parsed.has_code("DENIED") => RegistryError::Denied { registry, detail },
        _ if parsed.has_code("TOOMANYREQUESTS") => RegistryError::RateLimited {
            registry,
            retry_after,
        },
        _ => RegistryError::Http {
            registry,
            status,
            detail,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_oci_error_bodies() {
        let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;
        assert!(classify("r", 404, body, "app:1", None).is_not_found());
        let denied = br#"{"errors":[{"code":"DENIED","message":"nope"}]}"#;
        assert!(matches!(
            classify("r", 403, denied, "x", None),
            RegistryError::Denied { .. }
        ));
        assert!(matches!(
            classify("r", 405, b"", "x", None),
            RegistryError::Unsupported { .. }
        ));
        assert!(classify("r", 401, b"", "x", None).is_auth());
        let err = classify("r", 500, b"\x1b[31mboom\x07", "x", None).to_string();
        assert!(!err.contains('\x1b') && err.contains("boom"), "{err}");
    }
}
