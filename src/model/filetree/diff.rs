//! Files added, removed and changed (kind, size, mode or link) between two trees.

use super::{FileNode, Files};
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
}

impl Change {
    pub fn label(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }

    /// A symbol that reads without colour.
    pub fn symbol(self) -> char {
        match self {
            Change::Added => '+',
            Change::Removed => '-',
            Change::Changed => '~',
        }
    }
}

#[derive(Debug, Clone)]
pub struct FileChange<'a> {
    pub path: &'a [u8],
    pub change: Change,
    pub before: Option<&'a FileNode>,
    pub after: Option<&'a FileNode>,
}

fn same(a: &FileNode, b: &FileNode) -> bool {
    a.kind == b.kind && a.size == b.size && a.mode == b.mode && a.link == b.link
}

/// One walk over both (they are sorted), in path order.
pub fn diff<'a>(before: &'a Files, after: &'a Files) -> Vec<FileChange<'a>> {
    let mut out = Vec::new();
    let (mut a, mut b) = (before.iter().peekable(), after.iter().peekable());
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((pa, _)), Some((pb, _))) => pa.cmp(pb),
        };
        match order {
            Ordering::Less => {
                if let Some((path, node)) = a.next() {
                    out.push(FileChange {
                        path,
                        change: Change::Removed,
                        before: Some(node),
                        after: None,
                    });
                }
            }
            Ordering::Greater => {
                if let Some((path, node)) = b.next() {
                    out.push(FileChange {
                        path,
                        change: Change::Added,
                        before: None,
                        after: Some(node),
                    });
                }
            }
            Ordering::Equal => {
                if let (Some((path, x)), Some((_, y))) = (a.next(), b.next())
                    && !same(x, y)
                {
                    out.push(FileChange {
                        path,
                        change: Change::Changed,
                        before: Some(x),
                        after: Some(y),
                    });
                }
            }
        }
    }
    out
}
