//! `regscope check TARGET [--blobs]`: what is broken in a repository or a
//! whole registry (exit 1 when anything is).

use super::connect::Context;
use super::output::print_json;
use crate::oci::text::sanitize_line;
use crate::ops::check::{CheckReport, check_repository};
use crate::source::target;

pub async fn run(ctx: &Context, target: &str, blobs: bool) -> anyhow::Result<()> {
    let target = target::parse(target)?;
    let (source, repository) = ctx.open(&target).await?;
    let concurrency = ctx.concurrency_for(&target.location);
    let source = ctx.cached(source, concurrency);
    let repositories = match repository {
        Some(repo) => vec![repo],
        None => source.source().repositories().await?.items,
    };
    let mut report = CheckReport::default();
    for repo in &repositories {
        check_repository(&source, repo, blobs, concurrency, &mut report).await?;
    }
    source.flush();
    if ctx.global.json {
        print_json(&report)?;
    } else {
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
    }
    if !report.problems.is_empty() {
        anyhow::bail!("{} problems found", report.problems.len());
    }
    Ok(())
}
