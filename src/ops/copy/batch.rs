//! Several tags of one repository copied to one destination (the browser's
//! `c` on marked tags): planned together (a blob shared by two tags is asked
//! about and moved once), previewed, then run tag by tag.

use super::destination::{Destination, Known};
use super::plan::plan;
use super::run::{Event, Finish, run};
use super::{CopyOptions, CopyPlan, Totals};
use crate::oci::error::{Error, Result};
use crate::source::Source;
use crate::store::CachedSource;

/// The destination and each tag's plan.
pub struct CopyBatch {
    pub destination: Source,
    pub repository: String,
    pub plans: Vec<CopyPlan>,
    pub known: Known,
    pub width: usize,
}

impl std::fmt::Debug for CopyBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyBatch")
            .field("destination", &self.destination.name())
            .field("repository", &self.repository)
            .field("plans", &self.plans.len())
            .finish()
    }
}

impl CopyBatch {
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        self.plans.iter().for_each(|p| totals.add(&p.totals()));
        totals
    }

    fn destination(&self) -> Destination<'_> {
        Destination {
            source: &self.destination,
            repository: &self.repository,
            width: self.width,
            known: &self.known,
        }
    }
}

/// Plans copying `tags` of `repo` to `to`'s `to_repo`: each under its own
/// name, or all under `rename` (one tag only).
pub async fn plan_batch(
    from: &CachedSource,
    repo: &str,
    tags: &[String],
    to: (Source, String),
    rename: Option<String>,
    width: usize,
) -> Result<CopyBatch> {
    if rename.is_some() && tags.len() > 1 {
        return Err(Error::Config(
            "a destination tag names one image: copy marked tags to a repository".into(),
        ));
    }
    let mut batch = CopyBatch {
        destination: to.0,
        repository: to.1,
        plans: Vec::new(),
        known: Known::default(),
        width,
    };
    for tag in tags {
        let top = from.manifest_by_tag(repo, tag).await?;
        let target = rename.clone().unwrap_or_else(|| tag.clone());
        let options = CopyOptions::default();
        let planned = plan(
            from,
            repo,
            top,
            &batch.destination(),
            Some(&target),
            &options,
        )
        .await?;
        planned
            .blobs
            .iter()
            .for_each(|b| batch.known.add_blob(&b.digest));
        batch.plans.push(planned);
    }
    // The plans are previews: what is known is asked again when they run.
    batch.known = Known::default();
    Ok(batch)
}

/// Runs every plan of `batch` in turn; `events` gets the index of the plan
/// with each event.
pub async fn run_batch(
    batch: &CopyBatch,
    from: &CachedSource,
    repo: &str,
    stop: &(dyn Fn() -> bool + Sync),
    events: &(dyn Fn(usize, Event) + Sync),
) -> Result<(Finish, usize)> {
    for (i, planned) in batch.plans.iter().enumerate() {
        let mut planned = planned.clone();
        let on_event = |event| events(i, event);
        if run(
            &mut planned,
            from,
            repo,
            &batch.destination(),
            stop,
            &on_event,
        )
        .await?
            == Finish::Stopped
        {
            return Ok((Finish::Stopped, i));
        }
    }
    Ok((Finish::Done, batch.plans.len()))
}
