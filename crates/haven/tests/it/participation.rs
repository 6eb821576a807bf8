//! Participation over real HTTP on both engines: committees and consultations as counts, the
//! composition figure the indicators read, roles and scope.

use serde_json::{Value, json};

use crate::audits::north_only;
use crate::feedback::{feedback_app, get, post, problems, put, token};
use crate::support::*;

fn cell(sex: &str, bracket: &str, disability: bool, count: i64) -> Value {
    json!({"sex": sex, "age_bracket": bracket, "disability": disability, "count": count})
}

fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn committees_and_consultations_are_counts_and_feed_the_composition() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let protection = token(&app, "protection", false).await;
        let manager = token(&app, "manager", false).await;
        let mande = token(&app, "mande", false).await;
        let viewer = token(&app, "viewer", false).await;
        let (_, project) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "XY-WASH-1", "title": "Latrines", "sectors": ["camp-management-displacement-tracking"], "locations": ["XY01"]}),
        )
        .await;
        let project = project["id"].as_str().unwrap().to_owned();

        // Every problem at once.
        let (status, body) = post(
            &app,
            Some(&protection),
            "/api/v1/committees",
            json!({"site": "NOPE", "project_id": "00000000-0000-0000-0000-000000000001", "formed_on": "2099-01-01",
                   "members": [cell("f", "18-59", false, 2)], "at_risk_members": 3,
                   "at_risk_groups": [{"group": "older-persons", "count": 4}]}),
        )
        .await;
        assert_eq!(status, 422, "{engine:?} {body}");
        let expected = [
            ("purpose", "required"),
            ("formed_on", "in-the-future"),
            ("at_risk_members", "more-than-members"),
            ("at_risk_groups", "more-than-at-risk"),
            ("site", "unknown-code"),
            ("project_id", "unknown-code"),
        ];
        assert_eq!(problems(&body), expected.map(|(f, c)| (f.to_owned(), c.to_owned())));
        let (status, body) = post(
            &app,
            Some(&protection),
            "/api/v1/committees",
            json!({"site": "XY01", "purpose": "p", "members": [cell("f", "18-59", false, 2)], "at_risk_members": 1,
                   "at_risk_groups": [{"group": "no-such-group", "count": 1}]}),
        )
        .await;
        assert_eq!((status, problems(&body)), (422, vec![("at_risk_groups".into(), "unknown-code".into())]));

        // A: 10 members, 5 women (the two girls are not women), 4 with disabilities, 3 from at-risk groups.
        let a = json!({"site": "XY01", "purpose": "Water point management", "formed_on": "2026-01-05",
            "members": [cell("f", "18-59", false, 4), cell("f", "60-plus", true, 1), cell("f", "12-17", false, 2), cell("m", "18-59", true, 3)],
            "at_risk_members": 3, "at_risk_groups": [{"group": "female-headed-households", "count": 2}, {"group": "older-persons", "count": 1}]});
        let (status, created) = post(&app, Some(&protection), "/api/v1/committees", a).await;
        assert_eq!(status, 201, "{created}");
        let a_id = created["id"].as_str().unwrap().to_owned();
        // B, the project's: 6 members, 3 women, 2 from at-risk groups (an M&E officer records it).
        let b = json!({"site": "XY01", "project_id": project, "purpose": "Women's construction committee",
            "members": [cell("f", "18-59", false, 3), cell("m", "18-59", false, 3)], "at_risk_members": 2});
        assert_eq!(post(&app, Some(&mande), "/api/v1/committees", b).await.0, 201);
        // C in the south, then dissolved.
        let c = json!({"site": "XY02", "purpose": "Distribution committee", "members": [cell("m", "18-59", false, 5)]});
        let (_, created) = post(&app, Some(&manager), "/api/v1/committees", c.clone()).await;
        let c_id = created["id"].as_str().unwrap().to_owned();
        let mut inactive = c;
        inactive["active"] = json!(false);
        let (status, saved) = put(&app, &manager, &format!("/api/v1/committees/{c_id}"), inactive).await;
        assert_eq!((status, saved["active"].as_bool()), (200, Some(false)));
        assert_eq!(post(&app, Some(&viewer), "/api/v1/committees", json!({})).await.0, 403);

        let (_, list) = get(&app, &viewer, "/api/v1/committees").await;
        assert_eq!(list["items"].as_array().unwrap().len(), 3);
        let first = list["items"].as_array().unwrap().iter().find(|i| i["id"] == json!(a_id)).unwrap();
        assert_eq!(
            (&first["member_count"], &first["women"], &first["with_disability"]),
            (&json!(10), &json!(5), &json!(4))
        );

        // The indicator figure, by hand.
        let sites = ["XY01".to_owned(), "XY02".to_owned()];
        let all = haven_store::participation::committee_composition(&app.store, &sites, None).await.unwrap();
        assert_eq!((all.members, all.women, all.at_risk_members, all.with_disability), (16, 8, 5, 4));
        let project_id = uuid::Uuid::parse_str(&project).unwrap();
        let mine =
            haven_store::participation::committee_composition(&app.store, &sites, Some(project_id)).await.unwrap();
        assert_eq!((mine.members, mine.women, mine.at_risk_members, mine.with_disability), (6, 3, 2, 0));
        let south = haven_store::participation::committee_composition(&app.store, &sites[1..], None).await.unwrap();
        assert_eq!(south.members, 0, "an inactive committee does not count");

        // Consultations.
        let (status, body) =
            post(&app, Some(&protection), "/api/v1/consultations", json!({"site": "XY01", "participants": []})).await;
        assert_eq!(status, 422);
        assert_eq!(
            problems(&body),
            [("held_on", "required"), ("participants", "required"), ("topics", "required")]
                .map(|(f, c)| (f.to_owned(), c.to_owned()))
        );
        let k = json!({"site": "XY01", "project_id": project, "held_on": "2026-02-01",
            "participants": [cell("f", "18-59", false, 12), cell("f", "60-plus", true, 2), cell("m", "18-59", false, 9)],
            "topics": "Where and when distributions happen", "concerns": "Queues after dark",
            "decisions": "Distribute in the morning", "changes": "Distribution hours moved to 08:00-13:00"});
        assert_eq!(post(&app, Some(&protection), "/api/v1/consultations", k).await.0, 201);
        let (_, consultations) = get(&app, &viewer, "/api/v1/consultations").await;
        let one = &consultations["items"][0];
        assert_eq!(
            (&one["participant_count"], &one["women"], &one["with_disability"]),
            (&json!(23), &json!(14), &json!(2))
        );

        // Scope: the south sees the south only.
        let south_po = north_only(&app, "south-po", "/XY/XY02/").await;
        let (_, seen) = get(&app, &south_po, "/api/v1/committees").await;
        assert_eq!(ids(&seen), std::slice::from_ref(&c_id));
        let (_, seen) = get(&app, &south_po, "/api/v1/consultations").await;
        assert!(ids(&seen).is_empty());
        let (status, _) = put(
            &app,
            &south_po,
            &format!("/api/v1/committees/{a_id}"),
            json!({"site": "XY02", "purpose": "x", "members": [cell("m", "18-59", false, 1)]}),
        )
        .await;
        assert_eq!(status, 404);

        // The page, in Arabic, and its form.
        let client = signed_in(&app, "protection").await;
        let (status, page) = get_text(&client, &app.url("/participation?lang=ar")).await;
        assert_eq!(status, 200);
        assert!(page.contains("dir=\"rtl\"") && page.contains("اللجان") && page.contains("Water point management"));
        let csrf = csrf_of(&app, &client).await;
        let saved = client
            .post(app.url("/participation/committees"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("site", "XY02"),
                ("purpose", "Youth committee"),
                ("cell-f-12-17-0", "3"),
                ("cell-m-12-17-0", "2"),
                ("at_risk_members", "1"),
                ("group-adolescent-girls", "1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status().as_u16(), 303);
        let refused = client
            .post(app.url("/participation/consultations"))
            .form(&[("csrf", csrf.as_str()), ("site", "XY02"), ("held_on", "2026-02-01")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        let (_, list) = get(&app, &viewer, "/api/v1/committees").await;
        assert_eq!(list["items"].as_array().unwrap().len(), 4);
    }
}

#[tokio::test]
async fn the_copy_to_postgresql_carries_audits_and_participation() {
    let Some(url) = crate::audit_chain::fresh_pg_database().await else {
        assert!(!require_all(), "HAVEN_REQUIRE_ALL=1 but HAVEN_TEST_DATABASE_URL is not set");
        eprintln!("notice: PostgreSQL not configured; copy test skipped");
        return;
    };
    let app = feedback_app(Engine::Sqlite, false).await;
    let protection = token(&app, "protection", false).await;
    let answers = crate::audits::answers(&app, &[("audit-light-01", "no")]).await;
    let (_, round) = post(
        &app,
        Some(&protection),
        "/api/v1/audits",
        json!({"site": "XY01", "audited_on": "2026-01-10", "answers": answers}),
    )
    .await;
    let actions = format!("/api/v1/audits/{}/actions", round["id"].as_str().unwrap());
    let action = json!({"text": "Light the path", "domain": "lighting", "deadline": "2026-02-01", "status": "done"});
    assert_eq!(post(&app, Some(&protection), &actions, action).await.0, 201);
    let committee = json!({"site": "XY01", "purpose": "Water committee", "members": [cell("f", "18-59", true, 3)]});
    assert_eq!(post(&app, Some(&protection), "/api/v1/committees", committee).await.0, 201);
    let consultation = json!({"site": "XY01", "held_on": "2026-01-15", "participants": [cell("m", "60-plus", false, 4)],
                              "topics": "Distribution timing"});
    assert_eq!(post(&app, Some(&protection), "/api/v1/consultations", consultation).await.0, 201);

    let target = haven_store::Pool::connect_postgres(&url, None).await.unwrap();
    let report = haven_store::copy::copy_all(&app.store, &target).await.unwrap();
    let rows: std::collections::HashMap<&str, i64> = report.rows.iter().copied().collect();
    for table in ["audit_rounds", "audit_actions", "committees", "consultations"] {
        assert_eq!(rows[table], 1, "{table}");
    }
    let copied = haven_store::participation::committee_composition(
        &haven_store::Store::new(target.clone(), app.store.keys.clone()),
        &["XY01".to_owned()],
        None,
    )
    .await
    .unwrap();
    assert_eq!((copied.members, copied.women, copied.with_disability), (3, 3, 3));
    target.close().await;
}
