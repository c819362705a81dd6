//! HTTP plumbing: client construction (TLS roots, timeouts), bounded retries with
//! jittered back-off, and size-capped body reads.

use super::tls::{ClientCert, HostTrust, client_config};
use crate::oci::error::{Error, Result};
use futures_util::StreamExt;
use reqwest::{Response, StatusCode};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

/// The trust settings of another host (a token realm, blob storage), as the
/// user configured them for that host.
#[derive(Clone)]
pub struct TrustForHost(pub Arc<dyn Fn(&str) -> HostTrust + Send + Sync>);

impl std::fmt::Debug for TrustForHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TrustForHost")
    }
}

impl Default for TrustForHost {
    fn default() -> Self {
        TrustForHost(Arc::new(|_| HostTrust::default()))
    }
}

#[derive(Debug, Clone)]
pub struct TransportOptions {
    /// Accept TLS certificates that do not verify.
    pub insecure: bool,
    /// Plain HTTP instead of HTTPS (loopback registries try both anyway).
    pub plain_http: bool,
    /// Extra PEM certificates to trust (`--ca-cert`, `certs.d/<host>/*.crt`): CAs,
    /// or the server's own self-signed certificate.
    pub ca_certs: Vec<PathBuf>,
    /// Presented to the registry (mutual TLS).
    pub client_cert: Option<ClientCert>,
    /// What other hosts (token realms, blob storage) are trusted with.
    pub trust_for_host: TrustForHost,
    pub connect_timeout: Duration,
    /// A read that gets no byte for this long fails (a stalled server).
    pub idle_timeout: Duration,
    /// Attempts, back-off and the deadline every operation (all its retries and
    /// its body) must finish within.
    pub retry: RetryPolicy,
    /// Requests to the registry start at most this often per second (`None`:
    /// as fast as the concurrency allows).
    pub max_requests_per_second: Option<u32>,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            insecure: false,
            plain_http: false,
            ca_certs: Vec::new(),
            client_cert: None,
            trust_for_host: TrustForHost::default(),
            connect_timeout: Duration::from_secs(10),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            retry: RetryPolicy::default(),
            max_requests_per_second: None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// One operation's deadline: its attempts, back-off pauses and body reads
    /// share it (`--timeout`).
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            budget: DEFAULT_DEADLINE,
        }
    }
}

/// The slowest link a transfer's deadline allows for (1 MiB/s).
const SLOWEST_BYTES_PER_SECOND: u64 = 1024 * 1024;

impl RetryPolicy {
    /// This policy with time added for a slow link to carry `bytes`.
    pub fn with_time_for(mut self, bytes: u64) -> RetryPolicy {
        let transfer = Duration::from_secs(bytes / SLOWEST_BYTES_PER_SECOND);
        self.budget = self.budget.saturating_add(transfer);
        self
    }
}

/// How long one operation may take in all, unless `--timeout` says otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);
/// How long a read may wait for its next byte.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

pub const USER_AGENT: &str = concat!("regscope/", env!("CARGO_PKG_VERSION"));

/// Builds the client used for the registry itself. Redirects are never followed
/// automatically: the caller follows them so credentials stay with the registry.
pub fn build_client(opts: &TransportOptions, registry: &str) -> Result<reqwest::Client> {
    let trust = HostTrust {
        ca_certs: opts.ca_certs.clone(),
        client_cert: opts.client_cert.clone(),
        insecure: opts.insecure,
    };
    client_with(opts, &trust).map_err(|detail| Error::Transport {
        registry: registry.to_string(),
        detail,
    })
}

/// Our rustls configuration (which loads the system roots only at the first
/// TLS handshake, so plain-HTTP registries start without reading them).
fn client_with(
    opts: &TransportOptions,
    trust: &HostTrust,
) -> std::result::Result<reqwest::Client, String> {
    base_builder(opts)
        .tls_backend_preconfigured(client_config(trust)?)
        .build()
        .map_err(|e| format!("{e:#}"))
}

