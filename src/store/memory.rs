//! The memory half of the store: one cell per digest, filled once (concurrent
//! askers wait for the same fetch), bounded in entries (oldest go first) so a
//! 100,000-tag repository cannot fill memory.

use crate::oci::digest::Digest;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::OnceCell;

pub type Cell<T> = Arc<OnceCell<Arc<T>>>;

struct Entries<T> {
    cells: HashMap<Digest, Cell<T>>,
    oldest_first: VecDeque<Digest>,
}

pub struct Cells<T> {
    map: Mutex<Entries<T>>,
    capacity: usize,
}

impl<T> Cells<T> {
    pub fn new(capacity: usize) -> Cells<T> {
        Cells {
            map: Mutex::new(Entries {
                cells: HashMap::new(),
                oldest_first: VecDeque::new(),
            }),
            capacity: capacity.max(1),
        }
    }

    /// The cell for `digest`, created (and the oldest evicted) when missing.
    pub fn cell(&self, digest: &Digest) -> Cell<T> {
        // A panic while holding the lock leaves the map consistent (no partial edits).
        let mut guard = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let Entries {
            cells: map,
            oldest_first: order,
        } = &mut *guard;
        if let Some(cell) = map.get(digest) {
            return cell.clone();
        }
        if map.len() >= self.capacity
            && let Some(oldest) = order.pop_front()
        {
            map.remove(&oldest);
        }
        let cell = Arc::new(OnceCell::new());
        map.insert(digest.clone(), cell.clone());
        order.push_back(digest.clone());
        cell
    }

    pub fn ready(&self) -> usize {
        let guard = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        guard.cells.values().filter(|c| c.initialized()).count()
    }
}
