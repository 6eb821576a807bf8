//! `haven bench`: measurements that print figures (never asserted in tests).

use std::collections::HashMap;
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
        let rss = proc_status_kib(child.id(), "VmRSS:").unwrap_or(0);
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

/// Options of `haven bench linkage`.
#[derive(clap::Args)]
pub struct LinkageBench {
    /// Rows of the generated multilingual population (repeatable: --rows 100000 --rows 1000000).
    #[arg(long, default_values_t = [100_000usize])]
    rows: Vec<usize>,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    #[arg(long, default_value_t = 0.1)]
    duplicates: f64,
    /// Pairs of the FEBRL-style two-file link set (0 to skip).
    #[arg(long, default_value_t = 5_000)]
    febrl_pairs: usize,
    /// The anchors folder with splink_run.py.
    #[arg(long, default_value = "../shared/anchors")]
    anchors: std::path::PathBuf,
    /// Python with Splink installed (../shared/anchors/setup.sh); skipped when absent.
    #[arg(long, default_value = ".anchors-venv/bin/python")]
    python: std::path::PathBuf,
    /// Where the generated files go (kept); default: a temporary folder, removed.
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
    /// Run Splink only on populations up to this many rows (it needs tens of GB of disk
    /// for DuckDB's spill files on the 1M population).
    #[arg(long, default_value_t = usize::MAX)]
    splink_max_rows: usize,
}

/// Wall time and peak resident memory of a child process.
struct Run {
    seconds: f64,
    peak_mib: f64,
    stdout: String,
}

