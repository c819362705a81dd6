//! `regscope files IMAGE`: the files inside an image without pulling it — the
//! merged tree of its layers, or one layer's own changes, with the space
//! wasted on files a later layer replaced.

use super::connect::Context;
use super::exit::UsageError;
use super::inspect::{OpenedImage, open_image, parse_platform};
use super::output::{human_size, print_json};
use crate::model::filetree::merge::{merge, own};
use crate::model::filetree::tree::{SortBy, Tree, TreeNode};
use crate::model::filetree::wasted::Wasted;
use crate::model::filetree::{FileNode, Files};
use crate::oci::layer::entry::display;
use crate::oci::layer::{EntryKind, FileEntry};
use crate::oci::manifest::Descriptor;
use crate::oci::text::sanitize_line;
use crate::ops::files::Listing;
use crate::ops::files::image::{ChosenImage, choose_image, image_layers};
use serde::Serialize;

pub struct FilesArgs<'a> {
    pub platform: Option<&'a str>,
    pub layer: Option<&'a str>,
    pub by_size: bool,
    pub depth: Option<usize>,
    pub wasted: bool,
    pub max_layer_size: Option<u64>,
}

#[derive(Serialize)]
pub(super) struct LayerJson {
    index: usize,
    digest: String,
    media_type: String,
    size: u64,
    uncompressed_size: Option<u64>,
    entries: Option<usize>,
    format: Option<String>,
    /// Why it has no entries (foreign, not a file system).
    note: Option<String>,
}

#[derive(Serialize)]
struct EntryJson {
    path: String,
    #[serde(rename = "type")]
    kind: &'static str,
    size: u64,
    mode: u32,
    link: Option<String>,
    layer: Option<usize>,
    layers: Vec<usize>,
}

#[derive(Serialize)]
struct WastedJson {
    path: String,
    bytes: u64,
    layers: Vec<usize>,
}

#[derive(Serialize)]
struct FilesJson {
    reference: String,
    digest: String,
    platform: Option<String>,
    layers: Vec<LayerJson>,
    entries: Vec<EntryJson>,
    wasted_bytes: u64,
    efficiency: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    wasted: Option<Vec<WastedJson>>,
}

/// An image's layers, listed: what `files` and `diff` start from.
pub(super) struct ListedImage {
    pub display: String,
    pub digest: crate::oci::digest::Digest,
    pub platform: Option<String>,
    pub layers: Vec<(Descriptor, Listing)>,
}

impl ListedImage {
    pub fn entries(&self) -> Vec<&[FileEntry]> {
        self.layers
            .iter()
            .map(|(_, l)| match l {
                Listing::Files(index) => &index.entries[..],
                _ => &[][..],
            })
            .collect()
    }

    pub fn layers_json(&self) -> Vec<LayerJson> {
        self.layers
            .iter()
            .enumerate()
            .map(|(index, (d, listing))| {
                let files = match listing {
                    Listing::Files(f) => Some(f),
                    _ => None,
                };
                LayerJson {
                    index,
                    digest: d.digest.clone(),
                    media_type: d.media_type.clone(),
                    size: d.size,
                    uncompressed_size: files.map(|f| f.uncompressed_size).filter(|s| *s > 0),
                    entries: files.map(|f| f.entries.len()),
                    format: files.map(|f| f.format.clone()),
                    note: listing.reason(&d.media_type),
                }
            })
            .collect()
    }
}

/// The image `image` names (the platform's, of an index), opened.
pub(super) async fn open_chosen(
    ctx: &Context,
    image: &str,
    platform: Option<&str>,
) -> anyhow::Result<(OpenedImage, ChosenImage)> {
    let platform = parse_platform(platform)?;
    let opened = open_image(ctx, image).await?;
    let chosen = choose_image(
        &opened.source,
        &opened.repository,
        &opened.reference,
        platform.as_ref(),
    )
    .await?;
    if !chosen.others.is_empty() && !ctx.global.json {
        eprintln!(
            "regscope: {} of {} (the index also has {}; --platform picks one)",
            sanitize_line(chosen.platform.as_deref().unwrap_or("the first image"), 60),
            sanitize_line(&opened.display, 200),
            sanitize_line(&chosen.others.join(", "), 200)
        );
    }
    Ok((opened, chosen))
}

/// Every layer of the chosen image, listed.
pub(super) async fn list_chosen(
    ctx: &Context,
    opened: &OpenedImage,
    chosen: &ChosenImage,
    max_layer_size: Option<u64>,
) -> anyhow::Result<ListedImage> {
    let options = ctx.files_options(max_layer_size);
    let source = &opened.source;
    let listings = image_layers(source, &opened.repository, &chosen.manifest, options).await?;
    source.flush();
    Ok(ListedImage {
        display: opened.display.clone(),
        digest: chosen.manifest.digest.clone(),
        platform: chosen.platform.clone(),
        layers: chosen
            .manifest
            .doc
            .layers
            .iter()
            .cloned()
            .zip(listings)
            .collect(),
    })
}

