//! Settings from, in order of precedence: command-line flags, `HAVEN_*` environment variables
//! (clap reads both), a TOML config file (`--config`), then defaults.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use haven_web::identity::client::TrustedProxies;
use haven_web::outbound::OutboundConfig;
use haven_web::outbound::sms::SmsGateway;
use haven_web::outbound::whatsapp::{self, WhatsappCloud};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub key_file: Option<PathBuf>,
    pub secure_cookies: Option<bool>,
    /// Haven's public base URL (e.g. https://haven.example.org), as webhooks see it.
    pub public_url: Option<String>,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client
    /// for rate limits (`HAVEN_TRUSTED_PROXIES`, separated by commas); none by default.
    pub trusted_proxies: Option<Vec<String>>,
    #[serde(default)]
    pub channels: ChannelsConfig,
    #[serde(default)]
    pub mail: MailFileConfig,
    #[serde(default)]
    pub sms_gateway: GatewayFileConfig,
    #[serde(default)]
    pub whatsapp: WhatsappFileConfig,
}

/// Replies through WhatsApp's own Cloud API (`[whatsapp]`; `HAVEN_WHATSAPP_PHONE_NUMBER_ID`,
/// `HAVEN_WHATSAPP_ACCESS_TOKEN`, `HAVEN_WHATSAPP_API_BASE`). Delivery statuses come back on
/// the WhatsApp webhook, so the app secret of `[channels]` is needed too.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatsappFileConfig {
    /// The id Meta gives the sending business number (not the number itself).
    pub phone_number_id: Option<String>,
    /// A system user's access token with the `whatsapp_business_messaging` permission.
    pub access_token: Option<String>,
    /// The Graph API base with its version (another only for tests against a local server).
    pub api_base: Option<String>,
    /// The approved template for replies more than 24 hours after the person's last message
    /// (`HAVEN_WHATSAPP_TEMPLATE`); its body has one parameter, the reply's text.
    pub template: Option<String>,
    /// The language the template was approved in (`HAVEN_WHATSAPP_TEMPLATE_LANGUAGE`; `en` by default).
    pub template_language: Option<String>,
}

impl std::fmt::Debug for WhatsappFileConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsappFileConfig").field("phone_number_id", &self.phone_number_id).finish_non_exhaustive()
    }
}

/// Notification e-mail (`[mail]`; `HAVEN_SMTP_URL`, `HAVEN_MAIL_FROM`).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailFileConfig {
    /// `smtp://user:password@host:587?tls=required`, `smtps://host`, or `smtp://host:25`.
    pub smtp_url: Option<String>,
    pub from: Option<String>,
}

impl std::fmt::Debug for MailFileConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailFileConfig").field("from", &self.from).finish_non_exhaustive()
    }
}

/// Where replies to people go (`[sms_gateway]`; `HAVEN_SMS_GATEWAY`, ...). Twilio uses the
/// auth token of `[channels]`; a generic gateway the SMS webhook secret.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayFileConfig {
    /// `twilio` or `generic`.
    pub kind: Option<String>,
    pub twilio_account_sid: Option<String>,
    /// The sending number, or a messaging service id (`MG...`).
    pub twilio_from: Option<String>,
    pub twilio_api_base: Option<String>,
    /// The generic gateway's URL for outgoing messages.
    pub url: Option<String>,
}

/// Secrets of the messaging channels; each may also come from its `HAVEN_*` variable,
/// which wins. A channel without its secret stays off.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelsConfig {
    pub twilio_auth_token: Option<String>,
    pub sms_webhook_secret: Option<String>,
    pub whatsapp_app_secret: Option<String>,
    pub whatsapp_verify_token: Option<String>,
}

impl std::fmt::Debug for ChannelsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChannelsConfig(..)")
    }
}

impl FileConfig {
    /// The channel secrets: environment first, then the file.
    pub fn channel_secrets(&self) -> haven_web::feedback::webhooks::ChannelSecrets {
        let pick = |var: &str, file: &Option<String>| {
            std::env::var(var)
                .ok()
                .or_else(|| file.clone())
                .filter(|v| !v.trim().is_empty())
                .map(haven_core::secret::Secret::new)
        };
        let c = &self.channels;
        haven_web::feedback::webhooks::ChannelSecrets {
            public_url: std::env::var("HAVEN_PUBLIC_URL")
                .ok()
                .or_else(|| self.public_url.clone())
                .filter(|u| !u.is_empty()),
            twilio_auth_token: pick("HAVEN_TWILIO_AUTH_TOKEN", &c.twilio_auth_token),
            sms_webhook_secret: pick("HAVEN_SMS_WEBHOOK_SECRET", &c.sms_webhook_secret),
            whatsapp_app_secret: pick("HAVEN_WHATSAPP_APP_SECRET", &c.whatsapp_app_secret),
            whatsapp_verify_token: pick("HAVEN_WHATSAPP_VERIFY_TOKEN", &c.whatsapp_verify_token),
        }
    }
}

