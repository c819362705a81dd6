//! Where the bytes go in a repository: per manifest digest, the bytes stored, the
//! part no other digest references (what deleting it frees after garbage
//! collection), and the repository's unique total. Pure maths, no IO.

use crate::oci::digest::Digest;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Everything one manifest digest keeps alive: the manifest, an index's children,
/// and every config and layer they reference, each with its size.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DigestObjects {
    pub kind: &'static str,
    /// Compressed layer bytes of the platform images (attestations excluded).
    pub size: u64,
    pub created: Option<String>,
    pub objects: BTreeMap<Digest, u64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TagUsage {
    pub tag: String,
    pub digest: Digest,
    pub kind: &'static str,
    pub size: u64,
    pub stored_bytes: u64,
    pub exclusive_bytes: u64,
    pub shared_bytes: u64,
    pub created: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RepoUsage {
    pub repository: String,
    pub total_unique_bytes: u64,
    pub tags: Vec<TagUsage>,
    /// When the tag → digest figures come from a stored snapshot, its time
    /// (RFC 3339); absent when every tag was looked up now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Tags the stored listing names whose digest was never looked up
    /// (`--offline` only); absent when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_cached: Vec<String>,
}

/// Per-digest figures, given each tag's digest and each digest's objects.
pub fn repo_usage(
    repository: &str,
    tags: &[(String, Digest)],
    objects: &HashMap<Digest, DigestObjects>,
) -> RepoUsage {
    let mut users: HashMap<&Digest, usize> = HashMap::new();
    let mut unique: HashMap<&Digest, u64> = HashMap::new();
    for digest_objects in objects.values() {
        for (object, size) in &digest_objects.objects {
            *users.entry(object).or_default() += 1;
            unique.insert(object, *size);
        }
    }
    let tags = tags
        .iter()
        .filter_map(|(tag, digest)| Some(tag_usage(tag, digest, objects.get(digest)?, &users)))
        .collect();
    RepoUsage {
        repository: repository.to_string(),
        total_unique_bytes: saturating_sum(unique.values().copied()),
        tags,
        as_of: None,
        not_cached: Vec::new(),
    }
}

/// One tag's figures: `users` counts the digests that hold each object.
fn tag_usage(
    tag: &str,
    digest: &Digest,
    o: &DigestObjects,
    users: &HashMap<&Digest, usize>,
) -> TagUsage {
    let stored = saturating_sum(o.objects.values().copied());
    let exclusive = saturating_sum(
        o.objects
            .iter()
            .filter(|(object, _)| users.get(object) == Some(&1))
            .map(|(_, size)| *size),
    );
    TagUsage {
        tag: tag.to_string(),
        digest: digest.clone(),
        kind: o.kind,
        size: o.size,
        stored_bytes: stored,
        exclusive_bytes: exclusive,
        shared_bytes: stored.saturating_sub(exclusive),
        created: o.created.clone(),
    }
}

/// Sizes come from registries: a sum stops at `u64::MAX` instead of wrapping.
pub fn saturating_sum(sizes: impl Iterator<Item = u64>) -> u64 {
    sizes.fold(0, u64::saturating_add)
}

/// How many digests of the repository reference each object (layer, config, child).
pub fn object_users(objects: &HashMap<Digest, DigestObjects>) -> HashMap<Digest, usize> {
    let mut users = HashMap::new();
    for o in objects.values() {
        for object in o.objects.keys() {
            *users.entry(object.clone()).or_default() += 1;
        }
    }
    users
}

/// Bytes that deleting every digest in `deleted` frees: the objects no other
/// digest of the repository references.
pub fn freed_by(deleted: &[&Digest], objects: &HashMap<Digest, DigestObjects>) -> u64 {
    let deleted: std::collections::HashSet<&Digest> = deleted.iter().copied().collect();
    let mut sizes: HashMap<&Digest, u64> = HashMap::new();
    let mut kept: std::collections::HashSet<&Digest> = std::collections::HashSet::new();
    for (digest, o) in objects {
        let going = deleted.contains(digest);
        for (object, size) in &o.objects {
            if going {
                sizes.insert(object, *size);
            } else {
                kept.insert(object);
            }
        }
    }
    saturating_sum(
        sizes
            .iter()
            .filter(|(o, _)| !kept.contains(*o))
            .map(|(_, s)| *s),
    )
}

/// What `garbage-collect --delete-untagged` would free over several plans,
/// each given as `(bytes freed, its figure under that mode)`: `None` unless
/// some plan keeps untagged children; a plan without its own figure adds what
/// it frees anyway.
pub fn freed_collecting_untagged(
    plans: impl IntoIterator<Item = (u64, Option<u64>)>,
) -> Option<u64> {
    let plans: Vec<(u64, Option<u64>)> = plans.into_iter().collect();
    plans
        .iter()
        .any(|(_, untagged)| untagged.is_some())
        .then(|| {
            saturating_sum(
                plans
                    .iter()
                    .map(|(freed, untagged)| untagged.unwrap_or(*freed)),
            )
        })
}

/// One repository's part of a registry-wide deletion: every digest's objects
/// (tagged ones, and untagged manifests known to stay) and the digests that go.
pub struct RepoDeletion<'a> {
    pub objects: &'a HashMap<Digest, DigestObjects>,
    pub gone: std::collections::HashSet<&'a Digest>,
}