pub async fn run(ctx: &Context, image: &str, args: FilesArgs<'_>) -> anyhow::Result<()> {
    let (opened, chosen) = open_chosen(ctx, image, args.platform).await?;
    let listed = list_chosen(ctx, &opened, &chosen, args.max_layer_size).await?;
    let layers = listed.entries();
    let merged = merge(&layers);
    let files: Files = match args.layer {
        Some(which) => {
            let index = layer_index(which, &listed)?;
            own(layers[index], index)
        }
        None => merged.files,
    };
    let mut tree = Tree::build(&files);
    tree.sort(if args.by_size {
        SortBy::Size
    } else {
        SortBy::Name
    });
    if ctx.global.json {
        print_json(&FilesJson {
            reference: listed.display.clone(),
            digest: listed.digest.to_string(),
            platform: listed.platform.clone(),
            layers: listed.layers_json(),
            entries: entries_json(&tree, args.depth),
            wasted_bytes: merged.wasted.bytes,
            efficiency: merged.wasted.efficiency,
            wasted: args.wasted.then(|| wasted_json(&merged.wasted)),
        })
    } else {
        print_text(&listed, &tree, &merged.wasted, &args);
        Ok(())
    }
}

/// `--layer N|DIGEST` → the layer's index.
fn layer_index(which: &str, listed: &ListedImage) -> anyhow::Result<usize> {
    let count = listed.layers.len();
    let found = match which.parse::<usize>() {
        Ok(n) => (n < count).then_some(n),
        Err(_) => listed.layers.iter().position(|(d, _)| {
            d.digest == which
                || (which.len() >= 12 && d.digest.trim_start_matches("sha256:").starts_with(which))
        }),
    };
    found.ok_or_else(|| {
        UsageError(format!(
            "no layer {:?}: the image has {count} (0 to {}), or name one by digest",
            sanitize_line(which, 80),
            count.saturating_sub(1)
        ))
        .into()
    })
}

fn kind_of(node: &TreeNode) -> &'static str {
    match &node.file {
        Some(f) => f.kind.label(),
        None => "dir",
    }
}

fn entries_json(tree: &Tree, depth: Option<usize>) -> Vec<EntryJson> {
    let mut out = Vec::new();
    tree.walk(depth, |path, node| {
        let file: Option<&FileNode> = node.file.as_ref();
        out.push(EntryJson {
            path: display(path),
            kind: kind_of(node),
            size: node.total,
            mode: file.map_or(0, |f| f.mode),
            link: file.and_then(|f| f.link.as_deref()).map(display),
            layer: file.map(|f| f.layer),
            layers: file.map(|f| f.layers.clone()).unwrap_or_default(),
        });
    });
    out
}

fn wasted_json(wasted: &Wasted) -> Vec<WastedJson> {
    wasted
        .paths
        .iter()
        .filter(|p| p.bytes > 0)
        .map(|p| WastedJson {
            path: display(&p.path),
            bytes: p.bytes,
            layers: p.layers.clone(),
        })
        .collect()
}

fn print_text(listed: &ListedImage, tree: &Tree, wasted: &Wasted, args: &FilesArgs<'_>) {
    let platform = listed
        .platform
        .as_deref()
        .map(|p| format!("  {}", sanitize_line(p, 60)));
    println!(
        "{}  {}{}",
        sanitize_line(&listed.display, 300),
        listed.digest.short(),
        platform.unwrap_or_default()
    );
    for layer in listed.layers_json() {
        let what = match (&layer.entries, &layer.note) {
            (Some(n), _) => format!("{n} entries, {}", layer.format.as_deref().unwrap_or("")),
            (None, Some(note)) => note.clone(),
            (None, None) => String::new(),
        };
        println!(
            "  layer {:>2}  {:>9}  {}  {}",
            layer.index,
            human_size(layer.size),
            sanitize_line(&layer.digest, 80),
            sanitize_line(&what, 200)
        );
    }
    println!(
        "wasted {} (files more than one layer wrote or deleted), efficiency {:.1}%",
        human_size(wasted.bytes),
        wasted.efficiency * 100.0
    );
    if args.wasted {
        for p in wasted.paths.iter().filter(|p| p.bytes > 0) {
            let layers: Vec<String> = p.layers.iter().map(usize::to_string).collect();
            println!(
                "{:>10}  layers {:<8}  {}",
                human_size(p.bytes),
                layers.join(","),
                sanitize_line(&display(&p.path), 400)
            );
        }
        return;
    }
    tree.walk(args.depth, |path, node| {
        println!("{}", tree_line(path, node));
    });
}

fn tree_line(path: &[u8], node: &TreeNode) -> String {
    let name = sanitize_line(&display(&node.name), 300);
    let layer = node
        .file
        .as_ref()
        .map_or("-".to_string(), |f| f.layer.to_string());
    let suffix = match &node.file {
        Some(f) => match f.kind {
            EntryKind::Dir => "/".to_string(),
            EntryKind::Symlink | EntryKind::Hardlink => format!(
                " -> {}",
                sanitize_line(&display(f.link.as_deref().unwrap_or_default()), 200)
            ),
            EntryKind::Whiteout => "  (deleted)".to_string(),
            EntryKind::Opaque => "/  (opaque: lower layers hidden)".to_string(),
            _ => String::new(),
        },
        None => "/".to_string(),
    };
    let depth = path.iter().filter(|b| **b == b'/').count();
    format!(
        "{:>10}  {:>3}  {}{name}{suffix}",
        human_size(node.total),
        layer,
        "  ".repeat(depth)
    )
}
