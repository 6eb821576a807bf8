//! Sealed reports end to end, over real HTTP: the intake minimum (when, the alleged
//! organisation) kept only inside sealed content, a neutral status page whatever the focal
//! point answered, referral targets sealed, consent for referrals outside the organisation,
//! and items belonging to the organisation that recorded them (escalation, visibility).

use haven_core::authz::{Role, RoleGrant};
use haven_core::identity::Username;
use haven_store::identity::{self as users, Actor, NewUser};
use serde_json::{Value, json};

use crate::feedback::*;
use crate::support::*;

const WHERE_TO: &str = "Ombudsman Quillfeather office";
const ANSWER: &str = "Your report Wobbleton was passed to the investigators";
const ALLEGED: &str = "Zephyrine Logistics";

async fn step(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    post(app, Some(token), &format!("/api/v1/feedback/{id}/steps"), body).await
}

async fn events(app: &TestApp, token: &str, id: &str) -> Value {
    get(app, token, &format!("/api/v1/feedback/{id}/events")).await.1
}

/// Every word of `secrets` absent from the stored data: the SQLite file and its log, or on
/// PostgreSQL every row of the feedback tables and the audit log as text (byte columns come
/// out in hex, so only clear text can match).
async fn assert_nowhere_in_clear(app: &TestApp, secrets: &[&str]) {
    let text = match app.engine {
        Engine::Sqlite => {
            app.store.pool.checkpoint().await.unwrap();
            let mut raw = std::fs::read(app.db_dir.path().join("haven.db")).unwrap();
            if let Ok(wal) = std::fs::read(app.db_dir.path().join("haven.db-wal")) {
                raw.extend(wal);
            }
            String::from_utf8_lossy(&raw).to_lowercase()
        }
        Engine::Postgres => {
            let mut all = String::new();
            for table in ["feedback", "feedback_events", "audit_log", "notifications"] {
                let sql = format!("SELECT CAST(row_to_json(t) AS TEXT) FROM {table} t");
                let rows: Vec<(String,)> = haven_store::on_pool!(&app.store.pool, p => {
                    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await
                })
                .unwrap();
                all.extend(rows.into_iter().map(|(r,)| r.to_lowercase()));
            }
            all
        }
    };
    for secret in secrets {
        assert!(!text.contains(&secret.to_lowercase()), "{secret} stored in the clear ({:?})", app.engine);
    }
}

#[tokio::test]
async fn a_sealed_report_keeps_its_minimum_referral_and_answer_sealed_and_its_status_page_neutral() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let body = json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea", "location": "XY02",
            "occurred_on": "2025-11", "alleged_organisation": ALLEGED});
        let (status, sealed) = post(&app, Some(&agent), "/api/v1/feedback", body).await;
        assert_eq!(status, 201, "{sealed}");
        let (id, reference) = (sealed["id"].as_str().unwrap(), sealed["reference"].as_str().unwrap());

        // The focal point refers it and answers the person.
        let psea = token(&app, "psea", true).await;
        assert_eq!(step(&app, &psea, id, json!({"step": "acknowledge"})).await.0, 200);
        let refer = json!({"step": "refer", "referral_kind": "investigation", "referred_to": WHERE_TO});
        assert_eq!(step(&app, &psea, id, refer).await, (200, json!({"status": "referred"})));
        let respond = json!({"step": "respond", "public_response": ANSWER});
        assert_eq!(step(&app, &psea, id, respond).await, (200, json!({"status": "responded"})));

        // The status page says only that it is being handled: no answer, nothing of the report.
        let (status, page) = get_text(&client(), &app.url(&format!("/feedback/status?ref={reference}"))).await;
        assert_eq!(status, 200);
        assert!(page.contains("Received and being handled"), "{page}");
        assert!(!page.contains("Wobbleton") && !page.contains("id=\"response\""), "{page}");

        // The focal point holding the office key reads all of it back.
        let (_, item) = get(&app, &psea, &format!("/api/v1/feedback/{id}")).await;
        assert_eq!(
            (item["occurred_on"].as_str(), item["alleged_organisation"].as_str()),
            (Some("2025-11"), Some(ALLEGED))
        );
        let history = events(&app, &psea, id).await;
        let refer_event = history.as_array().unwrap().iter().find(|e| e["step"] == "refer").unwrap();
        assert_eq!((refer_event["referred_to"].as_str(), refer_event["note"].as_str()), (Some(WHERE_TO), None));
        let respond_event = history.as_array().unwrap().iter().find(|e| e["step"] == "respond").unwrap();
        assert_eq!(respond_event["response"], ANSWER);
        let session = signed_in(&app, "psea").await;
        let (_, page) = get_text(&session, &app.url(&format!("/feedback/items/{id}"))).await;
        assert!(page.contains("id=\"occurred-on\" dir=\"ltr\">2025-11") && page.contains(ALLEGED), "{page}");
        assert!(page.contains(WHERE_TO) && page.contains(ANSWER));
        assert!(page.contains("kept sealed: the status page stays neutral"), "the respond form says so");
        // Without the key: none of it.
        let no_key = token(&app, "psea", false).await;
        let (_, item) = get(&app, &no_key, &format!("/api/v1/feedback/{id}")).await;
        assert!(item.get("occurred_on").is_none() && item.get("alleged_organisation").is_none(), "{item}");
        let history = events(&app, &no_key, id).await;
        assert!(history.as_array().unwrap().iter().all(|e| e["referred_to"].is_null() && e.get("response").is_none()));

        // Nothing of it in the clear: not on the item, not in its history, not in the file.
        type Clear = (Option<String>, Option<String>);
        let (response, referred_to): Clear = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query_as("SELECT public_response, referred_to FROM feedback WHERE reference = $1")
                .bind(reference).fetch_one(p).await
        })
        .unwrap();
        assert_eq!((response, referred_to), (None, None));
        let (n,): (i64,) = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query_as("SELECT COUNT(*) FROM feedback_events WHERE referred_to IS NOT NULL").fetch_one(p).await
        })
        .unwrap();
        assert_eq!(n, 0);
        assert_nowhere_in_clear(&app, &["Quillfeather", "Wobbleton", "Zephyrine", "Idrissou"]).await;

        // An open item's answer is still public.
        let (_, open) =
            post(&app, Some(&agent), "/api/v1/feedback", json!({"text": OPEN_TEXT, "channel": "helpdesk"})).await;
        let oid = open["id"].as_str().unwrap();
        assert_eq!(
            step(&app, &agent, oid, json!({"step": "respond", "public_response": "Repaired today"})).await.0,
            200
        );
        let (_, page) =
            get_text(&client(), &app.url(&format!("/feedback/status?ref={}", open["reference"].as_str().unwrap())))
                .await;
        assert!(page.contains("Repaired today"));
    }
}

