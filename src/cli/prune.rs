//! `regscope prune REPOSITORY [rules]`: a retention plan (what goes, what
//! stays and why, the bytes freed), brakes, then the safe deletions.

use super::connect::Context;
use super::deleting::{self, Consent, RunSettings};
use super::exit::UsageError;
use super::output::{human_size, print_json, table};
use crate::model::brakes::Brakes;
use crate::model::retention::Rules;
use crate::oci::text::sanitize_line;
use crate::ops::delete::DeletePlan;
use crate::ops::plan_file::{self, PlanFile, RepoDoc, ResultDoc, RulesDoc};
use crate::ops::prune::{Limits, RepoPrune, plan_repository};
use crate::source::target;

pub use super::args::PruneArgs;

fn rules(args: &PruneArgs) -> Result<Rules, UsageError> {
    Rules::from_text(
        args.keep_newest,
        &args.keep,
        args.only.as_deref(),
        args.older_than,
        args.include_undated,
    )
    .map_err(|e| UsageError(e.to_string()))
}

fn policy_rules(policy: &crate::config::PolicySettings) -> Result<Rules, UsageError> {
    let older_than = policy
        .older_than
        .as_deref()
        .map(crate::config::parse_age)
        .transpose()
        .map_err(UsageError)?;
    Rules::from_text(
        policy.keep_newest,
        &policy.keep,
        policy.only.as_deref(),
        older_than,
        policy.include_undated,
    )
    .map_err(|e| UsageError(e.to_string()))
}

/// A `--repos` glob (`*` stops at `/`).
pub fn glob(text: &str) -> Result<globset::GlobMatcher, UsageError> {
    globset::GlobBuilder::new(text)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| UsageError(format!("invalid --repos glob {text:?}: {e}")))
}

/// What to plan: each repository with the rules that apply to it.
fn jobs(
    ctx: &Context,
    args: &PruneArgs,
    listed: Option<Vec<String>>,
) -> Result<Vec<(String, Rules)>, UsageError> {
    let Some(listed) = listed else {
        return Ok(Vec::new());
    };
    if args.policy {
        if ctx.config.policy.is_empty() {
            return Err(UsageError("--policy: the config has no [[policy]]".into()));
        }
        let mut jobs = Vec::new();
        for policy in &ctx.config.policy {
            let (matcher, rules) = (glob(&policy.repos)?, policy_rules(policy)?);
            jobs.extend(
                listed
                    .iter()
                    .filter(|r| matcher.is_match(r))
                    .map(|r| (r.clone(), rules.clone())),
            );
        }
        return Ok(jobs);
    }
    let (matcher, rules) = match args.repos.as_deref() {
        Some(g) => (glob(g)?, rules(args)?),
        None => {
            return Err(UsageError(format!(
                "{} is a registry: name repositories with --repos GLOB, or use --policy",
                args.repository
            )));
        }
    };
    Ok(listed
        .into_iter()
        .filter(|r| matcher.is_match(r))
        .map(|r| (r, rules.clone()))
        .collect())
}

pub async fn run(ctx: &Context, args: &PruneArgs) -> anyhow::Result<()> {
    let target = target::parse(&args.repository)?;
    if target.reference.is_some() {
        return Err(UsageError("prune takes a repository without a tag or digest".into()).into());
    }
    let only_plan = args.dry_run || args.plan_out.is_some();
    let consent = Consent {
        dry_run: only_plan,
        yes: args.yes,
        no_trash: args.no_trash,
    };
    let (trash, protected) = deleting::preflight(ctx, &consent).await?;
    if target.repository.is_some() {
        rules(args)?;
    }
    let (source, repo) = ctx.open(&target).await?;
    let concurrency = ctx.concurrency_for(&target.location);
    let source = ctx.cached(source, concurrency);
    let now = jiff::Timestamp::now();
    let limits = Limits {
        brakes: brakes(args),
        protected: &protected,
        now: now.as_second(),
        keep_children: args.keep_children,
    };
    let (planned, mut doc) = plan_all(ctx, args, &source, repo, limits, now).await?;
    let brake = doc.refusal();
    if let Some(path) = &args.plan_out {
        write_plan(path, &doc, brake.as_deref())?;
    }
    let nothing = planned.iter().all(|p| p.groups.is_empty());
    let go = brake.is_none() && !only_plan && !nothing && (args.yes || confirm(&doc)?);
    let mut failed = 0;
    if go {
        let plan = DeletePlan {
            groups: planned.iter().flat_map(|p| p.groups.clone()).collect(),
            ..DeletePlan::default()
        };
        let settings = RunSettings {
            trash: trash.as_ref(),
            protected: &protected,
            force: false,
            concurrency,
            print: !ctx.global.json,
        };
        let report = deleting::carry_out(&source, &plan, &settings).await;
        failed = report.failed();
        doc.results = results(&plan, report);
    }
    if ctx.global.json {
        print_json(&doc)?;
    }
    if let Some(why) = brake {
        anyhow::bail!("{why}; nothing deleted");
    }
    deleting::failures(doc.results.len(), failed)
}

