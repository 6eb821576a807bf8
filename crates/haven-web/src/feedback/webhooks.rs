//! Messaging channels: Twilio SMS, a generic signed SMS gateway (RapidPro and others) and the
//! WhatsApp Cloud API. Each request is authenticated by its signature before anything is
//! read; a bad or missing signature gets 403 and stores nothing. A channel whose secret is not
//! configured is off (404), never open. A redelivered message (same message id) never
//! creates a second record.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use haven_core::feedback::{MessageStatus, RawSubmission};
use haven_core::secret::Secret;
use haven_store::crypto::{hex, unhex};
use haven_store::identity::constant_time_eq;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use time::OffsetDateTime;

use super::intake_at;
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;

/// The channels' secrets, from the config file or `HAVEN_*` environment variables.
#[derive(Debug, Clone, Default)]
pub struct ChannelSecrets {
    /// Haven's public base URL (e.g. `https://haven.example.org`), used to check Twilio
    /// signatures behind a proxy; without it, the request's own host is used.
    pub public_url: Option<String>,
    pub twilio_auth_token: Option<Secret>,
    /// Shared secret of `/webhooks/sms/generic` (`X-Haven-Signature`).
    pub sms_webhook_secret: Option<Secret>,
    /// The Meta app secret (`X-Hub-Signature-256`).
    pub whatsapp_app_secret: Option<Secret>,
    /// The token Meta echoes when verifying the webhook.
    pub whatsapp_verify_token: Option<Secret>,
}

fn configured(secret: &Option<Secret>) -> Option<&str> {
    secret.as_deref().filter(|s| !s.is_empty())
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).expect("HMAC key");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Twilio's signature: HMAC-SHA1 (auth token) over the URL followed by every POST parameter
/// name and value, sorted by name, Base64-encoded.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut data = url.to_owned();
    for (name, value) in sorted {
        data.push_str(name);
        data.push_str(value);
    }
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(auth_token.as_bytes()).expect("HMAC key");
    mac.update(data.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// The URLs Twilio may have signed: the public URL (or the request's own), with and without
/// the default port, as Twilio's own libraries accept.
fn signed_url_candidates(public_url: Option<&str>, headers: &HeaderMap, path_and_query: &str) -> Vec<String> {
    let base = match public_url {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            format!("http://{host}")
        }
    };
    let mut out = vec![format!("{base}{path_and_query}")];
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base.as_str()));
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    match rest.strip_suffix(default_port) {
        Some(without) => out.push(format!("{scheme}://{without}{path_and_query}")),
        None if !rest.contains(':') => out.push(format!("{scheme}://{rest}{default_port}{path_and_query}")),
        None => {}
    }
    out
}

/// The JSON body of a webhook signed `sha256=<hex HMAC-SHA256 of the body>` in `header`: 404
/// when the channel's secret is not configured, 403 when the signature does not verify (`what`
/// names the webhook in the log), 400 when the body is not the expected JSON.
fn signed_json<T: serde::de::DeserializeOwned>(
    secret: &Option<Secret>,
    header: &str,
    headers: &HeaderMap,
    body: &[u8],
    what: &str,
) -> Result<T, WebError> {
    let secret = configured(secret).ok_or(WebError::NotFound)?;
    if !verify_sha256_header(headers, header, secret, body) {
        tracing::info!(webhook = what, "signature does not verify");
        return Err(WebError::Forbidden);
    }
    serde_json::from_slice(body).map_err(|_| WebError::BadRequest { code: "unprocessable", field: None })
}

/// A language for the automatic reply, from the script of the message.
fn reply_language(text: &str) -> Lang {
    if text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) { Lang("ar") } else { Lang::default() }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The parameters of a form post Twilio signed; 404 when Twilio is not configured, 403 when
