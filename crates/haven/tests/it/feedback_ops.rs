//! Running the mechanism day to day, over real HTTP: rate limits behind a reverse proxy,
//! the overdue and assignment queues, top issues and feedback types on the dashboard, and
//! service levels per month and per group for the M&E indicators.

use haven_web::identity::client::TrustedProxies;
use serde_json::{Value, json};

use crate::feedback::{feedback_app, feedback_app_with, get, post, token};
use crate::support::*;

/// A public submission as if through a proxy that forwarded `forwarded`.
async fn submit_from(app: &TestApp, forwarded: &str, i: usize) -> u16 {
    let body = json!({"text": format!("The tap at block {i} leaks"), "channel": "web"});
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/public/feedback"))
        .header("x-forwarded-for", forwarded)
        .json(&body)
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

async fn look_up_from(app: &TestApp, forwarded: &str) -> u16 {
    let r = reqwest::Client::new()
        .get(app.url("/feedback/status?ref=ABCD-EFGH-JKMN"))
        .header("x-forwarded-for", forwarded)
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

fn proxies(list: &[&str]) -> haven_web::WebConfig {
    let mut config = haven_web::WebConfig::new(false, true);
    config.trusted_proxies = TrustedProxies::parse(list).unwrap();
    config
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    for engine in engines() {
        // The test client connects from 127.0.0.1, here the proxy.
        let app = feedback_app_with(engine, false, proxies(&["127.0.0.1", "::1"])).await;
        for i in 0..30 {
            assert_eq!(submit_from(&app, "198.51.100.7", i).await, 201, "submission {i}");
        }
        assert_eq!(submit_from(&app, "198.51.100.7", 30).await, 429);
        // What the client wrote left of the proxy's own entry does not get it a new bucket.
        assert_eq!(submit_from(&app, "203.0.113.1, 198.51.100.7", 31).await, 429);
        // Another visitor behind the same proxy is not affected.
        assert_eq!(submit_from(&app, "198.51.100.8", 32).await, 201);
        // Status look-ups (20 a minute) count the same way.
        for _ in 0..20 {
            assert_eq!(look_up_from(&app, "198.51.100.9").await, 404);
        }
        assert_eq!(look_up_from(&app, "198.51.100.9").await, 429);
        assert_eq!(look_up_from(&app, "198.51.100.10").await, 404);
        let (n,): (i64,) = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query_as("SELECT COUNT(*) FROM feedback").fetch_one(p).await
        })
        .unwrap();
        assert_eq!(n, 31, "refused submissions store nothing");
    }
}

