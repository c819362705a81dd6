//! Finished listings, summaries and details arriving.

use crate::oci::digest::Digest;
use crate::oci::listing::Listing;
use crate::ops::summary::TagSummary;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::msg::LoadError;
use crate::tui::state::{DetailData, DetailView, Load, Pane, State};
use std::sync::Arc;

pub fn repositories(state: &mut State, result: Result<Listing, LoadError>) -> Vec<Effect> {
    match result {
        Ok(listing) => {
            state.repos.set_items(listing.items);
            state.repos.stale_since = None;
            state.repos.load = Load::Done;
            state.repos.catalog_closed = false;
            if let Some(why) = listing.incomplete {
                state.error(format!("the catalog may be incomplete: {why}"));
            }
        }
        Err(e) => {
            state.repos.catalog_closed = e.closed;
            state.repos.load = Load::Failed(e.message.clone());
            if e.closed {
                let key = state.settings.keymap.first_key(Action::Command).to_string();
                state.error(format!(
                    "{}; press {key} and type a repository name",
                    e.message
                ));
                return closed_catalog(state);
            }
            state.error(e.message);
        }
    }
    Vec::new()
}

/// A closed catalog (Docker Hub, GHCR, ECR): the pane lists the config's
/// favorites for this registry now, and the repositories the store knows.
fn closed_catalog(state: &mut State) -> Vec<Effect> {
    let favorites: Vec<String> = state
        .settings
        .favorites
        .iter()
        .filter(|(registry, _)| *registry == state.source_name)
        .map(|(_, repo)| repo.clone())
        .collect();
    state.repos.add_known(favorites);
    let ticket = state.tickets.current(crate::tui::state::Slot::Repos);
    vec![Effect::urgent(ticket, crate::tui::job::Job::SeenRepos)]
}

/// Repositories the store knows, listed while the catalog stays closed.
pub fn seen_repositories(state: &mut State, names: Vec<String>) -> Vec<Effect> {
    if state.repos.catalog_closed {
        state.repos.add_known(names);
    }
    Vec::new()
}

pub fn tags(state: &mut State, result: Result<Listing, LoadError>) -> Vec<Effect> {
    let listing = match result {
        Ok(listing) => listing,
        Err(e) => {
            state.tags.load = Load::Failed(e.message.clone());
            state.error(e.message);
            return Vec::new();
        }
    };
    if state.tags.stale_since.take().is_some() {
        // The stored rows stay on screen; each is looked up again.
        state.tags.list.set_rows_keeping(listing.items);
    } else if !state.tags.list.is_empty() {
        // The rest of a streamed listing: rows shown so far keep what they got.
        state.tags.list.extend_listing(listing.items);
    } else {
        state.tags.list.set_rows(listing.items);
    }
    state.tags.load = Load::Done;
    state.note_changes();
    if let Some(why) = listing.incomplete {
        state.error(format!("the tag list may be incomplete: {why}"));
    }
    let found = state
        .tags
        .take_wanted_selection()
        .is_some_and(|wanted| state.tags.list.select(&wanted));
    if !found && state.focus == Pane::Detail {
        state.focus = Pane::Tags;
    }
    Vec::new()
}

/// The tags a long listing has so far: shown (and looked up) at once; rows
/// already there keep what they loaded. Stored rows on screen stay until the
/// listing completes.
pub fn tags_so_far(state: &mut State, items: Vec<String>) -> Vec<Effect> {
    if state.tags.load != Load::Loading || state.tags.stale_since.is_some() {
        return Vec::new();
    }
    state.tags.list.extend_listing(items);
    Vec::new()
}

/// Shows the last complete catalog while the listing loads, or after it failed.
pub fn stored_repos(state: &mut State, names: Vec<String>, taken_at: i64) -> Vec<Effect> {
    let pending = matches!(state.repos.load, Load::Loading | Load::Failed(_));
    if names.is_empty() || !pending || !state.repos.is_empty() {
        return Vec::new();
    }
    state.repos.set_items(names);
    state.repos.stale_since = Some(taken_at);
    Vec::new()
}

/// Shows the last-known rows while the listing loads, or after it failed
/// (offline, registry gone); nothing when the listing came first.
pub fn stored_rows(
    state: &mut State,
    rows: Vec<(String, Option<Digest>)>,
    taken_at: i64,
) -> Vec<Effect> {
    let listing_pending = matches!(state.tags.load, Load::Loading | Load::Failed(_));
    if rows.is_empty() || !listing_pending || !state.tags.list.is_empty() {
        return Vec::new();
    }
    state.tags.list.set_stored_rows(rows);
    state.tags.stale_since = Some(taken_at);
    Vec::new()
}

/// Stored summaries of rows in view; a row already looked up keeps its own.
pub fn stored_summaries(state: &mut State, rows: Vec<(String, TagSummary)>) -> Vec<Effect> {
    for (tag, summary) in rows {
        state.tags.list.show_stored(&tag, summary);
    }
    Vec::new()
}

pub fn summary(state: &mut State, tag: &str, result: Result<TagSummary, String>) -> Vec<Effect> {
    let digest = result.as_ref().ok().map(|s| s.digest.clone());
    state.tags.list.apply_summary(tag, result);
    state.note_change_of(tag);
    digest.and_then(|d| verify(state, d)).into_iter().collect()
}

/// Checks a digest's signatures once, when its repository has a key.
fn verify(state: &mut State, digest: Digest) -> Option<Effect> {
    let repo = state.tags.repo()?.to_string();
    let key = state.settings.verify_key(&state.source_name, &repo)?;
    if state.tags.signed.contains_key(&digest) {
        return None;
    }
    state.tags.signed.insert(digest.clone(), None);
    let tags = state.tags.list.referrer_tags(&digest);
    let job = crate::tui::job::Job::Verify {
        repo,
        digest,
        tags,
        key: key.into(),
    };
    Some(Effect::background(
        state.tickets.current(crate::tui::state::Slot::Tags),
        job,
    ))
}

pub fn detail(state: &mut State, result: Result<Arc<DetailData>, String>) -> Vec<Effect> {
    let attached = result.as_ref().ok().filter(|d| has_attachments(d)).cloned();
    let view = match result {
        Ok(data) => DetailView::Ready(data),
        Err(message) => DetailView::Failed(message),
    };
    state.detail.fill(view);
    let Some(data) = attached else {
        return Vec::new();
    };
    // What is attached is read once it is known there is something.
    let repo = state.tags.repo().unwrap_or_default().to_string();
    let digest = data.detail.manifest().digest.clone();
    let tags = state.tags.list.referrer_tags(&digest);
    let key = state
        .settings
        .verify_key(&state.source_name, &repo)
        .map(Into::into);
    let job = crate::tui::job::Job::Supply {
        repo,
        digest,
        tags,
        key,
    };
    vec![Effect::urgent(
        state.tickets.current(crate::tui::state::Slot::Detail),
        job,
    )]
}

/// Referrers, or attestation manifests in an index.
fn has_attachments(data: &DetailData) -> bool {
    let in_index = match &data.detail {
        crate::ops::detail::Detail::Index { manifest, .. } => {
            manifest.doc.manifests.iter().any(|d| d.is_attestation())
        }
        _ => false,
    };
    !data.referrers.is_empty() || in_index
}
