//! The config file (`config.toml`) and the directories regscope uses.

use crate::oci::reference::parse_registry;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Requests per second to a registry off loopback unless configured: under
/// what hosted registries document per client (Quay.io: "a few requests per
/// second per IP" with bursts; its nginx default ~50/s).
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 20;
pub const DEFAULT_CONCURRENCY: usize = 8;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// What `regscope` opens without a target.
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// Turns deletion off in the browser.
    #[serde(default)]
    pub read_only: bool,
    /// Screens of rows around the visible ones the browser fetches on its own.
    #[serde(default)]
    pub prefetch_screens: Option<usize>,
    /// The browser's background fetching pauses under this percentage of a
    /// registry's announced pull budget (`RateLimit-Remaining`).
    #[serde(default)]
    pub pull_reserve_percent: Option<u8>,
    #[serde(default)]
    pub registries: BTreeMap<String, RegistrySettings>,
    #[serde(default)]
    pub cache: CacheSettings,
    /// `[files]`: bounds of reading layers (`files`, `diff`, the file tree).
    #[serde(default)]
    pub files: FilesSettings,
    /// Retention policies `regscope prune REGISTRY --policy` applies.
    #[serde(default)]
    pub policy: Vec<PolicySettings>,
    /// `[protect]`: images no deletion may touch.
    #[serde(default)]
    pub protect: ProtectSettings,
    /// `[[commands]]`: your commands on the browser's selected image.
    #[serde(default)]
    pub commands: Vec<CommandSettings>,
    /// Repositories (`host/name`) the browser lists where a registry keeps
    /// its catalog closed (Docker Hub, GHCR, ECR).
    #[serde(default)]
    pub favorites: Vec<String>,
    /// `[[verify]]`: the key that signs the images of the repositories it
    /// names (the browser's SIGNED column, the detail's signature line).
    #[serde(default)]
    pub verify: Vec<VerifySettings>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySettings {
    /// `host/repository` glob (`*` within a path component, `**` across).
    pub repos: String,
    /// PEM public key.
    pub key: PathBuf,
}

/// `[[commands]]`: a key in the browser runs a command on the selection.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSettings {
    pub key: String,
    pub description: String,
    /// `"trivy image {ref}"` or `["trivy", "image", "{ref}"]`.
    pub run: RunLine,
    /// Ask before running.
    #[serde(default)]
    pub confirm: bool,
    /// `pane` (captured, shown in a screen) or `terminal` (the browser
    /// steps aside while it runs).
    #[serde(default)]
    pub output: CommandOutput,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum RunLine {
    Line(String),
    Words(Vec<String>),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandOutput {
    #[default]
    Pane,
    Terminal,
}

/// `[protect]`: lists of running images (references, digests, kubectl's
/// `docker-pullable://…` image IDs), from files and from a command.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectSettings {
    #[serde(default)]
    pub files: Vec<PathBuf>,
    /// Run with `sh -c`; its standard output is a protect list. A failure or
    /// a time-out makes every deleting command refuse.
    #[serde(default)]
    pub command: Option<String>,
    /// How long the command may run (`30s` unless set).
    #[serde(default)]
    pub timeout: Option<String>,
}

/// `[[policy]]`: the repositories it covers and the same rules as `prune`'s flags.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySettings {
    /// A glob over repository names (`team/*`, `team/**`).
    pub repos: String,
    #[serde(default)]
    pub keep_newest: Option<usize>,
    #[serde(default)]
    pub keep: Vec<String>,
    #[serde(default)]
    pub only: Option<String>,
    /// An age: `90d`, `12h`, `2w`.
    #[serde(default)]
    pub older_than: Option<String>,
    #[serde(default)]
    pub include_undated: bool,
}

/// `[files]`: how far layers are read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesSettings {
    /// The largest layer streamed (`"2GiB"`).
    #[serde(default)]
    pub max_layer_size: Option<String>,
    /// The most entries indexed in one layer.
    #[serde(default)]
    pub max_layer_entries: Option<usize>,
    /// The most entries all the layers of one image hold together.
    #[serde(default)]
    pub max_image_entries: Option<usize>,
    /// The most MiB of paths and link targets one image's layers hold together.
    #[serde(default)]
    pub max_image_path_mib: Option<u64>,
}

/// `[cache]`: the store file's size bound and how long a tag snapshot is trusted.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// `1GiB`, `500MB`, or bytes.
    #[serde(default)]
    pub max_size: Option<String>,
    /// Trust a tag snapshot younger than this without any request (`10m`).
    #[serde(default)]
    pub max_age: Option<String>,
}

/// Per-registry options, keyed by `host[:port]` in `[registries."host:port"]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySettings {
    /// Accept TLS certificates that do not verify.
    #[serde(default)]
    pub insecure: bool,
    /// Plain HTTP instead of HTTPS.
    #[serde(default)]
    pub plain_http: bool,
    /// A PEM certificate to trust: a CA, or the server's own self-signed one.
    #[serde(default)]
    pub ca_cert: Option<PathBuf>,
    /// A client certificate and its key (mutual TLS).
    #[serde(default)]
    pub client_cert: Option<PathBuf>,
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    #[serde(default)]
    pub concurrency: Option<usize>,
    #[serde(default)]
    pub username: Option<String>,
    /// The deadline of one operation (`30s`, `2m`).
    #[serde(default)]
    pub timeout: Option<String>,
    /// Requests per second at most (0: no limit).
    #[serde(default)]
    pub max_requests_per_second: Option<u32>,
}

