//! `sbom`, `provenance` and `verify IMAGE`: what is attached to an image,
//! read (packages, build provenance) and checked (signatures against a key).

use super::args::{SupplyArgs, VerifyArgs};
use super::connect::Context;
use super::exit::UsageError;
use super::inspect::{open_image, parse_platform};
use super::output::{print_json, print_lines, table};
use crate::model::provenance::Provenance;
use crate::model::sbom::Sbom;
use crate::model::signature::PublicKey;
use crate::oci::digest::Digest;
use crate::oci::text::sanitize_line;
use crate::ops::supply::read::{Read, provenances, sboms};
use crate::ops::supply::verify::{SignatureCheck, Verdict, checks, signs};
use crate::ops::supply::{Attachment, attachments};
use crate::store::CachedSource;
use serde::Serialize;

/// An image opened with what is attached to it.
struct Attached {
    display: String,
    repository: String,
    digest: Digest,
    source: CachedSource,
    attachments: Vec<Attachment>,
}

async fn open(ctx: &Context, image: &str, platform: Option<&str>) -> anyhow::Result<Attached> {
    let platform = parse_platform(platform)?;
    let opened = open_image(ctx, image).await?;
    let (source, repository) = (opened.source, opened.repository);
    let top = source
        .manifest_by_tag(&repository, &opened.reference)
        .await?;
    let tags = source.source().tags(&repository).await?.items;
    let attached = attachments(&source, &repository, &top, &tags, platform.as_ref()).await?;
    Ok(Attached {
        display: opened.display,
        repository,
        digest: top.digest.clone(),
        source,
        attachments: attached,
    })
}

/// `--json`: prints the report and says so (true); else says on stderr when
/// nothing of `what` is attached.
fn reported<T: Serialize>(
    ctx: &Context,
    a: &Attached,
    found: T,
    empty: bool,
    what: &str,
) -> anyhow::Result<bool> {
    if ctx.global.json {
        print_json(&Report {
            image: &a.display,
            digest: &a.digest,
            found,
        })?;
        return Ok(true);
    }
    if empty {
        eprintln!(
            "regscope: no {what} is attached to {}",
            sanitize_line(&a.display, 300)
        );
    }
    Ok(false)
}

#[derive(Serialize)]
struct Report<'a, T: Serialize> {
    image: &'a str,
    digest: &'a Digest,
    #[serde(flatten)]
    found: T,
}

#[derive(Serialize)]
struct SbomsJson<'a> {
    sboms: &'a [Read<Sbom>],
}

pub async fn sbom(ctx: &Context, args: &SupplyArgs) -> anyhow::Result<()> {
    let a = open(ctx, &args.image, args.platform.as_deref()).await?;
    let found = sboms(&a.source, &a.repository, &a.attachments).await;
    if reported(
        ctx,
        &a,
        SbomsJson { sboms: &found },
        found.is_empty(),
        "SBOM",
    )? {
        return Ok(());
    }
    for read in &found {
        print_lines(&[heading(read, read.document.as_ref().map(sbom_title))])?;
        if let Some(sbom) = &read.document {
            let rows: Vec<Vec<String>> = sbom
                .packages
                .iter()
                .map(|p| {
                    vec![
                        sanitize_line(&p.name, 80),
                        sanitize_line(p.version.as_deref().unwrap_or("-"), 60),
                        sanitize_line(&p.licenses.join(" "), 60),
                        sanitize_line(p.purl.as_deref().unwrap_or(""), 120),
                    ]
                })
                .collect();
            println!(
                "{}",
                table(&["PACKAGE", "VERSION", "LICENSES", "PURL"], &rows)
            );
        }
    }
    Ok(())
}

fn sbom_title(sbom: &Sbom) -> String {
    format!(
        "{} {}, {} packages{}, by {} at {}",
        sbom.format,
        sbom.spec_version,
        sbom.packages.len(),
        if sbom.truncated { " (truncated)" } else { "" },
        if sbom.tools.is_empty() {
            "-".to_string()
        } else {
            sbom.tools.join(", ")
        },
        sbom.created.as_deref().unwrap_or("-")
    )
}

