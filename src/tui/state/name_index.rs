//! Row index by tag name without a second copy of every name: the table holds
//! row numbers and compares against the rows' own names.

use hashbrown::HashTable;
use std::hash::BuildHasher;

#[derive(Debug, Default)]
pub struct NameIndex {
    table: HashTable<usize>,
    hasher: std::hash::RandomState,
}

impl NameIndex {
    /// An index of rows `0..count`, `name_of` giving each row's name.
    pub fn build<'a>(count: usize, name_of: impl Fn(usize) -> &'a str) -> NameIndex {
        let hasher = std::hash::RandomState::new();
        let mut table = HashTable::with_capacity(count);
        for i in 0..count {
            let name = name_of(i);
            table.insert_unique(hasher.hash_one(name), i, |&j| hasher.hash_one(name_of(j)));
        }
        NameIndex { table, hasher }
    }

    /// The row called `name`; `name_of` gives a row's name.
    pub fn get<'a>(&self, name: &str, name_of: impl Fn(usize) -> &'a str) -> Option<usize> {
        self.table
            .find(self.hasher.hash_one(name), |&i| name_of(i) == name)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_row_by_its_name() {
        let names = ["1.0", "latest", "2.0"];
        let index = NameIndex::build(names.len(), |i| names[i]);
        let name_of = |i: usize| names[i];
        assert_eq!(index.get("latest", name_of), Some(1));
        assert_eq!(index.get("2.0", name_of), Some(2));
        assert_eq!(index.get("3.0", name_of), None);
        assert_eq!(NameIndex::default().get("1.0", name_of), None);
    }
}
