//! `Source`: the two backends (a registry, or OCI layout directories) behind one
//! set of operations. Everything above this layer is backend-agnostic.

pub mod blob;
pub mod target;
pub mod transfer;

pub use crate::registry::transport::{RateLimit, Traffic};

use crate::layout::{BLOBS_GONE, LayoutStore, Restorable, tag_of};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::listing::Listing;
use crate::oci::manifest::Manifest;
use crate::oci::text::sanitize_line;
use crate::registry::RegistryClient;
use crate::registry::client::DeleteOutcome;
use std::sync::Arc;

/// Longest source name shown.
const NAME_WIDTH: usize = 200;

/// A place with repositories. An enum rather than a trait object: the set of
/// sources is small and closed, and async methods stay simple.
#[derive(Clone)]
pub enum Source {
    Registry(Arc<RegistryClient>),
    Layout(Arc<LayoutStore>),
}

/// How a deletion went through; JSON `method`: `tag`, `digest` or `index_entry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeleteMethod {
    /// The registry deleted the tag alone (OCI 1.1): the manifest stays.
    Tag,
    /// The manifest, with every tag on it.
    Digest,
    /// A layout's `index.json` entry.
    IndexEntry,
}

impl std::fmt::Display for DeleteMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DeleteMethod::Tag => "tag",
            DeleteMethod::Digest => "digest",
            DeleteMethod::IndexEntry => "index entry",
        })
    }
}

/// Runs a layout operation off the async workers (it reads files).
async fn on_disk<T: Send + 'static>(
    store: &Arc<LayoutStore>,
    f: impl FnOnce(&LayoutStore) -> Result<T> + Send + 'static,
) -> Result<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| Error::Config(format!("layout task failed: {e}")))?
}

impl Source {
    /// The name shown to the user (`host:port`, `oci:/path`).
    pub fn name(&self) -> String {
        match self {
            Source::Registry(client) => sanitize_line(client.name(), NAME_WIDTH),
            Source::Layout(store) => sanitize_line(&store.name(), NAME_WIDTH),
        }
    }

    /// How reports name a repository (`host/repo`; a single layout is its own name).
    pub fn display_repository(&self, repository: &str) -> String {
        match self {
            Source::Layout(store) if store.is_single() => self.name(),
            _ => format!("{}/{repository}", self.name()),
        }
    }

    /// Where the trash says a repository lives (`host:port` or `oci:PATH`).
    /// What the registry has been asked this session (nothing for layouts).
    pub fn traffic(&self) -> Traffic {
        match self {
            Source::Registry(client) => client.traffic(),
            Source::Layout(_) => Traffic::default(),
        }
    }

    /// Where the source is, as plans and the trash record it.
    pub fn place(&self) -> target::Location {
        match self {
            Source::Registry(client) => target::Location::Registry(client.name().to_string()),
            Source::Layout(store) => target::Location::Layout(store.root().to_path_buf()),
        }
    }

    pub fn location(&self) -> String {
        self.place().to_string()
    }

    /// A registry client that sends no request (`--offline`, a trusted snapshot).
    pub fn is_offline(&self) -> bool {
        matches!(self, Source::Registry(client) if client.is_offline())
    }

