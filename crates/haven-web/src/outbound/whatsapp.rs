//! Replies to people through WhatsApp's own Cloud API (Meta's Graph API): one message per
//! reply, `POST {api_base}/{phone-number-id}/messages` with the business's bearer token. Free
//! text within 24 hours of the person's last message; after that, WhatsApp takes only an
//! approved template, so the reply goes as the configured template with its text as the one
//! body parameter.
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
    /// The approved template for replies outside the 24-hour window; without one, such
    /// replies are tried as free text (and WhatsApp refuses them with 131047).
    pub template: Option<WhatsappTemplate>,
}

/// An approved message template whose body has one parameter, `{{1}}`: the reply's text
/// (for example "An answer to your message: {{1}}").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsappTemplate {
    pub name: String,
    /// The language it was approved in, as WhatsApp codes them (`en`, `fr`, `ar`, `en_US`...).
    pub language: String,
}

/// WhatsApp's customer-service window: free text only this long after the person's last message.
pub const WINDOW: time::Duration = time::Duration::hours(24);

/// Whether a reply at `now` needs a template: the person's last message is unknown or older
/// than the window, with a few minutes' margin for the message on its way.
pub fn needs_template(last_inbound: Option<time::OffsetDateTime>, now: time::OffsetDateTime) -> bool {
    last_inbound.is_none_or(|at| now - at >= WINDOW - time::Duration::minutes(5))
}

/// Template parameters may not hold line breaks, tabs or runs of spaces: words joined by one space.
fn template_parameter(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
    /// Hand one reply to WhatsApp, as free text or, when `last_inbound` is more than a day
    /// before `now`, as the template (also when WhatsApp refuses the text as outside the
    /// window); returns the message id (`wamid.…`) its statuses carry.
    pub async fn send(
        &self,
        http: &reqwest::Client,
        reply: &Reply,
        last_inbound: Option<time::OffsetDateTime>,
        now: time::OffsetDateTime,
    ) -> Result<String, SendFailure> {
        let template = self.template.as_ref();
        match template.filter(|_| needs_template(last_inbound, now)) {
            Some(t) => self.post(http, &self.template_message(reply, t)).await,
            None => match (self.post(http, &self.text_message(reply)).await, template) {
                (Err(f), Some(t)) if f.code == "whatsapp-131047" => {
                    self.post(http, &self.template_message(reply, t)).await
                }
                (outcome, _) => outcome,
            },
        }
    }

    fn text_message(&self, reply: &Reply) -> serde_json::Value {
        serde_json::json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            // WhatsApp ids are the number in international form without the plus.
            "to": reply.to.trim().trim_start_matches('+'),
            "type": "text",
            "text": {"preview_url": false, "body": reply.text},
        })
    }

    fn template_message(&self, reply: &Reply, template: &WhatsappTemplate) -> serde_json::Value {
        serde_json::json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": reply.to.trim().trim_start_matches('+'),
            "type": "template",
            "template": {
                "name": template.name,
                "language": {"code": template.language},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": template_parameter(&reply.text)}]}],
            },
        })
    }

    async fn post(&self, http: &reqwest::Client, body: &serde_json::Value) -> Result<String, SendFailure> {
        let url = format!("{}/{}/messages", self.api_base.trim_end_matches('/'), self.phone_number_id);
        let response = http
            .post(url)
            .bearer_auth(&*self.access_token)
            .json(body)
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_template_is_needed_outside_the_window_or_without_a_known_message() {
        let now = datetime!(2026-12-02 12:00 UTC);
        assert!(needs_template(None, now));
        assert!(!needs_template(Some(now - time::Duration::hours(23)), now));
        assert!(needs_template(Some(now - time::Duration::hours(24)), now));
        assert!(needs_template(Some(now - time::Duration::minutes(24 * 60 - 4)), now), "a margin before the end");
    }

    #[test]
    fn template_parameters_hold_no_line_breaks_or_runs_of_spaces() {
        assert_eq!(template_parameter("Les couvertures\n\narrivent     jeudi\t "), "Les couvertures arrivent jeudi");
    }
}
