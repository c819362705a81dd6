//! Safe deletion: a plan that names every tag going with each digest, the bytes
//! freed and the indexes a digest belongs to; then per digest a re-check, a copy
//! to the trash, and the delete (by tag where the source supports it, else by
//! digest, only when no tag was added meanwhile). A plan runs only on the
//! source it was made on.

mod cascade;
mod children;
mod execute;
mod index_update;
mod moment;
mod plan;
mod run;

pub use execute::{ExecuteOptions, RunState, execute};
pub use index_update::update_index;
pub use plan::{PlanOptions, plan, plan_orphans};
pub use run::{PreflightError, RunReport, Step, preflight, run};

use crate::oci::digest::Digest;
use crate::source::DeleteMethod;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    Tag(String),
    Digest(Digest),
}

impl std::fmt::Display for Requested {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Requested::Tag(t) => write!(f, ":{t}"),
            Requested::Digest(d) => write!(f, "@{d}"),
        }
    }
}

/// The tags among `requested` (digests left out).
fn named_tags(requested: &[Requested]) -> Vec<String> {
    requested
        .iter()
        .filter_map(|r| match r {
            Requested::Tag(t) => Some(t.clone()),
            Requested::Digest(_) => None,
        })
        .collect()
}

fn as_strings<S: serde::Serializer>(requested: &[Requested], out: S) -> Result<S::Ok, S::Error> {
    out.collect_seq(requested.iter().map(ToString::to_string))
}

/// One manifest digest to delete and everything that goes with it. The JSON
/// field names are a documented contract.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeleteGroup {
    /// How reports name the repository (`host/repo`); JSON `repository`.
    #[serde(rename = "repository")]
    pub display_name: String,
    /// The repository's name in its source (what goes into URLs).
    #[serde(skip)]
    pub repository: String,
    /// Where the plan was made (`host:port`, `oci:PATH`); executing it against
    /// any other source is refused.
    #[serde(skip)]
    pub location: String,
    pub digest: Digest,
    pub kind: &'static str,
    /// What the user named; JSON `requested` as `:tag` or `@digest` strings.
    #[serde(serialize_with = "as_strings")]
    pub requested: Vec<Requested>,
    /// Every tag pointing at the digest: a delete by digest removes them all.
    pub tags: Vec<String>,
    pub bytes_freed: u64,
    /// Indexes of the repository that list this digest as a platform or
    /// attestation (`sha256:… (tags)`): deleting it breaks them, so it needs
    /// `--force` (or typing the digest in the browser).
    pub part_of: Vec<String>,
    /// A signature, attestation, SBOM or referrers index that goes with this
    /// subject (deleted after it); absent for what was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer_of: Option<Digest>,
    /// A signature or referrer tag whose subject is missing (`check
    /// --prune-orphans`): deleted only if it still is, and verifiably one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orphan_of: Option<Digest>,
    /// A referrers tag-schema index of a subject that stays, emptied by the
    /// plan: deleted only once everything it lists is gone.
    #[serde(skip)]
    pub emptied_index: bool,
    /// A platform or attestation manifest of a deleted index that nothing
    /// else holds: deleted after it, only once it is gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_of: Option<Digest>,
}

impl DeleteGroup {
    /// Reached by a cascade (nobody named it): verified before it goes.
    pub fn is_cascade(&self) -> bool {
        self.referrer_of.is_some()
            || self.orphan_of.is_some()
            || self.child_of.is_some()
            || self.emptied_index
    }

    /// A group for `digest` of `repository` with nothing else known yet.
    pub fn new(
        display_name: &str,
        repository: &str,
        location: &str,
        digest: Digest,
        requested: Vec<Requested>,
    ) -> DeleteGroup {
        DeleteGroup {
            display_name: display_name.to_string(),
            repository: repository.to_string(),
            location: location.to_string(),
            digest,
            kind: "unknown",
            requested,
            tags: Vec::new(),
            bytes_freed: 0,
            part_of: Vec::new(),
            referrer_of: None,
            orphan_of: None,
            emptied_index: false,
            child_of: None,
        }
    }
}

/// Something asked for that stays, and why (`kept: protected (running)`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeptGroup {
    pub repository: String,
    pub digest: Digest,
    pub tags: Vec<String>,
    pub reason: String,
}

/// A referrers tag-schema index (`sha256-<subject>`) that lists deleted
/// referrers of a subject that stays: their entries go, the rest stays.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IndexUpdate {
    #[serde(skip)]
    pub repository: String,
    pub tag: String,
    /// The index as planned: it is updated only if the tag still names it.
    pub digest: Digest,
    pub subject: Digest,
    pub removed: Vec<Digest>,
}

/// How an index update went.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum UpdateOutcome {
    /// The index now under the tag.
    Updated {
        new_digest: Digest,
    },
    Skipped {
        reason: String,
    },
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct DeletePlan {
    pub groups: Vec<DeleteGroup>,
    /// Referrers indexes to rewrite once the groups are deleted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub index_updates: Vec<IndexUpdate>,
    /// Bytes freed by the whole plan once the registry garbage-collects.
    pub bytes_freed: u64,
    /// Named tags or digests that do not exist.
    pub missing: Vec<String>,
    /// What was asked for but stays (protected), and children of deleted
    /// indexes that something else holds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<KeptGroup>,
    /// When an index's children are kept (`--keep-children`): the bytes
    /// `garbage-collect --delete-untagged` would free, which collects them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freed_after_gc_delete_untagged: Option<u64>,
    /// Every digest's objects the figures were weighed on (tagged digests,
    /// and untagged manifests known to stay).
    #[serde(skip)]
    pub objects: std::collections::HashMap<Digest, crate::model::usage::DigestObjects>,
}

impl DeletePlan {
    /// The digests whose objects the plan frees (on layouts, a digest that
    /// keeps other tags frees nothing).
    pub fn going(&self) -> Vec<&Digest> {
        self.groups
            .iter()
            .filter(|g| g.bytes_freed > 0 || g.tags.is_empty())
            .map(|g| &g.digest)
            .collect()
    }

    /// How many children of the index `digest` go with it.
    pub fn children_of(&self, digest: &Digest) -> usize {
        self.groups
            .iter()
            .filter(|g| g.child_of.as_ref() == Some(digest))
            .count()
    }

    /// Whether some digest is a child of an index that stays.
    pub fn breaks_an_index(&self) -> bool {
        self.groups.iter().any(|g| !g.part_of.is_empty())
    }
}

/// What happened to one group.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Deleted {
        /// `tag`, `digest` or `index_entry`.
        method: DeleteMethod,
        tags: Vec<String>,
        trash_id: Option<String>,
    },
    Skipped {
        reason: String,
    },
    Failed {
        error: String,
        /// Tags removed before the failure (a batch of tag deletes).
        removed: Vec<String>,
    },
}
