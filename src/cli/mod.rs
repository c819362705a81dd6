//! The command-line front end: one file per subcommand.

pub mod args;
pub mod browse;
pub mod connect;
pub mod du;
pub mod exit;
pub mod inspect;
pub mod output;
pub mod repos;
pub mod rm;
pub mod tags;
pub mod trash;

use args::{Cli, Command};
use clap::CommandFactory;
use connect::Context;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        let ctx = Context::new(cli.global)?;
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
    let ctx = Context::new(cli.global)?;
    match &command {
        Command::Repos { registry } => repos::run(&ctx, registry).await,
        Command::Tags { repository } => tags::run(&ctx, repository).await,
        Command::Inspect { image, platform } => {
            inspect::run(&ctx, image, platform.as_deref()).await
        }
        Command::Du { repository, sort } => du::run(&ctx, repository, *sort).await,
        Command::Rm {
            images,
            dry_run,
            yes,
            prune,
        } => {
            let args = rm::RmArgs {
                images,
                dry_run: *dry_run,
                yes: *yes,
                prune: *prune,
            };
            rm::run(&ctx, args).await
        }
        Command::Trash {
            action: args::TrashAction::List,
        } => trash::list(&ctx),
        Command::Trash {
            action: args::TrashAction::Restore { id },
        } => trash::restore_entry(&ctx, id).await,
        Command::Completions { .. } | Command::Man => Ok(()),
    }
}
