//! Where the bytes of the open repository go (the `u` view and layer use counts).

use super::Load;
use crate::model::usage::{TagUsage, freed_by, object_users_by_tag};
use crate::oci::digest::Digest;
use crate::ops::usage::UsageData;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What a "marked frees" figure was computed from: the marks key and the usage revision.
type MarkedKey = ((u64, Option<usize>), u64);

#[derive(Debug, Default)]
pub struct UsagePane {
    shown: bool,
    pub load: Load,
    /// The repository the figures are (being) loaded for.
    repo: Option<String>,
    /// Figures are out of date (after a deletion).
    stale: bool,
    data: Option<Arc<UsageData>>,
    /// Tag → its row in `data.usage.tags`.
    by_tag: HashMap<String, usize>,
    /// Object (layer, config, child) → how many tags keep it.
    object_tags: HashMap<Digest, usize>,
    /// Changes whenever the figures do.
    revision: u64,
    /// Bytes freed by deleting the marked tags, and the marks it was computed for.
    marked_freed: Option<(MarkedKey, u64)>,
}

impl UsagePane {
    pub fn shown(&self) -> bool {
        self.shown
    }

    pub fn toggle(&mut self) {
        self.shown = !self.shown;
    }

    /// The repository whose figures should be loaded now, if any: the view is
    /// on and the figures are missing, for another repository, or stale.
    pub fn wanted(&self, open_repo: Option<&str>) -> Option<String> {
        let repo = open_repo?;
        let current = self.repo.as_deref() == Some(repo) && !self.stale;
        (self.shown && !current).then(|| repo.to_string())
    }

    /// Drops figures that belong to another repository than `open_repo`.
    pub fn forget_unless(&mut self, open_repo: Option<&str>) {
        if self.repo.as_deref() != open_repo && self.repo.is_some() {
            *self = UsagePane {
                shown: self.shown,
                revision: self.revision + 1,
                ..UsagePane::default()
            };
        }
    }

    pub fn loading(&mut self, repo: &str) {
        self.repo = Some(repo.to_string());
        self.stale = false;
        self.load = Load::Loading;
    }

    pub fn invalidate(&mut self) {
        self.stale = true;
    }

    pub fn fill(&mut self, data: Arc<UsageData>) {
        self.by_tag = data
            .usage
            .tags
            .iter()
            .enumerate()
            .map(|(i, t)| (t.tag.clone(), i))
            .collect();
        self.object_tags = object_users_by_tag(&data.tag_digests, &data.objects);
        self.data = Some(data);
        self.load = Load::Done;
        self.revision += 1;
    }

    pub fn data(&self) -> Option<&Arc<UsageData>> {
        self.data.as_ref()
    }

    pub fn figures(&self, tag: &str) -> Option<&TagUsage> {
        let data = self.data.as_ref()?;
        self.by_tag.get(tag).map(|&i| &data.usage.tags[i])
    }

    pub fn object_tags(&self) -> &HashMap<Digest, usize> {
        &self.object_tags
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Recomputes the bytes the marked tags free when the marks or figures changed.
    pub fn prepare_marked_freed(
        &mut self,
        marks_key: (u64, Option<usize>),
        marked: impl FnOnce() -> Vec<String>,
    ) {
        let Some(data) = &self.data else {
            self.marked_freed = None;
            return;
        };
        let key = (marks_key, self.revision);
        if self.marked_freed.is_some_and(|(k, _)| k == key) {
            return;
        }
        let marked: HashSet<String> = marked().into_iter().collect();
        let digests: Vec<&Digest> = data
            .tag_digests
            .iter()
            .filter(|(t, _)| marked.contains(t))
            .map(|(_, d)| d)
            .collect();
        self.marked_freed = Some((key, freed_by(&digests, &data.objects)));
    }

    pub fn marked_freed(&self) -> Option<u64> {
        self.marked_freed.map(|(_, bytes)| bytes)
    }
}
