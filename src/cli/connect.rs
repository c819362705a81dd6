//! From command-line options and config to a connected registry client.

use super::args::GlobalArgs;
use super::exit::UsageError;
use crate::config::{Config, parse_duration};
use crate::layout::LayoutStore;
use crate::registry::RegistryClient;
use crate::registry::auth::{CredentialSources, Credentials};
use crate::registry::tls::{ClientCert, HostTrust, certs_d, certs_d_roots};
use crate::registry::transport::{DEFAULT_DEADLINE, RetryPolicy, TransportOptions, TrustForHost};
use crate::source::Source;
use crate::source::target::{Location, Target};
use anyhow::Result;
use std::io::Read;
use std::sync::Arc;

/// Everything a subcommand needs before it talks to a registry.
pub struct Context {
    pub global: GlobalArgs,
    pub config: Config,
    /// From `--password-stdin`.
    password: Option<String>,
    /// `REGSCOPE_USERNAME`/`REGSCOPE_PASSWORD` and the one registry they name.
    env: EnvCredentials,
    /// The registry of the command's target: the only one flag and environment
    /// credentials (`--username`, `--password-stdin`, `REGSCOPE_*`) go to.
    bound: Option<String>,
    /// A command that deletes (or restores): only the registry may answer it,
    /// never the store (`--max-age`, `[cache] max_age` do not apply).
    pub deleting: bool,
    /// The store file, opened once for the whole command.
    store: Arc<std::sync::OnceLock<Option<crate::store::db::Store>>>,
}

impl Context {
    /// Validates the flags and reads the password (stdin or `REGSCOPE_PASSWORD`) once.
    pub fn new(global: GlobalArgs) -> Result<Context> {
        if global.password_stdin && global.username.is_none() {
            return Err(UsageError("--password-stdin needs --username".into()).into());
        }
        let config = Config::load(global.config.as_deref()).map_err(UsageError)?;
        let password = if global.password_stdin {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            Some(text.trim_end_matches(['\n', '\r']).to_string())
        } else {
            None
        };
        let env = EnvCredentials::from_env(&config)?;
        Ok(Context {
            global,
            config,
            password,
            env,
            bound: None,
            deleting: false,
            store: Arc::default(),
        })
    }

    /// Where protected images are listed: `--protect` files, then `[protect]`.
    pub fn protect_sources(&self) -> crate::ops::protect::ProtectSources {
        let settings = &self.config.protect;
        let mut files = self.global.protect.clone();
        files.extend(settings.files.iter().cloned());
        crate::ops::protect::ProtectSources {
            files,
            command: settings.command.clone(),
            timeout: settings
                .timeout
                .as_deref()
                .and_then(|t| parse_duration(t).ok()),
        }
    }

    /// The protected images, or why deleting must refuse (fail closed).
    pub async fn protected(&self) -> Result<crate::model::protect::Protected> {
        self.protect_sources()
            .load()
            .await
            .map_err(|e| anyhow::anyhow!("{e}; nothing deleted"))
    }

    /// Whether the user gave credentials by flag (bound to one registry).
    pub fn has_flag_credentials(&self) -> bool {
        self.global.username.is_some() || self.password.is_some()
    }

    /// For `login REGISTRY`, which names its registry: the flag user name,
    /// else `REGSCOPE_USERNAME`.
    pub fn login_username(&self) -> Option<&str> {
        self.global
            .username
            .as_deref()
            .or(self.env.username.as_deref())
    }

    /// Binds flag and environment credentials to the registries `targets` name.
    /// Refused when they name more than one registry (which should get them?).
    pub fn bind_to(&mut self, targets: &[&Target]) -> Result<()> {
        let mut registries: Vec<&str> = targets
            .iter()
            .filter_map(|t| match &t.location {
                Location::Registry(host) => Some(host.as_str()),
                Location::Layout(_) => None,
            })
            .collect();
        registries.sort_unstable();
        registries.dedup();
        match registries.as_slice() {
            [] => {}
            [one] => self.bound = Some((*one).to_string()),
            several if self.has_flag_credentials() => {
                return Err(UsageError(format!(
                    "--username/--password-stdin/REGSCOPE_* credentials apply to one registry; \
                     these images are on {}: run one command per registry",
                    several.join(" and ")
                ))
                .into());
            }
            _ => {}
        }
        Ok(())
    }

