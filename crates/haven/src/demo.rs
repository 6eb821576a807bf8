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
/// The PSEA office's recovery key of the demo (a real installation shows it once, on screen).
const RECOVERY_FILE: &str = "demo-psea-recovery-key.txt";

/// Demo feedback: channel, text, declared sensitive type, location, sex, age, contact phone.
type DemoFeedback =
    (&'static str, &'static str, Option<&'static str>, &'static str, &'static str, i64, Option<&'static str>);

const DEMO_FEEDBACK: [DemoFeedback; 10] = [
    (
        "helpdesk",
        "The water point near block C has been broken for four days.",
        None,
        "AZ0101",
        "f",
        34,
        Some("+254700111222"),
    ),
    (
        "hotline",
        "When is the next cash distribution in Lakeside? Nobody told us the date.",
        None,
        "AZ0102",
        "m",
        51,
        None,
    ),
    ("sms", "Merci pour les kits d'hygiène, ils sont arrivés à temps.", None, "AZ0201", "f", 27, None),
    (
        "web",
        "The latrines for women have no lock and no light at night; we do not feel safe.",
        None,
        "AZ0101",
        "f",
        19,
        None,
    ),
    ("suggestion_box", "Please put the distribution list on the board in Arabic too.", None, "AZ0202", "u", 40, None),
    (
        "community_meeting",
        "Older people wait in the sun for hours at the distribution; we need a shaded line.",
        None,
        "AZ0102",
        "m",
        67,
        None,
    ),
    (
        "hotline",
        "A man from the distribution team asked my sister for sex in exchange for a food card.",
        Some("sea"),
        "AZ0201",
        "f",
        23,
        Some("+254700333444"),
    ),
    (
        "helpdesk",
        "The volunteer at the registration desk asked us for money to put our names on the list.",
        None,
        "AZ0202",
        "m",
        45,
        None,
    ),
    ("whatsapp", "تم إبلاغنا أن موعد توزيع البطانيات تغيّر، متى سيكون؟", None, "AZ0101", "f", 31, None),
    (
        "field_visit",
        "Children from the new block are not going to school because the path floods.",
        None,
        "AZ0201",
        "x",
        38,
        None,
    ),
];

/// Set up the PSEA office key for the demo focal point and record the demo feedback.
async fn seed_feedback(store: &Store, data_dir: &std::path::Path, password: &str) -> anyhow::Result<Vec<uuid::Uuid>> {
    let psea = users::login_record(store, "psea").await?.context("demo user psea")?;
    let actor = Actor { id: Some(psea.id), name: psea.username.clone() };
    let (_, recovery) = haven_store::sealing::set_up_office(store, &actor, psea.id, password).await?;
    std::fs::write(data_dir.join(RECOVERY_FILE), format!("{}\n", recovery.as_str()))?;
    let agent = users::login_record(store, "agent").await?.context("demo user agent")?;
    let agent = Actor { id: Some(agent.id), name: agent.username.clone() };
    let lexicon = haven_core::feedback::Lexicon::builtin();
    let levels = haven_core::feedback::ServiceLevels { utc_offset_minutes: 180, ..Default::default() };
    let now = haven_store::now_utc();
    let mut first = None;
    let mut recorded_ids = Vec::new();
    for (i, (channel, text, sensitive, location, sex, age, phone)) in DEMO_FEEDBACK.into_iter().enumerate() {
        let raw = haven_core::feedback::RawSubmission {
            text: Some(text.into()),
            channel: Some(channel.into()),
            sensitive_type: sensitive.map(str::to_owned),
            location: Some(location.into()),
            sex: Some(sex.into()),
            age: Some(age),
            contact_phone: phone.map(str::to_owned),
            consent_to_contact: Some(phone.is_some()),
            safe_contact: phone.map(|_| {
                if sensitive.is_some() {
                    "Weekday mornings only. If someone else answers, say it is a wrong number."
                } else {
                    "Any day after 17:00."
                }
                .to_owned()
            }),
            language: Some(
                if text.is_ascii() {
                    "en"
                } else if channel == "whatsapp" {
                    "ar"
                } else {
                    "fr"
                }
                .into(),
            ),
            // A sensitive report's minimum: when (the month, approximately) and the alleged
            // perpetrator's organisation; both kept only inside the sealed content.
            occurred_on: sensitive.map(|_| {
                let month = (now - time::Duration::days(20)).date();
                format!("{:04}-{:02}", month.year(), u8::from(month.month()))
            }),
            alleged_organisation: sensitive.map(|_| "Distribution contractor (Azuria Logistics)".to_owned()),
            ..Default::default()
        };
        let submission = raw.validate().map_err(|p| anyhow::anyhow!("demo feedback {i}: {p:?}"))?;
        let (sensitive_type, seal) = haven_web::feedback::screen(&lexicon, &submission);
        let by_agent = !matches!(channel, "web" | "sms" | "whatsapp");
        let new = haven_store::feedback::NewFeedback {
            submission,
            sensitive_type,
            seal,
            channel_message_id: None,
            received_at: now - time::Duration::hours(7 * (DEMO_FEEDBACK.len() - i) as i64),
            recorded_by: by_agent.then(|| agent.clone()),
            // The demo's users belong to no organisation: every item is the installation's.
            agency_id: None,
            levels,
            notice: None,
        };
        let recorded = haven_store::feedback::record(store, new).await?;
        first = first.or(Some(recorded.id));
        recorded_ids.push(recorded.id);
    }
    // The protection officer hears of every overdue item; the demo's oldest items are late.
    let protection = users::login_record(store, "protection").await?.context("demo user protection")?;
    haven_store::feedback::outbound::add_target(store, &actor, None, protection.id).await?;
    crate::demo_helpdesk::seed(store, &agent, first).await?;
    let protection = Actor { id: Some(protection.id), name: protection.username.clone() };
    let mande = users::login_record(store, "mande").await?.context("demo user mande")?;
    let mande = Actor { id: Some(mande.id), name: mande.username.clone() };
    crate::demo_sites::seed(store, &protection, &mande).await?;
    Ok(recorded_ids)
}

