//! Projects over real HTTP on both engines: the register, the checklist, deviations, the
//! do-no-harm register and the endorsement gate, scope and roles.

use haven_core::authz::{LocationScope, Role, RoleGrant};
use haven_store::identity::{self as users, Actor};
use serde_json::{Value, json};
use sha2::Digest;

use crate::feedback::{feedback_app, get, post, problems, put, token};
use crate::support::*;

/// The ids of the mandatory analysis, design and endorsement items on a checklist.
fn gate_items(checklist: &Value) -> Vec<String> {
    checklist["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["mandatory"] == true && ["development-design", "endorsement"].contains(&i["phase"].as_str().unwrap())
        })
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_project_goes_from_design_to_endorsement_and_a_material_change_reopens_it() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        // A protection officer who also manages this project: may approve deviations, but not on it.
        let both = app.add_user("pm-po", &[Role::ProjectManager, Role::ProtectionOfficer]).await;
        let manager = token(&app, "manager", false).await;
        let protection = token(&app, "protection", false).await;
        let pm_po = token(&app, "pm-po", false).await;

        let (status, created) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "XY-NFI-01", "title": "Winter NFI distribution", "sectors": ["shelter-non-food-items"],
                   "locations": ["XY01"], "manager_id": both}),
        )
        .await;
        assert_eq!(status, 201, "{engine:?} {created}");
        let id = created["id"].as_str().unwrap().to_owned();
        let base = format!("/api/v1/projects/{id}");

        let (_, project) = get(&app, &manager, &base).await;
        assert_eq!(
            (project["status"].as_str(), project["phase"].as_str()),
            (Some("draft"), Some("development-design"))
        );
        let (_, checklist) = get(&app, &manager, &format!("{base}/checklist")).await;
        let items = checklist["items"].as_array().unwrap();
        assert!(items.iter().any(|i| i["sectors"].as_array().unwrap().iter().any(|s| s == "shelter-non-food-items")));
        assert!(items.iter().all(|i| {
            let s = i["sectors"].as_array().unwrap();
            s.is_empty() || s.iter().any(|s| s == "shelter-non-food-items")
        }));
        let gate = gate_items(&checklist);
        assert!(gate.contains(&"sa-01".to_owned()));

        // Blocked: every unmet condition is listed.
        let (status, blocked) = post(&app, Some(&protection), &format!("{base}/endorse"), json!({})).await;
        assert_eq!(status, 409);
        assert_eq!(blocked["error"]["code"], "endorsement_blocked");
        let mut expected = gate.clone();
        expected.extend(["dnh_review".to_owned(), "targeting".to_owned()]);
        assert_eq!(strings(&blocked["error"]["unmet"]), expected);

        // Answers: all but "met" need a justification.
        let (status, body) =
            put(&app, &manager, &format!("{base}/checklist/sa-01"), json!({"answer": "not_met"})).await;
        assert_eq!((status, problems(&body)), (422, vec![("justification".into(), "justification-required".into())]));
        let (status, _) =
            put(&app, &manager, &format!("{base}/checklist/no-such-item"), json!({"answer": "met"})).await;
        assert_eq!(status, 404);
        let (first, rest) = gate.split_first().unwrap();
        for item in rest {
            let (status, _) = put(&app, &manager, &format!("{base}/checklist/{item}"), json!({"answer": "met"})).await;
            assert_eq!(status, 204, "{item}");
        }
        let why = "No protection cluster analysis exists for this district yet; ours is planned in month 1";
        let (status, _) = put(
            &app,
            &manager,
            &format!("{base}/checklist/{first}"),
            json!({"answer": "partly", "justification": why}),
        )
        .await;
        assert_eq!(status, 204);

        // A deviation for the item left: asked for, refused to the project's manager, approved by another officer.
        let path = format!("{base}/checklist/{first}/deviation");
        let (status, _) = post(&app, Some(&manager), &path, json!({})).await;
        assert_eq!(status, 422);
        let (status, deviation) = post(&app, Some(&manager), &path, json!({"justification": why})).await;
        assert_eq!(status, 201);
        let decision = format!("{base}/deviations/{}/decision", deviation["id"].as_str().unwrap());
        let (status, _) = post(&app, Some(&manager), &decision, json!({"approve": true})).await;
        assert_eq!(status, 403, "a project manager role does not decide deviations");
        let (status, body) = post(&app, Some(&pm_po), &decision, json!({"approve": true})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("manager-cannot-approve")));
        let (status, _) = post(&app, Some(&protection), &decision, json!({"approve": true, "note": "Agreed"})).await;
        assert_eq!(status, 204);
        let (status, _) = post(&app, Some(&protection), &decision, json!({"approve": false})).await;
        assert_eq!(status, 409);

        // Targeting: a prohibited ground is refused with why; needs-based criteria pass.
        let project_body = |targeting: Value| {
            json!({"code": "XY-NFI-01", "title": "Winter NFI distribution", "sectors": ["shelter-non-food-items"],
                   "locations": ["XY01"], "manager_id": both, "targeting": targeting})
        };
        let (status, refused) = put(
            &app,
            &manager,
            &base,
            project_body(
                json!({"mode": "criteria", "criteria": [{"attribute": "nationality", "condition": "Syrian"}]}),
            ),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(problems(&refused), vec![("targeting.criteria".into(), "prohibited-ground".into())]);
        assert!(refused["error"]["problems"][0]["message"].as_str().unwrap().contains("need"));
        let criteria = json!({"mode": "criteria", "criteria": [
            {"attribute": "age", "condition": "60 or older", "weight": 30},
            {"attribute": "household-composition", "condition": "female-headed household", "weight": 40}]});
        let (status, saved) = put(&app, &manager, &base, project_body(criteria.clone())).await;
        assert_eq!((status, saved["material_changes"].clone()), (200, json!(["targeting"])));

        // The do-no-harm register, then its review.
        let risk = json!({"title": "Queues after dark expose women and girls to harassment",
                          "gpc_risk": "gender-based-violence", "at_risk_groups": [], "likelihood": 3, "impact": 4,
                          "mitigation": "Distributions end by 15:00; separate queue for women"});
        let (status, body) = post(&app, Some(&manager), &format!("{base}/risks"), json!({"likelihood": 9})).await;
        assert_eq!(status, 422, "{body}");
        let (status, _) = post(&app, Some(&manager), &format!("{base}/risks"), risk).await;
        assert_eq!(status, 201);
        let (_, project) = get(&app, &manager, &base).await;
        assert_eq!(strings(&project["unmet"]), ["dnh_review"]);
        let (status, _) = post(
            &app,
            Some(&manager),
            &format!("{base}/risks/review"),
            json!({"note": "Reviewed with the site committee"}),
        )
        .await;
        assert_eq!(status, 204);

        // Endorsed, once, with the hash of what it covered.
        let (status, endorsed) = post(&app, Some(&protection), &format!("{base}/endorse"), json!({})).await;
        assert_eq!(status, 200, "{endorsed}");
        let hash = endorsed["snapshot_sha256"].as_str().unwrap();
        assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
        let (_, project) = get(&app, &manager, &base).await;
        assert_eq!(
            (project["status"].as_str(), project["phase"].as_str()),
            (Some("endorsed"), Some("implementation-monitoring"))
        );
        let endorsement_id: uuid::Uuid = endorsed["id"].as_str().unwrap().parse().unwrap();
        assert_endorsement_cannot_change(&app, endorsement_id).await;

        // Same targeting saved again: nothing material. A new sector: re-opened, and why.
        let (_, saved) = put(&app, &manager, &base, project_body(criteria.clone())).await;
        assert_eq!(saved["material_changes"], json!([]));
        let mut wider = project_body(criteria.clone());
        wider["sectors"] = json!(["shelter-non-food-items", "health-support"]);
        let (status, saved) = put(&app, &manager, &base, wider.clone()).await;
        assert_eq!((status, saved["status"].as_str()), (200, Some("reopened")));
        let (_, project) = get(&app, &manager, &base).await;
        assert_eq!(project["reopened_because"], json!(["sectors"]));
        let unmet = strings(&project["unmet"]);
        assert!(unmet.contains(&"dnh_review".to_owned()));
        let (_, checklist) = get(&app, &manager, &format!("{base}/checklist")).await;
        let health: Vec<String> = gate_items(&checklist).into_iter().filter(|i| !gate.contains(i)).collect();
        assert!(!health.is_empty() && health.iter().all(|i| unmet.contains(i)), "{health:?} {unmet:?}");
        let (_, list) = get(&app, &manager, &format!("{base}/endorsements")).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let first_record = endorsement_row(&app, endorsement_id).await;

        // Handing the project to a colleague for the time of a decision does not make its
        // manager an approver: whoever has managed it stays refused.
        let (first_health, other_health) = health.split_first().unwrap();
        let (status, _) = put(
            &app,
            &manager,
            &format!("{base}/checklist/{first_health}"),
            json!({"answer": "partly", "justification": why}),
        )
        .await;
        assert_eq!(status, 204);
        let path = format!("{base}/checklist/{first_health}/deviation");
        let (status, deviation) = post(&app, Some(&manager), &path, json!({"justification": why})).await;
        assert_eq!(status, 201);
        let colleague = users::user_id_by_username(&app.store, "manager").await.unwrap();
        let mut handed = wider.clone();
        handed["manager_id"] = json!(colleague);
        let (status, saved) = put(&app, &manager, &base, handed).await;
        assert_eq!((status, saved["material_changes"].clone()), (200, json!([])));
        let decision = format!("{base}/deviations/{}/decision", deviation["id"].as_str().unwrap());
        let (status, body) = post(&app, Some(&pm_po), &decision, json!({"approve": true})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("manager-cannot-approve")));
        assert_eq!(post(&app, Some(&protection), &decision, json!({"approve": true})).await.0, 204);
        for item in other_health {
            let (status, _) = put(&app, &manager, &format!("{base}/checklist/{item}"), json!({"answer": "met"})).await;
            assert_eq!(status, 204, "{item}");
        }
        let review = json!({"note": "Health risks added"});
        assert_eq!(post(&app, Some(&manager), &format!("{base}/risks/review"), review).await.0, 204);
        let (status, second) = post(&app, Some(&protection), &format!("{base}/endorse"), json!({})).await;
        assert_eq!(status, 200, "{second}");

        // A targeting change re-opens it too, and says so.
        let mut retargeted = wider;
        retargeted["manager_id"] = json!(colleague);
        retargeted["targeting"]["criteria"][0]["weight"] = json!(50);
        let (status, saved) = put(&app, &manager, &base, retargeted).await;
        assert_eq!((status, saved["status"].as_str()), (200, Some("reopened")));
        let (_, project) = get(&app, &manager, &base).await;
        assert_eq!(project["reopened_because"], json!(["targeting"]));

        // No route changes or removes an endorsement; the first record is as it was written.
        let client = reqwest::Client::new();
        for path in [format!("{base}/endorsements"), format!("/projects/{id}/endorsements/{endorsement_id}")] {
            for method in [reqwest::Method::PUT, reqwest::Method::PATCH, reqwest::Method::DELETE, reqwest::Method::POST]
            {
                let r = client
                    .request(method.clone(), app.url(&path))
                    .bearer_auth(&protection)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                assert!([403, 404, 405].contains(&r.status().as_u16()), "{method} {path}: {}", r.status());
            }
        }
        let (_, list) = get(&app, &manager, &format!("{base}/endorsements")).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        assert_eq!(endorsement_row(&app, endorsement_id).await, first_record);
        let (snapshot, sha) = &first_record;
        let digest: String = sha2::Sha256::digest(snapshot.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(&digest, sha, "the stored hash is the snapshot's");

        let audit = haven_store::audit::list(&app.store.pool, Some("projects.endorsed"), None, 10).await.unwrap();
        assert_eq!(audit.len(), 2, "two endorsements");
        let refused =
            haven_store::audit::list(&app.store.pool, Some("projects.endorsement-refused"), None, 10).await.unwrap();
        assert_eq!(refused.len(), 1);
    }
}

