//! `haven bench feedback`: intake over real HTTP (64 keep-alive clients, durable commit,
//! audit entry in the same transaction) on SQLite and PostgreSQL, beside the engine's raw
//! ceiling measured in the same run; and the dashboard tiles' server time over a large
//! number of items. The load generator shares the machine's cores with the server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use haven_core::authz::{Permission, Role, RoleGrant, decide};
use haven_core::catalog::{CatalogKind, Localized};
use haven_core::feedback::{Lexicon, RawSubmission, ServiceLevels};
use haven_core::identity::Username;
use haven_core::locations::ImportedLocation;
use haven_store::feedback::rollups::{self, Breakdown, ServiceBreakdown};
use haven_store::identity::{self as users, Actor, NewUser};
use haven_store::{Durability, KeyRing, Pool, Store};
use haven_web::{AppState, WebConfig};

#[derive(clap::Args)]
pub struct FeedbackBench {
    /// Submissions in the throughput run.
    #[arg(long, default_value_t = 20_000)]
    pub requests: usize,
    /// Concurrent keep-alive HTTP clients.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Items stored behind the dashboard timings (SQLite).
    #[arg(long, default_value_t = 1_000_000)]
    pub items: usize,
    /// Also measure intake on PostgreSQL (default: HAVEN_TEST_DATABASE_URL when set).
    #[arg(long)]
    pub postgres: Option<String>,
    /// SQLite's `synchronous` for this run: `full` (what Haven runs with) or `normal`, to
    /// see what durability at every commit costs.
    #[arg(long, default_value = "full", value_parser = ["full", "normal"])]
    pub synchronous: String,
}

impl FeedbackBench {
    fn durability(&self) -> Durability {
        if self.synchronous == "normal" { Durability::Normal } else { Durability::Full }
    }
}

const PASSWORD: &str = "bench password for feedback";

/// Texts in the three languages, none of them sensitive (sealed items go the same path
/// with an age encryption more: see docs/benchmarks.md).
const TEXTS: [&str; 4] = [
    "The water point near block C has been broken for four days",
    "Quand aura lieu la prochaine distribution d'argent à Lakeside ?",
    "الإضاءة في الممر الشمالي معطلة منذ أسبوع",
    "Please put the distribution list on the board in Arabic too",
];
const CHANNELS: [&str; 6] = ["hotline", "helpdesk", "sms", "web", "whatsapp", "suggestion_box"];

async fn fresh_store(postgres: Option<&str>, dir: &std::path::Path, durability: Durability) -> anyhow::Result<Store> {
    let pool = match postgres {
        None => Pool::open_sqlite_with(&dir.join("haven.db"), durability).await?,
        Some(url) => {
            let schema = format!("bench_{}", uuid::Uuid::now_v7().simple());
            Pool::connect_postgres(url, Some(&schema)).await?
        }
    };
    pool.migrate().await?;
    let store = Store::new(pool, KeyRing::generate());
    let actor = Actor::system("bench");
    haven_store::catalog::load_shipped(&store, &actor).await?;
    let hash = users::hash_password(PASSWORD).await?;
    for (name, role) in [("agent", Role::FeedbackAgent), ("psea", Role::PseaFocalPoint)] {
        let new = NewUser {
            username: Username::parse(name).map_err(|e| anyhow::anyhow!("{e}"))?,
            display_name: name.into(),
            email: None,
            password_hash: hash.clone(),
            agency_id: None,
            must_change_password: false,
        };
        users::create_user(&store, &actor, &new, &[RoleGrant { role, agency: None, location: None }]).await?;
    }
    let psea = users::user_id_by_username(&store, "psea").await?;
    haven_store::sealing::set_up_office(&store, &Actor { id: Some(psea), name: "psea".into() }, psea, PASSWORD).await?;
    haven_store::locations::import(&store, &actor, &places()).await?;
    Ok(store)
}

