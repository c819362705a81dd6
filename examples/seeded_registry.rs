//! Starts a real registry with the test fixtures and keeps it running, for trying
//! regscope by hand: `cargo run --example seeded_registry [--bulk]`, then
//! `regscope <printed host>`. Stop it with Ctrl-C.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let bulk = std::env::args().any(|a| a == "--bulk");
    let seeded = common::fixtures::seed(bulk);
    println!("{}", seeded.registry.host);
    loop {
        std::thread::park();
    }
}
