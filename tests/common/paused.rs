//! A deleting command paused before each group of its plan (debug builds
//! honour `REGSCOPE_TEST_PAUSE_DIR`), so a test can change the registry between
//! the plan and the moment of each deletion.

use serde_json::Value;
use std::path::Path;

/// A deleting command paused before each group (debug builds): `go(n)` lets group n run.
pub struct Paused {
    pub child: std::process::Child,
    dir: tempfile::TempDir,
}

impl Paused {
    pub fn start(home: &Path, args: &[&str]) -> Paused {
        Paused::start_with_env(home, args, &[])
    }

    pub fn start_with_env(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Paused {
        let dir = tempfile::tempdir().unwrap();
        let child = super::regscope_process(home)
            .args(args)
            .envs(env.iter().copied())
            .env("REGSCOPE_TEST_PAUSE_DIR", dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        Paused { child, dir }
    }

    pub fn wait_paused(&self, n: usize) {
        let file = self.dir.path().join(format!("paused-{n}"));
        for _ in 0..600 {
            if file.exists() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the command never reached group {n}");
    }

    pub fn go(&self, n: usize) {
        std::fs::write(self.dir.path().join(format!("go-{n}")), b"").unwrap();
    }

    pub fn finish(self) -> (Option<i32>, Value, String) {
        let out = self.child.wait_with_output().unwrap();
        (
            out.status.code(),
            serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }
}