impl Config {
    /// Loads `explicit` (which must exist) or the default file (which may not).
    pub fn load(explicit: Option<&Path>) -> Result<Config, String> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match config_dir() {
                Some(dir) => dir.join("config.toml"),
                None => return Ok(Config::default()),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
                return Ok(Config::default());
            }
            Err(e) => return Err(format!("cannot read config {}: {e}", path.display())),
        };
        Config::parse(&text).map_err(|e| format!("invalid config {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.message().to_string())?;
        for policy in &config.policy {
            if let Some(age) = &policy.older_than {
                parse_age(age).map_err(|e| format!("[[policy]] older_than: {e}"))?;
            }
        }
        if let Some(size) = &config.cache.max_size {
            parse_size(size).map_err(|e| format!("[cache] max_size: {e}"))?;
        }
        if let Some(size) = &config.files.max_layer_size {
            parse_size(size).map_err(|e| format!("[files] max_layer_size: {e}"))?;
        }
        if let Some(age) = &config.cache.max_age {
            parse_duration(age).map_err(|e| format!("[cache] max_age: {e}"))?;
        }
        if let Some(timeout) = &config.protect.timeout {
            parse_duration(timeout).map_err(|e| format!("[protect] timeout: {e}"))?;
        }
        for (key, settings) in &config.registries {
            parse_registry(key).map_err(|e| format!("[registries.{key:?}]: {e}"))?;
            if let Some(timeout) = &settings.timeout {
                parse_duration(timeout)
                    .map_err(|e| format!("[registries.{key:?}] timeout: {e}"))?;
            }
        }
        Ok(config)
    }

    /// The settings for `registry` (`host[:port]`, already normalised).
    pub fn registry(&self, registry: &str) -> RegistrySettings {
        self.registries
            .iter()
            .find(|(key, _)| parse_registry(key).is_ok_and(|k| k == registry))
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }

    /// The request pace for `registry`: `flag`, else the config's, else
    /// `default`; 0 means no limit.
    pub fn requests_per_second_for(
        &self,
        registry: &str,
        flag: Option<u32>,
        default: Option<u32>,
    ) -> Option<u32> {
        flag.or(self.registry(registry).max_requests_per_second)
            .map_or(default, |n| (n > 0).then_some(n))
    }

    pub fn concurrency_for(&self, registry: &str) -> usize {
        self.registry(registry)
            .concurrency
            .or(self.concurrency)
            .unwrap_or(DEFAULT_CONCURRENCY)
            .clamp(1, 64)
    }
}

/// An age: `90d`, `2w`, `12h`, `30m`, `45s` → seconds.
pub fn parse_age(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: i64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not an age such as 90d, 12h or 2w"))?;
    let unit: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("{text:?}: use s, m, h, d or w (90d, 12h)")),
    };
    number
        .checked_mul(unit)
        .ok_or_else(|| format!("{text:?} is too long"))
}

/// `1GiB`, `500MiB`, `200MB`, `64k`, or bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 1GiB or 500MB"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "{text:?}: unknown unit (use B, kB, MB, GB, KiB, MiB, GiB)"
            ));
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// `30s`, `2m`, `1m30s`, or whole seconds (`45`); more than zero, at most a day.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let parsed = match text.parse::<u64>() {
        Ok(seconds) => std::time::Duration::from_secs(seconds),
        Err(_) => text
            .parse::<jiff::SignedDuration>()
            .ok()
            .and_then(|d| std::time::Duration::try_from(d).ok())
            .ok_or_else(|| format!("{text:?} is not a duration such as 30s or 2m"))?,
    };
    let day = std::time::Duration::from_secs(24 * 3600);
    if parsed.is_zero() || parsed > day {
        return Err(format!(
            "{text:?}: a duration must be more than 0 and at most 24h"
        ));
    }
    Ok(parsed)
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "regscope")
}

fn xdg(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .map(|p| p.join("regscope"))
}

/// `$XDG_CONFIG_HOME/regscope` (also on macOS), else the platform's config dir.
pub fn config_dir() -> Option<PathBuf> {
    xdg("XDG_CONFIG_HOME").or_else(|| project_dirs().map(|d| d.config_dir().to_path_buf()))
}

pub fn cache_dir() -> Option<PathBuf> {
    xdg("XDG_CACHE_HOME").or_else(|| project_dirs().map(|d| d.cache_dir().to_path_buf()))
}

/// Where the log and the trash go: the state dir, falling back to the cache dir.
pub fn state_dir() -> Option<PathBuf> {
    log_dir()
}

/// Where the log goes: the state dir, falling back to the cache dir.
pub fn log_dir() -> Option<PathBuf> {
    xdg("XDG_STATE_HOME")
        .or_else(|| project_dirs().and_then(|d| d.state_dir().map(Path::to_path_buf)))
        .or_else(cache_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_per_registry_settings() {
        let config = Config::parse(
            r#"
default = "localhost:5000"
concurrency = 4
[registries."LOCALHOST:5000"]
insecure = true
concurrency = 2
username = "me"
"#,
        )
        .unwrap();
        assert_eq!(config.default.as_deref(), Some("localhost:5000"));
        let s = config.registry("localhost:5000");
        assert!(s.insecure);
        assert_eq!(s.username.as_deref(), Some("me"));
        assert_eq!(config.concurrency_for("localhost:5000"), 2);
        assert_eq!(config.concurrency_for("other.io"), 4);
    }

    #[test]
    fn rejects_unknown_keys_and_bad_hosts() {
        assert!(Config::parse("colour = 1").is_err());
        assert!(Config::parse("[registries.\"bad host\"]").is_err());
    }
}
