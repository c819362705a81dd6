//! The background task pool: bounded concurrency, urgent work first, tickets
//! that cancel superseded work, and duplicates fetched once.

use super::effect::Effect;
use super::msg::{Finished, LoadError, Msg};
use super::state::{DetailData, Slot, Ticket};
use crate::oci::Error;
use crate::oci::digest::Digest;
use crate::oci::text::sanitize_line;
use crate::ops::delete::{self, DeletePlan, Requested};
use crate::ops::protect::ProtectSources;
use crate::ops::{detail, summary, usage};
use crate::store::CachedSource;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
enum JobKind {
    Repos,
    Tags(String),
    StoredRows(String),
    StoredRepos,
    StoredSummaries {
        repo: String,
        rows: Vec<(String, Digest)>,
    },
    Summary {
        repo: String,
        tag: String,
    },
    Detail {
        repo: String,
        digest: Digest,
        referrer_tags: Vec<String>,
    },
    Usage(String),
    Planning(String),
    Plan {
        repo: String,
        tags: Vec<String>,
        protect: Arc<ProtectSources>,
    },
    Delete {
        plan: Arc<DeletePlan>,
        forced: Vec<Digest>,
        protect: Arc<ProtectSources>,
    },
    Files {
        repo: String,
        image: Digest,
        mode: crate::ops::files::view::FilesMode,
        progress: Arc<crate::tui::state::files::FilesProgress>,
        options: crate::ops::files::FilesOptions,
    },
    Compare {
        repo: String,
        a: String,
        b: String,
        options: crate::ops::files::FilesOptions,
    },
}

impl JobKind {
    /// Identical jobs (same ticket and key) run once.
    fn key(&self) -> String {
        match self {
            JobKind::Repos => "repos".into(),
            JobKind::Tags(repo) => format!("tags {repo}"),
            JobKind::StoredRows(repo) => format!("stored rows {repo}"),
            JobKind::StoredRepos => "stored repos".into(),
            JobKind::StoredSummaries { repo, rows } => {
                let first = rows.first().map_or("", |(t, _)| t.as_str());
                format!("stored summaries {repo} {first} {}", rows.len())
            }
            JobKind::Summary { repo, tag } => format!("summary {repo} {tag}"),
            JobKind::Detail { repo, digest, .. } => format!("detail {repo} {digest}"),
            JobKind::Usage(repo) => format!("usage {repo}"),
            JobKind::Planning(repo) => format!("planning {repo}"),
            JobKind::Plan { repo, tags, .. } => format!("plan {repo} {}", tags.join(" ")),
            JobKind::Delete { plan, .. } => format!("delete {:p}", Arc::as_ptr(plan)),
            JobKind::Files {
                repo, image, mode, ..
            } => format!("files {repo} {image} {mode:?}"),
            JobKind::Compare { repo, a, b, .. } => format!("compare {repo} {a} {b}"),
        }
    }
}

/// The jobs an effect asks for: (ticket, urgent, what).
fn jobs_of(effect: Effect) -> Vec<(Ticket, bool, JobKind)> {
    match effect {
        Effect::LoadRepos(ticket) => vec![(ticket, true, JobKind::Repos)],
        Effect::LoadTags(ticket, repo) => vec![(ticket, true, JobKind::Tags(repo))],
        Effect::LoadStoredRows(ticket, repo) => vec![(ticket, true, JobKind::StoredRows(repo))],
        Effect::LoadStoredRepos(ticket) => vec![(ticket, true, JobKind::StoredRepos)],
        Effect::LoadStoredSummaries { ticket, repo, rows } => {
            vec![(ticket, true, JobKind::StoredSummaries { repo, rows })]
        }
        Effect::Summarize {
            ticket,
            repo,
            tags,
            urgent,
        } => tags
            .into_iter()
            .map(|tag| {
                (
                    ticket,
                    urgent,
                    JobKind::Summary {
                        repo: repo.clone(),
                        tag,
                    },
                )
            })
            .collect(),
        Effect::LoadDetail {
            ticket,
            repo,
            digest,
            referrer_tags,
        } => vec![(
            ticket,
            true,
            JobKind::Detail {
                repo,
                digest,
                referrer_tags,
            },
        )],
        Effect::LoadUsage(ticket, repo) => vec![(ticket, false, JobKind::Usage(repo))],
        // Asked for with a key: the user waits for it.
        Effect::LoadPlanning(ticket, repo) => vec![(ticket, true, JobKind::Planning(repo))],
        Effect::PlanDelete {
            ticket,
            repo,
            tags,
            protect,
        } => {
            vec![(
                ticket,
                true,
                JobKind::Plan {
                    repo,
                    tags,
                    protect,
                },
            )]
        }
        Effect::Delete {
            ticket,
            plan,
            forced,
            protect,
        } => vec![(
            ticket,
            true,
            JobKind::Delete {
                plan,
                forced,
                protect,
            },
        )],
        Effect::LoadFiles {
            ticket,
            repo,
            image,
            mode,
            progress,
            options,
        } => vec![(
            ticket,
            true,
            JobKind::Files {
                repo,
                image,
                mode,
                progress,
                options,
            },
        )],
        Effect::Compare {
            ticket,
            repo,
            a,
            b,
            options,
        } => vec![(
            ticket,
            true,
            JobKind::Compare {
                repo,
                a,
                b,
                options,
            },
        )],
        Effect::Copy(_) | Effect::SwitchRegistry(_) => Vec::new(),
    }
}