impl FileConfig {
    /// The trusted reverse proxies: `HAVEN_TRUSTED_PROXIES` first, then the file.
    pub fn trusted_proxies(&self) -> anyhow::Result<TrustedProxies> {
        let parsed = match std::env::var("HAVEN_TRUSTED_PROXIES").ok().filter(|v| !v.trim().is_empty()) {
            Some(list) => TrustedProxies::parse_list(&list),
            None => TrustedProxies::parse(self.trusted_proxies.as_deref().unwrap_or_default()),
        };
        parsed.map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))
    }
}

fn env_or(var: &str, file: &Option<String>) -> Option<String> {
    std::env::var(var).ok().or_else(|| file.clone()).filter(|v| !v.trim().is_empty())
}

impl FileConfig {
    /// Notification e-mail and the reply gateway: environment first, then the file. Half a
    /// configuration is an error that names what is missing.
    pub fn outbound(&self, channels: &haven_web::feedback::webhooks::ChannelSecrets) -> anyhow::Result<OutboundConfig> {
        let mut out = OutboundConfig::default();
        let smtp = env_or("HAVEN_SMTP_URL", &self.mail.smtp_url);
        let from = env_or("HAVEN_MAIL_FROM", &self.mail.from);
        out.mail = match (smtp, from) {
            (None, None) => None,
            (Some(url), Some(from)) => Some(
                haven_web::outbound::mail::MailConfig::new(haven_core::secret::Secret::new(url), &from)
                    .map_err(|e| anyhow::anyhow!("[mail]: {e}"))?,
            ),
            (Some(_), None) => bail!("[mail] smtp_url is set but not from (or HAVEN_MAIL_FROM)"),
            (None, Some(_)) => bail!("[mail] from is set but not smtp_url (or HAVEN_SMTP_URL)"),
        };
        let g = &self.sms_gateway;
        out.sms = match env_or("HAVEN_SMS_GATEWAY", &g.kind).as_deref() {
            None => None,
            Some("twilio") => {
                let sid = env_or("HAVEN_TWILIO_ACCOUNT_SID", &g.twilio_account_sid)
                    .context("[sms_gateway] kind = twilio needs twilio_account_sid (or HAVEN_TWILIO_ACCOUNT_SID)")?;
                let from = env_or("HAVEN_TWILIO_FROM", &g.twilio_from)
                    .context("[sms_gateway] kind = twilio needs twilio_from (or HAVEN_TWILIO_FROM)")?;
                let auth_token = channels.twilio_auth_token.clone().context(
                    "[sms_gateway] kind = twilio needs the Twilio auth token ([channels] twilio_auth_token)",
                )?;
                let api_base = env_or("HAVEN_TWILIO_API_BASE", &g.twilio_api_base)
                    .unwrap_or_else(|| "https://api.twilio.com".to_owned());
                Some(SmsGateway::Twilio { api_base, account_sid: sid, auth_token, from })
            }
            Some("generic") => {
                let url = env_or("HAVEN_SMS_GATEWAY_URL", &g.url)
                    .context("[sms_gateway] kind = generic needs url (or HAVEN_SMS_GATEWAY_URL)")?;
                let secret = channels.sms_webhook_secret.clone().context(
                    "[sms_gateway] kind = generic needs the SMS webhook secret ([channels] sms_webhook_secret)",
                )?;
                Some(SmsGateway::Generic { url, secret })
            }
            Some(other) => bail!("[sms_gateway] kind must be twilio or generic, not {other:?}"),
        };
        out.whatsapp = self.whatsapp_cloud(channels)?;
        Ok(out)
    }

    /// The WhatsApp Cloud API sender, when `[whatsapp]` (or its variables) names one.
    fn whatsapp_cloud(
        &self,
        channels: &haven_web::feedback::webhooks::ChannelSecrets,
    ) -> anyhow::Result<Option<WhatsappCloud>> {
        let w = &self.whatsapp;
        let phone_number_id = env_or("HAVEN_WHATSAPP_PHONE_NUMBER_ID", &w.phone_number_id);
        let access_token = env_or("HAVEN_WHATSAPP_ACCESS_TOKEN", &w.access_token);
        let (phone_number_id, access_token) = match (phone_number_id, access_token) {
            (None, None) => return Ok(None),
            (Some(id), Some(token)) => (id, haven_core::secret::Secret::new(token)),
            (Some(_), None) => {
                bail!("[whatsapp] phone_number_id is set but not access_token (or HAVEN_WHATSAPP_ACCESS_TOKEN)")
            }
            (None, Some(_)) => {
                bail!("[whatsapp] access_token is set but not phone_number_id (or HAVEN_WHATSAPP_PHONE_NUMBER_ID)")
            }
        };
        if channels.whatsapp_app_secret.is_none() {
            bail!(
                "[whatsapp] needs the app secret ([channels] whatsapp_app_secret): delivery statuses come back on the signed webhook"
            );
        }
        let api_base =
            env_or("HAVEN_WHATSAPP_API_BASE", &w.api_base).unwrap_or_else(|| whatsapp::DEFAULT_API_BASE.to_owned());
        let template = env_or("HAVEN_WHATSAPP_TEMPLATE", &w.template).map(|name| whatsapp::WhatsappTemplate {
            name,
            language: env_or("HAVEN_WHATSAPP_TEMPLATE_LANGUAGE", &w.template_language)
                .unwrap_or_else(|| "en".to_owned()),
        });
        Ok(Some(WhatsappCloud { api_base, phone_number_id, access_token, template }))
    }

    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else { return Ok(FileConfig::default()) };
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("config file {}: {}", path.display(), e.message()))
    }
}

