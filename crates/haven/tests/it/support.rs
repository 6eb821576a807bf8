//! Test harness: a real Haven server on a random loopback port with a fresh database, and a
//! real HTTP client.

#![allow(dead_code)]

use std::net::SocketAddr;

use haven_core::authz::{Role, RoleGrant};
use haven_core::identity::Username;
use haven_store::identity::{self as users, Actor, NewUser};
use haven_store::{KeyRing, Pool, Store};
use haven_web::{AppState, WebConfig};
use reqwest::redirect::Policy;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The engines to run on. PostgreSQL is skipped with a notice when not configured, unless
/// HAVEN_REQUIRE_ALL=1 (CI), which makes its absence a failure.
pub fn engines() -> Vec<Engine> {
    let mut out = vec![Engine::Sqlite];
    if std::env::var("HAVEN_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        out.push(Engine::Postgres);
    } else if require_all() {
        panic!("HAVEN_REQUIRE_ALL=1 but HAVEN_TEST_DATABASE_URL is not set");
    } else {
        eprintln!("notice: HAVEN_TEST_DATABASE_URL not set; PostgreSQL tests skipped");
    }
    out
}

pub fn require_all() -> bool {
    std::env::var("HAVEN_REQUIRE_ALL").as_deref() == Ok("1")
}

pub struct TestDb {
    pub pool: Pool,
    pub dir: tempfile::TempDir,
    pub engine: Engine,
}

pub async fn database(engine: Engine) -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let pool = match engine {
        Engine::Sqlite => Pool::open_sqlite(&dir.path().join("haven.db")).await.unwrap(),
        Engine::Postgres => {
            let url = std::env::var("HAVEN_TEST_DATABASE_URL").unwrap();
            sweep_old_test_data(&url).await;
            let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
            Pool::connect_postgres(&url, Some(&schema)).await.unwrap()
        }
    };
    pool.migrate().await.unwrap();
    TestDb { pool, dir, engine }
}

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub engine: Engine,
    pub db_dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Start a server. `demo=false` means second factors are required for admin and PSEA roles.
pub async fn spawn(engine: Engine, demo: bool) -> TestApp {
    spawn_with(engine, WebConfig::new(false, demo)).await
}

/// Start a server with the given web configuration.
pub async fn spawn_with(engine: Engine, config: WebConfig) -> TestApp {
    let db = database(engine).await;
    let store = Store::new(db.pool, KeyRing::generate());
    haven_store::catalog::load_shipped(&store, &Actor::system("test")).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let state = AppState::new(store.clone(), config);
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        haven_web::serve(listener, state, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    TestApp { base: format!("http://{addr}"), store, engine, db_dir: db.dir, shutdown: Some(tx) }
}

pub fn role_user(role: Role) -> &'static str {
    match role {
        Role::Administrator => "admin",
        Role::ProtectionOfficer => "protection",
        Role::ProjectManager => "manager",
        Role::CaseWorker => "caseworker",
        Role::FeedbackAgent => "agent",
        Role::PseaFocalPoint => "psea",
        Role::MeOfficer => "mande",
        Role::Viewer => "viewer",
        Role::HeadquartersReviewer => "hq",
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn add_user(&self, username: &str, roles: &[Role]) -> uuid::Uuid {
        self.add_user_with(username, &format!("Test {username}"), None, roles).await
    }

    /// A user with a given display name and e-mail address.
    pub async fn add_user_with(
        &self,
        username: &str,
        display_name: &str,
        email: Option<&str>,
        roles: &[Role],
    ) -> uuid::Uuid {
        let new = NewUser {
            username: Username::parse(username).unwrap(),
            display_name: display_name.to_owned(),
            email: email.map(str::to_owned),
            password_hash: users::hash_password(PASSWORD).await.unwrap(),
            agency_id: None,
            must_change_password: false,
        };
        let grants: Vec<RoleGrant> =
            roles.iter().map(|&role| RoleGrant { role, agency: None, location: None }).collect();
        users::create_user(&self.store, &Actor::system("test"), &new, &grants).await.unwrap()
    }

    /// One user per role, named as in the demo.
    pub async fn add_role_users(&self) {
        for role in Role::ALL {
            self.add_user(role_user(role), &[role]).await;
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

/// The value of a hidden input named `name` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no hidden field {name} in page")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub async fn get_text(c: &reqwest::Client, url: &str) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Sign in through the form. Returns the final response status of the POST.
pub async fn sign_in(app: &TestApp, c: &reqwest::Client, username: &str, password: &str) -> reqwest::Response {
    let (_, page) = get_text(c, &app.url("/login")).await;
    let csrf = hidden(&page, "csrf");
    c.post(app.url("/login"))
        .form(&[("username", username), ("password", password), ("csrf", &csrf), ("next", "/")])
        .send()
        .await
        .unwrap()
}

/// A signed-in client for a demo-mode app (no second factor).
pub async fn signed_in(app: &TestApp, username: &str) -> reqwest::Client {
    let c = client();
    let r = sign_in(app, &c, username, PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303, "sign-in of {username} failed");
    c
}

/// The CSRF token of the signed-in session (read from the account page).
pub async fn csrf_of(app: &TestApp, c: &reqwest::Client) -> String {
    let (_, page) = get_text(c, &app.url("/account")).await;
    hidden(&page, "csrf")
}

/// Drop test schemas and CLI databases left by earlier runs (older than an hour: their
/// names carry a UUIDv7, whose first 48 bits are the creation time in milliseconds), so
/// repeated runs do not fill the test database. Once per process.
pub async fn sweep_old_test_data(url: &str) {
    static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SWEPT.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let pool = Pool::connect_postgres(url, None).await.unwrap();
    let cutoff_ms = (haven_store::now_utc().unix_timestamp() - 3600) as u128 * 1000;
    let old = |name: &str, prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|hex| hex.get(..12))
            .and_then(|ts| u128::from_str_radix(ts, 16).ok())
            .is_some_and(|ms| ms < cutoff_ms)
    };
    let schemas: Vec<(String,)> = haven_store::on_pool!(&pool, p => {
        sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 't\\_%'").fetch_all(p).await
    })
    .unwrap_or_default();
    for (name,) in schemas.into_iter().filter(|(n,)| old(n, "t_")) {
        let sql = format!("DROP SCHEMA IF EXISTS {name} CASCADE");
        let _ = haven_store::on_pool!(&pool, p => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()));
    }
    let dbs: Vec<(String,)> = haven_store::on_pool!(&pool, p => {
        sqlx::query_as("SELECT datname::text FROM pg_database WHERE datname LIKE 'haven\\_cli\\_%'").fetch_all(p).await
    })
    .unwrap_or_default();
    for (name,) in dbs.into_iter().filter(|(n,)| old(n, "haven_cli_")) {
        let sql = format!("DROP DATABASE IF EXISTS {name}");
        let _ = haven_store::on_pool!(&pool, p => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()));
    }
    pool.close().await;
}

/// A Python that can import `module` (HAVEN_TEST_PYTHON, set by .ci/run, or python3); `None`
/// with a notice when there is none, unless everything must run.
pub fn python_with(module: &str, what_is_skipped: &str) -> Option<String> {
    let python = std::env::var("HAVEN_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let import = format!("import {module}");
    let ok = std::process::Command::new(&python).args(["-c", &import]).output().is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    if require_all() {
        panic!("HAVEN_REQUIRE_ALL=1 but {module} is not importable by {python} (set HAVEN_TEST_PYTHON)");
    }
    eprintln!("notice: Python module {module} not installed; {what_is_skipped} skipped");
    None
}