#[derive(Debug)]
struct Job {
    ticket: Ticket,
    urgent: bool,
    kind: JobKind,
}

/// How often paused background work checks whether the pull budget recovered.
const BUDGET_RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    queued: AtomicUsize,
}

pub struct TaskPool {
    jobs: mpsc::UnboundedSender<Job>,
    counters: Arc<Counters>,
}

struct Worker {
    source: Arc<CachedSource>,
    /// Parallel requests for the jobs that fan out themselves (usage, plans).
    width: usize,
    results: mpsc::UnboundedSender<Msg>,
    counters: Arc<Counters>,
    /// Background jobs wait while the pull budget is under this percentage.
    pull_reserve_percent: u8,
}

impl Worker {
    /// The registry's announced pull budget is under the reserve.
    fn budget_low(&self) -> bool {
        self.source
            .source()
            .traffic()
            .rate_limit
            .is_some_and(|r| r.under(self.pull_reserve_percent))
    }
}

impl TaskPool {
    pub fn new(
        source: Arc<CachedSource>,
        width: usize,
        pull_reserve_percent: u8,
        results: mpsc::UnboundedSender<Msg>,
    ) -> TaskPool {
        let (jobs, rx) = mpsc::unbounded_channel();
        let counters = Arc::new(Counters::default());
        let worker = Arc::new(Worker {
            source,
            width: width.max(1),
            results,
            counters: counters.clone(),
            pull_reserve_percent,
        });
        tokio::spawn(dispatch(rx, worker, Arc::new(Semaphore::new(width.max(1)))));
        TaskPool { jobs, counters }
    }

    /// Carries out a fetching effect (others are the app's business).
    pub fn submit(&self, effect: Effect) {
        for (ticket, urgent, kind) in jobs_of(effect) {
            let _ = self.jobs.send(Job {
                ticket,
                urgent,
                kind,
            });
        }
    }

    pub fn in_flight(&self) -> usize {
        self.counters.in_flight.load(Ordering::Relaxed)
    }

    pub fn queued(&self) -> usize {
        self.counters.queued.load(Ordering::Relaxed)
    }
}

#[derive(Default)]
struct Queues {
    urgent: VecDeque<Job>,
    background: VecDeque<Job>,
    /// Latest generation per slot and the token that cancels its running work.
    current: HashMap<Slot, (u64, CancellationToken)>,
    started: HashSet<(Ticket, String)>,
}

impl Queues {
    fn enqueue(&mut self, job: Job) {
        let slot = job.ticket.slot;
        let generation = job.ticket.generation;
        match self.current.get(&slot) {
            Some((g, _)) if *g > generation => return,
            Some((g, _)) if *g == generation => {}
            _ => {
                if let Some((_, old)) = self
                    .current
                    .insert(slot, (generation, CancellationToken::new()))
                {
                    old.cancel();
                }
                let is_stale = |j: &Job| j.ticket.slot == slot && j.ticket.generation < generation;
                self.urgent.retain(|j| !is_stale(j));
                self.background.retain(|j| !is_stale(j));
                self.started.retain(|(t, _)| t.slot != slot);
            }
        }
        if job.urgent {
            self.urgent.push_back(job);
        } else {
            self.background.push_back(job);
        }
    }

