//! The plan file `prune --plan-out` writes and `apply` carries out: a typed,
//! versioned document with the rules and brakes it was made under. Its field
//! names are a documented contract (`prune --json` prints the same shape).

use super::delete::{DeleteGroup, Outcome, Requested};
use super::prune::RepoPrune;
use crate::model::attached::referrer_subject;
use crate::model::brakes::Brakes;
use crate::oci::digest::Digest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version written and the only one read.
pub const FORMAT: &str = "regscope-plan/1";
/// How long a written plan may wait before `apply` refuses it.
pub const LIFETIME_SECONDS: i64 = 24 * 3600;
/// A plan file larger than this is not read.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct RulesDoc {
    pub keep_newest: Option<usize>,
    pub keep: Vec<String>,
    pub only: Option<String>,
    pub older_than_seconds: Option<i64>,
    pub include_undated: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeleteDoc {
    pub digest: Digest,
    pub tags: Vec<String>,
    pub created: Option<String>,
    pub reasons: BTreeMap<String, String>,
    /// An index's platform and attestation manifests that go with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Digest>,
}

/// A child of a deleted index that stays, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HeldDoc {
    pub digest: Digest,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeepDoc {
    pub tag: String,
    pub digest: Digest,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RepoDoc {
    pub repository: String,
    /// Images (tagged digests) of the repository when planned: the brakes'
    /// denominator.
    pub images: usize,
    pub delete: Vec<DeleteDoc>,
    pub keep: Vec<KeepDoc>,
    pub bytes_freed: u64,
    /// Why the brakes refuse this repository's plan, if they do.
    pub refused: Option<String>,
    /// Children of deleted indexes that something else holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_children: Vec<HeldDoc>,
}

/// One outcome of carrying the plan out (`prune --json` only).
#[derive(Debug, Clone, Serialize)]
pub struct ResultDoc {
    pub digest: Digest,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanFile {
    pub format: String,
    pub source: String,
    pub created: String,
    pub expires: String,
    pub rules: RulesDoc,
    pub brakes: Brakes,
    pub exact: bool,
    /// Deleted indexes leave their children (`--keep-children`).
    #[serde(default)]
    pub keep_children: bool,
    pub repositories: Vec<RepoDoc>,
    /// What the registry's garbage collector frees after the plan (untagged
    /// manifests that stay keep their blobs); registry-wide with `exact`,
    /// else an upper bound.
    pub bytes_freed: u64,
    /// The same figure, named for what it assumes.
    pub freed_after_gc: u64,
    /// With kept children: what `garbage-collect --delete-untagged` would free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freed_after_gc_delete_untagged: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    pub dry_run: bool,
    #[serde(default, skip_deserializing)]
    pub results: Vec<ResultDoc>,
}

fn when(seconds: Option<i64>) -> Option<String> {
    seconds.and_then(super::summary::rfc3339)
}

impl RepoDoc {
    pub fn of(p: &RepoPrune) -> RepoDoc {
        RepoDoc {
            repository: p.repository.clone(),
            images: p.images,
            delete: p
                .plan
                .delete
                .iter()
                .map(|d| DeleteDoc {
                    digest: d.digest.clone(),
                    tags: d.tags.clone(),
                    created: when(d.created),
                    reasons: d.reasons.clone(),
                    children: p
                        .children
                        .going
                        .iter()
                        .filter(|(_, index)| *index == d.digest)
                        .map(|(child, _)| child.clone())
                        .collect(),
                })
                .collect(),
            keep: p
                .plan
                .keep
                .iter()
                .map(|k| KeepDoc {
                    tag: k.tag.clone(),
                    digest: k.digest.clone(),
                    reason: k.reason.clone(),
                })
                .collect(),
            bytes_freed: p.bytes_freed,
            refused: p.refused.clone(),
            held_children: p
                .children
                .held
                .iter()
                .map(|(digest, reason)| HeldDoc {
                    digest: digest.clone(),
                    reason: reason.clone(),
                })
                .collect(),
        }
    }

    /// The groups the executor carries out: each tag named (so each is
    /// re-checked); a digest tagged only as a signature or referrer of
    /// another goes as its referrer (verified as one before it goes).
    pub fn groups(&self, repo: &str, location: &str) -> Vec<DeleteGroup> {
        let mut groups: Vec<DeleteGroup> = self
            .delete
            .iter()
            .map(|d| {
                let requested = d.tags.iter().cloned().map(Requested::Tag).collect();
                let mut group = DeleteGroup::new(
                    &self.repository,
                    repo,
                    location,
                    d.digest.clone(),
                    requested,
                );
                group.tags = d.tags.clone();
                group.referrer_of = d
                    .tags
                    .iter()
                    .map(|t| referrer_subject(t))
                    .collect::<Option<Vec<_>>>()
                    .and_then(|s| s.into_iter().next());
                group
            })
            .collect();
        for d in &self.delete {
            for child in &d.children {
                let requested = vec![Requested::Digest(child.clone())];
                let mut group =
                    DeleteGroup::new(&self.repository, repo, location, child.clone(), requested);
                group.kind = "image";
                group.child_of = Some(d.digest.clone());
                groups.push(group);
            }
        }
        groups
    }
}

/// Why a plan file is not carried out.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("not a plan: {0}")]
    NotJson(serde_json::Error),
    #[error("not a regscope plan (no `format`)")]
    NoFormat,
    #[error(
        "a {0} plan, and this regscope reads {FORMAT} only: make a new one with `regscope prune … --plan-out`"
    )]
    OtherFormat(String),
    #[error(
        "not a plan this regscope carries out ({0}); a plan must record its brakes: make a new one with `regscope prune … --plan-out`"
    )]
    Invalid(serde_json::Error),
    #[error("the plan deletes {0} without naming a tag: not a plan prune wrote")]
    UntaggedEntry(Digest),
    #[error("the plan has no valid `expires`")]
    NoExpiry,
    #[error("the plan expired at {0}: make a new one with `regscope prune … --plan-out`")]
    Expired(jiff::Timestamp),
}

