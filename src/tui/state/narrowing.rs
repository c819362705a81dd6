//! The results of the filters typed so far for one row order, each narrowing
//! the one before: a typed character matches only the rows the last result
//! kept, a backspace takes an earlier result back, so a keystroke on a long
//! list does not match every row again.

#[derive(Debug, Default)]
pub struct Narrowing {
    /// `("", every row in order)` first, then each longer filter's rows.
    steps: Vec<(String, Vec<usize>)>,
}

/// Whether every row matching `to` also matches `from`, so `to` can be
/// matched among `from`'s rows. Negation (`!`), end anchors (`$`) and escapes
/// break that; the empty filter is every row.
fn narrows(from: &str, to: &str) -> bool {
    from.is_empty() || (to.starts_with(from) && !to.contains(['!', '$', '\\']))
}

impl Narrowing {
    /// The row order changed: every result is stale.
    pub fn invalidate(&mut self) {
        self.steps.clear();
    }

    /// The rows matching `filter`: `all()` is every row in order, `matching`
    /// keeps those of its rows that match.
    pub fn rows(
        &mut self,
        filter: &str,
        all: impl FnOnce() -> Vec<usize>,
        matching: impl Fn(&[usize], &str) -> Vec<usize>,
    ) -> Vec<usize> {
        if self.steps.is_empty() {
            self.steps.push((String::new(), all()));
        }
        self.steps.truncate(
            self.steps
                .iter()
                .take_while(|(f, _)| narrows(f, filter))
                .count()
                .max(1),
        );
        let Some((last, rows)) = self.steps.last() else {
            return Vec::new(); // never: the first step was just pushed
        };
        if last == filter {
            return rows.clone();
        }
        let found = matching(rows, filter);
        self.steps.push((filter.to_string(), found.clone()));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(rows: &[usize], filter: &str) -> Vec<usize> {
        let names = ["a1", "a2", "b1", "ab"];
        rows.iter()
            .copied()
            .filter(|&i| filter.chars().all(|c| names[i].contains(c)))
            .collect()
    }

    #[test]
    fn typing_narrows_and_backspace_takes_results_back() {
        let mut narrowing = Narrowing::default();
        let calls = std::cell::Cell::new(0);
        let counted = |rows: &[usize], f: &str| {
            calls.set(calls.get() + 1);
            contains(rows, f)
        };
        assert_eq!(narrowing.rows("a", || vec![0, 1, 2, 3], counted), [0, 1, 3]);
        assert_eq!(narrowing.rows("ab", || unreachable!(), counted), [3]);
        assert_eq!(calls.get(), 2);
        assert_eq!(
            narrowing.rows("a", || unreachable!(), counted),
            [0, 1, 3],
            "taken back"
        );
        assert_eq!(narrowing.rows("", || unreachable!(), counted), [0, 1, 2, 3]);
        assert_eq!(calls.get(), 2, "no matching for a backspace");
        assert_eq!(narrowing.rows("b", || unreachable!(), counted), [2, 3]);
        narrowing.invalidate();
        assert_eq!(
            narrowing.rows("b", || vec![3, 2], counted),
            [3, 2],
            "a new order"
        );
    }

    #[test]
    fn negation_and_anchors_match_every_row_again() {
        assert!(narrows("", "!a"));
        assert!(narrows("ab", "abc") && narrows("^a", "^ab") && narrows("'a", "'ab"));
        assert!(!narrows("a", "a!b") && !narrows("a", "a$") && !narrows("a\\", "a\\!"));
        assert!(!narrows("ab", "a"), "shorter is wider");
        let mut narrowing = Narrowing::default();
        assert_eq!(
            narrowing.rows("a", || vec![0, 1, 2, 3], contains),
            [0, 1, 3]
        );
        // "a!" is not narrower than "a": matched among every row.
        let seen = std::cell::RefCell::new(Vec::new());
        narrowing.rows(
            "a!",
            || unreachable!(),
            |rows: &[usize], f: &str| {
                seen.borrow_mut().extend_from_slice(rows);
                contains(rows, f)
            },
        );
        assert_eq!(*seen.borrow(), [0, 1, 2, 3]);
    }
}
