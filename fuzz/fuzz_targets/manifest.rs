//! Manifests, indexes and image configs: any bytes a registry may send.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &[u8]| {
    let digest = regscope::oci::digest::Digest::sha256_of(raw);
    let body = bytes::Bytes::copy_from_slice(raw);
    if let Ok(m) = regscope::oci::manifest::Manifest::decode(digest, None, body) {
        let _ = m.doc.layer_bytes();
    }
    let _ = regscope::oci::image_config::ImageConfig::parse(raw);
});
