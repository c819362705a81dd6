//! The output of one of your commands (`output = "pane"`), sanitised once,
//! scrolled.

#[derive(Debug, Clone)]
pub struct OutputView {
    pub title: String,
    /// `None` while the command runs.
    lines: Option<Vec<String>>,
    scroll: usize,
}

impl OutputView {
    pub fn running(title: String) -> OutputView {
        OutputView {
            title,
            lines: None,
            scroll: 0,
        }
    }

    /// The command's output (or why it could not run), made safe to draw.
    pub fn finish(&mut self, text: &str) {
        let lines = text.lines().map(crate::oci::text::sanitize).collect();
        self.lines = Some(lines);
    }

    pub fn lines(&self) -> Option<&[String]> {
        self.lines.as_deref()
    }

    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// Moves by `by` rows, within `0..=last row`.
    pub fn scroll_by(&mut self, by: isize) {
        let last = self.lines.as_ref().map_or(0, |l| l.len().saturating_sub(1));
        self.scroll = self.scroll.saturating_add_signed(by).min(last);
    }
}
