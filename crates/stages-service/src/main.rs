//! `stages-service`: serve the stages API double over HTTP.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

// Every request allocates (bodies, documents, responses) on two runtime threads and the store's
// writer thread; mimalloc serves that faster than the system allocator under the load benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A local double of authentik's captcha and identification stages API, under `/api/v3`.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9000")]
    listen: SocketAddr,
    /// SQLite database file; `:memory:` keeps everything in memory.
    #[arg(long, default_value = "stages.db")]
    db: PathBuf,
    /// The bearer token clients must send.
    #[arg(long, env = "STAGES_TOKEN", hide_env_values = true)]
    token: String,
    /// Objects stages may reference (flows, sources, password and other stages), seeded at start:
    /// a JSON file `{"flows": [...], "sources": [...], "stages": [...]}` (see docs/service.md).
    #[arg(long, value_name = "PATH")]
    fixtures: Option<PathBuf>,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    body_limit: usize,
    /// Seconds a client may take to send a request's headers (or stay idle between requests);
    /// the connection is then closed.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    header_timeout: Duration,
    /// Seconds a request's body may take to arrive after its headers; it is then answered 408.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    body_timeout: Duration,
    /// On SIGTERM or SIGINT, seconds the requests in flight may take to finish before the
    /// remaining connections are dropped and the service exits.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    drain_timeout: Duration,
}

/// A duration in seconds (`2`, `0.5`).
fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("`{text}` is not a number of seconds"))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let store = match stages_service::store::Store::open(&args.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot open {}: {e}", args.db.display());
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.fixtures {
        let fixtures = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| stages_service::store::Fixtures::from_json(&text));
        let seeded = match fixtures {
            Ok(fixtures) => store.seed(fixtures).await.map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        if let Err(e) = seeded {
            eprintln!("error: fixtures {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let config = authentik_server::RouterConfig {
        body_limit: args.body_limit,
    };
    let app = stages_service::app(
        stages_service::StagesService::new(store, args.token),
        config,
    );
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(address = %args.listen, db = %args.db.display(), "serving /api/v3");
    let serving = authentik_server::ServeConfig {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        drain_timeout: args.drain_timeout,
    };
    // Until SIGTERM or SIGINT; then the requests in flight get `drain_timeout` to finish.
    match authentik_server::serve(listener, app, serving).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
