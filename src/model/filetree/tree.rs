//! The files as a tree: each directory with its children and the bytes of
//! every file below it, sortable, walked depth first.

use super::{FileNode, Files};
use crate::oci::layer::EntryKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    /// Largest first (name breaks ties).
    Size,
}

#[derive(Debug, Clone)]
pub struct TreeNode {
    /// The last segment of the path.
    pub name: Box<[u8]>,
    /// `None` for a directory no layer wrote (implied by a path below it).
    pub file: Option<FileNode>,
    pub children: Vec<usize>,
    /// Its own size, plus every file's below it.
    pub total: u64,
    pub depth: usize,
}

impl TreeNode {
    pub fn is_dir(&self) -> bool {
        !self.children.is_empty() || self.file.as_ref().is_none_or(|f| f.kind == EntryKind::Dir)
    }
}

/// Node 0 is the root (`/`).
#[derive(Debug, Clone)]
pub struct Tree {
    pub nodes: Vec<TreeNode>,
}

impl Tree {
    pub fn build(files: &Files) -> Tree {
        let mut nodes = vec![TreeNode {
            name: Box::from(&b""[..]),
            file: None,
            children: Vec::new(),
            total: 0,
            depth: 0,
        }];
        // Every node by its full path: a parent is found (or implied) once.
        let mut by_path: hashbrown::HashMap<Box<[u8]>, usize> = hashbrown::HashMap::new();
        for (path, file) in files {
            let mut parent = 0;
            let mut end = 0;
            loop {
                let next = path[end..].iter().position(|b| *b == b'/').map(|i| end + i);
                let prefix = &path[..next.unwrap_or(path.len())];
                let last = next.is_none();
                let index = match by_path.get(prefix) {
                    Some(i) => *i,
                    None => {
                        let i = nodes.len();
                        let name =
                            &prefix[prefix.iter().rposition(|b| *b == b'/').map_or(0, |p| p + 1)..];
                        nodes.push(TreeNode {
                            name: name.into(),
                            file: None,
                            children: Vec::new(),
                            total: 0,
                            depth: nodes[parent].depth + 1,
                        });
                        nodes[parent].children.push(i);
                        by_path.insert(prefix.into(), i);
                        i
                    }
                };
                if last {
                    nodes[index].file = Some(file.clone());
                    break;
                }
                parent = index;
                end = next.map_or(path.len(), |n| n + 1);
            }
        }
        let mut tree = Tree { nodes };
        tree.total_of(0);
        tree
    }

    fn total_of(&mut self, index: usize) -> u64 {
        // Depth-first without recursion: children always come after parents.
        for i in (0..self.nodes.len()).rev() {
            let own = self.nodes[i].file.as_ref().map_or(0, |f| f.size);
            let below = self.nodes[i]
                .children
                .iter()
                .fold(0u64, |s, c| s.saturating_add(self.nodes[*c].total));
            self.nodes[i].total = own.saturating_add(below);
        }
        self.nodes[index].total
    }

    pub fn sort(&mut self, by: SortBy) {
        for i in 0..self.nodes.len() {
            let mut children = std::mem::take(&mut self.nodes[i].children);
            children.sort_by(|a, b| {
                let (a, b) = (&self.nodes[*a], &self.nodes[*b]);
                let by_name = a.name.cmp(&b.name);
                match by {
                    SortBy::Name => by_name,
                    SortBy::Size => b.total.cmp(&a.total).then(by_name),
                }
            });
            self.nodes[i].children = children;
        }
    }

    /// Every node below the root down to `max_depth` (all when `None`), depth
    /// first, with its full path.
    pub fn walk(&self, max_depth: Option<usize>, mut visit: impl FnMut(&[u8], &TreeNode)) {
        let mut stack: Vec<(usize, usize)> = self.nodes[0]
            .children
            .iter()
            .rev()
            .map(|c| (*c, 0))
            .collect();
        let mut path: Vec<u8> = Vec::new();
        while let Some((index, parent_len)) = stack.pop() {
            let node = &self.nodes[index];
            path.truncate(parent_len);
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(&node.name);
            visit(&path, node);
            if max_depth.is_none_or(|d| node.depth < d) {
                let len = path.len();
                stack.extend(node.children.iter().rev().map(|c| (*c, len)));
            }
        }
    }
}
