//! `regscope check TARGET [--blobs] [--prune-orphans]`: what is broken in a
//! repository or a whole registry (exit 1 when anything is left broken).

use super::connect::Context;
use super::output::print_json;
use super::rm::{Batch, RmArgs, delete_batches};
use crate::oci::text::sanitize_line;
use crate::ops::check::{CheckOptions, CheckReport, Problem, ProblemKind, check_repository};
use crate::ops::delete::Requested;
use crate::source::target::{self, Target};
use serde::Serialize;

/// `--prune-orphans` and how to confirm it.
pub struct PruneOrphans {
    pub dry_run: bool,
    pub yes: bool,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    #[serde(flatten)]
    report: &'a CheckReport,
    /// `rm --json`'s document for the orphans, with `--prune-orphans`.
    #[serde(skip_serializing_if = "Option::is_none")]
    orphans_pruned: Option<serde_json::Value>,
}

pub async fn run(ctx: &Context, args: &super::args::CheckArgs) -> anyhow::Result<()> {
    let (blobs, storage) = (args.blobs, args.storage.as_deref());
    let prune = args.prune_orphans.then_some(PruneOrphans {
        dry_run: args.dry_run,
        yes: args.yes,
    });
    let target = target::parse(&args.target)?;
    if let Some(dir) = storage
        && !crate::ops::storage_dir::is_storage(dir)
    {
        return Err(super::exit::UsageError(format!(
            "--storage {}: not a Distribution filesystem storage (no docker/registry/v2 in it)",
            dir.display()
        ))
        .into());
    }
    let (source, repository) = ctx.open(&target).await?;
    let concurrency = ctx.concurrency_for(&target.location);
    let source = ctx.cached(source, concurrency);
    let repositories = match repository {
        Some(repo) => vec![repo],
        None => source.source().repositories().await?.items,
    };
    let options = CheckOptions {
        blobs,
        concurrency,
        storage,
    };
    let report = check_all(ctx, &source, &repositories, &options).await?;
    let orphans = orphan_batches(&report, &source, &target, &repositories);
    source.flush();
    if !ctx.global.json {
        print_report(&report, blobs);
    }
    let (pruned, prune_result) = match (&prune, orphans.is_empty()) {
        (Some(p), false) => delete_orphans(ctx, &orphans, p).await,
        _ => (None, Ok(false)),
    };
    if ctx.global.json {
        print_json(&CheckJson {
            report: &report,
            orphans_pruned: pruned,
        })?;
    }
    let left = match prune_result? {
        true => report.problems.iter().filter(|p| !is_orphan(p)).count(),
        false => report.problems.len(),
    };
    if left > 0 {
        anyhow::bail!("{left} problems found");
    }
    Ok(())
}

/// Checks each repository, with a progress bar on stderr (only on a
/// terminal); a signature whose subject another repository holds is kept
/// apart (cosign's COSIGN_REPOSITORY), not orphaned.
async fn check_all(
    ctx: &Context,
    source: &crate::store::CachedSource,
    repositories: &[String],
    options: &CheckOptions<'_>,
) -> anyhow::Result<CheckReport> {
    let mut report = CheckReport::default();
    let bar = progress_bar(ctx.global.json);
    let count = repositories.len();
    for (i, repo) in repositories.iter().enumerate() {
        let name = sanitize_line(repo, 60);
        let shown = |what: &'static str, done: usize, total: usize| {
            bar.set_length(u64::try_from(total).unwrap_or(u64::MAX));
            bar.set_position(u64::try_from(done).unwrap_or(u64::MAX));
            bar.set_message(format!("{what} of {name} ({}/{count})", i + 1));
        };
        check_repository(source, repo, options, &mut report, &shown).await?;
    }
    bar.finish_and_clear();
    let tagged = std::mem::take(&mut report.tagged);
    report
        .problems
        .retain(|p| !(is_orphan(p) && p.digest.as_ref().is_some_and(|d| tagged.contains(d))));
    Ok(report)
}

/// One batch of orphaned tags per repository, for `--prune-orphans`.
fn orphan_batches(
    report: &CheckReport,
    source: &crate::store::CachedSource,
    target: &Target,
    repositories: &[String],
) -> Vec<Batch> {
    let mut orphans = Vec::new();
    for repo in repositories {
        let display = source.source().display_repository(repo);
        let mine: Vec<Problem> = report
            .problems
            .iter()
            .filter(|p| p.repository == display)
            .cloned()
            .collect();
        let tags = orphan_tags(&mine);
        if !tags.is_empty() {
            orphans.push(Batch {
                target: Target {
                    location: target.location.clone(),
                    repository: Some(repo.clone()),
                    reference: None,
                },
                requests: tags.into_iter().map(Requested::Tag).collect(),
                orphans: true,
            });
        }
    }
    orphans
}

/// Whether the orphans were deleted (not a dry run, all went).
async fn delete_orphans(
    ctx: &Context,
    orphans: &[Batch],
    prune: &PruneOrphans,
) -> (Option<serde_json::Value>, anyhow::Result<bool>) {
    let args = RmArgs::plain(Vec::new(), prune.dry_run, prune.yes);
    let (json, result) = delete_batches(ctx, orphans, &args).await;
    (json, result.map(|()| !prune.dry_run))
}

fn progress_bar(json: bool) -> indicatif::ProgressBar {
    if json {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("[{bar:30}] {pos}/{len} {msg}") {
        bar.set_style(style.progress_chars("#> "));
    }
    bar
}

fn is_orphan(p: &Problem) -> bool {
    p.kind == ProblemKind::OrphanReferrer && p.tag.is_some()
}

fn orphan_tags(problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .filter(|p| is_orphan(p))
        .filter_map(|p| p.tag.clone())
        .collect()
}

fn print_report(report: &CheckReport, blobs: bool) {
    for p in &report.problems {
        let at = p
            .tag
            .as_deref()
            .map(|t| format!(":{}", sanitize_line(t, 128)))
            .or_else(|| p.digest.as_ref().map(|d| format!("@{d}")))
            .unwrap_or_default();
        println!(
            "{}{at}  {}  {}",
            sanitize_line(&p.repository, 200),
            p.kind,
            p.detail
        );
    }
    println!(
        "checked {} repositories, {} tags, {} manifests, {} blobs{}: {} problems",
        report.repositories,
        report.tags,
        report.manifests,
        report.blobs,
        if blobs {
            ""
        } else {
            " (configs; --blobs adds layers)"
        },
        report.problems.len()
    );
    print_collector(&report.collector);
}

fn print_collector(risk: &crate::ops::collector::CollectorRisk) {
    use super::output::human_size;
    if risk.index_children_at_risk > 0 {
        println!(
            "garbage collection: {} untagged platform/attestation manifest(s) of {} tagged index(es): `garbage-collect --delete-untagged` deletes them on Distribution 2.x and breaks those images; run the collector without it",
            risk.index_children_at_risk, risk.indexes_at_risk
        );
    }
    match (&risk.dangling, risk.dangling_bytes) {
        (Some(found), Some(bytes)) if !found.is_empty() => {
            println!(
                "garbage collection: {} dangling manifest(s) (untagged, listed by nothing), {} to reclaim:",
                found.len(),
                human_size(bytes)
            );
            for d in found {
                println!(
                    "  {}@{}  {}",
                    sanitize_line(&d.repository, 200),
                    d.digest,
                    human_size(d.bytes)
                );
            }
        }
        (Some(_), _) => println!("garbage collection: no dangling manifests"),
        (None, _) => {}
    }
}
