//! The two sides of a copy: each opened with its own credentials (the
//! source's never reach the destination, nor the reverse), a layout
//! destination created when it does not exist yet.

use super::args::SideCredentials;
use super::connect::Context;
use super::exit::UsageError;
use crate::layout::LayoutStore;
use crate::ops::copy::{Destination, Known, MAX_TRANSFERS};
use crate::registry::auth::Credentials;
use crate::source::Source;
use crate::source::target::{self, Location, Reference, Target};
use anyhow::Result;
use std::io::Read;
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
        let src = (&flags.src_username, flags.src_password_stdin, "src");
        let dest = (&flags.dest_username, flags.dest_password_stdin, "dest");
        Ok(SidePasswords {
            source: side_credentials(src, stdin.as_deref())?,
            destination: side_credentials(dest, stdin.as_deref())?,
        })
    }
}

/// `--SIDE-username` with its password: from standard input when
/// `--SIDE-password-stdin`, else `REGSCOPE_SIDE_PASSWORD`.
fn side_credentials(
    (user, from_stdin, side): (&Option<String>, bool, &str),
    stdin: Option<&str>,
) -> Result<Option<Credentials>> {
    let Some(user) = user else {
        return Ok(None);
    };
    let var = format!("REGSCOPE_{}_PASSWORD", side.to_uppercase());
    let password = match from_stdin {
        true => stdin.map(str::to_string),
        false => std::env::var(&var).ok().filter(|p| !p.is_empty()),
    };
    let password = password.ok_or_else(|| {
        UsageError(format!(
            "--{side}-username needs a password: --{side}-password-stdin or {var}"
        ))
    })?;
    Ok(Some(Credentials::Basic {
        username: user.clone(),
        password,
    }))
}

/// One side, opened.
pub struct Side {
    pub source: Source,
    pub repository: String,
    pub reference: Option<Reference>,
}

impl Side {
    /// This side as a copy's destination: `--concurrency` (or the config's)
    /// for its requests, at most `MAX_TRANSFERS` blobs in flight.
    pub fn destination<'a>(&'a self, ctx: &Context, known: &'a Known) -> Destination<'a> {
        Destination {
            source: &self.source,
            repository: &self.repository,
            width: ctx
                .concurrency_for(&self.source.place())
                .clamp(1, MAX_TRANSFERS),
            known,
        }
    }
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
    let target = target::parse_destination(text)?;
    match &target.location {
        Location::Layout(path) if text.starts_with("oci:") => {
            let store = LayoutStore::create(path)?;
            let repository = store
                .repositories()?
                .items
                .into_iter()
                .next()
                .unwrap_or_default();
            Ok(Side {
                source: Source::Layout(Arc::new(store)),
                repository,
                reference: target.reference,
            })
        }
        Location::Layout(_) => {
            Err(UsageError(format!("write a layout destination as oci:{text}")).into())
        }
        Location::Registry(_) => open(ctx, &target, credentials).await,
    }
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
