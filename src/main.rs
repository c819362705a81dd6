use clap::Parser;
use regscope::cli::{self, args::Cli, exit};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::try_parse().unwrap_or_else(|e| e.exit());
    cli::memory::grow_heaps_in_large_steps();
    let _log = regscope::logging::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("regscope: cannot start the async runtime: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    let outcome = runtime.block_on(async {
        let run = cli::run(cli);
        tokio::pin!(run);
        loop {
            tokio::select! {
                result = &mut run => return Some(result),
                _ = tokio::signal::ctrl_c() => {
                    if !cli::interrupt::ask_to_stop() {
                        return None;
                    }
                    eprintln!("regscope: stopping after the step in flight (Ctrl-C again ends now)");
                }
            }
        }
    });
    match outcome {
        Some(Ok(())) => ExitCode::SUCCESS,
        Some(Err(err)) => {
            let message = regscope::oci::text::sanitize(&format!("{err:#}"));
            eprintln!("regscope: error: {message}");
            ExitCode::from(exit::code_for(&err))
        }
        None => {
            eprintln!("regscope: interrupted");
            ExitCode::from(exit::INTERRUPTED)
        }
    }
}
