//! Work that leaves the server on its own schedule: escalation of missed deadlines, the
//! notification e-mail, and replies to people through a messaging gateway. One loop runs it
//! every `every`; tests call [`run_once`].

pub mod mail;
pub mod sms;
pub mod whatsapp;

use std::time::Duration;

use haven_core::authz::Role;
use haven_core::feedback::{Channel, retry_delay};
use haven_store::feedback::outbound::{self as store, Overdue, PendingReply, SendOutcome};
use haven_store::notifications::{self, PendingMail};
use haven_store::{StoreError, now_utc};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::AppState;
use crate::i18n::Lang;

/// What goes out, and how often the loop looks.
#[derive(Debug, Clone)]
pub struct OutboundConfig {
    pub mail: Option<mail::MailConfig>,
    pub sms: Option<sms::SmsGateway>,
    /// WhatsApp's own Cloud API, for replies to items that came by WhatsApp.
    pub whatsapp: Option<whatsapp::WhatsappCloud>,
    pub every: Duration,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        OutboundConfig { mail: None, sms: None, whatsapp: None, every: Duration::from_secs(60) }
    }
}

/// The gateway that carries a reply.
#[derive(Debug, Clone, Copy)]
pub enum Route<'a> {
    Sms(&'a sms::SmsGateway),
    Whatsapp(&'a whatsapp::WhatsappCloud),
}

impl OutboundConfig {
    /// Where a reply on `channel` goes: WhatsApp's own API for a WhatsApp reply when it is
    /// configured, else the SMS gateway (Twilio and generic gateways carry WhatsApp too).
    pub fn route(&self, channel: Channel) -> Option<Route<'_>> {
        match (channel, &self.whatsapp, &self.sms) {
            (Channel::Whatsapp, Some(cloud), _) => Some(Route::Whatsapp(cloud)),
            (_, _, Some(gateway)) => Some(Route::Sms(gateway)),
            _ => None,
        }
    }

    /// The reply channels some gateway carries.
    fn routed_channels(&self) -> Vec<Channel> {
        [Channel::Sms, Channel::Whatsapp].into_iter().filter(|c| self.route(*c).is_some()).collect()
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub escalated: usize,
    pub mails_sent: usize,
    pub mails_failed: usize,
    pub replies_sent: usize,
    pub replies_failed: usize,
}

/// The senders, made once from the configuration.
#[derive(Clone)]
pub struct Senders {
    mailer: Option<mail::Mailer>,
    http: reqwest::Client,
}

impl Senders {
    pub fn new(config: &OutboundConfig) -> Senders {
        let mailer = config.mail.as_ref().and_then(|m| match mail::Mailer::new(m) {
            Ok(mailer) => Some(mailer),
            Err(e) => {
                tracing::error!(error = %e, "notification e-mail is off");
                None
            }
        });
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Senders { mailer, http }
    }
}

/// Run forever, a pass every `every`; errors are logged (without personal data) and the
/// next pass tries again.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(state.config.outbound.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = run_once(&state, now_utc()).await {
            tracing::warn!(error = %e, "outbound pass failed");
        }
    }
}

/// One pass: escalate what became overdue, then send what is due.
pub async fn run_once(state: &AppState, now: OffsetDateTime) -> Result<Pass, StoreError> {
    let mut pass = Pass { escalated: escalate(state, now).await?, ..Pass::default() };
    (pass.mails_sent, pass.mails_failed) = send_mail(state, now).await?;
    (pass.replies_sent, pass.replies_failed) = send_replies(state, now).await?;
    Ok(pass)
}

/// Escalate every newly missed deadline to the people responsible.
async fn escalate(state: &AppState, now: OffsetDateTime) -> Result<usize, StoreError> {
    let mut count = 0;
    for item in store::overdue(&state.store, now, 500).await? {
        if !store::record_escalation(&state.store, &item, now).await? {
            continue;
        }
        count += 1;
        let kind = format!("feedback-overdue-{}", item.deadline.code());
        let (handlers, targets) = responsible(state, &item).await?;
        notifications::notify(&state.store, &handlers, &kind, Some(item.id)).await?;
        if item.sealed {
            // Targets outside the PSEA office learn that a sealed report is late, not which.
            notifications::notify(&state.store, &targets, "feedback-sealed-overdue", None).await?;
        } else {
            notifications::notify(&state.store, &targets, &kind, Some(item.id)).await?;
        }
    }
    Ok(count)
}

