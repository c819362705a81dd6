//! Logging to a file (never to the terminal); the level comes from `REGSCOPE_LOG`.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts file logging; keep the guard alive until exit so the log is flushed.
pub fn init() -> Option<WorkerGuard> {
    let dir = crate::config::log_dir()?;
    let path = dir.join("regscope.log");
    let mut narrowed = crate::private::create_dir(&dir).ok()?;
    let file = crate::private::options()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    narrowed |= crate::private::narrow(&path, 0o600).unwrap_or(false);
    let filter = EnvFilter::try_from_env("REGSCOPE_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let (writer, guard) = tracing_appender::non_blocking(file);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    if narrowed {
        tracing::warn!(log = %path.display(), "the log or its folder was readable by others: narrowed to the user alone");
    }
    Some(guard)
}
