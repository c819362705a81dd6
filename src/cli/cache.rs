//! `regscope cache stats | clear | prune`: the store file.

use super::connect::Context;
use super::output::{human_size, print_json};
use crate::config::parse_size;
use crate::store::db::DEFAULT_MAX_BYTES;

fn open(ctx: &Context) -> anyhow::Result<crate::store::db::Store> {
    ctx.store()
        .ok_or_else(|| anyhow::anyhow!("no cache directory (set XDG_CACHE_HOME or HOME)"))
}

pub fn stats(ctx: &Context) -> anyhow::Result<()> {
    let stats = open(ctx)?.stats();
    if ctx.global.json {
        return print_json(&stats);
    }
    let when = |t: Option<i64>| {
        t.and_then(crate::ops::summary::rfc3339)
            .unwrap_or_else(|| "-".to_string())
    };
    println!("file         {}", stats.path);
    println!("size         {} on disk", human_size(stats.file_bytes));
    println!(
        "content      {} entries, {} of {} allowed",
        stats.content_entries,
        human_size(stats.content_bytes),
        human_size(stats.max_bytes)
    );
    println!("snapshots    {} repositories", stats.repositories);
    println!("oldest       {}", when(stats.oldest_snapshot));
    println!("newest       {}", when(stats.newest_snapshot));
    Ok(())
}

pub fn clear(ctx: &Context) -> anyhow::Result<()> {
    open(ctx)?.clear().map_err(anyhow::Error::msg)?;
    if ctx.global.json {
        return print_json(&serde_json::json!({ "cleared": true }));
    }
    eprintln!("cache cleared");
    Ok(())
}

pub fn prune(ctx: &Context) -> anyhow::Result<()> {
    let max = ctx
        .config
        .cache
        .max_size
        .as_deref()
        .and_then(|s| parse_size(s).ok())
        .unwrap_or(DEFAULT_MAX_BYTES);
    let removed = open(ctx)?.prune(max).map_err(anyhow::Error::msg)?;
    if ctx.global.json {
        return print_json(&serde_json::json!({ "removed_bytes": removed, "max_bytes": max }));
    }
    eprintln!(
        "removed {} (the bound is {})",
        human_size(removed),
        human_size(max)
    );
    Ok(())
}
