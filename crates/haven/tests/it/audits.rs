//! Safety audits over real HTTP on both engines: rounds scored on the frozen item set, the
//! trend per site, actions overdue and closed on time, the indicator figures, and scope.

use std::collections::BTreeMap;

use haven_core::authz::{LocationScope, Role, RoleGrant};
use haven_store::identity::{self as users, Actor};
use serde_json::{Value, json};
use time::macros::datetime;

use crate::feedback::{feedback_app, get, post, problems, put, token};
use crate::support::*;

/// Every current item answered "yes", then the given exceptions.
pub(crate) async fn answers(app: &TestApp, except: &[(&str, &str)]) -> BTreeMap<String, String> {
    let (_, items) = haven_store::audits::current_items(&app.store).await.unwrap();
    let mut out: BTreeMap<String, String> = items.into_iter().map(|i| (i.code, "yes".to_owned())).collect();
    for (code, answer) in except {
        out.insert((*code).to_owned(), (*answer).to_owned());
    }
    out
}

pub(crate) async fn north_only(app: &TestApp, username: &str, scope: &str) -> String {
    let grant =
        RoleGrant { role: Role::ProtectionOfficer, agency: None, location: Some(LocationScope::new(scope).unwrap()) };
    let new = users::NewUser {
        username: haven_core::identity::Username::parse(username).unwrap(),
        display_name: "Scoped officer".into(),
        email: None,
        password_hash: users::hash_password(PASSWORD).await.unwrap(),
        agency_id: None,
        must_change_password: false,
    };
    users::create_user(&app.store, &Actor::system("test"), &new, &[grant]).await.unwrap();
    token(app, username, false).await
}

fn percents(trend: &Value) -> Vec<Value> {
    trend["rounds"].as_array().unwrap().iter().map(|r| r["total"]["percent"].clone()).collect()
}

