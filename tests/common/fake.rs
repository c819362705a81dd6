//! A tiny HTTP server for faults a real registry will not produce
//! (hostile bodies, 429 storms, redirects to other hosts, Link loops).

use axum::Router;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct FakeServer {
    pub port: u16,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeServer {
    pub fn start(app: Router) -> FakeServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind fake server");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await;
            });
        });
        FakeServer {
            port,
            shutdown: Some(tx),
        }
    }

    /// `127.0.0.1:PORT`
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A shared request counter for fake handlers.
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicUsize>);

impl Counter {
    pub fn bump(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A request as a fake handler sees it.
pub struct Seen {
    pub method: axum::http::Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: axum::http::HeaderMap,
}

impl Seen {
    pub fn of(req: &axum::extract::Request) -> Seen {
        Seen {
            method: req.method().clone(),
            path: req.uri().path().to_string(),
            query: req.uri().query().map(str::to_string),
            headers: req.headers().clone(),
        }
    }
}

/// Serves every request with `handler`.
pub fn serve(
    handler: impl Fn(Seen) -> axum::response::Response + Send + Sync + 'static,
) -> FakeServer {
    let handler = Arc::new(handler);
    let app = Router::new().fallback(move |req: axum::extract::Request| {
        let handler = handler.clone();
        async move { handler(Seen::of(&req)) }
    });
    FakeServer::start(app)
}

/// A response with a status, headers and a body.
pub fn respond(
    status: u16,
    headers: &[(&str, &str)],
    body: impl Into<axum::body::Body>,
) -> axum::response::Response {
    let mut builder = axum::http::Response::builder().status(status);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(body.into()).expect("response")
}
