//! The memory half of the store: one cell per digest, filled once (concurrent
//! askers wait for the same fetch), bounded in entries and in bytes (oldest go
//! first) so a 100,000-tag repository cannot fill memory.

use crate::oci::digest::Digest;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::OnceCell;

pub type Cell<T> = Arc<OnceCell<Arc<T>>>;

struct Entries<T> {
    cells: HashMap<Digest, Cell<T>>,
    oldest_first: VecDeque<Digest>,
    /// Bytes of each filled entry, and their sum.
    sizes: HashMap<Digest, usize>,
    bytes: usize,
}

impl<T> Entries<T> {
    fn evict_oldest(&mut self) -> bool {
        let Some(oldest) = self.oldest_first.pop_front() else {
            return false;
        };
        self.cells.remove(&oldest);
        if let Some(size) = self.sizes.remove(&oldest) {
            self.bytes = self.bytes.saturating_sub(size);
        }
        true
    }
}

pub struct Cells<T> {
    map: Mutex<Entries<T>>,
    capacity: usize,
    max_bytes: usize,
}

impl<T> Cells<T> {
    pub fn new(capacity: usize, max_bytes: usize) -> Cells<T> {
        Cells {
            map: Mutex::new(Entries {
                cells: HashMap::new(),
                oldest_first: VecDeque::new(),
                sizes: HashMap::new(),
                bytes: 0,
            }),
            capacity: capacity.max(1),
            max_bytes,
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries<T>> {
        // A panic while holding the lock leaves the map consistent (no partial edits).
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cell for `digest`, created (and the oldest evicted) when missing.
    pub fn cell(&self, digest: &Digest) -> Cell<T> {
        let mut entries = self.entries();
        if let Some(cell) = entries.cells.get(digest) {
            return cell.clone();
        }
        if entries.cells.len() >= self.capacity {
            entries.evict_oldest();
        }
        let cell = Arc::new(OnceCell::new());
        entries.cells.insert(digest.clone(), cell.clone());
        entries.oldest_first.push_back(digest.clone());
        cell
    }

    /// Records that `digest` holds `bytes`, evicting the oldest entries while
    /// the total is over the budget (the newest entry always stays).
    pub fn account(&self, digest: &Digest, bytes: usize) {
        let mut entries = self.entries();
        if !entries.cells.contains_key(digest) || entries.sizes.contains_key(digest) {
            return;
        }
        entries.sizes.insert(digest.clone(), bytes);
        entries.bytes = entries.bytes.saturating_add(bytes);
        while entries.bytes > self.max_bytes
            && entries.oldest_first.front().is_some_and(|d| d != digest)
            && entries.evict_oldest()
        {}
    }

    pub fn ready(&self) -> usize {
        self.entries()
            .cells
            .values()
            .filter(|c| c.initialized())
            .count()
    }

    pub fn bytes(&self) -> usize {
        self.entries().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_in_bytes_oldest_first() {
        let cells: Cells<u8> = Cells::new(100, 10);
        let d = |n: u8| Digest::sha256_of(&[n]);
        for n in 0..3 {
            cells.cell(&d(n));
            cells.account(&d(n), 4);
        }
        assert_eq!(cells.bytes(), 8, "the first entry went");
        assert!(!cells.entries().cells.contains_key(&d(0)));
        cells.cell(&d(9));
        cells.account(&d(9), 50);
        assert_eq!(cells.bytes(), 50, "an entry over the budget alone stays");
        assert_eq!(cells.entries().cells.len(), 1);
    }
}
