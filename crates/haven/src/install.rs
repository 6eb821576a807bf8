//! Opening an installation: data folder, key ring, database, migrations, catalog.

use std::path::Path;

use anyhow::{Context, bail};
use haven_store::identity::Actor;
use haven_store::{KeyRing, Pool, Store};

use crate::config::Location;

pub fn passphrase() -> Option<String> {
    std::env::var("HAVEN_KEY_PASSPHRASE").ok().filter(|p| !p.is_empty())
}

fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create data folder {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Load the key ring; create it when it is not configured and does not exist yet.
pub fn load_or_create_keys(loc: &Location) -> anyhow::Result<KeyRing> {
    if loc.key_file.exists() {
        return Ok(KeyRing::load_file(&loc.key_file, passphrase().as_deref())?);
    }
    if !loc.key_in_data_dir {
        bail!(
            "key file {} does not exist (create one with `haven keys init --out {}`)",
            loc.key_file.display(),
            loc.key_file.display()
        );
    }
    ensure_data_dir(&loc.data_dir)?;
    let ring = KeyRing::generate();
    ring.create_file(&loc.key_file, passphrase().as_deref())?;
    tracing::warn!(
        path = %loc.key_file.display(),
        "created a new key file inside the data folder; production keys belong outside it (--key-file), with a copy in escrow"
    );
    Ok(ring)
}

pub async fn open_pool(loc: &Location) -> anyhow::Result<Pool> {
    Ok(match &loc.database_url {
        Some(url) => Pool::connect_postgres(url, None).await?,
        None => {
            ensure_data_dir(&loc.data_dir)?;
            Pool::open_sqlite(&loc.data_dir.join("haven.db")).await?
        }
    })
}

/// Open, migrate, load the catalog, and check that the database belongs to these keys and
/// to this kind of deployment (demo or not).
pub async fn open(loc: &Location, demo: bool) -> anyhow::Result<Store> {
    let keys = load_or_create_keys(loc)?;
    let pool = open_pool(loc).await?;
    pool.migrate().await?;
    let store = Store::new(pool, keys);
    if let Err(problem) = haven_store::settings::bind_installation(&store, demo).await? {
        store.pool.close().await;
        bail!("{problem}");
    }
    load_catalog(&store).await?;
    Ok(store)
}

pub async fn load_catalog(store: &Store) -> anyhow::Result<()> {
    haven_store::catalog::load_shipped(store, &Actor::system("haven")).await?;
    Ok(())
}

/// Add a field key, save the key file (before any value depends on it), re-encrypt.
/// A running server keeps working (old keys stay in the ring) and reads the new values after
/// its next restart.
pub async fn rotate_keys(store: Store, loc: &Location) -> anyhow::Result<(u32, u64)> {
    let mut ring = (*store.keys).clone();
    let id = ring.rotate();
    ring.save_file(&loc.key_file, passphrase().as_deref())?;
    let rotated = Store::new(store.pool.clone(), ring);
    let count = haven_store::rekey::reencrypt_all(&rotated, &Actor::system("cli")).await?;
    Ok((id, count))
}