#[tokio::test]
async fn forwarded_addresses_from_an_untrusted_peer_are_ignored() {
    for engine in engines() {
        // 127.0.0.1 is not a trusted proxy here: its X-Forwarded-For proves nothing.
        let app = feedback_app_with(engine, false, proxies(&["10.0.0.0/8"])).await;
        for i in 0..30 {
            assert_eq!(submit_from(&app, &format!("198.51.100.{i}"), i).await, 201, "submission {i}");
        }
        assert_eq!(submit_from(&app, "198.51.100.200", 30).await, 429);
        // Sign-in counts by the same address: the form's limit is reached the same way.
        let c = client();
        let mut last = 0;
        for i in 0..21 {
            let (_, page) = get_text(&c, &app.url("/login")).await;
            let csrf = hidden(&page, "csrf");
            last = c
                .post(app.url("/login"))
                .header("x-forwarded-for", format!("192.0.2.{i}"))
                .form(&[("username", "nobody"), ("password", "wrong"), ("csrf", &csrf)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
        }
        assert_eq!(last, 429);
    }
}

/// Import a CSV log as `token`; the status.
async fn import_log(app: &TestApp, token: &str, csv: &'static str) -> u16 {
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/feedback/import?name=log.csv"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

async fn step(app: &TestApp, token: &str, id: &str, body: Value) -> u16 {
    post(app, Some(token), &format!("/api/v1/feedback/{id}/steps"), body).await.0
}

/// The references of the items `GET /api/v1/feedback?{query}` lists, sorted; or the status
/// and the field named by a refusal.
async fn listed(app: &TestApp, token: &str, query: &str) -> Result<Vec<String>, (u16, String)> {
    let (status, body) = get(app, token, &format!("/api/v1/feedback?{query}")).await;
    if status != 200 {
        return Err((status, body["error"]["field"].as_str().unwrap_or("").to_owned()));
    }
    let mut refs: Vec<String> =
        body["items"].as_array().unwrap().iter().map(|i| i["reference"].as_str().unwrap().to_owned()).collect();
    refs.sort();
    assert_eq!(body["total"].as_u64(), Some(refs.len() as u64), "{query}");
    Ok(refs)
}

#[tokio::test]
async fn queue_filters_find_overdue_assigned_prioritised_placed_and_dated_items() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let agent = token(&app, "agent", false).await;
        // A paper log from March: its deadlines passed long ago.
        let log = "text,channel,location,received,category,criticality\n\
                   The bus did not come,helpdesk,XY01,2026-03-01 08:30,request-support,urgent\n\
                   Which day is the distribution,hotline,XY02,2026-03-02 10:00,question-crisis,no_immediate_action\n";
        assert_eq!(import_log(&app, &agent, log).await, 201);
        let (_, fresh) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": "The new latrines are clean", "channel": "helpdesk", "location": "XY01",
                "category": "request-support", "criticality": "action_needed"}),
        )
        .await;
        let (_, all) = get(&app, &agent, "/api/v1/feedback?per_page=10").await;
        let received = |at: &str| -> (String, String) {
            let item = all["items"].as_array().unwrap().iter().find(|i| i["received_at"] == at).unwrap();
            (item["id"].as_str().unwrap().to_owned(), item["reference"].as_str().unwrap().to_owned())
        };
        let (bus_id, bus) = received("2026-03-01T08:30:00Z");
        let (_, day) = received("2026-03-02T10:00:00Z");
        let latrines = fresh["reference"].as_str().unwrap().to_owned();
        let sorted = |mut v: Vec<&String>| {
            v.sort();
            Ok(v.into_iter().cloned().collect::<Vec<_>>())
        };
        // Assigned late: the acknowledgement is settled, the answer is still overdue.
        assert_eq!(step(&app, &agent, &bus_id, json!({"step": "assign", "assignee": "agent"})).await, 200);

        assert_eq!(listed(&app, &agent, "overdue=true").await, sorted(vec![&bus, &day]));
        assert_eq!(listed(&app, &agent, "overdue=false").await.unwrap().len(), 3);
        assert_eq!(listed(&app, &agent, "assignee=me").await, sorted(vec![&bus]));
        assert_eq!(listed(&app, &agent, "assignee=AGENT").await, sorted(vec![&bus]));
        assert_eq!(listed(&app, &agent, "assignee=none").await, sorted(vec![&day, &latrines]));
        assert_eq!(listed(&app, &agent, "overdue=true&assignee=me").await, sorted(vec![&bus]));
        assert_eq!(listed(&app, &agent, "criticality=urgent").await, sorted(vec![&bus]));
        assert_eq!(listed(&app, &agent, "priority=3").await, sorted(vec![&day]));
        assert_eq!(listed(&app, &agent, "location=XY").await.unwrap().len(), 3);
        assert_eq!(listed(&app, &agent, "location=XY02").await, sorted(vec![&day]));
        assert_eq!(listed(&app, &agent, "category=request-support").await, sorted(vec![&bus, &latrines]));
        assert_eq!(listed(&app, &agent, "received_from=2026-03-02&received_to=2026-03-02").await, sorted(vec![&day]));
        assert_eq!(listed(&app, &agent, "received_to=2026-03-01").await, sorted(vec![&bus]));
        assert_eq!(listed(&app, &agent, "received_from=2026-03-03").await, sorted(vec![&latrines]));
        for (query, field) in [
            ("overdue=maybe", "overdue"),
            ("assignee=nobody-here", "assignee"),
            ("criticality=dire", "criticality"),
            ("priority=9", "priority"),
            ("location=XY99", "location"),
            ("category=gossip", "category"),
            ("received_from=01/03/2026", "received_from"),
            ("received_from=2026-03-05&received_to=2026-03-01", "received_to"),
        ] {
            assert_eq!(listed(&app, &agent, query).await, Err((400, field.to_owned())), "{query}");
        }
        // Items say whether they are overdue and to whom they are assigned.
        let (_, page) = get(&app, &agent, "/api/v1/feedback?assignee=me").await;
        let agent_id = haven_store::identity::user_id_by_username(&app.store, "agent").await.unwrap();
        assert_eq!(page["items"][0]["overdue"], true);
        assert_eq!(page["items"][0]["assigned_to"], agent_id.to_string());
        let (_, page) = get(&app, &agent, "/api/v1/feedback?received_from=2026-03-03").await;
        assert_eq!(page["items"][0]["overdue"], false);

        // The page has the same filters, and its "my overdue items" queue.
        let session = signed_in(&app, "agent").await;
        let (status, html) = get_text(&session, &app.url("/feedback?assignee=me&overdue=true")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&bus) && !html.contains(&day) && !html.contains(&latrines));
        assert!(html.contains("id=\"my-overdue\"") && html.contains("class=\"overdue\""));
        let (status, html) =
            get_text(&session, &app.url("/feedback?location=XY02&priority=3&received_to=2026-03-31")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&day) && !html.contains(&bus));
        let (status, html) = get_text(&session, &app.url("/feedback?priority=9")).await;
        assert_eq!(status, 400);
        assert!(html.contains("id=\"filter-error\"") && html.contains("Give a priority from 1 to 5."));

        // The API document names every filter, the service-level breakdowns and top issues.
        let doc: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
        let params = |path: &str| -> Vec<String> {
            doc["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect()
        };
        let list = params("/api/v1/feedback");
        for name in
            ["overdue", "assignee", "criticality", "priority", "location", "category", "received_from", "received_to"]
        {
            assert!(list.iter().any(|p| p == name), "{name} documented");
        }
        assert!(params("/api/v1/feedback/service-levels").iter().any(|p| p == "by"));
        assert!(params("/api/v1/feedback/top-issues").iter().any(|p| p == "month"));
    }
}

