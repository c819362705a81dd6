//! `regscope du REPOSITORY`: where the bytes go, per tag.

use super::connect::Context;
use super::exit::UsageError;
use super::output::{human_size, print_json, table};
use crate::model::usage::{RepoUsage, UsageSort, sort_usage};
use crate::oci::text::sanitize_line;
use crate::ops::usage::repository_usage;
use crate::source::target;

pub async fn run(
    ctx: &Context,
    repository: &str,
    sort: UsageSort,
    repos: Option<&str>,
) -> anyhow::Result<()> {
    let target = target::parse(repository)?;
    let whole_registry =
        target.repository.is_none() && matches!(target.location, target::Location::Registry(_));
    if whole_registry {
        return registry(ctx, &target, repos).await;
    }
    if repos.is_some() {
        return Err(UsageError("--repos goes with a registry, not a repository".into()).into());
    }
    if target.reference.is_some() {
        return Err(UsageError(format!(
            "invalid repository {repository:?}: `du` takes a repository without a tag or digest"
        ))
        .into());
    }
    let mut usage = sized(ctx, &target).await?;
    if let Some(as_of) = &usage.as_of {
        eprintln!("regscope: tags as of {as_of} (a stored snapshot, not asked again)");
    }
    warn_not_cached(&usage.not_cached);
    sort_usage(&mut usage.tags, sort);
    if ctx.global.json {
        return print_json(&usage);
    }
    print_table(&usage);
    Ok(())
}

/// Every tag of the target's repository sized, with a progress bar.
async fn sized(ctx: &Context, target: &target::Target) -> anyhow::Result<RepoUsage> {
    let (source, repo) = ctx.open_repository(target).await?;
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
    Ok(data?.usage)
}

/// Tags the store never resolved (an offline or max-age answer), on stderr.
fn warn_not_cached(not_cached: &[String]) {
    if !not_cached.is_empty() {
        let shown: Vec<String> = not_cached
            .iter()
            .take(5)
            .map(|t| sanitize_line(t, 80))
            .collect();
        let more = not_cached.len().saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        eprintln!(
            "regscope: {} listed tags are not cached (never looked up): {}{more}",
            not_cached.len(),
            shown.join(", ")
        );
    }
}

fn print_table(usage: &RepoUsage) {
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
}

/// Tags resolved so far, on stderr; indicatif hides it when stderr is not a terminal.
fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("[{bar:30}] {pos}/{len} tags") {
        bar.set_style(style.progress_chars("#> "));
    }
    bar
}

/// `du REGISTRY [--repos GLOB]`: one row per repository, the registry's total.
async fn registry(
    ctx: &Context,
    target: &target::Target,
    glob: Option<&str>,
) -> anyhow::Result<()> {
    use crate::model::registry_usage::registry_usage;
    use crate::ops::usage::repository_objects;
    let matcher = glob.map(super::prune::glob).transpose()?;
    let (source, _) = ctx.open(target).await?;
    let concurrency = ctx.concurrency_for(&target.location);
    let source = ctx.cached(source, concurrency);
    let listing = source.source().repositories().await?;
    let names: Vec<String> = listing
        .items
        .into_iter()
        .filter(|r| matcher.as_ref().is_none_or(|m| m.is_match(r)))
        .collect();
    let bar = progress_bar();
    bar.set_length(names.len() as u64);
    let mut repositories = Vec::new();
    for name in &names {
        repositories.push(repository_objects(&source, name, concurrency).await?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    source.flush();
    let mut usage = registry_usage(&source.name(), &repositories);
    usage.repositories.sort_by(|a, b| {
        b.exclusive_bytes
            .cmp(&a.exclusive_bytes)
            .then(a.repository.cmp(&b.repository))
    });
    if ctx.global.json {
        return print_json(&usage);
    }
    print_registry_table(&usage);
    Ok(())
}

fn print_registry_table(usage: &crate::model::registry_usage::RegistryUsage) {
    let rows: Vec<Vec<String>> = usage
        .repositories
        .iter()
        .map(|r| {
            vec![
                sanitize_line(&r.repository, 80),
                r.tags.to_string(),
                human_size(r.unique_bytes),
                human_size(r.exclusive_bytes),
            ]
        })
        .collect();
    println!(
        "{}",
        table(&["REPOSITORY", "TAGS", "UNIQUE", "ONLY HERE"], &rows)
    );
    println!(
        "\n{} repositories, {} unique bytes in {} (every blob counted once)",
        usage.repositories.len(),
        human_size(usage.total_unique_bytes),
        sanitize_line(&usage.registry, 200)
    );
}
