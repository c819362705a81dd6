//! What covers the panes: screens (file tree, comparison, planner) and
//! dialogs (help, the one-line input, the delete confirmation, copy, a new tag).

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

/// Views over the panes: the file tree and the comparison take the frame; the
/// retention planner takes the detail pane's place (the tags pane shows its verdicts).
#[derive(Debug)]
pub enum Screen {
    Planner(Box<super::planner::Planner>),
    Files(Box<super::files::FilesView>),
    Compare(Box<super::compare::CompareView>),
    /// One of your commands' output.
    Output(Box<super::output::OutputView>),
    /// One SBOM's packages (Enter on an SBOM in the detail pane).
    Packages(Box<super::packages::PackagesView>),
    /// The registry's usage per repository (`u` on the repositories pane).
    RegistryUsage(Box<super::registry_usage::RegistryUsageView>),
}

/// Modal views on top of everything, screens included; keys go to them first.
#[derive(Debug)]
pub enum Dialog {
    /// The help, scrolled by this many rows.
    Help(usize),
    /// The one-line filter or command input.
    Input {
        kind: InputKind,
        input: tui_input::Input,
    },
    Delete(DeleteDialog),
    /// `c`: copy the selected or marked tags somewhere.
    Copy(Box<super::copy::CopyDialog>),
    /// One of your commands, `confirm = true`: `y` runs it.
    RunCommand {
        description: String,
        argv: Vec<String>,
        output: crate::config::CommandOutput,
    },
    /// `t`: a new tag for the selected image.
    AddTag {
        repo: String,
        from: String,
        input: tui_input::Input,
    },
}
