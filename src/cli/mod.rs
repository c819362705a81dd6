//! The command-line front end: one file per subcommand.

pub mod args;
pub mod connect;
pub mod exit;
pub mod inspect;
pub mod output;
pub mod repos;
pub mod tags;

use args::{Cli, Command};
use clap::CommandFactory;
use connect::Context;
use exit::UsageError;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        return Err(UsageError(
            "no command given; try `regscope repos localhost:5000` or `regscope --help`".into(),
        )
        .into());
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
