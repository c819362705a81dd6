//! `regscope prune REPOSITORY [rules]`: a retention plan (what goes, what
//! stays and why, the bytes freed), brakes, then the safe deletions.

use super::connect::Context;
use super::exit::UsageError;
use super::output::{human_size, print_json, table};
use crate::model::retention::Rules;
use crate::oci::text::sanitize_line;
use crate::ops::delete::{self, ExecuteOptions, Outcome};
use crate::ops::prune::{RepoPrune, plan_repository};
use crate::source::target;
use crate::store::trash::Trash;
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};

/// The rules and switches of one `prune` run, as given.
pub struct PruneArgs<'a> {
    pub repository: &'a str,
    pub keep_newest: Option<usize>,
    pub keep: &'a [String],
    pub only: Option<&'a str>,
    pub older_than: Option<i64>,
    pub include_undated: bool,
    pub dry_run: bool,
    pub yes: bool,
    pub max_delete: Option<usize>,
    pub max_delete_percent: u8,
    pub no_trash: bool,
    pub plan_out: Option<&'a std::path::Path>,
    pub repos: Option<&'a str>,
    pub policy: bool,
    pub exact: bool,
}

/// How long a written plan may wait before `apply` refuses it.
const PLAN_LIFETIME: i64 = 24 * 3600;

fn rules(args: &PruneArgs) -> Result<Rules, UsageError> {
    Rules::from_text(
        args.keep_newest,
        args.keep,
        args.only,
        args.older_than,
        args.include_undated,
    )
    .map_err(UsageError)
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
    .map_err(UsageError)
}

fn glob(text: &str) -> Result<globset::GlobMatcher, UsageError> {
    globset::GlobBuilder::new(text)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| UsageError(format!("invalid glob {text:?}: {e}")))
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
    let (matcher, rules) = match args.repos {
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

pub async fn run(ctx: &Context, args: PruneArgs<'_>) -> anyhow::Result<()> {
    let target = target::parse(args.repository)?;
    if target.reference.is_some() {
        return Err(UsageError("prune takes a repository without a tag or digest".into()).into());
    }
    let only_plan = args.dry_run || args.plan_out.is_some();
    let asks = !only_plan && !args.yes;
    if asks && !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "refusing to delete without --yes: standard input is not a terminal".into(),
        )
        .into());
    }
    if target.repository.is_some() {
        rules(&args)?;
    }
    let (source, repo) = ctx.open(&target).await?;
    let concurrency = ctx.concurrency_for(&target.location);
    let source = ctx.cached(source, concurrency);
    let work: Vec<(String, Rules)> = match repo {
        Some(repo) if !args.policy && args.repos.is_none() => vec![(repo, rules(&args)?)],
        _ => {
            let listed = source.source().repositories().await?.items;
            jobs(ctx, &args, Some(listed))?
        }
    };
    let now = jiff::Timestamp::now();
    let mut planned = Vec::new();
    for (repo, rules) in &work {
        planned.push(plan_repository(&source, repo, rules, now.as_second(), concurrency).await?);
    }
    let total_exact = match args.exact {
        true => Some(weigh_registry_wide(&source, &mut planned, concurrency).await?),
        false => None,
    };
    source.flush();
    if !ctx.global.json {
        if let Some(total) = total_exact {
            eprintln!(
                "registry-wide (--exact): the plan frees {} after the registry's garbage collection",
                human_size(total)
            );
        }
        for p in &planned {
            print_plan(p);
        }
    }
    let brake = planned.iter().find_map(|p| brake(p, &args));
    let location = source.source().location();
    if let Some(path) = args.plan_out {
        let doc = plan_json(&planned, &args, &location, now, &[]);
        let text = serde_json::to_vec_pretty(&doc)?;
        std::fs::write(path, text)
            .map_err(|e| anyhow::anyhow!("cannot write the plan to {}: {e}", path.display()))?;
        eprintln!(
            "plan written to {}; `regscope apply {}` carries it out",
            path.display(),
            path.display()
        );
    }
    let nothing = planned.iter().all(|p| p.groups.is_empty());
    let go = brake.is_none() && !only_plan && !nothing && (args.yes || confirm(&planned)?);
    let mut results = Vec::new();
    if go {
        let trash = Trash::default_location().filter(|_| !args.no_trash);
        if trash.is_none() && !args.no_trash {
            return Err(UsageError(
                "no trash directory (no undo): pass --no-trash to delete without a copy".into(),
            )
            .into());
        }
        let options = ExecuteOptions {
            trash: trash.as_ref(),
            force: false,
            concurrency,
        };
        let _graceful = super::interrupt::Graceful::enter();
        for group in planned.iter().flat_map(|p| &p.groups) {
            let outcome = delete::execute(&source, group, &options).await;
            if !ctx.global.json {
                report(group, &outcome);
            }
            results.push((group, outcome));
        }
    }
    if ctx.global.json {
        print_json(&plan_json(&planned, &args, &location, now, &results))?;
    }
    if let Some(why) = brake {
        anyhow::bail!("{why}");
    }
    let failed = results
        .iter()
        .filter(|(_, o)| !matches!(o, Outcome::Deleted { .. }))
        .count();
    if failed > 0 {
        anyhow::bail!("{failed} of {} deletions did not happen", results.len());
    }
    Ok(())
}

