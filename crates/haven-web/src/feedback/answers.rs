//! Approved answers to frequent information requests: agents search them (page, API, from
//! the agent form and the item page) and put one in a response; protection officers and
//! administrators approve new texts, each a new version per language.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use haven_core::authz::{Permission, decide};
use haven_core::feedback::{ANSWER_LANGUAGES, AnswerText, RawAnswerText};
use haven_core::settings::LocalZone;
use haven_store::feedback::answers::{self as store, Answer, AnswerVersion};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

/// Check a text, and its category against the typology.
async fn checked(state: &AppState, raw: RawAnswerText) -> Result<AnswerText, WebError> {
    let text = raw.validate().map_err(|ps| WebError::Invalid(ps.iter().map(|p| (p.field, p.code)).collect()))?;
    if let Some(code) = &text.category
        && haven_store::feedback::category(&state.store, code).await?.is_none()
    {
        return Err(WebError::Invalid(vec![("category", "unknown-code")]));
    }
    Ok(text)
}

/// The writing direction of a language's text.
pub fn dir_of(language: &str) -> &'static str {
    if matches!(language, "ar" | "fa" | "ps" | "ur" | "he" | "ku") { "rtl" } else { "ltr" }
}

/// One answer as a page shows it, in the language asked for.
pub struct AnswerView {
    pub id: Uuid,
    pub category: Option<String>,
    pub text: AnswerVersion,
    pub dir: &'static str,
    pub approved_at: String,
}

/// The answers matching a search (in `searched`, or in any language), each shown in `shown`
/// (else English, else any).
pub async fn found(
    state: &AppState,
    l: Lang,
    q: &str,
    searched: Option<&str>,
    shown: &str,
    category: Option<&str>,
) -> Result<Vec<AnswerView>, WebError> {
    let answers = store::search(&state.store, q, searched, category).await?;
    let zone = super::zone(state).await?;
    Ok(answers.iter().filter_map(|a| view(l, &zone, a, shown)).collect())
}

fn view(l: Lang, zone: &LocalZone, a: &Answer, language: &str) -> Option<AnswerView> {
    let text = a.text_in(language)?.clone();
    Some(AnswerView {
        id: a.id,
        category: a.category.clone(),
        dir: dir_of(&text.language),
        approved_at: l.datetime_in(text.approved_at, zone),
        text,
    })
}

/// The current text of an answer in `language` (else English), for a response.
pub async fn text_for(state: &AppState, id: Uuid, language: &str) -> Result<String, WebError> {
    let a = store::get(&state.store, id).await?;
    if a.retired {
        return Err(WebError::NotFound);
    }
    a.text_in(language).map(|t| t.body.clone()).ok_or(WebError::NotFound)
}

type Choices = Vec<(String, String)>;

/// The typology categories as a select shows them: code and name.
pub async fn categories(state: &AppState, l: Lang) -> Result<Choices, WebError> {
    Ok(haven_store::catalog::entries(&state.store, haven_core::catalog::CatalogKind::FeedbackTypology)
        .await?
        .into_iter()
        .map(|e| (e.code.clone(), e.name.get(l.code()).to_owned()))
        .collect())
}

