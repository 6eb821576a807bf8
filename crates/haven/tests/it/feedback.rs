//! Feedback and complaints over real HTTP: intake, sealed handling, visibility per role,
//! bad input, concurrency, the public form and status page.

use haven_core::catalog::Localized;
use haven_core::locations::ImportedLocation;
use haven_store::identity::{self as users, Actor};
use serde_json::{Value, json};

use crate::support::*;

pub(crate) const SEALED_TEXT: &str = "The truck driver Idrissou asked my sister for sex in exchange for a food card";
pub(crate) const SEALED_PHONE: &str = "+254711987654";
pub(crate) const OPEN_TEXT: &str = "The water point near block Quenelle has been broken for four days";

pub(crate) async fn feedback_app(engine: Engine, office: bool) -> TestApp {
    feedback_app_with(engine, office, haven_web::WebConfig::new(false, true)).await
}

/// [`feedback_app`] with a web configuration of the test's own.
pub(crate) async fn feedback_app_with(engine: Engine, office: bool, config: haven_web::WebConfig) -> TestApp {
    let app = spawn_with(engine, config).await;
    app.add_role_users().await;
    let name = |n: &str| Localized([("en".to_owned(), n.to_owned())].into());
    let units = vec![
        ImportedLocation { pcode: "XY".into(), level: 0, parent: None, name: name("Xyland") },
        ImportedLocation { pcode: "XY01".into(), level: 1, parent: Some("XY".into()), name: name("North") },
        ImportedLocation { pcode: "XY02".into(), level: 1, parent: Some("XY".into()), name: name("South") },
    ];
    haven_store::locations::import(&app.store, &Actor::system("test"), &units).await.unwrap();
    if office {
        let psea = users::user_id_by_username(&app.store, "psea").await.unwrap();
        let actor = Actor { id: Some(psea), name: "psea".into() };
        haven_store::sealing::set_up_office(&app.store, &actor, psea, PASSWORD).await.unwrap();
    }
    app
}

pub(crate) async fn token(app: &TestApp, username: &str, office_key: bool) -> String {
    let id = users::user_id_by_username(&app.store, username).await.unwrap();
    let actor = Actor { id: Some(id), name: username.into() };
    let key = if office_key {
        haven_store::sealing::unlock_with_password(&app.store, id, PASSWORD).await.unwrap()
    } else {
        None
    };
    users::create_token(&app.store, &actor, id, "test", None, time::Duration::days(1), key.as_ref()).await.unwrap()
}

