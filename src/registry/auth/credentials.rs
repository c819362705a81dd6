//! Where credentials come from: flags, environment, Docker's config.json (auths,
//! credHelpers, credsStore) and podman's auth.json. Lookup order follows Docker.

use base64::Engine;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    #[default]
    Anonymous,
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken`), exchanged at the token realm.
    IdentityToken {
        token: String,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Anonymous => write!(f, "Anonymous"),
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Credentials::IdentityToken { .. } => write!(f, "IdentityToken(<redacted>)"),
        }
    }
}

/// Where to look; every path is explicit so tests and callers control it.
#[derive(Debug, Clone, Default)]
pub struct CredentialSources {
    pub docker_config: Option<PathBuf>,
    pub podman_auth: Vec<PathBuf>,
    pub helper_timeout: Option<Duration>,
    /// Where `docker-credential-*` helpers live; `None` searches `PATH`.
    pub helper_dir: Option<PathBuf>,
}

impl CredentialSources {
    /// `DOCKER_CONFIG`/`~/.docker/config.json`, `REGISTRY_AUTH_FILE` and
    /// `$XDG_RUNTIME_DIR/containers/auth.json`.
    pub fn from_env() -> CredentialSources {
        let docker_config = std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().join(".docker")))
            .map(|dir| dir.join("config.json"));
        let mut podman_auth = Vec::new();
        if let Some(file) = std::env::var_os("REGISTRY_AUTH_FILE") {
            podman_auth.push(PathBuf::from(file));
        }
        if let Some(run) = std::env::var_os("XDG_RUNTIME_DIR") {
            podman_auth.push(Path::new(&run).join("containers/auth.json"));
        }
        CredentialSources {
            docker_config,
            podman_auth,
            helper_timeout: None,
            helper_dir: None,
        }
    }

    /// Credentials stored for `registry`, or `Anonymous`.
    pub async fn lookup(&self, registry: &str) -> Result<Credentials, String> {
        if let Some(path) = &self.docker_config
            && let Some(file) = read_auth_file(path)?
        {
            let found = file.lookup(registry, self).await?;
            if found != Credentials::Anonymous {
                return Ok(found);
            }
        }
        for path in &self.podman_auth {
            if let Some(file) = read_auth_file(path)? {
                let found = file.lookup(registry, self).await?;
                if found != Credentials::Anonymous {
                    return Ok(found);
                }
            }
        }
        Ok(Credentials::Anonymous)
    }

    fn timeout(&self) -> Duration {
        self.helper_timeout.unwrap_or(Duration::from_secs(10))
    }

    pub(super) fn helper_program(&self, name: &str) -> PathBuf {
        let program = format!("docker-credential-{name}");
        match &self.helper_dir {
            Some(dir) => dir.join(program),
            None => PathBuf::from(program),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

fn read_auth_file(path: &Path) -> Result<Option<AuthFile>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

impl AuthFile {
    async fn lookup(
        &self,
        registry: &str,
        sources: &CredentialSources,
    ) -> Result<Credentials, String> {
        let helper = |name: &str| (sources.helper_program(name), sources.timeout());
        if let Some(name) = self.matching(&self.cred_helpers, registry) {
            let (program, timeout) = helper(name);
            return run_helper(&program, registry, timeout).await;
        }
        if let Some(entry) = self.matching(&self.auths, registry) {
            let found = entry.credentials()?;
            if found != Credentials::Anonymous {
                return Ok(found);
            }
        }
        match &self.creds_store {
            Some(store) if !store.is_empty() => {
                let (program, timeout) = helper(store);
                run_helper(&program, registry, timeout).await
            }
            _ => Ok(Credentials::Anonymous),
        }
    }

    fn matching<'a, T>(&self, map: &'a BTreeMap<String, T>, registry: &str) -> Option<&'a T> {
        map.iter()
            .find(|(key, _)| normalize_key(key) == registry)
            .map(|(_, v)| v)
    }
}

impl AuthEntry {
    fn credentials(&self) -> Result<Credentials, String> {
        if let Some(token) = self.identitytoken.as_ref().filter(|t| !t.is_empty()) {
            return Ok(Credentials::IdentityToken {
                token: token.clone(),
            });
        }
        if let Some(encoded) = self.auth.as_ref().filter(|a| !a.is_empty()) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|_| "an `auth` entry in the auth file is not valid base64".to_string())?;
            let text = String::from_utf8(decoded)
                .map_err(|_| "an `auth` entry in the auth file is not UTF-8".to_string())?;
            let (username, password) = text
                .split_once(':')
                .ok_or("an `auth` entry in the auth file has no `user:password`")?;
            return Ok(Credentials::Basic {
                username: username.to_string(),
                password: password.to_string(),
            });
        }
        match (&self.username, &self.password) {
            (Some(u), Some(p)) if !u.is_empty() => Ok(Credentials::Basic {
                username: u.clone(),
                password: p.clone(),
            }),
            _ => Ok(Credentials::Anonymous),
        }
    }
}

/// `https://index.docker.io/v1/` → `docker.io`; `https://host:5000/path` → `host:5000`.
pub(super) fn normalize_key(key: &str) -> String {
    let no_scheme = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = no_scheme
        .split('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" => crate::oci::reference::DOCKER_HUB.into(),
        _ => host,
    }
}

