//! Encrypted backups of a SQLite deployment.
//!
//! `VACUUM INTO` makes a consistent copy while the server keeps running; the copy is then
//! encrypted with age (to a passphrase or to an X25519 recipient) and the plaintext copy
//! removed. The key file is never part of a backup: restoring needs it separately, which is
//! the point (a stolen backup alone reveals nothing encrypted).

use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::str::FromStr;

use age::secrecy::SecretString;

use crate::crypto::random_bytes;
use crate::{Pool, StoreError};

/// Whom a backup is encrypted for.
pub enum BackupKey {
    Passphrase(SecretString),
    Recipient(String),
}

/// What decrypts a backup.
pub enum RestoreKey {
    Passphrase(SecretString),
    IdentityFile(std::path::PathBuf),
}

fn io(context: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(format!("{context}: {e}"))
}

/// Write an encrypted consistent copy of the SQLite database to `to`. Returns its size.
pub async fn backup_sqlite(pool: &Pool, to: &Path, key: BackupKey) -> Result<u64, StoreError> {
    let Pool::Sqlite(p) = pool else {
        return Err(StoreError::Invalid(
            "haven backup copies SQLite deployments; back up PostgreSQL with pg_dump (see docs/deployment.md)".into(),
        ));
    };
    if to.exists() {
        return Err(StoreError::Invalid(format!("{} already exists", to.display())));
    }
    let dir = to.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".haven-backup-{}.db", crate::crypto::hex(&random_bytes::<8>())));
    let tmp_text = tmp.to_str().ok_or_else(|| StoreError::Invalid("backup path is not UTF-8".into()))?.to_owned();
    sqlx::query("VACUUM INTO $1").bind(&tmp_text).execute(p).await?;
    let result = encrypt_file(&tmp, to, key);
    let _ = std::fs::remove_file(&tmp);
    result
}

fn encrypt_file(from: &Path, to: &Path, key: BackupKey) -> Result<u64, StoreError> {
    let encryptor = match key {
        BackupKey::Passphrase(p) => age::Encryptor::with_user_passphrase(p),
        BackupKey::Recipient(r) => {
            let recipient = age::x25519::Recipient::from_str(r.trim())
                .map_err(|e| StoreError::Invalid(format!("recipient {r}: {e}")))?;
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| io("age", e))?
        }
    };
    let mut input = std::fs::File::open(from).map_err(|e| io("reading the copy", e))?;
    let output =
        std::fs::OpenOptions::new().write(true).create_new(true).open(to).map_err(|e| io("creating the backup", e))?;
    let mut writer = encryptor.wrap_output(output).map_err(|e| io("encrypting", e))?;
    std::io::copy(&mut input, &mut writer).map_err(|e| io("encrypting", e))?;
    let file = writer.finish().map_err(|e| io("encrypting", e))?;
    file.sync_all().map_err(|e| io("writing the backup", e))?;
    Ok(file.metadata().map(|m| m.len()).unwrap_or(0))
}

/// Decrypt a backup into `database` (which must not exist yet).
pub fn restore_sqlite(from: &Path, database: &Path, key: RestoreKey) -> Result<u64, StoreError> {
    if database.exists() {
        return Err(StoreError::Invalid(format!(
            "{} already exists; move it away first so nothing is overwritten",
            database.display()
        )));
    }
    let input = std::fs::File::open(from).map_err(|e| io(&from.display().to_string(), e))?;
    let decryptor = age::Decryptor::new(BufReader::new(input)).map_err(|e| io("not an age backup", e))?;
    let mut reader: Box<dyn Read> = match key {
        RestoreKey::Passphrase(p) => {
            let identity = age::scrypt::Identity::new(p);
            Box::new(
                decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(|e| io("decrypting", e))?,
            )
        }
        RestoreKey::IdentityFile(path) => {
            let identities = age::IdentityFile::from_file(path.display().to_string())
                .and_then(|f| f.into_identities().map_err(std::io::Error::other))
                .map_err(|e| io("identity file", e))?;
            Box::new(
                decryptor
                    .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
                    .map_err(|e| io("decrypting", e))?,
            )
        }
    };
    let tmp = database.with_extension("restoring");
    let mut out = std::fs::File::create(&tmp).map_err(|e| io("writing the database", e))?;
    let written = std::io::copy(&mut reader, &mut out).map_err(|e| io("decrypting", e))?;
    out.flush().and_then(|_| out.sync_all()).map_err(|e| io("writing the database", e))?;
    std::fs::rename(&tmp, database).map_err(|e| io("writing the database", e))?;
    Ok(written)
}
