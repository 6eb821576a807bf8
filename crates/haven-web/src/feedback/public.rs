//! The public pages: the feedback form anybody can use without an account (mobile first,
//! in their language, anonymous allowed) and the status page for a reference code.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use haven_core::feedback::{RawSubmission, SensitiveType, Status, parse_reference};
use haven_store::identity as users;
use serde::Deserialize;

use super::intake;
use crate::AppState;
use crate::csrf::PRE_SESSION_COOKIE;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::identity::client::ClientIp;
use crate::identity::{Identity, cookie};
use crate::pages::Chrome;

/// What the person typed, kept to show the form again with its errors.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PublicForm {
    text: String,
    about: String,
    sex: String,
    age: String,
    /// The Washington Group Short Set's answers, if the person gives them.
    #[serde(flatten)]
    functioning: super::functioning::FunctioningForm,
    contact_name: String,
    contact_phone: String,
    consent_to_contact: Option<String>,
    safe_contact: String,
    csrf: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_new.html")]
pub struct NewPage {
    c: Chrome,
    form: PublicForm,
    errors: Vec<(&'static str, String)>,
    abouts: Options,
    sexes: Options,
    wg_questions: Vec<super::functioning::Question>,
    wg_answers: Vec<(&'static str, String)>,
}

impl NewPage {
    /// Whether a question was answered: the questions are then shown open.
    fn functioning_given(&self) -> bool {
        self.wg_questions.iter().any(|q| !q.chosen.is_empty())
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_thanks.html")]
pub struct ThanksPage {
    c: Chrome,
    reference: String,
}

/// A select's options: value and translated label.
type Options = Vec<(&'static str, String)>;

fn choices(l: Lang) -> (Options, Options) {
    let mut abouts = vec![("", l.t("feedback-about-general"))];
    abouts.extend(SensitiveType::ALL.iter().map(|t| (t.code(), l.t(&format!("feedback-about-{}", t.code())))));
    let sexes = ["", "f", "m", "x", "u"]
        .into_iter()
        .map(|s| (s, l.t(&format!("feedback-sex-{}", if s.is_empty() { "none" } else { s }))))
        .collect();
    (abouts, sexes)
}

/// The form page's chrome: the session's CSRF token when signed in, else a double-submit
/// cookie (as on the sign-in page).
fn chrome_and_cookie(
    state: &AppState,
    l: Lang,
    me: Option<&Identity>,
    headers: &HeaderMap,
) -> (Chrome, Option<String>) {
    let mut c = Chrome::new(l, me, state);
    if me.and_then(|m| m.session.as_ref()).is_some() {
        return (c, None);
    }
    let token = cookie(headers, PRE_SESSION_COOKIE).unwrap_or_else(users::new_secret);
    c.csrf = token.clone();
    let secure = if state.config.secure { "; Secure" } else { "" };
    (c, Some(format!("{PRE_SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}")))
}

fn page(
    state: &AppState,
    l: Lang,
    me: Option<&Identity>,
    headers: &HeaderMap,
    form: PublicForm,
    errors: Vec<(&'static str, String)>,
    status: StatusCode,
) -> Response {
    let (c, set_cookie) = chrome_and_cookie(state, l, me, headers);
    let (abouts, sexes) = choices(l);
    let (wg_questions, wg_answers) = (form.functioning.questions(l), super::functioning::answer_options(l));
    let page = NewPage { c, form, errors, abouts, sexes, wg_questions, wg_answers };
    match set_cookie {
        Some(v) => (status, [(header::SET_COOKIE, v)], page).into_response(),
        None => (status, page).into_response(),
    }
}

pub async fn form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Option<Extension<Identity>>,
    headers: HeaderMap,
) -> Response {
    page(&state, l, me.as_deref(), &headers, PublicForm::default(), Vec::new(), StatusCode::OK)
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Option<Extension<Identity>>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    Form(form): Form<PublicForm>,
) -> Result<Response, WebError> {
    let me = me.as_deref();
    if !state.public_intake.admit(client) {
        let errors = vec![("text", l.t("error-too-many-requests"))];
        return Ok(page(&state, l, me, &headers, form, errors, StatusCode::TOO_MANY_REQUESTS));
    }
    let age = form.age.trim();
    let age_value = if age.is_empty() { None } else { Some(age.parse::<i64>().unwrap_or(-1)) };
    let opt = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    let raw = RawSubmission {
        text: Some(form.text.clone()),
        channel: Some("web".into()),
        sensitive_type: opt(&form.about),
        sex: opt(&form.sex),
        age: age_value,
        functioning: form.functioning.answers(),
        contact_name: opt(&form.contact_name),
        contact_phone: opt(&form.contact_phone),
        consent_to_contact: Some(form.consent_to_contact.is_some()),
        safe_contact: opt(&form.safe_contact),
        language: Some(l.code().to_owned()),
        ..Default::default()
    };
    match intake(&state, raw, None, None).await {
        Ok(recorded) => {
            let (c, _) = chrome_and_cookie(&state, l, me, &headers);
            // The same neutral page for every item: nothing on a shared phone's screen says
            // what the message was about.
            Ok((StatusCode::CREATED, ThanksPage { c, reference: recorded.reference }).into_response())
        }
        Err(WebError::Invalid(problems)) => {
            let errors = problems.into_iter().map(|(f, code)| (f, l.t(&format!("error-{code}")))).collect();
            Ok(page(&state, l, me, &headers, form, errors, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct StatusQuery {
    #[serde(rename = "ref")]
    reference: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_status.html")]
pub struct StatusPage {
    c: Chrome,
    reference: String,
    status: Option<String>,
    response: Option<String>,
    error: Option<String>,
}

/// The status of a reference: the status and the public response only, never the content;
/// neutral wording for sealed items. Look-ups are rate limited per address.
pub async fn status(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Option<Extension<Identity>>,
    ClientIp(client): ClientIp,
    Query(q): Query<StatusQuery>,
) -> Result<Response, WebError> {
    let c = Chrome::new(l, me.as_deref(), &state);
    let typed = q.reference.unwrap_or_default();
    let mut page = StatusPage { c, reference: typed.clone(), status: None, response: None, error: None };
    if typed.trim().is_empty() {
        return Ok(page.into_response());
    }
    if !state.status_lookups.admit(client) {
        page.error = Some(l.t("error-too-many-requests"));
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let found = match parse_reference(&typed) {
        Some(code) => haven_store::feedback::public_status(&state.store, &code).await?,
        None => None,
    };
    match found {
        None => {
            page.error = Some(l.t("feedback-status-unknown"));
            Ok((StatusCode::NOT_FOUND, page).into_response())
        }
        Some(s) => {
            let key = if s.sealed {
                if s.status == Status::Closed { "closed" } else { "in-progress" }
            } else {
                s.status.code()
            };
            page.status = Some(l.t(&format!("feedback-public-status-{key}")));
            // Never an answer for a sealed item, whatever the row holds: the page stays neutral.
            page.response = s.public_response.filter(|_| !s.sealed);
            Ok(page.into_response())
        }
    }
}
