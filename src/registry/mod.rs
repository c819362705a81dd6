//! Backend 1: a thin client for the OCI distribution API (auth, transport,
//! pagination, error answers). No terminal dependencies.

pub mod auth;
pub mod client;
pub mod error;
pub mod link;
pub mod paginate;
pub mod tls;
pub mod transport;
pub mod upload;

pub use client::{ManifestHead, RegistryClient};
