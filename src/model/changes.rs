//! What changed between two looks at a registry: repositories that came or
//! went, tags that came, went, or moved to another digest. Pure.

use crate::oci::digest::Digest;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One change (JSON: `kind` plus its fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    NewRepository {
        repository: String,
    },
    RemovedRepository {
        repository: String,
    },
    NewTag {
        repository: String,
        tag: String,
        digest: Digest,
    },
    RemovedTag {
        repository: String,
        tag: String,
        digest: Digest,
    },
    MovedTag {
        repository: String,
        tag: String,
        from: Digest,
        to: Digest,
    },
}

impl Change {
    /// One line for a terminal (names sanitised by the caller's printer).
    pub fn line(&self) -> String {
        match self {
            Change::NewRepository { repository } => format!("+ repository {repository}"),
            Change::RemovedRepository { repository } => format!("- repository {repository}"),
            Change::NewTag {
                repository,
                tag,
                digest,
            } => {
                format!("+ {repository}:{tag} {}", digest.short())
            }
            Change::RemovedTag {
                repository,
                tag,
                digest,
            } => {
                format!("- {repository}:{tag} (was {})", digest.short())
            }
            Change::MovedTag {
                repository,
                tag,
                from,
                to,
            } => {
                format!("~ {repository}:{tag} {} → {}", from.short(), to.short())
            }
        }
    }
}

/// Repositories in `now` and not `before`, then those gone.
pub fn repository_changes(before: &[String], now: &[String]) -> Vec<Change> {
    let (before, now): (BTreeSet<&String>, BTreeSet<&String>) =
        (before.iter().collect(), now.iter().collect());
    let new = now.difference(&before).map(|r| Change::NewRepository {
        repository: (*r).clone(),
    });
    let gone = before.difference(&now).map(|r| Change::RemovedRepository {
        repository: (*r).clone(),
    });
    new.chain(gone).collect()
}

/// Tags new, moved and removed in `repository`, in tag order.
pub fn tag_changes(
    repository: &str,
    before: &[(String, Digest)],
    now: &[(String, Digest)],
) -> Vec<Change> {
    let before: BTreeMap<&String, &Digest> = before.iter().map(|(t, d)| (t, d)).collect();
    let now: BTreeMap<&String, &Digest> = now.iter().map(|(t, d)| (t, d)).collect();
    let repository = repository.to_string();
    let mut changes = Vec::new();
    for (tag, digest) in &now {
        match before.get(tag) {
            None => changes.push(Change::NewTag {
                repository: repository.clone(),
                tag: (*tag).clone(),
                digest: (*digest).clone(),
            }),
            Some(old) if old != digest => changes.push(Change::MovedTag {
                repository: repository.clone(),
                tag: (*tag).clone(),
                from: (*old).clone(),
                to: (*digest).clone(),
            }),
            Some(_) => {}
        }
    }
    for (tag, digest) in before.iter().filter(|(t, _)| !now.contains_key(*t)) {
        changes.push(Change::RemovedTag {
            repository: repository.clone(),
            tag: (*tag).clone(),
            digest: (*digest).clone(),
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: u8) -> Digest {
        Digest::sha256_of(&[n])
    }

    #[test]
    fn new_moved_and_removed_tags_and_repositories() {
        let before = vec![
            ("a".to_string(), d(1)),
            ("b".to_string(), d(2)),
            ("c".to_string(), d(3)),
        ];
        let now = vec![
            ("a".to_string(), d(1)),
            ("b".to_string(), d(9)),
            ("n".to_string(), d(4)),
        ];
        let changes = tag_changes("app", &before, &now);
        assert_eq!(
            changes,
            [
                Change::MovedTag {
                    repository: "app".into(),
                    tag: "b".into(),
                    from: d(2),
                    to: d(9)
                },
                Change::NewTag {
                    repository: "app".into(),
                    tag: "n".into(),
                    digest: d(4)
                },
                Change::RemovedTag {
                    repository: "app".into(),
                    tag: "c".into(),
                    digest: d(3)
                },
            ]
        );
        let repos = repository_changes(&["x".into(), "y".into()], &["y".into(), "z".into()]);
        assert_eq!(
            repos,
            [
                Change::NewRepository {
                    repository: "z".into()
                },
                Change::RemovedRepository {
                    repository: "x".into()
                },
            ]
        );
        assert!(tag_changes("app", &now, &now).is_empty());
    }
}
