//! Protected images: digests (and tags) that no deletion, cascade or prune may
//! touch, read from lines such as `kubectl` prints for running containers
//! (`docker-pullable://REG/app@sha256:…`), image references or bare digests.

use crate::oci::digest::Digest;
use crate::oci::reference::ImageRef;
use std::collections::HashSet;

/// Prefixes container runtimes put before an image ID.
const RUNTIME_PREFIXES: [&str; 3] = ["docker-pullable://", "docker://", "containerd://"];

/// A protect list line that is neither a digest nor an image reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}, line {line}: {reason}")]
pub struct ProtectListError {
    pub origin: String,
    pub line: usize,
    pub reason: String,
}

/// What must not be deleted. A digest is protected in every repository (the
/// same content is the same image wherever it lives); a tag only in its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Protected {
    digests: HashSet<Digest>,
    /// `(registry, repository, tag)`, normalised as image references are.
    tags: HashSet<(String, String, String)>,
}

impl Protected {
    /// Reads one protect list: a line is a digest, an image reference, or
    /// blank or a `#` comment. A line that is none of these is an error (a
    /// list that cannot be read must not protect less than it says).
    pub fn parse(text: &str, origin: &str) -> Result<Protected, ProtectListError> {
        let mut protected = Protected::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            protected
                .add_line(line)
                .map_err(|reason| ProtectListError {
                    origin: origin.to_string(),
                    line: number + 1,
                    reason,
                })?;
        }
        Ok(protected)
    }

    fn add_line(&mut self, line: &str) -> Result<(), String> {
        let line = RUNTIME_PREFIXES
            .iter()
            .find_map(|p| line.strip_prefix(p))
            .unwrap_or(line);
        if line.starts_with("sha256:") || line.starts_with("sha512:") {
            let digest = line.parse::<Digest>().map_err(|e| e.to_string())?;
            self.digests.insert(digest);
            return Ok(());
        }
        let image = ImageRef::parse(line).map_err(|e| e.to_string())?;
        match (image.digest, image.tag) {
            (Some(digest), _) => {
                self.digests.insert(digest);
            }
            (None, Some(tag)) => {
                self.tags.insert((image.registry, image.repository, tag));
            }
            (None, None) => return Err(format!("{line:?} names no tag or digest")),
        }
        Ok(())
    }

    pub fn extend(&mut self, other: Protected) {
        self.digests.extend(other.digests);
        self.tags.extend(other.tags);
    }

    pub fn is_empty(&self) -> bool {
        self.digests.is_empty() && self.tags.is_empty()
    }

    pub fn len(&self) -> usize {
        self.digests.len() + self.tags.len()
    }

    /// The protected digests.
    pub fn digests(&self) -> impl Iterator<Item = &Digest> {
        self.digests.iter()
    }

    pub fn protects_digest(&self, digest: &Digest) -> bool {
        self.digests.contains(digest)
    }

    /// Whether `tag` of `repository` on `registry` is protected by name.
    pub fn protects_tag(&self, registry: &str, repository: &str, tag: &str) -> bool {
        if self.tags.is_empty() {
            return false;
        }
        let Ok(named) = ImageRef::parse(&format!("{registry}/{repository}:{tag}")) else {
            return false;
        };
        self.tags.contains(&(
            named.registry,
            named.repository,
            named.tag.unwrap_or_default(),
        ))
    }

    /// The first protected digest among `digests`.
    pub fn first_of<'a>(
        &self,
        digests: impl IntoIterator<Item = &'a Digest>,
    ) -> Option<&'a Digest> {
        digests.into_iter().find(|d| self.digests.contains(*d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn digest() -> Digest {
        format!("sha256:{HEX}").parse().unwrap()
    }

    #[test]
    fn kubectl_image_ids_bare_digests_and_references_are_read() {
        let text = format!(
            "# running\n\ndocker-pullable://reg.example:5000/app@sha256:{HEX}\n\
             sha256:{HEX}\nnginx:1.25\nlocalhost:5000/team/app:prod\n"
        );
        let p = Protected::parse(&text, "list").unwrap();
        assert!(p.protects_digest(&digest()));
        assert!(p.protects_tag("docker.io", "library/nginx", "1.25"));
        assert!(p.protects_tag("localhost:5000", "team/app", "prod"));
        assert!(!p.protects_tag("localhost:5000", "team/app", "dev"));
        assert!(!p.protects_tag("other:5000", "team/app", "prod"));
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn an_unreadable_line_fails_the_whole_list() {
        let err = Protected::parse("sha256:abc\n", "p.txt").unwrap_err();
        assert_eq!((err.origin.as_str(), err.line), ("p.txt", 1));
        assert!(err.to_string().starts_with("p.txt, line 1:"), "{err}");
    }

    #[test]
    fn first_of_finds_a_protected_digest() {
        let p = Protected::parse(&format!("sha256:{HEX}"), "x").unwrap();
        let other: Digest = format!("sha256:{}", "1".repeat(64)).parse().unwrap();
        assert_eq!(p.first_of([&other, &digest()]), Some(&digest()));
        assert_eq!(p.first_of([&other]), None);
    }
}
