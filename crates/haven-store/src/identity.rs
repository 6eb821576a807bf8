//! Users, role grants, sessions, second factors and API tokens.

use std::collections::BTreeSet;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use haven_core::audit::{AuditEvent, actions};
use haven_core::authz::{Access, LocationScope, Permission, Principal, Role, RoleGrant};
use haven_core::identity::Username;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::crypto::{FieldPlace, random_bytes, sha256};
use crate::db::Tx;
use crate::{Store, StoreError, audit, conflict_on_unique, now_utc};

/// Who performs a change, as the audit log names them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<Uuid>,
    pub name: String,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor { id: None, name: name.to_owned() }
    }
    pub fn event(&self, action: &'static str, kind: &'static str, id: impl Into<String>) -> AuditEvent {
        AuditEvent::new(action, kind, id).by(self.id, self.name.clone())
    }
}

// ---------- passwords ----------

/// Argon2id with the crate's default parameters (19 MiB, 2 passes), off the async threads.
pub async fn hash_password(password: &str) -> Result<String, StoreError> {
    let password = zeroize::Zeroizing::new(password.to_owned());
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Invalid(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| StoreError::Io(e.to_string()))?
}

pub async fn verify_password(password: &str, hash: &str) -> bool {
    let password = zeroize::Zeroizing::new(password.to_owned());
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok())
        .await
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so timing does not reveal it.
pub async fn dummy_verify(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = match DUMMY.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash_password("not-a-real-password").await.unwrap_or_default();
            DUMMY.get_or_init(|| h).clone()
        }
    };
    let _ = verify_password(password, &hash).await;
}

// ---------- users ----------

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub agency_id: Option<Uuid>,
    pub must_change_password: bool,
}

/// What sign-in needs; no decrypted personal data.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginRecord {
    pub id: Uuid,
    pub username: String,
    pub password_hash: String,
    pub disabled: bool,
    pub failed_logins: i64,
    pub last_failed_at: Option<OffsetDateTime>,
    pub locked_until: Option<OffsetDateTime>,
    pub totp_enabled: bool,
    pub must_change_password: bool,
    pub preferred_lang: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UserSummary {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub disabled: bool,
    pub totp_enabled: bool,
    pub locked: bool,
    pub agency_id: Option<Uuid>,
    pub roles: Vec<RoleGrant>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    display_name_enc: Vec<u8>,
    email_enc: Option<Vec<u8>>,
    disabled: bool,
    totp_enabled: bool,
    locked_until: Option<OffsetDateTime>,
    agency_id: Option<Uuid>,
}

fn place<'a>(column: &'a str, row: &'a str) -> FieldPlace<'a> {
    FieldPlace { table: "users", column, row }
}

pub async fn create_user(
    store: &Store,
    actor: &Actor,
    user: &NewUser,
    roles: &[RoleGrant],
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let id_text = id.to_string();
    let now = now_utc();
    let name_enc = store.keys.encrypt_str(place("display_name_enc", &id_text), &user.display_name);
    let email_enc = user.email.as_deref().map(|e| store.keys.encrypt_str(place("email_enc", &id_text), e));
    let email_token = user.email.as_deref().map(|e| store.keys.search_token("users.email", e));
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO users (id, username, display_name_enc, email_enc, email_token, password_hash, agency_id,
                                must_change_password, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(id)
        .bind(user.username.as_str())
        .bind(&name_enc)
        .bind(&email_enc)
        .bind(&email_token)
        .bind(&user.password_hash)
        .bind(user.agency_id)
        .bind(user.must_change_password)
        .bind(now)
        .execute(c).await.map(|r| r.rows_affected())
    })
    .map_err(|e| conflict_on_unique(e, "user name"))?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::USER_CREATED, "user", &id_text)).await?;
    for grant in roles {
        insert_grant(&mut tx, store, actor, id, grant).await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn login_record(store: &Store, username: &str) -> Result<Option<LoginRecord>, StoreError> {
    let sql = "SELECT id, username, password_hash, disabled, failed_logins, last_failed_at, locked_until,
                      totp_enabled, must_change_password, preferred_lang
               FROM users WHERE username = $1";
    Ok(on_pool!(&store.pool, p => sqlx::query_as::<_, LoginRecord>(sql).bind(username).fetch_optional(p).await)?)
}

pub async fn login_record_by_id(store: &Store, id: Uuid) -> Result<Option<LoginRecord>, StoreError> {
    let sql = "SELECT id, username, password_hash, disabled, failed_logins, last_failed_at, locked_until,
                      totp_enabled, must_change_password, preferred_lang
               FROM users WHERE id = $1";
    Ok(on_pool!(&store.pool, p => sqlx::query_as::<_, LoginRecord>(sql).bind(id).fetch_optional(p).await)?)
}

pub async fn user_id_by_username(store: &Store, username: &str) -> Result<Uuid, StoreError> {
    let found: Option<(Uuid,)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(p).await
    })?;
    found.map(|(id,)| id).ok_or(StoreError::NotFound)
}