impl PlanFile {
    /// Reads a plan: the current format only, not expired at `now`.
    pub fn parse(text: &[u8], now: jiff::Timestamp) -> Result<PlanFile, PlanFileError> {
        let head: serde_json::Value =
            serde_json::from_slice(text).map_err(PlanFileError::NotJson)?;
        match head.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => return Err(PlanFileError::OtherFormat(other.to_string())),
            None => return Err(PlanFileError::NoFormat),
        }
        let plan: PlanFile = serde_json::from_value(head).map_err(PlanFileError::Invalid)?;
        if let Some(d) = plan
            .repositories
            .iter()
            .flat_map(|r| &r.delete)
            .find(|d| d.tags.is_empty())
        {
            return Err(PlanFileError::UntaggedEntry(d.digest.clone()));
        }
        let expires: jiff::Timestamp = plan.expires.parse().map_err(|_| PlanFileError::NoExpiry)?;
        if now > expires {
            return Err(PlanFileError::Expired(expires));
        }
        Ok(plan)
    }

    /// Why the plan must not be carried out: the brakes it records refuse it.
    pub fn refusal(&self) -> Option<String> {
        self.repositories.iter().find_map(|r| {
            self.brakes
                .refusal(r.delete.len(), r.images)
                .or_else(|| r.refused.clone())
                .map(|why| format!("{}: {why}", r.repository))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(format: &str, expires: &str, deleting: usize, images: usize) -> Vec<u8> {
        let delete: Vec<serde_json::Value> = (0..deleting)
            .map(|n| {
                serde_json::json!({"digest": Digest::sha256_of(format!("{n}").as_bytes()), "tags": [format!("t{n}")],
                    "created": null, "reasons": {}})
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({
            "format": format, "source": "localhost:5000", "created": "2026-12-04T00:00:00Z",
            "expires": expires, "rules": RulesDoc::default(), "exact": false, "dry_run": false,
            "brakes": {"max_delete": 3, "max_delete_percent": 80}, "bytes_freed": 0,
            "freed_after_gc": 0,
            "repositories": [{"repository": "localhost:5000/app", "images": images,
                "delete": delete, "keep": [], "bytes_freed": 0, "refused": null}],
        }))
        .unwrap()
    }

    fn now() -> jiff::Timestamp {
        "2026-12-04T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn only_the_current_unexpired_format_is_read() {
        let ok = PlanFile::parse(&plan(FORMAT, "2026-12-05T00:00:00Z", 1, 10), now()).unwrap();
        assert_eq!(ok.repositories[0].delete.len(), 1);
        let old = PlanFile::parse(
            &plan("regscope-plan/9", "2026-12-05T00:00:00Z", 1, 10),
            now(),
        );
        assert!(
            old.unwrap_err()
                .to_string()
                .contains("reads regscope-plan/1 only")
        );
        let expired = PlanFile::parse(&plan(FORMAT, "2026-12-04T11:00:00Z", 1, 10), now());
        assert!(expired.unwrap_err().to_string().contains("expired"));
        assert!(PlanFile::parse(b"{}", now()).is_err());
    }

    #[test]
    fn an_index_s_children_go_after_every_planned_group_each_as_its_child() {
        let mut doc = PlanFile::parse(&plan(FORMAT, "2026-12-05T00:00:00Z", 2, 10), now()).unwrap();
        let child = Digest::sha256_of(b"child");
        doc.repositories[0].delete[0].children = vec![child.clone()];
        let groups = doc.repositories[0].groups("app", "localhost:5000");
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[2].digest, child);
        assert_eq!(
            groups[2].child_of.as_ref(),
            Some(&doc.repositories[0].delete[0].digest)
        );
        assert!(groups[..2].iter().all(|g| g.child_of.is_none()));
    }

    #[test]
    fn the_recorded_brakes_refuse_the_plan_again() {
        let fine = PlanFile::parse(&plan(FORMAT, "2026-12-05T00:00:00Z", 3, 10), now()).unwrap();
        assert_eq!(fine.refusal(), None);
        let many = PlanFile::parse(&plan(FORMAT, "2026-12-05T00:00:00Z", 4, 10), now()).unwrap();
        assert!(many.refusal().unwrap().contains("--max-delete 3"));
        let share = PlanFile::parse(&plan(FORMAT, "2026-12-05T00:00:00Z", 3, 3), now()).unwrap();
        assert!(share.refusal().unwrap().contains("--max-delete-percent 80"));
    }
}
