//! Links of feedback items to a project, a sector and a principle (at intake and at triage,
//! sealed with sealed items), their running totals, the project figures, and times shown in
//! the organisation's time zone. Over real HTTP on both engines.

use haven_core::settings::LocalZone;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::feedback::{SEALED_TEXT, feedback_app, get, post, problems, put, token};
use crate::support::*;

async fn new_project(app: &TestApp, code: &str, sector: &str) -> String {
    let manager = token(app, "manager", false).await;
    let (status, created) = post(
        app,
        Some(&manager),
        "/api/v1/projects",
        json!({"code": code, "title": format!("Project {code}"), "sectors": [sector], "locations": ["XY01"]}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

async fn count_items(app: &TestApp) -> i64 {
    let (n,): (i64,) = haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query_as("SELECT COUNT(*) FROM feedback").fetch_one(p).await
    })
    .unwrap();
    n
}

/// The sector breakdown as a protection officer sees it (no suppression): key → count.
async fn by_sector(app: &TestApp, protection: &str) -> Vec<(String, u64)> {
    let (status, body) = get(app, protection, "/api/v1/feedback/stats?by=sector").await;
    assert_eq!(status, 200, "{body}");
    body["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap().to_owned(), c["count"].as_u64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

fn period() -> (time::OffsetDateTime, time::OffsetDateTime) {
    let now = haven_store::now_utc();
    (now - time::Duration::days(1), now + time::Duration::days(1))
}

#[tokio::test]
async fn items_are_linked_at_intake_and_triage_and_counted_by_sector_and_project() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let project = new_project(&app, "XY-NFI-01", "shelter-non-food-items").await;
        let agent = token(&app, "agent", false).await;
        let protection = token(&app, "protection", false).await;

        // Unknown links are refused field by field, and nothing is stored.
        let before = count_items(&app).await;
        let (status, body) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": "Blankets ran out", "channel": "helpdesk", "project_id": Uuid::now_v7(),
                   "sector": "no-such-sector", "principle": "kindness"}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(
            problems(&body),
            [
                ("project_id".into(), "unknown-project".into()),
                ("sector".into(), "unknown-code".into()),
                ("principle".into(), "unknown-code".into())
            ]
        );
        let (status, body) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": "Blankets ran out", "channel": "helpdesk", "project_id": "XY-NFI-01", "sector": "a b"}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            problems(&body),
            [("project_id".into(), "unknown-project".into()), ("sector".into(), "unknown-code".into())]
        );
        assert_eq!(count_items(&app).await, before);

        // Linked at intake.
        let (status, linked) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": "Blankets ran out before our block was served", "channel": "helpdesk", "location": "XY01",
                   "project_id": project, "sector": "shelter-non-food-items", "principle": "meaningful-access"}),
        )
        .await;
        assert_eq!(status, 201, "{linked}");
        let linked = linked["id"].as_str().unwrap().to_owned();
        let (_, plain) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": "The clinic closes too early", "channel": "hotline", "location": "XY02"}),
        )
        .await;
        let plain = plain["id"].as_str().unwrap().to_owned();
        let (_, item) = get(&app, &protection, &format!("/api/v1/feedback/{linked}")).await;
        assert_eq!(
            (item["project_id"].as_str(), item["sector"].as_str(), item["principle"].as_str()),
            (Some(project.as_str()), Some("shelter-non-food-items"), Some("meaningful-access"))
        );

        // Filters in the API.
        for (filter, expected) in [
            (format!("project_id={project}"), vec![linked.clone()]),
            ("sector=shelter-non-food-items".to_owned(), vec![linked.clone()]),
            ("principle=meaningful-access".to_owned(), vec![linked.clone()]),
            ("sector=health-support".to_owned(), vec![]),
        ] {
            let (status, page) = get(&app, &protection, &format!("/api/v1/feedback?{filter}")).await;
            assert_eq!(status, 200, "{filter}");
            assert_eq!(ids(&page), expected, "{filter}");
        }
        assert_eq!(get(&app, &protection, "/api/v1/feedback?project_id=nope").await.0, 400);
        assert_eq!(
            by_sector(&app, &protection).await,
            [(String::new(), 1), ("shelter-non-food-items".into(), 1)],
            "{engine:?}"
        );

        // Triage: linked later, then moved to another sector; the totals follow in step.
        let links = format!("/api/v1/feedback/{plain}/links");
        let (status, body) = put(&app, &agent, &links, json!({"sector": "health-support", "principle": "x y"})).await;
        assert_eq!((status, problems(&body)), (422, vec![("principle".into(), "unknown-code".into())]));
        let (status, _) = put(&app, &agent, &links, json!({"sector": "health-support"})).await;
        assert_eq!(status, 204);
        assert_eq!(
            by_sector(&app, &protection).await,
            [("health-support".into(), 1), ("shelter-non-food-items".into(), 1)]
        );
        let (status, _) =
            put(&app, &agent, &links, json!({"sector": "shelter-non-food-items", "project_id": project})).await;
        assert_eq!(status, 204);
        assert_eq!(by_sector(&app, &protection).await, [("shelter-non-food-items".into(), 2)]);
        let (_, events) = get(&app, &protection, &format!("/api/v1/feedback/{plain}/events")).await;
        assert_eq!(events.as_array().unwrap().iter().filter(|e| e["step"] == "links").count(), 2);
        // A role that reads feedback but does not work on it cannot link it.
        let manager = token(&app, "manager", false).await;
        assert_eq!(put(&app, &manager, &links, json!({})).await.0, 403);
        // The sector totals always add up to the items received.
        let (_, channels) = get(&app, &protection, "/api/v1/feedback/stats?by=channel").await;
        let (_, sectors) = get(&app, &protection, "/api/v1/feedback/stats?by=sector").await;
        assert_eq!(channels["total"], sectors["total"]);

        // The project's figures: both items, one acknowledged and answered in time.
        let project_id = Uuid::parse_str(&project).unwrap();
        let (from, to) = period();
        let figures = haven_store::feedback::links::linked_to_project(&app.store, project_id, from, to).await.unwrap();
        assert_eq!((figures.received, figures.acknowledged, figures.responded), (2, 0, 0));
        for step in
            [json!({"step": "acknowledge"}), json!({"step": "respond", "public_response": "More blankets on Monday"})]
        {
            let (status, body) = post(&app, Some(&agent), &format!("/api/v1/feedback/{linked}/steps"), step).await;
            assert_eq!(status, 200, "{body}");
        }
        let figures = haven_store::feedback::links::linked_to_project(&app.store, project_id, from, to).await.unwrap();
        assert_eq!(
            figures,
            haven_store::feedback::rollups::Service {
                received: 2,
                acknowledged: 1,
                acknowledged_in_time: 1,
                responded: 1,
                responded_in_time: 1,
                median_response_hours: Some(0),
                ..Default::default()
            }
        );
        let later =
            haven_store::feedback::links::linked_to_project(&app.store, project_id, to, to + time::Duration::days(1))
                .await
                .unwrap();
        assert_eq!(later.received, 0);

        // The export carries the links.
        let csv = crate::feedback_export::export_of(&app, &protection, "hxl-csv").await.text().await.unwrap();
        let mut lines = csv.lines();
        let tags: Vec<&str> = lines.nth(1).unwrap().split(',').collect();
        let (project_col, sector_col) = (
            tags.iter().position(|t| *t == "#activity+code").unwrap(),
            tags.iter().position(|t| *t == "#sector+code").unwrap(),
        );
        let linked_rows: Vec<(String, String)> = lines
            .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>())
            .map(|cells| (cells[project_col].clone(), cells[sector_col].clone()))
            .collect();
        assert_eq!(linked_rows, vec![("XY-NFI-01".into(), "shelter-non-food-items".into()); 2]);
    }
}

