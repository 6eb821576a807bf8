//! What leaves Haven about feedback, against real servers on loopback: escalation e-mail
//! through an SMTP server (aiosmtpd), retries while it is down, replies to people through a
//! Twilio-speaking HTTP server with delivery reports, and sealed reports kept from a focal
//! point they name.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use haven_core::authz::Role;
use haven_core::secret::Secret;
use haven_store::identity::{self as users, Actor};
use haven_web::outbound::whatsapp::{WhatsappCloud, WhatsappTemplate};
use haven_web::outbound::{OutboundConfig, mail::MailConfig, run_once, sms::SmsGateway};
use serde_json::{Value, json};
use time::Duration;

use crate::feedback::*;
use crate::support::*;

/// An SMTP server (Python's aiosmtpd) writing what it receives to a Maildir.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_python() -> Option<String> {
    python_with("aiosmtpd", "e-mail tests (pip install aiosmtpd)")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_smtp(python: &str, port: u16) -> SmtpServer {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let mut child = std::process::Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return SmtpServer { child, port, maildir, _dir: dir };
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("aiosmtpd did not start on port {port}");
}

/// Every message in the Maildir, raw.
fn messages(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect()
}

fn mail_config(port: u16) -> OutboundConfig {
    OutboundConfig {
        mail: Some(
            MailConfig::new(Secret::new(format!("smtp://127.0.0.1:{port}")), "Haven <haven@example.org>").unwrap(),
        ),
        sms: None,
        whatsapp: None,
        every: std::time::Duration::from_secs(3600),
    }
}

fn later(hours: i64) -> time::OffsetDateTime {
    haven_store::now_utc() + Duration::hours(hours)
}

async fn notice_kinds(app: &TestApp, user: uuid::Uuid) -> Vec<(String, Option<uuid::Uuid>)> {
    let mut kinds: Vec<_> = haven_store::notifications::unread(&app.store, user)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.kind, n.subject_id))
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn missed_deadlines_are_escalated_once_by_mail_without_content() {
    let Some(python) = smtp_python() else { return };
    for engine in engines() {
        let smtp = start_smtp(&python, free_port()).await;
        let mut config = haven_web::WebConfig::new(false, true);
        config.outbound = mail_config(smtp.port);
        let app = feedback_app_with(engine, true, config).await;
        let chief =
            app.add_user_with("chief", "Chief Of Mission", Some("chief@example.org"), &[Role::ProjectManager]).await;
        haven_store::feedback::outbound::add_target(&app.store, &Actor::system("test"), None, chief).await.unwrap();
        let agent = token(&app, "agent", false).await;
        let (_, open) =
            post(&app, Some(&agent), "/api/v1/feedback", json!({"text": OPEN_TEXT, "channel": "hotline"})).await;
        let (_, sealed) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea"}),
        )
        .await;
        let state = haven_web::AppState::new(app.store.clone(), {
            let mut c = haven_web::WebConfig::new(false, true);
            c.outbound = mail_config(smtp.port);
            c
        });

        // Nothing is late yet.
        let pass = run_once(&state, later(1)).await.unwrap();
        assert_eq!(pass.escalated, 0, "{engine:?}");

        // Two days on: the open item missed its acknowledgement; the sealed one its
        // acknowledgement and its referral.
        let pass = run_once(&state, later(48)).await.unwrap();
        assert_eq!(pass.escalated, 3, "{engine:?}: {pass:?}");
        assert_eq!(pass.mails_sent, 3, "{engine:?}: the chief, once per missed deadline");
        assert_eq!(run_once(&state, later(49)).await.unwrap().escalated, 0, "each deadline is escalated once");

        let mail = messages(&smtp.maildir);
        assert_eq!(mail.len(), 3, "{engine:?}");
        for m in &mail {
            assert!(m.contains("To: chief@example.org"), "{m}");
            for secret in ["Idrissou", "food card", "water point", "Quenelle"] {
                assert!(!m.contains(secret), "an e-mail carried content: {m}");
            }
        }
        let open_id = open["id"].as_str().unwrap();
        let sealed_id = sealed["id"].as_str().unwrap();
        assert!(mail.iter().any(|m| m.contains("Subject: [Haven] Feedback not acknowledged in time")));
        assert!(mail.iter().all(|m| !m.contains(sealed_id)), "the chief must not learn which sealed report is late");

        // In the app: the chief hears of the open item by id and of the sealed one without;
        // the PSEA focal point hears of the sealed one by id.
        let chief_notices = notice_kinds(&app, chief).await;
        let open_uuid = uuid::Uuid::parse_str(open_id).unwrap();
        let sealed_uuid = uuid::Uuid::parse_str(sealed_id).unwrap();
        assert_eq!(
            chief_notices,
            vec![
                ("feedback-overdue-acknowledge".to_owned(), Some(open_uuid)),
                ("feedback-sealed-overdue".to_owned(), None),
                ("feedback-sealed-overdue".to_owned(), None),
            ],
            "{engine:?}"
        );
        let psea = users::user_id_by_username(&app.store, "psea").await.unwrap();
        let psea_notices = notice_kinds(&app, psea).await;
        assert!(psea_notices.contains(&("feedback-overdue-refer".to_owned(), Some(sealed_uuid))), "{psea_notices:?}");

        // The escalation shows in the item's history.
        let (_, events) =
            get_json(&reqwest::Client::new(), &app.url(&format!("/api/v1/feedback/{open_id}/events")), Some(&agent))
                .await;
        let steps: Vec<&str> = events.as_array().unwrap().iter().filter_map(|e| e["step"].as_str()).collect();
        assert!(steps.contains(&"escalate"), "{events}");
    }
}

