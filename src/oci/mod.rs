//! Pure data of the OCI specs, no IO: digests, references, manifests and
//! configs, listings, the error vocabulary, and the terminal sanitiser.

pub mod digest;
pub mod error;
pub mod image_config;
pub mod layer;
pub mod listing;
pub mod manifest;
pub mod reference;
pub mod text;

pub use digest::Digest;
pub use error::{Error, Result};
pub use reference::{ImageRef, RepositoryRef};