/// Runs a command to the end, sampling its peak resident memory (VmHWM) as it goes.
fn measure(command: &mut Command) -> anyhow::Result<Run> {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().context("starting")?;
    let pid = child.id();
    let mut stdout = child.stdout.take().context("no stdout")?;
    let mut stderr = child.stderr.take().context("no stderr")?;
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let mut peak = 0u64;
    let status = loop {
        if let Some(kib) = proc_status_kib(pid, "VmHWM:") {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seconds = started.elapsed().as_secs_f64();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if !status.success() {
        bail!("exited with {status}: {}", stderr.trim());
    }
    Ok(Run { seconds, peak_mib: peak as f64 / 1024.0, stdout })
}

/// A memory figure (VmRSS, VmHWM...) of a process, in KiB.
fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Pairwise precision, recall and F1 of predicted groups against true groups.
#[derive(Debug, Clone, Copy, Default)]
struct Quality {
    precision: f64,
    recall: f64,
    f1: f64,
}

impl Quality {
    fn of(true_positive: u64, predicted: u64, actual: u64) -> Quality {
        let precision = if predicted == 0 { 1.0 } else { true_positive as f64 / predicted as f64 };
        let recall = if actual == 0 { 1.0 } else { true_positive as f64 / actual as f64 };
        let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        Quality { precision, recall, f1 }
    }
}

fn pairs_in(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Quality of a clustering (id → cluster) against the truth (id → entity).
fn cluster_quality(clusters: &HashMap<String, String>, truth: &HashMap<String, String>) -> Quality {
    let mut both: HashMap<(&str, &str), u64> = HashMap::new();
    let mut by_cluster: HashMap<&str, u64> = HashMap::new();
    let mut by_entity: HashMap<&str, u64> = HashMap::new();
    for (id, entity) in truth {
        let cluster = clusters.get(id).map(String::as_str).unwrap_or(id.as_str());
        *both.entry((cluster, entity.as_str())).or_default() += 1;
        *by_cluster.entry(cluster).or_default() += 1;
        *by_entity.entry(entity.as_str()).or_default() += 1;
    }
    Quality::of(
        both.values().map(|n| pairs_in(*n)).sum(),
        by_cluster.values().map(|n| pairs_in(*n)).sum(),
        by_entity.values().map(|n| pairs_in(*n)).sum(),
    )
}

fn read_two_columns(path: &std::path::Path) -> anyhow::Result<Vec<(String, String)>> {
    let table = crate::matching::read_table(path)?;
    Ok(table.rows.into_iter().map(|r| (r[0].clone(), r.get(1).cloned().unwrap_or_default())).collect())
}

/// Line of the results table.
struct Line {
    tool: String,
    data: String,
    quality: Quality,
    extra: String,
    seconds: f64,
    peak_mib: f64,
}

pub async fn linkage(options: LinkageBench) -> anyhow::Result<ExitCode> {
    tokio::task::spawn_blocking(move || linkage_blocking(options)).await?
}

fn linkage_blocking(options: LinkageBench) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe()?;
    let (dir, keep) = match &options.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            (d.clone(), true)
        }
        None => (tempfile_dir()?, false),
    };
    let dir = std::path::absolute(dir)?;
    // Absolute paths: Splink runs in the bench folder, where DuckDB puts its spill files.
    let script = std::path::absolute(options.anchors.join("splink_run.py"))?;
    let python = std::path::absolute(&options.python)?;
    let splink = python.exists() && script.exists();
    if !splink {
        println!(
            "note: Splink not run ({} or {} missing; set it up with ../shared/anchors/setup.sh)",
            options.python.display(),
            script.display()
        );
    }
    let mut lines = Vec::new();
    for &rows in &options.rows {
        let data = dir.join(format!("people-{rows}.csv"));
        let truth_file = dir.join(format!("people-{rows}.truth.csv"));
        let status = Command::new(&exe)
            .args(["match", "generate", "--rows", &rows.to_string(), "--seed", &options.seed.to_string()])
            .args(["--duplicates", &options.duplicates.to_string(), "--output"])
            .arg(&data)
            .arg("--truth")
            .arg(&truth_file)
            .status()?;
        if !status.success() {
            bail!("generating {rows} rows failed");
        }
        let truth: HashMap<String, String> = read_two_columns(&truth_file)?.into_iter().collect();
        let clusters_file = dir.join(format!("clusters-{rows}.csv"));
        let run = measure(
            Command::new(&exe)
                .args(["match", "dedupe", "--quiet", "--reference-date", "2026-06-01", "--input"])
                .arg(&data)
                .arg("--output")
                .arg(&clusters_file),
        )
        .context("haven match dedupe")?;
        let clusters: HashMap<String, String> = read_two_columns(&clusters_file)?.into_iter().collect();
        let label = format!("multilingual synthetic {rows}");
        lines.push(Line {
            tool: "Haven".into(),
            data: label.clone(),
            quality: cluster_quality(&clusters, &truth),
            extra: format!("blocking recall {}", blocking_recall(&data, &truth)?),
            seconds: run.seconds,
            peak_mib: run.peak_mib,
        });
        print_line(lines.last());
        if splink && rows <= options.splink_max_rows {
            let with_truth = dir.join(format!("people-{rows}-with-truth.csv"));
            write_with_truth(&data, &truth, &with_truth)?;
            match measure(
                Command::new(&python)
                    .current_dir(&dir)
                    .arg(&script)
                    .args(["dedupe", "--threads", "2", "--truth-column", "entity_id", "--input"])
                    .arg(&with_truth),
            ) {
                Ok(run) => {
                    lines.push(splink_line(&run, &label)?);
                    print_line(lines.last());
                }
                Err(e) => println!("Splink failed on {label}: {e:#}"),
            }
        }
    }
    if options.febrl_pairs > 0 {
        let (a, b) = (dir.join("febrl-a.csv"), dir.join("febrl-b.csv"));
        let truth_file = dir.join("febrl.truth.csv");
        let status = Command::new(&exe)
            .args(["match", "generate", "--style", "febrl", "--rows", &options.febrl_pairs.to_string()])
            .args(["--seed", &options.seed.to_string(), "--output"])
            .arg(&a)
            .arg("--right")
            .arg(&b)
            .arg("--truth")
            .arg(&truth_file)
            .status()?;
        if !status.success() {
            bail!("generating the FEBRL-style files failed");
        }
        let pairs_file = dir.join("febrl-pairs.csv");
        let run = measure(
            Command::new(&exe)
                .args(["match", "link", "--quiet", "--id", "rec_id", "--left"])
                .arg(&a)
                .arg("--right")
                .arg(&b)
                .arg("--output")
                .arg(&pairs_file),
        )
        .context("haven match link")?;
        let truth: std::collections::HashSet<(String, String)> = read_two_columns(&truth_file)?.into_iter().collect();
        let found: std::collections::HashSet<(String, String)> = read_two_columns(&pairs_file)?.into_iter().collect();
        let tp = found.intersection(&truth).count() as u64;
        let label = format!("FEBRL-style link {0}+{0}", options.febrl_pairs);
        lines.push(Line {
            tool: "Haven".into(),
            data: label.clone(),
            quality: Quality::of(tp, found.len() as u64, truth.len() as u64),
            extra: String::new(),
            seconds: run.seconds,
            peak_mib: run.peak_mib,
        });
        print_line(lines.last());
        if splink {
            match measure(
                Command::new(&python)
                    .current_dir(&dir)
                    .arg(&script)
                    .args(["link", "--threads", "2", "--left"])
                    .arg(&a)
                    .arg("--right")
                    .arg(&b)
                    .arg("--truth")
                    .arg(&truth_file)
                    .args(["--extra", "soc_sec_id", "--extra", "postcode", "--extra", "address_1"]),
            ) {
                Ok(run) => {
                    lines.push(splink_line(&run, &label)?);
                    print_line(lines.last());
                }
                Err(e) => println!("Splink failed on {label}: {e:#}"),
            }
        }
    }
    println!();
    println!("| tool | data | P | R | F1 | notes | wall | peak memory |");
    println!("|---|---|---|---|---|---|---|---|");
    for l in &lines {
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.3} | {} | {:.1} s | {:.0} MiB |",
            l.tool, l.data, l.quality.precision, l.quality.recall, l.quality.f1, l.extra, l.seconds, l.peak_mib
        );
    }
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_line(line: Option<&Line>) {
    if let Some(l) = line {
        println!(
            "{} on {}: P {:.3} R {:.3} F1 {:.3} {} — {:.1} s, peak {:.0} MiB",
            l.tool, l.data, l.quality.precision, l.quality.recall, l.quality.f1, l.extra, l.seconds, l.peak_mib
        );
    }
}