pub(crate) async fn post(app: &TestApp, token: Option<&str>, path: &str, body: Value) -> (u16, Value) {
    let mut r = reqwest::Client::new().post(app.url(path)).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn get_json(c: &reqwest::Client, url: &str, token: Option<&str>) -> (u16, Value) {
    let mut r = c.get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new().put(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    get_json(&reqwest::Client::new(), &app.url(path), Some(token)).await
}

pub(crate) fn problems(body: &Value) -> Vec<(String, String)> {
    body["error"]["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| (p["field"].as_str().unwrap().to_owned(), p["code"].as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

async fn count_rows(app: &TestApp) -> i64 {
    let (n,): (i64,) = haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query_as("SELECT COUNT(*) FROM feedback").fetch_one(p).await
    })
    .unwrap();
    n
}

#[tokio::test]
async fn sealed_items_are_seen_and_opened_only_by_psea_focal_points() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let (status, open) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": OPEN_TEXT, "channel": "helpdesk", "location": "XY01"}),
        )
        .await;
        assert_eq!(status, 201, "{open}");
        assert_eq!(open["reference"].as_str().unwrap().len(), 14);
        let sealed_body = json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea", "location": "XY02",
            "contact_phone": SEALED_PHONE, "consent_to_contact": true, "safe_contact": "mornings only"});
        let (status, sealed) = post(&app, Some(&agent), "/api/v1/feedback", sealed_body).await;
        assert_eq!(status, 201);
        // No declared sensitivity, but the keyword screen seals it provisionally.
        let (status, flagged) = post(
            &app,
            None,
            "/api/v1/public/feedback",
            json!({"text": "The guard Xanthippe took a bribe at the gate", "channel": "web"}),
        )
        .await;
        assert_eq!(status, 201);
        // A typology category of allegations seals the item even without alarming words.
        let text = "Complaint about the driver of truck 12";
        let body = json!({"text": text, "channel": "helpdesk", "category": "report-sea"});
        let (status, by_category) = post(&app, Some(&agent), "/api/v1/feedback", body).await;
        assert_eq!(status, 201);

        // Roles outside PSEA see the open item only, and the sealed ones do not exist for them.
        for user in ["agent", "protection", "manager"] {
            let t = token(&app, user, false).await;
            let (status, page) = get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback"), Some(&t)).await;
            assert_eq!(status, 200, "{user}");
            assert_eq!(page["total"], 1, "{user}: {page}");
            assert_eq!(page["items"][0]["id"], open["id"]);
            assert!(page["items"][0].get("sensitive_type").is_none());
            for hidden in [&sealed, &flagged, &by_category] {
                let url = app.url(&format!("/api/v1/feedback/{}", hidden["id"].as_str().unwrap()));
                assert_eq!(get_json(&reqwest::Client::new(), &url, Some(&t)).await.0, 404, "{user}");
            }
            let (_, found) =
                get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback?q=quenelle%20BLOCK"), Some(&t)).await;
            assert_eq!(found["total"], 1);
            let (_, found) = get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback?q=idrissou"), Some(&t)).await;
            assert_eq!(found["total"], 0, "sealed narratives are not searchable");
        }
        let admin = token(&app, "admin", false).await;
        assert_eq!(get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback"), Some(&admin)).await.0, 403);

        // The focal point's session (opened by their password) carries the office key.
        let psea = signed_in(&app, "psea").await;
        let (status, page) = get_json(&psea, &app.url("/api/v1/feedback"), None).await;
        assert_eq!(status, 200);
        assert_eq!(page["total"], 4);
        let sealed_url = app.url(&format!("/api/v1/feedback/{}", sealed["id"].as_str().unwrap()));
        let (status, item) = get_json(&psea, &sealed_url, None).await;
        assert_eq!(status, 200, "{item}");
        assert_eq!(item["text"], SEALED_TEXT);
        assert_eq!(item["contact_phone"], SEALED_PHONE);
        assert_eq!(item["sensitive_type"], "sea");
        assert_eq!(item["seal"], "sealed");
        assert!(item["refer_by"].is_string(), "sealed items are due for referral");
        let flagged_url = app.url(&format!("/api/v1/feedback/{}", flagged["id"].as_str().unwrap()));
        let (_, item) = get_json(&psea, &flagged_url, None).await;
        assert_eq!((item["seal"].as_str(), item["sensitive_type"].as_str()), (Some("provisional"), Some("fraud")));
        let url = app.url(&format!("/api/v1/feedback/{}", by_category["id"].as_str().unwrap()));
        let (_, item) = get_json(&psea, &url, None).await;
        assert_eq!(
            (item["seal"].as_str(), item["sensitive_type"].as_str(), item["category"].as_str()),
            (Some("sealed"), Some("sea"), Some("report-sea"))
        );

        // A focal point's token opens sealed content only when made with the password.
        let with_key = token(&app, "psea", true).await;
        let (_, item) = get_json(&reqwest::Client::new(), &sealed_url, Some(&with_key)).await;
        assert_eq!(item["text"], SEALED_TEXT);
        let without_key = token(&app, "psea", false).await;
        let (status, item) = get_json(&reqwest::Client::new(), &sealed_url, Some(&without_key)).await;
        assert_eq!(status, 200);
        assert!(item["text"].is_null() && item.get("contact_phone").is_none(), "{item}");

        // Focal points were told that sealed items arrived, without their content.
        let psea_id = users::user_id_by_username(&app.store, "psea").await.unwrap();
        let notices = haven_store::notifications::unread(&app.store, psea_id).await.unwrap();
        assert_eq!(notices.iter().filter(|n| n.kind == "feedback-sealed").count(), 3, "{notices:?}");
        let (_, home) = get_text(&psea, &app.url("/")).await;
        assert!(home.contains("A sealed report arrived") && !home.contains("Idrissou"));
        let agent_id = users::user_id_by_username(&app.store, "agent").await.unwrap();
        assert!(haven_store::notifications::unread(&app.store, agent_id).await.unwrap().is_empty());
        let opened =
            haven_store::audit::list(&app.store.pool, Some("feedback.sealed-opened"), None, 100).await.unwrap();
        let of_sealed = opened.iter().filter(|e| e.entry.entity_id == sealed["id"].as_str().unwrap()).count();
        assert_eq!((opened.len(), of_sealed), (4, 2), "every opening is audited");

        // The raw database holds no narrative, name or phone number that was submitted.
        match engine {
            Engine::Sqlite => {
                app.store.pool.checkpoint().await.unwrap();
                let mut raw = std::fs::read(app.db_dir.path().join("haven.db")).unwrap();
                if let Ok(wal) = std::fs::read(app.db_dir.path().join("haven.db-wal")) {
                    raw.extend(wal);
                }
                let text = String::from_utf8_lossy(&raw).to_lowercase();
                for secret in ["idrissou", "quenelle", "254711987654", "mornings only", "xanthippe"] {
                    assert!(!text.contains(secret), "{secret} found in the database file");
                }
            }
            Engine::Postgres => {
                type Encrypted = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);
                let rows: Vec<Encrypted> = haven_store::on_pool!(&app.store.pool, p => {
                    sqlx::query_as("SELECT narrative_enc, contact_enc, sealed_content FROM feedback").fetch_all(p).await
                })
                .unwrap();
                for (a, b, c) in rows {
                    for bytes in [a, b, c].into_iter().flatten() {
                        let text = String::from_utf8_lossy(&bytes).to_lowercase();
                        assert!(
                            !text.contains("idrissou") && !text.contains("quenelle") && !text.contains("254711987654")
                        );
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_stores_nothing() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let agent = token(&app, "agent", false).await;
        let (status, body) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": " ", "channel": "carrier-pigeon", "sex": "female", "age": 200, "location": "XY01",
                   "contact_phone": "+254 700 000 000"}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let problems: Vec<(String, String)> = body["error"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["field"].as_str().unwrap().to_owned(), p["code"].as_str().unwrap().to_owned()))
            .collect();
        let expected = [
            ("text", "required"),
            ("channel", "unknown-code"),
            ("consent_to_contact", "consent-required"),
            ("sex", "unknown-code"),
            ("age", "out-of-range"),
        ];
        assert_eq!(problems, expected.map(|(f, c)| (f.to_owned(), c.to_owned())).to_vec());
        assert!(!body.to_string().contains("254 700"), "no echo of submitted values");
        let (status, body) =
            post(&app, Some(&agent), "/api/v1/feedback", json!({"text": "x", "channel": "web", "location": "ZZ99"}))
                .await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("location")));
        // Not JSON at all.
        let r = reqwest::Client::new()
            .post(app.url("/api/v1/public/feedback"))
            .header("content-type", "application/json")
            .body("{\"text\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        // Sensitive feedback cannot be sealed before the office key exists: refused, not
        // stored in the open.
        let (status, body) =
            post(&app, None, "/api/v1/public/feedback", json!({"text": "he asked me for sex", "channel": "web"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (503, Some("feedback-not-set-up")));
        assert_eq!(count_rows(&app).await, 0);
    }
}

#[tokio::test]
async fn concurrent_submissions_lose_nothing() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let client = reqwest::Client::new();
        let mut tasks = Vec::new();
        for i in 0..120 {
            let (client, url, agent) = (client.clone(), app.url("/api/v1/feedback"), agent.clone());
            tasks.push(tokio::spawn(async move {
                let body = json!({"text": format!("Distribution point {i} opened late"), "channel": "hotline"});
                let r = client.post(url).bearer_auth(agent).json(&body).send().await.unwrap();
                assert_eq!(r.status().as_u16(), 201);
                r.json::<Value>().await.unwrap()["reference"].as_str().unwrap().to_owned()
            }));
        }
        let mut references = std::collections::BTreeSet::new();
        for t in tasks {
            references.insert(t.await.unwrap());
        }
        assert_eq!(references.len(), 120);
        assert_eq!(count_rows(&app).await, 120);
    }
}

