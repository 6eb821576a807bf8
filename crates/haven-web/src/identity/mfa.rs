//! The second factor: TOTP (RFC 6238) with recovery codes.
//!
//! After the password, a session is "MFA pending" until the user enters a code, or, when
//! their role requires a second factor they have not set up yet, enrols one (scan the QR
//! code, confirm a code, keep the recovery codes).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_core::secret::Secret;
use haven_store::crypto::random_bytes;
use haven_store::identity as users;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

const ISSUER: &str = "Haven";

#[derive(Template, WebTemplate)]
#[template(path = "mfa_challenge.html")]
struct ChallengePage {
    c: Chrome,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "mfa_enrol.html")]
struct EnrolPage {
    c: Chrome,
    secret: String,
    qr_svg: String,
    error: Option<String>,
    action: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "mfa_codes.html")]
struct CodesPage {
    c: Chrome,
    codes: Vec<String>,
}

fn totp(secret: &[u8]) -> Result<totp_rs::Totp, WebError> {
    totp_rs::Builder::new().with_secret(secret.to_vec()).build().map_err(|e| WebError::Internal(format!("totp: {e}")))
}

fn unix_now() -> u64 {
    haven_store::now_utc().unix_timestamp().max(0) as u64
}

/// RFC 4648 base32 without padding, as authenticator apps expect.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.trim().trim_end_matches('=').chars() {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

fn otpauth_url(username: &str, secret_b32: &str) -> String {
    format!("otpauth://totp/{ISSUER}:{username}?secret={secret_b32}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30")
}

fn qr_svg(data: &str) -> String {
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color>().min_dimensions(192, 192).build(),
        Err(_) => String::new(),
    }
}

fn enrol_page(
    l: Lang,
    me: &Identity,
    state: &AppState,
    secret_b32: String,
    error: Option<String>,
    action: &'static str,
) -> EnrolPage {
    let qr = qr_svg(&otpauth_url(&me.username, &secret_b32));
    // The SVG comes from our own renderer over a URL we built; strip its XML prolog.
    let qr_svg = qr.find("<svg").map(|i| qr[i..].to_owned()).unwrap_or_default();
    EnrolPage { c: Chrome::new(l, Some(me), state), secret: secret_b32, qr_svg, error, action }
}

pub async fn challenge_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Option<Extension<Identity>>,
) -> Result<Response, WebError> {
    let Some(Extension(me)) = me else { return Ok(Redirect::to("/login").into_response()) };
    if !me.mfa_pending() {
        return Ok(Redirect::to("/").into_response());
    }
    let record = users::login_record_by_id(&state.store, me.user_id()).await?.ok_or(WebError::NotAuthenticated)?;
    if record.totp_enabled {
        Ok(ChallengePage { c: Chrome::new(l, Some(&me), &state), error: None }.into_response())
    } else {
        let secret = base32(&random_bytes::<20>());
        Ok(enrol_page(l, &me, &state, secret, None, "/login/mfa").into_response())
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: Secret,
    #[serde(default)]
    secret: Option<String>,
}

pub async fn challenge_submit(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Option<Extension<Identity>>,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let Some(Extension(me)) = me else { return Err(WebError::NotAuthenticated) };
    let Some(session) = me.session.clone().filter(|_| me.mfa_pending()) else {
        return Ok(Redirect::to("/").into_response());
    };
    let record = users::login_record_by_id(&state.store, me.user_id()).await?.ok_or(WebError::NotAuthenticated)?;
    if !record.totp_enabled {
        return enrol_confirm(state, l, me, form, Some(session), "/login/mfa").await;
    }
    if check_code(&state, &me, &form.code).await? {
        users::complete_mfa(&state.store, &session).await?;
        return Ok(Redirect::to("/").into_response());
    }
    if users::record_login_failure(&state.store, &record, &state.config.lockout_policy).await?.is_some() {
        let actor = me.actor();
        users::end_session(&state.store, &actor, &session.id_hash).await?;
        return Err(WebError::TooManyRequests);
    }
    let page = ChallengePage { c: Chrome::new(l, Some(&me), &state), error: Some(l.t("mfa-code-wrong")) };
    Ok((StatusCode::UNAUTHORIZED, page).into_response())
}

/// A current TOTP code (each time step accepted once) or an unused recovery code.
async fn check_code(state: &AppState, me: &Identity, code: &str) -> Result<bool, WebError> {
    let code = code.trim();
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        let Some((secret, _)) = users::totp_secret(&state.store, me.user_id()).await? else { return Ok(false) };
        let Some(step) = totp(&secret)?.check(&digits, unix_now()) else { return Ok(false) };
        return Ok(users::accept_totp_step(&state.store, me.user_id(), step as i64).await?);
    }
    Ok(users::use_recovery_code(&state.store, me.user_id(), code).await?)
}

async fn enrol_confirm(
    state: AppState,
    l: Lang,
    me: Identity,
    form: CodeForm,
    pending_session: Option<haven_store::identity::SessionRecord>,
    action: &'static str,
) -> Result<Response, WebError> {
    let secret_b32 = form.secret.clone().unwrap_or_default();
    let secret = unbase32(&secret_b32)
        .filter(|s| s.len() >= 16)
        .ok_or(WebError::BadRequest { code: "invalid", field: Some("secret") })?;
    let step = totp(&secret)?.check(form.code.trim(), unix_now());
    let Some(step) = step else {
        let page = enrol_page(l, &me, &state, secret_b32, Some(l.t("mfa-code-wrong")), action);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let codes = users::enable_totp(&state.store, &me.actor(), me.user_id(), &secret, step as i64).await?;
    if let Some(session) = pending_session {
        users::complete_mfa(&state.store, &session).await?;
    }
    Ok(CodesPage { c: Chrome::new(l, Some(&me), &state), codes }.into_response())
}

/// Voluntary enrolment (or re-enrolment) from the account page.
pub async fn enrol_form(State(state): State<AppState>, Extension(l): Extension<Lang>, me: Identity) -> Response {
    let secret = base32(&random_bytes::<20>());
    enrol_page(l, &me, &state, secret, None, "/account/mfa").into_response()
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    enrol_confirm(state, l, me, form, None, "/account/mfa").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trip_and_rfc_vector() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(unbase32("MZXW6YTBOI").unwrap(), b"foobar");
        let secret = random_bytes::<20>();
        assert_eq!(unbase32(&base32(&secret)).unwrap(), secret);
        assert!(unbase32("not base32!").is_none());
    }
}
