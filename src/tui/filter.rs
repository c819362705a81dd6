//! Fuzzy filtering (nucleo, smart case), keeping the list's own order.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// The indices of `items` that match `filter` (all of them when it is empty).
pub fn matching<'a>(items: impl Iterator<Item = (usize, &'a str)>, filter: &str) -> Vec<usize> {
    if filter.is_empty() {
        return items.map(|(i, _)| i).collect();
    }
    let pattern = Pattern::parse(filter, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    items
        .filter(|(_, text)| {
            pattern
                .score(Utf32Str::new(text, &mut buf), &mut matcher)
                .is_some()
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_and_smart_case() {
        let items = ["alpine", "team/api", "nginx", "Alpha"];
        let found = |f: &str| matching(items.iter().copied().enumerate(), f);
        assert_eq!(found(""), [0, 1, 2, 3]);
        assert_eq!(found("alp"), [0, 3]);
        assert_eq!(found("Alp"), [3]);
        assert_eq!(found("tapi"), [1]);
        assert!(found("zzz").is_empty());
    }
}
