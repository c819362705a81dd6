//! Your commands (`[[commands]]`) in the real browser in tmux: placeholders
//! arrive as whole arguments whatever the names hold, a `pane` command's
//! output shows in a screen, a `terminal` command gets the terminal and a key
//! brings the browser back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::SMALL;
use common::tmux::Tmux;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A layout named to break any shell that would see it, holding `app:1.0`.
fn hostile_layout(base: &Path, home: &Path) -> PathBuf {
    let dir = base.join("it's a \"lay out\" $(touch pwned)");
    let out = common::regscope(home)
        .args(["cp", &format!("{}/app:1.0", SMALL.registry.host)])
        .arg(format!("oci:{}:1.0", dir.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn config(home: &Path, layout: &Path, commands: &str) {
    let text = format!("default = '''oci:{}'''\n{commands}", layout.display());
    common::write_config(home, &text);
}

#[test]
fn a_pane_command_gets_each_placeholder_as_one_argument_and_runs_no_shell() {
    let base = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let layout = hostile_layout(base.path(), home.path());
    let argv = script(
        base.path(),
        "argv.sh",
        r#"for a in "$@"; do printf 'ARG[%s]\n' "$a"; done"#,
    );
    let commands = format!(
        "[[commands]]\nkey = \"A\"\ndescription = \"show argv\"\nrun = ['{}', '{{ref}}', '{{registry}}', '{{tag}}']\noutput = \"pane\"\n",
        argv.display()
    );
    config(home.path(), &layout, &commands);
    let tmux = Tmux::start(
        &format!(
            "{} ; sleep 60",
            assert_cmd::cargo::cargo_bin("regscope").display()
        ),
        220,
        30,
        &env(home.path()),
    );
    tmux.wait_for(&["1.0", "A show argv"]);
    tmux.keys(&["A"]);
    let shown = layout.display().to_string();
    let screen = tmux.wait_for(&["exited: exit status: 0"]);
    assert!(
        screen.contains(&format!("ARG[oci:{shown}:1.0]")),
        "{screen}"
    );
    assert!(screen.contains(&format!("ARG[oci:{shown}]")), "{screen}");
    assert!(screen.contains("ARG[1.0]"), "{screen}");
    for dir in [base.path(), home.path(), &std::env::current_dir().unwrap()] {
        assert!(
            !dir.join("pwned").exists(),
            "nothing ran a shell over the name in {}",
            dir.display()
        );
    }
    tmux.keys(&["q"]);
    tmux.wait_until("the panes again", |s| {
        !s.contains("ARG[") && s.contains("1.0")
    });
}

#[test]
fn a_terminal_command_gets_the_terminal_and_a_key_brings_the_browser_back() {
    let base = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let layout = hostile_layout(base.path(), home.path());
    let said = script(base.path(), "say.sh", r#"echo "IN THE TERMINAL: $1""#);
    let commands = format!(
        "[[commands]]\nkey = \"T\"\ndescription = \"say\"\nrun = ['{}', '{{tag}}']\noutput = \"terminal\"\nconfirm = true\n",
        said.display()
    );
    config(home.path(), &layout, &commands);
    let tmux = Tmux::regscope("", home.path(), &[]);
    tmux.wait_for(&["1.0", "T say"]);
    tmux.keys(&["T", "n"]);
    tmux.wait_for(&["say: not run"]);
    tmux.keys(&["T", "y"]);
    tmux.wait_for(&["IN THE TERMINAL: 1.0", "press a key to return to regscope"]);
    tmux.keys(&["x"]);
    tmux.wait_until("the browser again", |s| {
        !s.contains("press a key") && s.contains("T say")
    });
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0", "TTY=icanon echo"]);
}

#[test]
fn a_command_on_a_key_the_keymap_uses_is_refused_at_start() {
    let home = tempfile::tempdir().unwrap();
    common::write_config(
        home.path(),
        "[[commands]]\nkey = \"d\"\ndescription = \"x\"\nrun = \"true\"\n",
    );
    let tmux = Tmux::regscope(&SMALL.registry.host, home.path(), &[]);
    tmux.wait_for(&["bound to Delete", "REGSCOPE_EXITED=2"]);
}

fn env(home: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("HOME", home.display().to_string()),
        ("XDG_CONFIG_HOME", home.join("config").display().to_string()),
        ("XDG_STATE_HOME", home.join("state").display().to_string()),
        ("XDG_CACHE_HOME", home.join("cache").display().to_string()),
        ("TERM", "xterm-256color".to_string()),
    ]
}
