//! Taking a plan's deleted referrers out of a referrers tag-schema index whose
//! subject stays. Distribution has no conditional PUT, so the window is kept
//! small and checked on both sides: the tag must name the index that was read
//! right before the PUT, and the tag is read again after it.

use super::{IndexUpdate, UpdateOutcome};
use crate::oci::digest::Digest;
use crate::oci::error::Result;
use crate::oci::text::sanitize_line;
use crate::store::CachedSource;

/// Rewrites the index of `update` unless one of the entries to take out was
/// not deleted (`deleted`: what the run did delete) or the tag moved.
pub async fn update_index(
    source: &CachedSource,
    update: &IndexUpdate,
    deleted: &[Digest],
) -> UpdateOutcome {
    if !update.removed.iter().all(|d| deleted.contains(d)) {
        return UpdateOutcome::Skipped {
            reason: "a referrer it lists was not deleted: left as it is".into(),
        };
    }
    match rewrite(source, update).await {
        Ok(outcome) => outcome,
        Err(e) => UpdateOutcome::Failed {
            error: sanitize_line(&e.to_string(), 300),
        },
    }
}

fn moved(update: &IndexUpdate, when: &str) -> UpdateOutcome {
    UpdateOutcome::Skipped {
        reason: format!(
            "{} changed {when}: left as it is",
            sanitize_line(&update.tag, 100)
        ),
    }
}

async fn rewrite(source: &CachedSource, update: &IndexUpdate) -> Result<UpdateOutcome> {
    let repo = &update.repository;
    if source.source().resolve(repo, &update.tag).await? != update.digest {
        return Ok(moved(update, "since the plan"));
    }
    let manifest = source.manifest(repo, &update.digest).await?;
    let (body, _) =
        crate::oci::manifest::index_without(&manifest.raw, &update.removed).map_err(|detail| {
            crate::oci::Error::InvalidResponse {
                registry: source.name(),
                detail: detail.to_string(),
            }
        })?;
    if source.source().resolve(repo, &update.tag).await? != update.digest {
        return Ok(moved(update, "while it was rewritten"));
    }
    let new_digest = source
        .source()
        .put_manifest(
            repo,
            &update.tag,
            &manifest.media_type,
            bytes::Bytes::from(body),
        )
        .await?;
    let after = source.source().resolve(repo, &update.tag).await?;
    if after != new_digest {
        return Ok(UpdateOutcome::Failed {
            error: format!(
                "{} was written again right after the update (now {}): check that it lists what it should",
                sanitize_line(&update.tag, 100),
                after.short()
            ),
        });
    }
    Ok(UpdateOutcome::Updated { new_digest })
}
