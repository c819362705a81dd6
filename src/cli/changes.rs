//! `regscope changes TARGET`: what changed since the last stored look (or
//! the last one older than `--since`): repositories and tags new, gone or
//! moved. `--watch INTERVAL` keeps looking (listings and HEADs only) and
//! prints each change as it happens, until Ctrl-C.

use super::args::ChangesArgs;
use super::connect::Context;
use super::exit::{Interrupted, UsageError};
use super::interrupt;
use super::output::{print_json, print_lines, warn};
use crate::oci::digest::Digest;
use crate::ops::changes::{DatedChange, Look, changes, dated, look};
use crate::source::target;
use crate::store::CachedSource;
use crate::store::db::Store;
use serde::Serialize;
use std::time::Duration;

#[derive(Serialize)]
struct ChangesJson {
    target: String,
    /// When the look compared against was taken (RFC 3339); null: none stored.
    since: Option<String>,
    changes: Vec<DatedChange>,
}

pub async fn run(ctx: &Context, args: &ChangesArgs) -> anyhow::Result<()> {
    let target = target::parse(&args.target)?;
    let (source, repo) = ctx.open(&target).await?;
    let store = ctx.store().ok_or_else(|| {
        UsageError("changes compares with stored looks: there is no cache directory".into())
    })?;
    let width = ctx.concurrency_for(&target.location);
    let cached = ctx.cached(source, width);
    if let Some(interval) = args.watch {
        return watch(ctx, &cached, repo.as_deref(), interval, width).await;
    }
    let at = args.since.map(|d| {
        jiff::Timestamp::now()
            .as_second()
            .saturating_sub(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    });
    let Some(now) = look(&cached, repo.as_deref(), width, &interrupt::stop_requested).await? else {
        return Err(Interrupted("stopped before the look was whole".into()).into());
    };
    let before = stored_look(&store, &cached.source().location(), &now, at);
    remember(&cached, &now);
    store.flush();
    let found = before
        .as_ref()
        .map(|(_, b)| changes(b, &now))
        .unwrap_or_default();
    let found = dated(&cached, found).await;
    let since = before.map(|(taken, _)| rfc3339(taken));
    report(
        ctx,
        &match repo.as_deref() {
            Some(repo) => cached.source().display_repository(repo),
            None => cached.source().name(),
        },
        since,
        found,
    )
}

/// The stored look `now` compares with: each part the newest at or before
/// `at`; `None` when nothing of it is stored.
fn stored_look(store: &Store, location: &str, now: &Look, at: Option<i64>) -> Option<(i64, Look)> {
    let mut taken = None;
    let catalog = match &now.catalog {
        Some(_) => store
            .history::<Vec<String>>(location, "", at)
            .map(|(t, c)| {
                taken = Some(taken.map_or(t, |old: i64| old.min(t)));
                c
            }),
        None => None,
    };
    let mut tags = std::collections::BTreeMap::new();
    for repo in now.tags.keys() {
        if let Some((t, entries)) = store.history::<Vec<(String, Digest)>>(location, repo, at) {
            taken = Some(taken.map_or(t, |old: i64| old.min(t)));
            tags.insert(repo.clone(), entries);
        }
    }
    Some((taken?, Look { catalog, tags }))
}

fn remember(cached: &CachedSource, now: &Look) {
    if let Some(catalog) = &now.catalog {
        cached.remember_catalog(catalog);
    }
    for (repo, tags) in &now.tags {
        cached.save_snapshot(repo, tags);
    }
}

fn report(
    ctx: &Context,
    target: &str,
    since: Option<String>,
    found: Vec<DatedChange>,
) -> anyhow::Result<()> {
    if ctx.global.json {
        return print_json(&ChangesJson {
            target: target.to_string(),
            since,
            changes: found,
        });
    }
    match &since {
        None => {
            eprintln!("regscope: no earlier look at {target} is stored: this one is the baseline")
        }
        Some(when) if found.is_empty() => eprintln!("regscope: nothing changed since {when}"),
        Some(when) => eprintln!("regscope: changes since {when}"),
    }
    let lines: Vec<String> = found.iter().map(dated_line).collect();
    print_lines(&lines)
}

/// A change's line, with the creation dates known (`created 2026-12-01`).
fn dated_line(dated: &DatedChange) -> String {
    let day = |s: &String| s.chars().take(10).collect::<String>();
    match (&dated.previous_created, &dated.created) {
        (Some(was), Some(now)) => format!(
            "{}  (created {} → {})",
            dated.change.line(),
            day(was),
            day(now)
        ),
        (None, Some(now)) => format!("{}  (created {})", dated.change.line(), day(now)),
        (Some(was), None) => format!("{}  (created {})", dated.change.line(), day(was)),
        (None, None) => dated.change.line(),
    }
}

/// Looks every `interval`, printing each change when it is seen (one line,
/// or one JSON object a line); Ctrl-C ends it.
async fn watch(
    ctx: &Context,
    cached: &CachedSource,
    repo: Option<&str>,
    interval: Duration,
    width: usize,
) -> anyhow::Result<()> {
    let _graceful = interrupt::Graceful::enter();
    let stop = &interrupt::stop_requested;
    let Some(mut last) = look(cached, repo, width, stop).await? else {
        return Err(Interrupted("stopped watching".into()).into());
    };
    remember(cached, &last);
    let mut failures = 0;
    while sleep_unless_stopped(interval).await {
        let now = match look(cached, repo, width, stop).await {
            Ok(Some(now)) => now,
            Ok(None) => break,
            // One failed look (a timeout, a 5xx) is not a reason to stop
            // watching; a registry that keeps failing is.
            Err(e) if failures + 1 < WATCH_FAILURES_TOLERATED => {
                failures += 1;
                warn(&format!(
                    "this look failed, trying again in {interval:?}: {e}"
                ));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        failures = 0;
        let found = changes(&last, &now);
        if !found.is_empty() {
            remember(cached, &now);
            print_now(ctx, &dated(cached, found).await)?;
        }
        last = now;
    }
    Err(Interrupted("stopped watching".into()).into())
}

/// Looks in a row that may fail before `--watch` gives up.
const WATCH_FAILURES_TOLERATED: u32 = 5;

/// Waits `interval` in short steps; false once Ctrl-C asked to stop.
async fn sleep_unless_stopped(interval: Duration) -> bool {
    let step = Duration::from_millis(100);
    let mut left = interval;
    while !left.is_zero() {
        if interrupt::stop_requested() {
            return false;
        }
        let nap = left.min(step);
        tokio::time::sleep(nap).await;
        left = left.saturating_sub(nap);
    }
    !interrupt::stop_requested()
}

fn print_now(ctx: &Context, found: &[DatedChange]) -> anyhow::Result<()> {
    let at = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let lines: Vec<String> = if ctx.global.json {
        found
            .iter()
            .map(|c| {
                let mut value = serde_json::to_value(c).unwrap_or_default();
                value["at"] = serde_json::json!(at);
                value.to_string()
            })
            .collect()
    } else {
        found
            .iter()
            .map(|c| format!("{at} {}", dated_line(c)))
            .collect()
    };
    print_lines(&lines)?;
    use std::io::Write;
    std::io::stdout().flush()?;
    Ok(())
}

fn rfc3339(seconds: i64) -> String {
    crate::ops::summary::rfc3339(seconds).unwrap_or_else(|| seconds.to_string())
}
