//! The detail pane's supply-chain section and the package screen, from an
//! SPDX document made by pyspdxtools and a provenance in a DSSE envelope,
//! attached as cosign tags on a real registry.

use super::*;
use common::fixtures::{Blob, Fixtures, OCI_LAYER, Pusher, Style, image, layer};
use common::supply::{DSSE, artifact, dsse, empty_config, spdx_sbom, statement};
use serde_json::{Value, json};

fn seed() -> (TestRegistry, tempfile::TempDir) {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let dir = tempfile::tempdir().unwrap();
    let spdx = spdx_sbom(
        dir.path(),
        &[("openssl", "3.0.2"), ("zlib", "1.2.13"), ("musl", "1.2.4")],
    );
    let base = registry.url();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let img = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(601, 3_000, OCI_LAYER)],
            &["COPY app /app"],
        );
        pusher
            .image("app", &img, &["1.0"], &mut Fixtures::default())
            .await;
        let tag = |suffix: &str| format!("{}.{suffix}", img.manifest.digest.replace(':', "-"));
        let sbom = Blob::new(spdx, "text/spdx+json");
        let manifest = artifact(None, &[(&sbom, Value::Null)], None);
        push(&pusher, &manifest, &[&sbom], &tag("sbom")).await;
        let predicate = json!({
            "builder": {"id": "https://ci.example/runner"},
            "buildType": "https://mobyproject.org/buildkit@v1",
            "invocation": {"configSource": {"uri": "https://git.example/app.git", "digest": {"sha1": "9f2c1e0d4b"}}},
            "metadata": {"buildStartedOn": "2026-11-30T08:00:00Z", "buildFinishedOn": "2026-11-30T08:03:00Z"},
        });
        let st = statement(
            &img.manifest.digest,
            "https://slsa.dev/provenance/v0.2",
            predicate,
        );
        let envelope = Blob::new(dsse(&st), DSSE);
        let att = artifact(None, &[(&envelope, Value::Null)], None);
        push(&pusher, &att, &[&envelope], &tag("att")).await;
    });
    (registry, storage)
}

async fn push(pusher: &Pusher, manifest: &Blob, layers: &[&Blob], tag: &str) {
    pusher.blob("app", &empty_config()).await;
    for l in layers {
        pusher.blob("app", l).await;
    }
    pusher.manifest("app", tag, manifest).await;
}

#[test]
fn the_supply_chain_section_and_the_package_screen() {
    let (registry, _storage) = seed();
    let host = registry.host.clone();
    common::block_on_thread(async move {
        let start = Start::Image {
            repository: "app".into(),
            tag: Some("1.0".into()),
            digest: None,
        };
        let mut session = Session::open_at(&host, start, 120, 30).await;
        session.keys("G").await;
        let detail = session.render();
        assert!(detail.contains("SUPPLY CHAIN"), "{detail}");
        assert!(
            detail.contains("SBOM spdx SPDX-2.3 · 3 packages · Apache-2.0 ×3"),
            "{detail}"
        );
        assert!(
            detail.contains("PROVENANCE SLSA v0.2 · https://ci.example/runner"),
            "{detail}"
        );
        snap!("supply_detail_120x30", detail);
        session.keys("gjj\n").await;
        let packages = session.render();
        assert!(packages.contains("3 of 3 packages"), "{packages}");
        snap!("supply_packages_120x30", packages);
        session.keys("/zl").await;
        let filtered = session.render();
        assert!(
            filtered.contains("1 of 3 packages /zl") && filtered.contains("zlib"),
            "{filtered}"
        );
        assert!(!filtered.contains("openssl"), "{filtered}");
        session.keys("\n\x1bgj\n").await;
        let statement = session.render();
        assert!(statement.contains("provenance statement"), "{statement}");
        assert!(
            statement.contains("\"predicateType\": \"https://slsa.dev/provenance/v0.2\""),
            "{statement}"
        );
    });
}

/// `keys:good` signed with the configured key, `keys:bad` with another,
/// `keys:none` not at all.
fn seed_signed(dir: &std::path::Path) -> (TestRegistry, tempfile::TempDir, std::path::PathBuf) {
    use common::supply::{key, payload, sign};
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let (ours, theirs) = (key(dir, "p256"), key(dir, "ed25519"));
    let public = ours.public.clone();
    let base = registry.url();
    let dir = dir.to_path_buf();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        for (n, tag) in ["good", "bad", "none"].into_iter().enumerate() {
            let img = image(
                Style::Oci,
                "linux/amd64",
                vec![layer(700 + n as u64, 900, OCI_LAYER)],
                &[tag],
            );
            pusher
                .image("keys", &img, &[tag], &mut Fixtures::default())
                .await;
            let signer = match tag {
                "good" => &ours,
                "bad" => &theirs,
                _ => continue,
            };
            let body = payload(&img.manifest.digest, "keys");
            let note = json!({"dev.cosignproject.cosign/signature": sign(&dir, signer, &body)});
            let blob = Blob::new(body, common::fixtures::SIMPLESIGNING);
            let manifest = artifact(None, &[(&blob, note)], None);
            let sig_tag = format!("{}.sig", img.manifest.digest.replace(':', "-"));
            pusher.blob("keys", &empty_config()).await;
            pusher.blob("keys", &blob).await;
            pusher.manifest("keys", &sig_tag, &manifest).await;
        }
    });
    (registry, storage, public)
}

#[test]
fn the_signed_column_checks_each_image_against_the_repository_s_key() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, _storage, public) = seed_signed(dir.path());
    let host = registry.host.clone();
    common::block_on_thread(async move {
        let pem = std::fs::read(&public).unwrap();
        let key = regscope::model::signature::PublicKey::from_pem(&pem).unwrap();
        let mut settings = Settings::with_keymap(Arc::new(Keymap::default_keys()));
        settings.verify_keys = Arc::new(vec![regscope::tui::settings::VerifyKey {
            repos: globset::Glob::new("registry.test:5000/keys")
                .unwrap()
                .compile_matcher(),
            key: Arc::new(key),
        }]);
        let client =
            RegistryClient::connect(&host, TransportOptions::default(), Credentials::Anonymous)
                .await
                .unwrap();
        let source = CachedSource::in_memory(Source::Registry(Arc::new(client)));
        let start = Start::Repository("keys".into());
        let mut session = Session::with_settings(source, start, (120, 16), settings).await;
        let screen = session.render();
        let row = |tag: &str| {
            screen
                .lines()
                .find(|l| l.contains(&format!("│{tag} ")))
                .unwrap_or("")
                .to_string()
        };
        assert!(
            row("good").contains("verified") && !row("good").contains("UNVERIFIED"),
            "{screen}"
        );
        assert!(row("bad").contains("UNVERIFIED"), "{screen}");
        assert!(row("none").contains("unsigned"), "{screen}");
        assert!(
            !screen.contains("unsigned       220 B"),
            "a signature is not an image to sign: {screen}"
        );
        // Without the signature rows (their sizes vary with the signatures').
        session.keys("i").await;
        snap!("signed_column_120x16", session.render());
    });
}