    /// Parallel requests for a target: the registry's setting, or the default for layouts.
    pub fn concurrency_for(&self, location: &Location) -> usize {
        match location {
            Location::Registry(host) => self.concurrency(host),
            Location::Layout(_) => crate::config::DEFAULT_CONCURRENCY,
        }
    }

    pub fn concurrency(&self, registry: &str) -> usize {
        match self.global.concurrency {
            Some(n) => n as usize,
            None => self.config.concurrency_for(registry),
        }
    }

    /// The source a target lives in, and the repository it names (a single layout
    /// names its own).
    pub async fn open(&self, target: &Target) -> Result<(Source, Option<String>)> {
        match &target.location {
            Location::Registry(host)
                if self.global.offline || (!self.deleting && self.fresh_snapshot(host, target)) =>
            {
                Ok((
                    Source::Registry(Arc::new(RegistryClient::offline(host)?)),
                    target.repository.clone(),
                ))
            }
            Location::Registry(host) => {
                let client = self.connect(host).await?;
                Ok((
                    Source::Registry(Arc::new(client)),
                    target.repository.clone(),
                ))
            }
            Location::Layout(path) => {
                let store = LayoutStore::open(path)?;
                let repository = store
                    .is_single()
                    .then(|| store.repositories().ok())
                    .flatten()
                    .and_then(|l| l.items.into_iter().next());
                Ok((Source::Layout(Arc::new(store)), repository))
            }
        }
    }

    /// The target answered from the store, for when its registry cannot be
    /// reached and a snapshot of the repository (or, for a registry, of its
    /// catalog) is stored.
    pub fn open_stored(
        &self,
        target: &Target,
        error: &anyhow::Error,
    ) -> Option<(Source, Option<String>)> {
        let Location::Registry(host) = &target.location else {
            return None;
        };
        let unreachable = error.chain().any(|cause| {
            matches!(
                cause.downcast_ref::<crate::oci::Error>(),
                Some(crate::oci::Error::Transport { .. })
            )
        });
        if !unreachable {
            return None;
        }
        match &target.repository {
            Some(_) => drop(self.stored_snapshot(host, target)?),
            None => drop(self.store()?.catalog(host)?),
        }
        let client = RegistryClient::offline(host).ok()?;
        Some((
            Source::Registry(Arc::new(client)),
            target.repository.clone(),
        ))
    }

    /// The stored tag snapshot of the target's repository on `host`.
    fn stored_snapshot(&self, host: &str, target: &Target) -> Option<crate::store::db::Snapshot> {
        let repository = target.repository.as_ref()?;
        self.store()?.snapshot(host, repository)
    }

    /// Like `open`, for commands that need one repository.
    pub async fn open_repository(&self, target: &Target) -> Result<(Source, String)> {
        let (source, repository) = self.open(target).await?;
        let repository = repository.ok_or_else(|| {
            UsageError(match target.location {
                Location::Registry(_) => {
                    "expected a repository such as localhost:5000/app".to_string()
                }
                Location::Layout(_) => {
                    "this is a directory of layouts: point at one of them".to_string()
                }
            })
        })?;
        Ok((source, repository))
    }

    pub async fn connect(&self, registry: &str) -> Result<RegistryClient> {
        let settings = self.config.registry(registry);
        let credentials = self
            .credentials(registry, settings.username.as_deref())
            .await?;
        self.connect_with(registry, credentials).await
    }

