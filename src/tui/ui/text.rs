//! Small text helpers for panes: safe strings, sizes, ages, bars.

use crate::oci::text::sanitize;
use std::borrow::Cow;

/// Registry text made safe to draw (no control characters or escape sequences).
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(crate::oci::text::is_unsafe_for_terminal) {
        Cow::Owned(sanitize(text))
    } else {
        Cow::Borrowed(text)
    }
}

pub fn size(bytes: u64) -> String {
    humansize::format_size(bytes, humansize::DECIMAL)
}

/// `3d ago`, `5h ago`, `2y ago`; the date itself when there is no clock.
pub fn ago(created: &str, now: Option<jiff::Timestamp>) -> String {
    match crate::ops::summary::unix_seconds(created) {
        Some(then) if now.is_some() => ago_seconds(then, now),
        _ => clean(created).chars().take(10).collect(),
    }
}

/// `ago` for Unix seconds.
pub fn ago_seconds(then: i64, now: Option<jiff::Timestamp>) -> String {
    let Some(now) = now else {
        return jiff::Timestamp::from_second(then)
            .map_or_else(|_| "?".into(), |t| t.to_string().chars().take(10).collect());
    };
    let seconds = now.as_second() - then;
    let (value, unit) = match seconds {
        s if s < 60 => return "now".to_string(),
        s if s < 3_600 => (s / 60, "m"),
        s if s < 86_400 => (s / 3_600, "h"),
        s if s < 86_400 * 60 => (s / 86_400, "d"),
        s if s < 86_400 * 730 => (s / (86_400 * 30), "mo"),
        s => (s / (86_400 * 365), "y"),
    };
    format!("{value}{unit} ago")
}

/// A bar of `width` cells for `value / max`, in eighths of a cell.
pub fn bar(value: u64, max: u64, width: usize) -> String {
    const PARTS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if max == 0 || width == 0 {
        return " ".repeat(width);
    }
    let eighths = u128::from(value) * width as u128 * 8 / u128::from(max);
    let eighths = usize::try_from(eighths).unwrap_or(usize::MAX);
    let eighths = eighths.max(if value > 0 { 1 } else { 0 });
    let mut out = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        out.push(PARTS[eighths % 8 - 1]);
    }
    let used = out.chars().count();
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// Cuts to `width` display columns with `…`.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            out.pop();
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        let now: jiff::Timestamp = "2024-05-04T10:00:00Z".parse().unwrap();
        assert_eq!(ago("2024-05-01T10:00:00Z", Some(now)), "3d ago");
        assert_eq!(ago("2024-05-04T07:00:00Z", Some(now)), "3h ago");
        assert_eq!(ago("2020-05-04T07:00:00Z", Some(now)), "4y ago");
        assert_eq!(ago("garbage\x1b[2J", Some(now)), "garbage");
    }

    #[test]
    fn bars() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██  ");
        assert_eq!(bar(1, 1000, 4), "▏   ");
        assert_eq!(bar(0, 10, 2), "  ");
    }
}
