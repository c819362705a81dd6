//! Ctrl-C during work that must not stop half-way (a batch of deletions): the
//! first Ctrl-C asks it to stop after the step in flight; a second one, or one
//! outside such work, ends the process at once.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static GRACEFUL: AtomicUsize = AtomicUsize::new(0);
static STOP: AtomicBool = AtomicBool::new(false);

/// Held while a step-by-step batch runs.
pub struct Graceful(());

impl Graceful {
    pub fn enter() -> Graceful {
        GRACEFUL.fetch_add(1, Ordering::SeqCst);
        Graceful(())
    }
}

impl Drop for Graceful {
    fn drop(&mut self) {
        GRACEFUL.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Called on Ctrl-C: true when a batch will stop on its own (the process
/// should keep waiting for it), false when the process should end now.
pub fn ask_to_stop() -> bool {
    if GRACEFUL.load(Ordering::SeqCst) == 0 {
        return false;
    }
    !STOP.swap(true, Ordering::SeqCst)
}

pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