/// the signature does not verify.
fn twilio_form(
    state: &AppState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, WebError> {
    let Some(token) = configured(&state.config.channels.twilio_auth_token) else {
        return Err(WebError::NotFound);
    };
    let params: Vec<(String, String)> =
        form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if !twilio_signed(state, token, uri, headers, &params) {
        return Err(WebError::Forbidden);
    }
    Ok(params)
}

/// Whether Twilio signed this request with the account's auth token.
fn twilio_signed(
    state: &AppState,
    token: &str,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> bool {
    let Some(sent) = headers.get("x-twilio-signature").and_then(|v| v.to_str().ok()) else { return false };
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or(uri.path());
    let urls = signed_url_candidates(state.config.channels.public_url.as_deref(), headers, path_and_query);
    let verified =
        urls.iter().any(|url| constant_time_eq(twilio_signature(token, url, params).as_bytes(), sent.as_bytes()));
    if !verified {
        tracing::info!(path = uri.path(), "twilio webhook: signature does not verify");
    }
    verified
}

/// `POST /webhooks/sms/twilio/status`: Twilio's delivery report for a reply Haven sent.
pub async fn twilio_status(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let params = twilio_form(&state, &uri, &headers, &body)?;
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    delivery_report(&state, get("MessageSid"), get("MessageStatus")).await
}

#[derive(Deserialize)]
pub struct GatewayReport {
    id: Option<String>,
    status: Option<String>,
}

/// `POST /webhooks/sms/generic/status`: JSON `{"id","status"}` (the id the gateway answered
/// with when it took the message), signed like inbound messages.
pub async fn generic_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let secret = &state.config.channels.sms_webhook_secret;
    let report: GatewayReport = signed_json(secret, "x-haven-signature", &headers, &body, "sms status")?;
    delivery_report(&state, report.id.as_deref(), report.status.as_deref()).await
}

/// Apply a delivery report: 204 when applied or already past, 404 for a message Haven did not
/// send, 422 when a field is missing or unknown.
async fn delivery_report(state: &AppState, id: Option<&str>, status: Option<&str>) -> Result<Response, WebError> {
    let id = id.map(str::trim).filter(|i| !i.is_empty()).ok_or(WebError::Invalid(vec![("id", "required")]))?;
    let status =
        status.and_then(MessageStatus::from_report).ok_or(WebError::Invalid(vec![("status", "unknown-code")]))?;
    match haven_store::feedback::outbound::delivery_report(&state.store, id, status).await? {
        true => Ok(StatusCode::NO_CONTENT.into_response()),
        false => Err(WebError::NotFound),
    }
}

/// `POST /webhooks/sms/twilio`: an SMS (or WhatsApp through Twilio) as a Twilio form post.
/// Answers with TwiML carrying the reference code, in neutral words.
pub async fn twilio(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let params = twilio_form(&state, &uri, &headers, &body)?;
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (Some(sid), Some(text)) = (get("MessageSid").or_else(|| get("SmsSid")), get("Body")) else {
        return Err(WebError::BadRequest { code: "invalid", field: Some("MessageSid") });
    };
    let from = get("From").unwrap_or_default();
    let (channel, phone) = match from.strip_prefix("whatsapp:") {
        Some(number) => ("whatsapp", number.to_owned()),
        None => ("sms", from),
    };
    let raw = message_submission(channel, text.clone(), &phone);
    let recorded = intake_at(&state, raw, Some(&sid), None, None).await?;
    let message = reply_language(&text).t1("feedback-sms-ack", "reference", &recorded.reference);
    let twiml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{}</Message></Response>",
        xml_escape(&message)
    );
    Ok(([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], twiml).into_response())
}

/// A message as a submission: the sender's number is kept as its contact, since answering
/// on the channel the person used is why they wrote.
fn message_submission(channel: &str, text: String, phone: &str) -> RawSubmission {
    let phone = Some(phone.trim().to_owned()).filter(|p| !p.is_empty());
    RawSubmission {
        text: Some(text),
        channel: Some(channel.to_owned()),
        consent_to_contact: Some(phone.is_some()),
        contact_phone: phone,
        ..Default::default()
    }
}

#[derive(Deserialize)]
pub struct GatewayMessage {
    id: Option<String>,
    from: Option<String>,
    text: Option<String>,
    received_at: Option<String>,
}

fn verify_sha256_header(headers: &HeaderMap, name: &str, secret: &str, body: &[u8]) -> bool {
    let Some(sent) = headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("sha256=")) else {
        return false;
    };
    let Some(sent) = unhex(sent.trim()) else { return false };
    constant_time_eq(&sent, &hmac_sha256(secret.as_bytes(), body))
}

/// `POST /webhooks/sms/generic`: JSON `{"id","from","text","received_at"}` from RapidPro or
/// another gateway, signed `X-Haven-Signature: sha256=<hex HMAC-SHA256 of the body>`.
pub async fn generic_sms(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, WebError> {
    let secret = &state.config.channels.sms_webhook_secret;
    let message: GatewayMessage = signed_json(secret, "x-haven-signature", &headers, &body, "sms")?;
    let id = message.id.filter(|i| !i.trim().is_empty()).ok_or(WebError::Invalid(vec![("id", "required")]))?;
    let received_at = match message.received_at.as_deref().map(parse_time) {
        None => None,
        Some(Some(t)) => Some(t),
        Some(None) => return Err(WebError::Invalid(vec![("received_at", "invalid-time")])),
    };
    let raw = message_submission("sms", message.text.unwrap_or_default(), message.from.as_deref().unwrap_or(""));
    let r = intake_at(&state, raw, Some(&id), None, received_at).await?;
    let status = if r.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(super::api::Created { id: r.id, reference: r.reference })).into_response())
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).ok()
}