const USER_COLUMNS: &str = "id, username, display_name_enc, email_enc, disabled, totp_enabled, locked_until, agency_id";

fn summarize(
    store: &Store,
    row: UserRow,
    roles: Vec<RoleGrant>,
    now: OffsetDateTime,
) -> Result<UserSummary, StoreError> {
    let id_text = row.id.to_string();
    let display_name = store.keys.decrypt_str(place("display_name_enc", &id_text), &row.display_name_enc)?;
    let email = match &row.email_enc {
        Some(enc) => Some(store.keys.decrypt_str(place("email_enc", &id_text), enc)?),
        None => None,
    };
    Ok(UserSummary {
        id: row.id,
        username: row.username,
        display_name,
        email,
        disabled: row.disabled,
        totp_enabled: row.totp_enabled,
        locked: row.locked_until.is_some_and(|t| t > now),
        agency_id: row.agency_id,
        roles,
    })
}

/// Users visible under `access` (its agency scope), ordered by user name.
pub async fn list_users(store: &Store, access: &Access) -> Result<Vec<UserSummary>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
    let rows: Vec<UserRow> = on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    let all_roles = all_grants(store).await?;
    let now = now_utc();
    let filter = access.filter();
    let mut out = Vec::new();
    let visible = |r: &UserRow| match &filter.agencies {
        None => true,
        Some(allowed) => r.agency_id.is_some_and(|a| allowed.contains(&a)),
    };
    for row in rows.into_iter().filter(visible) {
        let roles = all_roles.iter().filter(|(u, _)| *u == row.id).map(|(_, g)| g.clone()).collect();
        out.push(summarize(store, row, roles, now)?);
    }
    Ok(out)
}

/// The organisations, by name.
pub async fn agencies(store: &Store) -> Result<Vec<(Uuid, String)>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT id, name FROM agencies ORDER BY name").fetch_all(p).await
    })?)
}

/// Where to e-mail a user and in which language: `None` for a disabled account or one
/// without an address.
pub async fn mail_recipient(store: &Store, id: Uuid) -> Result<Option<(String, Option<String>)>, StoreError> {
    let row: Option<(Option<Vec<u8>>, Option<String>, bool)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT email_enc, preferred_lang, disabled FROM users WHERE id = $1").bind(id).fetch_optional(p).await
    })?;
    let Some((Some(enc), lang, false)) = row else { return Ok(None) };
    let address = store.keys.decrypt_str(place("email_enc", &id.to_string()), &enc)?;
    Ok(Some((address, lang)))
}

/// One user, for their own account page or an administrator with `access`.
pub async fn user_summary(store: &Store, id: Uuid) -> Result<UserSummary, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row: Option<UserRow> =
        on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    let roles = grants_of(store, id).await?;
    summarize(store, row, roles, now_utc())
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    user_id: Uuid,
    role: String,
    agency_id: Option<Uuid>,
    location_path: Option<String>,
}

fn grant_from(row: GrantRow) -> Option<(Uuid, RoleGrant)> {
    let role = Role::from_code(&row.role)?;
    let location = row.location_path.as_deref().and_then(LocationScope::new);
    Some((row.user_id, RoleGrant { role, agency: row.agency_id, location }))
}

