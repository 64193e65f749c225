//! mediadesk's entry point: parse the command line; no subcommand opens the window.

use std::process::ExitCode;

use clap::Parser;
use mediadesk::cli::{Cli, Command};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("MEDIADESK_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Sandbox(args)) => match mediadesk::cli::run_sandbox(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mediadesk: {e}");
                ExitCode::FAILURE
            }
        },
        Some(command) => ExitCode::from(mediadesk::cli::run_command(&cli, command).code()),
        None => match mediadesk::ui::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mediadesk: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
