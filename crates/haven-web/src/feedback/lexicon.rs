//! The keyword screen's lexicon, kept by protection officers and PSEA focal points: read it,
//! try a draft on a sentence before saving it, save it (checked line by line, and every
//! sensitive type kept), or go back to the shipped one. Page and API.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use haven_core::feedback::{Lexicon, LexiconError, SensitiveType};
use haven_store::feedback::lexicon as store;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::authz::Granted;
use crate::error::{ErrorBody, WebError};
use crate::i18n::Lang;
use crate::identity::Identity;
use crate::pages::Chrome;

#[derive(Template, WebTemplate)]
#[template(path = "feedback_lexicon.html")]
struct LexiconPage {
    c: Chrome,
    text: String,
    shipped: bool,
    saved_at: Option<String>,
    /// Per sensitive type: its label and its number of phrases, in the text shown.
    counts: Vec<(String, usize)>,
    /// What is wrong with the text shown, translated.
    errors: Vec<String>,
    sample: String,
    /// When a sentence was tried: the phrases found with their type, and what would be
    /// recorded.
    tried: Option<Tried>,
    saved: bool,
}

struct Tried {
    hits: Vec<(String, String)>,
    proposed: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LexiconForm {
    text: String,
    sample: String,
    /// `try` (screen the sample with the draft, save nothing) or `save`.
    action: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    saved: Option<String>,
}

fn type_label(l: Lang, kind: SensitiveType) -> String {
    l.t(&format!("feedback-about-{}", kind.code()))
}

fn counts(l: Lang, lexicon: Option<&Lexicon>) -> Vec<(String, usize)> {
    SensitiveType::ALL.iter().map(|k| (type_label(l, *k), lexicon.map_or(0, |x| x.count_of(*k)))).collect()
}

/// What is wrong with a lexicon, as the page says it.
fn error_message(l: Lang, e: &LexiconError) -> String {
    match e {
        LexiconError::Line { line, problem } => {
            l.t2("lexicon-line-problem", "line", line, "problem", l.t(&format!("error-{}", problem.code())))
        }
        LexiconError::TypeMissing(kind) => l.t1("lexicon-type-missing", "type", type_label(l, *kind)),
    }
}

/// The page, showing a draft (its text and phrase counts) or else the lexicon in use.
async fn page_of(
    state: &AppState,
    l: Lang,
    me: &Identity,
    draft: Option<(String, Vec<(String, usize)>)>,
    saved: bool,
) -> Result<LexiconPage, WebError> {
    let current = store::text(&state.store).await?;
    let zone = super::zone(state).await?;
    let (shipped, saved_at) = (current.shipped, current.saved_at.map(|t| l.datetime_in(t, &zone)));
    let (text, counts) = draft.unwrap_or_else(|| {
        let in_use = counts(l, Lexicon::parse(&current.text).ok().as_ref());
        (current.text, in_use)
    });
    Ok(LexiconPage {
        c: Chrome::new(l, Some(me), state),
        counts,
        text,
        shipped,
        saved_at,
        errors: Vec::new(),
        sample: String::new(),
        tried: None,
        saved,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    Ok(page_of(&state, l, &me, None, q.saved.is_some()).await?.into_response())
}

/// Try the draft on a sentence, or save it. The sentence is screened in memory only: it may
/// be a real report pasted to check, so it is neither stored nor logged.
pub async fn submit(
    State(state): State<AppState>,
    Extension(l): Extension<Lang>,
    me: Identity,
    _g: Granted,
    Form(form): Form<LexiconForm>,
) -> Result<Response, WebError> {
    let parsed = Lexicon::parse(&form.text);
    let draft_counts = counts(l, parsed.as_ref().ok());
    let draft = parsed.and_then(Lexicon::for_use);
    if form.action == "save" && draft.is_ok() && store::save(&state.store, &me.actor(), &form.text).await?.is_ok() {
        return Ok(Redirect::to("/feedback/lexicon?saved=1").into_response());
    }
    let mut page = page_of(&state, l, &me, Some((form.text, draft_counts)), false).await?;
    page.sample = form.sample;
    match draft {
        Err(e) => {
            page.errors.push(error_message(l, &e));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Ok(lexicon) => {
            let hits = lexicon.screen(&page.sample).into_iter().map(|h| (h.phrase, type_label(l, h.kind))).collect();
            let proposed = lexicon.propose(None, &page.sample).map(|k| type_label(l, k));
            page.tried = Some(Tried { hits, proposed });
            Ok(page.into_response())
        }
    }
}

pub async fn restore(State(state): State<AppState>, me: Identity, _g: Granted) -> Result<Response, WebError> {
    store::restore_shipped(&state.store, &me.actor()).await?;
    Ok(Redirect::to("/feedback/lexicon?saved=1").into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LexiconBody {
    /// `[sensitive_type]` sections of `language: phrase` lines (en, fr, es, ar); a phrase's
    /// last word may end with `*` (any ending).
    pub text: String,
    /// Whether this is the lexicon shipped with Haven (never edited, or restored).
    pub shipped: bool,
    pub phrases: usize,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LexiconInput {
    pub text: String,
}

/// The keyword screen's lexicon in use.
#[utoipa::path(get, path = "/api/v1/feedback/lexicon", tag = "feedback",
    responses((status = 200, description = "The lexicon", body = LexiconBody)),
    security(("bearer" = [])))]
pub async fn api_get(State(state): State<AppState>, _g: Granted) -> Result<Json<LexiconBody>, WebError> {
    let current = store::text(&state.store).await?;
    let phrases = Lexicon::parse(&current.text).map(|x| x.len()).unwrap_or(0);
    Ok(Json(LexiconBody { text: current.text, shipped: current.shipped, phrases }))
}

/// Replace the lexicon. Refused with every problem's line when a line is wrong, or when a
/// sensitive type would be left without any phrase.
#[utoipa::path(put, path = "/api/v1/feedback/lexicon", tag = "feedback", request_body = LexiconInput,
    responses((status = 200, description = "Saved", body = LexiconBody),
        (status = 422, description = "A line is wrong (problems[].row is its number), or a sensitive type has no phrase", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_put(
    State(state): State<AppState>,
    me: Identity,
    _g: Granted,
    Json(input): Json<LexiconInput>,
) -> Result<Json<LexiconBody>, WebError> {
    match store::save(&state.store, &me.actor(), &input.text).await? {
        Ok(phrases) => Ok(Json(LexiconBody { text: input.text, shipped: false, phrases })),
        Err(LexiconError::Line { line, problem }) => {
            Err(WebError::InvalidRows(vec![(line as u64, "text".to_owned(), problem.code())]))
        }
        Err(LexiconError::TypeMissing(kind)) => Err(WebError::Invalid(vec![(kind.code(), "lexicon-type-missing")])),
    }
}