async fn all_grants(store: &Store) -> Result<Vec<(Uuid, RoleGrant)>, StoreError> {
    let rows: Vec<GrantRow> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT user_id, role, agency_id, location_path FROM user_roles ORDER BY role").fetch_all(p).await
    })?;
    Ok(rows.into_iter().filter_map(grant_from).collect())
}

pub async fn grants_of(store: &Store, user: Uuid) -> Result<Vec<RoleGrant>, StoreError> {
    let rows: Vec<GrantRow> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT user_id, role, agency_id, location_path FROM user_roles WHERE user_id = $1 ORDER BY role")
            .bind(user)
            .fetch_all(p)
            .await
    })?;
    Ok(rows.into_iter().filter_map(grant_from).map(|(_, g)| g).collect())
}

pub async fn roles_of(store: &Store, user: Uuid) -> Result<BTreeSet<Role>, StoreError> {
    Ok(grants_of(store, user).await?.into_iter().map(|g| g.role).collect())
}

/// The principal for a signed-in user (full role permissions).
pub async fn principal(store: &Store, user: Uuid) -> Result<Principal, StoreError> {
    Ok(Principal { user_id: user, grants: grants_of(store, user).await?, token_permissions: None })
}

/// Active (not disabled) holders of a role.
pub async fn holders_of(store: &Store, role: Role) -> Result<Vec<Uuid>, StoreError> {
    let rows: Vec<(Uuid,)> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = $1 AND u.disabled = $2",
        )
        .bind(role.code())
        .bind(false)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

async fn insert_grant(
    tx: &mut Tx<'_>,
    store: &Store,
    actor: &Actor,
    user: Uuid,
    grant: &RoleGrant,
) -> Result<(), StoreError> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO user_roles (user_id, role, agency_id, location_path, granted_by, granted_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id, role) DO UPDATE SET agency_id = $3, location_path = $4, granted_by = $5, granted_at = $6",
        )
        .bind(user)
        .bind(grant.role.code())
        .bind(grant.agency)
        .bind(grant.location.as_ref().map(|l| l.as_str().to_owned()))
        .bind(actor.id)
        .bind(now_utc())
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    let event =
        actor.event(actions::ROLE_GRANTED, "user", user.to_string()).summary(format!("role {}", grant.role.code()));
    audit::append(tx, &store.keys, &event).await?;
    Ok(())
}

/// Grant a role; the caller has checked [`haven_core::authz::may_grant_role`].
pub async fn grant_role(store: &Store, actor: &Actor, user: Uuid, grant: &RoleGrant) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    insert_grant(&mut tx, store, actor, user, grant).await?;
    tx.commit().await?;
    forget_tokens(store);
    Ok(())
}

pub async fn revoke_role(store: &Store, actor: &Actor, user: Uuid, role: Role) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    let done = on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND role = $2").bind(user).bind(role.code()).execute(c).await.map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    if role == Role::PseaFocalPoint {
        // A former focal point keeps no way to the office key, and their sessions and
        // tokens that carry it end.
        crate::sealing::withdraw(&mut tx, user).await?;
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user).execute(c).await.map(|r| r.rows_affected()))?;
        on_tx!(&mut tx, c => sqlx::query("UPDATE api_tokens SET sealed_key = NULL, revoked_at = $1 WHERE user_id = $2 AND sealed_key IS NOT NULL").bind(now_utc()).bind(user).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let event = actor.event(actions::ROLE_REVOKED, "user", user.to_string()).summary(format!("role {}", role.code()));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    forget_tokens(store);
    Ok(())
}

pub async fn set_disabled(store: &Store, actor: &Actor, user: Uuid, disabled: bool) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    let done = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
            .bind(disabled)
            .bind(now_utc())
            .bind(user)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    if disabled {
        end_sessions_of(&mut tx, user).await?;
    }
    let action = if disabled { actions::USER_DISABLED } else { actions::USER_ENABLED };
    audit::append(&mut tx, &store.keys, &actor.event(action, "user", user.to_string())).await?;
    tx.commit().await?;
    forget_tokens(store);
    Ok(())
}