/// Cells of a table answer: (key, count).
fn cells(v: &Value, field: &str) -> Vec<(String, Option<u64>)> {
    v[field].as_array().unwrap().iter().map(|c| (c["key"].as_str().unwrap().to_owned(), c["count"].as_u64())).collect()
}

/// This month: 6 requests for support (women, XY01), 5 questions about the crisis (men, XY02),
/// 2 other questions (women, XY01), one sealed report (a woman, XY01) and one item with no
/// category, sex or place. Three requests are answered, two of them closed with the loop
/// closed (one person satisfied, one not); one question is answered. Returns the ids of the
/// satisfied and the dissatisfied closed items.
async fn month_of_feedback(app: &TestApp, agent: &str) -> (String, String) {
    let mut requests = Vec::new();
    for (n, category, sex, place) in
        [(6, "request-support", "f", "XY01"), (5, "question-crisis", "m", "XY02"), (2, "question-other", "f", "XY01")]
    {
        for i in 0..n {
            let body = json!({"text": format!("Item {i} about {category}"), "channel": "helpdesk",
                "category": category, "sex": sex, "location": place});
            let (status, item) = post(app, Some(agent), "/api/v1/feedback", body).await;
            assert_eq!(status, 201, "{item}");
            requests.push((category, item["id"].as_str().unwrap().to_owned()));
        }
    }
    let sealed = json!({"text": crate::feedback::SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea",
        "sex": "f", "location": "XY01"});
    assert_eq!(post(app, Some(agent), "/api/v1/feedback", sealed).await.0, 201);
    let bare = json!({"text": "Thank you for the blankets", "channel": "web"});
    assert_eq!(post(app, Some(agent), "/api/v1/feedback", bare).await.0, 201);
    let support: Vec<&String> = requests.iter().filter(|(c, _)| *c == "request-support").map(|(_, id)| id).collect();
    for id in &support[..3] {
        assert_eq!(step(app, agent, id, json!({"step": "respond", "public_response": "Done"})).await, 200);
    }
    for (id, satisfaction) in [(support[0], "satisfied"), (support[1], "dissatisfied")] {
        let close = json!({"step": "close", "closure_reason": "resolved", "loop_closing": "follow_up_call",
            "satisfaction": satisfaction});
        assert_eq!(step(app, agent, id, close).await, 200);
    }
    let question = &requests.iter().find(|(c, _)| *c == "question-crisis").unwrap().1;
    assert_eq!(step(app, agent, question, json!({"step": "respond", "public_response": "Tuesday"})).await, 200);
    (support[0].clone(), support[1].clone())
}

