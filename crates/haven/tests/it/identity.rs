//! Sign-in, lockout, second factor, CSRF, session expiry, sign-out.

use haven_core::authz::Role;

use crate::support::*;

#[tokio::test]
async fn sign_in_shows_errors_in_the_form_and_cycles_the_session() {
    for engine in engines() {
        let app = spawn(engine, true).await;
        app.add_user("amina", &[Role::Viewer]).await;
        let c = client();
        let r = sign_in(&app, &c, "amina", "wrong password!!").await;
        assert_eq!(r.status().as_u16(), 401, "{engine:?}");
        let body = r.text().await.unwrap();
        assert!(body.contains("id=\"login-error\""), "the form is answered again with the error");
        assert!(body.contains("value=\"amina\""), "the user name is kept");

        let r = sign_in(&app, &c, "amina", PASSWORD).await;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/");
        let first = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .find_map(|v| v.to_str().ok().filter(|s| s.starts_with("haven_session=")))
            .unwrap()
            .to_owned();
        assert!(first.contains("HttpOnly") && first.contains("SameSite=Strict"));
        let (status, home) = get_text(&c, &app.url("/")).await;
        assert_eq!(status, 200);
        assert!(home.contains("amina"));

        let csrf = csrf_of(&app, &c).await;
        c.post(app.url("/logout")).form(&[("csrf", &csrf)]).send().await.unwrap();
        let r = sign_in(&app, &c, "amina", PASSWORD).await;
        let second = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .find_map(|v| v.to_str().ok().filter(|s| s.starts_with("haven_session=")))
            .unwrap()
            .to_owned();
        assert_ne!(first, second, "a new session value at each sign-in");
    }
}

#[tokio::test]
async fn empty_fields_are_flagged_next_to_the_field() {
    let app = spawn(Engine::Sqlite, true).await;
    let c = client();
    let r = sign_in(&app, &c, "", "").await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"username-error\""));
    assert!(body.contains("aria-describedby=\"username-error\""));
}

#[tokio::test]
async fn repeated_failures_lock_the_account() {
    for engine in engines() {
        let app = spawn(engine, true).await;
        app.add_user("omar", &[Role::FeedbackAgent]).await;
        let c = client();
        for i in 0..4 {
            assert_eq!(sign_in(&app, &c, "omar", "not the password").await.status().as_u16(), 401, "attempt {i}");
        }
        let r = sign_in(&app, &c, "omar", "not the password").await;
        assert_eq!(r.status().as_u16(), 429);
        assert!(r.text().await.unwrap().contains("locked"));
        let r = sign_in(&app, &c, "omar", PASSWORD).await;
        assert_eq!(r.status().as_u16(), 429, "even the right password waits for the lock to end");
        let entries =
            haven_store::audit::list(&app.store.pool, Some("identity.account-locked"), None, 10).await.unwrap();
        assert_eq!(entries.len(), 1);
    }
}

