//! `regscope [TARGET]`: the interactive browser.

use super::args::{ColorChoice, TuiArgs};
use super::connect::Context;
use super::exit::UsageError;
use crate::source::target::{self, Location, Reference, Target};
use crate::tui::app::{self, Connector, Resources, Start};
use crate::tui::keymap::Keymap;
use crate::tui::settings::{Settings, UserCommand};
use std::io::IsTerminal;
use std::sync::Arc;

fn start_for(repository: Option<String>, reference: Option<Reference>) -> Start {
    match (repository, reference) {
        (None, _) => Start::Registry,
        (Some(repo), None) => Start::Repository(repo),
        (Some(repository), Some(Reference::Tag(tag))) => Start::Image {
            repository,
            tag: Some(tag),
            digest: None,
        },
        (Some(repository), Some(Reference::Digest(d))) => Start::Image {
            repository,
            tag: None,
            digest: Some(d),
        },
    }
}

fn monochrome(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => false,
        ColorChoice::Never => true,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
                || std::env::var("TERM").is_ok_and(|t| t == "dumb")
        }
    }
}

pub async fn run(ctx: Context, target: Option<String>, args: &TuiArgs) -> anyhow::Result<()> {
    // With --password-stdin, stdin carried the password; keys come from the
    // controlling terminal (crossterm opens /dev/tty when stdin is not one).
    let keys_from_tty = ctx.global.password_stdin && controlling_terminal();
    if !std::io::stdout().is_terminal() || !(std::io::stdin().is_terminal() || keys_from_tty) {
        return Err(UsageError(
            "the interactive browser needs a terminal; in scripts use `repos`, `tags` or `inspect`"
                .into(),
        )
        .into());
    }
    let (target, mut note) = match target.or_else(|| ctx.config.default.clone()) {
        Some(text) => (target::parse(&text)?, None),
        None => (demo_target()?, Some(DEMO_NOTE.to_string())),
    };
    let ctx = Arc::new(ctx);
    let (source, repository) = match ctx.open(&target).await {
        Ok(opened) => opened,
        Err(error) => match ctx.open_stored(&target, &error) {
            Some((source, repository)) => {
                note = Some(format!("{error:#}; showing what is stored (offline)"));
                (source, repository)
            }
            None => return Err(error),
        },
    };
    let settings = settings(&ctx, args, &target.location).await?;
    let resources = Resources {
        store: ctx.store(),
        note,
    };
    let connector: Connector = Arc::new(move |text: String| {
        let ctx = ctx.clone();
        Box::pin(async move {
            let target = target::parse(&text).map_err(|e| format!("{e:#}"))?;
            ctx.open(&target).await.map_err(|e| format!("{e:#}"))
        })
    });
    app::run(
        source,
        start_for(repository, target.reference),
        settings,
        resources,
        connector,
    )
    .await
}

/// The browser's settings, from the config and the flags, once.
async fn settings(ctx: &Context, args: &TuiArgs, location: &Location) -> anyhow::Result<Settings> {
    use crate::tui::settings::{DEFAULT_PREFETCH_SCREENS, DEFAULT_PULL_RESERVE_PERCENT};
    let keymap = Arc::new(Keymap::load().map_err(|e| anyhow::anyhow!(e))?);
    let commands = Arc::new(user_commands(&ctx.config, &keymap)?);
    let config = &ctx.config;
    let protect_sources = ctx.protect_sources();
    let protection = protect_sources.load().await;
    Ok(Settings {
        keymap,
        monochrome: monochrome(args.color),
        mouse: !args.no_mouse,
        read_only: args.read_only || config.read_only,
        undo_available: crate::store::trash::Trash::default_location().is_some(),
        prefetch_screens: config.prefetch_screens.unwrap_or(DEFAULT_PREFETCH_SCREENS),
        pull_reserve_percent: config
            .pull_reserve_percent
            .unwrap_or(DEFAULT_PULL_RESERVE_PERCENT)
            .min(100),
        concurrency: ctx.concurrency_for(location),
        files: ctx.files_options(None),
        protection: protection.map(Arc::new).map_err(|e| e.to_string()),
        protect_sources: Arc::new(protect_sources),
        commands,
        favorites: Arc::new(favorites(config)?),
        verify_keys: Arc::new(verify_keys(config)?),
    })
}

/// `[[verify]]`, each key read now (one that cannot be read is a usage error).
fn verify_keys(
    config: &crate::config::Config,
) -> anyhow::Result<Vec<crate::tui::settings::VerifyKey>> {
    let mut out = Vec::new();
    for entry in &config.verify {
        let bad = |why: String| UsageError(format!("[[verify]] {}: {why}", entry.key.display()));
        let pem = std::fs::read(&entry.key).map_err(|e| bad(e.to_string()))?;
        let key = crate::model::signature::PublicKey::from_pem(&pem).map_err(|e| bad(e.0))?;
        let repos = super::prune::glob(&entry.repos)?;
        out.push(crate::tui::settings::VerifyKey {
            repos,
            key: Arc::new(key),
        });
    }
    Ok(out)
}

/// The config's `favorites`, each a registry repository (a bad one is a
/// usage error, exit 2).
fn favorites(config: &crate::config::Config) -> anyhow::Result<Vec<(String, String)>> {
    use crate::source::target::{self, Location};
    let mut out = Vec::new();
    for entry in &config.favorites {
        let bad = |why: String| UsageError(format!("favorites: {entry:?} {why}"));
        let parsed = target::parse(entry).map_err(|e| bad(e.to_string()))?;
        match (parsed.location, parsed.repository, parsed.reference) {
            (Location::Registry(host), Some(repo), None) => out.push((host, repo)),
            _ => return Err(bad("is not a registry repository (host/name)".into()).into()),
        }
    }
    Ok(out)
}

/// `[[commands]]`, each checked; a bad one is a usage error (exit 2).
fn user_commands(
    config: &crate::config::Config,
    keymap: &Keymap,
) -> anyhow::Result<Vec<UserCommand>> {
    let mut out: Vec<UserCommand> = Vec::new();
    for entry in &config.commands {
        let command = UserCommand::new(entry, keymap).map_err(UsageError)?;
        if out.iter().any(|c| c.key == command.key) {
            let why = format!("[[commands]]: key {:?} is used twice", entry.key);
            return Err(UsageError(why).into());
        }
        out.push(command);
    }
    Ok(out)
}

fn controlling_terminal() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

const DEMO_NOTE: &str =
    "demo content: run `regscope <registry>` (e.g. localhost:5000) to browse yours";

/// The bundled demo, unpacked once per version into the cache directory.
fn demo_target() -> anyhow::Result<Target> {
    let base = crate::config::cache_dir().unwrap_or_else(std::env::temp_dir);
    let dir =
        crate::layout::demo::unpack(&base.join(format!("demo-{}", env!("CARGO_PKG_VERSION"))))?;
    Ok(Target {
        location: Location::Layout(dir),
        repository: None,
        reference: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_points() {
        assert_eq!(start_for(None, None), Start::Registry);
        assert_eq!(
            start_for(Some("a".into()), None),
            Start::Repository("a".into())
        );
        assert!(matches!(
            start_for(Some("a".into()), Some(Reference::Tag("1".into()))),
            Start::Image { tag: Some(_), .. }
        ));
    }
}
