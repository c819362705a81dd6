//! The registry client: one per registry, cheap to share behind an `Arc`.

use super::auth::{Authenticator, Credentials, is_loopback_host, same_origin};
use super::error::classify;
use super::transport::{
    ForeignClient, Throttle, TransportOptions, build_client, read_capped, send_with_retry,
    transport_error,
};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::manifest::{ACCEPT, MANIFEST_LIMIT, Manifest};
use crate::oci::reference::{DOCKER_HUB, is_valid_repository, is_valid_tag};
use reqwest::header::{ACCEPT as ACCEPT_HEADER, AUTHORIZATION, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, Response};
use std::time::Duration;
use url::Url;

const MAX_REDIRECTS: usize = 5;
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

pub struct RegistryClient {
    name: String,
    base: Url,
    http: reqwest::Client,
    foreign: ForeignClient,
    auth: Authenticator,
    opts: TransportOptions,
    throttle: Throttle,
    /// `--offline`: no request is sent.
    offline: bool,
    /// Whether the registry has the OCI 1.1 referrers API, once an answer said.
    referrers_api: std::sync::OnceLock<bool>,
    /// Callers wait here while nobody knows yet: the first answer decides
    /// (a registry without the API costs one request, not one per row).
    referrers_probe: tokio::sync::Mutex<()>,
}

/// What a manifest HEAD tells: the digest a tag points at, without a pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHead {
    pub digest: Digest,
    pub media_type: Option<String>,
    pub size: Option<u64>,
}

impl RegistryClient {
    /// Picks the scheme (HTTPS; plain HTTP with `plain_http`; loopback tries plain
    /// HTTP first, then HTTPS), pings `/v2/` and learns the auth scheme.
    pub async fn connect(
        registry: &str,
        opts: TransportOptions,
        credentials: Credentials,
    ) -> Result<RegistryClient> {
        let http = build_client(&opts, registry)?;
        let host = if registry == DOCKER_HUB {
            "registry-1.docker.io"
        } else {
            registry
        };
        let schemes: &[&str] = if is_loopback_host(host_part(host)) {
            &["http", "https"]
        } else if opts.plain_http {
            &["http"]
        } else {
            &["https"]
        };
        let (base, ping) = probe(&http, registry, host, schemes).await?;
        let client = RegistryClient::assemble(registry, base, http, opts, credentials, false);
        client.check_ping(ping).await?;
        Ok(client)
    }

    /// A client that makes no request: for `--offline`, where only the store
    /// answers (every request fails at once, saying so).
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    pub fn offline(registry: &str) -> Result<RegistryClient> {
        let opts = TransportOptions::default();
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(
                rustls::ClientConfig::builder()
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth(),
            )
            .build()
            .map_err(|e| Error::Config(format!("{e:#}")))?;
        let base = base_url("https", registry, registry)?;
        let credentials = Credentials::Anonymous;
        Ok(RegistryClient::assemble(
            registry,
            base,
            http,
            opts,
            credentials,
            true,
        ))
    }

    fn assemble(
        registry: &str,
        base: Url,
        http: reqwest::Client,
        opts: TransportOptions,
        credentials: Credentials,
        offline: bool,
    ) -> RegistryClient {
        let foreign = ForeignClient::new(&opts);
        let auth = Authenticator::new(
            registry,
            base.clone(),
            credentials,
            http.clone(),
            foreign.clone(),
            opts.retry,
        );
        RegistryClient {
            name: registry.to_string(),
            base,
            http,
            foreign,
            auth,
            throttle: Throttle::new(opts.max_requests_per_second),
            opts,
            offline,
            referrers_api: std::sync::OnceLock::new(),
            referrers_probe: tokio::sync::Mutex::new(()),
        }
    }

    /// Requests sent to this registry so far and its last announced pull budget.
    pub fn traffic(&self) -> crate::registry::transport::Traffic {
        self.throttle.traffic()
    }

