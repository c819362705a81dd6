//! The app loop: owns the state and the task pool, turns terminal events and
//! finished work into messages, and redraws at most once per frame.

use super::effect::Effect;
use super::msg::Msg;
use super::pool::TaskPool;
use super::settings::Settings;
use super::state::{Pane, Placement, State};
use super::{ui, update};
use crate::oci::digest::Digest;
use crate::source::Source;
use crate::store::CachedSource;
use crate::store::db::Store;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use std::io::Write;
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

/// What the browser needs besides its settings: the store file behind every
/// registry it opens, and a standing note (the demo, an offline start).
pub struct Resources {
    pub store: Option<Store>,
    pub note: Option<String>,
}

pub use super::places::Connector;

/// Builds the first state and effects for a start point (pure; used by tests too).
pub fn initial_state(
    source_name: &str,
    settings: impl Into<Settings>,
    start: &Start,
) -> (State, Vec<Effect>) {
    let mut state = State::new(source_name, settings.into());
    let started = jiff::Timestamp::now().as_second();
    state.since = crate::tui::state::since::SinceLastVisit::starting_at(started);
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
    settings: Settings,
    resources: Resources,
    connect: Connector,
) -> anyhow::Result<()> {
    // `--color always` wins over NO_COLOR, which crossterm honours on its own.
    crossterm::style::force_color_output(!settings.monochrome);
    let mut terminal = ratatui::try_init()?;
    let mouse = settings.mouse;
    if mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
            previous(info);
        }));
    }
    let result = event_loop(&mut terminal, source, start, settings, resources, connect).await;
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    result
}

/// The background side of one source: its store and its task pool. A
/// registry switch replaces both.
struct Backend {
    store: Arc<CachedSource>,
    /// The store file, shared by every source the browser opens.
    disk: Option<Store>,
    pool: TaskPool,
    width: usize,
    reserve: u8,
    results: mpsc::UnboundedSender<Msg>,
    connect: Connector,
}

impl Backend {
    fn new(
        source: Source,
        settings: &Settings,
        disk: Option<Store>,
        results: mpsc::UnboundedSender<Msg>,
        connect: Connector,
    ) -> Backend {
        let width = settings.concurrency;
        let store = Arc::new(CachedSource::new(source, disk.clone()).with_width(width));
        let reserve = settings.pull_reserve_percent;
        let pool = TaskPool::new(
            store.clone(),
            width,
            reserve,
            results.clone(),
            connect.clone(),
        );
        Backend {
            store,
            disk,
            pool,
            width,
            reserve,
            results,
            connect,
        }
    }

    fn switch_to(&mut self, source: Source) {
        self.store.flush();
        let store = Arc::new(CachedSource::new(source, self.disk.clone()).with_width(self.width));
        self.pool = TaskPool::new(
            store.clone(),
            self.width,
            self.reserve,
            self.results.clone(),
            self.connect.clone(),
        );
        self.store = store;
    }

    /// A registry switch finished: the new source gets the pool.
    fn switched(&mut self, switched: Switched) -> Msg {
        match switched {
            Ok((source, repo)) => {
                let name = source.name();
                self.switch_to(source);
                Msg::Switched(Ok((name, repo)))
            }
            Err(e) => Msg::Switched(Err(e)),
        }
    }

    fn tick(&self) -> Msg {
        Msg::Tick(crate::tui::msg::Tick {
            in_flight: self.pool.in_flight(),
            queued: self.pool.queued(),
            now: jiff::Timestamp::now(),
            traffic: self.store.source().traffic(),
        })
    }
}

fn first_state(
    name: &str,
    start: &Start,
    settings: Settings,
    note: Option<String>,
    size: ratatui::layout::Size,
) -> (State, Vec<Effect>) {
    let (mut state, effects) = initial_state(name, settings, start);
    state.note = note;
    state.viewport = (size.width, size.height);
    state.now = Some(jiff::Timestamp::now());
    (state, effects)
}

