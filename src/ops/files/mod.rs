//! The files inside an image's layers, read from the registry without pulling.

pub mod image;
pub mod layer;
pub mod merged_view;
pub mod seekable;
pub mod stream;
pub mod view;

pub use layer::{FilesOptions, Listing, layer_index};