    /// Layouts remove index entries by name; registries delete whole digests.
    pub fn deletes_single_tags(&self) -> bool {
        matches!(self, Source::Layout(_))
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

    /// `tags`, with `so_far` told every tag listed yet after each page of a
    /// registry's listing (a layout answers at once).
    pub async fn tags_streaming(
        &self,
        repository: &str,
        so_far: &(dyn Fn(&[String]) + Sync),
    ) -> Result<Listing> {
        match self {
            Source::Registry(client) => client.tags_streaming(repository, so_far).await,
            Source::Layout(_) => self.tags(repository).await,
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

    /// Whether manifest `digest` is in the repository (untagged counts): only
    /// a 404 (`MANIFEST_UNKNOWN`) says it is not; any other failure is no
    /// answer and comes back as the error.
    pub async fn manifest_exists(&self, repository: &str, digest: &Digest) -> Result<bool> {
        let answer = match self {
            Source::Registry(_) => self.resolve(repository, &digest.to_string()).await,
            // A layout holds the manifest while its blob is there.
            Source::Layout(_) => self
                .manifest(repository, &digest.to_string())
                .await
                .map(|m| m.digest),
        };
        match answer {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Tag → digest of every one of `tags` in one read, where the backend can
    /// (a layout's index.json); `None` means ask tag by tag.
    pub async fn resolve_all(
        &self,
        repository: &str,
        tags: &[String],
    ) -> Result<Option<Vec<(String, Digest)>>> {
        let Source::Layout(store) = self else {
            return Ok(None);
        };
        let repo = repository.to_string();
        let index = on_disk(store, move |s| s.index(&repo)).await?;
        let resolved = index
            .manifests
            .iter()
            .filter_map(|d| Some((tag_of(d), d.parsed_digest().ok()?)))
            .filter(|(tag, _)| tags.contains(tag))
            .collect();
        Ok(Some(resolved))
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

    /// Whether blob `digest` is there (a HEAD on registries, the file in layouts).
    pub async fn has_blob(&self, repository: &str, digest: &Digest) -> Result<bool> {
        match self {
            Source::Registry(client) => client.has_blob(repository, digest).await,
            Source::Layout(store) => {
                let (repo, digest) = (repository.to_string(), digest.clone());
                on_disk(store, move |s| {
                    let path = s
                        .layout_dir(&repo)?
                        .join("blobs")
                        .join(digest.algorithm())
                        .join(digest.hex());
                    Ok(path.is_file())
                })
                .await
            }
        }
    }

    /// The referrers API's answer for `digest` (`None`: no such API; layouts
    /// have none).
    pub async fn referrers(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Option<crate::oci::manifest::Manifest>> {
        match self {
            Source::Registry(client) => client.referrers(repository, digest).await,
            Source::Layout(_) => Ok(None),
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

    /// Removes one tag, leaving the manifest and its other tags: `Ok(false)` when
    /// the registry does not delete by tag (its documented refusal); layouts
    /// remove the index entry of that name.
    pub async fn delete_tag(&self, repository: &str, tag: &str) -> Result<bool> {
        match self {
            Source::Registry(client) => Ok(matches!(
                client.delete_manifest(repository, tag).await?,
                DeleteOutcome::Deleted
            )),
            Source::Layout(store) => {
                let (repo, tag) = (repository.to_string(), tag.to_string());
                let removed = on_disk(store, move |s| {
                    s.remove_entries(&repo, |_, name| name == Some(tag.as_str()))
                })
                .await?;
                Ok(!removed.is_empty())
            }
        }
    }

    /// Deletes the manifest `digest`, and with it every tag that points at it.
    pub async fn delete_digest(&self, repository: &str, digest: &Digest) -> Result<()> {
        match self {
            Source::Registry(client) => {
                client
                    .delete_manifest(repository, &digest.to_string())
                    .await?;
                Ok(())
            }
            Source::Layout(store) => {
                let (repo, wanted) = (repository.to_string(), digest.to_string());
                on_disk(store, move |s| s.remove_entries(&repo, |d, _| d == wanted)).await?;
                Ok(())
            }
        }
    }

    /// How a deletion by tag is named in reports.
    pub fn tag_delete_method(&self) -> DeleteMethod {
        match self {
            Source::Registry(_) => DeleteMethod::Tag,
            Source::Layout(_) => DeleteMethod::IndexEntry,
        }
    }

    /// Puts `body` under `reference` (a registry; layouts have no referrers
    /// indexes to rewrite). Returns the digest the registry stored.
    pub async fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        body: bytes::Bytes,
    ) -> Result<Digest> {
        match self {
            Source::Registry(client) => {
                client
                    .put_manifest(repository, reference, media_type, body)
                    .await
            }
            Source::Layout(store) => Err(Error::Unsupported {
                registry: store.name(),
                detail: "rewriting a manifest in a layout".into(),
            }),
        }
    }

    /// Puts a deleted manifest back under its tags (or untagged); returns the tags
    /// put back. Fails when the blobs it needs are gone.
    pub async fn restore(&self, item: Restorable) -> Result<Vec<String>> {
        match self {
            Source::Registry(client) => {
                let repo = &item.repository;
                let references: Vec<String> = if item.tags.is_empty() {
                    vec![item.digest.to_string()]
                } else {
                    item.tags.clone()
                };
                for reference in &references {
                    let body = bytes::Bytes::from(item.manifest.clone());
                    let stored = client
                        .put_manifest(repo, reference, &item.media_type, body)
                        .await
                        .map_err(explain_missing_blobs)?;
                    if stored != item.digest {
                        return Err(Error::DigestMismatch {
                            what: format!("restored {repo}:{reference}"),
                            expected: item.digest.clone(),
                            actual: stored,
                        });
                    }
                }
                Ok(item.tags)
            }
            Source::Layout(store) => on_disk(store, move |s| s.restore(&item)).await,
        }
    }

    /// Removes blobs nothing references any more (layouts only; registries
    /// garbage-collect on their own schedule). Returns blobs and bytes removed.
    pub async fn prune(&self, repository: &str) -> Result<Option<(usize, u64)>> {
        match self {
            Source::Registry(_) => Ok(None),
            Source::Layout(store) => {
                let repo = repository.to_string();
                Ok(Some(on_disk(store, move |s| s.prune(&repo)).await?))
            }
        }
    }
}

fn explain_missing_blobs(e: Error) -> Error {
    let text = e.to_string();
    if e.is_not_found() || text.contains("BLOB_UNKNOWN") || text.contains("MANIFEST_UNKNOWN") {
        Error::NotFound {
            what: format!("{BLOBS_GONE} ({text})"),
        }
    } else {
        e
    }
}
