//! The rows of a list that pass its filter, in display order, and the cursor
//! over them: what the repository and tag lists share.

use super::cursor::{Cursor, Move};

#[derive(Debug, Default)]
pub struct Shown {
    /// Indices into the list's rows.
    rows: Vec<usize>,
    cursor: Cursor,
}

impl Shown {
    /// Shows `rows`, selecting the position of row `keep` (else the first).
    pub fn replace(&mut self, rows: Vec<usize>, keep: Option<usize>) {
        self.rows = rows;
        let position = keep.and_then(|row| self.position_of(row));
        self.cursor.set(position.unwrap_or(0), self.rows.len());
    }

    pub fn clear(&mut self) {
        self.rows.clear();
    }

    pub fn push(&mut self, row: usize) {
        self.rows.push(row);
    }

    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row under the cursor.
    pub fn selected(&self) -> Option<usize> {
        self.rows.get(self.cursor.selected()).copied()
    }

    pub fn position_of(&self, row: usize) -> Option<usize> {
        self.rows.iter().position(|&r| r == row)
    }

    /// Selects `row` when it is shown.
    pub fn select(&mut self, row: usize) -> bool {
        let position = self.position_of(row);
        if let Some(p) = position {
            self.cursor.set(p, self.rows.len());
        }
        position.is_some()
    }

    /// Positions and rows from `offset` on.
    pub fn from(&self, offset: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.rows.iter().copied().enumerate().skip(offset)
    }

    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    pub fn move_cursor(&mut self, movement: Move) {
        self.cursor.apply(movement, self.rows.len());
    }

    pub fn select_position(&mut self, position: usize) {
        self.cursor.set(position, self.rows.len());
    }

    pub fn keep_in_view(&mut self, height: usize) {
        self.cursor.keep_in_view(height, self.rows.len());
    }
}