#[tokio::test]
async fn the_public_form_answers_with_a_reference_and_the_status_page_stays_neutral() {
    let app = feedback_app(Engine::Sqlite, true).await;
    let c = client();
    let (status, page) = get_text(&c, &app.url("/feedback/new?lang=ar")).await;
    assert_eq!(status, 200);
    assert!(page.contains("dir=\"rtl\"") && page.contains("قدّم ملاحظة أو شكوى"));
    let csrf = hidden(&page, "csrf");
    // Contact without consent: the form comes back with the field's error, nothing stored.
    let r = c
        .post(app.url("/feedback/new"))
        .form(&[("csrf", csrf.as_str()), ("text", "المصباح في الممر مكسور"), ("contact_phone", "0700123456")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("لا نحتفظ ببيانات الاتصال إلا بموافقتك"));
    assert_eq!(count_rows(&app).await, 0);
    let r = c
        .post(app.url("/feedback/new"))
        .form(&[("csrf", csrf.as_str()), ("text", "تحرش بي موظف التوزيع"), ("about", ""), ("sex", "f"), ("age", "24")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let page = r.text().await.unwrap();
    let start = page.find("id=\"reference\" dir=\"ltr\">").unwrap() + "id=\"reference\" dir=\"ltr\">".len();
    let reference = page[start..start + 14].to_owned();
    // Typed back in lower case without dashes: found, with neutral wording (the keyword
    // screen sealed it), and never the message.
    let typed = reference.to_lowercase().replace('-', "");
    let (status, page) = get_text(&c, &app.url(&format!("/feedback/status?ref={typed}"))).await;
    assert_eq!(status, 200);
    assert!(page.contains("وصلت وقيد المعالجة"), "neutral status");
    assert!(!page.contains("تحرش"));
    let (status, _) = get_text(&c, &app.url("/feedback/status?ref=0000-0000-0000")).await;
    assert_eq!(status, 404);
    // Without the form's CSRF cookie pair the post is refused.
    let r = client().post(app.url("/feedback/new")).form(&[("text", "hello")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

#[tokio::test]
async fn feedback_and_the_office_key_survive_a_copy_to_postgresql() {
    if !engines().contains(&Engine::Postgres) {
        return;
    }
    let app = feedback_app(Engine::Sqlite, true).await;
    let agent = token(&app, "agent", false).await;
    let body = json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea", "contact_phone": SEALED_PHONE, "consent_to_contact": true});
    let (_, sealed) = post(&app, Some(&agent), "/api/v1/feedback", body).await;
    let (_, open) = post(&app, Some(&agent), "/api/v1/feedback", json!({"text": OPEN_TEXT, "channel": "sms"})).await;
    let target = database(Engine::Postgres).await;
    let report = haven_store::copy::copy_all(&app.store, &target.pool).await.unwrap();
    assert!(report.rows.contains(&("feedback", 2)), "{:?}", report.rows);
    let copied = haven_store::Store::new(target.pool.clone(), app.store.keys.clone());
    let psea = users::user_id_by_username(&copied, "psea").await.unwrap();
    let key = haven_store::sealing::unlock_with_password(&copied, psea, PASSWORD).await.unwrap().expect("wrap copied");
    let access = haven_core::authz::decide(
        &users::principal(&copied, psea).await.unwrap(),
        haven_core::authz::Permission::FeedbackRead,
    )
    .unwrap();
    let actor = Actor { id: Some(psea), name: "psea".into() };
    let id = sealed["id"].as_str().unwrap().parse().unwrap();
    let d = haven_store::feedback::get(&copied, &access, &actor, true, Some(&key), id).await.unwrap();
    assert_eq!((d.narrative.as_str(), d.contact_phone.as_deref()), (SEALED_TEXT, Some(SEALED_PHONE)));
    let id = open["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        haven_store::feedback::get(&copied, &access, &actor, true, None, id).await.unwrap().narrative,
        OPEN_TEXT
    );
    let filter = haven_store::feedback::ListFilter { q: Some("quenelle".into()), limit: 10, ..Default::default() };
    assert_eq!(
        haven_store::feedback::list(&copied, &access, true, &filter).await.unwrap().1,
        1,
        "search tokens copied"
    );
}

pub(crate) const TWILIO_TOKEN: &str = "twilio-test-auth-token";
const GATEWAY_SECRET: &str = "gateway-shared-secret";
pub(crate) const META_SECRET: &str = "meta-app-secret";

/// The signature Meta puts on a WhatsApp webhook body (`X-Hub-Signature-256`).
pub(crate) fn meta_signature(body: &str) -> String {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(META_SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", haven_store::crypto::hex(&mac.finalize().into_bytes()))
}

async fn channels_app(engine: Engine) -> TestApp {
    let mut config = haven_web::WebConfig::new(false, true);
    config.channels = haven_web::feedback::webhooks::ChannelSecrets {
        public_url: Some("https://haven.example.org".into()),
        twilio_auth_token: Some(haven_core::secret::Secret::new(TWILIO_TOKEN)),
        sms_webhook_secret: Some(haven_core::secret::Secret::new(GATEWAY_SECRET)),
        whatsapp_app_secret: Some(haven_core::secret::Secret::new(META_SECRET)),
        whatsapp_verify_token: Some(haven_core::secret::Secret::new("verify-me")),
    };
    let app = spawn_with(engine, config).await;
    app.add_role_users().await;
    let psea = users::user_id_by_username(&app.store, "psea").await.unwrap();
    let actor = Actor { id: Some(psea), name: "psea".into() };
    haven_store::sealing::set_up_office(&app.store, &actor, psea, PASSWORD).await.unwrap();
    app
}

pub(crate) fn twilio_params(sid: &str, body: &str) -> Vec<(String, String)> {
    [
        ("MessageSid", sid),
        ("AccountSid", "AC0123"),
        ("From", "+254722000111"),
        ("To", "+254700000000"),
        ("Body", body),
        ("NumMedia", "0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

pub(crate) async fn post_twilio(app: &TestApp, params: &[(String, String)], signature: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .post(app.url("/webhooks/sms/twilio"))
        .header("x-twilio-signature", signature)
        .form(params)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn messaging_channels_check_signatures_and_ignore_redeliveries() {
    for engine in engines() {
        let app = channels_app(engine).await;
        // Twilio signs the public URL (Haven is behind a proxy here) and every parameter.
        let params = twilio_params("SM0000000000000000000000000000001", "The tap at the clinic is broken");
        let url = "https://haven.example.org/webhooks/sms/twilio";
        let signature = haven_web::feedback::webhooks::twilio_signature(TWILIO_TOKEN, url, &params);
        let (status, twiml) = post_twilio(&app, &params, &signature).await;
        assert_eq!(status, 200, "{twiml}");
        assert!(twiml.starts_with("<?xml") && twiml.contains("<Response><Message>"), "{twiml}");
        let reference = twiml.split("reference: ").nth(1).unwrap()[..14].to_owned();
        // Twilio retries: the same MessageSid gives the same reference and no second record.
        let (status, again) = post_twilio(&app, &params, &signature).await;
        assert_eq!(status, 200);
        assert!(again.contains(&reference));
        assert_eq!(count_rows(&app).await, 1);
        // A signature over other parameters, another URL or no signature at all: 403, nothing stored.
        let tampered = twilio_params("SM0000000000000000000000000000002", "The tap at the clinic is broken!");
        assert_eq!(post_twilio(&app, &tampered, &signature).await.0, 403);
        let other_url = haven_web::feedback::webhooks::twilio_signature(
            TWILIO_TOKEN,
            "https://evil.example/webhooks/sms/twilio",
            &tampered,
        );
        assert_eq!(post_twilio(&app, &tampered, &other_url).await.0, 403);
        let r = reqwest::Client::new().post(app.url("/webhooks/sms/twilio")).form(&tampered).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403);
        assert_eq!(count_rows(&app).await, 1);
        // A sensitive SMS is sealed by the keyword screen, and the reply stays neutral.
        let params = twilio_params("SM0000000000000000000000000000003", "طلب مني موظف التسجيل رشوة");
        let signature = haven_web::feedback::webhooks::twilio_signature(TWILIO_TOKEN, url, &params);
        let (status, twiml) = post_twilio(&app, &params, &signature).await;
        assert_eq!(status, 200);
        assert!(twiml.contains("شكرًا لك، وصلتنا رسالتك") && !twiml.contains("رشوة"), "{twiml}");

        // The generic gateway: HMAC-SHA256 of the raw body.
        let body = json!({"id": "rp-9001", "from": "+254733000222", "text": "When is the next distribution?", "received_at": "2026-03-06T14:05:00Z"}).to_string();
        let sign = |b: &str| haven_web::feedback::webhooks::gateway_signature(GATEWAY_SECRET, b.as_bytes());
        let send = |body: String, signature: Option<String>| {
            let mut r = reqwest::Client::new()
                .post(app.url("/webhooks/sms/generic"))
                .header("content-type", "application/json")
                .body(body);
            if let Some(s) = signature {
                r = r.header("x-haven-signature", s);
            }
            r.send()
        };
        let r = send(body.clone(), Some(sign(&body))).await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let first: Value = r.json().await.unwrap();
        let r = send(body.clone(), Some(sign(&body))).await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "a redelivery is answered, not stored again");
        assert_eq!(r.json::<Value>().await.unwrap()["reference"], first["reference"]);
        assert_eq!(send(body.clone(), Some(sign("{}"))).await.unwrap().status().as_u16(), 403);
        assert_eq!(send(body.clone(), None).await.unwrap().status().as_u16(), 403);
        let bad = json!({"id": "rp-9002", "text": "x", "received_at": "yesterday"}).to_string();
        let r = send(bad.clone(), Some(sign(&bad))).await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "received_at");
        let psea = token(&app, "psea", true).await;
        let (_, item) = get_json(
            &reqwest::Client::new(),
            &app.url(&format!("/api/v1/feedback/{}", first["id"].as_str().unwrap())),
            Some(&psea),
        )
        .await;
        assert_eq!(item["received_at"], "2026-03-06T14:05:00Z");
        assert_eq!(item["channel"], "sms");

        // WhatsApp Cloud API: the verification challenge, then a signed event.
        let c = reqwest::Client::new();
        let r = c
            .get(app.url("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"))
            .send()
            .await
            .unwrap();
        assert_eq!((r.status().as_u16(), r.text().await.unwrap()), (200, "1158201444".to_owned()));
        let r = c
            .get(app.url("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let event = json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "254700000000", "phone_number_id": "1"},
            "contacts": [{"profile": {"name": "A"}, "wa_id": "254744000333"}],
            "messages": [{"from": "254744000333", "id": "wamid.HBgM0001", "timestamp": "1772805600", "type": "text", "text": {"body": "Merci pour les couvertures"}}]
        }}]}]}).to_string();
        for _ in 0..2 {
            let r = c
                .post(app.url("/webhooks/whatsapp"))
                .header("x-hub-signature-256", meta_signature(&event))
                .body(event.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
        }
        let r = c
            .post(app.url("/webhooks/whatsapp"))
            .header("x-hub-signature-256", meta_signature("{}"))
            .body(event.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let (_, page) = get_json(&c, &app.url("/api/v1/feedback?channel=whatsapp"), Some(&psea)).await;
        assert_eq!(page["total"], 1, "one record for a message delivered twice");
        assert_eq!(count_rows(&app).await, 4);
    }
}

#[tokio::test]
async fn a_channel_without_its_secret_is_off() {
    let app = feedback_app(Engine::Sqlite, true).await;
    let c = reqwest::Client::new();
    for path in ["/webhooks/sms/twilio", "/webhooks/sms/generic", "/webhooks/whatsapp"] {
        let r = c
            .post(app.url(path))
            .header("x-twilio-signature", "x")
            .body("Body=hi&MessageSid=SM1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    let r =
        c.get(app.url("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=&hub.challenge=1")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(count_rows(&app).await, 0);
}

async fn step(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    post(app, Some(token), &format!("/api/v1/feedback/{id}/steps"), body).await
}

#[tokio::test]
async fn the_lifecycle_from_receipt_to_closing_the_loop() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let (_, item) =
            post(&app, Some(&agent), "/api/v1/feedback", json!({"text": OPEN_TEXT, "channel": "helpdesk"})).await;
        let id = item["id"].as_str().unwrap();
        assert_eq!(
            step(&app, &agent, id, json!({"step": "acknowledge"})).await,
            (200, json!({"status": "acknowledged"}))
        );
        let (status, body) = step(&app, &agent, id, json!({"step": "assign", "assignee": "nobody-here"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("assignee")));
        assert_eq!(step(&app, &agent, id, json!({"step": "assign", "assignee": "protection"})).await.0, 200);
        let (status, body) = step(
            &app,
            &agent,
            id,
            json!({"step": "close", "closure_reason": "resolved", "loop_closing": "follow_up_call"}),
        )
        .await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("not-responded")));
        let (status, _) =
            step(&app, &agent, id, json!({"step": "respond", "public_response": "The tap was repaired on Tuesday."}))
                .await;
        assert_eq!(status, 200);
        let (status, body) = step(&app, &agent, id, json!({"step": "close", "closure_reason": "resolved"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("loop_closing")));
        let close = json!({"step": "close", "closure_reason": "resolved", "loop_closing": "follow_up_call", "satisfaction": "satisfied", "note": "Called Mrs K back"});
        assert_eq!(step(&app, &agent, id, close).await, (200, json!({"status": "closed"})));
        // A viewer of feedback (project manager) may read but not act.
        let manager = token(&app, "manager", false).await;
        assert_eq!(step(&app, &manager, id, json!({"step": "reopen"})).await.0, 403);
        assert_eq!(
            step(&app, &agent, id, json!({"step": "reopen", "note": "Broken again"})).await.1["status"],
            "acknowledged"
        );
        let (_, events) =
            get_json(&reqwest::Client::new(), &app.url(&format!("/api/v1/feedback/{id}/events")), Some(&agent)).await;
        let steps: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["step"].as_str().unwrap()).collect();
        assert_eq!(steps, ["acknowledge", "assign", "respond", "close", "reopen"]);
        assert_eq!(events[3]["note"], "Called Mrs K back");
        // The person sees the public answer on the status page, never the message.
        let (_, page) =
            get_text(&client(), &app.url(&format!("/feedback/status?ref={}", item["reference"].as_str().unwrap())))
                .await;
        assert!(page.contains("The tap was repaired on Tuesday.") && !page.contains("Quenelle"));

        // Sealed items: PSEA focal points refer for investigation; assistance only with consent;
        // agents cannot act on them at all.
        let (_, sealed) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea"}),
        )
        .await;
        let sid = sealed["id"].as_str().unwrap();
        assert_eq!(step(&app, &agent, sid, json!({"step": "acknowledge"})).await.0, 404);
        let psea = token(&app, "psea", true).await;
        let refer = |kind: &str, consent: bool| json!({"step": "refer", "referral_kind": kind, "referred_to": "Investigation office", "consent": consent, "note": "Perpetrator's employer: the distribution contractor"});
        assert_eq!(step(&app, &psea, sid, refer("partner", true)).await.1["error"]["code"], "sealed-referral");
        assert_eq!(
            step(&app, &psea, sid, refer("assistance", false)).await.1["error"]["code"],
            "referral-consent-required"
        );
        assert_eq!(step(&app, &psea, sid, refer("investigation", false)).await, (200, json!({"status": "referred"})));
        let (_, events) =
            get_json(&reqwest::Client::new(), &app.url(&format!("/api/v1/feedback/{sid}/events")), Some(&psea)).await;
        assert_eq!(events[0]["note"], "Perpetrator's employer: the distribution contractor");
        let without_key = token(&app, "psea", false).await;
        let (_, events) =
            get_json(&reqwest::Client::new(), &app.url(&format!("/api/v1/feedback/{sid}/events")), Some(&without_key))
                .await;
        assert!(events[0]["note"].is_null(), "sealed notes need the office key");
    }
}

#[tokio::test]
async fn a_psea_focal_point_confirms_or_lifts_a_provisional_seal() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let (_, flagged) = post(
            &app,
            None,
            "/api/v1/public/feedback",
            json!({"text": "The guard said I must pay a bribe at gate Quenelle", "channel": "web"}),
        )
        .await;
        let id = flagged["id"].as_str().unwrap();
        let agent = token(&app, "agent", false).await;
        let admin = token(&app, "admin", false).await;
        let body = json!({"decision": "unseal", "reason": "A complaint about a private guard, not staff"});
        assert_eq!(post(&app, Some(&agent), &format!("/api/v1/feedback/{id}/seal"), body.clone()).await.0, 403);
        assert_eq!(post(&app, Some(&admin), &format!("/api/v1/feedback/{id}/seal"), body.clone()).await.0, 403);
        let no_key = token(&app, "psea", false).await;
        let (status, err) = post(&app, Some(&no_key), &format!("/api/v1/feedback/{id}/seal"), body.clone()).await;
        assert_eq!((status, err["error"]["code"].as_str()), (400, Some("office-key-needed")));
        let psea = token(&app, "psea", true).await;
        let (status, _) = post(
            &app,
            Some(&psea),
            &format!("/api/v1/feedback/{id}/seal"),
            json!({"decision": "unseal", "reason": " "}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(post(&app, Some(&psea), &format!("/api/v1/feedback/{id}/seal"), body).await.0, 204);
        // Now an ordinary item: agents see it, read it and find it by its words.
        let (_, item) =
            get_json(&reqwest::Client::new(), &app.url(&format!("/api/v1/feedback/{id}")), Some(&agent)).await;
        assert_eq!(
            (item["seal"].as_str(), item["text"].as_str()),
            (Some("open"), Some("The guard said I must pay a bribe at gate Quenelle"))
        );
        let (_, found) = get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback?q=quenelle"), Some(&agent)).await;
        assert_eq!(found["total"], 1);
        // Confirming a seal keeps the item hidden from agents.
        let (_, sea) = post(
            &app,
            None,
            "/api/v1/public/feedback",
            json!({"text": "He touched me at the distribution", "channel": "web"}),
        )
        .await;
        let sid = sea["id"].as_str().unwrap();
        let confirm = json!({"decision": "confirm", "sensitive_type": "sea", "reason": "Allegation against a distribution worker"});
        assert_eq!(post(&app, Some(&psea), &format!("/api/v1/feedback/{sid}/seal"), confirm).await.0, 204);
        let (_, item) =
            get_json(&reqwest::Client::new(), &app.url(&format!("/api/v1/feedback/{sid}")), Some(&psea)).await;
        assert_eq!((item["seal"].as_str(), item["sensitive_type"].as_str()), (Some("sealed"), Some("sea")));
        assert_eq!(
            get_json(&reqwest::Client::new(), &app.url(&format!("/api/v1/feedback/{sid}")), Some(&agent)).await.0,
            404
        );
        let decided = haven_store::audit::list(&app.store.pool, Some("feedback.seal-decided"), None, 10).await.unwrap();
        assert_eq!(decided.len(), 2);
    }
}

#[tokio::test]
async fn agents_record_and_work_items_on_the_pages_and_sealed_ones_leave_their_hands() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = signed_in(&app, "agent").await;
        let (status, page) = get_text(&agent, &app.url("/feedback/record")).await;
        assert_eq!(status, 200);
        assert!(page.contains("North"), "locations offered");
        let csrf = hidden(&page, "csrf");
        let form = [
            ("csrf", csrf.as_str()),
            ("channel", "hotline"),
            ("text", OPEN_TEXT),
            ("location", "XY01"),
            ("age", "41"),
            ("sex", "m"),
            ("criticality", "action_needed"),
        ];
        let r = agent.post(app.url("/feedback/record")).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let item_path = r.headers()["location"].to_str().unwrap().to_owned();
        let (status, page) = get_text(&agent, &app.url(&item_path)).await;
        assert_eq!(status, 200);
        assert!(page.contains(OPEN_TEXT) && page.contains("Received"));
        let r = agent
            .post(app.url(&format!("{item_path}/steps")))
            .form(&[("csrf", csrf.as_str()), ("step", "close"), ("closure_reason", "resolved"), ("loop_closing", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = get_text(&agent, &app.url(r.headers()["location"].to_str().unwrap())).await;
        assert!(page.contains("Respond before closing"), "the refusal is shown on the item");
        let r = agent
            .post(app.url(&format!("{item_path}/steps")))
            .form(&[("csrf", csrf.as_str()), ("step", "acknowledge")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = get_text(&agent, &app.url(&item_path)).await;
        assert!(page.contains("id=\"item-status\">Acknowledged"));

        // A sealed report typed by the agent: only its reference comes back.
        let form = [
            ("csrf", csrf.as_str()),
            ("channel", "helpdesk"),
            ("text", SEALED_TEXT),
            ("about", "sea"),
            ("criticality", "urgent"),
        ];
        let r = agent.post(app.url("/feedback/record")).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"sealed-notice\"") && !page.contains("Idrissou"));
        let (_, list) = get_text(&agent, &app.url("/feedback")).await;
        assert_eq!(list.matches("href=\"/feedback/items/").count(), 1, "the agent's list has the open item only");
        assert!(!list.contains("tag sealed"));
        let psea = signed_in(&app, "psea").await;
        let (_, list) = get_text(&psea, &app.url("/feedback")).await;
        assert_eq!(list.matches("href=\"/feedback/items/").count(), 2);
        assert!(list.contains("tag sealed"));
        let sealed_path = list.split("href=\"/feedback/items/").nth(1).unwrap().split('"').next().unwrap();
        let (status, page) = get_text(&psea, &app.url(&format!("/feedback/items/{sealed_path}"))).await;
        assert_eq!(status, 200);
        assert!(page.contains("Idrissou"), "the focal point's session opens it");
        // Bad input on the agent form: the field's error, nothing stored.
        let before = count_rows(&app).await;
        let form = [("csrf", csrf.as_str()), ("channel", "hotline"), ("text", "x"), ("contact_phone", "12ab")];
        let r = agent.post(app.url("/feedback/record")).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("id=\"contact_phone-error\""));
        assert_eq!(count_rows(&app).await, before);
    }
}

async fn import(app: &TestApp, token: &str, name: &str, body: Vec<u8>) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/feedback/import?name={name}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn logs_import_whole_or_not_at_all_with_every_problem_located() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let bad = "Feedback message,Feedback channel,Location,Received,Consent,Phone\n\
                   The bus did not come,Call centre,XY01,2026-03-01,no,\n\
                   ,Help desk,XY99,2026-03-02,maybe,\n\
                   Latrine lock broken,pigeon,XY02,01/03/2099,yes,+254700000001\n";
        let (status, body) = import(&app, &agent, "log.csv", bad.into()).await;
        assert_eq!(status, 422, "{body}");
        let problems: Vec<(u64, String, String)> = body["error"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["row"].as_u64().unwrap(),
                    p["field"].as_str().unwrap().to_owned(),
                    p["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected = [
            (3, "Consent", "not-yes-or-no"),
            (3, "Feedback message", "required"),
            (4, "Received", "in-the-future"),
            (4, "Feedback channel", "unknown-code"),
        ];
        assert_eq!(problems, expected.map(|(r, f, c)| (r, f.to_owned(), c.to_owned())).to_vec());
        assert_eq!(count_rows(&app).await, 0);
        // The locations are checked against the tree once the rows themselves are right.
        let unknown_place = "text,channel,location\nThe bus did not come,sms,XY99\n";
        let (status, body) = import(&app, &agent, "log.csv", unknown_place.into()).await;
        assert_eq!((status, body["error"]["problems"][0]["code"].as_str()), (422, Some("unknown-location")));
        let ragged = "text,channel\nok,sms\nno channel\n";
        let (status, body) = import(&app, &agent, "log.csv", ragged.into()).await;
        assert_eq!((status, body["error"]["problems"][0]["row"].as_u64()), (422, Some(3)));
        assert_eq!(count_rows(&app).await, 0);

        let good = "Feedback message,Feedback channel,Location,Received,Category\n\
                    The bus did not come,Call centre,XY01,2026-03-01 08:30,request-support\n\
                    He asked me for sex for a place on the list,Help desk,XY02,2026-03-02,\n";
        let (status, report) = import(&app, &agent, "log.csv", good.into()).await;
        assert_eq!((status, report), (201, json!({"imported": 2, "sealed": 1})));
        let (_, page) = get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback"), Some(&agent)).await;
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["received_at"], "2026-03-01T08:30:00Z");
        assert_eq!(page["items"][0]["channel"], "hotline");

        // The same from an Excel workbook with Arabic text.
        let headers = vec!["text".to_owned(), "channel".to_owned(), "sex".to_owned(), "age".to_owned()];
        let rows = vec![vec![
            "الكهرباء مقطوعة في المخيم".to_owned(),
            "suggestion box".to_owned(),
            "f".to_owned(),
            "61".to_owned(),
        ]];
        let xlsx = haven_io::write_xlsx("log", &headers, &rows, true).unwrap();
        let (status, report) = import(&app, &agent, "log.xlsx", xlsx).await;
        assert_eq!((status, report["imported"].as_u64()), (201, Some(1)));
        let (_, found) = get_json(
            &reqwest::Client::new(),
            &app.url("/api/v1/feedback?q=%D8%A7%D9%84%D9%83%D9%87%D8%B1%D8%A8%D8%A7%D8%A1"),
            Some(&agent),
        )
        .await;
        assert_eq!((found["total"].as_i64(), found["items"][0]["age_bracket"].as_str()), (Some(1), Some("60-plus")));
        // Import is recording: not for roles that only read feedback.
        let manager = token(&app, "manager", false).await;
        assert_eq!(import(&app, &manager, "log.csv", good.into()).await.0, 403);
    }
}

#[tokio::test]
async fn dashboards_count_from_running_totals_and_suppress_small_cells_outside_protection() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let mut ids = Vec::new();
        for (i, channel) in
            ["hotline", "hotline", "hotline", "hotline", "hotline", "hotline", "sms", "sms", "web"].iter().enumerate()
        {
            let body = json!({"text": format!("The queue at point {i} is too long"), "channel": channel, "location": "XY01", "sex": "f", "age": 30});
            let (_, item) = post(&app, Some(&agent), "/api/v1/feedback", body).await;
            ids.push(item["id"].as_str().unwrap().to_owned());
        }
        // One sealed item: it counts, and shows only as "sealed" outside PSEA.
        post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea", "location": "XY02"}),
        )
        .await;
        // Two answered in time and closed with the loop closed, one of them satisfied.
        for (id, satisfaction) in [(&ids[0], "satisfied"), (&ids[1], "dissatisfied")] {
            assert_eq!(step(&app, &agent, id, json!({"step": "respond", "public_response": "Fixed"})).await.0, 200);
            let close = json!({"step": "close", "closure_reason": "resolved", "loop_closing": "follow_up_call", "satisfaction": satisfaction});
            assert_eq!(step(&app, &agent, id, close).await.0, 200);
        }
        let c = reqwest::Client::new();
        let protection = token(&app, "protection", false).await;
        let manager = token(&app, "manager", false).await;
        let (_, full) = get_json(&c, &app.url("/api/v1/feedback/stats?by=channel"), Some(&protection)).await;
        let cells = |v: &Value| -> Vec<(String, Option<u64>)> {
            v["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["key"].as_str().unwrap().to_owned(), c["count"].as_u64()))
                .collect()
        };
        assert_eq!(cells(&full), vec![("hotline".into(), Some(7)), ("sms".into(), Some(2)), ("web".into(), Some(1))]);
        assert_eq!(full["total"], 10);
        let (_, shown) = get_json(&c, &app.url("/api/v1/feedback/stats?by=channel"), Some(&manager)).await;
        // sms and web (3 together) could be worked out from the total: hotline is hidden too.
        assert_eq!(cells(&shown), vec![("hotline".into(), None), ("sms".into(), None), ("web".into(), None)]);
        assert_eq!((shown["total"].as_u64(), shown["suppressed"].as_bool()), (Some(10), Some(true)));
        // The aggregate export leaves the same cells empty and flags them.
        let aggregate = |token: String| {
            let url = app.url("/api/v1/feedback/stats/export?by=channel&format=hxl-csv");
            let c = c.clone();
            async move { c.get(url).bearer_auth(token).send().await.unwrap().text().await.unwrap() }
        };
        let rows = |csv: String| -> Vec<String> {
            csv.lines().skip(2).map(|l| l.split(',').skip(2).collect::<Vec<_>>().join(",")).collect()
        };
        let manager_csv = aggregate(manager.clone()).await;
        assert_eq!(
            manager_csv.lines().nth(1),
            Some("#date+start,#date+end,#x_channel,#indicator+num,#meta+suppressed")
        );
        assert_eq!(rows(manager_csv), ["hotline,,yes", "sms,,yes", "web,,yes", "Total,10,no"]);
        assert_eq!(rows(aggregate(protection.clone()).await), ["hotline,7,no", "sms,2,no", "web,1,no", "Total,10,no"]);
        // Outside PSEA, sealed items count only as "sealed" in the category breakdown.
        let (_, cats) = get_json(&c, &app.url("/api/v1/feedback/stats?by=category"), Some(&protection)).await;
        assert!(cells(&cats).contains(&("sealed".into(), Some(1))), "{cats}");
        let psea = token(&app, "psea", false).await;
        let (_, cats) = get_json(&c, &app.url("/api/v1/feedback/stats?by=location"), Some(&psea)).await;
        assert_eq!(cells(&cats), vec![("XY01".into(), Some(9)), ("XY02".into(), Some(1))]);
        let (status, body) = get_json(&c, &app.url("/api/v1/feedback/stats?by=colour"), Some(&manager)).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("by")));
        let (status, _) = get_json(&c, &app.url("/api/v1/feedback/stats?by=sex&from=2026-13"), Some(&manager)).await;
        assert_eq!(status, 422);

        let (_, levels) = get_json(&c, &app.url("/api/v1/feedback/service-levels"), Some(&protection)).await;
        assert_eq!(levels["received"], 10);
        assert_eq!(levels["responded_in_time_pct"], 20.0);
        assert_eq!(levels["closed_with_loop_pct"], 100.0);
        assert_eq!(levels["satisfied_pct"], 50.0);
        assert_eq!(levels["median_response_hours"], 0);
        // Two closed items are too few to show percentages of outside protection roles.
        let (_, levels) = get_json(&c, &app.url("/api/v1/feedback/service-levels"), Some(&manager)).await;
        assert!(levels["satisfied_pct"].is_null() && levels["received"] == 10, "{levels}");
        // Reopening takes the item out of the closed figures.
        assert_eq!(step(&app, &agent, &ids[0], json!({"step": "reopen"})).await.0, 200);
        let (_, levels) = get_json(&c, &app.url("/api/v1/feedback/service-levels"), Some(&protection)).await;
        assert_eq!(levels["satisfied_pct"], 0.0);

        // The dashboard page shows the same, with the suppression note for the manager.
        let manager_session = signed_in(&app, "manager").await;
        let (status, page) = get_text(&manager_session, &app.url("/feedback/dashboard")).await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"suppressed-note\"") && page.contains("<svg"));
        assert!(!page.contains("report-sea"));
    }
}

