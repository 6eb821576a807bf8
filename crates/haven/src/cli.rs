//! The command line. Every subcommand takes the same `--data-dir` / `--database-url` /
//! `--key-file` and works while the server runs on the same data.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use haven_core::authz::{LocationScope, Role, RoleGrant};
use haven_core::identity::{PasswordPolicy, Username};
use haven_store::audit::{self, Checkpoint};
use haven_store::backup::{self, BackupKey, RestoreKey};
use haven_store::identity::{self as users, Actor, NewUser};
use haven_store::{KeyRing, Store};
use haven_web::{AppState, WebConfig};

use crate::config::{FileConfig, Location, resolve};
use crate::{demo, install};

#[derive(Parser)]
#[command(name = "haven", version, about = "Haven: protection information system")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
pub struct Common {
    /// Folder holding the SQLite database (and, unless --key-file is given, the key file).
    #[arg(long, env = "HAVEN_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Use PostgreSQL instead of SQLite: postgres://user@host/db
    #[arg(long, env = "HAVEN_DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// The key file (field encryption, search tokens, audit chain).
    #[arg(long, env = "HAVEN_KEY_FILE", global = true)]
    key_file: Option<PathBuf>,
    /// A TOML config file with the same settings.
    #[arg(long, env = "HAVEN_CONFIG", global = true)]
    config: Option<PathBuf>,
}

impl Common {
    fn location(&self, default_dir: &str) -> anyhow::Result<(Location, FileConfig)> {
        let file = FileConfig::load(self.config.as_deref())?;
        let loc = resolve(self.data_dir.clone(), self.database_url.clone(), self.key_file.clone(), &file, default_dir)?;
        Ok((loc, file))
    }

    async fn open(&self) -> anyhow::Result<Store> {
        let (loc, _) = self.location(DEFAULT_DATA_DIR)?;
        let demo = is_demo_dir(&loc).await;
        install::open(&loc, demo).await
    }
}

const DEFAULT_DATA_DIR: &str = "./haven-data";
const DEFAULT_DEMO_DIR: &str = "./haven-demo";

/// Administrative commands work on demo data too; only `serve` refuses it.
async fn is_demo_dir(loc: &Location) -> bool {
    loc.database_url.is_none() && loc.data_dir.join(demo::MARKER).exists()
}

