//! Which actions each view offers on its hint line, with the word each view
//! says for it; the keys shown are the keymap's (a user's remap shows).

use super::theme::Theme;
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use ratatui::text::Span;

/// The Miller columns (help and quit within 100 columns).
pub const PANES: &[(Action, &str)] = &[
    (Action::Down, "down"),
    (Action::Open, "open"),
    (Action::Back, "back"),
    (Action::Filter, "filter"),
    (Action::Command, "go to"),
    (Action::Sort, "sort"),
    (Action::CopyImage, "copy"),
    (Action::AddTag, "tag"),
    (Action::Delete, "delete"),
    (Action::Planner, "plan"),
    (Action::Usage, "usage"),
    (Action::Help, "help"),
    (Action::Quit, "quit"),
];

/// After `PANES` and your commands: past the width of a narrow terminal
/// (`?` lists them too).
pub const PANES_MORE: &[(Action, &str)] =
    &[(Action::Clipboard, "clipboard"), (Action::RawJson, "json")];

/// What a read-only browser does not offer.
pub const DELETING: &[Action] = &[
    Action::Delete,
    Action::DeleteMarked,
    Action::Planner,
    Action::CopyImage,
    Action::AddTag,
];

/// The file tree screen (its sort word says the order: see `ui::files`).
pub const FILE_TREE: &[(Action, &str)] = &[
    (Action::Open, "open"),
    (Action::Back, "fold/back"),
    (Action::Filter, "filter"),
    (Action::ToggleMerged, "merged/layer"),
    (Action::PrevLayer, "below"),
    (Action::NextLayer, "above"),
    (Action::Quit, "close"),
];

/// The comparison screen.
pub const COMPARE: &[(Action, &str)] = &[
    (Action::Down, "down"),
    (Action::Up, "up"),
    (Action::Back, "close"),
];

/// An SBOM's packages.
pub const PACKAGES: &[(Action, &str)] = &[
    (Action::Down, "down"),
    (Action::Filter, "filter"),
    (Action::Sort, "sort"),
    (Action::SortReverse, "reverse"),
    (Action::Back, "close"),
];

/// The registry's usage.
pub const REGISTRY_USAGE: &[(Action, &str)] = &[
    (Action::Down, "down"),
    (Action::Open, "tags"),
    (Action::Sort, "sort"),
    (Action::SortReverse, "reverse"),
    (Action::FetchAll, "read missing"),
    (Action::Refresh, "read again"),
    (Action::Back, "close"),
];

/// The retention planner is a form: these keys are fixed, as in any text
/// input (its fields take the characters).
pub const PLANNER_FORM: &[(&str, &str)] = &[
    ("Tab", "next field"),
    ("Space", "toggle"),
    ("PgUp/PgDn", "scroll tags"),
    ("Enter", "review"),
    ("Esc", "close"),
];

/// The output of one of your commands.
pub const OUTPUT: &[(&str, &str)] = &[("j/k", "scroll"), ("PgUp/PgDn", "page"), ("q", "close")];

/// ` key word ` pairs for `actions`, keys from `keymap`.
pub fn spans(keymap: &Keymap, actions: &[(Action, &str)], theme: &Theme) -> Vec<Span<'static>> {
    let pairs = actions
        .iter()
        .map(|(a, word)| (keymap.first_key(*a).to_string(), word.to_string()));
    styled(pairs, theme)
}

/// The same for fixed keys.
pub fn fixed_spans(keys: &[(&str, &str)], theme: &Theme) -> Vec<Span<'static>> {
    styled(
        keys.iter().map(|(k, w)| (k.to_string(), w.to_string())),
        theme,
    )
}

/// `key word` as text, for views that draw hints inside themselves.
pub fn text(keymap: &Keymap, actions: &[(Action, &str)]) -> String {
    let pairs: Vec<String> = actions
        .iter()
        .map(|(a, word)| format!("{} {word}", keymap.first_key(*a)))
        .collect();
    pairs.join("  ")
}

fn styled(pairs: impl Iterator<Item = (String, String)>, theme: &Theme) -> Vec<Span<'static>> {
    pairs
        .flat_map(|(key, word)| {
            [
                Span::styled(format!(" {key}"), theme.key),
                Span::styled(format!(" {word} "), theme.dim),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keymap(user: &str) -> Keymap {
        let default = include_str!("../../../assets/keymap.toml");
        Keymap::from_layers(default, Some(user)).unwrap()
    }

    #[test]
    fn a_remapped_key_shows_in_the_hints_and_the_old_name_still_binds() {
        let remapped = keymap("clipboard = [\"Y\"]\nquit = [\"x\"]");
        let all = [PANES, PANES_MORE].concat();
        let line = text(&remapped, &all);
        assert!(line.contains("Y clipboard"), "{line}");
        assert!(line.contains("x quit"), "{line}");
        assert!(!line.contains("y clipboard"), "{line}");
        for old_name in ["copy_reference", "copy"] {
            let old = keymap(&format!("{old_name} = [\"Y\"]"));
            assert!(text(&old, &all).contains("Y clipboard"), "{old_name}");
        }
    }

    #[test]
    fn every_view_s_hints_have_a_key_in_the_default_keymap() {
        let keys = keymap("");
        for (action, _) in PANES
            .iter()
            .chain(PANES_MORE)
            .chain(FILE_TREE)
            .chain(COMPARE)
            .chain(REGISTRY_USAGE)
            .chain(PACKAGES)
        {
            assert!(!keys.first_key(*action).is_empty(), "{action:?}");
        }
    }
}