/// An endorsement's snapshot and its hash as stored.
async fn endorsement_row(app: &TestApp, id: uuid::Uuid) -> (String, String) {
    haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query_as("SELECT snapshot, snapshot_sha256 FROM project_endorsements WHERE id = $1").bind(id).fetch_one(p).await
    })
    .unwrap()
}

/// The database itself refuses to change or remove an endorsement record.
async fn assert_endorsement_cannot_change(app: &TestApp, id: uuid::Uuid) {
    let update = haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query("UPDATE project_endorsements SET snapshot_sha256 = 'x' WHERE id = $1").bind(id).execute(p).await.map(|r| r.rows_affected())
    });
    assert!(update.is_err(), "an endorsement was changed");
    let delete = haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query("DELETE FROM project_endorsements WHERE id = $1").bind(id).execute(p).await.map(|r| r.rows_affected())
    });
    assert!(delete.is_err(), "an endorsement was removed");
    let (n,): (i64,) = haven_store::on_pool!(&app.store.pool, p => {
        sqlx::query_as("SELECT COUNT(*) FROM project_endorsements WHERE id = $1 AND snapshot_sha256 <> 'x'").bind(id).fetch_one(p).await
    })
    .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn bad_projects_are_refused_field_by_field() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let (status, body) =
            post(&app, Some(&manager), "/api/v1/projects", json!({"sectors": ["no-such-sector"]})).await;
        assert_eq!(status, 422);
        assert_eq!(problems(&body), [("code".into(), "required".into()), ("title".into(), "required".into())]);
        let (status, body) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "A", "title": "T", "sectors": ["no-such-sector"], "locations": ["ZZ99"]}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            problems(&body),
            [("sectors".into(), "unknown-code".into()), ("locations".into(), "unknown-code".into())]
        );
        let ok = json!({"code": "A", "title": "T", "sectors": ["health-support"]});
        assert_eq!(post(&app, Some(&manager), "/api/v1/projects", ok.clone()).await.0, 201);
        let (status, body) = post(&app, Some(&manager), "/api/v1/projects", ok).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("code-taken")));
        let (status, _) = post(&app, Some(&manager), "/api/v1/projects", json!("not an object")).await;
        assert_eq!(status, 422);
        // The project's own selection notes fall under the targeting guard too.
        let prose = json!({"code": "B", "title": "T", "sectors": ["health-support"],
                           "selection_notes": "Families of the same religion as the host community first"});
        let (status, body) = post(&app, Some(&manager), "/api/v1/projects", prose).await;
        assert_eq!((status, problems(&body)), (422, vec![("selection_notes".into(), "prohibited-ground".into())]));
    }
}

