//! `regscope tag IMAGE NEWTAG...`: more tags on one digest, with no blob
//! traffic (one manifest GET, then a HEAD and a PUT per tag). A tag that
//! names another digest is shown and asked about; its old manifest goes to
//! the trash, so `trash restore` puts it back.

use super::args::TagArgs;
use super::connect::Context;
use super::deleting::confirm;
use super::exit::UsageError;
use super::output::print_json;
use crate::oci::digest::Digest;
use crate::oci::manifest::Manifest;
use crate::oci::reference::is_valid_tag;
use crate::oci::text::sanitize_line;
use crate::ops::copy::{Destination, Known, tag_names};
use crate::source::Source;
use crate::store::trash::{Deleted, Trash};
use serde::Serialize;
use std::io::IsTerminal;

/// One tag's outcome (`tag --json`).
#[derive(Debug, Serialize)]
pub struct TagResult {
    pub tag: String,
    /// The digest the tag named before, if it existed.
    pub previous: Option<Digest>,
    /// `tagged` (new), `moved` (named another digest), `unchanged`,
    /// `skipped` (not confirmed, or changed since it was shown).
    pub action: &'static str,
    /// The trash entry holding the manifest the tag named before.
    pub trash_id: Option<String>,
}

#[derive(Serialize)]
struct TagJson<'a> {
    image: String,
    digest: &'a Digest,
    dry_run: bool,
    tags: Vec<TagResult>,
}

pub async fn run(ctx: &Context, args: &TagArgs) -> anyhow::Result<()> {
    if let Some(bad) = args.tags.iter().find(|t| !is_valid_tag(t)) {
        return Err(UsageError(format!("{:?} is not a valid tag", sanitize_line(bad, 140))).into());
    }
    let side = super::sides::open_source(ctx, &args.image, None).await?;
    let cached = ctx.cached(side.source.clone(), 1);
    let image = super::copy::top_manifest(&cached, &side).await?;
    let known = Known::default();
    let dest = Destination {
        source: &side.source,
        repository: &side.repository,
        width: 1,
        known: &known,
    };
    let mut current = Vec::new();
    for tag in &args.tags {
        current.push((tag.clone(), tag_names(&dest, tag).await?));
    }
    let agreed = args.dry_run || args.yes || confirmed(&current, &image.digest)?;
    let mut results = Vec::new();
    for (tag, previous) in current {
        let planned = if previous.is_some() {
            "moved"
        } else {
            "tagged"
        };
        let result = match (&previous, agreed) {
            (Some(d), _) if *d == image.digest => outcome(tag, previous, "unchanged"),
            (Some(_), false) => outcome(tag, previous, "skipped"),
            _ if args.dry_run => outcome(tag, previous, planned),
            _ => put_tag(&dest, &image, tag, previous).await?,
        };
        results.push(result);
    }
    report(ctx, &side, &image.digest, args.dry_run, results)
}

fn outcome(tag: String, previous: Option<Digest>, action: &'static str) -> TagResult {
    TagResult {
        tag,
        previous,
        action,
        trash_id: None,
    }
}

/// Whether the tags that would move (they name another digest) may: none
/// do, or the user says yes.
fn confirmed(current: &[(String, Option<Digest>)], digest: &Digest) -> anyhow::Result<bool> {
    let moving: Vec<&(String, Option<Digest>)> = current
        .iter()
        .filter(|(_, d)| d.as_ref().is_some_and(|d| d != digest))
        .collect();
    if moving.is_empty() {
        return Ok(true);
    }
    ask(&moving, digest)
}

fn ask(moving: &[&(String, Option<Digest>)], digest: &Digest) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "refusing to move tags without --yes: standard input is not a terminal".into(),
        )
        .into());
    }
    for (tag, previous) in moving {
        if let Some(previous) = previous {
            eprintln!("  {} names {previous} now", sanitize_line(tag, 128));
        }
    }
    confirm(&format!("Move {} tag(s) to {digest}?", moving.len()))
}

/// Re-checks the tag at the moment of the PUT (it must still name what was
/// shown), keeps the manifest it named in the trash, then moves it.
async fn put_tag(
    dest: &Destination<'_>,
    image: &Manifest,
    tag: String,
    previous: Option<Digest>,
) -> anyhow::Result<TagResult> {
    let now = tag_names(dest, &tag).await?;
    if now != previous {
        eprintln!(
            "regscope: {} changed since it was shown; left alone",
            sanitize_line(&tag, 128)
        );
        return Ok(outcome(tag, now, "skipped"));
    }
    let trash_id = match &previous {
        Some(old) => Some(keep_in_trash(dest, old, &tag, &image.digest).await?),
        None => None,
    };
    dest.source
        .store_manifest(dest.repository, image, Some(&tag), true)
        .await?;
    let action = if previous.is_some() {
        "moved"
    } else {
        "tagged"
    };
    Ok(TagResult {
        tag,
        previous,
        action,
        trash_id,
    })
}

async fn keep_in_trash(
    dest: &Destination<'_>,
    old: &Digest,
    tag: &str,
    moved_to: &Digest,
) -> anyhow::Result<String> {
    let trash = Trash::default_location().ok_or_else(|| {
        UsageError(
            "no state directory to keep the tag's old manifest in: set XDG_STATE_HOME".into(),
        )
    })?;
    let manifest = dest
        .source
        .manifest(dest.repository, &old.to_string())
        .await?;
    let entry = trash.save(&Deleted {
        location: &dest.source.location(),
        repository: dest.repository,
        digest: &old.to_string(),
        media_type: &manifest.media_type,
        tags: &[tag.to_string()],
        manifest: &manifest.raw,
    })?;
    Ok(trash.mark_replaced(&entry, &moved_to.to_string())?.id)
}

fn report(
    ctx: &Context,
    side: &super::sides::Side,
    digest: &Digest,
    dry_run: bool,
    tags: Vec<TagResult>,
) -> anyhow::Result<()> {
    let image = display(&side.source, &side.repository);
    if ctx.global.json {
        return print_json(&TagJson {
            image,
            digest,
            dry_run,
            tags,
        });
    }
    for t in &tags {
        let was = t
            .previous
            .as_ref()
            .map_or(String::new(), |p| format!(" (was {})", p.short()));
        let undo = t.trash_id.as_ref().map_or(String::new(), |id| {
            format!("; undo: regscope trash restore {id}")
        });
        println!(
            "{:<9} {image}:{}{was}{undo}",
            t.action,
            sanitize_line(&t.tag, 128)
        );
    }
    Ok(())
}

fn display(source: &Source, repository: &str) -> String {
    source.display_repository(repository)
}
