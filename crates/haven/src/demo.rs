//! `haven demo`: a fictional IOM-like mission to explore Haven with, on loopback only.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::Context;
use haven_core::authz::{Role, RoleGrant};
use haven_core::catalog::Localized;
use haven_core::identity::Username;
use haven_core::locations::ImportedLocation;
use haven_store::identity::{self as users, Actor, NewUser};
use haven_store::{Store, settings};
use haven_web::WebConfig;

use crate::config::Location;
use crate::install;

/// A file in the data folder that marks it as demo data.
pub const MARKER: &str = "DEMO-DATA";
const PASSWORD_FILE: &str = "demo-password.txt";

/// The demo users: user name, display name, role.
pub const DEMO_USERS: [(&str, &str, Role); 8] = [
    ("admin", "Amani Odhiambo", Role::Administrator),
    ("protection", "Leila Haddad", Role::ProtectionOfficer),
    ("manager", "Jean-Baptiste Mukendi", Role::ProjectManager),
    ("caseworker", "Fatima Abdi", Role::CaseWorker),
    ("agent", "Omar Saleh", Role::FeedbackAgent),
    ("psea", "Grace Nakato", Role::PseaFocalPoint),
    ("mande", "Aïcha Traoré", Role::MeOfficer),
    ("viewer", "Samuel Okello", Role::Viewer),
];

fn names(en: &str, fr: &str, ar: &str) -> Localized {
    Localized(
        [("en".to_owned(), en.to_owned()), ("fr".to_owned(), fr.to_owned()), ("ar".to_owned(), ar.to_owned())].into(),
    )
}

/// The Republic of Azuria (fictional): two regions, four districts, five sites.
fn demo_locations() -> Vec<ImportedLocation> {
    let unit = |pcode: &str, level: u8, parent: Option<&str>, n: Localized| ImportedLocation {
        pcode: pcode.to_owned(),
        level,
        parent: parent.map(str::to_owned),
        name: n,
    };
    vec![
        unit("AZ", 0, None, names("Azuria", "Azurie", "أزوريا")),
        unit("AZ01", 1, Some("AZ"), names("North Coast", "Côte Nord", "الساحل الشمالي")),
        unit("AZ02", 1, Some("AZ"), names("River Valley", "Vallée du Fleuve", "وادي النهر")),
        unit("AZ0101", 2, Some("AZ01"), names("Port Sela", "Port-Séla", "ميناء سيلا")),
        unit("AZ0102", 2, Some("AZ01"), names("Karam", "Karam", "كرم")),
        unit("AZ0201", 2, Some("AZ02"), names("Bandu", "Bandou", "باندو")),
        unit("AZ0202", 2, Some("AZ02"), names("Lomé Hills", "Collines de Lomé", "تلال لومي")),
        unit(
            "AZ0101S01",
            3,
            Some("AZ0101"),
            names("Sela Transit Centre", "Centre de transit de Séla", "مركز عبور سيلا"),
        ),
        unit(
            "AZ0102S01",
            3,
            Some("AZ0102"),
            names("Karam IDP Site", "Site de déplacés de Karam", "موقع النازحين في كرم"),
        ),
        unit("AZ0201S01", 3, Some("AZ0201"), names("Bandu Camp", "Camp de Bandou", "مخيم باندو")),
        unit(
            "AZ0201S02",
            3,
            Some("AZ0201"),
            names("Bandu Collective Centre", "Centre collectif de Bandou", "المركز الجماعي في باندو"),
        ),
        unit(
            "AZ0202S01",
            3,
            Some("AZ0202"),
            names("Hills Reception Centre", "Centre d'accueil des Collines", "مركز استقبال التلال"),
        ),
    ]
}

fn demo_password(loc: &Location) -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("HAVEN_DEMO_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    let path = loc.data_dir.join(PASSWORD_FILE);
    if let Ok(p) = std::fs::read_to_string(&path) {
        return Ok(p.trim().to_owned());
    }
    let p = format!(
        "demo-{}",
        users::new_secret().chars().filter(|c| c.is_ascii_alphanumeric()).take(12).collect::<String>()
    );
    std::fs::write(&path, &p).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(p)
}

async fn seed(store: &Store, password: &str) -> anyhow::Result<()> {
    let actor = Actor::system("demo");
    haven_store::locations::import(store, &actor, &demo_locations()).await?;
    settings::set(store, &actor, settings::ORG_NAME, "IOM Azuria mission (demo)").await?;
    settings::set(store, &actor, settings::TIME_ZONE, "Africa/Nairobi").await?;
    settings::set(store, &actor, settings::WORKING_WEEK, "mon,tue,wed,thu,fri").await?;
    let hash = users::hash_password(password).await?;
    for (username, display, role) in DEMO_USERS {
        let new = NewUser {
            username: Username::parse(username).map_err(|e| anyhow::anyhow!("{e}"))?,
            display_name: display.to_owned(),
            email: Some(format!("{username}@azuria.demo.invalid")),
            password_hash: hash.clone(),
            agency_id: None,
            must_change_password: false,
        };
        users::create_user(store, &actor, &new, &[RoleGrant { role, agency: None, location: None }]).await?;
    }
    Ok(())
}

pub async fn run(port: u16, loc: &Location) -> anyhow::Result<ExitCode> {
    if loc.database_url.is_some() {
        anyhow::bail!("the demo runs on SQLite in its own folder; drop --database-url");
    }
    let fresh = !loc.data_dir.join("haven.db").exists();
    if !fresh && !loc.data_dir.join(MARKER).exists() {
        anyhow::bail!("{} holds a real installation; the demo will not touch it", loc.data_dir.display());
    }
    std::fs::create_dir_all(&loc.data_dir)?;
    std::fs::write(loc.data_dir.join(MARKER), "This folder holds Haven demo data. `haven serve` refuses it.\n")?;
    let started = std::time::Instant::now();
    let store = install::open(loc, true).await?;
    let password = demo_password(loc)?;
    if users::login_record(&store, "admin").await?.is_none() {
        seed(&store, &password).await?;
    }
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (is the port taken? try --port)"))?;
    let mut config = WebConfig::new(false, true);
    config.organisation = "IOM Azuria mission (demo)".into();
    let bound = listener.local_addr()?;
    println!("Haven demo is running at http://{bound}/  (started in {} ms)", started.elapsed().as_millis());
    println!("Data folder: {}", loc.data_dir.display());
    println!("Sign in with any of these user names and the password {password}");
    for (username, _, role) in DEMO_USERS {
        println!("  {username:<11} {}", role.code());
    }
    crate::cli::run_server(listener, store, config).await
}
