//! The terminal sanitiser: nothing unsafe ever comes out.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regscope::oci::text::{escape_json_for_terminal, is_unsafe_for_terminal, sanitize};

fuzz_target!(|text: &str| {
    assert!(!sanitize(text).chars().any(is_unsafe_for_terminal));
    let json = serde_json::to_string(text).unwrap_or_default();
    assert!(!escape_json_for_terminal(&json).chars().any(is_unsafe_for_terminal));
});
