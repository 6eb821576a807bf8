//! Help-desk and hotline tools over real HTTP: the service directory and referrals to it,
//! approved answers, call-backs, and the erasure of contact details after closure.

use haven_core::catalog::Localized;
use haven_core::locations::ImportedLocation;
use haven_store::identity::Actor;
use serde_json::{Value, json};

use crate::feedback::{feedback_app, get, get_json, post, problems, put, token};
use crate::support::*;

const PHONE: &str = "+254722555019";
const SEALED_PHONE: &str = "+254733888123";

fn names(list: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        list.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_owned()).collect();
    out.sort();
    out
}

async fn add_site(app: &TestApp) {
    let name = |n: &str| Localized([("en".to_owned(), n.to_owned())].into());
    let site =
        ImportedLocation { pcode: "XY0101".into(), level: 2, parent: Some("XY01".into()), name: name("North Camp") };
    haven_store::locations::import(&app.store, &Actor::system("test"), &[site]).await.unwrap();
}

fn service(name: &str, kind: &str, places: &[&str], referrals: bool) -> Value {
    json!({"organisation": "Relief Partners", "name": name, "service_type": kind, "locations": places,
        "contact": "+254 700 000 111", "opening_hours": "Mon-Fri 8-16", "languages": ["ar", "en"],
        "referral_criteria": "With consent, by phone", "accepts_referrals": referrals})
}

