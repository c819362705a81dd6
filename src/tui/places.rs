//! Other places than the browsed source: another registry for `:host`, and
//! a copy's destination (a repository here or elsewhere, or a layout).

use crate::layout::LayoutStore;
use crate::source::Source;
use crate::source::target::{self, Location, Reference};
use crate::store::CachedSource;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Connects to another registry (the CLI supplies credentials and TLS).
pub type Connector = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<(Source, Option<String>), String>> + Send>>
        + Send
        + Sync,
>;

const NAME_A_REPOSITORY: &str = "name a repository: host/repo[:tag] or oci:DIR[:TAG]";

/// A copy's destination opened: the source to write to, its repository, and
/// the tag the text named (if any). The browsed registry is reused (blobs
/// then mount); a missing layout is created.
pub async fn open_destination(
    here: &CachedSource,
    connect: Option<&Connector>,
    text: &str,
) -> Result<(Source, String, Option<String>), String> {
    let target = target::parse_destination(text).map_err(|e| e.to_string())?;
    let tag = match target.reference {
        Some(Reference::Tag(t)) => Some(t),
        Some(Reference::Digest(_)) => return Err("name a tag or a repository, not a digest".into()),
        None => None,
    };
    let (source, repository) = match &target.location {
        Location::Layout(_) if !text.starts_with("oci:") => {
            return Err(format!("write a layout destination as oci:{text}"));
        }
        Location::Layout(path) => {
            let store = LayoutStore::create(path).map_err(|e| e.to_string())?;
            let repository = store.repositories().map_err(|e| e.to_string())?.items;
            (
                Source::Layout(Arc::new(store)),
                repository.into_iter().next(),
            )
        }
        Location::Registry(host)
            if *host == here.source().name() && !here.source().is_offline() =>
        {
            (here.source().clone(), target.repository.clone())
        }
        Location::Registry(host) => {
            let connect = connect.ok_or("no way to reach another registry from here")?;
            let repo = target.repository.clone().ok_or(NAME_A_REPOSITORY)?;
            connect(format!("{host}/{repo}")).await?
        }
    };
    if source.is_offline() {
        return Err(format!(
            "{} is answered from the cache here (--offline, --max-age): a copy needs it live",
            source.name()
        ));
    }
    let repository = repository.ok_or(NAME_A_REPOSITORY)?;
    Ok((source, repository, tag))
}
