//! Replies to people through WhatsApp's own Cloud API (Meta's Graph API): one text message
//! per reply, `POST {api_base}/{phone-number-id}/messages` with the business's bearer token.
//! Delivery statuses come back on the signed `/webhooks/whatsapp` as `statuses` events,
//! under the message id the send returned.

use haven_core::secret::Secret;
use haven_store::feedback::outbound::Reply;
use serde::Deserialize;

use super::sms::SendFailure;

/// The Graph API version Haven speaks, in the default base URL.
pub const DEFAULT_API_BASE: &str = "https://graph.facebook.com/v21.0";

/// The configured WhatsApp Business sender.
#[derive(Clone)]
pub struct WhatsappCloud {
    /// `https://graph.facebook.com/v21.0` (another base only for tests against a local server).
    pub api_base: String,
    /// The id of the business phone number that sends (not the number itself).
    pub phone_number_id: String,
    /// A system user's access token with the `whatsapp_business_messaging` permission.
    pub access_token: Secret,
}

impl std::fmt::Debug for WhatsappCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsappCloud").field("phone_number_id", &self.phone_number_id).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Sent {
    #[serde(default)]
    messages: Vec<SentMessage>,
}

#[derive(Deserialize)]
struct SentMessage {
    id: String,
}

#[derive(Deserialize)]
struct Refusal {
    error: Option<GraphError>,
}

#[derive(Deserialize)]
struct GraphError {
    code: Option<i64>,
}

/// Graph error codes worth another try later: throttling and temporary unavailability.
const RETRIED_CODES: [i64; 5] = [1, 2, 4, 80007, 130429];

impl WhatsappCloud {
    /// Hand one reply to WhatsApp; returns the message id (`wamid.…`) its statuses carry.
    pub async fn send(&self, http: &reqwest::Client, reply: &Reply) -> Result<String, SendFailure> {
        let url = format!("{}/{}/messages", self.api_base.trim_end_matches('/'), self.phone_number_id);
        let body = serde_json::json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            // WhatsApp ids are the number in international form without the plus.
            "to": reply.to.trim().trim_start_matches('+'),
            "type": "text",
            "text": {"preview_url": false, "body": reply.text},
        });
        let response = http
            .post(url)
            .bearer_auth(&*self.access_token)
            .json(&body)
            .send()
            .await
            .map_err(|_| SendFailure::unreachable())?;
        let status = response.status();
        if !status.is_success() {
            let code = response.json::<Refusal>().await.ok().and_then(|r| r.error).and_then(|e| e.code);
            return Err(match code {
                Some(code) => SendFailure {
                    code: format!("whatsapp-{code}"),
                    retry: status.is_server_error() || RETRIED_CODES.contains(&code),
                },
                None => SendFailure::from_status(status),
            });
        }
        let sent: Sent = response.json().await.map_err(|_| SendFailure::bad_answer())?;
        sent.messages.into_iter().next().map(|m| m.id).filter(|id| !id.is_empty()).ok_or_else(SendFailure::bad_answer)
    }
}
