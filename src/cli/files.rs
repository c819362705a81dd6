//! `regscope files IMAGE`: the files inside an image without pulling it — the
//! merged tree of its layers, or one layer's own changes, with the space
//! wasted on files a later layer replaced.

use super::connect::Context;
use super::exit::UsageError;
use super::inspect::{OpenedImage, open_image, parse_platform};
use super::memory::return_freed_memory;
use super::output::{human_size, print_json};
use crate::model::filetree::hidden::{Hidden, hidden};
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
use crate::ops::files::layer::LayerSummary;
use crate::ops::files::merged_view::{self, MergedView};
use serde::Serialize;
use std::io::Write;
use std::sync::Arc;

pub use super::args::FilesArgs;

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
struct HiddenJson {
    path: String,
    bytes: u64,
    layer: usize,
}

#[derive(Serialize)]
struct WastedJson {
    path: String,
    bytes: u64,
    layers: Vec<usize>,
}

/// The tree's entries, serialised as they are walked.
struct Entries<'a> {
    tree: &'a Tree,
    depth: Option<usize>,
}

impl Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(None)?;
        let mut failed = None;
        self.tree.walk(self.depth, |node| {
            if failed.is_none()
                && let Err(e) = seq.serialize_element(&entry_json(self.tree, node))
            {
                failed = Some(e);
            }
        });
        match failed {
            Some(e) => Err(e),
            None => seq.end(),
        }
    }
}

#[derive(Serialize)]
struct FilesJson<'a> {
    reference: String,
    digest: String,
    platform: Option<String>,
    layers: Vec<LayerSummary>,
    entries: Entries<'a>,
    wasted_bytes: u64,
    efficiency: f64,
    /// Bytes of file copies the merged image no longer shows.
    hidden_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    wasted: Option<Vec<WastedJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hidden: Option<Vec<HiddenJson>>,
}

/// An image's layers, listed: what `files` and `diff` start from.
pub(super) struct ListedImage {
    pub layers: Vec<(Descriptor, Listing)>,
}

impl ListedImage {
    pub fn entries(&self) -> Vec<&[FileEntry]> {
        self.layers.iter().map(|(_, l)| l.entries()).collect()
    }

