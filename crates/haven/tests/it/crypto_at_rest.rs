//! Personal fields are encrypted: the raw database holds no plaintext, keys rotate.

use haven_core::identity::Username;
use haven_store::identity::{self as users, Actor, NewUser};
use haven_store::{KeyRing, Store};

use crate::support::*;

const MARKER_NAME: &str = "Zaynab Qaddourah-Marker";
const MARKER_EMAIL: &str = "zaynab.marker@example.org";

async fn write_known_user(store: &Store) -> uuid::Uuid {
    let new = NewUser {
        username: Username::parse("zaynab").unwrap(),
        display_name: MARKER_NAME.into(),
        email: Some(MARKER_EMAIL.into()),
        password_hash: users::hash_password(PASSWORD).await.unwrap(),
        agency_id: None,
        must_change_password: false,
    };
    users::create_user(store, &Actor::system("test"), &new, &[]).await.unwrap()
}

#[tokio::test]
async fn no_plaintext_in_the_raw_database_and_rotation_reencrypts() {
    for engine in engines() {
        let db = database(engine).await;
        let store = Store::new(db.pool.clone(), KeyRing::generate());
        let id = write_known_user(&store).await;
        assert_eq!(users::user_summary(&store, id).await.unwrap().display_name, MARKER_NAME);

        match engine {
            Engine::Sqlite => {
                db.pool.checkpoint().await.unwrap();
                let mut raw = std::fs::read(db.dir.path().join("haven.db")).unwrap();
                if let Ok(wal) = std::fs::read(db.dir.path().join("haven.db-wal")) {
                    raw.extend(wal);
                }
                let text = String::from_utf8_lossy(&raw);
                assert!(text.contains("zaynab"), "the user name is not secret and is found");
                assert!(
                    !text.contains("Qaddourah") && !text.contains("zaynab.marker"),
                    "no plaintext name or email in the file"
                );
            }
            Engine::Postgres => {
                let row: (Vec<u8>, Vec<u8>) = haven_store::on_pool!(&db.pool, p => {
                    sqlx::query_as("SELECT display_name_enc, email_enc FROM users WHERE id = $1").bind(id).fetch_one(p).await
                })
                .unwrap();
                let raw = [row.0, row.1].concat();
                assert!(!String::from_utf8_lossy(&raw).contains("Qaddourah"));
            }
        }

        // Another key ring cannot read it; a ciphertext moved to another row does not decrypt.
        let stranger = Store::new(db.pool.clone(), KeyRing::generate());
        assert!(users::user_summary(&stranger, id).await.is_err());

        // Rotation: a new key, every value rewritten with it, still readable.
        let mut ring = (*store.keys).clone();
        let new_id = ring.rotate();
        let rotated = Store::new(db.pool.clone(), ring);
        let count = haven_store::rekey::reencrypt_all(&rotated, &Actor::system("test")).await.unwrap();
        assert_eq!(count, 2);
        let enc: (Vec<u8>,) = haven_store::on_pool!(&db.pool, p => {
            sqlx::query_as("SELECT display_name_enc FROM users WHERE id = $1").bind(id).fetch_one(p).await
        })
        .unwrap();
        assert_eq!(KeyRing::key_id_of(&enc.0), Some(new_id));
        assert_eq!(users::user_summary(&rotated, id).await.unwrap().display_name, MARKER_NAME);
        assert_eq!(haven_store::rekey::reencrypt_all(&rotated, &Actor::system("test")).await.unwrap(), 0);
    }
}
