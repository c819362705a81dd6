//! Pure domain logic: no IO, no terminal.

pub mod attached;
pub mod brakes;
pub mod changes;
pub mod command_line;
pub mod filetree;
pub mod image_diff;
pub mod intoto;
pub mod package_query;
pub mod protect;
pub mod provenance;
pub mod registry_usage;
pub mod report;
pub mod retention;
pub mod sbom;
pub mod signature;
pub mod tag_order;
pub mod unreadable;
pub mod usage;
