//! The retention planner (`P`): rules typed into fields, tried live against
//! the repository's planning data, every tag's verdict shown in the tags pane.

use crate::model::brakes::Brakes;
use crate::model::protect::Protected;
use crate::model::retention::Rules;
use crate::ops::prune::{Limits, PlanningData, RepoPrune, prune_with};
use std::collections::HashMap;
use std::sync::Arc;

/// The text fields, in order; the include-undated toggle comes after them.
pub const FIELDS: [&str; 4] = [
    "keep newest",
    "keep (regexes)",
    "only (regex)",
    "older than",
];
/// Focus index of the include-undated toggle.
pub const UNDATED: usize = FIELDS.len();

#[derive(Debug, Clone)]
pub enum PlanData {
    Loading,
    Failed(String),
    Ready(Arc<PlanningData>),
}

/// One tag's fate under the current rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub delete: bool,
    pub reason: String,
}

/// The plan the rules make now, with each tag's verdict.
#[derive(Debug)]
pub struct PlanOutcome {
    pub prune: RepoPrune,
    pub verdicts: HashMap<String, Verdict>,
}

#[derive(Debug)]
pub struct Planner {
    repo: String,
    fields: [tui_input::Input; 4],
    include_undated: bool,
    /// The focused field (`UNDATED` is the toggle).
    focus: usize,
    data: PlanData,
    /// What the rules give, or why they give nothing.
    outcome: Option<Result<PlanOutcome, String>>,
    /// Images no plan may take (read when the planner opened).
    protected: Arc<Protected>,
    /// Bumped by every edit; the outcome is computed for `computed`.
    revision: u64,
    computed: Option<u64>,
}

impl Planner {
    pub fn new(repo: &str, protected: Arc<Protected>) -> Planner {
        Planner {
            repo: repo.to_string(),
            fields: [
                tui_input::Input::new("10".into()),
                tui_input::Input::default(),
                tui_input::Input::default(),
                tui_input::Input::default(),
            ],
            include_undated: false,
            focus: 0,
            data: PlanData::Loading,
            outcome: None,
            protected,
            revision: 0,
            computed: None,
        }
    }

    pub fn repo(&self) -> &str {
        &self.repo
    }

    pub fn fields(&self) -> &[tui_input::Input; 4] {
        &self.fields
    }

    pub fn include_undated(&self) -> bool {
        self.include_undated
    }

    /// The focused field (`UNDATED` is the toggle).
    pub fn focus(&self) -> usize {
        self.focus
    }

    pub fn data(&self) -> &PlanData {
        &self.data
    }

    /// What the rules give, or why they give nothing.
    pub fn outcome(&self) -> Option<&Result<PlanOutcome, String>> {
        self.outcome.as_ref()
    }

    /// Focus moves by `step` fields, around (the toggle is the last).
    pub fn move_focus(&mut self, step: isize) {
        let fields = FIELDS.len() + 1;
        let at = isize::try_from(self.focus)
            .unwrap_or(0)
            .saturating_add(step);
        let count = isize::try_from(fields).unwrap_or(isize::MAX);
        self.focus = usize::try_from(at.rem_euclid(count)).unwrap_or(0);
    }

    /// Space on the toggle flips "include undated"; `false` elsewhere.
    pub fn toggle(&mut self) -> bool {
        if self.focus != UNDATED {
            return false;
        }
        self.include_undated = !self.include_undated;
        self.edited();
        true
    }

    /// A key typed into the focused text field (none on the toggle).
    pub fn type_key(&mut self, event: &crossterm::event::Event) {
        use tui_input::backend::crossterm::EventHandler;
        if let Some(field) = self.fields.get_mut(self.focus) {
            field.handle_event(event);
            self.edited();
        }
    }

    pub fn edited(&mut self) {
        self.revision = self.revision.wrapping_add(1);
    }

    /// The rules the fields spell, or what is wrong with them.
    pub fn rules(&self) -> Result<Rules, String> {
        let text = |i: usize| self.fields[i].value().trim();
        let keep_newest = match text(0) {
            "" => None,
            n => Some(
                n.parse::<usize>()
                    .map_err(|_| format!("keep newest: {n:?} is not a number"))?,
            ),
        };
        let keep: Vec<String> = text(1).split_whitespace().map(str::to_string).collect();
        let only = Some(text(2)).filter(|t| !t.is_empty());
        let older_than = match text(3) {
            "" => None,
            age => Some(crate::config::parse_age(age).map_err(|e| format!("older than: {e}"))?),
        };
        Rules::from_text(keep_newest, &keep, only, older_than, self.include_undated)
            .map_err(|e| e.to_string())
    }

    /// Recomputes the outcome when the rules or the data changed since.
    pub fn reconcile(&mut self, now: i64) {
        let PlanData::Ready(data) = &self.data else {
            return;
        };
        if self.computed == Some(self.revision) {
            return;
        }
        self.computed = Some(self.revision);
        let limits = Limits {
            brakes: Brakes::default(),
            protected: &self.protected,
            now,
            keep_children: false,
        };
        self.outcome = Some(self.rules().map(|rules| outcome(data, &rules, limits)));
    }

    pub fn fill(&mut self, data: Result<Arc<PlanningData>, String>) {
        self.data = match data {
            Ok(d) => PlanData::Ready(d),
            Err(e) => PlanData::Failed(e),
        };
        self.computed = None;
    }

    pub fn verdict(&self, tag: &str) -> Option<&Verdict> {
        self.outcome.as_ref()?.as_ref().ok()?.verdicts.get(tag)
    }
}

fn outcome(data: &PlanningData, rules: &Rules, limits: Limits<'_>) -> PlanOutcome {
    let prune = prune_with(data, rules, limits);
    let mut verdicts = HashMap::new();
    for doomed in &prune.plan.delete {
        for tag in &doomed.tags {
            let reason = doomed.reasons.get(tag).cloned().unwrap_or_default();
            verdicts.insert(
                tag.clone(),
                Verdict {
                    delete: true,
                    reason,
                },
            );
        }
    }
    for kept in &prune.plan.keep {
        let reason = kept.reason.clone();
        verdicts.insert(
            kept.tag.clone(),
            Verdict {
                delete: false,
                reason,
            },
        );
    }
    PlanOutcome { prune, verdicts }
}
