//! `regscope [TARGET]`: the interactive browser.

use super::args::{ColorChoice, TuiArgs};
use super::connect::Context;
use super::exit::UsageError;
use crate::registry::reference::{ImageRef, RepositoryRef, parse_registry};
use crate::source::Source;
use crate::tui::app::{self, Connector, Options, Start};
use std::io::IsTerminal;
use std::sync::Arc;

/// `localhost:5000` → a registry; `ghcr.io/org/app` → a repository;
/// `…/app:1.2` or `…/app@sha256:…` → an image.
pub fn parse_target(text: &str) -> anyhow::Result<(String, Start)> {
    let first = text.split('/').next().unwrap_or("");
    let is_host = first.contains(['.', ':']) || first == "localhost" || first.starts_with('[');
    if !text.contains('/') && is_host {
        return Ok((parse_registry(text)?, Start::Registry));
    }
    if let Ok(repo) = RepositoryRef::parse(text) {
        return Ok((repo.registry, Start::Repository(repo.repository)));
    }
    let image = ImageRef::parse(text)?;
    Ok((
        image.registry,
        Start::Image {
            repository: image.repository,
            tag: image.tag,
            digest: image.digest,
        },
    ))
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
    let target = target.or_else(|| ctx.config.default.clone()).ok_or_else(|| {
        UsageError("no target: try `regscope localhost:5000`, set `default` in the config, or see `regscope --help`".into())
    })?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "the interactive browser needs a terminal; in scripts use `repos`, `tags` or `inspect`"
                .into(),
        )
        .into());
    }
    let (registry, start) = parse_target(&target)?;
    let ctx = Arc::new(ctx);
    let client = ctx.connect(&registry).await?;
    let options = Options {
        mouse: !args.no_mouse,
        monochrome: monochrome(args.color),
        concurrency: ctx.concurrency(&registry),
        note: None,
    };
    let connector: Connector = Arc::new(move |target: String| {
        let ctx = ctx.clone();
        Box::pin(async move {
            let (registry, start) = parse_target(&target).map_err(|e| format!("{e:#}"))?;
            let client = ctx.connect(&registry).await.map_err(|e| format!("{e:#}"))?;
            let repo = match start {
                Start::Repository(r) | Start::Image { repository: r, .. } => Some(r),
                Start::Registry => None,
            };
            Ok((Source::Registry(Arc::new(client)), repo))
        })
    });
    app::run(
        Source::Registry(Arc::new(client)),
        start,
        options,
        connector,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("localhost:5000").unwrap(),
            ("localhost:5000".into(), Start::Registry)
        );
        assert_eq!(
            parse_target("ghcr.io/org/app").unwrap(),
            ("ghcr.io".into(), Start::Repository("org/app".into()))
        );
        assert_eq!(
            parse_target("nginx").unwrap(),
            (
                "docker.io".into(),
                Start::Repository("library/nginx".into())
            )
        );
        let (_, image) = parse_target("localhost:5000/app:1.2").unwrap();
        assert!(matches!(image, Start::Image { tag: Some(t), .. } if t == "1.2"));
        assert!(parse_target("localhost:5000/App").is_err());
    }
}
