//! Brakes on a retention plan: at most N images, at most a share of the
//! repository's images. They belong to the plan (written into a plan file,
//! shown by the browser's planner) and are enforced wherever it is carried out.

use serde::{Deserialize, Serialize};

/// The share of a repository's images a plan may delete by default.
pub const DEFAULT_MAX_DELETE_PERCENT: u8 = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brakes {
    pub max_delete: Option<usize>,
    pub max_delete_percent: u8,
}

impl Default for Brakes {
    fn default() -> Brakes {
        Brakes {
            max_delete: None,
            max_delete_percent: DEFAULT_MAX_DELETE_PERCENT,
        }
    }
}

impl Brakes {
    /// Why a plan deleting `doomed` of `images` images is refused, if it is.
    pub fn refusal(&self, doomed: usize, images: usize) -> Option<String> {
        if let Some(max) = self.max_delete
            && doomed > max
        {
            return Some(format!(
                "the plan deletes {doomed} images, more than --max-delete {max}"
            ));
        }
        let percent = usize::from(self.max_delete_percent);
        if doomed.saturating_mul(100) > images.saturating_mul(percent) {
            return Some(format!(
                "the plan deletes {doomed} of {images} images ({}%), more than --max-delete-percent {percent}",
                doomed.saturating_mul(100) / images.max(1)
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_brake_holds_just_past_its_limit() {
        let count = Brakes {
            max_delete: Some(3),
            max_delete_percent: 100,
        };
        assert_eq!(count.refusal(3, 10), None);
        assert!(count.refusal(4, 10).unwrap().contains("--max-delete 3"));
        let share = Brakes::default();
        assert_eq!(share.refusal(8, 10), None);
        let why = share.refusal(9, 10).unwrap();
        assert!(why.contains("9 of 10 images (90%)"), "{why}");
        assert_eq!(share.refusal(0, 0), None);
        let none = Brakes {
            max_delete: None,
            max_delete_percent: 0,
        };
        assert!(none.refusal(1, 300).is_some());
    }
}