fn languages(l: Lang) -> Choices {
    ANSWER_LANGUAGES.iter().map(|c| ((*c).to_owned(), l.t(&format!("language-{c}")))).collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_answers.html")]
pub struct AnswersPage {
    c: Chrome,
    q: String,
    language: String,
    category: String,
    /// The item the agent came from: each answer offers to go back with it.
    item: Option<Uuid>,
    answers: Vec<AnswerView>,
    languages: Choices,
    categories: Choices,
    can_manage: bool,
    form: AnswerForm,
    errors: Vec<(&'static str, String)>,
}

impl AnswersPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswersQuery {
    q: String,
    language: String,
    category: String,
    item: Option<Uuid>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AnswerForm {
    language: String,
    category: String,
    question: String,
    body: String,
}

impl AnswerForm {
    fn raw(&self) -> RawAnswerText {
        RawAnswerText {
            language: Some(self.language.clone()),
            question: Some(self.question.clone()),
            body: Some(self.body.clone()),
            category: Some(self.category.clone()),
        }
    }
}

async fn answers_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    q: AnswersQuery,
    form: AnswerForm,
    errors: Vec<(&'static str, String)>,
) -> Result<AnswersPage, WebError> {
    let language = if q.language.is_empty() { l.code().to_owned() } else { q.language };
    let category = Some(q.category.as_str()).filter(|c| !c.is_empty());
    Ok(AnswersPage {
        answers: found(state, l, &q.q, Some(language.as_str()), &language, category).await?,
        c: Chrome::new(l, Some(me), state),
        q: q.q,
        category: q.category,
        language,
        item: q.item,
        languages: languages(l),
        categories: categories(state, l).await?,
        can_manage: decide(&me.principal, Permission::AnswersManage).is_ok(),
        form,
        errors,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Query(q): Query<AnswersQuery>,
) -> Result<Response, WebError> {
    let form = AnswerForm { language: l.code().to_owned(), ..Default::default() };
    Ok(answers_page(&state, l, &me, q, form, Vec::new()).await?.into_response())
}

pub async fn create_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    match checked(&state, form.raw()).await {
        Ok(text) => {
            let id = store::create(&state.store, &me.actor(), &text).await?;
            Ok(Redirect::to(&format!("/feedback/answers/{id}")).into_response())
        }
        Err(WebError::Invalid(problems)) => {
            let page =
                answers_page(&state, l, &me, AnswersQuery::default(), form, super::form_errors(l, problems)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_answer.html")]
pub struct AnswerPage {
    c: Chrome,
    id: Uuid,
    retired: bool,
    current: Vec<AnswerView>,
    history: Vec<(AnswerVersion, String)>,
    can_manage: bool,
    languages: Choices,
    form: AnswerForm,
    errors: Vec<(&'static str, String)>,
}

impl AnswerPage {
    fn error(&self, field: &str) -> Option<&str> {
        super::field_error(&self.errors, field)
    }
}

async fn answer_page(
    state: &AppState,
    l: Lang,
    me: &Identity,
    id: Uuid,
    form: Option<AnswerForm>,
    errors: Vec<(&'static str, String)>,
) -> Result<AnswerPage, WebError> {
    let a = store::get(&state.store, id).await?;
    let zone = super::zone(state).await?;
    let current: Vec<AnswerView> = a.texts.iter().filter_map(|t| view(l, &zone, &a, &t.language)).collect();
    let history = store::history(&state.store, id)
        .await?
        .into_iter()
        .map(|v| (l.datetime_in(v.approved_at, &zone), v))
        .map(|(d, v)| (v, d))
        .collect();
    // The form starts from the text in the reader's language, to correct or translate it.
    let form = form.unwrap_or_else(|| {
        let base = a.text_in(l.code());
        AnswerForm {
            language: l.code().to_owned(),
            category: String::new(),
            question: base.map(|t| t.question.clone()).unwrap_or_default(),
            body: base.map(|t| t.body.clone()).unwrap_or_default(),
        }
    });
    Ok(AnswerPage {
        c: Chrome::new(l, Some(me), state),
        id,
        retired: a.retired,
        current,
        history,
        can_manage: decide(&me.principal, Permission::AnswersManage).is_ok(),
        languages: languages(l),
        form,
        errors,
    })
}

pub async fn answer(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    Ok(answer_page(&state, l, &me, id, None, Vec::new()).await?.into_response())
}

pub async fn approve_form(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Path(id): Path<Uuid>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    store::get(&state.store, id).await?;
    let raw = RawAnswerText { category: None, ..form.raw() };
    match checked(&state, raw).await {
        Ok(text) => {
            store::approve(&state.store, &me.actor(), id, &text).await?;
            Ok(Redirect::to(&format!("/feedback/answers/{id}")).into_response())
        }
        Err(WebError::Invalid(problems)) => {
            let page = answer_page(&state, l, &me, id, Some(form), super::form_errors(l, problems)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn retire_form(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    store::retire(&state.store, &me.actor(), id).await?;
    Ok(Redirect::to("/feedback/answers").into_response())
}

/// One approved text.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AnswerTextItem {
    pub language: String,
    pub version: i64,
    pub question: String,
    pub body: String,
    /// Who approved this version.
    pub approved_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub approved_at: String,
}

impl From<AnswerVersion> for AnswerTextItem {
    fn from(v: AnswerVersion) -> Self {
        AnswerTextItem {
            language: v.language,
            version: v.version,
            question: v.question,
            body: v.body,
            approved_by: v.approver,
            approved_at: v.approved_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AnswerItem {
    pub id: Uuid,
    pub category: Option<String>,
    /// The current text in each language (only the one asked for, when `language` is given).
    pub texts: Vec<AnswerTextItem>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AnswerParams {
    /// Words that must all appear in the question or the answer.
    pub q: Option<String>,
    /// Only texts in this language (en, fr, ar...).
    pub language: Option<String>,
    /// Only answers of this typology category.
    pub category: Option<String>,
}

/// Approved answers in use, searched by words, language and category.
#[utoipa::path(get, path = "/api/v1/answers", tag = "answers", params(AnswerParams),
    responses((status = 200, description = "Matching answers", body = [AnswerItem])),
    security(("bearer" = [])))]
pub async fn api_list(
    State(state): State<AppState>,
    _g: Granted,
    Query(p): Query<AnswerParams>,
) -> Result<Json<Vec<AnswerItem>>, WebError> {
    let language = p.language.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let category = p.category.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let found = store::search(&state.store, p.q.as_deref().unwrap_or(""), language, category).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|a| AnswerItem {
                id: a.id,
                category: a.category,
                texts: a
                    .texts
                    .into_iter()
                    .filter(|t| language.is_none_or(|l| t.language == l))
                    .map(Into::into)
                    .collect(),
            })
            .collect(),
    ))
}

/// Every approved version of an answer, newest first.
#[utoipa::path(get, path = "/api/v1/answers/{id}/versions", tag = "answers",
    params(("id" = Uuid, Path, description = "The answer's id")),
    responses((status = 200, description = "Its versions", body = [AnswerTextItem]), (status = 404, description = "No such answer", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_versions(
    State(state): State<AppState>,
    _g: Granted,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<AnswerTextItem>>, WebError> {
    store::get(&state.store, id).await?;
    Ok(Json(store::history(&state.store, id).await?.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AnswerApproved {
    pub id: Uuid,
    pub version: i64,
}

/// A new answer and its first text, approved by the caller (answers-manage).
#[utoipa::path(post, path = "/api/v1/answers", tag = "answers", request_body = inline(serde_json::Value),
    responses((status = 201, description = "Approved", body = AnswerApproved), (status = 422, description = "Invalid fields", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_create(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Json(raw): Json<RawAnswerText>,
) -> Result<Response, WebError> {
    let id = store::create(&state.store, &me.actor(), &checked(&state, raw).await?).await?;
    Ok((StatusCode::CREATED, Json(AnswerApproved { id, version: 1 })).into_response())
}

/// A new text of an answer in one language, approved by the caller: its next version.
#[utoipa::path(post, path = "/api/v1/answers/{id}/versions", tag = "answers", request_body = inline(serde_json::Value),
    params(("id" = Uuid, Path, description = "The answer's id")),
    responses((status = 201, description = "Approved", body = AnswerApproved), (status = 404, description = "No such answer", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_approve(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Path(id): Path<Uuid>,
    Json(raw): Json<RawAnswerText>,
) -> Result<Response, WebError> {
    let text = checked(&state, RawAnswerText { category: None, ..raw }).await?;
    let version = store::approve(&state.store, &me.actor(), id, &text).await?;
    Ok((StatusCode::CREATED, Json(AnswerApproved { id, version })).into_response())
}
