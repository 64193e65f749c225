//! mediadesk's entry point: parse the command line; no subcommand opens the window.

use clap::Parser;
use mediadesk::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("MEDIADESK_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Sandbox(args)) => mediadesk::cli::run_sandbox(args).map_err(|e| e.to_string()),
        None => mediadesk::ui::run().map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mediadesk: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
