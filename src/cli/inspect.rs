//! `regscope inspect IMAGE [--platform os/arch[/variant]]`

use super::connect::Context;
use super::exit::UsageError;
use super::output::{human_size, print_json, table};
use crate::model::report::{InspectReport, ManifestReport};
use crate::oci::text::sanitize_line;
use crate::ops::inspect::InspectTarget;
use crate::source::Source;
use crate::source::target::{self, Location};

fn suffix(reference: &str) -> String {
    if reference.contains(':') {
        format!("@{reference}")
    } else {
        format!(":{reference}")
    }
}

/// A layout named without a tag: its one entry, or ask which.
async fn only_entry(source: &Source, repository: &str) -> anyhow::Result<String> {
    let tags = source.tags(repository).await?.items;
    match tags.as_slice() {
        [one] => Ok(one.trim_start_matches('@').to_string()),
        _ => Err(UsageError(format!(
            "name a tag: the layout has {} entries ({})",
            tags.len(),
            tags.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ))
        .into()),
    }
}
use crate::oci::manifest::Platform;

/// An image reference opened: its source (with the store), repository,
/// manifest reference and how to name it.
pub(super) struct OpenedImage {
    pub source: crate::store::CachedSource,
    pub repository: String,
    pub reference: String,
    pub display: String,
    pub concurrency: usize,
}

/// `--platform os/arch[/variant]`, checked.
pub(super) fn parse_platform(platform: Option<&str>) -> anyhow::Result<Option<Platform>> {
    platform
        .map(|p| {
            Platform::parse(p).ok_or_else(|| {
                UsageError(format!(
                    "invalid --platform {p:?}: expected os/arch[/variant]"
                ))
            })
        })
        .transpose()
        .map_err(Into::into)
}

pub(super) async fn open_image(ctx: &Context, image: &str) -> anyhow::Result<OpenedImage> {
    let target = target::parse(image)?;
    let (source, repository) = ctx.open_repository(&target).await?;
    let reference = match &target.reference {
        Some(r) => r.as_manifest_reference(),
        None => only_entry(&source, &repository).await?,
    };
    let display = match (&target.location, &target.reference) {
        (Location::Registry(_), _) => {
            format!("{}/{repository}{}", source.name(), suffix(&reference))
        }
        (Location::Layout(_), _) => format!(
            "{}{}",
            source.display_repository(&repository),
            suffix(&reference)
        ),
    };
    let concurrency = ctx.concurrency_for(&target.location);
    Ok(OpenedImage {
        source: ctx.cached(source, concurrency),
        repository,
        reference,
        display,
        concurrency,
    })
}

pub async fn run(ctx: &Context, image: &str, platform: Option<&str>) -> anyhow::Result<()> {
    let platform = parse_platform(platform)?;
    let opened = open_image(ctx, image).await?;
    let what = InspectTarget {
        repository: &opened.repository,
        reference: &opened.reference,
        display: opened.display.clone(),
    };
    let source = &opened.source;
    let report =
        crate::ops::inspect::inspect(source, &what, platform.as_ref(), opened.concurrency).await?;
    source.flush();
    if ctx.global.json {
        print_json(&report)
    } else {
        println!("{}", render(&report));
        Ok(())
    }
}

fn render(report: &InspectReport) -> String {
    let mut text = format!(
        "{}\ndigest      {}\nmedia type  {} ({})\n",
        sanitize_line(&report.reference, 300),
        report.digest,
        sanitize_line(&report.media_type, 120),
        report.kind
    );
    for manifest in &report.manifests {
        text.push('\n');
        text.push_str(&render_manifest(manifest));
        text.push('\n');
    }
    text.trim_end().to_string()
}

fn render_manifest(m: &ManifestReport) -> String {
    let platform = m.platform.as_deref().unwrap_or("-");
    let mut head = format!(
        "{}{}  {}  {}",
        sanitize_line(platform, 40),
        if m.attestation { " (attestation)" } else { "" },
        m.digest,
        human_size(m.size)
    );
    if let Some(created) = &m.created {
        head.push_str(&format!("  created {}", sanitize_line(created, 40)));
    }
    let rows: Vec<Vec<String>> = m
        .layers
        .iter()
        .map(|l| {
            vec![
                sanitize_line(&l.digest, 80),
                human_size(l.size),
                sanitize_line(l.created_by.as_deref().unwrap_or(""), 100),
            ]
        })
        .collect();
    if rows.is_empty() {
        return head;
    }
    let layers = table(&["LAYER", "SIZE", "CREATED BY"], &rows);
    let indented: Vec<String> = layers.lines().map(|l| format!("  {l}")).collect();
    format!("{head}\n{}", indented.join("\n"))
}
