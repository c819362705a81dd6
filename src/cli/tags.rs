//! `regscope tags REPOSITORY`

use super::connect::Context;
use super::exit::UsageError;
use super::output::{print_json, print_lines, warn};
use crate::model::tag_order::sort_natural;
use crate::source::target;
use serde::Serialize;

#[derive(Serialize)]
struct TagsJson<'a> {
    repository: String,
    tags: &'a [String],
}

pub async fn run(ctx: &Context, repository: &str) -> anyhow::Result<()> {
    let target = target::parse(repository)?;
    if target.reference.is_some() {
        return Err(UsageError(format!(
            "invalid repository {repository:?}: `tags` takes a repository without a tag or digest"
        ))
        .into());
    }
    let (source, repo) = ctx.open_repository(&target).await?;
    let mut listing = source.tags(&repo).await?;
    if let Some(why) = &listing.incomplete {
        warn(&format!("the tag list may be incomplete: {why}"));
    }
    sort_natural(&mut listing.items);
    if ctx.global.json {
        print_json(&TagsJson {
            repository: source.display_repository(&repo),
            tags: &listing.items,
        })
    } else {
        print_lines(&listing.items)
    }
}
