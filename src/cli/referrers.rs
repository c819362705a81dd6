//! `regscope referrers IMAGE [--artifact-type T]`: what refers to an image
//! (signatures, attestations, SBOMs), as a tree.

use super::connect::Context;
use super::output::{human_size, print_json};
use crate::oci::text::sanitize_line;
use crate::ops::referrers::{Referrer, discover};
use crate::source::target;

pub async fn run(ctx: &Context, image: &str, artifact_type: Option<&str>) -> anyhow::Result<()> {
    let target = target::parse(image)?;
    let (source, repository) = ctx.open_repository(&target).await?;
    let reference = target
        .reference
        .as_ref()
        .map_or_else(|| "latest".to_string(), |r| r.as_manifest_reference());
    let concurrency = ctx.concurrency_for(&target.location);
    let source = ctx.cached(source, concurrency);
    let subject = source.manifest_by_tag(&repository, &reference).await?;
    let tags = source.source().tags(&repository).await?.items;
    let report = discover(&source, &repository, &subject, &tags, artifact_type).await?;
    source.flush();
    if ctx.global.json {
        return print_json(&report);
    }
    println!("{}", report.subject);
    if report.referrers.is_empty() {
        println!("  (no referrers)");
    }
    print_tree(&report.referrers, 1);
    Ok(())
}

fn print_tree(referrers: &[Referrer], depth: usize) {
    for r in referrers {
        let kind = r.artifact_type.as_deref().unwrap_or(&r.media_type);
        println!(
            "{}{} {} {} ({})",
            "  ".repeat(depth),
            r.digest.short(),
            sanitize_line(kind, 120),
            human_size(r.size),
            r.found_by
        );
        print_tree(&r.referrers, depth + 1);
    }
}
