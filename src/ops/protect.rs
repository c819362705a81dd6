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
    pub async fn load(&self) -> Result<Protected, String> {
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

fn read_file(file: &std::path::Path) -> Result<(String, String), String> {
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
    read.map_err(|e| format!("cannot read the protect list {origin}: {e}"))?;
    if bytes.len() > MAX_BYTES {
        return Err(format!("the protect list {origin} is larger than 64 MiB"));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("the protect list {origin} is not UTF-8 text"))?;
    Ok((text, origin))
}

async fn run_command(command: &str, timeout: Duration) -> Result<String, String> {
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run the protect command: {e}"))?;
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| {
            format!(
                "the protect command ran past {}s: nothing can be deleted without knowing what is protected",
                timeout.as_secs()
            )
        })?
        .map_err(|e| format!("the protect command failed: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "the protect command failed ({}): {}; nothing can be deleted without knowing what is protected",
            output.status,
            crate::oci::text::sanitize_line(stderr.trim(), 200)
        ));
    }
    if output.stdout.len() > MAX_BYTES {
        return Err("the protect command printed more than 64 MiB".into());
    }
    String::from_utf8(output.stdout)
        .map_err(|_| "the protect command printed non-UTF-8 text".into())
}