#[tokio::test]
async fn roles_and_places_decide_who_sees_and_changes_a_project() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let north = json!({"code": "N-1", "title": "North", "sectors": ["health-support"], "locations": ["XY01"]});
        let south = json!({"code": "S-1", "title": "South", "sectors": ["health-support"], "locations": ["XY02"]});
        let (_, n) = post(&app, Some(&manager), "/api/v1/projects", north).await;
        let (_, s) = post(&app, Some(&manager), "/api/v1/projects", south).await;

        let viewer = token(&app, "viewer", false).await;
        assert_eq!(get(&app, &viewer, &format!("/api/v1/projects/{}", n["id"].as_str().unwrap())).await.0, 200);
        let (status, _) = post(
            &app,
            Some(&viewer),
            "/api/v1/projects",
            json!({"code": "V", "title": "V", "sectors": ["health-support"]}),
        )
        .await;
        assert_eq!(status, 403);
        let caseworker = token(&app, "caseworker", false).await;
        assert_eq!(get(&app, &caseworker, "/api/v1/projects").await.0, 403);
        let manager_endorses =
            post(&app, Some(&manager), &format!("/api/v1/projects/{}/endorse", n["id"].as_str().unwrap()), json!({}))
                .await;
        assert_eq!(manager_endorses.0, 403);

        // A protection officer for the north only.
        let grant = RoleGrant {
            role: Role::ProtectionOfficer,
            agency: None,
            location: Some(LocationScope::new("/XY/XY01/").unwrap()),
        };
        let new = users::NewUser {
            username: haven_core::identity::Username::parse("north-po").unwrap(),
            display_name: "North officer".into(),
            email: None,
            password_hash: users::hash_password(PASSWORD).await.unwrap(),
            agency_id: None,
            must_change_password: false,
        };
        users::create_user(&app.store, &Actor::system("test"), &new, &[grant]).await.unwrap();
        let north_po = token(&app, "north-po", false).await;
        let (_, list) = get(&app, &north_po, "/api/v1/projects").await;
        let codes: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["N-1"]);
        assert_eq!(get(&app, &north_po, &format!("/api/v1/projects/{}", s["id"].as_str().unwrap())).await.0, 404);
        let (status, _) =
            post(&app, Some(&north_po), &format!("/api/v1/projects/{}/endorse", s["id"].as_str().unwrap()), json!({}))
                .await;
        assert_eq!(status, 404);
        let (_, all) = get(&app, &manager, "/api/v1/projects?q=sou").await;
        assert_eq!(all["items"].as_array().unwrap().len(), 1);

        // Reading everywhere but approving only in the north: the south is read, never endorsed.
        let grants = [
            RoleGrant { role: Role::Viewer, agency: None, location: None },
            RoleGrant {
                role: Role::ProtectionOfficer,
                agency: None,
                location: Some(LocationScope::new("/XY/XY01/").unwrap()),
            },
        ];
        let new = users::NewUser {
            username: haven_core::identity::Username::parse("mixed").unwrap(),
            display_name: "Mixed".into(),
            email: None,
            password_hash: users::hash_password(PASSWORD).await.unwrap(),
            agency_id: None,
            must_change_password: false,
        };
        users::create_user(&app.store, &Actor::system("test"), &new, &grants).await.unwrap();
        let south = s["id"].as_str().unwrap();
        let mixed = token(&app, "mixed", false).await;
        assert_eq!(get(&app, &mixed, &format!("/api/v1/projects/{south}")).await.0, 200);
        assert_eq!(post(&app, Some(&mixed), &format!("/api/v1/projects/{south}/endorse"), json!({})).await.0, 404);
        let page = signed_in(&app, "mixed").await;
        let csrf = csrf_of(&app, &page).await;
        let r = page
            .post(app.url(&format!("/projects/{south}/endorse")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
}

#[tokio::test]
async fn the_copy_to_postgresql_carries_projects_and_their_endorsements() {
    let Some(url) = crate::audit_chain::fresh_pg_database().await else {
        assert!(!require_all(), "HAVEN_REQUIRE_ALL=1 but HAVEN_TEST_DATABASE_URL is not set");
        eprintln!("notice: PostgreSQL not configured; copy test skipped");
        return;
    };
    let app = feedback_app(Engine::Sqlite, false).await;
    let manager = token(&app, "manager", false).await;
    let protection = token(&app, "protection", false).await;
    let body = json!({"code": "C-1", "title": "Cash for rent", "sectors": ["shelter-non-food-items"], "locations": ["XY01"],
                      "targeting": {"mode": "blanket"}});
    let (_, created) = post(&app, Some(&manager), "/api/v1/projects", body).await;
    let base = format!("/api/v1/projects/{}", created["id"].as_str().unwrap());
    let (_, checklist) = get(&app, &manager, &format!("{base}/checklist")).await;
    for item in gate_items(&checklist) {
        assert_eq!(put(&app, &manager, &format!("{base}/checklist/{item}"), json!({"answer": "met"})).await.0, 204);
    }
    let risk = json!({"title": "Landlords raise rents", "likelihood": 2, "impact": 3});
    assert_eq!(post(&app, Some(&manager), &format!("{base}/risks"), risk).await.0, 201);
    assert_eq!(post(&app, Some(&manager), &format!("{base}/risks/review"), json!({})).await.0, 204);
    let (status, endorsed) = post(&app, Some(&protection), &format!("{base}/endorse"), json!({})).await;
    assert_eq!(status, 200);

    let target = haven_store::Pool::connect_postgres(&url, None).await.unwrap();
    let report = haven_store::copy::copy_all(&app.store, &target).await.unwrap();
    let rows: std::collections::HashMap<&str, i64> = report.rows.iter().copied().collect();
    for (table, n) in [("projects", 1), ("project_locations", 1), ("dnh_risks", 1), ("project_endorsements", 1)] {
        assert_eq!(rows[table], n, "{table}");
    }
    assert!(rows["checklist_answers"] >= 20 && rows["checklist_versions"] == 1);
    let (hash,): (String,) = haven_store::on_pool!(&target, p => {
        sqlx::query_as("SELECT snapshot_sha256 FROM project_endorsements").fetch_one(p).await
    })
    .unwrap();
    assert_eq!(hash, endorsed["snapshot_sha256"].as_str().unwrap());
    target.close().await;
}

/// Hand count of a principle's score over the analysis, design and endorsement items: met over
/// items not answered "not applicable".
fn expected_percent(checklist: &Value, principle: &str, met: &[String], na: &[String]) -> Option<i64> {
    let items: Vec<String> = checklist["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["principle"] == principle && ["development-design", "endorsement"].contains(&i["phase"].as_str().unwrap())
        })
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    let applicable = items.iter().filter(|i| !na.contains(i)).count() as i64;
    let met = items.iter().filter(|i| met.contains(i)).count() as i64;
    (applicable > 0).then(|| (met * 100 + applicable / 2) / applicable)
}

