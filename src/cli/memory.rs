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
