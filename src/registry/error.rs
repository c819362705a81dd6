//! Turning an HTTP error answer (status and distribution error body) into an `Error`.

use crate::oci::error::Error;
use serde::Deserialize;
use std::time::Duration;

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
        Some(crate::oci::text::sanitize_line(&text, 300))
    }
}

/// Maps an error status and body to a typed error.
pub fn classify(
    registry: &str,
    status: u16,
    body: &[u8],
    what: &str,
    retry_after: Option<Duration>,
) -> Error {
    let parsed = ErrorBody::parse(body);
    let detail = parsed.summary().unwrap_or_else(|| {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)]).to_string();
        let text = crate::oci::text::sanitize_line(&text, 200);
        if text.is_empty() {
            format!("HTTP {status}")
        } else {
            text
        }
    });
    let registry = registry.to_string();
    // "Gone" is a 404, or a client error naming the unknown thing: never an
    // auth, rate-limit or server error, whatever its body says.
    let not_found_codes = ["MANIFEST_UNKNOWN", "NAME_UNKNOWN", "BLOB_UNKNOWN"];
    let names_unknown = not_found_codes.iter().any(|c| parsed.has_code(c));
    if status == 404 || (names_unknown && matches!(status, 400 | 410)) {
        return Error::NotFound {
            what: format!("{what} ({detail})"),
        };
    }
    match status {
        401 => Error::Unauthorized { registry, detail },
        403 => Error::Denied { registry, detail },
        405 => Error::Unsupported { registry, detail },
        429 => Error::RateLimited {
            registry,
            retry_after,
        },
        _ if parsed.has_code("UNSUPPORTED") => Error::Unsupported { registry, detail },
        _ if parsed.has_code("DENIED") => Error::Denied { registry, detail },
        _ if parsed.has_code("TOOMANYREQUESTS") => Error::RateLimited {
            registry,
            retry_after,
        },
        _ => Error::Http {
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
            Error::Denied { .. }
        ));
        assert!(matches!(
            classify("r", 405, b"", "x", None),
            Error::Unsupported { .. }
        ));
        assert!(classify("r", 401, b"", "x", None).is_auth());
        let err = classify("r", 500, b"\x1b[31mboom\x07", "x", None).to_string();
        assert!(!err.contains('\x1b') && err.contains("boom"), "{err}");
    }
}
