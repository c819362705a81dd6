//! The detail pane: a stack of views (the selected tag's manifest at the root,
//! platforms opened from an index on top), the raw-JSON toggle, and the
//! prepared image view of the top entry.

use super::cursor::{Cursor, Move};
use super::image_view::{HEADER_LINES, ImageView};
use crate::oci::digest::Digest;
use crate::ops::detail::Detail;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub enum DetailView {
    Loading,
    Ready(Arc<DetailData>),
    Failed(String),
}

/// A loaded detail with its raw JSON already laid out as lines.
#[derive(Debug)]
pub struct DetailData {
    pub detail: Detail,
    pub raw_lines: Vec<String>,
    /// Signatures, attestations, SBOMs and other referrers, as a tree.
    pub referrers: Vec<crate::ops::referrers::Referrer>,
}

impl DetailData {
    /// Lays out the manifest (and config) as pretty JSON lines, once, off the
    /// UI thread (the job that loaded it calls this).
    pub fn new(detail: Detail, referrers: Vec<crate::ops::referrers::Referrer>) -> DetailData {
        let mut lines = vec!["# manifest".to_string()];
        lines.extend(pretty(&detail.manifest().raw));
        if let Detail::Image {
            config: Some(config),
            ..
        } = &detail
        {
            lines.push(String::new());
            lines.push("# config".to_string());
            lines.extend(pretty(&config.raw));
        }
        DetailData {
            detail,
            raw_lines: lines,
            referrers,
        }
    }
}

fn pretty(raw: &[u8]) -> Vec<String> {
    let text = serde_json::from_slice::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| String::from_utf8_lossy(raw).to_string());
    let sanitize = crate::oci::text::sanitize_line;
    text.lines().map(|l| sanitize(l, 2000)).collect()
}

#[derive(Debug, Clone)]
pub struct DetailEntry {
    pub repo: String,
    pub digest: Digest,
    /// What the user opened: a tag, or a platform of an index.
    pub title: String,
    pub view: DetailView,
    cursor: Cursor,
    /// SBOMs, provenance and signatures, once read (after the view loads).
    pub supply: Option<Arc<crate::ops::supply::SupplySummary>>,
}

impl DetailEntry {
    /// An entry waiting for its load.
    pub fn loading(repo: &str, digest: &Digest, title: String) -> DetailEntry {
        DetailEntry {
            repo: repo.to_string(),
            digest: digest.clone(),
            title,
            view: DetailView::Loading,
            cursor: Cursor::default(),
            supply: None,
        }
    }

    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    pub fn data(&self) -> Option<&Arc<DetailData>> {
        match &self.view {
            DetailView::Ready(data) => Some(data),
            _ => None,
        }
    }

    /// The layer under the cursor of an image view.
    pub fn selected_layer(&self) -> Option<usize> {
        match &self.data()?.detail {
            Detail::Image { report, .. } => {
                Some(self.cursor.selected()).filter(|i| *i < report.layers.len())
            }
            _ => None,
        }
    }

    /// The referrer under the cursor of an image view (the cursor moves on
    /// from the layers to the referrers tree, depth first).
    pub fn selected_referrer(&self) -> Option<&crate::ops::referrers::Referrer> {
        let data = self.data()?;
        let Detail::Image { report, .. } = &data.detail else {
            return None;
        };
        let index = self.cursor.selected().checked_sub(report.layers.len())?;
        flatten(&data.referrers).into_iter().nth(index)
    }

    /// The platform row under the cursor of an index view.
    pub fn selected_platform(&self) -> Option<&crate::ops::detail::PlatformRow> {
        match &self.data()?.detail {
            Detail::Index { platforms, .. } => platforms.get(self.cursor.selected()),
            _ => None,
        }
    }
}

/// What the tag selection showed in the detail pane last (tag and digest).
pub type Followed = Option<(String, Digest)>;

#[derive(Debug, Default)]
pub struct DetailPane {
    stack: Vec<DetailEntry>,
    raw: bool,
    followed: Followed,
    /// Changes whenever the stack or a view in it does.
    revision: u64,
    /// The top entry's image view, and the (stack, usage) revisions it was built for.
    image: Option<((u64, u64), Arc<ImageView>)>,
}

impl DetailPane {
    pub fn top(&self) -> Option<&DetailEntry> {
        self.stack.last()
    }

    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    pub fn raw(&self) -> bool {
        self.raw
    }

    pub fn set_raw(&mut self, raw: bool) {
        self.raw = raw;
    }

    pub fn followed(&self) -> &Followed {
        &self.followed
    }

    /// Shows `entry` as the only view, for the tag selection `followed`.
    pub fn replace(&mut self, entry: Option<DetailEntry>, followed: Followed) {
        self.stack = entry.into_iter().collect();
        self.followed = followed;
        self.revision += 1;
    }

    /// Opens `entry` on top (a platform of an index).
    pub fn push(&mut self, entry: DetailEntry) {
        self.raw = false;
        self.stack.push(entry);
        self.revision += 1;
    }

    /// Closes the top view when there is one under it.
    pub fn pop(&mut self) -> bool {
        if self.stack.len() > 1 {
            self.stack.pop();
            self.revision += 1;
            return true;
        }
        false
    }

    pub fn clear(&mut self) {
        self.stack.clear();
        self.followed = None;
        self.revision += 1;
    }

    /// Applies a finished load to the newest entry waiting for one.
    pub fn fill(&mut self, view: DetailView) {
        if let Some(entry) = self
            .stack
            .iter_mut()
            .rev()
            .find(|e| matches!(e.view, DetailView::Loading))
        {
            entry.view = view;
            self.revision += 1;
        }
    }

