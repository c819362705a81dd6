//! `regscope check`: is anything in a repository broken? Every tag resolves
//! and its manifest matches its digest; every child of an index is there;
//! every config (and with `blobs` every layer) blob is there; cosign tags and
//! referrers tag-schema indexes point at what exists; schema 1 manifests are
//! named. Bounded: manifests and blobs are looked at once each, at most
//! `concurrency` at a time.

use crate::model::attached::{referrer_subject, schema_subject};
use crate::oci::Result;
use crate::oci::digest::Digest;
use crate::oci::manifest::{Manifest, ManifestKind};
use crate::store::CachedSource;
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What is wrong; JSON (and the text report) name it in kebab case.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A tag whose manifest cannot be fetched.
    UnresolvableTag,
    /// Content that does not match its digest.
    DigestMismatch,
    /// An index lists a manifest that is gone.
    MissingChild,
    MissingConfig,
    MissingLayer,
    /// A signature or referrer tag whose subject answered 404.
    OrphanReferrer,
    /// The same, but the subject's HEAD failed otherwise: nobody knows.
    UnknownSubject,
    /// A referrers tag-schema index lists a referrer that is gone.
    MissingReferrer,
    /// A deprecated Docker schema 1 manifest.
    Schema1,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 9] = [
        ProblemKind::UnresolvableTag,
        ProblemKind::DigestMismatch,
        ProblemKind::MissingChild,
        ProblemKind::MissingConfig,
        ProblemKind::MissingLayer,
        ProblemKind::OrphanReferrer,
        ProblemKind::UnknownSubject,
        ProblemKind::MissingReferrer,
        ProblemKind::Schema1,
    ];

    /// The documented name (JSON `kind`).
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::UnresolvableTag => "unresolvable-tag",
            ProblemKind::DigestMismatch => "digest-mismatch",
            ProblemKind::MissingChild => "missing-child",
            ProblemKind::MissingConfig => "missing-config",
            ProblemKind::MissingLayer => "missing-layer",
            ProblemKind::OrphanReferrer => "orphan-referrer",
            ProblemKind::UnknownSubject => "unknown-subject",
            ProblemKind::MissingReferrer => "missing-referrer",
            ProblemKind::Schema1 => "schema1",
        }
    }
}

impl std::fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub repository: String,
    pub kind: ProblemKind,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct CheckReport {
    pub repositories: usize,
    pub tags: usize,
    pub manifests: usize,
    pub blobs: usize,
    pub problems: Vec<Problem>,
    /// What the registry's garbage collector would do (not a problem: the
    /// exit code ignores it).
    pub collector: crate::ops::collector::CollectorRisk,
    /// Every tagged digest of the repositories checked.
    #[serde(skip)]
    pub tagged: BTreeSet<Digest>,
}

struct Ctx<'a> {
    source: &'a CachedSource,
    repo: &'a str,
    display: String,
}

impl Ctx<'_> {
    fn problem(
        &self,
        kind: ProblemKind,
        tag: Option<&str>,
        digest: Option<&Digest>,
        detail: String,
    ) -> Problem {
        Problem {
            repository: self.display.clone(),
            kind,
            tag: tag.map(str::to_string),
            digest: digest.cloned(),
            detail: crate::oci::text::sanitize_line(&detail, 300),
        }
    }
}

/// How far a check looks.
pub struct CheckOptions<'a> {
    /// Every layer blob too (a HEAD each).
    pub blobs: bool,
    pub concurrency: usize,
    /// The registry's filesystem storage, read for the untagged manifests.
    pub storage: Option<&'a std::path::Path>,
}

