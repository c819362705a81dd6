//! Debian's `docker-registry` (Distribution 2.8) on a free loopback port with its
//! own storage, in anonymous, htpasswd, token or TLS mode.

use super::process::ChildGuard;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub enum Auth {
    Anonymous,
    /// Users and passwords; written as a bcrypt htpasswd file.
    Htpasswd(Vec<(String, String)>),
    Token {
        realm: String,
        service: String,
        issuer: String,
        root_cert: PathBuf,
    },
}

pub struct Tls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Tls {
    pub fn new(cert: &Path, key: &Path) -> Tls {
        Tls {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
        }
    }
}

pub struct RegistryConfig {
    pub storage: PathBuf,
    pub auth: Auth,
    pub tls: Option<Tls>,
    /// CAs of the client certificates the registry demands (`http.tls.clientcas`).
    pub client_cas: Option<PathBuf>,
    pub delete_enabled: bool,
    /// Log every request (`TestRegistry::access_log`).
    pub access_log: bool,
}

impl RegistryConfig {
    pub fn anonymous(storage: &Path) -> RegistryConfig {
        RegistryConfig {
            storage: storage.to_path_buf(),
            auth: Auth::Anonymous,
            tls: None,
            client_cas: None,
            delete_enabled: true,
            access_log: false,
        }
    }
}

pub struct TestRegistry {
    /// `127.0.0.1:PORT`
    pub host: String,
    pub port: u16,
    pub tls: bool,
    config_path: PathBuf,
    log_path: PathBuf,
    _child: ChildGuard,
    _workdir: tempfile::TempDir,
}

pub fn registry_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("docker-registry"))
            .find(|p| p.is_file())
    });
    let debian = PathBuf::from("/usr/bin/docker-registry");
    on_path
        .or_else(|| debian.is_file().then_some(debian))
        .expect(
            "docker-registry is not installed: run `apt-get install -y docker-registry` \
         (the README's test command, .ci/run, does this)",
        )
}