pub(super) fn helper_server_url(registry: &str) -> String {
    if registry == crate::oci::reference::DOCKER_HUB {
        "https://index.docker.io/v1/".to_string()
    } else {
        registry.to_string()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    #[serde(default)]
    username: String,
    #[serde(default)]
    secret: String,
}

/// Runs `docker-credential-<name> get`, bounded by `timeout`.
async fn run_helper(
    program: &Path,
    registry: &str,
    timeout: Duration,
) -> Result<Credentials, String> {
    use tokio::io::AsyncWriteExt;
    let program_name = program.display().to_string();
    let program = &program_name;
    let mut child = tokio::process::Command::new(program)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run credential helper {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let url = helper_server_url(registry);
        stdin
            .write_all(url.as_bytes())
            .await
            .map_err(|e| format!("credential helper {program}: {e}"))?;
    }
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| format!("credential helper {program} did not answer within {timeout:?}"))?
        .map_err(|e| format!("credential helper {program}: {e}"))?;
    if !output.status.success() {
        let stdout = String::from_utf8_lossy(&output.stdout);
        if stdout.contains("credentials not found") {
            return Ok(Credentials::Anonymous);
        }
        return Err(format!(
            "credential helper {program} failed ({})",
            output.status
        ));
    }
    let answer: HelperAnswer = serde_json::from_slice(&output.stdout)
        .map_err(|_| format!("credential helper {program} printed something that is not JSON"))?;
    Ok(match answer.username.as_str() {
        "<token>" => Credentials::IdentityToken {
            token: answer.secret,
        },
        _ => Credentials::Basic {
            username: answer.username,
            password: answer.secret,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, json: &str) -> CredentialSources {
        let path = dir.join("config.json");
        std::fs::write(&path, json).unwrap();
        CredentialSources {
            docker_config: Some(path),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn reads_auths_in_each_form() {
        let dir = tempfile::tempdir().unwrap();
        let sources = write(
            dir.path(),
            r#"{"auths":{
                "https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"},
                "reg.example:5000":{"username":"u2","password":"p2"},
                "tok.example":{"identitytoken":"refresh"}}}"#,
        );
        assert_eq!(
            sources.lookup("docker.io").await.unwrap(),
            Credentials::Basic {
                username: "user".into(),
                password: "pass".into()
            }
        );
        assert_eq!(
            sources.lookup("reg.example:5000").await.unwrap(),
            Credentials::Basic {
                username: "u2".into(),
                password: "p2".into()
            }
        );
        assert_eq!(
            sources.lookup("tok.example").await.unwrap(),
            Credentials::IdentityToken {
                token: "refresh".into()
            }
        );
        assert_eq!(
            sources.lookup("other.example").await.unwrap(),
            Credentials::Anonymous
        );
    }

    #[tokio::test]
    async fn runs_credential_helpers_with_a_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let helper = |name: &str, body: &str| {
            let path = bin.join(format!("docker-credential-{name}"));
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        helper(
            "good",
            r#"read url; echo "{\"Username\":\"h-$url\",\"Secret\":\"s\"}""#,
        );
        helper("slow", "sleep 5");
        let mut sources = write(
            dir.path(),
            r#"{"credHelpers":{"a.example":"good","b.example":"slow"},"auths":{"a.example":{"auth":"eDp5"}}}"#,
        );
        sources.helper_dir = Some(bin.clone());
        // The good helper runs under the default (generous) timeout; only the
        // slow one gets a short one, so a loaded machine cannot fail the first.
        assert_eq!(
            sources.lookup("a.example").await.unwrap(),
            Credentials::Basic {
                username: "h-a.example".into(),
                password: "s".into()
            }
        );
        sources.helper_timeout = Some(Duration::from_millis(300));
        let err = sources.lookup("b.example").await.unwrap_err();
        assert!(err.contains("did not answer"), "{err}");
    }
}

#[cfg(test)]
mod precedence {
    use super::*;

    fn helper(bin: &Path, name: &str, user: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = bin.join(format!("docker-credential-{name}"));
        let body =
            format!("#!/bin/sh\nread url; echo '{{\"Username\":\"{user}\",\"Secret\":\"s\"}}'\n");
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn basic(user: &str, password: &str) -> Credentials {
        Credentials::Basic {
            username: user.into(),
            password: password.into(),
        }
    }

    #[tokio::test]
    async fn creds_store_podman_and_their_order() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        helper(&bin, "store", "from-store");
        let docker = dir.path().join("config.json");
        // "eDp5" is base64 of "x:y".
        std::fs::write(
            &docker,
            r#"{"credsStore":"store","auths":{"auths.example":{"auth":"eDp5"}}}"#,
        )
        .unwrap();
        let podman = dir.path().join("auth.json");
        std::fs::write(&podman, r#"{"auths":{"podman.example":{"auth":"cDpx"}}}"#).unwrap();
        let sources = CredentialSources {
            docker_config: Some(docker),
            podman_auth: vec![podman.clone()],
            helper_dir: Some(bin),
            ..Default::default()
        };
        assert_eq!(
            sources.lookup("auths.example").await.unwrap(),
            basic("x", "y"),
            "auths before credsStore"
        );
        assert_eq!(
            sources.lookup("other.example").await.unwrap(),
            basic("from-store", "s"),
            "then credsStore"
        );
        let without_store = CredentialSources {
            docker_config: None,
            podman_auth: vec![podman],
            ..Default::default()
        };
        assert_eq!(
            without_store.lookup("podman.example").await.unwrap(),
            basic("p", "q"),
            "podman's file"
        );
        assert_eq!(
            without_store.lookup("none.example").await.unwrap(),
            Credentials::Anonymous
        );
    }
}