#[tokio::test]
async fn the_pages_link_items_by_project_code_and_filter_by_links() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        new_project(&app, "XY-WASH-02", "camp-management-displacement-tracking").await;
        let agent = signed_in(&app, "agent").await;
        let csrf = csrf_of(&app, &agent).await;
        let form = |project: &'static str| {
            [
                ("csrf", csrf.clone()),
                ("channel", "helpdesk".to_owned()),
                ("text", "The latrines in block 4 have no lock".to_owned()),
                ("criticality", "action_needed".to_owned()),
                ("project", project.to_owned()),
                ("sector", "camp-management-displacement-tracking".to_owned()),
                ("principle", "safety-dignity-do-no-harm".to_owned()),
            ]
        };
        let r = agent.post(app.url("/feedback/record")).form(&form("NO-SUCH")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"project-error\"") && page.contains("There is no project with this code"));
        let r = agent.post(app.url("/feedback/record")).form(&form("XY-WASH-02")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
        let item = r.headers()["location"].to_str().unwrap().to_owned();
        let (_, page) = get_text(&agent, &app.url(&item)).await;
        assert!(page.contains("XY-WASH-02 · Project XY-WASH-02"), "{page}");
        assert!(page.contains("<dd id=\"link-principle\">Prioritize safety and dignity, and avoid causing harm</dd>"));

        // Triage on the page: the sector changed, the project removed.
        let r = agent
            .post(app.url(&format!("{item}/links")))
            .form(&[("csrf", csrf.as_str()), ("project", ""), ("sector", "health-support"), ("principle", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"].to_str().unwrap(), format!("{item}#links"));
        let (_, page) = get_text(&agent, &app.url(&item)).await;
        assert!(page.contains("<dd id=\"link-sector\">Health support</dd>") && !page.contains("id=\"link-project\""));
        let r = agent
            .post(app.url(&format!("{item}/links")))
            .form(&[("csrf", csrf.as_str()), ("project", "NO-SUCH")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"].to_str().unwrap(), format!("{item}?error=unknown-project#links"));

        let (_, list) = get_text(&agent, &app.url("/feedback?sector=health-support")).await;
        assert!(list.contains(&item));
        let (_, list) = get_text(&agent, &app.url("/feedback?sector=camp-management-displacement-tracking")).await;
        assert!(!list.contains(&item));
        let (_, list) = get_text(&agent, &app.url("/feedback?project=NO-SUCH")).await;
        assert!(list.contains("id=\"project-error\""));
        let (_, dashboard) = get_text(&signed_in(&app, "protection").await, &app.url("/feedback/dashboard")).await;
        assert!(dashboard.contains("By sector of assistance") && dashboard.contains("Health support"));
    }
}

#[tokio::test]
async fn a_sealed_items_links_stay_sealed_until_the_seal_is_lifted() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let project = new_project(&app, "XY-FOOD-03", "shelter-non-food-items").await;
        let agent = token(&app, "agent", false).await;
        let protection = token(&app, "protection", false).await;
        let (status, sealed) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea", "location": "XY01",
                   "project_id": project, "sector": "shelter-non-food-items", "principle": "accountability"}),
        )
        .await;
        assert_eq!(status, 201);
        let id = Uuid::parse_str(sealed["id"].as_str().unwrap()).unwrap();

        // Nothing of the links in the clear: not in the row, the totals, the project's figures.
        type Clear = (Option<Uuid>, Option<String>, Option<String>);
        let clear = |app: &TestApp| {
            let pool = app.store.pool.clone();
            async move {
                let row: Clear = haven_store::on_pool!(&pool, p => {
                    sqlx::query_as("SELECT project_id, sector, principle FROM feedback WHERE id = $1").bind(id).fetch_one(p).await
                })
                .unwrap();
                row
            }
        };
        assert_eq!(clear(&app).await, (None, None, None));
        // Outside PSEA, a sealed item counts only as "sealed"; for PSEA, under no sector.
        assert_eq!(by_sector(&app, &protection).await, [("sealed".into(), 1)]);
        let psea_token = token(&app, "psea", true).await;
        assert_eq!(by_sector(&app, &psea_token).await, [(String::new(), 1)]);
        let project_id = Uuid::parse_str(&project).unwrap();
        let (from, to) = period();
        let figures = haven_store::feedback::links::linked_to_project(&app.store, project_id, from, to).await.unwrap();
        assert_eq!(figures.received, 0);
        let (_, page) = get(&app, &psea_token, "/api/v1/feedback?sector=shelter-non-food-items").await;
        assert!(ids(&page).is_empty());

        // The focal point with the office key sees them; without it, nothing.
        let (_, item) = get(&app, &psea_token, &format!("/api/v1/feedback/{id}")).await;
        assert_eq!(
            (item["project_id"].as_str(), item["sector"].as_str()),
            (Some(project.as_str()), Some("shelter-non-food-items"))
        );
        let locked = token(&app, "psea", false).await;
        let (_, item) = get(&app, &locked, &format!("/api/v1/feedback/{id}")).await;
        assert_eq!((item["project_id"].clone(), item["sector"].clone()), (Value::Null, Value::Null));
        let links = format!("/api/v1/feedback/{id}/links");
        let (status, body) = put(&app, &locked, &links, json!({"sector": "health-support"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("office-key-needed")));
        // The agent who typed it cannot reach it any more.
        assert_eq!(put(&app, &agent, &links, json!({"sector": "health-support"})).await.0, 404);
        let (status, _) = put(
            &app,
            &psea_token,
            &links,
            json!({"project_id": project, "sector": "health-support", "principle": "accountability"}),
        )
        .await;
        assert_eq!(status, 204);
        assert_eq!(clear(&app).await, (None, None, None));
        let (_, item) = get(&app, &psea_token, &format!("/api/v1/feedback/{id}")).await;
        assert_eq!(item["sector"].as_str(), Some("health-support"));
        assert_eq!(by_sector(&app, &psea_token).await, [(String::new(), 1)]);

        // Lifted: the links come out with the narrative, and the totals move with them.
        let (status, _) = post(
            &app,
            Some(&psea_token),
            &format!("/api/v1/feedback/{id}/seal"),
            json!({"decision": "unseal", "reason": "a complaint about the queue, not abuse"}),
        )
        .await;
        assert_eq!(status, 204);
        assert_eq!(clear(&app).await, (Some(project_id), Some("health-support".into()), Some("accountability".into())));
        assert_eq!(by_sector(&app, &protection).await, [("health-support".into(), 1)]);
        let figures = haven_store::feedback::links::linked_to_project(&app.store, project_id, from, to).await.unwrap();
        assert_eq!(figures.received, 1);
    }
}

