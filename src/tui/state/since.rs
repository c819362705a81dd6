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

/// A registry (its display name) and a repository in it.
type Place = (String, String);

fn place(location: &str, repo: &str) -> Place {
    (location.to_string(), repo.to_string())
}

/// Kept for the whole session, per registry: a registry switched away from
/// and back keeps what it read (a second read would see the session's own
/// writes).
#[derive(Debug, Default)]
pub struct SinceLastVisit {
    /// When this session started (Unix seconds): what the store holds from
    /// before is the last visit. `None`: no marks.
    started: Option<i64>,
    catalog_asked: HashSet<String>,
    /// Per repository asked for: what it was (`None`: never seen before).
    tags: HashMap<Place, Option<TagsSeen>>,
    /// Per registry, the catalog as last seen before (absent: never).
    catalog: HashMap<String, HashSet<String>>,
    changed: HashSet<Place>,
}

impl SinceLastVisit {
    pub fn starting_at(started: i64) -> SinceLastVisit {
        SinceLastVisit {
            started: Some(started),
            ..SinceLastVisit::default()
        }
    }

    /// The session's start when `repo`'s earlier tags should be read now:
    /// once a session.
    pub fn ask(&mut self, location: &str, repo: &str) -> Option<i64> {
        let started = self.started?;
        let key = place(location, repo);
        if self.tags.contains_key(&key) {
            return None;
        }
        self.tags.insert(key, None);
        Some(started)
    }

    /// The session's start when the earlier catalog should be read now (once).
    pub fn ask_catalog(&mut self, location: &str) -> Option<i64> {
        let started = self.started?;
        self.catalog_asked
            .insert(location.to_string())
            .then_some(started)
    }

    pub fn set_tags(&mut self, location: &str, repo: &str, rows: Vec<(String, Option<Digest>)>) {
        let seen = (!rows.is_empty()).then(|| rows.into_iter().collect());
        self.tags.insert(place(location, repo), seen);
    }

    pub fn set_catalog(&mut self, location: &str, names: Option<Vec<String>>) {
        if let Some(names) = names {
            self.catalog
                .insert(location.to_string(), names.into_iter().collect());
        }
    }

    /// How `tag` of `repo` (now at `digest`, when looked up) differs from the
    /// last visit; nothing when the repository was never seen before.
    pub fn tag_change(
        &self,
        location: &str,
        repo: &str,
        tag: &str,
        digest: Option<&Digest>,
    ) -> Option<ChangeMark> {
        let seen = self.tags.get(&place(location, repo))?.as_ref()?;
        match seen.get(tag) {
            None => Some(ChangeMark::New),
            Some(Some(before)) if digest.is_some_and(|now| now != before) => {
                Some(ChangeMark::Moved)
            }
            Some(_) => None,
        }
    }

    /// The repository was not in the catalog last time (one was seen).
    pub fn is_new_repository(&self, location: &str, name: &str) -> bool {
        self.catalog
            .get(location)
            .is_some_and(|c| !c.contains(name))
    }

    pub fn note_changed(&mut self, location: &str, repo: &str) {
        self.changed.insert(place(location, repo));
    }

    pub fn has_changed(&self, location: &str, repo: &str) -> bool {
        self.changed.contains(&place(location, repo))
    }

    /// The repositories' mark: `+` new since the last visit, `~` tags changed.
    pub fn repository_mark(&self, location: &str, name: &str) -> Option<char> {
        if self.is_new_repository(location, name) {
            Some('+')
        } else if self.has_changed(location, name) {
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
        self.since
            .tag_change(&self.source_name, repo, &row.name, digest)
    }

    /// Notes the open repository as changed when a row of it is new or moved.
    pub fn note_changes(&mut self) {
        let Some(repo) = self.tags.repo().map(str::to_string) else {
            return;
        };
        if self.since.has_changed(&self.source_name, &repo) {
            return;
        }
        if self
            .tags
            .list
            .rows()
            .any(|row| self.change_mark(row).is_some())
        {
            self.since.note_changed(&self.source_name, &repo);
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
            self.since.note_changed(&self.source_name, &repo);
        }
    }
}
