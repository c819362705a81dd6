//! `regscope tags REPOSITORY`

use super::connect::Context;
use super::output::{print_json, print_lines, warn};
use crate::model::tag_order::sort_natural;
use crate::registry::RepositoryRef;
use serde::Serialize;

#[derive(Serialize)]
struct TagsJson<'a> {
    repository: String,
    tags: &'a [String],
}

pub async fn run(ctx: &Context, repository: &str) -> anyhow::Result<()> {
    let repo = RepositoryRef::parse(repository)?;
    let client = ctx.connect(&repo.registry).await?;
    let mut listing = client.tags(&repo.repository).await?;
    if let Some(why) = &listing.incomplete {
        warn(&format!("the tag list may be incomplete: {why}"));
    }
    sort_natural(&mut listing.items);
    if ctx.global.json {
        print_json(&TagsJson {
            repository: repo.to_string(),
            tags: &listing.items,
        })
    } else {
        print_lines(&listing.items)
    }
}