#[tokio::test]
async fn feedback_pages_show_times_in_the_organisations_time_zone() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let admin = signed_in(&app, "admin").await;
        let csrf = csrf_of(&app, &admin).await;
        let settings = |zone: &'static str| {
            [
                ("csrf", csrf.clone()),
                ("organisation", "Test".into()),
                ("time_zone", zone.into()),
                ("working_week", "mon,tue,wed,thu,fri".into()),
            ]
        };
        let r = admin.post(app.url("/admin/settings")).form(&settings("Mars/Olympus")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("id=\"tz-error\""));
        let r = admin.post(app.url("/admin/settings")).form(&settings("Asia/Baghdad")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);

        let agent = token(&app, "agent", false).await;
        let (_, created) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": "Please call me about the distribution list", "channel": "hotline", "location": "XY01",
                   "contact_phone": "+9647701234567", "consent_to_contact": true}),
        )
        .await;
        let id = created["id"].as_str().unwrap().to_owned();
        let (_, item) = get(&app, &agent, &format!("/api/v1/feedback/{id}")).await;
        let rfc = |v: &Value| {
            time::OffsetDateTime::parse(v.as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap()
        };
        let (received, acknowledge_by) = (rfc(&item["received_at"]), rfc(&item["acknowledge_by"]));
        // Deadlines are computed in UTC as before: the zone changes only what pages show.
        assert_eq!(acknowledge_by - received, time::Duration::hours(24));

        let baghdad = LocalZone::named("Asia/Baghdad").unwrap();
        let shown = |t: time::OffsetDateTime| {
            let (local, abbreviation) = baghdad.local(t);
            let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
            format!("{} {abbreviation}", local.format(&f).unwrap())
        };
        let staff = signed_in(&app, "agent").await;
        let (_, list) = get_text(&staff, &app.url("/feedback")).await;
        assert!(list.contains(&shown(received)), "{}", shown(received));
        assert!(!list.contains(" UTC<"));
        let (_, page) = get_text(&staff, &app.url(&format!("/feedback/items/{id}"))).await;
        assert!(page.contains(&shown(received)) && page.contains("(<span dir=\"ltr\">Asia/Baghdad</span>)"));

        // A call-back typed on the page is read in the organisation's zone (UTC+3).
        let csrf = csrf_of(&app, &staff).await;
        let r = staff
            .post(app.url(&format!("/feedback/items/{id}/callbacks")))
            .form(&[("csrf", csrf.as_str()), ("due_at", "2026-12-20T10:00"), ("assignee", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let (_, queue) = get(&app, &agent, "/api/v1/callbacks").await;
        let due = queue.as_array().unwrap().iter().find(|c| c["feedback_id"] == id.as_str()).unwrap();
        assert_eq!(rfc(&due["due_at"]), time::macros::datetime!(2026-12-20 07:00 UTC));
        let (_, page) = get_text(&staff, &app.url("/feedback/callbacks")).await;
        assert!(page.contains("2026-12-20 10:00 +03"), "{page}");
    }
}