    /// The next job to run: urgent first (only urgent ones while `paused`);
    /// duplicates and stale jobs are skipped.
    fn next(&mut self, paused: bool) -> Option<(Job, CancellationToken)> {
        while let Some(job) = self.urgent.pop_front().or_else(|| match paused {
            true => None,
            false => self.background.pop_front(),
        }) {
            let Some((generation, token)) = self.current.get(&job.ticket.slot) else {
                continue;
            };
            if *generation != job.ticket.generation
                || !self.started.insert((job.ticket, job.kind.key()))
            {
                continue;
            }
            return Some((job, token.clone()));
        }
        None
    }

    fn len(&self) -> usize {
        self.urgent.len() + self.background.len()
    }
}

async fn dispatch(
    mut rx: mpsc::UnboundedReceiver<Job>,
    worker: Arc<Worker>,
    permits: Arc<Semaphore>,
) {
    let mut queues = Queues::default();
    loop {
        worker
            .counters
            .queued
            .store(queues.len(), Ordering::Relaxed);
        let paused = !queues.background.is_empty() && worker.budget_low();
        let has_work = !queues.urgent.is_empty() || (!queues.background.is_empty() && !paused);
        tokio::select! {
            biased;
            job = rx.recv() => match job {
                Some(job) => queues.enqueue(job),
                None => return,
            },
            // Paused background work looks at the budget again now and then.
            _ = tokio::time::sleep(BUDGET_RECHECK), if paused => {}
            permit = permits.clone().acquire_owned(), if has_work => {
                let Ok(permit) = permit else { return };
                if let Some((job, token)) = queues.next(paused) {
                    let worker = worker.clone();
                    worker.counters.in_flight.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(async move {
                        let _permit = permit;
                        let outcome = tokio::select! {
                            _ = token.cancelled() => None,
                            msg = worker.run(job) => Some(msg),
                        };
                        worker.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
                        if let Some(msg) = outcome {
                            let _ = worker.results.send(msg);
                        }
                    });
                }
            }
        }
    }
}

/// Carries out fetching effects one after another, without a pool: for tests,
/// benchmarks and scripts that want the exact messages the pool would send.
pub async fn execute(source: &CachedSource, width: usize, effect: Effect) -> Vec<Msg> {
    let mut msgs = Vec::new();
    for (ticket, urgent, kind) in jobs_of(effect) {
        msgs.push(
            run_job(
                source,
                width,
                Job {
                    ticket,
                    urgent,
                    kind,
                },
                None,
            )
            .await,
        );
    }
    msgs
}

impl Worker {
    async fn run(&self, job: Job) -> Msg {
        run_job(&self.source, self.width, job, Some(&self.results)).await
    }
}

fn no_progress(_done: usize, _total: usize) {}

/// The browser's deletions go through the one executor, like the CLI's.
async fn delete_plan(
    source: &CachedSource,
    width: usize,
    plan: &DeletePlan,
    forced: Vec<Digest>,
    protect: &ProtectSources,
) -> Vec<(delete::DeleteGroup, delete::Outcome)> {
    // Read again now: the protect command's answer may have changed.
    let protected = match protect.load().await {
        Ok(p) => p,
        Err(why) => {
            let reason = format!("{why}; not deleting");
            let skipped = delete::Outcome::Skipped { reason };
            return plan
                .groups
                .iter()
                .map(|g| (g.clone(), skipped.clone()))
                .collect();
        }
    };
    let trash = crate::store::trash::Trash::default_location();
    let options = delete::ExecuteOptions {
        trash: trash.as_ref(),
        forced: forced.into_iter().collect(),
        concurrency: width,
        protected: &protected,
    };
    let report = delete::run(source, plan, &options, &|| false, &mut |step| {
        if let delete::Step::Index(update, outcome) = step {
            tracing::info!(tag = %update.tag, ?outcome, "referrers index update");
        }
    })
    .await;
    plan.groups.iter().cloned().zip(report.outcomes).collect()
}

/// A long listing's first partial; each later one at least doubles it, so the
/// pane re-sorts a million tags about ten times, not once per page.
const FIRST_PARTIAL: usize = 1_000;

