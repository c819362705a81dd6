//! A proxy in front of a real registry that passes every request through,
//! except those a rule answers itself: faults a real registry will not
//! produce on demand (a 500 on one HEAD, a tag list whose `Link` loops).

use super::fake::{FakeServer, Seen};
use std::sync::Arc;

/// What a rule answers instead of the registry; `None` passes the request on.
pub type Rule = Arc<dyn Fn(&Seen) -> Option<axum::response::Response> + Send + Sync>;

/// Starts a proxy to `upstream` (`127.0.0.1:PORT`).
pub fn start(upstream: &str, rule: Rule) -> FakeServer {
    start_with(upstream, rule, false)
}

/// A proxy that also rewrites every `Location` it passes back to a path
/// relative to the server (as some registries send it; Distribution sends
/// absolute ones, which name the upstream).
pub fn start_with(upstream: &str, rule: Rule, relative_location: bool) -> FakeServer {
    start_full(upstream, rule, Arc::new(|_| {}), relative_location)
}

/// Changes a request on its way to the registry (a query parameter dropped).
pub type Rewrite = Arc<dyn Fn(&mut Seen) + Send + Sync>;

/// A proxy that answers what `rule` answers, rewrites the rest with
/// `rewrite`, and may make `Location`s relative.
pub fn start_full(
    upstream: &str,
    rule: Rule,
    rewrite: Rewrite,
    relative_location: bool,
) -> FakeServer {
    let upstream = upstream.to_string();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (rule, client, upstream) = (rule.clone(), client.clone(), upstream.clone());
        let rewrite = rewrite.clone();
        async move {
            let mut seen = Seen::of(&req);
            // The body is read first: answering before it would reset the
            // connection under a client still sending it.
            let body = axum::body::to_bytes(req.into_body(), 64 << 20)
                .await
                .unwrap_or_default();
            if let Some(response) = rule(&seen) {
                return response;
            }
            rewrite(&mut seen);
            forward(&client, &upstream, seen, body, relative_location).await
        }
    });
    FakeServer::start(app)
}

async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    seen: Seen,
    body: axum::body::Bytes,
    relative_location: bool,
) -> axum::response::Response {
    let query = seen.query.map(|q| format!("?{q}")).unwrap_or_default();
    let url = format!("http://{upstream}{}{query}", seen.path);
    let mut request = client.request(seen.method, url).body(body);
    for (name, value) in seen.headers.iter().filter(|(n, _)| *n != "host") {
        request = request.header(name, value);
    }
    let Ok(response) = request.send().await else {
        return super::fake::respond(502, &[], "upstream unreachable");
    };
    let mut builder = axum::http::Response::builder().status(response.status().as_u16());
    for (name, value) in response.headers() {
        if name == "location" && relative_location {
            let text = value.to_str().unwrap_or_default();
            let relative = url::Url::parse(text)
                .map(|u| {
                    format!(
                        "{}{}",
                        u.path(),
                        u.query().map(|q| format!("?{q}")).unwrap_or_default()
                    )
                })
                .unwrap_or_else(|_| text.to_string());
            builder = builder.header(name, relative);
        } else if name != "content-length" && name != "transfer-encoding" {
            builder = builder.header(name, value);
        }
    }
    let bytes = response.bytes().await.unwrap_or_default();
    builder
        .body(axum::body::Body::from(bytes))
        .expect("response")
}
