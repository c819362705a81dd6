//! `regscope rm IMAGE...`: show every tag that goes and the bytes freed, ask,
//! re-check each tag right before deleting, keep a copy in the trash.

use super::connect::Context;
use super::deleting::{self, Consent, RunSettings};
use super::exit::UsageError;
use super::interrupt;
use super::output::{human_size, print_json};
use crate::oci::reference::RepositoryRef;
use crate::oci::text::sanitize_line;
use crate::ops::delete::{
    self, DeleteGroup, DeletePlan, IndexUpdate, Outcome, Requested, UpdateOutcome,
};
use crate::source::target::{self, Location, Reference, Target};
use crate::store::CachedSource;
use crate::store::trash::Trash;
use serde::Serialize;

pub use super::args::RmArgs;

#[derive(Serialize)]
struct GroupResult<'a> {
    #[serde(flatten)]
    group: &'a DeleteGroup,
    #[serde(flatten)]
    outcome: Outcome,
}

#[derive(Serialize)]
struct UpdateResult<'a> {
    #[serde(flatten)]
    update: &'a IndexUpdate,
    #[serde(flatten)]
    outcome: UpdateOutcome,
}

#[derive(Serialize)]
struct RmJson<'a> {
    dry_run: bool,
    bytes_freed: u64,
    /// The same figure, named for what it assumes (the default collector).
    freed_after_gc: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    freed_after_gc_delete_untagged: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<&'static str>,
    plan: Vec<&'a DeleteGroup>,
    missing: Vec<&'a String>,
    /// What was asked for but stays (protected), with why.
    kept: Vec<&'a crate::ops::delete::KeptGroup>,
    results: Vec<GroupResult<'a>>,
    pruned: Vec<Pruned>,
    /// Referrers indexes whose deleted entries were taken out.
    index_updates: Vec<UpdateResult<'a>>,
}

#[derive(Serialize)]
struct Pruned {
    repository: String,
    blobs: usize,
    bytes: u64,
}

/// The images of one repository, in the order given.
pub(super) struct Batch {
    pub target: Target,
    pub requests: Vec<Requested>,
    /// Orphaned signature or referrer tags (`check --prune-orphans`): each
    /// goes only if its subject is still missing and it verifiably is one.
    pub orphans: bool,
}

pub(super) fn batches(images: &[String]) -> anyhow::Result<Vec<Batch>> {
    let mut out: Vec<Batch> = Vec::new();
    for image in images {
        let target = target::parse(image)?;
        let unnamed =
            matches!(target.location, Location::Registry(_)) && RepositoryRef::parse(image).is_ok();
        let request = match (&target.reference, unnamed) {
            (Some(Reference::Tag(t)), false) => Requested::Tag(t.clone()),
            (Some(Reference::Digest(d)), _) => Requested::Digest(d.clone()),
            _ => {
                return Err(UsageError(format!(
                    "invalid image {image:?} to delete: name a tag or a digest"
                ))
                .into());
            }
        };
        let key = (target.location.clone(), target.repository.clone());
        match out
            .iter_mut()
            .find(|b| (b.target.location.clone(), b.target.repository.clone()) == key)
        {
            Some(batch) => batch.requests.push(request),
            None => out.push(Batch {
                target,
                requests: vec![request],
                orphans: false,
            }),
        }
    }
    Ok(out)
}

type Planned = Vec<(CachedSource, String, DeletePlan)>;

pub async fn run(ctx: &Context, args: &RmArgs) -> anyhow::Result<()> {
    let batches = batches(&args.images)?;
    let (json, result) = delete_batches(ctx, &batches, args).await;
    if let Some(json) = json {
        print_json(&json)?;
    }
    result
}

/// Plans, shows, asks and deletes `batches`; with `--json`, the document to
/// print comes back (so a caller can put it inside its own).
pub(super) async fn delete_batches(
    ctx: &Context,
    batches: &[Batch],
    args: &RmArgs,
) -> (Option<serde_json::Value>, anyhow::Result<()>) {
    let mut json = None;
    let result = plan_show_delete(ctx, batches, args, &mut json).await;
    (json, result)
}