/// `partial` receives what a long listing has so far, as pages arrive.
async fn run_job(
    source: &CachedSource,
    width: usize,
    job: Job,
    partial: Option<&mpsc::UnboundedSender<Msg>>,
) -> Msg {
    let ticket = job.ticket;
    let finished = match job.kind {
        JobKind::Repos => {
            let listing = source.source().repositories().await;
            if let Ok(l) = &listing
                && l.incomplete.is_none()
            {
                source.remember_catalog(&l.items);
            }
            Finished::Repos(listing.map_err(load_error))
        }
        JobKind::Tags(repo) => {
            let sent = AtomicUsize::new(0);
            let so_far = |items: &[String]| {
                let Some(tx) = partial else { return };
                let due = sent
                    .load(Ordering::Relaxed)
                    .saturating_mul(2)
                    .max(FIRST_PARTIAL);
                if items.len() >= due {
                    sent.store(items.len(), Ordering::Relaxed);
                    let _ = tx.send(Msg::Finished(ticket, Finished::TagsSoFar(items.to_vec())));
                }
            };
            let listing = source.source().tags_streaming(&repo, &so_far).await;
            if let Ok(l) = &listing
                && l.incomplete.is_none()
            {
                source.remember_listing(&repo, &l.items);
            }
            Finished::Tags(listing.map_err(load_error))
        }
        JobKind::StoredRows(repo) => match summary::stored_rows(source, &repo).await {
            Some((rows, taken_at)) => Finished::StoredRows { rows, taken_at },
            None => Finished::StoredRows {
                rows: Vec::new(),
                taken_at: 0,
            },
        },
        JobKind::StoredSummaries { repo, rows } => {
            Finished::StoredSummaries(summary::stored_summaries(source, &repo, rows, width).await)
        }
        JobKind::StoredRepos => {
            let (names, taken_at) = source.stored_catalog().await.unwrap_or_default();
            Finished::StoredRepos { names, taken_at }
        }
        JobKind::Summary { repo, tag } => {
            let result = summary::summarize(source, &repo, &tag).await;
            Finished::Summary {
                tag,
                result: result.map_err(|e| message(&e)),
            }
        }
        JobKind::Detail {
            repo,
            digest,
            referrer_tags,
        } => {
            let result = match detail::load(source, &repo, &digest).await {
                Ok(d) => {
                    // What refers to it: a failure leaves the list empty, not the pane.
                    let found = crate::ops::referrers::discover(
                        source,
                        &repo,
                        d.manifest(),
                        &referrer_tags,
                        None,
                    )
                    .await
                    .map(|r| r.referrers)
                    .unwrap_or_default();
                    let mut data = with_raw_lines(d);
                    data.referrers = found;
                    Ok(Arc::new(data))
                }
                Err(e) => Err(message(&e)),
            };
            Finished::Detail(result)
        }
        JobKind::Usage(repo) => {
            let result = usage::repository_usage(source, &repo, width, &no_progress).await;
            Finished::Usage(result.map(Arc::new).map_err(|e| message(&e)))
        }
        JobKind::Planning(repo) => {
            let result = crate::ops::prune::planning_data(source, &repo, width).await;
            Finished::Planning(result.map(Arc::new).map_err(|e| message(&e)))
        }
        JobKind::Plan {
            repo,
            tags,
            protect,
        } => {
            let protected = match protect.load().await {
                Ok(p) => p,
                Err(why) => return Msg::Finished(ticket, Finished::Plan(Err(why.to_string()))),
            };
            let requests: Vec<Requested> = tags.into_iter().map(Requested::Tag).collect();
            let options = delete::PlanOptions {
                concurrency: width,
                referrers: true,
                keep_children: false,
                protected: &protected,
            };
            let result = delete::plan(source, &repo, &requests, &options).await;
            Finished::Plan(result.map_err(|e| message(&e)))
        }
        JobKind::Delete {
            plan,
            forced,
            protect,
        } => Finished::Deleted(delete_plan(source, width, &plan, forced, &protect).await),
        JobKind::Files {
            repo,
            image,
            mode,
            progress,
            options,
        } => Finished::Files(files_view(source, &repo, &image, mode, &progress, options).await),
        JobKind::Compare {
            repo,
            a,
            b,
            options,
        } => Finished::Compared(compare_tags(source, &repo, &a, &b, options).await),
    };
    Msg::Finished(job.ticket, finished)
}