/// Clients for other hosts (blob storage behind redirects, token realms), each
/// with the trust the user gave that host, never the registry's client
/// certificate. Built on first use, one per host.
#[derive(Clone)]
pub struct ForeignClient {
    opts: Arc<TransportOptions>,
    clients: Arc<std::sync::Mutex<std::collections::HashMap<String, reqwest::Client>>>,
}

impl ForeignClient {
    pub fn new(opts: &TransportOptions) -> ForeignClient {
        ForeignClient {
            opts: Arc::new(opts.clone()),
            clients: Arc::default(),
        }
    }

    /// The client for `url`'s host.
    pub fn client_for(&self, url: &url::Url) -> Result<reqwest::Client> {
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => String::new(),
        };
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(client) = clients.get(&host) {
            return Ok(client.clone());
        }
        let trust = (self.opts.trust_for_host.0)(&host);
        let client = client_with(&self.opts, &trust).map_err(|detail| Error::Transport {
            registry: host.clone(),
            detail,
        })?;
        clients.insert(host, client.clone());
        Ok(client)
    }
}

fn base_builder(opts: &TransportOptions) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(opts.connect_timeout.min(opts.retry.budget))
        .read_timeout(opts.idle_timeout.min(opts.retry.budget))
        .timeout(opts.retry.budget)
        .pool_max_idle_per_host(16)
}

fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

fn retry_after(resp: &Response) -> Option<Duration> {
    let value = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A registry's pull budget as its `RateLimit-Limit`/`RateLimit-Remaining`
/// headers last told it (Docker Hub: `100;w=21600`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u64,
    pub remaining: u64,
}

impl RateLimit {
    pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Option<RateLimit> {
        let number = |name: &str| -> Option<u64> {
            let value = headers.get(name)?.to_str().ok()?;
            value.split(';').next()?.trim().parse().ok()
        };
        let limit = number("ratelimit-limit")?;
        let remaining = number("ratelimit-remaining")?.min(limit);
        Some(RateLimit { limit, remaining })
    }

    /// Whether what is left is under `percent` of the limit.
    pub fn under(&self, percent: u8) -> bool {
        let reserve = u128::from(self.limit) * u128::from(percent) / 100;
        u128::from(self.remaining) < reserve
    }
}

/// What one registry has been asked so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Traffic {
    pub sent: u64,
    pub rate_limit: Option<RateLimit>,
}

/// Shared by every request to one registry: after a 429/503 everyone waits,
/// so a pool of workers slows down together instead of hammering; requests
/// are paced to `max_requests_per_second` and counted; the last pull budget
/// the registry announced is kept.
#[derive(Debug, Default)]
pub struct Throttle {
    until: std::sync::Mutex<Option<Instant>>,
    /// The least time between two request starts.
    spacing: Option<Duration>,
    next_slot: std::sync::Mutex<Option<Instant>>,
    sent: std::sync::atomic::AtomicU64,
    rate_limit: std::sync::Mutex<Option<RateLimit>>,
}

/// The longest a registry's `Retry-After` pauses it (a hostile value cannot
/// overflow the clock or stall regscope for hours).
const MAX_PAUSE: Duration = Duration::from_secs(600);

impl Throttle {
    pub fn new(max_requests_per_second: Option<u32>) -> Throttle {
        Throttle {
            spacing: max_requests_per_second
                .filter(|n| *n > 0)
                .map(|n| Duration::from_secs(1) / n),
            ..Throttle::default()
        }
    }

    /// Waits for this request's turn under the pace (each caller gets its own slot).
    async fn take_slot(&self) {
        let Some(spacing) = self.spacing else { return };
        let at = {
            let mut next = self
                .next_slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + spacing);
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }

    fn observe(&self, headers: &reqwest::header::HeaderMap) {
        if let Some(limit) = RateLimit::from_headers(headers) {
            *self
                .rate_limit
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(limit);
        }
    }

    /// Requests sent so far (every attempt counts) and the last pull budget.
    pub fn traffic(&self) -> Traffic {
        Traffic {
            sent: self.sent.load(std::sync::atomic::Ordering::Relaxed),
            rate_limit: *self
                .rate_limit
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        }
    }