#[tokio::test]
async fn top_issues_and_feedback_types_are_counted_and_suppressed_like_the_categories() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        month_of_feedback(&app, &agent).await;
        let protection = token(&app, "protection", false).await;
        let manager = token(&app, "manager", false).await;

        let (status, top) = get(&app, &protection, "/api/v1/feedback/top-issues?limit=3").await;
        assert_eq!(status, 200, "{top}");
        let expected = [("request-support", 6), ("question-crisis", 5), ("question-other", 2)];
        assert_eq!(cells(&top, "issues"), expected.map(|(k, n)| (k.to_owned(), Some(n))).to_vec());
        assert_eq!((top["total"].as_u64(), top["suppressed"].as_bool()), (Some(15), Some(false)));
        // Outside protection: the small categories (1, 2 and the sealed 1) and, to cover them,
        // the next smallest (5) are hidden, so only the 6 is ranked.
        let (_, top) = get(&app, &manager, "/api/v1/feedback/top-issues").await;
        assert_eq!(cells(&top, "issues"), vec![("request-support".to_owned(), Some(6))]);
        assert_eq!((top["total"].as_u64(), top["suppressed"].as_bool()), (Some(15), Some(true)));
        assert_eq!(get(&app, &manager, "/api/v1/feedback/top-issues?month=2026-13").await.0, 422);
        assert_eq!(get(&app, &manager, "/api/v1/feedback/top-issues?limit=0").await.0, 422);
        // Behind the feedback-read guard like the other tiles.
        let anonymous = reqwest::get(app.url("/api/v1/feedback/top-issues")).await.unwrap().status().as_u16();
        assert_eq!(anonymous, 401);
        let caseworker = token(&app, "caseworker", false).await;
        assert_eq!(get(&app, &caseworker, "/api/v1/feedback/top-issues").await.0, 403);

        let (_, types) = get(&app, &protection, "/api/v1/feedback/stats?by=feedback_type").await;
        let expected = [("", 1), ("Question", 7), ("Request_or_suggestion", 6), ("sealed", 1)];
        assert_eq!(cells(&types, "cells"), expected.map(|(k, n)| (k.to_owned(), Some(n))).to_vec());
        assert_eq!(types["total"], 15);
        // A type with a hidden category is hidden: 7 questions would give away the 2 once the
        // 5 is known, and the total is the category table's.
        let (_, types) = get(&app, &manager, "/api/v1/feedback/stats?by=feedback_type").await;
        let shown = [("", None), ("Question", None), ("Request_or_suggestion", Some(6)), ("sealed", None)];
        assert_eq!(cells(&types, "cells"), shown.map(|(k, n)| (k.to_owned(), n)).to_vec());
        assert_eq!((types["total"].as_u64(), types["suppressed"].as_bool()), (Some(15), Some(true)));
        let (_, categories) = get(&app, &manager, "/api/v1/feedback/stats?by=category").await;
        assert_eq!(categories["total"], types["total"]);
        // A PSEA focal point sees the sealed report's type as its category's (none given).
        let psea = token(&app, "psea", false).await;
        let (_, types) = get(&app, &psea, "/api/v1/feedback/stats?by=feedback_type").await;
        assert_eq!(cells(&types, "cells")[0], (String::new(), Some(2)));
        // The aggregate export has the breakdown too, HXL-tagged.
        let csv = reqwest::Client::new()
            .get(app.url("/api/v1/feedback/stats/export?by=feedback_type&format=hxl-csv"))
            .bearer_auth(&manager)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(csv.contains("#x_feedback_type") && csv.contains("Request_or_suggestion,6,no"), "{csv}");

        // The dashboard shows both as charts, in the viewer's language.
        let session = signed_in(&app, "manager").await;
        let (status, html) = get_text(&session, &app.url("/feedback/dashboard")).await;
        assert_eq!(status, 200);
        for part in
            ["id=\"chart-top-issues\"", "Top issues this month", "id=\"chart-feedback_type\"", "Request or suggestion"]
        {
            assert!(html.contains(part), "{part}");
        }
        assert!(!html.contains("report-sea") && !html.contains("Question about the crisis"));
        let session = signed_in(&app, "protection").await;
        let (_, html) = get_text(&session, &app.url("/feedback/dashboard?lang=fr")).await;
        assert!(html.contains("Principaux sujets ce mois-ci") && html.contains("Demande ou suggestion"));
        assert!(html.contains("Question sur la crise"), "top issues carry the category's name");
    }
}

