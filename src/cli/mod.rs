//! The command-line front end: one file per subcommand.

pub mod args;
pub mod browse;
pub mod cache;
pub mod changes;
pub mod check;
pub mod connect;
pub mod copy;
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
pub mod search;
pub mod sides;
pub mod supply;
pub mod sync;
pub mod tag;
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
    if self_describing(&command)? {
        return Ok(());
    }
    let mut ctx = Context::new(cli.global)?;
    ctx.deleting = changes_registry(&command);
    if ctx.deleting && ctx.global.offline {
        return Err(exit::UsageError(
            "--offline answers from the cache: a command that changes a registry asks it".into(),
        )
        .into());
    }
    bind(&mut ctx, &targets_of(&command))?;
    let store = ctx.store_flush();
    let result = dispatch(ctx, &command).await;
    store.flush();
    result
}

/// Runs `command` in `ctx`: one arm per command.
async fn dispatch(ctx: Context, command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Repos { registry } => repos::run(&ctx, registry).await,
        Command::Login { registry } => login::login(&ctx, registry).await,
        Command::Logout { registry } => login::logout(registry).await,
        Command::Tags { repository } => tags::run(&ctx, repository).await,
        Command::Inspect(args) => inspect::run(&ctx, &args.image, args.platform.as_deref()).await,
        Command::Files(args) => files::run(&ctx, args).await,
        Command::Diff(args) => diff::run(&ctx, args).await,
        Command::Referrers(args) => {
            referrers::run(&ctx, &args.image, args.artifact_type.as_deref()).await
        }
        Command::Check(args) => check::run(&ctx, args).await,
        Command::Du(args) => {
            du::run(&ctx, &args.repository, args.sort, args.repos.as_deref()).await
        }
        Command::Prune(args) => prune::run(&ctx, args).await,
        Command::Apply(args) => prune::apply(&ctx, &args.plan, args.yes, args.no_trash).await,
        Command::Rm(args) => rm::run(&ctx, args).await,
        Command::Cp(args) => copy::run(&ctx, args).await,
        Command::Changes(args) => changes::run(&ctx, args).await,
        Command::Sbom(args) => supply::sbom(&ctx, args).await,
        Command::Provenance(args) => supply::provenance(&ctx, args).await,
        Command::Verify(args) => supply::verify(&ctx, args).await,
        Command::Search(args) => search::run(&ctx, args).await,
        Command::Tag(args) => tag::run(&ctx, args).await,
        Command::Sync(args) => sync::run(&ctx, args).await,
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

/// Completions and the man page need no config or registry: printed here.
fn self_describing(command: &Command) -> anyhow::Result<bool> {
    match command {
        Command::Completions { shell } => {
            let out = &mut std::io::stdout();
            clap_complete::generate(*shell, &mut Cli::command(), "regscope", out);
        }
        Command::Man => clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// Whether the command deletes, restores or writes: it then asks the
/// registry for everything it acts on, never the store.
fn changes_registry(command: &Command) -> bool {
    match command {
        Command::Rm(_) | Command::Prune(_) | Command::Apply(_) => true,
        Command::Cp(_) | Command::Tag(_) | Command::Sync(_) => true,
        // Compares the registry as it is now with a stored look.
        Command::Changes(_) => true,
        Command::Check(args) => args.prune_orphans,
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
        Command::Tags { repository } => vec![repository.clone()],
        Command::Du(args) => vec![args.repository.clone()],
        Command::Prune(args) => vec![args.repository.clone()],
        Command::Inspect(args) => vec![args.image.clone()],
        Command::Referrers(args) => vec![args.image.clone()],
        Command::Files(args) => vec![args.image.clone()],
        Command::Diff(args) => vec![args.a.clone(), args.b.clone()],
        Command::Check(args) => vec![args.target.clone()],
        Command::Rm(args) => args.images.clone(),
        Command::Cp(args) => vec![args.source.clone(), args.destination.clone()],
        Command::Sync(args) => vec![args.source.clone(), args.destination.clone()],
        Command::Tag(args) => vec![args.image.clone()],
        Command::Changes(args) => vec![args.target.clone()],
        Command::Sbom(args) | Command::Provenance(args) => vec![args.image.clone()],
        Command::Verify(args) => vec![args.image.clone()],
        Command::Search(args) => vec![args.target.clone()],
        Command::Apply(_)
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
