//! Wasted space and the efficiency score, computed as dive computes them:
//! every layer's own leaf entries add their size to their path (a whiteout of
//! a directory adds what it deleted, a whiteout of a file adds 0); a path
//! that two or more layers touched wastes all of its cumulative size (the
//! surviving copy included); the score is the sum of each path's smallest
//! size over the sum of all sizes (1 when there are none). Opaque markers do
//! not count, as in dive.

/// One path more than one layer wrote (or deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WastedPath {
    pub path: Box<[u8]>,
    /// Cumulative size over every layer that touched it.
    pub bytes: u64,
    pub layers: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Wasted {
    pub bytes: u64,
    pub efficiency: f64,
    /// Largest first.
    pub paths: Vec<WastedPath>,
}

#[derive(Default)]
struct PathTally {
    cumulative: u64,
    minimum: u64,
    layers: Vec<usize>,
}

#[derive(Default)]
pub struct WasteCounter {
    tally: hashbrown::HashMap<Box<[u8]>, PathTally>,
}

impl WasteCounter {
    /// A leaf entry of layer `layer` at `path`, adding `size`.
    pub fn add(&mut self, path: &[u8], layer: usize, size: u64) {
        match self.tally.get_mut(path) {
            Some(t) => {
                t.cumulative = t.cumulative.saturating_add(size);
                t.minimum = t.minimum.min(size);
                t.layers.push(layer);
            }
            None => {
                let tally = PathTally {
                    cumulative: size,
                    minimum: size,
                    layers: vec![layer],
                };
                self.tally.insert(path.into(), tally);
            }
        }
    }

    pub fn finish(self) -> Wasted {
        let (mut minimum, mut discovered) = (0u64, 0u64);
        let mut paths = Vec::new();
        for (path, t) in self.tally {
            minimum = minimum.saturating_add(t.minimum);
            discovered = discovered.saturating_add(t.cumulative);
            if t.layers.len() >= 2 {
                paths.push(WastedPath {
                    path,
                    bytes: t.cumulative,
                    layers: t.layers,
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