#[tokio::test]
async fn the_directory_is_looked_up_by_place_and_type_and_referrals_name_a_service() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        add_site(&app).await;
        let protection = token(&app, "protection", false).await;
        let agent = token(&app, "agent", false).await;
        let mut ids = std::collections::HashMap::new();
        for (name, kind, places, referrals) in [
            ("North clinic", "health", &["XY01"][..], true),
            ("Legal aid everywhere", "legal_aid", &["XY"][..], true),
            ("South shelter", "shelter", &["XY02"][..], false),
            ("South clinic", "health", &["XY02"][..], true),
        ] {
            let (status, body) =
                post(&app, Some(&protection), "/api/v1/services", service(name, kind, places, referrals)).await;
            assert_eq!(status, 201, "{body}");
            ids.insert(name, body["id"].as_str().unwrap().to_owned());
        }
        // Agents look up; they do not maintain.
        let (status, _) = post(&app, Some(&agent), "/api/v1/services", service("Mine", "health", &["XY"], true)).await;
        assert_eq!(status, 403);
        let (status, body) = post(
            &app,
            Some(&protection),
            "/api/v1/services",
            json!({"organisation": " ", "service_type": "magic", "languages": ["english"], "locations": []}),
        )
        .await;
        assert_eq!(status, 422);
        let expected = [
            ("organisation", "required"),
            ("name", "required"),
            ("contact", "required"),
            ("service_type", "unknown-code"),
            ("locations", "required"),
            ("languages", "invalid-language"),
        ];
        assert_eq!(problems(&body), expected.map(|(f, c)| (f.to_owned(), c.to_owned())).to_vec());
        let (status, body) =
            post(&app, Some(&protection), "/api/v1/services", service("X", "health", &["ZZ9"], true)).await;
        assert_eq!((status, problems(&body)[0].1.as_str()), (422, "unknown-location"));

        // A region's services serve its sites; the country's serve everywhere.
        let (status, found) = get(&app, &agent, "/api/v1/services?location=XY0101").await;
        assert_eq!(status, 200);
        assert_eq!(names(&found), vec!["Legal aid everywhere", "North clinic"]);
        let (_, found) = get(&app, &agent, "/api/v1/services?location=XY02&type=health").await;
        assert_eq!(names(&found), vec!["South clinic"]);
        assert_eq!(found[0]["locations"], json!(["XY02"]));
        assert_eq!(found[0]["languages"], json!(["ar", "en"]));
        assert_eq!(get(&app, &agent, "/api/v1/services?location=NOPE").await.0, 422);
        assert_eq!(get(&app, &agent, "/api/v1/services?type=magic").await.0, 400);
        let viewer = token(&app, "viewer", false).await;
        assert_eq!(get(&app, &viewer, "/api/v1/services").await.0, 403);

        // The directory page, by place.
        let c = signed_in(&app, "agent").await;
        let (status, page) = get_text(&c, &app.url("/feedback/services?location=XY0101")).await;
        assert_eq!(status, 200);
        assert!(page.contains("North clinic") && !page.contains("South shelter"), "place filter on the page");
        assert!(!page.contains("/feedback/services/new"), "agents get no editing link");

        // Referring an item at the site: only a service covering it and taking referrals.
        let (_, item) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": "Needs a doctor for her child", "channel": "hotline", "location": "XY0101"}),
        )
        .await;
        let steps = format!("/api/v1/feedback/{}/steps", item["id"].as_str().unwrap());
        for (name, code) in [("South shelter", "service-no-referrals"), ("South clinic", "service-not-here")] {
            let (status, body) = post(
                &app,
                Some(&agent),
                &steps,
                json!({"step": "refer", "referral_kind": "partner", "service_id": ids[name]}),
            )
            .await;
            assert_eq!((status, body["error"]["code"].as_str()), (422, Some(code)), "{name}");
        }
        let (status, body) = post(
            &app,
            Some(&agent),
            &steps,
            json!({"step": "refer", "referral_kind": "partner", "service_id": ids["North clinic"], "consent": true}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (_, events) = get(&app, &agent, &format!("/api/v1/feedback/{}/events", item["id"].as_str().unwrap())).await;
        let referral = events.as_array().unwrap().iter().find(|e| e["step"] == "refer").unwrap();
        assert_eq!(referral["service_id"], json!(ids["North clinic"]));
        assert_eq!(referral["referred_to"], "Relief Partners — North clinic");

        // Taken out of service: no longer found, nor referred to.
        let mut off = service("North clinic", "health", &["XY01"], true);
        off["active"] = json!(false);
        let (status, _) = put(&app, &protection, &format!("/api/v1/services/{}", ids["North clinic"]), off).await;
        assert_eq!(status, 204);
        let (_, found) = get(&app, &agent, "/api/v1/services?location=XY0101").await;
        assert_eq!(names(&found), vec!["Legal aid everywhere"]);
        let (_, all) = get(&app, &protection, "/api/v1/services?include_inactive=true").await;
        assert_eq!(all.as_array().unwrap().len(), 4);
        let (status, _) = put(
            &app,
            &protection,
            &format!("/api/v1/services/{}", uuid::Uuid::now_v7()),
            service("a", "cash", &["XY"], true),
        )
        .await;
        assert_eq!(status, 404);

        // The maintenance form: several places at once, and errors shown by their fields.
        let p = signed_in(&app, "protection").await;
        let csrf = csrf_of(&app, &p).await;
        let form = format!(
            "csrf={csrf}&organisation=Camp+Committee&name=Safe+space&service_type=mhpss&locations=XY01&locations=XY02&contact=Block+C&languages=ar%2C+fr&accepts_referrals=yes&active=yes"
        );
        let r = p
            .post(app.url("/feedback/services"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let (_, found) = get(&app, &agent, "/api/v1/services?type=mhpss").await;
        assert_eq!(
            (found[0]["locations"].clone(), found[0]["languages"].clone()),
            (json!(["XY01", "XY02"]), json!(["ar", "fr"]))
        );
        let bad = format!("csrf={csrf}&organisation=Camp&name=&service_type=mhpss&contact=x");
        let r = p
            .post(app.url("/feedback/services"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("id=\"name-error\"")
                && page.contains("id=\"locations-error\"")
                && page.contains("value=\"Camp\"")
        );
        let saved = haven_store::audit::list(&app.store.pool, Some("services.saved"), None, 50).await.unwrap();
        assert_eq!(saved.len(), 6, "every change is audited");

        // A partner's service mapping, imported whole or not at all.
        let import = |csv: &'static str| {
            reqwest::Client::new()
                .post(app.url("/api/v1/services/import?name=mapping.csv"))
                .bearer_auth(&protection)
                .header("content-type", "text/csv")
                .body(csv)
        };
        let bad = "Organization,Service,Type,P-codes,Focal point,Accepts referrals\nSela Health,Clinic,Health,XY01,+254 700 1,yes\nCamp Committee,Shelter,Shelter,ZZ9,Block C,maybe\n";
        let r = import(bad).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let body: Value = r.json().await.unwrap();
        let found: Vec<(u64, String, String)> = body["error"]["problems"]
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
        assert_eq!(
            found,
            vec![
                (3, "Accepts referrals".into(), "not-yes-or-no".into()),
                (3, "P-codes".into(), "unknown-location".into())
            ]
        );
        let (_, all) = get(&app, &protection, "/api/v1/services?include_inactive=true").await;
        assert_eq!(all.as_array().unwrap().len(), 5, "nothing of a bad file is kept");
        let good = "Organization,Service,Type,P-codes,Focal point,Languages\nSela Health,Clinic,Health,XY01 XY02,+254 700 1,ar en\nCamp Committee,Listening point,MHPSS,XY0101,Block C,ar\n";
        let r = import(good).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
        assert_eq!(r.json::<Value>().await.unwrap()["imported"], 2);
        let (_, found) = get(&app, &agent, "/api/v1/services?location=XY0101&type=mhpss").await;
        assert_eq!(names(&found), vec!["Listening point", "Safe space"]);
        let doc: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
        for path in ["/api/v1/services", "/api/v1/services/import", "/api/v1/answers", "/api/v1/callbacks"] {
            assert!(doc["paths"].get(path).is_some(), "{path} documented");
        }
    }
}

#[tokio::test]
async fn approved_answers_are_versioned_found_in_any_language_and_sent_as_responses() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let protection = token(&app, "protection", false).await;
        let agent = token(&app, "agent", false).await;
        let first = json!({"language": "en", "category": "request-information", "question": "When is the next distribution?",
            "body": "Dates are on the notice board."});
        let (status, created) = post(&app, Some(&protection), "/api/v1/answers", first.clone()).await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(post(&app, Some(&agent), "/api/v1/answers", first).await.0, 403, "agents do not approve");
        let versions = format!("/api/v1/answers/{id}/versions");
        for (language, question, body) in [
            ("fr", "Quand a lieu la prochaine distribution ?", "Les dates sont au tableau d'affichage."),
            ("ar", "متى التوزيع القادم؟", "المواعيد على لوحة الإعلانات."),
            ("en", "When is the next distribution?", "Dates are on the notice board and sent by SMS."),
        ] {
            let (status, v) = post(
                &app,
                Some(&protection),
                &versions,
                json!({"language": language, "question": question, "body": body}),
            )
            .await;
            assert_eq!(status, 201, "{v}");
        }
        let (status, body) =
            post(&app, Some(&protection), &versions, json!({"language": "english", "question": "", "body": "x"})).await;
        assert_eq!(status, 422);
        assert_eq!(problems(&body).len(), 2);
        let (status, body) = post(
            &app,
            Some(&protection),
            "/api/v1/answers",
            json!({"language": "en", "question": "q", "body": "b", "category": "no-such-code"}),
        )
        .await;
        assert_eq!((status, problems(&body)[0].0.as_str()), (422, "category"));

        // Agents find the current text, with who approved it, whatever the case and accents.
        let (status, found) = get(&app, &agent, "/api/v1/answers?q=DISTRIBUTION%20board&language=en").await;
        assert_eq!(status, 200);
        assert_eq!(found.as_array().unwrap().len(), 1);
        let text = &found[0]["texts"][0];
        assert_eq!((text["version"].as_i64(), text["approved_by"].as_str()), (Some(2), Some("protection")));
        assert!(text["body"].as_str().unwrap().contains("SMS"));
        let (_, found) = get(&app, &agent, "/api/v1/answers?q=distribution%20prochaine&language=fr").await;
        assert_eq!(found[0]["texts"][0]["language"], "fr");
        let (_, found) = get(&app, &agent, &format!("/api/v1/answers?q={}", "التوزيع")).await;
        assert_eq!(found.as_array().unwrap().len(), 1);
        assert_eq!(get(&app, &agent, "/api/v1/answers?q=water%20truck").await.1, json!([]));
        let (_, history) = get(&app, &agent, &versions).await;
        assert_eq!(history.as_array().unwrap().len(), 4);

        // From an item: search, pick, and the response carries the approved text.
        let (_, item) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": "Quand est la distribution ?", "channel": "hotline", "language": "fr"}),
        )
        .await;
        let item_id = item["id"].as_str().unwrap();
        let c = signed_in(&app, "agent").await;
        let (_, page) = get_text(&c, &app.url(&format!("/feedback/items/{item_id}?answers_q=distribution"))).await;
        assert!(page.contains("id=\"answer-results\"") && page.contains(&format!("answer={id}")), "matches offered");
        assert!(page.contains("Quand a lieu la prochaine distribution"), "in the person's language");
        let (_, page) = get_text(
            &c,
            &app.url(&format!("/feedback/items/{item_id}?answers_q=%D8%A7%D9%84%D8%AA%D9%88%D8%B2%D9%8A%D8%B9")),
        )
        .await;
        assert!(page.contains("Quand a lieu la prochaine distribution"), "searched in Arabic, shown in French");
        let (_, page) =
            get_text(&c, &app.url(&format!("/feedback/items/{item_id}?answer={id}&answer_language=ar"))).await;
        assert!(page.contains(">المواعيد على لوحة الإعلانات.</textarea>"), "the chosen text fills the response");
        let (_, page) = get_text(&c, &app.url("/feedback/answers?language=ar")).await;
        assert!(page.contains("lang=\"ar\" dir=\"rtl\""), "Arabic answers read right to left");
        let (status, body) = post(
            &app,
            Some(&agent),
            &format!("/api/v1/feedback/{item_id}/steps"),
            json!({"step": "respond", "answer_id": id}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (_, status_page) =
            get_text(&client(), &app.url(&format!("/feedback/status?ref={}", item["reference"].as_str().unwrap())))
                .await;
        assert!(status_page.contains("Les dates sont au tableau"), "{status_page}");
        let (status, _) = post(
            &app,
            Some(&agent),
            &format!("/api/v1/feedback/{item_id}/steps"),
            json!({"step": "respond", "answer_id": uuid::Uuid::now_v7()}),
        )
        .await;
        assert_eq!(status, 422);

        // Withdrawn: no longer found.
        let p = signed_in(&app, "protection").await;
        let csrf = csrf_of(&app, &p).await;
        let r = p
            .post(app.url(&format!("/feedback/answers/{id}/retire")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(get(&app, &agent, "/api/v1/answers").await.1, json!([]));
        let approved = haven_store::audit::list(&app.store.pool, Some("answers.approved"), None, 50).await.unwrap();
        assert_eq!(approved.len(), 4);
    }
}

#[tokio::test]
async fn call_backs_show_the_safe_contact_and_sealed_ones_stay_with_psea_focal_points() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let psea = token(&app, "psea", true).await;
        let (_, open) = post(&app, Some(&agent), "/api/v1/feedback", json!({"text": "Please call me about the cash list",
            "channel": "hotline", "contact_phone": PHONE, "consent_to_contact": true, "safe_contact": "After 17:00 only"})).await;
        let (_, silent) =
            post(&app, Some(&agent), "/api/v1/feedback", json!({"text": "No number given", "channel": "hotline"}))
                .await;
        let (_, sealed) = post(&app, Some(&agent), "/api/v1/feedback", json!({"text": "The guard asked me for sex", "channel": "hotline",
            "sensitive_type": "sea", "contact_phone": SEALED_PHONE, "consent_to_contact": true, "safe_contact": "Mornings; hang up if a man answers"})).await;
        let cb = |item: &Value| format!("/api/v1/feedback/{}/callbacks", item["id"].as_str().unwrap());
        let past = "2020-01-01T08:00:00Z";
        let (status, scheduled) = post(&app, Some(&agent), &cb(&open), json!({"due_at": past})).await;
        assert_eq!(status, 201, "{scheduled}");
        let (status, body) = post(&app, Some(&agent), &cb(&silent), json!({"due_at": past})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("no-contact")));
        let (status, body) = post(&app, Some(&agent), &cb(&open), json!({"due_at": "tomorrow"})).await;
        assert_eq!((status, problems(&body)[0].0.as_str()), (422, "due_at"));
        let (status, body) = post(&app, Some(&agent), &cb(&open), json!({"due_at": past, "assignee": "viewer"})).await;
        assert_eq!((status, problems(&body)[0].1.as_str()), (422, "assignee-not-allowed"));
        // Sealed items: invisible to the agent, handled by PSEA focal points only.
        assert_eq!(post(&app, Some(&agent), &cb(&sealed), json!({"due_at": past})).await.0, 404);
        let (status, body) = post(&app, Some(&psea), &cb(&sealed), json!({"due_at": past, "assignee": "agent"})).await;
        assert_eq!((status, problems(&body)[0].1.as_str()), (422, "assignee-not-allowed"));
        let (status, sealed_cb) =
            post(&app, Some(&psea), &cb(&sealed), json!({"due_at": "2030-01-01T09:00:00Z"})).await;
        assert_eq!(status, 201);

        // The queues: overdue first, with the safe-contact preference beside the number.
        let (status, mine) = get(&app, &agent, "/api/v1/callbacks").await;
        assert_eq!(status, 200);
        assert_eq!(mine.as_array().unwrap().len(), 1);
        assert_eq!(
            (mine[0]["overdue"].as_bool(), mine[0]["safe_contact"].as_str()),
            (Some(true), Some("After 17:00 only"))
        );
        assert_eq!(mine[0]["contact_phone"], PHONE);
        let (_, team) = get(&app, &agent, "/api/v1/callbacks?who=team").await;
        assert_eq!(team.as_array().unwrap().len(), 1, "the sealed item's call-back is not the team's business");
        let (_, theirs) = get(&app, &psea, "/api/v1/callbacks").await;
        assert_eq!(theirs.as_array().unwrap().len(), 1);
        assert_eq!(
            (theirs[0]["contact_phone"].as_str(), theirs[0]["overdue"].as_bool()),
            (Some(SEALED_PHONE), Some(false))
        );
        let manager = token(&app, "manager", false).await;
        let (_, seen) = get(&app, &manager, "/api/v1/callbacks?who=team").await;
        assert!(seen[0].get("contact_phone").is_none(), "roles that do not handle contacts see none");
        let listed =
            haven_store::audit::list(&app.store.pool, Some("feedback.callbacks-listed"), None, 50).await.unwrap();
        assert_eq!(listed.len(), 4, "every reading of the queue is audited");

        let c = signed_in(&app, "agent").await;
        let (_, page) = get_text(&c, &app.url(&format!("/feedback/items/{}", open["id"].as_str().unwrap()))).await;
        assert!(page.contains("id=\"safe-contact\"") && page.contains("After 17:00 only"));
        let (_, queue) = get_text(&c, &app.url("/feedback/callbacks")).await;
        assert!(queue.contains("After 17:00 only") && queue.contains("class=\"overdue\""));

        // An outcome closes the call-back and joins the item's history.
        let outcome = |id: &Value| format!("/api/v1/callbacks/{}/outcome", id["id"].as_str().unwrap());
        assert_eq!(post(&app, Some(&agent), &outcome(&sealed_cb), json!({"outcome": "reached"})).await.0, 404);
        assert_eq!(post(&app, Some(&agent), &outcome(&scheduled), json!({"outcome": "maybe"})).await.0, 422);
        let r = reqwest::Client::new()
            .post(app.url(&outcome(&scheduled)))
            .bearer_auth(&agent)
            .json(&json!({"outcome": "unsafe_to_talk"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 204);
        let (status, body) = post(&app, Some(&agent), &outcome(&scheduled), json!({"outcome": "reached"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("callback-done")));
        assert_eq!(get(&app, &agent, "/api/v1/callbacks").await.1, json!([]));
        let (_, events) = get(&app, &agent, &format!("/api/v1/feedback/{}/events", open["id"].as_str().unwrap())).await;
        let steps: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["step"].as_str().unwrap()).collect();
        assert_eq!(steps, vec!["callback-scheduled", "callback-unsafe-to-talk"]);
        let (_, page) = get_text(&c, &app.url(&format!("/feedback/items/{}", open["id"].as_str().unwrap()))).await;
        assert!(page.contains("Called back: unsafe to talk"));
    }
}

/// The raw bytes of the database: the SQLite file and its log, or every stored value of the
/// feedback tables on PostgreSQL.
async fn raw_bytes(app: &TestApp) -> Vec<u8> {
    match app.engine {
        Engine::Sqlite => {
            app.store.pool.checkpoint().await.unwrap();
            let mut raw = std::fs::read(app.db_dir.path().join("haven.db")).unwrap();
            if let Ok(wal) = std::fs::read(app.db_dir.path().join("haven.db-wal")) {
                raw.extend(wal);
            }
            raw
        }
        Engine::Postgres => {
            type Row = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);
            let rows: Vec<Row> = haven_store::on_pool!(&app.store.pool, p => {
                sqlx::query_as("SELECT narrative_enc, contact_enc, sealed_content, sealed_contact FROM feedback").fetch_all(p).await
            })
            .unwrap();
            let audit: Vec<(String,)> = haven_store::on_pool!(&app.store.pool, p => {
                sqlx::query_as("SELECT summary FROM audit_log").fetch_all(p).await
            })
            .unwrap();
            let mut raw: Vec<u8> = rows.into_iter().flat_map(|(a, b, c, d)| [a, b, c, d]).flatten().flatten().collect();
            raw.extend(audit.into_iter().flat_map(|(s,)| s.into_bytes()));
            raw
        }
    }
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn stored_contact(app: &TestApp, id: &str) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let id = uuid::Uuid::parse_str(id).unwrap();
    haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query_as("SELECT contact_enc, sealed_contact FROM feedback WHERE id = $1").bind(id).fetch_one(p).await
    })
    .unwrap()
}