#[tokio::test]
async fn audits_score_trend_and_follow_their_actions() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let protection = token(&app, "protection", false).await;
        let viewer = token(&app, "viewer", false).await;

        // Every problem at once, and no 500.
        let incident = "Her name is Amina; she was attacked near the latrines";
        let (status, body) = post(
            &app,
            Some(&protection),
            "/api/v1/audits",
            json!({"audited_on": "2026-02-30", "team_notes": incident, "answers": {"audit-layout-01": "no"}}),
        )
        .await;
        assert_eq!(status, 422, "{engine:?} {body}");
        assert_eq!(
            problems(&body),
            [
                ("site", "required"),
                ("audited_on", "invalid-date"),
                ("team_notes", "incident-details"),
                ("answers", "unanswered")
            ]
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
        );
        let all_yes = answers(&app, &[]).await;
        let (status, body) = post(
            &app,
            Some(&protection),
            "/api/v1/audits",
            json!({"site": "ZZ99", "audited_on": "2026-01-10", "answers": all_yes}),
        )
        .await;
        assert_eq!((status, problems(&body)), (422, vec![("site".into(), "unknown-code".into())]));

        // Round 1: a "no" on a 3-point item, a "partly" on a 4-point item, a 3-point item not applicable.
        let first =
            answers(&app, &[("audit-layout-01", "no"), ("audit-layout-02", "partly"), ("audit-layout-03", "na")]).await;
        let round = json!({"site": "XY01", "audited_on": "2026-01-10", "team_notes": "Observation at dusk; four separate group discussions", "answers": first});
        let (status, created) = post(&app, Some(&protection), "/api/v1/audits", round).await;
        assert_eq!(status, 201, "{created}");
        let r1 = created["id"].as_str().unwrap().to_owned();
        let (status, detail) = get(&app, &viewer, &format!("/api/v1/audits/{r1}")).await;
        assert_eq!(status, 200);
        // Total: 3 + 4/2 = 5 risk points of 182 - 3 = 179 → 2.8%; site layout: 5 of 22 - 3 = 19 → 26.3%.
        assert_eq!(detail["total"], json!({"risk": 5.0, "max": 179, "percent": 2.8, "level": "lower"}));
        let layout = &detail["domains"][0];
        assert_eq!(
            (&layout["domain"], &layout["risk"], &layout["max"], &layout["percent"]),
            (&json!("site-layout"), &json!(5.0), &json!(19), &json!(26.3))
        );
        assert_eq!(detail["answers"].as_array().unwrap().len(), 50);
        // Levels follow the organisation's thresholds: 2.8% is high when high starts at 2%.
        let admin = Actor::system("test");
        haven_store::settings::set(&app.store, &admin, haven_store::audits::THRESHOLDS_SETTING, "1,2,3").await.unwrap();
        let (_, again) = get(&app, &viewer, &format!("/api/v1/audits/{r1}")).await;
        assert_eq!(again["total"]["level"], "high");
        haven_store::settings::set(&app.store, &admin, haven_store::audits::THRESHOLDS_SETTING, "").await.unwrap();

        // Round 2 of the same site, everything safe: the trend falls to 0.
        let round = json!({"site": "XY01", "audited_on": "2026-02-10", "answers": all_yes});
        assert_eq!(post(&app, Some(&protection), "/api/v1/audits", round).await.0, 201);
        let (status, trend) = get(&app, &viewer, "/api/v1/sites/XY01/audits").await;
        assert_eq!(status, 200);
        assert_eq!(percents(&trend), [json!(2.8), json!(0.0)]);
        assert_eq!(get(&app, &viewer, "/api/v1/sites/NOPE/audits").await.0, 404);

        // Actions: one overdue, one due later, one closed late, one closed on time.
        let add = |text: &str, deadline: &str| json!({"text": text, "domain": "lighting", "deadline": deadline});
        let path = format!("/api/v1/audits/{r1}/actions");
        let (status, body) = post(&app, Some(&protection), &path, json!({"domain": "roads", "deadline": "soon"})).await;
        assert_eq!(
            (status, problems(&body)),
            (
                422,
                [("text", "required"), ("domain", "unknown-code"), ("deadline", "invalid-date")]
                    .map(|(f, c)| (f.to_owned(), c.to_owned()))
                    .to_vec()
            )
        );
        let mut ids = Vec::new();
        for (text, deadline) in [
            ("Repair the lights on the path to the latrines", "2020-01-01"),
            ("Install solar lights at the water point", "2099-06-30"),
            ("Distribute torches to households headed by women", "2021-01-01"),
            ("Light the main path between blocks B and C", "2099-01-01"),
        ] {
            let (status, created) = post(&app, Some(&protection), &path, add(text, deadline)).await;
            assert_eq!(status, 201, "{created}");
            ids.push(created["id"].as_str().unwrap().to_owned());
        }
        assert_eq!(post(&app, Some(&viewer), &path, add("x", "2099-01-01")).await.0, 403);
        for i in [2, 3] {
            let mut body = add("Done", if i == 2 { "2021-01-01" } else { "2099-01-01" });
            body["status"] = json!("done");
            let (status, saved) = put(&app, &protection, &format!("/api/v1/audit-actions/{}", ids[i]), body).await;
            assert_eq!((status, saved["status"].as_str()), (200, Some("done")), "{saved}");
            assert!(saved["closed_at"].is_string());
        }
        let (_, overdue) = get(&app, &viewer, "/api/v1/audit-actions?overdue=true").await;
        let overdue: Vec<&str> =
            overdue["items"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(overdue, [ids[0].as_str()]);
        let (_, all) = get(&app, &viewer, "/api/v1/audit-actions").await;
        assert_eq!(all["items"].as_array().unwrap().len(), 4);
        // Reopening clears the closing time.
        let (_, reopened) =
            put(&app, &protection, &format!("/api/v1/audit-actions/{}", ids[1]), add("Again", "2099-06-30")).await;
        assert!(reopened["closed_at"].is_null());

        // The indicator figures, by hand: XY01 audited on 10 February, XY02 never.
        let sites = ["XY01".to_owned(), "XY02".to_owned(), "XY01".to_owned()];
        let audited = |since| haven_store::audits::sites_audited_since(&app.store, &sites, since);
        assert_eq!(audited(datetime!(2026-02-01 00:00 UTC)).await.unwrap(), (1, 2));
        assert_eq!(audited(datetime!(2026-02-10 23:00 UTC)).await.unwrap(), (1, 2));
        assert_eq!(audited(datetime!(2026-02-11 00:00 UTC)).await.unwrap(), (0, 2));
        let on_time = |from, to| haven_store::audits::actions_closed_on_time(&app.store, &sites, from, to);
        // Due in [2020, 2100): four; only the one due in 2099 and done now was on time.
        assert_eq!(on_time(datetime!(2020-01-01 00:00 UTC), datetime!(2100-01-01 00:00 UTC)).await.unwrap(), (1, 4));
        // Due in [2021-01-01, 2099-01-01): the one closed late only.
        assert_eq!(on_time(datetime!(2021-01-01 00:00 UTC), datetime!(2099-01-01 00:00 UTC)).await.unwrap(), (0, 1));
        let south = ["XY02".to_owned()];
        assert_eq!(
            haven_store::audits::actions_closed_on_time(
                &app.store,
                &south,
                datetime!(2020-01-01 00:00 UTC),
                datetime!(2100-01-01 00:00 UTC)
            )
            .await
            .unwrap(),
            (0, 0)
        );

        // Someone scoped to the south sees nothing of the north.
        let south_po = north_only(&app, "south-po", "/XY/XY02/").await;
        assert_eq!(get(&app, &south_po, &format!("/api/v1/audits/{r1}")).await.0, 404);
        let (_, trend) = get(&app, &south_po, "/api/v1/sites/XY01/audits").await;
        assert!(trend["rounds"].as_array().unwrap().is_empty());
        let (_, listed) = get(&app, &south_po, "/api/v1/audit-actions").await;
        assert!(listed["items"].as_array().unwrap().is_empty());
        assert_eq!(post(&app, Some(&south_po), &path, add("x", "2099-01-01")).await.0, 404);
        assert_eq!(
            put(&app, &south_po, &format!("/api/v1/audit-actions/{}", ids[0]), add("x", "2099-01-01")).await.0,
            404
        );

        // The pages: list with the overdue action, the form with its reminder, the round, the trend chart.
        let c = signed_in(&app, "protection").await;
        let (status, list) = get_text(&c, &app.url("/audits")).await;
        assert_eq!(status, 200);
        assert!(list.contains("/sites/XY01/audits") && list.contains("Repair the lights"), "{list}");
        let (status, form) = get_text(&c, &app.url("/audits/new?lang=fr")).await;
        assert_eq!(status, 200);
        assert!(form.contains("enregistrez jamais d") && form.contains("answer-audit-layout-01"));
        let (status, round) = get_text(&c, &app.url(&format!("/audits/{r1}?lang=ar"))).await;
        assert_eq!(status, 200);
        assert!(round.contains("dir=\"rtl\"") && round.contains("تدقيق"));
        let (status, chart) = get_text(&c, &app.url("/sites/XY01/audits?lang=en")).await;
        assert_eq!(status, 200);
        assert!(chart.contains("<svg") && chart.contains("<polyline") && chart.contains("2026-02-10"));
        let csrf = csrf_of(&app, &c).await;
        let refused = c
            .post(app.url("/audits"))
            .form(&[("csrf", csrf.as_str()), ("site", "XY01"), ("audited_on", "2026-01-11")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        assert!(refused.text().await.unwrap().contains("Answer every question"));
        let viewer_c = signed_in(&app, "viewer").await;
        assert_eq!(get_text(&viewer_c, &app.url("/audits/new")).await.0, 403);
    }
}
