//! What the browser runs with, built once from the config and the flags
//! (`cli::browse`) and held by the state apart from what changes as it runs.

use super::keymap::Keymap;
use crate::model::protect::Protected;
use crate::ops::files::FilesOptions;
use crate::ops::protect::ProtectSources;
use std::sync::Arc;

/// Screens of rows above and below the visible ones fetched in the background.
pub const DEFAULT_PREFETCH_SCREENS: usize = 3;
/// Background fetching pauses under this percentage of the registry's pull budget.
pub const DEFAULT_PULL_RESERVE_PERCENT: u8 = 10;

#[derive(Debug, Clone)]
pub struct Settings {
    pub keymap: Arc<Keymap>,
    /// The config's favorites: (registry, repository).
    pub favorites: Arc<Vec<(String, String)>>,
    /// `[[verify]]`: which key signs which repositories' images.
    pub verify_keys: Arc<Vec<VerifyKey>>,
    /// No colour (`--color never`, `NO_COLOR`, `TERM=dumb`).
    pub monochrome: bool,
    /// The mouse is captured (not with `--no-mouse`).
    pub mouse: bool,
    /// `--read-only`: deletion is off.
    pub read_only: bool,
    /// Deleted manifests are kept in the trash (false: the dialog says "no undo").
    pub undo_available: bool,
    /// Screens of rows above and below the visible ones fetched in the background.
    pub prefetch_screens: usize,
    /// Background fetching pauses under this percentage of the pull budget.
    pub pull_reserve_percent: u8,
    /// Parallel requests to the registry.
    pub concurrency: usize,
    /// How far layers are read (`[files]` in the config).
    pub files: FilesOptions,
    /// The protected images as read at start, or why they could not be read
    /// (then deleting is refused: fail closed).
    pub protection: Result<Arc<Protected>, String>,
    /// Where the protect lists come from: read again for each deletion (a
    /// protect command's answer changes while the browser runs).
    pub protect_sources: Arc<ProtectSources>,
    /// `[[commands]]`: your commands on the selected image.
    pub commands: Arc<Vec<UserCommand>>,
}

/// A `[[commands]]` entry, checked: its key parsed (and bound to no action),
/// its command line split.
#[derive(Debug, Clone)]
pub struct UserCommand {
    pub key: (crossterm::event::KeyCode, crossterm::event::KeyModifiers),
    pub key_name: String,
    pub description: String,
    pub line: crate::model::command_line::CommandLine,
    pub confirm: bool,
    pub output: crate::config::CommandOutput,
}

impl UserCommand {
    /// Checks a config entry against the keymap.
    pub fn new(
        entry: &crate::config::CommandSettings,
        keymap: &Keymap,
    ) -> Result<UserCommand, String> {
        use crate::config::RunLine;
        use crate::model::command_line::CommandLine;
        let what = format!("[[commands]] {:?}", entry.description);
        let (code, mods) =
            super::keymap::parse_key(&entry.key).map_err(|e| format!("{what}: {e}"))?;
        if let Some(action) = keymap.action(&crossterm::event::KeyEvent::new(code, mods)) {
            return Err(format!(
                "{what}: key {:?} is bound to {action:?} in the keymap",
                entry.key
            ));
        }
        let line = match &entry.run {
            RunLine::Line(line) => CommandLine::from_line(line),
            RunLine::Words(words) => CommandLine::from_words(words.clone()),
        }
        .map_err(|e| format!("{what}: {e}"))?;
        Ok(UserCommand {
            key: (code, mods),
            key_name: entry.key.clone(),
            description: entry.description.clone(),
            line,
            confirm: entry.confirm,
            output: entry.output,
        })
    }
}

impl Settings {
    /// The defaults, with `keymap`.
    pub fn with_keymap(keymap: Arc<Keymap>) -> Settings {
        Settings {
            keymap,
            monochrome: false,
            mouse: true,
            read_only: false,
            undo_available: true,
            prefetch_screens: DEFAULT_PREFETCH_SCREENS,
            pull_reserve_percent: DEFAULT_PULL_RESERVE_PERCENT,
            concurrency: 8,
            files: FilesOptions::default(),
            protection: Ok(Arc::default()),
            protect_sources: Arc::default(),
            commands: Arc::default(),
            favorites: Arc::default(),
            verify_keys: Arc::default(),
        }
    }
}

impl From<Arc<Keymap>> for Settings {
    fn from(keymap: Arc<Keymap>) -> Settings {
        Settings::with_keymap(keymap)
    }
}

/// A `[[verify]]` entry: the repositories (`host/repository` glob) whose
/// images `key` signs.
#[derive(Debug, Clone)]
pub struct VerifyKey {
    pub repos: globset::GlobMatcher,
    pub key: Arc<crate::model::signature::PublicKey>,
}

impl Settings {
    /// The key that signs `registry/repository`'s images, if one is configured.
    pub fn verify_key(
        &self,
        registry: &str,
        repository: &str,
    ) -> Option<Arc<crate::model::signature::PublicKey>> {
        let name = format!("{registry}/{repository}");
        self.verify_keys
            .iter()
            .find(|k| k.repos.is_match(&name))
            .map(|k| k.key.clone())
    }
}
