//! `regscope cp SRC DST`: plan (what is there, what mounts, what moves),
//! then the copy with a progress bar; `--dry-run` stops after the plan.

use super::args::CopyArgs;
use super::connect::Context;
use super::exit::{Interrupted, UsageError};
use super::inspect::parse_platform;
use super::interrupt;
use super::output::{human_size, print_json};
use super::sides::{Side, SidePasswords, open_destination, open_source};
use crate::oci::manifest::Manifest;
use crate::oci::text::sanitize_line;
use crate::ops::copy::{
    self, Action, CopyOptions, CopyPlan, Destination, Event, Finish, Known, Totals,
};
use crate::source::target::Reference;
use crate::store::CachedSource;
use serde::Serialize;
use std::sync::Arc;

/// `cp --json` (a documented contract).
#[derive(Serialize)]
pub struct CopyJson<'a> {
    pub source: String,
    pub destination: String,
    pub dry_run: bool,
    /// Every step ran (false: stopped between blobs, nothing tagged).
    pub completed: bool,
    #[serde(flatten)]
    pub plan: &'a CopyPlan,
    pub totals: Totals,
    /// The source registry's pull budget as it last announced it.
    pub pull_budget: Option<PullBudget>,
}

#[derive(Serialize)]
pub struct PullBudget {
    pub limit: u64,
    pub remaining: u64,
}

pub async fn run(ctx: &Context, args: &CopyArgs) -> anyhow::Result<()> {
    let passwords = SidePasswords::read(&args.credentials)?;
    let options = CopyOptions {
        platform: parse_platform(args.platform.as_deref())?,
        referrers: args.referrers,
    };
    let from = open_source(ctx, &args.source, passwords.source).await?;
    let to = open_destination(ctx, &args.destination, passwords.destination).await?;
    let known = Known::default();
    let dest = to.destination(ctx, &known);
    let cached = ctx.cached(from.source.clone(), dest.width);
    let top = top_manifest(&cached, &from).await?;
    let tag = destination_tag(&from, &to);
    let plan = copy::plan(
        &cached,
        &from.repository,
        top,
        &dest,
        tag.as_deref(),
        &options,
    );
    let mut plan = plan.await?;
    check_destination_digest(&to, &plan)?;
    let names = (
        display(&from, &args.source),
        display(&to, &args.destination),
    );
    if args.dry_run {
        return report(ctx, &names, &plan, &cached, true, true);
    }
    let finish = carry_out(&mut plan, &cached, &from.repository, &dest, ctx.global.json).await?;
    report(ctx, &names, &plan, &cached, false, finish == Finish::Done)?;
    match finish {
        Finish::Done => Ok(()),
        Finish::Stopped => {
            let why = "stopped between blobs: no manifest or tag was written; run the same command to finish";
            Err(Interrupted(why.into()).into())
        }
    }
}

/// A destination named by digest must be the copied image's (the
/// platform's, with `--platform`).
fn check_destination_digest(to: &Side, plan: &CopyPlan) -> anyhow::Result<()> {
    match &to.reference {
        Some(Reference::Digest(d)) if *d != plan.digest => {
            let what = format!(
                "the destination names {d}, but the image is {}",
                plan.digest
            );
            Err(UsageError(what).into())
        }
        _ => Ok(()),
    }
}

/// The image the source reference names (a GET by tag is the one pull).
pub async fn top_manifest(cached: &CachedSource, from: &Side) -> anyhow::Result<Arc<Manifest>> {
    Ok(match &from.reference {
        Some(Reference::Digest(d)) => cached.manifest(&from.repository, d).await?,
        Some(Reference::Tag(t)) => cached.manifest_by_tag(&from.repository, t).await?,
        None => {
            return Err(
                UsageError("name the image to copy by tag or digest (…/app:1.0)".into()).into(),
            );
        }
    })
}

/// The destination's tag: its own, else the source's (by digest only when
/// the source is named by digest).
fn destination_tag(from: &Side, to: &Side) -> Option<String> {
    match (&to.reference, &from.reference) {
        (Some(Reference::Tag(t)), _) | (None, Some(Reference::Tag(t))) => Some(t.clone()),
        _ => None,
    }
}

