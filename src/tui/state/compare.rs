//! The comparison of two marked tags (`=`): layers, size, config, then files.

use crate::ops::compare::TagsCompared;

#[derive(Debug)]
pub struct CompareView {
    title: String,
    data: Option<Box<TagsCompared>>,
    error: Option<String>,
    scroll: usize,
}

impl CompareView {
    pub fn new(title: String) -> CompareView {
        CompareView {
            title,
            data: None,
            error: None,
            scroll: 0,
        }
    }

    /// Lines the comparison takes (`ui::compare` lays them out): two image
    /// lines, then a blank line and a heading before layers, config and files.
    pub fn line_count(&self) -> usize {
        let Some(c) = &self.data else { return 0 };
        let l = &c.comparison.layers;
        let files = c.comparison.files.as_ref().map_or(0, Vec::len);
        2 + 2 + l.only_a.len() + l.only_b.len() + 2 + c.comparison.config.len() + 2 + files
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn data(&self) -> Option<&TagsCompared> {
        self.data.as_deref()
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Lines scrolled past.
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// The comparison arrived (or why it did not).
    pub fn fill(&mut self, result: Result<Box<TagsCompared>, String>) {
        match result {
            Ok(compared) => self.data = Some(compared),
            Err(e) => self.error = Some(e),
        }
    }

    pub fn scroll_to_top(&mut self) {
        self.scroll = 0;
    }

    pub fn scroll_by(&mut self, delta: isize, height: usize) {
        let max = self.line_count().saturating_sub(height);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }
}
