//! What every deleting command shares around the one executor
//! (`ops::delete::run`): the pre-flight (a confirmation is possible or
//! `--yes`; a trash or `--no-trash`; the protect lists readable), the
//! confirmation, and the report of each outcome as it happens.

use super::connect::Context;
use super::exit::UsageError;
use super::interrupt;
use crate::model::protect::Protected;
use crate::oci::text::sanitize_line;
use crate::ops::delete::{self, DeleteGroup, DeletePlan, ExecuteOptions, IndexUpdate};
use crate::ops::delete::{Outcome, RunReport, Step, UpdateOutcome};
use crate::store::CachedSource;
use crate::store::trash::Trash;
use std::io::{BufRead, IsTerminal, Write};

/// How the user agreed to delete, and to what.
pub struct Consent {
    pub dry_run: bool,
    pub yes: bool,
    pub no_trash: bool,
}

impl Consent {
    /// Whether the command asks before deleting.
    pub fn asks(&self) -> bool {
        !self.dry_run && !self.yes
    }
}

/// Checks made before any plan: it can be confirmed, the deletions can be
/// undone (or `--no-trash` said they need not), the protect lists read.
pub async fn preflight(
    ctx: &Context,
    consent: &Consent,
) -> anyhow::Result<(Option<Trash>, Protected)> {
    if consent.asks() && !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "refusing to delete without --yes: standard input is not a terminal".into(),
        )
        .into());
    }
    let trash = Trash::default_location().filter(|_| !consent.no_trash);
    if trash.is_none() && !consent.no_trash && !consent.dry_run {
        return Err(UsageError(
            "no state or cache directory to keep deleted manifests in (no undo): \
             set XDG_STATE_HOME, or pass --no-trash to delete without a copy"
                .into(),
        )
        .into());
    }
    let protected = ctx.protected().await?;
    Ok((trash, protected))
}

/// Asks `question` on the terminal; only `y`/`yes` agrees.
pub fn confirm(question: &str) -> anyhow::Result<bool> {
    let mut err = std::io::stderr();
    write!(err, "{question} [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// How one run is carried out.
pub struct RunSettings<'a> {
    pub trash: Option<&'a Trash>,
    pub protected: &'a Protected,
    pub force: bool,
    pub concurrency: usize,
    /// Print each outcome (not with `--json`).
    pub print: bool,
}

/// Hands `plan` to the executor, stopping after the step in flight at a
/// first Ctrl-C, printing each outcome as it comes.
pub async fn carry_out(
    source: &CachedSource,
    plan: &DeletePlan,
    settings: &RunSettings<'_>,
) -> RunReport {
    let options = ExecuteOptions {
        trash: settings.trash,
        forced: match settings.force {
            true => plan
                .groups
                .iter()
                .filter(|g| !g.is_cascade())
                .map(|g| g.digest.clone())
                .collect(),
            false => Default::default(),
        },
        concurrency: settings.concurrency,
        protected: settings.protected,
    };
    let _graceful = interrupt::Graceful::enter();
    let print = settings.print;
    delete::run(
        source,
        plan,
        &options,
        &interrupt::stop_requested,
        &mut |step| match step {
            Step::Group(group, outcome) if print => report(group, outcome),
            Step::Index(update, outcome) if print => report_update(update, outcome),
            _ => {}
        },
    )
    .await
}

pub fn report(group: &DeleteGroup, outcome: &Outcome) {
    let name = format!(
        "{}@{}",
        sanitize_line(&group.display_name, 200),
        group.digest.short()
    );
    match outcome {
        Outcome::Deleted {
            method,
            tags,
            trash_id,
        } => {
            let tags: Vec<String> = tags.iter().map(|t| sanitize_line(t, 100)).collect();
            let undo = trash_id
                .as_ref()
                .map(|id| format!("; undo: regscope trash restore {id}"))
                .unwrap_or_default();
            println!(
                "deleted {name} by {} (tags: {}){undo}",
                method,
                tags.join(", ")
            );
        }
        Outcome::Skipped { reason } => eprintln!("skipped {name}: {}", sanitize_line(reason, 300)),
        Outcome::Failed { error, removed } => {
            let removed = if removed.is_empty() {
                String::new()
            } else {
                let tags: Vec<String> = removed.iter().map(|t| sanitize_line(t, 100)).collect();
                format!(" (removed before the failure: {})", tags.join(", "))
            };
            eprintln!("failed {name}: {}{removed}", sanitize_line(error, 300));
        }
    }
}

pub fn report_update(update: &IndexUpdate, outcome: &UpdateOutcome) {
    let tag = sanitize_line(&update.tag, 100);
    match outcome {
        UpdateOutcome::Updated { new_digest } => println!(
            "updated referrers index {tag}: {} entr{} taken out (now {})",
            update.removed.len(),
            if update.removed.len() == 1 {
                "y"
            } else {
                "ies"
            },
            new_digest.short()
        ),
        UpdateOutcome::Skipped { reason } => eprintln!(
            "skipped referrers index {tag}: {}",
            sanitize_line(reason, 300)
        ),
        UpdateOutcome::Failed { error } => eprintln!(
            "failed to update referrers index {tag}: {}",
            sanitize_line(error, 300)
        ),
    }
}

/// `N of M deletions did not happen`, or the interrupt.
pub fn failures(report_total: usize, failed: usize) -> anyhow::Result<()> {
    if interrupt::stop_requested() {
        return Err(super::exit::Interrupted(format!(
            "interrupted: {} of {report_total} deletions done, the rest not started",
            report_total - failed
        ))
        .into());
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {report_total} deletions did not happen");
    }
    Ok(())
}