#[derive(Subcommand)]
enum Command {
    /// Start a demo organisation on 127.0.0.1 (seeded on first start, reused after).
    Demo {
        #[arg(long, default_value_t = 8080, env = "HAVEN_PORT")]
        port: u16,
        #[command(flatten)]
        common: Common,
    },
    /// Run the server for a real deployment.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "HAVEN_BIND")]
        bind: Option<String>,
        /// Mark cookies Secure and send HSTS (set when served over TLS, e.g. behind a proxy).
        #[arg(long, env = "HAVEN_SECURE_COOKIES")]
        secure_cookies: Option<bool>,
        #[command(flatten)]
        common: Common,
    },
    /// Apply database migrations and load the catalog, then exit.
    Migrate {
        #[command(flatten)]
        common: Common,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Personal API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Community feedback and complaints.
    Feedback {
        #[command(subcommand)]
        command: FeedbackCommand,
        #[command(flatten)]
        common: Common,
    },
    /// The PSEA office key that seals sensitive feedback.
    Psea {
        #[command(subcommand)]
        command: PseaCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Key files.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
        #[command(flatten)]
        common: Common,
    },
    /// The audit chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Administrative boundaries.
    Locations {
        #[command(subcommand)]
        command: LocationsCommand,
        #[command(flatten)]
        common: Common,
    },
    /// Write an encrypted, consistent copy of a SQLite deployment (keys are not included).
    Backup {
        #[arg(long)]
        to: PathBuf,
        /// Encrypt to this age recipient (age1...) instead of HAVEN_BACKUP_PASSPHRASE.
        #[arg(long)]
        recipient: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Copy this (SQLite) deployment into a new PostgreSQL database, verified by row counts
    /// and the audit chain. Stop the server first so nothing changes during the copy.
    Copy {
        /// The target: postgres://user@host/database (empty; migrated by the copy).
        #[arg(long)]
        to: String,
        #[command(flatten)]
        common: Common,
    },
    /// Record linkage on CSV files: de-duplicate, link two files, generate test data.
    /// Needs no data folder, database or keys.
    Match {
        #[command(subcommand)]
        command: crate::matching::MatchCommand,
    },
    /// Measurements that print figures (see docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Restore a backup into an empty data folder.
    Restore {
        #[arg(long)]
        from: PathBuf,
        /// An age identity file, for backups made to a recipient.
        #[arg(long)]
        identity: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Start-up time and idle memory of `haven demo`.
    Startup {
        #[arg(long, default_value_t = 3)]
        runs: u32,
    },
    /// Quality, speed and memory of `haven match` on generated data, beside Splink.
    Linkage(crate::bench::LinkageBench),
    /// Feedback intake over HTTP (SQLite and PostgreSQL) and dashboard tiles over many items.
    Feedback(crate::bench_feedback::FeedbackBench),
    /// The project portfolio's server time at many projects.
    Portfolio(crate::bench_portfolio::PortfolioBench),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input (one line).
    Add {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// Roles to grant (codes, e.g. case-worker); repeatable.
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// List users.
    List,
    /// Disable a user (ends their sessions).
    Disable { username: String },
    /// Set a new password, read from standard input; the user must change it at sign-in.
    ResetPassword { username: String },
    /// Show, grant or revoke roles.
    Roles {
        username: String,
        #[arg(long)]
        grant: Vec<String>,
        #[arg(long)]
        revoke: Vec<String>,
        /// Limit granted roles to a location subtree, e.g. /XY/XY01/
        #[arg(long)]
        location: Option<String>,
    },
    /// Import users from CSV: username,name,email,role[,password]
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token and print it alone on standard output.
    Create {
        #[arg(long)]
        user: String,
        /// Read the user's password from standard input and check it first.
        #[arg(long)]
        password_stdin: bool,
        /// Days until it expires (default 90).
        #[arg(long, default_value_t = 90)]
        expires: i64,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Narrow the token to these permissions (codes such as catalog-read); repeatable.
        /// Without it the token carries the user's full role permissions.
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
}

#[derive(Subcommand)]
enum FeedbackCommand {
    /// Import a feedback log (CSV UTF-8 or XLSX, header row first): all rows or none.
    Import {
        file: PathBuf,
        /// The user recorded as having entered the items (needs feedback-write).
        #[arg(long)]
        user: String,
    },
    /// Erase the contact details of items closed more than `feedback.contact_erase_days`
    /// days ago (90 by default). The server also does this every hour.
    EraseContacts,
}

#[derive(Subcommand)]
enum PseaCommand {
    /// Set up the office key with the first PSEA focal point; prints the recovery key once.
    Init {
        /// A user holding the psea-focal-point role.
        #[arg(long)]
        user: String,
        /// Read that user's password from standard input (required).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a new key file (0600). With HAVEN_KEY_PASSPHRASE set, it is wrapped by it.
    Init {
        #[arg(long)]
        out: PathBuf,
    },
    /// Add a new field key and re-encrypt every encrypted value with it.
    Rotate,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the whole chain (exit 0 when intact).
    Verify {
        /// A checkpoint printed earlier by `haven audit checkpoint`, to detect truncation.
        #[arg(long)]
        checkpoint: Option<String>,
    },
    /// Print the signed head of the chain, to keep elsewhere.
    Checkpoint,
}

#[derive(Subcommand)]
enum LocationsCommand {
    /// Import admin boundaries with P-codes from CSV (OCHA layout, with or without HXL tags).
    Import { file: PathBuf },
}

fn read_stdin_line() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).context("reading standard input")?;
    Ok(text.lines().next().unwrap_or("").to_owned())
}

fn cli_actor() -> Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    Actor::system(&format!("cli:{who}"))
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo { port, common } => demo::run(port, &common.location(DEFAULT_DEMO_DIR)?.0).await,
        Command::Serve { bind, secure_cookies, common } => serve(bind, secure_cookies, common).await,
        Command::Migrate { common } => {
            let store = common.open().await?;
            store.pool.close().await;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command, common } => {
            let store = common.open().await?;
            let result = user_command(&store, command).await;
            store.pool.close().await;
            result
        }
        Command::Token { command: TokenCommand::Create { user, password_stdin, expires, name, scopes }, common } => {
            let scopes = parse_scopes(&scopes)?;
            let store = common.open().await?;
            let result = create_token(&store, &user, password_stdin, expires, &name, scopes.as_ref()).await;
            store.pool.close().await;
            result
        }
        Command::Keys { command, common } => keys_command(command, common).await,
        Command::Feedback { command: FeedbackCommand::Import { file, user }, common } => {
            let store = common.open().await?;
            let result = import_feedback(&store, &file, &user).await;
            store.pool.close().await;
            result
        }
        Command::Feedback { command: FeedbackCommand::EraseContacts, common } => {
            let store = common.open().await?;
            let result = erase_contacts(&store).await;
            store.pool.close().await;
            result
        }
        Command::Psea { command: PseaCommand::Init { user, password_stdin }, common } => {
            if !password_stdin {
                bail!("haven psea init needs --password-stdin: the office key is wrapped under that password");
            }
            let store = common.open().await?;
            let result = psea_init(&store, &user, &read_stdin_line()?).await;
            store.pool.close().await;
            result
        }
        Command::Audit { command, common } => {
            let store = common.open().await?;
            let result = audit_command(&store, command).await;
            store.pool.close().await;
            result
        }
        Command::Locations { command: LocationsCommand::Import { file }, common } => {
            let store = common.open().await?;
            let result = import_locations(&store, &file).await;
            store.pool.close().await;
            result
        }
        Command::Backup { to, recipient, common } => {
            let store = common.open().await?;
            let key = match recipient {
                Some(r) => BackupKey::Recipient(r),
                None => BackupKey::Passphrase(backup_passphrase()?.into()),
            };
            let result = backup::backup_sqlite(&store.pool, &to, key).await;
            store.pool.close().await;
            let bytes = result?;
            println!(
                "backup written to {} ({bytes} bytes); the key file is not in it: keep it safe separately",
                to.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { command: BenchCommand::Startup { runs } } => crate::bench::startup(runs).await,
        Command::Bench { command: BenchCommand::Linkage(options) } => crate::bench::linkage(options).await,
        Command::Bench { command: BenchCommand::Feedback(options) } => crate::bench_feedback::run(options).await,
        Command::Bench { command: BenchCommand::Portfolio(options) } => crate::bench_portfolio::run(options).await,
        Command::Match { command } => tokio::task::spawn_blocking(move || crate::matching::run(command)).await?,
        Command::Copy { to, common } => {
            if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
                bail!("--to must be a postgres:// URL");
            }
            let store = common.open().await?;
            let target = haven_store::Pool::connect_postgres(&to, None).await?;
            let result = haven_store::copy::copy_all(&store, &target).await;
            if result.is_ok() {
                let event = cli_actor().event(haven_core::audit::actions::DATABASE_COPIED, "database", "postgres");
                haven_store::audit::record(&target, &store.keys, &event).await?;
            }
            target.close().await;
            store.pool.close().await;
            let report = result?;
            for (table, rows) in &report.rows {
                println!("{table:<18} {rows}");
            }
            println!("audit chain verified on the target: {} entries", report.audit_entries);
            println!("start the server with --database-url and the same key file");
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from, identity, common } => {
            let (loc, _) = common.location(DEFAULT_DATA_DIR)?;
            if loc.database_url.is_some() {
                bail!("restore writes a SQLite data folder; restore PostgreSQL with pg_restore");
            }
            std::fs::create_dir_all(&loc.data_dir)?;
            let key = match identity {
                Some(path) => RestoreKey::IdentityFile(path),
                None => RestoreKey::Passphrase(backup_passphrase()?.into()),
            };
            let bytes = backup::restore_sqlite(&from, &loc.data_dir.join("haven.db"), key)?;
            println!("restored {bytes} bytes into {}; put the key file back before starting", loc.data_dir.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn backup_passphrase() -> anyhow::Result<String> {
    std::env::var("HAVEN_BACKUP_PASSPHRASE")
        .ok()
        .filter(|p| p.len() >= 12)
        .context("set HAVEN_BACKUP_PASSPHRASE (at least 12 characters) or use --recipient / --identity")
}

async fn serve(bind: Option<String>, secure: Option<bool>, common: Common) -> anyhow::Result<ExitCode> {
    let (loc, file) = common.location(DEFAULT_DATA_DIR)?;
    if is_demo_dir(&loc).await {
        bail!("{} holds demo data; `haven serve` refuses it (use `haven demo`)", loc.data_dir.display());
    }
    let bind = bind.or(file.bind.clone()).unwrap_or_else(|| "127.0.0.1:8080".into());
    let addr: std::net::SocketAddr =
        bind.parse().with_context(|| format!("--bind {bind} is not an address such as 0.0.0.0:8080"))?;
    let store = install::open(&loc, false).await?;
    let mut config = WebConfig::new(secure.or(file.secure_cookies).unwrap_or(false), false);
    config.channels = file.channel_secrets();
    config.outbound = file.outbound(&config.channels)?;
    config.trusted_proxies = file.trusted_proxies()?;
    if let Some(name) =
        haven_store::settings::get(&store, haven_store::settings::ORG_NAME).await?.filter(|n| !n.is_empty())
    {
        config.organisation = name;
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (is the port taken?)"))?;
    println!("Haven is serving on http://{addr}");
    let ch = &config.channels;
    for (name, on) in [
        ("Twilio SMS (/webhooks/sms/twilio)", ch.twilio_auth_token.is_some()),
        ("SMS gateway (/webhooks/sms/generic)", ch.sms_webhook_secret.is_some()),
        ("WhatsApp (/webhooks/whatsapp)", ch.whatsapp_app_secret.is_some() && ch.whatsapp_verify_token.is_some()),
    ] {
        println!("  channel {name}: {}", if on { "on" } else { "off (no secret configured)" });
    }
    let proxies = &config.trusted_proxies;
    if proxies.is_empty() {
        println!("  rate limits by: the connecting address (no trusted_proxies configured)");
    } else {
        println!("  rate limits by: X-Forwarded-For from trusted proxies {proxies}");
    }
    let out = &config.outbound;
    println!("  notification e-mail: {}", if out.mail.is_some() { "on" } else { "off (no [mail] configured)" });
    println!("  replies by SMS: {}", if out.sms.is_some() { "on" } else { "off (no [sms_gateway] configured)" });
    run_server(listener, store, config).await
}

pub async fn run_server(
    listener: tokio::net::TcpListener,
    store: Store,
    config: WebConfig,
) -> anyhow::Result<ExitCode> {
    let state = AppState::new(store.clone(), config);
    haven_web::serve(listener, state, shutdown_signal()).await?;
    store.pool.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn parse_roles(codes: &[String], location: Option<&str>) -> anyhow::Result<Vec<RoleGrant>> {
    let location = match location {
        Some(p) => {
            Some(LocationScope::new(p).with_context(|| format!("--location {p}: use a P-code path like /XY/XY01/"))?)
        }
        None => None,
    };
    codes
        .iter()
        .map(|c| {
            let role = Role::from_code(c).with_context(|| {
                let all: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                format!("unknown role '{c}' (roles: {})", all.join(", "))
            })?;
            Ok(RoleGrant { role, agency: None, location: location.clone() })
        })
        .collect()
}

async fn add_user(
    store: &Store,
    username: &str,
    name: &str,
    email: Option<&str>,
    roles: &[RoleGrant],
    password: &str,
) -> anyhow::Result<uuid::Uuid> {
    let username = Username::parse(username).map_err(|e| anyhow::anyhow!("user name '{username}': {e}"))?;
    PasswordPolicy::default().check(password, username.as_str()).map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let new = NewUser {
        username,
        display_name: name.to_owned(),
        email: email.map(str::to_owned),
        password_hash: users::hash_password(password).await?,
        agency_id: None,
        must_change_password: false,
    };
    Ok(users::create_user(store, &cli_actor(), &new, roles).await?)
}

async fn user_command(store: &Store, command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add { username, name, email, roles } => {
            let grants = parse_roles(&roles, None)?;
            let password = read_stdin_line()?;
            add_user(store, &username, &name, email.as_deref(), &grants, &password).await?;
            println!("user {username} added");
        }
        UserCommand::List => {
            let access = haven_core::authz::decide(&cli_principal(), haven_core::authz::Permission::UsersRead)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for u in users::list_users(store, &access).await? {
                let roles: Vec<&str> = u.roles.iter().map(|g| g.role.code()).collect();
                let status = if u.disabled {
                    "disabled"
                } else if u.locked {
                    "locked"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\tmfa={}", u.username, status, roles.join(","), u.totp_enabled);
            }
        }
        UserCommand::Disable { username } => {
            let id =
                users::user_id_by_username(store, &username).await.with_context(|| format!("no user {username}"))?;
            users::set_disabled(store, &cli_actor(), id, true).await?;
            println!("user {username} disabled");
        }
        UserCommand::ResetPassword { username } => {
            let id =
                users::user_id_by_username(store, &username).await.with_context(|| format!("no user {username}"))?;
            let password = read_stdin_line()?;
            PasswordPolicy::default().check(&password, &username).map_err(|e| anyhow::anyhow!("password: {e}"))?;
            users::set_password(store, &cli_actor(), id, &users::hash_password(&password).await?, true).await?;
            println!("password of {username} reset");
        }
        UserCommand::Roles { username, grant, revoke, location } => {
            let id =
                users::user_id_by_username(store, &username).await.with_context(|| format!("no user {username}"))?;
            for g in parse_roles(&grant, location.as_deref())? {
                // The operator at the server's console sets up the first PSEA focal point;
                // after that, focal points are added by focal points in the application.
                if g.role == Role::PseaFocalPoint && !users::holders_of(store, Role::PseaFocalPoint).await?.is_empty() {
                    bail!("a PSEA focal point exists: another focal point must grant this role in Haven");
                }
                users::grant_role(store, &cli_actor(), id, &g).await?;
            }
            for r in parse_roles(&revoke, None)? {
                users::revoke_role(store, &cli_actor(), id, r.role).await?;
            }
            let roles: Vec<&str> = users::grants_of(store, id).await?.iter().map(|g| g.role.code()).collect();
            println!("{username}: {}", roles.join(", "));
        }
        UserCommand::Import { file } => return import_users(store, &file).await,
    }
    Ok(ExitCode::SUCCESS)
}

/// The principal of the operator at the console (user listing only).
fn cli_principal() -> haven_core::authz::Principal {
    haven_core::authz::Principal {
        user_id: uuid::Uuid::nil(),
        grants: vec![RoleGrant { role: Role::Administrator, agency: None, location: None }],
        token_permissions: None,
    }
}

/// CSV columns: username,name,email,role[,password]. Every row is checked first; nothing is
/// written unless the whole file is good. Rows without a password get a generated one, printed.
async fn import_users(store: &Store, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let mut reader = csv::Reader::from_path(file).with_context(|| format!("cannot read {}", file.display()))?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(u), Some(n)) = (col("username"), col("name")) else {
        bail!("{}: the header must name at least 'username' and 'name'", file.display());
    };
    let (e, r, p) = (col("email"), col("role"), col("password"));
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(err) => {
                problems.push(format!("{}: line {line}: {err}", file.display()));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).unwrap_or("").to_owned();
        let username = get(Some(u));
        if let Err(err) = Username::parse(&username) {
            problems.push(format!("{}: line {line}, field 'username': {err}", file.display()));
        }
        if get(Some(n)).is_empty() {
            problems.push(format!("{}: line {line}, field 'name': empty", file.display()));
        }
        let role = get(r);
        let grants = if role.is_empty() {
            vec![]
        } else {
            match parse_roles(std::slice::from_ref(&role), None) {
                Ok(g) if g.iter().any(|g| g.role == Role::PseaFocalPoint) => {
                    problems.push(format!(
                        "{}: line {line}, field 'role': the PSEA role is granted in Haven by a focal point",
                        file.display()
                    ));
                    vec![]
                }
                Ok(g) => g,
                Err(err) => {
                    problems.push(format!("{}: line {line}, field 'role': {err}", file.display()));
                    vec![]
                }
            }
        };
        let password = get(p);
        if !password.is_empty()
            && let Err(err) = PasswordPolicy::default().check(&password, &username)
        {
            problems.push(format!("{}: line {line}, field 'password': {err}", file.display()));
        }
        rows.push((username, get(Some(n)), get(e), grants, password));
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        bail!("{} problem(s); no user was imported", problems.len());
    }
    for (username, name, email, grants, password) in rows {
        let generated = password.is_empty();
        let password = if generated { users::new_secret() } else { password };
        let email = Some(email.as_str()).filter(|e| !e.is_empty());
        add_user(store, &username, &name, email, &grants, &password)
            .await
            .with_context(|| format!("user {username}"))?;
        if generated {
            println!("{username}\t{password}");
        } else {
            println!("{username}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_scopes(codes: &[String]) -> anyhow::Result<Option<std::collections::BTreeSet<haven_core::authz::Permission>>> {
    if codes.is_empty() {
        return Ok(None);
    }
    codes
        .iter()
        .map(|c| {
            haven_core::authz::Permission::from_code(c).with_context(|| format!("unknown permission '{c}' in --scope"))
        })
        .collect::<anyhow::Result<_>>()
        .map(Some)
}

async fn create_token(
    store: &Store,
    username: &str,
    password_stdin: bool,
    days: i64,
    name: &str,
    scopes: Option<&std::collections::BTreeSet<haven_core::authz::Permission>>,
) -> anyhow::Result<ExitCode> {
    if !(1..=365).contains(&days) {
        bail!("--expires takes 1 to 365 days");
    }
    let record = users::login_record(store, username).await?.with_context(|| format!("no user {username}"))?;
    if record.disabled {
        bail!("user {username} is disabled");
    }
    let mut office_key = None;
    if password_stdin {
        let password = read_stdin_line()?;
        if !users::verify_password(&password, &record.password_hash).await {
            bail!("the password of {username} is wrong");
        }
        // A focal point's token made with the password carries the office key.
        if users::roles_of(store, record.id).await?.contains(&haven_core::authz::Role::PseaFocalPoint) {
            office_key = haven_store::sealing::unlock_with_password(store, record.id, &password).await?;
        }
    }
    let actor = Actor { id: Some(record.id), name: record.username.clone() };
    let token =
        users::create_token(store, &actor, record.id, name, scopes, time::Duration::days(days), office_key.as_ref())
            .await?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

/// Import a feedback log, printing every problem with its line and column.
async fn import_feedback(store: &Store, file: &std::path::Path, username: &str) -> anyhow::Result<ExitCode> {
    let record = users::login_record(store, username).await?.with_context(|| format!("no user {username}"))?;
    let principal = users::principal(store, record.id).await?;
    if haven_core::authz::decide(&principal, haven_core::authz::Permission::FeedbackWrite).is_err() {
        bail!("{username} may not record feedback (needs the feedback-write permission)");
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.display().to_string();
    let actor = Actor { id: Some(record.id), name: record.username.clone() };
    let lexicon = haven_store::feedback::lexicon::current(store).await?;
    match haven_web::feedback::import::import_file(store, &lexicon, &actor, &name, &bytes).await {
        Ok(report) => {
            println!("{name}: {} items imported, {} of them sealed", report.imported, report.sealed);
            Ok(ExitCode::SUCCESS)
        }
        Err(haven_web::WebError::InvalidRows(problems)) => {
            eprintln!("{name}: nothing imported; {} problems:", problems.len());
            let l = haven_web::i18n::Lang::default();
            for (line, column, code) in problems {
                let message = l.t(&format!("error-{code}"));
                if column.is_empty() {
                    eprintln!("  line {line}: {message}");
                } else {
                    eprintln!("  line {line}, column {column}: {message}");
                }
            }
            Ok(ExitCode::FAILURE)
        }
        Err(haven_web::WebError::InvalidFile(message)) => bail!("{message}"),
        Err(haven_web::WebError::Unavailable(_)) => {
            bail!("the file has sensitive items but the PSEA office key is not set up (haven psea init)")
        }
        Err(e) => bail!("{name}: {e}"),
    }
}

/// Erase the contact details that are due for erasure, and say how many.
async fn erase_contacts(store: &Store) -> anyhow::Result<ExitCode> {
    let retention = haven_web::admin::settings::contact_retention(store).await?;
    let erased = haven_web::feedback::erase_contacts(store).await?;
    println!("contact details erased from {erased} closed items (closed more than {} days ago)", retention.days);
    Ok(ExitCode::SUCCESS)
}

/// Set up the PSEA office key for its first focal point.
pub async fn psea_init(store: &Store, username: &str, password: &str) -> anyhow::Result<ExitCode> {
    let record = users::login_record(store, username).await?.with_context(|| format!("no user {username}"))?;
    if !users::roles_of(store, record.id).await?.contains(&haven_core::authz::Role::PseaFocalPoint) {
        bail!("{username} does not hold the psea-focal-point role");
    }
    if !users::verify_password(password, &record.password_hash).await {
        bail!("the password of {username} is wrong");
    }
    let actor = Actor { id: Some(record.id), name: record.username.clone() };
    let (_, recovery) = haven_store::sealing::set_up_office(store, &actor, record.id, password).await?;
    println!("The PSEA office key is set up. Its recovery key, shown only now:");
    println!();
    println!("    {}", recovery.as_str());
    println!();
    println!("Write it down and keep it offline, away from this server: it opens every sealed report.");
    Ok(ExitCode::SUCCESS)
}

async fn keys_command(command: KeysCommand, common: Common) -> anyhow::Result<ExitCode> {
    match command {
        KeysCommand::Init { out } => {
            KeyRing::generate().create_file(&out, install::passphrase().as_deref())?;
            println!("key file written to {} (mode 0600); keep a copy in escrow", out.display());
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Rotate => {
            let store = common.open().await?;
            let (loc, _) = common.location(DEFAULT_DATA_DIR)?;
            let pool = store.pool.clone();
            let result = install::rotate_keys(store, &loc).await;
            pool.close().await;
            let (id, count) = result?;
            println!("new field key {id}; {count} values re-encrypted");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn audit_command(store: &Store, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { checkpoint } => {
            let cp = match checkpoint.as_deref() {
                Some(text) => Some(
                    Checkpoint::decode(text)
                        .context("the checkpoint is not of the form haven-checkpoint:SEQ:HASH:SIGNATURE")?,
                ),
                None => None,
            };
            match audit::verify(&store.pool, &store.keys, cp.as_ref()).await? {
                Ok(v) => {
                    println!("audit chain intact: {} entries, head {}", v.entries, v.head_seq);
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    eprintln!("audit chain BROKEN: {broken}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        AuditCommand::Checkpoint => {
            println!("{}", audit::checkpoint(&store.pool, &store.keys).await?.encode());
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn import_locations(store: &Store, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    match haven_core::locations::parse_locations(&bytes) {
        Ok(units) => {
            let report = haven_store::locations::import(store, &cli_actor(), &units).await?;
            println!("{} locations added, {} updated", report.added, report.updated);
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{}: {p}", file.display());
            }
            eprintln!("{} problem(s); nothing was imported", problems.len());
            Ok(ExitCode::from(1))
        }
    }
}
