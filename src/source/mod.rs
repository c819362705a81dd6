//! What regscope browses, independent of any front end: a `Source` of repositories,
//! tags, manifests and blobs, with a content-addressed cache in front of it.

pub mod detail;
pub mod inspect;
pub mod summary;

use crate::model::text::sanitize_line;
use crate::registry::RegistryClient;
use crate::registry::digest::Digest;
use crate::registry::error::Result;
use crate::registry::manifest::Manifest;
use crate::registry::paginate::Listing;
use std::sync::Arc;

/// A place with repositories. An enum rather than a trait object: the set of
/// sources is small and closed, and async methods stay simple.
#[derive(Clone)]
pub enum Source {
    Registry(Arc<RegistryClient>),
}

impl Source {
    /// The name shown to the user (`host:port`).
    pub fn name(&self) -> String {
        match self {
            Source::Registry(client) => sanitize_line(client.name(), 200),
        }
    }

    pub async fn repositories(&self) -> Result<Listing> {
        match self {
            Source::Registry(client) => client.catalog().await,
        }
    }

    pub async fn tags(&self, repository: &str) -> Result<Listing> {
        match self {
            Source::Registry(client) => client.tags(repository).await,
        }
    }

    /// Tag → digest without a pull (a HEAD on registries).
    pub async fn resolve(&self, repository: &str, tag: &str) -> Result<Digest> {
        match self {
            Source::Registry(client) => Ok(client.head_manifest(repository, tag).await?.digest),
        }
    }

    pub async fn manifest(&self, repository: &str, reference: &str) -> Result<Manifest> {
        match self {
            Source::Registry(client) => client.manifest(repository, reference).await,
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
        }
    }
}
