//! Answering registry auth challenges: Basic, and Bearer tokens fetched from the
//! realm the challenge names, for exactly the scope it names, cached per scope.

pub mod challenge;
pub mod credentials;
pub mod login;

use super::transport::{ForeignClient, RetryPolicy, read_capped, send_with_retry};
use crate::oci::error::{Error, Result};
use base64::Engine;
pub use challenge::Challenge;
pub use credentials::{CredentialSources, Credentials};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::time::{Duration, Instant};
use url::Url;

const TOKEN_LIMIT: u64 = 1024 * 1024;
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// A token is kept at most a day, whatever `expires_in` says (an `Instant` this
/// far out cannot overflow).
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TokenKey {
    realm: String,
    service: String,
    scope: String,
}

struct CachedToken {
    value: String,
    expires: Instant,
}

#[derive(Debug, Clone)]
enum Scheme {
    Unknown,
    Basic,
    Bearer { realm: String, service: String },
}

pub struct Authenticator {
    registry: String,
    registry_url: Url,
    credentials: Credentials,
    /// The registry is on plain HTTP across the network: nothing secret (a
    /// password, a token) is sent, and the user is told why.
    in_clear: bool,
    /// A token service on plain HTTP off loopback was not given the
    /// credentials (`host:port`, said with the 401 that follows).
    clear_realm: Mutex<Option<String>>,
    scheme: Mutex<Scheme>,
    tokens: Mutex<HashMap<TokenKey, CachedToken>>,
    fetch_lock: tokio::sync::Mutex<()>,
    registry_http: reqwest::Client,
    foreign_http: ForeignClient,
    retry: RetryPolicy,
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl Authenticator {
    pub fn new(
        registry: &str,
        registry_url: Url,
        credentials: Credentials,
        registry_http: reqwest::Client,
        foreign_http: ForeignClient,
        retry: RetryPolicy,
    ) -> Authenticator {
        let in_clear = registry_url.scheme() == "http"
            && !is_loopback_host(registry_url.host_str().unwrap_or(""));
        Authenticator {
            registry: registry.to_string(),
            credentials: if in_clear {
                Credentials::Anonymous
            } else {
                credentials
            },
            in_clear,
            clear_realm: Mutex::new(None),
            registry_url,
            scheme: Mutex::new(Scheme::Unknown),
            tokens: Mutex::new(HashMap::new()),
            fetch_lock: tokio::sync::Mutex::new(()),
            registry_http,
            foreign_http,
            retry,
        }
    }

    pub fn has_credentials(&self) -> bool {
        self.credentials != Credentials::Anonymous
    }

    /// Why secrets were withheld, if they were: the registry, or its token
    /// service, is on plain HTTP off loopback.
    pub fn withheld_because(&self) -> Option<String> {
        if self.in_clear {
            return Some(
                "regscope sends no credentials or tokens over plain HTTP except to loopback: \
                 use HTTPS (with --ca-cert or --insecure for its certificate)"
                    .into(),
            );
        }
        let realm = self
            .clear_realm
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        Some(format!(
            "the credentials were not sent: the token service at {realm} is plain HTTP off \
             loopback (regscope sends them only over HTTPS, or to loopback)"
        ))
    }

    /// The `Authorization` value to send for a request needing `scope`, if known.
    pub fn header_for(&self, scope: &str) -> Option<String> {
        let scheme = self
            .scheme
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match scheme {
            Scheme::Unknown => None,
            Scheme::Basic => self.basic_header(),
            Scheme::Bearer { realm, service } => {
                let key = TokenKey {
                    realm,
                    service,
                    scope: scope.to_string(),
                };
                let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
                tokens
                    .get(&key)
                    .filter(|t| t.expires > Instant::now())
                    .map(|t| format!("Bearer {}", t.value))
            }
        }
    }

    fn basic_header(&self) -> Option<String> {
        match &self.credentials {
            Credentials::Basic { username, password } => {
                let raw = format!("{username}:{password}");
                Some(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                ))
            }
            _ => None,
        }
    }

