//! `regscope diff A B [--files]`: two images compared — layers shared and
//! not, the size delta, the config, and with `--files` the files.

use super::connect::Context;
use super::files::open_chosen;
use super::inspect::OpenedImage;
use super::output::{human_size, print_json};
use crate::model::filetree::FileNode;
use crate::model::filetree::diff::Change;
use crate::model::image_diff::{self, ConfigChange, LayerDiff};
use crate::oci::layer::entry::display;
use crate::oci::text::sanitize_line;
use crate::ops::compare;
use crate::ops::files::image::ChosenImage;
use serde::Serialize;

#[derive(Serialize)]
struct Side {
    reference: String,
    digest: String,
    platform: Option<String>,
    size: u64,
}

#[derive(Serialize)]
struct FileSide {
    #[serde(rename = "type")]
    kind: &'static str,
    size: u64,
    mode: u32,
    link: Option<String>,
}

#[derive(Serialize)]
struct FileChangeJson {
    path: String,
    change: &'static str,
    a: Option<FileSide>,
    b: Option<FileSide>,
}

#[derive(Serialize)]
struct DiffJson {
    a: Side,
    b: Side,
    size_delta: i128,
    layers: LayerDiff,
    config: Vec<ConfigChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<Vec<FileChangeJson>>,
}

struct Opened {
    side: Side,
    image: OpenedImage,
    chosen: ChosenImage,
}

impl Opened {
    fn side_of(&self) -> compare::Side<'_> {
        compare::Side {
            source: &self.image.source,
            repo: &self.image.repository,
            image: &self.chosen,
        }
    }
}

async fn open(ctx: &Context, image: &str, platform: Option<&str>) -> anyhow::Result<Opened> {
    let (opened, chosen) = open_chosen(ctx, image, platform).await?;
    Ok(Opened {
        side: Side {
            reference: opened.display.clone(),
            digest: chosen.manifest.digest.to_string(),
            platform: chosen.platform.clone(),
            size: chosen.manifest.doc.layer_bytes(),
        },
        image: opened,
        chosen,
    })
}

fn side_of(node: &FileNode) -> FileSide {
    FileSide {
        kind: node.kind.label(),
        size: node.size,
        mode: node.mode,
        link: node.link.as_deref().map(display),
    }
}

pub async fn run(ctx: &Context, args: &super::args::DiffArgs) -> anyhow::Result<()> {
    let (a, b, with_files) = (&args.a, &args.b, args.files);
    let platform = args.platform.as_deref();
    let (first, second) = (open(ctx, a, platform).await?, open(ctx, b, platform).await?);
    let options = ctx.files_options(args.max_layer_size);
    let compared =
        compare::compare(&first.side_of(), &second.side_of(), with_files, options).await?;
    first.image.source.flush();
    second.image.source.flush();
    let files = compared.files.map(|changes| {
        changes
            .iter()
            .map(|c| FileChangeJson {
                path: display(&c.path),
                change: c.change.label(),
                a: c.before.as_ref().map(side_of),
                b: c.after.as_ref().map(side_of),
            })
            .collect()
    });
    let (layers, config) = (compared.layers, compared.config);
    let report = DiffJson {
        size_delta: i128::from(second.side.size) - i128::from(first.side.size),
        a: first.side,
        b: second.side,
        layers,
        config,
        files,
    };
    if ctx.global.json {
        return print_json(&report);
    }
    print_text(&report);
    Ok(())
}

fn print_text(r: &DiffJson) {
    for (name, side) in [("A", &r.a), ("B", &r.b)] {
        print_side(name, side);
    }
    let sign = if r.size_delta < 0 { "-" } else { "+" };
    println!(
        "size {sign}{} (B − A)",
        human_size(u64::try_from(r.size_delta.unsigned_abs()).unwrap_or(u64::MAX))
    );
    let sum = |l: &[image_diff::LayerRef]| l.iter().fold(0u64, |s, x| s.saturating_add(x.size));
    println!(
        "layers: {} shared ({}), {} only in A ({}), {} only in B ({})",
        r.layers.shared.len(),
        human_size(sum(&r.layers.shared)),
        r.layers.only_a.len(),
        human_size(sum(&r.layers.only_a)),
        r.layers.only_b.len(),
        human_size(sum(&r.layers.only_b)),
    );
    for (mark, list) in [("-", &r.layers.only_a), ("+", &r.layers.only_b)] {
        for l in list.iter() {
            println!(
                "  {mark} {}  {}",
                sanitize_line(&l.digest, 80),
                human_size(l.size)
            );
        }
    }
    print_config(&r.config);
    if let Some(files) = &r.files {
        print_files(files);
    }
}

fn print_side(name: &str, s: &Side) {
    let platform = s.platform.as_deref();
    let platform = platform.map(|p| format!("  {}", sanitize_line(p, 60)));
    println!(
        "{name}  {}  {}  {}{}",
        sanitize_line(&s.reference, 300),
        &s.digest[..s.digest.len().min(19)],
        human_size(s.size),
        platform.unwrap_or_default()
    );
}

fn print_config(config: &[ConfigChange]) {
    if config.is_empty() {
        println!("config: the same");
    } else {
        println!("config:");
        for c in config {
            let key = c
                .key
                .as_deref()
                .map(|k| format!(" {}", sanitize_line(k, 100)))
                .unwrap_or_default();
            let show = |v: &Option<String>| sanitize_line(v.as_deref().unwrap_or("-"), 200);
            println!(
                "  {} {}{key}: {} -> {}",
                symbol(c.change),
                c.field,
                show(&c.a),
                show(&c.b)
            );
        }
    }
}

fn print_files(files: &[FileChangeJson]) {
    println!("files: {} changes", files.len());
    let size = |s: &Option<FileSide>| s.as_ref().map_or("-".to_string(), |s| human_size(s.size));
    for f in files {
        println!(
            "  {} {:>9} -> {:>9}  {}",
            symbol(f.change),
            size(&f.a),
            size(&f.b),
            sanitize_line(&f.path, 300)
        );
    }
}

fn symbol(change: &str) -> char {
    match change {
        "added" => Change::Added.symbol(),
        "removed" => Change::Removed.symbol(),
        _ => Change::Changed.symbol(),
    }
}
