//! An image's detail view, prepared once when its inputs change (the loaded
//! detail, the usage figures), so render only lays text out.

use crate::oci::digest::Digest;
use crate::oci::text::sanitize;
use crate::ops::detail::Detail;
use crate::ops::summary::unix_seconds;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct LayerLine {
    pub size: u64,
    /// Share of the image's bytes, in percent.
    pub percent: u64,
    /// Tags of the repository that keep the layer (when usage is loaded).
    pub users: Option<usize>,
    /// The build step, sanitised, without the `/bin/sh -c` prefix.
    pub step: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageView {
    pub platform: String,
    pub size: u64,
    pub digest: Digest,
    /// Creation time in Unix seconds, and as written in the config.
    pub created: Option<(Option<i64>, String)>,
    pub layers: Vec<LayerLine>,
    /// The largest layer, which fills a bar.
    pub largest_layer: u64,
    /// Whether the usage figures were there (the TAGS column shows).
    pub shows_users: bool,
    /// `entrypoint`, `cmd`, … with sanitised values (empty ones left out).
    pub config: Vec<(&'static str, String)>,
}

/// Lines above the layers: the summary line and the column header.
pub const HEADER_LINES: usize = 2;
/// Lines between the layers and the config fields: a blank line and `CONFIG`.
pub const CONFIG_HEADER_LINES: usize = 2;

impl ImageView {
    /// `None` for anything but an image.
    pub fn build(detail: &Detail, object_tags: &HashMap<Digest, usize>) -> Option<ImageView> {
        let Detail::Image {
            manifest,
            config,
            report,
        } = detail
        else {
            return None;
        };
        let shows_users = !object_tags.is_empty();
        let layers = report
            .layers
            .iter()
            .map(|layer| LayerLine {
                size: layer.size,
                percent: layer
                    .size
                    .saturating_mul(100)
                    .checked_div(report.size)
                    .unwrap_or(0),
                users: layer
                    .digest
                    .parse::<Digest>()
                    .ok()
                    .and_then(|d| object_tags.get(&d).copied()),
                step: build_step(layer.created_by.as_deref().unwrap_or("")),
            })
            .collect();
        let parsed = config.as_ref().and_then(|c| c.parsed.as_ref());
        Some(ImageView {
            platform: sanitize(report.platform.as_deref().unwrap_or("image")),
            size: report.size,
            digest: manifest.digest.clone(),
            created: report
                .created
                .as_deref()
                .map(|c| (unix_seconds(c), sanitize(c))),
            largest_layer: report.layers.iter().map(|l| l.size).max().unwrap_or(0),
            layers,
            shows_users,
            config: parsed
                .map(|p| config_fields(p, report.created.as_deref()))
                .unwrap_or_default(),
        })
    }

    /// Every line the view has (for scrolling).
    pub fn line_count(&self) -> usize {
        let config = if self.config.is_empty() {
            0
        } else {
            CONFIG_HEADER_LINES + self.config.len()
        };
        HEADER_LINES + self.layers.len() + config
    }
}

fn build_step(created_by: &str) -> String {
    let step = sanitize(created_by);
    let step = step.trim();
    step.strip_prefix("/bin/sh -c ").unwrap_or(step).to_string()
}

fn config_fields(
    parsed: &crate::oci::image_config::ImageConfig,
    created: Option<&str>,
) -> Vec<(&'static str, String)> {
    let Some(run) = parsed.config.as_ref() else {
        return Vec::new();
    };
    let join = |v: &Option<Vec<String>>| v.as_ref().map(|v| sanitize(&v.join(" ")));
    let mut fields = vec![
        ("entrypoint", join(&run.entrypoint)),
        ("cmd", join(&run.cmd)),
        ("workdir", run.working_dir.as_deref().map(sanitize)),
        ("user", run.user.as_deref().map(sanitize)),
        (
            "ports",
            run.exposed_ports
                .as_ref()
                .map(|p| p.keys().map(|k| sanitize(k)).collect::<Vec<_>>().join(" ")),
        ),
        (
            "arch",
            crate::model::report::platform_of(None, Some(parsed)).map(|a| sanitize(&a)),
        ),
        ("created", created.map(sanitize)),
    ];
    fields.extend(run.env.iter().flatten().map(|e| ("env", Some(sanitize(e)))));
    fields.extend(
        run.labels
            .iter()
            .flatten()
            .map(|(k, v)| ("label", Some(format!("{}={}", sanitize(k), sanitize(v))))),
    );
    fields
        .into_iter()
        .filter_map(|(name, value)| Some((name, value.filter(|v| !v.is_empty())?)))
        .collect()
}
