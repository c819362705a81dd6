//! What covers the panes: help, the one-line input, the delete confirmation.

use crate::ops::delete::DeletePlan;
use std::sync::Arc;

/// The delete confirmation.
#[derive(Debug, Clone, Default)]
pub struct DeleteDialog {
    /// `None` while every tag is still being checked.
    pub plan: Option<Arc<DeletePlan>>,
    /// What must be typed to confirm (`None`: `y` confirms).
    pub expected: Option<String>,
    pub input: tui_input::Input,
    pub working: bool,
    pub error: Option<String>,
    /// Rows scrolled (long tag lists).
    pub scroll: usize,
    /// Deleted manifests cannot be kept (no trash directory): say "no undo".
    pub no_undo: bool,
    /// The plan is past a brake (the planner's): why, said in red; typing
    /// `expected` then overrides it.
    pub brake: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Command,
}

#[derive(Debug, Default)]
pub enum Overlay {
    #[default]
    None,
    /// The help overlay, scrolled by this many rows.
    Help(usize),
    Input {
        kind: InputKind,
        input: tui_input::Input,
    },
    Delete(DeleteDialog),
    /// The retention planner (the detail pane's place).
    Planner(Box<super::planner::Planner>),
    /// An image's files (the whole screen).
    Files(Box<super::files::FilesView>),
    /// Two images compared (the whole screen).
    Compare(Box<super::compare::CompareView>),
}