/// Python with libhxl for checking HXL exports.
fn hxl_python() -> Option<String> {
    python_with("hxl", "HXL validation (pip install libhxl six)")
}

#[tokio::test]
async fn exports_carry_only_what_the_caller_may_see_and_are_valid_hxl() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let body = json!({"text": OPEN_TEXT, "channel": "hotline", "location": "XY01", "contact_name": "Amal Q", "contact_phone": "+254700555666", "consent_to_contact": true});
        post(&app, Some(&agent), "/api/v1/feedback", body).await;
        post(&app, Some(&agent), "/api/v1/feedback", json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea", "contact_phone": SEALED_PHONE, "consent_to_contact": true})).await;
        let c = reqwest::Client::new();
        let fetch = |token: String, format: &'static str| {
            let c = c.clone();
            let url = app.url(&format!("/api/v1/feedback/export?format={format}"));
            async move {
                let r = c.get(url).bearer_auth(token).send().await.unwrap();
                (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
            }
        };
        let (status, csv) = fetch(agent.clone(), "hxl-csv").await;
        assert_eq!(status, 200);
        let text = String::from_utf8(csv.clone()).unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("Reference,Received,Channel"));
        assert!(lines.next().unwrap().starts_with("#meta+id,#date+reported,#x_channel"));
        assert!(text.contains("Quenelle") && text.contains("+254700555666"), "agents handle contacts");
        assert!(!text.contains("Idrissou") && !text.contains("254711987654"), "no sealed item for agents");
        let (_, csv) = fetch(token(&app, "manager", false).await, "hxl-csv").await;
        let text = String::from_utf8(csv).unwrap();
        assert!(text.contains("Quenelle") && !text.contains("+254700555666") && !text.contains("#contact"));
        let (_, csv) = fetch(token(&app, "psea", true).await, "hxl-csv").await;
        let text = String::from_utf8(csv).unwrap();
        assert_eq!(text.lines().count(), 4, "the sealed item is listed for PSEA: {text}");
        assert!(!text.contains("Idrissou") && !text.contains("254711987654"), "never sealed content");
        let (status, xlsx) = fetch(agent.clone(), "xlsx").await;
        assert_eq!(status, 200);
        let table = haven_io::read_table("export.xlsx", &xlsx).unwrap();
        assert_eq!(table.rows[0].1[0], "#meta+id");
        assert_eq!(table.rows.len(), 2);
        assert_eq!(fetch(agent.clone(), "pdf").await.0, 422);

        if let Some(python) = hxl_python() {
            let path = app.db_dir.path().join("export.csv");
            std::fs::write(&path, &csv_for(&app, &agent).await).unwrap();
            let script = "import sys, hxl\nsrc = hxl.data(sys.argv[1], hxl.InputOptions(allow_local=True))\ntags = [c.display_tag for c in src.columns]\nrows = list(src)\nassert '#meta+id' in tags and '#x_channel' in tags, tags\nassert len(rows) == 1, len(rows)\nprint(rows[0].get('#x_channel'))";
            let out =
                std::process::Command::new(&python).args(["-c", script, path.to_str().unwrap()]).output().unwrap();
            assert!(out.status.success(), "libhxl: {}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hotline");
        }
    }
}