#[tokio::test]
async fn the_portfolio_sums_scores_deviations_and_overdue_risks_as_counted_by_hand() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let viewer = token(&app, "viewer", false).await;
        let (_, a) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "A-1", "title": "NFI", "sectors": ["shelter-non-food-items"], "locations": ["XY01"]}),
        )
        .await;
        let (_, b) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "B-1", "title": "Clinic", "sectors": ["health-support"], "locations": ["XY02"]}),
        )
        .await;
        let base = format!("/api/v1/projects/{}", a["id"].as_str().unwrap());
        let (_, checklist) = get(&app, &manager, &format!("{base}/checklist")).await;
        let gate = gate_items(&checklist);
        let optional: String = checklist["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["mandatory"] == false && i["phase"] == "development-design")
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .unwrap();

        // A batch with one bad answer saves nothing and names the item.
        let mut answers = serde_json::Map::new();
        for item in &gate {
            answers.insert(item.clone(), json!({"answer": "met"}));
        }
        answers.insert(optional.clone(), json!({"answer": "na"}));
        let (status, body) = put(&app, &manager, &format!("{base}/checklist"), json!({"answers": answers})).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["problems"][0]["field"], optional.as_str());
        let (_, unchanged) = get(&app, &manager, &format!("{base}/checklist")).await;
        assert!(unchanged["items"].as_array().unwrap().iter().all(|i| i["answer"].is_null()));
        answers.insert(optional.clone(), json!({"answer": "na", "justification": "No host community on this site"}));
        let (status, _) = put(&app, &manager, &format!("{base}/checklist"), json!({"answers": answers})).await;
        assert_eq!(status, 204);

        let deviation = format!("{base}/checklist/{}/deviation", gate[0]);
        assert_eq!(post(&app, Some(&manager), &deviation, json!({"justification": "Partner changes"})).await.0, 201);
        let overdue = json!({"title": "Crowding at the gate", "likelihood": 4, "impact": 3, "due_date": "2020-01-31"});
        assert_eq!(post(&app, Some(&manager), &format!("{base}/risks"), overdue).await.0, 201);
        let later = json!({"title": "Theft on the way home", "likelihood": 2, "impact": 2, "due_date": "2099-01-31"});
        assert_eq!(post(&app, Some(&manager), &format!("{base}/risks"), later).await.0, 201);

        let (status, portfolio) = get(&app, &viewer, "/api/v1/projects/portfolio").await;
        assert_eq!(status, 200);
        assert_eq!(portfolio["total"], 2);
        assert_eq!((portfolio["pending_deviations"].as_i64(), portfolio["overdue_risks"].as_i64()), (Some(1), Some(1)));
        let line =
            |code: &str| portfolio["items"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap().clone();
        let a_line = line("A-1");
        let principles = strings(&portfolio["principles"]);
        for (i, principle) in principles.iter().enumerate() {
            let want = expected_percent(&checklist, principle, &gate, std::slice::from_ref(&optional));
            assert_eq!(a_line["scores"][i].as_i64(), want, "{engine:?} {principle}");
        }
        let b_line = line("B-1");
        assert!(b_line["scores"].as_array().unwrap().iter().all(|s| s == 0), "{b_line}");
        let (_, health) = get(&app, &viewer, "/api/v1/projects/portfolio?sector=health-support").await;
        assert_eq!(health["total"], 1);
        let (status, _) = get(&app, &viewer, "/api/v1/projects/portfolio?phase=someday").await;
        assert_eq!(status, 400);

        // The export carries the same figures under HXL hashtags.
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/projects/portfolio/export?format=hxl-csv"))
            .bearer_auth(&viewer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let text = r.text().await.unwrap();
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
        assert_eq!(&records[0][0], "#activity+code");
        let a_row = records.iter().find(|r| &r[0] == "A-1").unwrap();
        assert_eq!((&a_row[9], &a_row[10]), ("1", "1"));
        assert_eq!(a_row[5].parse::<i64>().ok(), a_line["scores"][0].as_i64());
        // And so does the spreadsheet, read back as a spreadsheet.
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/projects/portfolio/export?format=xlsx"))
            .bearer_auth(&viewer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap();
        let table = haven_io::read_table("portfolio.xlsx", &bytes).unwrap();
        assert_eq!(table.rows[0].1[0], "#activity+code");
        let a_cells = &table.rows.iter().find(|(_, r)| r[0] == "A-1").unwrap().1;
        assert_eq!(a_cells, &a_row.iter().map(str::to_owned).collect::<Vec<_>>());
        let (status, _) = get(&app, &viewer, "/api/v1/projects/portfolio/export?format=pdf").await;
        assert_eq!(status, 422);
        let page = signed_in(&app, "viewer").await;
        let (status, html) = get_text(&page, &app.url("/projects/portfolio?lang=ar")).await;
        assert_eq!(status, 200);
        assert!(html.contains("dir=\"rtl\"") && html.contains("A-1") && html.contains("<svg"));
        assert!(b["id"].is_string());
    }
}

/// The demo's projects: one endorsed, one blocked with its unmet items, one re-opened by a
/// material change, all readable by a project manager in the running demo.
#[tokio::test]
async fn the_demo_shows_projects_across_the_cycle() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_haven"))
        .args(["demo", "--port", &port.to_string(), "--data-dir"])
        .arg(dir.path())
        .env("HAVEN_LOG", "warn")
        .env("HAVEN_DEMO_PASSWORD", PASSWORD)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let started = lines.by_ref().map_while(Result::ok).any(|l| l.contains("is running at"));
    assert!(started, "the demo did not start");
    let app_url = format!("http://127.0.0.1:{port}");
    haven_web::install_tls_provider();
    let c = client();
    let (_, login) = get_text(&c, &format!("{app_url}/login")).await;
    let form = [("username", "manager"), ("password", PASSWORD), ("csrf", &hidden(&login, "csrf")), ("next", "/")];
    c.post(format!("{app_url}/login")).form(&form).send().await.unwrap();
    let (status, list) = crate::feedback::get_json(&c, &format!("{app_url}/api/v1/projects"), None).await;
    assert_eq!(status, 200);
    let statuses: std::collections::BTreeMap<String, String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["code"].as_str().unwrap().to_owned(), i["status"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(statuses["AZ-NFI-2026-01"], "endorsed");
    assert_eq!(statuses["AZ-CCCM-2026-03"], "endorsed");
    assert_eq!(statuses["AZ-CASH-2026-04"], "reopened");
    assert_eq!(statuses["AZ-TRN-2026-02"], "draft");
    let blocked = list["items"].as_array().unwrap().iter().find(|i| i["code"] == "AZ-TRN-2026-02").unwrap();
    let url = format!("{app_url}/api/v1/projects/{}", blocked["id"].as_str().unwrap());
    let (_, detail) = crate::feedback::get_json(&c, &url, None).await;
    let unmet = strings(&detail["unmet"]);
    assert!(unmet.len() > 5 && unmet.contains(&"targeting".to_owned()) && unmet.contains(&"dnh_review".to_owned()));
    let (status, page) = get_text(&c, &format!("{app_url}/projects/portfolio?lang=fr")).await;
    assert_eq!(status, 200);
    assert!(page.contains("AZ-CASH-2026-04") && page.contains("Rouvert"));
    crate::rounds::assert_demo_rounds(&c, &app_url, &list).await;
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn a_project_keeps_its_checklist_version_until_it_moves_on_explicitly() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let body = |code: &str| json!({"code": code, "title": "T", "sectors": ["health-support"]});
        let (_, old) = post(&app, Some(&manager), "/api/v1/projects", body("OLD-1")).await;
        let old = format!("/api/v1/projects/{}", old["id"].as_str().unwrap());

        // A new release ships checklist 2026.2 with one more mandatory analysis item.
        let (name, text) = haven_store::catalog::SHIPPED.iter().find(|(n, _)| *n == "checklist.toml").unwrap();
        let mut file = haven_core::catalog::CatalogFile::parse(name, text).unwrap();
        file.version = "2026.2".into();
        let mut added = file.items[0].clone();
        added.code = "sa-99".into();
        file.items.push(added);
        assert!(haven_store::catalog::load_file(&app.store, &Actor::system("test"), &file).await.unwrap());

        let ids = |c: &Value| -> Vec<String> {
            c["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
        };
        let (_, checklist) = get(&app, &manager, &format!("{old}/checklist")).await;
        assert_eq!(checklist["checklist_version"], "2026.1");
        assert!(!ids(&checklist).contains(&"sa-99".to_owned()));
        let (_, new) = post(&app, Some(&manager), "/api/v1/projects", body("NEW-1")).await;
        let (_, checklist) =
            get(&app, &manager, &format!("/api/v1/projects/{}/checklist", new["id"].as_str().unwrap())).await;
        assert_eq!(checklist["checklist_version"], "2026.2");
        assert!(ids(&checklist).contains(&"sa-99".to_owned()));

        assert_eq!(put(&app, &manager, &format!("{old}/checklist/sa-01"), json!({"answer": "met"})).await.0, 204);
        let (status, moved) = post(&app, Some(&manager), &format!("{old}/checklist/upgrade"), json!({})).await;
        assert_eq!((status, moved), (200, json!({"from": "2026.1", "to": "2026.2"})));
        let (_, checklist) = get(&app, &manager, &format!("{old}/checklist")).await;
        assert!(ids(&checklist).contains(&"sa-99".to_owned()));
        let sa01 = checklist["items"].as_array().unwrap().iter().find(|i| i["id"] == "sa-01").unwrap().clone();
        assert_eq!(sa01["answer"], "met", "answers to items that remain are kept");
        let (_, detail) = get(&app, &manager, &old).await;
        assert!(strings(&detail["unmet"]).contains(&"sa-99".to_owned()));
        let (status, again) = post(&app, Some(&manager), &format!("{old}/checklist/upgrade"), json!({})).await;
        assert_eq!((status, again["error"]["code"].as_str()), (409, Some("checklist-current")));
        let audit =
            haven_store::audit::list(&app.store.pool, Some("projects.checklist-upgraded"), None, 10).await.unwrap();
        assert_eq!(audit.len(), 1);

        // Structured kinds take no entries made of a code and names alone.
        let admin = signed_in(&app, "admin").await;
        let csrf = csrf_of(&app, &admin).await;
        let r = admin
            .post(app.url("/catalog/checklist/entries"))
            .form(&[("csrf", csrf.as_str()), ("code", "my-item"), ("name_en", "Is it safe?")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409);
        let (_, created) = post(&app, Some(&manager), "/api/v1/projects", body("STILL-1")).await;
        assert!(created["id"].is_string(), "projects are still created: {created}");
    }
}

#[tokio::test]
async fn an_organisation_can_send_deviations_to_headquarters() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let (_, p) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "HQ-1", "title": "T", "sectors": ["health-support"]}),
        )
        .await;
        let base = format!("/api/v1/projects/{}", p["id"].as_str().unwrap());
        let ask = |item: &str| format!("{base}/checklist/{item}/deviation");
        let (_, first) =
            post(&app, Some(&manager), &ask("sa-01"), json!({"justification": "Cluster analysis pending"})).await;
        let (_, second) =
            post(&app, Some(&manager), &ask("sa-02"), json!({"justification": "Only sex and age so far"})).await;
        let decide = |d: &Value| format!("{base}/deviations/{}/decision", d["id"].as_str().unwrap());

        // The administrator chooses the headquarters reviewer on the settings page.
        let admin = signed_in(&app, "admin").await;
        let csrf = csrf_of(&app, &admin).await;
        let (_, page) = get_text(&admin, &app.url("/admin/settings")).await;
        assert!(page.contains("name=\"deviation_approver\""));
        let form = [
            ("csrf", csrf.as_str()),
            ("organisation", "Test mission"),
            ("time_zone", "UTC"),
            ("working_week", "mon,tue,wed,thu,fri"),
            ("contact_erase_days", "90"),
            ("deviation_approver", "headquarters-reviewer"),
        ];
        let r = admin.post(app.url("/admin/settings")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let bad = [
            ("csrf", csrf.as_str()),
            ("time_zone", "UTC"),
            ("working_week", "mon"),
            ("deviation_approver", "administrator"),
        ];
        let r = admin.post(app.url("/admin/settings")).form(&bad).send().await.unwrap();
        assert_eq!(r.status(), 422, "only the offered roles decide deviations");

        let protection = token(&app, "protection", false).await;
        let (status, body) = post(&app, Some(&protection), &decide(&first), json!({"approve": true})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("approver-role-required")));
        let hq = token(&app, "hq", false).await;
        assert_eq!(post(&app, Some(&hq), &decide(&first), json!({"approve": true})).await.0, 204);
        assert_eq!(
            post(
                &app,
                Some(&hq),
                &decide(&second),
                json!({"approve": false, "note": "Disaggregate by disability first"})
            )
            .await
            .0,
            204
        );
        let (_, checklist) = get(&app, &manager, &format!("{base}/checklist")).await;
        let state = |id: &str| {
            checklist["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap()["deviation"]["state"].clone()
        };
        assert_eq!((state("sa-01"), state("sa-02")), (json!("approved"), json!("rejected")));
    }
}

