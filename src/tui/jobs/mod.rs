//! What each background job does: one arm per `Job` variant, the work in a
//! file per family. Jobs call `ops`; they report progress through the
//! `Reporter` and end with one `Finished`.

mod command;
mod copy;
mod delete;
mod detail;
mod files;
mod listing;
mod usage;

use super::job::{Job, Progress};
use super::msg::{Finished, LoadError, Msg};
use super::ticket::Ticket;
use crate::oci::Error;
use crate::oci::text::sanitize_line;
use crate::store::CachedSource;
use tokio::sync::mpsc::UnboundedSender;

/// Where a running job sends its progress (nowhere when run without a pool).
pub struct Reporter<'a> {
    ticket: Ticket,
    to: Option<&'a UnboundedSender<Msg>>,
}

impl<'a> Reporter<'a> {
    pub fn new(ticket: Ticket, to: Option<&'a UnboundedSender<Msg>>) -> Reporter<'a> {
        Reporter { ticket, to }
    }

    pub fn report(&self, progress: Progress) {
        if let Some(to) = self.to {
            let _ = to.send(Msg::Progress(self.ticket, progress));
        }
    }

    /// Progress reaches someone (worth the work of measuring it).
    pub fn is_heard(&self) -> bool {
        self.to.is_some()
    }
}

/// Where jobs work: the browsed source, and a way to reach other registries
/// (none in tests and benchmarks).
pub struct Places<'a> {
    pub here: &'a CachedSource,
    pub connect: Option<&'a super::places::Connector>,
}

/// Runs `job`; `width` is how many requests the jobs that fan out may make at once.
pub async fn run(places: &Places<'_>, width: usize, job: Job, reporter: &Reporter<'_>) -> Finished {
    let source = places.here;
    match job {
        Job::Repos => listing::repositories(source).await,
        Job::Tags { repo } => listing::tags(source, &repo, reporter).await,
        Job::StoredRows { repo } => listing::stored_rows(source, &repo).await,
        Job::StoredRepos => listing::stored_repositories(source).await,
        Job::TagsBefore { repo, before } => Finished::TagsBefore {
            rows: source.stored_rows_before(&repo, before).await,
            repo,
        },
        Job::SeenRepos => Finished::SeenRepos(source.stored_repositories_seen().await),
        Job::CatalogBefore { before } => {
            Finished::CatalogBefore(source.stored_catalog_before(before).await)
        }
        Job::StoredSummaries { repo, rows } => {
            listing::stored_summaries(source, &repo, rows, width).await
        }
        Job::Summary { repo, tag } => listing::summary(source, &repo, tag).await,
        Job::Detail {
            repo,
            digest,
            referrer_tags,
        } => detail::detail(source, &repo, &digest, &referrer_tags).await,
        Job::Supply {
            repo,
            digest,
            tags,
            key,
        } => detail::supply(source, &repo, digest, &tags, key.as_deref()).await,
        Job::Verify {
            repo,
            digest,
            tags,
            key,
        } => detail::verify(source, &repo, digest, &tags, &key).await,
        Job::Usage { repo } => usage::usage(source, &repo, width).await,
        Job::RepositoryUsage { repo, stored_only } => {
            usage::repository(source, repo, stored_only, width).await
        }
        Job::Planning { repo } => usage::planning(source, &repo, width).await,
        Job::PlanDelete {
            repo,
            tags,
            protect,
        } => delete::plan(source, &repo, tags, &protect, width).await,
        Job::Delete {
            plan,
            forced,
            protect,
        } => delete::delete(source, &plan, forced, &protect, width).await,
        Job::Files {
            repo,
            image,
            mode,
            options,
        } => files::files(source, &repo, &image, mode, options, reporter).await,
        Job::Compare {
            repo,
            a,
            b,
            options,
        } => files::compare(source, &repo, &a, &b, options).await,
        Job::StoredPlaces => copy::stored_places(source).await,
        Job::Command { argv } => command::run(&argv).await,
        Job::PlanCopy {
            repo,
            tags,
            destination,
        } => copy::plan(places, &repo, tags, &destination, width).await,
        Job::Copy { repo, batch, stop } => copy::copy(source, &repo, &batch, &stop, reporter).await,
        Job::AddTag { repo, from, tag } => copy::add_tag(source, &repo, &from, &tag).await,
    }
}

/// An error as the browser shows it: one sanitised line.
fn message(e: &Error) -> String {
    sanitize_line(&e.to_string(), 500)
}

fn load_error(e: Error) -> LoadError {
    LoadError {
        message: message(&e),
        closed: e.is_not_found() || e.is_auth(),
    }
}