async fn closed_days_ago(app: &TestApp, id: &str, days: i64) {
    let id = uuid::Uuid::parse_str(id).unwrap();
    let when = haven_store::now_utc() - time::Duration::days(days);
    haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query("UPDATE feedback SET closed_at = $1 WHERE id = $2").bind(when).bind(id).execute(p).await.map(|_| ())
    })
    .unwrap();
}

#[tokio::test]
async fn contact_details_are_erased_after_closure_and_leave_no_trace_in_the_database() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let psea = token(&app, "psea", true).await;
        let with_contact = |text: &str, phone: &str| {
            json!({"text": text, "channel": "hotline", "contact_name": "Zubeida Quarshie", "contact_phone": phone,
                "consent_to_contact": true, "safe_contact": "Only on Tuesdays"})
        };
        let (_, old) =
            post(&app, Some(&agent), "/api/v1/feedback", with_contact("Old complaint about the queue", PHONE)).await;
        let (_, reopened) =
            post(&app, Some(&agent), "/api/v1/feedback", with_contact("Reopened complaint", "+254722000001")).await;
        let (_, recent) =
            post(&app, Some(&agent), "/api/v1/feedback", with_contact("Recent complaint", "+254722000002")).await;
        let mut sealed_body = with_contact("The driver asked for sex for a ration card", SEALED_PHONE);
        sealed_body["sensitive_type"] = json!("sea");
        let (_, sealed) = post(&app, Some(&agent), "/api/v1/feedback", sealed_body).await;
        let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
        let steps = |v: &Value| format!("/api/v1/feedback/{}/steps", id(v));
        for (item, who) in [(&old, &agent), (&reopened, &agent), (&recent, &agent), (&sealed, &psea)] {
            let (status, body) =
                post(&app, Some(who), &steps(item), json!({"step": "close", "closure_reason": "withdrawn"})).await;
            assert_eq!(status, 200, "{body}");
        }
        for item in [&old, &reopened, &sealed] {
            closed_days_ago(&app, &id(item), 45).await;
        }
        closed_days_ago(&app, &id(&recent), 5).await;
        assert_eq!(post(&app, Some(&agent), &steps(&reopened), json!({"step": "reopen"})).await.0, 200);
        let (old_cipher, _) = stored_contact(&app, &id(&old)).await;
        let (_, sealed_cipher) = stored_contact(&app, &id(&sealed)).await;
        let (old_cipher, sealed_cipher) = (old_cipher.unwrap(), sealed_cipher.unwrap());
        let before = raw_bytes(&app).await;
        assert!(holds(&before, &old_cipher) && holds(&before, &sealed_cipher), "the test can see the stored contact");

        // The administrator sets the wait on the settings page.
        let admin = signed_in(&app, "admin").await;
        let csrf = csrf_of(&app, &admin).await;
        let form = |days: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("organisation", "Test".into()),
                ("time_zone", "UTC".into()),
                ("working_week", "mon,tue,wed,thu,fri".into()),
                ("contact_erase_days", days.to_owned()),
            ]
        };
        let r = admin.post(app.url("/admin/settings")).form(&form("zero")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("id=\"erase-error\""));
        assert_eq!(haven_web::feedback::erase_contacts(&app.store).await.unwrap(), 0, "90 days by default");
        let r = admin.post(app.url("/admin/settings")).form(&form("30")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(haven_web::feedback::erase_contacts(&app.store).await.unwrap(), 2);
        assert_eq!(haven_web::feedback::erase_contacts(&app.store).await.unwrap(), 0, "once only");

        // The item keeps everything but the contact; the others keep theirs.
        let item_url = |v: &Value| app.url(&format!("/api/v1/feedback/{}", id(v)));
        let (_, item) = get_json(&reqwest::Client::new(), &item_url(&old), Some(&agent)).await;
        assert_eq!(item["text"], "Old complaint about the queue");
        assert_eq!(item["status"], "closed");
        assert!(
            item.get("contact_phone").is_none()
                && item.get("contact_name").is_none()
                && item.get("safe_contact").is_none()
        );
        assert_eq!(item["has_contact"], false);
        assert!(item["contact_erased_at"].is_string());
        for kept in [&reopened, &recent] {
            let (_, item) = get_json(&reqwest::Client::new(), &item_url(kept), Some(&agent)).await;
            assert!(item["contact_phone"].is_string(), "{item}");
        }
        let (_, item) = get_json(&reqwest::Client::new(), &item_url(&sealed), Some(&psea)).await;
        assert_eq!(item["text"], "The driver asked for sex for a ration card");
        assert!(item.get("contact_phone").is_none(), "the sealed contact went too: {item}");
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/feedback/export?format=hxl-csv"))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        let export = r.text().await.unwrap();
        assert!(
            export.contains("Old complaint about the queue")
                && !export.contains(PHONE)
                && export.contains("+254722000002")
        );
        let c = signed_in(&app, "agent").await;
        let (_, page) = get_text(&c, &app.url(&format!("/feedback/items/{}", id(&old)))).await;
        assert!(page.contains("id=\"contact-erased\"") && !page.contains("Zubeida"));

        // Audited without the data, and gone from the database's bytes.
        let erased =
            haven_store::audit::list(&app.store.pool, Some("feedback.contact-erased"), None, 50).await.unwrap();
        assert_eq!(erased.len(), 2);
        assert!(erased.iter().all(|e| !e.entry.summary.contains("254") && !e.entry.summary.contains("Zubeida")));
        let after = raw_bytes(&app).await;
        assert!(!holds(&after, &old_cipher), "the erased contact's ciphertext is gone");
        assert!(!holds(&after, &sealed_cipher), "the erased sealed contact is gone");
        let text = String::from_utf8_lossy(&after);
        for secret in ["254722555019", "254733888123", "Zubeida", "Only on Tuesdays"] {
            assert!(!text.contains(secret), "{secret} in the database");
        }
        assert_eq!(stored_contact(&app, &id(&old)).await, (None, None));
    }
}

