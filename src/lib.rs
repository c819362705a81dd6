//! regscope: browse, size and clean up container registries.
//!
//! Layers, each importing only those below it (checked by `tests/module_graph.rs`):
//! `oci` (pure data) ← `registry`, `layout` (the two backends) ← `source` (one enum
//! over them) ← `store` (the content-addressed cache) ← `ops` (the use-cases, with
//! the pure maths of `model`) ← `cli`, `tui` (the two front ends). `config`,
//! `logging` and `private` (files only the user may read) sit beside `oci` at
//! the bottom.

pub mod cli;
pub mod config;
pub mod layout;
pub mod logging;
pub mod model;
pub mod oci;
pub mod ops;
pub mod private;
pub mod registry;
pub mod source;
pub mod store;
pub mod tui;
