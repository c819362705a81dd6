//! The file tree: a summary (wasted space, or what the layer changed), the
//! layers' reading progress, then the visible rows with size bars.

use super::text::{bar, clean, fit, size};
use super::theme::Theme;
use crate::model::filetree::diff::Change;
use crate::model::filetree::tree::SortBy;
use crate::oci::layer::EntryKind;
use crate::oci::layer::entry::display;
use crate::ops::files::view::{FileTreeData, FilesMode};
use crate::tui::state::State;
use crate::tui::state::files::FilesView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const BAR: usize = 10;

pub fn render(view: &FilesView, state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    frame.render_widget(ratatui::widgets::Clear, area);
    let mode = match view.mode() {
        FilesMode::Merged => "merged image".to_string(),
        FilesMode::Layer(i) => format!(
            "layer {} of {}: its own changes",
            i + 1,
            view.layer_sizes().len()
        ),
    };
    let title = format!(" files {} — {mode} ", clean(view.title()));
    let block = super::pane_block(&title, true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = vec![summary(view, theme, width)];
    lines.push(Line::styled(hints(view, state), theme.dim));
    let rows = crate::tui::layout::screen_body_rows(area, crate::tui::layout::FILE_TREE_HEADER);
    match (&view.data(), &view.error()) {
        (_, Some(e)) => lines.push(Line::styled(clean(e).to_string(), theme.error)),
        (None, None) => lines.push(Line::styled("reading the layers…", theme.dim)),
        (Some(data), None) => lines.extend(tree_lines(view, data, rows, width, theme)),
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Wasted space once the tree is there; the reading progress before.
fn summary<'a>(view: &FilesView, theme: &Theme, width: usize) -> Line<'a> {
    let Some(data) = &view.data() else {
        let (read, total) = view
            .read()
            .iter()
            .zip(view.layer_sizes())
            .fold((0u64, 0u64), |(r, t), (a, b)| {
                (r.saturating_add(*a), t.saturating_add(*b))
            });
        let text = format!(
            "{} of {} read ({} layers)",
            size(read),
            size(total),
            view.layer_sizes().len()
        );
        return Line::styled(fit(&text, width), theme.accent);
    };
    let entries: usize = data.layers.iter().filter_map(|l| l.entries).sum();
    let mut text = format!(
        "{} layers · {entries} entries · wasted {} (dive) · hidden {} · efficiency {:.1}%",
        data.layers.len(),
        size(data.wasted.bytes),
        size(data.hidden_bytes),
        data.wasted.efficiency * 100.0
    );
    // The largest wasted paths (what `files --wasted` lists), as room allows.
    let largest: Vec<String> = data
        .wasted
        .paths
        .iter()
        .filter(|p| p.bytes > 0)
        .take(3)
        .map(|p| format!("{} {}", display(&p.path), size(p.bytes)))
        .collect();
    if !largest.is_empty() {
        text.push_str(&format!(" · most: {}", largest.join(", ")));
    }
    if let FilesMode::Layer(i) = data.mode
        && let Some(layer) = data.layers.get(i)
    {
        let what = match (&layer.format, &layer.note) {
            (_, Some(note)) => note.clone(),
            (Some(f), None) => f.clone(),
            _ => String::new(),
        };
        let digest = layer.digest.get(..19).unwrap_or(&layer.digest);
        text = format!(
            "{digest} · {} · {} · + added  ~ modified  - removed",
            size(layer.size),
            clean(&what)
        );
    }
    if !view.filter().is_empty() || view.typing() {
        text = format!(
            "/{}{}  {text}",
            clean(view.filter()),
            if view.typing() { "▏" } else { "" }
        );
    }
    Line::styled(fit(&clean(&text), width), theme.accent)
}

fn hints(view: &FilesView, state: &State) -> String {
    use crate::tui::action::Action;
    let key = |a| state.settings.keymap.first_key(a).to_string();
    let sort = match view.sort() {
        SortBy::Name => "name",
        SortBy::Size => "size",
    };
    let (moves, rest) = super::hints::FILE_TREE.split_at(2);
    let text = |actions| super::hints::text(&state.settings.keymap, actions);
    format!(
        "{}  {} sort ({sort})  {}",
        text(moves),
        key(Action::Sort),
        text(rest)
    )
}

fn mark(change: Option<Change>, theme: &Theme) -> (char, Style) {
    match change {
        Some(Change::Added) => ('+', theme.added),
        Some(Change::Removed) => ('-', theme.removed),
        Some(Change::Changed) => ('~', theme.changed),
        None => (' ', Style::default()),
    }
}

fn tree_lines<'a>(
    view: &FilesView,
    data: &FileTreeData,
    rows: usize,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let tree = &data.tree;
    if view.rows().is_empty() {
        let text = match view.filter().is_empty() {
            true => "no files in this view",
            false => "nothing matches the filter",
        };
        return vec![Line::styled(text, theme.dim)];
    }
    let offset = view.cursor().offset();
    let selected = view.cursor().selected();
    view.rows()
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, &node)| {
            let n = &tree.nodes[node as usize];
            let parent_total = parent_total(tree, view, i);
            let (symbol, style) = mark(data.marks.get(node as usize).copied().flatten(), theme);
            let fold = match (n.children.is_empty(), view.is_expanded(node)) {
                (true, _) => ' ',
                (false, true) => '▾',
                (false, false) => '▸',
            };
            let file = tree.file(n);
            let suffix = match file.map(|f| f.kind) {
                Some(EntryKind::Dir | EntryKind::Opaque) | None => "/".to_string(),
                Some(EntryKind::Symlink | EntryKind::Hardlink) => {
                    format!(
                        " → {}",
                        clean(&display(
                            file.and_then(|f| f.link.as_deref()).unwrap_or_default()
                        ))
                    )
                }
                Some(EntryKind::Whiteout) => " (deleted)".to_string(),
                _ => String::new(),
            };
            let layer = file.map_or("  ".to_string(), |f| format!("L{}", f.layer));
            let indent = "  ".repeat((n.depth as usize).saturating_sub(1));
            let name = format!("{indent}{fold} {}{suffix}", clean(&display(tree.name(n))));
            let name_width = width.saturating_sub(BAR + 18);
            let text_style = if i == selected { theme.selected } else { style };
            Line::from(vec![
                Span::styled(format!("{symbol} "), style),
                Span::styled(
                    format!("{:<name_width$}", fit(&name, name_width)),
                    text_style,
                ),
                Span::raw(format!(" {:>9} ", size(n.total))),
                Span::styled(bar(n.total, parent_total, BAR), theme.bar),
                Span::styled(format!(" {layer:>4}"), theme.dim),
            ])
        })
        .collect()
}

/// The bytes of the row's parent directory (the image's for the top level):
/// what a row's bar is a share of.
fn parent_total(tree: &crate::model::filetree::tree::Tree, view: &FilesView, row: usize) -> u64 {
    let node = &tree.nodes[view.rows()[row] as usize];
    (0..row)
        .rev()
        .map(|i| &tree.nodes[view.rows()[i] as usize])
        .find(|p| p.depth < node.depth)
        .map_or(tree.nodes[0].total, |p| p.total)
}
