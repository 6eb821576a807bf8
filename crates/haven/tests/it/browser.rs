//! Browser tests in headless Chromium (Debian's chromium + chromedriver), one at a time.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use haven_core::authz::Role;

use crate::support::*;

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Option<Driver> {
    let path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(path) = path else {
        if require_all() {
            panic!("HAVEN_REQUIRE_ALL=1 but chromedriver is not installed");
        }
        eprintln!("notice: chromedriver not found; browser tests skipped (apt-get install chromium chromium-driver)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child =
        Command::new(path).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().ok()?;
    Some(Driver { child, port })
}

async fn connect(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]}),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(c) = ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer");
}

/// Waits until a click has navigated to `path`, so later lookups never see the old page.
async fn wait_for_path(b: &Client, path: &str) {
    for _ in 0..100 {
        if b.current_url().await.unwrap().path() == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the browser never reached {path}; it is at {}", b.current_url().await.unwrap());
}

/// All browser scenarios in one test, so they share one chromedriver and run one at a time.
#[tokio::test]
async fn sign_in_arabic_and_form_errors_in_a_real_browser() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn(Engine::Sqlite, true).await;
    app.add_user("admin", &[Role::Administrator]).await;
    app.add_user("agent", &[Role::FeedbackAgent]).await;
    app.add_user("manager", &[Role::ProjectManager]).await;
    app.add_user("protection", &[Role::ProtectionOfficer]).await;
    let b = connect(&driver).await;

    // A form with a validation error shown next to its field.
    b.goto(&app.url("/login")).await.unwrap();
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let err = b.wait().for_element(Locator::Id("username-error")).await.unwrap();
    assert!(!err.text().await.unwrap().is_empty());
    let described = b.find(Locator::Id("username")).await.unwrap().attr("aria-describedby").await.unwrap();
    assert_eq!(described.as_deref(), Some("username-error"));

    // Sign in.
    b.find(Locator::Id("username")).await.unwrap().send_keys("admin").await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(&b, "/").await;
    let heading = b.find(Locator::Css("main h1")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Home");
    assert!(b.source().await.unwrap().contains("admin"));

    // Switch to Arabic: right-to-left page, translated, and remembered on the next page.
    b.find(Locator::Css("a[hreflang=ar]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("html[dir=rtl]")).await.unwrap();
    let html = b.find(Locator::Css("html")).await.unwrap();
    assert_eq!(html.attr("dir").await.unwrap().as_deref(), Some("rtl"));
    assert_eq!(html.attr("lang").await.unwrap().as_deref(), Some("ar"));
    b.goto(&app.url("/catalog")).await.unwrap();
    let html = b.find(Locator::Css("html")).await.unwrap();
    assert_eq!(html.attr("dir").await.unwrap().as_deref(), Some("rtl"));
    let title = b.find(Locator::Css("main h1")).await.unwrap().text().await.unwrap();
    assert!(title.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)), "Arabic heading: {title}");
    let direction =
        b.execute("return getComputedStyle(document.querySelector('main')).direction", vec![]).await.unwrap();
    assert_eq!(direction, serde_json::json!("rtl"));

    // The public feedback form in Arabic, without an account: a field error, then a
    // reference code, then its status.
    b.delete_all_cookies().await.unwrap();
    b.goto(&app.url("/feedback/new?lang=ar")).await.unwrap();
    let html = b.find(Locator::Css("html")).await.unwrap();
    assert_eq!(html.attr("dir").await.unwrap().as_deref(), Some("rtl"));
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let err = b.wait().for_element(Locator::Id("text-error")).await.unwrap();
    assert_eq!(err.text().await.unwrap(), "هذا الحقل مطلوب.");
    b.find(Locator::Id("text")).await.unwrap().send_keys("الإضاءة في الممر الشمالي معطلة منذ أسبوع").await.unwrap();
    b.find(Locator::Id("age")).await.unwrap().send_keys("37").await.unwrap();
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let reference = b.wait().for_element(Locator::Id("reference")).await.unwrap().text().await.unwrap();
    assert_eq!(reference.len(), 14, "{reference}");
    b.find(Locator::Css("main a[href^='/feedback/status']")).await.unwrap().click().await.unwrap();
    let status = b.wait().for_element(Locator::Id("status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "وصلت");

    // The agent form: the cursor starts in the message, the item opens after saving, and
    // the next step is one button away.
    b.delete_all_cookies().await.unwrap();
    b.goto(&app.url("/login?lang=en")).await.unwrap();
    b.find(Locator::Id("username")).await.unwrap().send_keys("agent").await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(&b, "/").await;
    b.goto(&app.url("/feedback/record")).await.unwrap();
    let focused = b.active_element().await.unwrap().attr("id").await.unwrap();
    assert_eq!(focused.as_deref(), Some("text"), "the message field has the focus");
    b.active_element().await.unwrap().send_keys("Caller says the night bus from the camp did not come").await.unwrap();
    b.find(Locator::Id("age")).await.unwrap().send_keys("52").await.unwrap();
    b.find(Locator::Css("form[action='/feedback/record'] button[type=submit]")).await.unwrap().click().await.unwrap();
    for _ in 0..100 {
        if b.current_url().await.unwrap().path().starts_with("/feedback/items/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let narrative = b.wait().for_element(Locator::Id("narrative")).await.unwrap().text().await.unwrap();
    assert_eq!(narrative, "Caller says the night bus from the camp did not come");
    b.find(Locator::Id("acknowledge")).await.unwrap().click().await.unwrap();
    // The page reloads: elements of the old page go stale while it does.
    for _ in 0..100 {
        if let Ok(el) = b.find(Locator::Id("item-status")).await
            && el.text().await.is_ok_and(|t| t == "Acknowledged")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(b.find(Locator::Id("item-status")).await.unwrap().text().await.unwrap(), "Acknowledged");

    // The agent finds an approved answer from the item, by keyboard, and sends it as the
    // response.
    let answer = haven_core::feedback::RawAnswerText {
        language: Some("en".into()),
        question: Some("When does the night bus run?".into()),
        body: Some("The night bus leaves the camp gate at 21:00 every day.".into()),
        category: None,
    };
    let answer = answer.validate().unwrap();
    haven_store::feedback::answers::create(&app.store, &haven_store::identity::Actor::system("test"), &answer)
        .await
        .unwrap();
    let search = b.find(Locator::Id("answers_q")).await.unwrap();
    search.send_keys("NIGHT bus").await.unwrap();
    search.send_keys(&fantoccini::key::Key::Enter.to_string()).await.unwrap();
    let found = b.wait().for_element(Locator::Css("#answer-results a.use-answer")).await.unwrap();
    found.click().await.unwrap();
    for _ in 0..100 {
        if b.current_url().await.unwrap().query().is_some_and(|q| q.contains("answer=")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let response = b.wait().for_element(Locator::Id("public_response")).await.unwrap();
    assert_eq!(
        response.prop("value").await.unwrap().as_deref(),
        Some("The night bus leaves the camp gate at 21:00 every day.")
    );
    b.find(Locator::Id("respond")).await.unwrap().click().await.unwrap();
    for _ in 0..100 {
        if let Ok(el) = b.find(Locator::Id("item-status")).await
            && el.text().await.is_ok_and(|t| t == "Responded")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(b.find(Locator::Id("item-status")).await.unwrap().text().await.unwrap(), "Responded");

    // A project from design to endorsement, in French and in Arabic.
    project_to_endorsement(&b, &app, "fr", "FR-NFI-1", "Approuvé").await;
    project_to_endorsement(&b, &app, "ar", "AR-NFI-1", "معتمد").await;
    b.close().await.unwrap();
}

async fn sign_in_as(b: &Client, app: &TestApp, username: &str, lang: &str) {
    b.delete_all_cookies().await.unwrap();
    b.goto(&app.url(&format!("/login?lang={lang}"))).await.unwrap();
    b.find(Locator::Id("username")).await.unwrap().send_keys(username).await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(b, "/").await;
}

/// Waits for a page whose element `id` has the text `expected` (the old page goes stale first).
async fn wait_for_text(b: &Client, id: &str, expected: &str) {
    for _ in 0..100 {
        if let Ok(el) = b.find(Locator::Id(id)).await
            && el.text().await.is_ok_and(|t| t.contains(expected))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("#{id} never showed {expected:?}");
}

/// A manager registers a project with the form, answers the checklist (two items through the
/// page, one with the justification the page asks for and a deviation asked for it), records
/// the do-no-harm review; a protection officer approves the deviation, endorses the project
/// and gets the printable record, all in `lang`.
async fn project_to_endorsement(b: &Client, app: &TestApp, lang: &str, code: &str, endorsed: &str) {
    sign_in_as(b, app, "manager", lang).await;
    assert_eq!(
        b.find(Locator::Css("html")).await.unwrap().attr("dir").await.unwrap().as_deref(),
        Some(if lang == "ar" { "rtl" } else { "ltr" })
    );
    b.goto(&app.url("/projects/new")).await.unwrap();
    b.find(Locator::Id("code")).await.unwrap().send_keys(code).await.unwrap();
    b.find(Locator::Id("title")).await.unwrap().send_keys("Distribution d'articles non alimentaires").await.unwrap();
    b.find(Locator::Id("sector-shelter-non-food-items")).await.unwrap().click().await.unwrap();
    // A prohibited ground is refused with the reason, in the page's language.
    b.find(Locator::Id("mode-criteria")).await.unwrap().click().await.unwrap();
    b.find(Locator::Css("select[name=criterion_attribute] option[value=age]")).await.unwrap().click().await.unwrap();
    let condition = b.find(Locator::Css("input[name=criterion_condition]")).await.unwrap();
    condition.send_keys("60+").await.unwrap();
    b.find(Locator::Css("input[name=criterion_notes]")).await.unwrap().send_keys("only Sunni families").await.unwrap();
    b.find(Locator::Id("save-project")).await.unwrap().click().await.unwrap();
    let refused = b.wait().for_element(Locator::Id("targeting-error")).await.unwrap().text().await.unwrap();
    let expected = if lang == "ar" { "مرفوض" } else { "Refusé" };
    assert!(refused.starts_with(expected), "{refused}");
    let notes = b.find(Locator::Css("input[name=criterion_notes]")).await.unwrap();
    notes.clear().await.unwrap();
    notes.send_keys("older people carry less weight home").await.unwrap();
    b.find(Locator::Id("save-project")).await.unwrap().click().await.unwrap();
    for _ in 0..100 {
        let path = b.current_url().await.unwrap().path().to_owned();
        if path.starts_with("/projects/") && path != "/projects/new" && !path.ends_with("/projects") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let path = b.current_url().await.unwrap().path().to_owned();
    let id: uuid::Uuid = path.trim_start_matches("/projects/").parse().unwrap();

    // Every mandatory item but one answered by the team; the last one through the page.
    let access = haven_core::authz::decide(
        &haven_core::authz::Principal {
            user_id: haven_store::identity::user_id_by_username(&app.store, "manager").await.unwrap(),
            grants: vec![haven_core::authz::RoleGrant { role: Role::ProjectManager, agency: None, location: None }],
            token_permissions: None,
        },
        haven_core::authz::Permission::ProjectsRead,
    )
    .unwrap();
    let actor = haven_store::identity::Actor { id: Some(access.user_id()), name: "manager".into() };
    let project = haven_store::projects::get(&app.store, &access, id).await.unwrap();
    let lines = haven_store::projects::checklist(&app.store, &project).await.unwrap();
    let gate: Vec<String> =
        lines.iter().filter(|l| l.item.mandatory && l.item.before_endorsement()).map(|l| l.item.code.clone()).collect();
    let met = haven_core::projects::AnswerInput {
        answer: haven_core::projects::Answer::Met,
        justification: None,
        evidence_link: None,
    };
    let (last, others) = gate.split_last().unwrap();
    let (deviated, others) = others.split_last().unwrap();
    for code in others {
        haven_store::projects::answer_item(&app.store, &actor, &project, code, &met).await.unwrap();
    }
    b.goto(&app.url(&format!("/projects/{id}#item-{last}"))).await.unwrap();
    let form = format!("form[action='/projects/{id}/checklist/{last}']");
    b.find(Locator::Css(&format!("{form} input[value=partly]"))).await.unwrap().click().await.unwrap();
    b.find(Locator::Css(&format!("{form} button[type=submit]"))).await.unwrap().click().await.unwrap();
    let error = b.wait().for_element(Locator::Css(&format!("#item-{last} .field-error"))).await.unwrap();
    assert!(!error.text().await.unwrap().is_empty());
    b.find(Locator::Css(&format!("{form} input[value=met]"))).await.unwrap().click().await.unwrap();
    b.find(Locator::Css(&format!("{form} button[type=submit]"))).await.unwrap().click().await.unwrap();
    for _ in 0..100 {
        if b.find(Locator::Css(&format!("#item-{last} .answer-met"))).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.find(Locator::Css(&format!("#item-{last} .answer-met"))).await.unwrap();

    // One item only partly met, with why, and a deviation asked for it on the page.
    b.goto(&app.url(&format!("/projects/{id}#item-{deviated}"))).await.unwrap();
    let form = format!("form[action='/projects/{id}/checklist/{deviated}']");
    b.find(Locator::Css(&format!("{form} input[value=partly]"))).await.unwrap().click().await.unwrap();
    let why = if lang == "ar" {
        "الشريك يبدأ التحليل في الشهر الأول"
    } else {
        "Le partenaire mène l'analyse au premier mois"
    };
    b.find(Locator::Id(&format!("j-{deviated}"))).await.unwrap().send_keys(why).await.unwrap();
    b.find(Locator::Css(&format!("{form} button[type=submit]"))).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css(&format!("#item-{deviated} .answer-partly"))).await.unwrap();
    let open = format!("#item-{deviated} details:has(form[action$='/deviation']) > summary");
    b.find(Locator::Css(&open)).await.unwrap().click().await.unwrap();
    b.find(Locator::Id(&format!("dj-{deviated}"))).await.unwrap().send_keys(why).await.unwrap();
    let ask = format!("form[action='/projects/{id}/checklist/{deviated}/deviation'] button[type=submit]");
    b.find(Locator::Css(&ask)).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css(&format!("#item-{deviated} .deviation-requested"))).await.unwrap();

    // The do-no-harm register: one risk, then the review.
    b.find(Locator::Css("#risks details summary")).await.unwrap().click().await.unwrap();
    b.find(Locator::Id("risk-title")).await.unwrap().send_keys("Longues files d'attente au soleil").await.unwrap();
    b.find(Locator::Id("risk-likelihood")).await.unwrap().send_keys("3").await.unwrap();
    b.find(Locator::Id("risk-impact")).await.unwrap().send_keys("2").await.unwrap();
    b.find(Locator::Id("risk-mitigation"))
        .await
        .unwrap()
        .send_keys("Ombre et eau aux points de distribution")
        .await
        .unwrap();
    b.find(Locator::Id("add-risk")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("#risks table")).await.unwrap();
    b.find(Locator::Id("review-register")).await.unwrap().click().await.unwrap();
    // Only the deviation waits for its decision now.
    let mut waiting = 0;
    for _ in 0..100 {
        waiting = b.find_all(Locator::Css("#unmet li")).await.unwrap().len();
        if waiting == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(waiting, 1);
    b.find(Locator::Css(&format!("#unmet a[href='#item-{deviated}']"))).await.unwrap();

    // A protection officer approves the deviation, then endorses; the record is printable,
    // in the same language.
    sign_in_as(b, app, "protection", lang).await;
    b.goto(&app.url(&format!("/projects/{id}#item-{deviated}"))).await.unwrap();
    let approve = format!("#item-{deviated} form[action$='/decision'] button[value=approve]");
    b.find(Locator::Css(&approve)).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css(&format!("#item-{deviated} .deviation-approved"))).await.unwrap();
    for _ in 0..100 {
        if b.find(Locator::Id("unmet")).await.is_err() && b.find(Locator::Id("gate")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(b.find(Locator::Id("unmet")).await.is_err(), "nothing blocks the endorsement any more");
    b.find(Locator::Id("endorse")).await.unwrap().click().await.unwrap();
    let hash = b.wait().for_element(Locator::Id("snapshot-hash")).await.unwrap().text().await.unwrap();
    assert_eq!(hash.len(), 64);
    assert_eq!(b.find(Locator::Css("html")).await.unwrap().attr("lang").await.unwrap().as_deref(), Some(lang));
    b.goto(&app.url(&format!("/projects/{id}"))).await.unwrap();
    wait_for_text(b, "project-status", endorsed).await;
}
