//! Where a copy goes, and what it is known to hold already.

use crate::oci::digest::Digest;
use crate::source::Source;
use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

/// What the destination is known to hold, shared by the copies of one
/// command (`sync`): a blob checked or copied once is not asked about again.
#[derive(Debug, Default)]
pub struct Known {
    blobs: Mutex<HashSet<Digest>>,
    manifests: Mutex<HashSet<Digest>>,
}

impl Known {
    pub fn blob(&self, digest: &Digest) -> bool {
        lock(&self.blobs).contains(digest)
    }

    pub fn add_blob(&self, digest: &Digest) {
        lock(&self.blobs).insert(digest.clone());
    }

    pub fn manifest(&self, digest: &Digest) -> bool {
        lock(&self.manifests).contains(digest)
    }

    pub fn add_manifest(&self, digest: &Digest) {
        lock(&self.manifests).insert(digest.clone());
    }
}

fn lock(set: &Mutex<HashSet<Digest>>) -> std::sync::MutexGuard<'_, HashSet<Digest>> {
    set.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where a copy goes: a source to write to, its repository, and the work
/// width (parallel HEADs and transfers).
pub struct Destination<'a> {
    pub source: &'a Source,
    pub repository: &'a str,
    pub width: usize,
    pub known: &'a Known,
}