/// Bytes a registry-wide garbage collection frees after `plans`: the objects
/// of every digest that goes that no remaining digest of any repository
/// (`others`: the repositories outside the plans) references. Each plan's own
/// figure, and the total (an object counted once).
pub fn freed_registry_wide(
    plans: &[RepoDeletion<'_>],
    others: &[HashMap<Digest, DigestObjects>],
) -> (Vec<u64>, u64) {
    let mut kept: std::collections::HashSet<&Digest> = std::collections::HashSet::new();
    for plan in plans {
        for (digest, o) in plan.objects {
            if !plan.gone.contains(digest) {
                kept.extend(o.objects.keys());
            }
        }
    }
    for repo in others {
        kept.extend(repo.values().flat_map(|o| o.objects.keys()));
    }
    let mut everywhere: HashMap<&Digest, u64> = HashMap::new();
    let mut figures = Vec::new();
    for plan in plans {
        let mine: HashMap<&Digest, u64> = plan
            .objects
            .iter()
            .filter(|(d, _)| plan.gone.contains(d))
            .flat_map(|(_, o)| o.objects.iter().map(|(k, s)| (k, *s)))
            .filter(|(k, _)| !kept.contains(*k))
            .collect();
        figures.push(saturating_sum(mine.values().copied()));
        everywhere.extend(mine);
    }
    (figures, saturating_sum(everywhere.values().copied()))
}

/// What deleting each digest alone frees: its objects no other digest
/// references (`freed_by` of one digest, for all of them in one pass).
pub fn freed_alone(objects: &HashMap<Digest, DigestObjects>) -> HashMap<&Digest, u64> {
    let mut users: HashMap<&Digest, usize> = HashMap::new();
    for o in objects.values() {
        for object in o.objects.keys() {
            *users.entry(object).or_default() += 1;
        }
    }
    objects
        .iter()
        .map(|(digest, o)| {
            let alone = o
                .objects
                .iter()
                .filter(|(object, _)| users.get(object) == Some(&1))
                .map(|(_, size)| *size);
            (digest, saturating_sum(alone))
        })
        .collect()
}

/// How many tags keep each object alive (a layer used by three tags: 3).
pub fn object_users_by_tag(
    tags: &[(String, Digest)],
    objects: &HashMap<Digest, DigestObjects>,
) -> HashMap<Digest, usize> {
    let mut users = HashMap::new();
    for (_, digest) in tags {
        for object in objects
            .get(digest)
            .into_iter()
            .flat_map(|o| o.objects.keys())
        {
            *users.entry(object.clone()).or_default() += 1;
        }
    }
    users
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageSort {
    Exclusive,
    Size,
    Stored,
    Shared,
    Name,
    Created,
}

impl UsageSort {
    pub const ALL: [(&'static str, UsageSort); 6] = [
        ("exclusive", UsageSort::Exclusive),
        ("size", UsageSort::Size),
        ("stored", UsageSort::Stored),
        ("shared", UsageSort::Shared),
        ("name", UsageSort::Name),
        ("created", UsageSort::Created),
    ];
}

impl std::str::FromStr for UsageSort {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UsageSort::ALL
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, sort)| *sort)
            .ok_or_else(|| format!("unknown sort {s:?}"))
    }
}

