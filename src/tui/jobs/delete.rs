//! The browser's deletions: planned, then carried out by the one executor
//! (`ops::delete::run`), like the CLI's.

use super::message;
use crate::oci::digest::Digest;
use crate::ops::delete::{self, DeleteGroup, DeletePlan, Outcome, Requested};
use crate::ops::protect::ProtectSources;
use crate::store::CachedSource;
use crate::tui::msg::Finished;

pub async fn plan(
    source: &CachedSource,
    repo: &str,
    tags: Vec<String>,
    protect: &ProtectSources,
    width: usize,
) -> Finished {
    let protected = match protect.load().await {
        Ok(p) => p,
        Err(why) => return Finished::Plan(Err(why.to_string())),
    };
    let requests: Vec<Requested> = tags.into_iter().map(Requested::Tag).collect();
    let options = delete::PlanOptions {
        concurrency: width,
        referrers: true,
        keep_children: false,
        protected: &protected,
    };
    let result = delete::plan(source, repo, &requests, &options).await;
    Finished::Plan(result.map_err(|e| message(&e)))
}

pub async fn delete(
    source: &CachedSource,
    plan: &DeletePlan,
    forced: Vec<Digest>,
    protect: &ProtectSources,
    width: usize,
) -> Finished {
    Finished::Deleted(carry_out(source, plan, forced, protect, width).await)
}

async fn carry_out(
    source: &CachedSource,
    plan: &DeletePlan,
    forced: Vec<Digest>,
    protect: &ProtectSources,
    width: usize,
) -> Vec<(DeleteGroup, Outcome)> {
    // Read again now: the protect command's answer may have changed.
    let protected = match protect.load().await {
        Ok(p) => p,
        Err(why) => {
            let skipped = Outcome::Skipped {
                reason: format!("{why}; not deleting"),
            };
            let groups = plan.groups.iter().cloned();
            return groups.map(|g| (g, skipped.clone())).collect();
        }
    };
    let trash = crate::store::trash::Trash::default_location();
    let options = delete::ExecuteOptions {
        trash: trash.as_ref(),
        forced: forced.into_iter().collect(),
        concurrency: width,
        protected: &protected,
    };
    let report = delete::run(source, plan, &options, &|| false, &mut |step| {
        if let delete::Step::Index(update, outcome) = step {
            tracing::info!(tag = %update.tag, ?outcome, "referrers index update");
        }
    })
    .await;
    plan.groups.iter().cloned().zip(report.outcomes).collect()
}
