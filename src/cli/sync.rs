//! `regscope sync SRC_REPO DST`: mirror a repository's tags. A tag whose
//! destination already names the source's digest costs two HEADs and nothing
//! more; blobs shared between tags are checked and moved once. `--delete`
//! removes destination tags the selection no longer has, through the
//! deletion executor (its plan, confirmation, re-checks and trash).

use super::args::{RmArgs, SyncArgs};
use super::connect::Context;
use super::copy::carry_out;
use super::exit::{Interrupted, UsageError};
use super::output::{human_size, print_json};
use super::sides::{Side, SidePasswords, open_destination, open_source};
use crate::model::attached::{cosign_subject, schema_subject};
use crate::model::tag_order::sort_natural;
use crate::oci::digest::Digest;
use crate::oci::reference::is_valid_tag;
use crate::oci::text::sanitize_line;
use crate::ops::copy::{self, CopyOptions, Destination, Finish, Known, Totals, tag_names};
use crate::source::Source;
use crate::store::CachedSource;
use serde::Serialize;

/// One tag's outcome (`sync --json`).
#[derive(Debug, Serialize)]
pub struct SyncedTag {
    pub tag: String,
    pub digest: Digest,
    /// `copied` (the tag was written), `unchanged` (the destination had it).
    pub action: &'static str,
    pub totals: Totals,
}

#[derive(Serialize)]
struct SyncJson {
    source: String,
    destination: String,
    dry_run: bool,
    completed: bool,
    tags: Vec<SyncedTag>,
    totals: Totals,
    /// Destination tags the source selection lacks (deleted with --delete).
    stale: Vec<String>,
    /// `rm --json`'s document for the stale tags, with --delete.
    deleted: Option<serde_json::Value>,
}

pub async fn run(ctx: &Context, args: &SyncArgs) -> anyhow::Result<()> {
    let passwords = SidePasswords::read(&args.credentials)?;
    let from = open_source(ctx, &args.source, passwords.source).await?;
    let to = open_destination(ctx, &args.destination, passwords.destination).await?;
    check_sides(&from, &to)?;
    let selected = select_tags(&from, args).await?;
    if selected.is_empty() && args.delete {
        let why =
            "nothing selected at the source: --delete would remove every destination tag; refusing";
        return Err(UsageError(why.into()).into());
    }
    let known = Known::default();
    let dest = to.destination(ctx, &known);
    let cached = ctx.cached(from.source.clone(), dest.width);
    let (synced, completed) = sync_tags(ctx, args, (&cached, &from), &dest, &selected).await?;
    let stale = stale_tags(&to, &dest, &selected, &synced).await?;
    let deleted = match (args.delete && completed, stale.is_empty()) {
        (true, false) => delete_stale(ctx, &to, &args.destination, &stale, args).await?,
        _ => None,
    };
    report(ctx, args, &from, &to, synced, stale, deleted, completed)?;
    if !completed {
        let why = "stopped between blobs: the tag in flight was not written";
        return Err(Interrupted(why.into()).into());
    }
    Ok(())
}

fn check_sides(from: &Side, to: &Side) -> anyhow::Result<()> {
    if from.reference.is_some() && !matches!(from.source, Source::Layout(_)) {
        let why = "sync takes a repository (no tag): localhost:5000/team/app";
        return Err(UsageError(why.into()).into());
    }
    if to.reference.is_some() {
        let why = "sync writes each tag under its own name: give the destination without a tag";
        return Err(UsageError(why.into()).into());
    }
    Ok(())
}

/// Each selected tag in turn: two HEADs, and a copy when they differ. Returns
/// what each tag got, and false when Ctrl-C stopped it.
async fn sync_tags(
    ctx: &Context,
    args: &SyncArgs,
    (cached, from): (&CachedSource, &Side),
    dest: &Destination<'_>,
    selected: &[String],
) -> anyhow::Result<(Vec<SyncedTag>, bool)> {
    let options = CopyOptions {
        platform: None,
        referrers: args.referrers,
    };
    let mut synced = Vec::new();
    for tag in selected {
        let digest = from.source.resolve(&from.repository, tag).await?;
        if tag_names(dest, tag).await? == Some(digest.clone()) {
            synced.push(tag_result(tag, digest, "unchanged", Totals::default()));
            continue;
        }
        let top = cached.manifest(&from.repository, &digest).await?;
        let mut plan = copy::plan(cached, &from.repository, top, dest, Some(tag), &options).await?;
        if args.dry_run {
            plan.blobs
                .iter()
                .for_each(|b| dest.known.add_blob(&b.digest));
            plan.manifests
                .iter()
                .for_each(|m| dest.known.add_manifest(&m.digest));
        } else if carry_out(&mut plan, cached, &from.repository, dest, ctx.global.json).await?
            == Finish::Stopped
        {
            return Ok((synced, false));
        }
        synced.push(tag_result(tag, digest, "copied", plan.totals()));
    }
    Ok((synced, true))
}

