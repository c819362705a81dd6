//! `login` and `logout`: storing and erasing credentials where Docker would —
//! through the credential helper the auth file names (`credHelpers` for the
//! host, else `credsStore`), else in its `auths` (file mode 0600, written
//! atomically, every other key kept).

use super::credentials::CredentialSources;
use base64::Engine;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where credentials went (or came out of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    Helper(String),
    File(PathBuf),
}

impl std::fmt::Display for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Storage::Helper(name) => write!(f, "credential helper docker-credential-{name}"),
            Storage::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Stores `username`/`password` for `registry`.
pub async fn store(
    sources: &CredentialSources,
    registry: &str,
    username: &str,
    password: &str,
) -> Result<Storage, String> {
    let path = config_path(sources)?;
    let mut config = read_config(&path)?;
    let server = super::credentials::helper_server_url(registry);
    if let Some(helper) = helper_for(&config, registry) {
        let input = json!({"ServerURL": server, "Username": username, "Secret": password});
        run_helper(sources, &helper, "store", input.to_string().as_bytes()).await?;
        return Ok(Storage::Helper(helper));
    }
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    let auths = auths_of(&mut config, &path)?;
    auths.retain(|key, _| super::credentials::normalize_key(key) != registry);
    auths.insert(server, json!({ "auth": auth }));
    write_config(&path, &config)?;
    Ok(Storage::File(path))
}

/// Erases what is stored for `registry`; `None` when nothing was.
pub async fn erase(sources: &CredentialSources, registry: &str) -> Result<Option<Storage>, String> {
    let path = config_path(sources)?;
    let mut config = read_config(&path)?;
    if let Some(helper) = helper_for(&config, registry) {
        let server = super::credentials::helper_server_url(registry);
        run_helper(sources, &helper, "erase", server.as_bytes()).await?;
        return Ok(Some(Storage::Helper(helper)));
    }
    let auths = auths_of(&mut config, &path)?;
    let before = auths.len();
    auths.retain(|key, _| super::credentials::normalize_key(key) != registry);
    if auths.len() == before {
        return Ok(None);
    }
    write_config(&path, &config)?;
    Ok(Some(Storage::File(path)))
}

fn config_path(sources: &CredentialSources) -> Result<PathBuf, String> {
    sources
        .docker_config
        .clone()
        .ok_or_else(|| "no Docker config location (set DOCKER_CONFIG or HOME)".to_string())
}

fn read_config(path: &Path) -> Result<Value, String> {
    match std::fs::read(path) {
        Ok(raw) => serde_json::from_slice(&raw)
            .map_err(|e| format!("{} is not valid JSON: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(json!({})),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// The helper for `registry`: its `credHelpers` entry, else `credsStore`.
fn helper_for(config: &Value, registry: &str) -> Option<String> {
    let by_host = config
        .get("credHelpers")
        .and_then(Value::as_object)
        .and_then(|helpers| {
            helpers
                .iter()
                .find(|(key, _)| super::credentials::normalize_key(key) == registry)
                .and_then(|(_, v)| v.as_str())
        });
    let store = config.get("credsStore").and_then(Value::as_str);
    by_host
        .or(store)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
}

fn auths_of<'a>(
    config: &'a mut Value,
    path: &Path,
) -> Result<&'a mut serde_json::Map<String, Value>, String> {
    let not_an_object = || format!("{} is not a JSON object", path.display());
    let root = config.as_object_mut().ok_or_else(not_an_object)?;
    root.entry("auths")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| format!("`auths` in {} is not an object", path.display()))
}

/// Temporary file (mode 0600) in the same directory, synced, renamed over `path`.
fn write_config(path: &Path, config: &Value) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", path.display());
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    set_private(tmp.as_file()).map_err(|e| fail(&e))?;
    let text = serde_json::to_vec_pretty(config).map_err(|e| fail(&e))?;
    tmp.write_all(&text).map_err(|e| fail(&e))?;
    tmp.as_file().sync_all().map_err(|e| fail(&e))?;
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

#[cfg(unix)]
fn set_private(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn set_private(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// How long a helper may take to store or erase.
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

async fn run_helper(
    sources: &CredentialSources,
    name: &str,
    verb: &str,
    input: &[u8],
) -> Result<(), String> {
    use tokio::io::AsyncWriteExt;
    let program = sources.helper_program(name);
    let shown = program.display().to_string();
    let mut child = tokio::process::Command::new(&program)
        .arg(verb)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run credential helper {shown}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .await
            .map_err(|e| format!("credential helper {shown}: {e}"))?;
    }
    let output = tokio::time::timeout(HELPER_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| format!("credential helper {shown} did not finish within {HELPER_TIMEOUT:?}"))?
        .map_err(|e| format!("credential helper {shown}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "credential helper {shown} {verb} failed ({})",
            output.status
        ));
    }
    Ok(())
}
