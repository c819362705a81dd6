//! An SBOM's packages on the whole screen: name, version, licenses, purl.

use super::text::{clean, fit};
use super::theme::Theme;
use crate::tui::state::packages::PackagesView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

pub fn render(view: &PackagesView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let inner = usize::from(area.width.saturating_sub(2));
    let sbom = view.sbom();
    let filter = if view.filter().is_empty() {
        String::new()
    } else {
        format!(" /{}", clean(view.filter()))
    };
    let title = format!(
        " {} — {} of {} packages{filter}, by {}{} ",
        clean(&view.title),
        view.len(),
        sbom.packages.len(),
        view.sort().label(),
        if view.reversed() { " (reversed)" } else { "" }
    );
    let title = fit(&title, inner);
    let (name_w, version_w, license_w) = (inner * 3 / 10, inner / 6, inner / 5);
    let purl_w = inner.saturating_sub(name_w + version_w + license_w + 3);
    let mut lines = vec![Line::styled(
        format!(
            "{:<name_w$} {:<version_w$} {:<license_w$} {}",
            "PACKAGE", "VERSION", "LICENSES", "PURL"
        ),
        theme.header,
    )];
    let rows = crate::tui::layout::screen_body_rows(area, 1);
    let selected = view.cursor().selected();
    for (pos, p) in view.visible().take(rows) {
        let style = super::row_style(pos == selected, true, Style::default(), theme);
        let text = format!(
            "{:<name_w$} {:<version_w$} {:<license_w$} {}",
            fit(&clean(&p.name), name_w),
            fit(&clean(p.version.as_deref().unwrap_or("-")), version_w),
            fit(&clean(&p.licenses.join(" ")), license_w),
            fit(&clean(p.purl.as_deref().unwrap_or("")), purl_w),
        );
        lines.push(Line::styled(fit(&text, inner), style));
    }
    if view.is_empty() {
        lines.push(Line::styled("no package matches", theme.dim));
    }
    frame.render_widget(Clear, area);
    let block = super::pane_block(&title, true, theme);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
