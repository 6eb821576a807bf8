//! The JSON API: tokens, the error shape, OpenAPI, catalog in the caller's language.

use haven_core::authz::Role;
use haven_store::identity::{self as users, Actor};

use crate::support::*;

async fn token_for(app: &TestApp, username: &str) -> (uuid::Uuid, String) {
    let id = users::user_id_by_username(&app.store, username).await.unwrap();
    let actor = Actor { id: Some(id), name: username.into() };
    let token =
        users::create_token(&app.store, &actor, id, "test", None, time::Duration::days(90), None).await.unwrap();
    (id, token)
}

/// A server with one M&E officer, `mande`, and a token of theirs.
async fn officer_with_token(engine: Engine) -> (TestApp, uuid::Uuid, String) {
    let app = spawn(engine, true).await;
    app.add_user("mande", &[Role::MeOfficer]).await;
    let (id, token) = token_for(&app, "mande").await;
    (app, id, token)
}

#[tokio::test]
async fn tokens_authenticate_until_revoked() {
    for engine in engines() {
        let (app, id, token) = officer_with_token(engine).await;
        let c = reqwest::Client::new();
        let r = c.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let me: serde_json::Value = r.json().await.unwrap();
        assert_eq!(me["username"], "mande");
        assert_eq!(me["roles"], serde_json::json!(["me-officer"]));
        let listed = users::list_tokens(&app.store, id).await.unwrap();
        assert!(listed[0].last_used_at.is_some());
        users::revoke_token(&app.store, &Actor::system("test"), id, &listed[0].id).await.unwrap();
        let r = c.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not-authenticated");
        let tampered = format!("{}x", &token[..token.len() - 1]);
        assert_eq!(c.get(app.url("/api/v1/me")).bearer_auth(tampered).send().await.unwrap().status().as_u16(), 401);
    }
}

/// The roles `/api/v1/me` reports for a token, or the status when it is refused.
async fn roles_seen(app: &TestApp, token: &str) -> Result<serde_json::Value, u16> {
    let r = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(token).send().await.unwrap();
    match r.status().as_u16() {
        200 => Ok(r.json::<serde_json::Value>().await.unwrap()["roles"].clone()),
        status => Err(status),
    }
}

#[tokio::test]
async fn role_changes_and_disabling_apply_to_tokens_at_once() {
    for engine in engines() {
        let (app, id, token) = officer_with_token(engine).await;
        let admin = Actor::system("test");
        // Each check below follows one that left the token's answer kept for a moment.
        assert_eq!(roles_seen(&app, &token).await, Ok(serde_json::json!(["me-officer"])));
        users::revoke_role(&app.store, &admin, id, Role::MeOfficer).await.unwrap();
        assert_eq!(roles_seen(&app, &token).await, Ok(serde_json::json!([])));
        let grant = haven_core::authz::RoleGrant { role: Role::Viewer, agency: None, location: None };
        users::grant_role(&app.store, &admin, id, &grant).await.unwrap();
        assert_eq!(roles_seen(&app, &token).await, Ok(serde_json::json!(["viewer"])));
        users::set_disabled(&app.store, &admin, id, true).await.unwrap();
        assert_eq!(roles_seen(&app, &token).await, Err(401));
    }
}

#[tokio::test]
async fn a_token_revoked_by_another_process_stops_working_within_the_kept_time() {
    for engine in engines() {
        let (app, _, token) = officer_with_token(engine).await;
        assert!(roles_seen(&app, &token).await.is_ok());
        // As `haven` on the command line would: the server is not told.
        haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1").bind(haven_store::now_utc()).execute(p).await.map(|_| ())
        })
        .unwrap();
        tokio::time::sleep(haven_store::recent::KEPT_FOR + std::time::Duration::from_millis(100)).await;
        assert_eq!(roles_seen(&app, &token).await, Err(401));
    }
}

