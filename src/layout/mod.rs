//! Backend 2: OCI image layout directories (a layout, or a directory of them):
//! reading, writing index entries and blobs, pruning, restoring, and the bundled demo.

pub mod demo;
mod restore;
pub use restore::{BLOBS_GONE, Restorable};
mod store;
mod write;

pub use store::{LayoutIndex, LayoutStore, REF_NAME, tag_of};