#[tokio::test]
async fn mail_waits_while_the_smtp_server_is_down_and_goes_when_it_is_back() {
    let Some(python) = smtp_python() else { return };
    for engine in engines() {
        let port = free_port();
        let mut config = haven_web::WebConfig::new(false, true);
        config.outbound = mail_config(port);
        let app = feedback_app_with(engine, true, config.clone()).await;
        let chief = app.add_user_with("chief", "Chief", Some("chief@example.org"), &[Role::ProjectManager]).await;
        let state = haven_web::AppState::new(app.store.clone(), config);
        haven_store::notifications::notify(&app.store, &[chief], "feedback-sealed", None).await.unwrap();

        let pass = run_once(&state, haven_store::now_utc()).await.unwrap();
        assert_eq!((pass.mails_sent, pass.mails_failed), (0, 0), "{engine:?}: not sent, not given up");
        let counts = haven_store::notifications::mail_counts(&app.store).await.unwrap();
        assert_eq!(counts, vec![("queued".to_owned(), 1)], "{engine:?}");

        let smtp = start_smtp(&python, port).await;
        assert_eq!(run_once(&state, haven_store::now_utc()).await.unwrap().mails_sent, 0, "not before its retry time");
        let pass = run_once(&state, later(1)).await.unwrap();
        assert_eq!(pass.mails_sent, 1, "{engine:?}");
        let mail = messages(&smtp.maildir);
        assert_eq!(mail.len(), 1);
        assert!(mail[0].contains("Subject: [Haven] A sealed report arrived"), "{}", mail[0]);
    }
}

type Form = Vec<(String, String)>;

/// An HTTP server that speaks Twilio's Messages API: the first call fails (503), the rest are
/// taken and answered with a message id; every request body is kept.
#[derive(Clone, Default)]
struct Gateway {
    calls: Arc<Mutex<Vec<Form>>>,
}