impl TestRegistry {
    pub fn start(config: RegistryConfig) -> TestRegistry {
        let mut last_log = String::new();
        for _ in 0..5 {
            match try_start(&config) {
                Ok(registry) => return registry,
                Err(log) => last_log = log,
            }
        }
        panic!("docker-registry did not start; its log:\n{last_log}");
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.host)
    }

    /// Every request the registry logged so far, as (method, path), in order
    /// (with `access_log` on).
    #[allow(dead_code)]
    pub fn access_log(&self) -> Vec<(String, String)> {
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        log.lines()
            .filter_map(|line| {
                // Combined log format: `… "HEAD /v2/r/manifests/t HTTP/1.1" 200 …`
                let request = line.split('"').nth(1)?;
                let mut words = request.split(' ');
                let (method, path) = (words.next()?, words.next()?);
                words
                    .next()?
                    .starts_with("HTTP/")
                    .then(|| (method.to_string(), path.to_string()))
            })
            .collect()
    }

    /// `(method, path, status, bytes sent)` of every request so far.
    pub fn access_bytes(&self) -> Vec<(String, String, u16, u64)> {
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        log.lines()
            .filter_map(|line| {
                let mut quoted = line.split('"');
                let request = quoted.nth(1)?;
                let after = quoted.next()?;
                let mut words = request.split(' ');
                let (method, path) = (words.next()?, words.next()?);
                let mut numbers = after.split_whitespace();
                let status = numbers.next()?.parse().ok()?;
                let bytes = numbers.next()?.parse().unwrap_or(0);
                Some((method.to_string(), path.to_string(), status, bytes))
            })
            .collect()
    }

    /// The status of a manifest HEAD on `path` (`repo/manifests/<ref>`),
    /// asked for every manifest type: what a client would see.
    #[allow(dead_code)]
    pub fn head_status(&self, path: &str) -> u16 {
        let url = format!("{}/v2/{path}", self.url());
        super::block_on_thread(async move {
            reqwest::Client::new()
                .head(url)
                .header("accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    }

    /// Runs the registry's own offline `garbage-collect` over its storage.
    /// The test registry is idle meanwhile, so running it live is safe.
    pub fn garbage_collect(&self) {
        let out = Command::new(registry_binary())
            .arg("garbage-collect")
            .arg(&self.config_path)
            .stdin(Stdio::null())
            .output()
            .expect("run docker-registry garbage-collect");
        assert!(
            out.status.success(),
            "garbage-collect failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The bytes of every blob the filesystem driver stores under `storage`.
pub fn stored_blob_bytes(storage: &Path) -> u64 {
    fn walk(dir: &Path) -> u64 {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => walk(&e.path()),
                    Ok(t) if t.is_file() && e.file_name() == "data" => {
                        e.metadata().map_or(0, |m| m.len())
                    }
                    _ => 0,
                })
                .sum()
        })
    }
    walk(&storage.join("docker/registry/v2/blobs"))
}

fn try_start(config: &RegistryConfig) -> Result<TestRegistry, String> {
    let workdir = tempfile::tempdir().expect("tempdir");
    let port = super::free_port();
    let yaml = config_yaml(config, port, workdir.path());
    let config_path = workdir.path().join("config.yml");
    std::fs::write(&config_path, yaml).expect("write registry config");
    let log_path = workdir.path().join("registry.log");
    let log = std::fs::File::create(&log_path).expect("registry log");
    let mut cmd = Command::new(registry_binary());
    cmd.arg("serve")
        .arg(&config_path)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log handle"))
        .stderr(log);
    let mut child = ChildGuard::spawn(cmd).map_err(|e| format!("spawn failed: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if child.exited() {
            return Err(std::fs::read_to_string(&log_path).unwrap_or_default());
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // The port was free when picked; make sure our registry, not another
            // process that took it meanwhile, is the one answering.
            if child.exited() || (config.tls.is_none() && !is_distribution(port)) {
                return Err(format!("port {port} was taken by another process"));
            }
            return Ok(TestRegistry {
                host: format!("127.0.0.1:{port}"),
                port,
                tls: config.tls.is_some(),
                config_path: config_path.clone(),
                log_path: log_path.clone(),
                _child: child,
                _workdir: workdir,
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!(
        "not listening after 15 s\n{}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    ))
}

/// Whether the server on `port` is a Distribution registry (its API header).
fn is_distribution(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream
        .write_all(b"GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .to_ascii_lowercase()
        .contains("docker-distribution-api-version")
}

fn config_yaml(config: &RegistryConfig, port: u16, workdir: &Path) -> String {
    let mut yaml = format!(
        "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: {}\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: {}\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: regscope-test-secret\n",
        !config.access_log,
        config.storage.display(),
        config.delete_enabled
    );
    if let Some(tls) = &config.tls {
        yaml.push_str(&format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            tls.cert.display(),
            tls.key.display()
        ));
        if let Some(cas) = &config.client_cas {
            yaml.push_str(&format!("    clientcas:\n      - {}\n", cas.display()));
        }
    }
    match &config.auth {
        Auth::Anonymous => {}
        Auth::Htpasswd(users) => {
            let path = workdir.join("htpasswd");
            let lines: Vec<String> = users
                .iter()
                .map(|(u, p)| format!("{u}:{}", bcrypt::hash(p, 4).expect("bcrypt")))
                .collect();
            std::fs::write(&path, lines.join("\n") + "\n").expect("write htpasswd");
            yaml.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: regscope-test\n    path: {}\n",
                path.display()
            ));
        }
        Auth::Token {
            realm,
            service,
            issuer,
            root_cert,
        } => {
            yaml.push_str(&format!(
                "auth:\n  token:\n    realm: {realm}\n    service: {service}\n    issuer: {issuer}\n    rootcertbundle: {}\n",
                root_cert.display()
            ));
        }
    }
    yaml
}
