//! Where the bytes of a whole registry go: per repository its unique bytes and
//! the bytes only it references (freed if the whole repository went), and the
//! registry's total with every blob counted once. Pure maths.

use super::usage::{DigestObjects, saturating_sum};
use crate::oci::digest::Digest;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The JSON field names are a documented contract.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RepositoryBytes {
    pub repository: String,
    pub tags: usize,
    /// Distinct manifests the tags name.
    pub images: usize,
    /// Every object the repository's tags reference, each once.
    pub unique_bytes: u64,
    /// The part no other repository references.
    pub exclusive_bytes: u64,
    /// The rest: `unique_bytes - exclusive_bytes`.
    pub shared_bytes: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RegistryUsage {
    pub registry: String,
    pub repositories: Vec<RepositoryBytes>,
    pub total_unique_bytes: u64,
}

/// One repository's name, tag and image counts and objects (object → size).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepositoryObjects {
    pub repository: String,
    pub tags: usize,
    pub images: usize,
    pub objects: HashMap<Digest, u64>,
}

/// Every object of a repository's digests, each once.
pub fn objects_of(digests: &HashMap<Digest, DigestObjects>) -> HashMap<Digest, u64> {
    digests
        .values()
        .flat_map(|o| o.objects.iter().map(|(d, s)| (d.clone(), *s)))
        .collect()
}

pub fn registry_usage(registry: &str, repositories: &[RepositoryObjects]) -> RegistryUsage {
    registry_usage_of(registry, repositories.iter())
}

/// `registry_usage` over borrowed repositories (the browser's rows).
pub fn registry_usage_of<'a>(
    registry: &str,
    repositories: impl Iterator<Item = &'a RepositoryObjects> + Clone,
) -> RegistryUsage {
    let mut users: HashMap<&Digest, usize> = HashMap::new();
    let mut sizes: HashMap<&Digest, u64> = HashMap::new();
    for repo in repositories.clone() {
        for (object, size) in &repo.objects {
            *users.entry(object).or_default() += 1;
            sizes.insert(object, *size);
        }
    }
    let rows = repositories
        .map(|repo| {
            let only_here: HashSet<&Digest> = repo
                .objects
                .keys()
                .filter(|o| users.get(o) == Some(&1))
                .collect();
            let unique_bytes = saturating_sum(repo.objects.values().copied());
            let exclusive_bytes = saturating_sum(
                repo.objects
                    .iter()
                    .filter(|(o, _)| only_here.contains(o))
                    .map(|(_, s)| *s),
            );
            RepositoryBytes {
                repository: repo.repository.clone(),
                tags: repo.tags,
                images: repo.images,
                unique_bytes,
                exclusive_bytes,
                shared_bytes: unique_bytes.saturating_sub(exclusive_bytes),
            }
        })
        .collect();
    RegistryUsage {
        registry: registry.to_string(),
        repositories: rows,
        total_unique_bytes: saturating_sum(sizes.values().copied()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_blobs_count_once_and_belong_to_no_one() {
        let d = |n: u8| Digest::sha256_of(&[n]);
        let repo = |name: &str, objects: &[(u8, u64)]| RepositoryObjects {
            repository: name.into(),
            tags: 1,
            images: 1,
            objects: objects.iter().map(|(n, s)| (d(*n), *s)).collect(),
        };
        let usage = registry_usage(
            "r",
            &[
                repo("a", &[(1, 1000), (2, 200)]),
                repo("b", &[(1, 1000), (3, 300)]),
            ],
        );
        assert_eq!(usage.total_unique_bytes, 1500);
        assert_eq!(usage.repositories[0].unique_bytes, 1200);
        assert_eq!(usage.repositories[0].exclusive_bytes, 200);
        assert_eq!(usage.repositories[1].exclusive_bytes, 300);
        assert_eq!(usage.repositories[1].shared_bytes, 1000);
    }

    #[test]
    fn objects_of_a_repository_are_each_object_once() {
        use crate::model::usage::DigestObjects;
        let d = |n: u8| Digest::sha256_of(&[n]);
        let digest_objects = |objects: &[(u8, u64)]| DigestObjects {
            objects: objects.iter().map(|(n, s)| (d(*n), *s)).collect(),
            ..DigestObjects::default()
        };
        let digests = HashMap::from([
            (d(10), digest_objects(&[(1, 1000), (2, 200)])),
            (d(11), digest_objects(&[(1, 1000), (3, 300)])),
        ]);
        let objects = objects_of(&digests);
        assert_eq!(
            objects,
            HashMap::from([(d(1), 1000), (d(2), 200), (d(3), 300)])
        );
    }
}
