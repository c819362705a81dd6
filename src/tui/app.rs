//! The app loop: owns the state and the task pool, turns terminal events and
//! finished work into messages, and redraws at most once per frame.

use super::effect::Effect;
use super::keymap::Keymap;
use super::msg::Msg;
use super::state::{Pane, Placement, State};
use super::tasks::TaskPool;
use super::{ui, update};
use crate::oci::digest::Digest;
use crate::source::Source;
use crate::store::{CachedSource, DiskPolicy};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const FRAME: Duration = Duration::from_millis(16);
const TICK: Duration = Duration::from_millis(100);

/// Where the browser opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    Registry,
    Repository(String),
    Image {
        repository: String,
        tag: Option<String>,
        digest: Option<Digest>,
    },
}

pub struct Options {
    pub mouse: bool,
    pub read_only: bool,
    pub monochrome: bool,
    pub concurrency: usize,
    pub note: Option<String>,
}

/// Connects to another registry for `:host` (the CLI supplies credentials and TLS).
pub type Connector = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<(Source, Option<String>), String>> + Send>>
        + Send
        + Sync,
>;

/// Builds the first state and effects for a start point (pure; used by tests too).
pub fn initial_state(
    source_name: &str,
    keymap: Arc<Keymap>,
    start: &Start,
) -> (State, Vec<Effect>) {
    let mut state = State::new(source_name, keymap);
    let mut effects = update::start(&mut state);
    match start {
        Start::Registry => {}
        Start::Repository(repo) => effects.push(state.open_repository(repo)),
        Start::Image {
            repository,
            tag,
            digest,
        } => {
            state.tags.select_when_loaded(tag.clone());
            effects.push(state.open_repository(repository));
            state.focus = Pane::Detail;
            if let Some(digest) = digest {
                let title = format!("@{}", digest.short());
                effects.push(state.open_detail(Placement::Root(None), repository, digest, title));
            }
        }
    }
    effects.extend(update::reconcile(&mut state));
    (state, effects)
}

pub async fn run(
    source: Source,
    start: Start,
    options: Options,
    connect: Connector,
) -> anyhow::Result<()> {
    let keymap = Arc::new(Keymap::load().map_err(|e| anyhow::anyhow!(e))?);
    let mut terminal = ratatui::try_init()?;
    if options.mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
            previous(info);
        }));
    }
    let result = event_loop(&mut terminal, source, start, &options, keymap, connect).await;
    if options.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    source: Source,
    start: Start,
    options: &Options,
    keymap: Arc<Keymap>,
    connect: Connector,
) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (switch_tx, mut switch_rx) = mpsc::unbounded_channel();
    let mut cache = Arc::new(CachedSource::new(source.clone(), DiskPolicy::ReadWrite));
    let mut pool = TaskPool::new(cache.clone(), options.concurrency, tx.clone());
    let (mut state, effects) = initial_state(&source.name(), keymap, &start);
    state.monochrome = options.monochrome;
    state.read_only = options.read_only;
    state.note = options.note.clone();
    let size = terminal.size()?;
    state.viewport = (size.width, size.height);
    state.now = Some(jiff::Timestamp::now());
    let mut pending = effects;
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(TICK);
    let mut last_draw = Instant::now()
        .checked_sub(FRAME)
        .unwrap_or_else(Instant::now);
    let mut dirty = true;
    loop {
        for effect in pending.drain(..) {
            carry_out(effect, &pool, &connect, &switch_tx);
        }
        if state.quit {
            cache.flush();
            return Ok(());
        }
        if dirty && last_draw.elapsed() >= FRAME {
            terminal.draw(|frame| ui::render(&state, frame))?;
            last_draw = Instant::now();
            dirty = false;
        }
        let next_frame = tokio::time::Instant::from_std(last_draw + FRAME);
        let mut msgs = Vec::new();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => msgs.extend(to_msg(event)),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => {
                msgs.push(msg);
                while let Ok(more) = rx.try_recv() {
                    msgs.push(more);
                }
            }
            Some(switched) = switch_rx.recv() => {
                let switched: Result<(Source, Option<String>), String> = switched;
                match switched {
                    Ok((new_source, repo)) => {
                        cache.flush();
                        cache = Arc::new(CachedSource::new(new_source.clone(), DiskPolicy::ReadWrite));
                        pool = TaskPool::new(cache.clone(), options.concurrency, tx.clone());
                        pending.extend(update::update(&mut state, Msg::Switched(Ok(new_source.name()))));
                        if let Some(repo) = repo {
                            pending.push(state.open_repository(&repo));
                            pending.extend(update::reconcile(&mut state));
                        }
                        dirty = true;
                    }
                    Err(e) => msgs.push(Msg::Switched(Err(e))),
                }
            }
            _ = ticker.tick() => msgs.push(Msg::Tick { in_flight: pool.in_flight(), queued: pool.queued(), now: jiff::Timestamp::now() }),
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
        }
        for msg in msgs {
            pending.extend(update::update(&mut state, msg));
            dirty = true;
        }
    }
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

fn carry_out(
    effect: Effect,
    pool: &TaskPool,
    connect: &Connector,
    switched: &mpsc::UnboundedSender<Result<(Source, Option<String>), String>>,
) {
    match effect {
        Effect::Copy(text) => {
            let mut out = std::io::stdout();
            let _ = crossterm::execute!(
                out,
                crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
            );
            let _ = out.flush();
        }
        Effect::SwitchRegistry(target) => {
            let connect = connect.clone();
            let switched = switched.clone();
            tokio::spawn(async move {
                let _ = switched.send(connect(target).await);
            });
        }
        fetch => pool.submit(fetch),
    }
}
