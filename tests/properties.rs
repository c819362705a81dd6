//! Property tests over every parser of outside input, with a fixed case budget
//! so CI time is bounded: none panics or hangs, and the sanitiser's output
//! never holds a character unsafe for a terminal. (The fuzz targets in `fuzz/`
//! run the same entry points without a budget.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use proptest::prelude::*;
use regscope::oci::digest::Digest;
use regscope::oci::image_config::ImageConfig;
use regscope::oci::manifest::Manifest;
use regscope::oci::reference::{ImageRef, RepositoryRef, parse_registry};
use regscope::oci::text::{
    escape_json_for_terminal, is_unsafe_for_terminal, sanitize, sanitize_line,
};
use regscope::registry::auth::Challenge;
use regscope::registry::link::next_link;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that looks like what registries send, hostile parts included.
fn registry_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9./:@_-]{0,80}",
        "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{200e}\\u{202e}\\u{2066}a-z\\[\\];]{0,40}",
    ]
}

/// JSON documents shaped like manifests, with arbitrary values where it hurts.
fn manifest_json() -> impl Strategy<Value = String> {
    let size = prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("1e30".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\"12\"".to_string()),
    ];
    let descriptor = (registry_text(), registry_text(), size)
        .prop_map(|(media, digest, size)| {
            serde_json::json!({"mediaType": media, "digest": digest, "size": 0})
                .to_string()
                .replace("\"size\":0", &format!("\"size\":{size}"))
        })
        .boxed();
    (
        proptest::collection::vec(descriptor.clone(), 0..4),
        proptest::collection::vec(descriptor, 0..4),
        registry_text(),
    )
        .prop_map(|(layers, manifests, media)| {
            format!(
                r#"{{"schemaVersion":2,"mediaType":{},"layers":[{}],"manifests":[{}]}}"#,
                serde_json::to_string(&media).unwrap(),
                layers.join(","),
                manifests.join(",")
            )
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn references_never_panic(text in registry_text()) {
        let _ = ImageRef::parse(&text);
        let _ = RepositoryRef::parse(&text);
        let _ = parse_registry(&text);
        let _ = text.parse::<Digest>();
    }

    #[test]
    fn manifests_and_configs_never_panic(raw in prop_oneof![
        manifest_json(),
        any::<String>(),
    ]) {
        let digest = Digest::sha256_of(raw.as_bytes());
        let _ = Manifest::decode(digest, Some("application/json"), bytes::Bytes::from(raw.clone()));
        let _ = ImageConfig::parse(raw.as_bytes());
    }

    #[test]
    fn decoded_sizes_are_within_the_spec(raw in manifest_json()) {
        let digest = Digest::sha256_of(raw.as_bytes());
        if let Ok(m) = Manifest::decode(digest, None, bytes::Bytes::from(raw)) {
            for d in m.doc.layers.iter().chain(&m.doc.manifests) {
                prop_assert!(d.size <= i64::MAX.unsigned_abs());
            }
        }
    }

    #[test]
    fn auth_challenges_and_links_never_panic(text in registry_text()) {
        let _ = Challenge::parse(&text);
        let _ = Challenge::parse(&format!("Bearer {text}"));
        let _ = next_link([text.as_str()]);
        let _ = next_link([format!("<{text}>; rel=\"next\"").as_str()]);
    }

    #[test]
    fn the_sanitiser_leaves_nothing_unsafe(text in registry_text(), max in 0usize..50) {
        let clean = sanitize(&text);
        prop_assert!(!clean.chars().any(is_unsafe_for_terminal), "{clean:?}");
        let line = sanitize_line(&text, max);
        prop_assert!(line.chars().count() <= max.max(1));
        prop_assert!(!line.chars().any(is_unsafe_for_terminal));
    }

    #[test]
    fn terminal_safe_json_is_the_same_json(text in registry_text()) {
        let json = serde_json::to_string(&serde_json::json!({"v": text})).unwrap();
        let safe = escape_json_for_terminal(&json);
        prop_assert!(!safe.chars().any(is_unsafe_for_terminal), "{safe:?}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        prop_assert_eq!(back["v"].as_str().unwrap(), text.as_str());
    }
}
