//! A small Docker-style token server: checks Basic credentials, grants the
//! requested scope's actions a user is allowed, and signs an ES256 JWT whose
//! `x5c` certificate the registry trusts through `rootcertbundle`.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub const SERVICE: &str = "regscope-test-registry";
pub const ISSUER: &str = "regscope-test-issuer";

#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub user: Option<String>,
    pub service: String,
    pub scopes: Vec<String>,
}

struct Shared {
    users: HashMap<String, (String, Vec<String>)>,
    key: jsonwebtoken::EncodingKey,
    cert_der_b64: String,
    log: Mutex<Vec<TokenRequest>>,
}

pub struct TokenServer {
    pub realm: String,
    pub cert_path: PathBuf,
    shared: Arc<Shared>,
    _server: super::fake::FakeServer,
    _dir: tempfile::TempDir,
}

impl TokenServer {
    /// `users`: name → (password, actions it may be granted, e.g. ["pull", "delete", "*"]).
    pub fn start(users: &[(&str, &str, &[&str])]) -> TokenServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let signer = super::certs::signing_key();
        let cert_path = dir.path().join("token-signer.pem");
        std::fs::write(&cert_path, &signer.cert_pem).expect("write signer cert");
        let shared = Arc::new(Shared {
            users: users
                .iter()
                .map(|(u, p, a)| {
                    (
                        u.to_string(),
                        (p.to_string(), a.iter().map(|s| s.to_string()).collect()),
                    )
                })
                .collect(),
            key: jsonwebtoken::EncodingKey::from_ec_pem(signer.key_pem.as_bytes()).expect("EC key"),
            cert_der_b64: base64::engine::general_purpose::STANDARD.encode(&signer.cert_der),
            log: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/token", get(token).post(token))
            .with_state(shared.clone());
        let server = super::fake::FakeServer::start(app);
        TokenServer {
            realm: format!("http://127.0.0.1:{}/token", server.port),
            cert_path,
            shared,
            _server: server,
            _dir: dir,
        }
    }

    pub fn requests(&self) -> Vec<TokenRequest> {
        self.shared.log.lock().expect("log").clone()
    }
}

fn basic_user(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// GET with Basic credentials, or POST an OAuth2 refresh token
/// (`grant_type=refresh_token`; the token `<user>-refresh` stands for that user).
async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    let form = if body.is_empty() {
        query.unwrap_or_default()
    } else {
        body
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(form.as_bytes())
        .into_owned()
        .collect();
    let refresh = pairs
        .iter()
        .find(|(k, _)| k == "refresh_token")
        .map(|(_, v)| v.clone());
    let service = pairs
        .iter()
        .find(|(k, _)| k == "service")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let scopes: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    let user = match refresh {
        Some(token) => token.strip_suffix("-refresh").and_then(|u| {
            shared
                .users
                .get(u)
                .map(|(password, _)| (u.to_string(), password.clone()))
        }),
        None => basic_user(&headers),
    };
    shared.log.lock().expect("log").push(TokenRequest {
        user: user.as_ref().map(|(u, _)| u.clone()),
        service: service.clone(),
        scopes: scopes.clone(),
    });
    let allowed: Vec<String> = match &user {
        None => Vec::new(),
        Some((name, password)) => match shared.users.get(name) {
            Some((expected, actions)) if expected == password => actions.clone(),
            _ => return (StatusCode::UNAUTHORIZED, "bad credentials").into_response(),
        },
    };
    let access: Vec<serde_json::Value> = scopes
        .iter()
        .filter_map(|scope| {
            let (kind, rest) = scope.split_once(':')?;
            let (name, actions) = rest.rsplit_once(':')?;
            let granted: Vec<&str> = actions
                .split(',')
                .filter(|a| allowed.iter().any(|x| x == a || x == "*"))
                .collect();
            Some(serde_json::json!({"type": kind, "name": name, "actions": granted}))
        })
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": user.map(|(u, _)| u).unwrap_or_default(), "aud": service,
        "exp": now + 300, "nbf": now - 10, "iat": now, "jti": format!("{now}-{}", fastrand::u64(..)),
        "access": access,
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.x5c = Some(vec![shared.cert_der_b64.clone()]);
    match jsonwebtoken::encode(&header, &claims, &shared.key) {
        Ok(token) => Json(serde_json::json!({"token": token, "expires_in": 300})).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
