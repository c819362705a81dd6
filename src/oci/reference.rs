//! Image references `[registry[:port]/]repository[:tag][@digest]`, normalised as Docker does.

use super::digest::{Digest, DigestError};
use std::fmt;

pub const DOCKER_HUB: &str = "docker.io";
const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference {input:?}: {reason}")]
    Invalid { input: String, reason: String },
    #[error("invalid reference {input:?}: {source}")]
    Digest { input: String, source: DigestError },
}

fn invalid(input: &str, reason: impl Into<String>) -> ReferenceError {
    ReferenceError::Invalid {
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// A repository on a registry: `registry/repository`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepositoryRef {
    pub registry: String,
    pub repository: String,
}

/// A fully qualified image: a repository plus a tag and/or a digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl ImageRef {
    /// Parses a reference; with neither tag nor digest the tag is `latest`.
    pub fn parse(input: &str) -> Result<ImageRef, ReferenceError> {
        let parts = split_reference(input)?;
        let tag = match (&parts.tag, &parts.digest) {
            (None, None) => Some("latest".to_string()),
            (tag, _) => tag.clone(),
        };
        Ok(ImageRef {
            registry: parts.registry,
            repository: parts.repository,
            tag,
            digest: parts.digest,
        })
    }

    /// What goes after `/manifests/`: the digest when there is one, else the tag.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_string(),
        }
    }

    pub fn repository_ref(&self) -> RepositoryRef {
        RepositoryRef {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
        }
    }
}

impl RepositoryRef {
    /// Parses a repository name; a tag or digest is an error.
    pub fn parse(input: &str) -> Result<RepositoryRef, ReferenceError> {
        let parts = split_reference(input)?;
        if parts.tag.is_some() || parts.digest.is_some() {
            return Err(invalid(
                input,
                "expected a repository without a tag or digest",
            ));
        }
        Ok(RepositoryRef {
            registry: parts.registry,
            repository: parts.repository,
        })
    }
}

impl fmt::Display for RepositoryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

struct Parts {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

fn split_reference(input: &str) -> Result<Parts, ReferenceError> {
    if input.is_empty() {
        return Err(invalid(input, "reference is empty"));
    }
    if let Some(c) = input.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(input, format!("contains the character {c:?}")));
    }
    let (name_and_tag, digest) = match input.split_once('@') {
        Some((rest, d)) => (rest, Some(parse_digest(input, d)?)),
        None => (input, None),
    };
    let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
        Some(i) => {
            let at = last_slash + i;
            (&name_and_tag[..at], Some(&name_and_tag[at + 1..]))
        }
        None => (name_and_tag, None),
    };
    if let Some(tag) = tag {
        validate_tag(input, tag)?;
    }
    let (registry, repository) = split_registry(input, name)?;
    validate_repository(input, &repository)?;
    if registry.len() + 1 + repository.len() > MAX_NAME_LEN {
        return Err(invalid(
            input,
            format!("name is longer than {MAX_NAME_LEN} characters"),
        ));
    }
    Ok(Parts {
        registry,
        repository,
        tag: tag.map(str::to_string),
        digest,
    })
}

fn parse_digest(input: &str, text: &str) -> Result<Digest, ReferenceError> {
    text.parse().map_err(|source| ReferenceError::Digest {
        input: input.to_string(),
        source,
    })
}

/// Docker's rule: the first component is a registry when it has a `.` or `:`,
/// is `localhost`, or has uppercase letters; otherwise the image is on Docker Hub.
fn split_registry(input: &str, name: &str) -> Result<(String, String), ReferenceError> {
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest)) if looks_like_registry(first) => {
            (normalize_registry(input, first)?, rest.to_string())
        }
        _ => (DOCKER_HUB.to_string(), name.to_string()),
    };
    let repository = if registry == DOCKER_HUB && !repository.contains('/') {
        format!("library/{repository}")
    } else {
        repository
    };
    Ok((registry, repository))
}

fn looks_like_registry(first: &str) -> bool {
    first.contains(['.', ':'])
        || first == "localhost"
        || first.starts_with('[')
        || first.chars().any(|c| c.is_ascii_uppercase())
}