/// Who hears of an overdue item: those who handle it (its assignee; for sealed items the
/// PSEA focal points not stood down from it), and the organisation's escalation targets.
async fn responsible(state: &AppState, item: &Overdue) -> Result<(Vec<Uuid>, Vec<Uuid>), StoreError> {
    let recused = if item.sealed { store::recused(&state.store, item.id).await? } else { Vec::new() };
    let handlers = match (item.sealed, item.assigned_to) {
        (true, _) => haven_store::identity::holders_of(&state.store, Role::PseaFocalPoint).await?,
        (false, Some(assignee)) => vec![assignee],
        (false, None) => Vec::new(),
    };
    let mut targets = store::targets_for(&state.store, item.agency_id).await?;
    targets.retain(|t| !handlers.contains(t));
    let stood_down = |u: &Uuid| recused.contains(u);
    Ok((
        handlers.into_iter().filter(|u| !stood_down(u)).collect(),
        targets.into_iter().filter(|u| !stood_down(u)).collect(),
    ))
}

/// Send the e-mail that is due; returns (sent, failed for good).
async fn send_mail(state: &AppState, now: OffsetDateTime) -> Result<(usize, usize), StoreError> {
    let Some(mailer) = &state.senders.mailer else { return Ok((0, 0)) };
    let (mut sent, mut failed) = (0, 0);
    for mail in notifications::take_due_mail(&state.store, now, 100).await? {
        match send_one_mail(state, mailer, &mail).await? {
            Ok(()) => {
                notifications::mail_outcome(&state.store, mail.id, now_utc(), None, None).await?;
                sent += 1;
            }
            Err(e) => {
                let (code, permanent) = match &e {
                    mail::MailError::Send { code, permanent } => (code.clone(), *permanent),
                    other => (other.to_string(), true),
                };
                let retry_at = if permanent { None } else { retry_delay(mail.attempts).map(|d| now_utc() + d) };
                failed += usize::from(retry_at.is_none());
                tracing::info!(code, attempts = mail.attempts, "notification e-mail not sent");
                notifications::mail_outcome(&state.store, mail.id, now_utc(), Some(&code), retry_at).await?;
            }
        }
    }
    Ok((sent, failed))
}

async fn send_one_mail(
    state: &AppState,
    mailer: &mail::Mailer,
    mail: &PendingMail,
) -> Result<Result<(), mail::MailError>, StoreError> {
    let Some((address, lang)) = haven_store::identity::mail_recipient(&state.store, mail.user_id).await? else {
        return Ok(Err(mail::MailError::Send { code: "no-address".into(), permanent: true }));
    };
    let l = lang.as_deref().and_then(Lang::from_code).unwrap_or_default();
    let base = state.config.channels.public_url.as_deref();
    let (subject, body) = mail::compose(l, &mail.kind, mail.subject_id, now_utc(), base);
    Ok(mailer.send(&address, &subject, body).await)
}

/// Hand the replies that are due to their gateways; returns (sent, failed for good).
async fn send_replies(state: &AppState, now: OffsetDateTime) -> Result<(usize, usize), StoreError> {
    let outbound = &state.config.outbound;
    let (mut sent, mut failed) = (0, 0);
    for pending in store::take_due_replies(&state.store, now, 100, &outbound.routed_channels()).await? {
        let Some(route) = outbound.route(pending.channel) else { continue };
        // WhatsApp: free text or a template, by when the person last wrote.
        let last_inbound = match route {
            Route::Whatsapp(_) => {
                haven_store::feedback::whatsapp::last_inbound(&state.store, &pending.reply.to).await?
            }
            Route::Sms(_) => None,
        };
        let outcome = match send_reply(state, route, &pending, last_inbound, now).await {
            Ok(provider_id) => {
                sent += 1;
                SendOutcome::Sent { provider_id: Some(provider_id) }
            }
            Err(f) => match retry_delay(pending.attempts).filter(|_| f.retry) {
                Some(delay) => SendOutcome::Retry { error: f.code, at: now_utc() + delay },
                None => {
                    failed += 1;
                    SendOutcome::Failed { error: f.code }
                }
            },
        };
        store::reply_outcome(&state.store, pending.id, &outcome).await?;
    }
    Ok((sent, failed))
}

/// One try of one reply; the gateway's id for it when taken.
async fn send_reply(
    state: &AppState,
    route: Route<'_>,
    pending: &PendingReply,
    last_inbound: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<String, sms::SendFailure> {
    let http = &state.senders.http;
    match route {
        Route::Sms(gateway) => {
            // Where the gateway reports delivery (none when Haven's public address is unknown).
            let callback = state
                .config
                .channels
                .public_url
                .as_deref()
                .map(|b| format!("{}{}", b.trim_end_matches('/'), gateway.report_path()));
            gateway.send(http, pending.id, &pending.reply, callback).await
        }
        // Statuses come back on the WhatsApp webhook, by message id.
        Route::Whatsapp(cloud) => cloud.send(http, &pending.reply, last_inbound, now).await,
    }
}
