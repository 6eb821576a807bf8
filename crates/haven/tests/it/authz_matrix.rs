//! Role × route × scope: every role is admitted exactly where its permissions say.

use haven_core::authz::{LocationScope, Permission, Principal, Role, RoleGrant, decide};

use crate::support::*;

/// GET routes and the permission each needs (`None`: any signed-in user).
const ROUTES: [(&str, Option<Permission>); 25] = [
    ("/", None),
    ("/account", None),
    ("/api/v1/me", None),
    ("/catalog", Some(Permission::CatalogRead)),
    ("/catalog/sectors", Some(Permission::CatalogRead)),
    ("/api/v1/catalog/risks", Some(Permission::CatalogRead)),
    ("/admin/users", Some(Permission::UsersRead)),
    ("/api/v1/users", Some(Permission::UsersRead)),
    ("/admin/audit", Some(Permission::AuditRead)),
    ("/api/v1/audit", Some(Permission::AuditRead)),
    ("/admin/settings", Some(Permission::SettingsManage)),
    ("/account/mfa", None),
    ("/feedback/services", Some(Permission::ServicesRead)),
    ("/api/v1/services", Some(Permission::ServicesRead)),
    ("/feedback/services/new", Some(Permission::ServicesManage)),
    ("/feedback/answers", Some(Permission::FeedbackRead)),
    ("/api/v1/answers", Some(Permission::FeedbackRead)),
    ("/feedback/callbacks", Some(Permission::FeedbackRead)),
    ("/audits", Some(Permission::ProjectsRead)),
    ("/audits/new", Some(Permission::SafetyAuditsWrite)),
    ("/participation", Some(Permission::ProjectsRead)),
    ("/feedback/lexicon", Some(Permission::LexiconManage)),
    ("/feedback/dashboard", Some(Permission::FeedbackFiguresRead)),
    ("/api/v1/feedback/service-levels", Some(Permission::FeedbackFiguresRead)),
    ("/api/v1/feedback", Some(Permission::FeedbackRead)),
];

#[tokio::test]
async fn every_role_reaches_exactly_its_routes() {
    for engine in engines() {
        let app = spawn(engine, true).await;
        app.add_role_users().await;
        let anonymous = client();
        for (path, _) in ROUTES {
            let status = anonymous.get(app.url(path)).send().await.unwrap().status().as_u16();
            let expected = if path.starts_with("/api/") { 401 } else { 303 };
            assert_eq!(status, expected, "anonymous {path}");
        }
        for role in Role::ALL {
            let c = signed_in(&app, role_user(role)).await;
            for (path, needed) in ROUTES {
                let allowed = needed.is_none_or(|p| role.permissions().contains(&p));
                let status = c.get(app.url(path)).send().await.unwrap().status().as_u16();
                assert_eq!(status, if allowed { 200 } else { 403 }, "{engine:?} {role:?} GET {path}");
            }
        }
        let denied = haven_store::audit::list(&app.store.pool, Some("authz.denied"), None, 500).await.unwrap();
        assert!(!denied.is_empty(), "refusals are audited");
    }
}

#[tokio::test]
async fn state_changing_admin_routes_are_refused_to_other_roles() {
    let app = spawn(Engine::Sqlite, true).await;
    app.add_role_users().await;
    let target = app.add_user("target", &[Role::Viewer]).await;
    for role in Role::ALL {
        let c = signed_in(&app, role_user(role)).await;
        let csrf = csrf_of(&app, &c).await;
        let disable =
            c.post(app.url(&format!("/admin/users/{target}/disable"))).form(&[("csrf", &csrf)]).send().await.unwrap();
        let grant = c
            .post(app.url(&format!("/admin/users/{target}/roles")))
            .form(&[("csrf", csrf.as_str()), ("role", "case-worker")])
            .send()
            .await
            .unwrap();
        let expected = if role == Role::Administrator { 303 } else { 403 };
        assert_eq!(disable.status().as_u16(), expected, "{role:?} disable");
        assert_eq!(grant.status().as_u16(), expected, "{role:?} grant");
        if role == Role::Administrator {
            haven_store::identity::set_disabled(
                &app.store,
                &haven_store::identity::Actor::system("test"),
                target,
                false,
            )
            .await
            .unwrap();
        }
    }
}

#[test]
fn location_scopes_narrow_list_filters() {
    let north = LocationScope::new("/AZ/AZ01/").unwrap();
    let p = Principal {
        user_id: uuid::Uuid::now_v7(),
        grants: vec![RoleGrant { role: Role::CaseWorker, agency: None, location: Some(north) }],
        token_permissions: None,
    };
    let access = decide(&p, Permission::CaseRead).unwrap();
    assert!(access.filter().admits(None, Some("/AZ/AZ01/AZ0101/")));
    assert!(!access.filter().admits(None, Some("/AZ/AZ02/")));
    assert!(decide(&p, Permission::UsersRead).is_err());
}
