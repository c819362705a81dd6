//! `regscope trash list | restore ID`

use super::connect::Context;
use super::output::{print_json, table};
use crate::oci::text::sanitize_line;
use crate::ops::restore::{restore, restore_children};
use crate::source::target::{Location, Target};
use crate::store::CachedSource;
use crate::store::trash::Trash;

fn trash() -> anyhow::Result<Trash> {
    Trash::default_location()
        .ok_or_else(|| anyhow::anyhow!("no state or cache directory for the trash"))
}

pub fn list(ctx: &Context) -> anyhow::Result<()> {
    let entries = trash()?.list();
    if ctx.global.json {
        return print_json(&serde_json::json!({ "entries": entries }));
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.id.clone(),
                sanitize_line(&display(&e.location, &e.repository), 80),
                e.digest.chars().take(19).collect(),
                sanitize_line(&e.tags.join(","), 60),
                e.deleted_at.chars().take(19).collect(),
            ]
        })
        .collect();
    println!(
        "{}",
        table(&["ID", "REPOSITORY", "DIGEST", "TAGS", "DELETED"], &rows)
    );
    Ok(())
}

pub async fn restore_entry(mut ctx: Context, id: &str) -> anyhow::Result<()> {
    let trash = trash()?;
    let (entry, manifest) = trash.load(id).map_err(super::exit::UsageError)?;
    let Ok(location) = entry.location.parse::<Location>();
    let target = Target {
        location,
        repository: Some(entry.repository.clone()),
        reference: None,
    };
    ctx.bind_to(&[&target])?;
    let (source, _) = ctx.open(&target).await?;
    let source = CachedSource::in_memory(source);
    let children = restore_children(&source, &trash, &entry, &manifest).await?;
    for child in &children {
        trash.remove(child)?;
    }
    let tags = restore(&source, &entry, manifest).await?;
    trash.remove(id)?;
    if ctx.global.json {
        return print_json(
            &serde_json::json!({ "restored": entry, "tags": tags, "children": children }),
        );
    }
    println!(
        "restored {}@{} (tags: {})",
        sanitize_line(&display(&entry.location, &entry.repository), 200),
        entry.digest,
        sanitize_line(&tags.join(", "), 200)
    );
    Ok(())
}

/// `host/repo`, or the layout path alone when the layout is the repository.
fn display(location: &str, repository: &str) -> String {
    if location.starts_with("oci:") && location.ends_with(&format!("/{repository}")) {
        location.to_string()
    } else {
        format!("{location}/{repository}")
    }
}