/// The cell of `key` in a service-level answer.
fn cell<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["cells"].as_array().unwrap().iter().find(|c| c["key"] == key).unwrap_or_else(|| panic!("no cell {key}: {v}"))
}

#[tokio::test]
async fn service_levels_come_per_month_place_and_group_with_small_cells_withheld() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let (satisfied, _) = month_of_feedback(&app, &agent).await;
        let protection = token(&app, "protection", false).await;
        let manager = token(&app, "manager", false).await;
        let this_month = haven_store::feedback::rollups::month_of(haven_store::now_utc());

        // Without `by`, the figures of the whole period as before.
        let (_, whole) = get(&app, &protection, "/api/v1/feedback/service-levels").await;
        assert_eq!((whole["received"].as_u64(), whole["responded_in_time_pct"].as_f64()), (Some(15), Some(26.7)));
        assert!(whole.get("cells").is_none());

        let (status, by_sex) = get(&app, &protection, "/api/v1/feedback/service-levels?by=sex").await;
        assert_eq!(status, 200, "{by_sex}");
        assert_eq!(by_sex["by"], "sex");
        let women = cell(&by_sex, "f");
        assert_eq!((women["received"].as_u64(), women["responded_in_time_pct"].as_f64()), (Some(9), Some(33.3)));
        assert_eq!(
            (women["closed_with_loop_pct"].as_f64(), women["satisfied_pct"].as_f64()),
            (Some(100.0), Some(50.0))
        );
        let men = cell(&by_sex, "m");
        assert_eq!((men["received"].as_u64(), men["responded_in_time_pct"].as_f64()), (Some(5), Some(20.0)));
        assert_eq!(cell(&by_sex, "")["received"], 1);
        // Outside protection: the 1 not given, and the 5 men with it, are withheld; the two
        // closed items of women are too few for the closing figures. An M&E officer, who
        // reads no item, gets the same feed as a project manager.
        let mande = token(&app, "mande", false).await;
        let (status, _) = get(&app, &mande, "/api/v1/feedback").await;
        assert_eq!(status, 403, "M&E officers read no item");
        let (status, for_mande) = get(&app, &mande, "/api/v1/feedback/service-levels?by=sex").await;
        assert_eq!(status, 200, "{for_mande}");
        let (_, by_sex) = get(&app, &manager, "/api/v1/feedback/service-levels?by=sex").await;
        assert_eq!(for_mande, by_sex);
        assert_eq!(by_sex["suppressed"], true);
        let women = cell(&by_sex, "f");
        assert_eq!((women["received"].as_u64(), women["responded_in_time_pct"].as_f64()), (Some(9), Some(33.3)));
        assert!(women["closed_with_loop_pct"].is_null() && women["satisfied_pct"].is_null(), "{women}");
        for hidden in ["m", ""] {
            let c = cell(&by_sex, hidden);
            assert!(c["received"].is_null() && c["responded_in_time_pct"].is_null(), "{c}");
        }

        // A series: every month of the period, this one with the items.
        let (_, series) = get(&app, &protection, "/api/v1/feedback/service-levels?by=month").await;
        let months = series["cells"].as_array().unwrap();
        assert_eq!(months.len(), 12);
        assert_eq!(months[11]["key"], this_month.as_str());
        assert_eq!(
            (months[11]["received"].as_u64(), months[11]["median_response_hours"].as_i64()),
            (Some(15), Some(0))
        );
        assert_eq!((months[0]["received"].as_u64(), months[0]["responded_in_time_pct"].as_f64()), (Some(0), None));
        let url = format!("/api/v1/feedback/service-levels?by=month&from={this_month}&to={this_month}");
        assert_eq!(get(&app, &protection, &url).await.1["cells"].as_array().unwrap().len(), 1);

        let (_, places) = get(&app, &protection, "/api/v1/feedback/service-levels?by=location").await;
        assert_eq!(cell(&places, "XY01")["received"], 9);
        assert_eq!(cell(&places, "XY02")["responded_in_time_pct"], 20.0);
        let (_, disability) = get(&app, &protection, "/api/v1/feedback/service-levels?by=disability").await;
        assert_eq!(cell(&disability, "")["received"], 15);
        let (_, ages) = get(&app, &protection, "/api/v1/feedback/service-levels?by=age_bracket").await;
        assert_eq!(cell(&ages, "")["responded_in_time_pct"], 26.7);

        // Reopening takes an item out of the closed figures of its group too.
        assert_eq!(step(&app, &agent, &satisfied, json!({"step": "reopen"})).await, 200);
        let (_, by_sex) = get(&app, &protection, "/api/v1/feedback/service-levels?by=sex").await;
        assert_eq!(
            (cell(&by_sex, "f")["satisfied_pct"].as_f64(), cell(&by_sex, "m")["satisfied_pct"].as_f64()),
            (Some(0.0), None)
        );

        // The migration's back-fill, run on these items, gives what the steps counted.
        let figures = || async {
            type Row = (String, String, String, String, i64, i64, i64, i64, i64, i64, i64);
            let rows: Vec<Row> = haven_store::on_pool!(&app.store.pool, p => {
                sqlx::query_as(
                    "SELECT dimension, month, key, location_path, acknowledged, acknowledged_in_time, responded,
                        responded_in_time, closed, closed_with_loop, satisfied FROM feedback_service_by
                     WHERE acknowledged + responded + closed + closed_with_loop + satisfied > 0
                     ORDER BY dimension, month, key, location_path",
                )
                .fetch_all(p)
                .await
            })
            .unwrap();
            rows
        };
        let counted = figures().await;
        // Sex f and m; age bracket and disability not given, at each of the two places.
        assert_eq!(counted.len(), 6, "{counted:?}");
        let migration = match engine {
            Engine::Sqlite => include_str!("../../../haven-store/migrations/sqlite/0017_feedback_service_by.sql"),
            Engine::Postgres => include_str!("../../../haven-store/migrations/postgres/0017_feedback_service_by.sql"),
        };
        let backfill = migration.split_once("-- The figures so far").unwrap().1.split_once('\n').unwrap().1.to_owned();
        haven_store::on_pool!(&app.store.pool, p => sqlx::query("DELETE FROM feedback_service_by").execute(p).await.map(|_| ()))
            .unwrap();
        haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query(sqlx::AssertSqlSafe(backfill.clone())).execute(p).await.map(|_| ())
        })
        .unwrap();
        assert_eq!(figures().await, counted);

        let (status, body) = get(&app, &manager, "/api/v1/feedback/service-levels?by=colour").await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("by")));
        assert_eq!(get(&app, &manager, "/api/v1/feedback/service-levels?by=sex&to=2026-13").await.0, 422);
    }
}

