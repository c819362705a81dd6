//! The copy dialog (`c`): a destination typed (Tab completes), the preview
//! of what moves, the progress per tag, the outcome.

use crate::ops::copy::CopyBatch;
use crate::tui::job::CopyProgress;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[derive(Debug)]
pub struct CopyDialog {
    pub repo: String,
    pub tags: Vec<String>,
    pub stage: CopyStage,
}

#[derive(Debug)]
pub enum CopyStage {
    /// Typing where to; `candidates` complete it.
    Destination {
        input: tui_input::Input,
        candidates: Vec<String>,
        error: Option<String>,
    },
    /// Opening the destination and asking what it has.
    Planning { destination: String },
    /// What will move; Enter copies.
    Preview {
        destination: String,
        batch: Arc<CopyBatch>,
    },
    /// Copying; Esc stops between blobs.
    Copying {
        destination: String,
        batch: Arc<CopyBatch>,
        progress: Vec<CopyProgress>,
        stop: Arc<AtomicBool>,
    },
    /// Finished, stopped or failed; any key closes.
    Done { summary: String, failed: bool },
}

impl CopyDialog {
    pub fn new(repo: String, tags: Vec<String>, candidates: Vec<String>) -> CopyDialog {
        CopyDialog {
            repo,
            tags,
            stage: CopyStage::Destination {
                input: tui_input::Input::default(),
                candidates,
                error: None,
            },
        }
    }

    /// `app:1.0`, or `app: 1.0, 1.1 (+3)` for marked tags.
    pub fn what(&self) -> String {
        match self.tags.as_slice() {
            [one] => format!("{}:{one}", self.repo),
            many => {
                let shown: Vec<&str> = many.iter().take(3).map(String::as_str).collect();
                let more = many.len().saturating_sub(3);
                let more = if more > 0 {
                    format!(" (+{more})")
                } else {
                    String::new()
                };
                format!("{}: {}{more}", self.repo, shown.join(", "))
            }
        }
    }
}

/// What Tab makes of `typed`: the longest prefix every candidate that starts
/// with it shares (the whole candidate when only one does).
pub fn complete(typed: &str, candidates: &[String]) -> Option<String> {
    let mut matching = candidates.iter().filter(|c| c.starts_with(typed));
    let first = matching.next()?;
    let common = matching.fold(first.as_str(), |common, c| {
        let shared = common
            .char_indices()
            .zip(c.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8());
        &common[..shared]
    });
    (common.len() > typed.len()).then(|| common.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_completes_the_shared_prefix_then_the_one_match() {
        let candidates = vec![
            "reg:5000/team/app".to_string(),
            "reg:5000/team/api".to_string(),
        ];
        assert_eq!(
            complete("reg", &candidates).as_deref(),
            Some("reg:5000/team/ap")
        );
        assert_eq!(complete("reg:5000/team/app", &candidates), None);
        assert_eq!(complete("reg:5000/team/api", &candidates), None);
        assert_eq!(complete("reg:5000/team/api", &candidates[..1]), None);
        assert_eq!(complete("x", &candidates), None);
        assert_eq!(
            complete("reg:5000/team/a", &candidates[..1]).as_deref(),
            Some("reg:5000/team/app")
        );
    }
}