    async fn check_ping(&self, resp: Response) -> Result<()> {
        let status = resp.status().as_u16();
        if status == 401 {
            self.auth.learn(header(&resp, WWW_AUTHENTICATE).as_deref());
            return Ok(());
        }
        if resp.status().is_success() {
            return Ok(());
        }
        let err = self.error_from(resp, "the /v2/ endpoint").await;
        if status == 404 {
            return Err(Error::Unsupported {
                registry: self.name.clone(),
                detail: "no registry API at /v2/ (is this a container registry?)".into(),
            });
        }
        Err(err)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// How long every request to this registry still waits after a 429.
    pub fn paused_for(&self) -> Option<Duration> {
        self.throttle.pending()
    }

    /// Checks the client's credentials the way `docker login` does: `/v2/` with
    /// them (and, on token registries, a token fetched with them for no scope).
    pub async fn verify_credentials(&self) -> Result<()> {
        let url = self.url("v2/");
        let resp = self.send(Method::GET, &url, "", None).await?;
        if resp.status().is_success() {
            return Ok(());
        }
        Err(self.error_from(resp, "the login").await)
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// `v2/<repository>/<kind>/<reference>`, each name checked against the
    /// distribution grammar and each path segment percent-encoded.
    pub(super) fn repo_url(&self, repository: &str, kind: &str, reference: &str) -> Result<Url> {
        check_repository(repository)?;
        let valid = reference.parse::<Digest>().is_ok() || is_valid_tag(reference);
        if !valid {
            return Err(Error::InvalidName {
                kind: "tag",
                what: format!("{:?}", crate::oci::text::sanitize_line(reference, 140)),
            });
        }
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| self.invalid("the registry URL cannot take a path"))?
            .pop_if_empty()
            .push("v2")
            .extend(repository.split('/'))
            .push(kind)
            .push(reference);
        Ok(url)
    }

    pub(super) fn url(&self, path_and_query: &str) -> Url {
        // Joining a relative path onto an http(s) base only fails for a base that
        // cannot be one, and `base_url` only builds http(s) URLs.
        #[allow(clippy::expect_used)]
        self.base
            .join(path_and_query.trim_start_matches('/'))
            .expect("registry paths are valid URL paths")
    }

    /// Sends a request, answering one auth challenge; the response may be an error status.
    pub(super) async fn send(
        &self,
        method: Method,
        url: &Url,
        scope: &str,
        accept: Option<&str>,
    ) -> Result<Response> {
        self.send_with(method, url, scope, |req| match accept {
            Some(accept) => req.header(ACCEPT_HEADER, accept),
            None => req,
        })
        .await
    }

    /// `send`, with `customize` adding headers or a body to each attempt.
    pub(super) async fn send_with(
        &self,
        method: Method,
        url: &Url,
        scope: &str,
        customize: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Response> {
        self.send_within(&self.opts.retry, method, url, scope, customize)
            .await
    }

    /// `send_with` under `policy` (a longer deadline for a layer's bytes).
    async fn send_within(
        &self,
        policy: &crate::registry::transport::RetryPolicy,
        method: Method,
        url: &Url,
        scope: &str,
        customize: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Response> {
        if self.offline {
            return Err(Error::NotFound {
                what: format!(
                    "{} on {} is not cached (--offline answers from the cache only)",
                    url.path(),
                    self.name
                ),
            });
        }
        let mut answered = false;
        loop {
            let auth = self.auth.header_for(scope);
            let resp = send_with_retry(&self.name, policy, Some(&self.throttle), || {
                let mut req = customize(self.http.request(method.clone(), url.clone()));
                if let Some(auth) = &auth {
                    req = req.header(AUTHORIZATION, auth);
                }
                req
            })
            .await?;
            if resp.status().as_u16() == 401 && !answered {
                answered = true;
                let challenge = header(&resp, WWW_AUTHENTICATE);
                if self.auth.answer(challenge.as_deref(), scope).await? {
                    continue;
                }
            }
            return Ok(resp);
        }
    }

    /// Turns an error response into a typed error (reading a bounded part of its body).
    pub(super) async fn error_from(&self, resp: Response, what: &str) -> Error {
        let status = resp.status().as_u16();
        let retry_after = header(&resp, reqwest::header::RETRY_AFTER)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = read_capped(resp, ERROR_BODY_LIMIT, "error body")
            .await
            .unwrap_or_default();
        let mut err = classify(&self.name, status, &body, what, retry_after);
        if let Error::Unauthorized { detail, .. } = &mut err {
            if let Some(why) = self.auth.withheld_because() {
                detail.push_str(&format!("; {why}"));
            } else if self.auth.has_credentials() {
                detail.push_str(&format!(
                    "; the credentials were refused or do not grant {what}"
                ));
            } else {
                detail.push_str("; anonymous access is not allowed");
            }
        }
        err
    }

    /// `HEAD` a manifest: tag → digest without counting as a pull.
    pub async fn head_manifest(&self, repository: &str, reference: &str) -> Result<ManifestHead> {
        let url = self.repo_url(repository, "manifests", reference)?;
        let what = format!("{}/{repository}:{reference}", self.name);
        let resp = self
            .send(Method::HEAD, &url, &pull_scope(repository), Some(ACCEPT))
            .await?;
        if !resp.status().is_success() {
            return Err(self.error_from(resp, &what).await);
        }
        let digest = self
            .content_digest(&resp, &what)?
            .or_else(|| reference.parse::<Digest>().ok())
            .ok_or_else(|| Error::InvalidResponse {
                registry: self.name.clone(),
                detail: format!("no valid Docker-Content-Digest for {what}"),
            })?;
        Ok(ManifestHead {
            digest,
            media_type: header(&resp, reqwest::header::CONTENT_TYPE),
            size: resp.content_length(),
        })
    }

    /// `GET` a manifest by tag or digest, always with the full Accept list, capped
    /// at 4 MiB and verified against the requested digest or `Docker-Content-Digest`.
    pub async fn manifest(&self, repository: &str, reference: &str) -> Result<Manifest> {
        let url = self.repo_url(repository, "manifests", reference)?;
        let what = format!("{}/{repository}:{reference}", self.name);
        let resp = self
            .send(Method::GET, &url, &pull_scope(repository), Some(ACCEPT))
            .await?;
        if !resp.status().is_success() {
            return Err(self.error_from(resp, &what).await);
        }
        let content_type = header(&resp, reqwest::header::CONTENT_TYPE);
        let claimed = self.content_digest(&resp, &what)?;
        let raw = read_capped(resp, MANIFEST_LIMIT, &format!("manifest {what}")).await?;
        let expected = reference.parse::<Digest>().ok().or(claimed);
        let digest = verify(&what, expected, &raw)?;
        Manifest::decode(digest, content_type.as_deref(), raw).map_err(|detail| {
            Error::InvalidResponse {
                registry: self.name.clone(),
                detail: format!("{what}: {detail}"),
            }
        })
    }

    /// Whether the registry has blob `digest` in `repository` (a HEAD; a
    /// redirect to storage counts as there).
    pub async fn has_blob(&self, repository: &str, digest: &Digest) -> Result<bool> {
        let url = self.repo_url(repository, "blobs", &digest.to_string())?;
        let resp = self
            .send(Method::HEAD, &url, &pull_scope(repository), None)
            .await?;
        match resp.status().as_u16() {
            200..=299 | 301 | 302 | 303 | 307 | 308 => Ok(true),
            404 => Ok(false),
            _ => Err(self
                .error_from(resp, &format!("blob {digest} in {repository}"))
                .await),
        }
    }

    /// The OCI 1.1 referrers API's index of what refers to `digest`, or `None`
    /// when the registry has no such API (Distribution 2.8 answers a plain-text
    /// 404; others 400, 405 or 501). The answer is not content-addressed: it is
    /// decoded under the digest of its own bytes.
    pub async fn referrers(&self, repository: &str, digest: &Digest) -> Result<Option<Manifest>> {
        let _probing = match self.referrers_api.get() {
            Some(false) => return Ok(None),
            Some(true) => None,
            None => Some(self.referrers_probe.lock().await),
        };
        if self.referrers_api.get() == Some(&false) {
            return Ok(None);
        }
        let url = self.repo_url(repository, "referrers", &digest.to_string())?;
        let what = format!("{}/{repository} referrers of {digest}", self.name);
        let accept = crate::oci::manifest::OCI_INDEX;
        let resp = self
            .send(Method::GET, &url, &pull_scope(repository), Some(accept))
            .await?;
        let status = resp.status().as_u16();
        // A registry with the API never answers 404 (the spec); 400 may be this request's.
        if matches!(status, 404 | 405 | 501) {
            let _ = self.referrers_api.set(false);
            return Ok(None);
        }
        if status == 400 {
            return Ok(None);
        }
        if resp.status().is_success() {
            let _ = self.referrers_api.set(true);
        }
        if !resp.status().is_success() {
            return Err(self.error_from(resp, &what).await);
        }
        let content_type = header(&resp, reqwest::header::CONTENT_TYPE);
        let is_index = content_type
            .as_deref()
            .is_some_and(|c| c.starts_with(accept));
        let raw = read_capped(resp, MANIFEST_LIMIT, &what).await?;
        let digest = verify(&what, None, &raw)?;
        let index = Manifest::decode(digest, content_type.as_deref(), raw).map_err(|detail| {
            Error::InvalidResponse {
                registry: self.name.clone(),
                detail: format!("{what}: {detail}"),
            }
        })?;
        // A registry without the API may answer 200 with something else.
        Ok((is_index || index.kind == crate::oci::manifest::ManifestKind::Index).then_some(index))
    }

    /// `GET` a blob, following redirects (credentials stay with the registry's own
    /// origin), capped at `limit` bytes and verified against `digest`.
    pub async fn blob(
        &self,
        repository: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<bytes::Bytes> {
        let what = format!("blob {digest} in {repository}");
        let policy = self.opts.retry;
        let resp = self
            .blob_response(repository, digest, None, &policy)
            .await?;
        let body = read_capped(resp, limit, &what).await?;
        verify(&what, Some(digest.clone()), &body)?;
        Ok(body)
    }

    /// The answer to a blob `GET` (redirects followed, as `blob`), whose body
    /// the caller reads; `range` asks for bytes `start..end` only (a registry
    /// may ignore it: then the status is 200, not 206). `policy` bounds the
    /// whole operation, body included.
    pub async fn blob_response(
        &self,
        repository: &str,
        digest: &Digest,
        range: Option<std::ops::Range<u64>>,
        policy: &crate::registry::transport::RetryPolicy,
    ) -> Result<Response> {
        let what = format!("blob {digest} in {repository}");
        let mut url = self.repo_url(repository, "blobs", &digest.to_string())?;
        let scope = pull_scope(repository);
        let ranged = |req: reqwest::RequestBuilder| match &range {
            Some(r) if r.end > r.start => req.header(
                reqwest::header::RANGE,
                format!("bytes={}-{}", r.start, r.end - 1),
            ),
            _ => req,
        };
        for _ in 0..=MAX_REDIRECTS {
            let resp = if same_origin(&url, &self.base) {
                self.send_within(policy, Method::GET, &url, &scope, ranged)
                    .await?
            } else {
                let target = url.clone();
                let foreign = self.foreign.client_for(&target)?;
                send_with_retry(&self.name, policy, None, || {
                    ranged(foreign.get(target.clone()))
                })
                .await?
            };
            if resp.status().is_redirection() {
                let location = header(&resp, LOCATION)
                    .ok_or_else(|| self.invalid("redirect without Location"))?;
                url = url
                    .join(&location)
                    .map_err(|_| self.invalid("redirect Location is not a URL"))?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(self.invalid("redirect to a non-HTTP URL"));
                }
                continue;
            }
            if !resp.status().is_success() {
                return Err(self.error_from(resp, &what).await);
            }
            return Ok(resp);
        }
        Err(self.invalid(&format!("more than {MAX_REDIRECTS} redirects for {what}")))
    }

    pub fn retry_policy(&self) -> crate::registry::transport::RetryPolicy {
        self.opts.retry
    }

    /// `Docker-Content-Digest`, when sent; one that does not parse is an error.
    fn content_digest(&self, resp: &Response, what: &str) -> Result<Option<Digest>> {
        let Some(value) = header(resp, "docker-content-digest") else {
            return Ok(None);
        };
        value.trim().parse::<Digest>().map(Some).map_err(|e| {
            self.invalid(&format!(
                "{what}: its Docker-Content-Digest {:?} is not a digest ({e})",
                crate::oci::text::sanitize_line(&value, 100)
            ))
        })
    }

    pub(super) fn invalid(&self, detail: &str) -> Error {
        Error::InvalidResponse {
            registry: self.name.clone(),
            detail: detail.to_string(),
        }
    }
}

/// How a DELETE went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOutcome {
    Deleted,
    /// The registry answered one of the documented "no delete by tag" refusals
    /// (Distribution's 400 `DIGEST_INVALID`, 405, `UNSUPPORTED`): deleting by
    /// digest is the way there. Any other refusal is an error.
    TagDeleteUnsupported,
}

impl RegistryClient {
    /// `DELETE /v2/<repo>/manifests/<reference>`.
    pub async fn delete_manifest(
        &self,
        repository: &str,
        reference: &str,
    ) -> Result<DeleteOutcome> {
        let url = self.repo_url(repository, "manifests", reference)?;
        let scope = format!("repository:{repository}:delete");
        let resp = self.send(Method::DELETE, &url, &scope, None).await?;
        let status = resp.status().as_u16();
        if resp.status().is_success() {
            return Ok(DeleteOutcome::Deleted);
        }
        let by_tag = reference.parse::<Digest>().is_err();
        let what = format!("{}/{repository}:{reference}", self.name);
        let retry_after = None;
        let body = read_capped(resp, ERROR_BODY_LIMIT, "error body")
            .await
            .unwrap_or_default();
        let codes = super::error::ErrorBody::parse(&body);
        let no_tag_delete = status == 405
            || (status == 400 && codes.has_code("DIGEST_INVALID"))
            || codes.has_code("UNSUPPORTED");
        if by_tag && no_tag_delete {
            return Ok(DeleteOutcome::TagDeleteUnsupported);
        }
        match classify(&self.name, status, &body, &what, retry_after) {
            Error::Unsupported { .. } => Err(Error::Unsupported {
                registry: self.name.clone(),
                detail: "deletion is disabled; on Distribution set storage.delete.enabled: true \
                         (or REGISTRY_STORAGE_DELETE_ENABLED=true) and restart it"
                    .into(),
            }),
            Error::Unauthorized { registry, .. } | Error::Denied { registry, .. } => {
                Err(Error::Denied {
                    registry,
                    detail: format!("the credentials do not grant delete on {repository}"),
                })
            }
            other => Err(other),
        }
    }

    /// `PUT` a manifest under a tag or its digest; returns the digest the registry stored.
    pub async fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        body: bytes::Bytes,
    ) -> Result<Digest> {
        let url = self.repo_url(repository, "manifests", reference)?;
        let scope = push_scope(repository);
        let resp = self
            .send_with(Method::PUT, &url, &scope, |req| {
                req.header(reqwest::header::CONTENT_TYPE, media_type)
                    .body(body.clone())
            })
            .await?;
        if !resp.status().is_success() {
            return Err(self
                .error_from(resp, &format!("{repository}:{reference}"))
                .await);
        }
        Ok(header(&resp, "docker-content-digest")
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| Digest::sha256_of(&body)))
    }
}