async fn twilio_messages(State(g): State<Gateway>, body: axum::body::Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let n = {
        let mut calls = g.calls.lock().unwrap();
        calls.push(form);
        calls.len()
    };
    if n == 1 {
        return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    (axum::http::StatusCode::CREATED, axum::Json(json!({"sid": format!("SM{n:032}"), "status": "queued"})))
        .into_response()
}

/// The Twilio gateway at `api_base`, with the test account.
fn twilio_at(api_base: impl Into<String>) -> SmsGateway {
    SmsGateway::Twilio {
        api_base: api_base.into(),
        account_sid: "AC0123".into(),
        auth_token: Secret::new(TWILIO_TOKEN),
        from: "+254700000000".into(),
    }
}

/// Serve `app` on a loopback port; returns its base URL.
async fn serve_on_loopback(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn start_gateway() -> (String, Gateway) {
    let gateway = Gateway::default();
    let app = axum::Router::new()
        .route("/2010-04-01/Accounts/{sid}/Messages.json", axum::routing::post(twilio_messages))
        .with_state(gateway.clone());
    (serve_on_loopback(app).await, gateway)
}

async fn post_status(app: &TestApp, params: &[(&str, &str)], token: &str) -> u16 {
    let params: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let url = "https://haven.example.org/webhooks/sms/twilio/status";
    let signature = haven_web::feedback::webhooks::twilio_signature(token, url, &params);
    let r = reqwest::Client::new()
        .post(app.url("/webhooks/sms/twilio/status"))
        .header("x-twilio-signature", signature)
        .form(&params)
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

#[tokio::test]
async fn replies_reach_the_person_through_the_gateway_with_retries_and_delivery_reports() {
    for engine in engines() {
        let (gateway_url, gateway) = start_gateway().await;
        let mut config = haven_web::WebConfig::new(false, true);
        config.channels = haven_web::feedback::webhooks::ChannelSecrets {
            public_url: Some("https://haven.example.org".into()),
            twilio_auth_token: Some(Secret::new(TWILIO_TOKEN)),
            ..Default::default()
        };
        config.outbound = OutboundConfig {
            mail: None,
            sms: Some(twilio_at(gateway_url)),
            whatsapp: None,
            every: std::time::Duration::from_secs(3600),
        };
        let app = feedback_app_with(engine, true, config.clone()).await;
        let state = haven_web::AppState::new(app.store.clone(), config);

        // A message by SMS, signed the way Twilio signs it.
        let params = twilio_params("SM-in-1", "The distribution list left out the families from block C");
        let url = "https://haven.example.org/webhooks/sms/twilio";
        let (status, _) =
            post_twilio(&app, &params, &haven_web::feedback::webhooks::twilio_signature(TWILIO_TOKEN, url, &params))
                .await;
        assert_eq!(status, 200, "{engine:?}");
        let agent = token(&app, "agent", false).await;
        let (_, list) = get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback"), Some(&agent)).await;
        let id = list["items"][0]["id"].as_str().or_else(|| list[0]["id"].as_str()).unwrap().to_owned();
        let reference =
            list["items"][0]["reference"].as_str().or_else(|| list[0]["reference"].as_str()).unwrap().to_owned();

        let answer = "Block C families are added to the next distribution on Monday";
        let step = json!({"step": "respond", "public_response": answer, "send_reply": true});
        let (status, body) = post(&app, Some(&agent), &format!("/api/v1/feedback/{id}/steps"), step).await;
        assert_eq!(status, 200, "{engine:?}: {body}");

        // The gateway is down the first time: the reply waits for its next try.
        let pass = run_once(&state, haven_store::now_utc()).await.unwrap();
        assert_eq!((pass.replies_sent, pass.replies_failed), (0, 0), "{engine:?}");
        let uuid = uuid::Uuid::parse_str(&id).unwrap();
        let replies = haven_store::feedback::outbound::replies_of(&app.store, uuid).await.unwrap();
        assert_eq!((replies[0].status.as_str(), replies[0].attempts), ("queued", 1), "{engine:?}");
        assert_eq!(replies[0].last_error.as_deref(), Some("http-503"));

        let pass = run_once(&state, later(1)).await.unwrap();
        assert_eq!(pass.replies_sent, 1, "{engine:?}");
        let calls = gateway.calls.lock().unwrap().clone();
        assert_eq!(calls.len(), 2);
        let field = |name: &str| calls[1].iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        assert_eq!(field("To").as_deref(), Some("+254722000111"), "to the number the person wrote from");
        assert_eq!(field("From").as_deref(), Some("+254700000000"));
        let text = field("Body").unwrap();
        assert!(text.contains(answer) && text.contains(&reference), "{text}");
        assert_eq!(field("StatusCallback").as_deref(), Some("https://haven.example.org/webhooks/sms/twilio/status"));

        // Once the gateway has it, Haven keeps neither the number nor the text.
        let sid = format!("SM{:032}", 2);
        type Kept = (Option<Vec<u8>>, Option<Vec<u8>>);
        let kept: Vec<Kept> = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query_as("SELECT recipient_enc, body_enc FROM feedback_outbox").fetch_all(p).await
        })
        .unwrap();
        assert_eq!(kept, vec![(None, None)], "{engine:?}");

        // Delivery reports: signed, applied, never moving a message back.
        assert_eq!(post_status(&app, &[("MessageSid", &sid), ("MessageStatus", "delivered")], TWILIO_TOKEN).await, 204);
        assert_eq!(post_status(&app, &[("MessageSid", &sid), ("MessageStatus", "sent")], TWILIO_TOKEN).await, 204);
        let replies = haven_store::feedback::outbound::replies_of(&app.store, uuid).await.unwrap();
        assert_eq!(replies[0].status, "delivered", "{engine:?}");
        assert_eq!(
            post_status(&app, &[("MessageSid", "SMunknown"), ("MessageStatus", "delivered")], TWILIO_TOKEN).await,
            404
        );
        assert_eq!(post_status(&app, &[("MessageSid", &sid), ("MessageStatus", "failed")], "wrong-token").await, 403);
        assert_eq!(post_status(&app, &[("MessageSid", &sid), ("MessageStatus", "exploded")], TWILIO_TOKEN).await, 422);

        // A sealed report's reply says nothing of its content.
        let psea = token(&app, "psea", true).await;
        let sealed = json!({"text": SEALED_TEXT, "channel": "hotline", "sensitive_type": "sea", "contact_phone": SEALED_PHONE, "consent_to_contact": true});
        let (_, created) = post(&app, Some(&agent), "/api/v1/feedback", sealed).await;
        let sealed_id = created["id"].as_str().unwrap();
        let step = json!({"step": "respond", "public_response": "The driver was suspended pending investigation", "send_reply": true});
        let (status, body) = post(&app, Some(&psea), &format!("/api/v1/feedback/{sealed_id}/steps"), step).await;
        assert_eq!(status, 200, "{engine:?}: {body}");
        run_once(&state, later(2)).await.unwrap();
        let calls = gateway.calls.lock().unwrap().clone();
        let last = calls.last().unwrap();
        let body = last.iter().find(|(k, _)| k == "Body").map(|(_, v)| v.clone()).unwrap();
        assert!(!body.contains("driver") && !body.contains("suspended"), "{body}");
        assert!(last.iter().any(|(k, v)| k == "To" && v == SEALED_PHONE));

        // No consent, no message.
        let (_, quiet) =
            post(&app, Some(&agent), "/api/v1/feedback", json!({"text": OPEN_TEXT, "channel": "hotline"})).await;
        let step = json!({"step": "respond", "public_response": "Fixed", "send_reply": true});
        let (status, body) =
            post(&app, Some(&agent), &format!("/api/v1/feedback/{}/steps", quiet["id"].as_str().unwrap()), step).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["field"], "send_reply", "{body}");
    }
}

