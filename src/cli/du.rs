//! `regscope du REPOSITORY`: where the bytes go, per tag.

use super::connect::Context;
use super::exit::UsageError;
use super::output::{human_size, print_json, table};
use crate::model::usage::{UsageSort, sort_usage};
use crate::oci::text::sanitize_line;
use crate::ops::usage::repository_usage;
use crate::source::target;

pub async fn run(ctx: &Context, repository: &str, sort: UsageSort) -> anyhow::Result<()> {
    let target = target::parse(repository)?;
    if target.reference.is_some() {
        return Err(UsageError(format!(
            "invalid repository {repository:?}: `du` takes a repository without a tag or digest"
        ))
        .into());
    }
    let (source, repo) = ctx.open_repository(&target).await?;
    let concurrency = ctx.concurrency_for(&target.location);
    let source = ctx.cached(source, concurrency);
    let bar = progress_bar();
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let data = repository_usage(&source, &repo, concurrency, &progress).await;
    bar.finish_and_clear();
    source.flush();
    let mut usage = data?.usage;
    if let Some(as_of) = &usage.as_of {
        eprintln!("regscope: tags as of {as_of} (a stored snapshot, not asked again)");
    }
    sort_usage(&mut usage.tags, sort);
    if ctx.global.json {
        return print_json(&usage);
    }
    let rows: Vec<Vec<String>> = usage
        .tags
        .iter()
        .map(|t| {
            vec![
                sanitize_line(&t.tag, 60),
                t.digest.short(),
                human_size(t.stored_bytes),
                human_size(t.exclusive_bytes),
                human_size(t.shared_bytes),
                t.created
                    .as_deref()
                    .map(|c| sanitize_line(c, 25))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    println!(
        "{}",
        table(
            &["TAG", "DIGEST", "STORED", "EXCLUSIVE", "SHARED", "CREATED"],
            &rows
        )
    );
    let digests: std::collections::HashSet<_> = usage.tags.iter().map(|t| &t.digest).collect();
    println!(
        "\n{} tags, {} manifests, {} unique bytes in {}",
        usage.tags.len(),
        digests.len(),
        human_size(usage.total_unique_bytes),
        sanitize_line(&usage.repository, 200)
    );
    Ok(())
}

/// Tags resolved so far, on stderr; indicatif hides it when stderr is not a terminal.
fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("[{bar:30}] {pos}/{len} tags") {
        bar.set_style(style.progress_chars("#> "));
    }
    bar
}