/// Every repository's plan under its rules (registry-wide figures with
/// `--exact`), shown, and the document that records it.
async fn plan_all(
    ctx: &Context,
    args: &PruneArgs,
    source: &crate::store::CachedSource,
    repo: Option<String>,
    limits: Limits<'_>,
    now: jiff::Timestamp,
) -> anyhow::Result<(Vec<RepoPrune>, PlanFile)> {
    let concurrency = ctx.concurrency_for(&source.source().place());
    let work: Vec<(String, Rules)> = match repo {
        Some(repo) if !args.policy && args.repos.is_none() => vec![(repo, rules(args)?)],
        _ => {
            let listed = source.source().repositories().await?.items;
            jobs(ctx, args, Some(listed))?
        }
    };
    let mut planned = Vec::new();
    for (repo, rules) in &work {
        planned.push(plan_repository(source, repo, rules, limits, concurrency).await?);
    }
    let total_exact = match args.exact {
        true => Some(weigh_registry_wide(source, &mut planned, concurrency).await?),
        false => None,
    };
    source.flush();
    let doc = plan_doc(
        &planned,
        args,
        &source.source().location(),
        now,
        total_exact,
    );
    if !ctx.global.json {
        show(&doc, total_exact);
    }
    Ok((planned, doc))
}

/// The plan on stdout: each repository's table, the figures and warnings.
fn show(doc: &PlanFile, total_exact: Option<u64>) {
    if let Some(total) = total_exact {
        eprintln!(
            "registry-wide (--exact): the plan frees {} after the registry's garbage collection",
            human_size(total)
        );
    }
    for r in &doc.repositories {
        print_plan(r);
    }
    if let Some(untagged) = doc.freed_after_gc_delete_untagged {
        println!(
            "with garbage-collect --delete-untagged: {} (warning: {DELETE_UNTAGGED_WARNING})",
            human_size(untagged)
        );
    }
}

fn brakes(args: &PruneArgs) -> Brakes {
    Brakes {
        max_delete: args.max_delete,
        max_delete_percent: args.max_delete_percent,
    }
}

/// Said wherever a figure assumes `garbage-collect --delete-untagged`.
pub const DELETE_UNTAGGED_WARNING: &str = "garbage-collect --delete-untagged also deletes the platform manifests of live multi-arch images on Distribution 2.x (it breaks them): prefer letting regscope delete an index's children";

/// A plan its brakes refuse is not written: `apply` could not carry it out.
fn write_plan(path: &std::path::Path, doc: &PlanFile, brake: Option<&str>) -> anyhow::Result<()> {
    if let Some(why) = brake {
        anyhow::bail!("{why}; no plan written to {}", path.display());
    }
    let text = serde_json::to_vec_pretty(doc)?;
    crate::private::write(path, &text)
        .map_err(|e| anyhow::anyhow!("cannot write the plan to {}: {e}", path.display()))?;
    eprintln!(
        "plan written to {}; `regscope apply {}` carries it out",
        path.display(),
        path.display()
    );
    Ok(())
}

fn results(plan: &DeletePlan, report: crate::ops::delete::RunReport) -> Vec<ResultDoc> {
    plan.groups
        .iter()
        .zip(report.outcomes)
        .map(|(g, outcome)| ResultDoc {
            digest: g.digest.clone(),
            outcome,
        })
        .collect()
}

/// Bytes freed weighed against every other repository of the registry.
async fn weigh_registry_wide(
    source: &crate::store::CachedSource,
    planned: &mut [RepoPrune],
    concurrency: usize,
) -> anyhow::Result<u64> {
    let names: Vec<&str> = planned.iter().map(|p| p.name.as_str()).collect();
    let others = crate::ops::usage::objects_outside(source, &names, concurrency).await?;
    Ok(crate::ops::prune::exact_bytes_freed(planned, &others))
}

fn print_plan(planned: &RepoDoc) {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for d in &planned.delete {
        for tag in &d.tags {
            let reason = d.reasons.get(tag).cloned().unwrap_or_default();
            rows.push(vec![
                "DELETE".into(),
                sanitize_line(tag, 60),
                d.digest.short(),
                sanitize_line(&reason, 80),
            ]);
        }
    }
    for k in &planned.keep {
        rows.push(vec![
            "keep".into(),
            sanitize_line(&k.tag, 60),
            k.digest.short(),
            sanitize_line(&k.reason, 80),
        ]);
    }
    println!("{}", table(&["", "TAG", "DIGEST", "WHY"], &rows));
    println!(
        "\n{}: {} of {} images go ({} tags); frees {} after the registry's garbage collection (bytes no remaining manifest references, untagged ones included; without --exact an upper bound: other repositories may share them)",
        sanitize_line(&planned.repository, 200),
        planned.delete.len(),
        planned.images,
        planned.delete.iter().map(|d| d.tags.len()).sum::<usize>(),
        human_size(planned.bytes_freed)
    );
    let children: usize = planned.delete.iter().map(|d| d.children.len()).sum();
    if children > 0 {
        println!("{children} platform/attestation manifest(s) of the deleted indexes go with them");
    }
    for held in &planned.held_children {
        println!(
            "{} {}",
            held.digest.short(),
            sanitize_line(&held.reason, 200)
        );
    }
    if let Some(why) = &planned.refused {
        println!("refused: {why}");
    }
}

