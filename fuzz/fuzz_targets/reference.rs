//! Image references, repositories, registries and digests as users and registries write them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = regscope::oci::reference::ImageRef::parse(text);
    let _ = regscope::oci::reference::RepositoryRef::parse(text);
    let _ = regscope::oci::reference::parse_registry(text);
    let _ = text.parse::<regscope::oci::digest::Digest>();
});
