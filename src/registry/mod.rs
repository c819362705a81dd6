//! A thin client for the OCI distribution API. No terminal dependencies.

pub mod auth;
pub mod client;
pub mod digest;
pub mod error;
pub mod image_config;
pub mod link;
pub mod manifest;
pub mod paginate;
pub mod reference;
pub mod transport;

pub use client::{ManifestHead, RegistryClient};
pub use digest::Digest;
pub use error::{RegistryError, Result};
pub use reference::{ImageRef, RepositoryRef};
