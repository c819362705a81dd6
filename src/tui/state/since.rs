//! What changed since the last visit: what the store knew before this
//! session started, per repository (tags and their digests) and for the
//! catalog, and the repositories found changed so far.

use crate::oci::digest::Digest;
use std::collections::{HashMap, HashSet};

/// A tag's change since the last visit, as the letter that marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeMark {
    /// The tag was not there.
    New,
    /// The tag named another digest.
    Moved,
}

impl ChangeMark {
    pub fn letter(self) -> char {
        match self {
            ChangeMark::New => 'N',
            ChangeMark::Moved => 'M',
        }
    }
}

/// A repository's tags as last seen before: tag → digest (`None`: listed,
/// never looked up).
type TagsSeen = HashMap<String, Option<Digest>>;

#[derive(Debug, Default)]
pub struct SinceLastVisit {
    /// When this session started (Unix seconds): what the store holds from
    /// before is the last visit. `None`: no marks.
    started: Option<i64>,
    catalog_asked: bool,
    /// Per repository asked for: what it was (`None`: never seen before).
    tags: HashMap<String, Option<TagsSeen>>,
    /// The catalog as last seen before (`None`: never, or not yet read).
    catalog: Option<HashSet<String>>,
    changed: HashSet<String>,
}

impl SinceLastVisit {
    pub fn starting_at(started: i64) -> SinceLastVisit {
        SinceLastVisit {
            started: Some(started),
            ..SinceLastVisit::default()
        }
    }

    /// The session's start when `repo`'s earlier tags should be read now:
    /// once a session (a later read would see this session's own writes).
    pub fn ask(&mut self, repo: &str) -> Option<i64> {
        let started = self.started?;
        if self.tags.contains_key(repo) {
            return None;
        }
        self.tags.insert(repo.to_string(), None);
        Some(started)
    }

    /// The session's start when the earlier catalog should be read now (once).
    pub fn ask_catalog(&mut self) -> Option<i64> {
        let started = self.started.filter(|_| !self.catalog_asked)?;
        self.catalog_asked = true;
        Some(started)
    }

    /// The same session's marks, forgotten (another registry).
    pub fn restarted(&self) -> SinceLastVisit {
        SinceLastVisit {
            started: self.started,
            ..SinceLastVisit::default()
        }
    }

    pub fn set_tags(&mut self, repo: &str, rows: Vec<(String, Option<Digest>)>) {
        let seen = (!rows.is_empty()).then(|| rows.into_iter().collect());
        self.tags.insert(repo.to_string(), seen);
    }

    pub fn set_catalog(&mut self, names: Option<Vec<String>>) {
        self.catalog = names.map(|n| n.into_iter().collect());
    }

    /// How `tag` of `repo` (now at `digest`, when looked up) differs from the
    /// last visit; nothing when the repository was never seen before.
    pub fn tag_change(&self, repo: &str, tag: &str, digest: Option<&Digest>) -> Option<ChangeMark> {
        let seen = self.tags.get(repo)?.as_ref()?;
        match seen.get(tag) {
            None => Some(ChangeMark::New),
            Some(Some(before)) if digest.is_some_and(|now| now != before) => {
                Some(ChangeMark::Moved)
            }
            Some(_) => None,
        }
    }

    /// The repository was not in the catalog last time (one was seen).
    pub fn is_new_repository(&self, name: &str) -> bool {
        self.catalog.as_ref().is_some_and(|c| !c.contains(name))
    }

    pub fn note_changed(&mut self, repo: &str) {
        self.changed.insert(repo.to_string());
    }

    pub fn has_changed(&self, repo: &str) -> bool {
        self.changed.contains(repo)
    }

    /// The repositories' mark: `+` new since the last visit, `~` tags changed.
    pub fn repository_mark(&self, name: &str) -> Option<char> {
        if self.is_new_repository(name) {
            Some('+')
        } else if self.has_changed(name) {
            Some('~')
        } else {
            None
        }
    }
}

impl super::State {
    /// The change mark of a row of the open repository.
    pub fn change_mark(&self, row: &super::TagRow) -> Option<ChangeMark> {
        let repo = self.tags.repo()?;
        let digest = row.summary.as_deref().map(|s| &s.digest);
        self.since.tag_change(repo, &row.name, digest)
    }

    /// Notes the open repository as changed when a row of it is new or moved.
    pub fn note_changes(&mut self) {
        let Some(repo) = self.tags.repo().map(str::to_string) else {
            return;
        };
        if self.since.has_changed(&repo) {
            return;
        }
        if self
            .tags
            .list
            .rows()
            .any(|row| self.change_mark(row).is_some())
        {
            self.since.note_changed(&repo);
        }
    }

    /// `note_changes` for one row (a summary arrived).
    pub fn note_change_of(&mut self, tag: &str) {
        let Some(repo) = self.tags.repo().map(str::to_string) else {
            return;
        };
        let mark = self
            .tags
            .list
            .row(tag)
            .and_then(|row| self.change_mark(row));
        if mark.is_some() {
            self.since.note_changed(&repo);
        }
    }
}
