//! Replies to people through a messaging gateway: Twilio's REST API, or any gateway that
//! takes a signed JSON post (RapidPro and others). Both report delivery back to a webhook.

use base64::Engine as _;
use haven_core::secret::Secret;
use haven_store::feedback::outbound::Reply;
use serde::Deserialize;

use crate::feedback::webhooks::gateway_signature;

/// The configured gateway.
#[derive(Clone)]
pub enum SmsGateway {
    Twilio {
        /// `https://api.twilio.com` (another base only for tests against a local server).
        api_base: String,
        account_sid: String,
        auth_token: Secret,
        /// The sending number or messaging service id (`MG…`).
        from: String,
    },
    Generic {
        url: String,
        secret: Secret,
    },
}

impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SmsGateway::Twilio { .. } => "SmsGateway::Twilio(..)",
            SmsGateway::Generic { .. } => "SmsGateway::Generic(..)",
        })
    }
}

/// Why a try failed; `retry` when trying later may work.
#[derive(Debug, Clone)]
pub struct SendFailure {
    pub code: String,
    pub retry: bool,
}

impl SendFailure {
    pub(crate) fn from_status(status: reqwest::StatusCode) -> SendFailure {
        SendFailure {
            code: format!("http-{}", status.as_u16()),
            retry: status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS,
        }
    }

    pub(crate) fn unreachable() -> SendFailure {
        SendFailure { code: "unreachable".into(), retry: true }
    }

    /// The gateway said yes in a shape Haven does not understand: worth another try.
    pub(crate) fn bad_answer() -> SendFailure {
        SendFailure { code: "bad-answer".into(), retry: true }
    }
}

#[derive(Deserialize)]
struct TwilioMessage {
    sid: String,
}

#[derive(Deserialize)]
struct GenericAnswer {
    id: Option<String>,
}

impl SmsGateway {
    /// Hand one reply to the gateway; returns the gateway's id for the message, which its
    /// delivery reports will carry. `callback` is where those reports go (absent when
    /// Haven's public address is unknown).
    pub async fn send(
        &self,
        http: &reqwest::Client,
        outbox_id: uuid::Uuid,
        reply: &Reply,
        callback: Option<String>,
    ) -> Result<String, SendFailure> {
        match self {
            SmsGateway::Twilio { api_base, account_sid, auth_token, from } => {
                let url = format!("{}/2010-04-01/Accounts/{account_sid}/Messages.json", api_base.trim_end_matches('/'));
                let to = match reply.channel {
                    haven_core::feedback::Channel::Whatsapp => format!("whatsapp:{}", reply.to),
                    _ => reply.to.clone(),
                };
                let sender = if from.starts_with("MG") { "MessagingServiceSid" } else { "From" };
                let mut form = vec![("To", to), (sender, from.clone()), ("Body", reply.text.clone())];
                if let Some(cb) = callback {
                    form.push(("StatusCallback", cb));
                }
                let auth = base64::engine::general_purpose::STANDARD.encode(format!("{account_sid}:{}", &**auth_token));
                let response = http
                    .post(url)
                    .header(reqwest::header::AUTHORIZATION, format!("Basic {auth}"))
                    .form(&form)
                    .send()
                    .await
                    .map_err(|_| SendFailure::unreachable())?;
                if !response.status().is_success() {
                    return Err(SendFailure::from_status(response.status()));
                }
                let message: TwilioMessage = response.json().await.map_err(|_| SendFailure::bad_answer())?;
                Ok(message.sid)
            }
            SmsGateway::Generic { url, secret } => {
                let body = serde_json::json!({
                    "id": outbox_id.to_string(),
                    "to": reply.to,
                    "text": reply.text,
                    "channel": reply.channel.code(),
                    "status_callback": callback,
                })
                .to_string();
                let response = http
                    .post(url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header("x-haven-signature", gateway_signature(secret, body.as_bytes()))
                    .body(body)
                    .send()
                    .await
                    .map_err(|_| SendFailure::unreachable())?;
                if !response.status().is_success() {
                    return Err(SendFailure::from_status(response.status()));
                }
                let answer: Option<GenericAnswer> = response.json().await.ok();
                Ok(answer.and_then(|a| a.id).filter(|i| !i.is_empty()).unwrap_or_else(|| outbox_id.to_string()))
            }
        }
    }

    /// The path of the webhook that takes this gateway's delivery reports.
    pub fn report_path(&self) -> &'static str {
        match self {
            SmsGateway::Twilio { .. } => "/webhooks/sms/twilio/status",
            SmsGateway::Generic { .. } => "/webhooks/sms/generic/status",
        }
    }
}