    /// The supply chain read for `digest` goes to the entries showing it.
    pub fn fill_supply(&mut self, digest: &Digest, supply: Arc<crate::ops::supply::SupplySummary>) {
        for entry in self.stack.iter_mut().filter(|e| e.digest == *digest) {
            entry.supply = Some(supply.clone());
        }
        self.revision += 1;
    }

    /// Index views move a cursor over platforms; everything else scrolls.
    pub fn move_cursor(&mut self, movement: Move, height: usize) {
        let Some(extent) = self.extent() else {
            return;
        };
        let Some(entry) = self.stack.last_mut() else {
            return;
        };
        match extent {
            Extent::Platforms(len) => {
                entry.cursor.apply(movement, len);
                entry.cursor.keep_in_view(height, len);
            }
            Extent::Layers {
                layers,
                referrers,
                referrers_at,
                lines,
            } => {
                entry.cursor.apply(movement, layers + referrers);
                let selected = entry.cursor.selected();
                let line = match selected.checked_sub(layers) {
                    Some(r) => referrers_at + r,
                    None => HEADER_LINES + selected,
                };
                match movement {
                    // The end shows what is below the layers (config, referrers).
                    Move::Last if referrers == 0 => entry.cursor.scroll(Move::Last, height, lines),
                    _ => keep_line_in_view(&mut entry.cursor, line, height, lines),
                }
            }
            Extent::Lines(lines) => entry.cursor.scroll(movement, height, lines),
        }
    }

    /// Keeps the top view's cursor inside what it shows.
    pub fn keep_in_view(&mut self, height: usize) {
        let Some(extent) = self.extent() else {
            return;
        };
        let Some(entry) = self.stack.last_mut() else {
            return;
        };
        match extent {
            Extent::Platforms(len) => entry.cursor.keep_in_view(height, len),
            Extent::Layers { lines, .. } | Extent::Lines(lines) => {
                entry.cursor.clamp_scroll(height, lines)
            }
        }
    }

    /// What the top view's cursor moves over (nothing while it loads).
    fn extent(&self) -> Option<Extent> {
        let data = self.top().and_then(DetailEntry::data)?;
        Some(match &data.detail {
            Detail::Index { platforms, .. } if !self.raw => Extent::Platforms(platforms.len()),
            Detail::Image { report, .. } if !self.raw && !report.layers.is_empty() => {
                // The referrers tree follows the image lines, after a blank line and its header.
                let image_lines = self.image().map_or(0, |v| v.line_count());
                Extent::Layers {
                    layers: report.layers.len(),
                    referrers: flatten(&data.referrers).len(),
                    referrers_at: image_lines + 2,
                    lines: self.line_count(),
                }
            }
            _ => Extent::Lines(self.line_count()),
        })
    }

    /// Lines of the top view when it scrolls (raw JSON, image, other).
    fn line_count(&self) -> usize {
        let Some(data) = self.top().and_then(DetailEntry::data) else {
            return 0;
        };
        match (&data.detail, self.raw) {
            (Detail::Image { .. }, false) => {
                let supply = self.top().and_then(|e| e.supply.as_deref());
                self.image().map_or(0, |v| v.line_count())
                    + referrer_rows(&data.referrers)
                    + supply.map_or(0, supply_rows)
            }
            _ => data.raw_lines.len(),
        }
    }

    pub fn image(&self) -> Option<&Arc<ImageView>> {
        self.image.as_ref().map(|(_, view)| view)
    }

    /// Rebuilds the top entry's image view when it or the usage figures changed.
    pub fn prepare_image(&mut self, usage_revision: u64, object_tags: &HashMap<Digest, usize>) {
        let Some(data) = self.top().and_then(DetailEntry::data) else {
            self.image = None;
            return;
        };
        let key = (self.revision, usage_revision);
        if self.image.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        self.image = ImageView::build(&data.detail, object_tags).map(|v| (key, Arc::new(v)));
    }
}

/// Every referrer at any depth, in the order the tree shows them.
pub fn flatten(
    referrers: &[crate::ops::referrers::Referrer],
) -> Vec<&crate::ops::referrers::Referrer> {
    let mut out = Vec::new();
    for r in referrers {
        out.push(r);
        out.extend(flatten(&r.referrers));
    }
    out
}

/// Rows the referrers section takes: a blank line and its header, then one
/// per referrer at any depth (nothing when there are none).
/// Lines the supply-chain section takes (`ui::detail` draws them).
pub fn supply_rows(supply: &crate::ops::supply::SupplySummary) -> usize {
    if supply.is_empty() {
        return 0;
    }
    let signatures = usize::from(!supply.signatures.is_empty());
    2 + supply.sboms.len() + supply.provenance.len() + signatures.max(1)
}

pub fn referrer_rows(referrers: &[crate::ops::referrers::Referrer]) -> usize {
    fn count(r: &[crate::ops::referrers::Referrer]) -> usize {
        r.iter().map(|x| 1 + count(&x.referrers)).sum()
    }
    match count(referrers) {
        0 => 0,
        n => n + 2,
    }
}

/// An index view's platforms take a cursor, so do an image view's layers
/// (the view scrolls with it); every other view scrolls its lines.
enum Extent {
    Platforms(usize),
    Layers {
        layers: usize,
        referrers: usize,
        referrers_at: usize,
        lines: usize,
    },
    Lines(usize),
}

/// Scrolls so line `line` of `lines` shows in a window of `height`.
fn keep_line_in_view(cursor: &mut Cursor, line: usize, height: usize, lines: usize) {
    let height = height.max(1);
    let offset = cursor.offset();
    let target = if line < offset {
        line.saturating_sub(HEADER_LINES)
    } else if line >= offset + height {
        line + 1 - height
    } else {
        offset
    };
    cursor.scroll_to(target.min(lines.saturating_sub(height)));
}
