//! The background task pool: bounded concurrency, urgent work first, tickets
//! that cancel superseded work, and duplicates run once. What a job does is
//! `jobs`; the pool only schedules.

use super::effect::Effect;
use super::job::Job;
use super::jobs::{self, Reporter};
use super::msg::Msg;
use super::ticket::{Slot, Ticket};
use crate::store::CachedSource;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

/// A job waiting for a permit.
#[derive(Debug)]
struct Queued {
    ticket: Ticket,
    urgent: bool,
    job: Job,
}

/// How often paused background work checks whether the pull budget recovered.
const BUDGET_RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    queued: AtomicUsize,
}

pub struct TaskPool {
    jobs: mpsc::UnboundedSender<Queued>,
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
    /// Opens other registries (a copy's destination).
    connect: Option<super::places::Connector>,
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

    async fn run(&self, queued: Queued) -> Msg {
        let reporter = Reporter::new(queued.ticket, Some(&self.results));
        let places = jobs::Places {
            here: &self.source,
            connect: self.connect.as_ref(),
        };
        let finished = jobs::run(&places, self.width, queued.job, &reporter).await;
        Msg::Finished(queued.ticket, finished)
    }
}

impl TaskPool {
    pub fn new(
        source: Arc<CachedSource>,
        width: usize,
        pull_reserve_percent: u8,
        results: mpsc::UnboundedSender<Msg>,
        connect: super::places::Connector,
    ) -> TaskPool {
        let (jobs, rx) = mpsc::unbounded_channel();
        let counters = Arc::new(Counters::default());
        let worker = Arc::new(Worker {
            source,
            width: width.max(1),
            results,
            counters: counters.clone(),
            pull_reserve_percent,
            connect: Some(connect),
        });
        tokio::spawn(dispatch(rx, worker, Arc::new(Semaphore::new(width.max(1)))));
        TaskPool { jobs, counters }
    }

