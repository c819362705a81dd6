//! The files as a tree: each directory with its children and the bytes of
//! every file below it, sortable, walked depth first. Nodes point into the
//! entries they came from (a name is a range of a path), so a tree of 200,000
//! files costs little more than the files.

use super::{FileNode, Files};
use crate::oci::layer::EntryKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    /// Largest first (name breaks ties).
    Size,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TreeNode {
    /// An entry whose path starts with this node's path.
    source: u32,
    /// This node's name is `path[start..end]` of that entry; its path `path[..end]`.
    start: u32,
    end: u32,
    /// Whether that entry is this node (else it is a directory only implied).
    exact: bool,
    pub children: Vec<u32>,
    /// Its own size, plus every file's below it.
    pub total: u64,
    pub depth: u32,
}

/// Node 0 is the root (`/`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Tree {
    entries: Entries,
    pub nodes: Vec<TreeNode>,
}

/// The entries' paths one after another in one buffer, and their files: a
/// tree of 200,000 files is a handful of allocations, not 200,000 (a stored
/// tree reads back that much faster).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Entries {
    paths: Vec<u8>,
    /// Where each entry's path ends in `paths` (it starts where the last ended).
    ends: Vec<usize>,
    files: Vec<FileNode>,
}

impl Entries {
    fn of(entries: Vec<(Box<[u8]>, FileNode)>) -> Entries {
        let total = entries.iter().map(|(p, _)| p.len()).sum();
        let mut flat = Entries {
            paths: Vec::with_capacity(total),
            ends: Vec::with_capacity(entries.len()),
            files: Vec::with_capacity(entries.len()),
        };
        for (path, file) in entries {
            flat.paths.extend_from_slice(&path);
            flat.ends.push(flat.paths.len());
            flat.files.push(file);
        }
        flat
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn path(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p]);
        self.paths.get(start..end)
    }
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl Tree {
    pub fn build(files: Files) -> Tree {
        Tree::from_entries(files.into_iter().collect())
    }

    /// From entries in path (byte) order, as `Files` iterates.
    pub fn from_entries(entries: Vec<(Box<[u8]>, FileNode)>) -> Tree {
        let entries = Entries::of(entries);
        let root = TreeNode {
            source: 0,
            start: 0,
            end: 0,
            exact: false,
            children: Vec::new(),
            total: 0,
            depth: 0,
        };
        let mut nodes = Vec::with_capacity(entries.len() + 1);
        nodes.push(root);
        {
            // Every node by its path, borrowed from the entries.
            let mut by_path: hashbrown::HashMap<&[u8], u32> =
                hashbrown::HashMap::with_capacity(entries.len());
            for source in 0..entries.len() {
                let path = entries.path(source).unwrap_or_default();
                if path.is_empty() {
                    continue; // the root itself (an opaque marker on it)
                }
                let mut parent = 0usize;
                let mut start = 0usize;
                loop {
                    let end = path[start..]
                        .iter()
                        .position(|b| *b == b'/')
                        .map_or(path.len(), |i| start + i);
                    let last = end == path.len();
                    let at = match by_path.get(&path[..end]) {
                        Some(i) => *i as usize,
                        None => {
                            let i = nodes.len();
                            let depth = nodes[parent].depth + 1;
                            nodes.push(TreeNode {
                                source: index(source),
                                start: index(start),
                                end: index(end),
                                exact: false,
                                children: Vec::new(),
                                total: 0,
                                depth,
                            });
                            nodes[parent].children.push(index(i));
                            by_path.insert(&path[..end], index(i));
                            i
                        }
                    };
                    if last {
                        nodes[at].source = index(source);
                        nodes[at].exact = true;
                        break;
                    }
                    parent = at;
                    start = end + 1;
                }
            }
        }
        let mut tree = Tree { entries, nodes };
        tree.sum_totals();
        tree
    }

    /// Children come after their parents, so one backwards pass sums them.
    fn sum_totals(&mut self) {
        for i in (0..self.nodes.len()).rev() {
            let own = self.file(&self.nodes[i]).map_or(0, |f| f.size);
            let below = self.nodes[i]
                .children
                .iter()
                .fold(0u64, |s, c| s.saturating_add(self.nodes[*c as usize].total));
            self.nodes[i].total = own.saturating_add(below);
        }
    }

    /// Bytes of every entry's path and link target (what the image's path
    /// budget counts).
    pub fn path_bytes(&self) -> u64 {
        let links = self.entries.files.iter().filter_map(|f| f.link.as_ref());
        let links = links.fold(0u64, |s, l| s.saturating_add(l.len() as u64));
        (self.entries.paths.len() as u64).saturating_add(links)
    }

    pub fn name(&self, node: &TreeNode) -> &[u8] {
        let path = self.entries.path(node.source as usize).unwrap_or_default();
        path.get(node.start as usize..node.end as usize)
            .unwrap_or_default()
    }

    pub fn path(&self, node: &TreeNode) -> &[u8] {
        let path = self.entries.path(node.source as usize).unwrap_or_default();
        path.get(..node.end as usize).unwrap_or_default()
    }

    /// What a layer wrote there; `None` for an implied directory (and the root).
    pub fn file(&self, node: &TreeNode) -> Option<&FileNode> {
        match node.exact {
            true => self.entries.files.get(node.source as usize),
            false => None,
        }
    }

    pub fn is_dir(&self, node: &TreeNode) -> bool {
        !node.children.is_empty()
            || self
                .file(node)
                .is_none_or(|f| matches!(f.kind, EntryKind::Dir | EntryKind::Opaque))
    }

    pub fn sort(&mut self, by: SortBy) {
        for i in 0..self.nodes.len() {
            let mut children = std::mem::take(&mut self.nodes[i].children);
            children.sort_by(|a, b| {
                let (a, b) = (&self.nodes[*a as usize], &self.nodes[*b as usize]);
                let by_name = self.name(a).cmp(self.name(b));
                match by {
                    SortBy::Name => by_name,
                    SortBy::Size => b.total.cmp(&a.total).then(by_name),
                }
            });
            self.nodes[i].children = children;
        }
    }

    /// Every node below the root down to `max_depth` (all when `None`), depth first.
    pub fn walk(&self, max_depth: Option<usize>, mut visit: impl FnMut(&TreeNode)) {
        let mut stack: Vec<u32> = self.nodes[0].children.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            let node = &self.nodes[i as usize];
            visit(node);
            if max_depth.is_none_or(|d| (node.depth as usize) < d) {
                stack.extend(node.children.iter().rev());
            }
        }
    }
}