const GRAPH_TOKEN: &str = "EAAG-graph-test-token";
const PHONE_NUMBER_ID: &str = "106540352242922";
/// A number whose 24-hour window has closed: WhatsApp refuses free text to it (131047).
const CLOSED_WINDOW: &str = "254755000999";

/// What the Graph API server was sent: the bearer token and the JSON body of each call.
#[derive(Clone, Default)]
struct Graph {
    calls: Arc<Mutex<Vec<(String, Value)>>>,
}

/// `POST /v21.0/{phone-number-id}/messages` as the WhatsApp Cloud API answers it: a message id
/// for a text to an open conversation, error 131047 outside the 24-hour window, 401 for
/// another token.
async fn graph_messages(
    State(g): State<Graph>,
    axum::extract::Path(number_id): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let n = {
        let mut calls = g.calls.lock().unwrap();
        calls.push((bearer.clone(), body.clone()));
        calls.len()
    };
    if bearer != format!("Bearer {GRAPH_TOKEN}") || number_id != PHONE_NUMBER_ID {
        let error = json!({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}});
        return (axum::http::StatusCode::UNAUTHORIZED, axum::Json(error)).into_response();
    }
    let to = body["to"].as_str().unwrap_or("").to_owned();
    // Outside the window only a template goes through.
    if to == CLOSED_WINDOW && body["type"] == "text" {
        let error = json!({"error": {"message": "(#131047) Re-engagement message", "type": "OAuthException",
            "code": 131047, "error_data": {"messaging_product": "whatsapp"}, "fbtrace_id": "A1"}});
        return (axum::http::StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
    }
    let answer = json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": format!("wamid.HBgM{n:04}")}]});
    axum::Json(answer).into_response()
}

async fn start_graph() -> (String, Graph) {
    let graph = Graph::default();
    let app = axum::Router::new()
        .route("/v21.0/{number_id}/messages", axum::routing::post(graph_messages))
        .with_state(graph.clone());
    (format!("{}/v21.0", serve_on_loopback(app).await), graph)
}

/// A signed WhatsApp webhook event with one `value`.
async fn post_whatsapp(app: &TestApp, value: Value) -> u16 {
    let event =
        json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages",
        "value": value}]}]})
        .to_string();
    let r = reqwest::Client::new()
        .post(app.url("/webhooks/whatsapp"))
        .header("x-hub-signature-256", meta_signature(&event))
        .body(event)
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