#[tokio::test]
async fn categories_can_have_their_own_service_levels_set_on_the_settings_page() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let admin = signed_in(&app, "admin").await;
        let csrf = csrf_of(&app, &admin).await;
        let save = |targets: &str| {
            let form = [
                ("csrf", csrf.clone()),
                ("organisation", "Test".to_owned()),
                ("time_zone", "UTC".to_owned()),
                ("working_week", "mon,tue,wed,thu,fri".to_owned()),
                ("category_targets", targets.to_owned()),
            ];
            let admin = admin.clone();
            let url = app.url("/admin/settings");
            async move {
                let r = admin.post(url).form(&form).send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        for (bad, message) in [
            ("request-support 48/14", "Line \u{2068}1\u{2069}: write code: hours/days"),
            ("request-support: 0/14", "with 1 to 720 hours"),
            ("request-support: 48/14\nrequest-support: 2/2", "already given above"),
            ("gossip: 48/14", "is not a category of the feedback typology"),
        ] {
            let (status, page) = save(bad).await;
            assert_eq!(status, 422, "{bad}");
            assert!(page.contains("id=\"targets-error\"") && page.contains(message), "{bad}: {page}");
        }
        let (status, page) = save("request-support: 48/14\r\nquestion-crisis: 2/1").await;
        assert_eq!(status, 200);
        assert!(page.contains("question-crisis: 2/1\nrequest-support: 48/14"), "saved in code order");
        let (_, page) = get_text(&admin, &app.url("/admin/settings")).await;
        assert!(page.contains("request-support: 48/14"));

        let agent = token(&app, "agent", false).await;
        let deadlines = |category: Option<&str>| {
            let mut body = json!({"text": "The borehole pump is loud at night", "channel": "helpdesk"});
            if let Some(c) = category {
                body["category"] = json!(c);
            }
            let app = &app;
            let agent = agent.clone();
            async move {
                let (_, created) = post(app, Some(&agent), "/api/v1/feedback", body).await;
                let (_, item) =
                    get(app, &agent, &format!("/api/v1/feedback/{}", created["id"].as_str().unwrap())).await;
                let at = |k: &str| {
                    time::OffsetDateTime::parse(
                        item[k].as_str().unwrap(),
                        &time::format_description::well_known::Rfc3339,
                    )
                    .unwrap()
                };
                (at("acknowledge_by") - at("received_at"), at("respond_by") - at("received_at"))
            }
        };
        assert_eq!(deadlines(Some("request-support")).await, (time::Duration::hours(48), time::Duration::days(14)));
        assert_eq!(deadlines(Some("question-crisis")).await, (time::Duration::hours(2), time::Duration::days(1)));
        // Other categories, and items without one, keep the general targets.
        assert_eq!(deadlines(Some("question-other")).await, (time::Duration::hours(24), time::Duration::days(7)));
        assert_eq!(deadlines(None).await, (time::Duration::hours(24), time::Duration::days(7)));
        // Imported logs follow the same targets.
        let log = "text,channel,received,category\nThe pump is loud,helpdesk,2026-03-01 08:00,request-support\n";
        assert_eq!(import_log(&app, &agent, log).await, 201);
        let (_, page) = get(&app, &agent, "/api/v1/feedback?received_to=2026-03-31").await;
        assert_eq!(page["items"][0]["respond_by"], "2026-03-15T08:00:00Z");
    }
}

