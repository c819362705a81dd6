//! The detail pane: an index's platforms, an image's layers and config, or raw JSON.

use super::text::{ago_seconds, bar, clean, fit, size};
use super::theme::Theme;
use crate::ops::detail::{Detail, PlatformRow};
use crate::tui::state::{DetailEntry, DetailView, ImageView, Pane, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Width of a layer's size bar.
const LAYER_BAR: usize = 10;
/// Width of a config field's name column.
const FIELD_NAME: usize = 11;
/// Bar, size, percent and the spaces between them, before the build step.
const LAYER_FIGURES: usize = LAYER_BAR + 18;

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = state.focus == Pane::Detail;
    let raw = state.detail.raw();
    let entry = state.detail.top();
    let title = match entry {
        Some(e) if raw => format!(" {} — raw JSON ", clean(&e.title)),
        Some(e) => format!(" {} ", clean(&e.title)),
        None => " Detail ".to_string(),
    };
    let block = super::pane_block(&title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(entry) = entry else {
        let hint = nothing_open(state, theme);
        frame.render_widget(Paragraph::new(hint).wrap(Wrap { trim: true }), inner);
        return;
    };
    let offset = entry.cursor().offset();
    let lines = match &entry.view {
        DetailView::Loading => vec![Line::styled("loading…", theme.dim)],
        DetailView::Failed(e) => vec![Line::styled(clean(e).to_string(), theme.error)],
        DetailView::Ready(data) if raw => data
            .raw_lines
            .iter()
            .skip(offset)
            .take(inner.height as usize)
            .map(|l| Line::raw(l.clone()))
            .collect(),
        DetailView::Ready(data) => ready_lines(state, entry, data, inner, theme),
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What the pane says before a tag's manifest is open.
fn nothing_open(state: &State, theme: &Theme) -> Line<'static> {
    match state.tags.list.selected() {
        Some(row) if row.error.is_some() => Line::styled(
            clean(row.error.as_deref().unwrap_or("")).to_string(),
            theme.error,
        ),
        Some(row) => Line::styled(format!("resolving {}…", clean(&row.name)), theme.dim),
        None => Line::styled("select a tag", theme.dim),
    }
}

/// A loaded manifest: an index's platforms, an image's facts, or what it is.
fn ready_lines(
    state: &State,
    entry: &DetailEntry,
    data: &crate::tui::state::DetailData,
    inner: Rect,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let focused = state.focus == Pane::Detail;
    let offset = entry.cursor().offset();
    match &data.detail {
        Detail::Index {
            manifest,
            platforms,
        } => {
            let mut lines = index_lines(
                entry,
                &manifest.digest.to_string(),
                platforms,
                inner,
                focused,
                theme,
            );
            // Its attestations are in the platform list already.
            let referrers: Vec<_> = data
                .referrers
                .iter()
                .filter(|r| r.found_by != "index")
                .cloned()
                .collect();
            lines.extend(referrer_lines(
                &referrers,
                inner.width as usize,
                None,
                theme,
            ));
            let width = inner.width as usize;
            lines.extend(super::supply::lines(entry.supply.as_deref(), width, theme));
            lines
        }
        Detail::Image { .. } => match state.detail.image() {
            Some(view) => image_lines(view, state, inner.width as usize, theme)
                .into_iter()
                .chain(referrer_lines(
                    &data.referrers,
                    inner.width as usize,
                    selected_referrer(state, &data.referrers),
                    theme,
                ))
                .chain(super::supply::lines(
                    entry.supply.as_deref(),
                    inner.width as usize,
                    theme,
                ))
                .skip(offset)
                .collect(),
            None => Vec::new(),
        },
        Detail::Other { manifest } => vec![
            Line::raw(format!(
                "{} ({})",
                clean(&manifest.media_type),
                crate::model::report::kind_name(manifest.kind)
            )),
            Line::styled(
                format!(
                    "press {} for the raw document",
                    state
                        .settings
                        .keymap
                        .first_key(crate::tui::action::Action::RawJson)
                ),
                theme.dim,
            ),
        ],
    }
}

fn index_lines<'a>(
    entry: &DetailEntry,
    digest: &str,
    platforms: &[PlatformRow],
    area: Rect,
    focused: bool,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let width = area.width as usize;
    let show_digest = width >= 46;
    let name_width = width
        .saturating_sub(if show_digest { 24 } else { 10 })
        .min(24);
    let mut header = format!("{:<name_width$} {:>9}", "PLATFORM", "SIZE");
    if show_digest {
        header.push_str("  DIGEST");
    }
    let mut lines = vec![
        Line::from(vec![
            Span::styled("index ", theme.accent),
            Span::raw(fit(digest, width.saturating_sub(6))),
        ]),
        Line::styled(header, theme.header),
    ];
    let rows = (area.height as usize).saturating_sub(2);
    let cursor = entry.cursor();
    for (i, p) in platforms
        .iter()
        .enumerate()
        .skip(cursor.offset())
        .take(rows)
    {
        let label = if p.attestation {
            "attestation".to_string()
        } else {
            clean(&p.platform).to_string()
        };
        let shown_size = match p.missing {
            true => "! MISSING".to_string(),
            false => size(p.size),
        };
        let mut text = format!("{:<name_width$} {:>9}", fit(&label, name_width), shown_size);
        if show_digest {
            text.push_str(&format!("  {}", p.digest.short()));
        }
        let normal = match (p.missing, p.attestation) {
            (true, _) => theme.error,
            (false, true) => theme.dim,
            (false, false) => Style::default(),
        };
        let style = super::row_style(i == cursor.selected(), focused, normal, theme);
        lines.push(Line::styled(
            format!("{:<width$}", fit(&text, width)),
            style,
        ));
    }
    lines
}

/// Every line of an image view (the caller scrolls).
fn image_lines<'a>(view: &ImageView, state: &State, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let created = view
        .created
        .as_ref()
        .map(|(seconds, text)| match seconds {
            Some(s) if state.now.is_some() => ago_seconds(*s, state.now),
            _ => text.chars().take(10).collect(),
        })
        .map(|ago| format!("  created {ago}"))
        .unwrap_or_default();
    let facts = format!("  {}  {}", size(view.size), view.digest.short());
    // The age goes first when the line is too wide, rather than half of it.
    let fits = view.platform.chars().count() + facts.len() + created.chars().count() <= width;
    let mut lines = vec![Line::from(vec![
        Span::styled(view.platform.clone(), theme.accent),
        Span::raw(facts),
        Span::styled(if fits { created } else { String::new() }, theme.dim),
    ])];
    let used_header = if view.shows_users { " TAGS" } else { "" };
    lines.push(Line::styled(
        format!(
            "{:<LAYER_BAR$} {:>9} {:>4}{used_header}  CREATED BY",
            "LAYERS", "SIZE", "%"
        ),
        theme.header,
    ));
    let focused = state.focus == Pane::Detail;
    let selected = state.detail.top().and_then(|e| e.selected_layer());
    for (i, layer) in view.layers.iter().enumerate() {
        let used = match layer.users {
            Some(n) if view.shows_users => format!(" {n:>4}"),
            _ if view.shows_users => "    -".to_string(),
            _ => String::new(),
        };
        let rest = width.saturating_sub(LAYER_FIGURES + used.len());
        // The selected layer (Enter opens its files) stands out when focused.
        let text = match focused && selected == Some(i) {
            true => theme.selected,
            false => Style::default(),
        };
        lines.push(Line::from(vec![
            Span::styled(bar(layer.size, view.largest_layer, LAYER_BAR), theme.bar),
            Span::styled(
                format!(" {:>9} {:>3}%{used}  ", size(layer.size), layer.percent),
                text,
            ),
            Span::styled(format!("{:<rest$}", fit(&layer.step, rest)), text),
        ]));
    }
    if view.config.is_empty() {
        return lines;
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("CONFIG", theme.header));
    for (name, value) in &view.config {
        lines.push(Line::from(vec![
            Span::styled(format!("{name:<FIELD_NAME$}"), theme.key),
            Span::raw(fit(value, width.saturating_sub(FIELD_NAME))),
        ]));
    }
    lines
}