#[tokio::test]
async fn the_sealed_minimum_is_refused_on_open_items_and_checked_on_every_intake() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let (status, body) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": OPEN_TEXT, "channel": "helpdesk", "occurred_on": "2025-11", "alleged_organisation": ALLEGED}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let expected = [("occurred_on", "sensitive-only"), ("alleged_organisation", "sensitive-only")];
        assert_eq!(problems(&body), expected.map(|(f, c)| (f.to_owned(), c.to_owned())).to_vec());
        let sealed = |when: &str| json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea", "occurred_on": when});
        let (status, body) = post(&app, Some(&agent), "/api/v1/feedback", sealed("last spring")).await;
        assert_eq!(
            (status, problems(&body)),
            (422, vec![("occurred_on".to_owned(), "invalid-occurred-on".to_owned())])
        );
        let next_year = (haven_store::now_utc() + time::Duration::days(400)).year();
        let (status, body) = post(&app, None, "/api/v1/public/feedback", sealed(&format!("{next_year}-01"))).await;
        assert_eq!((status, problems(&body)), (422, vec![("occurred_on".to_owned(), "in-the-future".to_owned())]));
        // The anonymous API takes them too, for a sensitive report.
        let (status, _) = post(&app, None, "/api/v1/public/feedback", sealed("2025-11-03")).await;
        assert_eq!(status, 201);

        // The agent form: the fields are there; refused on an open item with the
        // field's message; kept (sealed) on a sensitive one.
        let session = signed_in(&app, "agent").await;
        let (_, page) = get_text(&session, &app.url("/feedback/record")).await;
        assert!(
            page.contains("id=\"occurred_on\"") && page.contains("Organisation of the alleged perpetrator"),
            "{page}"
        );
        let csrf = hidden(&page, "csrf");
        // An ordinary message (the keyword screen finds nothing), or a report marked sensitive.
        let form = |about: &'static str, text: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("channel", "hotline".to_owned()),
                ("text", text.to_owned()),
                ("about", about.to_owned()),
                ("occurred_on", "2025-10".to_owned()),
                ("alleged_organisation", ALLEGED.to_owned()),
            ]
        };
        let r = session.post(app.url("/feedback/record")).form(&form("", OPEN_TEXT)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("id=\"alleged_organisation-error\"") && page.contains("Only for a sensitive report"),
            "{page}"
        );
        let r = session.post(app.url("/feedback/record")).form(&form("sea", SEALED_TEXT)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let psea = token(&app, "psea", true).await;
        let (_, list) = get(&app, &psea, "/api/v1/feedback?channel=hotline").await;
        let id = list["items"][0]["id"].as_str().unwrap();
        let (_, item) = get(&app, &psea, &format!("/api/v1/feedback/{id}")).await;
        assert_eq!(
            (item["occurred_on"].as_str(), item["alleged_organisation"].as_str()),
            (Some("2025-10"), Some(ALLEGED))
        );
        assert_nowhere_in_clear(&app, &["Zephyrine"]).await;

        // Documented in the OpenAPI description.
        let doc: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
        let input = &doc["components"]["schemas"]["FeedbackInput"]["properties"];
        assert!(input["occurred_on"].is_object() && input["alleged_organisation"].is_object(), "{input}");
        assert!(doc["components"]["schemas"]["EventItem"]["properties"]["consent"].is_object());
    }
}

