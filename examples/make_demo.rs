//! Writes the bundled demo (`assets/demo`) from fixed content:
//! `cargo run --example make_demo`. The output is the same every time.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let _ = std::fs::remove_dir_all(&dir);
    common::demo::write_demo(&dir);
    println!("wrote {}", dir.display());
}
