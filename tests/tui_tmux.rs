//! The real binary in a real terminal (tmux) against the real test registry.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::SMALL;
use common::tmux::Tmux;

fn start(target: &str, home: &std::path::Path) -> Tmux {
    start_with(target, home, None)
}

/// `start`, with `REGSCOPE_TEST_FAULT` set to `fault`.
fn start_with(target: &str, home: &std::path::Path, fault: Option<&str>) -> Tmux {
    let extra: Vec<(&str, String)> = fault
        .map(|f| ("REGSCOPE_TEST_FAULT", f.to_string()))
        .into_iter()
        .collect();
    Tmux::regscope(target, home, &extra)
}

#[test]
fn browse_to_a_platform_and_see_its_layers_and_build_steps() {
    let home = tempfile::tempdir().unwrap();
    let tmux = start(&SMALL.registry.host, home.path());
    tmux.wait_for(&["Repositories (5)", "multi-docker"]);
    tmux.keys(&["/", "m", "u", "l", "t", "i", "Enter"]);
    tmux.wait_for(&["Repositories (2/5) /multi"]);
    tmux.keys(&["l"]);
    tmux.wait_for(&["multi (1)", "amd64 arm64/v8"]);
    tmux.keys(&["l"]);
    let index = tmux.wait_for(&["linux/arm64/v8", "attestation"]);
    assert!(index.contains("index sha256:"), "{index}");
    tmux.keys(&["j", "Enter"]);
    let image = tmux.wait_for(&[
        "1.0 linux/arm64/v8",
        "ADD rootfs-arm64.tar /",
        "RUN make install",
    ]);
    assert!(image.contains("5.50 kB"), "{image}");
    assert!(image.contains("86%"), "{image}");
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

#[test]
fn quitting_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let tmux = start(&format!("{}/app", SMALL.registry.host), home.path());
    tmux.wait_for(&["app (3)"]);
    assert!(
        tmux.alternate_screen_on(),
        "the TUI runs on the alternate screen"
    );
    tmux.keys(&["q"]);
    let screen = tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    assert!(!tmux.alternate_screen_on(), "alternate screen left");
    assert!(
        !screen.contains("Repositories"),
        "the UI is gone:\n{screen}"
    );
    let state = home.path().join("state/regscope/regscope.log");
    assert!(state.exists(), "logs go to the state dir, not the screen");
}

#[test]
fn the_terminal_is_restored_on_error_and_on_panic() {
    let home = tempfile::tempdir().unwrap();
    let target = format!("{}/app", SMALL.registry.host);
    for (fault, exit, shown) in [
        (None, 0, "TTY=icanon echo"),
        (
            Some("error"),
            1,
            "injected fault (REGSCOPE_TEST_FAULT=error)",
        ),
        (
            Some("panic"),
            101,
            "injected fault (REGSCOPE_TEST_FAULT=panic)",
        ),
    ] {
        let tmux = start_with(&target, home.path(), fault);
        tmux.wait_for(&["app (3)"]);
        assert!(tmux.alternate_screen_on(), "{fault:?}: the TUI is up");
        assert_eq!(tmux.pane_format("#{mouse_any_flag}"), "1", "mouse captured");
        tmux.keys(&["q"]);
        let screen = tmux.wait_for(&[&format!("REGSCOPE_EXITED={exit}"), "TTY="]);
        assert!(
            !tmux.alternate_screen_on(),
            "{fault:?}: alternate screen left"
        );
        assert_eq!(
            tmux.pane_format("#{mouse_any_flag}"),
            "0",
            "{fault:?}: mouse released"
        );
        assert_eq!(
            tmux.pane_format("#{cursor_flag}"),
            "1",
            "{fault:?}: cursor shown"
        );
        assert!(
            screen.contains("TTY=icanon echo"),
            "{fault:?}: cooked mode:\n{screen}"
        );
        assert!(
            screen.contains(shown),
            "{fault:?}: the reason is left on the screen:\n{screen}"
        );
        assert!(
            !screen.contains("Repositories"),
            "{fault:?}: the UI is gone:\n{screen}"
        );
    }
}