    pub fn layers_json(&self) -> Vec<LayerSummary> {
        self.layers
            .iter()
            .enumerate()
            .map(|(index, (d, listing))| LayerSummary::of(index, d, listing))
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
    let listings = image_layers(source, &opened.repository, &chosen.manifest, options, &[]).await?;
    Ok(ListedImage {
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

/// What is printed above the entries.
struct Header {
    display: String,
    digest: String,
    platform: Option<String>,
}

pub async fn run(ctx: &Context, args: &FilesArgs) -> anyhow::Result<()> {
    let (opened, chosen) = open_chosen(ctx, &args.image, args.platform.as_deref()).await?;
    let header = Header {
        display: opened.display.clone(),
        digest: chosen.manifest.digest.to_string(),
        platform: chosen.platform.clone(),
    };
    let mut view = match args.layer.as_deref() {
        None => merged_view(ctx, &opened, &chosen, args.max_layer_size).await?,
        Some(which) => layer_view(ctx, &opened, &chosen, args.max_layer_size, which).await?,
    };
    // What the look stored (listings, the view) is written before the
    // process ends, or the next look finds nothing.
    opened.source.flush();
    view.tree.sort(if args.sort == super::args::FileSort::Size {
        SortBy::Size
    } else {
        SortBy::Name
    });
    if ctx.global.json {
        print_json(&FilesJson {
            reference: header.display,
            digest: header.digest,
            platform: header.platform,
            layers: view.layers,
            entries: Entries {
                tree: &view.tree,
                depth: args.depth,
            },
            wasted_bytes: view.wasted.bytes,
            efficiency: view.wasted.efficiency,
            hidden_bytes: view.hidden.bytes,
            wasted: args.wasted.then(|| wasted_json(&view.wasted)),
            hidden: args.wasted.then(|| hidden_json(&view.hidden)),
        })
    } else {
        print_text(&header, &view, args);
        // The process ends here: handing 400,000 allocations back one by
        // one would cost more than printing them.
        std::mem::forget(view);
        Ok(())
    }
}

/// The merged view: stored by the image's digest, else from its layers
/// (and then stored).
async fn merged_view(
    ctx: &Context,
    opened: &OpenedImage,
    chosen: &ChosenImage,
    max_layer_size: Option<u64>,
) -> anyhow::Result<MergedView> {
    let options = ctx.files_options(max_layer_size);
    let image = &chosen.manifest.digest;
    if let Some(view) = merged_view::stored(&opened.source, image, options).await {
        return Ok(view);
    }
    let listed = list_chosen(ctx, opened, chosen, max_layer_size).await?;
    let checked = listed
        .layers
        .iter()
        .all(|(_, l)| !matches!(l, Listing::Unchecked(_)));
    let view = Arc::new(view_of(opened, listed, None));
    // A view from a table of contents nothing vouches for serves this look only.
    if checked {
        merged_view::save(&opened.source, image, view.clone()).await;
    }
    Ok(Arc::try_unwrap(view).unwrap_or_else(|shared| (*shared).clone()))
}

/// One layer's own changes (`--layer`), with the whole image's figures.
async fn layer_view(
    ctx: &Context,
    opened: &OpenedImage,
    chosen: &ChosenImage,
    max_layer_size: Option<u64>,
    which: &str,
) -> anyhow::Result<MergedView> {
    let listed = list_chosen(ctx, opened, chosen, max_layer_size).await?;
    let index = layer_index(which, &listed)?;
    Ok(view_of(opened, listed, Some(index)))
}

/// The tree of the merged image, or of layer `only`'s own changes.
fn view_of(opened: &OpenedImage, listed: ListedImage, only: Option<usize>) -> MergedView {
    let layers_json = listed.layers_json();
    return_freed_memory();
    let layers = listed.entries();
    let merged = merge(&layers);
    let hidden = hidden(&layers, &merged.files);
    let files: Files = match only {
        Some(index) => own(layers[index], index),
        None => merged.files,
    };
    // The layers' own indexes are not needed past here: free them before the
    // tree is built (the peak of a large image is the sum of the two).
    drop(layers);
    drop(listed);
    opened.source.forget_layer_indexes();
    return_freed_memory();
    let entries: Vec<_> = files.into_iter().collect();
    return_freed_memory();
    MergedView {
        layers: layers_json,
        tree: Tree::from_entries(entries),
        wasted: merged.wasted,
        hidden,
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

fn kind_of(tree: &Tree, node: &TreeNode) -> &'static str {
    match tree.file(node) {
        Some(f) => f.kind.label(),
        None => "dir",
    }
}

fn entry_json(tree: &Tree, node: &TreeNode) -> EntryJson {
    let file: Option<&FileNode> = tree.file(node);
    EntryJson {
        path: display(tree.path(node)),
        kind: kind_of(tree, node),
        size: node.total,
        mode: file.map_or(0, |f| f.mode),
        link: file.and_then(|f| f.link.as_deref()).map(display),
        layer: file.map(|f| f.layer),
        layers: file.map(|f| f.layers.to_vec()).unwrap_or_default(),
    }
}

fn hidden_json(hidden: &Hidden) -> Vec<HiddenJson> {
    let copies = hidden.copies.iter();
    copies
        .map(|c| HiddenJson {
            path: display(&c.path),
            bytes: c.bytes,
            layer: c.layer,
        })
        .collect()
}

/// Dive's figure (and with `--wasted` each path it counts).
fn print_wasted(wasted: &Wasted, each: bool) {
    println!(
        "wasted {} (dive's figure: every copy of a path more than one layer wrote or deleted), efficiency {:.1}%",
        human_size(wasted.bytes),
        wasted.efficiency * 100.0
    );
    if each {
        for p in wasted.paths.iter().filter(|p| p.bytes > 0) {
            let layers: Vec<String> = p.layers.iter().map(usize::to_string).collect();
            println!(
                "{:>10}  layers {:<8}  {}",
                human_size(p.bytes),
                layers.join(","),
                sanitize_line(&display(&p.path), 400)
            );
        }
    }
}

/// The hidden figure (and with `--wasted` each dead copy).
fn print_hidden(hidden: &Hidden, each: bool) {
    println!(
        "hidden {} (copies a later layer overwrote or deleted: what squashing would save)",
        human_size(hidden.bytes)
    );
    if each {
        for c in &hidden.copies {
            let path = sanitize_line(&display(&c.path), 400);
            println!("{:>10}  layer {:<8}  {path}", human_size(c.bytes), c.layer);
        }
    }
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

fn print_text(header: &Header, view: &MergedView, args: &FilesArgs) {
    let (tree, wasted, hidden) = (&view.tree, &view.wasted, &view.hidden);
    let platform = header
        .platform
        .as_deref()
        .map(|p| format!("  {}", sanitize_line(p, 60)));
    println!(
        "{}  {}{}",
        sanitize_line(&header.display, 300),
        &header.digest[..header.digest.len().min(19)],
        platform.unwrap_or_default()
    );
    for layer in &view.layers {
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
    print_wasted(wasted, args.wasted);
    print_hidden(hidden, args.wasted);
    if args.wasted {
        return;
    }
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut sizes = Sizes::default();
    tree.walk(args.depth, |node| {
        let _ = write_tree_line(&mut out, &mut sizes, tree, node);
    });
    let _ = out.flush();
}

/// `human_size` right-aligned in 10 columns, each distinct size formatted
/// once: a 200,000-line listing has a few thousand sizes, and formatting a
/// float is most of a line's cost.
#[derive(Default)]
struct Sizes(hashbrown::HashMap<u64, Box<[u8]>>);

impl Sizes {
    fn write(&mut self, out: &mut impl Write, bytes: u64) -> std::io::Result<()> {
        let text = self
            .0
            .entry(bytes)
            .or_insert_with(|| format!("{:>10}", human_size(bytes)).into_bytes().into());
        out.write_all(text)
    }
}

/// Printable ASCII goes out as it is; anything else through the sanitiser.
fn write_clean(out: &mut impl Write, bytes: &[u8], width: usize) -> std::io::Result<()> {
    if bytes.len() <= width && bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
        return out.write_all(bytes);
    }
    out.write_all(sanitize_line(&display(bytes), width).as_bytes())
}

/// `   1.01 kB    0      name/`: size, the layer that last wrote it, the name
/// indented by depth (written without building the line).
fn write_tree_line(
    out: &mut impl Write,
    sizes: &mut Sizes,
    tree: &Tree,
    node: &TreeNode,
) -> std::io::Result<()> {
    const INDENT: &[u8] = &[b' '; 256];
    let file = tree.file(node);
    sizes.write(out, node.total)?;
    match file {
        Some(f) => write!(out, "  {:>3}  ", f.layer)?,
        None => out.write_all(b"    -  ")?,
    }
    let indent = (node.depth as usize).saturating_sub(1).saturating_mul(2);
    out.write_all(&INDENT[..indent.min(INDENT.len())])?;
    write_clean(out, tree.name(node), 300)?;
    match file.map(|f| f.kind) {
        Some(EntryKind::Dir) | None => out.write_all(b"/")?,
        Some(EntryKind::Symlink | EntryKind::Hardlink) => {
            out.write_all(b" -> ")?;
            let link = file.and_then(|f| f.link.as_deref()).unwrap_or_default();
            write_clean(out, link, 200)?;
        }
        Some(EntryKind::Whiteout) => out.write_all(b"  (deleted)")?,
        Some(EntryKind::Opaque) => out.write_all(b"/  (opaque: lower layers hidden)")?,
        Some(_) => {}
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_formatted_once_read_as_human_size_padded() {
        let mut sizes = Sizes::default();
        for bytes in [0, 7, 999, 1_000, 1_010, 7, 123_456_789, u64::MAX] {
            let mut out = Vec::new();
            sizes.write(&mut out, bytes).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("{:>10}", human_size(bytes))
            );
        }
    }
}
