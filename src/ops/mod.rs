//! The use-cases, one file each, over a `CachedSource`: what the CLI commands
//! and the browser's background tasks call.

pub mod changes;
pub mod check;
pub mod collector;
pub mod compare;
pub mod copy;
pub mod delete;
pub mod detail;
pub mod files;
pub mod image;
pub mod inspect;
pub mod pause;
pub mod plan_file;
pub mod protect;
pub mod prune;
pub mod referrers;
pub mod restore;
pub mod storage_dir;
pub mod summary;
pub mod supply;
pub mod usage;
