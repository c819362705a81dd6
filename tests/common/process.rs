//! Child processes that die with the test process, even when a static holds them.
//!
//! Children are spawned from one long-lived thread with `PR_SET_PDEATHSIG`, so the
//! kernel kills them when the test binary exits (statics are never dropped).

use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{LazyLock, Mutex};

type Request = (Command, mpsc::Sender<std::io::Result<Child>>);

static SPAWNER: LazyLock<Mutex<mpsc::Sender<Request>>> = LazyLock::new(|| {
    let (tx, rx) = mpsc::channel::<Request>();
    std::thread::Builder::new()
        .name("child-spawner".into())
        .spawn(move || {
            for (mut cmd, reply) in rx {
                // SAFETY: prctl is async-signal-safe and touches no shared state.
                unsafe {
                    cmd.pre_exec(|| {
                        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                        Ok(())
                    });
                }
                let _ = reply.send(cmd.spawn());
            }
        })
        .expect("spawn the child-spawner thread");
    Mutex::new(tx)
});

/// A child that is killed and reaped when dropped.
pub struct ChildGuard {
    child: Child,
}

impl ChildGuard {
    pub fn spawn(cmd: Command) -> std::io::Result<ChildGuard> {
        let (tx, rx) = mpsc::channel();
        SPAWNER
            .lock()
            .expect("spawner lock")
            .send((cmd, tx))
            .expect("spawner thread alive");
        let child = rx.recv().expect("spawner replies")?;
        Ok(ChildGuard { child })
    }

    /// Whether the process already exited.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resets this process's peak RSS (Linux `clear_refs` 5): a child spawned with
/// vfork shares this memory until exec and keeps its peak as a floor.
pub fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
}

/// Waits for `child`: its exit code and its own peak RSS in MB (wait4's
/// rusage, not another child's).
pub fn wait_with_rss(child: Child) -> (i32, i64) {
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 writes the status and the rusage it is given; the child is ours.
    let usage = unsafe {
        assert_eq!(libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()), pid);
        usage.assume_init()
    };
    std::mem::forget(child); // reaped above
    (libc::WEXITSTATUS(status), usage.ru_maxrss / 1024)
}