    /// Remembers which scheme the registry uses, from a `/v2/` ping's challenge.
    pub fn learn(&self, www_authenticate: Option<&str>) {
        if let Some(challenge) = www_authenticate.and_then(Challenge::parse) {
            *self.scheme.lock().unwrap_or_else(PoisonError::into_inner) = scheme_of(&challenge);
        }
    }

    /// Answers a 401: after this, `header_for(scope)` has something new to send.
    /// Returns false when retrying cannot help (no challenge, no usable credentials).
    pub async fn answer(&self, www_authenticate: Option<&str>, scope: &str) -> Result<bool> {
        let Some(challenge) = www_authenticate.and_then(Challenge::parse) else {
            return Ok(false);
        };
        if self.in_clear {
            return Ok(false);
        }
        *self.scheme.lock().unwrap_or_else(PoisonError::into_inner) = scheme_of(&challenge);
        match challenge {
            Challenge::Basic => Ok(self.basic_header().is_some()),
            Challenge::Bearer {
                realm,
                service,
                scope: challenge_scope,
            } => {
                let requested = challenge_scope.unwrap_or_else(|| scope.to_string());
                self.fetch_token(&realm, service.as_deref().unwrap_or(""), &requested, scope)
                    .await?;
                Ok(true)
            }
        }
    }

    async fn fetch_token(&self, realm: &str, service: &str, scope: &str, hint: &str) -> Result<()> {
        let _one_at_a_time = self.fetch_lock.lock().await;
        let key = |scope: &str| TokenKey {
            realm: realm.to_string(),
            service: service.to_string(),
            scope: scope.to_string(),
        };
        if self.header_for(hint).is_some() && self.cached(&key(scope)) {
            return Ok(());
        }
        let realm_url = Url::parse(realm).map_err(|_| self.invalid("token realm is not a URL"))?;
        let send_credentials = self.may_send_credentials_to(&realm_url)?;
        let resp = self
            .request_token(&realm_url, service, scope, send_credentials)
            .await?;
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            return Err(Error::Unauthorized {
                registry: self.registry.clone(),
                detail: format!(
                    "the token service at {} refused the credentials",
                    host_of(&realm_url)
                ),
            });
        }
        if !resp.status().is_success() {
            return Err(self.invalid(&format!("token service answered HTTP {status}")));
        }
        let body = read_capped(resp, TOKEN_LIMIT, "token response").await?;
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| self.invalid("token response is not JSON"))?;
        let value = answer
            .token
            .or(answer.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.invalid("token response has no token"))?;
        let expires = Instant::now() + kept_for(answer.expires_in);
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        for s in [scope, hint] {
            tokens.insert(
                key(s),
                CachedToken {
                    value: value.clone(),
                    expires,
                },
            );
        }
        Ok(())
    }

    fn cached(&self, key: &TokenKey) -> bool {
        let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens.get(key).is_some_and(|t| t.expires > Instant::now())
    }

    async fn request_token(
        &self,
        realm: &Url,
        service: &str,
        scope: &str,
        send_credentials: bool,
    ) -> Result<reqwest::Response> {
        let foreign;
        let http = if same_origin(realm, &self.registry_url) {
            &self.registry_http
        } else {
            foreign = self.foreign_http.client_for(realm)?;
            &foreign
        };
        let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
        let refresh = match (&self.credentials, send_credentials) {
            (Credentials::IdentityToken { token }, true) => Some(token.clone()),
            _ => None,
        };
        let basic = if send_credentials {
            self.basic_header()
        } else {
            None
        };
        send_with_retry(&self.registry, &self.retry, None, || match &refresh {
            Some(token) => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                form.append_pair("grant_type", "refresh_token")
                    .append_pair("refresh_token", token)
                    .append_pair("client_id", "regscope")
                    .append_pair("service", service);
                for s in &scopes {
                    form.append_pair("scope", s);
                }
                http.post(realm.clone())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form.finish())
            }
            None => {
                let mut url = realm.clone();
                {
                    let mut query = url.query_pairs_mut();
                    if !service.is_empty() {
                        query.append_pair("service", service);
                    }
                    for s in &scopes {
                        query.append_pair("scope", s);
                    }
                }
                let req = http.get(url);
                match &basic {
                    Some(h) => req.header("authorization", h),
                    None => req,
                }
            }
        })
        .await
    }

    /// Credentials go to a token realm only over HTTPS, or to loopback; never
    /// in clear text across the network, the registry's own host included (a
    /// token service on another port of it is still the network). Withheld,
    /// the token is asked for anonymously and the 401 that follows says why.
    fn may_send_credentials_to(&self, realm: &Url) -> Result<bool> {
        if !self.has_credentials() {
            return Ok(false);
        }
        if credentials_may_go_to(realm) {
            return Ok(true);
        }
        *self
            .clear_realm
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(host_of(realm));
        tracing::warn!(realm = %host_of(realm), "credentials withheld from a plain-HTTP token service");
        Ok(false)
    }

    fn invalid(&self, detail: &str) -> Error {
        Error::InvalidResponse {
            registry: self.registry.clone(),
            detail: detail.to_string(),
        }
    }
}