async fn csv_for(app: &TestApp, token: &str) -> Vec<u8> {
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/feedback/export?format=hxl-csv"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    r.bytes().await.unwrap().to_vec()
}

/// The hours between an item's receipt and its acknowledgement deadline, as stored.
async fn hours_to_acknowledge(app: &TestApp, id: &str) -> i64 {
    let id = uuid::Uuid::parse_str(id).unwrap();
    let (received, due): (time::OffsetDateTime, time::OffsetDateTime) = haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query_as("SELECT received_at, acknowledge_by FROM feedback WHERE id = $1").bind(id).fetch_one(p).await
    })
    .unwrap();
    (due - received).whole_hours()
}

#[tokio::test]
async fn a_saved_service_level_applies_to_the_next_submission() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let agent = token(&app, "agent", false).await;
        let body = json!({"text": OPEN_TEXT, "channel": "hotline"});
        let (status, before) = post(&app, Some(&agent), "/api/v1/feedback", body.clone()).await;
        assert_eq!(status, 201);
        assert_eq!(hours_to_acknowledge(&app, before["id"].as_str().unwrap()).await, 24);
        // The settings the intake read are kept for a moment; saving one drops them.
        haven_store::settings::set(&app.store, &Actor::system("test"), "feedback.acknowledge_hours", "2")
            .await
            .unwrap();
        let (status, after) = post(&app, Some(&agent), "/api/v1/feedback", body).await;
        assert_eq!(status, 201);
        assert_eq!(hours_to_acknowledge(&app, after["id"].as_str().unwrap()).await, 2);
    }
}

