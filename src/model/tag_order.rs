//! Natural ordering of tags: `1.9` before `1.10`, `v2` before `v10`.

use std::cmp::Ordering;

/// Compares runs of digits by value and everything else by character; strings
/// that differ only in leading zeros fall back to plain order, so the order is total.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    natural_only(a, b).then_with(|| a.cmp(b))
}

fn natural_only(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, ra) = split_digits(a);
                let (nb, rb) = split_digits(b);
                let ord = compare_numbers(na, nb);
                if ord != Ordering::Equal {
                    return ord;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
    }
}

fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Numeric comparison of digit strings of any length.
fn compare_numbers(a: &str, b: &str) -> Ordering {
    let (ta, tb) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb))
}

/// Sorts naturally and removes duplicates.
pub fn sort_natural(tags: &mut Vec<String>) {
    tags.sort_by(|a, b| natural_cmp(a, b));
    tags.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_numbers_by_value() {
        let mut tags: Vec<String> = [
            "1.10", "1.9", "latest", "1.9.1", "v10", "v2", "01", "1", "1.10-rc1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        sort_natural(&mut tags);
        assert_eq!(
            tags,
            [
                "01", "1", "1.9", "1.9.1", "1.10", "1.10-rc1", "latest", "v2", "v10"
            ]
        );
    }

    #[test]
    fn handles_huge_numbers_and_duplicates() {
        let mut tags = vec![
            "99999999999999999999999".to_string(),
            "100000000000000000000000".to_string(),
            "a".to_string(),
            "a".to_string(),
        ];
        sort_natural(&mut tags);
        assert_eq!(
            tags,
            ["99999999999999999999999", "100000000000000000000000", "a"]
        );
    }
}
