//! Handing freed heap back to the system between the phases of a large
//! listing: glibc keeps freed small blocks for reuse, so without this a tree
//! built after its source was freed would count both in the peak.

pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Heaps grow in steps of 4 MiB instead of a page at a time: reading a
/// stored view of 200,000 files was nearly a thousand `mprotect` calls.
pub fn grow_heaps_in_large_steps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable; it has no preconditions.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 4 << 20);
    }
}
