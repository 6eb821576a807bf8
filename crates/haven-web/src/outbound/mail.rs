//! Notification e-mail over SMTP. A message says what happened and links to it; it never
//! carries the content of an item.

use haven_core::secret::Secret;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

use crate::i18n::Lang;

/// Where and as whom to send.
#[derive(Clone)]
pub struct MailConfig {
    /// `smtp://user:password@host:587?tls=required`, `smtps://host` or `smtp://host:25`.
    pub url: Secret,
    pub from: Mailbox,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig").field("from", &self.from).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the SMTP URL is not valid: {0}")]
    Url(String),
    #[error("the sender address is not valid: {0}")]
    From(String),
    /// `permanent`: the server refused the message itself; trying again will not help.
    #[error("the SMTP server did not take the message ({code})")]
    Send { code: String, permanent: bool },
}

impl MailConfig {
    pub fn new(url: Secret, from: &str) -> Result<MailConfig, MailError> {
        let from = from.parse::<Mailbox>().map_err(|e| MailError::From(e.to_string()))?;
        Mailer::transport(&url)?;
        Ok(MailConfig { url, from })
    }
}

/// A connection pool to the SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
        Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build())
    }

    pub fn new(config: &MailConfig) -> Result<Mailer, MailError> {
        Ok(Mailer { transport: Mailer::transport(&config.url)?, from: config.from.clone() })
    }

    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let to = to.parse::<Mailbox>().map_err(|_| MailError::Send { code: "bad-address".into(), permanent: true })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|_| MailError::Send { code: "unbuildable".into(), permanent: true })?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| MailError::Send {
            code: e.status().map_or_else(|| "unreachable".to_owned(), |c| c.to_string()),
            permanent: e.is_permanent(),
        })
    }
}

/// Subject and body of a notice in the recipient's language; a link to the item when the
/// notice concerns one and Haven's public address is known.
pub fn compose(
    l: Lang,
    kind: &str,
    subject: Option<uuid::Uuid>,
    when: time::OffsetDateTime,
    base: Option<&str>,
) -> (String, String) {
    let title = l.t(&format!("mail-subject-{kind}"));
    let mut body = l.t1(&format!("notice-{kind}"), "when", l.datetime(when));
    if let (Some(id), Some(base)) = (subject.filter(|_| kind.starts_with("feedback-")), base) {
        body.push_str("\n\n");
        body.push_str(&format!("{}/feedback/items/{id}", base.trim_end_matches('/')));
    }
    body.push_str("\n\n");
    body.push_str(&l.t("mail-footer"));
    (format!("[Haven] {title}"), body)
}