/// Bytes freed weighed against every other repository of the registry.
async fn weigh_registry_wide(
    source: &crate::store::CachedSource,
    planned: &mut [RepoPrune],
    concurrency: usize,
) -> anyhow::Result<u64> {
    let listed = source.source().repositories().await?.items;
    let mut others = Vec::new();
    for repo in listed
        .iter()
        .filter(|r| !planned.iter().any(|p| &p.name == *r))
    {
        let data =
            crate::ops::usage::repository_usage(source, repo, concurrency, &|_, _| {}).await?;
        others.push(data.objects);
    }
    Ok(crate::ops::prune::exact_bytes_freed(planned, &others))
}

/// Why the plan is refused, if a brake holds it.
fn brake(planned: &RepoPrune, args: &PruneArgs) -> Option<String> {
    let doomed = planned.plan.delete.len();
    if let Some(max) = args.max_delete
        && doomed > max
    {
        return Some(format!(
            "the plan deletes {doomed} images, more than --max-delete {max}; nothing deleted"
        ));
    }
    let percent = usize::from(args.max_delete_percent);
    if doomed.saturating_mul(100) > planned.images.saturating_mul(percent) {
        return Some(format!(
            "the plan deletes {doomed} of {} images, more than --max-delete-percent {percent}; nothing deleted",
            planned.images
        ));
    }
    None
}

