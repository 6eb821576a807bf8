//! Monitoring rounds, evaluation, closing and lessons carried to later projects, over real
//! HTTP on both engines: scores against hand counts, periods, frozen rounds and projects,
//! roles and places.

use std::collections::BTreeMap;

use haven_core::authz::{LocationScope, Role, RoleGrant};
use haven_store::identity::{self as users, Actor};
use serde_json::{Value, json};

use crate::feedback::{feedback_app, get, post, problems, put, token};
use crate::support::*;

fn ids_where(checklist: &Value, keep: impl Fn(&Value) -> bool) -> Vec<String> {
    checklist["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| keep(i))
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Register a project, pass its gate and have it endorsed: it is then in implementation.
async fn endorsed_project(
    app: &TestApp,
    manager: &str,
    protection: &str,
    code: &str,
    sector: &str,
    place: &str,
) -> String {
    let body = json!({"code": code, "title": format!("Project {code}"), "sectors": [sector], "locations": [place],
                      "targeting": {"mode": "blanket"}});
    let (status, created) = post(app, Some(manager), "/api/v1/projects", body).await;
    assert_eq!(status, 201, "{created}");
    let base = format!("/api/v1/projects/{}", created["id"].as_str().unwrap());
    let (_, checklist) = get(app, manager, &format!("{base}/checklist")).await;
    let gate = ids_where(&checklist, |i| {
        i["mandatory"] == true && ["development-design", "endorsement"].contains(&i["phase"].as_str().unwrap())
    });
    let answers: serde_json::Map<String, Value> = gate.iter().map(|i| (i.clone(), json!({"answer": "met"}))).collect();
    assert_eq!(put(app, manager, &format!("{base}/checklist"), json!({"answers": answers})).await.0, 204);
    assert_eq!(post(app, Some(manager), &format!("{base}/risks/review"), json!({})).await.0, 204);
    let (status, body) = post(app, Some(protection), &format!("{base}/endorse"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    base
}

/// The hand count: per principle, items met over items not answered "not applicable".
fn hand_scores(items: &[Value], answers: &BTreeMap<String, &str>) -> BTreeMap<String, Option<i64>> {
    let mut out = BTreeMap::new();
    for principle in ["safety-dignity-do-no-harm", "meaningful-access", "accountability", "participation-empowerment"] {
        let of: Vec<&str> =
            items.iter().filter(|i| i["principle"] == principle).map(|i| i["id"].as_str().unwrap()).collect();
        let applicable = of.iter().filter(|i| answers.get(**i) != Some(&"na")).count() as i64;
        let met = of.iter().filter(|i| answers.get(**i) == Some(&"met")).count() as i64;
        out.insert(principle.to_owned(), (applicable > 0).then(|| (met * 100 + applicable / 2) / applicable));
    }
    out
}

fn scores_of(round: &Value) -> BTreeMap<String, Option<i64>> {
    round["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["principle"].as_str().unwrap().to_owned(), s["percent"].as_i64()))
        .collect()
}

fn body_of(answers: &BTreeMap<String, &str>) -> Value {
    let map: serde_json::Map<String, Value> = answers
        .iter()
        .map(|(item, a)| {
            let v = if *a == "met" {
                json!({"answer": a})
            } else {
                json!({"answer": a, "justification": "Seen on the site visit"})
            };
            (item.clone(), v)
        })
        .collect();
    json!({ "answers": map })
}

#[tokio::test]
async fn round_scores_follow_hand_counts_and_a_completed_round_is_frozen() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let protection = token(&app, "protection", false).await;
        let (_, draft) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "D-1", "title": "Design", "sectors": ["health-support"]}),
        )
        .await;
        let draft_rounds = format!("/api/v1/projects/{}/rounds", draft["id"].as_str().unwrap());
        let (status, body) = post(&app, Some(&manager), &draft_rounds, json!({"period": "2025-10"})).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (409, Some("not-implementing")),
            "no round before endorsement"
        );

        let base =
            endorsed_project(&app, &manager, &protection, "CCCM-1", "camp-management-displacement-tracking", "XY01")
                .await;
        let rounds = format!("{base}/rounds");
        let (status, created) = post(&app, Some(&manager), &rounds, json!({"period": "2025-10"})).await;
        assert_eq!(status, 201, "{created}");
        let october = format!("{rounds}/{}", created["id"].as_str().unwrap());
        for (period, status, code) in [
            ("2025-10", 409, "period-taken"),
            ("2025-Q4", 409, "period-taken"),
            ("2099-01", 422, "period-in-future"),
            ("October", 422, "invalid-period"),
        ] {
            let (got, body) = post(&app, Some(&manager), &rounds, json!({"period": period})).await;
            assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{engine:?} {period}");
        }

        // The round answers the implementation items of the project's sectors.
        let (_, checklist) = get(&app, &manager, &format!("{base}/checklist")).await;
        let implementation = ids_where(&checklist, |i| i["phase"] == "implementation-monitoring");
        let (status, round) = get(&app, &manager, &october).await;
        assert_eq!(status, 200);
        let items = round["items"].as_array().unwrap().clone();
        let ids: Vec<String> = items.iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(ids, implementation);
        assert!(ids.contains(&"sec-cccm-03".to_owned()));
        let mandatory: Vec<String> =
            items.iter().filter(|i| i["mandatory"] == true).map(|i| i["id"].as_str().unwrap().to_owned()).collect();

        // A batch with one answer lacking its justification saves nothing.
        let (status, body) =
            put(&app, &manager, &format!("{october}/checklist"), json!({"answers": {"im-01": {"answer": "partly"}}}))
                .await;
        assert_eq!((status, problems(&body)), (422, vec![("im-01".into(), "justification-required".into())]));
        let (status, _) =
            put(&app, &manager, &format!("{october}/checklist"), json!({"answers": {"im-99": {"answer": "met"}}}))
                .await;
        assert_eq!(status, 404, "an item outside the round");

        // Only the optional items first: completion lists every mandatory one left.
        let mut answers: BTreeMap<String, &str> = BTreeMap::new();
        for (n, id) in ids.iter().filter(|i| !mandatory.contains(i)).enumerate() {
            answers.insert(id.clone(), ["met", "na", "partly"][n % 3]);
        }
        assert_eq!(put(&app, &manager, &format!("{october}/checklist"), body_of(&answers)).await.0, 204);
        let (status, body) = post(&app, Some(&manager), &format!("{october}/complete"), json!({})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("round_incomplete")));
        let unanswered: Vec<String> =
            body["error"]["unanswered"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        assert_eq!(unanswered, mandatory);

        for (n, id) in mandatory.iter().enumerate() {
            answers.insert(id.clone(), ["met", "not_met", "met", "partly"][n % 4]);
        }
        assert_eq!(put(&app, &manager, &format!("{october}/checklist"), body_of(&answers)).await.0, 204);
        let (_, round) = get(&app, &manager, &october).await;
        assert_eq!(scores_of(&round["round"]), hand_scores(&items, &answers), "{engine:?}");
        let (status, done) = post(
            &app,
            Some(&manager),
            &format!("{october}/complete"),
            json!({"note": "Locks fitted; lighting still missing"}),
        )
        .await;
        assert_eq!((status, done["status"].as_str()), (200, Some("completed")), "{done}");
        assert_eq!(done["completed_by"], "manager");

        // Frozen: no route changes it, and neither can the database.
        let (status, body) =
            put(&app, &manager, &format!("{october}/checklist"), json!({"answers": {"im-01": {"answer": "met"}}}))
                .await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("round-completed")));
        let (status, _) = post(&app, Some(&manager), &format!("{october}/complete"), json!({})).await;
        assert_eq!(status, 409);
        let round_id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();
        let changed = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query("UPDATE project_round_answers SET answer = 'met' WHERE round_id = $1").bind(round_id).execute(p).await.map(|_| ())
        });
        assert!(changed.is_err(), "a completed round's answers were changed");
        let reopened = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query("UPDATE project_rounds SET status = 'open' WHERE id = $1").bind(round_id).execute(p).await.map(|_| ())
        });
        assert!(reopened.is_err(), "a completed round was reopened");

        // A second month, every item met but one "not applicable": the trend has two points.
        let (_, created) = post(&app, Some(&manager), &rounds, json!({"period": "2025-11"})).await;
        let november = format!("{rounds}/{}", created["id"].as_str().unwrap());
        let mut second: BTreeMap<String, &str> = ids.iter().map(|i| (i.clone(), "met")).collect();
        second.insert(ids.last().unwrap().clone(), "na");
        assert_eq!(put(&app, &manager, &format!("{november}/checklist"), body_of(&second)).await.0, 204);
        assert_eq!(post(&app, Some(&manager), &format!("{november}/complete"), json!({})).await.0, 200);
        let (_, list) = get(&app, &manager, &rounds).await;
        let list = list["items"].as_array().unwrap();
        assert_eq!(list.iter().map(|r| r["period"].as_str().unwrap()).collect::<Vec<_>>(), ["2025-10", "2025-11"]);
        assert_eq!(scores_of(&list[0]), hand_scores(&items, &answers));
        assert_eq!(scores_of(&list[1]), hand_scores(&items, &second));

        // The latest round's answers are now the project's implementation answers.
        let (_, checklist) = get(&app, &manager, &format!("{base}/checklist")).await;
        for item in checklist["items"].as_array().unwrap().iter().filter(|i| i["phase"] == "implementation-monitoring")
        {
            assert_eq!(item["answer"].as_str(), second.get(item["id"].as_str().unwrap()).copied());
        }
        let completed =
            haven_store::audit::list(&app.store.pool, Some("projects.round-completed"), None, 10).await.unwrap();
        assert_eq!(completed.len(), 2);

        // The pages, in Arabic, right to left, with the trend drawn.
        let page = signed_in(&app, "viewer").await;
        let project_id = base.rsplit('/').next().unwrap();
        let (status, html) = get_text(&page, &app.url(&format!("/projects/{project_id}/rounds?lang=ar"))).await;
        assert_eq!(status, 200);
        assert!(html.contains("dir=\"rtl\"") && html.contains("2025-11") && html.contains("<svg"));
        let (status, html) = get_text(
            &page,
            &app.url(&format!("/projects/{project_id}/rounds/{}?lang=fr", created["id"].as_str().unwrap())),
        )
        .await;
        assert_eq!(status, 200);
        assert!(html.contains("Cycle de suivi") && !html.contains("id=\"round-answers\""), "a viewer gets no form");
    }
}

