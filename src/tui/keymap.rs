//! Key bindings as data: the embedded `assets/keymap.toml`, with a user file
//! replacing the keys of the actions it names.

use super::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, HashMap};

const DEFAULT: &str = include_str!("../../assets/keymap.toml");

#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<(KeyCode, KeyModifiers), Action>,
    /// Action → its key names, for help and hints.
    pub keys: BTreeMap<Action, Vec<String>>,
}

impl Keymap {
    pub fn default_keys() -> Keymap {
        // The embedded keymap is checked by the tests; it cannot fail at run time.
        #[allow(clippy::expect_used)]
        Keymap::from_layers(DEFAULT, None).expect("the embedded keymap is valid")
    }

    /// The defaults with `user` (TOML text) on top.
    pub fn from_layers(default: &str, user: Option<&str>) -> Result<Keymap, String> {
        let mut keys: BTreeMap<Action, Vec<String>> =
            toml::from_str(default).map_err(|e| format!("keymap: {}", e.message()))?;
        if let Some(user) = user {
            let overrides: BTreeMap<Action, Vec<String>> =
                toml::from_str(user).map_err(|e| format!("keymap.toml: {}", e.message()))?;
            keys.extend(overrides);
        }
        let mut by_key = HashMap::new();
        for (action, names) in &keys {
            for name in names {
                by_key.insert(parse_key(name)?, *action);
            }
        }
        Ok(Keymap { by_key, keys })
    }

    /// Loads `keymap.toml` from the config dir when it exists.
    pub fn load() -> Result<Keymap, String> {
        let user = crate::config::config_dir()
            .map(|d| d.join("keymap.toml"))
            .filter(|p| p.is_file())
            .map(|p| std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display())))
            .transpose()?;
        Keymap::from_layers(DEFAULT, user.as_deref())
    }

    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        self.by_key.get(&chord(key)).copied()
    }

    /// Lines of the help text: one per action, and the mouse note.
    pub fn help_lines(&self) -> usize {
        self.keys.len() + 1
    }

    /// The first key bound to `action`, for hints.
    pub fn first_key(&self, action: Action) -> &str {
        self.keys
            .get(&action)
            .and_then(|k| k.first())
            .map_or("?", String::as_str)
    }
}

/// A key as bindings name it: Shift is in the character (`G`), only Ctrl
/// and Alt count as modifiers.
pub fn chord(key: &KeyEvent) -> (KeyCode, KeyModifiers) {
    (
        key.code,
        key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT),
    )
}

/// `j`, `G`, `/`, `ctrl-d`, `alt-x`, `enter`, `f1`, `pagedown`, …
pub fn parse_key(name: &str) -> Result<(KeyCode, KeyModifiers), String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = name;
    loop {
        if let Some(r) = rest.strip_prefix("ctrl-") {
            mods |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("alt-") {
            mods |= KeyModifiers::ALT;
            rest = r;
        } else {
            break;
        }
    }
    let function_key = rest
        .strip_prefix('f')
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=12).contains(n));
    let code = match rest {
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        "space" => KeyCode::Char(' '),
        _ if let Some(n) = function_key => KeyCode::F(n),
        c if let Some(one) = single_char(c) => KeyCode::Char(one),
        _ => return Err(format!("unknown key {name:?} in keymap")),
    };
    Ok((code, mods))
}

fn single_char(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let first = chars.next()?;
    chars.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn default_bindings() {
        let km = Keymap::default_keys();
        let none = KeyModifiers::NONE;
        assert_eq!(
            km.action(&key(KeyCode::Char('j'), none)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action(&key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action(&key(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::HalfPageDown)
        );
        assert_eq!(
            km.action(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(km.action(&key(KeyCode::F(1), none)), Some(Action::Help));
        assert_eq!(km.action(&key(KeyCode::Char('x'), none)), None);
    }

    #[test]
    fn user_file_overrides_single_actions() {
        let km = Keymap::from_layers(DEFAULT, Some("down = [\"n\"]")).unwrap();
        let none = KeyModifiers::NONE;
        assert_eq!(
            km.action(&key(KeyCode::Char('n'), none)),
            Some(Action::Down)
        );
        assert_eq!(km.action(&key(KeyCode::Char('j'), none)), None);
        assert_eq!(km.action(&key(KeyCode::Char('k'), none)), Some(Action::Up));
        assert!(Keymap::from_layers(DEFAULT, Some("down = [\"hyper-x\"]")).is_err());
        assert!(Keymap::from_layers(DEFAULT, Some("fly = [\"x\"]")).is_err());
    }
}
