//! `haven bench`: measurements that print figures (never asserted in tests).

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Start `haven demo` in a fresh folder N times: time until `/healthz` answers, and the
/// resident memory once idle. The first run seeds the demo; later runs reuse the data.
pub async fn startup(runs: u32) -> anyhow::Result<ExitCode> {
    let dir = tempfile_dir()?;
    let exe = std::env::current_exe()?;
    println!("haven bench startup: {runs} runs of `haven demo` (first run seeds a fresh data folder)");
    for run in 1..=runs {
        let started = Instant::now();
        let mut child = Command::new(&exe)
            .args(["demo", "--port", "0", "--data-dir"])
            .arg(&dir)
            .env("HAVEN_DEMO_PASSWORD", "bench-password-123")
            .env("HAVEN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting haven demo")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let Some(line) = lines.next() else { bail!("haven demo exited before printing its address") };
            let line = line?;
            if let Some(rest) = line.split("http://").nth(1) {
                break format!("http://{}", rest.split_whitespace().next().unwrap_or("").trim_end_matches('/'));
            }
        };
        let client = reqwest_like_get(&url).await;
        let ready = started.elapsed();
        client?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss = resident_kib(child.id()).unwrap_or(0);
        let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
        let _ = child.wait();
        println!("run {run}: ready in {} ms; idle resident memory {:.1} MiB", ready.as_millis(), rss as f64 / 1024.0);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("haven-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Poll `/healthz` over a plain TCP connection until it answers 200.
async fn reqwest_like_get(base: &str) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://").to_owned();
    for _ in 0..500 {
        if let Ok(mut s) = tokio::net::TcpStream::connect(&host).await {
            s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
                .await?;
            let mut buf = Vec::new();
            s.read_to_end(&mut buf).await?;
            if buf.starts_with(b"HTTP/1.1 200") {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bail!("{base}/healthz never answered")
}

fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}