/// Validates `host[:port]` (or `[ipv6]:port`) and maps Docker Hub's aliases to `docker.io`.
pub fn parse_registry(input: &str) -> Result<String, ReferenceError> {
    let trimmed = input
        .strip_prefix("https://")
        .or_else(|| input.strip_prefix("http://"))
        .unwrap_or(input)
        .trim_end_matches('/');
    if trimmed.contains('/') {
        return Err(invalid(
            input,
            "expected a registry host such as localhost:5000, not a repository",
        ));
    }
    normalize_registry(input, trimmed)
}

fn normalize_registry(input: &str, host_port: &str) -> Result<String, ReferenceError> {
    let (host, port) = split_host_port(input, host_port)?;
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(invalid(input, format!("invalid port {port:?}"))),
        }
    }
    let host = host.to_ascii_lowercase();
    let host = match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
        _ => host,
    };
    Ok(match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

fn split_host_port<'a>(
    input: &str,
    host_port: &'a str,
) -> Result<(&'a str, Option<&'a str>), ReferenceError> {
    if let Some(rest) = host_port.strip_prefix('[') {
        let (addr, after) = rest
            .split_once(']')
            .ok_or_else(|| invalid(input, "unterminated IPv6 address"))?;
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(invalid(input, format!("invalid IPv6 address {addr:?}")));
        }
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| invalid(input, "expected :port after the IPv6 address"))?,
            ),
        };
        return Ok((&host_port[..addr.len() + 2], port));
    }
    let (host, port) = match host_port.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (host_port, None),
    };
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if host.is_empty() || !host.split('.').all(valid_label) {
        return Err(invalid(input, format!("invalid registry host {host:?}")));
    }
    Ok((host, port))
}

/// A repository name by the distribution grammar (lowercase path components).
pub fn is_valid_repository(name: &str) -> bool {
    validate_repository(name, name).is_ok()
}

/// A tag by the distribution grammar: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
pub fn is_valid_tag(tag: &str) -> bool {
    validate_tag(tag, tag).is_ok()
}

fn validate_tag(input: &str, tag: &str) -> Result<(), ReferenceError> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    let first_ok = chars.next().is_some_and(word);
    if !first_ok || !chars.all(|c| word(c) || c == '.' || c == '-') {
        return Err(invalid(
            input,
            format!(
                "invalid tag {tag:?}: use letters, digits, '_', '.' and '-', not starting with '.' or '-'"
            ),
        ));
    }
    if tag.len() > MAX_TAG_LEN {
        return Err(invalid(
            input,
            format!("tag is longer than {MAX_TAG_LEN} characters"),
        ));
    }
    Ok(())
}

fn validate_repository(input: &str, repository: &str) -> Result<(), ReferenceError> {
    if repository.is_empty() {
        return Err(invalid(input, "repository name is empty"));
    }
    for component in repository.split('/') {
        if component.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(invalid(input, "repository name must be lowercase"));
        }
        if !valid_path_component(component) {
            return Err(invalid(
                input,
                format!(
                    "invalid repository path component {component:?}: use a-z, 0-9 joined by '.', '_', '__' or '-'"
                ),
            ));
        }
    }
    Ok(())
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_path_component(component: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut separator = String::new();
    let mut seen_alnum = false;
    for c in component.chars() {
        if alnum(c) {
            if !separator.is_empty() && !valid_separator(&separator) {
                return false;
            }
            separator.clear();
            seen_alnum = true;
        } else if matches!(c, '.' | '_' | '-') && seen_alnum {
            separator.push(c);
        } else {
            return false;
        }
    }
    seen_alnum && separator.is_empty()
}

