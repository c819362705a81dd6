//! `regscope search TARGET --package NAME[@VERSION]`: the images of a
//! repository or registry whose SBOMs list the package; images without a
//! readable SBOM are listed as unknown.

use super::args::SearchArgs;
use super::connect::Context;
use super::exit::UsageError;
use super::output::{print_json, table, warn};
use crate::model::package_query::PackageQuery;
use crate::oci::text::sanitize_line;
use crate::ops::supply::search::{SearchReport, search};
use crate::source::target;
use serde::Serialize;

#[derive(Serialize)]
struct SearchJson<'a> {
    target: String,
    package: &'a str,
    #[serde(flatten)]
    report: SearchReport,
}

pub async fn run(ctx: &Context, args: &SearchArgs) -> anyhow::Result<()> {
    let query = PackageQuery::parse(&args.package).map_err(|e| UsageError(e.0))?;
    let target = target::parse(&args.target)?;
    let (source, repo) = ctx.open(&target).await?;
    let width = ctx.concurrency_for(&target.location);
    let source = ctx.cached(source, width);
    let repositories = match &repo {
        Some(repo) => vec![repo.clone()],
        None => source.source().repositories().await?.items,
    };
    // The price, once the tags' HEADs have shown the registry's pull budget.
    let price = |repo: &str, images: usize| {
        if let Some(budget) = source.source().traffic().rate_limit {
            warn(&format!(
                "{repo}: reading {images} images (a manifest each, a pull where not stored); \
                 pull budget {}/{} left",
                budget.remaining, budget.limit
            ));
        }
    };
    let report = search(&source, &repositories, &query, width, &price).await?;
    let shown = match &repo {
        Some(repo) => source.source().display_repository(repo),
        None => source.name(),
    };
    if ctx.global.json {
        return print_json(&SearchJson {
            target: shown,
            package: &args.package,
            report,
        });
    }
    print_report(&report);
    Ok(())
}

fn print_report(report: &SearchReport) {
    let rows: Vec<Vec<String>> = report
        .matches
        .iter()
        .map(|h| {
            vec![
                sanitize_line(&h.repository, 120),
                sanitize_line(&h.tags.join(","), 80),
                sanitize_line(h.platform.as_deref().unwrap_or("-"), 40),
                sanitize_line(&h.name, 60),
                sanitize_line(h.version.as_deref().unwrap_or("-"), 60),
            ]
        })
        .collect();
    if !rows.is_empty() {
        println!(
            "{}",
            table(
                &["REPOSITORY", "TAGS", "PLATFORM", "PACKAGE", "VERSION"],
                &rows
            )
        );
    }
    for u in &report.unknown {
        warn(&format!(
            "unknown: {}:{} ({})",
            u.repository,
            u.tags.join(","),
            u.reason
        ));
    }
    eprintln!(
        "regscope: {} of {} images contain it; {} unknown (no readable SBOM)",
        report
            .matches
            .iter()
            .map(|h| &h.digest)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        report.images,
        report.unknown.len()
    );
}