async fn files_view(
    source: &CachedSource,
    repo: &str,
    image: &Digest,
    mode: crate::ops::files::view::FilesMode,
    progress: &crate::tui::state::files::FilesProgress,
    options: crate::ops::files::FilesOptions,
) -> Result<Box<crate::ops::files::view::FileTreeData>, String> {
    let manifest = source
        .manifest(repo, image)
        .await
        .map_err(|e| message(&e))?;
    crate::ops::files::view::load_view(source, repo, &manifest, mode, options, &progress.0)
        .await
        .map(Box::new)
        .map_err(|e| message(&e))
}

async fn compare_tags(
    source: &CachedSource,
    repo: &str,
    a: &str,
    b: &str,
    options: crate::ops::files::FilesOptions,
) -> Result<Box<crate::tui::state::compare::Compared>, String> {
    use crate::ops::compare::{Side, compare};
    use crate::ops::files::image::choose_image;
    let first = choose_image(source, repo, a, None)
        .await
        .map_err(|e| message(&e))?;
    let second = choose_image(source, repo, b, None)
        .await
        .map_err(|e| message(&e))?;
    let (sa, sb) = (
        Side {
            source,
            repo,
            image: &first,
        },
        Side {
            source,
            repo,
            image: &second,
        },
    );
    let comparison = compare(&sa, &sb, true, options)
        .await
        .map_err(|e| message(&e))?;
    Ok(Box::new(crate::tui::state::compare::Compared {
        a: facts(a, &first),
        b: facts(b, &second),
        comparison,
    }))
}

fn facts(tag: &str, image: &crate::ops::files::image::ChosenImage) -> (String, Digest, u64) {
    (
        tag.to_string(),
        image.manifest.digest.clone(),
        image.manifest.doc.layer_bytes(),
    )
}

fn message(e: &Error) -> String {
    sanitize_line(&e.to_string(), 500)
}

fn load_error(e: Error) -> LoadError {
    LoadError {
        message: message(&e),
        closed: e.is_not_found() || e.is_auth(),
    }
}

/// Lays out the manifest (and config) as pretty JSON lines, once, off the UI thread.
fn with_raw_lines(detail: detail::Detail) -> DetailData {
    let mut lines = vec!["# manifest".to_string()];
    lines.extend(pretty(&detail.manifest().raw));
    if let detail::Detail::Image {
        config: Some(config),
        ..
    } = &detail
    {
        lines.push(String::new());
        lines.push("# config".to_string());
        lines.extend(pretty(&config.raw));
    }
    DetailData {
        detail,
        raw_lines: lines,
        referrers: Vec::new(),
    }
}

fn pretty(raw: &[u8]) -> Vec<String> {
    let text = serde_json::from_slice::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| String::from_utf8_lossy(raw).to_string());
    text.lines().map(|l| sanitize_line(l, 2000)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(slot: Slot, generation: u64, urgent: bool, tag: &str) -> Job {
        Job {
            ticket: Ticket { slot, generation },
            urgent,
            kind: JobKind::Summary {
                repo: "r".into(),
                tag: tag.into(),
            },
        }
    }

    fn tag_of(job: &Job) -> &str {
        match &job.kind {
            JobKind::Summary { tag, .. } => tag,
            _ => "",
        }
    }

    #[test]
    fn urgent_first_duplicates_once_stale_dropped() {
        let mut q = Queues::default();
        q.enqueue(job(Slot::Tags, 1, false, "a"));
        q.enqueue(job(Slot::Tags, 1, false, "b"));
        q.enqueue(job(Slot::Tags, 1, true, "b"));
        let (first, _) = q.next(true).unwrap();
        assert_eq!(tag_of(&first), "b", "urgent work runs while paused");
        assert!(q.next(true).is_none(), "background work waits while paused");
        let (second, _) = q.next(false).unwrap();
        assert_eq!(tag_of(&second), "a");
        assert!(
            q.next(false).is_none(),
            "the background copy of b is skipped"
        );

        q.enqueue(job(Slot::Tags, 1, false, "c"));
        let (_, token) = {
            q.enqueue(job(Slot::Tags, 1, false, "d"));
            q.next(false).unwrap()
        };
        q.enqueue(job(Slot::Tags, 2, false, "e"));
        assert!(
            token.is_cancelled(),
            "a newer generation cancels running work"
        );
        q.enqueue(job(Slot::Tags, 1, true, "late"));
        let (next, _) = q.next(false).unwrap();
        assert_eq!(tag_of(&next), "e");
        assert!(q.next(false).is_none());
    }
}
