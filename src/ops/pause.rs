//! A test hook between the steps of a long command.

/// Debug builds only: with `REGSCOPE_TEST_PAUSE_DIR` set, group `n` waits
/// (at most a minute) for the file `go-N` there after writing `paused-N`, so
/// a test can change the registry between the plan and the moment of each
/// deletion. Release builds ignore the variable.
pub async fn test_pause(n: usize) {
    if !cfg!(debug_assertions) {
        return;
    }
    let Some(dir) = std::env::var_os("REGSCOPE_TEST_PAUSE_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let _ = std::fs::write(dir.join(format!("paused-{n}")), b"");
    let go = dir.join(format!("go-{n}"));
    for _ in 0..600 {
        if go.exists() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
