//! OCI image layouts on disk (what skopeo, umoci, buildah and oras write):
//! `oci-layout`, `index.json`, `blobs/<algorithm>/<hex>`. A directory whose
//! subdirectories are layouts is a "registry" of them.
//!
//! Nothing outside the layout directory is ever read or written: repository
//! names are validated, blob paths come from validated digests, and every path
//! is resolved (symlinks included) and checked to stay inside the root.

use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::listing::Listing;
use crate::oci::manifest::{Descriptor, MANIFEST_LIMIT, Manifest};
use serde::Deserialize;
use std::io::Read;
use std::path::{Path, PathBuf};

pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
const INDEX_LIMIT: u64 = 64 * 1024 * 1024;
const MAX_DEPTH: usize = 8;
const MAX_REPOSITORIES: usize = 100_000;

/// One layout, or a directory of layouts.
#[derive(Debug, Clone)]
pub struct LayoutStore {
    /// Canonical root directory.
    root: PathBuf,
    /// Set when the root itself is a layout: its repository name.
    single: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LayoutIndex {
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

impl LayoutStore {
    /// Opens `path`: a layout (it holds `oci-layout`) or a directory of layouts.
    pub fn open(path: &Path) -> Result<LayoutStore> {
        let root = path
            .canonicalize()
            .map_err(|e| config(format!("cannot open {}: {e}", path.display())))?;
        if !root.is_dir() {
            return Err(config(format!("{} is not a directory", path.display())));
        }
        let single = root.join("oci-layout").is_file().then(|| {
            root.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "layout".to_string())
        });
        Ok(LayoutStore { root, single })
    }

    /// `oci:/path` as the user wrote it.
    pub fn name(&self) -> String {
        format!("oci:{}", self.root.display())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn is_single(&self) -> bool {
        self.single.is_some()
    }

    /// Subdirectories (nested allowed) that hold `oci-layout`, sorted.
    pub fn repositories(&self) -> Result<Listing> {
        if let Some(name) = &self.single {
            return Ok(Listing {
                items: vec![name.clone()],
                incomplete: None,
            });
        }
        let mut items = Vec::new();
        walk(&self.root, "", 0, &mut items)?;
        items.sort();
        let incomplete = (items.len() >= MAX_REPOSITORIES)
            .then(|| format!("stopped after {MAX_REPOSITORIES} layouts"));
        Ok(Listing { items, incomplete })
    }

    /// The directory of `repository`, checked to be a layout inside the root.
    pub fn layout_dir(&self, repository: &str) -> Result<PathBuf> {
        let dir = match &self.single {
            Some(name) if name == repository => self.root.clone(),
            Some(_) => return Err(not_found(repository)),
            None => {
                if !valid_repository(repository) {
                    return Err(not_found(repository));
                }
                self.root.join(repository)
            }
        };
        let dir = self.inside(&dir)?;
        if !dir.join("oci-layout").is_file() {
            return Err(not_found(repository));
        }
        Ok(dir)
    }

    pub fn index(&self, repository: &str) -> Result<LayoutIndex> {
        let path = self.layout_dir(repository)?.join("index.json");
        let raw = self.read_capped(&path, INDEX_LIMIT, "index.json")?;
        serde_json::from_slice(&raw)
            .map_err(|e| invalid(&self.name(), &format!("{}: {e}", path.display())))
    }

    /// Tags from `org.opencontainers.image.ref.name`; entries without one appear as `@<digest>`.
    pub fn tags(&self, repository: &str) -> Result<Listing> {
        let index = self.index(repository)?;
        let mut items: Vec<String> = index.manifests.iter().map(tag_of).collect();
        items.dedup();
        Ok(Listing {
            items,
            incomplete: None,
        })
    }

    /// The digest a tag (or `@digest`) names.
    pub fn resolve(&self, repository: &str, tag: &str) -> Result<Digest> {
        if let Some(digest) = tag.strip_prefix('@') {
            return digest
                .parse()
                .map_err(|_| not_found(&format!("{repository}:{tag}")));
        }
        let index = self.index(repository)?;
        let entry = index
            .manifests
            .iter()
            .find(|d| d.annotations.get(REF_NAME).map(String::as_str) == Some(tag))
            .ok_or_else(|| not_found(&format!("{repository}:{tag}")))?;
        entry
            .parsed_digest()
            .map_err(|e| invalid(&self.name(), &e.to_string()))
    }

    pub fn manifest(&self, repository: &str, reference: &str) -> Result<Manifest> {
        let digest = match reference.parse::<Digest>() {
            Ok(d) => d,
            Err(_) => self.resolve(repository, reference)?,
        };
        let raw = self.blob(repository, &digest, MANIFEST_LIMIT)?;
        Manifest::decode(digest, None, raw).map_err(|e| invalid(&self.name(), &e.to_string()))
    }

    /// Where `blobs/<algorithm>/<hex>` is (inside the root), to stream it.
    pub fn blob_path(&self, repository: &str, digest: &Digest) -> Result<PathBuf> {
        let dir = self.layout_dir(repository)?;
        let path = dir
            .join("blobs")
            .join(digest.algorithm())
            .join(digest.hex());
        self.inside(&path).map_err(|e| match e {
            Error::NotFound { .. } => not_found(&format!("blob {digest} in {repository}")),
            e => e,
        })
    }

    /// Reads `blobs/<algorithm>/<hex>`, capped and verified against its digest.
    pub fn blob(&self, repository: &str, digest: &Digest, limit: u64) -> Result<bytes::Bytes> {
        let dir = self.layout_dir(repository)?;
        let path = dir
            .join("blobs")
            .join(digest.algorithm())
            .join(digest.hex());
        let what = format!("blob {digest} in {repository}");
        let raw = self.read_capped(&path, limit, &what)?;
        let actual = digest.recompute(&raw);
        if actual != *digest {
            return Err(Error::DigestMismatch {
                what,
                expected: digest.clone(),
                actual,
            });
        }
        Ok(bytes::Bytes::from(raw))
    }

    fn read_capped(&self, path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
        let path = self.inside(path)?;
        let file = std::fs::File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => not_found(what),
            _ => config(format!("cannot read {}: {e}", path.display())),
        })?;
        let mut raw = Vec::new();
        file.take(limit + 1)
            .read_to_end(&mut raw)
            .map_err(|e| config(format!("cannot read {}: {e}", path.display())))?;
        if raw.len() as u64 > limit {
            return Err(Error::TooLarge {
                what: what.to_string(),
                limit,
            });
        }
        Ok(raw)
    }

