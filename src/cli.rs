//! The command line: `mediadesk` opens the window; subcommands run headless.

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::sandbox::{Faults, Sandbox, SandboxConfig};

/// mediadesk: manage your store's product media.
#[derive(Debug, Parser)]
#[command(name = "mediadesk", version, about)]
pub struct Cli {
    /// What to do; without a command the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sandbox store in the foreground and print its URL and a token.
    Sandbox(SandboxArgs),
}

/// Options of `mediadesk sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Products to generate (up to 10,000).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub products: u32,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Bandwidth cap in bytes a second, shared by all connections.
    #[arg(long)]
    pub bandwidth: Option<u64>,
    /// Share of requests answered with a 5xx (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Share of responses cut off mid-body (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Share of new media whose processing fails (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    pub fail_processing: f64,
}

impl SandboxArgs {
    /// The sandbox configuration these options describe.
    pub fn config(&self) -> SandboxConfig {
        SandboxConfig {
            port: self.port,
            products: self.products as usize,
            faults: Faults {
                latency: Duration::from_millis(self.latency_ms),
                bandwidth: self.bandwidth,
                server_error_share: self.error_rate,
                drop_share: self.drop_rate,
                processing_failure_share: self.fail_processing,
            },
            ..SandboxConfig::default()
        }
    }
}

/// Run `mediadesk sandbox` until Ctrl+C.
pub fn run_sandbox(args: &SandboxArgs) -> std::io::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let sandbox = Sandbox::start(args.config()).await?;
        println!("sandbox store listening on {}", sandbox.url());
        println!("GraphQL endpoint: {}", sandbox.graphql_url("2026-10"));
        println!("access token: {}", sandbox.token());
        println!(
            "try: curl -s {} -H 'X-Shopify-Access-Token: {}' -H 'Content-Type: application/json' -d '{{\"query\":\"{{ products(first: 3) {{ nodes {{ id title }} }} }}\"}}'",
            sandbox.graphql_url("2026-10"),
            sandbox.token()
        );
        tokio::signal::ctrl_c().await?;
        eprintln!("stopping the sandbox");
        Ok(())
    })
}
