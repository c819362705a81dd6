//! Layer contents without unpacking: what a layer's tar holds (read header by
//! header as the bytes go by), which formats carry a file system, and the
//! tables of contents of seekable layers (eStargz, zstd:chunked).

pub mod entry;
pub mod format;
pub mod pax;
pub mod tar_stream;
pub mod toc;

pub use entry::{EntryKind, FileEntry, LayerIndex};