#[tokio::test]
async fn referrals_outside_the_organisation_need_the_persons_recorded_consent() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let (_, open) =
            post(&app, Some(&agent), "/api/v1/feedback", json!({"text": OPEN_TEXT, "channel": "helpdesk"})).await;
        let id = open["id"].as_str().unwrap();
        let refer = |kind: &str, consent: bool| json!({"step": "refer", "referral_kind": kind, "referred_to": "Water committee", "consent": consent});
        let (status, body) = step(&app, &agent, id, refer("partner", false)).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("referral-consent-required")));
        assert_eq!(step(&app, &agent, id, refer("internal", false)).await.0, 200, "no consent needed in-house");
        assert_eq!(step(&app, &agent, id, refer("partner", true)).await.0, 200);
        let history = events(&app, &agent, id).await;
        let consents: Vec<Value> = history.as_array().unwrap().iter().map(|e| e["consent"].clone()).collect();
        assert_eq!(consents, [json!(false), json!(true)]);

        // The item page offers the box and shows the refusal.
        let session = signed_in(&app, "agent").await;
        let (_, page) = get_text(&session, &app.url(&format!("/feedback/items/{id}"))).await;
        assert!(page.contains("id=\"consent\"") && page.contains("consents to referral to a partner"), "{page}");
        assert!(page.contains("with consent"), "the history says the consent was recorded");
        let csrf = hidden(&page, "csrf");
        let form = [("csrf", csrf.as_str()), ("step", "refer"), ("referral_kind", "partner"), ("referred_to", "NRC")];
        let r = session.post(app.url(&format!("/feedback/items/{id}/steps"))).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = get_text(&session, &app.url(r.headers()["location"].to_str().unwrap())).await;
        assert!(page.contains("id=\"step-error\">A referral outside the organisation needs"), "{page}");
        let with = [
            ("csrf", csrf.as_str()),
            ("step", "refer"),
            ("referral_kind", "partner"),
            ("referred_to", "NRC"),
            ("consent", "true"),
        ];
        let r = session.post(app.url(&format!("/feedback/items/{id}/steps"))).form(&with).send().await.unwrap();
        let (_, page) = get_text(&session, &app.url(r.headers()["location"].to_str().unwrap())).await;
        assert!(!page.contains("id=\"step-error\""), "{page}");
        assert_eq!(events(&app, &agent, id).await.as_array().unwrap().len(), 3);
    }
}

/// An organisation, inserted as an administrator's import would.
async fn agency(app: &TestApp, code: &str) -> uuid::Uuid {
    let id = uuid::Uuid::now_v7();
    haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query("INSERT INTO agencies (id, code, name) VALUES ($1, $2, $3)")
            .bind(id).bind(code).bind(format!("Agency {code}")).execute(p).await.map(|r| r.rows_affected())
    })
    .unwrap();
    id
}

/// A user of `agency` holding `role` for that organisation only.
async fn member(app: &TestApp, username: &str, agency: uuid::Uuid, role: Role) -> uuid::Uuid {
    let new = NewUser {
        username: Username::parse(username).unwrap(),
        display_name: format!("Test {username}"),
        email: None,
        password_hash: users::hash_password(PASSWORD).await.unwrap(),
        agency_id: Some(agency),
        must_change_password: false,
    };
    let grant = RoleGrant { role, agency: Some(agency), location: None };
    users::create_user(&app.store, &Actor::system("test"), &new, &[grant]).await.unwrap()
}

async fn agency_of_item(app: &TestApp, id: &str) -> Option<uuid::Uuid> {
    let (a,): (Option<uuid::Uuid>,) = haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query_as("SELECT agency_id FROM feedback WHERE id = $1").bind(uuid::Uuid::parse_str(id).unwrap()).fetch_one(p).await
    })
    .unwrap();
    a
}

