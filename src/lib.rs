//! regscope: browse, size and clean up container registries.
//!
//! The domain (`registry`, `source`, `model`) has no terminal dependency; `cli` is
//! one front end over it.

pub mod cache;
pub mod cli;
pub mod config;
pub mod demo;
pub mod disk_cache;
pub mod logging;
pub mod model;
pub mod registry;
pub mod source;
pub mod trash;
pub mod tui;
