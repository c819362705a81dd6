//! The one executor: every deleting path (`rm`, `prune`, `apply`, `check
//! --prune-orphans`, the browser's dialog, marked batch and planner) hands its
//! plan here. Groups run in plan order (subjects before their referrers), each
//! re-checked at the moment of its DELETE; then the referrers indexes are
//! rewritten. Each outcome is reported through a callback as it happens.

use super::{DeleteGroup, DeletePlan, IndexUpdate, Outcome, UpdateOutcome};
use super::{ExecuteOptions, RunState, execute, update_index};
use crate::model::protect::Protected;
use crate::oci::digest::Digest;
use crate::store::{CachedSource, Freshness};
use std::collections::{BTreeSet, HashSet};

/// One step done, as it happens.
pub enum Step<'a> {
    Group(&'a DeleteGroup, &'a Outcome),
    Index(&'a IndexUpdate, &'a UpdateOutcome),
}

/// What the run did, in plan order.
#[derive(Debug, Default)]
pub struct RunReport {
    pub outcomes: Vec<Outcome>,
    pub updates: Vec<UpdateOutcome>,
}

impl RunReport {
    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| !matches!(o, Outcome::Deleted { .. }))
            .count()
    }
}

/// Why a plan must not run on a source at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreflightError {
    /// The source answers from the store: only the registry may say what is
    /// there at the moment of a deletion.
    #[error("--offline answers from the cache: nothing can be deleted offline")]
    Offline,
    #[error("the plan was made on {planned}, not {here}; not deleting")]
    OtherSource { planned: String, here: String },
}

/// Whether `plan` may run on `source`.
pub fn preflight(source: &CachedSource, plan: &DeletePlan) -> Result<(), PreflightError> {
    if source.freshness() == Freshness::Offline || source.source().is_offline() {
        return Err(PreflightError::Offline);
    }
    let here = source.source().location();
    if let Some(g) = plan.groups.iter().find(|g| g.location != here) {
        return Err(PreflightError::OtherSource {
            planned: g.location.clone(),
            here,
        });
    }
    Ok(())
}

/// Carries out `plan`. `stop` is asked before each step (a first Ctrl-C);
/// what is not started is reported skipped.
pub async fn run(
    source: &CachedSource,
    plan: &DeletePlan,
    options: &ExecuteOptions<'_>,
    stop: &(dyn Fn() -> bool + Sync),
    on_step: &mut (dyn FnMut(Step<'_>) + Send),
) -> RunReport {
    let mut report = RunReport::default();
    let state = match preflight(source, plan) {
        Ok(()) => protected_below(source, plan, options.protected).await,
        Err(why) => Err(why.to_string()),
    };
    let state = match state {
        Ok(below) => RunState {
            protected_below: below,
        },
        Err(why) => return skip_all(plan, &why, on_step),
    };
    // What really went (a tag delete leaves the manifest).
    let mut deleted: HashSet<Digest> = HashSet::new();
    for (n, group) in plan.groups.iter().enumerate() {
        crate::ops::pause::test_pause(n).await;
        let outcome = if stop() {
            Outcome::Skipped {
                reason: "interrupted before this one: not deleted".into(),
            }
        } else {
            execute(source, group, options, &state).await
        };
        if matches!(
            outcome,
            Outcome::Deleted {
                method: crate::source::DeleteMethod::Digest,
                ..
            }
        ) {
            deleted.insert(group.digest.clone());
        }
        on_step(Step::Group(group, &outcome));
        report.outcomes.push(outcome);
    }
    let deleted: Vec<Digest> = deleted.into_iter().collect();
    report.updates = update_indexes(source, plan, &deleted, stop, on_step).await;
    report
}

/// Nothing in the plan goes: each group is reported skipped for `why`.
fn skip_all(plan: &DeletePlan, why: &str, on_step: &mut (dyn FnMut(Step<'_>) + Send)) -> RunReport {
    let mut report = RunReport::default();
    for group in &plan.groups {
        let outcome = Outcome::Skipped {
            reason: why.to_string(),
        };
        on_step(Step::Group(group, &outcome));
        report.outcomes.push(outcome);
    }
    report
}

/// The referrers indexes rewritten without what was `deleted`.
async fn update_indexes(
    source: &CachedSource,
    plan: &DeletePlan,
    deleted: &[Digest],
    stop: &(dyn Fn() -> bool + Sync),
    on_step: &mut (dyn FnMut(Step<'_>) + Send),
) -> Vec<UpdateOutcome> {
    let mut outcomes = Vec::new();
    for update in &plan.index_updates {
        let outcome = if stop() {
            UpdateOutcome::Skipped {
                reason: "interrupted: left as it is".into(),
            }
        } else {
            update_index(source, update, deleted).await
        };
        on_step(Step::Index(update, &outcome));
        outcomes.push(outcome);
    }
    outcomes
}

/// Every manifest that a protected digest present in the plan's repositories
/// lists, at any depth: an untagged protected index keeps its children too.
/// Fails closed: when it cannot be told, nothing is deleted.
async fn protected_below(
    source: &CachedSource,
    plan: &DeletePlan,
    protected: &Protected,
) -> Result<HashSet<Digest>, String> {
    let mut below = HashSet::new();
    if protected.is_empty() {
        return Ok(below);
    }
    let repos: BTreeSet<&str> = plan.groups.iter().map(|g| g.repository.as_str()).collect();
    let unknown = |e: crate::oci::Error| {
        format!("cannot tell what the protected images hold ({e}): not deleting")
    };
    for repo in repos {
        for digest in protected.digests() {
            if !source
                .source()
                .manifest_exists(repo, digest)
                .await
                .map_err(unknown)?
            {
                continue;
            }
            let listed = super::moment::descendants(source, repo, digest)
                .await
                .map_err(unknown)?;
            below.extend(listed);
        }
    }
    Ok(below)
}