    pub async fn wait(&self) {
        let until = *self.until.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(until) = until {
            tokio::time::sleep_until(until.into()).await;
        }
    }

    /// How long requests still have to wait, if they do.
    pub fn pending(&self) -> Option<Duration> {
        let until = *self.until.lock().unwrap_or_else(PoisonError::into_inner);
        until
            .map(|u| u.saturating_duration_since(Instant::now()))
            .filter(|d| !d.is_zero())
    }

    pub fn pause(&self, wait: Duration) {
        let mut until = self.until.lock().unwrap_or_else(PoisonError::into_inner);
        let candidate = Instant::now() + wait.min(MAX_PAUSE);
        if until.is_none_or(|u| u < candidate) {
            *until = Some(candidate);
        }
    }
}

/// Sends the request `make` builds, retrying 429/502/503/504 and dropped connections
/// with jittered exponential back-off (or the server's `Retry-After`), bounded by
/// `policy.max_attempts` and `policy.budget`. The last retryable response is returned
/// as is, so the caller can turn it into a typed error.
pub async fn send_with_retry(
    registry: &str,
    policy: &RetryPolicy,
    throttle: Option<&Throttle>,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Result<Response> {
    let started = Instant::now();
    let left = || policy.budget.saturating_sub(started.elapsed());
    let mut attempt = 0;
    loop {
        attempt += 1;
        if let Some(throttle) = throttle {
            if throttle.pending().is_some_and(|wait| wait >= left()) {
                return Err(Error::RateLimited {
                    registry: registry.to_string(),
                    retry_after: throttle.pending(),
                });
            }
            throttle.wait().await;
            throttle.take_slot().await;
        }
        if left().is_zero() {
            return Err(deadline_passed(registry, policy.budget));
        }
        if let Some(throttle) = throttle {
            throttle
                .sent
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let outcome = make().timeout(left()).send().await;
        if let (Some(throttle), Ok(resp)) = (throttle, &outcome) {
            throttle.observe(resp.headers());
        }
        let wait = match &outcome {
            Ok(resp) if is_retryable_status(resp.status()) => {
                retry_after(resp).unwrap_or_else(|| backoff(policy, attempt))
            }
            Ok(_) => return outcome.map_err(|e| transport_error(registry, &e)),
            Err(e) if is_transient(e) => backoff(policy, attempt),
            Err(e) => return Err(transport_error(registry, e)),
        };
        let out_of_time = started.elapsed().saturating_add(wait) > policy.budget;
        if attempt >= policy.max_attempts || out_of_time {
            return outcome.map_err(|e| transport_error(registry, &e));
        }
        tracing::debug!(registry, attempt, ?wait, "retrying");
        match throttle {
            Some(throttle) if outcome.is_ok() => throttle.pause(wait),
            _ => tokio::time::sleep(wait).await,
        }
    }
}

fn is_transient(e: &reqwest::Error) -> bool {
    e.is_connect() || e.is_timeout() || e.is_request() || e.is_body()
}

/// Full jitter: a random delay up to `base * 2^attempt`, capped.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let ceiling = policy
        .base_delay
        .saturating_mul(1 << attempt.min(16))
        .min(policy.max_delay);
    let millis = u64::try_from(ceiling.as_millis().max(1)).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(millis / 2..=millis))
}

fn timed_out(registry: &str, path: &str) -> Error {
    let what = if path.is_empty() {
        String::new()
    } else {
        format!(" reading {path}")
    };
    Error::Transport {
        registry: registry.to_string(),
        detail: crate::oci::text::sanitize_line(
            &format!(
                "timed out{what}: the registry stalled, trickled or is slower than the deadline; --timeout raises it"
            ),
            400,
        ),
    }
}

fn deadline_passed(registry: &str, budget: Duration) -> Error {
    Error::Transport {
        registry: registry.to_string(),
        detail: format!(
            "no complete answer within {}s (the registry stalled or trickled); --timeout raises the limit",
            budget.as_secs()
        ),
    }
}