#[tokio::test]
async fn a_project_closes_only_once_its_mandatory_evaluation_items_are_answered() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let protection = token(&app, "protection", false).await;
        let base = endorsed_project(&app, &manager, &protection, "NFI-9", "shelter-non-food-items", "XY01").await;
        let lesson = json!({"text": "Distributions after 15:00 exposed women to harassment on the way home",
                            "principle": "safety-dignity-do-no-harm",
                            "do_differently": "Schedule distributions in the morning from the start"});
        let (status, body) = post(&app, Some(&manager), &format!("{base}/close"), json!({})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("not-evaluating")));
        let (status, _) = post(&app, Some(&manager), &format!("{base}/lessons"), lesson.clone()).await;
        assert_eq!(status, 409, "lessons belong to the evaluation");
        assert_eq!(post(&app, Some(&manager), &format!("{base}/phase"), json!({})).await.0, 200);

        let (_, checklist) = get(&app, &manager, &format!("{base}/checklist")).await;
        let mandatory = ids_where(&checklist, |i| i["phase"] == "evaluation" && i["mandatory"] == true);
        assert!(mandatory.len() >= 2, "{mandatory:?}");
        let (status, body) = post(&app, Some(&manager), &format!("{base}/close"), json!({})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("closing_blocked")));
        assert_eq!(body["error"]["unanswered"], json!(mandatory));

        let (status, body) = post(&app, Some(&manager), &format!("{base}/lessons"), json!({"principle": "luck"})).await;
        assert_eq!(status, 422);
        assert_eq!(
            problems(&body),
            [
                ("text".into(), "required".into()),
                ("principle".into(), "unknown-code".into()),
                ("do_differently".into(), "required".into())
            ]
        );
        assert_eq!(post(&app, Some(&manager), &format!("{base}/lessons"), lesson.clone()).await.0, 201);

        let (first, rest) = mandatory.split_first().unwrap();
        assert_eq!(put(&app, &manager, &format!("{base}/checklist/{first}"), json!({"answer": "met"})).await.0, 204);
        let (_, body) = post(&app, Some(&manager), &format!("{base}/close"), json!({})).await;
        assert_eq!(body["error"]["unanswered"], json!(rest));
        for item in rest {
            let answer = json!({"answer": "not_met", "justification": "No endline survey was funded"});
            assert_eq!(put(&app, &manager, &format!("{base}/checklist/{item}"), answer).await.0, 204);
        }
        let (status, body) = post(&app, Some(&manager), &format!("{base}/close"), json!({})).await;
        assert_eq!((status, body["status"].as_str()), (200, Some("closed")), "{body}");
        let (_, project) = get(&app, &manager, &base).await;
        assert_eq!(project["status"], "closed");

        // Closed is frozen: answers, risks, lessons, the register, the phase, the gate.
        let refused = [
            put(
                &app,
                &manager,
                &format!("{base}/checklist/{first}"),
                json!({"answer": "partly", "justification": "x"}),
            )
            .await,
            post(&app, Some(&manager), &format!("{base}/risks"), json!({"title": "t", "likelihood": 1, "impact": 1}))
                .await,
            post(&app, Some(&manager), &format!("{base}/lessons"), lesson).await,
            put(
                &app,
                &manager,
                &base,
                json!({"code": "NFI-9", "title": "Renamed", "sectors": ["shelter-non-food-items"]}),
            )
            .await,
            post(&app, Some(&manager), &format!("{base}/phase"), json!({})).await,
            post(&app, Some(&protection), &format!("{base}/endorse"), json!({})).await,
            post(&app, Some(&manager), &format!("{base}/close"), json!({})).await,
        ];
        for (i, (status, body)) in refused.iter().enumerate() {
            assert_eq!(
                (*status, body["error"]["code"].as_str()),
                (409, Some("project-closed")),
                "{engine:?} change {i}"
            );
        }
        let (_, project) = get(&app, &manager, &base).await;
        assert_eq!(project["title"], "Project NFI-9");
        let pool = &app.store.pool;
        assert_eq!(haven_store::audit::list(pool, Some("projects.closed"), None, 10).await.unwrap().len(), 1);
        assert_eq!(haven_store::audit::list(pool, Some("projects.closing-refused"), None, 10).await.unwrap().len(), 3);
    }
}

