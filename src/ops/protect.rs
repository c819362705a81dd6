//! Loading the protect lists: files (`-` is standard input) and a command
//! whose output is one. Fail closed: a list that cannot be read, or a command
//! that fails or runs past its time, is an error, and deleting commands then
//! refuse to run.

use crate::model::protect::Protected;
use std::path::PathBuf;
use std::time::Duration;

/// The default time a protect command may run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The most output a protect list may have.
const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Why the protected images cannot be told: deleting then refuses.
#[derive(Debug, thiserror::Error)]
pub enum ProtectError {
    #[error("cannot read the protect list {origin}: {source}")]
    Unreadable {
        origin: String,
        source: std::io::Error,
    },
    /// What was read (`the protect list PATH`, the command's output).
    #[error("{0} is larger than 64 MiB")]
    TooLarge(String),
    #[error("{0} is not UTF-8 text")]
    NotText(String),
    #[error(transparent)]
    List(#[from] crate::model::protect::ProtectListError),
    #[error("cannot run the protect command: {0}")]
    NotRun(std::io::Error),
    #[error(
        "the protect command ran past {0}s: nothing can be deleted without knowing what is protected"
    )]
    TimedOut(u64),
    #[error(
        "the protect command failed ({status}): {stderr}; nothing can be deleted without knowing what is protected"
    )]
    Failed { status: String, stderr: String },
}

/// Where the protected images come from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProtectSources {
    pub files: Vec<PathBuf>,
    pub command: Option<String>,
    pub timeout: Option<Duration>,
}

impl ProtectSources {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.command.is_none()
    }

    /// Every list read and merged, or why one could not be.
    pub async fn load(&self) -> Result<Protected, ProtectError> {
        let mut protected = Protected::default();
        for file in &self.files {
            let (text, origin) = read_file(file)?;
            protected.extend(Protected::parse(&text, &origin)?);
        }
        if let Some(command) = &self.command {
            let text = run_command(command, self.timeout.unwrap_or(DEFAULT_TIMEOUT)).await?;
            protected.extend(Protected::parse(&text, "the protect command")?);
        }
        Ok(protected)
    }
}

fn read_file(file: &std::path::Path) -> Result<(String, String), ProtectError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let origin = file.display().to_string();
    let read = if origin == "-" {
        std::io::stdin()
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(MAX_BYTES as u64 + 1).read_to_end(&mut bytes))
    };
    read.map_err(|source| ProtectError::Unreadable {
        origin: origin.clone(),
        source,
    })?;
    let what = format!("the protect list {origin}");
    if bytes.len() > MAX_BYTES {
        return Err(ProtectError::TooLarge(what));
    }
    let text = String::from_utf8(bytes).map_err(|_| ProtectError::NotText(what))?;
    Ok((text, origin))
}

async fn run_command(command: &str, timeout: Duration) -> Result<String, ProtectError> {
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(ProtectError::NotRun)?;
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| ProtectError::TimedOut(timeout.as_secs()))?
        .map_err(ProtectError::NotRun)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(ProtectError::Failed {
            status: output.status.to_string(),
            stderr: crate::oci::text::sanitize_line(stderr.trim(), 200),
        });
    }
    let origin = "the protect command's output";
    if output.stdout.len() > MAX_BYTES {
        return Err(ProtectError::TooLarge(origin.into()));
    }
    String::from_utf8(output.stdout).map_err(|_| ProtectError::NotText(origin.into()))
}