/// Make the database refuse feedback of category `test-refused`, as it would a row that
/// breaks a constraint.
async fn refuse_marked_items(app: &TestApp) {
    let statements: &[&str] = match app.engine {
        Engine::Sqlite => &["CREATE TRIGGER refuse_marked BEFORE INSERT ON feedback WHEN NEW.category = 'test-refused'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"],
        Engine::Postgres => &[
            "CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                 IF NEW.category = 'test-refused' THEN RAISE EXCEPTION 'refused by the test'; END IF;
                 RETURN NEW; END $$",
            "CREATE TRIGGER refuse_marked BEFORE INSERT ON feedback FOR EACH ROW EXECUTE FUNCTION refuse_marked()",
        ],
    };
    for sql in statements {
        haven_store::on_pool!(&app.store.pool, p => sqlx::query(*sql).execute(p).await.map(|_| ())).unwrap();
    }
}

fn new_item(text: &str, category: Option<&str>, message: Option<&str>) -> haven_store::feedback::NewFeedback {
    let raw = haven_core::feedback::RawSubmission {
        text: Some(text.into()),
        channel: Some("sms".into()),
        ..Default::default()
    };
    let mut submission = raw.validate().unwrap();
    submission.category = category.map(str::to_owned);
    haven_store::feedback::NewFeedback {
        submission,
        sensitive_type: None,
        seal: haven_core::feedback::Seal::Open,
        channel_message_id: message.map(str::to_owned),
        received_at: haven_store::now_utc(),
        recorded_by: None,
        agency_id: None,
        levels: Default::default(),
        notice: None,
    }
}