pub fn transport_error(registry: &str, e: &reqwest::Error) -> Error {
    if e.is_connect() && e.is_timeout() {
        return Error::Transport {
            registry: registry.to_string(),
            detail: "could not connect: no answer to the connection attempt in time \
                     (the host is down, or a firewall drops the packets)"
                .to_string(),
        };
    }
    if e.is_timeout() {
        return timed_out(registry, e.url().map_or("", |u| u.path()));
    }
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    let hint = tls_hint(registry, &detail);
    Error::Transport {
        registry: registry.to_string(),
        detail: format!("{}{hint}", crate::oci::text::sanitize_line(&detail, 400)),
    }
}

/// What to do about a TLS failure, in words.
fn tls_hint(registry: &str, detail: &str) -> String {
    let certs_d = format!("/etc/docker/certs.d/{registry}/");
    // Go answers a missing client certificate with `certificate_required`
    // (TLS 1.3) or `bad_certificate` (TLS 1.2).
    let client_side = ["CertificateRequired", "alert: BadCertificate"];
    if super::tls::client_certificate_was_wanted() || client_side.iter().any(|s| detail.contains(s))
    {
        return format!(
            "; the registry wants a client certificate it accepts: put client.cert and \
             client.key in {certs_d} or pass --client-cert FILE --client-key FILE"
        );
    }
    let untrusted = ["UnknownIssuer", "CaUsedAsEndEntity", "BadSignature"];
    if untrusted.iter().any(|s| detail.contains(s)) {
        return format!(
            "; if the registry uses a private CA or a self-signed certificate, trust it with \
             --ca-cert FILE, `ca_cert` in the config, or a .crt file in {certs_d}"
        );
    }
    String::new()
}

/// Reads a body, refusing more than `limit` bytes (checked before and while reading).
pub async fn read_capped(resp: Response, limit: u64, what: &str) -> Result<bytes::Bytes> {
    let too_large = || Error::TooLarge {
        what: what.to_string(),
        limit,
    };
    if resp.content_length().is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let url = resp.url().clone();
    let registry = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => "registry".to_string(),
    };
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| match e.is_timeout() {
            true => timed_out(&registry, url.path()),
            false => transport_error(&registry, &e),
        })?;
        let read = u64::try_from(body.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
        if read > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(bytes::Bytes::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_headers_are_read_as_docker_hub_sends_them() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(RateLimit::from_headers(&headers), None);
        headers.insert("ratelimit-limit", "100;w=21600".parse().unwrap());
        headers.insert("ratelimit-remaining", "9;w=21600".parse().unwrap());
        let limit = RateLimit::from_headers(&headers).unwrap();
        assert_eq!(
            limit,
            RateLimit {
                limit: 100,
                remaining: 9
            }
        );
        assert!(limit.under(10) && !limit.under(9));
        headers.insert("ratelimit-remaining", "5000".parse().unwrap());
        let capped = RateLimit::from_headers(&headers).unwrap();
        assert_eq!(capped.remaining, 100, "never more left than the limit");
        headers.insert("ratelimit-remaining", "lots".parse().unwrap());
        assert_eq!(RateLimit::from_headers(&headers), None);
        let huge = RateLimit {
            limit: u64::MAX,
            remaining: 0,
        };
        assert!(huge.under(100), "no overflow on outside numbers");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default();
        for attempt in 1..20 {
            let d = backoff(&policy, attempt);
            assert!(d <= policy.max_delay, "{d:?}");
        }
        let first = backoff(&policy, 1);
        assert!(first <= Duration::from_millis(400) && first >= Duration::from_millis(200));
        // Full jitter draws from [ceiling/2, ceiling]: attempt 4's floor (1.6 s)
        // is above attempt 1's ceiling (0.4 s), whatever the draws.
        let fourth = backoff(&policy, 4);
        assert!(
            fourth >= Duration::from_millis(1600) && fourth > first,
            "{fourth:?}"
        );
        assert!(
            backoff(&policy, 19) >= policy.max_delay / 2,
            "capped, still large"
        );
    }
}