#[tokio::test]
async fn lessons_of_a_closed_project_reach_new_projects_sharing_a_sector_or_a_place() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let protection = token(&app, "protection", false).await;
        let closed = endorsed_project(&app, &manager, &protection, "OLD-1", "shelter-non-food-items", "XY01").await;
        assert_eq!(post(&app, Some(&manager), &format!("{closed}/phase"), json!({})).await.0, 200);
        let lesson = json!({"text": "Kits were too heavy for older women to carry home",
                            "do_differently": "Split kits in two and pay porters"});
        let (_, created) = post(&app, Some(&manager), &format!("{closed}/lessons"), lesson).await;
        let lesson_id = created["id"].as_str().unwrap().to_owned();
        let (_, checklist) = get(&app, &manager, &format!("{closed}/checklist")).await;
        for item in ids_where(&checklist, |i| i["phase"] == "evaluation" && i["mandatory"] == true) {
            put(&app, &manager, &format!("{closed}/checklist/{item}"), json!({"answer": "met"})).await;
        }
        assert_eq!(post(&app, Some(&manager), &format!("{closed}/close"), json!({})).await.0, 200);

        let new = |code: &str, sector: &str, place: &str| json!({"code": code, "title": code, "sectors": [sector], "locations": [place], "targeting": {"mode": "blanket"}});
        let mut ids = BTreeMap::new();
        for (code, sector, place) in [
            ("SAME-SECTOR", "shelter-non-food-items", "XY02"),
            ("SAME-PLACE", "health-support", "XY01"),
            ("NEITHER", "health-support", "XY02"),
        ] {
            let (_, p) = post(&app, Some(&manager), "/api/v1/projects", new(code, sector, place)).await;
            ids.insert(code, format!("/api/v1/projects/{}", p["id"].as_str().unwrap()));
        }
        let (_, same_sector) = get(&app, &manager, &format!("{}/lessons", ids["SAME-SECTOR"])).await;
        let carried = same_sector["carried"].as_array().unwrap();
        assert_eq!(carried.len(), 1);
        assert_eq!(
            (
                carried[0]["lesson"]["id"].as_str(),
                carried[0]["from_project"].as_str(),
                carried[0]["shared_place"].as_bool()
            ),
            (Some(lesson_id.as_str()), Some("OLD-1"), Some(false))
        );
        assert_eq!(carried[0]["shared_sectors"], json!(["shelter-non-food-items"]));
        assert!(carried[0]["uptake"].is_null());
        let (_, same_place) = get(&app, &manager, &format!("{}/lessons", ids["SAME-PLACE"])).await;
        assert_eq!(same_place["carried"][0]["shared_place"], true);
        let (_, neither) = get(&app, &manager, &format!("{}/lessons", ids["NEITHER"])).await;
        assert_eq!(neither["carried"], json!([]));

        // The manager records how the lesson is taken into account; it shows on the page.
        let uptake = |id: &str| format!("{}/lessons/{lesson_id}/uptake", ids[id]);
        let (status, body) = put(&app, &manager, &uptake("SAME-SECTOR"), json!({"taken": true})).await;
        assert_eq!((status, problems(&body)), (422, vec![("note".into(), "required".into())]));
        assert_eq!(put(&app, &manager, &uptake("NEITHER"), json!({"taken": true, "note": "n"})).await.0, 404);
        let note = "Kits split in two; porters budgeted in line 4.2";
        assert_eq!(put(&app, &manager, &uptake("SAME-SECTOR"), json!({"taken": true, "note": note})).await.0, 204);
        let (_, same_sector) = get(&app, &manager, &format!("{}/lessons", ids["SAME-SECTOR"])).await;
        assert_eq!(same_sector["carried"][0]["uptake"]["note"], note);
        let page = signed_in(&app, "manager").await;
        let project_id = ids["SAME-SECTOR"].rsplit('/').next().unwrap().to_owned();
        let (_, html) = get_text(&page, &app.url(&format!("/projects/{project_id}"))).await;
        assert!(html.contains("Kits were too heavy") && html.contains(note), "the design page shows the lesson");

        // Endorsement keeps the uptake in its snapshot; afterwards it no longer changes.
        let base = &ids["SAME-SECTOR"];
        let (_, checklist) = get(&app, &manager, &format!("{base}/checklist")).await;
        let gate = ids_where(&checklist, |i| {
            i["mandatory"] == true && ["development-design", "endorsement"].contains(&i["phase"].as_str().unwrap())
        });
        let answers: serde_json::Map<String, Value> =
            gate.iter().map(|i| (i.clone(), json!({"answer": "met"}))).collect();
        put(&app, &manager, &format!("{base}/checklist"), json!({"answers": answers})).await;
        post(&app, Some(&manager), &format!("{base}/risks/review"), json!({})).await;
        let (status, endorsed) = post(&app, Some(&protection), &format!("{base}/endorse"), json!({})).await;
        assert_eq!(status, 200);
        let (snapshot,): (String,) = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query_as("SELECT snapshot FROM project_endorsements WHERE snapshot_sha256 = $1")
                .bind(endorsed["snapshot_sha256"].as_str().unwrap()).fetch_one(p).await
        })
        .unwrap();
        let snapshot: Value = serde_json::from_str(&snapshot).unwrap();
        assert_eq!(snapshot["lessons_carried"][0]["note"], note);
        let (status, body) =
            put(&app, &manager, &uptake("SAME-SECTOR"), json!({"taken": false, "note": "changed"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("not-designing")));

        // A reader limited to the south does not see the north's closed project, nor its lessons.
        let grant = RoleGrant {
            role: Role::ProjectManager,
            agency: None,
            location: Some(LocationScope::new("/XY/XY02/").unwrap()),
        };
        let south = users::NewUser {
            username: haven_core::identity::Username::parse("south-pm").unwrap(),
            display_name: "South manager".into(),
            email: None,
            password_hash: users::hash_password(PASSWORD).await.unwrap(),
            agency_id: None,
            must_change_password: false,
        };
        users::create_user(&app.store, &Actor::system("test"), &south, &[grant]).await.unwrap();
        let south = token(&app, "south-pm", false).await;
        let (status, seen) = get(&app, &south, &format!("{}/lessons", ids["SAME-SECTOR"])).await;
        assert_eq!((status, seen["carried"].clone()), (200, json!([])));
        assert_eq!(get(&app, &south, &format!("{closed}/lessons")).await.0, 404);
    }
}