#[test]
fn ctrl_c_quits_from_the_filter_prompt() {
    let home = tempfile::tempdir().unwrap();
    let tmux = start(&SMALL.registry.host, home.path());
    tmux.wait_for(&["Repositories (5)"]);
    tmux.keys(&["/", "a", "C-c"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    assert!(!tmux.alternate_screen_on());
}

#[test]
fn no_target_opens_the_bundled_demo() {
    let home = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_regscope");
    let env = [
        ("HOME", home.path().display().to_string()),
        (
            "XDG_CONFIG_HOME",
            home.path().join("config").display().to_string(),
        ),
        (
            "XDG_CACHE_HOME",
            home.path().join("cache").display().to_string(),
        ),
        (
            "XDG_STATE_HOME",
            home.path().join("state").display().to_string(),
        ),
        ("TERM", "xterm-256color".to_string()),
        // No proxy, no registry: nothing here may need the network.
        ("HTTPS_PROXY", "http://127.0.0.1:9".to_string()),
    ];
    let tmux = Tmux::start(
        &format!("{binary}; echo REGSCOPE_EXITED=$?; sleep 60"),
        120,
        32,
        &env,
    );
    let screen = tmux.wait_for(&[
        "Repositories (4)",
        "shop/frontend",
        "tools/debug",
        "demo content",
    ]);
    assert!(screen.contains("regscope <registry>"), "{screen}");
    tmux.keys(&["j", "j", "Enter"]);
    tmux.wait_for(&["shop/frontend (3)", "1.5.0", "amd64 arm64/v8"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

#[test]
fn deleting_a_tag_with_the_confirmation_keys_removes_it_from_the_registry() {
    let seeded = common::fixtures::seed(false);
    let home = tempfile::tempdir().unwrap();
    let tmux = start(&format!("{}/app", seeded.registry.host), home.path());
    tmux.wait_for(&["app (3)", "1.1"]);
    tmux.keys(&["j", "d"]);
    tmux.wait_for(&["Delete?", "tags   1.1", "y deletes"]);
    tmux.keys(&["y"]);
    tmux.wait_for(&["deleted 1.1", "app (2)"]);
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "app"),
        ["1.0", "latest"]
    );
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

#[test]
fn cancelling_the_dialog_keeps_the_tag() {
    let seeded = common::fixtures::seed(false);
    let home = tempfile::tempdir().unwrap();
    let tmux = start(&format!("{}/app", seeded.registry.host), home.path());
    tmux.wait_for(&["app (3)", "latest"]);
    tmux.keys(&["G", "d"]);
    tmux.wait_for(&["Delete?", "tags   1.0, latest", "type latest"]);
    tmux.keys(&["y", "Enter"]);
    tmux.wait_for(&["that is not it"]);
    tmux.keys(&["Escape"]);
    tmux.wait_for(&["cancelled: nothing deleted"]);
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "app"),
        ["1.0", "1.1", "latest"]
    );
    // A single tag: `y` would confirm, any other key cancels.
    tmux.keys(&["k", "d"]);
    tmux.wait_for(&["tags   1.1", "y deletes"]);
    tmux.keys(&["n"]);
    tmux.wait_for(&["cancelled: nothing deleted"]);
    assert!(!tmux.screen().contains("Delete?"));
    assert_eq!(common::tags_via_cli(&seeded.registry.host, "app").len(), 3);
}

#[test]
fn a_stored_repository_opens_on_its_last_known_rows_offline_or_unreachable() {
    let seeded = common::fixtures::seed(false);
    let home = tempfile::tempdir().unwrap();
    let target = format!("{}/app", seeded.registry.host);
    let du = common::run_json(home.path(), &["du", &target, "--json"]);
    assert_eq!(du["tags"].as_array().map(Vec::len), Some(3), "{du}");
    drop(seeded); // the registry stops: only the store can answer now
    for (command, note) in [
        (format!("--offline {target}"), "not cached"),
        (target.clone(), "cannot reach"),
    ] {
        let tmux = start(&command, home.path());
        let screen = tmux.wait_for(&["as of", "not revalidated", "1.0", "1.1", "latest"]);
        assert!(screen.contains("app (3)"), "{screen}");
        assert!(screen.contains(" kB"), "stored sizes are shown: {screen}");
        assert!(screen.contains(note), "{command}: {screen}");
        tmux.keys(&["q"]);
        tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    }
    let never_stored = target.replace("/app", "/other");
    let tmux = start(&never_stored, home.path());
    tmux.wait_for(&["cannot reach", "REGSCOPE_EXITED=1"]);
}

#[test]
fn the_browser_keeps_its_own_snapshot_of_the_catalog_and_the_rows_it_showed() {
    let seeded = common::fixtures::seed(false);
    let home = tempfile::tempdir().unwrap();
    let host = seeded.registry.host.clone();
    let tmux = start(&host, home.path());
    tmux.wait_for(&["Repositories (5)", "multi-docker"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["app (3)", "1.1", "latest", " kB"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    drop(tmux);
    drop(seeded); // the registry stops: what follows is the browser's own snapshot

    let tmux = start(&host, home.path());
    let screen = tmux.wait_for(&["Repositories (5) stored", "multi-docker"]);
    assert!(screen.contains("cannot reach"), "{screen}");
    tmux.keys(&["Enter"]);
    let rows = tmux.wait_for(&["app (3)", "as of", "1.0", "1.1", "latest"]);
    assert!(rows.contains(" kB"), "sizes of the rows it showed: {rows}");
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);

    let tags = common::regscope(home.path())
        .args(["tags", &format!("{host}/app"), "--offline", "--json"])
        .output()
        .unwrap();
    let doc = common::success_json(&tags);
    assert_eq!(doc["tags"], serde_json::json!(["1.0", "1.1", "latest"]));
}

#[test]
fn the_planner_deletes_what_its_rules_say_after_the_repository_name_is_typed() {
    let seeded = common::fixtures::seed(false);
    let home = tempfile::tempdir().unwrap();
    let tmux = start(&format!("{}/app", seeded.registry.host), home.path());
    tmux.wait_for(&["app (3)", "latest"]);
    tmux.keys(&["P"]);
    tmux.wait_for(&["Plan app", "keep newest", "plan: 0 tags"]);
    tmux.keys(&["BSpace", "BSpace", "1"]);
    let screen = tmux.wait_for(&["DELETE", "plan: 2 tags, 1 images"]);
    assert!(screen.contains("keep   among the 1 newest"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Delete?", "type app"]);
    tmux.keys(&["a", "p", "p", "Enter"]);
    tmux.wait_for(&["deleted", "app (1)"]);
    assert_eq!(common::tags_via_cli(&seeded.registry.host, "app"), ["1.1"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

#[test]
fn enter_on_a_layer_opens_its_files_and_m_shows_the_merged_image() {
    use common::fixtures::{Blob, Fixtures, Pusher, Style, image};
    use common::layers::{Tar, gzip};
    use common::registry::{RegistryConfig, TestRegistry};
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    common::block_on_thread(async move {
        let gz = "application/vnd.oci.image.layer.v1.tar+gzip";
        let bottom = Tar::default()
            .file(b"etc/passwd", 300)
            .file(b"usr/bin/tool", 4000)
            .file(b"tmp/cache", 700);
        let top = Tar::default()
            .file(b"etc/passwd", 320)
            .file(b"tmp/.wh.cache", 0);
        let layers = vec![
            Blob::new(gzip(&bottom.finish()), gz),
            Blob::new(gzip(&top.finish()), gz),
        ];
        let img = image(
            Style::Oci,
            "linux/amd64",
            layers,
            &["ADD rootfs /", "RUN adduser app"],
        );
        Pusher::new(&base)
            .image("app", &img, &["1.0"], &mut Fixtures::default())
            .await;
    });
    let home = tempfile::tempdir().unwrap();
    let tmux = start(&format!("{}/app", registry.host), home.path());
    tmux.wait_for(&["app (1)", "1.0"]);
    tmux.keys(&["l"]);
    tmux.wait_for(&["RUN adduser app"]);
    tmux.keys(&["j", "Enter"]);
    tmux.wait_for(&["layer 2 of 2: its own changes", "etc/", "tmp/"]);
    tmux.keys(&["l"]);
    let layer = tmux.wait_for(&["passwd"]);
    assert!(layer.contains("~     passwd"), "modified: {layer}");
    tmux.keys(&["m"]);
    let merged = tmux.wait_for(&["merged image", "wasted 1.32 kB", "usr/"]);
    assert!(merged.contains("efficiency"), "{merged}");
    tmux.keys(&["q"]);
    tmux.wait_for(&["RUN adduser app"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

/// Someone with push rights tags `prod`'s manifest as the cosign signature of
/// `pr-123`: deleting pr-123 in the browser leaves prod, and says why.
#[test]
fn a_signature_tag_on_another_image_does_not_take_it_along_in_the_browser() {
    use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image, layer};
    let storage = tempfile::tempdir().unwrap();
    let registry = common::registry::TestRegistry::start(
        common::registry::RegistryConfig::anonymous(storage.path()),
    );
    let base = registry.url();
    let prod = image(
        Style::Oci,
        "linux/amd64",
        vec![layer(1, 900, OCI_LAYER)],
        &["a"],
    );
    let pr = image(
        Style::Oci,
        "linux/amd64",
        vec![layer(2, 900, OCI_LAYER)],
        &["b"],
    );
    let sig_tag = format!("{}.sig", pr.manifest.digest.replacen(':', "-", 1));
    common::block_on_thread({
        let (prod, pr, sig_tag) = (prod.clone(), pr.clone(), sig_tag.clone());
        async move {
            let pusher = Pusher::new(&base);
            let mut fx = Fixtures::default();
            pusher
                .image("app", &prod, &["prod", &sig_tag], &mut fx)
                .await;
            pusher.image("app", &pr, &["pr-123"], &mut fx).await;
        }
    });
    let home = tempfile::tempdir().unwrap();
    let tmux = start(&format!("{}/app", registry.host), home.path());
    tmux.wait_for(&["app (3)", "pr-123"]);
    tmux.keys(&["d"]);
    tmux.wait_for(&["Delete?", "tags   pr-123", "type delete"]);
    tmux.keys(&["d", "e", "l", "e", "t", "e", "Enter"]);
    tmux.wait_for(&["not a referrer: also tagged prod"]);
    assert_eq!(
        common::tags_via_cli(&registry.host, "app"),
        ["prod", sig_tag.as_str()],
        "pr-123 went, prod stayed"
    );
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

/// Deleting a multi-platform image in the browser takes its platform and
/// attestation manifests too, and the registry's garbage collection then frees
/// what the dialog said.
#[test]
fn deleting_an_index_in_the_browser_frees_what_the_dialog_said() {
    use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, attestation, image, layer};
    let storage = tempfile::tempdir().unwrap();
    let registry = common::registry::TestRegistry::start(
        common::registry::RegistryConfig::anonymous(storage.path()),
    );
    let base_layer = layer(1, 4_000, OCI_LAYER);
    let arch = |arch: &str, seed: u64| {
        image(
            Style::Oci,
            &format!("linux/{arch}"),
            vec![base_layer.clone(), layer(seed, 1_500, OCI_LAYER)],
            &["x"],
        )
    };
    let platforms = [arch("amd64", 2), arch("arm64", 3)];
    let single = arch("amd64", 4);
    let base = registry.url();
    common::block_on_thread({
        let (platforms, single) = (platforms.clone(), single.clone());
        async move {
            let pusher = Pusher::new(&base);
            let mut fx = Fixtures::default();
            let att = attestation(5);
            pusher
                .index("app", Style::Oci, &platforms, Some(&att), &["1.0"], &mut fx)
                .await;
            pusher.image("app", &single, &["2.0"], &mut fx).await;
        }
    });
    let home = tempfile::tempdir().unwrap();
    let tmux = start(&format!("{}/app", registry.host), home.path());
    tmux.wait_for(&["app (2)", "1.0", "2.0"]);
    tmux.keys(&["d"]);
    let dialog = tmux.wait_for(&[
        "Delete?",
        "and its 3 platform/attestation manifest(s)",
        "y deletes",
    ]);
    let said = dialog
        .split("frees up to ")
        .nth(1)
        .and_then(|rest| rest.split(" after").next())
        .unwrap()
        .to_string();
    tmux.keys(&["y"]);
    tmux.wait_for(&["deleted 1.0", "app (1)"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    for img in &platforms {
        assert_eq!(
            registry.head_status(&format!("app/manifests/{}", img.manifest.digest)),
            404
        );
    }
    let before = common::registry::stored_blob_bytes(storage.path());
    registry.garbage_collect();
    let freed = before - common::registry::stored_blob_bytes(storage.path());
    assert_eq!(regscope::cli::output::human_size(freed), said);
}

/// A protected image is marked P in the browser, and deleting it deletes nothing.
#[test]
fn a_protected_tag_is_marked_and_kept_in_the_browser() {
    let seeded = common::fixtures::seed(false);
    let home = tempfile::tempdir().unwrap();
    let digest = &seeded.fixtures.tags["app:1.1"].digest;
    let list = home.path().join("running.txt");
    std::fs::write(
        &list,
        format!("docker-pullable://{}/app@{digest}\n", seeded.registry.host),
    )
    .unwrap();
    let target = format!("--protect {} {}/app", list.display(), seeded.registry.host);
    let tmux = start(&target, home.path());
    tmux.wait_for(&["app (3)", "P 1.1"]);
    tmux.keys(&["j", "d"]);
    tmux.wait_for(&["nothing to delete: kept: protected (running)"]);
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    assert_eq!(common::tags_via_cli(&seeded.registry.host, "app").len(), 3);
}

#[test]
fn c_copies_a_tag_to_another_repository_after_the_preview() {
    let seeded = common::fixtures::seed(false);
    let home = tempfile::tempdir().unwrap();
    let host = &seeded.registry.host;
    let tmux = start(&format!("{host}/app"), home.path());
    tmux.wait_for(&["app (3)", "1.1"]);
    tmux.keys(&["j", "c"]);
    tmux.wait_for(&["Copy", "copy app:1.1", "Tab completes"]);
    tmux.keys(&[&format!("{host}/promoted/app"), "Enter"]);
    tmux.wait_for(&["1.1: copy 0 blobs", "mount 3", "Enter copies"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["copied to"]);
    tmux.keys(&["x"]);
    tmux.keys(&[":", "promoted/app", "Enter"]);
    tmux.wait_for(&["promoted/app (1)", "1.1"]);
    assert_eq!(common::tags_via_cli(host, "promoted/app"), ["1.1"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

#[test]
fn u_on_the_repositories_shows_the_registry_usage_sorted_by_bytes_only_each_holds() {
    let home = tempfile::tempdir().unwrap();
    let host = SMALL.registry.host.clone();
    let tmux = start(&host, home.path());
    tmux.wait_for(&["Repositories (5)", "multi-docker"]);
    tmux.keys(&["u"]);
    tmux.wait_for(&["usage of", "5 repositories not stored", "F reads them"]);
    tmux.keys(&["F"]);
    let screen = tmux.wait_for(&["5 repositories sized", "ONLY HERE▼"]);
    let du = common::run_json(home.path(), &["du", &host, "--json"]);
    let expected: Vec<&str> = du["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["repository"].as_str().unwrap())
        .collect();
    let shown: Vec<&str> = screen
        .lines()
        .filter_map(|l| l.strip_prefix('│'))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| expected.contains(name))
        .collect();
    assert_eq!(
        shown, expected,
        "largest only-here first, as du sorts:\n{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for(&["Repositories (5)"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

#[test]
fn what_changed_since_the_last_visit_is_marked_with_letters() {
    use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image, layer};
    let seeded = common::fixtures::seed(false);
    let home = tempfile::tempdir().unwrap();
    let host = seeded.registry.host.clone();
    let tmux = start(&host, home.path());
    tmux.wait_for(&["Repositories (5)", "multi-docker"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["app (3)", "1.1", "latest", " kB"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    drop(tmux);
    // The next session starts a second later: what it stores is its own.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let base = seeded.registry.url();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let next = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(77, 3_000, OCI_LAYER)],
            &["v2"],
        );
        pusher
            .image("app", &next, &["2.0", "latest"], &mut fx)
            .await;
        pusher.image("brandnew", &next, &["1"], &mut fx).await;
    });

    let tmux = start(&host, home.path());
    let repos = tmux.wait_for(&["Repositories (6)", "+brandnew"]);
    assert!(
        repos.contains(" app"),
        "app not marked before it is looked at: {repos}"
    );
    tmux.keys(&["Enter"]);
    let tags = tmux.wait_for(&["app (4)", "N 2.0", "M latest"]);
    assert!(!tags.contains("N 1.0") && !tags.contains("M 1.0"), "{tags}");
    assert!(!tags.contains("M 1.1") && !tags.contains("N 1.1"), "{tags}");
    tmux.keys(&["h"]);
    tmux.wait_for(&["~app", "+brandnew"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

#[test]
fn a_closed_catalog_lists_the_favorites_and_the_repositories_visited_before() {
    use common::registry::{Auth, RegistryConfig, TestRegistry};
    use common::token_server::{ISSUER, SERVICE, TokenServer};
    let seeded = common::fixtures::seed(false);
    // A token that grants pulls and not the catalog, as Docker Hub's.
    let tokens = TokenServer::start(&[("reader", "reader-pass", &["pull"])]);
    let registry = TestRegistry::start(RegistryConfig {
        auth: Auth::Token {
            realm: tokens.realm.clone(),
            service: SERVICE.into(),
            issuer: ISSUER.into(),
            root_cert: tokens.cert_path.clone(),
        },
        ..RegistryConfig::anonymous(seeded.storage.path())
    });
    let host = registry.host.clone();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/regscope");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!("favorites = [\"{host}/multi\", \"elsewhere.example/not/here\"]\n"),
    )
    .unwrap();
    let env = [
        ("REGSCOPE_USERNAME", "reader".to_string()),
        ("REGSCOPE_PASSWORD", "reader-pass".to_string()),
        ("REGSCOPE_REGISTRY", host.clone()),
    ];
    let tmux = Tmux::regscope(&format!("{host}/app"), home.path(), &env);
    tmux.wait_for(&["app (3)", "latest"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    drop(tmux);

    let tmux = Tmux::regscope(&host, home.path(), &env);
    let screen = tmux.wait_for(&["Repositories (2) known", " multi", " app"]);
    assert!(screen.contains("not authorised"), "{screen}");
    assert!(
        !screen.contains("docker/legacy"),
        "only what it knows: {screen}"
    );
    assert!(
        !screen.contains("not/here"),
        "another registry's favorite: {screen}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["multi (1)"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}
