//! `WWW-Authenticate` challenges.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = regscope::registry::auth::Challenge::parse(text);
});
