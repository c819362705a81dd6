//! A list cursor: the selected row and the first row shown.

/// A movement of a cursor over a list of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    By(isize),
    First,
    Last,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    selected: usize,
    offset: usize,
}

impl Cursor {
    pub fn selected(self) -> usize {
        self.selected
    }

    pub fn offset(self) -> usize {
        self.offset
    }

    pub fn apply(&mut self, movement: Move, len: usize) {
        let target = match movement {
            Move::First => 0,
            Move::Last => len.saturating_sub(1),
            Move::By(delta) => self.selected.saturating_add_signed(delta),
        };
        self.set(target, len);
    }

    /// Selects row `index` (clamped to the list).
    pub fn set(&mut self, index: usize, len: usize) {
        self.selected = index.min(len.saturating_sub(1));
    }

    /// Clamps the selection to `len` rows and scrolls it into a window of
    /// `height` rows.
    pub fn keep_in_view(&mut self, height: usize, len: usize) {
        self.set(self.selected, len);
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// Scrolls a view of `len` lines by `movement`, `height` of them shown.
    pub fn scroll(&mut self, movement: Move, height: usize, len: usize) {
        let max = len.saturating_sub(height);
        self.offset = match movement {
            Move::First => 0,
            Move::Last => max,
            Move::By(delta) => self.offset.saturating_add_signed(delta).min(max),
        };
    }

    /// Shows the view from line `offset`.
    pub fn scroll_to(&mut self, offset: usize) {
        self.offset = offset;
    }

    /// Keeps a scrolled view inside `len` lines.
    pub fn clamp_scroll(&mut self, height: usize, len: usize) {
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_clamp_and_scroll() {
        let mut c = Cursor::default();
        c.apply(Move::By(-3), 10);
        assert_eq!(c.selected(), 0);
        c.apply(Move::Last, 10);
        c.keep_in_view(4, 10);
        assert_eq!((c.selected(), c.offset()), (9, 6));
        c.apply(Move::By(isize::MAX), 10);
        assert_eq!(c.selected(), 9);
        c.keep_in_view(4, 3);
        assert_eq!((c.selected(), c.offset()), (2, 0), "a shorter list clamps");
        c.apply(Move::First, 0);
        assert_eq!(c.selected(), 0, "an empty list");
        c.scroll(Move::By(5), 4, 6);
        assert_eq!(c.offset(), 2);
    }
}