#[tokio::test]
async fn the_project_list_comes_in_pages_with_the_total() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        for code in ["XY-C", "XY-A", "XY-B"] {
            let (status, _) = post(
                &app,
                Some(&manager),
                "/api/v1/projects",
                json!({"code": code, "title": "Paged", "sectors": ["shelter-non-food-items"], "locations": ["XY01"]}),
            )
            .await;
            assert_eq!(status, 201);
        }
        let codes = |v: &Value| v["items"].as_array().unwrap().iter().map(|i| i["code"].clone()).collect::<Vec<_>>();
        let (_, first) = get(&app, &manager, "/api/v1/projects?per_page=2").await;
        assert_eq!(
            (codes(&first), first["total"].clone(), first["page"].clone()),
            (vec![json!("XY-A"), json!("XY-B")], json!(3), json!(1))
        );
        let (_, second) = get(&app, &manager, "/api/v1/projects?per_page=2&page=2").await;
        assert_eq!(codes(&second), vec![json!("XY-C")]);
        let (_, filtered) = get(&app, &manager, "/api/v1/projects?per_page=2&q=xy-b").await;
        assert_eq!((codes(&filtered), filtered["total"].clone()), (vec![json!("XY-B")], json!(1)));
        assert_eq!(get(&app, &manager, "/api/v1/projects?per_page=0").await.0, 400);
        assert_eq!(get(&app, &manager, "/api/v1/projects?page=0").await.0, 400);

        let c = signed_in(&app, "manager").await;
        let (status, html) = get_text(&c, &app.url("/projects?per_page=2&sector=shelter-non-food-items")).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("rel=\"next\"")
                && html.contains("/projects?page=2&amp;sector=shelter-non-food-items&#38;per_page=2"),
            "{engine:?} {}",
            &html[html.find("project-count").unwrap_or(0)..]
        );
    }
}