/// Set a new password hash. A reset by someone else forces a change at next sign-in and ends
/// every session of the user.
pub async fn set_password(
    store: &Store,
    actor: &Actor,
    user: Uuid,
    hash: &str,
    by_other: bool,
) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    let done = on_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = NULL,
                              updated_at = $3 WHERE id = $4",
        )
        .bind(hash)
        .bind(by_other)
        .bind(now_utc())
        .bind(user)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    if by_other {
        end_sessions_of(&mut tx, user).await?;
    }
    let action = if by_other { actions::PASSWORD_RESET } else { actions::PASSWORD_CHANGED };
    audit::append(&mut tx, &store.keys, &actor.event(action, "user", user.to_string())).await?;
    tx.commit().await
}

pub async fn set_preferred_lang(store: &Store, user: Uuid, lang: &str) -> Result<(), StoreError> {
    on_pool!(&store.pool, p => {
        sqlx::query("UPDATE users SET preferred_lang = $1 WHERE id = $2").bind(lang).bind(user).execute(p).await.map(|r| r.rows_affected())
    })?;
    forget_tokens(store);
    Ok(())
}

/// Count a failed sign-in; returns the lock time when this failure locks the account.
pub async fn record_login_failure(
    store: &Store,
    user: &LoginRecord,
    policy: &haven_core::identity::LockoutPolicy,
) -> Result<Option<OffsetDateTime>, StoreError> {
    let now = now_utc();
    let failures = policy.count_failure(user.failed_logins.max(0) as u32, user.last_failed_at, now);
    let locked_until = policy.lock_after(failures, now);
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE users SET failed_logins = $1, last_failed_at = $2, locked_until = $3 WHERE id = $4")
            .bind(i64::from(failures))
            .bind(now)
            .bind(locked_until)
            .bind(user.id)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let actor = Actor { id: Some(user.id), name: user.username.clone() };
    audit::append(&mut tx, &store.keys, &actor.event(actions::SIGN_IN_FAILED, "user", user.id.to_string())).await?;
    if locked_until.is_some() {
        audit::append(&mut tx, &store.keys, &actor.event(actions::ACCOUNT_LOCKED, "user", user.id.to_string())).await?;
    }
    tx.commit().await?;
    Ok(locked_until)
}

async fn clear_failures(tx: &mut Tx<'_>, user: Uuid) -> Result<(), StoreError> {
    on_tx!(tx, c => {
        sqlx::query("UPDATE users SET failed_logins = 0, last_failed_at = NULL, locked_until = NULL WHERE id = $1")
            .bind(user)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

// ---------- sessions ----------

/// A browser session as stored; the cookie holds a random value whose SHA-256 is the key.
#[derive(Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub id_hash: Vec<u8>,
    pub user_id: Uuid,
    pub csrf_token: String,
    pub mfa_done: bool,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// The PSEA office key bound to this session (see `sealing`), for focal points.
    pub sealed_key: Option<Vec<u8>>,
}

/// Leaves out the key and the CSRF token, which must not reach a log.
impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("user_id", &self.user_id)
            .field("mfa_done", &self.mfa_done)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish_non_exhaustive()
    }
}

pub fn new_secret() -> String {
    B64URL.encode(random_bytes::<32>())
}

/// Start a session after a correct password. Returns the cookie value.
pub async fn start_session(
    store: &Store,
    user: &LoginRecord,
    mfa_done: bool,
    office_key: Option<&crate::sealing::OfficeKey>,
) -> Result<String, StoreError> {
    let secret = new_secret();
    let sealed_key = office_key.map(|k| k.bind_to_session(&secret));
    let now = now_utc();
    let mut tx = store.pool.begin().await?;
    clear_failures(&mut tx, user.id).await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, mfa_done, created_at, last_seen_at, sealed_key)
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(sha256(secret.as_bytes()))
        .bind(user.id)
        .bind(new_secret())
        .bind(mfa_done)
        .bind(now)
        .bind(&sealed_key)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    let actor = Actor { id: Some(user.id), name: user.username.clone() };
    audit::append(&mut tx, &store.keys, &actor.event(actions::SIGN_IN, "user", user.id.to_string())).await?;
    tx.commit().await?;
    Ok(secret)
}