#[derive(Deserialize)]
pub struct Verification {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// `GET /webhooks/whatsapp`: Meta's verification: echo the challenge when the token matches.
pub async fn whatsapp_verify(
    State(state): State<AppState>,
    Query(q): Query<Verification>,
) -> Result<Response, WebError> {
    let expected = configured(&state.config.channels.whatsapp_verify_token).ok_or(WebError::NotFound)?;
    let token_ok = q.verify_token.as_deref().is_some_and(|t| constant_time_eq(t.as_bytes(), expected.as_bytes()));
    match (q.mode.as_deref(), q.challenge) {
        (Some("subscribe"), Some(challenge)) if token_ok => {
            Ok(([(header::CONTENT_TYPE, "text/plain")], challenge).into_response())
        }
        _ => Err(WebError::Forbidden),
    }
}

#[derive(Deserialize)]
struct WhatsappEvent {
    #[serde(default)]
    entry: Vec<WhatsappEntry>,
}

#[derive(Deserialize)]
struct WhatsappEntry {
    #[serde(default)]
    changes: Vec<WhatsappChange>,
}

#[derive(Deserialize)]
struct WhatsappChange {
    value: Option<WhatsappValue>,
}

#[derive(Deserialize)]
struct WhatsappValue {
    #[serde(default)]
    messages: Vec<WhatsappMessage>,
    /// What became of messages Haven sent: `sent`, `delivered`, `read`, `failed`.
    #[serde(default)]
    statuses: Vec<WhatsappStatus>,
}

#[derive(Deserialize)]
struct WhatsappStatus {
    /// The `wamid.…` the send returned.
    id: String,
    status: String,
}

#[derive(Deserialize)]
struct WhatsappMessage {
    id: String,
    from: String,
    timestamp: Option<String>,
    text: Option<WhatsappText>,
}

#[derive(Deserialize)]
struct WhatsappText {
    body: String,
}

/// `POST /webhooks/whatsapp`: WhatsApp Cloud API events, signed `X-Hub-Signature-256`. Text
/// messages are recorded; the statuses of replies Haven sent are applied to them; other
/// message types, and statuses of messages Haven did not send, are acknowledged.
pub async fn whatsapp(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, WebError> {
    let channels = &state.config.channels;
    let event: WhatsappEvent =
        signed_json(&channels.whatsapp_app_secret, "x-hub-signature-256", &headers, &body, "whatsapp")?;
    let values: Vec<WhatsappValue> = event.entry.into_iter().flat_map(|e| e.changes).filter_map(|c| c.value).collect();
    for status in values.iter().flat_map(|v| &v.statuses) {
        // Meta sends the statuses of every message of the number: those Haven did not send
        // are not its own, and are acknowledged all the same.
        if let Some(report) = MessageStatus::from_report(&status.status) {
            haven_store::feedback::outbound::delivery_report(&state.store, &status.id, report).await?;
        }
    }
    for m in values.into_iter().flat_map(|v| v.messages) {
        let received_at =
            m.timestamp.and_then(|t| t.parse::<i64>().ok()).and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok());
        let phone = format!("+{}", m.from.trim_start_matches('+'));
        // Any message, text or not, opens WhatsApp's 24-hour window for a free-text reply.
        let now = haven_store::now_utc();
        let sent_at = received_at.filter(|t| *t <= now).unwrap_or(now);
        haven_store::feedback::whatsapp::note_inbound(&state.store, &phone, sent_at).await?;
        let Some(text) = m.text else { continue };
        let raw = message_submission("whatsapp", text.body, &phone);
        intake_at(&state, raw, Some(&m.id), None, received_at).await?;
    }
    Ok(StatusCode::OK.into_response())
}

/// The signature a generic gateway sends, for its configuration and for tests.
pub fn gateway_signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_signature_matches_twilios_published_example() {
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(twilio_signature("12345", url, &params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    }

    #[test]
    fn signed_urls_with_and_without_the_default_port() {
        let h = HeaderMap::new();
        let urls = signed_url_candidates(Some("https://haven.example.org/"), &h, "/webhooks/sms/twilio");
        assert_eq!(
            urls,
            vec!["https://haven.example.org/webhooks/sms/twilio", "https://haven.example.org:443/webhooks/sms/twilio"]
        );
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().expect("header"));
        assert_eq!(signed_url_candidates(None, &h, "/x?a=1"), vec!["http://127.0.0.1:8080/x?a=1"]);
    }

    #[test]
    fn gateway_signatures_are_checked_over_the_raw_body() {
        let body = br#"{"id":"1","from":"+1","text":"hi"}"#;
        let mut h = HeaderMap::new();
        h.insert("x-haven-signature", gateway_signature("s3cret", body).parse().expect("header"));
        assert!(verify_sha256_header(&h, "x-haven-signature", "s3cret", body));
        assert!(!verify_sha256_header(&h, "x-haven-signature", "other", body));
        assert!(!verify_sha256_header(&h, "x-haven-signature", "s3cret", b"{}"));
    }
}