fn valid_separator(sep: &str) -> bool {
    matches!(sep, "." | "_" | "__") || sep.chars().all(|c| c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(s: &str) -> String {
        ImageRef::parse(s).unwrap().to_string()
    }

    #[test]
    fn the_grammar_predicates_and_ports() {
        assert!(is_valid_repository("team/app") && is_valid_repository("a.b_c__d-e"));
        assert!(
            !is_valid_repository("Team/app")
                && !is_valid_repository("")
                && !is_valid_repository("a//b")
        );
        assert!(is_valid_tag("v1.2-rc_3") && is_valid_tag("_x") && is_valid_tag(&"a".repeat(128)));
        assert!(
            !is_valid_tag("-x") && !is_valid_tag(".x") && !is_valid_tag("a/b") && !is_valid_tag("")
        );
        assert!(!is_valid_tag(&"a".repeat(129)));
        assert!(ImageRef::parse("reg:0/app").is_err(), "port 0");
        assert!(ImageRef::parse("reg:1/app").is_ok(), "port 1");
        assert!(ImageRef::parse("reg:65536/app").is_err());
        // An uppercase first component is a registry (Docker's rule), lowercased.
        assert_eq!(full("Registry/app"), "registry/app:latest");
    }

    #[test]
    fn names_up_to_255_characters_with_the_registry() {
        // "r.io/" is 5 characters: 250 of repository make exactly 255.
        let name = |n: usize| format!("r.io/{}", "a".repeat(n));
        assert!(ImageRef::parse(&name(250)).is_ok());
        let err = ImageRef::parse(&name(251)).unwrap_err().to_string();
        assert!(err.contains("longer than 255"), "{err}");
    }

    #[test]
    fn whitespace_and_control_characters_are_refused_alone() {
        for bad in ["a b", "app:1\t", "app\u{1}", "app\u{7f}"] {
            let err = ImageRef::parse(bad).unwrap_err().to_string();
            assert!(err.contains("contains the character"), "{bad:?}: {err}");
        }
        // A colon right before the last slash is an empty port, not a tag.
        let err = ImageRef::parse("localhost:/app").unwrap_err().to_string();
        assert!(err.contains("port"), "{err}");
    }

    #[test]
    fn normalises_like_docker() {
        assert_eq!(full("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(
            full("index.docker.io/alpine:3"),
            "docker.io/library/alpine:3"
        );
        assert_eq!(full("user/app"), "docker.io/user/app:latest");
        assert_eq!(full("localhost/app"), "localhost/app:latest");
        assert_eq!(full("localhost:5000/a/b:1.0"), "localhost:5000/a/b:1.0");
        assert_eq!(full("[::1]:5000/x"), "[::1]:5000/x:latest");
        assert_eq!(full("Example.COM/app"), "example.com/app:latest");
        assert_eq!(full("ghcr.io/org/app:v1"), "ghcr.io/org/app:v1");
    }

    #[test]
    fn digest_only_has_no_tag() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = ImageRef::parse(&format!("reg.io/app@{d}")).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.manifest_reference(), d);
        let both = ImageRef::parse(&format!("reg.io/app:1@{d}")).unwrap();
        assert_eq!(both.tag.as_deref(), Some("1"));
        assert_eq!(both.manifest_reference(), d);
    }

    #[test]
    fn accepts_separators() {
        for ok in ["a.b", "a_b", "a__b", "a-b", "a---b", "a/b.c/d_e", "0"] {
            assert!(
                RepositoryRef::parse(&format!("reg.io/{ok}")).is_ok(),
                "{ok}"
            );
        }
    }

    #[test]
    fn rejects_bad_references() {
        let long_tag = format!("reg.io/app:{}", "t".repeat(129));
        let cases = [
            "",
            "reg.io/App",
            "reg.io/a___b",
            "reg.io/a..b",
            "reg.io/-a",
            "reg.io/a-",
            "reg.io/a//b",
            "reg.io/app:.tag",
            "reg.io/app:ta g",
            "reg.io/app@sha256:abc",
            "reg.io/app@md5:abc",
            "reg.io:99999/app",
            "[::1/app",
            "[zz]:5/app",
            long_tag.as_str(),
        ];
        for case in cases {
            assert!(
                ImageRef::parse(case).is_err(),
                "{case:?} should be rejected"
            );
        }
        assert!(ImageRef::parse(&format!("reg.io/app:{}", "t".repeat(128))).is_ok());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let err = ImageRef::parse("reg.io/App").unwrap_err().to_string();
        assert!(err.contains("must be lowercase"), "{err}");
        let err = ImageRef::parse("reg.io/app@sha256:12")
            .unwrap_err()
            .to_string();
        assert!(err.contains("64 lowercase hex"), "{err}");
    }

    #[test]
    fn repository_refuses_tags() {
        assert!(RepositoryRef::parse("reg.io/app:1").is_err());
        assert_eq!(
            RepositoryRef::parse("nginx").unwrap().to_string(),
            "docker.io/library/nginx"
        );
    }

    #[test]
    fn parses_registries() {
        assert_eq!(parse_registry("localhost:5000").unwrap(), "localhost:5000");
        assert_eq!(
            parse_registry("https://index.docker.io/").unwrap(),
            "docker.io"
        );
        assert_eq!(parse_registry("[::1]:5000").unwrap(), "[::1]:5000");
        assert!(parse_registry("reg.io/app").is_err());
        assert!(parse_registry("bad_host").is_err());
    }
}