async fn plan_show_delete(
    ctx: &Context,
    batches: &[Batch],
    args: &RmArgs,
    json_out: &mut Option<serde_json::Value>,
) -> anyhow::Result<()> {
    let consent = Consent {
        dry_run: args.dry_run,
        yes: args.yes,
        no_trash: args.no_trash,
    };
    let asks = consent.asks();
    let (trash, protected) = deleting::preflight(ctx, &consent).await?;
    let mut planned = plan_all(
        ctx,
        batches,
        !args.keep_referrers,
        args.keep_children,
        &protected,
    )
    .await?;
    if args.exact {
        weigh_registry_wide(ctx, &mut planned).await?;
    }
    let total = crate::model::usage::saturating_sum(planned.iter().map(|(_, _, p)| p.bytes_freed));
    if !ctx.global.json || asks {
        print_plan(&planned, total, args, ctx.global.json);
    }
    let nothing = planned.iter().all(|(_, _, p)| p.groups.is_empty());
    let proceed = !args.dry_run && !nothing && (args.yes || confirm(&planned, total)?);
    let (results, pruned, updates) = if proceed {
        execute_all(ctx, &planned, args, trash.as_ref(), &protected).await?
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    if !proceed && !args.dry_run && !nothing && !ctx.global.json {
        eprintln!("cancelled: nothing deleted");
    }
    let missing: Vec<&String> = planned.iter().flat_map(|(_, _, p)| &p.missing).collect();
    if ctx.global.json {
        let untagged = untagged_total(&planned);
        *json_out = Some(serde_json::to_value(RmJson {
            dry_run: args.dry_run,
            bytes_freed: total,
            freed_after_gc: total,
            freed_after_gc_delete_untagged: untagged,
            warning: untagged.map(|_| super::prune::DELETE_UNTAGGED_WARNING),
            plan: planned.iter().flat_map(|(_, _, p)| &p.groups).collect(),
            missing: missing.clone(),
            kept: planned.iter().flat_map(|(_, _, p)| &p.kept).collect(),
            results: results
                .iter()
                .map(|r| GroupResult {
                    group: r.group,
                    outcome: r.outcome.clone(),
                })
                .collect(),
            pruned,
            index_updates: updates,
        })?);
    }
    finish(&missing, &results, proceed || args.dry_run || nothing)
}

/// Every plan through the one executor (stopping at Ctrl-C), then the
/// layout prunes asked for.
async fn execute_all<'a>(
    ctx: &Context,
    planned: &'a Planned,
    args: &RmArgs,
    trash: Option<&Trash>,
    protected: &crate::model::protect::Protected,
) -> anyhow::Result<(Vec<GroupResult<'a>>, Vec<Pruned>, Vec<UpdateResult<'a>>)> {
    let (mut results, mut pruned, mut updates) = (Vec::new(), Vec::new(), Vec::new());
    for (source, repo, plan) in planned {
        let settings = RunSettings {
            trash,
            protected,
            force: args.force,
            concurrency: ctx.concurrency(&source.source().location()),
            print: !ctx.global.json,
        };
        let report = deleting::carry_out(source, plan, &settings).await;
        results.extend(
            plan.groups
                .iter()
                .zip(report.outcomes)
                .map(|(group, outcome)| GroupResult { group, outcome }),
        );
        updates.extend(
            plan.index_updates
                .iter()
                .zip(report.updates)
                .map(|(update, outcome)| UpdateResult { update, outcome }),
        );
        if args.prune
            && !interrupt::stop_requested()
            && let Some((blobs, bytes)) = source.source().prune(repo).await?
        {
            if !ctx.global.json {
                println!("pruned {blobs} unreferenced blobs ({})", human_size(bytes));
            }
            let repository = source.source().location();
            pruned.push(Pruned {
                repository,
                blobs,
                bytes,
            });
        }
    }
    Ok((results, pruned, updates))
}

async fn plan_all(
    ctx: &Context,
    batches: &[Batch],
    with_referrers: bool,
    keep_children: bool,
    protected: &crate::model::protect::Protected,
) -> anyhow::Result<Planned> {
    let mut planned = Vec::new();
    for batch in batches {
        let (source, repo) = ctx.open_repository(&batch.target).await?;
        let concurrency = ctx.concurrency_for(&batch.target.location);
        let source = ctx.cached(source, concurrency);
        let options = delete::PlanOptions {
            concurrency,
            referrers: with_referrers,
            keep_children,
            protected,
        };
        let plan = match batch.orphans {
            true => delete::plan_orphans(&source, &repo, &batch.requests, &options).await?,
            false => delete::plan(&source, &repo, &batch.requests, &options).await?,
        };
        planned.push((source, repo, plan));
    }
    Ok(planned)
}

/// Each plan's bytes freed weighed against every other repository of its
/// registry (the collector is registry-wide); layouts keep their own figure.
async fn weigh_registry_wide(ctx: &Context, planned: &mut Planned) -> anyhow::Result<()> {
    use crate::model::usage::{RepoDeletion, freed_registry_wide};
    let mut locations: Vec<String> = planned
        .iter()
        .filter(|(s, _, _)| !s.source().deletes_single_tags())
        .map(|(s, _, _)| s.source().location())
        .collect();
    locations.dedup();
    for location in locations {
        let members: Vec<usize> = (0..planned.len())
            .filter(|i| planned[*i].0.source().location() == location)
            .collect();
        let names: Vec<&str> = members.iter().map(|i| planned[*i].1.as_str()).collect();
        let source = &planned[members[0]].0;
        let others =
            crate::ops::usage::objects_outside(source, &names, ctx.concurrency(&location)).await?;
        let deletions: Vec<RepoDeletion<'_>> = members
            .iter()
            .map(|i| RepoDeletion {
                objects: &planned[*i].2.objects,
                gone: planned[*i].2.going().into_iter().collect(),
            })
            .collect();
        let (figures, _) = freed_registry_wide(&deletions, &others);
        for (i, figure) in members.into_iter().zip(figures) {
            planned[i].2.bytes_freed = figure;
        }
    }
    Ok(())
}

