//! One pass after every handler: the detail follows the tag selection, the
//! usage figures follow the open repository, derived values are recomputed when
//! their inputs changed, every cursor stays in view, and the rows on screen are
//! asked for first (then the rest, once).

use crate::tui::effect::Effect;
use crate::tui::job::Job;
use crate::tui::layout::rows_of;
use crate::tui::state::{Load, Pane, Placement, Slot, State};

pub fn reconcile(state: &mut State) -> Vec<Effect> {
    let mut effects = stored_repos(state);
    effects.extend(stored_rows(state));
    effects.extend(since_last_visit(state));
    effects.extend(follow_selection(state));
    effects.extend(follow_repository_usage(state));
    prepare_derived(state);
    plan_retention(state);
    keep_cursors_in_view(state);
    effects.extend(request_stored(state));
    effects.extend(request_rows(state));
    effects
}

/// A registry seen before opens on its last complete catalog.
fn stored_repos(state: &mut State) -> Vec<Effect> {
    if !state.repos.ask_stored() {
        return Vec::new();
    }
    vec![Effect::urgent(
        state.tickets.current(Slot::Repos),
        Job::StoredRepos,
    )]
}

/// A repository seen before opens on its last-known rows while the listing
/// is on its way.
fn stored_rows(state: &mut State) -> Vec<Effect> {
    if !state.tags.ask_stored_rows() {
        return Vec::new();
    }
    let Some(repo) = state.tags.repo().map(str::to_string) else {
        return Vec::new();
    };
    let job = Job::StoredRows { repo };
    vec![Effect::urgent(state.tickets.current(Slot::Tags), job)]
}

/// What the store knew before this session, once per repository opened
/// and once for the catalog: what the change marks compare with.
fn since_last_visit(state: &mut State) -> Vec<Effect> {
    let ticket = state.tickets.current(Slot::Since);
    let mut effects = Vec::new();
    if let Some(before) = state.since.ask_catalog(&state.source_name) {
        effects.push(Effect::urgent(ticket, Job::CatalogBefore { before }));
    }
    if let Some(repo) = state.tags.repo().map(str::to_string)
        && let Some(before) = state.since.ask(&state.source_name, &repo)
    {
        effects.push(Effect::urgent(ticket, Job::TagsBefore { repo, before }));
    }
    effects
}

/// The detail pane shows the selected tag once its digest is known.
fn follow_selection(state: &mut State) -> Vec<Effect> {
    let Some(repo) = state.tags.repo().map(str::to_string) else {
        return Vec::new();
    };
    let wanted = state
        .tags
        .list
        .selected()
        .and_then(|row| Some((row.name.clone(), row.summary.as_deref()?.digest.clone())));
    if &wanted == state.detail.followed() {
        return Vec::new();
    }
    match wanted {
        None => {
            state.detail.replace(None, None);
            Vec::new()
        }
        Some((tag, digest)) => {
            let followed = Some((tag.clone(), digest.clone()));
            vec![state.open_detail(Placement::Root(followed), &repo, &digest, tag)]
        }
    }
}

/// Figures for the open repository while the usage view is on.
fn follow_repository_usage(state: &mut State) -> Vec<Effect> {
    state.usage.forget_unless(state.tags.repo());
    let Some(repo) = state.usage.wanted(state.tags.repo()) else {
        return Vec::new();
    };
    state.usage.loading(&repo);
    let job = Job::Usage { repo };
    vec![Effect::background(state.tickets.issue(Slot::Usage), job)]
}

fn prepare_derived(state: &mut State) {
    let list = &state.tags.list;
    state
        .usage
        .prepare_marked_freed(list.marks_key(), || list.marked_names());
    state
        .detail
        .prepare_image(state.usage.revision(), state.usage.object_tags());
}

fn keep_cursors_in_view(state: &mut State) {
    let rows = |pane| rows_of(state.viewport, state.focus, pane);
    let (repo_rows, tag_rows, detail_rows) =
        (rows(Pane::Repos), rows(Pane::Tags), rows(Pane::Detail));
    state.repos.keep_in_view(repo_rows);
    state.tags.list.keep_in_view(tag_rows);
    state.detail.keep_in_view(detail_rows);
}

/// Summaries for the rows on screen (urgent), then for a window of a few
/// screens around them (background), and nothing more on its own: work that
/// needs every row is asked for (`F`, the usage view).
/// Stored summaries of the stored rows on screen and in the window: from the
/// store alone, so they show at once, offline too.
fn request_stored(state: &mut State) -> Vec<Effect> {
    let Some(repo) = state.tags.repo().map(str::to_string) else {
        return Vec::new();
    };
    let height = rows_of(state.viewport, state.focus, Pane::Tags);
    let list = &mut state.tags.list;
    let start = list.cursor().offset();
    let margin = height.saturating_mul(state.settings.prefetch_screens);
    let on_screen = list.take_stored(start..start.saturating_add(height));
    let window = start.saturating_sub(margin)..start.saturating_add(height).saturating_add(margin);
    let rest = list.take_stored(window);
    let ticket = state.tickets.current(Slot::Tags);
    [on_screen, rest]
        .into_iter()
        .filter(|rows| !rows.is_empty())
        .map(|rows| {
            let repo = repo.clone();
            Effect::urgent(ticket, Job::StoredSummaries { repo, rows })
        })
        .collect()
}

fn request_rows(state: &mut State) -> Vec<Effect> {
    let Some(repo) = state.tags.repo().map(str::to_string) else {
        return Vec::new();
    };
    // A listing still streaming is looked up as it shows; stored rows wait
    // for the complete one.
    let streaming = state.tags.load == Load::Loading && state.tags.stale_since.is_none();
    if state.tags.load != Load::Done && !streaming {
        return Vec::new();
    }
    let height = rows_of(state.viewport, state.focus, Pane::Tags);
    let list = &mut state.tags.list;
    let start = list.cursor().offset();
    let on_screen = list.take_unrequested(start..start.saturating_add(height), true);
    // A low pull budget is kept for the rows the user looks at.
    let screens = if state.status.budget_low {
        0
    } else {
        state.settings.prefetch_screens
    };
    let margin = height.saturating_mul(screens);
    let window = start.saturating_sub(margin)..start.saturating_add(height).saturating_add(margin);
    let rest = list.take_unrequested(window, false);
    let ticket = state.tickets.current(Slot::Tags);
    let summaries = |tags: Vec<String>, urgent| {
        let repo = repo.clone();
        tags.into_iter().map(move |tag| Effect::Run {
            ticket,
            urgent,
            job: Job::Summary {
                repo: repo.clone(),
                tag,
            },
        })
    };
    let mut effects: Vec<Effect> = summaries(on_screen, true).collect();
    effects.extend(summaries(rest, false));
    effects
}

/// The planner's verdicts follow its fields (pure: the data is loaded).
fn plan_retention(state: &mut State) {
    let now = state.now.map_or(0, |t| t.as_second());
    let Some(crate::tui::state::Screen::Planner(planner)) = &mut state.screen else {
        return;
    };
    planner.reconcile(now);
}