    /// Queues the effect's job (other effects are the app's business).
    pub fn submit(&self, effect: Effect) {
        if let Effect::Run {
            ticket,
            urgent,
            job,
        } = effect
        {
            let _ = self.jobs.send(Queued {
                ticket,
                urgent,
                job,
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
    urgent: VecDeque<Queued>,
    background: VecDeque<Queued>,
    /// Latest generation per slot and the token that cancels its running work.
    current: HashMap<Slot, (u64, CancellationToken)>,
    started: HashSet<(Ticket, Job)>,
}

impl Queues {
    fn enqueue(&mut self, queued: Queued) {
        let slot = queued.ticket.slot;
        let generation = queued.ticket.generation;
        match self.current.get(&slot) {
            Some((g, _)) if *g > generation => return,
            Some((g, _)) if *g == generation => {}
            _ => self.supersede(slot, generation),
        }
        match queued.urgent {
            true => self.urgent.push_back(queued),
            false => self.background.push_back(queued),
        }
    }

    /// A newer generation for `slot`: its older work is cancelled and dropped.
    fn supersede(&mut self, slot: Slot, generation: u64) {
        let fresh = (generation, CancellationToken::new());
        if let Some((_, old)) = self.current.insert(slot, fresh) {
            old.cancel();
        }
        let is_stale = |q: &Queued| q.ticket.slot == slot && q.ticket.generation < generation;
        self.urgent.retain(|q| !is_stale(q));
        self.background.retain(|q| !is_stale(q));
        self.started.retain(|(t, _)| t.slot != slot);
    }

    /// The next job to run: urgent first (only urgent ones while `paused`);
    /// duplicates and stale jobs are skipped.
    fn next(&mut self, paused: bool) -> Option<(Queued, CancellationToken)> {
        while let Some(queued) = self.urgent.pop_front().or_else(|| match paused {
            true => None,
            false => self.background.pop_front(),
        }) {
            let Some((generation, token)) = self.current.get(&queued.ticket.slot) else {
                continue;
            };
            if *generation != queued.ticket.generation
                || !self.started.insert((queued.ticket, queued.job.clone()))
            {
                continue;
            }
            return Some((queued, token.clone()));
        }
        None
    }

    fn len(&self) -> usize {
        self.urgent.len() + self.background.len()
    }
}

async fn dispatch(
    mut rx: mpsc::UnboundedReceiver<Queued>,
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
            queued = rx.recv() => match queued {
                Some(queued) => queues.enqueue(queued),
                // The pool was replaced (another registry): its work stops.
                None => {
                    queues.current.values().for_each(|(_, token)| token.cancel());
                    return;
                }
            },
            // Paused background work looks at the budget again now and then.
            _ = tokio::time::sleep(BUDGET_RECHECK), if paused => {}
            permit = permits.clone().acquire_owned(), if has_work => {
                let Ok(permit) = permit else { return };
                if let Some((queued, token)) = queues.next(paused) {
                    start(worker.clone(), queued, token, permit);
                }
            }
        }
    }
}

/// Runs one job on its own task, holding its permit; a cancelled job sends nothing.
fn start(
    worker: Arc<Worker>,
    queued: Queued,
    token: CancellationToken,
    permit: tokio::sync::OwnedSemaphorePermit,
) {
    worker.counters.in_flight.fetch_add(1, Ordering::Relaxed);
    tokio::spawn(async move {
        let _permit = permit;
        let outcome = tokio::select! {
            _ = token.cancelled() => None,
            msg = worker.run(queued) => Some(msg),
        };
        worker.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        if let Some(msg) = outcome {
            let _ = worker.results.send(msg);
        }
    });
}

/// Carries out an effect's job without a pool: for tests, benchmarks and
/// scripts that want the exact message the pool would send (progress is not
/// reported).
pub async fn execute(source: &CachedSource, width: usize, effect: Effect) -> Vec<Msg> {
    let Effect::Run { ticket, job, .. } = effect else {
        return Vec::new();
    };
    let reporter = Reporter::new(ticket, None);
    let places = jobs::Places {
        here: source,
        connect: None,
    };
    vec![Msg::Finished(
        ticket,
        jobs::run(&places, width, job, &reporter).await,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(slot: Slot, generation: u64, urgent: bool, tag: &str) -> Queued {
        Queued {
            ticket: Ticket { slot, generation },
            urgent,
            job: Job::Summary {
                repo: "r".into(),
                tag: tag.into(),
            },
        }
    }

    fn tag_of(queued: &Queued) -> &str {
        match &queued.job {
            Job::Summary { tag, .. } => tag,
            _ => "",
        }
    }

    #[test]
    fn urgent_first_duplicates_once_stale_dropped() {
        let mut q = Queues::default();
        q.enqueue(queued(Slot::Tags, 1, false, "a"));
        q.enqueue(queued(Slot::Tags, 1, false, "b"));
        q.enqueue(queued(Slot::Tags, 1, true, "b"));
        let (first, _) = q.next(true).unwrap();
        assert_eq!(tag_of(&first), "b", "urgent work runs while paused");
        assert!(q.next(true).is_none(), "background work waits while paused");
        let (second, _) = q.next(false).unwrap();
        assert_eq!(tag_of(&second), "a");
        assert!(
            q.next(false).is_none(),
            "the background copy of b is skipped"
        );

        q.enqueue(queued(Slot::Tags, 1, false, "c"));
        let (_, token) = {
            q.enqueue(queued(Slot::Tags, 1, false, "d"));
            q.next(false).unwrap()
        };
        q.enqueue(queued(Slot::Tags, 2, false, "e"));
        assert!(
            token.is_cancelled(),
            "a newer generation cancels running work"
        );
        q.enqueue(queued(Slot::Tags, 1, true, "late"));
        let (next, _) = q.next(false).unwrap();
        assert_eq!(tag_of(&next), "e");
        assert!(q.next(false).is_none());
    }

    #[test]
    fn jobs_with_equal_content_but_different_plans_both_run() {
        let plan = |bytes_freed| crate::ops::delete::DeletePlan {
            bytes_freed,
            ..Default::default()
        };
        let protect = crate::tui::job::Shared::new(crate::ops::protect::ProtectSources::default());
        let delete = |plan| Job::Delete {
            plan,
            forced: Vec::new(),
            protect: protect.clone(),
        };
        let first = crate::tui::job::Shared::new(plan(7));
        let mut q = Queues::default();
        let ticket = Ticket {
            slot: Slot::Delete,
            generation: 1,
        };
        for job in [
            delete(first.clone()),
            delete(first),
            delete(crate::tui::job::Shared::new(plan(7))),
        ] {
            q.enqueue(Queued {
                ticket,
                urgent: true,
                job,
            });
        }
        assert!(q.next(false).is_some());
        assert!(q.next(false).is_some(), "an equal plan is another deletion");
        assert!(q.next(false).is_none(), "the same plan runs once");
    }
}
