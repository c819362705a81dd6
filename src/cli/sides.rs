//! The two sides of a copy: each opened with its own credentials (the
//! source's never reach the destination, nor the reverse), a layout
//! destination created when it does not exist yet.

use super::args::SideCredentials;
use super::connect::Context;
use super::exit::UsageError;
use crate::layout::LayoutStore;
use crate::oci::reference::is_valid_tag;
use crate::registry::auth::Credentials;
use crate::source::Source;
use crate::source::target::{self, Location, Reference, Target};
use anyhow::Result;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

/// Flag credentials of each side (`None`: the auth files decide).
pub struct SidePasswords {
    pub source: Option<Credentials>,
    pub destination: Option<Credentials>,
}

impl SidePasswords {
    /// Reads the one password standard input may hold, and the
    /// `REGSCOPE_SRC_PASSWORD` / `REGSCOPE_DEST_PASSWORD` variables.
    pub fn read(flags: &SideCredentials) -> Result<SidePasswords> {
        let stdin = if flags.src_password_stdin || flags.dest_password_stdin {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            Some(text.trim_end_matches(['\n', '\r']).to_string())
        } else {
            None
        };
        let side = |user: &Option<String>, from_stdin: bool, var: &str, flag: &str| {
            let Some(user) = user else {
                return Ok(None);
            };
            let password = match from_stdin {
                true => stdin.clone(),
                false => std::env::var(var).ok().filter(|p| !p.is_empty()),
            };
            let password = password.ok_or_else(|| {
                UsageError(format!(
                    "--{flag}-username needs a password: --{flag}-password-stdin or {var}"
                ))
            })?;
            Ok::<_, anyhow::Error>(Some(Credentials::Basic {
                username: user.clone(),
                password,
            }))
        };
        Ok(SidePasswords {
            source: side(
                &flags.src_username,
                flags.src_password_stdin,
                "REGSCOPE_SRC_PASSWORD",
                "src",
            )?,
            destination: side(
                &flags.dest_username,
                flags.dest_password_stdin,
                "REGSCOPE_DEST_PASSWORD",
                "dest",
            )?,
        })
    }
}

/// One side, opened.
pub struct Side {
    pub source: Source,
    pub repository: String,
    pub reference: Option<Reference>,
}

/// Opens the source side of `text` (a registry image or repository, or a layout).
pub async fn open_source(
    ctx: &Context,
    text: &str,
    credentials: Option<Credentials>,
) -> Result<Side> {
    let target = target::parse(text)?;
    open(ctx, &target, credentials).await
}

/// Opens the destination: a registry repository, or a layout (`oci:DIR[:TAG]`)
/// created when the directory is missing or empty.
pub async fn open_destination(
    ctx: &Context,
    text: &str,
    credentials: Option<Credentials>,
) -> Result<Side> {
    if let Some(rest) = text.strip_prefix("oci:") {
        let (path, tag) = layout_destination(rest);
        let store = LayoutStore::create(&path)?;
        let repository = store
            .repositories()?
            .items
            .into_iter()
            .next()
            .unwrap_or_default();
        return Ok(Side {
            source: Source::Layout(Arc::new(store)),
            repository,
            reference: tag.map(Reference::Tag),
        });
    }
    let target = target::parse(text)?;
    if matches!(target.location, Location::Layout(_)) {
        return Err(UsageError(format!("write a layout destination as oci:{text}")).into());
    }
    open(ctx, &target, credentials).await
}

async fn open(ctx: &Context, target: &Target, credentials: Option<Credentials>) -> Result<Side> {
    let (source, repository) = match (&target.location, credentials) {
        (Location::Registry(host), Some(credentials)) => {
            let client = ctx.connect_with(host, credentials).await?;
            (
                Source::Registry(Arc::new(client)),
                target.repository.clone(),
            )
        }
        _ => ctx.open(target).await?,
    };
    let repository = repository.ok_or_else(|| {
        UsageError("expected a repository such as localhost:5000/app, or one layout".into())
    })?;
    Ok(Side {
        source,
        repository,
        reference: target.reference.clone(),
    })
}

/// `DIR:TAG` when DIR is not itself a path that exists (skopeo's `oci:` form).
fn layout_destination(rest: &str) -> (PathBuf, Option<String>) {
    if !std::path::Path::new(rest).exists()
        && let Some((path, tag)) = rest.rsplit_once(':')
        && !path.is_empty()
        && is_valid_tag(tag)
    {
        return (PathBuf::from(path), Some(tag.to_string()));
    }
    (PathBuf::from(rest), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layout_destination_names_its_tag_after_the_last_colon() {
        let (path, tag) = layout_destination("/nonexistent/backup:1.0");
        assert_eq!(path, PathBuf::from("/nonexistent/backup"));
        assert_eq!(tag.as_deref(), Some("1.0"));
        let (path, tag) = layout_destination("/nonexistent/backup");
        assert_eq!((path, tag), (PathBuf::from("/nonexistent/backup"), None));
        let (_, tag) = layout_destination("/nonexistent/x:bad tag");
        assert_eq!(tag, None);
    }
}
