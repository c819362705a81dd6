//! The package screen: one SBOM's packages, filtered (`/`: name, version,
//! license or purl contain the text) and sorted by name, version or license.

use super::cursor::{Cursor, Move};
use crate::model::sbom::{Package, Sbom};
use crate::model::tag_order::natural_cmp;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PackageSort {
    #[default]
    Name,
    Version,
    License,
}

impl PackageSort {
    pub fn label(self) -> &'static str {
        match self {
            PackageSort::Name => "name",
            PackageSort::Version => "version",
            PackageSort::License => "license",
        }
    }

    fn next(self) -> PackageSort {
        match self {
            PackageSort::Name => PackageSort::Version,
            PackageSort::Version => PackageSort::License,
            PackageSort::License => PackageSort::Name,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PackagesView {
    pub title: String,
    sbom: Arc<Sbom>,
    filter: String,
    sort: PackageSort,
    reversed: bool,
    /// Indices of the packages that pass the filter, in display order.
    order: Vec<usize>,
    cursor: Cursor,
}

impl PackagesView {
    pub fn new(title: String, sbom: Arc<Sbom>) -> PackagesView {
        let mut view = PackagesView {
            title,
            sbom,
            filter: String::new(),
            sort: PackageSort::default(),
            reversed: false,
            order: Vec::new(),
            cursor: Cursor::default(),
        };
        view.refresh();
        view
    }

    pub fn sbom(&self) -> &Sbom {
        &self.sbom
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.refresh();
    }

    pub fn sort(&self) -> PackageSort {
        self.sort
    }

    pub fn reversed(&self) -> bool {
        self.reversed
    }

    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.refresh();
    }

    pub fn reverse(&mut self) {
        self.reversed = !self.reversed;
        self.refresh();
    }

    fn refresh(&mut self) {
        let needle = self.filter.to_lowercase();
        let packages = &self.sbom.packages;
        let mut order: Vec<usize> = (0..packages.len())
            .filter(|&i| needle.is_empty() || matches(&packages[i], &needle))
            .collect();
        let key = |p: &Package| -> String {
            match self.sort {
                PackageSort::Name => p.name.clone(),
                PackageSort::Version => p.version.clone().unwrap_or_default(),
                PackageSort::License => p.licenses.join(" "),
            }
        };
        order.sort_by(|&a, &b| {
            let (pa, pb) = (&packages[a], &packages[b]);
            natural_cmp(&key(pa), &key(pb)).then_with(|| natural_cmp(&pa.name, &pb.name))
        });
        if self.reversed {
            order.reverse();
        }
        self.order = order;
        self.cursor.set(0, self.order.len());
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn visible(&self) -> impl Iterator<Item = (usize, &Package)> {
        self.order
            .iter()
            .enumerate()
            .skip(self.cursor.offset())
            .map(|(pos, &i)| (pos, &self.sbom.packages[i]))
    }

    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    pub fn move_cursor(&mut self, movement: Move, height: usize) {
        self.cursor.apply(movement, self.order.len());
        self.cursor.keep_in_view(height, self.order.len());
    }
}

fn matches(p: &Package, needle: &str) -> bool {
    p.name.to_lowercase().contains(needle)
        || p.version
            .as_deref()
            .is_some_and(|v| v.to_lowercase().contains(needle))
        || p.purl
            .as_deref()
            .is_some_and(|v| v.to_lowercase().contains(needle))
        || p.licenses.iter().any(|l| l.to_lowercase().contains(needle))
}