/// Runs the plan under Ctrl-C's "stop between steps", with a progress bar
/// on a terminal.
pub async fn carry_out(
    plan: &mut CopyPlan,
    cached: &CachedSource,
    from_repo: &str,
    dest: &Destination<'_>,
    json: bool,
) -> anyhow::Result<Finish> {
    let _graceful = interrupt::Graceful::enter();
    let bar = progress_bar(json, plan.totals());
    let events = |event: Event| match event {
        Event::Bytes(n) => bar.inc(n),
        Event::Blob(step) => bar.set_message(format!(
            "{} {}",
            action_word(step.action),
            step.digest.short()
        )),
        Event::Manifest { .. } | Event::Done => {}
    };
    let finish = copy::run(
        plan,
        cached,
        from_repo,
        dest,
        &interrupt::stop_requested,
        &events,
    )
    .await;
    bar.finish_and_clear();
    Ok(finish?)
}

fn progress_bar(json: bool, totals: Totals) -> indicatif::ProgressBar {
    if json || totals.bytes_copied == 0 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(totals.bytes_copied);
    let template = "[{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg}";
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("#> "));
    }
    bar
}

fn display(side: &Side, typed: &str) -> String {
    match side.source {
        crate::source::Source::Layout(_) => sanitize_line(typed, 300),
        _ => side.source.display_repository(&side.repository),
    }
}

fn report(
    ctx: &Context,
    names: &(String, String),
    plan: &CopyPlan,
    cached: &CachedSource,
    dry_run: bool,
    completed: bool,
) -> anyhow::Result<()> {
    let pull_budget = cached.source().traffic().rate_limit.map(|r| PullBudget {
        limit: r.limit,
        remaining: r.remaining,
    });
    if ctx.global.json {
        return print_json(&CopyJson {
            source: names.0.clone(),
            destination: names.1.clone(),
            dry_run,
            completed,
            plan,
            totals: plan.totals(),
            pull_budget,
        });
    }
    for line in summary_lines(names, plan, dry_run, pull_budget.as_ref()) {
        println!("{line}");
    }
    Ok(())
}

/// What the copy did (or, with `--dry-run`, would do), in a few lines.
pub fn summary_lines(
    names: &(String, String),
    plan: &CopyPlan,
    dry_run: bool,
    budget: Option<&PullBudget>,
) -> Vec<String> {
    let target = match &plan.tag {
        Some(tag) => format!("{}:{}", names.1, sanitize_line(tag, 128)),
        None => format!("{}@{}", names.1, plan.digest),
    };
    let mut lines = vec![format!("{} → {target} ({})", names.0, plan.digest)];
    if dry_run {
        lines.extend(plan.blobs.iter().map(blob_line));
    }
    for step in &plan.manifests {
        if let (Some(tag), Some(old)) = (&step.tag, &step.replaces) {
            let tag = sanitize_line(tag, 128);
            lines.push(format!(
                "{} {tag} from {old}",
                if dry_run { "would move" } else { "moved" }
            ));
        }
    }
    lines.push(totals_line(&plan.totals(), dry_run));
    let budget = budget.map_or(String::new(), |b| {
        format!(" (pull budget left: {} of {})", b.remaining, b.limit)
    });
    let reads = plan.source_manifest_reads;
    lines.push(format!(
        "source manifest reads (pulls where counted): {reads}{budget}"
    ));
    lines
}

fn blob_line(b: &copy::BlobStep) -> String {
    format!(
        "  {:<8} {:>10}  {}  {}",
        action_word(b.action),
        human_size(b.size),
        b.digest.short(),
        sanitize_line(&b.media_type, 80)
    )
}

fn totals_line(t: &Totals, dry_run: bool) -> String {
    let verb = if dry_run { "would copy" } else { "copied" };
    format!(
        "{verb} {} blobs ({}), mounted {} ({}), {} already there ({}); manifests: {} to store, {} already there",
        t.blobs_copied,
        human_size(t.bytes_copied),
        t.blobs_mounted,
        human_size(t.bytes_mounted),
        t.blobs_skipped,
        human_size(t.bytes_skipped),
        t.manifests_copied,
        t.manifests_skipped,
    )
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Copied => "copy",
        Action::Mounted => "mount",
        Action::Skipped => "there",
    }
}
