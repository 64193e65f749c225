//! mediadesk's entry point: parse the command line; no subcommand opens the window.

use std::process::ExitCode;

use clap::Parser;
use mediadesk::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // MEDIADESK_LOG, else RUST_LOG, else `--verbose` (debug) or warnings only on stderr; the
    // log file keeps information too.
    mediadesk::logging::init(cli.verbose);
    match &cli.command {
        #[cfg(feature = "sandbox")]
        Some(mediadesk::cli::Command::Sandbox(args)) => match mediadesk::cli::run_sandbox(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mediadesk: {e}");
                ExitCode::FAILURE
            }
        },
        Some(command) => ExitCode::from(mediadesk::cli::run_command(&cli, command).code()),
        // Without a data folder the window still works, reading everything from the store.
        None => match mediadesk::ui::run(sandbox_launcher(), mediadesk::cli::data_dir(&cli).ok(), cli.files.clone()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mediadesk: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

/// The built-in sandbox the window opens when no store is connected, in builds with it.
#[cfg(feature = "sandbox")]
fn sandbox_launcher() -> Option<mediadesk::store::LocalLauncher> {
    Some(mediadesk::cli::sandbox_launcher(mediadesk::sandbox::SandboxConfig::default(), |_| {}))
}

/// Without the `sandbox` feature the window opens on a connected store only.
#[cfg(not(feature = "sandbox"))]
fn sandbox_launcher() -> Option<mediadesk::store::LocalLauncher> {
    None
}
