//! Wasted space and the efficiency score, computed as dive computes them:
//! every layer's own leaf entries add their size to their path (a whiteout of
//! a directory adds what it deleted, a whiteout of a file adds 0); a path
//! that two or more layers touched wastes all of its cumulative size (the
//! surviving copy included); the score is the sum of each path's smallest
//! size over the sum of all sizes (1 when there are none). Opaque markers do
//! not count, as in dive.

/// One path more than one layer wrote (or deleted).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WastedPath {
    pub path: Box<[u8]>,
    /// Cumulative size over every layer that touched it.
    pub bytes: u64,
    pub layers: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Wasted {
    pub bytes: u64,
    pub efficiency: f64,
    /// Largest first.
    pub paths: Vec<WastedPath>,
}

struct PathTally {
    cumulative: u64,
    minimum: u64,
    touches: u32,
}

/// Paths borrowed from the layers' entries: no copy per path. The first
/// layer (usually the largest) is kept as a sorted list, not hashed: a path
/// moves into the table only when a later layer touches it too.
#[derive(Default)]
pub struct WasteCounter<'a> {
    base: Vec<(&'a [u8], u64)>,
    /// The sizes of the base paths no later layer touched (their minimum is
    /// their size).
    base_total: u64,
    tally: hashbrown::HashMap<&'a [u8], PathTally>,
}

impl<'a> WasteCounter<'a> {
    /// The first layer's leaf touches, in path order (the last of equal paths counts).
    pub fn with_base(mut base: Vec<(&'a [u8], u64)>) -> WasteCounter<'a> {
        base.reverse();
        base.dedup_by(|a, b| a.0 == b.0);
        base.reverse();
        let base_total = base.iter().fold(0u64, |s, (_, n)| s.saturating_add(*n));
        WasteCounter {
            base,
            base_total,
            tally: hashbrown::HashMap::new(),
        }
    }

    /// A leaf entry of a later layer at `path`, adding `size`.
    pub fn add(&mut self, path: &'a [u8], size: u64) {
        if let Some(t) = self.tally.get_mut(path) {
            t.cumulative = t.cumulative.saturating_add(size);
            t.minimum = t.minimum.min(size);
            t.touches = t.touches.saturating_add(1);
            return;
        }
        let mut tally = PathTally {
            cumulative: size,
            minimum: size,
            touches: 1,
        };
        if let Ok(i) = self.base.binary_search_by(|(p, _)| (*p).cmp(path)) {
            let first = self.base[i].1;
            self.base_total = self.base_total.saturating_sub(first);
            tally.cumulative = tally.cumulative.saturating_add(first);
            tally.minimum = tally.minimum.min(first);
            tally.touches = 2;
        }
        self.tally.insert(path, tally);
    }

    /// The totals, with each wasted path's `layers` left empty (the caller
    /// fills them in one pass: keeping them for every path costs memory).
    pub fn finish(self) -> Wasted {
        let (mut minimum, mut discovered) = (self.base_total, self.base_total);
        let mut paths = Vec::new();
        for (path, t) in self.tally {
            minimum = minimum.saturating_add(t.minimum);
            discovered = discovered.saturating_add(t.cumulative);
            if t.touches >= 2 {
                paths.push(WastedPath {
                    path: path.into(),
                    bytes: t.cumulative,
                    layers: Vec::new(),
                });
            }
        }
        paths.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
        let bytes = paths.iter().fold(0u64, |s, p| s.saturating_add(p.bytes));
        #[allow(clippy::cast_precision_loss)] // a ratio: 52 bits of precision are plenty
        let efficiency = match discovered {
            0 => 1.0,
            d => minimum as f64 / d as f64,
        };
        Wasted {
            bytes,
            efficiency,
            paths,
        }
    }
}