#[tokio::test]
async fn failures_share_one_shape_and_never_echo_input() {
    let app = spawn(Engine::Sqlite, true).await;
    app.add_user("admin", &[Role::Administrator]).await;
    app.add_user("viewer", &[Role::Viewer]).await;
    let (_, admin) = token_for(&app, "admin").await;
    let (_, viewer) = token_for(&app, "viewer").await;
    let c = reqwest::Client::new();
    let cases = [
        (app.url("/api/v1/users?page=zero<script>"), &admin, 400, "bad-request"),
        (app.url("/api/v1/users?per_page=5000"), &admin, 400, "invalid"),
        (app.url("/api/v1/catalog/planets"), &admin, 404, "not-found"),
        (app.url("/api/v1/users"), &viewer, 403, "forbidden"),
        (app.url("/api/v1/nothing-here"), &admin, 404, "not-found"),
    ];
    for (url, token, status, code) in cases {
        let r = c.get(&url).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{url}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let text = r.text().await.unwrap();
        assert!(!text.contains("<script>") && !text.contains("zero"), "no echo: {text}");
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["error"]["code"], code, "{url}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let r = c.get(app.url("/api/v1/users?per_page=5000")).bearer_auth(&admin).send().await.unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["field"], "per_page");
}

#[tokio::test]
async fn openapi_document_is_public_and_complete() {
    let app = spawn(Engine::Sqlite, true).await;
    let r = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/api/v1/catalog/{kind}", "/api/v1/me", "/api/v1/users", "/api/v1/audit"] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
        assert!(doc["paths"][path]["get"]["responses"].get("401").is_some(), "{path} documents 401");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Every JSON route the router serves is in the document with its method: read from the
    // router's own source, so a route added without its documentation fails here.
    let source = include_str!("../../../haven-web/src/lib.rs");
    let mut routes = 0;
    let mut missing = Vec::new();
    for line in source.lines().map(str::trim).filter(|l| l.starts_with(".route(\"/api/v1/")) {
        let path = line.split('"').nth(1).unwrap();
        if path == "/api/v1/openapi.json" {
            continue;
        }
        let call = line.split("\", ").nth(1).unwrap();
        let method = call.trim_start_matches("axum::routing::").split('(').next().unwrap();
        if doc["paths"][path].get(method).is_none() {
            missing.push(format!("{method} {path}"));
        }
        routes += 1;
    }
    assert!(missing.is_empty(), "not documented: {missing:#?}");
    assert!(routes > 60, "only {routes} routes read from the router");
}

#[tokio::test]
async fn catalog_answers_in_the_callers_language() {
    for engine in engines() {
        let app = spawn(engine, true).await;
        app.add_user("viewer", &[Role::Viewer]).await;
        let (_, token) = token_for(&app, "viewer").await;
        let c = reqwest::Client::new();
        for (kind, count) in [("principles", 4), ("phases", 4), ("sectors", 15), ("risks", 15), ("action-types", 4)] {
            let body: serde_json::Value = c
                .get(app.url(&format!("/api/v1/catalog/{kind}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(body["items"].as_array().unwrap().len(), count, "{kind}");
        }
        for kind in ["at-risk-groups", "pillars", "age-brackets", "locations"] {
            let r = c.get(app.url(&format!("/api/v1/catalog/{kind}"))).bearer_auth(&token).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200, "{kind}");
        }
        let en: serde_json::Value =
            c.get(app.url("/api/v1/catalog/sectors")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let ar: serde_json::Value = c
            .get(app.url("/api/v1/catalog/sectors"))
            .bearer_auth(&token)
            .header("accept-language", "ar")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let first_ar = ar["items"][0]["name"].as_str().unwrap();
        assert_ne!(first_ar, en["items"][0]["name"].as_str().unwrap());
        assert!(first_ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)), "Arabic name: {first_ar}");
        assert_eq!(ar["items"][0]["code"], en["items"][0]["code"]);
    }
}

#[tokio::test]
async fn security_headers_and_health() {
    let app = spawn(Engine::Sqlite, true).await;
    let r = reqwest::get(app.url("/login")).await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("referrer-policy"));
    assert_eq!(reqwest::get(app.url("/healthz")).await.unwrap().status().as_u16(), 200);
    assert_eq!(reqwest::get(app.url("/readyz")).await.unwrap().status().as_u16(), 200);
}

#[tokio::test]
async fn narrowed_tokens_carry_only_their_scopes() {
    for engine in engines() {
        let app = spawn(engine, true).await;
        let id = app.add_user("admin", &[Role::Administrator]).await;
        let scopes = [haven_core::authz::Permission::CatalogRead].into();
        let actor = Actor { id: Some(id), name: "admin".into() };
        let token = users::create_token(&app.store, &actor, id, "narrow", Some(&scopes), time::Duration::days(1), None)
            .await
            .unwrap();
        let c = reqwest::Client::new();
        assert_eq!(
            c.get(app.url("/api/v1/catalog/sectors")).bearer_auth(&token).send().await.unwrap().status().as_u16(),
            200
        );
        assert_eq!(c.get(app.url("/api/v1/users")).bearer_auth(&token).send().await.unwrap().status().as_u16(), 403);
        let me: serde_json::Value =
            c.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["permissions"], serde_json::json!(["catalog-read"]));
    }
}