/// Splink's JSON answer, at its default threshold (p ≥ 0.5).
fn splink_line(run: &Run, label: &str) -> anyhow::Result<Line> {
    let start = run.stdout.find('{').context("Splink printed no JSON")?;
    let json: serde_json::Value = serde_json::from_str(&run.stdout[start..]).context("Splink's JSON")?;
    let find = |key: &str| -> Option<f64> { find_number(&json, key) };
    let quality = Quality {
        precision: find("precision").unwrap_or(f64::NAN),
        recall: find("recall").unwrap_or(f64::NAN),
        f1: find("f1").unwrap_or(f64::NAN),
    };
    let best = json.get("best").and_then(|b| b.get("f1")).and_then(serde_json::Value::as_f64);
    Ok(Line {
        tool: "Splink 5 (splink_run.py)".into(),
        data: label.into(),
        quality,
        extra: best.map(|f| format!("F1 at best threshold {f:.3}")).unwrap_or_default(),
        seconds: run.seconds,
        peak_mib: run.peak_mib,
    })
}

/// The first number under `key`, searching depth-first (Splink's JSON nests its scores).
fn find_number(v: &serde_json::Value, key: &str) -> Option<f64> {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(n) = map.get(key).and_then(serde_json::Value::as_f64) {
                return Some(n);
            }
            map.values().find_map(|x| find_number(x, key))
        }
        serde_json::Value::Array(items) => items.iter().find_map(|x| find_number(x, key)),
        _ => None,
    }
}

fn write_with_truth(
    data: &std::path::Path,
    truth: &HashMap<String, String>,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let mut reader = csv::Reader::from_path(data)?;
    let mut writer = csv::Writer::from_path(out)?;
    let mut headers = reader.headers()?.clone();
    headers.push_field("entity_id");
    writer.write_record(&headers)?;
    for row in reader.records() {
        let mut row = row?;
        let entity = truth.get(row.get(0).unwrap_or("")).cloned().unwrap_or_default();
        row.push_field(&entity);
        writer.write_record(&row)?;
    }
    writer.flush()?;
    Ok(())
}

/// Share of true pairs the default blocking rules can reach, as "reached/total (x %)".
fn blocking_recall(data: &std::path::Path, truth: &HashMap<String, String>) -> anyhow::Result<String> {
    let table = crate::matching::read_table(data)?;
    let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    let schema = haven_linkage::Schema::guess(&headers, "id")?;
    let records = crate::matching::records_of(table, data, &schema, "id")?;
    let mut by_entity: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(e) = truth.get(&r.id) {
            by_entity.entry(e.as_str()).or_default().push(i);
        }
    }
    let mut pairs = Vec::new();
    for members in by_entity.values() {
        for (x, a) in members.iter().enumerate() {
            for b in &members[x + 1..] {
                pairs.push((*a, *b));
            }
        }
    }
    let settings = haven_linkage::Settings { reference_year: 2026, ..haven_linkage::Settings::default() };
    let linker = haven_linkage::Linker::new(schema, settings)?;
    let (reached, total) = linker.blocking_recall(&records, &pairs);
    Ok(format!("{reached}/{total} ({:.1} %)", 100.0 * reached as f64 / total.max(1) as f64))
}