/// Where the database and keys are, resolved.
#[derive(Debug, Clone)]
pub struct Location {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub key_file: PathBuf,
    /// The key file was not configured: it lives in the data folder.
    pub key_in_data_dir: bool,
}

pub fn resolve(
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    key_file: Option<PathBuf>,
    file: &FileConfig,
    default_dir: &str,
) -> anyhow::Result<Location> {
    let data_dir = data_dir.or_else(|| file.data_dir.clone()).unwrap_or_else(|| PathBuf::from(default_dir));
    let database_url = database_url.or_else(|| file.database_url.clone());
    if let Some(url) = &database_url
        && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
    {
        bail!("--database-url must be a postgres:// URL (SQLite is used through --data-dir)");
    }
    let configured = key_file.or_else(|| file.key_file.clone());
    let key_in_data_dir = configured.is_none();
    let key_file = configured.unwrap_or_else(|| data_dir.join("haven.key"));
    Ok(Location { data_dir, database_url, key_file, key_in_data_dir })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbound_of(text: &str) -> anyhow::Result<OutboundConfig> {
        let file: FileConfig = toml::from_str(text)?;
        file.outbound(&file.channel_secrets())
    }

    #[test]
    fn outbound_configuration_is_whole_or_refused_with_what_is_missing() {
        let full = outbound_of(
            r#"
            [channels]
            twilio_auth_token = "t0k"
            [mail]
            smtp_url = "smtp://mail.example.org:587?tls=required"
            from = "Haven <haven@example.org>"
            [sms_gateway]
            kind = "twilio"
            twilio_account_sid = "AC1"
            twilio_from = "+254700000000"
            "#,
        )
        .expect("a whole configuration");
        assert!(full.mail.is_some());
        assert!(
            matches!(full.sms, Some(SmsGateway::Twilio { ref api_base, .. }) if api_base == "https://api.twilio.com")
        );

        let none = outbound_of("").expect("nothing configured is fine");
        assert!(none.mail.is_none() && none.sms.is_none());

        let err = |text: &str| outbound_of(text).expect_err("refused").to_string();
        assert!(err("[mail]\nsmtp_url = \"smtp://h:25\"").contains("from"));
        assert!(err("[mail]\nsmtp_url = \"smtp://h:25\"\nfrom = \"not an address\"").contains("sender address"));
        assert!(
            err("[sms_gateway]\nkind = \"twilio\"\ntwilio_account_sid = \"AC1\"\ntwilio_from = \"+1\"")
                .contains("auth token")
        );
        assert!(err("[sms_gateway]\nkind = \"generic\"").contains("url"));
        assert!(err("[sms_gateway]\nkind = \"pigeon\"").contains("twilio or generic"));
    }

    #[test]
    fn trusted_proxies_come_from_the_file_and_bad_entries_are_named() {
        let file: FileConfig = toml::from_str("trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]").unwrap();
        let proxies = file.trusted_proxies().expect("valid");
        assert!(proxies.contains("10.9.8.7".parse().unwrap()) && !proxies.contains("192.0.2.1".parse().unwrap()));
        assert!(FileConfig::default().trusted_proxies().unwrap().is_empty());
        let bad: FileConfig = toml::from_str("trusted_proxies = [\"proxy.local\"]").unwrap();
        assert!(bad.trusted_proxies().unwrap_err().to_string().contains("proxy.local"));
    }

    #[test]
    fn whatsapp_replies_need_the_number_id_the_token_and_the_app_secret() {
        let whole = outbound_of(
            r#"
            [channels]
            whatsapp_app_secret = "app-s3cret"
            [whatsapp]
            phone_number_id = "106540352242922"
            access_token = "EAAG-token"
            "#,
        )
        .expect("a whole configuration");
        let cloud = whole.whatsapp.expect("WhatsApp replies on");
        assert_eq!(cloud.api_base, whatsapp::DEFAULT_API_BASE);
        assert_eq!(cloud.phone_number_id, "106540352242922");
        assert!(!format!("{cloud:?}").contains("EAAG"), "the token stays out of logs");

        let err = |text: &str| outbound_of(text).expect_err("refused").to_string();
        assert!(err("[whatsapp]\nphone_number_id = \"1\"").contains("access_token"));
        assert!(err("[whatsapp]\naccess_token = \"t\"").contains("phone_number_id"));
        assert!(err("[whatsapp]\nphone_number_id = \"1\"\naccess_token = \"t\"").contains("whatsapp_app_secret"));
        assert!(outbound_of("").expect("off").whatsapp.is_none());
    }
}