/// A country of 12 districts of 8 sites each: items come from the sites.
fn places() -> Vec<ImportedLocation> {
    let name = |n: String| Localized([("en".to_owned(), n)].into());
    let mut units = vec![ImportedLocation { pcode: "XY".into(), level: 0, parent: None, name: name("Xyland".into()) }];
    for d in 1..=12 {
        let district = format!("XY{d:02}");
        for s in 1..=8 {
            units.push(ImportedLocation {
                pcode: format!("{district}{s:02}"),
                level: 2,
                parent: Some(district.clone()),
                name: name(format!("Site {d}-{s}")),
            });
        }
        units.push(ImportedLocation {
            pcode: district,
            level: 1,
            parent: Some("XY".into()),
            name: name(format!("District {d}")),
        });
    }
    units.sort_by_key(|u| u.level);
    units
}

/// What the synthetic items are spread over: the sites, the typology's categories and the
/// MCOF sectors, as they are in the store. One item in a hundred falls in a sensitive
/// category (misconduct, fraud, sexual exploitation and abuse) and is sealed.
struct Mix {
    sites: Vec<String>,
    categories: Vec<String>,
    sensitive: Vec<String>,
    sectors: Vec<String>,
}

impl Mix {
    async fn of(store: &Store) -> anyhow::Result<Mix> {
        let codes = |entries: Vec<haven_store::catalog::Entry>| entries.into_iter().map(|e| e.code).collect::<Vec<_>>();
        let (sensitive, categories): (Vec<_>, Vec<_>) =
            haven_store::catalog::entries(store, CatalogKind::FeedbackTypology)
                .await?
                .into_iter()
                .partition(|e| e.extra.contains_key("sensitive_type"));
        Ok(Mix {
            sites: places().into_iter().filter(|u| u.level == 2).map(|u| u.pcode).collect(),
            categories: codes(categories),
            sensitive: codes(sensitive),
            sectors: codes(haven_store::catalog::entries(store, CatalogKind::Sectors).await?),
        })
    }

    /// Item `i`: its site, category and sector (one in three carries none), by a fixed rule.
    fn of_item(&self, i: usize) -> (String, String, Option<String>) {
        let spread = i.wrapping_mul(2_654_435_761) >> 7;
        let categories = if i % 100 == 42 { &self.sensitive } else { &self.categories };
        (
            self.sites[spread % self.sites.len()].clone(),
            categories[(spread / 7) % categories.len()].clone(),
            (!i.is_multiple_of(3)).then(|| self.sectors[(spread / 11) % self.sectors.len()].clone()),
        )
    }
}

const SEXES: [&str; 4] = ["f", "m", "x", "u"];

fn submission(i: usize, mix: &Mix) -> serde_json::Value {
    let sex = SEXES[i % SEXES.len()];
    let (location, category, sector) = mix.of_item(i);
    serde_json::json!({
        "text": format!("{} (#{i})", TEXTS[i % TEXTS.len()]),
        "channel": CHANNELS[i % CHANNELS.len()],
        "sex": sex,
        "age": 10 + (i * 7) % 70,
        "disability": i.is_multiple_of(9),
        "location": location,
        "category": category,
        "sector": sector,
    })
}