/// Queue `items` at once (they reach the writer together) and collect the answers in order.
async fn record_together(
    queue: &haven_store::feedback::IntakeQueue,
    items: Vec<haven_store::feedback::NewFeedback>,
) -> Vec<Result<haven_store::feedback::Recorded, String>> {
    let tasks: Vec<_> = items
        .into_iter()
        .map(|item| {
            let queue = queue.clone();
            tokio::spawn(async move { queue.record(item).await.map_err(|e| e.to_string()) })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// An app whose database refuses items marked `test-refused`, and an intake queue on it.
async fn queue_refusing_marked_items(engine: Engine) -> (TestApp, haven_store::feedback::IntakeQueue) {
    let app = feedback_app(engine, false).await;
    refuse_marked_items(&app).await;
    let queue = haven_store::feedback::IntakeQueue::start(app.store.clone());
    (app, queue)
}

async fn count_where(app: &TestApp, sql: &'static str) -> i64 {
    let (n,): (i64,) = haven_store::on_pool!(&app.store.pool, p => sqlx::query_as(sql).fetch_one(p).await).unwrap();
    n
}

#[tokio::test]
async fn an_item_the_database_refuses_fails_alone_and_its_batch_is_stored() {
    for engine in engines() {
        let (app, queue) = queue_refusing_marked_items(engine).await;
        // Items queued together are committed together: their audit entries share one time.
        let together = (0..5).map(|i| new_item(&format!("Tap {i} is broken"), None, None)).collect();
        assert!(record_together(&queue, together).await.iter().all(Result::is_ok));
        let batches = "SELECT COUNT(DISTINCT at) FROM audit_log WHERE action = 'feedback.recorded'";
        assert_eq!(count_where(&app, batches).await, 1, "one batch");
        let items = (0..20)
            .map(|i| new_item(&format!("Distribution point {i} opened late"), (i == 7).then_some("test-refused"), None))
            .collect();
        let results = record_together(&queue, items).await;
        for (i, result) in results.iter().enumerate() {
            match result {
                Err(e) => assert!(i == 7 && e.contains("refused by the test"), "item {i}: {e}"),
                Ok(recorded) => assert!(i != 7 && recorded.created, "item {i}"),
            }
        }
        assert_eq!(count_rows(&app).await, 5 + 19);
        let recorded = "SELECT COUNT(*) FROM audit_log WHERE action = 'feedback.recorded'";
        assert_eq!(count_where(&app, recorded).await, 5 + 19);
        let counted = "SELECT CAST(SUM(n) AS BIGINT) FROM feedback_counts WHERE dimension = 'channel'";
        assert_eq!(count_where(&app, counted).await, 5 + 19);
        let verified = haven_store::audit::verify(&app.store.pool, &app.store.keys, None).await.unwrap();
        assert!(verified.is_ok(), "{verified:?}");
    }
}

#[tokio::test]
async fn a_sealed_items_notices_are_committed_with_it_or_not_at_all() {
    for engine in engines() {
        let (app, queue) = queue_refusing_marked_items(engine).await;
        let psea = users::user_id_by_username(&app.store, "psea").await.unwrap();
        let agent = users::user_id_by_username(&app.store, "agent").await.unwrap();
        let notice =
            haven_store::feedback::SealedNotice { recused: vec![agent], told: vec![psea], no_focal_point: false };
        let items = (0..6)
            .map(|i| {
                let mut item = new_item(&format!("Report {i}"), (i == 3).then_some("test-refused"), None);
                item.notice = Some(notice.clone());
                item
            })
            .collect();
        let results = record_together(&queue, items).await;
        assert!(results[3].is_err(), "{engine:?}: the refused item fails");
        let stored: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).map(|r| r.id).collect();
        assert_eq!(stored.len(), 5, "{engine:?}");
        let mut told: Vec<_> = haven_store::notifications::unread(&app.store, psea)
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.kind == "feedback-sealed")
            .filter_map(|n| n.subject_id)
            .collect();
        told.sort();
        let mut expected = stored.clone();
        expected.sort();
        assert_eq!(told, expected, "{engine:?}: one notice per stored item, none for the refused one");
        let recusals = "SELECT COUNT(*) FROM feedback_recusals";
        assert_eq!(count_where(&app, recusals).await, 5, "{engine:?}");
        let recused = "SELECT COUNT(*) FROM audit_log WHERE action = 'feedback.recused'";
        assert_eq!(count_where(&app, recused).await, 5, "{engine:?}: each recusal audited");
        let verified = haven_store::audit::verify(&app.store.pool, &app.store.keys, None).await.unwrap();
        assert!(verified.is_ok(), "{verified:?}");
    }
}

#[tokio::test]
async fn a_message_delivered_twice_at_once_is_stored_once() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let queue = haven_store::feedback::IntakeQueue::start(app.store.clone());
        let items = (0..6)
            .map(|i| new_item("The tap at the clinic is broken", None, Some(if i % 2 == 0 { "rp-1" } else { "rp-2" })))
            .collect();
        let results: Vec<_> = record_together(&queue, items).await.into_iter().map(Result::unwrap).collect();
        for message in [0, 1] {
            let same: Vec<_> = results.iter().skip(message).step_by(2).collect();
            assert!(same.iter().all(|r| r.id == same[0].id && r.reference == same[0].reference));
            assert_eq!(same.iter().filter(|r| r.created).count(), 1, "one delivery created it");
        }
        assert_eq!(count_rows(&app).await, 2);
        let recorded = "SELECT COUNT(*) FROM audit_log WHERE action = 'feedback.recorded'";
        assert_eq!(count_where(&app, recorded).await, 2);
    }
}
