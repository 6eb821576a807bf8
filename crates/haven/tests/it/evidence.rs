//! Evidence files on checklist answers, over real HTTP on both engines: stored encrypted,
//! downloaded intact and audited, refused when they are not documents, removable, and only
//! attached by those who may change the project.

use haven_core::authz::Role;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::feedback::{feedback_app, get, post, problems, token};
use crate::support::*;

/// A small but real PDF (header, one empty page, trailer) with a marker to look for at rest.
const MARKER: &str = "Site plan Camp Hope latrines";

fn pdf() -> Vec<u8> {
    format!("%PDF-1.4\n% {MARKER}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

async fn upload(app: &TestApp, token: &str, path: &str, name: &str, content: Vec<u8>) -> (u16, Value) {
    let form = Form::new().part("file", Part::bytes(content).file_name(name.to_owned()));
    let r = reqwest::Client::new().post(app.url(path)).bearer_auth(token).multipart(form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn count_audit(app: &TestApp, action: &str) -> usize {
    haven_store::audit::list(&app.store.pool, Some(action), None, 500).await.unwrap().len()
}

#[tokio::test]
async fn evidence_files_are_kept_encrypted_downloaded_intact_and_audited() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let viewer = token(&app, "viewer", false).await;
        let (status, created) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "XY-EV-01", "title": "Evidence", "sectors": ["shelter-non-food-items"], "locations": ["XY01"]}),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        let (_, checklist) = get(&app, &manager, &format!("/api/v1/projects/{id}/checklist")).await;
        let item = checklist["items"][0]["id"].as_str().unwrap().to_owned();
        let attach = format!("/api/v1/projects/{id}/checklist/{item}/evidence");

        // An Arabic file name survives; the content comes back byte for byte.
        let name = "خطة الموقع.pdf";
        let (status, body) = upload(&app, &manager, &attach, name, pdf()).await;
        assert_eq!(status, 201, "{engine:?} {body}");
        let evidence = body["id"].as_str().unwrap().to_owned();
        let (_, listed) = get(&app, &manager, &format!("/api/v1/projects/{id}/evidence")).await;
        let files = listed.as_array().unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!((files[0]["file_name"].as_str(), files[0]["item_id"].as_str()), (Some(name), Some(item.as_str())));
        assert_eq!(files[0]["size_bytes"], pdf().len());
        assert_eq!(files[0]["sha256"], body["sha256"]);

        // At rest: neither the name nor the content is readable in the database.
        let rows: Vec<(Vec<u8>, Vec<u8>)> = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query_as("SELECT file_name_enc, content_enc FROM checklist_evidence").fetch_all(p).await
        })
        .unwrap();
        let window = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(!window(&rows[0].1, MARKER.as_bytes()) && !window(&rows[0].0, "الموقع".as_bytes()));

        // A viewer may read the project and download; the download is audited.
        let before = count_audit(&app, "projects.evidence-read").await;
        let r = reqwest::Client::new()
            .get(app.url(&format!("/api/v1/projects/{id}/evidence/{evidence}")))
            .bearer_auth(&viewer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let disposition = r.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("attachment;") && disposition.contains("UTF-8''%D8%AE"), "{disposition}");
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf());
        assert_eq!(count_audit(&app, "projects.evidence-read").await, before + 1);

        // A viewer may not attach, nor remove.
        let (status, _) = upload(&app, &viewer, &attach, "plan.pdf", pdf()).await;
        assert_eq!(status, 403);
        let r = reqwest::Client::new()
            .delete(app.url(&format!("/api/v1/projects/{id}/evidence/{evidence}")))
            .bearer_auth(&viewer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);

        // Not documents, renamed files, empty files and items not on the checklist are refused.
        let (status, body) = upload(&app, &manager, &attach, "tool.exe", b"MZ\x90\x00".to_vec()).await;
        assert_eq!((status, problems(&body)), (422, vec![("file".into(), "file-type-not-accepted".into())]));
        let (status, body) = upload(&app, &manager, &attach, "report.pdf", b"MZ\x90\x00".to_vec()).await;
        assert_eq!((status, problems(&body)), (422, vec![("file".into(), "file-content-mismatch".into())]));
        let (status, body) = upload(&app, &manager, &attach, "report.pdf", Vec::new()).await;
        assert_eq!((status, problems(&body)), (422, vec![("file".into(), "empty-file".into())]));
        let missing = format!("/api/v1/projects/{id}/checklist/no-such-item/evidence");
        assert_eq!(upload(&app, &manager, &missing, "plan.pdf", pdf()).await.0, 404);
        // Larger than 10 MiB: refused before anything is stored.
        let mut big = pdf();
        big.resize(haven_core::projects::MAX_EVIDENCE_BYTES + 1, b' ');
        let (status, _) = upload(&app, &manager, &attach, "big.pdf", big).await;
        assert!(status == 413 || status == 422, "{status}");

        // Removal deletes the content and keeps the fact in the history.
        let r = reqwest::Client::new()
            .delete(app.url(&format!("/api/v1/projects/{id}/evidence/{evidence}")))
            .bearer_auth(&manager)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 204);
        let (_, listed) = get(&app, &manager, &format!("/api/v1/projects/{id}/evidence")).await;
        assert_eq!(listed.as_array().unwrap().len(), 0);
        let left: (i64,) = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query_as("SELECT COUNT(*) FROM checklist_evidence").fetch_one(p).await
        })
        .unwrap();
        assert_eq!(left.0, 0);
        assert_eq!(count_audit(&app, "projects.evidence-removed").await, 1);
    }
}

#[tokio::test]
async fn the_project_page_attaches_evidence_with_its_form_and_refuses_forged_uploads() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let manager = token(&app, "manager", false).await;
        let (_, created) = post(
            &app,
            Some(&manager),
            "/api/v1/projects",
            json!({"code": "XY-EV-02", "title": "Evidence page", "sectors": ["shelter-non-food-items"], "locations": ["XY01"]}),
        )
        .await;
        let id = created["id"].as_str().unwrap().to_owned();
        let c = signed_in(&app, role_user(Role::ProjectManager)).await;
        let (status, html) = get_text(&c, &app.url(&format!("/projects/{id}"))).await;
        assert_eq!(status, 200);
        let form_action = html
            .split("action=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .find(|a| a.ends_with("/evidence"))
            .expect("an upload form on the project page")
            .to_owned();
        assert!(html.contains("enctype=\"multipart/form-data\""));
        let csrf = csrf_of(&app, &c).await;

        // Without the session's token the upload is refused and nothing is kept.
        let forged = Form::new().part("file", Part::bytes(pdf()).file_name("plan.pdf"));
        let r = c.post(app.url(&form_action)).multipart(forged).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403);

        let form = Form::new().text("csrf", csrf).part("file", Part::bytes(pdf()).file_name("Plan du site.pdf"));
        let r = c.post(app.url(&form_action)).multipart(form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303, "{engine:?}");
        let back = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(back.starts_with(&format!("/projects/{id}#item-")), "back to the item: {back}");
        let (_, html) = get_text(&c, &app.url(&format!("/projects/{id}"))).await;
        assert!(html.contains("Plan du site.pdf"), "the file is listed on its item");
        let (_, listed) = get(&app, &manager, &format!("/api/v1/projects/{id}/evidence")).await;
        assert_eq!(listed.as_array().unwrap().len(), 1, "{engine:?}");
    }
}