/// The CPU time this process has used so far, every thread (server and load generator), user
/// and system, from `/proc/self/stat`; `None` where there is no such file.
fn cpu_used() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 2..)?.split(' ').collect();
    // utime and stime, the 14th and 15th fields, in ticks of 1/100 s (USER_HZ).
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Intake on one engine: throughput with `clients` keep-alive clients, then latency at
/// 1,000 submissions a second, then the raw insert ceiling.
async fn intake(name: &str, postgres: Option<&str>, options: &FeedbackBench) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = fresh_store(postgres, dir.path(), options.durability()).await?;
    let mix = Arc::new(Mix::of(&store).await?);
    let agent = users::user_id_by_username(&store, "agent").await?;
    let token = users::create_token(
        &store,
        &Actor { id: Some(agent), name: "agent".into() },
        agent,
        "bench",
        None,
        time::Duration::days(1),
        None,
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/api/v1/feedback", listener.local_addr()?);
    let state = AppState::new(store.clone(), WebConfig::new(false, false));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(haven_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder().pool_max_idle_per_host(options.clients).build()?;

    // Throughput: every client posts as fast as its previous answer allows.
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let (started, cpu_before) = (Instant::now(), cpu_used());
    let mut tasks = Vec::new();
    for _ in 0..options.clients {
        let (client, url, token, next, failures, total) =
            (client.clone(), url.clone(), token.clone(), next.clone(), failures.clone(), options.requests);
        let mix = mix.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let ok = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&submission(i, &mix))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 201);
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let (elapsed, cpu_after) = (started.elapsed(), cpu_used());
    let failed = failures.load(Ordering::Relaxed);
    if failed > 0 {
        bail!("{failed} submissions failed on {name}");
    }
    let rate = options.requests as f64 / elapsed.as_secs_f64();
    println!(
        "{name}: intake over HTTP, {} clients: {} submissions in {:.2} s = {:.0}/s accepted (response after commit of item + audit entry)",
        options.clients,
        options.requests,
        elapsed.as_secs_f64(),
        rate
    );
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        println!(
            "{name}: CPU {:.3} ms per accepted item (this process: server and load generator, user and system)",
            after.saturating_sub(before).as_secs_f64() * 1e3 / options.requests as f64
        );
    }

    // Latency at a steady 1,000 submissions a second for three seconds.
    let mut handles = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for i in 0..3000 {
        tick.tick().await;
        let (client, url, token, mix) = (client.clone(), url.clone(), token.clone(), mix.clone());
        handles.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = client
                .post(&url)
                .bearer_auth(&token)
                .json(&submission(1_000_000 + i, &mix))
                .send()
                .await
                .is_ok_and(|r| r.status().as_u16() == 201);
            (ok, t.elapsed())
        }));
    }
    let mut latencies = Vec::with_capacity(handles.len());
    for h in handles {
        let (ok, d) = h.await?;
        if !ok {
            bail!("a paced submission failed on {name}");
        }
        latencies.push(d);
    }
    latencies.sort();
    println!(
        "{name}: latency at 1,000 submissions/s for 3 s: p50 {:.1} ms, p99 {:.1} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    let _ = stop.send(());
    let _ = server.await;

    // The engine's ceiling: the same number of rows, each the submission's own bytes, one
    // per transaction, from the same number of concurrent writers, same pool and durability.
    let create = match store.pool.engine() {
        haven_store::Engine::Sqlite => "CREATE TABLE bench_rows (id BIGINT PRIMARY KEY, body BLOB)",
        haven_store::Engine::Postgres => "CREATE TABLE bench_rows (id BIGINT PRIMARY KEY, body BYTEA)",
    };
    haven_store::on_pool!(&store.pool, p => sqlx::query(create).execute(p).await.map(|_| ()))?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..options.clients {
        let (store, next, mix, total) = (store.clone(), next.clone(), mix.clone(), options.requests);
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break Ok::<(), anyhow::Error>(());
                }
                let row = serde_json::to_vec(&submission(i, &mix))?;
                let mut tx = store.pool.begin().await?;
                haven_store::on_tx!(&mut tx, c => sqlx::query("INSERT INTO bench_rows (id, body) VALUES ($1, $2)").bind(i as i64).bind(&row).execute(c).await.map(|_| ()))?;
                tx.commit().await?;
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let raw = options.requests as f64 / started.elapsed().as_secs_f64();
    println!(
        "{name}: raw ceiling, plain inserts of the submissions' bytes, one per transaction, {} writers: {raw:.0}/s",
        options.clients
    );
    store.pool.close().await;
    Ok(())
}

