//! `mediadesk sandbox` and the sandbox the window opens: the only part of the command line that
//! names the sandbox (built with the `sandbox` feature).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::model::StoreRef;
use crate::sandbox::{Faults, Sandbox, SandboxConfig};
use crate::secrets::Secret;
use crate::store::credentials::Credentials;
use crate::store::shopify::endpoint;

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
    #[arg(long, default_value_t = 0.0, value_parser = share, allow_hyphen_values = true)]
    pub error_rate: f64,
    /// Share of responses cut off mid-body (0.0–1.0).
    #[arg(long, default_value_t = 0.0, value_parser = share, allow_hyphen_values = true)]
    pub drop_rate: f64,
    /// Share of new media whose processing fails (0.0–1.0).
    #[arg(long, default_value_t = 0.0, value_parser = share, allow_hyphen_values = true)]
    pub fail_processing: f64,
    /// Seed of the faults' dice, to repeat a run exactly (a new one each start when not given).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// A share from 0 to 1, refused with the reason otherwise (`5` is not 5 %; `-0.5` is not a flag).
fn share(raw: &str) -> Result<f64, String> {
    let v: f64 = raw.trim().parse().map_err(|_| format!("`{raw}` is not a number; give a share from 0.0 to 1.0"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{raw} is outside 0.0–1.0 (a share: 0.2 means one request in five)"))
    }
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
                seed: self.seed,
            },
            ..SandboxConfig::default()
        }
    }
}

/// What starts the built-in sandbox for the window: a sandbox with `config`, opened through
/// `store::open` like any store. `on_start` sees it once it runs (tests keep its data this way).
pub fn sandbox_launcher(
    config: SandboxConfig,
    on_start: impl Fn(&Sandbox) + Send + Sync + 'static,
) -> crate::store::LocalLauncher {
    let on_start = Arc::new(on_start);
    Arc::new(move || {
        let (config, on_start) = (config.clone(), on_start.clone());
        Box::pin(async move {
            let sandbox = Sandbox::start(config).await.map_err(|e| e.to_string())?;
            on_start(&sandbox);
            let credentials = Credentials::Token(Secret::new(sandbox.token()));
            let store = crate::store::open(
                &StoreRef::Sandbox,
                Some(&sandbox.url()),
                endpoint::DEFAULT_API_VERSION,
                credentials,
            )
            .map_err(|e| e.to_string())?;
            let label = format!("sandbox store at {}", sandbox.url());
            Ok(crate::store::Opened { store, label, keep: Some(Box::new(sandbox)) })
        })
    })
}

/// Run `mediadesk sandbox` until Ctrl+C.
pub fn run_sandbox(args: &SandboxArgs) -> std::io::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let mut config = args.config();
        let faulty = config.faults.server_error_share > 0.0
            || config.faults.drop_share > 0.0
            || config.faults.processing_failure_share > 0.0;
        if faulty && config.faults.seed.is_none() {
            config.faults.seed = Some(crate::rng::Rng::from_time().next_u64());
        }
        let seed = config.faults.seed;
        let sandbox = Sandbox::start(config).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => std::io::Error::new(
                e.kind(),
                format!("port {} is already in use; pick another with --port, or --port 0 for a free one", args.port),
            ),
            std::io::ErrorKind::PermissionDenied => std::io::Error::new(
                e.kind(),
                format!("port {} may not be opened by this user; use a port above 1023, or --port 0", args.port),
            ),
            _ => e,
        })?;
        println!("sandbox store listening on {}", sandbox.url());
        if let (true, Some(seed)) = (faulty, seed) {
            println!("faults drawn with --seed {seed} (pass it again to repeat them)");
        }
        println!("GraphQL endpoint: {}", sandbox.graphql_url(endpoint::DEFAULT_API_VERSION));
        println!("access token: {}", sandbox.token());
        println!(
            "Ecwid face: --store ecwid:{} --endpoint {} with MEDIADESK_TOKEN={}",
            crate::sandbox::ecwid::STORE_ID,
            sandbox.url(),
            crate::sandbox::ecwid::SECRET_TOKEN
        );
        println!(
            "try: curl -s {} -H 'X-Shopify-Access-Token: {}' -H 'Content-Type: application/json' -d '{{\"query\":\"{{ products(first: 3) {{ nodes {{ id title }} }} }}\"}}'",
            sandbox.graphql_url(endpoint::DEFAULT_API_VERSION),
            sandbox.token()
        );
        std::io::stdout().flush()?;
        tokio::signal::ctrl_c().await?;
        eprintln!("stopping the sandbox");
        Ok(())
    })
}