/// What `garbage-collect --delete-untagged` would free, when children stay.
fn untagged_total(planned: &Planned) -> Option<u64> {
    crate::model::usage::freed_collecting_untagged(
        planned
            .iter()
            .map(|(_, _, p)| (p.bytes_freed, p.freed_after_gc_delete_untagged)),
    )
}

fn finish(missing: &[&String], results: &[GroupResult], went_ahead: bool) -> anyhow::Result<()> {
    let failed = results
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Deleted { .. }))
        .count();
    deleting::failures(results.len(), failed)?;
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|m| sanitize_line(m, 200)).collect();
        return Err(crate::oci::Error::NotFound {
            what: list.join(", "),
        }
        .into());
    }
    if !went_ahead {
        anyhow::bail!("cancelled: nothing deleted");
    }
    Ok(())
}

/// The plan, on stdout (or stderr when stdout carries JSON).
fn print_plan(planned: &Planned, total: u64, args: &RmArgs, json: bool) {
    let force = args.force;
    let mut text = String::new();
    for (_, _, plan) in planned {
        for group in plan.groups.iter().filter(|g| g.child_of.is_none()) {
            text.push_str(&group_text(group, force));
            let children = plan.children_of(&group.digest);
            if children > 0 {
                text.push_str(&format!(
                    "  and its {children} platform/attestation manifest(s), after it\n"
                ));
            }
        }
    }
    for (_, _, plan) in planned {
        for kept in &plan.kept {
            text.push_str(&format!(
                "{}@{} ({}) — {}\n",
                sanitize_line(&kept.repository, 200),
                kept.digest.short(),
                sanitize_line(&kept.tags.join(", "), 200),
                kept.reason
            ));
        }
    }
    for update in planned.iter().flat_map(|(_, _, p)| &p.index_updates) {
        text.push_str(&format!(
            "  then {}: the referrers index of {} loses {} entr{} (the rest stays)\n",
            sanitize_line(&update.tag, 100),
            update.subject.short(),
            update.removed.len(),
            if update.removed.len() == 1 {
                "y"
            } else {
                "ies"
            },
        ));
    }
    let groups: usize = planned.iter().map(|(_, _, p)| p.groups.len()).sum();
    if groups > 0 {
        let scope = match args.exact {
            true => "registry-wide (--exact)",
            false => "up to (other repositories may share layers; --exact weighs them)",
        };
        text.push_str(&format!(
            "{groups} manifest(s); {} freed after the registry's garbage collection (or a layout's --prune), {scope}: what no remaining manifest references, untagged ones included\n",
            human_size(total)
        ));
    }
    if let Some(untagged) = untagged_total(planned) {
        text.push_str(&format!(
            "with garbage-collect --delete-untagged: up to {} (warning: {})\n",
            human_size(untagged),
            super::prune::DELETE_UNTAGGED_WARNING
        ));
    }
    if json {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
}

fn group_text(group: &DeleteGroup, force: bool) -> String {
    let referrer = group
        .referrer_of
        .as_ref()
        .map(|s| format!(" — refers to {}, goes with it", s.short()))
        .unwrap_or_default();
    let mut text = format!(
        "{}@{} ({}) — frees {}{referrer}\n",
        sanitize_line(&group.display_name, 200),
        group.digest,
        group.kind,
        human_size(group.bytes_freed)
    );
    let tags: Vec<String> = group.tags.iter().map(|t| sanitize_line(t, 100)).collect();
    let others = group.tags.len().saturating_sub(group.requested.len());
    let note = if others > 0 {
        format!(" ({others} more than you named)")
    } else {
        String::new()
    };
    let tags = if tags.is_empty() {
        "none".into()
    } else {
        tags.join(", ")
    };
    text.push_str(&format!("  tags that go with it{note}: {tags}\n"));
    if !group.part_of.is_empty() {
        let verdict = if force {
            "--force: it is deleted and the index breaks"
        } else {
            "refused without --force"
        };
        text.push_str(&format!(
            "  part of the index {}: {verdict}\n",
            sanitize_line(&group.part_of.join("; "), 300)
        ));
    }
    text
}

fn confirm(planned: &Planned, total: u64) -> anyhow::Result<bool> {
    let tags: usize = planned
        .iter()
        .flat_map(|(_, _, p)| &p.groups)
        .filter(|g| g.child_of.is_none())
        .map(|g| g.tags.len().max(1))
        .sum();
    deleting::confirm(&format!(
        "Delete these ({tags} tag(s), {})?",
        human_size(total)
    ))
}