/// Largest first for byte columns, newest first for created, natural for names.
pub fn sort_usage(tags: &mut [TagUsage], by: UsageSort) {
    use crate::model::tag_order::natural_cmp;
    tags.sort_by(|a, b| {
        let key = match by {
            UsageSort::Exclusive => b.exclusive_bytes.cmp(&a.exclusive_bytes),
            UsageSort::Size => b.size.cmp(&a.size),
            UsageSort::Stored => b.stored_bytes.cmp(&a.stored_bytes),
            UsageSort::Shared => b.shared_bytes.cmp(&a.shared_bytes),
            UsageSort::Created => b.created.cmp(&a.created),
            UsageSort::Name => std::cmp::Ordering::Equal,
        };
        key.then_with(|| natural_cmp(&a.tag, &b.tag))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: u8) -> Digest {
        Digest::sha256_of(&[n])
    }

    fn objects(list: &[(u8, u64)]) -> DigestObjects {
        DigestObjects {
            kind: "image",
            size: 0,
            created: None,
            objects: list.iter().map(|(n, s)| (d(*n), *s)).collect(),
        }
    }

    #[test]
    fn object_users_count_tags_not_digests() {
        let mut all = HashMap::new();
        all.insert(d(1), objects(&[(1, 100), (10, 1000)]));
        all.insert(d(2), objects(&[(2, 120), (10, 1000)]));
        let tags = vec![
            ("a".to_string(), d(1)),
            ("b".to_string(), d(2)),
            ("c".to_string(), d(2)),
            ("gone".to_string(), d(9)),
        ];
        let users = object_users_by_tag(&tags, &all);
        assert_eq!(users[&d(10)], 3, "a layer of both digests, three tags");
        assert_eq!(users[&d(2)], 2);
        assert_eq!(users[&d(1)], 1);
        assert_eq!(users.len(), 3, "an unknown digest adds nothing");
    }

    #[test]
    fn sort_names_parse_to_their_order_and_others_are_refused() {
        for (name, sort) in UsageSort::ALL {
            assert_eq!(name.parse::<UsageSort>(), Ok(sort));
        }
        assert!("largest".parse::<UsageSort>().is_err());
        assert!("".parse::<UsageSort>().is_err());
    }

    #[test]
    fn exclusive_shared_and_unique() {
        // Manifests 1 and 2 share layer 10; 2 is tagged twice.
        let mut all = HashMap::new();
        all.insert(d(1), objects(&[(1, 100), (10, 1000), (11, 50)]));
        all.insert(d(2), objects(&[(2, 120), (10, 1000), (12, 70)]));
        let tags = vec![
            ("a".to_string(), d(1)),
            ("b".to_string(), d(2)),
            ("c".to_string(), d(2)),
        ];
        let usage = repo_usage("r", &tags, &all);
        assert_eq!(usage.total_unique_bytes, 100 + 1000 + 50 + 120 + 70);
        let a = &usage.tags[0];
        assert_eq!(
            (a.stored_bytes, a.exclusive_bytes, a.shared_bytes),
            (1150, 150, 1000)
        );
        let b = &usage.tags[1];
        assert_eq!(
            (b.stored_bytes, b.exclusive_bytes, b.shared_bytes),
            (1190, 190, 1000)
        );
        assert_eq!(
            usage.tags[2].exclusive_bytes, 190,
            "tags on one digest share its figures"
        );
        assert_eq!(freed_by(&[&d(1)], &all), 150);
        let alone = freed_alone(&all);
        assert_eq!(alone[&d(1)], 150, "one pass gives each digest's own figure");
        assert_eq!(alone[&d(2)], freed_by(&[&d(2)], &all));
        assert_eq!(
            freed_by(&[&d(1), &d(2)], &all),
            100 + 1000 + 50 + 120 + 70,
            "shared only between the two"
        );
        let users = object_users(&all);
        assert_eq!(users[&d(10)], 2);
        let mut sorted = usage.tags.clone();
        sort_usage(&mut sorted, UsageSort::Exclusive);
        assert_eq!(
            sorted.iter().map(|t| t.tag.as_str()).collect::<Vec<_>>(),
            ["b", "c", "a"]
        );
    }
}
