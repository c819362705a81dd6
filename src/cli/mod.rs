//! The command-line front end: one file per subcommand.

pub mod args;
pub mod browse;
pub mod cache;
pub mod check;
pub mod connect;
pub mod deleting;
pub mod diff;
pub mod du;
pub mod exit;
pub mod files;
pub mod inspect;
pub mod interrupt;
pub mod login;
pub mod memory;
pub mod output;
pub mod prune;
pub mod referrers;
pub mod repos;
pub mod rm;
pub mod tags;
pub mod trash;

use crate::source;
use args::{Cli, Command};
use clap::CommandFactory;
use connect::Context;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        let mut ctx = Context::new(cli.global)?;
        let target = cli.target.clone().or_else(|| ctx.config.default.clone());
        bind(&mut ctx, target.as_slice())?;
        return browse::run(ctx, cli.target, &cli.tui).await;
    };
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "regscope",
                &mut std::io::stdout(),
            );
            return Ok(());
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            return Ok(());
        }
        _ => {}
    }
    let mut ctx = Context::new(cli.global)?;
    ctx.deleting = deletes(&command);
    if ctx.deleting && ctx.global.offline {
        return Err(exit::UsageError(
            "--offline answers from the cache: a command that deletes asks the registry".into(),
        )
        .into());
    }
    bind(&mut ctx, &targets_of(&command))?;
    match &command {
        Command::Repos { registry } => repos::run(&ctx, registry).await,
        Command::Login { registry } => login::login(&ctx, registry).await,
        Command::Logout { registry } => login::logout(registry).await,
        Command::Tags { repository } => tags::run(&ctx, repository).await,
        Command::Inspect { image, platform } => {
            inspect::run(&ctx, image, platform.as_deref()).await
        }
        Command::Files {
            image,
            platform,
            layer,
            sort,
            depth,
            wasted,
            max_layer_size,
        } => {
            let args = files::FilesArgs {
                platform: platform.as_deref(),
                layer: layer.as_deref(),
                by_size: *sort == args::FileSort::Size,
                depth: *depth,
                wasted: *wasted,
                max_layer_size: *max_layer_size,
            };
            files::run(&ctx, image, args).await
        }
        Command::Diff {
            a,
            b,
            files,
            platform,
            max_layer_size,
        } => diff::run(&ctx, a, b, *files, platform.as_deref(), *max_layer_size).await,
        Command::Referrers {
            image,
            artifact_type,
        } => referrers::run(&ctx, image, artifact_type.as_deref()).await,
        Command::Check {
            target,
            blobs,
            storage,
            prune_orphans,
            dry_run,
            yes,
        } => {
            let prune = prune_orphans.then_some(check::PruneOrphans {
                dry_run: *dry_run,
                yes: *yes,
            });
            check::run(&ctx, target, *blobs, storage.as_deref(), prune).await
        }
        Command::Du {
            repository,
            sort,
            repos,
        } => du::run(&ctx, repository, *sort, repos.as_deref()).await,
        Command::Prune {
            repository,
            keep_newest,
            keep,
            only,
            older_than,
            include_undated,
            dry_run,
            yes,
            max_delete,
            max_delete_percent,
            no_trash,
            plan_out,
            repos,
            policy,
            exact,
            keep_children,
        } => {
            let args = prune::PruneArgs {
                repository,
                keep_newest: *keep_newest,
                keep,
                only: only.as_deref(),
                older_than: *older_than,
                include_undated: *include_undated,
                dry_run: *dry_run,
                yes: *yes,
                max_delete: *max_delete,
                max_delete_percent: *max_delete_percent,
                no_trash: *no_trash,
                plan_out: plan_out.as_deref(),
                repos: repos.as_deref(),
                policy: *policy,
                exact: *exact,
                keep_children: *keep_children,
            };
            prune::run(&ctx, args).await
        }
        Command::Apply {
            plan,
            yes,
            no_trash,
        } => prune::apply(&ctx, plan, *yes, *no_trash).await,
        Command::Rm {
            images,
            dry_run,
            yes,
            prune,
            force,
            no_trash,
            keep_referrers,
            keep_children,
            exact,
        } => {
            let args = rm::RmArgs {
                images,
                dry_run: *dry_run,
                yes: *yes,
                prune: *prune,
                force: *force,
                no_trash: *no_trash,
                keep_referrers: *keep_referrers,
                keep_children: *keep_children,
                exact: *exact,
            };
            rm::run(&ctx, args).await
        }
        Command::Cache { action } => match action {
            args::CacheAction::Stats => cache::stats(&ctx),
            args::CacheAction::Clear => cache::clear(&ctx),
            args::CacheAction::Prune => cache::prune(&ctx),
        },
        Command::Trash {
            action: args::TrashAction::List,
        } => trash::list(&ctx),
        Command::Trash {
            action: args::TrashAction::Restore { id },
        } => trash::restore_entry(ctx, id).await,
        Command::Completions { .. } | Command::Man => Ok(()),
    }
}

/// Whether the command deletes or restores: it then asks the registry for
/// everything it acts on, never the store.
fn deletes(command: &Command) -> bool {
    match command {
        Command::Rm { .. } | Command::Prune { .. } | Command::Apply { .. } => true,
        Command::Check { prune_orphans, .. } => *prune_orphans,
        Command::Trash {
            action: args::TrashAction::Restore { .. },
        } => true,
        _ => false,
    }
}

/// What the command points at (before it is opened), for credential binding.
fn targets_of(command: &Command) -> Vec<String> {
    match command {
        Command::Repos { registry } | Command::Login { registry } => vec![registry.clone()],
        Command::Logout { .. } => Vec::new(),
        Command::Tags { repository }
        | Command::Du { repository, .. }
        | Command::Prune { repository, .. } => vec![repository.clone()],
        Command::Inspect { image, .. }
        | Command::Referrers { image, .. }
        | Command::Files { image, .. } => vec![image.clone()],
        Command::Diff { a, b, .. } => vec![a.clone(), b.clone()],
        Command::Check { target, .. } => vec![target.clone()],
        Command::Rm { images, .. } => images.clone(),
        Command::Apply { .. }
        | Command::Trash { .. }
        | Command::Cache { .. }
        | Command::Completions { .. }
        | Command::Man => Vec::new(),
    }
}

/// Flag credentials go to the registry the targets name (an unparsable target
/// is the command's to report).
fn bind(ctx: &mut Context, texts: &[String]) -> anyhow::Result<()> {
    let targets: Vec<source::target::Target> = texts
        .iter()
        .filter_map(|t| source::target::parse(t).ok())
        .collect();
    ctx.bind_to(&targets.iter().collect::<Vec<_>>())
}