fn scheme_of(challenge: &Challenge) -> Scheme {
    match challenge {
        Challenge::Basic => Scheme::Basic,
        Challenge::Bearer { realm, service, .. } => Scheme::Bearer {
            realm: realm.clone(),
            service: service.clone().unwrap_or_default(),
        },
    }
}

pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => "?".to_string(),
    }
}

/// How long a token is used: what `expires_in` says (a default when absent,
/// at least 10 s), at most a day whatever it says, refreshed a tenth early.
fn kept_for(expires_in: Option<u64>) -> Duration {
    let lifetime = expires_in
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TOKEN_LIFETIME)
        .max(Duration::from_secs(10))
        .min(MAX_TOKEN_LIFETIME);
    lifetime.saturating_sub(lifetime / 10)
}

/// Whether a token service at `realm` may receive credentials: over HTTPS,
/// or on loopback. Never plain HTTP across the network, the registry's own
/// host (another port of it) included.
fn credentials_may_go_to(realm: &Url) -> bool {
    realm.scheme() == "https" || is_loopback_host(realm.host_str().unwrap_or(""))
}

/// `localhost`, 127.0.0.0/8 and ::1. Debug builds treat the hosts listed in
/// `REGSCOPE_TEST_REMOTE_HOSTS` (comma-separated) as remote, so tests can
/// play a host across the network on loopback; release builds ignore it.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if cfg!(debug_assertions)
        && std::env::var("REGSCOPE_TEST_REMOTE_HOSTS")
            .is_ok_and(|list| list.split(',').any(|h| h.trim() == bare))
    {
        return false;
    }
    bare == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_http_realm_off_loopback_gets_no_credentials_same_host_or_not() {
        let may = |url: &str| credentials_may_go_to(&Url::parse(url).unwrap());
        // The registry is https://reg.example.com: its own host on another port
        // over plain HTTP is the network all the same.
        assert!(!may("http://reg.example.com:8080/token"));
        assert!(!may("http://auth.example.com/token"));
        assert!(may("https://reg.example.com/token"));
        assert!(may("https://auth.example.com:8443/token"));
        assert!(may("http://127.0.0.1:5001/token"));
        assert!(may("http://localhost/token"));
        assert!(may("http://[::1]:9000/token"));
    }

    #[test]
    fn a_token_is_kept_at_most_a_day_whatever_it_claims() {
        let ten_years = 10 * 365 * 24 * 3600;
        let a_day_less_a_tenth = Duration::from_secs(24 * 3600 * 9 / 10);
        assert_eq!(kept_for(Some(ten_years)), a_day_less_a_tenth);
        assert_eq!(kept_for(Some(u64::MAX)), a_day_less_a_tenth);
        assert_eq!(kept_for(Some(0)), Duration::from_secs(9));
        assert_eq!(kept_for(Some(300)), Duration::from_secs(270));
    }

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "127.0.0.1", "127.8.9.10", "[::1]", "::1"] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["example.com", "10.0.0.1", "128.0.0.1"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }
}