fn whatsapp_message(id: &str, from: &str, text: &str) -> Value {
    json!({"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "messages": [{"from": from, "id": id, "timestamp": "1772805600", "type": "text", "text": {"body": text}}]})
}

fn whatsapp_status(id: &str, status: &str) -> Value {
    json!({"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "statuses": [{"id": id, "status": status, "timestamp": "1772805700", "recipient_id": "254744000333"}]})
}

/// Respond to the only item from `from` with a reply to the person; returns its id.
async fn respond_with_reply(app: &TestApp, agent: &str, reference_of: &str, answer: &str) -> uuid::Uuid {
    let (_, list) = get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback?channel=whatsapp"), Some(agent)).await;
    let items = list["items"].as_array().unwrap();
    let item = items.iter().find(|i| i["reference"] == reference_of || reference_of.is_empty()).unwrap();
    let id = item["id"].as_str().unwrap().to_owned();
    let step = json!({"step": "respond", "public_response": answer, "send_reply": true});
    let (status, body) = post(app, Some(agent), &format!("/api/v1/feedback/{id}/steps"), step).await;
    assert_eq!(status, 200, "{body}");
    uuid::Uuid::parse_str(&id).unwrap()
}

#[tokio::test]
async fn whatsapp_replies_go_through_the_cloud_api_with_statuses_from_the_webhook() {
    for engine in engines() {
        let (graph_url, graph) = start_graph().await;
        let (twilio_url, twilio) = start_gateway().await;
        let mut config = haven_web::WebConfig::new(false, true);
        config.channels = haven_web::feedback::webhooks::ChannelSecrets {
            public_url: Some("https://haven.example.org".into()),
            twilio_auth_token: Some(Secret::new(TWILIO_TOKEN)),
            whatsapp_app_secret: Some(Secret::new(META_SECRET)),
            whatsapp_verify_token: Some(Secret::new("verify-me")),
            ..Default::default()
        };
        config.outbound = OutboundConfig {
            mail: None,
            sms: Some(twilio_at(twilio_url)),
            whatsapp: Some(WhatsappCloud {
                api_base: graph_url,
                phone_number_id: PHONE_NUMBER_ID.into(),
                access_token: Secret::new(GRAPH_TOKEN),
                template: None,
            }),
            every: std::time::Duration::from_secs(3600),
        };
        let app = feedback_app_with(engine, true, config.clone()).await;
        let state = haven_web::AppState::new(app.store.clone(), config);
        let agent = token(&app, "agent", false).await;

        // Two people write on WhatsApp; one of them last wrote more than a day before the answer.
        let text = "Les couvertures promises ne sont pas arrivées au bloc D";
        assert_eq!(post_whatsapp(&app, whatsapp_message("wamid.in-1", "254744000333", text)).await, 200, "{engine:?}");
        let id = respond_with_reply(&app, &agent, "", "Les couvertures arrivent jeudi").await;
        let pass = run_once(&state, haven_store::now_utc()).await.unwrap();
        assert_eq!((pass.replies_sent, pass.replies_failed), (1, 0), "{engine:?}");

        // It went to the Graph API, not to Twilio: a text to the number, with the token.
        assert!(twilio.calls.lock().unwrap().is_empty(), "{engine:?}: a WhatsApp reply goes by WhatsApp");
        let calls = graph.calls.lock().unwrap().clone();
        assert_eq!(calls.len(), 1, "{engine:?}");
        let (bearer, body) = &calls[0];
        assert_eq!(bearer, &format!("Bearer {GRAPH_TOKEN}"));
        assert_eq!((body["messaging_product"].as_str(), body["type"].as_str()), (Some("whatsapp"), Some("text")));
        assert_eq!(body["to"], "254744000333");
        let sent_text = body["text"]["body"].as_str().unwrap();
        assert!(sent_text.contains("Les couvertures arrivent jeudi"), "{sent_text}");
        let replies = haven_store::feedback::outbound::replies_of(&app.store, id).await.unwrap();
        assert_eq!((replies[0].channel.as_str(), replies[0].status.as_str()), ("whatsapp", "sent"), "{engine:?}");

        // Statuses come back on the signed webhook, by message id, and never move a message back.
        assert_eq!(post_whatsapp(&app, whatsapp_status("wamid.HBgM0001", "delivered")).await, 200);
        assert_eq!(post_whatsapp(&app, whatsapp_status("wamid.HBgM0001", "sent")).await, 200);
        let replies = haven_store::feedback::outbound::replies_of(&app.store, id).await.unwrap();
        assert_eq!(replies[0].status, "delivered", "{engine:?}");
        assert_eq!(post_whatsapp(&app, whatsapp_status("wamid.HBgM0001", "read")).await, 200);
        assert_eq!(haven_store::feedback::outbound::replies_of(&app.store, id).await.unwrap()[0].status, "delivered");
        assert_eq!(
            post_whatsapp(&app, whatsapp_status("wamid.not-ours", "delivered")).await,
            200,
            "statuses of messages Haven did not send are acknowledged"
        );

        // Outside the 24-hour window WhatsApp refuses free text: failed for good, with its code.
        assert_eq!(post_whatsapp(&app, whatsapp_message("wamid.in-2", CLOSED_WINDOW, text)).await, 200);
        let (_, list) =
            get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback?channel=whatsapp"), Some(&agent)).await;
        let late = list["items"].as_array().unwrap().iter().find(|i| i["id"] != id.to_string()).unwrap().clone();
        let late_id = respond_with_reply(&app, &agent, late["reference"].as_str().unwrap(), "Jeudi").await;
        let pass = run_once(&state, later(1)).await.unwrap();
        assert_eq!((pass.replies_sent, pass.replies_failed), (0, 1), "{engine:?}");
        let replies = haven_store::feedback::outbound::replies_of(&app.store, late_id).await.unwrap();
        assert_eq!((replies[0].status.as_str(), replies[0].last_error.as_deref()), ("failed", Some("whatsapp-131047")));

        // An SMS item still goes by the SMS gateway.
        let params = twilio_params("SM-in-9", "The latrines in block D are not lit at night");
        let url = "https://haven.example.org/webhooks/sms/twilio";
        let signature = haven_web::feedback::webhooks::twilio_signature(TWILIO_TOKEN, url, &params);
        assert_eq!(post_twilio(&app, &params, &signature).await.0, 200);
        let (_, list) = get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback?channel=sms"), Some(&agent)).await;
        let sms_id = list["items"][0]["id"].as_str().unwrap().to_owned();
        let step = json!({"step": "respond", "public_response": "Lights go up on Friday", "send_reply": true});
        assert_eq!(post(&app, Some(&agent), &format!("/api/v1/feedback/{sms_id}/steps"), step).await.0, 200);
        // The fake Twilio refuses its first call; the second goes through.
        run_once(&state, later(2)).await.unwrap();
        run_once(&state, later(3)).await.unwrap();
        assert_eq!(twilio.calls.lock().unwrap().len(), 2, "{engine:?}");
        assert_eq!(graph.calls.lock().unwrap().len(), 2, "{engine:?}: nothing more went to WhatsApp");
    }
}

/// A WhatsApp message of `kind` (text or image) from `from`, sent `hours_ago`.
fn whatsapp_message_at(id: &str, from: &str, hours_ago: i64, kind: &str) -> Value {
    let at = (haven_store::now_utc() - Duration::hours(hours_ago)).unix_timestamp().to_string();
    let mut message = json!({"from": from, "id": id, "timestamp": at, "type": kind});
    message[kind] =
        if kind == "text" { json!({"body": "Où en est ma demande de bâche ?"}) } else { json!({"id": "media-1"}) };
    json!({"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_NUMBER_ID}, "messages": [message]})
}

/// Respond, with a reply to the person, to the WhatsApp item nobody has answered yet.
async fn respond_to_unanswered(app: &TestApp, agent: &str, answer: &str) {
    let (_, list) =
        get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback?channel=whatsapp&status=received"), Some(agent))
            .await;
    let reference = list["items"][0]["reference"].as_str().unwrap().to_owned();
    respond_with_reply(app, agent, &reference, answer).await;
}

#[tokio::test]
async fn whatsapp_replies_after_the_window_go_as_the_approved_template() {
    for engine in engines() {
        let (graph_url, graph) = start_graph().await;
        let mut config = haven_web::WebConfig::new(false, true);
        config.channels = haven_web::feedback::webhooks::ChannelSecrets {
            whatsapp_app_secret: Some(Secret::new(META_SECRET)),
            ..Default::default()
        };
        let template = WhatsappTemplate { name: "haven_reply".into(), language: "fr".into() };
        config.outbound = OutboundConfig {
            mail: None,
            sms: None,
            whatsapp: Some(WhatsappCloud {
                api_base: graph_url,
                phone_number_id: PHONE_NUMBER_ID.into(),
                access_token: Secret::new(GRAPH_TOKEN),
                template: Some(template),
            }),
            every: std::time::Duration::from_secs(3600),
        };
        let app = feedback_app_with(engine, true, config.clone()).await;
        let state = haven_web::AppState::new(app.store.clone(), config);
        let agent = token(&app, "agent", false).await;
        let sent = |i: usize| graph.calls.lock().unwrap()[i].1.clone();

        // Wrote an hour ago: free text.
        assert_eq!(post_whatsapp(&app, whatsapp_message_at("wamid.a", "254744000101", 1, "text")).await, 200);
        respond_to_unanswered(&app, &agent, "La bâche arrive jeudi").await;
        assert_eq!(run_once(&state, haven_store::now_utc()).await.unwrap().replies_sent, 1, "{engine:?}");
        assert_eq!((sent(0)["type"].as_str(), sent(0)["to"].as_str()), (Some("text"), Some("254744000101")));

        // Wrote 30 hours ago: the template, in its language, with the text as its one parameter.
        assert_eq!(post_whatsapp(&app, whatsapp_message_at("wamid.b", "254744000202", 30, "text")).await, 200);
        respond_to_unanswered(&app, &agent, "La bâche arrive jeudi.\n\nMerci   de votre patience").await;
        assert_eq!(run_once(&state, haven_store::now_utc()).await.unwrap().replies_sent, 1, "{engine:?}");
        let body = sent(1);
        assert_eq!((body["type"].as_str(), body["to"].as_str()), (Some("template"), Some("254744000202")));
        assert_eq!(body["template"]["name"], "haven_reply");
        assert_eq!(body["template"]["language"]["code"], "fr");
        let parameter = body["template"]["components"][0]["parameters"][0]["text"].as_str().unwrap();
        assert!(parameter.contains("La bâche arrive jeudi. Merci de votre patience"), "{parameter}");
        assert!(!parameter.contains('\n') && !parameter.contains("  "), "{parameter}");

        // A later message, even an image, opens the window again.
        assert_eq!(post_whatsapp(&app, whatsapp_message_at("wamid.b2", "254744000202", 0, "image")).await, 200);
        let pending =
            haven_store::feedback::whatsapp::last_inbound(&app.store, "+254744000202").await.unwrap().unwrap();
        assert!(haven_store::now_utc() - pending < Duration::minutes(1));

        // Haven thinks the window open, WhatsApp does not (131047): sent again at once as the template.
        assert_eq!(post_whatsapp(&app, whatsapp_message_at("wamid.c", CLOSED_WINDOW, 2, "text")).await, 200);
        respond_to_unanswered(&app, &agent, "Jeudi").await;
        let pass = run_once(&state, haven_store::now_utc()).await.unwrap();
        assert_eq!((pass.replies_sent, pass.replies_failed), (1, 0), "{engine:?}");
        let types: Vec<Value> = graph.calls.lock().unwrap()[2..].iter().map(|(_, b)| b["type"].clone()).collect();
        assert_eq!(types, [json!("text"), json!("template")]);

        // Senders are kept a day only.
        let erased_before = haven_store::feedback::whatsapp::last_inbound(&app.store, "+254744000101").await.unwrap();
        assert!(erased_before.is_some());
        haven_store::feedback::whatsapp::forget_before(&app.store, haven_store::now_utc()).await.unwrap();
        assert_eq!(haven_store::feedback::whatsapp::last_inbound(&app.store, "+254744000101").await.unwrap(), None);
    }
}

#[tokio::test]
async fn erasing_contact_details_gives_up_replies_not_sent_yet() {
    for engine in engines() {
        // A gateway nobody listens on: the reply waits for its next try.
        let mut config = haven_web::WebConfig::new(false, true);
        config.outbound = OutboundConfig {
            mail: None,
            sms: Some(twilio_at(format!("http://127.0.0.1:{}", free_port()))),
            whatsapp: None,
            every: std::time::Duration::from_secs(3600),
        };
        let app = feedback_app_with(engine, true, config.clone()).await;
        let state = haven_web::AppState::new(app.store.clone(), config);
        let agent = token(&app, "agent", false).await;
        let body = json!({"text": OPEN_TEXT, "channel": "hotline", "contact_phone": "+254722000444", "consent_to_contact": true});
        let (_, created) = post(&app, Some(&agent), "/api/v1/feedback", body).await;
        let id = created["id"].as_str().unwrap().to_owned();
        let steps = format!("/api/v1/feedback/{id}/steps");
        let step = json!({"step": "respond", "public_response": "Repaired on Monday", "send_reply": true});
        assert_eq!(post(&app, Some(&agent), &steps, step).await.0, 200);
        let pass = run_once(&state, haven_store::now_utc()).await.unwrap();
        assert_eq!((pass.replies_sent, pass.replies_failed), (0, 0), "{engine:?}: waiting for the gateway");
        assert_eq!(
            post(&app, Some(&agent), &steps, json!({"step": "close", "closure_reason": "withdrawn"})).await.0,
            200
        );
        let uuid = uuid::Uuid::parse_str(&id).unwrap();
        let long_ago = haven_store::now_utc() - Duration::days(200);
        haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query("UPDATE feedback SET closed_at = $1 WHERE id = $2").bind(long_ago).bind(uuid).execute(p).await.map(|_| ())
        })
        .unwrap();

        assert_eq!(haven_web::feedback::erase_contacts(&app.store).await.unwrap(), 1, "{engine:?}");
        type Kept = (String, Option<String>, Option<Vec<u8>>, Option<Vec<u8>>);
        let kept: Vec<Kept> = haven_store::on_pool!(&app.store.pool, p => {
            sqlx::query_as("SELECT status, last_error, recipient_enc, body_enc FROM feedback_outbox").fetch_all(p).await
        })
        .unwrap();
        assert_eq!(kept, vec![("failed".to_owned(), Some("contact-erased".to_owned()), None, None)], "{engine:?}");

        // Nothing is tried again, whenever the gateway comes back.
        let pass = run_once(&state, later(48)).await.unwrap();
        assert_eq!((pass.replies_sent, pass.replies_failed), (0, 0), "{engine:?}");
        let replies = haven_store::feedback::outbound::replies_of(&app.store, uuid).await.unwrap();
        assert_eq!((replies[0].status.as_str(), replies[0].attempts), ("failed", 1), "{engine:?}");
    }
}

#[tokio::test]
async fn a_report_naming_a_focal_point_goes_only_to_the_others() {
    for engine in engines() {
        let app = feedback_app(engine, true).await;
        let named = app.add_user_with("bdiallo", "Binta Diallo", None, &[Role::PseaFocalPoint]).await;
        let office = haven_store::sealing::unlock_with_password(
            &app.store,
            users::user_id_by_username(&app.store, "psea").await.unwrap(),
            PASSWORD,
        )
        .await
        .unwrap()
        .unwrap();
        haven_store::sealing::enrol(&app.store, &Actor::system("test"), &office, named, PASSWORD).await.unwrap();
        let agent = token(&app, "agent", false).await;
        let text = "The PSEA officer Binta Diallo asked for money to register my complaint";
        let (status, created) = post(
            &app,
            Some(&agent),
            "/api/v1/feedback",
            json!({"text": text, "channel": "helpdesk", "sensitive_type": "misconduct"}),
        )
        .await;
        assert_eq!(status, 201, "{engine:?}");
        let id = created["id"].as_str().unwrap();

        let other = token(&app, "psea", true).await;
        let theirs = token(&app, "bdiallo", true).await;
        let c = reqwest::Client::new();
        let (status, item) = get_json(&c, &app.url(&format!("/api/v1/feedback/{id}")), Some(&other)).await;
        assert_eq!(status, 200, "{engine:?}: {item}");
        let (status, _) = get_json(&c, &app.url(&format!("/api/v1/feedback/{id}")), Some(&theirs)).await;
        assert_eq!(status, 404, "{engine:?}: the focal point it names must not see it");
        let (_, list) = get_json(&c, &app.url("/api/v1/feedback"), Some(&theirs)).await;
        assert!(!list.to_string().contains(id), "{engine:?}: nor find it in a list");
        let step = json!({"step": "acknowledge"});
        let (status, _) = post(&app, Some(&theirs), &format!("/api/v1/feedback/{id}/steps"), step).await;
        assert_eq!(status, 404, "{engine:?}: nor act on it");

        let psea = users::user_id_by_username(&app.store, "psea").await.unwrap();
        let uuid = uuid::Uuid::parse_str(id).unwrap();
        assert!(notice_kinds(&app, psea).await.contains(&("feedback-sealed".to_owned(), Some(uuid))));
        assert!(notice_kinds(&app, named).await.iter().all(|(_, s)| *s != Some(uuid)), "{engine:?}");
        let _: Value = item;

        // By hand: the last focal point able to take it cannot be stood down; another can.
        let path = format!("/api/v1/feedback/{id}/stand-down");
        let (status, body) =
            post(&app, Some(&other), &path, json!({"username": "psea", "reason": "conflict-of-interest"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("last-focal-point")), "{engine:?}");
        let third = app.add_user_with("cokello", "Chris Okello", None, &[Role::PseaFocalPoint]).await;
        haven_store::sealing::enrol(&app.store, &Actor::system("test"), &office, third, PASSWORD).await.unwrap();
        let (status, body) =
            post(&app, Some(&other), &path, json!({"username": "agent", "reason": "conflict-of-interest"})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some("not-a-focal-point")), "{body}");
        let (status, _) = post(&app, Some(&other), &path, json!({"username": "cokello", "reason": "bored"})).await;
        assert_eq!(status, 422);
        let (status, _) =
            post(&app, Some(&agent), &path, json!({"username": "cokello", "reason": "conflict-of-interest"})).await;
        assert_eq!(status, 403, "only PSEA focal points stand others down");
        let (status, _) =
            post(&app, Some(&other), &path, json!({"username": "cokello", "reason": "conflict-of-interest"})).await;
        assert_eq!(status, 204, "{engine:?}");
        let (status, _) =
            get_json(&c, &app.url(&format!("/api/v1/feedback/{id}")), Some(&token(&app, "cokello", true).await)).await;
        assert_eq!(status, 404, "{engine:?}");
        let stood_down = haven_store::audit::list(&app.store.pool, Some("feedback.recused"), None, 10).await.unwrap();
        assert_eq!(stood_down.len(), 2, "both stand-downs are audited");
    }
}

#[tokio::test]
async fn two_senders_taking_due_mail_at_once_never_take_the_same_message() {
    for engine in engines() {
        let app = feedback_app(engine, false).await;
        let chief = app.add_user_with("chief", "Chief", Some("chief@example.org"), &[Role::ProjectManager]).await;
        for _ in 0..30 {
            haven_store::notifications::notify(&app.store, &[chief], "feedback-sealed", None).await.unwrap();
        }
        let now = haven_store::now_utc();
        let (a, b) = tokio::join!(
            haven_store::notifications::take_due_mail(&app.store, now, 20),
            haven_store::notifications::take_due_mail(&app.store, now, 20)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let mut ids: Vec<uuid::Uuid> = a.iter().chain(&b).map(|m| m.id).collect();
        assert_eq!(ids.len(), 30, "{engine:?}: every message taken once ({} + {})", a.len(), b.len());
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 30, "{engine:?}: no message taken twice");
        assert!(a.iter().chain(&b).all(|m| m.attempts == 1), "{engine:?}");
        let again = haven_store::notifications::take_due_mail(&app.store, now, 50).await.unwrap();
        assert!(again.is_empty(), "{engine:?}: held by their senders");
    }
}

#[tokio::test]
async fn with_only_whatsapp_configured_only_whatsapp_items_offer_a_reply() {
    for engine in engines() {
        let mut config = haven_web::WebConfig::new(false, true);
        config.channels = haven_web::feedback::webhooks::ChannelSecrets {
            whatsapp_app_secret: Some(Secret::new(META_SECRET)),
            ..Default::default()
        };
        config.outbound.whatsapp = Some(WhatsappCloud {
            api_base: format!("http://127.0.0.1:{}/v21.0", free_port()),
            phone_number_id: PHONE_NUMBER_ID.into(),
            access_token: Secret::new(GRAPH_TOKEN),
            template: None,
        });
        let app = feedback_app_with(engine, true, config).await;
        let agent = token(&app, "agent", false).await;
        let text = "Where do we collect the hygiene kits this month?";
        assert_eq!(post_whatsapp(&app, whatsapp_message("wamid.in-7", "254744000777", text)).await, 200);
        let body = json!({"text": OPEN_TEXT, "channel": "hotline", "contact_phone": "+254722000444", "consent_to_contact": true});
        let (_, by_phone) = post(&app, Some(&agent), "/api/v1/feedback", body).await;
        let (_, list) =
            get_json(&reqwest::Client::new(), &app.url("/api/v1/feedback?channel=whatsapp"), Some(&agent)).await;
        let by_whatsapp = list["items"][0]["id"].as_str().unwrap().to_owned();

        let c = signed_in(&app, "agent").await;
        let (_, page) = get_text(&c, &app.url(&format!("/feedback/items/{by_whatsapp}"))).await;
        assert!(page.contains("id=\"send_reply\""), "{engine:?}: a WhatsApp item can be answered on WhatsApp");
        let phone_id = by_phone["id"].as_str().unwrap();
        let (_, page) = get_text(&c, &app.url(&format!("/feedback/items/{phone_id}"))).await;
        assert!(!page.contains("id=\"send_reply\""), "{engine:?}: no SMS gateway, no SMS reply");
        let step = json!({"step": "respond", "public_response": "Fixed", "send_reply": true});
        let (status, body) = post(&app, Some(&agent), &format!("/api/v1/feedback/{phone_id}/steps"), step).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some("send_reply")), "{engine:?}: {body}");
    }
}
