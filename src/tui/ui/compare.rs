//! The comparison view: two images, their layers, config and files, each
//! difference with a symbol that reads without colour (`+` only in B, `-`
//! only in A, `~` changed) and a colour that says the same.

use super::text::{clean, fit, size};
use super::theme::Theme;
use crate::model::filetree::FileNode;
use crate::model::filetree::diff::Change;
use crate::oci::layer::entry::display;
use crate::ops::compare::TagsCompared;
use crate::tui::state::compare::CompareView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

#[derive(Clone, Copy)]
enum Kind {
    Heading,
    Plain,
    Added,
    Removed,
    Changed,
}

pub fn render(view: &CompareView, frame: &mut Frame, area: Rect, theme: &Theme) {
    frame.render_widget(ratatui::widgets::Clear, area);
    let title = format!(" compare {} ", clean(view.title()));
    let block = super::pane_block(&title, true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let body: Vec<Line> = match (&view.data(), &view.error()) {
        (_, Some(e)) => vec![Line::styled(clean(e).to_string(), theme.error)],
        (None, None) => vec![Line::styled(
            "comparing… (reading both images' layers)",
            theme.dim,
        )],
        (Some(c), None) => lines(
            c,
            view.scroll(),
            crate::tui::layout::screen_body_rows(area, 0),
        )
        .into_iter()
        .map(|(kind, text)| {
            let style = match kind {
                Kind::Heading => theme.header,
                Kind::Plain => Style::default(),
                Kind::Added => theme.added,
                Kind::Removed => theme.removed,
                Kind::Changed => theme.changed,
            };
            Line::styled(fit(&clean(&text), width), style)
        })
        .collect(),
    };
    frame.render_widget(Paragraph::new(body), inner);
}

fn kind_of(change: Change) -> Kind {
    match change {
        Change::Added => Kind::Added,
        Change::Removed => Kind::Removed,
        Change::Changed => Kind::Changed,
    }
}

fn file_facts(node: Option<&FileNode>) -> String {
    match node {
        Some(n) => format!("{} {} {:o}", n.kind.label(), size(n.size), n.mode),
        None => "-".to_string(),
    }
}

/// Lines `skip..skip + take` (`CompareView::line_count` counts them all);
/// only the file changes in view are formatted.
fn lines(c: &TagsCompared, skip: usize, take: usize) -> Vec<(Kind, String)> {
    let mut out = image_lines(c);
    out.push((Kind::Plain, String::new()));
    layer_lines(&c.comparison.layers, &mut out);
    out.push((Kind::Plain, String::new()));
    config_lines(&c.comparison.config, &mut out);
    out.push((Kind::Plain, String::new()));
    let files = c.comparison.files.as_deref().unwrap_or_default();
    out.push((Kind::Heading, format!("FILES  {} changes", files.len())));
    let head = out.len();
    let mut out: Vec<(Kind, String)> = out.into_iter().skip(skip).take(take).collect();
    let first_file = skip.saturating_sub(head);
    let room = take.saturating_sub(out.len());
    out.extend(files.iter().skip(first_file).take(room).map(file_line));
    out
}

/// The two images and the size delta.
fn image_lines(c: &TagsCompared) -> Vec<(Kind, String)> {
    let delta = i128::from(c.b.2) - i128::from(c.a.2);
    let sign = if delta < 0 { "-" } else { "+" };
    let delta = size(u64::try_from(delta.unsigned_abs()).unwrap_or(u64::MAX));
    let a = format!("A  {}  {}  {}", c.a.0, c.a.1.short(), size(c.a.2));
    let (tag, digest, bytes) = (&c.b.0, c.b.1.short(), size(c.b.2));
    let b = format!("B  {tag}  {digest}  {bytes}  ({sign}{delta})");
    vec![(Kind::Plain, a), (Kind::Plain, b)]
}

fn layer_lines(l: &crate::model::image_diff::LayerDiff, out: &mut Vec<(Kind, String)>) {
    let total = |v: &[crate::model::image_diff::LayerRef]| {
        size(v.iter().fold(0u64, |s, x| s.saturating_add(x.size)))
    };
    out.push((
        Kind::Heading,
        format!(
            "LAYERS  {} shared ({}) · {} only in A ({}) · {} only in B ({})",
            l.shared.len(),
            total(&l.shared),
            l.only_a.len(),
            total(&l.only_a),
            l.only_b.len(),
            total(&l.only_b)
        ),
    ));
    for (kind, mark, list) in [
        (Kind::Removed, '-', &l.only_a),
        (Kind::Added, '+', &l.only_b),
    ] {
        out.extend(
            list.iter()
                .map(|x| (kind, format!("{mark} {:>9}  {}", size(x.size), x.digest))),
        );
    }
}

fn config_lines(config: &[crate::model::image_diff::ConfigChange], out: &mut Vec<(Kind, String)>) {
    out.push((
        Kind::Heading,
        match config.is_empty() {
            true => "CONFIG  the same".to_string(),
            false => format!("CONFIG  {} changes", config.len()),
        },
    ));
    for ch in config {
        let (kind, mark) = match ch.change {
            "added" => (Kind::Added, '+'),
            "removed" => (Kind::Removed, '-'),
            _ => (Kind::Changed, '~'),
        };
        let key = ch
            .key
            .as_deref()
            .map(|k| format!(" {k}"))
            .unwrap_or_default();
        let (a, b) = (
            ch.a.as_deref().unwrap_or("-"),
            ch.b.as_deref().unwrap_or("-"),
        );
        out.push((kind, format!("{mark} {}{key}: {a} → {b}", ch.field)));
    }
}

fn file_line(f: &crate::ops::compare::FileChange) -> (Kind, String) {
    let path = display(&f.path);
    let line = match f.change {
        Change::Changed => format!(
            "~ {path}  ({} → {})",
            file_facts(f.before.as_ref()),
            file_facts(f.after.as_ref())
        ),
        Change::Added => format!("+ {path}  ({})", file_facts(f.after.as_ref())),
        Change::Removed => format!("- {path}  ({})", file_facts(f.before.as_ref())),
    };
    (kind_of(f.change), line)
}
