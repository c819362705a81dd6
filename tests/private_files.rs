//! Under `umask 022`, everything regscope writes for the user alone — the
//! store (with its `-wal`/`-shm`), the log, the trash, a written plan — is
//! 0600 in 0700 folders, and an old store readable by others is narrowed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// regscope run through `sh -c 'umask 022; exec regscope …'`.
fn run_umask_022(home: &Path, args: &[&str]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("regscope");
    let mut script = format!("umask 022; exec '{}'", bin.display());
    for arg in args {
        script.push_str(&format!(" '{arg}'"));
    }
    let cmd = common::regscope_process(home);
    std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("REGSCOPE_LOG", "debug")
        .output()
        .unwrap()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        out.push(path.clone());
        if path.is_dir() {
            walk(&path, out);
        }
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn everything_regscope_writes_is_the_user_s_alone() {
    let storage = tempfile::tempdir().unwrap();
    let registry = common::registry::TestRegistry::start(
        common::registry::RegistryConfig::anonymous(storage.path()),
    );
    let base = registry.url();
    let img = common::fixtures::image(
        common::fixtures::Style::Oci,
        "linux/amd64",
        vec![common::fixtures::layer(3, 500, common::fixtures::OCI_LAYER)],
        &["x"],
    );
    common::blocking::push_image(&base, "app", &img, &["1.0", "1.1"]);
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", registry.host);
    let plan = home.path().join("plan.json");
    for args in [
        vec!["du", repo.as_str()],
        vec!["rm", &format!("{repo}:1.0"), "--dry-run"],
        vec![
            "prune",
            repo.as_str(),
            "--keep-newest",
            "1",
            "--plan-out",
            plan.to_str().unwrap(),
        ],
    ] {
        let out = run_umask_022(home.path(), &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A deletion with a trash copy.
    let out = run_umask_022(home.path(), &["rm", &format!("{repo}:1.1"), "--yes"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut written = Vec::new();
    for root in ["cache/regscope", "state/regscope"] {
        walk(&home.path().join(root), &mut written);
    }
    assert!(
        written.iter().any(|p| p.ends_with("regscope.db")),
        "{written:?}"
    );
    assert!(
        written.iter().any(|p| p.ends_with("regscope.log")),
        "{written:?}"
    );
    assert!(
        written
            .iter()
            .any(|p| p.to_string_lossy().contains("trash/")),
        "{written:?}"
    );
    written.push(plan.clone());
    for path in &written {
        let expected = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(path), expected, "{}", path.display());
    }
    for root in ["cache/regscope", "state/regscope"] {
        assert_eq!(mode(&home.path().join(root)), 0o700, "{root}");
    }
    // An older store readable by others is narrowed when it is opened.
    let db = written.iter().find(|p| p.ends_with("regscope.db")).unwrap();
    std::fs::set_permissions(db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run_umask_022(home.path(), &["du", repo.as_str()]);
    assert!(out.status.success());
    assert_eq!(mode(db), 0o600);
}
