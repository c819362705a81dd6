//! Logging to a file (never to the terminal); the level comes from `REGSCOPE_LOG`.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts file logging; keep the guard alive until exit so the log is flushed.
pub fn init() -> Option<WorkerGuard> {
    let dir = crate::config::log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("regscope.log"))
        .ok()?;
    let filter = EnvFilter::try_from_env("REGSCOPE_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let (writer, guard) = tracing_appender::non_blocking(file);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
