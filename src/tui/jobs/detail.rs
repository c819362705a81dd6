//! The detail pane's manifest, config and referrers.

use super::message;
use crate::oci::digest::Digest;
use crate::ops::{detail, referrers};
use crate::store::CachedSource;
use crate::tui::msg::Finished;
use crate::tui::state::DetailData;
use std::sync::Arc;

pub async fn detail(
    source: &CachedSource,
    repo: &str,
    digest: &Digest,
    referrer_tags: &[String],
) -> Finished {
    let loaded = match detail::load(source, repo, digest).await {
        Ok(d) => d,
        Err(e) => return Finished::Detail(Err(message(&e))),
    };
    // What refers to it: a failure leaves the list empty, not the pane.
    let found = referrers::discover(source, repo, loaded.manifest(), referrer_tags, None)
        .await
        .map(|r| r.referrers)
        .unwrap_or_default();
    Finished::Detail(Ok(Arc::new(DetailData::new(loaded, found))))
}

pub async fn supply(
    source: &CachedSource,
    repo: &str,
    digest: Digest,
    tags: &[String],
    key: Option<&crate::model::signature::PublicKey>,
) -> Finished {
    let result = crate::ops::supply::summary(source, repo, &digest, tags, key).await;
    Finished::Supply {
        digest,
        result: result.map(Arc::new).map_err(|e| message(&e)),
    }
}

pub async fn verify(
    source: &CachedSource,
    repo: &str,
    digest: Digest,
    tags: &[String],
    key: &crate::model::signature::PublicKey,
) -> Finished {
    let result = crate::ops::supply::standing(source, repo, &digest, tags, key).await;
    Finished::Verified {
        digest,
        result: result.map_err(|e| message(&e)),
    }
}
