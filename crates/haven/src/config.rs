//! Settings from, in order of precedence: command-line flags, `HAVEN_*` environment variables
//! (clap reads both), a TOML config file (`--config`), then defaults.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
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
    #[serde(default)]
    pub channels: ChannelsConfig,
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
