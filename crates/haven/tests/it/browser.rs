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
    b.close().await.unwrap();
}