#[tokio::test]
async fn the_copy_to_postgresql_carries_the_help_desk_tables() {
    let Some(url) = crate::audit_chain::fresh_pg_database().await else {
        assert!(!require_all(), "HAVEN_REQUIRE_ALL=1 but HAVEN_TEST_DATABASE_URL is not set");
        eprintln!("notice: PostgreSQL not configured; copy test skipped");
        return;
    };
    let app = feedback_app(Engine::Sqlite, true).await;
    let protection = token(&app, "protection", false).await;
    let agent = token(&app, "agent", false).await;
    let psea = token(&app, "psea", true).await;
    let (_, svc) =
        post(&app, Some(&protection), "/api/v1/services", service("Clinic", "health", &["XY01"], true)).await;
    let answer = json!({"language": "ar", "question": "متى؟", "body": "غدًا", "category": "request-information"});
    assert_eq!(post(&app, Some(&protection), "/api/v1/answers", answer).await.0, 201);
    let (_, open) = post(
        &app,
        Some(&agent),
        "/api/v1/feedback",
        json!({"text": "Call me", "channel": "hotline",
        "location": "XY01", "contact_phone": PHONE, "consent_to_contact": true}),
    )
    .await;
    let (_, sealed) = post(
        &app,
        Some(&agent),
        "/api/v1/feedback",
        json!({"text": "He asked for sex", "channel": "hotline",
        "sensitive_type": "sea", "contact_phone": SEALED_PHONE, "consent_to_contact": true}),
    )
    .await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let refer = json!({"step": "refer", "referral_kind": "partner", "service_id": id(&svc), "consent": true});
    assert_eq!(post(&app, Some(&agent), &format!("/api/v1/feedback/{}/steps", id(&open)), refer).await.0, 200);
    let due = json!({"due_at": "2030-01-01T09:00:00Z"});
    assert_eq!(
        post(&app, Some(&agent), &format!("/api/v1/feedback/{}/callbacks", id(&open)), due.clone()).await.0,
        201
    );
    assert_eq!(post(&app, Some(&psea), &format!("/api/v1/feedback/{}/callbacks", id(&sealed)), due).await.0, 201);

    let target = haven_store::Pool::connect_postgres(&url, None).await.unwrap();
    let report = haven_store::copy::copy_all(&app.store, &target).await.unwrap();
    let rows: std::collections::HashMap<&str, i64> = report.rows.iter().copied().collect();
    for (table, n) in
        [("services", 1), ("service_locations", 1), ("answers", 1), ("answer_versions", 1), ("feedback_callbacks", 2)]
    {
        assert_eq!(rows[table], n, "{table}");
    }
    // The copy opens with the same keys: the sealed contact kept apart, the referral's service.
    let copied = haven_store::Store::new(target.clone(), (*app.store.keys).clone());
    let sealed_id = uuid::Uuid::parse_str(&id(&sealed)).unwrap();
    let (apart,): (Option<Vec<u8>>,) = haven_store::on_pool!(&copied.pool, p => {
        sqlx::query_as("SELECT sealed_contact FROM feedback WHERE id = $1").bind(sealed_id).fetch_one(p).await
    })
    .unwrap();
    assert!(apart.is_some());
    let events = haven_store::feedback::lifecycle::events(&copied, None, uuid::Uuid::parse_str(&id(&open)).unwrap())
        .await
        .unwrap();
    assert!(events.iter().any(|e| e.service_id.map(|s| s.to_string()) == Some(id(&svc))));
    target.close().await;
}