type Switched = Result<(Source, Option<String>), String>;

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    source: Source,
    start: Start,
    settings: Settings,
    resources: Resources,
    connect: Connector,
) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (switch_tx, mut switch_rx) = mpsc::unbounded_channel::<Switched>();
    let mut backend = Backend::new(
        source.clone(),
        &settings,
        resources.store,
        tx,
        connect.clone(),
    );
    let (mut state, mut pending) = first_state(
        &source.name(),
        &start,
        settings,
        resources.note,
        terminal.size()?,
    );
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(TICK);
    let mut last_draw = Instant::now()
        .checked_sub(FRAME)
        .unwrap_or_else(Instant::now);
    let mut dirty = true;
    let fault = InjectedFault::from_env();
    loop {
        for effect in std::mem::take(&mut pending) {
            match effect {
                Effect::Terminal(argv) => {
                    hand_over(terminal, &argv, state.settings.mouse, &mut events).await?;
                    dirty = true;
                }
                other => carry_out(other, &backend.pool, &connect, &switch_tx),
            }
        }
        if state.quit {
            backend.store.flush();
            return Ok(());
        }
        if dirty && last_draw.elapsed() >= FRAME {
            terminal.draw(|frame| ui::render(&state, frame))?;
            (last_draw, dirty) = (Instant::now(), false);
        }
        let next_frame = tokio::time::Instant::from_std(last_draw + FRAME);
        let mut msgs = Vec::new();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    fault.on_event(&event)?;
                    msgs.extend(to_msg(event));
                }
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => {
                msgs.push(msg);
                while let Ok(more) = rx.try_recv() {
                    msgs.push(more);
                }
            }
            Some(switched) = switch_rx.recv() => msgs.push(backend.switched(switched)),
            _ = ticker.tick() => msgs.push(backend.tick()),
            _ = tokio::time::sleep_until(next_frame), if dirty => {}
        }
        for msg in msgs {
            pending.extend(update::update(&mut state, msg));
            dirty = true;
        }
    }
}

/// Test builds only: `REGSCOPE_TEST_FAULT=panic|error` makes the first key
/// press panic or fail the event loop, so the tests can see the terminal
/// restored on both paths. Release builds ignore the variable.
#[derive(Debug, Clone, Copy)]
enum InjectedFault {
    None,
    Panic,
    Error,
}

impl InjectedFault {
    fn from_env() -> InjectedFault {
        if !cfg!(debug_assertions) {
            return InjectedFault::None;
        }
        match std::env::var("REGSCOPE_TEST_FAULT").as_deref() {
            Ok("panic") => InjectedFault::Panic,
            Ok("error") => InjectedFault::Error,
            _ => InjectedFault::None,
        }
    }

    fn on_event(self, event: &Event) -> anyhow::Result<()> {
        if !matches!(event, Event::Key(_)) {
            return Ok(());
        }
        match self {
            InjectedFault::None => Ok(()),
            InjectedFault::Panic => panic!("injected fault (REGSCOPE_TEST_FAULT=panic)"),
            InjectedFault::Error => anyhow::bail!("injected fault (REGSCOPE_TEST_FAULT=error)"),
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

/// Gives the terminal to one of your commands (`output = "terminal"`):
/// the browser's screen and key reading stop, the command runs with the
/// terminal as its own, and a key brings the browser back.
async fn hand_over(
    terminal: &mut ratatui::DefaultTerminal,
    argv: &[String],
    mouse: bool,
    events: &mut EventStream,
) -> anyhow::Result<()> {
    // Dropping the stream stops its reader: the command gets every key.
    drop(std::mem::replace(events, EventStream::new()));
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    ratatui::restore();
    let said = match argv.split_first() {
        Some((program, args)) => match tokio::process::Command::new(program)
            .args(args)
            .status()
            .await
        {
            Ok(status) => format!("{program} exited: {status}"),
            Err(e) => format!("cannot run {program}: {e}"),
        },
        None => "an empty command line".to_string(),
    };
    println!(
        "\n[{}] press a key to return to regscope",
        crate::oci::text::sanitize(&said)
    );
    crossterm::terminal::enable_raw_mode()?;
    tokio::task::spawn_blocking(wait_for_a_key).await??;
    *terminal = ratatui::try_init()?;
    if mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
    }
    terminal.clear()?;
    Ok(())
}

fn wait_for_a_key() -> std::io::Result<()> {
    loop {
        if let Event::Key(key) = crossterm::event::read()?
            && key.kind == KeyEventKind::Press
        {
            return Ok(());
        }
    }
}

fn carry_out(
    effect: Effect,
    pool: &TaskPool,
    connect: &Connector,
    switched: &mpsc::UnboundedSender<Switched>,
) {
    match effect {
        Effect::Clipboard(text) => {
            let text = crate::oci::text::sanitize(&text);
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
        run @ Effect::Run { .. } => pool.submit(run),
        // Handled by the loop itself: it needs the terminal.
        Effect::Terminal(_) => {}
    }
}
