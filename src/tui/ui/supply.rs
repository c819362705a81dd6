//! The detail pane's supply-chain section: each SBOM (format, packages, top
//! licenses, tool), each provenance (builder, source, commit) and the
//! signatures' standing. `state::supply_rows` counts these lines.

use super::text::{clean, fit};
use super::theme::Theme;
use crate::model::provenance::Provenance;
use crate::model::sbom::Sbom;
use crate::ops::supply::SupplySummary;
use crate::ops::supply::read::Read;
use crate::ops::supply::verify::{SignatureCheck, Verdict};
use ratatui::text::Line;
use std::collections::HashMap;

pub fn lines<'a>(supply: Option<&SupplySummary>, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let Some(s) = supply.filter(|s| !s.is_empty()) else {
        return Vec::new();
    };
    let mut out = vec![Line::raw(""), Line::styled("SUPPLY CHAIN", theme.header)];
    for read in &s.sboms {
        out.push(Line::raw(fit(
            &format!("SBOM {}{}", platform(read), sbom_text(read)),
            width,
        )));
    }
    for read in &s.provenance {
        let text = format!("PROVENANCE {}{}", platform(read), provenance_text(read));
        out.push(Line::raw(fit(&text, width)));
    }
    out.push(Line::raw(fit(&signature_text(&s.signatures), width)));
    out
}

fn platform<T>(read: &Read<T>) -> String {
    read.platform
        .as_deref()
        .map(|p| format!("{} ", clean(p)))
        .unwrap_or_default()
}

fn sbom_text(read: &Read<Sbom>) -> String {
    let Some(sbom) = &read.document else {
        return format!("unreadable: {}", clean(read.error.as_deref().unwrap_or("")));
    };
    let tool = sbom
        .tools
        .first()
        .map(|t| format!(" · {}", clean(t)))
        .unwrap_or_default();
    format!(
        "{} {} · {} packages · {}{tool}",
        sbom.format,
        clean(&sbom.spec_version),
        sbom.packages.len(),
        top_licenses(sbom, 3)
    )
}

/// The most used licenses, `Apache-2.0 ×12, MIT ×9`.
pub fn top_licenses(sbom: &Sbom, n: usize) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for license in sbom.packages.iter().flat_map(|p| &p.licenses) {
        *counts.entry(license.as_str()).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if counts.is_empty() {
        return "no licenses".into();
    }
    let top: Vec<String> = counts
        .iter()
        .take(n)
        .map(|(l, c)| format!("{} ×{c}", clean(l)))
        .collect();
    top.join(", ")
}

fn provenance_text(read: &Read<Provenance>) -> String {
    let Some(p) = &read.document else {
        return format!("unreadable: {}", clean(read.error.as_deref().unwrap_or("")));
    };
    let builder = clean(p.builder_id.as_deref().unwrap_or("unknown builder")).to_string();
    let source = p.sources.first().map(|s| {
        let commit: String = s.commit.as_deref().unwrap_or("").chars().take(12).collect();
        format!(" · {} @{}", clean(&s.uri), clean(&commit))
    });
    format!(
        "SLSA {} · {builder}{}",
        p.slsa_version,
        source.unwrap_or_default()
    )
}

fn signature_text(checks: &[SignatureCheck]) -> String {
    if checks.is_empty() {
        return "SIGNATURE unsigned".into();
    }
    let count = |v: Verdict| checks.iter().filter(|c| c.result == v).count();
    let keyless: Vec<String> = checks
        .iter()
        .filter(|c| c.result == Verdict::NotVerifiedOffline)
        .map(|c| clean(c.identity.as_deref().unwrap_or("?")).to_string())
        .collect();
    let mut parts = Vec::new();
    if count(Verdict::Verified) > 0 {
        parts.push(format!("{} verified", count(Verdict::Verified)));
    }
    if count(Verdict::Failed) > 0 {
        parts.push(format!(
            "{} signed, not verified (no key, or it fails)",
            count(Verdict::Failed)
        ));
    }
    if !keyless.is_empty() {
        parts.push(format!(
            "keyless {} (not verified offline)",
            keyless.join(", ")
        ));
    }
    format!("SIGNATURE {}", parts.join(" · "))
}
