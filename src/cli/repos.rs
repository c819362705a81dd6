//! `regscope repos TARGET`: the repositories of a registry, or of a directory
//! of OCI layouts (any target the browser opens).

use super::connect::Context;
use super::exit::UsageError;
use super::output::{print_json, print_lines, warn};
use crate::source::target;
use serde::Serialize;

#[derive(Serialize)]
struct ReposJson<'a> {
    /// `host[:port]`, or `oci:PATH` for layouts (the field name is the contract).
    registry: &'a str,
    repositories: &'a [String],
}

pub async fn run(ctx: &Context, registry: &str) -> anyhow::Result<()> {
    let target = target::parse(registry)?;
    if target.repository.is_some() && !is_layout(&target) {
        return Err(UsageError(format!(
            "invalid registry {registry:?}: `repos` takes a registry such as localhost:5000"
        ))
        .into());
    }
    let (source, _) = ctx.open(&target).await?;
    let listing = source.repositories().await?;
    if let Some(why) = &listing.incomplete {
        warn(&format!("the catalog may be incomplete: {why}"));
    }
    if ctx.global.json {
        print_json(&ReposJson {
            registry: &source.name(),
            repositories: &listing.items,
        })
    } else {
        print_lines(&listing.items)
    }
}

fn is_layout(target: &target::Target) -> bool {
    matches!(target.location, target::Location::Layout(_))
}
