//! Content addressed by digest is immutable: each manifest and config is fetched
//! once (concurrent askers wait for the same fetch) and kept in memory.

use crate::registry::digest::Digest;
use crate::registry::error::Result;
use crate::registry::image_config::ImageConfig;
use crate::registry::manifest::{CONFIG_LIMIT, Manifest};
use crate::source::Source;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// A config blob: its raw bytes (for the JSON view) and what parsed of it.
#[derive(Debug)]
pub struct ConfigBlob {
    pub raw: bytes::Bytes,
    pub parsed: Option<ImageConfig>,
}

type Cells<T> = Mutex<HashMap<Digest, Arc<OnceCell<Arc<T>>>>>;

#[derive(Default)]
pub struct ContentCache {
    manifests: Cells<Manifest>,
    configs: Cells<ConfigBlob>,
}

impl ContentCache {
    pub async fn manifest(
        &self,
        source: &Source,
        repo: &str,
        digest: &Digest,
    ) -> Result<Arc<Manifest>> {
        let cell = cell(&self.manifests, digest);
        cell.get_or_try_init(|| async {
            source
                .manifest(repo, &digest.to_string())
                .await
                .map(Arc::new)
        })
        .await
        .cloned()
    }

    pub async fn config(
        &self,
        source: &Source,
        repo: &str,
        digest: &Digest,
    ) -> Result<Arc<ConfigBlob>> {
        let cell = cell(&self.configs, digest);
        cell.get_or_try_init(|| async {
            let raw = source.blob(repo, digest, CONFIG_LIMIT).await?;
            let parsed = ImageConfig::parse(&raw);
            Ok(Arc::new(ConfigBlob { raw, parsed }))
        })
        .await
        .cloned()
    }

    /// Number of cached manifests (for tests and diagnostics).
    pub fn manifest_count(&self) -> usize {
        let map = self.manifests.lock().expect("cache lock");
        map.values().filter(|c| c.initialized()).count()
    }
}

fn cell<T>(cells: &Cells<T>, digest: &Digest) -> Arc<OnceCell<Arc<T>>> {
    let mut map = cells.lock().expect("cache lock");
    map.entry(digest.clone()).or_default().clone()
}
