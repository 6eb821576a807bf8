//! `haven bench portfolio`: projects registered and answered through the real write path,
//! then the portfolio's server time (store query, JSON API and HTML page over HTTP) at that
//! size. The target is under 100 ms at 10,000 projects.

use std::time::{Duration, Instant};

use haven_core::authz::{Permission, Role, RoleGrant, decide};
use haven_core::catalog::Localized;
use haven_core::identity::Username;
use haven_core::locations::ImportedLocation;
use haven_core::projects::{Answer, AnswerInput, RawProject, RawRisk, RawTargeting};
use haven_store::identity::{self as users, Actor, NewUser};
use haven_store::{KeyRing, Pool, Store};
use haven_web::{AppState, WebConfig};

#[derive(clap::Args)]
pub struct PortfolioBench {
    /// Projects to register, each with its checklist partly answered.
    #[arg(long, default_value_t = 10_000)]
    pub projects: usize,
    /// Run on PostgreSQL instead of SQLite.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Timed reads of each kind (the median is reported); more gives a profiler time to look.
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
}

const PASSWORD: &str = "bench password for the portfolio";
const SECTORS: [&str; 6] = [
    "shelter-non-food-items",
    "camp-management-displacement-tracking",
    "transport-assistance",
    "health-support",
    "psychosocial-support",
    "counter-trafficking-vulnerable-migrants",
];

/// A small deterministic generator: the same projects every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

async fn fresh_store(postgres: Option<&str>, dir: &std::path::Path) -> anyhow::Result<Store> {
    let pool = match postgres {
        None => Pool::open_sqlite(&dir.join("haven.db")).await?,
        Some(url) => Pool::connect_postgres(url, Some(&format!("bench_{}", uuid::Uuid::now_v7().simple()))).await?,
    };
    pool.migrate().await?;
    let store = Store::new(pool, KeyRing::generate());
    let actor = Actor::system("bench");
    haven_store::catalog::load_shipped(&store, &actor).await?;
    let name = |n: &str| Localized([("en".to_owned(), n.to_owned())].into());
    let mut units = vec![ImportedLocation { pcode: "XY".into(), level: 0, parent: None, name: name("Xyland") }];
    units.extend((1..=20).map(|i| ImportedLocation {
        pcode: format!("XY{i:02}"),
        level: 1,
        parent: Some("XY".into()),
        name: name(&format!("District {i}")),
    }));
    haven_store::locations::import(&store, &actor, &units).await?;
    let hash = users::hash_password(PASSWORD).await?;
    for (username, role) in [("manager", Role::ProjectManager), ("viewer", Role::Viewer)] {
        let new = NewUser {
            username: Username::parse(username).map_err(|e| anyhow::anyhow!("{e}"))?,
            display_name: username.into(),
            email: None,
            password_hash: hash.clone(),
            agency_id: None,
            must_change_password: false,
        };
        users::create_user(&store, &actor, &new, &[RoleGrant { role, agency: None, location: None }]).await?;
    }
    Ok(store)
}

