//! Driving the real binary in a real terminal: a private tmux server per session.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` (a shell command line) in a `width`×`height` terminal.
    pub fn start(command: &str, width: u16, height: u16, env: &[(&str, String)]) -> Tmux {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let tmux = Tmux {
            socket: format!("regscope-test-{}-{n}", std::process::id()),
        };
        let mut cmd = Command::new("tmux");
        // The server (and so the program) sees only PATH and `env`: nothing of
        // the caller's REGSCOPE_*, NO_COLOR, XDG_* or proxy settings.
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.args([
            "-L",
            &tmux.socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
        ])
        .args(["-x", &width.to_string(), "-y", &height.to_string()]);
        for (k, v) in env {
            cmd.args(["-e", &format!("{k}={v}")]);
        }
        let status = cmd
            .arg(command)
            .status()
            .expect("tmux is installed (scripts/test installs it)");
        assert!(status.success(), "tmux new-session failed");
        tmux
    }

    /// The regscope binary with `args` (a shell word list) in a 120×32 terminal,
    /// under a clean environment rooted at `home` plus `extra`. After it exits
    /// the shell prints `REGSCOPE_EXITED=<code>` and the terminal's line
    /// discipline (`TTY=icanon echo`, or `-icanon`… when left raw).
    #[allow(dead_code)]
    pub fn regscope(args: &str, home: &std::path::Path, extra: &[(&str, String)]) -> Tmux {
        let binary = assert_cmd::cargo::cargo_bin("regscope");
        let command = format!(
            "{} {args}; echo REGSCOPE_EXITED=$?; \
             echo TTY=$(stty -a | grep -ow -e '-\\?icanon' -e '-\\?echo' | tr '\\n' ' '); sleep 60",
            binary.display()
        );
        let mut env = vec![
            ("HOME", home.display().to_string()),
            ("DOCKER_CONFIG", home.join(".docker").display().to_string()),
            ("XDG_CONFIG_HOME", home.join("config").display().to_string()),
            ("XDG_STATE_HOME", home.join("state").display().to_string()),
            ("XDG_CACHE_HOME", home.join("cache").display().to_string()),
            ("TERM", "xterm-256color".to_string()),
        ];
        env.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
        Tmux::start(&command, 120, 32, &env)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Sends tmux key names (`j`, `Enter`, `Escape`, `C-c`, …).
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.tmux(&["send-keys", "-t", "t", key]);
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// The screen with its SGR escape sequences (colours, bold, …).
    pub fn screen_with_escapes(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-t", "t"])
    }

    /// A tmux format evaluated for the pane (`#{mouse_any_flag}`, …).
    pub fn pane_format(&self, format: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", format])
            .trim()
            .to_string()
    }

    pub fn set_server_option(&self, option: &str, value: &str) {
        self.tmux(&["set-option", "-s", option, value]);
    }

    /// The newest paste buffer (what OSC 52 copied, with set-clipboard on).
    pub fn buffer(&self) -> String {
        self.tmux(&["show-buffer"])
    }

    #[allow(dead_code)]
    pub fn alternate_screen_on(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "t", "#{alternate_on}"])
            .trim()
            == "1"
    }

    /// Waits until the screen contains every one of `texts`.
    pub fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("{texts:?}"), |screen| {
            texts.iter().all(|t| screen.contains(t))
        })
    }

    /// Waits until `ready` holds for the screen (`what` names it on failure).
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