pub async fn load_session(store: &Store, cookie: &str) -> Result<Option<SessionRecord>, StoreError> {
    let sql = "SELECT id_hash, user_id, csrf_token, mfa_done, created_at, last_seen_at, sealed_key FROM sessions WHERE id_hash = $1";
    let hash = sha256(cookie.as_bytes());
    Ok(on_pool!(&store.pool, p => sqlx::query_as::<_, SessionRecord>(sql).bind(&hash).fetch_optional(p).await)?)
}

/// Note activity, at most once a minute per session to spare the database.
pub async fn touch_session(store: &Store, session: &SessionRecord, now: OffsetDateTime) -> Result<(), StoreError> {
    if now - session.last_seen_at < Duration::minutes(1) {
        return Ok(());
    }
    on_pool!(&store.pool, p => {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(&session.id_hash).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn complete_mfa(store: &Store, session: &SessionRecord) -> Result<(), StoreError> {
    on_pool!(&store.pool, p => {
        sqlx::query("UPDATE sessions SET mfa_done = $1 WHERE id_hash = $2").bind(true).bind(&session.id_hash).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn end_session(store: &Store, actor: &Actor, id_hash: &[u8]) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(c).await.map(|r| r.rows_affected()))?;
    let id = actor.id.map(|u| u.to_string()).unwrap_or_default();
    audit::append(&mut tx, &store.keys, &actor.event(actions::SIGN_OUT, "user", id)).await?;
    tx.commit().await
}

pub async fn end_all_sessions(store: &Store, actor: &Actor, user: Uuid) -> Result<u64, StoreError> {
    let mut tx = store.pool.begin().await?;
    let done = end_sessions_of(&mut tx, user).await?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::SIGN_OUT_EVERYWHERE, "user", user.to_string())).await?;
    tx.commit().await?;
    Ok(done)
}

/// Remove sessions past the absolute limit (run periodically).
pub async fn purge_sessions(store: &Store, policy: &haven_core::identity::SessionPolicy) -> Result<u64, StoreError> {
    let rows: Vec<SessionRecord> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT id_hash, user_id, csrf_token, mfa_done, created_at, last_seen_at FROM sessions").fetch_all(p).await
    })?;
    let now = now_utc();
    let mut removed = 0;
    for s in rows.iter().filter(|s| !policy.is_live(s.created_at, s.last_seen_at, now)) {
        removed += on_pool!(&store.pool, p => {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(&s.id_hash).execute(p).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(removed)
}

// ---------- second factor ----------

pub async fn totp_secret(store: &Store, user: Uuid) -> Result<Option<(Vec<u8>, Option<i64>)>, StoreError> {
    let row: Option<(Option<Vec<u8>>, Option<i64>)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT totp_secret_enc, totp_last_step FROM users WHERE id = $1").bind(user).fetch_optional(p).await
    })?;
    let Some((Some(enc), last_step)) = row else {
        return Ok(None);
    };
    let secret = store.keys.decrypt(place("totp_secret_enc", &user.to_string()), &enc)?;
    Ok(Some((secret, last_step)))
}

/// Remember the time step of an accepted code, so the same code cannot be replayed.
/// Returns false when the step was already used.
pub async fn accept_totp_step(store: &Store, user: Uuid, step: i64) -> Result<bool, StoreError> {
    let done = on_pool!(&store.pool, p => {
        sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
            .bind(step)
            .bind(user)
            .execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// Turn the second factor on with a confirmed secret; returns fresh recovery codes.
pub async fn enable_totp(
    store: &Store,
    actor: &Actor,
    user: Uuid,
    secret: &[u8],
    step: i64,
) -> Result<Vec<String>, StoreError> {
    let enc = store.keys.encrypt(place("totp_secret_enc", &user.to_string()), secret);
    let codes: Vec<String> = (0..10).map(|_| recovery_code()).collect();
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE users SET totp_secret_enc = $1, totp_enabled = $2, totp_last_step = $3, updated_at = $4 WHERE id = $5")
            .bind(&enc)
            .bind(true)
            .bind(step)
            .bind(now_utc())
            .bind(user)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user).execute(c).await.map(|r| r.rows_affected()))?;
    for code in &codes {
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user)
                .bind(sha256(normalize_recovery_code(code).as_bytes()))
                .execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    audit::append(&mut tx, &store.keys, &actor.event(actions::MFA_ENROLLED, "user", user.to_string())).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Remove a user's second factor (lost phone); they enrol again at next sign-in if required.
pub async fn reset_totp(store: &Store, actor: &Actor, user: Uuid) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE users SET totp_secret_enc = NULL, totp_enabled = $1, totp_last_step = NULL WHERE id = $2")
            .bind(false)
            .bind(user)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user).execute(c).await.map(|r| r.rows_affected()))?;
    end_sessions_of(&mut tx, user).await?;
    audit::append(&mut tx, &store.keys, &actor.event(actions::MFA_RESET, "user", user.to_string())).await?;
    tx.commit().await
}

fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let bytes = random_bytes::<10>();
    let chars: String = bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

fn normalize_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Spend a recovery code; true if it was valid and unused.
pub async fn use_recovery_code(store: &Store, user: Uuid, code: &str) -> Result<bool, StoreError> {
    let hash = sha256(normalize_recovery_code(code).as_bytes());
    let mut tx = store.pool.begin().await?;
    let done = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(now_utc())
            .bind(user)
            .bind(&hash)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if done == 1 {
        let actor = Actor { id: Some(user), name: String::new() };
        audit::append(&mut tx, &store.keys, &actor.event(actions::RECOVERY_CODE_USED, "user", user.to_string()))
            .await?;
    }
    tx.commit().await?;
    Ok(done == 1)
}

// ---------- API tokens ----------

/// A token's public part, as listed to its owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub scopes: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

pub const TOKEN_PREFIX: &str = "hvn";

/// Create a token: `hvn_<id>_<secret>`, 256 random bits of secret, stored as SHA-256.
pub async fn create_token(
    store: &Store,
    actor: &Actor,
    user: Uuid,
    name: &str,
    scopes: Option<&BTreeSet<Permission>>,
    valid_for: Duration,
    office_key: Option<&crate::sealing::OfficeKey>,
) -> Result<String, StoreError> {
    let id = B64URL.encode(random_bytes::<9>()).replace(['-', '_'], "x");
    let secret = new_secret();
    let token = format!("{TOKEN_PREFIX}_{id}_{secret}");
    let sealed_key = office_key.map(|k| k.bind_to_token(&token));
    let now = now_utc();
    let scope_text = scopes.map(|s| s.iter().map(|p| p.code()).collect::<Vec<_>>().join(","));
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, secret_hash, scopes, created_at, expires_at, sealed_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(user)
        .bind(name)
        .bind(sha256(secret.as_bytes()))
        .bind(&scope_text)
        .bind(now)
        .bind(now + valid_for)
        .bind(&sealed_key)
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    let summary = if sealed_key.is_some() { "carries the PSEA office key" } else { "" };
    audit::append(&mut tx, &store.keys, &actor.event(actions::TOKEN_CREATED, "api-token", &id).summary(summary))
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// user, secret hash, scopes, expiry, revocation, user disabled, office key, last use, user
/// name, preferred language.
type TokenCheckRow = (
    Uuid,
    Vec<u8>,
    Option<String>,
    OffsetDateTime,
    Option<OffsetDateTime>,
    bool,
    Option<Vec<u8>>,
    Option<OffsetDateTime>,
    String,
    Option<String>,
);

/// A token that checked out: whom it acts for, and the PSEA office key it carries, if any.
#[derive(Debug, Clone)]
pub struct TokenAuth {
    pub principal: Principal,
    pub username: String,
    pub preferred_lang: Option<String>,
    pub office_key: Option<crate::sealing::OfficeKey>,
}

/// Check a presented token; returns the principal it acts for.
///
/// A token that checked out is trusted for [`crate::recent::KEPT_FOR`] without reading the
/// database again (never past its expiry). Revoking it, disabling its user or changing the
/// user's roles through this process ends that at once ([`forget_tokens`]); the same change
/// made by another process applies within that time. A token that carries the PSEA office
/// key is checked on every call.
pub async fn authenticate_token(store: &Store, presented: &str) -> Result<Option<TokenAuth>, StoreError> {
    let recent = &store.recent.tokens;
    let key = sha256(presented.as_bytes());
    if let Some(auth) = recent.get(&key) {
        return Ok(Some(auth));
    }
    let start = recent.start_read();
    let Some((auth, expires_at)) = check_token(store, presented).await? else {
        return Ok(None);
    };
    if auth.office_key.is_none() {
        let left = std::time::Duration::try_from(expires_at - now_utc()).unwrap_or_default();
        recent.keep(start, key, auth.clone(), std::time::Instant::now() + left);
    }
    Ok(Some(auth))
}

/// Check a presented token against the database; returns it with its expiry.
async fn check_token(store: &Store, presented: &str) -> Result<Option<(TokenAuth, OffsetDateTime)>, StoreError> {
    let Some(rest) = presented.strip_prefix(TOKEN_PREFIX).and_then(|r| r.strip_prefix('_')) else {
        return Ok(None);
    };
    let Some((id, secret)) = rest.split_once('_') else {
        return Ok(None);
    };
    let row: Option<TokenCheckRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT t.user_id, t.secret_hash, t.scopes, t.expires_at, t.revoked_at, u.disabled, t.sealed_key, t.last_used_at,
                    u.username, u.preferred_lang
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })?;
    let Some((
        user,
        hash,
        scopes,
        expires_at,
        revoked_at,
        disabled,
        sealed_key,
        last_used_at,
        username,
        preferred_lang,
    )) = row
    else {
        return Ok(None);
    };
    let now = now_utc();
    if !constant_time_eq(&hash, &sha256(secret.as_bytes())) || revoked_at.is_some() || expires_at <= now || disabled {
        return Ok(None);
    }
    // At most once a minute: a write on every call would queue busy clients behind the
    // database's write lock.
    if last_used_at.is_none_or(|t| now - t >= Duration::minutes(1)) {
        on_pool!(&store.pool, p => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(now).bind(id).execute(p).await.map(|r| r.rows_affected())
        })?;
    }
    let token_permissions = scopes.map(|s| s.split(',').filter_map(Permission::from_code).collect());
    let principal = Principal { user_id: user, grants: grants_of(store, user).await?, token_permissions };
    let office_key = sealed_key.and_then(|k| crate::sealing::OfficeKey::from_token(presented, &k));
    Ok(Some((TokenAuth { principal, username, preferred_lang, office_key }, expires_at)))
}

/// Stop trusting tokens checked before a change to who may do what (a token revoked, a
/// user disabled, a role granted or revoked). Call after the change commits.
fn forget_tokens(store: &Store) {
    store.recent.tokens.forget();
    // Roles limited to an organisation decide where a user's feedback belongs.
    store.recent.recording_agencies.forget();
}

pub async fn list_tokens(store: &Store, user: Uuid) -> Result<Vec<TokenInfo>, StoreError> {
    Ok(on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT id, name, scopes, created_at, expires_at, last_used_at, revoked_at FROM api_tokens
             WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(user)
        .fetch_all(p)
        .await
    })?)
}

pub async fn revoke_token(store: &Store, actor: &Actor, user: Uuid, id: &str) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    let done = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(now_utc())
            .bind(id)
            .bind(user)
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(&mut tx, &store.keys, &actor.event(actions::TOKEN_REVOKED, "api-token", id)).await?;
    tx.commit().await?;
    forget_tokens(store);
    Ok(())
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Ends every session of one user inside the caller's transaction; returns how many ended.
async fn end_sessions_of(tx: &mut Tx<'_>, user: Uuid) -> Result<u64, StoreError> {
    Ok(
        on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user).execute(c).await.map(|r| r.rows_affected()))?,
    )
}