#[tokio::test]
async fn state_changing_forms_need_the_csrf_token() {
    for engine in engines() {
        let app = spawn(engine, true).await;
        app.add_user("leila", &[Role::ProtectionOfficer]).await;
        let c = signed_in(&app, "leila").await;
        let r = c.post(app.url("/account/language")).form(&[("lang", "fr")]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let r = c.post(app.url("/account/language")).form(&[("lang", "fr"), ("csrf", "forged")]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let csrf = csrf_of(&app, &c).await;
        let r = c.post(app.url("/account/language")).form(&[("lang", "fr"), ("csrf", &csrf)]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303);
        // Without Origin, with a valid token: accepted (checked above). The login form too:
        let fresh = client();
        let r =
            fresh.post(app.url("/login")).form(&[("username", "leila"), ("password", PASSWORD)]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "login without its CSRF cookie and field");
    }
}

#[tokio::test]
async fn idle_sessions_expire() {
    for engine in engines() {
        let app = spawn(engine, true).await;
        app.add_user("grace", &[Role::Viewer]).await;
        let c = signed_in(&app, "grace").await;
        assert_eq!(get_text(&c, &app.url("/")).await.0, 200);
        let past = haven_store::now_utc() - time::Duration::hours(1);
        haven_store::on_pool!(&app.store.pool, p => sqlx::query("UPDATE sessions SET last_seen_at = $1").bind(past).execute(p).await.map(|_| ())).unwrap();
        let r = c.get(app.url("/")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303);
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    }
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = spawn(Engine::Sqlite, true).await;
    app.add_user("samuel", &[Role::Viewer]).await;
    let c = signed_in(&app, "samuel").await;
    let csrf = csrf_of(&app, &c).await;
    let r = c.post(app.url("/logout")).form(&[("csrf", &csrf)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(c.get(app.url("/")).send().await.unwrap().status().as_u16(), 303);
}

fn totp_now(secret_b32: &str) -> String {
    let secret = haven_web::identity::mfa::unbase32(secret_b32).unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    totp.generate(haven_store::now_utc().unix_timestamp() as u64).to_string()
}

#[tokio::test]
async fn administrators_enrol_and_then_use_a_second_factor() {
    for engine in engines() {
        let app = spawn(engine, false).await;
        app.add_user("root", &[Role::Administrator]).await;
        let c = client();
        let r = sign_in(&app, &c, "root", PASSWORD).await;
        assert_eq!(r.headers()["location"], "/login/mfa");
        // Nothing else is reachable before the second step.
        let r = c.get(app.url("/admin/users")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/login/mfa");
        let (status, page) = get_text(&c, &app.url("/login/mfa")).await;
        assert_eq!(status, 200);
        assert!(page.contains("<svg"), "a QR code is shown");
        let secret = hidden(&page, "secret");
        let csrf = hidden(&page, "csrf");
        let r = c
            .post(app.url("/login/mfa"))
            .form(&[("csrf", csrf.as_str()), ("secret", &secret), ("code", "000000")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let code = totp_now(&secret);
        let r = c
            .post(app.url("/login/mfa"))
            .form(&[("csrf", csrf.as_str()), ("secret", &secret), ("code", &code)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let page = r.text().await.unwrap();
        let codes_start = page.find("id=\"recovery-codes\"").unwrap();
        let recovery = page[codes_start..].split("<li>").nth(1).unwrap().split("</li>").next().unwrap().to_owned();
        assert_eq!(get_text(&c, &app.url("/admin/users")).await.0, 200);

        // Next sign-in asks for a code; a recovery code works once.
        let c2 = client();
        let r = sign_in(&app, &c2, "root", PASSWORD).await;
        assert_eq!(r.headers()["location"], "/login/mfa");
        let (_, page) = get_text(&c2, &app.url("/login/mfa")).await;
        assert!(!page.contains("name=\"secret\""), "a challenge, not a new enrolment");
        let csrf = hidden(&page, "csrf");
        let r =
            c2.post(app.url("/login/mfa")).form(&[("csrf", csrf.as_str()), ("code", &recovery)]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(get_text(&c2, &app.url("/")).await.0, 200);
        let c3 = client();
        sign_in(&app, &c3, "root", PASSWORD).await;
        let (_, page) = get_text(&c3, &app.url("/login/mfa")).await;
        let csrf = hidden(&page, "csrf");
        let r =
            c3.post(app.url("/login/mfa")).form(&[("csrf", csrf.as_str()), ("code", &recovery)]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "a recovery code works only once");
    }
}

#[tokio::test]
async fn psea_role_is_granted_only_by_another_focal_point_who_are_notified() {
    for engine in engines() {
        let app = spawn(engine, true).await;
        app.add_user("admin", &[Role::Administrator]).await;
        let first = app.add_user("psea1", &[Role::PseaFocalPoint]).await;
        let target = app.add_user("newcomer", &[Role::Viewer]).await;
        let admin = signed_in(&app, "admin").await;
        let csrf = csrf_of(&app, &admin).await;
        let url = app.url(&format!("/admin/users/{target}/roles"));
        let r = admin.post(&url).form(&[("csrf", csrf.as_str()), ("role", "psea-focal-point")]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "an administrator cannot grant the PSEA role");
        let r = admin
            .post(app.url(&format!("/admin/users/{first}/password-reset")))
            .form(&[("csrf", csrf.as_str()), ("password", "a brand new password")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "nor reset a focal point's password");

        let second = app.add_user("psea2", &[Role::PseaFocalPoint]).await;
        let psea = signed_in(&app, "psea1").await;
        let csrf = csrf_of(&app, &psea).await;
        let r = psea.post(&url).form(&[("csrf", csrf.as_str()), ("role", "psea-focal-point")]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let roles = haven_store::identity::roles_of(&app.store, target).await.unwrap();
        assert!(roles.contains(&Role::PseaFocalPoint));
        for other in [first, second] {
            let notes = haven_store::notifications::unread(&app.store, other).await.unwrap();
            assert_eq!(notes.len(), 1);
            assert_eq!(notes[0].kind, "psea-focal-point-added");
        }
    }
}

#[tokio::test]
async fn administrators_choose_which_roles_need_a_second_factor() {
    for engine in engines() {
        let app = spawn(engine, true).await;
        app.add_user("admin", &[Role::Administrator]).await;
        app.add_user("viewer", &[Role::Viewer]).await;
        let admin = signed_in(&app, "admin").await;
        let csrf = csrf_of(&app, &admin).await;
        let form = [
            ("csrf", csrf.as_str()),
            ("organisation", "Test mission"),
            ("time_zone", "Asia/Baghdad"),
            ("working_week", "sun,mon,tue,wed,thu"),
            ("mfa-viewer", "on"),
        ];
        let r = admin.post(app.url("/admin/settings")).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let c = client();
        assert_eq!(sign_in(&app, &c, "viewer", PASSWORD).await.headers()["location"], "/login/mfa");
        let bad = [("csrf", csrf.as_str()), ("time_zone", "not a zone"), ("working_week", "funday")];
        let r = admin.post(app.url("/admin/settings")).form(&bad).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"tz-error\"") && page.contains("id=\"week-error\""));
        assert_eq!(
            haven_store::settings::get(&app.store, haven_store::settings::WORKING_WEEK).await.unwrap().as_deref(),
            Some("mon,tue,wed,thu,sun"),
            "a rejected form changes nothing"
        );
    }
}