/// Link demo feedback to the demo projects, sectors and principles (by its place in
/// `DEMO_FEEDBACK`), as a protection officer would at triage.
async fn link_demo_feedback(store: &Store, items: &[uuid::Uuid]) -> anyhow::Result<()> {
    let nfi = haven_store::feedback::links::project_by_code(store, "AZ-NFI-2026-01").await?;
    let links = [
        (0, None, "camp-management-displacement-tracking", "meaningful-access"),
        (2, nfi, "shelter-non-food-items", "accountability"),
        (4, nfi, "shelter-non-food-items", "meaningful-access"),
        (5, nfi, "shelter-non-food-items", "safety-dignity-do-no-harm"),
        (8, nfi, "shelter-non-food-items", "accountability"),
        (9, None, "camp-management-displacement-tracking", "safety-dignity-do-no-harm"),
    ];
    let actor = Actor::system("demo");
    for (i, project_id, sector, principle) in links {
        let Some(id) = items.get(i) else { continue };
        let links = haven_core::feedback::Links {
            project_id,
            sector: Some(sector.to_owned()),
            principle: Some(principle.to_owned()),
        };
        match haven_store::feedback::links::set_links(store, &actor, None, *id, &links).await {
            // The keyword screen sealed it: its links are for a focal point to set.
            Ok(()) | Err(haven_store::feedback::links::LinkError::NoOfficeKey) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The demo users: user name, display name, role.
pub const DEMO_USERS: [(&str, &str, Role); 9] = [
    ("admin", "Amani Odhiambo", Role::Administrator),
    ("protection", "Leila Haddad", Role::ProtectionOfficer),
    ("manager", "Jean-Baptiste Mukendi", Role::ProjectManager),
    ("caseworker", "Fatima Abdi", Role::CaseWorker),
    ("agent", "Omar Saleh", Role::FeedbackAgent),
    ("psea", "Grace Nakato", Role::PseaFocalPoint),
    ("mande", "Aïcha Traoré", Role::MeOfficer),
    ("viewer", "Samuel Okello", Role::Viewer),
    ("hq", "Nadia Rahimi", Role::HeadquartersReviewer),
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
        let feedback = seed_feedback(&store, &loc.data_dir, &password).await?;
        crate::demo_projects::seed(&store).await?;
        link_demo_feedback(&store, &feedback).await?;
        crate::demo_rounds::seed(&store).await?;
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
    println!("Public feedback form: http://{bound}/feedback/new");
    crate::cli::run_server(listener, store, config).await
}
