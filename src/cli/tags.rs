//! `regscope tags REPOSITORY`

use super::connect::Context;
use super::exit::UsageError;
use super::output::{print_json, print_lines, warn};
use crate::model::tag_order::sort_natural;
use crate::oci::listing::Listing;
use crate::source::Source;
use crate::source::target;
use serde::Serialize;

#[derive(Serialize)]
struct TagsJson<'a> {
    repository: String,
    tags: &'a [String],
    /// The snapshot's time (RFC 3339), only when the list came from the store.
    #[serde(skip_serializing_if = "Option::is_none")]
    as_of: Option<String>,
}

pub async fn run(ctx: &Context, repository: &str) -> anyhow::Result<()> {
    let target = target::parse(repository)?;
    if target.reference.is_some() {
        return Err(UsageError(format!(
            "invalid repository {repository:?}: `tags` takes a repository without a tag or digest"
        ))
        .into());
    }
    let (source, repo) = ctx.open_repository(&target).await?;
    let stored = snapshot_tags(ctx, source.clone(), &repo);
    let as_of = stored
        .as_ref()
        .and_then(|(_, t)| crate::ops::summary::rfc3339(*t));
    let mut listing = match stored {
        Some((items, _)) => Listing {
            items,
            incomplete: None,
        },
        None => source.tags(&repo).await?,
    };
    if let Some(why) = &listing.incomplete {
        warn(&format!("the tag list may be incomplete: {why}"));
    }
    sort_natural(&mut listing.items);
    if ctx.global.json {
        print_json(&TagsJson {
            repository: source.display_repository(&repo),
            tags: &listing.items,
            as_of,
        })
    } else {
        print_lines(&listing.items)
    }
}

/// The stored tag names, when `--offline` or `--max-age` lets them answer
/// (a stderr line says how old they are). Offline with none stored is an error
/// the listing request itself reports.
fn snapshot_tags(ctx: &Context, source: Source, repo: &str) -> Option<(Vec<String>, i64)> {
    // Without --offline or a max age the registry answers: the store is not opened.
    if matches!(ctx.freshness(), crate::store::Freshness::Revalidate) {
        return None;
    }
    let cached = ctx.cached(source, 1);
    let snapshot = cached.snapshot(repo)?;
    let now = jiff::Timestamp::now().as_second();
    let age = now.saturating_sub(snapshot.taken_at);
    if !cached.freshness().trusts(&snapshot, now) {
        return None;
    }
    eprintln!("regscope: tags as of {age}s ago (a stored snapshot, not asked again)");
    let names = snapshot
        .tags
        .into_iter()
        .map(|(t, _)| t)
        .chain(snapshot.unresolved)
        .collect();
    Some((names, snapshot.taken_at))
}