/// Register `n` projects through the store's write path: one to three sectors, one or two
/// places, about 60 % of each checklist answered, a deviation on one in ten, a do-no-harm risk
/// on one in three (half of them overdue).
async fn seed(store: &Store, n: usize) -> anyhow::Result<()> {
    let manager = users::user_id_by_username(store, "manager").await?;
    let actor = Actor { id: Some(manager), name: "manager".into() };
    let access = decide(&users::principal(store, manager).await?, Permission::ProjectsRead)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rng = Lcg(7);
    let answers = [Answer::Met, Answer::Met, Answer::Met, Answer::Partly, Answer::NotMet, Answer::NotApplicable];
    let progress = indicatif::ProgressBar::new(n as u64);
    for i in 0..n {
        let sectors: Vec<String> =
            (0..=rng.next(3)).map(|_| SECTORS[rng.next(SECTORS.len() as u64) as usize].to_owned()).collect();
        let raw = RawProject {
            code: Some(format!("BENCH-{i:05}")),
            title: Some(format!("Project {i}")),
            sectors: Some(sectors),
            locations: Some(vec![format!("XY{:02}", rng.next(20) + 1)]),
            targeting: Some(RawTargeting { mode: Some("blanket".into()), criteria: None }),
            ..Default::default()
        };
        let input = raw.validate().map_err(|p| anyhow::anyhow!("{p:?}"))?;
        let id = haven_store::projects::create(store, &actor, &input, None).await?;
        let project = haven_store::projects::get(store, &access, id).await?;
        let lines = haven_store::projects::checklist(store, &project).await?;
        let mut answered: Vec<(String, AnswerInput)> = Vec::new();
        for line in &lines {
            if rng.next(10) < 6 {
                let answer = answers[rng.next(answers.len() as u64) as usize];
                let justification = (answer != Answer::Met).then(|| "Planned for the next quarter".to_owned());
                answered.push((line.item.code.clone(), AnswerInput { answer, justification, evidence_link: None }));
            }
        }
        haven_store::projects::answer_items(store, &actor, &project, &answered).await?;
        if i % 10 == 0
            && let Some(line) = lines.iter().find(|l| l.item.mandatory && l.item.before_endorsement())
        {
            let asked =
                haven_store::projects::request_deviation(store, &actor, &project, &line.item.code, "Partner capacity")
                    .await?;
            asked.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if i % 3 == 0 {
            let due = if i % 6 == 0 { "2020-06-30" } else { "2099-06-30" };
            let risk = RawRisk {
                title: Some("Crowding at the distribution point".into()),
                likelihood: Some(3),
                impact: Some(3),
                due_date: Some(due.into()),
                ..Default::default()
            };
            let risk = risk.validate().map_err(|p| anyhow::anyhow!("{p:?}"))?;
            haven_store::projects::add_risk(store, &actor, &project, &risk).await?;
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(())
}

fn median(mut runs: Vec<Duration>) -> f64 {
    runs.sort();
    runs[runs.len() / 2].as_secs_f64() * 1e3
}

async fn time_get(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    repeat: usize,
) -> anyhow::Result<(f64, usize)> {
    let mut runs = Vec::new();
    let mut size = 0;
    for _ in 0..repeat.max(1) {
        let mut request = client.get(url);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let t = Instant::now();
        let response = request.send().await?;
        anyhow::ensure!(response.status().is_success(), "{url}: {}", response.status());
        size = response.bytes().await?.len();
        runs.push(t.elapsed());
    }
    Ok((median(runs), size))
}

/// The value of the hidden `csrf` input of a page.
fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned()
}

async fn measure(name: &str, postgres: Option<&str>, n: usize, repeat: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = fresh_store(postgres, dir.path()).await?;
    let started = Instant::now();
    seed(&store, n).await?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "{name}: {n} projects registered and answered through the write path in {took:.0} s ({:.0} projects/s)",
        n as f64 / took
    );

    let viewer = users::user_id_by_username(&store, "viewer").await?;
    let access = decide(&users::principal(&store, viewer).await?, Permission::ProjectsRead)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let today = haven_store::now_utc().date();
    let mut runs = Vec::new();
    let mut lines = 0;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        lines = haven_store::projects::portfolio(&store, &access, &Default::default(), today).await?.len();
        runs.push(t.elapsed());
    }
    println!("{name}: every line of {lines} projects (export read) {:>7.1} ms (median of {repeat})", median(runs));
    let mut runs = Vec::new();
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        haven_store::projects::portfolio_summary(&store, &access, &Default::default(), today).await?;
        haven_store::projects::portfolio_page(&store, &access, &Default::default(), today, (1, 100)).await?;
        runs.push(t.elapsed());
    }
    println!("{name}: totals and first 100 lines (store) {:>7.1} ms (median of {repeat})", median(runs));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState::new(store.clone(), WebConfig::new(false, true));
    let server = tokio::spawn(haven_web::serve(listener, state, std::future::pending()));
    let actor = Actor { id: Some(viewer), name: "viewer".into() };
    let token = users::create_token(&store, &actor, viewer, "bench", None, time::Duration::hours(1), None).await?;
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let (api_ms, api_bytes) =
        time_get(&client, &format!("{base}/api/v1/projects/portfolio"), Some(&token), repeat).await?;
    println!("{name}: GET /api/v1/projects/portfolio {api_ms:>7.1} ms (median of {repeat}, {api_bytes} bytes)");
    let login = client.get(format!("{base}/login")).send().await?.text().await?;
    let form = [("username", "viewer"), ("password", PASSWORD), ("csrf", &csrf_of(&login)), ("next", "/")];
    client.post(format!("{base}/login")).form(&form).send().await?;
    let (page_ms, page_bytes) = time_get(&client, &format!("{base}/projects/portfolio"), None, repeat).await?;
    println!(
        "{name}: GET /projects/portfolio (page) {page_ms:>7.1} ms (median of {repeat}, {page_bytes} bytes before compression)"
    );
    server.abort();
    store.pool.close().await;
    Ok(())
}

pub async fn run(options: PortfolioBench) -> anyhow::Result<std::process::ExitCode> {
    measure("SQLite", None, options.projects, options.repeat).await?;
    if let Some(url) = options.postgres.as_deref() {
        measure("PostgreSQL", Some(url), options.projects, options.repeat).await?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}