#[tokio::test]
async fn viewers_read_rounds_without_writing_and_places_narrow_what_is_seen() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let manager = token(&app, "manager", false).await;
        let protection = token(&app, "protection", false).await;
        let north = endorsed_project(&app, &manager, &protection, "N-1", "health-support", "XY01").await;
        let south = endorsed_project(&app, &manager, &protection, "S-1", "health-support", "XY02").await;
        let this_month = haven_store::feedback::rollups::month_of(haven_store::now_utc());
        let (_, created) = post(&app, Some(&manager), &format!("{north}/rounds"), json!({"period": this_month})).await;
        let round = format!("{north}/rounds/{}", created["id"].as_str().unwrap());

        // Feedback: two items in the north, one sealed report and one item in the south.
        let agent = token(&app, "agent", false).await;
        for (text, place, sealed) in [
            ("The water point at block C is broken", "XY01", false),
            ("Nobody told us when the next distribution is", "XY01", false),
            ("A report handled by the PSEA focal point", "XY01", true),
            ("The clinic closes too early", "XY02", false),
        ] {
            let mut body = json!({"text": text, "channel": "helpdesk", "location": place});
            if sealed {
                body["sensitive_type"] = json!("sea");
            }
            if text.contains("water point") {
                body["sector"] = json!("health-support");
            }
            assert_eq!(post(&app, Some(&agent), "/api/v1/feedback", body).await.0, 201);
        }
        let (status, detail) = get(&app, &protection, &round).await;
        assert_eq!(status, 200, "{detail}");
        let months = detail["feedback"]["months"].as_array().unwrap();
        assert_eq!(months.len(), 6);
        let now = months.last().unwrap();
        assert_eq!((now["month"].as_str(), now["received"].as_u64()), (Some(this_month.as_str()), Some(3)));
        let categories = detail["feedback"]["categories"].as_array().unwrap();
        assert!(categories.iter().any(|c| c["key"] == "sealed" && c["count"] == 1), "{categories:?}");
        // One item of the north was linked to the project's sector (and none in the south counts).
        assert_eq!(detail["feedback"]["sectors"], json!([{"key": "health-support", "count": 1}]));
        // Outside protection roles, counts under five are withheld.
        let viewer = token(&app, "viewer", false).await;
        let (status, seen) = get(&app, &viewer, &round).await;
        assert_eq!(status, 200);
        assert!(seen["feedback"]["months"].as_array().unwrap().last().unwrap()["received"].is_null());
        assert_eq!(seen["feedback"]["suppressed"], true);
        assert_eq!(seen["feedback"]["sectors"], json!([{"key": "health-support", "count": null}]));
        let text = seen.to_string();
        assert!(!text.contains("PSEA focal point") && !text.contains("water point"), "no item's content");

        // A viewer reads but never writes.
        assert_eq!(get(&app, &viewer, &format!("{north}/rounds")).await.0, 200);
        let writes = [
            post(&app, Some(&viewer), &format!("{north}/rounds"), json!({"period": "2025-01"})).await.0,
            put(&app, &viewer, &format!("{round}/checklist"), json!({"answers": {"im-01": {"answer": "met"}}})).await.0,
            post(&app, Some(&viewer), &format!("{round}/complete"), json!({})).await.0,
            post(&app, Some(&viewer), &format!("{north}/lessons"), json!({"text": "t", "do_differently": "d"})).await.0,
            post(&app, Some(&viewer), &format!("{north}/close"), json!({})).await.0,
        ];
        assert_eq!(writes, [403; 5]);

        // A manager of the north only: the south's rounds are not found, read or written.
        let grant = RoleGrant {
            role: Role::ProjectManager,
            agency: None,
            location: Some(LocationScope::new("/XY/XY01/").unwrap()),
        };
        let new = users::NewUser {
            username: haven_core::identity::Username::parse("north-pm").unwrap(),
            display_name: "North manager".into(),
            email: None,
            password_hash: users::hash_password(PASSWORD).await.unwrap(),
            agency_id: None,
            must_change_password: false,
        };
        users::create_user(&app.store, &Actor::system("test"), &new, &[grant]).await.unwrap();
        let north_pm = token(&app, "north-pm", false).await;
        assert_eq!(get(&app, &north_pm, &format!("{south}/rounds")).await.0, 404);
        assert_eq!(post(&app, Some(&north_pm), &format!("{south}/rounds"), json!({"period": "2025-01"})).await.0, 404);
        assert_eq!(get(&app, &north_pm, &round).await.0, 200);
        let (_, doc) = crate::feedback::get_json(&reqwest::Client::new(), &app.url("/api/v1/openapi.json"), None).await;
        for path in [
            "/api/v1/projects/{id}/rounds",
            "/api/v1/projects/{id}/rounds/{round_id}/complete",
            "/api/v1/projects/{id}/close",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} documented");
        }
    }
}

