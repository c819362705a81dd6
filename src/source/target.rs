//! What the user points regscope at: a registry, a repository or an image on a
//! registry, or an OCI layout directory (`oci:PATH[:TAG|@DIGEST]`, or a path that
//! holds `oci-layout`).

use crate::oci::digest::Digest;
use crate::oci::reference::{ImageRef, ReferenceError, RepositoryRef, parse_registry};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `host[:port]`
    Registry(String),
    /// A layout, or a directory of layouts.
    Layout(PathBuf),
}

/// How plans, the trash and reports record a location: `host[:port]`, or
/// `oci:PATH` for layouts. The one place it is written and read back.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Registry(host) => f.write_str(host),
            Location::Layout(path) => write!(f, "oci:{}", path.display()),
        }
    }
}

impl std::str::FromStr for Location {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Location, Self::Err> {
        Ok(match text.strip_prefix("oci:") {
            Some(path) => Location::Layout(PathBuf::from(path)),
            None => Location::Registry(text.to_string()),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Tag(String),
    Digest(Digest),
}

impl Reference {
    /// What goes after `/manifests/` (or names an index entry).
    pub fn as_manifest_reference(&self) -> String {
        match self {
            Reference::Tag(t) => t.clone(),
            Reference::Digest(d) => d.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub location: Location,
    /// `None` for a whole registry or directory of layouts; for a single layout,
    /// filled in once it is opened.
    pub repository: Option<String>,
    pub reference: Option<Reference>,
}

pub fn parse(text: &str) -> Result<Target, ReferenceError> {
    if let Some(rest) = text.strip_prefix("oci:") {
        return Ok(parse_layout(rest));
    }
    let looks_like_path =
        text.starts_with(['.', '/', '~']) || Path::new(text).join("oci-layout").is_file();
    if looks_like_path && Path::new(text).is_dir() {
        return Ok(parse_layout(text));
    }
    let first = text.split('/').next().unwrap_or("");
    let is_host = first.contains(['.', ':']) || first == "localhost" || first.starts_with('[');
    if !text.contains('/') && is_host {
        return Ok(Target {
            location: Location::Registry(parse_registry(text)?),
            repository: None,
            reference: None,
        });
    }
    if let Ok(repo) = RepositoryRef::parse(text) {
        return Ok(Target {
            location: Location::Registry(repo.registry),
            repository: Some(repo.repository),
            reference: None,
        });
    }
    let image = ImageRef::parse(text)?;
    let reference = match (image.digest, image.tag) {
        (Some(d), _) => Reference::Digest(d),
        (None, Some(t)) => Reference::Tag(t),
        (None, None) => Reference::Tag("latest".into()),
    };
    Ok(Target {
        location: Location::Registry(image.registry),
        repository: Some(image.repository),
        reference: Some(reference),
    })
}

/// A copy's destination: as `parse`, except that `oci:DIR[:TAG]` need not
/// exist yet (the copy creates it): the tag is what follows the last `:`.
pub fn parse_destination(text: &str) -> Result<Target, ReferenceError> {
    let Some(rest) = text.strip_prefix("oci:") else {
        return parse(text);
    };
    let layout = |path: &str, tag: Option<&str>| Target {
        location: Location::Layout(PathBuf::from(path)),
        repository: None,
        reference: tag.map(|t| Reference::Tag(t.to_string())),
    };
    if !Path::new(rest).exists()
        && let Some((path, tag)) = rest.rsplit_once(':')
        && !path.is_empty()
        && crate::oci::reference::is_valid_tag(tag)
    {
        return Ok(layout(path, Some(tag)));
    }
    Ok(layout(rest, None))
}

/// `PATH`, `PATH:TAG` (when PATH exists) or `PATH@DIGEST`, like skopeo's `oci:` transport.
fn parse_layout(rest: &str) -> Target {
    let layout = |path: &str, reference| Target {
        location: Location::Layout(PathBuf::from(path)),
        repository: None,
        reference,
    };
    if let Some((path, digest)) = rest.rsplit_once('@')
        && let Ok(d) = digest.parse::<Digest>()
    {
        return layout(path, Some(Reference::Digest(d)));
    }
    if !Path::new(rest).exists()
        && let Some((path, tag)) = rest.rsplit_once(':')
        && !tag.contains('/')
        && Path::new(path).exists()
    {
        return layout(path, Some(Reference::Tag(tag.to_string())));
    }
    layout(rest, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_reads_back_what_it_writes() {
        for text in ["localhost:5000", "oci:/tmp/layouts", "[::1]:5000"] {
            let Ok(location) = text.parse::<Location>();
            assert_eq!(location.to_string(), text);
        }
        let Ok(layout) = "oci:/a/b".parse::<Location>();
        assert_eq!(layout, Location::Layout(PathBuf::from("/a/b")));
    }

    #[test]
    fn registries_repositories_images() {
        let t = parse("localhost:5000").unwrap();
        assert_eq!(t.location, Location::Registry("localhost:5000".into()));
        assert_eq!(t.repository, None);
        let t = parse("ghcr.io/org/app").unwrap();
        assert_eq!(t.repository.as_deref(), Some("org/app"));
        assert_eq!(t.reference, None);
        let t = parse("nginx").unwrap();
        assert_eq!(t.repository.as_deref(), Some("library/nginx"));
        let t = parse("localhost:5000/app:1.2").unwrap();
        assert_eq!(t.reference, Some(Reference::Tag("1.2".into())));
        assert!(parse("localhost:5000/App").is_err());
    }

    #[test]
    fn a_layout_destination_names_its_tag_after_the_last_colon() {
        let t = parse_destination("oci:/nonexistent/backup:1.0").unwrap();
        assert_eq!(
            t.location,
            Location::Layout(PathBuf::from("/nonexistent/backup"))
        );
        assert_eq!(t.reference, Some(Reference::Tag("1.0".into())));
        let t = parse_destination("oci:/nonexistent/backup").unwrap();
        assert_eq!(t.reference, None);
        let t = parse_destination("oci:/nonexistent/x:bad tag").unwrap();
        assert_eq!(
            t.location,
            Location::Layout(PathBuf::from("/nonexistent/x:bad tag"))
        );
        let t = parse_destination("localhost:5000/app:2").unwrap();
        assert_eq!(t.reference, Some(Reference::Tag("2".into())));
    }

    #[test]
    fn layouts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().display().to_string();
        let t = parse(&format!("oci:{path}")).unwrap();
        assert_eq!(t.location, Location::Layout(dir.path().to_path_buf()));
        let t = parse(&format!("oci:{path}:1.0")).unwrap();
        assert_eq!(t.reference, Some(Reference::Tag("1.0".into())));
        let digest = format!("sha256:{}", "a".repeat(64));
        let t = parse(&format!("oci:{path}@{digest}")).unwrap();
        assert!(matches!(t.reference, Some(Reference::Digest(_))));
        std::fs::write(dir.path().join("oci-layout"), "{}").unwrap();
        let t = parse(&path).unwrap();
        assert_eq!(t.location, Location::Layout(dir.path().to_path_buf()));
    }
}