/// Store `items` items through the real write path (batches of 5,000 in one transaction
/// each), then time every dashboard tile.
async fn dashboards(items: usize, durability: Durability) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = fresh_store(None, dir.path(), durability).await?;
    let mix = Mix::of(&store).await?;
    let agent = users::user_id_by_username(&store, "agent").await?;
    let actor = Actor { id: Some(agent), name: "agent".into() };
    let lexicon = Lexicon::builtin();
    let levels = ServiceLevels::default();
    let now = haven_store::now_utc();
    let started = Instant::now();
    let mut done = 0;
    while done < items {
        let n = 5_000.min(items - done);
        let subs: Vec<_> = (done..done + n)
            .map(|i| {
                let raw: RawSubmission = serde_json::from_value(submission(i, &mix))?;
                raw.validate().map_err(|p| anyhow::anyhow!("{p:?}"))
            })
            .collect::<anyhow::Result<_>>()?;
        let batch = subs
            .into_iter()
            .enumerate()
            .map(|(k, s)| {
                let (sensitive_type, seal) = haven_web::feedback::screen(&lexicon, &s);
                haven_store::feedback::NewFeedback {
                    submission: s,
                    sensitive_type,
                    seal,
                    channel_message_id: None,
                    // Spread over the last twelve months.
                    received_at: now - time::Duration::minutes(((done + k) % (365 * 24 * 60)) as i64),
                    recorded_by: Some(actor.clone()),
                    agency_id: None,
                    levels,
                    notice: None,
                }
            })
            .collect();
        haven_store::feedback::record_all(&store, batch).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        done += n;
    }
    println!("dashboard: {items} items stored through the write path in {:.0} s", started.elapsed().as_secs_f64());
    let principal = users::principal(&store, agent).await?;
    let access = decide(&principal, Permission::FeedbackRead).map_err(|e| anyhow::anyhow!("{e}"))?;
    let to = rollups::month_of(now);
    let from = rollups::month_of(now - time::Duration::days(365));
    let time_it = |d: Duration| d.as_secs_f64() * 1e3;
    for by in Breakdown::ALL {
        let mut runs = Vec::new();
        let mut total = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let rows = rollups::volumes(&store, &access, false, by, &from, &to).await?;
            runs.push(t.elapsed());
            total = rows.iter().map(|(_, n)| n).sum::<i64>();
        }
        runs.sort();
        println!(
            "dashboard tile by {:<12} {:>7.2} ms (median of 5; {total} items counted)",
            by.code(),
            time_it(runs[2])
        );
    }
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        rollups::service_summary(&store, &access, &from, &to).await?;
        runs.push(t.elapsed());
    }
    runs.sort();
    println!("dashboard tile service levels {:>7.2} ms (median of 5)", time_it(runs[2]));
    // Top issues of this month: the category counts of one month, ranked.
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        rollups::volumes(&store, &access, false, Breakdown::Category, &to, &to).await?;
        runs.push(t.elapsed());
    }
    runs.sort();
    println!("dashboard tile top issues    {:>7.2} ms (median of 5)", time_it(runs[2]));
    for by in ServiceBreakdown::ALL {
        let mut runs = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            rollups::service_by_key(&store, &access, by, &from, &to).await?;
            runs.push(t.elapsed());
        }
        runs.sort();
        println!("service levels by {:<12} {:>7.2} ms (median of 5)", by.code(), time_it(runs[2]));
    }
    store.pool.close().await;
    Ok(())
}

pub async fn run(options: FeedbackBench) -> anyhow::Result<std::process::ExitCode> {
    println!(
        "haven bench feedback: {} CPU cores shared by server and load generator; SQLite WAL, synchronous={}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        options.synchronous.to_uppercase()
    );
    intake("SQLite", None, &options).await.context("SQLite intake")?;
    let pg = options.postgres.clone().or_else(|| std::env::var("HAVEN_TEST_DATABASE_URL").ok());
    match pg {
        Some(url) => intake("PostgreSQL", Some(&url), &options).await.context("PostgreSQL intake")?,
        None => println!("PostgreSQL: skipped (give --postgres URL)"),
    }
    dashboards(options.items, options.durability()).await?;
    Ok(std::process::ExitCode::SUCCESS)
}