/// The demo's monitoring and evaluation: three completed monthly rounds at the CCCM site whose
/// scores rise, a closed project, and a project in design showing its two lessons.
pub(crate) async fn assert_demo_rounds(c: &reqwest::Client, app_url: &str, list: &Value) {
    let id_of = |code: &str| {
        let item = list["items"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap();
        (item["id"].as_str().unwrap().to_owned(), item["status"].as_str().unwrap().to_owned())
    };
    let (cccm, _) = id_of("AZ-CCCM-2026-03");
    let (_, rounds) = crate::feedback::get_json(c, &format!("{app_url}/api/v1/projects/{cccm}/rounds"), None).await;
    let rounds = rounds["items"].as_array().unwrap();
    assert_eq!(rounds.len(), 3);
    assert!(rounds.iter().all(|r| r["status"] == "completed" && r["kind"] == "month"));
    let safety = |r: &Value| r["scores"][0]["percent"].as_i64().unwrap();
    assert!(safety(&rounds[0]) < safety(&rounds[2]), "the trend rises: {rounds:?}");
    assert_eq!(id_of("AZ-NFI-2025-07").1, "closed");
    let (design, status) = id_of("AZ-SHL-2027-05");
    assert_eq!(status, "draft");
    let (_, lessons) = crate::feedback::get_json(c, &format!("{app_url}/api/v1/projects/{design}/lessons"), None).await;
    let carried = lessons["carried"].as_array().unwrap();
    assert_eq!(carried.len(), 2);
    assert_eq!(carried.iter().filter(|l| !l["uptake"].is_null()).count(), 1);
    let (status, page) = get_text(c, &format!("{app_url}/projects/{design}?lang=ar")).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"carried\""));
}
