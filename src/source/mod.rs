//! What regscope browses, independent of any front end: a `Source` of repositories,
//! tags, manifests and blobs, with a content-addressed cache in front of it.

pub mod delete;
pub mod detail;
pub mod inspect;
pub mod layout;
pub mod layout_write;
pub mod restore;
pub mod summary;
pub mod target;
pub mod usage;

use crate::model::text::sanitize_line;
use crate::registry::RegistryClient;
use crate::registry::digest::Digest;
use crate::registry::error::Result;
use crate::registry::manifest::Manifest;
use crate::registry::paginate::Listing;
use layout::LayoutStore;
use std::sync::Arc;

/// A place with repositories. An enum rather than a trait object: the set of
/// sources is small and closed, and async methods stay simple.
#[derive(Clone)]
pub enum Source {
    Registry(Arc<RegistryClient>),
    Layout(Arc<LayoutStore>),
}

/// Runs a layout operation off the async workers (it reads files).
pub(crate) async fn on_disk<T: Send + 'static>(
    store: &Arc<LayoutStore>,
    f: impl FnOnce(&LayoutStore) -> Result<T> + Send + 'static,
) -> Result<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| crate::registry::RegistryError::Config(format!("layout task failed: {e}")))?
}

impl Source {
    /// The name shown to the user (`host:port`).
    pub fn name(&self) -> String {
        match self {
            Source::Registry(client) => sanitize_line(client.name(), 200),
            Source::Layout(store) => sanitize_line(&store.name(), 200),
        }
    }

    pub async fn repositories(&self) -> Result<Listing> {
        match self {
            Source::Registry(client) => client.catalog().await,
            Source::Layout(store) => on_disk(store, |s| s.repositories()).await,
        }
    }

    pub async fn tags(&self, repository: &str) -> Result<Listing> {
        match self {
            Source::Registry(client) => client.tags(repository).await,
            Source::Layout(store) => {
                let repo = repository.to_string();
                on_disk(store, move |s| s.tags(&repo)).await
            }
        }
    }

    /// Tag → digest without a pull (a HEAD on registries).
    pub async fn resolve(&self, repository: &str, tag: &str) -> Result<Digest> {
        match self {
            Source::Registry(client) => Ok(client.head_manifest(repository, tag).await?.digest),
            Source::Layout(store) => {
                let (repo, tag) = (repository.to_string(), tag.to_string());
                on_disk(store, move |s| s.resolve(&repo, &tag)).await
            }
        }
    }

    pub async fn manifest(&self, repository: &str, reference: &str) -> Result<Manifest> {
        match self {
            Source::Registry(client) => client.manifest(repository, reference).await,
            Source::Layout(store) => {
                let (repo, reference) = (repository.to_string(), reference.to_string());
                on_disk(store, move |s| s.manifest(&repo, &reference)).await
            }
        }
    }

    pub async fn blob(
        &self,
        repository: &str,
        digest: &Digest,
        limit: u64,
    ) -> Result<bytes::Bytes> {
        match self {
            Source::Registry(client) => client.blob(repository, digest, limit).await,
            Source::Layout(store) => {
                let (repo, digest) = (repository.to_string(), digest.clone());
                on_disk(store, move |s| s.blob(&repo, &digest, limit)).await
            }
        }
    }
}