/// The Washington Group Short Set on every way in: the API, the agent's form and the public
/// form record whether the person has a disability, never the answers themselves.
#[tokio::test]
async fn washington_group_answers_record_only_the_disability() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let agent = token(&app, "agent", false).await;
        let protection = token(&app, "protection", false).await;
        let disability_of = |created: Value| {
            let id = created["id"].as_str().unwrap().to_owned();
            let (app, protection) = (&app, &protection);
            async move {
                let (status, item) = get(app, protection, &format!("/api/v1/feedback/{id}")).await;
                assert_eq!(status, 200, "{item}");
                assert!(!item.to_string().contains("a_lot"), "the answers are not kept: {item}");
                item["disability"].clone()
            }
        };

        let body = json!({"text": "The ramp to the clinic is broken", "channel": "helpdesk",
            "functioning": {"seeing": "none", "walking": "a_lot"}});
        let (status, created) = post(&app, Some(&agent), "/api/v1/feedback", body).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(disability_of(created).await, true);

        let both =
            json!({"text": "x", "channel": "helpdesk", "disability": false, "functioning": {"walking": "a_lot"}});
        let (status, refused) = post(&app, Some(&agent), "/api/v1/feedback", both).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["error"]["problems"][0]["code"], "disability-or-functioning");

        // The agent's form asks the six questions in order; "some difficulty" everywhere is
        // not a disability by the recommended cut-off.
        let c = signed_in(&app, "agent").await;
        let (_, page) = get_text(&c, &app.url("/feedback/record")).await;
        let order: Vec<usize> =
            ["wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_self_care", "wg_communicating"]
                .iter()
                .map(|f| page.find(&format!("name=\"{f}\"")).unwrap_or_else(|| panic!("{f} on the form")))
                .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "questions in the set's order");
        let csrf = hidden(&page, "csrf");
        let mut form = vec![("csrf", csrf.as_str()), ("channel", "hotline"), ("text", "The latrines have no lock")];
        for f in ["wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_self_care", "wg_communicating"] {
            form.push((f, "some"));
        }
        let r = c.post(app.url("/feedback/record")).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let id = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_owned();
        assert_eq!(disability_of(json!({"id": id})).await, false);

        // The public form, in Arabic: one answer "cannot do at all".
        let public = client();
        let (_, page) = get_text(&public, &app.url("/feedback/new?lang=ar")).await;
        assert!(page.contains("هل تجد صعوبة في المشي أو صعود الدرج؟"));
        let csrf = hidden(&page, "csrf");
        let form = [("csrf", csrf.as_str()), ("text", "لا أستطيع الوصول إلى نقطة التوزيع"), ("wg_seeing", "cannot")];
        let r = public.post(app.url("/feedback/new")).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let (_, page) = get(&app, &protection, "/api/v1/feedback?channel=web").await;
        assert_eq!(page["items"][0]["disability"], true, "{page}");
    }
}
