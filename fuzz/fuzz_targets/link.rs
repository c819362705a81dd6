//! `Link` pagination headers.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = regscope::registry::link::next_link(text.split('\n'));
});