#[tokio::test]
async fn items_belong_to_the_organisation_that_took_them_and_escalate_to_its_targets() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let (alpha, bravo) = (agency(&app, "ALPHA").await, agency(&app, "BRAVO").await);
        member(&app, "agent-alpha", alpha, Role::FeedbackAgent).await;
        member(&app, "agent-bravo", bravo, Role::FeedbackAgent).await;
        let chief_alpha = member(&app, "chief-alpha", alpha, Role::ProjectManager).await;
        let chief_all = app.add_user("chief-all", &[Role::ProjectManager]).await;
        let system = Actor::system("test");
        haven_store::feedback::outbound::add_target(&app.store, &system, Some(alpha), chief_alpha).await.unwrap();
        haven_store::feedback::outbound::add_target(&app.store, &system, None, chief_all).await.unwrap();

        // Staff intake takes the recording user's organisation; the public channels the one
        // configured for the channel, else none (the whole installation).
        let record = |who: String| {
            let app = &app;
            async move {
                let t = token(app, &who, false).await;
                let (status, item) =
                    post(app, Some(&t), "/api/v1/feedback", json!({"text": OPEN_TEXT, "channel": "hotline"})).await;
                assert_eq!(status, 201, "{item}");
                item["id"].as_str().unwrap().to_owned()
            }
        };
        let of_alpha = record("agent-alpha".into()).await;
        let of_bravo = record("agent-bravo".into()).await;
        let public = json!({"text": "The latrines at block 4 have no light", "channel": "web"});
        let (_, anyone) = post(&app, None, "/api/v1/public/feedback", public.clone()).await;
        let anyone = anyone["id"].as_str().unwrap().to_owned();
        let setting = haven_web::feedback::channel_agency_setting(haven_core::feedback::Channel::Web);
        haven_store::settings::set(&app.store, &system, &setting, &alpha.to_string()).await.unwrap();
        let (_, web_alpha) = post(&app, None, "/api/v1/public/feedback", public).await;
        let web_alpha = web_alpha["id"].as_str().unwrap().to_owned();
        assert_eq!(agency_of_item(&app, &of_alpha).await, Some(alpha));
        assert_eq!(agency_of_item(&app, &of_bravo).await, Some(bravo));
        assert_eq!(agency_of_item(&app, &anyone).await, None);
        assert_eq!(agency_of_item(&app, &web_alpha).await, Some(alpha));

        // A role limited to an organisation sees that organisation's items, its own included.
        let t = token(&app, "agent-alpha", false).await;
        let (_, page) = get(&app, &t, "/api/v1/feedback").await;
        let mut seen: Vec<String> =
            page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
        seen.sort();
        let mut expected = vec![of_alpha.clone(), web_alpha.clone()];
        expected.sort();
        assert_eq!(seen, expected);
        assert_eq!(get(&app, &t, &format!("/api/v1/feedback/{of_bravo}")).await.0, 404);
        let (_, page) = get(&app, &token(&app, "agent", false).await, "/api/v1/feedback").await;
        assert_eq!(page["total"], 4, "an unlimited role sees every organisation's items");

        // Two days on, every item missed its acknowledgement: ALPHA's target hears of ALPHA's
        // items only; the general target of the others (BRAVO has no target of its own).
        let state = haven_web::AppState::new(app.store.clone(), haven_web::WebConfig::new(false, true));
        let later = haven_store::now_utc() + time::Duration::hours(48);
        assert_eq!(haven_web::outbound::run_once(&state, later).await.unwrap().escalated, 4);
        let heard = |user: uuid::Uuid| {
            let app = &app;
            async move {
                let mut ids: Vec<String> = haven_store::notifications::unread(&app.store, user)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|n| n.kind == "feedback-overdue-acknowledge")
                    .filter_map(|n| n.subject_id.map(|s| s.to_string()))
                    .collect();
                ids.sort();
                ids
            }
        };
        assert_eq!(heard(chief_alpha).await, expected, "{engine:?}");
        let mut others = vec![of_bravo.clone(), anyone.clone()];
        others.sort();
        assert_eq!(heard(chief_all).await, others, "{engine:?}");

        // The settings page offers the organisations for each public channel.
        let admin = signed_in(&app, "admin").await;
        let (_, page) = get_text(&admin, &app.url("/admin/settings")).await;
        assert!(page.contains("id=\"channel_agency-web\"") && page.contains("Agency ALPHA"), "{page}");
        assert!(page.contains(&format!("<option value=\"{alpha}\" selected>")), "the saved choice is shown");
    }
}
