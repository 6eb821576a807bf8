//! `haven`: the server and its command line.

mod bench;
mod bench_feedback;
mod bench_portfolio;
mod cli;
mod config;
mod demo;
mod demo_helpdesk;
mod demo_indicators;
mod demo_projects;
mod demo_rounds;
mod demo_sites;
mod install;
mod matching;

use std::process::ExitCode;

use clap::Parser;

// Requests, JSON and the linkage engine allocate many small objects from several threads:
// glibc's allocator took about a tenth of the request threads' time under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args = cli::Cli::parse();
    init_logging();
    match cli::run(args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("haven: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Structured logs to stderr; `HAVEN_LOG` sets the filter (default: info), `HAVEN_LOG_FORMAT=json`
/// for machine-read logs. Logs name routes and ids, never personal data.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HAVEN_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("HAVEN_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}