    /// Connects with exactly `credentials` (what `login` checks).
    pub async fn connect_with(
        &self,
        registry: &str,
        credentials: Credentials,
    ) -> Result<RegistryClient> {
        let settings = self.config.registry(registry);
        let trust = host_trust(&self.global.ca_cert, &self.config, registry);
        let flag_client = match (&self.global.client_cert, &self.global.client_key) {
            (Some(cert), Some(key)) => Some(ClientCert {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        };
        let others = (self.global.ca_cert.clone(), self.config.clone());
        let deadline = self
            .global
            .timeout
            .or_else(|| {
                settings
                    .timeout
                    .as_deref()
                    .and_then(|t| parse_duration(t).ok())
            })
            .unwrap_or(DEFAULT_DEADLINE);
        let transport = TransportOptions {
            retry: RetryPolicy {
                budget: deadline,
                ..RetryPolicy::default()
            },
            insecure: self.global.insecure || settings.insecure,
            plain_http: self.global.plain_http || settings.plain_http,
            ca_certs: trust.ca_certs,
            client_cert: flag_client.or(trust.client_cert),
            trust_for_host: TrustForHost(Arc::new(move |host| {
                host_trust(&others.0, &others.1, host)
            })),
            max_requests_per_second: self.config.requests_per_second_for(
                registry,
                self.global.max_requests_per_second,
                default_pace(registry),
            ),
            ..TransportOptions::default()
        };
        tracing::info!(registry, ?credentials, "connecting");
        Ok(RegistryClient::connect(registry, transport, credentials).await?)
    }

    /// Whether `--max-age` (or the config's) lets the stored snapshot of the
    /// target's repository answer, so that no connection is needed at all.
    fn fresh_snapshot(&self, host: &str, target: &Target) -> bool {
        let freshness = self.freshness();
        matches!(freshness, crate::store::Freshness::MaxAge(_))
            && self
                .stored_snapshot(host, target)
                .is_some_and(|s| freshness.trusts(&s, jiff::Timestamp::now().as_second()))
    }

    /// How far layers are read: the flag, else `[files]`, else the defaults.
    pub fn files_options(&self, max_layer_size: Option<u64>) -> crate::ops::files::FilesOptions {
        let settings = &self.config.files;
        let defaults = crate::ops::files::FilesOptions::default();
        crate::ops::files::FilesOptions {
            max_layer_size: max_layer_size
                .or_else(|| {
                    let size = settings.max_layer_size.as_deref()?;
                    crate::config::parse_size(size).ok()
                })
                .unwrap_or(defaults.max_layer_size),
            max_entries: settings.max_layer_entries.unwrap_or(defaults.max_entries),
            max_image_entries: settings
                .max_image_entries
                .unwrap_or(defaults.max_image_entries),
            max_image_path_bytes: settings
                .max_image_path_mib
                .map_or(defaults.max_image_path_bytes, |m| m.saturating_mul(1 << 20)),
        }
    }

    /// The store file (a warning on stderr when it had to be rebuilt), opened
    /// at the first use and shared after.
    pub fn store(&self) -> Option<crate::store::db::Store> {
        self.store.get_or_init(|| self.open_store()).clone()
    }

    /// What flushes the store once the command is done, if it opened it:
    /// what one command learnt (manifests, configs, tags) is there for the next.
    pub fn store_flush(&self) -> StoreFlush {
        StoreFlush(self.store.clone())
    }

    fn open_store(&self) -> Option<crate::store::db::Store> {
        let max = self
            .config
            .cache
            .max_size
            .as_deref()
            .and_then(|s| crate::config::parse_size(s).ok())
            .unwrap_or(crate::store::db::DEFAULT_MAX_BYTES);
        let (store, warning) = crate::store::open_default_store(max);
        if let Some(warning) = warning {
            eprintln!(
                "regscope: warning: {}",
                crate::oci::text::sanitize(&warning)
            );
        }
        store
    }

    /// How far tag snapshots are trusted: `--offline`, `--max-age`, the config's `max_age`.
    pub fn freshness(&self) -> crate::store::Freshness {
        use crate::store::Freshness;
        if self.global.offline {
            return Freshness::Offline;
        }
        if self.deleting {
            return Freshness::Revalidate;
        }
        let configured = self
            .config
            .cache
            .max_age
            .as_deref()
            .and_then(|a| parse_duration(a).ok());
        match self.global.max_age.or(configured) {
            Some(age) => Freshness::MaxAge(age),
            None => Freshness::Revalidate,
        }
    }

    /// `source` behind the store, at this command's width and freshness.
    pub fn cached(&self, source: Source, concurrency: usize) -> crate::store::CachedSource {
        crate::store::CachedSource::new(source, self.store())
            .with_width(concurrency)
            .with_freshness(self.freshness())
    }

    /// The password from `--password-stdin`, else `REGSCOPE_PASSWORD` (for
    /// `login REGISTRY`, which names its registry).
    pub fn flag_password(&self) -> Option<&str> {
        self.password.as_deref().or(self.env.password.as_deref())
    }

    /// The command's registry gets the flag credentials (`--username` with
    /// `--password-stdin`, or with `REGSCOPE_PASSWORD` when the environment
    /// names that registry) and its config `username`; the environment's
    /// `REGSCOPE_USERNAME`/`REGSCOPE_PASSWORD` go only to the registry it names;
    /// every registry gets what the user's auth files hold for it.
    async fn credentials(&self, registry: &str, config_user: Option<&str>) -> Result<Credentials> {
        let bound = self.bound.as_deref() == Some(registry);
        let env_here = self.env.registry.as_deref() == Some(registry);
        let password = self
            .password
            .as_ref()
            .or(self.env.password.as_ref().filter(|_| env_here));
        let username = match bound {
            true => self.global.username.as_deref().or(config_user),
            false => None,
        }
        .or(self.env.username.as_deref().filter(|_| env_here));
        if bound && !env_here {
            self.env.hold_back_notice(registry);
        }
        match (username, password) {
            (Some(user), Some(password)) => Ok(Credentials::Basic {
                username: user.to_string(),
                password: password.clone(),
            }),
            (Some(_), None) if bound && self.global.username.is_some() => Err(UsageError(
                "--username needs a password: pipe it to --password-stdin (REGSCOPE_PASSWORD goes only to REGSCOPE_REGISTRY)"
                    .into(),
            )
            .into()),
            _ => CredentialSources::from_env()
                .lookup(registry)
                .await
                .map_err(|e| anyhow::anyhow!(e)),
        }
    }
}

/// `REGSCOPE_USERNAME`/`REGSCOPE_PASSWORD` name their host: the registry in
/// `REGSCOPE_REGISTRY`, else the config's `default` registry. A CI job that
/// sets them for its registry and then looks at an image named in a pull
/// request does not send them to that image's host.
#[derive(Debug, Clone, Default)]
struct EnvCredentials {
    username: Option<String>,
    password: Option<String>,
    registry: Option<String>,
    /// Said once: the registry they were held back from.
    told: Arc<std::sync::Mutex<bool>>,
}

impl EnvCredentials {
    fn from_env(config: &Config) -> Result<EnvCredentials> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let registry = match var("REGSCOPE_REGISTRY") {
            Some(text) => Some(
                crate::oci::reference::parse_registry(&text)
                    .map_err(|e| UsageError(format!("REGSCOPE_REGISTRY: {e}")))?,
            ),
            None => config
                .default
                .as_deref()
                .and_then(|d| crate::source::target::parse(d).ok())
                .and_then(|t| match t.location {
                    Location::Registry(host) => Some(host),
                    Location::Layout(_) => None,
                }),
        };
        Ok(EnvCredentials {
            username: var("REGSCOPE_USERNAME"),
            password: var("REGSCOPE_PASSWORD"),
            registry,
            told: Arc::default(),
        })
    }

    /// One line on stderr when the environment's credentials are held back
    /// from the command's registry.
    fn hold_back_notice(&self, registry: &str) {
        if self.username.is_none() && self.password.is_none() {
            return;
        }
        let mut told = self
            .told
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if std::mem::replace(&mut *told, true) {
            return;
        }
        let named = match &self.registry {
            Some(r) => format!("they are for {r} (REGSCOPE_REGISTRY, or the config's default)"),
            None => "set REGSCOPE_REGISTRY to the registry they are for".to_string(),
        };
        eprintln!(
            "regscope: REGSCOPE_USERNAME/REGSCOPE_PASSWORD not sent to {}: {named}",
            crate::oci::text::sanitize_line(registry, 200)
        );
    }
}

/// What `host` is trusted with: `--ca-cert` files (every host), its config
/// `ca_cert`, `client_cert`/`client_key` and `insecure`, and its `certs.d` directory.
fn host_trust(flag_cas: &[std::path::PathBuf], config: &Config, host: &str) -> HostTrust {
    let settings = config.registry(host);
    let from_dirs = certs_d(&certs_d_roots(), host);
    let mut ca_certs = flag_cas.to_vec();
    ca_certs.extend(settings.ca_cert.clone());
    ca_certs.extend(from_dirs.ca_certs);
    let configured = match (settings.client_cert, settings.client_key) {
        (Some(cert), Some(key)) => Some(ClientCert { cert, key }),
        _ => None,
    };
    HostTrust {
        ca_certs,
        client_cert: configured.or(from_dirs.client_cert),
        insecure: settings.insecure,
    }
}

/// No pace on loopback (a registry of one's own); elsewhere the default.
fn default_pace(registry: &str) -> Option<u32> {
    let host = match registry.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => registry,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (!crate::registry::auth::is_loopback_host(host))
        .then_some(crate::config::DEFAULT_REQUESTS_PER_SECOND)
}

/// See `Context::store_flush`.
pub struct StoreFlush(Arc<std::sync::OnceLock<Option<crate::store::db::Store>>>);

impl StoreFlush {
    pub fn flush(&self) {
        if let Some(Some(store)) = self.0.get() {
            store.flush();
        }
    }
}