/// Pings `/v2/` over each scheme in turn. The first registry answer (2xx or 401)
/// wins; failing that, another answer (e.g. 404, reported by the caller), else the
/// last error. Loopback tries plain HTTP first, which also keeps TLS (and its
/// entropy start-up) out of the way of local registries.
async fn probe(
    http: &reqwest::Client,
    registry: &str,
    host: &str,
    schemes: &[&str],
) -> Result<(Url, Response)> {
    let mut other_answer = None;
    let mut last_error = None;
    for scheme in schemes {
        let base = base_url(scheme, host, registry)?;
        match http
            .get(
                base.join("v2/")
                    .map_err(|e| Error::Config(format!("bad registry URL: {e}")))?,
            )
            .send()
            .await
        {
            Ok(resp) if resp.status().is_success() || resp.status().as_u16() == 401 => {
                return Ok((base, resp));
            }
            // A TLS server answers plain HTTP with 400: try the next scheme.
            Ok(resp) if resp.status().as_u16() == 400 => {
                last_error = Some(Error::Http {
                    registry: registry.to_string(),
                    status: 400,
                    detail: format!("{scheme} was refused (does it want HTTPS?)"),
                });
            }
            Ok(resp) => {
                other_answer.get_or_insert((base, resp));
            }
            Err(e) => last_error = Some(transport_error(registry, &e)),
        }
    }
    match (other_answer, last_error) {
        (Some(answer), _) => Ok(answer),
        (None, Some(e)) => Err(e),
        (None, None) => Err(Error::Config(format!("no scheme to reach {registry}"))),
    }
}