/// `== linux/amd64 (cosign-tag sha256:ab…): what it is`, or its error.
fn heading<T>(read: &Read<T>, what: Option<String>) -> String {
    let platform = read.platform.as_deref().unwrap_or("image");
    let what = match (&read.error, what) {
        (Some(e), _) => format!("unreadable: {e}"),
        (None, Some(what)) => what,
        (None, None) => String::new(),
    };
    format!(
        "== {platform} ({} {}): {what}",
        read.found_by,
        read.blob.short()
    )
}

#[derive(Serialize)]
struct ProvenanceJson<'a> {
    provenance: &'a [Read<Provenance>],
}

pub async fn provenance(ctx: &Context, args: &SupplyArgs) -> anyhow::Result<()> {
    let a = open(ctx, &args.image, args.platform.as_deref()).await?;
    let found = provenances(&a.source, &a.repository, &a.attachments).await;
    let json = ProvenanceJson { provenance: &found };
    if reported(ctx, &a, json, found.is_empty(), "provenance")? {
        return Ok(());
    }
    for read in &found {
        let title = read
            .document
            .as_ref()
            .map(|p| format!("SLSA {}", p.slsa_version));
        let mut lines = vec![heading(read, title)];
        if let Some(p) = &read.document {
            lines.extend(provenance_lines(p));
        }
        print_lines(&lines)?;
    }
    Ok(())
}

fn provenance_lines(p: &Provenance) -> Vec<String> {
    let field = |name: &str, value: Option<&str>| format!("  {name:<10} {}", value.unwrap_or("-"));
    let mut lines = vec![
        field("builder", p.builder_id.as_deref()),
        field("build type", p.build_type.as_deref()),
        field("started", p.started.as_deref()),
        field("finished", p.finished.as_deref()),
    ];
    for s in &p.sources {
        lines.push(format!(
            "  source     {} {}",
            s.uri,
            s.commit.as_deref().unwrap_or("")
        ));
    }
    for (name, value) in &p.parameters {
        lines.push(format!("  parameter  {name}={}", sanitize_line(value, 200)));
    }
    lines
}

#[derive(Serialize)]
struct VerifyJson {
    verified: bool,
    signatures: Vec<SignatureCheck>,
}

pub async fn verify(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<()> {
    let key = match &args.key {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| UsageError(format!("--key {}: {e}", path.display())))?;
            let key = PublicKey::from_pem(&pem)
                .map_err(|e| UsageError(format!("--key {}: {e}", path.display())))?;
            Some(key)
        }
        None => None,
    };
    let a = open(ctx, &args.image, None).await?;
    let checks = checks(&a.source, &a.repository, &a.attachments, key.as_ref()).await;
    let verified = signs(&checks, &a.digest);
    if ctx.global.json {
        let found = VerifyJson {
            verified,
            signatures: checks,
        };
        print_json(&Report {
            image: &a.display,
            digest: &a.digest,
            found,
        })?;
    } else {
        print_checks(&a.display, &checks)?;
    }
    if verified {
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "no signature of {} verifies",
            sanitize_line(&a.display, 300)
        ))
    }
}

fn print_checks(display: &str, checks: &[SignatureCheck]) -> anyhow::Result<()> {
    if checks.is_empty() {
        eprintln!(
            "regscope: no cosign signature is attached to {}",
            sanitize_line(display, 300)
        );
    }
    let lines: Vec<String> = checks
        .iter()
        .map(|c| {
            let result = match c.result {
                Verdict::Verified => "verified",
                Verdict::Failed => "FAILED",
                Verdict::NotVerifiedOffline => "not verified offline",
            };
            let who = match (&c.identity, &c.issuer) {
                (Some(id), issuer) => {
                    format!(" identity {id} issuer {}", issuer.as_deref().unwrap_or("-"))
                }
                _ => String::new(),
            };
            let reason = c
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            format!(
                "{} ({} {}) {result}{who}{reason}",
                c.about.short(),
                c.found_by,
                c.referrer.short()
            )
        })
        .collect();
    print_lines(&lines)
}
