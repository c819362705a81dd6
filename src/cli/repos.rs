//! `regscope repos REGISTRY`

use super::connect::Context;
use super::output::{print_json, print_lines, warn};
use crate::oci::reference::parse_registry;
use serde::Serialize;

#[derive(Serialize)]
struct ReposJson<'a> {
    registry: &'a str,
    repositories: &'a [String],
}

pub async fn run(ctx: &Context, registry: &str) -> anyhow::Result<()> {
    let registry = parse_registry(registry)?;
    let client = ctx.connect(&registry).await?;
    let listing = client.catalog().await?;
    if let Some(why) = &listing.incomplete {
        warn(&format!("the catalog may be incomplete: {why}"));
    }
    if ctx.global.json {
        print_json(&ReposJson {
            registry: &registry,
            repositories: &listing.items,
        })
    } else {
        print_lines(&listing.items)
    }
}