/// The referrers tree: what signs, attests or describes this manifest
/// (`crate::tui::state::referrer_rows` counts these lines).
fn referrer_lines<'a>(
    referrers: &[crate::ops::referrers::Referrer],
    width: usize,
    selected: Option<usize>,
    theme: &Theme,
) -> Vec<Line<'a>> {
    fn walk<'a>(
        referrers: &[crate::ops::referrers::Referrer],
        depth: usize,
        width: usize,
        out: &mut Vec<Line<'a>>,
    ) {
        for r in referrers {
            let kind = r.artifact_type.as_deref().unwrap_or(&r.media_type);
            // The type last: it is the longest and the one to cut.
            let text = format!(
                "{}{} ({}) {} {}",
                "  ".repeat(depth),
                r.digest.short(),
                r.found_by,
                size(r.size),
                clean(kind)
            );
            out.push(Line::raw(fit(&text, width)));
            walk(&r.referrers, depth + 1, width, out);
        }
    }
    if referrers.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![Line::raw(""), Line::styled("REFERRERS", theme.header)];
    walk(referrers, 0, width, &mut lines);
    if let Some(line) = selected.and_then(|i| lines.get_mut(i + 2)) {
        *line = std::mem::take(line).style(theme.selected);
    }
    lines
}

/// The flattened index of the referrer under the image view's cursor, when
/// the detail pane has the focus (Enter opens it).
fn selected_referrer(
    state: &State,
    referrers: &[crate::ops::referrers::Referrer],
) -> Option<usize> {
    let entry = state.detail.top().filter(|_| state.focus == Pane::Detail)?;
    let chosen = entry.selected_referrer()?;
    crate::tui::state::flatten_referrers(referrers)
        .iter()
        .position(|r| std::ptr::eq(*r, chosen))
}