/// What is being checked and how far it got: `(what, done, total)`.
pub type Progress<'a> = &'a (dyn Fn(&'static str, usize, usize) + Sync);

/// Checks one repository into `report`.
pub async fn check_repository(
    source: &CachedSource,
    repo: &str,
    options: &CheckOptions<'_>,
    report: &mut CheckReport,
    progress: Progress<'_>,
) -> Result<()> {
    let ctx = Ctx {
        source,
        repo,
        display: source.source().display_repository(repo),
    };
    let tags = source.source().tags(repo).await?.items;
    report.repositories += 1;
    report.tags += tags.len();
    let fetched = fetch_tags(&ctx, &tags, options.concurrency, progress).await;
    let mut walk = Walk::default();
    walk.take_tagged(&ctx, fetched, report);
    report.collector.add_index_children(&walk.manifests);
    report.tagged.extend(walk.present.iter().cloned());
    if let Some(storage) = options.storage {
        add_dangling(source, repo, storage, &walk.present, report).await?;
    }
    walk.collect_tagged(&ctx, report, options.blobs);
    walk.follow_children(&ctx, report, options.blobs).await;
    report.manifests += walk.checked.len();
    let mut wanted = std::mem::take(&mut walk.wanted_blobs);
    wanted.sort();
    wanted.dedup_by(|a, b| a.0 == b.0);
    report.blobs += wanted.len();
    let missing = missing_blobs(&ctx, wanted, options.concurrency, progress).await;
    report.problems.extend(missing);
    check_referrer_tags(&ctx, &tags, &walk.present, report).await;
    report.problems.sort();
    Ok(())
}

/// The untagged manifests the registry's storage holds for `repo`.
async fn add_dangling(
    source: &CachedSource,
    repo: &str,
    storage: &std::path::Path,
    present: &BTreeSet<Digest>,
    report: &mut CheckReport,
) -> Result<()> {
    let revisions = crate::ops::storage_dir::repository_manifests(storage, repo)
        .map_err(|e| crate::oci::Error::Config(e.to_string()))?;
    let collector = &mut report.collector;
    collector
        .add_dangling(source, repo, &revisions, present)
        .await
}

type Fetched = Vec<(
    String,
    std::result::Result<Arc<Manifest>, crate::oci::Error>,
)>;

/// Every tag's manifest, `concurrency` at a time.
async fn fetch_tags(
    ctx: &Ctx<'_>,
    tags: &[String],
    concurrency: usize,
    progress: Progress<'_>,
) -> Fetched {
    let done = AtomicUsize::new(0);
    let total = tags.len();
    progress("tags", 0, total);
    futures_util::stream::iter(tags.iter().cloned())
        .map(|tag| {
            let done = &done;
            async move {
                let m = ctx.source.manifest_by_tag(ctx.repo, &tag).await;
                progress("tags", done.fetch_add(1, Ordering::Relaxed) + 1, total);
                (tag, m)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

/// What a repository's manifests reference, gathered as the walk goes.
#[derive(Default)]
struct Walk {
    manifests: Vec<Arc<Manifest>>,
    present: BTreeSet<Digest>,
    /// Referrers tag-schema indexes: what they list missing is a missing referrer.
    schema_indexes: BTreeSet<String>,
    checked: BTreeSet<Digest>,
    wanted_blobs: Vec<(Digest, ProblemKind, String)>,
    /// Index children to look at, with the index that listed them.
    children: Vec<(Digest, String)>,
}

impl Walk {
    /// The tags' manifests; a tag that does not resolve is a problem.
    fn take_tagged(&mut self, ctx: &Ctx<'_>, fetched: Fetched, report: &mut CheckReport) {
        for (tag, result) in fetched {
            match result {
                Ok(m) => {
                    self.present.insert(m.digest.clone());
                    if schema_subject(&tag).is_some() {
                        self.schema_indexes.insert(m.digest.to_string());
                    }
                    self.manifests.push(m);
                }
                Err(crate::oci::Error::DigestMismatch {
                    expected, actual, ..
                }) => report.problems.push(ctx.problem(
                    ProblemKind::DigestMismatch,
                    Some(&tag),
                    Some(&expected),
                    format!("the registry sent content whose digest is {actual}"),
                )),
                Err(e) => report.problems.push(ctx.problem(
                    ProblemKind::UnresolvableTag,
                    Some(&tag),
                    None,
                    e.to_string(),
                )),
            }
        }
    }

    /// Each tagged manifest once: its blobs and children join the walk.
    fn collect_tagged(&mut self, ctx: &Ctx<'_>, report: &mut CheckReport, blobs: bool) {
        for m in &self.manifests {
            if !self.checked.insert(m.digest.clone()) {
                continue;
            }
            if m.kind == ManifestKind::Schema1 {
                report.problems.push(ctx.problem(
                    ProblemKind::Schema1,
                    None,
                    Some(&m.digest),
                    "a Docker schema 1 manifest (deprecated; most clients refuse it)".into(),
                ));
            }
            collect(m, &mut self.wanted_blobs, &mut self.children, blobs);
        }
    }

    /// Index children: each is fetched (and so verified) once; their blobs join.
    async fn follow_children(&mut self, ctx: &Ctx<'_>, report: &mut CheckReport, blobs: bool) {
        let mut i = 0;
        while i < self.children.len() {
            let (child, parent) = self.children[i].clone();
            i += 1;
            if !self.checked.insert(child.clone()) {
                continue;
            }
            if let Some(problem) = self.child(ctx, &child, &parent, blobs).await {
                report.problems.push(problem);
            }
        }
    }

    /// The kind of problem a missing `child` of `parent` is.
    fn missing_kind(&self, parent: &str) -> ProblemKind {
        match self.schema_indexes.contains(parent) {
            true => ProblemKind::MissingReferrer,
            false => ProblemKind::MissingChild,
        }
    }

    async fn child(
        &mut self,
        ctx: &Ctx<'_>,
        child: &Digest,
        parent: &str,
        blobs: bool,
    ) -> Option<Problem> {
        let listed = || format!("listed by the index {parent}, but not in the repository");
        // Asked of the registry (a HEAD): the store may still hold a manifest
        // the registry lost; the content then comes from wherever is cheapest.
        match ctx.source.source().manifest_exists(ctx.repo, child).await {
            Ok(true) => {}
            Ok(false) => {
                let kind = self.missing_kind(parent);
                return Some(ctx.problem(kind, None, Some(child), listed()));
            }
            Err(e) => {
                let kind = ProblemKind::MissingChild;
                return Some(ctx.problem(kind, None, Some(child), e.to_string()));
            }
        }
        match ctx.source.manifest(ctx.repo, child).await {
            Ok(m) => {
                self.present.insert(child.clone());
                collect(&m, &mut self.wanted_blobs, &mut self.children, blobs);
                None
            }
            Err(e) if e.is_not_found() => {
                let kind = self.missing_kind(parent);
                Some(ctx.problem(kind, None, Some(child), listed()))
            }
            Err(e) => {
                let kind = ProblemKind::MissingChild;
                Some(ctx.problem(kind, None, Some(child), e.to_string()))
            }
        }
    }
}

/// The wanted blobs the repository does not have (a HEAD each).
async fn missing_blobs(
    ctx: &Ctx<'_>,
    wanted: Vec<(Digest, ProblemKind, String)>,
    concurrency: usize,
    progress: Progress<'_>,
) -> Vec<Problem> {
    let done = AtomicUsize::new(0);
    let total = wanted.len();
    progress("blobs", 0, total);
    futures_util::stream::iter(wanted)
        .map(|(digest, kind, owner)| {
            let done = &done;
            async move {
                let _counted =
                    Counted(|| progress("blobs", done.fetch_add(1, Ordering::Relaxed) + 1, total));
                match ctx.source.source().has_blob(ctx.repo, &digest).await {
                    Ok(true) => None,
                    Ok(false) => Some(ctx.problem(
                        kind,
                        None,
                        Some(&digest),
                        format!("referenced by {owner}, but not in the repository"),
                    )),
                    Err(e) => Some(ctx.problem(kind, None, Some(&digest), e.to_string())),
                }
            }
        })
        .buffer_unordered(concurrency.max(1))
        .filter_map(std::future::ready)
        .collect()
        .await
}

/// Calls its function when dropped (an answer, whichever arm returned).
struct Counted<F: Fn()>(F);

impl<F: Fn()> Drop for Counted<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

/// The config and (with `blobs`) layer blobs of `m`, and an index's children.
fn collect(
    m: &Manifest,
    blobs: &mut Vec<(Digest, ProblemKind, String)>,
    children: &mut Vec<(Digest, String)>,
    layers: bool,
) {
    let owner = m.digest.to_string();
    if let Some(config) = &m.doc.config
        && let Ok(d) = config.parsed_digest()
    {
        blobs.push((d, ProblemKind::MissingConfig, owner.clone()));
    }
    if layers {
        for l in &m.doc.layers {
            if let Ok(d) = l.parsed_digest() {
                blobs.push((d, ProblemKind::MissingLayer, owner.clone()));
            }
        }
    }
    for c in &m.doc.manifests {
        if let Ok(d) = c.parsed_digest() {
            children.push((d, owner.clone()));
        }
    }
}

/// Cosign tags and referrers tag-schema indexes (`sha256-<hex>`) whose
/// subject is gone.
async fn check_referrer_tags(
    ctx: &Ctx<'_>,
    tags: &[String],
    present: &BTreeSet<Digest>,
    report: &mut CheckReport,
) {
    for tag in tags {
        let Some(subject) = referrer_subject(tag) else {
            continue;
        };
        if present.contains(&subject) {
            continue;
        }
        match ctx
            .source
            .source()
            .manifest_exists(ctx.repo, &subject)
            .await
        {
            Ok(true) => {}
            Ok(false) => report.problems.push(ctx.problem(
                ProblemKind::OrphanReferrer,
                Some(tag),
                Some(&subject),
                "its subject is not in the repository (404)".into(),
            )),
            Err(e) => report.problems.push(ctx.problem(
                ProblemKind::UnknownSubject,
                Some(tag),
                Some(&subject),
                format!("could not tell whether its subject is there: {e}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ProblemKind;

    #[test]
    fn each_problem_kind_s_json_name_is_its_documented_name() {
        for kind in ProblemKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
    }
}
