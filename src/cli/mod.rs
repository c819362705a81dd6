//! The command-line front end: one file per subcommand.

pub mod args;
pub mod browse;
pub mod connect;
pub mod exit;
pub mod inspect;
pub mod output;
pub mod repos;
pub mod tags;

use args::{Cli, Command};
use clap::CommandFactory;
use connect::Context;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        let ctx = Context::new(cli.global)?;
        return browse::run(ctx, cli.target, &cli.tui).await;
    };
    if let Command::Completions { shell } = command {
        clap_complete::generate(
            shell,
            &mut Cli::command(),
            "regscope",
            &mut std::io::stdout(),
        );
        return Ok(());
    }
    let ctx = Context::new(cli.global)?;
    match &command {
        Command::Repos { registry } => repos::run(&ctx, registry).await,
        Command::Tags { repository } => tags::run(&ctx, repository).await,
        Command::Inspect { image, platform } => {
            inspect::run(&ctx, image, platform.as_deref()).await
        }
        Command::Completions { .. } => unreachable!("handled above"),
    }
}