/// A repository name is checked before it goes into a URL or a token scope.
pub(super) fn check_repository(repository: &str) -> Result<()> {
    if is_valid_repository(repository) {
        return Ok(());
    }
    Err(Error::InvalidName {
        kind: "repository",
        what: format!("{:?}", crate::oci::text::sanitize_line(repository, 260)),
    })
}

pub fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

pub fn push_scope(repository: &str) -> String {
    format!("repository:{repository}:pull,push")
}

/// Checks `body` against `expected` and returns its digest (sha256 when nothing was expected).
fn verify(what: &str, expected: Option<Digest>, body: &[u8]) -> Result<Digest> {
    match expected {
        Some(expected) => {
            let actual = expected.recompute(body);
            if actual != expected {
                return Err(Error::DigestMismatch {
                    what: what.to_string(),
                    expected,
                    actual,
                });
            }
            Ok(actual)
        }
        None => Ok(Digest::sha256_of(body)),
    }
}

fn header(resp: &Response, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn host_part(host_port: &str) -> &str {
    if host_port.starts_with('[') {
        return host_port.split(']').next().map_or(host_port, |h| &h[1..]);
    }
    host_port.split(':').next().unwrap_or(host_port)
}

fn base_url(scheme: &str, host: &str, registry: &str) -> Result<Url> {
    Url::parse(&format!("{scheme}://{host}/"))
        .map_err(|_| Error::Config(format!("{registry:?} is not a valid registry address")))
}