fn tag_result(tag: &str, digest: Digest, action: &'static str, totals: Totals) -> SyncedTag {
    SyncedTag {
        tag: tag.to_string(),
        digest,
        action,
        totals,
    }
}

/// The source's tags that `--tags` matches (signature, attestation and
/// referrers tags travel with `--referrers`, not as tags of their own), the
/// `--keep-newest` highest in version order.
async fn select_tags(from: &Side, args: &SyncArgs) -> anyhow::Result<Vec<String>> {
    let filter = args
        .tags
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .map_err(|e| UsageError(format!("invalid --tags: {e}")))?;
    let listing = from.source.tags(&from.repository).await?;
    if let Some(why) = &listing.incomplete {
        return Err(UsageError(format!(
            "the source's tag list is incomplete ({why}): nothing synced"
        ))
        .into());
    }
    let mut tags: Vec<String> = listing
        .items
        .into_iter()
        .filter(|t| !is_attached(t) && filter.as_ref().is_none_or(|f| f.is_match(t)))
        .collect();
    sort_natural(&mut tags);
    if let Some(n) = args.keep_newest {
        let skip = tags.len().saturating_sub(n);
        tags.drain(..skip);
    }
    Ok(tags)
}

/// Tags of signatures and referrers, and a layout's untagged entries
/// (listed as `@digest`): not tags to mirror.
fn is_attached(tag: &str) -> bool {
    cosign_subject(tag).is_some() || schema_subject(tag).is_some() || !is_valid_tag(tag)
}

/// Destination tags not in the selection, except those naming a digest a
/// synced tag names (deleting that digest would take the synced tag along).
async fn stale_tags(
    to: &Side,
    dest: &Destination<'_>,
    selected: &[String],
    synced: &[SyncedTag],
) -> anyhow::Result<Vec<String>> {
    let listing = match to.source.tags(&to.repository).await {
        Ok(listing) => listing,
        Err(e) if e.is_not_found() => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut stale = Vec::new();
    for tag in listing
        .items
        .into_iter()
        .filter(|t| !selected.contains(t) && !is_attached(t))
    {
        let digest = tag_names(dest, &tag).await?;
        if synced.iter().any(|s| Some(&s.digest) == digest.as_ref()) {
            eprintln!(
                "regscope: {} stays: it names the same digest as a synced tag",
                sanitize_line(&tag, 128)
            );
            continue;
        }
        stale.push(tag);
    }
    sort_natural(&mut stale);
    Ok(stale)
}

async fn delete_stale(
    ctx: &Context,
    to: &Side,
    typed: &str,
    stale: &[String],
    args: &SyncArgs,
) -> anyhow::Result<Option<serde_json::Value>> {
    let base = match &to.source {
        Source::Layout(store) => store.name(),
        Source::Registry(_) => typed.to_string(),
    };
    let images = stale.iter().map(|t| format!("{base}:{t}")).collect();
    let rm = RmArgs::plain(images, args.dry_run, args.yes);
    let batches = super::rm::batches(&rm.images)?;
    let (json, result) = super::rm::delete_batches(ctx, &batches, &rm).await;
    result?;
    Ok(json)
}

#[allow(clippy::too_many_arguments)]
fn report(
    ctx: &Context,
    args: &SyncArgs,
    from: &Side,
    to: &Side,
    tags: Vec<SyncedTag>,
    stale: Vec<String>,
    deleted: Option<serde_json::Value>,
    completed: bool,
) -> anyhow::Result<()> {
    let mut totals = Totals::default();
    tags.iter().for_each(|t| totals.add(&t.totals));
    if !ctx.global.json {
        print_text(args, &tags, &totals, stale.len());
        return Ok(());
    }
    print_json(&SyncJson {
        source: from.source.display_repository(&from.repository),
        destination: to.source.display_repository(&to.repository),
        dry_run: args.dry_run,
        completed,
        tags,
        totals,
        stale,
        deleted,
    })
}

fn print_text(args: &SyncArgs, tags: &[SyncedTag], totals: &Totals, stale: usize) {
    let verb = if args.dry_run { "would copy" } else { "copied" };
    for t in tags {
        let action = match t.action {
            "copied" if args.dry_run => "would copy",
            other => other,
        };
        println!(
            "{action:<10} {} ({})",
            sanitize_line(&t.tag, 128),
            t.digest.short()
        );
    }
    println!(
        "{} tags: {verb} {} blobs ({}), mounted {}, {} already there",
        tags.len(),
        totals.blobs_copied,
        human_size(totals.bytes_copied),
        totals.blobs_mounted,
        totals.blobs_skipped
    );
    if stale > 0 && !args.delete {
        println!("{stale} destination tags the source lacks (--delete removes them)");
    }
}