    /// Resolves `path` (following symlinks) and refuses anything outside the root.
    pub fn inside(&self, path: &Path) -> Result<PathBuf> {
        let resolved = match path.canonicalize() {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(not_found(&path.display().to_string()));
            }
            Err(e) => return Err(config(format!("cannot open {}: {e}", path.display()))),
        };
        if !resolved.starts_with(&self.root) {
            return Err(config(format!(
                "refusing {}: it leads outside the layout directory {}",
                path.display(),
                self.root.display()
            )));
        }
        Ok(resolved)
    }
}

/// How an index entry appears as a tag.
pub fn tag_of(descriptor: &Descriptor) -> String {
    match descriptor.annotations.get(REF_NAME) {
        Some(name) if !name.is_empty() => name.clone(),
        _ => format!("@{}", descriptor.digest),
    }
}

/// Finds layouts below `dir`, never following symlinked directories.
fn walk(dir: &Path, prefix: &str, depth: usize, found: &mut Vec<String>) -> Result<()> {
    if depth > MAX_DEPTH || found.len() >= MAX_REPOSITORIES {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| config(format!("cannot list {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().to_string();
        if !kind.is_dir() || !valid_component(&name) {
            continue;
        }
        let repo = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        if path.join("oci-layout").is_file() {
            found.push(repo);
        } else {
            walk(&path, &repo, depth + 1, found)?;
        }
    }
    Ok(())
}

fn valid_component(name: &str) -> bool {
    crate::oci::reference::RepositoryRef::parse(&format!("localhost/{name}")).is_ok()
        && !name.contains('/')
}

fn valid_repository(repository: &str) -> bool {
    !repository.is_empty() && repository.split('/').all(valid_component)
}

fn not_found(what: &str) -> Error {
    Error::NotFound {
        what: what.to_string(),
    }
}

fn config(message: String) -> Error {
    Error::Config(message)
}

fn invalid(name: &str, detail: &str) -> Error {
    Error::InvalidResponse {
        registry: name.to_string(),
        detail: detail.to_string(),
    }
}