fn confirm(doc: &PlanFile) -> anyhow::Result<bool> {
    let images: usize = doc.repositories.iter().map(|r| r.delete.len()).sum();
    deleting::confirm(&format!(
        "Delete these {images} images ({})?",
        human_size(doc.bytes_freed)
    ))
}

/// The rules as given, for the plan file.
fn rules_doc(args: &PruneArgs) -> RulesDoc {
    RulesDoc {
        keep_newest: args.keep_newest,
        keep: args.keep.to_vec(),
        only: args.only.clone(),
        older_than_seconds: args.older_than,
        include_undated: args.include_undated,
    }
}

/// The plan in the documented `regscope-plan/1` shape.
fn plan_doc(
    planned: &[RepoPrune],
    args: &PruneArgs,
    location: &str,
    now: jiff::Timestamp,
    exact_total: Option<u64>,
) -> PlanFile {
    let after_gc = exact_total.unwrap_or_else(|| {
        crate::model::usage::saturating_sum(planned.iter().map(|p| p.bytes_freed))
    });
    let delete_untagged = crate::model::usage::freed_collecting_untagged(
        planned
            .iter()
            .map(|p| (p.bytes_freed, p.freed_after_gc_delete_untagged)),
    )
    .filter(|d| *d != after_gc);
    PlanFile {
        format: plan_file::FORMAT.into(),
        source: location.to_string(),
        created: now.to_string(),
        expires: jiff::Timestamp::from_second(
            now.as_second().saturating_add(plan_file::LIFETIME_SECONDS),
        )
        .map(|t| t.to_string())
        .unwrap_or_default(),
        rules: rules_doc(args),
        brakes: brakes(args),
        exact: args.exact,
        keep_children: args.keep_children,
        repositories: planned.iter().map(RepoDoc::of).collect(),
        bytes_freed: after_gc,
        freed_after_gc: after_gc,
        freed_after_gc_delete_untagged: delete_untagged,
        warning: delete_untagged.map(|_| DELETE_UNTAGGED_WARNING.to_string()),
        dry_run: args.dry_run,
        results: Vec::new(),
    }
}

/// `regscope apply FILE`: a written plan, its brakes enforced again, shown
/// whole, then carried out by the executor on its own registry.
pub async fn apply(
    ctx: &Context,
    path: &std::path::Path,
    yes: bool,
    no_trash: bool,
) -> anyhow::Result<()> {
    let consent = Consent {
        dry_run: false,
        yes,
        no_trash,
    };
    let (trash, protected) = deleting::preflight(ctx, &consent).await?;
    let doc = read_plan(path)?;
    if let Some(why) = doc.refusal() {
        return Err(UsageError(format!("{why}; not applying the plan")).into());
    }
    if !ctx.global.json {
        for r in &doc.repositories {
            print_plan(r);
        }
    }
    let mut planned = Vec::new();
    for repository in &doc.repositories {
        let target = target::parse(&repository.repository)?;
        let (source, repo) = ctx.open_repository(&target).await?;
        let concurrency = ctx.concurrency_for(&target.location);
        let source = ctx.cached(source, concurrency);
        if source.source().location() != doc.source {
            return Err(UsageError(format!(
                "the plan was made on {}, not {}; not applying it",
                doc.source,
                source.source().location()
            ))
            .into());
        }
        let plan = DeletePlan {
            groups: repository.groups(&repo, &doc.source),
            ..DeletePlan::default()
        };
        planned.push((source, plan, concurrency));
    }
    if !yes && !confirm(&doc)? {
        eprintln!("cancelled: nothing deleted");
        return Ok(());
    }
    let mut all = Vec::new();
    let mut failed = 0;
    for (source, plan, concurrency) in &planned {
        let settings = RunSettings {
            trash: trash.as_ref(),
            protected: &protected,
            force: false,
            concurrency: *concurrency,
            print: !ctx.global.json,
        };
        let report = deleting::carry_out(source, plan, &settings).await;
        failed += report.failed();
        all.extend(results(plan, report));
    }
    if ctx.global.json {
        print_json(&serde_json::json!({ "results": all }))?;
    }
    deleting::failures(all.len(), failed)
}

fn read_plan(path: &std::path::Path) -> anyhow::Result<PlanFile> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| UsageError(format!("cannot read the plan {}: {e}", path.display())))?;
    let mut text = Vec::new();
    file.take(plan_file::MAX_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|e| UsageError(format!("cannot read the plan {}: {e}", path.display())))?;
    if text.len() as u64 > plan_file::MAX_BYTES {
        return Err(UsageError(format!("{} is larger than a plan may be", path.display())).into());
    }
    PlanFile::parse(&text, jiff::Timestamp::now())
        .map_err(|e| UsageError(format!("{}: {e}", path.display())).into())
}