fn print_plan(planned: &RepoPrune) {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for d in &planned.plan.delete {
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
    for k in &planned.plan.keep {
        rows.push(vec![
            "keep".into(),
            sanitize_line(&k.tag, 60),
            k.digest.short(),
            sanitize_line(&k.reason, 80),
        ]);
    }
    println!("{}", table(&["", "TAG", "DIGEST", "WHY"], &rows));
    println!(
        "\n{}: {} of {} images go ({} tags); frees {} (bytes nothing else references; without --exact an upper bound: other repositories may share them)",
        sanitize_line(&planned.repository, 200),
        planned.plan.delete.len(),
        planned.images,
        planned
            .plan
            .delete
            .iter()
            .map(|d| d.tags.len())
            .sum::<usize>(),
        human_size(planned.bytes_freed)
    );
}

fn confirm(planned: &[RepoPrune]) -> anyhow::Result<bool> {
    let images: usize = planned.iter().map(|p| p.plan.delete.len()).sum();
    let bytes = crate::model::usage::saturating_sum(planned.iter().map(|p| p.bytes_freed));
    let mut err = std::io::stderr();
    write!(
        err,
        "Delete these {images} images ({})? [y/N] ",
        human_size(bytes)
    )?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn report(group: &crate::ops::delete::DeleteGroup, outcome: &Outcome) {
    let name = format!(
        "{}@{}",
        sanitize_line(&group.display_name, 200),
        group.digest.short()
    );
    match outcome {
        Outcome::Deleted { tags, .. } => {
            let tags: Vec<String> = tags.iter().map(|t| sanitize_line(t, 100)).collect();
            println!("deleted {name} (tags: {})", tags.join(", "));
        }
        Outcome::Skipped { reason } => eprintln!("skipped {name}: {}", sanitize_line(reason, 300)),
        Outcome::Failed { error, .. } => eprintln!("failed {name}: {}", sanitize_line(error, 300)),
    }
}

/// The plan in the documented `regscope-plan/1` shape, with results when applied.
fn plan_json(
    planned: &[RepoPrune],
    args: &PruneArgs,
    location: &str,
    now: jiff::Timestamp,
    results: &[(&crate::ops::delete::DeleteGroup, Outcome)],
) -> serde_json::Value {
    let when = |t: Option<i64>| {
        t.and_then(|s| jiff::Timestamp::from_second(s).ok())
            .map(|t| t.to_string())
    };
    json!({
        "format": "regscope-plan/1",
        "source": location,
        "created": now.to_string(),
        "expires": jiff::Timestamp::from_second(now.as_second().saturating_add(PLAN_LIFETIME))
            .map(|t| t.to_string())
            .unwrap_or_default(),
        "rules": {
            "keep_newest": args.keep_newest, "keep": args.keep, "only": args.only,
            "older_than_seconds": args.older_than, "include_undated": args.include_undated,
        },
        "exact": args.exact,
        "repositories": planned.iter().map(|p| json!({
            "repository": p.repository,
            "delete": p.plan.delete.iter().map(|d| json!({
                "digest": d.digest, "tags": d.tags, "created": when(d.created), "reasons": d.reasons,
            })).collect::<Vec<_>>(),
            "keep": p.plan.keep.iter().map(|k| json!({
                "tag": k.tag, "digest": k.digest, "reason": k.reason,
            })).collect::<Vec<_>>(),
            "bytes_freed": p.bytes_freed,
        })).collect::<Vec<_>>(),
        "bytes_freed": crate::model::usage::saturating_sum(planned.iter().map(|p| p.bytes_freed)),
        "dry_run": args.dry_run,
        "results": results.iter().map(|(g, o)| {
            let mut v = serde_json::to_value(o).unwrap_or_default();
            v["digest"] = json!(g.digest);
            v
        }).collect::<Vec<_>>(),
    })
}

/// `regscope apply FILE`: a written plan, re-checked tag by tag on its own registry.
pub async fn apply(
    ctx: &Context,
    path: &std::path::Path,
    yes: bool,
    no_trash: bool,
) -> anyhow::Result<()> {
    let text = std::fs::read(path)
        .map_err(|e| UsageError(format!("cannot read the plan {}: {e}", path.display())))?;
    let doc: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| UsageError(format!("{} is not a plan: {e}", path.display())))?;
    if doc["format"] != "regscope-plan/1" {
        return Err(UsageError(format!("{} is not a regscope-plan/1 plan", path.display())).into());
    }
    let expires = doc["expires"]
        .as_str()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .ok_or_else(|| UsageError("the plan has no valid `expires`".into()))?;
    if jiff::Timestamp::now() > expires {
        return Err(UsageError(format!(
            "the plan expired at {expires}: make a new one with `regscope prune … --plan-out`"
        ))
        .into());
    }
    if !yes && !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "refusing to delete without --yes: standard input is not a terminal".into(),
        )
        .into());
    }
    let source_name = doc["source"].as_str().unwrap_or_default().to_string();
    let mut results = Vec::new();
    for repository in doc["repositories"].as_array().into_iter().flatten() {
        let display = repository["repository"].as_str().unwrap_or_default();
        let target = target::parse(display)?;
        let (source, repo) = ctx.open_repository(&target).await?;
        let source = ctx.cached(source, ctx.concurrency_for(&target.location));
        if source.source().location() != source_name {
            return Err(UsageError(format!(
                "the plan was made on {source_name}, not {}; not applying it",
                source.source().location()
            ))
            .into());
        }
        let groups = groups_of(repository, display, &repo, &source_name)?;
        if !yes && !confirm_count(groups.len())? {
            eprintln!("cancelled: nothing deleted");
            return Ok(());
        }
        let trash = Trash::default_location().filter(|_| !no_trash);
        let options = ExecuteOptions {
            trash: trash.as_ref(),
            force: false,
            concurrency: ctx.concurrency_for(&target.location),
        };
        let _graceful = super::interrupt::Graceful::enter();
        for group in &groups {
            let outcome = delete::execute(&source, group, &options).await;
            if !ctx.global.json {
                report(group, &outcome);
            }
            let mut value = serde_json::to_value(&outcome)?;
            value["digest"] = json!(group.digest);
            results.push((matches!(outcome, Outcome::Deleted { .. }), value));
        }
    }
    if ctx.global.json {
        print_json(&json!({ "results": results.iter().map(|(_, v)| v).collect::<Vec<_>>() }))?;
    }
    let failed = results.iter().filter(|(ok, _)| !ok).count();
    if failed > 0 {
        anyhow::bail!("{failed} of {} deletions did not happen", results.len());
    }
    Ok(())
}

/// The delete groups of one repository of a written plan.
fn groups_of(
    repository: &serde_json::Value,
    display: &str,
    repo: &str,
    location: &str,
) -> anyhow::Result<Vec<crate::ops::delete::DeleteGroup>> {
    let mut groups = Vec::new();
    for entry in repository["delete"].as_array().into_iter().flatten() {
        let digest: crate::oci::digest::Digest = entry["digest"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .map_err(|e| UsageError(format!("the plan has an invalid digest: {e}")))?;
        let tags: Vec<String> = entry["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect();
        groups.push(crate::ops::delete::DeleteGroup {
            referrer_of: None,
            display_name: display.to_string(),
            repository: repo.to_string(),
            location: location.to_string(),
            digest,
            kind: "image",
            requested: tags
                .iter()
                .cloned()
                .map(crate::ops::delete::Requested::Tag)
                .collect(),
            tags,
            bytes_freed: 0,
            part_of: Vec::new(),
        });
    }
    Ok(groups)
}

fn confirm_count(images: usize) -> anyhow::Result<bool> {
    let mut err = std::io::stderr();
    write!(err, "Delete these {images} images? [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
